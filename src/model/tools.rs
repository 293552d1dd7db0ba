//! What each release of the target tools accepts, so that zplan writes only what the
//! declared release understands. The tables follow the tools' own option parsers and
//! defaults files (sanoid 2.1.0 lines 24-29 for syncoid; `sanoid.defaults.conf` v2).

/// The sanoid/syncoid release a node runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SanoidVersion {
    /// 2.1.0, what Debian 12 ships.
    V2_1,
    V2_2,
    V2_3,
}

impl SanoidVersion {
    /// Every release zplan can target, oldest first.
    pub const ALL: [SanoidVersion; 3] = [SanoidVersion::V2_1, SanoidVersion::V2_2, SanoidVersion::V2_3];

    /// The version as a policy writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            SanoidVersion::V2_1 => "2.1",
            SanoidVersion::V2_2 => "2.2",
            SanoidVersion::V2_3 => "2.3",
        }
    }
}

/// The long options syncoid 2.1.0 accepts.
const SYNCOID_2_1: &[&str] = &[
    "no-command-checks",
    "monitor-version",
    "compress",
    "dumpsnaps",
    "recursive",
    "sendoptions",
    "recvoptions",
    "source-bwlimit",
    "target-bwlimit",
    "sshkey",
    "sshport",
    "sshcipher",
    "sshoption",
    "debug",
    "quiet",
    "no-stream",
    "no-sync-snap",
    "no-resume",
    "exclude",
    "skip-parent",
    "identifier",
    "no-clone-handling",
    "no-privilege-elevation",
    "force-delete",
    "no-clone-rollback",
    "no-rollback",
    "create-bookmark",
    "pv-options",
    "keep-sync-snap",
    "preserve-recordsize",
    "mbuffer-size",
];

/// Options syncoid 2.2.0 added.
const SYNCOID_ADDED_2_2: &[&str] =
    &["use-hold", "delete-target-snapshots", "preserve-properties", "sshconfig", "insecure-direct-connection"];

/// Options syncoid 2.3.0 added.
const SYNCOID_ADDED_2_3: &[&str] = &["exclude-datasets", "include-snaps", "exclude-snaps"];

/// Whether a release's syncoid accepts a long option (written without `--` and value).
pub fn syncoid_accepts(version: SanoidVersion, option: &str) -> bool {
    let removed_after_2_1 = option == "no-clone-rollback" && version > SanoidVersion::V2_1;
    let added = match version {
        SanoidVersion::V2_1 => false,
        SanoidVersion::V2_2 => SYNCOID_ADDED_2_2.contains(&option),
        SanoidVersion::V2_3 => SYNCOID_ADDED_2_2.contains(&option) || SYNCOID_ADDED_2_3.contains(&option),
    };
    (SYNCOID_2_1.contains(&option) && !removed_after_2_1) || added
}

/// The sanoid options zplan's units use; `cache-ttl` would need 2.3. `cache-dir`,
/// `run-dir` and the `monitor-*` checks are in the option list of 2.1.0, 2.2.0 and 2.3.0
/// alike (sanoid, lines 26-29).
const SANOID_OPTIONS: &[&str] = &[
    "configdir",
    "cache-dir",
    "run-dir",
    "take-snapshots",
    "prune-snapshots",
    "monitor-snapshots",
    "monitor-capacity",
    "cron",
    "verbose",
    "readonly",
];

/// Whether a release's sanoid accepts a long option zplan may write.
pub fn sanoid_accepts(version: SanoidVersion, option: &str) -> bool {
    SANOID_OPTIONS.contains(&option) || option == "cache-ttl" && version == SanoidVersion::V2_3
}

/// The keys of `[template_default]` in sanoid.defaults.conf v2, the whitelist of every
/// release; 2.2.0 adds `pre_pruning_script`.
const SANOID_CONF_KEYS: &[&str] = &[
    "path",
    "recursive",
    "use_template",
    "process_children_only",
    "skip_children",
    "pre_snapshot_script",
    "post_snapshot_script",
    "pruning_script",
    "script_timeout",
    "no_inconsistent_snapshot",
    "force_post_snapshot_script",
    "frequent_period",
    "autoprune",
    "frequently",
    "hourly",
    "daily",
    "weekly",
    "monthly",
    "yearly",
    "prune_defer",
    "autosnap",
    "hourly_min",
    "daily_hour",
    "daily_min",
    "weekly_wday",
    "weekly_hour",
    "weekly_min",
    "monthly_mday",
    "monthly_hour",
    "monthly_min",
    "yearly_mon",
    "yearly_mday",
    "yearly_hour",
    "yearly_min",
    "monitor",
    "monitor_dont_warn",
    "monitor_dont_crit",
    "frequently_warn",
    "frequently_crit",
    "hourly_warn",
    "hourly_crit",
    "daily_warn",
    "daily_crit",
    "weekly_warn",
    "weekly_crit",
    "monthly_warn",
    "monthly_crit",
    "yearly_warn",
    "yearly_crit",
    "capacity_warn",
    "capacity_crit",
];

/// Whether a release's sanoid understands a sanoid.conf key.
pub fn sanoid_conf_accepts(version: SanoidVersion, key: &str) -> bool {
    SANOID_CONF_KEYS.contains(&key) || key == "pre_pruning_script" && version >= SanoidVersion::V2_2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_differ_where_the_reference_says() {
        assert!(!syncoid_accepts(SanoidVersion::V2_1, "use-hold"));
        assert!(syncoid_accepts(SanoidVersion::V2_2, "use-hold"));
        assert!(syncoid_accepts(SanoidVersion::V2_1, "no-clone-rollback"));
        assert!(!syncoid_accepts(SanoidVersion::V2_3, "no-clone-rollback"));
        assert!(syncoid_accepts(SanoidVersion::V2_3, "include-snaps"));
        assert!(!sanoid_accepts(SanoidVersion::V2_1, "cache-ttl"));
        assert!(!sanoid_conf_accepts(SanoidVersion::V2_1, "pre_pruning_script"));
        assert!(sanoid_conf_accepts(SanoidVersion::V2_2, "pre_pruning_script"));
    }
}
