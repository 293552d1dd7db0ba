//! A client's files: an fstab fragment for those who keep mounts in fstab, and the
//! equivalent native `.mount` and `.automount` units.

use super::files::*;
use super::systemd::{FILE_MODE, UNIT_DIR};
use crate::facts::naming::mount_unit_stem;
use crate::model::{freebsd_mount, Client, Mount, OptionSetting, Os, Policy};

/// The fstab fragment, meant for a block of `/etc/fstab` (for example Ansible's blockinfile).
pub const FSTAB_PATH: &str = "etc/fstab.d/zplan.fstab";

/// The same on FreeBSD, which has no fstab.d and no mount units.
pub const FREEBSD_FSTAB_PATH: &str = "etc/zplan/fstab";

/// Adds the fstab fragment and, on Linux, the mount units of one client.
pub fn client_files(policy: &Policy, client: &Client, files: &mut Files) {
    let host = &client.name.value;
    let mut lines = Vec::new();
    for mount in &client.mounts {
        let what = source(policy, mount);
        let options = match client.os.value {
            Os::Linux => linux_options(mount),
            Os::FreeBsd => freebsd_options(mount),
        };
        lines.push(FstabLine { what: what.clone(), at: mount.at.value.clone(), options: options.join(",") });
        if client.os.value == Os::Linux {
            mount_units(host, &what, mount, files);
        }
    }
    lines.sort_by(|a, b| a.at.cmp(&b.at));
    let (path, note) = match client.os.value {
        Os::Linux => (FSTAB_PATH, LINUX_NOTE.as_slice()),
        Os::FreeBsd => (FREEBSD_FSTAB_PATH, FREEBSD_NOTE.as_slice()),
    };
    files.add(host, path, FILE_MODE, Content::Fstab(Fstab { note: note.to_vec(), lines }), vec![]);
}

const LINUX_NOTE: [&str; 2] = [
    "NFS mounts, for a block of /etc/fstab; the .mount and .automount units beside it are",
    "the same mounts for hosts that use units instead.",
];

const FREEBSD_NOTE: [&str; 1] = ["NFS mounts with mount_nfs(8) options, for a block of /etc/fstab."];

/// The mount's options as fstab(5) writes them, `defaults` when the policy sets none: an
/// fstab line always has an options field, or the fields after it shift into its place.
fn linux_options(mount: &Mount) -> Vec<String> {
    let options: Vec<String> = mount.options.iter().map(|o| o.value.to_string()).collect();
    if options.is_empty() {
        return vec!["defaults".to_owned()];
    }
    options
}

/// mount_nfs(8)'s spelling of each option; checks refused the ones it has not. `rw` when
/// nothing else is left, since a FreeBSD fstab line needs options.
fn freebsd_options(mount: &Mount) -> Vec<String> {
    let mut options: Vec<String> = mount.options.iter().filter_map(|o| freebsd_mount(&o.value).written()).collect();
    if options.is_empty() {
        options.push("rw".to_owned());
    }
    options
}

/// `address:/path`, with brackets around an IPv6 address; a host name as it is written.
fn source(policy: &Policy, mount: &Mount) -> String {
    let server = &policy.nfs_servers[mount.server];
    let path = &server.exports[mount.export].path.value;
    server.address.value.with_suffix(path)
}

/// Options for the `.mount` unit: what mount(8) and the NFS client read; systemd's own
/// `x-systemd.*` options become unit settings and `nofail` is the unit's dependency type.
fn unit_options(options: &[&OptionSetting]) -> String {
    let kept: Vec<String> = options
        .iter()
        .filter(|o| !o.name.starts_with("x-systemd.") && o.name != "nofail")
        .map(|o| o.to_string())
        .collect();
    kept.join(",")
}

fn option_value<'m>(mount: &'m Mount, name: &str) -> Option<&'m str> {
    mount.options.iter().find(|o| o.value.name == name).and_then(|o| o.value.value.as_deref())
}

fn mount_units(host: &str, what: &str, mount: &Mount, files: &mut Files) {
    let at = &mount.at.value;
    let stem = mount_unit_stem(at);
    let options: Vec<&OptionSetting> = mount.options.iter().map(|o| &o.value).collect();
    let mut mount_section = vec![
        ("What", what.to_owned()),
        ("Where", at.clone()),
        ("Type", "nfs".to_owned()),
        ("Options", unit_options(&options)),
    ];
    if let Some(seconds) = option_value(mount, "x-systemd.mount-timeout") {
        mount_section.push(("TimeoutSec", seconds.to_owned()));
    }
    let mut unit = Unit::default()
        .section(
            "Unit",
            vec![
                ("Description", format!("NFS {what} at {at}")),
                ("Wants", "network-online.target".to_owned()),
                ("After", "network-online.target".to_owned()),
            ],
        )
        .section("Mount", mount_section);
    let mut mount_actions = vec![Action::DaemonReload];
    if mount.automount {
        automount_unit(host, &stem, mount, files);
    } else {
        unit = unit.section("Install", vec![("WantedBy", "remote-fs.target".to_owned())]);
        mount_actions.push(Action::EnableNow(format!("{stem}.mount")));
    }
    files.add(host, format!("{UNIT_DIR}/{stem}.mount"), FILE_MODE, Content::Unit(unit), mount_actions);
}

fn automount_unit(host: &str, stem: &str, mount: &Mount, files: &mut Files) {
    let at = &mount.at.value;
    let mut automount = vec![("Where", at.clone())];
    if let Some(seconds) = option_value(mount, "x-systemd.idle-timeout") {
        automount.push(("TimeoutIdleSec", seconds.to_owned()));
    }
    let unit = Unit::default()
        .section("Unit", vec![("Description", format!("Mount {at} on first use"))])
        .section("Automount", automount)
        .section("Install", vec![("WantedBy", "remote-fs.target".to_owned())]);
    let actions = vec![Action::DaemonReload, Action::EnableNow(format!("{stem}.automount"))];
    files.add(host, format!("{UNIT_DIR}/{stem}.automount"), FILE_MODE, Content::Unit(unit), actions);
}
