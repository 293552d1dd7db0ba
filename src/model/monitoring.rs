//! The policy's `monitoring` block: who hears about a failure, how often the freshness
//! checks run, the pools' capacity thresholds and where the Prometheus rules go. Every
//! setting has a default, so a policy without the block is monitored all the same.

use super::acknowledge::{self, AllowedIn};
use super::settings::{single_value, wrong_count, Schema, Settings};
use super::types::{Duration, Spanned};
use super::values;
use crate::diagnostic::Problem;
use crate::syntax::{Span, Statement, Value, ValueKind};

type Read<T> = Option<T>;

/// The keywords of a `monitoring` block.
pub const SCHEMA: Schema = Schema {
    kind: "monitoring",
    single: &["notify-every", "check-every", "capacity", "prometheus", "textfile-dir"],
    repeated: &["notify", "allow"],
};

/// How long a failing unit stays quiet after a message, unless the policy says otherwise.
pub const DEFAULT_NOTIFY_EVERY: Duration = Duration(3_600);
/// How often the freshness checks run, unless the policy says otherwise.
pub const DEFAULT_CHECK_EVERY: Duration = Duration(900);
/// The host whose Prometheus loads the rules, unless the policy names one.
pub const DEFAULT_PROMETHEUS_HOST: &str = "prometheus";
/// Debian's node_exporter textfile collector directory.
pub const DEFAULT_TEXTFILE_DIR: &str = "/var/lib/prometheus/node-exporter";

/// Where a failure is reported, as the policy wrote it; the checks decide whether it can work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotifyTarget {
    /// `notify mail ADDRESS`: a message through the host's `sendmail`.
    Mail(String),
    /// `notify ntfy URL`: a post to an ntfy topic.
    Ntfy(String),
    /// `notify webhook URL`: a JSON post.
    Webhook(String),
    /// `notify command PATH ARG…`: the admin's own program, with the message on stdin.
    Command(Vec<String>),
}

/// Pool capacity thresholds, in percent, for sanoid's `--monitor-capacity`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capacity {
    pub warn: u8,
    pub critical: u8,
}

/// The monitoring settings of a policy, declared or defaulted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Monitoring {
    /// The block's head, when the policy declares one.
    pub span: Option<Span>,
    pub notify: Vec<Spanned<NotifyTarget>>,
    pub notify_every: Spanned<Duration>,
    pub check_every: Spanned<Duration>,
    pub capacity: Option<Spanned<Capacity>>,
    pub prometheus: Spanned<String>,
    pub textfile_dir: Spanned<String>,
    /// Warning codes the block acknowledges (`allow W0643`, an ntfy server on a trusted LAN).
    pub allowed: Vec<Spanned<String>>,
}

impl Default for Monitoring {
    fn default() -> Self {
        Monitoring {
            span: None,
            notify: Vec::new(),
            notify_every: Spanned::new(DEFAULT_NOTIFY_EVERY, Span::default()),
            check_every: Spanned::new(DEFAULT_CHECK_EVERY, Span::default()),
            capacity: None,
            prometheus: Spanned::new(DEFAULT_PROMETHEUS_HOST.to_owned(), Span::default()),
            textfile_dir: Spanned::new(DEFAULT_TEXTFILE_DIR.to_owned(), Span::default()),
            allowed: Vec::new(),
        }
    }
}

/// Reads a `monitoring` block; `None` when a statement in it is broken (each reported).
pub fn read(settings: &Settings<'_>, problems: &mut Vec<Problem>) -> Read<Monitoring> {
    let defaults = Monitoring::default();
    let notify = notify_targets(settings, problems);
    let notify_every = duration(settings, "notify-every", "notify-every 1h", problems);
    let check_every = duration(settings, "check-every", "check-every 15m", problems);
    let capacity = capacity(settings, problems);
    let prometheus = single(settings, "prometheus", "prometheus metrics.lan", problems, values::host_name);
    let textfile_dir =
        single(settings, "textfile-dir", "textfile-dir /var/lib/prometheus/node-exporter", problems, values::path);
    let acknowledged = acknowledge::acknowledgements(settings, AllowedIn::Elsewhere, problems);
    Some(Monitoring {
        span: Some(settings.owner.head_span()),
        notify: notify?,
        notify_every: notify_every?.unwrap_or(defaults.notify_every),
        check_every: check_every?.unwrap_or(defaults.check_every),
        capacity: capacity?,
        prometheus: prometheus?.unwrap_or(defaults.prometheus),
        textfile_dir: textfile_dir?.unwrap_or(defaults.textfile_dir),
        allowed: acknowledged.into_iter().map(|acknowledgement| acknowledgement.code).collect(),
    })
}

/// Every `notify KIND TARGET…` statement, in source order.
fn notify_targets(settings: &Settings<'_>, problems: &mut Vec<Problem>) -> Read<Vec<Spanned<NotifyTarget>>> {
    let mut targets = Vec::new();
    let mut complete = true;
    for statement in settings.all("notify") {
        match notify_target(statement) {
            Ok(target) => targets.push(target),
            Err(problem) => {
                problems.push(problem);
                complete = false;
            }
        }
    }
    complete.then_some(targets)
}

fn notify_target(statement: &Statement) -> Result<Spanned<NotifyTarget>, Problem> {
    let example = "notify mail zfs-alerts@example.org";
    let expected = "`mail`, `ntfy`, `webhook` or `command`, then where to";
    let texts: Vec<String> = statement.values.iter().map(|value| value.text.clone()).collect();
    let target = match texts.as_slice() {
        [kind, address] if kind == "mail" => NotifyTarget::Mail(address.clone()),
        [kind, url] if kind == "ntfy" => NotifyTarget::Ntfy(url.clone()),
        [kind, url] if kind == "webhook" => NotifyTarget::Webhook(url.clone()),
        [kind, _, ..] if kind == "command" => NotifyTarget::Command(texts[1..].to_vec()),
        _ => return Err(wrong_count(statement, expected, example)),
    };
    if statement.block.is_some() {
        return Err(wrong_count(statement, expected, example));
    }
    Ok(Spanned::new(target, statement.head_span()))
}

fn duration(
    settings: &Settings<'_>,
    keyword: &'static str,
    example: &'static str,
    problems: &mut Vec<Problem>,
) -> Read<Option<Spanned<Duration>>> {
    single(settings, keyword, example, problems, |value| values::duration(value, example))
}

/// A keyword that takes one value, read by `read_value`; `Some(None)` when it is absent.
fn single<T>(
    settings: &Settings<'_>,
    keyword: &'static str,
    example: &'static str,
    problems: &mut Vec<Problem>,
    read_value: impl Fn(&Value) -> Result<Spanned<T>, Problem>,
) -> Read<Option<Spanned<T>>> {
    let Some(statement) = settings.get(keyword) else {
        return Some(None);
    };
    let value = single_value(statement, "one value", example, problems)?;
    read_value(value).map_err(|problem| problems.push(problem)).ok().map(Some)
}

/// `capacity warn W% critical C%`.
fn capacity(settings: &Settings<'_>, problems: &mut Vec<Problem>) -> Read<Option<Spanned<Capacity>>> {
    let example = "capacity warn 80% critical 95%";
    let Some(statement) = settings.get("capacity") else {
        return Some(None);
    };
    let shaped = matches!(statement.values.as_slice(), [warn, w, critical, c]
        if warn.text == "warn" && critical.text == "critical" && w.kind == ValueKind::Percent && c.kind == ValueKind::Percent);
    if !shaped || statement.block.is_some() {
        problems.push(wrong_count(statement, "`warn`, a percentage, `critical` and a percentage", example));
        return None;
    }
    let warn = values::percent(&statement.values[1]).map_err(|problem| problems.push(problem)).ok();
    let critical = values::percent(&statement.values[3]).map_err(|problem| problems.push(problem)).ok();
    let capacity = Capacity { warn: warn?.value, critical: critical?.value };
    Some(Some(Spanned::new(capacity, statement.head_span())))
}
