//! NFSv4 as deployed: the pseudo-root and its bind mounts on every node that may serve,
//! paths relative to the root on the clients, nfs.conf's versions and threads, Kerberos.

use crate::support::{compiled, text_files};
use zplan::render::Tree;

fn codes(source: &str) -> Vec<String> {
    use miette::Diagnostic;
    zplan::compile(source, "nfsv4.zplan").problems.iter().filter_map(|p| p.code().map(|c| c.to_string())).collect()
}

fn file<'t>(tree: &'t Tree, host: &str, path: &str) -> &'t str {
    text_files(tree).find(|(h, p, _)| *h == host && *p == path).map(|(_, _, text)| text).unwrap_or_else(|| {
        panic!("{host} has no {path}");
    })
}

fn has_file(tree: &Tree, host: &str, path: &str) -> bool {
    text_files(tree).any(|(h, p, _)| h == host && p == path)
}

/// The homelab, its share served from under a pseudo-root at /srv/nfs.
fn homelab_with_root() -> String {
    let example = include_str!("../examples/proxmox-homelab.zplan");
    let rooted = example
        .replace("\n  address-moves ", "\n  root /srv/nfs\n  address-moves ")
        .replace("export /zpool1/data-nfs-share dataset", "export /srv/nfs/share dataset")
        .replace("mount server:/zpool1/data-nfs-share at", "mount server:/share at");
    assert_ne!(rooted, example);
    rooted
}

#[test]
fn a_followed_server_binds_its_share_under_the_root_on_both_nodes() {
    let (_, tree) = compiled("homelab", &homelab_with_root());
    for node in ["acemagician", "elitedesk"] {
        let unit = file(&tree, node, "etc/systemd/system/srv-nfs-share.mount");
        assert!(unit.contains("\nWhat=/zpool1/data-nfs-share\nWhere=/srv/nfs/share\n"), "{unit}");
        assert!(unit.contains("\nConditionPathIsMountPoint=/zpool1/data-nfs-share\n"), "{unit}");
        assert!(unit.contains("\nPartOf=nfs-server.service\n") && unit.contains("\nBefore=nfs-server.service\n"));
        let exports = file(&tree, node, "etc/exports.d/zplan.exports");
        assert!(exports.contains("\n/srv/nfs 192.168.100.0/24(ro,fsid=0,no_subtree_check)"), "{exports}");
        let share = exports.lines().find(|line| line.starts_with("/srv/nfs/share ")).unwrap();
        assert!(share.contains(",mp=/srv/nfs/share,"), "{share}");
        // Exports outside the root stay for NFSv3 clients, at their own paths.
        assert!(exports.contains("\n/zpool2 192.168.100.250("), "{exports}");
    }
    let fstab = file(&tree, "docker-vm", "etc/fstab.d/zplan.fstab");
    assert!(fstab.contains("192.168.100.150:/share /mnt/storage nfs "), "{fstab}");
    assert!(fstab.contains(",vers=4.2 0 0"), "{fstab}");
}

#[test]
fn an_nfsv3_mount_names_the_servers_own_path_even_under_a_root() {
    let v3 = homelab_with_root()
        .replace("mount server:/share at", "mount server:/srv/nfs/share at")
        .replace("hard timeo 10s retrans 30", "hard vers 3 timeo 10s retrans 30");
    let (_, tree) = compiled("homelab v3", &v3);
    let fstab = file(&tree, "docker-vm", "etc/fstab.d/zplan.fstab");
    assert!(fstab.contains("192.168.100.150:/srv/nfs/share /mnt/storage nfs hard,vers=3,"), "{fstab}");
    assert!(!fstab.contains("vers=4"), "{fstab}");
    let relative = homelab_with_root().replace("hard timeo 10s retrans 30", "hard vers 3 timeo 10s retrans 30");
    assert_eq!(codes(&relative), ["E0505"]);
}

#[test]
fn a_server_without_declared_versions_or_threads_leaves_them_to_nfs_conf() {
    let (_, tree) = compiled("homelab", include_str!("../examples/proxmox-homelab.zplan"));
    let conf = file(&tree, "acemagician", "etc/nfs.conf.d/zplan.conf");
    assert!(!conf.contains("vers") && !conf.contains("threads"), "{conf}");
    assert!(!has_file(&tree, "acemagician", "etc/systemd/system/nfs-server.service.d/zplan-kerberos.conf"));
}

#[test]
fn nfs_conf_switches_every_version_once_versions_are_declared() {
    let (_, tree) = compiled("file server", include_str!("../examples/kerberos-file-server.zplan"));
    let conf = file(&tree, "vault", "etc/nfs.conf.d/zplan.conf");
    let keys = "vers3=n\nvers4=y\nvers4.0=n\nvers4.1=y\nvers4.2=y\nthreads=32\n";
    assert!(conf.ends_with(&format!("lease-time=15\n{keys}")), "{conf}");
}

#[test]
fn two_servers_of_one_node_share_one_pseudo_root_line() {
    let source = "node files {\n  address files.lan\n}\n\n\
        nfs home {\n  on   node files\n  root /srv/nfs\n  export /srv/nfs/home dataset tank/home {\n    client 10.0.0.0/24 rw sync no_subtree_check\n  }\n}\n\n\
        nfs media {\n  on   node files\n  root /srv/nfs\n  export /srv/nfs/media dataset tank/media {\n    client 10.0.1.0/24 ro no_subtree_check\n  }\n}\n";
    let (_, tree) = compiled("two servers", source);
    let exports = file(&tree, "files", "etc/exports.d/zplan.exports");
    let roots: Vec<&str> = exports.lines().filter(|line| line.starts_with("/srv/nfs ")).collect();
    assert_eq!(
        roots,
        ["/srv/nfs 10.0.0.0/24(ro,fsid=0,no_subtree_check) 10.0.1.0/24(ro,fsid=0,no_subtree_check)"],
        "{exports}"
    );
    let other_root = source.replacen(
        "  root /srv/nfs\n  export /srv/nfs/media",
        "  root /srv/nfs/media\n  export /srv/nfs/media/x",
        1,
    );
    assert!(codes(&other_root).contains(&"E0554".to_owned()), "{:?}", codes(&other_root));
}

#[test]
fn kerberos_mounts_wait_for_rpc_gssd_and_the_server_asserts_its_keytab() {
    let (_, tree) = compiled("file server", include_str!("../examples/kerberos-file-server.zplan"));
    for unit in ["srv-projects.mount", "srv-accounts.mount"] {
        let text = file(&tree, "ws1", &format!("etc/systemd/system/{unit}"));
        assert!(text.contains("\nRequires=rpc-gssd.service\nAfter=rpc-gssd.service\n"), "{text}");
        assert!(text.contains("\nAssertPathExists=/etc/krb5.keytab\n"), "{text}");
    }
    let fstab = file(&tree, "ws1", "etc/fstab.d/zplan.fstab");
    assert!(
        fstab.contains(
            "vault.office.lan:/accounts /srv/accounts nfs hard,_netdev,x-systemd.automount,vers=4.2,sec=krb5p 0 0"
        ),
        "{fstab}"
    );
    let drop_in = file(&tree, "vault", "etc/systemd/system/nfs-server.service.d/zplan-kerberos.conf");
    assert!(
        drop_in.contains("nfs/vault.office.lan@REALM") && drop_in.contains("\nAssertPathExists=/etc/krb5.keytab\n")
    );
    let (_, plain) = compiled("file server", include_str!("../examples/nfsv4-file-server.zplan"));
    assert!(!file(&plain, "desk", "etc/systemd/system/home.mount").contains("rpc-gssd"));
}

#[test]
fn a_kerberos_export_reached_at_an_address_is_warned_about_unless_allowed() {
    let source = include_str!("../examples/kerberos-file-server.zplan")
        .replace("address  vault.office.lan", "address  10.20.0.5");
    assert_eq!(codes(&source), ["W0630"]);
    let allowed = source.replace("  threads  32\n", "  threads  32\n  allow    W0630\n");
    assert!(codes(&allowed).is_empty(), "{:?}", codes(&allowed));
}

#[test]
fn an_nfsv4_mount_of_an_export_outside_the_root_is_refused_with_vers_3_as_the_way_out() {
    use miette::Diagnostic;
    let outside = homelab_with_root().replace("mount server:/share at", "mount server:/zpool2 at");
    let problems = zplan::compile(&outside, "outside.zplan").problems;
    let codes: Vec<String> = problems.iter().filter_map(|p| p.code().map(|c| c.to_string())).collect();
    assert_eq!(codes, ["E0551"]);
    let help = problems[0].help().map(|help| help.to_string()).unwrap_or_default();
    assert!(help.contains("`vers 3`"), "{help}");
    let v3 = outside.replace("hard timeo 10s retrans 30", "hard vers 3 timeo 10s retrans 30");
    assert!(zplan::compile(&v3, "v3.zplan").problems.is_empty());
}

#[test]
fn the_pseudo_root_is_never_the_servers_own_root_directory() {
    let slash = include_str!("../examples/nfsv4-file-server.zplan").replace("root     /srv/nfs", "root     /");
    assert_eq!(codes(&slash), ["E0301"]);
}

#[test]
fn a_root_with_no_export_below_it_is_not_exported_to_the_world() {
    let source = "node files {\n  address files.lan\n}\n\n\
        nfs files {\n  on   node files\n  root /srv/nfs\n  export /tank/data dataset tank/data {\n    client 10.0.0.0/24 rw sync no_subtree_check\n  }\n}\n";
    let (_, tree) = compiled("nothing below", source);
    let exports = file(&tree, "files", "etc/exports.d/zplan.exports");
    assert!(!exports.lines().any(|line| line.starts_with("/srv/nfs")), "{exports}");
    assert!(exports.contains("\n/tank/data 10.0.0.0/24("), "{exports}");
}
