//! Where each replicated dataset lands on its target: the copy's name, worked out in one
//! place for the checks, the plan, the runbooks and the pruning configs alike.

use crate::model::{covers, Engine, Mode, Pair, Policy, Replicated};

/// Where a dataset of a pair lands on the target. A `replicate … as COPY` names it; else a
/// zrepl sink receives into `root_fs/<client identity>/<source path>`, a zrepl pull into
/// `root_fs/<source path>`, syncoid into `under/<source path>` (`under/<path without the
/// pool>` with `without-pool`), or under the same name when the pair has no `under`. A
/// child of a recursively replicated dataset lands below its parent's copy.
pub fn landing(policy: &Policy, pair: &Pair, dataset: &str) -> String {
    let covering = pair.datasets.iter().find(|r| covers(&r.dataset.value, r.recursive, dataset));
    match covering {
        Some(replicated) => {
            let below = &dataset[replicated.dataset.value.len()..];
            format!("{}{below}", copy_of(policy, pair, replicated))
        }
        None => default_landing(policy, pair, dataset),
    }
}

/// The copy of one replicated dataset itself.
pub fn copy_of(policy: &Policy, pair: &Pair, replicated: &Replicated) -> String {
    match &replicated.copy {
        Some(copy) => copy.value.clone(),
        None => default_landing(policy, pair, &replicated.dataset.value),
    }
}

/// Where a dataset lands when its copy is not named.
fn default_landing(policy: &Policy, pair: &Pair, dataset: &str) -> String {
    let Some(root) = &pair.target_root else {
        return dataset.to_owned();
    };
    match (pair.engine.value, pair.mode()) {
        (Engine::Zrepl, Mode::Push) => {
            format!("{}/{}/{dataset}", root.value, crate::zrepl::client_identity(policy, pair))
        }
        _ if pair.without_pool.is_some() => match dataset.split_once('/') {
            Some((_, path)) => format!("{}/{path}", root.value),
            None => root.value.clone(),
        },
        _ => format!("{}/{dataset}", root.value),
    }
}
