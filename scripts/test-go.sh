#!/usr/bin/env bash
# The Go binding's suite: builds libghpkg.a and the emulator (debug build,
# in target/ or CARGO_TARGET_DIR), then gofmt, go vet and go test -race
# (which also runs the Examples) against emulator processes (some with
# --fault rules).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
# Cargo's target directory, as cargo reads it from here.
TARGET=${CARGO_TARGET_DIR:-target}
case $TARGET in /*) ;; *) TARGET=$ROOT/$TARGET ;; esac

step() { printf '\n==> %s\n' "$*"; }

step "tools"
go version
command -v gcc >/dev/null || { echo "cgo needs gcc" >&2; exit 1; }

step "cargo build: libghpkg.a, ghpkg-emulator"
cargo build -p ghpkg-c --lib
cargo build -p ghpkg-emulator --bin ghpkg-emulator

export CGO_ENABLED=1
# Link the debug build just made (the package's default is target/release).
export CGO_LDFLAGS="-L$TARGET/debug"
export GHPKG_EMULATOR=$TARGET/debug/ghpkg-emulator
export GHPKG_GOLDENS=$ROOT/tests/goldens
export GHPKG_EXPECTED_VERSION=$(bash scripts/version.sh)
cd bindings-go

step "gofmt"
unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
    echo "not gofmt-ed: $unformatted" >&2
    exit 1
fi

step "go vet"
go vet ./...

step "go test -race"
go test -race -count=1 -v ./...

echo
echo "Go suite passed"
