// `aolite/worker`: a process, or a whole network of processes, in a Web Worker behind
// promises, so a long computation never freezes the page, and `terminate()` stops it at once
// (the process or network is then gone).
//
//   import { ProcessWorker, NetworkWorker } from "aolite/worker";
//   const p = await ProcessWorker.create({ owner: "me" });
//   const outcome = await p.send({ Tags: { Action: "Ping" } });
//   p.terminate();
//
//   const net = await NetworkWorker.create({ seed: "demo" });
//   const token = await net.spawn({ tags: { Name: "token" } });

import { decorate, decorateEval } from "./outcome.js";

function rebuild(error) {
  const err = new Error(error.message);
  err.name = error.name ?? "AoliteError";
  err.code = error.code;
  // Where an OUT_OF_FUEL loop was running, when known.
  if (error.chunk !== undefined) err.chunk = error.chunk;
  if (error.line !== undefined) err.line = error.line;
  return err;
}

// The page side of one worker: numbered calls and their promises.
class Channel {
  #worker;
  #pending = new Map();
  #next = 0;
  #ended = null;

  constructor(worker) {
    this.#worker = worker;
    worker.onmessage = ({ data }) => {
      const call = this.#pending.get(data.id);
      if (!call) return;
      this.#pending.delete(data.id);
      if (data.error) call.reject(rebuild(data.error));
      else call.resolve(data.result);
    };
    worker.onerror = (event) => {
      this.#end({ message: `worker failed: ${event.message ?? "unknown error"}`, code: "POISONED" });
    };
  }

  static start(workerUrl) {
    // The literal `new Worker(new URL("./worker.js", import.meta.url), ...)` form is what
    // bundlers (Vite, webpack) recognise to bundle worker.js and its wasm along with the page.
    const worker = workerUrl
      ? new Worker(workerUrl, { type: "module" })
      : new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
    return new Channel(worker);
  }

  call(method, args) {
    if (this.#ended) return Promise.reject(rebuild(this.#ended));
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, method, args });
    });
  }

  #end(error) {
    this.#ended = error;
    for (const call of this.#pending.values()) call.reject(rebuild(error));
    this.#pending.clear();
  }

  terminate(what) {
    this.#worker.terminate();
    this.#end({ message: `the ${what} worker was terminated`, code: "TERMINATED", name: "AoliteError" });
  }
}

export class ProcessWorker {
  #channel;
  #workerUrl;

  /** Starts a worker and spawns a process in it. `workerUrl` overrides where worker.js is. */
  static async create(options = {}, { workerUrl } = {}) {
    return ProcessWorker.#start("create", [options], workerUrl);
  }

  /** Starts a worker holding a process rebuilt from a state document (`exportState`). */
  static async fromState(doc, options = {}, { workerUrl } = {}) {
    return ProcessWorker.#start("importState", [doc, options], workerUrl);
  }

  /** Starts a worker holding a process rebuilt by replaying a message log. */
  static async replay(start, log, { workerUrl } = {}) {
    return ProcessWorker.#start("replay", [start, log], workerUrl);
  }

  static async #start(method, args, workerUrl) {
    const channel = Channel.start(workerUrl);
    const pw = new ProcessWorker();
    pw.#channel = channel;
    pw.#workerUrl = workerUrl;
    let made;
    try {
      made = await channel.call(method, args);
    } catch (e) {
      channel.terminate("process");
      throw e;
    }
    pw.id = made.id;
    pw.owner = made.owner;
    return pw;
  }

  #call(method, args) { return this.#channel.call(method, args); }

  eval(source) { return this.#call("eval", [source]).then(decorateEval); }
  evaluate(source) { return this.#call("evaluate", [source]).then(decorateEval); }
  send(message) { return this.#call("send", [message]).then(decorate); }
  dryRun(message) { return this.#call("dryRun", [message]).then(decorate); }
  handle(message, env) { return this.#call("handle", [message, env]).then(decorate); }
  getGlobal(name) { return this.#call("getGlobal", [name]); }
  evalOutcome(source) { return this.#call("evalOutcome", [source]).then(decorate); }
  exportState(at) { return this.#call("exportState", [at]); }
  stateHash(at) { return this.#call("stateHash", [at]); }
  checkpoint(name) { return this.#call("checkpoint", [name]); }
  rollback(id) { return this.#call("rollback", [id]); }
  dropCheckpoint(id) { return this.#call("dropCheckpoint", [id]); }
  checkpoints() { return this.#call("checkpoints", []); }
  history() { return this.#call("history", []); }
  setDiff(on) { return this.#call("setDiff", [on]); }
  stats(at) { return this.#call("stats", [at]); }
  view(names) { return this.#call("view", [names]); }
  inspect(path, options) { return this.#call("inspect", [path, options]); }

  /** An independent copy of this process (as it was at checkpoint `at`), in a new worker. */
  async fork(options = {}, at) {
    return ProcessWorker.fromState(await this.exportState(at), options, { workerUrl: this.#workerUrl });
  }

  /** Stops the worker now; calls in flight and later calls reject with code `TERMINATED`. */
  terminate() { this.#channel.terminate("process"); }
}

// Trace entries and results carry outcomes: give them the same reading helpers.
const withOutcome = (entry) => {
  if (entry && typeof entry === "object" && entry.outcome) decorate(entry.outcome);
  return entry;
};

/** A network of processes (`Network`) in a Web Worker: every method returns a promise. */
export class NetworkWorker {
  #channel;
  #workerUrl;

  /** Starts a worker holding a new network (`NetworkOptions`). */
  static async create(options = {}, { workerUrl } = {}) {
    return NetworkWorker.#start("createNetwork", [options], workerUrl);
  }

  /** Starts a worker holding a network rebuilt from its document (`exportState`). */
  static async fromState(doc, { workerUrl } = {}) {
    return NetworkWorker.#start("importNetwork", [doc], workerUrl);
  }

  /** Starts a worker holding a network rebuilt from its log, checked step by step. */
  static async replay(log, { workerUrl } = {}) {
    return NetworkWorker.#start("replayNetwork", [log], workerUrl);
  }

  static async #start(method, args, workerUrl) {
    const channel = Channel.start(workerUrl);
    const nw = new NetworkWorker();
    nw.#channel = channel;
    nw.#workerUrl = workerUrl;
    let made;
    try {
      made = await channel.call(method, args);
    } catch (e) {
      channel.terminate("network");
      throw e;
    }
    nw.messenger = made.messenger;
    return nw;
  }

  #call(method, args) { return this.#channel.call(method, args); }

  clock() { return this.#call("clock", []); }
  spawn(options) { return this.#call("spawn", [options]); }
  send(target, message) { return this.#call("send", [target, message]); }
  message(target, message) { return this.#call("message", [target, message]); }
  assign(process, id) { return this.#call("assign", [process, id]); }
  eval(target, source) { return this.#call("eval", [target, source]).then(decorate); }
  dryRun(target, message) { return this.#call("dryRun", [target, message]).then(decorate); }
  run(budget) { return this.#call("run", [budget]); }
  step() { return this.#call("step", []).then(withOutcome); }
  pending() { return this.#call("pending", []); }
  hold(seq) { return this.#call("hold", [seq]); }
  release(seq) { return this.#call("release", [seq]); }
  drop(seq) { return this.#call("drop", [seq]); }
  reorder(seqs) { return this.#call("reorder", [seqs]); }
  advance(ms) { return this.#call("advance", [ms]); }
  setBudget(max) { return this.#call("setBudget", [max]); }
  monitor(id) { return this.#call("monitor", [id]); }
  unmonitor(id) { return this.#call("unmonitor", [id]); }
  isMonitored(id) { return this.#call("isMonitored", [id]); }
  startLog() { return this.#call("startLog", []); }
  log() { return this.#call("log", []); }
  processes() { return this.#call("processes", []); }
  parent(id) { return this.#call("parent", [id]); }
  result(id) { return this.#call("result", [id]).then(withOutcome); }
  trace(from) { return this.#call("trace", [from]).then((t) => t.map(withOutcome)); }
  outbox(from) { return this.#call("outbox", [from]); }
  getGlobal(id, name) { return this.#call("getGlobal", [id, name]); }
  view(id, names) { return this.#call("view", [id, names]); }
  exportProcess(id) { return this.#call("exportProcess", [id]); }
  explore(options) { return this.#call("explore", [options]); }
  checkpoint(name) { return this.#call("checkpoint", [name]); }
  checkpoints() { return this.#call("checkpoints", []); }
  rollback(id) { return this.#call("rollback", [id]); }
  dropCheckpoint(id) { return this.#call("dropCheckpoint", [id]); }
  exportState() { return this.#call("exportState", []); }
  stateHash() { return this.#call("stateHash", []); }

  /** An independent copy of this network, in a new worker. */
  async fork() {
    return NetworkWorker.fromState(await this.exportState(), { workerUrl: this.#workerUrl });
  }

  /** Stops the worker now; calls in flight and later calls reject with code `TERMINATED`. */
  terminate() { this.#channel.terminate("network"); }
}
