//! `build`, `build --check` and `diff`: the output directory against the compiled tree.

use std::io::Write;
use std::path::Path;

use super::{write_stdout, Cli, EXIT_OK, EXIT_STALE};
use crate::output::{pending, write_tree, Entry, Pending, WriteOptions};
use crate::render::Tree;

impl Cli {
    pub(super) fn build(&self, tree: &Tree, output: &Path, force: bool) -> u8 {
        let abort_after = test_abort_after();
        let on_file_staged = |count: usize| {
            if abort_after == Some(count) {
                std::process::abort();
            }
        };
        let options = WriteOptions { force, on_file_staged: abort_after.is_some().then_some(&on_file_staged as _) };
        match write_tree(tree, output, &options) {
            Ok(_) => EXIT_OK,
            Err(error) => self.report_failure(&error),
        }
    }

    pub(super) fn check_stale(&self, tree: &Tree, output: &Path) -> u8 {
        self.with_pending(tree, output, |pending| {
            let changes = pending.changes();
            let mut text = format!("{} is stale: a build would change {} paths\n", output.display(), changes.len());
            for change in changes {
                text.push_str(&format!(
                    "  {} {}\n",
                    change_word(change.old.as_ref(), change.new.as_ref()),
                    change.path
                ));
            }
            let _ = std::io::stderr().write_all(text.as_bytes());
        })
    }

    pub(super) fn diff(&self, tree: &Tree, output: &Path) -> u8 {
        self.with_pending(tree, output, |pending| {
            write_stdout(pending.unified_diff().as_bytes());
        })
    }

    /// Runs `report` on the changes a build would make, and exits 3 when there are any.
    fn with_pending(&self, tree: &Tree, output: &Path, report: impl FnOnce(&Pending)) -> u8 {
        match pending(tree, output) {
            Ok(pending) if pending.is_empty() => EXIT_OK,
            Ok(pending) => {
                report(&pending);
                EXIT_STALE
            }
            Err(error) => self.report_failure(&error),
        }
    }
}

/// How a stale path would change, in the words of `--check`.
fn change_word(old: Option<&Entry>, new: Option<&Entry>) -> &'static str {
    match (old, new) {
        (None, _) => "add   ",
        (Some(_), None) => "remove",
        (Some(_), Some(_)) => "change",
    }
}

/// The number of staged files after which a build aborts, from `ZPLAN_TEST_ABORT_AFTER`:
/// the tests use it to kill a build between two files.
fn test_abort_after() -> Option<usize> {
    std::env::var("ZPLAN_TEST_ABORT_AFTER").ok()?.parse().ok()
}
