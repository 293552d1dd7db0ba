//! Cascades a→b→c: a static syncoid pair whose source dataset is a copy that another static
//! syncoid pair receives on that node re-sends what it received. It takes no snapshots of the
//! copy (the first pair's source takes them, the first pair's target prunes them), and its
//! worst case adds the first pair's. The copies each node receives are indexed once, so
//! looking up the pair upstream of a dataset walks only the dataset's ancestors.

use std::collections::HashMap;

use super::owned::sent_schedule;
use crate::facts::landing;
use crate::facts::schedule::TIMER_ACCURACY;
use crate::model::{covers, Duration, Engine, Pair, Policy, Replicated};

/// Where one static syncoid pair's copy lands.
#[derive(Debug, Clone, Copy)]
struct Copy {
    pair: usize,
    replicated: usize,
}

/// Every copy a static syncoid pair receives, by node and landing dataset.
#[derive(Debug, Default)]
pub struct Cascades {
    copies: HashMap<(usize, String), Copy>,
}

/// Whether a pair can take part in a cascade: fixed roles and syncoid, whose units send
/// existing snapshots (`--no-sync-snap`) from wherever they are.
fn cascading(pair: &Pair) -> bool {
    pair.is_static() && pair.engine.value == Engine::Syncoid
}

impl Cascades {
    /// The copies of a policy; empty when no static syncoid pair sends from another's target.
    pub fn of(policy: &Policy) -> Cascades {
        let targets: std::collections::HashSet<usize> =
            policy.pairs.iter().filter(|p| cascading(p)).map(|p| p.nodes[1]).collect();
        if !policy.pairs.iter().any(|p| cascading(p) && targets.contains(&p.nodes[0])) {
            return Cascades::default();
        }
        let mut copies = HashMap::new();
        for (pair_index, pair) in policy.pairs.iter().enumerate().filter(|(_, p)| cascading(p)) {
            for (index, replicated) in pair.datasets.iter().enumerate() {
                let key = (pair.nodes[1], landing(policy, pair, &replicated.dataset.value));
                copies.entry(key).or_insert(Copy { pair: pair_index, replicated: index });
            }
        }
        Cascades { copies }
    }

    /// The pair (and its dataset) whose copy `pair` re-sends as `replicated`: a static
    /// syncoid pair receiving, on this pair's source node, a copy that covers the whole tree.
    pub fn upstream<'p>(
        &self,
        policy: &'p Policy,
        pair: &Pair,
        replicated: &Replicated,
    ) -> Option<(usize, &'p Replicated)> {
        if self.copies.is_empty() || !cascading(pair) {
            return None;
        }
        let dataset = &replicated.dataset.value;
        let ancestors =
            dataset.match_indices('/').map(|(at, _)| &dataset[..at]).chain(std::iter::once(dataset.as_str()));
        ancestors.into_iter().find_map(|candidate| {
            let copy = self.copies.get(&(pair.nodes[0], candidate.to_owned()))?;
            let upstream = &policy.pairs[copy.pair];
            let received = &upstream.datasets[copy.replicated];
            let whole = covers(candidate, received.recursive, dataset) && (!replicated.recursive || received.recursive);
            (whole && !std::ptr::eq(upstream, pair)).then_some((copy.pair, received))
        })
    }
}

/// One link of a cascade: a pair and the dataset it sends.
pub type Link<'p> = (usize, &'p Replicated);

/// The chain of pairs a dataset passes through to reach `pair`, first sender first, ending
/// with `pair` itself; `Err` with the chain up to the repeat when it loops back on itself.
pub fn chain<'p>(
    policy: &'p Policy,
    cascades: &Cascades,
    pair: usize,
    replicated: &'p Replicated,
) -> Result<Vec<Link<'p>>, Vec<Link<'p>>> {
    let mut links: Vec<Link<'p>> = vec![(pair, replicated)];
    loop {
        let (current, dataset) = links[links.len() - 1];
        let Some(next) = cascades.upstream(policy, &policy.pairs[current], dataset) else {
            links.reverse();
            return Ok(links);
        };
        let looped = links.iter().any(|(index, _)| *index == next.0);
        links.push(next);
        if looped {
            links.reverse();
            return Err(links);
        }
    }
}

/// The worst case at the end of a cascade, term by term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CascadeWorst {
    pub total: Duration,
    pub arithmetic: String,
}

/// The first sender's worst case (with the node's snapshot gap when the node takes them),
/// then each later pair's replication gap, timer accuracy and transfer: a copy waits for
/// every hop. `None` when a pair of the chain has no schedule (its rpo is refused already).
pub fn cascade_worst(facts: &super::Facts<'_>, links: &[Link<'_>]) -> Option<CascadeWorst> {
    let policy = facts.policy;
    let (first, first_dataset) = links.first()?;
    let first_pair = &policy.pairs[*first];
    let first_schedule = sent_schedule(policy, first_pair, first_dataset, facts.schedule(first_pair).ok()?);
    let mut total = first_schedule.worst_case();
    let mut terms = vec![format!("{} worst case of pair {}", total, first_pair.name.value)];
    for (index, _) in &links[1..] {
        let pair = &policy.pairs[*index];
        let schedule = facts.schedule(pair).ok()?;
        let accuracy = TIMER_ACCURACY + TIMER_ACCURACY;
        total = total + schedule.replicate_every + accuracy + schedule.transfer;
        terms.push(format!(
            "{} replication gap + {accuracy} timer accuracy + {} transfer of pair {}",
            schedule.replicate_every, schedule.transfer, pair.name.value
        ));
    }
    Some(CascadeWorst { total, arithmetic: format!("{} = {total}", terms.join(" + ")) })
}
