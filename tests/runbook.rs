//! A static pair's failback, read as the commands a person runs: what the source wrote
//! before it failed, and never replicated, is kept before the rollback destroys it, and the
//! data sent back destroys nothing the source still has; a node server's exports of the pair's
//! data move with a failover, and its other exports do not.

use zplan::model::{Policy, Roles};
use zplan::render::Tree;

use crate::support::{compiled, compiling_policies};
use crate::syncoid::file_text;

const LINUX_EXAMPLE: &str = include_str!("../examples/linux-zrepl-pull.zplan");
const FREEBSD_EXAMPLE: &str = include_str!("../examples/freebsd-f3s.zplan");

/// A static syncoid pair with a recursive dataset, a plain one and the root of a pool.
const RECURSIVE_SYNCOID_PAIR: &str = "
retention daily {
  hourly 24
  daily  7
}

retention month {
  hourly 24
  daily  30
}

node alpha {
  address 10.0.0.1
}

node beta {
  address 10.0.0.2
}

pair backup {
  source           alpha
  target           beta under tank/sink
  engine           syncoid
  rpo              15m
  outage           1d
  retention        daily
  target-retention month
  replicate        tank/share recursive
  replicate        tank/media
  replicate        scratch recursive
}
";

/// The snapshot the preserving step takes of the source before its rollback.
const DIVERGED: &str = "@zplan_diverged";

/// One numbered step of a runbook: the host it names and its commands.
#[derive(Debug)]
struct Step {
    host: String,
    commands: Vec<String>,
}

/// The steps of the failback section of a runbook.
fn failback_steps(runbook: &str) -> Vec<Step> {
    let start = runbook.find("\n## Failback").expect("the runbook has a failback section");
    let section = &runbook[start + 1..];
    let section = section[3..].find("\n## ").map_or(section, |end| &section[..end + 3]);
    let mut steps: Vec<Step> = Vec::new();
    let mut in_code = false;
    for line in section.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            in_code = !in_code;
        } else if in_code {
            steps.last_mut().expect("a command belongs to a step").commands.push(trimmed.to_owned());
        } else if line.split_once(". ").is_some_and(|(number, _)| number.parse::<u32>().is_ok()) {
            let host = line.rsplit_once(" On `").map_or("", |(_, rest)| rest.trim_end_matches("`:"));
            steps.push(Step { host: host.to_owned(), commands: Vec::new() });
        }
    }
    steps
}

/// Whether a command line has `flag` among the options of `command` (`-R` in `-wR` too).
fn has_flag(words: &[&str], flag: char) -> bool {
    words.iter().take_while(|word| **word != "|").any(|word| {
        word.starts_with('-')
            && !word.starts_with("--")
            && word.len() > 1
            && word[1..].chars().all(char::is_alphanumeric)
            && word.contains(flag)
    })
}

/// The words of each side of a `zfs send … | … zfs receive …` pipe.
fn send_and_receive(command: &str) -> Option<(Vec<&str>, Vec<&str>)> {
    let (send, receive) = command.split_once(" | ")?;
    let send = send.split_whitespace().skip_while(|word| *word != "send").skip(1).collect();
    let receive: Vec<&str> = receive.split_whitespace().skip_while(|word| *word != "receive").skip(1).collect();
    (!receive.is_empty()).then_some((send, receive))
}

/// Every runbook of a static pair between two nodes, with its source node's name.
fn static_runbooks(policy: &Policy, tree: &Tree) -> Vec<(String, String, String)> {
    let static_pairs = policy.pairs.iter().filter(|pair| matches!(pair.roles, Roles::Static));
    static_pairs
        .filter(|pair| pair.nodes[0] != pair.nodes[1])
        .map(|pair| {
            let source = policy.nodes[pair.nodes[0]].name.value.clone();
            let path = format!("usr/local/share/doc/zplan/failover-{}.md", pair.name.value);
            (pair.name.value.clone(), source.clone(), file_text(tree, &source, &path))
        })
        .collect()
}

/// The policies whose runbooks are checked: the examples, a recursive syncoid pair, and
/// every other policy that compiles.
fn policies() -> Vec<(String, String)> {
    let mut policies = vec![
        ("linux-zrepl-pull.zplan".to_owned(), LINUX_EXAMPLE.to_owned()),
        ("freebsd-f3s.zplan".to_owned(), FREEBSD_EXAMPLE.to_owned()),
        ("recursive.zplan".to_owned(), RECURSIVE_SYNCOID_PAIR.to_owned()),
    ];
    policies.extend(compiling_policies());
    policies
}

/// The dataset a rollback command of the runbook rolls back, alone or each of its children.
fn rolled_back(command: &str) -> Option<&str> {
    if !command.contains("zfs rollback") {
        return None;
    }
    let words: Vec<&str> = command.split_whitespace().collect();
    match words.as_slice() {
        ["zfs", "list", "-H", "-o", "name", "-r", dataset, ..] => Some(dataset),
        ["zfs", "rollback", "-r", snapshot] => snapshot.split_once('@').map(|(dataset, _)| dataset),
        _ => panic!("an unknown form of rollback: {command}"),
    }
}

/// Per zfs-receive(8), `-F` with a replication stream (`zfs send -R`) destroys the snapshots
/// and file systems the sending side lacks: the older snapshots the copy pruned.
#[test]
fn no_failback_forces_the_receive_of_a_replication_stream() {
    let mut receives = 0;
    for (name, source) in policies() {
        let (policy, tree) = compiled(&name, &source);
        for (pair, _, runbook) in static_runbooks(&policy, &tree) {
            for command in failback_steps(&runbook).iter().flat_map(|step| &step.commands) {
                let Some((send, receive)) = send_and_receive(command) else { continue };
                receives += 1;
                assert!(
                    !(has_flag(&send, 'R') && has_flag(&receive, 'F')),
                    "{name}, pair {pair}: a forced receive of a replication stream destroys what the copy \
                     pruned:\n{command}"
                );
            }
        }
    }
    assert!(receives > 0, "no failback sends anything");
}

/// The source's writes and snapshots after COMMON never reached the copy: before the rollback
/// destroys them, a step copies them aside, where the rollback cannot reach, and a later step
/// says how to remove the copy.
#[test]
fn the_source_keeps_what_it_diverged_to_before_its_rollback() {
    let mut rollbacks = 0;
    for (name, source) in policies() {
        let (policy, tree) = compiled(&name, &source);
        for (pair, source_node, runbook) in static_runbooks(&policy, &tree) {
            let steps = failback_steps(&runbook);
            let on_source: Vec<(usize, &String)> = steps
                .iter()
                .enumerate()
                .filter(|(_, step)| step.host == source_node)
                .flat_map(|(index, step)| step.commands.iter().map(move |command| (index, command)))
                .collect();
            for (index, command) in &on_source {
                let Some(dataset) = rolled_back(command) else { continue };
                rollbacks += 1;
                let before: Vec<&String> =
                    on_source.iter().filter(|(earlier, _)| earlier < index).map(|(_, command)| *command).collect();
                let snapshot = format!("{dataset}{DIVERGED}");
                let snapshot_taken = before
                    .iter()
                    .any(|command| command.starts_with("zfs snapshot ") && command.ends_with(&format!(" {snapshot}")));
                assert!(snapshot_taken, "{name}, pair {pair}: no {snapshot} before\n{command}");
                let kept = before.iter().find_map(|command| {
                    let (send, receive) = send_and_receive(command)?;
                    send.contains(&snapshot.as_str()).then(|| receive.last().copied()).flatten()
                });
                let kept = kept
                    .unwrap_or_else(|| panic!("{name}, pair {pair}: {snapshot} is not copied aside before\n{command}"));
                assert!(
                    kept != dataset && !kept.starts_with(&format!("{dataset}/")),
                    "{name}, pair {pair}: the copy {kept} is within the reach of\n{command}"
                );
                let removal = format!("zfs destroy -r {kept}");
                assert!(
                    runbook[runbook.find("\n## Failback").unwrap()..].contains(&removal),
                    "{name}, pair {pair}: the failback never says how to remove {kept} ({removal})"
                );
            }
        }
    }
    assert!(rollbacks > 0, "no failback rolls the source back");
}

/// The lines of the exports file a failover section writes on the target.
fn failover_exports(runbook: &str) -> Vec<&str> {
    let failover = runbook.split("## Failover").nth(1).and_then(|rest| rest.split("## Failback").next());
    let mut lines = failover.unwrap_or_default().lines().map(str::trim);
    let mut exports = Vec::new();
    while let Some(line) = lines.next() {
        if line.starts_with("cat > /") && line.ends_with("<<'EOF'") {
            exports.extend(lines.by_ref().take_while(|line| *line != "EOF"));
        }
    }
    exports
}

/// A node's server on a static pair's source that exports the pair's data beside data of
/// its own: the failover serves the pair's exports from the copies, read-write and to the
/// same clients, and none of the others; the failback stops the source's nfsd before it
/// rolls the source back, since clients would write into data the rollback discards.
#[test]
fn a_failover_moves_only_the_node_server_exports_of_the_pairs_data() {
    let mut moved = 0;
    for (name, source) in compiling_policies() {
        let (policy, tree) = compiled(&name, &source);
        for (pair_name, source_node, runbook) in static_runbooks(&policy, &tree) {
            let pair = policy.pairs.iter().find(|p| p.name.value == pair_name).unwrap();
            let sends = |dataset: &str| {
                pair.datasets.iter().any(|r| {
                    let below = dataset.strip_prefix(r.dataset.value.as_str());
                    let covered = below.is_some_and(|rest| rest.is_empty() || r.recursive && rest.starts_with('/'));
                    covered
                        && !r
                            .exclude
                            .iter()
                            .any(|ex| dataset == ex.value || dataset.starts_with(&format!("{}/", ex.value)))
                })
            };
            let servers = policy.nfs_servers.iter().filter(|s| s.on == zplan::model::ServerOn::Node(pair.nodes[0]));
            let exports: Vec<&zplan::model::Export> = servers.flat_map(|s| &s.exports).collect();
            let (sent, own): (Vec<&zplan::model::Export>, Vec<&zplan::model::Export>) =
                exports.into_iter().partition(|e| sends(&e.dataset.value));
            if sent.is_empty() {
                continue;
            }
            let written = failover_exports(&runbook);
            for export in &sent {
                for client in &export.clients {
                    let options: Vec<String> = client.options.iter().map(|o| o.value.to_string()).collect();
                    let expected = format!(" {}({},", client.who.value, options.join(","));
                    assert!(
                        written.iter().any(|line| line.contains(&expected)),
                        "{name}: pair {pair_name}'s failover does not serve {} as{expected}: {written:?}",
                        export.path.value
                    );
                    moved += 1;
                }
            }
            let target = &policy.nodes[pair.nodes[1]].name.value;
            let target_exports = crate::support::text_files(&tree)
                .find(|(host, file, _)| host == target && *file == "etc/exports.d/zplan.exports")
                .map_or("", |(_, _, text)| text);
            for export in own {
                let path = format!("{} ", export.path.value);
                let served_there = target_exports.lines().any(|line| line.starts_with(&path));
                assert!(
                    served_there || !written.iter().any(|line| line.starts_with(&path)),
                    "{name}: pair {pair_name}'s failover serves {}, which it does not replicate",
                    export.path.value
                );
            }
            let failback = runbook.split("## Failback").nth(1).unwrap_or_default();
            let stop = failback.find("systemctl stop nfs-server.service");
            let rollback = failback.find("zfs rollback");
            assert!(
                stop.is_some_and(|stop| rollback.is_some_and(|rollback| stop < rollback)),
                "{name}: pair {pair_name}'s failback rolls {source_node} back while its nfsd serves"
            );
        }
    }
    assert!(moved > 0, "no node server's export was moved");
}
