//! The command line: read a policy, report its problems, write its output tree.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::compile_bytes;
use crate::diagnostic::{catalogue, render_github, render_human, render_json, render_sarif, Problem, Theme};
use crate::output::{pending, write_tree, Entry, Pending, WriteOptions};
use crate::render::Tree;

/// Exit status: the policy compiled (warnings allowed).
pub const EXIT_OK: u8 = 0;
/// Exit status: the policy has errors; nothing was written.
pub const EXIT_INVALID_POLICY: u8 = 1;
/// Exit status: the command line was wrong (set by the argument parser).
pub const EXIT_USAGE: u8 = 2;
/// Exit status: the output directory (or a formatted file) is not what zplan would write.
pub const EXIT_STALE: u8 = 3;
/// Exit status: a file could not be read or written.
pub const EXIT_IO: u8 = 4;

/// Compile a ZFS replication and HA NFS policy into sanoid, syncoid, systemd, exports and
/// fstab configuration.
#[derive(Debug, Parser)]
#[command(name = "zplan", version, about)]
pub struct Cli {
    /// When to colour diagnostics.
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    color: Color,

    /// How to print diagnostics.
    #[arg(long, global = true, value_enum, default_value_t = MessageFormat::Human)]
    message_format: MessageFormat,

    /// Treat warnings as errors: the policy fails and nothing is written.
    #[arg(long, global = true, value_enum)]
    deny: Vec<Deny>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check a policy and report every problem; write nothing.
    Check {
        /// The policy file.
        file: PathBuf,
    },
    /// Compile a policy into one directory per host and a manifest.
    ///
    /// The new tree is built beside the output directory and swapped in at once; files
    /// whose bytes and mode did not change keep their mtime, files the previous build
    /// generated and this one does not are removed, and files no zplan manifest lists are
    /// never touched.
    Build {
        /// The policy file.
        file: PathBuf,
        /// The output directory.
        #[arg(short, long)]
        output: PathBuf,
        /// Build into a non-empty directory that has no zplan manifest, replacing files of
        /// the same name; other files are left alone.
        #[arg(long, conflicts_with = "check")]
        force: bool,
        /// Write nothing; exit 3 when the output directory is not what a build would write.
        #[arg(long)]
        check: bool,
    },
    /// Print a unified diff from the output directory to what the policy compiles to.
    ///
    /// Exits 3 when they differ, 0 when the directory is up to date.
    Diff {
        /// The policy file.
        file: PathBuf,
        /// The output directory.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Explain a diagnostic code, with a failing and a fixed example; without a code, list them.
    Explain {
        /// A code such as E0401.
        code: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Deny {
    Warnings,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum MessageFormat {
    Human,
    Json,
    Github,
    Sarif,
}

/// Parses the arguments, runs the command and returns the process exit status.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    ExitCode::from(cli.execute())
}

impl Cli {
    fn execute(&self) -> u8 {
        match &self.command {
            Command::Check { file } => self.compile_and(file, |_| EXIT_OK),
            Command::Explain { code } => explain(code.as_deref()),
            Command::Build { file, output, force, check: false } => {
                self.compile_and(file, |tree| self.build(tree, output, *force))
            }
            Command::Build { file, output, check: true, .. } => {
                self.compile_and(file, |tree| self.check_stale(tree, output))
            }
            Command::Diff { file, output } => self.compile_and(file, |tree| self.diff(tree, output)),
        }
    }

    fn build(&self, tree: &Tree, output: &Path, force: bool) -> u8 {
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

    fn check_stale(&self, tree: &Tree, output: &Path) -> u8 {
        self.with_pending(tree, output, |pending| {
            let mut text =
                format!("{} is stale: a build would change {} paths\n", output.display(), pending.changes().len());
            for change in pending.changes() {
                text.push_str(&format!(
                    "  {} {}\n",
                    change_word(change.old.as_ref(), change.new.as_ref()),
                    change.path
                ));
            }
            let _ = std::io::stderr().write_all(text.as_bytes());
        })
    }

    fn diff(&self, tree: &Tree, output: &Path) -> u8 {
        self.with_pending(tree, output, |pending| {
            let _ = std::io::stdout().write_all(pending.unified_diff().as_bytes());
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

    fn compile_and(&self, file: &Path, then: impl FnOnce(&Tree) -> u8) -> u8 {
        let bytes = match std::fs::read(file) {
            Ok(bytes) => bytes,
            Err(error) => {
                let error = ReadError { path: file.to_owned(), source: error };
                return self.report_failure(&error);
            }
        };
        let name = file.file_name().map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into_owned());
        let compilation = compile_bytes(&bytes, &name);
        let source = String::from_utf8_lossy(&bytes);
        self.report(&compilation.problems, &file.display().to_string(), &source);
        let denied = self.deny.contains(&Deny::Warnings) && !compilation.problems.is_empty();
        match &compilation.tree {
            Some(tree) if !denied => then(tree),
            _ => EXIT_INVALID_POLICY,
        }
    }

    fn theme(&self) -> Theme {
        let colour = match self.color {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal(),
        };
        if colour {
            Theme::Colour
        } else {
            Theme::Plain
        }
    }

    fn report(&self, problems: &[Problem], name: &str, source: &str) {
        if problems.is_empty() && self.message_format != MessageFormat::Sarif {
            return;
        }
        let text = match self.message_format {
            MessageFormat::Human => render_human(problems, name, source, self.theme()),
            MessageFormat::Json => render_json(problems, name, source),
            MessageFormat::Github => render_github(problems, name, source),
            MessageFormat::Sarif => render_sarif(problems, name, source),
        };
        let _ = std::io::stderr().write_all(text.as_bytes());
    }

    fn report_failure(&self, error: &dyn miette::Diagnostic) -> u8 {
        let mut text = String::new();
        let handler = miette::GraphicalReportHandler::new_themed(match self.theme() {
            Theme::Colour => miette::GraphicalTheme::unicode(),
            Theme::Plain => miette::GraphicalTheme::unicode_nocolor(),
        });
        let _ = handler.render_report(&mut text, error);
        let _ = std::io::stderr().write_all(text.as_bytes());
        EXIT_IO
    }
}

/// Prints the catalogue entry of a code, or the list of codes.
fn explain(code: Option<&str>) -> u8 {
    let Some(code) = code else {
        let list: String = catalogue::entries().iter().map(|e| format!("{}  {}\n", e.code, e.summary)).collect();
        print!("{list}");
        return EXIT_OK;
    };
    match catalogue::lookup(code) {
        Some(entry) => {
            print!("{}", catalogue::explain(entry));
            EXIT_OK
        }
        None => {
            eprintln!("error: no diagnostic has the code `{code}`; `zplan explain` lists them all");
            EXIT_USAGE
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

/// A policy file that could not be read.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("cannot read {}", path.display())]
#[diagnostic(code(zplan::io), help("check the path and its permissions"))]
struct ReadError {
    path: PathBuf,
    #[source]
    source: std::io::Error,
}
