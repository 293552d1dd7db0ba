//! Plan: every decision about the output, as pure functions of the checked policy —
//! schedules, roles, units, scripts and which file goes where.

mod client;
mod files;
mod nfs;
mod replication;
mod systemd;

pub use files::*;

use crate::model::Policy;

/// All files of all hosts, decided but not yet written as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The policy's file name, for the header of every generated file.
    pub policy_name: String,
    pub files: Files,
}

/// Plans the output of a policy that passed its checks.
pub fn plan(policy: &Policy, policy_name: &str) -> Plan {
    let mut files = Files::default();
    for pair in &policy.pairs {
        replication::pair_files(policy, pair, &mut files);
    }
    nfs::server_files(policy, &mut files);
    for client in &policy.clients {
        client::client_files(policy, client, &mut files);
    }
    Plan { policy_name: policy_name.to_owned(), files }
}
