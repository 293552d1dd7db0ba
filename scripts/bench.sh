#!/usr/bin/env bash
# Times the whole zplan process on generated fleets, side by side with `cp -r` of the tree
# it produces, and prints the table of the README's "Performance" section.
#
#   scripts/bench.sh [PAIRS ...]          default: 10 100 1000 10000
#
# For each size: `zplan check` (parse, checks, plan and render into memory: everything
# before writing), `zplan build` into an empty directory, `cp -r` of that same tree, and a
# no-op rebuild of it; medians from hyperfine, peak memory from GNU time. Then the homelab
# example's `zplan check`. Needs hyperfine and GNU time (Debian: hyperfine, time).
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in hyperfine /usr/bin/time python3; do
  command -v "$tool" >/dev/null || { echo "bench.sh: $tool is missing (apt-get install hyperfine time)" >&2; exit 2; }
done
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10 100 1000 10000)

cargo build --release --locked --bins >&2
zplan=$PWD/target/release/zplan
fleet=$PWD/target/release/zplan-fleet
work=$(mktemp -d "${TMPDIR:-/tmp}/zplan-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Timed runs and warm-up runs per size: a build of 10,000 pairs writes half a million files.
runs_for() { if [ "$1" -ge 10000 ]; then echo 3; elif [ "$1" -ge 1000 ]; then echo 5; else echo 10; fi; }
warmups_for() { if [ "$1" -ge 10000 ]; then echo 0; else echo 1; fi; }

# Peak resident memory of one run, in MiB.
peak_mib() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1 | awk '{ printf "%.0f", $1 / 1024 }'; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)," \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" >&2
rows=()
for pairs in "${sizes[@]}"; do
  policy=$work/fleet-$pairs.zplan
  "$fleet" "$pairs" --seed 1 >"$policy"
  rm -rf "$work/ref"
  "$zplan" build "$policy" -o "$work/ref"
  files=$(find "$work/ref" -type f -o -type l | wc -l)
  runs=$(runs_for "$pairs")
  # hyperfine takes one --prepare per command, in the order of the commands.
  hyperfine --style basic --runs "$runs" --warmup "$(warmups_for "$pairs")" --export-json "$work/times-$pairs.json" \
    --prepare true --prepare "rm -rf $work/out" --prepare "rm -rf $work/copy" --prepare true \
    -n check "$zplan check $policy" \
    -n build "$zplan build $policy -o $work/out" \
    -n cp "cp -r $work/ref $work/copy" \
    -n noop "$zplan build $policy -o $work/ref" >&2
  check_mib=$(peak_mib "$zplan" check "$policy")
  rm -rf "$work/out"
  build_mib=$(peak_mib "$zplan" build "$policy" -o "$work/out")
  rows+=("$pairs $files $check_mib $build_mib $work/times-$pairs.json")
  rm -rf "$work/out" "$work/copy"
done
hyperfine --style basic -N --runs 50 --warmup 5 --export-json "$work/homelab.json" \
  -n homelab "$zplan check examples/proxmox-homelab.zplan" >&2

python3 - "$work/homelab.json" "${rows[@]}" <<'EOF'
import json, sys

def medians(path):
    return {r["command"]: r["median"] for r in json.load(open(path))["results"]}

def ms(seconds):
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"

print("| pairs | files | check (all before writing) | build, empty dir | `cp -r` of the tree | build ÷ `cp -r` | no-op rebuild | peak memory check / build |")
print("|---:|---:|---:|---:|---:|---:|---:|---:|")
previous = None
for row in sys.argv[2:]:
    pairs, files, check_mib, build_mib, path = row.split()
    m = medians(path)
    ratio = m["build"] / m["cp"]
    print(f"| {int(pairs):,} | {int(files):,} | {ms(m['check'])} | {ms(m['build'])} | {ms(m['cp'])} | {ratio:.2f}× "
          f"| {ms(m['noop'])} | {check_mib} / {build_mib} MiB |")
    if previous:
        growth = m["check"] / previous[1]
        print(f"|  | check grows {growth:.1f}× for {int(pairs) // previous[0]}× the pairs | | | | | | |", file=sys.stderr)
    previous = (int(pairs), m["check"])
homelab = medians(sys.argv[1])["homelab"]
print(f"\n`zplan check examples/proxmox-homelab.zplan`: {homelab * 1000:.1f} ms (median of 50)")
EOF
