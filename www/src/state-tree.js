// The state panel: the process's globals as an expandable tree, read page by page with
// inspect(path, {offset, limit, search, at}) so a table of a million entries costs one page.
// Sizes come from stats() (of the live state or of the row's); expanded paths survive
// re-renders.
import { h, clear, formatBytes } from "./dom.js";

export const PAGE = 50;
const OPAQUE = new Set(["function", "thread", "userdata"]);

export function createStateTree(container, { onError }) {
  let session = null;
  let row = null; // null: live state; otherwise the timeline row whose state is shown
  let search = "";
  let showSystem = false;
  let generation = 0;
  let systemNames = new Set();
  const expanded = new Set(); // JSON paths of open tables
  const pages = new Map(); // JSON path -> pages loaded

  const key = (path) => JSON.stringify(path);

  async function render() {
    if (!session) return;
    const mine = ++generation;
    const stale = () => mine !== generation;
    try {
      const stats = await session.stats(row);
      systemNames = new Set(stats.globals.filter((g) => !g.user).map((g) => g.name));
      const sizes = new Map(stats.globals.map((g) => [g.name, g]));
      const root = await session.inspect([], { offset: 0, limit: 100000 }, row);
      if (stale()) return;
      const globals = root.entries
        .filter((entry) => showSystem || entry.keyType !== "string" || !systemNames.has(entry.key))
        .filter((entry) => !search || expanded.has(key([entry.step ?? entry.key])) || entry.key.toLowerCase().includes(search.toLowerCase()));
      const items = [];
      for (const entry of globals) items.push(await node([], entry, entry.keyType === "string" ? sizes.get(entry.key) : null, stale));
      if (stale()) return;
      clear(container, globals.length
        ? h("ul", { class: "tree-list root" }, items)
        : h("p", { class: "empty" }, search ? `No global matches “${search}”.` : "No globals yet: load some code."));
      return stats;
    } catch (e) {
      if (stale()) return;
      if (e.code === "BAD_CHECKPOINT") clear(container, h("p", { class: "empty" }, "This state is no longer kept: the timeline keeps the newest ones."));
      else onError(e);
    }
  }

  // One entry (`key` is its text, `step` the path step naming it); its children are read
  // when its path is expanded.
  async function node(parent, entry, size, stale) {
    const path = [...parent, entry.step ?? entry.key];
    const id = key(path);
    const canOpen = entry.type === "table" && (entry.count ?? 1) > 0;
    const open = canOpen && expanded.has(id);
    const label = entry.keyType === "string" ? entry.key : `[${entry.key}]`;
    const toggle = canOpen
      ? h("button", { class: "toggle", "aria-expanded": String(open), "aria-label": `${open ? "Collapse" : "Expand"} ${label}`, "data-testid": "tree-toggle", onclick: () => { open ? expanded.delete(id) : expanded.add(id); render(); } }, open ? "▾" : "▸")
      : h("span", { class: "toggle-spacer", "aria-hidden": "true" });
    const item = h("li", { class: `tree-item type-${entry.type}`, "data-testid": "tree-item", dataset: { path: id, key: entry.key } },
      h("div", { class: "node-row" },
        toggle,
        h("span", { class: `key key-${entry.keyType}` }, label),
        h("span", { class: "type" }, entry.type),
        // Functions and coroutines have nothing to show beyond their type.
        !open && !OPAQUE.has(entry.type) && h("span", { class: "value", "data-testid": "tree-value", title: entry.preview }, entry.preview),
        size && h("span", { class: "size", title: `${size.tables} tables, ${size.closures} functions, ${size.entries} entries` }, formatBytes(size.bytes))));
    if (open) item.append(await children(path, stale));
    return item;
  }

  async function children(path, stale) {
    const id = key(path);
    const loaded = pages.get(id) ?? 1;
    const page = await session.inspect(path, { offset: 0, limit: loaded * PAGE, search: search || undefined }, row);
    if (stale()) return h("ul");
    const items = [];
    for (const entry of page.entries) items.push(await node(path, entry, null, stale));
    const shown = page.entries.length;
    const total = page.count ?? shown;
    return h("ul", { class: "tree-list" }, items,
      shown === 0 && h("li", { class: "tree-note" }, search ? `no key matches “${search}”` : "empty"),
      shown < total && h("li", { class: "tree-more" },
        h("button", { class: "small ghost", "data-testid": "tree-more", onclick: () => { pages.set(id, loaded + 1); render(); } },
          `Show ${Math.min(PAGE, total - shown)} more`), h("span", { class: "muted" }, ` ${shown} of ${total.toLocaleString("en")}`)));
  }

  return {
    render,
    /** Shows another session's state from the next render on. */
    setSession(next) {
      session = next;
      row = null;
      expanded.clear();
      pages.clear();
    },
    setRow(next) {
      row = next;
      return render();
    },
    setSearch(text) {
      search = text.trim();
      return render();
    },
    setShowSystem(value) {
      showSystem = value;
      return render();
    },
    get row() {
      return row;
    },
  };
}
