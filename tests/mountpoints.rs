//! Exports serve the dataset they name: in every tree zplan writes (the examples, the `ok_`
//! UI inputs, the catalogue's fixed examples, generated fleets), each path of each exports
//! file is where its dataset is mounted on that host, or a directory below it.
//!
//! Where a dataset is mounted is worked out here from the policy: ZFS's default, `/` and the
//! dataset's name; below a dataset with `replicate … mount PATH`, that path and the rest of
//! the name, on every node that holds it, or where a node's `mountpoint DATASET PATH` says. A
//! static target holds the copy, which lands under `under` with its mountpoint unset
//! (`none`), so a copy is mounted only where declared.

use std::collections::HashMap;

use zplan::model::{Policy, Roles};

use crate::support::{compiled, compiling_policies, copy_name, text_files};

/// Declared mountpoints by host and the dataset's name there, and the hosts that hold
/// copies (whose datasets are unmounted unless declared).
struct Mounted {
    declared: HashMap<(String, String), String>,
    copies: HashMap<String, Vec<String>>,
}

impl Mounted {
    fn of(policy: &Policy) -> Mounted {
        let mut declared = HashMap::new();
        let mut copies: HashMap<String, Vec<String>> = HashMap::new();
        for pair in &policy.pairs {
            let host = |slot: usize| policy.nodes[pair.nodes[slot]].name.value.clone();
            for replicated in &pair.datasets {
                let dataset = &replicated.dataset.value;
                let mut held = vec![(host(0), dataset.clone())];
                match pair.roles {
                    Roles::FollowsGuest { .. } => held.push((host(1), dataset.clone())),
                    Roles::Static => {
                        let copy = copy_name(policy, pair, dataset);
                        copies.entry(host(1)).or_default().push(copy.clone());
                        held.push((host(1), copy));
                    }
                }
                if let Some(mount) = &replicated.mount {
                    declared.extend(held.into_iter().map(|key| (key, mount.value.clone())));
                }
            }
        }
        for node in &policy.nodes {
            for mountpoint in &node.mountpoints {
                let key = (node.name.value.clone(), mountpoint.dataset.value.clone());
                declared.entry(key).or_insert_with(|| mountpoint.path.value.clone());
            }
        }
        Mounted { declared, copies }
    }

    /// Where `dataset` is mounted on `host`, or `None` for a copy with no mountpoint.
    fn mountpoint(&self, host: &str, dataset: &str) -> Option<String> {
        let mut candidate = dataset;
        loop {
            if let Some(mount) = self.declared.get(&(host.to_owned(), candidate.to_owned())) {
                return Some(format!("{}{}", mount.trim_end_matches('/'), &dataset[candidate.len()..]));
            }
            match candidate.rsplit_once('/') {
                Some((parent, _)) => candidate = parent,
                None => break,
            }
        }
        let copy = self
            .copies
            .get(host)
            .is_some_and(|copies| copies.iter().any(|c| dataset == c || dataset.starts_with(&format!("{c}/"))));
        (!copy).then(|| format!("/{dataset}"))
    }
}

/// The dataset behind an exported path on a host, by the model: the export of a server of
/// a pair the host is in or of the host itself, and on a static target the copy of its dataset.
fn exported_dataset(policy: &Policy, host: &str, path: &str) -> String {
    for server in &policy.nfs_servers {
        let nodes = policy.serving_nodes(server);
        let slot = nodes.iter().position(|node| policy.nodes[*node].name.value == host);
        let (Some(slot), Some(export)) = (slot, server.exports.iter().find(|e| e.path.value == path)) else {
            continue;
        };
        let dataset = &export.dataset.value;
        return match (server.pair().map(|pair| &policy.pairs[pair]), slot) {
            (Some(pair), 1) if pair.roles == Roles::Static => copy_name(policy, pair, dataset),
            _ => dataset.clone(),
        };
    }
    panic!("{host} exports {path}, which no server of its pairs declares")
}

/// Whether `host` is the container an NFS server runs in (`address-moves guest`), whose
/// exports serve the paths its bind mounts create.
fn is_container(policy: &Policy, host: &str) -> bool {
    policy.nfs_servers.iter().any(|server| server.guest_host().is_some_and(|guest| guest.value == host))
}

/// A container serves each export at the path its bind mount creates, and only while that
/// bind mount is there (`mp=` the path itself); it exports nothing its server does not.
#[test]
fn a_container_exports_its_bind_mounts() {
    let mut checked = 0;
    for (name, source) in compiling_policies() {
        let (policy, tree) = compiled(&name, &source);
        for server in &policy.nfs_servers {
            let Some(guest) = server.guest_host() else { continue };
            let exports = text_files(&tree)
                .find(|(host, file, _)| *host == guest.value && *file == "etc/exports.d/zplan.exports")
                .map(|(_, _, text)| text)
                .unwrap_or_default();
            let lines: Vec<&str> = exports.lines().filter(|line| line.starts_with('/')).collect();
            assert_eq!(lines.len(), server.exports.len(), "{name}: {}", guest.value);
            for line in lines {
                let path = line.split_whitespace().next().unwrap_or_default();
                assert!(server.exports.iter().any(|e| e.path.value == path), "{name}: {line}");
                assert!(line.contains(&format!(",mp={path},")), "{name}: {line}");
                checked += 1;
            }
        }
    }
    assert!(checked > 0, "no container's export was checked");
}

/// The exported paths of an exports file, Linux's or FreeBSD's: the first word of each line.
fn exported_paths(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter(|line| line.starts_with('/')).filter_map(|line| line.split_whitespace().next())
}

/// Whether `path` is the NFSv4 pseudo-root of a server that `host` serves: a read-only
/// directory of its own, which serves no dataset.
fn is_pseudo_root(policy: &Policy, host: &str, path: &str) -> bool {
    policy.nfs_servers.iter().any(|server| {
        server.root.as_ref().is_some_and(|root| root.value == path)
            && policy.serving_nodes(server).iter().any(|node| policy.nodes[*node].name.value == host)
    })
}

/// The bind mount unit of `host` that mounts something at `path`, if zplan wrote one.
fn bind_unit<'t>(tree: &'t zplan::render::Tree, host: &str, path: &str) -> Option<&'t str> {
    text_files(tree)
        .filter(|(h, file, _)| *h == host && file.ends_with(".mount"))
        .map(|(_, _, text)| text)
        .find(|text| text.contains(&format!("\nWhere={path}\n")) && text.contains("\nOptions=bind\n"))
}

/// Checks a pseudo-root's line: read-only and `fsid=0` for every client, never writable.
fn assert_pseudo_root_line(name: &str, host: &str, line: &str) {
    for client in line.split_whitespace().skip(1) {
        let options: Vec<&str> =
            client.split_once('(').map_or("", |(_, rest)| rest).trim_end_matches(')').split(',').collect();
        assert!(options.contains(&"ro") && options.contains(&"fsid=0"), "{name}: {host}: {line}");
        assert!(!options.contains(&"rw"), "{name}: {host}: {line}");
    }
}

/// Where the dataset shows at `path` on `host`: its mountpoint, or for an export under a
/// pseudo-root, the bind mount of that mountpoint at the path, only while it is mounted.
fn served_at(tree: &zplan::render::Tree, host: &str, path: &str, mountpoint: &str) -> Option<String> {
    if within(path, mountpoint) {
        return Some(mountpoint.to_owned());
    }
    let unit = bind_unit(tree, host, path)?;
    let binds_it = unit.contains(&format!("\nWhat={mountpoint}\n"))
        && unit.contains(&format!("\nConditionPathIsMountPoint={mountpoint}\n"));
    binds_it.then(|| path.to_owned())
}

fn within(path: &str, mountpoint: &str) -> bool {
    mountpoint == "/" || path == mountpoint || path.starts_with(&format!("{mountpoint}/"))
}

#[test]
fn every_exported_path_is_where_its_dataset_is_mounted_on_that_host() {
    let mut copies_checked = 0;
    for (name, source) in compiling_policies() {
        let (policy, tree) = compiled(&name, &source);
        let mounted = Mounted::of(&policy);
        for (host, file, text) in text_files(&tree) {
            if !file.ends_with("exports.d/zplan.exports") && file != "etc/zplan/exports" || is_container(&policy, host)
            {
                continue;
            }
            for path in exported_paths(text) {
                if is_pseudo_root(&policy, host, path) {
                    continue;
                }
                let dataset = exported_dataset(&policy, host, path);
                copies_checked += usize::from(mounted.copies.get(host).is_some_and(|c| c.contains(&dataset)));
                let mountpoint = mounted.mountpoint(host, &dataset);
                assert!(
                    mountpoint.as_deref().is_some_and(|mountpoint| served_at(&tree, host, path, mountpoint).is_some()),
                    "{name}: {host} exports {path} for {dataset}, mounted at {mountpoint:?}"
                );
            }
        }
    }
    assert!(copies_checked > 0, "no static target's export was checked");
}

/// Linux's nfsd exports a path only while the dataset's mountpoint is mounted (`mp=`): a
/// pool that did not import, or a copy not mounted yet, must not serve the directory
/// beneath it under the fsid clients hold.
#[test]
fn every_linux_export_waits_for_the_mountpoint_of_its_dataset() {
    let mut checked = 0;
    let (mut roots, mut binds) = (0, 0);
    for (name, source) in compiling_policies() {
        let (policy, tree) = compiled(&name, &source);
        let mounted = Mounted::of(&policy);
        for (host, file, text) in text_files(&tree) {
            if !file.ends_with("exports.d/zplan.exports") || is_container(&policy, host) {
                continue;
            }
            for line in text.lines().filter(|line| line.starts_with('/')) {
                let path = line.split_whitespace().next().unwrap_or_default();
                if is_pseudo_root(&policy, host, path) {
                    assert_pseudo_root_line(&name, host, line);
                    roots += 1;
                    continue;
                }
                let dataset = exported_dataset(&policy, host, path);
                let mountpoint = mounted.mountpoint(host, &dataset).unwrap_or_default();
                let mountpoint = served_at(&tree, host, path, &mountpoint).unwrap_or(mountpoint);
                binds += usize::from(mountpoint == path && bind_unit(&tree, host, path).is_some());
                let clients = line.split_whitespace().skip(1);
                for options in clients.map(|client| client.split_once('(').map_or("", |(_, rest)| rest)) {
                    let options: Vec<&str> = options.trim_end_matches(')').split(',').collect();
                    assert!(options.contains(&format!("mp={mountpoint}").as_str()), "{name}: {host}: {line}");
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 0, "no export line was checked");
    assert!(roots > 0 && binds > 0, "no pseudo-root ({roots}) or bound export ({binds}) was checked");
}

/// The homelab seed's export path, `/data-nfs-share`, was a bind mount inside its container;
/// on the host the dataset is mounted at `/zpool1/data-nfs-share`, and zplan says so.
#[test]
fn the_seed_export_path_is_refused_with_the_path_where_the_dataset_is_mounted() {
    use miette::Diagnostic;
    let example =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/proxmox-homelab.zplan")).unwrap();
    let seed = example
        .replace(":/zpool1/data-nfs-share", ":/data-nfs-share")
        .replace("export /zpool1/data-nfs-share dataset", "export /data-nfs-share dataset");
    assert_ne!(seed, example);
    let problems = zplan::compile(&seed, "seed.zplan").problems;
    let codes: Vec<String> = problems.iter().filter_map(|p| p.code().map(|c| c.to_string())).collect();
    assert_eq!(codes, ["E0510"]);
    let help = problems[0].help().map(|help| help.to_string()).unwrap_or_default();
    assert!(help.contains("`export /zpool1/data-nfs-share`"), "{help}");

    let declared = seed.replace(
        "replicate zpool1/data-nfs-share recursive",
        "replicate zpool1/data-nfs-share recursive mount /data-nfs-share",
    );
    assert!(zplan::compile(&declared, "declared.zplan").problems.is_empty());
}
