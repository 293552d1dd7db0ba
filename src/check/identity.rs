//! Rules on who replicates, and as whom: what each tool can do with a node's address.

use crate::diagnostic::Problem;
use crate::facts::identity::route;
use crate::model::{allows, Address, Engine, Mode, Pair, Policy, Roles, Transport, ROOT_USER};

/// zrepl's `tcp` transport knows its clients by source address: the keys of its `clients`
/// map are IP addresses or networks, parsed when the daemon loads its config (zrepl's
/// `newIPMapEntry` refuses anything else). A node that connects over `tcp` must therefore
/// have an IP address, not a host name.
pub fn tcp_clients_have_ip_addresses(policy: &Policy) -> Vec<Problem> {
    policy.pairs.iter().filter_map(|pair| tcp_client_named(policy, pair)).collect()
}

fn tcp_client_named(policy: &Policy, pair: &Pair) -> Option<Problem> {
    let transport = pair.transport.as_ref().filter(|t| matches!(t.value, Transport::Tcp { .. }))?;
    if pair.engine.value != Engine::Zrepl {
        return None;
    }
    let (client, server) = match pair.mode() {
        Mode::Push => (pair.nodes[0], pair.nodes[1]),
        Mode::Pull => (pair.nodes[1], pair.nodes[0]),
    };
    let client = &policy.nodes[client];
    let Address::Name(name) = &client.address.value else {
        return None;
    };
    Some(Problem::TcpClientHostName {
        span: client.address.span.into(),
        transport: transport.span.into(),
        node: client.name.value.clone(),
        name: name.clone(),
        server: policy.nodes[server].name.value.clone(),
        pair: pair.name.value.clone(),
    })
}

/// `user` and `ssh` say who syncoid runs as and how it logs in; zrepl's daemon runs as
/// root and takes its ssh settings from `transport ssh`, so a zrepl pair refuses both
/// rather than ignore them.
pub fn identity_is_for_syncoid(policy: &Policy) -> Vec<Problem> {
    let mut problems = Vec::new();
    for pair in policy.pairs.iter().filter(|pair| pair.engine.value == Engine::Zrepl) {
        let found = [("user", pair.user.as_ref().map(|user| user.span)), ("ssh", pair.ssh.span)];
        for (keyword, span) in found {
            if let Some(span) = span {
                problems.push(Problem::IdentityOnZrepl {
                    span: span.into(),
                    engine: pair.engine.span.into(),
                    pair: pair.name.value.clone(),
                    keyword,
                });
            }
        }
    }
    problems
}

/// A followed pair's standby serves its copy after a failover, and Linux lets only root
/// mount: a non-root account receives with `zfs receive -u`, so the copy the first
/// replication creates on a node stays unmounted until root mounts it, and an NFS server
/// that moves there serves nothing (its exports carry `mp=`). A static pair's runbook says
/// to mount the copies; a followed pair's failover is automatic, so zplan warns.
pub fn followed_copies_get_mounted(policy: &Policy) -> Vec<Problem> {
    let mut problems = Vec::new();
    for server in policy.nfs_servers.iter().filter(|server| !allows(&server.allowed, "W0617")) {
        let Some(pair) = server.pair().map(|pair| &policy.pairs[pair]) else { continue };
        if pair.engine.value != Engine::Syncoid || !matches!(pair.roles, Roles::FollowsGuest { .. }) {
            continue;
        }
        for node in pair.nodes.map(|index| &policy.nodes[index]) {
            let user = route(pair, node).user;
            if user == ROOT_USER {
                continue;
            }
            let span = [&pair.ssh.user, &node.ssh.user, &pair.user, &node.user]
                .into_iter()
                .find_map(|user| user.as_ref().map(|user| user.span))
                .unwrap_or(pair.name.span);
            problems.push(Problem::UnmountedStandbyCopy {
                span: span.into(),
                server_span: server.name.span.into(),
                server: server.name.value.clone(),
                pair: pair.name.value.clone(),
                node: node.name.value.clone(),
                user: user.to_owned(),
            });
        }
    }
    problems
}
