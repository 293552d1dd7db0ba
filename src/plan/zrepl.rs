//! Each host's zrepl.yml: the jobs of every zrepl pair it is in, snapshotting at the
//! interval the RPO needs, and pruning that never destroys what the target has not got.

use std::collections::BTreeMap;

use super::files::*;
use super::freebsd::rc_conf;
use super::systemd::FILE_MODE;
use crate::facts::schedule::{self, Schedule};
use crate::facts::zrepl::{self, Job, JobKind, SNAPSHOT_PREFIX};
use crate::facts::Facts;
use crate::model::{
    Address, BucketKeep, Duration, LogOutlet, LogSetting, Node, Os, Pair, PlaceholderEncryption, Policy, Retention,
    SendOption, SnapshotKind, Transport, ZreplRetention,
};

/// zrepl's conventional Prometheus port, its listener's when the node declares none.
pub const ZREPL_MONITORING_PORT: u16 = 9811;

/// Adds the zrepl.yml of every host that runs a zrepl job, and on FreeBSD its rc.conf.
pub fn zrepl_files(facts: &Facts<'_>, files: &mut Files) {
    let policy = facts.policy;
    let mut hosts: BTreeMap<usize, Vec<ZreplJob>> = facts
        .jobs
        .iter()
        .map(|(host, jobs)| (*host, jobs.iter().map(|job| job_config(facts, job)).collect()))
        .collect();
    for (host, snap_jobs) in super::snapshots::zrepl_snap_jobs(policy) {
        hosts.entry(host).or_default().extend(snap_jobs);
    }
    for (host, jobs) in hosts {
        let node = &policy.nodes[host];
        let name = &node.name.value;
        let config = ZreplConfig {
            host: name.clone(),
            version: node.zrepl.as_str(),
            logging: logging(node),
            monitoring: Scalar::text(&format!(
                ":{}",
                node.zrepl_node.monitoring.as_ref().map_or(ZREPL_MONITORING_PORT, |port| port.value)
            )),
            jobs,
        };
        let (path, actions) = match node.os.value {
            Os::Linux => (
                "etc/zrepl/zrepl.yml",
                vec![Action::EnableNow("zrepl.service".to_owned()), Action::Restart("zrepl.service".to_owned())],
            ),
            Os::FreeBsd => ("usr/local/etc/zrepl/zrepl.yml", vec![Action::ServiceRestart("zrepl".to_owned())]),
        };
        files.add(name, path, FILE_MODE, Content::Zrepl(config), actions);
        if node.os.value == Os::FreeBsd {
            let comment = "Start zrepl at boot; it reads /usr/local/etc/zrepl/zrepl.yml.";
            rc_conf(files, name, "zrepl", comment, vec![("zrepl_enable", "YES".to_owned())]);
        }
    }
}

/// The node's logging outlets, or syslog at `warn` when it names none.
fn logging(node: &Node) -> Vec<Vec<Field>> {
    const DEFAULT: LogSetting = LogSetting { outlet: LogOutlet::Syslog, level: crate::model::LogLevel::Warn };
    let outlets: Vec<LogSetting> = node.zrepl_node.logging.iter().map(|outlet| outlet.value).collect();
    let outlets = if outlets.is_empty() { vec![DEFAULT] } else { outlets };
    outlets
        .into_iter()
        .map(|outlet| {
            vec![
                Field::new("type", Scalar::word(outlet.outlet.keyword())),
                Field::new("format", Scalar::word("human")),
                Field::new("level", Scalar::word(outlet.level.keyword())),
            ]
        })
        .collect()
}

/// `replication.protection` of an active job, when the pair sets it.
fn protection(pair: &Pair) -> Vec<Field> {
    pair.zrepl_options.protection.as_ref().map_or_else(Vec::new, |protection| {
        vec![
            Field::new("initial", Scalar::word(protection.value.initial.value.zrepl_value())),
            Field::new("incremental", Scalar::word(protection.value.incremental.value.zrepl_value())),
        ]
    })
}

fn job_config(facts: &Facts<'_>, job: &Job<'_>) -> ZreplJob {
    let policy = facts.policy;
    let pair = &policy.pairs[job.pairs[0]];
    match job.kind {
        JobKind::Push => push_job(facts, pair, job),
        JobKind::Source => source_job(facts, pair, job),
        JobKind::Sink => sink_job(policy, job),
        JobKind::Pull => pull_job(facts, pair, job),
        JobKind::Snap => snap_job(facts, pair, job),
    }
}

fn empty_job(job: &Job<'_>, comments: Vec<String>) -> ZreplJob {
    ZreplJob {
        comments,
        name: Scalar::text(&job.name),
        kind: Scalar::word(job.kind.zrepl_type()),
        connect: Vec::new(),
        serve: Vec::new(),
        serve_nested: None,
        root_fs: None,
        interval: None,
        filesystems: Vec::new(),
        send: Vec::new(),
        bandwidth_limit: None,
        recv_override: Vec::new(),
        placeholder_encryption: None,
        protection: Vec::new(),
        snapshotting: Vec::new(),
        keep_sender: Vec::new(),
        keep_receiver: Vec::new(),
        keep: Vec::new(),
    }
}

fn transport(pair: &Pair) -> &Transport {
    zrepl::zrepl_transport(pair).expect("checks require a transport of every zrepl pair")
}

fn push_job(facts: &Facts<'_>, pair: &Pair, job: &Job<'_>) -> ZreplJob {
    let policy = facts.policy;
    let [source, target] = pair.nodes.map(|n| &policy.nodes[n]);
    let schedule = facts.planned(pair);
    let comments = vec![
        format!(
            "{} {}: snapshot every {} and push each snapshot to {} ({}).",
            pair.kind.title(),
            pair.name.value,
            schedule.snapshot_every,
            target.name.value,
            target.address.value
        ),
        rpo_line(policy, pair, &schedule),
        format!("The sender keeps every snapshot {} has not received, and the last one it has.", target.name.value),
    ];
    let mut comments = comments;
    if !job.snapshots_for.is_empty() {
        let mut others: Vec<&str> = job.snapshots_for.iter().map(|i| policy.pairs[*i].name.value.as_str()).collect();
        others.sort_unstable();
        comments.push(format!(
            "It also snapshots for pair {}, fetched through their own source jobs; no other job prunes these datasets on {}.",
            others.join(", pair "),
            source.name.value
        ));
    }
    ZreplJob {
        connect: connect(pair, source, target),
        protection: protection(pair),
        ..sending_parts(policy, pair, job, comments, &schedule)
    }
}

fn source_job(facts: &Facts<'_>, pair: &Pair, job: &Job<'_>) -> ZreplJob {
    let policy = facts.policy;
    let target = &policy.nodes[pair.nodes[1]];
    let schedule = facts.planned(pair);
    let (kind, name, peer, every) = (pair.kind.title(), &pair.name.value, &target.name.value, schedule.replicate_every);
    let comment = match &job.snap_job {
        Some(snap_job) => format!(
            "{kind} {name}: serve {peer} ({}), which pulls every {every}; the job {snap_job} snapshots every {}.",
            target.address.value, schedule.snapshot_every
        ),
        None => format!(
            "{kind} {name}: snapshot every {} and serve {peer} ({}), which pulls every {every}.",
            schedule.snapshot_every, target.address.value
        ),
    };
    let comments = vec![comment];
    let mut config = sending_parts(policy, pair, job, comments, &schedule);
    (config.serve, config.serve_nested) = serve(pair, &policy.nodes[pair.nodes[0]], &[target]);
    config.keep_sender.clear();
    config.keep_receiver.clear();
    config
}

/// What a push and a source job share: the datasets, send options, snapshots and pruning.
/// In a fan-out the snap job snapshots: a sending job's snapshotting is manual.
fn sending_parts(policy: &Policy, pair: &Pair, job: &Job<'_>, comments: Vec<String>, schedule: &Schedule) -> ZreplJob {
    let snapshotting = if job.snap_job.is_some() {
        vec![Field::new("type", Scalar::word("manual"))]
    } else {
        vec![
            Field::new("type", Scalar::word("periodic")),
            Field::new("prefix", Scalar::text(SNAPSHOT_PREFIX)),
            Field::new("interval", Scalar::duration(schedule.snapshot_every)),
        ]
    };
    ZreplJob {
        filesystems: filesystems(pair),
        send: send_options(pair),
        bandwidth_limit: pair
            .bandwidth_limit
            .as_ref()
            .and_then(|limit| zrepl::size(limit.value))
            .map(|s| Scalar::text(&s)),
        snapshotting,
        keep_sender: keep_sender(&policy.retentions[pair.retention], schedule),
        keep_receiver: keep_receiver(&policy.retentions[pair.receiver_retention()], schedule),
        ..empty_job(job, comments)
    }
}

fn sink_job(policy: &Policy, job: &Job<'_>) -> ZreplJob {
    let pairs: Vec<&Pair> = job.pairs.iter().map(|index| &policy.pairs[*index]).collect();
    let root = &job.root_fs.expect("a sink has a root").value;
    let mut names: Vec<&str> = pairs.iter().map(|pair| pair.name.value.as_str()).collect();
    names.sort_unstable();
    let comments = vec![
        format!("Receives the pushes of pair {} under {root}, read-only:", names.join(", pair ")),
        format!("dataset D of client C lands at {root}/C/D."),
    ];
    let mut sources: Vec<&Node> = pairs.iter().map(|pair| &policy.nodes[pair.nodes[0]]).collect();
    sources.sort_by(|a, b| a.name.value.cmp(&b.name.value));
    sources.dedup_by(|a, b| a.name.value == b.name.value);
    let (serve, serve_nested) = serve(pairs[0], &policy.nodes[pairs[0].nodes[1]], &sources);
    ZreplJob { serve, serve_nested, ..receiving_parts(pairs[0], job, root, comments) }
}

/// The snap job of a fan-out: it snapshots the datasets of every pair, at the interval they
/// agree on, and is the one job that prunes them on the source, by their retention.
fn snap_job(facts: &Facts<'_>, pair: &Pair, job: &Job<'_>) -> ZreplJob {
    let policy = facts.policy;
    let schedule = facts.planned(pair);
    let mut names: Vec<&str> = job.pairs.iter().map(|index| policy.pairs[*index].name.value.as_str()).collect();
    names.sort_unstable();
    let retention = &policy.retentions[pair.retention];
    let comments = vec![
        format!(
            "Pairs {}: one snap job snapshots every {} and prunes by retention {}.",
            names.join(", "),
            schedule.snapshot_every,
            retention.name.value
        ),
        "Each pair replicates on its own and prunes only its target; zrepl's cursor bookmark per job keeps each incremental.".to_owned(),
    ];
    ZreplJob {
        filesystems: filesystems(pair),
        snapshotting: vec![
            Field::new("type", Scalar::word("periodic")),
            Field::new("prefix", Scalar::text(SNAPSHOT_PREFIX)),
            Field::new("interval", Scalar::duration(schedule.snapshot_every)),
        ],
        keep: keep_receiver(retention, &schedule),
        ..empty_job(job, comments)
    }
}

/// A replication of a fan-out prunes nothing on the source: its snap job does.
fn keep_every_sent_snapshot() -> Vec<Vec<Field>> {
    vec![
        vec![
            Field::new("type", Scalar::word("not_replicated")),
            Field::new("keep_snapshot_at_cursor", Scalar::flag(true)),
        ],
        vec![Field::new("type", Scalar::word("regex")), Field::new("regex", Scalar::text(".*"))],
    ]
}

fn pull_job(facts: &Facts<'_>, pair: &Pair, job: &Job<'_>) -> ZreplJob {
    let policy = facts.policy;
    let [source, target] = pair.nodes.map(|n| &policy.nodes[n]);
    let schedule = facts.planned(pair);
    let root = &job.root_fs.expect("a pull job has a root").value;
    let mut comments = vec![format!(
        "{} {}: pull from {} ({}) every {} into {root}, read-only.",
        pair.kind.title(),
        pair.name.value,
        source.name.value,
        source.address.value,
        schedule.replicate_every
    )];
    match &job.snap_job {
        Some(snap_job) => comments.extend(fan_out_lines(policy, pair, snap_job, &schedule)),
        None => comments.extend([
            rpo_line(policy, pair, &schedule),
            format!("The sender keeps every snapshot {} has not pulled, and the last one it has.", target.name.value),
        ]),
    }
    ZreplJob {
        connect: connect(pair, target, source),
        interval: Some(Scalar::duration(schedule.replicate_every)),
        protection: protection(pair),
        keep_sender: match job.snap_job {
            Some(_) => keep_every_sent_snapshot(),
            None => keep_sender(&policy.retentions[pair.retention], &schedule),
        },
        keep_receiver: keep_receiver(&policy.retentions[pair.receiver_retention()], &schedule),
        ..receiving_parts(pair, job, root, comments)
    }
}

/// What a pull of a fan-out may lose, and why its snap job never prunes a snapshot before
/// this pull had the chance to fetch it.
fn fan_out_lines(policy: &Policy, pair: &Pair, snap_job: &str, schedule: &Schedule) -> Vec<String> {
    let source = &policy.nodes[pair.nodes[0]].name.value;
    let retention = &policy.retentions[pair.retention];
    let worst =
        format!("Worst-case loss: {}, {}.", schedule.arithmetic(), schedule::rpo_clause(pair.rpo.as_ref(), "the"));
    let outage = pair.outage.as_ref().map_or(crate::model::Duration(0), |o| o.value);
    let needed = schedule.replicate_every + schedule.transfer + outage;
    let kept = match zrepl::kept_for(retention, schedule) {
        Some(kept) => format!("keeps each snapshot {kept}, longer than the {needed} this pull may take to fetch it"),
        None => "keeps every snapshot".to_owned(),
    };
    vec![
        worst,
        format!("The job {snap_job} on {source} prunes by retention {}: it {kept}.", retention.name.value),
        format!("This job prunes nothing on {source}."),
    ]
}

/// A receiving job's root and receive options: every copy read-only, placeholders
/// inheriting their parent's encryption unless the pair says `off`.
fn receiving_parts(pair: &Pair, job: &Job<'_>, root: &str, comments: Vec<String>) -> ZreplJob {
    let placeholder = pair.zrepl_options.placeholder.as_ref().map(|p| p.value).unwrap_or_default();
    ZreplJob {
        root_fs: Some(Scalar::text(root)),
        recv_override: vec![Field::new("readonly", Scalar::text("on"))],
        placeholder_encryption: Some(match placeholder {
            PlaceholderEncryption::Inherit => Scalar::word("inherit"),
            PlaceholderEncryption::Off => Scalar::text("off"),
        }),
        ..empty_job(job, comments)
    }
}

fn rpo_line(policy: &Policy, pair: &Pair, schedule: &Schedule) -> String {
    let pile_up = pair.outage.as_ref().map_or_else(String::new, |outage| {
        let pile_up = crate::facts::schedule::pile_up(&policy.retentions[pair.retention], schedule, outage.value);
        format!(" {}", pile_up.sentence(outage.value))
    });
    format!("Worst-case loss: {}, {}.{pile_up}", schedule.arithmetic(), schedule::rpo_clause(pair.rpo.as_ref(), "the"))
}

/// `host:port`, with brackets around an IPv6 address; zrepl resolves a host name when it connects.
fn address(host: &Address, port: u16) -> String {
    host.with_suffix(&port.to_string())
}

/// How the active job of `own` reaches the serving job of `peer`, as `identity` knows it.
fn connect(pair: &Pair, own: &Node, peer: &Node) -> Vec<Field> {
    let text = |value: &str| Scalar::text(value);
    match transport(pair) {
        Transport::Tcp { port } => vec![
            Field::new("type", Scalar::word("tcp")),
            Field::new("address", text(&address(&peer.address.value, *port))),
        ],
        transport @ Transport::Tls { port, ca, .. } => {
            let (cert, key) = zrepl::tls_files(own, transport);
            vec![
                Field::new("type", Scalar::word("tls")),
                Field::new("address", text(&address(&peer.address.value, *port))),
                Field::new("ca", text(ca)),
                Field::new("cert", text(cert.unwrap_or_default())),
                Field::new("key", text(key.unwrap_or_default())),
                Field::new("server_cn", text(zrepl::common_name(peer))),
            ]
        }
        Transport::Ssh { port, user, identity } => vec![
            Field::new("type", Scalar::word("ssh+stdinserver")),
            Field::new("host", text(&peer.address.value.to_string())),
            Field::new("user", text(user)),
            Field::new("port", Scalar::number(u64::from(*port))),
            Field::new("identity_file", text(identity.as_deref().unwrap_or(default_identity(own.os.value)))),
        ],
        Transport::Local => vec![
            Field::new("type", Scalar::word("local")),
            Field::new("listener_name", text(&zrepl::local_listener(pair))),
            Field::new("client_identity", text(&own.name.value)),
        ],
    }
}

/// The ssh key zrepl's documentation uses, under the OS's zrepl config directory.
fn default_identity(os: Os) -> &'static str {
    match os {
        Os::Linux => "/etc/zrepl/ssh/identity",
        Os::FreeBsd => "/usr/local/etc/zrepl/ssh/identity",
    }
}

/// Where a serving job of `pair` on `own` listens, and the clients it knows (by node name,
/// or by certificate common name over tls).
fn serve(pair: &Pair, own: &Node, clients: &[&Node]) -> (Vec<Field>, Option<Nested>) {
    let names = || clients.iter().map(|node| Scalar::text(&node.name.value)).collect();
    let common_names = || clients.iter().map(|node| Scalar::text(zrepl::common_name(node))).collect();
    let nested =
        |key: &'static str, entries: Vec<Field>, items: Vec<Scalar>| Nested { key: Scalar::word(key), entries, items };
    match transport(pair) {
        Transport::Tcp { port } => {
            let entries = clients
                .iter()
                .map(|node| Field {
                    key: Scalar::text(&node.address.value.to_string()),
                    value: Scalar::text(&node.name.value),
                })
                .collect();
            let fields =
                vec![Field::new("type", Scalar::word("tcp")), Field::new("listen", Scalar::text(&format!(":{port}")))];
            (fields, Some(nested("clients", entries, Vec::new())))
        }
        transport @ Transport::Tls { port, ca, .. } => {
            let (cert, key) = zrepl::tls_files(own, transport);
            let fields = vec![
                Field::new("type", Scalar::word("tls")),
                Field::new("listen", Scalar::text(&format!(":{port}"))),
                Field::new("ca", Scalar::text(ca)),
                Field::new("cert", Scalar::text(cert.unwrap_or_default())),
                Field::new("key", Scalar::text(key.unwrap_or_default())),
            ];
            (fields, Some(nested("client_cns", Vec::new(), common_names())))
        }
        Transport::Ssh { .. } => (
            vec![Field::new("type", Scalar::word("stdinserver"))],
            Some(nested("client_identities", Vec::new(), names())),
        ),
        Transport::Local => {
            let listener = Field::new("listener_name", Scalar::text(&zrepl::local_listener(pair)));
            (vec![Field::new("type", Scalar::word("local")), listener], None)
        }
    }
}

/// Each replicated dataset (`D<` with its children), each excluded subtree (`X<: false`),
/// and for `replicate DATASET children` the parent itself (`DATASET: false`, which zrepl's
/// filter puts before the subtree's rule: the most specific pattern wins), so that it is
/// neither snapshotted nor sent.
fn filesystems(pair: &Pair) -> Vec<Field> {
    let mut patterns: Vec<(String, bool)> = Vec::new();
    for replicated in &pair.datasets {
        let dataset = &replicated.dataset.value;
        patterns.push((if replicated.recursive { format!("{dataset}<") } else { dataset.clone() }, true));
        if replicated.children_only {
            patterns.push((dataset.clone(), false));
        }
        patterns.extend(replicated.exclude.iter().map(|excluded| (format!("{}<", excluded.value), false)));
    }
    patterns.sort_unstable();
    patterns.dedup();
    patterns.into_iter().map(|(pattern, on)| Field { key: Scalar::text(&pattern), value: Scalar::flag(on) }).collect()
}

/// `encrypted` always, spelled out, then every other option the pair sets.
fn send_options(pair: &Pair) -> Vec<Field> {
    let declared = |option: SendOption| pair.send.iter().find(|flag| flag.value.option == option).map(|f| f.value.on);
    SendOption::ALL
        .into_iter()
        .filter_map(|option| match (option, declared(option)) {
            (SendOption::Encrypted, on) => Some((option, on.unwrap_or(false))),
            (_, Some(on)) => Some((option, on)),
            (_, None) => None,
        })
        .map(|(option, on)| Field::new(option.zrepl_key(), Scalar::flag(on)))
        .collect()
}

/// The regex every prune rule is restricted to: only zrepl's own snapshots.
fn own_snapshots() -> Scalar {
    Scalar::text(&format!("^{SNAPSHOT_PREFIX}"))
}

/// The sender first keeps every snapshot not yet replicated and the one at the
/// replication cursor (the last the receiver has), then the retention, then every
/// snapshot zrepl did not make.
fn keep_sender(retention: &Retention, schedule: &Schedule) -> Vec<Vec<Field>> {
    let not_replicated = vec![
        Field::new("type", Scalar::word("not_replicated")),
        Field::new("keep_snapshot_at_cursor", Scalar::flag(true)),
    ];
    let mut rules = vec![not_replicated];
    rules.extend(keep_receiver(retention, schedule));
    rules
}

/// The retention as zrepl rules on zrepl's snapshots, then every other snapshot kept.
fn keep_receiver(retention: &Retention, schedule: &Schedule) -> Vec<Vec<Field>> {
    keep_rules(retention, schedule::frequent_count(retention, schedule), schedule.snapshot_every)
}

/// The retention as zrepl rules on zrepl's snapshots, with `frequent` snapshots `period`
/// apart, then every other snapshot kept: a receiver's, or a `snap` job's own pruning.
pub(super) fn keep_rules(retention: &Retention, frequent: u32, period: Duration) -> Vec<Vec<Field>> {
    if let Some(written) = &retention.zrepl {
        return written_rules(&written.value);
    }
    let mut rules = Vec::new();
    if let Some(last) = &retention.last {
        rules.push(vec![
            Field::new("type", Scalar::word("last_n")),
            Field::new("count", Scalar::number(u64::from(last.value))),
            Field::new("regex", own_snapshots()),
        ]);
    }
    if let Some(grid) = grid(retention, frequent, period) {
        rules.push(vec![
            Field::new("type", Scalar::word("grid")),
            Field::new("grid", Scalar::text(&grid)),
            Field::new("regex", own_snapshots()),
        ]);
    }
    rules.push(vec![
        Field::new("type", Scalar::word("regex")),
        Field::new("negate", Scalar::flag(true)),
        Field::new("regex", own_snapshots()),
    ]);
    rules
}

/// A retention written for zrepl: its grid on zrepl's snapshots then every other snapshot
/// kept, or one rule that keeps every snapshot.
fn written_rules(written: &ZreplRetention) -> Vec<Vec<Field>> {
    let ZreplRetention::Grid(buckets) = written else {
        return vec![vec![Field::new("type", Scalar::word("regex")), Field::new("regex", Scalar::text(".*"))]];
    };
    let grid: Vec<String> = buckets
        .iter()
        .map(|bucket| {
            let keep = match bucket.keep {
                BucketKeep::All => "(keep=all)".to_owned(),
                BucketKeep::Count(1) => String::new(),
                BucketKeep::Count(count) => format!("(keep={count})"),
            };
            format!("{}x{}{keep}", bucket.repeat, zrepl::duration(bucket.length))
        })
        .collect();
    vec![
        vec![
            Field::new("type", Scalar::word("grid")),
            Field::new("grid", Scalar::text(&grid.join(" | "))),
            Field::new("regex", own_snapshots()),
        ],
        vec![
            Field::new("type", Scalar::word("regex")),
            Field::new("negate", Scalar::flag(true)),
            Field::new("regex", own_snapshots()),
        ],
    ]
}

/// The kinds of a retention as a zrepl grid, `60x1m | 24x1h | 7x1d`: one bucket per kept
/// snapshot, each as long as the kind's period. A retention of only `last N` has none.
fn grid(retention: &Retention, frequent: u32, period: Duration) -> Option<String> {
    if retention.counts.is_empty() && retention.last.is_some() {
        return None;
    }
    let buckets: Vec<String> = SnapshotKind::ALL
        .into_iter()
        .filter_map(|kind| {
            let count = match kind {
                SnapshotKind::Frequently => frequent,
                other => retention.count(other).map_or(0, |c| c.value),
            };
            let period = kind.fixed_period().unwrap_or(period);
            (count > 0).then(|| format!("{count}x{}", zrepl::duration(period)))
        })
        .collect();
    (!buckets.is_empty()).then(|| buckets.join(" | "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_addresses_are_bracketed() {
        assert_eq!(address(&Address::Ip("fd00::1".parse().unwrap()), 8888), "[fd00::1]:8888");
        assert_eq!(address(&Address::Ip("10.0.0.1".parse().unwrap()), 8888), "10.0.0.1:8888");
        assert_eq!(address(&Address::Name("nas.lan".to_owned()), 8888), "nas.lan:8888");
    }
}
