// Builds the playground into www/dist/ as plain static files: relative URLs (`base: "./"`) so
// the folder works from any static host or sub-path, and the process worker bundled as an ES
// module worker together with the package's wasm.
import { defineConfig } from "vite";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root: here,
  base: "./",
  // The examples and the package build live outside www/.
  server: { host: "127.0.0.1", fs: { allow: [fileURLToPath(new URL("..", import.meta.url))] } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // The wasm must stay a separate file (streaming compilation), never a data: URL.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1500,
    // Two pages: the single-process playground and the network page.
    rollupOptions: { input: { main: `${here}index.html`, network: `${here}network.html` } },
  },
  worker: { format: "es" },
});
