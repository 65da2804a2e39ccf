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
