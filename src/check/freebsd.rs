//! Rules on FreeBSD hosts: no output that only Linux can use reaches one.

use crate::diagnostic::Problem;
use crate::model::{
    freebsd_export, freebsd_mount, ClientSpec, Engine, FreeBsdOption, NfsServer, Node, Os, Policy, Roles, Spanned,
};
use crate::syntax::Span;

/// A FreeBSD node or client is asked only for what FreeBSD has.
pub fn freebsd_hosts_get_freebsd_output(policy: &Policy) -> Vec<Problem> {
    let mut problems = pair_problems(policy);
    for server in &policy.nfs_servers {
        problems.extend(export_problems(policy, server));
    }
    problems.extend(client_problems(policy));
    problems
}

/// A host, node or client, by its name and the `os` it declares.
type Host<'p> = (&'p Spanned<String>, &'p Spanned<Os>);

fn linux_only((name, os): Host<'_>, span: Span, feature: impl Into<String>, help: &'static str) -> Problem {
    Problem::LinuxOnly {
        span: span.into(),
        os: os.span.into(),
        host: name.value.clone(),
        feature: feature.into(),
        help,
    }
}

/// The FreeBSD nodes among `nodes`; a problem of a pair is reported for the first one.
fn freebsd_nodes<'p>(policy: &'p Policy, nodes: &[usize]) -> impl Iterator<Item = Host<'p>> + 'p {
    let nodes = nodes.to_vec();
    nodes.into_iter().map(|n| &policy.nodes[n]).filter(|node| node.os.value == Os::FreeBsd).map(host)
}

fn host(node: &Node) -> Host<'_> {
    (&node.name, &node.os)
}

fn pair_problems(policy: &Policy) -> Vec<Problem> {
    let mut problems = Vec::new();
    for pair in &policy.pairs {
        if let Some(node) = freebsd_nodes(policy, &pair.nodes).next() {
            if let Roles::FollowsGuest { guest } = &pair.roles {
                let help = "Proxmox runs on Linux; name the pair's ends with `source` and `target`";
                problems.push(linux_only(node, guest.span, "a role that follows a Proxmox guest", help));
            }
            if pair.engine.value == Engine::Syncoid {
                let help = "zplan runs sanoid and syncoid from systemd timers; use `engine zrepl` on FreeBSD";
                problems.push(linux_only(node, pair.engine.span, "sanoid and syncoid under systemd", help));
            }
        }
    }
    problems
}

/// An export served by a FreeBSD node uses only what FreeBSD's exports(5) can say.
fn export_problems(policy: &Policy, server: &NfsServer) -> Vec<Problem> {
    let mut problems = Vec::new();
    if let Some(node) = freebsd_nodes(policy, &policy.serving_nodes(server)).next() {
        for time in server.grace.iter().chain(&server.lease) {
            let help = "FreeBSD's nfsd keeps its own grace period and lease; remove `grace` and `lease`";
            problems.push(linux_only(node, time.span, "nfsd's grace and lease in nfs.conf", help));
        }
        for export in &server.exports {
            if let Some(fsid) = &export.fsid {
                let help = "FreeBSD's exports(5) has no fsid; remove it (clients remount after a failover)";
                problems.push(linux_only(node, fsid.span, "an explicit `fsid`", help));
            }
            for client in export.clients.iter().filter(|client| matches!(client.who.value, ClientSpec::Wildcard(_))) {
                let help = "FreeBSD's mountd matches host names, netgroups and networks, with no wildcards: list the hosts, name a netgroup, or give their network";
                problems.push(linux_only(node, client.who.span, "a host name pattern as an export's client", help));
            }
            for option in export.clients.iter().flat_map(|client| &client.options) {
                if let FreeBsdOption::Unsupported(why) = freebsd_export(&option.value) {
                    let feature = format!("the export option `{}`", option.value.name);
                    problems.push(linux_only(node, option.span, feature, why));
                }
            }
        }
    }
    problems
}

/// A FreeBSD client mounts through fstab with mount_nfs(8)'s options, without systemd.
fn client_problems(policy: &Policy) -> Vec<Problem> {
    let mut problems = Vec::new();
    for client in policy.clients.iter().filter(|c| c.os.value == Os::FreeBsd) {
        for option in client.mounts.iter().flat_map(|mount| &mount.options) {
            if let FreeBsdOption::Unsupported(why) = freebsd_mount(&option.value) {
                let feature = format!("the mount option `{}`", option.value.name);
                problems.push(linux_only((&client.name, &client.os), option.span, feature, why));
            }
        }
    }
    problems
}
