#!/usr/bin/env node
// The Node CLI of aolite: the same commands and output as the native `aolite` binary.
import { readFileSync, writeFileSync, writeSync } from "node:fs";
import { createInterface } from "node:readline";
import { isatty } from "node:tty";
import { Console, Process, runLua } from "./node.js";
import * as wasm from "./web/aolite.js";
import { poisonGuard } from "./guard.js";

// Free functions the CLI shares with the native binary (the module is initialised by node.js).
const { renderRun, renderSummary } = poisonGuard(wasm);

const HELP = `aolite - run AO (aos) Lua processes locally and deterministically

USAGE:
    aolite lua FILE.lua
        Run a plain Lua 5.3 script; print its output. Exits 1 with the error on stderr.
    aolite run [PROCESS.lua] --messages MESSAGES.json [OPTIONS]
        Spawn a process (or --import one), evaluate PROCESS.lua in it as the owner,
        send each message of MESSAGES.json (a JSON array) and print what came of
        each. On a terminal, a readable account per message (the message, its output,
        the messages it sent with their tags, its error in red) and a summary; when
        stdout is not a terminal, one JSON outcome per line, as ao-loader shapes it.
        With many messages and stdout redirected, progress goes to stderr.
        In messages, "$OWNER" and "$PROCESS" stand for the owner and process id.
          --json                one JSON outcome per line, also on a terminal
          --text                the readable account, also into a pipe or file
                                (colour only on a terminal, and not with NO_COLOR)
          --import STATE.json   start from this state document instead of a spawn
          --export STATE.json   write the final state document here
          --diff                each outcome lists what the message changed (Diff)
          --hash                each outcome carries the state hash after it (StateHash)
          --fail-on-error       exit with status 1 when any message failed (its
                                outcome has an Error, or it was refused)
        When the reader of the output goes away (aolite run ... | head), the run
        stops quietly.

    aolite repl [PROCESS.lua] [OPTIONS]
        An aos-style console over a local process: Lua lines run as the owner,
        messages the process sends itself are delivered, dot commands inspect it
        (.help lists them).

OPTIONS (run, repl):
    --id PROCESS_ID       process id
    --owner ADDRESS       owner address (default sender of messages)
    --module MODULE_ID    module id
    --authority ADDRESS   a trusted authority (repeatable)
    --tag NAME=VALUE      a tag of the process (spawn) message, e.g. Name=token
                          (repeatable)
    --module-tag NAME=VALUE
                          a tag of the module (ao.env.Module.Tags; repeatable)
    --data TEXT           Data of the process message (evaluated with On-Boot=Data)
    --timestamp MS        time of the spawn, ms since the epoch (the process clock
                          starts there)
    --block-height N      block height of the spawn (with the ids, it seeds
                          math.random, as in aos)
    --fuel N              compute limit per message, in fuel units
    --memory BYTES        memory limit of the process

    -h, --help            show this help
`;

class UsageError extends Error {}

/** The reader of stdout went away (a closed pipe): the command ends quietly. */
class Closed extends Error {}

// Writes to stdout synchronously, so a closed pipe is seen at the write that meets it
// (process.stdout would report it later, as an unhandled error event).
function put(text) {
  const bytes = Buffer.from(text, "utf8");
  let at = 0;
  while (at < bytes.length) {
    try {
      at += writeSync(1, bytes, at);
    } catch (e) {
      if (e.code === "EPIPE") throw new Closed();
      // A non-blocking stdout that is full: wait a moment and retry.
      if (e.code === "EAGAIN") { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1); continue; }
      throw e;
    }
  }
}

function read(path) {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${e.message}`);
  }
}

function cmdLua(args) {
  if (args.length !== 1) throw new UsageError("usage: aolite lua FILE.lua");
  if (args[0] === "-h" || args[0] === "--help") return void put(HELP);
  const out = runLua(read(args[0]), args[0]);
  try {
    put(out.stdout);
  } catch (e) {
    if (!(e instanceof Closed)) throw e;
  }
  if (out.error !== undefined) {
    process.stderr.write(`lua: ${out.error}\n`);
    return 1;
  }
  return 0;
}

function parseRunArgs(args) {
  const options = { authorities: [], tags: [], moduleTags: [], limits: {} };
  let processFile, messagesFile, importFile, exportFile, hash = false, failOnError = false, json;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = () => {
      if (i + 1 >= args.length) throw new UsageError(`${arg} needs a value`);
      return args[++i];
    };
    const whole = (v, what) => {
      if (!/^\d+$/.test(v)) throw new UsageError(what);
      return Number(v);
    };
    // A whole number a JS number holds exactly (the native CLI accepts the same ones).
    const exact = (v, flag) => {
      if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new UsageError(`${flag} takes a whole number`);
      return Number(v);
    };
    const nameValue = (v, flag) => {
      const at = v.indexOf("=");
      if (at < 1) throw new UsageError(`${flag} takes NAME=VALUE`);
      return { name: v.slice(0, at), value: v.slice(at + 1) };
    };
    switch (arg) {
      case "--messages": messagesFile = value(); break;
      case "--import": importFile = value(); break;
      case "--export": exportFile = value(); break;
      case "--diff": options.diff = true; break;
      case "--hash": hash = true; break;
      case "--fail-on-error": failOnError = true; break;
      case "--json": json = true; break;
      case "--text": json = false; break;
      case "--id": options.id = value(); break;
      case "--owner": options.owner = value(); break;
      case "--module": options.module = value(); break;
      case "--authority": options.authorities.push(value()); break;
      case "--tag": options.tags.push(nameValue(value(), arg)); break;
      case "--module-tag": options.moduleTags.push(nameValue(value(), arg)); break;
      case "--data": options.data = value(); break;
      case "--timestamp": options.timestamp = exact(value(), arg); break;
      case "--block-height": options.blockHeight = exact(value(), arg); break;
      case "--fuel": options.limits.fuel = whole(value(), "--fuel takes a whole number"); break;
      case "--memory": options.limits.memory = whole(value(), "--memory takes a whole number of bytes"); break;
      default:
        if (arg.startsWith("-")) throw new UsageError(`unknown option ${arg}`);
        if (processFile !== undefined) throw new UsageError(`unexpected argument '${arg}'`);
        processFile = arg;
    }
  }
  return { processFile, messagesFile, options, importFile, exportFile, hash, failOnError, json };
}

// Messages from which `aolite run` shows its progress.
const PROGRESS_FROM = 200;

// A progress line on stderr, for long runs whose output goes elsewhere (stdout redirected
// and stderr a terminal). Redrawn at each whole percent.
class Progress {
  constructor(total, stdoutElsewhere) {
    this.total = total;
    this.on = stdoutElsewhere && total >= PROGRESS_FROM && isatty(2);
    this.shown = 0;
  }
  step(done) {
    if (!this.on) return;
    const percent = Math.floor((done * 100) / this.total);
    if (percent > this.shown || done === this.total) {
      this.shown = percent;
      const filled = Math.floor((done * 30) / this.total);
      process.stderr.write(`\r[${"#".repeat(filled)}${"-".repeat(30 - filled)}] ${done}/${this.total} messages`);
    }
  }
  clear() {
    if (this.on) process.stderr.write("\r\x1b[K");
    this.on = false;
  }
}

function substitute(v, owner, id) {
  if (v === "$OWNER") return owner;
  if (v === "$PROCESS") return id;
  if (Array.isArray(v)) return v.map((x) => substitute(x, owner, id));
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, substitute(x, owner, id)]));
  }
  return v;
}

function cmdRun(args) {
  if (args.includes("-h") || args.includes("--help")) return void put(HELP);
  const { processFile, messagesFile, options, importFile, exportFile, hash, failOnError, json: jsonFlag } = parseRunArgs(args);
  if (processFile === undefined && importFile === undefined) {
    throw new UsageError("usage: aolite run PROCESS.lua --messages FILE");
  }
  if (messagesFile === undefined) throw new UsageError("aolite run needs --messages FILE");
  const source = processFile === undefined ? undefined : read(processFile);
  let messages;
  try {
    messages = JSON.parse(read(messagesFile));
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${messagesFile}: bad message: invalid JSON: ${e.message}`);
  }
  if (!Array.isArray(messages)) {
    throw new UsageError(`${messagesFile}: bad message: a message file must hold a JSON array of messages`);
  }
  let proc;
  if (importFile !== undefined) {
    const doc = read(importFile);
    try {
      proc = Process.importState(doc, { diff: options.diff === true });
    } catch (e) {
      throw new UsageError(`${importFile}: ${e.message}`);
    }
  } else {
    proc = new Process(options);
  }
  if (source !== undefined) {
    try {
      proc.eval(source);
    } catch (e) {
      process.stderr.write(`${processFile}: ${e.message}\n`);
      return 1;
    }
  }
  const stdoutTerminal = isatty(1);
  const json = jsonFlag ?? !stdoutTerminal;
  const colour = stdoutTerminal && !process.env.NO_COLOR;
  const progress = new Progress(messages.length, !stdoutTerminal);
  let failed = 0;
  const status = () => (failOnError && failed > 0 ? 1 : 0);
  for (const [i, given] of messages.entries()) {
    const msg = substitute(given, proc.owner, proc.id);
    let line;
    try {
      line = proc.send(msg);
      if (line.Error !== undefined) failed += 1;
      if (hash) line.StateHash = proc.stateHash();
    } catch (e) {
      if (!e || typeof e.code !== "string") throw e;
      failed += 1;
      line = { Error: e.message, Code: e.code, Message: i };
    }
    const text = json ? JSON.stringify(line) + "\n" : renderRun(i, msg, line, proc.owner, colour);
    progress.step(i + 1);
    try {
      put(text);
    } catch (e) {
      progress.clear();
      if (e instanceof Closed) return status();
      throw e;
    }
  }
  progress.clear();
  try {
    if (!json) put(renderSummary(messages.length, failed, colour));
  } catch (e) {
    if (e instanceof Closed) return status();
    throw e;
  }
  if (exportFile !== undefined) {
    try {
      writeFileSync(exportFile, proc.exportState());
    } catch (e) {
      throw new UsageError(`cannot write ${exportFile}: ${e.message}`);
    }
  }
  return status();
}

async function cmdRepl(args) {
  if (args.includes("-h") || args.includes("--help")) return void process.stdout.write(HELP);
  const { processFile, messagesFile, options, importFile, exportFile, hash, failOnError, json } = parseRunArgs(args);
  if (messagesFile !== undefined || exportFile !== undefined || hash || failOnError || json !== undefined) {
    throw new UsageError("aolite repl takes no --messages, --export, --hash, --fail-on-error, --json or --text");
  }
  let con;
  if (importFile !== undefined) {
    const doc = read(importFile);
    try {
      con = Console.fromState(doc);
    } catch (e) {
      throw new UsageError(`${importFile}: ${e.message}`);
    }
  } else {
    con = new Console(options);
  }
  const out = (text) => { if (text) process.stdout.write(text + "\n"); };
  process.stdout.write(con.banner() + "\n");
  if (processFile !== undefined) out(con.evalSource(read(processFile)));
  const rl = createInterface({ input: process.stdin, terminal: process.stdin.isTTY === true, historySize: 1000 });
  process.stdout.write(con.prompt());
  for await (const line of rl) {
    const step = con.line(line);
    if (step.exit) { rl.close(); return 0; }
    if (step.load !== undefined) {
      let text;
      try { text = con.evalSource(read(step.load)); } catch (e) { text = `error: ${e.message}`; }
      out(text);
    } else if (step.export !== undefined) {
      try {
        writeFileSync(step.export.path, step.export.text);
        out(`state written to ${step.export.path}`);
      } catch (e) {
        out(`error: cannot write ${step.export.path}: ${e.message}`);
      }
    } else if (step.import !== undefined) {
      let text;
      try { text = con.importSource(read(step.import)); } catch (e) { text = `error: ${e.message}`; }
      out(text);
    } else {
      out(step.print);
    }
    process.stdout.write(con.prompt());
  }
  process.stdout.write("\n");
  return 0;
}

async function main(argv) {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case undefined: case "-h": case "--help": case "help":
        put(HELP);
        return 0;
      case "lua": return cmdLua(rest) ?? 0;
      case "run": return cmdRun(rest) ?? 0;
      case "repl": return (await cmdRepl(rest)) ?? 0;
      default: throw new UsageError(`unknown command '${cmd}' (see aolite --help)`);
    }
  } catch (e) {
    if (e instanceof Closed) return 0;
    process.stderr.write(`aolite: ${e.message}\n`);
    return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
