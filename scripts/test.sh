#!/usr/bin/env bash
# Every test of the project. Installs what it needs (idempotent, fast when cached).
set -euo pipefail
cd "$(dirname "$0")/.."

# Each step prints the seconds since the start, so a slow CI run shows where its time went.
start=$SECONDS
step() { printf '\n== [%ss] %s\n' "$((SECONDS - start))" "$*"; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT

step "toolchain (rust-toolchain.toml: 1.95.0, clippy, rustfmt, wasm32)"
# Installs the pinned toolchain with its components and target, or confirms it is there.
rustup toolchain install
rustup component add clippy rustfmt
rustup target add wasm32-unknown-unknown

step "format"
cargo fmt --check

step "lint"
cargo clippy --all-targets --locked -- -D warnings
# The JS binding layer, with every feature and as the package builds it (wasm-pack.toml).
cargo clippy --locked --target wasm32-unknown-unknown -- -D warnings
cargo clippy --locked --target wasm32-unknown-unknown --no-default-features -- -D warnings

step "Rust tests (unit, spec vectors, round trips, negative cases, property tests)"
cargo test --locked 2>&1 | tee "$log"

step "npm dependencies"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

step "Chromium for browser tests (Debian's package)"
if ! command -v chromium >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

step "redis-server for the mediator scale-out tests (Debian's package)"
if ! command -v redis-server >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
fi

step "npm package build (cargo rustc + wasm-bindgen per wasm-pack.toml)"
node scripts/build.mjs

step "JS tests (Node, headless Chromium, Vite)"
jslog=$(mktemp)
trap 'rm -f "$log" "$jslog"' EXIT
# Nothing may hang the run: a test has 10 minutes unless it sets its own timeout; a file's
# process exits once its tests are done, even if a handle is left open (--test-force-exit);
# and the whole JS run has 40 minutes (it takes about 2 on this machine).
timeout --kill-after=30 2400 node --test --test-force-exit --test-timeout=600000 \
  --test-reporter=spec js-tests/*.test.js 2>&1 | tee "$jslog"

step "fuzzing (cargo fuzz, 60 s per target; scripts/fuzz.sh 600 is the long run)"
bash scripts/fuzz.sh "${FUZZ_SECONDS:-60}"

# One closing line for the whole run (cargo's own last line is the doc-test summary).
rust_passed=$(grep -oE 'test result: [a-zA-Z]+\. [0-9]+ passed' "$log" | grep -oE '[0-9]+ passed' | awk '{s+=$1} END {print s+0}')
rust_failed=$(grep -oE '; [0-9]+ failed' "$log" | grep -oE '[0-9]+' | awk '{s+=$1} END {print s+0}')
js_passed=$(grep -E '^. pass [0-9]+$' "$jslog" | awk '{print $3}' | tail -n 1)
js_failed=$(grep -E '^. fail [0-9]+$' "$jslog" | awk '{print $3}' | tail -n 1)
printf '\nRust: %s passed, %s failed. JS: %s passed, %s failed.\n' "$rust_passed" "$rust_failed" "${js_passed:-0}" "${js_failed:-0}"
printf 'Took %s s.\n' "$((SECONDS - start))"
printf '%s passed, %s failed\n' "$((rust_passed + ${js_passed:-0}))" "$((rust_failed + ${js_failed:-0}))"
