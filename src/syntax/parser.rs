//! The pest grammar, its conversion to the syntax tree, and its errors in the user's words.

use pest::error::{ErrorVariant, InputLocation};
use pest::iterators::Pair;
use pest::Parser;

use super::ast::{Block, File, Span, Statement, Value, ValueKind};
use super::scan::scan;
use crate::diagnostic::Problem;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/zplan.pest"]
struct PolicyParser;

/// Parses a whole policy, or returns the first syntax problem.
pub fn parse(source: &str) -> Result<File, Problem> {
    scan(source)?;
    let mut pairs = PolicyParser::parse(Rule::file, source).map_err(|error| syntax_problem(source, &error))?;
    let file = pairs.next().expect("the grammar always yields a file");
    let statements = file.into_inner().filter(|pair| pair.as_rule() == Rule::statement).map(statement).collect();
    Ok(File { statements })
}

fn span_of(pair: &Pair<'_, Rule>) -> Span {
    Span::new(pair.as_span().start(), pair.as_span().end())
}

fn statement(pair: Pair<'_, Rule>) -> Statement {
    let span = span_of(&pair);
    let mut inner = pair.into_inner();
    let keyword = value(inner.next().expect("a statement starts with a word"));
    let mut values = Vec::new();
    let mut block = None;
    for part in inner {
        if part.as_rule() == Rule::block {
            block = Some(nested_block(part));
        } else if part.as_rule() == Rule::reason {
            values.extend(reason(part));
        } else {
            values.push(value(part));
        }
    }
    Statement { keyword, values, block, span }
}

/// `because` and the words after it, as a word and one text value: its words joined by
/// single spaces, as layout is not part of a reason.
fn reason(pair: Pair<'_, Rule>) -> Vec<Value> {
    let start = pair.as_span().start();
    let because = Value { kind: ValueKind::Word, text: "because".to_owned(), span: Span::new(start, start + 7) };
    let mut values = vec![because];
    for text in pair.into_inner().filter(|part| part.as_rule() == Rule::reason_text) {
        let begin = text.as_span().start();
        let end = begin + text.as_str().trim_end().len();
        let words: Vec<&str> = text.as_str().split_whitespace().collect();
        values.push(Value { kind: ValueKind::Text, text: words.join(" "), span: Span::new(begin, end) });
    }
    values
}

fn nested_block(pair: Pair<'_, Rule>) -> Block {
    let span = span_of(&pair);
    let statements = pair.into_inner().filter(|part| part.as_rule() == Rule::statement).map(statement).collect();
    Block { statements, span }
}

fn value(pair: Pair<'_, Rule>) -> Value {
    Value { kind: value_kind(pair.as_rule()), text: pair.as_str().to_owned(), span: span_of(&pair) }
}

fn value_kind(rule: Rule) -> ValueKind {
    match rule {
        Rule::word => ValueKind::Word,
        Rule::number => ValueKind::Number,
        Rule::duration => ValueKind::Duration,
        Rule::size => ValueKind::Size,
        Rule::percent => ValueKind::Percent,
        Rule::ipv4 => ValueKind::Ipv4,
        Rule::ipv4_cidr => ValueKind::Ipv4Cidr,
        Rule::ipv6 => ValueKind::Ipv6,
        Rule::path => ValueKind::Path,
        Rule::remote => ValueKind::Remote,
        Rule::url => ValueKind::Url,
        Rule::netgroup => ValueKind::Netgroup,
        Rule::wildcard => ValueKind::Wildcard,
        other => unreachable!("{other:?} is not a value rule"),
    }
}

/// What a user calls the thing a grammar rule stands for. Every rule is named here, with
/// no catch-all, so that a new rule does not compile until it has a human name.
fn rule_name(rule: Rule) -> &'static str {
    match rule {
        Rule::EOI => "the end of the file",
        Rule::WHITESPACE | Rule::COMMENT | Rule::boundary => "a space",
        Rule::line_end => "a line end",
        Rule::file | Rule::statement => "a statement",
        Rule::block => "a block",
        Rule::value => "a value",
        Rule::octet | Rule::dotted | Rule::ipv4 => "an IPv4 address",
        Rule::ipv4_cidr => "an IPv4 network",
        Rule::ipv6 => "an IPv6 address",
        Rule::duration => "a duration",
        Rule::size => "a size",
        Rule::percent => "a percentage",
        Rule::number => "a number",
        Rule::path | Rule::path_char => "a path",
        Rule::remote | Rule::host_char => "an export reference",
        Rule::url | Rule::url_char => "a URL",
        Rule::word | Rule::word_start | Rule::word_char => "a keyword or name",
        Rule::netgroup => "a netgroup",
        Rule::wildcard | Rule::wild => "a host name pattern",
        Rule::because | Rule::reason | Rule::reason_text | Rule::reason_char => "a reason",
    }
}

fn syntax_problem(source: &str, error: &pest::error::Error<Rule>) -> Problem {
    let offset = match error.location {
        InputLocation::Pos(offset) => offset,
        InputLocation::Span((start, _)) => start,
    };
    let rest = &source[offset..];
    let token_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    let odd = rest[..token_end].char_indices().find(|(_, ch)| !is_language_char(*ch) || *ch == '=');
    match odd {
        Some((at, ch)) => odd_character(offset + at, ch),
        None => Problem::Expected {
            span: Span::new(offset, offset + rest.chars().next().map_or(0, char::len_utf8)).into(),
            expected: expected_list(error),
            found: describe_found(rest),
        },
    }
}

/// The problem of a character the language has no use for, with the common slips named.
fn odd_character(offset: usize, ch: char) -> Problem {
    let span = Span::new(offset, offset + ch.len_utf8()).into();
    match ch {
        '=' => Problem::EqualsSign { span },
        '"' | '\'' => Problem::Quoted { span },
        _ => Problem::UnexpectedCharacter { span, found: ch.escape_debug().to_string() },
    }
}

fn is_language_char(ch: char) -> bool {
    ch.is_ascii_alphanumeric() || "_-./:@+,%{}#*?[] \t\r\n".contains(ch)
}

/// Kinds of value that an "expected" message folds into "a value".
const VALUE_NAMES: [&str; 13] = [
    "an IPv4 address",
    "an IPv4 network",
    "an IPv6 address",
    "a duration",
    "a size",
    "a percentage",
    "a number",
    "a path",
    "an export reference",
    "a keyword or name",
    "a netgroup",
    "a host name pattern",
    "a URL",
];

fn fold_values(name: &'static str) -> &'static str {
    if VALUE_NAMES.contains(&name) {
        "a value"
    } else {
        name
    }
}

fn expected_list(error: &pest::error::Error<Rule>) -> String {
    let mut names: Vec<&str> = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            positives.iter().map(|rule| fold_values(rule_name(*rule))).collect()
        }
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    names.sort_unstable();
    names.dedup();
    match names.as_slice() {
        [] => "a statement".to_owned(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn describe_found(rest: &str) -> String {
    let token: String = rest.chars().take_while(|ch| !ch.is_whitespace()).take(24).collect();
    match token.as_str() {
        "" if rest.is_empty() => "the end of the file".to_owned(),
        "" => "a line end".to_owned(),
        _ => format!("`{token}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_the_rest_of_the_line_after_because() {
        let file = parse("client c {\n  allow E0506 because a player  skips,\tit doesn't freeze  # why\n}\n").unwrap();
        let allow = &file.statements[0].block.as_ref().unwrap().statements[0];
        let texts: Vec<(ValueKind, &str)> = allow.values.iter().map(|v| (v.kind, v.text.as_str())).collect();
        assert_eq!(
            texts,
            [
                (ValueKind::Word, "E0506"),
                (ValueKind::Word, "because"),
                (ValueKind::Text, "a player skips, it doesn't freeze")
            ]
        );
        let bare = parse("client c {\n  allow W0602 because\n}\n").unwrap();
        assert_eq!(bare.statements[0].block.as_ref().unwrap().statements[0].values.len(), 2);
        assert!(parse("client c {\n  allow W0602 because café\n}\n").is_err(), "a reason is printable ASCII");
    }

    #[test]
    fn values_get_their_kinds() {
        let file = parse("pair p {\n rpo 10m\n x 10.0.0.1 10.0.0.0/8 fd00::1 /a/b 500M 50% 12 srv:/x zpool1/a-b\n}\n")
            .unwrap();
        let kinds: Vec<ValueKind> = file.statements[0].children()[1].values.iter().map(|v| v.kind).collect();
        assert_eq!(
            kinds,
            vec![
                ValueKind::Ipv4,
                ValueKind::Ipv4Cidr,
                ValueKind::Ipv6,
                ValueKind::Path,
                ValueKind::Size,
                ValueKind::Percent,
                ValueKind::Number,
                ValueKind::Remote,
                ValueKind::Word,
            ]
        );
    }

    #[test]
    fn one_line_blocks_and_comments_parse() {
        let file = parse("# c\nnode a { address 10.0.0.1 } # trailing\n\nnode b {\n}\n").unwrap();
        assert_eq!(file.statements.len(), 2);
        assert_eq!(file.statements[0].children()[0].values[0].text, "10.0.0.1");
    }

    #[test]
    fn a_digit_word_is_not_a_number() {
        let file = parse("x 10x 4.2\n").unwrap();
        assert_eq!(file.statements[0].values[0].kind, ValueKind::Word);
        assert_eq!(file.statements[0].values[1].kind, ValueKind::Word);
    }

    #[test]
    fn slips_are_named() {
        assert!(matches!(parse("retention r {\n hourly = 24\n}\n"), Err(Problem::EqualsSign { .. })));
        assert!(matches!(parse("node \"a\"\n"), Err(Problem::Quoted { .. })));
        assert!(matches!(parse("node a$b\n"), Err(Problem::UnexpectedCharacter { .. })));
        assert!(matches!(parse("node a {\n"), Err(Problem::UnclosedBrace { .. })));
        assert!(matches!(parse("}\n"), Err(Problem::UnmatchedBrace { .. })));
        assert!(matches!(parse(&"{\n".repeat(100_000)), Err(Problem::NestingTooDeep { .. })));
        assert!(matches!(parse(&"{".repeat(100_000)), Err(Problem::LineTooLong { line: 1, .. })));
    }
}
