//! Rules on addresses: each names one host. Two nodes never share an address, and an NFS
//! server's service address is neither a node's own nor that of a server of another pair.

use crate::diagnostic::Problem;
use crate::model::{Address, NfsServer, Node, Policy, ServerOn};
use crate::syntax::Span;
use std::collections::HashMap;

/// Who holds an address first.
enum Holder<'p> {
    Node(&'p Node),
    Server(&'p NfsServer),
}

impl Holder<'_> {
    fn span(&self) -> Span {
        match self {
            Holder::Node(node) => node.address.span,
            Holder::Server(server) => server.address.span,
        }
    }

    fn describe(&self) -> String {
        match self {
            Holder::Node(node) => format!("node `{}`", node.name.value),
            Holder::Server(server) => format!("nfs server `{}`", server.name.value),
        }
    }
}

/// Every node and every NFS server of a pair has an address of its own; servers of one pair
/// run on the same node and may share theirs.
pub fn addresses_name_one_host(policy: &Policy) -> Vec<Problem> {
    let mut holders: HashMap<Address, Holder<'_>> = HashMap::new();
    let mut problems = Vec::new();
    for node in &policy.nodes {
        match holders.get(&node.address.value.identity()) {
            Some(Holder::Node(first)) => problems.push(shared_node_address(first, node)),
            _ => {
                holders.insert(node.address.value.identity(), Holder::Node(node));
            }
        }
    }
    for server in &policy.nfs_servers {
        let key = server.address.value.identity();
        match holders.get(&key) {
            Some(Holder::Server(first)) if first.on == server.on => {}
            Some(Holder::Node(node)) if server.on == ServerOn::Node(node_index(policy, node)) => {}
            Some(holder) => problems.push(service_address_taken(server, holder)),
            None => {
                holders.insert(key, Holder::Server(server));
            }
        }
    }
    problems
}

/// Where a node sits in the policy's list of nodes.
fn node_index(policy: &Policy, node: &Node) -> usize {
    policy.nodes.iter().position(|n| std::ptr::eq(n, node)).unwrap_or(usize::MAX)
}

fn shared_node_address(first: &Node, second: &Node) -> Problem {
    Problem::SharedNodeAddress {
        second: second.address.span.into(),
        first: first.address.span.into(),
        first_node: first.name.value.clone(),
        second_node: second.name.value.clone(),
        address: second.address.value.to_string(),
    }
}

fn service_address_taken(server: &NfsServer, holder: &Holder<'_>) -> Problem {
    let help = match holder {
        Holder::Node(_) => "clients mount this address, so it must move with the pair's active node: give the server an address of its own (a floating address, or its container's), or clients keep mounting the node after a failover",
        Holder::Server(_) => "servers of different pairs may be active on different nodes: give each server an address of its own",
    };
    Problem::ServiceAddressTaken {
        span: server.address.span.into(),
        taken: holder.span().into(),
        server: server.name.value.clone(),
        address: server.address.value.to_string(),
        holder: holder.describe(),
        help,
    }
}
