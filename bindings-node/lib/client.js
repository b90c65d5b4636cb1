'use strict'
// Client: the public API over the native client. Checks argument types,
// converts errors, and never keeps the token on the JavaScript side.

const util = require('node:util')
const native = require('../native.generated.js')
const args = require('./args.js')
const { call, settle } = require('./errors.js')
const { Listing } = require('./listing.js')
const { retentionOf } = require('./retention.js')

const CLIENT_OPTIONS = {
  token: 'string',
  username: 'string',
  anonymous: 'boolean',
  baseUrl: 'string',
  userAgent: 'string',
  timeoutMs: 'number',
  connectTimeoutMs: 'number',
  maxRetries: 'number',
  retryBackoffMs: 'number',
  maxRateLimitWaitMs: 'number',
  readAhead: 'number',
  perPage: 'number',
  allowInsecureHttp: 'boolean',
  useEnv: 'boolean',
}

const OWNER = { org: 'string', user: 'string' }
const LIST_PACKAGES = { ...OWNER, visibility: 'string' }
const LIST_VERSIONS = { ...OWNER, state: 'string' }
const RESTORE_PACKAGE = { ...OWNER, token: 'string' }

/** Splits checked options into the owner and the rest. */
function owner(o) {
  const out = {}
  if (o.org !== undefined) out.org = o.org
  if (o.user !== undefined) out.user = o.user
  return out
}

/**
 * A GitHub Packages client. Cheap to share; every method that talks to
 * GitHub returns a Promise and runs off the JavaScript thread.
 */
class Client {
  #native
  #retention

  /**
   * @param {object} [options] token, username, anonymous, baseUrl, userAgent,
   *   timeoutMs, connectTimeoutMs, maxRetries, retryBackoffMs,
   *   maxRateLimitWaitMs, readAhead, perPage, allowInsecureHttp, useEnv.
   *   What is given wins; the environment fills what is not (unless
   *   `useEnv: false`): GITHUB_TOKEN, GH_TOKEN, then STACKQL_GITHUB_USERNAME
   *   + STACKQL_GITHUB_PASSWORD for credentials; GITHUB_API_URL.
   */
  constructor(options) {
    const o = args.options(options, 'options', CLIENT_OPTIONS)
    this.#native = call(() => new native.NativeClient(o))
  }

  /**
   * Releases the client; later calls reject with a `CLOSED` GhpkgError.
   * Listings already started keep working. Closing twice is harmless.
   */
  close() {
    this.#native.close()
  }

  /**
   * Retention by policy with this client (plan, apply, verify, undo): the
   * same object each time, so plans share the manifests read so far. Throws
   * a `CLOSED` GhpkgError once the client is closed; a Retention got before
   * keeps working, like a listing.
   */
  get retention() {
    if (this.#retention === undefined || this.closed) {
      this.#retention = retentionOf(call(() => this.#native.retention))
    }
    return this.#retention
  }

  /** Whether `close()` was called. */
  get closed() {
    return this.#native.closed
  }

  /** The API root requests go to (`null` once closed). */
  get baseUrl() {
    return this.#native.baseUrl
  }

  /** The kind of the configured token, from its prefix (`'none'` when anonymous). */
  get tokenKind() {
    return this.#native.tokenKind
  }

  /** Pages a listing fetches ahead. */
  get readAhead() {
    return this.#native.readAhead
  }

  /** Items per page of listings. */
  get perPage() {
    return this.#native.perPage
  }

  /** The `x-ratelimit-*` headers of the most recent response, or null. */
  get rateLimit() {
    return this.#native.rateLimit
  }

  /** Lists the packages of one type an owner has (lazy). */
  listPackages(packageType, options) {
    args.string(packageType, 'packageType')
    const o = args.options(options, 'options', LIST_PACKAGES)
    return new Listing(call(() => this.#native.listPackages(packageType, owner(o), o.visibility)))
  }

  /** Gets one package (names may contain `/`). */
  async getPackage(packageType, name, options) {
    args.string(packageType, 'packageType')
    args.string(name, 'name')
    const o = args.options(options, 'options', OWNER)
    return settle(this.#native.getPackage(packageType, name, owner(o)))
  }

  /** Deletes a whole package (restorable for 30 days). */
  async deletePackage(packageType, name, options) {
    args.string(packageType, 'packageType')
    args.string(name, 'name')
    const o = args.options(options, 'options', OWNER)
    return settle(this.#native.deletePackage(packageType, name, owner(o)))
  }

  /** Restores a package deleted in the last 30 days; `token` is GitHub's optional restore token. */
  async restorePackage(packageType, name, options) {
    args.string(packageType, 'packageType')
    args.string(name, 'name')
    const o = args.options(options, 'options', RESTORE_PACKAGE)
    return settle(this.#native.restorePackage(packageType, name, owner(o), o.token))
  }

  /** Lists a package's versions, `state: 'active'` (default) or `'deleted'` (lazy). */
  listVersions(packageType, name, options) {
    args.string(packageType, 'packageType')
    args.string(name, 'name')
    const o = args.options(options, 'options', LIST_VERSIONS)
    return new Listing(call(() => this.#native.listVersions(packageType, name, owner(o), o.state)))
  }

  /** Gets one version by id. */
  async getVersion(packageType, name, versionId, options) {
    args.string(packageType, 'packageType')
    args.string(name, 'name')
    const id = args.versionId(versionId)
    const o = args.options(options, 'options', OWNER)
    return settle(this.#native.getVersion(packageType, name, id, owner(o)))
  }

  /** Deletes one version (restorable for 30 days). */
  async deleteVersion(packageType, name, versionId, options) {
    args.string(packageType, 'packageType')
    args.string(name, 'name')
    const id = args.versionId(versionId)
    const o = args.options(options, 'options', OWNER)
    return settle(this.#native.deleteVersion(packageType, name, id, owner(o)))
  }

  /** Restores a version deleted in the last 30 days. */
  async restoreVersion(packageType, name, versionId, options) {
    args.string(packageType, 'packageType')
    args.string(name, 'name')
    const id = args.versionId(versionId)
    const o = args.options(options, 'options', OWNER)
    return settle(this.#native.restoreVersion(packageType, name, id, owner(o)))
  }

  /** Lists docker packages whose migration to the Container registry conflicts (lazy). */
  dockerConflicts(options) {
    const o = args.options(options, 'options', OWNER)
    return new Listing(call(() => this.#native.dockerConflicts(owner(o))))
  }

  /** Checks what the token may do (read, delete, restore) with one cheap request. */
  async scopes() {
    return settle(this.#native.scopes())
  }

  /** Catalog SELECT: picks the method StackQL would from the params; rows of every page. */
  async catalogSelect(resource, params) {
    args.string(resource, 'resource')
    const p = args.params(params)
    return settle(this.#native.catalogSelect(resource, p))
  }

  /** Catalog DELETE: picks the delete method StackQL would from the params. */
  async catalogDelete(resource, params) {
    args.string(resource, 'resource')
    const p = args.params(params)
    return settle(this.#native.catalogDelete(resource, p))
  }

  /** Calls any catalog method by name, e.g. `restore_package_for_org`. */
  async catalogExec(resource, method, params) {
    args.string(resource, 'resource')
    args.string(method, 'method')
    const p = args.params(params)
    return settle(this.#native.catalogExec(resource, method, p))
  }

  /** What `util.inspect` and `console.log` show: never the token. */
  [util.inspect.custom](_depth, opts, inspect) {
    const shown = this.closed ? { closed: true } : { baseUrl: this.baseUrl, tokenKind: this.tokenKind }
    return `Client ${(inspect ?? util.inspect)(shown, opts)}`
  }

  /** What `JSON.stringify` shows: never the token. */
  toJSON() {
    return this.closed ? { closed: true } : { baseUrl: this.baseUrl, tokenKind: this.tokenKind }
  }

  get [Symbol.toStringTag]() {
    return 'Client'
  }
}

module.exports = { Client }
