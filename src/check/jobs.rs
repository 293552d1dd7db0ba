//! Rules on one host's zrepl jobs: what they receive into is apart from every other job's
//! datasets (two jobs sending one dataset are the fleet-wide one-writer rule's, E0410), and
//! no two jobs wait on the same listener.

use crate::diagnostic::Problem;
use crate::facts::zrepl::{zrepl_transport, Job, JobKind, Listener};
use crate::facts::Facts;
use crate::model::covers;
use crate::model::{Policy, Spanned, Transport};
use crate::syntax::Span;

/// A dataset a job sends or receives into, with where the policy names it.
struct Claim<'j> {
    job: &'j str,
    dataset: &'j str,
    recursive: bool,
    /// Subtrees a sending job leaves out (`exclude`).
    excluded: &'j [Spanned<String>],
    /// A receiving job's root, which claims everything below it.
    root: bool,
    span: Span,
}

fn claims<'j>(job: &'j Job<'_>) -> Vec<Claim<'j>> {
    let sent = job.filesystems.iter().map(|r| Claim {
        job: &job.name,
        dataset: &r.dataset.value,
        recursive: r.recursive,
        excluded: &r.exclude,
        root: false,
        span: r.dataset.span,
    });
    let received = job.root_fs.iter().map(|root| Claim {
        job: &job.name,
        dataset: &root.value,
        recursive: true,
        excluded: &[],
        root: true,
        span: root.span,
    });
    sent.chain(received).collect()
}

/// No job of a host receives into datasets that another of its jobs sends or receives into.
pub fn jobs_are_disjoint(facts: &Facts<'_>) -> Vec<Problem> {
    let policy = facts.policy;
    let mut problems = Vec::new();
    for (&host, jobs) in &facts.jobs {
        let claims: Vec<Claim<'_>> = jobs.iter().flat_map(claims).collect();
        for (index, second) in claims.iter().enumerate() {
            let clash = claims[..index]
                .iter()
                .find(|first| first.job != second.job && (first.root || second.root) && overlap(first, second));
            if let Some(first) = clash {
                problems.push(Problem::JobsOverlap {
                    second: second.span.into(),
                    first: first.span.into(),
                    host: policy.nodes[host].name.value.clone(),
                    first_job: first.job.to_owned(),
                    second_job: second.job.to_owned(),
                    dataset: inner(first, second).to_owned(),
                });
            }
        }
    }
    problems
}

/// Whether two claims share a dataset: one covers the other, and the covered one is not
/// in a subtree the covering one excludes.
fn overlap(a: &Claim<'_>, b: &Claim<'_>) -> bool {
    let claims = |outer: &Claim<'_>, inner: &Claim<'_>| {
        covers(outer.dataset, outer.recursive, inner.dataset)
            && !outer.excluded.iter().any(|excluded| covers(&excluded.value, true, inner.dataset))
    };
    claims(a, b) || claims(b, a)
}

fn inner<'c>(a: &Claim<'c>, b: &Claim<'c>) -> &'c str {
    if a.dataset.len() >= b.dataset.len() {
        a.dataset
    } else {
        b.dataset
    }
}

/// Pairs that share a sink agree on where it receives and how it is reached; no two jobs
/// of one host listen on the same port or stdinserver identity.
pub fn listeners_are_unique(facts: &Facts<'_>) -> Vec<Problem> {
    let policy = facts.policy;
    let mut problems = Vec::new();
    for (&host, jobs) in &facts.jobs {
        let host = &policy.nodes[host].name.value;
        for job in jobs.iter().filter(|job| job.kind == JobKind::Sink) {
            problems.extend(sink_disagreements(policy, host, job));
        }
        for (index, job) in jobs.iter().enumerate() {
            let earlier = jobs[..index].iter().find(|other| other.listeners.iter().any(|l| job.listeners.contains(l)));
            if let Some(other) = earlier {
                let listener = job.listeners.iter().find(|l| other.listeners.contains(l)).expect("found above");
                let help = listener_help(listener);
                problems.push(shared(policy, host, other.pairs[0], job.pairs[0], listener.to_string(), help));
            }
        }
    }
    problems
}

/// Every pair of a sink must receive under the sink's root, with its certificates.
fn sink_disagreements(policy: &Policy, host: &str, job: &Job<'_>) -> Vec<Problem> {
    let Some((&first, rest)) = job.pairs.split_first() else {
        return Vec::new();
    };
    let agrees = |index: usize| {
        let (a, b) = (&policy.pairs[first], &policy.pairs[index]);
        let root = |pair: &crate::model::Pair| pair.target_root.as_ref().map(|r| r.value.clone());
        let tls = |pair: &crate::model::Pair| match pair.transport.as_ref().map(|t| &t.value) {
            Some(transport @ Transport::Tls { ca, .. }) => {
                let (cert, key) = crate::facts::zrepl::tls_files(&policy.nodes[pair.nodes[1]], transport);
                Some((ca.clone(), cert.map(str::to_owned), key.map(str::to_owned)))
            }
            _ => None,
        };
        let placeholder = |pair: &crate::model::Pair| pair.zrepl_options.placeholder.as_ref().map(|p| p.value);
        root(a) == root(b)
            && tls(a) == tls(b)
            && placeholder(a).unwrap_or_default() == placeholder(b).unwrap_or_default()
    };
    let help = zrepl_transport(&policy.pairs[first]).map_or(SINK_BY_PORT, sink_help);
    rest.iter()
        .filter(|index| !agrees(**index))
        .map(|index| shared(policy, host, first, *index, format!("the sink `{}`", job.name), help))
        .collect()
}

/// What separates two jobs that wait on one listener.
fn listener_help(listener: &Listener) -> &'static str {
    match listener {
        Listener::Port(_) => "give one of them another `port` in its `transport`",
        Listener::Stdinserver(_) => "zrepl's stdinserver tells ssh clients apart by node alone, whatever the ssh `port`: replicate the datasets of both in one pair, or give one of them a `tcp` or `tls` transport",
        Listener::Local(_) => "the local jobs of a node meet under one name: replicate the datasets of both in one pair",
    }
}

const SINK_BY_PORT: &str = "pairs that reach one node over the same transport and port share its sink: give them the same `under` and `placeholder-encryption`, or another `port`";

/// What lets pairs that share a sink agree, or stop sharing it.
fn sink_help(transport: &Transport) -> &'static str {
    match transport {
        Transport::Tcp { .. } => SINK_BY_PORT,
        Transport::Tls { .. } => "pairs that reach one node over tls on the same port share its sink: give them the same `under` and certificates, or another `port`",
        Transport::Ssh { .. } => "pairs that push to one node over ssh share its one ssh sink, whatever the ssh `port`: give them the same `under`, or give one of them a `tcp` or `tls` transport",
        Transport::Local => "pairs that push within one node share its local sink: give them the same `under`",
    }
}

fn shared(policy: &Policy, host: &str, first: usize, second: usize, listener: String, help: &'static str) -> Problem {
    let span = |index: usize| {
        let pair = &policy.pairs[index];
        pair.transport.as_ref().map_or(pair.name.span, |t| t.span)
    };
    Problem::SharedListener {
        second: span(second).into(),
        first: span(first).into(),
        host: host.to_owned(),
        listener,
        first_pair: policy.pairs[first].name.value.clone(),
        second_pair: policy.pairs[second].name.value.clone(),
        help,
    }
}
