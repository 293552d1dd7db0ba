//! Facts derived once from a checked model, for the checks and the plan alike, so that
//! neither works them out again in its own way.

pub mod identity;
mod mountpoints;

pub use mountpoints::Mountpoints;
