//! Syntax: policy text to a syntax tree with spans, or syntax problems in the user's words.

mod ast;
mod parser;
mod scan;

pub use ast::{Block, File, Span, Statement, Value, ValueKind};
pub use parser::parse;
use scan::line_lengths;

use crate::diagnostic::Problem;

/// The largest policy zplan reads, in bytes; larger inputs are refused before parsing.
pub const MAX_INPUT_BYTES: usize = 32 * 1024 * 1024;

/// The longest line zplan reads, in bytes: ten times the longest statement a policy needs
/// (a 1024-byte path and its options), and short enough that every diagnostic can point
/// into it.
pub const MAX_LINE_BYTES: usize = 8 * 1024;

/// The deepest nesting of blocks the language has any use for.
pub const MAX_NESTING: usize = 8;

/// Policy bytes as text: refuses what is too large, has endless lines or is not UTF-8
/// before anything parses it, or quotes a line of it.
pub fn decode(bytes: &[u8]) -> Result<&str, Problem> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(Problem::TooLarge { limit: MAX_INPUT_BYTES });
    }
    line_lengths(bytes)?;
    std::str::from_utf8(bytes).map_err(|error| Problem::NotText { span: (error.valid_up_to(), 1).into() })
}
