#!/usr/bin/env bash
# The C ABI's suite: builds libghpkg (static and shared) and the emulator,
# checks include/ghpkg.h for drift against a pinned cbindgen, builds the C
# tests with and without sanitizers and runs them under ASan+UBSan and under
# valgrind, and builds and runs the C example (statically, and through
# pkg-config against the shared library). The C sources must be formatted
# as .clang-format says (clang-format from PyPI, pinned).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CBINDGEN_VERSION=0.29.4
CLANG_FORMAT_VERSION=21.1.8
# Cargo's target directory: CARGO_TARGET_DIR when set (relative to the
# workspace, as cargo reads it here), else target/.
TARGET=${CARGO_TARGET_DIR:-target}
case $TARGET in /*) ;; *) TARGET=$ROOT/$TARGET ;; esac
OUT=$TARGET/c-tests
LIBDIR=$TARGET/debug
# What the static library needs besides itself (rustc --print native-static-libs).
STATIC_LIBS="-lgcc_s -lutil -lrt -lpthread -lm -ldl"
VERSION=$(bash scripts/version.sh)
CFLAGS=(-std=c99 -Wall -Wextra -Werror -pedantic -g -I"$ROOT/include"
    -DGHPKG_EXPECTED_VERSION="\"$VERSION\"")
SANITIZE=(-O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all)

step() { printf '\n==> %s\n' "$*"; }

EMULATOR_PID=
cleanup() {
    if [ -n "$EMULATOR_PID" ]; then
        kill "$EMULATOR_PID" 2>/dev/null || true
        wait "$EMULATOR_PID" 2>/dev/null || true
    fi
}
trap cleanup EXIT

step "tools"
if [ "$(cbindgen --version 2>/dev/null || true)" != "cbindgen $CBINDGEN_VERSION" ]; then
    cargo install cbindgen --version "=$CBINDGEN_VERSION" --locked
fi
if ! command -v pkg-config >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq --no-install-recommends pkg-config
fi
command -v valgrind >/dev/null || { echo "valgrind is required" >&2; exit 1; }
FORMAT_VENV=$TARGET/clang-format-$CLANG_FORMAT_VERSION
if [ ! -x "$FORMAT_VENV/bin/clang-format" ]; then
    python3 -m venv "$FORMAT_VENV"
    "$FORMAT_VENV/bin/pip" install --quiet --disable-pip-version-check "clang-format==$CLANG_FORMAT_VERSION"
fi

step "C sources are formatted (clang-format $CLANG_FORMAT_VERSION, .clang-format)"
"$FORMAT_VENV/bin/clang-format" --dry-run --Werror --style=file \
    bindings-c/tests/*.c bindings-c/tests/*.h bindings-c/examples/*.c bindings-c/bench/*.c

step "cargo build: libghpkg.a/.so, ghpkg-emulator"
cargo build -p ghpkg-c --lib
cargo build -p ghpkg-emulator --bin ghpkg-emulator
# libghpkg.so carries a versioned soname (bindings-c/build.rs); the loader
# looks for that name next to the library, as it would in an install tree.
SONAME=$(objdump -p "$LIBDIR/libghpkg.so" | sed -n 's/^ *SONAME *//p')
case $SONAME in libghpkg.so.[0-9]*) ;; *) echo "unexpected soname '$SONAME'" >&2; exit 1 ;; esac
ln -sf libghpkg.so "$LIBDIR/$SONAME"

step "Rust unit tests of the C ABI (status table, panic boundary, runtime guard)"
cargo test -p ghpkg-c

step "include/ghpkg.h is what cbindgen $CBINDGEN_VERSION generates"
mkdir -p "$OUT"
cp include/ghpkg.h "$OUT/ghpkg.h.committed"
cbindgen --quiet --config bindings-c/cbindgen.toml --crate ghpkg-c --output include/ghpkg.h bindings-c
if ! diff -u "$OUT/ghpkg.h.committed" include/ghpkg.h; then
    echo "include/ghpkg.h was out of date; it has been regenerated: review and commit it" >&2
    exit 1
fi
if git ls-files --error-unmatch include/ghpkg.h >/dev/null 2>&1; then
    git diff --exit-code -- include/ghpkg.h
fi

export GHPKG_EMULATOR=$LIBDIR/ghpkg-emulator
export GHPKG_FIXTURES=$ROOT/bindings-c/tests/fixtures
export GHPKG_GOLDENS=$ROOT/tests/goldens

step "C tests, static library, -fsanitize=address,undefined"
cc "${CFLAGS[@]}" "${SANITIZE[@]}" bindings-c/tests/*.c "$LIBDIR/libghpkg.a" $STATIC_LIBS \
    -o "$OUT/tests-asan"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$OUT/tests-asan"

step "C tests, shared library, under valgrind (lighter loops)"
cc "${CFLAGS[@]}" bindings-c/tests/*.c -L"$LIBDIR" -lghpkg -Wl,-rpath,"$LIBDIR" -lpthread \
    -o "$OUT/tests-shared"
start=$SECONDS
GHPKG_TEST_QUICK=1 valgrind --quiet --leak-check=full --show-leak-kinds=definite \
    --errors-for-leak-kinds=definite --error-exitcode=1 "$OUT/tests-shared"
echo "valgrind run: $((SECONDS - start)) s"

step "the benchmark program compiles (scripts/bench.sh c runs it)"
cc "${CFLAGS[@]}" bindings-c/bench/reads.c "$LIBDIR/libghpkg.a" $STATIC_LIBS -o "$OUT/bench-reads"

step "the C example, static + sanitizers and through pkg-config"
cc "${CFLAGS[@]}" "${SANITIZE[@]}" bindings-c/examples/list_untagged.c "$LIBDIR/libghpkg.a" \
    $STATIC_LIBS -o "$OUT/example-static"
mkdir -p "$OUT/pkgconfig"
sed -e "s|@PREFIX@|$ROOT|" -e "s|@LIBDIR@|$LIBDIR|" -e "s|@INCLUDEDIR@|$ROOT/include|" \
    -e "s|@VERSION@|$VERSION|" bindings-c/ghpkg.pc.in >"$OUT/pkgconfig/ghpkg.pc"
export PKG_CONFIG_PATH=$OUT/pkgconfig
cc "${CFLAGS[@]}" $(pkg-config --cflags ghpkg) bindings-c/examples/list_untagged.c \
    $(pkg-config --libs ghpkg) -Wl,-rpath,"$LIBDIR" -o "$OUT/example-shared"

coproc EMULATOR { exec "$GHPKG_EMULATOR"; }
EMULATOR_PID=$EMULATOR_PID
read -r line <&"${EMULATOR[0]}"
url=$(sed -n 's/.*"url": *"\([^"]*\)".*/\1/p' <<<"$line")
token=$(sed -n 's/.*"token": *"\([^"]*\)".*/\1/p' <<<"$line")
for example in example-static example-shared; do
    GITHUB_API_URL=$url GITHUB_TOKEN=$token "$OUT/$example" acme >"$OUT/$example.out"
    diff -u bindings-c/examples/list_untagged.expected "$OUT/$example.out"
done
# A failure is reported with its status code and the example exits non-zero.
if GITHUB_API_URL=$url GITHUB_TOKEN=ghp_wrong "$OUT/example-static" 2>"$OUT/example.err"; then
    echo "the example should fail with a bad token" >&2
    exit 1
fi
grep -q '^AUTHENTICATION: ' "$OUT/example.err"

echo
echo "C suite passed"
