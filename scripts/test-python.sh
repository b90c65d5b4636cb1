#!/usr/bin/env bash
# Tests the Python binding as a user gets it: builds the wheel (maturin, into
# the workspace target/), installs it into a fresh virtualenv, and runs, from a
# directory outside the source tree, the pytest suite against the emulator,
# mypy's stubtest on the stubs, and mypy --strict on the package and examples;
# before that, ruff (lint and format) and the check that the generated
# retention types match schemas/.
#
#   bash scripts/test-python.sh              # debug build of the extension
#   GHPKG_PY_RELEASE=1 bash scripts/test-python.sh   # optimized build
#
# Needs python3 (3.9+, with venv and pip) and a Rust toolchain; everything
# else comes from PyPI and crates.io.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"

step() { printf '\n==> %s\n' "$*"; }

PYTHON="${PYTHON:-python3}"
SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/ghpkg-python-test.XXXXXX")"
trap 'rm -rf "$SCRATCH"' EXIT
VENV="$SCRATCH/venv"

step "fresh virtualenv ($("$PYTHON" --version))"
"$PYTHON" -m venv "$VENV"
PY="$VENV/bin/python"
"$PY" -m pip install --quiet --disable-pip-version-check \
    maturin==1.16.0 pytest==9.2.0 pytest-timeout==2.4.0 mypy==2.4.1 ruff==0.17.6

step "ruff and the generated types"
"$VENV/bin/ruff" check bindings-python
"$VENV/bin/ruff" format --check bindings-python
"$PY" scripts/gen_python_types.py --check

step "build the wheel"
PROFILE=()
if [[ "${GHPKG_PY_RELEASE:-0}" == "1" ]]; then PROFILE=(--release); fi
start=$SECONDS
(cd bindings-python && CARGO_TARGET_DIR="$ROOT/target" \
    "$VENV/bin/maturin" build "${PROFILE[@]}" --out "$SCRATCH/wheels")
echo "wheel built in $((SECONDS - start))s"

step "install the wheel"
"$PY" -m pip install --quiet --disable-pip-version-check --no-deps "$SCRATCH"/wheels/ghpkg-*.whl

# Everything below runs outside the source tree, so the installed package is
# what gets imported and tested.
mkdir -p "$SCRATCH/run"
cd "$SCRATCH/run"
"$PY" - "$VENV" <<'PYCHECK'
import sys, ghpkg
assert ghpkg.__file__.startswith(sys.argv[1]), ghpkg.__file__
print(f"ghpkg {ghpkg.__version__} from {ghpkg.__file__}")
PYCHECK

step "pytest"
"$PY" -m pytest -p no:cacheprovider --timeout=180 -q "$ROOT/bindings-python/tests"

step "stubtest"
"$PY" -m mypy.stubtest ghpkg \
    --allowlist "$ROOT/bindings-python/tests/stubtest_allowlist.txt"

step "mypy --strict (the package and the examples)"
"$PY" -m mypy --strict --cache-dir "$SCRATCH/mypy-cache" -p ghpkg
"$PY" -m mypy --strict --cache-dir "$SCRATCH/mypy-cache" "$ROOT"/bindings-python/examples/*.py

echo
echo "python binding: all checks passed"
