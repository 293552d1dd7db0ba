//! The graph as a Mermaid flowchart, which GitHub and many wikis draw inline.

use std::fmt::Write as _;

use super::{Graph, Kind, Line};

/// The whole graph as a `flowchart LR`.
pub(super) fn render(graph: &Graph) -> String {
    let mut out = String::from("flowchart LR\n");
    for vertex in &graph.vertices {
        let text = label(&vertex.label);
        let shape = match vertex.kind {
            Kind::Storage => format!("[{text}]"),
            Kind::NfsServer => format!("([{text}])"),
            Kind::Client => format!("({text})"),
        };
        let _ = writeln!(out, "  {}{shape}", vertex.id);
    }
    for edge in &graph.edges {
        let arrow = match edge.line {
            Line::Solid | Line::Served => "-->",
            Line::DashedBothWays => "<-.->",
            Line::Dotted => "-.-",
        };
        let _ = writeln!(out, "  {} {arrow}|{}| {}", edge.from, label(&edge.label), edge.to);
    }
    out
}

/// A quoted label: lines joined with `<br/>`, quotes written as Mermaid's entity.
pub(super) fn label(lines: &[String]) -> String {
    let escaped: Vec<String> =
        lines.iter().map(|line| line.replace('"', "#quot;").replace('<', "#lt;").replace('>', "#gt;")).collect();
    format!("\"{}\"", escaped.join("<br/>"))
}
