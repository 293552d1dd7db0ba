//! Backups: a static one-way pair written as a `backup` block, at the cadence the admin
//! chose (hourly, nightly at a set time, weekly), pulled by the target with syncoid, with
//! its worst case stated when no rpo is declared and still proved when one is.

use crate::cli::zplan;
use crate::support::compiled;
use crate::syncoid::{file_text, unit_value};

const NODES: &str = "
retention nas {
  hourly 24
  daily  14
}

node nas {
  address 10.0.0.1
}

node vault {
  address 10.0.0.2
}
";

/// A policy of the two nodes and one block written with `header` and `settings`.
fn policy(header: &str, settings: &str) -> String {
    format!(
        "{NODES}\n{header} {{\n  source    nas\n  target    vault under backup/nas\n  engine    syncoid\n{settings}  retention nas\n  replicate tank/home recursive\n}}\n"
    )
}

const UNIT: &str = "etc/systemd/system/zplan-replicate-nightly-tank-home";

fn codes(source: &str) -> Vec<String> {
    use miette::Diagnostic;
    zplan::compile(source, "backup.zplan").problems.iter().filter_map(|p| p.code().map(|c| c.to_string())).collect()
}

#[test]
fn a_pulled_backup_runs_syncoid_on_the_target_against_the_source() {
    let source = policy("backup nightly", "  mode      pull\n  replicate-every 1d at 05:05\n");
    let (_, tree) = compiled("pull", &source);
    let service = file_text(&tree, "vault", &format!("{UNIT}.service"));
    let command = unit_value(&service, "ExecStart");
    assert!(command.ends_with(" root@10.0.0.1:tank/home backup/nas/tank/home"), "{command}");
    assert!(command.contains("--identifier=nightly-vault "), "{command}");
    assert_eq!(unit_value(&service, "ExecCondition"), "/usr/local/libexec/zplan/role-nightly standby");
    let guard = file_text(&tree, "vault", "usr/local/libexec/zplan/guard-nightly");
    assert!(guard.contains("\"$peer\" zfs list -H -p -t filesystem,volume,snapshot,bookmark"), "{guard}");
    assert!(guard.contains("peer='root@10.0.0.1'"), "{guard}");
    let on_source: Vec<&String> = tree.files.keys().filter(|(host, _)| host == "nas").map(|(_, path)| path).collect();
    assert!(on_source.iter().all(|path| !path.contains("replicate") && !path.contains("guard")), "{on_source:?}");
    assert!(on_source.iter().any(|path| path.ends_with("zplan-snapshot-nightly.timer")), "{on_source:?}");
}

#[test]
fn a_backup_is_the_static_pair_it_abbreviates() {
    let settings = "  replicate-every 1d at 05:05\n";
    let (_, backup) = compiled("backup", &policy("backup nightly", settings));
    let (_, pair) = compiled("pair", &policy("pair nightly", settings));
    assert_eq!(backup.files.keys().collect::<Vec<_>>(), pair.files.keys().collect::<Vec<_>>());
    let command = |tree| unit_value(&file_text(tree, "nas", &format!("{UNIT}.service")), "ExecStart").to_owned();
    assert_eq!(command(&backup), command(&pair));
    let timer = file_text(&backup, "nas", &format!("{UNIT}.timer"));
    assert!(timer.contains("Description=Replicate tank/home of backup nightly every 1d at 05:05 UTC"), "{timer}");
}

#[test]
fn without_an_rpo_the_worst_case_is_stated_and_with_one_it_is_proved() {
    let (_, stated) = compiled("stated", &policy("backup nightly", "  replicate-every 1d at 05:05\n"));
    let timer = file_text(&stated, "nas", &format!("{UNIT}.timer"));
    assert!(
        timer.contains("15m snapshot gap + 1d replication gap + 2s timer accuracy + 1m transfer allowance = 1d16m2s, the worst case of its declared cadence (no rpo is declared)"),
        "{timer}"
    );
    let (_, proved) = compiled("proved", &policy("backup nightly", "  replicate-every 1d at 05:05\n  rpo 25h\n"));
    let timer = file_text(&proved, "nas", &format!("{UNIT}.timer"));
    assert!(timer.contains("30m snapshot gap + 1d replication gap + 2s timer accuracy + 1m transfer allowance = 1d31m2s, within its rpo of 1d1h"), "{timer}");
    assert_eq!(codes(&policy("backup nightly", "  replicate-every 1d at 05:05\n  rpo 1d\n")), ["E0401"]);
}

#[test]
fn cadences_become_utc_calendars_that_systemd_repeats_evenly() {
    for (cadence, calendar, persistent) in [
        ("1h", "*-*-* *:00:30 UTC", false),
        ("6h", "*-*-* 0/6:00:30 UTC", false),
        ("1d", "*-*-* 00:00:30 UTC", true),
        ("1d at 05:05", "*-*-* 05:05:00 UTC", true),
        ("1w", "Mon *-*-* 00:00:30 UTC", true),
        ("1w on sun at 03:00", "Sun *-*-* 03:00:00 UTC", true),
        ("1w at 23:59 on sat", "Sat *-*-* 23:59:00 UTC", true),
    ] {
        let (_, tree) = compiled(cadence, &policy("backup nightly", &format!("  replicate-every {cadence}\n")));
        let timer = file_text(&tree, "nas", &format!("{UNIT}.timer"));
        assert_eq!(unit_value(&timer, "OnCalendar"), calendar, "{cadence}");
        assert_eq!(timer.contains("Persistent=true"), persistent, "{cadence}");
    }
    for (cadence, code) in [("5h", "E0430"), ("2d", "E0430"), ("90m", "E0430"), ("6h at 01:00", "E0431")] {
        assert_eq!(codes(&policy("backup nightly", &format!("  replicate-every {cadence}\n"))), [code], "{cadence}");
    }
}

/// A count of dailies keeps its days whatever the cadence; the source must keep the newest
/// common snapshot across the outage plus one cadence: 14 dailies are 14 days.
#[test]
fn retention_counts_keep_their_meaning_at_a_nightly_cadence() {
    let nightly =
        |outage: &str| policy("backup nightly", &format!("  replicate-every 1d at 05:05\n  outage {outage}\n"));
    let (_, tree) = compiled("12d", &nightly("12d"));
    let conf = file_text(&tree, "nas", "etc/sanoid/zplan/nightly-active/sanoid.conf");
    assert!(conf.contains("\ndaily = 14\n"), "{conf}");
    assert_eq!(codes(&nightly("13d")), ["E0402"], "13d outage + 1d cadence = 14d, all that 14 dailies keep");
}

#[test]
fn a_backup_refuses_roles_and_a_pull_refuses_a_followed_pair() {
    let followed = format!(
        "{NODES}\nbackup nightly {{\n  nodes nas vault\n  engine syncoid\n  replicate-every 1d\n  retention nas\n  replicate tank/home\n}}\n"
    );
    assert_eq!(codes(&followed), ["E0433"]);
    assert_eq!(codes(&policy("backup nightly", "")), ["E0434"]);
}

#[test]
fn check_verbose_states_each_worst_case() {
    let dir = crate::cli::scratch("backup-verbose");
    let file = dir.join("backup.zplan");
    std::fs::write(&file, policy("backup nightly", "  mode pull\n  replicate-every 1d at 05:05\n")).unwrap();
    let output = zplan(&["check", "--verbose", file.to_str().unwrap()]);
    assert!(output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(
        stderr.trim_end(),
        "backup `nightly`: snapshots every 15m, replicates every 1d at 05:05 UTC; worst-case loss 15m snapshot gap + 1d replication gap + 2s timer accuracy + 1m transfer allowance = 1d16m2s, the worst case of its declared cadence (no rpo is declared); the source keeps 14d (24 hourly, 14 daily)"
    );
    let quiet = zplan(&["check", file.to_str().unwrap()]);
    assert!(quiet.stderr.is_empty());
}

/// A pair that only sends what its node snapshots, or what another pair delivers, states
/// the worst case it was proved with: the node's snapshot gap, or the whole chain.
#[test]
fn check_verbose_counts_from_the_node_snapshots_and_the_chain() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/three-two-one.zplan");
    let output = zplan(&["check", "--verbose", example]);
    assert!(output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(
        lines.iter().any(|line| line.starts_with("pair `onsite`: node nas takes the snapshots, at most 5m apart")),
        "{stderr}"
    );
    assert!(
        lines.iter().any(|line| line.starts_with(
            "pair `cold`: sends on the copies it receives; worst-case loss 12m2s worst case of pair onsite + "
        )),
        "{stderr}"
    );
}

/// A refusal about a backup calls it a backup, as the policy does.
#[test]
fn refusals_name_a_backup_as_a_backup() {
    let source = policy("backup nightly", "  replicate-every 1d at 05:05\n")
        .replace("  hourly 24\n", "  frequently 0\n  hourly 24\n");
    let messages: Vec<String> =
        zplan::compile(&source, "backup.zplan").problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        ["retention `nas` keeps no frequent snapshots, which backup `nightly` needs for its rpo"],
        "{source}"
    );
}
