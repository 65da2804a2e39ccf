// Types of `aolite/worker`: a process or a network in a Web Worker behind promises.
import type {
  Checkpoint, Env, EvalOutput, HistoryOptions, InspectOptions, Inspection, JsonValue, LogEntry,
  Message, Outcome, PathStep, ProcessOptions, Stats, NetworkOptions, NetworkLog, TraceEntry,
  PendingMessage, ExternalMessage, ExploreOptions, Explored, NetworkCheckpoint,
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

/** A network of processes (`Network`) in a Web Worker: every method returns a promise. */
export declare class NetworkWorker {
  /** The messenger's address: the `Owner` of pushed messages, the default `Authority`. */
  readonly messenger: string;
  static create(options?: NetworkOptions, worker?: WorkerOptions): Promise<NetworkWorker>;
  /** A worker holding a network rebuilt from its document (`exportState`). */
  static fromState(doc: string, worker?: WorkerOptions): Promise<NetworkWorker>;
  /** A worker holding a network rebuilt from its log, checked step by step (`REPLAY_MISMATCH`). */
  static replay(log: NetworkLog, worker?: WorkerOptions): Promise<NetworkWorker>;
  /** The virtual clock (ms since the epoch). */
  clock(): Promise<number>;
  spawn(options?: ProcessOptions): Promise<string>;
  send(target: string, message: Message): Promise<string>;
  message(target: string, message: Message): Promise<string>;
  assign(process: string, id: string): Promise<number>;
  eval(target: string, source: string): Promise<Outcome>;
  dryRun(target: string, message: Message): Promise<Outcome>;
  run(budget?: number): Promise<number>;
  step(): Promise<TraceEntry | undefined>;
  pending(): Promise<PendingMessage[]>;
  hold(seq: number): Promise<void>;
  release(seq: number): Promise<void>;
  drop(seq: number): Promise<void>;
  reorder(seqs: number[]): Promise<void>;
  advance(ms: number): Promise<number>;
  setBudget(max: number): Promise<void>;
  monitor(id: string): Promise<string>;
  unmonitor(id: string): Promise<string>;
  isMonitored(id: string): Promise<boolean>;
  startLog(): Promise<void>;
  log(): Promise<NetworkLog>;
  processes(): Promise<string[]>;
  parent(id: string): Promise<string | undefined>;
  result(id: string): Promise<TraceEntry | undefined>;
  trace(from?: number): Promise<TraceEntry[]>;
  outbox(from?: number): Promise<ExternalMessage[]>;
  getGlobal(id: string, name: string): Promise<JsonValue>;
  view(id: string, names?: string[]): Promise<Record<string, JsonValue>>;
  exportProcess(id: string): Promise<string>;
  explore(options: ExploreOptions): Promise<Explored[]>;
  checkpoint(name?: string): Promise<number>;
  checkpoints(): Promise<NetworkCheckpoint[]>;
  rollback(id: number): Promise<void>;
  dropCheckpoint(id: number): Promise<void>;
  exportState(): Promise<string>;
  stateHash(): Promise<string>;
  /** An independent copy of this network, in a new worker. */
  fork(): Promise<NetworkWorker>;
  /** Stops the worker now; calls in flight and later calls reject with code `TERMINATED`. */
  terminate(): void;
}
