//! The human rendering of problems: miette's graphical report against the named source.

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, NamedSource};

use super::Problem;

/// How reports are drawn: colours for a terminal, or plain for files, pipes and snapshots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    Colour,
    Plain,
}

/// Renders problems as text, each against the policy source it is about.
pub fn render_human(problems: &[Problem], name: &str, source: &str, theme: Theme) -> String {
    let theme = match theme {
        Theme::Colour => GraphicalTheme::unicode(),
        Theme::Plain => GraphicalTheme::unicode_nocolor(),
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(80);
    let named = NamedSource::new(name, source.to_owned());
    let mut out = String::new();
    for problem in problems {
        let report = miette::Report::new(problem.clone()).with_source_code(named.clone());
        handler.render_report(&mut out, report.as_ref()).expect("writing to a String cannot fail");
        out.push('\n');
    }
    out
}

/// Line and column (both from 1, columns in characters) of a byte offset.
pub fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let before = source.get(..offset).unwrap_or(source);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |tail| tail.chars().count()) + 1;
    (line, column)
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
    let mut out = String::new();
    for problem in problems {
        let (line, column) = line_column(source, problem.offset());
        let labels: Vec<serde_json::Value> = problem
            .labels()
            .into_iter()
            .flatten()
            .map(|label| {
                let (line, column) = line_column(source, label.offset());
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
    let mut out = String::new();
    for problem in problems {
        let (line, column) = line_column(source, problem.offset());
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
    let results: Vec<serde_json::Value> = problems.iter().map(|problem| sarif_result(problem, name, source)).collect();
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

fn sarif_result(problem: &Problem, name: &str, source: &str) -> serde_json::Value {
    let (line, column) = line_column(source, problem.offset());
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
