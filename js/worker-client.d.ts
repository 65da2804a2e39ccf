// Types of `aolite/worker`: a process in a Web Worker behind promises.
import type {
  Checkpoint, Env, EvalOutput, HistoryOptions, InspectOptions, Inspection, JsonValue, LogEntry,
  Message, Outcome, PathStep, ProcessOptions, Stats,
} from "./web/aolite.js";

export interface WorkerOptions {
  /** Where worker.js is, when a bundler does not resolve it. */
  workerUrl?: string | URL;
}

export declare class ProcessWorker {
  readonly id: string;
  readonly owner: string;
  static create(options?: ProcessOptions, worker?: WorkerOptions): Promise<ProcessWorker>;
  /** A worker holding a process rebuilt from a state document. */
  static fromState(doc: string, options?: HistoryOptions, worker?: WorkerOptions): Promise<ProcessWorker>;
  /** A worker holding a process rebuilt by replaying a message log. */
  static replay(start: ProcessOptions | { state: string }, log: LogEntry[], worker?: WorkerOptions): Promise<ProcessWorker>;
  /** Eval as the owner through aos's Eval handler; rejects with `NOT_HANDLED` when no handler took it. */
  eval(source: string): Promise<EvalOutput>;
  /** Runs Lua in the process as the host, whatever its handlers do. */
  evaluate(source: string): Promise<EvalOutput>;
  send(message: Message): Promise<Outcome>;
  dryRun(message: Message): Promise<Outcome>;
  handle(message: Message, env: Env): Promise<Outcome>;
  getGlobal(name: string): Promise<JsonValue>;
  /** Eval returning the whole outcome (errors in `Error`, `Diff` when diffs are on). */
  evalOutcome(source: string): Promise<Outcome>;
  /** The state document (as it was at checkpoint `at`). */
  exportState(at?: number): Promise<string>;
  stateHash(at?: number): Promise<string>;
  checkpoint(name?: string): Promise<number>;
  rollback(id: number): Promise<void>;
  dropCheckpoint(id: number): Promise<void>;
  checkpoints(): Promise<Checkpoint[]>;
  history(): Promise<LogEntry[]>;
  setDiff(on: boolean): Promise<void>;
  stats(at?: number): Promise<Stats>;
  view(names?: string[]): Promise<Record<string, JsonValue>>;
  inspect(path: PathStep[], options?: InspectOptions): Promise<Inspection>;
  /** An independent copy of this process, in a new worker. */
  fork(options?: HistoryOptions, at?: number): Promise<ProcessWorker>;
  /** Stops the worker now; calls in flight and later calls reject with code `TERMINATED`. */
  terminate(): void;
}
