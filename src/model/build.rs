//! Name resolution: the syntax tree to a typed policy. Every problem of every block is
//! collected; a block with a problem is left out, and what refers to it is left out
//! quietly, so that one mistake is reported once.

use std::collections::{BTreeMap, HashMap};

use super::acknowledge::{self, AllowedIn};
use super::cadence;
use super::identity;
use super::monitoring::{self, Monitoring};
use super::names::NameTable;
use super::nfsv4::{NfsVersion, NFSD_MAX_THREADS};
use super::options::{read_options, OptionContext};
use super::settings::{single_value, starts_with_words, wrong_count, Schema, Settings};
use super::snapshots;
use super::times;
use super::types::*;
use super::values::{self, closest, did_you_mean, HostAddress, MountPoint};
use super::zrepl;
use super::{syncoid, transfer};
use crate::diagnostic::Problem;
use crate::model::tools::SanoidVersion;
use crate::syntax::{File, Span, Statement, Value, ValueKind};

const TOP_LEVEL: [&str; 7] = ["node", "retention", "pair", "backup", "nfs", "client", "monitoring"];

const NODE: Schema = Schema {
    kind: "node",
    single: &[
        "address",
        "os",
        "zrepl",
        "sanoid",
        "ssh",
        "user",
        "zrepl-monitoring",
        "zrepl-cert",
        "zrepl-key",
        "zrepl-cn",
    ],
    repeated: &["zrepl-log", super::snapshots::KEYWORD, "mountpoint"],
};
const RETENTION: Schema = Schema {
    kind: "retention",
    single: &["frequently", "hourly", "daily", "weekly", "monthly", "yearly", "last", "grid", "all"],
    repeated: &[],
};
const PAIR: Schema = Schema {
    kind: "pair",
    single: &[
        "nodes",
        "source",
        "target",
        "engine",
        "active",
        "rpo",
        "outage",
        "alert-after",
        "transfer",
        "link",
        "changes",
        "snapshot-every",
        "replicate-every",
        "retention",
        "target-retention",
        "guard",
        "transport",
        "mode",
        "send",
        "bandwidth-limit",
        "compress",
        "preserve-properties",
        "delete-target-snapshots",
        "mbuffer-size",
        "protection",
        "placeholder-encryption",
        "ssh",
        "user",
    ],
    repeated: &["replicate", "allow"],
};
const NFS: Schema = Schema {
    kind: "nfs",
    single: &["on", "address", "failover", "grace", "lease", "address-moves", "root", "versions", "threads"],
    repeated: &["export", "allow"],
};
const EXPORT: Schema = Schema { kind: "export", single: &[], repeated: &["client"] };
const CLIENT: Schema = Schema { kind: "client", single: &["os"], repeated: &["mount", "allow"] };

/// How many unknown names get a "did you mean" among all the names of their kind. Each
/// suggestion compares the name with every candidate; past this many, a policy full of
/// unknown names in a fleet of thousands would take minutes to report.
const MAX_SUGGESTIONS: usize = 100;

/// The periods a snapshot or replication timer may have: whole minutes that divide an hour.
pub const HOUR_DIVISORS: [u64; 11] = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30];

/// Builds the typed policy; the problems say what was left out and why.
pub fn build(file: &File) -> (Policy, Vec<Problem>) {
    let mut builder = Builder::default();
    let blocks = builder.declare(file);
    let policy = builder.resolve(&blocks);
    (policy, builder.problems)
}

/// A pair's two nodes, where they are named, and how their roles are decided.
type NodesAndRoles = ([usize; 2], [Span; 2], Roles);

/// How a node's tool release is written and explained.
struct Release {
    keyword: &'static str,
    example: &'static str,
    help: &'static str,
}

/// A top-level block with its validated name.
struct Declared<'f> {
    kind: &'static str,
    name: Spanned<String>,
    statement: &'f Statement,
}

#[derive(Default)]
struct Builder {
    problems: Vec<Problem>,
    /// Every declared and resolved name, by kind.
    names: BTreeMap<&'static str, NameTable>,
    /// Each resolved export, by its server's index and its path.
    exports: HashMap<(usize, String), usize>,
    /// How many "did you mean" suggestions were looked for.
    suggestions: usize,
}

impl Builder {
    fn declare<'f>(&mut self, file: &'f File) -> Vec<Declared<'f>> {
        let mut blocks: Vec<Declared<'f>> = Vec::new();
        let mut first_of: HashMap<(&'static str, String), Span> = HashMap::new();
        for statement in &file.statements {
            let Some(kind) = TOP_LEVEL.iter().find(|k| **k == statement.name()).copied() else {
                self.unknown_block(statement);
                continue;
            };
            let named = if kind == "monitoring" {
                self.unnamed_block(statement, kind)
            } else {
                self.block_name(statement, kind)
            };
            let Some(name) = named else { continue };
            let namespace = host_namespace(kind);
            if let (Some(first), "monitoring") = (first_of.get(&(namespace, name.value.clone())), kind) {
                self.problems.push(Problem::DuplicateBlock {
                    second: name.span.into(),
                    first: (*first).into(),
                    keyword: kind,
                });
                continue;
            }
            if let Some(first) = first_of.get(&(namespace, name.value.clone())) {
                self.problems.push(Problem::DuplicateDefinition {
                    second: name.span.into(),
                    first: (*first).into(),
                    kind: namespace,
                    name: name.value.clone(),
                });
                continue;
            }
            first_of.insert((namespace, name.value.clone()), name.span);
            blocks.push(Declared { kind, name, statement });
        }
        blocks
    }

    /// Reports a block with an unknown keyword; a likely misspelling still declares its name,
    /// so that references to it are not reported as well.
    fn unknown_block(&mut self, statement: &Statement) {
        let meant = closest(statement.name(), TOP_LEVEL);
        if let (Some(kind), Some(name)) = (meant, statement.values.first()) {
            self.declare_name(kind, &name.text);
        }
        self.problems.push(Problem::UnknownKeyword {
            span: statement.keyword.span.into(),
            what: "block".to_owned(),
            keyword: statement.name().to_owned(),
            help: did_you_mean(statement.name(), TOP_LEVEL).or_else(|| {
                Some(
                    "a policy is made of `node`, `retention`, `pair`, `backup`, `nfs`, `client` and `monitoring` blocks"
                        .to_owned(),
                )
            }),
        });
    }

    fn declare_name(&mut self, kind: &'static str, name: &str) {
        self.names.entry(table_kind(kind)).or_default().declare(name);
    }

    /// The validated name of a top-level block; the name is declared even when the block is
    /// broken, so that what refers to it stays quiet.
    fn block_name(&mut self, statement: &Statement, kind: &'static str) -> Option<Spanned<String>> {
        let example = match kind {
            "node" => "node elitedesk { … }",
            "retention" => "retention production { … }",
            "pair" => "pair storage { … }",
            "backup" => "backup nightly { … }",
            "nfs" => "nfs server { … }",
            _ => "client docker-vm { … }",
        };
        let [value] = statement.values.as_slice() else {
            self.problems.push(wrong_count(statement, "one name", example));
            return None;
        };
        self.declare_name(kind, &value.text);
        let name = self.take(values::name(value))?;
        if statement.block.is_none() {
            self.problems.push(Problem::BlockShape {
                span: statement.head_span().into(),
                keyword: kind.to_owned(),
                needs: "needs a `{ … }` block",
                example,
            });
            return None;
        }
        Some(name)
    }

    /// A block that has no name (`monitoring { … }`), named by its keyword: at most one per policy.
    fn unnamed_block(&mut self, statement: &Statement, kind: &'static str) -> Option<Spanned<String>> {
        let example = "monitoring { … }";
        if !statement.values.is_empty() {
            self.problems.push(wrong_count(statement, "no name", example));
            return None;
        }
        if statement.block.is_none() {
            self.problems.push(Problem::BlockShape {
                span: statement.head_span().into(),
                keyword: kind.to_owned(),
                needs: "needs a `{ … }` block",
                example,
            });
            return None;
        }
        Some(Spanned::new(kind.to_owned(), statement.keyword.span))
    }

    fn take<T>(&mut self, read: Result<T, Problem>) -> Option<T> {
        read.map_err(|problem| self.problems.push(problem)).ok()
    }

    fn resolve(&mut self, blocks: &[Declared<'_>]) -> Policy {
        let of_kind = |kind: &'static str| blocks.iter().filter(move |b| b.kind == kind);
        let nodes: Vec<Node> = of_kind("node").filter_map(|b| self.node(b)).collect();
        self.resolved("node", nodes.iter().map(|n| &n.name.value));
        let retentions: Vec<Retention> = of_kind("retention").filter_map(|b| self.retention(b)).collect();
        self.resolved("retention", retentions.iter().map(|r| &r.name.value));
        let pairs: Vec<Pair> =
            blocks.iter().filter(|b| matches!(b.kind, "pair" | "backup")).filter_map(|b| self.pair(b)).collect();
        self.resolved("pair", pairs.iter().map(|p| &p.name.value));
        let nfs_servers: Vec<NfsServer> = of_kind("nfs").filter_map(|b| self.nfs(b, &nodes)).collect();
        self.resolved("nfs", nfs_servers.iter().map(|s| &s.name.value));
        self.index_exports(&nfs_servers);
        let node_snapshots = self.node_snapshots(of_kind("node"), &nodes);
        let monitoring = of_kind("monitoring").next().map_or_else(Monitoring::default, |b| self.monitoring(b));
        let mut policy =
            Policy { nodes, retentions, pairs, nfs_servers, clients: Vec::new(), node_snapshots, monitoring };
        policy.clients = of_kind("client").filter_map(|b| self.client(b, &policy)).collect();
        policy
    }

    /// Every node's `snapshot` statements, once nodes and retentions are resolved; a node
    /// left out for its own problems takes its snapshot statements with it.
    fn node_snapshots<'b>(
        &mut self,
        blocks: impl Iterator<Item = &'b Declared<'b>>,
        nodes: &[Node],
    ) -> Vec<NodeSnapshot> {
        let index_of: HashMap<&str, usize> =
            nodes.iter().enumerate().map(|(index, node)| (node.name.value.as_str(), index)).collect();
        let mut snapshots = Vec::new();
        for block in blocks {
            let Some(node) = index_of.get(block.name.value.as_str()).copied() else { continue };
            for statement in block.statement.children().iter().filter(|s| s.name() == snapshots::KEYWORD) {
                let Some(read) = snapshots::read(statement, &mut self.problems) else { continue };
                let Some(retention) = self.reference(read.retention, "retention") else { continue };
                snapshots.push(NodeSnapshot {
                    node,
                    dataset: read.dataset,
                    depth: read.depth,
                    retention: Spanned::new(retention, read.retention.span),
                    every: read.every,
                    engine: read.engine,
                    span: statement.head_span(),
                });
            }
        }
        snapshots.sort_by_key(|snapshot| snapshot.node);
        snapshots
    }

    fn settings<'s>(&mut self, block: &Declared<'s>, schema: &Schema) -> Settings<'s> {
        let label = format!("{} `{}`", block.kind, block.name.value);
        Settings::read(block.statement, label, schema, &mut self.problems)
    }

    fn resolved<'a>(&mut self, kind: &'static str, names: impl IntoIterator<Item = &'a String>) {
        self.names.entry(kind).or_default().resolve(names);
    }

    fn index_exports(&mut self, servers: &[NfsServer]) {
        for (server_index, server) in servers.iter().enumerate() {
            for (index, export) in server.exports.iter().enumerate() {
                self.exports.entry((server_index, export.path.value.clone())).or_insert(index);
            }
        }
    }

    /// Whether another "did you mean" may be looked for (see [`MAX_SUGGESTIONS`]).
    fn may_suggest(&mut self) -> bool {
        self.suggestions += 1;
        self.suggestions <= MAX_SUGGESTIONS
    }

    /// Resolves a reference to a block of `kind`; a name declared but broken resolves quietly to nothing.
    fn reference(&mut self, value: &Value, kind: &'static str) -> Option<usize> {
        let table = self.names.entry(kind).or_default();
        if let Some(index) = table.index_of(&value.text) {
            return Some(index);
        }
        if table.is_declared(&value.text) {
            return None;
        }
        let suggestion = if self.may_suggest() { did_you_mean(&value.text, self.names[kind].declared()) } else { None };
        self.problems.push(Problem::UnknownName {
            span: value.span.into(),
            kind: display_kind(kind),
            name: value.text.clone(),
            help: suggestion.or_else(|| Some(format!("define it with a `{kind} {} {{ … }}` block", value.text))),
        });
        None
    }

    fn node(&mut self, block: &Declared<'_>) -> Option<Node> {
        let settings = self.settings(block, &NODE);
        let address = settings.require("address", "address 192.168.1.10", &mut self.problems);
        let address = address.and_then(|s| single_value(s, "one address", "address 192.168.1.10", &mut self.problems));
        let address = address.and_then(|value| self.take(values::host_address(value, HostAddress::Node)));
        let os = self.os(&settings, block);
        let zrepl = self.zrepl_version(&settings);
        let sanoid = self.sanoid_version(&settings);
        let zrepl_node = zrepl::node(&settings, &mut self.problems);
        let ssh = identity::ssh(&settings, &mut self.problems);
        let user = identity::user(&settings, &mut self.problems);
        let mountpoints = self.node_mountpoints(&settings);
        Some(Node {
            name: block.name.clone(),
            address: address?,
            ssh: ssh?,
            user: user?,
            os: os?,
            zrepl: zrepl?,
            sanoid: sanoid?,
            zrepl_node: zrepl_node?,
            mountpoints: mountpoints?,
        })
    }

    /// `mountpoint DATASET PATH`, each: where the admin mounted a dataset of this node
    /// (`zfs set mountpoint=PATH DATASET`), which zplan's files never change.
    fn node_mountpoints(&mut self, settings: &Settings<'_>) -> Option<Vec<NodeMountpoint>> {
        let example = "mountpoint tank/share /srv/share";
        let mut mountpoints = Vec::new();
        let mut complete = true;
        for statement in settings.all("mountpoint") {
            let [dataset, path] = statement.values.as_slice() else {
                self.problems.push(wrong_count(statement, "a dataset and the path it is mounted at", example));
                complete = false;
                continue;
            };
            let dataset = self.take(values::dataset(dataset));
            let path = self.take(values::mount_point(path, MountPoint::Dataset));
            match (dataset, path) {
                (Some(dataset), Some(path)) => mountpoints.push(NodeMountpoint { dataset, path }),
                _ => complete = false,
            }
        }
        complete.then_some(mountpoints)
    }

    /// The `os` of a node or client: `linux` unless it says otherwise.
    fn os(&mut self, settings: &Settings<'_>, block: &Declared<'_>) -> Option<Spanned<Os>> {
        let Some(statement) = settings.get("os") else {
            return Some(Spanned::new(Os::Linux, block.name.span));
        };
        let value = single_value(statement, "one operating system", "os freebsd", &mut self.problems)?;
        match [Os::Linux, Os::FreeBsd].into_iter().find(|os| os.keyword() == value.text) {
            Some(os) => Some(Spanned::new(os, value.span)),
            None => {
                self.problems.push(Problem::UnknownKeyword {
                    span: value.span.into(),
                    what: "operating system".to_owned(),
                    keyword: value.text.clone(),
                    help: did_you_mean(&value.text, ["linux", "freebsd"])
                        .or_else(|| Some("zplan compiles for `os linux` and `os freebsd`".to_owned())),
                });
                None
            }
        }
    }

    /// The zrepl release on a node: 0.6 unless it says otherwise, since that is what
    /// Debian and FreeBSD ship, and what zplan writes for 0.6 is valid for 0.7 too.
    fn zrepl_version(&mut self, settings: &Settings<'_>) -> Option<ZreplVersion> {
        let release = Release {
            keyword: "zrepl",
            example: "zrepl 0.6",
            help: "zplan writes zrepl.yml for `zrepl 0.6` (Debian, FreeBSD) or `zrepl 0.7`",
        };
        self.release(settings, &release, &[ZreplVersion::V0_6, ZreplVersion::V0_7], ZreplVersion::as_str)
    }

    /// The sanoid and syncoid release on a node: 2.1 unless it says otherwise, since that is
    /// what Debian 12 ships; zplan writes only options every release accepts.
    fn sanoid_version(&mut self, settings: &Settings<'_>) -> Option<SanoidVersion> {
        let release = Release {
            keyword: "sanoid",
            example: "sanoid 2.1",
            help: "zplan targets `sanoid 2.1` (Debian 12), `sanoid 2.2` or `sanoid 2.3`",
        };
        self.release(settings, &release, &SanoidVersion::ALL, SanoidVersion::as_str)
    }

    /// A tool release setting: the first of `versions` when absent.
    fn release<V: Copy>(
        &mut self,
        settings: &Settings<'_>,
        release: &Release,
        versions: &[V],
        spelling: fn(V) -> &'static str,
    ) -> Option<V> {
        let Some(statement) = settings.get(release.keyword) else {
            return versions.first().copied();
        };
        let value = single_value(statement, "one version", release.example, &mut self.problems)?;
        if let Some(version) = versions.iter().copied().find(|v| spelling(*v) == value.text) {
            return Some(version);
        }
        self.problems.push(Problem::UnknownKeyword {
            span: value.span.into(),
            what: format!("{} version", release.keyword),
            keyword: value.text.clone(),
            help: Some(release.help.to_owned()),
        });
        None
    }

    fn retention(&mut self, block: &Declared<'_>) -> Option<Retention> {
        let settings = self.settings(block, &RETENTION);
        let mut counts = Vec::new();
        let mut times = Vec::new();
        let mut complete = true;
        for kind in SnapshotKind::ALL {
            let Some(statement) = settings.get(kind.keyword()) else {
                continue;
            };
            let Some((count, time)) = self.kind_count(statement, kind) else {
                complete = false;
                continue;
            };
            counts.push((kind, count));
            times.extend(time.map(|time| (kind, time)));
        }
        let last = match settings.get("last") {
            None => Some(None),
            Some(statement) => single_value(statement, "one count", "last 10", &mut self.problems)
                .and_then(|v| self.take(values::number(v, "count", 1, 100_000, "1 to 100000")))
                .map(Some),
        };
        let written = zrepl::retention(&settings, &mut self.problems);
        let last = last.filter(|_| complete)?;
        let written = written?;
        if let Some(problem) = written.as_ref().and_then(|w| mixed_retention(&block.name.value, w, &counts, &last)) {
            self.problems.push(problem);
            return None;
        }
        Some(Retention {
            name: block.name.clone(),
            counts,
            last,
            zrepl: written,
            times,
            span: block.statement.head_span(),
        })
    }

    /// `daily 14 at 23:30`: a kind's count, and when sanoid takes it if the policy says.
    fn kind_count(
        &mut self,
        statement: &Statement,
        kind: SnapshotKind,
    ) -> Option<(Spanned<u32>, Option<Spanned<SnapshotTime>>)> {
        let example = times::example(kind);
        if let Some(block) = &statement.block {
            let needs = "takes no block";
            self.problems.push(Problem::BlockShape {
                span: block.span.into(),
                keyword: kind.keyword().to_owned(),
                needs,
                example,
            });
            return None;
        }
        let Some((count, rest)) = statement.values.split_first() else {
            self.problems.push(wrong_count(statement, times::expected(kind), example));
            return None;
        };
        let count = self.take(values::number(count, "count", 0, 100_000, "0 to 100000"));
        let time = match times::snapshot_time(kind, rest) {
            Ok(time) => Some(time),
            Err(times::Shape::Value(problem)) => {
                self.problems.push(*problem);
                None
            }
            Err(times::Shape::Misshapen) => {
                self.problems.push(wrong_count(statement, times::expected(kind), example));
                None
            }
        };
        Some((count?, time?))
    }

    fn pair(&mut self, block: &Declared<'_>) -> Option<Pair> {
        let settings = self.settings(block, &PAIR);
        let kind = if block.kind == "backup" { PairKind::Backup } else { PairKind::Pair };
        let roles = match kind {
            PairKind::Backup => self.backup_roles(&settings),
            PairKind::Pair => self.roles(&settings),
        };
        let engine = self.engine(&settings);
        let fixed = settings.get("source").is_some() || kind == PairKind::Backup;
        let rpo = self.duration_setting(&settings, "rpo", "rpo 10m", !fixed);
        let outage = self.duration_setting(&settings, "outage", "outage 48h", false);
        let alert_after = self.duration_setting(&settings, "alert-after", "alert-after 30m", false);
        let bandwidth_limit = transfer::bandwidth_limit(&settings, &mut self.problems);
        let transfer = self.transfer(&settings, bandwidth_limit.as_ref().map(Option::as_ref));
        let timers = !matches!(engine, Some(Spanned { value: Engine::Zrepl, .. }));
        let snapshot_every = self.period_setting(&settings, "snapshot-every", "snapshot-every 5m", timers);
        let cadence = self.cadence(&settings, timers);
        let retention = self.retention_reference(&settings);
        let target_retention = self.target_retention(&settings);
        let datasets = self.replicated(&settings);
        let guard = self.guard(&settings);
        let target_root = transfer::target_root(&settings, &mut self.problems);
        let transport = transfer::transport(&settings, &mut self.problems);
        let mode = transfer::mode(&settings, &mut self.problems);
        let send = transfer::send(&settings, &mut self.problems);
        let syncoid = syncoid::options(&settings, &mut self.problems);
        let zrepl_options = zrepl::pair(&settings, &mut self.problems);
        let ssh = identity::ssh(&settings, &mut self.problems);
        let user = identity::user(&settings, &mut self.problems);
        let (nodes, node_spans, roles) = roles?;
        let (replicate_every, replicate_at) = cadence?;
        let (target_root, without_pool) = target_root?;
        Some(Pair {
            name: block.name.clone(),
            kind,
            nodes,
            node_spans,
            engine: engine?,
            roles,
            target_root,
            without_pool,
            syncoid: syncoid?,
            allowed: self.allowed(&settings),
            transport: transport?,
            mode: mode?,
            send: send?,
            bandwidth_limit: bandwidth_limit?,
            rpo: rpo?,
            outage: outage?,
            alert_after: alert_after?,
            transfer: transfer?,
            snapshot_every: snapshot_every?,
            replicate_every,
            replicate_at,
            retention: retention?,
            target_retention: target_retention?,
            datasets: datasets?,
            guard_percent: guard?,
            zrepl_options: zrepl_options?,
            ssh: ssh?,
            user: user?,
        })
    }

    fn node_reference(&mut self, value: &Value) -> Option<usize> {
        self.reference(value, "node")
    }

    fn roles(&mut self, settings: &Settings<'_>) -> Option<NodesAndRoles> {
        let active = settings.get("active");
        let fixed = settings.get("source").or(settings.get("target"));
        match (active, fixed) {
            (Some(active), Some(fixed)) => {
                self.problems.push(Problem::MixedRoles {
                    follows: active.head_span().into(),
                    fixed: fixed.head_span().into(),
                    owner: settings.owner_label.clone(),
                });
                None
            }
            (None, Some(_)) => self.static_roles(settings),
            (Some(active), None) => self.followed_roles(settings, active),
            (None, None) => {
                settings.missing("active", "active follows proxmox-guest 103", &mut self.problems);
                None
            }
        }
    }

    /// A backup is static by what it is: its source and target are fixed, so `nodes` and
    /// `active` have no place in it.
    fn backup_roles(&mut self, settings: &Settings<'_>) -> Option<NodesAndRoles> {
        let mut refused = false;
        for keyword in ["nodes", "active"] {
            if let Some(statement) = settings.get(keyword) {
                self.problems.push(Problem::BackupRoles {
                    span: statement.head_span().into(),
                    keyword,
                    backup: settings.owner_label.clone(),
                });
                refused = true;
            }
        }
        if refused {
            return None;
        }
        self.static_roles(settings)
    }

    fn static_roles(&mut self, settings: &Settings<'_>) -> Option<NodesAndRoles> {
        if let Some(nodes) = settings.get("nodes") {
            self.problems.push(Problem::BlockShape {
                span: nodes.head_span().into(),
                keyword: "nodes".to_owned(),
                needs: "is not used with `source` and `target`",
                example: "source f0",
            });
        }
        let mut ends = [None, None];
        for (slot, keyword, example) in [(0, "source", "source f0"), (1, "target", "target f1")] {
            let statement = settings.require(keyword, example, &mut self.problems);
            let value = match statement {
                Some(target) if keyword == "target" => target.values.first().or_else(|| {
                    self.problems.push(wrong_count(target, "a node", "target f1 under zdata/sink"));
                    None
                }),
                _ => statement.and_then(|s| single_value(s, "one node", example, &mut self.problems)),
            };
            ends[slot] = value.and_then(|v| Some((self.node_reference(v)?, v.span)));
        }
        let [(source, source_span), (target, target_span)] = [ends[0]?, ends[1]?];
        Some(([source, target], [source_span, target_span], Roles::Static))
    }

    fn followed_roles(&mut self, settings: &Settings<'_>, active: &Statement) -> Option<NodesAndRoles> {
        let example = "active follows proxmox-guest 103";
        let guest = if starts_with_words(active, &["follows", "proxmox-guest"], 1) {
            self.take(values::number(&active.values[2], "Proxmox guest id", 100, 999_999_999, "100 to 999999999"))
        } else {
            self.problems.push(wrong_count(active, "`follows proxmox-guest` and a guest id", example));
            None
        };
        let nodes = settings.require("nodes", "nodes acemagician elitedesk", &mut self.problems);
        let (nodes, spans) = nodes.and_then(|statement| self.two_nodes(statement))?;
        Some((nodes, spans, Roles::FollowsGuest { guest: guest? }))
    }

    fn two_nodes(&mut self, statement: &Statement) -> Option<([usize; 2], [Span; 2])> {
        let [first, second] = statement.values.as_slice() else {
            self.problems.push(wrong_count(statement, "two nodes", "nodes acemagician elitedesk"));
            return None;
        };
        let first_index = self.node_reference(first);
        let second_index = self.node_reference(second);
        Some(([first_index?, second_index?], [first.span, second.span]))
    }

    fn engine(&mut self, settings: &Settings<'_>) -> Option<Spanned<Engine>> {
        let statement = settings.require("engine", "engine syncoid", &mut self.problems)?;
        let value = single_value(statement, "one engine", "engine syncoid", &mut self.problems)?;
        let engines = [Engine::Syncoid, Engine::Zrepl];
        if let Some(engine) = engines.into_iter().find(|e| e.keyword() == value.text) {
            return Some(Spanned::new(engine, value.span));
        }
        let help = did_you_mean(&value.text, engines.map(Engine::keyword))
            .or_else(|| Some("zplan compiles `engine syncoid` and `engine zrepl`".to_owned()));
        self.problems.push(Problem::UnsupportedEngine { span: value.span.into(), engine: value.text.clone(), help });
        None
    }

    /// The transfer term: declared, estimated from `changes` sent at the slower of `link`
    /// and `bandwidth-limit`, or the default. `limit` is `None` when the bandwidth limit
    /// is declared but broken, which was reported where it was read.
    fn transfer(&mut self, settings: &Settings<'_>, limit: Option<Option<&Spanned<Size>>>) -> Option<Transfer> {
        let declared = self.duration_setting(settings, "transfer", "transfer 1m", false)?;
        let link = settings.get("link");
        let changes = settings.get("changes");
        if let (Some(declared), Some(estimate)) = (&declared, link.or(changes)) {
            self.problems.push(Problem::TransferTwice {
                declared: declared.span.into(),
                estimated: estimate.head_span().into(),
            });
            return None;
        }
        let Some(changes) = changes else {
            if link.is_some() {
                settings.missing("changes", "changes 20G per day", &mut self.problems);
                return None;
            }
            return Some(declared.map_or(Transfer::Default, |d| Transfer::Declared(d.value)));
        };
        let estimate = self.changes(changes);
        let link = link.map(|statement| self.link_speed(statement));
        let (rate, rate_span) = match (link, limit?) {
            (Some(link), None) => {
                let link = link?;
                (SendRate::Link(link.value), link.span)
            }
            (Some(link), Some(limit)) => {
                let link = link?;
                let rate = SendRate::Both { link: link.value, limit: limit.value };
                (rate, if rate.is_limited() { limit.span } else { link.span })
            }
            (None, Some(limit)) => (SendRate::Limit(limit.value), limit.span),
            (None, None) => {
                settings.missing("link", "link 100M", &mut self.problems);
                return None;
            }
        };
        let (changes_size, per) = estimate?;
        Some(Transfer::Estimated { changes: changes_size, per, rate, changes_span: changes.head_span(), rate_span })
    }

    /// `link SIZE`: the bytes per second the replication link carries, at least one.
    fn link_speed(&mut self, link: &Statement) -> Option<Spanned<Size>> {
        let speed = single_value(link, "one size per second", "link 100M", &mut self.problems);
        let speed = speed.and_then(|value| self.take(values::size(value)))?;
        if speed.value.amount == 0 {
            self.problems.push(Problem::OutOfRange {
                span: speed.span.into(),
                what: "link speed",
                text: speed.value.to_string(),
                range: "1K and up (bytes per second)",
            });
            return None;
        }
        Some(Spanned::new(speed.value, link.head_span()))
    }

    /// `changes SIZE per hour|day`: what is written, and over how long.
    fn changes(&mut self, changes: &Statement) -> Option<(Size, Duration)> {
        let example = "changes 20G per day";
        let per = match changes.values.as_slice() {
            [_, word, unit] if word.text == "per" && unit.text == "hour" => Some(Duration(3_600)),
            [_, word, unit] if word.text == "per" && unit.text == "day" => Some(Duration(86_400)),
            _ => {
                self.problems.push(wrong_count(changes, "a size, `per` and `hour` or `day`", example));
                None
            }
        }?;
        let amount = self.take(values::size(&changes.values[0]))?;
        Some((amount.value, per))
    }

    /// A duration setting: `Some(None)` when absent and optional, `None` when broken.
    fn duration_setting(
        &mut self,
        settings: &Settings<'_>,
        keyword: &'static str,
        example: &'static str,
        required: bool,
    ) -> Option<Option<Spanned<Duration>>> {
        let Some(statement) = settings.get(keyword) else {
            if required {
                settings.missing(keyword, example, &mut self.problems);
                return None;
            }
            return Some(None);
        };
        let value = single_value(statement, "one duration", example, &mut self.problems)?;
        let duration = self.take(values::duration(value, example))?;
        if duration.value.seconds() == 0 {
            self.problems.push(Problem::OutOfRange {
                span: value.span.into(),
                what: "duration",
                text: value.text.clone(),
                range: "1s to 100 years",
            });
            return None;
        }
        Some(Some(duration))
    }

    /// A pinned period. A systemd timer's must divide an hour so that every hour has the
    /// same slots; zrepl counts its intervals from the last snapshot, so any will do.
    fn period_setting(
        &mut self,
        settings: &Settings<'_>,
        keyword: &'static str,
        example: &'static str,
        on_timers: bool,
    ) -> Option<Option<Spanned<Duration>>> {
        let period = self.duration_setting(settings, keyword, example, false)?;
        let Some(period) = period else {
            return Some(None);
        };
        if !on_timers {
            return Some(Some(period));
        }
        if let Some((reason, label)) = timer_period_problem(period.value) {
            let text = period.value.to_string();
            self.problems.push(Problem::PeriodNotDivisor { span: period.span.into(), text, reason, label });
            return None;
        }
        Some(Some(period))
    }

    /// `replicate-every`: under an hour, a period a timer repeats within the hour (or any
    /// for zrepl); longer, a calendar cadence (see [`cadence`]).
    fn cadence(&mut self, settings: &Settings<'_>, on_timers: bool) -> Option<cadence::ReadCadence> {
        let (every, start) = cadence::read(settings, on_timers, &mut self.problems)?;
        if let Some(every) = every.as_ref().filter(|every| on_timers && every.value.seconds() < 3_600) {
            if let Some((reason, label)) = timer_period_problem(every.value) {
                let text = every.value.to_string();
                self.problems.push(Problem::PeriodNotDivisor { span: every.span.into(), text, reason, label });
                return None;
            }
        }
        Some((every, start))
    }

    fn retention_reference(&mut self, settings: &Settings<'_>) -> Option<usize> {
        let statement = settings.require("retention", "retention production", &mut self.problems)?;
        let value = single_value(statement, "one retention name", "retention production", &mut self.problems)?;
        self.reference(value, "retention")
    }

    fn target_retention(&mut self, settings: &Settings<'_>) -> Option<Option<Spanned<usize>>> {
        let Some(statement) = settings.get("target-retention") else {
            return Some(None);
        };
        let example = "target-retention archive";
        let value = single_value(statement, "one retention name", example, &mut self.problems)?;
        self.reference(value, "retention").map(|index| Some(Spanned::new(index, value.span)))
    }

    fn replicated(&mut self, settings: &Settings<'_>) -> Option<Vec<Replicated>> {
        let example = "replicate zpool1/data recursive";
        let statements: Vec<&Statement> = settings.all("replicate").collect();
        if statements.is_empty() {
            settings.missing("replicate", example, &mut self.problems);
            return None;
        }
        let mut datasets = Vec::new();
        let mut complete = true;
        for statement in statements {
            match self.one_replicated(statement, example) {
                Some(replicated) => datasets.push(replicated),
                None => complete = false,
            }
        }
        complete.then_some(datasets)
    }

    fn one_replicated(&mut self, statement: &Statement, example: &'static str) -> Option<Replicated> {
        let (values, excluded) = match statement.values.iter().position(|v| v.text == "exclude") {
            Some(at) => (&statement.values[..at], Some(&statement.values[at + 1..])),
            None => (statement.values.as_slice(), None),
        };
        let exclude = excluded.map(|datasets| self.excluded(statement, datasets));
        let Some((dataset, flags)) = values.split_first() else {
            self.problems.push(wrong_count(
                statement,
                "a dataset, `recursive`, `as` a copy, `mount` a path and `exclude` datasets",
                example,
            ));
            return None;
        };
        let (depth, copy, mount) = self.replicated_flags(statement, flags)?;
        let dataset = self.take(values::dataset(dataset));
        let copy = match copy {
            Some(copy) => Some(self.take(values::dataset(copy))?),
            None => None,
        };
        let mount = match mount {
            Some(path) => Some(self.take(values::mount_point(path, MountPoint::Copy))?),
            None => None,
        };
        let children_only = depth == Some("children");
        let recursive = depth.is_some();
        let exclude = match exclude {
            Some(exclude) => exclude?,
            None => Vec::new(),
        };
        let dataset = dataset?;
        if let Some(problem) = exclusion_problem(&dataset, recursive, &exclude) {
            self.problems.push(problem);
            return None;
        }
        Some(Replicated { dataset, recursive, mount, copy, children_only, exclude })
    }

    /// `[recursive|children] [as COPY] [mount PATH]` after a replicated dataset, in that order.
    fn replicated_flags<'v>(
        &mut self,
        statement: &Statement,
        flags: &'v [Value],
    ) -> Option<(Option<&'v str>, Option<&'v Value>, Option<&'v Value>)> {
        let mut rest = flags;
        let depth = rest.first().map(|flag| flag.text.as_str()).filter(|flag| ["recursive", "children"].contains(flag));
        if depth.is_some() {
            rest = &rest[1..];
        }
        let mut take = |word: &str| match rest {
            [keyword, value, tail @ ..] if keyword.text == word => {
                rest = tail;
                Some(value)
            }
            _ => None,
        };
        let copy = take("as");
        let mount = take("mount");
        if !rest.is_empty() {
            let expected =
                "a dataset, an optional `recursive` or `children`, an optional `as` copy and an optional `mount` path";
            self.problems.push(wrong_count(
                statement,
                expected,
                "replicate tank/home recursive as backup/nas-home mount /srv/home",
            ));
            return None;
        }
        Some((depth, copy, mount))
    }

    /// The datasets after `exclude`: at least one, each a dataset name.
    fn excluded(&mut self, statement: &Statement, datasets: &[Value]) -> Option<Vec<Spanned<String>>> {
        if datasets.is_empty() {
            let example = "replicate tank/home recursive exclude tank/home/tmp";
            self.problems.push(wrong_count(statement, "one or more datasets after `exclude`", example));
            return None;
        }
        let read: Vec<Option<Spanned<String>>> = datasets.iter().map(|v| self.take(values::dataset(v))).collect();
        read.into_iter().collect()
    }

    fn guard(&mut self, settings: &Settings<'_>) -> Option<Option<Spanned<u8>>> {
        let Some(statement) = settings.get("guard") else {
            return Some(None);
        };
        if !starts_with_words(statement, &["empty-source", "below"], 1) {
            self.problems.push(wrong_count(
                statement,
                "`empty-source below` and a percentage",
                "guard empty-source below 50%",
            ));
            return None;
        }
        let percent = self.take(values::percent(&statement.values[2]))?;
        Some(Some(Spanned::new(percent.value, statement.head_span())))
    }

    fn nfs(&mut self, block: &Declared<'_>, nodes: &[Node]) -> Option<NfsServer> {
        let settings = self.settings(block, &NFS);
        let on = self.nfs_placement(&settings);
        let address = self.nfs_address(&settings, on, nodes);
        let failover = self.nfs_failover(&settings, on);
        let grace = self.nfsd_time(&settings, ("grace", "grace 30s"), "grace period");
        let lease = self.nfsd_time(&settings, ("lease", "lease 15s"), "lease");
        let root = self.nfs_root(&settings);
        let versions = self.nfs_versions(&settings);
        let threads = self.nfsd_threads(&settings);
        let exports = self.exports(&settings);
        let address_moves = self.address_moves(&settings, on);
        Some(NfsServer {
            name: block.name.clone(),
            on: on?,
            address: address?,
            failover: failover?,
            grace: grace?,
            lease: lease?,
            root: root?,
            versions: versions?,
            threads: threads?,
            exports: exports?,
            allowed: self.allowed(&settings),
            address_moves: address_moves?,
        })
    }

    /// What clients mount: `address`, required on a pair's server; a node's server is
    /// reached at the node's own address unless it declares another.
    fn nfs_address(
        &mut self,
        settings: &Settings<'_>,
        on: Option<ServerOn>,
        nodes: &[Node],
    ) -> Option<Spanned<Address>> {
        let example = "address 192.168.1.150";
        let declared = match (settings.get("address"), on) {
            (Some(statement), _) => Some(statement),
            (None, Some(ServerOn::Node(node))) => return nodes.get(node).map(|node| node.address.clone()),
            (None, _) => settings.require("address", example, &mut self.problems),
        };
        let value = declared.and_then(|s| single_value(s, "one address", example, &mut self.problems))?;
        self.take(values::host_address(value, HostAddress::NfsServer))
    }

    /// `failover D`: required on a pair's server, refused on a node's, which never moves.
    fn nfs_failover(&mut self, settings: &Settings<'_>, on: Option<ServerOn>) -> Option<Option<Spanned<Duration>>> {
        match on {
            Some(ServerOn::Node(_)) => self.never_moves(settings, "failover").then_some(None),
            _ => Some(Some(self.duration_setting(settings, "failover", "failover 60s", true)??)),
        }
    }

    /// Whether a node's server is free of `keyword`, a statement about moving it.
    fn never_moves(&mut self, settings: &Settings<'_>, keyword: &'static str) -> bool {
        let Some(statement) = settings.get(keyword) else { return true };
        self.problems.push(Problem::FailoverOnNodeServer { span: statement.head_span().into(), keyword });
        false
    }

    /// `address-moves keepalived interface IFACE [router-id N]` or `address-moves guest NAME`.
    fn address_moves(&mut self, settings: &Settings<'_>, on: Option<ServerOn>) -> Option<Option<Spanned<AddressMove>>> {
        if matches!(on, Some(ServerOn::Node(_))) && !self.never_moves(settings, "address-moves") {
            return None;
        }
        let Some(statement) = settings.get("address-moves") else { return Some(None) };
        let span = statement.head_span();
        let moves = if starts_with_words(statement, &["guest"], 1) {
            let host = self.take(values::name(&statement.values[1]))?;
            AddressMove::Guest { host }
        } else if starts_with_words(statement, &["keepalived", "interface"], 1) {
            AddressMove::Keepalived { interface: self.take(values::interface(&statement.values[2]))?, router_id: None }
        } else if starts_with_words(statement, &["keepalived", "interface"], 3)
            && statement.values[3].text == "router-id"
        {
            let interface = self.take(values::interface(&statement.values[2]))?;
            let id = self.take(values::number(&statement.values[4], "VRRP router id", 1, 255, "1 to 255"))?;
            let router_id = Some(Spanned::new(u8::try_from(id.value).unwrap_or(u8::MAX), id.span));
            AddressMove::Keepalived { interface, router_id }
        } else {
            self.problems.push(wrong_count(
                statement,
                "`keepalived interface IFACE [router-id N]` or `guest NAME`",
                "address-moves keepalived interface vmbr0",
            ));
            return None;
        };
        Some(Some(Spanned::new(moves, span)))
    }

    /// `grace` or `lease`: a time nfsd takes in whole seconds, within the kernel's limits.
    fn nfsd_time(
        &mut self,
        settings: &Settings<'_>,
        (keyword, example): (&'static str, &'static str),
        what: &'static str,
    ) -> Option<Option<Spanned<Duration>>> {
        let time = self.duration_setting(settings, keyword, example, false)?;
        let (shortest, longest) = NFSD_TIME_RANGE;
        match time {
            Some(time) if time.value < shortest || time.value > longest => {
                self.problems.push(Problem::OutOfRange {
                    span: time.span.into(),
                    what,
                    text: time.value.to_string(),
                    range: "10s to 1h, the kernel's limits for nfsd's grace and lease",
                });
                None
            }
            time => Some(time),
        }
    }

    /// `root /srv/nfs`: the pseudo-root NFSv4 clients mount paths relative to.
    fn nfs_root(&mut self, settings: &Settings<'_>) -> Option<Option<Spanned<String>>> {
        let Some(statement) = settings.get("root") else { return Some(None) };
        let value = single_value(statement, "one path", "root /srv/nfs", &mut self.problems)?;
        let root = self.take(values::path(value))?;
        if root.value == "/" {
            self.problems.push(Problem::WrongKind {
                span: value.span.into(),
                expected: "a directory for the pseudo-root",
                found: root.value,
                help: "the pseudo-root is exported read-only to every client of the exports below it, so `/` would show them the server's own system: use an empty directory such as `root /srv/nfs`".to_owned(),
            });
            return None;
        }
        Some(Some(root))
    }

    /// `versions 3 4.2`: the versions nfsd offers, in any order, oldest first once read.
    fn nfs_versions(&mut self, settings: &Settings<'_>) -> Option<Option<Spanned<Vec<NfsVersion>>>> {
        let Some(statement) = settings.get("versions") else { return Some(None) };
        if statement.values.is_empty() {
            self.problems.push(wrong_count(statement, "one or more NFS versions", "versions 4.2"));
            return None;
        }
        let mut versions = Vec::new();
        for value in &statement.values {
            let Some(version) = NfsVersion::parse(&value.text) else {
                self.problems.push(Problem::WrongKind {
                    span: value.span.into(),
                    expected: "an NFS version",
                    found: value.text.clone(),
                    help: "write the versions nfsd offers among `3`, `4.0`, `4.1` and `4.2`, such as `versions 4.2`"
                        .to_owned(),
                });
                return None;
            };
            versions.push(version);
        }
        versions.sort();
        versions.dedup();
        let span = Span::new(statement.values[0].span.start, statement.values[statement.values.len() - 1].span.end);
        Some(Some(Spanned::new(versions, span)))
    }

    /// `threads N`: how many nfsd threads run, within the kernel's limit.
    fn nfsd_threads(&mut self, settings: &Settings<'_>) -> Option<Option<Spanned<u32>>> {
        let Some(statement) = settings.get("threads") else { return Some(None) };
        let value = single_value(statement, "one number", "threads 16", &mut self.problems)?;
        let range = "1 to 8192, the kernel's limit for nfsd threads";
        Some(Some(self.take(values::number(value, "thread count", 1, NFSD_MAX_THREADS, range))?))
    }

    /// The warning codes a block acknowledges: `allow W0603 W0604 [because …]`.
    fn allowed(&mut self, settings: &Settings<'_>) -> Vec<Spanned<String>> {
        let acknowledged = acknowledge::acknowledgements(settings, AllowedIn::Elsewhere, &mut self.problems);
        acknowledged.into_iter().map(|acknowledgement| acknowledgement.code).collect()
    }

    /// `on pair P` or `on node N`.
    fn nfs_placement(&mut self, settings: &Settings<'_>) -> Option<ServerOn> {
        let example = "on pair storage";
        let statement = settings.require("on", example, &mut self.problems)?;
        let kind = statement.values.first().map(|value| value.text.as_str());
        if statement.values.len() != 2 || !matches!(kind, Some("pair" | "node")) {
            self.problems.push(wrong_count(statement, "`pair` and a pair name, or `node` and a node name", example));
            return None;
        }
        match kind {
            Some("node") => self.reference(&statement.values[1], "node").map(ServerOn::Node),
            _ => self.reference(&statement.values[1], "pair").map(ServerOn::Pair),
        }
    }

    fn exports(&mut self, settings: &Settings<'_>) -> Option<Vec<Export>> {
        let mut exports: Vec<Export> = Vec::new();
        let mut first_of: HashMap<String, Span> = HashMap::new();
        let mut complete = true;
        for statement in settings.all("export") {
            let Some(export) = self.export(statement) else {
                complete = false;
                continue;
            };
            if let Some(first) = first_of.get(&export.path.value) {
                self.problems.push(Problem::DuplicateDefinition {
                    second: export.path.span.into(),
                    first: (*first).into(),
                    kind: "export",
                    name: export.path.value.clone(),
                });
                complete = false;
                continue;
            }
            first_of.insert(export.path.value.clone(), export.path.span);
            exports.push(export);
        }
        if exports.is_empty() && complete {
            settings.missing("export", "export /data dataset zpool1/data { … }", &mut self.problems);
            return None;
        }
        complete.then_some(exports)
    }

    fn export(&mut self, statement: &Statement) -> Option<Export> {
        let example = "export /data dataset zpool1/data fsid 7 { … }";
        let fsid = match statement.values.as_slice() {
            [_, word, _] if word.text == "dataset" => None,
            [_, word, _, fsid, number] if word.text == "dataset" && fsid.text == "fsid" => Some(number),
            _ => {
                self.problems.push(wrong_count(
                    statement,
                    "a path, `dataset` and a dataset, and an optional `fsid`",
                    example,
                ));
                return None;
            }
        };
        let path = self.take(values::mount_point(&statement.values[0], MountPoint::Export));
        let dataset = self.take(values::dataset(&statement.values[2]));
        let fsid = match fsid {
            Some(value) => Some(self.take(values::number(value, "fsid", 1, u32::MAX, "1 to 4294967295"))?),
            None => None,
        };
        let label = format!("export `{}`", statement.values[0].text);
        let settings = Settings::read(statement, label, &EXPORT, &mut self.problems);
        let clients: Vec<ExportClient> = settings.all("client").filter_map(|c| self.export_client(c)).collect();
        if clients.len() != settings.all("client").count() {
            return None;
        }
        if clients.is_empty() {
            settings.missing("client", "client 192.168.1.0/24 rw sync no_subtree_check", &mut self.problems);
            return None;
        }
        Some(Export { path: path?, dataset: dataset?, fsid, clients })
    }

    fn export_client(&mut self, statement: &Statement) -> Option<ExportClient> {
        let example = "client 192.168.1.0/24 rw sync no_subtree_check";
        let Some((who, options)) = statement.values.split_first() else {
            self.problems.push(wrong_count(statement, "who the export serves (an address, a network, a host name, a pattern, a netgroup or `*`) and its options", example));
            return None;
        };
        let who = self.take(values::client_spec(who));
        let options = read_options(options, OptionContext::Export, &mut self.problems);
        Some(ExportClient { who: who?, options })
    }

    /// The `monitoring` block; its defaults stand in for a broken one, whose problems are reported.
    fn monitoring(&mut self, block: &Declared<'_>) -> Monitoring {
        let settings =
            Settings::read(block.statement, "the monitoring block".to_owned(), &monitoring::SCHEMA, &mut self.problems);
        monitoring::read(&settings, &mut self.problems).unwrap_or_default()
    }

    fn client(&mut self, block: &Declared<'_>, policy: &Policy) -> Option<Client> {
        let settings = self.settings(block, &CLIENT);
        let mut mounts: Vec<Mount> = Vec::new();
        let mut first_of: HashMap<String, Span> = HashMap::new();
        let mut complete = true;
        for statement in settings.all("mount") {
            let Some(mount) = self.mount(statement, policy) else {
                complete = false;
                continue;
            };
            if let Some(first) = first_of.get(&mount.at.value) {
                self.problems.push(Problem::DuplicateDefinition {
                    second: mount.at.span.into(),
                    first: (*first).into(),
                    kind: "mount point",
                    name: mount.at.value.clone(),
                });
                complete = false;
                continue;
            }
            first_of.insert(mount.at.value.clone(), mount.at.span);
            mounts.push(mount);
        }
        if mounts.is_empty() && complete {
            settings.missing("mount", "mount server:/data at /mnt/data { hard }", &mut self.problems);
        }
        let acknowledged = acknowledge::acknowledgements(&settings, AllowedIn::Client, &mut self.problems);
        let allowed = acknowledged.iter().map(|acknowledgement| acknowledgement.code.clone()).collect();
        let os = self.os(&settings, block)?;
        (complete && !mounts.is_empty()).then(|| Client { name: block.name.clone(), os, mounts, allowed, acknowledged })
    }

    fn mount(&mut self, statement: &Statement, policy: &Policy) -> Option<Mount> {
        let example = "mount server:/data at /mnt/data { hard }";
        let [remote, at_word, at] = statement.values.as_slice() else {
            self.problems.push(wrong_count(statement, "an export reference, `at` and a path", example));
            return None;
        };
        if at_word.text != "at" {
            self.problems.push(wrong_count(statement, "an export reference, `at` and a path", example));
            return None;
        }
        let option_values: Vec<Value> = statement
            .children()
            .iter()
            .flat_map(|line| std::iter::once(line.keyword.clone()).chain(line.values.iter().cloned()))
            .collect();
        let options = read_options(&option_values, OptionContext::Mount, &mut self.problems);
        let v3 = options.iter().any(|o| o.value.name == "vers" && o.value.value.as_deref() == Some("3"));
        let target = self.export_reference(remote, policy, v3);
        let at = self.take(values::mount_point(at, MountPoint::ClientMount));
        let automount = options.iter().any(|o| o.value.name == "x-systemd.automount");
        let (server, export, path) = target?;
        Some(Mount { server, export, path, at: at?, options, automount })
    }

    /// `SERVER:/PATH`: the server, the export and the path as the client mounts it. An NFSv4
    /// mount of a server with a pseudo-root names a path relative to it; an NFSv3 mount, or
    /// any mount of a server without one, the export's own path.
    fn export_reference(&mut self, remote: &Value, policy: &Policy, v3: bool) -> Option<(usize, usize, String)> {
        if remote.kind != ValueKind::Remote {
            self.problems.push(Problem::WrongKind {
                span: remote.span.into(),
                expected: "an export reference",
                found: remote.text.clone(),
                help: "write it as `server:/data-nfs-share`".to_owned(),
            });
            return None;
        }
        let (server_name, path) = remote.text.split_once(':').expect("the grammar puts a `:` in a remote");
        let server_span = Span::new(remote.span.start, remote.span.start + server_name.len());
        let server_value = Value { kind: ValueKind::Word, text: server_name.to_owned(), span: server_span };
        let server = self.reference(&server_value, "nfs")?;
        let path_span = Span::new(server_span.end + 1, remote.span.end);
        let nfs = &policy.nfs_servers[server];
        let relative = nfs.under_root(path).filter(|_| !v3);
        let own = self.exports.get(&(server, path.to_owned())).copied();
        match &relative {
            Some(full) => {
                if let Some(export) = self.exports.get(&(server, full.clone())) {
                    return Some((server, *export, path.to_owned()));
                }
                if let (Some(export), Some(root)) = (own, nfs.root.as_ref()) {
                    self.problems.push(outside_root(nfs, server_name, path, path_span, root, export));
                    return None;
                }
            }
            None => {
                if let Some(export) = own {
                    return Some((server, export, path.to_owned()));
                }
            }
        }
        if relative.is_none() && !v3 {
            if let Some(problem) = missing_root(nfs, server_name, path, path_span) {
                self.problems.push(problem);
                return None;
            }
        }
        let exports = &policy.nfs_servers[server].exports;
        let help =
            if self.may_suggest() { did_you_mean(path, exports.iter().map(|e| e.path.value.as_str())) } else { None };
        self.problems.push(Problem::UnknownExport {
            span: path_span.into(),
            server: server_name.to_owned(),
            path: path.to_owned(),
            help,
        });
        None
    }
}

/// E0551: an NFSv4 mount of a server with a pseudo-root names an export by its own path.
fn outside_root(
    nfs: &NfsServer,
    server: &str,
    path: &str,
    span: Span,
    root: &Spanned<String>,
    export: usize,
) -> Problem {
    let under = crate::model::strictly_under(&nfs.exports[export].path.value, &root.value);
    let relative = path.strip_prefix(root.value.as_str()).filter(|_| under && root.value != "/").unwrap_or(path);
    let (why, help) = if under {
        (
            format!("NFSv4 clients mount the export `{path}` as `{relative}`"),
            format!("write `{server}:{relative}`, the export's path under the pseudo-root; an NFSv3 mount (`vers 3`) names the server's own path"),
        )
    } else if nfs.offers(NfsVersion::V3) {
        (
            "the export is outside it, where only NFSv3 clients reach it".to_owned(),
            format!("mount it with `vers 3`, or export it under `{}` and mount it relative to that", root.value),
        )
    } else {
        (
            "the export is outside it, and the server offers no NFSv3 to reach it".to_owned(),
            format!("export it under `{}`", root.value),
        )
    };
    Problem::MountOutsideRoot {
        span: span.into(),
        root_span: root.span.into(),
        server: server.to_owned(),
        path: path.to_owned(),
        root: root.value.clone(),
        why,
        help,
    }
}

/// E0550: a v4 mount of a server without a pseudo-root names no export, but one export's
/// path ends with it: the path was written relative to a root nobody declared.
fn missing_root(nfs: &NfsServer, server: &str, path: &str, span: Span) -> Option<Problem> {
    if nfs.root.is_some() || path == "/" {
        return None;
    }
    let export = nfs.exports.iter().find(|export| {
        export.path.value.strip_suffix(path).is_some_and(|root| !root.is_empty() && !root.ends_with('/'))
    })?;
    let root = export.path.value.strip_suffix(path)?;
    Some(Problem::PseudoRootMissing {
        span: span.into(),
        server: server.to_owned(),
        path: path.to_owned(),
        root: root.to_owned(),
        export: export.path.value.clone(),
    })
}

/// Why a period cannot be a timer's, and the label that says so, if it cannot: timers fire at
/// the same whole minutes of every hour, so the period divides an hour and is shorter.
/// Shared with the checks of a node's own snapshot periods.
pub fn timer_period_problem(period: Duration) -> Option<(&'static str, &'static str)> {
    let seconds = period.seconds();
    if seconds % 60 != 0 {
        return Some(("it is not a whole number of minutes", "not whole minutes"));
    }
    if seconds >= 3_600 {
        return Some(("it is an hour or longer, and timers repeat within the hour", "an hour or longer"));
    }
    (!HOUR_DIVISORS.contains(&(seconds / 60))).then_some(("it does not divide an hour", "not a divisor of 60 minutes"))
}

/// An exclusion must name a dataset strictly below a recursive replicated one.
fn exclusion_problem(dataset: &Spanned<String>, recursive: bool, exclude: &[Spanned<String>]) -> Option<Problem> {
    let outside = exclude.iter().find(|excluded| {
        !recursive || !covers(&dataset.value, true, &excluded.value) || excluded.value == dataset.value
    })?;
    let help = if recursive {
        "exclude a dataset below the replicated one, such as `exclude tank/home/tmp` under `replicate tank/home recursive`"
    } else {
        "only a `recursive` replication has children to exclude: add `recursive`, or remove `exclude`"
    };
    Some(Problem::ExcludeOutside {
        span: outside.span.into(),
        replicated: dataset.span.into(),
        excluded: outside.value.clone(),
        why: if recursive {
            format!("it is not below `{}`, so `{}` never sends it", dataset.value, dataset.value)
        } else {
            format!("`{}` is replicated without its children, so it never sends `{}`", dataset.value, outside.value)
        },
        help,
    })
}

/// A zrepl `grid` or `all` is the whole retention: counts or `last` beside it say it twice.
fn mixed_retention(
    name: &str,
    written: &Spanned<ZreplRetention>,
    counts: &[(SnapshotKind, Spanned<u32>)],
    last: &Option<Spanned<u32>>,
) -> Option<Problem> {
    let other = counts
        .first()
        .map(|(kind, count)| (kind.keyword().to_owned(), count.span))
        .or_else(|| last.as_ref().map(|last| ("last".to_owned(), last.span)))?;
    Some(Problem::RetentionMixesGrid {
        span: written.span.into(),
        other_span: other.1.into(),
        retention: name.to_owned(),
        written: match written.value {
            ZreplRetention::Grid(_) => "grid",
            ZreplRetention::All => "all",
        },
        other: other.0,
    })
}

/// How a kind of block is called in messages.
fn display_kind(kind: &'static str) -> &'static str {
    match kind {
        "nfs" => "nfs server",
        other => other,
    }
}

/// Nodes and clients both become host directories, so they share one namespace; a backup
/// is a pair written another way, so pairs and backups share theirs.
fn host_namespace(kind: &'static str) -> &'static str {
    match kind {
        "node" | "client" => "host",
        "backup" => "pair",
        other => other,
    }
}

/// The name table a block's name goes in: a backup is referred to as a pair.
fn table_kind(kind: &'static str) -> &'static str {
    match kind {
        "backup" => "pair",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timer_periods_are_whole_minutes_that_divide_an_hour() {
        assert_eq!(timer_period_problem(Duration::minutes(15)), None);
        assert_eq!(timer_period_problem(Duration::minutes(30)), None);
        let reason = |duration| timer_period_problem(duration).map(|(reason, _)| reason);
        assert_eq!(reason(Duration::minutes(7)), Some("it does not divide an hour"));
        assert_eq!(reason(Duration(90)), Some("it is not a whole number of minutes"));
        assert_eq!(reason(Duration::minutes(60)), Some("it is an hour or longer, and timers repeat within the hour"));
        assert_eq!(reason(Duration::minutes(120)), Some("it is an hour or longer, and timers repeat within the hour"));
    }
}
