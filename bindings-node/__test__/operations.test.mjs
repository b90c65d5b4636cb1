// All nine operations for each of the three owners (27 endpoints), checked
// on both sides: what the client returned and what the emulator received.
import test from 'node:test'
import assert from 'node:assert/strict'
import { GhpkgError } from 'ghpkg'
import { emulator, client, calls, rejection } from './helpers.mjs'

const owners = [
  {
    label: 'an org',
    owner: { org: 'acme' },
    prefix: '/orgs/acme',
    name: 'api/server',
    encoded: 'api%2Fserver',
    untagged: 20012,
    conflict: 'legacy-api',
  },
  {
    label: 'the authenticated user',
    owner: undefined,
    prefix: '/user',
    name: 'what?#hash',
    encoded: 'what%3F%23hash',
    untagged: 10102,
    conflict: 'octo-image',
  },
  {
    label: 'a user',
    owner: { user: 'octocat' },
    prefix: '/users/octocat',
    name: 'hello-container',
    encoded: 'hello-container',
    untagged: 10063,
    conflict: 'octo-image',
  },
]

for (const o of owners) {
  test(`every operation for ${o.label}`, async (t) => {
    const emu = await emulator(t)
    const c = client(emu)

    const all = await c.listPackages('container', o.owner).toArray()
    assert.ok(
      all.some((p) => p.name === o.name),
      `${o.name} is listed`,
    )
    assert.ok(all.every((p) => p.packageType === 'container'))

    const pkg = await c.getPackage('container', o.name, o.owner)
    assert.equal(pkg.name, o.name)
    const before = pkg.versionCount

    const versions = await c.listVersions('container', o.name, o.owner).toArray()
    assert.equal(versions.length, before)
    const v = await c.getVersion('container', o.name, o.untagged, o.owner)
    assert.equal(v.id, o.untagged)
    assert.deepEqual(v.tags, [])
    assert.match(v.name, /^sha256:[0-9a-f]{64}$/)

    emu.clearRequests()
    assert.equal(await c.deleteVersion('container', o.name, o.untagged, o.owner), undefined)
    const deleted = await c.listVersions('container', o.name, { ...o.owner, state: 'deleted' }).toArray()
    const gone = deleted.find((x) => x.id === o.untagged)
    assert.ok(gone, 'the deleted version is listed as deleted')
    assert.match(gone.deletedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    assert.equal(await c.restoreVersion('container', o.name, BigInt(o.untagged), o.owner), undefined)
    assert.equal((await c.getPackage('container', o.name, o.owner)).versionCount, before)

    await c.deletePackage('container', o.name, o.owner)
    const err = await rejection(c.getPackage('container', o.name, o.owner))
    assert.ok(err instanceof GhpkgError)
    assert.equal(err.code, 'NOT_FOUND')
    await c.restorePackage('container', o.name, o.owner)
    assert.equal((await c.getPackage('container', o.name, o.owner)).name, o.name)

    const conflicts = await c.dockerConflicts(o.owner).toArray()
    assert.ok(conflicts.some((p) => p.name === o.conflict))
    assert.ok(conflicts.every((p) => p.packageType === 'docker'))

    const pkgPath = `${o.prefix}/packages/container/${o.encoded}`
    assert.deepEqual(calls(emu), [
      `DELETE ${pkgPath}/versions/${o.untagged}`,
      `GET ${pkgPath}/versions?state=deleted&per_page=100`,
      `POST ${pkgPath}/versions/${o.untagged}/restore`,
      `GET ${pkgPath}`,
      `DELETE ${pkgPath}`,
      `GET ${pkgPath}`,
      `POST ${pkgPath}/restore`,
      `GET ${pkgPath}`,
      `GET ${o.prefix}/docker/conflicts`,
    ])
    for (const r of emu.requests()) {
      assert.equal(r.headers.accept, 'application/vnd.github+json')
      assert.equal(r.headers['x-github-api-version'], '2022-11-28')
      assert.match(r.headers['user-agent'], /^ghpkg\//)
      assert.equal(r.headers.authorization, `Bearer ${emu.token}`)
    }
  })
}

test('models are plain typed objects', async (t) => {
  const emu = await emulator(t)
  const c = client(emu)
  const pkg = await c.getPackage('container', 'api/server', { org: 'acme' })
  assert.equal(Object.getPrototypeOf(pkg), Object.prototype)
  assert.equal(pkg.id, 2001)
  assert.equal(pkg.packageType, 'container')
  assert.equal(pkg.visibility, 'private')
  assert.equal(pkg.owner.login, 'acme')
  assert.equal(pkg.owner.type, 'Organization')
  assert.equal(pkg.repository.fullName, 'acme/api')
  assert.equal(pkg.repository.owner.login, 'acme')
  assert.ok(pkg.createdAt <= pkg.updatedAt)
  assert.ok(!Number.isNaN(Date.parse(pkg.createdAt)))
  // Fields ghpkg does not model stay reachable.
  assert.equal(typeof pkg.owner.extra.node_id, 'string')
  assert.equal(typeof pkg.repository.extra.archive_url, 'string')
  // A structured clone and JSON round trip keep everything.
  assert.deepEqual(structuredClone(pkg), pkg)
  assert.deepEqual(JSON.parse(JSON.stringify(pkg)), pkg)

  // Version ids above 2^32 are exact.
  const v = await c.getVersion('container', 'api/server', 5_000_000_001, { org: 'acme' })
  assert.equal(v.id, 5_000_000_001)
  assert.deepEqual([...v.tags].sort(), ['1.2.0', 'latest'])
  assert.deepEqual([...v.metadata.container.tags].sort(), ['1.2.0', 'latest'])
  assert.equal(v.metadata.packageType, 'container')
  assert.equal(v.metadata.docker, null)
  assert.equal(v.deletedAt, null)
  assert.equal(v.description, 'Multi-arch index for linux/amd64 and linux/arm64')

  const docker = await c.listVersions('docker', 'octo-image').toArray()
  assert.ok(docker.some((x) => x.tags.length === 1 && x.tags[0] === 'latest'))
  assert.ok(docker.every((x) => x.metadata.docker !== null))

  const npm = await c.getVersion('npm', 'hello-world', '10011')
  assert.equal(npm.license, 'MIT')
  assert.deepEqual(npm.tags, [])
})

test('every package type and visibility filter', async (t) => {
  const emu = await emulator(t)
  const c = client(emu)
  for (const owner of [{ org: 'acme' }, undefined]) {
    for (const type of ['npm', 'maven', 'rubygems', 'docker', 'nuget', 'container']) {
      const list = await c.listPackages(type, owner).toArray()
      assert.ok(list.length > 0, `${JSON.stringify(owner)} has ${type} packages`)
      assert.ok(list.every((p) => p.packageType === type))
    }
  }
  const pub = await c.listPackages('container', { org: 'acme', visibility: 'public' }).toArray()
  const priv = await c.listPackages('container', { org: 'acme', visibility: 'private' }).toArray()
  const all = await c.listPackages('container', { org: 'acme' }).toArray()
  assert.ok(pub.every((p) => p.visibility === 'public'))
  assert.ok(priv.every((p) => p.visibility === 'private'))
  assert.equal(pub.length + priv.length, all.length)
  assert.ok(all.length > 250)
  assert.ok(emu.requests().some((r) => (r.query ?? '').includes('visibility=public')))
})

test('the restore token is sent as a query parameter', async (t) => {
  const emu = await emulator(t)
  const c = client(emu)
  await c.deletePackage('container', 'only-tag', { org: 'acme' })
  emu.clearRequests()
  await c.restorePackage('container', 'only-tag', { org: 'acme', token: 'pkg token/1' })
  const [r] = emu.requests()
  assert.equal(r.method, 'POST')
  assert.equal(r.query, 'token=pkg+token%2F1')
})

test('scopes reports what each token may do', async (t) => {
  const emu = await emulator(t)
  const full = await client(emu).scopes()
  assert.deepEqual(full, {
    tokenKind: 'classic',
    scopes: ['read:packages', 'write:packages', 'delete:packages', 'repo'],
    canRead: true,
    canDelete: true,
    canRestore: true,
    hasRepo: true,
    problem: null,
  })
  const ro = await client(emu, { token: emu.constructor.tokens.readOnly }).scopes()
  assert.equal(ro.canRead, true)
  assert.equal(ro.canDelete, false)
  assert.equal(ro.canRestore, false)
  const fine = await client(emu, { token: emu.constructor.tokens.fineGrained }).scopes()
  assert.equal(fine.tokenKind, 'fine_grained')
  assert.equal(fine.canRead, false)
  assert.match(fine.problem, /fine-grained/)
  const oauth = await client(emu, { token: emu.constructor.tokens.oauth }).scopes()
  assert.equal(oauth.tokenKind, 'oauth')
  assert.equal(oauth.canDelete, true)
})

test('HTTP Basic auth and anonymous access', async (t) => {
  const emu = await emulator(t)
  const basic = client(emu, { username: 'octocat' })
  await basic.getPackage('container', 'api/server', { org: 'acme' })
  const sent = emu.requests().at(-1).headers.authorization
  assert.equal(sent, `Basic ${Buffer.from(`octocat:${emu.token}`).toString('base64')}`)

  // The Packages API needs a token even for public packages: anonymous calls get 401.
  const anon = new (emu.client().constructor)({ baseUrl: emu.url, anonymous: true })
  assert.equal(anon.tokenKind, 'none')
  const pub = await rejection(anon.getPackage('npm', 'hello-world', { user: 'octocat' }))
  assert.equal(pub.code, 'AUTHENTICATION')
  assert.equal(pub.status, 401)
  assert.equal(pub.detail, 'Requires authentication')
  assert.equal(emu.requests().at(-1).headers.authorization, undefined)
  const err = await rejection(anon.listPackages('container').toArray())
  assert.equal(err.code, 'AUTHENTICATION')
  assert.match(err.hint, /GITHUB_TOKEN/)
})
