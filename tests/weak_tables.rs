//! Weak tables (`__mode`) in a process: entries of objects nothing else references go at a
//! collection (`collectgarbage()`, or the engine's own every 2^26 fuel), across messages,
//! after an export and import, and never in a way that breaks a failed message's rollback.
//! Lua-level semantics are compared with `lua5.3` in `tests/lua/gc/weak_tables.lua`.

use aolite::ao::process::{Process, ProcessOptions};
use serde_json::json;

const SETUP: &str = r#"
Sessions = {}
Meta = setmetatable({}, { __mode = "k" })
Names = setmetatable({}, { __mode = "v" })
function count(t) local n = 0; for _ in pairs(t) do n = n + 1 end; return n end
Handlers.add("open", "Open", function(msg)
  local s = { id = msg.Tags.Id }
  Sessions[msg.Tags.Id] = s
  Meta[s] = { opened = msg.Timestamp }
  Names[msg.Tags.Id] = s
  Meta[{}] = "temporary"
end)
Handlers.add("close", "Close", function(msg) Sessions[msg.Tags.Id] = nil end)
Handlers.add("collect", "Collect", function(msg)
  collectgarbage()
  print(count(Meta) .. " " .. count(Names))
end)
Handlers.add("fail", "Fail", function(msg)
  Meta[{}] = "from a failed message"
  Sessions.extra = { id = "extra" }
  Meta[Sessions.extra] = 1
  collectgarbage()
  error("failing after a collection")
end)
"#;

fn spawn() -> Process {
    let mut p = Process::new(ProcessOptions::default()).unwrap();
    p.eval(SETUP).unwrap();
    p
}

fn send(p: &mut Process, action: &str, id: &str) -> String {
    let o = p
        .send_json(&json!({ "Tags": { "Action": action, "Id": id } }))
        .unwrap();
    o.output["data"].as_str().unwrap_or_default().to_string()
}

fn counts(p: &mut Process) -> String {
    p.eval("return count(Meta) .. ' ' .. count(Names)")
        .unwrap()
        .output
}

#[test]
fn entries_of_unreferenced_objects_go_at_a_collection() {
    let mut p = spawn();
    for id in ["a", "b", "c"] {
        send(&mut p, "Open", id);
    }
    // Three sessions and three temporaries, before any collection.
    assert_eq!(counts(&mut p), "6 3");
    let c = send(&mut p, "Collect", "");
    assert!(c.contains("3 3"), "{c}");
    send(&mut p, "Close", "b");
    assert!(send(&mut p, "Collect", "").contains("2 2"));
    assert_eq!(
        p.eval("return tostring(Names.b) .. ' ' .. Names.a.id")
            .unwrap()
            .output,
        "nil a"
    );
}

#[test]
fn a_failed_message_after_a_collection_changes_nothing_that_is_still_referenced() {
    let mut p = spawn();
    send(&mut p, "Open", "a");
    send(&mut p, "Collect", "");
    let before = p.state_hash().unwrap();
    let o = p
        .send_json(&json!({ "Tags": { "Action": "Fail" } }))
        .unwrap();
    assert!(o
        .error
        .as_deref()
        .unwrap_or_default()
        .contains("failing after a collection"));
    assert_eq!(p.state_hash().unwrap(), before);
    assert_eq!(counts(&mut p), "1 1");
    assert_eq!(
        p.eval("return tostring(Sessions.extra)").unwrap().output,
        "nil"
    );
}

#[test]
fn an_object_dropped_and_collected_in_one_message_goes_when_it_commits() {
    let mut p = spawn();
    send(&mut p, "Open", "a");
    send(&mut p, "Open", "b");
    send(&mut p, "Collect", "");
    // The message's undo log holds session b until the message ends (see weak.rs), so its
    // own collection still counts it; the collection is finished when the message commits.
    p.eval(
        "Handlers.add('drop', 'Drop', function(msg) \
           Sessions[msg.Tags.Id] = nil; collectgarbage(); print(count(Meta)) end)",
    )
    .unwrap();
    assert!(send(&mut p, "Drop", "b").contains('2'));
    assert_eq!(counts(&mut p), "1 1");
}

#[test]
fn weakness_survives_export_and_import() {
    let mut p = spawn();
    send(&mut p, "Open", "a");
    send(&mut p, "Open", "b");
    let doc = p.export_state().unwrap();
    let mut q = Process::import_state(&doc).unwrap();
    assert_eq!(counts(&mut q), "4 2");
    assert_eq!(counts(&mut p), "4 2");
    send(&mut q, "Close", "a");
    assert!(send(&mut q, "Collect", "").contains("1 1"));
    // The same messages give the same state in the process that was never exported.
    send(&mut p, "Close", "a");
    send(&mut p, "Collect", "");
    assert_eq!(p.state_hash().unwrap(), q.state_hash().unwrap());
}

#[test]
fn the_engine_clears_weak_tables_as_the_fuel_clock_advances() {
    let mut p = spawn();
    send(&mut p, "Open", "a");
    // No collectgarbage(): a loop that runs until the engine's own collection (every 2^26
    // fuel) drops the temporary entry, as programs wait for Lua's collector.
    let o = p
        .eval(
            "local spins = 0
             while count(Meta) > 1 do
               for _ = 1, 1000 do spins = spins + 1 end
             end
             return count(Meta) .. ' ' .. tostring(spins > 0)",
        )
        .unwrap();
    assert_eq!(o.output, "1 true");
}
