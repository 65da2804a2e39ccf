// The network page: a local AO network in a Web Worker (aolite/worker's NetworkWorker).
// Processes are lanes, deliveries arrows in delivery order (failed ones red); selecting an
// arrow shows its message, outcome and diff. Every action the user takes is preceded by a
// checkpoint of the whole network, so any of them can be rolled back.
import { NetworkWorker } from "../../pkg/worker-client.js";
import tokenSource from "../../examples/token.lua?raw";
import escrowSource from "../../examples/escrow.lua?raw";
import { $, h, clear, stripAnsi } from "./dom.js";

// Each process lists what its messages changed (`Diff`), shown with the delivery.
const SPAWN_OPTIONS = { diff: true };
const LANE_GAP = 150;
const ROW = 30;
const TOP = 46;

let net = null;
let names = new Map(); // process id -> name given here
let actions = []; // [{label, checkpoint}]
let trace = [];
let selected = null; // step number

function status(text) {
  $("status").textContent = text;
}

function notice(text) {
  $("notice-text").textContent = text;
  $("notice").hidden = !text;
}

function nameOf(id) {
  return names.get(id) ?? (id.length > 12 ? `${id.slice(0, 6)}…${id.slice(-4)}` : id);
}

/** `{{name}}` in a text becomes that process's id. */
function withIds(text) {
  return String(text).replace(/\{\{([^}]+)\}\}/g, (whole, name) => {
    for (const [id, n] of names) if (n === name.trim()) return id;
    return whole;
  });
}

async function start() {
  net?.terminate();
  net = await NetworkWorker.create({ seed: "playground" });
  names = new Map();
  actions = [];
  trace = [];
  selected = null;
  notice("");
  await refresh();
  status("empty network: spawn a process");
}

// Runs one user action after a checkpoint named after it; errors go to the notice line.
async function act(label, work) {
  const buttons = document.querySelectorAll("button");
  buttons.forEach((b) => { b.disabled = true; });
  status(`${label}…`);
  let ended = "done";
  try {
    const checkpoint = await net.checkpoint(label);
    actions.push({ label, checkpoint });
    notice("");
    await work();
  } catch (e) {
    notice(`${label}: ${e.code ?? "ERROR"}: ${stripAnsi(e.message)}`);
    ended = "failed";
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
    await refresh();
    // Only once the lanes and arrows show the action's effect (the status is what users
    // and the browser tests wait for).
    status(`${label}: ${ended}`);
  }
}

async function spawn(name, source) {
  const id = await net.spawn({ ...SPAWN_OPTIONS, tags: { Name: name } });
  names.set(id, name);
  if (source.trim()) {
    const out = await net.eval(id, withIds(source));
    if (out.Error) throw Object.assign(new Error(out.Error), { code: "LUA_ERROR" });
  }
  await net.run();
  return id;
}

async function loadPreset() {
  await act("spawn token and escrow", async () => {
    await spawn("token", tokenSource);
    await spawn("escrow", escrowSource);
    await net.eval([...names].find(([, n]) => n === "escrow")[0], withIds("Token = '{{token}}'; Beneficiary = 'beneficiary-wallet'"));
  });
  fillSend("token", "Transfer", "Recipient={{escrow}}\nQuantity=1000");
}

function fillSend(target, action, tags) {
  const id = [...names].find(([, n]) => n === target)?.[0];
  if (id) $("send-target").value = id;
  $("send-action").value = action;
  $("send-tags").value = tags;
}

function messageFromForm() {
  const tags = {};
  const action = $("send-action").value.trim();
  if (action) tags.Action = action;
  for (const line of $("send-tags").value.split("\n")) {
    const at = line.indexOf("=");
    if (at > 0) tags[line.slice(0, at).trim()] = withIds(line.slice(at + 1).trim());
  }
  const message = { Tags: tags };
  const from = $("send-from").value.trim();
  if (from) message.From = withIds(from);
  const data = $("send-data").value;
  if (data) message.Data = withIds(data);
  return message;
}

async function rollbackTo(index) {
  const { label, checkpoint } = actions[index];
  status(`rolling back to before "${label}"…`);
  await net.rollback(checkpoint);
  actions = actions.slice(0, index);
  // Processes spawned by the undone actions are gone.
  const alive = new Set(await net.processes());
  for (const id of [...names.keys()]) if (!alive.has(id)) names.delete(id);
  selected = null;
  await refresh();
  status(`rolled back to before "${label}"`);
}

async function refresh() {
  const processes = await net.processes();
  trace = await net.trace();
  renderTargets(processes);
  renderActions();
  renderFlow(processes);
  renderDetail();
}

function renderTargets(processes) {
  const select = $("send-target");
  const current = select.value;
  clear(select, processes.map((id) => h("option", { value: id }, nameOf(id))));
  if (processes.includes(current)) select.value = current;
}

function renderActions() {
  clear($("actions"), actions.map((a, i) =>
    h("li", { dataset: { testid: "action" } },
      h("span", { title: a.label }, `${i + 1}. ${a.label}`),
      h("button", { class: "small ghost", dataset: { testid: "rollback" }, title: "Return the whole network to the state before this action", onclick: () => rollbackTo(i) }, "↶ Roll back"))));
}

const SVG = "http://www.w3.org/2000/svg";
function s(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) node.setAttribute(k, v);
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

function renderFlow(processes) {
  const lanes = ["(outside)", ...processes];
  const x = (id) => 70 + LANE_GAP * Math.max(0, lanes.indexOf(processes.includes(id) ? id : "(outside)"));
  const width = 70 * 2 + LANE_GAP * (lanes.length - 1);
  const height = TOP + ROW * Math.max(trace.length, 1) + 20;
  const svg = s("svg", { width, height, role: "img", "aria-label": `${trace.length} deliveries between ${processes.length} processes` });
  lanes.forEach((lane, i) => {
    const lx = 70 + LANE_GAP * i;
    svg.append(s("text", { x: lx, y: 16, "text-anchor": "middle", class: "lane-name" }, i === 0 ? "outside" : nameOf(lane)));
    svg.append(s("line", { x1: lx, y1: 24, x2: lx, y2: height - 6, class: "lane" }));
  });
  trace.forEach((t, i) => {
    const y = TOP + ROW * i;
    let x1 = x(t.from);
    const x2 = x(t.target);
    if (x1 === x2) x1 -= 40; // a process messaging itself: a short arrow into its lane
    const dir = x2 >= x1 ? 1 : -1;
    const g = s("g", { class: `arrow${t.ok ? "" : " failed"}${selected === t.step ? " selected" : ""}`, "data-testid": "arrow", "data-step": t.step, tabindex: 0 });
    g.append(
      s("line", { x1, y1: y, x2: x2 - dir * 7, y2: y }),
      s("polygon", { points: `${x2},${y} ${x2 - dir * 8},${y - 4} ${x2 - dir * 8},${y + 4}` }),
      s("text", { x: (x1 + x2) / 2, y: y - 5, "text-anchor": "middle" }, `${t.step}. ${t.action ?? t.kind}${t.ok ? "" : " ✕"}`),
      s("line", { x1, y1: y, x2, y2: y, class: "hit" }),
      s("title", {}, `${nameOf(t.from)} → ${nameOf(t.target)}: ${t.action ?? t.kind}${t.ok ? "" : " (failed)"}`));
    const choose = () => { selected = t.step; renderFlow(processes); renderDetail(); };
    g.addEventListener("click", choose);
    g.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") choose(); });
    svg.append(g);
  });
  clear($("flow"), svg);
  $("flow-count").textContent = `${trace.length} deliveries`;
}

function renderDetail() {
  const t = trace.find((e) => e.step === selected);
  if (!t) {
    clear($("detail"), h("p", { class: "empty" }, "Select an arrow to see its message, outcome and diff."));
    return;
  }
  const out = t.outcome ?? {};
  const tags = (t.message?.Tags ?? []).map((tag) => `${tag.name} = ${tag.value}`).join("\n");
  clear($("detail"),
    h("p", { dataset: { testid: "detail-head" } }, `#${t.step} ${t.kind} ${nameOf(t.from)} → ${nameOf(t.target)}${t.action ? `: ${t.action}` : ""}`),
    h("h3", {}, "Tags"), h("pre", {}, tags || "—"),
    t.message?.Data ? [h("h3", {}, "Data"), h("pre", {}, String(t.message.Data))] : null,
    t.error || out.Error ? [h("h3", {}, "Error"), h("pre", { class: "error", dataset: { testid: "detail-error" } }, stripAnsi(t.error ?? out.Error))] : null,
    h("h3", {}, "Output"), h("pre", { dataset: { testid: "detail-output" } }, stripAnsi(out.Output?.data ?? "") || "—"),
    h("h3", {}, `Sent (${(out.Messages ?? []).length})`),
    h("pre", {}, (out.Messages ?? []).map((m) => `→ ${nameOf(m.Target ?? "")} ${(m.Tags ?? []).find((x) => x.name === "Action")?.value ?? ""}`).join("\n") || "—"),
    h("h3", {}, "Diff"),
    h("pre", { dataset: { testid: "detail-diff" } }, out.Diff ? JSON.stringify(out.Diff, null, 1) : "—"));
}

$("spawn-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const name = $("spawn-name").value.trim();
  if (!name) return;
  act(`spawn ${name}`, () => spawn(name, $("spawn-source").value)).then(() => { $("spawn-name").value = ""; });
});
$("send-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const target = $("send-target").value;
  if (!target) return;
  const message = messageFromForm();
  act(`send ${message.Tags.Action ?? "message"} to ${nameOf(target)}`, () => net.message(target, message));
});
$("preset").addEventListener("click", () => loadPreset());
$("reset").addEventListener("click", () => start());

start().then(() => { document.body.dataset.ready = "true"; }, (e) => notice(`could not start: ${e.message}`));
