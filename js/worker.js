// The Web Worker side of `aolite/worker`: hosts one process or one network and answers calls
// from the page (see worker-client.js). Runs as a module worker.
import init, { Network, Process } from "./browser.js";

let host = null;
const ready = init();

// The calls that make the worker's object; every other call goes to that object.
const makers = {
  create: (options) => new Process(options ?? {}),
  importState: (doc, options) => Process.importState(doc, options ?? {}),
  replay: (start, log) => Process.replay(start ?? {}, log ?? []),
  createNetwork: (options) => new Network(options ?? {}),
  importNetwork: (doc) => Network.importState(doc),
  replayNetwork: (log) => Network.replay(log),
};

// Read-only properties the page asks for as calls.
const GETTERS = new Set(["clock", "messenger", "id", "owner"]);

self.onmessage = async ({ data }) => {
  const { id, method, args } = data;
  try {
    await ready;
    let result;
    if (Object.hasOwn(makers, method)) {
      const made = makers[method](...args);
      host?.free?.();
      host = made;
      result = made instanceof Process ? { id: made.id, owner: made.owner } : { messenger: made.messenger };
    } else {
      if (host === null) throw Object.assign(new Error("nothing to call: create a process or a network first"), { code: "BAD_OPTIONS" });
      const member = host[method];
      if (typeof member === "function" && method !== "free" && method !== "fork") {
        result = member.apply(host, args);
      } else if (GETTERS.has(method)) {
        result = member;
      } else {
        throw Object.assign(new Error(`unknown method ${method}`), { code: "BAD_OPTIONS" });
      }
    }
    self.postMessage({ id, result });
  } catch (e) {
    self.postMessage({ id, error: { message: e?.message ?? String(e), code: e?.code ?? "LUA_ERROR", name: e?.name ?? "Error", chunk: e?.chunk, line: e?.line } });
  }
};
