// The timeline: one row per step of the process (spawn, loaded code, each message, failed ones
// too, imports, forks, named checkpoints) with what it changed. Selecting a row shows the state
// as it was then; arrow keys move the selection.
import { h, clear } from "./dom.js";
import { diffList } from "./results.js";
import { detailOf } from "./composer.js";

const KIND_ICON = { spawn: "●", eval: "λ", send: "✉", import: "⇩", fork: "↳", mark: "★" };

export function createTimeline(list, { onSelect }) {
  let rows = [];
  let selected = null;

  function render(nextRows, nextSelected = selected) {
    rows = nextRows;
    selected = rows.includes(nextSelected) ? nextSelected : null;
    const last = rows.findLast((row) => row.committed);
    // Re-rendering replaces the buttons: keep the keyboard focus on the same row.
    const focused = list.contains(document.activeElement) ? document.activeElement.closest(".tl-row")?.dataset.seq : null;
    clear(list, rows.map((row) => {
      const isSelected = row === selected;
      const isCurrent = row === last;
      return h("li", { class: `tl-row kind-${row.kind}${row.ok ? "" : " failed"}${isSelected ? " selected" : ""}${isCurrent ? " current" : ""}`, "data-testid": "timeline-row", dataset: { seq: row.seq, kind: row.kind, hash: row.hash ?? "" } },
        h("button", {
          class: "tl-main",
          "aria-pressed": String(isSelected),
          "aria-label": `#${row.seq} ${row.title}${row.ok ? "" : " (failed)"}${isCurrent ? " (current state)" : ""}`,
          onclick: () => select(isSelected ? null : row),
          onkeydown: (e) => move(e, row),
        },
          h("span", { class: "tl-seq" }, `#${row.seq}`),
          h("span", { class: "tl-icon", "aria-hidden": "true" }, KIND_ICON[row.kind] ?? "•"),
          h("span", { class: "tl-title" }, row.title,
            row.kind === "send" && row.message && h("span", { class: "tl-detail" }, ` ${detailOf(row.message)}`)),
          h("span", { class: "tl-flags" },
            // Not for loads: the diff leaves out aos's tables, where loaded handlers go.
            row.ok && row.kind === "send" && row.diff?.length === 0 && h("span", { class: "tl-nochange" }, "no change"),
            !row.ok && h("span", { class: "badge error" }, row.stopped ? "stopped" : "error"),
            isCurrent && h("span", { class: "badge live" }, "now"))),
        row.diff?.length > 0 && h("div", { class: "tl-diff" }, diffList(row.diff, isSelected ? Infinity : 3)));
    }));
    if (focused) list.querySelector(`.tl-row[data-seq="${focused}"] .tl-main`)?.focus();
    // Scroll the list only (scrollIntoView would scroll the page too, on narrow screens).
    const target = selected ? list.querySelector(".tl-row.selected") : list.lastElementChild;
    if (target) {
      const top = target.offsetTop; // the list is positioned, so this is within it
      if (top < list.scrollTop) list.scrollTop = top;
      else if (top + target.offsetHeight > list.scrollTop + list.clientHeight) list.scrollTop = top + target.offsetHeight - list.clientHeight;
    }
  }

  function select(row, focus = false) {
    selected = row;
    render(rows, row);
    if (focus) list.querySelector(".tl-row.selected .tl-main")?.focus();
    onSelect(row);
  }

  function move(e, row) {
    const at = rows.indexOf(row);
    let next = null;
    if (e.key === "ArrowDown") next = rows[at + 1];
    else if (e.key === "ArrowUp") next = rows[at - 1];
    else if (e.key === "Home") next = rows[0];
    else if (e.key === "End") next = rows[rows.length - 1];
    else if (e.key === "Escape") return select(null);
    else return;
    e.preventDefault();
    if (next) select(next, true);
  }

  return { render, select, get selected() { return selected; } };
}
