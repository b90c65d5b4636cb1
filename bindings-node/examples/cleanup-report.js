// Reports the untagged versions of an organization's container images,
// then deletes one package, handling what a cleanup job runs into.
//   GITHUB_TOKEN=ghp_... node cleanup-report.js my-org old-image
const { Client } = require('ghpkg')

async function main(org, doomed) {
  // Token from GITHUB_TOKEN or GH_TOKEN; GITHUB_API_URL for GitHub Enterprise Server.
  const client = new Client({ timeoutMs: 20_000 })

  // Fail before starting if the token cannot delete.
  const scopes = await client.scopes()
  if (!scopes.canDelete) throw new Error(`this token cannot delete packages: ${scopes.problem ?? 'no delete:packages scope'}`)

  // Pages are fetched as the loop consumes them.
  for await (const pkg of client.listPackages('container', { org })) {
    const versions = await client.listVersions('container', pkg.name, { org }).toArray()
    const untagged = versions.filter((v) => v.tags.length === 0)
    if (untagged.length > 0) {
      console.log(`${pkg.name}: ${untagged.length} untagged of ${versions.length} versions`)
    }
  }

  try {
    await client.deletePackage('container', doomed, { org })
    console.log(`deleted ${doomed} (restorable for 30 days)`)
  } catch (err) {
    switch (err.code) {
      case 'NOT_FOUND':
        console.log(`${doomed} is already gone`)
        break
      case 'REJECTED': // e.g. a public package with a version over 5,000 downloads
        console.log(`GitHub refused to delete ${doomed}: ${err.detail}`)
        break
      default:
        throw err // err.status, err.requestId, err.hint say more
    }
  }
}

main(process.argv[2] ?? 'acme', process.argv[3] ?? 'old-image').catch((err) => {
  console.error(err)
  process.exitCode = 1
})
