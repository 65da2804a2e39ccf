#!/usr/bin/env node
// Records the oracle: runs every scenario (or the named ones) on real aos and
// writes tests/oracle/expected/<name>.json, the normalized results. The
// aolite side can then be compared on machines without the aos wasm.
//
//   node tests/oracle/record.mjs            # all scenarios
//   node tests/oracle/record.mjs token_*    # names (shell-style * allowed)
import fs from 'node:fs'
import path from 'node:path'
import { runAos } from './aos.mjs'
import { normalizeRun } from './normalize.mjs'
import { EXPECTED_DIR, listScenarioFiles, loadScenario, expandScenario, planHash } from './scenario.mjs'

export async function recordScenario (scenario) {
  const run = await runAos(scenario)
  const expected = {
    inputHash: planHash(expandScenario(scenario), scenario),
    ...normalizeRun(run, scenario)
  }
  fs.mkdirSync(EXPECTED_DIR, { recursive: true })
  fs.writeFileSync(path.join(EXPECTED_DIR, `${scenario.name}.json`), JSON.stringify(expected, null, 2) + '\n')
  return { expected, timings: run.timings }
}

async function main (args) {
  const globs = args.map(a => new RegExp('^' + a.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*') + '$'))
  const files = listScenarioFiles().filter(f => !globs.length || globs.some(g => g.test(path.basename(f, '.json'))))
  const t0 = performance.now()
  let msgs = 0; let msgMs = 0; let loadMs = 0
  for (const f of files) {
    const scenario = loadScenario(f)
    const { expected, timings } = await recordScenario(scenario)
    const errors = expected.steps.filter(s => s.error).map(s => s.label)
    msgs += timings.messageCount; msgMs += timings.avgMessageMs * timings.messageCount; loadMs += timings.loadMs
    console.log(`${scenario.name.padEnd(34)} steps=${String(expected.steps.length).padStart(2)} ` +
      `load=${timings.loadMs.toFixed(1)}ms spawn=${timings.spawnMs.toFixed(1)}ms ` +
      `msg avg=${timings.avgMessageMs.toFixed(2)}ms total=${timings.totalMs.toFixed(0)}ms` +
      (errors.length ? ` errors@${errors.join(',')}` : ''))
  }
  console.log(`recorded ${files.length} scenarios in ${(performance.now() - t0).toFixed(0)}ms; ` +
    `avg load ${(loadMs / files.length).toFixed(1)}ms, avg message ${(msgMs / msgs).toFixed(2)}ms over ${msgs} messages`)
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).catch(e => { console.error(e); process.exit(1) })
}
