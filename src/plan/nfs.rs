//! The NFS server's files on every node that may serve it: an exports file with the same
//! explicit fsid everywhere, a gate that keeps the NFS server off a standby node, and a
//! timer that starts it on the node that becomes active and stops it on the one that stops.

use std::collections::BTreeMap;

use super::files::*;
use super::systemd::{add_timed_service, role_script, FILE_MODE, LIBEXEC_DIR, SCRIPT_MODE, UNIT_DIR};
use crate::model::{Export, NfsServer, Policy, Roles};
use crate::naming::export_fsid;
use crate::schedule::NFS_FOLLOW_PERIOD;

/// The exports file zplan owns; `/etc/exports` itself is left to the admin.
pub const EXPORTS_PATH: &str = "etc/exports.d/zplan.exports";

/// Adds every server's exports, one exports file per serving host.
pub fn server_files(policy: &Policy, files: &mut Files) {
    let mut by_host: BTreeMap<&str, Vec<ExportLine>> = BTreeMap::new();
    let mut gates: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for server in &policy.nfs_servers {
        let pair = &policy.pairs[server.pair];
        for host in serving_hosts(policy, server) {
            by_host.entry(host).or_default().extend(server.exports.iter().map(|e| export_line(server, e, policy)));
            if matches!(pair.roles, Roles::FollowsGuest { .. }) {
                gates.entry(host).or_default().push(pair.name.value.clone());
            }
        }
    }
    for (host, mut lines) in by_host {
        lines.sort_by(|a, b| a.path.cmp(&b.path));
        files.add(host, EXPORTS_PATH, FILE_MODE, Content::Exports(Exports { lines }), vec![Action::ExportfsReload]);
    }
    for (host, mut pairs) in gates {
        pairs.sort();
        pairs.dedup();
        for pair in &pairs {
            follow_units(host, pair, files);
        }
        let gate = server_gate(&pairs);
        files.add(
            host,
            format!("{UNIT_DIR}/nfs-server.service.d/zplan.conf"),
            FILE_MODE,
            Content::Unit(gate),
            vec![Action::DaemonReload],
        );
    }
}

/// The nodes that may run the server: both of a followed pair, the source of a static one.
fn serving_hosts<'p>(policy: &'p Policy, server: &NfsServer) -> Vec<&'p str> {
    let pair = &policy.pairs[server.pair];
    let nodes: &[usize] = match pair.roles {
        Roles::FollowsGuest { .. } => &pair.nodes,
        Roles::Static => &pair.nodes[..1],
    };
    nodes.iter().map(|n| policy.nodes[*n].name.value.as_str()).collect()
}

fn export_line(server: &NfsServer, export: &Export, policy: &Policy) -> ExportLine {
    let fsid = export_fsid(export);
    let clients = export
        .clients
        .iter()
        .map(|client| {
            let mut options: Vec<String> = client.options.iter().map(|o| o.value.to_string()).collect();
            options.push(format!("fsid={fsid}"));
            ExportClientLine { who: client.who.value.to_string(), options: options.join(",") }
        })
        .collect();
    let pair = &policy.pairs[server.pair];
    ExportLine {
        path: export.path.value.clone(),
        comment: format!(
            "{} of nfs server {} at {}, pair {}",
            export.dataset.value, server.name.value, server.address.value, pair.name.value
        ),
        clients,
    }
}

/// The script and timer that move the NFS server with the pair's active role.
fn follow_units(host: &str, pair: &str, files: &mut Files) {
    let script = Script::NfsFollow { pair: pair.to_owned(), role_script: role_script(pair) };
    let script_path = format!("{LIBEXEC_DIR}/nfs-follow-{pair}");
    files.add(host, script_path.clone(), SCRIPT_MODE, Content::Script(script), vec![]);
    let stem = format!("zplan-nfs-follow-{pair}");
    let service = Unit::default()
        .section(
            "Unit",
            vec![
                ("Description", format!("Run the NFS server where pair {pair} is active")),
                ("After", "pve-cluster.service network-online.target".to_owned()),
            ],
        )
        .section("Service", vec![("Type", "oneshot".to_owned()), ("ExecStart", format!("/{script_path}"))]);
    let timer = Unit::default()
        .section("Unit", vec![("Description", format!("Check every {NFS_FOLLOW_PERIOD} where pair {pair} is active"))])
        .section(
            "Timer",
            vec![
                ("OnBootSec", NFS_FOLLOW_PERIOD.to_string()),
                ("OnUnitActiveSec", NFS_FOLLOW_PERIOD.to_string()),
                ("AccuracySec", "1s".to_owned()),
                ("Unit", format!("{stem}.service")),
            ],
        )
        .section("Install", vec![("WantedBy", "timers.target".to_owned())]);
    add_timed_service(files, host, &stem, service, timer);
}

/// Starts the NFS server only where the pair is active, once the cluster is up.
fn server_gate(pairs: &[String]) -> Unit {
    let conditions = pairs.iter().map(|pair| ("ExecCondition", format!("{} active", role_script(pair)))).collect();
    Unit::default()
        .comment("Serve exports only while this node holds the active role.")
        .section("Unit", vec![("After", "pve-cluster.service".to_owned())])
        .section("Service", conditions)
}
