//! The notify script that every zplan service's `OnFailure=` runs, driven for real: `sh`
//! runs the generated script against stub `sendmail`, `curl`, `journalctl`, `systemctl`,
//! `logger`, `uname` and `date` (the clock, so that no test sleeps), with a temporary state
//! directory, as systemd's `StateDirectory=` gives one.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use zplan::render::{Body, Tree};

use crate::syncoid::{file_text, unit_value};

const UNIT: &str = "zplan-sanoid.service";

/// Records each mail it is given in its own file.
const SENDMAIL: &str = r#"#!/bin/sh
n=$(ls "$STUB_DIR"/mail.* 2>/dev/null | wc -l)
{ printf 'ARGS: %s\n' "$*"; cat; } >"$STUB_DIR/mail.$((n + 1))"
"#;

/// Records each post: its arguments, one per line, then its body; fails for a URL
/// listed in `down`.
const CURL: &str = r#"#!/bin/sh
n=$(ls "$STUB_DIR"/post.* 2>/dev/null | wc -l)
out="$STUB_DIR/post.$((n + 1))"
for arg in "$@"; do printf 'ARG %s\n' "$arg"; done >"$out"
echo BODY >>"$out"
cat >>"$out"
for last in "$@"; do :; done
if [ -e "$STUB_DIR/down" ] && grep -qxF "$last" "$STUB_DIR/down"; then
	echo "curl: (7) Failed to connect" >&2
	exit 7
fi
"#;

/// The admin's own command: records its arguments, environment and stdin.
const PAGE: &str = r#"#!/bin/sh
n=$(ls "$STUB_DIR"/page.* 2>/dev/null | wc -l)
{ printf 'ARGS: %s\n' "$*"; printf 'UNIT: %s\n' "$ZPLAN_UNIT"; printf 'HOST: %s\n' "$ZPLAN_HOST"; cat; } >"$STUB_DIR/page.$((n + 1))"
"#;

const JOURNALCTL: &str = r#"#!/bin/sh
echo "journalctl $*" >>"$STUB_DIR/journalctl.log"
echo "Dec 03 21:00:01 alpha sanoid[123]: cannot open 'tank/data': dataset does not exist"
printf '%s\t%s\n' 'Dec 03 21:00:01 alpha sanoid[123]: "quoted" back\slash' 'tab'
"#;

const SYSTEMCTL: &str = r#"#!/bin/sh
echo "Result=exit-code"
echo "ExecMainStatus=2"
"#;

const LOGGER: &str = r#"#!/bin/sh
printf '%s\n' "$*" >>"$STUB_DIR/logger.log"
"#;

const UNAME: &str = "#!/bin/sh\necho alpha\n";

/// `date +%s` answers the test's clock; any other format, a fixed time.
const DATE: &str = r#"#!/bin/sh
case "$*" in
*%s*) cat "$STUB_DIR/now" ;;
*) echo "2026-12-03 21:00:00 UTC" ;;
esac
"#;

/// A node that snapshots one dataset, with the given `monitoring` block.
fn policy(monitoring: &str) -> String {
    format!(
        "retention daily {{\n  hourly 24\n  daily  7\n}}\n\nnode alpha {{\n  address  10.0.0.1\n  snapshot tank/data retention daily\n}}\n\n{monitoring}"
    )
}

struct Notify {
    dir: PathBuf,
    script: PathBuf,
}

fn write_executable(path: &Path, text: &str) {
    fs::write(path, text).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
}

fn stub_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("notify").join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("bin")).unwrap();
    fs::create_dir_all(dir.join("state")).unwrap();
    dir
}

impl Notify {
    /// The notify script of `alpha` for a `monitoring` block; `{page}` in it stands for
    /// the stub of the admin's command.
    fn new(name: &str, monitoring: &str) -> Notify {
        let dir = stub_dir(name);
        let page = dir.join("page");
        write_executable(&page, PAGE);
        let source = policy(&monitoring.replace("{page}", &page.display().to_string()));
        let tree = zplan::compile(&source, "notify.zplan").tree.expect("the policy compiles");
        Notify::from_tree(dir, &tree, "alpha")
    }

    fn from_tree(dir: PathBuf, tree: &Tree, host: &str) -> Notify {
        let script = dir.join("notify");
        write_executable(&script, &file_text(tree, host, "usr/local/libexec/zplan/notify"));
        for (stub, text) in [
            ("sendmail", SENDMAIL),
            ("curl", CURL),
            ("journalctl", JOURNALCTL),
            ("systemctl", SYSTEMCTL),
            ("logger", LOGGER),
            ("uname", UNAME),
            ("date", DATE),
        ] {
            write_executable(&dir.join("bin").join(stub), text);
        }
        Notify { dir, script }
    }

    /// Runs `notify UNIT [FILE]` at `now` seconds.
    fn run(&self, now: u64, args: &[&str]) -> Output {
        fs::write(self.dir.join("now"), format!("{now}\n")).unwrap();
        let path = format!("{}:{}", self.dir.join("bin").display(), std::env::var("PATH").unwrap_or_default());
        Command::new("sh")
            .arg(&self.script)
            .args(args)
            .env("PATH", path)
            .env("STUB_DIR", &self.dir)
            .env("STATE_DIRECTORY", self.dir.join("state"))
            .output()
            .unwrap()
    }

    /// The texts of the stub's records named `prefix.N`, in order.
    fn records(&self, prefix: &str) -> Vec<String> {
        (1..).map_while(|n| fs::read_to_string(self.dir.join(format!("{prefix}.{n}"))).ok()).collect()
    }

    fn log(&self, name: &str) -> String {
        fs::read_to_string(self.dir.join(name)).unwrap_or_default()
    }
}

const EVERY_TARGET: &str = "monitoring {
  notify       mail zfs-alerts@example.org
  notify       ntfy https://ntfy.example.org/zfs-alerts
  notify       webhook https://hooks.example.org/zfs?token=abc&kind=zplan
  notify       command {page} storage
  notify-every 1h
}
";

fn succeeded(output: &Output) {
    assert!(output.status.success(), "notify failed: {}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn a_failure_reaches_every_target_with_the_unit_the_host_and_the_journal() {
    let notify = Notify::new("first", EVERY_TARGET);
    succeeded(&notify.run(1_000_000, &[UNIT]));
    let mails = notify.records("mail");
    assert_eq!(mails.len(), 1, "{mails:?}");
    let mail = &mails[0];
    assert!(mail.starts_with("ARGS: -t\nTo: zfs-alerts@example.org\n"), "{mail}");
    assert!(mail.contains("Subject: [zplan] alpha: zplan-sanoid.service failed\n"), "{mail}");
    assert!(mail.contains("Result=exit-code\nExecMainStatus=2\n"), "{mail}");
    assert!(mail.contains("cannot open 'tank/data': dataset does not exist"), "{mail}");
    assert!(!mail.contains("further failures"), "{mail}");
    assert_eq!(notify.log("journalctl.log"), "journalctl -u zplan-sanoid.service -n 20 --no-pager\n");

    let posts = notify.records("post");
    assert_eq!(posts.len(), 2, "{posts:?}");
    let ntfy = &posts[0];
    assert!(ntfy.contains("ARG Title: [zplan] alpha: zplan-sanoid.service failed\n"), "{ntfy}");
    assert!(ntfy.contains("ARG Priority: high\n") && ntfy.contains("ARG --max-time\nARG 20\n"), "{ntfy}");
    assert!(
        ntfy.contains("ARG https://ntfy.example.org/zfs-alerts\nBODY\nzplan-sanoid.service failed on alpha"),
        "{ntfy}"
    );
    let webhook = &posts[1];
    assert!(webhook.contains("ARG https://hooks.example.org/zfs?token=abc&kind=zplan\nBODY\n"), "{webhook}");
    let json: serde_json::Value = serde_json::from_str(webhook.split_once("BODY\n").unwrap().1).unwrap();
    assert_eq!(json["unit"], "zplan-sanoid.service");
    assert_eq!(json["host"], "alpha");
    assert_eq!(json["suppressed"], 0);
    let text = json["text"].as_str().unwrap();
    assert!(text.contains("cannot open 'tank/data': dataset does not exist\n"), "{json}");
    assert!(text.contains("\"quoted\" back\\slash\ttab"), "{json}");

    let pages = notify.records("page");
    assert_eq!(pages.len(), 1);
    assert!(pages[0].starts_with("ARGS: storage\nUNIT: zplan-sanoid.service\nHOST: alpha\n"), "{}", pages[0]);
    assert!(pages[0].contains("dataset does not exist"), "{}", pages[0]);
    assert!(notify.log("logger.log").contains("-p daemon.crit -t zplan zplan-sanoid.service failed on alpha"));
}

#[test]
fn failures_within_the_period_are_counted_and_reported_by_the_next_message() {
    let notify = Notify::new("rate", EVERY_TARGET);
    let start = 1_000_000;
    succeeded(&notify.run(start, &[UNIT]));
    succeeded(&notify.run(start + 240, &[UNIT]));
    succeeded(&notify.run(start + 3_599, &[UNIT]));
    assert_eq!(notify.records("mail").len(), 1, "a failure within the hour sends nothing");
    assert_eq!(notify.records("post").len(), 2);
    assert_eq!(notify.records("page").len(), 1);
    assert!(notify.log("logger.log").contains("(2 held back)"), "{}", notify.log("logger.log"));

    succeeded(&notify.run(start + 3_600, &[UNIT]));
    let mails = notify.records("mail");
    assert_eq!(mails.len(), 2, "the first failure after the period sends again");
    assert!(
        mails[1].contains("2 further failures of zplan-sanoid.service were not sent: at most one message per 1h."),
        "{}",
        mails[1]
    );
    let posts = notify.records("post");
    let json: serde_json::Value = serde_json::from_str(posts[3].split_once("BODY\n").unwrap().1).unwrap();
    assert_eq!(json["suppressed"], 2);

    succeeded(&notify.run(start + 3_700, &[UNIT]));
    assert_eq!(notify.records("mail").len(), 2, "the period starts again with each message");
    succeeded(&notify.run(start + 7_300, &[UNIT]));
    let mails = notify.records("mail");
    assert!(mails[2].contains("1 further failures"), "the count starts again: {}", mails[2]);
}

#[test]
fn a_clock_set_back_does_not_silence_a_unit() {
    let notify = Notify::new("clock", EVERY_TARGET);
    succeeded(&notify.run(1_000_000, &[UNIT]));
    succeeded(&notify.run(900_000, &[UNIT]));
    assert_eq!(notify.records("mail").len(), 2);
}

#[test]
fn each_unit_has_its_own_period() {
    let notify = Notify::new("units", EVERY_TARGET);
    succeeded(&notify.run(1_000_000, &[UNIT]));
    succeeded(&notify.run(1_000_010, &["zplan-replicate-offsite-tank-data.service"]));
    assert_eq!(notify.records("mail").len(), 2);
}

#[test]
fn a_file_replaces_the_journal_as_the_details() {
    let notify = Notify::new("file", EVERY_TARGET);
    let details = notify.dir.join("details");
    fs::write(&details, "tank/data: newest snapshot is 3h old, more than 16m\n").unwrap();
    succeeded(&notify.run(1_000_000, &["snapshots-tank-data", details.to_str().unwrap()]));
    let mail = &notify.records("mail")[0];
    assert!(mail.contains("Subject: [zplan] alpha: snapshots-tank-data failed"), "{mail}");
    assert!(mail.contains("newest snapshot is 3h old, more than 16m"), "{mail}");
    assert!(notify.log("journalctl.log").is_empty(), "the journal is not read");
}

#[test]
fn a_target_that_fails_does_not_stop_the_others_and_fails_the_unit() {
    let notify = Notify::new("down", EVERY_TARGET);
    fs::write(notify.dir.join("down"), "https://ntfy.example.org/zfs-alerts\n").unwrap();
    let output = notify.run(1_000_000, &[UNIT]);
    assert!(!output.status.success(), "a target that could not be reached fails the notify unit");
    assert_eq!(notify.records("mail").len(), 1);
    assert_eq!(notify.records("post").len(), 2);
    assert_eq!(notify.records("page").len(), 1);
    let log = notify.log("logger.log");
    assert!(
        log.contains("could not send the failure of zplan-sanoid.service to ntfy https://ntfy.example.org/zfs-alerts"),
        "{log}"
    );
}

#[test]
fn without_targets_root_gets_the_mail_and_syslog_a_crit_line() {
    let notify = Notify::new("default", "");
    succeeded(&notify.run(1_000_000, &[UNIT]));
    let mails = notify.records("mail");
    assert_eq!(mails.len(), 1);
    assert!(mails[0].starts_with("ARGS: -t\nTo: root\n"), "{}", mails[0]);
    assert!(notify.records("post").is_empty());
    assert!(notify.log("logger.log").contains("-p daemon.crit -t zplan zplan-sanoid.service failed on alpha"));
}

#[test]
fn without_targets_or_sendmail_the_failure_is_still_logged() {
    let notify = Notify::new("no-sendmail", "");
    fs::remove_file(notify.dir.join("bin/sendmail")).unwrap();
    fs::write(notify.dir.join("now"), "1000000\n").unwrap();
    // The stubs and the system's bin directories: sendmail lives in /usr/sbin when installed.
    let output = Command::new("sh")
        .arg(&notify.script)
        .arg(UNIT)
        .env("PATH", format!("{}:/usr/bin:/bin", notify.dir.join("bin").display()))
        .env("STUB_DIR", &notify.dir)
        .env("STATE_DIRECTORY", notify.dir.join("state"))
        .output()
        .unwrap();
    succeeded(&output);
    assert!(notify.records("mail").is_empty());
    assert!(notify.log("logger.log").contains("zplan-sanoid.service failed on alpha"));
}

#[test]
fn every_service_names_the_notify_unit_and_the_notify_unit_names_none() {
    let tree = zplan::compile(&policy(""), "notify.zplan").tree.expect("the policy compiles");
    let service = file_text(&tree, "alpha", "etc/systemd/system/zplan-sanoid.service");
    assert_eq!(unit_value(&service, "OnFailure"), "zplan-notify@%n.service");
    let notify = file_text(&tree, "alpha", "etc/systemd/system/zplan-notify@.service");
    assert!(!notify.lines().any(|line| line.starts_with("OnFailure=")), "{notify}");
    assert_eq!(unit_value(&notify, "ExecStart"), "/usr/local/libexec/zplan/notify %i");
    assert_eq!(unit_value(&notify, "StateDirectory"), "zplan-notify");
}

/// `service zrepl status` as rc.subr answers it: running, or not (exit 1).
const SERVICE: &str = r#"#!/bin/sh
if [ -e "$STUB_DIR/zrepl-down" ]; then
	echo "zrepl is not running."
	exit 1
fi
echo "zrepl is running as pid 812."
"#;

/// `zrepl status --mode raw`: the daemon's report, or no answer on its control socket.
const ZREPL: &str = r#"#!/bin/sh
if [ -e "$STUB_DIR/zrepl-mute" ]; then
	echo "Error: dial unix /var/run/zrepl/control: connect: connection refused" >&2
	exit 1
fi
echo '{"Jobs":{}}'
"#;

/// The notify script and the zrepl check of FreeBSD node `f0` of the f3s example, side by
/// side as on the host.
fn freebsd(name: &str) -> (Notify, PathBuf) {
    let tree = zplan::compile(include_str!("../examples/freebsd-f3s.zplan"), "freebsd-f3s.zplan").tree.unwrap();
    let dir = stub_dir(name);
    let notify = Notify::from_tree(dir, &tree, "f0");
    let health = notify.dir.join("zrepl-health");
    write_executable(&health, &file_text(&tree, "f0", "usr/local/libexec/zplan/zrepl-health"));
    write_executable(&notify.dir.join("bin/service"), SERVICE);
    write_executable(&notify.dir.join("bin/zrepl"), ZREPL);
    fs::write(notify.dir.join("now"), "1000000\n").unwrap();
    (notify, health)
}

fn run_health(notify: &Notify, health: &Path) -> Output {
    let path = format!("{}:{}", notify.dir.join("bin").display(), std::env::var("PATH").unwrap_or_default());
    Command::new("sh")
        .arg(health)
        .env("PATH", path)
        .env("STUB_DIR", &notify.dir)
        .env("STATE_DIRECTORY", notify.dir.join("state"))
        .output()
        .unwrap()
}

#[test]
fn freebsd_hosts_check_the_zrepl_daemon_from_cron() {
    let tree = zplan::compile(include_str!("../examples/freebsd-f3s.zplan"), "freebsd-f3s.zplan").tree.unwrap();
    let cron = file_text(&tree, "f0", "usr/local/etc/cron.d/zplan-zrepl-health");
    assert!(cron.contains("\n*/15 * * * * root /usr/local/libexec/zplan/zrepl-health\n"), "{cron}");
    let script = file_text(&tree, "f0", "usr/local/libexec/zplan/notify");
    assert!(script.contains("state=${STATE_DIRECTORY:-/var/db/zplan-notify}\n"), "{script}");
    assert!(!script.contains("journalctl"), "{script}");
}

#[test]
fn a_healthy_zrepl_daemon_sends_nothing() {
    let (notify, health) = freebsd("zrepl-healthy");
    let output = run_health(&notify, &health);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(notify.records("mail").is_empty());
}

#[test]
fn a_stopped_zrepl_daemon_reaches_root() {
    let (notify, health) = freebsd("zrepl-down");
    fs::write(notify.dir.join("zrepl-down"), "").unwrap();
    let output = run_health(&notify, &health);
    assert!(!output.status.success(), "the check fails with the daemon");
    let mails = notify.records("mail");
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert!(
        mails[0].contains("To: root\n") && mails[0].contains("Subject: [zplan] alpha: zrepl failed"),
        "{}",
        mails[0]
    );
    assert!(mails[0].contains("zrepl is not running."), "{}", mails[0]);
    run_health(&notify, &health);
    assert_eq!(notify.records("mail").len(), 1, "the next check within the hour is held back");
}

#[test]
fn a_zrepl_daemon_that_does_not_answer_reaches_root() {
    let (notify, health) = freebsd("zrepl-mute");
    fs::write(notify.dir.join("zrepl-mute"), "").unwrap();
    run_health(&notify, &health);
    let mails = notify.records("mail");
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert!(
        mails[0].contains("does not answer zrepl status:\nError: dial unix /var/run/zrepl/control"),
        "{}",
        mails[0]
    );
}

#[test]
fn a_linux_zrepl_daemon_names_the_notify_unit() {
    let tree = zplan::compile(include_str!("../examples/zrepl-fan-out.zplan"), "zrepl-fan-out.zplan").tree.unwrap();
    let drop_in = file_text(&tree, "nas", "etc/systemd/system/zrepl.service.d/zplan-notify.conf");
    assert_eq!(unit_value(&drop_in, "OnFailure"), "zplan-notify@%n.service");
    file_text(&tree, "nas", "usr/local/libexec/zplan/notify");
}

/// Whole trees: every service zplan writes names the notify unit once, the notify unit names
/// none, and every host with a service has the notify unit and script; no mount does.
#[test]
fn every_service_of_every_clean_policy_notifies_on_failure() {
    for (name, source) in crate::support::clean_policies() {
        let tree = zplan::compile(&source, &name).tree.unwrap_or_else(|| panic!("{name} compiles"));
        let mut hosts_with_services = std::collections::BTreeSet::new();
        for ((host, path), file) in &tree.files {
            let Some(unit) = path.strip_prefix("etc/systemd/system/") else { continue };
            if unit.contains('/')
                || !(unit.ends_with(".service") || unit.ends_with(".mount") || unit.ends_with(".automount"))
            {
                continue;
            }
            let Body::Bytes(bytes) = &file.body else { continue };
            let text = String::from_utf8_lossy(bytes);
            let on_failure = text.lines().filter(|line| line.starts_with("OnFailure=")).count();
            let expected = usize::from(unit.ends_with(".service") && unit != "zplan-notify@.service");
            assert_eq!(on_failure, expected, "{name}: {host}/{path}\n{text}");
            if expected == 1 {
                hosts_with_services.insert(host.clone());
            }
        }
        for host in hosts_with_services {
            file_text(&tree, &host, "etc/systemd/system/zplan-notify@.service");
            file_text(&tree, &host, "usr/local/libexec/zplan/notify");
        }
    }
}
