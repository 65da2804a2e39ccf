import type { Network, NetworkOptions, Tag, OutMessage, Output, JsonValue } from "./web/aolite.js";

/** An opaque signer: it only names the sender's address (nothing is signed). */
export type Signer = ((...args: unknown[]) => Promise<never>) & { readonly __aoliteAddress?: unique symbol };

/** From an Arweave JWK (address = base64url(sha256(n))) or an address. */
export function createDataItemSigner(wallet: { n: string } | string): Signer;

/** What `result` returns, as aoconnect does. */
export interface MessageResult {
  Output: Output | null;
  Messages: OutMessage[];
  Spawns: OutMessage[];
  Assignments: JsonValue[];
  Error?: string | JsonValue;
  GasUsed?: number;
}

export interface AoConnect {
  spawn(args: { module?: string; scheduler?: string; signer?: Signer | string; tags?: Tag[]; data?: string }): Promise<string>;
  message(args: { process: string; signer?: Signer | string; tags?: Tag[]; data?: string; anchor?: string }): Promise<string>;
  result(args: { process: string; message: string }): Promise<MessageResult>;
  results(args: { process: string; from?: string; to?: string; limit?: number; sort?: "ASC" | "DESC" }): Promise<{ edges: { cursor: string; node: MessageResult }[] }>;
  dryrun(args: { process: string; tags?: Tag[]; data?: string; Owner?: string; Id?: string; anchor?: string }): Promise<MessageResult>;
  /** Assigns a message delivered earlier to another process; resolves to the message's id. */
  assign(args: { process: string; message: string }): Promise<string>;
  /** The messenger pushes what the process's cron ticks send from now on; resolves to the request's id. */
  monitor(args: { process: string; signer?: Signer | string }): Promise<string>;
  /** The messenger stops pushing what the process's cron ticks send; resolves to the request's id. */
  unmonitor(args: { process: string; signer?: Signer | string }): Promise<string>;
  /** The local network behind these functions (null before the first call). */
  readonly network: Network | null;
}

/** A fresh local network with aoconnect's functions. */
export function connect(options?: NetworkOptions): AoConnect;
