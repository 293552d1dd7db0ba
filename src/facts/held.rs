//! How a node holds the datasets an NFS server on it may export, derived once from the
//! policy: its own data, the live data a static pair or backup sends from it, a copy one
//! receives there (named as it lands), or data a followed pair replicates between it and
//! another node. The checks refuse what a node's server must not serve; the plan serves a
//! copy read-only.

use std::collections::HashMap;

use crate::facts::{copy_of, landing};
use crate::model::{covers, Policy, Roles};

/// How a node holds one dataset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Held {
    /// No pair replicates it on this node: the node's own data.
    Own,
    /// The live data a static pair or backup (index into [`Policy::pairs`]) sends from this node.
    Sent { pair: usize },
    /// A copy a static pair or backup receives on this node, under its landing name; `source`
    /// is the dataset it copies on the pair's source.
    Copy { pair: usize, source: String },
    /// Data a followed pair replicates: on this node it is the standby's copy half of the time.
    Followed { pair: usize },
}

impl Held {
    /// Which of two holdings of one dataset decides how it may be served: a followed pair's
    /// data is never a node's own, and a copy that is sent on (a cascade) is still a copy.
    fn weight(&self) -> u8 {
        match self {
            Held::Own => 0,
            Held::Sent { .. } => 1,
            Held::Copy { .. } => 2,
            Held::Followed { .. } => 3,
        }
    }
}

/// One tree a pair writes or sends on one node.
#[derive(Debug)]
struct Holding {
    dataset: String,
    recursive: bool,
    /// Subtrees the pair leaves out, named as `dataset` is.
    excluded: Vec<String>,
    /// How the tree's top dataset is named on the pair's source, for a copy.
    source: String,
    held: Held,
}

impl Holding {
    fn holds(&self, dataset: &str) -> bool {
        covers(&self.dataset, self.recursive, dataset) && !self.excluded.iter().any(|ex| covers(ex, true, dataset))
    }

    /// How this holding holds `dataset`, which it holds: a copy names its source below its own.
    fn of(&self, dataset: &str) -> Held {
        match &self.held {
            Held::Copy { pair, .. } => {
                Held::Copy { pair: *pair, source: format!("{}{}", self.source, &dataset[self.dataset.len()..]) }
            }
            held => held.clone(),
        }
    }
}

/// Every node's holdings by the policy's pairs, and the datasets each node's statements name.
pub struct Holdings {
    by_node: HashMap<usize, Vec<Holding>>,
    /// The nodes with live data (sent or followed) under each replicated tree's top dataset,
    /// so that finding another node's data costs the depth of a name, not the fleet's size.
    live: HashMap<String, Vec<usize>>,
}

impl Holdings {
    /// The holdings of every node, from the policy's pairs.
    pub fn of(policy: &Policy) -> Self {
        let mut by_node: HashMap<usize, Vec<Holding>> = HashMap::new();
        for (index, pair) in policy.pairs.iter().enumerate() {
            for replicated in &pair.datasets {
                let dataset = replicated.dataset.value.clone();
                let excluded: Vec<String> = replicated.exclude.iter().map(|ex| ex.value.clone()).collect();
                let live = |held: Held| Holding {
                    dataset: dataset.clone(),
                    recursive: replicated.recursive,
                    excluded: excluded.clone(),
                    source: dataset.clone(),
                    held,
                };
                match pair.roles {
                    Roles::FollowsGuest { .. } => {
                        for node in pair.nodes {
                            by_node.entry(node).or_default().push(live(Held::Followed { pair: index }));
                        }
                    }
                    Roles::Static => {
                        by_node.entry(pair.nodes[0]).or_default().push(live(Held::Sent { pair: index }));
                        let copy = Holding {
                            dataset: copy_of(policy, pair, replicated),
                            recursive: replicated.recursive,
                            excluded: excluded.iter().map(|ex| landing(policy, pair, ex)).collect(),
                            source: dataset.clone(),
                            held: Held::Copy { pair: index, source: dataset.clone() },
                        };
                        by_node.entry(pair.nodes[1]).or_default().push(copy);
                    }
                }
            }
        }
        let mut live: HashMap<String, Vec<usize>> = HashMap::new();
        for (node, holdings) in &by_node {
            for holding in holdings.iter().filter(|h| !matches!(h.held, Held::Copy { .. })) {
                live.entry(holding.dataset.clone()).or_default().push(*node);
            }
        }
        Holdings { by_node, live }
    }

    /// How `node` holds `dataset`: the weightiest of the pairs' holdings, or its own.
    pub fn held(&self, node: usize, dataset: &str) -> Held {
        self.by_node
            .get(&node)
            .into_iter()
            .flatten()
            .filter(|holding| holding.holds(dataset))
            .map(|holding| holding.of(dataset))
            .max_by_key(Held::weight)
            .unwrap_or(Held::Own)
    }

    /// The live data (sent or followed) of another node than `node` that covers `dataset`.
    pub fn live_elsewhere(&self, node: usize, dataset: &str) -> Option<usize> {
        let ancestors = dataset.match_indices('/').map(|(at, _)| &dataset[..at]);
        let candidates = std::iter::once(dataset).chain(ancestors).filter_map(|top| self.live.get(top));
        let holds_live = |other: usize| {
            let holdings = self.by_node.get(&other).into_iter().flatten();
            holdings.filter(|h| !matches!(h.held, Held::Copy { .. })).any(|h| h.holds(dataset))
        };
        candidates.flatten().copied().filter(|other| *other != node && holds_live(*other)).min()
    }

    /// A copy or a followed pair's data that `node` holds strictly below `dataset`, which an
    /// export of `dataset` with `crossmnt` would serve with its own options: the first by name.
    pub fn moving_below(&self, node: usize, dataset: &str) -> Option<(String, Held)> {
        let below = format!("{dataset}/");
        let holdings = self.by_node.get(&node).into_iter().flatten();
        holdings
            .filter(|h| h.dataset.starts_with(&below) && !matches!(h.held, Held::Sent { .. }))
            .map(|h| (h.dataset.clone(), h.of(&h.dataset)))
            .min_by(|a, b| a.0.cmp(&b.0))
    }

    /// The copies `node` receives of `dataset` from another node, by their landing names.
    pub fn copies_of(&self, node: usize, dataset: &str) -> Vec<String> {
        let holdings = self.by_node.get(&node).into_iter().flatten();
        holdings
            .filter(|h| matches!(h.held, Held::Copy { .. }) && covers(&h.source, h.recursive, dataset))
            .map(|h| format!("{}{}", h.dataset, &dataset[h.source.len()..]))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holding(dataset: &str, source: &str, held: Held) -> Holding {
        Holding {
            dataset: dataset.to_owned(),
            recursive: true,
            excluded: vec![format!("{dataset}/tmp")],
            source: source.to_owned(),
            held,
        }
    }

    #[test]
    fn a_node_holds_a_copy_under_its_landing_name_and_a_followed_tree_before_all() {
        let holdings = Holdings {
            live: HashMap::from([("tank/home".to_owned(), vec![0]), ("pool/vm".to_owned(), vec![0])]),
            by_node: HashMap::from([(
                0,
                vec![
                    holding("tank/home", "tank/home", Held::Sent { pair: 0 }),
                    holding("backup/nas/tank", "tank", Held::Copy { pair: 1, source: "tank".to_owned() }),
                    holding("pool/vm", "pool/vm", Held::Followed { pair: 2 }),
                ],
            )]),
        };
        assert_eq!(holdings.held(0, "tank/home/a"), Held::Sent { pair: 0 });
        assert_eq!(holdings.held(0, "tank/home/tmp"), Held::Own);
        assert_eq!(
            holdings.held(0, "backup/nas/tank/photos"),
            Held::Copy { pair: 1, source: "tank/photos".to_owned() }
        );
        assert_eq!(holdings.held(0, "pool/vm/disk0"), Held::Followed { pair: 2 });
        assert_eq!(holdings.held(0, "pool/vmx"), Held::Own);
        assert_eq!(holdings.held(1, "tank/home"), Held::Own);
        assert_eq!(holdings.live_elsewhere(1, "tank/home"), Some(0));
        assert_eq!(holdings.live_elsewhere(1, "backup/nas/tank"), None);
        assert_eq!(holdings.copies_of(0, "tank/photos"), ["backup/nas/tank/photos"]);
        let below = holdings.moving_below(0, "backup");
        assert_eq!(below, Some(("backup/nas/tank".to_owned(), Held::Copy { pair: 1, source: "tank".to_owned() })));
        assert_eq!(holdings.moving_below(0, "pool").map(|(_, held)| held), Some(Held::Followed { pair: 2 }));
        assert_eq!(holdings.moving_below(0, "tank"), None);
    }
}
