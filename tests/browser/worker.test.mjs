// aolite/worker in headless Chromium: a process in a Web Worker behind promises; a runaway
// computation does not block the page and is stopped by terminate().
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve } from "../../scripts/serve.mjs";
import { launch } from "./chromium.mjs";

let server, browser, page;

before(async () => {
  server = await serve(0);
  browser = await launch();
  page = await browser.newPage();
  await page.goto(`${server.url}tests/browser/worker.html`);
  await page.waitForFunction(() => document.body?.dataset.ready === "true");
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test("a worker process evaluates and answers messages", async () => {
  const result = await page.evaluate(async () => {
    const p = await ProcessWorker.create({ owner: "OWNER" });
    await p.eval(`Handlers.add("ping", "Ping", function(m) m.reply({ Data = "pong" }) end)`);
    const out = await p.send({ From: "alice", Tags: { Action: "Ping" } });
    const two = (await p.eval("return 1 + 1")).output;
    let code;
    try { await p.eval("error('boom')"); } catch (e) { code = e instanceof Error && e.code; }
    p.terminate();
    return { data: out.Messages[0].Data, target: out.Messages[0].Target, two, code, owner: p.owner };
  });
  assert.deepEqual(result, { data: "pong", target: "alice", two: "2", code: "LUA_ERROR", owner: "OWNER" });
});

test("a runaway loop keeps the page responsive and terminate() stops it", async () => {
  const result = await page.evaluate(async () => {
    const p = await ProcessWorker.create({ limits: { fuel: 1e15 } });
    const running = p.eval("while true do end").then(() => "finished", (e) => e.code);
    // The page keeps running timers while the worker spins.
    const ticks = await new Promise((resolve) => {
      let n = 0;
      const timer = setInterval(() => { n += 1; if (n === 5) { clearInterval(timer); resolve(n); } }, 20);
    });
    p.terminate();
    const code = await running;
    let after;
    try { await p.eval("return 1"); } catch (e) { after = e.code; }
    const fresh = await ProcessWorker.create();
    const again = (await fresh.eval("return 'alive'")).output;
    fresh.terminate();
    return { ticks, code, after, again };
  });
  assert.deepEqual(result, { ticks: 5, code: "TERMINATED", after: "TERMINATED", again: "alive" });
});

test("state in a worker: checkpoints, rollback, diffs, export into a new worker, fork", async () => {
  const result = await page.evaluate(async () => {
    const p = await ProcessWorker.create({ diff: true });
    await p.eval("Balances = { alice = 300 }");
    const cp = await p.checkpoint("start");
    const out = await p.send({ Tags: { Action: "Eval" }, Data: "Balances.alice = 200" });
    const hashAfter = await p.stateHash();
    const then = await p.inspect(["Balances"], { at: cp });
    await p.rollback(cp);
    const rolled = (await p.view(["Balances"])).Balances.alice;
    const doc = await p.exportState();
    const q = await ProcessWorker.fromState(doc);
    const same = (await q.stateHash()) === (await p.stateHash());
    const f = await p.fork();
    await f.eval("Balances.alice = 1");
    const independent = (await p.view(["Balances"])).Balances.alice;
    let bad;
    try { await ProcessWorker.fromState("{}"); } catch (e) { bad = e.code; }
    for (const w of [p, q, f]) w.terminate();
    return {
      diff: out.Diff, changed: hashAfter.length, then: then.entries[0].preview, rolled, same, independent, bad,
      notice: typeof out.find,
    };
  });
  assert.deepEqual(result, {
    diff: [{ path: "Balances.alice", old: 300, new: 200 }], changed: 64, then: "300", rolled: 300, same: true,
    independent: 300, bad: "BAD_STATE", notice: "function",
  });
});

test("a network in a worker: processes message each other, state round-trips, runaways stop", async () => {
  const result = await page.evaluate(async () => {
    const net = await NetworkWorker.create({ seed: "worker-net" });
    const a = await net.spawn({ tags: { Name: "a" } });
    const b = await net.spawn({ tags: { Name: "b" } });
    await net.eval(b, `Handlers.add("ping", "Ping", function(m) Pings = (Pings or 0) + 1; m.reply({ Action = "Pong" }) end)`);
    await net.eval(a, `Handlers.add("go", "Go", function(m) Send({ Target = m.Peer, Action = "Ping" }) end)
      Handlers.add("pong", "Pong", function(m) Pongs = (Pongs or 0) + 1 end)`);
    await net.message(a, { Tags: { Action: "Go", Peer: b } });
    const trace = await net.trace();
    const actions = trace.map((t) => t.action ?? t.kind);
    const pings = await net.getGlobal(b, "Pings");
    const pongs = await net.getGlobal(a, "Pongs");
    const hash = await net.stateHash();
    const cp = await net.checkpoint("after one round");
    await net.message(a, { Tags: { Action: "Go", Peer: b } });
    const twice = await net.getGlobal(b, "Pings");
    await net.rollback(cp);
    const back = await net.getGlobal(b, "Pings");
    const copy = await NetworkWorker.fromState(await net.exportState());
    const sameHash = (await copy.stateHash()) === (await net.stateHash());
    copy.terminate();
    // Two processes answering each other forever: the run's budget stops them.
    await net.eval(b, `Handlers.add("pong-back", "Pong", function(m) m.reply({ Action = "Pong" }) end)`);
    await net.eval(a, `Handlers.add("pong", "Pong", function(m) m.reply({ Action = "Pong" }) end)`);
    await net.setBudget(200);
    let code;
    try { await net.message(a, { Tags: { Action: "Go", Peer: b } }); } catch (e) { code = e instanceof Error && e.code; }
    const processes = (await net.processes()).length;
    net.terminate();
    let after;
    try { await net.processes(); } catch (e) { after = e.code; }
    return { actions, pings, pongs, hashLength: hash.length, twice, back, sameHash, code, processes, after,
      messenger: typeof net.messenger };
  });
  assert.deepEqual(result.pings, 1);
  assert.deepEqual(result.pongs, 1);
  assert.ok(result.actions.includes("Ping") && result.actions.includes("Pong"), JSON.stringify(result.actions));
  assert.equal(result.hashLength, 64);
  assert.equal(result.twice, 2);
  assert.equal(result.back, 1);
  assert.equal(result.sameHash, true);
  assert.equal(result.code, "BUDGET_EXCEEDED");
  assert.equal(result.processes, 2);
  assert.equal(result.after, "TERMINATED");
  assert.equal(result.messenger, "string");
});
