//! Prints the laid-out items in the one canonical layout: two spaces per level, one blank
//! line at most (always one between top-level blocks), values aligned after the keywords
//! of a paragraph, end-of-line comments aligned two spaces after a paragraph's longest line.

use super::layout::{Item, Node, Spaced};

const INDENT: &str = "  ";
const COMMENT_GAP: usize = 2;

/// The canonical text of a file's items.
pub(super) fn print(items: &[Spaced<'_>]) -> String {
    let mut out = String::new();
    print_items(&mut out, items, 0, true);
    out
}

/// The statements whose block holds lines of options rather than keyword statements, so
/// that nothing there is aligned as if its first word were a keyword.
const OPTION_BLOCKS: &[&str] = &["mount"];

fn print_items(out: &mut String, items: &[Spaced<'_>], depth: usize, align: bool) {
    let indent = INDENT.repeat(depth);
    for (index, paragraph) in paragraphs(items, depth).into_iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        let key_width = if align { key_width(paragraph) } else { 0 };
        let comment_column = comment_column(paragraph, key_width, indent.len());
        for spaced in paragraph {
            match &spaced.item {
                Item::Comment(text) => push_line(out, &indent, text, None, 0),
                Item::Statement(node) => print_node(out, node, depth, key_width, comment_column),
            }
        }
    }
}

fn print_node(out: &mut String, node: &Node<'_>, depth: usize, key_width: usize, comment_column: usize) {
    let indent = INDENT.repeat(depth);
    push_line(out, &indent, &head(node, key_width), node.head_comment, comment_column);
    if node.has_block() && !is_empty_block(node) {
        let align = !OPTION_BLOCKS.contains(&node.statement.name());
        print_items(out, &node.items, depth + 1, align);
        push_line(out, &indent, "}", node.close_comment, 0);
    }
}

/// One line: indent, code, and a comment at `comment_column` or two spaces after the code.
fn push_line(out: &mut String, indent: &str, code: &str, comment: Option<&str>, comment_column: usize) {
    out.push_str(indent);
    out.push_str(code);
    if let Some(comment) = comment {
        let width = indent.len() + code.len();
        out.push_str(&" ".repeat(comment_column.saturating_sub(width).max(COMMENT_GAP)));
        out.push_str(comment);
    }
    out.push('\n');
}

/// Splits items where a blank line goes: where the source had one, and after every
/// top-level block.
fn paragraphs<'i, 'a>(items: &'i [Spaced<'a>], depth: usize) -> Vec<&'i [Spaced<'a>]> {
    let mut paragraphs = Vec::new();
    let mut start = 0;
    for index in 1..items.len() {
        let after_block = matches!(&items[index - 1].item, Item::Statement(node) if node.has_block());
        if items[index].blank_before || (depth == 0 && after_block) {
            paragraphs.push(&items[start..index]);
            start = index;
        }
    }
    if start < items.len() {
        paragraphs.push(&items[start..]);
    }
    paragraphs
}

fn statements<'i, 'a>(paragraph: &'i [Spaced<'a>]) -> impl Iterator<Item = &'i Node<'a>> {
    paragraph.iter().filter_map(|spaced| match &spaced.item {
        Item::Statement(node) => Some(node),
        Item::Comment(_) => None,
    })
}

/// The width keywords are padded to, so that the values of a paragraph line up.
fn key_width(paragraph: &[Spaced<'_>]) -> usize {
    let aligned = statements(paragraph).filter(|node| !node.has_block() && !node.statement.values.is_empty());
    aligned.map(|node| node.statement.name().len()).max().unwrap_or(0)
}

/// The column of a paragraph's end-of-line comments.
fn comment_column(paragraph: &[Spaced<'_>], key_width: usize, indent: usize) -> usize {
    let commented = statements(paragraph).filter(|node| node.head_comment.is_some());
    commented.map(|node| indent + head(node, key_width).len() + COMMENT_GAP).max().unwrap_or(0)
}

fn is_empty_block(node: &Node<'_>) -> bool {
    node.items.is_empty() && node.close_comment.is_none()
}

/// The keyword, its values, and the opening of its block.
fn head(node: &Node<'_>, key_width: usize) -> String {
    let statement = node.statement;
    let values: Vec<&str> = statement.values.iter().map(|value| value.text.as_str()).collect();
    let mut head = statement.name().to_owned();
    if !values.is_empty() {
        let width = if node.has_block() { 0 } else { key_width };
        head = format!("{head:<width$} {}", values.join(" "));
    }
    match &statement.block {
        Some(_) if is_empty_block(node) => head.push_str(" {}"),
        Some(_) => head.push_str(" {"),
        None => {}
    }
    head
}
