//! Plan: every decision about the output, as pure functions of the checked policy —
//! schedules, roles, units, scripts and which file goes where.

mod client;
mod failover;
mod files;
mod followed_runbook;
mod freebsd;
mod guard_steps;
mod monitor;
mod nfs;
mod nfsv4;
mod notify;
mod prometheus;
mod replication;
mod runbook;
mod snapshots;
mod ssh;
mod systemd;
mod zrepl;

pub use files::*;
pub use snapshots::{NODE_CONFIG_DIR, NODE_SANOID_STEM};

use crate::facts::Facts;
use crate::model::{Engine, Os};

/// All files of all hosts, decided but not yet written as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The policy's file name, for the header of every generated file.
    pub policy_name: String,
    pub files: Files,
}

/// Plans the output of a policy that passed its checks, from the facts derived from it.
pub fn plan(facts: &Facts<'_>, policy_name: &str) -> Plan {
    let policy = facts.policy;
    let mut files = Files::default();
    let bounds = monitor::Bounds::of(facts);
    for (index, _) in policy.pairs.iter().enumerate().filter(|(_, pair)| pair.engine.value == Engine::Syncoid) {
        replication::pair_files(facts, &bounds, index, &mut files);
    }
    snapshots::node_snapshot_files(facts, &bounds, &mut files);
    zrepl::zrepl_files(facts, &mut files);
    monitor::zrepl_checks(facts, &bounds, &mut files);
    nfs::server_files(policy, &mut files);
    failover::address_files(policy, &mut files);
    runbook::runbook_files(facts, &mut files);
    for client in &policy.clients {
        client::client_files(policy, client, &mut files);
    }
    prometheus::prometheus_files(facts, &mut files);
    notify::notify_files(policy, &mut files);
    let hosts = policy.nodes.iter().map(|n| (&n.name, &n.os)).chain(policy.clients.iter().map(|c| (&c.name, &c.os)));
    for (name, _) in hosts.filter(|(_, os)| os.value == Os::FreeBsd) {
        files.set_owner(&name.value, Owner::FREEBSD_ROOT);
    }
    Plan { policy_name: policy_name.to_owned(), files }
}
