//! Rules on time: the RPO can be met, and retention outlasts the declared outage.

use crate::diagnostic::Problem;
use crate::model::{Engine, Pair, Policy, Retention, SnapshotKind, Transfer};
use crate::schedule::{self, PileUp, Schedule};

/// A pair's RPO must cover snapshot gap + replication gap + timer accuracy + transfer.
pub fn rpo_is_met(policy: &Policy) -> Vec<Problem> {
    policy
        .pairs
        .iter()
        .filter_map(|pair| {
            let over = schedule::choose(pair).err()?;
            let fix = match (&pair.transfer, pair.snapshot_every.is_some() || pair.replicate_every.is_some()) {
                (_, true) => "shorten `snapshot-every` or `replicate-every`, or raise `rpo`",
                (Transfer::Estimated { .. }, false) => "raise `rpo`, or give replication a faster `link`",
                (_, false) => "raise `rpo`, or lower `transfer` if one transfer is faster",
            };
            Some(Problem::RpoUnmet {
                span: pair.rpo.span.into(),
                pair: pair.name.value.clone(),
                rpo: pair.rpo.value.to_string(),
                worst: over.worst_case().to_string(),
                help: format!("the {} schedule loses up to {}; {fix}", schedule_kind(pair), over.arithmetic()),
            })
        })
        .collect()
}

fn schedule_kind(pair: &crate::model::Pair) -> &'static str {
    if pair.snapshot_every.is_some() || pair.replicate_every.is_some() {
        "declared"
    } else {
        "fastest"
    }
}

/// Retention must keep a common snapshot for longer than the outage plus one replication,
/// and a pair that needs frequent snapshots must keep some. zrepl needs neither: its sender
/// keeps every snapshot not yet replicated, and a cursor bookmark of the last one sent.
pub fn retention_outlasts_outage(policy: &Policy) -> Vec<Problem> {
    let mut problems = Vec::new();
    for pair in policy.pairs.iter().filter(|pair| pair.engine.value == Engine::Syncoid) {
        let Ok(schedule) = schedule::choose(pair) else {
            continue;
        };
        let mut retentions = vec![pair.retention, pair.receiver_retention()];
        retentions.dedup();
        for retention in retentions.into_iter().map(|index| &policy.retentions[index]) {
            problems.extend(keeps_through_outage(pair, retention, &schedule));
        }
    }
    problems
}

fn keeps_through_outage(pair: &Pair, retention: &Retention, schedule: &Schedule) -> Vec<Problem> {
    let mut problems = Vec::new();
    if let Some(count) = retention.count(SnapshotKind::Frequently).filter(|c| c.value == 0) {
        problems.push(Problem::NoFrequentSnapshots {
            span: count.span.into(),
            retention: retention.name.value.clone(),
            pair: pair.name.value.clone(),
        });
    }
    let Some(outage) = &pair.outage else { return problems };
    let horizon = schedule::horizon(retention, schedule);
    if horizon <= outage.value + schedule.replicate_every {
        problems.push(Problem::RetentionTooShort {
            outage_span: outage.span.into(),
            retention_span: retention.name.span.into(),
            retention: retention.name.value.clone(),
            pair: pair.name.value.clone(),
            horizon: horizon.to_string(),
            outage: outage.value.to_string(),
        });
    }
    problems
}

/// The snapshots a sender piles up during the declared outage stay within reason.
pub fn pile_up_is_bounded(policy: &Policy) -> Vec<Problem> {
    let mut problems = Vec::new();
    for pair in &policy.pairs {
        let (Some(outage), Ok(schedule)) = (&pair.outage, schedule::choose(pair)) else { continue };
        let retention = &policy.retentions[pair.retention];
        let pile_up = schedule::pile_up(retention, &schedule, outage.value);
        if pile_up.total() > schedule::PILE_UP_WARNING {
            problems.push(Problem::PileUp {
                span: outage.span.into(),
                outage: outage.value.to_string(),
                count: pile_up.total(),
                makeup: pile_up.makeup(),
                pair: pair.name.value.clone(),
                help: pile_up_help(&pile_up, retention),
            });
        }
    }
    problems
}

fn pile_up_help(pile_up: &PileUp, retention: &Retention) -> String {
    let fix = match pile_up {
        PileUp::Pruned(_) => format!("keep fewer snapshots in retention `{}`", retention.name.value),
        PileUp::Kept { .. } => {
            "zrepl keeps every snapshot not yet replicated; snapshot less often (a larger `rpo`)".to_owned()
        }
    };
    format!("{fix}, or plan for a shorter `outage`: zfs lists, sends and destroys that many slowly")
}
