//! A node's own snapshots: one sanoid config per host for every dataset the node snapshots
//! by its own policy, run by one timer, and a zrepl `snap` job per dataset for the ones
//! zrepl takes. Nothing here replicates.

use std::collections::BTreeMap;

use super::files::*;
use super::monitor::{monitor_units, sanoid_keys, Bounds, Check, Section};
use super::systemd::{self, add_timed_service, calendar, FILE_MODE, UNIT_DIR};
use crate::facts::zrepl::SNAPSHOT_PREFIX;
use crate::facts::Facts;
use crate::model::{Depth, Duration, NodeSnapshot, Policy, Retention, SnapshotEngine, SnapshotKind, SnapshotTime};

/// Where a host's sanoid config for its own snapshots lives. Pair configs live beside it in
/// `PAIR-ROLE` directories, which always hold a `-`, so no pair can take this one.
pub const NODE_CONFIG_DIR: &str = "etc/sanoid/zplan/node";

/// The stem of the service and timer that take and prune a host's own snapshots.
pub const NODE_SANOID_STEM: &str = "zplan-sanoid";

/// The cache and lock directories of the node's sanoid, apart from the pairs' sanoid runs:
/// sanoid defers its pruning while another run holds the lock in a shared run dir, and two
/// runs rewrite one cache file. The datasets never overlap (checked), so nothing needs the
/// shared lock.
const NODE_CACHE_DIR: &str = "/var/cache/zplan-sanoid-node";
const NODE_RUN_DIR: &str = "/run/zplan-sanoid-node";

/// The stock Debian sanoid units, masked on every node zplan drives sanoid on, so that
/// nothing runs sanoid against `/etc/sanoid` beside zplan's configs.
const STOCK_SANOID_UNITS: [&str; 3] = ["sanoid.timer", "sanoid.service", "sanoid-prune.service"];

/// sanoid's own times of day (sanoid.defaults.conf v2), written out where a retention
/// declares none so that a child's template never inherits its parent's.
const DEFAULT_TIME: [(&str, u8); 13] = [
    ("hourly_min", 0),
    ("daily_hour", 23),
    ("daily_min", 59),
    ("weekly_wday", 1),
    ("weekly_hour", 23),
    ("weekly_min", 30),
    ("monthly_mday", 1),
    ("monthly_hour", 0),
    ("monthly_min", 0),
    ("yearly_mon", 1),
    ("yearly_mday", 1),
    ("yearly_hour", 0),
    ("yearly_min", 0),
];

/// Adds the sanoid files of every node with sanoid snapshot statements.
pub fn node_snapshot_files(facts: &Facts<'_>, bounds: &Bounds, files: &mut Files) {
    let policy = facts.policy;
    let mut by_node: BTreeMap<usize, Vec<&NodeSnapshot>> = BTreeMap::new();
    for snapshot in policy.node_snapshots.iter().filter(|s| s.engine.value == SnapshotEngine::Sanoid) {
        by_node.entry(snapshot.node).or_default().push(snapshot);
    }
    for (node, snapshots) in by_node {
        let host = &policy.nodes[node].name.value;
        let conf = node_config(facts, bounds, host, &snapshots);
        let tick = timer_tick(policy, &snapshots);
        files.add(host, format!("{NODE_CONFIG_DIR}/sanoid.conf"), FILE_MODE, Content::NodeSanoidConf(conf), vec![]);
        files.add(host, format!("{NODE_CONFIG_DIR}/sanoid.defaults.conf"), FILE_MODE, Content::SanoidDefaults, vec![]);
        let service = node_service(host);
        let timer = systemd::timer(
            format!("Take and prune the own snapshots of node {host} every {tick}"),
            calendar(tick, 0),
            NODE_SANOID_STEM,
        )
        .comment(format!(
            "Every {tick}: the finest frequent period and every declared minute of node {host}'s retentions fall on a tick."
        ));
        add_timed_service(files, host, NODE_SANOID_STEM, service, timer);
        let what = format!("the own statements of node {host}");
        let check = Check { host, config_dir: NODE_CONFIG_DIR, condition: None, what };
        monitor_units(&policy.monitoring, check, files);
        mask_stock_sanoid(files, host);
    }
}

/// Masks Debian's stock sanoid units on a host; a file several parts need is added once.
pub fn mask_stock_sanoid(files: &mut Files, host: &str) {
    for unit in STOCK_SANOID_UNITS {
        let actions = vec![Action::DaemonReload, Action::Stop(unit.to_owned())];
        files.add(host, format!("{UNIT_DIR}/{unit}"), FILE_MODE, Content::Link("/dev/null".to_owned()), actions);
    }
}

fn node_service(host: &str) -> Unit {
    let exec_start = format!(
        "/usr/sbin/sanoid --configdir=/{NODE_CONFIG_DIR} --cache-dir={NODE_CACHE_DIR} --run-dir={NODE_RUN_DIR} \
         --take-snapshots --prune-snapshots --verbose"
    );
    super::systemd::sanoid_unit(format!("Take and prune the own snapshots of node {host}"), None, exec_start)
}

/// The timer's period: a divisor of 15 minutes (sanoid's stock period) that every frequent
/// period and every declared minute of the hour falls on, so each snapshot is taken at its
/// slot rather than at the next tick.
fn timer_tick(policy: &Policy, snapshots: &[&NodeSnapshot]) -> Duration {
    let mut minutes = 15_u64;
    for snapshot in snapshots {
        let retention = &policy.retentions[snapshot.retention.value];
        if frequent_count(retention) > 0 {
            minutes = gcd(minutes, snapshot.frequent_period().seconds() / 60);
        }
        for (_, time) in &retention.times {
            minutes = gcd(minutes, u64::from(time.value.minute.unwrap_or(0)));
        }
    }
    Duration::minutes(minutes.max(1))
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// The frequent count of a node's retention: as declared, none when absent (sanoid's own default).
fn frequent_count(retention: &Retention) -> u32 {
    retention.count(SnapshotKind::Frequently).map_or(0, |count| count.value)
}

/// The sanoid template a statement uses: its retention's name, with the period when it sets one.
fn template_name(policy: &Policy, snapshot: &NodeSnapshot) -> String {
    let name = &policy.retentions[snapshot.retention.value].name.value;
    match &snapshot.every {
        Some(every) => format!("{name}_every_{}m", every.value.seconds() / 60),
        None => name.clone(),
    }
}

fn node_config(facts: &Facts<'_>, bounds: &Bounds, host: &str, snapshots: &[&NodeSnapshot]) -> NodeSanoidConf {
    let policy = facts.policy;
    let mut datasets: Vec<NodeSanoidDataset> = snapshots
        .iter()
        .map(|snapshot| NodeSanoidDataset {
            monitor: node_monitor_keys(facts, bounds, snapshot),
            name: snapshot.dataset.value.clone(),
            template: template_name(policy, snapshot),
            recursive: match snapshot.depth.value {
                Depth::Single => "no",
                Depth::Recursive | Depth::ChildrenOnly => "yes",
                Depth::Atomic => "zfs",
            },
            children_only: snapshot.depth.value == Depth::ChildrenOnly,
        })
        .collect();
    datasets.sort_by(|a, b| a.name.cmp(&b.name));
    let mut templates: BTreeMap<String, NodeSanoidTemplate> = BTreeMap::new();
    for snapshot in snapshots {
        let retention = &policy.retentions[snapshot.retention.value];
        templates.entry(template_name(policy, snapshot)).or_insert_with_key(|name| NodeSanoidTemplate {
            name: name.clone(),
            retention: retention.name.value.clone(),
            frequent_period: snapshot.frequent_period().seconds() / 60,
            counts: counts(retention),
            times: times(retention),
        });
    }
    NodeSanoidConf { node: host.to_owned(), datasets, templates: templates.into_values().collect() }
}

/// The thresholds of a statement's section, for the kinds its retention keeps.
fn node_monitor_keys(facts: &Facts<'_>, bounds: &Bounds, snapshot: &NodeSnapshot) -> Vec<super::files::SanoidKey> {
    let retention = &facts.policy.retentions[snapshot.retention.value];
    let kept: Vec<SnapshotKind> =
        SnapshotKind::ALL.into_iter().filter(|kind| retention.count(*kind).is_some_and(|c| c.value > 0)).collect();
    let section =
        Section { node: snapshot.node, pair: None, receives: false, dataset: &snapshot.dataset.value, kept: &kept };
    sanoid_keys(facts, bounds, &section)
}

fn counts(retention: &Retention) -> Vec<SanoidCount> {
    SnapshotKind::ALL
        .iter()
        .map(|kind| SanoidCount { kind: kind.keyword(), count: retention.count(*kind).map_or(0, |c| c.value) })
        .collect()
}

/// Every time-of-day key, as the retention declares or sanoid's default.
pub fn times(retention: &Retention) -> Vec<SanoidTime> {
    DEFAULT_TIME
        .iter()
        .map(|(key, default)| SanoidTime { key, value: declared_time(retention, key).unwrap_or(*default) })
        .collect()
}

/// Only the time-of-day keys a retention declares, for a pair's template.
pub fn declared_times(retention: &Retention) -> Vec<SanoidTime> {
    DEFAULT_TIME
        .iter()
        .filter_map(|(key, _)| declared_time(retention, key).map(|value| SanoidTime { key, value }))
        .collect()
}

/// The value a retention declares for one sanoid time key.
fn declared_time(retention: &Retention, key: &str) -> Option<u8> {
    let (kind, part) = key.split_once('_')?;
    let kind = SnapshotKind::ALL.into_iter().find(|k| k.keyword() == kind)?;
    let time: &SnapshotTime = &retention.time(kind)?.value;
    match part {
        "min" => time.minute,
        "hour" => time.hour,
        "wday" => time.weekday,
        "mday" => time.day_of_month,
        "mon" => time.month,
        _ => None,
    }
}

/// The zrepl `snap` jobs of every node, by host: one per statement, each pruning only the
/// datasets it snapshots (children with their own statement are left to theirs).
pub fn zrepl_snap_jobs(policy: &Policy) -> BTreeMap<usize, Vec<ZreplJob>> {
    let zrepl: Vec<&NodeSnapshot> =
        policy.node_snapshots.iter().filter(|s| s.engine.value == SnapshotEngine::Zrepl).collect();
    let mut jobs: BTreeMap<usize, Vec<ZreplJob>> = BTreeMap::new();
    let mut names: BTreeMap<(usize, String), u32> = BTreeMap::new();
    let mut ordered = zrepl;
    ordered.sort_by(|a, b| (a.node, &a.dataset.value).cmp(&(b.node, &b.dataset.value)));
    for snapshot in ordered {
        let base = format!("snap-{}", snapshot.dataset.value.replace('/', "-"));
        let seen = names.entry((snapshot.node, base.clone())).or_insert(0);
        *seen += 1;
        let name = if *seen == 1 { base } else { format!("{base}-{seen}") };
        let children: Vec<&NodeSnapshot> = policy
            .snapshots_of(snapshot.node)
            .iter()
            .filter(|other| {
                other.engine.value == SnapshotEngine::Zrepl && other.dataset.value != snapshot.dataset.value
            })
            .filter(|other| snapshot.covers(&other.dataset.value))
            .collect();
        jobs.entry(snapshot.node).or_default().push(snap_job(policy, snapshot, name, &children));
    }
    jobs
}

fn snap_job(policy: &Policy, snapshot: &NodeSnapshot, name: String, children: &[&NodeSnapshot]) -> ZreplJob {
    let retention = &policy.retentions[snapshot.retention.value];
    let dataset = &snapshot.dataset.value;
    let every = snapshot.frequent_period();
    let field = |pattern: String, on: bool| Field { key: Scalar::text(&pattern), value: Scalar::flag(on) };
    let mut filesystems = match snapshot.depth.value {
        Depth::Single => vec![field(dataset.clone(), true)],
        Depth::Recursive | Depth::Atomic => vec![field(format!("{dataset}<"), true)],
        Depth::ChildrenOnly => vec![field(format!("{dataset}<"), true), field(dataset.clone(), false)],
    };
    filesystems.extend(children.iter().map(|child| {
        let pattern = if child.depth.value.reaches_children() {
            format!("{}<", child.dataset.value)
        } else {
            child.dataset.value.clone()
        };
        field(pattern, false)
    }));
    ZreplJob {
        comments: vec![format!(
            "Node {}: snapshot {dataset} every {every}, pruned by retention {}; nothing replicates it.",
            policy.nodes[snapshot.node].name.value, retention.name.value
        )],
        name: Scalar::text(&name),
        kind: Scalar::word("snap"),
        connect: Vec::new(),
        serve: Vec::new(),
        serve_nested: None,
        root_fs: None,
        interval: None,
        filesystems,
        send: Vec::new(),
        bandwidth_limit: None,
        recv_override: Vec::new(),
        placeholder_encryption: None,
        protection: Vec::new(),
        snapshotting: vec![
            Field::new("type", Scalar::word("periodic")),
            Field::new("prefix", Scalar::text(SNAPSHOT_PREFIX)),
            Field::new("interval", Scalar::duration(every)),
        ],
        keep_sender: Vec::new(),
        keep_receiver: Vec::new(),
        keep: super::zrepl::keep_rules(retention, frequent_count(retention), every),
    }
}
