//! Shared pieces of the systemd units zplan writes: paths, timers and role gates.

use super::files::{Action, Content, Files, Unit};
use crate::model::{Duration, StartTime, Weekday};

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

/// `OnCalendar=` for a replication cadence, `offset` seconds after each snapshot slot.
/// Periods of an hour or more are counted in UTC, as sanoid's snapshots, so that every gap
/// is the period (no daylight saving time); a daily or weekly one starts at the time the
/// policy gives, exactly (midnight, and Monday as systemd's `weekly`, when it gives none).
pub fn replication_calendar(period: Duration, start: Option<StartTime>, offset_seconds: u64) -> String {
    let seconds = period.seconds();
    if seconds < 3_600 {
        return calendar(period, offset_seconds);
    }
    if seconds == 3_600 {
        return format!("*-*-* *:00:{offset_seconds:02} UTC");
    }
    if seconds < 86_400 {
        return format!("*-*-* 0/{}:00:{offset_seconds:02} UTC", seconds / 3_600);
    }
    let (time, day) = match start {
        Some(start) => (format!("{:02}:{:02}:00", start.hour, start.minute), start.day),
        None => (format!("00:00:{offset_seconds:02}"), None),
    };
    if seconds == 86_400 {
        return format!("*-*-* {time} UTC");
    }
    format!("{} *-*-* {time} UTC", day.unwrap_or(Weekday::Mon).systemd())
}

/// Whether a replication cadence is long enough that a run missed while the host was off
/// should run at boot (`Persistent=true`) rather than wait for the next day or week.
pub fn catches_up(period: Duration) -> bool {
    period.seconds() >= 86_400
}

/// Adds a service and the timer that starts it, enabled by the deployer.
/// A oneshot unit that runs sanoid in UTC, as sanoid's own schedule is: gated by
/// `condition` (a role check) when there is one.
pub fn sanoid_unit(description: String, condition: Option<String>, exec_start: String) -> Unit {
    let mut service = vec![("Type", "oneshot".to_owned()), ("Environment", "TZ=UTC".to_owned())];
    service.extend(condition.map(|condition| ("ExecCondition", condition)));
    service.push(("ExecStart", exec_start));
    Unit::default()
        .section(
            "Unit",
            vec![
                ("Description", description),
                ("Documentation", "man:sanoid(8)".to_owned()),
                ("After", "zfs.target".to_owned()),
            ],
        )
        .section("Service", service)
}

pub fn add_timed_service(files: &mut Files, host: &str, stem: &str, service: Unit, timer: Unit) {
    let reload = vec![Action::DaemonReload];
    files.add(host, format!("{UNIT_DIR}/{stem}.service"), FILE_MODE, Content::Unit(service), reload);
    let timer_actions = vec![Action::DaemonReload, Action::EnableNow(format!("{stem}.timer"))];
    files.add(host, format!("{UNIT_DIR}/{stem}.timer"), FILE_MODE, Content::Unit(timer), timer_actions);
}

/// A timer that starts `stem.service` on a calendar, never late by more than a second.
pub fn timer(description: String, on_calendar: String, stem: &str) -> Unit {
    timer_catching_up(description, on_calendar, stem, false)
}

/// A timer as [`timer`]; with `persistent`, a run missed while the host was off runs at boot.
pub fn timer_catching_up(description: String, on_calendar: String, stem: &str, persistent: bool) -> Unit {
    let mut settings = vec![("OnCalendar", on_calendar), ("AccuracySec", "1s".to_owned())];
    if persistent {
        settings.push(("Persistent", "true".to_owned()));
    }
    settings.push(("Unit", format!("{stem}.service")));
    Unit::default()
        .section("Unit", vec![("Description", description)])
        .section("Timer", settings)
        .section("Install", vec![("WantedBy", "timers.target".to_owned())])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replication_calendars_repeat_their_period_in_utc() {
        let start = |hour, minute, day| Some(StartTime { hour, minute, day });
        assert_eq!(replication_calendar(Duration(240), None, 30), "*:0/4:30");
        assert_eq!(replication_calendar(Duration(3_600), None, 30), "*-*-* *:00:30 UTC");
        assert_eq!(replication_calendar(Duration(8 * 3_600), None, 30), "*-*-* 0/8:00:30 UTC");
        assert_eq!(replication_calendar(Duration(86_400), start(5, 5, None), 30), "*-*-* 05:05:00 UTC");
        assert_eq!(replication_calendar(Duration(86_400), None, 30), "*-*-* 00:00:30 UTC");
        assert_eq!(
            replication_calendar(Duration(7 * 86_400), start(3, 0, Some(Weekday::Sun)), 30),
            "Sun *-*-* 03:00:00 UTC"
        );
        assert_eq!(replication_calendar(Duration(7 * 86_400), start(22, 15, None), 30), "Mon *-*-* 22:15:00 UTC");
        assert!(catches_up(Duration(86_400)) && !catches_up(Duration(12 * 3_600)));
    }
}
