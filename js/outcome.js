// Reading helpers added to every outcome the API returns. They are non-enumerable, so
// outcomes still compare, print and serialise as the plain ao-loader shape.
//
//   const out = p.send({ Tags: { Action: "Balance" } });
//   out.Messages[0].tags.Balance        // tags as an object (first value of each name)
//   out.find({ Action: "Balance-Notice" }) // first message whose tags (or Target) match

function define(obj, name, value) {
  Object.defineProperty(obj, name, { value, enumerable: false, configurable: true, writable: true });
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
  return outcome;
}
