// The message composer: From, tag rows (Action first), Data as text or JSON; plus the sample
// messages of the chosen example and the recently sent ones, which fill or re-send it.
import { h, $, clear } from "./dom.js";

const RECENT_MAX = 10;

export function createComposer({ onSend, onDryRun }) {
  const form = $("composer");
  const rowsBox = $("tag-rows");
  const from = $("msg-from");
  const data = $("msg-data");
  const isJson = $("msg-json");
  const dataError = $("data-error");
  const recent = [];
  let samples = [];

  function tagRow(name = "", value = "", fixed = false) {
    const index = rowsBox.children.length;
    const nameInput = h("input", { class: "tag-name", value: name, "aria-label": `Tag ${index + 1} name`, spellcheck: "false", placeholder: "name", readOnly: fixed, "data-testid": "tag-name" });
    const valueInput = h("input", { class: "tag-value", id: fixed ? "msg-action" : undefined, value, "aria-label": fixed ? "Action" : `Tag ${index + 1} value`, spellcheck: "false", placeholder: fixed ? "e.g. Balance" : "value", "data-testid": fixed ? "msg-action" : "tag-value" });
    const row = h("div", { class: `tag-row${fixed ? " fixed" : ""}` }, nameInput, valueInput,
      fixed
        ? h("span", { class: "tag-spacer" })
        : h("button", { type: "button", class: "ghost small icon", "aria-label": `Remove tag ${index + 1}`, title: "Remove tag", onclick: () => { row.remove(); rowsBox.querySelector(".tag-row:last-child .tag-value")?.focus(); } }, "✕"));
    rowsBox.append(row);
    return row;
  }

  function reset() {
    clear(rowsBox);
    tagRow("Action", "", true);
  }

  /** The message in the form, or throws with a message for the user. */
  function read() {
    const message = {};
    if (from.value.trim()) message.From = from.value.trim();
    const tags = [];
    for (const row of rowsBox.querySelectorAll(".tag-row")) {
      const name = row.querySelector(".tag-name").value.trim();
      const value = row.querySelector(".tag-value").value;
      if (!name || (name === "Action" && value === "")) continue;
      tags.push({ name, value });
    }
    message.Tags = tags;
    if (data.value !== "") {
      if (isJson.checked) {
        try {
          message.Data = JSON.parse(data.value);
        } catch (e) {
          showDataError(`Data is not valid JSON: ${e.message}`);
          throw Object.assign(new Error("invalid JSON data"), { shown: true });
        }
      } else {
        message.Data = data.value;
      }
    }
    showDataError(null);
    return message;
  }

  function showDataError(text) {
    dataError.hidden = !text;
    dataError.textContent = text ?? "";
    data.setAttribute("aria-invalid", text ? "true" : "false");
  }

  /** Puts a message (tags as an object or a list) into the form. */
  function fill(message) {
    from.value = message.From ?? "";
    const tags = Array.isArray(message.Tags)
      ? message.Tags
      : Object.entries(message.Tags ?? {}).map(([name, value]) => ({ name, value: String(value) }));
    reset();
    rowsBox.querySelector(".tag-value").value = tags.find((t) => t.name === "Action")?.value ?? "";
    for (const tag of tags) if (tag.name !== "Action") tagRow(tag.name, tag.value);
    if (message.Data === undefined) {
      data.value = "";
      isJson.checked = false;
    } else if (typeof message.Data === "string") {
      data.value = message.Data;
      isJson.checked = false;
    } else {
      data.value = JSON.stringify(message.Data, null, 2);
      isJson.checked = true;
    }
    showDataError(null);
  }

  function submit(kind) {
    let message;
    try {
      message = read();
    } catch (e) {
      if (e.shown) return;
      throw e;
    }
    if (kind === "send") remember(message);
    (kind === "send" ? onSend : onDryRun)(message);
  }

  function remember(message) {
    const key = JSON.stringify(message);
    const at = recent.findIndex((m) => JSON.stringify(m) === key);
    if (at !== -1) recent.splice(at, 1);
    recent.unshift(message);
    recent.length = Math.min(recent.length, RECENT_MAX);
    renderList($("recent-list"), recent, { resend: (m) => { remember(m); onSend(m); } });
    $("recent-count").textContent = String(recent.length);
    showPicker();
  }

  function renderList(list, messages, { resend }) {
    clear(list, messages.map((message, i) =>
      h("li", { class: "chip" },
        h("button", { type: "button", class: "chip-main", title: `${actionOf(message)} ${detailOf(message, Infinity)}\n(click to put it in the composer)`, "data-testid": "chip-fill", onclick: () => { fill(message); $("msg-action").focus(); } },
          h("span", { class: "chip-action" }, actionOf(message)), h("span", { class: "chip-detail" }, detailOf(message))),
        h("button", { type: "button", class: "chip-send small", "aria-label": `Send ${actionOf(message)} (${i + 1})`, title: "Send it now", "data-testid": "chip-send", onclick: () => resend(message) }, "Send"))));
  }

  /** Shows an example's sample messages. */
  function setSamples(messages, sendAll) {
    samples = messages;
    $("samples-count").textContent = String(messages.length);
    renderList($("sample-list"), messages, { resend: (m) => { remember(m); onSend(m); } });
    $("send-all").onclick = () => sendAll(messages);
    selectTab(messages.length ? "samples" : "recent");
  }

  // Samples and recent messages share one box, as two tabs.
  function selectTab(name) {
    for (const tab of ["samples", "recent"]) {
      const button = $(`tab-${tab}`);
      button.setAttribute("aria-selected", String(tab === name));
      button.tabIndex = tab === name ? 0 : -1;
      $(tab).hidden = tab !== name;
    }
    $("send-all").hidden = name !== "samples" || samples.length === 0;
    showPicker();
  }

  function showPicker() {
    $("picker").hidden = samples.length === 0 && recent.length === 0;
    $("tab-samples").hidden = samples.length === 0;
    $("tab-recent").hidden = recent.length === 0;
  }

  for (const tab of ["samples", "recent"]) {
    $(`tab-${tab}`).addEventListener("click", () => selectTab(tab));
    $(`tab-${tab}`).addEventListener("keydown", (e) => {
      if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
      const other = tab === "samples" ? "recent" : "samples";
      if ($(`tab-${other}`).hidden) return;
      selectTab(other);
      $(`tab-${other}`).focus();
    });
  }

  function setAddresses(addresses) {
    clear($("addresses"), [...new Set(addresses)].map((a) => h("option", { value: a })));
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    submit("send");
  });
  $("dry-run").addEventListener("click", () => submit("dry"));
  $("add-tag").addEventListener("click", () => tagRow().querySelector(".tag-name").focus());
  form.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      submit("send");
    }
  });

  reset();
  return { fill, read, setSamples, setAddresses, remember };
}

export function actionOf(message) {
  const tags = Array.isArray(message.Tags) ? message.Tags : Object.entries(message.Tags ?? {}).map(([name, value]) => ({ name, value }));
  return tags.find((t) => t.name === "Action")?.value ?? "(no Action)";
}

/** The rest of a message in one short line: From, other tags, Data. */
export function detailOf(message, width = 14) {
  const tags = Array.isArray(message.Tags) ? message.Tags : Object.entries(message.Tags ?? {}).map(([name, value]) => ({ name, value }));
  const parts = [];
  const short = (text) => (text.length > width ? `${text.slice(0, width - 2)}…` : text);
  if (message.From) parts.push(`from ${short(message.From)}`);
  for (const tag of tags) if (tag.name !== "Action") parts.push(`${tag.name}=${short(String(tag.value))}`);
  if (message.Data !== undefined) parts.push(`Data=${short(typeof message.Data === "string" ? message.Data : JSON.stringify(message.Data))}`);
  return parts.join(" ");
}
