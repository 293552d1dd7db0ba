//! Helpers shared by the integration tests.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

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
