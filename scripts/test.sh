#!/usr/bin/env bash
# Every test of the project. Installs what it needs (idempotent, fast when cached).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }
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

step "Rust tests (unit, spec vectors, round trips, negative cases, property tests)"
cargo test --locked 2>&1 | tee "$log"

step "wasm build"
cargo build --locked --target wasm32-unknown-unknown --release

# One closing line for the whole run (cargo's own last line is the doc-test summary).
passed=$(grep -oE 'test result: [a-zA-Z]+\. [0-9]+ passed' "$log" | grep -oE '[0-9]+ passed' | awk '{s+=$1} END {print s+0}')
failed=$(grep -oE '; [0-9]+ failed' "$log" | grep -oE '[0-9]+' | awk '{s+=$1} END {print s+0}')
printf '\n%s passed, %s failed\n' "$passed" "$failed"
