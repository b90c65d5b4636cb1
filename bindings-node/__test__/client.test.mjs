// Credentials from the environment, and a token that never shows.
import test from 'node:test'
import assert from 'node:assert/strict'
import util from 'node:util'
import { Client } from 'ghpkg'
import { client, emulator, rejection, tokens } from './helpers.mjs'

const ENV = ['GITHUB_TOKEN', 'GH_TOKEN', 'STACKQL_GITHUB_USERNAME', 'STACKQL_GITHUB_PASSWORD', 'GITHUB_API_URL']

/** Runs `fn` with exactly `vars` among the credential variables, then restores them. */
async function withEnv(vars, fn) {
  const saved = Object.fromEntries(ENV.map((k) => [k, process.env[k]]))
  for (const k of ENV) delete process.env[k]
  Object.assign(process.env, vars)
  try {
    return await fn()
  } finally {
    for (const k of ENV) {
      if (saved[k] === undefined) delete process.env[k]
      else process.env[k] = saved[k]
    }
  }
}

test('credentials and base URL come from the environment like the core', async (t) => {
  const emu = await emulator(t)
  const lastAuth = () => emu.requests().at(-1).headers.authorization

  await withEnv({ GITHUB_TOKEN: tokens.demo, GH_TOKEN: tokens.readOnly, GITHUB_API_URL: emu.url }, async () => {
    const c = new Client()
    assert.equal(c.baseUrl, emu.url)
    assert.equal(c.tokenKind, 'classic')
    await c.getPackage('container', 'api/server', { org: 'acme' })
    assert.equal(lastAuth(), `Bearer ${tokens.demo}`, 'GITHUB_TOKEN comes first')
    // Explicit options win over the environment.
    const explicit = new Client({ token: tokens.oauth, baseUrl: emu.url })
    assert.equal(explicit.tokenKind, 'oauth')
    await explicit.getPackage('container', 'api/server', { org: 'acme' })
    assert.equal(lastAuth(), `Bearer ${tokens.oauth}`)
    const anonymous = new Client({ anonymous: true })
    assert.equal(anonymous.tokenKind, 'none')
    assert.equal(anonymous.baseUrl, emu.url)
  })

  await withEnv({ GH_TOKEN: tokens.readOnly, GITHUB_API_URL: emu.url }, async () => {
    await new Client().getPackage('container', 'api/server', { org: 'acme' })
    assert.equal(lastAuth(), `Bearer ${tokens.readOnly}`, 'then GH_TOKEN')
  })

  await withEnv({ STACKQL_GITHUB_USERNAME: 'octocat', STACKQL_GITHUB_PASSWORD: tokens.demo, GITHUB_API_URL: emu.url }, async () => {
    await new Client().getPackage('container', 'api/server', { org: 'acme' })
    assert.equal(lastAuth(), `Basic ${Buffer.from(`octocat:${tokens.demo}`).toString('base64')}`, 'then StackQL Basic')
  })

  await withEnv({ GITHUB_TOKEN: '  ', GITHUB_API_URL: emu.url }, async () => {
    const c = new Client()
    assert.equal(c.tokenKind, 'none', 'an empty variable counts as unset')
    await assert.rejects(c.listPackages('container').toArray(), { code: 'AUTHENTICATION' })
  })

  await withEnv({}, () => {
    assert.equal(new Client().baseUrl, 'https://api.github.com')
  })
})

test('the token never shows: inspect, console, JSON, keys, errors', async (t) => {
  const emu = await emulator(t)
  const secret = 'ghp_SuperSecretValue0123456789abcdefABCD'
  const c = new Client({ token: secret, baseUrl: emu.url, maxRetries: 0 })
  const shown = [
    util.inspect(c),
    util.inspect(c, { showHidden: true, depth: Infinity, getters: true }),
    util.format('%o %O %s %j', c, c, c, c),
    JSON.stringify(c),
    JSON.stringify({ nested: [c] }),
    String(c),
    Object.keys(c).join(),
    Reflect.ownKeys(c).map(String).join(),
    Object.getOwnPropertyNames(Object.getPrototypeOf(c)).join(),
  ]
  for (const s of shown) assert.ok(!s.includes('SuperSecret'), s)
  assert.equal(util.inspect(c), `Client { baseUrl: '${emu.url}', tokenKind: 'classic' }`)
  assert.deepEqual(JSON.parse(JSON.stringify(c)), { baseUrl: emu.url, tokenKind: 'classic' })
  const err = await c.getPackage('container', 'x', { org: 'acme' }).catch((e) => e)
  assert.equal(err.code, 'AUTHENTICATION')
  for (const s of [util.inspect(err, { showHidden: true, depth: Infinity }), JSON.stringify(err), err.stack]) {
    assert.ok(!s.includes('SuperSecret'), s)
  }
  // Basic credentials likewise.
  const basic = new Client({ token: secret, username: 'octocat', baseUrl: emu.url })
  assert.ok(!util.inspect(basic, { showHidden: true }).includes('SuperSecret'))
})

test('the rate limit of the last response is kept', async (t) => {
  const emu = await emulator(t)
  const c = emu.client()
  assert.equal(c.rateLimit, null)
  await c.getPackage('container', 'api/server', { org: 'acme' })
  const rl = c.rateLimit
  assert.equal(rl.limit, 5000)
  assert.equal(rl.remaining, rl.limit - rl.used)
  assert.equal(rl.resource, 'core')
  assert.ok(Date.parse(rl.reset) > Date.parse(emu.now()) - 1000)
})

test('the user agent can be set', async (t) => {
  const emu = await emulator(t)
  await emu.client({ userAgent: 'my-cleanup/1.0' }).getPackage('container', 'api/server', { org: 'acme' })
  assert.equal(emu.requests()[0].headers['user-agent'], 'my-cleanup/1.0')
})

test('close(): later calls reject with CLOSED, started listings keep working', async (t) => {
  const emu = await emulator(t)
  const c = client(emu, { perPage: 10 })
  const listing = c.listPackages('container', { org: 'acme' })
  const first = await listing.next()
  assert.equal(first.done, false)
  assert.equal(c.closed, false)
  c.close()
  c.close() // twice is harmless
  assert.equal(c.closed, true)
  assert.equal(c.baseUrl, null)
  assert.deepEqual(c.toJSON(), { closed: true })
  const before = emu.requests().length
  const err = await rejection(c.getPackage('container', 'api/server', { org: 'acme' }))
  assert.equal(err.code, 'CLOSED')
  assert.equal(err.retryable, false)
  assert.throws(() => c.listPackages('npm'), { code: 'CLOSED' })
  assert.equal(emu.requests().length, before, 'nothing is sent once closed')
  const rest = await listing.toArray()
  assert.ok(rest.length > 250, 'the listing started before close() goes on')
})
