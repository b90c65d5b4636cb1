// Testing your own code against the emulator: no network, no token.
import assert from 'node:assert/strict'
import { type Client, Emulator, GhpkgError, type Package, type PackageVersion } from 'ghpkg'

/** The code under test: untagged versions of an org's container images. */
async function untaggedVersions(client: Client, org: string): Promise<Array<[Package, PackageVersion]>> {
  const out: Array<[Package, PackageVersion]> = []
  for await (const pkg of client.listPackages('container', { org })) {
    for await (const version of client.listVersions('container', pkg.name, { org })) {
      if (version.tags.length === 0) out.push([pkg, version])
    }
  }
  return out
}

async function main(): Promise<void> {
  // The demo dataset: org `acme`, administered by octocat (Emulator.tokens.demo).
  const emu = await Emulator.start()
  try {
    const client: Client = emu.client() // baseUrl: emu.url, token: Emulator.tokens.demo
    const found = await untaggedVersions(client, 'acme')
    const names = found.map(([pkg, v]) => `${pkg.name}@${v.id}`)
    assert.ok(names.includes('api/server@20012'))
    console.log(`found ${found.length} untagged versions`)

    // Make GitHub fail, and check that the code reports it.
    emu.inject({ kind: 'status', status: 502, times: Infinity })
    const impatient = emu.client({ maxRetries: 1, retryBackoffMs: 10 })
    await assert.rejects(untaggedVersions(impatient, 'acme'), (err: unknown) => {
      assert.ok(err instanceof GhpkgError)
      assert.equal(err.code, 'SERVER')
      assert.equal(err.status, 502)
      return true
    })
    emu.clearFaults()
    const retried = emu.requests().filter((r) => r.status === 502).length
    console.log(`a 502 was retried: ${retried} failed requests`)
  } finally {
    await emu.shutdown()
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
