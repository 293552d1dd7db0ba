"""Deploy, redeploy, change the policy and deploy again, with examples/ansible/deploy.yml.

Every host deploys into its own staging root on this machine (`connection: local`);
systemctl and exportfs are stubs, found first on PATH, that log what they were asked to
run. The test checks what Ansible reports as changed, what the stubs ran and what the
staging roots hold.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "proxmox-homelab.zplan"
PLAYBOOK = REPO / "examples" / "ansible" / "deploy.yml"
INVENTORY = REPO / "examples" / "ansible" / "inventory.yml"
HOSTS = ["acemagician", "docker-vm", "elitedesk", "prometheus"]
STUB = '#!/bin/sh\necho "$(basename "$0") $*" >> "$ZPLAN_STUB_LOG"\n'

# What the policy change (rpo 10m -> 15m, one dataset fewer) must change on a storage node,
# and on the Prometheus host, whose rules follow the bounds.
RULES = "/etc/prometheus/rules/"
CHANGED_ON_PROMETHEUS = [RULES + "zplan.rules.test.yml", RULES + "zplan.rules.yml"]
ACTIONS_ON_PROMETHEUS = ["systemctl reload-or-restart prometheus.service"]
UNIT = "/etc/systemd/system/"
CHANGED_ON_STORAGE = sorted(
    [
        "/etc/sanoid/zplan/storage-active/sanoid.conf",
        "/etc/sanoid/zplan/storage-standby/sanoid.conf",
        UNIT + "zplan-prune-storage.timer",
        UNIT + "zplan-replicate-storage-zpool1-data-nfs-share.timer",
        UNIT + "zplan-replicate-storage-zpool2-photos.timer",
        UNIT + "zplan-replicate-storage-zpool2-storage.timer",
        UNIT + "zplan-snapshot-storage.timer",
        "/usr/local/libexec/zplan/snapshot-metrics",  # it lists the datasets
        "/usr/local/share/doc/zplan/failover-storage.md",  # the runbook lists the datasets
    ]
)
REMOVED_ON_STORAGE = sorted(
    [
        UNIT + "zplan-replicate-storage-zpool1-pbs-backups.service",
        UNIT + "zplan-replicate-storage-zpool1-pbs-backups.timer",
    ]
)
ACTIONS_ON_STORAGE = [
    "systemctl disable --now zplan-replicate-storage-zpool1-pbs-backups.timer",
    "systemctl daemon-reload",
    "systemctl enable --now zplan-prune-storage.timer",
    "systemctl enable --now zplan-replicate-storage-zpool1-data-nfs-share.timer",
    "systemctl enable --now zplan-replicate-storage-zpool2-photos.timer",
    "systemctl enable --now zplan-replicate-storage-zpool2-storage.timer",
    "systemctl enable --now zplan-snapshot-storage.timer",
]


def check(condition, message):
    if not condition:
        sys.exit(f"FAIL: {message}")


class Deployment:
    def __init__(self, zplan, work):
        self.zplan = zplan
        self.work = work
        self.out = work / "out"
        self.stubs = work / "stubs"
        self.stubs.mkdir()
        for name in ["systemctl", "exportfs"]:
            (self.stubs / name).write_text(STUB)
            (self.stubs / name).chmod(0o755)
        # Extra variables outrank every other source in Ansible, so neither the inventory nor
        # the play can send a file or a command of this test to the real root or systemctl.
        self.extra_vars = work / "staging.json"
        self.extra_vars.write_text(
            json.dumps(
                {
                    "ansible_connection": "local",
                    "ansible_python_interpreter": sys.executable,
                    "zplan_tree": str(self.out),
                    "zplan_root": str(work / "stage" / "{{ inventory_hostname }}"),
                    "zplan_environment": {
                        "PATH": self.path(),
                        "ZPLAN_STUB_LOG": str(work / "logs" / "{{ inventory_hostname }}.log"),
                    },
                }
            )
        )

    def path(self):
        return f"{self.stubs}:{os.environ['PATH']}"

    def root(self, host):
        return self.work / "stage" / host

    def log(self, host):
        return self.work / "logs" / f"{host}.log"

    def logged(self, host):
        path = self.log(host)
        return path.read_text().splitlines() if path.exists() else []

    def build(self, policy):
        subprocess.run([self.zplan, "build", str(policy), "-o", str(self.out)], check=True)

    def deploy(self):
        """Runs the playbook; returns the play recap and, per host and task, the changed paths."""
        (self.work / "logs").mkdir(exist_ok=True)
        changes = self.work / "changes.json"
        env = dict(
            os.environ,
            PATH=self.path(),
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_CALLBACK_PLUGINS=str(Path(__file__).parent / "callback_plugins"),
            ANSIBLE_CALLBACKS_ENABLED="zplan_changes",
            ZPLAN_CHANGES_FILE=str(changes),
        )
        playbook = Path(sys.executable).parent / "ansible-playbook"
        command = [playbook, "-i", INVENTORY, "-e", f"@{self.extra_vars}", PLAYBOOK]
        run = subprocess.run(command, env=env, capture_output=True, text=True)
        check(run.returncode == 0, f"ansible-playbook failed:\n{run.stdout}\n{run.stderr}")
        report = json.loads(changes.read_text())
        changed = {host: {} for host in HOSTS}
        for host, tasks in report["changed"].items():
            for task, items in tasks.items():
                changed[host][task] = sorted(changed_path(item) for item in items)
        return report["recap"], changed

    def check_staged_tree(self):
        manifest = json.loads((self.out / "manifest.json").read_text())
        for host, entries in manifest["hosts"].items():
            for entry in entries["files"]:
                staged = Path(f"{self.root(host)}{entry['path']}")
                if "link" in entry:
                    check(os.readlink(staged) == entry["link"], f"{staged} links to {entry['link']}")
                    continue
                digest = hashlib.sha256(staged.read_bytes()).hexdigest()
                check(digest == entry["sha256"], f"{staged} has the manifest's sha256")
                check(oct(staged.stat().st_mode & 0o7777) == oct(int(entry["mode"], 8)), f"{staged} mode")
            for entry in entries["removed"]:
                staged = Path(f"{self.root(host)}{entry['path']}")
                check(not staged.exists() and not staged.is_symlink(), f"{staged} is removed")


def changed_path(item):
    """The path of a file task's loop item (an entry, or a stat result of one); an action as is."""
    if isinstance(item, dict) and "item" in item:
        item = item["item"]
    return item["path"] if isinstance(item, dict) else item


def main(zplan):
    with tempfile.TemporaryDirectory(prefix="zplan-ansible-") as work:
        work = Path(work)
        deployment = Deployment(zplan, work)
        policy = work / "proxmox-homelab.zplan"
        shutil.copy(EXAMPLE, policy)
        deployment.build(policy)
        foreign = deployment.root("acemagician") / "etc" / "hostname"
        foreign.parent.mkdir(parents=True)
        foreign.write_text("acemagician\n")

        stats, changed = deployment.deploy()
        check(all(stats[host]["changed"] > 0 for host in HOSTS), f"the first deploy changes every host: {stats}")
        deployment.check_staged_tree()
        manifest = json.loads((deployment.out / "manifest.json").read_text())
        for host in HOSTS:
            expected = manifest["hosts"][host]["action_order"]
            check(deployment.logged(host) == expected, f"{host} ran every action once, in order: {deployment.logged(host)}")
        first_logs = {host: deployment.logged(host) for host in HOSTS}

        stats, changed = deployment.deploy()
        check(all(stats[host]["changed"] == 0 for host in HOSTS), f"a redeploy changes nothing: {stats} {changed}")
        check({host: deployment.logged(host) for host in HOSTS} == first_logs, "a redeploy runs no action")

        source = policy.read_text()
        changed_source = source.replace("rpo       10m", "rpo       15m").replace(
            "  replicate zpool1/pbs-backups recursive\n", ""
        )
        check(changed_source != source, "the policy change applies")
        policy.write_text(changed_source)
        deployment.build(policy)
        stats, changed = deployment.deploy()
        deployment.check_staged_tree()
        for host in ["acemagician", "elitedesk"]:
            copied = changed[host].get("Copy zplan's files")
            removed = changed[host].get("Remove the files zplan no longer generates")
            check(copied == CHANGED_ON_STORAGE, f"{host} copied exactly the changed files: {copied}")
            check(removed == REMOVED_ON_STORAGE, f"{host} removed exactly the dropped files: {removed}")
            check("Link zplan's symbolic links (masks)" not in changed[host], f"{host} relinked nothing")
            ran = deployment.logged(host)[len(first_logs[host]) :]
            check(ran == ACTIONS_ON_STORAGE, f"{host} ran exactly the due actions: {ran}")
        copied = changed["prometheus"].get("Copy zplan's files")
        check(copied == CHANGED_ON_PROMETHEUS, f"prometheus copied exactly its new rules: {copied}")
        ran = deployment.logged("prometheus")[len(first_logs["prometheus"]) :]
        check(ran == ACTIONS_ON_PROMETHEUS, f"prometheus reloaded its rules: {ran}")
        check(stats["docker-vm"]["changed"] == 0, f"docker-vm is untouched: {changed['docker-vm']}")
        check(deployment.logged("docker-vm") == first_logs["docker-vm"], "docker-vm ran no action")
        check(foreign.read_text() == "acemagician\n", "a file zplan does not list survives")

        stats, changed = deployment.deploy()
        check(all(stats[host]["changed"] == 0 for host in HOSTS), f"the changed tree redeploys as a no-op: {stats}")
    print("ansible deploy test passed: deploy, no-op redeploy, policy change, no-op redeploy")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(REPO / "target" / "debug" / "zplan"))
