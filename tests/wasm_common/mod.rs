//! Wasm tests shared by `wasm_node.rs` (Node) and `wasm_browser.rs` (headless Chromium):
//! the same golden files as the native tests, so all three platforms must agree.

use aolite::{Limits, Message, Process, ProcessOptions};
use wasm_bindgen_test::wasm_bindgen_test;

const DETERMINISM_LUA: &str = include_str!("../data/determinism.lua");
const DETERMINISM_OUT: &str = include_str!("../data/determinism.out");
const PORTABLE_LUA: &str = include_str!("../data/portable.lua");
const PORTABLE_OUT: &str = include_str!("../data/portable.out");
const PING_LUA: &str = include_str!("../../examples/ping.lua");
const PING_MESSAGES: &str = include_str!("../../examples/ping.messages.json");
const PING_OUTCOMES: &str = include_str!("../data/ping.outcomes.jsonl");

#[wasm_bindgen_test]
fn table_order_matches_the_native_golden_output() {
    let out = aolite::run_script(
        "tests/data/determinism.lua",
        DETERMINISM_LUA.as_bytes(),
        Limits::default(),
    )
    .expect("vm starts");
    assert_eq!(out.error, None);
    assert_eq!(out.stdout_text(), DETERMINISM_OUT);
}

#[wasm_bindgen_test]
fn portable_snippet_matches_lua53_output() {
    let out = aolite::run_script(
        "tests/data/portable.lua",
        PORTABLE_LUA.as_bytes(),
        Limits::default(),
    )
    .expect("vm starts");
    assert_eq!(out.error, None);
    assert_eq!(out.stdout_text(), PORTABLE_OUT);
}

#[wasm_bindgen_test]
fn ping_outcomes_match_the_native_golden_output() {
    let mut p = Process::new(ProcessOptions::default()).expect("spawn");
    p.eval(PING_LUA).expect("eval");
    let messages = aolite::ao::message::parse_message_list(PING_MESSAGES).expect("messages");
    let lines: Vec<String> = messages
        .iter()
        .map(|m| serde_json::to_string(&p.send_json(m).expect("send")).expect("json"))
        .collect();
    assert_eq!(lines.join("\n") + "\n", PING_OUTCOMES);
}

#[wasm_bindgen_test]
fn runaway_loop_stops_and_the_process_survives() {
    let mut options = ProcessOptions::default();
    options.limits.fuel = 1_000_000;
    let mut p = Process::new(options).expect("spawn");
    let err = p.eval("while true do end").expect_err("stops");
    assert_eq!(err.code(), "OUT_OF_FUEL");
    assert_eq!(p.eval("return 40 + 2").expect("usable").output, "42");
}

#[wasm_bindgen_test]
fn deepest_accepted_source_compiles_without_trapping() {
    let mut p = Process::new(ProcessOptions::default()).expect("spawn");
    // The longest operator chain we accept, and nesting just under the parser's limit:
    // each must compile on the wasm stack (a trap would poison the instance).
    let chain = format!("x = 1 return {}", vec!["x"; 1001].join(" + "));
    assert_eq!(p.eval(&chain).expect("chain").output, "1001");
    let ifs = format!(
        "{} Y = 1 {}",
        "if true then ".repeat(150),
        "end ".repeat(150)
    );
    p.eval(&ifs).expect("nested ifs");
    let tables = format!("return #{}1{}", "{".repeat(100), "}".repeat(100));
    assert_eq!(p.eval(&tables).expect("nested tables").output, "1");
    // Reads and method calls become nested helper calls: the longest accepted chains too.
    let fields = format!(
        "T = setmetatable({{}}, {{__index = function(t) return t end}}) return T{} == T",
        ".b".repeat(190)
    );
    assert_eq!(p.eval(&fields).expect("field chain").output, "true");
    let methods = format!(
        "M = {{}} function M:m() return self end return M{} == M",
        ":m()".repeat(190)
    );
    assert_eq!(p.eval(&methods).expect("method chain").output, "true");
    // Beyond the limits: clear errors, and the instance still works.
    let long = format!("return {}", vec!["x"; 5000].join(" + "));
    assert_eq!(
        p.eval(&long).expect_err("rejected").code(),
        "SOURCE_REJECTED"
    );
    let chain = format!("return T{}", ".b".repeat(5000));
    assert_eq!(
        p.eval(&chain).expect_err("rejected").code(),
        "SOURCE_REJECTED"
    );
    assert_eq!(p.eval("return Y").expect("usable").output, "1");
}

#[wasm_bindgen_test]
fn messages_round_trip_through_the_runtime() {
    let mut p = Process::new(ProcessOptions::default()).expect("spawn");
    p.eval(r#"Handlers.add("echo", "Echo", function(m) msg_seen = m.Data; m.reply({ Data = m.Data }) end)"#)
        .expect("eval");
    let out = p
        .send(
            Message::default()
                .with_tag("Action", "Echo")
                .with_data("hello"),
        )
        .expect("send");
    assert_eq!(out.messages[0].data_text(), Some("hello"));
}

const STATE_HASHES: &str = include_str!("../data/state_hashes.txt");

#[wasm_bindgen_test]
fn state_hashes_at_every_step_match_the_native_golden_file() {
    assert_eq!(
        aolite::state::history::hash_trail(&hash_trail_examples()),
        STATE_HASHES
    );
}

fn hash_trail_examples() -> Vec<(&'static str, &'static str, &'static str)> {
    vec![
        (
            "token",
            include_str!("../../examples/token.lua"),
            include_str!("../../examples/token.messages.json"),
        ),
        (
            "guide_event_sourcing",
            include_str!("../../examples/guide_event_sourcing.lua"),
            include_str!("../../examples/guide_event_sourcing.messages.json"),
        ),
        (
            "guide_indexing",
            include_str!("../../examples/guide_indexing.lua"),
            include_str!("../../examples/guide_indexing.messages.json"),
        ),
    ]
}

/// The native `network_hash_matches_the_golden_file` (tests/network.rs), in wasm: a network
/// of a token and an escrow gives the same document bytes on every platform.
#[wasm_bindgen_test]
fn network_hash_matches_the_native_golden_file() {
    use aolite::Network;
    let bob = "bob-wallet-000000000000000000000000000000000";
    let mut net = Network::default();
    let token = net.spawn(ProcessOptions::default()).expect("token");
    net.eval(&token, include_str!("../../examples/token.lua"))
        .expect("load");
    let escrow = net.spawn(ProcessOptions::default()).expect("escrow");
    net.eval(&escrow, include_str!("../../examples/escrow.lua"))
        .expect("load");
    net.eval(
        &escrow,
        &format!("Token = '{token}'; Beneficiary = '{bob}'"),
    )
    .expect("configure");
    net.message(
        &token,
        Message::default()
            .with_tag("Action", "Transfer")
            .with_tag("Recipient", escrow.clone())
            .with_tag("Quantity", "1000"),
    )
    .expect("transfer");
    let golden = include_str!("../data/network_escrow.hash").trim();
    assert_eq!(net.state_hash().expect("hash"), golden);
}

const ERROR_CORPUS: &str = include_str!("../data/errors/corpus.json");

/// The error corpus (Lua 5.3's texts, see `tests/error_corpus.rs`) in wasm: the diagnostic
/// re-run gives the same errors in Node and Chromium as natively.
#[wasm_bindgen_test]
fn runtime_errors_read_as_lua_5_3_in_wasm() {
    let cases: Vec<serde_json::Value> = serde_json::from_str(ERROR_CORPUS).expect("corpus parses");
    let mut differ = Vec::new();
    for case in &cases {
        let source = format!("{}\n", case["source"].as_str().unwrap_or_default());
        let out = aolite::run_script("t.lua", source.as_bytes(), aolite::Limits::default())
            .expect("the script runs");
        let got = out.error.map(|e| e.to_string()).unwrap_or_default();
        if got != case["error"].as_str().unwrap_or_default() {
            differ.push(format!("{}: {got}", case["name"]));
        }
    }
    assert!(differ.is_empty(), "{differ:?}");
}

/// A finite recursion deeper than Lua's stack: the depth watch (scheduled in fuel) stops it
/// on every platform, and the message fails with Lua's `stack overflow` as natively; one
/// within Lua's limit succeeds (`tests/stack_overflow.rs` has the native twin).
#[wasm_bindgen_test]
fn a_finite_recursion_deeper_than_luas_stack_fails_as_natively() {
    let source =
        "local function deep(n)\n  local a, b, c, d, e, f, g, h = n, n, n, n, n, n, n, n\n  \
                  if n == 0 then return 0 end\n  return deep(n - 1) + h\nend\n\
                  print(pcall(deep, 90000))\nprint(pcall(deep, 150000))\n";
    let out =
        aolite::run_script("deep.lua", source.as_bytes(), Limits::default()).expect("vm starts");
    assert_eq!(out.error, None);
    assert_eq!(
        out.stdout_text(),
        "true\t4050045000\nfalse\tdeep.lua:4: stack overflow\n"
    );
}
