//! Model: the syntax tree resolved into a typed policy, names checked and linked.

mod acknowledge;
mod build;
mod cadence;
mod identity;
pub mod monitoring;
mod names;
mod nfsv4;
mod options;
mod settings;
mod snapshots;
mod syncoid;
mod times;
pub mod tools;
mod transfer;
mod types;
mod values;
mod zrepl;

pub use build::{build, timer_period_problem, HOUR_DIVISORS};
pub use nfsv4::*;
pub use options::{freebsd_export, freebsd_mount, FreeBsdOption, OptionContext};
pub use options::{NFS3_ONLY_MOUNT_OPTIONS, NFS4_ONLY_MOUNT_OPTIONS, REPEATABLE_MOUNT_OPTIONS};
pub use times::describe as describe_time;
pub use transfer::DEFAULT_ZREPL_PORT;
pub use types::*;
pub use values::closest_dataset;
