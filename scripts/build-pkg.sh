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
  # -ocimfs=100: a function called from one place is inlined there only when it is small.
  # binaryen's default inlines every such function whatever its size, which made functions of
  # 40 KB (the interpreter loop inside Executor::step, the whole compile pipeline); V8 compiles
  # a hot function with TurboFan in one job whose time and memory grow faster than its size,
  # and a process's first boot makes the pipeline hot: TurboFan's compile time at start-up
  # ~1 000 -> ~700 ms of (background) CPU, its largest job's memory 26 -> 12 MB, the
  # 1 000 000-message Node run 150 -> 141 MB resident; instructions per message unchanged
  # (+0.3%), +6 KB of wasm (README, Performance).
  "$wasm_opt" -O3 -ocimfs=100 --strip-producers pkg/web/aolite_bg.wasm -o pkg/web/aolite_bg.opt.wasm
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
