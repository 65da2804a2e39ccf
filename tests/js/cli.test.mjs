// The Node CLI (`npx aolite`) must behave like the native binary: same output, same exits.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
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
});

test("usage errors exit 2 with a message; --help exits 0", () => {
  const none = node("run", "examples/ping.lua");
  assert.equal(none.status, 2);
  assert.match(none.stderr, /needs --messages/);
  const unknown = node("frobnicate");
  assert.equal(unknown.status, 2);
  const help = node("--help");
  assert.equal(help.status, 0);
  assert.match(help.stdout, /aolite run PROCESS.lua --messages/);
});

test("the Node CLI and the native CLI print the same bytes", { skip: !existsSync(NATIVE) && "native binary not built" }, () => {
  for (const args of [
    ["run", "examples/ping.lua", "--messages", "examples/ping.messages.json"],
    ["lua", "tests/js/fixtures/fails.lua"],
    ["--help"],
  ]) {
    const a = node(...args), b = native(...args);
    assert.equal(a.stdout, b.stdout, args.join(" "));
    assert.equal(a.stderr, b.stderr, args.join(" "));
    assert.equal(a.status, b.status, args.join(" "));
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
  assert.match(out, /message to \S+ Data=pong/); // .load then .send
  assert.match(out, /error: .*bad/);
  assert.match(out, /unknown command \.bogus/);
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
