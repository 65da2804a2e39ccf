// The JS API of the package, used from Node exactly as users import it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Process, runLua } from "../../pkg/node.js";
import { read } from "./helpers.mjs";

test("runLua gives the same output as native and Chromium (golden files)", () => {
  const det = runLua(read("tests/data/determinism.lua"), "tests/data/determinism.lua");
  assert.equal(det.error, undefined);
  assert.equal(det.stdout, read("tests/data/determinism.out"));
  const portable = runLua(read("tests/data/portable.lua"), "tests/data/portable.lua");
  assert.equal(portable.error, undefined);
  assert.equal(portable.stdout, read("tests/data/portable.out"));
});

test("runLua reports Lua errors with a code", () => {
  const out = runLua("print('before') error('boom')", "x");
  assert.equal(out.stdout, "before\n");
  assert.match(out.error, /boom/);
  assert.equal(out.code, "LUA_ERROR");
});

test("a process evaluates code and answers messages", () => {
  const p = new Process({ id: "P".repeat(43), owner: "O".repeat(43) });
  assert.equal(p.id, "P".repeat(43));
  assert.equal(p.owner, "O".repeat(43));
  const ev = p.eval(read("examples/ping.lua"));
  assert.equal(ev.output, "");
  const out = p.send({ From: "alice", Tags: { Action: "Ping" } });
  assert.equal(out.Error, undefined);
  assert.equal(out.Output.data, "ping number 1 from alice");
  assert.equal(out.Messages.length, 1);
  assert.equal(out.Messages[0].Target, "alice");
  assert.equal(out.Messages[0].Data, "pong");
  assert.deepEqual(out.Messages[0].Tags.find((t) => t.name === "Count"), { name: "Count", value: "1" });
  assert.ok(out.GasUsed > 0);
  assert.equal(p.getGlobal("Count"), 1);
});

test("eval returns printed text and the value, as aos's Eval shows them", () => {
  const p = new Process();
  assert.deepEqual(p.eval("print('x') return 1 + 1"), { output: "x\n2" });
  // A table result is shown the way aos's print shows tables.
  assert.match(p.eval("return { a = 1 }").output, /a.*=.*1/);
  // As in aos, a second returned value is the error.
  assert.throws(() => p.eval("return 1, 'two'"), (e) => e.code === "LUA_ERROR" && e.message === "two");
});

test("errors thrown to JS are Error instances with stable codes", () => {
  const p = new Process({ limits: { fuel: 1_000_000 } });
  const cases = [
    [() => p.eval("while true do end"), "OUT_OF_FUEL"],
    [() => p.eval("x = = 1"), "SYNTAX_ERROR"],
    [() => p.eval("error('boom')"), "LUA_ERROR"],
    [() => p.send("not an object"), "BAD_MESSAGE"],
    [() => p.send({ Tags: [{ name: "Action", value: 5 }] }), "BAD_MESSAGE"],
    [() => p.eval(`return ${Array(5000).fill("x").join(" + ")}`), "SOURCE_REJECTED"],
    [() => new Process({ limits: "lots" }), "BAD_OPTIONS"],
    [() => new Process({ limits: { memory: 4 << 20 } }).eval("local t = {} for i = 1, 1e8 do t[i] = {i} end"), "OUT_OF_MEMORY"],
  ];
  for (const [fn, code] of cases) {
    assert.throws(fn, (e) => e instanceof Error && e.code === code && e.message.length > 0, code);
  }
  // The process is still usable after every failure.
  assert.equal(p.eval("return 6 * 7").output, "42");
});

test("a runaway handler stops, and the process keeps answering", () => {
  const p = new Process({ limits: { fuel: 2_000_000 } });
  p.eval(`Handlers.add("spin", "Spin", function() while true do end end)
          Handlers.add("ok", "Ok", function(m) m.reply({ Data = "fine" }) end)`);
  assert.throws(() => p.send({ Tags: { Action: "Spin" } }), (e) => e.code === "OUT_OF_FUEL");
  assert.equal(p.send({ Tags: { Action: "Ok" } }).Messages[0].Data, "fine");
});

test("an out-of-fuel error names the line its loop was running, when a helper call shows it", () => {
  const p = new Process({ limits: { fuel: 2_000_000 } });
  p.eval(`Count = 0
Handlers.add("count", "Count", function()
  while true do
    Count = Count + 1
  end
end)`);
  assert.throws(
    () => p.send({ Tags: { Action: "Count" } }),
    (e) =>
      e.code === "OUT_OF_FUEL" &&
      e.chunk === '[string "aos"]' &&
      e.line === 4 &&
      e.message.startsWith('out of fuel at [string "aos"]:4: the computation used more than its limit of 2000000'),
  );
  // Nothing of the failed message, nor of the run that found the line, is kept.
  assert.equal(p.eval("return Count").output, "0");
  // A loop calling nothing is found by a diagnostic re-run.
  assert.throws(
    () => p.eval("local n = 0\nwhile true do end"),
    (e) =>
      e.code === "OUT_OF_FUEL" &&
      e.line === 2 &&
      e.message.startsWith('out of fuel at [string "aos"]:2: '),
  );
});

test("dryRun answers from the current state and keeps nothing", () => {
  const p = new Process();
  p.eval(`Balances = { alice = 10 }
          Handlers.add("balance", "Balance", function(m) m.reply({ Data = tostring(Balances[m.Who]) }) end)
          Handlers.add("burn", "Burn", function(m) Balances.alice = 0; m.reply({ Data = "burnt" }) end)`);
  const inbox = p.eval("return #Inbox").output;
  assert.equal(p.dryRun({ Tags: { Action: "Balance", Who: "alice" } }).Messages[0].Data, "10");
  assert.equal(p.dryRun({ Tags: { Action: "Unknown" } }).Error, undefined);
  assert.equal(p.dryRun({ Tags: { Action: "Burn" } }).Messages[0].Data, "burnt");
  assert.deepEqual(p.getGlobal("Balances"), { alice: 10 });
  assert.equal(p.eval("return #Inbox").output, inbox);
});

test("handle passes a compute unit's message and env through unchanged", () => {
  const env = {
    Process: { Id: "P1", Owner: "O1", Tags: [{ name: "Name", value: "raw" }] },
    Module: { Id: "M1", Owner: "O1", Tags: [] },
  };
  const p = new Process({ id: "P1", owner: "O1", spawn: false });
  const spawned = p.handle({ Id: "P1", Owner: "O1", From: "O1", Target: "P1", Module: "M1", Tags: [{ name: "Type", value: "Process" }], Timestamp: 1700000000000, "Block-Height": 5 }, env);
  assert.equal(spawned.Error, undefined);
  const out = p.handle({
    Id: "m1", Owner: "O1", From: "O1", Target: "P1", Module: "M1", Timestamp: 1700000000001, "Block-Height": 6,
    Tags: [{ name: "Action", value: "Eval" }], Data: "return ao.id .. ' ' .. Name .. ' ' .. os.time()",
  }, env);
  assert.equal(out.Error, undefined);
  assert.match(out.Output.data, /^P1 raw 1700000000/);
  assert.equal(p.history().at(-1).kind, "handle");
  assert.equal(p.history().at(-1).env.Process.Id, "P1");
});

test("the clock moves by clockStep for each message without a Timestamp", () => {
  const p = new Process({ timestamp: 1_000_000, clockStep: 1000 });
  assert.equal(p.clock, 1_000_000);
  p.evaluate(`Seen = {} Handlers.add("t", "T", function(msg) table.insert(Seen, msg.Timestamp .. "/" .. os.time()) end)`);
  // (In a process, aos's os.time() is the message's Timestamp in ms.)
  p.send({ Tags: { Action: "T" } });
  p.send({ Tags: { Action: "T" }, Timestamp: 7_000_000 });
  p.dryRun({ Tags: { Action: "T" } });
  p.send({ Tags: { Action: "T" } });
  assert.equal(p.clock, 7_001_000);
  assert.deepEqual(p.getGlobal("Seen"), ["1001000/1001000", "7000000/7000000", "7001000/7001000"]);
  const doc = JSON.parse(p.exportState());
  assert.equal(doc.process.clockStep, 1000);
  // The default step is one millisecond; 0 keeps the clock still.
  const q = new Process({});
  const start = q.clock;
  q.send({ Tags: { Action: "X" } });
  assert.equal(q.clock, start + 1);
  const still = new Process({ clockStep: 0 });
  still.send({ Tags: { Action: "X" } });
  assert.equal(still.clock, start);
  assert.throws(() => new Process({ clockStep: -1 }), (e) => e.code === "BAD_OPTIONS");
});

test("sendLine gives the outcome as the JSON line send's outcome stringifies to", () => {
  const make = () => {
    const p = new Process({ id: "P".repeat(43), owner: "O".repeat(43) });
    p.eval(read("examples/token.lua"));
    p.eval('Handlers.add("fail", "Fail", function() error("planned") end)');
    return p;
  };
  const [objects, lines] = [make(), make()];
  const messages = [
    { From: "O".repeat(43), Tags: { Action: "Transfer", Recipient: "bob", Quantity: "30" } },
    { From: "bob", Tags: [{ name: "Action", value: "Balance" }], Data: "é \u0001 \"q\"" },
    { From: "bob", Tags: { Action: "Fail" } },
    { From: "carol", Tags: { Action: "Unknown" }, Timestamp: 1700000000000 },
  ];
  for (const m of messages) {
    const expected = JSON.stringify(objects.send(m));
    const [line, failed] = lines.sendLine(JSON.stringify(m));
    assert.equal(line, expected);
    assert.equal(failed, JSON.parse(expected).Error !== undefined);
  }
  assert.equal(lines.stateHash(), objects.stateHash());
  assert.equal(lines.sendLine(JSON.stringify(messages[2]))[1], true);
  assert.throws(() => lines.sendLine("{ not json"), (e) => e instanceof Error && e.code === "BAD_MESSAGE");
});

test("an Eval returning a second value that is not a string fails with that value, as aos reports it", () => {
  const p = new Process({ id: "P".repeat(43), owner: "O".repeat(43) });
  const eval_ = (Data) => p.send({ From: "O".repeat(43), Tags: { Action: "Eval" }, Data });
  const number = eval_("return 1, 3.5");
  assert.equal(number.Error, 3.5);
  assert.equal(number.errorText, "3.5");
  const table = eval_("return 1, { a = 1, b = { 2, 3 } }");
  assert.deepEqual(table.Error, { a: 1, b: [2, 3] });
  assert.equal(table.errorText, '{"a":1,"b":[2,3]}');
  assert.equal(table.ErrorInfo.message, '{"a":1,"b":[2,3]}');
  const text = eval_("return 1, 'plain'");
  assert.equal(text.Error, "plain");
  assert.equal(text.errorText, "plain");
});

// `send`, `dryRun` and `handle` pass a plain message to the engine as JSON text when that
// text reads exactly as the value would (guard.js, plain_copy.js), and through the value
// conversion otherwise. Both doors must give the same outcomes and state. An extra
// argument keeps a call on the conversion (the text door takes exactly the declared ones).
test("messages sent as JSON text and as values give identical outcomes and state", () => {
  const source = `
Seen = {}
Handlers.add("probe", "Probe", function(msg)
  local kinds = {}
  for _, name in ipairs({ "N", "F", "S", "B" }) do
    local v = msg[name]
    kinds[#kinds + 1] = name .. "=" .. type(v) .. ":" .. tostring(v) .. ":" .. tostring(math.type(v))
  end
  Seen[#Seen + 1] = table.concat(kinds, " ") .. " data=" .. type(msg.Data) .. ":" .. tostring(msg.Data)
  msg.reply({ Data = Seen[#Seen], Count = tostring(#Seen) })
end)`;
  const messages = [
    { From: "alice", Tags: { Action: "Probe" }, N: 7, F: 2.5, S: "x\u00e9\u{1F600}", B: true },
    { From: "alice", Tags: { Action: "Probe" }, N: -0, F: 1e-7, S: "", B: false, Data: "plain" },
    { From: "alice", Tags: [{ name: "Action", value: "Probe" }, { name: "Extra", value: "1" }], N: 9007199254740991 },
    { From: "alice", Tags: { Action: "Probe" }, Data: { nested: [1, 2.5, { deep: [null, true] }] } },
    // Not exact in JSON: the conversion takes these either way.
    { From: "alice", Tags: { Action: "Probe" }, N: 2 ** 60, S: "\ud800", F: undefined },
    { From: "alice", Tags: new Map([["Action", "Probe"]]), N: 1 },
  ];
  const run = (extra) => {
    const p = new Process({ id: "P".repeat(43), owner: "O".repeat(43) });
    p.eval(source);
    const outs = [];
    for (const m of messages) {
      outs.push(extra ? p.send(m, 0) : p.send(m));
      outs.push(extra ? p.dryRun(m, 0) : p.dryRun(m));
    }
    const env = { Process: { Id: "P".repeat(43), Owner: "O".repeat(43), Tags: [] } };
    const handled = { ...messages[0], Id: "h".repeat(43), Owner: "alice", Module: "m".repeat(43), Target: "P".repeat(43), "Block-Height": 1, Timestamp: 5 };
    outs.push(extra ? p.handle(handled, env, 0) : p.handle(handled, env));
    return { outs: JSON.stringify(outs), hash: p.stateHash(), seen: p.evaluate("return table.concat(Seen, '\\n')").output };
  };
  const text = run(false);
  const value = run(true);
  assert.equal(text.outs, value.outs);
  assert.equal(text.hash, value.hash);
  assert.equal(text.seen, value.seen);
  assert.match(text.seen, /N=number:7:integer F=number:2\.5:float/);
});

// Values that JSON.parse can read but JS numbers cannot hold exactly: the views round them as
// JSON.parse does instead of refusing the whole result.
test("views of globals holding integers past 2^53 are read as JSON.parse reads them", () => {
  const p = new Process({ id: "P".repeat(43), owner: "O".repeat(43) });
  p.eval("Big = { max = math.maxinteger, min = math.mininteger, small = 7, f = 0.5 }");
  assert.deepEqual(p.getGlobal("Big"), { max: 9223372036854775807, min: -9223372036854775808, small: 7, f: 0.5 });
  assert.deepEqual(p.view(["Big"]).Big, p.getGlobal("Big"));
  // A table-valued tag with such a number, as aos's json writes it (to 14 digits).
  const out = p.send({ From: "O".repeat(43), Tags: { Action: "Eval" }, Data: "Send({ Target = 'x', Data = 'd', Payload = { n = math.maxinteger } })" });
  assert.equal(out.Error, undefined);
  assert.deepEqual(out.Messages[0].tags.Payload, { n: 9223372036854800000 });
});

// The wrapper reads a message once: a getter runs once whichever door the message takes.
test("a message's getters run once, through either door", () => {
  const p = new Process({ id: "P".repeat(43), owner: "O".repeat(43) });
  let reads = 0;
  const plain = { From: "a", get Tags() { reads += 1; return { Action: "Nothing" }; } };
  p.send(plain);
  assert.equal(reads, 1);
  // Not exact as JSON (a Map): the conversion takes the copy already made.
  const mapped = { From: "a", Data: "x", get Tags() { reads += 1; return new Map([["Action", "Nothing"]]); } };
  p.send(mapped);
  assert.equal(reads, 2);
});
