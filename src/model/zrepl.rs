//! The statements only zrepl pairs and their nodes take: a node's logging outlets,
//! Prometheus listener and TLS identity; a pair's replication protection and placeholder
//! encryption; a retention written as zrepl's own grid, or keeping everything.

use super::settings::{single_value, wrong_count, Settings};
use super::types::{Duration, Spanned};
use super::values::{self, did_you_mean};
use crate::diagnostic::Problem;
use crate::syntax::{Span, Statement, Value};

type Read<T> = Option<T>;

/// Where zrepl writes its log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogOutlet {
    Syslog,
    Stdout,
}

impl LogOutlet {
    const ALL: [LogOutlet; 2] = [LogOutlet::Syslog, LogOutlet::Stdout];

    /// The keyword in a policy and the outlet's `type` in zrepl.yml.
    pub fn keyword(self) -> &'static str {
        match self {
            LogOutlet::Syslog => "syslog",
            LogOutlet::Stdout => "stdout",
        }
    }
}

/// The least severe messages an outlet writes; zrepl's own names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLevel {
    Debug,
    Info,
    Warn,
    Error,
}

impl LogLevel {
    const ALL: [LogLevel; 4] = [LogLevel::Debug, LogLevel::Info, LogLevel::Warn, LogLevel::Error];

    /// The keyword in a policy and the `level` in zrepl.yml.
    pub fn keyword(self) -> &'static str {
        match self {
            LogLevel::Debug => "debug",
            LogLevel::Info => "info",
            LogLevel::Warn => "warn",
            LogLevel::Error => "error",
        }
    }
}

/// One `zrepl-log OUTLET [level LEVEL]` statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogSetting {
    pub outlet: LogOutlet,
    pub level: LogLevel,
}

/// What a node says about its zrepl daemon, beyond its release.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ZreplNode {
    /// `zrepl-log …`: the outlets; none means zplan's default, syslog at `warn`.
    pub logging: Vec<Spanned<LogSetting>>,
    /// `zrepl-monitoring port N`: the port of zrepl's Prometheus listener.
    pub monitoring: Option<Spanned<u16>>,
    /// `zrepl-cert PATH`: this node's TLS certificate, instead of the transport's.
    pub cert: Option<Spanned<String>>,
    /// `zrepl-key PATH`: this node's TLS key, instead of the transport's.
    pub key: Option<Spanned<String>>,
    /// `zrepl-cn NAME`: the common name in this node's certificate, when it is not the
    /// node's name; peers check it, and a sink receives this node's data under it.
    pub common_name: Option<Spanned<String>>,
}

/// What zrepl guarantees about a replication step, `replication.protection`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protection {
    /// Holds keep an interrupted step resumable (zrepl's default).
    Resumability,
    /// Only the cursor bookmark is kept: the next step can start incrementally.
    Incremental,
    /// Nothing is kept; zplan refuses it.
    Nothing,
}

impl Protection {
    const ALL: [Protection; 3] = [Protection::Resumability, Protection::Incremental, Protection::Nothing];

    /// The keyword in a policy.
    pub fn keyword(self) -> &'static str {
        match self {
            Protection::Resumability => "resumability",
            Protection::Incremental => "incremental",
            Protection::Nothing => "nothing",
        }
    }

    /// The value in zrepl.yml.
    pub fn zrepl_value(self) -> &'static str {
        match self {
            Protection::Resumability => "guarantee_resumability",
            Protection::Incremental => "guarantee_incremental",
            Protection::Nothing => "guarantee_nothing",
        }
    }
}

/// `protection …`: the guarantee for the first and for every later replication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtectionSetting {
    pub initial: Spanned<Protection>,
    pub incremental: Spanned<Protection>,
}

/// How a receiving job creates the placeholder datasets between its root and a copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PlaceholderEncryption {
    /// Placeholders inherit the encryption of their parent (zplan's default).
    #[default]
    Inherit,
    /// Placeholders are created unencrypted.
    Off,
}

impl PlaceholderEncryption {
    /// The keyword in a policy and the value in zrepl.yml.
    pub fn keyword(self) -> &'static str {
        match self {
            PlaceholderEncryption::Inherit => "inherit",
            PlaceholderEncryption::Off => "off",
        }
    }
}

/// What a pair says about zrepl's replication, beyond its transport and send options.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ZreplPair {
    pub protection: Option<Spanned<ProtectionSetting>>,
    pub placeholder: Option<Spanned<PlaceholderEncryption>>,
}

/// How many snapshots one grid bucket keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BucketKeep {
    Count(u32),
    All,
}

/// One bucket of a zrepl grid, written `24x1h`, `1x1h:all` or `4x1d:2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GridBucket {
    /// How many consecutive intervals of `length`.
    pub repeat: u32,
    pub length: Duration,
    pub keep: BucketKeep,
}

impl GridBucket {
    /// How long the bucket's intervals reach back together.
    pub fn span(&self) -> Duration {
        Duration(self.length.seconds().saturating_mul(u64::from(self.repeat)))
    }
}

/// What a retention written for zrepl alone keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZreplRetention {
    /// `grid 1x1h:all 24x1h 6x30d`: zrepl's grid as written.
    Grid(Vec<GridBucket>),
    /// `all`: every snapshot, forever.
    All,
}

/// The node keywords this module reads.
pub const NODE_SINGLE: [&str; 4] = ["zrepl-monitoring", "zrepl-cert", "zrepl-key", "zrepl-cn"];

/// Reads a node's zrepl statements.
pub fn node(settings: &Settings<'_>, problems: &mut Vec<Problem>) -> Read<ZreplNode> {
    let logging = logging(settings, problems);
    let monitoring = monitoring(settings, problems);
    let cert = optional_path(settings, "zrepl-cert", "zrepl-cert /etc/zrepl/nas1.crt", problems);
    let key = optional_path(settings, "zrepl-key", "zrepl-key /etc/zrepl/nas1.key", problems);
    let common_name = common_name(settings, problems);
    Some(ZreplNode { logging: logging?, monitoring: monitoring?, cert: cert?, key: key?, common_name: common_name? })
}

fn logging(settings: &Settings<'_>, problems: &mut Vec<Problem>) -> Read<Vec<Spanned<LogSetting>>> {
    let mut outlets: Vec<Spanned<LogSetting>> = Vec::new();
    let mut complete = true;
    for statement in settings.all("zrepl-log") {
        match log_setting(statement, problems) {
            Some(setting) => {
                if let Some(first) = outlets.iter().find(|o| o.value.outlet == setting.value.outlet) {
                    problems.push(Problem::DuplicateSetting {
                        second: setting.span.into(),
                        first: first.span.into(),
                        keyword: format!("zrepl-log {}", setting.value.outlet.keyword()),
                    });
                    complete = false;
                } else {
                    outlets.push(setting);
                }
            }
            None => complete = false,
        }
    }
    complete.then_some(outlets)
}

fn log_setting(statement: &Statement, problems: &mut Vec<Problem>) -> Read<Spanned<LogSetting>> {
    const EXAMPLE: &str = "zrepl-log syslog level warn";
    let (outlet, level) = match statement.values.as_slice() {
        [outlet] => (outlet, None),
        [outlet, word, level] if word.text == "level" => (outlet, Some(level)),
        _ => {
            problems.push(wrong_count(statement, "`syslog` or `stdout` and an optional `level`", EXAMPLE));
            return None;
        }
    };
    let outlet = keyword_of(outlet, &LogOutlet::ALL, LogOutlet::keyword, "zrepl log outlet", problems);
    let level = match level {
        Some(level) => keyword_of(level, &LogLevel::ALL, LogLevel::keyword, "zrepl log level", problems),
        None => Some(LogLevel::Warn),
    };
    Some(Spanned::new(LogSetting { outlet: outlet?, level: level? }, statement.head_span()))
}

fn monitoring(settings: &Settings<'_>, problems: &mut Vec<Problem>) -> Read<Option<Spanned<u16>>> {
    let Some(statement) = settings.get("zrepl-monitoring") else {
        return Some(None);
    };
    let [word, port] = statement.values.as_slice() else {
        problems.push(wrong_count(statement, "`port` and a port", "zrepl-monitoring port 9811"));
        return None;
    };
    if word.text != "port" {
        problems.push(wrong_count(statement, "`port` and a port", "zrepl-monitoring port 9811"));
        return None;
    }
    let port = values::number(port, "port", 1, 65_535, "1 to 65535").map_err(|p| problems.push(p)).ok()?;
    Some(u16::try_from(port.value).ok().map(|value| Spanned::new(value, statement.head_span())))
}

fn optional_path(
    settings: &Settings<'_>,
    keyword: &'static str,
    example: &'static str,
    problems: &mut Vec<Problem>,
) -> Read<Option<Spanned<String>>> {
    let Some(statement) = settings.get(keyword) else {
        return Some(None);
    };
    let value = single_value(statement, "one absolute path", example, problems)?;
    values::path(value).map(Some).map_err(|p| problems.push(p)).ok()
}

fn common_name(settings: &Settings<'_>, problems: &mut Vec<Problem>) -> Read<Option<Spanned<String>>> {
    let Some(statement) = settings.get("zrepl-cn") else {
        return Some(None);
    };
    let value = single_value(statement, "one certificate common name", "zrepl-cn nas1.example.org", problems)?;
    match common_name_problem(&value.text) {
        None => Some(Some(Spanned::new(value.text.clone(), value.span))),
        Some(reason) => {
            problems.push(Problem::InvalidName { span: value.span.into(), name: value.text.clone(), reason });
            None
        }
    }
}

/// Why a certificate's common name cannot name a node to zrepl: it is a host name (RFC
/// 1123) and, as a sink's client identity, one component of a dataset path.
fn common_name_problem(text: &str) -> Option<&'static str> {
    if text.is_empty() || text.len() > 253 {
        return Some("a host name has 1 to 253 characters");
    }
    let label_ok = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && label.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    (!text.split('.').all(label_ok))
        .then_some("a common name here is a host name: dot-separated labels of lowercase letters, digits and `-`")
}

/// The pair keywords this module reads.
pub const PAIR_SINGLE: [&str; 2] = ["protection", "placeholder-encryption"];

/// Reads a pair's zrepl statements.
pub fn pair(settings: &Settings<'_>, problems: &mut Vec<Problem>) -> Read<ZreplPair> {
    let protection = protection(settings, problems);
    let placeholder = placeholder(settings, problems);
    Some(ZreplPair { protection: protection?, placeholder: placeholder? })
}

fn protection(settings: &Settings<'_>, problems: &mut Vec<Problem>) -> Read<Option<Spanned<ProtectionSetting>>> {
    const EXAMPLE: &str = "protection initial resumability incremental incremental";
    let Some(statement) = settings.get("protection") else {
        return Some(None);
    };
    let read = |value: &Value, problems: &mut Vec<Problem>| {
        keyword_of(value, &Protection::ALL, Protection::keyword, "replication protection", problems)
            .map(|protection| Spanned::new(protection, value.span))
    };
    let setting = match statement.values.as_slice() {
        [both] => {
            let both = read(both, problems)?;
            ProtectionSetting { initial: both.clone(), incremental: both }
        }
        [first, initial, second, incremental] if first.text == "initial" && second.text == "incremental" => {
            let initial = read(initial, problems);
            let incremental = read(incremental, problems);
            ProtectionSetting { initial: initial?, incremental: incremental? }
        }
        _ => {
            let expected = "one guarantee, or `initial` and `incremental` each with one";
            problems.push(wrong_count(statement, expected, EXAMPLE));
            return None;
        }
    };
    Some(Some(Spanned::new(setting, statement.head_span())))
}

fn placeholder(settings: &Settings<'_>, problems: &mut Vec<Problem>) -> Read<Option<Spanned<PlaceholderEncryption>>> {
    let Some(statement) = settings.get("placeholder-encryption") else {
        return Some(None);
    };
    let value = single_value(statement, "`inherit` or `off`", "placeholder-encryption inherit", problems)?;
    let choices = [PlaceholderEncryption::Inherit, PlaceholderEncryption::Off];
    let choice = keyword_of(value, &choices, PlaceholderEncryption::keyword, "placeholder encryption", problems)?;
    Some(Some(Spanned::new(choice, statement.head_span())))
}

/// Reads a retention's `grid …` or `all`, if it has one.
pub fn retention(settings: &Settings<'_>, problems: &mut Vec<Problem>) -> Read<Option<Spanned<ZreplRetention>>> {
    let grid = settings.get("grid");
    let all = settings.get("all");
    match (grid, all) {
        (None, None) => Some(None),
        (Some(grid), Some(all)) => {
            problems.push(Problem::DuplicateSetting {
                second: all.head_span().into(),
                first: grid.head_span().into(),
                keyword: "grid` or `all".to_owned(),
            });
            None
        }
        (None, Some(all)) => {
            if !all.values.is_empty() || all.block.is_some() {
                problems.push(wrong_count(all, "nothing", "all"));
                return None;
            }
            Some(Some(Spanned::new(ZreplRetention::All, all.head_span())))
        }
        (Some(grid), None) => {
            grid_buckets(grid, problems).map(|b| Some(Spanned::new(ZreplRetention::Grid(b), grid.head_span())))
        }
    }
}

fn grid_buckets(statement: &Statement, problems: &mut Vec<Problem>) -> Read<Vec<GridBucket>> {
    if statement.values.is_empty() {
        problems.push(wrong_count(statement, "one or more buckets", "grid 1x1h:all 24x1h 14x1d 6x30d"));
        return None;
    }
    let mut buckets = Vec::new();
    let mut complete = true;
    for value in &statement.values {
        match bucket(&value.text) {
            Some(bucket) => buckets.push((bucket, value.span)),
            None => {
                problems.push(Problem::WrongKind {
                    span: value.span.into(),
                    expected: "a grid bucket",
                    found: value.text.clone(),
                    help: "write a bucket as COUNTxLENGTH with an optional `:all` or `:KEEP`, such as `24x1h`, `1x1h:all` or `6x30d`".to_owned(),
                });
                complete = false;
            }
        }
    }
    if !complete {
        return None;
    }
    if let Some(problem) = shrinking(&buckets) {
        problems.push(problem);
        return None;
    }
    Some(buckets.into_iter().map(|(bucket, _)| bucket).collect())
}

/// zrepl refuses a grid whose interval lengths decrease, unless every earlier bucket keeps all.
fn shrinking(buckets: &[(GridBucket, Span)]) -> Option<Problem> {
    for (index, (later, later_span)) in buckets.iter().enumerate() {
        let earlier = buckets[..index]
            .iter()
            .filter(|(bucket, _)| bucket.keep != BucketKeep::All)
            .find(|(bucket, _)| bucket.length > later.length);
        if let Some((earlier, earlier_span)) = earlier {
            return Some(Problem::WrittenGridShrinks {
                later: (*later_span).into(),
                earlier: (*earlier_span).into(),
                earlier_length: earlier.length.to_string(),
                later_length: later.length.to_string(),
            });
        }
    }
    None
}

/// `REPEATxLENGTH[:all|:KEEP]`, with a positive repeat and a zrepl duration.
fn bucket(text: &str) -> Option<GridBucket> {
    let (spec, keep) = match text.split_once(':') {
        Some((spec, "all")) => (spec, BucketKeep::All),
        Some((spec, keep)) => (spec, BucketKeep::Count(whole_number(keep)?)),
        None => (text, BucketKeep::Count(1)),
    };
    let (repeat, length) = spec.split_once('x')?;
    let repeat = whole_number(repeat).filter(|r| *r > 0)?;
    let unit_at = length.len().checked_sub(1)?;
    let (amount, unit) = length.split_at(unit_at);
    let scale = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return None,
    };
    let amount = u64::from(whole_number(amount).filter(|a| *a > 0)?);
    Some(GridBucket { repeat, length: Duration(amount.checked_mul(scale)?), keep })
}

fn whole_number(text: &str) -> Option<u32> {
    (!text.is_empty() && text.len() <= 6 && text.bytes().all(|b| b.is_ascii_digit())).then(|| text.parse().ok())?
}

/// One of a few keywords, or a problem naming them.
fn keyword_of<T: Copy>(
    value: &Value,
    choices: &[T],
    spelling: fn(T) -> &'static str,
    what: &str,
    problems: &mut Vec<Problem>,
) -> Option<T> {
    if let Some(choice) = choices.iter().copied().find(|c| spelling(*c) == value.text) {
        return Some(choice);
    }
    let names: Vec<&str> = choices.iter().map(|c| spelling(*c)).collect();
    problems.push(Problem::UnknownKeyword {
        span: value.span.into(),
        what: what.to_owned(),
        keyword: value.text.clone(),
        help: did_you_mean(&value.text, names.iter().copied())
            .or_else(|| Some(format!("write one of `{}`", names.join("`, `")))),
    });
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_read_zrepl_grid_terms() {
        let hour = Duration(3_600);
        assert_eq!(bucket("24x1h"), Some(GridBucket { repeat: 24, length: hour, keep: BucketKeep::Count(1) }));
        assert_eq!(bucket("1x1h:all"), Some(GridBucket { repeat: 1, length: hour, keep: BucketKeep::All }));
        assert_eq!(bucket("6x30d").map(|b| b.span()), Some(Duration(180 * 86_400)));
        assert_eq!(bucket("4x1d:2").map(|b| b.keep), Some(BucketKeep::Count(2)));
        for wrong in ["0x1h", "1x0h", "x1h", "1x1", "1x1y", "1x1h:", "1x1h:many", "24", "1x1h30m"] {
            assert_eq!(bucket(wrong), None, "{wrong}");
        }
    }

    #[test]
    fn common_names_are_host_names() {
        assert_eq!(common_name_problem("nas1.example.org"), None);
        assert!(common_name_problem("nas1..org").is_some());
        assert!(common_name_problem("Nas1").is_some());
        assert!(common_name_problem("a/b").is_some());
    }
}
