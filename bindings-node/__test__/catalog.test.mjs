// The StackQL-style catalog: every method by name, StackQL's selection,
// row filtering, and errors before any request.
import test from 'node:test'
import assert from 'node:assert/strict'
import { catalogResources } from 'ghpkg'
import { emulator, client, rejection } from './helpers.mjs'

const P = 'github.packages.packages'
const O = 'github.packages.org_packages'
const V = 'package_versions'
const D = 'docker_migration_packages'
const api = { org: 'acme', package_type: 'container', package_name: 'api/server' }

// [resource, method, params, the request it must send]
const CASES = [
  [P, 'get_package_for_organization', api, 'GET /orgs/acme/packages/container/api%2Fserver'],
  [
    P,
    'get_package_for_user',
    { username: 'octocat', package_type: 'npm', package_name: 'hello-world' },
    'GET /users/octocat/packages/npm/hello-world',
  ],
  [P, 'get_package_for_authenticated_user', { package_type: 'container', package_name: 'my app' }, 'GET /user/packages/container/my%20app'],
  [P, 'list_packages_for_organization', { org: 'acme', package_type: 'container' }, 'GET /orgs/acme/packages'],
  [P, 'list_packages_for_user', { username: 'octocat', package_type: 'npm' }, 'GET /users/octocat/packages'],
  [P, 'list_packages_for_authenticated_user', { package_type: 'maven' }, 'GET /user/packages'],
  [P, 'delete_package_for_org', { org: 'acme', package_type: 'npm', package_name: 'ui-kit' }, 'DELETE /orgs/acme/packages/npm/ui-kit'],
  [
    P,
    'restore_package_for_org',
    { org: 'acme', package_type: 'npm', package_name: 'ui-kit' },
    'POST /orgs/acme/packages/npm/ui-kit/restore',
  ],
  [
    P,
    'delete_package_for_user',
    { username: 'octocat', package_type: 'rubygems', package_name: 'octo-gem' },
    'DELETE /users/octocat/packages/rubygems/octo-gem',
  ],
  [
    P,
    'restore_package_for_user',
    { username: 'octocat', package_type: 'rubygems', package_name: 'octo-gem' },
    'POST /users/octocat/packages/rubygems/octo-gem/restore',
  ],
  [
    P,
    'delete_package_for_authenticated_user',
    { package_type: 'maven', package_name: 'com.octocat.hello' },
    'DELETE /user/packages/maven/com.octocat.hello',
  ],
  [
    P,
    'restore_package_for_authenticated_user',
    { package_type: 'maven', package_name: 'com.octocat.hello' },
    'POST /user/packages/maven/com.octocat.hello/restore',
  ],
  [
    O,
    'get_package_for_organization',
    { org: 'acme', package_type: 'rubygems', package_name: 'acme-tools' },
    'GET /orgs/acme/packages/rubygems/acme-tools',
  ],
  [O, 'list_packages_for_organization', { org: 'acme', package_type: 'docker' }, 'GET /orgs/acme/packages'],
  [
    O,
    'delete_package_for_org',
    { org: 'acme', package_type: 'rubygems', package_name: 'acme-tools' },
    'DELETE /orgs/acme/packages/rubygems/acme-tools',
  ],
  [
    O,
    'restore_package_for_org',
    { org: 'acme', package_type: 'rubygems', package_name: 'acme-tools' },
    'POST /orgs/acme/packages/rubygems/acme-tools/restore',
  ],
  [
    V,
    'get_package_version_for_organization',
    { ...api, package_version_id: 5_000_000_001n },
    'GET /orgs/acme/packages/container/api%2Fserver/versions/5000000001',
  ],
  [
    V,
    'get_package_version_for_user',
    { username: 'octocat', package_type: 'npm', package_name: 'hello-world', package_version_id: '10012' },
    'GET /users/octocat/packages/npm/hello-world/versions/10012',
  ],
  [
    V,
    'get_package_version_for_authenticated_user',
    { package_type: 'container', package_name: 'hello-container', package_version_id: 10063 },
    'GET /user/packages/container/hello-container/versions/10063',
  ],
  [V, 'get_all_package_versions_for_package_owned_by_org', api, 'GET /orgs/acme/packages/container/api%2Fserver/versions'],
  [
    V,
    'get_all_package_versions_for_package_owned_by_user',
    { username: 'octocat', package_type: 'npm', package_name: '100%-pure' },
    'GET /users/octocat/packages/npm/100%25-pure/versions',
  ],
  [
    V,
    'get_all_package_versions_for_package_owned_by_authenticated_user',
    { package_type: 'nuget', package_name: 'Octo.Core', state: 'active' },
    'GET /user/packages/nuget/Octo.Core/versions',
  ],
  [
    V,
    'delete_package_version_for_org',
    { ...api, package_version_id: 20014 },
    'DELETE /orgs/acme/packages/container/api%2Fserver/versions/20014',
  ],
  [
    V,
    'restore_package_version_for_org',
    { ...api, package_version_id: 20014 },
    'POST /orgs/acme/packages/container/api%2Fserver/versions/20014/restore',
  ],
  [
    V,
    'delete_package_version_for_user',
    { username: 'octocat', package_type: 'npm', package_name: '100%-pure', package_version_id: 10092 },
    'DELETE /users/octocat/packages/npm/100%25-pure/versions/10092',
  ],
  [
    V,
    'restore_package_version_for_user',
    { username: 'octocat', package_type: 'npm', package_name: '100%-pure', package_version_id: 10092 },
    'POST /users/octocat/packages/npm/100%25-pure/versions/10092/restore',
  ],
  [
    V,
    'delete_package_version_for_authenticated_user',
    { package_type: 'nuget', package_name: 'Octo.Core', package_version_id: 10052 },
    'DELETE /user/packages/nuget/Octo.Core/versions/10052',
  ],
  [
    V,
    'restore_package_version_for_authenticated_user',
    { package_type: 'nuget', package_name: 'Octo.Core', package_version_id: 10052 },
    'POST /user/packages/nuget/Octo.Core/versions/10052/restore',
  ],
  [D, 'list_docker_migration_conflicting_packages_for_organization', { org: 'acme' }, 'GET /orgs/acme/docker/conflicts'],
  [D, 'list_docker_migration_conflicting_packages_for_user', { username: 'octocat' }, 'GET /users/octocat/docker/conflicts'],
  [D, 'list_docker_migration_conflicting_packages_for_authenticated_user', {}, 'GET /user/docker/conflicts'],
]

function resource(id) {
  return catalogResources().find((r) => r.id === id || r.short_name === id)
}

/** `METHOD path` of the logged requests, then clears the log. */
function take(emu) {
  const out = emu.requests().map((r) => `${r.method} ${r.path}`)
  emu.clearRequests()
  return out
}

test('the catalog describes four resources and their methods', () => {
  const all = catalogResources()
  assert.deepEqual(
    all.map((r) => r.id),
    [P, O, 'github.packages.package_versions', 'github.packages.docker_migration_packages'],
  )
  const packages = resource(P)
  assert.equal(packages.short_name, 'packages')
  assert.equal(packages.methods.length, 12)
  assert.deepEqual([...packages.fields].sort(), [
    'created_at',
    'html_url',
    'id',
    'name',
    'owner',
    'package_type',
    'repository',
    'updated_at',
    'url',
    'version_count',
    'visibility',
  ])
  for (const r of all) {
    for (const m of r.methods) {
      assert.ok(['SELECT', 'DELETE', 'EXEC'].includes(m.verb))
      assert.deepEqual([...m.required].sort(), m.required, 'required params are sorted')
      assert.ok(m.description.length > 0)
    }
  }
})

test('every method is reachable by exec and sends its request', async (t) => {
  const emu = await emulator(t)
  const c = client(emu)
  const reached = new Set()
  for (const [res, method, params, call] of CASES) {
    take(emu)
    const rows = await c.catalogExec(res, method, params)
    const calls = take(emu)
    assert.ok(calls.length > 0, `${method}: no request`)
    for (const x of calls) assert.equal(x, call, `${res} ${method}`)
    const r = resource(res)
    const m = r.methods.find((x) => x.name === method)
    if (m.verb === 'SELECT') {
      assert.ok(rows.length > 0, `${method}: no rows`)
      for (const row of rows) assert.deepEqual(Object.keys(row), r.fields, method)
    } else {
      assert.deepEqual(rows, [])
    }
    reached.add(`${r.id} ${method}`)
  }
  const all = new Set(catalogResources().flatMap((r) => r.methods.map((m) => `${r.id} ${m.name}`)))
  assert.deepEqual([...reached].sort(), [...all].sort())
})

test('select picks the most specific method, like StackQL', async (t) => {
  const emu = await emulator(t)
  const c = client(emu)
  for (const [params, call] of [
    [api, 'GET /orgs/acme/packages/container/api%2Fserver'],
    [{ org: 'acme', package_type: 'container' }, 'GET /orgs/acme/packages'],
    [{ username: 'octocat', package_type: 'npm' }, 'GET /users/octocat/packages'],
    [{ package_type: 'npm' }, 'GET /user/packages'],
    [{ org: null, package_type: 'container', package_name: 'my app' }, 'GET /user/packages/container/my%20app'],
  ]) {
    take(emu)
    await c.catalogSelect(P, params)
    assert.deepEqual([...new Set(take(emu))], [call], JSON.stringify(params))
  }
  const [row] = await c.catalogSelect('packages', api)
  assert.equal(row.id, 2001)
  assert.equal(row.name, 'api/server')
  assert.equal(row.package_type, 'container')
  assert.equal(row.owner.login, 'acme')
  assert.equal(row.repository.full_name, 'acme/api')
  const versions = await c.catalogSelect(V, { ...api, state: 'deleted' })
  assert.ok(versions.every((v) => v.deleted_at !== null))
  const conflicts = await c.catalogSelect(D, { org: 'acme' })
  assert.deepEqual(
    conflicts.map((p) => p.name),
    ['legacy-api'],
  )
})

test('field params filter rows', async (t) => {
  const emu = await emulator(t)
  const c = client(emu)
  const org = (extra) => ({ org: 'acme', package_type: 'container', ...extra })
  assert.deepEqual(
    (await c.catalogSelect('packages', org({ name: 'only-tag' }))).map((r) => r.id),
    [2008],
  )
  assert.deepEqual(
    (await c.catalogSelect('packages', org({ id: '2001' }))).map((r) => r.name),
    ['api/server'],
  )
  assert.deepEqual(
    (await c.catalogSelect('packages', org({ id: 2001n }))).map((r) => r.name),
    ['api/server'],
  )
  const priv = await c.catalogSelect('packages', org({ visibility: 'private' }))
  assert.ok(priv.length > 0 && priv.every((r) => r.visibility === 'private'))
  assert.deepEqual(await c.catalogSelect('packages', org({ name: 'no-such' })), [])
  // undefined entries are left out, null ones count as absent.
  assert.ok((await c.catalogSelect('packages', org({ name: undefined }))).length > 250)
})

test('delete, then restore with exec', async (t) => {
  const emu = await emulator(t)
  const c = client(emu)
  const pkg = { org: 'acme', package_type: 'npm', package_name: 'ui-kit' }
  assert.equal(await c.catalogDelete('packages', pkg), undefined)
  assert.equal((await rejection(c.catalogSelect('packages', pkg))).code, 'NOT_FOUND')
  assert.deepEqual(await c.catalogExec('packages', 'restore_package_for_org', pkg), [])
  assert.equal((await c.catalogSelect('org_packages', pkg)).length, 1)
  const ver = { ...api, package_version_id: 20013 }
  await c.catalogDelete('package_versions', ver)
  const deleted = await c.catalogSelect('package_versions', { ...api, state: 'deleted' })
  assert.ok(deleted.some((v) => v.id === 20013))
  await c.catalogExec('package_versions', 'restore_package_version_for_org', ver)
  assert.equal((await c.catalogSelect('package_versions', ver)).length, 1)
})

test('catalog mistakes are INVALID_ARGUMENT with a useful message, before any request', async (t) => {
  const emu = await emulator(t)
  const c = client(emu)
  const cases = [
    [() => c.catalogSelect('github.packages.pkgs', {}), /expected one of: github\.packages\.packages/],
    [() => c.catalogExec('packages', 'remove_package', {}), /its methods are/],
    [() => c.catalogExec('org_packages', 'get_package_for_user', { username: 'x', package_type: 'npm', package_name: 'y' }), /no method/],
    [() => c.catalogExec('packages', 'restore_package_for_org', { org: 'acme' }), /missing: package_name, package_type/],
    [
      () => c.catalogDelete('packages', { org: 'acme', package_type: 'npm' }),
      /delete_package_for_org needs org, package_name, package_type/,
    ],
    [() => c.catalogDelete(D, {}), /has no DELETE method/],
    [() => c.catalogSelect('packages', { org: 'acme', package_type: 'container', colour: 'red' }), /unknown param colour/],
    [() => c.catalogDelete('packages', { ...api, name: 'api/server' }), /unknown param name/],
    [() => c.catalogSelect('packages', { org: 'acme', package_type: 'containers' }), /unknown package type/],
    [() => c.catalogSelect('packages', { org: 7, package_type: 'container' }), /must be a string/],
    [() => c.catalogSelect(V, { ...api, package_version_id: 0 }), /positive integer/],
    [() => c.catalogSelect(V, { ...api, package_version_id: -3 }), /positive integer/],
    [() => c.catalogSelect(V, { ...api, package_version_id: '1e3' }), /positive integer/],
    [() => c.catalogSelect(V, { ...api, package_version_id: true }), /positive integer/],
  ]
  for (const [call, message] of cases) {
    const err = await rejection(call())
    assert.equal(err.code, 'INVALID_ARGUMENT', `${err}`)
    assert.match(err.message, message)
  }
  assert.deepEqual(emu.requests(), [])
})
