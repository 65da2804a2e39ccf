//! A message that resumes a coroutine waiting in `Receive` and then fails (or is a dry-run)
//! is undone as on a compute unit: the coroutine is waiting again afterwards, so the next
//! matching message resumes it (oracle scenario `receive_coroutines`, m10-m11). piccolo
//! keeps a coroutine's stack private, so undoing the message cannot restore it; the process
//! is rebuilt from its message log instead (see `Process::restore_coroutines_if_undone`).

use aolite::state::history::ReplayStart;
use aolite::{Message, Process, ProcessOptions};
use serde_json::json;

const SOURCE: &str = r#"Log = {}
Handlers.add("failAfter", "AskThenFail", function(msg)
  table.insert(Log, "waiting")
  local r = Receive({ Action = "Trigger" })
  table.insert(Log, "resumed " .. r.Data)
  if r.Data == "boom" then error("failed after resume: " .. r.Data) end
  msg.reply({ Data = "done " .. r.Data })
end)
Handlers.add("count", "Count", function(msg) msg.reply({ Data = tostring(#Log) }) end)"#;

fn action(name: &str, data: &str) -> Message {
    let mut m = Message::default().with_tag("Action", name);
    m.data = Some(data.to_owned());
    m
}

fn process() -> Process {
    let mut p = Process::new(ProcessOptions::default()).expect("spawn");
    p.eval(SOURCE).expect("load");
    p
}

#[test]
fn a_failed_resume_leaves_the_coroutine_waiting() {
    let mut p = process();
    p.send(action("AskThenFail", "")).expect("ask");
    let cp = p.checkpoint(Some("waiting"));
    let failed = p.send(action("Trigger", "boom")).expect("trigger");
    let error = failed.error.expect("the resumed handler fails");
    assert!(error.contains("failed after resume: boom"), "{error}");
    assert_eq!(p.global_json("Log").unwrap(), json!(["waiting"]));
    // A dry-run resumes it too, and is undone.
    let dry = p.dry_run(action("Trigger", "peek")).expect("dry run");
    assert_eq!(dry.messages[0].data, Some(json!("done peek")));
    // Still waiting: the next Trigger resumes it.
    let done = p.send(action("Trigger", "again")).expect("trigger");
    assert_eq!(done.error, None);
    assert_eq!(done.messages[0].data, Some(json!("done again")));
    assert_eq!(
        p.global_json("Log").unwrap(),
        json!(["waiting", "resumed again"])
    );
    // A replay of the whole log (the failed message included) agrees.
    let mut r =
        Process::replay(ReplayStart::Spawn(Box::default()), &p.message_log()).expect("replay");
    assert_eq!(r.state_hash().unwrap(), p.state_hash().unwrap());
    // The checkpoint taken while it waited was taken again: rolling back to it gives a
    // process whose coroutine can be resumed again (its Log as then).
    p.rollback(cp).expect("rollback");
    assert_eq!(p.global_json("Log").unwrap(), json!(["waiting"]));
    // A replay of the log gives the same state.
    let log = p.message_log();
    let mut q = Process::replay(ReplayStart::Spawn(Box::default()), &log).expect("replay");
    assert_eq!(q.global_json("Log").unwrap(), json!(["waiting"]));
}

#[test]
fn an_imported_process_restores_its_coroutine_too() {
    // Imported before the coroutine waits: the log replays from the imported document.
    let mut q = Process::import_state(&{
        let mut fresh = process();
        fresh.export_state().expect("export")
    })
    .expect("import");
    q.send(action("AskThenFail", "")).expect("ask");
    let failed = q.send(action("Trigger", "boom")).expect("trigger");
    assert!(failed.error.is_some());
    let done = q.send(action("Trigger", "again")).expect("trigger");
    assert_eq!(done.messages[0].data, Some(json!("done again")));
}
