// The state engine from JS: export/import, hashes, checkpoints and rollback, fork, diffs,
// the message log and replay, stats, the data view and inspect; with the error codes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Process } from "../../pkg/node.js";
import { read } from "./helpers.mjs";

const messages = JSON.parse(read("examples/token.messages.json"));

function token(options = {}) {
  const p = new Process(options);
  p.eval(read("examples/token.lua"));
  return p;
}

function codeOf(fn) {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof Error, "thrown value is an Error");
    return e.code;
  }
  assert.fail("did not throw");
}

test("export, import and export again give the same bytes and hash", () => {
  const p = token();
  for (const m of messages) p.send(m);
  const doc = p.exportState();
  const parsed = JSON.parse(doc);
  assert.equal(parsed.format, "aolite-state/1");
  const q = Process.importState(doc);
  assert.equal(q.exportState(), doc);
  assert.equal(q.stateHash(), p.stateHash());
  assert.match(p.stateHash(), /^[0-9a-f]{64}$/);
  const probe = { Tags: { Action: "Balances" } };
  assert.deepEqual(q.send(probe), p.send(probe));
});

test("a broken document is refused with BAD_STATE and nothing is built", () => {
  const doc = token().exportState();
  for (const bad of ["", "{", "[]", doc.slice(0, doc.length / 2), doc.replace('"aolite-state/1"', '"aolite-state/9"')]) {
    assert.equal(codeOf(() => Process.importState(bad)), "BAD_STATE");
  }
});

test("rollback returns to each checkpoint's exact state; later checkpoints go away", () => {
  const p = token();
  const marks = [];
  for (const m of messages) {
    marks.push([p.checkpoint(`before ${marks.length}`), p.exportState()]);
    p.send(m);
  }
  assert.equal(p.checkpoints().length, messages.length);
  assert.equal(p.checkpoints()[0].name, "before 0");
  for (const [id, doc] of marks.slice().reverse()) {
    p.rollback(id);
    assert.equal(p.exportState(), doc);
  }
  assert.equal(p.checkpoints().length, 1);
  assert.equal(codeOf(() => p.rollback(marks[1][0])), "BAD_CHECKPOINT");
  p.dropCheckpoint(marks[0][0]);
  assert.deepEqual(p.checkpoints(), []);
});

test("fork gives an independent process", () => {
  const p = token();
  const f = p.fork();
  assert.equal(f.stateHash(), p.stateHash());
  f.send(messages[2]);
  assert.notEqual(f.stateHash(), p.stateHash());
});

test("with diff on, outcomes say what changed", () => {
  const p = token({ diff: true });
  const out = p.send(messages[2]);
  const alice = out.Diff.find((c) => c.path.startsWith("Balances.ALICE"));
  assert.deepEqual(alice, { path: "Balances.ALICE_wallet_address_0000000000000000000000", new: "250" });
  p.setDiff(false);
  assert.equal(p.send(messages[2]).Diff, undefined);
});

test("the message log replays to the same state; a tampered log is caught", () => {
  const p = token();
  for (const m of messages) p.send(m);
  const log = p.history();
  assert.equal(log.length, messages.length + 1);
  assert.equal(log[0].kind, "send");
  assert.match(log[1].outcomeHash, /^[0-9a-f]{64}$/);
  const q = Process.replay({}, log);
  assert.equal(q.stateHash(), p.stateHash());
  const bad = structuredClone(log);
  bad[3].message.Tags = [{ name: "Action", value: "Nope" }];
  assert.equal(codeOf(() => Process.replay({}, bad)), "REPLAY_MISMATCH");
  const start = token();
  const doc = start.exportState();
  for (const m of messages) start.send(m);
  const r = Process.replay({ state: doc }, start.history().slice(1));
  assert.equal(r.stateHash(), start.stateHash());
});

test("stats, view and inspect read the state without changing it", () => {
  const p = token();
  for (const m of messages) p.send(m);
  p.eval("Big = {}; for i = 1, 300 do Big['k' .. i] = i end");
  const hash = p.stateHash();
  const stats = p.stats();
  const big = stats.globals.find((g) => g.name === "Big");
  assert.equal(big.user, true);
  assert.equal(big.entries, 301);
  assert.ok(stats.bytes > big.bytes && stats.heapBytes > 0);
  const view = p.view();
  assert.equal(view.Big.k300, 300);
  assert.equal(view.Handlers, undefined);
  assert.deepEqual(Object.keys(p.view(["Name"])), ["Name"]);
  const page = p.inspect(["Big"], { offset: 0, limit: 10, search: "k29" });
  assert.equal(page.count, 11);
  assert.deepEqual(page.entries.map((e) => e.key).slice(0, 2), ["k29", "k290"]);
  assert.equal(page.entries[0].type, "number");
  const root = p.inspect([]);
  assert.ok(root.entries.some((e) => e.key === "Balances" && e.count > 0));
  assert.equal(p.stateHash(), hash);
  assert.equal(codeOf(() => p.inspect(["Big", "k1", "x"])), "BAD_OPTIONS");
});

test("inspect at a checkpoint shows the state as it was then", () => {
  const p = token();
  const cp = p.checkpoint();
  p.send(messages[2]);
  const now = p.inspect(["Balances"]);
  const then = p.inspect(["Balances"], { at: cp });
  assert.equal(now.count, then.count + 1);
  assert.deepEqual(p.inspect(["Balances"]), now);
});

test("outcomes carry non-enumerable reading helpers", () => {
  const p = token();
  const out = p.send(messages[2]);
  const notice = out.find({ Action: "Debit-Notice" });
  assert.equal(notice.tags.Quantity, "250");
  assert.equal(out.filter({ Target: notice.Target }).length, 1);
  assert.ok(!Object.keys(out).includes("find"));
  assert.deepEqual(JSON.parse(JSON.stringify(out)).Messages[0].tags, undefined);
});

test("processes made by importState, replay and fork are instances of Process", () => {
  const p = token();
  assert.ok(Process.importState(p.exportState()) instanceof Process);
  assert.ok(p.fork() instanceof Process);
  assert.ok(Process.replay({}, p.history()) instanceof Process);
});

test("export, hash, stats and fork at a checkpoint read the past without leaving the present", () => {
  const p = token();
  const cp = p.checkpoint();
  const then = p.exportState();
  const thenStats = p.stats();
  p.send(messages[2]);
  const now = p.exportState();
  assert.equal(p.exportState(cp), then);
  assert.equal(p.stateHash(cp), Process.importState(then).stateHash());
  assert.deepEqual(p.stats(cp).globals.map((g) => g.name), thenStats.globals.map((g) => g.name));
  assert.equal(p.fork(cp).exportState(), then);
  assert.equal(p.exportState(), now);
  assert.equal(codeOf(() => p.exportState(999)), "BAD_CHECKPOINT");
});

test("evalOutcome returns Eval's whole outcome, with its Diff", () => {
  const p = token({ diff: true });
  const ok = p.evalOutcome("Balances.x = '1'; print('set')");
  assert.equal(ok.Error, undefined);
  assert.match(ok.Output.data, /set/);
  assert.deepEqual(ok.Diff, [{ path: "Balances.x", new: "1" }]);
  const bad = p.evalOutcome("error('nope')");
  assert.match(bad.Error, /nope/);
  assert.deepEqual(bad.Diff, []);
  assert.equal(codeOf(() => p.evalOutcome("x = = 1")), "SYNTAX_ERROR");
});
