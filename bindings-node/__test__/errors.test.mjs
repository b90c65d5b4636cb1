// Every error code, with its fields, from real answers of the emulator.
import test from 'node:test'
import assert from 'node:assert/strict'
import util from 'node:util'
import { GhpkgError, ErrorCode, errorKinds } from 'ghpkg'
import { emulator, client, tokens, rejection } from './helpers.mjs'

const acme = { org: 'acme' }

test('the error table is the core one, walked whole', () => {
  const table = errorKinds()
  assert.deepEqual(
    table.map((k) => [k.kind, k.code, k.number, k.retryable]),
    [
      ['InvalidArgument', 'INVALID_ARGUMENT', 1, false],
      ['Authentication', 'AUTHENTICATION', 2, false],
      ['PermissionDenied', 'PERMISSION_DENIED', 3, false],
      ['NotFound', 'NOT_FOUND', 4, false],
      ['Rejected', 'REJECTED', 5, false],
      ['RateLimited', 'RATE_LIMITED', 6, true],
      ['Server', 'SERVER', 7, true],
      ['Timeout', 'TIMEOUT', 8, true],
      ['Transport', 'TRANSPORT', 9, true],
      ['Decode', 'DECODE', 10, false],
      ['Closed', 'CLOSED', 11, false],
    ],
  )
  for (const k of table) {
    assert.equal(k.bindingCode, k.code, `the binding maps ${k.kind} like the core`)
    assert.equal(ErrorCode[k.code], k.code)
    assert.ok(k.description.length > 0)
  }
  assert.equal(Object.keys(ErrorCode).length, table.length)
  assert.ok(Object.isFrozen(ErrorCode))
})

/** Checks the fields every GhpkgError has. */
function check(err, code, status) {
  assert.ok(err instanceof GhpkgError, `${err}`)
  assert.ok(err instanceof Error)
  assert.equal(err.name, 'GhpkgError')
  assert.equal(err.code, code, err.message)
  assert.equal(err.status, status)
  assert.equal(typeof err.message, 'string')
  assert.equal(typeof err.detail, 'string')
  assert.ok(err.detail.length > 0)
  assert.match(err.stack, /GhpkgError/)
  for (const key of ['requestId', 'documentationUrl', 'retryAfter', 'rateLimit', 'hint']) {
    assert.ok(key in err, `${key} is always present`)
  }
  assert.equal(err.retryable, ['RATE_LIMITED', 'SERVER', 'TIMEOUT', 'TRANSPORT'].includes(code))
  return err
}

test('every error code is reachable, with its fields', async (t) => {
  const emu = await emulator(t)
  const c = client(emu)
  const quick = client(emu, { maxRateLimitWaitMs: 0, maxRetries: 0, timeoutMs: 300 })
  const seen = new Set()
  const expect = async (promise, code, status) => {
    const err = check(await rejection(promise), code, status)
    seen.add(err.code)
    return err
  }

  const invalid = await expect(c.getPackage('container', '', acme), 'INVALID_ARGUMENT', null)
  assert.equal(invalid.requestId, null)

  const unauthorized = await expect(
    client(emu, { token: 'ghp_not_a_real_token' }).getPackage('container', 'api/server', acme),
    'AUTHENTICATION',
    401,
  )
  assert.ok(!util.inspect(unauthorized).includes('not_a_real'))
  assert.ok(!unauthorized.message.includes('not_a_real'))

  const forbidden = await expect(
    client(emu, { token: tokens.readOnly }).deletePackage('container', 'api/server', acme),
    'PERMISSION_DENIED',
    403,
  )
  assert.match(forbidden.hint, /scope/)

  const notFound = await expect(c.getPackage('container', 'no-such-package', acme), 'NOT_FOUND', 404)
  assert.equal(notFound.detail, 'Package not found.')
  assert.match(notFound.documentationUrl, /^https:\/\/docs\.github\.com\//)
  assert.equal(typeof notFound.requestId, 'string')
  assert.ok(notFound.message.includes(notFound.requestId))
  assert.equal(typeof notFound.rateLimit.limit, 'number')
  assert.equal(notFound.rateLimit.resource, 'core')

  const rejected = await expect(c.deleteVersion('container', 'only-tag', 20081, acme), 'REJECTED', 400)
  assert.match(rejected.detail, /last tagged version/)

  emu.inject({ kind: 'primary_rate_limit', reset_in_seconds: 3600 })
  const limited = await expect(quick.getPackage('container', 'x', acme), 'RATE_LIMITED', 403)
  assert.equal(limited.rateLimit.remaining, 0)
  assert.ok(limited.retryAfter > 3000 && limited.retryAfter <= 3602, `retryAfter ${limited.retryAfter}`)
  assert.ok(Date.parse(limited.rateLimit.reset) > Date.now())

  emu.inject({ kind: 'status', status: 500 })
  const server = await expect(quick.getPackage('container', 'x', acme), 'SERVER', 500)
  assert.equal(server.detail, 'Server Error')

  emu.inject({ kind: 'latency', delay_ms: 3000 })
  await expect(quick.getPackage('container', 'x', acme), 'TIMEOUT', null)

  emu.inject({ kind: 'drop_connection' })
  await expect(quick.getPackage('container', 'x', acme), 'TRANSPORT', null)

  emu.inject({ kind: 'malformed_json' })
  await expect(quick.getPackage('container', 'x', acme), 'DECODE', 200)

  const closed = client(emu)
  closed.close()
  const before = emu.requests().length
  await expect(closed.getPackage('container', 'api/server', acme), 'CLOSED', null)
  assert.equal(emu.requests().length, before, 'a closed client sends nothing')

  assert.deepEqual([...seen].sort(), Object.keys(ErrorCode).sort())
})

test('secondary rate limits carry retryAfter', async (t) => {
  const emu = await emulator(t)
  const quick = client(emu, { maxRateLimitWaitMs: 0 })
  for (const status of [403, 429]) {
    emu.inject({ kind: 'secondary_rate_limit', status, retry_after_seconds: 30 })
    const err = check(await rejection(quick.getPackage('container', 'api/server', acme)), 'RATE_LIMITED', status)
    assert.equal(err.retryAfter, 30)
  }
})

test('a short rate limit is waited out', async (t) => {
  const emu = await emulator(t)
  const c = client(emu)
  emu.inject({ kind: 'secondary_rate_limit', status: 429, retry_after_seconds: 1 })
  const start = performance.now()
  const pkg = await c.getPackage('container', 'api/server', acme)
  assert.equal(pkg.name, 'api/server')
  assert.ok(performance.now() - start >= 900)
})

test('server errors and dropped connections are retried for reads', async (t) => {
  const emu = await emulator(t)
  const c = client(emu)
  emu.inject({ kind: 'status', status: 502, times: 2 })
  assert.equal((await c.getPackage('container', 'api/server', acme)).id, 2001)
  emu.inject({ kind: 'drop_connection' })
  emu.inject({ kind: 'truncated_body' })
  assert.equal((await c.getPackage('container', 'api/server', acme)).id, 2001)
  const statuses = emu.requests().map((r) => r.status)
  assert.deepEqual(statuses.slice(0, 3), [502, 502, 200])
  // A delete is not retried after a 5xx.
  emu.clearRequests()
  emu.inject({ kind: 'status', status: 503, method: 'DELETE' })
  const err = await rejection(c.deleteVersion('container', 'api/server', 20012, acme))
  assert.equal(err.code, 'SERVER')
  assert.equal(emu.requests().length, 1)
})

test('token kinds GitHub refuses are explained', async (t) => {
  const emu = await emulator(t)
  const fine = await rejection(client(emu, { token: tokens.fineGrained }).getPackage('container', 'api/server', acme))
  assert.equal(fine.code, 'PERMISSION_DENIED')
  assert.match(fine.hint, /fine-grained/)
  const actions = await rejection(client(emu, { token: tokens.actions }).listPackages('container', acme).toArray())
  assert.equal(actions.code, 'REJECTED')
  assert.match(actions.hint, /cannot list packages/)
  const app = await rejection(client(emu, { token: tokens.app }).getPackage('container', 'api/server', acme))
  assert.equal(app.code, 'PERMISSION_DENIED')
  assert.match(app.hint, /App/)
  const hubot = await rejection(client(emu, { token: tokens.hubot }).deletePackage('container', 'api/server', acme))
  assert.equal(hubot.code, 'PERMISSION_DENIED')
})

test('rules GitHub enforces are REJECTED, and nothing is deleted', async (t) => {
  const emu = await emulator(t)
  const c = client(emu)
  const last = await rejection(c.deleteVersion('npm', 'single-version', 20091, acme))
  assert.equal(last.code, 'REJECTED')
  assert.match(last.detail, /last version/)
  const popular = await rejection(c.deleteVersion('npm', 'hello-world', 10011))
  assert.equal(popular.code, 'REJECTED')
  assert.match(popular.detail, /5,?000/)
  assert.equal((await rejection(c.deletePackage('npm', 'hello-world'))).code, 'REJECTED')
  assert.equal((await c.getPackage('npm', 'hello-world')).versionCount, 3)
  // Deleted more than 30 days ago: gone for good.
  await c.deletePackage('container', 'service-001', acme)
  emu.advanceClock(31 * 24 * 3600 * 1000)
  assert.equal((await rejection(c.restorePackage('container', 'service-001', acme))).code, 'NOT_FOUND')
})

test('a client that cannot connect reports TRANSPORT', async (t) => {
  const emu = await emulator(t)
  const url = emu.url
  await emu.shutdown()
  const c = client(emu, { baseUrl: url, maxRetries: 0 })
  const err = await rejection(c.getPackage('container', 'api/server', acme))
  assert.equal(err.code, 'TRANSPORT')
  assert.equal(err.status, null)
})

test('GhpkgError shows its fields in util.inspect and JSON', async (t) => {
  const emu = await emulator(t)
  const err = await rejection(client(emu).getPackage('container', 'nope', acme))
  const json = JSON.parse(JSON.stringify(err))
  assert.equal(json.code, 'NOT_FOUND')
  assert.equal(json.status, 404)
  assert.match(util.inspect(err), /code: 'NOT_FOUND'/)
})
