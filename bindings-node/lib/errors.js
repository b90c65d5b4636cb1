'use strict'
// GhpkgError: what every failed call rejects with, one `code` per core
// error kind (the table in README.md).

const native = require('../native.generated.js')

/** The prefix of native error reasons that carry a serialized ghpkg error. */
const MARKER = '\u0001ghpkg-error:'

class GhpkgError extends Error {
  constructor(fields) {
    super(fields.message)
    this.name = 'GhpkgError'
    this.code = fields.code
    this.detail = fields.detail ?? fields.message
    this.status = fields.status ?? null
    this.requestId = fields.requestId ?? null
    this.documentationUrl = fields.documentationUrl ?? null
    this.retryAfter = fields.retryAfter ?? null
    this.rateLimit = fields.rateLimit ?? null
    this.hint = fields.hint ?? null
    this.retryable = Boolean(fields.retryable)
  }
}

/** Turns a native rejection into a GhpkgError; anything else passes through. */
function convert(err) {
  if (err instanceof Error && typeof err.message === 'string' && err.message.startsWith(MARKER)) {
    let fields
    try {
      fields = JSON.parse(err.message.slice(MARKER.length))
    } catch {
      return err
    }
    const out = new GhpkgError(fields)
    Error.captureStackTrace?.(out, convert)
    return out
  }
  return err
}

/** Runs `fn` (sync) and rethrows native errors converted. */
function call(fn) {
  try {
    return fn()
  } catch (err) {
    throw convert(err)
  }
}

/** Awaits a native promise and rethrows its rejection converted. */
async function settle(promise) {
  try {
    return await promise
  } catch (err) {
    throw convert(err)
  }
}

const kinds = Object.freeze(native.errorKinds().map((k) => Object.freeze(k)))

/** `ErrorCode.NOT_FOUND === 'NOT_FOUND'`, one entry per core error kind. */
const ErrorCode = Object.freeze(Object.fromEntries(kinds.map((k) => [k.code, k.code])))

/** The error table: kind, code, C status number and description, in the core's order. */
function errorKinds() {
  return kinds.map((k) => ({ ...k }))
}

module.exports = { GhpkgError, ErrorCode, errorKinds, convert, call, settle, MARKER }
