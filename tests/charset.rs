//! What each output format can carry, checked on a whole rendered tree: host directories,
//! path components, systemd unit names and lines, sanoid.conf sections and values, exports
//! and fstab fields. The property tests and the fuzz target (which includes this file) both
//! hold every tree zplan produces to it.

use zplan::render::{Body, Tree};

/// Longest file name most filesystems take, and longest systemd unit name.
const MAX_FILE_NAME: usize = 255;

const UNIT_SUFFIXES: [&str; 4] = [".service", ".timer", ".mount", ".automount"];

/// Every way the tree breaks a format's rules; empty when it breaks none.
pub fn violations(tree: &Tree) -> Vec<String> {
    let mut found = Vec::new();
    for ((host, path), file) in &tree.files {
        let at = format!("{host}/{path}");
        if !is_host_name(host) {
            found.push(format!("{at}: host directory `{host}`"));
        }
        found.extend(path_violations(path).into_iter().map(|v| format!("{at}: {v}")));
        if let Body::Bytes(bytes) = &file.body {
            let Ok(text) = std::str::from_utf8(bytes) else {
                found.push(format!("{at}: not UTF-8"));
                continue;
            };
            found.extend(content_violations(path, text).into_iter().map(|v| format!("{at}: {v}")));
        }
    }
    if let Err(error) = zplan::render::manifest::Manifest::parse(&tree.manifest.to_bytes()) {
        found.push(format!("manifest.json does not read back: {error}"));
    }
    found
}

fn is_host_name(name: &str) -> bool {
    (1..=63).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

fn path_violations(path: &str) -> Vec<String> {
    let mut found = Vec::new();
    for component in path.split('/') {
        let odd = component.bytes().any(|b| !(b.is_ascii_alphanumeric() || b"._:@+-\\".contains(&b)));
        if component.is_empty() || component == "." || component == ".." || odd {
            found.push(format!("path component `{component}`"));
        }
        if component.len() > MAX_FILE_NAME {
            found.push(format!("path component of {} bytes", component.len()));
        }
    }
    if let Some(unit) = path.strip_prefix("etc/systemd/system/") {
        let name = unit.split('/').next().unwrap_or_default();
        let name = name.strip_suffix(".d").unwrap_or(name);
        // A template unit (`zplan-notify@.service`) is the one place for an `@`.
        let plain = name.strip_suffix("@.service").map_or(name, |stem| stem);
        let odd = plain.bytes().any(|b| !(b.is_ascii_alphanumeric() || b":_.\\-".contains(&b)));
        if odd || name.len() > MAX_FILE_NAME || !UNIT_SUFFIXES.iter().any(|suffix| name.ends_with(suffix)) {
            found.push(format!("unit name `{name}`"));
        }
    }
    found
}

fn content_violations(path: &str, text: &str) -> Vec<String> {
    let lines = text.lines().filter(|line| !line.is_empty() && !line.starts_with('#'));
    let check: fn(&str) -> Option<String> = if path.starts_with("etc/systemd/system/") {
        unit_line
    } else if path.ends_with("sanoid.conf") || path.ends_with("sanoid.defaults.conf") {
        sanoid_line
    } else if path.starts_with("etc/exports.d/") {
        exports_line
    } else if path.starts_with("etc/fstab.d/") {
        fstab_line
    } else {
        return Vec::new();
    };
    let mut found: Vec<String> = lines.filter_map(check).collect();
    if !text.ends_with('\n') {
        found.push("no final newline".to_owned());
    }
    found
}

/// The lines where zplan itself asks systemd to expand a specifier: the failed unit's name
/// handed to the notify unit (`%n`), and given to its script (`%i`).
const SPECIFIER_LINES: [&str; 3] = [
    "OnFailure=zplan-notify@%n.service",
    "Description=Tell the admin that %i failed",
    "ExecStart=/usr/local/libexec/zplan/notify %i",
];

/// `[Section]` or `Key=value`, with nothing systemd would expand (but `$MAINPID` in a
/// reload, and zplan's own specifiers) or continue; double quotes (systemd's own quoting of
/// an argument) come in pairs.
fn unit_line(line: &str) -> Option<String> {
    if line.starts_with('[') && line.ends_with(']') || SPECIFIER_LINES.contains(&line) {
        return None;
    }
    let (key, value) = line.split_once('=')?;
    let bad_key = key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric());
    let unbalanced_quotes = value.matches('"').count() % 2 == 1;
    let expanded = value.replace("$MAINPID", "");
    let bad_value =
        expanded.contains(['%', '$', '\'']) || unbalanced_quotes || value.ends_with('\\') || value != value.trim();
    (bad_key || bad_value).then(|| format!("unit line `{line}`"))
}

/// `[section]` naming a dataset or a template, or `key = value` with a bare value.
fn sanoid_line(line: &str) -> Option<String> {
    if let Some(section) = line.strip_prefix('[').and_then(|rest| rest.strip_suffix(']')) {
        let ok = !section.is_empty() && section.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-.:/".contains(&b));
        return (!ok).then(|| format!("sanoid section `{section}`"));
    }
    let Some((key, value)) = line.split_once(" = ") else {
        return Some(format!("sanoid line `{line}`"));
    };
    let bad = key.contains(char::is_whitespace) || value.contains(['#', ';']) || value != value.trim();
    bad.then(|| format!("sanoid line `{line}`"))
}

/// An absolute path, then `who(options)` items, all without quotes, comments or escapes.
fn exports_line(line: &str) -> Option<String> {
    let mut fields = line.split(' ');
    let path = fields.next().unwrap_or_default();
    let bad_path = !path.starts_with('/') || path.contains(['"', '\'', '#', '\\', '\t']);
    let bad_client = fields.any(|client| {
        let Some((who, options)) = client.split_once('(') else { return true };
        !is_exports_client(who) || !options.ends_with(')') || client.contains(['"', '\'', '#', '\\'])
    });
    (bad_path || bad_client).then(|| format!("exports line `{line}`"))
}

/// Who an exports(5) entry is for: an address or a network, a host name, a host name
/// pattern with `*`, `?` and `[…]`, `*`, or `@` and a netgroup; wildcards and `@` nowhere else.
fn is_exports_client(who: &str) -> bool {
    let name_byte = |b: u8| b.is_ascii_alphanumeric() || b"-._".contains(&b);
    match who.strip_prefix('@') {
        Some(netgroup) => !netgroup.is_empty() && netgroup.bytes().all(name_byte),
        None => !who.is_empty() && who.bytes().all(|b| name_byte(b) || b":/*?[]".contains(&b)),
    }
}

/// Six whitespace-separated fields: `server:/path`, an absolute mount point, `nfs`, options.
fn fstab_line(line: &str) -> Option<String> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    let ok = fields.len() == 6
        && fields[0].contains(":/")
        && !fields[0].contains(['*', '?', '@'])
        && fields[1].starts_with('/')
        && fields[2] == "nfs"
        && !line.contains(['#', '\\', '"', '\'']);
    (!ok).then(|| format!("fstab line `{line}`"))
}
