//! `zplan fmt`: one canonical layout, comments kept, idempotent, meaning preserved.

use std::fs;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use zplan::format::format;
use zplan::syntax::{parse, Statement};

use crate::support::policies_in;

/// Every example and every UI input that compiles.
fn compiling_policies_in() -> Vec<PathBuf> {
    let mut paths = policies_in("examples", &[]);
    paths.extend(policies_in("tests/ui", &["ok_", "warn_"]));
    paths
}

/// The model's debug text without the byte offsets, which layout is free to move.
fn without_spans(debug: &str) -> String {
    const SPAN: &str = "Span { start: ";
    let mut out = String::new();
    let mut rest = debug;
    while let Some(at) = rest.find(SPAN) {
        out.push_str(&rest[..at]);
        out.push_str("Span");
        let after = &rest[at..];
        rest = &after[after.find('}').map_or(after.len(), |end| end + 1)..];
    }
    out.push_str(rest);
    out
}

/// A statement as keyword, values and children, without spans.
fn shape(statements: &[Statement]) -> Vec<String> {
    statements
        .iter()
        .map(|statement| {
            let values: Vec<String> = statement.values.iter().map(|v| format!("{:?}:{}", v.kind, v.text)).collect();
            format!("{} [{}] {{{}}}", statement.name(), values.join(" "), shape(statement.children()).join("; "))
        })
        .collect()
}

fn comments(source: &str) -> Vec<&str> {
    source.lines().filter_map(|line| line.find('#').map(|at| line[at..].trim_end())).collect()
}

fn meaning(source: &str) -> (String, Vec<String>) {
    let compilation = zplan::compile(source, "p.zplan");
    let codes =
        compilation.problems.iter().map(|p| format!("{:?}", miette::Diagnostic::code(p).map(|c| c.to_string())));
    (without_spans(&format!("{:?}", compilation.policy)), codes.collect())
}

#[test]
fn formatting_keeps_the_meaning_and_the_comments_and_is_idempotent() {
    for path in compiling_policies_in() {
        let source = fs::read_to_string(&path).unwrap();
        let formatted = format(&source).unwrap();
        let name = path.display();
        assert!(zplan::compile(&source, "p.zplan").policy.is_some(), "{name} compiles");
        assert_eq!(meaning(&formatted), meaning(&source), "{name}: the model of fmt(x) is the model of x");
        assert_eq!(comments(&formatted), comments(&source), "{name}: every comment is kept, in order");
        assert_eq!(format(&formatted).unwrap(), formatted, "{name}: fmt(fmt(x)) == fmt(x)");
    }
}

#[test]
fn every_input_that_parses_keeps_its_syntax_tree() {
    for path in policies_in("tests/ui", &[]).into_iter().chain(policies_in("examples", &[])) {
        let source = fs::read_to_string(&path).unwrap();
        let Ok(file) = parse(&source) else { continue };
        let formatted = format(&source).unwrap();
        let name = path.display();
        assert_eq!(shape(&parse(&formatted).unwrap().statements), shape(&file.statements), "{name}");
        assert_eq!(comments(&formatted), comments(&source), "{name}");
        assert_eq!(format(&formatted).unwrap(), formatted, "{name}");
    }
}

/// Layout is all `fmt` decides: the same policy laid out badly formats to the same text.
#[test]
fn any_layout_of_a_policy_formats_to_the_same_text() {
    for path in compiling_policies_in() {
        let source = fs::read_to_string(&path).unwrap();
        let mangled: String = source.lines().map(mangle).collect();
        assert_eq!(format(&mangled).unwrap(), format(&source).unwrap(), "{}", path.display());
    }
}

/// The same line with tabs for indentation, wide gaps between values, the comment pushed
/// right, and every blank line doubled.
fn mangle(line: &str) -> String {
    let (code, comment) = line.split_at(line.find('#').unwrap_or(line.len()));
    let code = code.split_whitespace().collect::<Vec<_>>().join(" \t  ");
    match (code.is_empty(), comment.is_empty()) {
        (true, true) => "\n\n".to_owned(),
        (_, true) => format!("\t{code}\n"),
        _ => format!("\t{code}       {comment}\n"),
    }
}

#[test]
fn the_examples_are_formatted() {
    for path in policies_in("examples", &[]) {
        let source = fs::read_to_string(&path).unwrap();
        assert_eq!(format(&source).unwrap(), source, "run `zplan fmt {}`", path.display());
    }
}

fn zplan(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zplan"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn fmt_rewrites_files_and_check_exits_3_with_a_diff() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fmt-cli");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let messy = dir.join("messy.zplan");
    let tidy = dir.join("tidy.zplan");
    fs::write(&messy, "node a { address 10.0.0.1 }   # a node\n").unwrap();
    fs::write(&tidy, "node a {\n  address 10.0.0.1\n}\n").unwrap();
    let (messy_str, tidy_str) = (messy.to_str().unwrap(), tidy.to_str().unwrap());
    let check = zplan(&["fmt", "--check", messy_str, tidy_str], "");
    assert_eq!(check.status.code(), Some(3));
    let diff = String::from_utf8(check.stdout).unwrap();
    assert!(diff.contains("-node a { address 10.0.0.1 }   # a node\n+node a {  # a node\n"), "{diff}");
    assert_eq!(zplan(&["fmt", "--check", tidy_str], "").status.code(), Some(0));
    let tidy_mtime = fs::metadata(&tidy).unwrap().modified().unwrap();
    assert_eq!(zplan(&["fmt", messy_str, tidy_str], "").status.code(), Some(0));
    assert_eq!(fs::read_to_string(&messy).unwrap(), "node a {  # a node\n  address 10.0.0.1\n}\n");
    assert_eq!(fs::metadata(&tidy).unwrap().modified().unwrap(), tidy_mtime, "a formatted file is not rewritten");
    assert_eq!(zplan(&["fmt", "--check", messy_str], "").status.code(), Some(0));
}

#[test]
fn fmt_reads_standard_input_and_refuses_broken_syntax() {
    let output = zplan(&["fmt", "-"], "node a{\naddress 10.0.0.1}\n");
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8(output.stdout).unwrap(), "node a {\n  address 10.0.0.1\n}\n");
    let broken = zplan(&["fmt", "-"], "node a {\n");
    assert_eq!(broken.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&broken.stderr).contains("E0103"));
    assert!(broken.stdout.is_empty());
    let binary = zplan(&["fmt", "-"], "# caf\u{e9}\n");
    assert_eq!(binary.status.code(), Some(0), "UTF-8 comments are text");
}
