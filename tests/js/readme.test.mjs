// Every ```js block of the README runs as written, with "aolite" resolved to the built package.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, read } from "./helpers.mjs";

// The repository's README and the npm package's own (js/README.md, shipped as pkg/README.md).
const blocks = ["README.md", "js/README.md"].flatMap((readme) =>
  [...read(readme).matchAll(/```js\n([\s\S]*?)```/g)].map((m, i) => [`${readme} js block ${i + 1}`, m[1]]),
);

test("the READMEs have JS examples", () => {
  assert.ok(blocks.some(([name]) => name.startsWith("README.md")));
  assert.ok(blocks.some(([name]) => name.startsWith("js/README.md")));
});

blocks.forEach(([name, code]) => {
  test(`${name} runs`, () => {
    const dir = mkdtempSync(join(tmpdir(), "aolite-readme-"));
    const file = join(dir, "example.mjs");
    writeFileSync(
      file,
      code
        .replaceAll('from "aolite"', `from "${ROOT}pkg/node.js"`)
        .replaceAll('from "aolite/aoconnect"', `from "${ROOT}pkg/aoconnect.mjs"`),
    );
    const r = spawnSync(process.execPath, [file], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    // Lines with `// expected` comments state what they print.
    for (const [, expected] of code.matchAll(/\/\/ (.+)$/gm)) {
      assert.ok(r.stdout.includes(expected.trim()), `output lacks "${expected}": ${r.stdout}`);
    }
  });
});

// Every `aolite ...` line of the README's sh blocks runs with the Node CLI, in order, in a
// scratch directory that sees the repository's examples (so files one line writes, the next
// can read).
const cliLines = [...read("README.md").matchAll(/```sh\n([\s\S]*?)```/g)]
  .flatMap((m) => m[1].split("\n"))
  .map((l) => l.replace(/\s+#.*$/, "").trim())
  .filter((l) => l.startsWith("aolite "));

test("the README's CLI lines run", () => {
  assert.ok(cliLines.length >= 4, cliLines.join("\n"));
  const dir = mkdtempSync(join(tmpdir(), "aolite-readme-cli-"));
  symlinkSync(`${ROOT}examples`, join(dir, "examples"));
  for (const line of cliLines) {
    const args = line.split(/\s+/).slice(1);
    const r = spawnSync(process.execPath, [`${ROOT}pkg/cli.mjs`, ...args], { cwd: dir, encoding: "utf8", input: "" });
    assert.equal(r.status, 0, `${line}\n${r.stderr}`);
    assert.ok(r.stdout.length > 0, line);
  }
});
