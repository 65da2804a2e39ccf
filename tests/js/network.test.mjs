// The local network from JS: the `Network` class, and the aoconnect adapter driven only
// through aoconnect's API (spawn, message, result, dryrun), as an app written for
// @permaweb/aoconnect would use it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Network } from "../../pkg/node.js";
import { connect, createDataItemSigner } from "../../pkg/aoconnect.mjs";
import { read } from "./helpers.mjs";

const AOS_MODULE = "ISShJH1ij-hPPt9St5UFFr_8Ys3Kj5cyg7zrMGt7H9s";
const tags = (obj) => Object.entries(obj).map(([name, value]) => ({ name, value }));
const tag = (msg, name) => msg.Tags.find((t) => t.name === name)?.value;

async function tokenAndEscrow(signer) {
  const ao = connect();
  const evalIn = async (process, data) => {
    const id = await ao.message({ process, signer, tags: tags({ Action: "Eval" }), data });
    const res = await ao.result({ process, message: id });
    assert.equal(res.Error, undefined, res.Error);
  };
  const token = await ao.spawn({ module: AOS_MODULE, signer, tags: tags({ Name: "token" }) });
  await evalIn(token, read("examples/token.lua"));
  const escrow = await ao.spawn({ module: AOS_MODULE, signer, tags: tags({ Name: "escrow" }) });
  await evalIn(escrow, read("examples/escrow.lua"));
  await evalIn(escrow, `Token = '${token}'; Beneficiary = 'bob'`);
  const transfer = await ao.message({
    process: token,
    signer,
    tags: tags({ Action: "Transfer", Recipient: escrow, Quantity: "1000" }),
  });
  return { ao, token, escrow, transfer };
}

test("aoconnect: a token pays an escrow, which pays on", async () => {
  const signer = createDataItemSigner("alice-wallet-00000000000000000000000000000");
  const { ao, token, escrow, transfer } = await tokenAndEscrow(signer);
  const res = await ao.result({ process: token, message: transfer });
  assert.equal(res.Error, undefined);
  const debit = res.Messages.find((m) => tag(m, "Action") === "Debit-Notice");
  assert.equal(debit.Target, "alice-wallet-00000000000000000000000000000");
  // The pushed messages were delivered before `message` resolved.
  const balance = await ao.dryrun({ process: token, tags: tags({ Action: "Balance", Recipient: "bob" }) });
  assert.equal(balance.Messages[0].Data, "990");
  const fees = await ao.dryrun({ process: escrow, tags: tags({ Action: "Eval" }), data: "Fees", Owner: "alice-wallet-00000000000000000000000000000" });
  assert.equal(fees.Output.data, "10");
  const { edges } = await ao.results({ process: escrow });
  assert.ok(edges.some((e) => e.node.Messages.some((m) => tag(m, "Action") === "Transfer")));
  // Assigned to the escrow, the transfer is refused by aos (no assignable matches it).
  assert.equal(await ao.assign({ process: escrow, message: transfer }), transfer);
  const assigned = ao.network.trace().at(-1);
  assert.equal(assigned.kind, "assignment");
  assert.match(assigned.outcome.Output.data, /Assignment is not trusted/);
});

test("aoconnect: the same scenario gives the same ids and network", async () => {
  const jwk = { kty: "RSA", e: "AQAB", n: "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaJ-TtkRY6kP5mL5pe0kV1r_jyS0rmDhPB_NI1cd1swgtHZ_7FE7EzvcRFsWwo9x-MlI1M0DVO_rLfgP7ZzJs0A4FGKGe8ZVXa1Aq-E0O3XQ" };
  const signer = createDataItemSigner(jwk);
  const one = await tokenAndEscrow(signer);
  const two = await tokenAndEscrow(signer);
  assert.deepEqual([one.token, one.escrow, one.transfer], [two.token, two.escrow, two.transfer]);
  assert.equal(one.ao.network.stateHash(), two.ao.network.stateHash());
  // The address is base64url(sha256(n)), as Arweave derives it.
  const res = await one.ao.result({ process: one.token, message: one.transfer });
  const debit = res.Messages.find((m) => tag(m, "Action") === "Debit-Notice");
  assert.equal(debit.Target.length, 43);
});

test("aoconnect: a factory waits on Spawn().receive()", async () => {
  const ao = connect();
  const factory = await ao.spawn({ module: AOS_MODULE });
  const load = await ao.message({
    process: factory,
    tags: tags({ Action: "Eval" }),
    data: `Handlers.add("make", "Make", function(msg)
      local child = Spawn(ao._module, { Data = "Ready = true", ["On-Boot"] = "Data",
        Authority = ao.authorities[1] }).receive()
      msg.reply({ Data = child.Process })
    end)`,
  });
  assert.equal((await ao.result({ process: factory, message: load })).Error, undefined);
  const make = await ao.message({ process: factory, tags: tags({ Action: "Make" }) });
  // The first part of the handler ran in `make`; its reply came with the Spawned notice.
  const made = await ao.result({ process: factory, message: make });
  assert.equal(made.Spawns.length, 1);
  const child = ao.network.processes()[1];
  assert.equal(ao.network.parent(child), factory);
  assert.equal(ao.network.getGlobal(child, "Ready"), true);
  const notice = ao.network.trace().find((e) => e.action === "Spawned");
  assert.equal(notice.from, factory);
  assert.equal(notice.outcome.Messages[0].Data, child);
});

test("Network: runaway ping-pong stops with BUDGET_EXCEEDED, and the network rolls back", () => {
  const net = new Network({ budget: 40 });
  const pingPong = `Handlers.add("ping", "Ping", function(m) ao.send({ Target = m.From, Action = "Ping" }) end)`;
  const a = net.spawn({});
  const b = net.spawn({});
  net.eval(a, pingPong);
  net.eval(b, pingPong);
  const cp = net.checkpoint("quiet");
  const hash = net.stateHash();
  assert.throws(() => net.message(a, { From: b, Tags: { Action: "Ping" } }), (e) => {
    assert.equal(e.code, "BUDGET_EXCEEDED");
    assert.match(e.message, /Action Ping/);
    return true;
  });
  assert.equal(net.pending().length, 1);
  net.rollback(cp);
  assert.equal(net.pending().length, 0);
  assert.equal(net.stateHash(), hash);
  const copy = Network.importState(net.exportState());
  assert.equal(copy.stateHash(), hash);
  assert.ok(copy instanceof Network);
});

test("Network: bad options throw a coded error, not a poisoned instance", () => {
  assert.throws(() => new Network({ bogus: 1 }), (e) => e.code === "BAD_OPTIONS" && /bogus/.test(e.message));
  const net = new Network();
  assert.throws(() => net.message("nobody", {}), (e) => e.code === "BAD_MESSAGE");
  assert.equal(net.processes().length, 0);
});

test("Network: cron ticks when the clock advances", () => {
  const net = new Network();
  const p = net.spawn({ tags: { "Cron-Interval": "1-minute", "Cron-Tag-Action": "Tick" } });
  net.eval(p, `Ticks = 0 Handlers.add("tick", "Tick", function() Ticks = Ticks + 1 end)`);
  assert.equal(net.advance(150_000), 2);
  net.run();
  assert.equal(net.getGlobal(p, "Ticks"), 2);
  assert.equal(net.trace().filter((e) => e.kind === "cron").length, 2);
});

test("Network: explore finds an order-dependent bug", () => {
  const net = new Network();
  const bank = net.spawn({});
  net.eval(bank, `Balance = 0 Refused = 0
    Handlers.add("deposit", "Deposit", function(m) Balance = Balance + 10 end)
    Handlers.add("withdraw", "Withdraw", function(m)
      if Balance < 10 then Refused = Refused + 1 else Balance = Balance - 10 end
    end)`);
  net.send(bank, { Tags: { Action: "Deposit" } });
  net.send(bank, { Tags: { Action: "Withdraw" } });
  const hash = net.stateHash();
  const found = net.explore({ runs: 8, seed: 3, observe: [{ process: bank, globals: ["Balance", "Refused"] }] });
  assert.equal(found.length, 2);
  assert.deepEqual(found[0].observation, { [bank]: { Balance: 0, Refused: 0 } });
  assert.deepEqual(found[1].observation, { [bank]: { Balance: 10, Refused: 1 } });
  assert.match(found[1].order[0], /\(Withdraw\)$/);
  assert.equal(net.stateHash(), hash);
});

test("the Node CLI runs the network scenarios as the native one does", async () => {
  const { spawnSync } = await import("node:child_process");
  const { readdirSync } = await import("node:fs");
  const { ROOT } = await import("./helpers.mjs");
  const names = readdirSync(`${ROOT}examples`).filter((f) => f.endsWith(".scenario.json"));
  assert.deepEqual(names.sort(), ["escrow.scenario.json", "peers.scenario.json"]);
  for (const file of names) {
    const r = spawnSync(process.execPath, [`${ROOT}pkg/cli.mjs`, "net", `examples/${file}`], {
      cwd: ROOT,
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, read(`tests/data/examples/${file.replace(".json", ".jsonl")}`), file);
  }
});

test("aoconnect: monitor makes the messenger push what cron ticks send; unmonitor stops it", async () => {
  const ao = connect();
  const signer = createDataItemSigner("alice-wallet-00000000000000000000000000000");
  const peer = await ao.spawn({ module: AOS_MODULE, signer, tags: tags({ Name: "peer" }) });
  const load = await ao.message({
    process: peer,
    signer,
    tags: tags({ Action: "Eval" }),
    data: `Beats = 0 Handlers.add("beat", "Beat", function() Beats = Beats + 1 end)`,
  });
  assert.equal((await ao.result({ process: peer, message: load })).Error, undefined);
  const clock = await ao.spawn({
    module: AOS_MODULE,
    signer,
    tags: tags({ Name: "clock", "Cron-Interval": "10-seconds", "Cron-Tag-Action": "Tick" }),
  });
  const setup = await ao.message({
    process: clock,
    signer,
    tags: tags({ Action: "Eval" }),
    data: `Ticks = 0 Handlers.add("tick", "Tick", function() Ticks = Ticks + 1; ao.send({ Target = "${peer}", Action = "Beat" }) end)`,
  });
  assert.equal((await ao.result({ process: clock, message: setup })).Error, undefined);
  const beats = async () =>
    (await ao.dryrun({ process: peer, tags: tags({ Action: "Eval" }), data: "Beats", Owner: "alice-wallet-00000000000000000000000000000" })).Output.data;
  const net = ao.network;
  // Not monitored: the ticks run, what they send stays in the outbox, marked.
  net.advance(20_000);
  net.run();
  assert.equal(net.getGlobal(clock, "Ticks"), 2);
  assert.equal(await beats(), "0");
  assert.equal(net.outbox().filter((o) => /not monitored/.test(o.reason ?? "")).length, 2);
  // Monitored: the Beats are pushed.
  const id = await ao.monitor({ process: clock, signer });
  assert.equal(typeof id, "string");
  assert.equal(id.length, 43);
  assert.equal(net.isMonitored(clock), true);
  await assert.rejects(ao.monitor({ process: clock, signer }), /already monitored/);
  net.advance(30_000);
  net.run();
  assert.equal(await beats(), "3");
  // Unmonitored: the ticks go on, the Beats stop.
  assert.equal((await ao.unmonitor({ process: clock, signer })).length, 43);
  await assert.rejects(ao.unmonitor({ process: clock, signer }), /not monitored/);
  net.advance(10_000);
  net.run();
  assert.equal(net.getGlobal(clock, "Ticks"), 6);
  assert.equal(await beats(), "3");
});

test("Network: a logged network replays, and a tampered log is reported at the step that diverges", () => {
  const net = new Network({ seed: "logged", log: true });
  const bank = net.spawn({});
  net.eval(bank, `Balance = 0 Handlers.add("deposit", "Deposit", function(m) Balance = Balance + tonumber(m.Amount) end)`);
  const ids = [];
  for (const amount of ["5", "7", "11"]) ids.push(net.message(bank, { Tags: { Action: "Deposit", Amount: amount } }));
  assert.equal(net.getGlobal(bank, "Balance"), 23);
  const log = net.log();
  assert.equal(log.format, "aolite-network-log/1");
  assert.equal(log.steps.length, net.trace().length);
  const copy = Network.replay(log);
  assert.equal(copy.stateHash(), net.stateHash());
  assert.ok(copy instanceof Network);
  // The second deposit changed in the log: the replay stops at its delivery.
  const tampered = structuredClone(log);
  const send = tampered.actions.filter((a) => a.op === "send")[2];
  send.message.Tags.find((t) => t.name === "Amount").value = "8";
  const step = net.result(ids[1]).step;
  assert.throws(() => Network.replay(tampered), (e) => {
    assert.equal(e.code, "REPLAY_MISMATCH");
    assert.match(e.message, new RegExp(`step ${step}: process ${bank} has state hash`));
    assert.match(e.message, new RegExp(ids[1]));
    return true;
  });
  // A recorded hash changed: reported at that step.
  const forged = structuredClone(log);
  forged.steps[1].hash = "0".repeat(64);
  assert.throws(() => Network.replay(forged), (e) => e.code === "REPLAY_MISMATCH" && new RegExp(`step ${forged.steps[1].step}:`).test(e.message));
  // Logging started later replays from that state.
  const later = new Network({ seed: "later" });
  const p = later.spawn({});
  later.eval(p, "X = 1");
  assert.equal(later.log(), undefined);
  later.startLog();
  later.eval(p, "X = X + 1");
  assert.equal(Network.replay(later.log()).stateHash(), later.stateHash());
});
