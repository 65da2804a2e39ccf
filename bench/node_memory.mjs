// Resident memory of one process in Node over many messages (issue 14's 1 000 000-message
// goal): a one-line handler, `send` per message, `process.memoryUsage()` every 100 000
// messages (RSS, V8's JS heap total and in use, the wasm memory as `external`), then the peak.
// A benchmark that prints numbers, not a test.
// Usage: node bench/node_memory.mjs [MESSAGES] [--pkg DIR]   (after scripts/build-pkg.sh)
import path from 'node:path'
import { pathToFileURL } from 'node:url'

const args = process.argv.slice(2)
const at = args.indexOf('--pkg')
const pkg = path.resolve(at >= 0 ? args[at + 1] : new URL('../pkg', import.meta.url).pathname)
const total = Number(args.find((a, i) => /^\d+$/.test(a) && args[i - 1] !== '--pkg') ?? 1000000)
const { Process } = await import(pathToFileURL(path.join(pkg, 'node.js')).href)

const mb = (bytes) => (bytes / 1e6).toFixed(1)
const p = new Process()
p.eval('Handlers.add("ping", "Ping", function(msg) Count = (Count or 0) + 1 end)')
let peak = 0
const report = (label) => {
  const m = process.memoryUsage()
  peak = Math.max(peak, m.rss)
  console.log(`${label}: rss ${mb(m.rss)} MB, JS heap ${mb(m.heapUsed)} of ${mb(m.heapTotal)} MB, wasm and buffers ${mb(m.external)} MB`)
}
report('booted')
for (let i = 1; i <= total; i++) {
  p.send({ Action: 'Ping', Data: 'x' + i })
  if (i % 100000 === 0) report(`${i} messages`)
}
console.log(`peak rss ${mb(peak)} MB`)
