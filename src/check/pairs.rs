//! Rules on pairs: two distinct nodes, each dataset replicated once, unit names unique.

use std::collections::HashMap;

use crate::diagnostic::Problem;
use crate::facts::naming::replication_unit_stem;
use crate::model::covers;
use crate::model::{Engine, Pair, Policy, Transport};

/// A pair replicates between two different nodes.
pub fn nodes_differ(policy: &Policy) -> Vec<Problem> {
    policy
        .pairs
        .iter()
        .filter(|pair| pair.nodes[0] == pair.nodes[1] && !is_local(pair))
        .map(|pair| {
            let node = &policy.nodes[pair.nodes[0]];
            Problem::SameNode {
                second: pair.node_spans[1].into(),
                first: pair.node_spans[0].into(),
                pair: pair.name.value.clone(),
                node: node.name.value.clone(),
            }
        })
        .collect()
}

/// A zrepl pair whose jobs meet in one daemon: its source and target are one node.
fn is_local(pair: &Pair) -> bool {
    pair.engine.value == Engine::Zrepl && pair.transport.as_ref().is_some_and(|t| t.value == Transport::Local)
}

/// Within a pair, no dataset is replicated twice, directly or under a recursive parent.
pub fn datasets_replicated_once(policy: &Policy) -> Vec<Problem> {
    policy.pairs.iter().flat_map(overlaps_in).collect()
}

fn overlaps_in(pair: &Pair) -> Vec<Problem> {
    let mut sorted: Vec<_> = pair.datasets.iter().collect();
    sorted.sort_by(|a, b| a.dataset.value.cmp(&b.dataset.value));
    let mut problems = Vec::new();
    let mut covering: Vec<&crate::model::Replicated> = Vec::new();
    for replicated in sorted {
        covering.retain(|outer| covers(&outer.dataset.value, true, &replicated.dataset.value));
        if let Some(outer) = covering.iter().find(|o| covers(&o.dataset.value, o.recursive, &replicated.dataset.value))
        {
            problems.push(Problem::DatasetTwice {
                second: replicated.dataset.span.into(),
                first: outer.dataset.span.into(),
                dataset: replicated.dataset.value.clone(),
                other: outer.dataset.value.clone(),
            });
            continue;
        }
        covering.push(replicated);
    }
    problems
}

/// Each replicated dataset gets its own units; their names must not collide.
pub fn unit_names_unique(policy: &Policy) -> Vec<Problem> {
    let mut problems = Vec::new();
    for pair in policy.pairs.iter().filter(|pair| pair.engine.value == Engine::Syncoid) {
        let mut seen: HashMap<String, &crate::model::Replicated> = HashMap::new();
        for replicated in &pair.datasets {
            let stem = replication_unit_stem(pair, &replicated.dataset.value);
            match seen.get(&stem).filter(|r| r.dataset.value != replicated.dataset.value) {
                Some(first) => problems.push(Problem::UnitNameClash {
                    second: replicated.dataset.span.into(),
                    first: first.dataset.span.into(),
                    first_name: first.dataset.value.clone(),
                    second_name: replicated.dataset.value.clone(),
                    unit: format!("{stem}.service"),
                }),
                None => {
                    seen.entry(stem).or_insert(replicated);
                }
            }
        }
    }
    problems
}
