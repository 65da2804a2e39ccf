// The package as a newcomer gets it: `npm pack` of the built pkg/, `npm install` of the tarball
// into a fresh project, then the Node API, the `aolite` bin, and a page bundled by Vite 7 that
// runs in headless Chromium (the main entry and `aolite/worker`).
// Needs a built package: scripts/build-pkg.sh.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { build } from "vite";
import { serve } from "../../scripts/serve.mjs";
import { launch } from "../browser/chromium.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PKG = join(ROOT, "pkg");
const run = promisify(execFile);
// No update check and no audit: the install must work without the registry.
const NPM_ENV = { ...process.env, npm_config_update_notifier: "false", npm_config_fund: "false" };

let work, project, packed;

async function sh(cmd, args, cwd) {
  try {
    return await run(cmd, args, { cwd, env: NPM_ENV, encoding: "utf8", maxBuffer: 16 << 20 });
  } catch (e) {
    throw new Error(`${cmd} ${args.join(" ")} failed (exit ${e.code}):\n${e.stdout ?? ""}${e.stderr ?? ""}`);
  }
}

before(async () => {
  if (!existsSync(join(PKG, "web/aolite_bg.wasm"))) {
    throw new Error("pkg/web/aolite_bg.wasm is missing: build the package first with scripts/build-pkg.sh");
  }
  work = mkdtempSync(join(tmpdir(), "aolite-package-"));
  const tarballs = join(work, "tarballs");
  mkdirSync(tarballs);
  const { stdout } = await sh("npm", ["pack", PKG, "--json", "--pack-destination", tarballs], work);
  [packed] = JSON.parse(stdout);

  project = join(work, "newcomer");
  mkdirSync(project);
  writeFileSync(join(project, "package.json"),
    JSON.stringify({ name: "aolite-newcomer", private: true, type: "module" }, null, 2));
  await sh("npm", ["install", join(tarballs, packed.filename), "--no-audit", "--no-fund", "--prefer-offline"], project);
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test("the tarball holds the entries, the wasm, the types and the bin, and nothing else", () => {
  // wasm-bindgen names the snippet folder of js/plain_copy.js after a hash of the crate.
  const files = packed.files.map((f) => f.path.replace(/^web\/snippets\/[^/]+\//, "web/snippets/*/")).sort();
  assert.deepEqual(files, [
    "README.md", "aoconnect.d.ts", "aoconnect.mjs", "browser.js", "cli.mjs", "guard.js", "node.js", "outcome.js", "package.json", "plain_copy.js",
    "web/aolite.d.ts", "web/aolite.js", "web/aolite_bg.wasm", "web/aolite_bg.wasm.d.ts", "web/snippets/*/js/plain_copy.js",
    "worker-client.d.ts", "worker-client.js", "worker.js",
  ]);
});

test("every path the installed manifest names exists", () => {
  const dir = join(project, "node_modules/aolite");
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const paths = [manifest.main, manifest.module, manifest.browser, manifest.types, ...Object.values(manifest.bin)];
  const walk = (v) => (typeof v === "string" ? paths.push(v) : Object.values(v).forEach(walk));
  walk(manifest.exports);
  for (const p of paths) assert.ok(existsSync(join(dir, p)), `${p} is named in package.json but not installed`);
});

test("Node: import { Process } from \"aolite\" in the new project", async () => {
  writeFileSync(join(project, "node-use.mjs"), `
import { Process } from "aolite";

const p = new Process({ owner: "OWNER" });
p.eval(\`Handlers.add("ping", "Ping", function(m) m.reply({ Data = "pong" }) end)\`);
const out = p.send({ From: "alice", Tags: { Action: "Ping" } });
const errors = {};
for (const [name, src] of [["lua", "error('boom')"], ["syntax", "return ("]]) {
  try { p.eval(src); } catch (e) { errors[name] = { isError: e instanceof Error, code: e.code }; }
}
console.log(JSON.stringify({
  owner: p.owner,
  reply: { target: out.Messages[0].Target, data: out.Messages[0].Data },
  two: p.eval("return 1 + 1").output,
  errors,
}));
`);
  const { stdout } = await sh(process.execPath, ["node-use.mjs"], project);
  assert.deepEqual(JSON.parse(stdout), {
    owner: "OWNER",
    reply: { target: "alice", data: "pong" },
    two: "2",
    errors: { lua: { isError: true, code: "LUA_ERROR" }, syntax: { isError: true, code: "SYNTAX_ERROR" } },
  });
});

test("the bin: npx aolite --help, lua and run", async () => {
  const help = await sh("npx", ["--no", "--", "aolite", "--help"], project);
  assert.match(help.stdout, /^aolite - run AO \(aos\) Lua processes/);

  writeFileSync(join(project, "hello.lua"), `print(string.format("%s %d", "hello", 6 * 7))\n`);
  const lua = await sh("npx", ["--no", "--", "aolite", "lua", "hello.lua"], project);
  assert.equal(lua.stdout, "hello 42\n");

  writeFileSync(join(project, "ping.lua"),
    `Handlers.add("ping", "Ping", function(m) m.reply({ Data = "pong" }) end)\n`);
  writeFileSync(join(project, "ping.json"), JSON.stringify([{ From: "alice", Tags: { Action: "Ping" } }]));
  const ran = await sh("npx", ["--no", "--", "aolite", "run", "ping.lua", "--messages", "ping.json"], project);
  const [outcome] = ran.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(outcome.Messages[0].Target, "alice");
  assert.equal(outcome.Messages[0].Data, "pong");
});

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>aolite with Vite</title>
<pre id="results"></pre>
<script type="module" src="./main.js"></script>
`;

const MAIN = `
import init, { Process } from "aolite";
import { ProcessWorker } from "aolite/worker";

const results = {};
try {
  await init();
  const p = new Process({ owner: "OWNER" });
  p.eval(\`Handlers.add("ping", "Ping", function(m) m.reply({ Data = "pong" }) end)\`);
  const out = p.send({ From: "alice", Tags: { Action: "Ping" } });
  results.page = { target: out.Messages[0].Target, data: out.Messages[0].Data };
  try { p.eval("error('boom')"); } catch (e) { results.page.error = e instanceof Error && e.code; }

  const w = await ProcessWorker.create({ owner: "OWNER" });
  await w.eval(\`Handlers.add("ping", "Ping", function(m) m.reply({ Data = "pong from the worker" }) end)\`);
  const wout = await w.send({ From: "bob", Tags: { Action: "Ping" } });
  results.worker = { owner: w.owner, target: wout.Messages[0].Target, data: wout.Messages[0].Data };
  try { await w.eval("error('boom')"); } catch (e) { results.worker.error = e instanceof Error && e.code; }
  w.terminate();
} catch (e) {
  results.failure = String(e?.stack ?? e);
}
document.getElementById("results").textContent = JSON.stringify(results);
document.body.dataset.done = "true";
`;

test("Vite 7 bundles a page using aolite and aolite/worker; it runs in Chromium", async (t) => {
  writeFileSync(join(project, "index.html"), PAGE);
  writeFileSync(join(project, "main.js"), MAIN);
  const dist = join(project, "dist");
  // The project's defaults, as a newcomer would have them: no Vite config at all.
  await build({ root: project, configFile: false, logLevel: "warn", build: { outDir: dist, emptyOutDir: true } });
  const assets = readdirSync(join(dist, "assets"));
  assert.ok(assets.some((f) => f.endsWith(".wasm")), `no wasm among the bundled assets: ${assets}`);

  const server = await serve(0, dist);
  t.after(() => server.close());
  const browser = await launch();
  t.after(() => browser.close());
  const page = await browser.newPage();
  const log = [];
  page.on("console", (m) => log.push(`${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => log.push(`pageerror: ${e.message}`));
  await page.goto(new URL("/", server.url).href);
  try {
    await page.waitForFunction(() => document.body?.dataset.done === "true", null, { timeout: 20_000 });
  } catch (e) {
    throw new Error(`the page did not finish: ${e.message}\n${log.join("\n")}`);
  }
  const results = JSON.parse(await page.textContent("#results"));
  assert.deepEqual(results, {
    page: { target: "alice", data: "pong", error: "LUA_ERROR" },
    worker: { owner: "OWNER", target: "bob", data: "pong from the worker", error: "LUA_ERROR" },
  }, log.join("\n"));
  // Served as application/wasm, the wasm compiles by streaming (wasm-bindgen warns otherwise).
  assert.ok(!log.some((l) => l.includes("instantiateStreaming")), log.join("\n"));
});
