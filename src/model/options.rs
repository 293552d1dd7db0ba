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
    Known { keyword: "automount", written: "x-systemd.automount", takes: Takes::Nothing },
    valued("timeo", Takes::Deciseconds),
    valued("retrans", Takes::Number(0, 1000, "0 to 1000")),
    valued("vers", Takes::OneOf(&["3", "4", "4.0", "4.1", "4.2"])),
    valued("proto", Takes::OneOf(&["tcp", "udp", "rdma"])),
    valued("port", Takes::Number(0, 65535, "0 to 65535")),
    valued("rsize", Takes::Number(1024, 1_048_576, "1024 to 1048576")),
    valued("wsize", Takes::Number(1024, 1_048_576, "1024 to 1048576")),
    valued("nconnect", Takes::Number(1, 16, "1 to 16")),
    valued("actimeo", Takes::Seconds),
    valued("sec", Takes::OneOf(SECURITY_FLAVOURS)),
    Known { keyword: "idle-timeout", written: "x-systemd.idle-timeout", takes: Takes::Seconds },
    Known { keyword: "mount-timeout", written: "x-systemd.mount-timeout", takes: Takes::Seconds },
];

/// Pairs of mount options of which only one may be given.
pub const MOUNT_CONFLICTS: &[(&str, &str)] = &[
    ("hard", "soft"),
    ("hard", "softerr"),
    ("soft", "softerr"),
    ("intr", "nointr"),
    ("ro", "rw"),
    ("ac", "noac"),
    ("lock", "nolock"),
    ("cto", "nocto"),
    ("bg", "fg"),
];

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
    let mut rest = values.iter();
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
        _ => did_you_mean(&value.text, context.known().iter().map(|known| known.keyword)),
    };
    Problem::UnknownOption { span: value.span.into(), context: context.describe(), option: value.text.clone(), help }
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
    };
    Ok(OptionSetting { name: known.written, value: Some(written) })
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
        ("soft" | "intr" | "ro" | "rw" | "noatime" | "nosuid" | "noexec" | "bg", _) => same(),
        ("retrans" | "rsize" | "wsize" | "port" | "sec", _) => same(),
        ("hard" | "fg", _) => FreeBsdOption::Default,
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

    #[test]
    fn a_bare_number_is_read_in_the_unit_of_the_tool_that_counts_it() {
        assert!(help_for("timeo", "600").ends_with("so `timeo=600` is written `timeo 1m`"));
        assert!(help_for("timeo", "15").ends_with("so write whole seconds with their unit, such as `timeo 10s`"));
        assert!(help_for("idle-timeout", "30").contains("systemd.mount(5) counts `x-systemd.idle-timeout` in seconds"));
    }
}
