//! Reading how a pair moves its data: the target's receiving root, the zrepl transport,
//! which side drives replication, send options and a bandwidth limit.

use super::settings::{single_value, wrong_count, Settings};
use super::types::{Mode, SendFlag, SendOption, Size, Spanned, Transport};
use super::values::{self, did_you_mean};
use crate::diagnostic::Problem;
use crate::syntax::{Span, Statement, Value};

/// The port zrepl's documentation uses for its tcp and tls transports.
pub const DEFAULT_ZREPL_PORT: u16 = 8888;

const TRANSPORT_EXAMPLE: &str = "transport tcp port 8888";
const TLS_EXAMPLE: &str = "transport tls ca /etc/zrepl/ca.crt cert /etc/zrepl/host.crt key /etc/zrepl/host.key";
const TRANSPORTS: [&str; 4] = ["tcp", "tls", "ssh", "local"];

type Read<T> = Option<T>;

/// The target's receiving root and where `without-pool` is written, if given.
pub type TargetRoot = (Option<Spanned<String>>, Option<Span>);

/// `target NODE [under DATASET [without-pool]]`: the dataset the target receives under, if
/// given, and whether copies drop the source's pool name below it.
pub fn target_root(settings: &Settings<'_>, problems: &mut Vec<Problem>) -> Read<TargetRoot> {
    let Some(statement) = settings.get("target") else {
        return Some((None, None));
    };
    match statement.values.as_slice() {
        [_] => Some((None, None)),
        [_, under, dataset] if under.text == "under" => {
            values::dataset(dataset).map(|root| (Some(root), None)).map_err(|p| problems.push(p)).ok()
        }
        [_, under, dataset, without] if under.text == "under" && without.text == "without-pool" => {
            values::dataset(dataset).map(|root| (Some(root), Some(without.span))).map_err(|p| problems.push(p)).ok()
        }
        _ => {
            problems.push(wrong_count(
                statement,
                "a node and an optional `under` dataset, then optionally `without-pool`",
                "target f1 under zdata/sink",
            ));
            None
        }
    }
}

/// `transport KIND [SETTING VALUE]…`, if given.
pub fn transport(settings: &Settings<'_>, problems: &mut Vec<Problem>) -> Read<Option<Spanned<Transport>>> {
    let Some(statement) = settings.get("transport") else {
        return Some(None);
    };
    let Some((kind, rest)) = statement.values.split_first() else {
        problems.push(wrong_count(statement, "`tcp`, `tls`, `ssh` or `local` and its settings", TRANSPORT_EXAMPLE));
        return None;
    };
    let transport = match kind.text.as_str() {
        "tcp" => {
            let fields = Fields::read(statement, rest, &["port"], problems)?;
            Transport::Tcp { port: fields.port(problems)? }
        }
        "tls" => tls(statement, rest, problems)?,
        "ssh" => ssh(statement, rest, problems)?,
        "local" => {
            Fields::read(statement, rest, &[], problems)?;
            Transport::Local
        }
        other => {
            problems.push(Problem::UnknownKeyword {
                span: kind.span.into(),
                what: "transport".to_owned(),
                keyword: other.to_owned(),
                help: did_you_mean(other, TRANSPORTS)
                    .or_else(|| Some("a transport is `tcp`, `tls`, `ssh` or `local`".to_owned())),
            });
            return None;
        }
    };
    Some(Some(Spanned::new(transport, statement.head_span())))
}

fn tls(statement: &Statement, rest: &[Value], problems: &mut Vec<Problem>) -> Read<Transport> {
    let fields = Fields::read(statement, rest, &["port", "ca", "cert", "key"], problems)?;
    let port = fields.port(problems);
    let ca = fields.required_path("ca", TLS_EXAMPLE, problems);
    let cert = fields.optional_path("cert", problems);
    let key = fields.optional_path("key", problems);
    Some(Transport::Tls { port: port?, ca: ca?, cert: cert?, key: key? })
}

fn ssh(statement: &Statement, rest: &[Value], problems: &mut Vec<Problem>) -> Read<Transport> {
    let fields = Fields::read(statement, rest, &["port", "user", "key"], problems)?;
    let port = match fields.get("port") {
        Some(_) => fields.port(problems),
        None => Some(22),
    };
    let user = match fields.get("user") {
        Some(value) => values::name(value).map(|user| user.value).map_err(|p| problems.push(p)).ok(),
        None => Some("root".to_owned()),
    };
    let identity = match fields.get("key") {
        Some(value) => Some(values::path(value).map(|path| Some(path.value)).map_err(|p| problems.push(p)).ok()?),
        None => Some(None),
    };
    Some(Transport::Ssh { port: port?, user: user?, identity: identity? })
}

/// The `NAME VALUE` pairs after a transport's kind.
struct Fields<'s> {
    statement: &'s Statement,
    found: Vec<(&'s str, &'s Value)>,
}

impl<'s> Fields<'s> {
    fn read(statement: &'s Statement, rest: &'s [Value], allowed: &[&str], problems: &mut Vec<Problem>) -> Read<Self> {
        let mut found: Vec<(&'s str, &'s Value)> = Vec::new();
        let mut complete = true;
        for pair in rest.chunks(2) {
            let name = &pair[0];
            if !allowed.contains(&name.text.as_str()) {
                problems.push(Problem::UnknownKeyword {
                    span: name.span.into(),
                    what: format!("`{}` setting", statement.values[0].text),
                    keyword: name.text.clone(),
                    help: did_you_mean(&name.text, allowed.iter().copied()).or_else(|| Some(takes(allowed))),
                });
                complete = false;
            } else if let [_, value] = pair {
                found.push((name.text.as_str(), value));
            } else {
                problems.push(wrong_count(statement, "a value after each of its settings", TRANSPORT_EXAMPLE));
                complete = false;
            }
        }
        complete.then_some(Fields { statement, found })
    }

    fn get(&self, name: &str) -> Option<&'s Value> {
        self.found.iter().find(|(n, _)| *n == name).map(|(_, value)| *value)
    }

    /// The port, or zrepl's usual one.
    fn port(&self, problems: &mut Vec<Problem>) -> Read<u16> {
        let Some(value) = self.get("port") else {
            return Some(DEFAULT_ZREPL_PORT);
        };
        let port = values::number(value, "port", 1, 65_535, "1 to 65535").map_err(|p| problems.push(p)).ok()?;
        u16::try_from(port.value).ok()
    }

    /// A path setting that nodes may give instead (`zrepl-cert`, `zrepl-key`).
    fn optional_path(&self, name: &'static str, problems: &mut Vec<Problem>) -> Read<Option<String>> {
        match self.get(name) {
            Some(value) => values::path(value).map(|path| Some(path.value)).map_err(|p| problems.push(p)).ok(),
            None => Some(None),
        }
    }

    fn required_path(&self, name: &'static str, example: &'static str, problems: &mut Vec<Problem>) -> Read<String> {
        let Some(value) = self.get(name) else {
            problems.push(Problem::MissingSetting {
                span: self.statement.head_span().into(),
                owner: format!("transport `{}`", self.statement.values[0].text),
                keyword: name,
                example,
            });
            return None;
        };
        values::path(value).map(|path| path.value).map_err(|p| problems.push(p)).ok()
    }
}

fn takes(allowed: &[&str]) -> String {
    if allowed.is_empty() {
        return "this transport takes no settings".to_owned();
    }
    let names: Vec<String> = allowed.iter().map(|name| format!("`{name}`")).collect();
    format!("this transport takes {}", names.join(", "))
}

/// `mode push` or `mode pull`, if given.
pub fn mode(settings: &Settings<'_>, problems: &mut Vec<Problem>) -> Read<Option<Spanned<Mode>>> {
    let Some(statement) = settings.get("mode") else {
        return Some(None);
    };
    let value = single_value(statement, "`push` or `pull`", "mode pull", problems)?;
    let mode = match value.text.as_str() {
        "push" => Mode::Push,
        "pull" => Mode::Pull,
        other => {
            problems.push(Problem::UnknownKeyword {
                span: value.span.into(),
                what: "mode".to_owned(),
                keyword: other.to_owned(),
                help: did_you_mean(other, ["push", "pull"])
                    .or_else(|| Some("the source pushes (`mode push`) or the target pulls (`mode pull`)".to_owned())),
            });
            return None;
        }
    };
    Some(Some(Spanned::new(mode, value.span)))
}

/// `send OPTION [true|false] …`: zrepl's send options, each on unless followed by `false`.
pub fn send(settings: &Settings<'_>, problems: &mut Vec<Problem>) -> Read<Vec<Spanned<SendFlag>>> {
    let Some(statement) = settings.get("send") else {
        return Some(Vec::new());
    };
    if statement.values.is_empty() {
        problems.push(wrong_count(statement, "send options such as `encrypted false`", "send encrypted false"));
        return None;
    }
    let mut flags: Vec<Spanned<SendFlag>> = Vec::new();
    let mut complete = true;
    let mut rest = statement.values.iter().peekable();
    while let Some(value) = rest.next() {
        let on = match rest.peek().map(|next| next.text.as_str()) {
            Some("false") => rest.next().map(|_| false),
            Some("true") => rest.next().map(|_| true),
            _ => Some(true),
        };
        match send_flag(value, on.unwrap_or(true), &flags) {
            Ok(flag) => flags.push(flag),
            Err(problem) => {
                problems.push(problem);
                complete = false;
            }
        }
    }
    complete.then_some(flags)
}

fn send_flag(value: &Value, on: bool, earlier: &[Spanned<SendFlag>]) -> Result<Spanned<SendFlag>, Problem> {
    let Some(option) = SendOption::ALL.into_iter().find(|option| option.keyword() == value.text) else {
        return Err(Problem::UnknownOption {
            span: value.span.into(),
            context: "send",
            option: value.text.clone(),
            help: did_you_mean(&value.text, SendOption::ALL.map(SendOption::keyword)),
        });
    };
    if let Some(first) = earlier.iter().find(|flag| flag.value.option == option) {
        return Err(Problem::RepeatedOption {
            second: value.span.into(),
            first: first.span.into(),
            option: value.text.clone(),
        });
    }
    Ok(Spanned::new(SendFlag { option, on }, value.span))
}

/// `bandwidth-limit SIZE`: bytes per second, if given.
pub fn bandwidth_limit(settings: &Settings<'_>, problems: &mut Vec<Problem>) -> Read<Option<Spanned<Size>>> {
    let Some(statement) = settings.get("bandwidth-limit") else {
        return Some(None);
    };
    let value = single_value(statement, "one size per second", "bandwidth-limit 100M", problems)?;
    values::size(value).map(Some).map_err(|p| problems.push(p)).ok()
}
