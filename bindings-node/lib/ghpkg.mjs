// ESM entry point: the same objects as the CommonJS one.
import ghpkg from './ghpkg.js'

export const { Client, Listing, GhpkgError, ErrorCode, errorKinds, catalogResources, Emulator, PACKAGE_TYPES, version } = ghpkg
export default ghpkg
