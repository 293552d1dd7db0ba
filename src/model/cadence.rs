//! Reading `replicate-every D [on DAY] [at HH:MM]`: how often replication runs, and when in
//! a day or a week. A systemd timer repeats a period only when the period divides the next
//! calendar unit up: minutes that divide an hour, hours that divide a day, one day, one week.

use super::settings::{wrong_count, Settings};
use super::types::{Duration, Spanned, StartTime, Weekday};
use super::values;
use crate::diagnostic::Problem;
use crate::syntax::{Statement, Value};

const EXAMPLE: &str = "replicate-every 1d at 05:05";

/// The hours a timer's period may have: they divide a day.
pub const DAY_DIVISORS: [u64; 7] = [1, 2, 3, 4, 6, 8, 12];

const DAY: u64 = 86_400;
const WEEK: u64 = 7 * DAY;

/// A pair's replication cadence as read: the period, and its start in a day or a week.
pub type ReadCadence = (Option<Spanned<Duration>>, Option<Spanned<StartTime>>);

/// Reads `replicate-every`; `None` when it is broken (the problems say why). Periods under
/// an hour are left to the caller's timer rule, which already explains them.
pub fn read(settings: &Settings<'_>, on_timers: bool, problems: &mut Vec<Problem>) -> Option<ReadCadence> {
    let Some(statement) = settings.get("replicate-every") else {
        return Some((None, None));
    };
    let Some((first, rest)) = statement.values.split_first() else {
        problems.push(wrong_count(statement, "a duration, an optional `on DAY` and `at HH:MM`", EXAMPLE));
        return None;
    };
    if statement.block.is_some() {
        problems.push(wrong_count(statement, "a duration, an optional `on DAY` and `at HH:MM`", EXAMPLE));
        return None;
    }
    let every = values::duration(first, EXAMPLE).map_err(|p| problems.push(p)).ok()?;
    if every.value.seconds() == 0 {
        problems.push(Problem::OutOfRange {
            span: first.span.into(),
            what: "duration",
            text: first.text.clone(),
            range: "1s to 100 years",
        });
        return None;
    }
    let start = start_time(statement, rest, problems)?;
    if !on_timers {
        if let Some(start) = start {
            problems.push(Problem::CadenceStartMisplaced {
                span: start.span.into(),
                start: start.value.to_string(),
                reason: "zrepl counts a pull's interval from when the job starts, and has no time of day".to_owned(),
                help: "remove it: zrepl pulls every `replicate-every`; or use `engine syncoid`, whose timers start at a set time".to_owned(),
            });
            return None;
        }
        return Some((Some(every), None));
    }
    if every.value.seconds() < 3_600 {
        if let Some(start) = start {
            problems.push(start_needs_day(&every, &start));
            return None;
        }
        return Some((Some(every), None));
    }
    calendar_problem(&every).map_or(Ok(()), Err).map_err(|p| problems.push(p)).ok()?;
    if let Some(start) = &start {
        let weekly = every.value.seconds() == WEEK;
        let daily = every.value.seconds() == DAY;
        if !(daily || weekly) {
            problems.push(start_needs_day(&every, start));
            return None;
        }
        if daily && start.value.day.is_some() {
            problems.push(Problem::CadenceStartMisplaced {
                span: start.span.into(),
                start: start.value.to_string(),
                reason: format!(
                    "`on DAY` picks the day of a weekly replication, and this one runs every {}",
                    every.value
                ),
                help: "write `replicate-every 1w on sun at 03:00` for a weekly replication, or drop `on DAY`"
                    .to_owned(),
            });
            return None;
        }
    }
    Some((Some(every), start))
}

fn start_needs_day(every: &Spanned<Duration>, start: &Spanned<StartTime>) -> Problem {
    Problem::CadenceStartMisplaced {
        span: start.span.into(),
        start: start.value.to_string(),
        reason: format!("a replication every {} repeats within a day, so it has no time of day", every.value),
        help:
            "give a time to `replicate-every 1d` or `replicate-every 1w`, or drop it: shorter periods start on the hour"
                .to_owned(),
    }
}

/// Why a period of an hour or more cannot be a timer's, with the arithmetic.
fn calendar_problem(every: &Spanned<Duration>) -> Option<Problem> {
    let seconds = every.value.seconds();
    if seconds == DAY || seconds == WEEK {
        return None;
    }
    let reason = if seconds % 3_600 != 0 {
        format!("{} is not a whole number of hours", every.value)
    } else if seconds < DAY {
        let hours = seconds / 3_600;
        if DAY_DIVISORS.contains(&hours) {
            return None;
        }
        format!(
            "24h / {hours}h = {} remainder {}, so the runs would not fall at the same hours every day",
            24 / hours,
            24 % hours
        )
    } else {
        format!(
            "{} is neither 1d nor 1w, so the runs would not fall on the same time of every day or week",
            every.value
        )
    };
    Some(Problem::CadenceNotCalendar { span: every.span.into(), text: every.value.to_string(), reason })
}

/// `on DAY` and `at HH:MM`, in either order.
fn start_time(
    statement: &Statement,
    rest: &[Value],
    problems: &mut Vec<Problem>,
) -> Option<Option<Spanned<StartTime>>> {
    let mut day: Option<Weekday> = None;
    let mut time: Option<(u8, u8)> = None;
    let mut broken = false;
    for chunk in rest.chunks(2) {
        match chunk {
            [word, value] if word.text == "at" && time.is_none() => {
                time = clock(value, problems);
                broken |= time.is_none();
            }
            [word, value] if word.text == "on" && day.is_none() => {
                day = weekday(value, problems);
                broken |= day.is_none();
            }
            _ => {
                problems.push(wrong_count(statement, "a duration, an optional `on DAY` and `at HH:MM`", EXAMPLE));
                return None;
            }
        }
    }
    if broken {
        return None;
    }
    let Some(last) = rest.last() else {
        return Some(None);
    };
    let span = rest[0].span.join(last.span);
    let (hour, minute) = time.unwrap_or((0, 0));
    Some(Some(Spanned::new(StartTime { hour, minute, day }, span)))
}

fn clock(value: &Value, problems: &mut Vec<Problem>) -> Option<(u8, u8)> {
    let parsed = value.text.split_once(':').and_then(|(hour, minute)| {
        let two_digits = |text: &str| text.len() == 2 && text.bytes().all(|b| b.is_ascii_digit());
        if !two_digits(hour) || !two_digits(minute) {
            return None;
        }
        let (hour, minute) = (hour.parse::<u8>().ok()?, minute.parse::<u8>().ok()?);
        (hour < 24 && minute < 60).then_some((hour, minute))
    });
    if parsed.is_none() {
        problems.push(Problem::WrongKind {
            span: value.span.into(),
            expected: "a time of day",
            found: value.text.clone(),
            help: "write it as `HH:MM` in UTC, from `00:00` to `23:59`, such as `at 05:05`".to_owned(),
        });
    }
    parsed
}

fn weekday(value: &Value, problems: &mut Vec<Problem>) -> Option<Weekday> {
    let day = Weekday::ALL.into_iter().find(|day| day.keyword() == value.text);
    if day.is_none() {
        problems.push(Problem::UnknownKeyword {
            span: value.span.into(),
            what: "day of the week".to_owned(),
            keyword: value.text.clone(),
            help: values::did_you_mean(&value.text, Weekday::ALL.map(Weekday::keyword))
                .or_else(|| Some("write `mon`, `tue`, `wed`, `thu`, `fri`, `sat` or `sun`".to_owned())),
        });
    }
    day
}
