//! The freshness checks of sanoid hosts: the `*_warn`/`*_crit` (and capacity) keys of each
//! dataset section, from the proved bounds, and a timer per sanoid config dir that runs
//! `sanoid --monitor-snapshots` with that dir, gated by the same role as the config's
//! snapshot or prune units, so that a stale snapshot fails a unit.

use std::collections::BTreeMap;

use super::files::{Files, SanoidKey, Unit};
use super::systemd::{self, add_timed_service};
use crate::facts::alerts::kind_alerts;
use crate::facts::{Facts, Freshness, Side};
use crate::model::monitoring::Monitoring;
use crate::model::{Duration, SnapshotKind};

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
