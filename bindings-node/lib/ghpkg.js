'use strict'
// ghpkg for Node.js: a GitHub Packages client on a Rust core (napi-rs).
// The native addon is loaded by the generated ../native.generated.js.

const native = require('../native.generated.js')
const { Client } = require('./client.js')
const { Listing } = require('./listing.js')
const { GhpkgError, ErrorCode, errorKinds } = require('./errors.js')
const { Emulator } = require('./emulator.js')
const { Retention, Plan, Policy, ApplyRun, retentionSchemas } = require('./retention.js')

/** The StackQL-style catalog: resources, their fields and methods. */
function catalogResources() {
  return native.catalogResources()
}

/** The package types GitHub Packages knows, as the core lists them. */
const PACKAGE_TYPES = Object.freeze(native.packageTypes())

module.exports = {
  Client,
  Listing,
  GhpkgError,
  ErrorCode,
  errorKinds,
  catalogResources,
  Emulator,
  Retention,
  Plan,
  Policy,
  ApplyRun,
  retentionSchemas,
  PACKAGE_TYPES,
  version: native.nativeVersion(),
}
