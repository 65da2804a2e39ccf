//! State export/import: byte-identical round trips, split runs equal to unsplit ones, and
//! broken documents rejected with their own errors.

use aolite::ao::process::{Process, ProcessOptions};
use aolite::error::Error;
use serde_json::{json, Value as Json};

fn spawn() -> Process {
    Process::new(ProcessOptions::default()).unwrap()
}

fn round_trip(p: &mut Process) -> Process {
    let doc = p.export_state().unwrap();
    let mut q = Process::import_state(&doc).unwrap();
    let again = q.export_state().unwrap();
    assert_eq!(
        doc, again,
        "export -> import -> export changed the document"
    );
    q
}

#[test]
fn round_trip_keeps_every_kind_of_value() {
    let mut p = spawn();
    p.eval(
        r#"
        X = {1, 2.5, [3.5] = 'f', [2^53] = 'big', s = '\255\0bin', [true] = false, nan = 0/0, inf = 1/0}
        X.self = X
        X[X] = 'table key'
        Mt = setmetatable({}, {__index = function(t, k) return k .. '!' end, __tostring = function() return 'MT' end})
        local shared = 0
        Counter = {inc = function() shared = shared + 1; return shared end, get = function() return shared end}
        Co = coroutine.create(function() return 1 end); coroutine.resume(Co)
        Handlers.add('count', 'Count', function(msg) Counter.inc(); print('n=' .. Counter.get()) end)
        print(tostring(X), tostring(Counter))
        "#,
    )
    .unwrap();
    let mut q = round_trip(&mut p);
    let probe = "print(tostring(X), X.self == X, X[X], X[3.5], X[2^53], #X.s, X.nan ~= X.nan, \
                 Mt.zz, tostring(Mt), Counter.inc(), Counter.get(), coroutine.status(Co), \
                 math.random(1000), {}, os.clock(), math.type(X[2]))";
    assert_eq!(p.eval(probe).unwrap(), q.eval(probe).unwrap());
    let msg = json!({"Tags": {"Action": "Count"}});
    assert_eq!(p.send_json(&msg).unwrap(), q.send_json(&msg).unwrap());
    assert_eq!(p.state_hash().unwrap(), q.state_hash().unwrap());
    round_trip(&mut q);
}

#[test]
fn unexportable_values_name_their_path() {
    let mut p = spawn();
    p.eval("Iter = string.gmatch('a b', '%a')").unwrap();
    let err = p.export_state().unwrap_err().to_string();
    assert!(err.contains("Iter"), "{err}");
    p.eval("Iter = nil; local g = string.gmatch('a', 'a'); Keep = {f = function() return g end}")
        .unwrap();
    let err = p.export_state().unwrap_err().to_string();
    assert!(err.contains("Keep.f upvalue"), "{err}");
}

/// A scenario as the oracle writes it: Lua source evaluated first, then simple messages.
fn scenario(name: &str) -> (Json, Vec<Json>) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oracle/scenarios/");
    let spec: Json =
        serde_json::from_str(&std::fs::read_to_string(format!("{dir}{name}.json")).unwrap())
            .unwrap();
    let mut msgs = Vec::new();
    if let Some(src) = spec["source"].as_str() {
        let code = if src.ends_with(".lua") && !src.contains('\n') {
            std::fs::read_to_string(format!("{dir}{src}")).unwrap()
        } else {
            src.to_owned()
        };
        msgs.push(json!({"Tags": [{"name": "Action", "value": "Eval"}], "Data": code}));
    }
    for m in spec["messages"].as_array().cloned().unwrap_or_default() {
        let mut out = serde_json::Map::new();
        let mut tags = Vec::new();
        if let Some(a) = m.get("Action") {
            tags.push(json!({"name": "Action", "value": a}));
        }
        match m.get("Tags") {
            Some(Json::Object(t)) => {
                for (k, v) in t {
                    tags.push(json!({"name": k, "value": v}));
                }
            }
            Some(Json::Array(t)) => tags.extend(t.iter().cloned()),
            _ => {}
        }
        out.insert("Tags".into(), Json::Array(tags));
        for (k, v) in m.as_object().unwrap() {
            if !matches!(k.as_str(), "Action" | "Tags" | "Label") {
                out.insert(k.clone(), v.clone());
            }
        }
        msgs.push(Json::Object(out));
    }
    (spec["process"].clone(), msgs)
}

fn run(
    options: &Json,
    msgs: &[Json],
    split: Option<usize>,
) -> Result<(Vec<String>, String), Error> {
    let mut p = Process::new(ProcessOptions::from_json(options).unwrap())?;
    let mut outcomes = Vec::new();
    for (i, m) in msgs.iter().enumerate() {
        if split == Some(i) {
            p = Process::import_state(&p.export_state()?).unwrap();
        }
        let o = p.send_json(m);
        outcomes.push(serde_json::to_string(&o.map_err(|e| e.to_string())).unwrap());
    }
    if split == Some(msgs.len()) {
        p = Process::import_state(&p.export_state()?).unwrap();
    }
    Ok((outcomes, p.state_hash()?))
}

/// Every oracle scenario, split at every message, ends with the same outcomes and the
/// same final hash. Reference-typed keys (aos's resolver tables) are the hard part: their
/// `pairs` order comes from identities, which must not depend on how a heap reuses memory.
#[test]
fn split_runs_equal_unsplit_runs_for_oracle_scenarios() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oracle/scenarios/");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            let n = e.unwrap().file_name().into_string().unwrap();
            n.strip_suffix(".json").map(str::to_owned)
        })
        .collect();
    names.sort();
    let (mut checked, mut refused) = (0, Vec::new());
    for name in names {
        let (options, msgs) = scenario(&name);
        let unsplit = match run(&options, &msgs, None) {
            Ok(r) => r,
            Err(e) => {
                refused.push(format!("{name}: {e}"));
                continue;
            }
        };
        let n = msgs.len();
        // Split at every message.
        for k in 0..=n {
            match run(&options, &msgs, Some(k)) {
                Ok(split) => {
                    assert_eq!(unsplit, split, "scenario {name} split at message {k}");
                    checked += 1;
                }
                // Only a suspended coroutine may refuse export, naming where it is.
                Err(e) => {
                    let text = e.to_string();
                    assert!(
                        text.contains("coroutine that has not finished"),
                        "{name}@{k}: {text}"
                    );
                    refused.push(format!("{name}@{k}: {text}"));
                }
            }
        }
    }
    eprintln!("split points checked: {checked}; refused: {refused:#?}");
    assert!(checked > 50, "only {checked} split points checked");
}

#[test]
fn split_runs_equal_unsplit_runs_for_the_ping_example() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/");
    let code = std::fs::read_to_string(format!("{dir}ping.lua")).unwrap();
    let mut msgs = vec![json!({"Tags": [{"name": "Action", "value": "Eval"}], "Data": code})];
    let more: Vec<Json> =
        serde_json::from_str(&std::fs::read_to_string(format!("{dir}ping.messages.json")).unwrap())
            .unwrap();
    for _ in 0..3 {
        msgs.extend(more.iter().cloned());
    }
    let unsplit = run(&Json::Null, &msgs, None).unwrap();
    for k in 0..=msgs.len() {
        assert_eq!(
            unsplit,
            run(&Json::Null, &msgs, Some(k)).unwrap(),
            "split at {k}"
        );
    }
}

fn bad_state(doc: &str) -> String {
    match Process::import_state(doc) {
        Err(e @ Error::BadState(_)) => e.to_string(),
        Err(other) => panic!("expected BAD_STATE, got {other:?}"),
        Ok(_) => panic!("a broken document was accepted"),
    }
}

#[test]
fn broken_documents_are_rejected_each_with_its_own_error() {
    let mut p = spawn();
    p.eval("T = {1, 2, x = {y = 'z'}}; F = function() return T end")
        .unwrap();
    let good: Json = serde_json::from_str(&p.export_state().unwrap()).unwrap();
    let n = good["objects"].as_array().unwrap().len();
    let t_index = good["objects"]
        .as_array()
        .unwrap()
        .iter()
        .position(|o| o.get("builtin").is_none() && o["type"] == "table")
        .unwrap();
    let closure = good["objects"]
        .as_array()
        .unwrap()
        .iter()
        .position(|o| o["type"] == "closure")
        .unwrap();
    type Edit = Box<dyn Fn(&mut Json)>;
    let cases: Vec<(&str, Edit)> = vec![
        (
            "unsupported format",
            Box::new(|d| d["format"] = json!("aolite-state/2")),
        ),
        (
            "missing 'format'",
            Box::new(|d| {
                d.as_object_mut().unwrap().remove("format");
            }),
        ),
        ("unknown field 'extra'", Box::new(|d| d["extra"] = json!(1))),
        (
            "lacks the field 'process'",
            Box::new(|d| {
                d.as_object_mut().unwrap().remove("process");
            }),
        ),
        (
            "process.clock must be an integer",
            Box::new(|d| d["process"]["clock"] = json!("soon")),
        ),
        (
            "process.nonce must be an integer within 64 bits",
            Box::new(|d| d["process"]["nonce"] = json!(1e300)),
        ),
        (
            "limits.fuel must not be negative",
            Box::new(|d| d["limits"]["fuel"] = json!(-1)),
        ),
        (
            "host.rng must hold 4 words",
            Box::new(|d| d["host"]["rng"] = json!([])),
        ),
        (
            "host.rng words must be 16 hex digits",
            Box::new(|d| d["host"]["rng"][0] = json!("xyz")),
        ),
        (
            "process.tags[0] must be a [name, value] pair",
            Box::new(|d| d["process"]["tags"][0] = json!(["a"])),
        ),
        (
            "'objects' must be an array",
            Box::new(|d| d["objects"] = json!({})),
        ),
        (
            "reference 99999 is out of range",
            Box::new(|d| d["roots"]["_G"] = json!({"ref": 99999})),
        ),
        (
            "roots._G must refer to the built-in table",
            Box::new(move |d| d["roots"]["_G"] = json!({"ref": t_index})),
        ),
        (
            "roots.handle must refer to a function",
            Box::new(move |d| d["roots"]["handle"] = json!({"ref": t_index})),
        ),
        (
            "has an unknown type 'widget'",
            Box::new(move |d| d["objects"][t_index]["type"] = json!("widget")),
        ),
        (
            "a key cannot be nil",
            Box::new(move |d| d["objects"][t_index]["entries"][0][0] = Json::Null),
        ),
        (
            "a value cannot be nil",
            Box::new(move |d| d["objects"][t_index]["entries"][0][1] = Json::Null),
        ),
        (
            "a key cannot be NaN",
            Box::new(move |d| d["objects"][t_index]["entries"][0][0] = json!({"float": "nan"})),
        ),
        (
            "must be written as an integer",
            Box::new(move |d| d["objects"][t_index]["entries"][0][0] = json!({"float": 1.0})),
        ),
        (
            "duplicate key",
            Box::new(move |d| {
                let e = d["objects"][t_index]["entries"][0].clone();
                d["objects"][t_index]["entries"]
                    .as_array_mut()
                    .unwrap()
                    .push(e);
            }),
        ),
        (
            "'bytes' is not valid base64",
            Box::new(move |d| d["objects"][t_index]["entries"][0][1] = json!({"bytes": "!!"})),
        ),
        (
            "unknown value tag 'date'",
            Box::new(move |d| d["objects"][t_index]["entries"][0][1] = json!({"date": 1})),
        ),
        (
            "a float is a number",
            Box::new(move |d| d["objects"][t_index]["entries"][0][1] = json!({"float": true})),
        ),
        (
            "meta must refer to a table",
            Box::new(move |d| d["objects"][t_index]["meta"] = json!({"ref": closure})),
        ),
        (
            "there is no built-in table 'nope'",
            Box::new(move |d| d["objects"][t_index]["builtin"] = json!("nope")),
        ),
        (
            "appears twice",
            Box::new(move |d| d["objects"][t_index]["builtin"] = json!("_G")),
        ),
        (
            "chunk 999 is out of range",
            Box::new(move |d| d["objects"][closure]["chunk"] = json!(999)),
        ),
        (
            "has no function at path",
            Box::new(move |d| d["objects"][closure]["path"] = json!([9999])),
        ),
        (
            "the function takes",
            Box::new(move |d| {
                d["objects"][closure]["upvalues"]
                    .as_array_mut()
                    .unwrap()
                    .pop()
                    .map(|_| ())
                    .unwrap_or(())
            }),
        ),
        (
            "upvalues must refer to upvalue objects",
            Box::new(move |d| d["objects"][closure]["upvalues"][0] = json!({"ref": t_index})),
        ),
        (
            "does not compile",
            Box::new(|d| d["chunks"][0]["source"] = json!("return +")),
        ),
        (
            "identity 7777 is outside",
            Box::new(move |d| d["objects"][t_index]["id"] = json!(7777)),
        ),
        (
            "only finished coroutines",
            Box::new(move |d| {
                d["objects"][t_index] = json!({"type": "thread", "status": "suspended"})
            }),
        ),
        (
            "there is no built-in function 'evil'",
            Box::new(|d| {
                let i = d["objects"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .position(|o| o["type"] == "builtin")
                    .unwrap();
                d["objects"][i]["name"] = json!("evil");
            }),
        ),
    ];
    let mut seen = std::collections::HashSet::new();
    for (want, edit) in cases {
        let mut d = good.clone();
        edit(&mut d);
        let err = bad_state(&d.to_string());
        assert!(err.contains(want), "expected {want:?} in {err:?}");
        assert!(
            seen.insert(err.clone()),
            "two cases gave the same error {err}"
        );
    }
    // Not JSON, truncated, deeply nested.
    let text = good.to_string();
    assert!(bad_state("").contains("not valid JSON"));
    assert!(bad_state(&text[..text.len() / 2]).contains("not valid JSON"));
    assert!(bad_state(&("[".repeat(100_000) + &"]".repeat(100_000))).contains("not valid JSON"));
    assert!(bad_state("[]").contains("must be an object"));
    assert!(n > 10);
}

/// Code that nothing refers to any more is forgotten: a long session of Evals does not keep
/// every chunk it ran (the registry holds prototypes weakly).
#[test]
fn a_long_eval_session_does_not_keep_every_chunk() {
    let mut p = Process::new(ProcessOptions {
        no_log: true,
        ..Default::default()
    })
    .unwrap();
    let heap_at = |p: &mut Process, from: usize, to: usize| {
        for i in from..to {
            p.eval(&format!("X = {i} -- {}", "padding ".repeat(20)))
                .unwrap();
        }
        p.stats().heap_bytes
    };
    let early = heap_at(&mut p, 0, 1_000);
    let late = heap_at(&mut p, 1_000, 4_000);
    assert!(
        late < early + early / 2,
        "heap grew from {early} to {late} bytes"
    );
    // Closures still in use keep their chunk: the state still exports and imports.
    p.eval("function Kept() return 'still here' end").unwrap();
    let mut q = Process::import_state(&p.export_state().unwrap()).unwrap();
    assert_eq!(q.eval("return Kept()").unwrap().output, "still here");
}

/// Walking a table costs the same fuel whatever layout piccolo keeps it in: tables built
/// in different orders and their copies rebuilt by an import (which stores entries in
/// document order) hold the same keys, possibly in other slots, and `pairs` over each must
/// charge alike, or GasUsed and the state hash would depend on the table's history (seen
/// in Node on the oracle's chat scenario, split at one message).
#[test]
fn pairs_costs_the_same_after_an_import() {
    let mut p = spawn();
    p.eval(
        "A = {} for i = 40, 1, -1 do A[i] = i end \
         B = {} for i = 1, 40 do B['k' .. i] = 1 end for i = 1, 40 do B[i] = i end \
         for i = 1, 40 do B['k' .. i] = nil end \
         C = {} for i = 1, 40 do C[i * 2] = i end for i = 1, 40 do C[i * 2 - 1] = i end \
         for i = 41, 80 do C[i] = nil end \
         D = {x = 1, y = 2} for i = 1, 30 do D[i] = i end",
    )
    .unwrap();
    let mut q = round_trip(&mut p);
    let walk = json!({ "Tags": { "Action": "Eval" }, "Data":
        "local n = 0 for _, t in ipairs({A, B, C, D}) do for k in pairs(t) do n = n + 1 end end return n" });
    let a = p.send_json(&walk).unwrap();
    let b = q.send_json(&walk).unwrap();
    assert!(a.error.is_none(), "{:?}", a.error);
    assert_eq!(a.gas_used, b.gas_used);
    assert_eq!(p.state_hash().unwrap(), q.state_hash().unwrap());
}
