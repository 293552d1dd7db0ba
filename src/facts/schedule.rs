//! The arithmetic of recovery points: how often to snapshot and replicate so that the
//! worst-case loss stays within a pair's RPO, and how long a retention keeps a common
//! snapshot. Checks use it to refuse a policy; the plan uses it to write the timers and
//! zrepl's intervals.

use crate::model::{
    AddressMove, Duration, Engine, Mode, NfsServer, Pair, Policy, Retention, Roles, SnapshotKind, Spanned, Transfer,
    HOUR_DIVISORS,
};

/// The `AccuracySec=` every zplan timer sets, and the most each may fire late.
pub const TIMER_ACCURACY: Duration = Duration(1);

/// How replication follows the snapshots, which decides the terms of the worst case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cadence {
    /// sanoid snapshots and syncoid replicates, each on its own systemd timer.
    Timers,
    /// zrepl push: the source replicates right after each snapshot it takes.
    AfterEachSnapshot,
    /// zrepl pull: the source snapshots on its interval, the target pulls on its own.
    Polled,
}

impl Cadence {
    /// The cadence of a pair's engine and mode.
    pub fn of(pair: &Pair) -> Cadence {
        match (pair.engine.value, pair.mode()) {
            (Engine::Syncoid, _) => Cadence::Timers,
            (Engine::Zrepl, Mode::Push) => Cadence::AfterEachSnapshot,
            (Engine::Zrepl, Mode::Pull) => Cadence::Polled,
        }
    }
}

/// When a pair snapshots and replicates, and what that costs in the worst case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    pub snapshot_every: Duration,
    /// For [`Cadence::AfterEachSnapshot`], the snapshot interval itself.
    pub replicate_every: Duration,
    pub transfer: Duration,
    /// Where the transfer term comes from: an allowance, or an estimate from the changes
    /// and the rate they are sent at.
    pub transfer_basis: Transfer,
    pub cadence: Cadence,
}

impl Schedule {
    /// Data written just after a snapshot waits for the next snapshot, then for the
    /// replication that sends it, then for the transfer.
    pub fn worst_case(&self) -> Duration {
        self.terms().iter().fold(Duration(0), |sum, (term, _)| sum + *term)
    }

    /// The terms of the worst case, each with what it is; `None` is the transfer term,
    /// which [`Schedule::arithmetic`] describes with what it assumes.
    fn terms(&self) -> Vec<(Duration, Option<&'static str>)> {
        match self.cadence {
            Cadence::Timers => vec![
                (self.snapshot_every, Some("snapshot gap")),
                (self.replicate_every, Some("replication gap")),
                (TIMER_ACCURACY + TIMER_ACCURACY, Some("timer accuracy")),
                (self.transfer, None),
            ],
            Cadence::AfterEachSnapshot => vec![(self.snapshot_every, Some("snapshot interval")), (self.transfer, None)],
            Cadence::Polled => vec![
                (self.snapshot_every, Some("snapshot interval")),
                (self.replicate_every, Some("pull interval")),
                (self.transfer, None),
            ],
        }
    }

    /// How much time's worth of changes one transfer sends: a push sends each snapshot
    /// as it is taken; a timer or a pull sends every snapshot taken since the last run.
    fn sent_per_transfer(&self) -> Duration {
        sent_per_transfer(self.cadence, self.snapshot_every, self.replicate_every)
    }

    /// The worst case term by term, as diagnostics and generated files show it.
    pub fn arithmetic(&self) -> String {
        let transfer = self.transfer_basis.describe(self.sent_per_transfer());
        let terms: Vec<String> =
            self.terms().iter().map(|(term, what)| format!("{term} {}", what.unwrap_or(&transfer))).collect();
        format!("{} = {}", terms.join(" + "), self.worst_case())
    }

    /// zrepl discards the wake-up of a snapshot taken while the previous replication still
    /// runs, so a push pair's interval must leave room for one transfer.
    fn leaves_room_for_transfer(&self) -> bool {
        self.cadence != Cadence::AfterEachSnapshot || self.snapshot_every >= self.transfer
    }

    /// The sanoid `frequent_period`, in minutes.
    pub fn frequent_period_minutes(&self) -> u64 {
        self.snapshot_every.seconds() / 60
    }
}

/// The snapshot period of a pair that declares no `rpo` and no `snapshot-every`: sanoid's
/// own default `frequent_period`, which Debian's stock timer matches.
pub const UNDECLARED_SNAPSHOT_MINUTES: u64 = 15;

/// How a generated file judges a worst case: within the declared rpo, or, with none
/// declared, as what the declared cadence gives.
pub fn rpo_clause(rpo: Option<&Spanned<Duration>>, owner: &str) -> String {
    match rpo {
        Some(rpo) => format!("within {owner} rpo of {}", rpo.value),
        None => format!("the worst case of {owner} declared cadence (no rpo is declared)"),
    }
}

/// The least frequent schedule that meets the pair's RPO, or, when none does, the
/// fastest one it could have, to show how far off the RPO is. A pair without an `rpo`
/// (a static pair or a backup) gets the cadence it declares, snapshots every
/// [`UNDECLARED_SNAPSHOT_MINUTES`] unless pinned, and its worst case is stated, not judged.
pub fn choose(pair: &Pair) -> Result<Schedule, Schedule> {
    let cadence = Cadence::of(pair);
    let pinned_snapshot = pair.snapshot_every.as_ref().map(|s| s.value);
    let pinned_replication = pair.replicate_every.as_ref().map(|s| s.value);
    let candidate = |minutes: u64| {
        let snapshot_every = pinned_snapshot.unwrap_or(Duration::minutes(minutes));
        let replicate_every = match cadence {
            Cadence::AfterEachSnapshot => snapshot_every,
            _ => pinned_replication.unwrap_or(Duration::minutes(minutes)),
        };
        let transfer = pair.transfer.allowance(sent_per_transfer(cadence, snapshot_every, replicate_every));
        Schedule { snapshot_every, replicate_every, transfer, transfer_basis: pair.transfer, cadence }
    };
    let Some(rpo) = &pair.rpo else {
        return Ok(candidate(UNDECLARED_SNAPSHOT_MINUTES));
    };
    let candidates =
        || HOUR_DIVISORS.iter().map(|minutes| candidate(*minutes)).filter(Schedule::leaves_room_for_transfer);
    let fits = |schedule: &Schedule| schedule.worst_case() <= rpo.value && !pair.transfer.outpaces_rate();
    candidates().rfind(fits).ok_or_else(|| candidates().next().unwrap_or_else(|| candidate(HOUR_DIVISORS[0])))
}

fn sent_per_transfer(cadence: Cadence, snapshot_every: Duration, replicate_every: Duration) -> Duration {
    match cadence {
        Cadence::AfterEachSnapshot => snapshot_every,
        Cadence::Timers | Cadence::Polled => snapshot_every.max(replicate_every),
    }
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

/// The snapshots per dataset that an outage leaves for the first replication after it to
/// send: those the sender takes while replication is down and still holds when it resumes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PileUp {
    /// sanoid keeps pruning during an outage: of each kind, the snapshots the outage takes,
    /// but never more than the retention keeps of that kind.
    Pruned(Vec<(SnapshotKind, u64)>),
    /// zrepl keeps every snapshot not yet replicated (`not_replicated`): one per interval.
    Kept { every: Duration, count: u64 },
}

impl PileUp {
    /// How many snapshots per dataset wait to be sent.
    pub fn total(&self) -> u64 {
        match self {
            PileUp::Pruned(kinds) => kinds.iter().map(|(_, count)| count).sum(),
            PileUp::Kept { count, .. } => *count,
        }
    }

    /// What the total is made of, in words.
    pub fn makeup(&self) -> String {
        match self {
            PileUp::Pruned(kinds) if kinds.is_empty() => "the retention keeps none of what it takes".to_owned(),
            PileUp::Pruned(kinds) => {
                let counts: Vec<String> =
                    kinds.iter().map(|(kind, count)| format!("{count} {}", adjective(*kind))).collect();
                format!("of what it takes, the retention keeps {}", join_and(&counts))
            }
            PileUp::Kept { every, .. } => format!("one every {every}, each kept until it is sent"),
        }
    }

    /// The sentence the generated timers and jobs carry about an outage of `outage`.
    pub fn sentence(&self, outage: Duration) -> String {
        format!(
            "After an outage of {outage}, at most {} snapshots per dataset wait to be sent: {}.",
            self.total(),
            self.makeup()
        )
    }
}

/// How a kind is called in a count: `15 frequent`, `24 hourly`.
fn adjective(kind: SnapshotKind) -> &'static str {
    match kind {
        SnapshotKind::Frequently => "frequent",
        other => other.keyword(),
    }
}

/// `a`, `a and b`, `a, b and c`.
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [only] => only.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The shortest time between two snapshots of a kind, which bounds how many of them an
/// outage can take: sanoid's months can be 28 days apart, its years 365 (it runs in UTC).
fn shortest_gap(kind: SnapshotKind, schedule: &Schedule) -> Duration {
    match kind {
        SnapshotKind::Frequently => schedule.snapshot_every,
        SnapshotKind::Monthly => Duration(28 * 86_400),
        other => other.fixed_period().unwrap_or(schedule.snapshot_every),
    }
}

/// What an outage of `outage` leaves to send, per dataset. Snapshots at least `gap` apart
/// fall at most `ceil(outage / gap)` times within it.
pub fn pile_up(retention: &Retention, schedule: &Schedule, outage: Duration) -> PileUp {
    let taken = |gap: Duration| outage.seconds().div_ceil(gap.seconds().max(1));
    match schedule.cadence {
        Cadence::Timers => PileUp::Pruned(
            SnapshotKind::ALL
                .into_iter()
                .map(|kind| {
                    let kept = match kind {
                        SnapshotKind::Frequently => frequent_count(retention, schedule),
                        other => retention.count(other).map_or(0, |c| c.value),
                    };
                    (kind, taken(shortest_gap(kind, schedule)).min(u64::from(kept)))
                })
                .filter(|(_, count)| *count > 0)
                .collect(),
        ),
        _ => PileUp::Kept { every: schedule.snapshot_every, count: taken(schedule.snapshot_every) },
    }
}

/// A pile-up beyond this many snapshots per dataset is worth a warning: listing, sending
/// and destroying that many takes zfs a long time.
pub const PILE_UP_WARNING: u64 = 10_000;

/// How many times a role script must see the same role before a unit may act.
pub const ROLE_CHECKS: u32 = 3;

/// Seconds between two role checks.
pub const ROLE_CHECK_PAUSE_SECONDS: u32 = 2;

/// How often a node checks whether the NFS server of a followed pair should run on it.
pub const NFS_FOLLOW_PERIOD: Duration = Duration(15);

/// How long `nfs-server.service` may take to start once its gate lets it: `exportfs -r`,
/// then `rpc.nfsd`. An allowance, as `transfer` is: nothing bounds it.
pub const NFS_SERVER_START: Duration = Duration(5);

/// How often keepalived runs the role script that tracks a followed pair's active node
/// (`vrrp_script` `interval`), and how long one run may take (`timeout`): the script checks
/// the role 3 times, 2 s apart, and each `pvecm status` takes a moment, so a run may not fit
/// in less. Runs never overlap: keepalived skips a run while the last one still runs.
pub const TRACK_SCRIPT_INTERVAL: Duration = Duration(10);

/// The longest one run of the role script may take before keepalived counts it failed.
pub const TRACK_SCRIPT_TIMEOUT: Duration = TRACK_SCRIPT_INTERVAL;

/// How many runs in a row must agree before keepalived changes an instance's state (`rise`,
/// `fall`): one, as the role script already checks three times, and the follow script stops
/// nfs-server on one answer too.
pub const TRACK_SCRIPT_RUNS: u64 = 1;

/// VRRP's advertisement interval (`advert_int`), keepalived's default.
pub const VRRP_ADVERT_INTERVAL: Duration = Duration(1);

/// How many adverts a backup misses before it takes the address (RFC 5798's
/// Master_Down_Interval is 3 × the advert interval, plus the skew).
pub const VRRP_MISSED_ADVERTS: u64 = 3;

/// The priority of every zplan VRRP instance: both nodes alike, since the role script, not
/// the priority, decides which node may hold the address.
pub const VRRP_PRIORITY: u64 = 100;

/// One path to a working server after a failover, term by term.
type Path = Vec<(Duration, String)>;

/// The parts of a followed NFS server's failover that zplan and nfsd fix, term by term:
/// the follow timer notices the new role and checks it, nfs-server's own gate checks it
/// again, the server starts, and NFSv4 clients wait out its grace period (NLM clients too:
/// rpc.nfsd gives lockd the same grace) before they may open or lock anew. Where zplan also
/// moves the service address (keepalived), the address moves meanwhile, and the failover
/// ends when both are done; a server inside the followed guest counts from the guest's start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailoverBudget {
    /// How long the service address takes to reach the new active node, when zplan moves it.
    address: Option<Path>,
    /// From the role change to the end of nfsd's grace period on the new active node.
    server: Path,
    /// Whether the budget starts once Proxmox HA has started the guest the server runs in.
    from_guest_start: bool,
}

impl FailoverBudget {
    /// The budget of a server that follows a pair's role, with nfsd's grace and lease.
    pub fn followed(grace: Duration, lease: Duration) -> FailoverBudget {
        let checks = role_checks();
        let server = vec![
            (NFS_FOLLOW_PERIOD, "follow timer".to_owned()),
            (TIMER_ACCURACY, "timer accuracy".to_owned()),
            (checks, "role checks".to_owned()),
            (checks, "role checks of the server's gate".to_owned()),
            (NFS_SERVER_START, "server start".to_owned()),
            (grace_wait(grace, lease), grace_label(grace, lease)),
        ];
        FailoverBudget { address: None, server, from_guest_start: false }
    }

    /// The budget of a followed server whose address keepalived moves: the new active
    /// node's next track-script run, that run, then VRRP's takeover once no master
    /// advertises (the old master leaves its address as soon as its own run fails).
    pub fn followed_with_vrrp(grace: Duration, lease: Duration) -> FailoverBudget {
        let runs = Duration(TRACK_SCRIPT_INTERVAL.seconds() * TRACK_SCRIPT_RUNS);
        let address = vec![
            (runs, format!("track script interval × {TRACK_SCRIPT_RUNS} (rise and fall)")),
            (TRACK_SCRIPT_TIMEOUT, "track script run (its timeout)".to_owned()),
            (
                Duration(VRRP_ADVERT_INTERVAL.seconds() * VRRP_MISSED_ADVERTS),
                format!("{VRRP_MISSED_ADVERTS} missed adverts"),
            ),
            (vrrp_skew(), "VRRP skew".to_owned()),
        ];
        FailoverBudget { address: Some(address), ..FailoverBudget::followed(grace, lease) }
    }

    /// The budget of a server inside the followed guest, from the guest's start: its
    /// nfs-server starts and clients wait out the grace period. The address is the guest's
    /// own, up before nfs-server starts; moving the guest is Proxmox HA's part.
    pub fn in_guest(grace: Duration, lease: Duration) -> FailoverBudget {
        let server =
            vec![(NFS_SERVER_START, "server start".to_owned()), (grace_wait(grace, lease), grace_label(grace, lease))];
        FailoverBudget { address: None, server, from_guest_start: true }
    }

    /// The whole budget: the shortest failover the policy may declare.
    pub fn total(&self) -> Duration {
        let address = self.address.as_ref().map_or(Duration(0), sum);
        address.max(sum(&self.server))
    }

    /// How long the service address takes to move, when zplan moves it.
    pub fn address_move(&self) -> Option<Duration> {
        self.address.as_ref().map(sum)
    }

    /// The budget term by term, as diagnostics show it.
    pub fn arithmetic(&self) -> String {
        let server = format!("{} = {}", terms(&self.server), sum(&self.server));
        match &self.address {
            Some(address) => format!(
                "the later of the address, {} = {}, and the server, {server}: {}",
                terms(address),
                sum(address),
                self.total()
            ),
            None if self.from_guest_start => format!("{server}, from the guest's start"),
            None => server,
        }
    }
}

/// The fixed parts of a server's failover, for a server that follows a pair's role; a
/// static pair's failover is a person's work, and its target's nfsd is already running.
pub fn failover_budget(policy: &Policy, server: &NfsServer) -> Option<FailoverBudget> {
    if !matches!(policy.pairs[server.pair()?].roles, Roles::FollowsGuest { .. }) {
        return None;
    }
    let (grace, lease) = (server.grace(), server.lease());
    Some(match server.address_moves.as_ref().map(|moves| &moves.value) {
        Some(AddressMove::Keepalived { .. }) => FailoverBudget::followed_with_vrrp(grace, lease),
        Some(AddressMove::Guest { .. }) => FailoverBudget::in_guest(grace, lease),
        None => FailoverBudget::followed(grace, lease),
    })
}

fn sum(path: &Path) -> Duration {
    path.iter().fold(Duration(0), |sum, (term, _)| sum + *term)
}

fn terms(path: &Path) -> String {
    let terms: Vec<String> = path.iter().map(|(term, what)| format!("{term} {what}")).collect();
    terms.join(" + ")
}

/// RFC 5798's Skew_Time, (256 − priority) / 256 of an advert interval, in whole seconds
/// rounded up.
fn vrrp_skew() -> Duration {
    Duration(((256 - VRRP_PRIORITY) * VRRP_ADVERT_INTERVAL.seconds()).div_ceil(256))
}

/// The pauses between one role script's checks.
fn role_checks() -> Duration {
    Duration(u64::from((ROLE_CHECKS - 1) * ROLE_CHECK_PAUSE_SECONDS))
}

/// The longest nfsd's grace period lasts: its grace time, which the kernel stretches up to
/// twice the lease while clients are still reclaiming (fs/nfsd/nfs4state.c).
pub fn grace_wait(grace: Duration, lease: Duration) -> Duration {
    grace.max(Duration(lease.seconds().saturating_mul(2)))
}

fn grace_label(grace: Duration, lease: Duration) -> String {
    if grace_wait(grace, lease) > grace {
        format!("grace period (the {grace} grace, stretched to twice the {lease} lease while clients reclaim)")
    } else {
        "grace period".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule(snapshot: u64, replicate: u64, transfer: u64, cadence: Cadence) -> Schedule {
        Schedule {
            snapshot_every: Duration::minutes(snapshot),
            replicate_every: Duration::minutes(replicate),
            transfer: Duration::minutes(transfer),
            transfer_basis: Transfer::Declared(Duration::minutes(transfer)),
            cadence,
        }
    }

    #[test]
    fn a_followed_failover_counts_the_grace_period() {
        let budget = FailoverBudget::followed(Duration(30), Duration(15));
        assert_eq!(
            budget.arithmetic(),
            "15s follow timer + 1s timer accuracy + 4s role checks + 4s role checks of the server's gate + 5s server start + 30s grace period = 59s"
        );
        let vrrp = FailoverBudget::followed_with_vrrp(Duration(30), Duration(15));
        assert_eq!(
            vrrp.arithmetic(),
            "the later of the address, 10s track script interval × 1 (rise and fall) + 10s track script run (its timeout) + 3s 3 missed adverts + 1s VRRP skew = 24s, and the server, 15s follow timer + 1s timer accuracy + 4s role checks + 4s role checks of the server's gate + 5s server start + 30s grace period = 59s: 59s"
        );
        assert_eq!(vrrp.address_move(), Some(Duration(24)));
        let guest = FailoverBudget::in_guest(Duration(30), Duration(15));
        assert_eq!(guest.arithmetic(), "5s server start + 30s grace period = 35s, from the guest's start");
        assert_eq!(guest.total(), Duration(35));
        let linux = FailoverBudget::followed(Duration(90), Duration(90));
        assert_eq!(linux.total(), Duration(209));
        assert!(linux.arithmetic().ends_with(
            " + 3m grace period (the 1m30s grace, stretched to twice the 1m30s lease while clients reclaim) = 3m29s"
        ));
    }

    #[test]
    fn timers_add_both_gaps_and_their_accuracy() {
        let timers = schedule(4, 4, 1, Cadence::Timers);
        assert_eq!(
            timers.arithmetic(),
            "4m snapshot gap + 4m replication gap + 2s timer accuracy + 1m transfer allowance = 9m2s"
        );
    }

    #[test]
    fn a_zrepl_push_replicates_after_each_snapshot() {
        let push = schedule(1, 1, 1, Cadence::AfterEachSnapshot);
        assert_eq!(push.arithmetic(), "1m snapshot interval + 1m transfer allowance = 2m");
        assert!(!schedule(1, 1, 2, Cadence::AfterEachSnapshot).leaves_room_for_transfer());
    }

    fn retention(counts: &[(SnapshotKind, u32)]) -> Retention {
        use crate::model::Spanned;
        use crate::syntax::Span;
        Retention {
            name: Spanned::new("keep".to_owned(), Span::default()),
            counts: counts.iter().map(|(kind, count)| (*kind, Spanned::new(*count, Span::default()))).collect(),
            last: None,
            zrepl: None,
            times: Vec::new(),
            span: Span::default(),
        }
    }

    #[test]
    fn sanoid_piles_up_what_the_outage_takes_up_to_what_retention_keeps() {
        let production = retention(&[
            (SnapshotKind::Hourly, 24),
            (SnapshotKind::Daily, 7),
            (SnapshotKind::Weekly, 4),
            (SnapshotKind::Monthly, 6),
        ]);
        let pile_up = pile_up(&production, &schedule(4, 4, 1, Cadence::Timers), Duration(48 * 3_600));
        assert_eq!(pile_up.total(), 15 + 24 + 2 + 1 + 1);
        assert_eq!(
            pile_up.sentence(Duration(48 * 3_600)),
            "After an outage of 2d, at most 43 snapshots per dataset wait to be sent: of what it takes, the retention keeps 15 frequent, 24 hourly, 2 daily, 1 weekly and 1 monthly."
        );
    }

    #[test]
    fn a_month_can_hold_two_monthly_snapshots() {
        let monthly = retention(&[(SnapshotKind::Monthly, 12)]);
        let pile_up = pile_up(&monthly, &schedule(30, 30, 1, Cadence::Timers), Duration(29 * 86_400));
        assert_eq!(pile_up, PileUp::Pruned(vec![(SnapshotKind::Frequently, 2), (SnapshotKind::Monthly, 2)]));
    }

    #[test]
    fn zrepl_piles_up_one_snapshot_per_interval_whatever_the_retention() {
        let last_ten = Retention { last: Some(crate::model::Spanned::new(10, Default::default())), ..retention(&[]) };
        let pile_up = pile_up(&last_ten, &schedule(1, 1, 1, Cadence::AfterEachSnapshot), Duration(30 * 86_400));
        assert_eq!(pile_up, PileUp::Kept { every: Duration::minutes(1), count: 43_200 });
        assert_eq!(pile_up.makeup(), "one every 1m, each kept until it is sent");
    }

    #[test]
    fn a_zrepl_pull_adds_its_interval() {
        let pull = schedule(6, 6, 1, Cadence::Polled);
        assert_eq!(pull.arithmetic(), "6m snapshot interval + 6m pull interval + 1m transfer allowance = 13m");
    }
}
