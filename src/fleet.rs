//! A synthetic fleet: a valid policy of any number of pairs, deterministic from a seed,
//! with the variety of a real one (static and `follows` pairs, several datasets per pair,
//! pinned and chosen schedules, IPv4 and IPv6, NFS servers and their clients), and on
//! request nodes that snapshot by their own policy (snapshot-only, fan-out, cascades). The
//! benchmarks, the property tests and the `zplan-fleet` program measure zplan with it.

use std::fmt::Write as _;

/// Retentions every fleet declares; each outlasts every outage the fleet declares.
const RETENTIONS: [(&str, &str); 4] = [
    ("production", "hourly 24\n  daily 7\n  weekly 4\n  monthly 6"),
    ("archive", "frequently 8\n  hourly 48\n  daily 30\n  monthly 12\n  yearly 2"),
    ("short", "hourly 72\n  daily 3"),
    ("grid", "frequently 12\n  hourly 24\n  daily 14\n  weekly 8"),
];

/// The retentions a syncoid pair may use; zrepl pairs use `grid`, which zrepl's grid
/// pruning can express.
const SYNCOID_RETENTIONS: [&str; 3] = ["production", "archive", "short"];

/// RPOs with the `snapshot-every`/`replicate-every` pins (if any) that meet them.
const SCHEDULES: [(&str, Option<&str>); 6] =
    [("10m", None), ("15m", None), ("15m", Some("5m")), ("30m", None), ("1h", Some("15m")), ("4h", None)];

const OUTAGES: [&str; 3] = ["24h", "36h", "48h"];
const POOLS: [&str; 4] = ["tank", "zpool1", "zpool2", "fast"];
const DATASET_KINDS: [&str; 7] = ["vm", "ct", "nfs", "backup", "media", "db", "home"];

/// Export options of a few realistic shapes, for one client of an export.
const EXPORT_OPTIONS: [&str; 3] = [
    "rw sync no_subtree_check",
    "rw sync no_subtree_check root_squash",
    "ro sync wdelay hide crossmnt no_subtree_check sec sys secure root_squash",
];

/// Mount options of a few realistic shapes.
const MOUNT_OPTIONS: [&str; 4] = [
    "hard timeo 10s retrans 30 _netdev nofail automount",
    "hard vers 4.2 proto tcp noatime _netdev nofail",
    "hard timeo 60s retrans 5 _netdev automount idle-timeout 10m",
    "hard timeo 30s retrans 10 _netdev nofail",
];

/// zrepl transports of a few realistic shapes.
const ZREPL_TRANSPORTS: [&str; 2] =
    ["tcp port 8888", "tls ca /etc/zrepl/ca.crt cert /etc/zrepl/host.crt key /etc/zrepl/host.key"];

/// The replication engine of a generated pair: sanoid and syncoid, or zrepl (static pairs
/// only, as zplan requires).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FleetEngine {
    Syncoid,
    Zrepl,
}

impl FleetEngine {
    fn keyword(self) -> &'static str {
        match self {
            FleetEngine::Syncoid => "syncoid",
            FleetEngine::Zrepl => "zrepl",
        }
    }

    fn choose(follows: bool, rng: &mut Rng) -> FleetEngine {
        if !follows && rng.percent(50) {
            FleetEngine::Zrepl
        } else {
            FleetEngine::Syncoid
        }
    }
}

/// The policy text of a fleet of `pairs` pairs, the same for the same `seed`.
pub fn fleet_policy(pairs: usize, seed: u64) -> String {
    fleet_blocks(pairs, seed).concat()
}

/// The top-level blocks of a fleet, each a complete text ending in a newline; in any order
/// they make the same policy.
pub fn fleet_blocks(pairs: usize, seed: u64) -> Vec<String> {
    blocks(pairs, seed, false)
}

/// The same fleet, with its syncoid sites replicating as a `zfsbackup` account between
/// nodes known by DNS names, on port 2222 with a key: the same draws, so the same pairs.
pub fn fleet_policy_with_identities(pairs: usize, seed: u64) -> String {
    blocks(pairs, seed, true).concat()
}

/// The same fleet, with the service address of each followed site's NFS server moved:
/// by keepalived on even sites (an interface and router id of their own per 255 sites), by
/// the followed container on odd ones.
pub fn fleet_policy_with_moved_addresses(pairs: usize, seed: u64) -> String {
    let blocks = blocks(pairs, seed, false);
    let followed: Vec<String> = blocks
        .iter()
        .filter(|block| block.contains("follows proxmox-guest"))
        .filter_map(|block| block.strip_prefix("pair site-")?.split(' ').next().map(str::to_owned))
        .collect();
    blocks.into_iter().map(|block| with_moved_address(block, &followed)).collect()
}

/// An NFS block of a followed site, with the line that moves its address after `on`.
fn with_moved_address(block: String, followed: &[String]) -> String {
    let Some(site) = block.strip_prefix("nfs nfs-").and_then(|rest| rest.split(' ').next()) else { return block };
    let Some(index) = followed.iter().any(|f| f == site).then(|| site.parse::<usize>().ok()).flatten() else {
        return block;
    };
    let moves = if index % 2 == 0 {
        format!("  address-moves keepalived interface vmbr{} router-id {}\n", index / 255, index % 255 + 1)
    } else {
        format!("  address-moves guest ct-{index}\n")
    };
    let on = format!("  on       pair site-{index}\n");
    block.replacen(&on, &format!("{on}{moves}"), 1)
}

fn blocks(pairs: usize, seed: u64, identities: bool) -> Vec<String> {
    let mut rng = Rng::new(seed);
    let mut blocks: Vec<String> =
        RETENTIONS.iter().map(|(name, counts)| format!("retention {name} {{\n  {counts}\n}}\n\n")).collect();
    for index in 0..pairs {
        let mut site = SitePlan::draw(index, &mut rng);
        site.identity = identities && site.engine == FleetEngine::Syncoid;
        site.write(&mut blocks);
    }
    blocks
}

/// Cadences a generated backup may have, each with the rpo it declares, if any (one that
/// the cadence meets at some snapshot period).
const BACKUP_CADENCES: [(&str, Option<&str>); 6] = [
    ("1h", Some("2h")),
    ("6h", None),
    ("1d at 05:05", None),
    ("1d at 23:30", Some("25h")),
    ("1w on sun at 03:00", None),
    ("1w", None),
];

/// Where generated backups' hosts live: subnets apart from the pairs' of any fleet up to
/// this many sites.
const BACKUP_SUBNETS: usize = 40_000;

/// The retentions a backup may use: each outlasts the longest outage plus a week's cadence
/// (`short`, 3 days, would not: zplan refuses it).
const BACKUP_RETENTIONS: [&str; 2] = ["production", "archive"];

/// The policy text of `backups` one-way backups at the cadences admins choose (hourly,
/// nightly at a set time, weekly), pushed or pulled by syncoid, the same for the same
/// `seed`. Kept apart from [`fleet_policy`] so that a seed's fleet stays what it was.
pub fn backup_fleet_policy(backups: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let mut text: String =
        RETENTIONS.iter().map(|(name, counts)| format!("retention {name} {{\n  {counts}\n}}\n\n")).collect();
    for index in 0..backups {
        text.push_str(&backup_site(index, &mut rng));
    }
    text
}

/// Retentions of a zrepl fan-out fleet: the source's snap job, the rack's and the offsite
/// server's copies, written as zrepl grids and one that keeps all.
const FAN_OUT_RETENTIONS: [(&str, &str); 4] = [
    ("fan-source", "grid 1x1h:all 24x1h 14x1d"),
    ("fan-rack", "grid 1x1h:all 24x1h 30x1d"),
    ("fan-offsite", "grid 14x1d 6x30d"),
    ("fan-forever", "all"),
];

/// Outages an offsite target of a fan-out may declare; the source keeps 15 days.
const FAN_OUT_OUTAGES: [&str; 3] = ["24h", "48h", "7d"];

/// A fleet of zrepl fan-outs, the same for the same `seed`: each site is a source that
/// pushes to a rack box or lets it pull, over tcp, and that an offsite server pulls daily over tls
/// with per-node certificates; datasets are recursive with an excluded cache at times,
/// and nodes log and export metrics at times. Separate from [`fleet_policy`], whose seeds
/// keep their output.
pub fn zrepl_fan_out_fleet(sites: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let mut text: String =
        FAN_OUT_RETENTIONS.iter().map(|(name, rules)| format!("retention {name} {{\n  {rules}\n}}\n\n")).collect();
    for index in 0..sites {
        text.push_str(&fan_out_site(index, &mut rng));
    }
    text
}

/// A NAS, its backup server and the backup between them.
fn backup_site(index: usize, rng: &mut Rng) -> String {
    let place = BACKUP_SUBNETS + index;
    let subnet = if place >= 1 << 16 { Subnet::V6(place) } else { Subnet::V4(place) };
    let (cadence, rpo) = rng.pick(&BACKUP_CADENCES);
    let mut text = String::new();
    for (name, last) in [("nas", 21), ("vault", 22)] {
        let _ = writeln!(text, "node {name}-{index} {{\n  address {}\n}}\n", subnet.host(last));
    }
    let _ =
        writeln!(text, "backup backup-{index} {{\n  source    nas-{index}\n  target    vault-{index} under backup/nas");
    let _ = writeln!(
        text,
        "  engine    syncoid\n  replicate-every {cadence}\n  retention {}",
        rng.pick(&BACKUP_RETENTIONS)
    );
    if rng.percent(50) {
        text.push_str("  mode      pull\n");
    }
    if let Some(rpo) = rpo {
        let _ = writeln!(text, "  rpo       {rpo}");
    }
    let _ = writeln!(text, "  outage    {}", rng.pick(&OUTAGES));
    for dataset in draw_datasets(rng) {
        let recursive = if dataset.recursive { " recursive" } else { "" };
        let _ = writeln!(text, "  replicate {}{recursive}", dataset.name);
    }
    text.push_str("}\n\n");
    text
}

/// Backup boxes that keep the copies where their admins put them: each site is a source
/// and a backup node, and static syncoid pairs that name their copies (`as`), land them
/// without the pool's name (`without-pool`) or replicate a pool's children only, with
/// syncoid's options (`send raw`, `compress`, `bandwidth-limit`, `mbuffer-size`) and
/// excluded children. A separate generator, so that `fleet_blocks` keeps its output for every
/// seed; its nodes and subnets (`172.16.0.0/12`) never meet a `fleet_blocks` fleet's.
pub fn backup_box_blocks(sites: usize, seed: u64) -> Vec<String> {
    let mut rng = Rng::new(seed ^ 0x6261_636b_7570);
    let mut blocks = vec!["retention backup-box {\n  hourly 24\n  daily 14\n  weekly 8\n}\n\n".to_owned()];
    for index in 0..sites.min(1 << 16) {
        blocks.extend(backup_box_site(index, &mut rng));
    }
    blocks
}

/// The kinds of client an exports(5) line names, each written for a file server's site.
const EXPORT_CLIENT_KINDS: [&str; 7] = ["network", "host", "domain", "numbered", "class", "netgroup", "everyone"];

/// Option lists of a file server's clients, using exports(5)'s less common options; none
/// gives root to more than one host.
const FILE_SERVER_OPTIONS: [&str; 5] = [
    "rw sync no_subtree_check sec krb5p:krb5i:sys",
    "ro sync no_subtree_check nordirplus",
    "rw sync no_subtree_check no_auth_nlm security_label",
    "rw async no_subtree_check crossmnt no_pnfs acl",
    "ro sync no_subtree_check all_squash anonuid 65534 anongid 65534",
];

/// Plain file servers (`nfs … { on node … }`) whose exports name their clients every way
/// exports(5) allows: networks, host names, patterns (`*.siteN.lan`, `ws??.siteN.lan`,
/// `build[0-9].siteN.lan`), netgroups and `*`, each client once per export, with the options
/// of [`FILE_SERVER_OPTIONS`]. Separate from [`fleet_blocks`], whose seeds keep their output;
/// its nodes sit in `10.250.0.0/16`.
pub fn client_pattern_server_blocks(servers: usize, seed: u64) -> Vec<String> {
    let mut rng = Rng::new(seed ^ 0x6578_706f_7274);
    (0..servers.min(250)).map(|index| file_server(index, &mut rng)).collect()
}

fn file_server(index: usize, rng: &mut Rng) -> String {
    let mut text = format!(
        "node files-{index} {{
  address 10.250.{index}.5
}}

"
    );
    let _ = writeln!(
        text,
        "nfs share-{index} {{
  on    node files-{index}
  allow W0605"
    );
    for export in 0..rng.between(1, 3) {
        let _ = writeln!(text, "  export /tank/share-{export} dataset tank/share-{export} {{");
        let mut kinds: Vec<&str> = EXPORT_CLIENT_KINDS.to_vec();
        for _ in 0..rng.between(1, 4) {
            let kind = kinds.remove(rng.below(kinds.len()));
            let who = export_client_spelling(kind, index);
            let options = if kind == "everyone" { FILE_SERVER_OPTIONS[4] } else { rng.pick(&FILE_SERVER_OPTIONS) };
            let _ = writeln!(text, "    client {who} {options}");
        }
        text.push_str(
            "  }
",
        );
    }
    text.push_str(
        "}

",
    );
    text
}

/// How a client of a kind is written at file server `index`'s site.
fn export_client_spelling(kind: &str, index: usize) -> String {
    match kind {
        "network" => format!("10.250.{index}.0/24"),
        "host" => format!("backup.site{index}.lan"),
        "domain" => format!("*.site{index}.lan"),
        "numbered" => format!("ws??.site{index}.lan"),
        "class" => format!("build[0-9].site{index}.lan"),
        "netgroup" => format!("@site{index}-eng"),
        _ => "*".to_owned(),
    }
}

/// A fleet with the shapes where nodes snapshot by their own policy added after the pairs
/// of [`fleet_blocks`] (whose blocks stay as they are for the same seed): `local` sites,
/// alternately a snapshot-only NAS and a 3-2-1 site.
pub fn fleet_blocks_with_local_snapshots(pairs: usize, local: usize, seed: u64) -> Vec<String> {
    let mut blocks = fleet_blocks(pairs, seed);
    let mut rng = Rng::new(seed ^ 0x5eed_10ca_1500);
    for index in 0..local {
        blocks.extend(local_site(index, &mut rng));
    }
    blocks
}

/// The blocks of one backup site: two nodes and three pairs, one per landing form.
fn backup_box_site(index: usize, rng: &mut Rng) -> Vec<String> {
    let (source, backup) = (format!("box-{index}-src"), format!("box-{index}-bak"));
    let address = |last: u8| format!("172.{}.{}.{last}", 16 + (index >> 12), (index >> 4) & 0xff);
    let host = (index & 0xf) as u8 * 16;
    let mut blocks = vec![
        format!("node {source} {{\n  address {}\n}}\n\n", address(host + 1)),
        format!("node {backup} {{\n  address {}\n}}\n\n", address(host + 2)),
    ];
    let pool = rng.pick(&POOLS);
    let kind = rng.pick(&DATASET_KINDS);
    let options = backup_box_options(rng);
    let exclude = if rng.percent(50) { format!(" exclude {pool}/{kind}/cache") } else { String::new() };
    let pair = |name: &str, target: String, replicate: String, extra: &str| {
        format!(
            "pair {name}-{index} {{\n  source    {source}\n  target    {target}\n  engine    syncoid\n  rpo       1h\n  retention backup-box\n{extra}  replicate {replicate}\n}}\n\n"
        )
    };
    blocks.push(pair(
        "named",
        backup.clone(),
        format!("{pool}/{kind} recursive as backup/{source}-{kind}{exclude}"),
        &options,
    ));
    let flat = format!("{backup} under backup/{source} without-pool");
    blocks.push(pair("flat", flat, format!("{pool}/{kind}-archive recursive"), ""));
    blocks.push(pair("children", backup.clone(), format!("vms{index} children as backup/{source}-vms"), ""));
    blocks
}

/// Some of syncoid's options, each with a chance, as a pair's statements.
fn backup_box_options(rng: &mut Rng) -> String {
    let mut text = String::new();
    if rng.percent(50) {
        text.push_str("  send      raw\n");
    }
    if rng.percent(50) {
        let _ = writeln!(text, "  compress  {}", rng.pick(&["zstd-fast", "lz4", "none", "pigz-fast"]));
    }
    if rng.percent(50) {
        let _ = writeln!(
            text,
            "  bandwidth-limit {}\n  changes   {} per day",
            rng.pick(&["2M", "10M"]),
            rng.pick(&["1G", "4G"])
        );
    }
    if rng.percent(30) {
        text.push_str("  mbuffer-size 128M\n");
    }
    text
}

/// One source, its rack box and its offsite server, and the two replications of the same
/// datasets: the rack's a push or a pull, the offsite server's a pull.
fn fan_out_site(index: usize, rng: &mut Rng) -> String {
    let subnet = Subnet::V4(index);
    let mut text = String::new();
    for (slot, last) in [("src", 11), ("rack", 12), ("far", 13)] {
        let _ = writeln!(text, "node fan-{index}-{slot} {{\n  address {}\n  zrepl   0.7", subnet.host(last));
        if slot != "rack" {
            let _ = writeln!(text, "  zrepl-cert /etc/zrepl/{slot}.crt\n  zrepl-key  /etc/zrepl/{slot}.key");
        }
        if rng.percent(50) {
            let _ = writeln!(text, "  zrepl-log stdout level info\n  zrepl-monitoring port 9811");
        }
        text.push_str("}\n\n");
    }
    let datasets: Vec<String> = (0..rng.between(1, 3))
        .map(|number| {
            let name = format!("{}/{}-{number}", rng.pick(&POOLS), rng.pick(&DATASET_KINDS));
            match rng.below(3) {
                0 => name,
                1 => format!("{name} recursive"),
                _ => format!("{name} recursive exclude {name}/cache"),
            }
        })
        .collect();
    let offsite_retention = if rng.percent(20) { "fan-forever" } else { "fan-offsite" };
    let rack_mode = if rng.percent(50) { "push" } else { "pull" };
    let pulls = [
        ("rack", rack_mode, "tcp port 8888", "rpo 30m", "fan-rack", String::new()),
        (
            "far",
            "pull",
            "tls port 8889 ca /etc/zrepl/ca.crt",
            "rpo 26h\n  replicate-every 1d\n  transfer 1h",
            offsite_retention,
            format!("  outage {}\n", rng.pick(&FAN_OUT_OUTAGES)),
        ),
    ];
    for (target, mode, transport, timing, retention, outage) in pulls {
        let _ = writeln!(
            text,
            "pair fan-{index}-{target} {{\n  source fan-{index}-src\n  target fan-{index}-{target} under tank/fan"
        );
        let _ =
            writeln!(text, "  engine zrepl\n  mode {mode}\n  transport {transport}\n  {timing}\n  snapshot-every 10m");
        let _ = write!(text, "{outage}  retention fan-source\n  target-retention {retention}\n");
        for dataset in &datasets {
            let _ = writeln!(text, "  replicate {dataset}");
        }
        text.push_str("}\n\n");
    }
    text
}

/// File-server sites: a NAS whose own NFS server exports its home directories (at times
/// where its admin mounted them), its photos and a scratch share that only the NAS
/// snapshots; a backup box that fetches the first two nightly, or is sent them, and serves
/// the copies read-only from its own server (an export asking `rw` at times, acknowledged);
/// and a desktop mounting from both. A separate generator, so that [`fleet_blocks`] keeps
/// its output for every seed; its hosts live in 100.64.0.0/10, apart from every other
/// generator's.
pub fn file_server_blocks(sites: usize, seed: u64) -> Vec<String> {
    let mut rng = Rng::new(seed ^ 0x6669_6c65_7376);
    let mut blocks = vec![
        "retention fs-data {\n  hourly 24\n  daily 14\n  weekly 4\n}\n\n".to_owned(),
        "retention fs-archive {\n  daily 30\n  weekly 8\n}\n\n".to_owned(),
        "retention fs-scratch {\n  hourly 24\n}\n\n".to_owned(),
    ];
    for index in 0..sites.min(1 << 20) {
        blocks.extend(file_server_site(index, &mut rng));
    }
    blocks
}

/// The address of host `slot` (1 to 3) of file-server site `index`, in 100.64.0.0/10.
fn file_server_address(index: usize, slot: usize) -> String {
    format!("100.{}.{}.{}", 64 + (index >> 14) % 64, (index >> 6) & 0xff, (index & 0x3f) * 4 + slot)
}

/// The blocks of one file-server site: two nodes, the backup, two servers and a client.
fn file_server_site(index: usize, rng: &mut Rng) -> Vec<String> {
    let (nas, vault) = (format!("fs-{index}-nas"), format!("fs-{index}-vault"));
    let home = if rng.percent(50) { "/srv/home" } else { "/tank/home" };
    let mount_home = if home == "/srv/home" { "  mountpoint tank/home /srv/home\n" } else { "" };
    let mode = if rng.percent(50) { "  mode             pull\n" } else { "" };
    let (copy_access, allow) = if rng.percent(30) { ("rw", "  allow W0620\n") } else { ("ro", "") };
    let export = |path: &str, dataset: &str, access: &str| {
        format!(
            "  export {path} dataset {dataset} {{\n    client {}/30 {access} sync no_subtree_check\n  }}\n",
            file_server_address(index, 0)
        )
    };
    vec![
        format!(
            "node {nas} {{\n  address  {}\n  snapshot tank/scratch retention fs-scratch\n{mount_home}}}\n\n",
            file_server_address(index, 1)
        ),
        format!(
            "node {vault} {{\n  address  {}\n  mountpoint backup/nas/tank/home /srv/backup/home\n  mountpoint backup/nas/tank/photos /srv/backup/photos\n}}\n\n",
            file_server_address(index, 2)
        ),
        format!(
            "backup fs-{index}-nightly {{\n  source           {nas}\n  target           {vault} under backup/nas\n  engine           syncoid\n{mode}  replicate-every  1d at 02:30\n  outage           3d\n  retention        fs-data\n  target-retention fs-archive\n  replicate        tank/home recursive\n  replicate        tank/photos\n}}\n\n"
        ),
        format!(
            "nfs fs-{index}-files {{\n  on node {nas}\n{}{}{}}}\n\n",
            export(home, "tank/home", "rw"),
            export("/tank/photos", "tank/photos", "rw"),
            export("/tank/scratch", "tank/scratch", "rw")
        ),
        format!(
            "nfs fs-{index}-backups {{\n  on node {vault}\n{allow}{}{}}}\n\n",
            export("/srv/backup/home", "backup/nas/tank/home", copy_access),
            export("/srv/backup/photos", "backup/nas/tank/photos", copy_access)
        ),
        format!(
            "client fs-{index}-desk {{\n  mount fs-{index}-files:{home} at /home {{\n    hard _netdev\n  }}\n  mount fs-{index}-backups:/srv/backup/home at /mnt/backup {{\n    hard ro _netdev automount\n  }}\n}}\n\n"
        ),
    ]
}

/// The address of host `slot` (0 to 3) of local site `index`, in 172.16.0.0/12, apart from
/// the pairs' 10.0.0.0/8 and fd00::/8.
fn local_address(index: usize, slot: usize) -> String {
    format!("172.{}.{}.{}", 16 + (index >> 14) % 16, (index >> 6) & 0xff, (index & 0x3f) * 4 + slot)
}

/// One local site: a NAS with sanoid and zrepl snapshots, a child with its own retention,
/// an atomic tree and a children-only parent; or a 3-2-1 site whose NAS snapshots a dataset
/// that two static syncoid pairs send, one target passing its copy on to a third node.
fn local_site(index: usize, rng: &mut Rng) -> Vec<String> {
    let node = |role: &str, slot: usize| {
        format!(
            "node {role}-{index} {{
  address {}
",
            local_address(index, slot)
        )
    };
    let pool = rng.pick(&POOLS);
    if index % 2 == 0 {
        let every = rng.pick(&["5m", "10m", "15m"]);
        return vec![format!(
            "{}  snapshot {pool}/home recursive retention production
  snapshot {pool}/home/scratch retention short
               snapshot {pool}/vm recursive atomic retention archive every {every}
               snapshot {pool}/media children-only retention production
               snapshot {pool}/db recursive retention grid engine zrepl
}}

",
            node("nas", 0)
        )];
    }
    let dataset = format!("{pool}/{}", rng.pick(&DATASET_KINDS));
    let pair = |name: &str, source: &str, target: &str, rpo: &str, sent: &str| {
        format!(
            "pair {name}-{index} {{
  source    {source}-{index}
  target    {target}-{index} under tank/replicas
               engine    syncoid
  rpo       {rpo}
  outage    48h
  retention archive
  replicate {sent} recursive
}}

"
        )
    };
    vec![
        format!(
            "{}  snapshot {dataset} recursive retention archive every 5m
}}

",
            node("nas", 0)
        ),
        format!(
            "{}}}

",
            node("onsite", 1)
        ),
        format!(
            "{}}}

",
            node("offsite", 2)
        ),
        format!(
            "{}}}

",
            node("cold", 3)
        ),
        pair("onsite", "nas", "onsite", "15m", &dataset),
        pair("offsite", "nas", "offsite", "1h", &dataset),
        pair("cold", "onsite", "cold", "2h", &format!("tank/replicas/{dataset}")),
    ]
}

/// A small, fast, seeded generator (SplitMix64): the fleet must not depend on a crate's
/// idea of randomness changing between versions.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..bound`.
    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }

    /// A number in `low..=high`.
    fn between(&mut self, low: usize, high: usize) -> usize {
        low + self.below(high - low + 1)
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    fn percent(&mut self, chance: usize) -> bool {
        self.below(100) < chance
    }
}

/// Where a site's hosts live: an IPv4 /24 for most, an IPv6 /64 for some.
#[derive(Debug, Clone, Copy)]
enum Subnet {
    V4(usize),
    V6(usize),
}

impl Subnet {
    fn of(index: usize, rng: &mut Rng) -> Subnet {
        if index >= 1 << 16 || rng.percent(10) {
            Subnet::V6(index)
        } else {
            Subnet::V4(index)
        }
    }

    fn host(self, last: u8) -> String {
        match self {
            Subnet::V4(i) => format!("10.{}.{}.{last}", i >> 8, i & 0xff),
            Subnet::V6(i) => format!("fd00:{:x}:{:x}::{last:x}", i >> 16, i & 0xffff),
        }
    }

    fn network(self) -> String {
        match self {
            Subnet::V4(i) => format!("10.{}.{}.0/24", i >> 8, i & 0xff),
            Subnet::V6(i) => format!("fd00:{:x}:{:x}::/64", i >> 16, i & 0xffff),
        }
    }
}

/// One replicated dataset of a pair, and where it is exported and mounted if it is.
#[derive(Debug, Clone)]
struct Dataset {
    name: String,
    leaf: String,
    recursive: bool,
}

/// One site of the fleet: a pair of nodes, and maybe an NFS server and its clients.
struct SitePlan {
    index: usize,
    subnet: Subnet,
    engine: FleetEngine,
    follows: bool,
    schedule: (&'static str, Option<&'static str>),
    outage: &'static str,
    retention: &'static str,
    transfer: Option<&'static str>,
    guard: Option<usize>,
    transport: &'static str,
    datasets: Vec<Dataset>,
    nfs: Option<NfsPlan>,
    /// Whether the nodes go by DNS names and replicate as `zfsbackup` over port 2222.
    identity: bool,
}

/// An NFS server on a site's pair: which datasets it exports and who mounts them.
struct NfsPlan {
    exports: Vec<(usize, Option<usize>, &'static str)>,
    clients: Vec<Vec<(usize, &'static str)>>,
}

impl SitePlan {
    fn draw(index: usize, rng: &mut Rng) -> SitePlan {
        let datasets = draw_datasets(rng);
        let nfs = rng.percent(60).then(|| NfsPlan::draw(index, datasets.len(), rng));
        let follows = rng.percent(70);
        let engine = FleetEngine::choose(follows, rng);
        let syncoid = engine == FleetEngine::Syncoid;
        SitePlan {
            index,
            subnet: Subnet::of(index, rng),
            engine,
            follows,
            schedule: if syncoid { rng.pick(&SCHEDULES) } else { ("15m", None) },
            outage: rng.pick(&OUTAGES),
            retention: if syncoid { rng.pick(&SYNCOID_RETENTIONS) } else { "grid" },
            transfer: (syncoid && rng.percent(20)).then_some("30s"),
            guard: (syncoid && rng.percent(50)).then(|| rng.pick(&[25, 50, 75])),
            transport: rng.pick(&ZREPL_TRANSPORTS),
            datasets,
            nfs,
            identity: false,
        }
    }

    fn node(&self, slot: char) -> String {
        format!("node-{}-{slot}", self.index)
    }

    fn write(&self, blocks: &mut Vec<String>) {
        for (slot, last) in [('a', 11), ('b', 12)] {
            blocks.push(if self.identity {
                self.named_node(slot)
            } else {
                format!("node {} {{\n  address {}\n  os linux\n}}\n\n", self.node(slot), self.subnet.host(last))
            });
        }
        blocks.push(self.pair_block());
        if let Some(nfs) = &self.nfs {
            blocks.push(self.nfs_block(nfs));
            for (number, mounts) in nfs.clients.iter().enumerate() {
                blocks.push(self.client_block(number, mounts));
            }
        }
    }

    /// A node by its DNS name: the first runs syncoid as `zfsbackup`, the second is reached
    /// as `zfsbackup` on port 2222 with a key.
    fn named_node(&self, slot: char) -> String {
        let identity = match slot {
            'a' => "  user    zfsbackup\n",
            _ => "  ssh     user zfsbackup port 2222 key /home/zfsbackup/.ssh/id_ed25519\n",
        };
        format!("node {} {{\n  address {}.fleet.lan\n  os linux\n{identity}}}\n\n", self.node(slot), self.node(slot))
    }

    fn pair_block(&self) -> String {
        let mut text = format!("pair site-{} {{\n", self.index);
        if self.follows {
            let _ = writeln!(text, "  nodes     {} {}", self.node('a'), self.node('b'));
            let _ = writeln!(text, "  active    follows proxmox-guest {}", 100 + self.index);
        } else {
            let _ =
                writeln!(text, "  source    {}\n  target    {} under tank/replicas", self.node('a'), self.node('b'));
        }
        let _ = writeln!(text, "  engine    {}", self.engine.keyword());
        if self.engine == FleetEngine::Zrepl {
            let _ = writeln!(text, "  transport {}", self.transport);
        }
        let (rpo, pinned) = self.schedule;
        let _ = writeln!(text, "  rpo       {rpo}\n  retention {}", self.retention);
        if self.engine == FleetEngine::Syncoid {
            let _ = writeln!(text, "  outage    {}", self.outage);
        }
        if let Some(period) = pinned {
            let _ = writeln!(text, "  snapshot-every {period}\n  replicate-every {period}");
        }
        if let Some(transfer) = self.transfer {
            let _ = writeln!(text, "  transfer  {transfer}");
        }
        for (number, dataset) in self.datasets.iter().enumerate() {
            let recursive = if dataset.recursive { " recursive" } else { "" };
            let exported = self.nfs.as_ref().is_some_and(|nfs| nfs.exports.iter().any(|(e, _, _)| *e == number));
            let mount = if exported { format!(" mount /srv/{}", dataset.leaf) } else { String::new() };
            let _ = writeln!(text, "  replicate {}{recursive}{mount}", dataset.name);
        }
        if let Some(percent) = self.guard {
            let _ = writeln!(text, "  guard     empty-source below {percent}%");
        }
        text.push_str("}\n\n");
        text
    }

    fn nfs_block(&self, nfs: &NfsPlan) -> String {
        let mut text = format!("nfs nfs-{} {{\n  on       pair site-{}\n", self.index, self.index);
        let _ = writeln!(text, "  address  {}\n  failover 60s", self.subnet.host(150));
        if self.identity && self.follows {
            text.push_str("  allow    W0617  # the copies are mounted as root after the first replication\n");
        }
        for (dataset, fsid, options) in &nfs.exports {
            let dataset = &self.datasets[*dataset];
            let fsid = fsid.map(|f| format!(" fsid {f}")).unwrap_or_default();
            let _ = writeln!(text, "  export /srv/{} dataset {}{fsid} {{", dataset.leaf, dataset.name);
            let _ = writeln!(text, "    client {} {options}\n  }}", self.subnet.network());
        }
        text.push_str("}\n\n");
        text
    }

    fn client_block(&self, number: usize, mounts: &[(usize, &str)]) -> String {
        let mut text = format!("client client-{}-{number} {{\n", self.index);
        for (dataset, options) in mounts {
            let leaf = &self.datasets[*dataset].leaf;
            let _ = writeln!(text, "  mount nfs-{}:/srv/{leaf} at /mnt/{leaf} {{\n    {options}\n  }}", self.index);
        }
        text.push_str("}\n\n");
        text
    }
}

impl NfsPlan {
    /// Exports of the first datasets (an explicit fsid on some), mounted by one to three
    /// clients each.
    fn draw(index: usize, datasets: usize, rng: &mut Rng) -> NfsPlan {
        let exported = rng.between(1, datasets.min(3));
        let exports = (0..exported)
            .map(|e| (e, rng.percent(30).then_some(index * 4 + e + 1), rng.pick(&EXPORT_OPTIONS)))
            .collect();
        let clients = (0..rng.between(1, 3))
            .map(|_| {
                let first = rng.below(exported);
                let mut mounts = vec![(first, rng.pick(&MOUNT_OPTIONS))];
                if exported > 1 && rng.percent(40) {
                    mounts.push(((first + 1) % exported, rng.pick(&MOUNT_OPTIONS)));
                }
                mounts
            })
            .collect();
        NfsPlan { exports, clients }
    }
}

/// Two to six datasets with distinct leaves, so no dataset covers another; a few have a
/// child replicated on its own.
fn draw_datasets(rng: &mut Rng) -> Vec<Dataset> {
    let mut datasets = Vec::new();
    for number in 0..rng.between(2, 6) {
        let leaf = format!("{}-{number}", rng.pick(&DATASET_KINDS));
        let name = format!("{}/{leaf}", rng.pick(&POOLS));
        let nested = rng.percent(15);
        if nested {
            let child = Dataset { name: format!("{name}/disk-0"), leaf: format!("{leaf}-disk-0"), recursive: false };
            datasets.push(child);
        }
        datasets.push(Dataset { name, leaf, recursive: !nested && rng.percent(60) });
    }
    datasets
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_file_servers() {
        assert_eq!(file_server_blocks(5, 3), file_server_blocks(5, 3));
        assert_ne!(file_server_blocks(5, 3), file_server_blocks(5, 4));
        assert_eq!(file_server_blocks(3, 1).len(), 3 + 3 * 6);
    }

    #[test]
    fn the_same_seed_gives_the_same_fleet() {
        assert_eq!(fleet_policy(20, 7), fleet_policy(20, 7));
        assert_ne!(fleet_policy(20, 7), fleet_policy(20, 8));
    }

    #[test]
    fn fleets_with_moved_addresses_compile_cleanly_with_both_architectures() {
        let policy = fleet_policy_with_moved_addresses(12, 3);
        assert!(policy.contains("address-moves keepalived interface vmbr0"), "{policy}");
        assert!(policy.contains("address-moves guest ct-"), "{policy}");
        let compilation = crate::compile(&policy, "fleet.zplan");
        assert!(compilation.problems.is_empty(), "{:?}", compilation.problems);
    }

    #[test]
    fn fleets_compile_cleanly() {
        for seed in 0..4 {
            let compilation = crate::compile(&fleet_policy(50, seed), "fleet.zplan");
            assert!(compilation.problems.is_empty(), "seed {seed}: {:?}", compilation.problems);
        }
    }

    #[test]
    fn backup_fleets_compile_cleanly_with_every_cadence() {
        let policy = backup_fleet_policy(40, 3);
        for (cadence, _) in BACKUP_CADENCES {
            assert!(policy.contains(&format!("replicate-every {cadence}\n")), "no `{cadence}` in\n{policy}");
        }
        assert!(policy.contains("mode      pull"));
        for seed in 0..4 {
            let compilation = crate::compile(&backup_fleet_policy(30, seed), "backups.zplan");
            assert!(compilation.problems.is_empty(), "seed {seed}: {:?}", compilation.problems);
        }
    }

    #[test]
    fn backup_boxes_compile_cleanly_beside_a_fleet() {
        for seed in 0..4 {
            let source = format!("{}{}", fleet_policy(10, seed), backup_box_blocks(20, seed).concat());
            let compilation = crate::compile(&source, "fleet.zplan");
            assert!(compilation.problems.is_empty(), "seed {seed}: {:?}", compilation.problems);
            let policy = compilation.policy.unwrap();
            assert!(policy.pairs.iter().any(|p| p.without_pool.is_some()));
            assert!(policy.pairs.iter().flat_map(|p| &p.datasets).any(|r| r.children_only && r.copy.is_some()));
        }
    }

    #[test]
    fn fan_out_fleets_compile_cleanly() {
        for seed in 0..4 {
            let policy = zrepl_fan_out_fleet(20, seed);
            let compilation = crate::compile(&policy, "fan-out.zplan");
            assert!(compilation.problems.is_empty(), "seed {seed}: {:?}", compilation.problems);
            assert!(policy.contains(" exclude ") && policy.contains("target-retention fan-forever"));
            let tree = compilation.tree.expect("a clean policy has a tree");
            let texts: Vec<String> = tree
                .files
                .values()
                .filter_map(|file| match &file.body {
                    crate::render::Body::Bytes(bytes) => Some(String::from_utf8_lossy(bytes).into_owned()),
                    crate::render::Body::Link(_) => None,
                })
                .collect();
            assert!(texts.iter().any(|text| text.contains("type: snap")), "seed {seed}: a snap job");
            assert!(
                texts.iter().any(|text| text.contains("It also snapshots for pair")),
                "seed {seed}: a push for all"
            );
        }
        assert_eq!(zrepl_fan_out_fleet(5, 3), zrepl_fan_out_fleet(5, 3));
    }

    #[test]
    fn identity_fleets_draw_the_same_pairs_and_compile_cleanly() {
        let named = fleet_policy_with_identities(30, 5);
        assert!(named.contains("address node-") && named.contains("user    zfsbackup"));
        let pairs = |text: &str| text.lines().filter(|line| line.starts_with("pair ")).count();
        assert_eq!(pairs(&named), pairs(&fleet_policy(30, 5)));
        let compilation = crate::compile(&named, "fleet.zplan");
        assert!(compilation.problems.is_empty(), "{:?}", compilation.problems);
    }

    #[test]
    fn large_indices_use_ipv6() {
        assert_eq!(Subnet::of(70_000, &mut Rng::new(0)).host(11), "fd00:1:1170::b");
        assert_eq!(Subnet::V4(258).network(), "10.1.2.0/24");
    }
}
