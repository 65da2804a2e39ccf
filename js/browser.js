// Browser entry of the aolite package: `import init, { Process } from "aolite"`, then
// `await init()` (optionally with the wasm's URL or bytes) before the first call.
import init, * as wasm from "./web/aolite.js";
import { poisonGuard } from "./guard.js";

export const { Process, Console, Network, runLua, runScenario, isPoisoned, renderRun, renderSummary, stripAnsi } = poisonGuard(wasm);
export { initSync } from "./web/aolite.js";
export default init;
