#!/usr/bin/env bash
# Coverage-guided fuzzing of the json, lua or message door with AFL++ (Debian's `afl++`,
# `apt-get install afl++`): builds examples/afl_doors.rs instrumented (LLVM's sanitizer
# coverage in trace-pc-guard mode, which AFL++'s runtime reads) into target/afl, then runs
# afl-fuzz on it in persistent mode. Stable Rust, no other crate needed.
#
#   scripts/afl.sh json|lua|message [seconds]     (default 600)
#
# Findings land in target/afl/out-DOOR/default/crashes; replay one with
#   target/afl/x86_64-unknown-linux-gnu/release/examples/afl_doors DOOR < FILE
set -euo pipefail
cd "$(dirname "$0")/.."
door="${1:-json}"
seconds="${2:-600}"
rt=/usr/lib/afl/afl-compiler-rt.o
[ -f "$rt" ] || { echo "afl.sh: $rt missing: apt-get install afl++" >&2; exit 1; }
target=x86_64-unknown-linux-gnu
# --target keeps the instrumentation out of build scripts; lto off keeps the build short.
RUSTFLAGS="-C passes=sancov-module -C llvm-args=-sanitizer-coverage-level=3 \
-C llvm-args=-sanitizer-coverage-trace-pc-guard -C llvm-args=-sanitizer-coverage-prune-blocks=0 \
-C codegen-units=1 -C link-arg=$rt" \
  cargo build --release --config profile.release.lto=false --features afl \
  --example afl_doors --target "$target" --target-dir target/afl
bin="target/afl/$target/release/examples/afl_doors"
in="target/afl/in-$door"
rm -rf "$in"
mkdir -p "$in"
case "$door" in
  json)
    printf '{"a":[1,2.5,"x",null,true],"b":{"c":-0}}' > "$in/1"
    printf '[1e308, "\\u00e9\\ud83d\\ude00", {}]' > "$in/2"
    printf '"x"' > "$in/3" ;;
  lua)
    # first byte: the door (0 Eval, 1 load, 2 load under pcall), then the source
    printf '\000local t = {} for i = 1, 10 do t[i] = i * 2 end print(#t, t[3] // 4)' > "$in/1"
    printf '\001local s = ("x"):rep(3) .. 1.5 return s:upper(), select("#", 1, nil)' > "$in/2"
    printf '\002X = 1 local function f(a, ...) return a, ... end error(f("boom"))' > "$in/3"
    printf '\000local a <const> = 1; goto l; ::l:: return string.format("%%5.2f", a)' > "$in/4" ;;
  message)
    printf '{"Tags":{"Action":"Transfer","Recipient":"x","Quantity":"5"}}' > "$in/1"
    printf '{"Tags":[{"name":"Action","value":"Balance"}],"From":"y","Data":"hi"}' > "$in/2"
    printf '{"Tags":{"Action":"Eval"},"Data":"X = (X or 0) + 1"}' > "$in/3" ;;
  *) echo "afl.sh: door is json, lua or message" >&2; exit 2 ;;
esac
export AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
exec afl-fuzz -i "$in" -o "target/afl/out-$door" -V "$seconds" -t 5000 -m none -- "$bin" "$door"
