// The hostile-input corpora (tests/data/hostile/) in headless Chromium: the package's browser
// build on a page's main thread runs the same files with the same checks as natively
// (tests/hostile.rs) and in Node (tests/js/hostile.test.mjs).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { openReadyPage } from "./chromium.mjs";

let page, pageErrors, close;

before(async () => {
  ({ page, pageErrors, close } = await openReadyPage("tests/browser/hostile.html"));
});

after(async () => {
  await close?.();
});

for (const name of ["sources", "messages", "documents"]) {
  test(`hostile ${name} are refused with their codes in Chromium and leave the process as it was`, async () => {
    const result = await page.evaluate((n) => window.runCorpus(n), name);
    assert.equal(result.count, result.cases);
    assert.deepEqual(result.failures, []);
    assert.equal(result.poisoned, false);
    assert.deepEqual(pageErrors, []);
  });
}

test("values only JS can give are refused in Chromium without poisoning", async () => {
  const result = await page.evaluate(() => window.runJsOnly());
  assert.deepEqual(result.failures, []);
  assert.equal(result.poisoned, false);
});
