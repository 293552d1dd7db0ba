//! The command line: read a policy, report its problems, and build, check, diff, format or
//! draw it. stdout carries data (diffs, graphs, formatted text, and the machine-readable
//! diagnostics of `check` and `build`); stderr carries the human report.

mod build;
mod docs;
mod fmt;

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::compile_bytes;
use crate::diagnostic::{catalogue, render_github, render_human, render_json, render_sarif, Problem, Theme};
use crate::facts::worst_case;
use crate::graph::{graph, GraphFormat};
use crate::model::Policy;
use crate::render::Tree;
use crate::syntax::MAX_INPUT_BYTES;

/// Exit status: the policy compiled (warnings allowed).
pub const EXIT_OK: u8 = 0;
/// Exit status: the policy has errors; nothing was written.
pub const EXIT_INVALID_POLICY: u8 = 1;
/// Exit status: the command line was wrong (set by the argument parser).
pub const EXIT_USAGE: u8 = 2;
/// Exit status: the output directory (or a formatted file) is not what zplan would write.
pub const EXIT_STALE: u8 = 3;
/// Exit status: a file could not be read or written, or the output directory is not one
/// zplan may write to.
pub const EXIT_IO: u8 = 4;

/// Every exit status and what it means, for `--help`, the manual page and the README.
pub const EXIT_STATUSES: [(u8, &str); 5] = [
    (EXIT_OK, "success: the policy compiled (warnings allowed); the output or file is up to date"),
    (EXIT_INVALID_POLICY, "the policy has errors; nothing was written"),
    (EXIT_USAGE, "the command line is wrong"),
    (EXIT_STALE, "stale: `build --check` or `diff` found the output directory differs, or `fmt --check` found a file that is not formatted"),
    (EXIT_IO, "a file could not be read or written, or the output directory is not one zplan may write to"),
];

fn exit_statuses_help() -> String {
    let lines: Vec<String> = EXIT_STATUSES.iter().map(|(code, meaning)| format!("  {code}  {meaning}")).collect();
    format!("Exit status:\n{}", lines.join("\n"))
}

/// Compile a ZFS replication and HA NFS policy into sanoid, syncoid, systemd, exports and
/// fstab configuration.
#[derive(Debug, Parser)]
#[command(name = "zplan", version, about, disable_help_subcommand = true, after_long_help = exit_statuses_help())]
pub struct Cli {
    /// When to colour diagnostics.
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    color: Color,

    /// How to print diagnostics: `human` on stderr; `json`, `github` and `sarif` on stdout for
    /// `check` and `build`, and on stderr for `diff`, `graph` and `fmt`, whose stdout is their output.
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
        /// Also state, on stderr, each pair's and backup's schedule and worst-case loss, as
        /// the generated timers do: what a backup without an `rpo` may lose.
        #[arg(short, long)]
        verbose: bool,
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
    /// Rewrite policy files in the one canonical layout, comments kept.
    Fmt {
        /// Write nothing; print a diff and exit 3 when a file is not formatted.
        #[arg(long)]
        check: bool,
        /// The policy files; `-` formats standard input to standard output.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Draw the nodes, pairs, NFS servers and clients of a policy.
    Graph {
        /// The policy file.
        file: PathBuf,
        /// The language of the drawing.
        #[arg(long, value_enum, default_value_t = GraphFormatArg::Dot)]
        format: GraphFormatArg,
    },
    /// Print a shell completion script.
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
    /// Print the manual page in roff, or write a page per command to a directory.
    Man {
        /// Write `zplan.1` and `zplan-COMMAND.1` here instead of printing `zplan.1`.
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Deny {
    Warnings,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum GraphFormatArg {
    /// Graphviz DOT, for `dot -Tsvg`.
    Dot,
    /// A Mermaid flowchart, drawn inline by GitHub.
    Mermaid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum MessageFormat {
    /// Each problem drawn against the policy, for people.
    Human,
    /// One JSON object per problem and line.
    Json,
    /// GitHub Actions workflow commands: annotations on the policy's lines.
    Github,
    /// One SARIF 2.1.0 log, for code-scanning dashboards.
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
            Command::Check { file, verbose } => self.compile_and(file, |compiled| {
                if *verbose {
                    let lines: String =
                        worst_case::statements(compiled.policy).iter().map(|line| format!("{line}\n")).collect();
                    let _ = std::io::stderr().write_all(lines.as_bytes());
                }
                EXIT_OK
            }),
            Command::Explain { code } => explain(code.as_deref()),
            Command::Build { file, output, force, check: false } => {
                self.compile_and(file, |compiled| self.build(compiled.tree, output, *force))
            }
            Command::Build { file, output, check: true, .. } => {
                self.compile_and(file, |compiled| self.check_stale(compiled.tree, output))
            }
            Command::Diff { file, output } => self.compile_and(file, |compiled| self.diff(compiled.tree, output)),
            Command::Fmt { check, files } => self.fmt(files, *check),
            Command::Graph { file, format } => self.compile_and(file, |compiled| {
                let format = match format {
                    GraphFormatArg::Dot => GraphFormat::Dot,
                    GraphFormatArg::Mermaid => GraphFormat::Mermaid,
                };
                write_stdout(graph(compiled.policy, format).as_bytes())
            }),
            Command::Completions { shell } => docs::completions(*shell),
            Command::Man { dir } => self.man(dir.as_deref()),
        }
    }

    /// Reads and compiles a policy, reports its problems, and runs `then` when it has no error.
    fn compile_and(&self, file: &Path, then: impl FnOnce(Compiled<'_>) -> u8) -> u8 {
        let Some(bytes) = self.read(file) else { return EXIT_IO };
        let compilation = compile_bytes(&bytes, &file_name(file));
        let source = String::from_utf8_lossy(&bytes);
        self.report(&compilation.problems, &file.display().to_string(), &source);
        let denied = self.deny.contains(&Deny::Warnings) && !compilation.problems.is_empty();
        match (&compilation.policy, &compilation.tree) {
            (Some(policy), Some(tree)) if !denied => then(Compiled { policy, tree }),
            _ => EXIT_INVALID_POLICY,
        }
    }

    /// The bytes of a file, or `None` once the failure is reported.
    fn read(&self, file: &Path) -> Option<Vec<u8>> {
        match read_policy(file) {
            Ok(bytes) => Some(bytes),
            Err(source) => {
                self.report_failure(&ReadError { path: file.to_owned(), source });
                None
            }
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
        if self.diagnostics_are_data() {
            write_stdout(text.as_bytes());
        } else {
            let _ = std::io::stderr().write_all(text.as_bytes());
        }
    }

    /// Whether the diagnostics go to stdout: machine-readable ones are the data of a command
    /// that prints nothing else there (as with cargo and ruff). GitHub reads workflow commands
    /// from stdout too. `diff`, `graph` and `fmt` keep stdout for their own output.
    fn diagnostics_are_data(&self) -> bool {
        self.message_format != MessageFormat::Human
            && matches!(self.command, Command::Check { .. } | Command::Build { .. })
    }

    fn report_failure(&self, error: &dyn miette::Diagnostic) -> u8 {
        let mut text = String::new();
        let handler = miette::GraphicalReportHandler::new_themed(self.theme().graphical());
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

/// A policy that compiled without errors: its model and its output tree.
struct Compiled<'a> {
    policy: &'a Policy,
    tree: &'a Tree,
}

/// The name generated files give a policy: its file name.
fn file_name(file: &Path) -> String {
    file.file_name().map_or_else(|| file.display().to_string(), |name| name.to_string_lossy().into_owned())
}

/// Writes data to stdout; a closed pipe is not an error worth a report.
fn write_stdout(bytes: &[u8]) -> u8 {
    let _ = std::io::stdout().write_all(bytes);
    EXIT_OK
}

/// Reads a policy, but never more than one byte past the largest policy zplan compiles, so
/// that `/dev/zero` or a disk image named by mistake is refused without being read whole.
fn read_policy(file: &Path) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    let limit = u64::try_from(MAX_INPUT_BYTES).unwrap_or(u64::MAX).saturating_add(1);
    std::fs::File::open(file)?.take(limit).read_to_end(&mut bytes)?;
    Ok(bytes)
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
