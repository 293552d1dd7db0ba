//! The changes of a build as a git-style unified diff: `a/` is what the output directory
//! holds, `b/` what the policy compiles to. Symbolic links appear as git shows them (mode
//! `120000`, the target as content), so the output reads like `git diff` of a golden tree.

use std::fmt::Write as _;

use similar::TextDiff;

use super::{Change, Entry};

const CONTEXT_LINES: usize = 3;

/// The whole diff, one section per change, in the order given.
pub(super) fn unified_diff(changes: &[Change]) -> String {
    let mut out = String::new();
    for change in changes {
        section(&mut out, change);
    }
    out
}

fn section(out: &mut String, change: &Change) {
    let path = &change.path;
    let _ = writeln!(out, "diff --git a/{path} b/{path}");
    let (old_mode, new_mode) = (change.old.as_ref().map(git_mode), change.new.as_ref().map(git_mode));
    match (old_mode, new_mode) {
        (None, Some(mode)) => _ = writeln!(out, "new file mode {mode}"),
        (Some(mode), None) => _ = writeln!(out, "deleted file mode {mode}"),
        (Some(old), Some(new)) if old != new => _ = writeln!(out, "old mode {old}\nnew mode {new}"),
        _ => {}
    }
    let (old_text, new_text) = (change.old.as_ref().map(text), change.new.as_ref().map(text));
    if old_text == new_text {
        return;
    }
    let (Some(old_text), Some(new_text)) =
        (old_text.unwrap_or(Some(String::new())), new_text.unwrap_or(Some(String::new())))
    else {
        let _ = writeln!(out, "Binary files a/{path} and b/{path} differ");
        return;
    };
    let old_name = change.old.as_ref().map_or_else(|| "/dev/null".to_owned(), |_| format!("a/{path}"));
    let new_name = change.new.as_ref().map_or_else(|| "/dev/null".to_owned(), |_| format!("b/{path}"));
    let diff = TextDiff::from_lines(&old_text, &new_text);
    let _ = write!(out, "{}", diff.unified_diff().context_radius(CONTEXT_LINES).header(&old_name, &new_name));
}

/// The mode git shows for an entry.
fn git_mode(entry: &Entry) -> String {
    match entry {
        Entry::File { mode, .. } => format!("100{:03o}", mode & 0o777),
        Entry::Link(_) => "120000".to_owned(),
        Entry::Other => "040000".to_owned(),
    }
}

/// The entry as text, or `None` when it is not text (a binary file, a directory).
fn text(entry: &Entry) -> Option<String> {
    match entry {
        Entry::File { bytes, .. } => String::from_utf8(bytes.clone()).ok(),
        Entry::Link(target) => Some(target.clone()),
        Entry::Other => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str, mode: u32) -> Option<Entry> {
        Some(Entry::File { bytes: text.as_bytes().to_vec(), mode })
    }

    fn change(old: Option<Entry>, new: Option<Entry>) -> Change {
        Change { path: "h/etc/x".to_owned(), old, new, foreign: false }
    }

    #[test]
    fn a_changed_line_shows_with_its_context() {
        let diff = unified_diff(&[change(file("a\nb\nc\n", 0o644), file("a\nB\nc\n", 0o644))]);
        assert_eq!(
            diff,
            "diff --git a/h/etc/x b/h/etc/x\n--- a/h/etc/x\n+++ b/h/etc/x\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"
        );
    }

    #[test]
    fn new_and_deleted_files_diff_against_dev_null() {
        let added = unified_diff(&[change(None, file("a\n", 0o755))]);
        assert_eq!(
            added,
            "diff --git a/h/etc/x b/h/etc/x\nnew file mode 100755\n--- /dev/null\n+++ b/h/etc/x\n@@ -0,0 +1 @@\n+a\n"
        );
        let deleted = unified_diff(&[change(Some(Entry::Link("/dev/null".to_owned())), None)]);
        assert!(deleted.contains("deleted file mode 120000\n--- a/h/etc/x\n+++ /dev/null\n"), "{deleted}");
        assert!(deleted.contains("-/dev/null\n\\ No newline at end of file\n"), "{deleted}");
    }

    #[test]
    fn a_mode_change_alone_has_no_hunk() {
        let diff = unified_diff(&[change(file("a\n", 0o644), file("a\n", 0o755))]);
        assert_eq!(diff, "diff --git a/h/etc/x b/h/etc/x\nold mode 100644\nnew mode 100755\n");
    }

    #[test]
    fn binary_content_is_named_not_printed() {
        let binary = Some(Entry::File { bytes: vec![0xff, 0xfe], mode: 0o644 });
        let diff = unified_diff(&[change(binary, file("a\n", 0o644))]);
        assert!(diff.ends_with("Binary files a/h/etc/x and b/h/etc/x differ\n"), "{diff}");
    }
}
