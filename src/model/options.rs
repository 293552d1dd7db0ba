//! The NFS export options and client mount options a policy may use, and how each is
//! written in its target file.

use super::types::{Duration, OptionSetting, Spanned};
use super::values::{self, did_you_mean};
use crate::diagnostic::Problem;
use crate::syntax::{Value, ValueKind};

/// What value an option takes, if any.
#[derive(Debug, Clone, Copy)]
enum Takes {
    Nothing,
    /// A whole number in a range.
    Number(u32, u32, &'static str),
    /// A duration written as tenths of a second (`timeo`).
    Deciseconds,
    /// A duration written as whole seconds.
    Seconds,
    /// One of a fixed set of words.
    OneOf(&'static [&'static str]),
    /// Security flavours separated by `:`, each once, the preferred first (`sec`).
    Flavours,
    /// NFSv4 locations `PATH@HOST[+HOST]`, separated by `:` (`refer`, `replicas`).
    Locations,
    /// A duration written as whole minutes (`retry`).
    Minutes,
    /// A systemd unit name (`nfs-client.target`) or an absolute path, for `x-systemd.after=`.
    UnitOrPath,
    /// An absolute path (`x-systemd.requires-mounts-for=`).
    Path,
    /// An IPv4 or IPv6 address (`clientaddr`).
    Address,
}

/// An option a policy may write, its spelling in the output and its value.
#[derive(Debug, Clone, Copy)]
struct Known {
    keyword: &'static str,
    written: &'static str,
    takes: Takes,
}

const fn flag(keyword: &'static str) -> Known {
    Known { keyword, written: keyword, takes: Takes::Nothing }
}

const fn valued(keyword: &'static str, takes: Takes) -> Known {
    Known { keyword, written: keyword, takes }
}

const SECURITY_FLAVOURS: &[&str] = &["sys", "krb5", "krb5i", "krb5p"];

/// exports(5) options, every one nfs-utils 2.6.2's `parseopts` reads (Debian 12): `fsid`
/// is set on the export itself and zplan writes `mp` (see [`ZPLAN_OWNED`]); `xprtsec`
/// came after 2.6.2, and nfsd never applied `squash_uids` or `squash_gids`.
const EXPORT_OPTIONS: &[Known] = &[
    flag("rw"),
    flag("ro"),
    flag("sync"),
    flag("async"),
    flag("secure"),
    flag("insecure"),
    flag("wdelay"),
    flag("no_wdelay"),
    flag("hide"),
    flag("nohide"),
    flag("crossmnt"),
    flag("nocrossmnt"),
    flag("subtree_check"),
    flag("no_subtree_check"),
    flag("secure_locks"),
    flag("insecure_locks"),
    flag("auth_nlm"),
    flag("no_auth_nlm"),
    flag("root_squash"),
    flag("no_root_squash"),
    flag("all_squash"),
    flag("no_all_squash"),
    flag("acl"),
    flag("no_acl"),
    flag("nordirplus"),
    flag("pnfs"),
    flag("no_pnfs"),
    flag("security_label"),
    valued("sec", Takes::Flavours),
    valued("anonuid", Takes::Number(0, u32::MAX - 1, "0 to 4294967294")),
    valued("anongid", Takes::Number(0, u32::MAX - 1, "0 to 4294967294")),
    valued("refer", Takes::Locations),
    valued("replicas", Takes::Locations),
];

/// Export options zplan writes on every Linux export line itself, and why.
const ZPLAN_OWNED: &[(&str, &str)] = &[
    ("fsid", "set `fsid` on the export itself: `export /path dataset pool/ds fsid 7`"),
    ("mp", "zplan writes `mp=` with the dataset's mountpoint on each node that serves it, so that nfsd exports the path only while the dataset is mounted there; remove it"),
    ("mountpoint", "zplan writes `mp=` with the dataset's mountpoint on each node that serves it, so that nfsd exports the path only while the dataset is mounted there; remove it"),
];

/// Pairs of export options of which only one may be given; `auth_nlm` and `secure_locks`
/// are one option, as are `no_auth_nlm` and `insecure_locks`.
pub const EXPORT_CONFLICTS: &[(&str, &str)] = &[
    ("rw", "ro"),
    ("sync", "async"),
    ("secure", "insecure"),
    ("wdelay", "no_wdelay"),
    ("hide", "nohide"),
    ("crossmnt", "nocrossmnt"),
    ("subtree_check", "no_subtree_check"),
    ("secure_locks", "insecure_locks"),
    ("secure_locks", "no_auth_nlm"),
    ("auth_nlm", "insecure_locks"),
    ("auth_nlm", "no_auth_nlm"),
    ("root_squash", "no_root_squash"),
    ("all_squash", "no_all_squash"),
    ("acl", "no_acl"),
    ("pnfs", "no_pnfs"),
];

/// nfs(5), mount(8) and systemd.mount(5) options a client mount may use.
const MOUNT_OPTIONS: &[Known] = &[
    flag("hard"),
    flag("soft"),
    flag("softerr"),
    flag("intr"),
    flag("nointr"),
    flag("_netdev"),
    flag("nofail"),
    flag("auto"),
    flag("noauto"),
    flag("ro"),
    flag("rw"),
    flag("noatime"),
    flag("relatime"),
    flag("nosuid"),
    flag("nodev"),
    flag("noexec"),
    flag("bg"),
    flag("fg"),
    flag("ac"),
    flag("noac"),
    flag("lock"),
    flag("nolock"),
    flag("cto"),
    flag("nocto"),
    flag("acl"),
    flag("noacl"),
    flag("rdirplus"),
    flag("nordirplus"),
    flag("resvport"),
    flag("noresvport"),
    flag("sharecache"),
    flag("nosharecache"),
    flag("fsc"),
    flag("nofsc"),
    Known { keyword: "automount", written: "x-systemd.automount", takes: Takes::Nothing },
    Known { keyword: "force-unmount", written: "x-systemd.force-unmount", takes: Takes::Nothing },
    valued("timeo", Takes::Deciseconds),
    valued("retrans", Takes::Number(0, 1000, "0 to 1000")),
    valued("retry", Takes::Minutes),
    valued("vers", Takes::OneOf(&["3", "4", "4.0", "4.1", "4.2"])),
    valued("proto", Takes::OneOf(&["tcp", "udp", "rdma"])),
    valued("port", Takes::Number(0, 65535, "0 to 65535")),
    valued("mountport", Takes::Number(1, 65535, "1 to 65535")),
    valued("mountproto", Takes::OneOf(&["tcp", "udp"])),
    valued("mountvers", Takes::OneOf(&["1", "2", "3"])),
    valued("namlen", Takes::Number(1, 255, "1 to 255")),
    valued("clientaddr", Takes::Address),
    valued("lookupcache", Takes::OneOf(&["all", "none", "pos", "positive"])),
    valued("local_lock", Takes::OneOf(&["all", "flock", "posix", "none"])),
    valued("rsize", Takes::Number(1024, 1_048_576, "1024 to 1048576")),
    valued("wsize", Takes::Number(1024, 1_048_576, "1024 to 1048576")),
    valued("nconnect", Takes::Number(1, 16, "1 to 16")),
    valued("actimeo", Takes::Seconds),
    valued("acregmin", Takes::Seconds),
    valued("acregmax", Takes::Seconds),
    valued("acdirmin", Takes::Seconds),
    valued("acdirmax", Takes::Seconds),
    valued("sec", Takes::OneOf(SECURITY_FLAVOURS)),
    Known { keyword: "idle-timeout", written: "x-systemd.idle-timeout", takes: Takes::Seconds },
    Known { keyword: "mount-timeout", written: "x-systemd.mount-timeout", takes: Takes::Seconds },
    Known { keyword: "after", written: "x-systemd.after", takes: Takes::UnitOrPath },
    Known { keyword: "before", written: "x-systemd.before", takes: Takes::UnitOrPath },
    Known { keyword: "requires", written: "x-systemd.requires", takes: Takes::UnitOrPath },
    Known { keyword: "requires-mounts-for", written: "x-systemd.requires-mounts-for", takes: Takes::Path },
];

/// Pairs of mount options of which only one may be given.
pub const MOUNT_CONFLICTS: &[(&str, &str)] = &[
    ("hard", "soft"),
    ("hard", "softerr"),
    ("soft", "softerr"),
    ("intr", "nointr"),
    ("auto", "noauto"),
    ("ro", "rw"),
    ("ac", "noac"),
    ("lock", "nolock"),
    ("cto", "nocto"),
    ("bg", "fg"),
    ("acl", "noacl"),
    ("rdirplus", "nordirplus"),
    ("resvport", "noresvport"),
    ("sharecache", "nosharecache"),
    ("fsc", "nofsc"),
    ("noac", "actimeo"),
    ("noac", "acregmin"),
    ("noac", "acregmax"),
    ("noac", "acdirmin"),
    ("noac", "acdirmax"),
    ("actimeo", "acregmin"),
    ("actimeo", "acregmax"),
    ("actimeo", "acdirmin"),
    ("actimeo", "acdirmax"),
];

/// Mount options that may be given more than once: each names one more unit or path
/// (systemd.mount(5) "may be specified more than once").
pub const REPEATABLE_MOUNT_OPTIONS: &[&str] =
    &["x-systemd.after", "x-systemd.before", "x-systemd.requires", "x-systemd.requires-mounts-for"];

/// Mount options of NFS versions 2 and 3 only (nfs(5), "Options for NFS versions 2 and 3
/// only"): an NFSv4 mount ignores them.
pub const NFS3_ONLY_MOUNT_OPTIONS: &[&str] =
    &["mountport", "mountproto", "mountvers", "namlen", "lock", "nolock", "local_lock", "acl", "noacl"];

/// Mount options of NFS version 4 only (nfs(5), "Options for NFS version 4 only").
pub const NFS4_ONLY_MOUNT_OPTIONS: &[&str] = &["clientaddr"];

/// Which list of options a run of values is read against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionContext {
    Export,
    Mount,
}

impl OptionContext {
    fn known(self) -> &'static [Known] {
        match self {
            OptionContext::Export => EXPORT_OPTIONS,
            OptionContext::Mount => MOUNT_OPTIONS,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            OptionContext::Export => "export",
            OptionContext::Mount => "mount",
        }
    }

    /// The pairs of options that contradict each other in this context.
    pub fn conflicts(self) -> &'static [(&'static str, &'static str)] {
        match self {
            OptionContext::Export => EXPORT_CONFLICTS,
            OptionContext::Mount => MOUNT_CONFLICTS,
        }
    }
}

/// Reads a run of option values; an option with a value takes the next value.
pub fn read_options(
    values: &[Value],
    context: OptionContext,
    problems: &mut Vec<Problem>,
) -> Vec<Spanned<OptionSetting>> {
    let mut options = Vec::new();
    let mut rest = values.iter().peekable();
    while let Some(value) = rest.next() {
        if let Some(help) = owned_by_zplan(value, context) {
            problems.push(Problem::OptionOwnedByZplan { span: value.span.into(), option: value.text.clone(), help });
            if value.text == "fsid" || rest.clone().next().is_some_and(|next| next.kind == ValueKind::Path) {
                rest.next();
            }
            continue;
        }
        let Some(known) = context.known().iter().find(|known| known.keyword == value.text) else {
            problems.push(unknown_option(value, context));
            // A duration, a number or a path after an unknown mount option is its value.
            if context == OptionContext::Mount && rest.peek().is_some_and(|next| next.kind != ValueKind::Word) {
                rest.next();
            }
            continue;
        };
        let setting = match known.takes {
            Takes::Nothing => Ok(OptionSetting { name: known.written, value: None }),
            takes => option_value(known, takes, value, rest.next()),
        };
        match setting {
            Ok(setting) => options.push(Spanned::new(setting, value.span)),
            Err(problem) => problems.push(problem),
        }
    }
    options
}

/// Why zplan refuses an export option it writes itself, if `value` is one.
fn owned_by_zplan(value: &Value, context: OptionContext) -> Option<&'static str> {
    let owned = ZPLAN_OWNED.iter().find(|(name, _)| *name == value.text);
    owned.filter(|_| context == OptionContext::Export).map(|(_, help)| *help)
}

fn unknown_option(value: &Value, context: OptionContext) -> Problem {
    let help = match (context, value.text.as_str()) {
        (OptionContext::Export, "xprtsec") => Some(
            "nfs-utils 2.6.2 (Debian 12) does not know `xprtsec`, and exportfs refuses the whole line; use `sec krb5p` for encryption"
                .to_owned(),
        ),
        (OptionContext::Export, "squash_uids" | "squash_gids") => Some(
            "exportfs reads it, but the kernel's nfsd never applies it; squash every user with `all_squash anonuid N anongid N`"
                .to_owned(),
        ),
        (OptionContext::Mount, "device-timeout" | "x-systemd.device-timeout") => Some(
            "`x-systemd.device-timeout` bounds the wait for a block device, and an NFS mount has none: bound the mount itself with `mount-timeout 30s`".to_owned(),
        ),
        (OptionContext::Mount, text) if systemd_keyword(text).is_some() => {
            systemd_keyword(text).map(|keyword| format!("zplan writes `{text}` for `{keyword}`: write `{keyword}`"))
        }
        _ => did_you_mean(&value.text, context.known().iter().map(|known| known.keyword)),
    };
    Problem::UnknownOption { span: value.span.into(), context: context.describe(), option: value.text.clone(), help }
}

/// The keyword a policy writes for an `x-systemd.*` option spelled as in fstab.
fn systemd_keyword(text: &str) -> Option<&'static str> {
    MOUNT_OPTIONS.iter().find(|known| known.written == text && known.keyword != text).map(|known| known.keyword)
}

fn option_value(known: &Known, takes: Takes, option: &Value, value: Option<&Value>) -> Result<OptionSetting, Problem> {
    let (expected, example) = expectation(known.keyword, takes);
    let missing =
        || Problem::OptionValue { span: option.span.into(), option: known.keyword.to_owned(), expected, example };
    let value = value.ok_or_else(missing)?;
    let written = match takes {
        Takes::Nothing => unreachable!("options without a value are read by the caller"),
        Takes::Number(min, max, range) => values::number(value, "option value", min, max, range)?.value.to_string(),
        Takes::Deciseconds => deciseconds(option_duration(known, 10, value, example)?).to_string(),
        Takes::Seconds => option_duration(known, 1, value, example)?.seconds().to_string(),
        Takes::OneOf(words) if words.contains(&value.text.as_str()) => value.text.clone(),
        Takes::OneOf(_) => return Err(missing_at(value, known, expected, example)),
        Takes::Flavours => {
            flavours(value).map_err(|problem| problem.unwrap_or_else(|| missing_at(value, known, expected, example)))?
        }
        Takes::Locations => fs_locations(known, value)?,
        Takes::Minutes => whole_minutes(known, value, example)?.to_string(),
        Takes::UnitOrPath if value.kind == ValueKind::Path => values::path(value)?.value,
        Takes::UnitOrPath if is_unit_name(&value.text) => value.text.clone(),
        Takes::UnitOrPath => return Err(missing_at(value, known, expected, example)),
        Takes::Path => values::path(value)?.value,
        Takes::Address => values::address(value)?.value.to_string(),
    };
    Ok(OptionSetting { name: known.written, value: Some(written) })
}

/// The unit types a mount may be ordered against (systemd.unit(5)).
const UNIT_SUFFIXES: &[&str] =
    &["service", "socket", "target", "mount", "automount", "device", "path", "timer", "swap", "slice", "scope"];

/// Whether a word is a systemd unit name: a name of letters, digits and `:_.-@` (no
/// escapes, 255 characters at most) and a known unit type.
fn is_unit_name(text: &str) -> bool {
    let Some((stem, suffix)) = text.rsplit_once('.') else {
        return false;
    };
    let allowed = |c: char| c.is_ascii_alphanumeric() || ":_.-@".contains(c);
    text.len() <= 255 && !stem.is_empty() && stem.chars().all(allowed) && UNIT_SUFFIXES.contains(&suffix)
}

/// `retry`, which nfs(5) counts in minutes: a duration of whole minutes.
fn whole_minutes(known: &Known, value: &Value, example: &'static str) -> Result<u64, Problem> {
    if value.kind == ValueKind::Number {
        let minutes = &value.text;
        return Err(Problem::WrongKind {
            span: value.span.into(),
            expected: "a duration",
            found: value.text.clone(),
            help: format!("here a duration carries its unit; nfs(5) counts `retry` in minutes, so `retry={minutes}` is written `retry {minutes}m`"),
        });
    }
    let duration = values::duration(value, example)?.value;
    if duration.seconds() % 60 != 0 {
        return Err(Problem::OptionValue {
            span: value.span.into(),
            option: known.keyword.to_owned(),
            expected: "whole minutes",
            example,
        });
    }
    Ok(duration.seconds() / 60)
}

/// `sec krb5p:krb5i`: known flavours, each once; `Err(None)` for an unknown one.
fn flavours(value: &Value) -> Result<String, Option<Problem>> {
    let mut seen: Vec<&str> = Vec::new();
    for flavour in value.text.split(':') {
        if !SECURITY_FLAVOURS.contains(&flavour) {
            return Err(None);
        }
        if seen.contains(&flavour) {
            return Err(Some(Problem::RepeatedFlavour {
                span: value.span.into(),
                flavours: value.text.clone(),
                flavour: flavour.to_owned(),
            }));
        }
        seen.push(flavour);
    }
    Ok(value.text.clone())
}

/// `refer` and `replicas`: `PATH@HOST[+HOST]` locations separated by `:`, each path
/// absolute and each host an address or a host name, as nfs-utils' fsloc parser splits them.
fn fs_locations(known: &Known, value: &Value) -> Result<String, Problem> {
    let invalid = |reason: String| Problem::InvalidFsLocations {
        span: value.span.into(),
        option: known.keyword.to_owned(),
        locations: value.text.clone(),
        reason,
    };
    for location in value.text.split(':') {
        let Some((path, hosts)) = location.split_once('@') else {
            return Err(invalid(format!("`{location}` has no `@HOST`")));
        };
        if !path.starts_with('/') {
            return Err(invalid(format!("`{path}` is not an absolute path")));
        }
        for host in hosts.split('+') {
            if host.parse::<std::net::Ipv4Addr>().is_err() && values::host_name_problem(host).is_some() {
                return Err(invalid(format!("`{host}` is neither an IPv4 address nor a host name")));
            }
        }
    }
    Ok(value.text.clone())
}

/// The duration of an option that the tool itself counts in `per_second` parts of a
/// second: a bare number is refused with what it means there and how it is written here.
fn option_duration(known: &Known, per_second: u64, value: &Value, example: &str) -> Result<Duration, Problem> {
    if value.kind != ValueKind::Number {
        return values::duration(value, example).map(|duration| duration.value);
    }
    let source = if known.written.starts_with("x-systemd.") { "systemd.mount(5)" } else { "nfs(5)" };
    let unit = if per_second == 10 { "tenths of a second" } else { "seconds" };
    let written = known.written;
    let equivalent = match value.text.parse::<u64>().ok().filter(|n| *n > 0 && n % per_second == 0) {
        Some(n) => format!("so `{written}={n}` is written `{} {}`", known.keyword, Duration(n / per_second)),
        None => format!("so write whole seconds with their unit, such as `{example}`"),
    };
    Err(Problem::WrongKind {
        span: value.span.into(),
        expected: "a duration",
        found: value.text.clone(),
        help: format!("here a duration carries its unit; {source} counts `{written}` in {unit}, {equivalent}"),
    })
}

fn missing_at(value: &Value, known: &Known, expected: &'static str, example: &'static str) -> Problem {
    Problem::OptionValue { span: value.span.into(), option: known.keyword.to_owned(), expected, example }
}

fn deciseconds(duration: Duration) -> u64 {
    duration.seconds().saturating_mul(10)
}

fn expectation(keyword: &str, takes: Takes) -> (&'static str, &'static str) {
    match (keyword, takes) {
        ("timeo", _) => ("a duration", "timeo 10s"),
        ("actimeo", _) => ("a duration", "actimeo 30s"),
        ("mount-timeout", _) => ("a duration", "mount-timeout 30s"),
        ("retrans", _) => ("a number", "retrans 3"),
        ("vers", _) => ("one of 3, 4, 4.0, 4.1, 4.2", "vers 4.2"),
        ("proto", _) => ("one of tcp, udp, rdma", "proto tcp"),
        ("sec", Takes::Flavours) => ("flavours sys, krb5, krb5i or krb5p, separated by `:`", "sec krb5p:krb5i"),
        ("sec", _) => ("one of sys, krb5, krb5i, krb5p", "sec sys"),
        ("refer" | "replicas", _) => ("locations `PATH@HOST`", "refer /srv/data@nas2.lan"),
        ("retry", _) => ("a duration of whole minutes", "retry 2m"),
        ("after" | "before" | "requires", _) => ("a unit name or an absolute path", "after nss-lookup.target"),
        ("requires-mounts-for", _) => ("an absolute path", "requires-mounts-for /srv"),
        ("clientaddr", _) => ("an IP address", "clientaddr 192.168.1.20"),
        ("mountproto", _) => ("one of tcp, udp", "mountproto tcp"),
        ("mountvers", _) => ("one of 1, 2, 3", "mountvers 3"),
        ("lookupcache", _) => ("one of all, none, pos, positive", "lookupcache positive"),
        ("local_lock", _) => ("one of all, flock, posix, none", "local_lock flock"),
        ("acregmin" | "acregmax" | "acdirmin" | "acdirmax", _) => ("a duration", "acregmax 60s"),
        (_, Takes::Seconds | Takes::Deciseconds) => ("a duration", "idle-timeout 10m"),
        _ => ("a number", "anonuid 65534"),
    }
}

/// How a Linux option is written on FreeBSD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FreeBsdOption {
    /// An option such as `-ro` or `-maproot=root`.
    Written(String),
    /// What FreeBSD does anyway: nothing to write.
    Default,
    /// No per-export equivalent; the text says why.
    Unsupported(&'static str),
}

impl FreeBsdOption {
    /// The text to write, if there is any.
    pub fn written(self) -> Option<String> {
        match self {
            FreeBsdOption::Written(text) => Some(text),
            FreeBsdOption::Default | FreeBsdOption::Unsupported(_) => None,
        }
    }
}

/// The FreeBSD spelling of an export option, or why there is none.
pub fn freebsd_export(option: &OptionSetting) -> FreeBsdOption {
    let written = |flag: &str| FreeBsdOption::Written(flag.to_owned());
    match (option.name, option.value.as_deref()) {
        ("ro", _) => written("-ro"),
        ("no_root_squash", _) => written("-maproot=root"),
        ("all_squash", _) => written("-mapall=nobody"),
        ("sec", Some(flavour)) => FreeBsdOption::Written(format!("-sec={flavour}")),
        (
            "rw" | "sync" | "insecure" | "hide" | "nocrossmnt" | "no_subtree_check" | "root_squash" | "no_all_squash",
            _,
        ) => FreeBsdOption::Default,
        ("no_pnfs", _) => FreeBsdOption::Default,
        ("pnfs", _) => FreeBsdOption::Unsupported("FreeBSD turns pNFS on for the whole server (nfsd's `-p`)"),
        ("async", _) => FreeBsdOption::Unsupported("FreeBSD sets asynchronous writes for the whole server"),
        ("secure", _) => FreeBsdOption::Unsupported("FreeBSD sets reserved ports for the whole server"),
        ("nohide" | "crossmnt", _) => FreeBsdOption::Unsupported("FreeBSD exports each file system on its own"),
        ("anonuid" | "anongid", _) => FreeBsdOption::Unsupported("FreeBSD maps squashed users to `nobody`"),
        _ => FreeBsdOption::Unsupported("FreeBSD's exports(5) has no such option"),
    }
}

/// The FreeBSD spelling of an nfs(5) mount option in fstab(5) (mount_nfs(8)), or why there
/// is none.
pub fn freebsd_mount(option: &OptionSetting) -> FreeBsdOption {
    let same = || FreeBsdOption::Written(option.to_string());
    let written = |text: &str| FreeBsdOption::Written(text.to_owned());
    match (option.name, option.value.as_deref()) {
        ("soft" | "intr" | "ro" | "rw" | "noatime" | "nosuid" | "noexec" | "bg" | "noauto", _) => same(),
        ("retrans" | "rsize" | "wsize" | "port" | "sec", _) => same(),
        ("noac" | "nocto" | "rdirplus" | "resvport" | "noresvport", _) => same(),
        ("actimeo" | "acregmin" | "acregmax" | "acdirmin" | "acdirmax", _) => same(),
        ("hard" | "fg" | "auto" | "ac" | "cto" | "nordirplus" | "lock", _) => FreeBsdOption::Default,
        // mount_nfs(8) retries once a minute, and `retrycnt=0` means forever: one attempt at least.
        ("retry", Some(minutes)) => {
            FreeBsdOption::Written(format!("retrycnt={}", minutes.parse::<u64>().unwrap_or(0).max(1)))
        }
        ("timeo", Some(deciseconds)) => FreeBsdOption::Written(format!("timeout={deciseconds}")),
        ("vers", Some("3")) => written("nfsv3"),
        ("vers", Some("4" | "4.0")) => written("nfsv4"),
        ("vers", Some(minor @ ("4.1" | "4.2"))) => {
            FreeBsdOption::Written(format!("nfsv4,minorversion={}", &minor[2..]))
        }
        ("proto", Some(proto @ ("tcp" | "udp"))) => written(proto),
        ("nolock", _) => written("nolockd"),
        ("_netdev", _) => written("late"),
        ("nofail", _) => written("failok"),
        (name, _) if name.starts_with("x-systemd.") => FreeBsdOption::Unsupported(
            "FreeBSD mounts through fstab alone; automount with autofs(5) there, outside zplan",
        ),
        _ => FreeBsdOption::Unsupported("FreeBSD's mount_nfs(8) has no such option"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::Span;

    fn help_for(keyword: &str, text: &str) -> String {
        let value = |kind, text: &str| Value { kind, text: text.to_owned(), span: Span::default() };
        let values = [value(ValueKind::Word, keyword), value(ValueKind::Number, text)];
        let mut problems = Vec::new();
        read_options(&values, OptionContext::Mount, &mut problems);
        match problems.as_slice() {
            [Problem::WrongKind { help, .. }] => help.clone(),
            other => panic!("expected one E0301, got {other:?}"),
        }
    }

    fn export_problems(values: &[(ValueKind, &str)]) -> (Vec<Spanned<OptionSetting>>, Vec<Problem>) {
        let values: Vec<Value> = values
            .iter()
            .map(|(kind, text)| Value { kind: *kind, text: (*text).to_owned(), span: Span::default() })
            .collect();
        let mut problems = Vec::new();
        let options = read_options(&values, OptionContext::Export, &mut problems);
        (options, problems)
    }

    #[test]
    fn security_flavours_are_a_colon_list_each_named_once() {
        let (options, problems) = export_problems(&[(ValueKind::Word, "sec"), (ValueKind::Word, "krb5p:krb5i:sys")]);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(options[0].value.to_string(), "sec=krb5p:krb5i:sys");
        let (_, problems) = export_problems(&[(ValueKind::Word, "sec"), (ValueKind::Word, "krb5:krb5i:krb5")]);
        assert!(matches!(problems.as_slice(), [Problem::RepeatedFlavour { flavour, .. }] if flavour == "krb5"));
        let (_, problems) = export_problems(&[(ValueKind::Word, "sec"), (ValueKind::Word, "krb5:lkey")]);
        assert!(matches!(problems.as_slice(), [Problem::OptionValue { .. }]));
    }

    #[test]
    fn referrals_name_absolute_paths_on_addresses_or_host_names() {
        let (options, problems) =
            export_problems(&[(ValueKind::Word, "refer"), (ValueKind::Path, "/srv/a@nas2.lan+10.0.0.2:/srv/b@nas3")]);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(options[0].value.to_string(), "refer=/srv/a@nas2.lan+10.0.0.2:/srv/b@nas3");
        for bad in ["/srv/a", "srv@nas2.lan", "/srv/a@nas_2.lan", "/srv/a@nas2.lan+"] {
            let (_, problems) = export_problems(&[(ValueKind::Word, "replicas"), (ValueKind::Path, bad)]);
            assert!(matches!(problems.as_slice(), [Problem::InvalidFsLocations { .. }]), "{bad}: {problems:?}");
        }
    }

    #[test]
    fn options_zplan_writes_are_refused_with_their_value() {
        let (options, problems) = export_problems(&[
            (ValueKind::Word, "mp"),
            (ValueKind::Path, "/srv/data"),
            (ValueKind::Word, "fsid"),
            (ValueKind::Number, "7"),
            (ValueKind::Word, "mountpoint"),
            (ValueKind::Word, "rw"),
        ]);
        assert_eq!(options.len(), 1);
        assert_eq!(problems.iter().filter(|p| matches!(p, Problem::OptionOwnedByZplan { .. })).count(), 3);
    }

    fn read_mount(values: &[(ValueKind, &str)]) -> (Vec<String>, Vec<Problem>) {
        let values: Vec<Value> = values
            .iter()
            .map(|(kind, text)| Value { kind: *kind, text: (*text).to_owned(), span: Span::default() })
            .collect();
        let mut problems = Vec::new();
        let options = read_options(&values, OptionContext::Mount, &mut problems);
        (options.iter().map(|o| o.value.to_string()).collect(), problems)
    }

    #[test]
    fn retry_is_written_in_whole_minutes() {
        let (options, problems) = read_mount(&[(ValueKind::Word, "retry"), (ValueKind::Duration, "2h")]);
        assert_eq!((options, problems.len()), (vec!["retry=120".to_owned()], 0));
        let (options, problems) = read_mount(&[(ValueKind::Word, "retry"), (ValueKind::Duration, "90s")]);
        assert!(options.is_empty());
        assert!(matches!(problems.as_slice(), [Problem::OptionValue { expected: "whole minutes", .. }]));
    }

    #[test]
    fn systemd_dependencies_name_units_or_paths() {
        let (options, problems) = read_mount(&[
            (ValueKind::Word, "after"),
            (ValueKind::Word, "nss-lookup.target"),
            (ValueKind::Word, "requires"),
            (ValueKind::Path, "/srv"),
        ]);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(options, ["x-systemd.after=nss-lookup.target", "x-systemd.requires=/srv"]);
        for not_a_unit in ["nss-lookup", "nfs.client", ".service"] {
            let (options, problems) = read_mount(&[(ValueKind::Word, "before"), (ValueKind::Word, not_a_unit)]);
            assert!(options.is_empty() && problems.len() == 1, "{not_a_unit} was read as a unit");
        }
    }

    #[test]
    fn freebsd_retries_once_a_minute_and_never_forever() {
        let retry = |minutes: &str| freebsd_mount(&OptionSetting { name: "retry", value: Some(minutes.to_owned()) });
        assert_eq!(retry("5"), FreeBsdOption::Written("retrycnt=5".to_owned()));
        assert_eq!(retry("0"), FreeBsdOption::Written("retrycnt=1".to_owned()));
    }

    #[test]
    fn a_bare_number_is_read_in_the_unit_of_the_tool_that_counts_it() {
        assert!(help_for("timeo", "600").ends_with("so `timeo=600` is written `timeo 1m`"));
        assert!(help_for("timeo", "15").ends_with("so write whole seconds with their unit, such as `timeo 10s`"));
        assert!(help_for("idle-timeout", "30").contains("systemd.mount(5) counts `x-systemd.idle-timeout` in seconds"));
    }
}
