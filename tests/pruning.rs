//! What prunes where, over every tree zplan writes: the examples, the `ok_` UI inputs, the
//! fixed examples of the catalogue and generated fleets with both engines.
//!
//! Each section of each sanoid.conf names a dataset that lives on that host in that role,
//! as the model says: a followed pair's datasets keep their names on both nodes, a static
//! pair's source keeps them, and its target holds each copy under its `under` dataset. The
//! expectation is worked out here from the policy alone, not by zplan's naming code.
//!
//! A node's own sanoid config (`etc/sanoid/zplan/node/`) holds a section per sanoid
//! `snapshot` statement of the node, and a zrepl `snap` job prunes its `filesystems` less
//! the ones it excludes (children with a statement of their own).
//!
//! No dataset is pruned by two configurations that may run at the same time on one host.
//! sanoid 2.1.0 (`init`) gives every descendant of a `recursive = yes` section that
//! section's settings, so such a section prunes its whole subtree. A zrepl job prunes what
//! it sends (its `filesystems`, less the subtrees they exclude) and what it receives
//! (below its `root_fs`; a sink keeps each client under `root_fs/CLIENT`); a pull job
//! prunes, by its `keep_sender`, what its source job sends on the source's host, unless
//! that keeps every snapshot; a snap job prunes its `filesystems`. The active and standby configs of one followed pair are
//! gated on the role, so they never run together; anything else on one host may.

use std::collections::{BTreeMap, BTreeSet};

use zplan::model::{Depth, Engine, PairKind, Policy, Roles, SnapshotEngine};
use zplan::render::Tree;

use crate::support::{compiled, compiling_policies, copy_name, text_files};

/// A host, a pair and a role: where one sanoid config applies.
type ConfigKey = (String, String, String);

/// Datasets, whether each is recursive, and whether it prunes its children only.
type Sections = BTreeSet<(String, bool, bool)>;

/// The key of a host's own sanoid config: no pair, and the role `node`.
const NODE_CONFIG: (&str, &str) = ("", "node");

/// What runs a prune on a host.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Pruner {
    Sanoid { pair: String, role: String },
    Zrepl { job: String },
}

/// A dataset a pruner prunes on a host, with its descendants when recursive.
#[derive(Debug, Clone)]
struct Pruned {
    host: String,
    pruner: Pruner,
    dataset: String,
    recursive: bool,
    /// Subtrees below `dataset` that it leaves alone (a zrepl `X<: false`).
    excluded: Vec<String>,
    /// Whether it leaves `dataset` itself alone and prunes only below it (sanoid's
    /// `process_children_only`, a zrepl `X: false` beside `X<: true`).
    children_only: bool,
    /// Datasets below `dataset` it leaves alone, but not their children (a zrepl `X: false`).
    left_alone: Vec<String>,
}

impl Pruned {
    /// Whether this prune reaches `dataset`: it holds it, outside every excluded subtree.
    fn reaches(&self, dataset: &str) -> bool {
        let parent_left_alone = self.children_only && self.dataset == dataset;
        let left_alone = parent_left_alone || self.left_alone.iter().any(|alone| alone == dataset);
        holds(&self.dataset, self.recursive, dataset)
            && !left_alone
            && !self.excluded.iter().any(|ex| holds(ex, true, dataset))
    }

    /// Whether the two prune a dataset in common: the top dataset of either, or a child
    /// below the deeper of the two (one that no exclusion names).
    fn overlaps(&self, other: &Pruned) -> bool {
        let deeper = if self.dataset.len() >= other.dataset.len() { &self.dataset } else { &other.dataset };
        let child = format!("{deeper}/any-child");
        let candidates = [self.dataset.as_str(), other.dataset.as_str(), child.as_str()];
        candidates.iter().any(|dataset| self.reaches(dataset) && other.reaches(dataset))
    }
}

/// A prune of `dataset` by `pruner` on `host`, with nothing left out.
fn prune(host: &str, pruner: Pruner, dataset: String, recursive: bool) -> Pruned {
    Pruned {
        host: host.to_owned(),
        pruner,
        dataset,
        recursive,
        excluded: Vec::new(),
        children_only: false,
        left_alone: Vec::new(),
    }
}

/// Whether `outer` is `inner` or, when recursive, one of its ancestors.
fn holds(outer: &str, recursive: bool, inner: &str) -> bool {
    outer == inner || recursive && inner.starts_with(outer) && inner[outer.len()..].starts_with('/')
}

/// The sanoid sections each host should have in each role of each syncoid pair.
fn expected_sections(policy: &Policy) -> BTreeMap<ConfigKey, Sections> {
    let mut expected = BTreeMap::new();
    for pair in policy.pairs.iter().filter(|pair| pair.engine.value == Engine::Syncoid) {
        let host = |slot: usize| policy.nodes[pair.nodes[slot]].name.value.clone();
        let mut add = |host: String, role: &str, sections: Sections| {
            expected.insert((host, pair.name.value.clone(), role.to_owned()), sections);
        };
        let own: Sections =
            pair.datasets.iter().map(|r| (r.dataset.value.clone(), r.recursive, r.children_only)).collect();
        match pair.roles {
            Roles::FollowsGuest { .. } => {
                for slot in 0..2 {
                    add(host(slot), "active", own.clone());
                    add(host(slot), "standby", own.clone());
                }
            }
            Roles::Static => {
                let sent_only = |(dataset, recursive, _): &(String, bool, bool)| {
                    node_takes_snapshots(policy, pair.nodes[0], dataset, *recursive)
                        || received_whole(policy, pair, dataset, *recursive)
                };
                let copies = own
                    .iter()
                    .map(|(dataset, recursive, children)| (copy_name(policy, pair, dataset), *recursive, *children))
                    .collect();
                let snapshotted: Sections = own.iter().filter(|section| !sent_only(section)).cloned().collect();
                if !snapshotted.is_empty() {
                    add(host(0), "active", snapshotted);
                }
                add(host(1), "standby", copies);
            }
        }
    }
    for snapshot in policy.node_snapshots.iter().filter(|s| s.engine.value == SnapshotEngine::Sanoid) {
        let key = (policy.nodes[snapshot.node].name.value.clone(), NODE_CONFIG.0.to_owned(), NODE_CONFIG.1.to_owned());
        let depth = snapshot.depth.value;
        let section = (snapshot.dataset.value.clone(), depth != Depth::Single, depth == Depth::ChildrenOnly);
        expected.entry(key).or_insert_with(Sections::new).insert(section);
    }
    expected
}

/// Whether the node's own sanoid statements take the snapshots of a static syncoid pair's
/// dataset (the fan-out rule): the most specific statement covering it covers the whole tree.
fn node_takes_snapshots(policy: &Policy, node: usize, dataset: &str, recursive: bool) -> bool {
    let covering = policy
        .node_snapshots
        .iter()
        .filter(|s| s.node == node && s.engine.value == SnapshotEngine::Sanoid)
        .filter(|s| match s.depth.value {
            Depth::Single => s.dataset.value == dataset,
            Depth::ChildrenOnly => holds(&s.dataset.value, true, dataset) && s.dataset.value != dataset,
            Depth::Recursive | Depth::Atomic => holds(&s.dataset.value, true, dataset),
        })
        .max_by_key(|s| s.dataset.value.len());
    covering.is_some_and(|s| !recursive || s.depth.value != Depth::Single)
}

/// Whether another static syncoid pair delivers the whole tree to this static syncoid pair's
/// source (a cascade): the pair sends it on as received and takes no snapshots of it.
fn received_whole(policy: &Policy, pair: &zplan::model::Pair, dataset: &str, recursive: bool) -> bool {
    let cascading = |p: &zplan::model::Pair| p.is_static() && p.engine.value == Engine::Syncoid;
    cascading(pair)
        && policy.pairs.iter().filter(|other| cascading(other) && other.nodes[1] == pair.nodes[0]).any(|other| {
            !std::ptr::eq(other, pair)
                && other.datasets.iter().any(|r| {
                    let copy = copy_name(policy, other, &r.dataset.value);
                    holds(&copy, r.recursive, dataset) && (!recursive || r.recursive)
                })
        })
}

/// The dataset sections of a sanoid.conf (templates left out), with their `recursive`.
fn sanoid_sections(text: &str) -> Sections {
    let mut sections = Sections::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if let Some(name) = line.strip_prefix('[').and_then(|rest| rest.strip_suffix(']')) {
            current = (!name.starts_with("template_")).then(|| name.to_owned());
        } else if let (Some(dataset), Some(value)) = (&current, line.strip_prefix("recursive = ")) {
            sections.insert((dataset.clone(), value == "yes" || value == "zfs", false));
        } else if let (Some(dataset), "process_children_only = yes") = (&current, line) {
            let recursive = sections.iter().find(|(name, ..)| name == dataset).is_some_and(|(_, r, _)| *r);
            sections.remove(&(dataset.clone(), recursive, false));
            sections.insert((dataset.clone(), recursive, true));
        }
    }
    sections
}

/// Every sanoid.conf of a tree, by host, pair and role (from its `PAIR-ROLE` directory).
fn sanoid_configs(tree: &Tree) -> BTreeMap<ConfigKey, Sections> {
    let mut configs = BTreeMap::new();
    for (host, path, text) in text_files(tree) {
        let Some(dir) = path.strip_prefix("etc/sanoid/zplan/").and_then(|rest| rest.strip_suffix("/sanoid.conf"))
        else {
            continue;
        };
        let (pair, role) = if dir == "node" { NODE_CONFIG } else { dir.rsplit_once('-').unwrap() };
        configs.insert((host.to_owned(), pair.to_owned(), role.to_owned()), sanoid_sections(text));
    }
    configs
}

/// One job of a zrepl.yml, as far as pruning goes.
#[derive(Debug, Default)]
struct ZreplJob {
    name: String,
    kind: String,
    root_fs: Option<String>,
    filesystems: Vec<(String, bool)>,
    /// The subtrees its `filesystems` exclude.
    excluded: Vec<String>,
    /// The datasets it leaves out while sending their children (`X: false`).
    parents_left_out: Vec<String>,
    clients: Vec<String>,
    /// Whether its `keep_sender` keeps every snapshot (`regex: ".*"`): it prunes no sender.
    keeps_every_sent: bool,
}

fn unquoted(text: &str) -> String {
    text.trim().trim_matches('"').to_owned()
}

/// The jobs of a zrepl.yml as zplan lays it out (two spaces per level), and the client
/// identities its `connect` sections use.
fn zrepl_jobs(text: &str) -> (Vec<ZreplJob>, Vec<String>) {
    let mut jobs: Vec<ZreplJob> = Vec::new();
    let mut identities = Vec::new();
    let mut block = "";
    let mut rules = "";
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        let line = line.trim();
        if let Some(name) = line.strip_prefix("- name: ") {
            jobs.push(ZreplJob { name: unquoted(name), ..ZreplJob::default() });
            continue;
        }
        let Some(job) = jobs.last_mut() else { continue };
        let (key, value) = line.split_once(':').map_or((line, ""), |(k, v)| (k, v.trim()));
        match indent {
            4 => {
                block = key;
                match key {
                    "type" => job.kind = value.to_owned(),
                    "root_fs" => job.root_fs = Some(unquoted(value)),
                    _ => {}
                }
            }
            6 if block == "filesystems" => {
                let (pattern, included) = line.rsplit_once(':').unwrap();
                let pattern = unquoted(pattern);
                let recursive = pattern.ends_with('<');
                let dataset = pattern.trim_end_matches('<').to_owned();
                match included.trim() {
                    "true" => job.filesystems.push((dataset, recursive)),
                    "false" if recursive => job.excluded.push(dataset),
                    "false" => job.parents_left_out.push(dataset),
                    other => panic!("filesystems entry {pattern}: {other}"),
                }
            }
            6 if block == "connect" && key == "client_identity" => identities.push(unquoted(value)),
            6 if block == "pruning" => rules = key,
            10 if block == "pruning" && rules == "keep_sender" && line == "regex: \".*\"" => {
                job.keeps_every_sent = true
            }
            8 if block == "serve" => {
                let client = line.strip_prefix("- ").map_or_else(|| unquoted(value), unquoted);
                job.clients.push(client);
            }
            _ => {}
        }
    }
    (jobs, identities)
}

/// What `pruner` prunes on `host` when it prunes the datasets `sender` sends.
fn sent_by(host: &str, pruner: &str, sender: &ZreplJob) -> Vec<Pruned> {
    sender
        .filesystems
        .iter()
        .map(|(dataset, recursive)| Pruned {
            host: host.to_owned(),
            pruner: Pruner::Zrepl { job: pruner.to_owned() },
            dataset: dataset.clone(),
            recursive: *recursive,
            excluded: sender.excluded.iter().filter(|ex| holds(dataset, *recursive, ex)).cloned().collect(),
            children_only: sender.parents_left_out.contains(dataset),
            left_alone: sender
                .parents_left_out
                .iter()
                .filter(|alone| holds(dataset, *recursive, alone))
                .cloned()
                .collect(),
        })
        .collect()
}

/// What each zrepl job of a host prunes there; a source job's datasets are pruned by its
/// pull job, on another host (see [`pulls_pruning_sources`]).
fn zrepl_pruned(host: &str, text: &str) -> Vec<Pruned> {
    let (jobs, local_identities) = zrepl_jobs(text);
    let mut pruned = Vec::new();
    for job in &jobs {
        let mut add = |dataset: String, recursive: bool| {
            pruned.push(prune(host, Pruner::Zrepl { job: job.name.clone() }, dataset, recursive));
        };
        let root = job.root_fs.clone();
        match (job.kind.as_str(), root) {
            ("push", None) if job.keeps_every_sent => {}
            ("push" | "snap", None) => pruned.extend(sent_by(host, &job.name, job)),
            ("source", None) => {}
            ("pull", Some(root)) => add(root, true),
            ("sink", Some(root)) => {
                let clients = if job.clients.is_empty() { &local_identities } else { &job.clients };
                assert!(!clients.is_empty(), "{host}: sink {} serves no client", job.name);
                clients.iter().for_each(|client| add(format!("{root}/{client}"), true));
            }
            (kind, root) => panic!("{host}: zrepl job {} of type `{kind}` with root {root:?}", job.name),
        }
    }
    pruned
}

/// What each pull job prunes on its source's host, through the source job of its pair
/// (`PAIR_pull` and `PAIR_source`), unless its `keep_sender` keeps every snapshot.
fn pulls_pruning_sources(tree: &Tree) -> Vec<Pruned> {
    let configs: Vec<(&str, Vec<ZreplJob>)> = text_files(tree)
        .filter(|(_, path, _)| path.ends_with("zrepl/zrepl.yml"))
        .map(|(host, _, text)| (host, zrepl_jobs(text).0))
        .collect();
    let mut pruned = Vec::new();
    for pull in configs.iter().flat_map(|(_, jobs)| jobs).filter(|job| job.kind == "pull" && !job.keeps_every_sent) {
        let source_name = pull.name.replace("_pull", "_source");
        let source =
            configs.iter().find_map(|(host, jobs)| Some((*host, jobs.iter().find(|j| j.name == source_name)?)));
        let (host, source) = source.unwrap_or_else(|| panic!("pull job {} has no source job", pull.name));
        pruned.extend(sent_by(host, &pull.name, source));
    }
    pruned
}

/// Everything pruned on every host of a tree.
fn everything_pruned(tree: &Tree) -> Vec<Pruned> {
    let mut pruned = Vec::new();
    for ((host, pair, role), sections) in sanoid_configs(tree) {
        for (dataset, recursive, children_only) in sections {
            let pruner = Pruner::Sanoid { pair: pair.clone(), role: role.clone() };
            pruned.push(Pruned { children_only, ..prune(&host, pruner, dataset, recursive) });
        }
    }
    for (host, path, text) in text_files(tree) {
        if path.ends_with("zrepl/zrepl.yml") {
            pruned.extend(zrepl_pruned(host, text));
        }
    }
    pruned.extend(pulls_pruning_sources(tree));
    pruned
}

fn followed(policy: &Policy, pair: &str) -> bool {
    let pair = policy.pairs.iter().find(|p| p.name.value == pair).unwrap();
    matches!(pair.roles, Roles::FollowsGuest { .. })
}

/// Whether two pruners may run at the same time: not one config with itself, nor the two
/// roles of one followed pair.
fn concurrent(policy: &Policy, first: &Pruner, second: &Pruner) -> bool {
    match (first, second) {
        _ if first == second => false,
        (Pruner::Sanoid { pair: a, .. }, Pruner::Sanoid { pair: b, .. }) if a == b => !followed(policy, a),
        _ => true,
    }
}

/// Pairs of prunes of one dataset on one host that may run at the same time.
fn double_prunes(policy: &Policy, pruned: &[Pruned]) -> Vec<String> {
    let mut doubles = Vec::new();
    for (index, first) in pruned.iter().enumerate() {
        for second in &pruned[index + 1..] {
            if first.host == second.host && first.overlaps(second) && concurrent(policy, &first.pruner, &second.pruner)
            {
                doubles.push(format!("{}: {first:?} and {second:?}", first.host));
            }
        }
    }
    doubles
}

#[test]
fn every_sanoid_section_names_a_dataset_of_its_host_in_its_role() {
    for (name, source) in compiling_policies() {
        let (policy, tree) = compiled(&name, &source);
        assert_eq!(
            sanoid_configs(&tree),
            expected_sections(&policy),
            "{name}: sanoid.conf sections by host, pair and role"
        );
    }
}

#[test]
fn no_dataset_is_pruned_by_two_configs_that_may_run_at_once() {
    for (name, source) in compiling_policies() {
        let (policy, tree) = compiled(&name, &source);
        let doubles = double_prunes(&policy, &everything_pruned(&tree));
        assert!(doubles.is_empty(), "{name}: pruned twice:\n{}", doubles.join("\n"));
    }
}

/// The policies above reach every case: both engines, both kinds of pair, copies under
/// `under`, named with `as` or without the pool, children only, sinks and pulls, backups,
/// syncoid pulls and a nightly cadence.
#[test]
fn the_policies_cover_both_engines_and_both_kinds_of_pair() {
    let mut seen = BTreeSet::new();
    for (name, source) in compiling_policies() {
        let (policy, tree) = compiled(&name, &source);
        for pair in &policy.pairs {
            seen.insert(format!("{:?} {}", pair.engine.value, if pair.is_static() { "static" } else { "followed" }));
            if pair.engine.value == Engine::Syncoid && pair.target_root.is_some() {
                seen.insert("syncoid under".to_owned());
            }
            if pair.engine.value == Engine::Syncoid && pair.target_drives() {
                seen.insert("syncoid pull".to_owned());
            }
            if pair.kind == PairKind::Backup {
                seen.insert("backup".to_owned());
            }
            if pair.replicate_at.is_some() {
                seen.insert("cadence at a time of day".to_owned());
            }
            if pair.without_pool.is_some() {
                seen.insert("without-pool".to_owned());
            }
            for replicated in &pair.datasets {
                seen.extend(replicated.copy.as_ref().map(|_| "as".to_owned()));
                seen.extend(replicated.children_only.then(|| "children".to_owned()));
            }
        }
        for (_, path, text) in text_files(&tree) {
            if path.ends_with("zrepl/zrepl.yml") {
                seen.extend(zrepl_jobs(text).0.into_iter().map(|job| job.kind));
            }
            if path == "etc/sanoid/zplan/node/sanoid.conf" {
                seen.insert("node sanoid".to_owned());
                seen.extend(sanoid_sections(text).into_iter().filter(|s| s.2).map(|_| "children only".to_owned()));
            }
        }
        for (_, path, _) in text_files(&tree) {
            if path == "etc/keepalived/zplan.conf" {
                seen.insert("address by keepalived".to_owned());
            }
            if path.starts_with("usr/local/share/doc/zplan/lxc-") {
                seen.insert("server in the container".to_owned());
            }
        }
        if policy.pairs.iter().any(|p| p.engine.value == Engine::Syncoid) && !policy.node_snapshots.is_empty() {
            seen.insert("node snapshots beside a pair".to_owned());
        }
        let sent_only =
            policy.pairs.iter().filter(|pair| pair.is_static() && pair.engine.value == Engine::Syncoid).filter(
                |pair| {
                    pair.datasets
                        .iter()
                        .any(|r| node_takes_snapshots(&policy, pair.nodes[0], &r.dataset.value, r.recursive))
                },
            );
        if sent_only.count() >= 2 {
            seen.insert("fan-out".to_owned());
        }
        let cascade = policy
            .pairs
            .iter()
            .any(|pair| pair.datasets.iter().any(|r| received_whole(&policy, pair, &r.dataset.value, r.recursive)));
        if cascade {
            seen.insert("cascade".to_owned());
        }
    }
    let cases = [
        "Syncoid followed",
        "Syncoid static",
        "Zrepl static",
        "syncoid under",
        "syncoid pull",
        "backup",
        "cadence at a time of day",
        "sink",
        "pull",
        "push",
    ];
    let shapes = ["as", "without-pool", "children", "snap", "node sanoid", "children only"];
    let graph = ["node snapshots beside a pair", "fan-out", "cascade"];
    let addresses = ["address by keepalived", "server in the container"];
    for case in cases.into_iter().chain(shapes).chain(graph).chain(addresses) {
        assert!(seen.contains(case), "no policy has `{case}`: {seen:?}");
    }
}

/// A service address is held only where its server may serve: each VRRP instance sits on
/// a node of the server's pair and tracks that pair's active role, so it never holds the
/// address on a standby; a server inside a container is served by the container alone,
/// which prunes nothing, and no node exports its paths.
#[test]
fn service_addresses_are_held_only_where_their_server_serves() {
    for (name, source) in compiling_policies() {
        let (policy, tree) = compiled(&name, &source);
        for server in &policy.nfs_servers {
            let Some(pair) = server.pair().map(|pair| &policy.pairs[pair]) else { continue };
            let nodes: Vec<&str> = pair.nodes.iter().map(|n| policy.nodes[*n].name.value.as_str()).collect();
            let address = server.address.value.to_string();
            for (host, path, text) in text_files(&tree) {
                if path == "etc/keepalived/zplan.conf" && text.contains(&format!("        {address}/")) {
                    assert!(
                        server.keepalived().is_some(),
                        "{name}: {host} holds {address} for a server keepalived does not move"
                    );
                    assert!(nodes.contains(&host), "{name}: {host} holds {address} outside pair {}", pair.name.value);
                    let track = format!("script \"/usr/local/libexec/zplan/role-{} active\"", pair.name.value);
                    assert!(
                        text.contains(&track),
                        "{name}: {host} holds {address} without the role of {}",
                        pair.name.value
                    );
                }
            }
            let Some(guest) = server.guest_host() else { continue };
            for (host, path, text) in text_files(&tree) {
                if host == guest.value {
                    assert!(
                        !path.starts_with("etc/sanoid") && !path.contains("zrepl"),
                        "{name}: the container prunes: {path}"
                    );
                }
                if nodes.contains(&host) && path == "etc/exports.d/zplan.exports" {
                    for export in &server.exports {
                        assert!(
                            !text.contains(&format!("\n{} ", export.path.value)),
                            "{name}: {host} exports {}",
                            export.path.value
                        );
                    }
                }
            }
        }
    }
}

/// The readers above see what they must: a recursive section, a sink's client, a pull's root.
#[test]
fn the_readers_read_sanoid_and_zrepl_configs() {
    let sanoid = "# x\n[tank/a]\nuse_template = p\nrecursive = yes\n\n[template_p]\nhourly = 1\n";
    assert_eq!(sanoid_sections(sanoid), Sections::from([("tank/a".to_owned(), true, false)]));
    let node = "[tank/a]\nrecursive = zfs\n[tank/m]\nrecursive = yes\nprocess_children_only = yes\n";
    let expected = [("tank/a".to_owned(), true, false), ("tank/m".to_owned(), true, true)];
    assert_eq!(sanoid_sections(node), Sections::from(expected));
    let zrepl = "jobs:\n  - name: \"s\"\n    type: sink\n    serve:\n      type: tcp\n      clients:\n        \"10.0.0.1\": \"f0\"\n    root_fs: \"zdata/sink\"\n  - name: \"p\"\n    type: push\n    filesystems:\n      \"zdata/a<\": true\n      \"zdata/a/b<\": false\n";
    let pruned = zrepl_pruned("f1", zrepl);
    let found: Vec<(&str, bool)> = pruned.iter().map(|p| (p.dataset.as_str(), p.recursive)).collect();
    assert_eq!(found, [("zdata/sink/f0", true), ("zdata/a", true)]);
    assert_eq!(pruned[1].excluded, ["zdata/a/b"]);
}

/// An excluded subtree is not pruned by the job that excludes it, and a job that prunes
/// inside it is no double prune; without the exclusion it would be.
#[test]
fn an_excluded_subtree_is_left_to_other_jobs() {
    let zrepl = "jobs:\n  - name: \"s\"\n    type: sink\n    serve:\n      type: tcp\n      clients:\n        \"10.0.0.1\": \"nas\"\n    root_fs: \"tank/backup\"\n  - name: \"p\"\n    type: push\n    filesystems:\n      \"tank/backup<\": false\n      \"tank<\": true\n";
    let pruned = zrepl_pruned("backup", zrepl);
    assert_eq!(pruned[1].excluded, ["tank/backup"]);
    assert!(!pruned[1].reaches("tank/backup/nas/tank/home"));
    assert!(pruned[1].reaches("tank/home"));
    let policy = Policy::default();
    assert!(double_prunes(&policy, &pruned).is_empty());
    let without = zrepl.replace("      \"tank/backup<\": false\n", "");
    assert_eq!(double_prunes(&policy, &zrepl_pruned("backup", &without)).len(), 1);
}

/// Each zrepl pair's sending job covers exactly what the model replicates: its datasets,
/// recursive or not, less the subtrees the policy excludes.
#[test]
fn zrepl_sending_jobs_cover_what_the_model_replicates() {
    let mut exclusions = 0;
    for (name, source) in compiling_policies() {
        let (policy, tree) = compiled(&name, &source);
        let jobs: Vec<ZreplJob> = text_files(&tree)
            .filter(|(_, path, _)| path.ends_with("zrepl/zrepl.yml"))
            .flat_map(|(_, _, text)| zrepl_jobs(text).0)
            .collect();
        for pair in policy.pairs.iter().filter(|pair| pair.engine.value == Engine::Zrepl) {
            let sender = [format!("{}_push", pair.name.value), format!("{}_source", pair.name.value)];
            let job = jobs
                .iter()
                .find(|job| sender.contains(&job.name))
                .unwrap_or_else(|| panic!("{name}: no sender of {}", pair.name.value));
            let mut expected: Vec<(String, bool)> =
                pair.datasets.iter().map(|r| (r.dataset.value.clone(), r.recursive)).collect();
            let mut excluded: Vec<String> =
                pair.datasets.iter().flat_map(|r| r.exclude.iter().map(|e| e.value.clone())).collect();
            exclusions += excluded.len();
            let mut found = job.filesystems.clone();
            let mut found_excluded = job.excluded.clone();
            for list in [&mut expected, &mut found] {
                list.sort();
            }
            for list in [&mut excluded, &mut found_excluded] {
                list.sort();
            }
            assert_eq!(found, expected, "{name}: what {} sends", job.name);
            assert_eq!(found_excluded, excluded, "{name}: what {} leaves out", job.name);
            let mut parents: Vec<&str> =
                pair.datasets.iter().filter(|r| r.children_only).map(|r| r.dataset.value.as_str()).collect();
            let mut found_parents: Vec<&str> = job.parents_left_out.iter().map(String::as_str).collect();
            parents.sort_unstable();
            found_parents.sort_unstable();
            assert_eq!(found_parents, parents, "{name}: the parents {} sends only the children of", job.name);
        }
    }
    assert!(exclusions > 0, "no policy excludes a dataset");
}

/// In a fan-out only the snap job prunes the source: the pull jobs keep every snapshot
/// there. Were one of them to prune by its retention, the source's dataset would be pruned
/// twice, and the proof above would say so.
#[test]
fn a_fan_out_prunes_its_source_once() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/zrepl-fan-out.zplan");
    let source = std::fs::read_to_string(path).unwrap();
    let (policy, tree) = compiled("zrepl-fan-out", &source);
    let on_nas = |pruned: &[Pruned]| pruned.iter().filter(|p| p.host == "nas").count();
    let pruned = everything_pruned(&tree);
    assert_eq!(on_nas(&pruned), 1, "only the snap job prunes on nas: {pruned:?}");
    assert!(double_prunes(&policy, &pruned).is_empty());
    let mut pruning_pull = tree.clone();
    for ((host, path), file) in &mut pruning_pull.files {
        if let (true, zplan::render::Body::Bytes(bytes)) =
            (host == "offsite" && path.ends_with("zrepl.yml"), &mut file.body)
        {
            let text = String::from_utf8(bytes.clone()).unwrap();
            *bytes = text.replacen("          regex: \".*\"", "          regex: \"^zrepl_\"", 1).into_bytes();
        }
    }
    let pruned = everything_pruned(&pruning_pull);
    assert_eq!(on_nas(&pruned), 2);
    assert_eq!(double_prunes(&policy, &pruned).len(), 1, "the snap job and the offsite pull both prune nas");
}

/// The `delegate 'USER' 'DATASET' 'RIGHTS'` lines of a delegation script.
fn delegated(text: &str) -> Vec<(String, String, Vec<String>)> {
    text.lines()
        .filter_map(|line| line.strip_prefix("delegate '"))
        .map(|rest| {
            let fields: Vec<&str> = rest.split("' '").map(|field| field.trim_end_matches('\'')).collect();
            let rights = fields[2].split(',').map(str::to_owned).collect();
            (fields[0].to_owned(), fields[1].to_owned(), rights)
        })
        .collect()
}

/// A non-root account gets rights where its side of a replication needs them and nowhere
/// else, and never `destroy`: a source account may send and bookmark the datasets its pair
/// sends, a target account may receive where that pair's copies land (worked out from the
/// policy), and only a followed standby may be rolled back. A policy without `user` or `ssh
/// user` gets no delegation script at all.
#[test]
fn delegations_give_each_side_only_what_it_replicates() {
    let mut seen = 0;
    for (name, source) in compiling_policies() {
        let (policy, tree) = compiled(&name, &source);
        for (host, path, text) in text_files(&tree) {
            let Some(pair_name) = path.strip_prefix("usr/local/libexec/zplan/delegate-") else { continue };
            let pair = policy.pairs.iter().find(|pair| pair.name.value == pair_name).unwrap();
            for (user, dataset, rights) in delegated(text) {
                seen += 1;
                assert_ne!(user, "root", "{name}: {host} delegates to root");
                assert!(!rights.iter().any(|right| right == "destroy"), "{name}: {host} delegates destroy");
                let sends = pair.datasets.iter().any(|r| r.dataset.value == dataset);
                let copies = pair.datasets.iter().map(|r| copy_name(&policy, pair, &r.dataset.value));
                let receives =
                    copies.clone().any(|copy| holds(&dataset, true, &copy) && (copy != dataset || !copy.contains('/')));
                match rights.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
                    ["bookmark", "send"] => {
                        assert!(sends, "{name}: {host} may send {dataset}, which {pair_name} does not send")
                    }
                    ["create", "mount", "readonly", "receive"] => {
                        assert!(pair.is_static() && receives, "{name}: {host} may receive under {dataset}")
                    }
                    ["create", "mount", "receive", "rollback"] => {
                        assert!(!pair.is_static() && receives, "{name}: {host} may roll back under {dataset}")
                    }
                    other => panic!("{name}: {host} delegates {other:?} on {dataset}"),
                }
            }
        }
        let identities = policy.nodes.iter().any(|node| node.user.is_some() || node.ssh.user.is_some())
            || policy.pairs.iter().any(|pair| pair.user.is_some() || pair.ssh.user.is_some());
        let scripts = text_files(&tree).any(|(_, path, _)| path.contains("/delegate-"));
        assert!(identities || !scripts, "{name}: delegation scripts without a non-root account");
    }
    assert!(seen > 0, "no policy delegates rights");
}

/// The overlap rule sees a double prune through recursion, and none where a children-only
/// section leaves its parent alone or a zrepl job excludes the other's datasets.
#[test]
fn overlaps_follow_recursion_children_only_and_exclusions() {
    let sanoid = |dataset: &str, recursive: bool| {
        prune("h", Pruner::Sanoid { pair: String::new(), role: "node".to_owned() }, dataset.to_owned(), recursive)
    };
    let zrepl = |dataset: &str, recursive: bool| {
        prune("h", Pruner::Zrepl { job: "j".to_owned() }, dataset.to_owned(), recursive)
    };
    assert!(sanoid("tank/a", true).overlaps(&zrepl("tank/a/b", false)));
    assert!(!sanoid("tank/a", false).overlaps(&zrepl("tank/a/b", false)));
    let children = Pruned { children_only: true, ..sanoid("tank/a", true) };
    assert!(!children.overlaps(&zrepl("tank/a", false)));
    assert!(children.overlaps(&zrepl("tank/a", true)));
    assert!(children.overlaps(&Pruned { children_only: true, ..zrepl("tank/a", true) }));
    let parent = Pruned { excluded: vec!["tank/a/b".to_owned()], ..zrepl("tank/a", true) };
    assert!(!parent.overlaps(&sanoid("tank/a/b", true)));
    assert!(parent.overlaps(&sanoid("tank/a/c", false)));
    let alone = Pruned { left_alone: vec!["tank/a/b".to_owned()], ..zrepl("tank/a", true) };
    assert!(!alone.overlaps(&sanoid("tank/a/b", false)));
    assert!(alone.overlaps(&sanoid("tank/a/b/c", false)));
}
