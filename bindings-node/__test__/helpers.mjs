// Shared helpers: a fresh emulator per test, stopped when the test ends.
import { Emulator } from 'ghpkg'

export const tokens = Emulator.tokens

/** Starts an emulator (demo dataset unless options say otherwise) for test `t`. */
export async function emulator(t, options) {
  const emu = await Emulator.start(options)
  t.after(() => emu.shutdown())
  return emu
}

/** Org `big` with `n` public container packages (`pkg-00001`...), and octocat's demo token with room for every page. */
export function bigFixture(n) {
  return {
    users: [{ login: 'octocat', id: 1 }],
    orgs: [{ login: 'big', id: 7, admins: ['octocat'] }],
    tokens: [{ token: tokens.demo, user: 'octocat', kind: 'classic', scopes: ['read:packages'], rate_limit: 1_000_000 }],
    generated: [{ owner: 'big', package_type: 'container', count: n, visibility: 'public' }],
  }
}

/** octocat's client for `emu`, with fast retries so fault tests run quickly. */
export function client(emu, options = {}) {
  return emu.client({ retryBackoffMs: 5, timeoutMs: 10_000, ...options })
}

/** `METHOD path?query` of every logged request. */
export function calls(emu) {
  return emu.requests().map((r) => (r.query === null ? `${r.method} ${r.path}` : `${r.method} ${r.path}?${r.query}`))
}

/** The value of `name` in a logged request's query. */
export function queryParam(request, name) {
  return new URLSearchParams(request.query ?? '').get(name)
}

/** Awaits `promise`, which must reject; returns the error. */
export async function rejection(promise) {
  try {
    await promise
  } catch (err) {
    return err
  }
  throw new Error('expected the promise to reject')
}
