// The aos oracle in headless Chromium: every scenario of tests/oracle/ (its inputs expanded
// in Node) runs on the package's browser build on a page, and the results must match the
// recordings of real aos exactly as the Node package's do (same normalization, same known
// differences): the browser computes what aos computes, `.crypto`, json, bint and errors
// included.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { openReadyPage } from "./chromium.mjs";
import { parseGlobals } from "../oracle/aos.mjs";
import { normalizeRun } from "../oracle/normalize.mjs";
import { KNOWN, assertMatchesAos, readExpected } from "../oracle/known.mjs";
import { expandScenario, listScenarioFiles, loadScenario } from "../oracle/scenario.mjs";

let page, pageErrors, close;

before(async () => {
  ({ page, pageErrors, close } = await openReadyPage("tests/browser/oracle.html"));
});

after(async () => {
  await close?.();
});

for (const file of listScenarioFiles()) {
  const scenario = loadScenario(file);
  const name = scenario.name;
  test(`Chromium: ${name}`, { skip: (KNOWN[name] ?? {}).skip }, async () => {
    const expected = readExpected(name);
    assert.ok(expected, "no recording");
    const plan = expandScenario(scenario);
    const run = await page.evaluate((p) => window.runPlan(p), plan);
    assert.equal(run.poisoned, false);
    const globals = run.globalsRun
      ? parseGlobals(plan.globals, run.globalsRun.result, run.globalsRun.thrown)
      : null;
    const actual = normalizeRun({ name: plan.name, steps: run.steps, globals }, scenario);
    assertMatchesAos(name, expected, actual);
    assert.deepEqual(pageErrors, []);
  });
}
