#!/usr/bin/env bash
# Builds the npm package into pkg/: one wasm build (wasm-bindgen's `web` target) used by the
# browser directly and by Node through node.js, plus the CLI and the manifest from pkg.json.
# Usage: scripts/build-pkg.sh [--dev]
set -euo pipefail
cd "$(dirname "$0")/.."

profile=--release
[ "${1:-}" = "--dev" ] && profile=--dev

rm -rf pkg/web
wasm-pack build --target web "$profile" --out-dir pkg/web --out-name aolite --no-pack
rm -f pkg/web/.gitignore
# Size pass on the release wasm with binaryen's wasm-opt from the npm dev dependencies (wasm-pack's
# own wasm-opt download is off in Cargo.toml: nothing is fetched at build time; Debian's binaryen
# 108 corrupts this module): 2.55 -> 2.21 MB (the names section, 220 KB, and -O3 on the code),
# and 2% fewer instructions per message (-Oz: 17 KB less, speed -1.6% to +1.6% by build; README,
# Performance).
if [ "$profile" = --release ]; then
  wasm_opt=node_modules/binaryen/bin/wasm-opt
  if [ ! -x "$wasm_opt" ]; then
    echo "build-pkg: $wasm_opt is missing: run scripts/setup.sh (or npm ci) first" >&2
    exit 1
  fi
  "$wasm_opt" -O3 --strip-producers pkg/web/aolite_bg.wasm -o pkg/web/aolite_bg.opt.wasm
  mv pkg/web/aolite_bg.opt.wasm pkg/web/aolite_bg.wasm
fi
# wasm-bindgen declares `[Symbol.dispose]()` on the classes, which needs TypeScript's
# esnext.disposable lib: without it, projects targeting ES2020-ES2022 fail to type-check the
# package (unless skipLibCheck). The method stays at run time; only its declaration goes.
sed -i '/^ *\[Symbol\.dispose\]()/d' pkg/web/aolite.d.ts
cp js/node.js js/browser.js js/guard.js js/plain_copy.js js/outcome.js js/worker.js js/worker-client.js js/worker-client.d.ts js/cli.mjs js/aoconnect.mjs js/aoconnect.d.ts pkg/
cp pkg.json pkg/package.json
cp js/README.md pkg/README.md
echo "built pkg/ ($(wc -c < pkg/web/aolite_bg.wasm) bytes of wasm)"
