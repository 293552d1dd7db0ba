//! A node's own snapshots: one snapshot policy per dataset per node (never a node's
//! `snapshot` statement and a pair on one dataset, but a static syncoid pair that sends
//! what the statement snapshots, never two statements but a child's own
//! retention below a recursive parent), times of day only where sanoid keeps them, counts
//! only where the engine can keep them, and sanoid only on hosts with systemd.

use std::collections::HashMap;

use crate::diagnostic::Problem;
use crate::facts::landing;
use crate::facts::snapshot_owner;
use crate::facts::Facts;
use crate::model::{covers, timer_period_problem, Depth, NodeSnapshot, Os, Policy, SnapshotEngine, SnapshotKind};
use crate::syntax::Span;

/// One dataset tree a pair snapshots or receives on a node.
struct PairWrite {
    pair: usize,
    dataset: String,
    recursive: bool,
    role: &'static str,
    span: Span,
}

/// What every pair writes, by node: only the nodes that also have snapshot statements.
fn pair_writes(facts: &Facts<'_>, nodes: &[usize]) -> HashMap<usize, Vec<PairWrite>> {
    let policy = facts.policy;
    let mut writes: HashMap<usize, Vec<PairWrite>> = nodes.iter().map(|node| (*node, Vec::new())).collect();
    let cascades = &facts.cascades;
    for (index, pair) in policy.pairs.iter().enumerate() {
        for replicated in &pair.datasets {
            let source = &replicated.dataset.value;
            let owned = snapshot_owner(policy, pair, replicated).is_some()
                || cascades.upstream(policy, pair, replicated).is_some();
            let sides = pair
                .active_nodes()
                .iter()
                .filter(|_| !owned)
                .map(|node| (*node, source.clone(), "snapshotted"))
                .chain(pair.standby_nodes().iter().map(|node| (*node, landing(policy, pair, source), "received")));
            for (node, dataset, role) in sides {
                if let Some(list) = writes.get_mut(&node) {
                    list.push(PairWrite {
                        pair: index,
                        dataset,
                        recursive: replicated.recursive,
                        role,
                        span: replicated.dataset.span,
                    });
                }
            }
        }
    }
    writes
}

/// Whether a snapshot statement and a pair's write share a dataset.
fn overlaps(snapshot: &NodeSnapshot, write: &PairWrite) -> bool {
    snapshot.covers(&write.dataset) || write.recursive && covers(&write.dataset, true, &snapshot.dataset.value)
}

/// No dataset of a node has both the node's own snapshot policy and a pair's.
pub fn snapshots_are_not_replicated_too(facts: &Facts<'_>) -> Vec<Problem> {
    let policy = facts.policy;
    if policy.node_snapshots.is_empty() {
        return Vec::new();
    }
    let nodes: Vec<usize> = policy.node_snapshots.iter().map(|s| s.node).collect();
    let writes = pair_writes(facts, &nodes);
    let mut problems = Vec::new();
    for snapshot in &policy.node_snapshots {
        let on_node = writes.get(&snapshot.node).map_or(&[][..], Vec::as_slice);
        if let Some(write) = on_node.iter().find(|write| overlaps(snapshot, write)) {
            problems.push(Problem::SnapshotAndPair {
                snapshot: snapshot.dataset.span.into(),
                pair_span: write.span.into(),
                dataset: if snapshot.covers(&write.dataset) {
                    write.dataset.clone()
                } else {
                    snapshot.dataset.value.clone()
                },
                node: policy.nodes[snapshot.node].name.value.clone(),
                pair: policy.pairs[write.pair].name.value.clone(),
                role: write.role,
            });
        }
    }
    problems
}

/// Why two statements of one node may not both cover a dataset, if they may not.
fn conflict(parent: &NodeSnapshot, child: &NodeSnapshot) -> Option<&'static str> {
    if parent.dataset.value == child.dataset.value {
        return Some("of the same dataset");
    }
    if parent.engine.value != child.engine.value {
        return Some("of two engines, which would both prune it");
    }
    None
}

/// Each dataset of a node falls under one statement, or a child's own below a parent of the
/// same engine that is not atomic.
pub fn snapshot_statements_are_nested(policy: &Policy) -> Vec<Problem> {
    let mut by_node: HashMap<usize, Vec<&NodeSnapshot>> = HashMap::new();
    for snapshot in &policy.node_snapshots {
        by_node.entry(snapshot.node).or_default().push(snapshot);
    }
    let mut problems = Vec::new();
    let mut nodes: Vec<(&usize, &mut Vec<&NodeSnapshot>)> = by_node.iter_mut().collect();
    nodes.sort_by_key(|(node, _)| **node);
    for (node, snapshots) in nodes {
        snapshots.sort_by(|a, b| (&a.dataset.value, a.span).cmp(&(&b.dataset.value, b.span)));
        let name = &policy.nodes[*node].name.value;
        for (index, child) in snapshots.iter().enumerate() {
            let parent = snapshots[..index]
                .iter()
                .rev()
                .find(|parent| parent.covers(&child.dataset.value) || parent.dataset.value == child.dataset.value);
            let Some(parent) = parent else { continue };
            problems.extend(nested_problem(policy, name, parent, child));
        }
    }
    problems
}

fn nested_problem(policy: &Policy, node: &str, parent: &NodeSnapshot, child: &NodeSnapshot) -> Option<Problem> {
    if let Some(why) = conflict(parent, child) {
        let (first, second) = if parent.span <= child.span { (parent, child) } else { (child, parent) };
        return Some(Problem::SnapshotTwice {
            second: second.dataset.span.into(),
            first: first.dataset.span.into(),
            dataset: child.dataset.value.clone(),
            node: node.to_owned(),
            why,
        });
    }
    (parent.depth.value == Depth::Atomic && parent.engine.value == SnapshotEngine::Sanoid).then(|| {
        Problem::ChildOfAtomic {
            child: child.retention.span.into(),
            atomic: parent.depth.span.into(),
            child_name: child.dataset.value.clone(),
            parent: parent.dataset.value.clone(),
            node: node.to_owned(),
            retention: policy.retentions[child.retention.value].name.value.clone(),
        }
    })
}

/// A time of day that zrepl would have to keep: a node's zrepl snapshots, or a zrepl pair's
/// retentions on either side.
pub fn times_of_day_are_for_sanoid(policy: &Policy) -> Vec<Problem> {
    let mut users: Vec<(usize, Span)> = policy
        .node_snapshots
        .iter()
        .filter(|s| s.engine.value == SnapshotEngine::Zrepl)
        .map(|s| (s.retention.value, s.retention.span))
        .collect();
    for pair in policy.pairs.iter().filter(|pair| pair.engine.value == crate::model::Engine::Zrepl) {
        users.push((pair.retention, pair.engine.span));
        if let Some(target) = &pair.target_retention {
            users.push((target.value, target.span));
        }
    }
    let mut problems = Vec::new();
    for (retention_index, user) in users {
        let retention = &policy.retentions[retention_index];
        if let Some((kind, time)) = retention.times.first() {
            problems.push(Problem::TimeOfDayForZrepl {
                time: time.span.into(),
                user: user.into(),
                kind: kind.keyword(),
                retention: retention.name.value.clone(),
                when: crate::model::describe_time(&time.value),
            });
        }
    }
    problems
}

/// zrepl snapshots each file system on its own, never a tree at once.
pub fn zrepl_snapshots_are_not_atomic(policy: &Policy) -> Vec<Problem> {
    policy
        .node_snapshots
        .iter()
        .filter(|s| s.engine.value == SnapshotEngine::Zrepl && s.depth.value == Depth::Atomic)
        .map(|s| Problem::AtomicForZrepl {
            atomic: s.depth.span.into(),
            engine: s.engine.span.into(),
            dataset: s.dataset.value.clone(),
        })
        .collect()
}

/// What sanoid cannot do for a node's snapshots: keep the newest N, run on FreeBSD (zplan
/// drives it from systemd timers), or fire a timer on a period that does not divide an hour.
pub fn sanoid_can_keep_node_snapshots(policy: &Policy) -> Vec<Problem> {
    let mut problems = Vec::new();
    for snapshot in policy.node_snapshots.iter().filter(|s| s.engine.value == SnapshotEngine::Sanoid) {
        let node = &policy.nodes[snapshot.node];
        let retention = &policy.retentions[snapshot.retention.value];
        if let Some(last) = &retention.last {
            problems.push(Problem::LastForSanoid {
                last: last.span.into(),
                user: snapshot.retention.span.into(),
                count: last.value,
                retention: retention.name.value.clone(),
                node: node.name.value.clone(),
            });
        }
        if node.os.value == Os::FreeBsd {
            problems.push(Problem::LinuxOnly {
                span: snapshot.engine.span.into(),
                os: node.os.span.into(),
                host: node.name.value.clone(),
                feature: "sanoid snapshots, which zplan runs from systemd timers".to_owned(),
                help: "take a FreeBSD node's snapshots with `engine zrepl`, a `snap` job of its zrepl daemon",
            });
        }
        if let Some(every) = &snapshot.every {
            if let Some((reason, label)) = timer_period_problem(every.value) {
                let text = every.value.to_string();
                problems.push(Problem::PeriodNotDivisor { span: every.span.into(), text, reason, label });
            }
        }
    }
    problems
}

/// An `every` whose retention keeps no frequent snapshots takes none.
pub fn every_takes_frequent_snapshots(policy: &Policy) -> Vec<Problem> {
    let mut problems = Vec::new();
    for snapshot in &policy.node_snapshots {
        let retention = &policy.retentions[snapshot.retention.value];
        let frequent = retention.count(SnapshotKind::Frequently).map_or(0, |count| count.value);
        if let (Some(every), 0) = (&snapshot.every, frequent) {
            if snapshot.engine.value == SnapshotEngine::Sanoid {
                problems.push(Problem::EveryWithoutFrequent {
                    every_span: every.span.into(),
                    every: every.value.to_string(),
                    dataset: snapshot.dataset.value.clone(),
                    retention: retention.name.value.clone(),
                });
            }
        }
    }
    problems
}
