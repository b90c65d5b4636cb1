'use strict'
// Argument checks for the public API. Wrong types are TypeErrors with
// Node's own code, ERR_INVALID_ARG_TYPE; values of the right type go to the
// core, which reports bad ones as GhpkgError INVALID_ARGUMENT.

function describe(value) {
  if (value === null) return 'null'
  if (value === undefined) return 'undefined'
  if (Array.isArray(value)) return 'an array'
  switch (typeof value) {
    case 'string':
      return `type string (${JSON.stringify(value.length > 28 ? `${value.slice(0, 25)}...` : value)})`
    case 'number':
    case 'boolean':
    case 'bigint':
      return `type ${typeof value} (${String(value)}${typeof value === 'bigint' ? 'n' : ''})`
    case 'function':
      return 'a function'
    case 'symbol':
      return 'a symbol'
    default:
      return 'an object'
  }
}

function typeError(message) {
  const err = new TypeError(message)
  err.code = 'ERR_INVALID_ARG_TYPE'
  return err
}

function rangeError(message) {
  const err = new RangeError(message)
  err.code = 'ERR_OUT_OF_RANGE'
  return err
}

/** A required string argument. */
function string(value, name) {
  if (typeof value !== 'string') {
    throw typeError(`The "${name}" argument must be of type string. Received ${describe(value)}`)
  }
  return value
}

/**
 * Reads an options object: undefined or null, or an object whose own keys
 * are all in `spec` ({ key: 'string' | 'boolean' | 'number' }). Each key is
 * read once; the result is a fresh object with only known keys, so getters,
 * proxies and prototypes cannot change what reaches the native layer.
 * Unknown keys are TypeErrors: a misspelt `org` must not silently act on
 * the authenticated user's packages.
 */
function options(value, name, spec) {
  const out = {}
  if (value === undefined || value === null) return out
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw typeError(`The "${name}" argument must be of type object. Received ${describe(value)}`)
  }
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(spec, key)) {
      const known = Object.keys(spec).join(', ')
      throw typeError(`The "${name}" argument has an unknown option "${key}"; known options: ${known}`)
    }
  }
  for (const key of Object.keys(spec)) {
    if (!Object.hasOwn(value, key)) continue
    const v = value[key]
    if (v === undefined || v === null) continue
    const want = spec[key]
    if (typeof v !== want) {
      throw typeError(`The "${name}.${key}" option must be of type ${want}. Received ${describe(v)}`)
    }
    out[key] = v
  }
  return out
}

/**
 * A package version id: a positive integer as a number (up to 2^53 - 1),
 * a bigint, or a decimal string. Passed on as a decimal string; the core
 * rejects zero, negatives and fractions with INVALID_ARGUMENT.
 */
function versionId(value, name = 'versionId') {
  switch (typeof value) {
    case 'number':
      if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
        throw rangeError(
          `The "${name}" argument is above 2^53 - 1 and has lost precision; pass it as a bigint or a string. Received ${value}`,
        )
      }
      return String(value)
    case 'bigint':
      return value.toString()
    case 'string':
      return value
    default:
      throw typeError(`The "${name}" argument must be of type number, bigint or string. Received ${describe(value)}`)
  }
}

/**
 * Catalog params: an object of strings, numbers, booleans, bigints (sent as
 * decimal strings), nested JSON values or null; undefined entries are left out.
 */
function params(value, name = 'params') {
  if (value === undefined || value === null) return {}
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw typeError(`The "${name}" argument must be of type object. Received ${describe(value)}`)
  }
  const out = {}
  for (const key of Object.keys(value)) {
    out[key] = json(value[key], `${name}.${key}`, 0)
    if (out[key] === undefined) delete out[key]
  }
  return out
}

function json(v, where, depth) {
  if (depth > 32) throw typeError(`The "${where}" value is nested too deeply`)
  switch (typeof v) {
    case 'undefined':
    case 'string':
    case 'boolean':
      return v
    case 'bigint':
      return v.toString()
    case 'number':
      if (!Number.isFinite(v)) throw typeError(`The "${where}" value must be a finite number. Received ${v}`)
      return v
    case 'object': {
      if (v === null) return null
      if (Array.isArray(v)) return v.map((x, i) => json(x, `${where}[${i}]`, depth + 1) ?? null)
      const out = {}
      for (const key of Object.keys(v)) {
        const x = json(v[key], `${where}.${key}`, depth + 1)
        if (x !== undefined) out[key] = x
      }
      return out
    }
    default:
      throw typeError(`The "${where}" value must be a JSON value. Received ${describe(v)}`)
  }
}

module.exports = { describe, typeError, string, options, versionId, params }
