#!/usr/bin/env bash
# Fuzzes every phase of zplan (parse, model, checks, plan, render, diagnostics) with
# libFuzzer for a bounded time, seeded with every example and every diagnostic test input.
#
#   scripts/fuzz.sh [SECONDS]        default 60
#
# A crash, a hang (over 10 s for one input) or an input that takes more than 2 GiB stops the
# run with a non-zero status; libFuzzer saves the input under fuzz/artifacts/compile/. Turn
# each into a test in tests/regressions.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}

if ! command -v cargo-fuzz >/dev/null; then
  cargo install cargo-fuzz --locked
fi
# libFuzzer's instrumentation flags are unstable; the stable compiler has them behind this.
export RUSTC_BOOTSTRAP=1

corpus=fuzz/corpus/compile
mkdir -p "$corpus"
# The safe-Rust crate gains little from AddressSanitizer; without it the fuzzer runs faster.
cargo fuzz run --sanitizer none compile "$corpus" examples tests/ui -- \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -dict=fuzz/zplan.dict -print_final_stats=1
