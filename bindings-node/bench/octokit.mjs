// ghpkg vs @octokit/rest against the emulator on 127.0.0.1: listing every
// package of a 10,000-package org, and 1,000 concurrent package reads.
// Build the addon with `npm run build:release` first; run `npm run bench`.
// Not part of the test suite. Options: --packages N, --latency MS, --rounds N.
import { parseArgs } from 'node:util'
import { Octokit } from '@octokit/rest'
import { Emulator } from 'ghpkg'

const { values } = parseArgs({
  options: {
    packages: { type: 'string', default: '10000' },
    latency: { type: 'string', default: '0' },
    rounds: { type: 'string', default: '5' },
  },
})
const total = Number(values.packages)
const latencyMs = Number(values.latency)
const rounds = Number(values.rounds)
const token = Emulator.tokens.demo

function fixture(n) {
  const packages = []
  for (let i = 1; i <= n; i++) {
    packages.push({
      owner: 'big',
      name: `pkg-${String(i).padStart(5, '0')}`,
      package_type: 'container',
      visibility: 'public',
      versions: [{ name: `sha256:${i.toString(16).padStart(64, '0')}`, tags: ['v1'] }],
    })
  }
  return {
    users: [{ login: 'octocat', id: 1 }],
    orgs: [{ login: 'big', id: 7, admins: ['octocat'] }],
    tokens: [{ token, user: 'octocat', kind: 'classic', scopes: ['read:packages'], rate_limit: 1_000_000 }],
    packages,
  }
}

async function median(label, fn) {
  const times = []
  let result
  for (let r = 0; r < rounds; r++) {
    const start = performance.now()
    result = await fn()
    times.push(performance.now() - start)
  }
  times.sort((a, b) => a - b)
  const mid = times[Math.floor(times.length / 2)]
  console.log(`${label.padEnd(44)} ${mid.toFixed(0).padStart(7)} ms  (min ${times[0].toFixed(0)}, max ${times.at(-1).toFixed(0)})`)
  return [mid, result]
}

const emu = await Emulator.start({ fixture: fixture(total), latencyMs, secondaryPointsPerMinute: 10_000_000 })
try {
  const ghpkg = emu.client()
  const octokit = new Octokit({ auth: token, baseUrl: emu.url, request: { retries: 0 } })
  console.log(`${total} packages, ${latencyMs} ms latency per response, median of ${rounds} rounds\n`)

  const [g] = await median('list all packages: ghpkg (read-ahead 4)', async () => {
    const all = await ghpkg.listPackages('container', { org: 'big' }).toArray()
    if (all.length !== total) throw new Error(`ghpkg listed ${all.length}`)
  })
  const [o] = await median('list all packages: @octokit/rest paginate', async () => {
    const all = await octokit.paginate(octokit.rest.packages.listPackagesForOrganization, {
      org: 'big',
      package_type: 'container',
      per_page: 100,
    })
    if (all.length !== total) throw new Error(`octokit listed ${all.length}`)
  })
  console.log(`${''.padEnd(44)} ghpkg is ${(o / g).toFixed(1)}x faster\n`)

  const names = Array.from({ length: 1000 }, (_, i) => `pkg-${String((i % total) + 1).padStart(5, '0')}`)
  const [g2] = await median('1,000 concurrent reads: ghpkg', () =>
    Promise.all(names.map((name) => ghpkg.getPackage('container', name, { org: 'big' }))),
  )
  const [o2] = await median('1,000 concurrent reads: @octokit/rest', () =>
    Promise.all(
      names.map((name) => octokit.rest.packages.getPackageForOrganization({ org: 'big', package_type: 'container', package_name: name })),
    ),
  )
  console.log(`${''.padEnd(44)} ghpkg is ${(o2 / g2).toFixed(1)}x faster`)
} finally {
  await emu.shutdown()
}
