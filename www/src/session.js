// One playground session: a process in a Web Worker plus its timeline. Every call goes through
// one queue, so the page never talks to a worker mid-call.
//
// After each committed change the session takes a checkpoint (for "state then" and "roll back
// to here") and keeps the exported state document: the latest one is what Stop restores into
// a fresh worker. Rows keep their documents too, within a budget, for "fork from here" and
// for rows whose checkpoints died with a stopped worker.
import { ProcessWorker } from "../../pkg/worker-client.js";

// Calls slower than this enable the Stop button (quick ones would only make it flicker).
const STOP_AFTER_MS = 150;
// Characters of state documents kept on rows (older rows lose theirs first).
const DOC_BUDGET = 32 * 1024 * 1024;

// Every outcome lists what it changed (`Diff`); imported processes keep doing so.
export const PROCESS_OPTIONS = { diff: true };
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

  on(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  #emit(event, detail) {
    for (const listener of this.listeners) listener(event, detail, this);
  }

  /** Spawns the process (or restores `doc` into it) and records the first timeline row. */
  async start(doc = null, title = doc ? "State imported" : "Process spawned") {
    this.ready = this.#spawn(doc);
    await this.ready;
    await this.#enqueue((w) => this.#commit(w, { kind: doc ? "import" : "spawn", title, ok: true }));
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
    this.worker = worker;
    this.id = worker.id;
    this.owner = worker.owner;
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
    return this.#addRow({ ...row, committed: true, checkpoint, doc, hash: this.hash, epoch: this.epoch });
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
    return row.epoch === this.epoch && row.checkpoint !== null && row.checkpoint !== undefined;
  }

  /** Evaluates code in the process (the Load button). Throws the Lua error. */
  load(source, title = "Code loaded") {
    return this.#enqueue(async (w) => {
      const result = await w.eval(source);
      const row = await this.#commit(w, { kind: "eval", title, ok: true, source, output: result.output, diff: result.Diff });
      return { result, row };
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
      const current = this.current;
      return this.#addRow({ kind: "mark", title: name, name, ok: true, committed: true, checkpoint, doc: current?.doc ?? this.lastGood, hash: this.hash, epoch: this.epoch, diff: [] });
    });
  }

  /** Returns the process to the state of `row`; later rows leave the timeline. */
  rollback(row) {
    return this.#enqueue(async (w) => {
      if (this.hasCheckpoint(row)) {
        await w.rollback(row.checkpoint);
      } else if (row.doc) {
        w = await this.#spawn(row.doc); // its checkpoint died with an earlier worker
        row.checkpoint = await w.checkpoint();
        row.epoch = this.epoch;
      } else {
        throw Object.assign(new Error("this row's state is no longer kept"), { code: "BAD_CHECKPOINT" });
      }
      this.lastGood = row.doc ?? (await w.exportState());
      this.hash = await w.stateHash();
      const dropped = this.rows.splice(this.rows.indexOf(row) + 1);
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
      return w;
    });
    await this.ready;
    this.#emit("restored", this.current);
  }

  stats() {
    return this.#enqueue((w) => w.stats());
  }

  stateHash() {
    return this.#enqueue((w) => w.stateHash());
  }

  exportState() {
    return this.#enqueue((w) => w.exportState());
  }

  /** inspect() on the live state (row null) or on the state as it was at a timeline row. */
  inspect(path, options, row = null) {
    if (row === null) return this.#enqueue((w) => w.inspect(path, options));
    if (this.hasCheckpoint(row)) return this.#enqueue((w) => w.inspect(path, { ...options, at: row.checkpoint }));
    if (!row.doc) return Promise.reject(Object.assign(new Error(`the state of #${row.seq} is no longer kept`), { code: "BAD_CHECKPOINT" }));
    return this.#enqueue(async () => {
      if (this.#viewer?.doc !== row.doc) {
        this.#viewer?.worker.terminate();
        this.#viewer = null;
        this.#viewer = { doc: row.doc, worker: await ProcessWorker.fromState(row.doc) };
      }
      return this.#viewer.worker.inspect(path, options);
    });
  }

  close() {
    this.worker?.terminate();
    this.#viewer?.worker.terminate();
  }
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
