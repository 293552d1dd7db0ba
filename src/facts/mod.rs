//! Facts derived once from a checked model, for the checks and the plan alike, so that
//! neither works them out again in its own way.

pub mod alerts;
mod cascade;
mod derived;
pub mod freshness;
mod held;
pub mod identity;
mod landing;
mod mountpoints;
pub mod naming;
mod owned;
pub mod schedule;
pub mod worst_case;
pub mod zrepl;

pub use cascade::{cascade_worst, chain, CascadeWorst, Cascades, Link};
pub use derived::Facts;
pub use freshness::{freshness, Freshness, Side};
pub use held::{Held, Holdings};
pub use landing::{copy_of, landing};
pub use mountpoints::Mountpoints;
pub use owned::{node_horizon, sent_schedule, snapshot_gap, snapshot_owner, statements_in_tree, worst_sent_schedule};
