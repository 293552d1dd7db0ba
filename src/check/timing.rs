//! Rules on time: the RPO can be met, and retention outlasts the declared outage.

use crate::diagnostic::Problem;
use crate::facts::schedule::{self, PileUp, Schedule};
use crate::facts::Facts;
use crate::model::{per_word, Engine, Mode, Pair, Policy, Retention, Size, SnapshotKind, Transfer};

/// A pair's RPO must cover snapshot gap + replication gap + timer accuracy + transfer, and
/// its estimated changes must not arrive faster than they can be sent.
pub fn rpo_is_met(facts: &Facts<'_>) -> Vec<Problem> {
    let policy = facts.policy;
    policy
        .pairs
        .iter()
        .filter_map(|pair| {
            if pair.transfer.outpaces_rate() {
                return outpaced(pair);
            }
            let over = facts.schedule(pair).err()?;
            let rpo = pair.rpo.as_ref()?;
            Some(Problem::RpoUnmet {
                span: rpo.span.into(),
                pair: pair.label(),
                rpo: rpo.value.to_string(),
                worst: over.worst_case().to_string(),
                help: format!(
                    "the {} schedule loses up to {}; {}",
                    schedule_kind(pair),
                    over.arithmetic(),
                    rpo_fix(pair)
                ),
            })
        })
        .collect()
}

/// A pair without an `rpo` states the worst case of its cadence, so it must declare one:
/// how often it replicates (`replicate-every`), or, for a zrepl push, which replicates
/// after each snapshot, how often it snapshots.
pub fn cadence_is_declared(policy: &Policy) -> Vec<Problem> {
    policy
        .pairs
        .iter()
        .filter(|pair| pair.rpo.is_none())
        .filter_map(|pair| {
            let push = pair.engine.value == Engine::Zrepl && pair.mode() == Mode::Push;
            let (declared, example) = if push {
                (pair.snapshot_every.is_some(), "snapshot-every 15m")
            } else {
                (pair.replicate_every.is_some(), "replicate-every 1d at 05:05")
            };
            (!declared).then(|| Problem::NoCadence { span: pair.name.span.into(), pair: pair.label(), example })
        })
        .collect()
}

/// A zrepl push without an `rpo` snapshots at its declared interval, which must leave room
/// for one transfer, as the periods zplan chooses for an `rpo` do.
pub fn push_leaves_room_for_transfer(facts: &Facts<'_>) -> Vec<Problem> {
    let policy = facts.policy;
    policy
        .pairs
        .iter()
        .filter(|pair| pair.rpo.is_none() && pair.engine.value == Engine::Zrepl && pair.mode() == Mode::Push)
        .filter_map(|pair| {
            let every = pair.snapshot_every.as_ref()?;
            let schedule = facts.schedule(pair).ok()?;
            (schedule.snapshot_every < schedule.transfer).then(|| Problem::PushOutpacesTransfer {
                span: every.span.into(),
                pair: pair.label(),
                interval: schedule.snapshot_every.to_string(),
                transfer: schedule.transfer.to_string(),
            })
        })
        .collect()
}

fn rpo_fix(pair: &Pair) -> &'static str {
    match (&pair.transfer, pair.snapshot_every.is_some() || pair.replicate_every.is_some()) {
        (_, true) => "shorten `snapshot-every` or `replicate-every`, or raise `rpo`",
        (Transfer::Estimated { rate, .. }, false) if rate.is_limited() => "raise `rpo`, or raise `bandwidth-limit`",
        (Transfer::Estimated { .. }, false) => "raise `rpo`, or give replication a faster `link`",
        (_, false) => "raise `rpo`, or lower `transfer` if one transfer is faster",
    }
}

/// Changes that arrive faster than the rate they are sent at: every transfer takes longer
/// than the interval it sends, whatever the schedule.
fn outpaced(pair: &Pair) -> Option<Problem> {
    let Transfer::Estimated { changes, per, rate, changes_span, rate_span } = pair.transfer else {
        return None;
    };
    let needed = pair.transfer.rate_needed()?;
    let fix = if rate.is_limited() {
        format!("raise `bandwidth-limit` to at least {needed}")
    } else {
        format!("give replication a `link` of at least {needed}")
    };
    let per_word = per_word(per);
    Some(Problem::ChangesOutpaceRate {
        changes_span: changes_span.into(),
        rate_span: rate_span.into(),
        pair: pair.name.value.clone(),
        changes: format!("{changes} per {per_word}"),
        rate: Size::at_least(rate.bytes_per_second()).to_string(),
        help: format!(
            "one {per_word}'s {changes} takes {} to send {}, so replication falls further behind with every snapshot, whatever the schedule; {fix}, or lower `changes` if it overstates the writes",
            pair.transfer.allowance(per),
            rate.describe(),
        ),
    })
}

fn schedule_kind(pair: &Pair) -> &'static str {
    if pair.snapshot_every.is_some() || pair.replicate_every.is_some() {
        "declared"
    } else {
        "fastest"
    }
}

/// Retention must keep a common snapshot for longer than the outage plus one replication,
/// and a pair that needs frequent snapshots must keep some. zrepl needs neither: its sender
/// keeps every snapshot not yet replicated, and a cursor bookmark of the last one sent.
pub fn retention_outlasts_outage(facts: &Facts<'_>) -> Vec<Problem> {
    let policy = facts.policy;
    let mut problems = Vec::new();
    for pair in policy.pairs.iter().filter(|pair| pair.engine.value == Engine::Syncoid) {
        let Ok(schedule) = facts.schedule(pair) else {
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
            pair: pair.label(),
        });
    }
    let Some(outage) = &pair.outage else { return problems };
    let horizon = schedule::horizon(retention, schedule);
    if horizon <= outage.value + schedule.replicate_every {
        problems.push(Problem::RetentionTooShort {
            outage_span: outage.span.into(),
            retention_span: retention.name.span.into(),
            retention: retention.name.value.clone(),
            pair: pair.label(),
            horizon: horizon.to_string(),
            outage: outage.value.to_string(),
            sum: format!(
                "{} outage + {} replication gap = {}",
                outage.value,
                schedule.replicate_every,
                outage.value + schedule.replicate_every
            ),
        });
    }
    problems
}

/// The snapshots a sender piles up during the declared outage stay within reason.
pub fn pile_up_is_bounded(facts: &Facts<'_>) -> Vec<Problem> {
    let policy = facts.policy;
    let mut problems = Vec::new();
    for pair in &policy.pairs {
        let (Some(outage), Ok(schedule)) = (&pair.outage, facts.schedule(pair)) else { continue };
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
