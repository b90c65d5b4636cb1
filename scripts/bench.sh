#!/usr/bin/env bash
# Runs every benchmark and rewrites its section of BENCHMARKS.md:
#   1. Rust core: 10,000 packages at 20 ms latency, read-ahead off and on.
#   2. Node: ghpkg vs @octokit/rest (pinned in bindings-node/package.json).
#   3. Python: ghpkg vs githubkit (pinned below) and plain httpx.
#   4. Go: ghpkg vs go-github (pinned in bindings-go/bench/go.mod).
#   5. Retention: planning 9,996 container versions cold and warm; delete pace.
#   6. C: the blocking calls vs the calls that do not block (1,000 reads).
#   7. Install: artifact sizes, Python import and Node require time of the
#      installed packages (runs scripts/package.sh first).
#   8. Profiles: the Python extension built release / thin LTO / fat LTO.
#   9. Command line: the static (musl) build with mimalloc vs musl's malloc.
# Everything runs against the emulator on 127.0.0.1. Not part of the tests.
#   bash scripts/bench.sh [rust|node|python|go|c|retention|install|profiles|cli]...   (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/BENCHMARKS.md
which=("$@")
[ ${#which[@]} -eq 0 ] && which=(rust node python go c retention install profiles cli)

section() { python3 "$ROOT/scripts/bench_section.py" "$OUT" "$1"; }

# Every benchmark's scratch (virtualenvs, fixtures, binaries) lives here and
# goes when the script ends, however it ends.
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT

for w in "${which[@]}"; do
    case "$w" in
    rust)
        cargo run --quiet --release -p ghpkg-bench --bin ghpkg-bench -- --out "$OUT"
        ;;
    node)
        (cd bindings-node && npm ci --no-audit --no-fund --silent && npm run --silent build:release >/dev/null)
        cargo build --quiet --release -p ghpkg-emulator --bin ghpkg-emulator
        # Python's listing runs in the same table, against the same server.
        venv=$(mktemp -d -p "$SCRATCH")/venv
        python3 -m venv "$venv"
        if ls dist/python/ghpkg-*.whl >/dev/null 2>&1; then
            "$venv/bin/pip" install --quiet --disable-pip-version-check --no-index dist/python/ghpkg-*.whl
        else
            "$venv/bin/pip" install --quiet --disable-pip-version-check maturin==1.16.0
            (cd bindings-python && CARGO_TARGET_DIR="$ROOT/target" "$venv/bin/maturin" build --release --quiet --out "$venv/wheels")
            "$venv/bin/pip" install --quiet --no-deps "$venv"/wheels/ghpkg-*.whl
        fi
        {
            echo '```'
            (cd bindings-node && GHPKG_BENCH_PYTHON="$venv/bin/python" node bench/octokit.mjs --latency 0,20 --rounds 5)
            echo '```'
        } | tee /dev/stderr | section node
        ;;
    python)
        venv=$(mktemp -d -p "$SCRATCH")/venv
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
        # ghpkg's Rust core making the same reads alone, beside the binding.
        cargo build --release -p ghpkg-bench --bin reads
        tmp=$(mktemp -d -p "$SCRATCH")
        # Its own module (bindings-go/bench); links target/release/libghpkg.a.
        # -a: Go's build cache does not notice a rebuilt libghpkg.a
        # (golang/go#24355) and would hand back a binary linked with an older one.
        (cd bindings-go/bench && env -u CGO_LDFLAGS CGO_ENABLED=1 go build -a -o "$tmp/ghpkg-go-bench" .)
        {
            "$tmp/ghpkg-go-bench" -workspace "$ROOT" -rounds 5 -latency-ms 20 -core-reads target/release/reads
            echo
            # With no added latency the clients' own costs show (and the emulator's).
            "$tmp/ghpkg-go-bench" -workspace "$ROOT" -rounds 5 -latency-ms 0 -reads 1000 -core-reads target/release/reads
        } >"$tmp/out.md"
        tee /dev/stderr <"$tmp/out.md" | section go
        rm -rf "$tmp"
        ;;
    c)
        cargo build --quiet --release -p ghpkg-c --lib
        cargo build --quiet --release -p ghpkg-emulator --bin ghpkg-emulator
        tmp=$(mktemp -d -p "$SCRATCH")
        token=ghp_benchCBlockingVsAsync000000000000000
        printf '{"users": [{"login": "octocat", "id": 1}], "orgs": [{"login": "big", "id": 7, "admins": ["octocat"]}], "tokens": [{"token": "%s", "user": "octocat", "kind": "classic", "scopes": ["read:packages"], "rate_limit": 100000000}], "packages": [{"owner": "big", "name": "app", "package_type": "container", "visibility": "public", "versions": [{"name": "sha256:%064d", "tags": ["v1"]}]}]}\n' \
            "$token" 1 >"$tmp/fixture.json"
        cc -O2 -std=c99 -Iinclude bindings-c/bench/reads.c target/release/libghpkg.a \
            -lgcc_s -lutil -lrt -lpthread -lm -ldl -o "$tmp/reads"
        coproc EMU { exec target/release/ghpkg-emulator --fixture "$tmp/fixture.json" --latency-ms 20 \
            --secondary-points-per-minute 1000000000; }
        read -r line <&"${EMU[0]}"
        url=$(sed -n 's/.*"url": *"\([^"]*\)".*/\1/p' <<<"$line")
        {
            echo "20 ms latency per response; \`bindings-c/bench/reads.c\`, linked statically."
            echo
            "$tmp/reads" "$url" "$token" 5
        } | tee /dev/stderr | section c
        kill "$EMU_PID"
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
    cli)
        # The static Linux command line as released (musl), built with its
        # default allocator (mimalloc) and with musl's malloc.
        musl=x86_64-unknown-linux-musl
        rustup target add "$musl" >/dev/null
        cargo build --quiet --release -p ghpkg-emulator --bin ghpkg-emulator
        tmp=$(mktemp -d -p "$SCRATCH")
        cargo build --quiet --release --target "$musl" -p ghpkg-cli
        cp "target/$musl/release/ghpkg" "$tmp/ghpkg-mimalloc"
        cargo build --quiet --release --target "$musl" -p ghpkg-cli --no-default-features
        cp "target/$musl/release/ghpkg" "$tmp/ghpkg-musl"
        python3 scripts/bench_cli.py --emulator target/release/ghpkg-emulator --rounds 11 \
            "mimalloc=$tmp/ghpkg-mimalloc" "musl malloc=$tmp/ghpkg-musl" | tee /dev/stderr | section cli
        rm -rf "$tmp"
        ;;
    *) echo "unknown benchmark $w (rust, node, python, go, c, retention, install, profiles, cli)" >&2; exit 2 ;;
    esac
done
