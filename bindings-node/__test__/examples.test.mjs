// The README's examples (examples/*), run for real against the emulator.
import test from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { emulator, tokens } from './helpers.mjs'

const run = promisify(execFile)
const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)))

/** The environment of a child process aimed at `emu`, without the caller's credentials. */
function envFor(emu) {
  const env = { ...process.env, GITHUB_TOKEN: tokens.demo, GITHUB_API_URL: emu.url }
  for (const k of ['GH_TOKEN', 'STACKQL_GITHUB_USERNAME', 'STACKQL_GITHUB_PASSWORD']) delete env[k]
  return env
}

test('the JavaScript example reports untagged versions and deletes', async (t) => {
  const emu = await emulator(t)
  const script = path.join(root, 'examples', 'cleanup-report.js')
  const first = await run(process.execPath, [script, 'acme', 'service-001'], { env: envFor(emu), cwd: root })
  assert.match(first.stdout, /^api\/server: 12 untagged of 19 versions$/m)
  assert.match(first.stdout, /^only-tag: 1 untagged of 2 versions$/m)
  assert.match(first.stdout, /^deleted service-001 \(restorable for 30 days\)$/m)
  assert.ok(emu.requests().some((r) => r.method === 'DELETE' && r.path === '/orgs/acme/packages/container/service-001'))
  const second = await run(process.execPath, [script, 'acme', 'service-001'], { env: envFor(emu), cwd: root })
  assert.match(second.stdout, /^service-001 is already gone$/m)
  // Without a token that may delete, it stops before listing anything.
  emu.clearRequests()
  const env = { ...envFor(emu), GITHUB_TOKEN: tokens.readOnly }
  const refused = await run(process.execPath, [script, 'acme', 'x'], { env, cwd: root }).catch((e) => e)
  assert.equal(refused.code, 1)
  assert.match(refused.stderr, /cannot delete packages/)
  assert.equal(emu.requests().length, 1)
})

test('the TypeScript example compiles under --strict and passes', async () => {
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc')
  await run(process.execPath, [tsc, '-p', 'tsconfig.examples.json'], { cwd: root })
  const compiled = path.join(root, '.tsbuild', 'examples', 'emulator-test.js')
  const { stdout } = await run(process.execPath, [compiled], { cwd: root })
  assert.match(stdout, /^found 13 untagged versions$/m)
  assert.match(stdout, /^a 502 was retried: 2 failed requests$/m)
})

test('the retention example plans, applies with progress, verifies and undoes', async (t) => {
  const emu = await emulator(t)
  const script = path.join(root, 'examples', 'retention.js')
  // The example keeps its journal in the temporary directory (for undo); here, a scratch one.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ghpkg-example-'))
  t.after(() => fs.rmSync(tmp, { recursive: true, force: true }))
  const env = { ...envFor(emu), TMPDIR: tmp }
  const { stdout } = await run(process.execPath, [script, 'acme', 'api/server', emu.registryUrl, '--undo'], { env, cwd: root })
  assert.match(stdout, /^api\/server\s+5000000001\s+keep\s+index\s+latest,1\.2\.0\s/m)
  assert.match(stdout, /^plan pln_[0-9a-f]{16}: delete 5, keep 14$/m)
  assert.match(stdout, /^deleted 5 of 5$/m)
  assert.match(stdout, /^run complete: \{"deleted":5\}$/m)
  assert.match(stdout, /^verified 3 kept tags, 0 broken$/m)
  assert.match(stdout, /^undo complete: 5 restored$/m)
  const deletes = emu.requests().filter((r) => r.method === 'DELETE')
  assert.equal(deletes.length, 5)
  const deleted = await emu.client().listVersions('container', 'api/server', { org: 'acme', state: 'deleted' }).toArray()
  assert.ok(
    deletes.every((r) => !deleted.some((v) => r.path.endsWith(`/versions/${v.id}`))),
    'every deleted version is back',
  )
  // The journal of the run and of its undo, where the example said.
  assert.deepEqual(
    fs
      .readdirSync(tmp)
      .map((f) => f.replace(/^pln_[0-9a-f]{16}/, 'PLAN'))
      .sort(),
    ['PLAN.jsonl', 'PLAN.jsonl.undo.jsonl'],
  )
})
