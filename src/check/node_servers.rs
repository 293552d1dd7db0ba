//! Rules on NFS servers placed `on node N`, plain file servers: they serve what their node
//! holds and nothing a pair moves between nodes, a copy from where it is mounted (and
//! read-only), data the policy places on their node rather than another, and they run
//! beside no followed pair's gate, which would stop them with the standby's nfsd. Where a
//! node mounts its datasets is said once.

use std::collections::HashMap;

use crate::diagnostic::Problem;
use crate::facts::{copy_of, Held, Holdings, Mountpoints};
use crate::model::{allows, Export, NfsServer, Policy, ServerOn};
use crate::syntax::Span;

/// A node's server exports only what that node holds: a followed pair's data is refused
/// (`E0531`), a copy must be mounted where the policy says (`E0536`) and is served `ro`
/// (`W0620` for an export that asks for `rw`), and a dataset the policy places on another
/// node only is refused (`E0535`) unless this node declares its own.
pub fn node_servers_serve_what_they_hold(policy: &Policy) -> Vec<Problem> {
    let holdings = Holdings::of(policy);
    let mountpoints = Mountpoints::of(policy);
    let mut problems = Vec::new();
    for server in &policy.nfs_servers {
        let ServerOn::Node(node) = server.on else { continue };
        for export in &server.exports {
            problems.extend(crossmnt_problem(policy, &holdings, node, export));
            let held = holdings.held(node, &export.dataset.value);
            problems.extend(match held {
                Held::Followed { pair } => vec![followed_data(policy, server, node, export, pair)],
                Held::Copy { pair, .. } => copy_problems(policy, &mountpoints, server, node, export, pair),
                Held::Own => another_nodes_data(policy, &holdings, server, node, export).into_iter().collect(),
                Held::Sent { .. } => Vec::new(),
            });
        }
    }
    problems
}

/// `crossmnt` on a node's export serves what is mounted below it with the export's options:
/// never a copy (read-write) or a followed pair's data (from the standby).
fn crossmnt_problem(policy: &Policy, holdings: &Holdings, node: usize, export: &Export) -> Option<Problem> {
    let crossmnt = export.clients.iter().flat_map(|c| &c.options).find(|o| o.value.name == "crossmnt")?;
    let (below, held) = holdings.moving_below(node, &export.dataset.value)?;
    let what = match held {
        Held::Copy { pair, .. } => format!("a copy {} receives", policy.pairs[pair].label()),
        Held::Followed { pair } => format!("data {} replicates there", policy.pairs[pair].label()),
        Held::Own | Held::Sent { .. } => return None,
    };
    Some(Problem::CrossmntReachesMovingData {
        span: crossmnt.span.into(),
        path: export.path.value.clone(),
        dataset: export.dataset.value.clone(),
        node: policy.nodes[node].name.value.clone(),
        below,
        what,
    })
}

fn followed_data(policy: &Policy, server: &NfsServer, node: usize, export: &Export, pair: usize) -> Problem {
    let followed = &policy.pairs[pair];
    let dataset = &export.dataset.value;
    let other = followed.nodes.into_iter().find(|n| *n != node).unwrap_or(node);
    let replicated = followed.datasets.iter().find(|r| r.sends(dataset)).map_or(followed.name.span, |r| r.dataset.span);
    let existing = policy.nfs_servers.iter().find(|s| s.on == ServerOn::Pair(pair));
    let help = match existing {
        Some(follower) => format!(
            "half of the time `{}` is the standby and its copy is overwritten by every receive: move the export into nfs server `{}`, which follows the pair's role",
            policy.nodes[node].name.value, follower.name.value
        ),
        None => format!(
            "half of the time `{}` is the standby and its copy is overwritten by every receive: serve it from `nfs NAME {{ on pair {} … }}`, which follows the pair's role",
            policy.nodes[node].name.value, followed.name.value
        ),
    };
    Problem::NodeServerExportsFollowedData {
        span: export.dataset.span.into(),
        replicated: replicated.into(),
        server: server.name.value.clone(),
        node: policy.nodes[node].name.value.clone(),
        other: policy.nodes[other].name.value.clone(),
        dataset: dataset.clone(),
        pair: followed.label(),
        help,
    }
}

fn copy_problems(
    policy: &Policy,
    mountpoints: &Mountpoints<'_>,
    server: &NfsServer,
    node: usize,
    export: &Export,
    pair: usize,
) -> Vec<Problem> {
    let name = &policy.nodes[node].name.value;
    let (path, dataset) = (&export.path.value, &export.dataset.value);
    let mut problems = Vec::new();
    if !mountpoints.declared(name, dataset) {
        problems.push(Problem::CopyExportUnmounted {
            span: export.dataset.span.into(),
            path: path.clone(),
            node: name.clone(),
            dataset: dataset.clone(),
            help: format!(
                "a copy lands with no mountpoint of its own: mount it on `{name}` (`zfs set mountpoint={path} {dataset}`) and say so in node `{name}`: `mountpoint {dataset} {path}`"
            ),
        });
    }
    if !allows(&server.allowed, "W0620") {
        let rw = export.clients.iter().flat_map(|c| &c.options).find(|o| o.value.name == "rw");
        problems.extend(rw.map(|rw| Problem::CopyServedReadOnly {
            span: rw.span.into(),
            path: path.clone(),
            node: name.clone(),
            dataset: dataset.clone(),
            pair: policy.pairs[pair].label(),
        }));
    }
    problems
}

/// An export of a dataset no pair holds on this node, but that another node sends or
/// follows, is that node's data, unless this node says it has its own.
fn another_nodes_data(
    policy: &Policy,
    holdings: &Holdings,
    server: &NfsServer,
    node: usize,
    export: &Export,
) -> Option<Problem> {
    let dataset = &export.dataset.value;
    if declared_on(policy, node, dataset) {
        return None;
    }
    let other = holdings.live_elsewhere(node, dataset)?;
    let (name, other_name) = (&policy.nodes[node].name.value, &policy.nodes[other].name.value);
    let help = match holdings.copies_of(node, dataset).first() {
        Some(copy) => format!("did you mean `{copy}`, the copy `{name}` receives of it?"),
        None => format!(
            "serve it from a server `on node {other_name}`; or, if `{name}` has a dataset of that name, say where it is mounted: `mountpoint {dataset} /{dataset}` in node `{name}`"
        ),
    };
    Some(Problem::ExportOfAnotherNodesData {
        span: export.dataset.span.into(),
        server: server.name.value.clone(),
        node: name.clone(),
        other: other_name.clone(),
        dataset: dataset.clone(),
        help,
    })
}

/// Whether the node's own statements name the dataset: a `snapshot` or a `mountpoint` of
/// it or of an ancestor.
fn declared_on(policy: &Policy, node: usize, dataset: &str) -> bool {
    let snapshots = policy.snapshots_of(node).iter().any(|s| s.covers(dataset));
    let mounted = policy.nodes[node].mountpoints.iter().any(|m| crate::model::covers(&m.dataset.value, true, dataset));
    snapshots || mounted
}

/// A node's server never runs on a node of a followed pair that has its own server: that
/// pair's gate stops `nfs-server` on its standby, and every export of the node with it.
pub fn node_servers_are_not_gated(policy: &Policy) -> Vec<Problem> {
    let mut gated: HashMap<usize, (&NfsServer, usize)> = HashMap::new();
    for server in &policy.nfs_servers {
        let Some(pair) = server.pair().filter(|pair| !policy.pairs[*pair].is_static()) else { continue };
        for node in policy.pairs[pair].nodes {
            gated.entry(node).or_insert((server, pair));
        }
    }
    let mut problems = Vec::new();
    for server in &policy.nfs_servers {
        let ServerOn::Node(node) = server.on else { continue };
        let Some((follower, pair)) = gated.get(&node) else { continue };
        let (name, pair) = (&policy.nodes[node].name.value, &policy.pairs[*pair]);
        problems.push(Problem::NodeServerBehindGate {
            span: server.name.span.into(),
            gate: follower.name.span.into(),
            server: server.name.value.clone(),
            node: name.clone(),
            pair: pair.label(),
            help: format!(
                "one nfsd serves every export of `{name}`, and nfs server `{}` stops it while pair `{}` is active elsewhere: place `{}` on a node outside the pair, or replicate its datasets in pair `{}` and export them from `{}`",
                follower.name.value, pair.name.value, server.name.value, pair.name.value, follower.name.value
            ),
        });
    }
    problems
}

/// A node says once where a dataset is mounted: in a `mountpoint` statement, or for the
/// data and copies of a pair in its `replicate … mount`.
pub fn mountpoints_declared_once(policy: &Policy) -> Vec<Problem> {
    let mut by_pairs = pair_mounts(policy);
    let mut problems = Vec::new();
    for (index, node) in policy.nodes.iter().enumerate().filter(|(_, node)| !node.mountpoints.is_empty()) {
        let mut first: HashMap<String, Span> = by_pairs.remove(&index).unwrap_or_default();
        for mountpoint in &node.mountpoints {
            let dataset = &mountpoint.dataset.value;
            match first.get(dataset) {
                Some(earlier) => problems.push(Problem::MountpointDeclaredTwice {
                    second: mountpoint.dataset.span.max(*earlier).into(),
                    first: mountpoint.dataset.span.min(*earlier).into(),
                    node: node.name.value.clone(),
                    dataset: dataset.clone(),
                    help: "a dataset has one mountpoint on a node: keep one of the two statements".to_owned(),
                }),
                None => {
                    first.insert(dataset.clone(), mountpoint.dataset.span);
                }
            }
        }
    }
    problems
}

/// The datasets each pair's `replicate … mount` mounts on each node, by the node's index,
/// named as they are there, and where each is declared.
fn pair_mounts(policy: &Policy) -> HashMap<usize, HashMap<String, Span>> {
    let mut mounts: HashMap<usize, HashMap<String, Span>> = HashMap::new();
    for pair in &policy.pairs {
        for replicated in &pair.datasets {
            let Some(mount) = &replicated.mount else { continue };
            for node in pair.active_nodes() {
                mounts.entry(*node).or_default().insert(replicated.dataset.value.clone(), mount.span);
            }
            if pair.is_static() {
                mounts.entry(pair.nodes[1]).or_default().insert(copy_of(policy, pair, replicated), mount.span);
            }
        }
    }
    mounts
}
