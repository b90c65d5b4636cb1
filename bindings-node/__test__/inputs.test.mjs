// Wrong-typed arguments are TypeErrors; bad values are INVALID_ARGUMENT
// before any request; hostile names never change the endpoint.
import test from 'node:test'
import util from 'node:util'
import assert from 'node:assert/strict'
import { Client, Emulator, GhpkgError } from 'ghpkg'
import { emulator, client, calls, rejection, tokens } from './helpers.mjs'

const acme = { org: 'acme' }

function isTypeError(err) {
  assert.ok(err instanceof TypeError, `${err}`)
  assert.equal(err.code, 'ERR_INVALID_ARG_TYPE')
  return true
}

function isInvalid(err) {
  assert.ok(err instanceof GhpkgError, `${err}`)
  assert.equal(err.code, 'INVALID_ARGUMENT')
  assert.equal(err.status, null)
  return true
}

test('wrong argument types reject with TypeError, before any request', async (t) => {
  const emu = await emulator(t)
  const c = client(emu)
  const cases = [
    () => c.getPackage(1, 'x'),
    () => c.getPackage('container', null),
    () => c.getPackage('container', undefined),
    () => c.getPackage('container', { name: 'x' }),
    () => c.getPackage('container', 'x', 'acme'),
    () => c.getPackage('container', 'x', ['acme']),
    () => c.getPackage('container', 'x', { org: 5 }),
    () => c.getPackage('container', 'x', { org: ['acme'] }),
    () => c.getPackage('container', 'x', { organization: 'acme' }),
    () => c.getPackage('container', 'x', { org: 'acme', visibility: 'public' }),
    () => c.deletePackage('container', Symbol('x')),
    () => c.deletePackage('container', 'x', { owner: 'acme' }),
    () => c.restorePackage('container', 'x', { token: 1 }),
    () => c.getVersion('container', 'api/server', {}, acme),
    () => c.getVersion('container', 'api/server', null, acme),
    () => c.getVersion('container', 'api/server', true, acme),
    () => c.deleteVersion('container', 'api/server', () => 1, acme),
    () => c.restoreVersion('container', 'api/server', [1], acme),
    () => c.catalogSelect(1, {}),
    () => c.catalogSelect('packages', 'org=acme'),
    () => c.catalogSelect('packages', { org: () => 'acme' }),
    () => c.catalogSelect('packages', { org: Symbol('acme') }),
    () => c.catalogSelect('packages', { package_version_id: NaN }),
    () => c.catalogDelete('packages', [1]),
    () => c.catalogExec('packages', 5, {}),
  ]
  for (const call of cases) {
    const result = call()
    assert.ok(result instanceof Promise, `${call} returns a promise`)
    isTypeError(await rejection(result))
  }
  // Listings are made synchronously, so their type errors are thrown.
  for (const call of [
    () => c.listPackages(42),
    () => c.listPackages('container', { visibility: 1 }),
    () => c.listPackages('container', { org: 'acme', state: 'active' }),
    () => c.listVersions('container', 7),
    () => c.listVersions('container', 'x', { state: false }),
    () => c.dockerConflicts('acme'),
  ]) {
    assert.throws(call, isTypeError)
  }
  assert.deepEqual(calls(emu), [])
})

test('bad values are INVALID_ARGUMENT, before any request', async (t) => {
  const emu = await emulator(t)
  const c = client(emu)
  const cases = [
    () => c.getPackage('containers', 'x', acme),
    () => c.getPackage('', 'x', acme),
    () => c.getPackage('container', '', acme),
    () => c.getPackage('container', '  ', acme),
    () => c.getPackage('container', '..', acme),
    () => c.getPackage('container', 'a\nb', acme),
    () => c.getPackage('container', 'a\0b', acme),
    () => c.getPackage('container', 'x', { org: '' }),
    () => c.getPackage('container', 'x', { user: '..' }),
    () => c.getPackage('container', 'x', { org: 'acme', user: 'octocat' }),
    () => c.getVersion('container', 'api/server', 0, acme),
    () => c.getVersion('container', 'api/server', -1, acme),
    () => c.getVersion('container', 'api/server', 1.5, acme),
    () => c.getVersion('container', 'api/server', NaN, acme),
    () => c.getVersion('container', 'api/server', Infinity, acme),
    () => c.getVersion('container', 'api/server', -5n, acme),
    () => c.getVersion('container', 'api/server', '12abc', acme),
    () => c.getVersion('container', 'api/server', ' 1', acme),
    () => c.getVersion('container', 'api/server', '', acme),
    () => c.getVersion('container', 'api/server', '99999999999999999999999', acme),
    () => c.restorePackage('container', 'x', { org: 'acme', token: '' }),
    () => c.listPackages('containr', acme).toArray(),
    () => c.listPackages('container', { org: 'acme', visibility: 'secret' }).toArray(),
    () => c.listPackages('container', { org: '' }).toArray(),
    () => c.listVersions('container', '', acme).toArray(),
    () => c.listVersions('container', 'api/server', { org: 'acme', state: 'gone' }).toArray(),
    () => c.dockerConflicts({ org: 'a/b', user: 'x' }).toArray(),
    () => c.catalogSelect('pkgs', { org: 'acme', package_type: 'container' }),
    () => c.catalogSelect('packages', {}),
    () => c.catalogSelect('packages', { org: 'acme', package_type: 'container', colour: 'red' }),
    () => c.catalogDelete('packages', { org: 'acme', package_type: 'npm' }),
    () => c.catalogExec('packages', 'drop_everything', {}),
  ]
  for (const call of cases) isInvalid(await rejection(call()))
  assert.deepEqual(calls(emu), [])
  const err = await rejection(c.getPackage('containers', 'x'))
  assert.match(err.message, /npm, maven, rubygems, docker, nuget, container/)
  // Ids above 2^53 lose precision as numbers: a RangeError says to use a bigint.
  const big = await rejection(c.getVersion('container', 'api/server', 2 ** 60, acme))
  assert.ok(big instanceof RangeError)
  assert.equal(big.code, 'ERR_OUT_OF_RANGE')
})

test('client options: wrong types throw TypeError, bad values INVALID_ARGUMENT', () => {
  for (const options of [
    'ghp_token',
    42,
    [],
    { token: 123 },
    { timeoutMs: '5000' },
    { perPage: 10n },
    { allowInsecureHttp: 'yes' },
    { anonymous: 1 },
    { tokn: 'ghp_x' },
    { base_url: 'https://x' },
  ]) {
    assert.throws(() => new Client(options), isTypeError, util.inspect(options))
  }
  for (const options of [
    { token: '' },
    { token: 'a b' },
    { token: 'ghp_x\u0007' },
    { username: 'octocat' },
    { anonymous: true, token: 'ghp_x' },
    { baseUrl: 'ftp://example.com' },
    { baseUrl: 'not a url' },
    { baseUrl: 'http://ghe.example.com/api/v3' },
    { baseUrl: 'https://user:pw@example.com' },
    { perPage: 0 },
    { perPage: 101 },
    { timeoutMs: -1 },
    { timeoutMs: NaN },
    { maxRetries: 1.5 },
    { readAhead: Infinity },
    { maxRetries: 2 ** 40 },
  ]) {
    assert.throws(() => new Client(options), isInvalid, util.inspect(options))
  }
  const insecure = new Client({ baseUrl: 'http://ghe.example.com/api/v3', allowInsecureHttp: true, token: 'ghp_x' })
  assert.equal(insecure.baseUrl, 'http://ghe.example.com/api/v3')
  const ghes = new Client({ baseUrl: 'https://ghe.example.com/api/v3/', token: 'ghp_x', perPage: 50, readAhead: 2 })
  assert.equal(ghes.baseUrl, 'https://ghe.example.com/api/v3')
  assert.equal(ghes.perPage, 50)
  assert.equal(ghes.readAhead, 2)
  assert.equal(ghes.rateLimit, null)
  // null and undefined options mean "not given".
  assert.equal(new Client({ token: 'ghp_x', baseUrl: undefined, perPage: null }).perPage, 100)
})

test('hostile names reach exactly their package', async (t) => {
  const emu = await emulator(t)
  const c = client(emu)
  for (const [name, wire] of [
    ['my app', '/user/packages/container/my%20app'],
    ['café-ünïcode', '/user/packages/container/caf%C3%A9-%C3%BCn%C3%AFcode'],
    ['what?#hash', '/user/packages/container/what%3F%23hash'],
  ]) {
    emu.clearRequests()
    assert.equal((await c.getPackage('container', name)).name, name)
    assert.equal(emu.requests()[0].path, wire)
  }
  assert.equal((await c.getPackage('npm', '100%-pure')).name, '100%-pure')
  assert.equal((await c.getPackage('container', 'org-repo/sub/image', acme)).name, 'org-repo/sub/image')
  for (const hostile of ['../x', '..%2F..%2Fuser', 'a/../../b', 'x?page=2', 'x#frag', '%2e%2e', '\uD800', 'ß'.repeat(20_000)]) {
    emu.clearRequests()
    const err = await rejection(c.getPackage('container', hostile, acme))
    assert.ok(['NOT_FOUND', 'INVALID_ARGUMENT', 'REJECTED'].includes(err.code), `${err}`)
    for (const r of emu.requests()) {
      assert.ok(r.path.startsWith('/orgs/acme/packages/container/'), r.path)
      assert.equal(r.path.split('/').length, 6, `one segment: ${r.path.slice(0, 80)}`)
      assert.equal(r.query, null)
    }
  }
})

test('hostile option objects cannot smuggle values', async (t) => {
  const emu = await emulator(t)
  const c = client(emu)
  // A getter that throws: its error is the rejection.
  const boom = new Error('boom')
  const throwing = {
    get org() {
      throw boom
    },
  }
  assert.equal(await rejection(c.getPackage('container', 'api/server', throwing)), boom)
  // A getter is read once: it cannot say one thing to a check and another to the call.
  let reads = 0
  const flipping = {
    get org() {
      reads += 1
      return reads === 1 ? 'acme' : 5
    },
  }
  assert.equal((await c.getPackage('container', 'api/server', flipping)).name, 'api/server')
  assert.equal(reads, 1)
  // A JSON "__proto__" key is an unknown option, not a prototype.
  isTypeError(await rejection(c.getPackage('container', 'x', JSON.parse('{"__proto__": {"org": "acme"}}'))))
  // Inherited properties are not options.
  const inherited = Object.create({ org: 'acme' })
  emu.clearRequests()
  await rejection(c.getPackage('container', 'api/server', inherited))
  assert.equal(emu.requests()[0].path, '/user/packages/container/api%2Fserver')
  // Null-prototype objects and proxies are fine.
  const bare = Object.assign(Object.create(null), { org: 'acme' })
  assert.equal((await c.getPackage('container', 'api/server', bare)).id, 2001)
  const proxy = new Proxy({ org: 'acme' }, {})
  assert.equal((await c.getPackage('container', 'api/server', proxy)).id, 2001)
  // Circular catalog params are refused, not a stack overflow.
  const circular = { org: 'acme' }
  circular.self = circular
  isTypeError(await rejection(c.catalogSelect('packages', circular)))
})

test('the emulator checks its own inputs', async (t) => {
  assert.throws(() => new Emulator(), TypeError)
  for (const options of [
    { fixture: 'not json' },
    { fixture: { packages: [{ owner: 'x', name: 'y', package_type: 'nope' }] } },
    { fixtureFile: '/nonexistent/fixture.json' },
  ]) {
    const err = await rejection(Emulator.start(options))
    assert.equal(err.code, 'ERR_GHPKG_EMULATOR', `${err}`)
  }
  isTypeError(await rejection(Emulator.start({ latencyMs: '5' })))
  isTypeError(await rejection(Emulator.start({ port: 1, extra: true })))
  const emu = await emulator(t, { fixture: {} })
  // The emulator judges fault rules and says why it refuses one.
  assert.throws(() => emu.inject({ kind: 'nope' }), { code: 'ERR_GHPKG_EMULATOR', message: /unknown fault kind "nope"/ })
  assert.throws(() => emu.inject({ kind: 'redirect' }), { code: 'ERR_GHPKG_EMULATOR', message: /location/ })
  assert.throws(() => emu.inject({ kind: 'status', status: 42 }), /between 100 and 599/)
  assert.throws(() => emu.inject({ kind: 'status', status: 500, times: 0 }), /times must be at least 1/)
  assert.throws(() => emu.inject({ kind: 'status', status: 500, times: 1.5 }), /times/)
  assert.throws(() => emu.inject({ kind: 'status', status: 500, times: NaN }), { code: 'ERR_GHPKG_EMULATOR', message: /times/ })
  assert.throws(() => emu.inject({ kind: 'secondary_rate_limit', status: 500 }), /403 or 429/)
  assert.throws(() => emu.inject({ fault: 'status', status: 500 }), /unknown field `fault`/)
  assert.throws(() => emu.inject({ kind: 'status', retryAfter: 5, status: 500 }), /unknown field `retryAfter`/)
  assert.throws(() => emu.inject('status'), TypeError)
  assert.throws(() => emu.inject(null), TypeError)
  assert.throws(() => emu.setLatency('5'), TypeError)
  assert.throws(() => emu.setLatency(-5), /latency/)
  assert.throws(() => emu.setLinkHeaders(1), TypeError)
  assert.throws(() => emu.addPackage({ owner: 'x' }), /name/)
  await emu.shutdown()
  await emu.shutdown()
  assert.throws(() => emu.requests(), /shut down/)
})

test('extreme numbers are errors, never a crash', async (t) => {
  const emu = await emulator(t)
  for (const ms of [1e300, Number.MAX_VALUE, -0.5, NaN, Infinity]) {
    assert.throws(() => emu.setLatency(ms), { code: 'ERR_GHPKG_EMULATOR' }, String(ms))
    assert.throws(() => emu.advanceClock(ms), { code: 'ERR_GHPKG_EMULATOR' }, String(ms))
    assert.throws(() => emu.inject({ kind: 'latency', delay_ms: ms }), { code: 'ERR_GHPKG_EMULATOR' }, String(ms))
  }
  await assert.rejects(Emulator.start({ latencyMs: 1e300 }), { code: 'ERR_GHPKG_EMULATOR' })
  await assert.rejects(Emulator.start({ port: 70_000 }), { code: 'ERR_GHPKG_EMULATOR' })
  assert.throws(() => emu.inject({ kind: 'primary_rate_limit', reset_in_seconds: 1e300 }), { code: 'ERR_GHPKG_EMULATOR' })
  for (const n of [1e300, 2 ** 64, Number.MAX_SAFE_INTEGER + 2]) {
    assert.throws(() => new Client({ timeoutMs: n }), { code: 'INVALID_ARGUMENT' })
    assert.throws(() => new Client({ perPage: n }), { code: 'INVALID_ARGUMENT' })
  }
  // The largest accepted values work.
  const slow = new Client({
    baseUrl: emu.url,
    token: tokens.demo,
    timeoutMs: Number.MAX_SAFE_INTEGER,
    maxRateLimitWaitMs: Number.MAX_SAFE_INTEGER,
  })
  assert.equal((await slow.getPackage('container', 'api/server', acme)).id, 2001)
  const huge = await rejection(client(emu).getVersion('container', 'api/server', 2n ** 64n, acme))
  assert.equal(huge.code, 'INVALID_ARGUMENT')
  assert.equal((await rejection(client(emu).getVersion('container', 'api/server', 2n ** 64n - 1n, acme))).code, 'NOT_FOUND')
})

test('org and user together is the core error, and nothing is sent', async (t) => {
  const emu = await emulator(t)
  const err = await rejection(client(emu).getPackage('npm', 'hello-world', { org: 'acme', user: 'octocat' }))
  assert.equal(err.code, 'INVALID_ARGUMENT')
  assert.match(err.detail, /either an org or a user, not both/)
  assert.deepEqual(calls(emu), [])
})
