//! What the plan decides about each output file: where it goes, its mode, what it holds
//! (as typed content for a template) and what a deployer must do when it changes.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The content of one file, typed, before any text is made of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    SanoidConf(SanoidConf),
    /// A host's sanoid config for the datasets it snapshots by its own policy.
    NodeSanoidConf(NodeSanoidConf),
    SanoidDefaults,
    Unit(Unit),
    Script(Script),
    Exports(Exports),
    FreeBsdOptions(Exports),
    Fstab(Fstab),
    Zrepl(ZreplConfig),
    RcConf(RcConf),
    Runbook(Runbook),
    NfsConf(NfsConf),
    /// keepalived's VRRP instances for the service addresses of followed NFS servers.
    Keepalived(KeepalivedConf),
    /// The `mpN:` lines a Proxmox container needs to serve datasets of its host.
    LxcMounts(LxcMounts),
    /// A `modules-load.d` file: kernel modules loaded at boot.
    ModulesLoad(ModulesLoad),
    /// A cron table of FreeBSD's `/usr/local/etc/cron.d`: zplan's checks.
    CronTable(CronTable),
    /// Prometheus alerting rules derived from the freshness proofs.
    PrometheusRules(PrometheusRules),
    /// promtool unit tests of those rules.
    PrometheusTests(PrometheusTests),
    /// A symbolic link, such as a mask to `/dev/null`.
    Link(String),
}

/// A command a deployer runs after a file changes. The variant order is the order a
/// deployer runs the due actions of a host in: units are reloaded before they are started.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    DaemonReload,
    Stop(String),
    DisableNow(String),
    /// Runs a script zplan wrote, by its absolute path: `zfs allow` delegations, granted
    /// before the timers that need them start.
    Run(String),
    EnableNow(String),
    /// `systemctl restart UNIT`: a daemon that reads its config only when it starts.
    Restart(String),
    /// `systemctl try-restart UNIT`: a daemon that reads its config only when it starts,
    /// restarted where it runs and left stopped where it does not.
    TryRestart(String),
    /// `systemctl reload-or-restart UNIT`: a daemon that rereads its config on a signal
    /// (keepalived keeps the state of the instances that did not change).
    ReloadOrRestart(String),
    ExportfsReload,
    /// `service NAME onestop` on FreeBSD: stops a daemon whether or not rc.conf enables it.
    ServiceStop(String),
    /// `service NAME restart` on FreeBSD, for a daemon whose rc.conf settings changed.
    ServiceRestart(String),
    /// `service NAME reload` on FreeBSD: mountd rereads its exports.
    ServiceReload(String),
}

/// When a removal action runs: before the file goes (it still needs the file) or after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    BeforeRemoval,
    AfterRemoval,
}

impl Action {
    /// What undoes this action once the file that asked for it is removed, if anything must.
    pub fn on_removal(&self) -> Option<(Moment, Action)> {
        match self {
            Action::DaemonReload => Some((Moment::AfterRemoval, Action::DaemonReload)),
            Action::EnableNow(unit) => Some((Moment::BeforeRemoval, Action::DisableNow(unit.clone()))),
            Action::ExportfsReload => Some((Moment::AfterRemoval, Action::ExportfsReload)),
            Action::ServiceRestart(name) => Some((Moment::BeforeRemoval, Action::ServiceStop(name.clone()))),
            Action::ServiceReload(name) => Some((Moment::AfterRemoval, Action::ServiceReload(name.clone()))),
            Action::TryRestart(unit) => Some((Moment::AfterRemoval, Action::TryRestart(unit.clone()))),
            Action::Stop(_)
            | Action::ReloadOrRestart(_)
            | Action::DisableNow(_)
            | Action::Run(_)
            | Action::Restart(_)
            | Action::ServiceStop(_) => None,
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::DaemonReload => f.write_str("systemctl daemon-reload"),
            Action::Stop(unit) => write!(f, "systemctl stop {unit}"),
            Action::DisableNow(unit) => write!(f, "systemctl disable --now {unit}"),
            Action::Run(script) => f.write_str(script),
            Action::EnableNow(unit) => write!(f, "systemctl enable --now {unit}"),
            Action::Restart(unit) => write!(f, "systemctl restart {unit}"),
            Action::TryRestart(unit) => write!(f, "systemctl try-restart {unit}"),
            Action::ReloadOrRestart(unit) => write!(f, "systemctl reload-or-restart {unit}"),
            Action::ExportfsReload => f.write_str("exportfs -ra"),
            Action::ServiceRestart(name) => write!(f, "service {name} restart"),
            Action::ServiceReload(name) => write!(f, "service {name} reload"),
            Action::ServiceStop(name) => write!(f, "service {name} onestop"),
        }
    }
}

/// An action string that no zplan action is written as.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an action zplan writes")]
pub struct UnknownAction(pub String);

impl FromStr for Action {
    type Err = UnknownAction;

    /// Reads an action back from a manifest, the exact inverse of `Display`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let unit = |rest: &str| {
            let valid = !rest.is_empty() && !rest.contains(char::is_whitespace);
            valid.then(|| rest.to_owned())
        };
        let action = match text {
            "systemctl daemon-reload" => Some(Action::DaemonReload),
            "exportfs -ra" => Some(Action::ExportfsReload),
            _ => None,
        };
        action
            .or_else(|| text.strip_prefix("systemctl stop ").and_then(unit).map(Action::Stop))
            .or_else(|| text.strip_prefix("systemctl disable --now ").and_then(unit).map(Action::DisableNow))
            .or_else(|| text.strip_prefix("systemctl enable --now ").and_then(unit).map(Action::EnableNow))
            .or_else(|| text.strip_prefix("systemctl restart ").and_then(unit).map(Action::Restart))
            .or_else(|| text.strip_prefix("systemctl try-restart ").and_then(unit).map(Action::TryRestart))
            .or_else(|| text.strip_prefix("systemctl reload-or-restart ").and_then(unit).map(Action::ReloadOrRestart))
            .or_else(|| service(text, " restart").and_then(unit).map(Action::ServiceRestart))
            .or_else(|| service(text, " reload").and_then(unit).map(Action::ServiceReload))
            .or_else(|| service(text, " onestop").and_then(unit).map(Action::ServiceStop))
            .or_else(|| zplan_script(text).map(Action::Run))
            .ok_or_else(|| UnknownAction(text.to_owned()))
    }
}

/// A script zplan writes, by its absolute path: its directory, then a plain file name.
fn zplan_script(text: &str) -> Option<String> {
    let name = text.strip_prefix("/usr/local/libexec/zplan/")?;
    let plain = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    (plain && !name.starts_with('.')).then(|| text.to_owned())
}

/// The service name of `service NAME VERB`.
fn service<'t>(text: &'t str, verb: &str) -> Option<&'t str> {
    text.strip_prefix("service ")?.strip_suffix(verb)
}

impl Serialize for Action {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Action {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Who owns a file on its host; the deployer applies it, the output tree does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner {
    pub user: &'static str,
    pub group: &'static str,
}

impl Owner {
    /// root and its group, the owner of every configuration file zplan writes on Linux.
    pub const ROOT: Owner = Owner { user: "root", group: "root" };

    /// root and its group on FreeBSD, which calls group 0 `wheel` and has no group `root`.
    pub const FREEBSD_ROOT: Owner = Owner { user: "root", group: "wheel" };
}

/// One file of one host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFile {
    pub mode: u32,
    pub owner: Owner,
    pub content: Content,
    pub actions: Vec<Action>,
}

/// Every file of every host, keyed by host and path relative to the host's root.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Files(pub BTreeMap<(String, String), PlannedFile>);

impl Files {
    /// Gives every file of a host to `owner`.
    pub fn set_owner(&mut self, host: &str, owner: Owner) {
        for ((_, _), file) in self.0.iter_mut().filter(|((h, _), _)| h == host) {
            file.owner = owner;
        }
    }

    /// Adds a file; a file that several parts of the policy need (a mask) is added once.
    pub fn add(&mut self, host: &str, path: impl Into<String>, mode: u32, content: Content, actions: Vec<Action>) {
        self.0.entry((host.to_owned(), path.into())).or_insert(PlannedFile {
            mode,
            owner: Owner::ROOT,
            content,
            actions,
        });
    }
}

/// A systemd unit or drop-in: comment lines, then sections of `Key=value` entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Unit {
    pub comments: Vec<String>,
    pub sections: Vec<Section>,
}

/// One `[Section]` of a unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section {
    pub name: &'static str,
    pub entries: Vec<Entry>,
}

/// One `Key=value` line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub key: &'static str,
    pub value: String,
}

impl Unit {
    /// Adds a comment line under the generated header.
    pub fn comment(mut self, line: impl Into<String>) -> Self {
        self.comments.push(line.into());
        self
    }

    /// Adds a section with its entries in order.
    pub fn section(mut self, name: &'static str, entries: Vec<(&'static str, String)>) -> Self {
        let entries = entries.into_iter().map(|(key, value)| Entry { key, value }).collect();
        self.sections.push(Section { name, entries });
        self
    }
}

/// A sanoid.conf for one role of one pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SanoidConf {
    /// `Pair` or `Backup`, as the policy wrote it, for the header.
    pub kind: &'static str,
    pub pair: String,
    pub role: &'static str,
    pub datasets: Vec<SanoidDataset>,
    pub template: SanoidTemplate,
}

/// A dataset section of a sanoid.conf; toggles already spelled `yes` or `no`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SanoidDataset {
    pub name: String,
    pub recursive: &'static str,
    /// `process_children_only = yes`: the dataset itself is neither snapshotted nor pruned.
    pub children_only: bool,
    pub autosnap: &'static str,
    pub autoprune: &'static str,
    /// The freshness (and capacity) thresholds `sanoid --monitor-snapshots` holds it to.
    pub monitor: Vec<SanoidKey>,
}

/// One `key = value` line of a sanoid dataset section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SanoidKey {
    pub key: String,
    pub value: String,
}

/// The `[template_NAME]` section with every count written out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SanoidTemplate {
    pub name: String,
    pub frequent_period: u64,
    pub counts: Vec<SanoidCount>,
    /// The time-of-day keys the retention declares (`daily_hour = 23`); none by default.
    pub times: Vec<SanoidTime>,
}

/// One time-of-day key of a template, such as `daily_hour = 23`, already in sanoid's range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SanoidTime {
    pub key: &'static str,
    pub value: u8,
}

/// The sanoid.conf of a host's own snapshots: a section per `snapshot` statement, parents
/// before children, and a template per retention and period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeSanoidConf {
    pub node: String,
    pub datasets: Vec<NodeSanoidDataset>,
    pub templates: Vec<NodeSanoidTemplate>,
}

/// One dataset section of a node's sanoid.conf.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeSanoidDataset {
    pub name: String,
    pub template: String,
    /// `yes`, `no`, or `zfs` for one atomic `zfs snapshot -r`.
    pub recursive: &'static str,
    /// `process_children_only = yes`: the children, not the dataset itself.
    pub children_only: bool,
    /// The freshness (and capacity) thresholds `sanoid --monitor-snapshots` holds it to.
    pub monitor: Vec<SanoidKey>,
}

/// A template of a node's sanoid.conf, with every count and every time-of-day key written
/// out, so that a child's section never keeps a key of its parent's template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeSanoidTemplate {
    pub name: String,
    /// The retention it comes from, for the comment above it.
    pub retention: String,
    pub frequent_period: u64,
    pub counts: Vec<SanoidCount>,
    pub times: Vec<SanoidTime>,
}

/// One `kind = count` line of a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SanoidCount {
    pub kind: &'static str,
    pub count: u32,
}

/// A generated POSIX shell script.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "script")]
pub enum Script {
    /// Decides the role from the Proxmox guest a node hosts, checked several times.
    RoleFollowsGuest { pair: String, node: String, guest: u32, checks: u32, pause_seconds: u32 },
    /// Answers a role fixed by the policy.
    RoleStatic { pair: String, node: String, role: &'static str },
    /// Refuses a replication that would destroy what only the target has: snapshots the
    /// source lacks (by guid), a promoted copy, or (with `percent`) a target far larger
    /// than an empty source.
    Guard {
        /// `pair` or `backup`, as the policy wrote it.
        kind: &'static str,
        pair: String,
        /// The node the script runs on: the source, or the target of a pull.
        node: String,
        peer_name: String,
        /// The nodes that send and receive.
        source_name: String,
        target_name: String,
        /// Whether the script runs on the target, which pulls: it lists the source over ssh.
        pull: bool,
        /// The ssh destination of the peer and its `-o` options.
        peer: String,
        ssh_options: Vec<String>,
        /// `read-only` (a static pair's copy) or `read-write` (a followed pair's standby).
        copy: &'static str,
        percent: Option<u8>,
        /// The pair's runbook on the host, when it has one.
        runbook: Option<String>,
        /// Whether a dataset of the pair replicates its children only (`children` mode).
        children: bool,
    },
    /// Starts the NFS server where the pair is active and stops it elsewhere.
    NfsFollow { pair: String, role_script: String },
    /// Starts nfsd under the host name `scope`, the same on every node that may serve.
    NfsdScope { server: String, scope: String },
    /// Run by keepalived once this node holds a server's address: tells NFSv3 clients to
    /// reclaim their locks, from the address they mounted, once nfs-server runs.
    SmNotify { server: String, address: String, wait_seconds: u64 },
    /// Gives the accounts a pair replicates as on a node the `zfs allow` rights they need.
    Delegate { pair: String, node: String, grants: Vec<Grant>, unmounted_copies: bool },
    /// Checks that the newest zrepl snapshot of each dataset on a node is fresh, as
    /// `sanoid --monitor-snapshots` does for sanoid's: exit 0, 1 (warning) or 2 (critical).
    CheckSnapshots { node: String, prefix: &'static str, checks: Vec<SnapshotCheck> },
    /// `notify NAME [FILE]`: tells the admin that a unit or check failed, through every
    /// target the policy declares (root's mail when it declares none), at most once per
    /// `every` per NAME.
    Notify {
        /// The FreeBSD variant: no systemd, no journal; zrepl's log for details.
        freebsd: bool,
        every: String,
        every_seconds: u64,
        targets: Vec<NotifyLine>,
    },
    /// Run from cron on a FreeBSD host: tells the admin when the zrepl daemon is not running
    /// or does not answer.
    ZreplHealth { notify: String, every: String },
    /// Writes the age and count of the newest snapshots of a host's datasets for
    /// node_exporter's textfile collector.
    SnapshotMetrics { host: String, textfile_dir: String, datasets: Vec<MetricDataset> },
    /// Run after every zplan service stops: writes its last run, success, duration and exit
    /// status for node_exporter's textfile collector.
    UnitMetrics { host: String, textfile_dir: String },
}

/// One line of the snapshot check script: a dataset (and, when recursive, its children)
/// and the ages in seconds past which its newest snapshot warns and is critical.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SnapshotCheck {
    pub dataset: String,
    pub recursive: bool,
    pub children_only: bool,
    pub warn: u64,
    pub crit: u64,
    /// Subtrees of a recursive dataset that are not snapshotted with it (excluded, or
    /// another statement's), left out of its check.
    pub left_out: Vec<String>,
    /// Where the ages come from, for the comment beside the line.
    pub why: String,
}

/// One target of the notify script: its kind and its words, quoted for sh.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotifyLine {
    /// `mail`, `ntfy`, `webhook` or `command`: the script's function that sends.
    pub kind: &'static str,
    /// The target as the policy wrote it, for the comment.
    pub shown: String,
    /// The address, URL or command and its arguments, each single-quoted.
    pub words: String,
}

/// A system cron table: environment settings, then `MIN HOUR DOM MON DOW USER COMMAND` lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CronTable {
    pub comments: Vec<String>,
    /// The `PATH=` the commands run with.
    pub path: String,
    pub lines: Vec<String>,
}

/// A dataset whose newest snapshot a host reports, and which of its filesystems count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MetricDataset {
    pub name: String,
    /// Its descendants count too.
    pub recursive: bool,
    /// Only its descendants count.
    pub children_only: bool,
}

/// A Prometheus rules file: one group per host (and per followed pair).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrometheusRules {
    pub groups: Vec<RuleGroup>,
}

/// One group of alerting rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleGroup {
    pub name: Scalar,
    pub rules: Vec<AlertRule>,
}

/// One alerting rule; its labels and annotations already quoted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlertRule {
    pub alert: &'static str,
    pub expr: Scalar,
    /// `for:`, in seconds; none means the first evaluation that holds fires.
    pub hold: Option<u64>,
    pub labels: Vec<Field>,
    pub annotations: Vec<Field>,
}

/// A promtool unit test file for the rules file beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrometheusTests {
    pub rule_file: &'static str,
    pub tests: Vec<RuleTest>,
}

/// One promtool test: input series and the alerts expected at given times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleTest {
    /// What the series show, for the comment above the test.
    pub story: String,
    pub series: Vec<TestSeries>,
    pub checks: Vec<AlertCheck>,
}

/// One input series in promtool's expanding notation (`a+bxn`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TestSeries {
    pub series: Scalar,
    pub values: Scalar,
}

/// The alerts of one name expected at one evaluation time (none when `alerts` is empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlertCheck {
    pub eval_minutes: u64,
    pub alertname: &'static str,
    pub alerts: Vec<ExpectedAlert>,
}

/// One alert a test expects, with every label and annotation it carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpectedAlert {
    pub labels: Vec<Field>,
    pub annotations: Vec<Field>,
}

/// One `zfs allow -u USER PERMISSIONS DATASET` of a delegation script, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grant {
    pub user: String,
    pub dataset: String,
    /// Comma-separated, as `zfs allow` takes them.
    pub permissions: String,
    /// What the rights are for, for the comment above the line.
    pub purpose: String,
}

/// An nfs.conf drop-in: nfsd's grace and lease, in whole seconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NfsConf {
    pub comments: Vec<String>,
    pub grace_time: u64,
    pub lease_time: u64,
    /// Further `[nfsd]` keys in order, such as `vers3=n` and `threads=16`.
    pub switches: Vec<NfsConfSwitch>,
    /// `[sm-notify] lift-grace=n`, where one sm-notify runs per floating address: it must
    /// not end lockd's grace early when it has no client to notify.
    pub keep_lockd_grace: bool,
}

/// A keepalived config: the global settings, one track script per followed pair, and
/// one VRRP instance per NFS server whose address keepalived moves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeepalivedConf {
    pub comments: Vec<String>,
    pub scripts: Vec<TrackScript>,
    pub instances: Vec<VrrpInstance>,
}

/// A `vrrp_script`: the role script, asked whether this node is active.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrackScript {
    pub name: String,
    pub command: String,
    pub interval: u64,
    pub timeout: u64,
    pub rise: u64,
    pub fall: u64,
}

/// A `vrrp_instance` holding one service address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VrrpInstance {
    pub name: String,
    pub comments: Vec<String>,
    pub interface: String,
    pub router_id: u8,
    pub priority: u64,
    pub advert_int: u64,
    /// The address with its prefix length (`/32`, `/128`).
    pub address: String,
    pub track_script: String,
    pub notify_master: String,
}

/// The bind mounts of a Proxmox container, as `/etc/pve/lxc/ID.conf` lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LxcMounts {
    pub comments: Vec<String>,
    pub lines: Vec<String>,
}

/// Kernel modules to load at boot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModulesLoad {
    pub comments: Vec<String>,
    pub modules: Vec<String>,
}

/// One `key=value` of nfs.conf's `[nfsd]` section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NfsConfSwitch {
    pub key: String,
    pub value: String,
}

/// An exports file: one line per exported path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exports {
    pub lines: Vec<ExportLine>,
}

/// One export: its path, where it comes from and its clients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportLine {
    pub path: String,
    pub comment: String,
    pub clients: Vec<ExportClientLine>,
}

/// One `host(options)` of an export line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportClientLine {
    pub who: String,
    pub options: String,
}

/// An fstab fragment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fstab {
    pub note: Vec<&'static str>,
    pub lines: Vec<FstabLine>,
}

/// One NFS line of an fstab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FstabLine {
    pub what: String,
    pub at: String,
    pub options: String,
    /// A comment line written above the mount: why a soft mount is soft on purpose.
    pub comment: Option<String>,
}

/// A YAML scalar spelled for the file: a double-quoted string, a number, `true`/`false`,
/// or one of zrepl's own bare words. Nothing else reaches the zrepl.yml template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Scalar(String);

impl Scalar {
    /// Any text, double-quoted with YAML's escapes.
    pub fn text(text: &str) -> Self {
        let mut quoted = String::with_capacity(text.len() + 2);
        quoted.push('"');
        for ch in text.chars() {
            match ch {
                '"' => quoted.push_str("\\\""),
                '\\' => quoted.push_str("\\\\"),
                ch if ch.is_control() => quoted.push_str(&format!("\\u{:04x}", u32::from(ch))),
                ch => quoted.push(ch),
            }
        }
        quoted.push('"');
        Scalar(quoted)
    }

    /// A word zplan writes itself, such as `push` or `1m`: never user text.
    pub fn word(word: &'static str) -> Self {
        Scalar(word.to_owned())
    }

    /// A zrepl duration such as `10m`, made by zplan from a checked duration.
    pub fn duration(duration: crate::model::Duration) -> Self {
        Scalar(crate::facts::zrepl::duration(duration))
    }

    pub fn number(number: u64) -> Self {
        Scalar(number.to_string())
    }

    /// A YAML boolean.
    pub fn flag(on: bool) -> Self {
        Scalar::word(if on { "true" } else { "false" })
    }
}

/// One `key: value` of a YAML mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Field {
    pub key: Scalar,
    pub value: Scalar,
}

impl Field {
    /// A field under one of zrepl's own keys.
    pub fn new(key: &'static str, value: Scalar) -> Self {
        Field { key: Scalar::word(key), value }
    }
}

/// A mapping or a list nested under a key, such as a tcp sink's `clients`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Nested {
    pub key: Scalar,
    pub entries: Vec<Field>,
    pub items: Vec<Scalar>,
}

/// A zrepl.yml: every job of one host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ZreplConfig {
    pub host: String,
    pub version: &'static str,
    /// One logging outlet each: its `type`, `format` and `level`.
    pub logging: Vec<Vec<Field>>,
    /// The Prometheus listener, `":9811"`.
    pub monitoring: Scalar,
    pub jobs: Vec<ZreplJob>,
}

/// One job of a zrepl.yml; empty parts are left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ZreplJob {
    pub comments: Vec<String>,
    pub name: Scalar,
    pub kind: Scalar,
    pub connect: Vec<Field>,
    pub serve: Vec<Field>,
    pub serve_nested: Option<Nested>,
    pub root_fs: Option<Scalar>,
    pub interval: Option<Scalar>,
    pub filesystems: Vec<Field>,
    pub send: Vec<Field>,
    pub bandwidth_limit: Option<Scalar>,
    pub recv_override: Vec<Field>,
    pub placeholder_encryption: Option<Scalar>,
    /// `replication.protection`: `initial` and `incremental`, when the pair sets them.
    pub protection: Vec<Field>,
    pub snapshotting: Vec<Field>,
    pub keep_sender: Vec<Vec<Field>>,
    pub keep_receiver: Vec<Vec<Field>>,
    /// A snap job's `pruning.keep`.
    pub keep: Vec<Vec<Field>>,
}

/// An rc.conf(5) fragment for one service: `name="value"` lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RcConf {
    pub comment: String,
    pub settings: Vec<RcSetting>,
}

/// One rc.conf variable; names and values are zplan's own words and checked paths.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RcSetting {
    pub name: &'static str,
    pub value: String,
}

/// A pair's runbook, in Markdown: the failover and failback of a static pair, or the
/// recovery steps of a followed one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Runbook {
    pub title: String,
    pub summary: Vec<String>,
    /// The headings of the table of replicated datasets, and one row of cells per dataset.
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub sections: Vec<RunbookSection>,
}

/// A titled part of a runbook: numbered steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunbookSection {
    pub heading: String,
    pub intro: String,
    pub steps: Vec<RunbookStep>,
}

/// One step: what and why, then the exact commands for one host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunbookStep {
    pub text: String,
    /// Where the commands run, as the runbook says it: a node in backticks, or a role.
    pub host: String,
    pub commands: Vec<String>,
}

impl RunbookStep {
    /// A step of `commands` on `host`, a node in backticks or a role in words.
    pub fn new(text: impl Into<String>, host: impl Into<String>, commands: Vec<String>) -> Self {
        RunbookStep { text: text.into(), host: host.into(), commands }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_read_back_as_written() {
        let unit = "zplan-snapshot-storage.timer".to_owned();
        let actions = [
            Action::DaemonReload,
            Action::Stop(unit.clone()),
            Action::DisableNow(unit.clone()),
            Action::EnableNow(unit.clone()),
            Action::Restart(unit.clone()),
            Action::TryRestart(unit),
            Action::ExportfsReload,
            Action::ServiceRestart("zrepl".to_owned()),
            Action::ServiceReload("mountd".to_owned()),
            Action::ServiceStop("nfsd".to_owned()),
            Action::Run("/usr/local/libexec/zplan/delegate-offsite".to_owned()),
        ];
        for action in actions {
            assert_eq!(action.to_string().parse::<Action>(), Ok(action));
        }
    }

    #[test]
    fn unknown_actions_are_refused() {
        for text in [
            "",
            "systemctl stop ",
            "systemctl stop a b",
            "rm -rf /",
            "exportfs -ra ",
            "/usr/local/libexec/zplan/delegate-a; rm -rf /",
            "/usr/local/libexec/zplan/delegate-a;reboot",
            "/usr/local/libexec/zplan/../../../bin/sh",
            "/usr/sbin/zfs",
        ] {
            assert!(text.parse::<Action>().is_err(), "{text:?}");
        }
    }

    #[test]
    fn an_enabled_unit_is_disabled_before_its_file_goes() {
        let enable = Action::EnableNow("x.timer".to_owned());
        assert_eq!(enable.on_removal(), Some((Moment::BeforeRemoval, Action::DisableNow("x.timer".to_owned()))));
        assert_eq!(Action::Stop("x.timer".to_owned()).on_removal(), None);
    }
}
