#!/usr/bin/env bash
# Builds the Node binding (bindings-node/) from a clean checkout and runs its
# whole suite: the addon build, the drift check of the generated index.js and
# index.d.ts, `tsc --noEmit --strict` over the whole API, and `node --test`
# against the emulator. Needs Node >= 20, npm and a Rust toolchain.
set -euo pipefail
cd "$(dirname "$0")/../bindings-node"

step() { printf '\n==> %s\n' "$*"; }

# 1,000 concurrent requests to an in-process emulator need ~2,000 descriptors.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

step "npm install (pinned @napi-rs/cli, typescript, @types/node; package-lock.json)"
# Not `npm ci`: the registry here lacks the other platforms' builds of an
# optional dependency of @napi-rs/cli, so the lock file cannot list them and
# `npm ci` refuses it; `npm install` installs exactly the locked versions.
npm install --no-audit --no-fund

step "build the native addon (napi build, debug profile)"
generated=(index.js index.d.ts)
before="$(mktemp -d)"
trap 'rm -rf "$before"' EXIT
for f in "${generated[@]}"; do
  if [[ ! -f "$f" ]]; then
    echo "bindings-node/$f is missing: run 'npm run build' in bindings-node and commit it" >&2
    exit 1
  fi
  cp "$f" "$before/$f"
done
npm run build

step "generated index.js and index.d.ts are unchanged by the rebuild"
for f in "${generated[@]}"; do
  if ! diff -u "$before/$f" "$f"; then
    echo "bindings-node/$f changed when rebuilt: commit the regenerated file" >&2
    exit 1
  fi
done
git diff --exit-code -- "${generated[@]}"

step "tsc --noEmit --strict (whole API, examples)"
npx tsc -p tsconfig.json

step "node --test (against the emulator)"
node --test --test-concurrency=1 __test__/
