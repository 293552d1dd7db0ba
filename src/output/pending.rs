//! What a build would change in an output directory, worked out from the directory, the
//! manifest of the previous build and the rendered tree, without writing anything.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use super::OutputError;
use crate::render::manifest::{Manifest, ManifestError, MANIFEST_NAME};
use crate::render::{Body, OutputFile, Tree};

/// The mode of `manifest.json`.
const MANIFEST_MODE: u32 = 0o644;

/// What stands at a path of the output directory, or should.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    File {
        bytes: Vec<u8>,
        mode: u32,
    },
    Link(String),
    /// A directory or a special file: zplan never writes over one.
    Other,
}

impl Entry {
    fn of(file: &OutputFile) -> Entry {
        match &file.body {
            Body::Bytes(bytes) => Entry::File { bytes: bytes.clone(), mode: file.mode },
            Body::Link(target) => Entry::Link(target.clone()),
        }
    }

    /// What is at `path` now, without following a final symbolic link.
    pub(super) fn read(path: &Path) -> Result<Option<Entry>, OutputError> {
        let read_error = |source| OutputError::Read { path: path.to_owned(), source };
        let metadata = match fs::symlink_metadata(path) {
            Ok(metadata) => metadata,
            Err(error) if is_absent(&error) => return Ok(None),
            Err(error) => return Err(read_error(error)),
        };
        let entry = if metadata.is_file() {
            Entry::File { bytes: fs::read(path).map_err(read_error)?, mode: metadata.permissions().mode() & 0o7777 }
        } else if metadata.is_symlink() {
            Entry::Link(fs::read_link(path).map_err(read_error)?.to_string_lossy().into_owned())
        } else {
            Entry::Other
        };
        Ok(Some(entry))
    }
}

/// `NotFound`, or a parent that is a file (`NotADirectory`): either way nothing is there.
pub(super) fn is_absent(error: &io::Error) -> bool {
    matches!(error.kind(), io::ErrorKind::NotFound | io::ErrorKind::NotADirectory)
}

/// One path of the output directory whose content would change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Relative to the output directory: `HOST/etc/…`, or `manifest.json`.
    pub path: String,
    /// What is there now.
    pub old: Option<Entry>,
    /// What a build puts there; `None` removes it.
    pub new: Option<Entry>,
    /// Something is there that no zplan manifest lists.
    pub foreign: bool,
}

/// What the output directory held before this build.
#[derive(Debug)]
enum Previous {
    /// No directory, or an empty one.
    Nothing,
    /// A directory with a zplan manifest.
    Listed(Manifest),
    /// A non-empty directory without a manifest.
    Unlisted,
    /// A manifest zplan cannot use.
    Unusable(ManifestError),
}

/// Every change a build would make, in path order with the manifest last.
#[derive(Debug)]
pub struct Pending {
    dir: std::path::PathBuf,
    previous: Previous,
    changes: Vec<Change>,
}

/// Works out what building `tree` into `dir` would change.
pub fn pending(tree: &Tree, dir: &Path) -> Result<Pending, OutputError> {
    let previous = read_previous(dir)?;
    let previous_manifest = match &previous {
        Previous::Listed(manifest) => Some(manifest),
        _ => None,
    };
    let listed: BTreeSet<(&str, &str)> = previous_manifest.map(|m| m.file_paths().collect()).unwrap_or_default();
    let mut changes = Vec::new();
    for ((host, path), file) in &tree.files {
        let relative = format!("{host}/{path}");
        let old = Entry::read(&dir.join(&relative))?;
        let new = Entry::of(file);
        if old.as_ref() != Some(&new) {
            let foreign = old.is_some() && !listed.contains(&(host.as_str(), format!("/{path}").as_str()));
            changes.push(Change { path: relative, old, new: Some(new), foreign });
        }
    }
    for (host, path) in &listed {
        let produced = tree.files.contains_key(&(host.to_string(), path.trim_start_matches('/').to_owned()));
        let relative = format!("{host}{path}");
        if let (false, Some(old)) = (produced, Entry::read(&dir.join(&relative))?) {
            changes.push(Change { path: relative, old: Some(old), new: None, foreign: false });
        }
    }
    changes.sort_by(|a, b| a.path.cmp(&b.path));
    changes.extend(manifest_change(tree, dir, previous_manifest)?);
    Ok(Pending { dir: dir.to_owned(), previous, changes })
}

fn manifest_change(tree: &Tree, dir: &Path, previous: Option<&Manifest>) -> Result<Option<Change>, OutputError> {
    let mut manifest = tree.manifest.clone();
    if let Some(previous) = previous {
        manifest.carry_removed(previous);
    }
    let new = Entry::File { bytes: manifest.to_bytes(), mode: MANIFEST_MODE };
    let old = Entry::read(&dir.join(MANIFEST_NAME))?;
    let foreign = old.is_some() && previous.is_none();
    Ok((old.as_ref() != Some(&new)).then(|| Change { path: MANIFEST_NAME.to_owned(), old, new: Some(new), foreign }))
}

fn read_previous(dir: &Path) -> Result<Previous, OutputError> {
    let manifest_path = dir.join(MANIFEST_NAME);
    match fs::read(&manifest_path) {
        Ok(bytes) => Ok(Manifest::parse(&bytes).map_or_else(Previous::Unusable, Previous::Listed)),
        Err(error) if is_absent(&error) => match fs::read_dir(dir) {
            Ok(mut entries) => Ok(if entries.next().is_some() { Previous::Unlisted } else { Previous::Nothing }),
            Err(error) if is_absent(&error) => Ok(Previous::Nothing),
            Err(source) => Err(OutputError::Read { path: dir.to_owned(), source }),
        },
        Err(source) => Err(OutputError::Read { path: manifest_path, source }),
    }
}

impl Pending {
    /// Whether the directory already holds exactly what a build would write.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The changes, in path order with the manifest last.
    pub fn changes(&self) -> &[Change] {
        &self.changes
    }

    /// A unified diff from what the directory holds to what a build would write.
    pub fn unified_diff(&self) -> String {
        super::diff::unified_diff(&self.changes)
    }

    /// Refuses a build that would touch what zplan does not own: a directory without a
    /// manifest, a manifest zplan cannot read, or files no manifest lists (all allowed by
    /// `force`), and anything that is not a file where zplan writes one (never allowed).
    pub fn refuse_unsafe(&self, force: bool) -> Result<(), OutputError> {
        if let Some(change) = self.changes.iter().find(|change| change.old == Some(Entry::Other)) {
            return Err(OutputError::InTheWay { path: self.dir.join(&change.path) });
        }
        if force {
            return Ok(());
        }
        match &self.previous {
            Previous::Unlisted => return Err(OutputError::NotZplan { dir: self.dir.clone() }),
            Previous::Unusable(error) => return Err(OutputError::Manifest { source: error.clone() }),
            Previous::Nothing | Previous::Listed(_) => {}
        }
        let foreign: Vec<String> =
            self.changes.iter().filter(|change| change.foreign).map(|change| change.path.clone()).collect();
        if foreign.is_empty() {
            Ok(())
        } else {
            Err(OutputError::ForeignFiles { paths: foreign })
        }
    }

    /// Counts for a build of `file_count` files.
    pub(super) fn summary(&self, file_count: usize) -> super::WriteSummary {
        let files = self.changes.iter().filter(|change| change.path != MANIFEST_NAME);
        let (written, removed) = files.fold((0, 0), |(written, removed), change| match change.new {
            Some(_) => (written + 1, removed),
            None => (written, removed + 1),
        });
        super::WriteSummary { written, removed, unchanged: file_count - written }
    }
}
