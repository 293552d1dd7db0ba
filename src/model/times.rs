//! When sanoid takes each kind of snapshot, as a retention writes it after the count:
//! `hourly 24 at minute 15`, `daily 14 at 23:30`, `weekly 4 on sun at 23:30`,
//! `monthly 6 on 1 at 03:00`, `yearly 2 on jan 1 at 00:00`. Every part is checked against
//! the range sanoid 2.1.0 accepts, so that nothing reaches sanoid.conf that kills its run.

use super::types::{SnapshotKind, SnapshotTime, Spanned};
use crate::diagnostic::Problem;
use crate::syntax::{Value, ValueKind};

type Read<T> = Result<T, Problem>;

/// Weekdays as sanoid numbers them (`weekly_wday`, 0 is Sunday).
const WEEKDAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/// Months as sanoid numbers them (`yearly_mon`, from 1).
const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/// The form each kind's time takes, for messages.
pub fn example(kind: SnapshotKind) -> &'static str {
    match kind {
        SnapshotKind::Frequently => "frequently 4",
        SnapshotKind::Hourly => "hourly 24 at minute 15",
        SnapshotKind::Daily => "daily 14 at 23:30",
        SnapshotKind::Weekly => "weekly 4 on sun at 23:30",
        SnapshotKind::Monthly => "monthly 6 on 1 at 03:00",
        SnapshotKind::Yearly => "yearly 2 on jan 1 at 00:00",
    }
}

/// What the words after a count may be, for messages.
pub fn expected(kind: SnapshotKind) -> &'static str {
    match kind {
        SnapshotKind::Frequently => "one count (frequent snapshots follow the period)",
        SnapshotKind::Hourly => "a count and an optional `at minute M`",
        SnapshotKind::Daily => "a count and an optional `at HH:MM`",
        SnapshotKind::Weekly => "a count, an optional `on DAY` and an optional `at HH:MM`",
        SnapshotKind::Monthly => "a count, an optional `on DAY-OF-MONTH` and an optional `at HH:MM`",
        SnapshotKind::Yearly => "a count, an optional `on MONTH DAY` and an optional `at HH:MM`",
    }
}

/// A time as a policy writes it, `on sun at 23:30`, for messages.
pub fn describe(time: &SnapshotTime) -> String {
    let mut words = Vec::new();
    if let Some(month) = time.month.and_then(|m| MONTHS.get(usize::from(m).saturating_sub(1))) {
        words.push(format!("on {month}"));
    }
    if let Some(weekday) = time.weekday.and_then(|d| WEEKDAYS.get(usize::from(d))) {
        words.push(format!("on {weekday}"));
    }
    if let Some(day) = time.day_of_month {
        words.push(if time.month.is_some() { day.to_string() } else { format!("on {day}") });
    }
    match (time.hour, time.minute) {
        (Some(hour), Some(minute)) => words.push(format!("at {hour:02}:{minute:02}")),
        (None, Some(minute)) => words.push(format!("at minute {minute}")),
        _ => {}
    }
    words.join(" ")
}

/// The time written after a kind's count; `Ok(None)` when nothing is written.
pub fn snapshot_time(kind: SnapshotKind, rest: &[Value]) -> Result<Option<Spanned<SnapshotTime>>, Shape> {
    let Some(first) = rest.first() else {
        return Ok(None);
    };
    let span = rest.iter().fold(first.span, |span, value| span.join(value.span));
    let (on, at) = split_clauses(rest).ok_or(Shape::Misshapen)?;
    let mut time = SnapshotTime::default();
    match (kind, on) {
        (_, None) => {}
        (SnapshotKind::Weekly, Some([day])) => time.weekday = Some(weekday(day)?),
        (SnapshotKind::Monthly, Some([day])) => time.day_of_month = Some(day_of_month(day)?),
        (SnapshotKind::Yearly, Some([month_value, day])) => {
            time.month = Some(month(month_value)?);
            time.day_of_month = Some(day_of_month(day)?);
        }
        _ => return Err(Shape::Misshapen),
    }
    match (kind, at) {
        (_, None) => {}
        (SnapshotKind::Hourly, Some([word, minute_value])) if word.text == "minute" => {
            time.minute = Some(bounded(minute_value, "minute", 59, "0 to 59")?);
        }
        (SnapshotKind::Daily | SnapshotKind::Weekly | SnapshotKind::Monthly | SnapshotKind::Yearly, Some([clock])) => {
            let (hour, minute) = clock_time(clock)?;
            time.hour = Some(hour);
            time.minute = Some(minute);
        }
        _ => return Err(Shape::Misshapen),
    }
    Ok(Some(Spanned::new(time, span)))
}

/// Why a time could not be read: the statement's shape, or one value.
#[derive(Debug)]
pub enum Shape {
    /// The words after the count do not fit the kind.
    Misshapen,
    Value(Box<Problem>),
}

impl From<Problem> for Shape {
    fn from(problem: Problem) -> Self {
        Shape::Value(Box::new(problem))
    }
}

/// The values after `on` and after `at`, when written.
type Clauses<'v> = (Option<&'v [Value]>, Option<&'v [Value]>);

/// The values after `on` and after `at`, in that order, each clause at most once.
fn split_clauses(rest: &[Value]) -> Option<Clauses<'_>> {
    let at_index = rest.iter().position(|value| value.text == "at");
    let (before, at) = match at_index {
        Some(index) => (&rest[..index], Some(&rest[index + 1..])),
        None => (rest, None),
    };
    let on = match before.split_first() {
        None => None,
        Some((word, days)) if word.text == "on" && !days.is_empty() => Some(days),
        Some(_) => return None,
    };
    if at.is_some_and(|values| values.is_empty() || values.iter().any(|v| v.text == "at" || v.text == "on")) {
        return None;
    }
    Some((on, at))
}

fn out_of_range(value: &Value, what: &'static str, range: &'static str) -> Problem {
    Problem::OutOfRange { span: value.span.into(), what, text: value.text.clone(), range }
}

fn wrong_kind(value: &Value, expected: &'static str, example: &str) -> Problem {
    Problem::WrongKind {
        span: value.span.into(),
        expected,
        found: value.text.clone(),
        help: format!("write it as `{example}`"),
    }
}

/// A number from 0 to `max`.
fn bounded(value: &Value, what: &'static str, max: u8, range: &'static str) -> Read<u8> {
    if value.kind != ValueKind::Number {
        return Err(wrong_kind(value, "a number", "15"));
    }
    match value.text.parse::<u8>() {
        Ok(number) if number <= max => Ok(number),
        _ => Err(out_of_range(value, what, range)),
    }
}

fn weekday(value: &Value) -> Read<u8> {
    let found = WEEKDAYS.iter().position(|day| *day == value.text.to_ascii_lowercase());
    found.and_then(|index| u8::try_from(index).ok()).ok_or_else(|| wrong_kind(value, "a weekday", "sun"))
}

fn month(value: &Value) -> Read<u8> {
    let found = MONTHS.iter().position(|month| *month == value.text.to_ascii_lowercase());
    found.and_then(|index| u8::try_from(index + 1).ok()).ok_or_else(|| wrong_kind(value, "a month", "jan"))
}

/// A day of the month sanoid can keep every month: 1 to 28 (sanoid 2.1.0 dies on a day a
/// shorter month does not have).
fn day_of_month(value: &Value) -> Read<u8> {
    let day = bounded(value, "day of the month", 28, "1 to 28, days every month has")?;
    if day == 0 {
        return Err(out_of_range(value, "day of the month", "1 to 28, days every month has"));
    }
    Ok(day)
}

/// `HH:MM` on a 24-hour clock, in UTC as sanoid runs.
fn clock_time(value: &Value) -> Read<(u8, u8)> {
    let parts = value.text.split_once(':').filter(|(hour, minute)| {
        let digits =
            |text: &str, most: usize| (1..=most).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit());
        digits(hour, 2) && minute.len() == 2 && digits(minute, 2)
    });
    let Some((hour, minute)) = parts else {
        return Err(wrong_kind(value, "a time of day", "23:30"));
    };
    match (hour.parse::<u8>(), minute.parse::<u8>()) {
        (Ok(hour), Ok(minute)) if hour <= 23 && minute <= 59 => Ok((hour, minute)),
        _ => Err(out_of_range(value, "time of day", "00:00 to 23:59")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::syntax::Span;

    fn values(text: &str) -> Vec<Value> {
        text.split(' ')
            .map(|word| {
                let kind = if word.bytes().all(|b| b.is_ascii_digit()) { ValueKind::Number } else { ValueKind::Word };
                Value { kind, text: word.to_owned(), span: Span::default() }
            })
            .collect()
    }

    fn read(kind: SnapshotKind, text: &str) -> Option<SnapshotTime> {
        match snapshot_time(kind, &values(text)) {
            Ok(time) => time.map(|t| t.value),
            Err(_) => None,
        }
    }

    #[test]
    fn each_kind_reads_its_own_form() {
        let daily = read(SnapshotKind::Daily, "at 23:30").unwrap();
        assert_eq!((daily.hour, daily.minute), (Some(23), Some(30)));
        let weekly = read(SnapshotKind::Weekly, "on sun at 7:05").unwrap();
        assert_eq!((weekly.weekday, weekly.hour, weekly.minute), (Some(0), Some(7), Some(5)));
        let yearly = read(SnapshotKind::Yearly, "on dec 24").unwrap();
        assert_eq!((yearly.month, yearly.day_of_month, yearly.hour), (Some(12), Some(24), None));
        assert_eq!(read(SnapshotKind::Hourly, "at minute 15").unwrap().minute, Some(15));
        assert_eq!(describe(&yearly), "on dec 24");
        assert_eq!(describe(&weekly), "on sun at 07:05");
    }

    #[test]
    fn out_of_range_and_misshapen_times_are_refused() {
        assert!(read(SnapshotKind::Daily, "at 24:00").is_none());
        assert!(read(SnapshotKind::Daily, "at 23:60").is_none());
        assert!(read(SnapshotKind::Monthly, "on 31").is_none());
        assert!(read(SnapshotKind::Monthly, "on 0").is_none());
        assert!(read(SnapshotKind::Daily, "on sun").is_none());
        assert!(read(SnapshotKind::Hourly, "at 12:15").is_none());
        assert!(read(SnapshotKind::Frequently, "at 12:15").is_none());
        assert!(matches!(snapshot_time(SnapshotKind::Daily, &values("at 23:30 at 01:00")), Err(Shape::Misshapen)));
    }
}
