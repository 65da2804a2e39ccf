#!/usr/bin/env node
// Timing of real aos under ao-loader (numbers quoted in README.md):
// cold and warm module load, Process-message (spawn) cost, and the average
// per-message cost in both memory modes over every scenario.
//   node tests/oracle/bench.mjs
import { loadAos, runAos } from './aos.mjs'
import { listScenarioFiles, loadScenario } from './scenario.mjs'

const t0 = performance.now()
const cold = (await loadAos()).loadMs
const warm = []
for (let i = 0; i < 5; i++) warm.push((await loadAos()).loadMs)

async function pass (memoryMode) {
  const start = performance.now()
  let msgs = 0; let msgMs = 0; let spawnMs = 0; let n = 0
  for (const f of listScenarioFiles()) {
    const { timings } = await runAos(loadScenario(f), { memoryMode })
    msgs += timings.messageCount
    msgMs += timings.avgMessageMs * timings.messageCount
    spawnMs += timings.spawnMs
    n++
  }
  return { scenarios: n, messages: msgs, avgMessageMs: msgMs / msgs, avgSpawnMs: spawnMs / n, totalMs: performance.now() - start }
}

const replay = await pass('replay')
const copy = await pass('copy')
const fmt = r => `${r.scenarios} scenarios, ${r.messages} messages: avg message ${r.avgMessageMs.toFixed(2)} ms, ` +
  `avg spawn ${r.avgSpawnMs.toFixed(1)} ms, total ${(r.totalMs / 1000).toFixed(2)} s`
console.log(`load aos2_0_6.wasm: cold ${cold.toFixed(1)} ms, warm ${Math.min(...warm).toFixed(1)}-${Math.max(...warm).toFixed(1)} ms`)
console.log(`replay mode (live heap, no copies): ${fmt(replay)}`)
console.log(`copy mode (CU-style 110 MB memory in/out): ${fmt(copy)}`)
console.log(`bench total ${((performance.now() - t0) / 1000).toFixed(2)} s`)
