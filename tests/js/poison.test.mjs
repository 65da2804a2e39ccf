// A wasm trap (a Rust panic) poisons the instance: the fault and every later call are
// reported as Error { code: "POISONED" }; errors aolite raises on purpose pass through.
import { test } from "node:test";
import assert from "node:assert/strict";
import { poisonGuard } from "../../js/guard.js";
import { Process, isPoisoned } from "../../pkg/node.js";

test("the real package: ordinary errors keep their codes and do not poison", () => {
  const p = new Process();
  assert.throws(() => p.eval("error('boom')"), (e) => e instanceof Error && e.code === "LUA_ERROR");
  assert.throws(() => p.send(5), (e) => e.code === "BAD_MESSAGE");
  assert.equal(isPoisoned(), false);
  assert.equal(p.eval("return 1 + 1").output, "2");
});

test("a trap poisons every process of the module, with a clear error", () => {
  class FakeProcess {
    eval(src) {
      if (src === "trap") throw new WebAssembly.RuntimeError("unreachable");
      return { output: src };
    }
    send() { return {}; }
    dryRun() { return {}; }
    handle() { return {}; }
    getGlobal() { return null; }
  }
  const mod = { Process: FakeProcess, runLua: () => ({ stdout: "" }) };
  const { Process: Guarded, runLua, isPoisoned: poisoned } = poisonGuard(mod);
  const a = new Guarded();
  const b = new Guarded();
  assert.equal(a.eval("fine").output, "fine");
  assert.throws(() => a.eval("trap"), (e) => e instanceof Error && e.code === "POISONED" && /unreachable/.test(e.message));
  assert.equal(poisoned(), true);
  assert.throws(() => b.send({}), (e) => e.code === "POISONED");
  assert.throws(() => runLua("print(1)"), (e) => e.code === "POISONED");
  assert.throws(() => new Guarded(), (e) => e.code === "POISONED");
});
