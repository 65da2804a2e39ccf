// Normalization: turns an aos `handle` result into the comparable form stored
// in tests/oracle/expected/*.json, and compares two such forms.
//
// Every normalization below exists for a documented reason (README.md,
// "Normalization rules"); each is tagged [N1]..[N9] here and there. Nothing
// else is dropped or rewritten: all remaining fields are compared exactly.

// [N1] ANSI colour codes: aos colours print() output (numbers, booleans, nil,
// table keys, prompts, error banners). Colours are presentation, not state.
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g
export function stripAnsi (s) {
  return typeof s === 'string' ? s.replace(ANSI, '') : s
}

// [N5] Lua chunk positions are compared, those of aos's own modules included
// (`[string ".handlers"]:723: ` in front of every handler error, `.utils`'s
// asserts, `[string "json"]:261: `): programs see them through `pcall` and in
// every failed outcome, and aolite gives aos's line numbers for them. Only the
// position of the user's code (chunk "aos", the Eval'd scenario source) is
// moved, in an error, to `at` ("aos:3"), so a scenario can relax it with
// `compare.error: "no-position"`.
const POSITION = /\[string "([^"]*)"\]:(\d+): /g
function splitPositions (text) {
  const at = []
  const message = text.replace(POSITION, (m, chunk, line) => {
    if (chunk !== 'aos') return m
    at.push(`aos:${line}`)
    return ''
  })
  return { message, at: at.length ? at[at.length - 1] : null }
}

/** [N1] for free text: colours removed; positions stay (N5). */
export function scrubText (s) {
  if (typeof s !== 'string') return s
  return stripAnsi(s)
}

function scrubDeep (v) {
  if (typeof v === 'string') return scrubText(v)
  if (Array.isArray(v)) return v.map(scrubDeep)
  if (v && typeof v === 'object') {
    const out = {}
    for (const k of Object.keys(v)) out[k] = scrubDeep(v[k])
    return out
  }
  return v
}

// [N6] Error results. A handler error (non-Eval message) returns
//   <print logs>\nError handling message with Action = X\n<err>\n\n<traceback>\n\nerror:\n<err>
// The traceback lists aos-internal frames (unstable); the rest is kept:
// the lines printed before the failure, the Action named in the banner, the
// error message and its user-code position. An Eval runtime error returns
// `<logs>\n\nerror:\n<err>`; an Eval compile error returns just `<err>`;
// an Eval whose chunk returns a second value returns that value as Error.
export function normalizeError (error) {
  if (typeof error !== 'string') return { value: canonical(error) }
  const text = stripAnsi(error)
  const marker = text.lastIndexOf('\n\nerror:\n')
  let head = ''
  let errText = text
  if (marker >= 0) {
    head = text.slice(0, marker)
    errText = text.slice(marker + '\n\nerror:\n'.length)
  }
  const out = { ...splitPositions(errText) }
  let logs = head
  // The banner line is "Error handling message with Action = X", or
  // "Error handling message " (trailing space) when the message has no Action.
  const banner = /(?:^|\n)Error handling message(?: with Action = (.*?))? *\n/.exec(head)
  if (banner) {
    logs = head.slice(0, banner.index)
    out.action = banner[1] === undefined ? null : banner[1]
  }
  out.logs = logs === '' ? [] : logs.split('\n').map(scrubText)
  return out
}

// [N7] Data: JSON documents (object/array) are compared with object members
// sorted by key, because aos's json.encode emits them in Lua's `pairs` order
// (hash order, differs between Lua VMs). Nothing else is normalized: every
// token (number formats such as 1e+15 or 1.0, string escapes) is kept as
// written, and a document with whitespace between tokens, which json.encode
// never writes, is compared as exact text, like any other Data.
export function normalizeData (data) {
  if (typeof data === 'string') {
    const t = data.trimStart()
    if (t.startsWith('{') || t.startsWith('[')) {
      const sorted = sortedJsonText(data)
      if (sorted !== null) return { json: sorted }
    }
    return scrubText(data)
  }
  return canonical(scrubDeep(data))
}

// Re-emits compact JSON text with object members sorted by their key token,
// every token as written; null when the text is not compact JSON.
export function sortedJsonText (text) {
  let i = 0
  const token = re => {
    re.lastIndex = i
    const m = re.exec(text)
    if (!m) throw new Error('bad token')
    i = re.lastIndex
    return m[0]
  }
  const STRING = /"(?:[^"\\\u0000-\u001f]|\\.)*"/y
  const SCALAR = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y
  function value () {
    const c = text[i]
    if (c === '{') {
      i++
      const members = []
      if (text[i] === '}') { i++; return '{}' }
      for (;;) {
        const key = token(STRING)
        if (text[i++] !== ':') throw new Error('expected :')
        members.push([key, value()])
        const sep = text[i++]
        if (sep === '}') break
        if (sep !== ',') throw new Error('expected ,')
      }
      members.sort((a, b) => cmp(a[0], b[0]))
      return '{' + members.map(([k, v]) => k + ':' + v).join(',') + '}'
    }
    if (c === '[') {
      i++
      const items = []
      if (text[i] === ']') { i++; return '[]' }
      for (;;) {
        items.push(value())
        const sep = text[i++]
        if (sep === ']') break
        if (sep !== ',') throw new Error('expected ,')
      }
      return '[' + items.join(',') + ']'
    }
    if (c !== '"') return token(SCALAR)
    // [N1] inside strings: colours, as in any text
    const raw = token(STRING)
    const decoded = JSON.parse(raw)
    const scrubbed = scrubText(decoded)
    return scrubbed === decoded ? raw : JSON.stringify(scrubbed)
  }
  try {
    const out = value()
    return i === text.length ? out : null
  } catch { return null }
}

// [N4] Tags: ao.send builds the tag list as 4 fixed tags (Data-Protocol,
// Variant, Type, Reference; ao.spawn: 7, adding From-Process, From-Module,
// Module) followed by the message fields in `pairs` order (hash order). The
// fixed head is compared in order, the tail as a sorted multiset.
function normalizeTags (tags, headLen) {
  if (!Array.isArray(tags)) return canonical(tags)
  // A tag without a value (aos's json skips a function value) stays a 1-item pair, so it
  // is not confused with any value.
  const pair = t => t?.value === undefined ? [t?.name] : [t?.name, canonical(scrubDeep(t.value))]
  const head = tags.slice(0, headLen).map(pair)
  const tail = tags.slice(headLen).map(pair)
  tail.sort((a, b) => cmp(JSON.stringify(a), JSON.stringify(b)))
  return [...head, ...tail]
}

function normalizeOutgoing (m, headLen) {
  // [N3] Fields are {Target, Anchor, Data, Tags}: all ao.send puts in the
  // outbox. Anchor is the 32-digit zero-padded reference counter. A field aos
  // leaves out (no Data) stays out: missing and null are different outcomes.
  const out = {}
  if (m.Target !== undefined) out.Target = m.Target
  if (m.Anchor !== undefined) out.Anchor = m.Anchor
  if (m.Data !== undefined) out.Data = normalizeData(m.Data)
  out.Tags = normalizeTags(m.Tags, headLen)
  for (const k of Object.keys(m)) {
    if (!['Target', 'Anchor', 'Data', 'Tags'].includes(k)) out[k] = canonical(m[k])
  }
  return out
}

// [N2] Output: the prompt is dropped (it embeds the aos version string and
// colours; the Inbox size it shows is observable through globals instead).
// `test` (Eval only) is a Dump() of the same print lines as `data`, so only
// its presence is kept, as kind 'eval'. print=true gives kind 'print'.
// [N2b] A printed line that is compact JSON text containing objects (as
// print(json.encode(t)) produces) gets its object members sorted by key, for
// the reason given in [N7], every token kept as written (sortedJsonText), so
// spacing and number formatting stay compared exactly.
function canonicalJsonLines (text) {
  return text.split('\n').map(line => {
    if (!/^[[{].*[\]}]$/.test(line) || !line.includes('{')) return line
    return sortedJsonText(line) ?? line
  }).join('\n')
}

export function normalizeOutput (o) {
  if (o === undefined || o === null) return null
  if (typeof o !== 'object' || Array.isArray(o)) return { value: canonical(o) }
  const out = {}
  if (o.data !== undefined) out.data = typeof o.data === 'string' ? canonicalJsonLines(scrubText(o.data)) : canonical(scrubDeep(o.data))
  out.kind = o.test !== undefined ? 'eval' : (o.print ? 'print' : 'other')
  for (const k of Object.keys(o)) {
    if (!['data', 'prompt', 'test', 'print'].includes(k)) out[k] = canonical(o[k])
  }
  return out
}

/** Normalizes one raw step result (ao-loader result, or {Thrown}). */
export function normalizeResult (raw) {
  // [N8] handle() itself failed (loader ok=false): the text is what the Lua
  // `handle` wrapper caught, reduced like an error message.
  if (raw.Thrown !== undefined) {
    return { error: { thrown: true, ...splitPositions(stripAnsi(String(raw.Thrown))) } }
  }
  if (raw.Error !== undefined && raw.Error !== null) {
    // ao.result returns only {Error}: nothing else is produced by the step.
    return { error: normalizeError(raw.Error) }
  }
  return {
    output: normalizeOutput(raw.Output),
    messages: (raw.Messages ?? []).map(m => normalizeOutgoing(m, 4)),
    spawns: (raw.Spawns ?? []).map(m => normalizeOutgoing(m, 7)),
    assignments: (raw.Assignments ?? []).map(a => canonical(a))
  }
  // [N9] GasUsed is 0 for this (unmetered) module format; Memory is the wasm
  // heap; Patches is always empty for aos 2.0.6. None is compared.
}

/** Normalizes a whole run (see aos.mjs runAos) into the expected-file form. */
export function normalizeRun (run, scenario = {}) {
  return {
    name: run.name,
    compare: scenario.compare ?? {},
    steps: run.steps.map(s => ({ label: s.label, ...normalizeResult(s.result) })),
    globals: run.globals === null ? null : canonical(scrubDeep(run.globals))
  }
}

/** Deep copy with object keys sorted (JSON-compatible values only). */
export function canonical (v) {
  if (Array.isArray(v)) return v.map(canonical)
  if (v && typeof v === 'object') {
    const out = {}
    for (const k of Object.keys(v).sort(cmp)) out[k] = canonical(v[k])
    return out
  }
  return v === undefined ? null : v
}

function cmp (a, b) { return a < b ? -1 : a > b ? 1 : 0 }

// ---------------------------------------------------------------------------
// Comparison

const MAX_DIFFS_PER_STEP = 8

function show (v) {
  const s = JSON.stringify(v)
  return s === undefined ? 'undefined' : (s.length > 160 ? s.slice(0, 157) + '...' : s)
}

function deepDiff (path, a, b, out) {
  if (out.length >= MAX_DIFFS_PER_STEP) return
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) {
      // Index-by-index diffs after an insertion are noise: name what is
      // missing and what is extra instead (multiset difference).
      const count = new Map()
      for (const x of a) count.set(JSON.stringify(x), (count.get(JSON.stringify(x)) ?? 0) + 1)
      const extra = []
      for (const x of b) {
        const k = JSON.stringify(x)
        if (count.get(k)) count.set(k, count.get(k) - 1)
        else extra.push(x)
      }
      const missing = [...count].flatMap(([k, n]) => Array(n).fill(JSON.parse(k)))
      out.push(`${path}: expected ${a.length} items, got ${b.length}` +
        (missing.length ? `; missing ${show(missing)}` : '') + (extra.length ? `; unexpected ${show(extra)}` : ''))
      return
    }
    for (let i = 0; i < a.length; i++) deepDiff(`${path}[${i}]`, a[i], b[i], out)
    return
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (!(k in b)) out.push(`${path}.${k}: missing (expected ${show(a[k])})`)
      else if (!(k in a)) out.push(`${path}.${k}: unexpected ${show(b[k])}`)
      else deepDiff(`${path}.${k}`, a[k], b[k], out)
    }
    return
  }
  if (!Object.is(a, b)) out.push(`${path}: expected ${show(a)}, got ${show(b)}`)
}

// Sorts every array inside v (deep) by its JSON text: multiset comparison.
function unordered (v) {
  if (Array.isArray(v)) return v.map(unordered).sort((x, y) => cmp(JSON.stringify(x), JSON.stringify(y)))
  if (v && typeof v === 'object') {
    const out = {}
    for (const k of Object.keys(v)) out[k] = unordered(v[k])
    return out
  }
  return v
}

function sortedLines (s) { return typeof s === 'string' ? s.split('\n').sort(cmp) : s }

// Applies a step's compare modes to a normalized step (copy).
function applyModes (step, modes) {
  const s = structuredClone(step)
  delete s.label
  if (s.output) {
    if (modes.output === 'ignore') delete s.output
    else if (modes.output === 'lines') s.output.data = sortedLines(s.output.data)
  }
  if (s.error) {
    if (modes.error === 'presence') s.error = true
    else if (modes.error === 'message') s.error = { message: s.error.message ?? s.error.value }
    else if (modes.error === 'no-position') delete s.error.at
  }
  if (modes.data === 'ignore') {
    for (const m of [...(s.messages ?? []), ...(s.spawns ?? [])]) delete m.Data
  }
  return s
}

function modesFor (compare, label) {
  const base = { output: compare.output, error: compare.error, data: compare.data }
  return { ...base, ...(compare.steps?.[label] ?? {}) }
}

/**
 * Compares an expected (recorded, normalized) run with an actual one.
 * Compare modes come from the expected file's `compare` (the scenario's).
 * @returns {string[]} readable differences; empty when they agree
 */
export function compare (expected, actual) {
  const diffs = []
  const compareCfg = expected.compare ?? {}
  const es = expected.steps ?? []
  const as = actual.steps ?? []
  if (es.length !== as.length) diffs.push(`steps: expected ${es.length}, got ${as.length}`)
  for (let i = 0; i < Math.min(es.length, as.length); i++) {
    const label = es[i].label
    if (as[i].label !== label) diffs.push(`step ${i}: expected label ${label}, got ${as[i].label}`)
    const modes = modesFor(compareCfg, label)
    const out = []
    deepDiff(label, applyModes(es[i], modes), applyModes(as[i], modes), out)
    diffs.push(...out)
  }
  if (compareCfg.globals !== 'ignore') {
    let eg = expected.globals
    let ag = actual.globals
    const sets = new Set(compareCfg.unordered ?? [])
    if (eg && ag && sets.size) {
      eg = { ...eg }; ag = { ...ag }
      for (const k of sets) { eg[k] = unordered(eg[k]); ag[k] = unordered(ag[k]) }
    }
    const out = []
    deepDiff('globals', eg, ag, out)
    diffs.push(...out)
  }
  return diffs
}
