//! `allow CODE… [because REASON…]`: the diagnostics a block acknowledges, and the reason
//! the policy states for them. Warnings may be acknowledged anywhere `allow` is accepted;
//! the one error a policy may acknowledge, a soft mount that gives up during a failover
//! (`E0506`), only in the client that mounts, and only with a reason.

use super::settings::{wrong_count, Settings};
use super::types::{Acknowledgement, Spanned, SOFT_MOUNT_CODE};
use super::values;
use crate::diagnostic::Problem;
use crate::syntax::{Span, Statement, Value};

/// The word that separates the codes from the reason.
const BECAUSE: &str = "because";

/// Where an `allow` statement is written, which decides whether `E0506` may be in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllowedIn {
    /// A `client` block: its soft mounts may give up on purpose.
    Client,
    /// A `pair`, `backup` or `nfs` block: warnings only.
    Elsewhere,
}

/// Every `allow` statement of a block, each code with the reason given for it.
pub fn acknowledgements(
    settings: &Settings<'_>,
    place: AllowedIn,
    problems: &mut Vec<Problem>,
) -> Vec<Acknowledgement> {
    settings.all("allow").flat_map(|statement| statement_acknowledgements(statement, place, problems)).collect()
}

fn statement_acknowledgements(
    statement: &Statement,
    place: AllowedIn,
    problems: &mut Vec<Problem>,
) -> Vec<Acknowledgement> {
    let split = statement.values.iter().position(|value| value.text == BECAUSE);
    let (codes, reason) = match split {
        Some(at) => (&statement.values[..at], Some(&statement.values[at..])),
        None => (statement.values.as_slice(), None),
    };
    if codes.is_empty() {
        problems.push(wrong_count(statement, "one or more warning codes", "allow W0603 because a lab network"));
        return Vec::new();
    }
    let because = reason.and_then(|words| reason_text(words, codes, problems));
    let mut acknowledged = Vec::new();
    for value in codes {
        match code(value, place) {
            Ok(code) if code.value == SOFT_MOUNT_CODE && because.is_none() && reason.is_none() => {
                problems.push(missing_reason(value, "an error is acknowledged only with the reason it is accepted"));
            }
            Ok(code) => acknowledged.push(Acknowledgement { code, because: because.clone() }),
            Err(problem) => problems.push(problem),
        }
    }
    acknowledged
}

/// The words after `because`, or a problem when there are none.
fn reason_text(words: &[Value], codes: &[Value], problems: &mut Vec<Problem>) -> Option<Spanned<String>> {
    let (because, rest) = words.split_first()?;
    let (Some(first), Some(last)) = (rest.first(), rest.last()) else {
        let code = codes.first().map_or(String::new(), |value| value.text.clone());
        problems.push(Problem::AcknowledgementWithoutReason {
            span: because.span.into(),
            code,
            why: "`because` is followed by no words",
            help: "write the reason after `because`, such as `because a stalled read hangs the player`, or remove `because`"
                .to_owned(),
        });
        return None;
    };
    let text: Vec<&str> = rest.iter().map(|word| word.text.as_str()).collect();
    Some(Spanned::new(text.join(" "), Span::new(first.span.start, last.span.end)))
}

fn missing_reason(value: &Value, why: &'static str) -> Problem {
    Problem::AcknowledgementWithoutReason {
        span: value.span.into(),
        code: value.text.clone(),
        why,
        help: format!(
            "say why the mount should fail rather than wait: `allow {} because a stalled read is worse than an I/O error`",
            value.text
        ),
    }
}

/// A warning code, or `E0506` in a client.
fn code(value: &Value, place: AllowedIn) -> Result<Spanned<String>, Problem> {
    let upper = value.text.to_ascii_uppercase();
    match place {
        AllowedIn::Client if upper == SOFT_MOUNT_CODE => Ok(Spanned::new(upper, value.span)),
        AllowedIn::Elsewhere if upper == SOFT_MOUNT_CODE => Err(Problem::InvalidAllow {
            span: value.span.into(),
            code: value.text.clone(),
            reason: "a soft mount is acknowledged in the client that mounts it",
        }),
        _ => values::warning_code(value),
    }
}
