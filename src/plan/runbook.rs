//! A static pair's failover and failback runbook: the exact commands, for that pair's
//! nodes, datasets and exports, to promote the target, stop replication and send the data
//! back. Failover stays manual on purpose; the runbook makes the manual steps hard to get
//! wrong. It is written on both nodes, since either may be the one still standing.
//! (A followed pair's runbook is in `followed_runbook`.)

use super::files::*;
use std::collections::HashMap;

use super::followed_runbook::followed_runbook;
use super::guard_steps::divergence_section;
use super::nfs::{exports_path, failover_export_lines, reload_exports, MovedExport, Served};
use super::snapshots::NODE_SANOID_STEM;
use super::systemd::{guard_script, FILE_MODE};
use crate::facts::identity::route;
use crate::facts::naming::{prune_unit_stem, replication_unit_stem, snapshot_unit_stem};
use crate::facts::zrepl::{sink_name, zrepl_transport};
use crate::facts::Facts as Derived;
use crate::facts::{landing, Held, Holdings, Mountpoints};
use crate::facts::{snapshot_owner, worst_sent_schedule};
use crate::model::{
    Engine, Export, Mode, NfsServer, Node, Os, Pair, Policy, Replicated, Roles, SendOption, ServerOn, ROOT_USER,
};

/// Where a pair's runbook goes on each of its nodes.
pub fn runbook_path(pair: &Pair) -> String {
    format!("usr/local/share/doc/zplan/failover-{}.md", pair.name.value)
}

/// Whether a pair has a runbook: a pair between two nodes (a copy to another pool of
/// the same node has nowhere to fail over to).
pub fn has_runbook(pair: &Pair) -> bool {
    pair.nodes[0] != pair.nodes[1]
}

/// The snapshot the failback takes of every copy, and sends back.
const FAILBACK_SNAPSHOT: &str = "zplan_failback";

/// The snapshot the failback takes of the source before rolling it back, and copies aside.
const DIVERGED_SNAPSHOT: &str = "zplan_diverged";

/// Adds the runbook of every pair between two nodes to both of them: a static pair's
/// failover and failback, a followed pair's recovery steps.
pub fn runbook_files(derived: &Derived<'_>, files: &mut Files) {
    let policy = derived.policy;
    let fleet = Fleet::of(derived);
    let pairs = policy.pairs.iter().enumerate();
    for (index, pair) in pairs.filter(|(_, pair)| has_runbook(pair)) {
        let runbook = match &pair.roles {
            Roles::Static => runbook(&fleet, index, pair),
            Roles::FollowsGuest { guest } => followed_runbook(derived, pair, guest.value),
        };
        for node in pair.nodes {
            let host = &policy.nodes[node].name.value;
            files.add(host, runbook_path(pair), FILE_MODE, Content::Runbook(runbook.clone()), vec![]);
        }
    }
}

/// What runbooks look up about the whole policy, found once rather than once per pair.
struct Fleet<'p> {
    policy: &'p Policy,
    derived: &'p Derived<'p>,
    served: Served<'p>,
    servers_of_pair: HashMap<usize, Vec<&'p NfsServer>>,
    /// The exports of node servers on each static pair's source that serve the pair's live
    /// data: they follow the data to the target on a failover.
    node_exports_of_pair: HashMap<usize, Vec<(&'p NfsServer, &'p Export)>>,
    /// The servers placed on each node, by the node's index.
    node_servers: HashMap<usize, Vec<&'p NfsServer>>,
    mountpoints: Mountpoints<'p>,
}

impl<'p> Fleet<'p> {
    fn of(derived: &'p Derived<'p>) -> Self {
        let policy = derived.policy;
        let mut servers_of_pair: HashMap<usize, Vec<&'p NfsServer>> = HashMap::new();
        let mut node_servers: HashMap<usize, Vec<&'p NfsServer>> = HashMap::new();
        for server in &policy.nfs_servers {
            match server.on {
                ServerOn::Pair(pair) => servers_of_pair.entry(pair).or_default().push(server),
                ServerOn::Node(node) => node_servers.entry(node).or_default().push(server),
            }
        }
        Fleet {
            policy,
            derived,
            served: Served::of(policy),
            servers_of_pair,
            node_exports_of_pair: node_exports_of_pairs(policy),
            node_servers,
            mountpoints: Mountpoints::of(policy),
        }
    }
}

/// The exports of node servers that serve live data a static pair sends from their node, by
/// the pair's index.
fn node_exports_of_pairs(policy: &Policy) -> HashMap<usize, Vec<(&NfsServer, &Export)>> {
    let holdings = Holdings::of(policy);
    let mut sent_from: HashMap<usize, Vec<usize>> = HashMap::new();
    for (index, pair) in policy.pairs.iter().enumerate().filter(|(_, pair)| pair.is_static()) {
        sent_from.entry(pair.nodes[0]).or_default().push(index);
    }
    let mut exports: HashMap<usize, Vec<(&NfsServer, &Export)>> = HashMap::new();
    for server in &policy.nfs_servers {
        let ServerOn::Node(node) = server.on else { continue };
        for export in &server.exports {
            let dataset = &export.dataset.value;
            if !matches!(holdings.held(node, dataset), Held::Sent { .. }) {
                continue;
            }
            for pair in sent_from.get(&node).into_iter().flatten() {
                if policy.pairs[*pair].datasets.iter().any(|r| r.sends(dataset)) {
                    exports.entry(*pair).or_default().push((server, export));
                }
            }
        }
    }
    exports
}

/// An export of a node's server on the source that the target takes over on a failover.
struct Moved<'p> {
    server: &'p NfsServer,
    export: &'p Export,
    /// The copy on the target, and whether the failover mounts it where the source had the
    /// dataset (a copy the policy mounts nowhere on the target).
    copy: String,
    mounts_copy: bool,
    /// Where the target serves it: the same path, unless the copy is mounted elsewhere.
    served: MovedExport<'p>,
}

/// Whether `path` lies below `from` (or is it), and where it lies below `to` then.
fn relocated(path: &str, from: &str, to: &str) -> String {
    match path.strip_prefix(from.trim_end_matches('/')) {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => format!("{}{rest}", to.trim_end_matches('/')),
        _ => path.to_owned(),
    }
}

/// The source's node-server exports of this pair's data, and how the target serves them.
fn moved_exports<'p>(facts: &Facts<'p>) -> Vec<Moved<'p>> {
    let fleet = facts.fleet;
    let (source, target) = (&facts.source.name.value, &facts.target.name.value);
    let exports = fleet.node_exports_of_pair.get(&facts.index).into_iter().flatten();
    exports
        .map(|(server, export)| {
            let dataset = &export.dataset.value;
            let copy = landing(facts.policy, facts.pair, dataset);
            let at_source = fleet.mountpoints.mountpoint(source, dataset);
            let mounts_copy = !fleet.mountpoints.declared(target, &copy);
            let mountpoint = if mounts_copy { at_source.clone() } else { fleet.mountpoints.mountpoint(target, &copy) };
            let path = relocated(&export.path.value, &at_source, &mountpoint);
            Moved { server, export, copy, mounts_copy, served: MovedExport { export, path, mountpoint } }
        })
        .collect()
}

/// The facts about a pair the steps are made of.
struct Facts<'p> {
    fleet: &'p Fleet<'p>,
    policy: &'p Policy,
    /// The pair's index in [`Policy::pairs`].
    index: usize,
    pair: &'p Pair,
    source: &'p Node,
    target: &'p Node,
    /// Source dataset, its copy, and whether it is replicated with its children.
    datasets: Vec<(&'p str, String, bool)>,
}

fn runbook<'p>(fleet: &'p Fleet<'p>, index: usize, pair: &'p Pair) -> Runbook {
    let policy = fleet.policy;
    let [source, target] = pair.nodes.map(|n| &policy.nodes[n]);
    let datasets = pair
        .datasets
        .iter()
        .map(|r| (r.dataset.value.as_str(), landing(policy, pair, &r.dataset.value), r.recursive))
        .collect();
    let facts = Facts { fleet, policy, index, pair, source, target, datasets };
    let mut sections = vec![prepare(&facts), check(&facts)];
    sections.extend(guard_refusal(&facts));
    sections.extend([failover(&facts), failback(&facts)]);
    sections.retain(|section| !section.steps.is_empty());
    Runbook {
        title: format!("{} {}: failover and failback", pair.kind.title(), pair.name.value),
        summary: summary(&facts),
        columns: ["on the source", "copy on the target", "mounted there at"].map(str::to_owned).to_vec(),
        rows: pair
            .datasets
            .iter()
            .map(|r| {
                vec![
                    format!("`{}`", r.dataset.value),
                    format!("`{}`", landing(policy, pair, &r.dataset.value)),
                    copy_mountpoint(policy, pair, r).map_or_else(|| "not mounted".to_owned(), |m| format!("`{m}`")),
                ]
            })
            .collect(),
        sections,
    }
}

fn summary(facts: &Facts<'_>) -> Vec<String> {
    let (pair, source, target) = (facts.pair, facts.source, facts.target);
    let worst = facts
        .fleet
        .derived
        .schedule(pair)
        .map(|s| worst_sent_schedule(facts.policy, pair, s).arithmetic())
        .unwrap_or_default();
    vec![
        format!(
            "`{}` ({}) is the source of {} `{}`; `{}` ({}) keeps a read-only copy, replicated by {}.",
            source.name.value,
            source.address.value,
            pair.kind.keyword(),
            pair.name.value,
            target.name.value,
            target.address.value,
            replication(facts)
        ),
        format!("A failure of `{}` loses at most {worst}{}.", source.name.value, undeclared_rpo(pair)),
        String::new(),
        "Failover is manual on purpose: only a person can be sure the source is really down, and two \
         writable copies cannot be merged. Run each step on the host it names, as root."
            .to_owned(),
    ]
}

/// What a worst case without a declared rpo is: the cadence's, stated rather than judged.
fn undeclared_rpo(pair: &Pair) -> &'static str {
    if pair.rpo.is_some() {
        ""
    } else {
        " (no rpo is declared: this is the worst case of its declared cadence)"
    }
}

fn replication(facts: &Facts<'_>) -> String {
    let name = &facts.pair.name.value;
    match (facts.pair.engine.value, facts.pair.mode(), zrepl_transport(facts.pair)) {
        (Engine::Zrepl, Mode::Push, Some(transport)) => {
            format!("zrepl: the job `{name}_push` pushes each snapshot to the sink `{}`", sink_name(transport))
        }
        (Engine::Zrepl, _, _) => format!("zrepl: the job `{name}_pull` pulls from the job `{name}_source`"),
        (Engine::Syncoid, Mode::Pull, _) => {
            format!("syncoid, which the target runs to pull, from the units `zplan-replicate-{name}-*` there")
        }
        (Engine::Syncoid, _, _) => format!("syncoid, from the units `zplan-replicate-{name}-*` on the source"),
    }
}

fn step(text: impl Into<String>, host: &Node, commands: Vec<String>) -> RunbookStep {
    RunbookStep::new(text, format!("`{}`", host.name.value), commands)
}

fn section(heading: impl Into<String>, intro: impl Into<String>, steps: Vec<RunbookStep>) -> RunbookSection {
    RunbookSection { heading: heading.into(), intro: intro.into(), steps }
}

fn prepare(facts: &Facts<'_>) -> RunbookSection {
    let mut steps = Vec::new();
    match &facts.pair.target_root {
        Some(root) => steps.push(create_landing_root(facts, &root.value)),
        None => steps.extend(create_copy_parents(facts)),
    }
    let unmounted = received_unmounted(facts);
    let mounts: Vec<String> = facts
        .pair
        .datasets
        .iter()
        .filter_map(|r| {
            Some((copy_mountpoint(facts.policy, facts.pair, r)?, landing(facts.policy, facts.pair, &r.dataset.value)))
        })
        .flat_map(|(mount, copy)| {
            let set = format!("zfs set mountpoint={mount} {copy}");
            let mount = unmounted.then(|| format!("zfs mount {copy}"));
            std::iter::once(set).chain(mount)
        })
        .collect();
    if !mounts.is_empty() {
        let unmounted_note = if unmounted {
            format!(
                " The copies are received unmounted, since `{}` may not mount on Linux: mount them as root.",
                route(facts.pair, facts.target).user
            )
        } else {
            String::new()
        };
        steps.push(step(
            format!(
                "After the first replication, mount each copy where clients expect it; the copy keeps this \
                 mountpoint, since replication does not send it.{unmounted_note}"
            ),
            facts.target,
            mounts,
        ));
    }
    section("Before the first replication", "Once, when the pair is set up.", steps)
}

/// Where the target mounts the copy of a replicated dataset: the pair's `replicate … mount`,
/// or the target's own `mountpoint` of the copy.
fn copy_mountpoint<'p>(policy: &'p Policy, pair: &Pair, replicated: &'p Replicated) -> Option<&'p str> {
    if let Some(mount) = &replicated.mount {
        return Some(&mount.value);
    }
    let copy = landing(policy, pair, &replicated.dataset.value);
    let target = &policy.nodes[pair.nodes[1]];
    target.mountpoints.iter().find(|m| m.dataset.value == copy).map(|m| m.path.value.as_str())
}

/// Whether syncoid receives as an account other than root, and so with `zfs receive -u`.
fn received_unmounted(facts: &Facts<'_>) -> bool {
    facts.pair.engine.value == Engine::Syncoid && route(facts.pair, facts.target).user != ROOT_USER
}

/// The datasets below `root` that must exist before a copy is received: syncoid's `zfs
/// receive` does not create a missing parent (zrepl creates placeholders itself).
fn receive_parents(facts: &Facts<'_>, root: &str) -> Vec<String> {
    if facts.pair.engine.value != Engine::Syncoid {
        return Vec::new();
    }
    let landings = facts.pair.datasets.iter().map(|r| landing(facts.policy, facts.pair, &r.dataset.value));
    let parents = landings.filter_map(|copy| copy.rsplit_once('/').map(|(parent, _)| parent.to_owned()));
    let skipped = facts
        .pair
        .datasets
        .iter()
        .filter(|r| r.children_only)
        .map(|r| landing(facts.policy, facts.pair, &r.dataset.value));
    let mut parents: Vec<String> = parents.chain(skipped).filter(|parent| parent != root).collect();
    parents.sort();
    parents.dedup();
    parents
}

/// The step that creates the root the copies land under and, for syncoid, the parents
/// each copy is received into.
fn create_landing_root(facts: &Facts<'_>, root: &str) -> RunbookStep {
    let mut text = format!("Create the dataset the copies land under, unmounted, so that a copy without a mount stays unmounted (nothing happens if `{root}` exists).");
    let mut commands = vec![format!("zfs create -p -o mountpoint=none {root}")];
    let parents = receive_parents(facts, root);
    if !parents.is_empty() {
        text.push_str(
            " Then the parents the copies are received into, which inherit it: `zfs receive` does not create them.",
        );
        commands.extend(parents.into_iter().map(|parent| format!("zfs create -p {parent}")));
    }
    step(text, facts.target, commands)
}

/// Without an `under` root, the parents of copies named with `as`, which must exist
/// before syncoid receives into them (a pool's root always does).
fn create_copy_parents(facts: &Facts<'_>) -> Option<RunbookStep> {
    let parents: Vec<String> = receive_parents(facts, "").into_iter().filter(|parent| parent.contains('/')).collect();
    if parents.is_empty() {
        return None;
    }
    let text = "Create the datasets the named copies are received into: `zfs receive` does not create them \
                (nothing happens to one that exists).";
    Some(step(text, facts.target, parents.into_iter().map(|parent| format!("zfs create -p {parent}")).collect()))
}

fn check(facts: &Facts<'_>) -> RunbookSection {
    let name = &facts.pair.name.value;
    let status = match facts.pair.engine.value {
        Engine::Zrepl => vec!["zrepl status --mode raw".to_owned()],
        Engine::Syncoid => vec![
            format!("systemctl list-timers 'zplan-replicate-{name}-*'"),
            format!("journalctl -n 20 -u 'zplan-replicate-{name}-*'"),
        ],
    };
    let newest = facts
        .datasets
        .iter()
        .map(|(_, copy, _)| format!("zfs list -H -d 1 -t snapshot -o name,creation -s creation {copy} | tail -n 3"))
        .collect();
    let active = if facts.pair.target_drives() { facts.target } else { facts.source };
    section(
        "Check replication",
        "The newest snapshots on the target should be at most one interval old.",
        vec![
            step("See how replication went.", active, status),
            step("See the newest snapshots of each copy.", facts.target, newest),
        ],
    )
}

/// syncoid runs the guard before each replication; zrepl receives into a dataset that only
/// its own jobs change, and rolls nothing back.
fn guard_refusal(facts: &Facts<'_>) -> Option<RunbookSection> {
    if facts.pair.engine.value != Engine::Syncoid {
        return None;
    }
    let extra = format!(
        " It also refuses while a copy is writable: a failover promoted it, and the failback below sends what \
         was written there back to `{}` and makes the copy read-only again.",
        facts.source.name.value
    );
    let target = format!("`{}`", facts.target.name.value);
    Some(divergence_section(&guard_script(&facts.pair.name.value), &target, &extra))
}

fn failover(facts: &Facts<'_>) -> RunbookSection {
    let (source, target) = (facts.source, facts.target);
    let mut steps = vec![step(
        format!(
            "Make sure `{}` stays down: if it still runs, stop its NFS server and its replication; otherwise power it off.",
            source.name.value
        ),
        source,
        [stop_nfs(facts, source), stop_replication(facts, source)].concat(),
    )];
    let stop_target = match facts.pair.engine.value {
        Engine::Zrepl => format!(
            "Stop receiving, so that nothing can overwrite the copies once they are promoted.{}",
            shared_daemon(facts)
        ),
        Engine::Syncoid if facts.pair.target_drives() => "Stop pulling and pruning the copies, so that nothing \
             overwrites them once they are promoted, and a long failover cannot prune the snapshot the failback \
             starts from."
            .to_owned(),
        Engine::Syncoid => {
            "Stop pruning the copies, so that a long failover cannot prune the snapshot the failback starts from."
                .to_owned()
        }
    };
    steps.push(step(stop_target, target, stop_replication(facts, target)));
    steps.push(step(
        "Promote the copies: make them writable.",
        target,
        facts.datasets.iter().map(|(_, copy, _)| format!("zfs inherit -r readonly {copy}")).collect(),
    ));
    steps.extend(serve_read_write(facts));
    steps.push(step(
        format!(
            "Until the failback is done, do not deploy zplan's files to `{}`: they would make the copies read-only again.",
            target.name.value
        ),
        target,
        Vec::new(),
    ));
    section(
        format!("Failover: `{}` is lost, `{}` takes over", source.name.value, target.name.value),
        "Only when the source is down for longer than its clients can wait. What the source wrote after the last replicated snapshot is not on the target; if the source comes back, the failback copies it aside before sending the data back.",
        steps,
    )
}

/// On a failover, the target serves the pair's data read-write, and clients move: the
/// copies the pair's servers export, and the copies of what node servers on the source
/// export of the pair's data (only those: their other exports stay down with the source).
fn serve_read_write(facts: &Facts<'_>) -> Vec<RunbookStep> {
    let target = facts.target;
    let servers: Vec<&NfsServer> = servers(facts).collect();
    let moved = moved_exports(facts);
    if servers.is_empty() && moved.is_empty() {
        return Vec::new();
    }
    let mut steps = Vec::new();
    let mounts: Vec<String> = moved
        .iter()
        .filter(|m| m.mounts_copy)
        .map(|m| format!("zfs set mountpoint={} {}", m.served.mountpoint, m.copy))
        .collect();
    if !mounts.is_empty() {
        steps.push(step(
            "Mount the copies that the source's file server exported where the source had them, so that clients \
             find the same paths.",
            target,
            mounts,
        ));
    }
    let path = exports_path(target.os.value);
    let mut commands = vec![format!("cat > /{path} <<'EOF'")];
    let served: Vec<MovedExport<'_>> = moved.iter().map(|m| m.served.clone()).collect();
    commands.extend(failover_export_lines(facts.policy, &facts.fleet.served, &servers, target, &served));
    commands.push("EOF".to_owned());
    commands.push(reload_exports(target.os.value).to_owned());
    let text = if moved.is_empty() {
        "Serve the copies read-write: replace zplan's read-only exports."
    } else {
        "Serve the copies read-write: replace zplan's exports with these, which serve the copies of what the \
         source's file server exported of this pair's data."
    };
    steps.push(step(text, target, commands));
    for server in servers {
        let remount = match target.os.value {
            Os::FreeBsd => " FreeBSD exports carry no fsid, so clients get stale file handles and must remount.",
            Os::Linux => " The exports carry the same fsid on both nodes, so clients keep their file handles.",
        };
        let remount = format!(
            "{remount} The target's NFS server is another server to NFSv4 clients (its own server scope and client records): they cannot reclaim their locks, and applications that held locks get errors."
        );
        steps.push(step(
            format!(
                "Move the address clients mount, {}, to `{}` (by CARP, DNS or by hand).{remount}",
                server.address.value, target.name.value
            ),
            target,
            Vec::new(),
        ));
    }
    steps.extend(move_node_server_clients(facts, &moved));
    steps
}

/// The clients of a node server on the source move to the target for the exports of this
/// pair's data; the step names them, where the target serves them, and what stays behind.
fn move_node_server_clients(facts: &Facts<'_>, moved: &[Moved<'_>]) -> Vec<RunbookStep> {
    let mut servers: Vec<&NfsServer> = moved.iter().map(|m| m.server).collect();
    servers.dedup_by(|a, b| std::ptr::eq(*a, *b));
    let (source, target) = (&facts.source.name.value, &facts.target.name.value);
    servers
        .into_iter()
        .map(|server| {
            let of_server: Vec<&Moved<'_>> = moved.iter().filter(|m| std::ptr::eq(m.server, server)).collect();
            let paths: Vec<String> = of_server
                .iter()
                .map(|m| match m.served.path == m.export.path.value {
                    true => format!("`{}`", m.export.path.value),
                    false => format!("`{}` (on `{target}` at `{}`)", m.export.path.value, m.served.path),
                })
                .collect();
            let left: Vec<String> = server
                .exports
                .iter()
                .filter(|e| !of_server.iter().any(|m| std::ptr::eq(m.export, *e)))
                .map(|e| format!("`{}`", e.path.value))
                .collect();
            let left = match left.as_slice() {
                [] => String::new(),
                paths => format!(
                    " Its other exports, {}, are not this pair's data: they come back with `{source}`.",
                    paths.join(", ")
                ),
            };
            let (name, address, paths) = (&server.name.value, &server.address.value, paths.join(", "));
            let text = if of_server.iter().all(|m| m.served.path == m.export.path.value) {
                format!(
                    "Move the address clients of nfs server `{name}` mount, {address}, to `{target}` (by DNS or by \
                     hand): `{target}` serves {paths} now.{left}"
                )
            } else {
                format!(
                    "Point the clients of nfs server `{name}` at `{target}` for {paths}: where a path differs on \
                     `{target}`, moving the address they mount, {address}, is not enough, and their mounts must \
                     change.{left}"
                )
            };
            step(text, facts.target, Vec::new())
        })
        .collect()
}

fn failback(facts: &Facts<'_>) -> RunbookSection {
    let (source, target) = (facts.source, facts.target);
    let mut steps = vec![
        step(
            format!(
                "Keep `{}` from serving and replicating until it has the data back.{}",
                source.name.value,
                stopped_with_the_source(facts)
            ),
            source,
            [stop_nfs(facts, source), stop_replication(facts, source)].concat(),
        ),
        step(
            "Stop the writers, then take a last snapshot of every copy.",
            target,
            facts.datasets.iter().map(|(_, copy, _)| format!("zfs snapshot -r {copy}@{FAILBACK_SNAPSHOT}")).collect(),
        ),
    ];
    if facts.pair.engine.value == Engine::Zrepl {
        steps.push(step(
            "Release zrepl's holds on the source's snapshots, so that the rollback below may destroy them.",
            source,
            facts.datasets.iter().map(|(dataset, _, recursive)| release_holds(dataset, *recursive)).collect(),
        ));
    }
    steps.extend(common_snapshot(facts));
    steps.push(keep_diverged(facts));
    steps.push(step(
        "Roll the source back to COMMON: this destroys its snapshots after COMMON and what it wrote since, \
         which never reached the target and are now kept aside.",
        source,
        facts
            .datasets
            .iter()
            .map(|(dataset, _, recursive)| roll_back(dataset, "COMMON", depth(facts, dataset, *recursive)))
            .collect(),
    ));
    steps.push(step(send_back_text(facts), target, send_back_commands(facts)));
    steps.push(read_only_again(facts));
    steps.push(step("Resume replication, the receiving side first.", target, start_replication(facts, target)));
    steps.push(step(
        format!("Resume replication and serving on `{}`, and move the clients' address back to it.", source.name.value),
        source,
        [start_replication(facts, source), start_nfs(facts, source)].concat(),
    ));
    steps.extend(fan_out_siblings(facts));
    steps.push(step(
        "Once a newer snapshot has replicated, remove the failback snapshot from the copies (zrepl and sanoid prune only their own snapshots)…",
        target,
        facts.datasets.iter().map(|(_, copy, _)| format!("zfs destroy -r {copy}@{FAILBACK_SNAPSHOT}")).collect(),
    ));
    steps.push(step(
        "…and from the source.",
        source,
        facts.datasets.iter().map(|(dataset, _, _)| format!("zfs destroy -r {dataset}@{FAILBACK_SNAPSHOT}")).collect(),
    ));
    steps.push(remove_diverged(facts));
    section(
        format!("Failback: `{}` returns and takes the data back", source.name.value),
        "After a failover, when the source is back and the target holds the newest data.",
        steps,
    )
}

/// The exports of node servers on the source that are not this pair's data, which stopping
/// its NFS server stops too; said where node servers export the pair's data.
fn stopped_with_the_source(facts: &Facts<'_>) -> String {
    let Some(moved) = facts.fleet.node_exports_of_pair.get(&facts.index) else { return String::new() };
    let on_source = facts.fleet.node_servers.get(&facts.pair.nodes[0]).into_iter().flatten();
    let others: Vec<String> = on_source
        .flat_map(|server| &server.exports)
        .filter(|export| !moved.iter().any(|(_, m)| std::ptr::eq(*m, *export)))
        .map(|export| format!("`{}`", export.path.value))
        .collect();
    match others.as_slice() {
        [] => String::new(),
        paths => format!(" This stops its other exports too, {}, until the last step.", paths.join(", ")),
    }
}

/// Finding the newest snapshot both sides share: names do not prove the same data, guids do.
fn common_snapshot(facts: &Facts<'_>) -> Vec<RunbookStep> {
    let list = |dataset: &str, source: &str, recursive: bool| {
        let reach = if depth(facts, source, recursive) == Depth::Children { "-d 2" } else { "-d 1" };
        format!("zfs list -H {reach} -t snapshot -o guid,name -s createtxg {dataset}")
    };
    vec![
        step(
            "Find the newest snapshot both sides have, by guid: list the source's snapshots…",
            facts.source,
            facts.datasets.iter().map(|(dataset, _, recursive)| list(dataset, dataset, *recursive)).collect(),
        ),
        step(
            "…and the copies'. The newest guid in both lists is the common snapshot; call the part of its name after `@` COMMON.",
            facts.target,
            facts.datasets.iter().map(|(dataset, copy, recursive)| list(copy, dataset, *recursive)).collect(),
        ),
    ]
}

/// The copies go back to read-only. syncoid receives into them with `--no-rollback`, so
/// each must also be exactly its failback snapshot: reads since then changed access times.
fn read_only_again(facts: &Facts<'_>) -> RunbookStep {
    let target = facts.target;
    let mut commands: Vec<String> =
        facts.datasets.iter().map(|(_, copy, _)| format!("zfs set readonly=on {copy}")).collect();
    commands.extend(
        moved_exports(facts).iter().filter(|m| m.mounts_copy).map(|m| format!("zfs inherit mountpoint {}", m.copy)),
    );
    let deploy = format!("deploy zplan's files to `{}`, which restores its read-only exports", target.name.value);
    if facts.pair.engine.value != Engine::Syncoid {
        return step(format!("Make the copies read-only again, then {deploy}."), target, commands);
    }
    commands.extend(
        facts
            .datasets
            .iter()
            .map(|(dataset, copy, recursive)| roll_back(copy, FAILBACK_SNAPSHOT, depth(facts, dataset, *recursive))),
    );
    let text = format!(
        "Make the copies read-only again and roll them back to the failback snapshot, which drops only access \
         times now that the writers are stopped: syncoid receives without rolling back, so a copy changed since \
         its newest snapshot would fail it. Then {deploy}."
    );
    step(text, target, commands)
}

/// How much of a replicated dataset a runbook command works on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Depth {
    Single,
    Recursive,
    /// `replicate DATASET children`: its descendants, which have the snapshots; the
    /// dataset itself has none.
    Children,
}

/// The depth of a source dataset of the pair, replicated recursively or not.
fn depth(facts: &Facts<'_>, dataset: &str, recursive: bool) -> Depth {
    let children = facts.pair.datasets.iter().any(|r| r.children_only && r.dataset.value == dataset);
    match (children, recursive) {
        (true, _) => Depth::Children,
        (false, true) => Depth::Recursive,
        (false, false) => Depth::Single,
    }
}

/// The datasets a loop over a replicated tree walks: all of them, or the children only.
fn tree_listing(dataset: &str, depth: Depth) -> String {
    match depth {
        Depth::Children => format!("zfs list -H -o name -r {dataset} | tail -n +2"),
        _ => format!("zfs list -H -o name -r {dataset}"),
    }
}

/// `zfs rollback` works on one dataset; a recursive copy rolls back each of its datasets.
fn roll_back(dataset: &str, snapshot: &str, depth: Depth) -> String {
    match depth {
        Depth::Single => format!("zfs rollback -r {dataset}@{snapshot}"),
        _ => {
            format!("{} | while read -r fs; do zfs rollback -r \"$fs@{snapshot}\"; done", tree_listing(dataset, depth))
        }
    }
}

fn release_holds(dataset: &str, recursive: bool) -> String {
    if recursive {
        format!("zrepl zfs-abstraction release-all --fs '{dataset}<:ok'")
    } else {
        format!("zrepl zfs-abstraction release-all --fs {dataset}")
    }
}

/// Where the failback keeps what the source wrote after COMMON: beside the dataset, out of
/// reach of its rollback and of a recursive replication. A pool's root has no sibling, so
/// its copy goes to another pool the runbook calls POOL.
fn diverged_name(dataset: &str) -> String {
    if dataset.contains('/') {
        format!("{dataset}-diverged")
    } else {
        format!("POOL/{dataset}-diverged")
    }
}

/// The step that copies the source's state after COMMON aside before the rollback destroys
/// it: a full local copy, since a clone would depend on a snapshot the rollback destroys,
/// and a renamed dataset would no longer be the one the copies send back to.
fn keep_diverged(facts: &Facts<'_>) -> RunbookStep {
    let mut commands = Vec::new();
    for (dataset, _, recursive) in &facts.datasets {
        commands.push(format!("zfs list -o name,used,avail {dataset}"));
        commands.extend(copy_aside(dataset, *recursive));
    }
    let mut text = "Keep what the source has after COMMON, which the rollback below destroys: snapshot it as it \
         is now and copy it into a dataset of its own beside it, received unmounted and read-only, for you to \
         look at later."
        .to_owned();
    if facts.datasets.iter().any(|(_, _, recursive)| !*recursive) {
        text.push_str(&format!(
            " A single dataset is copied from COMMON on: COMMON, its snapshots after it and {DIVERGED_SNAPSHOT}."
        ));
    }
    if facts.datasets.iter().any(|(_, _, recursive)| *recursive) {
        text.push_str(
            " A recursive dataset is copied whole, its children and all its snapshots, and raw (`-w`), since \
             `zfs send -R` refuses an encrypted dataset otherwise.",
        );
    }
    text.push_str(
        " The copy needs room: at most the USED that `zfs list` shows, so check AVAIL first; without the room, \
         receive it into another pool.",
    );
    if facts.datasets.iter().any(|(dataset, _, _)| !dataset.contains('/')) {
        text.push_str(" POOL is another pool with the room: the root of a pool has no sibling to copy it to.");
    }
    step(text, facts.source, commands)
}

/// The commands that copy one dataset of the source, as it is now, aside.
fn copy_aside(dataset: &str, recursive: bool) -> Vec<String> {
    let kept = diverged_name(dataset);
    if recursive {
        vec![
            format!("zfs snapshot -r {dataset}@{DIVERGED_SNAPSHOT}"),
            format!(
                "zfs send -w -R {dataset}@{DIVERGED_SNAPSHOT} | zfs receive -u -x mountpoint -o readonly=on {kept}"
            ),
        ]
    } else {
        vec![
            format!("zfs snapshot {dataset}@{DIVERGED_SNAPSHOT}"),
            format!("zfs send {dataset}@COMMON | zfs receive -u -o readonly=on {kept}"),
            format!("zfs send -I @COMMON {dataset}@{DIVERGED_SNAPSHOT} | zfs receive -u {kept}"),
        ]
    }
}

/// The last step: the copy aside stays until a person has checked it.
fn remove_diverged(facts: &Facts<'_>) -> RunbookStep {
    let kept: Vec<String> = facts.datasets.iter().map(|(dataset, _, _)| diverged_name(dataset)).collect();
    let example = kept.first().map_or("", String::as_str);
    let mut text = format!(
        "What the source had after COMMON is in the copy kept aside: mount it to look (`zfs mount {example}`, \
         read-only, where its parent's mountpoint puts it), and `zfs diff {example}@COMMON \
         {example}@{DIVERGED_SNAPSHOT}` lists what the source wrote after COMMON."
    );
    if facts.datasets.iter().any(|(_, _, recursive)| *recursive) {
        text.push_str(" An encrypted copy needs its key first: `zfs load-key -r` on it.");
    }
    text.push_str(" Once you have taken what you need, destroy it, which frees the room it took.");
    step(text, facts.source, kept.iter().map(|kept| format!("zfs destroy -r {kept}")).collect())
}

fn send_back_text(facts: &Facts<'_>) -> String {
    let mut text = "Send what the copies have after COMMON back to the source. The receive has no `-F`, so it \
         destroys nothing there: the source keeps the older snapshots the copies pruned"
        .to_owned();
    if facts.datasets.iter().any(|(_, _, recursive)| *recursive) {
        text.push_str(", and the datasets only it has (`-F` with a replication stream, `zfs send -R`, destroys both)");
    }
    text.push_str(
        ". It refuses if a dataset of the source changed since the rollback (reading files there updates access \
         times): roll that dataset back to COMMON again and repeat.",
    );
    text
}

fn send_back_commands(facts: &Facts<'_>) -> Vec<String> {
    let address = &facts.source.address.value;
    let raw = if sends_raw(facts.pair) { "-w " } else { "" };
    let send_back = |(dataset, copy, recursive): &(&str, String, bool)| {
        if depth(facts, dataset, *recursive) == Depth::Children {
            return format!(
                "zfs list -H -o name -d 1 {copy} | tail -n +2 | while read -r fs; do zfs send {raw}-R -I @COMMON \"$fs@{FAILBACK_SNAPSHOT}\" | ssh root@{address} zfs receive -x mountpoint -x readonly \"{dataset}${{fs#{copy}}}\"; done"
            );
        }
        let replicate = if *recursive { "-R " } else { "" };
        format!(
            "zfs send {raw}{replicate}-I @COMMON {copy}@{FAILBACK_SNAPSHOT} | ssh root@{address} zfs receive -x mountpoint -x readonly {dataset}"
        )
    };
    facts.datasets.iter().map(send_back).collect()
}

/// Whether replication sends raw, so that an encrypted copy goes back as it came: still
/// encrypted, under the source's key, without the key loaded on the target.
fn sends_raw(pair: &crate::model::Pair) -> bool {
    pair.send.iter().any(|flag| flag.value.on && matches!(flag.value.option, SendOption::Raw | SendOption::Encrypted))
}

/// The other targets of a fan-out after a failback: the rollback destroyed snapshots they
/// may already hold, and zrepl stops their replication with a conflict until each copy is
/// back at a snapshot the source still has. Only listings: which one is for a person to say.
fn fan_out_siblings(facts: &Facts<'_>) -> Vec<RunbookStep> {
    let Some(fan_out) = crate::facts::zrepl::fan_out_of(&facts.fleet.derived.fan_outs, facts.index) else {
        return Vec::new();
    };
    fan_out
        .pairs
        .iter()
        .filter(|index| **index != facts.index)
        .map(|index| {
            let sibling = &facts.policy.pairs[*index];
            let target = &facts.policy.nodes[sibling.nodes[1]];
            let text = format!(
                "Pair `{}` sends the same datasets to `{}`, which may hold snapshots newer than COMMON that the source no longer has: zrepl then stops that pair with a conflict. List its copies' snapshots, and roll each copy back to the newest guid the source still lists (`zfs rollback -r COPY@SNAPSHOT`), or leave that pair stopped until a person decides.",
                sibling.name.value, target.name.value
            );
            let commands = sibling
                .datasets
                .iter()
                .map(|r| {
                    let copy = landing(facts.policy, sibling, &r.dataset.value);
                    format!("zfs list -H -d 1 -t snapshot -o guid,name -s createtxg {copy}")
                })
                .collect();
            step(text, target, commands)
        })
        .collect()
}

/// Other pairs whose zrepl jobs run in the target's daemon, which stopping it stops too.
fn shared_daemon(facts: &Facts<'_>) -> String {
    if facts.pair.engine.value != Engine::Zrepl {
        return String::new();
    }
    let target = facts.pair.nodes[1];
    let mut others: Vec<&str> = facts
        .fleet
        .derived
        .jobs
        .get(&target)
        .into_iter()
        .flatten()
        .flat_map(|job| &job.pairs)
        .map(|index| facts.policy.pairs[*index].name.value.as_str())
        .filter(|name| *name != facts.pair.name.value)
        .collect();
    others.sort_unstable();
    others.dedup();
    match others.as_slice() {
        [] => String::new(),
        names => format!(" This stops pair `{}` too, which runs in the same zrepl daemon.", names.join("`, `")),
    }
}

fn service(os: Os, verb: &str, linux_unit: &str, freebsd_service: &str) -> String {
    match os {
        Os::Linux => format!("systemctl {verb} {linux_unit}"),
        Os::FreeBsd => format!("service {freebsd_service} {verb}"),
    }
}

/// The NFS servers that serve this pair's data.
fn servers<'p>(facts: &Facts<'p>) -> impl Iterator<Item = &'p NfsServer> + 'p {
    facts.fleet.servers_of_pair.get(&facts.index).into_iter().flatten().copied()
}

fn stop_nfs(facts: &Facts<'_>, node: &Node) -> Vec<String> {
    nfs_commands(facts, node, "stop")
}

fn start_nfs(facts: &Facts<'_>, node: &Node) -> Vec<String> {
    nfs_commands(facts, node, "start")
}

/// Stops or starts the node's NFS server where a server serves this pair's data there.
fn nfs_commands(facts: &Facts<'_>, node: &Node, verb: &str) -> Vec<String> {
    let node_exports = facts.fleet.node_exports_of_pair.contains_key(&facts.index);
    match servers(facts).next().is_some() || node_exports {
        true => vec![service(node.os.value, verb, "nfs-server.service", "nfsd")],
        false => Vec::new(),
    }
}

fn stop_replication(facts: &Facts<'_>, node: &Node) -> Vec<String> {
    replication_commands(facts, node, "stop")
}

fn start_replication(facts: &Facts<'_>, node: &Node) -> Vec<String> {
    replication_commands(facts, node, "start")
}

/// zrepl runs as a daemon on both nodes. With syncoid, the source snapshots and the target
/// prunes from timers, and the side that drives replication (the source, or the target of
/// a pull) replicates from timers too.
fn replication_commands(facts: &Facts<'_>, node: &Node, verb: &str) -> Vec<String> {
    let pair = facts.pair;
    let on_source = std::ptr::eq(node, facts.source);
    let mut timers = match pair.engine.value {
        Engine::Zrepl => return vec![service(node.os.value, verb, "zrepl.service", "zrepl")],
        Engine::Syncoid if on_source => {
            let owned = |r: &Replicated| snapshot_owner(facts.policy, pair, r).is_some();
            let received = |r: &Replicated| facts.fleet.derived.cascades.upstream(facts.policy, pair, r).is_some();
            let own_snapshots =
                pair.datasets.iter().any(|r| !owned(r) && !received(r)).then(|| snapshot_unit_stem(pair));
            let node_snapshots = pair.datasets.iter().any(owned).then(|| NODE_SANOID_STEM.to_owned());
            own_snapshots.into_iter().chain(node_snapshots).collect()
        }
        Engine::Syncoid => vec![prune_unit_stem(pair)],
    };
    if on_source != pair.target_drives() {
        timers.extend(pair.datasets.iter().map(|r| replication_unit_stem(pair, &r.dataset.value)));
    }
    timers.iter().map(|stem| format!("systemctl {verb} {stem}.timer")).collect()
}
