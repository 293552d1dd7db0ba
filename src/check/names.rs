//! Rules on the names zplan derives: a dataset or a mount point becomes part of a systemd
//! unit name, and systemd refuses (and most filesystems cannot store) a name longer than
//! 255 characters.

use crate::diagnostic::Problem;
use crate::facts::naming::{mount_unit_stem, replication_unit_stem};
use crate::model::Policy;
use crate::syntax::Span;

/// The longest unit name systemd accepts, which is also the longest file name.
const MAX_UNIT_NAME: usize = 255;

/// Every replication unit and mount unit name fits systemd's limit.
pub fn unit_names_fit(policy: &Policy) -> Vec<Problem> {
    let replication = policy.pairs.iter().flat_map(|pair| {
        pair.datasets.iter().map(move |replicated| {
            let unit = format!("{}.service", replication_unit_stem(pair, &replicated.dataset.value));
            (unit, replicated.dataset.span, "shorten the dataset name or the pair name")
        })
    });
    let mounts = policy.clients.iter().flat_map(|client| &client.mounts).map(|mount| {
        let suffix = if mount.automount { ".automount" } else { ".mount" };
        let unit = format!("{}{suffix}", mount_unit_stem(&mount.at.value));
        (unit, mount.at.span, "shorten the mount point; systemd spells each `-` in it as `\\x2d`")
    });
    replication.chain(mounts).filter_map(|(unit, span, help)| too_long(unit, span, help)).collect()
}

fn too_long(unit: String, span: Span, help: &'static str) -> Option<Problem> {
    let length = unit.chars().count();
    (length > MAX_UNIT_NAME).then(|| Problem::UnitNameTooLong { span: span.into(), unit, length, help })
}
