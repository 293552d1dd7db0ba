//! Rules on NFS exports: they serve replicated data, and fsids are unique per server.

use std::collections::{BTreeMap, HashMap};

use crate::diagnostic::Problem;
use crate::facts::landing;
use crate::facts::naming::export_fsid;
use crate::facts::schedule::{failover_budget, grace_wait};
use crate::model::{
    allows, closest_dataset, ClientSpec, Duration, Export, ExportClient, NfsServer, OptionSetting, Policy, Roles,
    Spanned, NFSD_TIME_RANGE,
};
use crate::syntax::Span;

/// The datasets each pair replicates (name → recursive), and the subtrees it excludes,
/// built once for the rules that ask whether an export's dataset is one of them.
pub(super) struct ReplicatedByPair<'p>(Vec<BTreeMap<&'p str, bool>>, Vec<Vec<&'p str>>);

impl<'p> ReplicatedByPair<'p> {
    pub(super) fn of(policy: &'p Policy) -> Self {
        let by_pair = policy
            .pairs
            .iter()
            .map(|pair| pair.datasets.iter().map(|r| (r.dataset.value.as_str(), r.recursive)).collect());
        let excluded = policy
            .pairs
            .iter()
            .map(|pair| pair.datasets.iter().flat_map(|r| r.exclude.iter().map(|e| e.value.as_str())).collect());
        ReplicatedByPair(by_pair.collect(), excluded.collect())
    }

    /// Whether pair `pair` replicates `dataset` as an export may name it: itself, under a
    /// recursive ancestor, or as the parent of a replicated child (a `crossmnt` root); never
    /// in a subtree the pair excludes.
    pub(super) fn holds(&self, pair: usize, dataset: &str) -> bool {
        if self.1[pair].iter().any(|excluded| crate::model::covers(excluded, true, dataset)) {
            return false;
        }
        let replicated = &self.0[pair];
        let ancestors = dataset.match_indices('/').map(|(at, _)| &dataset[..at]);
        let under_recursive = ancestors.into_iter().any(|ancestor| replicated.get(ancestor) == Some(&true));
        let children = format!("{dataset}/");
        let has_child =
            replicated.range(children.as_str()..).next().is_some_and(|(name, _)| name.starts_with(&children));
        replicated.contains_key(dataset) || under_recursive || has_child
    }

    fn names(&self, pair: usize) -> impl Iterator<Item = &'p str> + '_ {
        self.0[pair].keys().copied()
    }
}

/// The NFS servers whose nfsd runs on their pair's nodes: all but those inside a guest.
pub(super) fn on_nodes(policy: &Policy) -> impl Iterator<Item = &NfsServer> {
    policy.nfs_servers.iter().filter(|server| server.guest_host().is_none())
}

/// An export of a pair's server serves a dataset the pair replicates, or a parent of one (a
/// `crossmnt` root); a node's server serves what that node holds.
pub fn exports_are_replicated(policy: &Policy) -> Vec<Problem> {
    let replicated = ReplicatedByPair::of(policy);
    let mut problems = Vec::new();
    for server in &policy.nfs_servers {
        let Some(on_pair) = server.pair() else { continue };
        let pair = &policy.pairs[on_pair];
        for export in &server.exports {
            let dataset = &export.dataset.value;
            if !replicated.holds(on_pair, dataset) {
                let help = match closest_dataset(dataset, replicated.names(on_pair)) {
                    Some(meant) => format!("did you mean `{meant}`, which pair `{}` replicates?", pair.name.value),
                    None => "replicate the dataset in the pair, or export one it replicates; after a failover clients would see other data".to_owned(),
                };
                problems.push(Problem::ExportNotReplicated {
                    span: export.dataset.span.into(),
                    path: export.path.value.clone(),
                    dataset: dataset.clone(),
                    pair: pair.name.value.clone(),
                    help,
                });
            }
        }
    }
    problems
}

/// Two exports of one server never share an fsid, explicit or derived.
pub fn fsids_unique(policy: &Policy) -> Vec<Problem> {
    policy.nfs_servers.iter().flat_map(fsid_clashes).collect()
}

fn fsid_clashes(server: &NfsServer) -> Vec<Problem> {
    let mut seen: HashMap<u32, &Export> = HashMap::new();
    let mut problems = Vec::new();
    for export in &server.exports {
        let fsid = export_fsid(export);
        match seen.get(&fsid) {
            Some(first) => problems.push(Problem::FsidClash {
                second: export.fsid.as_ref().map_or(export.path.span, |f| f.span).into(),
                first: first.fsid.as_ref().map_or(first.path.span, |f| f.span).into(),
                first_path: first.path.value.clone(),
                second_path: export.path.value.clone(),
                fsid,
            }),
            None => {
                seen.insert(fsid, export);
            }
        }
    }
    problems
}

/// On each node, a path is exported for one dataset: servers whose pairs share a node never
/// export one path there to different data (a static pair's target serves its copy).
pub fn export_paths_serve_one_dataset(policy: &Policy) -> Vec<Problem> {
    let mut served: HashMap<(usize, &str), ServedAt<'_>> = HashMap::new();
    let mut problems = Vec::new();
    for server in on_nodes(policy) {
        for export in &server.exports {
            problems.extend(serve_export(policy, server, export, &mut served));
        }
    }
    problems
}

/// What a node serves at a path, and which server and export serve it.
struct ServedAt<'p> {
    dataset: String,
    server: &'p NfsServer,
    export: &'p Export,
}

impl ServedAt<'_> {
    /// Two servers serve one path of a node: a clash when the datasets differ, and when a
    /// node's server is one of them, a path exported twice.
    fn clashes_with(&self, other: &ServedAt<'_>) -> bool {
        let on_node = |at: &ServedAt<'_>| at.server.pair().is_none();
        !std::ptr::eq(self.server, other.server) && (self.dataset != other.dataset || on_node(self) || on_node(other))
    }
}

/// Records what each node of a server's pair serves for one export; the first node where
/// another server already serves other data at that path is a clash.
fn serve_export<'p>(
    policy: &'p Policy,
    server: &'p NfsServer,
    export: &'p Export,
    served: &mut HashMap<(usize, &'p str), ServedAt<'p>>,
) -> Option<Problem> {
    let mut clash = None;
    for (slot, node) in policy.serving_nodes(server).into_iter().enumerate() {
        let here = ServedAt { dataset: served_dataset(policy, server, slot, export), server, export };
        match served.get(&(node, export.path.value.as_str())) {
            Some(first) if clash.is_none() && first.clashes_with(&here) => {
                clash = Some(path_clash(policy, node, first, &here));
            }
            Some(_) => {}
            None => {
                served.insert((node, export.path.value.as_str()), here);
            }
        }
    }
    clash
}

/// The dataset a node of a server's pair serves for an export: the dataset itself, or on a
/// static pair's target, its copy.
fn served_dataset(policy: &Policy, server: &NfsServer, slot: usize, export: &Export) -> String {
    let pair = server.pair().map(|pair| &policy.pairs[pair]);
    match (pair, slot) {
        (Some(pair), 1) if pair.is_static() => landing(policy, pair, &export.dataset.value),
        _ => export.dataset.value.clone(),
    }
}

fn path_clash(policy: &Policy, node: usize, first: &ServedAt<'_>, second: &ServedAt<'_>) -> Problem {
    if first.dataset == second.dataset {
        return Problem::ExportPathTwice {
            second: second.export.path.span.into(),
            first: first.export.path.span.into(),
            path: second.export.path.value.clone(),
            node: policy.nodes[node].name.value.clone(),
            first_server: first.server.name.value.clone(),
            second_server: second.server.name.value.clone(),
        };
    }
    Problem::ExportPathClash {
        second: second.export.path.span.into(),
        first: first.export.path.span.into(),
        path: second.export.path.value.clone(),
        node: policy.nodes[node].name.value.clone(),
        first_dataset: first.dataset.clone(),
        second_dataset: second.dataset.clone(),
        first_server: first.server.name.value.clone(),
        second_server: second.server.name.value.clone(),
    }
}

/// An export names each client once: exportfs refuses a client given twice for one path
/// ("duplicated export entries"), and would keep only one of its option lists. Host names
/// and patterns compare without case, as DNS does; netgroup names with it, as NIS does.
pub fn clients_named_once(policy: &Policy) -> Vec<Problem> {
    let mut problems = Vec::new();
    for export in policy.nfs_servers.iter().flat_map(|server| &server.exports) {
        let mut first_of: HashMap<String, &ExportClient> = HashMap::new();
        for client in &export.clients {
            let key = match &client.who.value {
                ClientSpec::Netgroup(name) => format!("@{name}"),
                who => who.to_string().to_ascii_lowercase(),
            };
            match first_of.get(&key) {
                Some(first) => problems.push(Problem::RepeatedClient {
                    second: client.who.span.into(),
                    first: first.who.span.into(),
                    who: client.who.value.to_string(),
                    path: export.path.value.clone(),
                }),
                None => {
                    first_of.insert(key, client);
                }
            }
        }
    }
    problems
}

/// Root access for many hosts, unprivileged ports, squashing to root and an export to
/// every client are warnings unless the server allows them; root access for every client
/// is refused.
pub fn exports_are_guarded(policy: &Policy) -> Vec<Problem> {
    let mut problems = Vec::new();
    for server in &policy.nfs_servers {
        for export in &server.exports {
            for client in &export.clients {
                if let Some(refusal) = world_root(export, client) {
                    problems.push(refusal);
                    continue;
                }
                problems.extend(guard_problems(export, client).into_iter().filter(|p| !allowed(server, p)));
            }
        }
    }
    problems
}

fn allowed(server: &NfsServer, problem: &Problem) -> bool {
    use miette::Diagnostic;
    problem.code().is_some_and(|code| allows(&server.allowed, &code.to_string()))
}

/// The option that lets root on a client act as root on the export: `no_root_squash`
/// (unless `all_squash` squashes root anyway), or `anonuid 0`, which maps a squashed root
/// back to root.
fn root_grant(client: &ExportClient) -> Option<&Spanned<OptionSetting>> {
    let named = |name: &str| client.options.iter().find(|option| option.value.name == name);
    let anonuid_root =
        client.options.iter().find(|o| o.value.name == "anonuid" && o.value.value.as_deref() == Some("0"));
    named("no_root_squash").filter(|_| named("all_squash").is_none()).or(anonuid_root)
}

/// A client that matches everyone and acts as root: refused, whatever the server allows.
fn world_root(export: &Export, client: &ExportClient) -> Option<Problem> {
    let who = &client.who.value;
    let grant = root_grant(client).filter(|_| who.is_world())?;
    let help = match grant.value.name {
        "anonuid" => "`anonuid 0` maps every squashed request to root; give an unprivileged id such as `anonuid 65534`, and give root access to the addresses or networks that need it on `client` lines of their own".to_owned(),
        _ => format!(
            "give `no_root_squash` to the addresses or networks that need it, on `client` lines of their own, and keep `{who}` squashed"
        ),
    };
    Some(Problem::WorldRootExport {
        who_span: client.who.span.into(),
        option_span: grant.span.into(),
        path: export.path.value.clone(),
        who: who.to_string(),
        grant: format!("`{}`", grant.value.to_string().replace('=', " ")),
        help,
    })
}

fn guard_problems(export: &Export, client: &ExportClient) -> Vec<Problem> {
    let who = &client.who.value;
    let mut problems = Vec::new();
    if who.is_world() {
        problems.push(Problem::WorldExport { span: client.who.span.into(), path: export.path.value.clone() });
    }
    let all_squash = client.options.iter().any(|option| option.value.name == "all_squash");
    for option in &client.options {
        match (option.value.name, option.value.value.as_deref()) {
            ("no_root_squash", _) if who.is_group() && !all_squash => problems.push(no_root_squash_group(who, option)),
            ("insecure", _) => problems.push(Problem::InsecurePorts { span: option.span.into() }),
            ("anonuid", Some("0")) => problems.push(Problem::AnonymousRoot {
                span: option.span.into(),
                option: "anonuid".to_owned(),
                whose: "uid",
                id: "uid",
            }),
            ("anongid", Some("0")) => problems.push(Problem::AnonymousRoot {
                span: option.span.into(),
                option: "anongid".to_owned(),
                whose: "group",
                id: "gid",
            }),
            ("nohide", _) if who.is_group() => {
                problems.push(Problem::NohideOnGroup { span: option.span.into(), who: describe_group(who).1 })
            }
            _ => {}
        }
    }
    problems
}

/// W0603 for a network, a host name pattern or a netgroup.
fn no_root_squash_group(who: &ClientSpec, option: &Spanned<OptionSetting>) -> Problem {
    let (group, _) = describe_group(who);
    let hosts = match who {
        ClientSpec::Wildcard(_) => "every host whose name matches",
        ClientSpec::Netgroup(_) => "every host of the netgroup, as NIS lists it now or later,",
        _ => "every host of the network",
    };
    Problem::NoRootSquashNetwork {
        span: option.span.into(),
        group,
        who: who.to_string(),
        help: format!(
            "{hosts} acts as root on the export; give `no_root_squash` to single addresses, or write `allow W0603` in the nfs block to accept it"
        ),
    }
}

/// What a user calls a client that matches many hosts, alone and with its spelling.
fn describe_group(who: &ClientSpec) -> (&'static str, String) {
    let group = match who {
        ClientSpec::Wildcard(_) => "a host name pattern",
        ClientSpec::Netgroup(_) => "a netgroup",
        ClientSpec::Everyone => "every client",
        _ => "a whole network",
    };
    (group, format!("{group}, {who}"))
}

/// A followed server's declared failover covers zplan's own part of moving it and the
/// grace period clients wait out afterwards.
pub fn failover_covers_follow_delay(policy: &Policy) -> Vec<Problem> {
    policy
        .nfs_servers
        .iter()
        .filter_map(|server| Some((server, server.failover.as_ref()?, failover_budget(policy, server)?)))
        .filter(|(_, failover, budget)| failover.value < budget.total())
        .map(|(server, failover, budget)| Problem::FailoverTooShort {
            span: failover.span.into(),
            server: server.name.value.clone(),
            failover: failover.value.to_string(),
            delay: budget.total().to_string(),
            help: format!(
                "the server moves in {}; declare a `failover` of at least {}{}",
                budget.arithmetic(),
                budget.total(),
                shorter_grace_hint(server)
            ),
        })
        .collect()
}

fn shorter_grace_hint(server: &NfsServer) -> &'static str {
    let (shortest, _) = NFSD_TIME_RANGE;
    if grace_wait(server.grace(), server.lease()) > grace_wait(shortest, shortest) {
        ", or shorten the server's `grace` and `lease`"
    } else {
        ""
    }
}

/// The NFS servers that run on one node ask its one nfsd for the same grace and lease.
pub fn nfsd_times_agree(policy: &Policy) -> Vec<Problem> {
    nfsd_disagreements(policy, nfsd_times)
        .into_iter()
        .map(|(node, first, server)| Problem::NfsdTimesDisagree {
            second: nfsd_times_span(server).into(),
            first: nfsd_times_span(first).into(),
            node: policy.nodes[node].name.value.clone(),
            first_server: first.name.value.clone(),
            second_server: server.name.value.clone(),
            first_times: describe_nfsd_times(first),
            second_times: describe_nfsd_times(server),
        })
        .collect()
}

/// Each server that shares a node's one nfsd with an earlier server and asks it for other
/// `settings`, with that node and the earlier server; one disagreement per server.
pub(super) fn nfsd_disagreements<'p, K: PartialEq>(
    policy: &'p Policy,
    settings: impl Fn(&'p NfsServer) -> K,
) -> Vec<(usize, &'p NfsServer, &'p NfsServer)> {
    let mut first_on: HashMap<usize, &NfsServer> = HashMap::new();
    let mut found = Vec::new();
    for server in on_nodes(policy) {
        for node in policy.serving_nodes(server) {
            let first = *first_on.entry(node).or_insert(server);
            if settings(first) != settings(server) {
                found.push((node, first, server));
                break;
            }
        }
    }
    found
}

fn nfsd_times(server: &NfsServer) -> (Duration, Duration) {
    (server.grace(), server.lease())
}

/// Where a server's grace or lease is declared, or its name when both are the defaults.
fn nfsd_times_span(server: &NfsServer) -> Span {
    server.grace.as_ref().or(server.lease.as_ref()).map_or(server.name.span, |time| time.span)
}

fn describe_nfsd_times(server: &NfsServer) -> String {
    format!("grace {}, lease {}", server.grace(), server.lease())
}

/// A server's grace period lasts at least one lease, so that every client notices the
/// restart in time to reclaim.
pub fn grace_outlasts_lease(policy: &Policy) -> Vec<Problem> {
    policy
        .nfs_servers
        .iter()
        .filter(|server| server.grace() < server.lease())
        .map(|server| Problem::GraceShorterThanLease {
            grace_span: server.grace.as_ref().map_or(server.name.span, |grace| grace.span).into(),
            lease_span: server.lease.as_ref().map_or(server.name.span, |lease| lease.span).into(),
            server: server.name.value.clone(),
            grace: server.grace().to_string(),
            lease: server.lease().to_string(),
        })
        .collect()
}

/// On each node, the NFS servers of followed pairs all follow one pair: one `nfs-server`
/// cannot be active for one pair and standby for another.
pub fn one_followed_pair_per_nfs_node(policy: &Policy) -> Vec<Problem> {
    let mut following: std::collections::BTreeMap<usize, &NfsServer> = std::collections::BTreeMap::new();
    let mut problems = Vec::new();
    for server in on_nodes(policy) {
        let Some(on_pair) = server.pair() else { continue };
        let pair = &policy.pairs[on_pair];
        if !matches!(pair.roles, Roles::FollowsGuest { .. }) {
            continue;
        }
        for node in pair.nodes {
            match following.get(&node) {
                Some(first) if first.on != server.on => problems.push(Problem::SharedNfsServer {
                    second: server.name.span.into(),
                    first: first.name.span.into(),
                    node: policy.nodes[node].name.value.clone(),
                    first_pair: first.pair().map_or_else(String::new, |p| policy.pairs[p].name.value.clone()),
                    second_pair: pair.name.value.clone(),
                }),
                Some(_) => {}
                None => {
                    following.insert(node, server);
                }
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_export_is_served_by_itself_a_recursive_ancestor_or_a_child() {
        let replicated = ReplicatedByPair(
            vec![[("tank/a", true), ("tank/b", false), ("tank/c/d", false)].into()],
            vec![vec!["tank/a/tmp"]],
        );
        assert!(replicated.holds(0, "tank/a"));
        assert!(replicated.holds(0, "tank/a/x/y"));
        assert!(!replicated.holds(0, "tank/b/x"));
        assert!(replicated.holds(0, "tank/c"));
        assert!(replicated.holds(0, "tank"));
        assert!(!replicated.holds(0, "tank/ab"));
        assert!(!replicated.holds(0, "tank/c/d2"));
        assert!(!replicated.holds(0, "tank/a/tmp"));
        assert!(!replicated.holds(0, "tank/a/tmp/x"));
        assert!(replicated.holds(0, "tank/a/tmpx"));
    }
}
