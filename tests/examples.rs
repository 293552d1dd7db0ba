//! Every policy in `examples/` compiles without a problem, deterministically, and its whole
//! output tree is snapshotted. (`.ci/run` also runs the real tools over each tree.)

use std::fs;

use crate::support::{examples, file_name, tree_text, with_snapshots};

#[test]
fn examples_compile_cleanly_and_match_their_snapshots() {
    with_snapshots(|| {
        for path in examples() {
            let source = fs::read_to_string(&path).unwrap();
            let name = file_name(&path);
            let compilation = zplan::compile(&source, &name);
            assert!(compilation.problems.is_empty(), "{name}: {:?}", compilation.problems);
            let tree = compilation.tree.expect("a clean policy has a tree");
            let snapshot = format!("example__{}", name.trim_end_matches(".zplan"));
            insta::assert_snapshot!(snapshot, tree_text(&tree));
        }
    });
}

#[test]
fn examples_compile_to_the_same_bytes_every_time() {
    for path in examples() {
        let source = fs::read_to_string(&path).unwrap();
        let first = zplan::compile(&source, "p.zplan").tree.unwrap();
        let second = zplan::compile(&source, "p.zplan").tree.unwrap();
        assert_eq!(first, second);
    }
}

/// Blocks may come in any order: reversing the top-level blocks changes no output byte.
#[test]
fn block_order_does_not_change_the_output() {
    for path in examples() {
        let source = fs::read_to_string(&path).unwrap();
        let blocks = top_level_blocks(&source);
        assert!(blocks.len() > 3, "{} has too few blocks to reorder", path.display());
        let reversed: String = blocks.iter().rev().cloned().collect();
        let original = zplan::compile(&source, "p.zplan").tree.unwrap();
        let shuffled = zplan::compile(&reversed, "p.zplan").tree.unwrap();
        assert_eq!(original, shuffled);
    }
}

/// Splits a policy into its top-level blocks (comments go with the block below them).
fn top_level_blocks(source: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current = String::new();
    let mut depth = 0usize;
    for line in source.lines() {
        current.push_str(line);
        current.push('\n');
        let code = line.split('#').next().unwrap_or_default();
        depth += code.matches('{').count();
        depth -= code.matches('}').count();
        if depth == 0 && code.contains('}') {
            blocks.push(std::mem::take(&mut current));
        }
    }
    blocks
}

/// Both nodes of the homelab give nfsd the same grace, lease and server scope, and the
/// manifest restarts a running server when they change.
#[test]
fn the_homelab_nodes_share_nfsd_grace_lease_and_scope() {
    let path = examples().into_iter().find(|p| file_name(p) == "proxmox-homelab.zplan").unwrap();
    let tree = zplan::compile(&fs::read_to_string(path).unwrap(), "proxmox-homelab.zplan").tree.unwrap();
    let text = |host: &str, file: &str| match &tree.files[&(host.to_owned(), file.to_owned())].body {
        zplan::render::Body::Bytes(bytes) => String::from_utf8(bytes.clone()).unwrap(),
        zplan::render::Body::Link(target) => panic!("{host}/{file} links to {target}"),
    };
    for host in ["acemagician", "elitedesk"] {
        let nfs_conf = text(host, "etc/nfs.conf.d/zplan.conf");
        assert!(
            nfs_conf.ends_with("[nfsd]\ngrace-time=30\nlease-time=15\n\n[sm-notify]\nlift-grace=n\n"),
            "{nfs_conf}"
        );
        let gate = text(host, "etc/systemd/system/nfs-server.service.d/zplan.conf");
        assert!(gate.contains("\nExecStart=\nExecStart=/usr/local/libexec/zplan/nfsd-scope\n"), "{gate}");
        assert!(text(host, "usr/local/libexec/zplan/nfsd-scope").contains("\nscope='nfs-192-168-100-150'\n"));
        let conf = tree.manifest.hosts[host].files.iter().find(|f| f.path == "/etc/nfs.conf.d/zplan.conf").unwrap();
        let actions: Vec<String> = conf.actions.iter().map(ToString::to_string).collect();
        assert_eq!(actions, ["systemctl try-restart nfs-server.service"]);
    }
}

fn example_tree(name: &str) -> zplan::render::Tree {
    let path = examples().into_iter().find(|p| file_name(p) == name).unwrap();
    zplan::compile(&fs::read_to_string(path).unwrap(), name).tree.unwrap()
}

fn file_text(tree: &zplan::render::Tree, host: &str, file: &str) -> Option<String> {
    match &tree.files.get(&(host.to_owned(), file.to_owned()))?.body {
        zplan::render::Body::Bytes(bytes) => Some(String::from_utf8(bytes.clone()).unwrap()),
        zplan::render::Body::Link(target) => panic!("{host}/{file} links to {target}"),
    }
}

fn actions_of(tree: &zplan::render::Tree, host: &str, path: &str) -> Vec<String> {
    let file = tree.manifest.hosts[host].files.iter().find(|f| f.path == path).unwrap();
    file.actions.iter().map(ToString::to_string).collect()
}

/// Both homelab nodes carry the same VRRP instance, which the role script keeps in its
/// fault state until it answers `active`, so the address never sits on the standby; the
/// manifest starts zplan's keepalived and reloads it when its config changes.
#[test]
fn the_homelab_address_moves_with_the_active_role() {
    let tree = example_tree("proxmox-homelab.zplan");
    let conf = |host| file_text(&tree, host, "etc/keepalived/zplan.conf").unwrap();
    assert_eq!(conf("acemagician"), conf("elitedesk"));
    let conf = conf("acemagician");
    for line in [
        "    enable_script_security\n    script_user root\n",
        "    script \"/usr/local/libexec/zplan/role-storage active\"\n",
        "    weight 0\n",
        "    init_fail\n",
        "    state BACKUP\n    nopreempt\n    interface vmbr0\n",
        "        192.168.100.150/32 dev vmbr0\n",
        "    notify_master \"/usr/local/libexec/zplan/sm-notify-server\"\n",
    ] {
        assert!(conf.contains(line), "{line:?} missing from {conf}");
    }
    for host in ["acemagician", "elitedesk"] {
        assert_eq!(
            actions_of(&tree, host, "/etc/keepalived/zplan.conf"),
            ["systemctl reload-or-restart zplan-keepalived.service"]
        );
        let unit_path = "/etc/systemd/system/zplan-keepalived.service";
        assert_eq!(
            actions_of(&tree, host, unit_path),
            ["systemctl daemon-reload", "systemctl enable --now zplan-keepalived.service"]
        );
        let unit = file_text(&tree, host, unit_path.trim_start_matches('/')).unwrap();
        assert!(unit.contains("--use-file=/etc/keepalived/zplan.conf"), "{unit}");
        let notify = file_text(&tree, host, "usr/local/libexec/zplan/sm-notify-server").unwrap();
        assert!(notify.contains("exec /usr/sbin/sm-notify -f -v \"$address\"\n"), "{notify}");
        assert!(notify.contains("\naddress='192.168.100.150'\n"), "{notify}");
    }
}

/// The seed's own architecture: the container serves the paths it sees, the nodes get its
/// bind mounts and nfsd's module but nothing that starts nfsd, and the client mounts the
/// container's path.
#[test]
fn the_container_serves_what_its_bind_mounts_show_it() {
    let tree = example_tree("proxmox-nfs-container.zplan");
    let exports = file_text(&tree, "nfs-ct103", "etc/exports.d/zplan.exports").unwrap();
    assert!(exports.contains("\n/data-nfs-share 192.168.100.0/24("), "{exports}");
    assert!(exports.contains(",mp=/data-nfs-share,fsid="), "{exports}");
    assert!(file_text(&tree, "nfs-ct103", "etc/nfs.conf.d/zplan.conf").unwrap().ends_with("lease-time=15\n"));
    for host in ["acemagician", "elitedesk"] {
        let mounts = file_text(&tree, host, "usr/local/share/doc/zplan/lxc-103-mounts.conf").unwrap();
        assert!(mounts.ends_with("\nmp0: /zpool1/data-nfs-share,mp=/data-nfs-share,shared=1\n"), "{mounts}");
        assert!(
            mounts.contains("#   pct set 103 -mp0 /zpool1/data-nfs-share,mp=/data-nfs-share,shared=1\n"),
            "{mounts}"
        );
        assert_eq!(file_text(&tree, host, "etc/modules-load.d/zplan-nfsd.conf").unwrap().lines().last(), Some("nfsd"));
        for absent in [
            "etc/exports.d/zplan.exports",
            "etc/nfs.conf.d/zplan.conf",
            "etc/systemd/system/nfs-server.service.d/zplan.conf",
            "etc/systemd/system/zplan-nfs-follow-storage.timer",
            "usr/local/libexec/zplan/nfsd-scope",
            "etc/keepalived/zplan.conf",
        ] {
            assert!(file_text(&tree, host, absent).is_none(), "{host} has {absent}");
        }
    }
}
