#!/usr/bin/env node
// The Node CLI of aolite: the same commands and output as the native `aolite` binary.
import { readFileSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { dirname, join } from "node:path";
import { Console, Process, runLua, runScenario } from "./node.js";

const HELP = `aolite - run AO (aos) Lua processes locally and deterministically

USAGE:
    aolite lua FILE.lua
        Run a plain Lua 5.3 script; print its output. Exits 1 with the error on stderr.
    aolite run [PROCESS.lua] --messages MESSAGES.json [OPTIONS]
        Spawn a process (or --import one), evaluate PROCESS.lua in it as the owner,
        send each message of MESSAGES.json (a JSON array) and print one JSON outcome
        per line. In messages, "$OWNER" and "$PROCESS" stand for the owner and
        process id.
          --import STATE.json   start from this state document instead of a spawn
          --export STATE.json   write the final state document here
          --diff                each outcome lists what the message changed (Diff)
          --hash                each outcome carries the state hash after it (StateHash)

    aolite net SCENARIO.json
        Run a local network of processes: spawn the scenario's processes (their
        "source" files are read relative to the scenario), do its steps (send,
        eval, advance, run) and print every delivery, each message that left the
        network and the network's state hash, one JSON object per line.

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

function read(path) {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${e.message}`);
  }
}

function cmdLua(args) {
  if (args.length !== 1) throw new UsageError("usage: aolite lua FILE.lua");
  if (args[0] === "-h" || args[0] === "--help") return void process.stdout.write(HELP);
  const out = runLua(read(args[0]), args[0]);
  process.stdout.write(out.stdout);
  if (out.error !== undefined) {
    process.stderr.write(`lua: ${out.error}\n`);
    return 1;
  }
  return 0;
}

function parseRunArgs(args) {
  const options = { authorities: [], tags: [], moduleTags: [], limits: {} };
  let processFile, messagesFile, importFile, exportFile, hash = false;
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
  return { processFile, messagesFile, options, importFile, exportFile, hash };
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
  if (args.includes("-h") || args.includes("--help")) return void process.stdout.write(HELP);
  const { processFile, messagesFile, options, importFile, exportFile, hash } = parseRunArgs(args);
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
  messages.forEach((msg, i) => {
    let line;
    try {
      const outcome = proc.send(substitute(msg, proc.owner, proc.id));
      if (hash) outcome.StateHash = proc.stateHash();
      line = JSON.stringify(outcome);
    } catch (e) {
      line = JSON.stringify({ Error: e.message, Code: e.code, Message: i });
    }
    process.stdout.write(line + "\n");
  });
  if (exportFile !== undefined) {
    try {
      writeFileSync(exportFile, proc.exportState());
    } catch (e) {
      throw new UsageError(`cannot write ${exportFile}: ${e.message}`);
    }
  }
  return 0;
}

async function cmdRepl(args) {
  if (args.includes("-h") || args.includes("--help")) return void process.stdout.write(HELP);
  const { processFile, messagesFile, options, importFile, exportFile, hash } = parseRunArgs(args);
  if (messagesFile !== undefined || exportFile !== undefined || hash) {
    throw new UsageError("aolite repl takes no --messages, --export or --hash");
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
        process.stdout.write(HELP);
        return 0;
      case "lua": return cmdLua(rest) ?? 0;
      case "run": return cmdRun(rest) ?? 0;
      case "repl": return (await cmdRepl(rest)) ?? 0;
      case "net": return cmdNet(rest) ?? 0;
      default: throw new UsageError(`unknown command '${cmd}' (see aolite --help)`);
    }
  } catch (e) {
    process.stderr.write(`aolite: ${e.message}\n`);
    return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
