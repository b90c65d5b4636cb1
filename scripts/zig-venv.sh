#!/usr/bin/env bash
# Makes (or keeps, when its pins already match) a Python venv with the tools
# that build ghpkg's glibc artifacts against an old glibc: maturin, zig
# (PyPI's ziglang), cargo-zigbuild, and auditwheel. scripts/package.sh and the
# release workflow's linux aarch64 job use it, so both build with the same
# versions. Put VENV/bin first on PATH: maturin --zig, napi --cross-compile
# and cargo zigbuild find zig and cargo-zigbuild there.
#   bash scripts/zig-venv.sh VENV
set -euo pipefail
VENV=${1:?usage: zig-venv.sh VENV}

MATURIN_VERSION=1.16.0
AUDITWHEEL_VERSION=6.8.2
ZIG_VERSION=0.17.1
ZIGBUILD_VERSION=0.24.1

if [ "$("$VENV/bin/maturin" --version 2>/dev/null || true)" != "maturin $MATURIN_VERSION" ] ||
    [ "$("$VENV/bin/auditwheel" --version 2>/dev/null | cut -d' ' -f2 || true)" != "$AUDITWHEEL_VERSION" ] ||
    [ "$("$VENV/bin/python" -m ziglang version 2>/dev/null || true)" != "$ZIG_VERSION" ] ||
    [ "$("$VENV/bin/cargo-zigbuild" --version 2>/dev/null | cut -d' ' -f2 || true)" != "$ZIGBUILD_VERSION" ]; then
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check \
        "maturin==$MATURIN_VERSION" "auditwheel==$AUDITWHEEL_VERSION" \
        "ziglang==$ZIG_VERSION" "cargo-zigbuild==$ZIGBUILD_VERSION"
fi
