//! Cascades a→b→c: a copy sent on waits for every pair before it, so the last pair's rpo
//! must hold the whole chain's worst case; the middle node keeps the copy by the receiving
//! pair's retention, which must outlast the outage of the pair that sends it on; and a
//! chain that comes back to where it started is refused.

use std::collections::BTreeSet;

use crate::diagnostic::Problem;
use crate::facts::schedule;
use crate::facts::Facts;
use crate::facts::{cascade_worst, chain, Cascades, Link};
use crate::model::Policy;

/// Every static syncoid pair's datasets with the chain that reaches them.
fn chains<'p>(policy: &'p Policy, cascades: &Cascades) -> Vec<Result<Vec<Link<'p>>, Vec<Link<'p>>>> {
    let mut found = Vec::new();
    for (index, pair) in policy.pairs.iter().enumerate() {
        for replicated in &pair.datasets {
            if cascades.upstream(policy, pair, replicated).is_some() {
                found.push(chain(policy, cascades, index, replicated));
            }
        }
    }
    found
}

/// How a loop reads in a message, each dataset on its node and the pair that sends it on,
/// back to the start: `a:tank/vm (pair there) → c:tank/vm (pair back) → a:tank/vm`. The
/// chain's last link repeats its first.
fn describe(policy: &Policy, links: &[Link<'_>]) -> String {
    let mut hops: Vec<String> = links[..links.len().saturating_sub(1)]
        .iter()
        .map(|(index, replicated)| {
            let pair = &policy.pairs[*index];
            format!(
                "{}:{} (pair {})",
                policy.nodes[pair.nodes[0]].name.value, replicated.dataset.value, pair.name.value
            )
        })
        .collect();
    if let Some((index, replicated)) = links.last() {
        let pair = &policy.pairs[*index];
        hops.push(format!("{}:{}", policy.nodes[pair.nodes[0]].name.value, replicated.dataset.value));
    }
    hops.join(" → ")
}

/// The last pair of a chain meets its rpo with every hop before it.
pub fn cascades_meet_rpo(facts: &Facts<'_>) -> Vec<Problem> {
    let policy = facts.policy;
    let cascades = &facts.cascades;
    let mut problems = Vec::new();
    for links in chains(policy, cascades).into_iter().filter_map(Result::ok) {
        let Some(worst) = cascade_worst(facts, &links) else { continue };
        let (last, replicated) = links[links.len() - 1];
        let pair = &policy.pairs[last];
        let Some(rpo) = &pair.rpo else { continue };
        if worst.total <= rpo.value {
            continue;
        }
        let upstream: Vec<String> = links[..links.len() - 1]
            .iter()
            .map(|(index, _)| format!("`{}`", policy.pairs[*index].name.value))
            .collect();
        problems.push(Problem::CascadeRpoUnmet {
            rpo_span: rpo.span.into(),
            dataset: replicated.dataset.span.into(),
            pair: pair.name.value.clone(),
            previous: policy.pairs[links[links.len() - 2].0].name.value.clone(),
            upstream: upstream.join(", "),
            rpo: rpo.value.to_string(),
            worst: worst.arithmetic,
            total: worst.total.to_string(),
        });
    }
    problems
}

/// The middle node keeps the copy it sends on through the outage of the pair that sends it.
pub fn cascades_outlast_outage(facts: &Facts<'_>) -> Vec<Problem> {
    let policy = facts.policy;
    let cascades = &facts.cascades;
    let mut problems = Vec::new();
    for links in chains(policy, cascades).into_iter().filter_map(Result::ok) {
        for hop in links.windows(2) {
            let [(receiving, _), (sending, sent)] = hop else { continue };
            let (receiver, sender) = (&policy.pairs[*receiving], &policy.pairs[*sending]);
            let Some(outage) = &sender.outage else { continue };
            let (Ok(receiver_schedule), Ok(sender_schedule)) = (facts.schedule(receiver), facts.schedule(sender))
            else {
                continue;
            };
            let retention = &policy.retentions[receiver.receiver_retention()];
            let horizon = schedule::horizon(retention, &receiver_schedule);
            let needed = outage.value + sender_schedule.replicate_every;
            if horizon > needed {
                continue;
            }
            problems.push(Problem::FanOutOutage {
                outage_span: outage.span.into(),
                retention_span: sent.dataset.span.into(),
                retention: retention.name.value.clone(),
                dataset: sent.dataset.value.clone(),
                node: policy.nodes[sender.nodes[0]].name.value.clone(),
                pair: sender.name.value.clone(),
                horizon: horizon.to_string(),
                makeup: format!("the copy pair `{}` receives, kept by its target retention", receiver.name.value),
                outage: outage.value.to_string(),
                needed: needed.to_string(),
            });
        }
    }
    problems.dedup_by(|a, b| a.to_string() == b.to_string());
    problems
}

/// No chain comes back to where it started.
pub fn cascades_do_not_loop(facts: &Facts<'_>) -> Vec<Problem> {
    let policy = facts.policy;
    let cascades = &facts.cascades;
    let mut reported = BTreeSet::new();
    let mut problems = Vec::new();
    for links in chains(policy, cascades).into_iter().filter_map(Result::err) {
        let members: BTreeSet<usize> = links.iter().map(|(index, _)| *index).collect();
        if !reported.insert(members) {
            continue;
        }
        let (first, last) = (links[0], links[links.len().saturating_sub(2)]);
        problems.push(Problem::CascadeLoop {
            first: first.1.dataset.span.into(),
            last: last.1.dataset.span.into(),
            dataset: first.1.dataset.value.clone(),
            chain: describe(policy, &links),
        });
    }
    problems
}
