// The hostile-input corpora (tests/data/hostile/) in Node, through the package: the same
// files and checks as natively (tests/hostile.rs) and in Chromium (tests/browser/hostile.test.mjs).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Process, isPoisoned } from "../../pkg/node.js";
import { read } from "./helpers.mjs";
import { runJsOnly, runners } from "./hostile-corpus.mjs";

for (const [name, run] of Object.entries(runners)) {
  test(`hostile ${name} are refused with their codes and leave the process as it was`, () => {
    const corpus = JSON.parse(read(`tests/data/hostile/${name}.json`));
    const { count, failures } = run(Process, corpus);
    assert.equal(count, corpus.cases.length);
    assert.deepEqual(failures, []);
    assert.equal(isPoisoned(), false);
  });
}

test("values only JS can give (cycles, shared parts, throwing getters and proxies) are refused without poisoning", () => {
  const { failures } = runJsOnly(Process, isPoisoned);
  assert.deepEqual(failures, []);
  assert.equal(isPoisoned(), false);
});
