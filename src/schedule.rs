//! The arithmetic of recovery points: how often to snapshot and replicate so that the
//! worst-case loss stays within a pair's RPO, and how long a retention keeps a common
//! snapshot. Checks use it to refuse a policy; the plan uses it to write the timers.

use crate::model::{Duration, Pair, Retention, SnapshotKind, HOUR_DIVISORS};

/// The `AccuracySec=` every zplan timer sets, and the most each may fire late.
pub const TIMER_ACCURACY: Duration = Duration(1);

/// When a pair snapshots and replicates, and what that costs in the worst case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    pub snapshot_every: Duration,
    pub replicate_every: Duration,
    pub transfer: Duration,
}

impl Schedule {
    /// Data written just after a snapshot waits for the next snapshot, then for the next
    /// replication, each timer late by up to its accuracy, then for the transfer.
    pub fn worst_case(&self) -> Duration {
        self.snapshot_every + self.replicate_every + TIMER_ACCURACY + TIMER_ACCURACY + self.transfer
    }

    /// The worst case term by term, as diagnostics and generated files show it.
    pub fn arithmetic(&self) -> String {
        format!(
            "{} snapshot gap + {} replication gap + {} timer accuracy + {} transfer allowance = {}",
            self.snapshot_every,
            self.replicate_every,
            TIMER_ACCURACY + TIMER_ACCURACY,
            self.transfer,
            self.worst_case()
        )
    }

    /// The sanoid `frequent_period`, in minutes.
    pub fn frequent_period_minutes(&self) -> u64 {
        self.snapshot_every.seconds() / 60
    }
}

/// The least frequent schedule that meets the pair's RPO, or, when none does, the
/// fastest one it could have, to show how far off the RPO is.
pub fn choose(pair: &Pair) -> Result<Schedule, Schedule> {
    let pinned_snapshot = pair.snapshot_every.as_ref().map(|s| s.value);
    let pinned_replication = pair.replicate_every.as_ref().map(|s| s.value);
    let candidate = |minutes: u64| Schedule {
        snapshot_every: pinned_snapshot.unwrap_or(Duration::minutes(minutes)),
        replicate_every: pinned_replication.unwrap_or(Duration::minutes(minutes)),
        transfer: pair.transfer,
    };
    let fits = |schedule: &Schedule| schedule.worst_case() <= pair.rpo.value;
    HOUR_DIVISORS.iter().rev().map(|minutes| candidate(*minutes)).find(fits).ok_or_else(|| candidate(HOUR_DIVISORS[0]))
}

/// How many frequent snapshots to keep: what the retention says, else an hour's worth.
pub fn frequent_count(retention: &Retention, schedule: &Schedule) -> u32 {
    match retention.count(SnapshotKind::Frequently) {
        Some(count) => count.value,
        None => u32::try_from(3_600 / schedule.snapshot_every.seconds().max(1)).unwrap_or(u32::MAX),
    }
}

/// The span of time over which a retention still holds a snapshot taken at its start:
/// the longest count × period among its kinds.
pub fn horizon(retention: &Retention, schedule: &Schedule) -> Duration {
    SnapshotKind::ALL
        .iter()
        .map(|kind| {
            let count = match kind {
                SnapshotKind::Frequently => frequent_count(retention, schedule),
                other => retention.count(*other).map_or(0, |c| c.value),
            };
            let period = kind.fixed_period().unwrap_or(schedule.snapshot_every);
            Duration(period.seconds().saturating_mul(u64::from(count)))
        })
        .max()
        .unwrap_or_default()
}

/// How many times a role script must see the same role before a unit may act.
pub const ROLE_CHECKS: u32 = 3;

/// Seconds between two role checks.
pub const ROLE_CHECK_PAUSE_SECONDS: u32 = 2;

/// How often a node checks whether the NFS server of a followed pair should run on it.
pub const NFS_FOLLOW_PERIOD: Duration = Duration(15);

/// The longest zplan's own part of an NFS failover takes: the follow timer's period and
/// accuracy, then the role checks, before the server starts on the new active node.
pub fn nfs_follow_delay() -> Duration {
    let checks = Duration(u64::from((ROLE_CHECKS - 1) * ROLE_CHECK_PAUSE_SECONDS));
    NFS_FOLLOW_PERIOD + TIMER_ACCURACY + checks
}
