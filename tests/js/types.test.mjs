// The package's TypeScript declarations type-check a usage file (tsc --noEmit) under
// `strict`, without skipLibCheck, with the default libraries of ES2020 and ES2022 targets (no
// esnext lib) as well as with ESNext: users' projects should not need special settings.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { ROOT } from "./helpers.mjs";

const TSC = "node_modules/typescript/bin/tsc";

for (const config of ["tsconfig.json", "tsconfig.es2020.json", "tsconfig.es2022.json"]) {
  test(`the .d.ts describes the API with domain types (${config})`, { skip: !existsSync(`${ROOT}${TSC}`) && "typescript is a devDependency: run npm ci" }, () => {
    const r = spawnSync(process.execPath, [TSC, "-p", `tests/types/${config}`], { cwd: ROOT, encoding: "utf8" });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
}
