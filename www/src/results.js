// The result panel: what one message did (Output, outgoing Messages with their tags as a
// table, Spawns, Error, and the state diff).
import { h, ansi, clear, preview, tidyBlankLines } from "./dom.js";

// Tags every aos message carries: shown dimmed so the interesting ones stand out.
const PROTOCOL_TAGS = new Set(["Data-Protocol", "Variant", "Type", "Reference", "From-Process", "From-Module", "Pushed-For"]);

export function renderResult(container, { heading, badge, outcome, note }) {
  const card = h("article", { class: "result-card", "data-testid": "result-card" },
    h("header", { class: "result-head" },
      h("h3", {}, heading),
      badge && h("span", { class: `badge ${badge.kind}`, "data-testid": "result-badge" }, badge.text),
      outcome?.GasUsed !== undefined && h("span", { class: "gas", title: "fuel used (about one unit per VM instruction)" }, `${outcome.GasUsed.toLocaleString("en")} fuel`)),
    note && h("p", { class: "note" }, note),
    outcome?.Handlers && handlersLine(outcome.Handlers),
    outcome?.Error !== undefined && section("Error", "error", h("pre", { class: "out error" }, ansi(tidyBlankLines(outcome.Error))),
      traceback(outcome.ErrorInfo)),
    outcome && section("Output", "output", outputOf(outcome.Output)),
    outcome?.Messages?.length > 0 && section(`Messages (${outcome.Messages.length})`, "messages", outcome.Messages.map((m) => outMessage(m))),
    outcome?.Spawns?.length > 0 && section(`Spawns (${outcome.Spawns.length})`, "spawns", outcome.Spawns.map((m) => outMessage(m))),
    outcome?.Assignments?.length > 0 && section("Assignments", "assignments", h("pre", { class: "out" }, JSON.stringify(outcome.Assignments, null, 2))),
    outcome?.Diff && section(`State changes (${outcome.Diff.length})`, "diff", diffList(outcome.Diff)));
  clear(container, card);
}

/** Which handlers ran, in order (the outcome's Handlers), a failed one marked. */
function handlersLine(ran) {
  return h("p", { class: "handlers", "data-testid": "result-handlers" },
    h("span", { class: "meta-label" }, "Handlers"), " ",
    ran.length === 0 ? "none ran" : ran.map((r, i) => [i > 0 && ", ", r.ok ? h("code", {}, r.name) : h("code", { class: "failed", title: "failed" }, `${r.name} (failed)`)]).flat().filter(Boolean));
}

/** The frames that led to an error (innermost first), from the outcome's ErrorInfo. */
function traceback(info) {
  const frames = info?.traceback ?? [];
  if (frames.length === 0) return null;
  return h("ol", { class: "traceback", "data-testid": "result-traceback" },
    frames.map((f) => h("li", {}, f.line === null ? `${f.chunk}${f.name ? ` in ${f.name}` : ""}` : `${f.chunk}:${f.line}: in ${f.name}`)));
}

function section(title, kind, ...body) {
  return h("section", { class: `result-section ${kind}`, "data-testid": `result-${kind}` }, h("h4", {}, title), ...body);
}

/** The printed text of an outcome's Output (aos gives `{data, prompt}`). */
export function outputText(output) {
  if (output === null || output === undefined) return "";
  return typeof output === "string" ? output : output.data ?? JSON.stringify(output);
}

function outputOf(output) {
  const text = outputText(output);
  if (text === "") return h("p", { class: "empty" }, "no output");
  return h("pre", { class: "out", "data-testid": "result-output-text" }, ansi(text));
}

function outMessage(message) {
  const tags = message.Tags ?? [];
  const table = (list) => h("table", { class: "tags-table" }, h("tbody", {}, list.map((tag) =>
    h("tr", {}, h("th", { scope: "row" }, tag.name), h("td", {}, typeof tag.value === "string" ? tag.value : JSON.stringify(tag.value))))));
  const own = tags.filter((tag) => !PROTOCOL_TAGS.has(tag.name));
  const protocol = tags.filter((tag) => PROTOCOL_TAGS.has(tag.name));
  return h("div", { class: "out-message", "data-testid": "out-message" },
    h("div", { class: "target" }, h("span", { class: "arrow", "aria-hidden": "true" }, "→ "), h("code", {}, message.Target ?? "(no target)")),
    own.length > 0 && table(own),
    message.Data !== undefined && message.Data !== "" && h("div", { class: "data" }, h("span", { class: "meta-label" }, "Data"), h("pre", { class: "out" }, typeof message.Data === "string" ? message.Data : JSON.stringify(message.Data, null, 2))),
    protocol.length > 0 && h("details", { class: "protocol-tags" }, h("summary", {}, `${protocol.length} protocol tags`), table(protocol)));
}

/** The state changes of a message: `path: old → new` (nil when absent). */
export function diffList(diff, limit = Infinity) {
  // The diff covers the process's own globals, not aos's tables (a handler added is not in it).
  if (!diff || diff.length === 0) return h("p", { class: "empty" }, "no change to the process's own globals");
  const shown = diff.slice(0, limit);
  return h("ul", { class: "diff", "data-testid": "diff" },
    shown.map((change) => h("li", { class: changeKind(change) },
      h("code", { class: "path", title: change.path }, change.path),
      h("span", { class: "change" },
        h("span", { class: "old", title: preview(change.old, Infinity) }, preview(change.old, 60)),
        h("span", { class: "to", "aria-label": "becomes" }, "→"),
        h("span", { class: "new", title: preview(change.new, Infinity) }, preview(change.new, 60))))),
    diff.length > shown.length && h("li", { class: "more" }, `+${diff.length - shown.length} more`));
}

function changeKind(change) {
  if (!("old" in change) || change.old === undefined) return "added";
  if (!("new" in change) || change.new === undefined) return "removed";
  return "changed";
}
