// The hostile-input corpora (tests/data/hostile/*.json) through the package's API, with the
// checks tests/hostile.rs makes natively: each refused input throws a real `Error` with the
// expected `code` and message, leaves the process's state document and hash unchanged, and
// leaves the process working. Used by tests/js/hostile.test.mjs (Node) and by
// tests/browser/hostile.html (Chromium), so it imports nothing: the caller passes `Process`.

/** A string given as itself or as pieces to repeat: [["x", 3], ["y", 1]] is "xxxy". */
export function text(spec) {
  if (typeof spec === "string") return spec;
  return spec.map(([piece, count]) => piece.repeat(count)).join("");
}

/** A JSON value with builders: {$text: T}, {$array: [n, v]} (n copies), {$nest: [depth, v]}. */
export function build(v) {
  if (Array.isArray(v)) return v.map(build);
  if (v === null || typeof v !== "object") return v;
  const keys = Object.keys(v);
  if (keys.length === 1 && keys[0] === "$text") return text(v.$text);
  if (keys.length === 1 && keys[0] === "$array") {
    const item = build(v.$array[1]);
    return Array.from({ length: v.$array[0] }, () => item);
  }
  if (keys.length === 1 && keys[0] === "$nest") {
    let inner = build(v.$nest[1]);
    for (let i = 0; i < v.$nest[0]; i++) inner = [inner];
    return inner;
  }
  return Object.fromEntries(keys.map((k) => [k, build(v[k])]));
}

/** Calls `fn`: {value} or {error}; anything thrown that is not an Error with a code is a finding. */
function attempt(fn) {
  try {
    return { value: fn() };
  } catch (e) {
    return { error: e };
  }
}

function describe(got) {
  if (!("error" in got)) return `success with output ${JSON.stringify(got.value)}`;
  const e = got.error;
  return e instanceof Error ? `${e.code} ${JSON.stringify(e.message)}` : `a thrown non-Error ${String(e)}`;
}

/** Whether `got` is what the case expects; a string saying why not otherwise. */
function check(expect, got) {
  if ("error" in got) {
    const e = got.error;
    if (!(e instanceof Error)) return `threw ${String(e)}, not an Error`;
    if (typeof e.code !== "string") return `threw an Error without a code: ${e.message}`;
    if (expect.code === undefined) return `expected success, got ${describe(got)}`;
    if (e.code !== expect.code || !e.message.includes(expect.message)) {
      return `expected ${expect.code} with ${JSON.stringify(expect.message)}, got ${describe(got)}`;
    }
    return null;
  }
  if (expect.code !== undefined) return `expected ${expect.code}, got ${describe(got)}`;
  if (expect.output !== undefined && expect.output !== got.value) {
    return `expected output ${JSON.stringify(expect.output)}, got ${JSON.stringify(got.value)}`;
  }
  return null;
}

/** After a refused input: the same state document and hash, and the process still works. */
function unchangedAndWorking(p, before, name, failures) {
  const doc = attempt(() => p.exportState());
  if ("error" in doc) failures.push(`${name}: the state no longer exports: ${describe(doc)}`);
  else if (doc.value !== before.doc) failures.push(`${name}: the refused input changed the state`);
  const hash = attempt(() => p.stateHash());
  if ("error" in hash || hash.value !== before.hash) failures.push(`${name}: the state hash changed`);
  const two = attempt(() => p.eval("return 1 + 1").output);
  if (two.value !== "2") failures.push(`${name}: the process no longer works: ${describe(two)}`);
}

const snapshot = (p) => ({ doc: p.exportState(), hash: p.stateHash() });

export function runSources(Process, corpus) {
  const processes = new Map();
  const failures = [];
  for (const c of corpus.cases) {
    const key = JSON.stringify(c.limits ?? null);
    if (!processes.has(key)) processes.set(key, new Process(c.limits ? { limits: c.limits } : {}));
    const p = processes.get(key);
    const before = snapshot(p);
    const got = attempt(() => p.eval(text(c.source)).output);
    const why = check(c.expect, got);
    if (why) failures.push(`${c.name}: ${why}`);
    if ("error" in got) unchangedAndWorking(p, before, c.name, failures);
  }
  for (const p of processes.values()) p.free?.();
  return { count: corpus.cases.length, failures };
}

export function runMessages(Process, corpus) {
  const p = new Process();
  p.eval(corpus.setup);
  const failures = [];
  for (const c of corpus.cases) {
    const message = build(c.message);
    const before = snapshot(p);
    const got = attempt(() => {
      const out = p.send(message);
      return out.Output?.data ?? "";
    });
    const why = check(c.expect, got);
    if (why) failures.push(`${c.name}: ${why}`);
    if ("error" in got) unchangedAndWorking(p, before, c.name, failures);
  }
  p.free?.();
  return { count: corpus.cases.length, failures };
}

/** The index of the first object of the good document that a place name stands for. */
function place(good, what) {
  const is = {
    $table: (o) => o.type === "table" && o.builtin === undefined,
    $closure: (o) => o.type === "closure",
    $builtin: (o) => o.type === "builtin",
    $upvalue: (o) => o.type === "upvalue",
  }[what];
  if (!is) return undefined;
  const i = good.objects.findIndex(is);
  return i < 0 ? undefined : i;
}

function resolve(good, v) {
  if (typeof v === "string") return place(good, v) ?? v;
  if (Array.isArray(v)) return v.map((x) => resolve(good, x));
  if (v === null || typeof v !== "object") return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(good, x)]));
}

function parentOf(doc, path) {
  let d = doc;
  for (const k of path.slice(0, -1)) d = d[k];
  return [d, path[path.length - 1]];
}

const at = (doc, path) => path.reduce((d, k) => d[k], doc);

function edit(doc, good, raw) {
  const e = resolve(good, raw);
  if (e.set !== undefined) {
    const [parent, key] = parentOf(doc, e.set);
    parent[key] = build(e.value);
  } else if (e.remove !== undefined) {
    const [parent, key] = parentOf(doc, e.remove);
    if (Array.isArray(parent)) parent.splice(key, 1);
    else delete parent[key];
  } else if (e.push !== undefined) {
    const value = e.copyOf !== undefined ? structuredClone(at(doc, e.copyOf)) : build(e.value);
    at(doc, e.push).push(value);
  } else if (e.chain !== undefined) {
    const table = place(good, "$table");
    const first = doc.objects.length;
    for (let k = 0; k < e.chain; k++) {
      const entries = k + 1 < e.chain ? [[1, { ref: first + k + 1 }]] : [];
      doc.objects.push({ type: "table", entries });
    }
    doc.objects[table].entries.push(["chain", { ref: first }]);
  } else {
    throw new Error(`unknown edit ${JSON.stringify(raw)}`);
  }
}

// Integers beyond 2^53 (math.maxinteger in the runtime's tables) would lose digits through
// JSON.parse: outside strings they are carried as marked strings while a document is edited.
const BIG = "\u0000int:";

function protectBigIntegers(text) {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === "-" || (c >= "0" && c <= "9")) {
      let j = i + 1;
      while (j < text.length && /[0-9eE.+-]/.test(text[j])) j++;
      const token = text.slice(i, j);
      out += /^-?\d{16,}$/.test(token) ? JSON.stringify(BIG + token) : token;
      i = j;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

const restoreBigIntegers = (text) => text.replace(/"\\u0000int:(-?\d+)"/g, "$1");

/** The document text a case describes (see documents.json's "about"). */
export function documentOf(good, goodText, c) {
  if (c.text !== undefined) return text(c.text);
  if (c.truncate !== undefined) return goodText.slice(0, Math.floor(goodText.length * c.truncate));
  if (c.replace !== undefined) {
    const [from, to] = c.replace.map(text);
    const i = goodText.indexOf(from);
    if (i < 0) throw new Error(`${JSON.stringify(from)} is not in the document`);
    return goodText.slice(0, i) + to + goodText.slice(i + from.length);
  }
  const d = structuredClone(good);
  for (const e of c.edits) edit(d, good, e);
  return restoreBigIntegers(JSON.stringify(d));
}

export function runDocuments(Process, corpus) {
  const p = new Process();
  p.eval(corpus.setup);
  const goodText = p.exportState();
  const hash = p.stateHash();
  const good = JSON.parse(protectBigIntegers(goodText));
  if (restoreBigIntegers(JSON.stringify(good)) !== goodText) throw new Error("the good document does not survive JSON.parse");
  const failures = [];
  const errors = new Map();
  for (const c of corpus.cases) {
    const doc = documentOf(good, goodText, c);
    const got = attempt(() => {
      // An accepted document gives a process whose export imports to the same.
      const q = Process.importState(doc);
      const again = q.exportState();
      const r = Process.importState(again);
      if (r.exportState() !== again) throw Object.assign(new Error("the re-export differs"), { code: "TEST" });
      q.free?.();
      r.free?.();
      return "";
    });
    const why = check(c.expect, got);
    if (why) failures.push(`${c.name}: ${why}`);
    if ("error" in got && got.error instanceof Error) {
      const first = errors.get(got.error.message) ?? c.name;
      errors.set(got.error.message, first);
      if (first !== c.name && c.sameAs !== first) failures.push(`${c.name}: the same error as ${first}: ${got.error.message}`);
    }
  }
  // The process the good document came from is untouched, and the document imports still.
  if (p.exportState() !== goodText || p.stateHash() !== hash) failures.push("the live process changed");
  if (Process.importState(goodText).exportState() !== goodText) failures.push("the good document no longer round-trips");
  p.free?.();
  return { count: corpus.cases.length, failures };
}

export const runners = { sources: runSources, messages: runMessages, documents: runDocuments };

/**
 * Values only JS can give (they cannot be written in the JSON corpora): cycles, shared parts,
 * getters and proxies that throw, symbols, functions, big integers. The same checks: a real
 * Error with its code, the state unchanged, the process working, the module not poisoned.
 */
export function jsOnlyCases() {
  const cyclic = { Tags: { Action: "Echo" } };
  cyclic.Self = cyclic;
  const loop = [];
  loop.push(loop);
  let shared = [1];
  for (let i = 0; i < 60; i++) shared = [shared, shared];
  const revocable = Proxy.revocable({}, {});
  revocable.revoke();
  const deep = { msg: "the message nests arrays or objects deeper than 200 levels", code: "BAD_MESSAGE" };
  const threw = (what) => ({ code: "BAD_MESSAGE", msg: `not a JSON-like value: reading it threw ${what}` });
  return [
    { name: "a message that contains itself", message: cyclic, expect: deep },
    { name: "Data that contains itself", message: { Data: loop }, expect: deep },
    { name: "an array shared 2^60 times", message: { Data: shared }, expect: { code: "BAD_MESSAGE", msg: "holds more than 1000000 arrays and objects" } },
    { name: "a Proxy whose ownKeys trap throws", message: new Proxy({}, { ownKeys() { throw new Error("keys refused"); } }), expect: threw("keys refused") },
    {
      name: "a Proxy whose get trap throws",
      message: new Proxy({ Data: "x" }, { get() { throw new Error("get refused"); } }),
      expect: threw("get refused"),
    },
    { name: "a getter that throws", message: Object.defineProperty({}, "Data", { enumerable: true, get() { throw new Error("getter refused"); } }), expect: threw("getter refused") },
    { name: "a getter that throws a string", message: { get Data() { throw "plain string"; } }, expect: threw("plain string") },
    { name: "a revoked Proxy", message: revocable.proxy, expect: { code: "BAD_MESSAGE", msg: "reading it threw" } },
    { name: "a revoked Proxy as Data", message: { Data: revocable.proxy }, expect: { code: "BAD_MESSAGE", msg: "reading it threw" } },
    { name: "a Symbol as Data", message: { Data: Symbol("s") }, expect: { code: "BAD_MESSAGE", msg: "not a JSON-like value" } },
    { name: "a function as Data", message: { Data: () => 1 }, expect: { code: "BAD_MESSAGE", msg: "not a JSON-like value" } },
    { name: "a function as the message", message: () => 1, expect: { code: "BAD_MESSAGE", msg: "not a JSON-like value" } },
    { name: "a BigInt beyond 64 bits", message: { Data: 2n ** 70n }, expect: { code: "BAD_MESSAGE", msg: "not a JSON-like value" } },
    { name: "a BigInt tag value", message: { Tags: { Action: 10n } }, expect: { code: "BAD_MESSAGE", msg: "tag 'Action' must have a string value, got a number" } },
    { name: "an undefined From is left out", message: { From: undefined, Tags: { Action: "Who" } }, expect: { output: "aoLiteOwner00000000000000000000000000000000" } },
    { name: "tags in a Map", message: { Tags: new Map([["Action", "Echo"]]), Data: "from a map" }, expect: { output: "from a map" } },
    { name: "a class instance", message: new (class { constructor() { this.Tags = { Action: "Echo" }; this.Data = "instance"; } })(), expect: { output: "instance" } },
    { name: "a Date as Data", message: { Tags: { Action: "Echo" }, Data: new Date(0) }, expect: { output: "{}" } },
  ];
}

export function runJsOnly(Process, isPoisoned) {
  const p = new Process();
  p.eval(
    "Handlers.add('echo', 'Echo', function(m) print(m.Data) end)\n" +
      "Handlers.add('who', 'Who', function(m) print(m.From) end)",
  );
  const failures = [];
  const cases = jsOnlyCases();
  for (const c of cases) {
    const before = snapshot(p);
    const got = attempt(() => p.send(c.message).Output?.data ?? "");
    const expect = c.expect.code ? { code: c.expect.code, message: c.expect.msg } : c.expect;
    const why = check(expect, got);
    if (why) failures.push(`${c.name}: ${why}`);
    if ("error" in got) unchangedAndWorking(p, before, c.name, failures);
    if (isPoisoned()) {
      failures.push(`${c.name}: poisoned the module`);
      break;
    }
  }
  // Options are converted the same way.
  const options = { limits: {} };
  options.limits.self = options;
  const opt = attempt(() => new Process(options));
  const why = check({ code: "BAD_OPTIONS", message: "nests arrays or objects deeper than 200 levels" }, opt);
  if (why) failures.push(`options that contain themselves: ${why}`);
  return { count: cases.length + 1, failures };
}
