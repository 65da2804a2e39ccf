// The Lua editor: CodeMirror 6 with the legacy Lua mode, themed from the page's CSS variables
// (so it follows the light/dark scheme), Ctrl/Cmd+Enter to load, and error lines marked.
import { EditorView, basicSetup } from "codemirror";
import { EditorState, StateEffect, StateField, Prec } from "@codemirror/state";
import { Decoration, keymap } from "@codemirror/view";
import { StreamLanguage, HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { setDiagnostics } from "@codemirror/lint";
import { lua } from "@codemirror/legacy-modes/mode/lua";
import { tags as t } from "@lezer/highlight";

const markErrors = StateEffect.define();
const errorLine = Decoration.line({ class: "cm-error-line" });

// Lines named by the last error, kept in the right place while the user edits.
const errorField = StateField.define({
  create: () => Decoration.none,
  update(lines, tr) {
    lines = lines.map(tr.changes);
    for (const effect of tr.effects) if (effect.is(markErrors)) lines = effect.value;
    return lines;
  },
  provide: (field) => EditorView.decorations.from(field),
});

const highlight = HighlightStyle.define([
  { tag: t.keyword, color: "var(--syn-keyword)" },
  { tag: [t.string, t.special(t.string)], color: "var(--syn-string)" },
  { tag: t.number, color: "var(--syn-number)" },
  { tag: [t.comment, t.lineComment, t.blockComment], color: "var(--syn-comment)", fontStyle: "italic" },
  { tag: [t.bool, t.null, t.atom], color: "var(--syn-atom)" },
  { tag: [t.standard(t.variableName), t.special(t.variableName)], color: "var(--syn-builtin)" },
  { tag: t.variableName, color: "var(--fg)" },
  { tag: t.operator, color: "var(--syn-operator)" },
  { tag: t.bracket, color: "var(--muted)" },
]);

const theme = EditorView.theme({
  "&": { color: "var(--fg)", backgroundColor: "var(--editor-bg)", height: "100%" },
  ".cm-content": { caretColor: "var(--accent)", fontFamily: "var(--mono)" },
  ".cm-scroller": { fontFamily: "var(--mono)", lineHeight: "1.55" },
  "&.cm-focused .cm-cursor": { borderLeftColor: "var(--accent)" },
  "&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection": { backgroundColor: "var(--selection)" },
  ".cm-gutters": { backgroundColor: "var(--editor-bg)", color: "var(--faint)", border: "none", borderRight: "1px solid var(--line)" },
  ".cm-activeLine": { backgroundColor: "var(--active-line)" },
  ".cm-activeLineGutter": { backgroundColor: "var(--active-line)", color: "var(--muted)" },
  ".cm-error-line": { backgroundColor: "var(--error-line)", boxShadow: "inset 3px 0 0 var(--err)" },
  ".cm-matchingBracket": { backgroundColor: "var(--selection)", outline: "none" },
  ".cm-tooltip": { backgroundColor: "var(--panel-2)", color: "var(--fg)", border: "1px solid var(--line)" },
  ".cm-panels": { backgroundColor: "var(--panel-2)", color: "var(--fg)" },
});

export function createEditor(parent, { doc = "", onRun, label = "Lua code" } = {}) {
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        Prec.highest(keymap.of([{ key: "Mod-Enter", run: () => (onRun?.(), true) }])),
        basicSetup,
        StreamLanguage.define(lua),
        syntaxHighlighting(highlight),
        theme,
        errorField,
        EditorView.contentAttributes.of({ "aria-label": label, "data-testid": "editor" }),
        // Editing clears the error marks: they describe the code that was loaded.
        EditorView.updateListener.of((update) => {
          if (update.docChanged && update.state.field(errorField).size) clearErrors(view);
        }),
      ],
    }),
  });
  return view;
}

export function getCode(view) {
  return view.state.doc.toString();
}

export function setCode(view, text) {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
  clearErrors(view);
  view.scrollDOM.scrollTop = 0;
}

/** Marks lines (1-based) as erroneous, with the message as a diagnostic, and shows the first. */
export function showErrors(view, lines, message) {
  const doc = view.state.doc;
  const valid = lines.filter((n) => n >= 1 && n <= doc.lines).map((n) => doc.line(n));
  const decorations = Decoration.set(valid.map((line) => errorLine.range(line.from)));
  const diagnostics = valid.map((line) => ({ from: line.from, to: line.to, severity: "error", message }));
  view.dispatch({ effects: markErrors.of(decorations) });
  view.dispatch(setDiagnostics(view.state, diagnostics));
  // Centre the first marked line by scrolling the editor only (scrollIntoView effects also
  // scroll the page, which jumps on narrow screens where the page scrolls).
  if (valid[0]) {
    const block = view.lineBlockAt(valid[0].from);
    view.scrollDOM.scrollTop = Math.max(0, block.top - view.scrollDOM.clientHeight / 2);
  }
}

export function clearErrors(view) {
  // Dispatching from inside an update listener is not allowed: defer it.
  queueMicrotask(() => {
    view.dispatch({ effects: markErrors.of(Decoration.none) });
    view.dispatch(setDiagnostics(view.state, []));
  });
}
