#!/usr/bin/env bash
# Installs the artifacts of dist/ (bash scripts/package.sh) the way users do,
# in a scratch directory outside the source tree, with cargo and rustc off
# PATH (except for the sdist, which builds from source), and makes a few real
# calls against the emulator with each: the wheel and the sdist in fresh
# venvs; the npm tarballs in a fresh project (require, import, and tsc
# against the installed types); the C tarball under a prefix, with the
# example built out of tree through pkg-config and through CMake
# find_package; the Go archive from a fresh module through a replace
# directive; the static ghpkg binary from an empty directory.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
TARGET=${CARGO_TARGET_DIR:-target}
case $TARGET in /*) ;; *) TARGET=$ROOT/$TARGET ;; esac
TYPESCRIPT_VERSION=6.0.3
TYPES_NODE_VERSION=20.19.43

step() { printf '\n==> %s\n' "$*"; }

VERSION=$(bash scripts/version.sh)
[ -f dist/SHA256SUMS ] || { echo "no dist/: run bash scripts/package.sh first" >&2; exit 2; }
(cd dist && sha256sum --check --quiet SHA256SUMS)

for tool in cmake pkg-config; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        apt-get update -qq && apt-get install -y -qq --no-install-recommends "$tool"
    fi
done

# The emulator is the server the artifacts talk to, not one of them.
cargo build --quiet -p ghpkg-emulator --bin ghpkg-emulator
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ghpkg-install.XXXXXX")
EMULATOR_PID=
cleanup() {
    if [ -n "$EMULATOR_PID" ]; then kill "$EMULATOR_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$WORK/artifacts" "$WORK/bin"
cp -r dist/. "$WORK/artifacts/"
cp "$TARGET/debug/ghpkg-emulator" "$WORK/bin/"
cp bindings-c/examples/list_untagged.expected "$WORK/"
cp -r tests/install "$WORK/smoke"
A=$WORK/artifacts
FULL_PATH=$PATH

# PATH without the Rust toolchain: drop every directory that has cargo or rustc.
NO_RUST_PATH=
IFS=: read -ra dirs <<<"$PATH"
for dir in "${dirs[@]}"; do
    if [ -z "$dir" ] || [ -e "$dir/cargo" ] || [ -e "$dir/rustc" ]; then continue; fi
    NO_RUST_PATH=${NO_RUST_PATH:+$NO_RUST_PATH:}$dir
done
export PATH=$NO_RUST_PATH
unset CARGO_TARGET_DIR CARGO_HOME RUSTUP_HOME RUSTUP_TOOLCHAIN
if command -v cargo >/dev/null || command -v rustc >/dev/null; then
    echo "cargo or rustc is still on PATH" >&2
    exit 1
fi
cd "$WORK"

coproc EMULATOR { exec "$WORK/bin/ghpkg-emulator"; }
EMULATOR_PID=$EMULATOR_PID
read -r line <&"${EMULATOR[0]}"
export GITHUB_API_URL GITHUB_TOKEN GHPKG_REGISTRY_URL
GITHUB_API_URL=$(sed -n 's/.*"url": *"\([^"]*\)".*/\1/p' <<<"$line")
GITHUB_TOKEN=$(sed -n 's/.*"token": *"\([^"]*\)".*/\1/p' <<<"$line")
GHPKG_REGISTRY_URL=$(sed -n 's/.*"registry_url": *"\([^"]*\)".*/\1/p' <<<"$line")
unset GH_TOKEN STACKQL_GITHUB_USERNAME STACKQL_GITHUB_PASSWORD
# Runs a smoke program against the in-process emulator of the package it
# tests instead, as the release workflow does on the other platforms.
in_process() { env -u GITHUB_API_URL -u GITHUB_TOKEN -u GHPKG_REGISTRY_URL "$@"; }


step "Python: the wheel into a fresh venv (no Rust on PATH)"
python3 -m venv "$WORK/venv-wheel"
"$WORK/venv-wheel/bin/pip" install --quiet --disable-pip-version-check --no-index \
    "$A"/python/ghpkg-"$VERSION"-*.whl
"$WORK/venv-wheel/bin/python" "$WORK/smoke/smoke.py" "$VERSION" "$WORK/venv-wheel/"
in_process "$WORK/venv-wheel/bin/python" "$WORK/smoke/smoke.py" "$VERSION" "$WORK/venv-wheel/"

step "Python: the sdist into another venv (this build uses Rust)"
python3 -m venv "$WORK/venv-sdist"
start=$SECONDS
PATH=$FULL_PATH CARGO_TARGET_DIR=$TARGET "$WORK/venv-sdist/bin/pip" install --quiet \
    --disable-pip-version-check "$A/python/ghpkg-$VERSION.tar.gz"
echo "sdist built and installed in $((SECONDS - start)) s"
"$WORK/venv-sdist/bin/python" "$WORK/smoke/smoke.py" "$VERSION" "$WORK/venv-sdist/"

step "Node: the npm tarballs into a fresh project"
mkdir "$WORK/node-app"
cd "$WORK/node-app"
echo '{ "name": "app", "version": "1.0.0", "private": true }' >package.json
npm install --no-audit --no-fund --silent \
    "$A/node/ghpkg-$VERSION.tgz" "$A/node/ghpkg-linux-x64-gnu-$VERSION.tgz" \
    "typescript@$TYPESCRIPT_VERSION" "@types/node@$TYPES_NODE_VERSION"
test -f node_modules/ghpkg-linux-x64-gnu/ghpkg.linux-x64-gnu.node
if ls node_modules/ghpkg/*.node >/dev/null 2>&1; then
    echo "the main npm package must not carry an addon" >&2
    exit 1
fi
cp "$WORK"/smoke/smoke.{cjs,mjs,ts} .
node smoke.cjs "$VERSION"
node smoke.mjs
in_process node smoke.cjs "$VERSION"
in_process node smoke.mjs
npx tsc --strict --noEmit --module nodenext --moduleResolution nodenext --target es2022 \
    --types node smoke.ts
echo "node (tsc): smoke.ts type-checks against the installed types"

step "C: the tarball under a prefix; the example built out of tree"
cd "$WORK"
PREFIX=$WORK/prefix
mkdir -p "$PREFIX"
tar -xzf "$A"/c/ghpkg-c-"$VERSION"-x86_64-linux-gnu.tar.gz -C "$PREFIX" --strip-components=1
EXAMPLE=$PREFIX/share/doc/ghpkg/examples/list_untagged.c
mkdir "$WORK/c-pkgconfig"
cd "$WORK/c-pkgconfig"
export PKG_CONFIG_PATH=$PREFIX/lib/pkgconfig
test "$(pkg-config --modversion ghpkg)" = "$VERSION"
# shellcheck disable=SC2046
cc -std=c99 -Wall -Werror "$EXAMPLE" $(pkg-config --cflags --libs ghpkg) \
    -Wl,-rpath,"$PREFIX/lib" -o example
readelf -d example | grep -q "NEEDED.*libghpkg\.so\.[0-9]"
./example acme >out.txt
diff -u "$WORK/list_untagged.expected" out.txt
echo "C (pkg-config): the example runs"
mkdir "$WORK/c-cmake"
cd "$WORK/c-cmake"
cp "$WORK/smoke/c-cmake/CMakeLists.txt" .
cmake -S . -B build -DCMAKE_PREFIX_PATH="$PREFIX" -DCMAKE_BUILD_TYPE=Release \
    -DGHPKG_FIND_VERSION="${VERSION%.*}" -DGHPKG_EXAMPLE="$EXAMPLE" >cmake.log
cmake --build build >>cmake.log
for exe in example_shared example_static; do
    ./build/$exe acme >"$exe.txt"
    diff -u "$WORK/list_untagged.expected" "$exe.txt"
done
if readelf -d build/example_static | grep -q 'NEEDED.*libghpkg'; then
    echo "example_static links libghpkg dynamically" >&2
    exit 1
fi
echo "C (CMake find_package): the shared and static examples run"

step "Go: the module archive from a fresh module (replace directive)"
mkdir "$WORK/go-app"
cd "$WORK/go-app"
tar -xzf "$A/go/ghpkg-go-$VERSION.tar.gz"
cat >go.mod <<GOMOD
module example.com/app

go 1.24

require github.com/ghpkg/ghpkg/bindings-go v0.0.0

replace github.com/ghpkg/ghpkg/bindings-go => ./ghpkg-go-$VERSION
GOMOD
cp "$WORK/smoke/go-app/main.go" .
CGO_ENABLED=1 GOFLAGS=-mod=mod GOTOOLCHAIN=local go build -o app .
./app "$VERSION"

step "command line: the static binary from an empty directory"
mkdir "$WORK/cli" "$WORK/empty"
cd "$WORK/cli"
cp "$A"/cli/ghpkg-"$VERSION"-x86_64-unknown-linux-musl.tar.gz* .
sha256sum --check --quiet ghpkg-"$VERSION"-x86_64-unknown-linux-musl.tar.gz.sha256
tar -xzf ghpkg-"$VERSION"-x86_64-unknown-linux-musl.tar.gz
BIN=$WORK/cli/ghpkg-$VERSION-x86_64-unknown-linux-musl/ghpkg
cd "$WORK/empty"
test "$("$BIN" --version)" = "ghpkg $VERSION"
"$BIN" packages list --org acme --type container --format json >packages.json
python3 -c 'import json, sys; names = [p["name"] for p in json.load(open(sys.argv[1]))]; assert names; print(f"command line: {len(names)} packages of acme")' packages.json
if GITHUB_TOKEN=ghp_wrong "$BIN" packages list --org acme --type container 2>err.txt; then
    echo "a wrong token should fail" >&2
    exit 1
fi
if grep -q ghp_wrong err.txt; then
    echo "the token was printed" >&2
    exit 1
fi

echo
echo "every artifact installed and ran without a Rust toolchain (the sdist built with one)"
