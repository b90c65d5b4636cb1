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
}

const FAULT_RULE = {
  fault: 'string',
  method: 'string',
  path: 'string',
  times: 'number',
  status: 'number',
  latencyMs: 'number',
  resetInSeconds: 'number',
  retryAfter: 'number',
  location: 'string',
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
 * `Emulator.tokens.demo`).
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
   * `port`, `latencyMs`, `linkHeaders`, `secondaryPointsPerMinute`.
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

  /** octocat's token with every packages scope (`Emulator.tokens.demo`). */
  get token() {
    return TOKENS.demo
  }

  /** A Client for this emulator with the demo token; `options` override. */
  client(options) {
    const o = options === undefined || options === null ? {} : options
    if (typeof o !== 'object' || Array.isArray(o)) {
      throw args.typeError(`The "options" argument must be of type object. Received ${args.describe(o)}`)
    }
    return new Client({ baseUrl: this.url, token: TOKENS.demo, ...o })
  }

  /** Every request received so far, in arrival order. */
  requests() {
    return guard(() => this.#native.requests())
  }

  clearRequests() {
    guard(() => this.#native.clearRequests())
  }

  /**
   * Adds a fault rule: `{ fault, method?, path?, times?, status?, latencyMs?,
   * resetInSeconds?, retryAfter?, location? }`. `fault` is one of `status`,
   * `latency`, `primaryRateLimit`, `secondaryRateLimit`, `dropConnection`,
   * `truncatedBody`, `malformedJson`, `redirect`, `linkLoop`; `times`
   * defaults to 1, `Infinity` means every matching request.
   */
  inject(rule) {
    const r = args.options(rule, 'rule', FAULT_RULE)
    args.string(r.fault, 'rule.fault')
    guard(() => this.#native.inject(r))
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
