//! aolite computes what real aos 2.0.6 computes, checked against the oracle's recordings of
//! the real aos wasm (`tests/oracle/expected/*.json`, made by `node tests/oracle/record.mjs`):
//! the outcome's shape (`outcome_shape`), messages as delivered (`message_input`) and the
//! spawn parameters, with the math.random seed they give (`spawn_params`).

use std::process::Command;

use aolite::report::strip_ansi;
use aolite::{Message, Outcome, Process, ProcessOptions, Tag};
use serde_json::{json, Value as Json};

// The oracle's defaults (tests/oracle/scenario.mjs), so ids derived from them match.
const PROCESS: &str = "PROCESS_ID_oracle_000000000000000000000000";
const OWNER: &str = "OWNER_ADDRESS_oracle_0000000000000000000000";
const MODULE: &str = "ISShJH1ij-hPPt9St5UFFr_8Ys3Kj5cyg7zrMGt7H9s";

fn root() -> &'static str {
    env!("CARGO_MANIFEST_DIR")
}

fn recorded_steps(scenario: &str) -> Vec<Json> {
    let path = format!("{}/tests/oracle/expected/{scenario}.json", root());
    let text = std::fs::read_to_string(&path).expect("recording");
    let doc: Json = serde_json::from_str(&text).expect("recording is JSON");
    doc["steps"].as_array().expect("steps").clone()
}

fn recorded_step(steps: &[Json], label: &str) -> Json {
    steps
        .iter()
        .find(|s| s["label"] == label)
        .unwrap_or_else(|| panic!("no step {label}"))
        .clone()
}

/// A process spawned as the oracle spawns it, with the scenario's source evaluated: what it
/// printed equals aos's, line by line. The process and the scenario's recorded steps.
fn loaded_as_on_aos(scenario: &str) -> (Process, Vec<Json>) {
    let steps = recorded_steps(scenario);
    let mut p = Process::new(oracle_options()).expect("spawn");
    let path = format!("{}/tests/oracle/scenarios/{scenario}.lua", root());
    let source = std::fs::read_to_string(path).expect("source");
    let load = p.eval(&source).expect("load");
    let want = recorded_step(&steps, "load")["output"]["data"]
        .as_str()
        .expect("data")
        .to_owned();
    for (got, want) in load.output.lines().zip(want.lines()) {
        assert_eq!(got, want);
    }
    assert_eq!(load.output.lines().count(), want.lines().count());
    (p, steps)
}

fn oracle_options() -> ProcessOptions {
    ProcessOptions {
        id: Some(PROCESS.into()),
        owner: Some(OWNER.into()),
        module: Some(MODULE.into()),
        ..ProcessOptions::default()
    }
}

/// Numbers as JS holds them (f64), so `9007199254741000` and `9007199254741000.0` are one.
fn js_numbers(v: &Json) -> Json {
    match v {
        Json::Number(n) => json!(n.as_f64()),
        Json::Array(items) => Json::Array(items.iter().map(js_numbers).collect()),
        Json::Object(map) => Json::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), js_numbers(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// An outgoing message in the oracle's comparable form (normalize.mjs N3, N4, N7): the
/// fields present, tags as `[name, value]` (or `[name]` without a value) with the fixed head
/// in order and the rest sorted, JSON object/array Data parsed.
fn comparable(m: &Json, head: usize) -> Json {
    let mut out = serde_json::Map::new();
    for key in ["Target", "Anchor"] {
        if let Some(v) = m.get(key) {
            out.insert(key.into(), v.clone());
        }
    }
    if let Some(d) = m.get("Data") {
        let parsed = d
            .as_str()
            .filter(|s| s.starts_with('{') || s.starts_with('['))
            .and_then(|s| serde_json::from_str::<Json>(s).ok());
        out.insert(
            "Data".into(),
            parsed.map_or_else(|| d.clone(), |j| json!({ "json": j })),
        );
    }
    let tags: Vec<Json> = m["Tags"]
        .as_array()
        .expect("tags")
        .iter()
        .map(|t| match t.get("value") {
            Some(v) => json!([t["name"], v]),
            None => json!([t["name"]]),
        })
        .collect();
    let (fixed, rest) = tags.split_at(head.min(tags.len()));
    let mut rest = rest.to_vec();
    rest.sort_by_key(|t| t.to_string());
    out.insert(
        "Tags".into(),
        Json::Array(fixed.iter().cloned().chain(rest).collect()),
    );
    Json::Object(out)
}

fn comparable_outcome(o: &Outcome) -> Json {
    let v = serde_json::to_value(o).expect("outcome JSON");
    let list = |key: &str, head: usize| -> Json {
        Json::Array(
            v[key]
                .as_array()
                .expect("list")
                .iter()
                .map(|m| comparable(m, head))
                .collect(),
        )
    };
    json!({
        "output": strip_ansi(o.output_text()),
        "messages": list("Messages", 4),
        "spawns": list("Spawns", 7),
    })
}

#[test]
fn outcomes_have_the_shape_aos_emits() {
    let steps = recorded_steps("outcome_shape");
    let mut p = Process::new(oracle_options()).expect("spawn");
    let source = std::fs::read_to_string(format!(
        "{}/tests/oracle/scenarios/outcome_shape.lua",
        root()
    ))
    .expect("source");
    p.eval(&source).expect("load");
    let actions = [
        "NoData",
        "ScalarData",
        "Patch",
        "ScalarTags",
        "OddTags",
        "SpawnTags",
        "Sparse",
        "NaN",
        "After",
    ];
    for (i, action) in actions.iter().enumerate() {
        let label = format!("m{}", i + 1);
        let expected = recorded_step(&steps, &label);
        let out = p
            .send(Message::default().with_tag("Action", *action))
            .expect("send");
        if expected["error"]["thrown"] == json!(true) {
            // aos's loader cannot encode the result, so handle() fails (and the CU keeps the
            // previous state; the After step checks the reference counter did not move).
            let e = out.error.as_deref().unwrap_or_default();
            assert!(e.contains("cannot be encoded as JSON"), "{label}: {e}");
            continue;
        }
        assert_eq!(out.error, None, "{label}");
        let expected = json!({
            "output": expected["output"]["data"],
            "messages": expected["messages"],
            "spawns": expected["spawns"],
        });
        assert_eq!(
            js_numbers(&comparable_outcome(&out)),
            js_numbers(&expected),
            "{label} ({action})"
        );
    }
}

/// Bytes that are not UTF-8 in printed output, Data and tags reach the outcome as U+FFFD,
/// one per invalid sequence, as aos's loader decodes its result text (it failed the
/// message before).
#[test]
fn bytes_that_are_not_utf8_arrive_as_replacement_characters() {
    let steps = recorded_steps("invalid_utf8");
    let mut p = Process::new(oracle_options()).expect("spawn");
    let source = std::fs::read_to_string(format!(
        "{}/tests/oracle/scenarios/invalid_utf8.lua",
        root()
    ))
    .expect("source");
    let load = p.eval(&source).expect("load");
    assert_eq!(
        load.output,
        recorded_step(&steps, "load")["output"]["data"]
            .as_str()
            .expect("data")
    );
    for (i, action) in ["Binary", "Raw"].iter().enumerate() {
        let label = format!("m{}", i + 1);
        let expected = recorded_step(&steps, &label);
        let out = p
            .send(Message::default().with_tag("Action", *action))
            .expect("send");
        assert_eq!(out.error, None, "{label}");
        let expected = json!({
            "output": expected["output"]["data"],
            "messages": expected["messages"],
            "spawns": expected["spawns"],
        });
        assert_eq!(comparable_outcome(&out), expected, "{label} ({action})");
    }
}

#[test]
fn the_outcome_json_leaves_out_what_aos_leaves_out() {
    let mut p = Process::new(ProcessOptions::default()).expect("spawn");
    p.eval(
        r#"Handlers.add("go", "Go", function(msg)
             ao.send({ Target = "T" })
             Send({ orderbook = { bids = { 1, 2 } }, Fn = function() end })
           end)"#,
    )
    .expect("eval");
    let out = p
        .send(Message::default().with_tag("Action", "Go"))
        .expect("send");
    let v = serde_json::to_value(&out).expect("JSON");
    let first = v["Messages"][0].as_object().expect("message");
    assert!(!first.contains_key("Data"), "no Data key: {first:?}");
    assert_eq!(out.messages[0].data, None);
    let second = v["Messages"][1].as_object().expect("message");
    assert!(!second.contains_key("Target"), "no Target key: {second:?}");
    let tags = second["Tags"].as_array().expect("tags");
    assert!(tags.contains(&json!({ "name": "orderbook", "value": { "bids": [1, 2] } })));
    assert!(tags.contains(&json!({ "name": "Fn" })));
}

/// An Eval whose chunk returns a second value fails with that value as `Error`, as aos's
/// loader hands it over (a number, boolean or table stays one: the oracle's `eval_owner`
/// m17..m20); the Rust error text is its JSON, and the outcome reads back the same.
#[test]
fn an_eval_error_value_stays_a_value() {
    let steps = recorded_steps("eval_owner");
    let mut p = Process::new(oracle_options()).expect("spawn");
    let cases = [
        ("m17", "10 // 3, 7 / 2", "3.5"),
        (
            "m18",
            "return 1, {a = 1, b = {2, 3}}",
            r#"{"a":1,"b":[2,3]}"#,
        ),
        ("m19", "return 1, true", "true"),
        ("m20", "return nil, 42", "42"),
    ];
    for (label, source, text) in cases {
        let out = p
            .send(
                Message::default()
                    .with_tag("Action", "Eval")
                    .with_data(source),
            )
            .expect("send");
        let recorded = &recorded_step(&steps, label)["error"]["value"];
        assert_eq!(out.error_value.as_ref(), Some(recorded), "{label}");
        assert_eq!(out.error.as_deref(), Some(text), "{label}");
        let v = serde_json::to_value(&out).expect("JSON");
        assert_eq!(&v["Error"], recorded, "{label}");
        let back: Outcome = serde_json::from_value(v).expect("reads back");
        assert_eq!(back, out, "{label}");
    }
    let text = p
        .send(
            Message::default()
                .with_tag("Action", "Eval")
                .with_data("return 1, 'plain'"),
        )
        .expect("send");
    assert_eq!(text.error.as_deref(), Some("plain"));
    assert_eq!(text.error_value, None);
}

/// `Data` given as JSON is delivered as its text, with no Content-Type the sender did not
/// set; `Cron` is false unless set; Signature, Anchor, Epoch, Hash-Chain and Forwarded-By
/// pass through. Each printed report must equal what real aos printed for the same message.
#[test]
fn messages_arrive_as_the_network_delivers_them() {
    let steps = recorded_steps("message_input");
    let mut p = Process::new(oracle_options()).expect("spawn");
    let scenario: Json = serde_json::from_str(
        &std::fs::read_to_string(format!(
            "{}/tests/oracle/scenarios/message_input.json",
            root()
        ))
        .expect("scenario"),
    )
    .expect("JSON");
    p.eval(scenario["source"].as_str().expect("source"))
        .expect("load");
    let show = json!({ "Action": "Show" });
    let cases = [
        ("object", json!({ "Tags": show, "Data": { "a": 1 } })),
        ("array", json!({ "Tags": show, "Data": [7, 8] })),
        (
            "declared",
            json!({ "Tags": { "Action": "Show", "Content-Type": "application/json" }, "Data": { "a": 2 } }),
        ),
        (
            "fields",
            json!({ "Tags": show, "Data": "x", "Signature": "SIG_oracle",
                    "Anchor": "00000000000000000000000000000042", "Epoch": 3,
                    "Hash-Chain": "HASH_CHAIN_oracle", "Forwarded-By": "MU_oracle" }),
        ),
    ];
    for (label, msg) in cases {
        let out = p.send_json(&msg).expect("send");
        assert_eq!(out.error, None, "{label}");
        let expected = recorded_step(&steps, label);
        assert_eq!(
            json!(strip_ansi(out.output_text())),
            expected["output"]["data"],
            "{label}"
        );
    }
    // The message as parsed: Data is the JSON text, the tags are the sender's.
    let m = Message::from_json(&json!({ "Data": { "a": 1 }, "Module": "M" })).expect("message");
    assert_eq!(m.data.as_deref(), Some(r#"{"a":1}"#));
    assert!(m.tags.is_empty());
    assert_eq!(m.extra, vec![("Module".to_owned(), json!("M"))]);
}

fn draw_source() -> String {
    let scenario: Json = serde_json::from_str(
        &std::fs::read_to_string(format!(
            "{}/tests/oracle/scenarios/spawn_params.json",
            root()
        ))
        .expect("scenario"),
    )
    .expect("JSON");
    scenario["source"].as_str().expect("source").to_owned()
}

fn spawn_params(block_height: i64) -> ProcessOptions {
    ProcessOptions {
        block_height: Some(block_height),
        timestamp: Some(1_720_000_000_000),
        tags: vec![
            Tag::new("Name", "orderbook"),
            Tag::new("Cron-Interval", "1-minute"),
        ],
        ..oracle_options()
    }
}

fn draws(p: &mut Process) -> Vec<String> {
    (0..2)
        .map(|_| {
            let out = p
                .send(Message::default().with_tag("Action", "Draw"))
                .expect("send");
            strip_ansi(out.output_text())
        })
        .collect()
}

/// The spawn's block height (with owner, module and id) seeds math.random as in aos.
#[test]
fn spawn_parameters_seed_random_as_aos_does() {
    let steps = recorded_steps("spawn_params");
    let expected: Vec<Json> = ["m1", "m2"]
        .iter()
        .map(|l| recorded_step(&steps, l)["output"]["data"].clone())
        .collect();
    let mut p = Process::new(spawn_params(1_234_567)).expect("spawn");
    let load = p.eval(&draw_source()).expect("load");
    assert_eq!(load.output, "Name orderbook");
    let got = draws(&mut p);
    assert_eq!(
        got.iter().map(|s| json!(s)).collect::<Vec<_>>(),
        expected,
        "draws at height 1234567"
    );
    // Another height, other draws.
    let mut q = Process::new(spawn_params(1_234_568)).expect("spawn");
    q.eval(&draw_source()).expect("load");
    assert_ne!(draws(&mut q), got);
}

fn cli(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_aolite"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("aolite runs")
}

#[test]
fn the_cli_sets_every_spawn_parameter() {
    let dir = std::env::temp_dir().join(format!("aolite-fidelity-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let source = dir.join("draw.lua");
    std::fs::write(&source, draw_source()).expect("write");
    let messages = dir.join("draw.json");
    std::fs::write(
        &messages,
        r#"[{"Tags":{"Action":"Draw"}},{"Tags":{"Action":"Draw"}},
            {"Tags":{"Action":"Eval"},"Data":"local t = {} for _, tag in ipairs(ao.env.Module.Tags) do t[#t + 1] = tag.name .. '=' .. tag.value end return os.time() .. ' ' .. table.concat(t, ',')"}]"#,
    )
    .expect("write");
    let out = cli(&[
        "run",
        source.to_str().expect("path"),
        "--messages",
        messages.to_str().expect("path"),
        "--id",
        PROCESS,
        "--owner",
        OWNER,
        "--module",
        MODULE,
        "--block-height",
        "1234567",
        "--timestamp",
        "1720000000000",
        "--tag",
        "Name=orderbook",
        "--tag",
        "Cron-Interval=1-minute",
        "--module-tag",
        "Memory-Limit=1-gb",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let steps = recorded_steps("spawn_params");
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    let lines: Vec<Json> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("outcome"))
        .collect();
    assert_eq!(lines.len(), 3);
    // The clock starts at --timestamp and moves 1 ms per message (the source's Eval and
    // three messages); --module-tag is in ao.env.Module.Tags.
    assert_eq!(
        lines[2]["Output"]["data"],
        "1720000000004 Memory-Limit=1-gb"
    );
    for (line, label) in lines.iter().zip(["m1", "m2"]) {
        assert_eq!(
            json!(strip_ansi(line["Output"]["data"].as_str().expect("data"))),
            recorded_step(&steps, label)["output"]["data"],
            "{label}"
        );
    }
    // --data is the Process message's Data (On-Boot=Data evaluates it).
    let read = dir.join("read.json");
    std::fs::write(&read, r#"[{"Tags":{"Action":"Eval"},"Data":"Booted"}]"#).expect("write");
    let boot = cli(&[
        "run",
        "--messages",
        read.to_str().expect("path"),
        "--tag",
        "On-Boot=Data",
        "--data",
        "Booted = 'yes'",
        source.to_str().expect("path"),
    ]);
    assert!(
        boot.status.success(),
        "{}",
        String::from_utf8_lossy(&boot.stderr)
    );
    let line: Json = serde_json::from_slice(&boot.stdout).expect("outcome");
    assert_eq!(line["Output"]["data"], "yes");
    let _ = std::fs::remove_dir_all(&dir);
    for (args, message) in [
        (&["--tag", "Name"][..], "--tag takes NAME=VALUE"),
        (&["--tag", "=x"][..], "--tag takes NAME=VALUE"),
        (&["--module-tag", "x"][..], "--module-tag takes NAME=VALUE"),
        (
            &["--block-height", "-1"][..],
            "--block-height takes a whole number",
        ),
        (
            &["--timestamp", "9007199254740992"][..],
            "--timestamp takes a whole number",
        ),
    ] {
        let mut all = vec!["run", "x.lua", "--messages", "m.json"];
        all.extend_from_slice(args);
        let out = cli(&all);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            format!("aolite: {message}\n")
        );
    }
}

/// The parts of `io` aos has: the standard files, writing (nowhere a result shows), the
/// default output a program chooses, failing opens; what each printed equals aos's.
#[test]
fn io_is_aos() {
    let (mut p, steps) = loaded_as_on_aos("io_library");
    let out = p
        .send(Message::default().with_tag("Action", "Log"))
        .expect("send");
    let expected = recorded_step(&steps, "m1");
    assert_eq!(
        comparable_outcome(&out),
        json!({
            "output": expected["output"]["data"],
            "messages": expected["messages"],
            "spawns": expected["spawns"],
        })
    );
}

/// `os.setlocale`, `loadfile` and `dofile` as aos's C library has them: locale names kept
/// per category (process state: a failed message's change is undone), files that never open;
/// every line printed and every message's result equals aos's.
#[test]
fn locale_and_files_are_aos() {
    let (mut p, steps) = loaded_as_on_aos("locale_and_files");
    let locale = |tags: &[(&str, &str)]| {
        tags.iter().fold(
            Message::default().with_tag("Action", "Locale"),
            |m, &(k, v)| m.with_tag(k, v),
        )
    };
    let eval = |code: &str| {
        Message::default()
            .with_tag("Action", "Eval")
            .with_data(code)
    };
    let sent = [
        (
            "m1",
            locale(&[("Locale", "fr_FR"), ("Category", "numeric")]),
        ),
        ("m2", eval("return os.setlocale()")),
        (
            "failed-set",
            locale(&[("Locale", "es_ES"), ("Fail", "yes")]),
        ),
        ("m4", eval("return os.setlocale()")),
        ("m5", locale(&[("Category", "numeric")])),
        ("m6", eval("os.setlocale('C') return os.setlocale()")),
    ];
    for (label, message) in sent {
        let out = p.send(message).expect("send");
        let expected = recorded_step(&steps, label);
        match expected["output"]["data"].as_str() {
            Some(data) => {
                let got = match &out.output {
                    Json::Object(fields) => fields["data"].clone(),
                    other => other.clone(),
                };
                assert_eq!(got, json!(data), "{label}");
            }
            None => assert!(out.error.is_some(), "{label}"),
        }
    }
}

/// The locale names are process state: exported and imported with the rest.
#[test]
fn locale_names_are_state() {
    let mut p = Process::new(ProcessOptions::default()).expect("spawn");
    p.eval("os.setlocale('pt_BR', 'numeric')").expect("eval");
    let doc = p.export_state().expect("export");
    let mut q = Process::import_state(&doc).expect("import");
    assert_eq!(p.state_hash().expect("hash"), q.state_hash().expect("hash"));
    let query = "return os.setlocale()";
    assert_eq!(q.eval(query).expect("eval").output, "C;pt_BR;C;C;C;C");
    assert_eq!(p.eval(query).expect("eval").output, "C;pt_BR;C;C;C;C");
}

/// The standard files are built-in objects: a program may keep them in its state, which
/// exports and imports, and its choice of default output is state too (rolled back with a
/// failed message, kept by export).
#[test]
fn io_files_and_defaults_are_state() {
    let mut p = Process::new(ProcessOptions::default()).expect("spawn");
    p.eval("Log = io.stderr; Handlers.add('out', 'Out', function() io.output(io.stderr); error('undone') end)")
        .expect("eval");
    let failed = p
        .send(Message::default().with_tag("Action", "Out"))
        .expect("send");
    assert!(failed.error.is_some());
    let check = "return tostring(io.output() == io.stdout) .. ' ' .. io.type(Log) .. ' ' .. tostring(Log == io.stderr)";
    assert_eq!(p.eval(check).expect("eval").output, "true file true");
    p.eval("io.output(Log)").expect("eval");
    let doc = p.export_state().expect("export");
    let mut q = Process::import_state(&doc).expect("import");
    assert_eq!(p.state_hash().expect("hash"), q.state_hash().expect("hash"));
    assert_eq!(q.eval(check).expect("eval").output, "false file true");
}

/// Sends every message of `scenario` to a process loaded as on aos and compares each reply's
/// Data with aos's, and each error with aos's text after its last position.
fn replies_as_on_aos(scenario: &str) {
    let (mut p, steps) = loaded_as_on_aos(scenario);
    let path = format!("{}/tests/oracle/scenarios/{scenario}.json", root());
    let plan: Json = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    for (i, m) in plan["messages"].as_array().unwrap().iter().enumerate() {
        let label = m["Label"]
            .as_str()
            .map_or_else(|| format!("m{}", i + 1), str::to_owned);
        let mut message = Message::default().with_tag("Action", m["Action"].as_str().unwrap());
        for (k, v) in m["Tags"].as_object().into_iter().flatten() {
            message = message.with_tag(k, v.as_str().unwrap());
        }
        if let Some(data) = m["Data"].as_str() {
            message = message.with_data(data);
        }
        let out = p.send(message).expect("send");
        let expected = recorded_step(&steps, &label);
        if let Some(want) = expected["error"]["message"].as_str() {
            let text = want.rsplit(": ").next().unwrap_or(want);
            let got = out.error.as_deref().unwrap_or_default();
            assert!(
                got.ends_with(text),
                "{label}: {got:?} does not end with {text:?}"
            );
            continue;
        }
        if expected.get("error").is_some() {
            assert!(out.error.is_some(), "{label}");
            continue;
        }
        let replies: Vec<Json> = out.messages.iter().map(|m| json!(m.data)).collect();
        let want: Vec<Json> = expected["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["Data"].clone())
            .collect();
        assert_eq!(replies, want, "{label}");
        if let Some(data) = expected["output"]["data"].as_str() {
            if !data.is_empty() {
                assert_eq!(out.output["data"], json!(data), "{label}");
            }
        }
    }
}

/// Weak tables as processes use them (weak-keyed private data, a weak-valued parse cache, a
/// memo table), counted right after `collectgarbage()` in later messages than the ones that
/// let go of the objects, and a message that fails after collecting: every reply as on aos.
#[test]
fn weak_tables_are_cleared_as_on_aos() {
    replies_as_on_aos("weak_tables");
}

/// Library functions called through locals and tables of other names
/// (`local fmt = string.format`), also in tail position: argument errors name the function
/// as the call does and keep the caller's line, caught and uncaught, as on aos.
#[test]
fn aliased_library_functions_are_named_as_on_aos() {
    replies_as_on_aos("aliased_library_errors");
}
