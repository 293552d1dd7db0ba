//! `zplan graph`: the topology of a policy as a picture — storage nodes, the pairs that
//! replicate between them (arrow in the replication direction; both directions, dashed,
//! for a pair whose active node is decided at run time), the NFS servers and their clients.
//! A node's label lists the datasets it snapshots by its own policy.
//! The same graph is written as Graphviz DOT or as a Mermaid flowchart.

mod dot;
mod mermaid;

use crate::facts::identity::{local_account, route};
use crate::facts::{Held, Holdings};
use crate::model::{Depth, Engine, Export, NfsServer, NodeSnapshot, Pair, Policy, Roles, ServerOn, ROOT_USER};

/// The text formats a graph is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphFormat {
    Dot,
    Mermaid,
}

/// The graph of a policy that passed its checks, sorted by name so that the order of
/// blocks in the policy does not change a byte.
pub fn graph(policy: &Policy, format: GraphFormat) -> String {
    let graph = Graph::of(policy);
    match format {
        GraphFormat::Dot => dot::render(&graph),
        GraphFormat::Mermaid => mermaid::render(&graph),
    }
}

/// What a vertex stands for, which decides its shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Storage,
    NfsServer,
    Client,
}

/// A vertex: a stable id (kind and name), its shape and the lines of its label.
#[derive(Debug)]
struct Vertex {
    id: String,
    kind: Kind,
    label: Vec<String>,
}

/// How an edge is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Line {
    /// Replication in one fixed direction.
    Solid,
    /// Replication whose direction follows the active node.
    DashedBothWays,
    /// A server that runs on a node while it is active: no direction.
    Dotted,
    /// Data served to a client.
    Served,
}

#[derive(Debug)]
struct Edge {
    from: String,
    to: String,
    line: Line,
    label: Vec<String>,
}

#[derive(Debug, Default)]
struct Graph {
    vertices: Vec<Vertex>,
    edges: Vec<Edge>,
}

fn id(kind: Kind, name: &str) -> String {
    let prefix = match kind {
        Kind::Storage => "node",
        Kind::NfsServer => "nfs",
        Kind::Client => "client",
    };
    format!("{prefix}_{}", name.replace('-', "_"))
}

/// What a node's server serves there: its own data, copies read-only, or both.
fn node_serves(holdings: &Holdings, node: usize, server: &NfsServer) -> &'static str {
    let copy = |export: &Export| matches!(holdings.held(node, &export.dataset.value), Held::Copy { .. });
    match (server.exports.iter().any(|e| !copy(e)), server.exports.iter().any(copy)) {
        (false, true) => "serves copies read-only",
        (true, true) => "serves; copies read-only",
        _ => "serves",
    }
}

impl Graph {
    fn of(policy: &Policy) -> Graph {
        let mut graph = Graph::default();
        graph.add_nodes(policy);
        graph.add_pairs(policy);
        graph.add_servers(policy);
        graph.add_clients(policy);
        graph.vertices.sort_by(|a, b| (a.kind as u8, &a.id).cmp(&(b.kind as u8, &b.id)));
        graph
            .edges
            .sort_by(|a, b| (&a.from, &a.to, a.line as u8, &a.label).cmp(&(&b.from, &b.to, b.line as u8, &b.label)));
        graph
    }

    fn add_nodes(&mut self, policy: &Policy) {
        for (index, node) in policy.nodes.iter().enumerate() {
            let mut label = vec![node.name.value.clone(), node.address.value.to_string()];
            label.extend(policy.node_snapshots.iter().filter(|s| s.node == index).map(|s| snapshot_line(policy, s)));
            self.vertices.push(Vertex { id: id(Kind::Storage, &node.name.value), kind: Kind::Storage, label });
        }
    }

    fn add_pairs(&mut self, policy: &Policy) {
        for pair in &policy.pairs {
            let [from, to] = pair.nodes.map(|index| id(Kind::Storage, &policy.nodes[index].name.value));
            let (line, title) = match &pair.roles {
                Roles::Static => (Line::Solid, format!("{} {}", pair.kind.keyword(), pair.name.value)),
                Roles::FollowsGuest { guest } => (
                    Line::DashedBothWays,
                    format!("pair {}, active follows proxmox guest {}", pair.name.value, guest.value),
                ),
            };
            let mut label = vec![title];
            label.extend(pair.datasets.iter().map(|replicated| dataset_label(policy, pair, replicated)));
            label.push(format!("{}{}", cadence_label(pair), accounts(policy, pair)));
            self.edges.push(Edge { from, to, line, label });
        }
    }

    fn add_servers(&mut self, policy: &Policy) {
        let holdings = Holdings::of(policy);
        for server in &policy.nfs_servers {
            let server_id = id(Kind::NfsServer, &server.name.value);
            let mut label = vec![format!("nfs {}", server.name.value), server.address.value.to_string()];
            label.extend(server.failover.as_ref().map(|failover| format!("failover {}", failover.value)));
            self.vertices.push(Vertex { id: server_id.clone(), kind: Kind::NfsServer, label });
            let hosts: Vec<(usize, &str)> = match server.on {
                ServerOn::Pair(pair) => {
                    let pair = &policy.pairs[pair];
                    let target_serves = match pair.roles {
                        Roles::FollowsGuest { .. } => "serves while active",
                        Roles::Static => "serves its copy read-only",
                    };
                    vec![(pair.nodes[0], "serves while active"), (pair.nodes[1], target_serves)]
                }
                ServerOn::Node(node) => vec![(node, node_serves(&holdings, node, server))],
            };
            for (host, role) in hosts {
                let from = id(Kind::Storage, &policy.nodes[host].name.value);
                let label = vec![role.to_owned()];
                self.edges.push(Edge { from, to: server_id.clone(), line: Line::Dotted, label });
            }
        }
    }

    fn add_clients(&mut self, policy: &Policy) {
        for client in &policy.clients {
            let client_id = id(Kind::Client, &client.name.value);
            let label = vec![client.name.value.clone()];
            self.vertices.push(Vertex { id: client_id.clone(), kind: Kind::Client, label });
            let mut by_server: Vec<(usize, String)> = client
                .mounts
                .iter()
                .map(|mount| {
                    let export = &policy.nfs_servers[mount.server].exports[mount.export];
                    (mount.server, format!("{} at {}", export.path.value, mount.at.value))
                })
                .collect();
            by_server.sort();
            for (server, mounts) in group_by_server(by_server) {
                let from = id(Kind::NfsServer, &policy.nfs_servers[server].name.value);
                self.edges.push(Edge { from, to: client_id.clone(), line: Line::Served, label: mounts });
            }
        }
    }
}

/// A node's own snapshot statement in its label: `snapshots tank/vm (recursive atomic), vms, sanoid`.
fn snapshot_line(policy: &Policy, snapshot: &NodeSnapshot) -> String {
    let depth = match snapshot.depth.value {
        Depth::Single => "",
        Depth::Recursive => " (recursive)",
        Depth::Atomic => " (recursive atomic)",
        Depth::ChildrenOnly => " (children only)",
    };
    let retention = &policy.retentions[snapshot.retention.value].name.value;
    format!("snapshots {}{depth}, {retention}, {}", snapshot.dataset.value, snapshot.engine.value.keyword())
}

/// Mounts of one client grouped by the server they come from, in order.
fn group_by_server(sorted: Vec<(usize, String)>) -> Vec<(usize, Vec<String>)> {
    let mut groups: Vec<(usize, Vec<String>)> = Vec::new();
    for (server, mount) in sorted {
        match groups.last_mut() {
            Some((last, mounts)) if *last == server => mounts.push(mount),
            _ => groups.push((server, vec![mount])),
        }
    }
    groups
}

/// The rpo of a pair, or the cadence of one that declares none, and its engine.
fn cadence_label(pair: &Pair) -> String {
    let mut parts = Vec::new();
    if let Some(rpo) = &pair.rpo {
        parts.push(format!("rpo {}", rpo.value));
    }
    if let (None, Some(every)) = (&pair.rpo, &pair.replicate_every) {
        let start = pair.replicate_at.as_ref().map_or_else(String::new, |start| format!(" {} UTC", start.value));
        parts.push(format!("every {}{start}", every.value));
    }
    if pair.rpo.is_none() && pair.replicate_every.is_none() {
        parts.push("no rpo".to_owned());
    }
    parts.push(pair.engine.value.keyword().to_owned());
    parts.join(", ")
}

/// A replicated dataset as an edge names it: with its depth, and with where it lands when
/// the policy chose the copy's name (`as`, `without-pool`, `children`).
fn dataset_label(policy: &Policy, pair: &crate::model::Pair, replicated: &crate::model::Replicated) -> String {
    let name = &replicated.dataset.value;
    let mut label = match (replicated.children_only, replicated.recursive) {
        (true, _) => format!("children of {name}"),
        (false, true) => format!("{name} (recursive)"),
        (false, false) => name.clone(),
    };
    if replicated.copy.is_some() || pair.without_pool.is_some() || replicated.children_only {
        label.push_str(&format!(" → {}", crate::facts::copy_of(policy, pair, replicated)));
    }
    label
}

/// `, as zfsbackup`: the accounts a syncoid pair runs zfs as, when one is not root (the
/// sender's, then the receiver's when it differs).
fn accounts(policy: &Policy, pair: &Pair) -> String {
    if pair.engine.value != Engine::Syncoid {
        return String::new();
    }
    let [source, target] = pair.nodes.map(|index| &policy.nodes[index]);
    let sender = local_account(pair, source);
    let receiver = route(pair, target).user;
    match (sender, receiver) {
        (ROOT_USER, ROOT_USER) => String::new(),
        (sender, receiver) if sender == receiver => format!(", as {sender}"),
        (sender, receiver) => format!(", as {sender} and {receiver}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATIC_PAIR: &str = "retention r {\n  hourly 48\n  daily 7\n}\n\nnode f0 {\n  address 10.0.0.1\n}\n\n\
        node f1 {\n  address 10.0.0.2\n}\n\npair backup {\n  source f1\n  target f0\n  engine syncoid\n\
        rpo 15m\n  outage 1d\n  retention r\n  replicate tank/vm\n}\n";

    #[test]
    fn a_static_pair_points_from_its_source_to_its_target() {
        let policy = crate::compile(STATIC_PAIR, "p.zplan").policy.expect("the policy compiles");
        let dot = graph(&policy, GraphFormat::Dot);
        assert!(
            dot.contains(
                "\"node_f1\" -> \"node_f0\" [style=solid, label=\"pair backup\\ntank/vm\\nrpo 15m, syncoid\"];"
            ),
            "{dot}"
        );
        let mermaid = graph(&policy, GraphFormat::Mermaid);
        assert!(
            mermaid.contains("  node_f1 -->|\"pair backup<br/>tank/vm<br/>rpo 15m, syncoid\"| node_f0\n"),
            "{mermaid}"
        );
    }

    #[test]
    fn labels_are_escaped_for_each_language() {
        let lines = vec!["a \"quoted\" <b>".to_owned(), "back\\slash".to_owned()];
        assert_eq!(dot::label(&lines), "\"a \\\"quoted\\\" <b>\\nback\\\\slash\"");
        assert_eq!(mermaid::label(&lines), "\"a #quot;quoted#quot; #lt;b#gt;<br/>back\\slash\"");
    }
}
