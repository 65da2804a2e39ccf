//! aos's `.crypto` module: what its digests, utilities, MACs, key derivation and ISAAC
//! generator give in aolite is what real aos 2.0.6 gave for the same scenario (the oracle's
//! recordings, `tests/oracle/expected/crypto_*.json`, made by `node tests/oracle/record.mjs`).

use aolite::report::strip_ansi;
use aolite::{Message, Process, ProcessOptions};
use serde_json::Value as Json;

// The oracle's defaults (tests/oracle/scenario.mjs): the same ids seed the same math.random.
const PROCESS: &str = "PROCESS_ID_oracle_000000000000000000000000";
const OWNER: &str = "OWNER_ADDRESS_oracle_0000000000000000000000";
const MODULE: &str = "ISShJH1ij-hPPt9St5UFFr_8Ys3Kj5cyg7zrMGt7H9s";

fn root() -> &'static str {
    env!("CARGO_MANIFEST_DIR")
}

fn recording(scenario: &str) -> Json {
    let path = format!("{}/tests/oracle/expected/{scenario}.json", root());
    serde_json::from_str(&std::fs::read_to_string(path).expect("recording")).expect("JSON")
}

fn step_data(doc: &Json, label: &str) -> String {
    let step = doc["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find(|s| s["label"] == label)
        .unwrap_or_else(|| panic!("no step {label}"));
    step["output"]["data"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn oracle_process() -> Process {
    Process::new(ProcessOptions {
        id: Some(PROCESS.into()),
        owner: Some(OWNER.into()),
        module: Some(MODULE.into()),
        block_height: Some(1_500_000),
        timestamp: Some(1_700_000_000_000),
        ..ProcessOptions::default()
    })
    .expect("spawn")
}

/// Runs the scenario's source as its load step does (an owner Eval) and compares the
/// printed lines with aos's, line by line so a difference names its case.
fn load_output_matches(scenario: &str) {
    let source =
        std::fs::read_to_string(format!("{}/tests/oracle/scenarios/{scenario}.lua", root()))
            .expect("source");
    let mut p = oracle_process();
    let got = strip_ansi(&p.eval(&source).expect("eval").output);
    let want = strip_ansi(&step_data(&recording(scenario), "load"));
    let (got, want): (Vec<&str>, Vec<&str>) = (got.lines().collect(), want.lines().collect());
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g, w, "{scenario}: first differing line");
    }
    assert_eq!(got.len(), want.len(), "{scenario}: line count");
}

#[test]
fn digests_are_aos() {
    load_output_matches("crypto_digests");
}

#[test]
fn utilities_macs_kdf_and_isaac_are_aos() {
    load_output_matches("crypto_utils");
}

/// The ISAAC generator's state carries over between messages, and an error raised inside
/// `.crypto` by a handler reads as aos's.
#[test]
fn crypto_in_handlers_is_aos() {
    let doc = recording("crypto_utils");
    let source = std::fs::read_to_string(format!(
        "{}/tests/oracle/scenarios/crypto_utils.lua",
        root()
    ))
    .expect("source");
    let mut p = oracle_process();
    p.eval(&source).expect("load");
    let steps = doc["steps"].as_array().expect("steps");
    for (i, (action, data)) in [
        ("Rand", ""),
        ("Rand", ""),
        ("Hash", "message data"),
        ("Bad", ""),
    ]
    .iter()
    .enumerate()
    {
        let label = format!("m{}", i + 1);
        let want = steps.iter().find(|s| s["label"] == label).expect("step");
        let mut m = Message::default().with_tag("Action", *action);
        if !data.is_empty() {
            m.data = Some((*data).into());
        }
        let out = p.send(m).expect("send");
        match want["error"]["message"].as_str() {
            Some(e) => assert!(
                strip_ansi(out.error.as_deref().unwrap_or_default()).contains(e),
                "{label}: {:?}",
                out.error
            ),
            None => {
                assert_eq!(out.error, None, "{label}");
                let reply = &out.messages[0];
                assert_eq!(
                    reply.data.as_ref(),
                    Some(&want["messages"][0]["Data"]),
                    "{label}"
                );
                for tag in want["messages"][0]["Tags"].as_array().expect("tags") {
                    let name = tag[0].as_str().expect("name");
                    let value = reply.tags.iter().find(|t| t.name == name).map(|t| &t.value);
                    assert_eq!(value, Some(&tag[1]), "{label} {name}");
                }
            }
        }
    }
}

#[test]
fn aes_is_aos() {
    load_output_matches("crypto_aes");
}

#[test]
fn morus_and_norx_are_aos() {
    load_output_matches("crypto_aead");
}

/// `.crypto`'s modules are part of the process state: the ISAAC generator's position and
/// the loaded modules survive export and import, a failed message leaves the generator
/// where it was, and a rollback puts it back.
#[test]
fn crypto_state_exports_imports_and_rolls_back() {
    let mut p = oracle_process();
    p.eval(
        r#"crypto = require(".crypto")
crypto.cipher.issac.seedIsaac("state", true)
Handlers.add("next", "Next", function(msg) msg.reply({ Data = tostring(crypto.cipher.issac.getRandom()) }) end)
Handlers.add("fail", "Fail", function(msg) crypto.cipher.issac.getRandom() error("after a draw") end)"#,
    )
    .expect("load");
    let next = |p: &mut Process| -> String {
        let out = p
            .send(Message::default().with_tag("Action", "Next"))
            .expect("send");
        assert_eq!(out.error, None);
        out.messages[0]
            .data
            .as_ref()
            .and_then(|d| d.as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let first = next(&mut p);
    let doc = p.export_state().expect("export");
    let mut q = Process::import_state(&doc).expect("import");
    assert_eq!(p.state_hash().expect("hash"), q.state_hash().expect("hash"));
    let failed = p
        .send(Message::default().with_tag("Action", "Fail"))
        .expect("send");
    assert!(failed.error.is_some());
    let checkpoint = p.checkpoint(None);
    let second = next(&mut p);
    assert_eq!(
        next(&mut q),
        second,
        "the imported generator continues where it was"
    );
    assert_ne!(first, second);
    p.rollback(checkpoint).expect("rollback");
    assert_eq!(next(&mut p), second, "a rollback puts the generator back");
    // A digest after import runs the native hash through the rebuilt module.
    let out = q
        .eval(r#"return crypto.digest.sha2_256(crypto.utils.stream.fromString("ao")).asHex()"#)
        .expect("eval");
    assert!(out.output.contains("2dd411308b37266d"), "{}", out.output);
}
