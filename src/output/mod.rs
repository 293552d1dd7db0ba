//! Writing a rendered tree to an output directory so that a deployer can trust it.
//!
//! A build first works out what would change ([`pending`]), then builds the new tree in a
//! staging directory beside the output, where unchanged and foreign files are hard links to
//! the current ones (so they keep their inode and mtime), and finally swaps the two
//! directories in one `rename`. A reader sees the old tree or the new one, never a mix; a
//! build killed at any point leaves the old tree in place. Only files that a previous zplan
//! manifest lists are ever replaced or removed.

mod diff;
mod error;
mod pending;
mod staging;

use std::path::Path;

use crate::render::Tree;

pub use error::OutputError;
pub use pending::{pending, Change, Entry, Pending};

/// How a build treats an output directory.
#[derive(Default)]
pub struct WriteOptions<'a> {
    /// Build into a non-empty directory that has no zplan manifest, and over files no
    /// manifest lists; zplan's own files are added and nothing else is touched.
    pub force: bool,
    /// Called with a running count after each file is staged; tests use it to interrupt a
    /// build between files.
    pub on_file_staged: Option<&'a dyn Fn(usize)>,
}

/// What a build did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WriteSummary {
    /// Files written because they were new or their bytes, mode or link changed.
    pub written: usize,
    /// Files an earlier build generated that this one no longer does.
    pub removed: usize,
    /// Files left exactly as they were.
    pub unchanged: usize,
}

/// Writes the tree under `dir` (one directory per host, the manifest at the top), or
/// leaves `dir` entirely untouched when it already holds exactly this tree.
pub fn write_tree(tree: &Tree, dir: &Path, options: &WriteOptions<'_>) -> Result<WriteSummary, OutputError> {
    let dir = staging::resolve(dir)?;
    staging::recover(&dir)?;
    let pending = pending(tree, &dir)?;
    pending.refuse_unsafe(options.force)?;
    let summary = pending.summary(tree.files.len());
    if !pending.is_empty() {
        staging::stage_and_swap(&dir, pending.changes(), options.on_file_staged)?;
    }
    Ok(summary)
}
