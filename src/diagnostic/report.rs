//! The human rendering of problems: miette's graphical report against the named source.

use std::sync::Arc;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, NamedSource};

use super::Problem;

/// How reports are drawn: colours for a terminal, or plain for files, pipes and snapshots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    Colour,
    Plain,
}

impl Theme {
    /// The miette theme that draws reports this way.
    pub fn graphical(self) -> GraphicalTheme {
        match self {
            Theme::Colour => GraphicalTheme::unicode(),
            Theme::Plain => GraphicalTheme::unicode_nocolor(),
        }
    }
}

/// How many problems the human rendering draws; a policy with more has one mistake repeated,
/// or is not a policy, and drawing each against the source would take long for nothing.
pub const MAX_HUMAN_PROBLEMS: usize = 100;

/// Renders problems as text, each against the policy source it is about; past
/// [`MAX_HUMAN_PROBLEMS`], one line says how many more there are.
pub fn render_human(problems: &[Problem], name: &str, source: &str, theme: Theme) -> String {
    let handler = GraphicalReportHandler::new_themed(theme.graphical()).with_width(80);
    let named = NamedSource::new(name, Arc::<str>::from(source));
    let mut out = String::new();
    for problem in problems.iter().take(MAX_HUMAN_PROBLEMS) {
        let report = miette::Report::new(problem.clone()).with_source_code(named.clone());
        handler.render_report(&mut out, report.as_ref()).expect("writing to a String cannot fail");
        out.push('\n');
    }
    if let Some(more) = problems.len().checked_sub(MAX_HUMAN_PROBLEMS).filter(|more| *more > 0) {
        out.push_str(&format!(
            "{more} more problems are not shown; fix these first, or list every one with --message-format json\n"
        ));
    }
    out
}

/// Line and column (both from 1, columns in characters) of a byte offset.
pub fn line_column(source: &str, offset: usize) -> (usize, usize) {
    LineIndex::new(source).line_column(offset)
}

/// Where each line of a source starts, so that many offsets become lines and columns
/// without reading the source again for each.
struct LineIndex<'s> {
    source: &'s str,
    starts: Vec<usize>,
}

impl<'s> LineIndex<'s> {
    fn new(source: &'s str) -> Self {
        let starts = std::iter::once(0).chain(source.match_indices('\n').map(|(at, _)| at + 1)).collect();
        LineIndex { source, starts }
    }

    fn line_column(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.source.len());
        let line = self.starts.partition_point(|start| *start <= offset);
        let start = self.starts[line - 1];
        let column = self.source.get(start..offset).map_or(offset - start, |text| text.chars().count()) + 1;
        (line, column)
    }
}

fn severity_word(problem: &Problem) -> &'static str {
    if problem.is_error() {
        "error"
    } else {
        "warning"
    }
}

/// One JSON object per problem, one per line: for editors and scripts.
pub fn render_json(problems: &[Problem], name: &str, source: &str) -> String {
    let lines = LineIndex::new(source);
    let mut out = String::new();
    for problem in problems {
        let (line, column) = lines.line_column(problem.offset());
        let labels: Vec<serde_json::Value> = problem
            .labels()
            .into_iter()
            .flatten()
            .map(|label| {
                let (line, column) = lines.line_column(label.offset());
                serde_json::json!({ "line": line, "column": column, "length": label.len(), "message": label.label() })
            })
            .collect();
        let object = serde_json::json!({
            "file": name,
            "line": line,
            "column": column,
            "code": problem.code().map(|c| c.to_string()),
            "severity": severity_word(problem),
            "message": problem.to_string(),
            "help": problem.help().map(|h| h.to_string()),
            "labels": labels,
        });
        out.push_str(&object.to_string());
        out.push('\n');
    }
    out
}

/// GitHub Actions workflow commands, so problems show as annotations on the policy file.
pub fn render_github(problems: &[Problem], name: &str, source: &str) -> String {
    let lines = LineIndex::new(source);
    let mut out = String::new();
    for problem in problems {
        let (line, column) = lines.line_column(problem.offset());
        let code = problem.code().map(|c| c.to_string()).unwrap_or_default();
        let help = problem.help().map(|h| format!(" (help: {h})")).unwrap_or_default();
        let message = escape_github(&format!("{problem}{help}"));
        let name = escape_github_property(name);
        out.push_str(&format!(
            "::{} file={name},line={line},col={column},title={code}::{message}\n",
            severity_word(problem)
        ));
    }
    out
}

fn escape_github(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn escape_github_property(text: &str) -> String {
    escape_github(text).replace(':', "%3A").replace(',', "%2C")
}

/// A SARIF 2.1.0 log with one rule per code, for code-scanning dashboards.
pub fn render_sarif(problems: &[Problem], name: &str, source: &str) -> String {
    let mut codes: Vec<String> = problems.iter().filter_map(|p| p.code().map(|c| c.to_string())).collect();
    codes.sort();
    codes.dedup();
    let rules: Vec<serde_json::Value> = codes
        .iter()
        .map(|code| {
            let summary = super::catalogue::lookup(code).map_or("", |entry| entry.summary.as_str());
            serde_json::json!({ "id": code, "shortDescription": { "text": summary } })
        })
        .collect();
    let lines = LineIndex::new(source);
    let results: Vec<serde_json::Value> = problems.iter().map(|problem| sarif_result(problem, name, &lines)).collect();
    let log = serde_json::json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": { "name": "zplan", "version": env!("CARGO_PKG_VERSION"), "rules": rules } },
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&log).expect("a SARIF log serialises");
    text.push('\n');
    text
}

fn sarif_result(problem: &Problem, name: &str, lines: &LineIndex<'_>) -> serde_json::Value {
    let (line, column) = lines.line_column(problem.offset());
    let help = problem.help().map(|h| format!(" (help: {h})")).unwrap_or_default();
    serde_json::json!({
        "ruleId": problem.code().map(|c| c.to_string()),
        "level": severity_word(problem),
        "message": { "text": format!("{problem}{help}") },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": name },
                "region": { "startLine": line, "startColumn": column },
            }
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_lines_and_character_columns() {
        let source = "ab\né x\n\nz";
        assert_eq!(line_column(source, 0), (1, 1));
        assert_eq!(line_column(source, 2), (1, 3));
        assert_eq!(line_column(source, 3), (2, 1));
        assert_eq!(line_column(source, 6), (2, 3));
        assert_eq!(line_column(source, 8), (3, 1));
        assert_eq!(line_column(source, 9), (4, 1));
        assert_eq!(line_column(source, 99), (4, 2));
    }
}
