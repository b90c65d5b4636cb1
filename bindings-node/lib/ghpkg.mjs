// ESM entry point: the same objects as the CommonJS one.
import ghpkg from './ghpkg.js'

export const {
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
  version,
} = ghpkg
export default ghpkg
