//! What each host serves, over every tree zplan writes (the examples, the `ok_` UI inputs,
//! the catalogue's fixed examples, generated fleets): no exports file serves read-write a
//! dataset its host receives from a static pair or backup, a followed pair's data is served
//! by that pair's own server alone (gated on the role), and no host serves a dataset the
//! policy places on another host and not on it.
//!
//! The dataset behind each exported path, and what each host holds, are worked out here
//! from the policy alone: a static pair's source holds its datasets and its target their
//! copies, named as `support::copy_name` says; both nodes of a followed pair hold its
//! datasets; a node holds what its `snapshot` and `mountpoint` statements name.

use zplan::model::{NfsServer, Policy, Roles, ServerOn};

use crate::support::{compiled, compiling_policies, copy_name, text_files};

/// Whether `outer` is `inner` or, when recursive, one of its ancestors.
fn holds(outer: &str, recursive: bool, inner: &str) -> bool {
    outer == inner || recursive && inner.strip_prefix(outer).is_some_and(|rest| rest.starts_with('/'))
}

/// How a host holds a dataset, by the model.
#[derive(Debug, Default)]
struct Holding {
    /// A static pair or backup receives it there.
    received: bool,
    /// A followed pair replicates it there: the names of such pairs.
    followed: Vec<String>,
    /// The host's own statements or pairs name it.
    declared: bool,
}

fn holding(policy: &Policy, host: usize, dataset: &str) -> Holding {
    let mut holding = Holding::default();
    for pair in &policy.pairs {
        for replicated in &pair.datasets {
            let excluded = |named: &dyn Fn(&str) -> String| {
                replicated.exclude.iter().any(|ex| holds(&named(&ex.value), true, dataset))
            };
            let source = &replicated.dataset.value;
            let live = holds(source, replicated.recursive, dataset) && !excluded(&|d: &str| d.to_owned());
            match pair.roles {
                Roles::FollowsGuest { .. } if live && pair.nodes.contains(&host) => {
                    holding.followed.push(pair.name.value.clone());
                }
                Roles::Static if live && pair.nodes[0] == host => holding.declared = true,
                Roles::Static if pair.nodes[1] == host => {
                    let copy = copy_name(policy, pair, source);
                    if holds(&copy, replicated.recursive, dataset) && !excluded(&|d: &str| copy_name(policy, pair, d)) {
                        holding.received = true;
                        holding.declared = true;
                    }
                }
                _ => {}
            }
        }
    }
    let snapshot = policy.snapshots_of(host).iter().any(|s| s.covers(dataset));
    let mounted = policy.nodes[host].mountpoints.iter().any(|m| holds(&m.dataset.value, true, dataset));
    holding.declared |= snapshot || mounted || !holding.followed.is_empty();
    holding
}

/// The server and the dataset behind an exported path on a host, named as on that host.
fn exported<'p>(policy: &'p Policy, host: usize, path: &str) -> (&'p NfsServer, String) {
    for server in &policy.nfs_servers {
        let Some(export) = server.exports.iter().find(|e| e.path.value == path) else { continue };
        let dataset = &export.dataset.value;
        match server.on {
            ServerOn::Node(node) if node == host => return (server, dataset.clone()),
            ServerOn::Pair(pair) if policy.pairs[pair].nodes.contains(&host) => {
                let pair = &policy.pairs[pair];
                let copy = pair.roles == Roles::Static && pair.nodes[1] == host;
                return (server, if copy { copy_name(policy, pair, dataset) } else { dataset.clone() });
            }
            _ => {}
        }
    }
    panic!("{} exports {path}, which no server there declares", policy.nodes[host].name.value)
}

/// Each exported path of an exports file, Linux's or FreeBSD's, and whether a line serves
/// it read-write to some client.
fn served_paths(text: &str) -> Vec<(&str, bool)> {
    text.lines()
        .filter(|line| line.starts_with('/'))
        .filter_map(|line| {
            let (path, rest) = line.split_once(' ')?;
            let read_write = if rest.contains('(') {
                rest.split_whitespace().any(|client| !client.contains("(ro,") && !client.contains(",ro,"))
            } else {
                !rest.split_whitespace().any(|word| word == "-ro")
            };
            Some((path, read_write))
        })
        .collect()
}

/// The datasets a host serves, by the model, and whether it serves each read-write.
fn served_by_host(policy: &Policy, tree: &zplan::render::Tree) -> Vec<(usize, &'static str, String, bool, String)> {
    let mut served = Vec::new();
    for (host, file, text) in text_files(tree) {
        if !file.ends_with("exports.d/zplan.exports") && file != "etc/zplan/exports" {
            continue;
        }
        let Some(index) = policy.nodes.iter().position(|node| node.name.value == host) else { continue };
        for (path, read_write) in served_paths(text) {
            let (server, dataset) = exported(policy, index, path);
            let kind = if server.pair().is_some() { "pair" } else { "node" };
            served.push((index, kind, dataset, read_write, server.name.value.clone()));
        }
    }
    served
}

#[test]
fn no_host_serves_read_write_a_copy_it_receives_or_data_that_is_not_its_own() {
    let (mut copies, mut node_servers) = (0, 0);
    for (name, source) in compiling_policies() {
        let (policy, tree) = compiled(&name, &source);
        for (host, kind, dataset, read_write, server) in served_by_host(&policy, &tree) {
            let host_name = &policy.nodes[host].name.value;
            let held = holding(&policy, host, &dataset);
            copies += usize::from(held.received);
            node_servers += usize::from(kind == "node");
            assert!(!(held.received && read_write), "{name}: {host_name} serves its copy {dataset} read-write");
            let followed_by_own = held.followed.iter().all(|pair| {
                policy
                    .nfs_servers
                    .iter()
                    .any(|s| s.name.value == server && s.pair().is_some_and(|p| policy.pairs[p].name.value == *pair))
            });
            assert!(
                followed_by_own,
                "{name}: {host_name} serves {dataset} of followed pair(s) {:?} through nfs server {server}",
                held.followed
            );
            let placed_elsewhere = (0..policy.nodes.len()).any(|other| {
                other != host
                    && holding(&policy, other, &dataset).declared
                    && !holding(&policy, other, &dataset).received
            });
            assert!(
                held.declared || !placed_elsewhere,
                "{name}: {host_name} serves {dataset}, which the policy places on another node"
            );
        }
    }
    assert!(copies > 0, "no served copy was checked");
    assert!(node_servers > 0, "no node server's export was checked");
}

#[test]
fn a_node_server_serves_a_received_copy_read_only_whatever_its_export_says() {
    let example = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/file-servers.zplan")).unwrap();
    let asks_rw = example.replace("client 192.168.1.0/24 ro sync", "client 192.168.1.0/24 rw sync");
    assert_ne!(asks_rw, example);
    let compilation = zplan::compile(&asks_rw, "rw.zplan");
    let codes: Vec<String> = {
        use miette::Diagnostic;
        compilation.problems.iter().filter_map(|p| p.code().map(|c| c.to_string())).collect()
    };
    assert_eq!(codes, ["W0620", "W0620"]);
    let tree = compilation.tree.unwrap();
    let exports = text_files(&tree).find(|(host, file, _)| *host == "vault" && file.ends_with("zplan.exports"));
    let (_, _, text) = exports.unwrap();
    assert!(text.contains("/srv/backup/home 192.168.1.0/24(ro,sync,"), "{text}");
    assert!(!text.contains("(rw"), "{text}");
}
