//! Model: the syntax tree resolved into a typed policy, names checked and linked.

mod build;
mod options;
mod settings;
mod types;
mod values;

pub use build::{build, HOUR_DIVISORS};
pub use options::OptionContext;
pub use types::*;
