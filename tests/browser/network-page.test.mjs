// The playground's network page in headless Chromium, driven like a user: load the token and
// escrow example, send a Transfer, read the message flow (lanes and arrows), open a delivery,
// spawn a process of one's own, roll the whole network back.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { serve } from "../../scripts/serve.mjs";
import { launch } from "./chromium.mjs";
import { ROOT } from "../js/helpers.mjs";

const ARTIFACTS = `${ROOT}test-artifacts`;
let server, browser, page;
const pageErrors = [];

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  execFileSync(`${ROOT}scripts/build-www.sh`, { stdio: ["ignore", "ignore", "inherit"] });
  server = await serve(0);
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1366, height: 800 } });
  page.on("pageerror", (e) => pageErrors.push(e));
  await page.goto(`${server.url}www/dist/network.html`);
  await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const status = () => page.getByTestId("status").textContent();
async function waitStatus(pattern) {
  await page.waitForFunction((source) => new RegExp(source).test(document.getElementById("status").textContent), pattern.source, { timeout: 30_000 });
  return status();
}
const arrows = () => page.getByTestId("arrow");

test("token pays escrow: lanes, arrows in delivery order, a delivery's outcome and diff, roll back", async () => {
  await page.getByTestId("preset").click();
  await waitStatus(/spawn token and escrow: done/);
  const lanes = await page.locator(".lane-name").allTextContents();
  assert.deepEqual(lanes, ["outside", "token", "escrow"]);
  const afterSpawn = await arrows().count();

  // The form was filled with the example's Transfer to the escrow.
  await page.getByTestId("send").click();
  await waitStatus(/send Transfer to token: done/);
  const labels = await page.locator("[data-testid=arrow] text").allTextContents();
  const fresh = labels.slice(afterSpawn).map((l) => l.replace(/^\d+\. /, ""));
  assert.deepEqual(fresh.slice(0, 4), ["Transfer", "Credit-Notice", "Transfer", "Debit-Notice"], labels.join(" | "));
  assert.equal(await page.locator(".arrow.failed").count(), 0);

  // The escrow's Credit-Notice: its outcome (the pay-on) and what it changed.
  await arrows().nth(afterSpawn + 1).click();
  assert.match(await page.getByTestId("detail-head").textContent(), /token → escrow: Credit-Notice/);
  await arrows().nth(afterSpawn + 3).click();
  assert.match(await page.getByTestId("detail-output").textContent(), /paid 990 on to beneficiary-wallet/);
  await arrows().nth(afterSpawn).click();
  assert.match(await page.getByTestId("detail-diff").textContent(), /Balances/);
  await page.screenshot({ path: `${ARTIFACTS}/network-flow.png` });

  // A failing delivery is marked.
  await page.getByTestId("send-target").selectOption({ label: "token" });
  await page.getByTestId("send-action").fill("Transfer");
  await page.getByTestId("send-tags").fill("Recipient={{escrow}}\nQuantity=not-a-number");
  await page.getByTestId("send").click();
  await waitStatus(/send Transfer to token: done/);
  assert.ok((await page.locator(".arrow.failed").count()) >= 1);
  await page.locator(".arrow.failed").first().click();
  assert.ok((await page.getByTestId("detail-error").textContent()).length > 0);

  // Roll the whole network back to before the first Transfer.
  const before = await arrows().count();
  await page.getByTestId("rollback").nth(1).click();
  await waitStatus(/rolled back/);
  assert.equal(await arrows().count(), afterSpawn);
  assert.ok(before > afterSpawn);
  assert.equal(await page.getByTestId("action").count(), 1);
});

test("spawning a process of one's own that messages another", async () => {
  await page.getByTestId("spawn-name").fill("caller");
  await page.getByTestId("spawn-source").fill(
    `Handlers.add("call", "Call", function(m) Send({ Target = "{{token}}", Action = "Balance" }) end)`);
  await page.getByTestId("spawn").click();
  await waitStatus(/spawn caller: done/);
  assert.deepEqual(await page.locator(".lane-name").allTextContents(), ["outside", "token", "escrow", "caller"]);
  await page.getByTestId("send-target").selectOption({ label: "caller" });
  await page.getByTestId("send-action").fill("Call");
  await page.getByTestId("send-tags").fill("");
  await page.getByTestId("send").click();
  await waitStatus(/send Call to caller: done/);
  const labels = await page.locator("[data-testid=arrow] text").allTextContents();
  assert.ok(labels.some((l) => / Balance$/.test(l)), labels.join(" | "));
  assert.deepEqual(pageErrors, []);
});
