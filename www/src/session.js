// One playground session: a process in a Web Worker plus its timeline. Every call goes through
// one queue, so the page never talks to a worker mid-call.
//
// After each committed change the session takes a checkpoint and exports the state document
// (its SHA-256 is the hash shown; the latest one is what Stop restores into a fresh worker).
// While a row's checkpoint lives in the current worker, everything about the row's state (the
// tree, sizes, hash, fork, roll back) is read through it: the engine steps back to it and
// forward again, costing what changed since. Rows also keep the document of their commit,
// within a budget, for when their checkpoint is gone: Stop ends a worker mid-call (nothing
// can be read from it then), an import or a roll back to such a row replaces the worker, and
// the engine drops its oldest checkpoints when its history grows past its cap.
import { ProcessWorker } from "../../pkg/worker-client.js";

// Calls slower than this enable the Stop button (quick ones would only make it flicker).
const STOP_AFTER_MS = 150;
// Characters of state documents kept on rows (older rows lose theirs first).
const DOC_BUDGET = 32 * 1024 * 1024;

// Every outcome lists what it changed (`Diff`); imported processes keep doing so.
// Every failure is diagnosed: the result panel shows its traceback (ErrorInfo).
export const PROCESS_OPTIONS = { diff: true, diagnostics: "always" };
const HISTORY_OPTIONS = { diff: true };

export class Session {
  static #made = 0;

  constructor(name) {
    this.key = ++Session.#made;
    this.name = name;
    this.worker = null;
    this.epoch = 0; // which worker the checkpoint ids in rows belong to
    this.rows = [];
    this.lastGood = null; // exported state after the last committed change
    this.hash = null;
    this.ready = null;
    this.busy = false;
    this.listeners = new Set();
  }

  #queue = Promise.resolve();
  #pending = 0;
  #busyTimer = null;
  #viewer = null; // {doc, worker}: a scratch worker showing a row's document
  #seq = 0;
  #alive = new Set(); // ids of the checkpoints the current worker still has

  on(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  #emit(event, detail) {
    for (const listener of this.listeners) listener(event, detail, this);
  }

  /** Spawns the process (or takes over `worker`, e.g. a fork) and records the first row. */
  async start({ worker = null, kind = worker ? "import" : "spawn", title = worker ? "State imported" : "Process spawned" } = {}) {
    this.ready = worker ? Promise.resolve(this.#adopt(worker)) : this.#spawn(null);
    await this.ready;
    await this.#enqueue((w) => this.#commit(w, { kind, title, ok: true }));
    return this;
  }

  // A new worker with a fresh process, or one rebuilt from a state document (throws
  // BAD_STATE for a bad one, leaving the current worker as it is).
  async #spawn(doc) {
    const worker = doc === null
      ? await ProcessWorker.create(PROCESS_OPTIONS)
      : await ProcessWorker.fromState(doc, HISTORY_OPTIONS);
    this.#adopt(worker);
    return worker;
  }

  #adopt(worker) {
    if (this.worker && this.worker !== worker) this.worker.terminate();
    this.epoch += 1; // checkpoint ids of earlier rows belonged to the old worker
    this.#alive.clear();
    this.worker = worker;
    this.id = worker.id;
    this.owner = worker.owner;
    return worker;
  }

  // Runs `job(worker)` after every earlier call and after any restart in progress.
  #enqueue(job) {
    const run = this.#queue.then(async () => {
      await this.ready;
      this.#begin();
      try {
        return await job(this.worker);
      } finally {
        this.#end();
      }
    });
    this.#queue = run.catch(() => {});
    return run;
  }

  #begin() {
    this.#pending += 1;
    clearTimeout(this.#busyTimer);
    this.#busyTimer = setTimeout(() => {
      this.busy = true;
      this.#emit("busy", true);
    }, STOP_AFTER_MS);
  }

  #end() {
    this.#pending -= 1;
    if (this.#pending > 0) return;
    clearTimeout(this.#busyTimer);
    if (this.busy) {
      this.busy = false;
      this.#emit("busy", false);
    }
  }

  // After a committed change: checkpoint, keep the document and the hash, add the row.
  async #commit(w, row) {
    const checkpoint = await w.checkpoint();
    const doc = await w.exportState();
    this.lastGood = doc;
    this.hash = await hashOf(doc, w);
    await this.#syncCheckpoints(w);
    return this.#addRow({ ...row, committed: true, checkpoint, doc, hash: this.hash, epoch: this.epoch });
  }

  // Which checkpoints the worker still has (it drops the oldest past its history cap).
  async #syncCheckpoints(w) {
    this.#alive = new Set((await w.checkpoints()).map((c) => c.id));
  }

  #addRow(row) {
    row.seq = ++this.#seq;
    this.rows.push(row);
    this.#trimDocs();
    this.#emit("rows", row);
    return row;
  }

  #trimDocs() {
    let total = 0;
    for (let i = this.rows.length - 1; i >= 0; i--) {
      const row = this.rows[i];
      if (!row.doc) continue;
      total += row.doc.length;
      if (total > DOC_BUDGET && row !== this.current) row.doc = null;
    }
  }

  /** The row whose state the process is in now. */
  get current() {
    return this.rows.findLast((row) => row.committed) ?? null;
  }

  /** The row whose state `row` stands for: a failed message left the state of the one before. */
  stateRow(row) {
    for (let i = this.rows.indexOf(row); i >= 0; i--) if (this.rows[i].committed) return this.rows[i];
    return null;
  }

  /** Whether the row's checkpoint is alive in the current worker. */
  hasCheckpoint(row) {
    return row?.epoch === this.epoch && this.#alive.has(row.checkpoint);
  }

  /** Whether the state of `row` can still be read (through its checkpoint or its document). */
  isKept(row) {
    return Boolean(row) && (this.hasCheckpoint(row) || Boolean(row.doc));
  }

  /** Evaluates code in the process (the Load button) as an Eval message: a Lua error gives a
   * failed row, like a failed message; a syntax error throws (nothing ran). */
  load(source, title = "Code loaded") {
    return this.#enqueue(async (w) => {
      const outcome = await w.evalOutcome(source);
      if (outcome.Error !== undefined) {
        return { outcome, row: this.#addRow({ kind: "eval", title, ok: false, source, outcome }) };
      }
      const row = await this.#commit(w, { kind: "eval", title, ok: true, source, outcome, diff: outcome.Diff });
      return { outcome, row };
    });
  }

  /** Sends a message; failed ones get a row too (their state is unchanged). */
  send(message) {
    return this.#enqueue(async (w) => {
      let outcome;
      try {
        outcome = await w.send(message);
      } catch (e) {
        if (e.code === "TERMINATED") {
          this.#addRow({ kind: "send", title: titleOf(message), ok: false, stopped: true, message, outcome: { Error: "Stopped: the worker was ended and the last good state restored in a new one." } });
        }
        throw e;
      }
      if (outcome.Error !== undefined) {
        return { outcome, row: this.#addRow({ kind: "send", title: titleOf(message), ok: false, message, outcome }) };
      }
      const row = await this.#commit(w, { kind: "send", title: titleOf(message), ok: true, message, outcome, diff: outcome.Diff });
      return { outcome, row };
    });
  }

  dryRun(message) {
    return this.#enqueue((w) => w.dryRun(message));
  }

  /** Replaces the process with one rebuilt from a document; throws (BAD_STATE) for bad ones. */
  importDoc(doc, name) {
    return this.#enqueue(async () => {
      const worker = await this.#spawn(doc);
      return this.#commit(worker, { kind: "import", title: name ? `Imported ${name}` : "State imported", ok: true });
    });
  }

  /** A named checkpoint of the current state, as its own timeline row. */
  mark(name) {
    return this.#enqueue(async (w) => {
      const checkpoint = await w.checkpoint(name);
      await this.#syncCheckpoints(w);
      const current = this.current;
      return this.#addRow({ kind: "mark", title: name, name, ok: true, committed: true, checkpoint, doc: current?.doc ?? this.lastGood, hash: this.hash, epoch: this.epoch, diff: [] });
    });
  }

  /** Returns the process to the state of `row`; later rows leave the timeline. */
  rollback(row) {
    return this.#enqueue(async (w) => {
      if (this.hasCheckpoint(row)) {
        await w.rollback(row.checkpoint); // the engine drops the later rows' checkpoints
      } else if (row.doc) {
        w = await this.#spawn(row.doc); // its checkpoint is gone with an earlier worker
        row.checkpoint = await w.checkpoint();
        row.epoch = this.epoch;
      } else {
        throw notKept(row);
      }
      await this.#syncCheckpoints(w);
      row.doc = this.lastGood = await w.exportState();
      this.hash = await hashOf(row.doc, w);
      const dropped = this.rows.splice(this.rows.indexOf(row) + 1);
      // The scratch worker of a dropped row's document is of no more use.
      if (this.#viewer && dropped.some((r) => r.doc === this.#viewer.doc) && row.doc !== this.#viewer.doc) this.#closeViewer();
      this.#emit("rollback", { row, dropped });
      return row;
    });
  }

  /** Ends a runaway call: a new worker takes over with the last good state. */
  async stop() {
    this.worker.terminate();
    this.ready = this.#spawn(this.lastGood).then(async (w) => {
      // The rows' checkpoints lived in the old worker; the current row gets a fresh one.
      const current = this.current;
      if (current) Object.assign(current, { checkpoint: await w.checkpoint(), epoch: this.epoch });
      await this.#syncCheckpoints(w);
      return w;
    });
    await this.ready;
    this.#emit("restored", this.current);
  }

  /** Sizes of the live state (row null) or of the state as it was at a timeline row. */
  stats(row = null) {
    return this.#read(row, (w, at) => w.stats(at));
  }

  /** The hash of the live state, or the engine's hash of a row's state (its checkpoint's; the
   * one recorded when the row was made for a row known only by its document). */
  stateHash(row = null) {
    return this.#read(row, (w, at) => w.stateHash(at), () => row.hash);
  }

  exportState() {
    return this.#enqueue((w) => w.exportState());
  }

  /** inspect() on the live state (row null) or on the state as it was at a timeline row. */
  inspect(path, options, row = null) {
    return this.#read(row, (w, at) => w.inspect(path, at === undefined ? options : { ...options, at }));
  }

  /** A new worker holding the state of `row` (for "fork from here"). */
  fork(row) {
    return this.#read(row, (w, at) => w.fork(HISTORY_OPTIONS, at), () => ProcessWorker.fromState(row.doc, HISTORY_OPTIONS));
  }

  // Runs `read(worker, at)` on the live state (row null: `at` undefined), on a row's
  // checkpoint, or else on the row's document: `fromDoc()` if given, otherwise `read` on a
  // scratch worker holding the document.
  #read(row, read, fromDoc = null) {
    if (row === null) return this.#enqueue((w) => read(w, undefined));
    // Checked in the queue: a roll back or Stop queued earlier may end the checkpoint.
    return this.#enqueue(async (w) => {
      if (this.hasCheckpoint(row)) return read(w, row.checkpoint);
      if (!row.doc) throw notKept(row);
      if (fromDoc) return fromDoc();
      if (this.#viewer?.doc !== row.doc) {
        this.#closeViewer();
        this.#viewer = { doc: row.doc, worker: await ProcessWorker.fromState(row.doc) };
      }
      return read(this.#viewer.worker, undefined);
    });
  }

  #closeViewer() {
    this.#viewer?.worker.terminate();
    this.#viewer = null;
  }

  close() {
    this.worker?.terminate();
    this.#closeViewer();
  }
}

function notKept(row) {
  return Object.assign(new Error(`the state of #${row.seq} is no longer kept`), { code: "BAD_CHECKPOINT" });
}

/** The state hash: SHA-256 of the document, computed here when the page can (it saves the
 * worker a second export); stateHash() otherwise (WebCrypto needs a secure context). */
async function hashOf(doc, worker) {
  if (!globalThis.crypto?.subtle) return worker.stateHash();
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(doc));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** A message's title in the timeline: its Action. */
export function titleOf(message) {
  const tags = Array.isArray(message.Tags)
    ? message.Tags
    : Object.entries(message.Tags ?? {}).map(([name, value]) => ({ name, value }));
  return tags.find((tag) => tag.name === "Action")?.value ?? "(no Action)";
}
