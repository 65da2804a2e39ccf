// End to end in headless Chromium: the playground page served on 127.0.0.1, driven like a user.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { serve } from "../../scripts/serve.mjs";
import { launch } from "./chromium.mjs";
import { ROOT, read } from "../js/helpers.mjs";

const ARTIFACTS = `${ROOT}test-artifacts`;
let server, browser, page;

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await serve(0);
  browser = await launch();
  page = await browser.newPage();
  page.on("pageerror", (e) => console.error("page error:", e));
  await page.goto(server.url);
  await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function runSnippet(source) {
  await page.getByTestId("code").fill(source);
  await page.getByTestId("run").click();
  await page.waitForFunction(() => document.getElementById("status").textContent.includes(" in "));
  return page.getByTestId("output").textContent();
}

test("typing a snippet and running it shows its output", async () => {
  const out = await runSnippet("print('hello', 1 + 1, 2^10)");
  assert.equal(out, "hello\t2\t1024.0\n");
});

test("the same snippets give the same output as natively and in Node", async () => {
  assert.equal(await runSnippet(read("tests/data/determinism.lua")), read("tests/data/determinism.wasm.out"));
  assert.equal(await runSnippet(read("tests/data/portable.lua")), read("tests/data/portable.out"));
  await page.screenshot({ path: `${ARTIFACTS}/playground-run.png`, fullPage: true });
});

test("Lua errors are shown as errors, with the keyboard shortcut", async () => {
  await page.getByTestId("code").fill("print('a')\nerror('boom')");
  await page.getByTestId("code").press("Control+Enter");
  await page.waitForFunction(() => document.getElementById("status").textContent.startsWith("error"));
  const out = await page.getByTestId("output").textContent();
  assert.match(out, /^a\nerror: .*boom/);
  assert.equal(await page.getByTestId("output").getAttribute("class"), "error");
});
