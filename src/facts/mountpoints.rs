//! Where datasets are mounted on each node, derived once from the policy.

use std::collections::HashMap;

use crate::facts::landing;
use crate::model::Policy;

/// Where each dataset is mounted on each node: what `replicate DATASET mount PATH` declares
/// on every node that holds the dataset (a static target holds the copy, where it lands),
/// what a node's own `mountpoint DATASET PATH` declares there, and ZFS's defaults elsewhere. Checks hold exports to it; the plan makes the NFS server
/// export a path only while that mountpoint is mounted.
pub struct Mountpoints<'p>(HashMap<(&'p str, String), &'p str>);

impl<'p> Mountpoints<'p> {
    /// The mountpoints the policy declares, by node name and the dataset's name on that node.
    pub fn of(policy: &'p Policy) -> Self {
        let mut declared = HashMap::new();
        for pair in &policy.pairs {
            for replicated in &pair.datasets {
                let Some(mount) = &replicated.mount else { continue };
                let dataset = &replicated.dataset.value;
                for node in pair.active_nodes() {
                    declared.insert((policy.nodes[*node].name.value.as_str(), dataset.clone()), mount.value.as_str());
                }
                if pair.is_static() {
                    let target = policy.nodes[pair.nodes[1]].name.value.as_str();
                    declared.insert((target, landing(policy, pair, dataset)), mount.value.as_str());
                }
            }
        }
        for node in &policy.nodes {
            for mountpoint in &node.mountpoints {
                let key = (node.name.value.as_str(), mountpoint.dataset.value.clone());
                declared.entry(key).or_insert(mountpoint.path.value.as_str());
            }
        }
        Mountpoints(declared)
    }

    /// Whether the policy says where `dataset` (or an ancestor) is mounted on `node`.
    pub fn declared(&self, node: &str, dataset: &str) -> bool {
        let ancestors = dataset.match_indices('/').map(|(at, _)| &dataset[..at]);
        std::iter::once(dataset).chain(ancestors).any(|candidate| self.0.contains_key(&(node, candidate.to_owned())))
    }

    /// Where `dataset` is mounted on `node`: below its nearest declared ancestor (or
    /// itself), else at its default mountpoint.
    pub fn mountpoint(&self, node: &str, dataset: &str) -> String {
        let ancestors = dataset.match_indices('/').map(|(at, _)| &dataset[..at]).rev();
        std::iter::once(dataset)
            .chain(ancestors)
            .find_map(|candidate| {
                let mount = self.0.get(&(node, candidate.to_owned()))?;
                Some(below(mount, &dataset[candidate.len()..]))
            })
            .unwrap_or_else(|| format!("/{dataset}"))
    }
}

/// `suffix` (empty, or starting with `/`) appended to a mountpoint.
fn below(mount: &str, suffix: &str) -> String {
    let joined = format!("{}{suffix}", mount.trim_end_matches('/'));
    if joined.is_empty() {
        "/".to_owned()
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dataset_mounts_below_its_nearest_declared_ancestor_or_at_its_name() {
        let declared = Mountpoints(HashMap::from([
            (("a", "tank/a".to_owned()), "/srv/a"),
            (("a", "tank/a/b/c".to_owned()), "/data/c"),
            (("b", "pool".to_owned()), "/"),
        ]));
        assert_eq!(declared.mountpoint("a", "tank/a"), "/srv/a");
        assert_eq!(declared.mountpoint("a", "tank/a/b"), "/srv/a/b");
        assert_eq!(declared.mountpoint("a", "tank/a/b/c/d"), "/data/c/d");
        assert_eq!(declared.mountpoint("a", "tank/ab"), "/tank/ab");
        assert_eq!(declared.mountpoint("b", "tank/a"), "/tank/a");
        assert_eq!(declared.mountpoint("b", "pool"), "/");
        assert_eq!(declared.mountpoint("b", "pool/x"), "/x");
    }
}
