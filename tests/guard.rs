//! The guard script that runs before every syncoid replication, driven for real: `sh`
//! runs the generated script with the arguments its unit's `ExecStartPre=` gives it,
//! against a stub `zfs` (the active node) and a stub `ssh` whose remote `zfs` answers for
//! the standby. syncoid rolls the target back to the newest snapshot both sides share, so
//! a standby holding snapshots the active node lacks (after a failover and a failback, or
//! two nodes active at once) must stop replication with a message that says what to do.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use zplan::render::Tree;

use crate::syncoid::{file_text, unit_value, IPV6_PAIR};

const HOMELAB: &str = include_str!("../examples/proxmox-homelab.zplan");
const SHARE: &str = "zpool1/data-nfs-share";
const RUNBOOK: &str = "/usr/local/share/doc/zplan/failover-storage.md";

/// A static syncoid pair: `beta` keeps read-only copies under `tank/sink`.
const STATIC_PAIR: &str = "
retention daily {
  hourly 24
  daily  7
}

node alpha {
  address 10.0.0.1
}

node beta {
  address 10.0.0.2
}

pair backup {
  source    alpha
  target    beta under tank/sink
  engine    syncoid
  rpo       15m
  outage    1d
  retention daily
  replicate tank/share recursive
}
";

/// A stub `zfs` for the active node: every `list` prints the prepared source listing.
const LOCAL_ZFS: &str = r#"#!/bin/sh
printf '%s\n' "$*" >>"$STUB_DIR/zfs.log"
[ "$1" = list ] && cat "$STUB_DIR/source.list"
exit 0
"#;

/// A stub `ssh`: records its arguments, skips its options and destination, and answers a
/// remote `zfs list` with the prepared target listing, or as zfs does for a missing
/// dataset; `unreachable` makes it fail as ssh does.
const SSH: &str = r#"#!/bin/sh
for arg in "$@"; do printf '%s\n' "$arg"; done >"$STUB_DIR/ssh.args"
if [ -e "$STUB_DIR/unreachable" ]; then
	echo "ssh: connect to host port 22: No route to host" >&2
	exit 255
fi
while [ $# -gt 0 ]; do
	case $1 in
	-o) shift 2 ;;
	-*) shift ;;
	*) shift; break ;;
	esac
done
[ "$1 $2" = "zfs list" ] || { echo "unexpected remote command: $*" >&2; exit 127; }
for last in "$@"; do :; done
if [ -e "$STUB_DIR/target.list" ]; then
	cat "$STUB_DIR/target.list"
else
	echo "cannot open '$last': dataset does not exist" >&2
	exit 1
fi
"#;

/// One row of `zfs list -H -p -o name,guid,createtxg,used,readonly,written`.
fn row(name: &str, guid: u64, txg: u64) -> String {
    let (used, readonly, written) = if name.contains(['@', '#']) { ("-", "-", "0") } else { ("1000000", "off", "0") };
    format!("{name}\t{guid}\t{txg}\t{used}\t{readonly}\t{written}\n")
}

/// A listing of datasets and their snapshots: `(name, guid)` in creation order.
fn listing(entries: &[(&str, u64)]) -> String {
    entries.iter().enumerate().map(|(txg, (name, guid))| row(name, *guid, txg as u64 + 1)).collect()
}

/// A scratch directory with a generated guard script and the stubs it runs against.
struct Guard {
    dir: PathBuf,
    script: PathBuf,
    args: Vec<String>,
}

/// What a run of the guard did.
struct Run {
    output: Output,
    dir: PathBuf,
}

impl Run {
    fn refused(&self) -> bool {
        self.output.status.code() == Some(1)
    }

    fn passed(&self) -> bool {
        self.output.status.code() == Some(0)
    }

    fn journal(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    fn ssh_args(&self) -> Vec<String> {
        fs::read_to_string(self.dir.join("ssh.args")).unwrap().lines().map(str::to_owned).collect()
    }
}

fn write_executable(path: &Path, text: &str) {
    fs::write(path, text).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
}

impl Guard {
    /// The guard of the unit that replicates `dataset` of `pair` from `host`.
    fn of(name: &str, tree: &Tree, host: &str, pair: &str, dataset: &str) -> Guard {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("guard").join(name);
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("bin")).unwrap();
        let unit_path = format!("etc/systemd/system/zplan-replicate-{pair}-{}.service", dataset.replace('/', "-"));
        let unit = file_text(tree, host, &unit_path);
        let mut words = unit.lines().find_map(|line| line.strip_prefix("ExecStartPre=")).map_or_else(
            || panic!("{host}/{unit_path} runs no guard before syncoid:\n{unit}"),
            |command| command.split(' ').map(str::to_owned).collect::<Vec<_>>(),
        );
        let path = words.remove(0);
        let script = dir.join("guard");
        write_executable(&script, &file_text(tree, host, path.trim_start_matches('/')));
        write_executable(&dir.join("bin/zfs"), LOCAL_ZFS);
        write_executable(&dir.join("bin/ssh"), SSH);
        Guard { dir, script, args: words }
    }

    /// The guard of the homelab example's `zpool1/data-nfs-share`, run on acemagician.
    fn homelab(name: &str) -> Guard {
        let tree = zplan::compile(HOMELAB, "proxmox-homelab.zplan").tree.expect("the example compiles");
        Guard::of(name, &tree, "acemagician", "storage", SHARE)
    }

    fn run(&self, source: &str, target: Option<&str>) -> Run {
        fs::write(self.dir.join("source.list"), source).unwrap();
        let target_list = self.dir.join("target.list");
        match target {
            Some(text) => fs::write(&target_list, text).unwrap(),
            None => {
                let _ = fs::remove_file(&target_list);
            }
        }
        let path = format!("{}:{}", self.dir.join("bin").display(), std::env::var("PATH").unwrap_or_default());
        let output = Command::new("sh")
            .arg(&self.script)
            .args(&self.args)
            .env("PATH", path)
            .env("STUB_DIR", &self.dir)
            .output()
            .unwrap();
        Run { output, dir: self.dir.clone() }
    }
}

/// The snapshots both nodes took before the failover, as each node lists them.
fn shared_history(dataset: &str) -> Vec<(String, u64)> {
    (1..=4).map(|n| (format!("{dataset}@autosnap_2024-05-0{n}_00:00:00_daily"), 100 + n)).collect()
}

fn entries(names: &[(String, u64)]) -> Vec<(&str, u64)> {
    names.iter().map(|(name, guid)| (name.as_str(), *guid)).collect()
}

/// elitedesk was active and took `@…05-05…` before it failed; acemagician took over and
/// took two snapshots of its own. Now elitedesk is back, as the standby.
#[test]
fn a_standby_with_snapshots_the_active_node_never_had_is_not_rolled_back() {
    let guard = Guard::homelab("divergent");
    let history = shared_history(SHARE);
    let mut source = vec![(SHARE.to_owned(), 1)];
    source.extend(history.iter().cloned());
    source.push((format!("{SHARE}@autosnap_2024-05-05_06:00:00_hourly"), 201));
    source.push((format!("{SHARE}@autosnap_2024-05-05_07:00:00_hourly"), 202));
    let mut target = vec![(SHARE.to_owned(), 2)];
    target.extend(history.iter().cloned());
    target.push((format!("{SHARE}@autosnap_2024-05-05_00:00:00_daily"), 999));
    let run = guard.run(&listing(&entries(&source)), Some(&listing(&entries(&target))));
    let journal = run.journal();
    assert!(run.refused(), "the guard let syncoid roll elitedesk back: {:?}\n{journal}", run.output.status);
    for expected in [
        "refusing to replicate zpool1/data-nfs-share to elitedesk",
        "@autosnap_2024-05-05_00:00:00_daily",
        "@autosnap_2024-05-04_00:00:00_daily",
        "zfs rename zpool1/data-nfs-share zpool1/data-nfs-share-diverged",
        "zfs rollback -r zpool1/data-nfs-share@autosnap_2024-05-04_00:00:00_daily",
        RUNBOOK,
    ] {
        assert!(journal.contains(expected), "the journal does not say {expected:?}:\n{journal}");
    }
}

/// Both nodes were active at once and took sanoid snapshots of the same names: names do
/// not prove lineage, guids do (64-bit guids, which a double cannot tell apart).
#[test]
fn a_snapshot_of_the_same_name_with_another_guid_is_divergent() {
    let guard = Guard::homelab("same-name");
    let history = shared_history(SHARE);
    let twin = format!("{SHARE}@autosnap_2024-05-05_00:00:00_daily");
    let mut source = vec![(SHARE.to_owned(), 1)];
    source.extend(history.iter().cloned());
    source.push((twin.clone(), 12_345_678_901_234_567_890));
    let mut target = vec![(SHARE.to_owned(), 2)];
    target.extend(history.iter().cloned());
    target.push((twin, 12_345_678_901_234_567_891));
    let run = guard.run(&listing(&entries(&source)), Some(&listing(&entries(&target))));
    assert!(run.refused(), "{:?}\n{}", run.output.status, run.journal());
    assert!(run.journal().contains("@autosnap_2024-05-04_00:00:00_daily"), "{}", run.journal());
}

#[test]
fn a_standby_that_is_only_behind_is_replicated_to() {
    let guard = Guard::homelab("behind");
    let history = shared_history(SHARE);
    let mut source = vec![(SHARE.to_owned(), 1)];
    source.extend(history.iter().cloned());
    source.push((format!("{SHARE}@autosnap_2024-05-05_00:00:00_daily"), 105));
    let mut target = vec![(SHARE.to_owned(), 2)];
    target.extend(history.iter().take(3).cloned());
    let run = guard.run(&listing(&entries(&source)), Some(&listing(&entries(&target))));
    assert!(run.passed(), "{:?}\n{}", run.output.status, run.journal());
}

/// The source pruned every snapshot the standby has, but kept a bookmark of the newest one
/// sent (`--create-bookmark`): syncoid sends from the bookmark and destroys nothing.
#[test]
fn a_bookmark_of_the_standbys_newest_snapshot_is_common_ground() {
    let guard = Guard::homelab("bookmark");
    let history = shared_history(SHARE);
    let mut source = vec![(SHARE.to_owned(), 1)];
    source.push((format!("{SHARE}#autosnap_2024-05-04_00:00:00_daily"), 104));
    source.push((format!("{SHARE}@autosnap_2024-05-05_00:00:00_daily"), 105));
    let mut target = vec![(SHARE.to_owned(), 2)];
    target.extend(history.iter().cloned());
    let run = guard.run(&listing(&entries(&source)), Some(&listing(&entries(&target))));
    assert!(run.passed(), "{:?}\n{}", run.output.status, run.journal());
}

/// The standby keeps snapshots the active node has pruned, older than the common one:
/// syncoid leaves them alone.
#[test]
fn older_snapshots_the_active_node_pruned_are_not_divergent() {
    let guard = Guard::homelab("pruned");
    let history = shared_history(SHARE);
    let mut source = vec![(SHARE.to_owned(), 1)];
    source.extend(history.iter().skip(2).cloned());
    let mut target = vec![(SHARE.to_owned(), 2)];
    target.extend(history.iter().cloned());
    let run = guard.run(&listing(&entries(&source)), Some(&listing(&entries(&target))));
    assert!(run.passed(), "{:?}\n{}", run.output.status, run.journal());
}

#[test]
fn a_copy_not_there_yet_is_replicated_to_and_an_unreachable_peer_is_not() {
    let guard = Guard::homelab("missing");
    let mut source = vec![(SHARE.to_owned(), 1)];
    source.extend(shared_history(SHARE));
    let source = listing(&entries(&source));
    let run = guard.run(&source, None);
    assert!(run.passed(), "{:?}\n{}", run.output.status, run.journal());
    fs::write(guard.dir.join("unreachable"), "").unwrap();
    let run = guard.run(&source, None);
    assert!(run.refused(), "{:?}\n{}", run.output.status, run.journal());
    assert!(run.journal().contains("No route to host"), "{}", run.journal());
}

/// Only one child of a recursive dataset diverged: the journal names that child.
#[test]
fn a_diverged_child_of_a_recursive_dataset_is_named() {
    let guard = Guard::homelab("child");
    let child = format!("{SHARE}/photos");
    let mut source = vec![(SHARE.to_owned(), 1), (child.clone(), 3)];
    source.extend(shared_history(SHARE));
    source.extend(shared_history(&child));
    let mut target = vec![(SHARE.to_owned(), 2), (child.clone(), 4)];
    target.extend(shared_history(SHARE));
    target.extend(shared_history(&child));
    target.push((format!("{child}@zplan_kept"), 777));
    let run = guard.run(&listing(&entries(&source)), Some(&listing(&entries(&target))));
    assert!(run.refused(), "{:?}\n{}", run.output.status, run.journal());
    assert!(
        run.journal().contains("zfs rollback -r zpool1/data-nfs-share/photos@autosnap_2024-05-04"),
        "{}",
        run.journal()
    );
}

/// What the standby wrote after its newest snapshot is rolled back by syncoid: the guard
/// says how much, so that it is never lost without a word.
#[test]
fn what_the_standby_wrote_after_its_newest_snapshot_is_reported() {
    let guard = Guard::homelab("written");
    let mut source = vec![(SHARE.to_owned(), 1)];
    source.extend(shared_history(SHARE));
    let mut target = listing(&[(SHARE, 2)]).replace("\toff\t0\n", "\toff\t123456\n");
    target.push_str(&listing(&entries(&shared_history(SHARE))));
    let run = guard.run(&listing(&entries(&source)), Some(&target));
    assert!(run.passed(), "{:?}\n{}", run.output.status, run.journal());
    assert!(run.journal().contains("123456 bytes"), "{}", run.journal());
}

/// The example's `guard empty-source below 50%` still refuses an almost empty source.
#[test]
fn an_almost_empty_source_is_still_refused() {
    let guard = Guard::homelab("empty-source");
    let source = listing(&[(SHARE, 1)]).replace("\t1000000\t", "\t1000\t");
    let run = guard.run(&source, Some(&listing(&[(SHARE, 2)])));
    assert!(run.refused(), "{:?}\n{}", run.output.status, run.journal());
    assert!(run.journal().contains("less than 50%"), "{}", run.journal());
}

/// A failover promoted the static pair's copy; the source came back and its timer fired.
#[test]
fn a_promoted_copy_of_a_static_pair_is_not_replicated_to() {
    let tree = zplan::compile(STATIC_PAIR, "static.zplan").tree.expect("the policy compiles");
    let guard = Guard::of("promoted", &tree, "alpha", "backup", "tank/share");
    let copy = "tank/sink/tank/share";
    let mut source = vec![("tank/share".to_owned(), 1)];
    source.extend(shared_history("tank/share"));
    let mut target = vec![(copy.to_owned(), 2)];
    target.extend(shared_history(copy));
    let target = listing(&entries(&target));
    let run = guard.run(&listing(&entries(&source)), Some(&target.replacen("\toff\t", "\ton\t", 1)));
    assert!(run.passed(), "a read-only copy is replicated to: {:?}\n{}", run.output.status, run.journal());
    let run = guard.run(&listing(&entries(&source)), Some(&target));
    assert!(run.refused(), "{:?}\n{}", run.output.status, run.journal());
    assert!(run.journal().contains("writable"), "{}", run.journal());
    assert!(run.journal().contains("/usr/local/share/doc/zplan/failover-backup.md"), "{}", run.journal());
}

/// The guard's own ssh reaches an IPv6 peer at its address, as ssh itself reads the call.
#[test]
fn the_guard_reaches_an_ipv6_peer_at_its_address() {
    let tree = zplan::compile(IPV6_PAIR, "v6.zplan").tree.expect("the policy compiles");
    let guard = Guard::of("ipv6", &tree, "alpha", "data", "tank/share");
    let run = guard.run(&listing(&[("tank/share", 1)]), None);
    assert!(run.passed(), "{:?}\n{}", run.output.status, run.journal());
    let args = run.ssh_args();
    let Ok(config) = Command::new("ssh").arg("-G").args(["-F", "/dev/null"]).args(&args).output() else {
        eprintln!("ignored: ssh is not installed, so its reading of {args:?} is not checked");
        return;
    };
    let config = String::from_utf8_lossy(&config.stdout);
    assert!(config.lines().any(|line| line == "hostname fd00::2"), "ssh {args:?} goes elsewhere:\n{config}");
    assert!(config.lines().any(|line| line == "user root"), "{config}");
}

#[test]
fn every_syncoid_replication_runs_the_guard_first() {
    let source = HOMELAB.replace(
        "  guard     empty-source below 50%     # an empty replacement disk never overwrites the standby\n",
        "",
    );
    assert_ne!(source, HOMELAB);
    for (name, policy) in [("followed", source.as_str()), ("static", STATIC_PAIR)] {
        let tree = zplan::compile(policy, "p.zplan").tree.expect("the policy compiles");
        let units: Vec<_> = tree
            .files
            .keys()
            .filter(|(_, path)| path.contains("zplan-replicate-") && path.ends_with(".service"))
            .collect();
        assert!(!units.is_empty());
        for (host, path) in units {
            let unit = file_text(&tree, host, path);
            assert!(unit_value(&unit, "ExecStartPre").contains("/guard-"), "{name}: {host}/{path}");
        }
    }
}

/// A followed pair's recovery steps are on both nodes, where the guard and the unit point.
#[test]
fn a_followed_pair_has_its_recovery_steps_where_the_guard_points() {
    let tree = zplan::compile(HOMELAB, "proxmox-homelab.zplan").tree.expect("the example compiles");
    let runbook_path = RUNBOOK.trim_start_matches('/');
    for node in ["acemagician", "elitedesk"] {
        let runbook = file_text(&tree, node, runbook_path);
        for step in ["zfs rename DATASET DATASET-diverged", "zfs rollback -r DATASET@COMMON", "zplan_kept"] {
            assert!(runbook.contains(step), "{node}: the runbook lacks {step:?}");
        }
        // A mountpoint set on the dataset moves with it: the copy moved aside must leave the
        // export's path to the new copy.
        let aside = runbook.split("zfs rename DATASET DATASET-diverged").nth(1).unwrap_or_default();
        assert!(aside.contains("zfs set mountpoint=none DATASET-diverged"), "{node}: the copy aside stays mounted");
        let guard = file_text(&tree, node, "usr/local/libexec/zplan/guard-storage");
        assert!(guard.contains(RUNBOOK), "{node}: the guard does not point to the runbook");
        let unit = file_text(&tree, node, "etc/systemd/system/zplan-replicate-storage-zpool2-photos.service");
        assert!(unit_value(&unit, "Documentation").contains(&format!("file:{RUNBOOK}")), "{unit}");
    }
}

/// A static pair's copy is read-only: syncoid receives without rolling it back.
#[test]
fn a_static_pair_receives_without_rolling_back() {
    let tree = zplan::compile(STATIC_PAIR, "static.zplan").tree.expect("the policy compiles");
    let unit = file_text(&tree, "alpha", "etc/systemd/system/zplan-replicate-backup-tank-share.service");
    assert!(unit_value(&unit, "ExecStart").contains(" --no-rollback "), "{unit}");
    let homelab = zplan::compile(HOMELAB, "p.zplan").tree.expect("the example compiles");
    let unit = file_text(&homelab, "acemagician", "etc/systemd/system/zplan-replicate-storage-zpool2-photos.service");
    assert!(!unit_value(&unit, "ExecStart").contains("--no-rollback"), "a read-write standby needs the rollback");
}

/// `replicate fast children as backup/vms`: the pool's root is never sent, and the parent
/// of the copies is a writable dataset the runbook created. The guard holds only the
/// children to the rules: a snapshot someone took of the root does not make it refuse, a
/// diverged child still does.
#[test]
fn the_guard_of_a_children_replication_leaves_the_parent_alone() {
    let source = include_str!("../examples/named-copies.zplan");
    let tree = zplan::compile(source, "named-copies.zplan").tree.expect("the example compiles");
    let mut guard = Guard::of("children", &tree, "nas", "vms", "fast");
    assert_eq!(guard.args, ["fast", "backup/vms", "children"]);
    let mut source = vec![("fast".to_owned(), 1), ("fast@manual".to_owned(), 2), ("fast/vm-101".to_owned(), 3)];
    source.extend(shared_history("fast/vm-101"));
    let read_only = |name: &str, guid: u64| (name.to_owned(), guid);
    let mut target = vec![read_only("backup/vms", 4), read_only("backup/vms/vm-101", 5)];
    target.extend(shared_history("backup/vms/vm-101"));
    let target = listing(&entries(&target));
    let child_read_only =
        target.replacen("backup/vms/vm-101\t5\t2\t1000000\toff", "backup/vms/vm-101\t5\t2\t1000000\ton", 1);
    assert_ne!(child_read_only, target);
    let run = guard.run(&listing(&entries(&source)), Some(&child_read_only));
    assert!(run.passed(), "the writable parent is not a copy: {:?}\n{}", run.output.status, run.journal());
    guard.args[2] = "recursive".to_owned();
    let run = guard.run(&listing(&entries(&source)), Some(&child_read_only));
    assert!(run.refused() && run.journal().contains("backup/vms is writable"), "{}", run.journal());
    guard.args[2] = "children".to_owned();
    let mut diverged = child_read_only.clone();
    diverged.push_str(&row("backup/vms/vm-101@autosnap_2024-05-05_00:00:00_daily", 999, 9));
    let run = guard.run(&listing(&entries(&source)), Some(&diverged));
    assert!(run.refused(), "{:?}\n{}", run.output.status, run.journal());
    assert!(run.journal().contains("backup/vms/vm-101 there has 1 snapshot(s)"), "{}", run.journal());
}
