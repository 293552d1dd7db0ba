//! The staging directory beside the output: a mirror of the output made of hard links,
//! the changes applied to it, then one rename that swaps it in. A build killed before the
//! swap leaves the output as it was; the next build clears what the killed one left.
//!
//! Nothing reads the staging directory before the swap, so files are written in place
//! there, and the whole filesystem is synced once before the swap rather than each file:
//! a fleet's hundreds of thousands of files cost what creating them costs.

use std::cell::RefCell;
use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{symlink, OpenOptionsExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};

use rustix::fs::{renameat_with, syncfs, RenameFlags, CWD};

use super::pending::is_absent;
use super::{Change, Entry, OutputError};

/// The output directory as an absolute path, through any symbolic link to it, so that the
/// swap replaces the directory and not a link to it.
pub(super) fn resolve(dir: &Path) -> Result<PathBuf, OutputError> {
    let read_error = |source| OutputError::Read { path: dir.to_owned(), source };
    let resolved = match fs::metadata(dir) {
        Ok(metadata) if metadata.is_dir() => fs::canonicalize(dir).map_err(read_error)?,
        Ok(_) => return Err(OutputError::InTheWay { path: dir.to_owned() }),
        Err(error) if is_absent(&error) => std::path::absolute(dir).map_err(read_error)?,
        Err(error) => return Err(read_error(error)),
    };
    let plain = resolved.components().next_back().is_some_and(|last| matches!(last, Component::Normal(_)));
    if plain {
        Ok(resolved)
    } else {
        Err(OutputError::NoParent { dir: dir.to_owned() })
    }
}

/// `DIR/../.NAME.zplan-ROLE`: a name beside the output, on the same filesystem.
fn beside(dir: &Path, role: &str) -> PathBuf {
    let name = dir.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    dir.with_file_name(format!(".{name}.zplan-{role}"))
}

/// Undoes what a killed build left: a half-built staging directory is deleted, and an output
/// moved aside by a swap that did not finish is put back.
pub(super) fn recover(dir: &Path) -> Result<(), OutputError> {
    let previous = beside(dir, "previous");
    if !dir.exists() && previous.is_dir() {
        fs::rename(&previous, dir).map_err(|source| OutputError::Write { path: dir.to_owned(), source })?;
    }
    for leftover in [beside(dir, "staging"), previous] {
        if fs::symlink_metadata(&leftover).is_ok() {
            fs::remove_dir_all(&leftover).map_err(|source| OutputError::Write { path: leftover, source })?;
        }
    }
    Ok(())
}

/// Builds the new tree beside `dir` and swaps it in. A build that fails on the way (a
/// full disk, a file that cannot be replaced, a symbolic link in the tree) takes its
/// staging directory with it, so the space it used is free again and the output is as it was.
pub(super) fn stage_and_swap(
    dir: &Path,
    changes: &[Change],
    on_file_staged: Option<&dyn Fn(usize)>,
) -> Result<(), OutputError> {
    let parent = dir.parent().ok_or_else(|| OutputError::NoParent { dir: dir.to_owned() })?;
    fs::create_dir_all(parent).map_err(|source| OutputError::Write { path: parent.to_owned(), source })?;
    let result = stage(dir, changes, on_file_staged);
    if result.is_err() {
        // The error already says what went wrong; what cannot be cleaned now, `recover` cleans
        // at the start of the next build.
        let _ = recover(dir);
    }
    result
}

fn stage(dir: &Path, changes: &[Change], on_file_staged: Option<&dyn Fn(usize)>) -> Result<(), OutputError> {
    let staging = beside(dir, "staging");
    let write_error = |path: &Path| {
        let path = path.to_owned();
        move |source| OutputError::Write { path, source }
    };
    if dir.exists() {
        mirror(dir, &staging)?;
    } else {
        fs::create_dir(&staging).map_err(write_error(&staging))?;
    }
    let stage = Stage { root: &staging, output: dir, directories: RefCell::default() };
    for (count, change) in changes.iter().enumerate() {
        stage.apply(change)?;
        if let Some(hook) = on_file_staged {
            hook(count + 1);
        }
    }
    sync(&staging)?;
    swap(&staging, dir)
}

/// Puts every staged file on disk before the swap makes it the output, so that a power loss
/// after the swap cannot leave empty files behind it: one sync of the filesystem.
fn sync(staging: &Path) -> Result<(), OutputError> {
    let write_error = |source: io::Error| OutputError::Write { path: staging.to_owned(), source };
    let root = File::open(staging).map_err(write_error)?;
    syncfs(&root).map_err(|errno| write_error(errno.into()))
}

/// Recreates the directories of `from` under `to` and hard-links everything else, so that
/// every file keeps its inode, bytes and mtime.
fn mirror(from: &Path, to: &Path) -> Result<(), OutputError> {
    let read_error = |source| OutputError::Read { path: from.to_owned(), source };
    let write_error = |source| OutputError::Write { path: to.to_owned(), source };
    let permissions = fs::symlink_metadata(from).map_err(read_error)?.permissions();
    fs::create_dir(to).map_err(write_error)?;
    fs::set_permissions(to, permissions).map_err(write_error)?;
    for entry in fs::read_dir(from).map_err(read_error)? {
        let entry = entry.map_err(read_error)?;
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        if entry.file_type().map_err(read_error)?.is_dir() {
            mirror(&source, &target)?;
        } else {
            fs::hard_link(&source, &target).map_err(|source| OutputError::Write { path: target, source })?;
        }
    }
    Ok(())
}

/// Swaps the staged tree in with one `renameat2(RENAME_EXCHANGE)`; where the filesystem
/// cannot exchange, with two renames that `recover` can undo.
fn swap(staging: &Path, dir: &Path) -> Result<(), OutputError> {
    let write_error = |source| OutputError::Write { path: dir.to_owned(), source };
    if !dir.exists() {
        return fs::rename(staging, dir).map_err(write_error);
    }
    let old = match renameat_with(CWD, staging, CWD, dir, RenameFlags::EXCHANGE) {
        Ok(()) => staging.to_owned(),
        Err(_) => {
            let previous = beside(dir, "previous");
            fs::rename(dir, &previous).map_err(write_error)?;
            fs::rename(staging, dir).map_err(write_error)?;
            previous
        }
    };
    // The new tree is in place; an old tree that cannot be deleted now is by the next build.
    let _ = fs::remove_dir_all(old);
    Ok(())
}

/// The staging directory, and the output it will replace (for the paths errors name).
struct Stage<'a> {
    root: &'a Path,
    output: &'a Path,
    /// Directories of the staging tree known to be real directories, so that each is
    /// looked at once, not once per file below it.
    directories: RefCell<HashSet<PathBuf>>,
}

impl Stage<'_> {
    fn apply(&self, change: &Change) -> Result<(), OutputError> {
        let target = self.root.join(&change.path);
        let write_error = |source| OutputError::Write { path: self.output.join(&change.path), source };
        match &change.new {
            Some(Entry::File { bytes, mode }) => {
                self.make_parents(&change.path)?;
                write_file(&target, bytes, *mode).map_err(write_error)
            }
            Some(Entry::Link(link)) => {
                self.make_parents(&change.path)?;
                write_link(&target, link).map_err(write_error)
            }
            Some(Entry::Other) | None => {
                self.make_parents(&change.path)?;
                self.directories.borrow_mut().clear();
                remove_and_prune(self.root, &target).map_err(write_error)
            }
        }
    }

    /// Creates the directories above `relative`, refusing anything but a real directory in
    /// their place, so that nothing is ever written or removed through a symbolic link.
    fn make_parents(&self, relative: &str) -> Result<(), OutputError> {
        let mut current = self.root.to_owned();
        let parents = Path::new(relative).parent().into_iter().flat_map(Path::components);
        for component in parents {
            current.push(component);
            if self.directories.borrow().contains(&current) {
                continue;
            }
            let in_output = self.output.join(current.strip_prefix(self.root).unwrap_or(&current));
            match fs::symlink_metadata(&current) {
                Ok(metadata) if metadata.is_dir() => {}
                Ok(_) => return Err(OutputError::InTheWay { path: in_output }),
                Err(error) if is_absent(&error) => {
                    fs::create_dir(&current).map_err(|source| OutputError::Write { path: in_output, source })?;
                }
                Err(source) => return Err(OutputError::Read { path: in_output, source }),
            }
            self.directories.borrow_mut().insert(current.clone());
        }
        Ok(())
    }
}

fn remove_if_present(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(error) if !is_absent(&error) => Err(error),
        _ => Ok(()),
    }
}

/// Writes a new inode in place of the target: the target may be a hard link to the live
/// output, which must not change, so it is unlinked first.
fn write_file(target: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    remove_if_present(target)?;
    let mut file = OpenOptions::new().write(true).create_new(true).mode(mode).open(target)?;
    file.write_all(bytes)?;
    file.set_permissions(fs::Permissions::from_mode(mode))
}

fn write_link(target: &Path, link: &str) -> io::Result<()> {
    remove_if_present(target)?;
    symlink(link, target)
}

/// Removes a file and then every directory above it that this left empty.
fn remove_and_prune(root: &Path, target: &Path) -> io::Result<()> {
    remove_if_present(target)?;
    let mut parent = target.parent();
    while let Some(dir) = parent.filter(|dir| *dir != root) {
        if fs::read_dir(dir)?.next().is_some() {
            break;
        }
        fs::remove_dir(dir)?;
        parent = dir.parent();
    }
    Ok(())
}
