#!/usr/bin/env bash
# One version for every ghpkg artifact, set in one place: `version` under
# [workspace.package] in Cargo.toml. The Rust crates, the C library (soname,
# ghpkg_library_version, ghpkg.pc, the CMake config), the Python wheel
# (maturin reads Cargo.toml), the Go module archive and the command line take
# it from there; the npm package.json files must repeat it (npm has no other
# way), and `check` proves they do.
#
#   bash scripts/version.sh              print the version
#   bash scripts/version.sh check        fail if a package.json disagrees
#   bash scripts/version.sh set X.Y.Z    write X.Y.Z everywhere it is written
set -euo pipefail
cd "$(dirname "$0")/.."

current() {
    # The first `version = "..."` of Cargo.toml is [workspace.package]'s.
    sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n1
}

node_files() {
    echo bindings-node/package.json
    ls bindings-node/npm/*/package.json
}

case ${1:-print} in
print)
    current
    ;;
check)
    version=$(current)
    status=0
    for file in $(node_files); do
        found=$(node -p "require('./$file').version")
        if [ "$found" != "$version" ]; then
            echo "$file has version $found, Cargo.toml has $version (bash scripts/version.sh set $version)" >&2
            status=1
        fi
    done
    lock=$(node -p "require('./bindings-node/package-lock.json').packages[''].version")
    if [ "$lock" != "$version" ]; then
        echo "bindings-node/package-lock.json has version $lock, Cargo.toml has $version" >&2
        status=1
    fi
    exit $status
    ;;
set)
    new=${2:?usage: version.sh set X.Y.Z}
    if ! [[ $new =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
        echo "not a semantic version: $new" >&2
        exit 2
    fi
    old=$(current)
    sed -i "0,/^version = \"$old\"\$/s//version = \"$new\"/" Cargo.toml
    for file in $(node_files) bindings-node/package-lock.json; do
        node -e '
            const fs = require("fs");
            const [file, version] = process.argv.slice(1);
            const json = JSON.parse(fs.readFileSync(file, "utf8"));
            json.version = version;
            if (json.packages && json.packages[""]) json.packages[""].version = version;
            fs.writeFileSync(file, JSON.stringify(json, null, 2) + "\n");
        ' "$file" "$new"
    done
    cargo update --workspace --quiet
    echo "version $old -> $new: add a CHANGELOG.md entry"
    ;;
*)
    echo "usage: version.sh [print | check | set X.Y.Z]" >&2
    exit 2
    ;;
esac
