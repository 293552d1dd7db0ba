//! How the service address of a followed NFS server moves with the active role. With
//! keepalived, both nodes run a VRRP instance per server that the role script keeps in its
//! fault state everywhere but on the active node, so the address and `nfs-server` move
//! together. With the server inside the followed Proxmox container, the container's own
//! address moves with it: the container gets its exports and nfs.conf as an output host of
//! its own, and the nodes the bind mounts it needs and nothing that starts nfsd.

use std::net::IpAddr;

use super::files::*;
use super::nfs::{linux_client, Serving, EXPORTS_PATH, NFS_CONF_PATH};
use super::systemd::{role_script, FILE_MODE, LIBEXEC_DIR, SCRIPT_MODE, UNIT_DIR};
use crate::facts::naming::{export_fsid, vrrp_router_id};
use crate::facts::schedule::{
    FailoverBudget, TRACK_SCRIPT_INTERVAL, TRACK_SCRIPT_RUNS, TRACK_SCRIPT_TIMEOUT, VRRP_ADVERT_INTERVAL, VRRP_PRIORITY,
};
use crate::facts::Mountpoints;
use crate::model::{Address, NfsServer, Policy, Roles};

/// keepalived's config zplan owns; Debian's `keepalived.service` reads `keepalived.conf`
/// beside it, which stays the admin's.
pub const KEEPALIVED_CONF_PATH: &str = "etc/keepalived/zplan.conf";

/// The keepalived that runs zplan's VRRP instances, beside any keepalived of the admin's.
const KEEPALIVED_UNIT: &str = "zplan-keepalived.service";

/// Where the bind mounts of a server's container are written on each node, for the admin
/// to apply with `pct set` (`/etc/pve` is the cluster's, not a file a deployer writes).
fn lxc_mounts_path(guest: u32) -> String {
    format!("usr/local/share/doc/zplan/lxc-{guest}-mounts.conf")
}

/// Loads the kernel's nfsd on the nodes, for the container that serves through it.
const MODULES_LOAD_PATH: &str = "etc/modules-load.d/zplan-nfsd.conf";

/// Adds the files that move each followed server's address: keepalived's on the nodes, or
/// the container's own.
pub(super) fn address_files(policy: &Policy, files: &mut Files) {
    keepalived_files(policy, files);
    for server in &policy.nfs_servers {
        if let (Some(guest), Some(Roles::FollowsGuest { guest: id })) =
            (server.guest_host(), server.pair().map(|pair| &policy.pairs[pair].roles))
        {
            guest_files(policy, server, &guest.value, id.value, files);
        }
    }
}

/// One keepalived config and unit per node that holds an address, with an instance per
/// server and a track script per pair.
fn keepalived_files(policy: &Policy, files: &mut Files) {
    let mut by_host: std::collections::BTreeMap<&str, (Vec<TrackScript>, Vec<VrrpInstance>)> = Default::default();
    for server in policy.nfs_servers.iter().filter(|server| server.keepalived().is_some()) {
        let Some(pair) = server.pair().map(|pair| &policy.pairs[pair]) else { continue };
        let Some(instance) = vrrp_instance(server, &pair.name.value) else { continue };
        let notify = SmNotifyFor { server: &server.name.value, address: &instance_address(server) };
        for node in pair.nodes {
            let host = policy.nodes[node].name.value.as_str();
            let (scripts, instances) = by_host.entry(host).or_default();
            if !scripts.iter().any(|script| script.name == instance.track_script) {
                scripts.push(track_script(&pair.name.value));
            }
            instances.push(instance.clone());
            notify.add(files, host);
        }
    }
    for (host, (scripts, instances)) in by_host {
        let conf = KeepalivedConf { comments: keepalived_comments(), scripts, instances };
        let reload = vec![Action::ReloadOrRestart(KEEPALIVED_UNIT.to_owned())];
        files.add(host, KEEPALIVED_CONF_PATH, FILE_MODE, Content::Keepalived(conf), reload);
        let actions = vec![Action::DaemonReload, Action::EnableNow(KEEPALIVED_UNIT.to_owned())];
        files.add(host, format!("{UNIT_DIR}/{KEEPALIVED_UNIT}"), FILE_MODE, Content::Unit(keepalived_unit()), actions);
    }
}

fn keepalived_comments() -> Vec<String> {
    vec![
        "Service addresses of NFS servers that follow a pair's active node. Each instance".to_owned(),
        "stays in its fault state, holding nothing, while the pair's role script says this".to_owned(),
        "node is not active (weight 0; init_fail until its first answer), so that the".to_owned(),
        "address is never on the standby; both nodes have the same priority and nopreempt,".to_owned(),
        "so the address stays where it is while the role does not change. An interface".to_owned(),
        "that is missing (a bridge that ifreload recreates) puts its instances in the fault".to_owned(),
        "state until it is back (dynamic_interfaces).".to_owned(),
    ]
}

/// The role script asked whether this node is the pair's active node.
fn track_script(pair: &str) -> TrackScript {
    TrackScript {
        name: track_script_name(pair),
        command: format!("{} active", role_script(pair)),
        interval: TRACK_SCRIPT_INTERVAL.seconds(),
        timeout: TRACK_SCRIPT_TIMEOUT.seconds(),
        rise: TRACK_SCRIPT_RUNS,
        fall: TRACK_SCRIPT_RUNS,
    }
}

fn track_script_name(pair: &str) -> String {
    format!("zplan_role_{}", pair.replace('-', "_"))
}

/// The address with the prefix of one host: the node's own address keeps the network's route.
fn instance_address(server: &NfsServer) -> String {
    match &server.address.value {
        Address::Ip(ip) => ip.to_string(),
        Address::Name(name) => name.clone(),
    }
}

fn vrrp_instance(server: &NfsServer, pair: &str) -> Option<VrrpInstance> {
    let (interface, declared) = server.keepalived()?;
    let Address::Ip(ip) = server.address.value else { return None };
    let prefix = match ip {
        IpAddr::V4(_) => 32,
        IpAddr::V6(_) => 128,
    };
    let router_id = declared.map_or_else(|| vrrp_router_id(&server.name.value), |id| id.value);
    let budget = FailoverBudget::followed_with_vrrp(server.grace(), server.lease());
    let moved = budget.address_move().unwrap_or_default();
    Some(VrrpInstance {
        name: format!("zplan_nfs_{}", server.name.value.replace('-', "_")),
        comments: vec![
            format!("nfs server `{}` at {ip}, on the node where pair `{pair}` is active.", server.name.value),
            format!("The address reaches a new active node within {moved}: the track script's next run"),
            "and its timeout, then three missed adverts and the skew (see the README).".to_owned(),
        ],
        interface: interface.value.clone(),
        router_id,
        priority: VRRP_PRIORITY,
        advert_int: VRRP_ADVERT_INTERVAL.seconds(),
        address: format!("{ip}/{prefix}"),
        track_script: track_script_name(pair),
        notify_master: sm_notify_script(&server.name.value),
    })
}

fn sm_notify_script(server: &str) -> String {
    format!("/{LIBEXEC_DIR}/sm-notify-{server}")
}

/// The sm-notify script of one server, on every node that may hold its address.
struct SmNotifyFor<'s> {
    server: &'s str,
    address: &'s str,
}

impl SmNotifyFor<'_> {
    /// How long the script waits for nfs-server: the follow timer's part of the budget,
    /// with room to spare.
    const WAIT_SECONDS: u64 = 60;

    fn add(&self, files: &mut Files, host: &str) {
        let script = Script::SmNotify {
            server: self.server.to_owned(),
            address: self.address.to_owned(),
            wait_seconds: Self::WAIT_SECONDS,
        };
        let path = sm_notify_script(self.server);
        files.add(host, path.trim_start_matches('/'), SCRIPT_MODE, Content::Script(script), vec![]);
    }
}

/// keepalived with zplan's config only, VRRP only, under pid files of its own, so that an
/// admin's keepalived.service may run beside it.
fn keepalived_unit() -> Unit {
    let exec = format!(
        "/usr/sbin/keepalived --dont-fork --vrrp --use-file=/{KEEPALIVED_CONF_PATH} \
         --pid=/run/zplan-keepalived.pid --vrrp_pid=/run/zplan-keepalived-vrrp.pid"
    );
    Unit::default()
        .comment("Moves the service addresses of zplan's NFS servers with their pairs' active role.")
        .section(
            "Unit",
            vec![
                ("Description", "keepalived for the service addresses of the NFS servers zplan moves".to_owned()),
                ("Documentation", "man:keepalived(8) man:keepalived.conf(5)".to_owned()),
                ("After", "network-online.target pve-cluster.service".to_owned()),
                ("Wants", "network-online.target".to_owned()),
            ],
        )
        .section(
            "Service",
            vec![
                ("Type", "notify".to_owned()),
                ("ExecStart", exec),
                ("ExecReload", format!("/usr/bin/systemctl kill --kill-who=main --signal=SIGHUP {KEEPALIVED_UNIT}")),
            ],
        )
        .section("Install", vec![("WantedBy", "multi-user.target".to_owned())])
}

/// The container's exports and nfs.conf, and on both nodes its bind mounts and nfsd.
fn guest_files(policy: &Policy, server: &NfsServer, host: &str, guest: u32, files: &mut Files) {
    let mountpoints = Mountpoints::of(policy);
    let nodes = policy.serving_nodes(server);
    let Some(&first) = nodes.first() else { return };
    let first_node = &policy.nodes[first].name.value;
    let mut exports: Vec<&crate::model::Export> = server.exports.iter().collect();
    exports.sort_by(|a, b| a.path.value.cmp(&b.path.value));
    let lines: Vec<ExportLine> = exports
        .iter()
        .map(|export| {
            let bound = mountpoints.mountpoint(first_node, &export.dataset.value);
            let clients = export
                .clients
                .iter()
                .map(|client| linux_client(client, export_fsid(export), &export.path.value, Serving::Data))
                .collect();
            let comment = format!(
                "{} of nfs server {} at {}, bind-mounted from {bound} of the node that hosts guest {guest}",
                export.dataset.value, server.name.value, server.address.value
            );
            ExportLine { path: export.path.value.clone(), comment, clients }
        })
        .collect();
    files.add(host, EXPORTS_PATH, FILE_MODE, Content::Exports(Exports { lines }), vec![Action::ExportfsReload]);
    files.add(host, NFS_CONF_PATH, FILE_MODE, Content::NfsConf(guest_nfs_conf(server)), vec![restart_nfs_server()]);
    let mounts = lxc_mounts(server, guest, &mountpoints, first_node);
    for node in nodes {
        let node = &policy.nodes[node].name.value;
        files.add(node, lxc_mounts_path(guest), FILE_MODE, Content::LxcMounts(mounts.clone()), vec![]);
        let modules = ModulesLoad {
            comments: vec![format!("The kernel's NFS server, for guest {guest}: a container cannot load it.")],
            modules: vec!["nfsd".to_owned()],
        };
        let load = vec![Action::Restart("systemd-modules-load.service".to_owned())];
        files.add(node, MODULES_LOAD_PATH, FILE_MODE, Content::ModulesLoad(modules), load);
    }
}

fn restart_nfs_server() -> Action {
    Action::TryRestart("nfs-server.service".to_owned())
}

fn guest_nfs_conf(server: &NfsServer) -> NfsConf {
    let budget = FailoverBudget::in_guest(server.grace(), server.lease());
    NfsConf {
        comments: vec![
            format!("nfsd's grace period and NFSv4 lease for nfs server `{}`, in its container.", server.name.value),
            "rpc.nfsd gives lockd (NFSv3 locks) the same grace, and reads both only as nfsd starts.".to_owned(),
            format!("After the container starts on a node, clients are served again within {}.", budget.total()),
            "Its host name, /var/lib/nfs and statd's records move with it, so NFSv4 and NFSv3".to_owned(),
            "clients reclaim their state.".to_owned(),
        ],
        grace_time: server.grace().seconds(),
        lease_time: server.lease().seconds(),
        switches: super::nfsv4::nfsd_switches(server),
        keep_lockd_grace: false,
    }
}

/// One `mpN:` line per export, parents first, from where the dataset is mounted on the
/// nodes to the path the container exports.
fn mount_lines(server: &NfsServer, mountpoints: &Mountpoints<'_>, node: &str) -> Vec<String> {
    let mut exports: Vec<&crate::model::Export> = server.exports.iter().collect();
    exports.sort_by(|a, b| a.path.value.cmp(&b.path.value));
    exports
        .iter()
        .enumerate()
        .map(|(index, export)| {
            let host_path = mountpoints.mountpoint(node, &export.dataset.value);
            format!("mp{index}: {host_path},mp={},shared=1", export.path.value)
        })
        .collect()
}

/// The `pct set` commands that give container `guest` the bind mounts of `server`.
pub(super) fn pct_set_commands(policy: &Policy, server: &NfsServer, guest: u32) -> Vec<String> {
    let Some(&first) = policy.serving_nodes(server).first() else { return Vec::new() };
    let node = &policy.nodes[first].name.value;
    pct_set(&mount_lines(server, &Mountpoints::of(policy), node), guest)
}

fn pct_set(lines: &[String], guest: u32) -> Vec<String> {
    lines
        .iter()
        .map(|line| {
            let (key, value) = line.split_once(": ").unwrap_or((line, ""));
            format!("pct set {guest} -{key} {value}")
        })
        .collect()
}

fn lxc_mounts(server: &NfsServer, guest: u32, mountpoints: &Mountpoints<'_>, node: &str) -> LxcMounts {
    let lines = mount_lines(server, mountpoints, node);
    let mut comments = vec![
        format!("The bind mounts container {guest} needs to serve nfs server `{}`: the lines", server.name.value),
        format!("for /etc/pve/lxc/{guest}.conf, each dataset from where both nodes mount it to the path"),
        "the container exports. shared=1 tells Proxmox HA that every node has the path, so".to_owned(),
        "that it may move the container. Apply them once, on either node:".to_owned(),
        String::new(),
    ];
    comments.extend(pct_set(&lines, guest).into_iter().map(|command| format!("  {command}")));
    comments.extend([
        String::new(),
        "The kernel's nfsd runs in a privileged container only (unprivileged: 0): an".to_owned(),
        "unprivileged one cannot start it, and would see the datasets' files owned by".to_owned(),
        "nobody. Its AppArmor profile must let it mount nfsd and rpc_pipefs, which".to_owned(),
        "Proxmox's default profile refuses (lxc.apparmor.profile: unconfined is the usual".to_owned(),
        "way); the nodes load nfsd at boot (/etc/modules-load.d/zplan-nfsd.conf).".to_owned(),
    ]);
    LxcMounts { comments, lines }
}
