#!/usr/bin/env bash
# Builds the playground (www/) into www/dist/ with Vite: static files that work from any static
# host. Needs the package build in pkg/ (scripts/build-pkg.sh) and node_modules (npm ci).
# Usage: scripts/build-www.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f pkg/web/aolite_bg.wasm ]; then
  echo "pkg/ is missing: run scripts/build-pkg.sh first" >&2
  exit 1
fi
node_modules/.bin/vite build --config www/vite.config.js --logLevel warn
echo "built www/dist/ ($(du -sh www/dist | cut -f1))"
