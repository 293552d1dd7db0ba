//! All integration tests, compiled as one binary.

mod build;
mod catalogue;
mod cli;
mod examples;
mod fmt;
mod graph;
mod support;
mod tools;
mod ui;
mod zrepl;
