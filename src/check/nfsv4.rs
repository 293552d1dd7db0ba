//! NFSv4 as deployed: exports sit under the pseudo-root a v4-only server offers, the servers
//! of one node ask its one nfsd for the same versions and threads, clients mount with a
//! version and a security flavour the server offers, and Kerberos is reached by name.

use crate::diagnostic::Problem;
use crate::model::{
    allows, describe_versions, flavours, is_kerberos, strictly_under, Address, Client, Export, NfsServer, Os, Policy,
    DEFAULT_FLAVOUR,
};
use crate::syntax::Span;

/// Under a pseudo-root, every export of a server that offers only NFSv4 sits below it, and
/// none is the root itself (the root is a read-only export of its own).
pub fn exports_under_root(policy: &Policy) -> Vec<Problem> {
    let mut problems = Vec::new();
    for server in &policy.nfs_servers {
        let Some(root) = &server.root else { continue };
        let v4_only = server.versions().iter().all(|version| version.is_v4());
        for export in &server.exports {
            let path = &export.path.value;
            if *path == root.value {
                problems.push(Problem::ExportAtRoot {
                    span: export.path.span.into(),
                    root_span: root.span.into(),
                    path: path.clone(),
                    server: server.name.value.clone(),
                });
            } else if v4_only && !strictly_under(path, &root.value) {
                problems.push(Problem::ExportOutsideRoot {
                    span: export.path.span.into(),
                    root_span: root.span.into(),
                    path: path.clone(),
                    root: root.value.clone(),
                    server: server.name.value.clone(),
                    versions: describe_versions(&server.versions()),
                });
            }
        }
    }
    problems
}

/// A pseudo-root is for NFSv4 clients: a server that offers none has no use for it.
pub fn root_needs_v4(policy: &Policy) -> Vec<Problem> {
    policy
        .nfs_servers
        .iter()
        .filter(|server| server.newest_v4().is_none())
        .filter_map(|server| {
            let root = server.root.as_ref()?;
            let versions = server.versions.as_ref()?;
            Some(Problem::RootWithoutV4 {
                span: root.span.into(),
                versions_span: versions.span.into(),
                server: server.name.value.clone(),
                versions: describe_versions(&versions.value),
            })
        })
        .collect()
}

/// zplan writes Linux's pseudo-root; FreeBSD's `V4:` line belongs to the host's own exports.
pub fn roots_are_on_linux(policy: &Policy) -> Vec<Problem> {
    let mut problems = Vec::new();
    for server in &policy.nfs_servers {
        let Some(root) = &server.root else { continue };
        let freebsd = policy.serving_nodes(server).into_iter().find(|node| policy.nodes[*node].os.value == Os::FreeBsd);
        if let Some(node) = freebsd {
            problems.push(Problem::RootOnFreeBsd {
                span: root.span.into(),
                server: server.name.value.clone(),
                node: policy.nodes[node].name.value.clone(),
            });
        }
    }
    problems
}

/// The servers that run on one node ask its one nfsd for the same versions and threads.
pub fn nfsd_settings_agree(policy: &Policy) -> Vec<Problem> {
    super::nfs::nfsd_disagreements(policy, nfsd_settings)
        .into_iter()
        .map(|(node, first, server)| Problem::NfsdSettingsDisagree {
            second: settings_span(server).into(),
            first: settings_span(first).into(),
            node: policy.nodes[node].name.value.clone(),
            first_server: first.name.value.clone(),
            second_server: server.name.value.clone(),
            first_settings: describe_settings(first),
            second_settings: describe_settings(server),
        })
        .collect()
}

fn nfsd_settings(server: &NfsServer) -> (Vec<crate::model::NfsVersion>, Option<u32>, Option<&str>) {
    (
        server.versions(),
        server.threads.as_ref().map(|threads| threads.value),
        server.root.as_ref().map(|r| r.value.as_str()),
    )
}

/// Where a server's versions or threads are declared, or its name when it declares neither.
fn settings_span(server: &NfsServer) -> Span {
    let declared = server.versions.as_ref().map(|v| v.span).or(server.threads.as_ref().map(|t| t.span));
    declared.or(server.root.as_ref().map(|r| r.span)).unwrap_or(server.name.span)
}

fn describe_settings(server: &NfsServer) -> String {
    let threads =
        server.threads.as_ref().map_or("threads left to nfs.conf".to_owned(), |t| format!("{} threads", t.value));
    let root = server.root.as_ref().map_or("no pseudo-root".to_owned(), |r| format!("root {}", r.value));
    format!("versions {}, {threads}, {root}", describe_versions(&server.versions()))
}

/// A client mounts with a `vers` the server offers: `vers 4` takes any NFSv4 minor version.
pub fn mount_versions_offered(policy: &Policy) -> Vec<Problem> {
    let mut problems = Vec::new();
    for client in &policy.clients {
        for mount in &client.mounts {
            let server = &policy.nfs_servers[mount.server];
            let (Some(version), Some(declared)) = (mount.version(), server.versions.as_ref()) else { continue };
            let offered = match version {
                "4" => server.newest_v4().is_some(),
                written => declared.value.iter().any(|v| v.written() == written),
            };
            if offered {
                continue;
            }
            let span = mount.options.iter().find(|o| o.value.name == "vers").map_or(mount.at.span, |o| o.span);
            let newest = declared.value.iter().max().map(|v| v.written()).unwrap_or("4.2");
            problems.push(Problem::MountVersionOff {
                span: span.into(),
                versions_span: declared.span.into(),
                client: client.name.value.clone(),
                server: server.name.value.clone(),
                version: version.to_owned(),
                versions: describe_versions(&declared.value),
                newest: newest.to_owned(),
            });
        }
    }
    problems
}

/// A client mounts with a `sec` flavour the export offers to one of its client entries.
pub fn mount_flavours_offered(policy: &Policy) -> Vec<Problem> {
    let mut problems = Vec::new();
    for client in &policy.clients {
        for mount in &client.mounts {
            let Some(flavour) = mount.flavour() else { continue };
            let server = &policy.nfs_servers[mount.server];
            let export = &server.exports[mount.export];
            let offered = export.flavours();
            if offered.iter().any(|offered| offered == flavour) {
                continue;
            }
            problems.push(not_offered(client, server, export, mount, flavour, &offered));
        }
    }
    problems
}

fn not_offered(
    client: &Client,
    server: &NfsServer,
    export: &Export,
    mount: &crate::model::Mount,
    flavour: &str,
    offered: &[String],
) -> Problem {
    let span = mount.options.iter().find(|o| o.value.name == "sec").map_or(mount.at.span, |o| o.span);
    let quoted: Vec<String> = offered.iter().map(|f| format!("`{f}`")).collect();
    Problem::MountFlavourNotOffered {
        span: span.into(),
        export_span: export.path.span.into(),
        client: client.name.value.clone(),
        server: server.name.value.clone(),
        path: mount.path.clone(),
        export: export.path.value.clone(),
        flavour: flavour.to_owned(),
        offered: quoted.join(", "),
        first: offered.first().map_or(DEFAULT_FLAVOUR, String::as_str).to_owned(),
    }
}

/// Kerberos clients find the server's principal from the name they mount: an IP literal
/// works only through reverse DNS.
pub fn kerberos_by_name(policy: &Policy) -> Vec<Problem> {
    let mut problems = Vec::new();
    for server in &policy.nfs_servers {
        if !matches!(server.address.value, Address::Ip(_)) || allows(&server.allowed, "W0630") {
            continue;
        }
        let kerberos = server.exports.iter().flat_map(|export| &export.clients).find_map(|client| {
            let sec = client.options.iter().find(|o| o.value.name == "sec")?;
            flavours(client).into_iter().find(|f| is_kerberos(f)).map(|flavour| (flavour, sec.span))
        });
        if let Some((flavour, flavour_span)) = kerberos {
            problems.push(Problem::KerberosByAddress {
                span: server.address.span.into(),
                flavour_span: flavour_span.into(),
                server: server.name.value.clone(),
                flavour,
                address: server.address.value.to_string(),
            });
        }
    }
    problems
}
