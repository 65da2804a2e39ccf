#!/usr/bin/env node
// The Node CLI of aolite: the same commands and output as the native `aolite` binary.
import { appendFileSync, existsSync, readFileSync, writeFileSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { createInterface } from "node:readline";
import { isatty } from "node:tty";
import { Console, Process, renderRun, renderSummary, runLua, runScenario } from "./node.js";

const HELP = `aolite - run AO (aos) Lua processes locally and deterministically

USAGE:
    aolite lua FILE.lua [ARGS...]
        Run a plain Lua 5.3 script (ARGS are its ... and arg, as lua gives them);
        print its output. Exits 1 with the error on stderr, or with os.exit's status.
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

    aolite net SCENARIO.json
        Run a local network of processes: spawn the scenario's processes (their
        "source" files are read relative to the scenario), do its steps (send,
        eval, advance, monitor, unmonitor, run) and print every delivery, each
        message that left the network and the network's state hash, one JSON
        object per line.

    aolite repl [PROCESS.lua] [OPTIONS]
        An aos-style console over a local process: Lua lines run as the owner,
        messages the process sends itself are delivered, dot commands inspect it
        (.help lists them: .editor, .send ACTION NAME=VALUE ... --from ADDRESS, .as,
        .load, .inbox...). .spawn NAME [FILE.lua] starts a local network: .ps lists
        its processes, .use NAME switches, .send --from NAME --to NAME sends between
        them, .queue, .step and .run deliver. Ctrl-C stops a running computation
        and keeps the process.

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
    --clock-step MS       how far the clock moves for a message without a Timestamp
                          (default 1; 0 keeps it still)
    --block-height N      block height of the spawn (with the ids, it seeds
                          math.random, as in aos)
    --fuel N              compute limit per message, in fuel units
    --memory BYTES        memory limit of the process
    --diagnostics WHEN    when a message is re-run for Lua's exact errors: a failure's
                          error and traceback (ErrorInfo), errors caught by pcall and
                          tracebacks (see COMPATIBILITY.md): auto (default: when an
                          error lacks a position or name), always (every failure too),
                          off

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

// Output of `aolite run`, gathered and written in batches: a write per message line cost
// about 4% of a token workload's whole run. A batch is written once it holds 64 KB or the
// last write is 50 ms old, so slow messages still stream their lines.
class Batched {
  constructor() {
    this.parts = [];
    this.bytes = 0;
    this.last = Date.now();
  }

  add(text) {
    this.parts.push(text);
    this.bytes += text.length;
    if (this.bytes >= 65536 || Date.now() - this.last >= 50) this.flush();
  }

  flush() {
    if (this.parts.length > 0) {
      const text = this.parts.join("");
      this.parts = [];
      this.bytes = 0;
      put(text);
    }
    this.last = Date.now();
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
  if (args.length < 1) throw new UsageError("usage: aolite lua FILE.lua [ARGS...]");
  if (args[0] === "-h" || args[0] === "--help") return void put(HELP);
  // The script's own arguments: its `...` and `arg[1..n]`, as `lua FILE ARGS...` gives them.
  const out = runLua(read(args[0]), args[0], args.slice(1));
  try {
    put(out.stdout);
  } catch (e) {
    if (!(e instanceof Closed)) throw e;
  }
  // os.exit(status): the status as the system keeps it (its low 8 bits), no message.
  if (out.code === "EXIT") return out.status & 0xff;
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
      case "--clock-step": options.clockStep = exact(value(), arg); break;
      case "--block-height": options.blockHeight = exact(value(), arg); break;
      case "--fuel": options.limits.fuel = whole(value(), "--fuel takes a whole number"); break;
      case "--memory": options.limits.memory = whole(value(), "--memory takes a whole number of bytes"); break;
      case "--diagnostics": options.diagnostics = value(); break;
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
  // A file with no `$` (written as itself or as an escape) has no placeholder to replace:
  // its messages are sent as they are, without a copy each.
  let placeholders = true;
  try {
    const text = read(messagesFile);
    placeholders = text.includes("$") || text.includes("\\u");
    messages = JSON.parse(text);
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
      proc = Process.importState(doc, { diff: options.diff === true, log: false });
    } catch (e) {
      throw new UsageError(`${importFile}: ${e.message}`);
    }
  } else {
    // Nothing here reads the message log (for history/replay), and keeping it costs each
    // message a record and a SHA-256 of its outcome. An exported state never holds the log.
    proc = new Process({ ...options, log: false });
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
  const out = new Batched();
  let failed = 0;
  const status = () => (failOnError && failed > 0 ? 1 : 0);
  for (const [i, given] of messages.entries()) {
    const msg = placeholders ? substitute(given, proc.owner, proc.id) : given;
    let line;
    let text;
    try {
      if (json) {
        // The outcome's line as the native CLI writes it, made in the engine.
        const [made, bad] = proc.sendLine(JSON.stringify(msg));
        if (bad) failed += 1;
        text = (hash ? `${made.slice(0, -1)},"StateHash":"${proc.stateHash()}"}` : made) + "\n";
      } else {
        line = proc.send(msg);
        if (line.Error !== undefined) failed += 1;
        if (hash) line.StateHash = proc.stateHash();
      }
    } catch (e) {
      if (!e || typeof e.code !== "string") {
        // The lines before it are printed, as they were made.
        out.flush();
        throw e;
      }
      failed += 1;
      line = { Error: e.message, Code: e.code, Message: i };
      text = undefined;
    }
    if (text === undefined) text = json ? JSON.stringify(line) + "\n" : renderRun(i, msg, line, proc.owner, colour);
    progress.step(i + 1);
    try {
      out.add(text);
    } catch (e) {
      progress.clear();
      if (e instanceof Closed) return status();
      throw e;
    }
  }
  progress.clear();
  try {
    out.flush();
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

// `aolite repl`. The console runs in a worker thread, so the main thread stays free to
// see Ctrl-C while Lua computes: it raises a shared flag that the engine checks between
// execution slices, which stops the computation and keeps the process as it was.
async function cmdRepl(args) {
  if (args.includes("-h") || args.includes("--help")) return void process.stdout.write(HELP);
  const { processFile, messagesFile, options, importFile, exportFile, hash, failOnError, json } = parseRunArgs(args);
  if (messagesFile !== undefined || exportFile !== undefined || hash || failOnError || json !== undefined) {
    throw new UsageError("aolite repl takes no --messages, --export, --hash, --fail-on-error, --json or --text");
  }
  // The reader of the output went away: leave quietly.
  process.stdout.on("error", (e) => { if (e.code === "EPIPE") process.exit(0); else throw e; });
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(new URL(import.meta.url), { workerData: { repl: { options, importFile }, flag } });
  let busy = false;
  const ask = (request) => new Promise((resolve, reject) => {
    const onError = (e) => { worker.off("message", onMessage); reject(e); };
    const onMessage = (reply) => { worker.off("error", onError); resolve(reply); };
    worker.once("message", onMessage);
    worker.once("error", onError);
    busy = true;
    worker.postMessage(request);
  }).finally(() => { busy = false; });
  const out = (text) => { if (text) process.stdout.write(text + "\n"); };
  try {
    const started = await ask({ op: "start" });
    if (started.fatal !== undefined) throw new UsageError(started.fatal);
    process.stdout.write(started.text + "\n");
    let prompt = started.prompt;
    if (processFile !== undefined) {
      const loaded = await ask({ op: "load", path: processFile });
      if (loaded.fatal !== undefined) throw new UsageError(loaded.fatal);
      out(loaded.text);
      prompt = loaded.prompt;
    }
    const terminal = process.stdin.isTTY === true && process.stdout.isTTY === true;
    return terminal ? await terminalRepl(ask, flag, prompt, () => busy) : await pipedRepl(ask, flag, prompt, () => busy);
  } finally {
    await worker.terminate();
  }
}

// Piped input: the same bytes as the native console (a prompt before each line, the line
// itself not echoed).
async function pipedRepl(ask, flag, prompt, busy) {
  const out = (text) => { if (text) process.stdout.write(text + "\n"); };
  // Ctrl-C from a terminal while computing stops the computation; otherwise it ends the program.
  process.on("SIGINT", () => (busy() ? Atomics.store(flag, 0, 1) : process.exit(130)));
  const rl = createInterface({ input: process.stdin, terminal: false });
  process.stdout.write(prompt);
  for await (const line of rl) {
    const r = await ask({ op: "line", line });
    if (r.exit) { rl.close(); return 0; }
    out(r.text);
    process.stdout.write(r.prompt);
  }
  for (;;) {
    const r = await ask({ op: "end" });
    if (r.exit) break;
    out(r.text);
    process.stdout.write(r.prompt);
  }
  process.stdout.write("\n");
  return 0;
}

// The history file the native console keeps too (rustyline's format: a `#V2` line, then one
// entry a line with `\` and newlines escaped).
const HISTORY = process.env.HOME ? join(process.env.HOME, ".aolite_history") : undefined;

function loadHistory() {
  if (HISTORY === undefined || !existsSync(HISTORY)) return [];
  try {
    const lines = readFileSync(HISTORY, "utf8").split("\n").filter((l) => l !== "");
    const v2 = lines[0] === "#V2";
    const entries = (v2 ? lines.slice(1) : lines).map((l) =>
      v2 ? l.replace(/\\(.)/g, (_, c) => (c === "n" ? "\n" : c)) : l,
    );
    return entries.reverse().slice(0, 1000);
  } catch {
    return [];
  }
}

function saveHistory(line) {
  if (HISTORY === undefined) return;
  try {
    const fresh = !existsSync(HISTORY);
    appendFileSync(HISTORY, (fresh ? "#V2\n" : "") + line.replace(/\\/g, "\\\\").replace(/\n/g, "\\n") + "\n");
  } catch {
    // A history that cannot be written is not worth failing the console for.
  }
}

// A terminal: line editing, echo and history (readline), Ctrl-C stops a computation or
// drops the line being typed, Ctrl-D runs the editor's lines or leaves.
function terminalRepl(ask, flag, firstPrompt, busy) {
  return new Promise((resolve, reject) => {
    const out = (text) => { if (text) process.stdout.write(text + "\n"); };
    const queue = [];
    let pumping = false, done = false, rl;
    const history = loadHistory();

    const finish = (code) => {
      done = true;
      rl.close();
      resolve(code);
    };
    const pump = async () => {
      if (pumping) return;
      pumping = true;
      try {
        while (queue.length > 0 && !done) {
          const request = queue.shift();
          const r = await ask(request);
          if (r.exit) return finish(0);
          out(r.text);
          if (request.op === "end") open(); // Ctrl-D closed the line reader: a new one
          rl.setPrompt(r.prompt);
          rl.prompt();
        }
      } catch (e) {
        done = true;
        reject(e);
      } finally {
        pumping = false;
      }
    };
    const open = () => {
      rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true, history, historySize: 1000 });
      rl.on("line", (line) => {
        if (line.trim() !== "") saveHistory(line);
        queue.push({ op: "line", line });
        pump();
      });
      rl.on("SIGINT", () => {
        if (busy()) {
          Atomics.store(flag, 0, 1);
          return;
        }
        // At the prompt: drop the line being typed (and the editor's lines), as the native
        // console does: a new line, then the prompt.
        process.stdout.write("\n");
        rl.line = "";
        rl.cursor = 0;
        queue.push({ op: "cancel" });
        pump();
      });
      rl.on("close", () => {
        if (done) return;
        // Ctrl-D: end the prompt's line, as the native console does.
        process.stdout.write("\n");
        history.splice(0, history.length, ...rl.history);
        queue.push({ op: "end" });
        pump();
      });
    };
    open();
    rl.setPrompt(firstPrompt);
    rl.prompt();
  });
}

// The worker side of `aolite repl`: the console itself.
async function replWorker({ repl: { options, importFile }, flag }) {
  let con;
  const reply = (fields) => parentPort.postMessage({ prompt: con ? con.prompt() : "", exit: false, ...fields });
  const perform = (step) => {
    if (step.exit) return { exit: true };
    if (step.load !== undefined) {
      try {
        return { text: con.loadSource(step.load, read(step.load)) };
      } catch (e) {
        return { text: `error: ${e.message}` };
      }
    }
    if (step.export !== undefined) {
      try {
        writeFileSync(step.export.path, step.export.text);
        return { text: `state written to ${step.export.path}` };
      } catch (e) {
        return { text: `error: cannot write ${step.export.path}: ${e.message}` };
      }
    }
    if (step.import !== undefined) {
      try {
        return { text: con.importSource(read(step.import)) };
      } catch (e) {
        return { text: `error: ${e.message}` };
      }
    }
    return { text: step.print };
  };
  parentPort.on("message", (request) => {
    Atomics.store(flag, 0, 0);
    try {
      switch (request.op) {
        case "start":
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
          con.setInterrupt(() => Atomics.load(flag, 0) !== 0);
          return reply({ text: con.banner() });
        case "load":
          return reply({ text: con.loadSource(request.path, read(request.path)) });
        case "line":
          return reply(perform(con.line(request.line)));
        case "end":
          return reply(perform(con.endOfInput()));
        case "cancel":
          return reply({ text: con.cancel() });
        default:
          throw new Error(`unknown request ${request.op}`);
      }
    } catch (e) {
      if (e instanceof UsageError) return reply({ fatal: e.message });
      throw e;
    }
  });
}

// `aolite net SCENARIO.json`: the scenario's `source` files are read here (relative to the
// scenario), the engine runs it.
function cmdNet(args) {
  if (args.length !== 1) throw new UsageError("usage: aolite net SCENARIO.json");
  if (args[0] === "-h" || args[0] === "--help") return void process.stdout.write(HELP);
  const file = args[0];
  let scenario;
  try {
    scenario = JSON.parse(read(file));
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${file} is not JSON: ${e.message}`);
  }
  for (const p of Array.isArray(scenario?.processes) ? scenario.processes : []) {
    if (p === null || typeof p !== "object" || !("source" in p)) continue;
    if (typeof p.source !== "string") throw new UsageError('a process\'s "source" must be a file path');
    if ("lua" in p) throw new UsageError(`a process has both "source" (${p.source}) and "lua"`);
    p.lua = read(join(dirname(file), p.source));
    delete p.source;
  }
  process.stdout.write(runScenario(scenario));
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
      case "net": return cmdNet(rest) ?? 0;
      default: throw new UsageError(`unknown command '${cmd}' (see aolite --help)`);
    }
  } catch (e) {
    if (e instanceof Closed) return 0;
    process.stderr.write(`aolite: ${e.message}\n`);
    return 2;
  }
}

if (isMainThread) {
  process.exitCode = await main(process.argv.slice(2));
} else if (workerData?.repl) {
  await replWorker(workerData);
}
