// `aolite/worker`: a process in a Web Worker behind promises, so a long computation never
// freezes the page, and `terminate()` stops it at once (the process is then gone).
//
//   import { ProcessWorker } from "aolite/worker";
//   const p = await ProcessWorker.create({ owner: "me" });
//   const outcome = await p.send({ Tags: { Action: "Ping" } });
//   p.terminate();

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

export class ProcessWorker {
  #worker;
  #pending = new Map();
  #next = 0;
  #ended = null;
  #workerUrl;

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
    // The literal `new Worker(new URL("./worker.js", import.meta.url), ...)` form is what
    // bundlers (Vite, webpack) recognise to bundle worker.js and its wasm along with the page.
    const worker = workerUrl
      ? new Worker(workerUrl, { type: "module" })
      : new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
    const pw = new ProcessWorker(worker);
    pw.#workerUrl = workerUrl;
    let made;
    try {
      made = await pw.#call(method, args);
    } catch (e) {
      worker.terminate();
      throw e;
    }
    const { id, owner } = made;
    pw.id = id;
    pw.owner = owner;
    return pw;
  }

  #call(method, args) {
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
  terminate() {
    this.#worker.terminate();
    this.#end({ message: "the process worker was terminated", code: "TERMINATED", name: "AoliteError" });
  }
}
