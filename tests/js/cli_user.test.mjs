// The CLIs as a user drives them: through a pipe that closes early, in a pseudo-terminal,
// with exit statuses a script can rely on. Each test runs the Node CLI (pkg/cli.mjs) and,
// when it is built, the native binary.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./helpers.mjs";

const NATIVE = `${ROOT}target/debug/aolite`;
const CLIS = [["node", `${process.execPath} pkg/cli.mjs`]];
if (existsSync(NATIVE)) CLIS.push(["native", NATIVE]);

const sh = (command, options = {}) =>
  spawnSync("/bin/bash", ["-c", command], { cwd: ROOT, encoding: "utf8", timeout: 120000, ...options });

function withDir(f) {
  const dir = mkdtempSync(join(tmpdir(), "aolite-user-"));
  try {
    return f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("aolite run | head ends quietly when the pipe closes", () => {
  withDir((dir) => {
    const many = join(dir, "many.json");
    writeFileSync(many, JSON.stringify(Array.from({ length: 3000 }, () => ({ From: "alice", Tags: { Action: "Ping" } }))));
    for (const [name, cli] of CLIS) {
      const r = sh(`set -o pipefail; ${cli} run examples/ping.lua --messages ${many} | head -n 2`);
      assert.equal(r.stderr, "", `${name}: nothing on stderr`);
      assert.equal(r.status, 0, name);
      const lines = r.stdout.trim().split("\n");
      assert.equal(lines.length, 2, name);
      assert.equal(JSON.parse(lines[1]).Output.data, "ping number 2 from alice", name);
    }
  });
});

test("--fail-on-error makes the exit status 1 when a message failed", () => {
  for (const [name, cli] of CLIS) {
    const base = `${cli} run examples/ping.lua --messages tests/js/fixtures/fails.messages.json`;
    const plain = sh(base);
    assert.equal(plain.status, 0, `${name}: without the flag a failed message is still status 0`);
    assert.equal(plain.stdout.trim().split("\n").length, 3, name);
    const strict = sh(`${base} --fail-on-error`);
    assert.equal(strict.status, 1, name);
    assert.equal(strict.stdout, plain.stdout, `${name}: the flag changes only the status`);
    const ok = sh(`${cli} run examples/ping.lua --messages examples/ping.messages.json --fail-on-error`);
    assert.equal(ok.status, 0, `${name}: no failure, status 0`);
  }
});

test("--fail-on-error is documented in --help", () => {
  for (const [name, cli] of CLIS) {
    const r = sh(`${cli} --help`);
    assert.match(r.stdout, /--fail-on-error/, name);
    assert.match(r.stdout, /\| head/, name);
  }
});

// script(1) runs a command in a pseudo-terminal and copies what it writes there; the
// terminal turns "\n" into "\r\n".
const inTerminal = (command, env = {}) =>
  sh(`/usr/bin/script -qec ${JSON.stringify(command)} /dev/null`, { env: { ...process.env, ...env } });
const HAS_SCRIPT = existsSync("/usr/bin/script");

test("aolite run on a terminal prints a readable account; JSON into a pipe or with --json", { skip: !HAS_SCRIPT && "needs script(1)" }, () => {
  const run = "run examples/token.lua --messages examples/token.messages.json";
  const outputs = [];
  for (const [name, cli] of CLIS) {
    const term = inTerminal(`${cli} ${run}`, { NO_COLOR: "" });
    assert.equal(term.status, 0, `${name}: ${term.stderr}`);
    const text = term.stdout.replaceAll("\r\n", "\n");
    // The message handled, its sender (saying when it is the owner by default), its tags.
    assert.match(text, /^\x1b\[1m#1 Info from \S+ \(the owner: no From given\)\x1b\[0m\n/);
    assert.match(text, /#4 Transfer from ALICE_wallet_address_0+\x1b\[0m\n  tags: Recipient=BOB\S+ Quantity=100\n/);
    // Which handlers ran (dim), a failed one marked.
    assert.match(text, /Quantity=100\n\x1b\[2m  handlers: transfer\x1b\[0m\n/);
    assert.match(text, /\x1b\[2m  handlers: transfer \(failed\)\x1b\[0m\n/);
    // Sends with their tags, without the protocol's, and Data quoted when it has spaces.
    assert.match(text, /\n  -> BOB\S+ Action=Credit-Notice Quantity=100 Sender=ALICE\S+ Data="You received 100 from ALICE\S+"\n/);
    assert.doesNotMatch(text, /Data-Protocol|Variant=/);
    // Errors in red (the process's own colours kept inside), and a summary.
    assert.match(text, /\n\x1b\[31m  error: \x1b\[31mError\x1b\[90m handling message with Action = Mint/);
    const plainText = text.replace(/\x1b\[[0-9;]*m/g, "");
    assert.match(plainText, /\n  error: Error handling message with Action = Mint\n    .*Only the owner can mint\n/);
    assert.match(text, /\x1b\[31m13 messages, 3 failed\x1b\[0m\n$/);
    outputs.push(text);
    // JSON when stdout is not a terminal, and with --json on a terminal.
    const piped = sh(`${cli} ${run}`);
    assert.equal(piped.stdout.split("\n").filter(Boolean).length, 13, name);
    JSON.parse(piped.stdout.split("\n")[0]);
    const forced = inTerminal(`${cli} ${run} --json`);
    assert.equal(forced.stdout.replaceAll("\r\n", "\n"), piped.stdout, name);
    // --text into a pipe: the account without colour codes (the process's own stripped too).
    const plain = sh(`${cli} run examples/ping.lua --messages examples/ping.messages.json --text --diff --hash`);
    assert.doesNotMatch(plain.stdout, /\x1b/);
    assert.match(plain.stdout, /#3 Unknown from \S+ \(the owner: no From given\)\n  handlers: _default\n  output: New Message From aoL\.\.\.000: Action = Unknown\n  changed: nothing\n  state hash: [0-9a-f]{64}\n3 messages, none failed\n$/);
    // NO_COLOR on a terminal: no colour codes at all.
    const nocolour = inTerminal(`${cli} ${run}`, { NO_COLOR: "1" });
    assert.doesNotMatch(nocolour.stdout, /\x1b/, name);
  }
  if (outputs.length === 2) assert.equal(outputs[0], outputs[1], "Node and native print the same account");
});

test("a long run redirected to a file shows progress on the terminal's stderr", { skip: !HAS_SCRIPT && "needs script(1)" }, () => {
  withDir((dir) => {
    const many = join(dir, "many.json");
    writeFileSync(many, JSON.stringify(Array.from({ length: 400 }, () => ({ From: "alice", Tags: { Action: "Ping" } }))));
    for (const [name, cli] of CLIS) {
      const out = join(dir, `${name}.jsonl`);
      const r = inTerminal(`${cli} run examples/ping.lua --messages ${many} > ${out}`);
      assert.equal(r.status, 0, name);
      assert.match(r.stdout, /\r\[#{30}\] 400\/400 messages\r\x1b\[K/, name);
      assert.match(r.stdout, /\[#{15}-{15}\] 200\/400 messages/, name);
      // Without a terminal, no progress.
      const quiet = sh(`${cli} run examples/ping.lua --messages ${many} > ${out}`);
      assert.equal(quiet.stderr, "", name);
    }
  });
});
