//! The files of a replicating pair on each of its nodes: per-role sanoid configs, the
//! role-gated snapshot, prune and replication units, the role and guard scripts, and
//! masks over the stock sanoid units so that nothing runs sanoid with the wrong config.

use super::files::*;
use super::monitor::{monitor_units, sanoid_keys, Bounds, Check, Section};
use super::runbook::{has_runbook, runbook_path};
use super::ssh::SshPeer;
use super::systemd::{self, add_timed_service, calendar, FILE_MODE, LIBEXEC_DIR, SCRIPT_MODE};
use crate::facts::identity::{delegations, local_account, route, unprivileged, Delegation, Side};
use crate::facts::landing;
use crate::facts::naming::{prune_unit_stem, replication_unit_stem, snapshot_unit_stem};
use crate::facts::schedule::{self, Schedule, ROLE_CHECKS, ROLE_CHECK_PAUSE_SECONDS};
use crate::facts::{cascade_worst, chain, sent_schedule, snapshot_owner, Cascades, Facts};
use crate::model::tools::{syncoid_accepts, SanoidVersion};
use crate::model::{Node, Pair, Policy, Replicated, Retention, Roles, SnapshotKind, ROOT_USER};

/// Seconds after each snapshot slot that replication starts, so it usually sends the
/// snapshot just taken (the worst case does not count on it).
const REPLICATION_OFFSET: u64 = 30;

/// A role a node can hold in a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Active,
    Standby,
}

impl Role {
    fn as_str(self) -> &'static str {
        match self {
            Role::Active => "active",
            Role::Standby => "standby",
        }
    }
}

/// Everything one node needs to know to get its files for one pair.
struct OnNode<'p> {
    facts: &'p Facts<'p>,
    policy: &'p Policy,
    pair: &'p Pair,
    node: &'p Node,
    peer: &'p Node,
    schedule: Schedule,
    roles: Vec<Role>,
    cascades: &'p Cascades,
    /// The pair's index in [`Policy::pairs`].
    index: usize,
    /// The freshness bounds its sanoid configs are monitored by.
    bounds: &'p Bounds,
    /// The node's index in [`Policy::nodes`].
    node_index: usize,
}

/// Adds the files of one pair on both of its nodes.
pub fn pair_files(facts: &Facts<'_>, bounds: &Bounds, index: usize, files: &mut Files) {
    let (policy, cascades) = (facts.policy, &facts.cascades);
    let pair = &policy.pairs[index];
    let schedule = facts.planned(pair);
    for slot in 0..2 {
        let on = OnNode {
            facts,
            policy,
            pair,
            node: &policy.nodes[pair.nodes[slot]],
            peer: &policy.nodes[pair.nodes[1 - slot]],
            schedule,
            roles: roles_of(pair, slot),
            cascades,
            index,
            bounds,
            node_index: pair.nodes[slot],
        };
        node_files(&on, files);
    }
    delegation_files(policy, pair, files);
}

/// The script that gives each node's accounts the rights the pair's replication uses there,
/// run by the deploy whenever it changes.
fn delegation_files(policy: &Policy, pair: &Pair, files: &mut Files) {
    for (node, list) in delegations(policy, pair) {
        let host = &policy.nodes[node].name.value;
        let path = format!("{LIBEXEC_DIR}/delegate-{}", pair.name.value);
        let script = Script::Delegate {
            pair: pair.name.value.clone(),
            node: host.clone(),
            grants: grants(&list),
            unmounted_copies: list.iter().any(|delegation| delegation.side == Side::Target),
        };
        let action = Action::Run(format!("/{path}"));
        files.add(host, path, SCRIPT_MODE, Content::Script(script), vec![action]);
    }
}

/// One line per account, dataset and rights, naming every replicated dataset it serves.
fn grants(delegations: &[Delegation]) -> Vec<Grant> {
    let mut merged: Vec<(&Delegation, Vec<&str>)> = Vec::new();
    for delegation in delegations {
        let same = |(seen, _): &&mut (&Delegation, Vec<&str>)| {
            (&seen.user, &seen.dataset, &seen.permissions, seen.side)
                == (&delegation.user, &delegation.dataset, &delegation.permissions, delegation.side)
        };
        match merged.iter_mut().find(same) {
            Some((_, replicated)) => replicated.push(&delegation.replicated),
            None => merged.push((delegation, vec![&delegation.replicated])),
        }
    }
    merged.into_iter().map(|(delegation, replicated)| grant(delegation, &replicated.join(", "))).collect()
}

fn grant(delegation: &Delegation, replicated: &str) -> Grant {
    let purpose = match delegation.side {
        Side::Source => format!("sent from here as {}: {replicated}", delegation.user),
        Side::Target => format!("received under {} as {}: {replicated}", delegation.dataset, delegation.user),
    };
    Grant {
        user: delegation.user.clone(),
        dataset: delegation.dataset.clone(),
        permissions: delegation.permissions.join(","),
        purpose,
    }
}

/// The active role keeps the pair's retention, the standby role the receiver's.
fn role_retention<'p>(on: &OnNode<'p>, role: Role) -> &'p Retention {
    let index = match role {
        Role::Active => on.pair.retention,
        Role::Standby => on.pair.receiver_retention(),
    };
    &on.policy.retentions[index]
}

/// The role whose node runs syncoid: the active source pushes; a static pair's target
/// pulls with `mode pull`, so that the source holds no key to its backups.
fn driving_role(pair: &Pair) -> Role {
    if pair.target_drives() {
        Role::Standby
    } else {
        Role::Active
    }
}

/// The nodes that send and receive, as seen from `on`.
fn source_and_target<'p>(on: &OnNode<'p>) -> (&'p Node, &'p Node) {
    match driving_role(on.pair) {
        Role::Active => (on.node, on.peer),
        Role::Standby => (on.peer, on.node),
    }
}

/// The roles a node may hold: both when the role follows a guest, else the fixed one.
fn roles_of(pair: &Pair, slot: usize) -> Vec<Role> {
    match (&pair.roles, slot) {
        (Roles::FollowsGuest { .. }, _) => vec![Role::Active, Role::Standby],
        (Roles::Static, 0) => vec![Role::Active],
        (Roles::Static, _) => vec![Role::Standby],
    }
}

fn node_files(on: &OnNode<'_>, files: &mut Files) {
    let host = &on.node.name.value;
    files.add(
        host,
        format!("{LIBEXEC_DIR}/role-{}", on.pair.name.value),
        SCRIPT_MODE,
        Content::Script(role_script(on)),
        vec![],
    );
    for role in &on.roles {
        let snapshots_here = *role == Role::Standby || !sorted_datasets(on, *role).is_empty();
        if snapshots_here {
            sanoid_config(on, *role, files);
            monitor_config(on, *role, files);
        }
        match role {
            Role::Active => {
                if snapshots_here {
                    snapshot_units(on, files);
                }
            }
            Role::Standby => prune_units(on, files),
        }
        if *role == driving_role(on.pair) {
            replication_units(on, files);
        }
    }
    super::snapshots::mask_stock_sanoid(files, host);
}

fn role_script(on: &OnNode<'_>) -> Script {
    let pair = on.pair.name.value.clone();
    let node = on.node.name.value.clone();
    match &on.pair.roles {
        Roles::FollowsGuest { guest } => Script::RoleFollowsGuest {
            pair,
            node,
            guest: guest.value,
            checks: ROLE_CHECKS,
            pause_seconds: ROLE_CHECK_PAUSE_SECONDS,
        },
        Roles::Static => Script::RoleStatic { pair, node, role: on.roles[0].as_str() },
    }
}

/// The directory of a role's sanoid config on a node.
fn config_dir(pair: &Pair, role: Role) -> String {
    format!("etc/sanoid/zplan/{}-{}", pair.name.value, role.as_str())
}

/// The check of a role's sanoid config dir, gated by the role as its other units are.
fn monitor_config(on: &OnNode<'_>, role: Role, files: &mut Files) {
    let dir = config_dir(on.pair, role);
    let what = match role {
        Role::Active => format!("{} {} (active role)", on.pair.kind.keyword(), on.pair.name.value),
        Role::Standby => format!("the copies of {} {} (standby role)", on.pair.kind.keyword(), on.pair.name.value),
    };
    let condition = Some(format!("{} {}", systemd::role_script(&on.pair.name.value), role.as_str()));
    let check = Check { host: &on.node.name.value, config_dir: &dir, condition, what };
    monitor_units(&on.policy.monitoring, check, files);
}

fn sanoid_config(on: &OnNode<'_>, role: Role, files: &mut Files) {
    let dir = config_dir(on.pair, role);
    let host = &on.node.name.value;
    let toggle = |on: bool| if on { "yes" } else { "no" };
    let retention = role_retention(on, role);
    let kept: Vec<SnapshotKind> = counts(retention, &on.schedule)
        .iter()
        .zip(SnapshotKind::ALL)
        .filter(|(c, _)| c.count > 0)
        .map(|(_, k)| k)
        .collect();
    let datasets = sorted_datasets(on, role)
        .into_iter()
        .map(|(name, recursive, children_only)| {
            let section = Section {
                node: on.node_index,
                pair: Some(on.index),
                receives: role == Role::Standby,
                dataset: &name,
                kept: &kept,
            };
            let monitor = sanoid_keys(on.facts, on.bounds, &section);
            SanoidDataset {
                recursive: toggle(recursive),
                children_only,
                autosnap: toggle(role == Role::Active),
                autoprune: "yes",
                monitor,
                name,
            }
        })
        .collect();
    let template = SanoidTemplate {
        name: retention.name.value.clone(),
        frequent_period: on.schedule.frequent_period_minutes(),
        counts: counts(retention, &on.schedule),
        times: super::snapshots::declared_times(retention),
    };
    let conf = SanoidConf {
        kind: on.pair.kind.title(),
        pair: on.pair.name.value.clone(),
        role: role.as_str(),
        datasets,
        template,
    };
    files.add(host, format!("{dir}/sanoid.conf"), FILE_MODE, Content::SanoidConf(conf), vec![]);
    files.add(host, format!("{dir}/sanoid.defaults.conf"), FILE_MODE, Content::SanoidDefaults, vec![]);
}

/// The datasets a role holds on its node, sorted so that a parent's section comes before
/// its children's: the source's own names while active, and where each copy lands while
/// standby (under a static target's `under` dataset), so that sanoid prunes the copy and
/// never a local dataset that happens to share the source's name. While active, the
/// datasets whose snapshots the node's own `snapshot` statement takes are left to it.
fn sorted_datasets(on: &OnNode<'_>, role: Role) -> Vec<(String, bool, bool)> {
    let name = |dataset: &str| match role {
        Role::Active => dataset.to_owned(),
        Role::Standby => landing(on.policy, on.pair, dataset),
    };
    let snapshotted_here = |r: &&Replicated| role == Role::Standby || !sends_only(on, r);
    let mut datasets: Vec<(String, bool, bool)> = on
        .pair
        .datasets
        .iter()
        .filter(snapshotted_here)
        .map(|r| (name(&r.dataset.value), r.recursive, r.children_only))
        .collect();
    datasets.sort();
    datasets
}

fn counts(retention: &Retention, schedule: &Schedule) -> Vec<SanoidCount> {
    SnapshotKind::ALL
        .iter()
        .map(|kind| SanoidCount {
            kind: kind.keyword(),
            count: match kind {
                SnapshotKind::Frequently => schedule::frequent_count(retention, schedule),
                other => retention.count(*other).map_or(0, |c| c.value),
            },
        })
        .collect()
}

fn sanoid_service(on: &OnNode<'_>, role: Role, description: String, sanoid_args: &str) -> Unit {
    let condition = format!("{} {}", systemd::role_script(&on.pair.name.value), role.as_str());
    let exec_start = format!("/usr/sbin/sanoid --configdir=/{} {sanoid_args} --verbose", config_dir(on.pair, role));
    systemd::sanoid_unit(description, Some(condition), exec_start)
}

fn rpo_comment(on: &OnNode<'_>) -> String {
    let pile_up = on.pair.outage.as_ref().map_or_else(String::new, |outage| {
        let pile_up = schedule::pile_up(role_retention(on, Role::Active), &on.schedule, outage.value);
        format!(" {}", pile_up.sentence(outage.value))
    });
    format!(
        "Worst-case loss of {} {}: {}, {}.{pile_up}",
        on.pair.kind.keyword(),
        on.pair.name.value,
        on.schedule.arithmetic(),
        schedule::rpo_clause(on.pair.rpo.as_ref(), "its")
    )
}

/// Whether the pair only sends a dataset's snapshots from its source: the node's own
/// statement takes them (fan-out), or they arrive from another pair (a cascade).
fn sends_only(on: &OnNode<'_>, replicated: &Replicated) -> bool {
    snapshot_owner(on.policy, on.pair, replicated).is_some()
        || on.cascades.upstream(on.policy, on.pair, replicated).is_some()
}

/// The worst case of a dataset another pair delivers to this pair's source: the chain's.
fn cascade_comment(on: &OnNode<'_>, replicated: &Replicated) -> Option<String> {
    let links = chain(on.policy, on.cascades, on.index, replicated).ok().filter(|links| links.len() > 1)?;
    let worst = cascade_worst(on.facts, &links)?;
    Some(format!(
        "Worst-case loss of {} {}: {}, {}; {} arrives from pair {} and is sent on as received.",
        on.pair.kind.keyword(),
        on.pair.name.value,
        worst.arithmetic,
        schedule::rpo_clause(on.pair.rpo.as_ref(), "its"),
        replicated.dataset.value,
        on.policy.pairs[links[links.len() - 2].0].name.value
    ))
}

/// The worst case of a dataset whose snapshots the node's own statement takes: the node's
/// snapshot gap in place of the pair's, as the fan-out check proved it.
fn fan_out_comment(on: &OnNode<'_>, replicated: &Replicated) -> Option<String> {
    snapshot_owner(on.policy, on.pair, replicated)?;
    let sent = sent_schedule(on.policy, on.pair, replicated, on.schedule);
    Some(format!(
        "Worst-case loss of {} {}: {}, {}; node {} takes the snapshots (zplan-sanoid.timer), and every pair that sends {} only sends them.",
        on.pair.kind.keyword(),
        on.pair.name.value,
        sent.arithmetic(),
        schedule::rpo_clause(on.pair.rpo.as_ref(), "its"),
        on.node.name.value,
        replicated.dataset.value
    ))
}

fn snapshot_units(on: &OnNode<'_>, files: &mut Files) {
    let pair = &on.pair.name.value;
    let stem = snapshot_unit_stem(on.pair);
    let service = sanoid_service(
        on,
        Role::Active,
        format!("Take and prune the snapshots of {} {pair} while this node is active", on.pair.kind.keyword()),
        "--take-snapshots --prune-snapshots",
    );
    let every = on.schedule.snapshot_every;
    let kind = on.pair.kind.keyword();
    let timer = systemd::timer(format!("Snapshot {kind} {pair} every {every}"), calendar(every, 0), &stem)
        .comment(rpo_comment(on));
    add_timed_service(files, &on.node.name.value, &stem, service, timer);
}

fn prune_units(on: &OnNode<'_>, files: &mut Files) {
    let pair = &on.pair.name.value;
    let stem = prune_unit_stem(on.pair);
    let service = sanoid_service(
        on,
        Role::Standby,
        format!("Prune the replicated snapshots of {} {pair} while this node is standby", on.pair.kind.keyword()),
        "--prune-snapshots",
    );
    let every = on.schedule.snapshot_every;
    let kind = on.pair.kind.keyword();
    let timer = systemd::timer(format!("Prune {kind} {pair} every {every}"), calendar(every, 0), &stem);
    add_timed_service(files, &on.node.name.value, &stem, service, timer);
}

fn replication_units(on: &OnNode<'_>, files: &mut Files) {
    let host = &on.node.name.value;
    let pair = &on.pair.name.value;
    files.add(host, format!("{LIBEXEC_DIR}/guard-{pair}"), SCRIPT_MODE, Content::Script(guard(on)), vec![]);
    let every = on.schedule.replicate_every;
    let start = on.pair.replicate_at.as_ref().map(|start| start.value);
    let cadence = start.map_or_else(|| every.to_string(), |start| format!("{every} {start} UTC"));
    let on_calendar = systemd::replication_calendar(every, start, REPLICATION_OFFSET);
    for replicated in &on.pair.datasets {
        let dataset = &replicated.dataset.value;
        let stem = replication_unit_stem(on.pair, dataset);
        let service = replication_service(on, replicated);
        let description = format!("Replicate {dataset} of {} {pair} every {cadence}", on.pair.kind.keyword());
        let comment = cascade_comment(on, replicated)
            .or_else(|| fan_out_comment(on, replicated))
            .unwrap_or_else(|| rpo_comment(on));
        let timer = systemd::timer_catching_up(description, on_calendar.clone(), &stem, systemd::catches_up(every))
            .comment(comment);
        add_timed_service(files, host, &stem, service, timer);
    }
}

/// The script every replication of the pair runs first, so that syncoid never destroys
/// what only the target has.
fn guard(on: &OnNode<'_>) -> Script {
    let ssh = SshPeer::of(on.pair, on.peer);
    let (source, target) = source_and_target(on);
    Script::Guard {
        kind: on.pair.kind.keyword(),
        pair: on.pair.name.value.clone(),
        node: on.node.name.value.clone(),
        peer_name: on.peer.name.value.clone(),
        source_name: source.name.value.clone(),
        target_name: target.name.value.clone(),
        pull: on.pair.target_drives(),
        ssh_options: ssh.ssh_options(),
        peer: ssh.destination,
        copy: if on.pair.is_static() { "read-only" } else { "read-write" },
        percent: on.pair.guard_percent.as_ref().map(|guard| guard.value),
        runbook: has_runbook(on.pair).then(|| format!("/{}", runbook_path(on.pair))),
        children: on.pair.datasets.iter().any(|r| r.children_only),
    }
}

/// syncoid with the options that keep the incremental chain alive on syncoid 2.1.0:
/// sanoid's snapshots only (`--no-sync-snap`), and a bookmark of the newest one sent so an
/// incremental is still possible after the source prunes it during an outage.
/// A static pair's target receives read-only (the argument is quoted for systemd), and
/// with `--no-rollback`: nothing changes a read-only copy, so a receive without `-F`
/// succeeds, and a copy that a failover made writable fails the receive instead of
/// losing what was written there. A followed pair's standby is mounted read-write, and
/// a mere access time changes it (OpenZFS `dsl_dataset_modified_since_snap`), so syncoid
/// keeps its rollback there and the guard stops it when the standby has snapshots of
/// its own.
fn syncoid_command(on: &OnNode<'_>, replicated: &Replicated) -> String {
    let dataset = replicated.dataset.value.as_str();
    let mut args = vec![
        "/usr/sbin/syncoid".to_owned(),
        "--no-sync-snap".to_owned(),
        "--create-bookmark".to_owned(),
        format!("--identifier={}-{}", on.pair.name.value, source_and_target(on).1.name.value),
    ];
    if replicated.recursive {
        args.push("--recursive".to_owned());
    }
    if replicated.children_only {
        args.push("--skip-parent".to_owned());
    }
    if on.pair.is_static() {
        args.push("--no-rollback".to_owned());
    }
    args.extend(receive_options(on));
    args.extend(declared_options(on.pair, replicated, on.node.sanoid));
    let peer = SshPeer::of(on.pair, on.peer);
    args.extend(identity_args(on, &peer));
    let copy = landing(on.policy, on.pair, dataset);
    match driving_role(on.pair) {
        Role::Active => args.extend([dataset.to_owned(), peer.syncoid_target(&copy)]),
        Role::Standby => args.extend([peer.syncoid_target(dataset), copy]),
    }
    args.join(" ")
}

/// The syncoid options the pair declares, in a fixed order, each spelt the way the node's
/// release reads it: `--exclude` became `--exclude-datasets` in syncoid 2.3 (the old name
/// still works there, with a deprecation warning on every run).
fn declared_options(pair: &Pair, replicated: &Replicated, release: SanoidVersion) -> Vec<String> {
    let options = &pair.syncoid;
    let mut args = Vec::new();
    let letters: String =
        pair.send.iter().filter(|s| s.value.on).filter_map(|s| s.value.option.syncoid_letter()).collect();
    if !letters.is_empty() {
        args.push(format!("--sendoptions={letters}"));
    }
    if let Some(method) = &options.compress {
        args.push(format!("--compress={}", method.value.keyword()));
    }
    if let Some(limit) = &pair.bandwidth_limit {
        args.push(format!("--source-bwlimit={}", limit.value));
    }
    if let Some(size) = &options.mbuffer_size {
        args.push(format!("--mbuffer-size={}", size.value));
    }
    if options.preserve_properties.is_some() {
        args.push("--preserve-properties".to_owned());
    }
    if options.delete_target_snapshots.is_some() {
        args.push("--delete-target-snapshots".to_owned());
    }
    let exclude = if syncoid_accepts(release, "exclude-datasets") { "exclude-datasets" } else { "exclude" };
    args.extend(replicated.exclude.iter().map(|dataset| format!("--{exclude}={}", exclusion_pattern(&dataset.value))));
    args
}

/// The regular expression syncoid matches a child's full name against: the dataset and its
/// descendants, nothing that merely shares a prefix (`(?![^/])`: what follows is a `/` or
/// the end). Neither `$` nor `\\` appears, which systemd would expand or unescape: a dot
/// is the class `[.]`.
fn exclusion_pattern(dataset: &str) -> String {
    format!("^{}(?![^/])", dataset.replace('.', "[.]"))
}

/// `--recvoptions`, quoted for systemd: a static pair's copy is received read-only, and an
/// account without root receives unmounted (`u`), since Linux lets only root mount.
fn receive_options(on: &OnNode<'_>) -> Option<String> {
    let receiver = match driving_role(on.pair) {
        Role::Active => route(on.pair, on.peer).user,
        Role::Standby => local_account(on.pair, on.node),
    };
    let unmounted = receiver != ROOT_USER;
    match (unmounted, on.pair.is_static()) {
        (false, false) => None,
        (false, true) => Some("\"--recvoptions=o readonly=on\"".to_owned()),
        (true, false) => Some("--recvoptions=u".to_owned()),
        (true, true) => Some("\"--recvoptions=u o readonly=on\"".to_owned()),
    }
}

/// Who syncoid runs as, and how it reaches the peer: `--no-privilege-elevation` when either
/// side's account is not root (the delegations stand in for sudo), then the ssh port, key
/// and options.
fn identity_args(on: &OnNode<'_>, peer: &SshPeer) -> Vec<String> {
    let mut args = Vec::new();
    if unprivileged(on.pair, on.node, on.peer) {
        args.push("--no-privilege-elevation".to_owned());
    }
    args.extend(peer.syncoid_args());
    args
}

fn replication_service(on: &OnNode<'_>, replicated: &Replicated) -> Unit {
    let (dataset, recursive) = (replicated.dataset.value.as_str(), replicated.recursive);
    let pair = &on.pair.name.value;
    let role = driving_role(on.pair);
    let account = local_account(on.pair, on.node);
    // The role gate asks the cluster, which only root may: `+` runs it with full privileges.
    let privileged = if account == ROOT_USER { "" } else { "+" };
    let mut service = vec![
        ("Type", "oneshot".to_owned()),
        ("Environment", "TZ=UTC".to_owned()),
        ("ExecCondition", format!("{privileged}{} {}", systemd::role_script(pair), role.as_str())),
    ];
    if account != ROOT_USER {
        service.insert(1, ("User", account.to_owned()));
    }
    let target = landing(on.policy, on.pair, dataset);
    let depth = match (replicated.children_only, recursive) {
        (true, _) => "children",
        (false, true) => "recursive",
        (false, false) => "single",
    };
    service.push(("ExecStartPre", format!("{} {dataset} {target} {depth}", systemd::guard_script(pair))));
    service.push(("ExecStart", syncoid_command(on, replicated)));
    service.push(("Nice", "10".to_owned()));
    service.push(("IOSchedulingClass", "idle".to_owned()));
    Unit::default()
        .section(
            "Unit",
            vec![
                ("Description", replication_description(on, dataset)),
                ("Documentation", replication_documentation(on.pair)),
                ("Wants", "network-online.target".to_owned()),
                ("After", "network-online.target zfs.target".to_owned()),
            ],
        )
        .section("Service", service)
}

fn replication_description(on: &OnNode<'_>, dataset: &str) -> String {
    let (kind, pair, peer) = (on.pair.kind.keyword(), &on.pair.name.value, &on.peer.name.value);
    match driving_role(on.pair) {
        Role::Active => format!("Replicate {dataset} of {kind} {pair} to {peer} while this node is active"),
        Role::Standby => format!("Pull {dataset} of {kind} {pair} from {peer} while this node is its target"),
    }
}

/// syncoid's manual, and the runbook that says what to do when the guard refuses, so that
/// `systemctl status` of a refused unit shows where the steps are.
fn replication_documentation(pair: &Pair) -> String {
    if has_runbook(pair) {
        format!("man:syncoid(8) file:/{}", runbook_path(pair))
    } else {
        "man:syncoid(8)".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exclusion_matches_the_dataset_and_its_descendants_only() {
        assert_eq!(exclusion_pattern("tank/home/cache"), "^tank/home/cache(?![^/])");
        assert_eq!(exclusion_pattern("tank/v1.2"), "^tank/v1[.]2(?![^/])");
    }
}
