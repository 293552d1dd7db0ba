//! The freshness checks of sanoid hosts: the `*_warn`/`*_crit` (and capacity) keys of each
//! dataset section, from the proved bounds, and a timer per sanoid config dir that runs
//! `sanoid --monitor-snapshots` with that dir, gated by the same role as the config's
//! snapshot or prune units, so that a stale snapshot fails a unit.

use std::collections::BTreeMap;

use super::files::{Content, CronTable, Files, SanoidKey, Script, SnapshotCheck, Unit};
use super::systemd::{self, add_timed_service, FILE_MODE, LIBEXEC_DIR, SCRIPT_MODE};
use crate::facts::alerts::{kind_alerts, newest_alert};
use crate::facts::zrepl::SNAPSHOT_PREFIX;
use crate::facts::{landing, Facts, Freshness, Side};
use crate::model::monitoring::Monitoring;
use crate::model::{Duration, Os, SnapshotEngine, SnapshotKind};

/// The stem of the unit and timer that run a zrepl host's snapshot check.
pub const CHECK_SNAPSHOTS_STEM: &str = "zplan-check-snapshots";

/// The snapshot check script of a zrepl host, relative to its root.
pub const CHECK_SNAPSHOTS_PATH: &str = "usr/local/libexec/zplan/check-snapshots";

/// FreeBSD's cron(8) reads the system-format tables in this directory.
const FREEBSD_CRON_PATH: &str = "usr/local/etc/cron.d/zplan";

/// Where one freshness bound applies: node, pair (`None` for a node statement), whether
/// the node receives the dataset, and the dataset's name there.
type BoundKey = (usize, Option<usize>, bool, String);

/// Every freshness bound of a policy, found by the config section it belongs to.
pub struct Bounds {
    by_section: BTreeMap<BoundKey, Freshness>,
}

impl Bounds {
    /// The bounds of a policy, worked out once for all its configs.
    pub fn of(facts: &Facts<'_>) -> Bounds {
        let by_section = crate::facts::freshness(facts)
            .into_iter()
            .map(|fresh| {
                let receives = matches!(fresh.side, Side::Receives { .. });
                ((fresh.node, fresh.pair, receives, fresh.dataset.clone()), fresh)
            })
            .collect();
        Bounds { by_section }
    }
}

/// The section of one sanoid config a dataset is monitored in.
pub struct Section<'a> {
    pub node: usize,
    pub pair: Option<usize>,
    pub receives: bool,
    pub dataset: &'a str,
    /// The kinds the config keeps (count above zero).
    pub kept: &'a [SnapshotKind],
}

/// The monitoring keys of one dataset section: a warn and a crit age for every kind (`0`,
/// off, for a kind without a bound), then the pools' capacity thresholds when declared.
pub fn sanoid_keys(facts: &Facts<'_>, bounds: &Bounds, section: &Section<'_>) -> Vec<SanoidKey> {
    let key = (section.node, section.pair, section.receives, section.dataset.to_owned());
    let alerts = bounds.by_section.get(&key).map(|fresh| kind_alerts(facts, fresh, section.kept)).unwrap_or_default();
    let mut keys = Vec::new();
    for kind in SnapshotKind::ALL {
        let alert = alerts.iter().find(|alert| alert.kind == kind);
        let (warn, crit) = alert.map_or_else(|| ("0".to_owned(), "0".to_owned()), |a| (age(a.warn), age(a.crit)));
        keys.push(SanoidKey { key: format!("{}_warn", kind.keyword()), value: warn });
        keys.push(SanoidKey { key: format!("{}_crit", kind.keyword()), value: crit });
    }
    if let Some(capacity) = &facts.policy.monitoring.capacity {
        keys.push(SanoidKey { key: "capacity_warn".to_owned(), value: capacity.value.warn.to_string() });
        keys.push(SanoidKey { key: "capacity_crit".to_owned(), value: capacity.value.critical.to_string() });
    }
    keys
}

/// An age as sanoid reads it: one number with one unit (`d`, `h`, `m` or `s`).
pub fn age(duration: Duration) -> String {
    let seconds = duration.seconds();
    let unit = [(86_400, "d"), (3_600, "h"), (60, "m")].into_iter().find(|(size, _)| seconds % size == 0);
    match unit {
        Some((size, unit)) if seconds > 0 => format!("{}{unit}", seconds / size),
        _ => format!("{seconds}s"),
    }
}

/// The stem of the monitor service and timer of one sanoid config dir (its last component).
pub fn monitor_unit_stem(config_name: &str) -> String {
    format!("zplan-monitor-{config_name}")
}

/// One sanoid config dir to check, and who runs the check.
pub struct Check<'a> {
    pub host: &'a str,
    /// The config dir, relative to the host's root (`etc/sanoid/zplan/NAME`).
    pub config_dir: &'a str,
    /// The `ExecCondition=` of the config's own units: the role gate.
    pub condition: Option<String>,
    /// What the config covers, for the description.
    pub what: String,
}

/// The monitor service and timer of one sanoid config dir.
pub fn monitor_units(monitoring: &Monitoring, check: Check<'_>, files: &mut Files) {
    let name = check.config_dir.rsplit('/').next().unwrap_or(check.config_dir);
    let stem = monitor_unit_stem(name);
    let every = monitoring.check_every.value;
    let service = monitor_service(monitoring, &check, &stem);
    let timer =
        systemd::timer(format!("Check the snapshots of {} every {every}", check.what), check_calendar(every), &stem);
    add_timed_service(files, check.host, &stem, service, timer);
}

/// sanoid reads the snapshot list from a cache up to 15 minutes old unless its cache dir
/// is empty; the unit's own runtime dir, made empty at each start, serves as both its cache
/// and its lock dir, so the check sees what `zfs` lists now. `--monitor-snapshots` exits
/// before any later pass, so capacity is a second command.
fn monitor_service(monitoring: &Monitoring, check: &Check<'_>, stem: &str) -> Unit {
    let dirs = format!("--configdir=/{} --cache-dir=/run/{stem} --run-dir=/run/{stem}", check.config_dir);
    let mut service = vec![("Type", "oneshot".to_owned()), ("Environment", "TZ=UTC".to_owned())];
    service.extend(check.condition.clone().map(|condition| ("ExecCondition", condition)));
    service.push(("RuntimeDirectory", stem.to_owned()));
    service.push(("ExecStart", format!("/usr/sbin/sanoid {dirs} --monitor-snapshots")));
    if monitoring.capacity.is_some() {
        service.push(("ExecStart", format!("/usr/sbin/sanoid {dirs} --monitor-capacity")));
    }
    Unit::default()
        .comment("sanoid exits 1 on a warning and 2 on a critical finding: either fails this unit.")
        .section(
            "Unit",
            vec![
                ("Description", format!("Check that the snapshots of {} are fresh", check.what)),
                ("Documentation", "man:sanoid(8)".to_owned()),
                ("After", "zfs.target".to_owned()),
            ],
        )
        .section("Service", service)
}

/// `OnCalendar=` for every `every`: minutes within the hour, hours within the day, or days.
pub fn check_calendar(every: Duration) -> String {
    systemd::replication_calendar(every, None, 0)
}

/// The snapshot check of every host where zrepl takes or receives snapshots: a script with
/// the policy's bounds, run by a timer on Linux and by cron on FreeBSD.
pub fn zrepl_checks(facts: &Facts<'_>, bounds: &Bounds, files: &mut Files) {
    let mut by_node: BTreeMap<usize, Vec<SnapshotCheck>> = BTreeMap::new();
    for fresh in bounds.by_section.values().filter(|fresh| fresh.engine == SnapshotEngine::Zrepl) {
        by_node.entry(fresh.node).or_default().push(snapshot_check(facts, fresh));
    }
    for (node, mut checks) in by_node {
        checks.sort_by(|a, b| (&a.dataset, &a.why).cmp(&(&b.dataset, &b.why)));
        checks.dedup();
        let node = &facts.policy.nodes[node];
        let host = &node.name.value;
        let script = Script::CheckSnapshots { node: host.clone(), prefix: SNAPSHOT_PREFIX, checks };
        files.add(host, CHECK_SNAPSHOTS_PATH, SCRIPT_MODE, Content::Script(script), vec![]);
        match node.os.value {
            Os::Linux => check_units(&facts.policy.monitoring, host, files),
            Os::FreeBsd => check_cron(&facts.policy.monitoring, host, files),
        }
    }
}

/// One line of the check script, with the arithmetic of its ages.
fn snapshot_check(facts: &Facts<'_>, fresh: &Freshness) -> SnapshotCheck {
    let (warn, crit) = newest_alert(facts, fresh);
    let side = match fresh.side {
        Side::Snapshots => "taken here".to_owned(),
        Side::Receives { from } => format!("received from {}", facts.policy.nodes[from].name.value),
    };
    let after = if warn == fresh.bound { String::new() } else { format!("; alert-after {warn}") };
    SnapshotCheck {
        dataset: fresh.dataset.clone(),
        recursive: fresh.recursive,
        children_only: fresh.children_only,
        warn: warn.seconds(),
        crit: crit.seconds(),
        left_out: left_out(facts, fresh),
        why: format!("{}, {side}: {}{after}; critical past {crit}", fresh.dataset, fresh.arithmetic),
    }
}

/// The subtrees under a checked dataset whose snapshots are not its own: a pair's
/// excluded children (by their landing names on a receiver), or the datasets of the node's
/// other zrepl statements below a statement's.
fn left_out(facts: &Facts<'_>, fresh: &Freshness) -> Vec<String> {
    let policy = facts.policy;
    let receives = matches!(fresh.side, Side::Receives { .. });
    let Some(index) = fresh.pair else {
        let statements = policy.snapshots_of(fresh.node);
        let Some(own) = statements.iter().find(|s| s.dataset.value == fresh.dataset) else {
            return Vec::new();
        };
        return statements
            .iter()
            .filter(|other| other.engine.value == SnapshotEngine::Zrepl && other.dataset.value != fresh.dataset)
            .filter(|other| own.covers(&other.dataset.value))
            .map(|other| other.dataset.value.clone())
            .collect();
    };
    let pair = &policy.pairs[index];
    let name = |dataset: &str| if receives { landing(policy, pair, dataset) } else { dataset.to_owned() };
    pair.datasets
        .iter()
        .find(|replicated| name(&replicated.dataset.value) == fresh.dataset)
        .map(|replicated| replicated.exclude.iter().map(|child| name(&child.value)).collect())
        .unwrap_or_default()
}

fn check_units(monitoring: &Monitoring, host: &str, files: &mut Files) {
    let every = monitoring.check_every.value;
    let service = Unit::default()
        .comment("The script exits 1 on a warning and 2 on a critical finding: either fails this unit.")
        .section(
            "Unit",
            vec![
                ("Description", "Check that the zrepl snapshots of this node are fresh".to_owned()),
                ("After", "zfs.target".to_owned()),
            ],
        )
        .section("Service", vec![("Type", "oneshot".to_owned()), ("ExecStart", format!("/{CHECK_SNAPSHOTS_PATH}"))]);
    let timer = systemd::timer(
        format!("Check the zrepl snapshots of this node every {every}"),
        check_calendar(every),
        CHECK_SNAPSHOTS_STEM,
    );
    add_timed_service(files, host, CHECK_SNAPSHOTS_STEM, service, timer);
}

/// FreeBSD runs the check from cron; on a finding, the output goes to the notify script.
fn check_cron(monitoring: &Monitoring, host: &str, files: &mut Files) {
    let every = monitoring.check_every.value;
    let output = "/var/run/zplan-check-snapshots.out";
    let line = format!(
        "{} root /{CHECK_SNAPSHOTS_PATH} >{output} 2>&1 || /{LIBEXEC_DIR}/notify check-snapshots {output}",
        cron_schedule(every)
    );
    let table = CronTable {
        comments: vec![format!(
            "Check the zrepl snapshots of node {host} every {every}; a finding is sent on by zplan's notify."
        )],
        path: CRON_PATH.to_owned(),
        lines: vec![line],
    };
    files.add(host, FREEBSD_CRON_PATH, FILE_MODE, Content::CronTable(table), vec![]);
}

/// The `PATH=` of zplan's cron tables: FreeBSD's base and installed software.
pub const CRON_PATH: &str = "/etc:/bin:/sbin:/usr/bin:/usr/sbin:/usr/local/bin:/usr/local/sbin";

/// The five time fields of a cron line that runs every `every`, rounded to whole minutes.
pub fn cron_schedule(every: Duration) -> String {
    let minutes = (every.seconds() / 60).max(1);
    match minutes {
        1 => "* * * * *".to_owned(),
        2..=59 => format!("*/{minutes} * * * *"),
        60 => "0 * * * *".to_owned(),
        _ if minutes < 24 * 60 => format!("0 */{} * * *", minutes / 60),
        _ => "0 0 * * *".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_are_written_in_one_unit_sanoid_reads_and_cron_repeats_the_check_period() {
        assert_eq!(age(Duration(542)), "542s");
        assert_eq!(age(Duration(3_660)), "61m");
        assert_eq!(age(Duration(2 * 86_400)), "2d");
        assert_eq!(age(Duration(0)), "0s");
        assert_eq!(cron_schedule(Duration(900)), "*/15 * * * *");
        assert_eq!(cron_schedule(Duration(7_200)), "0 */2 * * *");
        assert_eq!(cron_schedule(Duration(86_400)), "0 0 * * *");
    }
}
