//! Rules on client mounts: a soft mount must keep retrying for longer than its server's
//! failover (unless the client acknowledges it with a reason), a network mount should say
//! `_netdev`, and options must fit the NFS version, each other and systemd.

use crate::diagnostic::Problem;
use crate::facts::schedule::failover_budget;
use crate::model::{
    allows, Client, Duration, Mount, NfsServer, OptionSetting, Policy, Spanned, NFS3_ONLY_MOUNT_OPTIONS,
    NFS4_ONLY_MOUNT_OPTIONS, SOFT_MOUNT_CODE,
};

/// The most a single NFS retry waits over TCP (nfs(5): linear back-off up to 600 s).
const TCP_RETRY_CAP: u64 = 6_000;

/// The most a single NFS retry waits over UDP (exponential back-off up to 60 s).
const UDP_RETRY_CAP: u64 = 600;

/// How long a soft mount retries before it fails a request, with the terms of the sum.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RetryBudget {
    deciseconds: u64,
    terms: Vec<u64>,
    transport: &'static str,
}

impl RetryBudget {
    /// nfs(5): a request waits `timeo`, then over TCP `timeo` longer after each retry (capped at
    /// 600 s), over UDP twice as long (capped at 60 s); after `retrans` retries a soft mount fails it.
    fn of(mount: &Mount) -> RetryBudget {
        let udp = option(mount, "proto") == Some("udp");
        let timeo: u64 = option(mount, "timeo").and_then(|t| t.parse().ok()).unwrap_or(if udp { 11 } else { 600 });
        let retrans: u64 = option(mount, "retrans").and_then(|r| r.parse().ok()).unwrap_or(if udp { 3 } else { 2 });
        let terms: Vec<u64> = (1..=retrans + 1)
            .map(|attempt| {
                if udp {
                    timeo.saturating_mul(1 << (attempt - 1).min(20)).min(UDP_RETRY_CAP)
                } else {
                    timeo.saturating_mul(attempt).min(TCP_RETRY_CAP)
                }
            })
            .collect();
        RetryBudget { deciseconds: terms.iter().sum(), terms, transport: if udp { "UDP" } else { "TCP" } }
    }

    fn duration(&self) -> Duration {
        Duration(self.deciseconds / 10)
    }

    fn arithmetic(&self) -> String {
        let terms: Vec<String> = self.terms.iter().map(|t| Duration(t / 10).to_string()).collect();
        format!("{} = {}", terms.join(" + "), self.duration())
    }
}

fn option<'m>(mount: &'m Mount, name: &str) -> Option<&'m str> {
    mount.options.iter().find(|o| o.value.name == name).and_then(|o| o.value.value.as_deref())
}

/// A `soft` or `softerr` mount keeps retrying through its own server's failover: the
/// declared one, or the fixed parts of it when they are longer; a client that states why it
/// wants an I/O error instead (`allow E0506 because …`) is taken at its word.
pub fn soft_mounts_outlast_failover(policy: &Policy) -> Vec<Problem> {
    let clients = policy.clients.iter().filter(|client| !allows(&client.allowed, SOFT_MOUNT_CODE));
    let mounts = clients.flat_map(|client| &client.mounts);
    mounts.filter_map(|mount| soft_mount_problem(policy, mount, &policy.nfs_servers[mount.server])).collect()
}

fn soft_mount_problem(policy: &Policy, mount: &Mount, server: &NfsServer) -> Option<Problem> {
    let soft = mount.options.iter().find(|o| matches!(o.value.name, "soft" | "softerr"))?;
    let declared = server.failover.as_ref()?;
    let budget = RetryBudget::of(mount);
    let (failover, why) = honest_failover(policy, server, declared.value);
    if budget.duration() > failover {
        return None;
    }
    Some(Problem::SoftMountGivesUp {
        soft: soft.span.into(),
        failover_span: declared.span.into(),
        budget: budget.duration().to_string(),
        failover: failover.to_string(),
        declared: declared.value.to_string(),
        server: server.name.value.clone(),
        help: format!(
            "over {} its retries wait {}; write `hard` so that I/O waits for the server, or raise `timeo` and `retrans` until the sum exceeds {failover}{why}; if an I/O error is what the client wants, write `allow E0506 because REASON` in it",
            budget.transport,
            budget.arithmetic(),
        ),
    })
}

/// How long a failover of `server` takes: the `declared` one, unless the parts zplan and
/// nfsd fix add up to more, which they then explain.
fn honest_failover(policy: &Policy, server: &NfsServer, declared: Duration) -> (Duration, String) {
    match failover_budget(policy, server) {
        Some(budget) if budget.total() > declared => {
            (budget.total(), format!(", the fixed parts of its failover: {}", budget.arithmetic()))
        }
        _ => (declared, String::new()),
    }
}

/// Every mount says `_netdev`, unless the client allows W0602.
pub fn mounts_say_netdev(policy: &Policy) -> Vec<Problem> {
    policy.clients.iter().filter(|client| !allows(&client.allowed, "W0602")).flat_map(mounts_without_netdev).collect()
}

fn mounts_without_netdev(client: &Client) -> Vec<Problem> {
    client
        .mounts
        .iter()
        .filter(|mount| !mount.options.iter().any(|o| o.value.name == "_netdev"))
        .map(|mount| Problem::NoNetdev { span: mount.at.span.into() })
        .collect()
}

/// The NFS version a mount asks for, and where, when it names one.
fn declared_version(mount: &Mount) -> Option<&Spanned<OptionSetting>> {
    mount.options.iter().find(|o| o.value.name == "vers")
}

/// Options of NFSv2/v3 only on an NFSv4 mount, and of NFSv4 only on an NFSv3 mount, would be
/// ignored by the kernel (nfs(5)); NFSv4 also needs a transport with congestion control.
pub fn options_fit_the_version(policy: &Policy) -> Vec<Problem> {
    let mounts = policy.clients.iter().flat_map(|client| &client.mounts);
    mounts.flat_map(version_problems).collect()
}

fn version_problems(mount: &Mount) -> Vec<Problem> {
    let Some(vers) = declared_version(mount) else {
        return Vec::new();
    };
    let version = vers.value.value.clone().unwrap_or_default();
    let v4 = version.starts_with('4');
    let misfit = |option: &&Spanned<OptionSetting>| {
        let name = option.value.name;
        let udp = name == "proto" && option.value.value.as_deref() == Some("udp");
        if v4 && (NFS3_ONLY_MOUNT_OPTIONS.contains(&name) || udp) {
            Some(("NFSv2 and NFSv3", udp))
        } else if !v4 && NFS4_ONLY_MOUNT_OPTIONS.contains(&name) {
            Some(("NFSv4", false))
        } else {
            None
        }
    };
    mount
        .options
        .iter()
        .filter_map(|option| misfit(&option).map(|(wanted, udp)| (option, wanted, udp)))
        .map(|(option, wanted, udp)| Problem::OptionForOtherVersion {
            option_span: option.span.into(),
            vers_span: vers.span.into(),
            option: option.value.to_string(),
            wanted,
            vers: version.clone(),
            help: version_help(&option.value, v4, udp),
        })
        .collect()
}

fn version_help(option: &OptionSetting, v4: bool, udp: bool) -> String {
    match (v4, udp) {
        (true, true) => "NFSv4 needs a transport with congestion control: write `proto tcp`, or mount with `vers 3` to use UDP".to_owned(),
        (true, false) => format!(
            "an NFSv4 mount ignores `{option}`, which nfs(5) lists for NFSv2 and NFSv3 only: remove it, or mount with `vers 3`"
        ),
        (false, _) => format!(
            "an NFSv3 mount ignores `{option}`, which nfs(5) lists for NFSv4 only: remove it, or mount with `vers 4.0` or later"
        ),
    }
}

/// Each attribute cache minimum is no longer than its maximum.
pub fn attribute_cache_bounds_ordered(policy: &Policy) -> Vec<Problem> {
    let mounts = policy.clients.iter().flat_map(|client| &client.mounts);
    let bounds = [("acregmin", "acregmax"), ("acdirmin", "acdirmax")];
    mounts.flat_map(|mount| bounds.iter().filter_map(move |(min, max)| inverted_bounds(mount, min, max))).collect()
}

fn inverted_bounds(mount: &Mount, min_name: &'static str, max_name: &'static str) -> Option<Problem> {
    let seconds = |name: &str| {
        let option = mount.options.iter().find(|o| o.value.name == name)?;
        let seconds: u64 = option.value.value.as_deref()?.parse().ok()?;
        Some((option.span, Duration(seconds)))
    };
    let ((min_span, min), (max_span, max)) = (seconds(min_name)?, seconds(max_name)?);
    (min > max).then(|| Problem::AttributeCacheInverted {
        min_span: min_span.into(),
        max_span: max_span.into(),
        min_name,
        max_name,
        min: min.to_string(),
        max: max.to_string(),
    })
}

/// `idle-timeout` configures the automount unit, so a mount without `automount` has none.
pub fn idle_timeout_needs_automount(policy: &Policy) -> Vec<Problem> {
    let mounts = policy.clients.iter().flat_map(|client| &client.mounts).filter(|mount| !mount.automount);
    mounts
        .flat_map(|mount| mount.options.iter().filter(|o| o.value.name == "x-systemd.idle-timeout"))
        .map(|option| Problem::IdleTimeoutWithoutAutomount { span: option.span.into() })
        .collect()
}

/// systemd's default `TimeoutSec=` of a mount unit (`DefaultTimeoutStartSec=`).
const SYSTEMD_MOUNT_TIMEOUT: Duration = Duration(90);

/// A foreground mount whose `retry` outlasts the mount unit's timeout: systemd kills mount.nfs
/// before its retries end, so the longer `retry` promises nothing (`bg` mounts return at once).
pub fn retry_fits_mount_timeout(policy: &Policy) -> Vec<Problem> {
    let clients = policy.clients.iter().filter(|client| client.os.value == crate::model::Os::Linux);
    let mounts = clients.flat_map(|client| &client.mounts);
    mounts.filter_map(retry_problem).collect()
}

fn retry_problem(mount: &Mount) -> Option<Problem> {
    if mount.options.iter().any(|o| o.value.name == "bg") {
        return None;
    }
    let retry = mount.options.iter().find(|o| o.value.name == "retry")?;
    let minutes: u64 = retry.value.value.as_deref()?.parse().ok()?;
    let retry_time = Duration(minutes.saturating_mul(60));
    let declared: Option<u64> = option(mount, "x-systemd.mount-timeout").and_then(|t| t.parse().ok());
    let timeout = declared.map_or(SYSTEMD_MOUNT_TIMEOUT, Duration);
    let source = if declared.is_some() { "its `mount-timeout`" } else { "systemd's default mount timeout" };
    (retry_time > timeout).then(|| Problem::RetryOutlastsMountTimeout {
        span: retry.span.into(),
        retry: retry_time.to_string(),
        timeout: timeout.to_string(),
        help: format!(
            "{source} ends the mount after {timeout}, {} before mount.nfs would stop retrying: write `mount-timeout {retry_time}` (or longer), a `retry` within {timeout}, or `bg` to retry in the background",
            Duration(retry_time.seconds() - timeout.seconds())
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{OptionSetting, Spanned};
    use crate::syntax::Span;

    fn mount(options: &[(&'static str, Option<&str>)]) -> Mount {
        let options = options
            .iter()
            .map(|(name, value)| Spanned::new(OptionSetting { name, value: value.map(str::to_owned) }, Span::default()))
            .collect();
        Mount { server: 0, export: 0, at: Spanned::new("/mnt".to_owned(), Span::default()), options, automount: false }
    }

    #[test]
    fn tcp_backs_off_linearly_and_udp_exponentially() {
        let tcp = RetryBudget::of(&mount(&[("soft", None), ("timeo", Some("100")), ("retrans", Some("3"))]));
        assert_eq!(tcp.arithmetic(), "10s + 20s + 30s + 40s = 1m40s");
        let udp = RetryBudget::of(&mount(&[("soft", None), ("proto", Some("udp")), ("timeo", Some("100"))]));
        assert_eq!(udp.arithmetic(), "10s + 20s + 40s + 1m = 2m10s");
        let default = RetryBudget::of(&mount(&[("soft", None)]));
        assert_eq!(default.arithmetic(), "1m + 2m + 3m = 6m");
    }
}
