// Benchmarks aolite against its peers, side by side in one Node process:
//  - plain Lua workloads: aolite (piccolo in wasm) vs wasmoon (PUC Lua 5.4 in wasm) vs
//    fengari (Lua 5.3 in JS);
//  - AO message throughput: aolite vs real aos 2.0.6 on @permaweb/ao-loader.
// Prints times and ratios. A benchmark, not a test: nothing here asserts speed.
// Usage: node bench/peers.mjs   (after scripts/build-pkg.sh and npm ci)
import { performance } from 'node:perf_hooks'
import { Process, runLua } from '../pkg/node.js'
import { LuaFactory } from 'wasmoon'
import fengari from 'fengari'
import { expandScenario } from '../tests/oracle/scenario.mjs'
import { loadAos } from '../tests/oracle/aos.mjs'

const WORKLOADS = {
  'fib(25) recursive': 'local function fib(n) if n < 2 then return n end return fib(n-1) + fib(n-2) end print(fib(25))',
  '300k table inserts + sum': 'local t = {} for i = 1, 300000 do t[#t+1] = i end local s = 0 for i = 1, #t do s = s + t[i] end print(s)',
  '50k string.format + concat': 'local parts = {} for i = 1, 50000 do parts[#parts+1] = string.format("%d:%s", i, "x") end print(#table.concat(parts, ","))',
  '20k gsub/match': 'local n = 0 for i = 1, 20000 do local s = ("key" .. i .. "=value" .. i):gsub("%d+", "#") if s:match("^key#") then n = n + 1 end end print(n)',
  '50k sort': 'local t = {} local x = 1 for i = 1, 50000 do x = (x * 1103515245 + 12345) % 2147483648 t[i] = x end table.sort(t) print(t[1] <= t[2])'
}

function best (fn, runs = 3) {
  let out
  let min = Infinity
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    out = fn()
    min = Math.min(min, performance.now() - t0)
  }
  return { ms: min, out }
}

async function luaWorkloads () {
  const wasmoon = await new LuaFactory().createEngine()
  let wasmoonOut = ''
  wasmoon.global.set('print', (...a) => { wasmoonOut += a.join('\t') + '\n' })
  const { lua, lauxlib, lualib, to_luastring } = fengari
  const rows = []
  for (const [name, src] of Object.entries(WORKLOADS)) {
    const a = best(() => runLua(src, 'bench').stdout)
    const w = best(() => { wasmoonOut = ''; wasmoon.doStringSync(src); return wasmoonOut })
    const f = best(() => {
      const L = lauxlib.luaL_newstate()
      lualib.luaL_openlibs(L)
      if (lauxlib.luaL_dostring(L, to_luastring(src)) !== 0) return 'error'
      return 'ok'
    }, 1)
    rows.push({ workload: name, aolite_ms: a.ms.toFixed(1), wasmoon_ms: w.ms.toFixed(1), fengari_ms: f.ms.toFixed(1), 'aolite/wasmoon': (a.ms / w.ms).toFixed(2), 'aolite/fengari': (a.ms / f.ms).toFixed(2), same_output: a.out === w.out })
  }
  wasmoon.global.close()
  return rows
}

const PROCESS_SRC = `
Balances = Balances or {}
Handlers.add("transfer", "Transfer", function(msg)
  local q = tonumber(msg.Quantity)
  Balances[msg.From] = (Balances[msg.From] or 1000000) - q
  Balances[msg.Recipient] = (Balances[msg.Recipient] or 0) + q
  msg.reply({ Action = "Debit-Notice", Quantity = msg.Quantity })
end)`

async function messageThroughput (count) {
  const scenario = {
    name: 'bench',
    source: PROCESS_SRC,
    messages: Array.from({ length: count }, (_, i) => ({ Action: 'Transfer', Tags: { Recipient: `user${i % 100}`, Quantity: '3' } }))
  }
  const plan = expandScenario(scenario)
  // aolite
  const p = new Process({ id: plan.ids.PROCESS, owner: plan.ids.OWNER, module: plan.ids.MODULE, spawn: false })
  for (const s of plan.steps.slice(0, 2)) p.handle(s.msg, plan.env)
  const msgs = plan.steps.slice(2)
  let t0 = performance.now()
  for (const s of msgs) p.handle(s.msg, plan.env)
  const aoliteMs = performance.now() - t0
  // real aos on ao-loader (live heap, no memory copies: its fastest mode)
  const { call } = await loadAos()
  for (const s of plan.steps.slice(0, 2)) await call(null, s.msg, plan.env)
  t0 = performance.now()
  for (const s of msgs) await call(null, s.msg, plan.env)
  const aosMs = performance.now() - t0
  return { messages: count, aolite_ms: aoliteMs.toFixed(0), aos_ms: aosMs.toFixed(0), 'aolite msg/s': Math.round(count / aoliteMs * 1000), 'aos msg/s': Math.round(count / aosMs * 1000), 'aolite/aos time': (aoliteMs / aosMs).toFixed(2) }
}

console.log('Lua workloads (best of 3; fengari 1 run):')
console.table(await luaWorkloads())
console.log('AO message throughput (token-style Transfer handler with a reply):')
console.table([await messageThroughput(2000)])
