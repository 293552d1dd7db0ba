//! The diagnostic catalogue stays true: each failing example reports its code, each fixed
//! example compiles cleanly, every code the compiler can report is catalogued and has a UI
//! test, and the README's table is the catalogue's.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use miette::Diagnostic;
use zplan::diagnostic::catalogue::{entries, markdown_table};

fn codes_of(source: &str) -> BTreeSet<String> {
    zplan::compile(source, "example.zplan")
        .problems
        .iter()
        .filter_map(|problem| problem.code().map(|code| code.to_string()))
        .collect()
}

#[test]
fn failing_examples_report_their_code_and_fixed_ones_compile_cleanly() {
    for entry in entries() {
        if !entry.failing.is_empty() {
            let codes = codes_of(&entry.failing);
            assert!(codes.contains(&entry.code), "{}: the failing example reports {codes:?}", entry.code);
        }
        if !entry.fixed.is_empty() {
            let compilation = zplan::compile(&entry.fixed, "example.zplan");
            assert!(
                compilation.problems.is_empty(),
                "{}: the fixed example reports {:?}",
                entry.code,
                compilation.problems
            );
        }
    }
}

#[test]
fn entries_are_unique_and_in_code_order() {
    let codes: Vec<&str> = entries().iter().map(|entry| entry.code.as_str()).collect();
    let mut sorted = codes.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(codes, sorted);
}

/// Every `code(…)` in the Problem enum has an entry, and every entry a variant.
#[test]
fn the_catalogue_covers_exactly_the_codes_of_the_compiler() {
    let source = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/diagnostic/problem.rs")).unwrap();
    let in_source: BTreeSet<String> = source
        .split("code(")
        .skip(1)
        .map(|rest| rest.split(')').next().unwrap().to_owned())
        .filter(|code| code.starts_with('E') || code.starts_with('W'))
        .collect();
    let catalogued: BTreeSet<String> = entries().iter().map(|entry| entry.code.clone()).collect();
    assert_eq!(in_source, catalogued);
}

/// Every code is shown to users in a UI snapshot, except the oversized input (a CLI test).
#[test]
fn every_code_has_a_ui_test() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui");
    let mut covered = BTreeSet::new();
    for entry in fs::read_dir(dir).unwrap() {
        let source = fs::read_to_string(entry.unwrap().path()).unwrap();
        covered.extend(codes_of(&source));
    }
    let missing: Vec<&str> = entries()
        .iter()
        .map(|entry| entry.code.as_str())
        .filter(|code| !covered.contains(*code) && *code != "E0108")
        .collect();
    assert!(missing.is_empty(), "codes without a UI test: {missing:?}");
}

#[test]
fn the_readme_lists_the_catalogue() {
    let readme = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let table = markdown_table();
    assert!(readme.contains(&table), "README.md must carry this table (from `zplan explain`):\n{table}");
}
