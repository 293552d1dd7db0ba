//! Why an output directory could not be read, checked or written.

use std::io;
use std::path::PathBuf;

use miette::Diagnostic;
use thiserror::Error;

use crate::render::manifest::{ManifestError, MANIFEST_NAME};

/// A build, check or diff that could not complete; the output directory is left as it was.
#[derive(Debug, Error, Diagnostic)]
pub enum OutputError {
    #[error("cannot read {}", path.display())]
    #[diagnostic(code(zplan::io), help("check the path and its permissions"))]
    Read {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error("cannot write {}", path.display())]
    #[diagnostic(code(zplan::io), help("check that the output directory and its parent are writable and have room"))]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error("{} is not empty and has no {MANIFEST_NAME}", dir.display())]
    #[diagnostic(
        code(zplan::output::not_zplan),
        help("build into an empty or new directory, or pass `--force` to add zplan's files beside the ones there")
    )]
    NotZplan { dir: PathBuf },

    #[error("the output directory's manifest cannot be used")]
    #[diagnostic(code(zplan::output::manifest))]
    Manifest {
        #[source]
        #[diagnostic_source]
        source: ManifestError,
    },

    #[error("{} is in the way: zplan needs a file there, or a directory above it", path.display())]
    #[diagnostic(
        code(zplan::output::in_the_way),
        help("move it away; zplan never replaces a directory, and never writes through a symbolic link")
    )]
    InTheWay { path: PathBuf },

    #[error("{} files that no zplan manifest lists would be overwritten: {}", paths.len(), paths.join(", "))]
    #[diagnostic(
        code(zplan::output::foreign_files),
        help("move them away, or pass `--force` to let zplan replace them with its own")
    )]
    ForeignFiles { paths: Vec<String> },

    #[error("cannot build into {}: it has no parent directory", dir.display())]
    #[diagnostic(code(zplan::output::no_parent), help("build into a directory below it"))]
    NoParent { dir: PathBuf },
}
