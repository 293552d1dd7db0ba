//! The worst-case loss of every pair and backup, stated the way the generated files state
//! it, for `zplan check --verbose`: a backup without an `rpo` is not judged, so the admin
//! reads what its cadence gives.

use crate::facts::schedule::{self, Cadence, Schedule};
use crate::facts::{cascade_worst, chain, snapshot_owner, worst_sent_schedule};
use crate::model::{AddressMove, NfsServer, Pair, Policy, SnapshotKind};

/// One line per pair or backup: when it snapshots and replicates, and what that may lose;
/// then one per NFS server that follows a role: how long its failover takes, term by term.
pub fn statements(policy: &Policy) -> Vec<String> {
    let mut lines = pair_statements(policy);
    lines.extend(policy.nfs_servers.iter().filter_map(|server| failover_statement(policy, server)));
    lines
}

/// How a followed server's failover is proved, and what is left to others.
fn failover_statement(policy: &Policy, server: &NfsServer) -> Option<String> {
    let budget = schedule::failover_budget(policy, server)?;
    let moves = match server.address_moves.as_ref().map(|moves| &moves.value) {
        Some(AddressMove::Keepalived { .. }) => "keepalived moves its address",
        Some(AddressMove::Guest { .. }) => {
            "its container's address moves with it; Proxmox HA moves the container first"
        }
        None => "its address is moved by something zplan does not write",
    };
    Some(format!(
        "nfs server `{}`: {moves}; clients are served again in {}, within its failover of {}",
        server.name.value,
        budget.arithmetic(),
        server.failover.as_ref()?.value
    ))
}

fn pair_statements(policy: &Policy) -> Vec<String> {
    let facts = super::Facts::derive(policy);
    policy
        .pairs
        .iter()
        .enumerate()
        .filter_map(|(index, pair)| {
            if let Some(line) = sent_only(&facts, index, pair) {
                return Some(line);
            }
            let schedule = facts.schedule(pair).ok()?;
            let start = start_time(pair);
            let replicates = match schedule.cadence {
                Cadence::AfterEachSnapshot => "replicates after each snapshot".to_owned(),
                _ => format!("replicates every {}{start}", schedule.replicate_every),
            };
            let judged = schedule::rpo_clause(pair.rpo.as_ref(), "its");
            Some(format!(
                "{}: {}, {replicates}; worst-case loss {}, {judged}{}",
                pair.label(),
                snapshots(policy, pair.retention, &schedule),
                schedule.arithmetic(),
                horizon(policy, pair.retention, &schedule),
            ))
        })
        .collect()
}

/// The line of a pair that only sends what its node's own statements snapshot (a fan-out),
/// or what another pair delivers (a cascade): its worst case counts from those snapshots.
fn sent_only(facts: &super::Facts<'_>, index: usize, pair: &Pair) -> Option<String> {
    let policy = facts.policy;
    let judged = schedule::rpo_clause(pair.rpo.as_ref(), "its");
    let cascade = pair.datasets.iter().find_map(|replicated| {
        let links = chain(policy, &facts.cascades, index, replicated).ok().filter(|links| links.len() > 1)?;
        cascade_worst(facts, &links)
    });
    if let Some(worst) = cascade {
        return Some(format!(
            "{}: sends on the copies it receives; worst-case loss {}, {judged}",
            pair.label(),
            worst.arithmetic
        ));
    }
    pair.datasets.iter().any(|replicated| snapshot_owner(policy, pair, replicated).is_some()).then_some(())?;
    let sent = worst_sent_schedule(policy, pair, facts.schedule(pair).ok()?);
    let source = &policy.nodes[pair.nodes[0]].name.value;
    Some(format!(
        "{}: node {source} takes the snapshots, at most {} apart, replicates every {}{}; worst-case loss {}, {judged}",
        pair.label(),
        sent.snapshot_every,
        sent.replicate_every,
        start_time(pair),
        sent.arithmetic()
    ))
}

/// ` at 05:05 UTC`: when in its period a replication starts, if the policy says.
fn start_time(pair: &Pair) -> String {
    pair.replicate_at.as_ref().map_or_else(String::new, |start| format!(" {} UTC", start.value))
}

/// How often the source snapshots, as the snapshot gap of the worst case counts it.
fn snapshots(policy: &Policy, retention: usize, schedule: &Schedule) -> String {
    let kept = schedule::frequent_count(&policy.retentions[retention], schedule);
    if kept == 0 {
        return "keeps no frequent snapshots".to_owned();
    }
    format!("snapshots every {}", schedule.snapshot_every)
}

/// How far back the source's retention reaches: the outage it can ride out, whatever the
/// cadence (a count of dailies is that many days).
fn horizon(policy: &Policy, retention: usize, schedule: &Schedule) -> String {
    let retention = &policy.retentions[retention];
    let kinds: Vec<String> = SnapshotKind::ALL[1..]
        .iter()
        .filter_map(|kind| {
            let count = retention.count(*kind).filter(|count| count.value > 0)?;
            Some(format!("{} {}", count.value, kind.keyword()))
        })
        .collect();
    if kinds.is_empty() {
        return String::new();
    }
    format!("; the source keeps {} ({})", schedule::horizon(retention, schedule), kinds.join(", "))
}
