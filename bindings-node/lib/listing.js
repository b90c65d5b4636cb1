'use strict'
// Listing: a lazy, async-iterable listing over a native cursor.

const { convert } = require('./errors.js')

const DONE = Object.freeze({ value: undefined, done: true })

// A deep copy of a parsed JSON value, own properties only, as JSON.parse
// made them (a "__proto__" key stays a property, not a prototype).
function copy(value) {
  if (Array.isArray(value)) return value.map(copy)
  const out = { ...value }
  for (const key of Object.keys(out)) {
    const field = out[key]
    if (typeof field !== 'object' || field === null) continue
    if (key === '__proto__') {
      Object.defineProperty(out, key, { value: copy(field), writable: true, enumerable: true, configurable: true })
    } else {
      out[key] = copy(field)
    }
  }
  return out
}

// The items of a page as the native cursor frames it (src/page.rs): objects
// several items repeat come once in `shared`, and each item gets its own
// copy, so no two items share an object.
function itemsOf({ items, shared, links }) {
  for (let i = 0; i < links.length; i++) {
    const [item, field, at] = links[i]
    items[item][field] = copy(shared[at])
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
  // Serializes next() and return(): items come out in order even when
  // next() is called again before the previous promise settled.
  #queue = Promise.resolve()

  /** @internal Listings come from Client methods. */
  constructor(cursor) {
    this.#cursor = cursor
  }

  #enqueue(step) {
    const result = this.#queue.then(step)
    this.#queue = result.then(
      () => undefined,
      () => undefined,
    )
    return result
  }

  async #next() {
    if (this.#pos < this.#buffer.length) {
      const value = this.#buffer[this.#pos]
      this.#buffer[this.#pos++] = undefined
      return { value, done: false }
    }
    if (this.#done) return DONE
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
      return DONE
    }
    this.#buffer = page
    this.#pos = 1
    return { value: page[0], done: false }
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
    return this.#enqueue(() => this.#next())
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
      const { value, done } = await this.next()
      if (done) return out
      out.push(value)
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
