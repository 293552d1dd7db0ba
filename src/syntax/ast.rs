//! The syntax tree: statements with typed values, every piece with its span.

use miette::SourceSpan;

/// A byte range in the policy source; every diagnostic points at one or more of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The smallest span that covers both.
    pub fn join(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

impl From<Span> for SourceSpan {
    fn from(span: Span) -> SourceSpan {
        SourceSpan::new(span.start.into(), span.end - span.start)
    }
}

/// The shape of a value, as the lexer recognised it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    Word,
    Number,
    Duration,
    Size,
    Percent,
    Ipv4,
    Ipv4Cidr,
    Ipv6,
    Path,
    Remote,
    /// `@trusted`: an NIS netgroup, as exports(5) names one.
    Netgroup,
    /// `*.lan`, `nas?.lan`, `*`: a host name pattern with exports(5)'s wildcards.
    Wildcard,
    /// `https://ntfy.sh/topic?x=1`: a URL, where a notification goes.
    Url,
    /// The words after `because`, up to the end of the line: a reason, in prose.
    Text,
}

impl ValueKind {
    /// How a user would call this kind of value.
    pub fn describe(self) -> &'static str {
        match self {
            ValueKind::Word => "a name",
            ValueKind::Number => "a number",
            ValueKind::Duration => "a duration",
            ValueKind::Size => "a size",
            ValueKind::Percent => "a percentage",
            ValueKind::Ipv4 => "an IPv4 address",
            ValueKind::Ipv4Cidr => "an IPv4 network",
            ValueKind::Ipv6 => "an IPv6 address",
            ValueKind::Path => "a path",
            ValueKind::Remote => "an export reference",
            ValueKind::Netgroup => "a netgroup",
            ValueKind::Wildcard => "a host name pattern",
            ValueKind::Url => "a URL",
            ValueKind::Text => "a reason",
        }
    }
}

/// One value of a statement, with its text exactly as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value {
    pub kind: ValueKind,
    pub text: String,
    pub span: Span,
}

/// A keyword, its values and an optional block: the only construct of the language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub keyword: Value,
    pub values: Vec<Value>,
    pub block: Option<Block>,
    pub span: Span,
}

impl Statement {
    /// The keyword's text.
    pub fn name(&self) -> &str {
        &self.keyword.text
    }

    /// The span of the keyword and its values, without the block.
    pub fn head_span(&self) -> Span {
        self.values.last().map_or(self.keyword.span, |last| self.keyword.span.join(last.span))
    }

    /// The statements of the block, or none.
    pub fn children(&self) -> &[Statement] {
        self.block.as_ref().map_or(&[], |block| &block.statements)
    }
}

/// A `{ … }` block of nested statements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub statements: Vec<Statement>,
    pub span: Span,
}

/// A whole policy file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct File {
    pub statements: Vec<Statement>,
}
