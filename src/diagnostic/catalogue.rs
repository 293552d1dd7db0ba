//! The registry of every diagnostic code: a one-line summary, a long explanation, and a
//! failing and a fixed example. `zplan explain` prints it; the tests keep it honest.

use std::sync::OnceLock;

use serde::Deserialize;

/// One code of the catalogue.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Entry {
    pub code: String,
    pub summary: String,
    pub explanation: String,
    /// A policy that reports this code; empty when no small example can (an oversized input).
    pub failing: String,
    /// The same policy, fixed: it compiles without any problem.
    pub fixed: String,
}

#[derive(Deserialize)]
struct Catalogue {
    diagnostic: Vec<Entry>,
}

/// Every entry, in code order.
pub fn entries() -> &'static [Entry] {
    static ENTRIES: OnceLock<Vec<Entry>> = OnceLock::new();
    ENTRIES.get_or_init(|| {
        let catalogue: Catalogue =
            toml::from_str(include_str!("catalogue.toml")).expect("the bundled catalogue parses");
        catalogue.diagnostic
    })
}

/// The entry of a code, written in any case.
pub fn lookup(code: &str) -> Option<&'static Entry> {
    entries().iter().find(|entry| entry.code.eq_ignore_ascii_case(code.trim()))
}

/// The text `zplan explain CODE` prints.
pub fn explain(entry: &Entry) -> String {
    let mut text = format!("{}: {}\n\n{}", entry.code, entry.summary, wrap(entry.explanation.trim_end(), 80));
    if !entry.failing.is_empty() {
        text.push_str(&format!("\nThis policy reports {}:\n\n{}", entry.code, indent(&entry.failing)));
    }
    if !entry.fixed.is_empty() {
        text.push_str(&format!("\nFixed:\n\n{}", indent(&entry.fixed)));
    }
    text
}

/// Breaks text into lines of at most `width` characters, at spaces.
fn wrap(text: &str, width: usize) -> String {
    let mut wrapped = String::new();
    let mut line_length = 0;
    for word in text.split_whitespace() {
        let length = word.chars().count();
        if line_length > 0 && line_length + 1 + length > width {
            wrapped.push('\n');
            line_length = 0;
        } else if line_length > 0 {
            wrapped.push(' ');
            line_length += 1;
        }
        wrapped.push_str(word);
        line_length += length;
    }
    wrapped.push('\n');
    wrapped
}

fn indent(policy: &str) -> String {
    policy.lines().map(|line| if line.is_empty() { "\n".to_owned() } else { format!("    {line}\n") }).collect()
}

/// The list of codes and summaries as a Markdown table, as the README carries it.
pub fn markdown_table() -> String {
    let mut table = String::from("| code | summary |\n|---|---|\n");
    for entry in entries() {
        table.push_str(&format!("| `{}` | {} |\n", entry.code, entry.summary));
    }
    table
}
