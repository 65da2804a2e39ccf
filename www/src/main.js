// The playground page: wires the editor, the composer, the result, timeline and state panels to
// sessions (each a process in its own Web Worker, see session.js).
import { $, h, clear, stripAnsi, tidyBlankLines, errorLines, download, formatBytes } from "./dom.js";
import { createEditor, getCode, setCode, showErrors, clearErrors } from "./editor.js";
import { EXAMPLES } from "./examples.js";
import { Session, titleOf } from "./session.js";
import { createComposer, actionOf } from "./composer.js";
import { renderResult, outputText } from "./results.js";
import { createTimeline } from "./timeline.js";
import { createStateTree } from "./state-tree.js";

const sessions = [];
let session = null;
let loadedExample = null;

// ---- status and notices ----------------------------------------------------------------------

function setStatus(text, kind = "") {
  const status = $("status");
  status.textContent = text;
  status.dataset.kind = kind;
}

function notice(text) {
  $("notice-text").textContent = text;
  $("notice").hidden = false;
}
$("notice-close").addEventListener("click", () => ($("notice").hidden = true));

function failed(e, what) {
  console.error(e);
  notice(`${what}: ${stripAnsi(e?.message ?? String(e))}${e?.code ? ` (${e.code})` : ""}`);
  setStatus(`${what} failed`, "error");
}

// ---- code ------------------------------------------------------------------------------------

const editor = createEditor($("editor"), { onRun: () => loadCode() });

const exampleSelect = $("example");
for (const group of [...new Set(EXAMPLES.map((e) => e.group))]) {
  exampleSelect.append(h("optgroup", { label: group },
    EXAMPLES.filter((e) => e.group === group).map((e) => h("option", { value: e.id }, e.label))));
}
exampleSelect.addEventListener("change", () => {
  const example = EXAMPLES.find((e) => e.id === exampleSelect.value);
  if (example) useExample(example);
});

function useExample(example) {
  loadedExample = example;
  exampleSelect.value = example.id;
  setCode(editor, example.source);
  hideCodeError();
  $("load-output").hidden = true;
  composer.setSamples(example.messages, sendAll);
  composer.setAddresses([session?.owner, ...addressesIn(example.messages)].filter(Boolean));
  if (example.messages[0]) composer.fill(example.messages[0]);
  setStatus(`${example.label}: press Load to evaluate it in the process`);
}

function addressesIn(messages) {
  const found = [];
  for (const message of messages) {
    if (message.From) found.push(message.From);
    for (const [name, value] of Object.entries(message.Tags ?? {})) {
      if (/^(Recipient|Target|Address)$/.test(name)) found.push(value);
    }
  }
  return found;
}

function hideCodeError() {
  $("code-error").hidden = true;
}

/** Shows a Lua error under the editor and marks the lines of the loaded code it names. */
function showCodeError(message, heading = "Error") {
  const text = tidyBlankLines(stripAnsi(message));
  const lines = errorLines(text);
  const box = $("code-error");
  clear(box,
    h("div", { class: "code-error-head" },
      h("strong", {}, heading),
      lines.map((line) => h("button", { class: "small ghost line-link", "data-testid": "error-line", onclick: () => goToLine(line) }, `line ${line}`))),
    h("pre", {}, text));
  box.hidden = false;
  if (lines.length) showErrors(editor, lines, text);
}

function goToLine(line) {
  const doc = editor.state.doc;
  const at = doc.line(Math.min(Math.max(line, 1), doc.lines)).from;
  editor.dispatch({ selection: { anchor: at }, scrollIntoView: true });
  editor.focus();
}

async function loadCode() {
  const source = getCode(editor);
  const label = loadedExample && loadedExample.source === source ? `Loaded ${loadedExample.label}` : `Code loaded (${editor.state.doc.lines} lines)`;
  hideCodeError();
  setStatus("loading code…", "busy");
  try {
    const { outcome, row } = await session.load(source, label);
    showRowResult(row);
    if (outcome.Error !== undefined) {
      // A Lua error raised while running: a failed row, like a failed message.
      $("load-output").hidden = true;
      showCodeError(outcome.Error, "Lua error");
      await refresh();
      setStatus(`#${row.seq} load failed (LUA_ERROR): state unchanged`, "error");
      return;
    }
    const out = $("load-output");
    const printed = stripAnsi(outputText(outcome.Output));
    clear(out, h("span", { class: "meta-label" }, "Load output"), h("pre", {}, printed === "" ? "(nothing printed)" : printed));
    out.hidden = false;
    clearErrors(editor);
    await refresh();
    setStatus(`code loaded as #${row.seq}`, "ok");
  } catch (e) {
    if (e.code === "TERMINATED") return;
    $("load-output").hidden = true;
    showCodeError(e.message, e.code === "SYNTAX_ERROR" ? "Syntax error" : "Lua error");
    setStatus(`load failed (${e.code ?? "error"})`, "error");
  }
}
$("load").addEventListener("click", loadCode);

// ---- messages --------------------------------------------------------------------------------

const composer = createComposer({ onSend: (m) => sendMessage(m), onDryRun: (m) => dryRun(m) });

async function sendMessage(message) {
  setStatus(`sending ${actionOf(message)}…`, "busy");
  try {
    const { outcome, row } = await session.send(message);
    showRowResult(row);
    await refresh(); // the status comes last: once it says done, every panel is up to date
    if (outcome.Error !== undefined) {
      const lines = errorLines(outcome.Error);
      if (lines.length) showErrors(editor, lines, stripAnsi(outcome.Error));
      setStatus(`#${row.seq} ${row.title} failed: state unchanged`, "error");
    } else {
      if ($("code-error").hidden) clearErrors(editor); // marks of a failed Load stay
      setStatus(`#${row.seq} ${row.title} handled`, "ok");
    }
    return outcome;
  } catch (e) {
    if (e.code === "TERMINATED") return null;
    renderResult($("result"), { heading: actionOf(message), badge: { kind: "error", text: e.code ?? "error" }, outcome: { Error: e.message } });
    setStatus(`not sent (${e.code ?? "error"})`, "error");
    return null;
  }
}

async function sendAll(messages) {
  for (const message of messages) {
    const outcome = await sendMessage(message);
    if (outcome === null) break;
  }
}

async function dryRun(message) {
  setStatus(`dry-running ${actionOf(message)}…`, "busy");
  try {
    const outcome = await session.dryRun(message);
    renderResult($("result"), { heading: `Dry-run: ${titleOf(message)}`, badge: { kind: "dry", text: "dry-run" }, outcome, note: "Nothing was kept: the state is as before." });
    setStatus(`dry-run of ${titleOf(message)} done`, "ok");
  } catch (e) {
    if (e.code === "TERMINATED") return;
    renderResult($("result"), { heading: `Dry-run: ${titleOf(message)}`, badge: { kind: "error", text: e.code ?? "error" }, outcome: { Error: e.message } });
    setStatus(`dry-run failed (${e.code ?? "error"})`, "error");
  }
}

function showRowResult(row) {
  if (row.kind === "send") {
    renderResult($("result"), {
      heading: `#${row.seq} ${row.title}`,
      badge: row.ok ? { kind: "ok", text: "ok" } : { kind: "error", text: row.stopped ? "stopped" : "error" },
      outcome: row.outcome,
    });
  } else if (row.kind === "eval") {
    renderResult($("result"), { heading: `#${row.seq} ${row.title}`, badge: row.ok ? { kind: "ok", text: "load" } : { kind: "error", text: "error" }, outcome: row.outcome });
  } else {
    renderResult($("result"), { heading: `#${row.seq} ${row.title}`, badge: { kind: "live", text: row.kind === "mark" ? "checkpoint" : row.kind }, note: ROW_NOTES[row.kind] });
  }
}

// What the rows that ran nothing stand for.
const ROW_NOTES = {
  spawn: "A fresh aos process: nothing has run in it yet.",
  import: "The process was replaced by one rebuilt from a state document.",
  fork: "This session started from a copy of another session's state.",
  mark: "A named checkpoint of the state at this point: nothing ran.",
};

// ---- stop --------------------------------------------------------------------------------

function onSessionEvent(event, detail, source) {
  if (source !== session) return;
  if (event === "busy") {
    $("stop").disabled = !detail;
    if (detail) setStatus("running… press Stop to end it", "busy");
  }
}

$("stop").addEventListener("click", async () => {
  $("stop").disabled = true;
  setStatus("stopping…", "busy");
  try {
    await session.stop();
    const last = session.rows.at(-1);
    if (last?.stopped) showRowResult(last);
    await refresh();
    setStatus(`stopped: a new worker took over with the state of #${session.current?.seq ?? "?"}`, "error");
  } catch (e) {
    failed(e, "restart");
  }
});

// ---- timeline ----------------------------------------------------------------------------------

const timeline = createTimeline($("timeline"), { onSelect: (row) => selectRow(row) });

function selectRow(row) {
  const actions = $("row-actions");
  if (row === null) {
    actions.hidden = true;
    $("state-at").textContent = "";
    return showState(null);
  }
  const at = session.stateRow(row);
  const isCurrent = at === session.current;
  const kept = session.isKept(at);
  actions.hidden = false;
  $("row-selected").textContent = `#${row.seq} ${row.title}`;
  $("rollback").disabled = isCurrent || !kept;
  $("fork").disabled = !kept;
  $("fork").title = kept ? "Start a new session from this state" : "The state of this row is no longer kept";
  $("state-at").textContent = isCurrent ? "" : `after #${at.seq}`;
  showRowResult(row);
  return showState(isCurrent ? null : at);
}

// The tree, hash and sizes of the live state (row null) or of a row's state.
async function showState(row) {
  const rendered = tree.setRow(row);
  const then = row !== null;
  $("hash-label").textContent = then ? "hash then" : "hash";
  $("hash-label").classList.toggle("then", then);
  $("state-meta").classList.toggle("then", then);
  const mine = ++metaGeneration;
  const hashBox = $("hash");
  const showHash = (text, from, title) => {
    Object.assign(hashBox, { textContent: text ?? "—", title });
    hashBox.dataset.from = from;
  };
  if (then) showHash(row.hash, "row", "sha-256 of the state document taken when this row was made");
  else showHash(session.hash, "live", "sha-256 of the exported state");
  // While the row's checkpoint lives, the engine reads the hash there: what a fork from here
  // starts with. It should be the one recorded; if not, that is shown rather than hidden.
  if (then && session.hasCheckpoint(row)) {
    const engine = await session.stateHash(row).catch(() => null);
    if (engine && mine === metaGeneration) {
      showHash(engine, "checkpoint", engine === row.hash
        ? "sha-256 of the state at this row's checkpoint (as recorded when the row was made)"
        : `sha-256 of the state at this row's checkpoint: differs from the one recorded when the row was made (${row.hash})`);
      hashBox.classList.toggle("mismatch", engine !== row.hash);
    }
  } else {
    hashBox.classList.remove("mismatch");
  }
  const stats = await rendered;
  if (mine !== metaGeneration) return;
  $("totals").textContent = stats
    ? `${formatBytes(stats.bytes)} · ${stats.tables.toLocaleString("en")} tables · ${stats.closures.toLocaleString("en")} functions · ${stats.strings.toLocaleString("en")} strings`
    : "";
}
let metaGeneration = 0;

$("live").addEventListener("click", () => timeline.select(null));

$("rollback").addEventListener("click", async () => {
  const row = session.stateRow(timeline.selected);
  if (!row) return;
  try {
    await session.rollback(row);
    timeline.select(null);
    await refresh();
    setStatus(`rolled back to #${row.seq}`, "ok");
  } catch (e) {
    failed(e, "roll back");
  }
});

$("fork").addEventListener("click", async () => {
  const row = session.stateRow(timeline.selected);
  if (!row) return;
  setStatus(`forking at #${row.seq}…`, "busy");
  try {
    const fork = new Session(`${session.name}: fork at #${row.seq}`);
    await fork.start({ worker: await session.fork(row), kind: "fork", title: `Forked from ${session.name} at #${row.seq}` });
    addSession(fork);
    await switchTo(fork);
    setStatus(`forked “${session.name}”`, "ok");
  } catch (e) {
    failed(e, "fork");
  }
});

$("mark-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const name = $("mark-name").value.trim() || `checkpoint ${session.rows.filter((r) => r.kind === "mark").length + 1}`;
  try {
    await session.mark(name);
    $("mark-name").value = "";
    await refresh();
    setStatus(`checkpoint “${name}” taken`, "ok");
  } catch (e) {
    failed(e, "checkpoint");
  }
});

// ---- state -----------------------------------------------------------------------------------

const tree = createStateTree($("tree"), { onError: (e) => failed(e, "reading the state") });
let searchTimer;
$("state-search").addEventListener("input", (e) => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => tree.setSearch(e.target.value), 150);
});
$("show-system").addEventListener("change", (e) => tree.setShowSystem(e.target.checked));

async function refresh() {
  timeline.render(session.rows);
  await showState(timeline.selected === null ? null : tree.row);
}

// ---- sessions --------------------------------------------------------------------------------

function addSession(s) {
  sessions.push(s);
  s.on(onSessionEvent);
  renderSessions();
}

function renderSessions() {
  clear($("session"), sessions.map((s) => h("option", { value: s.key, selected: s === session }, s.name)));
}

async function switchTo(next) {
  session = next;
  renderSessions();
  $("stop").disabled = !session.busy;
  timeline.render(session.rows, null);
  $("row-actions").hidden = true;
  $("state-at").textContent = "";
  clear($("result"), h("p", { class: "empty" }, "Load some code, then send a message: its output, outgoing messages, spawns, errors and state changes show here."));
  tree.setSession(session);
  await refresh();
}

$("session").addEventListener("change", (e) => {
  const next = sessions.find((s) => String(s.key) === e.target.value);
  if (next) switchTo(next);
});

// ---- export / import ---------------------------------------------------------------------

$("export").addEventListener("click", async () => {
  try {
    const doc = await session.exportState();
    // session.hash is the current state's: every change updates it.
    download(`aolite-state-${session.hash.slice(0, 12)}.json`, doc);
    setStatus(`exported the state (${formatBytes(doc.length)})`, "ok");
  } catch (e) {
    failed(e, "export");
  }
});

$("import").addEventListener("click", () => $("import-file").click());
$("import-file").addEventListener("change", async (e) => {
  const file = e.target.files[0];
  e.target.value = "";
  if (file) await importFile(file);
});

async function importFile(file) {
  $("notice").hidden = true;
  let text;
  try {
    text = await file.text();
  } catch (e) {
    return failed(e, `reading ${file.name}`);
  }
  try {
    const row = await session.importDoc(text, file.name);
    timeline.select(null);
    await refresh();
    setStatus(`imported ${file.name} as #${row.seq}`, "ok");
  } catch (e) {
    const why = stripAnsi(e.message);
    notice(e.code === "BAD_STATE"
      ? `“${file.name}” is not a usable aolite state document: ${why}. The process state was not changed.`
      : `Could not import “${file.name}”: ${why}${e.code ? ` (${e.code})` : ""}`);
    setStatus("import failed", "error");
  }
}

// Drop a file anywhere on the page to import it.
let dragDepth = 0;
const hasFiles = (e) => [...(e.dataTransfer?.types ?? [])].includes("Files");
window.addEventListener("dragenter", (e) => {
  if (!hasFiles(e)) return;
  dragDepth += 1;
  $("drop").hidden = false;
});
window.addEventListener("dragleave", () => {
  dragDepth = Math.max(0, dragDepth - 1);
  if (dragDepth === 0) $("drop").hidden = true;
});
window.addEventListener("dragover", (e) => {
  if (hasFiles(e)) e.preventDefault();
});
window.addEventListener("drop", (e) => {
  if (!hasFiles(e)) return;
  e.preventDefault();
  dragDepth = 0;
  $("drop").hidden = true;
  const file = e.dataTransfer.files[0];
  if (file) importFile(file);
});

// ---- start -----------------------------------------------------------------------------------

try {
  const main = new Session("main");
  await main.start();
  addSession(main);
  await switchTo(main);
  useExample(EXAMPLES.find((e) => e.id === "token") ?? EXAMPLES[0]);
  for (const id of ["load", "send", "dry-run", "mark"]) $(id).disabled = false;
  setStatus("ready: pick an example or write Lua, then Load it (Ctrl+Enter)");
  document.body.dataset.ready = "true";
} catch (e) {
  failed(e, "starting the process");
}
