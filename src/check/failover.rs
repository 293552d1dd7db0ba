//! Rules on how a followed NFS server's address moves: only a role decided at run time
//! moves it, keepalived holds IP literals under router ids no other instance on the
//! interface uses, and a guest's output directory is its own.

use std::collections::HashMap;

use crate::diagnostic::Problem;
use crate::facts::naming::vrrp_router_id;
use crate::model::{Address, NfsServer, Policy, Roles};
use crate::syntax::Span;

/// `address-moves` belongs to a server whose pair decides its role at run time (a node's
/// server with one is E0530's).
pub fn address_moves_follow_roles(policy: &Policy) -> Vec<Problem> {
    policy
        .nfs_servers
        .iter()
        .filter_map(|server| {
            let moves = server.address_moves.as_ref()?;
            let pair = &policy.pairs[server.pair()?];
            (pair.roles == Roles::Static).then(|| Problem::AddressMoveNotFollowed {
                span: moves.span.into(),
                pair_span: pair.name.span.into(),
                server: server.name.value.clone(),
                pair: pair.name.value.clone(),
            })
        })
        .collect()
}

/// keepalived's `virtual_ipaddress` takes an IP literal, not a name.
pub fn keepalived_holds_ip_literals(policy: &Policy) -> Vec<Problem> {
    policy
        .nfs_servers
        .iter()
        .filter(|server| server.keepalived().is_some())
        .filter_map(|server| match &server.address.value {
            Address::Name(name) => Some(Problem::KeepalivedNeedsIp {
                span: server.address.span.into(),
                moves: server.address_moves.as_ref().map_or(server.name.span, |m| m.span).into(),
                server: server.name.value.clone(),
                address: name.clone(),
            }),
            Address::Ip(_) => None,
        })
        .collect()
}

/// Two VRRP instances on one interface never share a router id: their adverts would
/// mix, and each would take the other's address for its own. Interfaces are compared by
/// name across the whole policy, since zplan cannot know which of them share a network.
pub fn router_ids_unique(policy: &Policy) -> Vec<Problem> {
    let mut first_of: HashMap<(&str, u8), &NfsServer> = HashMap::new();
    let mut problems = Vec::new();
    for server in &policy.nfs_servers {
        let Some((interface, declared)) = server.keepalived() else { continue };
        let id = declared.map_or_else(|| vrrp_router_id(&server.name.value), |id| id.value);
        match first_of.get(&(interface.value.as_str(), id)) {
            Some(first) => problems.push(router_id_clash(policy, first, server, id)),
            None => {
                first_of.insert((interface.value.as_str(), id), server);
            }
        }
    }
    problems
}

fn router_id_clash(policy: &Policy, first: &NfsServer, second: &NfsServer, id: u8) -> Problem {
    let span = |server: &NfsServer| server.keepalived().and_then(|(_, id)| id.map(|id| id.span));
    let statement = |server: &NfsServer| server.address_moves.as_ref().map_or(server.name.span, |m| m.span);
    let interface = second.keepalived().map(|(interface, _)| interface.value.clone()).unwrap_or_default();
    let free = free_router_id(policy, &interface);
    Problem::RouterIdClash {
        second: span(second).unwrap_or_else(|| statement(second)).into(),
        first: span(first).unwrap_or_else(|| statement(first)).into(),
        first_server: first.name.value.clone(),
        second_server: second.name.value.clone(),
        router_id: id,
        interface: interface.clone(),
        help: format!(
            "add `router-id {free}` (or another number from 1 to 255 no instance on `{interface}` uses) to the `address-moves` of `{}`",
            second.name.value
        ),
    }
}

/// The smallest router id no server on `interface` uses, derived or declared.
fn free_router_id(policy: &Policy, interface: &str) -> u8 {
    let used: Vec<u8> = policy
        .nfs_servers
        .iter()
        .filter_map(|server| {
            let (on, declared) = server.keepalived()?;
            (on.value == interface).then(|| declared.map_or_else(|| vrrp_router_id(&server.name.value), |id| id.value))
        })
        .collect();
    (1..=u8::MAX).find(|id| !used.contains(id)).unwrap_or(u8::MAX)
}

/// A guest's output directory is named after it, so no node, client or other guest has
/// its name; and a pair follows one container, so one server of a pair runs in it.
pub fn guest_names_are_free(policy: &Policy) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut guests: Vec<&NfsServer> = Vec::new();
    for server in &policy.nfs_servers {
        let Some(guest) = server.guest_host() else { continue };
        match holder_of(policy, &guests, server, &guest.value) {
            Some((taken, holder, help)) => problems.push(Problem::GuestNameTaken {
                span: guest.span.into(),
                taken: taken.into(),
                name: guest.value.clone(),
                server: server.name.value.clone(),
                holder,
                help,
            }),
            None => guests.push(server),
        }
    }
    problems
}

/// What already has the guest's name or container: a node, a client, or the guest of an
/// earlier server with that name or on the same pair.
fn holder_of(
    policy: &Policy,
    guests: &[&NfsServer],
    server: &NfsServer,
    name: &str,
) -> Option<(Span, String, &'static str)> {
    if let Some(node) = policy.nodes.iter().find(|node| node.name.value == name) {
        return Some((node.name.span, format!("node `{name}` has that name"), RENAME_GUEST));
    }
    if let Some(client) = policy.clients.iter().find(|client| client.name.value == name) {
        return Some((client.name.span, format!("client `{name}` has that name"), RENAME_GUEST));
    }
    let first = guests
        .iter()
        .find(|first| first.on == server.on || first.guest_host().is_some_and(|other| other.value == name))?;
    let span = first.guest_host().map_or(first.name.span, |guest| guest.span);
    let pair = &policy.pairs[server.pair()?];
    let holder = match &pair.roles {
        Roles::FollowsGuest { guest } if first.on == server.on => format!(
            "nfs server `{}` runs in container {}, the one pair `{}` follows",
            first.name.value, guest.value, pair.name.value
        ),
        _ => return Some((span, format!("nfs server `{}` runs in that guest", first.name.value), RENAME_GUEST)),
    };
    Some((span, holder, ONE_SERVER_PER_CONTAINER))
}

const RENAME_GUEST: &str =
    "the guest's files go to an output directory named after it: give it a name no node, client or other guest has";

const ONE_SERVER_PER_CONTAINER: &str =
    "one container runs one nfsd: move the exports into one `nfs` block, or serve the other from the nodes";
