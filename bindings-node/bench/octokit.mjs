// ghpkg vs a raw fetch + JSON.parse loop vs @octokit/rest, listing every
// package of a 10,000-package org and making 1,000 concurrent package reads,
// against the emulator binary in a process of its own, so the CPU time
// measured here is the client's alone; and JSON.parse of the same page
// bodies alone, the floor for a client that hands out plain objects. With
// GHPKG_BENCH_PYTHON set to a
// Python that has ghpkg installed, Python's listing runs against the same
// server in the same run. Not part of the test suite.
//   npm run build:release && cargo build --release -p ghpkg-emulator
//   node bench/octokit.mjs [--packages N] [--latency 0,20] [--rounds N] [--emulator PATH]
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { Octokit } from '@octokit/rest'
import { Client } from 'ghpkg'

const here = path.dirname(new URL(import.meta.url).pathname)
const { values } = parseArgs({
  options: {
    packages: { type: 'string', default: '10000' },
    latency: { type: 'string', default: '0,20' },
    rounds: { type: 'string', default: '5' },
    emulator: { type: 'string', default: path.join(here, '../../target/release/ghpkg-emulator') },
  },
})
const total = Number(values.packages)
const latencies = values.latency.split(',').map(Number)
const rounds = Number(values.rounds)
const token = 'ghp_benchbenchbenchbenchbenchbenchbench0'

function fixture(n) {
  return {
    users: [{ login: 'octocat', id: 1 }],
    orgs: [{ login: 'big', id: 7, admins: ['octocat'] }],
    tokens: [{ token, user: 'octocat', kind: 'classic', scopes: ['read:packages'], rate_limit: 100_000_000 }],
    generated: [{ owner: 'big', package_type: 'container', count: n, visibility: 'public' }],
  }
}

async function startEmulator(fixtureFile, latencyMs) {
  const child = spawn(
    values.emulator,
    ['--fixture', fixtureFile, '--latency-ms', String(latencyMs), '--secondary-points-per-minute', '1000000000'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const lines = createInterface({ input: child.stdout })
  const [first] = await Promise.race([
    (async () => {
      for await (const line of lines) return [line]
      return [null]
    })(),
    new Promise((_, reject) => child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)))),
  ])
  return { child, url: JSON.parse(first).url }
}

// Median wall time and median client CPU time (user + system) of `rounds` runs.
async function measure(fn) {
  const walls = []
  const cpus = []
  await fn() // warm up: connections, JIT
  for (let r = 0; r < rounds; r++) {
    const cpu0 = process.cpuUsage()
    const start = performance.now()
    await fn()
    walls.push(performance.now() - start)
    const cpu = process.cpuUsage(cpu0)
    cpus.push((cpu.user + cpu.system) / 1000)
  }
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  return { wall: median(walls), cpu: median(cpus) }
}

function row(label, { wall, cpu }, base, items = total) {
  const ratio = base ? `  ${(wall / base.wall).toFixed(2)}x ghpkg's time` : ''
  const perItem = ((cpu * 1000) / items).toFixed(1)
  console.log(
    `${label.padEnd(46)} ${wall.toFixed(0).padStart(6)} ms   CPU ${cpu.toFixed(0).padStart(5)} ms (${perItem.padStart(5)} µs/item)${ratio}`,
  )
}

// Runs fn over items with at most `limit` in flight: what an octokit caller
// must do to keep to GitHub's 100 concurrent requests (ghpkg's client does
// it itself).
async function pool(items, limit, fn) {
  const out = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i])
    }
  }
  await Promise.all(Array.from({ length: limit }, worker))
  return out
}

// The body of each page of the org's listing, as text, following `link`.
async function* rawPages(url) {
  const headers = { authorization: `Bearer ${token}`, accept: 'application/vnd.github+json', 'user-agent': 'bench' }
  let next = `${url}/orgs/big/packages?package_type=container&per_page=100`
  while (next) {
    const res = await fetch(next, { headers })
    if (!res.ok) throw new Error(`HTTP ${res.status}`)
    yield await res.text()
    next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1]
  }
}

async function rawList(url) {
  const all = []
  for await (const text of rawPages(url)) {
    for (const item of JSON.parse(text)) all.push(item)
  }
  return all
}

function pythonList(url) {
  const python = process.env.GHPKG_BENCH_PYTHON
  if (!python) return null
  const script = `
import json, statistics, sys, time
import ghpkg
url, token, total, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
client = ghpkg.Client(token, base_url=url, use_env=False)
def once():
    assert len(client.list_packages("container", org="big").collect()) == total
once()
walls, cpus = [], []
for _ in range(rounds):
    w, c = time.perf_counter(), time.process_time()
    once()
    walls.append((time.perf_counter() - w) * 1000)
    cpus.append((time.process_time() - c) * 1000)
print(json.dumps({"wall": statistics.median(walls), "cpu": statistics.median(cpus)}))
`
  const out = spawnSync(python, ['-c', script, url, token, String(total), String(rounds)], { encoding: 'utf8' })
  if (out.status !== 0) throw new Error(`python: ${out.stderr}`)
  return JSON.parse(out.stdout)
}

const dir = mkdtempSync(path.join(tmpdir(), 'ghpkg-bench-'))
const fixtureFile = path.join(dir, 'fixture.json')
writeFileSync(fixtureFile, JSON.stringify(fixture(total)))
try {
  console.log(`${total} packages (100 pages of 100), emulator in its own process, median of ${rounds} rounds`)
  console.log('CPU is this client process only (user + system)')
  for (const latencyMs of latencies) {
    const { child, url } = await startEmulator(fixtureFile, latencyMs)
    try {
      const ghpkg = new Client({ baseUrl: url, token, useEnv: false })
      const octokit = new Octokit({ auth: token, baseUrl: url, request: { retries: 0 } })
      console.log(`\n${latencyMs} ms latency per response`)
      const g = await measure(async () => {
        const all = await ghpkg.listPackages('container', { org: 'big' }).toArray()
        if (all.length !== total) throw new Error(`ghpkg listed ${all.length}`)
      })
      row('list: ghpkg (read-ahead 4)', g)
      const raw = await measure(async () => {
        const all = await rawList(url)
        if (all.length !== total) throw new Error(`fetch listed ${all.length}`)
      })
      row('list: raw fetch + JSON.parse loop', raw, g)
      // What building the plain objects alone costs: the same bodies, fetched
      // beforehand, only parsed. No client that hands out plain objects built
      // from GitHub's JSON spends less on the JavaScript thread.
      const bodies = []
      for await (const text of rawPages(url)) bodies.push(text)
      const parse = await measure(async () => {
        let n = 0
        for (const text of bodies) n += JSON.parse(text).length
        if (n !== total) throw new Error(`parsed ${n}`)
      })
      row('floor: JSON.parse of the same bodies alone', parse, g)
      const o = await measure(async () => {
        const all = await octokit.paginate(octokit.rest.packages.listPackagesForOrganization, {
          org: 'big',
          package_type: 'container',
          per_page: 100,
        })
        if (all.length !== total) throw new Error(`octokit listed ${all.length}`)
      })
      row('list: @octokit/rest paginate', o, g)
      const py = pythonList(url)
      if (py) row('list: ghpkg from Python (same server)', py, g)

      if (latencyMs === latencies.at(-1)) {
        const names = Array.from({ length: 1000 }, (_, i) => `pkg-${String((i % total) + 1).padStart(5, '0')}`)
        console.log('')
        const g2 = await measure(() => Promise.all(names.map((name) => ghpkg.getPackage('container', name, { org: 'big' }))))
        row('1,000 concurrent reads: ghpkg', g2, undefined, 1000)
        const o2 = await measure(() =>
          pool(names, 100, (name) =>
            octokit.rest.packages.getPackageForOrganization({ org: 'big', package_type: 'container', package_name: name }),
          ),
        )
        row('1,000 concurrent reads: @octokit/rest', o2, g2, 1000)
      }
      ghpkg.close()
    } finally {
      child.kill()
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
