// The playground page: loads the web build of aolite and runs Lua typed by the user.
import init, { runLua } from "../pkg/browser.js";

const $ = (id) => document.getElementById(id);
const code = $("code"), run = $("run"), output = $("output"), status = $("status");

function execute() {
  const started = performance.now();
  const result = runLua(code.value, "playground");
  const ms = (performance.now() - started).toFixed(1);
  output.textContent = result.stdout + (result.error ? `error: ${result.error}\n` : "");
  output.classList.toggle("error", result.error !== undefined);
  status.textContent = result.error ? `error (${result.code}) in ${ms} ms` : `ran in ${ms} ms`;
}

run.addEventListener("click", execute);
code.addEventListener("keydown", (e) => {
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    execute();
  }
});

try {
  await init();
  run.disabled = false;
  status.textContent = "ready";
  document.body.dataset.ready = "true";
} catch (e) {
  status.textContent = `failed to load: ${e.message}`;
}
