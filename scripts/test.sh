#!/usr/bin/env bash
# Runs every test suite of ghpkg. Installs what it needs on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "toolchain components"
rustup component add rustfmt clippy >/dev/null 2>&1 || true

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings

step "Rust tests (core, emulator, catalog)"
cargo test --workspace

echo
echo "all test suites passed"
