//! Rules on syncoid's own statements: each only where the node's syncoid release accepts
//! it, sizes mbuffer can read, exclusions of replicated children, and a
//! `delete-target-snapshots` that never destroys what the target is meant to keep.

use crate::diagnostic::Problem;
use crate::facts::schedule;
use crate::facts::Facts;
use crate::model::tools::SanoidVersion;
use crate::model::{allows, Engine, Pair, Policy, Roles, Size, SizeUnit, SnapshotKind, Spanned};
use crate::syntax::Span;

/// Each syncoid statement is accepted by the syncoid of every node that runs it.
pub fn syncoid_release_accepts(policy: &Policy) -> Vec<Problem> {
    let mut problems = Vec::new();
    for pair in syncoid_pairs(policy) {
        let options = needed_releases(pair);
        for node in pair.active_nodes().iter().map(|index| &policy.nodes[*index]) {
            for (option, span, since) in &options {
                if node.sanoid < *since {
                    problems.push(Problem::SyncoidTooOld {
                        span: (*span).into(),
                        node_span: node.name.span.into(),
                        option: (*option).to_owned(),
                        node: node.name.value.clone(),
                        version: node.sanoid.as_str(),
                        since: since.as_str(),
                    });
                }
            }
        }
    }
    problems
}

fn syncoid_pairs(policy: &Policy) -> impl Iterator<Item = &Pair> {
    policy.pairs.iter().filter(|pair| pair.engine.value == Engine::Syncoid)
}

/// The options a pair asks for that not every release has, with the release that added each.
fn needed_releases(pair: &Pair) -> Vec<(String, Span, SanoidVersion)> {
    let options = &pair.syncoid;
    let mut needed = Vec::new();
    if let Some(span) = options.preserve_properties {
        needed.push(("--preserve-properties".to_owned(), span, SanoidVersion::V2_2));
    }
    if let Some(span) = options.delete_target_snapshots {
        needed.push(("--delete-target-snapshots".to_owned(), span, SanoidVersion::V2_2));
    }
    if let Some(method) = &options.compress {
        needed.push((format!("--compress={}", method.value.keyword()), method.span, method.value.since()));
    }
    needed
}

/// `preserve-properties` carries a locally set `mountpoint` to the copy (syncoid 2.2
/// `getlocalzfsvalues` leaves it off its blacklist): a warning, unless the pair allows it.
pub fn preserved_properties_are_acknowledged(policy: &Policy) -> Vec<Problem> {
    syncoid_pairs(policy)
        .filter(|pair| !allows(&pair.allowed, "W0615"))
        .filter_map(|pair| {
            let span = pair.syncoid.preserve_properties?;
            Some(Problem::PreserveProperties {
                span: span.into(),
                pair: pair.name.value.clone(),
                sender: policy.nodes[pair.nodes[0]].name.value.clone(),
                target: policy.nodes[pair.nodes[1]].name.value.clone(),
            })
        })
        .collect()
}

/// syncoid hands `bandwidth-limit` and `mbuffer-size` to mbuffer, whose sizes stop at T.
pub fn mbuffer_reads_sizes(policy: &Policy) -> Vec<Problem> {
    let mut problems = Vec::new();
    for pair in syncoid_pairs(policy) {
        let sizes: [(&'static str, Option<&Spanned<Size>>); 2] =
            [("bandwidth-limit", pair.bandwidth_limit.as_ref()), ("mbuffer-size", pair.syncoid.mbuffer_size.as_ref())];
        for (keyword, size) in sizes {
            if let Some(size) = size.filter(|size| size.value.unit == SizeUnit::P) {
                problems.push(Problem::MbufferSize { span: size.span.into(), keyword, text: size.value.to_string() });
            }
        }
    }
    problems
}

/// `delete-target-snapshots` destroys every snapshot of the copy the source no longer has:
/// refused where the target keeps a kind longer than the source, and on followed pairs.
pub fn delete_target_snapshots_is_safe(facts: &Facts<'_>) -> Vec<Problem> {
    let policy = facts.policy;
    let mut problems = Vec::new();
    for pair in syncoid_pairs(policy) {
        let Some(span) = pair.syncoid.delete_target_snapshots else { continue };
        if let Roles::FollowsGuest { guest } = &pair.roles {
            problems.push(Problem::DeleteTargetFollowed {
                span: span.into(),
                follows: guest.span.into(),
                pair: pair.name.value.clone(),
            });
            continue;
        }
        problems.extend(target_keeps_longer(facts, pair, span));
    }
    problems
}

fn target_keeps_longer(facts: &Facts<'_>, pair: &Pair, span: Span) -> Option<Problem> {
    let policy = facts.policy;
    let target_index = pair.target_retention.as_ref()?;
    let (source, target) = (&policy.retentions[pair.retention], &policy.retentions[target_index.value]);
    let schedule = facts.schedule(pair).ok()?;
    let count = |retention: &crate::model::Retention, kind: SnapshotKind| match kind {
        SnapshotKind::Frequently => schedule::frequent_count(retention, &schedule),
        other => retention.count(other).map_or(0, |count| count.value),
    };
    let kind = SnapshotKind::ALL.into_iter().find(|kind| count(target, *kind) > count(source, *kind))?;
    let (kept, sent) = (count(target, kind), count(source, kind));
    let arithmetic = format!(
        "target-retention `{}` keeps {} {kept}, the source's `{}` keeps {} {sent}, so each run would delete the {} older ones",
        target.name.value,
        kind.keyword(),
        source.name.value,
        kind.keyword(),
        kept - sent
    );
    let retention_span = target.count(kind).map_or(target.span, |count| count.span);
    Some(Problem::DeleteTargetKeeps {
        span: span.into(),
        retention_span: retention_span.into(),
        pair: pair.name.value.clone(),
        kind: kind.keyword(),
        target_count: kept,
        arithmetic,
    })
}
