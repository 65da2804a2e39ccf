// The error corpus in Node (tests/data/errors/corpus.json, Lua 5.3's texts; the native
// test re-checks them against lua5.3), and a handler's error as a user meets it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Process, runLua } from "../../pkg/node.js";
import { read } from "./helpers.mjs";

test("runtime errors read as Lua 5.3's in Node", () => {
  const cases = JSON.parse(read("tests/data/errors/corpus.json"));
  const differ = [];
  for (const c of cases) {
    const out = runLua(c.source + "\n", "t.lua");
    if (out.error !== c.error) differ.push(`${c.name}: ${out.error} (Lua: ${c.error})`);
  }
  assert.deepEqual(differ, []);
});

test("a failed handler's error names the variable and gives a structured error", () => {
  const p = new Process();
  p.eval(`
local function check(ok) if not ok then error("denied", 2) end end
Handlers.add("Bad", "Bad", function(msg)
  undefinedFunction(msg.From)
end)
Handlers.add("Guard", "Guard", function(msg)
  check(false)
end)`);
  const bad = p.send({ Action: "Bad" });
  assert.match(bad.Error, /\[string "aos"\]:4: attempt to call a nil value \(global 'undefinedFunction'\)/);
  assert.equal(bad.ErrorInfo.chunk, '[string "aos"]');
  assert.equal(bad.ErrorInfo.line, 4);
  assert.equal(bad.ErrorInfo.traceback[0].line, 4);
  const guard = p.send({ Action: "Guard" });
  assert.match(guard.Error, /\[string "aos"\]:7: denied/);
  assert.equal(guard.ErrorInfo.line, 7);
  // The failed messages changed nothing, and the process still works.
  assert.equal(p.send({ Action: "Other" }).Error, undefined);
});
