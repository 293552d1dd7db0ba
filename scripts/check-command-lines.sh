#!/usr/bin/env bash
# check-command-lines.sh ORACLES OUT -- check every sanoid and syncoid command line that an
# output tree's units run, with the real scripts of the oracles' sanoid copy:
# - the option parser accepts it (the oracles' cli-flags-check.sh);
# - syncoid's own reading of `user@host:dataset` finds what the unit means: the real
#   syncoid runs with stub ssh and zfs that record their calls, and every ssh it runs must
#   reach the account, host and port the unit names (`USER@HOST:DATASET`, or the address in
#   `--sshoption=HostName=`, and `--sshport`; `ssh -G` resolves each recorded call), and the
#   dataset it asks the remote side about must be the one the unit's guard checks
#   (ExecStartPre): the target of a push, the source of a pull (whose target is local).
# SYNCOID_NEWER="PATH…" names upstream syncoid scripts of newer releases (2.2.0, 2.3.0, as
# `git show v2.3.0:syncoid` gives them): a command line Debian's syncoid rejects is then
# checked, and read, with the first of them that accepts it. Which release a node may use
# an option of is the compiler's rule (src/model/tools.rs, tests/tools.rs); this proves the
# spelling is one a real release reads.
set -euo pipefail
oracles=$1 out=$2
deb_root=${SANOID_DEB_ROOT:-${ORACLE_CACHE:-/var/cache/zplan-oracles}/sanoid-deb}
syncoid=${SYNCOID_BIN:-$deb_root/usr/sbin/syncoid}
checked=0 failed=0 parsed=0 misparsed=0
declare -A parser_of=()

# split like systemd does: on blanks, keeping a "quoted argument" whole
words_of() {
  mapfile -t words < <(xargs -n1 printf '%s\n' <<<"${1#*=}")
}

while IFS= read -r line; do
  words_of "$line"
  tool=$(basename "${words[0]}")
  if bash "$oracles/cli-flags-check.sh" "$tool" "${words[@]:1}"; then
    checked=$((checked + 1))
    continue
  fi
  accepted=""
  if [ "$tool" = syncoid ]; then
    for newer in ${SYNCOID_NEWER:-}; do
      if SYNCOID_BIN=$newer bash "$oracles/cli-flags-check.sh" syncoid "${words[@]:1}"; then
        accepted=$newer
        break
      fi
    done
  fi
  if [ -n "$accepted" ]; then
    checked=$((checked + 1))
    parser_of[${line#*=}]=$accepted
  else
    failed=$((failed + 1))
  fi
done < <(grep -rhE '^Exec[A-Za-z]*=/usr/sbin/(sanoid|syncoid) ' "$out" | sort -u)
echo "$checked command lines accepted, $failed rejected"

[ -f "$syncoid" ] || { echo "missing $syncoid (run $oracles/install.sh)" >&2; exit 2; }
stubs=$(mktemp -d -t check-command-lines.XXXXXX)
trap 'rm -rf "$stubs"' EXIT
# ssh records its arguments (separated by \037, one call a line) and lets only syncoid's
# connection test and its closing of the control master succeed.
cat >"$stubs/ssh" <<'EOF'
#!/bin/sh
for arg in "$@"; do printf '%s\037' "$arg"; done >>"$STUB_LOG"
printf '\n' >>"$STUB_LOG"
case " $* " in
*" echo -n "* | *" -O exit "*) exit 0 ;;
esac
exit 1
EOF
# The local zfs: the source exists, has no syncoid:sync property and no snapshots, so
# syncoid goes as far as asking the target whether the copy exists, then stops. With
# STUB_CHILD set (a unit with --skip-parent), the source's listing also has a child, which
# syncoid replicates instead of the parent.
cat >"$stubs/zfs" <<'EOF'
#!/bin/sh
for last in "$@"; do :; done
case "$1 $2" in
"get -H") printf '%s\t%s\t-\t-\n' "$last" "$3" ;;
"list -o")
  printf '%s\t-\n' "$last"
  [ -z "${STUB_CHILD:-}" ] || printf '%s/%s\t-\n' "$last" "$STUB_CHILD"
  ;;
esac
exit 0
EOF
for c in zpool sudo mbuffer pv lzop zstd zstdmt pigz xz lz4 gzip socat; do
  printf '#!/bin/sh\nexit 1\n' >"$stubs/$c"
done
chmod +x "$stubs"/*

# An IPv4 or IPv6 literal, or an RFC 1123 host name.
is_address() {
  [[ $1 =~ ^([0-9]{1,3}\.){3}[0-9]{1,3}$ || $1 =~ ^[0-9a-fA-F]*:[0-9a-fA-F:.]*$ ]] ||
    [[ $1 =~ ^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$ && ! $1 =~ \.[0-9]+$ ]]
}

# The USER@HOST:PORT a unit's syncoid words mean: the account and host of its last word,
# the address of --sshoption=HostName= when given, and --sshport (22 when absent).
meant_route() {
  local target=${words[-1]} user host port=22 word
  [[ $target == *@* ]] || target=${words[-2]}
  user=${target%%@*} host=${target#*@} host=${host%%:*}
  for word in "${words[@]}"; do
    case $word in
    --sshoption=HostName=*) host=${word#--sshoption=HostName=} ;;
    --sshport=*) port=${word#--sshport=} ;;
    esac
  done
  echo "$user@$host:$port"
}

# Runs the syncoid of one unit and prints `ok HOST DATASET`, or what is wrong with its reading.
syncoid_reading() {
  local unit=$1 log=$stubs/calls expected="" dataset="" call config reached=() side=target guard=()
  words_of "$(grep -m1 '^ExecStartPre=/usr/local/libexec/zplan/guard-' "$unit" || true)"
  guard=("${words[@]}")
  local command
  command=$(grep -m1 '^ExecStart=/usr/sbin/syncoid ' "$unit")
  words_of "$command"
  local parser=${parser_of[${command#*=}]:-$syncoid}
  [[ ${words[-1]} == *@* ]] || side=source
  if [ "$side" = target ]; then
    [ "${#guard[@]}" -ge 3 ] && expected=${guard[2]}
  else
    [ "${#guard[@]}" -ge 2 ] && expected=${guard[1]}
  fi
  local child=""
  if printf '%s\n' "${words[@]}" | grep -qx -- --skip-parent; then
    child=zplan-child
    [ -z "$expected" ] || expected=$expected/$child
  fi
  local meant
  meant=$(meant_route)
  : >"$log"
  (cd "$stubs" && STUB_CHILD=$child STUB_LOG=$log PATH="$stubs:$PATH" timeout 30 perl "$parser" "${words[@]:1}" >/dev/null 2>&1) || true
  while IFS=$'\037' read -r -a call; do
    config=$(ssh -G -F /dev/null "${call[@]}" 2>/dev/null) || { echo "ssh cannot read the call: ${call[*]}"; return; }
    reached+=("$(sed -n 's/^user //p' <<<"$config")@$(sed -n 's/^hostname //p' <<<"$config"):$(sed -n 's/^port //p' <<<"$config")")
    if [ "$side" = target ] && [ "${call[-4]:-}" = get ] && [ "${call[-3]:-}" = -H ] && [ "${call[-2]:-}" = name ]; then
      dataset=${call[-1]}
      dataset=${dataset#\'} dataset=${dataset%\'}
    fi
    # A pull's first question to the source: its sync property, or its datasets (recursive).
    if [ "$side" = source ] && [ -z "$dataset" ] && [[ "${call[*]}" =~ \ zfs\ (get\ -H\ syncoid:sync|list\ -o\ name,origin)\  ]]; then
      dataset=${call[-1]}
      dataset=${dataset#\'} dataset=${dataset%\'}
    fi
  done <"$log"
  mapfile -t reached < <(printf '%s\n' "${reached[@]}" | sed '/^$/d' | sort -u)
  case ${#reached[@]} in
  0) echo "syncoid ran no ssh for ${words[-1]}"; return ;;
  1) ;;
  *) echo "its ssh calls reach several hosts: ${reached[*]}" ;;
  esac
  local host=${reached[0]#*@}
  host=${host%:*}
  [ "${reached[0]}" = "$meant" ] || echo "ssh reaches ${reached[0]}, the unit means $meant"
  is_address "$host" || echo "ssh connects to $host, not to an address or host name"
  if [ -z "$dataset" ]; then
    echo "syncoid never asked the $side about its dataset"
  elif [ -n "$expected" ] && [ "$dataset" != "$expected" ]; then
    echo "syncoid reads the $side dataset as $dataset, the guard checks $expected"
  elif ! [[ $dataset =~ ^[A-Za-z][A-Za-z0-9_.:-]*(/[A-Za-z0-9_.:-]+)*$ ]]; then
    echo "syncoid reads the $side dataset as $dataset, not a dataset name"
  else
    echo "ok $host $dataset"
  fi
}

while IFS= read -r unit; do
  mapfile -t reading < <(syncoid_reading "$unit")
  if [ "${#reading[@]}" -eq 1 ] && [[ ${reading[0]} == ok\ * ]]; then
    parsed=$((parsed + 1))
  else
    misparsed=$((misparsed + 1))
    echo "MISREAD by syncoid: ${unit#"$out"/}: $(grep -m1 '^ExecStart=' "$unit" | awk '{print $NF}')"
    printf '  %s\n' "${reading[@]}"
  fi
done < <(grep -rlE '^ExecStart=/usr/sbin/syncoid ' "$out" | sort)
echo "$parsed syncoid command lines read as meant, $misparsed misread"
[ "$failed" -eq 0 ] && [ "$misparsed" -eq 0 ]
