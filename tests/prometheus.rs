//! The Prometheus side of monitoring: every example's rules pass `promtool check rules`
//! and their generated unit tests pass `promtool test rules` (each alert absent at its
//! bound and present one evaluation later); the thresholds are the freshness proofs';
//! every zplan service writes its metrics; and the unit-metrics script counts a skipped
//! run neither as a success nor as a failure.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use zplan::render::{Body, Tree};

use crate::support::{examples, file_name};

/// A fresh directory under the system's temporary directory, for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zplan-prometheus-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn text<'t>(tree: &'t Tree, host: &str, path: &str) -> Option<&'t str> {
    match &tree.files.get(&(host.to_owned(), path.to_owned()))?.body {
        Body::Bytes(bytes) => Some(std::str::from_utf8(bytes).unwrap()),
        Body::Link(_) => None,
    }
}

const RULES: &str = "etc/prometheus/rules/zplan.rules.yml";
const RULE_TESTS: &str = "etc/prometheus/rules/zplan.rules.test.yml";

fn compiled(source: &str) -> Tree {
    let compilation = zplan::compile(source, "p.zplan");
    assert!(compilation.problems.is_empty(), "{:?}", compilation.problems);
    compilation.tree.unwrap()
}

/// Fails the test when promtool is missing: the ignored tests run where the oracles installed it.
fn require_promtool() {
    let found = Command::new("promtool").arg("--version").output().is_ok_and(|out| out.status.success());
    assert!(found, "promtool is missing: install Debian's `prometheus` package (../shared/oracles/install.sh)");
}

fn run(dir: &Path, args: &[&str]) {
    let output = Command::new("promtool").args(args).current_dir(dir).output().unwrap();
    assert!(
        output.status.success(),
        "promtool {args:?} in {}:\n{}{}",
        dir.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
#[ignore = "needs promtool from ../shared/oracles/install.sh: cargo test -- --ignored"]
fn every_examples_rules_pass_promtool_and_their_unit_tests() {
    require_promtool();
    let mut tested = 0;
    for path in examples() {
        let name = file_name(&path);
        let tree = compiled(&fs::read_to_string(&path).unwrap());
        let rules = text(&tree, "prometheus", RULES).unwrap_or_else(|| panic!("{name} has no Prometheus rules"));
        let dir = scratch(name.trim_end_matches(".zplan"));
        fs::write(dir.join("zplan.rules.yml"), rules).unwrap();
        fs::write(dir.join("zplan.rules.test.yml"), text(&tree, "prometheus", RULE_TESTS).unwrap()).unwrap();
        run(&dir, &["check", "rules", "zplan.rules.yml"]);
        run(&dir, &["test", "rules", "zplan.rules.test.yml"]);
        fs::remove_dir_all(&dir).unwrap();
        tested += 1;
    }
    assert!(tested >= 10, "only {tested} examples have rules");
}

const HOMELAB: &str = include_str!("../examples/proxmox-homelab.zplan");

#[test]
fn the_rules_hold_a_followed_pair_to_its_proofs_on_whichever_node_is_active() {
    let tree = compiled(HOMELAB);
    let rules = text(&tree, "prometheus", RULES).unwrap();
    let share = |alert: &str| {
        let start = rules.find(&format!("alert: {alert}\n        expr: \"time() - ")).unwrap();
        let expr = rules[start..].lines().nth(1).unwrap();
        assert!(expr.contains("zpool1/data-nfs-share"), "{expr}");
        expr.to_owned()
    };
    // 4m snapshot period + 1m slack, the newer of the two nodes (the active one's).
    assert!(share("ZplanSnapshotsTooOld").contains("time() - max("), "{}", share("ZplanSnapshotsTooOld"));
    assert!(share("ZplanSnapshotsTooOld").ends_with("> 300\""));
    // The proved worst case, 9m2s, of the older copy (the standby's).
    assert!(share("ZplanReplicationBehind").contains("time() - min("));
    assert!(share("ZplanReplicationBehind").ends_with("> 542\""));
    // Halfway from 9m2s to the 48h outage.
    assert!(share("ZplanOutageHorizonNear").ends_with(&format!("> {}\"", 542 + (48 * 3600 - 542) / 2)));
    assert!(rules.contains("4m snapshot gap + 4m replication gap + 2s timer accuracy + 1m transfer allowance = 9m2s"));
    let tests = text(&tree, "prometheus", RULE_TESTS).unwrap();
    for host in ["acemagician", "elitedesk"] {
        assert!(tests.contains(&format!("zpool1/data-nfs-share stopped on {host}, 9m2s old at minute 1")), "{host}");
    }
}

#[test]
fn alert_after_moves_the_replication_rule_only() {
    let policy = "retention r {\n  hourly 24\n  daily 7\n}\nnode a {\n  address 10.0.0.1\n}\nnode b {\n  address 10.0.0.2\n}\nbackup nightly {\n  source a\n  target b under backup/a\n  engine syncoid\n  retention r\n  replicate-every 1d at 05:05\n  alert-after 2d\n  replicate tank/home\n}\n";
    let tree = compiled(policy);
    let rules = text(&tree, "prometheus", RULES).unwrap();
    assert!(rules.contains(&format!("dataset=\\\"backup/a/tank/home\\\"}}) > {}\"", 2 * 86_400)), "{rules}");
    assert!(rules.contains("alert-after 2d (proved worst case: "), "{rules}");
    assert!(text(&tree, "a", "usr/local/libexec/zplan/snapshot-metrics")
        .unwrap()
        .contains("report 'tank/home' single no"));
    assert!(text(&tree, "b", "usr/local/libexec/zplan/snapshot-metrics")
        .unwrap()
        .contains("report 'backup/a/tank/home'"));
}

#[test]
fn every_zplan_service_writes_its_metrics_once() {
    for path in examples() {
        let tree = compiled(&fs::read_to_string(&path).unwrap());
        for ((host, file), _) in tree.files.iter().filter(|((_, p), _)| p.ends_with(".service") && !p.contains(".d/")) {
            let Some(unit) = text(&tree, host, file) else { continue };
            let name = file.rsplit('/').next().unwrap();
            // The notify template unit reports other units' failures; its own go to syslog.
            if !unit.contains("\n[Service]\n") || name == "zplan-notify@.service" {
                continue;
            }
            let expected = format!("ExecStopPost=-/usr/local/libexec/zplan/unit-metrics {name}\n");
            assert_eq!(unit.matches("ExecStopPost=").count(), 1, "{host}/{file}");
            assert!(unit.contains(&expected), "{host}/{file}");
            assert!(text(&tree, host, "usr/local/libexec/zplan/unit-metrics").is_some(), "{host}");
        }
    }
}

/// Runs the unit-metrics script of the homelab with systemd's variables, in `dir`.
fn unit_metrics(script: &Path, dir: &Path, result: &str, status: &str) {
    let output = Command::new("sh")
        .arg(script)
        .arg("zplan-prune-storage.service")
        .env("SERVICE_RESULT", result)
        .env("EXIT_CODE", "exited")
        .env("EXIT_STATUS", status)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

fn metric(dir: &Path, name: &str) -> Option<String> {
    let text = fs::read_to_string(dir.join("zplan-unit-zplan-prune-storage.service.prom")).ok()?;
    let line = text.lines().find(|line| line.starts_with(&format!("{name}{{")))?;
    Some(line.rsplit(' ').next().unwrap().to_owned())
}

#[test]
fn a_skipped_run_is_neither_a_success_nor_a_failure() {
    let tree = compiled(HOMELAB);
    let dir = scratch("unit-metrics");
    let original = text(&tree, "elitedesk", "usr/local/libexec/zplan/unit-metrics").unwrap();
    let script = dir.join("unit-metrics");
    fs::write(&script, original.replace("/var/lib/prometheus/node-exporter", dir.to_str().unwrap())).unwrap();

    unit_metrics(&script, &dir, "exec-condition", "1");
    assert_eq!(metric(&dir, "zplan_unit_last_run_timestamp_seconds"), None, "a standby's skipped run wrote metrics");

    unit_metrics(&script, &dir, "success", "0");
    let success = metric(&dir, "zplan_unit_last_success_timestamp_seconds").unwrap();
    assert_eq!(metric(&dir, "zplan_unit_last_exit_status").as_deref(), Some("0"));

    unit_metrics(&script, &dir, "exit-code", "3");
    assert_eq!(metric(&dir, "zplan_unit_last_exit_status").as_deref(), Some("3"));
    assert_eq!(metric(&dir, "zplan_unit_last_success_timestamp_seconds"), Some(success.clone()));

    unit_metrics(&script, &dir, "exec-condition", "1");
    assert_eq!(metric(&dir, "zplan_unit_last_exit_status").as_deref(), Some("3"), "a skipped run hid the failure");
    assert_eq!(metric(&dir, "zplan_unit_last_success_timestamp_seconds"), Some(success));
    let leftovers = fs::read_dir(&dir)
        .unwrap()
        .filter(|entry| entry.as_ref().unwrap().file_name().to_string_lossy().starts_with(".zplan"))
        .count();
    assert_eq!(leftovers, 0, "a temporary file was left behind");
    fs::remove_dir_all(&dir).unwrap();
}
