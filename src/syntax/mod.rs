//! Syntax: policy text to a syntax tree with spans, or syntax problems in the user's words.

mod ast;
mod parser;
mod scan;

pub use ast::{Block, File, Span, Statement, Value, ValueKind};
pub use parser::parse;

use crate::diagnostic::Problem;

/// The largest policy zplan reads, in bytes; larger inputs are refused before parsing.
pub const MAX_INPUT_BYTES: usize = 32 * 1024 * 1024;

/// The deepest nesting of blocks the language has any use for.
pub const MAX_NESTING: usize = 8;

/// Policy bytes as text: refuses what is too large or not UTF-8 before anything parses it.
pub fn decode(bytes: &[u8]) -> Result<&str, Problem> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(Problem::TooLarge { span: (0, 0).into(), size: bytes.len(), limit: MAX_INPUT_BYTES });
    }
    std::str::from_utf8(bytes).map_err(|error| Problem::NotText { span: (error.valid_up_to(), 1).into() })
}
