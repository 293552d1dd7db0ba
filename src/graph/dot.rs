//! The graph as Graphviz DOT, for `dot -Tsvg`.

use std::fmt::Write as _;

use super::{Graph, Kind, Line};

/// The whole graph as a DOT `digraph`.
pub(super) fn render(graph: &Graph) -> String {
    let mut out = String::from("digraph zplan {\n");
    out.push_str("  rankdir=LR;\n");
    out.push_str("  node [fontname=\"Helvetica\", fontsize=11];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=9];\n\n");
    for vertex in &graph.vertices {
        let shape = match vertex.kind {
            Kind::Storage => "shape=box3d",
            Kind::NfsServer => "shape=ellipse",
            Kind::Client => "shape=box, style=rounded",
        };
        let _ = writeln!(out, "  {} [{shape}, label={}];", quote(&vertex.id), label(&vertex.label));
    }
    out.push('\n');
    for edge in &graph.edges {
        let style = match edge.line {
            Line::Solid => "style=solid",
            Line::DashedBothWays => "style=dashed, dir=both",
            Line::Dotted => "style=dotted, arrowhead=none",
            Line::Served => "style=solid, color=\"#1f77b4\"",
        };
        let (from, to, label) = (quote(&edge.from), quote(&edge.to), label(&edge.label));
        let _ = writeln!(out, "  {from} -> {to} [{style}, label={label}];");
    }
    out.push_str("}\n");
    out
}

/// A DOT string: quotes and backslashes escaped.
fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Label lines, centred, one per line.
pub(super) fn label(lines: &[String]) -> String {
    let escaped: Vec<String> = lines.iter().map(|line| line.replace('\\', "\\\\").replace('"', "\\\"")).collect();
    format!("\"{}\"", escaped.join("\\n"))
}
