//! `zplan build`, `build --check` and `diff` against an output directory a deployer reads:
//! no-op rebuilds, interrupted builds, foreign files, removals and the stale exit code.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{symlink, MetadataExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/proxmox-homelab.zplan");
const EXIT_STALE: i32 = 3;

fn zplan(args: &[&str]) -> Output {
    zplan_with_env(args, &[])
}

fn zplan_with_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_zplan"));
    command.args(args).env("NO_COLOR", "1").envs(env.iter().copied());
    command.output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A fresh scratch directory holding the example policy and a changed copy of it: a
/// different RPO (every timer changes) and one dataset fewer (its units are removed).
pub(crate) struct Scratch {
    pub(crate) dir: PathBuf,
}

impl Scratch {
    pub(crate) fn new(name: &str) -> Scratch {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("build").join(name);
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("v1")).unwrap();
        fs::create_dir_all(dir.join("v2")).unwrap();
        let source = fs::read_to_string(EXAMPLE).unwrap();
        fs::write(dir.join("v1/homelab.zplan"), &source).unwrap();
        let changed =
            source.replace("rpo       10m", "rpo       15m").replace("  replicate zpool1/pbs-backups recursive\n", "");
        assert_ne!(changed, source);
        fs::write(dir.join("v2/homelab.zplan"), changed).unwrap();
        Scratch { dir }
    }

    pub(crate) fn policy(&self, version: &str) -> String {
        self.dir.join(version).join("homelab.zplan").to_string_lossy().into_owned()
    }

    pub(crate) fn out(&self) -> PathBuf {
        self.dir.join("out")
    }

    pub(crate) fn out_str(&self) -> String {
        self.out().to_string_lossy().into_owned()
    }

    fn build(&self, version: &str, extra: &[&str]) -> Output {
        let (policy, out) = (self.policy(version), self.out_str());
        let mut args = vec!["build", policy.as_str(), "-o", out.as_str()];
        args.extend_from_slice(extra);
        zplan(&args)
    }

    /// What a build left beside the output: staging or moved-aside directories.
    pub(crate) fn leftovers(&self) -> Vec<String> {
        let names = fs::read_dir(&self.dir).unwrap().map(|entry| entry.unwrap().file_name());
        names.map(|name| name.to_string_lossy().into_owned()).filter(|name| name.contains(".zplan-")).collect()
    }

    pub(crate) fn build_ok(&self, version: &str) {
        let output = self.build(version, &[]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    }
}

/// Everything a reader of the output sees: per path, the kind, bytes or link, mode, inode
/// and mtime.
pub(crate) fn snapshot(dir: &Path) -> BTreeMap<PathBuf, String> {
    let mut state = BTreeMap::new();
    collect(dir, dir, &mut state);
    state
}

fn collect(root: &Path, dir: &Path, state: &mut BTreeMap<PathBuf, String>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let metadata = fs::symlink_metadata(&path).unwrap();
        let relative = path.strip_prefix(root).unwrap().to_owned();
        if metadata.is_dir() {
            collect(root, &path, state);
        } else if metadata.is_symlink() {
            state.insert(relative, format!("link {}", fs::read_link(&path).unwrap().display()));
        } else {
            let bytes = fs::read(&path).unwrap();
            let text = format!(
                "file {:o} ino {} mtime {}.{} {}",
                metadata.mode() & 0o7777,
                metadata.ino(),
                metadata.mtime(),
                metadata.mtime_nsec(),
                String::from_utf8_lossy(&bytes)
            );
            state.insert(relative, text);
        }
    }
}

/// The snapshot without inodes and mtimes, to compare trees built in different places.
pub(crate) fn contents(dir: &Path) -> BTreeMap<PathBuf, String> {
    snapshot(dir)
        .into_iter()
        .map(|(path, text)| {
            let text = match text.split_once(" ino ") {
                Some((head, rest)) => format!("{head} {}", rest.splitn(4, ' ').nth(3).unwrap_or_default()),
                None => text,
            };
            (path, text)
        })
        .collect()
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&fs::read(dir.join("manifest.json")).unwrap()).unwrap()
}

#[test]
fn a_no_op_rebuild_changes_no_inode_and_no_mtime() {
    let scratch = Scratch::new("no-op");
    scratch.build_ok("v1");
    let before = snapshot(&scratch.out());
    let dir_before = fs::metadata(scratch.out()).unwrap();
    std::thread::sleep(Duration::from_millis(20));
    scratch.build_ok("v1");
    assert_eq!(snapshot(&scratch.out()), before);
    let dir_after = fs::metadata(scratch.out()).unwrap();
    assert_eq!((dir_after.ino(), dir_after.mtime_nsec()), (dir_before.ino(), dir_before.mtime_nsec()));
}

#[test]
fn a_rebuild_keeps_unchanged_files_and_removes_what_the_policy_dropped() {
    let scratch = Scratch::new("change");
    scratch.build_ok("v1");
    let before = snapshot(&scratch.out());
    std::thread::sleep(Duration::from_millis(20));
    scratch.build_ok("v2");
    let after = snapshot(&scratch.out());
    let exports = Path::new("acemagician/etc/exports.d/zplan.exports");
    assert_eq!(after[exports], before[exports], "an unchanged file keeps its inode and mtime");
    let timer = Path::new("acemagician/etc/systemd/system/zplan-snapshot-storage.timer");
    assert_ne!(after[timer], before[timer]);
    let dropped = Path::new("acemagician/etc/systemd/system/zplan-replicate-storage-zpool1-pbs-backups.timer");
    assert!(before.contains_key(dropped) && !after.contains_key(dropped));
    let removed = &manifest(&scratch.out())["hosts"]["acemagician"]["removed"];
    let removed_timer = removed
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["path"] == "/etc/systemd/system/zplan-replicate-storage-zpool1-pbs-backups.timer");
    let removed_timer = removed_timer.expect("the manifest lists the removed timer");
    assert_eq!(removed_timer["before"][0], "systemctl disable --now zplan-replicate-storage-zpool1-pbs-backups.timer");
    assert_eq!(removed_timer["actions"][0], "systemctl daemon-reload");
    let fresh = Scratch::new("change-fresh");
    fresh.build_ok("v2");
    let mut expected = contents(&fresh.out());
    expected.remove(Path::new("manifest.json"));
    let mut got = contents(&scratch.out());
    got.remove(Path::new("manifest.json"));
    assert_eq!(got, expected, "a rebuild holds the same files as a fresh build");
}

#[test]
fn an_interrupted_build_leaves_the_previous_tree_intact() {
    let scratch = Scratch::new("interrupted");
    scratch.build_ok("v1");
    let before = snapshot(&scratch.out());
    let (policy, out) = (scratch.policy("v2"), scratch.out_str());
    for after_files in ["1", "5", "19"] {
        let output = zplan_with_env(&["build", &policy, "-o", &out], &[("ZPLAN_TEST_ABORT_AFTER", after_files)]);
        assert_eq!(output.status.code(), None, "the build was killed after {after_files} files");
        assert_eq!(snapshot(&scratch.out()), before, "killed after {after_files} files");
    }
    scratch.build_ok("v2");
    assert_eq!(scratch.leftovers(), Vec::<String>::new());
    assert_ne!(snapshot(&scratch.out()), before);
}

/// Kills builds at moments spread over how long one build takes: whatever the moment, the
/// output is the whole old tree or the whole new one.
#[test]
fn a_build_killed_at_any_moment_leaves_one_whole_tree() {
    const ATTEMPTS: u32 = 16;
    let scratch = Scratch::new("killed");
    scratch.build_ok("v1");
    let old = contents(&scratch.out());
    let fresh = Scratch::new("killed-fresh");
    fresh.build_ok("v1");
    let started = std::time::Instant::now();
    fresh.build_ok("v2");
    let duration = started.elapsed();
    let (policy, out) = (scratch.policy("v2"), scratch.out_str());
    for attempt in 0..ATTEMPTS {
        let mut child = Command::new(env!("CARGO_BIN_EXE_zplan"))
            .args(["build", &policy, "-o", &out])
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(duration * attempt / ATTEMPTS);
        let _ = child.kill();
        let _ = child.wait();
        let now = contents(&scratch.out());
        if now == old {
            continue;
        }
        assert_eq!(now, contents(&fresh.out()), "attempt {attempt}: a half-new tree");
        scratch.build_ok("v1");
    }
}

#[test]
fn a_foreign_file_survives_every_build() {
    let scratch = Scratch::new("foreign");
    fs::create_dir_all(scratch.out().join("acemagician/etc")).unwrap();
    fs::write(scratch.out().join("README"), "mine\n").unwrap();
    fs::write(scratch.out().join("acemagician/etc/local.conf"), "mine too\n").unwrap();
    let output = scratch.build("v1", &[]);
    assert_eq!(output.status.code(), Some(4), "a directory without a manifest is refused");
    assert!(
        stderr(&output).contains("has no manifest.json") && stderr(&output).contains("--force"),
        "{}",
        stderr(&output)
    );
    assert_eq!(scratch.build("v1", &["--force"]).status.code(), Some(0));
    let foreign = |state: &BTreeMap<PathBuf, String>| {
        (state[Path::new("README")].clone(), state[Path::new("acemagician/etc/local.conf")].clone())
    };
    let first = foreign(&snapshot(&scratch.out()));
    for version in ["v1", "v2", "v1"] {
        scratch.build_ok(version);
        assert_eq!(foreign(&snapshot(&scratch.out())), first, "after building {version}");
    }
}

#[test]
fn a_foreign_file_where_zplan_writes_is_refused_unless_forced() {
    let scratch = Scratch::new("foreign-clash");
    scratch.build_ok("v1");
    let dropped = scratch.out().join("elitedesk/etc/systemd/system/zplan-replicate-storage-zpool1-pbs-backups.timer");
    scratch.build_ok("v2");
    fs::write(&dropped, "a file of my own, with a name zplan used before\n").unwrap();
    scratch.build_ok("v2");
    assert!(dropped.exists(), "a removed file that came back is not zplan's any more");
    let output = scratch.build("v1", &[]);
    assert_eq!(output.status.code(), Some(4));
    assert!(stderr(&output).contains("no zplan manifest lists"), "{}", stderr(&output));
    assert_eq!(scratch.build("v1", &["--force"]).status.code(), Some(0));
    assert!(fs::read_to_string(&dropped).unwrap().starts_with("# Generated by zplan"));
}

#[test]
fn nothing_is_written_through_a_symbolic_link() {
    let scratch = Scratch::new("symlink");
    scratch.build_ok("v1");
    let elsewhere = scratch.dir.join("elsewhere");
    fs::create_dir_all(&elsewhere).unwrap();
    let exports = scratch.out().join("acemagician/etc/exports.d");
    fs::remove_dir_all(&exports).unwrap();
    symlink(&elsewhere, &exports).unwrap();
    let output = scratch.build("v2", &["--force"]);
    assert_eq!(output.status.code(), Some(4));
    assert!(stderr(&output).contains("is in the way"), "{}", stderr(&output));
    assert_eq!(fs::read_dir(&elsewhere).unwrap().count(), 0);
    assert_eq!(scratch.leftovers(), Vec::<String>::new(), "the failed build left its staging directory");
}

#[test]
fn diff_and_check_report_a_stale_tree_with_exit_3() {
    let scratch = Scratch::new("stale");
    scratch.build_ok("v1");
    let (v1, v2, out) = (scratch.policy("v1"), scratch.policy("v2"), scratch.out_str());
    let fresh = zplan(&["diff", &v1, "-o", &out]);
    assert_eq!((fresh.status.code(), fresh.stdout.len()), (Some(0), 0), "{}", stderr(&fresh));
    assert_eq!(zplan(&["build", "--check", &v1, "-o", &out]).status.code(), Some(0));
    let before = snapshot(&scratch.out());
    let stale = zplan(&["diff", &v2, "-o", &out]);
    assert_eq!(stale.status.code(), Some(EXIT_STALE));
    let text = String::from_utf8(stale.stdout.clone()).unwrap();
    assert!(text.contains("-OnCalendar=*:0/4\n+OnCalendar=*:0/6\n"), "{text}");
    assert!(text.contains("deleted file mode 100644\n--- a/acemagician/etc/systemd/system/zplan-replicate-storage-zpool1-pbs-backups.timer\n+++ /dev/null\n"));
    assert!(text.ends_with("\n") && text.contains("diff --git a/manifest.json b/manifest.json"));
    assert_eq!(zplan(&["diff", &v2, "-o", &out]).stdout, stale.stdout, "the diff is byte-identical across runs");
    let check = zplan(&["build", "--check", &v2, "-o", &out]);
    assert_eq!(check.status.code(), Some(EXIT_STALE));
    assert!(stderr(&check)
        .contains("remove acemagician/etc/systemd/system/zplan-replicate-storage-zpool1-pbs-backups.timer"));
    assert_eq!(snapshot(&scratch.out()), before, "diff and --check write nothing");
}

#[test]
fn check_on_a_missing_directory_is_stale() {
    let scratch = Scratch::new("missing");
    let output = scratch.build("v1", &["--check"]);
    assert_eq!(output.status.code(), Some(EXIT_STALE));
    assert!(!scratch.out().exists());
}
