//! The files of a replicating pair on each of its nodes: per-role sanoid configs, the
//! role-gated snapshot, prune and replication units, the role and guard scripts, and
//! masks over the stock sanoid units so that nothing runs sanoid with the wrong config.

use super::files::*;
use super::runbook::{has_runbook, runbook_path};
use super::ssh::SshPeer;
use super::systemd::{self, add_timed_service, calendar, FILE_MODE, LIBEXEC_DIR, SCRIPT_MODE};
use crate::facts::{cascade_worst, chain, sent_schedule, snapshot_owner, Cascades};
use crate::model::{Node, Pair, Policy, Replicated, Retention, Roles, SnapshotKind};
use crate::naming::{prune_unit_stem, replication_unit_stem, snapshot_unit_stem};
use crate::schedule::{self, Schedule, ROLE_CHECKS, ROLE_CHECK_PAUSE_SECONDS};
use crate::zrepl::landing;

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
    policy: &'p Policy,
    pair: &'p Pair,
    node: &'p Node,
    peer: &'p Node,
    schedule: Schedule,
    roles: Vec<Role>,
    cascades: &'p Cascades,
    /// The pair's index in [`Policy::pairs`].
    index: usize,
}

/// Adds the files of one pair on both of its nodes.
pub fn pair_files(policy: &Policy, index: usize, cascades: &Cascades, files: &mut Files) {
    let pair = &policy.pairs[index];
    let schedule = schedule::choose(pair).expect("checks refuse a pair whose rpo cannot be met");
    for slot in 0..2 {
        let on = OnNode {
            policy,
            pair,
            node: &policy.nodes[pair.nodes[slot]],
            peer: &policy.nodes[pair.nodes[1 - slot]],
            schedule,
            roles: roles_of(pair, slot),
            cascades,
            index,
        };
        node_files(&on, files);
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
        }
        match role {
            Role::Active => {
                if snapshots_here {
                    snapshot_units(on, files);
                }
                replication_units(on, files);
            }
            Role::Standby => prune_units(on, files),
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

fn sanoid_config(on: &OnNode<'_>, role: Role, files: &mut Files) {
    let dir = config_dir(on.pair, role);
    let host = &on.node.name.value;
    let toggle = |on: bool| if on { "yes" } else { "no" };
    let datasets = sorted_datasets(on, role)
        .into_iter()
        .map(|(name, recursive)| SanoidDataset {
            name,
            recursive: toggle(recursive),
            autosnap: toggle(role == Role::Active),
            autoprune: "yes",
        })
        .collect();
    let retention = role_retention(on, role);
    let template = SanoidTemplate {
        name: retention.name.value.clone(),
        frequent_period: on.schedule.frequent_period_minutes(),
        counts: counts(retention, &on.schedule),
        times: super::snapshots::declared_times(retention),
    };
    let conf = SanoidConf { pair: on.pair.name.value.clone(), role: role.as_str(), datasets, template };
    files.add(host, format!("{dir}/sanoid.conf"), FILE_MODE, Content::SanoidConf(conf), vec![]);
    files.add(host, format!("{dir}/sanoid.defaults.conf"), FILE_MODE, Content::SanoidDefaults, vec![]);
}

/// The datasets a role holds on its node, sorted so that a parent's section comes before
/// its children's: the source's own names while active, and where each copy lands while
/// standby (under a static target's `under` dataset), so that sanoid prunes the copy and
/// never a local dataset that happens to share the source's name. While active, the
/// datasets whose snapshots the node's own `snapshot` statement takes are left to it.
fn sorted_datasets(on: &OnNode<'_>, role: Role) -> Vec<(String, bool)> {
    let name = |dataset: &str| match role {
        Role::Active => dataset.to_owned(),
        Role::Standby => landing(on.policy, on.pair, dataset),
    };
    let snapshotted_here = |r: &&Replicated| role == Role::Standby || !sends_only(on, r);
    let mut datasets: Vec<(String, bool)> =
        on.pair.datasets.iter().filter(snapshotted_here).map(|r| (name(&r.dataset.value), r.recursive)).collect();
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
    let pair = &on.pair.name.value;
    Unit::default()
        .section(
            "Unit",
            vec![
                ("Description", description),
                ("Documentation", "man:sanoid(8)".to_owned()),
                ("After", "zfs.target".to_owned()),
            ],
        )
        .section(
            "Service",
            vec![
                ("Type", "oneshot".to_owned()),
                ("Environment", "TZ=UTC".to_owned()),
                ("ExecCondition", format!("{} {}", systemd::role_script(pair), role.as_str())),
                (
                    "ExecStart",
                    format!("/usr/sbin/sanoid --configdir=/{} {sanoid_args} --verbose", config_dir(on.pair, role)),
                ),
            ],
        )
}

fn rpo_comment(on: &OnNode<'_>) -> String {
    let pile_up = on.pair.outage.as_ref().map_or_else(String::new, |outage| {
        let pile_up = schedule::pile_up(role_retention(on, Role::Active), &on.schedule, outage.value);
        format!(" {}", pile_up.sentence(outage.value))
    });
    format!(
        "Worst-case loss of pair {}: {}, within its rpo of {}.{pile_up}",
        on.pair.name.value,
        on.schedule.arithmetic(),
        on.pair.rpo.value
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
    let worst = cascade_worst(on.policy, &links)?;
    Some(format!(
        "Worst-case loss of pair {}: {}, within its rpo of {}; {} arrives from pair {} and is sent on as received.",
        on.pair.name.value,
        worst.arithmetic,
        on.pair.rpo.value,
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
        "Worst-case loss of pair {}: {}, within its rpo of {}; node {} takes the snapshots (zplan-sanoid.timer), and every pair that sends {} only sends them.",
        on.pair.name.value,
        sent.arithmetic(),
        on.pair.rpo.value,
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
        format!("Take and prune the snapshots of pair {pair} while this node is active"),
        "--take-snapshots --prune-snapshots",
    );
    let every = on.schedule.snapshot_every;
    let timer = systemd::timer(format!("Snapshot pair {pair} every {every}"), calendar(every, 0), &stem)
        .comment(rpo_comment(on));
    add_timed_service(files, &on.node.name.value, &stem, service, timer);
}

fn prune_units(on: &OnNode<'_>, files: &mut Files) {
    let pair = &on.pair.name.value;
    let stem = prune_unit_stem(on.pair);
    let service = sanoid_service(
        on,
        Role::Standby,
        format!("Prune the replicated snapshots of pair {pair} while this node is standby"),
        "--prune-snapshots",
    );
    let every = on.schedule.snapshot_every;
    let timer = systemd::timer(format!("Prune pair {pair} every {every}"), calendar(every, 0), &stem);
    add_timed_service(files, &on.node.name.value, &stem, service, timer);
}

fn replication_units(on: &OnNode<'_>, files: &mut Files) {
    let host = &on.node.name.value;
    let pair = &on.pair.name.value;
    files.add(host, format!("{LIBEXEC_DIR}/guard-{pair}"), SCRIPT_MODE, Content::Script(guard(on)), vec![]);
    for replicated in &on.pair.datasets {
        let dataset = &replicated.dataset.value;
        let stem = replication_unit_stem(on.pair, dataset);
        let service = replication_service(on, dataset, replicated.recursive);
        let every = on.schedule.replicate_every;
        let description = format!("Replicate {dataset} of pair {pair} every {every}");
        let comment = cascade_comment(on, replicated)
            .or_else(|| fan_out_comment(on, replicated))
            .unwrap_or_else(|| rpo_comment(on));
        let timer = systemd::timer(description, calendar(every, REPLICATION_OFFSET), &stem).comment(comment);
        add_timed_service(files, host, &stem, service, timer);
    }
}

/// The script every replication of the pair runs first, so that syncoid never destroys
/// what only the target has.
fn guard(on: &OnNode<'_>) -> Script {
    let ssh = SshPeer::of(on.peer);
    Script::Guard {
        pair: on.pair.name.value.clone(),
        node: on.node.name.value.clone(),
        peer_name: on.peer.name.value.clone(),
        peer: ssh.destination,
        ssh_options: ssh.options,
        copy: if on.pair.is_static() { "read-only" } else { "read-write" },
        percent: on.pair.guard_percent.as_ref().map(|guard| guard.value),
        runbook: has_runbook(on.pair).then(|| format!("/{}", runbook_path(on.pair))),
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
fn syncoid_command(on: &OnNode<'_>, dataset: &str, recursive: bool) -> String {
    let mut args = vec![
        "/usr/sbin/syncoid".to_owned(),
        "--no-sync-snap".to_owned(),
        "--create-bookmark".to_owned(),
        format!("--identifier={}-{}", on.pair.name.value, on.peer.name.value),
    ];
    if recursive {
        args.push("--recursive".to_owned());
    }
    if on.pair.is_static() {
        args.push("--no-rollback".to_owned());
        args.push("\"--recvoptions=o readonly=on\"".to_owned());
    }
    let peer = SshPeer::of(on.peer);
    args.extend(peer.options.iter().map(|option| format!("--sshoption={option}")));
    args.push(dataset.to_owned());
    args.push(peer.syncoid_target(&landing(on.policy, on.pair, dataset)));
    args.join(" ")
}

fn replication_service(on: &OnNode<'_>, dataset: &str, recursive: bool) -> Unit {
    let pair = &on.pair.name.value;
    let mut service = vec![
        ("Type", "oneshot".to_owned()),
        ("Environment", "TZ=UTC".to_owned()),
        ("ExecCondition", format!("{} active", systemd::role_script(pair))),
    ];
    let target = landing(on.policy, on.pair, dataset);
    let depth = if recursive { "recursive" } else { "single" };
    service.push(("ExecStartPre", format!("{} {dataset} {target} {depth}", systemd::guard_script(pair))));
    service.push(("ExecStart", syncoid_command(on, dataset, recursive)));
    service.push(("Nice", "10".to_owned()));
    service.push(("IOSchedulingClass", "idle".to_owned()));
    Unit::default()
        .section(
            "Unit",
            vec![
                (
                    "Description",
                    format!("Replicate {dataset} of pair {pair} to {} while this node is active", on.peer.name.value),
                ),
                ("Documentation", replication_documentation(on.pair)),
                ("Wants", "network-online.target".to_owned()),
                ("After", "network-online.target zfs.target".to_owned()),
            ],
        )
        .section("Service", service)
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
