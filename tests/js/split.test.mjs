// Export, import and go on, in Node: every oracle scenario split before each of its steps
// gives the same outcomes (GasUsed included) and final state hash as the unsplit run, as
// tests/state.rs checks natively. In wasm, tables can sit in other slots than natively, and
// one run shares the module's memory with the runs before it, so anything that depends on
// a table's layout or on addresses shows here first (it did: the fuel `pairs` charged).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Process } from "../../pkg/node.js";
import { expandScenario, listScenarioFiles, loadScenario } from "../oracle/scenario.mjs";

function run(plan, split) {
  let p = new Process({ id: plan.ids.PROCESS, owner: plan.ids.OWNER, module: plan.ids.MODULE, spawn: false });
  const outcomes = [];
  plan.steps.forEach((step, i) => {
    if (i === split) p = Process.importState(p.exportState());
    try {
      outcomes.push(JSON.stringify(p.handle(step.msg, plan.env)));
    } catch (e) {
      outcomes.push(`threw ${e.code}`);
    }
  });
  return { outcomes, hash: finalHash(p) };
}

// A run may end with a coroutine waiting in Receive (as on aos, a failed message leaves it
// waiting): such a state has no document, so no hash; the outcomes are still compared.
function finalHash(p) {
  try {
    return p.stateHash();
  } catch (e) {
    assert.match(String(e.message), /coroutine that has not finished/);
    return "waiting coroutine";
  }
}

test("every oracle scenario, split before each step, equals its unsplit run", () => {
  let checked = 0;
  const refused = [];
  for (const file of listScenarioFiles()) {
    const plan = expandScenario(loadScenario(file));
    const whole = run(plan, -1);
    for (let k = 0; k <= plan.steps.length; k++) {
      let split;
      try {
        split = run(plan, k);
      } catch (e) {
        // Only a suspended coroutine may refuse export (see tests/state.rs).
        assert.match(String(e.message), /coroutine that has not finished/, `${file} at ${k}`);
        refused.push(`${file}@${k}`);
        continue;
      }
      assert.deepEqual(split.outcomes, whole.outcomes, `${file} split before step ${k}`);
      assert.equal(split.hash, whole.hash, `${file} split before step ${k}: final state hash`);
      checked++;
    }
  }
  assert.ok(checked > 300, `only ${checked} splits checked (${refused.length} refused)`);
});
