#!/usr/bin/env bash
# Runs every fuzz target (fuzz/fuzz_targets) for SECONDS each (default 60), seeded from the
# test vectors: `scripts/fuzz.sh 600` is the long run. Fails on the first crash, panic,
# out-of-memory or timeout; libFuzzer leaves the input in fuzz/artifacts/<target>/.
# cargo-fuzz drives libFuzzer on the pinned stable toolchain: RUSTC_BOOTSTRAP=1 lets it pass
# its -Z flags, and `-s none` skips AddressSanitizer (the core has no unsafe code natively;
# what is sought is panics, aborts, runaway memory and time).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz (once)"
  cargo install cargo-fuzz --locked --version 0.13.2
fi
node scripts/fuzz-seeds.mjs
cd fuzz
export RUSTC_BOOTSTRAP=1
cargo fuzz build -s none
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
for target in $(cargo fuzz list); do
  echo "== fuzz $target for ${seconds}s"
  status=0
  # libFuzzer bounds inputs by the largest seed (3.5 KiB, a P-521 vector) or 4 KiB; unpack
  # gets room for mutations that grow an envelope (more recipients, longer headers).
  max_len=4096
  if [ "$target" = unpack ]; then max_len=16384; fi
  cargo fuzz run -s none "$target" "corpus/$target" -- \
    -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1 || status=$?
  grep -E '^(Done [0-9]+ runs|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+== ERROR|SUMMARY|thread .* panicked)' "$log" || true
  if [ "$status" -ne 0 ]; then
    tail -40 "$log" >&2
    echo "fuzz $target failed (exit $status); the input is in fuzz/artifacts/$target/" >&2
    exit 1
  fi
done
echo "fuzzing: every target ran ${seconds}s clean"
