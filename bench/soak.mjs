// The soak benchmark through the JS package (one process): N messages with the mix of
// examples/soak.rs (handled, unhandled past the Inbox cap, failing, out of fuel with a small
// explicit fuel limit), printing RSS and the rate per interval, then replaying the message
// log from its base document and comparing the state hashes. A benchmark, not a test.
// Usage: node bench/soak.mjs [--messages N] [--seed S] [--pkg DIR] [--mix H,U,F,S]
//   (after scripts/build-pkg.sh; --pkg defaults to ../pkg)
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import path from 'node:path'

const args = process.argv.slice(2)
const opt = (name, def) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : def
}
const messages = Number(opt('--messages', '100000'))
let seed = BigInt(opt('--seed', '1'))
const pkg = path.resolve(opt('--pkg', new URL('../pkg', import.meta.url).pathname))
const { Process } = await import(pathToFileURL(path.join(pkg, 'node.js')).href)

const FUEL = 200000
const LUA = `
Count = 0
Store = {}
Handlers.add("work", "Work", function(msg)
  Count = Count + 1
  Store[tonumber(msg.Key)] = { from = msg.From, seq = msg.Seq, size = #(msg.Data or "") }
  if Count % 10 == 0 then msg.reply({ Action = "Work-Done", Count = tostring(Count) }) end
end)
Handlers.add("fail", "Fail", function(msg)
  Store.partial = msg.Seq
  error("soak: failing on purpose at " .. msg.Seq)
end)
Handlers.add("spin", "Spin", function(msg)
  Store.spinning = msg.Seq
  local n = 0
  while true do n = n + 1 end
end)
`
// splitmix64
const MASK = (1n << 64n) - 1n
function next () {
  seed = (seed + 0x9E3779B97F4A7C15n) & MASK
  let z = seed
  z = ((z ^ (z >> 30n)) * 0xBF58476D1CE4E5B9n) & MASK
  z = ((z ^ (z >> 27n)) * 0x94D049BB133111EBn) & MASK
  return z ^ (z >> 31n)
}
// Per mille of handled, unhandled, failing and out-of-fuel messages (examples/soak.rs's --mix).
const [handled, unhandled, failing] = opt('--mix', '700,200,85,15').split(',').map(Number)
function action () {
  const r = Number(next() % 1000n)
  return r < handled ? 'Work' : r < handled + unhandled ? 'Other' : r < handled + unhandled + failing ? 'Fail' : 'Spin'
}

const p = new Process({ limits: { fuel: FUEL } })
p.eval(LUA)
const counts = { handled: 0, unhandled: 0, failed: 0, outOfFuel: 0, other: 0 }
const every = Math.max(1, Math.floor(messages / 20))
const samples = []
let t = performance.now()
let cpu = process.cpuUsage()
console.log('  messages    RSS MB  msg/s (cpu) msg/s (wall)')
for (let seq = 1; seq <= messages; seq++) {
  const a = action()
  const r = next()
  const msg = {
    From: `wallet${(r >> 8n) % 50n}`,
    Tags: { Action: a, Seq: String(seq), Key: String((r >> 16n) % 1000n) },
    Data: 'x'.repeat(Number(r % 96n))
  }
  try {
    const o = p.send(msg)
    if (o.Error) counts.failed++
    else if (o.Handlers?.some(h => h.name === '_default')) counts.unhandled++
    else counts.handled++
  } catch (e) {
    if (e.code === 'OUT_OF_FUEL') counts.outOfFuel++
    else counts.other++
  }
  if (seq % every === 0) {
    const now = performance.now()
    const c = process.cpuUsage(cpu)
    const s = {
      messages: seq,
      rss: process.memoryUsage().rss,
      cpuRate: every / ((c.user + c.system) / 1e6),
      wallRate: every / ((now - t) / 1000)
    }
    samples.push(s)
    console.log(`${String(seq).padStart(10)} ${(s.rss / 1048576).toFixed(1).padStart(9)} ${s.cpuRate.toFixed(0).padStart(12)} ${s.wallRate.toFixed(0).padStart(12)}`)
    t = now
    cpu = process.cpuUsage()
  }
}
const finalHash = p.stateHash()
const base = p.logBase()
const log = p.history()
const replayed = Process.replay(base === undefined ? { limits: { fuel: FUEL } } : { state: base }, log)
const replayHash = replayed.stateHash()
const k = Math.max(1, Math.floor(samples.length / 10))
const rate = ss => ss.length / ss.reduce((sum, s) => sum + 1 / s.cpuRate, 0)
const mb = b => (b / 1048576).toFixed(1)
const half = samples.filter(s => s.messages >= messages / 2)
console.log(`outcomes: ${JSON.stringify(counts)}`)
console.log(`memory: end ${mb(samples.at(-1).rss)} MB, max ${mb(Math.max(...samples.map(s => s.rss)))} MB, middle ${mb(half[0].rss)} MB`)
console.log(`throughput (cpu): first decile ${rate(samples.slice(0, k)).toFixed(0)} msg/s, last decile ${rate(samples.slice(-k)).toFixed(0)} msg/s`)
console.log(`check: replay of ${log.length} logged messages from ${base === undefined ? 'the spawn' : 'the log base'}: ${finalHash} vs ${replayHash}`)
const ok = finalHash === replayHash && counts.other === 0
console.log(`verdict: ${ok ? 'PASS' : 'FAIL'}`)
process.exit(ok ? 0 : 1)
