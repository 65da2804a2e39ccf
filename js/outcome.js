// Reading helpers added to every outcome the API returns. They are non-enumerable, so
// outcomes still compare, print and serialise as the plain ao-loader shape.
//
//   const out = p.send({ Tags: { Action: "Balance" } });
//   out.Messages[0].tags.Balance        // tags as an object (first value of each name)
//   out.find({ Action: "Balance-Notice" }) // first message whose tags (or Target) match
//   out.outputText / out.errorText      // Output.data and Error without ANSI colour codes

function define(obj, name, value) {
  Object.defineProperty(obj, name, { value, enumerable: false, configurable: true, writable: true });
}

// ANSI escape sequences (CSI and OSC), as aos colours its output with them.
const ANSI = /\x1b(?:\[[0-?]*[ -\/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])/g;

/** `text` without ANSI colour codes. */
export function plainText(text) {
  return typeof text === "string" ? text.replace(ANSI, "") : text;
}

function tagMap(tags) {
  const map = {};
  for (const { name, value } of tags ?? []) if (!(name in map)) map[name] = value;
  return map;
}

function matches(msg, filter) {
  return Object.entries(filter).every(([k, v]) =>
    k === "Target" || k === "Data" ? msg[k] === v : msg.tags[k] === v,
  );
}

export function decorate(outcome) {
  if (!outcome || typeof outcome !== "object" || !Array.isArray(outcome.Messages)) return outcome;
  for (const list of [outcome.Messages, outcome.Spawns ?? []]) {
    for (const msg of list) define(msg, "tags", tagMap(msg.Tags));
  }
  define(outcome, "find", (filter = {}) => outcome.Messages.find((m) => matches(m, filter)));
  define(outcome, "filter", (filter = {}) => outcome.Messages.filter((m) => matches(m, filter)));
  define(outcome, "outputText", plainText(outcome.Output?.data ?? ""));
  // An Eval whose chunk returns a second value that is not a string fails with that value
  // as its `Error` (as aos does); its text is its JSON, as Rust's `Outcome::error` has it.
  const error = outcome.Error;
  define(outcome, "errorText", error === undefined || typeof error === "string" ? plainText(error) : JSON.stringify(error));
  return outcome;
}

/** Adds `text` (the output without ANSI colour codes) to what `eval`/`evaluate` return. */
export function decorateEval(result) {
  if (result && typeof result === "object" && typeof result.output === "string") {
    define(result, "text", plainText(result.output));
  }
  return result;
}
