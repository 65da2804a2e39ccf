//! Unbounded recursion in a process ends as on aos: with Lua's `stack overflow` (or `C stack
//! overflow`), which the handlers' `pcall` turns into the message's `Error`, the state left
//! as it was. piccolo has no depth limit, so the first run runs out of memory; the message
//! is then re-run on a diagnostic copy, which counts the stack slots Lua counts (see
//! `src/state/diagnose.rs`). The texts are those recorded on real aos 2.0.6 (the oracle's
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
Handlers.add("ping", "Ping", function(msg) msg.reply({ Data = "depth " .. tostring(Depth) }) end)"#;

fn process(diagnostics: Diagnostics) -> Process {
    let mut p = Process::new(ProcessOptions {
        diagnostics,
        limits: Limits {
            memory: 64 << 20,
            ..Limits::default()
        },
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

#[test]
fn runaway_recursion_fails_the_message_with_luas_stack_overflow() {
    let mut p = process(Diagnostics::Auto);
    let before = p.state_hash().unwrap();
    let (error, out) = error_of(&mut p, "Recurse");
    assert!(
        error.contains("[string \".handlers\"]:723: [string \"aos\"]:2: stack overflow"),
        "{error}"
    );
    // As on aos, a failed message sends nothing and changes nothing.
    assert!(out.messages.is_empty());
    assert_eq!(p.state_hash().unwrap(), before);
    let info = out.error_info.expect("error info");
    assert_eq!(info.line, Some(2));
    // Lua's traceback shape: the 10 innermost frames, `...`, the 11 outermost.
    assert_eq!(info.traceback.len(), 22, "{:?}", info.traceback);
    assert_eq!(info.traceback[10].chunk, "...");
    assert_eq!(info.traceback[0].name, "upvalue 'rec'");

    let (error, _) = error_of(&mut p, "Field");
    assert!(
        error.contains("[string \"aos\"]:4: stack overflow"),
        "{error}"
    );
    let (error, _) = error_of(&mut p, "Meta");
    assert!(
        error.contains("[string \"aos\"]:11: C stack overflow"),
        "{error}"
    );
    assert_eq!(p.state_hash().unwrap(), before);
    let reply = p.send(action("Ping")).expect("ping");
    assert_eq!(reply.messages[0].data, Some(json!("depth 0")));
}

#[test]
fn a_program_that_catches_the_overflow_itself_keeps_the_out_of_memory_error() {
    // What it changed after catching lives in the diagnostic copy only (see
    // COMPATIBILITY.md, "stack overflow"): the message stops with OUT_OF_MEMORY and
    // changes nothing.
    let mut p = process(Diagnostics::Auto);
    let before = p.state_hash().unwrap();
    match p.send(action("Caught")) {
        Err(Error::OutOfMemory { .. }) => {}
        other => panic!("expected OUT_OF_MEMORY, got {other:?}"),
    }
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
