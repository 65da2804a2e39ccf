// aolite against a recording of real aos, with the known differences of aolite-known.json:
// shared by the Node oracle (oracle.test.mjs) and the Chromium one (tests/browser/).
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { compare } from './normalize.mjs'
import { EXPECTED_DIR } from './scenario.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
export const KNOWN = JSON.parse(fs.readFileSync(path.join(here, 'aolite-known.json'), 'utf8'))

export function readExpected (name) {
  const file = path.join(EXPECTED_DIR, `${name}.json`)
  if (!fs.existsSync(file)) return null
  return JSON.parse(fs.readFileSync(file, 'utf8'))
}

export function report (diffs) {
  return `${diffs.length} difference(s):\n  ` + diffs.join('\n  ')
}

// Applies a known-difference entry's rewrites: [regex, replacement, paths] replaces in the
// strings at each path ("m3.error.message": step label, then keys; "globals.X" for globals).
export function rewriteStrings (value, rules) {
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

/** Asserts that aolite's normalized run `actual` matches the recording `expected` of
 * scenario `name` up to its known differences, and that none of those is stale. */
export function assertMatchesAos (name, expected, actual) {
  const known = KNOWN[name] ?? {}
  const rules = known.rewrite ?? []
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
}
