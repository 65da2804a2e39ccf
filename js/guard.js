// Poison guard: a Rust panic inside wasm traps (`RuntimeError: unreachable`) and leaves the
// module's memory in an unknown state, and wasm-bindgen then reports confusing errors on
// every later call. The guard turns the first such fault into an `Error` with code
// `POISONED`, and makes every later call on any process of this module fail the same way,
// saying what happened. Errors aolite raises on purpose (with a `code`) pass through.

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
  for (const name of ["eval", "send", "dryRun", "handle", "getGlobal"]) {
    const original = mod.Process.prototype[name];
    Object.defineProperty(Process.prototype, name, {
      value: function (...args) {
        return call(() => original.apply(this, args));
      },
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
  for (const name of Console ? ["line", "evalSource", "prompt"] : []) {
    const original = mod.Console.prototype[name];
    Object.defineProperty(Console.prototype, name, {
      value: function (...args) {
        return call(() => original.apply(this, args));
      },
      writable: true,
      configurable: true,
    });
  }
  const runLua = (...args) => call(() => mod.runLua(...args));
  const isPoisoned = () => fault !== null;
  return { Process, Console, runLua, isPoisoned };
}
