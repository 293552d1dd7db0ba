//! Helpers shared by the integration tests.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use zplan::diagnostic::catalogue::entries;
use zplan::fleet::{
    backup_box_blocks, backup_fleet_policy, client_pattern_server_blocks, fleet_blocks, fleet_policy,
    fleet_policy_with_identities, fleet_policy_with_moved_addresses, zrepl_fan_out_fleet,
};
use zplan::model::{Engine, Mode, Pair, Policy};
use zplan::render::{Body, Tree};

/// Runs `body` with snapshots stored in the top-level `snapshots/` folder.
pub fn with_snapshots(body: impl FnOnce()) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(body);
}

/// The whole tree as one text: every file under a `--- host/path (mode) ---` heading.
pub fn tree_text(tree: &Tree) -> String {
    let mut text = String::new();
    for ((host, path), file) in &tree.files {
        match &file.body {
            Body::Bytes(bytes) => {
                let _ = writeln!(text, "--- {host}/{path} ({:04o}) ---", file.mode);
                text.push_str(&String::from_utf8_lossy(bytes));
            }
            Body::Link(target) => {
                let _ = writeln!(text, "--- {host}/{path} -> {target} ---");
            }
        }
    }
    text.push_str("--- manifest.json ---\n");
    text.push_str(&String::from_utf8_lossy(&tree.manifest.to_bytes()));
    text
}

/// The file name of a path, for the name a compilation reports.
pub fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

/// The `*.zplan` files of a folder of the repository whose names start with one of
/// `prefixes` (any name when there are none), sorted.
pub fn policies_in(folder: &str, prefixes: &[&str]) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "zplan"))
        .filter(|path| prefixes.is_empty() || prefixes.iter().any(|prefix| file_name(path).starts_with(prefix)))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no policies in {folder}");
    paths
}

/// Every policy in `examples/`.
pub fn examples() -> Vec<PathBuf> {
    policies_in("examples", &[])
}

/// Every policy that must compile cleanly, by file name: the examples and the `ok_` UI inputs.
pub fn clean_policies() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut policies = Vec::new();
    for dir in ["examples", "tests/ui"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.ends_with(".zplan") && (dir == "examples" || name.starts_with("ok_")) {
                policies.push((name, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    policies.sort();
    policies
}

/// Every policy that compiles to a tree, by name: the clean ones, the catalogue's fixed
/// examples and a few generated fleets (with both engines and both kinds of pair).
pub fn compiling_policies() -> Vec<(String, String)> {
    let mut policies = clean_policies();
    let fixed = entries().iter().filter(|entry| !entry.fixed.is_empty());
    policies.extend(fixed.map(|entry| (format!("fixed {}", entry.code), entry.fixed.clone())));
    policies.extend((1..=4).map(|seed| (format!("fleet {seed}"), fleet_policy(12, seed))));
    policies.extend(
        (1..=2).map(|seed| (format!("fleet {seed} with moved addresses"), fleet_policy_with_moved_addresses(12, seed))),
    );
    policies.extend((1..=2).map(|seed| (format!("backups {seed}"), backup_fleet_policy(12, seed))));
    policies.extend((1..=2).map(|seed| (format!("backup boxes {seed}"), backup_box_blocks(6, seed).concat())));
    policies.extend((1..=2).map(|seed| (format!("fan-out fleet {seed}"), zrepl_fan_out_fleet(6, seed))));
    policies
        .extend((1..=2).map(|seed| (format!("fleet {seed} with identities"), fleet_policy_with_identities(12, seed))));
    let local = |seed| zplan::fleet::fleet_blocks_with_local_snapshots(4, 4, seed).concat();
    policies.extend((1..=2).map(|seed| (format!("fleet with local snapshots {seed}"), local(seed))));
    let file_servers = |seed| zplan::fleet::file_server_blocks(4, seed).concat();
    policies.extend((1..=2).map(|seed| (format!("file servers {seed}"), file_servers(seed))));
    let pattern_servers = |seed| [fleet_blocks(2, seed), client_pattern_server_blocks(6, seed)].concat().concat();
    policies.extend((1..=2).map(|seed| (format!("fleet with pattern servers {seed}"), pattern_servers(seed))));
    let filers = |seed| zplan::fleet::fleet_blocks_with_nfsv4_servers(4, 4, seed).concat();
    policies.extend((1..=2).map(|seed| (format!("fleet with NFSv4 servers {seed}"), filers(seed))));
    policies
}

/// Compiles a policy that must compile cleanly, into its model and tree.
pub fn compiled(name: &str, source: &str) -> (Policy, Tree) {
    let compilation = zplan::compile(source, name);
    assert!(compilation.problems.is_empty(), "{name}: {:?}", compilation.problems);
    (compilation.policy.unwrap(), compilation.tree.unwrap())
}

/// The name a static pair's target gives the copy of `dataset`, worked out from the policy
/// as the tools document it: `replicate X as COPY` receives X into COPY (and its children
/// below it); else syncoid and a zrepl pull receive into `UNDER/DATASET` (`UNDER/PATH`
/// without the pool for `without-pool`), a zrepl sink into `UNDER/IDENTITY/DATASET` (the
/// source's `zrepl-cn`, else its name); with no `under`, the copy keeps the name.
pub fn copy_name(policy: &Policy, pair: &Pair, dataset: &str) -> String {
    let named = pair.datasets.iter().find_map(|r| {
        let copy = r.copy.as_ref()?;
        let rest = dataset.strip_prefix(r.dataset.value.as_str())?;
        (rest.is_empty() || r.recursive && rest.starts_with('/')).then(|| format!("{}{rest}", copy.value))
    });
    if let Some(named) = named {
        return named;
    }
    match (&pair.target_root, pair.engine.value, pair.mode.as_ref().map(|m| m.value)) {
        (None, _, _) => dataset.to_owned(),
        (Some(root), Engine::Zrepl, None | Some(Mode::Push)) => {
            let source = &policy.nodes[pair.nodes[0]];
            let identity = source.zrepl_node.common_name.as_ref().map_or(&source.name.value, |cn| &cn.value);
            format!("{}/{identity}/{dataset}", root.value)
        }
        (Some(root), _, _) if pair.without_pool.is_some() => match dataset.split_once('/') {
            Some((_, path)) => format!("{}/{path}", root.value),
            None => root.value.clone(),
        },
        (Some(root), _, _) => format!("{}/{dataset}", root.value),
    }
}

/// Every text file of a tree: host, path and contents.
pub fn text_files(tree: &Tree) -> impl Iterator<Item = (&str, &str, &str)> {
    tree.files.iter().filter_map(|((host, path), file)| match &file.body {
        Body::Bytes(bytes) => Some((host.as_str(), path.as_str(), std::str::from_utf8(bytes).unwrap())),
        Body::Link(_) => None,
    })
}
