//! The TypeScript domain types of the JS API, written into the generated `.d.ts`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** A JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** One AO tag. Tag values are strings on AO. */
export interface Tag { name: string; value: string }

/** Tags as an array of `{name, value}` or as an object. */
export type Tags = Tag[] | Record<string, string>;

/**
 * A message to a process. Every field is optional; missing ones get deterministic defaults
 * (`From`: the owner). aoconnect's shapes are accepted too: other casings of these fields
 * (`tags`, `data`), `process` for `Target`, tags as `{name, value}` in any casing. A field
 * one edit away from a known one (`Tag`, `Form`) is refused with a "did you mean".
 */
export interface Message {
  Id?: string;
  From?: string;
  Owner?: string;
  Target?: string;
  Tags?: Tags;
  /** Text, or a JSON value: delivered as its JSON text, as the network delivers it (no tag is added). */
  Data?: string | JsonValue;
  /** Milliseconds since the epoch; moves the process clock. */
  Timestamp?: number | string;
  "Block-Height"?: number | string;
  Nonce?: number | string;
  Cron?: boolean;
  "Read-Only"?: boolean;
  /** aoconnect's names: `tags`, `data`, `process` (the Target). */
  tags?: Tags;
  data?: string | JsonValue;
  process?: string;
  /** Other scalar fields (`Epoch`, `Hash-Chain`...) are passed to the process as they are. */
  [field: string]: unknown;
}

/** A tag of an outgoing message, as aos's loader JSON-encodes it: non-string values (numbers, booleans, tables) pass through as JSON; a tag without a value (nil, a function) has no `value`. */
export interface OutTag { name: string; value?: JsonValue }

/** A message the process sent. */
export interface OutMessage {
  Target?: string;
  Anchor?: string;
  Tags: OutTag[];
  /** Absent when the process set none; a number or boolean stays one. */
  Data?: string | number | boolean;
  /** Its tags as an object (the first value of each name); not part of its JSON. */
  readonly tags: Record<string, JsonValue | undefined>;
}

/** What `outcome.find` and `outcome.filter` match: tag values, `Target` or `Data`. */
export type MessageFilter = Record<string, JsonValue | undefined>;

/** What a message printed, as aos reports it. */
export interface Output { data: string; prompt?: string; print?: boolean; test?: string }

/** The result of handling one message, in the shape ao-loader returns. */
export interface Outcome {
  Output: Output | null;
  Messages: OutMessage[];
  Spawns: OutMessage[];
  Assignments: JsonValue[];
  /** Present when the message failed; the process state is then unchanged. Text, except
   * for an Eval whose chunk returns a second value that is not a string: that value, as
   * aos reports it (`errorText` is then its JSON). */
  Error?: string | JsonValue;
  /** The error in structured form (an aolite addition): Lua's message, where it happened
   * in the user's code, and the frames that led there (innermost first). */
  ErrorInfo?: ErrorInfo;
  /** The handlers whose pattern matched and that ran, in order (`_eval` and `_default`
   * included), each with whether it finished without an error (an aolite addition). */
  Handlers?: HandlerRun[];
  /** Fuel used (about one unit per VM instruction). */
  GasUsed: number;
  /** What the message changed (user globals), when diffs are on (`diff: true`). */
  Diff?: Change[];
  /** The first sent message whose tags (or `Target`, `Data`) match; not part of the JSON. */
  readonly find: (filter?: MessageFilter) => OutMessage | undefined;
  /** Every sent message that matches; not part of the JSON. */
  readonly filter: (filter?: MessageFilter) => OutMessage[];
  /** `Output.data` without ANSI colour codes; not part of the JSON. */
  readonly outputText: string;
  /** `Error` without ANSI colour codes; not part of the JSON. */
  readonly errorText: string | undefined;
}

/** A handler that ran for a message: `{ name: "transfer", ok: true }`. */
export interface HandlerRun { name: string; ok: boolean }

/** A failed message's error, for tools that should not parse text. */
export interface ErrorInfo {
  message: string;
  chunk: string | null;
  line: number | null;
  traceback: { chunk: string; line: number | null; name: string }[];
}

/** One changed slot: `Balances.alice: 300 -> 200`. `old`/`new` are absent for nil. */
export interface Change { path: string; old?: JsonValue; new?: JsonValue }

/** A message's changes. */
export type Diff = Change[];

/** A point `rollback` can return to. */
export interface Checkpoint { id: number; name?: string; /** messages logged when taken */ seq: number }

/** One handled message in the log. */
export interface LogEntry {
  seq: number;
  /** `send`: defaults filled in by the process; `handle`: message and env as given. */
  kind: "send" | "handle" | "evaluate";
  message: Message;
  env?: Env;
  ok: boolean;
  /** SHA-256 (hex) of the outcome without its Diff. */
  outcomeHash: string;
}

/** Size of a part of the state (bytes are a platform-independent estimate). */
export interface Counts { bytes: number; tables: number; closures: number; strings: number; entries: number }

/** Size of one top-level global; `user` is false for the aos runtime's own. */
export interface GlobalStats extends Counts { name: string; user: boolean }

/** Size of the whole state; `heapBytes` is the allocator's exact total. */
export interface Stats extends Counts { heapBytes: number; globals: GlobalStats[] }

/** A step of a path into the state: a string or number key, or the forms `inspect` hands out. */
export type PathStep = string | number | { bool: boolean } | { ref: string };

/** Paging through a table; `at` shows it as it was at a checkpoint. */
export interface InspectOptions { offset?: number; limit?: number; search?: string; at?: number }

/** One entry of an inspected table. */
export interface InspectEntry {
  key: string;
  /** Append to the path to inspect this entry's value. */
  step: PathStep;
  keyType: string;
  type: string;
  preview: string;
  /** Entries of the value, when it is a table. */
  count?: number;
}

/** One page of the value at a path. */
export interface Inspection {
  path: string;
  type: string;
  preview: string;
  /** Entries in the table (after `search`). */
  count: number;
  offset: number;
  entries: InspectEntry[];
}

/** Options for `importState`. */
export interface HistoryOptions { diff?: boolean; log?: boolean }

/** The parsed form of `exportState()`'s text (see the README for every field). */
export interface StateDocument {
  format: "aolite-state/1";
  process: {
    id: string; owner: string; module: string; tags: [string, string][];
    moduleTags: [string, string][]; clock: number; clockStep: number; blockHeight: number;
    nonce: number;
  };
  limits: { fuel: number; memory: number; sourceBytes: number; operatorChain: number; nesting: number };
  host: { timeMs: number; fuelUsed: number; rng: string[] };
  identities: number;
  chunks: { name: string; source: JsonValue; env?: JsonValue }[];
  roots: Record<string, JsonValue>;
  objects: JsonValue[];
}

/** Resource bounds of a process. */
export interface Limits {
  /** Fuel one message may use. */
  fuel?: number;
  /** Bytes the Lua heap may hold. */
  memory?: number;
}

/** How to spawn a process. */
export interface ProcessOptions {
  id?: string;
  owner?: string;
  module?: string;
  /** Tags of the process message (`Name`, `On-Boot`...). */
  tags?: Tags;
  /** Tags of the module (`ao.env.Module.Tags`). */
  moduleTags?: Tags;
  authorities?: string[];
  /** Data of the process message (evaluated when `On-Boot` is `Data`). */
  data?: string;
  /** Start of the process clock, ms since the epoch. */
  timestamp?: number;
  /** Milliseconds the clock advances for each message without a `Timestamp` (default 1;
   * 0 keeps the clock still). */
  clockStep?: number;
  blockHeight?: number;
  limits?: Limits;
  /** `false`: do not handle the process message (send it yourself with `handle`). */
  spawn?: boolean;
  /** Every outcome lists what the message changed (`Diff`). */
  diff?: boolean;
  /** `false`: do not keep the message log. */
  log?: boolean;
  /** When a message is re-run for Lua's exact errors (a failure's error and
   * `ErrorInfo.traceback`, errors caught by `pcall`, tracebacks): `"auto"` (default: when an
   * error lacks a position or name), `"always"` (every failure too), `"off"`. */
  diagnostics?: "auto" | "always" | "off";
}

/** The environment a compute unit passes with each message. */
export interface Env {
  Process: { Id: string; Owner: string; Tags: Tag[] };
  Module: { Id: string; Owner: string; Tags: Tag[] };
}

/** What `eval` (or `evaluate`) printed and returned. */
export interface EvalOutput {
  output: string;
  /** `output` without ANSI colour codes; not part of the JSON. */
  readonly text: string;
}

/** What a plain script printed, and its error. A script that called `os.exit(status)` has
 *  code `EXIT` and its `status`. */
export interface ScriptResult { stdout: string; error?: string; code?: ErrorCode; status?: number }

/** The stable codes of errors thrown by aolite. */
export type ErrorCode =
  | "SYNTAX_ERROR" | "SOURCE_REJECTED" | "LUA_ERROR" | "OUT_OF_FUEL" | "OUT_OF_MEMORY"
  | "BAD_MESSAGE" | "BAD_OPTIONS" | "BAD_STATE" | "BAD_CHECKPOINT" | "REPLAY_MISMATCH"
  | "BUDGET_EXCEEDED" | "POISONED" | "TERMINATED" | "INTERRUPTED" | "NOT_HANDLED" | "EXIT";

/** Whether an earlier internal fault poisoned this module instance (every call then throws `POISONED`). */
export declare function isPoisoned(): boolean;

/** Errors thrown by aolite are `Error`s with a stable `code`. An `OUT_OF_FUEL` error has
 *  `chunk` and `line` when the Lua line the loop was running could be found. */
export interface AoliteError extends Error { code: ErrorCode; chunk?: string; line?: number }
"#;
