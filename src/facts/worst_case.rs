//! The worst-case loss of every pair and backup, stated the way the generated files state
//! it, for `zplan check --verbose`: a backup without an `rpo` is not judged, so the admin
//! reads what its cadence gives.

use crate::facts::schedule::{self, Cadence, Schedule};
use crate::model::{Policy, SnapshotKind};

/// One line per pair or backup: when it snapshots and replicates, and what that may lose.
pub fn statements(policy: &Policy) -> Vec<String> {
    policy
        .pairs
        .iter()
        .filter_map(|pair| {
            let schedule = schedule::choose(pair).ok()?;
            let start = pair.replicate_at.as_ref().map_or_else(String::new, |start| format!(" {} UTC", start.value));
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
