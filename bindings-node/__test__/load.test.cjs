// The package loads with require() and import(), and both give the same objects.
const test = require('node:test')
const assert = require('node:assert/strict')

test('require and import give the same API', async () => {
  const cjs = require('ghpkg')
  const esm = await import('ghpkg')
  const names = [
    'Client',
    'Listing',
    'GhpkgError',
    'ErrorCode',
    'errorKinds',
    'catalogResources',
    'Emulator',
    'Retention',
    'Plan',
    'Policy',
    'ApplyRun',
    'retentionSchemas',
    'PACKAGE_TYPES',
    'version',
  ]
  for (const name of names) {
    assert.ok(cjs[name] !== undefined, `require exports ${name}`)
    assert.equal(esm[name], cjs[name], `import exports the same ${name}`)
  }
  assert.equal(esm.default, cjs)
  assert.deepEqual(Object.keys(cjs).sort(), [...names].sort())
  assert.equal(cjs.version, require('../package.json').version)
  assert.deepEqual([...cjs.PACKAGE_TYPES], ['npm', 'maven', 'rubygems', 'docker', 'nuget', 'container'])
  assert.equal(typeof cjs.Client, 'function')
})

test('the package exposes only its entry point', () => {
  assert.throws(() => require('ghpkg/lib/client.js'), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' })
  assert.equal(require('ghpkg/package.json').name, 'ghpkg')
})

test('every native client, emulator and retention method has a public counterpart', () => {
  const native = require('../native.generated.js')
  const { Client, Emulator, Retention, Plan, ApplyRun } = require('ghpkg')
  const methods = (proto) =>
    Object.getOwnPropertyNames(proto).filter(
      (n) => n !== 'constructor' && typeof Object.getOwnPropertyDescriptor(proto, n).value === 'function',
    )
  const getters = (proto) => Object.getOwnPropertyNames(proto).filter((n) => Object.getOwnPropertyDescriptor(proto, n).get)
  for (const [nativeClass, publicClass] of [
    [native.NativeClient, Client],
    [native.NativeEmulator, Emulator],
    [native.NativeRetention, Retention],
    [native.NativePlan, Plan],
    [native.NativeApplyEvents, ApplyRun],
  ]) {
    for (const name of methods(nativeClass.prototype)) {
      assert.equal(typeof publicClass.prototype[name], 'function', `${publicClass.name}.${name}`)
    }
    for (const name of getters(nativeClass.prototype)) {
      assert.ok(getters(publicClass.prototype).includes(name), `${publicClass.name}.${name} getter`)
    }
  }
  assert.equal(typeof Emulator.start, 'function')
})

test('an installed copy loads with require and import from another project', async () => {
  const fs = require('node:fs')
  const os = require('node:os')
  const path = require('node:path')
  const { execFileSync } = require('node:child_process')
  const project = fs.mkdtempSync(path.join(os.tmpdir(), 'ghpkg-consumer-'))
  try {
    fs.mkdirSync(path.join(project, 'node_modules'))
    fs.symlinkSync(path.resolve(__dirname, '..'), path.join(project, 'node_modules', 'ghpkg'), 'dir')
    const run = (args) => execFileSync(process.execPath, args, { cwd: project, encoding: 'utf8' }).trim()
    assert.equal(run(['-e', "console.log(typeof require('ghpkg').Client)"]), 'function')
    assert.equal(
      run(['--input-type=module', '-e', "import { Client, Emulator } from 'ghpkg'; console.log(typeof Client, typeof Emulator.start)"]),
      'function function',
    )
  } finally {
    fs.rmSync(project, { recursive: true, force: true })
  }
})
