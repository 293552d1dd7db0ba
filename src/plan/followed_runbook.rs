//! The runbook of a pair whose role follows a Proxmox guest. Failover and failback follow
//! the guest with no manual step, but a failover leaves the old active node with
//! snapshots it never sent: when it comes back as the standby, the guard stops syncoid
//! from destroying them, and this runbook says what to do then. It is written on both
//! nodes, where the guard's journal message points.

use super::failover::pct_set_commands;
use super::files::*;
use super::guard_steps::divergence_section;
use super::systemd::guard_script;
use crate::facts::naming::replication_unit_stem;
use crate::facts::Facts;
use crate::model::{AddressMove, NfsServer, Pair, Policy};

/// The active node of the moment, as a step names it.
const ACTIVE: &str = "the active node";

/// The node that returns after a failure, as a step names it.
const RETURNING: &str = "the returning node, before the active node replicates to it";

/// The runbook of a followed pair whose active node hosts Proxmox guest `guest`.
pub(super) fn followed_runbook(derived: &Facts<'_>, pair: &Pair, guest: u32) -> Runbook {
    let _policy = derived.policy;
    let guard = guard_script(&pair.name.value);
    Runbook {
        title: format!("Pair {}: replication and recovery", pair.name.value),
        summary: summary(derived, pair, guest),
        columns: vec!["dataset, on both nodes".to_owned(), "its children".to_owned()],
        rows: pair
            .datasets
            .iter()
            .map(|r| {
                let children = if r.recursive { "replicated too" } else { "not replicated" };
                vec![format!("`{}`", r.dataset.value), children.to_owned()]
            })
            .collect(),
        sections: [check(pair), divergence_section(&guard, "the standby", ""), rejoin(pair)]
            .into_iter()
            .chain(address_sections(derived.policy, pair, guest))
            .collect(),
    }
}

/// How the service address of each of the pair's NFS servers moves, and how to check it.
fn address_sections(policy: &Policy, pair: &Pair, guest: u32) -> Vec<RunbookSection> {
    let servers = policy
        .nfs_servers
        .iter()
        .filter(|server| server.pair().is_some_and(|on| std::ptr::eq(&policy.pairs[on], pair)));
    servers
        .filter_map(|server| match &server.address_moves.as_ref()?.value {
            AddressMove::Keepalived { .. } => Some(keepalived_section(server)),
            AddressMove::Guest { host } => Some(container_section(policy, server, &host.value, guest)),
        })
        .collect()
}

fn keepalived_section(server: &NfsServer) -> RunbookSection {
    let address = &server.address.value;
    RunbookSection {
        heading: format!("The address of nfs server `{}`", server.name.value),
        intro: format!(
            "keepalived holds {address} on the active node only: on the standby its instance is in the fault \
             state, because the role script says the node is not active."
        ),
        steps: vec![
            RunbookStep::new(
                "See which node holds the address: one line on the active node, none on the standby.",
                "each node",
                vec![format!("ip -o address show to {address}")],
            ),
            RunbookStep::new(
                "See what keepalived decided, and why.",
                "each node",
                vec!["journalctl -n 20 -u zplan-keepalived.service".to_owned()],
            ),
        ],
    }
}

fn container_section(policy: &Policy, server: &NfsServer, host: &str, guest: u32) -> RunbookSection {
    RunbookSection {
        heading: format!("The container of nfs server `{}`", server.name.value),
        intro: format!(
            "Container {guest} serves NFS with the files of output host `{host}`; the nodes only lend it their \
             datasets through bind mounts, which must be in its config once."
        ),
        steps: vec![
            RunbookStep::new(
                format!("Give the container its bind mounts (also in `/usr/local/share/doc/zplan/lxc-{guest}-mounts.conf`), once."),
                "either node",
                pct_set_commands(policy, server, guest),
            ),
            RunbookStep::new(
                "Check that the container is privileged and has every mount (`unprivileged: 0` or no such line).",
                "either node",
                vec![format!("pct config {guest} | grep -E '^(unprivileged|mp[0-9]+):'")],
            ),
        ],
    }
}

fn summary(derived: &Facts<'_>, pair: &Pair, guest: u32) -> Vec<String> {
    let policy = derived.policy;
    let [first, second] = pair.nodes.map(|n| &policy.nodes[n]);
    let worst = derived.planned(pair).arithmetic();
    vec![
        format!(
            "`{}` ({}) and `{}` ({}) take turns in pair `{}`: the node that hosts Proxmox guest {guest} is \
             active, takes the snapshots and replicates them with syncoid to the other, the standby. Failover \
             and failback follow the guest and need nothing from you.",
            first.name.value, first.address.value, second.name.value, second.address.value, pair.name.value
        ),
        format!("A failure of the active node loses at most {worst}."),
        String::new(),
        "Run each step on the host it names, as root; `ha-manager status` says which node hosts the guest.".to_owned(),
    ]
}

fn check(pair: &Pair) -> RunbookSection {
    let name = &pair.name.value;
    let newest = pair
        .datasets
        .iter()
        .map(|r| format!("zfs list -H -d 1 -t snapshot -o name,guid -s createtxg {} | tail -n 3", r.dataset.value))
        .collect();
    RunbookSection {
        heading: "Check replication".to_owned(),
        intro: "The standby's newest snapshots should be the active node's, at most one interval late.".to_owned(),
        steps: vec![
            RunbookStep::new(
                "See how replication went, and what the guard said.",
                ACTIVE,
                vec![
                    format!("systemctl list-timers 'zplan-replicate-{name}-*'"),
                    format!("journalctl -n 20 -u 'zplan-replicate-{name}-*'"),
                ],
            ),
            RunbookStep::new("Compare the newest snapshots of each dataset, by guid.", "each node", newest),
        ],
    }
}

/// A node that failed comes back as the standby: what it wrote after its newest snapshot
/// is not a snapshot, so the guard cannot see it, and syncoid rolls it back.
fn rejoin(pair: &Pair) -> RunbookSection {
    let timers = |verb: &str| -> Vec<String> {
        pair.datasets
            .iter()
            .map(|r| format!("systemctl {verb} {}.timer", replication_unit_stem(pair, &r.dataset.value)))
            .collect()
    };
    let mut keep: Vec<String> =
        pair.datasets.iter().map(|r| format!("zfs get -H -o name,value -r written {}", r.dataset.value)).collect();
    keep.extend(pair.datasets.iter().map(|r| {
        let recursive = if r.recursive { "-r " } else { "" };
        format!("zfs snapshot {recursive}{}@zplan_kept", r.dataset.value)
    }));
    RunbookSection {
        heading: "Before a failed node rejoins as the standby".to_owned(),
        intro: "Before each receive, syncoid rolls the standby back to its newest snapshot, so what a failed \
                node wrote after its newest snapshot is discarded when it comes back as the standby (the guard \
                writes how many bytes in the journal). To keep it, snapshot the returning node first: the \
                guard then refuses, and the steps above apply."
            .to_owned(),
        steps: vec![
            RunbookStep::new("Hold replication.", ACTIVE, timers("stop")),
            RunbookStep::new(
                "See how much each dataset wrote after its newest snapshot (a few kilobytes are access times), \
                 and snapshot what is worth keeping.",
                RETURNING,
                keep,
            ),
            RunbookStep::new("Resume replication.", ACTIVE, timers("start")),
        ],
    }
}
