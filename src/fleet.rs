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
    let mut rng = Rng::new(seed);
    let mut blocks: Vec<String> =
        RETENTIONS.iter().map(|(name, counts)| format!("retention {name} {{\n  {counts}\n}}\n\n")).collect();
    for index in 0..pairs {
        SitePlan::draw(index, &mut rng).write(&mut blocks);
    }
    blocks
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
        }
    }

    fn node(&self, slot: char) -> String {
        format!("node-{}-{slot}", self.index)
    }

    fn write(&self, blocks: &mut Vec<String>) {
        for (slot, last) in [('a', 11), ('b', 12)] {
            blocks.push(format!(
                "node {} {{\n  address {}\n  os linux\n}}\n\n",
                self.node(slot),
                self.subnet.host(last)
            ));
        }
        blocks.push(self.pair_block());
        if let Some(nfs) = &self.nfs {
            blocks.push(self.nfs_block(nfs));
            for (number, mounts) in nfs.clients.iter().enumerate() {
                blocks.push(self.client_block(number, mounts));
            }
        }
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
    fn the_same_seed_gives_the_same_fleet() {
        assert_eq!(fleet_policy(20, 7), fleet_policy(20, 7));
        assert_ne!(fleet_policy(20, 7), fleet_policy(20, 8));
    }

    #[test]
    fn fleets_compile_cleanly() {
        for seed in 0..4 {
            let compilation = crate::compile(&fleet_policy(50, seed), "fleet.zplan");
            assert!(compilation.problems.is_empty(), "seed {seed}: {:?}", compilation.problems);
        }
    }

    #[test]
    fn large_indices_use_ipv6() {
        assert_eq!(Subnet::of(70_000, &mut Rng::new(0)).host(11), "fd00:1:1170::b");
        assert_eq!(Subnet::V4(258).network(), "10.1.2.0/24");
    }
}
