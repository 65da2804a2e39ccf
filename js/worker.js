// The Web Worker side of `aolite/worker`: hosts one process and answers calls from the
// page (see worker-client.js). Runs as a module worker.
import init, { Process } from "./browser.js";

let process = null;
const ready = init();

self.onmessage = async ({ data }) => {
  const { id, method, args } = data;
  try {
    await ready;
    let result;
    if (method === "create" || method === "importState" || method === "replay") {
      const made =
        method === "create" ? new Process(args[0] ?? {})
        : method === "importState" ? Process.importState(args[0], args[1] ?? {})
        : Process.replay(args[0] ?? {}, args[1] ?? []);
      process?.free?.();
      process = made;
      result = { id: process.id, owner: process.owner };
    } else {
      if (process === null) throw Object.assign(new Error("no process: call create first"), { code: "BAD_OPTIONS" });
      result = process[method](...args);
    }
    self.postMessage({ id, result });
  } catch (e) {
    self.postMessage({ id, error: { message: e?.message ?? String(e), code: e?.code ?? "LUA_ERROR", name: e?.name ?? "Error", chunk: e?.chunk, line: e?.line } });
  }
};
