// Node entry of the aolite package: loads the wasm synchronously from the package folder,
// so `import { Process } from "aolite"` works with no init step.
import { readFileSync } from "node:fs";
import init, * as wasm from "./web/aolite.js";
import { poisonGuard } from "./guard.js";

wasm.initSync({ module: readFileSync(new URL("./web/aolite_bg.wasm", import.meta.url)) });

export const { Process, Console, Network, runLua, runScenario, isPoisoned, renderRun, renderSummary, stripAnsi } = poisonGuard(wasm);
export { initSync } from "./web/aolite.js";
export default init;
