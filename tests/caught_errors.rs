//! Errors caught by `pcall`/`xpcall` inside a message that succeeds read as Lua 5.3's (and
//! so aos's): `[string "aos"]:3: attempt to call a nil value (local 'f')`, not piccolo's bare
//! `attempt to call a nil value`. The message is re-run on a diagnostic copy and once more
//! with the copy's error values handed back (see `src/state/diagnose.rs`); these tests check
//! what a program does with them (replies, state), and that replay, dry-runs, checkpoints,
//! `--diagnostics off` and the network agree.

use aolite::state::history::ReplayStart;
use aolite::{Diagnostics, Message, Network, NetworkOptions, Process, ProcessOptions, Tag};
use serde_json::json;

/// A handler that catches a call of a nil local and an `error(msg, 2)`, replies with both
/// and keeps them in `Caught`.
const CATCHER: &str = r#"Caught = Caught or {}
local function check(v) if not v then error("invalid value", 2) end end
Handlers.add("try", "Try", function(msg)
  local f
  local ok, err = pcall(function() f() end)
  local ok2, err2 = pcall(function() check(nil) end)
  table.insert(Caught, err)
  table.insert(Caught, err2)
  msg.reply({ Data = err, Second = err2 })
end)"#;

fn process(diagnostics: Diagnostics) -> Process {
    let mut p = Process::new(ProcessOptions {
        diagnostics,
        ..ProcessOptions::default()
    })
    .expect("spawn");
    let out = p.eval(CATCHER).expect("eval");
    assert!(!out.output.contains("rror"), "{}", out.output);
    p
}

fn try_message() -> Message {
    Message::default().with_tag("Action", "Try")
}

const CALL_ERROR: &str = "[string \"aos\"]:5: attempt to call a nil value (upvalue 'f')";
const LEVEL_2: &str = "[string \"aos\"]:6: invalid value";

#[test]
fn a_caught_call_error_reads_as_lua_and_replays() {
    let mut p = process(Diagnostics::Auto);
    let out = p.send(try_message()).expect("send");
    assert_eq!(out.error, None);
    assert_eq!(out.messages.len(), 1);
    let reply = &out.messages[0];
    assert_eq!(reply.data, Some(json!(CALL_ERROR)));
    let second = reply.tags.iter().find(|t| t.name == "Second").expect("tag");
    assert_eq!(second.value, LEVEL_2);
    assert_eq!(
        p.global_json("Caught").expect("global"),
        json!([CALL_ERROR, LEVEL_2])
    );
    // A second message does it again (the state it reads is the substituted run's).
    p.send(try_message()).expect("send");
    assert_eq!(
        p.global_json("Caught").expect("global"),
        json!([CALL_ERROR, LEVEL_2, CALL_ERROR, LEVEL_2])
    );
    // Replay runs the same path: same outcomes, same state.
    let log = p.message_log().to_vec();
    let mut q = Process::replay(ReplayStart::Spawn(Box::default()), &log).expect("replay");
    assert_eq!(p.state_hash().unwrap(), q.state_hash().unwrap());
    // A checkpoint before a message and a rollback to it give the state before it.
    let before = p.state_hash().unwrap();
    let id = p.checkpoint(Some("before"));
    p.send(try_message()).expect("send");
    p.rollback(id).expect("rollback");
    assert_eq!(p.state_hash().unwrap(), before);
}

#[test]
fn fuel_and_output_are_a_plain_runs() {
    let mut auto = process(Diagnostics::Auto);
    let mut off = process(Diagnostics::Off);
    let a = auto.send(try_message()).expect("send");
    let o = off.send(try_message()).expect("send");
    // The kept run is a plain one: it costs what the first run cost (nothing in this
    // handler depends on the length of the texts).
    assert_eq!(a.gas_used, o.gas_used);
    // With diagnostics off, the first run's texts are kept.
    let reply = &o.messages[0];
    assert_eq!(reply.data, Some(json!("attempt to call a nil value")));
    let second = reply.tags.iter().find(|t| t.name == "Second").expect("tag");
    assert_eq!(second.value, "invalid value");
}

#[test]
fn printed_text_is_the_kept_runs() {
    let mut p = process(Diagnostics::Auto);
    p.eval(
        r#"Handlers.add("show", "Show", function(msg)
  local t = {}
  print(select(2, pcall(function() t.missing() end)))
  Shown = (Shown or 0) + 1
end)"#,
    )
    .expect("eval");
    let out = p
        .send(Message::default().with_tag("Action", "Show"))
        .expect("send");
    assert_eq!(out.error, None);
    assert_eq!(
        out.output_text(),
        "[string \"aos\"]:3: attempt to call a nil value (field 'missing')"
    );
    // One run's effects only.
    assert_eq!(p.global_json("Shown").expect("global"), json!(1));
}

#[test]
fn dry_runs_read_and_keep_nothing() {
    let mut p = process(Diagnostics::Auto);
    let before = p.state_hash().unwrap();
    let out = p.dry_run(try_message()).expect("dry-run");
    assert_eq!(out.messages[0].data, Some(json!(CALL_ERROR)));
    assert_eq!(p.state_hash().unwrap(), before);
    assert_eq!(p.global_json("Caught").expect("global"), json!([]));
}

#[test]
fn a_failed_message_after_a_caught_error_reports_both_as_lua() {
    let mut p = process(Diagnostics::Auto);
    p.eval(
        r#"Handlers.add("fail", "Fail", function(msg)
  local g
  local _, err = pcall(function() g() end)
  print(err)
  Touched = true
  local h
  h()
end)"#,
    )
    .expect("eval");
    let out = p
        .send(Message::default().with_tag("Action", "Fail"))
        .expect("send");
    let error = out.error.expect("the message fails");
    assert!(
        error.contains("[string \"aos\"]:3: attempt to call a nil value (upvalue 'g')"),
        "{error}"
    );
    assert!(
        error.contains("[string \"aos\"]:7: attempt to call a nil value (local 'h')"),
        "{error}"
    );
    assert_eq!(p.global_json("Touched").expect("global"), json!(null));
}

#[test]
fn a_message_that_resumes_an_older_coroutine_is_not_run_again() {
    // `Receive` leaves a coroutine waiting; the message that resumes it cannot be rolled
    // back and run again (the coroutine would have finished), so it keeps its first run.
    let mut p = process(Diagnostics::Auto);
    p.eval(
        r#"Handlers.add("wait", "Wait", function(msg)
  local reply = Receive({ Action = "Go" })
  local f
  local _, err = pcall(function() f() end)
  Waited = err .. " / " .. reply.Action
end)"#,
    )
    .expect("eval");
    p.send(Message::default().with_tag("Action", "Wait"))
        .expect("send");
    let out = p
        .send(Message::default().with_tag("Action", "Go"))
        .expect("send");
    assert_eq!(out.error, None);
    assert_eq!(
        p.global_json("Waited").expect("global"),
        json!("attempt to call a nil value / Go")
    );
}

#[test]
fn a_process_in_a_network_gets_the_same_text() {
    let mut net = Network::new(NetworkOptions {
        seed: Some("caught".into()),
        ..NetworkOptions::default()
    });
    let id = net
        .spawn(ProcessOptions {
            tags: vec![Tag::new("Name", "catcher")],
            ..ProcessOptions::default()
        })
        .expect("spawn");
    let out = net.eval(&id, CATCHER).expect("eval");
    assert_eq!(out.error, None);
    net.message(&id, try_message()).expect("send");
    let caught = net
        .process_mut(&id)
        .expect("process")
        .global_json("Caught")
        .expect("global");
    assert_eq!(caught, json!([CALL_ERROR, LEVEL_2]));
}

#[test]
fn evaluate_hands_back_lua_texts_too() {
    let mut p = process(Diagnostics::Auto);
    let out = p
        .eval("local ok, e = pcall(function() local f; f() end) Evaluated = e return e")
        .expect("eval");
    let text = "[string \"aos\"]:1: attempt to call a nil value (local 'f')";
    assert_eq!(out.output, text);
    assert_eq!(p.global_json("Evaluated").expect("global"), json!(text));
    let log = p.message_log().to_vec();
    let mut q = Process::replay(ReplayStart::Spawn(Box::default()), &log).expect("replay");
    assert_eq!(p.state_hash().unwrap(), q.state_hash().unwrap());
    let mut off = process(Diagnostics::Off);
    let out = off
        .eval("return select(2, pcall(function() local f; f() end))")
        .expect("eval");
    assert_eq!(out.output, "attempt to call a nil value");
}

/// The oracle scenario `caught_errors` (recorded on real aos 2.0.6, `tests/oracle/`): each
/// reply's Data (or `Error` tag), the printed lines, the failing step's error and the stored
/// texts are aos's.
#[test]
fn the_caught_errors_scenario_matches_real_aos() {
    let root = env!("CARGO_MANIFEST_DIR");
    let read = |path: &str| std::fs::read_to_string(format!("{root}/{path}")).expect(path);
    let scenario: serde_json::Value =
        serde_json::from_str(&read("tests/oracle/scenarios/caught_errors.json")).expect("json");
    let recording: serde_json::Value =
        serde_json::from_str(&read("tests/oracle/expected/caught_errors.json")).expect("json");
    let mut p = Process::new(ProcessOptions::default()).expect("spawn");
    p.eval(&read("tests/oracle/scenarios/caught_errors.lua"))
        .expect("load");
    let steps = recording["steps"].as_array().expect("steps");
    let strip = aolite::report::strip_ansi;
    for (i, m) in scenario["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .enumerate()
    {
        let label = format!("m{}", i + 1);
        let expected = steps
            .iter()
            .find(|s| s["label"] == label.as_str())
            .expect("recorded step");
        let mut msg = Message::default().with_tag("Action", m["Action"].as_str().expect("Action"));
        if let Some(tags) = m["Tags"].as_object() {
            for (k, v) in tags {
                msg = msg.with_tag(k.as_str(), v.as_str().expect("tag"));
            }
        }
        if let Some(data) = m["Data"].as_str() {
            msg = msg.with_data(data);
        }
        let out = p.send(msg).expect("send");
        if let Some(err) = expected.get("error") {
            let got = strip(out.error.as_deref().expect("the step fails"));
            let at = err["at"]
                .as_str()
                .expect("at")
                .replace("aos:", "[string \"aos\"]:");
            let message = err["message"].as_str().expect("message");
            // The recording moved the user's position out of the text (oracle rule N5): it
            // stood after aos's own prefixes (`[string ".handlers"]:723: `).
            let mut rest = message;
            let mut prefixes = String::new();
            while let Some(end) = rest
                .strip_prefix("[string \"")
                .and_then(|r| r.find(": "))
                .filter(|_| rest.starts_with("[string \""))
            {
                let cut = "[string \"".len() + end + 2;
                prefixes.push_str(&rest[..cut]);
                rest = &rest[cut..];
            }
            assert!(
                got.contains(&format!("{prefixes}{at}: {rest}")),
                "{label}: {got}"
            );
            for line in err["logs"].as_array().expect("logs") {
                assert!(got.contains(line.as_str().expect("log")), "{label}: {got}");
            }
            continue;
        }
        assert_eq!(out.error, None, "{label}");
        assert_eq!(
            strip(out.output_text()),
            expected["output"]["data"].as_str().expect("output"),
            "{label}"
        );
        let replies = expected["messages"].as_array().expect("messages");
        assert_eq!(out.messages.len(), replies.len(), "{label}");
        for (got, want) in out.messages.iter().zip(replies) {
            assert_eq!(
                got.data.clone().unwrap_or_default(),
                want["Data"],
                "{label}"
            );
            let error = want["Tags"]
                .as_array()
                .expect("tags")
                .iter()
                .find(|t| t[0] == "Error");
            if let Some(error) = error {
                let tag = got
                    .tags
                    .iter()
                    .find(|t| t.name == "Error")
                    .expect("Error tag");
                assert_eq!(tag.value, error[1], "{label}");
            }
        }
    }
    assert_eq!(
        p.global_json("Caught").expect("global"),
        recording["globals"]["Caught"]
    );
}

#[test]
fn when_the_runs_do_not_line_up_the_first_run_stands() {
    // The second caught text carries `os.clock()`, which counts fuel: the diagnostic copy
    // spends more, so its text is another error than the first run's. Nothing is
    // substituted and the message's result is exactly the first run's (as with diagnostics
    // off), state and fuel included.
    let source = r#"Handlers.add("clock", "Clock", function(msg)
  local _, e = pcall(function() local f; f() end)
  local _, c = pcall(function() error("clock " .. os.clock(), 0) end)
  Clocked = c
  msg.reply({ Data = e, Clock = c })
end)"#;
    let mut auto = process(Diagnostics::Auto);
    let mut off = process(Diagnostics::Off);
    auto.eval(source).expect("eval");
    off.eval(source).expect("eval");
    let msg = Message::default().with_tag("Action", "Clock");
    let a = auto.send(msg.clone()).expect("send");
    let o = off.send(msg).expect("send");
    assert_eq!(
        a.messages[0].data,
        Some(json!("attempt to call a nil value"))
    );
    assert_eq!(a.messages[0], o.messages[0]);
    assert_eq!(a.gas_used, o.gas_used);
    assert_eq!(auto.state_hash().unwrap(), off.state_hash().unwrap());
}

#[test]
fn a_program_that_reads_the_text_goes_on_as_under_lua() {
    // The handler catches one more error when the first text is Lua's (it names `f`): the
    // diagnostic copy notes two values where the first run noted one. The runs agree up to
    // a value that differs, so the third run hands back the copy's texts, goes on as the copy
    // did, and meets exactly its values.
    let source = r#"Handlers.add("branch", "Branch", function(msg)
  local _, e = pcall(function() local f; f() end)
  local second = "none"
  if e:find("local 'f'", 1, true) then
    second = select(2, pcall(function() local g; g() end))
  end
  msg.reply({ Data = e, Second = second })
end)"#;
    let mut p = process(Diagnostics::Auto);
    p.eval(source).expect("eval");
    let out = p
        .send(Message::default().with_tag("Action", "Branch"))
        .expect("send");
    let reply = &out.messages[0];
    assert_eq!(
        reply.data,
        Some(json!(
            "[string \"aos\"]:2: attempt to call a nil value (local 'f')"
        ))
    );
    let second = reply.tags.iter().find(|t| t.name == "Second").expect("tag");
    assert_eq!(
        second.value,
        "[string \"aos\"]:5: attempt to call a nil value (local 'g')"
    );
}

#[test]
fn a_traceback_in_a_message_that_succeeds_lists_the_callers() {
    let mut p = process(Diagnostics::Auto);
    p.eval(
        r#"local function where() return debug.traceback("here") end
local function caller() return (where()) end
Handlers.add("trace", "Trace", function(msg)
  Traced = caller()
  print(Traced)
end)"#,
    )
    .expect("eval");
    let out = p
        .send(Message::default().with_tag("Action", "Trace"))
        .expect("send");
    assert_eq!(out.error, None);
    let text = p.global_json("Traced").expect("global");
    let text = text.as_str().expect("a string");
    assert!(
        text.starts_with(
            "here\nstack traceback:\n\t[string \"aos\"]:1: in upvalue 'where'\n\t[string \"aos\"]:2: in upvalue 'caller'\n\t[string \"aos\"]:4: in "
        ),
        "{text}"
    );
    assert_eq!(out.output_text(), text);
    let log = p.message_log().to_vec();
    let mut q = Process::replay(ReplayStart::Spawn(Box::default()), &log).expect("replay");
    assert_eq!(p.state_hash().unwrap(), q.state_hash().unwrap());
    // Off: the first run's one frame.
    let mut off = process(Diagnostics::Off);
    off.eval("Traced = debug.traceback('x')").expect("eval");
    assert_eq!(
        off.global_json("Traced").expect("global"),
        json!("x\nstack traceback:\n\t[string \"aos\"]:1: in main chunk\n\t[C]: in ?")
    );
}
