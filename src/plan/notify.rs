//! Failure notification. On Linux every service zplan writes names `zplan-notify@%n.service`
//! as its `OnFailure=`, which runs the notify script with the failed unit's name; FreeBSD
//! hosts, which run zrepl without systemd, get the same script and a cron check of the zrepl
//! daemon. The script sends what the policy's `notify` statements declare, at most once per
//! `notify-every` per failing unit.

use std::collections::BTreeSet;

use super::files::*;
use super::monitor::{cron_schedule, CRON_PATH};
use super::systemd::{FILE_MODE, LIBEXEC_DIR, SCRIPT_MODE, UNIT_DIR};
use crate::model::monitoring::NotifyTarget;
use crate::model::{Os, Policy};

/// The notify script, as a path on the host: `notify NAME [FILE]`.
pub const NOTIFY_SCRIPT: &str = "/usr/local/libexec/zplan/notify";

/// The template unit every zplan service names in `OnFailure=`.
pub const NOTIFY_UNIT: &str = "zplan-notify@.service";

/// The `OnFailure=` value: the instance is the failed unit's full name (`%n`), given back to
/// the script unescaped by `%i`.
pub const ON_FAILURE: &str = "zplan-notify@%n.service";

/// The notify script is root's alone: a webhook or ntfy URL may carry a token.
const NOTIFY_MODE: u32 = 0o700;

/// How long the notify unit may run: curl gives up on a target after 20 s, and a oneshot
/// unit would otherwise wait forever on a hung sendmail.
const NOTIFY_TIMEOUT: &str = "5min";

/// The state directory of the rate limit, under `/var/lib` (systemd's `StateDirectory=`).
const STATE_DIRECTORY: &str = "zplan-notify";

/// Where a Linux host's zrepl reads the config zplan writes.
const LINUX_ZREPL_CONFIG: &str = "etc/zrepl/zrepl.yml";

/// The FreeBSD check of the zrepl daemon, run from cron.
const ZREPL_HEALTH: &str = "zrepl-health";

/// Where FreeBSD's cron(8) reads the tables of installed software.
const FREEBSD_CRON_DIR: &str = "usr/local/etc/cron.d";

/// Adds the notify unit and script to every host that has a zplan service or check, and
/// names the notify unit as the `OnFailure=` of each service. Runs after every other part
/// of the plan, so that it sees all their units.
pub fn notify_files(policy: &Policy, files: &mut Files) {
    let zrepl_hosts = linux_zrepl_hosts(files);
    for host in &zrepl_hosts {
        zrepl_drop_in(host, files);
    }
    let mut linux = hosts_with_services(files);
    linux.extend(zrepl_hosts);
    for host in &linux {
        notify_on_failure(files, host);
        linux_notify_files(policy, host, files);
    }
    for host in freebsd_hosts_with_files(policy, files) {
        freebsd_notify_files(policy, &host, files);
    }
}

/// Whether a planned file is a service unit zplan writes (not a drop-in, a mask or a mount).
fn is_service(path: &str, content: &Content) -> bool {
    let Some(name) = path.strip_prefix(UNIT_DIR).and_then(|rest| rest.strip_prefix('/')) else {
        return false;
    };
    let service = name.ends_with(".service") && !name.contains('/');
    service && matches!(content, Content::Unit(unit) if unit.sections.iter().any(|s| s.name == "Service"))
}

fn hosts_with_services(files: &Files) -> BTreeSet<String> {
    files
        .0
        .iter()
        .filter(|((_, path), file)| is_service(path, &file.content))
        .map(|((host, _), _)| host.clone())
        .collect()
}

/// Linux hosts whose zrepl daemon runs a zrepl.yml zplan wrote.
fn linux_zrepl_hosts(files: &Files) -> BTreeSet<String> {
    files.0.keys().filter(|(_, path)| path == LINUX_ZREPL_CONFIG).map(|(host, _)| host.clone()).collect()
}

/// `OnFailure=` for the zrepl package's own unit: the daemon runs every zrepl job of the host.
fn zrepl_drop_in(host: &str, files: &mut Files) {
    let unit = Unit::default()
        .comment("zrepl runs every zrepl job of this host: tell the admin when its daemon fails.")
        .section("Unit", vec![("OnFailure", ON_FAILURE.to_owned())]);
    let path = format!("{UNIT_DIR}/zrepl.service.d/zplan-notify.conf");
    files.add(host, path, FILE_MODE, Content::Unit(unit), vec![Action::DaemonReload]);
}

/// Adds `OnFailure=` to the `[Unit]` section of every service of `host`.
fn notify_on_failure(files: &mut Files, host: &str) {
    for ((file_host, path), file) in files.0.iter_mut() {
        if file_host != host || !is_service(path, &file.content) {
            continue;
        }
        if let Content::Unit(unit) = &mut file.content {
            add_on_failure(unit);
        }
    }
}

/// `OnFailure=zplan-notify@%n.service` at the end of the unit's `[Unit]` section.
fn add_on_failure(unit: &mut Unit) {
    let entry = Entry { key: "OnFailure", value: ON_FAILURE.to_owned() };
    match unit.sections.iter_mut().find(|section| section.name == "Unit") {
        Some(section) => section.entries.push(entry),
        None => unit.sections.insert(0, Section { name: "Unit", entries: vec![entry] }),
    }
}

fn linux_notify_files(policy: &Policy, host: &str, files: &mut Files) {
    let unit = Unit::default()
        .comment("Run by the OnFailure= of every zplan service: tells the admin which unit failed, with")
        .comment("its result and last journal lines, at most once per unit per notify-every.")
        .section(
            "Unit",
            vec![
                ("Description", "Tell the admin that %i failed".to_owned()),
                ("Documentation", "man:systemd.unit(5)".to_owned()),
                ("Wants", "network-online.target".to_owned()),
                ("After", "network-online.target".to_owned()),
            ],
        )
        .section(
            "Service",
            vec![
                ("Type", "oneshot".to_owned()),
                ("StateDirectory", STATE_DIRECTORY.to_owned()),
                ("TimeoutStartSec", NOTIFY_TIMEOUT.to_owned()),
                ("ExecStart", format!("{NOTIFY_SCRIPT} %i")),
            ],
        );
    files.add(host, format!("{UNIT_DIR}/{NOTIFY_UNIT}"), FILE_MODE, Content::Unit(unit), vec![Action::DaemonReload]);
    let script = notify_script(policy, false);
    files.add(host, format!("{LIBEXEC_DIR}/notify"), NOTIFY_MODE, Content::Script(script), Vec::new());
}

/// FreeBSD nodes that zplan writes any file for: they get the script, and where zrepl runs
/// the cron check of its daemon.
fn freebsd_hosts_with_files(policy: &Policy, files: &Files) -> Vec<String> {
    let has_files = |name: &str| files.0.keys().any(|(host, _)| host == name);
    policy
        .nodes
        .iter()
        .filter(|node| node.os.value == Os::FreeBsd && has_files(&node.name.value))
        .map(|node| node.name.value.clone())
        .collect()
}

fn freebsd_notify_files(policy: &Policy, host: &str, files: &mut Files) {
    let script = notify_script(policy, true);
    files.add(host, format!("{LIBEXEC_DIR}/notify"), NOTIFY_MODE, Content::Script(script), Vec::new());
    let runs_zrepl = files.0.keys().any(|(h, path)| h == host && path.ends_with("zrepl/zrepl.yml"));
    if !runs_zrepl {
        return;
    }
    let every = policy.monitoring.check_every.value;
    let health = Script::ZreplHealth { notify: NOTIFY_SCRIPT.to_owned(), every: every.to_string() };
    files.add(host, format!("{LIBEXEC_DIR}/{ZREPL_HEALTH}"), SCRIPT_MODE, Content::Script(health), Vec::new());
    let table = CronTable {
        comments: vec![format!(
            "Checks every {every} that the zrepl daemon runs and answers; tells the admin when not."
        )],
        path: CRON_PATH.to_owned(),
        lines: vec![format!("{} root /{LIBEXEC_DIR}/{ZREPL_HEALTH}", cron_schedule(every))],
    };
    files.add(host, format!("{FREEBSD_CRON_DIR}/zplan-zrepl-health"), FILE_MODE, Content::CronTable(table), Vec::new());
}

/// The notify script of a host, with the policy's targets as quoted shell words.
fn notify_script(policy: &Policy, freebsd: bool) -> Script {
    let every = policy.monitoring.notify_every.value;
    let targets = policy.monitoring.notify.iter().map(|target| notify_line(&target.value)).collect();
    Script::Notify { freebsd, every: every.to_string(), every_seconds: every.seconds(), targets }
}

fn notify_line(target: &NotifyTarget) -> NotifyLine {
    let (kind, words): (&'static str, Vec<&str>) = match target {
        NotifyTarget::Mail(address) => ("mail", vec![address]),
        NotifyTarget::Ntfy(url) => ("ntfy", vec![url]),
        NotifyTarget::Webhook(url) => ("webhook", vec![url]),
        NotifyTarget::Command(words) => ("command", words.iter().map(String::as_str).collect()),
    };
    NotifyLine {
        kind,
        shown: words.join(" "),
        words: words.iter().map(|word| shell_word(word)).collect::<Vec<_>>().join(" "),
    }
}

/// A word for sh, single-quoted so that nothing in it is expanded.
pub fn shell_word(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Duration;

    #[test]
    fn shell_words_survive_quotes() {
        assert_eq!(shell_word("a b"), "'a b'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
    }

    #[test]
    fn cron_runs_every_check_period() {
        assert_eq!(cron_schedule(Duration(900)), "*/15 * * * *");
        assert_eq!(cron_schedule(Duration(60)), "* * * * *");
        assert_eq!(cron_schedule(Duration(3_600)), "0 * * * *");
        assert_eq!(cron_schedule(Duration(6 * 3_600)), "0 */6 * * *");
        assert_eq!(cron_schedule(Duration(86_400)), "0 0 * * *");
    }

    #[test]
    fn on_failure_goes_into_the_unit_section() {
        let mut unit =
            Unit::default().section("Unit", vec![("Description", "x".to_owned())]).section("Service", vec![]);
        add_on_failure(&mut unit);
        assert_eq!(unit.sections[0].entries[1], Entry { key: "OnFailure", value: ON_FAILURE.to_owned() });
        assert!(is_service("etc/systemd/system/zplan-x.service", &Content::Unit(unit.clone())));
        assert!(!is_service("etc/systemd/system/nfs-server.service.d/zplan.conf", &Content::Unit(unit.clone())));
        assert!(!is_service("etc/systemd/system/x.mount", &Content::Unit(unit)));
    }
}
