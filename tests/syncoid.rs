//! The syncoid command lines zplan writes, read the way syncoid 2.1.0 itself reads them:
//! the host and dataset its `getssh()` takes from `user@host:dataset`, and the host ssh
//! then connects to. An IPv6 address cannot be written there (syncoid splits at the first
//! `:` after the `@`), so the peer goes by its node name and ssh gets the address.

use zplan::render::{Body, Tree};

/// A followed pair between two IPv6 nodes, one dataset with children and one without.
pub(crate) const IPV6_PAIR: &str = "
retention daily {
  hourly 24
  daily  7
}

node alpha {
  address fd00::1
}

node beta {
  address fd00::2
}

pair data {
  nodes     alpha beta
  engine    syncoid
  active    follows proxmox-guest 100
  rpo       15m
  outage    1d
  retention daily
  replicate tank/share recursive
  replicate tank/vm
}
";

/// The text of one generated file.
pub(crate) fn file_text(tree: &Tree, host: &str, path: &str) -> String {
    let file = tree.files.get(&(host.to_owned(), path.to_owned())).unwrap_or_else(|| panic!("no {host}/{path}"));
    match &file.body {
        Body::Bytes(bytes) => String::from_utf8(bytes.clone()).unwrap(),
        Body::Link(target) => panic!("{host}/{path} is a link to {target}"),
    }
}

/// The value of the first `Key=` line of a unit.
pub(crate) fn unit_value<'t>(unit: &'t str, key: &str) -> &'t str {
    let prefix = format!("{key}=");
    unit.lines().find_map(|line| line.strip_prefix(prefix.as_str())).unwrap_or_else(|| panic!("no {key}= in\n{unit}"))
}

/// The words of a command line as systemd splits them: on blanks, a "quoted word" whole.
fn systemd_words(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut rest = command.trim_start();
    while !rest.is_empty() {
        let (word, after) = match rest.strip_prefix('"') {
            Some(quoted) => quoted.split_once('"').unwrap(),
            None => rest.split_once(' ').unwrap_or((rest, "")),
        };
        words.push(word.to_owned());
        rest = after.trim_start();
    }
    words
}

/// syncoid 2.1.0's `getssh()` (lines 1443-1457): `s/^[^\@:]*\@[^\@:]*://` takes the
/// dataset, and what is left before it is the ssh host.
fn syncoid_getssh(argument: &str) -> (String, String) {
    let at = argument.find('@').filter(|at| !argument[..*at].contains(':')).expect("a remote argument has a user");
    let after = &argument[at + 1..];
    let end = after.find(['@', ':']).expect("the host ends somewhere");
    assert_eq!(&after[end..=end], ":", "syncoid finds no `:` after the host of {argument}");
    let dataset = after[end + 1..].to_owned();
    (argument[..argument.len() - dataset.len() - 1].to_owned(), dataset)
}

/// The host ssh connects to: the first `HostName=` option wins over the destination.
fn ssh_hostname(options: &[String], destination: &str) -> String {
    options
        .iter()
        .find_map(|option| option.strip_prefix("HostName="))
        .map_or_else(|| destination.rsplit('@').next().unwrap().to_owned(), str::to_owned)
}

#[test]
fn an_ipv6_peer_is_reached_at_its_address_and_receives_into_the_right_dataset() {
    let tree = zplan::compile(IPV6_PAIR, "v6.zplan").tree.expect("the policy compiles");
    for (node, peer_address) in [("alpha", "fd00::2"), ("beta", "fd00::1")] {
        for dataset in ["tank/share", "tank/vm"] {
            let unit_path = format!("etc/systemd/system/zplan-replicate-data-{}.service", dataset.replace('/', "-"));
            let unit = file_text(&tree, node, &unit_path);
            let words = systemd_words(unit_value(&unit, "ExecStart"));
            assert_eq!(words[0], "/usr/sbin/syncoid");
            let options: Vec<String> =
                words.iter().filter_map(|word| word.strip_prefix("--sshoption=")).map(str::to_owned).collect();
            let (host, target) = syncoid_getssh(words.last().unwrap());
            assert_eq!(target, dataset, "{node}: syncoid would receive into {target:?}");
            assert_eq!(ssh_hostname(&options, &host), peer_address, "{node}: ssh would connect to {host}");
            assert!(host.starts_with("root@"), "{node}: syncoid would log in as {host}");
        }
    }
}

#[test]
fn an_ipv4_peer_keeps_its_address_as_the_syncoid_host() {
    let source = IPV6_PAIR.replace("fd00::1", "10.0.0.1").replace("fd00::2", "10.0.0.2");
    let tree = zplan::compile(&source, "v4.zplan").tree.expect("the policy compiles");
    let unit = file_text(&tree, "alpha", "etc/systemd/system/zplan-replicate-data-tank-vm.service");
    let words = systemd_words(unit_value(&unit, "ExecStart"));
    assert_eq!(syncoid_getssh(words.last().unwrap()), ("root@10.0.0.2".to_owned(), "tank/vm".to_owned()));
    assert!(!words.iter().any(|word| word.starts_with("--sshoption=HostName=")), "{words:?}");
}
