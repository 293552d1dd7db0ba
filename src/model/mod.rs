//! Model: the syntax tree resolved into a typed policy, names checked and linked.

mod build;
mod cadence;
mod identity;
mod names;
mod options;
mod settings;
mod syncoid;
pub mod tools;
mod transfer;
mod types;
mod values;
mod zrepl;

pub use build::{build, HOUR_DIVISORS};
pub use options::{freebsd_export, freebsd_mount, FreeBsdOption, OptionContext};
pub use transfer::DEFAULT_ZREPL_PORT;
pub use types::*;
pub use values::closest_dataset;
