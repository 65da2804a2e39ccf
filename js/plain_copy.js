// Called by the wasm module (src/wasm/mod.rs `plain_copy`) on every value it receives from
// JS, and by the package's wrapper (guard.js) on messages: a copy made of fresh arrays and
// plain objects, read once, without recursion, with every read that can run the caller's
// code (a getter, a Proxy trap) caught here, in JS, so no exception ever unwinds through the
// engine. Never throws: returns {kind: "ok", value} or why
// the value is refused ("deep", "many", "array" with its length, "threw" with the message).
// An accepted copy also says whether `JSON.stringify` of it reads, once parsed by serde_json,
// exactly as the wasm conversion reads the copy itself (`json`; see `exactInJson`), and how
// deep it nests (`depth`): the package's wrapper then sends it as JSON text (guard.js).
export function plainCopy(value, maxDepth, maxContainers) {
  const holder = [undefined];
  const pending = [[holder, 0, value, 0]];
  let containers = 0;
  let json = true;
  let deepest = 0;
  try {
    while (pending.length > 0) {
      const [into, key, v, depth] = pending.pop();
      if (depth > deepest) deepest = depth;
      let copy;
      if (typeof v !== "object" || v === null) {
        copy = v;
        if (json && !exactInJson(v)) json = false;
      } else {
        if (depth >= maxDepth) return { kind: "deep" };
        containers += 1;
        if (containers > maxContainers) return { kind: "many" };
        // A revoked proxy or a throwing trap fails here, before any other look.
        Reflect.getPrototypeOf(v);
        if (Array.isArray(v)) {
          const length = Reflect.get(v, "length");
          let n = typeof length === "number" ? Math.trunc(Math.min(Math.max(length, 0), 4294967295)) : 0;
          if (Number.isNaN(n)) n = 0;
          if (n > maxContainers) return { kind: "array", length: n };
          copy = new Array(n);
          for (let i = 0; i < n; i++) pending.push([copy, i, Reflect.get(v, i), depth + 1]);
        } else if (v instanceof Map || Reflect.has(v, Symbol.iterator)) {
          copy = v;
          json = false;
        } else {
          copy = {};
          for (const k of Reflect.ownKeys(v)) {
            if (typeof k !== "string") continue;
            const d = Reflect.getOwnPropertyDescriptor(v, k);
            if (d !== undefined && d.enumerable) {
              const item = Reflect.get(v, k);
              // The key now, so the copy keeps the order (its value comes later).
              Reflect.set(copy, k, undefined);
              pending.push([copy, k, item, depth + 1]);
            }
          }
        }
      }
      Reflect.set(into, key, copy);
    }
  } catch (e) {
    const threw = e instanceof Error ? e.message : typeof e === "string" ? e : "a value";
    return { kind: "threw", threw };
  }
  return { kind: "ok", value: holder[0], json, depth: deepest };
}

// Whether a leaf reads the same through JSON text as through serde-wasm-bindgen: strings
// without lone surrogates (JSON.stringify escapes them, serde_json refuses the escape),
// booleans, null, and numbers that are not integers beyond 2^53 (the conversion reads those
// as floats, serde_json as exact integers). `undefined` (a missing key in JSON, null in the
// conversion), functions, symbols and BigInts are not.
function exactInJson(v) {
  switch (typeof v) {
    case "string":
      return typeof v.isWellFormed === "function" ? v.isWellFormed() : !/[\ud800-\udfff]/.test(v);
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(v) && (Number.isSafeInteger(v) || !Number.isInteger(v));
    default:
      return v === null;
  }
}
