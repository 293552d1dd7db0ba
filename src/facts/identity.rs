//! Who replicates, and as whom: the account zfs runs as on each side of a syncoid
//! replication, how the node that runs syncoid reaches its peer over ssh, and the `zfs
//! allow` delegations a non-root account needs, per node, dataset and side.
//!
//! syncoid 2.1.0 runs every zfs command of a side as the account it is on: the local one
//! for the side it runs on, the ssh login for the other. Without root it prefixes them
//! with `sudo`, unless `--no-privilege-elevation` is given (`getssh()`); zplan passes it
//! whenever one side is not root, and delegates the rights instead, so that no sudo rule
//! is needed. The commands it runs, as zplan invokes it (`--no-sync-snap
//! --create-bookmark`, `--no-rollback` for a static pair):
//! - on the source: `zfs list`, `zfs get` (no right needed), `zfs send` (`send`) and `zfs
//!   bookmark` (`bookmark`);
//! - on the target: `zfs receive` (`receive`, and OpenZFS also checks `create` and `mount`,
//!   `zfs_secpolicy_recv`), `-o readonly=on` (the `readonly` property right) for a static
//!   pair's copy, and `zfs rollback -R` and `receive -F` for a followed pair (`rollback`).
//!
//! A receive that creates a dataset is checked against its parent (libzfs_core tries the
//! parent when the dataset does not exist), so the target's rights are granted where the
//! copies are created: a static target's `under` dataset, or the parent of a followed
//! pair's dataset (the pool itself for a pool's root dataset). Rights given with `zfs
//! allow -u` hold for the dataset and its descendants.

use std::collections::BTreeMap;

use crate::model::{Engine, Node, Pair, Policy, Replicated, Roles, Ssh, ROOT_USER};

/// How the node that runs syncoid reaches its peer: the first of the pair's `ssh`, the
/// peer's `ssh`, the pair's `user` and the peer's `user` that says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshRoute<'p> {
    pub user: &'p str,
    pub port: Option<u16>,
    pub key: Option<&'p str>,
    /// `NAME VALUE` options: the peer's, then the pair's, a pair's option replacing the
    /// peer's of the same name.
    pub options: Vec<(&'p str, &'p str)>,
}

/// The route from the node running a replication of `pair` to `peer`.
pub fn route<'p>(pair: &'p Pair, peer: &'p Node) -> SshRoute<'p> {
    let user = [&pair.ssh.user, &peer.ssh.user, &pair.user, &peer.user]
        .into_iter()
        .find_map(|user| user.as_ref())
        .map_or(ROOT_USER, |user| user.value.as_str());
    let pick = |field: fn(&Ssh) -> Option<u16>| field(&pair.ssh).or_else(|| field(&peer.ssh));
    let mut options: Vec<(&str, &str)> = Vec::new();
    for option in peer.ssh.options.iter().chain(&pair.ssh.options) {
        options.retain(|(name, _)| !name.eq_ignore_ascii_case(&option.name.value));
        options.push((&option.name.value, &option.value.value));
    }
    SshRoute {
        user,
        port: pick(|ssh| ssh.port.as_ref().map(|port| port.value)),
        key: pair.ssh.key.as_ref().or(peer.ssh.key.as_ref()).map(|key| key.value.as_str()),
        options,
    }
}

/// The account syncoid runs as on the node that runs it: the pair's `user`, else the
/// node's, else root.
pub fn local_account<'p>(pair: &'p Pair, node: &'p Node) -> &'p str {
    pair.user.as_ref().or(node.user.as_ref()).map_or(ROOT_USER, |user| user.value.as_str())
}

/// Whether a replication of `pair` from `runner` to `peer` runs zfs as another account than
/// root on either side: then syncoid must not elevate, and the sides need delegations.
pub fn unprivileged(pair: &Pair, runner: &Node, peer: &Node) -> bool {
    local_account(pair, runner) != ROOT_USER || route(pair, peer).user != ROOT_USER
}

/// Which side of a replication a delegation serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Side {
    Source,
    Target,
}

/// The rights one account needs on one dataset of one node, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delegation {
    pub user: String,
    pub dataset: String,
    /// `zfs allow` permission names, sorted.
    pub permissions: Vec<&'static str>,
    pub side: Side,
    /// The replicated dataset (source name) the rights are for.
    pub replicated: String,
}

/// The rights a sending account needs: `zfs send`, and `zfs bookmark` for
/// `--create-bookmark`.
const SOURCE_RIGHTS: [&str; 2] = ["bookmark", "send"];

/// The rights a receiving account needs for any receive (OpenZFS checks all three).
const RECEIVE_RIGHTS: [&str; 3] = ["create", "mount", "receive"];

/// The delegations a syncoid pair needs, by node index: for each replication a node runs
/// or receives, the account zfs runs as there, where, and which rights. Nothing for root,
/// nor for a zrepl pair (its daemon runs as root).
pub fn delegations<'p>(policy: &'p Policy, pair: &'p Pair) -> BTreeMap<usize, Vec<Delegation>> {
    let mut by_node: BTreeMap<usize, Vec<Delegation>> = BTreeMap::new();
    if pair.engine.value != Engine::Syncoid {
        return by_node;
    }
    for (source, target) in directions(pair) {
        for delegation in pair_delegations(policy, pair, source, target) {
            let node = if delegation.side == Side::Source { source } else { target };
            by_node.entry(node).or_default().push(delegation);
        }
    }
    by_node
}

/// The (source, target) node indices a pair replicates in: both ways for a followed pair.
fn directions(pair: &Pair) -> Vec<(usize, usize)> {
    let [first, second] = pair.nodes;
    match pair.roles {
        Roles::FollowsGuest { .. } => vec![(first, second), (second, first)],
        Roles::Static => vec![(first, second)],
    }
}

fn pair_delegations(policy: &Policy, pair: &Pair, source: usize, target: usize) -> Vec<Delegation> {
    let (source_node, target_node) = (&policy.nodes[source], &policy.nodes[target]);
    let (source_user, target_user) = match pair.target_drives() {
        true => (route(pair, source_node).user, local_account(pair, target_node)),
        false => (local_account(pair, source_node), route(pair, target_node).user),
    };
    let mut delegations = Vec::new();
    for replicated in &pair.datasets {
        let dataset = &replicated.dataset.value;
        if source_user != ROOT_USER {
            delegations.push(Delegation {
                user: source_user.to_owned(),
                dataset: dataset.clone(),
                permissions: SOURCE_RIGHTS.to_vec(),
                side: Side::Source,
                replicated: dataset.clone(),
            });
        }
        if target_user != ROOT_USER {
            delegations.push(Delegation {
                user: target_user.to_owned(),
                dataset: receiving_root(policy, pair, replicated),
                permissions: target_rights(pair),
                side: Side::Target,
                replicated: dataset.clone(),
            });
        }
    }
    delegations
}

/// Where the copy of a replicated dataset is created: the `under` dataset when the copy
/// lands below it, else the parent of the copy (the pool for a pool's root dataset).
pub fn receiving_root(policy: &Policy, pair: &Pair, replicated: &Replicated) -> String {
    match (&pair.target_root, &replicated.copy) {
        (Some(root), None) => root.value.clone(),
        _ => {
            let copy = super::copy_of(policy, pair, replicated);
            copy.rsplit_once('/').map_or(copy.as_str(), |(parent, _)| parent).to_owned()
        }
    }
}

/// The receiving rights of a pair: a static copy is received read-only and never rolled
/// back; a followed pair's standby is rolled back to the common snapshot.
fn target_rights(pair: &Pair) -> Vec<&'static str> {
    let mut rights = RECEIVE_RIGHTS.to_vec();
    rights.push(if pair.is_static() { "readonly" } else { "rollback" });
    rights.sort_unstable();
    rights
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compile(text: &str) -> Policy {
        let file = crate::syntax::parse(text).expect("parses");
        let (policy, problems) = crate::model::build(&file);
        assert!(problems.is_empty(), "{problems:?}");
        policy
    }

    const STATIC: &str = "retention r {\n  hourly 48\n  daily 7\n}\n\nnode nas {\n  address nas.lan\n  user zfsbackup\n}\n\n\
        node backup {\n  address backup.lan\n  ssh user zfsbackup port 2222 key /home/zfsbackup/.ssh/id_ed25519\n}\n\n\
        pair offsite {\n  source nas\n  target backup under tank/nas\n  engine syncoid\n  rpo 1h\n  outage 1d\n  retention r\n\
        replicate data/home recursive\n}\n";

    #[test]
    fn the_peer_is_reached_as_its_ssh_user_on_its_port_with_its_key() {
        let policy = compile(STATIC);
        let route = route(&policy.pairs[0], &policy.nodes[1]);
        assert_eq!(route.user, "zfsbackup");
        assert_eq!(route.port, Some(2222));
        assert_eq!(route.key, Some("/home/zfsbackup/.ssh/id_ed25519"));
        assert_eq!(local_account(&policy.pairs[0], &policy.nodes[0]), "zfsbackup");
    }

    #[test]
    fn each_side_gets_the_rights_of_what_syncoid_runs_there() {
        let policy = compile(STATIC);
        let all = delegations(&policy, &policy.pairs[0]);
        let source: Vec<_> = all[&0].iter().map(|d| (d.dataset.as_str(), d.permissions.join(","))).collect();
        assert_eq!(source, [("data/home", "bookmark,send".to_owned())]);
        let target: Vec<_> = all[&1].iter().map(|d| (d.dataset.as_str(), d.permissions.join(","))).collect();
        assert_eq!(target, [("tank/nas", "create,mount,readonly,receive".to_owned())]);
    }

    #[test]
    fn root_needs_no_delegation() {
        let policy = compile(&STATIC.replace("  user zfsbackup\n", "").replace("ssh user zfsbackup ", "ssh "));
        assert!(delegations(&policy, &policy.pairs[0]).is_empty());
        assert!(!unprivileged(&policy.pairs[0], &policy.nodes[0], &policy.nodes[1]));
    }

    #[test]
    fn a_followed_standby_may_be_rolled_back_under_the_datasets_parent() {
        let followed = STATIC.replace(
            "source nas\n  target backup under tank/nas",
            "nodes nas backup\n  active follows proxmox-guest 100",
        );
        let policy = compile(&followed);
        let all = delegations(&policy, &policy.pairs[0]);
        let on_nas: Vec<_> = all[&0].iter().map(|d| (d.side, d.dataset.as_str(), d.permissions.join(","))).collect();
        assert_eq!(
            on_nas,
            [
                (Side::Source, "data/home", "bookmark,send".to_owned()),
                (Side::Target, "data", "create,mount,receive,rollback".to_owned())
            ]
        );
    }
}
