// The cross-language scenarios of tests/scenarios.json, replayed through the
// Node binding. The Rust, Python and Go suites replay the same file, so every
// front door is held to the same behaviour. Each scenario runs against a fresh
// in-process demo emulator; each step checks the result (core field names
// mapped onto the camelCase fields), or the GhpkgError, and, where the
// scenario says so, the request the emulator received (or that none was
// sent). The format is described in tests/README.md at the repository root.
import test from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Client, Emulator, GhpkgError } from 'ghpkg'

const SCENARIO_FILE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'tests', 'scenarios.json')

const PACKAGE_ARGS = ['owner', 'package_type', 'name']
const VERSION_ARGS = ['owner', 'package_type', 'name', 'version_id']
/** Each operation: [required args, optional args]. */
const OPS = {
  list_packages: [['owner', 'package_type'], ['visibility']],
  get_package: [PACKAGE_ARGS, []],
  delete_package: [PACKAGE_ARGS, []],
  restore_package: [PACKAGE_ARGS, ['token']],
  list_versions: [PACKAGE_ARGS, ['state']],
  get_version: [VERSION_ARGS, []],
  delete_version: [VERSION_ARGS, []],
  restore_version: [VERSION_ARGS, []],
  docker_conflicts: [['owner'], []],
  catalog_select: [['resource', 'params'], []],
  catalog_delete: [['resource', 'params'], []],
  catalog_exec: [['resource', 'method', 'params'], []],
  client: [[], ['token', 'username', 'anonymous', 'base_url', 'use_env']],
}
/** The variables a client may read, which a `client` step controls. */
const ENV_VARS = ['GITHUB_TOKEN', 'GH_TOKEN', 'STACKQL_GITHUB_USERNAME', 'STACKQL_GITHUB_PASSWORD', 'GITHUB_API_URL']
const SCENARIO_KEYS = ['name', 'steps']
const STEP_KEYS = ['op', 'args', 'token', 'expect', 'wire', 'sends_nothing', 'env']
const CLIENT_KEYS = ['base_url', 'token_kind', 'authorization']
const ERROR_KEYS = ['error', 'status', 'message']
const SUCCESS_KEYS = ['ok', 'fields', 'count', 'names', 'ids', 'tags']
const WIRE_KEYS = ['method', 'path', 'query_contains', 'requests']
// The field paths `fields` may name on a typed result; catalog rows are
// plain objects and take any dotted path into the row.
const PACKAGE_FIELDS = [
  'id',
  'name',
  'package_type',
  'visibility',
  'version_count',
  'url',
  'html_url',
  'owner.login',
  'owner.type',
  'repository.full_name',
]
const VERSION_FIELDS = ['id', 'name', 'url', 'package_html_url', 'html_url', 'license', 'description', 'metadata.package_type']
const TOKENS = {
  demo: Emulator.tokens.demo,
  read_only: Emulator.tokens.readOnly,
  no_scopes: Emulator.tokens.noScopes,
  hubot: Emulator.tokens.hubot,
  oauth: Emulator.tokens.oauth,
  fine_grained: Emulator.tokens.fineGrained,
  app: Emulator.tokens.app,
  actions: Emulator.tokens.actions,
  user_to_server: Emulator.tokens.userToServer,
}
const TOKEN_PREFIXES = ['ghp_', 'gho_', 'ghs_', 'ghu_', 'github_pat_']

/** A step that did not behave as its scenario expects. */
class StepFailure extends Error {}

const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v)
const has = (obj, key) => Object.hasOwn(obj, key)

function keys(obj, required, allowed, what) {
  if (!isObject(obj)) throw new StepFailure(`${what} must be an object, got ${JSON.stringify(obj)}`)
  const unknown = Object.keys(obj).find((k) => !allowed.includes(k))
  if (unknown !== undefined) throw new StepFailure(`${what}: unknown key ${JSON.stringify(unknown)} (allowed: ${allowed.join(', ')})`)
  const missing = required.find((k) => !has(obj, k))
  if (missing !== undefined) throw new StepFailure(`${what}: missing key ${JSON.stringify(missing)}`)
}

/** The token a step names: a demo token, `anonymous` (null) or a literal. */
function token(name) {
  if (name === 'anonymous') return null
  if (has(TOKENS, name)) return TOKENS[name]
  if (TOKEN_PREFIXES.some((p) => name.startsWith(p))) return name
  throw new StepFailure(`unknown token name ${JSON.stringify(name)}`)
}

function validateStep(step) {
  keys(step, ['op', 'args', 'expect'], STEP_KEYS, 'step')
  if (!has(OPS, step.op)) throw new StepFailure(`unknown op ${JSON.stringify(step.op)}`)
  const [required, optional] = OPS[step.op]
  keys(step.args, required, [...required, ...optional], 'args')
  if (has(step.args, 'owner')) {
    keys(step.args.owner, [], ['org', 'user'], 'owner')
    if (Object.keys(step.args.owner).length > 1) throw new StepFailure('owner: give org or user, not both')
  }
  if (step.op === 'client') return validateClientStep(step)
  if (has(step, 'env')) throw new StepFailure('env: only client steps take an environment')
  if (has(step, 'token')) token(step.token)
  const expect = step.expect
  if (isObject(expect) && has(expect, 'error')) {
    keys(expect, ['error'], ERROR_KEYS, 'expect (error)')
  } else {
    keys(expect, [], SUCCESS_KEYS, 'expect (success)')
    if (Object.keys(expect).length === 0) throw new StepFailure('expect: empty; use {"ok": true} for a bare success')
    if (has(expect, 'ok') && expect.ok !== true) throw new StepFailure('expect: ok must be true')
  }
  if (has(step, 'wire') && has(step, 'sends_nothing')) throw new StepFailure('wire and sends_nothing exclude each other')
  if (has(step, 'wire')) keys(step.wire, [], WIRE_KEYS, 'wire')
  if (has(step, 'sends_nothing') && step.sends_nothing !== true) throw new StepFailure('sends_nothing must be true')
}

function validateClientStep(step) {
  for (const key of ['token', 'wire', 'sends_nothing']) {
    if (has(step, key)) throw new StepFailure(`${key}: not taken by client steps`)
  }
  if (!has(step, 'env')) throw new StepFailure('client steps need env')
  keys(step.env, [], ENV_VARS, 'env')
  for (const [k, v] of Object.entries(step.env)) {
    if (typeof v !== 'string') throw new StepFailure(`env.${k} must be a string`)
    if ((k.endsWith('TOKEN') || k === 'STACKQL_GITHUB_PASSWORD') && v !== '') token(v)
  }
  if (has(step.args, 'token')) token(step.args.token)
  if (isObject(step.expect) && has(step.expect, 'error')) keys(step.expect, ['error'], ERROR_KEYS, 'expect (error)')
  else keys(step.expect, ['base_url'], CLIENT_KEYS, 'expect (client)')
}

/** Reads and validates the whole file: a typo fails the run before any scenario. */
function loadScenarios() {
  if (!existsSync(SCENARIO_FILE)) throw new Error(`the scenario file is missing: ${SCENARIO_FILE}`)
  const scenarios = JSON.parse(readFileSync(SCENARIO_FILE, 'utf8'))
  if (!Array.isArray(scenarios) || scenarios.length === 0) throw new Error(`${SCENARIO_FILE} must hold a non-empty JSON list`)
  const problems = []
  const names = new Set()
  scenarios.forEach((scenario, i) => {
    try {
      keys(scenario, SCENARIO_KEYS, SCENARIO_KEYS, 'scenario')
      if (names.has(scenario.name)) throw new StepFailure(`duplicate scenario name ${JSON.stringify(scenario.name)}`)
      names.add(scenario.name)
      if (!Array.isArray(scenario.steps) || scenario.steps.length === 0) throw new StepFailure('steps must be a non-empty list')
      scenario.steps.forEach((step, j) => {
        try {
          validateStep(step)
        } catch (err) {
          throw new StepFailure(`step ${j + 1}: ${err.message}`)
        }
      })
    } catch (err) {
      problems.push(`scenario ${i + 1}: ${err.message}`)
    }
  })
  if (problems.length > 0) throw new Error(`bad scenario file:\n${problems.join('\n')}`)
  return scenarios
}

const scenarios = loadScenarios()

const items = (kind, list) => ({ shape: 'many', items: list.map((obj) => ({ kind, obj })) })

/** Runs one step's call through the Node API; the owner is an option. */
async function call(client, op, args) {
  switch (op) {
    case 'catalog_select':
      return items('row', await client.catalogSelect(args.resource, args.params))
    case 'catalog_delete':
      await client.catalogDelete(args.resource, args.params)
      return { shape: 'unit' }
    case 'catalog_exec':
      return items('row', await client.catalogExec(args.resource, args.method, args.params))
  }
  const owner = { ...args.owner }
  const ty = args.package_type
  switch (op) {
    case 'docker_conflicts':
      return items('package', await client.dockerConflicts(owner).toArray())
    case 'list_packages': {
      const options = args.visibility === undefined ? owner : { ...owner, visibility: args.visibility }
      return items('package', await client.listPackages(ty, options).toArray())
    }
    case 'get_package':
      return { shape: 'one', item: { kind: 'package', obj: await client.getPackage(ty, args.name, owner) } }
    case 'delete_package':
      await client.deletePackage(ty, args.name, owner)
      return { shape: 'unit' }
    case 'restore_package': {
      const options = args.token === undefined ? owner : { ...owner, token: args.token }
      await client.restorePackage(ty, args.name, options)
      return { shape: 'unit' }
    }
    case 'list_versions': {
      const options = args.state === undefined ? owner : { ...owner, state: args.state }
      return items('version', await client.listVersions(ty, args.name, options).toArray())
    }
    case 'get_version':
      return { shape: 'one', item: { kind: 'version', obj: await client.getVersion(ty, args.name, args.version_id, owner) } }
    case 'delete_version':
      await client.deleteVersion(ty, args.name, args.version_id, owner)
      return { shape: 'unit' }
    case 'restore_version':
      await client.restoreVersion(ty, args.name, args.version_id, owner)
      return { shape: 'unit' }
  }
  throw new StepFailure(`unknown op ${op}`)
}

const camel = (s) => s.replace(/_([a-z])/g, (_, c) => c.toUpperCase())

/**
 * A core field name mapped onto the Node result: typed results use camelCase
 * (`repository.full_name` is `pkg.repository.fullName`), rows keep the core's names.
 */
function field({ kind, obj }, path) {
  const allowed = kind === 'package' ? PACKAGE_FIELDS : kind === 'version' ? VERSION_FIELDS : null
  if (allowed !== null && !allowed.includes(path))
    throw new StepFailure(`fields: ${JSON.stringify(path)} is not one of ${allowed.join(', ')}`)
  let cur = obj
  for (const part of path.split('.')) {
    if (cur === null) return null
    const key = kind === 'row' ? part : camel(part)
    if (!isObject(cur) || !has(cur, key)) throw new StepFailure(`fields: the result has no ${JSON.stringify(path)} (${key})`)
    cur = cur[key]
  }
  return cur
}

function many(result, key) {
  if (result.shape !== 'many') throw new StepFailure(`${key}: the result is not a listing`)
  return result.items
}

function sameJson(a, b) {
  try {
    assert.deepStrictEqual(a, b)
    return true
  } catch {
    return false
  }
}

function checkSuccess(expect, result) {
  for (const [key, want] of Object.entries(expect)) {
    let have
    switch (key) {
      case 'ok':
        continue
      case 'count':
        have = many(result, key).length
        break
      case 'names':
      case 'ids':
        have = many(result, key).map((i) => i.obj[key === 'names' ? 'name' : 'id'])
        break
      case 'fields': {
        if (result.shape === 'unit') throw new StepFailure('fields: the call returns nothing')
        const item = result.shape === 'one' ? result.item : result.items[0]
        if (item === undefined) throw new StepFailure('fields: the listing is empty')
        for (const [path, wanted] of Object.entries(want)) {
          const got = field(item, path)
          if (!sameJson(got, wanted))
            throw new StepFailure(`fields.${path}: expected ${JSON.stringify(wanted)}, got ${JSON.stringify(got)}`)
        }
        continue
      }
      case 'tags':
        if (result.shape !== 'one' || result.item.kind !== 'version') throw new StepFailure('tags: the result is not a version')
        have = result.item.obj.tags
        break
      default:
        throw new StepFailure(`unknown expectation ${JSON.stringify(key)}`)
    }
    if (!sameJson(have, want)) throw new StepFailure(`${key}: expected ${JSON.stringify(want)}, got ${JSON.stringify(have)}`)
  }
}

function checkError(expect, err) {
  if (err.code !== expect.error) throw new StepFailure(`expected error ${expect.error}, got ${err.code}: ${err.message}`)
  if (has(expect, 'status') && err.status !== expect.status) {
    throw new StepFailure(`status: expected ${expect.status}, got ${err.status} (${err.message})`)
  }
  if (has(expect, 'message') && err.detail !== expect.message) {
    throw new StepFailure(`message: expected ${JSON.stringify(expect.message)}, got ${JSON.stringify(err.detail)}`)
  }
}

function checkWire(wire, sent) {
  if (has(wire, 'requests') && sent.length !== wire.requests)
    throw new StepFailure(`wire: expected ${wire.requests} requests, got ${sent.length}`)
  const last = sent.at(-1)
  if (last === undefined) throw new StepFailure('wire: the step sent no request')
  if (has(wire, 'method') && last.method !== wire.method) throw new StepFailure(`wire.method: expected ${wire.method}, got ${last.method}`)
  if (has(wire, 'path') && last.path !== wire.path) throw new StepFailure(`wire.path: expected ${wire.path}, got ${last.path}`)
  const pairs = (last.query ?? '').split('&')
  for (const want of wire.query_contains ?? []) {
    if (!pairs.includes(want)) throw new StepFailure(`wire.query_contains: ${JSON.stringify(want)} not in ${JSON.stringify(last.query)}`)
  }
}

/** A value of a client step: a token name is the token, `emulator` the emulator's URL. */
function resolve(emu, key, value) {
  if (value === 'emulator' && key.endsWith('URL')) return emu.url
  if (value !== '' && (key.endsWith('TOKEN') || key === 'STACKQL_GITHUB_PASSWORD' || key === 'token')) return token(value) ?? ''
  return value
}

/** Builds a client with exactly the step's environment and options, then checks what it resolved to and sends. */
async function runClientStep(emu, step) {
  const expect = step.expect
  const saved = Object.fromEntries(ENV_VARS.map((k) => [k, process.env[k]]))
  for (const k of ENV_VARS) delete process.env[k]
  for (const [k, v] of Object.entries(step.env)) process.env[k] = resolve(emu, k, v)
  const options = {}
  for (const [k, v] of Object.entries(step.args)) {
    options[camel(k)] = typeof v === 'string' ? resolve(emu, k === 'base_url' ? 'base_URL' : k, v) : v
  }
  let client
  try {
    client = new Client(options)
  } catch (err) {
    if (!(err instanceof GhpkgError)) throw new StepFailure(`not a GhpkgError: ${err?.name}: ${err?.message}`)
    if (!has(expect, 'error')) throw new StepFailure(`expected a client, got ${err.code}: ${err.message}`)
    return checkError(expect, err)
  } finally {
    for (const k of ENV_VARS) {
      if (saved[k] === undefined) delete process.env[k]
      else process.env[k] = saved[k]
    }
  }
  if (has(expect, 'error')) throw new StepFailure(`expected error ${expect.error}, but it built`)
  const wantUrl = resolve(emu, 'base_URL', expect.base_url)
  if (client.baseUrl !== wantUrl) throw new StepFailure(`base_url: expected ${wantUrl}, got ${client.baseUrl}`)
  if (has(expect, 'token_kind') && client.tokenKind !== expect.token_kind) {
    throw new StepFailure(`token_kind: expected ${expect.token_kind}, got ${client.tokenKind}`)
  }
  if (!has(expect, 'authorization')) return
  const before = emu.requests().length
  await client.getPackage('container', 'api/server', { org: 'acme' }).catch(() => undefined)
  const sent = emu.requests().slice(before)
  if (sent.length === 0) throw new StepFailure('authorization: no request reached the emulator')
  let want = expect.authorization
  if (want !== null) {
    const [scheme, rest] = [want.slice(0, want.indexOf(' ')), want.slice(want.indexOf(' ') + 1)]
    if (scheme === 'Basic') {
      const [user, name] = [rest.slice(0, rest.indexOf(':')), rest.slice(rest.indexOf(':') + 1)]
      want = `Basic ${Buffer.from(`${user}:${resolve(emu, 'token', name)}`).toString('base64')}`
    } else {
      want = `Bearer ${resolve(emu, 'token', rest)}`
    }
  }
  const have = sent.at(-1).headers.authorization ?? null
  if (have !== want) throw new StepFailure(`authorization: expected ${JSON.stringify(want)}, got ${JSON.stringify(have)}`)
}

async function runStep(emu, step) {
  if (step.op === 'client') return runClientStep(emu, step)
  const t = token(step.token ?? 'demo')
  const client =
    t === null
      ? new Client({ baseUrl: emu.url, anonymous: true, timeoutMs: 20_000, useEnv: false })
      : emu.client({ token: t, timeoutMs: 20_000, useEnv: false })
  const expect = step.expect
  const before = emu.requests().length
  let result
  let failure
  try {
    result = await call(client, step.op, step.args)
  } catch (err) {
    if (!(err instanceof GhpkgError)) throw new StepFailure(`not a GhpkgError: ${err?.name}: ${err?.message}`)
    failure = err
  }
  if (failure !== undefined) {
    if (!has(expect, 'error')) throw new StepFailure(`expected success, got ${failure.code}: ${failure.message}`)
    checkError(expect, failure)
  } else {
    if (has(expect, 'error')) throw new StepFailure(`expected error ${expect.error}, but it succeeded`)
    checkSuccess(expect, result)
  }
  const sent = emu.requests().slice(before)
  if (step.sends_nothing && sent.length > 0) {
    throw new StepFailure(`expected no request, sent ${JSON.stringify(sent.map((r) => `${r.method} ${r.path}`))}`)
  }
  if (has(step, 'wire')) checkWire(step.wire, sent)
}

for (const scenario of scenarios) {
  test(`scenario: ${scenario.name}`, async (t) => {
    const emu = await Emulator.start()
    t.after(() => emu.shutdown())
    for (const [i, step] of scenario.steps.entries()) {
      try {
        await runStep(emu, step)
      } catch (err) {
        assert.fail(`[${scenario.name}] step ${i + 1} (${step.op}): ${err.message}`)
      }
    }
  })
}
