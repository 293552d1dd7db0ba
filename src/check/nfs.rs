//! Rules on NFS exports: they serve replicated data, and fsids are unique per server.

use crate::diagnostic::Problem;
use crate::model::{Export, NfsServer, Policy};
use crate::naming::export_fsid;

/// An export serves a dataset the pair replicates, or a parent of one (a `crossmnt` root).
pub fn exports_are_replicated(policy: &Policy) -> Vec<Problem> {
    let mut problems = Vec::new();
    for server in &policy.nfs_servers {
        let pair = &policy.pairs[server.pair];
        for export in &server.exports {
            let dataset = &export.dataset.value;
            let served = pair.datasets.iter().any(|r| {
                let replicated = &r.dataset.value;
                replicated == dataset || r.recursive && is_under(dataset, replicated) || is_under(replicated, dataset)
            });
            if !served {
                problems.push(Problem::ExportNotReplicated {
                    span: export.dataset.span.into(),
                    path: export.path.value.clone(),
                    dataset: dataset.clone(),
                    pair: pair.name.value.clone(),
                });
            }
        }
    }
    problems
}

fn is_under(child: &str, parent: &str) -> bool {
    child.strip_prefix(parent).is_some_and(|rest| rest.starts_with('/'))
}

/// Two exports of one server never share an fsid, explicit or derived.
pub fn fsids_unique(policy: &Policy) -> Vec<Problem> {
    policy.nfs_servers.iter().flat_map(fsid_clashes).collect()
}

fn fsid_clashes(server: &NfsServer) -> Vec<Problem> {
    let mut seen: Vec<(u32, &Export)> = Vec::new();
    let mut problems = Vec::new();
    for export in &server.exports {
        let fsid = export_fsid(export);
        match seen.iter().find(|(f, _)| *f == fsid) {
            Some((_, first)) => problems.push(Problem::FsidClash {
                second: export.fsid.as_ref().map_or(export.path.span, |f| f.span).into(),
                first: first.fsid.as_ref().map_or(first.path.span, |f| f.span).into(),
                first_path: first.path.value.clone(),
                second_path: export.path.value.clone(),
                fsid,
            }),
            None => seen.push((fsid, export)),
        }
    }
    problems
}
