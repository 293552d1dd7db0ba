//! A pass over the raw text before the grammar runs: braces must balance and nest shallowly,
//! and the input must be text. It keeps the recursive grammar away from hostile nesting.

use super::{Span, MAX_NESTING};
use crate::diagnostic::Problem;

/// Checks braces and characters that the grammar would report badly or slowly.
pub fn scan(source: &str) -> Result<(), Problem> {
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
