//! The console behind `aolite repl`, driven line by line.

use aolite::console::{Console, Step};
use aolite::{Process, ProcessOptions};

fn console() -> Console {
    Console::new(Process::new(ProcessOptions::default()).expect("spawn"))
}

fn print(step: Step) -> String {
    match step {
        Step::Print(text) => text,
        other => panic!("expected text, got {other:?}"),
    }
}

#[test]
fn lines_evaluate_and_incomplete_chunks_continue() {
    let mut c = console();
    assert_eq!(print(c.line("1 + 1")), "2");
    assert_eq!(print(c.line("function twice(x)")), "");
    assert_eq!(c.prompt(), ">> ");
    assert_eq!(print(c.line("  return x * 2")), "");
    assert_eq!(print(c.line("end")), "");
    assert_eq!(print(c.line("return twice(21)")), "42");
    assert!(c.prompt().starts_with("aolite[Inbox:"));
}

#[test]
fn messages_to_itself_are_delivered_and_commands_work() {
    let mut c = console();
    print(c.line(r#"Handlers.add("hi", "Hi", function(m) Seen = (Seen or 0) + 1 end)"#));
    let out = print(c.line(r#"Send({ Target = ao.id, Action = "Hi" })"#));
    assert!(out.contains("Message added to outbox"), "{out}");
    assert_eq!(print(c.line("return Seen")), "1");
    print(c.line(".send Hi"));
    assert_eq!(print(c.line("return Seen")), "2");
    assert!(print(c.line(".handlers")).contains("hi"));
    assert_eq!(c.line(".load x.lua"), Step::Load("x.lua".into()));
    assert_eq!(c.line(".exit"), Step::Exit);
    assert!(print(c.line("error('nope')")).starts_with("error: "));
}

#[test]
fn a_process_pinging_itself_forever_does_not_hang_the_console() {
    let mut c = console();
    print(c.line(
        r#"Handlers.add("loop", "Loop", function(m) Send({ Target = ao.id, Action = "Loop" }) end)"#,
    ));
    let out = print(c.line(".send Loop"));
    assert!(out.contains("stopped delivering"), "{out}");
}

#[test]
fn diff_rollback_hash_export_and_import() {
    let mut c = console();
    print(c.line("Balances = { alice = 300 }"));
    assert_eq!(print(c.line(".diff")), "Balances: nil -> {\"alice\":300}");
    print(c.line("Balances.alice = 200"));
    assert_eq!(print(c.line(".diff")), "Balances.alice: 300 -> 200");
    let hash = print(c.line(".hash"));
    assert_eq!(hash.len(), 64);
    print(c.line("Balances.bob = 5"));
    assert_ne!(print(c.line(".hash")), hash);
    assert_eq!(print(c.line(".rollback")), "rolled back 1 input(s)");
    assert_eq!(print(c.line(".hash")), hash);
    assert_eq!(print(c.line("return Balances.alice")), "200");
    assert!(print(c.line(".rollback 99")).starts_with("only "));
    assert!(print(c.line(".stats")).contains("Balances:"));
    let Step::Export { path, text } = c.line(".export state.json") else {
        panic!("expected an export step")
    };
    assert_eq!(path, "state.json");
    assert_eq!(
        c.line(".import state.json"),
        Step::Import("state.json".into())
    );
    print(c.line("Balances.alice = 1"));
    assert!(c.import_source(&text).starts_with("imported process "));
    assert_eq!(print(c.line("return Balances.alice")), "200");
    assert!(c
        .import_source("{")
        .starts_with("error: bad state document"));
}

#[test]
fn a_chunk_continues_while_its_syntax_error_is_at_its_end() {
    let mut c = console();
    assert_eq!(print(c.line("T = {")), "");
    assert_eq!(c.prompt(), ">> ");
    assert_eq!(print(c.line("  s = [[two")), "");
    assert_eq!(print(c.line("lines]] }")), "");
    assert_eq!(print(c.line("return T.s")), "two\nlines");
    // An error before the end is reported at once, in Lua's words.
    let out = print(c.line("x = = 1"));
    assert!(
        out.contains("[string \"aos\"]:1: unexpected symbol near '='"),
        "{out}"
    );
    assert!(c.prompt().starts_with("aolite[Inbox:"));
}
