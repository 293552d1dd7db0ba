//! `snapshot DATASET [recursive [atomic] | children-only] retention NAME [every D]
//! [engine sanoid|zrepl]` in a node: reading one statement into its parts. The retention is
//! resolved by the caller, which knows every retention's name.

use super::settings::wrong_count;
use super::types::{Depth, Duration, SnapshotEngine, Spanned};
use super::values;
use crate::diagnostic::Problem;
use crate::syntax::{Span, Statement, Value};

/// The keyword of the statement in a node.
pub const KEYWORD: &str = "snapshot";

const EXAMPLE: &str = "snapshot tank/home recursive retention daily";
const EXPECTED: &str = "a dataset, an optional `recursive` (`recursive atomic`) or `children-only`, \
`retention` and its name, an optional `every` period and an optional `engine`";

/// A statement read, with its retention still a name.
pub struct Read<'s> {
    pub dataset: Spanned<String>,
    pub depth: Spanned<Depth>,
    pub retention: &'s Value,
    pub every: Option<Spanned<Duration>>,
    pub engine: Spanned<SnapshotEngine>,
}

/// The parts of one `snapshot` statement; `None` once its problems are reported.
pub fn read<'s>(statement: &'s Statement, problems: &mut Vec<Problem>) -> Option<Read<'s>> {
    let misshapen = |problems: &mut Vec<Problem>| problems.push(wrong_count(statement, EXPECTED, EXAMPLE));
    if let Some(block) = &statement.block {
        let needs = "takes no block";
        problems.push(Problem::BlockShape {
            span: block.span.into(),
            keyword: KEYWORD.to_owned(),
            needs,
            example: EXAMPLE,
        });
        return None;
    }
    let Some((dataset, rest)) = statement.values.split_first() else {
        misshapen(problems);
        return None;
    };
    let (depth, rest) = depth(rest, statement.keyword.span);
    let mut retention = None;
    let mut every = None;
    let mut engine = None;
    for clause in rest.chunks(2) {
        let slot = match clause {
            [word, _] if word.text == "retention" => &mut retention,
            [word, _] if word.text == "every" => &mut every,
            [word, _] if word.text == "engine" => &mut engine,
            _ => {
                misshapen(problems);
                return None;
            }
        };
        if slot.replace(&clause[1]).is_some() {
            misshapen(problems);
            return None;
        }
    }
    let Some(retention) = retention else {
        misshapen(problems);
        return None;
    };
    let dataset = values::dataset(dataset).map_err(|problem| problems.push(problem)).ok();
    let every = match every {
        Some(value) => Some(frequent_period(value, problems)?),
        None => None,
    };
    let engine = match engine {
        Some(value) => Some(snapshot_engine(value, problems)?),
        None => None,
    };
    let engine = engine.unwrap_or(Spanned::new(SnapshotEngine::Sanoid, statement.keyword.span));
    Some(Read { dataset: dataset?, depth, retention, every, engine })
}

/// The depth words after the dataset, and the values after them.
fn depth(rest: &[Value], keyword: Span) -> (Spanned<Depth>, &[Value]) {
    match rest {
        [recursive, atomic, tail @ ..] if recursive.text == "recursive" && atomic.text == "atomic" => {
            (Spanned::new(Depth::Atomic, recursive.span.join(atomic.span)), tail)
        }
        [recursive, tail @ ..] if recursive.text == "recursive" => {
            (Spanned::new(Depth::Recursive, recursive.span), tail)
        }
        [children, tail @ ..] if children.text == "children-only" => {
            (Spanned::new(Depth::ChildrenOnly, children.span), tail)
        }
        _ => (Spanned::new(Depth::Single, keyword), rest),
    }
}

/// `every D`: a period of frequent snapshots, at least a minute.
fn frequent_period(value: &Value, problems: &mut Vec<Problem>) -> Option<Spanned<Duration>> {
    let period = values::duration(value, "every 5m").map_err(|problem| problems.push(problem)).ok()?;
    if period.value.seconds() < 60 {
        problems.push(Problem::OutOfRange {
            span: value.span.into(),
            what: "snapshot period",
            text: value.text.clone(),
            range: "1m and up",
        });
        return None;
    }
    Some(period)
}

fn snapshot_engine(value: &Value, problems: &mut Vec<Problem>) -> Option<Spanned<SnapshotEngine>> {
    let engines = [SnapshotEngine::Sanoid, SnapshotEngine::Zrepl];
    if let Some(engine) = engines.into_iter().find(|engine| engine.keyword() == value.text) {
        return Some(Spanned::new(engine, value.span));
    }
    problems.push(Problem::UnsupportedEngine {
        span: value.span.into(),
        engine: value.text.clone(),
        help: values::did_you_mean(&value.text, engines.map(SnapshotEngine::keyword)).or_else(|| {
            Some("a node's snapshots are taken by `engine sanoid` (the default) or `engine zrepl`".to_owned())
        }),
    });
    None
}
