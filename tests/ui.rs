//! Diagnostics as users see them: every `tests/ui/*.zplan` is compiled and its rendered
//! problems are snapshotted. `err_*` inputs must fail, `warn_*` inputs compile with
//! warnings, `ok_*` inputs compile with no problem at all.

use std::fs;

use zplan::diagnostic::{render_human, Theme};

use crate::support::{file_name, with_snapshots};

#[test]
fn diagnostics_match_their_snapshots() {
    with_snapshots(|| {
        insta::glob!("ui/*.zplan", |path| {
            let source = fs::read_to_string(path).unwrap();
            let name = file_name(path);
            let compilation = zplan::compile(&source, &name);
            let stem = name.trim_end_matches(".zplan");
            if stem.starts_with("ok_") {
                assert!(compilation.problems.is_empty(), "{name} should compile cleanly: {:?}", compilation.problems);
                assert!(compilation.tree.is_some());
                return;
            }
            assert!(!compilation.problems.is_empty(), "{name} should report a problem");
            let has_tree = compilation.tree.is_some();
            assert_eq!(has_tree, stem.starts_with("warn_"), "{name}: only warnings may leave a tree");
            let rendered = render_human(&compilation.problems, &format!("ui/{name}"), &source, Theme::Plain);
            insta::with_settings!({ description => source.clone(), omit_expression => true }, {
                insta::assert_snapshot!("ui", rendered);
            });
        });
    });
}

#[test]
fn every_ui_input_has_a_known_prefix() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui");
    for entry in fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            ["ok_", "err_", "warn_"].iter().any(|prefix| name.starts_with(prefix)) && name.ends_with(".zplan"),
            "{name} is not named ok_*, err_* or warn_*.zplan"
        );
    }
}
