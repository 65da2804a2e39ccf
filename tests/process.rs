//! The process API as a Rust user drives it.

use aolite::{Error, Limits, Message, Process, ProcessOptions};
use serde_json::json;

fn process() -> Process {
    Process::new(ProcessOptions::default()).expect("spawn")
}

#[test]
fn eval_returns_printed_text_and_values() {
    let mut p = process();
    let out = p.eval("print('hi') return 1 + 1").expect("eval");
    assert_eq!(out.output, "hi\n2");
    // As in aos, a second returned value is taken as an error.
    let err = p
        .eval("return 1, 'two'")
        .expect_err("second value is an error");
    assert_eq!(err.to_string(), "two");
    // An expression alone is evaluated as `return <expr>`, as aos's Eval does.
    assert_eq!(p.eval("1.5 * 2").expect("eval").output, "3.0");
}

#[test]
fn globals_persist_across_evals_and_messages() {
    let mut p = process();
    p.eval("Counter = 10").expect("eval");
    p.eval(r#"Handlers.add("inc", "Inc", function(msg) Counter = Counter + tonumber(msg.By) end)"#)
        .expect("eval");
    p.send(
        Message::default()
            .with_tag("Action", "Inc")
            .with_tag("By", "5"),
    )
    .expect("send");
    assert_eq!(p.global_json("Counter").expect("global"), json!(15));
}

#[test]
fn send_returns_outcome_with_reply_and_output() {
    let mut p = process();
    p.eval(
        r#"Handlers.add("ping", "Ping", function(msg)
             print("got " .. msg.Action .. " from " .. msg.From)
             msg.reply({ Data = "pong" })
           end)"#,
    )
    .expect("eval");
    let out = p
        .send(
            Message::default()
                .with_tag("Action", "Ping")
                .with_from("alice"),
        )
        .expect("send");
    assert_eq!(out.error, None);
    assert_eq!(out.output_text(), "got Ping from alice");
    assert_eq!(out.messages.len(), 1);
    let reply = &out.messages[0];
    assert_eq!(reply.target.as_deref(), Some("alice"));
    assert_eq!(reply.data_text(), Some("pong"));
    assert_eq!(reply.tag("Type"), Some("Message"));
    assert!(out.gas_used > 0);
}

#[test]
fn handler_errors_are_reported_in_the_outcome() {
    let mut p = process();
    p.eval(r#"Handlers.add("bad", "Bad", function(msg) error("nope") end)"#)
        .expect("eval");
    let out = p
        .send(Message::default().with_tag("Action", "Bad"))
        .expect("send");
    assert!(out.error.as_deref().unwrap_or("").contains("nope"));
    assert!(out.messages.is_empty());
}

#[test]
fn runaway_loops_stop_with_out_of_fuel_and_the_process_stays_usable() {
    let options = ProcessOptions {
        limits: Limits {
            fuel: 2_000_000,
            ..Limits::default()
        },
        ..ProcessOptions::default()
    };
    let mut p = Process::new(options).expect("spawn");
    p.eval("X = 1").expect("eval");
    let err = p.eval("while true do end").expect_err("must stop");
    assert!(
        matches!(err, Error::OutOfFuel { limit: 2_000_000 }),
        "{err}"
    );
    assert_eq!(err.code(), "OUT_OF_FUEL");
    assert_eq!(p.eval("return X").expect("still usable").output, "1");
}

#[test]
fn memory_blowups_stop_with_out_of_memory() {
    let mut options = ProcessOptions::default();
    options.limits.memory = 8 << 20;
    let mut p = Process::new(options).expect("spawn");
    let err = p
        .eval("local t = {} for i = 1, 1e8 do t[i] = {i} end")
        .expect_err("must stop");
    assert_eq!(err.code(), "OUT_OF_MEMORY", "{err}");
    assert_eq!(p.eval("return 1").expect("usable").output, "1");
}

#[test]
fn syntax_errors_name_the_chunk_and_line() {
    let mut p = process();
    let err = p.eval("x = = 1").expect_err("syntax");
    assert_eq!(err.code(), "SYNTAX_ERROR");
    assert!(err.to_string().starts_with("[string \"aos\"]:1:"), "{err}");
    // Lua 5.3's wording, as real aos gives it (tests/syntax_errors.rs has the full corpus).
    assert!(
        err.to_string()
            .ends_with("[string \"aos\"]:1: unexpected symbol near '='"),
        "{err}"
    );
    let err = p
        .eval("Handlers.add('x', function() end\n")
        .expect_err("syntax");
    assert!(
        err.to_string()
            .ends_with("[string \"aos\"]:2: ')' expected (to close '(' at line 1) near <eof>"),
        "{err}"
    );
}

#[test]
fn hostile_operator_chains_are_rejected_before_compiling() {
    let mut p = process();
    let src = format!("return {}", vec!["x"; 5000].join(" + "));
    let err = p.eval(&src).expect_err("rejected");
    assert_eq!(err.code(), "SOURCE_REJECTED");
    assert!(
        err.to_string()
            .contains("chains 4999 binary operators, more than the limit of 1000"),
        "{err}"
    );
    // A long but acceptable chain still compiles and runs.
    let ok = format!("x = 1 return {}", vec!["x"; 900].join(" + "));
    assert_eq!(p.eval(&ok).expect("ok").output, "900");
}

#[test]
fn malformed_messages_are_rejected_with_clear_errors() {
    let mut p = process();
    for (msg, needle) in [
        (json!([1, 2]), "must be a JSON object"),
        (
            json!({"Tags": [{"name": "Action", "value": 5}]}),
            "must be a string",
        ),
        (json!({"Tags": {"Action": true}}), "string value"),
        (json!({"Tags": "Action=Ping"}), "Tags must be"),
        (
            json!({"Timestamp": "soon"}),
            "'Timestamp' must be an integer",
        ),
        (json!({"From": 12}), "'From' must be a string"),
    ] {
        let err = p.send_json(&msg).expect_err("rejected");
        assert_eq!(err.code(), "BAD_MESSAGE");
        assert!(err.to_string().contains(needle), "{err} lacks {needle}");
    }
}

#[test]
fn method_calls_on_strings_use_the_string_library() {
    let mut p = process();
    assert_eq!(
        p.eval("local s = 'abc' return s:upper() .. ('x'):upper()")
            .expect("eval")
            .output,
        "ABCX"
    );
    let err = p
        .eval("local n = nil return n:upper()")
        .expect_err("nil receiver");
    assert!(
        err.to_string().contains("attempt to index a nil value"),
        "{err}"
    );
}

#[test]
fn spawn_options_reach_the_runtime() {
    let options = ProcessOptions::from_json(&json!({
        "id": "PROCESS_options_000000000000000000000000000",
        "owner": "OWNER_options_00000000000000000000000000000",
        "module": "MODULE_options_0000000000000000000000000000",
        "tags": { "Name": "opt-test" },
        "moduleTags": [{ "name": "Memory-Limit", "value": "1-gb" }],
        "authorities": ["AUTH_options_000000000000000000000000000000"],
    }))
    .expect("options");
    let mut p = Process::new(options).expect("spawn");
    let out = p
        .eval("return Name .. ' ' .. ao.id .. ' ' .. ao._module .. ' ' .. ao.authorities[1]")
        .expect("eval");
    assert_eq!(
        out.output,
        "opt-test PROCESS_options_000000000000000000000000000 MODULE_options_0000000000000000000000000000 AUTH_options_000000000000000000000000000000"
    );
    let module_tag = p
        .send(
            aolite::Message::default()
                .with_tag("Action", "Eval")
                .with_data(
                    "return ao.env.Module.Tags[1].name .. '=' .. ao.env.Module.Tags[1].value",
                ),
        )
        .expect("send");
    assert_eq!(module_tag.output_text(), "Memory-Limit=1-gb");
}

/// Deeply nested calls or constructors would exhaust piccolo's 256 registers, and its
/// compiler panics then (a trap in wasm): they are refused first, with a clear error.
#[test]
fn register_hungry_nesting_is_rejected_before_compiling() {
    let mut p = process();
    for (open, close) in [("f(1, ", ")"), ("{1, ", "}"), ("o:m(", ")"), ("{k = ", "}")] {
        let src = format!(
            "local function f(a, b) return b end local o = {{m = function(s, a) return a end}} return {}1{}",
            open.repeat(150),
            close.repeat(150)
        );
        let err = p.eval(&src).expect_err("rejected");
        assert_eq!(err.code(), "SOURCE_REJECTED", "{open}: {err}");
        // (A method call nests a helper call too, so that chain meets the nesting limit.)
        let text = err.to_string();
        assert!(
            text.contains("nested too deeply") || text.contains("nested deeper than"),
            "{err}"
        );
    }
    // Moderate nesting still runs.
    let ok = format!(
        "local function f(a, b) return b end return {}7{}",
        "f(1, ".repeat(60),
        ")".repeat(60)
    );
    assert_eq!(p.eval(&ok).unwrap().output, "7");
}
