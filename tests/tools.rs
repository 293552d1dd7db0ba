//! Every sanoid and syncoid option zplan writes into a unit, and every sanoid.conf key, is
//! accepted by the release its node declares (2.1 on Debian 12 unless it says 2.2 or 2.3),
//! and what zplan writes by itself by every release, so that a node's tools understand its
//! files; the options a policy asks for that only newer releases have are written only
//! where the node declares one.

use std::fs;
use std::path::Path;

use zplan::model::Policy;
use zplan::render::{Body, Tree};

use crate::support::clean_policies;
use zplan::model::tools::{sanoid_accepts, sanoid_conf_accepts, syncoid_accepts, SanoidVersion};

fn texts(tree: &Tree) -> impl Iterator<Item = (&str, &str, String)> {
    tree.files.iter().filter_map(|((host, path), file)| match &file.body {
        Body::Bytes(bytes) => Some((host.as_str(), path.as_str(), String::from_utf8_lossy(bytes).into_owned())),
        Body::Link(_) => None,
    })
}

/// The releases a host's files must suit: its node's declared one, and each newer one.
fn releases_of(policy: &Policy, host: &str) -> Vec<SanoidVersion> {
    let declared = policy.nodes.iter().find(|node| node.name.value == host).map_or(SanoidVersion::V2_1, |n| n.sanoid);
    SanoidVersion::ALL.into_iter().filter(|version| *version >= declared).collect()
}

/// The long options of a command line, without `--` and value; quotes as systemd reads them.
fn long_options(command: &str) -> Vec<String> {
    command
        .split_whitespace()
        .map(|word| word.trim_start_matches('"'))
        .filter_map(|word| word.strip_prefix("--"))
        .map(|option| option.split('=').next().unwrap().to_owned())
        .collect()
}

#[test]
fn every_emitted_option_and_key_is_accepted_by_every_release() {
    let mut commands = 0;
    let mut keys = 0;
    for (_, source) in clean_policies() {
        let compilation = zplan::compile(&source, "p.zplan");
        let (tree, policy) = (compilation.tree.expect("examples and ok_ inputs compile"), compilation.policy.unwrap());
        for (host, path, text) in texts(&tree) {
            let releases = releases_of(&policy, host);
            for line in text.lines().filter(|line| line.starts_with("Exec")) {
                let command = line.split_once('=').unwrap().1;
                let accepts: fn(SanoidVersion, &str) -> bool = if command.starts_with("/usr/sbin/syncoid ") {
                    syncoid_accepts
                } else if command.starts_with("/usr/sbin/sanoid ") {
                    sanoid_accepts
                } else {
                    continue;
                };
                commands += 1;
                for option in long_options(command) {
                    for version in releases.iter().copied() {
                        assert!(accepts(version, &option), "{} rejects --{option} in {path}", version.as_str());
                    }
                }
            }
            if path.ends_with("/sanoid.conf") {
                for key in text.lines().filter(|l| !l.starts_with(['#', '[']) && l.contains(" = ")) {
                    let key = key.split(" = ").next().unwrap();
                    keys += 1;
                    for version in SanoidVersion::ALL {
                        assert!(sanoid_conf_accepts(version, key), "{} rejects {key} in {path}", version.as_str());
                    }
                }
            }
        }
    }
    assert!(commands > 10 && keys > 50, "too little was checked: {commands} commands, {keys} keys");
}

#[test]
fn options_of_newer_releases_follow_the_node() {
    let source =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui/ok_syncoid_releases.zplan")).unwrap();
    let compilation = zplan::compile(&source, "p.zplan");
    let tree = compilation.tree.expect("the input compiles");
    let command = |host: &str| {
        texts(&tree)
            .filter(|(h, path, _)| *h == host && path.ends_with(".service"))
            .flat_map(|(_, _, text)| text.lines().map(str::to_owned).collect::<Vec<_>>())
            .find(|line| line.starts_with("ExecStart=/usr/sbin/syncoid "))
            .unwrap()
    };
    let (debian, upstream) = (command("debian"), command("upstream"));
    assert!(debian.contains(" --exclude=^tank/home/cache(?![^/]) "), "{debian}");
    assert!(!debian.contains("--preserve-properties"), "{debian}");
    assert!(upstream.contains(" --exclude-datasets=^tank/home/cache(?![^/]) "), "{upstream}");
    assert!(
        upstream.contains(" --compress=zstdmt-fast --preserve-properties --delete-target-snapshots "),
        "{upstream}"
    );
}

#[test]
fn a_node_may_declare_its_sanoid_release() {
    let source =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/proxmox-homelab.zplan")).unwrap();
    let declared = source.replace("  os      linux\n", "  os      linux\n  sanoid  2.3\n");
    assert!(declared.contains("sanoid  2.3"));
    let compilation = zplan::compile(&declared, "p.zplan");
    assert!(compilation.problems.is_empty(), "{:?}", compilation.problems);
    let wrong = source.replace("  os      linux\n", "  os      linux\n  sanoid  1.9\n");
    let problems = zplan::compile(&wrong, "p.zplan").problems;
    assert!(problems.iter().any(|p| p.to_string() == "unknown sanoid version `1.9`"), "{problems:?}");
}
