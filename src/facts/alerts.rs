//! The per-kind alert thresholds of one dataset on one host: how old its newest hourly,
//! daily, … snapshot may be before a check warns, and before it is critical. Every number
//! is built from the dataset's freshness bound ([`super::freshness`]), so that no threshold
//! fires on a healthy system: a coarser kind is one of its own periods (in place of the
//! snapshot gap) later than the finest.

use super::cascade::chain;
use super::freshness::{Freshness, Side};
use super::owned::{snapshot_gap, statements_in_tree};
use super::schedule::frequent_count;
use super::Facts;
use crate::model::{Duration, NodeSnapshot, Pair, Replicated, SnapshotKind};

/// The longest a month is: a monthly snapshot may be this far behind the one before.
const LONGEST_MONTH: Duration = Duration(31 * 86_400);
/// The longest a year is.
const LONGEST_YEAR: Duration = Duration(366 * 86_400);

/// When the newest snapshot of one kind is too old.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindAlert {
    pub kind: SnapshotKind,
    /// Past this the check warns: the proved bound (or `alert-after`) is broken.
    pub warn: Duration,
    /// Past this it is critical: the next snapshot (or, on a receiver, the outage horizon) is missed too.
    pub crit: Duration,
}

/// Where a kind's snapshots come from: its period, and the gap between snapshots that the
/// freshness bound already counts.
struct Taken {
    kinds: Vec<(SnapshotKind, Duration)>,
    gap: Duration,
}

/// The thresholds of every kind that `kept` lists (the kinds the host's config keeps) and
/// that the dataset's snapshots are taken in; other kinds get none, since a check would
/// alert on snapshots that never exist.
pub fn kind_alerts(facts: &Facts<'_>, fresh: &Freshness, kept: &[SnapshotKind]) -> Vec<KindAlert> {
    let Some(taken) = taken(facts, fresh) else {
        return Vec::new();
    };
    let escalation = escalation(facts, fresh);
    taken
        .kinds
        .iter()
        .filter(|(kind, _)| kept.contains(kind))
        .map(|&(kind, period)| {
            let later = Duration(period.seconds().saturating_sub(period.min(taken.gap).seconds()));
            let warn = fresh.threshold + later;
            let crit = warn + escalation.unwrap_or(period);
            KindAlert { kind, warn, crit }
        })
        .collect()
}

/// The warning and critical age of a dataset's newest snapshot of any kind, for a check
/// that does not tell kinds apart (zrepl's): the threshold, then one more snapshot period
/// on the snapshotting side, or the escalation of a copy on a receiving side.
pub fn newest_alert(facts: &Facts<'_>, fresh: &Freshness) -> (Duration, Duration) {
    let period = Duration(fresh.bound.seconds().saturating_sub(super::freshness::SNAPSHOT_SLACK.seconds()));
    let escalation = escalation(facts, fresh).unwrap_or(period);
    (fresh.threshold, fresh.threshold + escalation)
}

/// How far past the warning a copy becomes critical: up to its outage horizon when the
/// pair declares one beyond the threshold, else one more replication; `None` on the
/// snapshotting side, where it is one more snapshot of the kind.
fn escalation(facts: &Facts<'_>, fresh: &Freshness) -> Option<Duration> {
    let Side::Receives { .. } = fresh.side else {
        return None;
    };
    let pair = &facts.policy.pairs[fresh.pair?];
    let beyond = fresh.outage.filter(|outage| *outage > fresh.threshold);
    Some(beyond.map_or(facts.planned(pair).replicate_every, |outage| Duration(outage.0 - fresh.threshold.0)))
}

/// The longest gap between two snapshots of one kind.
pub fn kind_period(kind: SnapshotKind, frequent: Duration) -> Duration {
    match kind {
        SnapshotKind::Frequently => frequent,
        SnapshotKind::Monthly => LONGEST_MONTH,
        SnapshotKind::Yearly => LONGEST_YEAR,
        other => other.fixed_period().unwrap_or(frequent),
    }
}

/// The kinds the dataset's snapshots are taken in, wherever they are taken.
fn taken(facts: &Facts<'_>, fresh: &Freshness) -> Option<Taken> {
    let policy = facts.policy;
    let Some(index) = fresh.pair else {
        let statement = policy.snapshots_of(fresh.node).iter().find(|s| s.dataset.value == fresh.dataset)?;
        return Some(by_statements(facts, &[statement]));
    };
    let pair = &policy.pairs[index];
    let replicated = pair.datasets.iter().find(|r| match fresh.side {
        Side::Snapshots => r.dataset.value == fresh.dataset,
        Side::Receives { .. } => super::landing(policy, pair, &r.dataset.value) == fresh.dataset,
    })?;
    Some(origin(facts, index, replicated))
}

/// The kinds taken at the start of the chain that delivers `replicated` to `pair`.
fn origin<'p>(facts: &Facts<'p>, index: usize, replicated: &'p Replicated) -> Taken {
    let policy = facts.policy;
    let links = chain(policy, &facts.cascades, index, replicated).unwrap_or_default();
    let (first, first_replicated) = links.first().copied().unwrap_or((index, replicated));
    let pair = &policy.pairs[first];
    let statements = statements_in_tree(policy, pair, first_replicated);
    if statements.is_empty() {
        by_pair(facts, pair)
    } else {
        by_statements(facts, &statements)
    }
}

/// A pair's own snapshots: its retention's kinds, frequent ones at its snapshot period.
fn by_pair(facts: &Facts<'_>, pair: &Pair) -> Taken {
    let schedule = facts.planned(pair);
    let retention = &facts.policy.retentions[pair.retention];
    let kinds = SnapshotKind::ALL
        .into_iter()
        .filter(|kind| match kind {
            SnapshotKind::Frequently => frequent_count(retention, &schedule) > 0,
            other => retention.count(*other).is_some_and(|count| count.value > 0),
        })
        .map(|kind| (kind, kind_period(kind, schedule.snapshot_every)))
        .collect();
    Taken { kinds, gap: schedule.snapshot_every }
}

/// Node statements' snapshots: the kinds every one of them takes, at the smallest gap.
fn by_statements(facts: &Facts<'_>, statements: &[&NodeSnapshot]) -> Taken {
    let policy = facts.policy;
    let kinds = SnapshotKind::ALL
        .into_iter()
        .filter(|kind| {
            statements.iter().all(|s| policy.retentions[s.retention.value].count(*kind).is_some_and(|c| c.value > 0))
        })
        .map(|kind| {
            let frequent = statements.iter().map(|s| s.frequent_period()).max().unwrap_or_default();
            (kind, kind_period(kind, frequent))
        })
        .collect();
    let gap = statements.iter().map(|s| snapshot_gap(policy, s)).min().unwrap_or_default();
    Taken { kinds, gap }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::freshness;

    fn alerts_of(source: &str) -> Vec<(Freshness, Vec<KindAlert>)> {
        let compilation = crate::compile(source, "p.zplan");
        assert!(compilation.problems.iter().all(|p| !p.is_error()), "{:?}", compilation.problems);
        let policy = compilation.policy.unwrap();
        let facts = Facts::derive(&policy);
        freshness(&facts).into_iter().map(|f| (f.clone(), kind_alerts(&facts, &f, &SnapshotKind::ALL))).collect()
    }

    /// Every warning comes at or after the proved bound, and every critical age after the
    /// warning, in the examples and in generated fleets.
    #[test]
    fn no_threshold_fires_before_its_proved_bound() {
        let mut policies: Vec<String> = std::fs::read_dir("examples")
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "zplan"))
            .map(|path| std::fs::read_to_string(path).unwrap())
            .collect();
        policies.extend((1..=4).map(|seed| crate::fleet::fleet_policy(12, seed)));
        policies.extend((1..=2).map(|seed| crate::fleet::backup_fleet_policy(6, seed)));
        let mut checked = 0;
        for policy in &policies {
            for (fresh, alerts) in alerts_of(policy) {
                for alert in alerts {
                    assert!(alert.warn >= fresh.bound, "{fresh:?} {alert:?}");
                    assert!(alert.crit > alert.warn, "{fresh:?} {alert:?}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 200, "{checked}");
    }

    #[test]
    fn an_hourly_snapshot_may_be_an_hour_later_than_a_frequent_one_and_a_copy_is_critical_at_its_outage() {
        let homelab = include_str!("../../examples/proxmox-homelab.zplan");
        let alerts = alerts_of(homelab);
        let (sent, sent_alerts) =
            alerts.iter().find(|(f, _)| f.dataset == "zpool2/photos" && f.side == Side::Snapshots).unwrap();
        let frequent = sent_alerts.iter().find(|a| a.kind == SnapshotKind::Frequently).unwrap();
        assert_eq!((frequent.warn, frequent.crit), (sent.bound, sent.bound + Duration(4 * 60)));
        let hourly = sent_alerts.iter().find(|a| a.kind == SnapshotKind::Hourly).unwrap();
        assert_eq!(hourly.warn, Duration(3_600 + 60));
        let (copy, copy_alerts) = alerts
            .iter()
            .find(|(f, _)| f.dataset == "zpool2/photos" && matches!(f.side, Side::Receives { .. }))
            .unwrap();
        let frequent = copy_alerts.iter().find(|a| a.kind == SnapshotKind::Frequently).unwrap();
        assert_eq!((frequent.warn, frequent.crit), (copy.bound, Duration(48 * 3_600)));
    }
}
