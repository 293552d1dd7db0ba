//! NFSv4 as servers deploy it: the versions nfsd offers, its thread count, the pseudo-root
//! clients mount paths relative to, and the security flavours an export offers.

use std::fmt;

use super::types::{Export, ExportClient, Mount, NfsServer};

/// A protocol version nfsd may offer: the keys of nfs.conf's `[nfsd]` section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NfsVersion {
    V3,
    V4_0,
    V4_1,
    V4_2,
}

impl NfsVersion {
    /// Every version, oldest first: what nfs-utils 2.6 offers when nfs.conf says nothing.
    pub const ALL: [NfsVersion; 4] = [NfsVersion::V3, NfsVersion::V4_0, NfsVersion::V4_1, NfsVersion::V4_2];

    /// How a policy (`versions 3 4.2`) and nfs(5)'s `vers=` write it.
    pub fn written(self) -> &'static str {
        match self {
            NfsVersion::V3 => "3",
            NfsVersion::V4_0 => "4.0",
            NfsVersion::V4_1 => "4.1",
            NfsVersion::V4_2 => "4.2",
        }
    }

    /// Reads `3`, `4.0`, `4.1` or `4.2`.
    pub fn parse(text: &str) -> Option<NfsVersion> {
        NfsVersion::ALL.into_iter().find(|version| version.written() == text)
    }

    /// Whether this is an NFSv4 minor version.
    pub fn is_v4(self) -> bool {
        self != NfsVersion::V3
    }
}

impl fmt::Display for NfsVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.written())
    }
}

/// The most threads nfsd runs (the kernel's `NFSD_MAXSERVS`).
pub const NFSD_MAX_THREADS: u32 = 8192;

/// The flavour an export offers when it says no `sec`: exports(5)'s default.
pub const DEFAULT_FLAVOUR: &str = "sys";

/// The Kerberos flavours of `sec=`: each needs a keytab on the server and rpc.gssd on clients.
pub const KERBEROS_FLAVOURS: [&str; 3] = ["krb5", "krb5i", "krb5p"];

impl NfsServer {
    /// The versions nfsd offers on every node that serves this server, oldest first.
    pub fn versions(&self) -> Vec<NfsVersion> {
        self.versions.as_ref().map_or_else(|| NfsVersion::ALL.to_vec(), |versions| versions.value.clone())
    }

    /// Whether nfsd offers `version`.
    pub fn offers(&self, version: NfsVersion) -> bool {
        self.versions().contains(&version)
    }

    /// The newest NFSv4 minor version the server offers, which a client mounting a path
    /// relative to the pseudo-root asks for.
    pub fn newest_v4(&self) -> Option<NfsVersion> {
        self.versions().into_iter().filter(|version| version.is_v4()).max()
    }

    /// The path a v4 client's `ADDRESS:/relative` names on the server.
    pub fn under_root(&self, relative: &str) -> Option<String> {
        let root = &self.root.as_ref()?.value;
        Some(join_root(root, relative))
    }

    /// Whether any export offers a Kerberos flavour to any client.
    pub fn offers_kerberos(&self) -> bool {
        self.exports
            .iter()
            .flat_map(|export| &export.clients)
            .any(|client| flavours(client).iter().any(|f| is_kerberos(f)))
    }
}

/// `root` + `/relative`: `/srv/nfs` and `/data` make `/srv/nfs/data`.
pub fn join_root(root: &str, relative: &str) -> String {
    format!("{}{relative}", root.trim_end_matches('/'))
}

/// Whether `path` is strictly below `root`, where a pseudo-root serves it.
pub fn strictly_under(path: &str, root: &str) -> bool {
    root == "/" && path != "/" || path.strip_prefix(root).is_some_and(|rest| rest.starts_with('/'))
}

/// The flavours an export client entry offers, in its order: its `sec` (a colon list), or `sys`.
pub fn flavours(client: &ExportClient) -> Vec<String> {
    client
        .options
        .iter()
        .find(|option| option.value.name == "sec")
        .and_then(|option| option.value.value.as_deref())
        .map_or_else(|| vec![DEFAULT_FLAVOUR.to_owned()], |sec| sec.split(':').map(str::to_owned).collect())
}

impl Export {
    /// Every flavour the export offers to any of its client entries, in order of appearance.
    pub fn flavours(&self) -> Vec<String> {
        let mut offered: Vec<String> = Vec::new();
        for flavour in self.clients.iter().flat_map(flavours) {
            if !offered.contains(&flavour) {
                offered.push(flavour);
            }
        }
        offered
    }
}

/// Whether a flavour is one of Kerberos's.
pub fn is_kerberos(flavour: &str) -> bool {
    KERBEROS_FLAVOURS.contains(&flavour)
}

impl Mount {
    /// The `vers` the mount asks for, as written (`3`, `4`, `4.2`).
    pub fn version(&self) -> Option<&str> {
        self.options.iter().find(|o| o.value.name == "vers").and_then(|o| o.value.value.as_deref())
    }

    /// Whether the mount asks for NFSv3, where paths are the server's own.
    pub fn is_v3(&self) -> bool {
        self.version() == Some("3")
    }

    /// The `sec` the mount asks for, if it says one.
    pub fn flavour(&self) -> Option<&str> {
        self.options.iter().find(|o| o.value.name == "sec").and_then(|o| o.value.value.as_deref())
    }
}

/// A server's `versions` as declared, for messages: `3 4.1 4.2`.
pub fn describe_versions(versions: &[NfsVersion]) -> String {
    versions.iter().map(|v| v.written()).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_join_under_a_root() {
        assert_eq!(join_root("/srv/nfs", "/data"), "/srv/nfs/data");
        assert_eq!(join_root("/", "/data"), "/data");
        assert!(strictly_under("/srv/nfs/data", "/srv/nfs"));
        assert!(!strictly_under("/srv/nfs", "/srv/nfs"));
        assert!(!strictly_under("/srv/nfsdata", "/srv/nfs"));
        assert!(strictly_under("/data", "/"));
    }

    #[test]
    fn versions_read_as_written() {
        assert_eq!(NfsVersion::parse("4.2"), Some(NfsVersion::V4_2));
        assert_eq!(NfsVersion::parse("4"), None);
        assert!(NfsVersion::V4_0.is_v4() && !NfsVersion::V3.is_v4());
    }
}
