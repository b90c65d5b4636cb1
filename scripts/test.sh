#!/usr/bin/env bash
# Runs every test suite of ghpkg. Installs what it needs on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

# A CI run builds everything once from a fresh clone: incremental caches and
# full debug info would only fill the disk (about 10 GB with them). File and
# line numbers stay in backtraces and sanitizer reports.
if [ "${CI:-}" = true ]; then
    export CARGO_INCREMENTAL=0
    export CARGO_PROFILE_DEV_DEBUG=line-tables-only
fi
step "disk space where the build goes"
df -h . | tail -n 1

step "toolchain components"
rustup component add rustfmt clippy >/dev/null 2>&1 || true

step "one version in every manifest (scripts/version.sh check)"
bash scripts/version.sh check

step "README examples match the files the tests run"
python3 scripts/check-readme-examples.py

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings

step "Rust tests (core, emulator, catalog, C ABI)"
cargo test --workspace

step "Python binding: wheel into a fresh venv, pytest, stubtest, mypy --strict"
bash scripts/test-python.sh

step "Node binding: build, .d.ts drift, tsc --strict, node --test"
bash scripts/test-node.sh

step "C ABI: header drift, sanitizers, valgrind, example"
bash scripts/test-c.sh

step "Go binding: vet, race tests, example"
bash scripts/test-go.sh

step "artifacts into dist/ (scripts/package.sh), installed without Rust (scripts/test-install.sh)"
bash scripts/package.sh
bash scripts/test-install.sh

echo
echo "all test suites passed"
