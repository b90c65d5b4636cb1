'use strict'
// Retention: cleaning up a registry by policy, over the core's retention
// engine. Options go to the core as its own JSON (camelCase keys become its
// snake_case ones), so the core owns their names, defaults and checks;
// plans, events and reports come back in the core's JSON shape (snake_case
// keys, as in the repository's schemas/), the same in every language.

const util = require('node:util')
const native = require('../native.generated.js')
const args = require('./args.js')
const { convert, call, settle } = require('./errors.js')

const CREATE = Symbol('retention.create')
const DONE = Object.freeze({ value: undefined, done: true })

const snakeCase = (key) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)

function rangeError(message) {
  const err = new RangeError(message)
  err.code = 'ERR_OUT_OF_RANGE'
  return err
}

/**
 * A value on its way into the core's JSON: a Date becomes its ISO 8601 text,
 * a bigint a number; undefined is left out of objects, as JSON.stringify does.
 */
function jsonValue(v, where, depth) {
  if (depth > 32) throw args.typeError(`The "${where}" value is nested too deeply`)
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString()
  switch (typeof v) {
    case 'undefined':
    case 'string':
    case 'boolean':
      return v
    case 'number':
      if (!Number.isFinite(v)) throw args.typeError(`The "${where}" value must be a finite number. Received ${v}`)
      return v
    case 'bigint':
      if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) {
        throw rangeError(`The "${where}" value is outside what JSON numbers hold exactly here. Received ${v}n`)
      }
      return Number(v)
    case 'object': {
      if (v === null) return null
      if (Array.isArray(v)) return v.map((x, i) => jsonValue(x, `${where}[${i}]`, depth + 1) ?? null)
      const out = {}
      for (const key of Object.keys(v)) {
        const x = jsonValue(v[key], `${where}.${key}`, depth + 1)
        if (x !== undefined) out[key] = x
      }
      return out
    }
    default:
      throw args.typeError(`The "${where}" value must be a JSON value. Received ${args.describe(v)}`)
  }
}

function plainObject(value, name) {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Date) {
    throw args.typeError(`The "${name}" argument must be of type object. Received ${args.describe(value)}`)
  }
  return value
}

/**
 * Options as the core's JSON text: `{ maxDeletes: 5 }` → `{"max_deletes":5}`.
 * Undefined and null values are left out; the core refuses unknown names
 * and bad values (INVALID_ARGUMENT naming the field).
 */
function coreOptions(value, name) {
  if (value === undefined || value === null) return '{}'
  plainObject(value, name)
  const out = {}
  for (const key of Object.keys(value)) {
    const v = jsonValue(value[key], `${name}.${key}`, 0)
    if (v === undefined || v === null) continue
    const core = snakeCase(key)
    if (Object.hasOwn(out, core)) throw args.typeError(`The "${name}" argument gives the option "${core}" twice`)
    out[core] = v
  }
  return JSON.stringify(out)
}

function deepFreeze(v) {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    for (const x of Object.values(v)) deepFreeze(x)
    Object.freeze(v)
  }
  return v
}

/**
 * A retention policy the core has read: every default written out. Make one
 * with `Policy.fromJSON(textOrObject)` or an importer (`Policy.fromCrp`,
 * `fromDataaxiom`, `fromDpv`, `fromVlaurin`); `retention.plan` also takes
 * the policy as an object, its JSON text or a file path.
 */
class Policy {
  #json
  #hash

  /** @internal Use `Policy.fromJSON()` or an importer. */
  constructor(key, checked) {
    if (key !== CREATE) throw new TypeError('use Policy.fromJSON() or an importer to make a Policy')
    this.#json = checked.json
    this.#hash = checked.hash
  }

  /**
   * Reads a policy from its JSON text or a plain object. Unknown fields, bad
   * patterns and durations are a GhpkgError `INVALID_ARGUMENT` naming where.
   */
  static fromJSON(value) {
    const text = typeof value === 'string' ? value : JSON.stringify(jsonValue(plainObject(value, 'policy'), 'policy', 0))
    return new Policy(
      CREATE,
      call(() => native.checkPolicy(text)),
    )
  }

  /** snok/container-retention-policy v3's inputs (`image-names`, `cut-off`, ...). */
  static fromCrp(inputs) {
    return importPolicy('crp', inputs)
  }

  /** dataaxiom/ghcr-cleanup-action v1's inputs (`packages`, `delete-untagged`, ...). */
  static fromDataaxiom(inputs) {
    return importPolicy('dataaxiom', inputs)
  }

  /** actions/delete-package-versions v5's inputs (`package-name`, `min-versions-to-keep`, ...). */
  static fromDpv(inputs) {
    return importPolicy('dpv', inputs)
  }

  /** vlaurin/action-ghcr-prune v0.6's inputs (`container`, `keep-younger-than`, ...). */
  static fromVlaurin(inputs) {
    return importPolicy('vlaurin', inputs)
  }

  /** `sha256:` of the policy's canonical JSON (a plan's `policy_hash`). */
  get hash() {
    return this.#hash
  }

  /** The policy as a plain object, every default written out (a fresh copy). */
  toJSON() {
    return JSON.parse(this.#json)
  }

  /** The policy as JSON text, every default written out. */
  json() {
    return this.#json
  }

  toString() {
    return this.#json
  }

  [util.inspect.custom](_depth, opts, inspect) {
    return `Policy ${(inspect ?? util.inspect)(this.toJSON(), opts)}`
  }

  get [Symbol.toStringTag]() {
    return 'Policy'
  }
}

function importPolicy(tool, inputs) {
  plainObject(inputs, 'inputs')
  const out = {}
  for (const key of Object.keys(inputs)) {
    const v = inputs[key]
    if (v === undefined || v === null) continue
    if (!['string', 'number', 'boolean'].includes(typeof v)) {
      throw args.typeError(`The "inputs.${key}" input must be a string, number or boolean. Received ${args.describe(v)}`)
    }
    out[key] = String(v)
  }
  return new Policy(
    CREATE,
    call(() => native.importPolicy(tool, out)),
  )
}

/** The policy as `[text, fromFile]` for the native plan. */
function policySource(policy) {
  if (policy instanceof Policy) return [policy.json(), false]
  // JSON text starts with `{`; any other string is a file path.
  if (typeof policy === 'string') return /^\s*\{/.test(policy) ? [policy, false] : [policy, true]
  if (policy !== null && typeof policy === 'object' && !Array.isArray(policy)) {
    return [JSON.stringify(jsonValue(policy, 'policy', 0)), false]
  }
  throw args.typeError(`The "policy" argument must be a Policy, an object or a string. Received ${args.describe(policy)}`)
}

/** The native plan of a Plan (set by the class). */
let nativeOf

/**
 * A retention plan: what a run would delete, and why, for every version of
 * every covered package. Made by `retention.plan()`, read back with
 * `Plan.fromJSON()`. Its data is the core's JSON (snake_case keys) and
 * read-only; review edits (`withoutVersions`, `onlyPackages`) make new plans.
 */
class Plan {
  #native
  #data

  /** @internal Plans come from `retention.plan()` and `Plan.fromJSON()`. */
  constructor(key, handle) {
    if (key !== CREATE) throw new TypeError('use retention.plan() or Plan.fromJSON() to get a Plan')
    this.#native = handle
  }

  /**
   * Reads a plan from its JSON text or a plain object. A plan whose policy
   * was edited by hand (it no longer matches `policy_hash`) is refused with
   * a GhpkgError `INVALID_ARGUMENT`, like anything that is not a plan.
   */
  static fromJSON(value) {
    const text = typeof value === 'string' ? value : JSON.stringify(jsonValue(plainObject(value, 'plan'), 'plan', 0))
    return new Plan(
      CREATE,
      call(() => native.NativePlan.fromJson(text)),
    )
  }

  static {
    nativeOf = (plan) => plan.#native
  }

  #view() {
    this.#data ??= deepFreeze(JSON.parse(this.#native.json()))
    return this.#data
  }

  /** `pln_` and 16 hex digits derived from the plan's inputs. */
  get id() {
    return this.#view().id
  }

  /** The instant ages were judged at (RFC 3339). */
  get now() {
    return this.#view().now
  }

  get policyHash() {
    return this.#view().policy_hash
  }

  /** The policy, every default written out. */
  get policy() {
    return this.#view().policy
  }

  /** Where the plan was made: apply refuses to run it anywhere else. */
  get target() {
    return this.#view().target
  }

  /** Review edits, in order. */
  get edits() {
    return this.#view().edits
  }

  /** One entry per covered package, by name. */
  get packages() {
    return this.#view().packages
  }

  get warnings() {
    return this.#view().warnings
  }

  /** Counts and the estimated cost of applying. */
  get totals() {
    return this.#view().totals
  }

  /** The plan as a plain object (a fresh, mutable copy). */
  toJSON() {
    return JSON.parse(this.#native.json())
  }

  /** The plan as JSON text, exactly as the core writes it (what `Plan.fromJSON` reads). */
  json() {
    return this.#native.json()
  }

  toString() {
    return this.#native.json()
  }

  /** The plan rendered: `markdown` (default; a CI job summary), `table`, `json` or `ndjson`. */
  render(how = 'markdown') {
    args.string(how, 'how')
    return call(() => this.#native.render(how))
  }

  /** Every planned change (deletions and untags) in apply order: `{ package, action }`. */
  deletions() {
    const data = this.#view()
    return this.#native.deletions().map(({ package: p, action: a }) => ({
      package: data.packages[p],
      action: data.packages[p].actions[a],
    }))
  }

  /**
   * A new plan that keeps these versions (and what they hold alive: an
   * index's children, a subject's signatures); each edit is recorded. An id
   * that is not a planned deletion is `INVALID_ARGUMENT`.
   */
  withoutVersions(versionIds) {
    if (!Array.isArray(versionIds)) {
      throw args.typeError(`The "versionIds" argument must be an array. Received ${args.describe(versionIds)}`)
    }
    const ids = versionIds.map((id, i) => args.versionId(id, `versionIds[${i}]`))
    return new Plan(
      CREATE,
      call(() => this.#native.withoutVersions(ids)),
    )
  }

  /** A new plan that keeps every deletion outside these packages. */
  onlyPackages(names) {
    if (!Array.isArray(names)) throw args.typeError(`The "names" argument must be an array. Received ${args.describe(names)}`)
    const checked = names.map((n, i) => args.string(n, `names[${i}]`))
    return new Plan(
      CREATE,
      call(() => this.#native.onlyPackages(checked)),
    )
  }

  [util.inspect.custom](_depth, opts, inspect) {
    const { id, now, totals } = this.#view()
    return `Plan ${(inspect ?? util.inspect)({ id, now, totals }, opts)}`
  }

  get [Symbol.toStringTag]() {
    return 'Plan'
  }
}

/** A Plan, or what `Plan.fromJSON` reads, as the native plan. */
function nativePlan(plan) {
  if (plan instanceof Plan) return nativeOf(plan)
  if (typeof plan === 'string' || (plan !== null && typeof plan === 'object' && !Array.isArray(plan))) {
    return nativeOf(Plan.fromJSON(plan))
  }
  throw args.typeError(`The "plan" argument must be a Plan, its JSON text or object. Received ${args.describe(plan)}`)
}

/**
 * The events of one run of `retention.applyEvents()`, for `for await`:
 * phases, progress, waits, one `outcome` per unit, and last the `report`.
 * Leaving the loop (`break`, `return`, a throw) stops the run between
 * deletes and waits until it has ended: what is left is `not_attempted` and
 * applying the same plan with the same journal finishes it.
 */
class ApplyRun {
  #native
  #done = false
  #report = null
  #queue = Promise.resolve()

  /** @internal Runs come from `retention.applyEvents()`. */
  constructor(key, handle) {
    if (key !== CREATE) throw new TypeError('use retention.applyEvents() to start a run')
    this.#native = handle
  }

  #enqueue(step) {
    const result = this.#queue.then(step)
    this.#queue = result.then(
      () => undefined,
      () => undefined,
    )
    return result
  }

  async #pull() {
    let event
    try {
      event = await this.#native.next()
    } catch (err) {
      this.#done = true
      throw convert(err)
    }
    if (event === null) {
      this.#done = true
      return null
    }
    if (event.type === 'report') this.#report = event.report
    return event
  }

  async #next() {
    if (this.#done) return DONE
    const event = await this.#pull()
    return event === null ? DONE : { value: event, done: false }
  }

  async #return() {
    if (!this.#done) {
      this.#native.stop()
      let event
      do event = await this.#pull()
      while (event !== null)
    }
    return DONE
  }

  /** The next event; the run starts with the first call. */
  next() {
    return this.#enqueue(() => this.#next())
  }

  /** Stops the run between deletes and resolves once it has ended (what `break` does). */
  return() {
    return this.#enqueue(() => this.#return())
  }

  /**
   * Stops starting deletes; the events go on to the report, whose status is
   * `partial` when something was left (the journal resumes it).
   */
  stop() {
    this.#native.stop()
  }

  /** The report, once the `report` event has come; null before. */
  get report() {
    return this.#report
  }

  [Symbol.asyncIterator]() {
    return this
  }

  get [Symbol.toStringTag]() {
    return 'ApplyRun'
  }
}

function since(value) {
  if (value instanceof Date) return jsonValue(value, 'options.since', 0)
  if (typeof value === 'string') return value
  throw args.typeError(`The "options.since" option must be a Date or a string. Received ${args.describe(value)}`)
}

/**
 * Retention for one client (`client.retention`): plans, and with a reviewed
 * plan apply, verify and undo. Every method returns a Promise (or, for
 * `applyEvents`, an async iterable) and runs off the JavaScript thread.
 */
class Retention {
  #native

  /** @internal Use `client.retention`. */
  constructor(key, handle) {
    if (key !== CREATE) throw new TypeError('use client.retention to get a Retention')
    this.#native = handle
  }

  /**
   * Makes a plan: reads the covered packages, their versions and, for
   * containers, every manifest. Sends only reads. `policy` is a Policy, a
   * plain object, JSON text, or the path of a JSON file (a string that does
   * not start with `{`). Options: `now` (Date or RFC 3339), `registryUrl`,
   * `manifestCache`.
   */
  async plan(policy, options) {
    const [text, fromFile] = policySource(policy)
    const o = coreOptions(options, 'options')
    return new Plan(CREATE, await settle(this.#native.plan(text, fromFile, o)))
  }

  /**
   * Applies a reviewed plan as a run of events (see `ApplyRun`). Options:
   * `journal` (required), `deadline`, `maxDeletes`, `deletesPerMinute`,
   * `maxPlanAge`, `verify`, `onVerifyFailure`, `requireFullBudget`,
   * `registryUrl`. Bad options, and a failed precondition (an old plan,
   * another host or user, a journal of another plan), reject the first
   * `next()`, and nothing is deleted.
   */
  applyEvents(plan, options) {
    const handle = nativePlan(plan)
    const o = coreOptions(options, 'options')
    return new ApplyRun(
      CREATE,
      call(() => this.#native.applyEvents(handle, o)),
    )
  }

  /** Applies a reviewed plan (the options of `applyEvents`) and resolves with the report. */
  async apply(plan, options) {
    const handle = nativePlan(plan)
    const o = coreOptions(options, 'options')
    return settle(this.#native.apply(handle, o))
  }

  /**
   * Checks that every image the plan keeps still resolves with all its
   * children (HEAD requests). Option: `registryUrl` (default: the plan's).
   */
  async verify(plan, options) {
    const handle = nativePlan(plan)
    const o = args.options(options, 'options', { registryUrl: 'string' })
    return settle(this.#native.verify(handle, o.registryUrl))
  }

  /**
   * Restores what the run recorded in `journal` deleted, within GitHub's
   * 30 days. Options: `dryRun`, `journal` (the undo's own), `packages`,
   * `versionIds`, `restoresPerMinute`, `registryUrl`.
   */
  async undo(journal, options) {
    args.string(journal, 'journal')
    const o = coreOptions(options, 'options')
    return settle(this.#native.undo(journal, o))
  }

  /**
   * For a lost journal: writes to `options.journal` an undo set of the
   * versions of one package deleted since `options.since` (a Date or RFC
   * 3339), from GitHub's list of deleted versions; `undo` then restores
   * them. Resolves with how many it found. Owner: `org` or `user`.
   */
  async recover(packageType, name, options) {
    args.string(packageType, 'packageType')
    args.string(name, 'name')
    const o = plainObject(options, 'options')
    for (const key of Object.keys(o)) {
      if (!['org', 'user', 'since', 'journal'].includes(key)) {
        throw args.typeError(`The "options" argument has an unknown option "${key}"; known options: org, user, since, journal`)
      }
    }
    const owner = args.options({ org: o.org, user: o.user }, 'options', { org: 'string', user: 'string' })
    args.string(o.journal, 'options.journal')
    return settle(this.#native.recover(packageType, name, owner, since(o.since), o.journal))
  }

  get [Symbol.toStringTag]() {
    return 'Retention'
  }
}

/** @internal The Retention of a native client (`client.retention`). */
function retentionOf(handle) {
  return new Retention(CREATE, handle)
}

/** The JSON Schemas of the retention formats, by file name (`policy.schema.json`, ...). */
function retentionSchemas() {
  return native.retentionSchemas()
}

module.exports = { Retention, Plan, Policy, ApplyRun, retentionOf, retentionSchemas }
