#!/usr/bin/env bash
# Runs the listing benchmark and rewrites its section of BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --quiet --release -p ghpkg-bench -- --out BENCHMARKS.md "$@"
