//! The hostile-input corpora, natively: Lua sources given to Eval
//! (`tests/data/hostile/sources.json`), message objects (`messages.json`) and broken state
//! documents (`documents.json`). The same files run in Node (`tests/js/hostile.test.mjs`) and
//! in Chromium (`tests/browser/hostile.test.mjs`) through the package, with the same checks
//! (`tests/js/hostile-corpus.mjs`); each file's "about" describes its format.
//!
//! Each refused input must fail with its expected code and message, leave the process's
//! state document (and so its hash) exactly as it was, and leave the process working.
//! `AOLITE_HOSTILE_SHOW=1` prints what each case gave (to write the expectations of new ones).

use std::collections::BTreeMap;

use aolite::{Error, Process, ProcessOptions};
use serde_json::{json, Value as Json};

fn load(name: &str) -> Json {
    let path = format!(
        "{}/tests/data/hostile/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect("the corpus exists");
    serde_json::from_str(&text).expect("the corpus parses")
}

fn cases(corpus: &Json) -> &Vec<Json> {
    corpus["cases"].as_array().expect("'cases' is an array")
}

/// A string given as itself or as pieces to repeat: `[["x", 3], ["y", 1]]` is "xxxy".
fn text(spec: &Json) -> String {
    match spec {
        Json::String(s) => s.clone(),
        Json::Array(parts) => parts
            .iter()
            .map(|p| {
                let piece = p[0].as_str().expect("a piece is a string");
                piece.repeat(p[1].as_u64().expect("a count") as usize)
            })
            .collect(),
        other => panic!("not a text: {other}"),
    }
}

/// A JSON value with builders: `{"$text": T}` is the string `text(T)`, `{"$array": [n, v]}`
/// n copies of v, `{"$nest": [depth, v]}` v inside `depth` arrays.
fn build(v: &Json) -> Json {
    match v {
        Json::Object(o) if o.len() == 1 && o.contains_key("$text") => {
            Json::String(text(&o["$text"]))
        }
        Json::Object(o) if o.len() == 1 && o.contains_key("$array") => {
            let n = o["$array"][0].as_u64().expect("a count") as usize;
            Json::Array(vec![build(&o["$array"][1]); n])
        }
        Json::Object(o) if o.len() == 1 && o.contains_key("$nest") => {
            let mut inner = build(&o["$nest"][1]);
            for _ in 0..o["$nest"][0].as_u64().expect("a depth") {
                inner = Json::Array(vec![inner]);
            }
            inner
        }
        Json::Object(o) => Json::Object(o.iter().map(|(k, v)| (k.clone(), build(v))).collect()),
        Json::Array(a) => Json::Array(a.iter().map(build).collect()),
        other => other.clone(),
    }
}

/// Whether `got` is what the case expects: `{"code", "message"}` (an error with that code
/// whose text contains the message), `{"output"}` (success with that output) or `{"ok"}`.
fn check(expect: &Json, got: &Result<String, Error>) -> Result<(), String> {
    let shown = match got {
        Ok(out) => format!("success with output {out:?}"),
        Err(e) => format!("{} {:?}", e.code(), e.to_string()),
    };
    match (expect.get("code"), got) {
        (Some(code), Err(e)) => {
            let Some(fragment) = expect.get("message").and_then(Json::as_str) else {
                return Err(format!("the case gives no expected message; got {shown}"));
            };
            if e.code() == code && e.to_string().contains(fragment) {
                return Ok(());
            }
            Err(format!("expected {code} with {fragment:?}, got {shown}"))
        }
        (Some(code), Ok(_)) => Err(format!("expected {code}, got {shown}")),
        (None, Ok(out)) => match expect.get("output") {
            Some(want) if want != out => Err(format!("expected output {want}, got {out:?}")),
            _ => Ok(()),
        },
        (None, Err(_)) => Err(format!("expected success, got {shown}")),
    }
}

fn show(name: &str, got: &Result<String, Error>) {
    if std::env::var_os("AOLITE_HOSTILE_SHOW").is_some() {
        let shown = match got {
            Ok(out) => json!({"output": out}),
            Err(e) => json!({"code": e.code(), "message": e.to_string()}),
        };
        eprintln!("{name}\t{shown}");
    }
}

fn report(corpus: &str, count: usize, failures: Vec<String>) {
    eprintln!("{corpus}: {count} cases, {} failed", failures.len());
    assert!(
        failures.is_empty(),
        "{corpus}: {} of {count} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Runs `f` on a thread with a large stack: the corpora build values nested 100 000 deep,
/// which the test's own recursive walks (building, comparing, dropping) need room for.
fn with_big_stack(f: impl FnOnce() + Send) {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(512 << 20)
            .spawn_scoped(s, f)
            .expect("thread")
            .join()
            .expect("no panic");
    });
}

/// After a refused input: the state document is unchanged and the process still evaluates.
fn unchanged_and_working(p: &mut Process, before: &str, failures: &mut Vec<String>, name: &str) {
    match p.export_state() {
        Ok(after) if after == before => {}
        Ok(_) => failures.push(format!("{name}: the refused input changed the state")),
        Err(e) => failures.push(format!("{name}: the state no longer exports: {e}")),
    }
    match p.eval("return 1 + 1") {
        Ok(o) if o.output == "2" => {}
        other => failures.push(format!("{name}: the process no longer works: {other:?}")),
    }
}

#[test]
fn hostile_sources_are_refused_and_leave_the_process_as_it_was() {
    with_big_stack(|| {
        let corpus = load("sources");
        // One process per set of limits, shared by the cases: a case must not harm later ones.
        let mut processes: BTreeMap<String, Process> = BTreeMap::new();
        let mut failures = Vec::new();
        for case in cases(&corpus) {
            let name = case["name"].as_str().expect("a name");
            let limits = case.get("limits").cloned().unwrap_or(Json::Null);
            let p = processes.entry(limits.to_string()).or_insert_with(|| {
                let options = ProcessOptions::from_json(&json!({ "limits": limits }))
                    .expect("the case's limits are valid options");
                Process::new(options).expect("spawn")
            });
            let before = p.export_state().expect("export");
            let got = p.eval(&text(&case["source"])).map(|o| o.output);
            show(name, &got);
            if let Err(why) = check(&case["expect"], &got) {
                failures.push(format!("{name}: {why}"));
            }
            if got.is_err() {
                unchanged_and_working(p, &before, &mut failures, name);
            }
        }
        report("sources", cases(&corpus).len(), failures);
    });
}

#[test]
fn hostile_messages_are_refused_and_leave_the_process_as_it_was() {
    with_big_stack(|| {
        let corpus = load("messages");
        let mut p = Process::new(ProcessOptions::default()).expect("spawn");
        p.eval(corpus["setup"].as_str().expect("setup"))
            .expect("setup");
        let mut failures = Vec::new();
        for case in cases(&corpus) {
            let name = case["name"].as_str().expect("a name");
            let message = build(&case["message"]);
            let before = p.export_state().expect("export");
            let got = p.send_json(&message).map(|o| o.output_text().to_owned());
            show(name, &got);
            if let Err(why) = check(&case["expect"], &got) {
                failures.push(format!("{name}: {why}"));
            }
            if got.is_err() {
                unchanged_and_working(&mut p, &before, &mut failures, name);
            }
        }
        report("messages", cases(&corpus).len(), failures);
    });
}

/// The index of the first object of the good document that `what` names: `$table` (a table
/// of the user's), `$closure`, `$builtin` (a built-in function), `$upvalue`.
fn place(good: &Json, what: &str) -> Option<usize> {
    let objects = good["objects"].as_array()?;
    objects.iter().position(|o| match what {
        "$table" => o["type"] == "table" && o.get("builtin").is_none(),
        "$closure" => o["type"] == "closure",
        "$builtin" => o["type"] == "builtin",
        "$upvalue" => o["type"] == "upvalue",
        _ => false,
    })
}

/// Replaces the place names in a value by the indices they stand for.
fn resolve(good: &Json, v: &Json) -> Json {
    match v {
        Json::String(s) => place(good, s).map_or_else(|| v.clone(), |i| json!(i)),
        Json::Array(a) => Json::Array(a.iter().map(|x| resolve(good, x)).collect()),
        Json::Object(o) => Json::Object(
            o.iter()
                .map(|(k, x)| (k.clone(), resolve(good, x)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The value at `path` (keys and indices) in `doc`.
fn at<'a>(doc: &'a mut Json, path: &[Json]) -> &'a mut Json {
    path.iter().fold(doc, |d, k| match k {
        Json::String(s) => &mut d[s.as_str()],
        Json::Number(n) => &mut d[n.as_u64().expect("an index") as usize],
        other => panic!("bad path element {other}"),
    })
}

/// Applies one edit: `{"set": path, "value": v}`, `{"remove": path}` (a key of an object or
/// an element of an array), `{"push": path, "value": v}` or `{"push": path, "copyOf": path}`,
/// `{"chain": n}` (n more tables, each the only value of the one before, hung on `$table`).
fn edit(doc: &mut Json, good: &Json, e: &Json) {
    let e = resolve(good, e);
    let path = |key: &str| e[key].as_array().expect("a path").clone();
    if e.get("set").is_some() {
        *at(doc, &path("set")) = build(&e["value"]);
    } else if e.get("remove").is_some() {
        let mut p = path("remove");
        let last = p.pop().expect("a non-empty path");
        match (at(doc, &p), last) {
            (Json::Object(o), Json::String(k)) => {
                o.shift_remove(&k);
            }
            (Json::Array(a), Json::Number(i)) => {
                a.remove(i.as_u64().expect("an index") as usize);
            }
            (parent, last) => panic!("cannot remove {last} from {parent}"),
        }
    } else if e.get("push").is_some() {
        let value = match e.get("copyOf") {
            Some(from) => at(doc, from.as_array().expect("a path")).clone(),
            None => build(&e["value"]),
        };
        at(doc, &path("push"))
            .as_array_mut()
            .expect("an array to push to")
            .push(value);
    } else if let Some(n) = e.get("chain").and_then(Json::as_u64) {
        let table = place(good, "$table").expect("a table");
        let objects = doc["objects"].as_array_mut().expect("objects");
        let first = objects.len();
        for k in 0..n as usize {
            let entries = if k + 1 < n as usize {
                json!([[1, { "ref": first + k + 1 }]])
            } else {
                json!([])
            };
            objects.push(json!({ "type": "table", "entries": entries }));
        }
        objects[table]["entries"]
            .as_array_mut()
            .expect("entries")
            .push(json!(["chain", { "ref": first }]));
    } else {
        panic!("unknown edit {e}");
    }
}

/// The document text a case describes: `text` (itself), `truncate` (that fraction of the
/// good document), `replace` ([from, to]: the first `from` in the good document's text
/// replaced) or `edits` (applied in order to the good document).
fn document(good: &Json, good_text: &str, case: &Json) -> String {
    if let Some(t) = case.get("text") {
        return text(t);
    }
    if let Some(f) = case.get("truncate").and_then(Json::as_f64) {
        let mut cut = (good_text.len() as f64 * f) as usize;
        while !good_text.is_char_boundary(cut) {
            cut -= 1;
        }
        return good_text[..cut].to_owned();
    }
    if let Some(r) = case.get("replace") {
        let (from, to) = (text(&r[0]), text(&r[1]));
        assert!(good_text.contains(&from), "{from:?} is not in the document");
        return good_text.replacen(&from, &to, 1);
    }
    let mut d = good.clone();
    for e in case["edits"].as_array().expect("edits") {
        edit(&mut d, good, e);
    }
    d.to_string()
}

#[test]
fn broken_documents_are_rejected_each_with_its_own_error() {
    with_big_stack(|| {
        let corpus = load("documents");
        let mut p = Process::new(ProcessOptions::default()).expect("spawn");
        p.eval(corpus["setup"].as_str().expect("setup"))
            .expect("setup");
        let good_text = p.export_state().expect("export");
        let good: Json = serde_json::from_str(&good_text).expect("JSON");
        let mut failures = Vec::new();
        let mut errors: BTreeMap<String, String> = BTreeMap::new();
        for case in cases(&corpus) {
            let name = case["name"].as_str().expect("a name");
            let doc = document(&good, &good_text, case);
            let got = Process::import_state(&doc).and_then(|mut q| {
                // An accepted document gives a process whose export imports to the same.
                let again = q.export_state()?;
                let mut r = Process::import_state(&again)?;
                if r.export_state()? != again {
                    return Err(Error::BadState("the re-export differs".into()));
                }
                Ok(String::new())
            });
            show(name, &got);
            if let Err(why) = check(&case["expect"], &got) {
                failures.push(format!("{name}: {why}"));
            }
            // Each refusal says what is wrong in its own words.
            if let Err(e) = &got {
                let first = errors
                    .entry(e.to_string())
                    .or_insert_with(|| name.to_owned());
                let shared = case.get("sameAs").and_then(Json::as_str);
                if first != name && shared != Some(first.as_str()) {
                    failures.push(format!("{name}: the same error as {first}: {e}"));
                }
            }
        }
        // The process the good document came from is untouched, and it imports still.
        assert_eq!(p.export_state().expect("export"), good_text);
        let mut q = Process::import_state(&good_text).expect("the good document imports");
        assert_eq!(q.export_state().expect("export"), good_text);
        report("documents", cases(&corpus).len(), failures);
    });
}
