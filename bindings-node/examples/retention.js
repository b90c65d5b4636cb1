// Cleans up a container image by policy: plan, review, apply with progress,
// check that every kept image is whole, and (with --undo) restore it all.
//   GITHUB_TOKEN=ghp_... node retention.js my-org my/image [registry-url] [--undo]
const os = require('node:os')
const path = require('node:path')
const { Client } = require('ghpkg')

async function main(org, image, registryUrl, undo) {
  const retention = new Client().retention

  // What may go: old releases and the leftovers of broken pushes. What an
  // image that stays needs (its platform images, attestations, signatures)
  // stays with it, and so does anything younger than an hour.
  const policy = {
    owner: { org },
    package_type: 'container',
    packages: { include: [image] },
    protect: { tags: ['latest'] },
    delete: [
      { id: 'old-releases', tags: ['1.0.*', '1.1.*'] },
      { id: 'ghosts', index: 'ghost' },
      { id: 'orphaned-signatures', orphaned_referrer: true },
    ],
  }
  // Planning only reads. The registry defaults to ghcr.io (containers.HOST on GHES).
  const plan = await retention.plan(policy, { registryUrl })
  console.log(plan.render('table'))
  console.log(`plan ${plan.id}: delete ${plan.totals.delete}, keep ${plan.totals.keep}`)
  if (plan.totals.delete === 0) return

  // Every delete is journaled first: the same plan and journal resume a run
  // that was stopped (a deadline, maxDeletes, a break out of the loop).
  const journal = path.join(os.tmpdir(), `${plan.id}.jsonl`)
  for await (const event of retention.applyEvents(plan, { journal, maxDeletes: 500 })) {
    if (event.type === 'progress') console.log(`deleted ${event.done} of ${event.total}`)
    if (event.type === 'outcome' && event.outcome !== 'deleted') console.log(`${event.version_id}: ${event.outcome}`)
    if (event.type === 'report') console.log(`run ${event.report.status}: ${JSON.stringify(event.report.counts)}`)
  }
  const { checked_tags, broken } = await retention.verify(plan)
  console.log(`verified ${checked_tags} kept tags, ${broken.length} broken`)

  if (undo) {
    // Within GitHub's 30 days, undo restores exactly what the run deleted.
    const restored = await retention.undo(journal)
    console.log(`undo ${restored.status}: ${restored.counts.restored ?? 0} restored`)
  }
}

const args = process.argv.slice(2)
const [org = 'acme', image = 'api/server', registryUrl] = args.filter((a) => a !== '--undo')
main(org, image, registryUrl, args.includes('--undo')).catch((err) => {
  console.error(err) // a GhpkgError: err.code, err.status, err.detail
  process.exitCode = 1
})
