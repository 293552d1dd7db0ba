//! How fresh the newest snapshot of every dataset on every host is on a healthy system: the
//! bound each monitoring check and alert holds the running system to. A snapshotting side
//! is at most one snapshot period (and a slack) behind; a receiving side at most its edge's
//! proved worst-case loss, per target. Worked out once here, so that sanoid's thresholds,
//! the check scripts and the Prometheus rules all say the same number.

use super::cascade::{cascade_worst, chain};
use super::landing::landing;
use super::owned::{sent_schedule, snapshot_gap, snapshot_owner};
use super::schedule::Schedule;
use super::Facts;
use crate::model::{Depth, Duration, Engine, NodeSnapshot, Pair, Replicated, Roles, SnapshotEngine};

/// What a snapshot may lag behind its timer on a healthy system: the timer's accuracy and
/// the time the tool takes to start and reach the dataset.
pub const SNAPSHOT_SLACK: Duration = Duration(60);

/// Which side of the data a host is on for one dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Side {
    /// The host takes the dataset's snapshots.
    Snapshots,
    /// The host receives the dataset's snapshots from `from` (a node index).
    Receives { from: usize },
}

/// The freshness bound of one dataset on one host, in one role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Freshness {
    /// The host holding the dataset, by node index.
    pub node: usize,
    /// The dataset as named on that host: a copy's landing name on a receiver.
    pub dataset: String,
    /// Its descendants are covered too.
    pub recursive: bool,
    /// Only its descendants have snapshots (`children`, `children-only`): the dataset itself has none.
    pub children_only: bool,
    pub side: Side,
    /// The pair or backup the snapshots belong to; `None` for a node's own `snapshot` statement.
    pub pair: Option<usize>,
    /// For a followed pair, whether this holds while the node is active (`Some(true)`) or
    /// standby (`Some(false)`); `None` when the roles are fixed.
    pub active_role: Option<bool>,
    /// Who takes the snapshots (a snapshotting side) or prunes what is received (a receiving side).
    pub engine: SnapshotEngine,
    /// On a healthy system the newest snapshot is never older than this: the proof.
    pub bound: Duration,
    /// When to alert: the pair's `alert-after`, else `bound`.
    pub threshold: Duration,
    /// How `bound` is made, term by term.
    pub arithmetic: String,
    /// A receiving side's declared outage: past it, the next replication may need a full resend.
    pub outage: Option<Duration>,
}

/// Every freshness bound of the policy: pairs' sides first, in pair and dataset order, then
/// the nodes' own snapshot statements.
pub fn freshness(facts: &Facts<'_>) -> Vec<Freshness> {
    let policy = facts.policy;
    let mut bounds = Vec::new();
    for (index, pair) in policy.pairs.iter().enumerate() {
        let schedule = facts.planned(pair);
        for replicated in &pair.datasets {
            bounds.extend(snapshotting(facts, index, pair, replicated, schedule));
            bounds.extend(receiving(facts, index, pair, replicated, schedule));
        }
    }
    bounds.extend(policy.node_snapshots.iter().map(|snapshot| node_statement(facts, snapshot)));
    bounds
}

/// The engine that snapshots for a pair, or prunes what it receives.
fn engine_of(pair: &Pair) -> SnapshotEngine {
    match pair.engine.value {
        Engine::Syncoid => SnapshotEngine::Sanoid,
        Engine::Zrepl => SnapshotEngine::Zrepl,
    }
}

/// The nodes that hold one side of a pair, each with its role and the node across.
fn holders(pair: &Pair, sending: bool) -> Vec<(usize, Option<bool>, usize)> {
    let [source, target] = pair.nodes;
    match (&pair.roles, sending) {
        (Roles::Static, true) => vec![(source, None, target)],
        (Roles::Static, false) => vec![(target, None, source)],
        (Roles::FollowsGuest { .. }, active) => {
            vec![(source, Some(active), target), (target, Some(active), source)]
        }
    }
}

/// The sending side of a pair that takes its own snapshots: none when the source node's
/// statements take them (a fan-out) or when the source re-sends a copy it receives (a cascade).
fn snapshotting(
    facts: &Facts<'_>,
    index: usize,
    pair: &Pair,
    replicated: &Replicated,
    schedule: Schedule,
) -> Vec<Freshness> {
    let policy = facts.policy;
    let cascaded = facts.cascades.upstream(policy, pair, replicated).is_some();
    if cascaded || snapshot_owner(policy, pair, replicated).is_some() {
        return Vec::new();
    }
    let bound = schedule.snapshot_every + SNAPSHOT_SLACK;
    let arithmetic = format!("{} snapshot period + {SNAPSHOT_SLACK} slack = {bound}", schedule.snapshot_every);
    holders(pair, true)
        .into_iter()
        .map(|(node, active_role, _)| Freshness {
            node,
            dataset: replicated.dataset.value.clone(),
            recursive: replicated.recursive,
            children_only: replicated.children_only,
            side: Side::Snapshots,
            pair: Some(index),
            active_role,
            engine: engine_of(pair),
            bound,
            threshold: bound,
            arithmetic: arithmetic.clone(),
            outage: None,
        })
        .collect()
}

/// The receiving side of a pair: its copy is at most the edge's worst-case loss old.
fn receiving(
    facts: &Facts<'_>,
    index: usize,
    pair: &Pair,
    replicated: &Replicated,
    schedule: Schedule,
) -> Vec<Freshness> {
    let policy = facts.policy;
    let (bound, arithmetic) = worst_case(facts, index, pair, replicated, schedule);
    let threshold = pair.alert_after.as_ref().map_or(bound, |after| after.value);
    holders(pair, false)
        .into_iter()
        .map(|(node, active_role, from)| Freshness {
            node,
            dataset: landing(policy, pair, &replicated.dataset.value),
            recursive: replicated.recursive,
            children_only: replicated.children_only,
            side: Side::Receives { from },
            pair: Some(index),
            active_role,
            engine: engine_of(pair),
            bound,
            threshold,
            arithmetic: arithmetic.clone(),
            outage: pair.outage.as_ref().map(|outage| outage.value),
        })
        .collect()
}

/// The proved worst-case loss of one replicated dataset: a cascade's sum over its hops, else
/// the pair's schedule with the source node's snapshot gap when the node takes the snapshots.
fn worst_case(
    facts: &Facts<'_>,
    index: usize,
    pair: &Pair,
    replicated: &Replicated,
    schedule: Schedule,
) -> (Duration, String) {
    let cascade = chain(facts.policy, &facts.cascades, index, replicated)
        .ok()
        .filter(|links| links.len() > 1)
        .and_then(|links| cascade_worst(facts, &links));
    match cascade {
        Some(worst) => (worst.total, worst.arithmetic),
        None => {
            let sent = sent_schedule(facts.policy, pair, replicated, schedule);
            (sent.worst_case(), sent.arithmetic())
        }
    }
}

/// A node's own `snapshot` statement: at most one snapshot gap (and the slack) behind.
fn node_statement(facts: &Facts<'_>, snapshot: &NodeSnapshot) -> Freshness {
    let gap = snapshot_gap(facts.policy, snapshot);
    let bound = gap + SNAPSHOT_SLACK;
    Freshness {
        node: snapshot.node,
        dataset: snapshot.dataset.value.clone(),
        recursive: snapshot.depth.value != Depth::Single,
        children_only: snapshot.depth.value == Depth::ChildrenOnly,
        side: Side::Snapshots,
        pair: None,
        active_role: None,
        engine: snapshot.engine.value,
        bound,
        threshold: bound,
        arithmetic: format!("{gap} snapshot gap + {SNAPSHOT_SLACK} slack = {bound}"),
        outage: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounds(source: &str) -> (crate::model::Policy, Vec<Freshness>) {
        let compilation = crate::compile(source, "p.zplan");
        assert!(compilation.problems.is_empty(), "{:?}", compilation.problems);
        let policy = compilation.policy.unwrap();
        let bounds = freshness(&Facts::derive(&policy));
        (policy, bounds)
    }

    const HOMELAB: &str = include_str!("../../examples/proxmox-homelab.zplan");

    #[test]
    fn a_followed_pair_snapshots_and_receives_on_both_nodes() {
        let (_, bounds) = bounds(HOMELAB);
        let photos: Vec<&Freshness> = bounds.iter().filter(|b| b.dataset == "zpool2/photos").collect();
        assert_eq!(photos.len(), 4, "{photos:#?}");
        let snapshots: Vec<_> = photos.iter().filter(|b| b.side == Side::Snapshots).collect();
        assert!(snapshots.iter().all(|b| b.active_role == Some(true) && b.bound == Duration(5 * 60)));
        let received: Vec<_> = photos.iter().filter(|b| matches!(b.side, Side::Receives { .. })).collect();
        assert_eq!(received.len(), 2);
        assert!(received.iter().all(|b| b.active_role == Some(false)));
        assert!(received.iter().all(|b| b.bound == Duration(9 * 60 + 2) && b.outage == Some(Duration(48 * 3600))));
        assert!(received[0].arithmetic.ends_with("= 9m2s"), "{}", received[0].arithmetic);
    }

    #[test]
    fn a_backup_copy_is_bounded_at_its_landing_name_and_alert_after_moves_only_the_threshold() {
        let policy = "retention r {\n  hourly 24\n  daily 7\n}\nnode a {\n  address 10.0.0.1\n}\nnode b {\n  address 10.0.0.2\n}\nbackup nightly {\n  source a\n  target b under backup/a\n  engine syncoid\n  retention r\n  replicate-every 1d at 05:05\n  alert-after 2d\n  replicate tank/home recursive\n}\n";
        let (policy, bounds) = bounds(policy);
        let copy = bounds.iter().find(|b| matches!(b.side, Side::Receives { .. })).unwrap();
        assert_eq!(copy.dataset, "backup/a/tank/home");
        assert_eq!(copy.node, 1);
        assert!(copy.bound > Duration(86_400), "{copy:?}");
        assert_eq!(copy.threshold, Duration(2 * 86_400));
        assert_eq!(policy.pairs[0].alert_after.as_ref().unwrap().value, Duration(2 * 86_400));
    }
}
