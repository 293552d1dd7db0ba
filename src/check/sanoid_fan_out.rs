//! Fan-out: one node's snapshots of a dataset feed several static syncoid pairs. Each
//! pair's worst case is worked out with the node's snapshot gap instead of its own, the
//! node's retention must outlast each pair's outage (the sender keeps what the slowest
//! target has not received only that long), and syncoid's bookmark naming allows two
//! senders of one dataset per node.

use std::collections::BTreeMap;

use crate::diagnostic::Problem;
use crate::facts::schedule::Schedule;
use crate::facts::Facts;
use crate::facts::{node_horizon, snapshot_gap, snapshot_owner, statements_in_tree};
use crate::model::{Duration, NodeSnapshot, Pair, Policy, Replicated, Retention, SnapshotKind};
use crate::syntax::Span;

/// The owned datasets of every pair, with the pair's planned schedule.
fn owned<'p>(facts: &Facts<'p>) -> Vec<(&'p Pair, &'p Replicated, Schedule)> {
    let policy = facts.policy;
    let mut found = Vec::new();
    if policy.node_snapshots.is_empty() {
        return found;
    }
    for pair in &policy.pairs {
        let Ok(schedule) = facts.schedule(pair) else { continue };
        for replicated in &pair.datasets {
            if snapshot_owner(policy, pair, replicated).is_some() {
                found.push((pair, replicated, schedule));
            }
        }
    }
    found
}

/// The statement with the widest snapshot gap of a replicated tree: what the worst case waits for.
fn slowest<'p>(policy: &Policy, statements: &[&'p NodeSnapshot]) -> Option<(&'p NodeSnapshot, Duration)> {
    statements.iter().map(|s| (*s, snapshot_gap(policy, s))).max_by_key(|(_, gap)| *gap)
}

/// Each pair meets its rpo with the snapshots the node takes.
pub fn fan_out_meets_rpo(facts: &Facts<'_>) -> Vec<Problem> {
    let policy = facts.policy;
    let mut problems = Vec::new();
    for (pair, replicated, schedule) in owned(facts) {
        let statements = statements_in_tree(policy, pair, replicated);
        let Some((statement, gap)) = slowest(policy, &statements) else { continue };
        let with_node = Schedule { snapshot_every: gap, ..schedule };
        let Some(rpo) = &pair.rpo else { continue };
        if with_node.worst_case() <= rpo.value {
            continue;
        }
        let room = rpo.value.seconds().saturating_sub(with_node.worst_case().seconds() - gap.seconds());
        let help = if room >= 60 {
            format!(
                "snapshot `{}` at least every {} on node `{}` (`frequently N` and `every D` in its statement), or declare a longer rpo",
                statement.dataset.value,
                Duration(room / 60 * 60),
                policy.nodes[statement.node].name.value
            )
        } else {
            "replicate more often (`replicate-every`), or declare a longer rpo".to_owned()
        };
        problems.push(Problem::FanOutRpoUnmet {
            rpo_span: rpo.span.into(),
            snapshot: statement.span.into(),
            pair: pair.name.value.clone(),
            node: policy.nodes[statement.node].name.value.clone(),
            dataset: replicated.dataset.value.clone(),
            rpo: rpo.value.to_string(),
            worst: with_node.arithmetic(),
            gap: gap.to_string(),
            help,
        });
    }
    problems
}

/// The node keeps each sent dataset's snapshots through every pair's outage.
pub fn fan_out_outlasts_outage(facts: &Facts<'_>) -> Vec<Problem> {
    let policy = facts.policy;
    let mut problems = Vec::new();
    for (pair, replicated, schedule) in owned(facts) {
        let Some(outage) = &pair.outage else { continue };
        let needed = outage.value + schedule.replicate_every;
        for statement in statements_in_tree(policy, pair, replicated) {
            let retention = &policy.retentions[statement.retention.value];
            let horizon = node_horizon(retention, statement);
            if horizon > needed {
                continue;
            }
            problems.push(Problem::FanOutOutage {
                outage_span: outage.span.into(),
                retention_span: statement.retention.span.into(),
                retention: retention.name.value.clone(),
                dataset: statement.dataset.value.clone(),
                node: policy.nodes[statement.node].name.value.clone(),
                pair: pair.name.value.clone(),
                horizon: horizon.to_string(),
                makeup: horizon_makeup(retention, statement),
                outage: outage.value.to_string(),
                needed: needed.to_string(),
            });
        }
    }
    problems
}

/// At most two syncoid pairs send one dataset from one node.
pub fn two_senders_at_most(facts: &Facts<'_>) -> Vec<Problem> {
    let policy = facts.policy;
    let mut senders: BTreeMap<(usize, &str), Vec<(&str, Span)>> = BTreeMap::new();
    for (pair, replicated, _) in owned(facts) {
        let key = (pair.nodes[0], replicated.dataset.value.as_str());
        senders.entry(key).or_default().push((pair.name.value.as_str(), replicated.dataset.span));
    }
    let mut problems = Vec::new();
    for ((node, dataset), mut pairs) in senders.into_iter().filter(|(_, pairs)| pairs.len() > 2) {
        pairs.sort_by_key(|(_, span)| *span);
        let names: Vec<String> = pairs.iter().map(|(name, _)| format!("`{name}`")).collect();
        problems.push(Problem::TooManyTargets {
            third: pairs[2].1.into(),
            first: pairs[0].1.into(),
            count: pairs.len(),
            dataset: dataset.to_owned(),
            node: policy.nodes[node].name.value.clone(),
            pairs: names.join(", "),
        });
    }
    problems
}

/// The kind that sets a node retention's horizon, as `24 hourly × 1h`.
fn horizon_makeup(retention: &Retention, statement: &NodeSnapshot) -> String {
    let longest = SnapshotKind::ALL
        .into_iter()
        .filter_map(|kind| {
            let count = retention.count(kind).map_or(0, |count| count.value);
            let period = kind.fixed_period().unwrap_or(statement.frequent_period());
            (count > 0).then_some((period.seconds().saturating_mul(u64::from(count)), kind, count, period))
        })
        .max_by_key(|(span, ..)| *span);
    match longest {
        Some((_, kind, count, period)) => format!("{count} {} × {period}", kind.keyword()),
        None => "no snapshots kept".to_owned(),
    }
}
