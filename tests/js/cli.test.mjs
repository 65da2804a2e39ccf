// The Node CLI (`npx aolite`) must behave like the native binary: same output, same exits.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, read } from "./helpers.mjs";

const NATIVE = `${ROOT}target/debug/aolite`;
const node = (...args) => spawnSync(process.execPath, ["pkg/cli.mjs", ...args], { cwd: ROOT, encoding: "utf8" });
const native = (...args) => spawnSync(NATIVE, args, { cwd: ROOT, encoding: "utf8" });

test("aolite run prints one outcome per message (golden)", () => {
  const r = node("run", "examples/ping.lua", "--messages", "examples/ping.messages.json");
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, read("tests/data/ping.outcomes.jsonl"));
});

test("aolite lua prints output and fails with the error on stderr", () => {
  const ok = node("lua", "tests/data/portable.lua");
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(ok.stdout, read("tests/data/portable.out"));
  const bad = node("lua", "tests/js/fixtures/fails.lua");
  assert.equal(bad.status, 1);
  assert.equal(bad.stdout, "partial\n");
  assert.match(bad.stderr, /^lua: .*boom/);
  // os.exit(259) from inside pcall, xpcall and a coroutine: the status's low 8 bits, no message.
  const exited = node("lua", "tests/lua/os/exit.lua");
  assert.equal(exited.status, 3);
  assert.equal(exited.stderr, "");
  assert.match(exited.stdout, /in coroutine\n$/);
  // The script's arguments: its `...` and `arg`.
  const withArgs = node("lua", "tests/js/fixtures/args.lua", "one", "two words");
  assert.equal(withArgs.stdout.split("\n")[0], "2\tone\ttwo words");
});

test("usage errors exit 2 with a message; --help exits 0", () => {
  const none = node("run", "examples/ping.lua");
  assert.equal(none.status, 2);
  assert.match(none.stderr, /needs --messages/);
  const unknown = node("frobnicate");
  assert.equal(unknown.status, 2);
  const help = node("--help");
  assert.equal(help.status, 0);
  assert.match(help.stdout, /aolite run \[PROCESS.lua\] --messages/);
});

test("the Node CLI and the native CLI print the same bytes", { skip: !existsSync(NATIVE) && "native binary not built" }, () => {
  for (const args of [
    ["run", "examples/ping.lua", "--messages", "examples/ping.messages.json"],
    ["run", "examples/ping.lua", "--messages", "examples/ping.messages.json", "--tag", "Name=pinger",
      "--module-tag", "Memory-Limit=1-gb", "--data", "", "--timestamp", "1720000000000", "--block-height", "1234567"],
    ["run", "examples/ping.lua", "--messages", "examples/ping.messages.json", "--tag", "Name"],
    ["run", "examples/ping.lua", "--messages", "examples/ping.messages.json", "--block-height", "9007199254740992"],
    ["lua", "tests/js/fixtures/fails.lua"],
    ["lua", "tests/lua/os/exit.lua"],
    ["lua", "tests/js/fixtures/args.lua", "one", "two words"],
    ["--help"],
  ]) {
    const a = node(...args), b = native(...args);
    assert.equal(a.stdout, b.stdout, args.join(" "));
    assert.equal(a.stderr, b.stderr, args.join(" "));
    assert.equal(a.status, b.status, args.join(" "));
  }
});

test("$OWNER and $PROCESS in a message file, written plainly or escaped, are replaced as natively", { skip: !existsSync(NATIVE) && "native binary not built" }, () => {
  const dir = mkdtempSync(join(tmpdir(), "aolite-placeholders-"));
  try {
    const eval_ = (from, target) => ({ From: from, Target: target, Tags: { Action: "Eval" }, Data: "print('evaluated')" });
    const plain = JSON.stringify([eval_("$OWNER", "$PROCESS"), { Tags: { Action: "Ping" } }]);
    const files = {
      plain,
      // The same placeholders with `$` escaped: the file text holds no `$` at all.
      escaped: plain.replaceAll("$", "\\u0024"),
      none: JSON.stringify([{ Tags: { Action: "Ping" } }, eval_("someone", "elsewhere")]),
    };
    assert.ok(!files.escaped.includes("$"));
    const out = {};
    for (const [name, text] of Object.entries(files)) {
      const path = join(dir, `${name}.json`);
      writeFileSync(path, text);
      const a = node("run", "examples/ping.lua", "--messages", path, "--json");
      const b = native("run", "examples/ping.lua", "--messages", path, "--json");
      assert.equal(a.status, 0, a.stderr);
      assert.equal(a.stdout, b.stdout, name);
      out[name] = a.stdout;
    }
    assert.equal(out.escaped, out.plain);
    // Evaluated: the Eval came from the owner, as $OWNER reads.
    assert.match(out.plain.split("\n")[0], /evaluated/);
    assert.doesNotMatch(out.none, /evaluated/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("aolite repl: a scripted session through stdin, identical in Node and natively", () => {
  const input = read("tests/data/repl.in");
  const r = spawnSync(process.execPath, ["pkg/cli.mjs", "repl"], { cwd: ROOT, encoding: "utf8", input });
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout;
  assert.match(out, /^aolite repl: process \S+ owned by \S+; \.help lists the commands\n/);
  assert.match(out, /aolite\[Inbox:1\]> 2\n/); // 1 + 1
  assert.match(out, />> >> aolite\[Inbox:1\]> 42\n/); // a multi-line function, then its use
  assert.match(out, /-> got ping from /); // Send to itself is delivered at once
  assert.match(out, /loaded examples\/ping.lua \(8 lines\)\n/); // .load says what it loaded
  assert.match(out, /message to \S+ Count=1 Data=pong/); // then .send (replies show their tags)
  assert.match(out, /error: .*bad/);
  assert.match(out, /unknown command \.bogus/);
  assert.match(out, /editor mode: .*\n(\.\.\. ){3}42\n/); // .editor ... .end
  assert.match(out, /aolite\[Inbox:\d+\]> ping number (\d+) from carol\nmessage to carol Count=\1 Data=pong\n/); // .send with --from
  assert.match(out, /aolite\(dave\)\[Inbox:\d+\]> ping number \d+ from dave\n/); // .as, then a dry-run
  assert.match(out, /> Inbox: 1 message\n1\. \(no Action\) from \S+\n   tags: Module=\S+\n/); // a readable .inbox
  if (existsSync(NATIVE)) {
    const n = spawnSync(NATIVE, ["repl"], { cwd: ROOT, encoding: "utf8", input });
    assert.equal(n.stdout, out);
  }
});

test("aolite repl: a network session through stdin (.spawn, .ps, .use, .send between processes, .step, .run, .advance, .monitor), identical in Node and natively", () => {
  const input = read("tests/data/repl_net.in");
  const r = spawnSync(process.execPath, ["pkg/cli.mjs", "repl"], { cwd: ROOT, encoding: "utf8", input });
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout;
  assert.match(out, /the console runs a local network now; \S+ is in it as main \(it had no Authority: it trusts the messenger/);
  assert.match(out, /spawned echo \((\S{43})\); it is the current process\n3\naolite:echo\[Inbox:1\]> /); // --eval ran in it
  assert.match(out, /spawned pinger \(\S{43}\); it is the current process\nloaded examples\/ping.lua \(8 lines\); handlers added: ping\n/);
  assert.match(out, /> {3}main \S+ Inbox:1\n {2}echo \S+ Inbox:1\n\* pinger \S+ Inbox:1\n/); // .ps marks the current one
  assert.match(out, /aolite:main\[Inbox:1\]> message to \S+ Action=Hello\n.*handlers: hi.*\n-> main: Hello from echo\n {3}hello from /); // delivered at once
  assert.match(out, /aolite:main\[Inbox:1 Queue:1\]> #\d+ Hello from echo to main\n/); // .deliver step, then .queue
  assert.match(out, /Queue:1\]> -> main: Hello from echo\n/); // .step
  assert.match(out, /queued #\d+ for echo; .step or .run delivers it\n.*> -> echo: Hi from main\n(.*\n){2}-> main: Hello from echo\n/); // --queue, then .run
  assert.match(out, /aolite:main\[Inbox:1\]> 3\n/); // three Hellos
  assert.match(out, /1 cron tick queued\n-> clock: cron tick Tick\n.*\n.*handlers: tick.*\naolite:clock/); // not monitored: not pushed
  assert.match(out, /clock is monitored: what its cron ticks send is pushed\n/);
  assert.match(out, /-> main: Hello from clock\n/); // monitored: pushed
  assert.match(out, /\* clock \S+ Inbox:1 \(monitored\)\n/);
  assert.match(out, /aolite:main\[Inbox:1\]> 4\n/);
  assert.match(out, /error: no process called nobody/);
  if (existsSync(NATIVE)) {
    const n = spawnSync(NATIVE, ["repl"], { cwd: ROOT, encoding: "utf8", input });
    assert.equal(n.stdout, out);
  }
});

test("every bundled example prints its recorded outcomes from the Node CLI too", () => {
  const names = readdirSync(`${ROOT}examples`).filter((f) => f.endsWith(".messages.json")).map((f) => f.replace(".messages.json", ""));
  assert.ok(names.length >= 10);
  for (const name of names) {
    const r = node("run", `examples/${name}.lua`, "--messages", `examples/${name}.messages.json`);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, read(`tests/data/examples/${name}.jsonl`), name);
  }
});

test("run --export, then run --import continues from that state; --diff and --hash annotate outcomes", () => {
  const dir = mkdtempSync(join(tmpdir(), "aolite-cli-"));
  try {
    const state = join(dir, "state.json");
    const messages = JSON.parse(read("examples/token.messages.json"));
    const first = join(dir, "first.json"), rest = join(dir, "rest.json");
    writeFileSync(first, JSON.stringify(messages.slice(0, 3)));
    writeFileSync(rest, JSON.stringify(messages.slice(3)));
    const whole = node("run", "examples/token.lua", "--messages", "examples/token.messages.json", "--hash");
    assert.equal(whole.status, 0, whole.stderr);
    const wholeLines = whole.stdout.trim().split("\n").map((l) => JSON.parse(l));
    const a = node("run", "examples/token.lua", "--messages", first, "--export", state);
    assert.equal(a.status, 0, a.stderr);
    assert.equal(JSON.parse(readFileSync(state, "utf8")).format, "aolite-state/1");
    const b = node("run", "--import", state, "--messages", rest, "--hash", "--diff");
    assert.equal(b.status, 0, b.stderr);
    const lines = b.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(lines.length, messages.length - 3);
    // Split at message 3, the outcomes and state hashes equal those of the unsplit run.
    lines.forEach((l, i) => {
      assert.ok(Array.isArray(l.Diff));
      const { Diff, ...plain } = l;
      assert.deepEqual(plain, wholeLines[i + 3]);
    });
    const bad = join(dir, "bad.json");
    writeFileSync(bad, "{\"format\": \"nope\"}");
    const refused = node("run", "--import", bad, "--messages", rest);
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /bad state document/);
    if (existsSync(NATIVE)) {
      for (const args of [
        ["run", "--import", state, "--messages", rest, "--hash", "--diff"],
        ["run", "--import", bad, "--messages", rest],
      ]) {
        const n = native(...args), j = node(...args);
        assert.equal(j.stdout, n.stdout, args.join(" "));
        assert.equal(j.stderr, n.stderr, args.join(" "));
        assert.equal(j.status, n.status, args.join(" "));
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("aolite repl: .diff, .rollback, .hash, .export and .import, identical in Node and natively", () => {
  const dir = mkdtempSync(join(tmpdir(), "aolite-repl-"));
  try {
    const state = join(dir, "s.json");
    const input = [
      "Balances = { alice = 300 }",
      "Balances.alice = 200",
      ".diff",
      "Balances.bob = 1",
      ".rollback",
      "return tostring(Balances.bob)",
      `.export ${state}`,
      "Balances.alice = 0",
      `.import ${state}`,
      "return Balances.alice",
      ".import /nonexistent/state.json",
      "",
    ].join("\n");
    const r = spawnSync(process.execPath, ["pkg/cli.mjs", "repl"], { cwd: ROOT, encoding: "utf8", input });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Balances\.alice: 300 -> 200\n/);
    assert.match(r.stdout, /rolled back 1 input\(s\)\n/);
    assert.match(r.stdout, /> nil\n/);
    assert.match(r.stdout, new RegExp(`state written to ${state.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}\\n`));
    assert.match(r.stdout, /imported process \S+\n.*> 200\n/);
    assert.match(r.stdout, /error: cannot read \/nonexistent\/state.json/);
    const again = spawnSync(process.execPath, ["pkg/cli.mjs", "repl", "--import", state], { cwd: ROOT, encoding: "utf8", input: "return Balances.alice\n" });
    assert.match(again.stdout, /> 200\n/);
    if (existsSync(NATIVE)) {
      const n = spawnSync(NATIVE, ["repl"], { cwd: ROOT, encoding: "utf8", input });
      const strip = (s) => s.replace(/error: cannot read .*/, "error: cannot read");
      assert.equal(strip(n.stdout), strip(r.stdout));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
