// Type-checked only (`tsc --noEmit --strict`): every export of `ghpkg` used
// with the types a TypeScript user sees, and misuse the types must reject.
import ghpkgDefault, {
  type ApplyRun,
  Client,
  Emulator,
  ErrorCode,
  GhpkgError,
  type Listing,
  PACKAGE_TYPES,
  Plan,
  Policy,
  type Retention,
  catalogResources,
  errorKinds,
  retentionSchemas,
  version,
  type ApplyOptions,
  type Broken,
  type JournalRecord,
  type Outcome,
  type PackagePlan,
  type PlanJSON,
  type PlanOptions,
  type PolicyJSON,
  type Report,
  type RetentionEvent,
  type RunStatus,
  type UndoOptions,
  type Verdict,
  type VerifyReport,
  type CatalogMethod,
  type CatalogParams,
  type CatalogResource,
  type CatalogRow,
  type ClientOptions,
  type ContainerMetadata,
  type DockerMetadata,
  type EmulatorStartOptions,
  type EmulatorTokens,
  type ErrorKindInfo,
  type FaultKind,
  type FaultRule,
  type ListPackagesOptions,
  type ListVersionsOptions,
  type LoggedRequest,
  type MinimalRepository,
  type OwnerOptions,
  type Package,
  type PackageType,
  type PackageVersion,
  type RateLimit,
  type RestorePackageOptions,
  type SimpleUser,
  type TokenKind,
  type TokenScopes,
  type VersionId,
  type VersionMetadata,
  type VersionState,
  type Visibility,
} from 'ghpkg'

export async function everything(): Promise<void> {
  const options: ClientOptions = {
    token: 'ghp_x',
    username: 'octocat',
    baseUrl: 'https://ghe.example.com/api/v3',
    userAgent: 'types/1.0',
    timeoutMs: 1000,
    connectTimeoutMs: 1000,
    maxRetries: 1,
    retryBackoffMs: 10,
    maxRateLimitWaitMs: 0,
    readAhead: 2,
    perPage: 50,
    allowInsecureHttp: false,
    useEnv: false,
  }
  const client = new Client(options)
  const fromEnv: Client = new Client()
  const anonymous = new Client({ anonymous: true })
  const baseUrl: string | null = client.baseUrl
  const kind: TokenKind | null = fromEnv.tokenKind
  const sizes: [number | null, number | null] = [client.readAhead, client.perPage]
  const rate: RateLimit | null = anonymous.rateLimit
  const summary: { baseUrl: string; tokenKind: TokenKind } | { closed: true } = client.toJSON()
  const isClosed: boolean = anonymous.closed
  anonymous.close()

  const org: OwnerOptions = { org: 'acme' }
  const user: OwnerOptions = { user: 'octocat' }
  const listOptions: ListPackagesOptions = { ...org, visibility: 'public' }
  const packages: Listing<Package> = client.listPackages('container', listOptions)
  for await (const p of packages) {
    const id: number = p.id
    const type: PackageType = p.packageType
    const visibility: Visibility = p.visibility
    const owner: SimpleUser | null = p.owner
    const repo: MinimalRepository | null = p.repository
    const fields: [string, string, string, string, number, string, string] = [
      p.name,
      p.url,
      p.htmlUrl,
      p.createdAt,
      p.versionCount,
      p.updatedAt,
      owner?.type ?? '',
    ]
    const extra: Record<string, unknown> = p.extra
    void [id, type, visibility, repo?.fullName, repo?.private, fields, extra, owner?.login, owner?.siteAdmin]
  }
  const cutShort: boolean = packages.reachedPagingLimit
  const all: Package[] = await client.listPackages('npm').toArray()
  const again: Package[] = await client.listPackages('npm', user).collect()
  const step: IteratorResult<Package, undefined> = await client.dockerConflicts(org).next()
  await client.dockerConflicts().return()

  const pkg: Package = await client.getPackage('container', 'api/server', org)
  await client.deletePackage('npm', 'x', user)
  const restoreOptions: RestorePackageOptions = { ...org, token: 'restore-token' }
  const restored: Promise<void> = client.restorePackage('npm', 'x', restoreOptions)
  await restored

  const versionOptions: ListVersionsOptions = { ...org, state: 'deleted' }
  const state: VersionState | undefined = versionOptions.state
  const versions: PackageVersion[] = await client.listVersions('container', 'api/server', versionOptions).toArray()
  const ids: VersionId[] = [5_000_000_001, 5_000_000_001n, '5000000001']
  const v: PackageVersion = await client.getVersion('container', pkg.name, ids[0]!, org)
  const tags: string[] = v.tags
  const metadata: VersionMetadata | null = v.metadata
  const container: ContainerMetadata | null | undefined = metadata?.container
  const docker: DockerMetadata | null | undefined = metadata?.docker
  const maybe: [string | null, string | null, string | null, string | null] = [v.htmlUrl, v.license, v.description, v.deletedAt]
  await client.deleteVersion('container', pkg.name, 1n)
  await client.restoreVersion('container', pkg.name, '1', user)

  const scopes: TokenScopes = await client.scopes()
  const can: boolean[] = [scopes.canRead, scopes.canDelete, scopes.canRestore, scopes.hasRepo]
  const granted: string[] | null = scopes.scopes
  const problem: string | null = scopes.problem

  const params: CatalogParams = { org: 'acme', package_type: 'container', package_version_id: 1n, state: null }
  const rows: CatalogRow[] = await client.catalogSelect('packages', params)
  await client.catalogDelete('packages', { org: 'acme', package_type: 'npm', package_name: 'x' })
  const executed: CatalogRow[] = await client.catalogExec('packages', 'restore_package_for_org', params)
  const resources: CatalogResource[] = catalogResources()
  const shortNames: string[] = resources.map((r) => r.short_name)
  const methods: CatalogMethod[] = resources.flatMap((r) => r.methods)
  const verb: 'SELECT' | 'DELETE' | 'EXEC' = methods[0]!.verb

  try {
    await client.getPackage('container', 'nope')
  } catch (err) {
    if (err instanceof GhpkgError) {
      const code: ErrorCode = err.code
      const fields: [number | null, string | null, string | null, number | null, RateLimit | null, string | null, boolean, string] = [
        err.status,
        err.requestId,
        err.documentationUrl,
        err.retryAfter,
        err.rateLimit,
        err.hint,
        err.retryable,
        err.detail,
      ]
      if (err.code === ErrorCode.RATE_LIMITED) void fields
      void code
    }
  }
  const table: ErrorKindInfo[] = errorKinds()
  const codes: ErrorCode[] = table.map((k) => k.code)
  const number: number = table[0]!.number
  const types: readonly PackageType[] = PACKAGE_TYPES
  const ver: string = version

  const start: EmulatorStartOptions = {
    fixture: { users: [] },
    latencyMs: 0,
    linkHeaders: true,
    secondaryPointsPerMinute: 900,
    port: 0,
    headCountsAsDownload: false,
    restoreReattachesTags: true,
  }
  const emu: Emulator = await Emulator.start(start)
  await Emulator.start({ fixture: '{}' })
  await Emulator.start({ fixtureFile: 'fixture.json' })
  const tokens: Readonly<EmulatorTokens> = Emulator.tokens
  const t: string[] = [
    tokens.demo,
    tokens.readOnly,
    tokens.noScopes,
    tokens.hubot,
    tokens.oauth,
    tokens.fineGrained,
    tokens.app,
    tokens.actions,
    tokens.userToServer,
    emu.token ?? '',
    emu.url,
    emu.registryUrl,
  ]
  const emuClient: Client = emu.client({ perPage: 10 })
  const log: LoggedRequest[] = emu.requests()
  const first: [string, string, string | null, Record<string, string>, number] | undefined = log[0] && [
    log[0].method,
    log[0].path,
    log[0].query,
    log[0].headers,
    log[0].status,
  ]
  const faultKind: FaultKind = 'secondary_rate_limit'
  const rule: FaultRule = { kind: faultKind, status: 429, retry_after_seconds: 1, method: 'GET', path: '/orgs', times: Infinity }
  emu.inject(rule)
  emu.inject({ kind: 'status', status: 502, times: null })
  emu.inject({ kind: 'drop_connection', path: '' })
  emu.inject({ kind: 'redirect', location: emu.url })
  emu.inject({ kind: 'latency', delay_ms: 5 })
  emu.inject({ kind: 'primary_rate_limit', reset_in_seconds: 2 })
  emu.inject({ kind: 'link_header', value: '<<not a url>>; rel=next' })
  emu.inject({ kind: 'digest_mismatch', path: '/v2/' })
  emu.inject({ kind: 'foreign_realm' })
  emu.inject({ kind: 'foreign_realm', realm: 'https://evil.invalid/token' })
  emu.inject({ kind: 'token_expired', times: 1 })
  emu.setHeadCountsAsDownload(true)
  emu.setRestoreReattachesTags(false)
  emu.clearFaults()
  emu.clearRequests()
  emu.setLatency(0)
  emu.setLinkHeaders(false)
  emu.setSecondaryPointsPerMinute(900)
  emu.resetRateLimits()
  emu.advanceClock(1000)
  const now: string = emu.now()
  const added: number = emu.addPackage({ owner: 'acme', name: 'x', package_type: 'npm' })
  emu.addToken({ token: 'ghp_y', user: 'octocat', kind: 'classic' })
  await emu.shutdown()
  const same: typeof Client = ghpkgDefault.Client

  void [
    shortNames,
    isClosed,
    baseUrl,
    kind,
    cutShort,
    sizes,
    rate,
    summary,
    all,
    again,
    step,
    restored,
    state,
    versions,
    tags,
    container,
    docker,
    maybe,
    can,
    granted,
    problem,
    rows,
    executed,
    verb,
    codes,
    number,
    types,
    ver,
    t,
    emuClient,
    first,
    now,
    added,
    same,
  ]
}

export async function retention(client: Client, line: JournalRecord): Promise<void> {
  const r: Retention = client.retention
  const policy: PolicyJSON = {
    owner: { org: 'acme' },
    package_type: 'container',
    packages: { include: ['api/*'], exclude: ['*-cache'] },
    protect: { tags: ['latest', 're:^v\\d+'] },
    delete: [{ id: 'old', tags: { any: ['1.*'] }, older_than: '30d' }, { untagged: true }, { index: 'ghost' }],
    keep: [{ id: 'rollback', latest: 5, of: { tagged: true } }],
  }
  const planOptions: PlanOptions = { now: new Date(), registryUrl: 'http://127.0.0.1:1', manifestCache: 'manifests.jsonl' }
  const plan: Plan = await r.plan(policy, planOptions)
  await r.plan(Policy.fromJSON(policy), { now: '2026-06-01T00:00:00Z' })
  await r.plan('retention/policy.json')
  const facts: [string, string, string, number, number, string | null | undefined] = [
    plan.id,
    plan.now,
    plan.policyHash,
    plan.totals.delete,
    plan.totals.requests.registry_get,
    plan.target.registry,
  ]
  const pkg: PackagePlan | undefined = plan.toJSON().packages[0]
  const verdict: Verdict | undefined = plan.packages[0]?.actions[0]?.action
  const rendered: string[] = [plan.render(), plan.render('table'), plan.render('ndjson'), plan.json(), String(plan)]
  const first = plan.deletions()[0]
  const doomed: [string, number] | undefined = first && [first.package.name, first.action.version_id]
  const edited: Plan = plan.withoutVersions([1, 2n, '3']).onlyPackages(['api/server'])
  const data: PlanJSON = edited.toJSON()
  const again: Plan[] = [Plan.fromJSON(data), Plan.fromJSON(plan.json())]

  const applyOptions: ApplyOptions = {
    journal: 'journal.jsonl',
    deadline: '10m',
    maxDeletes: 100,
    deletesPerMinute: 150,
    maxPlanAge: '2h',
    verify: true,
    onVerifyFailure: 'undo_run',
    requireFullBudget: false,
    registryUrl: 'http://127.0.0.1:1',
  }
  const run: ApplyRun = r.applyEvents(plan, applyOptions)
  const seen: string[] = []
  for await (const event of run) {
    const e: RetentionEvent = event
    switch (e.type) {
      case 'phase':
        seen.push(`${e.phase} ${e.package ?? ''}`)
        break
      case 'progress':
        seen.push(`${e.done}/${e.total} at ${e.rate_per_min}/min, ${e.eta_seconds}s left`)
        if (e.done > 10) run.stop()
        break
      case 'waiting':
        seen.push(`${e.reason} until ${e.until}`)
        break
      case 'outcome': {
        const outcome: Outcome = e.outcome
        seen.push(`${e.package} ${e.version_id ?? ''} ${outcome} ${e.error?.kind ?? ''}`)
        break
      }
      case 'report': {
        const status: RunStatus = e.report.status
        seen.push(status)
        break
      }
    }
  }
  const last: Report | null = run.report
  await r.applyEvents(JSON.stringify(data), { journal: 'j' }).return()
  const report: Report = await r.apply(data, { journal: 'journal.jsonl' })
  const deleted: number | undefined = report.counts.deleted
  const left: number | undefined = report.resume?.remaining
  const verified: VerifyReport = await r.verify(plan, { registryUrl: 'http://127.0.0.1:1' })
  const broken: Broken[] = verified.broken
  const undoOptions: UndoOptions = {
    dryRun: true,
    journal: 'undo.jsonl',
    packages: ['api/server'],
    versionIds: [1],
    restoresPerMinute: 60,
    registryUrl: 'http://127.0.0.1:1',
  }
  const undone: Report = await r.undo('journal.jsonl', undoOptions)
  await r.undo('journal.jsonl')
  const found: number = await r.recover('container', 'api/server', { org: 'acme', since: new Date(), journal: 'r.jsonl' })
  await r.recover('npm', 'ui-kit', { since: '2026-06-01T00:00:00Z', journal: 'r.jsonl' })
  const imported: Policy[] = [
    Policy.fromCrp({ account: 'acme', 'image-names': 'api/server', 'cut-off': '2w' }),
    Policy.fromDataaxiom({ owner: 'acme', packages: 'api/server', 'delete-untagged': true }),
    Policy.fromDpv({ 'package-name': 'ui-kit', 'package-type': 'npm', 'min-versions-to-keep': 3 }),
    Policy.fromVlaurin({ organization: 'acme', container: 'api/server', untagged: true }),
  ]
  const policyFacts: [string, PolicyJSON, string] = [imported[0]!.hash, imported[0]!.toJSON(), imported[0]!.json()]
  const schemas: Record<string, Record<string, unknown>> = retentionSchemas()
  const journalLine: string = line.record === 'header' ? line.run_id : line.record

  void [facts, pkg, verdict, rendered, doomed, again, seen, last, deleted, left, broken, undone, found, policyFacts, schemas, journalLine]
}

export async function misuse(client: Client): Promise<void> {
  // @ts-expect-error: an unknown package type
  client.listPackages('containers')
  // @ts-expect-error: the owner is an options object
  await client.getPackage('container', 'x', 'acme')
  // @ts-expect-error: misspelt owner option
  await client.getPackage('container', 'x', { organization: 'acme' })
  // @ts-expect-error: names are strings
  await client.getPackage('container', 42)
  // @ts-expect-error: visibility is a union
  client.listPackages('npm', { visibility: 'secret' })
  // @ts-expect-error: state is a union
  client.listVersions('npm', 'x', { state: 'gone' })
  // @ts-expect-error: ids are numbers, bigints or strings
  await client.getVersion('npm', 'x', { id: 1 })
  // @ts-expect-error: the paging-limit flag is read-only
  client.listPackages('npm').reachedPagingLimit = true
  // @ts-expect-error: unknown client option
  new Client({ tokn: 'x' })
  // @ts-expect-error: timeouts are numbers
  new Client({ timeoutMs: '10' })
  // @ts-expect-error: emulators are started, not constructed
  new Emulator()
  // @ts-expect-error: unknown fault
  ;(await Emulator.start()).inject({ kind: 'explode' })
  // @ts-expect-error: a status fault needs its status
  ;(await Emulator.start()).inject({ kind: 'status' })
  // @ts-expect-error: the vocabulary is snake_case
  ;(await Emulator.start()).inject({ kind: 'latency', delayMs: 5 })
  // @ts-expect-error: a link_header fault needs its value
  ;(await Emulator.start()).inject({ kind: 'link_header' })
  // @ts-expect-error: the registry URL is read-only
  ;(await Emulator.start()).registryUrl = 'x'
  const r = client.retention
  const plan = await r.plan({ owner: 'me', package_type: 'npm' })
  // @ts-expect-error: apply needs a journal
  await r.apply(plan, {})
  // @ts-expect-error: options are camelCase in JavaScript
  await r.apply(plan, { journal: 'j', max_deletes: 1 })
  // @ts-expect-error: onVerifyFailure is a union
  r.applyEvents(plan, { journal: 'j', onVerifyFailure: 'ignore' })
  // @ts-expect-error: policy keys are the core's snake_case
  await r.plan({ owner: 'me', packageType: 'npm' })
  // @ts-expect-error: a policy names its owner
  await r.plan({ package_type: 'npm' })
  // @ts-expect-error: plan data is read-only
  plan.totals.delete = 0
  // @ts-expect-error: deeply
  plan.packages[0]!.actions.push(plan.packages[0]!.actions[0]!)
  // @ts-expect-error: renderings are a union
  plan.render('pdf')
  // @ts-expect-error: plans are made or read, not constructed
  new Plan()
  // @ts-expect-error: recover needs the date and the journal
  await r.recover('npm', 'x', { org: 'acme' })
  for await (const e of r.applyEvents(plan, { journal: 'j' })) {
    // @ts-expect-error: event fields are the core's snake_case
    if (e.type === 'progress') void e.ratePerMin
  }
  // @ts-expect-error: the retention of a client is read-only
  client.retention = r
  const err = new Error('x')
  // @ts-expect-error: a plain Error has no ghpkg code
  void (err.code satisfies string)
  // @ts-expect-error: error codes are a closed union
  const code: ErrorCode = 'NOT_A_CODE'
  void code
}
