//! The NFS server's files on every node that may serve it: an exports file (Linux's with
//! the same explicit fsid everywhere, or FreeBSD's), nfsd's grace and lease in an nfs.conf
//! drop-in, a gate that keeps the NFS server off a followed pair's standby and starts nfsd
//! under the same server scope on both nodes, a timer that starts it on the node that
//! becomes active and stops it on the one that stops, and a static pair's target serving
//! its copy read-only.

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, Ipv4Addr};

use super::files::*;
use super::freebsd::{nfs_server_rc_conf, FREEBSD_EXPORTS_PATH};
use super::systemd::{add_timed_service, role_script, FILE_MODE, LIBEXEC_DIR, SCRIPT_MODE, UNIT_DIR};
use crate::facts::landing;
use crate::facts::naming::export_fsid;
use crate::facts::schedule::{grace_wait, NFS_FOLLOW_PERIOD};
use crate::facts::{Held, Holdings, Mountpoints};
use crate::model::{
    freebsd_export, Address, ClientSpec, Export, ExportClient, NfsServer, Node, Os, Pair, Policy, Roles, ServerOn,
};

/// The exports file zplan owns; `/etc/exports` itself is left to the admin.
pub const EXPORTS_PATH: &str = "etc/exports.d/zplan.exports";

/// The nfs.conf drop-in zplan owns: nfs-utils 2.6 reads `/etc/nfs.conf.d/*.conf` after
/// `/etc/nfs.conf`, and its values win.
pub const NFS_CONF_PATH: &str = "etc/nfs.conf.d/zplan.conf";

/// The unit nfsd runs under on Debian.
const NFS_SERVER_UNIT: &str = "nfs-server.service";

/// Adds every server's exports, one exports file per serving host.
pub fn server_files(policy: &Policy, files: &mut Files) {
    let mut gates: BTreeMap<&str, (Vec<String>, &NfsServer)> = BTreeMap::new();
    let mut hosts: Vec<&Node> = Vec::new();
    for server in &policy.nfs_servers {
        let followed = server.pair().map(|pair| &policy.pairs[pair]).filter(|pair| !pair.is_static());
        for (node, _) in serving_hosts(policy, server) {
            hosts.push(node);
            if let Some(pair) = followed {
                let gate = gates.entry(node.name.value.as_str()).or_insert((Vec::new(), server));
                gate.0.push(pair.name.value.clone());
            }
        }
    }
    hosts.sort_by(|a, b| a.name.value.cmp(&b.name.value));
    hosts.dedup_by(|a, b| a.name.value == b.name.value);
    let served = Served::of(policy);
    for node in hosts {
        let lines = host_lines(policy, &served, node, &[]);
        add_exports(files, &node.name.value, node.os.value, Exports { lines });
        if node.os.value == Os::Linux {
            add_nfs_conf(files, &node.name.value, served.on(node));
        }
    }
    for (host, (mut pairs, server)) in gates {
        pairs.sort();
        pairs.dedup();
        for pair in &pairs {
            follow_units(host, pair, files);
        }
        let scope = Script::NfsdScope { server: server.name.value.clone(), scope: nfsd_scope(&server.address.value) };
        files.add(host, nfsd_scope_script(), SCRIPT_MODE, Content::Script(scope), vec![try_restart_nfs_server()]);
        let gate = server_gate(&pairs);
        files.add(
            host,
            format!("{UNIT_DIR}/{NFS_SERVER_UNIT}.d/zplan.conf"),
            FILE_MODE,
            Content::Unit(gate),
            vec![Action::DaemonReload, try_restart_nfs_server()],
        );
    }
}

/// Where the script that starts nfsd under its server scope goes on a host.
fn nfsd_scope_script() -> String {
    format!("{LIBEXEC_DIR}/nfsd-scope")
}

/// nfsd reads its grace and lease only when it starts: restart it where it runs, and leave
/// it stopped where it does not (a followed pair's standby).
fn try_restart_nfs_server() -> Action {
    Action::TryRestart(NFS_SERVER_UNIT.to_owned())
}

/// The grace and lease of the servers a host serves, which the checks made agree (E0520).
fn add_nfs_conf(files: &mut Files, host: &str, served: &[(&NfsServer, Serving)]) {
    let Some((first, _)) = served.first() else { return };
    let mut names: Vec<String> = served.iter().map(|(server, _)| format!("`{}`", server.name.value)).collect();
    names.dedup();
    let conf = NfsConf {
        comments: vec![
            format!("nfsd's grace period and NFSv4 lease for nfs server {}.", names.join(", ")),
            "rpc.nfsd gives lockd (NFSv3 locks) the same grace, and reads both only as nfsd starts.".to_owned(),
            format!(
                "After a start, clients wait up to {} before they may open or lock anew: the grace,",
                grace_wait(first.grace(), first.lease())
            ),
            "or twice the lease while clients still reclaim, if that is longer.".to_owned(),
        ],
        grace_time: first.grace().seconds(),
        lease_time: first.lease().seconds(),
        keep_lockd_grace: served.iter().any(|(server, _)| server.keepalived().is_some()),
    };
    files.add(host, NFS_CONF_PATH, FILE_MODE, Content::NfsConf(conf), vec![try_restart_nfs_server()]);
}

/// The host name nfsd runs under on every node of a followed server, which becomes its
/// NFSv4 server scope and owner: named after the address clients mount, so that two
/// servers never share one, and spelt as a host name (`nfs-192-168-1-150`, `nfs-nas-lan`).
/// A name that would not fit a kernel host name (64 bytes) keeps its start and ends with a
/// digest of the whole name, so that two long names still differ.
pub fn nfsd_scope(address: &Address) -> String {
    let parts: Vec<String> = match address {
        Address::Ip(IpAddr::V4(v4)) => v4.octets().iter().map(u8::to_string).collect(),
        Address::Ip(IpAddr::V6(v6)) => v6.segments().iter().map(|segment| format!("{segment:x}")).collect(),
        Address::Name(name) => name.to_ascii_lowercase().split('.').map(str::to_owned).collect(),
    };
    let scope = format!("nfs-{}", parts.join("-"));
    if scope.len() <= UTS_NAME_MAX {
        return scope;
    }
    let digest = format!("{:016x}", fnv1a(scope.as_bytes()));
    format!("{}-{digest}", scope[..UTS_NAME_MAX - digest.len() - 1].trim_end_matches('-'))
}

/// The longest host name the kernel keeps (`__NEW_UTS_LEN`).
const UTS_NAME_MAX: usize = 64;

/// FNV-1a over bytes: a stable digest that does not depend on the toolchain.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3))
}

/// The NFS servers each node may serve, and how, in policy order: found once, so that each
/// host's exports do not take a look at every server of a fleet.
pub struct Served<'p> {
    by_node: HashMap<&'p str, Vec<(&'p NfsServer, Serving)>>,
    mountpoints: Mountpoints<'p>,
    /// How each node holds what its own servers export: a copy is served read-only.
    holdings: Holdings,
    /// Each node's index in [`Policy::nodes`], by name.
    index: HashMap<&'p str, usize>,
}

impl<'p> Served<'p> {
    pub fn of(policy: &'p Policy) -> Self {
        let mut by_node: HashMap<&'p str, Vec<(&'p NfsServer, Serving)>> = HashMap::new();
        for server in &policy.nfs_servers {
            for (node, serving) in serving_hosts(policy, server) {
                by_node.entry(node.name.value.as_str()).or_default().push((server, serving));
            }
        }
        let index = policy.nodes.iter().enumerate().map(|(index, node)| (node.name.value.as_str(), index)).collect();
        Served { by_node, mountpoints: Mountpoints::of(policy), holdings: Holdings::of(policy), index }
    }

    /// How `node` serves an export of `server`: a pair's server as its place in the pair
    /// says; a node's server its own data and what it sends as they are, and a copy its
    /// node receives read-only, whatever the export says.
    fn serving(&self, node: &Node, server: &NfsServer, export: &Export, placed: Serving) -> Serving {
        if server.pair().is_some() {
            return placed;
        }
        let Some(index) = self.index.get(node.name.value.as_str()) else { return placed };
        match self.holdings.held(*index, &export.dataset.value) {
            Held::Copy { .. } => Serving::ReadOnlyCopy,
            _ => placed,
        }
    }

    fn on(&self, node: &Node) -> &[(&'p NfsServer, Serving)] {
        self.by_node.get(node.name.value.as_str()).map_or(&[], Vec::as_slice)
    }
}

/// Every export line a host serves, sorted by path; the copies the `promoted` servers
/// export served as live data, as they are after a failover.
fn host_lines(policy: &Policy, served: &Served<'_>, node: &Node, promoted: &[&NfsServer]) -> Vec<ExportLine> {
    let mut lines = Vec::new();
    for (server, serving) in served.on(node) {
        let promote = promoted.iter().any(|p| std::ptr::eq(*p, *server));
        for export in &server.exports {
            let serving = if promote { Serving::Data } else { served.serving(node, server, export, *serving) };
            lines.push(export_line(policy, served, server, export, node, serving));
        }
    }
    lines.sort_by(|a, b| a.path.cmp(&b.path));
    lines
}

/// An export of a node's server on a static pair's source that serves the pair's live data,
/// served after a failover by the pair's target from its copy: at `path`, with the copy
/// mounted at `mountpoint`, to the same clients, with the same options and fsid.
#[derive(Clone)]
pub struct MovedExport<'p> {
    pub export: &'p Export,
    pub path: String,
    pub mountpoint: String,
}

/// The exports file of `node` after a failover promotes the copies the `promoted` servers
/// export, and serves the `moved` exports in place of the node's own at their paths, as
/// lines of text for a runbook.
pub fn failover_export_lines(
    policy: &Policy,
    served: &Served<'_>,
    promoted: &[&NfsServer],
    node: &Node,
    moved: &[MovedExport<'_>],
) -> Vec<String> {
    let mut lines = host_lines(policy, served, node, promoted);
    lines.retain(|line| !moved.iter().any(|m| m.path == line.path));
    lines.extend(moved.iter().map(|m| moved_line(m, node)));
    lines.sort_by(|a, b| a.path.cmp(&b.path));
    match node.os.value {
        Os::Linux => lines
            .iter()
            .map(|line| {
                let clients: Vec<String> = line.clients.iter().map(|c| format!("{}({})", c.who, c.options)).collect();
                format!("{} {}", line.path, clients.join(" "))
            })
            .collect(),
        Os::FreeBsd => lines
            .iter()
            .flat_map(|line| {
                line.clients.iter().map(move |c| {
                    let parts = [line.path.as_str(), c.options.as_str(), c.who.as_str()];
                    parts.into_iter().filter(|part| !part.is_empty()).collect::<Vec<_>>().join(" ")
                })
            })
            .collect(),
    }
}

fn moved_line(moved: &MovedExport<'_>, node: &Node) -> ExportLine {
    let export = moved.export;
    let clients = export
        .clients
        .iter()
        .map(|client| match node.os.value {
            Os::Linux => linux_client(client, export_fsid(export), &moved.mountpoint, Serving::Data),
            Os::FreeBsd => freebsd_client(client, Serving::Data),
        })
        .collect();
    ExportLine { path: moved.path.clone(), comment: String::new(), clients }
}

/// The exports file zplan writes on a host of this OS.
pub fn exports_path(os: Os) -> &'static str {
    match os {
        Os::Linux => EXPORTS_PATH,
        Os::FreeBsd => FREEBSD_EXPORTS_PATH,
    }
}

/// The command that makes the NFS server reread its exports.
pub fn reload_exports(os: Os) -> &'static str {
    match os {
        Os::Linux => "exportfs -ra",
        Os::FreeBsd => "service mountd reload",
    }
}

fn add_exports(files: &mut Files, host: &str, os: Os, exports: Exports) {
    match os {
        Os::Linux => {
            files.add(host, EXPORTS_PATH, FILE_MODE, Content::Exports(exports), vec![Action::ExportfsReload]);
        }
        Os::FreeBsd => {
            let reload = vec![Action::ServiceReload("mountd".to_owned())];
            files.add(host, FREEBSD_EXPORTS_PATH, FILE_MODE, Content::FreeBsdOptions(exports), reload);
            nfs_server_rc_conf(files, host);
        }
    }
}

/// How a node serves an export: the live data, or the read-only copy a static pair's
/// target keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Serving {
    Data,
    ReadOnlyCopy,
}

/// The nodes that may serve: both of a followed pair (gated on the role), the source of a
/// static pair and, read-only, its target; a node's server on its node; none for a server
/// inside the followed guest.
fn serving_hosts<'p>(policy: &'p Policy, server: &NfsServer) -> Vec<(&'p Node, Serving)> {
    if server.guest_host().is_some() {
        return Vec::new();
    }
    let pair = match server.on {
        ServerOn::Pair(pair) => &policy.pairs[pair],
        ServerOn::Node(node) => return vec![(&policy.nodes[node], Serving::Data)],
    };
    let [first, second] = pair.nodes.map(|n| &policy.nodes[n]);
    match pair.roles {
        Roles::FollowsGuest { .. } => vec![(first, Serving::Data), (second, Serving::Data)],
        Roles::Static => vec![(first, Serving::Data), (second, Serving::ReadOnlyCopy)],
    }
}

fn export_line(
    policy: &Policy,
    served: &Served<'_>,
    server: &NfsServer,
    export: &Export,
    node: &Node,
    serving: Serving,
) -> ExportLine {
    let pair = server.pair().map(|pair| &policy.pairs[pair]);
    let mounted = served_mountpoint(policy, &served.mountpoints, pair, &export.dataset.value, node, serving);
    let clients = export
        .clients
        .iter()
        .map(|client| match node.os.value {
            Os::Linux => linux_client(client, export_fsid(export), &mounted, serving),
            Os::FreeBsd => freebsd_client(client, serving),
        })
        .collect();
    let placed = match pair {
        Some(pair) => format!(", pair {}", pair.name.value),
        None => String::new(),
    };
    let served_by = format!("nfs server {} at {}{placed}", server.name.value, server.address.value);
    let dataset = &export.dataset.value;
    let comment = match (serving, pair) {
        (Serving::ReadOnlyCopy, Some(pair)) => {
            format!("{}, the read-only copy of {dataset}, for {served_by}", landing(policy, pair, dataset))
        }
        (Serving::ReadOnlyCopy, None) => {
            let copied = served.index.get(node.name.value.as_str()).map(|n| served.holdings.held(*n, dataset));
            match copied {
                Some(Held::Copy { pair, source }) => format!(
                    "{dataset}, the read-only copy of {source} that {} {} receives, for {served_by}",
                    policy.pairs[pair].kind.keyword(),
                    policy.pairs[pair].name.value
                ),
                _ => format!("{dataset}, read-only, for {served_by}"),
            }
        }
        _ => format!("{dataset} of {served_by}"),
    };
    ExportLine { path: export.path.value.clone(), comment, clients }
}

/// Where the dataset an export serves is mounted on the node: the copy's landing on a
/// static target, the dataset itself elsewhere.
fn served_mountpoint(
    policy: &Policy,
    mountpoints: &Mountpoints<'_>,
    pair: Option<&Pair>,
    dataset: &str,
    node: &Node,
    serving: Serving,
) -> String {
    let held = match pair {
        Some(pair)
            if serving == Serving::ReadOnlyCopy
                || pair.is_static() && node.name.value != policy.nodes[pair.nodes[0]].name.value =>
        {
            landing(policy, pair, dataset)
        }
        _ => dataset.to_owned(),
    };
    mountpoints.mountpoint(&node.name.value, &held)
}

/// `who(options,mp=M,fsid=N)`; a copy is served `ro`, whatever the export says, and a
/// client without a subtree option gets nfsd's default, `no_subtree_check`, written out, as
/// exportfs warns on every reload about a line without one. `mp` makes
/// nfsd export the path only while the dataset's mountpoint is mounted: a pool that did not
/// import or a copy not mounted yet never serves the empty directory beneath it under the
/// fsid clients hold.
pub(super) fn linux_client(client: &ExportClient, fsid: u32, mountpoint: &str, serving: Serving) -> ExportClientLine {
    let mut options: Vec<String> = client
        .options
        .iter()
        .filter(|o| serving == Serving::Data || !matches!(o.value.name, "rw" | "ro"))
        .map(|o| o.value.to_string())
        .collect();
    if serving == Serving::ReadOnlyCopy {
        options.insert(0, "ro".to_owned());
    }
    if !client.options.iter().any(|o| matches!(o.value.name, "subtree_check" | "no_subtree_check")) {
        options.push("no_subtree_check".to_owned());
    }
    options.push(format!("mp={mountpoint}"));
    options.push(format!("fsid={fsid}"));
    ExportClientLine { who: client.who.value.to_string(), options: options.join(",") }
}

/// FreeBSD's `-option … host` form; a copy is served `-ro`, whatever the export says.
fn freebsd_client(client: &ExportClient, serving: Serving) -> ExportClientLine {
    let mut options: Vec<String> = client
        .options
        .iter()
        .filter_map(|o| freebsd_export(&o.value).written())
        .filter(|flag| serving == Serving::Data || flag != "-ro")
        .collect();
    if serving == Serving::ReadOnlyCopy {
        options.insert(0, "-ro".to_owned());
    }
    ExportClientLine { who: freebsd_host(&client.who.value), options: options.join(" ") }
}

/// A host, a netgroup by its bare name (mountd looks a name up as a netgroup first), nothing
/// for everyone (FreeBSD's default entry), or a network as `-network ADDRESS -mask MASK`
/// (IPv6: with its prefix length). Host name patterns are refused on FreeBSD (E0709).
fn freebsd_host(who: &ClientSpec) -> String {
    match who {
        ClientSpec::Address(address) => address.to_string(),
        ClientSpec::Host(name) | ClientSpec::Netgroup(name) | ClientSpec::Wildcard(name) => name.clone(),
        ClientSpec::Everyone => String::new(),
        ClientSpec::Network(IpAddr::V4(network), prefix) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(*prefix)).unwrap_or(0);
            format!("-network {network} -mask {}", Ipv4Addr::from(mask))
        }
        ClientSpec::Network(network, prefix) => format!("-network {network}/{prefix}"),
    }
}

/// The script and timer that move the NFS server with the pair's active role.
fn follow_units(host: &str, pair: &str, files: &mut Files) {
    let script = Script::NfsFollow { pair: pair.to_owned(), role_script: role_script(pair) };
    let script_path = format!("{LIBEXEC_DIR}/nfs-follow-{pair}");
    files.add(host, script_path.clone(), SCRIPT_MODE, Content::Script(script), vec![]);
    let stem = format!("zplan-nfs-follow-{pair}");
    let service = Unit::default()
        .section(
            "Unit",
            vec![
                ("Description", format!("Run the NFS server where pair {pair} is active")),
                ("After", "pve-cluster.service network-online.target".to_owned()),
            ],
        )
        .section("Service", vec![("Type", "oneshot".to_owned()), ("ExecStart", format!("/{script_path}"))]);
    let timer = Unit::default()
        .section("Unit", vec![("Description", format!("Check every {NFS_FOLLOW_PERIOD} where pair {pair} is active"))])
        .section(
            "Timer",
            vec![
                ("OnBootSec", NFS_FOLLOW_PERIOD.to_string()),
                ("OnUnitActiveSec", NFS_FOLLOW_PERIOD.to_string()),
                ("AccuracySec", "1s".to_owned()),
                ("Unit", format!("{stem}.service")),
            ],
        )
        .section("Install", vec![("WantedBy", "timers.target".to_owned())]);
    add_timed_service(files, host, &stem, service, timer);
}

/// Starts the NFS server only where the pair is active, once the cluster is up, and starts
/// nfsd under the server scope both nodes share in place of Debian's `rpc.nfsd`.
fn server_gate(pairs: &[String]) -> Unit {
    let mut service: Vec<(&'static str, String)> =
        pairs.iter().map(|pair| ("ExecCondition", format!("{} active", role_script(pair)))).collect();
    service.push(("ExecStart", String::new()));
    service.push(("ExecStart", format!("/{}", nfsd_scope_script())));
    Unit::default()
        .comment("Serve exports only while this node holds the active role, and start nfsd under")
        .comment("the server scope that both nodes share, so that clients may reclaim their state.")
        .section("Unit", vec![("After", "pve-cluster.service".to_owned())])
        .section("Service", service)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{OptionSetting, Spanned};

    #[test]
    fn the_server_scope_is_a_host_name_made_of_the_address() {
        assert_eq!(nfsd_scope(&Address::Ip("192.168.100.150".parse().unwrap())), "nfs-192-168-100-150");
        assert_eq!(nfsd_scope(&Address::Ip("fd00::".parse().unwrap())), "nfs-fd00-0-0-0-0-0-0-0");
        assert_eq!(nfsd_scope(&Address::Ip("2001:db8::1:150".parse().unwrap())), "nfs-2001-db8-0-0-0-0-1-150");
        assert_eq!(nfsd_scope(&Address::Name("NFS.Home.lan".to_owned())), "nfs-nfs-home-lan");
        let long = Address::Name(format!("{}.{}.example", "a".repeat(40), "b".repeat(40)));
        let other = Address::Name(format!("{}.{}.example", "a".repeat(40), "c".repeat(40)));
        assert_eq!(nfsd_scope(&long).len(), 64);
        assert_ne!(nfsd_scope(&long), nfsd_scope(&other));
    }

    fn client(who: ClientSpec, options: &[&'static str]) -> ExportClient {
        let setting = |name| Spanned::new(OptionSetting { name, value: None }, Default::default());
        ExportClient {
            who: Spanned::new(who, Default::default()),
            options: options.iter().map(|o| setting(*o)).collect(),
        }
    }

    #[test]
    fn a_linux_line_states_its_subtree_check() {
        let quiet = linux_client(&client(ClientSpec::Everyone, &["ro"]), 7, "/srv", Serving::Data);
        assert_eq!((quiet.who.as_str(), quiet.options.as_str()), ("*", "ro,no_subtree_check,mp=/srv,fsid=7"));
        let checked = linux_client(
            &client(ClientSpec::Netgroup("eng".into()), &["rw", "subtree_check"]),
            7,
            "/srv",
            Serving::ReadOnlyCopy,
        );
        assert_eq!((checked.who.as_str(), checked.options.as_str()), ("@eng", "ro,subtree_check,mp=/srv,fsid=7"));
    }

    #[test]
    fn freebsd_hosts_are_netgroups_by_name_and_everyone_by_omission() {
        assert_eq!(freebsd_host(&ClientSpec::Netgroup("eng".into())), "eng");
        assert_eq!(freebsd_host(&ClientSpec::Everyone), "");
    }

    #[test]
    fn freebsd_networks_have_a_mask() {
        let network = ClientSpec::Network("192.168.1.0".parse().unwrap(), 24);
        assert_eq!(freebsd_host(&network), "-network 192.168.1.0 -mask 255.255.255.0");
        let all = ClientSpec::Network("0.0.0.0".parse().unwrap(), 0);
        assert_eq!(freebsd_host(&all), "-network 0.0.0.0 -mask 0.0.0.0");
        let v6 = ClientSpec::Network("fd00::".parse().unwrap(), 64);
        assert_eq!(freebsd_host(&v6), "-network fd00::/64");
    }
}
