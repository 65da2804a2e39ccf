// Both REPLs (native and `npx aolite repl`) in a pseudo-terminal, driven as a person types:
// each input is written only once the prompt it answers has appeared, and every wait is for
// an output pattern (with a generous limit for a loaded machine), never a fixed sleep.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./helpers.mjs";

const NATIVE = `${ROOT}target/debug/aolite`;
const LIMIT = Number(process.env.AOLITE_TERMINAL_LIMIT_MS ?? 120000);
const CLIS = [["node", `${process.execPath} pkg/cli.mjs`]];
if (existsSync(NATIVE)) CLIS.push(["native", NATIVE]);
const HAS_SCRIPT = existsSync("/usr/bin/script");

// Terminal output with the line editors' cursor and mode sequences and carriage returns
// removed.
const visible = (s) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").replace(/\r/g, "");

// A program running in a pseudo-terminal made by script(1).
class Terminal {
  constructor(command, env) {
    this.output = "";
    this.at = 0;
    this.waiters = new Set();
    this.child = spawn("/usr/bin/script", ["-qfec", `exec ${command}`, "/dev/null"], {
      cwd: ROOT,
      env: { ...process.env, ...env, TERM: "xterm" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    this.exited = new Promise((resolve) => this.child.on("exit", (code) => resolve(code)));
    this.child.stdout.on("data", (d) => {
      this.output += d.toString("utf8");
      for (const w of this.waiters) w();
    });
  }

  type(text) {
    this.child.stdin.write(text);
  }

  // Waits until `pattern` appears in the visible output (see `visible`) after what earlier
  // waits consumed; consumes up to its end.
  waitFor(pattern, what = String(pattern)) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const rest = visible(this.output).slice(this.at);
        const m = rest.match(pattern);
        if (m) {
          this.at += m.index + m[0].length;
          finish();
          resolve(m);
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`timed out waiting for ${what}; output so far:\n${JSON.stringify(this.output)}`));
      }, LIMIT);
      const finish = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  // Presses Ctrl-C every `every` ms until `pattern` appears (the first press can come while
  // the line is still being read, before the computation starts).
  async interruptUntil(pattern, every = 300) {
    const timer = setInterval(() => this.type("\x03"), every);
    try {
      return await this.waitFor(pattern);
    } finally {
      clearInterval(timer);
    }
  }

  kill() {
    this.child.kill("SIGKILL");
  }
}


for (const [name, cli] of CLIS) {
  test(`${name} repl in a terminal: echo, history, .editor, Ctrl-C stops a computation and keeps the state`, { skip: !HAS_SCRIPT && "needs script(1)", timeout: 10 * LIMIT }, async () => {
    const home = mkdtempSync(join(tmpdir(), "aolite-term-"));
    // A fuel limit far beyond what the test waits for: only Ctrl-C can end the loop.
    const t = new Terminal(`${cli} repl --fuel 1000000000000`, { HOME: home });
    try {
      const prompt = /aolite\[Inbox:1\]> /;
      await t.waitFor(prompt, "the first prompt");
      t.type("Counter = 7\r");
      await t.waitFor(prompt);
      // What is typed is shown (echoed by the line editor), then the result.
      t.type("1 + 41\r");
      await t.waitFor(/1 \+ 41/, "the typed line echoed");
      await t.waitFor(/\n42\n/, "the result");
      await t.waitFor(prompt);
      // .editor: several lines, run with Ctrl-D.
      t.type(".editor\r");
      await t.waitFor(/editor mode/);
      await t.waitFor(/\.\.\. /);
      t.type("local n = 40\r");
      await t.waitFor(/\.\.\. /);
      t.type("return n + Counter - 5\r");
      await t.waitFor(/\.\.\. /);
      t.type("\x04");
      await t.waitFor(/\n42\n/, "the editor's result");
      await t.waitFor(prompt);
      // Ctrl-C during an endless loop stops it; the process keeps its state.
      t.type("Counter = 8 while true do end\r");
      await t.waitFor(/while true do end\n/, "the loop line echoed");
      await t.interruptUntil(/interrupted: the computation was stopped/);
      await t.waitFor(prompt);
      t.type("return Counter\r");
      await t.waitFor(/\n7\n/, "Counter unchanged by the interrupted input");
      await t.waitFor(prompt);
      // Ctrl-C at the prompt drops the line being typed.
      t.type("Counter = 99");
      await t.waitFor(/Counter = 99/);
      t.type("\x03");
      await t.waitFor(/^\naolite\[Inbox:1\]> /, "a new prompt on the next line");
      t.type("return Counter\r");
      await t.waitFor(/\n7\n/, "the dropped line did not run");
      await t.waitFor(prompt);
      t.type(".exit\r");
      assert.equal(await t.exited, 0);
      assert.match(visible(t.output), /aolite\[Inbox:1\]> 1 \+ 41\n42\n/);
      const history = readFileSync(join(home, ".aolite_history"), "utf8");
      assert.match(history, /^1 \+ 41$/m);
      assert.match(history, /^return Counter$/m);
    } finally {
      t.kill();
      rmSync(home, { recursive: true, force: true });
    }
  });
}

for (const [name, cli] of CLIS) {
  test(`${name} repl in a terminal: .spawn a second process, .ps, .use, and a message between them`, { skip: !HAS_SCRIPT && "needs script(1)", timeout: 10 * LIMIT }, async () => {
    const home = mkdtempSync(join(tmpdir(), "aolite-term-"));
    const t = new Terminal(`${cli} repl`, { HOME: home });
    try {
      await t.waitFor(/aolite\[Inbox:1\]> /, "the first prompt");
      t.type(`Handlers.add("hello", "Hello", function(m) Hellos = (Hellos or 0) + 1 end)\r`);
      await t.waitFor(/\n3\n/, "the handler added");
      await t.waitFor(/aolite\[Inbox:1\]> /);
      t.type(`.spawn echo --eval Handlers.add("hi", "Hi", function(m) m.reply({ Action = "Hello" }) end)\r`);
      await t.waitFor(/spawned echo \(\S{43}\); it is the current process/, "the spawn");
      await t.waitFor(/aolite:echo\[Inbox:1\]> /, "the prompt names the current process");
      t.type(".ps\r");
      await t.waitFor(/ {2}main \S+ Inbox:1\n\* echo \S+ Inbox:1\n/, "the process list");
      await t.waitFor(/aolite:echo\[Inbox:1\]> /);
      t.type(".use main\r");
      await t.waitFor(/the current process is main/);
      await t.waitFor(/aolite:main\[Inbox:1\]> /);
      t.type(".send Hi --from main --to echo\r");
      await t.waitFor(/-> main: Hello from echo\n/, "the reply delivered to main");
      await t.waitFor(/aolite:main\[Inbox:1\]> /);
      t.type("return Hellos\r");
      await t.waitFor(/\n1\n/, "main handled the reply");
      await t.waitFor(/aolite:main\[Inbox:1\]> /);
      t.type(".exit\r");
      assert.equal(await t.exited, 0);
    } finally {
      t.kill();
      rmSync(home, { recursive: true, force: true });
    }
  });
}

test("the Node repl reads the history the native one wrote", { skip: (!HAS_SCRIPT || !existsSync(NATIVE)) && "needs script(1) and the native binary", timeout: 4 * LIMIT }, async () => {
  const home = mkdtempSync(join(tmpdir(), "aolite-hist-"));
  try {
    const a = new Terminal(`${NATIVE} repl`, { HOME: home });
    await a.waitFor(/> /);
    a.type("Answer = 6 * 7\r");
    await a.waitFor(/> /);
    a.type(".exit\r");
    assert.equal(await a.exited, 0);
    const b = new Terminal(`${process.execPath} pkg/cli.mjs repl`, { HOME: home });
    try {
      await b.waitFor(/> /);
      // Arrow up (twice: the newest entry is .exit) recalls the native session's line.
      b.type("\x1b[A\x1b[A");
      await b.waitFor(/Answer = 6 \* 7/, "the recalled line");
      b.type("\r");
      await b.waitFor(/> /);
      b.type("return Answer\r");
      await b.waitFor(/\n42\n/);
      b.type(".exit\r");
      assert.equal(await b.exited, 0);
    } finally {
      b.kill();
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
