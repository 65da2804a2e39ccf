// Node entry of the aolite package: loads the wasm synchronously from the package folder,
// so `import { Process } from "aolite"` works with no init step.
import { readFileSync } from "node:fs";
import init, { initSync } from "./web/aolite.js";

initSync({ module: readFileSync(new URL("./web/aolite_bg.wasm", import.meta.url)) });

export * from "./web/aolite.js";
export default init;
