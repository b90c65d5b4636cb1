// Generates lib/retention.generated.d.ts, the TypeScript types of the
// retention formats, from the JSON Schemas the core publishes in ../schemas/
// (`ghpkg::retention::schemas()`). Run `npm run types:retention` after the
// schemas change; scripts/test-node.sh regenerates and checks for drift.
//
// The schemas are combined into one, so each definition (Role, Item, ...) is
// declared once. Only three things are changed on the way:
// - the formats' roots are named for the JavaScript API: `PolicyJSON` and
//   `PlanJSON` (the `Policy` and `Plan` classes hold them), `RetentionEvent`,
//   `JournalRecord` (not the global `Event` and `Record`);
// - the options of plan, apply and undo get camelCase keys, as JavaScript
//   passes them (lib/retention.js turns them back into the core's snake_case),
//   and their date-time fields also take a `Date`;
// - a `$ref` with sibling keywords becomes `allOf` (the generator would
//   otherwise drop the siblings or the referenced type).
// Everything else, documentation included, is the schemas' own.
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { compile } from 'json-schema-to-typescript'

const here = path.dirname(fileURLToPath(import.meta.url))
const schemas = path.join(here, '..', '..', 'schemas')
const out = path.join(here, '..', 'lib', 'retention.generated.d.ts')

/** Schema file → the name of its root type. */
const ROOTS = {
  'policy.schema.json': 'PolicyJSON',
  'plan.schema.json': 'PlanJSON',
  'event.schema.json': 'RetentionEvent',
  'report.schema.json': 'Report',
  'journal.schema.json': 'JournalRecord',
  'plan-options.schema.json': 'PlanOptions',
  'apply-options.schema.json': 'ApplyOptions',
  'undo-options.schema.json': 'UndoOptions',
}
/** Definitions that are the root of another file, by their name in `$defs`. */
const RENAMED = { Policy: 'PolicyJSON', Plan: 'PlanJSON', Report: 'Report' }
const CAMEL_CASE = new Set(['PlanOptions', 'ApplyOptions', 'UndoOptions'])

const camel = (key) => key.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase())

/**
 * Rewrites refs to renamed definitions and to the root (`#`, which is
 * `self`), and `$ref` beside other keywords into `allOf`.
 */
function normalize(node, self) {
  if (Array.isArray(node)) return node.map((n) => normalize(n, self))
  if (node === null || typeof node !== 'object') return node
  const outNode = {}
  for (const [k, v] of Object.entries(node)) outNode[k] = normalize(v, self)
  if (outNode.$ref === '#') outNode.$ref = `#/$defs/${self}`
  if (typeof outNode.$ref === 'string') {
    const name = outNode.$ref.replace('#/$defs/', '')
    if (Object.hasOwn(RENAMED, name)) outNode.$ref = `#/$defs/${RENAMED[name]}`
    // A default beside a reference makes the generator declare the
    // referenced type again (`Protect1`); defaults are documentation here.
    const { $ref, description, default: _default, examples: _examples, ...rest } = outNode
    // A description beside a reference would do the same; inside `allOf`
    // it documents the property instead.
    if (description === undefined && Object.keys(rest).length === 0) return { $ref }
    const allOf = Object.keys(rest).length > 0 ? [{ $ref }, rest] : [{ $ref }]
    return description === undefined ? { allOf } : { description, allOf }
  }
  return outNode
}

/** The options as JavaScript passes them: camelCase keys, a Date for a date-time. */
function camelCaseOptions(schema) {
  const properties = {}
  for (const [key, value] of Object.entries(schema.properties ?? {})) {
    properties[camel(key)] = value.format === 'date-time' ? { ...value, tsType: 'Date | string | null' } : value
  }
  return { ...schema, properties, required: (schema.required ?? []).map(camel) }
}

function isEqual(a, b) {
  return JSON.stringify(a) === JSON.stringify(b)
}

const defs = {}
function define(name, schema, file) {
  if (Object.hasOwn(defs, name) && !isEqual(defs[name], schema)) {
    throw new Error(`${file}: $defs/${name} differs from the same definition in another schema`)
  }
  defs[name] = schema
}

const properties = {}
for (const [file, rootName] of Object.entries(ROOTS)) {
  const { $schema: _s, $defs = {}, title: _t, ...root } = JSON.parse(readFileSync(path.join(schemas, file), 'utf8'))
  for (const [name, def] of Object.entries($defs)) {
    define(RENAMED[name] ?? name, normalize(def, rootName), file)
  }
  let body = normalize(root, rootName)
  if (CAMEL_CASE.has(rootName)) body = camelCaseOptions(body)
  // A root that is also another file's definition must be that definition exactly.
  if (Object.hasOwn(defs, rootName) && !isEqual(defs[rootName], body)) {
    throw new Error(`${file}: the root differs from $defs/${rootName} in another schema`)
  }
  defs[rootName] = body
  properties[file.replace('.schema.json', '')] = { $ref: `#/$defs/${rootName}` }
}

const combined = {
  title: 'RetentionFormats',
  description: 'Every retention format, by schema name (`ghpkg.retentionSchemas()` has the JSON Schemas).',
  type: 'object',
  properties,
  required: Object.keys(properties),
  additionalProperties: false,
  $defs: Object.fromEntries(Object.entries(defs).sort(([a], [b]) => a.localeCompare(b))),
}

const banner = `// @generated by scripts/retention-types.mjs from ../schemas/*.schema.json: do not edit.
// The JSON formats of retention (policy, plan, events, report, journal, options),
// with the core's snake_case keys; the options as JavaScript passes them (camelCase).`

const ts = await compile(combined, 'RetentionFormats', {
  bannerComment: banner,
  additionalProperties: false,
  unreachableDefinitions: true,
  strictIndexSignatures: true,
  style: { singleQuote: true, semi: false, printWidth: 120 },
})
writeFileSync(out, ts)
