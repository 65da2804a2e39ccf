#!/usr/bin/env bash
# The main job: build the package and the playground (www/ -> www/dist/), then serve it on
# 127.0.0.1, printing its URL.
# `scripts/main.sh --example` instead runs the CLI on bundled examples (a process, then a
# network of two) and exits.
# Usage: scripts/main.sh [--example] [--port N]
set -euo pipefail
cd "$(dirname "$0")/.."

example=0
port=8080
while [ $# -gt 0 ]; do
  case $1 in
    --example) example=1 ;;
    --port) port=$2; shift ;;
    *) echo "usage: scripts/main.sh [--example] [--port N]" >&2; exit 2 ;;
  esac
  shift
done

if [ "$example" = 1 ]; then
  scripts/setup.sh --no-browser >&2
  cargo build --release --quiet
  echo "\$ aolite run examples/ping.lua --messages examples/ping.messages.json" >&2
  target/release/aolite run examples/ping.lua --messages examples/ping.messages.json
  echo "\$ aolite net examples/escrow.scenario.json" >&2
  exec target/release/aolite net examples/escrow.scenario.json
fi

scripts/setup.sh --no-browser
scripts/build-pkg.sh
scripts/build-www.sh
exec node scripts/serve.mjs "$port" www/dist
