// Smoke test of the installed npm packages through import: the ES module
// entry gives the same objects as require().
import { createRequire } from 'node:module'
import { Client, Emulator } from 'ghpkg'

const require = createRequire(import.meta.url)
if (require('ghpkg').Client !== Client) throw new Error('import and require give different objects')
const emulator = process.env.GITHUB_API_URL ? null : await Emulator.start()
const client = emulator ? emulator.client() : new Client()
const versions = await client.listVersions('container', 'api/server', { org: 'acme' }).toArray()
if (versions.length === 0) throw new Error('no versions')
client.close()
if (emulator) await emulator.shutdown()
console.log(`node (import): ${versions.length} versions of acme's api/server`)
