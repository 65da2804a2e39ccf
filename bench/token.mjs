// The message-path benchmark of issue 14: the token workload (bench/token_workload.mjs:
// 1 000 funded balances, N Transfers each answered with a Debit-Notice and a Credit-Notice)
// on real aos 2.0.6 (ao-loader, live heap: its fastest mode) and on aolite, in this one
// script, printed as rates and ratios. A benchmark, not a test: nothing asserts speed.
//   node bench/token.mjs [TRANSFERS]            (default 5000; needs npm ci)
// Measured, each against real aos's message time:
//  - aolite in Node (the package in pkg/, or PKG=dir): `handle` of the same inputs;
//  - the Node CLI and the native CLI (AOLITE_BIN, default target/release/aolite), whole
//    processes with start-up, on the same workload as files.
// KEEP_DIR=1 keeps (and prints) the folder of those files, to profile a CLI on them.
import { performance } from 'node:perf_hooks'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { expandScenario } from '../tests/oracle/scenario.mjs'
import { loadAos } from '../tests/oracle/aos.mjs'
import { tokenSource, tokenMessages } from './token_workload.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const n = Number(process.argv[2] || 5000)
const pkg = path.resolve(process.env.PKG || path.join(root, 'pkg'))
const bin = process.env.AOLITE_BIN || path.join(root, 'target/release/aolite')

const source = tokenSource()
const messages = tokenMessages(n)
const plan = expandScenario({
  name: 'token-bench',
  source,
  messages: messages.map((m) => ({ From: m.From, Tags: m.Tags }))
})
const [spawn, load, ...steps] = plan.steps

function rate (count, ms) { return Math.round(count / ms * 1000) }

// Real aos.
const { call } = await loadAos()
await call(null, spawn.msg, plan.env)
await call(null, load.msg, plan.env)
let t0 = performance.now()
for (const s of steps) await call(null, s.msg, plan.env)
const aosMs = performance.now() - t0

const rows = [{ runner: 'real aos 2.0.6 (ao-loader)', ms: aosMs.toFixed(0), 'msg/s': rate(n, aosMs), 'x aos': '1.0' }]
const row = (runner, ms) => rows.push({ runner, ms: ms.toFixed(0), 'msg/s': rate(n, ms), 'x aos': (aosMs / ms).toFixed(1) })

// aolite in Node, same inputs.
if (fs.existsSync(path.join(pkg, 'node.js'))) {
  const { Process } = await import(pathToFileURL(path.join(pkg, 'node.js')).href)
  const p = new Process({ id: plan.ids.PROCESS, owner: plan.ids.OWNER, module: plan.ids.MODULE, spawn: false })
  p.handle(spawn.msg, plan.env)
  p.handle(load.msg, plan.env)
  t0 = performance.now()
  for (const s of steps) p.handle(s.msg, plan.env)
  row('aolite in Node (handle)', performance.now() - t0)
}

// The CLIs, whole processes.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aolite-bench-'))
fs.writeFileSync(path.join(dir, 'token.lua'), source)
fs.writeFileSync(path.join(dir, 'messages.json'), JSON.stringify(messages))
function cli (runner, cmd, args) {
  t0 = performance.now()
  const r = spawnSync(cmd, [...args, 'run', path.join(dir, 'token.lua'), '--messages', path.join(dir, 'messages.json')], { maxBuffer: 1 << 30 })
  const ms = performance.now() - t0
  if (r.status !== 0) {
    console.error(`${runner} failed: ${r.stderr}`)
    return
  }
  row(runner, ms)
}
if (fs.existsSync(path.join(pkg, 'cli.mjs'))) cli('aolite Node CLI (whole process)', process.execPath, [path.join(pkg, 'cli.mjs')])
if (fs.existsSync(bin)) cli('aolite native CLI (whole process)', bin, [])
if (!process.env.KEEP_DIR) fs.rmSync(dir, { recursive: true, force: true }); else console.log(dir)

console.log(`Token workload: ${n} Transfers (a Debit-Notice and a Credit-Notice each), 1 000 balances`)
console.table(rows)
