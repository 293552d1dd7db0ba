//! Facts derived once from a checked model, for the checks and the plan alike, so that
//! neither works them out again in its own way.

pub mod identity;
mod landing;
mod mountpoints;
pub mod naming;
pub mod schedule;
pub mod worst_case;
pub mod zrepl;

pub use landing::{copy_of, landing};
pub use mountpoints::Mountpoints;
