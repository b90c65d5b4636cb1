#!/usr/bin/env bash
# Runs every benchmark and rewrites its section of BENCHMARKS.md:
#   1. Rust core: 10,000 packages at 20 ms latency, read-ahead off and on.
#   2. Node: ghpkg vs @octokit/rest (pinned in bindings-node/package.json).
#   3. Python: ghpkg vs githubkit (pinned below) and plain httpx.
#   4. Go: ghpkg vs go-github (pinned in bindings-go/bench/go.mod).
#   5. Retention: planning 9,996 container versions cold and warm; delete pace.
#   6. Install: artifact sizes, Python import and Node require time of the
#      installed packages (runs scripts/package.sh first).
#   7. Profiles: the Python extension built release / thin LTO / fat LTO.
# Everything runs against the emulator on 127.0.0.1. Not part of the tests.
#   bash scripts/bench.sh [rust|node|python|go|retention|install|profiles]...   (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/BENCHMARKS.md
which=("$@")
[ ${#which[@]} -eq 0 ] && which=(rust node python go retention install profiles)

section() { python3 "$ROOT/scripts/bench_section.py" "$OUT" "$1"; }

for w in "${which[@]}"; do
    case "$w" in
    rust)
        cargo run --quiet --release -p ghpkg-bench -- --out "$OUT"
        ;;
    node)
        (cd bindings-node && npm install --no-audit --no-fund --silent && npm run --silent build:release >/dev/null)
        {
            echo '```'
            (cd bindings-node && node bench/octokit.mjs --latency 20 --rounds 5)
            echo '```'
        } | tee /dev/stderr | section node
        ;;
    python)
        venv=$(mktemp -d)/venv
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet --disable-pip-version-check maturin==1.16.0 githubkit==0.16.1 hishel==1.4.0
        (cd bindings-python && CARGO_TARGET_DIR="$ROOT/target" "$venv/bin/maturin" build --release --quiet --out "$venv/wheels")
        "$venv/bin/pip" install --quiet --no-deps "$venv"/wheels/ghpkg-*.whl
        {
            echo '```'
            (cd /tmp && "$venv/bin/python" "$ROOT/bindings-python/bench/bench_list.py" --rounds 15)
            echo '```'
        } | tee /dev/stderr | section python
        ;;
    go)
        cargo build --release -p ghpkg-c --lib
        cargo build --release -p ghpkg-emulator --bin ghpkg-emulator
        tmp=$(mktemp -d)
        # Its own module (bindings-go/bench); links target/release/libghpkg.a.
        (cd bindings-go/bench && env -u CGO_LDFLAGS CGO_ENABLED=1 go build -o "$tmp/ghpkg-go-bench" .)
        "$tmp/ghpkg-go-bench" -workspace "$ROOT" -rounds 5 -latency-ms 20 >"$tmp/out.md"
        tee /dev/stderr <"$tmp/out.md" | section go
        rm -rf "$tmp"
        ;;
    retention)
        cargo run --quiet --release -p ghpkg-bench --bin retention -- --runs 3 | tee /dev/stderr | section retention
        ;;
    install)
        bash scripts/package.sh >&2
        bash scripts/bench_install.sh install | tee /dev/stderr | section install
        ;;
    profiles)
        bash scripts/bench_install.sh profiles | tee /dev/stderr | section profiles
        ;;
    *) echo "unknown benchmark $w (rust, node, python, go, retention, install, profiles)" >&2; exit 2 ;;
    esac
done
