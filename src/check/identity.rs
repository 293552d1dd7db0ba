//! Rules on who replicates, and as whom: what each tool can do with a node's address.

use crate::diagnostic::Problem;
use crate::model::{Address, Engine, Mode, Pair, Policy, Transport};

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
