// The in-process emulator users start in their own tests.
import test from 'node:test'
import assert from 'node:assert/strict'
import util from 'node:util'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Emulator, Client } from 'ghpkg'
import { emulator, client, tokens, rejection } from './helpers.mjs'

const fixture = {
  users: [{ login: 'mona', id: 9 }],
  orgs: [{ login: 'tiny', id: 70, admins: ['mona'] }],
  tokens: [
    {
      token: 'ghp_monaMonaMonaMonaMonaMonaMonaMonaMona',
      user: 'mona',
      kind: 'classic',
      scopes: ['read:packages', 'delete:packages', 'write:packages'],
    },
  ],
  packages: [
    {
      owner: 'tiny',
      name: 'app',
      package_type: 'container',
      visibility: 'public',
      versions: [{ name: 'sha256:aa', tags: ['latest'] }, { name: 'sha256:bb' }],
    },
  ],
}

test('starts with a fixture object, JSON text or file, and the demo dataset by default', async (t) => {
  const demo = await emulator(t)
  assert.match(demo.url, /^http:\/\/127\.0\.0\.1:\d+$/)
  assert.equal(demo.token, Emulator.tokens.demo)
  assert.equal(util.inspect(demo), `Emulator { url: '${demo.url}' }`)
  assert.equal((await demo.client().getPackage('container', 'api/server', { org: 'acme' })).id, 2001)

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ghpkg-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const file = path.join(dir, 'fixture.json')
  fs.writeFileSync(file, JSON.stringify(fixture))
  for (const options of [{ fixture }, { fixture: JSON.stringify(fixture) }, { fixtureFile: file }]) {
    const emu = await emulator(t, options)
    const c = new Client({ baseUrl: emu.url, token: fixture.tokens[0].token })
    const [pkg] = await c.listPackages('container', { org: 'tiny' }).toArray()
    assert.equal(pkg.name, 'app')
    assert.equal(pkg.versionCount, 2)
    const versions = await c.listVersions('container', 'app', { org: 'tiny' }).toArray()
    assert.deepEqual(versions.map((v) => v.tags.length).sort(), [0, 1])
    // The emulator's default token is the fixture's first classic token.
    assert.equal(emu.token, fixture.tokens[0].token)
    assert.equal((await emu.client().getPackage('container', 'app', { org: 'tiny' })).name, 'app')
    // The demo token is unknown there.
    const demoToken = emu.client({ token: Emulator.tokens.demo })
    assert.equal((await rejection(demoToken.listPackages('container', { org: 'tiny' }).toArray())).code, 'AUTHENTICATION')
  }
  // Without a classic token there is no default token.
  const bare = await emulator(t, { fixture: { tokens: [{ token: 'ghs_appAppApp', user: 'app', kind: 'app' }] } })
  assert.equal(bare.token, null)
})

test('tokens of every kind are exported', () => {
  const t = Emulator.tokens
  assert.ok(Object.isFrozen(t))
  assert.deepEqual(Object.keys(t), ['demo', 'readOnly', 'noScopes', 'hubot', 'oauth', 'fineGrained', 'app', 'actions', 'userToServer'])
  assert.match(t.demo, /^ghp_/)
  assert.match(t.readOnly, /^ghp_/)
  assert.match(t.noScopes, /^ghp_/)
  assert.match(t.hubot, /^ghp_/)
  assert.match(t.oauth, /^gho_/)
  assert.match(t.fineGrained, /^github_pat_/)
  assert.match(t.app, /^ghs_/)
  assert.match(t.actions, /^ghs_/)
  assert.match(t.userToServer, /^ghu_/)
})

test('the request log records method, raw path, query, headers and status', async (t) => {
  const emu = await emulator(t)
  await client(emu).getPackage('container', 'my app')
  const [r] = emu.requests()
  assert.deepEqual(
    { method: r.method, path: r.path, query: r.query, status: r.status },
    { method: 'GET', path: '/user/packages/container/my%20app', query: null, status: 200 },
  )
  assert.equal(r.headers.authorization, `Bearer ${tokens.demo}`)
  emu.clearRequests()
  assert.deepEqual(emu.requests(), [])
})

test('latency, link headers, the clock and added data', async (t) => {
  const emu = await emulator(t, { latencyMs: 150, linkHeaders: false })
  const c = client(emu)
  let start = performance.now()
  await c.getPackage('container', 'api/server', { org: 'acme' })
  assert.ok(performance.now() - start >= 140)
  emu.setLatency(0)
  start = performance.now()
  await c.getPackage('container', 'api/server', { org: 'acme' })
  assert.ok(performance.now() - start < 140)

  emu.clearRequests()
  await c.listPackages('container', { org: 'acme' }).toArray()
  assert.ok(emu.requests().every((r) => r.status === 200))
  assert.equal(emu.requests().length, 3, 'paged by number without link headers')

  const before = Date.parse(emu.now())
  emu.advanceClock(24 * 3600 * 1000)
  assert.ok(Date.parse(emu.now()) - before >= 24 * 3600 * 1000)

  const id = emu.addPackage({ owner: 'acme', name: 'added/late', package_type: 'npm', visibility: 'public', versions: [{ name: '1.0.0' }] })
  assert.equal(typeof id, 'number')
  assert.equal((await c.getPackage('npm', 'added/late', { org: 'acme' })).id, id)
  emu.addToken({ token: 'ghp_addedAddedAddedAddedAddedAddedAdded1', user: 'hubot', kind: 'classic', scopes: ['read:packages'] })
  const hubot = client(emu, { token: 'ghp_addedAddedAddedAddedAddedAddedAdded1' })
  assert.equal((await hubot.scopes()).canDelete, false)
})

test('faults: counts, methods, paths, redirects', async (t) => {
  const emu = await emulator(t)
  const c = client(emu, { maxRetries: 0 })
  emu.inject({ kind: 'status', status: 404, path: 'api%2Fserver', method: 'GET', times: 2 })
  for (let i = 0; i < 2; i++) assert.equal((await rejection(c.getPackage('container', 'api/server', { org: 'acme' }))).code, 'NOT_FOUND')
  assert.equal((await c.getPackage('container', 'api/server', { org: 'acme' })).id, 2001)
  // Other paths are untouched by a path rule.
  emu.inject({ kind: 'status', status: 500, path: '/only-this', times: Infinity })
  assert.equal((await c.getPackage('container', 'only-tag', { org: 'acme' })).id, 2008)
  emu.clearFaults()
  // A same-origin redirect is followed with the token; one to another
  // origin (a second emulator) is followed without it.
  emu.inject({ kind: 'redirect', status: 301, location: `${emu.url}/orgs/acme/packages/container/only-tag`, path: 'moved' })
  assert.equal((await c.getPackage('container', 'moved', { org: 'acme' })).id, 2008)
  const other = await emulator(t)
  emu.inject({ kind: 'redirect', status: 307, location: `${other.url}/orgs/acme/packages/container/only-tag`, path: 'moved' })
  // Without the token the other origin refuses even a public package.
  const refused = await rejection(c.getPackage('container', 'moved', { org: 'acme' }))
  assert.equal(refused.code, 'AUTHENTICATION')
  assert.equal(refused.detail, 'Requires authentication')
  const [seen] = other.requests()
  assert.equal(seen.path, '/orgs/acme/packages/container/only-tag')
  assert.equal(seen.headers.authorization, undefined, 'the token stays with its origin')
})

test('faults are the JSON vocabulary: defaults, times and first match', async (t) => {
  const emu = await emulator(t)
  const c = client(emu, { maxRetries: 0, maxRateLimitWaitMs: 0 })
  const api = { org: 'acme' }
  // Rules apply in order, the first match wins; times absent means once.
  emu.inject({ kind: 'secondary_rate_limit', retry_after_seconds: 7, path: '/api%2Fserver' })
  emu.inject({ kind: 'status', status: 502, path: '/orgs/acme', times: null })
  const limited = await rejection(c.getPackage('container', 'api/server', api))
  assert.equal(limited.code, 'RATE_LIMITED')
  assert.equal(limited.status, 403, 'the secondary limit answers 403 by default')
  assert.equal(limited.retryAfter, 7)
  for (let i = 0; i < 3; i++) assert.equal((await rejection(c.getPackage('container', 'api/server', api))).status, 502)
  emu.clearFaults()
  // undefined fields are left out; Infinity is forever.
  emu.inject({ kind: 'status', status: 503, method: 'get', path: undefined, times: Infinity })
  for (let i = 0; i < 2; i++) assert.equal((await rejection(c.getPackage('container', 'only-tag', api))).status, 503)
  emu.clearFaults()
  emu.inject({ kind: 'primary_rate_limit', reset_in_seconds: 3600 })
  const primary = await rejection(c.getPackage('container', 'only-tag', api))
  assert.equal(primary.code, 'RATE_LIMITED')
  assert.equal(primary.rateLimit.remaining, 0)
  assert.equal((await c.getPackage('container', 'only-tag', api)).id, 2008)
})

test("the emulator's own secondary limit trips on a burst of deletes", async (t) => {
  const emu = await emulator(t, { secondaryPointsPerMinute: 10 })
  const c = client(emu, { maxRateLimitWaitMs: 0 })
  await c.deletePackage('container', 'service-001', { org: 'acme' })
  await c.deletePackage('container', 'service-002', { org: 'acme' })
  const err = await rejection(c.deletePackage('container', 'service-003', { org: 'acme' }))
  assert.equal(err.code, 'RATE_LIMITED')
  emu.resetRateLimits()
  emu.setSecondaryPointsPerMinute(1000)
  await c.deletePackage('container', 'service-003', { org: 'acme' })
})

/** One request to the emulator's registry origin. */
async function registry(emu, path, { method = 'GET', bearer, basic } = {}) {
  const headers = {}
  if (bearer !== undefined) headers.authorization = `Bearer ${bearer}`
  if (basic !== undefined) headers.authorization = `Basic ${Buffer.from(`x:${basic}`).toString('base64')}`
  const res = await fetch(`${emu.registryUrl}${path}`, { method, headers })
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) }
}

async function pullToken(emu, name, token) {
  const r = await registry(emu, `/token?scope=repository:${name}:pull`, { basic: token })
  assert.equal(r.status, 200, r.body.toString())
  return JSON.parse(r.body.toString()).token
}

const sha256 = async (bytes) => {
  const { createHash } = await import('node:crypto')
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`
}

test('the registry origin: the challenge, tokens, manifests, registry faults', async (t) => {
  const emu = await emulator(t)
  assert.match(emu.registryUrl, /^http:\/\/127\.0\.0\.1:\d+$/)
  assert.notEqual(emu.registryUrl, emu.url)
  const challenged = await registry(emu, '/v2/acme/api/server/manifests/latest')
  assert.equal(challenged.status, 401)
  assert.equal(
    challenged.headers.get('www-authenticate'),
    `Bearer realm="${emu.registryUrl}/token",service="${emu.registryUrl.slice(7)}",scope="repository:acme/api/server:pull"`,
  )
  const bearer = await pullToken(emu, 'acme/api/server', emu.token)
  const r = await registry(emu, '/v2/acme/api/server/manifests/latest', { bearer })
  assert.equal(r.status, 200)
  const digest = await sha256(r.body)
  assert.equal(r.headers.get('docker-content-digest'), digest)
  const v = await emu.client().getVersion('container', 'api/server', 5_000_000_001, { org: 'acme' })
  assert.equal(v.name, digest)
  assert.ok(
    emu.requests().some((req) => req.path === '/token'),
    'registry requests are logged',
  )
  // Registry faults, and link_header on the API.
  emu.inject({ kind: 'digest_mismatch', path: '/manifests/' })
  const bad = await registry(emu, '/v2/acme/api/server/manifests/latest', { bearer })
  assert.equal(bad.headers.get('docker-content-digest'), digest)
  assert.notEqual(await sha256(bad.body), digest)
  emu.inject({ kind: 'foreign_realm', path: '/v2/' })
  const foreign = await registry(emu, '/v2/')
  assert.ok(foreign.headers.get('www-authenticate').startsWith(`Bearer realm="${emu.url}/token"`))
  emu.inject({ kind: 'token_expired', path: '/v2/' })
  assert.equal((await registry(emu, '/v2/', { bearer })).status, 401)
  emu.inject({ kind: 'link_header', value: '<<not a url>>; rel=next; garbage', path: '/orgs/acme/packages' })
  const res = await fetch(`${emu.url}/orgs/acme/packages?package_type=npm`, {
    headers: { authorization: `Bearer ${emu.token}`, 'user-agent': 'ghpkg-tests' },
  })
  assert.equal(res.headers.get('link'), '<<not a url>>; rel=next; garbage')
  assert.throws(() => emu.inject({ kind: 'link_header' }), { code: 'ERR_GHPKG_EMULATOR', message: /needs `value`/ })
})

const popular = {
  tokens: [{ token: 'ghp_owner', user: 'owner', kind: 'classic', scopes: ['read:packages', 'delete:packages'] }],
  packages: [
    {
      owner: 'owner',
      name: 'app',
      package_type: 'container',
      visibility: 'public',
      versions: [
        {
          id: 1,
          tags: ['latest'],
          manifest: { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] },
        },
        {
          id: 2,
          downloads: 5000,
          manifest: { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', layers: [] },
        },
      ],
    },
  ],
}

test('the registry switches: HEAD as a download, tags on restore', async (t) => {
  for (const headCountsAsDownload of [false, true]) {
    const emu = await emulator(t, { fixture: popular, headCountsAsDownload })
    const c = emu.client()
    const { name } = await c.getVersion('container', 'app', 2, { user: 'owner' })
    const bearer = await pullToken(emu, 'owner/app')
    const head = await registry(emu, `/v2/owner/app/manifests/${name}`, { method: 'HEAD', bearer })
    assert.equal(head.status, 200)
    assert.equal(head.body.length, 0)
    // At 5,001 downloads a public version cannot be deleted.
    if (headCountsAsDownload) {
      assert.equal((await rejection(c.deleteVersion('container', 'app', 2, { user: 'owner' }))).code, 'REJECTED')
    } else {
      await c.deleteVersion('container', 'app', 2, { user: 'owner' })
    }
  }
  const emu = await emulator(t, { restoreReattachesTags: false })
  const c = emu.client()
  const acme = { org: 'acme' }
  await c.deleteVersion('container', 'api/server', 20016, acme)
  await c.restoreVersion('container', 'api/server', 20016, acme)
  assert.deepEqual((await c.getVersion('container', 'api/server', 20016, acme)).tags, [])
  emu.setRestoreReattachesTags(true)
  await c.deleteVersion('container', 'api/server', 20015, acme)
  await c.restoreVersion('container', 'api/server', 20015, acme)
  assert.deepEqual((await c.getVersion('container', 'api/server', 20015, acme)).tags, ['1.1.0'])
  emu.setHeadCountsAsDownload(true)
  assert.throws(() => emu.setHeadCountsAsDownload('yes'), { code: 'ERR_INVALID_ARG_TYPE' })
  await assert.rejects(Emulator.start({ headCountsAsDownload: 1 }), { code: 'ERR_INVALID_ARG_TYPE' })
})
