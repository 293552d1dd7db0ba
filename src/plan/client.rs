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
        let comment = soft_on_purpose(client, mount);
        let options = options.join(",");
        lines.push(FstabLine { what: what.clone(), at: mount.at.value.clone(), options, comment: comment.clone() });
        if client.os.value == Os::Linux {
            mount_units(host, &what, mount, comment, files);
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

/// Why a soft mount gives up during a failover, as the client states it (`allow E0506
/// because …`), written next to the mount in every file that declares it.
fn soft_on_purpose(client: &Client, mount: &Mount) -> Option<String> {
    let soft = mount.options.iter().any(|o| matches!(o.value.name, "soft" | "softerr"));
    let reason = client.soft_on_purpose().filter(|_| soft)?;
    Some(format!("soft on purpose (E0506 acknowledged): {reason}"))
}

/// Options with no fstab spelling that systemd reads: `x-systemd.force-unmount` is not one
/// (systemd-fstab-generator 252 ignores it), so it becomes a drop-in instead.
const UNIT_ONLY: &[&str] = &["x-systemd.force-unmount"];

/// The mount's options as fstab(5) writes them, `defaults` when the policy sets none: an
/// fstab line always has an options field, or the fields after it shift into its place.
fn linux_options(mount: &Mount) -> Vec<String> {
    let options: Vec<String> =
        mount.options.iter().filter(|o| !UNIT_ONLY.contains(&o.value.name)).map(|o| o.value.to_string()).collect();
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
/// `x-systemd.*` options become unit settings, `nofail` is the unit's dependency type and
/// `noauto` the absence of an `[Install]` section.
fn unit_options(options: &[&OptionSetting]) -> String {
    let kept: Vec<String> = options
        .iter()
        .filter(|o| !o.name.starts_with("x-systemd.") && !matches!(o.name, "nofail" | "noauto" | "auto"))
        .map(|o| o.to_string())
        .collect();
    kept.join(",")
}

fn option_value<'m>(mount: &'m Mount, name: &str) -> Option<&'m str> {
    mount.options.iter().find(|o| o.value.name == name).and_then(|o| o.value.value.as_deref())
}

/// `x-systemd.after=` and its kind as `[Unit]` settings, as systemd-fstab-generator writes
/// them: a path names the mount unit of that path, `requires` also orders after.
fn dependencies(mount: &Mount) -> Vec<(&'static str, String)> {
    let unit = |value: &str| match value.starts_with('/') {
        true => format!("{}.mount", mount_unit_stem(value)),
        false => value.to_owned(),
    };
    let mut settings = Vec::new();
    for option in &mount.options {
        let Some(value) = option.value.value.as_deref() else { continue };
        match option.value.name {
            "x-systemd.after" => settings.push(("After", unit(value))),
            "x-systemd.before" => settings.push(("Before", unit(value))),
            "x-systemd.requires" => settings.extend([("Requires", unit(value)), ("After", unit(value))]),
            "x-systemd.requires-mounts-for" => settings.push(("RequiresMountsFor", value.to_owned())),
            _ => {}
        }
    }
    settings
}

fn mount_units(host: &str, what: &str, mount: &Mount, comment: Option<String>, files: &mut Files) {
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
    let mut unit_section = vec![
        ("Description", format!("NFS {what} at {at}")),
        ("Wants", "network-online.target".to_owned()),
        ("After", "network-online.target".to_owned()),
    ];
    unit_section.extend(dependencies(mount));
    let mut unit = Unit::default();
    if let Some(comment) = comment {
        unit = unit.comment(comment);
    }
    unit = unit.section("Unit", unit_section).section("Mount", mount_section);
    let mut mount_actions = vec![Action::DaemonReload];
    let noauto = mount.options.iter().any(|o| o.value.name == "noauto");
    if mount.automount {
        automount_unit(host, &stem, mount, files);
    } else if !noauto {
        unit = unit.section("Install", vec![install_dependency(mount)]);
        mount_actions.push(Action::EnableNow(format!("{stem}.mount")));
    }
    files.add(host, format!("{UNIT_DIR}/{stem}.mount"), FILE_MODE, Content::Unit(unit), mount_actions);
    if mount.options.iter().any(|o| o.value.name == "x-systemd.force-unmount") {
        force_unmount_drop_in(host, &stem, files);
    }
}

/// How `remote-fs.target` pulls the unit in, as systemd-fstab-generator links it: wanted
/// with `nofail`, so that the boot goes on without it, and required without.
fn install_dependency(mount: &Mount) -> (&'static str, String) {
    let nofail = mount.options.iter().any(|o| o.value.name == "nofail");
    (if nofail { "WantedBy" } else { "RequiredBy" }, "remote-fs.target".to_owned())
}

/// `ForceUnmount=yes` for the mount unit, whether fstab's generator or the native unit
/// defines it: `umount -f`, so that a shutdown does not hang on an unreachable server.
fn force_unmount_drop_in(host: &str, stem: &str, files: &mut Files) {
    let unit = Unit::default()
        .comment("umount -f: a stop or shutdown does not hang on an unreachable server.")
        .section("Mount", vec![("ForceUnmount", "yes".to_owned())]);
    let path = format!("{UNIT_DIR}/{stem}.mount.d/zplan.conf");
    files.add(host, path, FILE_MODE, Content::Unit(unit), vec![Action::DaemonReload]);
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
        .section("Install", vec![install_dependency(mount)]);
    let actions = vec![Action::DaemonReload, Action::EnableNow(format!("{stem}.automount"))];
    files.add(host, format!("{UNIT_DIR}/{stem}.automount"), FILE_MODE, Content::Unit(unit), actions);
}
