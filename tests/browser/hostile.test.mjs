// The hostile-input corpora (tests/data/hostile/) in headless Chromium: the package's browser
// build on a page's main thread runs the same files with the same checks as natively
// (tests/hostile.rs) and in Node (tests/js/hostile.test.mjs).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve } from "../../scripts/serve.mjs";
import { launch } from "./chromium.mjs";

let server, browser, page;
const pageErrors = [];

before(async () => {
  server = await serve(0);
  browser = await launch();
  page = await browser.newPage();
  page.on("pageerror", (e) => pageErrors.push(e));
  await page.goto(`${server.url}tests/browser/hostile.html`);
  await page.waitForFunction(() => document.body?.dataset.ready === "true", null, { timeout: 60_000 });
});

after(async () => {
  await browser?.close();
  await server?.close();
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
