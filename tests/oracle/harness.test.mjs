// Tests of the oracle machinery itself (normalization, comparison, and the
// two interchangeable implementations of the CU's error rollback).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { aosAvailable, runAos } from './aos.mjs'
import { compare, normalizeError, normalizeResult, normalizeRun, scrubText } from './normalize.mjs'
import { SCENARIO_DIR, expandScenario, loadScenario } from './scenario.mjs'

test('ANSI colours are scrubbed; every position is kept in free text', () => {
  assert.equal(scrubText('\x1b[32m42\x1b[0m'), '42')
  // aos's own modules' positions are part of what programs see: compared (N5).
  assert.equal(scrubText('[string ".handlers"]:723: [string "aos"]:3: boom'), '[string ".handlers"]:723: [string "aos"]:3: boom')
  assert.equal(scrubText('[string "json"]:261: trailing garbage'), '[string "json"]:261: trailing garbage')
})

test('handler error: logs, action, message and user position are kept; traceback dropped', () => {
  const raw = 'before\n\x1b[31mError\x1b[90m handling message with Action = Boom\x1b[0m\n' +
    '\x1b[32m[string ".handlers"]:723: [string "aos"]:3: kaput\x1b[0m\n\n\x1b[90mstack traceback:\n' +
    '\t[string ".process"]:967: in function \'.process.handle\'\x1b[0m\n\n\x1b[31merror:\n\x1b[0m' +
    '[string ".handlers"]:723: [string "aos"]:3: kaput'
  assert.deepEqual(normalizeError(raw), { message: '[string ".handlers"]:723: kaput', at: 'aos:3', action: 'Boom', logs: ['before'] })
})

test('error without Action, Eval error, compile error, non-string error', () => {
  const noAction = '\x1b[31mError\x1b[90m handling message \x1b[0m\nx\n\n\x1b[31merror:\n\x1b[0m[string "aos"]:1: e'
  assert.deepEqual(normalizeError(noAction), { message: 'e', at: 'aos:1', action: null, logs: [] })
  assert.deepEqual(normalizeError('p1\np2\n\n\x1b[31merror:\n\x1b[0m[string ".handlers"]:723: [string "aos"]:1: evalerr'),
    { message: '[string ".handlers"]:723: evalerr', at: 'aos:1', logs: ['p1', 'p2'] })
  assert.deepEqual(normalizeError('[string "aos"]:1: unexpected symbol near \'=\''),
    { message: 'unexpected symbol near \'=\'', at: 'aos:1', logs: [] })
  assert.deepEqual(normalizeError(2), { value: 2 })
})

test('messages: fixed tag head in order, tail as a sorted set; JSON Data parsed', () => {
  const tags = (...names) => names.map(n => ({ name: n, value: n.toLowerCase() }))
  const a = normalizeResult({
    Output: { data: '', prompt: 'p', print: true },
    Messages: [{ Target: 'T', Anchor: '1', Data: '{"b":1,"a":[1,2]}', Tags: tags('Data-Protocol', 'Variant', 'Type', 'Reference', 'Zed', 'Action') }]
  })
  const b = normalizeResult({
    Output: { data: '', prompt: 'q', print: true },
    Messages: [{ Target: 'T', Anchor: '1', Data: '{"a":[1,2],"b":1}', Tags: tags('Data-Protocol', 'Variant', 'Type', 'Reference', 'Action', 'Zed') }]
  })
  assert.deepEqual(a, b)
  const c = normalizeResult({
    Output: {},
    Messages: [{ Target: 'T', Tags: tags('Variant', 'Data-Protocol', 'Type', 'Reference') }]
  })
  const d = normalizeResult({
    Output: {},
    Messages: [{ Target: 'T', Tags: tags('Data-Protocol', 'Variant', 'Type', 'Reference') }]
  })
  assert.notDeepEqual(c, d, 'the first four tags are ordered')
})

test('printed compact JSON lines are compared with sorted keys, other text exactly', () => {
  const out = s => normalizeResult({ Output: { data: s, print: true } }).output.data
  assert.equal(out('{"b":1,"a":2}'), out('{"a":2,"b":1}'))
  assert.notEqual(out('{ "b": 1 }'), out('{"b":1}'))
  assert.equal(out('{  }'), '{  }')
})

test('compare reports readable differences and honours compare modes', () => {
  const exp = { compare: {}, steps: [{ label: 'm1', output: { data: 'a\nb', kind: 'print' }, messages: [], spawns: [], assignments: [] }], globals: { X: [1, 2] } }
  const act = { steps: [{ label: 'm1', output: { data: 'b\na', kind: 'print' }, messages: [], spawns: [], assignments: [] }], globals: { X: [2, 1] } }
  const diffs = compare(exp, act)
  assert.equal(diffs.length, 3)
  assert.match(diffs[0], /^m1\.output\.data: expected "a\\nb", got "b\\na"$/)
  assert.match(diffs[1], /^globals\.X\[0\]: expected 1, got 2$/)
  assert.deepEqual(compare({ ...exp, compare: { output: 'lines', unordered: ['X'] } }, act), [])
  const errExp = { compare: { steps: { m1: { error: 'presence' } } }, steps: [{ label: 'm1', error: { message: 'x', at: null, logs: [] } }], globals: null }
  const errAct = { steps: [{ label: 'm1', error: { message: 'y', at: 'aos:1', logs: [] } }], globals: null }
  assert.deepEqual(compare(errExp, errAct), [])
  assert.equal(compare({ ...errExp, compare: {} }, errAct).length, 2)
})

test('scenario expansion: placeholders, Process message first, defaults', () => {
  const plan = expandScenario({ name: 't', source: 'x = 1', messages: [{ Action: 'A', From: '$PROCESS', Data: '$OWNER' }] })
  assert.deepEqual(plan.steps.map(s => s.label), ['spawn', 'load', 'm1'])
  assert.equal(plan.steps[0].msg.Id, plan.env.Process.Id)
  assert.equal(plan.steps[2].msg.From, plan.env.Process.Id)
  assert.equal(plan.steps[2].msg.Owner, plan.env.Process.Id)
  assert.equal(plan.steps[2].msg.Data, plan.env.Process.Owner)
  assert.deepEqual(plan.steps[2].msg.Tags, [{ name: 'Action', value: 'A' }])
  assert.throws(() => expandScenario({ name: 't', messages: [{ Acton: 'typo' }] }), /unknown field Acton/)
})

test('replay and copy rollback give identical results', { skip: !aosAvailable() && 'aos wasm not installed' }, async () => {
  const scenario = loadScenario(path.join(SCENARIO_DIR, 'errors_rollback.json'))
  const replay = normalizeRun(await runAos(scenario, { memoryMode: 'replay' }), scenario)
  const copy = normalizeRun(await runAos(scenario, { memoryMode: 'copy' }), scenario)
  assert.deepEqual(compare(replay, copy), [])
  assert.equal(replay.globals.Counter, 3, 'failed steps did not persist')
})
