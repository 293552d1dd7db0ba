#!/usr/bin/env bash
# Deploys the homelab example with examples/ansible/deploy.yml and ansible-core, installed
# from PyPI into a virtualenv, into per-host staging roots with `connection: local`.
# Run by .ci/run after `cargo build`; kept out of `cargo test` because it needs PyPI.
#
#   tests/ansible/run.sh [ZPLAN_BINARY]
#
# As root, the test runs in a private mount namespace where /etc, /usr and /var are
# read-only, so that no mistake in a playbook or an inventory can reach the real system.
set -euo pipefail
cd "$(dirname "$0")/../.."
zplan=${1:-target/debug/zplan}
venv=${ZPLAN_ANSIBLE_VENV:-target/ansible-venv}
if [ ! -x "$venv/bin/ansible-playbook" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'ansible-core~=2.17.0'
fi
test=("$venv/bin/python" tests/ansible/test_deploy.py "$zplan")
if [ "$(id -u)" = 0 ] && unshare --mount true 2>/dev/null; then
  read_only='for dir in /etc /usr /var; do mount --bind "$dir" "$dir" && mount -o remount,bind,ro "$dir"; done'
  exec unshare --mount --propagation private sh -c "$read_only && exec \"\$@\"" sh "${test[@]}"
fi
exec "${test[@]}"
