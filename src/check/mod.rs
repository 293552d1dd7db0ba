//! Checks: the rules a resolved policy must obey. Every rule runs and returns its
//! problems; none stops the others.

mod addresses;
mod cascade;
mod copies;
mod engines;
mod failover;
mod freebsd;
mod identity;
mod jobs;
mod monitoring;
mod mountpoints;
mod mounts;
mod names;
mod nfs;
mod nfsv4;
mod node_servers;
mod notify;
mod options;
mod pairs;
mod sanoid_fan_out;
mod snapshots;
mod syncoid;
mod targets;
mod timing;
mod writers;
mod zrepl_fan_out;
mod zrepl_settings;

use crate::diagnostic::Problem;
use crate::facts::Facts;
use crate::model::Policy;

/// Runs every rule over the policy and returns all their problems: the rules that ask for
/// derived facts (schedules, zrepl jobs, cascades, fan-outs) read them from `facts`.
pub fn check(facts: &Facts<'_>) -> Vec<Problem> {
    let policy = facts.policy;
    let rules: &[fn(&Policy) -> Vec<Problem>] = &[
        addresses::addresses_name_one_host,
        timing::cadence_is_declared,
        pairs::nodes_differ,
        pairs::datasets_replicated_once,
        pairs::unit_names_unique,
        names::unit_names_fit,
        nfs::exports_are_replicated,
        nfs::fsids_unique,
        nfs::export_paths_serve_one_dataset,
        nfs::exports_are_guarded,
        nfs::clients_named_once,
        nfs::failover_covers_follow_delay,
        nfs::nfsd_times_agree,
        nfs::grace_outlasts_lease,
        nfs::one_followed_pair_per_nfs_node,
        failover::address_moves_follow_roles,
        failover::keepalived_holds_ip_literals,
        failover::router_ids_unique,
        failover::guest_names_are_free,
        nfsv4::exports_under_root,
        nfsv4::root_needs_v4,
        nfsv4::roots_are_on_linux,
        nfsv4::nfsd_settings_agree,
        nfsv4::mount_versions_offered,
        nfsv4::mount_flavours_offered,
        nfsv4::kerberos_by_name,
        mountpoints::exports_are_mounted,
        node_servers::node_servers_serve_what_they_hold,
        node_servers::node_servers_are_not_gated,
        node_servers::mountpoints_declared_once,
        mounts::soft_mounts_outlast_failover,
        mounts::mounts_say_netdev,
        mounts::options_fit_the_version,
        mounts::attribute_cache_bounds_ordered,
        mounts::idle_timeout_needs_automount,
        mounts::retry_fits_mount_timeout,
        engines::zrepl_pairs_are_static,
        engines::pulls_are_static,
        engines::zrepl_pairs_are_complete,
        engines::settings_apply,
        engines::zrepl_can_express,
        engines::retention_expressible,
        engines::transport_fits_nodes,
        targets::target_exports_are_mounted,
        freebsd::freebsd_hosts_get_freebsd_output,
        copies::copy_names_expressible,
        copies::copies_distinct,
        copies::copies_are_new_datasets,
        syncoid::syncoid_release_accepts,
        syncoid::mbuffer_reads_sizes,
        syncoid::preserved_properties_are_acknowledged,
        zrepl_settings::zrepl_statements_on_zrepl_pairs,
        zrepl_settings::protection_keeps_the_cursor,
        zrepl_settings::tls_nodes_have_identities,
        identity::tcp_clients_have_ip_addresses,
        identity::identity_is_for_syncoid,
        identity::followed_copies_get_mounted,
        snapshots::snapshot_statements_are_nested,
        snapshots::times_of_day_are_for_sanoid,
        snapshots::sanoid_can_keep_node_snapshots,
        snapshots::every_takes_frequent_snapshots,
        snapshots::zrepl_snapshots_are_not_atomic,
        monitoring::capacity_is_ordered,
        monitoring::check_every_fits_a_calendar,
        notify::notify_targets_can_work,
        notify::notify_every_in_range,
    ];
    let fact_rules: &[fn(&Facts<'_>) -> Vec<Problem>] = &[
        timing::rpo_is_met,
        timing::push_leaves_room_for_transfer,
        timing::retention_outlasts_outage,
        timing::pile_up_is_bounded,
        writers::one_writer_per_dataset,
        writers::exports_are_not_received,
        engines::zrepl_grid_grows,
        targets::sender_keeps_what_target_needs,
        jobs::jobs_are_disjoint,
        jobs::listeners_are_unique,
        syncoid::delete_target_snapshots_is_safe,
        zrepl_fan_out::fan_outs_push_once,
        zrepl_fan_out::fan_outs_agree,
        zrepl_fan_out::fan_outs_keep_what_targets_fetch,
        snapshots::snapshots_are_not_replicated_too,
        sanoid_fan_out::fan_out_meets_rpo,
        sanoid_fan_out::fan_out_outlasts_outage,
        sanoid_fan_out::two_senders_at_most,
        cascade::cascades_meet_rpo,
        cascade::cascades_outlast_outage,
        cascade::cascades_do_not_loop,
        monitoring::alert_after_holds,
    ];
    let mut problems: Vec<Problem> = rules.iter().flat_map(|rule| rule(policy)).collect();
    problems.extend(fact_rules.iter().flat_map(|rule| rule(facts)));
    problems.extend(options::option_lists_consistent(policy));
    problems
}
