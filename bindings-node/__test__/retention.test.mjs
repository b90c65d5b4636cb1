// Retention against the emulator over real HTTP: the golden plans replayed,
// plan → applyEvents → verify → undo on the multi-arch api/server, a run
// stopped by leaving `for await` and finished from its journal, recover,
// and bad input refused with a typed error before anything changes.
import test from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { Emulator, GhpkgError, Plan } from 'ghpkg'
import { client, emulator, rejection, tokens } from './helpers.mjs'
import { RegistryReader } from './registry.mjs'

const goldens = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'tests', 'goldens')

/** Old releases of api/server, and the broken leftovers a registry collects. */
const OLD_RELEASES = {
  owner: { org: 'acme' },
  package_type: 'container',
  packages: { include: ['api/server'] },
  delete: [{ id: 'old', tags: ['1.1.0', '1.0.0'] }, { index: 'ghost' }, { index: 'partial' }, { orphaned_referrer: true }],
}
const OLD_RELEASE_IDS = [20015, 20016, 20018, 200140, 200150, 200151, 200160]

/** npm versions below 3.0.0 of ui-kit. */
const UI_KIT = {
  owner: { org: 'acme' },
  package_type: 'npm',
  packages: { include: ['ui-kit'] },
  delete: [{ id: 'old-majors', semver: '<3.0.0' }],
}

/** A fresh journal path, removed with its directory when test `t` ends. */
function journalPath(t) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ghpkg-node-retention-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return path.join(dir, 'journal.jsonl')
}

function deletesSent(emu) {
  return emu.requests().filter((r) => r.method === 'DELETE').length
}

/** The ids of api/server's deleted versions, sorted. */
async function deletedIds(c) {
  const versions = await c.listVersions('container', 'api/server', { org: 'acme', state: 'deleted' }).toArray()
  return versions.map((v) => v.id).sort((a, b) => a - b)
}

const sorted = (ids) => [...ids].sort((a, b) => a - b)

/** The normalization of tests/goldens/README.md: the emulator's origins and the plan id. */
function normalize(json, api, registry, planId) {
  return json
    .split(api)
    .join('http://api.invalid')
    .split(registry)
    .join('http://registry.invalid')
    .split(planId)
    .join('pln_0000000000000000')
}

test('the golden plans are replayed byte for byte', async () => {
  const cases = JSON.parse(readFileSync(path.join(goldens, 'cases.json'), 'utf8'))
  assert.ok(cases.length >= 5)
  for (const c of cases) {
    assert.deepEqual(
      Object.keys(c).filter((k) => !['name', 'about', 'now', 'policy'].includes(k)),
      [],
      `${c.name}: only known keys`,
    )
    const emu = await Emulator.start()
    try {
      const plan = await emu.client().retention.plan(c.policy, { now: c.now, registryUrl: emu.registryUrl })
      const got = `${normalize(plan.json(), emu.url, emu.registryUrl, plan.id)}\n`
      assert.equal(got, readFileSync(path.join(goldens, `${c.name}.plan.json`), 'utf8'), `${c.name} differs from its golden`)
    } finally {
      await emu.shutdown()
    }
  }
})

test('old releases: plan, apply with progress, every kept image whole, undo brings back exactly them', async (t) => {
  const emu = await emulator(t)
  const c = client(emu)
  const retention = c.retention
  const plan = await retention.plan(OLD_RELEASES, { registryUrl: emu.registryUrl })
  const [pkg] = plan.packages
  assert.equal(pkg.status, 'ok')
  const verdict = (id) => pkg.actions.find((a) => a.version_id === id)
  for (const id of OLD_RELEASE_IDS) assert.equal(verdict(id).action, 'delete', `${id}`)
  // 1.1.0's amd64 image is latest's too: it stays.
  assert.equal(verdict(20012).action, 'keep')
  assert.equal(verdict(20012).reasons[0].code, 'child_of_kept')
  assert.ok(verdict(20015).order < verdict(20018).order, 'the index goes before the child only it listed')
  const planned = sorted(plan.deletions().map((d) => d.action.version_id))
  assert.deepEqual(planned, OLD_RELEASE_IDS)
  assert.equal(deletesSent(emu), 0, 'planning only reads')

  const before = await deletedIds(c)
  const keptTags = pkg.actions.filter((a) => a.action === 'keep').flatMap((a) => a.tags)
  assert.ok(keptTags.includes('latest') && keptTags.includes('1.2.0'))
  const journal = journalPath(t)
  const events = []
  for await (const event of retention.applyEvents(plan, { journal })) events.push(event)

  const report = events.at(-1).report
  assert.equal(events.at(-1).type, 'report', 'the report comes last')
  assert.equal(report.status, 'complete', JSON.stringify(report))
  assert.deepEqual(report.counts, { deleted: 7 })
  const phases = events.filter((e) => e.type === 'phase').map((e) => e.phase)
  assert.deepEqual([...new Set(phases)], ['preflight', 'revalidate', 'delete', 'verify'])
  const progress = events.filter((e) => e.type === 'progress')
  assert.deepEqual(
    progress.map((e) => e.done),
    [1, 2, 3, 4, 5, 6, 7],
  )
  for (const e of progress) {
    assert.equal(e.total, 7)
    assert.equal(typeof e.rate_per_min, 'number')
    assert.equal(typeof e.eta_seconds, 'number')
  }
  const outcomes = events.filter((e) => e.type === 'outcome')
  assert.deepEqual(sorted(outcomes.map((e) => e.version_id)), planned)
  assert.ok(outcomes.every((e) => e.outcome === 'deleted' && e.package === 'api/server' && e.restorable_until))
  // Apply's own verify: latest, 1.2.0 and nested resolve whole.
  assert.deepEqual(report.verify, { checked_tags: 3, broken: [] })

  // Exactly the plan was deleted.
  const after = await deletedIds(c)
  assert.deepEqual(
    after.filter((id) => !before.includes(id)),
    planned,
  )
  // Independently of ghpkg: every kept tag resolves, with all its children.
  const reader = await RegistryReader.open(emu, 'acme/api/server')
  for (const tag of keptTags) assert.deepEqual(await reader.missingUnder(tag), [], `${tag} resolves whole`)
  assert.equal(await reader.get('1.1.0'), null)
  assert.equal(await reader.get('1.0.0'), null)
  // The same check on demand.
  assert.deepEqual(await retention.verify(plan), { checked_tags: 3, broken: [] })
  assert.deepEqual(await retention.verify(plan, { registryUrl: emu.registryUrl }), { checked_tags: 3, broken: [] })

  // Undo brings back exactly the deleted versions, tags and all.
  const undo = await retention.undo(journal)
  assert.equal(undo.kind, 'undo')
  assert.equal(undo.status, 'complete', JSON.stringify(undo))
  assert.deepEqual(undo.counts, { restored: 7 })
  assert.deepEqual(await deletedIds(c), before)
  const back = await reader.get('1.1.0')
  assert.equal(back?.digest, verdict(20015).name)
  assert.deepEqual(await reader.missingUnder('1.1.0'), [])
})

test('leaving for await stops the run between deletes; the same journal finishes it', async (t) => {
  const emu = await emulator(t)
  const c = client(emu)
  const plan = await c.retention.plan(OLD_RELEASES, { registryUrl: emu.registryUrl })
  const journal = journalPath(t)
  const run = c.retention.applyEvents(plan, { journal })
  let seen = 0
  for await (const event of run) {
    if (event.type === 'outcome') {
      seen += 1
      break
    }
  }
  assert.equal(seen, 1)
  // Leaving the loop waited for the run to end: its report is there.
  const first = run.report
  assert.equal(first.status, 'partial', JSON.stringify(first))
  assert.ok(first.counts.deleted >= 1 && first.counts.deleted < 7, JSON.stringify(first.counts))
  assert.equal(first.counts.deleted + first.counts.not_attempted, 7)
  assert.deepEqual(first.resume, { journal, remaining: first.counts.not_attempted })
  assert.equal(first.verify, undefined, 'a stopped run does not verify')
  const sent = deletesSent(emu)
  assert.equal(sent, first.counts.deleted)
  await sleep(500)
  assert.equal(deletesSent(emu), sent, 'nothing is deleted after the loop is left')
  assert.deepEqual(await run.next(), { value: undefined, done: true })

  const rest = await c.retention.apply(plan, { journal })
  assert.equal(rest.status, 'complete', JSON.stringify(rest))
  assert.equal(rest.counts.deleted, 7)
  assert.equal(deletesSent(emu), 7, 'each version is deleted once')
  assert.deepEqual(rest.verify, { checked_tags: 3, broken: [] })
})

test('stop() lets the events run on to a partial report', async (t) => {
  const emu = await emulator(t)
  const c = client(emu)
  const plan = await c.retention.plan(OLD_RELEASES, { registryUrl: emu.registryUrl })
  const run = c.retention.applyEvents(plan, { journal: journalPath(t), deletesPerMinute: 120 })
  const types = []
  for await (const event of run) {
    types.push(event.type)
    if (event.type === 'outcome') run.stop()
  }
  assert.equal(types.at(-1), 'report')
  assert.equal(run.report.status, 'partial')
  assert.ok(run.report.counts.not_attempted >= 1)
})

test('a lost journal is recovered from GitHub and undone', async (t) => {
  const emu = await emulator(t)
  const c = client(emu)
  const report = await c.retention.apply(await c.retention.plan(UI_KIT), { journal: journalPath(t) })
  assert.equal(report.counts.deleted, 2)
  const rebuilt = journalPath(t)
  const found = await c.retention.recover('npm', 'ui-kit', { org: 'acme', since: new Date(Date.now() - 3_600_000), journal: rebuilt })
  assert.equal(found, 2)
  const dry = await c.retention.undo(rebuilt, { dryRun: true })
  assert.deepEqual(dry.counts, { restorable: 2 })
  const undo = await c.retention.undo(rebuilt)
  assert.deepEqual(undo.counts, { restored: 2 })
  const deleted = await c.listVersions('npm', 'ui-kit', { org: 'acme', state: 'deleted' }).toArray()
  assert.equal(deleted.length, 0)
  // It writes a new journal only.
  const again = await rejection(c.retention.recover('npm', 'ui-kit', { org: 'acme', since: '2026-01-01T00:00:00Z', journal: rebuilt }))
  assert.equal(again.code, 'INVALID_ARGUMENT')
  const since = await rejection(c.retention.recover('npm', 'ui-kit', { org: 'acme', since: 'yesterday', journal: journalPath(t) }))
  assert.equal(since.code, 'INVALID_ARGUMENT')
})

/** Asserts `err` is a GhpkgError INVALID_ARGUMENT whose message matches `pattern`. */
function invalid(err, pattern) {
  assert.ok(err instanceof GhpkgError, `a GhpkgError, got ${err}`)
  assert.equal(err.code, 'INVALID_ARGUMENT')
  assert.match(err.message, pattern)
}

test('bad input gets a typed error and changes nothing', async (t) => {
  const emu = await emulator(t)
  const other = await emulator(t)
  const c = client(emu)
  const retention = c.retention
  const options = { registryUrl: emu.registryUrl }
  const before = await deletedIds(c)

  // Policies: an unknown field, a bad pattern, a bad duration.
  invalid(await rejection(retention.plan({ ...OLD_RELEASES, colour: 'blue' }, options)), /unknown field `colour`/)
  invalid(await rejection(retention.plan({ ...OLD_RELEASES, delete: [{ tags: ['re:['] }] }, options)), /delete\[0\]\.tags: pattern "re:\["/)
  invalid(await rejection(retention.plan({ ...OLD_RELEASES, min_age: '2 months' }, options)), /min_age/)
  invalid(await rejection(retention.plan(OLD_RELEASES, { ...options, colour: 1 })), /plan options .*unknown field `colour`/)
  invalid(await rejection(retention.plan(path.join(os.tmpdir(), 'no-such-policy.json'))), /cannot read the policy/)

  const plan = await retention.plan(OLD_RELEASES, options)
  const journal = journalPath(t)
  // A plan edited by hand: its policy no longer matches policy_hash,
  // whether a rule changed or the policy now names another org.
  const edited = plan.toJSON()
  edited.policy.min_age = '1m'
  invalid(
    (() => {
      try {
        Plan.fromJSON(edited)
      } catch (err) {
        return err
      }
    })(),
    /policy_hash/,
  )
  const elsewhere = { ...plan.toJSON(), policy: { ...plan.policy, owner: { org: 'initech' } } }
  invalid(await rejection(retention.apply(elsewhere, { journal })), /policy_hash/)
  invalid(await rejection(retention.apply(JSON.stringify(elsewhere), { journal })), /policy_hash/)
  // A plan made against another host, or with another user's token.
  invalid(await rejection(client(other).retention.apply(plan, { journal })), /was made against/)
  const hubot = client(emu, { token: tokens.hubot })
  invalid(await rejection(hubot.retention.apply(plan, { journal })), /octocat's token/)
  // A journal that is not one: apply and undo refuse it and leave it as it was.
  for (const text of ['# notes\nnot a journal\n', '{"hello": "world"}\n']) {
    const notAJournal = journalPath(t)
    writeFileSync(notAJournal, text)
    invalid(await rejection(retention.apply(plan, { journal: notAJournal })), /is not a ghpkg journal/)
    invalid(await rejection(retention.undo(notAJournal)), /is not a ghpkg journal/)
    assert.equal(readFileSync(notAJournal, 'utf8'), text)
  }
  // Bad options: the core names the field; applyEvents reports them on the first next().
  invalid(await rejection(retention.apply(plan, { journal, maxDeletes: -1 })), /max_deletes/)
  invalid(await rejection(retention.apply(plan, { jurnal: journal })), /unknown field `jurnal`/)
  invalid(await rejection(retention.apply(plan, {})), /missing field `journal`/)
  invalid(await rejection(retention.undo(journal, { dryRun: 'yes' })), /dry_run/)
  const run = retention.applyEvents(plan, { journal, onVerifyFailure: 'shrug' })
  invalid(await rejection(run.next()), /on_verify_failure/)
  assert.deepEqual(await run.next(), { value: undefined, done: true })
  // Wrong types are TypeErrors, as everywhere in the package.
  for (const promise of [retention.plan(42), retention.apply(plan, 'journal.jsonl'), retention.undo(7), retention.verify([])]) {
    const err = await rejection(promise)
    assert.ok(err instanceof TypeError)
    assert.equal(err.code, 'ERR_INVALID_ARG_TYPE')
  }
  assert.throws(() => retention.applyEvents(42, { journal }), { code: 'ERR_INVALID_ARG_TYPE' })

  assert.equal(deletesSent(emu) + deletesSent(other), 0, 'nothing was deleted')
  assert.deepEqual(await deletedIds(c), before)
  assert.equal(existsSync(journal), false, 'no journal was written')
})

test('a plan whose packages were pointed at another owner by hand is refused', async (t) => {
  const emu = await emulator(t)
  const c = client(emu)
  const plan = await c.retention.plan(OLD_RELEASES, { registryUrl: emu.registryUrl })
  const edited = plan.toJSON()
  edited.packages[0].owner = { user: 'octocat' }
  assert.throws(() => Plan.fromJSON(edited), { code: 'INVALID_ARGUMENT' })
})

test('a one-line file that is not a journal is refused', async (t) => {
  const emu = await emulator(t)
  const c = client(emu)
  const notAJournal = journalPath(t)
  writeFileSync(notAJournal, 'not a journal\n')
  const plan = await c.retention.plan(UI_KIT)
  invalid(await rejection(c.retention.apply(plan, { journal: notAJournal })), /is not a ghpkg journal/)
  assert.equal(deletesSent(emu), 0)
})
