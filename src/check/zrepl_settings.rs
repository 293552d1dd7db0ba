//! Rules on the statements only zrepl carries out: they belong to zrepl pairs, never ask
//! zrepl to guarantee nothing, and every node of a tls pair has a certificate and a key.

use crate::diagnostic::Problem;
use crate::facts::zrepl::{tls_files, zrepl_transport};
use crate::model::{Engine, Pair, Policy, Protection, Spanned, Transport, ZreplRetention};
use crate::syntax::Span;

/// `protection`, `placeholder-encryption` and a retention's `grid` or `all`
/// are zrepl's: syncoid and sanoid have nothing that carries them out.
pub fn zrepl_statements_on_zrepl_pairs(policy: &Policy) -> Vec<Problem> {
    let mut problems = Vec::new();
    for pair in policy.pairs.iter().filter(|pair| pair.engine.value == Engine::Syncoid) {
        let options = &pair.zrepl_options;
        let misplaced = [
            ("protection", options.protection.as_ref().map(|p| p.span)),
            ("placeholder-encryption", options.placeholder.as_ref().map(|p| p.span)),
        ];
        for (keyword, span) in misplaced {
            if let Some(span) = span {
                problems.push(Problem::NotApplicable {
                    span: span.into(),
                    keyword: keyword.to_owned(),
                    context: "syncoid pairs".to_owned(),
                    help: help(keyword),
                });
            }
        }
        problems.extend(written_retentions(policy, pair));
    }
    problems
}

fn help(keyword: &str) -> String {
    format!("`{keyword}` sets zrepl's replication; remove it, or use `engine zrepl`")
}

/// A retention written as zrepl's grid, or keeping all, on a pair sanoid snapshots.
fn written_retentions(policy: &Policy, pair: &Pair) -> Vec<Problem> {
    let mut retentions = vec![pair.retention, pair.receiver_retention()];
    retentions.dedup();
    retentions
        .into_iter()
        .map(|index| &policy.retentions[index])
        .filter_map(|retention| {
            let written = retention.zrepl.as_ref()?;
            let keyword = match written.value {
                ZreplRetention::Grid(_) => "grid",
                ZreplRetention::All => "all",
            };
            Some(Problem::RetentionNotExpressible {
                span: written.span.into(),
                pair_span: pair.name.span.into(),
                engine: "sanoid",
                keyword,
                retention: retention.name.value.clone(),
                pair: pair.name.value.clone(),
                help: "sanoid keeps counts of kinds (`hourly 24`, `daily 14`…); write the retention as counts, or use `engine zrepl`",
            })
        })
        .collect()
}

/// `guarantee_nothing` leaves zrepl no cursor bookmark, and its pruner then fails.
pub fn protection_keeps_the_cursor(policy: &Policy) -> Vec<Problem> {
    let mut problems = Vec::new();
    for pair in policy.pairs.iter().filter(|pair| pair.engine.value == Engine::Zrepl) {
        let Some(protection) = &pair.zrepl_options.protection else { continue };
        let steps = [("the initial", &protection.value.initial), ("incremental", &protection.value.incremental)];
        let mut reported: Vec<Span> = Vec::new();
        for (step, guarantee) in steps {
            if guarantee.value == Protection::Nothing && !reported.contains(&guarantee.span) {
                reported.push(guarantee.span);
                problems.push(Problem::ProtectionNothing {
                    span: guarantee.span.into(),
                    pair: pair.name.value.clone(),
                    step,
                });
            }
        }
    }
    problems
}

/// Each node of a tls pair presents a certificate and a key: its own, or the transport's.
pub fn tls_nodes_have_identities(policy: &Policy) -> Vec<Problem> {
    let mut problems = Vec::new();
    for pair in &policy.pairs {
        let Some(transport @ Transport::Tls { .. }) = zrepl_transport(pair) else { continue };
        let span = pair.transport.as_ref().map_or(pair.name.span, |t: &Spanned<Transport>| t.span);
        for (node_index, node_span) in pair.nodes.iter().zip(pair.node_spans) {
            let node = &policy.nodes[*node_index];
            let missing = match tls_files(node, transport) {
                (None, None) => "certificate and key",
                (None, Some(_)) => "certificate",
                (Some(_), None) => "key",
                (Some(_), Some(_)) => continue,
            };
            problems.push(Problem::TlsIdentityMissing {
                span: span.into(),
                node_span: node_span.into(),
                node: node.name.value.clone(),
                pair: pair.name.value.clone(),
                missing,
            });
        }
    }
    problems
}
