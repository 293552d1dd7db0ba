//! How a node reaches its peer over ssh, for syncoid and for the guard script alike.
//! syncoid 2.1.0 splits `user@host:dataset` at the first `:` after the `@` (`getssh()`,
//! `s/^[^\@:]*\@[^\@:]*://`), so an IPv6 address cannot be its host: such a peer goes by
//! its node name, and ssh gets the address from `HostName=`, an option syncoid passes to
//! every ssh it runs (the control master, the echo test, each `zfs` and the stream).

use std::net::IpAddr;

use crate::model::{Address, Node};

/// The ssh destination of a peer and the `-o` options that reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshPeer {
    /// `root@ADDRESS` for IPv4, `root@NODE` for IPv6.
    pub destination: String,
    /// `Name=value` options, each for `ssh -o` or `syncoid --sshoption=`.
    pub options: Vec<String>,
}

impl SshPeer {
    /// How to reach `node` as root, never asking for a password.
    pub fn of(node: &Node) -> SshPeer {
        let mut options = vec!["BatchMode=yes".to_owned()];
        let host = match &node.address.value {
            Address::Ip(IpAddr::V6(address)) => {
                options.push(format!("HostName={address}"));
                node.name.value.clone()
            }
            other => other.to_string(),
        };
        SshPeer { destination: format!("root@{host}"), options }
    }

    /// syncoid's argument for a dataset on this peer: `root@HOST:DATASET`.
    pub fn syncoid_target(&self, dataset: &str) -> String {
        format!("{}:{dataset}", self.destination)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Os, Spanned, ZreplVersion};
    use crate::syntax::Span;
    use crate::tools::SanoidVersion;

    fn node(address: &str) -> Node {
        let span = Span::default();
        Node {
            name: Spanned::new("beta".to_owned(), span),
            address: Spanned::new(
                address.parse().map_or_else(|_| Address::Name(address.to_owned()), Address::Ip),
                span,
            ),
            os: Spanned::new(Os::Linux, span),
            zrepl: ZreplVersion::V0_6,
            sanoid: SanoidVersion::V2_1,
        }
    }

    #[test]
    fn an_ipv4_peer_is_named_by_its_address() {
        let peer = SshPeer::of(&node("10.0.0.2"));
        assert_eq!(peer.syncoid_target("tank/a:b"), "root@10.0.0.2:tank/a:b");
        assert_eq!(peer.options, ["BatchMode=yes"]);
    }

    #[test]
    fn a_named_peer_is_reached_by_its_name() {
        let peer = SshPeer::of(&node("nas.tail1234.ts.net"));
        assert_eq!(peer.syncoid_target("tank/share"), "root@nas.tail1234.ts.net:tank/share");
        assert_eq!(peer.options, ["BatchMode=yes"]);
    }

    #[test]
    fn an_ipv6_peer_is_named_by_its_node_and_reached_by_hostname() {
        let peer = SshPeer::of(&node("fd00::2"));
        assert_eq!(peer.syncoid_target("tank/share"), "root@beta:tank/share");
        assert_eq!(peer.options, ["BatchMode=yes", "HostName=fd00::2"]);
    }
}
