// `aolite/worker`: a process in a Web Worker behind promises, so a long computation never
// freezes the page, and `terminate()` stops it at once (the process is then gone).
//
//   import { ProcessWorker } from "aolite/worker";
//   const p = await ProcessWorker.create({ owner: "me" });
//   const outcome = await p.send({ Tags: { Action: "Ping" } });
//   p.terminate();

function rebuild(error) {
  const err = new Error(error.message);
  err.name = error.name ?? "AoliteError";
  err.code = error.code;
  return err;
}

export class ProcessWorker {
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

  /** Starts a worker and spawns a process in it. `workerUrl` overrides where worker.js is. */
  static async create(options = {}, { workerUrl } = {}) {
    // The literal `new Worker(new URL("./worker.js", import.meta.url), ...)` form is what
    // bundlers (Vite, webpack) recognise to bundle worker.js and its wasm along with the page.
    const worker = workerUrl
      ? new Worker(workerUrl, { type: "module" })
      : new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
    const pw = new ProcessWorker(worker);
    const { id, owner } = await pw.#call("create", [options]);
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

  eval(source) { return this.#call("eval", [source]); }
  send(message) { return this.#call("send", [message]); }
  dryRun(message) { return this.#call("dryRun", [message]); }
  handle(message, env) { return this.#call("handle", [message, env]); }
  getGlobal(name) { return this.#call("getGlobal", [name]); }

  /** Stops the worker now; calls in flight and later calls reject with code `TERMINATED`. */
  terminate() {
    this.#worker.terminate();
    this.#end({ message: "the process worker was terminated", code: "TERMINATED", name: "AoliteError" });
  }
}
