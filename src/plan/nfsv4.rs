//! NFSv4 on the servers: the versions and threads of the nfs.conf drop-in, the pseudo-root
//! export, the bind mounts that put datasets mounted elsewhere under it, and what Kerberos
//! exports need from the host.

use super::files::*;
use super::systemd::{FILE_MODE, UNIT_DIR};
use crate::facts::naming::mount_unit_stem;
use crate::model::{
    describe_versions, flavours, is_kerberos, strictly_under, Address, Export, Mount, NfsServer, NfsVersion,
    OptionSetting,
};

/// nfs.conf's `[nfsd]` switches for a server's declared versions and threads, nothing for
/// what it leaves to nfs.conf: every version key, so that none is left to a default.
pub fn nfsd_switches(server: &NfsServer) -> Vec<NfsConfSwitch> {
    let mut switches = Vec::new();
    if server.versions.is_some() {
        let yes_no = |on: bool| if on { "y" } else { "n" };
        switches.push(switch("vers3", yes_no(server.offers(NfsVersion::V3))));
        switches.push(switch("vers4", yes_no(server.newest_v4().is_some())));
        for version in [NfsVersion::V4_0, NfsVersion::V4_1, NfsVersion::V4_2] {
            switches.push(switch(&format!("vers{}", version.written()), yes_no(server.offers(version))));
        }
    }
    if let Some(threads) = &server.threads {
        switches.push(switch("threads", &threads.value.to_string()));
    }
    switches
}

fn switch(key: &str, value: &str) -> NfsConfSwitch {
    NfsConfSwitch { key: key.to_owned(), value: value.to_owned() }
}

/// What the switches mean, for the comment above them.
pub fn switch_comments(server: &NfsServer) -> Vec<String> {
    let mut comments = Vec::new();
    if server.versions.is_some() {
        comments.push(format!("nfsd offers NFS versions {} and no other.", describe_versions(&server.versions())));
        if !server.offers(NfsVersion::V3) {
            comments
                .push("With NFSv3 off, clients need neither rpcbind nor rpc-statd to mount; zplan leaves".to_owned());
            comments.push("both installed and running, as other services of the host may use them.".to_owned());
        }
    }
    if let Some(threads) = &server.threads {
        comments.push(format!("{} nfsd threads serve requests.", threads.value));
    }
    comments
}

/// The pseudo-root's export line on a host: read-only, `fsid=0`, for every client of the
/// exports below it (none when no export is below it: a line without clients would export
/// the root to the world), offering the flavours they are offered, without `crossmnt` (NFSv4
/// shows every export below the root; `crossmnt` would also show what is mounted there and
/// not exported, under the root's options).
pub fn root_line(server: &NfsServer) -> Option<ExportLine> {
    let root = server.root.as_ref()?;
    let mut clients: Vec<(String, Vec<String>)> = Vec::new();
    let below = server.exports.iter().filter(|export| strictly_under(&export.path.value, &root.value));
    for client in below.flat_map(|export| &export.clients) {
        let who = client.who.value.to_string();
        let index = match clients.iter().position(|(known, _)| *known == who) {
            Some(index) => index,
            None => {
                clients.push((who, Vec::new()));
                clients.len() - 1
            }
        };
        for flavour in flavours(client) {
            if !clients[index].1.contains(&flavour) {
                clients[index].1.push(flavour);
            }
        }
    }
    if clients.is_empty() {
        return None;
    }
    let clients = clients
        .into_iter()
        .map(|(who, flavours)| {
            let mut options = "ro,fsid=0,no_subtree_check".to_owned();
            if flavours.iter().any(|flavour| flavour != "sys") {
                options.push_str(&format!(",sec={}", flavours.join(":")));
            }
            ExportClientLine { who, options }
        })
        .collect();
    let comment = format!(
        "the NFSv4 pseudo-root of nfs server {}: read-only, it leads clients to the exports below",
        server.name.value
    );
    Some(ExportLine { path: root.value.clone(), comment, clients })
}

/// Where an export under a pseudo-root needs the dataset bound: the export path, when the
/// dataset is mounted elsewhere than there or above it.
pub fn needs_bind(server: &NfsServer, path: &str, mounted: &str) -> bool {
    let under_root = server.root.as_ref().is_some_and(|root| strictly_under(path, &root.value));
    let within = mounted == "/" || path == mounted || path.strip_prefix(mounted).is_some_and(|r| r.starts_with('/'));
    under_root && !within
}

/// The `.mount` unit that binds a dataset's mountpoint at its export path, before nfsd
/// starts. It binds only while the dataset is mounted (`ConditionPathIsMountPoint`), so a
/// pool that did not import never puts its empty directory under the root, and it is part
/// of `nfs-server.service`, so that a restart of the server (a failover, a deploy) binds the
/// dataset as it is mounted now.
pub fn bind_unit(host: &str, server: &str, mounted: &str, path: &str, files: &mut Files) {
    let stem = mount_unit_stem(path);
    let unit = Unit::default()
        .comment(format!("nfs server {server} exports {path} under its NFSv4 pseudo-root: bind the dataset"))
        .comment(format!("mounted at {mounted} there, and only while it is mounted."))
        .section(
            "Unit",
            vec![
                ("Description", format!("Bind {mounted} at {path} for nfs server {server}")),
                ("After", "zfs-mount.service".to_owned()),
                ("Before", "nfs-server.service".to_owned()),
                ("PartOf", "nfs-server.service".to_owned()),
                ("ConditionPathIsMountPoint", mounted.to_owned()),
            ],
        )
        .section(
            "Mount",
            vec![
                ("What", mounted.to_owned()),
                ("Where", path.to_owned()),
                ("Type", "none".to_owned()),
                ("Options", "bind".to_owned()),
            ],
        )
        .section("Install", vec![("WantedBy", "nfs-server.service".to_owned())]);
    let actions = vec![Action::DaemonReload, Action::EnableNow(format!("{stem}.mount"))];
    files.add(host, format!("{UNIT_DIR}/{stem}.mount"), FILE_MODE, Content::Unit(unit), actions);
}

/// The drop-in that keeps nfsd from starting without the keytab its Kerberos exports need:
/// Debian's rpc-svcgssd (or gssproxy, when it runs) accepts Kerberos clients with the key of
/// `nfs/NAME`, where NAME is what clients mount, and starts only when /etc/krb5.keytab exists.
pub fn kerberos_drop_in(host: &str, server: &NfsServer, files: &mut Files) {
    if !server.offers_kerberos() {
        return;
    }
    let name = match &server.address.value {
        Address::Name(name) => name.to_ascii_lowercase(),
        Address::Ip(_) => "HOST".to_owned(),
    };
    let unit = Unit::default()
        .comment(format!(
            "nfs server {} offers Kerberos: /etc/krb5.keytab must hold nfs/{name}@REALM,",
            server.name.value
        ))
        .comment("the principal clients ask for by the name they mount. rpc-svcgssd (or gssproxy)")
        .comment("starts with nfs-server once the keytab exists; without it, nfsd would not start.")
        .section("Unit", vec![("AssertPathExists", KEYTAB.to_owned())]);
    let actions = vec![Action::DaemonReload, Action::TryRestart("nfs-server.service".to_owned())];
    files.add(
        host,
        format!("{UNIT_DIR}/nfs-server.service.d/zplan-kerberos.conf"),
        FILE_MODE,
        Content::Unit(unit),
        actions,
    );
}

/// The keytab rpc.gssd and rpc.svcgssd read.
pub const KEYTAB: &str = "/etc/krb5.keytab";

/// Whether any client entry of an export offers only Kerberos flavours.
fn kerberos_only(flavours_offered: &[String]) -> bool {
    !flavours_offered.is_empty() && flavours_offered.iter().all(|f| is_kerberos(f))
}

/// What zplan adds to a client's mount options: the newest NFSv4 version the server offers
/// when the mount names a path relative to a pseudo-root (an NFSv3 fallback would look the
/// path up as the server's own and fail), and the export's first flavour when it offers
/// only Kerberos and the mount says no `sec`.
pub fn implied_mount_options(server: &NfsServer, export: &Export, mount: &Mount) -> Vec<OptionSetting> {
    let mut implied = Vec::new();
    if server.root.is_some() && mount.version().is_none() && !mount.is_v3() {
        if let Some(newest) = server.newest_v4() {
            implied.push(OptionSetting { name: "vers", value: Some(newest.written().to_owned()) });
        }
    }
    let offered: Vec<String> = export.flavours();
    if mount.flavour().is_none() && kerberos_only(&offered) {
        implied.push(OptionSetting { name: "sec", value: offered.first().cloned() });
    }
    implied
}

/// Whether a client's mount uses Kerberos, and so needs rpc.gssd and a keytab.
pub fn mount_uses_kerberos(options: &[&OptionSetting]) -> bool {
    options.iter().any(|o| o.name == "sec" && o.value.as_deref().is_some_and(is_kerberos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_exports_under_the_root_and_away_from_their_dataset_are_bound() {
        let policy = crate::compile(
            "node files {\n  address files.lan\n}\n\nnfs files {\n  on   node files\n  root /srv/nfs\n  export /srv/nfs/home dataset tank/home {\n    client 10.0.0.0/24 rw sync no_subtree_check\n  }\n}\n",
            "bind.zplan",
        )
        .policy
        .unwrap();
        let server = &policy.nfs_servers[0];
        assert!(needs_bind(server, "/srv/nfs/home", "/tank/home"));
        assert!(!needs_bind(server, "/srv/nfs/home", "/srv/nfs/home"));
        assert!(!needs_bind(server, "/srv/nfs/home/docs", "/srv/nfs/home"));
        assert!(!needs_bind(server, "/tank/home", "/tank/home"));
        assert!(!needs_bind(server, "/srv/nfsx", "/tank/home"));
        let root = root_line(server).unwrap();
        assert_eq!(root.path, "/srv/nfs");
        assert_eq!(root.clients[0].options, "ro,fsid=0,no_subtree_check");
    }
}
