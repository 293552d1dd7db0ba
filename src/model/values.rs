//! Reading typed values out of syntax values, with the rules of the formats they reach:
//! ZFS dataset names, host and block names, addresses, paths, durations.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::types::{Address, ClientSpec, Duration, Size, SizeUnit, Spanned};
use crate::diagnostic::Problem;
use crate::syntax::{Value, ValueKind};

/// Longest ZFS dataset name (ZFS_MAX_DATASET_NAME_LEN less the terminating NUL).
const MAX_DATASET_LEN: usize = 255;

/// Pool name prefixes ZFS reserves for vdev types (`log` is reserved only as a whole name).
const RESERVED_POOL_PREFIXES: [&str; 4] = ["mirror", "raidz", "draid", "spare"];

type Read<T> = Result<T, Problem>;

fn wrong_kind(value: &Value, expected: &'static str, example: &str) -> Problem {
    let help = format!("write it as `{example}`");
    Problem::WrongKind { span: value.span.into(), expected, found: value.text.clone(), help }
}

/// A block or host name: it becomes a directory, part of unit and file names, an ssh target.
pub fn name(value: &Value) -> Read<Spanned<String>> {
    if value.kind != ValueKind::Word && value.kind != ValueKind::Number {
        return Err(wrong_kind(value, "a name", "storage"));
    }
    let reason = name_problem(&value.text);
    match reason {
        None => Ok(Spanned::new(value.text.clone(), value.span)),
        Some(reason) => Err(Problem::InvalidName { span: value.span.into(), name: value.text.clone(), reason }),
    }
}

fn name_problem(text: &str) -> Option<&'static str> {
    if text.len() > 63 {
        return Some("it is longer than 63 characters");
    }
    if !text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
        return Some("it has a character other than a lowercase letter, a digit or `-`");
    }
    if text.starts_with('-') || text.ends_with('-') {
        return Some("it starts or ends with `-`");
    }
    None
}

/// The longest network interface name Linux takes (`IFNAMSIZ` less the terminating NUL).
const MAX_INTERFACE_LEN: usize = 15;

/// A Linux network interface name, as keepalived's `interface` takes it: 1 to 15 letters,
/// digits, `_`, `-` and `.` (`vmbr0`, `bond0.100`).
pub fn interface(value: &Value) -> Read<Spanned<String>> {
    if value.kind != ValueKind::Word {
        return Err(wrong_kind(value, "a network interface", "vmbr0"));
    }
    let text = &value.text;
    let reason = if text.len() > MAX_INTERFACE_LEN {
        Some("it is longer than 15 characters, the most Linux keeps")
    } else if !text.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b)) {
        Some("it has a character other than a letter, a digit, `_`, `-` or `.`")
    } else {
        None
    };
    match reason {
        None => Ok(Spanned::new(text.clone(), value.span)),
        Some(reason) => Err(Problem::InvalidInterface { span: value.span.into(), name: text.clone(), reason }),
    }
}

/// A ZFS dataset name, checked against ZFS's own naming rules.
pub fn dataset(value: &Value) -> Read<Spanned<String>> {
    if value.kind != ValueKind::Word {
        return Err(wrong_kind(value, "a dataset", "zpool1/data"));
    }
    match dataset_problem(&value.text) {
        None => Ok(Spanned::new(value.text.clone(), value.span)),
        Some(reason) => Err(Problem::InvalidDataset { span: value.span.into(), name: value.text.clone(), reason }),
    }
}

fn dataset_problem(text: &str) -> Option<&'static str> {
    if text.len() > MAX_DATASET_LEN {
        return Some("it is longer than 255 characters");
    }
    if text.contains(['@', '#']) {
        return Some("`@` and `#` name snapshots and bookmarks, not datasets");
    }
    let mut components = text.split('/');
    let pool = components.next().unwrap_or_default();
    if !pool.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Some("a pool name starts with a letter");
    }
    if is_reserved_pool(pool) {
        return Some("the pool name is reserved by ZFS");
    }
    for component in text.split('/') {
        if component.is_empty() {
            return Some("it has an empty component (`//` or a trailing `/`)");
        }
        if component == "." || component == ".." {
            return Some("`.` and `..` are not dataset components");
        }
        if !component.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-.:".contains(&b)) {
            return Some("it has a character other than letters, digits and `_ - . :`");
        }
    }
    None
}

fn is_reserved_pool(pool: &str) -> bool {
    let device_like = pool.starts_with('c') && pool[1..].starts_with(|c: char| c.is_ascii_digit());
    pool == "log" || device_like || RESERVED_POOL_PREFIXES.iter().any(|prefix| pool.starts_with(prefix))
}

/// An absolute path that can appear in exports, fstab and unit names unescaped.
pub fn path(value: &Value) -> Read<Spanned<String>> {
    if value.kind != ValueKind::Path {
        return Err(wrong_kind(value, "an absolute path", "/mnt/storage"));
    }
    match path_problem(&value.text) {
        None => Ok(Spanned::new(value.text.clone(), value.span)),
        Some(reason) => Err(Problem::InvalidPath { span: value.span.into(), text: value.text.clone(), reason }),
    }
}

/// Why a path cannot be used, if it cannot.
pub fn path_problem(text: &str) -> Option<&'static str> {
    if text == "/" {
        return None;
    }
    if text.len() > 1024 {
        return Some("it is longer than 1024 characters");
    }
    if text.ends_with('/') {
        return Some("it ends with `/`");
    }
    for component in text[1..].split('/') {
        if component.is_empty() {
            return Some("it has an empty component (`//`)");
        }
        if component == "." || component == ".." {
            return Some("it has a `.` or `..` component");
        }
        if !component.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-.+@:".contains(&b)) {
            return Some("it has a character other than letters, digits and `_ - . + @ :`");
        }
    }
    None
}

/// A duration such as `10m`; `example` is a fitting one for the setting it is read for.
pub fn duration(value: &Value, example: &str) -> Read<Spanned<Duration>> {
    if value.kind == ValueKind::Number {
        let help = format!("a duration carries its unit (`s`, `m`, `h`, `d` or `w`): write it as `{example}`");
        return Err(Problem::WrongKind {
            span: value.span.into(),
            expected: "a duration",
            found: value.text.clone(),
            help,
        });
    }
    if value.kind != ValueKind::Duration {
        return Err(wrong_kind(value, "a duration", example));
    }
    let (digits, unit) = value.text.split_at(value.text.len() - 1);
    let scale = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        _ => 7 * 86_400,
    };
    let seconds = digits.parse::<u64>().ok().and_then(|n| n.checked_mul(scale));
    match seconds {
        Some(seconds) if seconds <= 100 * 365 * 86_400 => Ok(Spanned::new(Duration(seconds), value.span)),
        _ => Err(out_of_range(value, "duration", "1s to 100 years")),
    }
}

/// A size such as `100M`, in binary units.
pub fn size(value: &Value) -> Read<Spanned<Size>> {
    if value.kind != ValueKind::Size {
        return Err(wrong_kind(value, "a size", "100M"));
    }
    let (digits, unit) = value.text.split_at(value.text.len() - 1);
    let unit = match unit {
        "K" => SizeUnit::K,
        "M" => SizeUnit::M,
        "G" => SizeUnit::G,
        "T" => SizeUnit::T,
        _ => SizeUnit::P,
    };
    match digits.parse::<u64>() {
        Ok(amount) => Ok(Spanned::new(Size { amount, unit }, value.span)),
        Err(_) => Err(out_of_range(value, "size", "0 to 16383P")),
    }
}

fn out_of_range(value: &Value, what: &'static str, range: &'static str) -> Problem {
    Problem::OutOfRange { span: value.span.into(), what, text: value.text.clone(), range }
}

/// A whole number within a range.
pub fn number(value: &Value, what: &'static str, min: u32, max: u32, range: &'static str) -> Read<Spanned<u32>> {
    if value.kind != ValueKind::Number {
        return Err(wrong_kind(value, "a number", "24"));
    }
    match value.text.parse::<u32>() {
        Ok(n) if (min..=max).contains(&n) => Ok(Spanned::new(n, value.span)),
        _ => Err(out_of_range(value, what, range)),
    }
}

/// A percentage from 1 to 100.
pub fn percent(value: &Value) -> Read<Spanned<u8>> {
    if value.kind != ValueKind::Percent {
        return Err(wrong_kind(value, "a percentage", "50%"));
    }
    match value.text.trim_end_matches('%').parse::<u8>() {
        Ok(n) if (1..=100).contains(&n) => Ok(Spanned::new(n, value.span)),
        _ => Err(out_of_range(value, "percentage", "1% to 100%")),
    }
}

fn invalid_address(value: &Value, what: &'static str, example: &'static str) -> Problem {
    Problem::InvalidAddress { span: value.span.into(), text: value.text.clone(), what, example }
}

/// A single IPv4 or IPv6 address.
pub fn address(value: &Value) -> Read<Spanned<IpAddr>> {
    let parsed = match value.kind {
        ValueKind::Ipv4 => value.text.parse::<Ipv4Addr>().ok().map(IpAddr::V4),
        ValueKind::Ipv6 => value.text.parse::<Ipv6Addr>().ok().map(IpAddr::V6),
        _ => return Err(wrong_kind(value, "an IP address", "192.168.1.10")),
    };
    parsed
        .map(|address| Spanned::new(address, value.span))
        .ok_or_else(|| invalid_address(value, "IP address", "four numbers from 0 to 255, such as `192.168.1.10`"))
}

/// Who is reached at a host address, for the words of a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostAddress {
    /// A node, which its peer replicates to and reaches over ssh or zrepl.
    Node,
    /// An NFS server's service address, which clients mount.
    NfsServer,
}

/// The address of a node or of an NFS server: an IP literal another host can reach, or a
/// DNS host name.
pub fn host_address(value: &Value, owner: HostAddress) -> Read<Spanned<Address>> {
    if value.kind == ValueKind::Word {
        return host_name(value).map(|name| Spanned::new(Address::Name(name.value), name.span));
    }
    let address = address(value)?;
    let Some(reason) = unreachable_reason(address.value) else {
        return Ok(Spanned::new(Address::Ip(address.value), address.span));
    };
    let (owner, help) = match owner {
        HostAddress::Node => ("a node", "write the address its peers reach this node at, such as `192.168.1.10`"),
        HostAddress::NfsServer => (
            "an NFS server",
            "write the address clients mount, which moves with the active node, such as `192.168.1.150`",
        ),
    };
    Err(Problem::UnusableAddress { span: value.span.into(), text: value.text.clone(), owner, reason, help })
}

/// Longest DNS host name, without a trailing dot (RFC 1035 section 2.3.4).
const MAX_HOST_NAME_LEN: usize = 253;

/// A DNS host name as RFC 1123 allows it: dot-separated labels of 1 to 63 letters, digits
/// and hyphens, neither starting nor ending with a hyphen, at most 253 characters, and a
/// last label that is not all digits (that would be a mistyped IPv4 address).
pub fn host_name(value: &Value) -> Read<Spanned<String>> {
    match host_name_problem(&value.text) {
        None => Ok(Spanned::new(value.text.clone(), value.span)),
        Some(reason) => Err(Problem::InvalidHostName { span: value.span.into(), name: value.text.clone(), reason }),
    }
}

pub(super) fn host_name_problem(text: &str) -> Option<&'static str> {
    if text.len() > MAX_HOST_NAME_LEN {
        return Some("it is longer than 253 characters");
    }
    if text.ends_with('.') {
        return Some("it ends with `.`; write the name without the root's dot");
    }
    for label in text.split('.') {
        if label.is_empty() {
            return Some("it has an empty label (`..` or a leading `.`)");
        }
        if label.len() > 63 {
            return Some("a label (between dots) is longer than 63 characters");
        }
        if !label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Some("it has a character other than letters, digits, `-` and the `.` between labels");
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Some("a label (between dots) starts or ends with `-`");
        }
    }
    if text.rsplit('.').next().is_some_and(|last| last.bytes().all(|b| b.is_ascii_digit())) {
        return Some("its last label is all digits, so it reads as an IP address, and not a valid one");
    }
    None
}

/// Why no other host can reach an address, if none can. An IPv4-mapped IPv6 address is
/// judged as the IPv4 address it maps.
fn unreachable_reason(address: IpAddr) -> Option<&'static str> {
    match address.to_canonical() {
        IpAddr::V4(v4) if v4.is_loopback() => Some("a loopback address, where every host reaches only itself"),
        IpAddr::V4(v4) if v4.is_unspecified() => Some("the unspecified address, which names no host"),
        IpAddr::V4(v4) if v4.is_broadcast() => Some("the broadcast address, which names every host of a network"),
        IpAddr::V4(v4) if v4.is_multicast() => Some("a multicast address, which names a group of hosts"),
        IpAddr::V4(v4) if v4.octets()[0] == 0 => Some("in `0.0.0.0/8`, which is a source address, never a destination"),
        IpAddr::V6(v6) if v6.is_loopback() => Some("a loopback address, where every host reaches only itself"),
        IpAddr::V6(v6) if v6.is_unspecified() => Some("the unspecified address, which names no host"),
        IpAddr::V6(v6) if v6.is_multicast() => Some("a multicast address, which names a group of hosts"),
        _ => None,
    }
}

/// What a path is the mount point of, where `/` would be a root file system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MountPoint {
    /// The path an NFS server exports.
    Export,
    /// Where a client mounts an export.
    ClientMount,
    /// Where a static pair's target mounts its copy.
    Copy,
    /// Where a node mounts one of its datasets.
    Dataset,
}

/// A path that something is mounted at or exported from: never `/`.
pub fn mount_point(value: &Value, role: MountPoint) -> Read<Spanned<String>> {
    let path = path(value)?;
    if path.value != "/" {
        return Ok(path);
    }
    let (what, whose, help) = match role {
        MountPoint::Export => (
            "an export",
            "the NFS server",
            "export the directory the dataset is mounted at, such as `/srv/data`; `/` would serve the server's own system, not the dataset",
        ),
        MountPoint::ClientMount => (
            "a mount point",
            "the client",
            "mount under a directory such as `/mnt/data`; at `/` the mount would replace the client's root file system, and its unit would be `-.mount`, the root's own",
        ),
        MountPoint::Copy => (
            "the mount point of a copy",
            "the target",
            "mount the copy under a directory such as `/srv/copy`; at `/` it would cover the target's own system",
        ),
        MountPoint::Dataset => (
            "the mount point of a dataset",
            "the node",
            "mount the dataset under a directory such as `/srv/share`; at `/` it would cover the node's own system",
        ),
    };
    Err(Problem::RootPath { span: value.span.into(), what, whose, help })
}

/// An address, a network in CIDR notation, a host name, a host name pattern, a netgroup or
/// `*`, as an export client.
pub fn client_spec(value: &Value) -> Read<Spanned<ClientSpec>> {
    match value.kind {
        ValueKind::Word => host_name(value).map(|name| Spanned::new(ClientSpec::Host(name.value), name.span)),
        ValueKind::Ipv4 | ValueKind::Ipv6 if !value.text.contains('/') => {
            address(value).map(|a| Spanned::new(ClientSpec::Address(a.value), a.span))
        }
        ValueKind::Ipv4Cidr | ValueKind::Ipv6 => network(value),
        ValueKind::Wildcard if value.text == "*" => Ok(Spanned::new(ClientSpec::Everyone, value.span)),
        ValueKind::Wildcard => host_pattern(value),
        ValueKind::Netgroup => netgroup(value),
        _ => Err(wrong_kind(value, "an address, a network, a host name, a pattern or a netgroup", "192.168.1.0/24")),
    }
}

/// A host name pattern: labels of letters, digits, `-`, the wildcards `*` and `?`, and
/// `[…]` classes of letters, digits and ranges, as nfs-utils' wildmat matches them.
fn host_pattern(value: &Value) -> Read<Spanned<ClientSpec>> {
    match host_pattern_problem(&value.text) {
        None => Ok(Spanned::new(ClientSpec::Wildcard(value.text.clone()), value.span)),
        Some(reason) => Err(Problem::InvalidHostPattern {
            span: value.span.into(),
            pattern: value.text.clone(),
            reason: reason.to_owned(),
            help: host_pattern_help(&value.text),
        }),
    }
}

fn host_pattern_problem(text: &str) -> Option<String> {
    if text.len() > MAX_HOST_NAME_LEN {
        return Some("it is longer than 253 characters".to_owned());
    }
    if text.split('.').any(str::is_empty) {
        return Some("it has an empty label (`..` or a dot at an end)".to_owned());
    }
    if looks_like_address(text) {
        return Some("it matches addresses, and exports(5) matches patterns against host names only".to_owned());
    }
    class_problem(text)
}

/// Whether a pattern is made of digits and wildcards only, like `192.168.1.*`.
fn looks_like_address(text: &str) -> bool {
    text.contains('.')
        && text.chars().any(|ch| ch.is_ascii_digit())
        && text.split('.').all(|label| label.chars().all(|ch| ch.is_ascii_digit() || "*?".contains(ch)))
}

/// Why the characters or `[…]` classes of a pattern are not ones wildmat reads as meant.
fn class_problem(text: &str) -> Option<String> {
    let mut class: Option<String> = None;
    for ch in text.chars() {
        match (&mut class, ch) {
            (None, '[') => class = Some(String::new()),
            (None, ']') => return Some("it has a `]` without its `[`".to_owned()),
            (None, ch) if ch.is_ascii_alphanumeric() || "-*?.".contains(ch) => {}
            (None, ch) => return Some(format!("it has `{ch}`, which no host name holds")),
            (Some(members), ']') if members.is_empty() => return Some("it has an empty class `[]`".to_owned()),
            (Some(members), ']') => {
                if let Some(reason) = range_problem(members) {
                    return Some(reason);
                }
                class = None;
            }
            (Some(members), ch) if ch.is_ascii_alphanumeric() || ch == '-' => members.push(ch),
            (Some(_), ch) => {
                return Some(format!(
                    "its class holds `{ch}`; a class lists letters, digits and ranges such as `[0-9]`"
                ))
            }
        }
    }
    class.map(|_| "it has a `[` without its `]`".to_owned())
}

/// A class's ranges run from a lower character to a higher one of the same kind.
fn range_problem(members: &str) -> Option<String> {
    let chars: Vec<char> = members.chars().collect();
    let ranges = chars.windows(3).filter(|w| w[1] == '-' && w[0] != '-' && w[2] != '-');
    for range in ranges {
        let same_kind = range[0].is_ascii_digit() == range[2].is_ascii_digit();
        if !same_kind || range[0] > range[2] {
            return Some(format!("its class range `{}-{}` runs backwards or across kinds", range[0], range[2]));
        }
    }
    None
}

fn host_pattern_help(text: &str) -> String {
    if looks_like_address(text) {
        let network = text.split('.').take_while(|label| label.chars().all(|ch| ch.is_ascii_digit())).count();
        let octets: Vec<&str> = text.split('.').take(network).collect();
        if network > 0 && network < 4 && text.split('.').count() == 4 {
            let mut address = octets.join(".");
            address.push_str(&".0".repeat(4 - network));
            return format!("write the network instead: `{address}/{}`", network * 8);
        }
        return "write the network instead, such as `192.168.1.0/24`".to_owned();
    }
    "write a host name with `*` (any characters), `?` (one character) or a class such as `[0-9]`, like `*.lan` or `nas?.lan`".to_owned()
}

/// `@trusted`: a netgroup, by the name that follows the `@`.
fn netgroup(value: &Value) -> Read<Spanned<ClientSpec>> {
    let name = value.text.trim_start_matches('@');
    Ok(Spanned::new(ClientSpec::Netgroup(name.to_owned()), value.span))
}

fn network(value: &Value) -> Read<Spanned<ClientSpec>> {
    let invalid = || invalid_address(value, "network", "an address and a prefix length, such as `192.168.1.0/24`");
    let (address, prefix) = value.text.split_once('/').ok_or_else(invalid)?;
    let address: IpAddr = address.parse().map_err(|_| invalid())?;
    let prefix: u8 = prefix.parse().map_err(|_| invalid())?;
    let max = if address.is_ipv4() { 32 } else { 128 };
    if prefix > max || !host_bits_clear(address, prefix) {
        return Err(invalid_address(
            value,
            "network",
            "the network address with its host bits zero, such as `192.168.1.0/24`",
        ));
    }
    Ok(Spanned::new(ClientSpec::Network(address, prefix), value.span))
}

fn host_bits_clear(address: IpAddr, prefix: u8) -> bool {
    match address {
        IpAddr::V4(v4) => {
            let bits = u32::from(v4);
            prefix >= 32 || bits & (u32::MAX >> prefix) == 0
        }
        IpAddr::V6(v6) => {
            let bits = u128::from(v6);
            prefix >= 128 || bits & (u128::MAX >> prefix) == 0
        }
    }
}

/// A warning code that a block acknowledges; errors cannot be acknowledged.
pub fn warning_code(value: &Value) -> Read<Spanned<String>> {
    let code = value.text.to_ascii_uppercase();
    let known = crate::diagnostic::catalogue::lookup(&code).is_some();
    let reason = match (known, code.starts_with('W')) {
        (true, true) => return Ok(Spanned::new(code, value.span)),
        (true, false) => "it is an error, and errors cannot be allowed",
        (false, _) => "no diagnostic has this code",
    };
    Err(Problem::InvalidAllow { span: value.span.into(), code: value.text.clone(), reason })
}

/// Which keyword from a list the user probably meant.
pub fn closest<'a>(typed: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|candidate| (strsim::jaro_winkler(typed, candidate), candidate))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

/// A "did you mean" help line for the closest candidate, if one is close.
pub fn did_you_mean<'a>(typed: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    closest(typed, candidates).map(|candidate| format!("did you mean `{candidate}`?"))
}

/// Which dataset from a list the user probably meant. Dataset names share their pool and
/// parents, which Jaro-Winkler rewards as a common prefix, so they are compared by edit
/// distance: a slip of one or two characters, not a sibling.
pub fn closest_dataset<'a>(typed: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|candidate| (strsim::normalized_damerau_levenshtein(typed, candidate), candidate))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dataset_rules() {
        assert_eq!(dataset_problem("zpool1/data-nfs-share"), None);
        assert_eq!(dataset_problem("zroot/bhyve/fedora:1.2_x"), None);
        assert!(dataset_problem("zpool1/../etc").is_some());
        assert!(dataset_problem("zpool1//a").is_some());
        assert!(dataset_problem("zpool1/a/").is_some());
        assert!(dataset_problem("1pool/a").is_some());
        assert!(dataset_problem("mirror/a").is_some());
        assert!(dataset_problem("c0t0/a").is_some());
        assert!(dataset_problem("pool/a@snap").is_some());
        assert!(dataset_problem(&format!("p/{}", "a".repeat(300))).is_some());
    }

    #[test]
    fn path_rules() {
        assert_eq!(path_problem("/mnt/storage"), None);
        assert_eq!(path_problem("/"), None);
        assert!(path_problem("/mnt/../etc").is_some());
        assert!(path_problem("/mnt/").is_some());
        assert!(path_problem("/mnt//x").is_some());
    }

    #[test]
    fn name_rules() {
        assert_eq!(name_problem("acemagician"), None);
        assert_eq!(name_problem("docker-vm"), None);
        assert!(name_problem("Elite").is_some());
        assert!(name_problem("a.b").is_some());
        assert!(name_problem("-a").is_some());
    }

    #[test]
    fn network_host_bits() {
        assert!(host_bits_clear("192.168.100.0".parse().unwrap(), 24));
        assert!(!host_bits_clear("192.168.100.1".parse().unwrap(), 24));
        assert!(host_bits_clear("fd00::".parse().unwrap(), 64));
    }

    #[test]
    fn dataset_suggestions_are_slips_not_siblings() {
        let replicated = ["tank/data", "tank/photos"];
        assert_eq!(closest_dataset("tnak/data", replicated), Some("tank/data"));
        assert_eq!(closest_dataset("tank/photo", replicated), Some("tank/photos"));
        assert_eq!(closest_dataset("tank/other", replicated), None);
    }

    #[test]
    fn addresses_no_other_host_reaches() {
        let reason = |text: &str| unreachable_reason(text.parse().unwrap());
        for unreachable in ["127.0.0.1", "127.1.2.3", "::1", "0.0.0.0", "::", "224.0.0.1", "ff02::1", "255.255.255.255"]
        {
            assert!(reason(unreachable).is_some(), "{unreachable}");
        }
        assert!(reason("0.1.2.3").is_some());
        assert!(reason("::ffff:127.0.0.1").is_some());
        for usable in ["10.0.0.1", "192.168.100.11", "fd00::1", "169.254.1.1", "2001:db8::1"] {
            assert_eq!(reason(usable), None, "{usable}");
        }
    }

    #[test]
    fn host_names_follow_rfc_1123() {
        for usable in ["nas", "nas.lan", "nas.tail1234.ts.net", "1nas.example", "NAS-2.Lan", &"a".repeat(63)] {
            assert_eq!(host_name_problem(usable), None, "{usable}");
        }
        let longest = format!("{}.{}.{}.{}", "a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(61));
        assert_eq!(longest.len(), 253);
        assert_eq!(host_name_problem(&longest), None);
        let too_long = format!("{longest}e");
        for unusable in
            ["nas_1.lan", "-nas.lan", "nas-.lan", "nas..lan", ".nas", "nas.lan.", "10.0.1", "nas.123", &"a".repeat(64)]
        {
            assert!(host_name_problem(unusable).is_some(), "{unusable}");
        }
        assert!(host_name_problem(&too_long).is_some());
    }

    #[test]
    fn host_name_patterns_are_what_wildmat_matches_as_meant() {
        for usable in ["*.lan", "nas?.lan", "nas[0-9].lan", "ws[a-c0-9]*.office.lan", "*", "*.*", "?*"] {
            assert_eq!(host_pattern_problem(usable), None, "{usable}");
        }
        for unusable in ["*..lan", ".*.lan", "nas[0-9.lan", "nas]0.lan", "nas[].lan", "nas[9-0].lan", "nas[a-9].lan"] {
            assert!(host_pattern_problem(unusable).is_some(), "{unusable}");
        }
        assert!(host_pattern_problem("nas_?.lan").is_some_and(|reason| reason.contains("`_`")));
        assert!(host_pattern_problem("10.0.*.*").is_some_and(|reason| reason.contains("addresses")));
    }

    #[test]
    fn an_address_pattern_is_answered_with_its_network() {
        assert_eq!(host_pattern_help("192.168.1.*"), "write the network instead: `192.168.1.0/24`");
        assert_eq!(host_pattern_help("10.*.*.*"), "write the network instead: `10.0.0.0/8`");
        assert_eq!(host_pattern_help("10.0.1?.*"), "write the network instead: `10.0.0.0/16`");
    }

    #[test]
    fn suggestions() {
        assert_eq!(did_you_mean("hourlys", ["hourly", "daily"]).as_deref(), Some("did you mean `hourly`?"));
        assert_eq!(did_you_mean("zzz", ["hourly", "daily"]), None);
    }
}
