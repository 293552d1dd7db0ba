//! Rules on what each engine can do: zrepl needs a static pair, a transport and a
//! receiving root; each engine takes only its own settings; zrepl cannot express every
//! size and schedule, nor sanoid every retention.

use crate::diagnostic::Problem;
use crate::facts::Facts;
use crate::model::{Engine, Mode, Pair, Policy, Retention, Roles, SizeUnit, SnapshotKind, Spanned, Transport};

/// A zrepl pair is static: zrepl runs every job of its config, all the time.
pub fn zrepl_pairs_are_static(policy: &Policy) -> Vec<Problem> {
    policy
        .pairs
        .iter()
        .filter(|pair| pair.engine.value == Engine::Zrepl)
        .filter_map(|pair| match &pair.roles {
            Roles::FollowsGuest { guest } => {
                Some(Problem::ZreplFollows { engine: pair.engine.span.into(), follows: guest.span.into() })
            }
            Roles::Static => None,
        })
        .collect()
}

/// A pull is run by the target, which must know its source before it runs: a role that
/// follows a Proxmox guest is decided at run time. (zrepl refuses such a pair anyway.)
pub fn pulls_are_static(policy: &Policy) -> Vec<Problem> {
    policy
        .pairs
        .iter()
        .filter(|pair| pair.engine.value == Engine::Syncoid)
        .filter_map(|pair| {
            let mode = pair.mode.as_ref().filter(|mode| mode.value == Mode::Pull)?;
            let Roles::FollowsGuest { guest } = &pair.roles else { return None };
            Some(Problem::PullFollows { mode: mode.span.into(), follows: guest.span.into(), pair: pair.label() })
        })
        .collect()
}

/// A static zrepl pair says how its jobs connect and where the target receives.
pub fn zrepl_pairs_are_complete(policy: &Policy) -> Vec<Problem> {
    let mut problems = Vec::new();
    for pair in policy.pairs.iter().filter(|p| p.engine.value == Engine::Zrepl && p.is_static()) {
        let owner = format!("pair `{}`", pair.name.value);
        let span = pair.name.span.into();
        if pair.transport.is_none() {
            let example = "transport tcp port 8888";
            problems.push(Problem::MissingSetting { span, owner: owner.clone(), keyword: "transport", example });
        }
        if pair.target_root.is_none() {
            let example = "target f1 under zdata/sink";
            problems.push(Problem::MissingSetting { span, owner, keyword: "under", example });
        }
    }
    problems
}

/// Each setting belongs to the engines and roles that can carry it out.
pub fn settings_apply(policy: &Policy) -> Vec<Problem> {
    policy.pairs.iter().flat_map(misplaced_settings).collect()
}

fn misplaced_settings(pair: &Pair) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut flag = |keyword: &str, span: crate::syntax::Span, context: &str, help: &str| {
        problems.push(Problem::NotApplicable {
            span: span.into(),
            keyword: keyword.to_owned(),
            context: context.to_owned(),
            help: help.to_owned(),
        });
    };
    if pair.engine.value == Engine::Syncoid {
        let help = "only zrepl pairs take `transport`; syncoid replicates over ssh";
        let zrepl_only = [("transport", pair.transport.as_ref().map(|t| t.span))];
        for (keyword, span) in zrepl_only {
            if let Some(span) = span {
                flag(keyword, span, "syncoid pairs", help);
            }
        }
        for send in pair.send.iter().filter(|send| send.value.option.syncoid_letter().is_none()) {
            let help = "syncoid sends `raw`, `compressed`, `large-blocks`, `embedded-data` and `properties`; an encrypted dataset is sent encrypted with `send raw`";
            flag(&format!("send {}", send.value.option.keyword()), send.span, "syncoid pairs", help);
        }
    }
    if pair.engine.value == Engine::Zrepl {
        let help = "only syncoid pairs take `compress`, `preserve-properties`, `delete-target-snapshots` and `mbuffer-size`; zrepl's own are `send` and `bandwidth-limit`";
        let options = &pair.syncoid;
        let syncoid_only = [
            ("compress", options.compress.as_ref().map(|c| c.span)),
            ("preserve-properties", options.preserve_properties),
            ("delete-target-snapshots", options.delete_target_snapshots),
            ("mbuffer-size", options.mbuffer_size.as_ref().map(|m| m.span)),
        ];
        for (keyword, span) in syncoid_only {
            if let Some(span) = span {
                flag(keyword, span, "zrepl pairs", help);
            }
        }
    }
    if let (Engine::Zrepl, Some(guard)) = (pair.engine.value, &pair.guard_percent) {
        let help = "zrepl runs no check before it replicates; remove `guard`, or use `engine syncoid`";
        flag("guard", guard.span, "zrepl pairs", help);
    }
    problems
}

/// Sizes and schedules reach zrepl.yml only in a form zrepl accepts.
pub fn zrepl_can_express(policy: &Policy) -> Vec<Problem> {
    let mut problems = Vec::new();
    for pair in policy.pairs.iter().filter(|p| p.engine.value == Engine::Zrepl) {
        if let Some(limit) = &pair.bandwidth_limit {
            problems.extend(bandwidth_problem(limit));
        }
        if let (Mode::Push, Some(every)) = (pair.mode(), &pair.replicate_every) {
            problems.push(Problem::NotExpressible {
                span: every.span.into(),
                what: "a replication interval",
                text: every.value.to_string(),
                reason: "a push replicates right after each snapshot",
                help: "remove `replicate-every` (the snapshot interval follows from `rpo`), or let the target pull on its own interval with `mode pull`",
            });
        }
    }
    problems
}

fn bandwidth_problem(limit: &Spanned<crate::model::Size>) -> Option<Problem> {
    let (reason, help) = match limit.value.bytes() {
        _ if limit.value.unit == SizeUnit::P => {
            ("zrepl's sizes stop at T (TiB)", "write it in T, such as `1024T` for `1P`")
        }
        Some(0) => ("zrepl needs at least one byte per second", "remove `bandwidth-limit` to send without a limit"),
        Some(bytes) if i64::try_from(bytes).is_ok() => return None,
        _ => ("zrepl counts bytes in 63 bits", "write a smaller limit, or none"),
    };
    Some(Problem::NotExpressible {
        span: limit.span.into(),
        what: "the bandwidth limit",
        text: limit.value.to_string(),
        reason,
        help,
    })
}

/// sanoid keeps counts per kind, not the last N; zrepl's grid has no calendar months.
pub fn retention_expressible(policy: &Policy) -> Vec<Problem> {
    let mut problems = Vec::new();
    for pair in &policy.pairs {
        let mut retentions = vec![pair.retention, pair.receiver_retention()];
        retentions.dedup();
        for retention in retentions.into_iter().map(|index| &policy.retentions[index]) {
            problems.extend(inexpressible_counts(pair, retention));
        }
    }
    problems
}

fn inexpressible_counts(pair: &Pair, retention: &Retention) -> Vec<Problem> {
    let problem = |span: crate::syntax::Span, engine, keyword, help| Problem::RetentionNotExpressible {
        span: span.into(),
        pair_span: pair.name.span.into(),
        engine,
        keyword,
        retention: retention.name.value.clone(),
        pair: pair.name.value.clone(),
        help,
    };
    match pair.engine.value {
        Engine::Syncoid => retention
            .last
            .iter()
            .map(|last| {
                let help = "sanoid keeps a count of each kind (`frequently`, `hourly`, …), not the newest N; write counts of kinds, or use `engine zrepl`";
                problem(last.span, "sanoid", "last", help)
            })
            .collect(),
        Engine::Zrepl => [SnapshotKind::Monthly, SnapshotKind::Yearly]
            .into_iter()
            .filter_map(|kind| retention.count(kind).filter(|count| count.value > 0).map(|count| (kind, count)))
            .map(|(kind, count)| {
                let help = "zrepl's grid has fixed-length buckets and no calendar months or years; keep weeks instead, such as `weekly 26` for half a year, or write the grid itself with 30-day buckets, such as `grid 24x1h 30x1d 6x30d`";
                problem(count.span, "zrepl", kind.keyword(), help)
            })
            .collect(),
    }
}

/// zrepl refuses a grid whose buckets get shorter: the frequent bucket (the snapshot
/// interval) must not outlast the next kind's period.
pub fn zrepl_grid_grows(facts: &Facts<'_>) -> Vec<Problem> {
    let policy = facts.policy;
    let mut problems = Vec::new();
    for pair in policy.pairs.iter().filter(|p| p.engine.value == Engine::Zrepl) {
        let Ok(schedule) = facts.schedule(pair) else { continue };
        let mut retentions = vec![pair.retention, pair.receiver_retention()];
        retentions.dedup();
        for retention in retentions.into_iter().map(|index| &policy.retentions[index]) {
            problems.extend(shrinking_bucket(pair, retention, schedule.snapshot_every));
        }
    }
    problems
}

fn shrinking_bucket(pair: &Pair, retention: &Retention, interval: crate::model::Duration) -> Option<Problem> {
    retention.count(SnapshotKind::Frequently).filter(|count| count.value > 0)?;
    let (kind, count, period) = SnapshotKind::ALL[1..].iter().find_map(|kind| {
        let count = retention.count(*kind).filter(|count| count.value > 0)?;
        Some((*kind, count, kind.fixed_period()?))
    })?;
    (interval > period).then(|| Problem::GridShrinks {
        interval: pair
            .snapshot_every
            .as_ref()
            .map(|every| every.span)
            .or(pair.rpo.as_ref().map(|rpo| rpo.span))
            .unwrap_or(pair.name.span)
            .into(),
        kind: count.span.into(),
        pair: pair.label(),
        earlier: interval.to_string(),
        later: period.to_string(),
        later_kind: kind.keyword(),
    })
}

/// `transport local` joins the two jobs of one node; every other transport joins two nodes.
pub fn transport_fits_nodes(policy: &Policy) -> Vec<Problem> {
    policy
        .pairs
        .iter()
        .filter(|pair| pair.engine.value == Engine::Zrepl && pair.nodes[0] != pair.nodes[1])
        .filter_map(|pair| {
            let transport = pair.transport.as_ref().filter(|t| t.value == Transport::Local)?;
            Some(Problem::TransportNodes {
                span: transport.span.into(),
                nodes: pair.node_spans[1].into(),
                transport: "local",
                needs: "joins two jobs of one node, but the source and target differ",
                help: "use `tcp`, `tls` or `ssh` between two nodes; `local` is for a copy to another pool of the same node",
            })
        })
        .collect()
}
