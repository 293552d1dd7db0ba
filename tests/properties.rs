//! Properties over generated policies, with a bounded number of cases so that `cargo test`
//! stays fast: valid fleets compile cleanly, block order never changes a byte, and whatever
//! names a policy holds, what zplan emits fits the format it lands in.

use proptest::prelude::*;
use proptest::sample::SizeRange;
use zplan::fleet::{
    backup_box_blocks, backup_fleet_policy, client_pattern_server_blocks, fleet_blocks,
    fleet_blocks_with_local_snapshots, fleet_policy, zrepl_fan_out_fleet,
};

use crate::charset::violations;

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig { cases, max_shrink_iters: 256, ..ProptestConfig::default() }
}

proptest! {
    #![proptest_config(config(48))]

    /// Every fleet the generator makes, of any size and seed, compiles with no problem.
    #[test]
    fn generated_fleets_compile_cleanly(pairs in 1..6usize, seed in any::<u64>()) {
        let compilation = zplan::compile(&fleet_policy(pairs, seed), "fleet.zplan");
        prop_assert!(compilation.problems.is_empty(), "{:?}", compilation.problems);
        let tree = compilation.tree.expect("a clean policy has a tree");
        prop_assert_eq!(violations(&tree), Vec::<String>::new());
    }

    /// Every generated fleet of backups (hourly, nightly, weekly; pushed and pulled)
    /// compiles with no problem, and what it emits fits its formats.
    #[test]
    fn generated_backups_compile_cleanly(backups in 1..6usize, seed in any::<u64>()) {
        let compilation = zplan::compile(&backup_fleet_policy(backups, seed), "backups.zplan");
        prop_assert!(compilation.problems.is_empty(), "{:?}", compilation.problems);
        let tree = compilation.tree.expect("a clean policy has a tree");
        prop_assert_eq!(violations(&tree), Vec::<String>::new());
    }

    /// File servers whose exports name clients every way exports(5) allows compile with no
    /// problem, and every client they name reaches its server's exports file as written.
    #[test]
    fn generated_file_servers_compile_cleanly(servers in 1..5usize, seed in any::<u64>()) {
        let blocks = client_pattern_server_blocks(servers, seed);
        let compilation = zplan::compile(&blocks.concat(), "file-servers.zplan");
        prop_assert!(compilation.problems.is_empty(), "{:?}", compilation.problems);
        let tree = compilation.tree.expect("a clean policy has a tree");
        prop_assert_eq!(violations(&tree), Vec::<String>::new());
        for (index, block) in blocks.iter().enumerate() {
            let host = format!("files-{index}");
            let exports = crate::support::text_files(&tree)
                .find(|(on, path, _)| *on == host && *path == "etc/exports.d/zplan.exports")
                .map(|(_, _, text)| text)
                .unwrap_or_default();
            let clients = block.lines().filter_map(|line| line.trim().strip_prefix("client "));
            for who in clients.filter_map(|rest| rest.split(' ').next()) {
                prop_assert!(exports.contains(&format!(" {who}(")), "{who} is not in {exports}");
            }
        }
    }

    /// Every zrepl fan-out fleet compiles with no problem, and its tree keeps the invariants.
    #[test]
    fn generated_fan_out_fleets_compile_cleanly(sites in 1..4usize, seed in any::<u64>()) {
        let compilation = zplan::compile(&zrepl_fan_out_fleet(sites, seed), "fan-out.zplan");
        prop_assert!(compilation.problems.is_empty(), "{:?}", compilation.problems);
        let tree = compilation.tree.expect("a clean policy has a tree");
        prop_assert_eq!(violations(&tree), Vec::<String>::new());
    }

    /// Backup boxes with named copies and syncoid's options, beside a fleet, compile with no
    /// problem into files that fit their formats, in any order of their blocks.
    #[test]
    fn backup_boxes_compile_cleanly_in_any_order(
        (blocks, shuffled) in (1..4usize, any::<u64>()).prop_flat_map(|(sites, seed)| {
            let mut blocks = fleet_blocks(2, seed);
            blocks.extend(backup_box_blocks(sites, seed));
            (Just(blocks.clone()), Just(blocks).prop_shuffle())
        })
    ) {
        let compilation = zplan::compile(&blocks.concat(), "fleet.zplan");
        prop_assert!(compilation.problems.is_empty(), "{:?}", compilation.problems);
        let tree = compilation.tree.expect("a clean policy has a tree");
        prop_assert_eq!(violations(&tree), Vec::<String>::new());
        let reordered = zplan::compile(&shuffled.concat(), "fleet.zplan").tree.expect("any order compiles");
        prop_assert_eq!(tree, reordered);
    }

    /// Fleets with snapshot-only nodes, fan-out and cascades compile cleanly too, and their
    /// blocks in any order compile to the same bytes.
    #[test]
    fn fleets_with_local_snapshots_compile_cleanly_in_any_order(
        (blocks, shuffled) in (1..4usize, 1..5usize, any::<u64>()).prop_flat_map(|(pairs, local, seed)| {
            let blocks = fleet_blocks_with_local_snapshots(pairs, local, seed);
            (Just(blocks.clone()), Just(blocks).prop_shuffle())
        })
    ) {
        let original = zplan::compile(&blocks.concat(), "fleet.zplan");
        prop_assert!(original.problems.is_empty(), "{:?}", original.problems);
        let tree = original.tree.expect("a clean policy has a tree");
        prop_assert_eq!(violations(&tree), Vec::<String>::new());
        let reordered = zplan::compile(&shuffled.concat(), "fleet.zplan").tree.expect("any order compiles");
        prop_assert_eq!(tree, reordered);
    }

    /// Blocks may come in any order: every shuffle compiles to the same bytes.
    #[test]
    fn block_order_never_changes_the_output(
        (blocks, shuffled) in (1..5usize, any::<u64>()).prop_flat_map(|(pairs, seed)| {
            let blocks = fleet_blocks(pairs, seed);
            (Just(blocks.clone()), Just(blocks).prop_shuffle())
        })
    ) {
        let original = zplan::compile(&blocks.concat(), "fleet.zplan").tree.expect("the fleet compiles");
        let reordered = zplan::compile(&shuffled.concat(), "fleet.zplan").tree.expect("any order compiles");
        prop_assert_eq!(original, reordered);
    }
}

proptest! {
    #![proptest_config(config(256))]

    /// Names full of what formats cannot carry (newlines, quotes, `#`, `$`, `%`, `\`,
    /// spaces, `..`, great lengths): zplan refuses them or emits only what fits.
    #[test]
    fn whatever_the_names_emitted_files_fit_their_formats(names in hostile_names()) {
        let compilation = zplan::compile(&named_policy(&names), "hostile.zplan");
        if let Some(tree) = compilation.tree {
            prop_assert_eq!(violations(&tree), Vec::<String>::new());
        }
    }
}

/// A name that is plausible, hostile, or very long.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-z][a-z0-9-]{0,12}",
        2 => "[a-z][a-z0-9-]{0,4}(\n|\"|'|#|\\$|%|\\\\| |\\.\\.|/|:|@|\\+|\t|\u{e9})[a-z0-9-]{0,4}",
        1 => "[a-z][a-z0-9_.:/-]{60,300}",
        1 => "[a-z]{225,260}",
        1 => "[ -~]{1,12}",
    ]
}

/// Valid names for the eight places of [`named_policy`], one or two of them replaced: with
/// every place drawn at once, almost no policy would compile far enough to emit anything.
fn hostile_names() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec((0..8usize, name()), SizeRange::from(1..=2)).prop_map(|replacements| {
        let mut names: Vec<String> =
            ["daily", "alpha", "beta", "data", "vm-disks", "files", "app", "data"].map(String::from).to_vec();
        for (place, name) in replacements {
            names[place] = name;
        }
        names
    })
}

/// A small valid policy with every name replaced: retention, two nodes, pair, dataset,
/// NFS server, export path and client, then a mount point.
fn named_policy(names: &[String]) -> String {
    let [retention, first, second, pair, dataset, server, client, at] = names else { unreachable!("eight names") };
    format!(
        "retention {retention} {{\n  hourly 24\n  daily 7\n}}\n\
         node {first} {{\n  address 10.0.0.1\n}}\n\
         node {second} {{\n  address 10.0.0.2\n}}\n\
         pair {pair} {{\n  nodes {first} {second}\n  engine syncoid\n  active follows proxmox-guest 100\n  \
         rpo 15m\n  outage 1d\n  retention {retention}\n  replicate tank/{dataset} recursive mount /srv/{dataset}\n}}\n\
         nfs {server} {{\n  on pair {pair}\n  address 10.0.0.10\n  failover 60s\n  \
         export /srv/{dataset} dataset tank/{dataset} {{\n    client 10.0.0.0/24 rw sync no_subtree_check\n  }}\n}}\n\
         client {client} {{\n  mount {server}:/srv/{dataset} at /mnt/{at} {{\n    hard timeo 10s retrans 30\n  }}\n}}\n"
    )
}

/// Every example and every `ok_` input compiles into files that fit their formats, the rules
/// the generated fleets are held to above.
#[test]
fn every_clean_policy_fits_its_formats() {
    for (name, source) in crate::support::clean_policies() {
        let compilation = zplan::compile(&source, &name);
        let tree = compilation.tree.unwrap_or_else(|| panic!("{name}: {:?}", compilation.problems));
        assert_eq!(violations(&tree), Vec::<String>::new(), "{name}");
    }
}
