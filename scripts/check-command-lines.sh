#!/usr/bin/env bash
# check-command-lines.sh ORACLES OUT -- pass every sanoid and syncoid command line that an
# output tree's units run to the real script's option parser (the oracles' cli-flags-check.sh).
set -euo pipefail
oracles=$1 out=$2
checked=0 failed=0
while IFS= read -r line; do
  # split like systemd does: on blanks, keeping a "quoted argument" whole
  mapfile -t words < <(xargs -n1 printf '%s\n' <<<"${line#*=}")
  tool=$(basename "${words[0]}")
  if bash "$oracles/cli-flags-check.sh" "$tool" "${words[@]:1}"; then
    checked=$((checked + 1))
  else
    failed=$((failed + 1))
  fi
done < <(grep -rhE '^Exec[A-Za-z]*=/usr/sbin/(sanoid|syncoid) ' "$out" | sort -u)
echo "$checked command lines accepted, $failed rejected"
[ "$failed" -eq 0 ]
