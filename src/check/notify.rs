//! Rules for the `notify` targets of the `monitoring` block: each must be one that the
//! notify script can reach (an address sendmail delivers to, a URL curl posts to, a program
//! by its full path), none twice, and `notify-every` a period that neither floods nor hides.

use crate::diagnostic::Problem;
use crate::model::monitoring::NotifyTarget;
use crate::model::{allows, Duration, Policy};
use crate::syntax::Span;

/// The shortest `notify-every`: a failing timer of a few minutes would otherwise mail each time.
const SHORTEST_EVERY: Duration = Duration(60);

/// The longest `notify-every`: a failure that comes back would otherwise stay silent for days.
const LONGEST_EVERY: Duration = Duration(86_400);

/// The longest ntfy topic name ntfy accepts.
const NTFY_TOPIC_MAX: usize = 64;

/// Every target can work, none is declared twice, and a clear-text one is pointed out.
pub fn notify_targets_can_work(policy: &Policy) -> Vec<Problem> {
    let monitoring = &policy.monitoring;
    let mut problems = Vec::new();
    for (index, target) in monitoring.notify.iter().enumerate() {
        let span = target.span;
        problems.extend(target_problem(&target.value, span));
        if !allows(&monitoring.allowed, "W0643") {
            problems.extend(in_clear(&target.value, span));
        }
        let first = monitoring.notify[..index].iter().find(|earlier| earlier.value == target.value);
        if let Some(first) = first {
            problems.push(Problem::NotifyTargetTwice {
                span: span.into(),
                first: first.span.into(),
                target: describe(&target.value),
            });
        }
    }
    problems
}

/// `notify-every` lies between a minute and a day.
pub fn notify_every_in_range(policy: &Policy) -> Vec<Problem> {
    let every = &policy.monitoring.notify_every;
    let (comparison, bound, advice) = if every.value < SHORTEST_EVERY {
        (
            "below",
            "1m",
            "a unit that fails on every run of a short timer would then send a message each time: give at least `notify-every 1m`, such as `notify-every 1h`",
        )
    } else if every.value > LONGEST_EVERY {
        (
            "above",
            "1d",
            "a failure that comes back within that time would stay silent for days: give at most `notify-every 1d`, such as `notify-every 1h`",
        )
    } else {
        return Vec::new();
    };
    vec![Problem::NotifyEveryOutOfRange {
        span: every.span.into(),
        every: every.value.to_string(),
        comparison,
        bound,
        advice,
    }]
}

/// The target as the policy writes it after `notify`.
fn describe(target: &NotifyTarget) -> String {
    match target {
        NotifyTarget::Mail(address) => format!("mail {address}"),
        NotifyTarget::Ntfy(url) => format!("ntfy {url}"),
        NotifyTarget::Webhook(url) => format!("webhook {url}"),
        NotifyTarget::Command(words) => format!("command {}", words.join(" ")),
    }
}

fn target_problem(target: &NotifyTarget, span: Span) -> Option<Problem> {
    match target {
        NotifyTarget::Mail(address) => mail_problem(address).map(|reason| Problem::NotifyMailAddress {
            span: span.into(),
            address: address.clone(),
            reason,
        }),
        NotifyTarget::Ntfy(url) => url_problem(url, "ntfy", span).or_else(|| ntfy_topic_problem(url, span)),
        NotifyTarget::Webhook(url) => url_problem(url, "webhook", span),
        NotifyTarget::Command(words) => command_problem(&words[0], span),
    }
}

fn in_clear(target: &NotifyTarget, span: Span) -> Option<Problem> {
    let (kind, url) = match target {
        NotifyTarget::Ntfy(url) => ("ntfy", url),
        NotifyTarget::Webhook(url) => ("webhook", url),
        NotifyTarget::Mail(_) | NotifyTarget::Command(_) => return None,
    };
    url.to_ascii_lowercase().starts_with("http://").then(|| Problem::NotifyInClear {
        span: span.into(),
        kind,
        url: url.clone(),
    })
}

/// Why sendmail cannot deliver to an address, if it cannot: a local user name (`root`) or
/// `LOCAL@DOMAIN` with an RFC 5322 dot-atom local part and a host name as the domain.
fn mail_problem(address: &str) -> Option<String> {
    let Some((local, domain)) = address.split_once('@') else {
        return (!is_user_name(address)).then(|| "it has no `@` and is not a local user name".to_owned());
    };
    if domain.contains('@') {
        return Some("it has more than one `@`".to_owned());
    }
    if !is_dot_atom(local) {
        return Some(format!("`{local}` is not the local part of an address"));
    }
    (!is_host_name(domain)).then(|| format!("`{domain}` is not a domain name"))
}

/// A user name as useradd accepts by default: a letter or `_`, then letters, digits, `_`
/// and `-`, at most 32 characters.
fn is_user_name(name: &str) -> bool {
    let mut chars = name.chars();
    let first = chars.next().is_some_and(|c| c.is_ascii_lowercase() || c == '_');
    first && name.len() <= 32 && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

/// RFC 5322's dot-atom: atoms of `atext` joined by single dots.
fn is_dot_atom(text: &str) -> bool {
    let atext = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c);
    !text.is_empty() && text.split('.').all(|atom| !atom.is_empty() && atom.chars().all(atext))
}

/// An RFC 1123 host name: labels of letters, digits and inner hyphens, at most 63 each and
/// 253 in all.
fn is_host_name(name: &str) -> bool {
    let label = |label: &str| {
        let inner = label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        (1..=63).contains(&label.len()) && inner && !label.starts_with('-') && !label.ends_with('-')
    };
    (1..=253).contains(&name.len()) && name.split('.').all(label)
}

/// The parts of an http(s) URL curl needs: its host and its path with the query.
struct Url<'u> {
    authority: &'u str,
    path: &'u str,
}

fn url_problem(url: &str, kind: &'static str, span: Span) -> Option<Problem> {
    let malformed = |reason: String, what: &str| {
        Some(Problem::NotifyUrlMalformed { span: span.into(), url: url.to_owned(), reason, what: what.to_owned() })
    };
    let Some((scheme, rest)) = url.split_once("://") else {
        return malformed("it has no `scheme://`".to_owned(), "no scheme");
    };
    let lower = scheme.to_ascii_lowercase();
    if lower != "http" && lower != "https" {
        return Some(Problem::NotifyUrlScheme {
            span: span.into(),
            url: url.to_owned(),
            scheme: scheme.to_owned(),
            kind,
            rest: rest.to_owned(),
        });
    }
    if let Some(reason) = escape_problem(url) {
        return malformed(reason, "needs escaping");
    }
    let parsed = split_url(rest);
    authority_problem(parsed.authority).and_then(|reason| malformed(reason, "not a host and port curl can reach"))
}

fn split_url(rest: &str) -> Url<'_> {
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    Url { authority: &rest[..end], path: &rest[end..] }
}

/// A character RFC 3986 does not allow in a URL, or a `%` without two hex digits after it.
fn escape_problem(url: &str) -> Option<String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-._~:/?[]@!$&'()*+,;=%".contains(c);
    if let Some(odd) = url.chars().find(|c| !allowed(*c)) {
        return Some(format!("`{odd}` must be written as `%{:02X}`", u32::from(odd)));
    }
    let bytes = url.as_bytes();
    let bad_escape = bytes.iter().enumerate().filter(|(_, b)| **b == b'%').find(|(at, _)| {
        let hex = |offset: usize| bytes.get(at + offset).is_some_and(u8::is_ascii_hexdigit);
        !(hex(1) && hex(2))
    });
    bad_escape.map(|_| "a `%` must start an escape of two hex digits (`%25` for `%` itself)".to_owned())
}

/// Why curl cannot reach the `[USER[:PASSWORD]@]HOST[:PORT]` of a URL, if it cannot.
fn authority_problem(authority: &str) -> Option<String> {
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, after)| after);
    let (host, port) = match host_port.strip_prefix('[') {
        Some(bracketed) => match bracketed.split_once(']') {
            Some((address, after)) => (address, after.strip_prefix(':')),
            None => return Some("an IPv6 address needs its closing `]`".to_owned()),
        },
        None => match host_port.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        },
    };
    if host.is_empty() {
        return Some("it names no host".to_owned());
    }
    let bracketed = host_port.starts_with('[');
    let host_ok = if bracketed { host.parse::<std::net::Ipv6Addr>().is_ok() } else { is_host_name(host) };
    if !host_ok {
        return Some(format!("`{host}` is not a host name or address"));
    }
    let port_ok = port.map_or(true, |port| port.parse::<u16>().is_ok_and(|port| port > 0));
    (!port_ok).then(|| "the port must be a number from 1 to 65535".to_owned())
}

/// An ntfy URL publishes to the topic its path ends in.
fn ntfy_topic_problem(url: &str, span: Span) -> Option<Problem> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = split_url(rest).path;
    let path = path.split_once('?').map_or(path, |(path, _)| path);
    let topic = path.rsplit('/').next().unwrap_or_default();
    let valid = (1..=NTFY_TOPIC_MAX).contains(&topic.len())
        && topic.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    let found = if topic.is_empty() { "no topic".to_owned() } else { format!("`{topic}` is not a topic name") };
    (!valid).then(|| Problem::NtfyWithoutTopic { span: span.into(), url: url.to_owned(), found })
}

/// A command runs by its absolute path, a file and not a directory.
fn command_problem(program: &str, span: Span) -> Option<Problem> {
    let what = if !program.starts_with('/') {
        "a relative name"
    } else if program.ends_with('/') {
        "a directory"
    } else if program.split('/').any(|part| part == ".." || part == ".") {
        "`.` or `..` in the path"
    } else {
        return None;
    };
    Some(Problem::NotifyCommandNotAbsolute { span: span.into(), command: program.to_owned(), what: what.to_owned() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_sendmail_delivers_to() {
        for good in ["root", "zfs-alerts@example.org", "ops+zfs@mail.example.org", "admin@localhost", "_svc"] {
            assert_eq!(mail_problem(good), None, "{good}");
        }
        for bad in
            ["Root", "ops@@example.org", "ops@", "@example.org", "a..b@example.org", "ops@-x.org", "ops@ex_ample.org"]
        {
            assert!(mail_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn urls_curl_posts_to() {
        let span = Span::default();
        for good in ["https://ntfy.sh/zfs", "http://10.0.0.5:8080/hook?a=b&c=%20d", "https://u:p@[::1]:443/x"] {
            assert!(url_problem(good, "webhook", span).is_none(), "{good}");
        }
        for bad in [
            "ftp://x/y",
            "https:///x",
            "https://x:0/",
            "https://x/a b",
            "https://x/%zz",
            "https://[::1/x",
            "https://x_y/",
        ] {
            assert!(url_problem(bad, "webhook", span).is_some(), "{bad}");
        }
    }

    #[test]
    fn ntfy_urls_end_in_a_topic() {
        let span = Span::default();
        assert!(ntfy_topic_problem("https://ntfy.sh/zfs-alerts", span).is_none());
        assert!(ntfy_topic_problem("https://ntfy.sh/zfs?priority=5", span).is_none());
        assert!(ntfy_topic_problem("https://ntfy.sh", span).is_some());
        assert!(ntfy_topic_problem("https://ntfy.sh/", span).is_some());
        assert!(ntfy_topic_problem("https://ntfy.sh/a.b", span).is_some());
    }
}
