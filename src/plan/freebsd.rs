//! What a FreeBSD host gets instead of systemd units: rc.conf(5) fragments under
//! `/etc/rc.conf.d/SERVICE/`, one zplan-owned file per service, which rc.subr reads
//! after `/etc/rc.conf`.

use super::files::*;
use super::systemd::FILE_MODE;

/// Where the exports of a FreeBSD NFS server go: zplan's own file, which mountd reads
/// because `mountd_flags` names it.
pub const FREEBSD_EXPORTS_PATH: &str = "etc/zplan/exports";

/// Adds `etc/rc.conf.d/SERVICE/zplan` with the given settings; a change restarts the service.
pub fn rc_conf(files: &mut Files, host: &str, service: &str, comment: &str, settings: Vec<(&'static str, String)>) {
    let settings = settings.into_iter().map(|(name, value)| RcSetting { name, value }).collect();
    let conf = RcConf { comment: comment.to_owned(), settings };
    let actions = vec![Action::ServiceRestart(service.to_owned())];
    files.add(host, format!("etc/rc.conf.d/{service}/zplan"), FILE_MODE, Content::RcConf(conf), actions);
}

/// The NFS server's rc.conf: nfsd and mountd at boot, mountd reading zplan's exports too.
pub fn nfs_server_rc_conf(files: &mut Files, host: &str) {
    let comment = "Serve NFS; rc.d/mountd adds /etc/exports and /etc/zfs/exports when zfs_enable is on.";
    let flags = format!("-r -S /{FREEBSD_EXPORTS_PATH}");
    rc_conf(files, host, "mountd", comment, vec![("mountd_enable", "YES".to_owned()), ("mountd_flags", flags)]);
    rc_conf(files, host, "nfsd", "Serve NFS.", vec![("nfs_server_enable", "YES".to_owned())]);
}
