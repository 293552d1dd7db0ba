//! Rules on where copies land: a form the pair's engine and roles can carry out, and no two
//! datasets of a pair landing on one copy. Collisions with what other pairs write on the
//! target are the one-writer rule's (E0410); a copy inside its own source needs a pair
//! within one node, which syncoid pairs cannot be (E0404) and zrepl refuses (E0707).

use crate::diagnostic::Problem;
use crate::facts::copy_of;
use crate::model::{covers, Engine, Pair, Policy, Replicated, Roles};
use crate::syntax::Span;

/// `as` and `without-pool` only where the copy's name can be chosen: a static syncoid pair.
pub fn copy_names_expressible(policy: &Policy) -> Vec<Problem> {
    policy.pairs.iter().flat_map(inexpressible_names).collect()
}

fn inexpressible_names(pair: &Pair) -> Vec<Problem> {
    let named = pair.datasets.iter().filter_map(|r| r.copy.as_ref()).map(|copy| ("`as`", copy.span));
    let forms: Vec<(&str, Span)> = named.chain(pair.without_pool.map(|span| ("`without-pool`", span))).collect();
    let Some(reason) = why_not_named(pair) else {
        return Vec::new();
    };
    forms
        .into_iter()
        .map(|(form, span)| Problem::CopyNameNotExpressible {
            span: span.into(),
            what: form.to_owned(),
            pair: pair.name.value.clone(),
            reason: reason.0,
            help: reason.1,
        })
        .collect()
}

/// Why a pair's copies cannot be named, and how to get there.
fn why_not_named(pair: &Pair) -> Option<(&'static str, &'static str)> {
    if let Roles::FollowsGuest { .. } = pair.roles {
        return Some((
            "either node of a followed pair may become the source, so each dataset has one name on both",
            "remove it; a copy under a name of its own needs a static pair (`source` and `target`)",
        ));
    }
    (pair.engine.value == Engine::Zrepl).then_some((
        "zrepl receives every dataset at its `root_fs` plus the source's path (a sink adds the client's name), and renames none",
        "remove it and read the copy's name in the runbook, or use `engine syncoid` to name the copy",
    ))
}

/// A copy that receives a whole stream is a dataset of its own: not a pool's root, nor the
/// `under` root the runbook creates, both of which exist before the first full receive,
/// which then fails. A `children` replication lands its children under either.
pub fn copies_are_new_datasets(policy: &Policy) -> Vec<Problem> {
    let mut problems = Vec::new();
    for pair in policy.pairs.iter().filter(|pair| pair.is_static() && pair.engine.value == Engine::Syncoid) {
        for replicated in pair.datasets.iter().filter(|r| !r.children_only) {
            let copy = copy_of(policy, pair, replicated);
            let is_root = pair.target_root.as_ref().is_some_and(|root| root.value == copy);
            if copy.contains('/') && !is_root {
                continue;
            }
            let (what, span) = match (&replicated.copy, pair.without_pool) {
                (Some(named), _) => (format!("`as {copy}`"), named.span),
                (None, Some(without)) => (format!("`without-pool` for `{}`", replicated.dataset.value), without),
                (None, None) => continue,
            };
            problems.push(Problem::CopyNameNotExpressible {
                span: span.into(),
                what,
                pair: pair.name.value.clone(),
                reason: "the copy would be a pool's root or the `under` root, which exist before the first full receive, so it fails",
                help: "name a dataset of its own below the pool, or replicate the dataset's `children` to land them under it",
            });
        }
    }
    problems
}

/// No two datasets of a pair land on one copy, or inside another's recursive copy.
pub fn copies_distinct(policy: &Policy) -> Vec<Problem> {
    policy.pairs.iter().filter(|pair| pair.is_static()).flat_map(|pair| colliding_copies(policy, pair)).collect()
}

fn colliding_copies(policy: &Policy, pair: &Pair) -> Vec<Problem> {
    let mut copies: Vec<(String, &Replicated)> = pair.datasets.iter().map(|r| (copy_of(policy, pair, r), r)).collect();
    copies.sort_by(|a, b| a.0.cmp(&b.0));
    let mut problems = Vec::new();
    let mut open: Vec<&(String, &Replicated)> = Vec::new();
    for entry in &copies {
        open.retain(|(outer, _)| covers(outer, true, &entry.0));
        if let Some((outer, first)) = open.iter().find(|(outer, r)| covers(outer, r.recursive, &entry.0)) {
            problems.push(collision(policy, pair, (outer, first), (&entry.0, entry.1)));
            continue;
        }
        open.push(entry);
    }
    problems
}

fn collision(policy: &Policy, pair: &Pair, first: (&str, &Replicated), second: (&str, &Replicated)) -> Problem {
    let span = |r: &Replicated| r.copy.as_ref().map_or(r.dataset.span, |copy| copy.span);
    Problem::CopiesCollide {
        second_span: span(second.1).into(),
        first_span: span(first.1).into(),
        pair: pair.name.value.clone(),
        node: policy.nodes[pair.nodes[1]].name.value.clone(),
        first: first.1.dataset.value.clone(),
        second: second.1.dataset.value.clone(),
        first_copy: first.0.to_owned(),
        second_copy: second.0.to_owned(),
        copy: second.0.to_owned(),
    }
}
