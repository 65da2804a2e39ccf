// An aoconnect-shaped adapter over a local aolite network:
//
//   import { connect, createDataItemSigner } from "aolite/aoconnect";
//   const { spawn, message, result, results, dryrun, monitor } = connect();
//
// Each `connect()` is a fresh network. The functions take and return what
// `@permaweb/aoconnect` does in its legacy mode (all async): `spawn` and `message` resolve to
// ids, `result` to `{ Output, Messages, Spawns, Assignments, Error }`; `assign` resolves to the
// assigned message's id (the assignment keeps it); `monitor` and `unmonitor` resolve to the
// request's id, and make the messenger push (or stop pushing) what the process's cron ticks
// send (ticks come as `connect().network.advance(ms)` moves the clock). Messages the processes
// push to each other are delivered before `message` resolves. Nothing is signed: a signer only
// names the sender's address, and ids stay deterministic.
import init, { Network } from "aolite";

const ADDRESS = Symbol("aolite.address");

function base64url(bytes) {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text) {
  const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/** A signer for `spawn`/`message`: from an Arweave JWK (the address is base64url(sha256(n)),
 * as Arweave derives it) or from an address given as a string. */
export function createDataItemSigner(wallet) {
  let address;
  if (typeof wallet === "string") {
    address = Promise.resolve(wallet);
  } else if (wallet && typeof wallet.n === "string") {
    address = crypto.subtle
      .digest("SHA-256", fromBase64url(wallet.n))
      .then((d) => base64url(new Uint8Array(d)));
  } else {
    throw new TypeError("createDataItemSigner expects an Arweave JWK or an address");
  }
  const signer = async () => {
    throw new Error("aolite signers do not sign: pass them to aolite/aoconnect's functions");
  };
  signer[ADDRESS] = address;
  return signer;
}

async function addressOf(signer) {
  if (signer === undefined || signer === null) return undefined;
  if (typeof signer === "string") return signer;
  if (signer[ADDRESS]) return signer[ADDRESS];
  throw new TypeError("signer: use createDataItemSigner from aolite/aoconnect");
}

function tagsOf(tags) {
  if (tags === undefined || tags === null) return [];
  if (!Array.isArray(tags)) throw new TypeError("tags must be an array of { name, value }");
  return tags;
}

function resultOf(entry) {
  if (entry.outcome) {
    const { Output, Messages, Spawns, Assignments, Error, GasUsed } = entry.outcome;
    return Error === undefined
      ? { Output, Messages, Spawns, Assignments, GasUsed }
      : { Output, Messages, Spawns, Assignments, Error, GasUsed };
  }
  return { Output: null, Messages: [], Spawns: [], Assignments: [], Error: entry.error };
}

/** A fresh local network with aoconnect's functions; `network` is the aolite `Network`. */
export function connect(options = {}) {
  let network = null;
  const net = async () => {
    if (network === null) {
      await init();
      network = new Network(options);
    }
    return network;
  };

  async function spawn({ module, signer, tags, data } = {}) {
    const n = await net();
    const owner = await addressOf(signer);
    return n.spawn({ module, owner, tags: tagsOf(tags), data });
  }

  async function message({ process, signer, tags, data, anchor } = {}) {
    const n = await net();
    const From = await addressOf(signer);
    const msg = { Tags: tagsOf(tags) };
    if (From !== undefined) msg.From = From;
    if (data !== undefined) msg.Data = data;
    if (anchor !== undefined) msg.Anchor = anchor;
    return n.message(process, msg);
  }

  async function result({ process, message: id } = {}) {
    const n = await net();
    const entry = n.result(id);
    if (entry === undefined || entry.target !== process) {
      throw new Error(`no result for message ${id} of process ${process}`);
    }
    return resultOf(entry);
  }

  async function results({ process, from, to, limit, sort = "ASC" } = {}) {
    const n = await net();
    let entries = n.trace().filter((e) => e.target === process && e.kind !== "assignment");
    if (from !== undefined) entries = entries.slice(entries.findIndex((e) => e.id === from) + 1);
    if (to !== undefined) {
      const end = entries.findIndex((e) => e.id === to);
      if (end >= 0) entries = entries.slice(0, end + 1);
    }
    if (sort === "DESC") entries.reverse();
    if (limit !== undefined) entries = entries.slice(0, limit);
    return { edges: entries.map((e) => ({ cursor: e.id, node: resultOf(e) })) };
  }

  async function dryrun({ process, tags, data, Owner, Id, anchor } = {}) {
    const n = await net();
    const msg = { Tags: tagsOf(tags) };
    if (Owner !== undefined) msg.From = Owner;
    if (Id !== undefined) msg.Id = Id;
    if (data !== undefined) msg.Data = data;
    if (anchor !== undefined) msg.Anchor = anchor;
    const { Output, Messages, Spawns, Assignments, Error, GasUsed } = n.dryRun(process, msg);
    return Error === undefined
      ? { Output, Messages, Spawns, Assignments, GasUsed }
      : { Output, Messages, Spawns, Assignments, Error, GasUsed };
  }

  async function assign({ process, message: id } = {}) {
    const n = await net();
    n.assign(process, id);
    n.run();
    return id;
  }

  // As the messenger: from now on, what the process's cron ticks send is pushed (the ticks
  // run either way, queued by `network.advance(ms)`). A second monitor is refused, as the
  // MU refuses it.
  async function monitor({ process, signer } = {}) {
    const n = await net();
    await addressOf(signer);
    return n.monitor(process);
  }

  async function unmonitor({ process, signer } = {}) {
    const n = await net();
    await addressOf(signer);
    return n.unmonitor(process);
  }

  return {
    spawn,
    message,
    result,
    results,
    dryrun,
    assign,
    monitor,
    unmonitor,
    get network() {
      return network;
    },
  };
}
