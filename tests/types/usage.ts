// Type-checked (not run) by tests/js/types.test.mjs: the package's .d.ts must describe
// the API with real domain types.
import init, { Process, isPoisoned, runLua, stripAnsi } from "../../pkg/web/aolite.js";
import type {
  AoliteError, Change, Checkpoint, Diff, Env, ErrorCode, EvalOutput, Inspection, JsonValue, LogEntry, Message,
  MessageFilter, Outcome, OutMessage, ProcessOptions, StateDocument, Stats,
} from "../../pkg/web/aolite.js";

async function main(): Promise<void> {
  await init();
  const options: ProcessOptions = { owner: "wallet", tags: { Name: "demo" }, limits: { fuel: 1_000_000 } };
  const p = new Process(options);
  const message: Message = { From: "alice", Tags: { Action: "Ping" }, Data: { nested: [1, 2] } };
  const outcome: Outcome = p.send(message);
  const first: OutMessage | undefined = outcome.Messages[0];
  // A tag's value is what the process set: text usually, any JSON value for a table.
  const action: JsonValue | undefined = first?.Tags.find((t) => t.name === "Action")?.value;
  const gas: number = outcome.GasUsed;
  const printed: string | undefined = outcome.Output?.data;
  const env: Env = { Process: { Id: p.id, Owner: p.owner, Tags: [] }, Module: { Id: "m", Owner: "o", Tags: [] } };
  p.handle({ Id: "x", Tags: [{ name: "Action", value: "Eval" }], Data: "1" }, env);
  const dry: Outcome = p.dryRun({ Tags: [{ name: "Action", value: "Info" }] });
  const text: string = p.eval("return 1").output;
  const script = runLua("print(1)");
  const code: ErrorCode | undefined = script.code;
  try {
    p.eval("error('x')");
  } catch (e) {
    const err = e as AoliteError;
    const c: ErrorCode = err.code;
    console.log(c, err.message);
  }
  console.log(action, gas, printed, dry.Error, text, script.stdout, code);

  // The reading helpers the README documents.
  const filter: MessageFilter = { Action: "Pong", Target: "alice" };
  const found: OutMessage | undefined = outcome.find(filter);
  const all: OutMessage[] = outcome.filter({ Action: "Pong" });
  const tagValue: JsonValue | undefined = found?.tags.Action;
  const plainOutput: string = outcome.outputText;
  const plainError: string | undefined = outcome.errorText;
  // Host-level evaluation, and the plain text of eval output.
  const evaluated: EvalOutput = p.evaluate("return 1");
  const plainEval: string = p.eval("print(1)").text;
  const stripped: string = stripAnsi("\x1b[31mred\x1b[0m");
  const poisoned: boolean = isPoisoned();
  // aoconnect's input shapes.
  p.send({ process: p.id, tags: [{ name: "Action", value: "Ping" }], data: "hi" });
  try {
    p.eval("Owner = ''");
  } catch (e) {
    const notHandled: ErrorCode = (e as AoliteError).code;
    console.log(notHandled === "NOT_HANDLED");
  }
  console.log(all.length, tagValue, plainOutput, plainError, evaluated.output, plainEval, stripped, poisoned);

  // The state engine.
  const withDiff = new Process({ diff: true, log: true });
  const diff: Diff | undefined = withDiff.send(message).Diff;
  const change: Change | undefined = diff?.[0];
  const path: string | undefined = change?.path;
  const docText: string = p.exportState();
  const doc = JSON.parse(docText) as StateDocument;
  const format: "aolite-state/1" = doc.format;
  const nonce: number = doc.process.nonce;
  const copy: Process = Process.importState(docText, { diff: true });
  const hash: string = copy.stateHash();
  const id: number = p.checkpoint("start");
  const points: Checkpoint[] = p.checkpoints();
  p.rollback(id);
  p.dropCheckpoint(id);
  const fork: Process = p.fork();
  const log: LogEntry[] = p.history();
  const replayed: Process = Process.replay({ owner: "wallet" }, log);
  Process.replay({ state: docText }, log.slice(1));
  const stats: Stats = p.stats();
  const biggest: string | undefined = stats.globals.filter((g) => g.user).sort((a, b) => b.bytes - a.bytes)[0]?.name;
  const page: Inspection = p.inspect(["Balances"], { offset: 0, limit: 50, search: "al", at: id });
  const next: Inspection = p.inspect(["Balances", page.entries[0]!.step]);
  const data: Record<string, unknown> = p.view(["Balances"]);
  console.log(path, format, nonce, hash, points.length, fork.id, replayed.id, biggest, next.count, data, stats.heapBytes);
}

void main;

import { ProcessWorker, NetworkWorker } from "../../pkg/worker-client.js";

async function inWorker(): Promise<void> {
  const w: ProcessWorker = await ProcessWorker.create({ diff: true });
  const out: Outcome = await w.send({ Tags: { Action: "Ping" } });
  const cp: number = await w.checkpoint("a");
  await w.rollback(cp);
  const copy: ProcessWorker = await w.fork();
  const page: Inspection = await copy.inspect([], { limit: 10 });
  console.log(out.Diff, page.count);
  w.terminate();
}

void inWorker;

async function networkInWorker(): Promise<void> {
  const net: NetworkWorker = await NetworkWorker.create({ seed: "w" });
  const a: string = await net.spawn({ tags: { Name: "a" } });
  const out: Outcome = await net.eval(a, "return 1");
  const delivered: number = await net.run();
  const trace = await net.trace();
  const first: string | undefined = trace[0]?.action;
  const copy: NetworkWorker = await net.fork();
  const same: boolean = (await copy.stateHash()) === (await net.stateHash());
  console.log(out.Output, delivered, first, same, net.messenger, await net.clock());
  net.terminate();
}

void networkInWorker;

import { Network } from "../../pkg/web/aolite.js";
import type { Explored, ExternalMessage, NetworkCheckpoint, NetworkLog, NetworkOptions, PendingMessage, TraceEntry } from "../../pkg/web/aolite.js";
import { connect, createDataItemSigner } from "../../pkg/aoconnect.js";
import type { MessageResult } from "../../pkg/aoconnect.js";

async function network(): Promise<void> {
  const options: NetworkOptions = { seed: "demo", budget: 1000, log: true };
  const net = new Network(options);
  const token: string = net.spawn({ tags: { Name: "token" } });
  const out: Outcome = net.eval(token, "return 1");
  const id: string = net.message(token, { Tags: { Action: "Info" } });
  const entry: TraceEntry | undefined = net.result(id);
  const pending: PendingMessage[] = net.pending();
  if (pending[0]) net.hold(pending[0].seq);
  const trace: TraceEntry[] = net.trace();
  const outbox: ExternalMessage[] = net.outbox();
  const cp: number = net.checkpoint("start");
  const points: NetworkCheckpoint[] = net.checkpoints();
  net.rollback(cp);
  const copy: Network = Network.importState(net.exportState());
  const ticks: number = net.advance(60_000);
  const found: Explored[] = net.explore({ runs: 4, observe: [{ process: token, globals: ["Balances"] }] });
  console.log(out.Output, entry?.cause, trace.length, outbox[0]?.reason, points, copy.stateHash(), ticks, found[0]?.order);
  const request: string = net.monitor(token);
  const monitored: boolean = net.isMonitored(token);
  net.unmonitor(token);
  const log: NetworkLog | undefined = net.log();
  if (log) {
    const again: Network = Network.replay(log);
    console.log(request, monitored, log.steps[0]?.hash, log.actions[0]?.op, again.stateHash());
  }

  const ao = connect({ seed: "demo" });
  const signer = createDataItemSigner("wallet-address");
  const process: string = await ao.spawn({ module: "m", signer, tags: [{ name: "Name", value: "x" }] });
  const message: string = await ao.message({ process, signer, tags: [{ name: "Action", value: "Ping" }] });
  const res: MessageResult = await ao.result({ process, message });
  const dry: MessageResult = await ao.dryrun({ process, tags: [] });
  const monitorId: string = await ao.monitor({ process, signer });
  const unmonitorId: string = await ao.unmonitor({ process, signer });
  console.log(res.Messages.length, dry.Error, ao.network?.processes(), monitorId, unmonitorId);
}

void network;
