// Types of the public API of `ghpkg`. The result objects (Package,
// PackageVersion, SimpleUser, MinimalRepository, ...) and string-literal
// unions are generated from the Rust code into ../native.generated.d.ts;
// the retention formats (policy, plan, events, report, journal, options)
// from the JSON Schemas in ../../schemas into ./retention.generated.d.ts.

import type {
  ContainerMetadata,
  DockerMetadata,
  ErrorCode as ErrorCodeName,
  ErrorKindInfo,
  LoggedRequest,
  MinimalRepository,
  Package,
  PackageType,
  PackageVersion,
  RateLimit,
  SimpleUser,
  TokenKind,
  TokenScopes,
  VersionMetadata,
  VersionState,
  Visibility,
} from '../native.generated'
import type {
  Action,
  ApplyOptions,
  Broken,
  DeleteRule,
  Duration,
  Edit,
  ErrorInfo,
  GraphOptions,
  Item,
  JournalRecord,
  KeepRule,
  ListingSummary,
  Outcome,
  Override,
  PackageFilter,
  PackagePlan,
  PackageStatus,
  Pattern,
  PlanJSON,
  PlanOptions,
  PolicyJSON,
  PolicyOwner,
  Protect,
  Reason,
  Report,
  Requests,
  Resume,
  RetentionEvent,
  RetentionFormats,
  Role,
  Selector,
  Status as RunStatus,
  Summary,
  TagClause,
  Target,
  Totals,
  UndoOptions,
  Verdict,
  VerifyFailure,
  VerifyReport,
  VersionKind,
  Warning,
} from './retention.generated'

export type {
  ContainerMetadata,
  DockerMetadata,
  ErrorKindInfo,
  LoggedRequest,
  MinimalRepository,
  Package,
  PackageType,
  PackageVersion,
  RateLimit,
  SimpleUser,
  TokenKind,
  TokenScopes,
  VersionMetadata,
  VersionState,
  Visibility,
  Action,
  ApplyOptions,
  Broken,
  DeleteRule,
  Duration,
  Edit,
  ErrorInfo,
  GraphOptions,
  Item,
  JournalRecord,
  KeepRule,
  ListingSummary,
  Outcome,
  Override,
  PackageFilter,
  PackagePlan,
  PackageStatus,
  Pattern,
  PlanJSON,
  PlanOptions,
  PolicyJSON,
  PolicyOwner,
  Protect,
  Reason,
  Report,
  Requests,
  Resume,
  RetentionEvent,
  RetentionFormats,
  Role,
  RunStatus,
  Selector,
  Summary,
  TagClause,
  Target,
  Totals,
  UndoOptions,
  Verdict,
  VerifyFailure,
  VerifyReport,
  VersionKind,
  Warning,
}

/** Settings of a Client; what is not given comes from the environment. */
export interface ClientOptions {
  /** A token, sent as `Authorization: Bearer`; with `username`, HTTP Basic. Default: GITHUB_TOKEN, then GH_TOKEN. */
  token?: string
  /** Send HTTP Basic `username:token` (what StackQL sends). */
  username?: string
  /** No credentials even when the environment has a token (GitHub answers 401 to anonymous packages calls). */
  anonymous?: boolean
  /** `https://api.github.com` (default, or GITHUB_API_URL) or a GitHub Enterprise Server's `https://HOST/api/v3`. */
  baseUrl?: string
  /** Default `ghpkg/VERSION`. */
  userAgent?: string
  /** Whole-request timeout in milliseconds (default 30000). */
  timeoutMs?: number
  /** Connect timeout in milliseconds (default 10000). */
  connectTimeoutMs?: number
  /** Retries of connection errors and 5xx answers to reads (default 3). */
  maxRetries?: number
  /** First retry delay in milliseconds, doubling, jittered (default 250). */
  retryBackoffMs?: number
  /** The longest rate-limit wait in milliseconds before failing with RATE_LIMITED (default 120000; 0 never waits). */
  maxRateLimitWaitMs?: number
  /** Pages a listing fetches ahead, concurrently (default 4). */
  readAhead?: number
  /** Items per page of listings, 1 to 100 (default 100). */
  perPage?: number
  /** Allow plain `http://` on a non-loopback host (off: the token would travel in clear text). */
  allowInsecureHttp?: boolean
  /** Fill unset credentials and base URL from the environment (default true; `false` reads nothing). */
  useEnv?: boolean
}

/** Whose packages: `{ org }`, `{ user }`, or neither for the authenticated user. */
export interface OwnerOptions {
  org?: string
  user?: string
}

export interface ListPackagesOptions extends OwnerOptions {
  /** Only packages of this visibility. */
  visibility?: Visibility
}

export interface ListVersionsOptions extends OwnerOptions {
  /** `active` (default) or `deleted` (restorable within 30 days). */
  state?: VersionState
}

export interface RestorePackageOptions extends OwnerOptions {
  /** GitHub's optional restore token. */
  token?: string
}

/** A package version id: a positive integer, as a number, a bigint or a decimal string. */
export type VersionId = number | bigint | string

/** Catalog params: strings, or a number for `package_version_id`; null counts as absent. */
export type CatalogParams = Record<string, string | number | bigint | boolean | null | undefined>

/** One row of a catalog SELECT: exactly the resource's fields, GitHub's snake_case JSON. */
export type CatalogRow = Record<string, unknown>

/**
 * A lazy listing: fetches pages as they are consumed, with read-ahead.
 * Consume it once with `for await`, `next()` or `toArray()`; leaving a loop
 * early cancels requests in flight. It ends after an error.
 */
export declare class Listing<T> implements AsyncIterableIterator<T> {
  private constructor()
  next(): Promise<IteratorResult<T, undefined>>
  /** Stops the listing, cancelling requests in flight. */
  return(): Promise<IteratorResult<T, undefined>>
  [Symbol.asyncIterator](): Listing<T>
  /** Every remaining item, in order. */
  toArray(): Promise<T[]>
  /** The same as `toArray()`. */
  collect(): Promise<T[]>
  /**
   * Whether the listing stopped at GitHub's 10,000-item paging limit, so
   * more items may exist than were listed. Meaningful once the listing has
   * ended; filter it (by visibility) to reach the rest.
   */
  readonly reachedPagingLimit: boolean
}

/** A GitHub Packages client. Methods that talk to GitHub return Promises and never block the event loop. */
export declare class Client {
  constructor(options?: ClientOptions)
  /** Releases the client; later calls reject with a `CLOSED` GhpkgError. Listings already started keep working. */
  close(): void
  /** Whether `close()` was called. */
  readonly closed: boolean
  /** The API root requests go to (`null` once closed). */
  readonly baseUrl: string | null
  /** The configured token's kind, from its prefix (`'none'` when anonymous; `null` once closed). */
  readonly tokenKind: TokenKind | null
  readonly readAhead: number | null
  readonly perPage: number | null
  /** The `x-ratelimit-*` headers of the most recent response. */
  readonly rateLimit: RateLimit | null

  listPackages(packageType: PackageType, options?: ListPackagesOptions): Listing<Package>
  getPackage(packageType: PackageType, name: string, options?: OwnerOptions): Promise<Package>
  deletePackage(packageType: PackageType, name: string, options?: OwnerOptions): Promise<void>
  restorePackage(packageType: PackageType, name: string, options?: RestorePackageOptions): Promise<void>
  listVersions(packageType: PackageType, name: string, options?: ListVersionsOptions): Listing<PackageVersion>
  getVersion(packageType: PackageType, name: string, versionId: VersionId, options?: OwnerOptions): Promise<PackageVersion>
  deleteVersion(packageType: PackageType, name: string, versionId: VersionId, options?: OwnerOptions): Promise<void>
  restoreVersion(packageType: PackageType, name: string, versionId: VersionId, options?: OwnerOptions): Promise<void>
  dockerConflicts(options?: OwnerOptions): Listing<Package>
  /** What the token may do, checked with one cheap request. */
  scopes(): Promise<TokenScopes>
  /** Catalog SELECT on a resource (`packages`, `org_packages`, `package_versions`, `docker_migration_packages`). */
  catalogSelect(resource: string, params: CatalogParams): Promise<CatalogRow[]>
  /** Catalog DELETE on a resource. */
  catalogDelete(resource: string, params: CatalogParams): Promise<void>
  /** Calls a catalog method by name, e.g. `restore_package_for_org`; rows for SELECT methods, else `[]`. */
  catalogExec(resource: string, method: string, params: CatalogParams): Promise<CatalogRow[]>
  /**
   * Retention by policy with this client: the same object each time, so
   * plans share the manifests read so far. Throws a `CLOSED` GhpkgError once
   * the client is closed; a Retention got before keeps working.
   */
  readonly retention: Retention
  toJSON(): { baseUrl: string; tokenKind: TokenKind } | { closed: true }
}

/** A value as the retention objects hand it out: frozen, all the way down. */
export type Frozen<T> =
  T extends ReadonlyArray<infer U> ? ReadonlyArray<Frozen<U>> : T extends object ? { readonly [K in keyof T]: Frozen<T[K]> } : T

/** A tool's inputs, as a workflow's `with:` gives them (numbers and booleans are written as strings). */
export type ImporterInputs = Record<string, string | number | boolean | null | undefined>

/**
 * A retention policy the core has read, every default written out. The
 * policy format is `PolicyJSON` (snake_case keys, as in `schemas/policy.schema.json`).
 */
export declare class Policy {
  private constructor()
  /** Reads a policy from its JSON text or object; a bad field or pattern is `INVALID_ARGUMENT` naming it. */
  static fromJSON(value: string | PolicyJSON): Policy
  /** snok/container-retention-policy v3's inputs (`account`, `image-names`, `cut-off`, ...). */
  static fromCrp(inputs: ImporterInputs): Policy
  /** dataaxiom/ghcr-cleanup-action v1's inputs (`owner`, `packages`, `delete-untagged`, ...). */
  static fromDataaxiom(inputs: ImporterInputs): Policy
  /** actions/delete-package-versions v5's inputs (`package-name`, `package-type`, `min-versions-to-keep`, ...). */
  static fromDpv(inputs: ImporterInputs): Policy
  /** vlaurin/action-ghcr-prune v0.6's inputs (`organization`, `container`, `keep-younger-than`, ...). */
  static fromVlaurin(inputs: ImporterInputs): Policy
  /** `sha256:` of the policy's canonical JSON (a plan's `policy_hash`). */
  readonly hash: string
  /** The policy as a plain object, every default written out (a fresh copy). */
  toJSON(): PolicyJSON
  /** The policy as JSON text. */
  json(): string
  toString(): string
}

/** What `retention.plan` takes as the policy: a Policy, an object, JSON text, or the path of a JSON file. */
export type PolicyInput = Policy | PolicyJSON | string

/** What apply and verify take as the plan: a Plan, or what `Plan.fromJSON` reads. */
export type PlanInput = Plan | PlanJSON | string

/** A rendering of a plan. */
export type PlanRendering = 'markdown' | 'table' | 'json' | 'ndjson'

/**
 * A retention plan: what a run would delete, and why. Its data is the core's
 * JSON (`PlanJSON`, snake_case keys), read-only; review edits make new plans.
 */
export declare class Plan {
  private constructor()
  /** Reads a plan; a hand-edited policy (hash mismatch) is `INVALID_ARGUMENT`. */
  static fromJSON(value: string | PlanJSON): Plan
  /** `pln_` and 16 hex digits derived from the plan's inputs. */
  readonly id: string
  /** The instant ages were judged at (RFC 3339). */
  readonly now: string
  readonly policyHash: string
  readonly policy: Frozen<PolicyJSON>
  readonly target: Frozen<Target>
  readonly edits: Frozen<Edit[]>
  readonly packages: Frozen<PackagePlan[]>
  readonly warnings: Frozen<Warning[]>
  readonly totals: Frozen<Totals>
  /** The plan as a plain object (a fresh, mutable copy). */
  toJSON(): PlanJSON
  /** The plan as JSON text, exactly as the core writes it. */
  json(): string
  toString(): string
  /** The plan as Markdown (default), a text table, JSON or NDJSON. */
  render(how?: PlanRendering): string
  /** Every planned change (deletions and untags) in apply order. */
  deletions(): Array<{ readonly package: Frozen<PackagePlan>; readonly action: Frozen<Action> }>
  /** A new plan keeping these versions and what they hold alive; a version not planned for deletion is `INVALID_ARGUMENT`. */
  withoutVersions(versionIds: readonly VersionId[]): Plan
  /** A new plan keeping every deletion outside these packages. */
  onlyPackages(names: readonly string[]): Plan
}

/**
 * The events of one run, for `for await`: the last is `{ type: 'report' }`.
 * Leaving the loop stops the run between deletes and waits for it to end;
 * the same journal resumes it.
 */
export declare class ApplyRun implements AsyncIterableIterator<RetentionEvent> {
  private constructor()
  /** The next event; the run starts with the first call. */
  next(): Promise<IteratorResult<RetentionEvent, undefined>>
  /** Stops the run between deletes and resolves once it has ended. */
  return(): Promise<IteratorResult<RetentionEvent, undefined>>
  [Symbol.asyncIterator](): ApplyRun
  /** Stops starting deletes; the events go on to a `partial` report. */
  stop(): void
  /** The report once the `report` event has come, else null. */
  readonly report: Report | null
}

export interface VerifyOptions {
  /** The container registry (default: the plan's). */
  registryUrl?: string
}

export interface RecoverOptions extends OwnerOptions {
  /** Versions deleted since then (a Date, or RFC 3339). */
  since: Date | string
  /** The journal to write (it must not exist yet); `undo` it afterwards. */
  journal: string
}

/** Retention by policy for one client: `client.retention`. */
export declare class Retention {
  private constructor()
  /** Makes a plan (sends only reads). */
  plan(policy: PolicyInput, options?: PlanOptions): Promise<Plan>
  /** Applies a reviewed plan, as a run of events; a failed precondition rejects the first `next()`. */
  applyEvents(plan: PlanInput, options: ApplyOptions): ApplyRun
  /** Applies a reviewed plan and resolves with the report. */
  apply(plan: PlanInput, options: ApplyOptions): Promise<Report>
  /** Checks that every image the plan keeps resolves with all its children. */
  verify(plan: PlanInput, options?: VerifyOptions): Promise<VerifyReport>
  /** Restores what the run recorded in `journal` deleted, within GitHub's 30 days. */
  undo(journal: string, options?: UndoOptions): Promise<Report>
  /** Writes an undo set for one package's versions deleted since `since`; resolves with how many. */
  recover(packageType: PackageType, name: string, options: RecoverOptions): Promise<number>
}

/** The JSON Schemas of the retention formats, by file name (`policy.schema.json`, ...). */
export declare function retentionSchemas(): Record<string, Record<string, unknown>>

/** Every failure of a Client call: one stable `code` per kind of error. */
export declare class GhpkgError extends Error {
  readonly name: 'GhpkgError'
  readonly code: ErrorCode
  /** GitHub's message, or ghpkg's own for local errors. */
  readonly detail: string
  /** The HTTP status, when a response was received. */
  readonly status: number | null
  /** `x-github-request-id`, for GitHub support. */
  readonly requestId: string | null
  readonly documentationUrl: string | null
  /** Seconds to wait before trying again, when known. */
  readonly retryAfter: number | null
  /** The failed response's `x-ratelimit-*` headers. */
  readonly rateLimit: RateLimit | null
  /** What ghpkg recognised as the cause (a refused token kind, a missing scope, ...). */
  readonly hint: string | null
  /** Whether the same call may succeed later (RATE_LIMITED, SERVER, TIMEOUT, TRANSPORT), from the core's table. */
  readonly retryable: boolean
}

/** The stable `code` of a GhpkgError, one per core error kind. */
export type ErrorCode = ErrorCodeName

/** `ErrorCode.NOT_FOUND === 'NOT_FOUND'`, one per core error kind. */
export declare const ErrorCode: { readonly [K in ErrorCodeName]: K }

/** The error table: core kind, code, C status number, description. */
export declare function errorKinds(): ErrorKindInfo[]

/** A method of a catalog resource, as the core describes it. */
export interface CatalogMethod {
  /** StackQL's name, e.g. `get_package_for_organization`. */
  name: string
  verb: 'SELECT' | 'DELETE' | 'EXEC'
  required: string[]
  optional: string[]
  description: string
}

/** A catalog resource: its fields and the methods that reach it. */
export interface CatalogResource {
  /** e.g. `github.packages.packages`. */
  id: string
  /** e.g. `packages`. */
  short_name: string
  fields: string[]
  methods: CatalogMethod[]
}

/** The StackQL-style catalog: resources, fields and methods (the core's JSON, snake_case keys). */
export declare function catalogResources(): CatalogResource[]

export declare const PACKAGE_TYPES: readonly PackageType[]

/** The version of the native addon. */
export declare const version: string

export interface EmulatorStartOptions {
  /** The data, in the fixture JSON format (object or JSON text); default the demo dataset. */
  fixture?: Record<string, unknown> | string
  /** A fixture file to read instead. */
  fixtureFile?: string
  /** The port on 127.0.0.1 (default any free port). */
  port?: number
  /** A delay added to every response, in milliseconds. */
  latencyMs?: number
  /** Whether listings carry `link` headers (default true). */
  linkHeaders?: boolean
  /** Secondary rate limit points per minute per token and endpoint (default 900). */
  secondaryPointsPerMinute?: number
  /** Registry: a manifest HEAD adds a download like a GET (default false). */
  headCountsAsDownload?: boolean
  /** Registry: restored container versions get their tags back, those nobody took meanwhile (default true). */
  restoreReattachesTags?: boolean
}

/** A fault's `kind` in the emulator's JSON vocabulary (the same as `ghpkg-emulator --fault`). */
export type FaultKind =
  | 'status'
  | 'latency'
  | 'primary_rate_limit'
  | 'secondary_rate_limit'
  | 'drop_connection'
  | 'truncated_body'
  | 'malformed_json'
  | 'redirect'
  | 'link_loop'
  | 'link_header'
  | 'digest_mismatch'
  | 'foreign_realm'
  | 'token_expired'

/** The fields every fault rule may have. */
export interface FaultRuleFields {
  /** Only this HTTP method (case-insensitive). */
  method?: string
  /** Only raw (percent-encoded) paths containing this (registry paths `/v2/...`, `/token` too). */
  path?: string
  /** How many matching requests: absent once; `null` or `Infinity` every one. */
  times?: number | null
}

/** A scripted fault and the requests it applies to, in the emulator's JSON vocabulary. */
export type FaultRule = FaultRuleFields &
  (
    | { kind: 'status' /** 100 to 599, answered with a GitHub-style error body. */; status: number }
    | { kind: 'latency' /** The delay before the normal answer. */; delay_ms: number }
    | { kind: 'primary_rate_limit' /** Default 1. */; reset_in_seconds?: number }
    | {
        kind: 'secondary_rate_limit'
        /** The `retry-after` header; absent sends none. */
        retry_after_seconds?: number
        /** Default 403. */
        status?: 403 | 429
      }
    | { kind: 'redirect'; location: string /** A 3xx, default 302. */; status?: number }
    | { kind: 'link_header' /** Exactly this `link` header on the normal answer. */; value: string }
    | { kind: 'foreign_realm' /** Registry: the challenge's realm; default the API origin's `/token`. */; realm?: string }
    | {
        kind:
          | 'drop_connection'
          | 'truncated_body'
          | 'malformed_json'
          | 'link_loop'
          /** Registry: the next 200 manifest GET's body does not hash to its digest. */
          | 'digest_mismatch'
          /** Registry: the next valid registry token is found expired. */
          | 'token_expired'
      }
  )

/** The demo dataset's tokens, from the emulator's table of demo tokens. */
export interface EmulatorTokens {
  /** octocat's classic token with read, write and delete scopes and `repo`. */
  demo: string
  /** octocat's classic token with only `read:packages`. */
  readOnly: string
  /** octocat's classic token with no scopes. */
  noScopes: string
  /** hubot's classic token with every scope (a plain member of `acme`). */
  hubot: string
  /** octocat's OAuth app token with the demo token's scopes. */
  oauth: string
  /** octocat's fine-grained token (refused by the Packages API). */
  fineGrained: string
  /** A GitHub App installation token (refused by the Packages API). */
  app: string
  /** An Actions `GITHUB_TOKEN` of the repository `acme/api`. */
  actions: string
  /** octocat's GitHub App user-to-server token (refused by the Packages API). */
  userToServer: string
}

/** The GitHub Packages emulator on 127.0.0.1, in-process, for tests. */
export declare class Emulator {
  private constructor()
  static start(options?: EmulatorStartOptions): Promise<Emulator>
  static readonly tokens: Readonly<EmulatorTokens>
  readonly url: string
  /** The container registry origin, `http://127.0.0.1:PORT2` (`/v2/...`, `/token`), coupled to the API's state. */
  readonly registryUrl: string
  /** The fixture's default token: `Emulator.tokens.demo` for the demo dataset, else its first classic token, else null. */
  readonly token: string | null
  /** A Client for this emulator with its default token, not reading the environment (`useEnv: false`); `options` override. */
  client(options?: ClientOptions): Client
  requests(): LoggedRequest[]
  clearRequests(): void
  inject(rule: FaultRule): void
  clearFaults(): void
  setLatency(ms: number): void
  setLinkHeaders(on: boolean): void
  setSecondaryPointsPerMinute(points: number): void
  /** Registry: whether a manifest HEAD adds a download like a GET. */
  setHeadCountsAsDownload(on: boolean): void
  /** Registry: whether restored container versions get their tags back. */
  setRestoreReattachesTags(on: boolean): void
  resetRateLimits(): void
  advanceClock(ms: number): void
  now(): string
  addPackage(spec: Record<string, unknown>): number
  addToken(spec: Record<string, unknown>): void
  shutdown(): Promise<void>
}
