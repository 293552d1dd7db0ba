//! The syntax tree with its comments put back: the grammar skips comments, so they are
//! found in the source by position (a `#` can only start a comment, never sit in a value)
//! and attached to the statement, block end or block they belong to.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::syntax::{File, Statement};

/// A statement or an own-line comment, in source order within one block.
pub(super) enum Item<'a> {
    Statement(Node<'a>),
    Comment(&'a str),
}

/// An item and whether a blank line came before it in the source.
pub(super) struct Spaced<'a> {
    pub item: Item<'a>,
    pub blank_before: bool,
}

/// A statement with the comments that share its lines, and its block's items.
pub(super) struct Node<'a> {
    pub statement: &'a Statement,
    /// The comment at the end of the statement's first line.
    pub head_comment: Option<&'a str>,
    /// The comment at the end of the line of the block's `}`.
    pub close_comment: Option<&'a str>,
    pub items: Vec<Spaced<'a>>,
}

impl Node<'_> {
    pub fn has_block(&self) -> bool {
        self.statement.block.is_some()
    }
}

/// A comment in the source: where its `#` is, its line, its text from `#` on, and whether
/// it has a line of its own.
struct Comment<'a> {
    offset: usize,
    line: usize,
    text: &'a str,
    own_line: bool,
}

/// Where things are in the source, by line.
struct Source<'a> {
    line_starts: Vec<usize>,
    blank: Vec<bool>,
    comments: Vec<Comment<'a>>,
    /// Comments at the end of a line, by the offset of the first item on that line.
    trailing: BTreeMap<usize, &'a str>,
}

/// The top-level items of a parsed file, with every comment attached.
pub(super) fn layout<'a>(source: &'a str, file: &'a File) -> Vec<Spaced<'a>> {
    let mut index = Source::new(source);
    index.attach_trailing(&file.statements);
    index.items(&file.statements, 0..source.len())
}

impl<'a> Source<'a> {
    fn new(source: &'a str) -> Source<'a> {
        let mut line_starts = vec![0];
        let mut blank = Vec::new();
        let mut comments = Vec::new();
        for (number, line) in source.split('\n').enumerate() {
            let start = line_starts[number];
            line_starts.push(start + line.len() + 1);
            blank.push(line.trim().is_empty());
            if let Some(at) = line.find('#') {
                let text = line[at..].trim_end();
                comments.push(Comment {
                    offset: start + at,
                    line: number,
                    text,
                    own_line: line[..at].trim().is_empty(),
                });
            }
        }
        Source { line_starts, blank, comments, trailing: BTreeMap::new() }
    }

    fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&start| start <= offset) - 1
    }

    /// Gives each end-of-line comment to the first statement head or `}` on its line.
    fn attach_trailing(&mut self, statements: &[Statement]) {
        let mut firsts: BTreeMap<usize, usize> = BTreeMap::new();
        for offset in item_offsets(statements) {
            firsts.entry(self.line_of(offset)).or_insert(offset);
        }
        for comment in self.comments.iter().filter(|comment| !comment.own_line) {
            if let Some(&offset) = firsts.get(&comment.line) {
                self.trailing.insert(offset, comment.text);
            }
        }
    }

    /// The items of a block whose inside is `inside`: its statements and the own-line
    /// comments that are not inside one of them. Comments and statements are in source
    /// order, so both are found by binary search: a huge policy formats in n log n.
    fn items(&self, statements: &'a [Statement], inside: Range<usize>) -> Vec<Spaced<'a>> {
        let first = self.comments.partition_point(|comment| comment.offset < inside.start);
        let last = self.comments.partition_point(|comment| comment.offset < inside.end);
        let comments = self.comments[first..last.max(first)].iter().filter(|comment| {
            let before = statements.partition_point(|s| s.span.start <= comment.offset);
            let in_child = before > 0 && comment.offset < statements[before - 1].span.end;
            comment.own_line && !in_child
        });
        let mut positioned: Vec<(usize, usize, Item<'a>)> = comments
            .map(|comment| (comment.offset, comment.line, Item::Comment(comment.text)))
            .chain(
                statements.iter().map(|s| (s.span.start, self.line_of(s.span.end - 1), Item::Statement(self.node(s)))),
            )
            .collect();
        positioned.sort_by_key(|(offset, _, _)| *offset);
        let mut previous_last_line: Option<usize> = None;
        positioned
            .into_iter()
            .map(|(offset, last_line, item)| {
                let first_line = self.line_of(offset);
                let between = previous_last_line.and_then(|last| self.blank.get(last + 1..first_line));
                let blank_before = between.is_some_and(|lines| lines.contains(&true));
                previous_last_line = Some(last_line);
                Spaced { item, blank_before }
            })
            .collect()
    }

    fn node(&self, statement: &'a Statement) -> Node<'a> {
        let head_comment = self.trailing.get(&statement.keyword.span.start).copied();
        let (close_comment, items) = match &statement.block {
            Some(block) => (
                self.trailing.get(&(block.span.end - 1)).copied(),
                self.items(&block.statements, block.span.start + 1..block.span.end - 1),
            ),
            None => (None, Vec::new()),
        };
        Node { statement, head_comment, close_comment, items }
    }
}

/// The offsets of every statement head and every block's `}`, at every depth.
fn item_offsets(statements: &[Statement]) -> Vec<usize> {
    let mut offsets = Vec::new();
    for statement in statements {
        offsets.push(statement.keyword.span.start);
        if let Some(block) = &statement.block {
            offsets.extend(item_offsets(&block.statements));
            offsets.push(block.span.end - 1);
        }
    }
    offsets
}
