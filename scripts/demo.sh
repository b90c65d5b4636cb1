#!/usr/bin/env bash
# Builds ghpkg and runs the demo: against the built-in emulator by default,
# or read-only against GitHub with `--github [--org ORG]` and GITHUB_TOKEN set.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --quiet --release -p ghpkg-demo -- "$@"
