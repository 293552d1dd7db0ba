//! Rules on zrepl fan-outs, one source dataset sent to several targets: one job (a snap job,
//! or the one push) snapshots and prunes it, so the other pairs must let their targets
//! fetch, all agree on that job's interval and retention, and that retention must keep each
//! snapshot until the slowest target has had its chance to fetch it, outage included.

use crate::diagnostic::Problem;
use crate::facts::zrepl::{kept_for, FanOut};
use crate::facts::Facts;
use crate::model::{Duration, Mode, Pair, Policy};

/// A fan-out has at most one push, which snapshots for all: a push replicates only after
/// its own snapshots, so a second one would wait for a wake-up nothing sends.
pub fn fan_outs_push_once(facts: &Facts<'_>) -> Vec<Problem> {
    let policy = facts.policy;
    let mut problems = Vec::new();
    for fan_out in &facts.fan_outs {
        let pushes: Vec<usize> =
            fan_out.pairs.iter().copied().filter(|index| policy.pairs[*index].mode() == Mode::Push).collect();
        let Some((first, later)) = pushes.split_first() else { continue };
        let other = &policy.pairs[*first];
        for index in later {
            let pair = &policy.pairs[*index];
            problems.push(Problem::FanOutPush {
                span: pair.mode.as_ref().map_or(pair.name.span, |mode| mode.span).into(),
                other_span: other.name.span.into(),
                pair: pair.name.value.clone(),
                other: other.name.value.clone(),
                dataset: pair.datasets.first().map(|r| r.dataset.value.clone()).unwrap_or_default(),
                source_node: policy.nodes[fan_out.source].name.value.clone(),
            });
        }
    }
    problems
}

/// The pairs of a fan-out agree on what the job that snapshots for them does: its interval
/// and its retention.
pub fn fan_outs_agree(facts: &Facts<'_>) -> Vec<Problem> {
    let policy = facts.policy;
    let mut problems = Vec::new();
    for fan_out in &facts.fan_outs {
        let first = &policy.pairs[fan_out.pairs[0]];
        for second in fan_out.pairs[1..].iter().map(|index| &policy.pairs[*index]) {
            problems.extend(retentions_differ(policy, first, second));
            problems.extend(intervals_differ(facts, first, second));
        }
    }
    problems
}

fn retentions_differ(policy: &Policy, first: &Pair, second: &Pair) -> Option<Problem> {
    (first.retention != second.retention).then(|| {
        let name = |pair: &Pair| format!("retention `{}`", policy.retentions[pair.retention].name.value);
        Problem::FanOutDisagrees {
            first_span: first.name.span.into(),
            second_span: second.name.span.into(),
            first: first.name.value.clone(),
            second: second.name.value.clone(),
            what: "that job prunes the source by one retention",
            first_value: name(first),
            second_value: name(second),
            help: "give both pairs the same `retention`; each target keeps its own with `target-retention`".to_owned(),
        }
    })
}

fn intervals_differ(facts: &Facts<'_>, first: &Pair, second: &Pair) -> Option<Problem> {
    let (Ok(a), Ok(b)) = (facts.schedule(first), facts.schedule(second)) else { return None };
    if a.snapshot_every == b.snapshot_every {
        return None;
    }
    let span = |pair: &Pair| match (&pair.snapshot_every, &pair.rpo) {
        (Some(every), _) => every.span,
        (None, Some(rpo)) => rpo.span,
        (None, None) => pair.name.span,
    };
    let shorter = a.snapshot_every.min(b.snapshot_every);
    Some(Problem::FanOutDisagrees {
        first_span: span(first).into(),
        second_span: span(second).into(),
        first: first.name.value.clone(),
        second: second.name.value.clone(),
        what: "that job snapshots at one interval",
        first_value: format!("every {}", a.snapshot_every),
        second_value: format!("every {}", b.snapshot_every),
        help: format!("write `snapshot-every {shorter}` in both pairs: the shorter interval meets both RPOs"),
    })
}

/// The snap job keeps each snapshot longer than every pair of its fan-out may take to fetch
/// it: the pull interval, the transfer, and the declared outage.
pub fn fan_outs_keep_what_targets_fetch(facts: &Facts<'_>) -> Vec<Problem> {
    let policy = facts.policy;
    let mut problems = Vec::new();
    for fan_out in &facts.fan_outs {
        let pushing = fan_out.pushing_pair(policy);
        for index in fan_out.pairs.iter().filter(|index| Some(**index) != pushing) {
            problems.extend(prunes_unsent(facts, fan_out, &policy.pairs[*index]));
        }
    }
    problems
}

fn prunes_unsent(facts: &Facts<'_>, fan_out: &FanOut, pair: &Pair) -> Option<Problem> {
    let policy = facts.policy;
    let schedule = facts.schedule(pair).ok()?;
    let retention = &policy.retentions[pair.retention];
    let kept = kept_for(retention, &schedule)?;
    let outage = pair.outage.as_ref().map_or(Duration(0), |outage| outage.value);
    let needed = schedule.replicate_every + schedule.transfer + outage;
    if kept > needed {
        return None;
    }
    let outage_term = pair.outage.as_ref().map_or_else(String::new, |o| format!(" + {} outage", o.value));
    let arithmetic = format!(
        "`{}` may fetch a snapshot only after {} pull interval + {} transfer{outage_term} = {needed}",
        pair.name.value, schedule.replicate_every, schedule.transfer
    );
    Some(Problem::FanOutPrunesUnsent {
        job: fan_out.snap_job_name(policy),
        span: retention.name.span.into(),
        pair_span: pair.name.span.into(),
        source_node: policy.nodes[fan_out.source].name.value.clone(),
        pair: pair.name.value.clone(),
        retention: retention.name.value.clone(),
        horizon: kept.to_string(),
        arithmetic,
        help: format!(
            "keep snapshots on the source for longer than {needed} in retention `{}` (such as more dailies), or pull more often",
            retention.name.value
        ),
    })
}
