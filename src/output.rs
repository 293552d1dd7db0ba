//! Writing a rendered tree to disk: each file through a temporary name and a rename, a
//! file whose bytes and mode are unchanged left alone, the manifest last.

use std::fs;
use std::io;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};

use miette::Diagnostic;
use thiserror::Error;

use crate::render::{Body, Tree};

/// A file of the output tree that could not be written.
#[derive(Debug, Error, Diagnostic)]
#[error("cannot write {}", path.display())]
#[diagnostic(code(zplan::io), help("check that the output directory is writable and the disk has room"))]
pub struct WriteError {
    pub path: PathBuf,
    #[source]
    pub source: io::Error,
}

/// How many files a write changed and left alone.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WriteSummary {
    pub written: usize,
    pub unchanged: usize,
}

/// Writes the tree under `dir`, one directory per host, `manifest.json` at the top.
pub fn write_tree(tree: &Tree, dir: &Path) -> Result<WriteSummary, WriteError> {
    let mut summary = WriteSummary::default();
    for ((host, path), file) in &tree.files {
        let target = dir.join(host).join(path);
        let changed = match &file.body {
            Body::Bytes(bytes) => write_file(&target, bytes, file.mode),
            Body::Link(link) => write_link(&target, link),
        }
        .map_err(|source| WriteError { path: target.clone(), source })?;
        if changed {
            summary.written += 1;
        } else {
            summary.unchanged += 1;
        }
    }
    let manifest = dir.join("manifest.json");
    let changed =
        write_file(&manifest, &tree.manifest, 0o644).map_err(|source| WriteError { path: manifest, source })?;
    if changed {
        summary.written += 1;
    } else {
        summary.unchanged += 1;
    }
    Ok(summary)
}

fn temporary_beside(target: &Path) -> PathBuf {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    target.with_file_name(format!(".{name}.zplan-tmp"))
}

fn write_file(target: &Path, bytes: &[u8], mode: u32) -> io::Result<bool> {
    if let Ok(existing) = fs::symlink_metadata(target) {
        let same_mode = existing.file_type().is_file() && existing.permissions().mode() & 0o7777 == mode;
        if same_mode && fs::read(target)? == bytes {
            return Ok(false);
        }
    }
    fs::create_dir_all(target.parent().expect("output files live in a directory"))?;
    let temporary = temporary_beside(target);
    fs::write(&temporary, bytes)?;
    fs::set_permissions(&temporary, fs::Permissions::from_mode(mode))?;
    fs::rename(&temporary, target)?;
    Ok(true)
}

fn write_link(target: &Path, link: &str) -> io::Result<bool> {
    if fs::read_link(target).is_ok_and(|existing| existing == Path::new(link)) {
        return Ok(false);
    }
    fs::create_dir_all(target.parent().expect("output files live in a directory"))?;
    let temporary = temporary_beside(target);
    let _ = fs::remove_file(&temporary);
    symlink(link, &temporary)?;
    fs::rename(&temporary, target)?;
    Ok(true)
}
