#!/usr/bin/env bash
# Benchmarks of the distributed artifacts (dist/, from scripts/package.sh),
# printed as Markdown for BENCHMARKS.md (scripts/bench.sh runs it):
#   install   sizes, and the import time of the installed Python module and
#             the require/import time of the installed npm package
#   profiles  the Python extension built three ways (release stripped, thin
#             LTO, and dist = fat LTO with one codegen unit): build time, size, and
#             bindings-python/bench/bench_list.py's medians
#   bash scripts/bench_install.sh install|profiles
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
TARGET=${CARGO_TARGET_DIR:-target}
case $TARGET in /*) ;; *) TARGET=$ROOT/$TARGET ;; esac
VERSION=$(bash scripts/version.sh)
[ -f dist/SHA256SUMS ] || { echo "no dist/: run bash scripts/package.sh first" >&2; exit 2; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ghpkg-bench-install.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
RUNS=21

# inner_ms CMD...: CMD prints how long its import took, in ms; the median
# over RUNS fresh processes (the first run only warms the page cache).
inner_ms() {
    python3 - "$RUNS" "$@" <<'PY'
import statistics, subprocess, sys
runs, cmd = int(sys.argv[1]), sys.argv[2:]
subprocess.run(cmd, check=True, capture_output=True)
times = [float(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout) for _ in range(runs)]
print(f"{statistics.median(times):.1f} {min(times):.1f} {max(times):.1f}")
PY
}

install() {
    cat dist/SIZES.md | sed -n '/^|/p'
    echo
    python3 -m venv "$WORK/venv"
    "$WORK/venv/bin/pip" install --quiet --disable-pip-version-check --no-index dist/python/ghpkg-"$VERSION"-*.whl
    mkdir "$WORK/app"
    (cd "$WORK/app" && echo '{"name":"app","version":"1.0.0","private":true}' >package.json &&
        npm install --silent --no-audit --no-fund "$ROOT/dist/node/ghpkg-$VERSION.tgz" \
            "$ROOT/dist/node/ghpkg-linux-x64-gnu-$VERSION.tgz")
    cd "$WORK/app"
    read -r py_med py_min py_max < <(inner_ms "$WORK/venv/bin/python" -c \
        'import time; t = time.perf_counter(); import ghpkg; print((time.perf_counter() - t) * 1000)')
    read -r req_med req_min req_max < <(inner_ms node -e \
        "const t = process.hrtime.bigint(); require('ghpkg'); console.log(Number(process.hrtime.bigint() - t) / 1e6)")
    read -r imp_med imp_min imp_max < <(inner_ms node --input-type=module -e \
        "const t = performance.now(); await import('ghpkg'); console.log(performance.now() - t)")
    cd "$ROOT"
    echo "Time to load the installed package in a fresh process, measured inside it around the"
    echo "import (the interpreter's own start-up excluded); median (min-max) of $RUNS processes."
    echo "Budget: 50 ms for Python, 30 ms for Node."
    echo
    echo "| | median | min | max |"
    echo "|---|---:|---:|---:|"
    echo "| Python: \`import ghpkg\` | **$py_med ms** | $py_min ms | $py_max ms |"
    echo "| Node: \`require('ghpkg')\` | **$req_med ms** | $req_min ms | $req_max ms |"
    echo "| Node: \`await import('ghpkg')\` | **$imp_med ms** | $imp_min ms | $imp_max ms |"
}

profiles() {
    python3 -m venv "$WORK/tools"
    "$WORK/tools/bin/pip" install --quiet --disable-pip-version-check maturin==1.16.0
    echo "| build of the Python extension | build time | module size | list 264 packages | 50 x get_package |"
    echo "|---|---:|---:|---:|---:|"
    for variant in release thin dist; do
        local dir=$WORK/$variant args=() env=() label start secs
        case $variant in
        release) args=(--release --strip) label="release, stripped, no LTO" ;;
        thin)
            args=(--profile dist) label="stripped, thin LTO"
            env=(CARGO_PROFILE_DIST_LTO=thin CARGO_PROFILE_DIST_CODEGEN_UNITS=16)
            ;;
        dist) args=(--profile dist) label="**dist**: stripped, fat LTO, 1 codegen unit (what ships)" ;;
        esac
        # A target directory of its own: every build starts from nothing, so
        # the build times compare.
        start=$SECONDS
        (cd bindings-python && env "${env[@]}" CARGO_TARGET_DIR="$TARGET/bench-profile-$variant" \
            "$WORK/tools/bin/maturin" build --quiet "${args[@]}" --out "$dir/wheels" >/dev/null 2>&1)
        secs=$((SECONDS - start))
        python3 -m venv "$dir/venv"
        "$dir/venv/bin/pip" install --quiet --disable-pip-version-check --no-index "$dir"/wheels/*.whl
        size=$(stat -c %s "$dir"/venv/lib/python3*/site-packages/ghpkg/_native*.so)
        out=$(cd "$WORK" && "$dir/venv/bin/python" "$ROOT/bindings-python/bench/bench_list.py" --rounds 31)
        list=$(sed -n 's/^ghpkg sync: list 264 packages *median *\([0-9.]*\) ms.*/\1/p' <<<"$out")
        get=$(sed -n 's/^ghpkg sync: 50 x get_package *median *\([0-9.]*\) ms.*/\1/p' <<<"$out")
        awk -v v="$label" -v s="$secs" -v z="$size" -v l="$list" -v g="$get" \
            'BEGIN { printf "| %s | %d s | %.1f MB | %s ms | %s ms |\n", v, s, z / 1048576, l, g }'
        rm -rf "$TARGET/bench-profile-$variant"
    done
}

case ${1:-} in
install) install ;;
profiles) profiles ;;
*) echo "usage: bench_install.sh install|profiles" >&2; exit 2 ;;
esac
