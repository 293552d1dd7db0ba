//! Rules on the receiving side: a target keeps only what its source can still send it,
//! and a static pair's target serves each export from the read-only copy mounted there.

use crate::diagnostic::Problem;
use crate::facts::schedule::{self, Schedule};
use crate::facts::{landing, Facts, Mountpoints};
use crate::model::covers;
use crate::model::{Engine, Export, Pair, Policy, Replicated, Retention, SnapshotKind};

/// With syncoid, sanoid prunes the source by its own counts, with nothing like zrepl's
/// `not_replicated`: a target retention that keeps a kind the source may prune before it is
/// sent is a retention the target cannot have.
pub fn sender_keeps_what_target_needs(facts: &Facts<'_>) -> Vec<Problem> {
    let policy = facts.policy;
    let mut problems = Vec::new();
    for pair in policy.pairs.iter().filter(|p| p.engine.value == Engine::Syncoid) {
        let (Some(target), Ok(schedule)) = (&pair.target_retention, facts.schedule(pair)) else {
            continue;
        };
        let source = &policy.retentions[pair.retention];
        let receiver = &policy.retentions[target.value];
        for kind in SnapshotKind::ALL {
            if let Some(problem) = unprotected(pair, source, receiver, kind, &schedule) {
                problems.push(problem);
            }
        }
    }
    problems
}

/// How long a retention holds a kind: its count times the kind's period.
fn held_for(retention: &Retention, kind: SnapshotKind, schedule: &Schedule) -> (u32, crate::model::Duration) {
    let count = match kind {
        SnapshotKind::Frequently => schedule::frequent_count(retention, schedule),
        other => retention.count(other).map_or(0, |c| c.value),
    };
    let period = kind.fixed_period().unwrap_or(schedule.snapshot_every);
    (count, crate::model::Duration(period.seconds().saturating_mul(u64::from(count))))
}

fn unprotected(
    pair: &Pair,
    source: &Retention,
    receiver: &Retention,
    kind: SnapshotKind,
    schedule: &Schedule,
) -> Option<Problem> {
    let (wanted, _) = held_for(receiver, kind, schedule);
    let (kept, horizon) = held_for(source, kind, schedule);
    let outage = pair.outage.as_ref().map(|o| o.value + schedule.replicate_every);
    let lost = wanted > 0 && (kept == 0 || wanted > kept && outage.is_some_and(|outage| horizon <= outage));
    if !lost {
        return None;
    }
    let target_span = receiver.count(kind).map_or(receiver.name.span, |count| count.span);
    let source_span = source.count(kind).map_or(source.name.span, |count| count.span);
    let (source_keeps, help) = if kept == 0 {
        (
            "none".to_owned(),
            format!(
                "the source never takes {0} snapshots: add `{0} N` to retention `{1}`",
                kind.keyword(),
                source.name.value
            ),
        )
    } else {
        (
            format!("{horizon} of them"),
            format!(
                "sanoid prunes the source without knowing what was sent (it has no `not_replicated` rule): keep {} snapshots on the source for longer than the outage, or use `engine zrepl`, whose sender keeps every snapshot not yet replicated",
                kind.keyword()
            ),
        )
    };
    Some(Problem::SenderUnprotected {
        target_span: target_span.into(),
        source_span: source_span.into(),
        target: receiver.name.value.clone(),
        pair: pair.label(),
        kind: kind.keyword(),
        source_keeps,
        help,
    })
}

/// The replicated dataset that holds `dataset`, and the path below it.
fn holder<'p>(pair: &'p Pair, dataset: &str) -> Option<(&'p Replicated, &'p str, String)> {
    pair.datasets.iter().find(|r| covers(&r.dataset.value, r.recursive, dataset)).map(|r| {
        let suffix = dataset[r.dataset.value.len()..].to_owned();
        (r, r.dataset.value.as_str(), suffix)
    })
}

/// Where the target mounts the copy of `dataset`, if it does.
pub fn replica_mount(pair: &Pair, dataset: &str) -> Option<String> {
    let (replicated, _, suffix) = holder(pair, dataset)?;
    replicated.mount.as_ref().map(|mount| format!("{}{suffix}", mount.value.trim_end_matches('/')))
}

/// A static pair's target serves every export read-only, from its copy, at the same path:
/// the copy is mounted there by the pair's `replicate … mount` or the target's `mountpoint`.
pub fn target_exports_are_mounted(policy: &Policy) -> Vec<Problem> {
    let mountpoints = Mountpoints::of(policy);
    let mut problems = Vec::new();
    for server in &policy.nfs_servers {
        let Some(pair) = server.pair().map(|pair| &policy.pairs[pair]) else { continue };
        if !pair.is_static() {
            continue;
        }
        let target = &policy.nodes[pair.nodes[1]].name.value;
        let mounted_there = |export: &&Export| {
            let copy = landing(policy, pair, &export.dataset.value);
            mountpoints.declared(target, &copy) && mountpoints.mountpoint(target, &copy) == export.path.value
        };
        let unmounted_exports = server.exports.iter().filter(|export| !mounted_there(export));
        problems.extend(unmounted_exports.filter_map(|export| unmounted(pair, target, export)));
    }
    problems
}

fn unmounted(pair: &Pair, target: &str, export: &Export) -> Option<Problem> {
    let dataset = &export.dataset.value;
    let path = &export.path.value;
    let found = holder(pair, dataset);
    let mount = replica_mount(pair, dataset);
    if mount.as_deref() == Some(path.as_str()) {
        return None;
    }
    let help = match &found {
        None => "export datasets the pair replicates as a whole, so that the target has a copy of each".to_owned(),
        Some((_, holder, suffix)) if suffix.is_empty() => {
            format!("mount the copy where clients mount the export: `replicate {holder} mount {path}`")
        }
        Some((_, holder, _)) => {
            format!("mount the copy of `{holder}` so that `{dataset}` lands at `{path}`, where clients mount it")
        }
    };
    let mounted = match (&found, &mount) {
        (None, _) => "not a copy of its own".to_owned(),
        (Some(_), None) => "not mounted".to_owned(),
        (Some(_), Some(mount)) => format!("mounted at `{mount}`"),
    };
    Some(Problem::TargetExportUnmounted {
        span: export.dataset.span.into(),
        replicated: found.map_or(pair.name.span, |(r, _, _)| r.dataset.span).into(),
        path: path.clone(),
        target: target.to_owned(),
        dataset: dataset.clone(),
        mounted,
        help,
    })
}
