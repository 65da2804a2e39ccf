// The JS API as a test author drives it: host-level evaluate, an eval that says when its
// Eval message was not handled, aoconnect-shaped messages, plain-text forms, and the data
// views agreeing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Process, stripAnsi } from "../../pkg/node.js";

test("after Owner = \"\", eval throws NOT_HANDLED and keeps nothing; evaluate still runs as the host", () => {
  const p = new Process();
  p.eval("Counter = 1");
  p.eval('Owner = ""');
  const before = p.stateHash();
  assert.throws(() => p.eval("Counter = 2"), (e) => {
    assert.equal(e.code, "NOT_HANDLED");
    assert.match(e.message, /no handler took the Eval message/);
    assert.match(e.message, /Owner, which is ""/);
    assert.match(e.message, /evaluate\(\)/);
    return true;
  });
  assert.equal(p.stateHash(), before, "the unhandled Eval left no trace (not even in the Inbox)");
  const out = p.evaluate("print('set up') Counter = Counter + 41 return Counter");
  assert.deepEqual(out, { output: "set up\n42" });
  assert.equal(p.getGlobal("Counter"), 42);
  assert.throws(() => p.evaluate("Counter = 0 error('nope')"), (e) => e.code === "LUA_ERROR" && /nope/.test(e.message));
  assert.equal(p.getGlobal("Counter"), 42, "a failed evaluate keeps nothing");
  assert.throws(() => p.evaluate("return ("), { code: "SYNTAX_ERROR" });
  // A replay of the history repeats the evaluate.
  const replayed = Process.replay({}, p.history());
  assert.equal(replayed.stateHash(), p.stateHash());
  assert.ok(p.history().some((e) => e.kind === "evaluate"));
});

test("messages in aoconnect's shapes arrive; near misses are refused with a suggestion", () => {
  const p = new Process();
  p.eval(`Handlers.add("t", "T", function(m) Got = m.From .. "|" .. tostring(m.Note) .. "|" .. tostring(m.Data) end)`);
  p.send({ From: "alice", tags: [{ name: "Action", value: "T" }, { Name: "Note", Value: "n" }], data: "body" });
  assert.equal(p.getGlobal("Got"), "alice|n|body");
  const dry = p.dryRun({ process: p.id, tags: [{ name: "Action", value: "T" }], data: "x" });
  assert.equal(dry.Error, undefined);
  for (const [message, says] of [
    [{ Tag: { Action: "T" } }, /did you mean 'Tags'/],
    [{ Form: "alice", Tags: { Action: "T" } }, /did you mean 'From'/],
    [{ Tags: [{ nme: "Action", value: "T" }] }, /did you mean 'name'/],
    [{ Data: "a", data: "b" }, /both 'Data' and 'data'/],
    [{ signer: {} }, /signer/],
  ]) {
    assert.throws(() => p.send(message), (e) => e.code === "BAD_MESSAGE" && says.test(e.message), JSON.stringify(message));
  }
});

test("plain-text forms of Output, Error and eval output (ANSI codes stripped)", () => {
  const p = new Process();
  p.eval(`Handlers.add("boom", "Boom", function() error("kaput") end)`);
  const failed = p.send({ Tags: { Action: "Boom" } });
  assert.match(failed.Error, /\x1b\[/);
  assert.doesNotMatch(failed.errorText, /\x1b/);
  assert.match(failed.errorText, /Error handling message with Action = Boom/);
  const unhandled = p.send({ Tags: { Action: "Nobody" } });
  assert.match(unhandled.Output.data, /\x1b\[/);
  assert.equal(unhandled.outputText, "New Message From aoL...000: Action = Nobody");
  // Not part of the outcome's JSON shape.
  assert.equal(JSON.stringify(unhandled).includes("outputText"), false);
  const ev = p.eval("print(42)"); // aos prints numbers in green
  assert.equal(ev.output, "\x1b[32m42\x1b[0m");
  assert.equal(ev.text, "42");
  assert.equal(stripAnsi(ev.output), "42");
});

test("getGlobal and view agree on empty tables", () => {
  const p = new Process();
  p.eval("Empty = {} Holder = { list = {}, n = 1 }");
  const view = p.view(["Empty", "Holder"]);
  assert.deepEqual(view.Empty, p.getGlobal("Empty"));
  assert.deepEqual(view.Holder, p.getGlobal("Holder"));
  assert.deepEqual(view.Empty, []);
});
