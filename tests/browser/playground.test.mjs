// The playground end to end in headless Chromium: built with scripts/build-www.sh, served as
// static files from a sub-path (so its relative URLs are checked too), driven like a user.
// Screenshots go to test-artifacts/ (git-ignored).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { serve } from "../../scripts/serve.mjs";
import { launch } from "./chromium.mjs";
import { ROOT } from "../js/helpers.mjs";

const ARTIFACTS = `${ROOT}test-artifacts`;
const LAPTOP = { width: 1366, height: 800 };
const NARROW = { width: 420, height: 900 };
let server, browser, context, page;
const pageErrors = [];

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  execFileSync(`${ROOT}scripts/build-www.sh`, { stdio: ["ignore", "ignore", "inherit"] });
  server = await serve(0);
  browser = await launch();
  context = await browser.newContext({ viewport: LAPTOP, acceptDownloads: true, colorScheme: "dark" });
  page = await context.newPage();
  page.on("pageerror", (e) => pageErrors.push(e));
  await page.goto(`${server.url}www/dist/`);
  await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const shot = (name, options = {}) => page.screenshot({ path: `${ARTIFACTS}/playground-${name}.png`, ...options });
const status = () => page.getByTestId("status").textContent();
const hash = () => page.getByTestId("hash").textContent();
const rows = () => page.getByTestId("timeline-row");

async function waitStatus(pattern) {
  await page.waitForFunction((source) => new RegExp(source).test(document.getElementById("status").textContent), pattern.source, { timeout: 20_000 });
  return status();
}

async function loadExample(id) {
  await page.getByTestId("example").selectOption(id);
  await page.getByTestId("load").click();
  await waitStatus(/^code loaded/);
}

/** Fills the composer: Action, other tags, From; no Data. */
async function compose(action, tags = {}, from = "") {
  await page.getByTestId("msg-from").fill(from);
  await page.getByTestId("msg-action").fill(action);
  // Drop the extra tag rows, then add ours.
  while ((await page.getByTestId("tag-value").count()) > 0) {
    await page.getByRole("button", { name: /^Remove tag/ }).first().click();
  }
  for (const [name, value] of Object.entries(tags)) {
    await page.getByTestId("add-tag").click();
    await page.getByTestId("tag-name").last().fill(name);
    await page.getByTestId("tag-value").last().fill(value);
  }
  await page.getByTestId("msg-data").fill("");
}

/** Composes a message and sends it; returns the status text. */
async function send(action, tags = {}, { from = "", via = "click" } = {}) {
  await compose(action, tags, from);
  const before = await rows().count();
  if (via === "keyboard") await page.getByTestId("msg-action").press("Control+Enter");
  else await page.getByTestId("send").click();
  await page.waitForFunction((n) => document.querySelectorAll("[data-testid=timeline-row]").length > n, before);
  return waitStatus(/handled|failed/);
}

/** The tree items at one level, as {key: value preview}. */
async function treeLevel(selector = "[data-testid=tree] > ul > li") {
  return page.$$eval(selector, (items) => Object.fromEntries(items.map((li) => [li.dataset.key, li.querySelector(":scope > .node-row .value")?.textContent ?? null])));
}

async function expand(key) {
  const item = page.locator(`[data-testid=tree-item][data-key="${key}"]`).first();
  const toggle = item.locator(":scope > .node-row [data-testid=tree-toggle]");
  if ((await toggle.getAttribute("aria-expanded")) !== "true") await toggle.click();
  await page.waitForSelector(`[data-testid=tree-item][data-key="${key}"] > ul`);
}

/** The size shown for a global, in bytes. */
async function sizeOf(key) {
  const text = await page.locator(`[data-testid=tree-item][data-key="${key}"] > .node-row .size`).textContent();
  const [, n, unit] = text.match(/^([\d.]+) (B|KiB|MiB)$/);
  return Number(n) * { B: 1, KiB: 1024, MiB: 1024 * 1024 }[unit];
}

async function childrenOf(key) {
  return treeLevel(`[data-testid=tree-item][data-key="${key}"] > ul > li[data-testid=tree-item]`);
}

test("the page loads the package's worker and wasm from a sub-path, offline", async () => {
  assert.match(await status(), /^ready/);
  assert.equal(await rows().count(), 1, "the spawn is the first timeline row");
  assert.match(await hash(), /^[0-9a-f]{64}$/);
  // The editor is CodeMirror, with line numbers and Lua highlighting.
  assert.ok(await page.locator(".cm-lineNumbers").isVisible());
  assert.ok((await page.locator(".cm-content span").count()) > 10, "highlighted tokens");
  await shot("laptop-start");
});

test("an example loads; messages show output, outgoing messages (tags as a table) and diffs", async () => {
  await loadExample("token");
  assert.equal(await rows().count(), 2);
  // The Load is a row with what it changed, like a message; its outcome is the result.
  const load = rows().last();
  assert.equal(await load.getAttribute("data-kind"), "eval");
  const loadDiff = await load.getByTestId("diff").innerText();
  assert.match(loadDiff, /Balances\s+nil\s+→\s+\{"aoLiteOwner0+"/);
  assert.match(loadDiff, /Denomination\s+nil\s+→\s+12/);
  assert.equal(await page.getByTestId("result-badge").textContent(), "load");
  assert.match(await page.getByTestId("result-diff").innerText(), /TokenName\s+nil\s+→\s+"Oracle Token"/);
  await shot("laptop-load");

  assert.match(await send("Transfer", { Recipient: "alice", Quantity: "250" }), /#3 Transfer handled/);
  const result = page.getByTestId("result");
  const outgoing = result.getByTestId("out-message");
  assert.equal(await outgoing.count(), 2, "a Debit-Notice and a Credit-Notice");
  // Which handlers ran (the outcome's Handlers).
  assert.match(await result.getByTestId("result-handlers").innerText(), /^handlers\s+transfer$/i);
  const firstTags = await outgoing.first().locator(".tags-table").first().innerText();
  assert.match(firstTags, /Action\s+Debit-Notice/);
  assert.match(firstTags, /Recipient\s+alice/);
  // The row's diff names the changed balances, old -> new.
  const row = rows().last();
  const diff = await row.getByTestId("diff").innerText();
  assert.match(diff, /Balances\.alice\s+nil\s+→\s+"250"/);
  assert.match(diff, /Balances\.aoLiteOwner0+\s+"1000000"\s+→\s+"999750"/);
  assert.match(await result.getByTestId("result-diff").innerText(), /Balances\.alice/);

  // The keyboard shortcut sends too; the reply's Data is the balance.
  await send("Balance", { Recipient: "alice" }, { via: "keyboard" });
  assert.match(await result.getByTestId("out-message").locator(".data").innerText(), /250/);
  assert.match(await result.getByTestId("result-diff").innerText(), /no change to the process's own globals/);

  // Output printed by a handler.
  await page.getByTestId("example").selectOption("ping");
  await page.getByTestId("editor").press("Control+Enter");
  await waitStatus(/^code loaded/);
  await send("Ping", {}, { from: "bob" });
  assert.equal(await result.getByTestId("out-message").locator(".target code").textContent(), "bob");
  await shot("laptop-messages");
});

test("a failing message shows its error and leaves the state as it was", async () => {
  const before = await hash();
  assert.match(await send("Mint", { Quantity: "5" }, { from: "mallory" }), /failed: state unchanged/);
  assert.match(await page.getByTestId("result-error").innerText(), /Only the owner can mint/);
  assert.match(await page.getByTestId("result-handlers").innerText(), /mint \(failed\)/);
  assert.equal(await rows().last().getAttribute("class").then((c) => c.includes("failed")), true);
  assert.equal(await hash(), before);
  // The error names line 49 of the token's source, which the editor marks.
  await page.getByTestId("example").selectOption("token");
  assert.match(await send("Mint", { Quantity: "5" }, { from: "mallory" }), /failed/);
  await page.waitForSelector(".cm-error-line");
  assert.match(await page.locator(".cm-error-line").innerText(), /Only the owner can mint/);
});

test("a runtime error in a handler marks its line and shows the traceback", async () => {
  await page.getByTestId("example").selectOption("token");
  await page.getByTestId("editor").click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type('\nHandlers.add("Boom", "Boom", function(msg) notDefinedAnywhere(msg.From) end)\n');
  await page.getByTestId("load").click();
  await waitStatus(/^code loaded/);
  assert.match(await send("Boom", {}, { from: "bob" }), /failed/);
  // piccolo raises call errors without position or name: the diagnostic re-run gives Lua's.
  assert.match(await page.getByTestId("result-error").innerText(), /attempt to call a nil value \(global 'notDefinedAnywhere'\)/);
  await page.waitForSelector(".cm-error-line");
  assert.match(await page.locator(".cm-error-line").first().innerText(), /notDefinedAnywhere/);
  const traceback = await page.getByTestId("result-traceback").innerText();
  assert.match(traceback, /\[string "aos"\]:\d+: in /);
  await page.getByTestId("example").selectOption("token");
});

test("a Lua error in loaded code points at its line", async () => {
  const rowsBefore = await rows().count();
  await page.getByTestId("editor").click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type("\nlocal broken = = 1\n");
  await page.getByTestId("load").click();
  await waitStatus(/load failed \(SYNTAX_ERROR\)/);
  const error = page.getByTestId("code-error");
  assert.match(await error.innerText(), /Syntax error/);
  const line = await page.getByTestId("error-line").textContent();
  assert.match(line, /^line \d+$/);
  assert.match(await page.locator(".cm-error-line").innerText(), /local broken = = 1/);
  assert.equal(await rows().count(), rowsBefore, "a failed load adds no row");
  await shot("laptop-code-error");
  // A runtime error raised by the loaded code names its line as well.
  await page.getByTestId("example").selectOption("token");
  await page.getByTestId("editor").click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type("\nerror('deliberate')\n");
  await page.getByTestId("load").click();
  await waitStatus(/load failed \(LUA_ERROR\): state unchanged/);
  assert.match(await page.locator(".cm-error-line").innerText(), /deliberate/);
  // It ran, so it is a row, failed like a message; aos's padding of blank lines is gone.
  assert.equal(await rows().count(), rowsBefore + 1);
  assert.match(await rows().last().getAttribute("class"), /failed/);
  assert.equal(await rows().last().getAttribute("data-kind"), "eval");
  const shown = await page.getByTestId("result-error").locator("pre").textContent();
  assert.match(shown, /deliberate/);
  assert.doesNotMatch(shown, /^\s|\n\s*\n\s*\n/, "no blank line in front, no run of blank lines");
  await page.getByTestId("example").selectOption("token");
});

test("dry-run and re-sending a recent message", async () => {
  const count = await rows().count();
  const before = await hash();
  await compose("Transfer", { Recipient: "zed", Quantity: "1" });
  await page.getByTestId("dry-run").click();
  await waitStatus(/dry-run of Transfer done/);
  assert.equal(await page.getByTestId("result-badge").textContent(), "dry-run");
  assert.equal(await rows().count(), count);
  assert.equal(await hash(), before);

  await page.getByTestId("tab-recent").click();
  const recent = page.getByTestId("recent").getByTestId("chip-send");
  assert.ok((await recent.count()) >= 3);
  // The last Mint by mallory again (a later test's failing message may be more recent).
  await page.getByTestId("recent").locator('[data-testid=chip-send][aria-label^="Send Mint"]').first().click();
  await page.waitForFunction((n) => document.querySelectorAll("[data-testid=timeline-row]").length > n, count);
  // The row can appear before the status line is updated: wait for it.
  assert.match(await waitStatus(/Mint failed/), /Mint failed/);
});

test("the state tree shows globals with sizes, filters, and pages large tables", async () => {
  const globals = await treeLevel();
  assert.deepEqual(Object.keys(globals).sort(), ["Balances", "Count", "Denomination", "Ticker", "TokenName", "TotalSupply"]);
  assert.equal(globals.TotalSupply, '"1000000"');
  assert.match(await page.locator("[data-key=Balances] .size").first().textContent(), /\d+ B/);
  assert.match(await page.getByTestId("totals").textContent(), /KiB · \d+ tables/);
  await expand("Balances");
  assert.deepEqual(await childrenOf("Balances"), { aoLiteOwner00000000000000000000000000000000: '"999750"', alice: '"250"' });

  // System globals on request.
  await page.getByTestId("show-system").check();
  await page.waitForSelector("[data-testid=tree-item][data-key=Handlers]");
  await page.getByTestId("show-system").uncheck();
  await page.waitForSelector("[data-testid=tree-item][data-key=Handlers]", { state: "detached" });

  // A large table comes 50 entries at a time.
  await page.getByTestId("example").selectOption("");
  await page.getByTestId("editor").click();
  await page.keyboard.press("Control+a");
  await page.keyboard.type("Squares = {}\nfor i = 1, 180 do Squares[i] = i * i end\n");
  await page.getByTestId("load").click();
  await waitStatus(/^code loaded/);
  await expand("Squares");
  assert.equal(Object.keys(await childrenOf("Squares")).length, 50);
  assert.match(await page.locator("[data-key=Squares] .tree-more").innerText(), /Show 50 more\s+50 of 180/);
  await page.locator("[data-key=Squares] [data-testid=tree-more]").click();
  await page.waitForFunction(() => document.querySelectorAll('[data-key=Squares] > ul > li[data-testid=tree-item]').length === 100);
  assert.equal((await childrenOf("Squares"))["180"], undefined);

  // The filter narrows the globals and the entries of open tables.
  await page.getByTestId("state-search").fill("alice");
  await page.waitForFunction(() => document.querySelectorAll("[data-key=Balances] > ul > li[data-testid=tree-item]").length === 1);
  assert.deepEqual(await childrenOf("Balances"), { alice: '"250"' });
  await shot("laptop-state-filter");
  await page.getByTestId("state-search").fill("");
  await page.locator("[data-key=Squares] [data-testid=tree-toggle]").first().click();
});

test("timeline: a row shows the state then; a named checkpoint; roll back to it", async () => {
  await page.getByTestId("mark-name").fill("before-bob");
  await page.getByTestId("mark").click();
  await waitStatus(/checkpoint “before-bob” taken/);
  const mark = rows().nth((await rows().count()) - 1);
  assert.equal(await mark.getAttribute("data-kind"), "mark");
  const markHash = await mark.getAttribute("data-hash");
  assert.equal(markHash, await hash());

  await send("Transfer", { Recipient: "bob", Quantity: "100" });
  await send("Transfer", { Recipient: "carol", Quantity: "1" });
  await expand("Balances");
  assert.equal((await childrenOf("Balances")).bob, '"100"');
  assert.notEqual(await hash(), markHash);
  const liveSize = await sizeOf("Balances");
  const liveTotals = await page.getByTestId("totals").textContent();

  // Selecting the checkpoint row shows the state as it was: no bob yet, with its own hash
  // (the engine's, read at the row's checkpoint) and sizes.
  await mark.locator(".tl-main").click();
  await page.waitForFunction(() => document.getElementById("state-at").textContent.startsWith("after #"));
  await page.waitForFunction(() => !document.querySelector('[data-key=Balances] > ul [data-key=bob]'));
  assert.deepEqual(Object.keys(await childrenOf("Balances")).sort(), ["alice", "aoLiteOwner00000000000000000000000000000000"]);
  await page.waitForSelector("[data-testid=hash][data-from=checkpoint]");
  assert.equal(await hash(), markHash);
  assert.equal(await page.locator("#hash-label").textContent(), "hash then");
  assert.ok((await sizeOf("Balances")) < liveSize, "Balances was smaller then");
  await page.waitForFunction((t) => document.getElementById("totals").textContent !== t, liveTotals);
  assert.match(await page.getByTestId("totals").textContent(), /KiB · \d+ tables/);
  assert.equal(await page.getByTestId("result-badge").textContent(), "checkpoint");
  // Arrow keys move along the rows (the next one has bob).
  await page.keyboard.press("ArrowDown");
  await page.waitForSelector("[data-key=Balances] > ul [data-key=bob]");
  await page.keyboard.press("ArrowUp");
  await page.waitForFunction(() => !document.querySelector('[data-key=Balances] > ul [data-key=bob]'));
  await shot("laptop-timeline-selected");

  const count = await rows().count();
  await page.getByTestId("rollback").click();
  await waitStatus(/rolled back to #/);
  assert.equal(await rows().count(), count - 2, "the two later rows leave the timeline");
  assert.equal(await hash(), markHash);
  assert.equal(await page.getByTestId("state-at").textContent(), "");
  await expand("Balances");
  assert.equal((await childrenOf("Balances")).bob, undefined);
  // The process goes on from there.
  await send("Transfer", { Recipient: "dave", Quantity: "7" });
  assert.equal((await childrenOf("Balances")).dave, '"7"');
});

test("export then import gives back the same state hash", async () => {
  const exported = await hash();
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export").click()]);
  assert.match(download.suggestedFilename(), /^aolite-state-[0-9a-f]{12}\.json$/);
  const path = `${ARTIFACTS}/${download.suggestedFilename()}`;
  await download.saveAs(path);
  const doc = readFileSync(path, "utf8");
  assert.equal(JSON.parse(doc).format, "aolite-state/1");
  assert.equal(createHash("sha256").update(doc).digest("hex"), exported, "the hash is the document's sha-256");

  await send("Transfer", { Recipient: "erin", Quantity: "3" });
  assert.notEqual(await hash(), exported);
  await page.getByTestId("import-file").setInputFiles(path);
  await waitStatus(/^imported aolite-state-/);
  assert.equal(await hash(), exported);
  assert.equal(await rows().last().getAttribute("data-kind"), "import");
  await expand("Balances");
  assert.equal((await childrenOf("Balances")).erin, undefined);
  assert.equal((await childrenOf("Balances")).dave, '"7"');
  // Dropping a document on the page imports it too.
  await send("Transfer", { Recipient: "erin", Quantity: "3" });
  assert.notEqual(await hash(), exported);
  const dataTransfer = await page.evaluateHandle((text) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([text], "dropped.json", { type: "application/json" }));
    return transfer;
  }, doc);
  await page.dispatchEvent("main", "dragenter", { dataTransfer });
  assert.ok(await page.locator("#drop").isVisible(), "the drop hint shows");
  await page.dispatchEvent("main", "drop", { dataTransfer });
  await waitStatus(/^imported dropped\.json/);
  assert.ok(await page.locator("#drop").isHidden());
  assert.equal(await hash(), exported);
  // The imported process keeps answering and diffing.
  await send("Transfer", { Recipient: "frank", Quantity: "2" });
  assert.match(await rows().last().getByTestId("diff").innerText(), /Balances\.frank\s+nil\s+→\s+"2"/);
});

test("a broken import file is rejected with a clear error and changes nothing", async () => {
  const before = await hash();
  const count = await rows().count();
  for (const [name, text] of [
    ["truncated.json", '{"format": "aolite-state/1", "process": {'],
    ["notes.txt", "hello, not a state"],
    ["other.json", '{"format": "something-else/2"}'],
  ]) {
    await page.getByTestId("import-file").setInputFiles({ name, mimeType: "application/json", buffer: Buffer.from(text) });
    await page.waitForFunction((n) => document.getElementById("notice-text").textContent.includes(n), name);
    assert.match(await status(), /^import failed/);
    const notice = await page.getByTestId("notice").innerText();
    assert.match(notice, new RegExp(`“${name.replace(".", "\\.")}” is not a usable aolite state document: bad state document`));
    assert.equal(await hash(), before);
    assert.equal(await rows().count(), count);
  }
  await shot("laptop-bad-import");
  await page.locator("#notice-close").click();
  // The page still works.
  assert.match(await send("Balance"), /handled/);
});

test("Stop ends a runaway handler; the page stays responsive and the state is kept", async () => {
  await page.getByTestId("example").selectOption("");
  await page.getByTestId("editor").click();
  await page.keyboard.press("Control+a");
  await page.keyboard.type('Handlers.add("spin", "Spin", function(msg) Spun = true; while true do end end)\n');
  await page.getByTestId("load").click();
  await waitStatus(/^code loaded/);
  const kept = await hash();
  const count = await rows().count();

  await compose("Spin");
  await page.getByTestId("send").click();
  await page.waitForSelector("[data-testid=stop]:not([disabled])");
  assert.match(await status(), /running… press Stop/);
  // The page answers while the worker spins: timers run and inputs take text.
  const ticks = await page.evaluate(() => new Promise((resolve) => {
    let n = 0;
    const timer = setInterval(() => { if (++n === 5) { clearInterval(timer); resolve(n); } }, 20);
  }));
  assert.equal(ticks, 5);
  await page.getByTestId("mark-name").fill("typed while spinning");
  assert.equal(await page.getByTestId("mark-name").inputValue(), "typed while spinning");
  await page.getByTestId("mark-name").fill("");
  await shot("laptop-running");

  await page.getByTestId("stop").click();
  await waitStatus(/^stopped: a new worker took over/);
  assert.equal(await hash(), kept);
  assert.equal(await rows().count(), count + 1);
  assert.match(await rows().last().innerText(), /Spin[\s\S]*stopped/i);
  assert.match(await page.getByTestId("result-error").innerText(), /Stopped/);
  assert.ok(await page.getByTestId("stop").isDisabled());
  // Spun was never committed; the new worker has the balances and takes messages.
  await expand("Balances");
  assert.equal((await childrenOf("Balances")).frank, '"2"');
  assert.equal(Object.keys(await treeLevel()).includes("Spun"), false);
  assert.match(await send("Balance", { Recipient: "frank" }), /handled/);
  assert.match(await page.getByTestId("result").getByTestId("out-message").locator(".data").innerText(), /^Data\s+2$/i);
  // Rows from before the stop still show their state and roll back (from their documents).
  const early = rows().filter({ hasText: "before-bob" });
  const earlyHash = await early.getAttribute("data-hash");
  const totalsNow = await page.getByTestId("totals").textContent();
  await early.locator(".tl-main").click();
  await page.waitForFunction(() => document.getElementById("state-at").textContent.startsWith("after #"));
  await page.waitForFunction(() => !document.querySelector("[data-key=Balances] > ul [data-key=frank]"));
  await page.waitForFunction((t) => document.getElementById("totals").textContent !== t, totalsNow);
  assert.match(await page.getByTestId("totals").textContent(), /KiB · \d+ tables/);
  assert.equal(await hash(), earlyHash);
  assert.equal(await page.getByTestId("hash").getAttribute("data-from"), "row", "its checkpoint ended with the stopped worker");
  // Forking from such a row starts from its document.
  const earlySeq = await early.getAttribute("data-seq");
  await page.getByTestId("fork").click();
  await waitStatus(/^forked/);
  assert.equal(await hash(), earlyHash);
  await page.getByTestId("session").selectOption({ label: "main" });
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=timeline-row]").length > 1);
  await early.locator(".tl-main").click();
  await page.waitForFunction((s) => document.getElementById("state-at").textContent === `after #${s}`, earlySeq);
  await page.getByTestId("rollback").click();
  await waitStatus(/rolled back to #/);
  assert.equal(await hash(), await early.getAttribute("data-hash"));
});

test("fork from here starts a new session with that state; the original is untouched", async () => {
  await send("Transfer", { Recipient: "gina", Quantity: "11" });
  await send("Transfer", { Recipient: "hugo", Quantity: "12" });
  const mainHash = await hash();
  const gina = rows().filter({ hasText: "gina" });
  const ginaHash = await gina.getAttribute("data-hash");
  const ginaSeq = await gina.getAttribute("data-seq");
  await gina.locator(".tl-main").click();
  // The hash shown is the engine's for the row's checkpoint: the one recorded for the row.
  await page.waitForSelector("[data-testid=hash][data-from=checkpoint]");
  assert.equal(await hash(), ginaHash);
  await page.getByTestId("fork").click();
  await waitStatus(/^forked/);
  const sessions = await page.getByTestId("session").locator("option").allTextContents();
  assert.equal(sessions.length, 3);
  assert.equal(sessions.at(-1), `main: fork at #${ginaSeq}`);
  assert.equal(await hash(), ginaHash);
  assert.equal(await rows().count(), 1);
  assert.equal(await rows().first().getAttribute("data-kind"), "fork");
  await shot("laptop-fork");
  await send("Transfer", { Recipient: "ivy", Quantity: "1" });
  assert.notEqual(await hash(), ginaHash);

  await page.getByTestId("session").selectOption({ label: "main" });
  await page.waitForFunction((h) => document.getElementById("hash").textContent === h, mainHash);
  await expand("Balances");
  assert.equal((await childrenOf("Balances")).ivy, undefined);
  assert.equal((await childrenOf("Balances")).hugo, '"12"');
});

test("laptop and narrow layouts: screenshots, no sideways scrolling, light scheme", async () => {
  await page.getByTestId("example").selectOption("guide_versioned");
  await page.getByTestId("load").click();
  await waitStatus(/^code loaded/);
  const count = await rows().count();
  await page.getByRole("tab", { name: /Samples/ }).click();
  const samples = await page.getByTestId("samples").getByTestId("chip-send").count();
  await page.getByTestId("send-all").click();
  await page.waitForFunction((n) => document.querySelectorAll("[data-testid=timeline-row]").length === n, count + samples, { timeout: 30_000 });
  await waitStatus(/Versions handled/);
  await expand("StateVersions");
  await shot("laptop-guide");

  await page.setViewportSize(NARROW);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), "no horizontal scroll at 420px");
  await shot("narrow-top");
  await shot("narrow-full", { fullPage: true });
  for (const panel of ["message", "timeline", "state"]) {
    await page.locator(`.${panel}-panel`).screenshot({ path: `${ARTIFACTS}/playground-narrow-${panel}.png` });
  }
  await page.emulateMedia({ colorScheme: "light" });
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot("narrow-light-top");
  await page.setViewportSize(LAPTOP);
  await shot("laptop-light");
  await page.emulateMedia({ colorScheme: "dark" });
  assert.deepEqual(pageErrors, []);
});
