//! The typed policy: what the user meant, with names resolved to indices. Spans stay on
//! the parts that later rules point at.

use std::fmt;
use std::net::IpAddr;

use super::nfsv4::NfsVersion;
pub use super::zrepl::*;
use crate::syntax::Span;

/// A value together with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

/// A span of time in whole seconds, written `30s 10m 1h 7d 2w` in a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Duration(pub u64);

impl Duration {
    pub const fn minutes(minutes: u64) -> Self {
        Duration(minutes * 60)
    }

    pub fn seconds(self) -> u64 {
        self.0
    }
}

impl std::ops::Add for Duration {
    type Output = Duration;
    fn add(self, other: Duration) -> Duration {
        Duration(self.0.saturating_add(other.0))
    }
}

impl fmt::Display for Duration {
    /// The compact form a user would write: `9m2s`, `2d`, `0s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [(u64, &str); 4] = [(86_400, "d"), (3_600, "h"), (60, "m"), (1, "s")];
        if self.0 == 0 {
            return f.write_str("0s");
        }
        let mut rest = self.0;
        for (size, unit) in UNITS {
            if rest >= size {
                write!(f, "{}{unit}", rest / size)?;
                rest %= size;
            }
        }
        Ok(())
    }
}

/// The operating system of a node, which decides the shape of its files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    Linux,
    FreeBsd,
}

impl Os {
    /// The keyword in a policy.
    pub fn keyword(self) -> &'static str {
        match self {
            Os::Linux => "linux",
            Os::FreeBsd => "freebsd",
        }
    }
}

/// The zrepl release a node runs: zplan writes only the keys that release accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ZreplVersion {
    /// zrepl 0.6.1, what Debian and the FreeBSD port ship: `jobs:` is required, and
    /// `include` and `timestamp_location` are unknown keys.
    V0_6,
    V0_7,
}

impl ZreplVersion {
    /// The version as a policy writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            ZreplVersion::V0_6 => "0.6",
            ZreplVersion::V0_7 => "0.7",
        }
    }
}

/// Where other hosts reach a node or an NFS server: an IP literal, or a DNS host name
/// (RFC 1123) that every tool resolves when it connects.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Address {
    Ip(IpAddr),
    Name(String),
}

impl Address {
    /// The IP literal, when the address is one.
    pub fn ip(&self) -> Option<IpAddr> {
        match self {
            Address::Ip(ip) => Some(*ip),
            Address::Name(_) => None,
        }
    }

    /// What two addresses are compared by: a canonical IP, or a name in lower case (DNS
    /// names are case-insensitive).
    pub fn identity(&self) -> Address {
        match self {
            Address::Ip(ip) => Address::Ip(ip.to_canonical()),
            Address::Name(name) => Address::Name(name.to_ascii_lowercase()),
        }
    }

    /// `HOST:SUFFIX` as URLs, fstab and zrepl write it: an IPv6 literal in brackets.
    pub fn with_suffix(&self, suffix: &str) -> String {
        match self {
            Address::Ip(IpAddr::V6(v6)) => format!("[{v6}]:{suffix}"),
            other => format!("{other}:{suffix}"),
        }
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::Ip(ip) => write!(f, "{ip}"),
            Address::Name(name) => f.write_str(name),
        }
    }
}

/// The account zplan's replication runs zfs as when a policy names none.
pub const ROOT_USER: &str = "root";

/// An ssh option zplan passes as it is: `option NAME VALUE` in an `ssh` statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshOption {
    pub name: Spanned<String>,
    pub value: Spanned<String>,
}

/// `ssh [user U] [port N] [key PATH] [option NAME VALUE]…`: how ssh reaches a node. In a
/// node, the defaults every peer uses to reach it; in a pair, what that pair's replication
/// uses instead. What is left out falls back to the node's, then to ssh's own.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Ssh {
    /// The account ssh logs in as on the node reached.
    pub user: Option<Spanned<String>>,
    pub port: Option<Spanned<u16>>,
    /// The private key, a path on the node that connects.
    pub key: Option<Spanned<String>>,
    pub options: Vec<SshOption>,
    /// Where the `ssh` statement is, when there is one.
    pub span: Option<Span>,
}

/// A machine that holds ZFS pools.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub name: Spanned<String>,
    pub address: Spanned<Address>,
    /// How peers reach this node over ssh.
    pub ssh: Ssh,
    /// `user U`: the account replication runs zfs as on this node (syncoid pairs), with
    /// `zfs allow` delegations instead of root; root when absent.
    pub user: Option<Spanned<String>>,
    pub os: Spanned<Os>,
    pub zrepl: ZreplVersion,
    /// The sanoid and syncoid release on the node: 2.1 (Debian 12) unless it says otherwise.
    pub sanoid: crate::model::tools::SanoidVersion,
    /// The node's zrepl logging, monitoring and TLS identity.
    pub zrepl_node: ZreplNode,
    /// `mountpoint DATASET PATH`: where the admin mounted datasets of this node, so that an
    /// export of them is proved to serve where they are.
    pub mountpoints: Vec<NodeMountpoint>,
}

/// `mountpoint DATASET PATH` in a node: the dataset (its name on that node, a copy's
/// landing name on a target) is mounted at the path there; below it, its children.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeMountpoint {
    pub dataset: Spanned<String>,
    pub path: Spanned<String>,
}

/// The kinds of snapshot sanoid takes, in sanoid's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SnapshotKind {
    Frequently,
    Hourly,
    Daily,
    Weekly,
    Monthly,
    Yearly,
}

impl SnapshotKind {
    pub const ALL: [SnapshotKind; 6] = [
        SnapshotKind::Frequently,
        SnapshotKind::Hourly,
        SnapshotKind::Daily,
        SnapshotKind::Weekly,
        SnapshotKind::Monthly,
        SnapshotKind::Yearly,
    ];

    /// The keyword in a policy and the key in sanoid.conf.
    pub fn keyword(self) -> &'static str {
        match self {
            SnapshotKind::Frequently => "frequently",
            SnapshotKind::Hourly => "hourly",
            SnapshotKind::Daily => "daily",
            SnapshotKind::Weekly => "weekly",
            SnapshotKind::Monthly => "monthly",
            SnapshotKind::Yearly => "yearly",
        }
    }

    /// How far apart sanoid takes this kind; `None` for frequently, whose period is planned.
    pub fn fixed_period(self) -> Option<Duration> {
        match self {
            SnapshotKind::Frequently => None,
            SnapshotKind::Hourly => Some(Duration(3_600)),
            SnapshotKind::Daily => Some(Duration(86_400)),
            SnapshotKind::Weekly => Some(Duration(7 * 86_400)),
            SnapshotKind::Monthly => Some(Duration(31 * 86_400)),
            SnapshotKind::Yearly => Some(Duration(365 * 86_400)),
        }
    }
}

/// How many snapshots of each kind to keep, and how many of the newest to keep whatever
/// their kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retention {
    pub name: Spanned<String>,
    pub counts: Vec<(SnapshotKind, Spanned<u32>)>,
    /// `last N`: the newest N snapshots.
    pub last: Option<Spanned<u32>>,
    /// `grid …` or `all`: a retention only zrepl can keep, written its way.
    pub zrepl: Option<Spanned<ZreplRetention>>,
    /// When in its hour, day, week, month or year sanoid takes each kind, where declared
    /// (`daily 14 at 23:30`).
    pub times: Vec<(SnapshotKind, Spanned<SnapshotTime>)>,
    pub span: Span,
}

/// When sanoid takes one kind of snapshot: the parts a policy declared, each already in
/// sanoid's range (minute 0-59, hour 0-23, weekday 0-6 from Sunday, day 1-28, month 1-12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SnapshotTime {
    pub month: Option<u8>,
    pub day_of_month: Option<u8>,
    pub weekday: Option<u8>,
    pub hour: Option<u8>,
    pub minute: Option<u8>,
}

impl Retention {
    /// When the retention takes a kind, if it says.
    pub fn time(&self, kind: SnapshotKind) -> Option<&Spanned<SnapshotTime>> {
        self.times.iter().find(|(k, _)| *k == kind).map(|(_, time)| time)
    }

    /// The declared count of a kind, if any.
    pub fn count(&self, kind: SnapshotKind) -> Option<&Spanned<u32>> {
        self.counts.iter().find(|(k, _)| *k == kind).map(|(_, count)| count)
    }
}

/// The replication engine a pair uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Syncoid,
    Zrepl,
}

impl Engine {
    /// The keyword in a policy.
    pub fn keyword(self) -> &'static str {
        match self {
            Engine::Syncoid => "syncoid",
            Engine::Zrepl => "zrepl",
        }
    }
}

/// How a zrepl pair's two jobs reach each other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    /// Plain TCP, authenticated by source address only: for a private network or a tunnel.
    Tcp { port: u16 },
    /// TLS with certificates whose common names are the node names.
    Tls { port: u16, ca: String, cert: Option<String>, key: Option<String> },
    /// ssh to `zrepl stdinserver` on the serving node.
    Ssh { port: u16, user: String, identity: Option<String> },
    /// Both jobs in one daemon: a pair whose source and target are the same node.
    Local,
}

impl Transport {
    /// The keyword in a policy.
    pub fn keyword(&self) -> &'static str {
        match self {
            Transport::Tcp { .. } => "tcp",
            Transport::Tls { .. } => "tls",
            Transport::Ssh { .. } => "ssh",
            Transport::Local => "local",
        }
    }
}

/// Which side of a zrepl pair drives replication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The source snapshots and pushes to a sink on the target, right after each snapshot.
    Push,
    /// The source snapshots and serves; the target pulls on its own schedule.
    Pull,
}

/// A zrepl `send` option a pair may set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SendOption {
    Encrypted,
    Raw,
    Compressed,
    LargeBlocks,
    EmbeddedData,
    Properties,
    BackupProperties,
    Saved,
}

impl SendOption {
    pub const ALL: [SendOption; 8] = [
        SendOption::Encrypted,
        SendOption::Raw,
        SendOption::Compressed,
        SendOption::LargeBlocks,
        SendOption::EmbeddedData,
        SendOption::Properties,
        SendOption::BackupProperties,
        SendOption::Saved,
    ];

    /// The keyword in a policy.
    pub fn keyword(self) -> &'static str {
        match self {
            SendOption::Encrypted => "encrypted",
            SendOption::Raw => "raw",
            SendOption::Compressed => "compressed",
            SendOption::LargeBlocks => "large-blocks",
            SendOption::EmbeddedData => "embedded-data",
            SendOption::Properties => "properties",
            SendOption::BackupProperties => "backup-properties",
            SendOption::Saved => "saved",
        }
    }

    /// The letter of `zfs send` that syncoid's `--sendoptions` passes for the option, for
    /// the options syncoid can send with; zrepl's `encrypted`, `backup-properties` and
    /// `saved` have none.
    pub fn syncoid_letter(self) -> Option<char> {
        match self {
            SendOption::Raw => Some('w'),
            SendOption::Compressed => Some('c'),
            SendOption::LargeBlocks => Some('L'),
            SendOption::EmbeddedData => Some('e'),
            SendOption::Properties => Some('p'),
            SendOption::Encrypted | SendOption::BackupProperties | SendOption::Saved => None,
        }
    }

    /// The key in zrepl's `send` section.
    pub fn zrepl_key(self) -> &'static str {
        match self {
            SendOption::Encrypted => "encrypted",
            SendOption::Raw => "raw",
            SendOption::Compressed => "compressed",
            SendOption::LargeBlocks => "large_blocks",
            SendOption::EmbeddedData => "embedded_data",
            SendOption::Properties => "send_properties",
            SendOption::BackupProperties => "backup_properties",
            SendOption::Saved => "saved",
        }
    }
}

/// One `send` option and whether it is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendFlag {
    pub option: SendOption,
    pub on: bool,
}

/// The binary unit of a size, as a policy writes it (`K` is KiB).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SizeUnit {
    K,
    M,
    G,
    T,
    P,
}

impl SizeUnit {
    /// The letter a policy writes.
    pub fn letter(self) -> &'static str {
        match self {
            SizeUnit::K => "K",
            SizeUnit::M => "M",
            SizeUnit::G => "G",
            SizeUnit::T => "T",
            SizeUnit::P => "P",
        }
    }

    fn power(self) -> u32 {
        match self {
            SizeUnit::K => 1,
            SizeUnit::M => 2,
            SizeUnit::G => 3,
            SizeUnit::T => 4,
            SizeUnit::P => 5,
        }
    }
}

/// An amount of bytes written `500M` or `2T`, kept with its unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    pub amount: u64,
    pub unit: SizeUnit,
}

impl Size {
    /// The size in bytes, if it fits in 64 bits.
    pub fn bytes(self) -> Option<u64> {
        1024_u64.checked_pow(self.unit.power()).and_then(|scale| self.amount.checked_mul(scale))
    }

    /// The smallest whole size in the largest unit that is at least `bytes`, at least `1K`:
    /// how a policy would write a rate that suffices.
    pub fn at_least(bytes: u64) -> Size {
        let units = [SizeUnit::K, SizeUnit::M, SizeUnit::G, SizeUnit::T, SizeUnit::P];
        let unit = units.into_iter().rev().find(|unit| 1024_u64.pow(unit.power()) <= bytes).unwrap_or(SizeUnit::K);
        Size { amount: bytes.div_ceil(1024_u64.pow(unit.power())).max(1), unit }
    }
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.amount, self.unit.letter())
    }
}

/// How long one incremental transfer may take, a term of every pair's worst case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transfer {
    /// Nothing declared: [`Transfer::DEFAULT`].
    Default,
    /// `transfer 5m`.
    Declared(Duration),
    /// `changes 20G per day`, sent at `rate`; the spans are of the `changes` statement and
    /// of the statement whose rate the estimate uses.
    Estimated { changes: Size, per: Duration, rate: SendRate, changes_span: Span, rate_span: Span },
}

impl Transfer {
    /// The allowance when a pair declares nothing.
    pub const DEFAULT: Duration = Duration::minutes(1);

    /// The time to send what is written during one snapshot interval, at least a second.
    pub fn allowance(&self, interval: Duration) -> Duration {
        match self {
            Transfer::Default => Transfer::DEFAULT,
            Transfer::Declared(duration) => *duration,
            Transfer::Estimated { changes, per, rate, .. } => {
                let written = u128::from(changes.bytes().unwrap_or(u64::MAX)) * u128::from(interval.seconds())
                    / u128::from(per.seconds().max(1));
                let speed = u128::from(rate.bytes_per_second());
                Duration(u64::try_from(written.div_ceil(speed)).unwrap_or(u64::MAX).max(1))
            }
        }
    }

    /// Whether the declared changes arrive faster than they can be sent: then every
    /// transfer takes longer than the interval it sends, and replication falls behind
    /// without end, whatever the schedule.
    pub fn outpaces_rate(&self) -> bool {
        match self {
            Transfer::Estimated { changes, per, rate, .. } => {
                let written = u128::from(changes.bytes().unwrap_or(u64::MAX));
                written > u128::from(rate.bytes_per_second()) * u128::from(per.seconds())
            }
            _ => false,
        }
    }

    /// The slowest rate at which the declared changes keep up, for an estimate.
    pub fn rate_needed(&self) -> Option<Size> {
        match self {
            Transfer::Estimated { changes, per, .. } => {
                Some(Size::at_least(changes.bytes().unwrap_or(u64::MAX).div_ceil(per.seconds().max(1))))
            }
            _ => None,
        }
    }

    /// The term as the worst-case arithmetic shows it, for one snapshot `interval`: what it
    /// is and, for an estimate, what it assumes.
    pub fn describe(&self, interval: Duration) -> String {
        match self {
            Transfer::Estimated { changes, per, rate, .. } => {
                format!("transfer estimate ({changes} per {} over {interval}, {})", per_word(*per), rate.describe())
            }
            _ => "transfer allowance".to_owned(),
        }
    }
}

/// A rate's bytes per second, at least one.
fn per_second(rate: Size) -> u64 {
    rate.bytes().unwrap_or(u64::MAX).max(1)
}

/// `hour` or `day`, the units `changes` is written in.
pub fn per_word(per: Duration) -> &'static str {
    if per.seconds() == 3_600 {
        "hour"
    } else {
        "day"
    }
}

/// How fast an estimated transfer goes: the declared `link`, zrepl's `bandwidth-limit`, or
/// the slower of the two when both are declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendRate {
    /// `link 100M` alone.
    Link(Size),
    /// `bandwidth-limit 2M` alone: the link is assumed to carry at least that.
    Limit(Size),
    /// Both: the slower one decides.
    Both { link: Size, limit: Size },
}

impl SendRate {
    /// The rate in bytes per second: the slower of what is declared, at least one byte.
    pub fn bytes_per_second(self) -> u64 {
        match self {
            SendRate::Link(link) => per_second(link),
            SendRate::Limit(limit) => per_second(limit),
            SendRate::Both { link, limit } => per_second(link).min(per_second(limit)),
        }
    }

    /// Whether the bandwidth limit, not the link, is what slows the transfer down.
    pub fn is_limited(self) -> bool {
        match self {
            SendRate::Link(_) => false,
            SendRate::Limit(_) => true,
            SendRate::Both { link, limit } => per_second(limit) < per_second(link),
        }
    }

    /// Which rate the estimate uses, and why.
    pub fn describe(self) -> String {
        match self {
            SendRate::Link(link) => format!("at the {link}/s `link`"),
            SendRate::Limit(limit) => format!("at the {limit}/s `bandwidth-limit`; no `link` declared"),
            SendRate::Both { link, limit } if self.is_limited() => {
                format!("at the {limit}/s `bandwidth-limit`, slower than the {link}/s `link`")
            }
            SendRate::Both { link, limit } => {
                format!("at the {link}/s `link`, no faster than the {limit}/s `bandwidth-limit`")
            }
        }
    }
}

/// Which node of a pair is active, and how that is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Roles {
    /// The active node is the one hosting a Proxmox guest, decided at run time.
    FollowsGuest { guest: Spanned<u32> },
    /// The first node of the pair is always the source.
    Static,
}

/// One dataset a pair replicates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replicated {
    pub dataset: Spanned<String>,
    pub recursive: bool,
    /// Where the dataset is mounted on every node that serves it: both nodes of a followed
    /// pair, a static pair's source, and its target's read-only copy. Without it the dataset
    /// mounts at ZFS's default, `/` + its name, and a static target's copy is not mounted.
    pub mount: Option<Spanned<String>>,
    /// `exclude DATASET…`: subtrees of a recursive dataset that are not replicated.
    pub exclude: Vec<Spanned<String>>,
    /// `as COPY`: the dataset the target receives it into, whatever the pair's `under`.
    pub copy: Option<Spanned<String>>,
    /// `replicate DATASET children`: its descendants are replicated (it is `recursive`),
    /// the dataset itself is neither snapshotted nor received (syncoid's `--skip-parent`,
    /// sanoid's `process_children_only`): a pool's children land under the copy's name,
    /// not in a copy of the pool's root.
    pub children_only: bool,
}

/// The keyword a pair was written with: messages, runbooks and units say it the admin's way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairKind {
    /// `pair NAME { … }`: a followed or a static pair.
    Pair,
    /// `backup NAME { source A; target B … }`: a static one-way pair.
    Backup,
}

impl PairKind {
    /// The keyword in a policy, and the word messages use.
    pub fn keyword(self) -> &'static str {
        match self {
            PairKind::Pair => "pair",
            PairKind::Backup => "backup",
        }
    }

    /// The keyword at the start of a sentence or a title.
    pub fn title(self) -> &'static str {
        match self {
            PairKind::Pair => "Pair",
            PairKind::Backup => "Backup",
        }
    }
}

/// A day of the week, for a weekly replication (`on sun`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    pub const ALL: [Weekday; 7] =
        [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];

    /// The keyword in a policy (`mon` … `sun`).
    pub fn keyword(self) -> &'static str {
        match self {
            Weekday::Mon => "mon",
            Weekday::Tue => "tue",
            Weekday::Wed => "wed",
            Weekday::Thu => "thu",
            Weekday::Fri => "fri",
            Weekday::Sat => "sat",
            Weekday::Sun => "sun",
        }
    }

    /// The spelling systemd's `OnCalendar=` takes.
    pub fn systemd(self) -> &'static str {
        match self {
            Weekday::Mon => "Mon",
            Weekday::Tue => "Tue",
            Weekday::Wed => "Wed",
            Weekday::Thu => "Thu",
            Weekday::Fri => "Fri",
            Weekday::Sat => "Sat",
            Weekday::Sun => "Sun",
        }
    }
}

/// When in its period a daily or weekly replication starts, in UTC as sanoid's snapshots:
/// `replicate-every 1d at 05:05`, `replicate-every 1w on sun at 03:00`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StartTime {
    pub hour: u8,
    pub minute: u8,
    /// The day of a weekly replication; `None` for a daily one.
    pub day: Option<Weekday>,
}

impl fmt::Display for StartTime {
    /// As a policy writes it: `on sun at 03:00`, `at 05:05`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(day) = self.day {
            write!(f, "on {} ", day.keyword())?;
        }
        write!(f, "at {:02}:{:02}", self.hour, self.minute)
    }
}

/// Two nodes, one active, replicating datasets from the active to the standby.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    pub name: Spanned<String>,
    /// Whether the policy wrote it as a `pair` or a `backup`.
    pub kind: PairKind,
    /// Indices into [`Policy::nodes`]; for a static pair, source then target.
    pub nodes: [usize; 2],
    /// Where the two nodes are named in the pair.
    pub node_spans: [Span; 2],
    pub engine: Spanned<Engine>,
    pub roles: Roles,
    /// `target NODE under DATASET`: the dataset the target receives under.
    pub target_root: Option<Spanned<String>>,
    /// `target NODE under DATASET without-pool`: copies land under the root without the
    /// source's pool name (`tank/home` → `ROOT/home`); where `without-pool` is written.
    pub without_pool: Option<Span>,
    /// syncoid's own options, from the pair's statements.
    pub syncoid: SyncoidOptions,
    /// Warning codes the policy acknowledges for this pair (`allow W0615`).
    pub allowed: Vec<Spanned<String>>,
    pub transport: Option<Spanned<Transport>>,
    pub mode: Option<Spanned<Mode>>,
    pub send: Vec<Spanned<SendFlag>>,
    pub bandwidth_limit: Option<Spanned<Size>>,
    /// The declared RPO; a static pair or a backup may leave it out, and zplan then states
    /// the worst case of the cadence it was given.
    pub rpo: Option<Spanned<Duration>>,
    pub outage: Option<Spanned<Duration>>,
    /// `alert-after D`: the admin's own threshold for "the copies are too old", instead of
    /// the proved worst case.
    pub alert_after: Option<Spanned<Duration>>,
    pub transfer: Transfer,
    pub snapshot_every: Option<Spanned<Duration>>,
    pub replicate_every: Option<Spanned<Duration>>,
    /// `at HH:MM` and `on DAY` of a daily or weekly `replicate-every`.
    pub replicate_at: Option<Spanned<StartTime>>,
    /// Index into [`Policy::retentions`].
    pub retention: usize,
    /// The receiver's own retention, when it differs; index into [`Policy::retentions`].
    pub target_retention: Option<Spanned<usize>>,
    pub datasets: Vec<Replicated>,
    /// Refuse to replicate when the source is below this percentage of the target.
    pub guard_percent: Option<Spanned<u8>>,
    /// How this pair's replication reaches the peer over ssh, over the nodes' own `ssh`.
    pub ssh: Ssh,
    /// `user U`: the account replication runs zfs as on both nodes, over the nodes' `user`.
    pub user: Option<Spanned<String>>,
    /// zrepl's replication protection and placeholder encryption.
    pub zrepl_options: ZreplPair,
}

/// A transport compression method of syncoid's `--compress`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    PigzFast,
    PigzSlow,
    ZstdFast,
    ZstdSlow,
    ZstdmtFast,
    ZstdmtSlow,
    Lz4,
    Xz,
    Lzo,
}

impl Compression {
    pub const ALL: [Compression; 11] = [
        Compression::None,
        Compression::Gzip,
        Compression::PigzFast,
        Compression::PigzSlow,
        Compression::ZstdFast,
        Compression::ZstdSlow,
        Compression::ZstdmtFast,
        Compression::ZstdmtSlow,
        Compression::Lz4,
        Compression::Xz,
        Compression::Lzo,
    ];

    /// The method as a policy and syncoid write it.
    pub fn keyword(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
            Compression::PigzFast => "pigz-fast",
            Compression::PigzSlow => "pigz-slow",
            Compression::ZstdFast => "zstd-fast",
            Compression::ZstdSlow => "zstd-slow",
            Compression::ZstdmtFast => "zstdmt-fast",
            Compression::ZstdmtSlow => "zstdmt-slow",
            Compression::Lz4 => "lz4",
            Compression::Xz => "xz",
            Compression::Lzo => "lzo",
        }
    }

    /// The first syncoid release that knows the method: older ones warn and fall back to
    /// `lzo` (syncoid 2.1.0 `compressargset`), which is not what the policy asked for.
    pub fn since(self) -> crate::model::tools::SanoidVersion {
        match self {
            Compression::ZstdmtFast | Compression::ZstdmtSlow => crate::model::tools::SanoidVersion::V2_3,
            _ => crate::model::tools::SanoidVersion::V2_1,
        }
    }
}

/// syncoid's options that a pair may set beyond what zplan always passes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SyncoidOptions {
    /// `compress METHOD`: `--compress=METHOD`.
    pub compress: Option<Spanned<Compression>>,
    /// `preserve-properties`: `--preserve-properties` (syncoid 2.2).
    pub preserve_properties: Option<Span>,
    /// `delete-target-snapshots`: `--delete-target-snapshots` (syncoid 2.2).
    pub delete_target_snapshots: Option<Span>,
    /// `mbuffer-size SIZE`: `--mbuffer-size=SIZE`.
    pub mbuffer_size: Option<Spanned<Size>>,
}

/// How far below its dataset a node's snapshot statement reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// The dataset alone.
    Single,
    /// The dataset and every descendant, each snapshotted on its own (`recursive`).
    Recursive,
    /// The dataset and every descendant in one `zfs snapshot -r` (`recursive atomic`).
    Atomic,
    /// Every descendant, not the dataset itself (`children-only`).
    ChildrenOnly,
}

impl Depth {
    /// Whether descendants are covered.
    pub fn reaches_children(self) -> bool {
        self != Depth::Single
    }
}

/// The tool that takes and prunes a node's own snapshots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnapshotEngine {
    /// sanoid, from a systemd timer.
    Sanoid,
    /// a zrepl `snap` job with its own pruning.
    Zrepl,
}

impl SnapshotEngine {
    /// The keyword in a policy.
    pub fn keyword(self) -> &'static str {
        match self {
            SnapshotEngine::Sanoid => "sanoid",
            SnapshotEngine::Zrepl => "zrepl",
        }
    }
}

/// `snapshot DATASET … retention NAME` in a node: a dataset the node snapshots and prunes
/// by its own policy, whether or not anything replicates it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeSnapshot {
    /// Index into [`Policy::nodes`].
    pub node: usize,
    pub dataset: Spanned<String>,
    pub depth: Spanned<Depth>,
    /// Index into [`Policy::retentions`], where it is named.
    pub retention: Spanned<usize>,
    /// `every D`: the period of frequent snapshots; sanoid's 15 minutes when absent.
    pub every: Option<Spanned<Duration>>,
    pub engine: Spanned<SnapshotEngine>,
    /// The whole statement.
    pub span: Span,
}

impl NodeSnapshot {
    /// The period of frequent snapshots: declared, or sanoid's default of 15 minutes.
    pub fn frequent_period(&self) -> Duration {
        self.every.as_ref().map_or(DEFAULT_FREQUENT_PERIOD, |every| every.value)
    }

    /// Whether the statement covers `dataset`: itself (unless children only) or a descendant.
    pub fn covers(&self, dataset: &str) -> bool {
        let own = &self.dataset.value;
        let below = dataset.strip_prefix(own.as_str()).is_some_and(|rest| rest.starts_with('/'));
        match self.depth.value {
            Depth::Single => own == dataset,
            Depth::ChildrenOnly => below,
            Depth::Recursive | Depth::Atomic => own == dataset || below,
        }
    }
}

/// sanoid's own `frequent_period`, the period of frequent snapshots when a node's snapshot
/// statement gives no `every`.
pub const DEFAULT_FREQUENT_PERIOD: Duration = Duration::minutes(15);

/// Whether dataset `inner` is `outer` or, when `recursive`, below it: the one test of
/// dataset ancestry that every overlap rule uses.
pub fn covers(outer: &str, recursive: bool, inner: &str) -> bool {
    outer == inner || recursive && inner.strip_prefix(outer).is_some_and(|rest| rest.starts_with('/'))
}

impl Replicated {
    /// Whether the replication of this entry sends `dataset`: covered, and not excluded.
    pub fn sends(&self, dataset: &str) -> bool {
        covers(&self.dataset.value, self.recursive, dataset)
            && !self.exclude.iter().any(|excluded| covers(&excluded.value, true, dataset))
    }
}

impl Pair {
    /// The nodes that may hold the active role: both of a followed pair, the source of a static one.
    pub fn active_nodes(&self) -> &[usize] {
        match self.roles {
            Roles::FollowsGuest { .. } => &self.nodes,
            Roles::Static => &self.nodes[..1],
        }
    }

    /// The nodes that may hold the standby role and receive: both of a followed pair, the target of a static one.
    pub fn standby_nodes(&self) -> &[usize] {
        match self.roles {
            Roles::FollowsGuest { .. } => &self.nodes,
            Roles::Static => &self.nodes[1..],
        }
    }

    /// Which side drives a zrepl pair; push unless the policy says otherwise.
    pub fn mode(&self) -> Mode {
        self.mode.as_ref().map_or(Mode::Push, |mode| mode.value)
    }

    /// Whether the source and target are fixed by the policy.
    pub fn is_static(&self) -> bool {
        self.roles == Roles::Static
    }

    /// `pair storage` or `backup nightly`, as messages name it.
    pub fn label(&self) -> String {
        format!("{} `{}`", self.kind.keyword(), self.name.value)
    }

    /// Whether the target runs the replication and fetches from the source: a zrepl pull
    /// job, or syncoid run on the target.
    pub fn target_drives(&self) -> bool {
        self.is_static() && self.mode() == Mode::Pull
    }

    /// The retention the receiving side keeps.
    pub fn receiver_retention(&self) -> usize {
        self.target_retention.as_ref().map_or(self.retention, |r| r.value)
    }
}

/// Who an export is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientSpec {
    Address(IpAddr),
    Network(IpAddr, u8),
    /// A single host by its DNS name, which exports(5) resolves when it reads the export.
    Host(String),
    /// Host names matching an exports(5) pattern (`*.lan`, `nas?.lan`, `nas[0-9].lan`),
    /// matched against the name a client's address resolves back to.
    Wildcard(String),
    /// The hosts of an NIS netgroup, by its name without the `@`.
    Netgroup(String),
    /// `*`: every client, whatever its address or name.
    Everyone,
}

impl ClientSpec {
    /// Whether the spec may match more than one host: a network, a pattern, a netgroup or
    /// everyone.
    pub fn is_group(&self) -> bool {
        !matches!(self, ClientSpec::Address(_) | ClientSpec::Host(_))
    }

    /// Whether the spec matches every client: `*`, a pattern with no literal letter or
    /// digit outside its classes (`*.*`, `?*`, `[a-z]*`), or a network of prefix length 0.
    pub fn is_world(&self) -> bool {
        match self {
            ClientSpec::Everyone => true,
            ClientSpec::Network(_, prefix) => *prefix == 0,
            ClientSpec::Wildcard(pattern) => !has_literal(pattern),
            ClientSpec::Address(_) | ClientSpec::Host(_) | ClientSpec::Netgroup(_) => false,
        }
    }
}

/// Whether a host name pattern names a letter or digit of its own, outside `[…]` classes.
fn has_literal(pattern: &str) -> bool {
    let mut in_class = false;
    pattern.chars().any(|ch| match ch {
        '[' => {
            in_class = true;
            false
        }
        ']' => {
            in_class = false;
            false
        }
        _ => !in_class && ch.is_ascii_alphanumeric(),
    })
}

impl fmt::Display for ClientSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientSpec::Address(address) => write!(f, "{address}"),
            ClientSpec::Network(address, prefix) => write!(f, "{address}/{prefix}"),
            ClientSpec::Host(name) | ClientSpec::Wildcard(name) => f.write_str(name),
            ClientSpec::Netgroup(name) => write!(f, "@{name}"),
            ClientSpec::Everyone => f.write_str("*"),
        }
    }
}

/// An option as it will be written: a name and an optional value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionSetting {
    pub name: &'static str,
    pub value: Option<String>,
}

impl fmt::Display for OptionSetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            Some(value) => write!(f, "{}={value}", self.name),
            None => f.write_str(self.name),
        }
    }
}

/// The hosts an export serves and with which options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportClient {
    pub who: Spanned<ClientSpec>,
    pub options: Vec<Spanned<OptionSetting>>,
}

impl ExportClient {
    /// The security flavours the client may use, the server's preferred first: its `sec`
    /// list, or `sys`, exports(5)'s default, when it gives none.
    pub fn security_flavours(&self) -> Vec<&str> {
        let sec = self.options.iter().find(|option| option.value.name == "sec");
        match sec.and_then(|option| option.value.value.as_deref()) {
            Some(list) => list.split(':').collect(),
            None => vec!["sys"],
        }
    }
}

/// A path an NFS server exports, and the replicated dataset behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    pub path: Spanned<String>,
    pub dataset: Spanned<String>,
    pub fsid: Option<Spanned<u32>>,
    pub clients: Vec<ExportClient>,
}

/// Where an NFS server runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerOn {
    /// `on pair P` (index into [`Policy::pairs`]): where a followed pair is active, or on a
    /// static pair's source with its target serving the copies read-only.
    Pair(usize),
    /// `on node N` (index into [`Policy::nodes`]): always that node, a plain file server.
    Node(usize),
}

/// An NFS server: a name clients mount through its address, and its exports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NfsServer {
    pub name: Spanned<String>,
    pub on: ServerOn,
    /// What clients mount: declared, or on a node server the node's own address.
    pub address: Spanned<Address>,
    /// How long clients wait while the server moves; declared on a pair's server only.
    pub failover: Option<Spanned<Duration>>,
    /// `grace 30s`: nfsd's grace period after it starts, if declared.
    pub grace: Option<Spanned<Duration>>,
    /// `lease 15s`: the NFSv4 lease nfsd grants, if declared.
    pub lease: Option<Spanned<Duration>>,
    /// `root /srv/nfs`: the NFSv4 pseudo-root (`fsid=0`) clients mount paths relative to.
    pub root: Option<Spanned<String>>,
    /// `versions 4.2`: the versions nfsd offers, oldest first, if declared.
    pub versions: Option<Spanned<Vec<NfsVersion>>>,
    /// `threads 16`: how many nfsd threads run, if declared.
    pub threads: Option<Spanned<u32>>,
    pub exports: Vec<Export>,
    /// Warning codes the policy acknowledges for this server (`allow W0603`).
    pub allowed: Vec<Spanned<String>>,
    /// `address-moves …`: how the service address follows the active node, if declared.
    pub address_moves: Option<Spanned<AddressMove>>,
}

/// How the address clients mount moves to the node that serves, so that the address and
/// the NFS server never part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddressMove {
    /// keepalived on both nodes holds the address in a VRRP instance on `interface`, which
    /// the role script keeps in its fault state on every node but the active one.
    Keepalived { interface: Spanned<String>, router_id: Option<Spanned<u8>> },
    /// The NFS server runs inside the followed Proxmox container, whose own address moves
    /// with it; `host` is the container's output directory.
    Guest { host: Spanned<String> },
}

impl NfsServer {
    /// The container an NFS server runs in, when it runs in the followed guest.
    pub fn guest_host(&self) -> Option<&Spanned<String>> {
        match &self.address_moves.as_ref()?.value {
            AddressMove::Guest { host } => Some(host),
            AddressMove::Keepalived { .. } => None,
        }
    }

    /// The interface and declared router id of a server whose address keepalived moves.
    pub fn keepalived(&self) -> Option<(&Spanned<String>, Option<&Spanned<u8>>)> {
        match &self.address_moves.as_ref()?.value {
            AddressMove::Keepalived { interface, router_id } => Some((interface, router_id.as_ref())),
            AddressMove::Guest { .. } => None,
        }
    }
}

/// The grace period zplan gives nfsd when a policy declares none: long enough for every
/// client to notice the restart within a lease and reclaim, short enough for a failover
/// within a minute.
pub const DEFAULT_NFS_GRACE: Duration = Duration(30);

/// The NFSv4 lease zplan gives nfsd when a policy declares none: clients renew within it,
/// and a server restart ends their state after it.
pub const DEFAULT_NFS_LEASE: Duration = Duration(15);

/// The shortest and longest grace or lease the kernel's nfsd accepts (fs/nfsd/nfsctl.c).
pub const NFSD_TIME_RANGE: (Duration, Duration) = (Duration(10), Duration(3_600));

impl NfsServer {
    /// The pair the server follows or serves, if it is placed on one.
    pub fn pair(&self) -> Option<usize> {
        match self.on {
            ServerOn::Pair(pair) => Some(pair),
            ServerOn::Node(_) => None,
        }
    }

    /// The grace period nfsd is configured with on every node that serves this server.
    pub fn grace(&self) -> Duration {
        self.grace.as_ref().map_or(DEFAULT_NFS_GRACE, |grace| grace.value)
    }

    /// The lease nfsd is configured with on every node that serves this server.
    pub fn lease(&self) -> Duration {
        self.lease.as_ref().map_or(DEFAULT_NFS_LEASE, |lease| lease.value)
    }
}

/// A client's mount of an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    /// Index into [`Policy::nfs_servers`].
    pub server: usize,
    /// Index into that server's exports.
    pub export: usize,
    /// The path as the client mounts it: the export's, or relative to the server's root.
    pub path: String,
    pub at: Spanned<String>,
    pub options: Vec<Spanned<OptionSetting>>,
    pub automount: bool,
}

/// A machine that mounts exports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub name: Spanned<String>,
    pub os: Spanned<Os>,
    pub mounts: Vec<Mount>,
    /// Warning codes the policy acknowledges for this client, and `E0506` when it
    /// acknowledges a soft mount that gives up during a failover.
    pub allowed: Vec<Spanned<String>>,
    /// Each acknowledged code with the reason the policy states for it (`because …`).
    pub acknowledged: Vec<Acknowledgement>,
}

impl Client {
    /// The reason the client states for mounting softly on purpose (`allow E0506 because …`).
    pub fn soft_on_purpose(&self) -> Option<&str> {
        self.acknowledged
            .iter()
            .find(|acknowledgement| acknowledgement.code.value == SOFT_MOUNT_CODE)
            .and_then(|acknowledgement| acknowledgement.because.as_ref())
            .map(|because| because.value.as_str())
    }
}

/// The refusal of a soft mount that gives up during its server's failover: the one error
/// a client may acknowledge, with a reason.
pub const SOFT_MOUNT_CODE: &str = "E0506";

/// A diagnostic a block acknowledges with `allow CODE… [because REASON…]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acknowledgement {
    pub code: Spanned<String>,
    /// The words after `because`, joined by single spaces, where they are written.
    pub because: Option<Spanned<String>>,
}

/// Whether a list of acknowledged codes holds a code.
pub fn allows(allowed: &[Spanned<String>], code: &str) -> bool {
    allowed.iter().any(|a| a.value == code)
}

/// A whole resolved policy.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Policy {
    pub nodes: Vec<Node>,
    pub retentions: Vec<Retention>,
    pub pairs: Vec<Pair>,
    pub nfs_servers: Vec<NfsServer>,
    pub clients: Vec<Client>,
    /// Every node's own snapshot statements, sorted by node (then in source order).
    pub node_snapshots: Vec<NodeSnapshot>,
    /// How failures are reported and freshness is checked: the `monitoring` block or its defaults.
    pub monitoring: super::monitoring::Monitoring,
}

impl Policy {
    /// The nodes that may run a server: both nodes of its pair (source first), or its node.
    pub fn serving_nodes(&self, server: &NfsServer) -> Vec<usize> {
        match server.on {
            ServerOn::Pair(pair) => self.pairs[pair].nodes.to_vec(),
            ServerOn::Node(node) => vec![node],
        }
    }

    /// The snapshot statements of one node, found by bisection in the sorted list.
    pub fn snapshots_of(&self, node: usize) -> &[NodeSnapshot] {
        let start = self.node_snapshots.partition_point(|s| s.node < node);
        let end = start + self.node_snapshots[start..].partition_point(|s| s.node == node);
        &self.node_snapshots[start..end]
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_client_is_the_world_when_it_matches_every_host() {
        let world = ["*.*", "?*", "[a-z]*"].map(|pattern| ClientSpec::Wildcard(pattern.into()));
        assert!(world.iter().all(ClientSpec::is_world));
        assert!(ClientSpec::Everyone.is_world());
        assert!(ClientSpec::Network("::".parse().unwrap(), 0).is_world());
        let some = [
            ClientSpec::Wildcard("*.lan".into()),
            ClientSpec::Wildcard("nas[0-9]".into()),
            ClientSpec::Netgroup("trusted".into()),
            ClientSpec::Network("10.0.0.0".parse().unwrap(), 8),
        ];
        assert!(!some.iter().any(ClientSpec::is_world));
        assert!(some.iter().all(ClientSpec::is_group));
        assert!(!ClientSpec::Host("nas.lan".into()).is_group());
        assert_eq!(ClientSpec::Netgroup("trusted".into()).to_string(), "@trusted");
    }

    #[test]
    fn a_client_uses_sys_unless_its_sec_lists_flavours() {
        let sec = |value: Option<&str>| OptionSetting { name: "sec", value: value.map(str::to_owned) };
        let client = |options: Vec<OptionSetting>| ExportClient {
            who: Spanned::new(ClientSpec::Everyone, Span::default()),
            options: options.into_iter().map(|o| Spanned::new(o, Span::default())).collect(),
        };
        assert_eq!(client(vec![]).security_flavours(), ["sys"]);
        assert_eq!(client(vec![sec(Some("krb5p:krb5i"))]).security_flavours(), ["krb5p", "krb5i"]);
    }

    use super::*;

    fn size(amount: u64, unit: SizeUnit) -> Size {
        Size { amount, unit }
    }

    fn estimate(changes: Size, per: u64, rate: SendRate) -> Transfer {
        Transfer::Estimated {
            changes,
            per: Duration(per),
            rate,
            changes_span: Span::default(),
            rate_span: Span::default(),
        }
    }

    #[test]
    fn an_estimate_sends_at_the_slower_of_link_and_limit() {
        let rate = SendRate::Both { link: size(100, SizeUnit::M), limit: size(2, SizeUnit::M) };
        let transfer = estimate(size(60, SizeUnit::G), 3_600, rate);
        assert_eq!(transfer.allowance(Duration::minutes(12)).to_string(), "1h42m24s");
        assert_eq!(
            transfer.describe(Duration::minutes(12)),
            "transfer estimate (60G per hour over 12m, at the 2M/s `bandwidth-limit`, slower than the 100M/s `link`)"
        );
        assert!(transfer.outpaces_rate());
        assert_eq!(transfer.rate_needed(), Some(size(18, SizeUnit::M)));
        let link_only = estimate(size(60, SizeUnit::G), 3_600, SendRate::Link(size(100, SizeUnit::M)));
        assert_eq!(link_only.allowance(Duration::minutes(12)).to_string(), "2m3s");
        assert!(!link_only.outpaces_rate());
    }

    #[test]
    fn the_link_decides_when_it_is_no_faster_than_the_limit() {
        let rate = SendRate::Both { link: size(2, SizeUnit::M), limit: size(2048, SizeUnit::K) };
        assert!(!rate.is_limited());
        assert_eq!(rate.describe(), "at the 2M/s `link`, no faster than the 2048K/s `bandwidth-limit`");
        assert_eq!(
            SendRate::Limit(size(2, SizeUnit::M)).describe(),
            "at the 2M/s `bandwidth-limit`; no `link` declared"
        );
    }

    #[test]
    fn a_sufficient_rate_is_rounded_up_to_a_whole_unit() {
        assert_eq!(Size::at_least(0).to_string(), "1K");
        assert_eq!(Size::at_least(1_025).to_string(), "2K");
        assert_eq!(Size::at_least(1_048_576).to_string(), "1M");
        assert_eq!(Size::at_least(u64::MAX).to_string(), "16384P");
    }

    #[test]
    fn coverage_is_by_component() {
        assert!(covers("zdata/sink", true, "zdata/sink/f0"));
        assert!(!covers("zdata/sink", true, "zdata/sinkhole"));
        assert!(!covers("zdata/sink", false, "zdata/sink/f0"));
    }

    #[test]
    fn durations_print_compactly() {
        assert_eq!(Duration(542).to_string(), "9m2s");
        assert_eq!(Duration(172_800).to_string(), "2d");
        assert_eq!(Duration(0).to_string(), "0s");
        assert_eq!(Duration(3_661).to_string(), "1h1m1s");
    }
}
