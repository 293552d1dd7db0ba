//! `fmt`: rewrite policy files in the canonical layout, or (`--check`) show what would change.

use std::fs::{self, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use similar::TextDiff;

use super::{write_stdout, Cli, EXIT_INVALID_POLICY, EXIT_IO, EXIT_OK, EXIT_STALE};
use crate::format::format;
use crate::syntax::decode;

/// The file name that stands for standard input and output.
const STDIN: &str = "-";

impl Cli {
    /// Formats every file and returns the worst outcome: an unreadable file, then a syntax
    /// error, then (with `--check`) a file that is not formatted.
    pub(super) fn fmt(&self, files: &[PathBuf], check: bool) -> u8 {
        let outcomes: Vec<u8> = files.iter().map(|file| self.fmt_one(file, check)).collect();
        [EXIT_IO, EXIT_INVALID_POLICY, EXIT_STALE].into_iter().find(|code| outcomes.contains(code)).unwrap_or(EXIT_OK)
    }

    fn fmt_one(&self, file: &Path, check: bool) -> u8 {
        let from_stdin = file.as_os_str() == STDIN;
        let bytes = if from_stdin { read_stdin() } else { self.read(file) };
        let Some(bytes) = bytes else { return EXIT_IO };
        let name = file.display().to_string();
        let formatted = match decode(&bytes).and_then(format) {
            Ok(formatted) => formatted,
            Err(problem) => {
                self.report(&[problem], &name, &String::from_utf8_lossy(&bytes));
                return EXIT_INVALID_POLICY;
            }
        };
        let unchanged = formatted.as_bytes() == bytes.as_slice();
        if check {
            return if unchanged { EXIT_OK } else { print_diff(&name, &String::from_utf8_lossy(&bytes), &formatted) };
        }
        if from_stdin {
            return write_stdout(formatted.as_bytes());
        }
        if unchanged {
            return EXIT_OK;
        }
        match rewrite(file, formatted.as_bytes()) {
            Ok(()) => EXIT_OK,
            Err(source) => self.report_failure(&FormatWriteError { path: file.to_owned(), source }),
        }
    }
}

/// Prints how formatting would change a file, and answers "stale".
fn print_diff(name: &str, source: &str, formatted: &str) -> u8 {
    let diff = TextDiff::from_lines(source, formatted);
    let text = diff.unified_diff().header(&format!("a/{name}"), &format!("b/{name}")).to_string();
    write_stdout(text.as_bytes());
    EXIT_STALE
}

fn read_stdin() -> Option<Vec<u8>> {
    let mut bytes = Vec::new();
    std::io::stdin().read_to_end(&mut bytes).ok().map(|_| bytes)
}

/// Replaces a policy file through a temporary file and a rename, keeping its permissions.
fn rewrite(file: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mode = fs::metadata(file)?.permissions().mode() & 0o7777;
    let name = file.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    let temporary = file.with_file_name(format!(".{name}.zplan-fmt"));
    let _ = fs::remove_file(&temporary);
    let mut out = OpenOptions::new().write(true).create_new(true).mode(mode).open(&temporary)?;
    out.write_all(bytes)?;
    out.sync_all()?;
    fs::rename(&temporary, file)
}

/// A formatted policy that could not be written back.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("cannot write {}", path.display())]
#[diagnostic(code(zplan::io), help("check that the file and its directory are writable"))]
struct FormatWriteError {
    path: PathBuf,
    #[source]
    source: std::io::Error,
}
