'use strict'
// Listing: a lazy, async-iterable listing over a native cursor.

const { convert } = require('./errors.js')

const DONE = Object.freeze({ value: undefined, done: true })

// How to copy a parsed JSON value: its fields that are objects or arrays,
// each with its own plan. Made once per shared value of a page and used for
// every item that repeats it, so a copy spreads each level once instead of
// looking at every field again.
function planOf(value) {
  const nested = []
  for (const key of Object.keys(value)) {
    const field = value[key]
    if (typeof field === 'object' && field !== null) nested.push([key, planOf(field)])
  }
  return nested
}

// A deep copy of a parsed JSON value by its plan, own properties only, as
// JSON.parse made them (a "__proto__" key stays a property, not a prototype).
function copy(value, plan) {
  const out = Array.isArray(value) ? [...value] : { ...value }
  for (let i = 0; i < plan.length; i++) {
    const [key, nested] = plan[i]
    const field = copy(value[key], nested)
    if (key === '__proto__') {
      Object.defineProperty(out, key, { value: field, writable: true, enumerable: true, configurable: true })
    } else {
      out[key] = field
    }
  }
  return out
}

// The items of a page as the native cursor frames it (src/page.rs): objects
// several items repeat come once in `shared`, and each item gets its own
// copy, so no two items share an object.
function itemsOf({ items, shared, links }) {
  const plans = shared.map(planOf)
  for (let i = 0; i < links.length; i++) {
    const [item, field, at] = links[i]
    items[item][field] = copy(shared[at], plans[at])
  }
  return items
}

/**
 * A lazy listing (`listPackages`, `listVersions`, `dockerConflicts`).
 *
 * Nothing is sent until the first item is asked for; pages are fetched as
 * they are consumed, with the client's read-ahead once the first page
 * reveals the last. Use it with `for await`, or `toArray()`. Leaving a
 * `for await` loop early (break, return, throw) closes the listing and
 * cancels requests in flight. A listing is its own iterator: it can be
 * consumed once. After an error it ends.
 */
class Listing {
  #cursor
  #buffer = []
  #pos = 0
  #done = false
  // Serializes next(), return() and toArray(): items come out in order even
  // when next() is called again before the previous promise settled.
  #queue = Promise.resolve()
  // Steps queued and not yet settled; with none, next() may answer from the
  // buffer at once.
  #pending = 0

  /** @internal Listings come from Client methods. */
  constructor(cursor) {
    this.#cursor = cursor
  }

  #enqueue(step) {
    this.#pending++
    const settled = () => {
      this.#pending--
    }
    const result = this.#queue.then(step)
    this.#queue = result.then(settled, settled)
    return result
  }

  // The next buffered item, or undefined when the buffer is used up.
  #shift() {
    if (this.#pos >= this.#buffer.length) return undefined
    const value = this.#buffer[this.#pos]
    this.#buffer[this.#pos++] = undefined
    return { value, done: false }
  }

  // Fills the buffer with the next page; false once the listing has ended.
  async #fill() {
    if (this.#done) return false
    let page
    try {
      // A whole page arrives as one JSON string: JSON.parse builds its
      // objects far faster than napi can set their properties one by one.
      page = itemsOf(JSON.parse(await this.#cursor.nextPage()))
    } catch (err) {
      this.#done = true
      throw convert(err)
    }
    if (page.length === 0) {
      this.#done = true
      return false
    }
    this.#buffer = page
    this.#pos = 0
    return true
  }

  async #next() {
    return this.#shift() ?? ((await this.#fill()) ? this.#shift() : DONE)
  }

  // The rest of the buffered page, or the next page; empty once ended.
  async #batch() {
    if (this.#pos >= this.#buffer.length && !(await this.#fill())) return []
    const items = this.#pos === 0 ? this.#buffer : this.#buffer.slice(this.#pos)
    this.#buffer = []
    this.#pos = 0
    return items
  }

  async #return() {
    this.#buffer = []
    this.#pos = 0
    if (!this.#done) {
      this.#done = true
      await this.#cursor.close()
    }
    return DONE
  }

  /** The next item, as an async iterator result. */
  next() {
    // Nothing queued: a buffered item needs no trip through the queue.
    const item = this.#pending === 0 ? this.#shift() : undefined
    return item ? Promise.resolve(item) : this.#enqueue(() => this.#next())
  }

  /** Stops the listing, cancelling requests in flight. */
  return() {
    return this.#enqueue(() => this.#return())
  }

  [Symbol.asyncIterator]() {
    return this
  }

  /** Every remaining item, in order. Rejects with the first error. */
  async toArray() {
    const out = []
    for (;;) {
      const items = await this.#enqueue(() => this.#batch())
      if (items.length === 0) return out
      for (let i = 0; i < items.length; i++) out.push(items[i])
    }
  }

  /** The same as `toArray()`. */
  collect() {
    return this.toArray()
  }

  /**
   * Whether the listing stopped at GitHub's 10,000-item paging limit, so
   * more items may exist than were listed. Meaningful once the listing has
   * ended; filter it (by visibility) to reach the rest.
   */
  get reachedPagingLimit() {
    return this.#cursor.reachedPagingLimit
  }

  get [Symbol.toStringTag]() {
    return 'Listing'
  }
}

module.exports = { Listing }
