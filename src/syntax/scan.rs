//! A pass over the raw text before the grammar runs: braces must balance and nest shallowly,
//! lines must be of a sane length, and the input must be text. It keeps the recursive
//! grammar away from hostile nesting, and the diagnostics away from endless lines.

use super::{Span, MAX_LINE_BYTES, MAX_NESTING};
use crate::diagnostic::Problem;

/// Checks lines, braces and characters that the grammar would report badly or slowly.
pub fn scan(source: &str) -> Result<(), Problem> {
    line_lengths(source.as_bytes())?;
    let mut open: Vec<usize> = Vec::new();
    let mut in_comment = false;
    for (offset, ch) in source.char_indices() {
        match ch {
            '\n' => in_comment = false,
            _ if in_comment => {}
            '#' => in_comment = true,
            '\0' => return Err(Problem::NotText { span: Span::new(offset, offset + 1).into() }),
            '{' => {
                open.push(offset);
                if open.len() > MAX_NESTING {
                    return Err(Problem::NestingTooDeep {
                        span: Span::new(offset, offset + 1).into(),
                        limit: MAX_NESTING,
                    });
                }
            }
            '}' if open.pop().is_none() => {
                return Err(Problem::UnmatchedBrace { span: Span::new(offset, offset + 1).into() });
            }
            _ => {}
        }
    }
    match open.last() {
        Some(&offset) => Err(Problem::UnclosedBrace { span: Span::new(offset, offset + 1).into() }),
        None => Ok(()),
    }
}

/// Refuses the first line longer than [`MAX_LINE_BYTES`].
pub fn line_lengths(source: &[u8]) -> Result<(), Problem> {
    let too_long = source.split(|byte| *byte == b'\n').enumerate().find(|(_, line)| line.len() > MAX_LINE_BYTES);
    match too_long {
        Some((index, line)) => Err(Problem::LineTooLong { line: index + 1, length: line.len(), limit: MAX_LINE_BYTES }),
        None => Ok(()),
    }
}
