//! Faults while writing: an output directory zplan may not write to, a disk that fills up
//! (a file-size limit on the child), and a file of the tree that cannot be replaced. Each
//! is a clear error with exit status 4, and the previous tree is left exactly as it was;
//! the next good build then succeeds.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

use crate::build::{contents, snapshot, Scratch};

const EXIT_IO: i32 = 4;

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|out| out.stdout.starts_with(b"0\n"))
}

/// `zplan build` of `version` into the scratch output, behind `wrapper` (a command and its
/// arguments that end by running the rest, such as `sh -c … exec "$0" "$@"`).
fn build_behind(scratch: &Scratch, version: &str, wrapper: &[&str]) -> Output {
    let (policy, out) = (scratch.policy(version), scratch.out_str());
    let (program, before) = wrapper.split_first().expect("a wrapper command");
    Command::new(program)
        .args(before)
        .arg(env!("CARGO_BIN_EXE_zplan"))
        .args(["build", policy.as_str(), "-o", out.as_str()])
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// Asserts a refused build: exit 4, a message that names what failed, the tree untouched.
fn assert_refused_and_intact(
    scratch: &Scratch,
    output: &Output,
    before: &std::collections::BTreeMap<std::path::PathBuf, String>,
) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(EXIT_IO), "{stderr}");
    assert!(stderr.contains("cannot") || stderr.contains("denied"), "{stderr}");
    let after = snapshot(&scratch.out());
    let changed: Vec<_> =
        before.keys().chain(after.keys()).filter(|path| before.get(*path) != after.get(*path)).collect();
    assert!(changed.is_empty(), "the previous tree changed: {changed:?}");
    assert_eq!(scratch.leftovers(), Vec::<String>::new(), "the failed build left its staging directory");
}

/// The next good build goes through and leaves what the same builds leave without a fault.
fn assert_next_build_is_whole(scratch: &Scratch, name: &str) {
    scratch.build_ok("v2");
    let fresh = Scratch::new(&format!("{name}-fresh"));
    fresh.build_ok("v1");
    fresh.build_ok("v2");
    assert_eq!(contents(&scratch.out()), contents(&fresh.out()));
}

/// Builds the first policy, runs the second build under `fault` (`None`: the fault cannot
/// be made here, which fails the test: it would check nothing), and checks that it was
/// refused, harmlessly.
fn assert_fault_is_harmless(name: &str, fault: impl FnOnce(&Scratch) -> Option<Output>) {
    let scratch = Scratch::new(name);
    scratch.build_ok("v1");
    let before = snapshot(&scratch.out());
    let output = fault(&scratch).unwrap_or_else(|| panic!("{name} cannot be made on this filesystem or as this user"));
    assert_refused_and_intact(&scratch, &output, &before);
    assert_next_build_is_whole(&scratch, name);
}

#[test]
fn an_unwritable_output_directory_is_an_error_and_changes_nothing() {
    assert_fault_is_harmless("fault-unwritable", |scratch| {
        if is_root() {
            // Root writes anywhere: the build runs as nobody, for whom nothing here is writable.
            return Some(build_behind(scratch, "v2", &["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]));
        }
        set_mode(&scratch.dir, 0o555);
        set_mode(&scratch.out(), 0o555);
        let output = build_behind(scratch, "v2", &["env"]);
        set_mode(&scratch.out(), 0o755);
        set_mode(&scratch.dir, 0o755);
        Some(output)
    });
}

#[test]
fn a_full_disk_is_an_error_and_changes_nothing() {
    // No file may grow past 1 KiB, as on a full disk; SIGXFSZ is ignored so that the write
    // fails with EFBIG instead of killing the process.
    let limited = ["sh", "-c", "trap '' XFSZ; ulimit -f 2; exec \"$0\" \"$@\""];
    assert_fault_is_harmless("fault-full", |scratch| Some(build_behind(scratch, "v2", &limited)));
}

/// `chattr +i` needs root and a filesystem that keeps the flag, which a plain `cargo test`
/// may not have; `.ci/run` runs it as root with `--ignored`.
#[test]
#[ignore = "needs root and a filesystem with chattr +i: cargo test -- --ignored"]
fn a_file_that_cannot_be_replaced_is_an_error_and_changes_nothing() {
    assert_fault_is_harmless("fault-immutable", |scratch| {
        let stuck = scratch.out().join("acemagician/etc/exports.d/zplan.exports");
        let _guard = Immutable::set(&stuck)?;
        Some(build_behind(scratch, "v2", &["env"]))
    });
}

fn set_mode(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

/// A file made immutable (`chattr +i`: not even root may link, replace or delete it) for
/// as long as the guard lives.
struct Immutable<'p>(&'p Path);

impl<'p> Immutable<'p> {
    fn set(path: &'p Path) -> Option<Self> {
        let done = Command::new("chattr").arg("+i").arg(path).output().is_ok_and(|out| out.status.success());
        done.then_some(Immutable(path))
    }
}

impl Drop for Immutable<'_> {
    fn drop(&mut self) {
        let _ = Command::new("chattr").arg("-i").arg(self.0).status();
    }
}
