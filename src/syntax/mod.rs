//! Syntax: policy text to a syntax tree with spans, or syntax problems in the user's words.

mod ast;
mod parser;
mod scan;

pub use ast::{Block, File, Span, Statement, Value, ValueKind};
pub use parser::parse;

/// The largest policy zplan reads, in bytes; larger inputs are refused before parsing.
pub const MAX_INPUT_BYTES: usize = 32 * 1024 * 1024;

/// The deepest nesting of blocks the language has any use for.
pub const MAX_NESTING: usize = 8;
