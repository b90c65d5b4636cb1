// A plain registry reader for the retention tests: a pull token from the
// emulator's `/token`, then manifests by tag or digest, followed down every
// index. It shares no code with ghpkg, so what it sees is independent.
import assert from 'node:assert/strict'
import { tokens } from './helpers.mjs'

const ACCEPT = 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json'

export class RegistryReader {
  #base
  #repo
  #token

  constructor(base, repo, token) {
    this.#base = base
    this.#repo = repo
    this.#token = token
  }

  /** A reader of `repo` (e.g. `acme/api/server`) on `emu`'s registry, as octocat. */
  static async open(emu, repo) {
    const basic = Buffer.from(`octocat:${tokens.demo}`).toString('base64')
    const resp = await fetch(`${emu.registryUrl}/token?scope=repository:${repo}:pull`, {
      headers: { authorization: `Basic ${basic}` },
    })
    assert.equal(resp.status, 200, 'a pull token')
    const { token } = await resp.json()
    return new RegistryReader(emu.registryUrl, repo, token)
  }

  /** The manifest `reference` names, as `{ digest, manifest }`, or null (404). */
  async get(reference) {
    const resp = await fetch(`${this.#base}/v2/${this.#repo}/manifests/${reference}`, {
      headers: { authorization: `Bearer ${this.#token}`, accept: ACCEPT },
    })
    if (resp.status === 404) return null
    assert.equal(resp.status, 200, `GET ${reference}`)
    return { digest: resp.headers.get('docker-content-digest'), manifest: await resp.json() }
  }

  /** Every digest `tag` reaches that the registry does not serve; null when the tag is gone. */
  async missingUnder(tag) {
    const root = await this.get(tag)
    if (root === null) return null
    const missing = []
    const queue = [root.manifest]
    while (queue.length > 0) {
      const m = queue.pop()
      for (const child of m.manifests ?? []) {
        const got = await this.get(child.digest)
        if (got === null) missing.push(child.digest)
        else queue.push(got.manifest)
      }
    }
    return missing
  }
}
