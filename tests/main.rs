//! All integration tests, compiled as one binary.

mod backups;
mod build;
mod catalogue;
mod charset;
mod cli;
mod examples;
mod faults;
mod fmt;
mod graph;
mod guard;
mod hostile;
mod mountpoints;
mod mounts;
mod nfsv4;
mod prometheus;
mod properties;
mod pruning;
mod runbook;
mod served;
mod support;
mod syncoid;
mod tools;
mod ui;
mod zrepl;
