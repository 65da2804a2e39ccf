// The package's TypeScript declarations type-check a usage file (tsc --noEmit).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { ROOT } from "./helpers.mjs";

test("the .d.ts describes the API with domain types", () => {
  const r = spawnSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tests/types/tsconfig.json"], {
    cwd: ROOT,
    encoding: "utf8",
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
