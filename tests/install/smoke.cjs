// Smoke test of the installed npm packages through require(): a few real
// calls. Against GITHUB_API_URL, GITHUB_TOKEN and GHPKG_REGISTRY_URL when
// set, else against the in-process emulator the package ships.
//   node smoke.cjs VERSION
const path = require('node:path')
const { Client, Emulator, GhpkgError } = require('ghpkg')

async function main(version) {
  const installed = require('ghpkg/package.json').version
  if (installed !== version) throw new Error(`ghpkg ${installed}, expected ${version}`)
  const where = require.resolve('ghpkg')
  if (!where.startsWith(path.join(process.cwd(), 'node_modules'))) throw new Error(`ghpkg from ${where}`)

  let emulator = null
  let client
  let registryUrl = process.env.GHPKG_REGISTRY_URL
  if (process.env.GITHUB_API_URL) {
    client = new Client()
  } else {
    emulator = await Emulator.start()
    client = emulator.client()
    registryUrl = emulator.registryUrl
  }
  const names = []
  for await (const pkg of client.listPackages('container', { org: 'acme' })) names.push(pkg.name)
  if (names.length === 0) throw new Error('no packages')
  const pkg = await client.getPackage('container', names[0], { org: 'acme' })
  if (pkg.name !== names[0]) throw new Error('wrong package')
  try {
    await client.getPackage('container', 'no-such-package', { org: 'acme' })
    throw new Error('expected NOT_FOUND')
  } catch (err) {
    if (!(err instanceof GhpkgError) || err.code !== 'NOT_FOUND') throw err
  }
  const policy = {
    owner: { org: 'acme' },
    package_type: 'container',
    delete: [{ id: 'untagged', untagged: true }],
  }
  const plan = await client.retention.plan(policy, { registryUrl })
  if (!plan.render('markdown').startsWith('## ghpkg retention plan')) throw new Error('no plan')
  client.close()
  if (emulator) await emulator.shutdown()
  console.log(`node (require): ghpkg ${installed}, ${names.length} packages of acme, a retention plan`)
}

main(process.argv[2]).catch((err) => {
  console.error(err)
  process.exit(1)
})
