//! Which replicated datasets a node snapshots by its own policy: the fan-out rule. When a
//! static syncoid pair sends a dataset that a sanoid `snapshot` statement of its source
//! node covers (the whole replicated tree), the node's statement takes and prunes its
//! snapshots on the source, once, and the pair only sends them. Any number of pairs may then
//! send the dataset (onsite every 15 minutes, offsite nightly), each with its own syncoid
//! identifier, guard and target.

use crate::facts::schedule::Schedule;
use crate::model::{
    Depth, Duration, Engine, NodeSnapshot, Pair, Policy, Replicated, Retention, SnapshotEngine, SnapshotKind,
};

/// The statement of the pair's source node whose snapshots the pair sends for `replicated`,
/// if the node owns them: the most specific sanoid statement covering the dataset, reaching
/// its children when the pair replicates recursively.
pub fn snapshot_owner<'p>(policy: &'p Policy, pair: &Pair, replicated: &Replicated) -> Option<&'p NodeSnapshot> {
    if !pair.is_static() || pair.engine.value != Engine::Syncoid || policy.node_snapshots.is_empty() {
        return None;
    }
    let dataset = &replicated.dataset.value;
    let owner = policy
        .snapshots_of(pair.nodes[0])
        .iter()
        .filter(|s| s.engine.value == SnapshotEngine::Sanoid && s.covers(dataset))
        .max_by_key(|s| s.dataset.value.len())?;
    let whole_tree = !replicated.recursive || owner.depth.value != Depth::Single;
    whole_tree.then_some(owner)
}

/// Every statement of the source node with a say over the snapshots of a replicated tree:
/// the owner and the children's own statements below it.
pub fn statements_in_tree<'p>(policy: &'p Policy, pair: &Pair, replicated: &Replicated) -> Vec<&'p NodeSnapshot> {
    let Some(owner) = snapshot_owner(policy, pair, replicated) else {
        return Vec::new();
    };
    let dataset = &replicated.dataset.value;
    let mut statements = vec![owner];
    if replicated.recursive {
        statements.extend(policy.snapshots_of(owner.node).iter().filter(|s| {
            !std::ptr::eq(*s, owner)
                && s.engine.value == SnapshotEngine::Sanoid
                && crate::model::covers(dataset, true, &s.dataset.value)
        }));
    }
    statements
}

/// How far apart a node's statement takes the snapshots replication sends: its frequent
/// period when its retention keeps frequent snapshots, else its finest kind kept.
pub fn snapshot_gap(policy: &Policy, snapshot: &NodeSnapshot) -> Duration {
    let retention = &policy.retentions[snapshot.retention.value];
    SnapshotKind::ALL
        .into_iter()
        .filter(|kind| retention.count(*kind).is_some_and(|count| count.value > 0))
        .map(|kind| kind.fixed_period().unwrap_or(snapshot.frequent_period()))
        .min()
        .unwrap_or(Duration(365 * 86_400))
}

/// How long a node's retention keeps a snapshot: the longest count × period, frequent
/// snapshots at the statement's period (none when left out, as sanoid does).
pub fn node_horizon(retention: &Retention, snapshot: &NodeSnapshot) -> Duration {
    SnapshotKind::ALL
        .into_iter()
        .map(|kind| {
            let count = retention.count(kind).map_or(0, |count| count.value);
            let period = kind.fixed_period().unwrap_or(snapshot.frequent_period());
            Duration(period.seconds().saturating_mul(u64::from(count)))
        })
        .max()
        .unwrap_or_default()
}

/// The schedule replication of `replicated` really has: the pair's, with the source node's
/// snapshot gap in place of the pair's own when the node's statements take the snapshots
/// (the widest gap of the tree's statements, which the worst case waits for).
pub fn sent_schedule(policy: &Policy, pair: &Pair, replicated: &Replicated, schedule: Schedule) -> Schedule {
    let gap = statements_in_tree(policy, pair, replicated).into_iter().map(|s| snapshot_gap(policy, s)).max();
    gap.map_or(schedule, |gap| Schedule { snapshot_every: gap, ..schedule })
}

/// The worst of a pair's schedules over its datasets, for what the pair as a whole promises.
pub fn worst_sent_schedule(policy: &Policy, pair: &Pair, schedule: Schedule) -> Schedule {
    pair.datasets
        .iter()
        .map(|replicated| sent_schedule(policy, pair, replicated, schedule))
        .max_by_key(Schedule::worst_case)
        .unwrap_or(schedule)
}
