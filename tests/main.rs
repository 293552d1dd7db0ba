//! All integration tests, compiled as one binary.

mod cli;
mod examples;
mod support;
mod ui;
