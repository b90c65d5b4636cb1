// Listings are lazy async iterables: pages are fetched as they are consumed,
// with read-ahead, and leaving a loop early stops the walk.
import test from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { Listing, GhpkgError } from 'ghpkg'
import { emulator, client, queryParam, rejection, bigFixture } from './helpers.mjs'

const acme = { org: 'acme' }

function pages(emu) {
  return emu.requests().map((r) => Number(queryParam(r, 'page') ?? '1'))
}

test('nothing is sent until the first item is asked for', async (t) => {
  const emu = await emulator(t)
  const c = client(emu)
  const listing = c.listPackages('container', acme)
  assert.ok(listing instanceof Listing)
  assert.equal(typeof listing[Symbol.asyncIterator], 'function')
  assert.equal(Object.prototype.toString.call(listing), '[object Listing]')
  await sleep(50)
  assert.deepEqual(emu.requests(), [])
  const first = await listing.next()
  assert.equal(first.done, false)
  assert.equal(emu.requests().length, 1)
  await listing.return()
})

test('pages are fetched as consumed, one at a time without read-ahead', async (t) => {
  const emu = await emulator(t)
  const c = client(emu, { perPage: 10, readAhead: 1 })
  const seen = []
  for await (const p of c.listPackages('container', acme)) {
    seen.push(p.name)
    if (seen.length === 10) assert.deepEqual(pages(emu), [1], 'page 1 holds items 1-10')
    if (seen.length === 11) assert.deepEqual(pages(emu), [1, 2])
    if (seen.length === 25) break
  }
  await sleep(50)
  assert.deepEqual(pages(emu), [1, 2, 3], 'no page beyond the one holding item 25')
  assert.ok(emu.requests().every((r) => queryParam(r, 'per_page') === '10'))
  assert.equal(new Set(seen).size, 25)
})

test('read-ahead never goes past readAhead pages, and stops with the loop', async (t) => {
  const emu = await emulator(t)
  const c = client(emu, { perPage: 10, readAhead: 4 })
  assert.equal(c.readAhead, 4)
  const listing = c.listPackages('container', acme)
  let n = 0
  for await (const _ of listing) {
    n += 1
    if (n === 10) assert.deepEqual(pages(emu), [1], 'nothing ahead before the consumer needs page 2')
    if (n === 15) break
  }
  await sleep(100)
  // Page 1; then, while page 2 is consumed, at most readAhead pages beyond
  // it (3-6) in flight; pages 7-27 never.
  const fetched = pages(emu).sort((a, b) => a - b)
  assert.deepEqual(fetched.slice(0, 2), [1, 2])
  assert.ok(
    fetched.every((p) => p <= 6),
    `pages fetched: ${fetched}`,
  )
  const settled = emu.requests().length
  await sleep(100)
  assert.equal(emu.requests().length, settled, 'nothing more after the loop ended')
  // The loop's exit closed the listing.
  assert.deepEqual(await listing.next(), { value: undefined, done: true })
})

test('read-ahead fetches pages concurrently', async (t) => {
  const emu = await emulator(t, { latencyMs: 40 })
  const timed = async (readAhead) => {
    const c = client(emu, { perPage: 10, readAhead })
    const start = performance.now()
    const all = await c.listPackages('container', acme).toArray()
    assert.equal(all.length, 264)
    return performance.now() - start
  }
  const sequential = await timed(1) // 27 pages one after another: over 1 s
  const ahead = await timed(4)
  assert.ok(sequential > 27 * 40, `sequential took ${sequential} ms`)
  assert.ok(ahead < sequential * 0.6, `read-ahead took ${ahead} ms, sequential ${sequential} ms`)
})

test('items come out in order and complete', async (t) => {
  const emu = await emulator(t)
  const c = client(emu, { perPage: 7, readAhead: 3 })
  const got = await c.listPackages('container', acme).toArray()
  const expected = await client(emu).listPackages('container', acme).toArray()
  assert.deepEqual(
    got.map((p) => p.id),
    expected.map((p) => p.id),
  )
  assert.equal(got.length, 264)
  assert.deepEqual(await c.listPackages('container', acme).collect(), got)
})

test('concurrent next() calls are served in order', async (t) => {
  const emu = await emulator(t)
  const c = client(emu, { perPage: 3 })
  const expected = (await c.listPackages('container', acme).toArray()).slice(0, 8).map((p) => p.id)
  const listing = c.listPackages('container', acme)
  const results = await Promise.all(Array.from({ length: 8 }, () => listing.next()))
  assert.deepEqual(
    results.map((r) => r.value.id),
    expected,
  )
  await listing.return()
})

test('next() and toArray() take turns in one order, mid-page and across pages', async (t) => {
  const emu = await emulator(t)
  const c = client(emu, { perPage: 5 })
  const expected = (await c.listPackages('container', acme).toArray()).map((p) => p.id)
  const listing = c.listPackages('container', acme)
  // Asked before the first page has arrived, then from the buffered page.
  const early = await Promise.all([listing.next(), listing.next()])
  const buffered = await listing.next()
  // toArray() queued behind a next() still waiting for its page.
  const [a, b, c7, rest] = await Promise.all([listing.next(), listing.next(), listing.next(), listing.toArray()])
  const got = [...early, buffered, a, b, c7].map((r) => r.value.id).concat(rest.map((p) => p.id))
  assert.deepEqual(got, expected)
  assert.deepEqual(await listing.next(), { value: undefined, done: true })
  assert.deepEqual(await listing.toArray(), [])
})

test('next() waits behind return() and earlier next() calls, even with items buffered', async (t) => {
  const emu = await emulator(t)
  const c = client(emu, { perPage: 5 })
  const ids = (await c.listPackages('container', acme).toArray()).map((p) => p.id)
  const listing = c.listPackages('container', acme)
  // Both queued while the first page is on its way; the third is asked for
  // as soon as the first settles, when the second has yet to run.
  const first = listing.next()
  const second = listing.next()
  const third = await first.then(() => listing.next())
  assert.deepEqual([(await first).value.id, (await second).value.id, third.value.id], ids.slice(0, 3))
  const closing = listing.return()
  assert.deepEqual(await listing.next(), { value: undefined, done: true }, 'nothing after return()')
  assert.deepEqual(await closing, { value: undefined, done: true })
})

test('a listing without link headers is paged by page number', async (t) => {
  const emu = await emulator(t)
  emu.setLinkHeaders(false)
  const c = client(emu)
  const all = await c.listPackages('container', acme).toArray()
  assert.equal(all.length, 264)
  assert.deepEqual(pages(emu), [1, 2, 3])
})

test('a next link that loops back is a DECODE error, not a hang', async (t) => {
  const emu = await emulator(t)
  emu.inject({ kind: 'link_loop', path: '/orgs/acme/packages' })
  const c = client(emu, { readAhead: 1 })
  let n = 0
  const err = await rejection(
    (async () => {
      for await (const _ of c.listPackages('container', acme)) n += 1
    })(),
  )
  assert.ok(err instanceof GhpkgError)
  assert.equal(err.code, 'DECODE')
  assert.match(err.message, /loop/)
  assert.equal(n, 100, 'the first page was delivered before the error')
})

test('an error mid-walk ends the listing after the items before it', async (t) => {
  const emu = await emulator(t)
  const c = client(emu, { maxRetries: 0 })
  const listing = c.listPackages('container', acme)
  const items = []
  for (let i = 0; i < 100; i++) items.push((await listing.next()).value)
  emu.inject({ kind: 'status', status: 500, times: Infinity })
  const err = await rejection(listing.next())
  assert.equal(err.code, 'SERVER')
  assert.equal(err.status, 500)
  assert.equal(items.length, 100)
  assert.deepEqual(await listing.next(), { value: undefined, done: true })
})

test('version listings and docker conflicts are lazy too', async (t) => {
  const emu = await emulator(t)
  const c = client(emu, { perPage: 2 })
  const versions = await c.listVersions('container', 'hello-container', { user: 'octocat' }).toArray()
  assert.equal(versions.length, 3)
  assert.deepEqual(pages(emu), [1, 2])
  emu.clearRequests()
  const listing = c.listVersions('container', 'api/server', acme)
  await sleep(20)
  assert.equal(emu.requests().length, 0)
  const first = await listing.next()
  assert.equal(typeof first.value.id, 'number')
  await listing.return()
  const conflicts = c.dockerConflicts(acme)
  assert.equal((await conflicts.toArray()).length, 1)
})

test('two listings run side by side', async (t) => {
  const emu = await emulator(t)
  const c = client(emu, { perPage: 50 })
  const [a, b] = await Promise.all([
    c.listPackages('container', { org: 'acme', visibility: 'public' }).toArray(),
    c.listPackages('container', { org: 'acme', visibility: 'private' }).toArray(),
  ])
  assert.ok(a.length > 0 && b.length > 0)
  assert.equal(a.length + b.length, 264)
})

test('a listing cut short by the paging limit says so', async (t) => {
  const emu = await emulator(t, { fixture: bigFixture(10_050), secondaryPointsPerMinute: 1_000_000_000 })
  const c = client(emu)
  const listing = c.listPackages('container', { org: 'big' })
  assert.equal(listing.reachedPagingLimit, false, 'nothing walked yet')
  const names = new Set()
  for await (const p of listing) names.add(p.name)
  assert.equal(names.size, 10_000)
  assert.equal(listing.reachedPagingLimit, true)
  assert.deepEqual(await listing.next(), { value: undefined, done: true })
  assert.equal(listing.reachedPagingLimit, true, 'still true after the end')
  const collected = c.listPackages('container', { org: 'big' })
  assert.equal((await collected.toArray()).length, 10_000)
  assert.equal(collected.reachedPagingLimit, true)
  assert.throws(() => {
    listing.reachedPagingLimit = false
  }, TypeError)
})

test('a complete listing does not claim the paging limit', async (t) => {
  const emu = await emulator(t)
  const c = client(emu)
  const listing = c.listPackages('container', acme)
  assert.equal((await listing.toArray()).length, 264)
  assert.equal(listing.reachedPagingLimit, false)
  const versions = c.listVersions('container', 'api/server', acme)
  assert.ok((await versions.toArray()).length > 0)
  assert.equal(versions.reachedPagingLimit, false)
  const bad = c.listPackages('container', { org: '' })
  await assert.rejects(bad.next(), { code: 'INVALID_ARGUMENT' })
  assert.equal(bad.reachedPagingLimit, false)
})

test('listed items are the same objects a get returns, field for field', async (t) => {
  // Listings cross from Rust as one JSON string per page; gets as napi
  // objects. Both must give the same names, values, nulls and extras.
  const emu = await emulator(t)
  const c = client(emu)
  const packages = await c.listPackages('container', acme).toArray()
  assert.ok(packages.length > 100)
  for (const listed of packages.filter((_, i) => i % 37 === 0)) {
    assert.deepEqual(listed, await c.getPackage('container', listed.name, acme))
  }
  const withRepo = packages.find((p) => p.repository !== null)
  assert.ok(withRepo, 'the demo has a package linked to a repository')
  assert.deepEqual(withRepo, await c.getPackage('container', withRepo.name, acme))
  const versions = await c.listVersions('container', 'api/server', acme).toArray()
  for (const listed of versions) {
    assert.deepEqual(listed, await c.getVersion('container', 'api/server', listed.id, acme))
  }
  const deleted = await c.listVersions('container', 'api/server', { ...acme, state: 'deleted' }).toArray()
  assert.ok(deleted.length > 0, 'the demo has a deleted version')
  for (const listed of deleted) {
    // GitHub answers 404 to a get of a deleted version: compare the shape.
    assert.deepEqual(Object.keys(listed), Object.keys(versions[0]))
    assert.equal(typeof listed.deletedAt, 'string')
  }
})

test('listed items never share objects, though a page sends a repeated owner once', async (t) => {
  // A page carries each distinct owner and repository once (src/page.rs);
  // every item still gets objects of its own.
  const emu = await emulator(t)
  const c = client(emu)
  const packages = await c.listPackages('container', acme).toArray()
  const [a, b] = packages
  assert.deepEqual(a.owner, b.owner)
  assert.notEqual(a.owner, b.owner)
  assert.notEqual(a.owner.extra, b.owner.extra)
  const linked = packages.filter((p) => p.repository !== null)
  assert.ok(linked.length >= 2, 'the demo links packages to repositories')
  const [r1, r2] = linked.map((p) => p.repository)
  assert.deepEqual(r1, r2, 'the demo links two packages to one repository')
  assert.notEqual(r1, r2)
  assert.notEqual(r1.owner, r2.owner)
  const before = structuredClone(b.owner)
  a.owner.login = 'changed'
  a.owner.extra.url = 'changed'
  r1.owner.login = 'changed'
  assert.deepEqual(b.owner, before)
  assert.notEqual(r2.owner.login, 'changed')
  assert.deepEqual(b, await c.getPackage('container', b.name, acme))
})

test('a shared value is copied deeply into each item, "__proto__" keys and arrays included', async () => {
  // A page as src/page.rs frames it, with an owner whose extra fields nest
  // objects and arrays and carry a "__proto__" key GitHub might one day send.
  const owner = '{"login":"acme","extra":{"__proto__":{"polluted":true},"plan":{"seats":[1,{"n":2}]},"empty":[]}}'
  const page = `{"items":[{"name":"a"},{"name":"b"},{"name":"c","owner":null}],"shared":[${owner}],"links":[[0,"owner",0],[1,"owner",0]]}`
  const pages = [page, '{"items":[],"shared":[],"links":[]}']
  const listing = new Listing({ nextPage: async () => pages.shift(), close: async () => {} })
  const [a, b, c] = await listing.toArray()
  assert.deepEqual(a.owner, JSON.parse(owner))
  assert.deepEqual(b.owner, JSON.parse(owner))
  assert.equal(c.owner, null)
  assert.ok(Object.hasOwn(a.owner.extra, '__proto__'), 'a "__proto__" key stays an own property')
  assert.equal(Object.getPrototypeOf(a.owner.extra), Object.prototype)
  assert.equal(a.owner.extra.polluted, undefined)
  const parts = [
    (o) => o,
    (o) => o.extra,
    (o) => Object.getOwnPropertyDescriptor(o.extra, '__proto__').value,
    (o) => o.extra.plan.seats,
    (o) => o.extra.plan.seats[1],
  ]
  for (const part of parts) assert.notEqual(part(a.owner), part(b.owner))
  assert.ok(Array.isArray(b.owner.extra.plan.seats) && Array.isArray(b.owner.extra.empty))
})
