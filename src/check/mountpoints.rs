//! Where exported data is mounted: an export serves the directory where its dataset is
//! mounted on every node that may serve it, or a directory below it. A dataset is mounted
//! where `replicate DATASET mount PATH` says, on every node that holds it (a static target
//! holds the copy, where it lands); below a dataset with a declared mountpoint, at that
//! mountpoint and the rest of its name; anywhere else at ZFS's default, `/` + its name.

use super::nfs::ReplicatedByPair;
use crate::diagnostic::Problem;
use crate::facts::{Held, Holdings, Mountpoints};
use crate::model::{Export, NfsServer, Pair, Policy, ServerOn};

/// Whether `path` is the directory `mountpoint` or one below it.
fn within(path: &str, mountpoint: &str) -> bool {
    mountpoint == "/" || path == mountpoint || path.strip_prefix(mountpoint).is_some_and(|rest| rest.starts_with('/'))
}

/// Every export is where its dataset is mounted, or below it, on every node that serves it
/// from the dataset itself: both nodes of a followed pair, a static pair's source (its
/// target serves its copy, which E0711 checks). An export of data the pair does not
/// replicate is E0501's alone. A server inside the followed guest exports the paths the
/// guest sees, where its bind mounts put the datasets.
pub fn exports_are_mounted(policy: &Policy) -> Vec<Problem> {
    let declared = Mountpoints::of(policy);
    let replicated = ReplicatedByPair::of(policy);
    let holdings = Holdings::of(policy);
    let mut problems = Vec::new();
    for server in super::nfs::on_nodes(policy) {
        let checked = |export: &&Export| match server.on {
            ServerOn::Pair(pair) => replicated.holds(pair, &export.dataset.value),
            ServerOn::Node(node) => mounted_where_declared(policy, &declared, &holdings, node, export),
        };
        let exports = server.exports.iter().filter(checked);
        for export in exports {
            problems.extend(misplaced(policy, &declared, server, export));
        }
    }
    problems
}

/// Whether a node's server's export is checked here: its own data and what it sends are
/// mounted where declared or at ZFS's default, a copy only where declared (E0536 otherwise),
/// and a followed pair's data is E0531's alone.
fn mounted_where_declared(
    policy: &Policy,
    declared: &Mountpoints<'_>,
    holdings: &Holdings,
    node: usize,
    export: &Export,
) -> bool {
    match holdings.held(node, &export.dataset.value) {
        Held::Own | Held::Sent { .. } => true,
        Held::Copy { .. } => declared.declared(&policy.nodes[node].name.value, &export.dataset.value),
        Held::Followed { .. } => false,
    }
}

/// One problem per mountpoint the export misses, naming the nodes where the dataset is mounted there.
fn misplaced(policy: &Policy, declared: &Mountpoints<'_>, server: &NfsServer, export: &Export) -> Vec<Problem> {
    let pair = server.pair().map(|pair| &policy.pairs[pair]);
    let nodes = match pair {
        Some(pair) => pair.active_nodes().to_vec(),
        None => policy.serving_nodes(server),
    };
    let mut missed: Vec<(String, Vec<&str>)> = Vec::new();
    for node in &nodes {
        let mountpoint = declared.mountpoint(&policy.nodes[*node].name.value, &export.dataset.value);
        if within(&export.path.value, &mountpoint) {
            continue;
        }
        let name = policy.nodes[*node].name.value.as_str();
        match missed.iter_mut().find(|(missed, _)| *missed == mountpoint) {
            Some((_, nodes)) if nodes.contains(&name) => {}
            Some((_, nodes)) => nodes.push(name),
            None => missed.push((mountpoint, vec![name])),
        }
    }
    missed.into_iter().map(|(mountpoint, nodes)| outside(pair, export, mountpoint, &nodes)).collect()
}

fn outside(pair: Option<&Pair>, export: &Export, mountpoint: String, nodes: &[&str]) -> Problem {
    let (path, dataset) = (&export.path.value, &export.dataset.value);
    let mut help = format!(
        "did you mean `export {mountpoint}`? an export serves the directory where its dataset is mounted, or one below it"
    );
    if let Some(replicated) = pair.into_iter().flat_map(|pair| &pair.datasets).find(|r| r.dataset.value == *dataset) {
        let recursive = if replicated.recursive { " recursive" } else { "" };
        help.push_str(&format!(
            "; or, if the dataset is mounted at `{path}` on every node that serves it, say so: `replicate {dataset}{recursive} mount {path}`"
        ));
    }
    if let (None, [node]) = (pair, nodes) {
        help.push_str(&format!(
            "; or, if the dataset is mounted at `{path}` on `{node}`, say so: `mountpoint {dataset} {path}` in node `{node}`"
        ));
    }
    let named: Vec<String> = nodes.iter().map(|node| format!("`{node}`")).collect();
    Problem::ExportOutsideMountpoint {
        span: export.path.span.into(),
        dataset_span: export.dataset.span.into(),
        path: path.clone(),
        dataset: dataset.clone(),
        nodes: named.join(" and "),
        mountpoint,
        help,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_export_is_the_mountpoint_or_below_it() {
        assert!(within("/zpool1/share", "/zpool1/share"));
        assert!(within("/zpool1/share/docs", "/zpool1/share"));
        assert!(!within("/zpool1/shared", "/zpool1/share"));
        assert!(!within("/data-nfs-share", "/zpool1/data-nfs-share"));
        assert!(within("/anything", "/"));
    }
}
