//! Unbounded recursion in a process ends as on aos: with Lua's `stack overflow` (or `C stack
//! overflow`), which the handlers' `pcall` turns into the message's `Error`, the state left
//! as it was. piccolo has no depth limit, so the first run runs out of memory, or of fuel
//! deep down; the message is then re-run on a diagnostic copy, which counts the stack slots
//! Lua counts (see `src/state/diagnose.rs`). The texts are those recorded on real aos 2.0.6 (the oracle's
//! `stack_overflow` scenario checks them against the recording).

use aolite::{Diagnostics, Error, Limits, Message, Process, ProcessOptions};
use serde_json::json;

// Frames of 8 and 10 slots: Lua's limit comes after about 10^5 levels (kept low for debug
// builds, with a memory limit of 64 MB).
const SOURCE: &str = r#"Depth = 0
local function rec(n) local a, b, c, d, e, f = 1, 2, 3, 4, 5, 6; Depth = n; return rec(n + 1) + 1 end
local Tree = {}
function Tree.walk(node, d) local a, b, c, d2, e, f, g = 1, 2, 3, 4, 5, 6, 7; Depth = d; return Tree.walk(node, d + 1) + 1 end
Handlers.add("recurse", "Recurse", function(msg)
  ao.send({ Target = msg.From, Data = "before" })
  rec(1)
end)
Handlers.add("field", "Field", function(msg) Tree.walk({}, 1) end)
Handlers.add("meta", "Meta", function(msg)
  local t = setmetatable({}, { __index = function(self, k) return self[k] end })
  return t.x
end)
Handlers.add("caught", "Caught", function(msg)
  local ok, err = pcall(rec, 1)
  msg.reply({ Data = tostring(err) })
end)
Marks = {}
local function marking(n) rawset(Marks, "n", n); return marking(n + 1) + 1 end
Handlers.add("caught-marking", "Caught-Marking", function(msg)
  local ok, err = pcall(marking, 1)
  msg.reply({ Data = tostring(err) })
end)
Handlers.add("ping", "Ping", function(msg) msg.reply({ Data = "depth " .. tostring(Depth) }) end)"#;

fn process(diagnostics: Diagnostics) -> Process {
    process_with(
        diagnostics,
        Limits {
            memory: 64 << 20,
            ..Limits::default()
        },
    )
}

/// Little fuel and much memory: the recursions run out of fuel well past Lua's limit
/// (about 10^5 levels) and long before the memory limit.
fn short_of_fuel(diagnostics: Diagnostics) -> Process {
    process_with(
        diagnostics,
        Limits {
            fuel: 12_000_000,
            memory: 1 << 30,
            ..Limits::default()
        },
    )
}

fn process_with(diagnostics: Diagnostics, limits: Limits) -> Process {
    let mut p = Process::new(ProcessOptions {
        diagnostics,
        limits,
        ..ProcessOptions::default()
    })
    .expect("spawn");
    let out = p.eval(SOURCE).expect("eval");
    assert!(!out.output.contains("rror"), "{}", out.output);
    p
}

fn action(name: &str) -> Message {
    Message::default().with_tag("Action", name)
}

fn error_of(p: &mut Process, name: &str) -> (String, aolite::Outcome) {
    let out = p.send(action(name)).expect("an outcome, not an Err");
    let error = out.error.clone().expect("the message fails");
    (aolite::report::strip_ansi(&error), out)
}

/// Sends `Recurse` and `Field`, whose recursions must each fail with Lua's `stack overflow`
/// at Lua's line, sending nothing and changing nothing; then `Meta` when `c_levels`, whose
/// `__index` recursion is Lua's `C stack overflow`. Gives `Recurse`'s error info.
fn recursions_overflow(p: &mut Process, c_levels: bool) -> aolite::ao::outcome::ErrorInfo {
    let before = p.state_hash().unwrap();
    let (error, out) = error_of(p, "Recurse");
    assert!(
        error.contains("[string \".handlers\"]:723: [string \"aos\"]:2: stack overflow"),
        "{error}"
    );
    // As on aos, a failed message sends nothing and changes nothing.
    assert!(out.messages.is_empty());
    let info = out.error_info.expect("error info");
    assert_eq!(info.line, Some(2));
    let (error, _) = error_of(p, "Field");
    assert!(
        error.contains("[string \"aos\"]:4: stack overflow"),
        "{error}"
    );
    if c_levels {
        let (error, _) = error_of(p, "Meta");
        assert!(
            error.contains("[string \"aos\"]:11: C stack overflow"),
            "{error}"
        );
    }
    assert_eq!(p.state_hash().unwrap(), before);
    let reply = p.send(action("Ping")).expect("ping");
    assert_eq!(reply.messages[0].data, Some(json!("depth 0")));
    info
}

#[test]
fn runaway_recursion_fails_the_message_with_luas_stack_overflow() {
    let info = recursions_overflow(&mut process(Diagnostics::Auto), true);
    // Lua's traceback shape: the 10 innermost frames, `...`, the 11 outermost.
    assert_eq!(info.traceback.len(), 22, "{:?}", info.traceback);
    assert_eq!(info.traceback[10].chunk, "...");
    assert_eq!(info.traceback[0].name, "upvalue 'rec'");
}

#[test]
fn a_program_that_catches_the_overflow_itself_goes_on_as_in_lua() {
    // The process runs it again, raising the overflow where the diagnostic copy met it
    // (see COMPATIBILITY.md, "stack overflow"): the program gets Lua's error and goes on.
    let mut p = process(Diagnostics::Auto);
    let out = p.send(action("Caught")).expect("the message succeeds");
    assert_eq!(out.error, None);
    assert_eq!(
        out.messages[0].data,
        Some(json!("[string \"aos\"]:2: stack overflow"))
    );
    // What it changed on the way down and after catching is kept: `rec` set `Depth` at
    // every level Lua entered (the diagnostic copy's count, which the plain run was checked
    // against).
    let reply = p.send(action("Ping")).expect("ping");
    let depth = reply.messages[0].data.clone().expect("data");
    let depth: u64 = depth.as_str().expect("text")["depth ".len()..]
        .parse()
        .expect("a number");
    assert!((100_000..=125_000).contains(&depth), "{depth}");
}

#[test]
fn a_caught_overflow_the_plain_run_cannot_reproduce_keeps_the_out_of_memory_error() {
    // The plain run raises the overflow at the first helper call of the function whose
    // call overflowed; `marking` stores (`rawset`, a library call) before that, one level
    // deeper than Lua went, so the run does not end as the copy's did: it is rolled back
    // and the message keeps the first run's error, changing nothing.
    let mut p = process(Diagnostics::Auto);
    let before = p.state_hash().unwrap();
    assert!(matches!(
        p.send(action("Caught-Marking")),
        Err(Error::OutOfMemory { .. })
    ));
    assert_eq!(p.state_hash().unwrap(), before);
}

#[test]
fn without_diagnostics_a_caught_overflow_runs_out_of_memory() {
    let mut p = process(Diagnostics::Off);
    let before = p.state_hash().unwrap();
    assert!(matches!(
        p.send(action("Caught")),
        Err(Error::OutOfMemory { .. })
    ));
    assert_eq!(p.state_hash().unwrap(), before);
}

#[test]
fn without_diagnostics_the_message_runs_out_of_memory() {
    let mut p = process(Diagnostics::Off);
    let before = p.state_hash().unwrap();
    assert!(matches!(
        p.send(action("Recurse")),
        Err(Error::OutOfMemory { .. })
    ));
    assert_eq!(p.state_hash().unwrap(), before);
}

#[test]
fn a_recursion_that_runs_out_of_fuel_past_luas_limit_is_luas_stack_overflow() {
    recursions_overflow(&mut short_of_fuel(Diagnostics::Auto), false);
}

#[test]
fn a_deep_recursion_that_loops_within_luas_limit_runs_out_of_fuel() {
    // 20 000 levels of frames of 40 locals: past three quarters of Lua's limit, where the
    // diagnostic copy is asked, and within it, so the copy meets no overflow and the fuel
    // error stands.
    let mut p = short_of_fuel(Diagnostics::Auto);
    p.eval(&deep_handlers()).expect("eval");
    let before = p.state_hash().unwrap();
    match p.send(action("Down").with_tag("Depth", "20000")) {
        Err(Error::OutOfFuel { limit, .. }) => assert_eq!(limit, 12_000_000),
        other => panic!("expected OUT_OF_FUEL, got {other:?}"),
    }
    assert_eq!(p.state_hash().unwrap(), before);
    // 30 000 levels are past Lua's limit.
    let out = p
        .send(action("Down").with_tag("Depth", "30000"))
        .expect("an outcome");
    let error = aolite::report::strip_ansi(&out.error.expect("the message fails"));
    assert!(
        error.contains("[string \"aos\"]:4: stack overflow"),
        "{error}"
    );
}

/// Handlers recursing `Depth` levels of frames of 40 locals (Lua's limit: 23 000 to 24 000
/// of them): `Down` then loops without end, `Finite` returns (and sets `Reached`).
fn deep_handlers() -> String {
    let names: Vec<String> = (1..=40).map(|i| format!("l{i}")).collect();
    let values = vec!["n"; 40].join(", ");
    format!(
        "local function down(n, spin)\n  local {} = {values}\n  if n == 0 then while spin do end return 0 end\n  \
         return down(n - 1, spin) + l40\nend\n\
         Handlers.add('down', 'Down', function(msg) Depth = 1; down(tonumber(msg.Depth), true) end)\n\
         Handlers.add('finite', 'Finite', function(msg) Reached = down(tonumber(msg.Depth), false) end)",
        names.join(", ")
    )
}

#[test]
fn a_finite_recursion_deeper_than_luas_limit_fails_as_in_lua() {
    // It would succeed on piccolo, which has no depth limit: the depth watch stops it near
    // Lua's limit and the diagnostic copy meets Lua's overflow.
    let mut p = process(Diagnostics::Auto);
    p.eval(&deep_handlers()).expect("eval");
    let before = p.state_hash().unwrap();
    let out = p
        .send(action("Finite").with_tag("Depth", "30000"))
        .expect("an outcome");
    let error = aolite::report::strip_ansi(&out.error.expect("the message fails"));
    assert!(
        error.contains("[string \"aos\"]:4: stack overflow"),
        "{error}"
    );
    assert_eq!(p.state_hash().unwrap(), before);
    // Within Lua's limit, though past where the watch asks the copy: it runs again,
    // unwatched, and succeeds.
    let out = p
        .send(action("Finite").with_tag("Depth", "22000"))
        .expect("an outcome");
    assert_eq!(out.error, None);
    let reached = p.eval("return Reached").expect("eval");
    assert_eq!(reached.output, (22_000i64 * 22_001 / 2).to_string());
}

#[test]
fn without_diagnostics_a_recursion_short_of_fuel_runs_out_of_fuel() {
    let mut p = short_of_fuel(Diagnostics::Off);
    assert!(matches!(
        p.send(action("Recurse")),
        Err(Error::OutOfFuel { .. })
    ));
}

#[test]
fn a_script_that_runs_out_of_fuel_past_luas_limit_meets_stack_overflow() {
    let limits = Limits {
        fuel: 12_000_000,
        memory: 1 << 30,
        ..Limits::default()
    };
    let source =
        b"local function rec(n) return rec(n + 1) + 1 end\nprint(pcall(rec, 1))\nprint('after')\n";
    let out = aolite::run_script("rec.lua", source, limits).expect("run");
    assert!(out.error.is_none(), "{:?}", out.error);
    assert_eq!(
        out.stdout_text(),
        "false\trec.lua:1: stack overflow\nafter\n"
    );
}
