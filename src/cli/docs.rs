//! `completions` and `man`: shell completion and manual pages, generated from the same clap
//! definitions that parse the command line, so they never drift from it.

use std::path::{Path, PathBuf};

use clap::CommandFactory;
use clap_complete::Shell;

use super::{write_stdout, Cli, EXIT_OK, EXIT_STATUSES};

/// Prints the completion script for `shell`.
pub(super) fn completions(shell: Shell) -> u8 {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "zplan", &mut script);
    write_stdout(&script)
}

impl Cli {
    /// Prints `zplan(1)`, or writes it and a page per subcommand (`zplan-build(1)`, …) to `dir`.
    pub(super) fn man(&self, dir: Option<&Path>) -> u8 {
        let result = match dir {
            Some(dir) => write_pages(dir),
            None => main_page().map(|page| {
                write_stdout(&page);
            }),
        };
        match result {
            Ok(()) => EXIT_OK,
            Err(source) => {
                let path = dir.map_or_else(|| PathBuf::from("-"), Path::to_owned);
                self.report_failure(&ManError { path, source })
            }
        }
    }
}

/// `zplan(1)`: clap's sections, then the exit statuses as a list rather than a paragraph.
fn main_page() -> std::io::Result<Vec<u8>> {
    let man = clap_mangen::Man::new(Cli::command());
    let mut page = Vec::new();
    man.render_title(&mut page)?;
    man.render_name_section(&mut page)?;
    man.render_synopsis_section(&mut page)?;
    man.render_description_section(&mut page)?;
    man.render_options_section(&mut page)?;
    man.render_subcommands_section(&mut page)?;
    page.extend_from_slice(b".SH \"EXIT STATUS\"\n");
    for (code, meaning) in EXIT_STATUSES {
        page.extend_from_slice(format!(".TP\n\\fB{code}\\fR\n{}\n", meaning.replace('-', "\\-")).as_bytes());
    }
    man.render_version_section(&mut page)?;
    Ok(page)
}

/// `zplan.1` and one page per subcommand, named as `man` looks them up.
fn write_pages(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("zplan.1"), main_page()?)?;
    let mut command = Cli::command();
    command.build();
    for sub in command.get_subcommands().filter(|sub| !sub.is_hide_set()) {
        clap_mangen::Man::new(sub.clone()).source(concat!("zplan ", env!("CARGO_PKG_VERSION"))).generate_to(dir)?;
    }
    Ok(())
}

/// Manual pages that could not be written.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("cannot write the manual pages to {}", path.display())]
#[diagnostic(code(zplan::io), help("check that the directory is writable"))]
struct ManError {
    path: PathBuf,
    #[source]
    source: std::io::Error,
}
