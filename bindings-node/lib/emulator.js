'use strict'
// Emulator: the GitHub Packages emulator in-process, for tests.

const util = require('node:util')
const native = require('../native.generated.js')
const args = require('./args.js')
const { Client } = require('./client.js')

const START_OPTIONS = {
  fixture: 'object',
  fixtureFile: 'string',
  port: 'number',
  latencyMs: 'number',
  linkHeaders: 'boolean',
  secondaryPointsPerMinute: 'number',
  headCountsAsDownload: 'boolean',
  restoreReattachesTags: 'boolean',
}

const TOKENS = Object.freeze(native.emulatorTokens())
const CREATE = Symbol('Emulator.create')

function emulatorError(err) {
  if (err instanceof Error && (err.code === undefined || err.code === 'GenericFailure')) {
    const out = new Error(err.message)
    out.code = 'ERR_GHPKG_EMULATOR'
    Error.captureStackTrace?.(out, emulatorError)
    return out
  }
  return err
}

function guard(fn) {
  try {
    return fn()
  } catch (err) {
    throw emulatorError(err)
  }
}

/**
 * A fault rule as the JSON text the emulator parses. The object's own keys
 * are read once; `times: Infinity` becomes `null` (every matching request).
 * Everything else, unknown keys included, is for the emulator to judge.
 */
function faultJson(rule) {
  if (rule === null || typeof rule !== 'object' || Array.isArray(rule)) {
    throw args.typeError(`The "rule" argument must be of type object. Received ${args.describe(rule)}`)
  }
  const out = {}
  for (const key of Object.keys(rule)) {
    let v = rule[key]
    if (v === undefined) continue
    if (typeof v === 'number' && !Number.isFinite(v)) {
      if (key !== 'times' || v !== Infinity) {
        // JSON would turn it into null, which means something else.
        throw emulatorError(new Error(`rule.${key} must be a finite number, got ${v}`))
      }
      v = null
    }
    out[key] = v
  }
  return JSON.stringify(out)
}

function boolean(value, name) {
  if (typeof value !== 'boolean') {
    throw args.typeError(`The "${name}" argument must be of type boolean. Received ${args.describe(value)}`)
  }
  return value
}

function whole(value, name) {
  if (typeof value !== 'number') {
    throw args.typeError(`The "${name}" argument must be of type number. Received ${args.describe(value)}`)
  }
  return value
}

/**
 * A GitHub Packages emulator on 127.0.0.1, running on its own thread: point
 * a Client at `url` with one of `Emulator.tokens`. The default data is the
 * demo dataset (org `acme` administered by `octocat`, whose token is
 * `Emulator.tokens.demo`). On a second port, `registryUrl`, it serves the
 * container registry of those packages (a fake ghcr.io: the token challenge
 * and `/token`, manifests, tags, pushes), coupled to the same state.
 */
class Emulator {
  #native

  /** @internal Use `Emulator.start()`. */
  constructor(key, handle) {
    if (key !== CREATE) throw new TypeError('use Emulator.start() to start an emulator')
    this.#native = handle
  }

  /**
   * Starts an emulator. Options: `fixture` (an object in the fixture JSON
   * format, or a JSON string; default the demo dataset), `fixtureFile`,
   * `port`, `latencyMs`, `linkHeaders`, `secondaryPointsPerMinute`, and for
   * the registry origin `headCountsAsDownload` (a manifest HEAD adds a
   * download like a GET; default false) and `restoreReattachesTags`
   * (restored container versions get their tags back; default true).
   */
  static async start(options) {
    let fixtureJson
    let o
    if (options !== null && typeof options === 'object' && typeof options.fixture === 'string') {
      const { fixture, ...rest } = options
      fixtureJson = fixture
      o = args.options(rest, 'options', START_OPTIONS)
    } else {
      o = args.options(options, 'options', START_OPTIONS)
      if (o.fixture !== undefined) fixtureJson = JSON.stringify(o.fixture)
    }
    const nativeOptions = {
      fixtureJson,
      fixtureFile: o.fixtureFile,
      port: o.port,
      latencyMs: o.latencyMs,
      linkHeaders: o.linkHeaders,
      secondaryPointsPerMinute: o.secondaryPointsPerMinute,
      headCountsAsDownload: o.headCountsAsDownload,
      restoreReattachesTags: o.restoreReattachesTags,
    }
    try {
      return new Emulator(CREATE, await native.NativeEmulator.start(nativeOptions))
    } catch (err) {
      throw emulatorError(err)
    }
  }

  /** The demo dataset's tokens: demo, readOnly, noScopes, hubot, oauth, fineGrained, app, actions, userToServer. */
  static get tokens() {
    return TOKENS
  }

  /** The base URL, `http://127.0.0.1:PORT`. */
  get url() {
    return this.#native.url
  }

  /** The container registry origin, `http://127.0.0.1:PORT2` (`/v2/...`, `/token`). */
  get registryUrl() {
    return this.#native.registryUrl
  }

  /**
   * The fixture's default token: the demo token (`Emulator.tokens.demo`) for
   * the demo dataset, else the fixture's first classic token, else null.
   */
  get token() {
    return this.#native.token ?? null
  }

  /** A Client for this emulator with its default token, not reading the environment; `options` override. */
  client(options) {
    const o = options === undefined || options === null ? {} : options
    if (typeof o !== 'object' || Array.isArray(o)) {
      throw args.typeError(`The "options" argument must be of type object. Received ${args.describe(o)}`)
    }
    const token = this.token ?? undefined
    // The environment is not read unless asked: a token in the shell cannot reach a test.
    return new Client({ baseUrl: this.url, token, useEnv: false, ...o })
  }

  /** Every request received so far, in arrival order. */
  requests() {
    return guard(() => this.#native.requests())
  }

  clearRequests() {
    guard(() => this.#native.clearRequests())
  }

  /**
   * Adds a fault rule in the emulator's JSON vocabulary (snake_case keys, the
   * same as `ghpkg-emulator --fault`), e.g. `{ kind: 'status', status: 502,
   * path: '/orgs/acme', method: 'GET', times: 2 }`. Kinds: `status`,
   * `latency` (`delay_ms`), `primary_rate_limit` (`reset_in_seconds`, default
   * 1), `secondary_rate_limit` (`retry_after_seconds`, `status` 403 or 429,
   * default 403), `drop_connection`, `truncated_body`, `malformed_json`,
   * `redirect` (`location`, `status` default 302), `link_loop`,
   * `link_header` (`value`: exactly this `link` header), and for the registry
   * origin `digest_mismatch`, `foreign_realm` (`realm`, default the API
   * origin's `/token`) and `token_expired`. `path` also matches registry
   * paths (`/v2/...`, `/token`). `times` absent: once; `null` or `Infinity`:
   * every matching request. Rules apply in the order added; the first match
   * wins. The emulator checks the rule: an error with code
   * `ERR_GHPKG_EMULATOR` says why it refused it.
   */
  inject(rule) {
    const json = faultJson(rule)
    guard(() => this.#native.inject(json))
  }

  clearFaults() {
    guard(() => this.#native.clearFaults())
  }

  /** Sets the delay added to every response, in milliseconds. */
  setLatency(ms) {
    guard(() => this.#native.setLatency(whole(ms, 'ms')))
  }

  /** `false` pages listings without any `link` header (a GitHub bug). */
  setLinkHeaders(on) {
    if (typeof on !== 'boolean') {
      throw args.typeError(`The "on" argument must be of type boolean. Received ${args.describe(on)}`)
    }
    guard(() => this.#native.setLinkHeaders(on))
  }

  setSecondaryPointsPerMinute(points) {
    guard(() => this.#native.setSecondaryPointsPerMinute(whole(points, 'points')))
  }

  /** Whether a registry manifest HEAD adds a download like a GET. */
  setHeadCountsAsDownload(on) {
    guard(() => this.#native.setHeadCountsAsDownload(boolean(on, 'on')))
  }

  /** Whether restored container versions get their tags back (those nobody took meanwhile). */
  setRestoreReattachesTags(on) {
    guard(() => this.#native.setRestoreReattachesTags(boolean(on, 'on')))
  }

  resetRateLimits() {
    guard(() => this.#native.resetRateLimits())
  }

  /** Moves the emulated clock forward by `ms` milliseconds. */
  advanceClock(ms) {
    guard(() => this.#native.advanceClock(whole(ms, 'ms')))
  }

  /** The emulated time, ISO 8601. */
  now() {
    return guard(() => this.#native.now())
  }

  /** Adds a package (fixture format: owner, name, package_type, versions, ...); returns its id. */
  addPackage(spec) {
    return guard(() => this.#native.addPackage(args.params(spec, 'spec')))
  }

  /** Adds a token (fixture format: token, user, kind, scopes, ...). */
  addToken(spec) {
    guard(() => this.#native.addToken(args.params(spec, 'spec')))
  }

  /** Stops the server and waits until its port is closed. Safe to call twice. */
  async shutdown() {
    await this.#native.shutdown()
  }

  [util.inspect.custom](_depth, opts, inspect) {
    return `Emulator ${(inspect ?? util.inspect)({ url: this.url }, opts)}`
  }

  get [Symbol.toStringTag]() {
    return 'Emulator'
  }
}

module.exports = { Emulator }
