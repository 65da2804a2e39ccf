// Poison guard: a Rust panic inside wasm traps (`RuntimeError: unreachable`) and leaves the
// module's memory in an unknown state, and wasm-bindgen then reports confusing errors on
// every later call. The guard turns the first such fault into an `Error` with code
// `POISONED`, and makes every later call on any process of this module fail the same way,
// saying what happened. Errors aolite raises on purpose (with a `code`) pass through.

import { decorate, decorateEval } from "./outcome.js";
import { plainCopy } from "./plain_copy.js";

// What the wasm conversion of a message accepts: src/wasm/mod.rs (`MAX_MESSAGE_DEPTH`,
// `MAX_JS_CONTAINERS`).
const MAX_DEPTH = 200;
const MAX_CONTAINERS = 1000000;

// `{ text }`, `value` as JSON text, when that text reads in the engine exactly as the value
// itself would (see plain_copy.js) and nests less deeply than serde_json's limit of 128;
// otherwise `{ value }` for the usual conversion (with its checks and errors): the copy just
// made when it succeeded, so the caller's getters and proxy traps still run once, or the value
// as given when the copy refused it (the conversion then refuses it with its own error).
function asText(value) {
  if (value === undefined || value === null) return { value };
  const copy = plainCopy(value, MAX_DEPTH, MAX_CONTAINERS);
  if (copy.kind !== "ok") return { value };
  return copy.json && copy.depth < 100 ? { text: JSON.stringify(copy.value) } : { value: copy.value };
}

export function poisonGuard(mod) {
  let fault = null;

  const poisoned = () => {
    const err = new Error(
      `aolite instance poisoned by an earlier internal fault (${fault}); create a new instance by reloading the module`,
    );
    err.name = "AoliteError";
    err.code = "POISONED";
    return err;
  };

  const call = (fn) => {
    if (fault !== null) throw poisoned();
    try {
      return fn();
    } catch (e) {
      if (e && typeof e.code === "string") throw e;
      fault = e && e.message ? `${e.name ?? "Error"}: ${e.message}` : String(e);
      throw poisoned();
    }
  };

  class Process extends mod.Process {
    constructor(options) {
      if (fault !== null) throw poisoned();
      try {
        super(options);
      } catch (e) {
        if (e && typeof e.code === "string") throw e;
        fault = e && e.message ? `${e.name ?? "Error"}: ${e.message}` : String(e);
        throw poisoned();
      }
    }
  }
  // Processes the module makes itself (`importState`, `replay`, `fork`) become instances of
  // the exported class too, so `instanceof Process` holds for them.
  const adopt = (r) => (r instanceof mod.Process ? Object.setPrototypeOf(r, Process.prototype) : r);
  // Guard the methods on the generated prototype itself: instances made by `importState`,
  // `replay` and `fork` are instances of the generated class, not of the subclass. Methods
  // named in `decorated` return outcomes, those in `evals` eval results; the others may
  // return instances to adopt.
  // Methods named in `parsed` return JSON text (`json_js` in src/wasm/mod.rs), parsed here.
  const guardMethods = (proto, decorated, adoptResult, evals = [], parsed = []) => {
    const raw = {};
    for (const name of Object.getOwnPropertyNames(proto)) raw[name] = Object.getOwnPropertyDescriptor(proto, name).value;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const desc = Object.getOwnPropertyDescriptor(proto, name);
      if (name === "constructor" || name === "free" || typeof desc.value !== "function") continue;
      const original = desc.value;
      const decorates = decorated.includes(name);
      const parses = parsed.includes(name);
      // `send(m)`, `dryRun(m)`, `handle(m, env)` with plain JSON arguments go in as JSON text.
      const textual = typeof raw[`${name}Text`] === "function" ? raw[`${name}Text`] : undefined;
      Object.defineProperty(proto, name, {
        value: function (...args) {
          const given = textual && args.length === textual.length ? args.map(asText) : undefined;
          const r = given === undefined
            ? call(() => original.apply(this, args))
            : given.every((g) => g.text !== undefined)
              ? call(() => textual.apply(this, given.map((g) => g.text)))
              : call(() => original.apply(this, given.map((g) => g.value)));
          // Outcomes and the `parsed` methods' values cross from wasm as JSON text.
          if (decorates || parses) {
            const value = typeof r === "string" ? JSON.parse(r) : r;
            return decorates ? decorate(value) : value;
          }
          return evals.includes(name) ? decorateEval(r) : adoptResult(r);
        },
        writable: true,
        configurable: true,
      });
    }
  };
  guardMethods(mod.Process.prototype, ["send", "dryRun", "handle", "evalOutcome"], adopt, ["eval", "evaluate"],
    ["getGlobal", "checkpoints", "history", "stats", "view", "inspect"]);
  for (const name of ["importState", "replay"]) {
    const original = mod.Process[name];
    Object.defineProperty(Process, name, {
      value: (...args) => adopt(call(() => original.apply(mod.Process, args))),
      writable: true,
      configurable: true,
    });
  }
  const Console = mod.Console && class extends mod.Console {
    constructor(options) {
      if (fault !== null) throw poisoned();
      super(options);
    }
  };
  for (const name of Console ? ["line", "evalSource", "loadSource", "importSource", "prompt", "endOfInput", "cancel", "setInterrupt"] : []) {
    const original = mod.Console.prototype[name];
    Object.defineProperty(mod.Console.prototype, name, {
      value: function (...args) {
        return call(() => original.apply(this, args));
      },
      writable: true,
      configurable: true,
    });
  }
  if (Console) {
    const original = mod.Console.fromState;
    Object.defineProperty(Console, "fromState", {
      value: (...args) => Object.setPrototypeOf(call(() => original.apply(mod.Console, args)), Console.prototype),
      writable: true,
      configurable: true,
    });
  }
  const Network = mod.Network && class extends mod.Network {
    constructor(options) {
      call(() => super(options));
    }
  };
  if (Network) {
    // Networks made by `importState`, `replay` and `fork` become instances of the exported class.
    const adoptNet = (r) => (r instanceof mod.Network ? Object.setPrototypeOf(r, Network.prototype) : r);
    guardMethods(mod.Network.prototype, ["eval", "dryRun"], adoptNet, [],
      ["step", "pending", "log", "result", "trace", "outbox", "getGlobal", "view", "explore", "checkpoints"]);
    for (const name of ["importState", "replay"]) {
      const original = mod.Network[name];
      Object.defineProperty(Network, name, {
        value: (...args) => adoptNet(call(() => original.apply(mod.Network, args))),
        writable: true,
        configurable: true,
      });
    }
  }
  const runLua = (...args) => call(() => mod.runLua(...args));
  const runScenario = mod.runScenario && ((...args) => call(() => mod.runScenario(...args)));
  const isPoisoned = () => fault !== null;
  const renderRun = (...args) => call(() => mod.renderRun(...args));
  const renderSummary = (...args) => call(() => mod.renderSummary(...args));
  const stripAnsi = (...args) => call(() => mod.stripAnsi(...args));
  return { Process, Console, Network, runLua, runScenario, isPoisoned, renderRun, renderSummary, stripAnsi };
}
