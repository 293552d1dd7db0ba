//! Names zplan gives to what it generates: unit names, script paths, config dirs and
//! fsids. Checks use them to refuse collisions; the plan uses them to lay out files.

use crate::model::{Export, Pair};

/// The stem of the replication service and timer of one dataset of a pair.
pub fn replication_unit_stem(pair: &Pair, dataset: &str) -> String {
    format!("zplan-replicate-{}-{}", pair.name.value, dataset.replace('/', "-"))
}

/// The stem of the service and timer that take and prune a pair's snapshots on its active node.
pub fn snapshot_unit_stem(pair: &Pair) -> String {
    format!("zplan-snapshot-{}", pair.name.value)
}

/// The stem of the service and timer that prune a pair's copies on its standby node.
pub fn prune_unit_stem(pair: &Pair) -> String {
    format!("zplan-prune-{}", pair.name.value)
}

/// The fsid an export carries on every node that may serve it: explicit, or derived from
/// its path so that it is stable across builds and unaffected by other exports.
pub fn export_fsid(export: &Export) -> u32 {
    export.fsid.as_ref().map_or_else(|| derived_fsid(&export.path.value), |fsid| fsid.value)
}

/// FNV-1a of the path, folded into 1..=2^31-1 (fsid 0 means the NFSv4 root).
fn derived_fsid(path: &str) -> u32 {
    let hash = path.bytes().fold(0x811c_9dc5_u32, |hash, byte| (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193));
    1 + hash % 0x7fff_fffe
}

/// The VRRP router id of a server whose address keepalived moves, when the policy declares
/// none: FNV-1a of the server's name folded into 1..=255, stable across builds and
/// unaffected by other servers (a clash is refused, and `router-id` overrides it).
pub fn vrrp_router_id(server: &str) -> u8 {
    let hash = server.bytes().fold(0x811c_9dc5_u32, |hash, byte| (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193));
    u8::try_from(1 + hash % 255).unwrap_or(u8::MAX)
}

/// The unit name systemd derives from a mount point (`systemd-escape --path`).
pub fn mount_unit_stem(path: &str) -> String {
    let trimmed = path.trim_matches('/');
    if trimmed.is_empty() {
        return "-".to_owned();
    }
    let mut stem = String::with_capacity(trimmed.len());
    for (index, byte) in trimmed.bytes().enumerate() {
        match byte {
            b'/' => stem.push('-'),
            b'.' if index == 0 => stem.push_str("\\x2e"),
            b if b.is_ascii_alphanumeric() || b":_.".contains(&b) => stem.push(char::from(b)),
            b => stem.push_str(&format!("\\x{b:02x}")),
        }
    }
    stem
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mount_units_are_escaped_like_systemd() {
        assert_eq!(mount_unit_stem("/mnt/storage"), "mnt-storage");
        assert_eq!(mount_unit_stem("/mnt/data-nfs"), "mnt-data\\x2dnfs");
        assert_eq!(mount_unit_stem("/"), "-");
        assert_eq!(mount_unit_stem("/.hidden/x"), "\\x2ehidden-x");
    }

    #[test]
    fn router_ids_are_stable_and_within_vrrp_range() {
        assert_eq!(vrrp_router_id("server"), vrrp_router_id("server"));
        assert_ne!(vrrp_router_id("server"), vrrp_router_id("files"));
        assert!((1..=255).contains(&vrrp_router_id("")));
    }

    #[test]
    fn derived_fsids_are_stable_and_nonzero() {
        assert_eq!(derived_fsid("/data-nfs-share"), derived_fsid("/data-nfs-share"));
        assert_ne!(derived_fsid("/a"), derived_fsid("/b"));
        assert!(derived_fsid("") > 0);
    }
}
