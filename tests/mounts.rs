//! Client mounts over every tree zplan writes: the fstab fragment and the native units say
//! the same thing, as systemd-fstab-generator would turn the fstab line into units, and a
//! host that only mounts runs nothing that snapshots, prunes or replicates.

use std::collections::BTreeMap;

use zplan::fleet::mounting_client_blocks;
use zplan::model::Os;
use zplan::render::Tree;

use crate::support::{compiled, compiling_policies, text_files};

/// One line of an fstab fragment, with the comment written above it.
#[derive(Debug)]
struct FstabLine {
    what: String,
    at: String,
    options: Vec<String>,
    comment: Option<String>,
}

fn fstab_lines(text: &str) -> Vec<FstabLine> {
    let mut lines = Vec::new();
    let mut comment = None;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# ") {
            // The header and the note come first; a comment of a mount says why it is soft.
            comment = rest.starts_with("soft on purpose").then(|| rest.to_owned());
            continue;
        }
        let fields: Vec<&str> = line.split(' ').collect();
        assert_eq!(fields.len(), 6, "an fstab line has six fields: {line}");
        let options = fields[3].split(',').filter(|o| *o != "defaults").map(str::to_owned).collect();
        lines.push(FstabLine { what: fields[0].into(), at: fields[1].into(), options, comment: comment.take() });
    }
    lines
}

/// The `Key=value` lines of a unit, every value of each key in order.
fn settings(unit: &str) -> BTreeMap<String, Vec<String>> {
    let mut settings: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (key, value) in unit.lines().filter_map(|line| line.split_once('=')) {
        settings.entry(key.to_owned()).or_default().push(value.to_owned());
    }
    settings
}

/// The unit file of `host` whose `Where=` is `at`, with the given suffix.
fn unit_at<'t>(tree: &'t Tree, host: &str, at: &str, suffix: &str) -> Option<&'t str> {
    let units = text_files(tree).filter(|(on, path, _)| *on == host && path.ends_with(suffix));
    units.map(|(_, _, text)| text).find(|text| text.lines().any(|line| line == format!("Where={at}")))
}

fn value_of<'o>(options: &'o [String], name: &str) -> Vec<&'o str> {
    options.iter().filter_map(|o| o.strip_prefix(name).and_then(|rest| rest.strip_prefix('='))).collect()
}

/// Every disagreement between one fstab line and the units of the same mount.
fn disagreements(tree: &Tree, host: &str, line: &FstabLine) -> Vec<String> {
    let mut wrong = Vec::new();
    let Some(mount) = unit_at(tree, host, &line.at, ".mount") else {
        return vec![format!("{host}: no .mount unit for {}", line.at)];
    };
    let unit = settings(mount);
    let has = |name: &str| line.options.iter().any(|o| o == name);
    // systemd-fstab-generator mounts a `bg` line in the foreground with `retry=10000` first
    // (which the line's own `retry` overrides), `fg` last, no timeout and `nofail`.
    let background = has("bg") && !has("x-systemd.automount");
    let mut expect = |what: &str, found: Vec<String>, wanted: Vec<String>| {
        if found != wanted {
            wrong.push(format!("{host} {}: {what} is {found:?}, the fstab line says {wanted:?}", line.at));
        }
    };
    // A Kerberos mount's unit also requires rpc.gssd, which the fstab line leaves to
    // nfs-client.target: the one dependency the two do not share.
    let kerberos = value_of(&line.options, "sec").iter().any(|flavours| flavours.contains("krb5"));
    let get = |key: &str| {
        let values = unit.get(key).cloned().unwrap_or_default();
        values.into_iter().filter(|value| !(kerberos && value == "rpc-gssd.service")).collect::<Vec<_>>()
    };
    expect("What=", get("What"), vec![line.what.clone()]);
    let mut mount_options: Vec<&str> = line
        .options
        .iter()
        .map(String::as_str)
        .filter(|o| !o.starts_with("x-systemd.") && !["nofail", "noauto", "auto"].contains(o))
        .filter(|o| !(background && *o == "bg"))
        .collect();
    if background {
        if value_of(&line.options, "retry").is_empty() {
            mount_options.insert(0, "retry=10000");
        }
        mount_options.push("fg");
    }
    expect("Options=", get("Options"), vec![mount_options.join(",")]);
    let mut timeout: Vec<String> =
        value_of(&line.options, "x-systemd.mount-timeout").iter().map(|t| (*t).to_owned()).collect();
    if background && timeout.is_empty() {
        timeout.push("infinity".to_owned());
    }
    expect("TimeoutSec=", get("TimeoutSec"), timeout);
    let mut after = vec!["network-online.target".to_owned()];
    let mut requires = Vec::new();
    for option in &line.options {
        let Some((name, value)) = option.split_once('=') else { continue };
        let unit_name = match value.strip_prefix('/') {
            Some(path) => format!("{}.mount", path.replace('/', "-")),
            None => value.to_owned(),
        };
        match name {
            "x-systemd.after" => after.push(unit_name),
            "x-systemd.requires" => {
                requires.push(unit_name.clone());
                after.push(unit_name);
            }
            _ => {}
        }
    }
    expect("After=", get("After"), after);
    expect("Requires=", get("Requires"), requires);
    let before = value_of(&line.options, "x-systemd.before").iter().map(|b| (*b).to_owned()).collect();
    expect("Before=", get("Before"), before);
    let mounts_for = value_of(&line.options, "x-systemd.requires-mounts-for").iter().map(|p| (*p).to_owned()).collect();
    expect("RequiresMountsFor=", get("RequiresMountsFor"), mounts_for);
    let link = if has("nofail") || background { "WantedBy" } else { "RequiredBy" };
    let installed = vec!["remote-fs.target".to_owned()];
    let automount = unit_at(tree, host, &line.at, ".automount");
    match (has("x-systemd.automount"), automount) {
        (true, Some(automount)) => {
            let automount = settings(automount);
            let idle = value_of(&line.options, "x-systemd.idle-timeout").iter().map(|t| (*t).to_owned()).collect();
            expect("TimeoutIdleSec=", automount.get("TimeoutIdleSec").cloned().unwrap_or_default(), idle);
            expect("the automount's install", automount.get(link).cloned().unwrap_or_default(), installed);
            expect("the mount's install", [get("WantedBy"), get("RequiredBy")].concat(), Vec::new());
        }
        (false, None) if has("noauto") => {
            expect("the mount's install", [get("WantedBy"), get("RequiredBy")].concat(), Vec::new());
        }
        (false, None) => expect("the mount's install", get(link), installed),
        (wanted, found) => wrong.push(format!("{host} {}: automount {wanted}, unit {}", line.at, found.is_some())),
    }
    if let Some(comment) = &line.comment {
        if !mount.lines().any(|l| l == format!("# {comment}")) {
            wrong.push(format!("{host} {}: the unit lacks the comment `{comment}`", line.at));
        }
    }
    wrong
}

/// Every Linux client's fstab lines against its units.
fn tree_disagreements(policy: &zplan::model::Policy, tree: &Tree) -> Vec<String> {
    let linux = policy.clients.iter().filter(|client| client.os.value == Os::Linux);
    let mut wrong = Vec::new();
    for client in linux {
        let host = client.name.value.as_str();
        let fstab = text_files(tree).find(|(on, path, _)| *on == host && *path == "etc/fstab.d/zplan.fstab");
        let Some((_, _, text)) = fstab else {
            wrong.push(format!("{host}: no fstab fragment"));
            continue;
        };
        let lines = fstab_lines(text);
        assert_eq!(lines.len(), client.mounts.len(), "{host}: one line per mount");
        for line in &lines {
            wrong.extend(disagreements(tree, host, line));
        }
    }
    wrong
}

fn policies_with_clients() -> Vec<(String, String)> {
    let mut policies = compiling_policies();
    policies.extend((1..=3).map(|seed| (format!("mounting clients {seed}"), mounting_client_blocks(6, seed).concat())));
    policies
}

#[test]
fn fstab_lines_and_mount_units_say_the_same() {
    let mut checked = 0;
    for (name, source) in policies_with_clients() {
        let (policy, tree) = compiled(&name, &source);
        let wrong = tree_disagreements(&policy, &tree);
        assert!(wrong.is_empty(), "{name}:\n{}", wrong.join("\n"));
        checked += policy.clients.iter().filter(|c| c.os.value == Os::Linux).map(|c| c.mounts.len()).sum::<usize>();
    }
    assert!(checked > 50, "only {checked} mounts were compared");
}

#[test]
fn a_host_that_only_mounts_runs_nothing_that_prunes_or_replicates() {
    for (name, source) in policies_with_clients() {
        let (policy, tree) = compiled(&name, &source);
        let nodes: Vec<&str> = policy.nodes.iter().map(|node| node.name.value.as_str()).collect();
        let only_mounting = policy.clients.iter().map(|c| c.name.value.as_str()).filter(|c| !nodes.contains(c));
        for client in only_mounting {
            let files: Vec<&str> =
                text_files(&tree).filter(|(on, _, _)| *on == client).map(|(_, path, _)| path).collect();
            let foreign: Vec<&&str> = files
                .iter()
                .filter(|path| ["sanoid", "zrepl", "syncoid", "exports"].iter().any(|t| path.contains(t)))
                .collect();
            assert!(foreign.is_empty(), "{name}: client {client} gets {foreign:?}");
        }
    }
}

#[test]
fn a_soft_mount_on_purpose_carries_its_reason_into_both_files() {
    let source =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/nfs-client-mounts.zplan")).unwrap();
    let (_, tree) = compiled("nfs-client-mounts.zplan", &source);
    let reason =
        "# soft on purpose (E0506 acknowledged): a player skips a file on an I/O error, but freezes on a hard mount until the failover ends";
    let holding: Vec<&str> =
        text_files(&tree).filter(|(_, _, text)| text.lines().any(|l| l == reason)).map(|(_, path, _)| path).collect();
    assert_eq!(holding, ["etc/fstab.d/zplan.fstab", "etc/systemd/system/srv-media.mount"]);
}
