//! Prometheus: the textfile metrics every host writes (its units' runs, its snapshots'
//! ages and counts), the alerting rules that hold them to the freshness proofs, and the
//! promtool unit tests that show each rule firing one evaluation after its bound.

use std::collections::BTreeMap;

use super::files::{
    Action, AlertCheck, AlertRule, Content, CronTable, ExpectedAlert, Field, Files, MetricDataset, PrometheusRules,
    PrometheusTests, RuleGroup, RuleTest, Scalar, Script, TestSeries, Unit,
};
use super::monitor::{cron_schedule, CRON_PATH};
use super::systemd::{FILE_MODE, LIBEXEC_DIR, SCRIPT_MODE, UNIT_DIR};
use crate::facts::freshness::{freshness, Freshness, Side};
use crate::facts::Facts;
use crate::model::monitoring::Monitoring;
use crate::model::{Duration, Os, Policy};

/// The rules file, in the rules folder of the Prometheus host.
pub const RULES_FILE: &str = "zplan.rules.yml";
/// The promtool unit tests of the rules, beside them.
pub const RULES_TEST_FILE: &str = "zplan.rules.test.yml";
/// The stem of the unit and timer that write the snapshot metrics.
const SNAPSHOT_METRICS: &str = "zplan-snapshot-metrics";
/// At most this many datasets of each rule group get unit tests: each rule is the same
/// expression with other numbers, and a fleet's test file must stay quick to run.
const TESTED_PER_GROUP: usize = 3;
/// At most this many subjects get unit tests in all: each test evaluates every rule of the
/// file, so a fleet's tests would grow with the square of its size.
const TESTED_IN_ALL: usize = 12;
/// The minute of a test at which a stopped system's newest snapshot is exactly its bound
/// old: the alert must be absent then and present one evaluation (a minute) later.
const BOUND_MINUTE: u64 = 1;

/// The newest-snapshot metric.
const NEWEST: &str = "zplan_snapshot_newest_timestamp_seconds";

/// Adds every host's metric scripts and units, and the rules and their tests on the
/// Prometheus host.
pub fn prometheus_files(facts: &Facts<'_>, files: &mut Files) {
    let policy = facts.policy;
    let bounds = freshness(facts);
    snapshot_metrics(policy, &bounds, files);
    let unit_hosts = unit_metrics(policy, files);
    let subjects = subjects(policy, &bounds);
    let groups = rule_groups(policy, &subjects, &bounds, &unit_hosts);
    if groups.is_empty() {
        return;
    }
    let tests = rule_tests(&subjects);
    let host = &policy.monitoring.prometheus.value;
    let freebsd = host_os(policy, host) == Some(Os::FreeBsd);
    let (dir, reload) = match freebsd {
        true => ("usr/local/etc/prometheus/rules", Action::ServiceReload("prometheus".to_owned())),
        false => ("etc/prometheus/rules", Action::ReloadOrRestart("prometheus.service".to_owned())),
    };
    let rules = Content::PrometheusRules(PrometheusRules { groups });
    files.add(host, format!("{dir}/{RULES_FILE}"), FILE_MODE, rules, vec![reload]);
    let tests = Content::PrometheusTests(PrometheusTests { rule_file: RULES_FILE, tests });
    files.add(host, format!("{dir}/{RULES_TEST_FILE}"), FILE_MODE, tests, Vec::new());
}

/// The OS of a node or client of the policy by name; `None` for a host outside it.
fn host_os(policy: &Policy, name: &str) -> Option<Os> {
    let nodes = policy.nodes.iter().map(|node| (&node.name.value, node.os.value));
    let clients = policy.clients.iter().map(|client| (&client.name.value, client.os.value));
    nodes.chain(clients).find(|(host, _)| *host == name).map(|(_, os)| os)
}

/// The snapshot metrics script, unit and timer of every Linux node that holds a dataset
/// with a freshness bound.
fn snapshot_metrics(policy: &Policy, bounds: &[Freshness], files: &mut Files) {
    let mut by_node: BTreeMap<usize, BTreeMap<String, MetricDataset>> = BTreeMap::new();
    for bound in bounds {
        let dataset = MetricDataset {
            name: bound.dataset.clone(),
            recursive: bound.recursive,
            children_only: bound.children_only,
        };
        by_node.entry(bound.node).or_default().entry(bound.dataset.clone()).or_insert(dataset);
    }
    let monitoring = &policy.monitoring;
    for (node, datasets) in by_node {
        let node = &policy.nodes[node];
        let host = &node.name.value;
        let script = Script::SnapshotMetrics {
            host: host.clone(),
            textfile_dir: monitoring.textfile_dir.value.clone(),
            datasets: datasets.into_values().collect(),
        };
        let path = format!("{LIBEXEC_DIR}/snapshot-metrics");
        files.add(host, path.clone(), SCRIPT_MODE, Content::Script(script), Vec::new());
        if node.os.value == Os::FreeBsd {
            snapshot_metrics_cron(monitoring, host, &path, files);
            continue;
        }
        let service = Unit::default()
            .section(
                "Unit",
                vec![
                    ("Description", "zplan: the age and count of the newest snapshots, for Prometheus".to_owned()),
                    ("After", "zfs.target".to_owned()),
                ],
            )
            .section("Service", vec![("Type", "oneshot".to_owned()), ("ExecStart", format!("/{path}"))]);
        let every = monitoring.check_every.value.seconds();
        let timer = Unit::default()
            .section(
                "Unit",
                vec![("Description", format!("zplan: snapshot metrics every {}", monitoring.check_every.value))],
            )
            .section(
                "Timer",
                vec![
                    ("OnBootSec", "1min".to_owned()),
                    ("OnUnitActiveSec", format!("{every}s")),
                    ("AccuracySec", "1s".to_owned()),
                    ("Unit", format!("{SNAPSHOT_METRICS}.service")),
                ],
            )
            .section("Install", vec![("WantedBy", "timers.target".to_owned())]);
        super::systemd::add_timed_service(files, host, SNAPSHOT_METRICS, service, timer);
    }
}

/// FreeBSD has no timers of systemd: cron runs the snapshot metrics every `check-every`, and
/// hands the output of a failed run to the notify script.
fn snapshot_metrics_cron(monitoring: &Monitoring, host: &str, script: &str, files: &mut Files) {
    let every = monitoring.check_every.value;
    let output = "/var/run/zplan-snapshot-metrics.out";
    let table = CronTable {
        comments: vec![format!("Write the snapshot metrics of node {host} for node_exporter every {every}.")],
        path: CRON_PATH.to_owned(),
        lines: vec![format!(
            "{} root /{script} >{output} 2>&1 || /{LIBEXEC_DIR}/notify snapshot-metrics {output}",
            cron_schedule(every)
        )],
    };
    files.add(host, format!("usr/local/etc/cron.d/{SNAPSHOT_METRICS}"), FILE_MODE, Content::CronTable(table), vec![]);
}

/// Gives every zplan service of every Linux host an `ExecStopPost=` that writes its run's
/// metrics (the unit's name written out: specifiers are a trap zplan keeps out of units),
/// and each such host the script; returns those hosts. The `-` keeps a metrics failure from
/// failing the unit.
fn unit_metrics(policy: &Policy, files: &mut Files) -> Vec<String> {
    let script = format!("/{LIBEXEC_DIR}/unit-metrics");
    let mut hosts: Vec<String> = Vec::new();
    for ((host, path), file) in files.0.iter_mut() {
        let is_service = path.starts_with(UNIT_DIR) && path.ends_with(".service") && !path.contains(".d/");
        let Content::Unit(unit) = &mut file.content else { continue };
        let Some(service) = unit.sections.iter_mut().find(|section| section.name == "Service") else { continue };
        if !is_service || host_os(policy, host) != Some(Os::Linux) {
            continue;
        }
        let name = path.rsplit('/').next().unwrap_or(path);
        service.entries.push(super::files::Entry { key: "ExecStopPost", value: format!("-{script} {name}") });
        if hosts.last() != Some(host) {
            hosts.push(host.clone());
        }
    }
    hosts.dedup();
    for host in &hosts {
        let content = Content::Script(Script::UnitMetrics {
            host: host.clone(),
            textfile_dir: policy.monitoring.textfile_dir.value.clone(),
        });
        files.add(host, format!("{LIBEXEC_DIR}/unit-metrics"), SCRIPT_MODE, content, Vec::new());
    }
    hosts
}

/// What a freshness rule is about: one dataset on one side, held on one host, or on the
/// two nodes of a followed pair, whichever holds that role at the time.
#[derive(Debug, Clone)]
struct Subject {
    /// The rule group: the host's name, or the followed pair's.
    group: String,
    hosts: Vec<String>,
    dataset: String,
    pair: Option<String>,
    snapshots: bool,
    /// The node that sends, for a receiving side of fixed roles.
    from: Option<String>,
    bound: Duration,
    threshold: Duration,
    arithmetic: String,
    /// Where the outage alert fires, and how that is made.
    horizon: Option<(Duration, String)>,
}

impl Subject {
    /// Another pair snapshots the same dataset on the same host (a fan-out's source): one
    /// rule, held to the tighter bound, names both pairs.
    fn merge_snapshots(&mut self, pair: Option<String>, bound: &Freshness) {
        if let Some(pair) = pair {
            let mut pairs: Vec<&str> = self.pair.iter().flat_map(|pairs| pairs.split(' ')).collect();
            pairs.push(&pair);
            pairs.sort_unstable();
            pairs.dedup();
            self.pair = Some(pairs.join(" "));
        }
        if bound.bound < self.bound {
            self.bound = bound.bound;
            self.threshold = bound.bound;
            self.arithmetic = bound.arithmetic.clone();
        }
    }
}

/// One subject per host, dataset and side; a followed pair's two nodes make one subject.
fn subjects(policy: &Policy, bounds: &[Freshness]) -> Vec<Subject> {
    let mut subjects: Vec<Subject> = Vec::new();
    for bound in bounds {
        let host = policy.nodes[bound.node].name.value.clone();
        let pair = bound.pair.map(|index| policy.pairs[index].name.value.clone());
        let snapshots = bound.side == Side::Snapshots;
        let followed = bound.active_role.is_some();
        let group = match (&pair, followed) {
            (Some(pair), true) => format!("pair {pair}"),
            _ => format!("host {host}"),
        };
        let twin = subjects.iter_mut().find(|subject| {
            followed && subject.group == group && subject.dataset == bound.dataset && subject.snapshots == snapshots
        });
        if let Some(twin) = twin {
            twin.hosts.push(host);
            continue;
        }
        let same_snapshots = subjects.iter_mut().find(|subject| {
            !followed && snapshots && subject.snapshots && subject.group == group && subject.dataset == bound.dataset
        });
        if let Some(same) = same_snapshots {
            same.merge_snapshots(pair, bound);
            continue;
        }
        let from = match (bound.side, followed) {
            (Side::Receives { from }, false) => Some(policy.nodes[from].name.value.clone()),
            _ => None,
        };
        subjects.push(Subject {
            group,
            hosts: vec![host],
            dataset: bound.dataset.clone(),
            pair,
            snapshots,
            from,
            bound: bound.bound,
            threshold: bound.threshold,
            arithmetic: bound.arithmetic.clone(),
            horizon: bound.outage.and_then(|outage| horizon(bound.threshold, outage)),
        });
    }
    for subject in &mut subjects {
        subject.hosts.sort();
    }
    subjects.sort_by(|a, b| {
        let key = |s: &Subject| (s.group.clone(), s.dataset.clone(), !s.snapshots, s.pair.clone(), s.from.clone());
        key(a).cmp(&key(b))
    });
    subjects
}

/// Where the outage alert fires: halfway from the copy's threshold to the declared outage,
/// so that as much time is left to act as has passed since the copy was due.
fn horizon(threshold: Duration, outage: Duration) -> Option<(Duration, String)> {
    let margin = outage.seconds().checked_sub(threshold.seconds()).filter(|margin| *margin >= 120)?;
    let at = Duration(threshold.seconds() + margin / 2);
    let arithmetic = format!("{threshold} threshold + ({outage} outage - {threshold}) / 2 = {at}");
    Some((at, arithmetic))
}

/// A PromQL string literal.
fn promql_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The newest-snapshot series of a dataset on one host.
fn newest_selector(host: &str, dataset: &str) -> String {
    format!("{NEWEST}{{host={},dataset={}}}", promql_string(host), promql_string(dataset))
}

/// The age of a subject's newest snapshot: on a followed pair, the active node's (the
/// newer) for the snapshotting side, the standby's (the older) for the receiving side.
fn age(subject: &Subject) -> String {
    let series: Vec<String> = subject.hosts.iter().map(|host| newest_selector(host, &subject.dataset)).collect();
    let aggregate = if subject.snapshots { "max" } else { "min" };
    format!("time() - {aggregate}({})", series.join(" or "))
}

/// The labels every alert of a subject carries.
fn subject_labels(subject: &Subject, severity: &'static str) -> Vec<Field> {
    let mut labels = vec![Field::new("severity", Scalar::word(severity))];
    labels.push(Field::new("host", Scalar::text(&subject.hosts.join(" "))));
    labels.push(Field::new("dataset", Scalar::text(&subject.dataset)));
    if let Some(pair) = &subject.pair {
        labels.push(Field::new("pair", Scalar::text(pair)));
    }
    labels
}

/// The rules of one subject, each with its alert name, labels and annotations.
fn subject_rules(subject: &Subject) -> Vec<AlertRule> {
    let age = age(subject);
    let hosts = subject.hosts.join(" or ");
    let mut rules = Vec::new();
    if subject.snapshots {
        let summary = format!("the newest snapshot of {} on {hosts} is older than {}", subject.dataset, subject.bound);
        rules.push(rule("ZplanSnapshotsTooOld", &age, subject.bound, subject, "warning", summary, &subject.arithmetic));
        return rules;
    }
    let from = subject.from.as_ref().map_or_else(String::new, |from| format!(" from {from}"));
    let summary = format!("the copy of {} on {hosts}{from} is older than {}", subject.dataset, subject.threshold);
    let how = match subject.threshold == subject.bound {
        true => format!("proved worst case: {}", subject.arithmetic),
        false => format!("alert-after {} (proved worst case: {})", subject.threshold, subject.arithmetic),
    };
    rules.push(rule("ZplanReplicationBehind", &age, subject.threshold, subject, "warning", summary, &how));
    if let Some((at, arithmetic)) = &subject.horizon {
        let summary =
            format!("the copy of {} on {hosts} is {at} old: half the way to its outage horizon", subject.dataset);
        let how = format!("past the outage a full resend may be needed; {arithmetic}");
        rules.push(rule("ZplanOutageHorizonNear", &age, *at, subject, "critical", summary, &how));
    }
    rules
}

fn rule(
    alert: &'static str,
    age: &str,
    limit: Duration,
    subject: &Subject,
    severity: &'static str,
    summary: String,
    description: &str,
) -> AlertRule {
    AlertRule {
        alert,
        expr: Scalar::text(&format!("{age} > {}", limit.seconds())),
        hold: None,
        labels: subject_labels(subject, severity),
        annotations: vec![
            Field::new("summary", Scalar::text(&summary)),
            Field::new("description", Scalar::text(description)),
        ],
    }
}

/// The rule groups: one per host (its static datasets, its units, its missing metrics),
/// one per followed pair.
fn rule_groups(policy: &Policy, subjects: &[Subject], bounds: &[Freshness], unit_hosts: &[String]) -> Vec<RuleGroup> {
    let mut groups: BTreeMap<String, Vec<AlertRule>> = BTreeMap::new();
    for subject in subjects {
        groups.entry(subject.group.clone()).or_default().extend(subject_rules(subject));
    }
    let hold = 2 * policy.monitoring.check_every.value.seconds();
    let mut reported: Vec<(usize, &str)> = bounds.iter().map(|bound| (bound.node, bound.dataset.as_str())).collect();
    reported.sort_unstable();
    reported.dedup();
    for (node, dataset) in reported {
        let host = &policy.nodes[node].name.value;
        groups.entry(format!("host {host}")).or_default().push(missing_rule(host, dataset, hold));
    }
    for host in unit_hosts {
        groups.entry(format!("host {host}")).or_default().push(unit_failed_rule(host));
    }
    groups.into_iter().map(|(name, rules)| RuleGroup { name: Scalar::text(&format!("zplan {name}")), rules }).collect()
}

/// The snapshot metrics of a dataset have not been seen for two check periods.
fn missing_rule(host: &str, dataset: &str, hold: u64) -> AlertRule {
    let summary =
        format!("no snapshot metrics of {dataset} from {host}: is {SNAPSHOT_METRICS}.timer or node_exporter running?");
    AlertRule {
        alert: "ZplanMetricsMissing",
        expr: Scalar::text(&format!("absent({})", newest_selector(host, dataset))),
        hold: Some(hold),
        labels: vec![
            Field::new("severity", Scalar::word("warning")),
            Field::new("host", Scalar::text(host)),
            Field::new("dataset", Scalar::text(dataset)),
        ],
        annotations: vec![Field::new("summary", Scalar::text(&summary))],
    }
}

/// A zplan unit of the host ended its last run with a failure.
fn unit_failed_rule(host: &str) -> AlertRule {
    let selector = format!("zplan_unit_last_exit_status{{host={}}}", promql_string(host));
    AlertRule {
        alert: "ZplanUnitFailed",
        expr: Scalar::text(&format!("{selector} != 0")),
        hold: None,
        labels: vec![Field::new("severity", Scalar::word("warning")), Field::new("host", Scalar::text(host))],
        annotations: vec![Field::new(
            "summary",
            Scalar::text(&format!("{{{{ $labels.unit }}}} failed on {host} (exit status {{{{ $value }}}})")),
        )],
    }
}

/// The unit tests: one healthy system of every subject at once, then, for the first few
/// subjects of each group, each rule's subject stopped so that its newest snapshot is
/// exactly at the limit at minute 1.
fn rule_tests(subjects: &[Subject]) -> Vec<RuleTest> {
    let mut per_group: BTreeMap<&str, usize> = BTreeMap::new();
    let mut tests = vec![healthy(subjects)];
    for subject in subjects {
        let tested = per_group.entry(subject.group.as_str()).or_default();
        if *tested == TESTED_PER_GROUP {
            continue;
        }
        *tested += 1;
        if per_group.values().sum::<usize>() > TESTED_IN_ALL {
            break;
        }
        for rule in subject_rules(subject) {
            tests.extend((0..subject.hosts.len()).map(|index| stopped(subject, &rule, index)));
        }
    }
    tests
}

/// The minutes a test's series run: a minute past the last evaluation.
const SERIES_MINUTES: u64 = BOUND_MINUTE + 2;

/// A series whose newest snapshot is always `age` old.
fn fresh(host: &str, dataset: &str, age: Duration) -> TestSeries {
    let start = -(age.seconds() as i64);
    TestSeries {
        series: Scalar::text(&newest_selector(host, dataset)),
        values: Scalar::text(&format!("{start}+60x{SERIES_MINUTES}")),
    }
}

/// A series whose newest snapshot was taken `age_at_bound` before minute 1 and none since.
fn stopped_series(host: &str, dataset: &str, age_at_bound: Duration) -> TestSeries {
    let taken = (BOUND_MINUTE * 60) as i64 - age_at_bound.seconds() as i64;
    TestSeries {
        series: Scalar::text(&newest_selector(host, dataset)),
        values: Scalar::text(&format!("{taken}+0x{SERIES_MINUTES}")),
    }
}

/// Every dataset on every host, its newest snapshot a minute younger than the tightest
/// limit it is held to, the whole time: no freshness alert fires anywhere.
fn healthy(subjects: &[Subject]) -> RuleTest {
    let mut ages: BTreeMap<(&str, &str), Duration> = BTreeMap::new();
    let mut alerts: Vec<&'static str> = Vec::new();
    for subject in subjects {
        let limit = if subject.snapshots { subject.bound } else { subject.threshold };
        let age = Duration(limit.seconds().saturating_sub(60));
        for host in &subject.hosts {
            let tightest = ages.entry((host, &subject.dataset)).or_insert(age);
            *tightest = (*tightest).min(age);
        }
        alerts.extend(subject_rules(subject).iter().map(|rule| rule.alert));
    }
    alerts.sort_unstable();
    alerts.dedup();
    let series = ages.iter().map(|((host, dataset), age)| fresh(host, dataset, *age)).collect();
    let checks = alerts
        .iter()
        .flat_map(|alert| {
            [0, BOUND_MINUTE, BOUND_MINUTE + 1].map(|minute| AlertCheck {
                eval_minutes: minute,
                alertname: alert,
                alerts: Vec::new(),
            })
        })
        .collect();
    let story = "every dataset healthy, its newest snapshot a minute younger than its bound".to_owned();
    RuleTest { story, series, checks }
}

/// The rule's limit read back from its expression's subject.
fn limit_of(subject: &Subject, rule: &AlertRule) -> Duration {
    match rule.alert {
        "ZplanSnapshotsTooOld" => subject.bound,
        "ZplanOutageHorizonNear" => subject.horizon.as_ref().map_or(subject.threshold, |(at, _)| *at),
        _ => subject.threshold,
    }
}

/// The subject stopped on host `stopped_at`: its newest snapshot is exactly the rule's
/// limit old at minute 1 (no alert) and a minute more at 2 (the alert). On a followed
/// pair each node takes its turn as the stopped one, so the rule is shown to hold whichever
/// node is active: on the snapshotting side the other node (the standby) holds only older
/// snapshots, on the receiving side the other node (the active) stays fresh.
fn stopped(subject: &Subject, rule: &AlertRule, stopped_at: usize) -> RuleTest {
    let limit = limit_of(subject, rule);
    let mut series = Vec::new();
    for (index, host) in subject.hosts.iter().enumerate() {
        match index == stopped_at {
            true => series.push(stopped_series(host, &subject.dataset, limit)),
            false if subject.snapshots => series.push(stopped_series(host, &subject.dataset, limit + Duration(3_600))),
            false => series.push(fresh(host, &subject.dataset, Duration(60))),
        }
    }
    let expected = ExpectedAlert { labels: rule.labels.clone(), annotations: rule.annotations.clone() };
    let check = |minute, alerts| AlertCheck { eval_minutes: minute, alertname: rule.alert, alerts };
    RuleTest {
        story: format!(
            "{}: {} stopped on {}, {limit} old at minute {BOUND_MINUTE}",
            subject.group, subject.dataset, subject.hosts[stopped_at]
        ),
        series,
        checks: vec![check(BOUND_MINUTE, Vec::new()), check(BOUND_MINUTE + 1, vec![expected])],
    }
}
