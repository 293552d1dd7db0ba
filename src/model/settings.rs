//! Reading the statements of one block: known keywords, each set once unless repeatable,
//! with a "did you mean" for the unknown ones.

use super::values::{closest, did_you_mean};
use crate::diagnostic::Problem;
use crate::syntax::{Statement, Value};

/// The keywords a block accepts.
pub struct Schema {
    /// What the block is called in messages, such as `pair`.
    pub kind: &'static str,
    /// Keywords that may appear at most once.
    pub single: &'static [&'static str],
    /// Keywords that may appear any number of times.
    pub repeated: &'static [&'static str],
}

impl Schema {
    fn knows(&self, keyword: &str) -> Option<&'static str> {
        self.keywords().find(|k| *k == keyword)
    }

    fn keywords(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.single.iter().chain(self.repeated).copied()
    }
}

/// The statements of a block, sorted out by keyword.
pub struct Settings<'s> {
    found: Vec<(&'static str, &'s Statement)>,
    /// Keywords that an unknown keyword probably meant: not reported missing again.
    misspelt: Vec<&'s str>,
    /// The statement that opened the block, for "missing setting" labels.
    pub owner: &'s Statement,
    /// How the block is called in messages, such as pair `storage`.
    pub owner_label: String,
}

impl<'s> Settings<'s> {
    /// Sorts a block's statements by keyword, reporting unknown and repeated ones.
    pub fn read(owner: &'s Statement, owner_label: String, schema: &Schema, problems: &mut Vec<Problem>) -> Self {
        let mut found: Vec<(&'static str, &'s Statement)> = Vec::new();
        // The first statement of each single keyword: a few, however long the block.
        let mut singles: Vec<(&'static str, &'s Statement)> = Vec::new();
        let mut misspelt = Vec::new();
        for statement in owner.children() {
            let Some(keyword) = schema.knows(statement.name()) else {
                misspelt.extend(closest(statement.name(), schema.keywords()));
                problems.push(unknown_keyword(statement, schema));
                continue;
            };
            if schema.single.contains(&keyword) {
                if let Some((_, first)) = singles.iter().find(|(k, _)| *k == keyword) {
                    problems.push(Problem::DuplicateSetting {
                        second: statement.keyword.span.into(),
                        first: first.keyword.span.into(),
                        keyword: keyword.to_owned(),
                    });
                    continue;
                }
                singles.push((keyword, statement));
            }
            found.push((keyword, statement));
        }
        Settings { found, misspelt, owner, owner_label }
    }

    /// The statement for a keyword that appears at most once.
    pub fn get(&self, keyword: &str) -> Option<&'s Statement> {
        self.found.iter().find(|(k, _)| *k == keyword).map(|(_, statement)| *statement)
    }

    /// Every statement for a repeatable keyword, in source order.
    pub fn all<'a>(&'a self, keyword: &'a str) -> impl Iterator<Item = &'s Statement> + 'a {
        self.found.iter().filter(move |(k, _)| *k == keyword).map(|(_, statement)| *statement)
    }

    /// The statement for a keyword that must be there.
    pub fn require(
        &self,
        keyword: &'static str,
        example: &'static str,
        problems: &mut Vec<Problem>,
    ) -> Option<&'s Statement> {
        let statement = self.get(keyword);
        if statement.is_none() {
            self.missing(keyword, example, problems);
        }
        statement
    }

    /// Reports a setting this block lacks, unless a misspelling of it was reported already.
    pub fn missing(&self, keyword: &'static str, example: &'static str, problems: &mut Vec<Problem>) {
        if self.misspelt.contains(&keyword) {
            return;
        }
        problems.push(Problem::MissingSetting {
            span: self.owner.head_span().into(),
            owner: self.owner_label.clone(),
            keyword,
            example,
        });
    }
}

fn unknown_keyword(statement: &Statement, schema: &Schema) -> Problem {
    Problem::UnknownKeyword {
        span: statement.keyword.span.into(),
        what: format!("{} setting", schema.kind),
        keyword: statement.name().to_owned(),
        help: did_you_mean(statement.name(), schema.keywords())
            .or_else(|| Some(format!("a {} takes {}", schema.kind, list(schema)))),
    }
}

fn list(schema: &Schema) -> String {
    let names: Vec<String> = schema.single.iter().chain(schema.repeated).map(|k| format!("`{k}`")).collect();
    names.join(", ")
}

/// The single value of a statement that takes exactly one and no block.
pub fn single_value<'s>(
    statement: &'s Statement,
    expected: &'static str,
    example: &'static str,
    problems: &mut Vec<Problem>,
) -> Option<&'s Value> {
    match (statement.values.as_slice(), &statement.block) {
        ([value], None) => Some(value),
        (_, Some(block)) => {
            problems.push(Problem::BlockShape {
                span: block.span.into(),
                keyword: statement.name().to_owned(),
                needs: "takes no block",
                example,
            });
            None
        }
        _ => {
            problems.push(wrong_count(statement, expected, example));
            None
        }
    }
}

/// The problem of a statement with the wrong number of values.
pub fn wrong_count(statement: &Statement, expected: &'static str, example: &'static str) -> Problem {
    Problem::WrongValueCount {
        span: statement.head_span().into(),
        keyword: statement.name().to_owned(),
        expected,
        example,
    }
}

/// Whether a statement's values are exactly these words followed by `rest` more values.
pub fn starts_with_words(statement: &Statement, words: &[&str], rest: usize) -> bool {
    statement.values.len() == words.len() + rest
        && statement.values.iter().zip(words).all(|(value, word)| value.text == *word)
}
