//! One writer per dataset per node, fleet-wide: no node receives a dataset that another pair
//! also snapshots or receives there (which also rules out cycles), and no export serves data
//! that its node receives from another pair. No two pairs snapshot one dataset unless the
//! node's own `snapshot` statement takes its snapshots and the pairs only send them (a
//! syncoid fan-out, `facts::snapshot_owner`) or a pair re-sends a copy it received (a
//! cascade, `facts::Cascades`). The pairs of a zrepl fan-out share one writer
//! on their source, their snap job, and are no two writers there. Writes are sorted and swept once, so the rule is
//! O(n log n) in the number of replicated datasets, never pairwise.

use std::borrow::Cow;
use std::collections::BTreeSet;

use crate::diagnostic::Problem;
use crate::facts::landing;
use crate::facts::snapshot_owner;
use crate::facts::zrepl::fan_out_of;
use crate::facts::Facts;
use crate::model::{covers, Engine, Policy};
use crate::syntax::Span;

/// What a pair does to a dataset on a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Role {
    Snapshots,
    Receives,
}

impl Role {
    fn describe(self) -> &'static str {
        match self {
            Role::Snapshots => "snapshotted",
            Role::Receives => "received",
        }
    }
}

/// One pair writing one dataset tree on one node.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Write<'p> {
    node: usize,
    /// The source's name, or where the copy lands (under a static target's `under`).
    dataset: Cow<'p, str>,
    recursive: bool,
    /// Subtrees of a recursive write that it leaves alone (`exclude`), named as `dataset` is.
    excluded: Vec<Cow<'p, str>>,
    pair: usize,
    role: Role,
    span: Span,
}

fn writes<'p>(facts: &Facts<'p>) -> Vec<Write<'p>> {
    let policy = facts.policy;
    let cascades = &facts.cascades;
    let mut writes = Vec::new();
    for (index, pair) in policy.pairs.iter().enumerate() {
        for replicated in &pair.datasets {
            let source = replicated.dataset.value.as_str();
            let named = |dataset: &'p str, role: Role| match role {
                Role::Snapshots => Cow::Borrowed(dataset),
                Role::Receives => Cow::Owned(landing(policy, pair, dataset)),
            };
            let write = |node: usize, role: Role| Write {
                node,
                dataset: named(source, role),
                recursive: replicated.recursive,
                // sanoid snapshots a recursive dataset whole: syncoid's exclusions only leave
                // children out of what it sends, zrepl's out of what it snapshots too.
                excluded: match (role, pair.engine.value) {
                    (Role::Snapshots, Engine::Syncoid) => Vec::new(),
                    _ => replicated.exclude.iter().map(|excluded| named(&excluded.value, role)).collect(),
                },
                pair: index,
                role,
                span: match role {
                    Role::Receives => replicated.copy.as_ref().map_or(replicated.dataset.span, |copy| copy.span),
                    Role::Snapshots => replicated.dataset.span,
                },
            };
            let sends_only = snapshot_owner(policy, pair, replicated).is_some()
                || cascades.upstream(policy, pair, replicated).is_some();
            if !sends_only {
                writes.extend(pair.active_nodes().iter().map(|node| write(*node, Role::Snapshots)));
            }
            writes.extend(pair.standby_nodes().iter().map(|node| write(*node, Role::Receives)));
        }
    }
    writes.sort();
    writes
}

/// Whether `outer` writes `inner`: the same dataset, or a parent written recursively that
/// does not exclude it.
fn writes_into(outer: &Write<'_>, inner: &str) -> bool {
    covers(&outer.dataset, outer.recursive, inner)
        && !outer.excluded.iter().any(|excluded| covers(excluded, true, inner))
}

/// No dataset has writers from two pairs on one node.
pub fn one_writer_per_dataset(facts: &Facts<'_>) -> Vec<Problem> {
    let policy = facts.policy;
    let writes = writes(facts);
    let fan_outs = &facts.fan_outs;
    let shared_snapshots = |a: &Write<'_>, b: &Write<'_>| {
        a.role == Role::Snapshots
            && b.role == Role::Snapshots
            && fan_out_of(fan_outs, a.pair).is_some_and(|fan_out| fan_out.pairs.contains(&b.pair))
    };
    let mut problems = Vec::new();
    let mut reported = BTreeSet::new();
    let mut open: Vec<&Write<'_>> = Vec::new();
    for write in &writes {
        open.retain(|earlier| earlier.node == write.node && covers(&earlier.dataset, true, &write.dataset));
        let clashes = |earlier: &&&Write<'_>| {
            earlier.pair != write.pair && writes_into(earlier, &write.dataset) && !shared_snapshots(earlier, write)
        };
        for earlier in open.iter().filter(clashes) {
            let key = (write.node, earlier.pair.min(write.pair), earlier.pair.max(write.pair), write.dataset.clone());
            if reported.insert(key) {
                problems.push(two_writers(policy, earlier, write));
            }
        }
        open.push(write);
    }
    problems
}

fn two_writers(policy: &Policy, first: &Write<'_>, second: &Write<'_>) -> Problem {
    Problem::TwoWriters {
        second: second.span.into(),
        first: first.span.into(),
        dataset: second.dataset.to_string(),
        node: policy.nodes[second.node].name.value.clone(),
        first_pair: policy.pairs[first.pair].name.value.clone(),
        second_pair: policy.pairs[second.pair].name.value.clone(),
        first_role: first.role.describe(),
        second_role: second.role.describe(),
    }
}

/// No pair's NFS server exports read-write a dataset that one of its nodes receives from
/// another pair. A node's server serves every copy its node receives read-only, and the
/// data of a followed pair not at all (`check::node_servers`).
pub fn exports_are_not_received(facts: &Facts<'_>) -> Vec<Problem> {
    let policy = facts.policy;
    let receives: Vec<Write<'_>> = writes(facts).into_iter().filter(|w| w.role == Role::Receives).collect();
    let mut problems = Vec::new();
    for server in &policy.nfs_servers {
        let Some(pair) = server.pair() else { continue };
        let nodes = policy.pairs[pair].active_nodes();
        for export in &server.exports {
            for node in nodes {
                let received =
                    receiving_write(&receives, *node, &export.dataset.value).filter(|w| server.pair() != Some(w.pair));
                if let Some(write) = received {
                    problems.push(Problem::ExportOfReceivedData {
                        export: export.dataset.span.into(),
                        receive: write.span.into(),
                        path: export.path.value.clone(),
                        dataset: export.dataset.value.clone(),
                        node: policy.nodes[*node].name.value.clone(),
                        pair: policy.pairs[write.pair].name.value.clone(),
                    });
                }
            }
        }
    }
    problems
}

/// The receive on `node` that writes `dataset`, looked up by each ancestor in the sorted list.
fn receiving_write<'w, 'p>(receives: &'w [Write<'p>], node: usize, dataset: &str) -> Option<&'w Write<'p>> {
    let ancestors = dataset.match_indices('/').map(|(at, _)| &dataset[..at]).chain(std::iter::once(dataset));
    ancestors.into_iter().find_map(|candidate| {
        let start = receives.partition_point(|w| (w.node, w.dataset.as_ref()) < (node, candidate));
        receives[start..]
            .iter()
            .take_while(|w| w.node == node && w.dataset == candidate)
            .find(|w| writes_into(w, dataset))
    })
}
