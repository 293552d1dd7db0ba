//! Any bytes through every phase: parse, model, checks, plan, render, and every way of
//! reporting the problems. Nothing may panic, a tree exists exactly when no problem is an
//! error, and every file of a tree fits its format (the rules of `tests/charset.rs`).

#![no_main]

#[path = "../../tests/charset.rs"]
mod charset;

use libfuzzer_sys::fuzz_target;
use zplan::diagnostic::{render_github, render_human, render_json, Theme};

fuzz_target!(|bytes: &[u8]| {
    let compilation = zplan::compile_bytes(bytes, "fuzz.zplan");
    let has_error = compilation.problems.iter().any(|problem| problem.is_error());
    assert_eq!(compilation.tree.is_some(), !has_error, "{:?}", compilation.problems);
    if let Some(tree) = &compilation.tree {
        assert_eq!(charset::violations(tree), Vec::<String>::new());
    }
    let source = String::from_utf8_lossy(bytes);
    render_human(&compilation.problems, "fuzz.zplan", &source, Theme::Plain);
    render_json(&compilation.problems, "fuzz.zplan", &source);
    render_github(&compilation.problems, "fuzz.zplan", &source);
});
