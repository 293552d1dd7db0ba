//! zrepl's jobs: which host runs which job of which pair, under which name, over which
//! datasets, listening where. Checks use it to refuse overlapping jobs and shared
//! listeners; the plan writes each host's `zrepl.yml` from it.

use std::collections::BTreeMap;

use crate::facts::schedule::Schedule;
use crate::model::{
    Duration, Engine, Mode, Node, Pair, Policy, Replicated, Retention, Size, SizeUnit, Spanned, Transport,
    ZreplRetention,
};

/// The prefix of every snapshot zrepl takes for zplan; pruning rules match it.
pub const SNAPSHOT_PREFIX: &str = "zrepl_";

/// What a zrepl job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// Snapshots on the source and pushes to a sink.
    Push,
    /// Receives pushes on the target.
    Sink,
    /// Pulls from a source job, on the target.
    Pull,
    /// Serves pulls on the source; it snapshots there unless a snap job does.
    Source,
    /// Snapshots and prunes on the source, for every pair of a fan-out.
    Snap,
}

impl JobKind {
    /// The job's `type` in zrepl.yml.
    pub fn zrepl_type(self) -> &'static str {
        match self {
            JobKind::Push => "push",
            JobKind::Sink => "sink",
            JobKind::Pull => "pull",
            JobKind::Source => "source",
            JobKind::Snap => "snap",
        }
    }

    /// Whether the job receives data into a `root_fs`.
    pub fn receives(self) -> bool {
        matches!(self, JobKind::Sink | JobKind::Pull)
    }
}

/// Where a serving job waits for its peer; two jobs of one host cannot share one.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Listener {
    Port(u16),
    /// `zrepl stdinserver IDENTITY`, reached over ssh.
    Stdinserver(String),
    Local(String),
}

impl std::fmt::Display for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Listener::Port(port) => write!(f, "port {port}"),
            Listener::Stdinserver(identity) => write!(f, "the stdinserver of client `{identity}`"),
            Listener::Local(name) => write!(f, "the local listener `{name}`"),
        }
    }
}

/// One zrepl job on one host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job<'p> {
    pub name: String,
    pub kind: JobKind,
    /// Indices into [`Policy::pairs`]: one, or every pair a shared sink receives.
    pub pairs: Vec<usize>,
    /// What a sending job snapshots and sends.
    pub filesystems: Vec<&'p Replicated>,
    /// Where a receiving job receives.
    pub root_fs: Option<&'p Spanned<String>>,
    pub listeners: Vec<Listener>,
    /// In a fan-out, the one job that takes and prunes the snapshots this job sends or
    /// fetches, when it is another job: a sending job then snapshots manually, a pull
    /// prunes nothing on the source.
    pub snap_job: Option<String>,
    /// For the one push of a fan-out, which snapshots for it: the fan-out's other pairs.
    pub snapshots_for: Vec<usize>,
}

/// Several zrepl pairs that send the same datasets from one source node: one job snapshots
/// and prunes them there, and each pair replicates on its own (zrepl #551, #439): a snap
/// job, or the fan-out's one push, which replicates right after each snapshot it takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FanOut {
    /// Index into [`Policy::nodes`].
    pub source: usize,
    /// Indices into [`Policy::pairs`], in the policy's order; at least two.
    pub pairs: Vec<usize>,
}

impl FanOut {
    /// The pair whose push job snapshots for the fan-out: its one push, if it has exactly one.
    pub fn pushing_pair(&self, policy: &Policy) -> Option<usize> {
        let mut pushes = self.pairs.iter().filter(|index| policy.pairs[**index].mode() == Mode::Push);
        match (pushes.next(), pushes.next()) {
            (Some(push), None) => Some(*push),
            _ => None,
        }
    }

    /// The name of the job that snapshots and prunes for the fan-out: its one push job, or
    /// the snap job, named after the pairs' names, sorted, then `snap`.
    pub fn snap_job_name(&self, policy: &Policy) -> String {
        if let Some(push) = self.pushing_pair(policy) {
            return format!("{}_push", policy.pairs[push].name.value);
        }
        let mut names: Vec<&str> = self.pairs.iter().map(|index| policy.pairs[*index].name.value.as_str()).collect();
        names.sort_unstable();
        format!("{}_snap", names.join("_"))
    }
}

/// What a zrepl pair sends, in a form that compares equal for pairs that send the same:
/// each dataset with its recursion and its exclusions, sorted.
type Sent<'p> = Vec<(&'p str, bool, Vec<&'p str>)>;

fn sent(pair: &Pair) -> Sent<'_> {
    let mut sent: Sent<'_> = pair
        .datasets
        .iter()
        .map(|r| {
            let mut excluded: Vec<&str> = r.exclude.iter().map(|e| e.value.as_str()).collect();
            excluded.sort_unstable();
            (r.dataset.value.as_str(), r.recursive, excluded)
        })
        .collect();
    sent.sort();
    sent
}

/// Every fan-out: zrepl pairs with one source node that send exactly the same datasets.
/// Pairs that share only some datasets are no fan-out; the one-writer rule refuses them.
pub fn fan_outs(policy: &Policy) -> Vec<FanOut> {
    let mut groups: BTreeMap<(usize, Sent<'_>), Vec<usize>> = BTreeMap::new();
    for (index, pair) in policy.pairs.iter().enumerate() {
        if zrepl_transport(pair).is_some() && pair.target_root.is_some() {
            groups.entry((pair.nodes[0], sent(pair))).or_default().push(index);
        }
    }
    let mut fan_outs: Vec<FanOut> = groups
        .into_iter()
        .filter(|(_, pairs)| pairs.len() > 1)
        .map(|((source, _), pairs)| FanOut { source, pairs })
        .collect();
    fan_outs.sort_by_key(|fan_out| fan_out.pairs[0]);
    fan_outs
}

/// How long zrepl's pruning by `retention` keeps a snapshot at the least, when the
/// source snapshots on `schedule`: the spans of a written grid added up, the longest kind's
/// count × period, or `last N` × the interval; `None` for a retention that keeps all.
pub fn kept_for(retention: &Retention, schedule: &Schedule) -> Option<Duration> {
    match retention.zrepl.as_ref().map(|written| &written.value) {
        Some(ZreplRetention::All) => None,
        Some(ZreplRetention::Grid(buckets)) => Some(buckets.iter().fold(Duration(0), |sum, b| sum + b.span())),
        None => {
            let last = retention
                .last
                .as_ref()
                .map(|last| Duration(schedule.snapshot_every.seconds().saturating_mul(u64::from(last.value))));
            let kinds = if retention.counts.is_empty() && last.is_some() {
                Duration(0)
            } else {
                crate::facts::schedule::horizon(retention, schedule)
            };
            Some(kinds.max(last.unwrap_or_default()))
        }
    }
}

/// The fan-out a pair is part of, if any.
pub fn fan_out_of(fan_outs: &[FanOut], pair: usize) -> Option<&FanOut> {
    fan_outs.iter().find(|fan_out| fan_out.pairs.contains(&pair))
}

/// Every zrepl job, by host (an index into [`Policy::nodes`]), in a stable order.
pub fn jobs_by_host(policy: &Policy) -> BTreeMap<usize, Vec<Job<'_>>> {
    let mut hosts: BTreeMap<usize, Vec<Job<'_>>> = BTreeMap::new();
    let fan_outs = fan_outs(policy);
    for (index, pair) in policy.pairs.iter().enumerate() {
        let (Some(transport), Some(root)) = (zrepl_transport(pair), pair.target_root.as_ref()) else {
            continue;
        };
        let [source, target] = pair.nodes;
        let snap_job = fan_out_of(&fan_outs, index)
            .filter(|fan_out| fan_out.pushing_pair(policy) != Some(index))
            .map(|fan_out| fan_out.snap_job_name(policy));
        match pair.mode() {
            Mode::Push => {
                let snapshots_for = fan_out_of(&fan_outs, index)
                    .filter(|fan_out| fan_out.pushing_pair(policy) == Some(index))
                    .map(|fan_out| fan_out.pairs.iter().copied().filter(|other| *other != index).collect())
                    .unwrap_or_default();
                let push = Job { snap_job, snapshots_for, ..sending(pair, index, JobKind::Push, Vec::new()) };
                hosts.entry(source).or_default().push(push);
                add_to_sink(hosts.entry(target).or_default(), policy, index, transport, root);
            }
            Mode::Pull => {
                let identity = policy.nodes[target].name.value.clone();
                let listener = listener(pair, transport, identity);
                let serving =
                    Job { snap_job: snap_job.clone(), ..sending(pair, index, JobKind::Source, vec![listener]) };
                hosts.entry(source).or_default().push(serving);
                let pull = Job { snap_job, ..receiving(format!("{}_pull", pair.name.value), index, root) };
                hosts.entry(target).or_default().push(pull);
            }
        }
    }
    for fan_out in fan_outs.iter().filter(|fan_out| fan_out.pushing_pair(policy).is_none()) {
        let first = &policy.pairs[fan_out.pairs[0]];
        let snap = Job {
            name: fan_out.snap_job_name(policy),
            pairs: fan_out.pairs.clone(),
            ..sending(first, fan_out.pairs[0], JobKind::Snap, Vec::new())
        };
        hosts.entry(fan_out.source).or_default().push(snap);
    }
    for jobs in hosts.values_mut() {
        jobs.sort_by(|a, b| a.name.cmp(&b.name));
    }
    hosts
}

/// The transport of a pair that zrepl drives, if it is one.
pub fn zrepl_transport(pair: &Pair) -> Option<&Transport> {
    (pair.engine.value == Engine::Zrepl && pair.is_static()).then_some(pair.transport.as_ref()?).map(|t| &t.value)
}

fn sending(pair: &Pair, index: usize, kind: JobKind, listeners: Vec<Listener>) -> Job<'_> {
    Job {
        name: format!("{}_{}", pair.name.value, kind.zrepl_type()),
        kind,
        pairs: vec![index],
        filesystems: pair.datasets.iter().collect(),
        root_fs: None,
        listeners,
        snap_job: None,
        snapshots_for: Vec::new(),
    }
}

fn receiving(name: String, index: usize, root: &Spanned<String>) -> Job<'_> {
    Job {
        name,
        kind: JobKind::Pull,
        pairs: vec![index],
        filesystems: Vec::new(),
        root_fs: Some(root),
        listeners: Vec::new(),
        snap_job: None,
        snapshots_for: Vec::new(),
    }
}

/// Adds a pair to the sink of its transport on the target, creating the sink if needed.
fn add_to_sink<'p>(
    jobs: &mut Vec<Job<'p>>,
    policy: &'p Policy,
    index: usize,
    transport: &Transport,
    root: &'p Spanned<String>,
) {
    let pair = &policy.pairs[index];
    let identity = policy.nodes[pair.nodes[0]].name.value.clone();
    let name = sink_name(transport);
    let listener = listener(pair, transport, identity);
    if let Some(sink) = jobs.iter_mut().find(|job| job.name == name) {
        sink.pairs.push(index);
        if !sink.listeners.contains(&listener) {
            sink.listeners.push(listener);
        }
        return;
    }
    let mut sink = receiving(name, index, root);
    sink.kind = JobKind::Sink;
    sink.listeners.push(listener);
    jobs.push(sink);
}

/// The name of the sink that receives a transport: one sink per listener, shared by pairs.
pub fn sink_name(transport: &Transport) -> String {
    match transport {
        Transport::Tcp { port } => format!("sink_tcp_{port}"),
        Transport::Tls { port, .. } => format!("sink_tls_{port}"),
        Transport::Ssh { .. } => "sink_ssh".to_owned(),
        Transport::Local => "sink_local".to_owned(),
    }
}

/// Where the serving side of a pair waits, for a client known by `identity`.
fn listener(pair: &Pair, transport: &Transport, identity: String) -> Listener {
    match transport {
        Transport::Tcp { port } | Transport::Tls { port, .. } => Listener::Port(*port),
        Transport::Ssh { .. } => Listener::Stdinserver(identity),
        Transport::Local => Listener::Local(local_listener(pair)),
    }
}

/// The name a `local` transport's jobs meet under: the host's one local sink, or a pull
/// pair's own source job.
pub fn local_listener(pair: &Pair) -> String {
    match pair.mode() {
        Mode::Push => "zplan_sink".to_owned(),
        Mode::Pull => pair.name.value.clone(),
    }
}

/// The identity the serving job knows the connecting node by: the source for a push,
/// the target for a pull; over tls, the common name of its certificate.
pub fn client_identity<'p>(policy: &'p Policy, pair: &Pair) -> &'p str {
    let connecting = match pair.mode() {
        Mode::Push => pair.nodes[0],
        Mode::Pull => pair.nodes[1],
    };
    let node = &policy.nodes[connecting];
    match zrepl_transport(pair) {
        Some(Transport::Tls { .. }) => common_name(node),
        _ => &node.name.value,
    }
}

/// The common name of a node's TLS certificate: `zrepl-cn`, or the node's name.
pub fn common_name(node: &Node) -> &str {
    node.zrepl_node.common_name.as_ref().map_or(&node.name.value, |name| &name.value)
}

/// The certificate and key a node presents over a tls transport: its own (`zrepl-cert`,
/// `zrepl-key`), else the transport's; `None` for a part neither gives.
pub fn tls_files<'a>(node: &'a Node, transport: &'a Transport) -> (Option<&'a str>, Option<&'a str>) {
    let (cert, key) = match transport {
        Transport::Tls { cert, key, .. } => (cert.as_deref(), key.as_deref()),
        _ => (None, None),
    };
    let own = &node.zrepl_node;
    (own.cert.as_ref().map(|c| c.value.as_str()).or(cert), own.key.as_ref().map(|k| k.value.as_str()).or(key))
}

/// A duration in zrepl's own syntax: one positive integer and the largest unit that
/// divides it exactly (`90s`, `10m`, `2w`).
pub fn duration(duration: Duration) -> String {
    const UNITS: [(u64, &str); 5] = [(7 * 86_400, "w"), (86_400, "d"), (3_600, "h"), (60, "m"), (1, "s")];
    let seconds = duration.seconds().max(1);
    let (size, unit) = UNITS.into_iter().find(|(size, _)| seconds % size == 0).unwrap_or((1, "s"));
    format!("{}{unit}", seconds / size)
}

/// A size in zrepl's syntax (`100 MiB`), or `None` for a unit zrepl lacks.
pub fn size(size: Size) -> Option<String> {
    let unit = match size.unit {
        SizeUnit::K => "KiB",
        SizeUnit::M => "MiB",
        SizeUnit::G => "GiB",
        SizeUnit::T => "TiB",
        SizeUnit::P => return None,
    };
    Some(format!("{} {unit}", size.amount))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_the_largest_exact_unit() {
        assert_eq!(duration(Duration(60)), "1m");
        assert_eq!(duration(Duration(90)), "90s");
        assert_eq!(duration(Duration(600)), "10m");
        assert_eq!(duration(Duration(86_400)), "1d");
        assert_eq!(duration(Duration(14 * 86_400)), "2w");
    }

    #[test]
    fn sizes_are_binary() {
        assert_eq!(size(Size { amount: 100, unit: SizeUnit::M }).as_deref(), Some("100 MiB"));
        assert_eq!(size(Size { amount: 1, unit: SizeUnit::P }), None);
    }

    /// A policy of three pulls from `nas`: two send `tank/home` less its cache, one sends
    /// `tank/home` whole; each retention named in `retentions`.
    fn three_pulls(retention: &str) -> Policy {
        let pair = |name: &str, port: u16, replicate: &str| {
            format!(
                "pair {name} {{\n  source nas\n  target far under tank/{name}\n  engine zrepl\n  mode pull\n  transport tcp port {port}\n  rpo 1h\n  retention keep\n  replicate {replicate}\n}}\n"
            )
        };
        let source = format!(
            "retention keep {{\n  {retention}\n}}\nnode nas {{\n  address 10.0.0.1\n}}\nnode far {{\n  address 10.0.0.2\n}}\n{}{}{}",
            pair("a", 8001, "tank/home recursive exclude tank/home/cache"),
            pair("b", 8002, "tank/home recursive exclude tank/home/cache"),
            pair("c", 8003, "tank/home recursive"),
        );
        let (policy, problems) = crate::model::build(&crate::syntax::parse(&source).unwrap());
        assert!(problems.is_empty(), "{problems:?}");
        policy
    }

    #[test]
    fn a_fan_out_is_the_pairs_that_send_exactly_the_same() {
        let policy = three_pulls("hourly 24");
        let fan_outs = fan_outs(&policy);
        assert_eq!(fan_outs, [FanOut { source: 0, pairs: vec![0, 1] }]);
        assert_eq!(fan_outs[0].snap_job_name(&policy), "a_b_snap");
        assert!(fan_out_of(&fan_outs, 2).is_none());
        let jobs = jobs_by_host(&policy);
        let snap_of = |name: &str| jobs.values().flatten().find(|job| job.name == name).unwrap().snap_job.clone();
        assert_eq!(snap_of("a_source"), Some("a_b_snap".to_owned()));
        assert_eq!(snap_of("b_pull"), Some("a_b_snap".to_owned()));
        assert_eq!(snap_of("c_source"), None);
    }

    #[test]
    fn zrepl_keeps_a_snapshot_as_long_as_its_retention_reaches() {
        let schedule = |policy: &Policy| crate::facts::schedule::choose(&policy.pairs[0]).unwrap();
        let kept = |retention: &str| {
            let policy = three_pulls(retention);
            kept_for(&policy.retentions[0], &schedule(&policy))
        };
        assert_eq!(kept("grid 1x1h:all 24x1h 14x1d"), Some(Duration(3_600 + 24 * 3_600 + 14 * 86_400)));
        assert_eq!(kept("all"), None);
        assert_eq!(kept("hourly 24\n  daily 7"), Some(Duration(7 * 86_400)));
        let policy = three_pulls("last 10");
        let every = schedule(&policy).snapshot_every;
        assert_eq!(kept_for(&policy.retentions[0], &schedule(&policy)), Some(Duration(10 * every.seconds())));
    }

    #[test]
    fn sinks_are_named_by_listener() {
        assert_eq!(sink_name(&Transport::Tcp { port: 8888 }), "sink_tcp_8888");
        assert_eq!(sink_name(&Transport::Local), "sink_local");
    }
}
