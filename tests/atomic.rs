//! Messages are atomic, as on an ao compute unit: one that fails (a Lua error, a runaway
//! loop, a memory blow-up), one that is malformed and one that is read-only leave the whole
//! Lua state exactly as it was. The state is compared through its canonical fingerprint.

use aolite::{Limits, Message, Process, ProcessOptions};
use serde_json::json;

const SETUP: &str = r#"
Balances = { alice = 100, bob = 5 }
Log = {}
local counter = 0
function Count() return counter end
Handlers.add("mutate-then-fail", "Fail", function(msg)
  Balances.alice = 0
  Balances.carol = 42
  Log[#Log + 1] = "should vanish"
  NewGlobal = "should vanish"
  counter = counter + 1
  setmetatable(Balances, { __index = function() return 7 end })
  table.insert(Log, "also vanishes")
  table.sort(Log)
  Balances.bob = nil
  error("boom")
end)
Handlers.add("mutate-then-spin", "Spin", function(msg)
  Balances.alice = 1
  counter = counter + 1
  while true do end
end)
Handlers.add("mutate-then-grow", "Grow", function(msg)
  Balances.alice = 2
  local t = {}
  for i = 1, 1e9 do t[i] = { i } end
end)
Handlers.add("mutate-then-match", "Match", function(msg)
  Balances.alice = 3
  counter = counter + 1
  -- About 100 million matcher steps (tests/fuzz/FINDINGS.md, F1): more than the fuel pays.
  local ok = pcall(string.find, ("ab"):rep(1000), "%g-[]+%b()%f[%a]+[^]]%f[^%w]?")
  Balances.bob = ok and 1 or 2
end)
Handlers.add("mutate-then-rep", "Rep", function(msg)
  Balances.alice = 4
  local ok = pcall(string.rep, "x", 1e8)
  Balances.bob = ok and 1 or 2
end)
Handlers.add("setupvalue-then-fail", "SetUp", function(msg)
  debug.setupvalue(Count, 1, 99)
  assert(Count() == 99)
  error("boom after setupvalue")
end)
Handlers.add("ok", "Ok", function(msg)
  Balances.alice = Balances.alice - 1
  counter = counter + 1
end)
"#;

fn process() -> Process {
    let options = ProcessOptions {
        limits: Limits {
            fuel: 5_000_000,
            memory: 16 << 20,
            ..Limits::default()
        },
        ..ProcessOptions::default()
    };
    let mut p = Process::new(options).expect("spawn");
    p.eval(SETUP).expect("setup");
    p
}

fn action(name: &str) -> Message {
    Message::default().with_tag("Action", name)
}

#[test]
fn a_failing_handler_leaves_the_state_identical() {
    let mut p = process();
    let before = p.fingerprint();
    let hash_before = p.state_hash().expect("hash");
    let out = p.send(action("Fail")).expect("outcome");
    assert!(out.error.as_deref().unwrap_or_default().contains("boom"));
    assert_eq!(p.fingerprint(), before);
    // The exported state document is byte-identical too.
    assert_eq!(p.state_hash().expect("hash"), hash_before);
    assert_eq!(p.eval("return Count()").expect("eval").output, "0");
    assert_eq!(
        p.global_json("Balances").expect("json"),
        json!({"alice": 100, "bob": 5})
    );
}

#[test]
fn a_failing_handler_undoes_its_debug_setupvalue() {
    let mut p = process();
    let before = p.fingerprint();
    let hash_before = p.state_hash().expect("hash");
    let out = p.send(action("SetUp")).expect("outcome");
    assert!(
        out.error
            .as_deref()
            .unwrap_or_default()
            .contains("boom after setupvalue"),
        "{:?}",
        out.error
    );
    assert_eq!(p.fingerprint(), before);
    assert_eq!(p.state_hash().expect("hash"), hash_before);
    assert_eq!(p.eval("return Count()").expect("eval").output, "0");
}

#[test]
fn a_runaway_loop_leaves_the_state_identical() {
    let mut p = process();
    let before = p.fingerprint();
    let hash_before = p.state_hash().expect("hash");
    let err = p.send(action("Spin")).expect_err("out of fuel");
    assert_eq!(err.code(), "OUT_OF_FUEL");
    assert_eq!(p.fingerprint(), before);
    assert_eq!(p.state_hash().expect("hash"), hash_before);
}

#[test]
fn a_pattern_match_past_the_fuel_leaves_the_state_identical() {
    // The match stops when the message's fuel is spent (not at the matcher's own limit,
    // which would cost about five times this process's fuel), uncaught by pcall.
    let mut p = process();
    let before = p.fingerprint();
    let hash_before = p.state_hash().expect("hash");
    let err = p.send(action("Match")).expect_err("out of fuel");
    assert_eq!(err.code(), "OUT_OF_FUEL", "{err}");
    assert_eq!(p.fingerprint(), before);
    assert_eq!(p.state_hash().expect("hash"), hash_before);
}

#[test]
fn a_result_past_the_memory_leaves_the_state_identical() {
    // A 100 MB `rep` in 16 MB: refused before it is built, as the memory limit, uncaught.
    let mut p = process();
    let before = p.fingerprint();
    let hash_before = p.state_hash().expect("hash");
    let err = p.send(action("Rep")).expect_err("out of memory");
    assert_eq!(err.code(), "OUT_OF_MEMORY", "{err}");
    assert_eq!(p.fingerprint(), before);
    assert_eq!(p.state_hash().expect("hash"), hash_before);
}

#[test]
fn a_memory_blowup_leaves_the_state_identical() {
    let mut p = process();
    let before = p.fingerprint();
    let err = p.send(action("Grow")).expect_err("out of memory");
    assert!(
        matches!(err.code(), "OUT_OF_MEMORY" | "OUT_OF_FUEL"),
        "{err}"
    );
    assert_eq!(p.fingerprint(), before);
}

#[test]
fn a_malformed_message_leaves_the_state_identical() {
    let mut p = process();
    let before = p.fingerprint();
    let hash_before = p.state_hash().expect("hash");
    let err = p
        .send_json(&json!({"Tags": [{"name": "Action", "value": 1}]}))
        .expect_err("bad message");
    assert_eq!(err.code(), "BAD_MESSAGE");
    assert_eq!(p.fingerprint(), before);
    assert_eq!(p.state_hash().expect("hash"), hash_before);
}

#[test]
fn a_read_only_message_is_evaluated_and_discarded() {
    let mut p = process();
    let before = p.fingerprint();
    let mut msg = action("Ok");
    msg.read_only = true;
    let out = p.send(msg).expect("dry-run");
    assert_eq!(out.error, None);
    assert_eq!(p.fingerprint(), before);
}

#[test]
fn successful_messages_do_change_the_state_and_failures_in_between_do_not() {
    let mut p = process();
    let before = p.fingerprint();
    p.send(action("Ok")).expect("ok");
    let after_one = p.fingerprint();
    assert_ne!(after_one, before, "the fingerprint must see a change");
    p.send(action("Fail")).expect("outcome");
    p.send(action("Spin")).expect_err("fuel");
    assert_eq!(p.fingerprint(), after_one);
    p.send(action("Ok")).expect("ok");
    assert_eq!(
        p.global_json("Balances").expect("json"),
        json!({"alice": 98, "bob": 5})
    );
    assert_eq!(p.eval("return Count()").expect("eval").output, "2");
}

#[test]
fn deleting_keys_then_growing_a_table_works() {
    // piccolo 0.3.3 panics here ("all keys must be live when table is grown") unless every
    // write goes through our store; this is ordinary cache-eviction code.
    let mut p = process();
    let out = p
        .eval(
            "local t = {} for i = 1, 8 do t['k' .. i] = i end \
             for i = 1, 8 do t['k' .. i] = nil end \
             for i = 9, 200 do t['k' .. i] = i end \
             local n = 0 for _ in pairs(t) do n = n + 1 end return n",
        )
        .expect("no panic");
    assert_eq!(out.output, "192");
}

#[test]
fn require_fills_package_loaded_after_deleted_keys() {
    // `require` stores the module into package.loaded itself; that store, too, must make
    // room first when string keys were deleted from package.loaded (piccolo panicked).
    let mut p = process();
    let out = p
        .eval(
            "for i = 1, 40 do package.loaded['tmp' .. i] = true end \
             for i = 1, 40 do package.loaded['tmp' .. i] = nil end \
             local sum = 0 \
             for i = 1, 100 do \
               package.preload['m' .. i] = function() return i end \
               sum = sum + require('m' .. i) \
             end \
             for i = 101, 140 do \
               package.preload['m' .. i] = function() end \
               assert(require('m' .. i) == true) \
             end \
             return sum",
        )
        .expect("no panic");
    assert_eq!(out.output, "5050");
}

#[test]
fn a_failed_message_leaves_no_module_in_package_loaded() {
    // require's store into package.loaded is logged like every other store.
    let mut p = process();
    p.eval(
        "Handlers.add('req', 'Req', function() \
           package.preload.mod = function() return 'm' end \
           assert(require('mod') == 'm') \
           error('boom') \
         end)",
    )
    .expect("eval");
    let out = p.send(action("Req")).expect("outcome");
    assert!(out.error.is_some(), "the handler fails");
    assert_eq!(
        p.eval("return tostring(package.loaded.mod)")
            .expect("eval")
            .output,
        "nil"
    );
}

/// Captured locals written by a failing handler come back: the ones whose getter is made
/// once after their `local` statement, those past the per-function number of such getters
/// (twelve here), a loop's fresh variables and a parameter.
#[test]
fn a_failing_handler_undoes_its_writes_to_captured_locals() {
    let mut p = process();
    p.eval(
        r#"
local a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12 = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
Setters = {}
for i = 1, 3 do
  local v = i
  Setters[i] = function(k) v = k end
  Setters[i + 3] = function() return v end
end
local function keep(start) return function(k) start = k end, function() return start end end
SetStart, GetStart = keep(0)
function Captured()
  return table.concat({a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12,
    Setters[4](), Setters[5](), Setters[6](), GetStart()}, ",")
end
Handlers.add("captured-then-fail", "Captured", function(msg)
  a1, a2, a3, a4, a5, a6 = 0, 0, 0, 0, 0, 0
  a7, a8, a9, a10, a11, a12 = 0, 0, 0, 0, 0, 0
  Setters[1](-1); Setters[2](-2); Setters[3](-3)
  SetStart(99)
  error("boom after captured writes")
end)
"#,
    )
    .expect("setup");
    let shown = "1,2,3,4,5,6,7,8,9,10,11,12,1,2,3,0";
    assert_eq!(p.eval("return Captured()").expect("eval").output, shown);
    let before = p.fingerprint();
    let out = p.send(action("Captured")).expect("outcome");
    assert!(
        out.error
            .as_deref()
            .unwrap_or_default()
            .contains("boom after captured writes"),
        "{:?}",
        out.error
    );
    assert_eq!(p.fingerprint(), before);
    assert_eq!(p.eval("return Captured()").expect("eval").output, shown);
}

/// A closure made in a `repeat` loop's condition writes a local of the loop's body: the
/// write is logged too (its getter is placed once the condition has been read), so a
/// failing message that calls it leaves the variable as it was.
#[test]
fn a_failing_handler_undoes_a_write_made_by_a_closure_of_a_repeat_condition() {
    let mut p = process();
    p.eval(
        r#"
repeat
  local r = 1
until (function() SetR = function(v) r = v end; GetR = function() return r end; return true end)()
Handlers.add("set-r-then-fail", "SetR", function(msg)
  SetR(5)
  error("boom after SetR")
end)
"#,
    )
    .expect("setup");
    let before = p.fingerprint();
    let out = p.send(action("SetR")).expect("outcome");
    assert!(
        out.error
            .as_deref()
            .unwrap_or_default()
            .contains("boom after SetR"),
        "{:?}",
        out.error
    );
    assert_eq!(p.fingerprint(), before);
    assert_eq!(p.eval("return GetR()").expect("eval").output, "1");
}

/// Lists built by appends to a table the handler has just made (left to the VM, unlogged:
/// `src/vm/fresh.rs`) and then stored into the state: a failing message leaves nothing of
/// them, a checkpoint before a successful one brings the state back, and the diff of the
/// successful one shows the whole list.
#[test]
fn fresh_lists_stored_by_a_failing_handler_vanish() {
    let mut p = process();
    p.eval(
        r#"
Lists = {}
local function build(n)
  local out = {}
  for i = 1, n do out[#out + 1] = "item" .. i end
  return out
end
Handlers.add("list-then-fail", "ListFail", function(msg)
  local mine = {}
  for i = 1, 40 do mine[#mine + 1] = i end
  Lists.failed = mine
  Lists.built = build(5)
  Balances.alice = #mine
  error("boom after lists")
end)
Handlers.add("list", "List", function(msg)
  local mine = {}
  for i = 1, 3 do mine[#mine + 1] = i * 2 end
  Lists.kept = mine
end)
"#,
    )
    .expect("setup");
    let before = p.fingerprint();
    let out = p.send(action("ListFail")).expect("outcome");
    assert!(
        out.error
            .as_deref()
            .unwrap_or_default()
            .contains("boom after lists"),
        "{:?}",
        out.error
    );
    assert_eq!(p.fingerprint(), before);
    assert_eq!(
        p.eval("return tostring(next(Lists)) .. Balances.alice")
            .expect("eval")
            .output,
        "nil100"
    );
    let checkpoint = p.checkpoint(None);
    let at_checkpoint = p.fingerprint();
    p.set_diff(true);
    let out = p.send(action("List")).expect("outcome");
    assert!(out.error.is_none(), "{:?}", out.error);
    let diff = serde_json::to_string(&out.diff).expect("diff serialises");
    assert!(diff.contains("[2,4,6]"), "{diff}");
    assert_eq!(
        p.eval("return table.concat(Lists.kept, ',')")
            .expect("eval")
            .output,
        "2,4,6"
    );
    p.rollback(checkpoint).expect("rollback");
    assert_eq!(p.fingerprint(), at_checkpoint);
}
