#!/usr/bin/env bash
# Benchmarks of the distributed artifacts (dist/, from scripts/package.sh),
# printed as Markdown for BENCHMARKS.md (scripts/bench.sh runs it):
#   install   sizes, and the import time of the installed Python module and
#             the require/import time of the installed npm package
#   profiles  the Python extension built three ways (release stripped, dist =
#             thin LTO, fat LTO with one codegen unit): build time, size, and
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

# median_ms CMD...: the median wall time of RUNS runs of CMD, in ms.
median_ms() {
    python3 - "$RUNS" "$@" <<'PY'
import statistics, subprocess, sys, time
runs, cmd = int(sys.argv[1]), sys.argv[2:]
subprocess.run(cmd, check=True, capture_output=True)  # warm the page cache
times = []
for _ in range(runs):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    times.append((time.perf_counter() - start) * 1000)
print(f"{statistics.median(times):.1f}")
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
    py_base=$(median_ms "$WORK/venv/bin/python" -c pass)
    py_import=$(median_ms "$WORK/venv/bin/python" -c 'import ghpkg')
    node_base=$(median_ms node -e '')
    node_require=$(median_ms node -e "require('ghpkg')")
    node_import=$(median_ms node --input-type=module -e "import 'ghpkg'")
    cd "$ROOT"
    echo "Start-up cost of the installed packages: median of $RUNS fresh processes, minus an empty"
    echo "process of the same interpreter (budget: 50 ms for Python, 30 ms for Node)."
    echo
    echo "| | empty process | with ghpkg | ghpkg's share |"
    echo "|---|---:|---:|---:|"
    awk -v b="$py_base" -v t="$py_import" 'BEGIN { printf "| python -c \"import ghpkg\" | %.1f ms | %.1f ms | **%.1f ms** |\n", b, t, t - b }'
    awk -v b="$node_base" -v t="$node_require" 'BEGIN { printf "| node: require(\"ghpkg\") | %.1f ms | %.1f ms | **%.1f ms** |\n", b, t, t - b }'
    awk -v b="$node_base" -v t="$node_import" 'BEGIN { printf "| node: import \"ghpkg\" | %.1f ms | %.1f ms | **%.1f ms** |\n", b, t, t - b }'
}

profiles() {
    python3 -m venv "$WORK/tools"
    "$WORK/tools/bin/pip" install --quiet --disable-pip-version-check maturin==1.16.0
    echo "| build of the Python extension | build time | module size | list 264 packages | 50 x get_package |"
    echo "|---|---:|---:|---:|---:|"
    for variant in release dist fat; do
        local dir=$WORK/$variant args=() env=() label start secs
        case $variant in
        release) args=(--release --strip) label="release, stripped, no LTO" ;;
        dist) args=(--profile dist) label="**dist**: stripped, thin LTO (what ships)" ;;
        fat)
            args=(--profile dist) label="stripped, fat LTO, 1 codegen unit"
            env=(CARGO_PROFILE_DIST_LTO=fat CARGO_PROFILE_DIST_CODEGEN_UNITS=1)
            ;;
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
