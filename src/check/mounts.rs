//! Rules on client mounts of HA exports: a soft mount must keep retrying for longer than the
//! server's failover, and a network mount should say `_netdev`.

use super::nfs::failover_budget;
use crate::diagnostic::Problem;
use crate::model::{allows, Client, Duration, Mount, NfsServer, Policy};

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

/// A `soft` or `softerr` mount of an HA export keeps retrying through the server's failover:
/// the declared one, or the fixed parts of it when they are longer.
pub fn soft_mounts_outlast_failover(policy: &Policy) -> Vec<Problem> {
    let mounts = policy.clients.iter().flat_map(|client| &client.mounts);
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
            "over {} its retries wait {}; write `hard` so that I/O waits for the server, or raise `timeo` and `retrans` until the sum exceeds {failover}{why}",
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
        Mount {
            server: 0,
            export: 0,
            path: "/data".to_owned(),
            at: Spanned::new("/mnt".to_owned(), Span::default()),
            options,
            automount: false,
        }
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
