//! Shared pieces of the systemd units zplan writes: paths, timers and role gates.

use super::files::{Action, Content, Files, Unit};
use crate::model::Duration;

/// Where units go on a host.
pub const UNIT_DIR: &str = "etc/systemd/system";

/// Where generated scripts go on a host.
pub const LIBEXEC_DIR: &str = "usr/local/libexec/zplan";

/// Mode of a generated regular file.
pub const FILE_MODE: u32 = 0o644;

/// Mode of a generated script.
pub const SCRIPT_MODE: u32 = 0o755;

/// The role script of a pair, as a path on the host.
pub fn role_script(pair: &str) -> String {
    format!("/{LIBEXEC_DIR}/role-{pair}")
}

/// The guard script of a pair, as a path on the host.
pub fn guard_script(pair: &str) -> String {
    format!("/{LIBEXEC_DIR}/guard-{pair}")
}

/// `OnCalendar=` for every `period` minutes aligned to the hour, `offset` seconds in.
pub fn calendar(period: Duration, offset_seconds: u64) -> String {
    let minutes = period.seconds() / 60;
    match offset_seconds {
        0 => format!("*:0/{minutes}"),
        offset => format!("*:0/{minutes}:{offset:02}"),
    }
}

/// Adds a service and the timer that starts it, enabled by the deployer.
pub fn add_timed_service(files: &mut Files, host: &str, stem: &str, service: Unit, timer: Unit) {
    let reload = vec![Action::DaemonReload];
    files.add(host, format!("{UNIT_DIR}/{stem}.service"), FILE_MODE, Content::Unit(service), reload);
    let timer_actions = vec![Action::DaemonReload, Action::EnableNow(format!("{stem}.timer"))];
    files.add(host, format!("{UNIT_DIR}/{stem}.timer"), FILE_MODE, Content::Unit(timer), timer_actions);
}

/// A timer that starts `stem.service` on a calendar, never late by more than a second.
pub fn timer(description: String, on_calendar: String, stem: &str) -> Unit {
    Unit::default()
        .section("Unit", vec![("Description", description)])
        .section(
            "Timer",
            vec![("OnCalendar", on_calendar), ("AccuracySec", "1s".to_owned()), ("Unit", format!("{stem}.service"))],
        )
        .section("Install", vec![("WantedBy", "timers.target".to_owned())])
}
