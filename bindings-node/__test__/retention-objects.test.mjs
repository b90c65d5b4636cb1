// The retention objects: Plan (the core's JSON, renderings, review edits),
// Policy (read, imported), the schemas, the options as the core reads them,
// and `client.retention` itself.
import test from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import util from 'node:util'
import { fileURLToPath } from 'node:url'
import { GhpkgError, Plan, Policy, Retention, retentionSchemas } from 'ghpkg'
import { client, emulator, rejection } from './helpers.mjs'

const schemas = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'schemas')

const OLD_RELEASES = {
  owner: { org: 'acme' },
  package_type: 'container',
  packages: { include: ['api/server'] },
  delete: [{ id: 'old', tags: ['1.1.0', '1.0.0'] }, { index: 'ghost' }, { index: 'partial' }, { orphaned_referrer: true }],
}

function thrown(fn) {
  try {
    fn()
  } catch (err) {
    return err
  }
  throw new Error('expected a throw')
}

function invalid(err, pattern) {
  assert.ok(err instanceof GhpkgError, `a GhpkgError, got ${err}`)
  assert.equal(err.code, 'INVALID_ARGUMENT')
  assert.match(err.message, pattern)
}

/** A plan of OLD_RELEASES on a fresh demo emulator, pinned at `now`. */
async function oldReleases(t, now = '2026-06-01T00:00:00Z') {
  const emu = await emulator(t)
  return { emu, plan: await client(emu).retention.plan(OLD_RELEASES, { now, registryUrl: emu.registryUrl }) }
}

test('a plan is the core JSON, read back exactly, with read-only properties', async (t) => {
  const { plan } = await oldReleases(t)
  assert.ok(plan instanceof Plan)
  const data = JSON.parse(plan.json())
  assert.deepEqual(plan.toJSON(), data)
  assert.equal(String(plan), plan.json())
  assert.equal(JSON.stringify(plan), JSON.stringify(data))
  assert.match(plan.id, /^pln_[0-9a-f]{16}$/)
  assert.equal(plan.now, '2026-06-01T00:00:00Z')
  assert.equal(plan.policyHash, data.policy_hash)
  assert.deepEqual(plan.totals, data.totals)
  assert.deepEqual(plan.packages, data.packages)
  assert.deepEqual(plan.warnings, data.warnings)
  assert.deepEqual(plan.target, data.target)
  assert.deepEqual(plan.policy, data.policy)
  assert.deepEqual(plan.edits, [])
  assert.equal(plan.totals.delete, 7)
  // Read-only: the properties are frozen, toJSON() is a fresh copy.
  assert.throws(() => {
    plan.totals.delete = 0
  }, TypeError)
  assert.throws(() => {
    plan.packages[0].actions[0].action = 'delete'
  }, TypeError)
  const copy = plan.toJSON()
  copy.totals.delete = 0
  assert.equal(plan.totals.delete, 7)

  // Read back from its text or its object: the same bytes.
  assert.equal(Plan.fromJSON(plan.json()).json(), plan.json())
  assert.equal(Plan.fromJSON(plan.toJSON()).json(), plan.json())
  invalid(
    thrown(() => Plan.fromJSON('{"plan_version": 1}')),
    /not a ghpkg plan/,
  )
  invalid(
    thrown(() => Plan.fromJSON({ ...data, plan_version: 2 })),
    /plan_version 2/,
  )
  invalid(
    thrown(() => Plan.fromJSON('not json')),
    /not a ghpkg plan/,
  )
  assert.throws(() => Plan.fromJSON(42), { code: 'ERR_INVALID_ARG_TYPE' })
  assert.throws(() => new Plan(), TypeError)
  assert.match(util.inspect(plan), new RegExp(`Plan \\{[^]*${plan.id}`))
})

test('renderings, deletions in apply order and review edits', async (t) => {
  const { plan } = await oldReleases(t)
  assert.match(plan.render(), /\| api\/server \| 19 \| 12 \| 7 \| 0 \| ok \|/)
  assert.equal(plan.render('markdown'), plan.render())
  assert.match(plan.render('table'), /^PACKAGE\s+VERSION\s+ACTION/)
  assert.equal(plan.render('json'), plan.json())
  const lines = plan
    .render('ndjson')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
  assert.equal(lines.filter((l) => l.type === 'action').length, 19)
  invalid(
    thrown(() => plan.render('pdf')),
    /unknown rendering "pdf"/,
  )

  const deletions = plan.deletions()
  assert.equal(deletions.length, 7)
  assert.deepEqual(
    deletions.map((d) => d.action.order),
    [1, 2, 3, 4, 5, 6, 7],
  )
  assert.ok(deletions.every((d) => d.package === plan.packages[0] && d.action.action === 'delete'))

  // Keeping the 1.1.0 index keeps the child only it lists, and says so.
  const kept = plan.withoutVersions([20015])
  assert.ok(kept instanceof Plan)
  assert.notEqual(kept.id, plan.id)
  assert.deepEqual(kept.edits, [{ op: 'keep', package: 'api/server', version_id: 20015 }])
  const action = (p, id) => p.packages[0].actions.find((a) => a.version_id === id)
  assert.equal(action(kept, 20015).reasons[0].code, 'kept_by_review')
  assert.equal(action(kept, 20018).action, 'keep')
  assert.equal(action(kept, 20018).reasons[0].code, 'child_of_kept')
  assert.ok(kept.totals.delete < plan.totals.delete)
  assert.equal(plan.totals.delete, 7, 'the original plan is unchanged')
  // Ids as numbers, bigints or decimal strings; an edited plan reads back.
  assert.equal(plan.withoutVersions([20015n]).json(), kept.json())
  assert.equal(plan.withoutVersions(['20015']).json(), kept.json())
  assert.equal(Plan.fromJSON(kept.json()).json(), kept.json())
  invalid(
    thrown(() => plan.withoutVersions([20012])),
    /not a planned deletion/,
  )
  assert.throws(() => plan.withoutVersions(20015), { code: 'ERR_INVALID_ARG_TYPE' })

  assert.equal(plan.onlyPackages(['api/server']).totals.delete, 7)
  const none = plan.onlyPackages(['web'])
  assert.equal(none.totals.delete, 0)
  assert.deepEqual(none.deletions(), [])
  assert.throws(() => plan.onlyPackages('api/server'), { code: 'ERR_INVALID_ARG_TYPE' })
})

test('the policy may be an object, a Policy, JSON text or a file; now a Date or RFC 3339', async (t) => {
  const emu = await emulator(t)
  const retention = client(emu).retention
  const options = { now: '2026-06-01T00:00:00Z', registryUrl: emu.registryUrl }
  const want = (await retention.plan(OLD_RELEASES, options)).json()
  // The same Retention keeps the manifests it read: a second plan reads none.
  assert.equal(JSON.parse(want).totals.requests.registry_get, 19)
  assert.equal((await retention.plan(OLD_RELEASES, options)).totals.requests.registry_get, 0)
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ghpkg-node-policy-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const file = path.join(dir, 'policy.json')
  writeFileSync(file, JSON.stringify(OLD_RELEASES, null, 2))
  for (const policy of [Policy.fromJSON(OLD_RELEASES), JSON.stringify(OLD_RELEASES), `\n  ${JSON.stringify(OLD_RELEASES)}`, file]) {
    assert.equal((await client(emu).retention.plan(policy, options)).json(), want)
  }
  const dated = await client(emu).retention.plan(OLD_RELEASES, { ...options, now: new Date('2026-06-01T00:00:00Z') })
  assert.equal(dated.json(), want)
  // A manifest cache on disk: the second plan reads no manifest from the registry.
  const cache = path.join(dir, 'manifests.jsonl')
  const fresh = client(emu).retention
  assert.equal((await fresh.plan(OLD_RELEASES, { ...options, manifestCache: cache })).totals.requests.registry_get, 19)
  assert.equal((await client(emu).retention.plan(OLD_RELEASES, { ...options, manifestCache: cache })).totals.requests.registry_get, 0)
  // Options the core does not know, given twice, or of a type JSON lacks.
  invalid(await rejection(retention.plan(OLD_RELEASES, { ...options, registryURL: 'x' })), /unknown field `registry_u_r_l`/)
  invalid(await rejection(retention.plan(OLD_RELEASES, { ...options, now: new Date('nope') })), /now/)
  const twice = await rejection(retention.plan(OLD_RELEASES, { registryUrl: 'a', registry_url: 'b' }))
  assert.equal(twice.code, 'ERR_INVALID_ARG_TYPE')
  const fn = await rejection(retention.plan(OLD_RELEASES, { now: () => 1 }))
  assert.equal(fn.code, 'ERR_INVALID_ARG_TYPE')
})

test('policies are read by the core, every default written out, and imported from other tools', () => {
  const policy = Policy.fromJSON(OLD_RELEASES)
  assert.equal(policy.toJSON().min_age, '1h')
  assert.equal(policy.toJSON().last_version, 'keep_newest')
  assert.match(policy.hash, /^sha256:[0-9a-f]{64}$/)
  assert.equal(Policy.fromJSON(policy.json()).hash, policy.hash)
  assert.equal(Policy.fromJSON(JSON.stringify(OLD_RELEASES)).hash, policy.hash)
  assert.equal(String(policy), policy.json())
  assert.deepEqual(JSON.parse(JSON.stringify(policy)), policy.toJSON())
  invalid(
    thrown(() => Policy.fromJSON({ ...OLD_RELEASES, colour: 1 })),
    /unknown field `colour`/,
  )
  invalid(
    thrown(() => Policy.fromJSON({ ...OLD_RELEASES, delete: [{ tags: ['re:('] }] })),
    /not a valid regular expression/,
  )
  assert.throws(() => new Policy(), TypeError)

  const dataaxiom = Policy.fromDataaxiom({ owner: 'acme', packages: 'api/server', 'delete-untagged': true })
  assert.deepEqual(dataaxiom.toJSON().owner, { org: 'acme' })
  assert.deepEqual(dataaxiom.toJSON().delete, [{ id: 'delete-untagged', untagged: true }])
  const crp = Policy.fromCrp({ account: 'acme', 'image-names': 'api/server', 'tag-selection': 'untagged', 'cut-off': '2w' })
  assert.equal(crp.toJSON().package_type, 'container')
  const dpv = Policy.fromDpv({ owner: 'acme', 'package-name': 'ui-kit', 'package-type': 'npm', 'min-versions-to-keep': 2 })
  assert.equal(dpv.toJSON().package_type, 'npm')
  const vlaurin = Policy.fromVlaurin({ organization: 'acme', container: 'api/server', 'keep-younger-than': 7, untagged: true })
  assert.equal(vlaurin.toJSON().package_type, 'container')
  invalid(
    thrown(() => Policy.fromDataaxiom({ owner: 'acme', colour: 'blue' })),
    /has no input "colour"/,
  )
  assert.throws(() => Policy.fromCrp({ account: ['acme'] }), { code: 'ERR_INVALID_ARG_TYPE' })
})

test('retentionSchemas() are the committed schemas', () => {
  const got = retentionSchemas()
  const files = readdirSync(schemas).filter((f) => f.endsWith('.schema.json'))
  assert.deepEqual(Object.keys(got).sort(), files.sort())
  for (const f of files) assert.deepEqual(got[f], JSON.parse(readFileSync(path.join(schemas, f), 'utf8')), f)
})

test('client.retention is one object per client; closing the client stops new ones', async (t) => {
  const emu = await emulator(t)
  const c = client(emu)
  const retention = c.retention
  assert.ok(retention instanceof Retention)
  assert.equal(c.retention, retention)
  assert.equal(Object.prototype.toString.call(retention), '[object Retention]')
  assert.throws(() => new Retention(), TypeError)
  c.close()
  assert.throws(() => c.retention, { name: 'GhpkgError', code: 'CLOSED' })
  // One got before goes on working, like a listing.
  const plan = await retention.plan(OLD_RELEASES, { registryUrl: emu.registryUrl })
  assert.equal(plan.totals.delete, 7)
})
