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
            format!("{}/{}/{dataset}", root.value, crate::facts::zrepl::client_identity(policy, pair))
        }
        _ if pair.without_pool.is_some() => match dataset.split_once('/') {
            Some((_, path)) => format!("{}/{path}", root.value),
            None => root.value.clone(),
        },
        _ => format!("{}/{dataset}", root.value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &str = "retention r {\n  hourly 24\n}\nnode a {\n  address 10.0.0.1\n}\nnode b {\n  address 10.0.0.2\n}\npair named {\n  source a\n  target b under backup/a\n  engine syncoid\n  rpo 1h\n  retention r\n  replicate tank/home recursive as backup/home\n  replicate tank/media recursive\n  replicate fast children as backup/vms\n}\npair flat {\n  source a\n  target b under backup/flat without-pool\n  engine syncoid\n  rpo 1h\n  retention r\n  replicate tank/photos recursive\n}\npair pool {\n  source a\n  target b under backup/pool2 without-pool\n  engine syncoid\n  rpo 1h\n  retention r\n  replicate pool2 children\n}\n";

    fn policy() -> Policy {
        let compilation = crate::compile(POLICY, "p.zplan");
        assert!(compilation.problems.is_empty(), "{:?}", compilation.problems);
        compilation.policy.unwrap()
    }

    #[test]
    fn a_named_copy_takes_its_children_along() {
        let policy = policy();
        let pair = &policy.pairs[0];
        assert_eq!(landing(&policy, pair, "tank/home"), "backup/home");
        assert_eq!(landing(&policy, pair, "tank/home/alice"), "backup/home/alice");
        assert_eq!(landing(&policy, pair, "tank/media"), "backup/a/tank/media");
        assert_eq!(landing(&policy, pair, "fast/vm-101"), "backup/vms/vm-101");
        assert_eq!(landing(&policy, pair, "tank/homework"), "backup/a/tank/homework");
    }

    #[test]
    fn without_pool_drops_the_first_component_only() {
        let policy = policy();
        let pair = &policy.pairs[1];
        assert_eq!(landing(&policy, pair, "tank/photos"), "backup/flat/photos");
        assert_eq!(landing(&policy, pair, "tank/photos/2024"), "backup/flat/photos/2024");
        let pool = &policy.pairs[2];
        assert_eq!(landing(&policy, pool, "pool2"), "backup/pool2");
        assert_eq!(landing(&policy, pool, "pool2/vm"), "backup/pool2/vm");
    }
}
