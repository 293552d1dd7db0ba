//! How a node reaches its peer over ssh, for syncoid and for the guard script alike.
//! syncoid 2.1.0 splits `user@host:dataset` at the first `:` after the `@` (`getssh()`,
//! `s/^[^\@:]*\@[^\@:]*://`), so an IPv6 address cannot be its host: such a peer goes by
//! its node name, and ssh gets the address from `HostName=`, an option syncoid passes to
//! every ssh it runs (the control master, the echo test, each `zfs` and the stream).
//! A host name is written as it is; the account, port, key and options come from the
//! `ssh` and `user` statements ([`crate::facts::identity::route`]).

use std::net::IpAddr;

use crate::facts::identity::{route, SshRoute};
use crate::model::{Address, Node, Pair};

/// The ssh destination of a peer and the `-o` options that reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshPeer {
    /// `USER@ADDRESS` for IPv4 and host names, `USER@NODE` for IPv6.
    pub destination: String,
    /// `Name=value` options, each for `ssh -o` or `syncoid --sshoption=`: what the policy
    /// sets with `option`, then what zplan needs.
    pub options: Vec<String>,
    pub port: Option<u16>,
    pub key: Option<String>,
}

impl SshPeer {
    /// How a replication of `pair` reaches `node`, never asking for a password.
    pub fn of(pair: &Pair, node: &Node) -> SshPeer {
        let SshRoute { user, port, key, options } = route(pair, node);
        let mut written: Vec<String> = vec!["BatchMode=yes".to_owned()];
        let host = match &node.address.value {
            Address::Ip(IpAddr::V6(address)) => {
                written.push(format!("HostName={address}"));
                node.name.value.clone()
            }
            other => other.to_string(),
        };
        written.extend(options.iter().map(|(name, value)| format!("{name}={value}")));
        SshPeer { destination: format!("{user}@{host}"), options: written, port, key: key.map(str::to_owned) }
    }

    /// syncoid's argument for a dataset on this peer: `USER@HOST:DATASET`.
    pub fn syncoid_target(&self, dataset: &str) -> String {
        format!("{}:{dataset}", self.destination)
    }

    /// The options of a plain `ssh` command: each `-o` option, then the port and the key as
    /// options too, so that one list serves the guard script.
    pub fn ssh_options(&self) -> Vec<String> {
        let mut options = self.options.clone();
        options.extend(self.port.map(|port| format!("Port={port}")));
        options.extend(self.key.as_ref().map(|key| format!("IdentityFile={key}")));
        options
    }

    /// syncoid's ssh arguments: `--sshport`, `--sshkey` and one `--sshoption` per option.
    pub fn syncoid_args(&self) -> Vec<String> {
        let mut args: Vec<String> = self.port.iter().map(|port| format!("--sshport={port}")).collect();
        args.extend(self.key.iter().map(|key| format!("--sshkey={key}")));
        args.extend(self.options.iter().map(|option| format!("--sshoption={option}")));
        args
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(address: &str, ssh: &str) -> crate::model::Policy {
        let text = format!(
            "retention r {{\n  hourly 48\n  daily 7\n}}\n\nnode alpha {{\n  address 10.0.0.1\n}}\n\nnode beta {{\n  address {address}\n{ssh}}}\n\n\
             pair p {{\n  source alpha\n  target beta under tank/copy\n  engine syncoid\n  rpo 1h\n  outage 1d\n  retention r\n  replicate tank/a\n}}\n"
        );
        let (policy, problems) = crate::model::build(&crate::syntax::parse(&text).unwrap());
        assert!(problems.is_empty(), "{problems:?}");
        policy
    }

    fn peer(address: &str, ssh: &str) -> SshPeer {
        let policy = policy(address, ssh);
        SshPeer::of(&policy.pairs[0], &policy.nodes[1])
    }

    #[test]
    fn an_ipv4_peer_is_named_by_its_address() {
        let peer = peer("10.0.0.2", "");
        assert_eq!(peer.syncoid_target("tank/a:b"), "root@10.0.0.2:tank/a:b");
        assert_eq!(peer.options, ["BatchMode=yes"]);
        assert!(peer.syncoid_args() == ["--sshoption=BatchMode=yes"]);
    }

    #[test]
    fn a_named_peer_is_reached_by_its_name() {
        let peer = peer("nas.tail1234.ts.net", "");
        assert_eq!(peer.syncoid_target("tank/share"), "root@nas.tail1234.ts.net:tank/share");
        assert_eq!(peer.options, ["BatchMode=yes"]);
    }

    #[test]
    fn an_ipv6_peer_is_named_by_its_node_and_reached_by_hostname() {
        let peer = peer("fd00::2", "");
        assert_eq!(peer.syncoid_target("tank/share"), "root@beta:tank/share");
        assert_eq!(peer.options, ["BatchMode=yes", "HostName=fd00::2"]);
    }

    #[test]
    fn the_ssh_statement_sets_account_port_key_and_options() {
        let peer =
            peer("nas.lan", "  ssh user zfsbackup port 2222 key /root/.ssh/backup option StrictHostKeyChecking yes\n");
        assert_eq!(peer.syncoid_target("tank/a"), "zfsbackup@nas.lan:tank/a");
        assert_eq!(
            peer.syncoid_args(),
            [
                "--sshport=2222",
                "--sshkey=/root/.ssh/backup",
                "--sshoption=BatchMode=yes",
                "--sshoption=StrictHostKeyChecking=yes"
            ]
        );
        assert_eq!(
            peer.ssh_options(),
            ["BatchMode=yes", "StrictHostKeyChecking=yes", "Port=2222", "IdentityFile=/root/.ssh/backup"]
        );
    }
}
