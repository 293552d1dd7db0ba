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
        assert!(text(host, "etc/nfs.conf.d/zplan.conf").ends_with("[nfsd]\ngrace-time=30\nlease-time=15\n"));
        let gate = text(host, "etc/systemd/system/nfs-server.service.d/zplan.conf");
        assert!(gate.contains("\nExecStart=\nExecStart=/usr/local/libexec/zplan/nfsd-scope\n"), "{gate}");
        assert!(text(host, "usr/local/libexec/zplan/nfsd-scope").contains("\nscope='nfs-192-168-100-150'\n"));
        let conf = tree.manifest.hosts[host].files.iter().find(|f| f.path == "/etc/nfs.conf.d/zplan.conf").unwrap();
        let actions: Vec<String> = conf.actions.iter().map(ToString::to_string).collect();
        assert_eq!(actions, ["systemctl try-restart nfs-server.service"]);
    }
}
