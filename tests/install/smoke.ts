// Type-checked (tsc --strict --noEmit) against the installed package's types.
import { Client, GhpkgError, type Package, type PolicyJSON } from 'ghpkg'

export async function names(org: string): Promise<string[]> {
  const client = new Client({ timeoutMs: 5_000 })
  const out: string[] = []
  for await (const pkg of client.listPackages('container', { org })) {
    const p: Package = pkg
    out.push(p.name)
  }
  return out
}

export async function untagged(org: string): Promise<number> {
  const policy: PolicyJSON = {
    owner: { org },
    package_type: 'container',
    delete: [{ id: 'untagged', untagged: true }],
  }
  const plan = await new Client().retention.plan(policy)
  return plan.deletions().length
}

export function code(err: unknown): string | undefined {
  return err instanceof GhpkgError ? err.code : undefined
}
