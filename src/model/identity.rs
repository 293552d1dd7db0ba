//! Reading who replicates, and as whom: the `ssh` and `user` statements of nodes and pairs.

use super::settings::{single_value, wrong_count, Settings};
use super::types::{Spanned, Ssh, SshOption};
use super::values::{self, did_you_mean};
use crate::diagnostic::Problem;
use crate::syntax::{Statement, Value, ValueKind};

type Read<T> = Option<T>;

const SSH_EXAMPLE: &str = "ssh user zfsbackup port 2222 key /root/.ssh/zfsbackup";
const SSH_FIELDS: [&str; 4] = ["user", "port", "key", "option"];

/// ssh options zplan writes itself, and the statement that sets each.
const OWN_OPTIONS: [(&str, &str); 5] = [
    ("batchmode", "nothing: zplan always passes `BatchMode=yes`, so a unit never waits for a password"),
    ("hostname", "`address` of the node"),
    ("port", "`port` of `ssh`"),
    ("user", "`user` of `ssh`"),
    ("identityfile", "`key` of `ssh`"),
];

/// The longest account name useradd(8) creates on Linux.
const MAX_USER_LEN: usize = 32;

/// The `ssh` statement of a block, or none.
pub fn ssh(settings: &Settings<'_>, problems: &mut Vec<Problem>) -> Read<Ssh> {
    let Some(statement) = settings.get("ssh") else {
        return Some(Ssh::default());
    };
    let mut ssh = Ssh { span: Some(statement.head_span()), ..Ssh::default() };
    let mut complete = true;
    let mut rest = statement.values.as_slice();
    if rest.is_empty() {
        problems.push(wrong_count(statement, "at least one of `user`, `port`, `key` and `option`", SSH_EXAMPLE));
        return None;
    }
    while let [field, tail @ ..] = rest {
        let takes = if field.text == "option" { 2 } else { 1 };
        if !SSH_FIELDS.contains(&field.text.as_str()) {
            problems.push(Problem::UnknownKeyword {
                span: field.span.into(),
                what: "`ssh` setting".to_owned(),
                keyword: field.text.clone(),
                help: did_you_mean(&field.text, SSH_FIELDS)
                    .or_else(|| Some("`ssh` takes `user U`, `port N`, `key PATH` and `option NAME VALUE`".to_owned())),
            });
            return None;
        }
        if tail.len() < takes {
            problems.push(wrong_count(statement, "a value after each of its settings", SSH_EXAMPLE));
            return None;
        }
        complete &= ssh_field(&mut ssh, statement, field, &tail[..takes], problems);
        rest = &tail[takes..];
    }
    complete.then_some(ssh)
}

/// Reads one field of `ssh` into `ssh`; false when it is refused.
fn ssh_field(
    ssh: &mut Ssh,
    statement: &Statement,
    field: &Value,
    values: &[Value],
    problems: &mut Vec<Problem>,
) -> bool {
    let repeated = match field.text.as_str() {
        "user" => ssh.user.is_some(),
        "port" => ssh.port.is_some(),
        "key" => ssh.key.is_some(),
        _ => false,
    };
    if repeated {
        problems.push(wrong_count(statement, "each of `user`, `port` and `key` once", SSH_EXAMPLE));
        return false;
    }
    let read = match (field.text.as_str(), values) {
        ("user", [value]) => user_name(value).map(|user| ssh.user = Some(user)),
        ("port", [value]) => values::number(value, "port", 1, 65_535, "1 to 65535")
            .map(|port| ssh.port = Some(Spanned::new(u16::try_from(port.value).unwrap_or(22), port.span))),
        ("key", [value]) => values::path(value).map(|key| ssh.key = Some(key)),
        (_, [name, value]) => option(name, value).map(|option| ssh.options.push(option)),
        _ => Ok(()),
    };
    read.map_err(|problem| problems.push(problem)).is_ok()
}

/// `option NAME VALUE`: an ssh_config(5) keyword and a value without spaces, never one that
/// zplan sets from another statement, and never one that runs a command.
fn option(name: &Value, value: &Value) -> Result<SshOption, Problem> {
    let lower = name.text.to_ascii_lowercase();
    let valid_name = name.kind == ValueKind::Word && name.text.bytes().all(|b| b.is_ascii_alphanumeric());
    let reason = if !valid_name {
        Some("an ssh option's name is letters and digits, such as `StrictHostKeyChecking`".to_owned())
    } else if let Some((_, statement)) = OWN_OPTIONS.iter().find(|(own, _)| *own == lower) {
        Some(format!("zplan sets it from {statement}"))
    } else if lower.ends_with("command") || lower == "match" || lower == "include" {
        Some("an option that runs a command or reads other files would run what no policy shows".to_owned())
    } else {
        None
    };
    match reason {
        Some(reason) => Err(Problem::SshOptionRefused { span: name.span.into(), name: name.text.clone(), reason }),
        None => Ok(SshOption {
            name: Spanned::new(name.text.clone(), name.span),
            value: Spanned::new(value.text.clone(), value.span),
        }),
    }
}

/// The `user` statement of a block, or none.
pub fn user(settings: &Settings<'_>, problems: &mut Vec<Problem>) -> Read<Option<Spanned<String>>> {
    let Some(statement) = settings.get("user") else {
        return Some(None);
    };
    let value = single_value(statement, "one account name", "user zfsbackup", problems)?;
    user_name(value).map(Some).map_err(|problem| problems.push(problem)).ok()
}

/// An account name as useradd(8) takes it on Linux and FreeBSD alike: a lowercase letter or
/// `_`, then lowercase letters, digits, `_` and `-`, at most 32 characters.
fn user_name(value: &Value) -> Result<Spanned<String>, Problem> {
    let text = &value.text;
    let reason = if !matches!(value.kind, ValueKind::Word | ValueKind::Number) {
        Some("it is not a name")
    } else if text.len() > MAX_USER_LEN {
        Some("it is longer than 32 characters")
    } else if !text.starts_with(|c: char| c.is_ascii_lowercase() || c == '_') {
        Some("it does not start with a lowercase letter or `_`")
    } else if !text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-') {
        Some("it has a character other than lowercase letters, digits, `_` and `-`")
    } else {
        None
    };
    match reason {
        None => Ok(Spanned::new(text.clone(), value.span)),
        Some(reason) => Err(Problem::InvalidUserName { span: value.span.into(), name: text.clone(), reason }),
    }
}
