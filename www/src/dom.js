// Small DOM helpers shared by the panels: element building, ANSI-coloured text (aos colours its
// output and errors), and formatting of sizes and JSON values.

/** h("div", {class: "x", onclick}, child, "text", [more]) builds an element. */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key in node && typeof value !== "string") node[key] = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
}

export const $ = (id) => document.getElementById(id);

export function clear(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

// SGR colour codes aos uses (30-37, 90-97); anything else is dropped.
const ANSI = /\u001b\[([0-9;]*)m/g;
const COLOURS = { 30: "black", 31: "red", 32: "green", 33: "yellow", 34: "blue", 35: "magenta", 36: "cyan", 37: "white" };

export function stripAnsi(text) {
  return String(text ?? "").replace(ANSI, "");
}

/** Text with ANSI colour codes as a fragment of coloured spans (never as HTML). */
export function ansi(text) {
  const fragment = document.createDocumentFragment();
  let colour = null;
  let last = 0;
  const source = String(text ?? "");
  const push = (chunk) => {
    if (!chunk) return;
    fragment.append(colour ? h("span", { class: `ansi-${colour}` }, chunk) : chunk);
  };
  for (const match of source.matchAll(ANSI)) {
    push(source.slice(last, match.index));
    last = match.index + match[0].length;
    for (const code of (match[1] || "0").split(";").map(Number)) {
      if (code === 0 || code === 39) colour = null;
      else if (COLOURS[code]) colour = COLOURS[code];
      else if (code >= 90 && code <= 97) colour = code === 90 ? "grey" : COLOURS[code - 60];
    }
  }
  push(source.slice(last));
  return fragment;
}

export function formatBytes(n) {
  if (n === undefined || n === null) return "";
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10240 ? 1 : 0)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** A JSON value as short text for tables and diffs. */
export function preview(value, max = 80) {
  if (value === undefined) return "nil";
  const text = JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Text with each run of blank lines (blank once the colour codes are gone: aos pads its errors
 * with them) as one blank line, and none at either end. The colour codes are kept. */
export function tidyBlankLines(text) {
  const isBlank = (line) => stripAnsi(line).trim() === "";
  const out = [];
  let codes = ""; // colour codes of dropped blank lines, carried to the next line kept
  for (const line of String(text ?? "").split("\n")) {
    if (isBlank(line) && (out.length === 0 || isBlank(out.at(-1)))) {
      codes += line.trim();
      continue;
    }
    out.push(codes + line);
    codes = "";
  }
  while (out.length > 0 && isBlank(out.at(-1))) codes = out.pop().trim() + codes;
  if (out.length > 0) out[out.length - 1] += codes;
  return out.join("\n");
}

/** The lines of the user's code that a Lua error names (`[string "aos"]:12: ...`). */
export function errorLines(message) {
  const lines = [];
  for (const match of stripAnsi(message).matchAll(/\[string "aos"\]:(\d+):/g)) lines.push(Number(match[1]));
  return [...new Set(lines)];
}

export function download(name, text, type = "application/json") {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = h("a", { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
