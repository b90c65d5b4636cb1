#!/usr/bin/env bash
# Builds every distributed artifact of ghpkg for this machine's platform into
# dist/, from the `dist` profile (Cargo.toml: stripped, fat LTO):
#
#   dist/python/  the abi3 wheel (manylinux_2_17, checked by auditwheel) and the sdist
#   dist/node/    ghpkg-VERSION.tgz and ghpkg-linux-x64-gnu-VERSION.tgz (npm pack)
#   dist/c/       ghpkg-c-VERSION-x86_64-linux-gnu.tar.gz: include/, lib/ (.so with
#                 a versioned soname, .a, pkg-config, CMake config), share/
#   dist/go/      ghpkg-go-VERSION.tar.gz: the Go module with lib/linux_amd64/libghpkg.a
#   dist/cli/     ghpkg-VERSION-x86_64-unknown-linux-musl.tar.gz (a static binary) + .sha256
#   dist/SIZES.md and dist/SHA256SUMS
#
# A distributed native module (the wheel's extension, the .node addon,
# libghpkg.so, the ghpkg binary) over 15 MB fails the run. The glibc modules
# are linked by zig against glibc 2.17 (cargo-zigbuild, maturin --zig), so
# they load on any linux x86_64 with glibc 2.17 or later whatever this
# machine's glibc is; one that needs a newer symbol fails the run.
# scripts/test-install.sh installs the artifacts where no Rust is in reach.
# Needs what the test command needs, plus the musl target and musl-gcc (both
# installed here when missing); maturin, auditwheel, zig and cargo-zigbuild
# come from PyPI into a venv under the target directory (scripts/zig-venv.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
TARGET=${CARGO_TARGET_DIR:-target}
case $TARGET in /*) ;; *) TARGET=$ROOT/$TARGET ;; esac
export CARGO_TARGET_DIR=$TARGET

# The oldest glibc the distributed glibc modules load with (manylinux2014).
GLIBC_FLOOR=2.17
GNU_TARGET=x86_64-unknown-linux-gnu
MUSL_TARGET=x86_64-unknown-linux-musl
BUDGET_BYTES=$((15 * 1024 * 1024))
DIST=$ROOT/dist
STAGE=$TARGET/package

step() { printf '\n==> %s\n' "$*"; }

VERSION=$(bash scripts/version.sh)
bash scripts/version.sh check
HOST=$(rustc -vV | sed -n 's/^host: //p')
if [ "$HOST" != x86_64-unknown-linux-gnu ]; then
    echo "package.sh builds linux x86_64 artifacts; this is $HOST (see .github/workflows/release.yml)" >&2
    exit 2
fi
rm -rf "$DIST" "$STAGE"
mkdir -p "$DIST"/{python,node,c,go,cli} "$STAGE"

step "tools"
rustup target add "$MUSL_TARGET" >/dev/null
need=()
command -v musl-gcc >/dev/null 2>&1 || need+=(musl-tools)
command -v unzip >/dev/null 2>&1 || need+=(unzip)
command -v file >/dev/null 2>&1 || need+=(file)
if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
VENV=$TARGET/package-venv
bash scripts/zig-venv.sh "$VENV"
# maturin, napi and cargo-zigbuild find zig (python -m ziglang) and cargo-zigbuild here.
export PATH=$VENV/bin:$PATH

glibc_floor() { bash scripts/glibc-floor.sh "$GLIBC_FLOOR" "$@"; }

if [ ! -x bindings-node/node_modules/.bin/napi ]; then
    (cd bindings-node && npm ci --no-audit --no-fund)
fi

step "C library (libghpkg.so, libghpkg.a), profile dist"
start=$SECONDS
cargo zigbuild --profile dist -p ghpkg-c --lib --target "$GNU_TARGET.$GLIBC_FLOOR"
echo "built in $((SECONDS - start)) s"
LIB=$TARGET/$GNU_TARGET/dist
glibc_floor "$LIB/libghpkg.so"

step "Node addon, profile dist"
start=$SECONDS
(cd bindings-node && npx napi build --platform --profile dist --no-const-enum \
    --cross-compile --target "$GNU_TARGET.$GLIBC_FLOOR" \
    --output-dir "$STAGE/napi" --js native.generated.js --dts native.generated.d.ts)
echo "built in $((SECONDS - start)) s"
glibc_floor "$STAGE/napi/ghpkg.linux-x64-gnu.node"
# The loader and types shipped are the committed ones; a build must agree.
for file in native.generated.js native.generated.d.ts; do
    diff -u "bindings-node/$file" "$STAGE/napi/$file"
done

step "Python wheel (abi3, manylinux_2_17) and sdist"
start=$SECONDS
(cd bindings-python &&
    "$VENV/bin/maturin" build --profile dist --zig --compatibility manylinux2014 \
        --target "$GNU_TARGET" --out "$DIST/python" &&
    "$VENV/bin/maturin" sdist --out "$DIST/python")
echo "built in $((SECONDS - start)) s"
WHEEL=$(ls "$DIST"/python/ghpkg-"$VERSION"-*.whl)
SDIST=$DIST/python/ghpkg-$VERSION.tar.gz
test -f "$SDIST"
# The wheel's platform tags must be ones auditwheel accepts for its contents.
"$VENV/bin/auditwheel" show "$WHEEL" | tee "$STAGE/auditwheel.txt"
"$VENV/bin/python" - "$WHEEL" "$STAGE/auditwheel.txt" <<'PY'
import re, sys
wheel, report = sys.argv[1], open(sys.argv[2]).read()
tags = wheel.rsplit("-", 1)[1].removesuffix(".whl").split(".")
found = re.search(r'platform tag:\s*"manylinux_(\d+)_(\d+)_x86_64"', report.replace("\n", " "))
if not found:
    sys.exit(f"auditwheel found no manylinux tag for {wheel}")
floor = (int(found[1]), int(found[2]))
legacy = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}
for tag in tags:
    m = re.fullmatch(r"manylinux_(\d+)_(\d+)_x86_64", tag)
    got = (int(m[1]), int(m[2])) if m else legacy.get(tag.removesuffix("_x86_64"))
    if got is None:
        sys.exit(f"the wheel carries {tag!r}, not a manylinux tag")
    if got < floor:
        sys.exit(f"the wheel claims {tag} but its contents need manylinux_{floor[0]}_{floor[1]}")
print(f"wheel tags {'.'.join(tags)} accepted (contents need glibc {floor[0]}.{floor[1]})")
PY
unzip -q -o "$WHEEL" -d "$STAGE/wheel"
PYMOD=$(ls "$STAGE"/wheel/ghpkg/_native*.so)
glibc_floor "$PYMOD"

step "command line, static ($MUSL_TARGET)"
start=$SECONDS
cargo build --profile dist --target "$MUSL_TARGET" -p ghpkg-cli
echo "built in $((SECONDS - start)) s"
CLI=$TARGET/$MUSL_TARGET/dist/ghpkg
if ! file "$CLI" | grep -q 'statically linked\|static-pie linked'; then
    file "$CLI" >&2
    echo "the ghpkg binary is not static" >&2
    exit 1
fi
name=ghpkg-$VERSION-$MUSL_TARGET
mkdir -p "$STAGE/cli/$name"
cp "$CLI" LICENSE "$STAGE/cli/$name/"
tar -C "$STAGE/cli" -czf "$DIST/cli/$name.tar.gz" --owner=0 --group=0 "$name"
(cd "$DIST/cli" && sha256sum "$name.tar.gz" >"$name.tar.gz.sha256")

step "C install tree"
MAJOR=${VERSION%%.*}
MINOR=$(cut -d. -f2 <<<"$VERSION")
SONAME=$(objdump -p "$LIB/libghpkg.so" | sed -n 's/^ *SONAME *//p')
if [ "$MAJOR" = 0 ]; then want=libghpkg.so.0.$MINOR; else want=libghpkg.so.$MAJOR; fi
[ "$SONAME" = "$want" ] || { echo "soname is '$SONAME', expected $want" >&2; exit 1; }
STATIC_LIBS="-lgcc_s -lutil -lrt -lpthread -lm -ldl"
name=ghpkg-c-$VERSION-x86_64-linux-gnu
tree=$STAGE/c/$name
mkdir -p "$tree"/{include,lib/pkgconfig,lib/cmake/ghpkg,share/doc/ghpkg/examples}
cp include/ghpkg.h "$tree/include/"
cp "$LIB/libghpkg.so" "$tree/lib/libghpkg.so.$VERSION"
ln -s "libghpkg.so.$VERSION" "$tree/lib/$SONAME"
ln -s "$SONAME" "$tree/lib/libghpkg.so"
# The archive keeps its symbols (the linker needs them); debug info goes.
strip --strip-debug -o "$tree/lib/libghpkg.a" "$LIB/libghpkg.a"
sed -e '/^#.*@[A-Z]*@/d' -e 's|@PREFIX@|${pcfiledir}/../..|' -e 's|@LIBDIR@|${prefix}/lib|' \
    -e 's|@INCLUDEDIR@|${prefix}/include|' -e "s|@VERSION@|$VERSION|" \
    bindings-c/ghpkg.pc.in >"$tree/lib/pkgconfig/ghpkg.pc"
cmake_libs=$(sed 's/-l//g; s/ /;/g' <<<"$STATIC_LIBS")
for file in ghpkgConfig ghpkgConfigVersion; do
    sed -e "s|@VERSION@|$VERSION|g" -e "s|@SONAME@|$SONAME|g" \
        -e "s|@SHARED_FILE@|libghpkg.so.$VERSION|g" -e "s|@STATIC_LIBS@|$cmake_libs|g" \
        "bindings-c/cmake/$file.cmake.in" >"$tree/lib/cmake/ghpkg/$file.cmake"
done
cp LICENSE "$tree/share/doc/ghpkg/"
cp bindings-c/examples/list_untagged.c "$tree/share/doc/ghpkg/examples/"
tar -C "$STAGE/c" -czf "$DIST/c/$name.tar.gz" --owner=0 --group=0 "$name"

step "Go module archive"
name=ghpkg-go-$VERSION
tree=$STAGE/go/$name
mkdir -p "$tree/include" "$tree/lib/linux_amd64"
for file in bindings-go/*.go; do
    case $file in *_test.go) continue ;; esac
    # The source tree's paths (../include, ../target) do not exist in the archive.
    grep -v '${SRCDIR}/\.\./' "$file" >"$tree/$(basename "$file")"
done
cp bindings-go/go.mod bindings-go/README.md LICENSE "$tree/"
cp include/ghpkg.h "$tree/include/"
cp "$STAGE/c/ghpkg-c-$VERSION-x86_64-linux-gnu/lib/libghpkg.a" "$tree/lib/linux_amd64/"
tar -C "$STAGE/go" -czf "$DIST/go/$name.tar.gz" --owner=0 --group=0 "$name"

step "npm packages"
platform=linux-x64-gnu
pkg=$STAGE/npm/$platform
mkdir -p "$pkg"
cp "bindings-node/npm/$platform/package.json" "bindings-node/npm/$platform/README.md" LICENSE "$pkg/"
cp "$STAGE/napi/ghpkg.$platform.node" "$pkg/"
main=$STAGE/npm/ghpkg
mkdir -p "$main"
cp -r bindings-node/lib bindings-node/native.generated.js bindings-node/native.generated.d.ts \
    bindings-node/README.md LICENSE "$main/"
# The published package.json: no dev tooling; each platform package is an
# optional dependency (npm installs the one whose os/cpu/libc match).
node -e '
    const fs = require("fs");
    const [src, dest, npmDir] = process.argv.slice(1);
    const pkg = JSON.parse(fs.readFileSync(src, "utf8"));
    delete pkg.devDependencies;
    delete pkg.scripts;
    pkg.optionalDependencies = {};
    for (const dir of fs.readdirSync(npmDir).sort()) {
        const sub = JSON.parse(fs.readFileSync(`${npmDir}/${dir}/package.json`, "utf8"));
        pkg.optionalDependencies[sub.name] = sub.version;
    }
    fs.writeFileSync(dest, JSON.stringify(pkg, null, 2) + "\n");
' bindings-node/package.json "$main/package.json" bindings-node/npm
(cd "$pkg" && npm pack --silent --pack-destination "$DIST/node" >/dev/null)
(cd "$main" && npm pack --silent --pack-destination "$DIST/node" >/dev/null)
ls "$DIST/node"

step "sizes (budget for a native module: $((BUDGET_BYTES / 1024 / 1024)) MB)"
over=0
{
    echo "# ghpkg $VERSION artifact sizes ($HOST)"
    echo
    echo "| artifact | bytes | MB |"
    echo "|---|---:|---:|"
    row() { awk -v l="$1" -v b="$2" 'BEGIN { printf "| %s | %d | %.1f |\n", l, b, b / 1048576 }'; }
    module() {
        local label=$1 file=$2 size
        size=$(stat -c %s "$file")
        row "$label (native module)" "$size"
        if [ "$size" -gt "$BUDGET_BYTES" ]; then
            echo "OVER BUDGET: $label is $size bytes" >&2
            over=1
        fi
    }
    module "Python extension ghpkg/_native.abi3.so" "$PYMOD"
    module "Node addon ghpkg.$platform.node" "$pkg/ghpkg.$platform.node"
    module "C libghpkg.so.$VERSION" "$STAGE/c/ghpkg-c-$VERSION-x86_64-linux-gnu/lib/libghpkg.so.$VERSION"
    module "command line ghpkg (static, musl)" "$CLI"
    row "C libghpkg.a (debug info stripped)" "$(stat -c %s "$STAGE/c/ghpkg-c-$VERSION-x86_64-linux-gnu/lib/libghpkg.a")"
    for file in "$DIST"/*/*.whl "$DIST"/*/*.tar.gz "$DIST"/*/*.tgz; do
        row "$(basename "$file")" "$(stat -c %s "$file")"
    done
} >"$DIST/SIZES.md"
cat "$DIST/SIZES.md"
(cd "$DIST" && find . -type f ! -name SHA256SUMS ! -name SIZES.md | sort | xargs sha256sum >SHA256SUMS)
if [ "$over" -ne 0 ]; then
    echo "a native module is over the size budget" >&2
    exit 1
fi
echo
echo "artifacts of ghpkg $VERSION are in dist/"
