#!/usr/bin/env bash
# Builds the Node binding (bindings-node/) from a clean checkout and runs its
# whole suite: the addon build, the drift check of the generated loader
# native.generated.js and types native.generated.d.ts and of the retention
# types generated from schemas/ (lib/retention.generated.d.ts), Biome (format and lint),
# `tsc --noEmit --strict` over the whole API, and `node --test` against the
# emulator. Needs Node >= 20, npm and a Rust toolchain.
set -euo pipefail
cd "$(dirname "$0")/../bindings-node"

step() { printf '\n==> %s\n' "$*"; }

# 1,000 concurrent requests to an in-process emulator need ~2,000 descriptors.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

step "npm ci (exactly package-lock.json: pinned @napi-rs/cli, typescript, Biome)"
npm ci --no-audit --no-fund

step "build the native addon (napi build, debug profile)"
generated=(native.generated.js native.generated.d.ts)
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

step "the generated loader and types are unchanged by the rebuild"
for f in "${generated[@]}"; do
  if ! diff -u "$before/$f" "$f"; then
    echo "bindings-node/$f changed when rebuilt: commit the regenerated file" >&2
    exit 1
  fi
done
git diff --exit-code -- "${generated[@]}"

step "the retention types are those the schemas generate (lib/retention.generated.d.ts)"
git ls-files --error-unmatch lib/retention.generated.d.ts >/dev/null
npm run --silent types:retention
if ! git diff --exit-code -- lib/retention.generated.d.ts; then
  echo "bindings-node/lib/retention.generated.d.ts is stale: run 'npm run types:retention' and commit it" >&2
  exit 1
fi

step "Biome: formatting and lint of the JavaScript and TypeScript"
npx biome ci .

step "tsc --noEmit --strict (whole API, examples)"
npx tsc -p tsconfig.json

step "node --test (against the emulator)"
node --test --test-concurrency=1 __test__/
