//! A client's files: an fstab fragment for those who keep mounts in fstab, and the
//! equivalent native `.mount` and `.automount` units.

use super::files::*;
use super::nfsv4::{implied_mount_options, mount_uses_kerberos, KEYTAB};
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
        let server = &policy.nfs_servers[mount.server];
        let implied = implied_mount_options(server, &server.exports[mount.export], mount);
        let all: Vec<&OptionSetting> = mount.options.iter().map(|o| &o.value).chain(&implied).collect();
        let options = match client.os.value {
            Os::Linux => linux_options(&all),
            Os::FreeBsd => freebsd_options(&all),
        };
        lines.push(FstabLine { what: what.clone(), at: mount.at.value.clone(), options: options.join(",") });
        if client.os.value == Os::Linux {
            mount_units(host, &what, mount, &all, files);
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
fn linux_options(all: &[&OptionSetting]) -> Vec<String> {
    let options: Vec<String> = all.iter().map(|o| o.to_string()).collect();
    if options.is_empty() {
        return vec!["defaults".to_owned()];
    }
    options
}

/// mount_nfs(8)'s spelling of each option; checks refused the ones it has not. `rw` when
/// nothing else is left, since a FreeBSD fstab line needs options.
fn freebsd_options(all: &[&OptionSetting]) -> Vec<String> {
    let mut options: Vec<String> = all.iter().filter_map(|o| freebsd_mount(o).written()).collect();
    if options.is_empty() {
        options.push("rw".to_owned());
    }
    options
}

/// `address:/path`, with brackets around an IPv6 address; a host name as it is written.
fn source(policy: &Policy, mount: &Mount) -> String {
    let server = &policy.nfs_servers[mount.server];
    server.address.value.with_suffix(&mount.path)
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

fn mount_units(host: &str, what: &str, mount: &Mount, options: &[&OptionSetting], files: &mut Files) {
    let at = &mount.at.value;
    let stem = mount_unit_stem(at);
    let mut mount_section = vec![
        ("What", what.to_owned()),
        ("Where", at.clone()),
        ("Type", "nfs".to_owned()),
        ("Options", unit_options(options)),
    ];
    if let Some(seconds) = option_value(mount, "x-systemd.mount-timeout") {
        mount_section.push(("TimeoutSec", seconds.to_owned()));
    }
    let mut unit =
        Unit::default().section("Unit", unit_dependencies(what, at, options)).section("Mount", mount_section);
    let mut mount_actions = vec![Action::DaemonReload];
    if mount.automount {
        automount_unit(host, &stem, mount, files);
    } else {
        unit = unit.section("Install", vec![("WantedBy", "remote-fs.target".to_owned())]);
        mount_actions.push(Action::EnableNow(format!("{stem}.mount")));
    }
    files.add(host, format!("{UNIT_DIR}/{stem}.mount"), FILE_MODE, Content::Unit(unit), mount_actions);
}

/// The mount unit's `[Unit]` entries: the network, and for a Kerberos mount rpc.gssd, which
/// runs only where /etc/krb5.keytab exists.
fn unit_dependencies(what: &str, at: &str, options: &[&OptionSetting]) -> Vec<(&'static str, String)> {
    let mut entries = vec![
        ("Description", format!("NFS {what} at {at}")),
        ("Wants", "network-online.target".to_owned()),
        ("After", "network-online.target".to_owned()),
    ];
    if mount_uses_kerberos(options) {
        entries.push(("Requires", "rpc-gssd.service".to_owned()));
        entries.push(("After", "rpc-gssd.service".to_owned()));
        entries.push(("AssertPathExists", KEYTAB.to_owned()));
    }
    entries
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
