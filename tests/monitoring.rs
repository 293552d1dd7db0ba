//! Monitoring over every tree zplan writes (the examples, the `ok_` UI inputs, the
//! catalogue's fixed examples, generated fleets): no check changes a dataset, and every
//! dataset a host snapshots or receives is checked on that host and alerted on by the
//! Prometheus rules.
//!
//! Which datasets each host holds is worked out here from the policy alone: a static pair's
//! source holds its datasets and its target their copies, named as `support::copy_name`
//! says; both nodes of a followed pair hold its datasets; a node holds what its `snapshot`
//! statements name.

use std::collections::BTreeSet;

use zplan::model::{Engine, Policy, Roles, SnapshotEngine};

use crate::support::{compiled, compiling_policies, copy_name, text_files};

/// The `ExecStart=` lines of a unit file.
fn exec_starts(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter_map(|line| line.strip_prefix("ExecStart="))
}

/// What a monitoring command may ask of sanoid: reading, never taking or pruning.
const SANOID_READS: [&str; 5] =
    ["--configdir", "--cache-dir", "--run-dir", "--monitor-snapshots", "--monitor-capacity"];

/// The zfs subcommands that change a pool.
const ZFS_WRITES: [&str; 8] = ["destroy", "snapshot", "rollback", "receive", "recv", "set", "rename", "promote"];

/// Why a monitoring file could change data, if it could.
fn changes_data(path: &str, text: &str) -> Option<String> {
    if path.ends_with(".service") {
        for command in exec_starts(text).filter(|command| command.contains("sanoid")) {
            let flags = command.split_whitespace().skip(1).map(|word| word.split('=').next().unwrap_or(word));
            if let Some(flag) = flags.clone().find(|flag| !SANOID_READS.contains(flag)) {
                return Some(format!("runs sanoid with {flag}: {command}"));
            }
        }
        return None;
    }
    let zfs_calls = text.lines().filter(|line| !line.trim_start().starts_with('#')).flat_map(|line| {
        let words: Vec<&str> = line.split_whitespace().collect();
        let at = words.iter().position(|word| *word == "zfs").map(|at| at + 1);
        at.and_then(|at| words.get(at).copied())
    });
    zfs_calls.into_iter().find(|sub| ZFS_WRITES.contains(sub)).map(|sub| format!("calls `zfs {sub}`"))
}

/// Whether a file is one of the monitoring files: a monitor or check unit, a check or
/// notify script.
fn is_monitoring(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.starts_with("zplan-monitor-")
        || name.starts_with("zplan-check-")
        || name.starts_with("zplan-notify@")
        || ["check-snapshots", "notify", "zrepl-health"].contains(&name)
}

#[test]
fn no_monitoring_file_takes_prunes_or_changes_a_dataset() {
    let mut checked = 0;
    for (name, source) in compiling_policies() {
        let (_, tree) = compiled(&name, &source);
        for (host, path, text) in text_files(&tree).filter(|(_, path, _)| is_monitoring(path)) {
            checked += 1;
            assert_eq!(changes_data(path, text), None, "{name}: {host}/{path}");
        }
    }
    assert!(checked > 100, "only {checked} monitoring files looked at");
}

#[test]
fn the_invariant_sees_a_check_that_would_prune() {
    let unit =
        "[Service]\nExecStart=/usr/sbin/sanoid --configdir=/etc/sanoid/x --monitor-snapshots --prune-snapshots\n";
    assert!(changes_data("etc/systemd/system/zplan-monitor-x.service", unit).is_some());
    assert!(changes_data("usr/local/libexec/zplan/check-snapshots", "x=1\n  zfs destroy \"$d\"\n").is_some());
    assert!(changes_data("usr/local/libexec/zplan/check-snapshots", "zfs list -Hp -t snapshot\n").is_none());
}

/// Every (host, dataset) a host snapshots or receives, by the model, each with who checks
/// it there: sanoid or the zrepl check script.
fn held_datasets(policy: &Policy) -> BTreeSet<(String, String, bool)> {
    let mut held = BTreeSet::new();
    let host = |index: usize| policy.nodes[index].name.value.clone();
    for pair in &policy.pairs {
        let zrepl = pair.engine.value == Engine::Zrepl;
        for replicated in pair.datasets.iter().filter(|r| !r.children_only) {
            let dataset = &replicated.dataset.value;
            match pair.roles {
                Roles::FollowsGuest { .. } => {
                    held.extend(pair.nodes.iter().map(|node| (host(*node), dataset.clone(), zrepl)));
                }
                Roles::Static => {
                    held.insert((host(pair.nodes[0]), dataset.clone(), zrepl));
                    held.insert((host(pair.nodes[1]), copy_name(policy, pair, dataset), zrepl));
                }
            }
        }
    }
    for snapshot in policy.node_snapshots.iter().filter(|s| s.depth.value != zplan::model::Depth::ChildrenOnly) {
        let zrepl = snapshot.engine.value == SnapshotEngine::Zrepl;
        held.insert((host(snapshot.node), snapshot.dataset.value.clone(), zrepl));
    }
    held
}

/// Whether a sanoid.conf checks a dataset: its section sets a warning age.
fn sanoid_checks(text: &str, dataset: &str) -> bool {
    let header = format!("[{dataset}]");
    let mut lines = text.lines().skip_while(|line| *line != header);
    lines.next().is_some()
        && lines
            .take_while(|line| !line.starts_with('['))
            .any(|line| line.split_once(" = ").is_some_and(|(key, value)| key.ends_with("_warn") && value != "0"))
}

/// Whether a host's files check a dataset: a sanoid config section with warning ages, or a
/// line of the zrepl check script.
fn checked_on(tree: &zplan::render::Tree, host: &str, dataset: &str, zrepl: bool) -> bool {
    text_files(tree).filter(|(h, _, _)| *h == host).any(|(_, path, text)| {
        if zrepl {
            path.ends_with("libexec/zplan/check-snapshots") && text.contains(&format!("check '{dataset}' "))
        } else {
            path.starts_with("etc/sanoid/") && path.ends_with("/sanoid.conf") && sanoid_checks(text, dataset)
        }
    })
}

#[test]
fn every_dataset_a_host_snapshots_or_receives_is_checked_there() {
    let mut checked = 0;
    for (name, source) in compiling_policies() {
        let (policy, tree) = compiled(&name, &source);
        for (host, dataset, zrepl) in held_datasets(&policy) {
            checked += 1;
            let tool = if zrepl { "the zrepl check script" } else { "a sanoid config" };
            assert!(checked_on(&tree, &host, &dataset, zrepl), "{name}: {host} holds {dataset}, unchecked by {tool}");
        }
    }
    assert!(checked > 500, "only {checked} datasets looked at");
}

/// Whether the Prometheus rules alert on a dataset of a host: an expression names both.
fn alerted(tree: &zplan::render::Tree, host: &str, dataset: &str) -> bool {
    let selector = format!("host=\\\"{host}\\\",dataset=\\\"{dataset}\\\"");
    text_files(tree).any(|(_, path, text)| {
        path.ends_with("prometheus/rules/zplan.rules.yml")
            && text.lines().any(|line| line.trim_start().starts_with("expr:") && line.contains(&selector))
    })
}

#[test]
fn every_dataset_a_host_snapshots_or_receives_has_an_alert() {
    let mut alerts = 0;
    for (name, source) in compiling_policies() {
        let (policy, tree) = compiled(&name, &source);
        for (host, dataset, _) in held_datasets(&policy) {
            alerts += 1;
            assert!(alerted(&tree, &host, &dataset), "{name}: no alert on {dataset} of {host}");
        }
    }
    assert!(alerts > 500, "only {alerts} datasets looked at");
}
