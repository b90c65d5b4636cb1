// The event loop is never blocked, and many calls run at once.
import test from 'node:test'
import assert from 'node:assert/strict'
import { emulator, client, bigFixture } from './helpers.mjs'

test('a 10,000-package listing never blocks the event loop', async (t) => {
  const emu = await emulator(t, { fixture: bigFixture(10_000) })
  const c = client(emu)
  const period = 10
  const lags = []
  let last = performance.now()
  const timer = setInterval(() => {
    const now = performance.now()
    lags.push(Math.max(0, now - last - period))
    last = now
  }, period)
  const start = performance.now()
  let n = 0
  let previous = ''
  try {
    for await (const p of c.listPackages('container', { org: 'big' })) {
      assert.ok(p.name > previous, 'in order')
      previous = p.name
      n += 1
    }
  } finally {
    clearInterval(timer)
  }
  const elapsed = performance.now() - start
  lags.sort((a, b) => a - b)
  const worst = lags.at(-1)
  const p95 = lags[Math.floor(lags.length * 0.95)]
  t.diagnostic(
    `listed ${n} packages in ${elapsed.toFixed(0)} ms; ${lags.length} ticks, ` +
      `95th percentile lag ${p95.toFixed(1)} ms, worst ${worst.toFixed(1)} ms`,
  )
  assert.equal(n, 10_000)
  assert.equal(emu.requests().length, 100)
  // The timer kept firing on time throughout. A blocked loop would show one
  // tick as late as the whole listing (seconds); the bounds leave room for
  // a busy 2-core machine descheduling the thread now and then.
  assert.ok(lags.length >= (elapsed / period) * 0.5, `${lags.length} ticks in ${elapsed.toFixed(0)} ms`)
  assert.ok(p95 < 25, `95th percentile event-loop lag ${p95.toFixed(1)} ms`)
  assert.ok(worst < 150, `worst event-loop lag ${worst.toFixed(1)} ms over ${elapsed.toFixed(0)} ms`)
})

test('1,000 concurrent getPackage calls all resolve correctly', async (t) => {
  const emu = await emulator(t, { secondaryPointsPerMinute: 1_000_000 })
  const c = client(emu)
  const wanted = Array.from({ length: 1000 }, (_, i) => (i % 260) + 1)
  const start = performance.now()
  const results = await Promise.all(wanted.map((i) => c.getPackage('container', `service-${String(i).padStart(3, '0')}`, { org: 'acme' })))
  t.diagnostic(`1,000 concurrent calls in ${(performance.now() - start).toFixed(0)} ms`)
  results.forEach((p, k) => {
    const i = wanted[k]
    assert.equal(p.name, `service-${String(i).padStart(3, '0')}`)
    assert.equal(p.id, 3000 + i)
  })
  assert.equal(emu.requests().filter((r) => r.status === 200).length, 1000)
})

test('concurrent calls of every kind mix without interference', async (t) => {
  const emu = await emulator(t, { secondaryPointsPerMinute: 1_000_000 })
  const c = client(emu)
  const jobs = []
  for (let k = 0; k < 20; k++) {
    jobs.push(
      c
        .listPackages('container', { org: 'acme' })
        .toArray()
        .then((a) => a.length),
    )
    jobs.push(c.getVersion('container', 'api/server', 5_000_000_001, { org: 'acme' }).then((v) => v.id))
    jobs.push(c.getPackage('container', 'nope', { org: 'acme' }).catch((e) => e.code))
    jobs.push(c.catalogSelect('packages', { org: 'acme', package_type: 'npm' }).then((rows) => rows.length))
  }
  const out = await Promise.all(jobs)
  for (let k = 0; k < 20; k++) {
    assert.deepEqual(out.slice(k * 4, k * 4 + 4), [264, 5_000_000_001, 'NOT_FOUND', out[3]])
  }
  assert.ok(out[3] >= 1)
})
