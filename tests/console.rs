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
fn send_takes_tags_a_sender_and_data_and_as_changes_the_sender() {
    let mut c = console();
    print(c.line(
        r#"Handlers.add("t", "T", function(m) Got = m.From .. "|" .. tostring(m.Note) .. "|" .. tostring(m.Qty) .. "|" .. tostring(m.Data) end)"#,
    ));
    print(c.line(r#".send T Note="a b" Qty=10 --from alice"#));
    assert_eq!(print(c.line("return Got")), "alice|a b|10|nil");
    print(c.line(".send T hello there"));
    assert!(print(c.line("return Got")).ends_with("|nil|nil|hello there"));
    assert_eq!(
        print(c.line(".as bob")),
        ".send and .dryrun messages now come from bob"
    );
    assert!(c.prompt().starts_with("aolite(bob)[Inbox:"));
    print(c.line(".send T Qty=1 --data \"x=y z\""));
    assert_eq!(print(c.line("return Got")), "bob|nil|1|x=y z");
    print(c.line(".as"));
    assert!(c.prompt().starts_with("aolite[Inbox:"));
    assert!(print(c.line(r#".send T Note="open"#)).starts_with("error: "));
    // Replies show their tags (the protocol's own left out).
    print(c.line(
        r#"Handlers.add("r", "R", function(m) m.reply({ Action = "Done", Count = "3", Data = "ok" }) end)"#,
    ));
    let out = print(c.line(".send R --from carol"));
    assert!(
        out.contains("message to carol Action=Done Count=3 Data=ok"),
        "{out}"
    );
    assert!(!out.contains("Data-Protocol"), "{out}");
    // Then the handlers that ran, dim.
    assert!(out.ends_with("\n\x1b[2mhandlers: r\x1b[0m"), "{out}");
    let out = print(c.line(".send Nobody"));
    assert!(out.ends_with("\x1b[2mhandlers: _default\x1b[0m"), "{out}");
}

#[test]
fn editor_collects_lines_until_end_or_cancel() {
    let mut c = console();
    assert!(print(c.line(".editor")).starts_with("editor mode"));
    assert!(c.in_editor());
    assert_eq!(c.prompt(), "... ");
    // Lines that would run (or be commands) on their own are only collected.
    assert_eq!(print(c.line("local n = 40")), "");
    assert_eq!(print(c.line(".send X")), "");
    assert_eq!(print(c.line("return n + 2")), "");
    // `.send X` was taken as Lua: the chunk fails on line 2.
    assert!(print(c.line(".end")).starts_with("error: [string \"aos\"]:2:"));
    print(c.line(".editor"));
    print(c.line("local n = 40"));
    print(c.line("return n + 2"));
    // Ctrl-D (the end of input) runs the editor's lines instead of leaving.
    assert_eq!(print(c.end_of_input()), "42");
    assert!(!c.in_editor());
    print(c.line(".editor"));
    print(c.line("Never = true"));
    assert_eq!(print(c.line(".cancel")), "editor cancelled");
    print(c.line(".editor"));
    assert_eq!(c.cancel(), "editor cancelled");
    assert_eq!(print(c.line("return tostring(Never)")), "nil");
    assert_eq!(c.end_of_input(), Step::Exit);
}

#[test]
fn load_says_what_it_loaded_and_inbox_is_readable() {
    let mut c = console();
    let source = "Handlers.add('a', 'A', function() end)\nHandlers.add('b', 'B', function() end)\nprint('ready')";
    assert_eq!(
        c.load_source("two.lua", source),
        "loaded two.lua (3 lines); handlers added: a, b\nready"
    );
    assert!(c
        .load_source("bad.lua", "error('no')")
        .starts_with("could not load bad.lua:\nerror: "));
    print(c.line(r#".send Other Color=red Note="a b" --from dave some data"#));
    let inbox = print(c.line(".inbox 1"));
    assert_eq!(
        inbox,
        "Inbox: 2 messages, the last 1:\n2. Other from dave\n   tags: Color=red Note=\"a b\"\n   data: some data"
    );
}

#[test]
fn an_eval_no_handler_takes_is_pointed_out() {
    let mut c = console();
    print(c.line(r#"Owner = """#));
    let out = print(c.line("return 1"));
    assert!(out.contains("no handler took this Eval"), "{out}");
}

#[test]
fn an_interrupt_stops_the_input_and_keeps_the_process() {
    use std::cell::Cell;
    use std::rc::Rc;
    let mut c = console();
    print(c.line("Counter = 7"));
    let stop = Rc::new(Cell::new(false));
    let flag = stop.clone();
    c.set_interrupt(Some(Rc::new(move || flag.get())));
    stop.set(true);
    let out = print(c.line("Counter = 8 while true do end"));
    assert!(out.starts_with("interrupted:"), "{out}");
    stop.set(false);
    assert_eq!(print(c.line("return Counter")), "7");
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

#[test]
fn spawn_starts_a_network_of_named_processes() {
    let mut c = console();
    print(c.line(r#"Handlers.add("hello", "Hello", function(m) Hellos = (Hellos or 0) + 1 end)"#));
    assert!(c.network().is_none());
    assert!(print(c.line(".ps")).contains("the only process"));
    let out = print(c.line(
        r#".spawn echo Color=blue --eval Handlers.add("hi", "Hi", function(m) m.reply({ Action = "Hello" }) end)"#,
    ));
    assert!(
        out.contains("the console runs a local network now"),
        "{out}"
    );
    assert!(out.contains("it trusts the messenger"), "{out}");
    assert!(out.contains("spawned echo ("), "{out}");
    assert!(
        c.prompt().starts_with("aolite:echo[Inbox:"),
        "{}",
        c.prompt()
    );
    assert_eq!(c.network().unwrap().processes().len(), 2);
    // The spawned process has its tags, and runs Lua lines now.
    assert_eq!(print(c.line("return ao.env.Process.Tags.Color")), "blue");
    let ps = print(c.line(".ps"));
    assert!(ps.contains("  main aoLiteProcess"), "{ps}");
    assert!(ps.contains("* echo "), "{ps}");
    assert!(print(c.line(".use nobody")).starts_with("error: no process called nobody"));
    assert!(print(c.line(".use main")).starts_with("the current process is main"));
    // From main to echo, pushed by the messenger: echo's reply reaches main at once.
    let out = print(c.line(".send Hi --from main --to echo"));
    assert!(out.contains("-> main: Hello from echo"), "{out}");
    assert_eq!(print(c.line("return Hellos")), "1");
    // A Lua line's ao.send is delivered too.
    let echo = c.network().unwrap().processes()[1].clone();
    let out = print(c.line(&format!(r#"Send({{ Target = "{echo}", Action = "Hi" }})"#)));
    assert!(out.contains("-> echo: Hi from main"), "{out}");
    assert!(out.contains("-> main: Hello from echo"), "{out}");
    assert_eq!(print(c.line("return Hellos")), "2");
    assert!(print(c.line(".spawn echo")).contains("already called echo"));
    // .rollback undoes inputs across the network: `return Hellos`, then the Send.
    assert_eq!(print(c.line(".rollback 2")), "rolled back 2 input(s)");
    assert_eq!(print(c.line("return Hellos")), "1");
    assert_eq!(c.line(".import x.json"), Step::Import("x.json".into()));
    assert!(c.import_source("{}").contains("runs a network"));
}

#[test]
fn step_mode_queues_what_inputs_send_and_step_delivers_it() {
    let mut c = console();
    print(c.line(".spawn b --eval Handlers.add('ping', 'Ping', function(m) Pings = (Pings or 0) + 1; m.reply({ Action = 'Pong' }) end)"));
    print(c.line(".use main"));
    print(c.line("Handlers.add('pong', 'Pong', function(m) Pongs = (Pongs or 0) + 1 end)"));
    assert_eq!(print(c.line(".queue")), "nothing waits");
    assert!(print(c.line(".deliver step")).contains("waits for .step"));
    let out = print(c.line(".send Ping --from main --to b"));
    assert!(out.contains("Action=Pong"), "{out}");
    assert!(c.prompt().contains("Queue:1"), "{}", c.prompt());
    let queue = print(c.line(".queue"));
    assert!(
        queue.starts_with('#') && queue.contains("Pong from b to main"),
        "{queue}"
    );
    let out = print(c.line(".step"));
    assert!(out.starts_with("-> main: Pong from b"), "{out}");
    assert_eq!(print(c.line(".step")), "nothing waits");
    assert_eq!(print(c.line("return Pongs")), "1");
    // --queue only queues; .run delivers everything that waits.
    assert!(print(c.line(".send Ping --from main --to b --queue")).starts_with("queued #"));
    assert!(print(c.line(".send Ping --from main --to b --queue")).starts_with("queued #"));
    let out = print(c.line(".run"));
    assert_eq!(out.matches("-> b: Ping from main").count(), 2, "{out}");
    assert_eq!(out.matches("-> main: Pong from b").count(), 2, "{out}");
    assert_eq!(print(c.line("return Pongs")), "3");
    assert_eq!(print(c.line(".run")), "nothing waits");
    assert!(print(c.line(".step 0")).starts_with("usage"));
}

#[test]
fn advance_ticks_cron_and_monitor_pushes_what_ticks_send() {
    let mut c = console();
    print(c.line("Handlers.add('beat', 'Beat', function() Beats = (Beats or 0) + 1 end)"));
    let out = print(c.line(
        ".spawn clock Cron-Interval=10-seconds Cron-Tag-Action=Tick --eval Handlers.add('tick', 'Tick', function() Ticks = (Ticks or 0) + 1; ao.send({ Target = 'aoLiteProcess000000000000000000000000000000', Action = 'Beat' }) end)",
    ));
    assert!(out.contains("spawned clock"), "{out}");
    let out = print(c.line(".advance 20000"));
    assert!(out.contains("2 cron ticks queued"), "{out}");
    assert_eq!(out.matches("-> clock: cron tick Tick").count(), 2, "{out}");
    assert!(
        !out.contains("-> main"),
        "not monitored: the Beats are not pushed\n{out}"
    );
    assert!(print(c.line(".monitor")).contains("clock is monitored"));
    assert!(print(c.line(".ps")).contains("(monitored)"));
    assert!(print(c.line(".monitor clock")).contains("already monitored"));
    let out = print(c.line(".advance 10000"));
    assert!(out.contains("-> main: Beat from clock"), "{out}");
    assert_eq!(print(c.line("return Ticks")), "3");
    assert!(print(c.line(".unmonitor")).contains("clock is not monitored"));
    print(c.line(".use main"));
    assert_eq!(print(c.line("return Beats")), "1");
    assert!(print(c.line(".advance x")).starts_with("usage"));
}

#[test]
fn an_interrupt_stops_an_input_in_a_network_and_what_it_would_cause() {
    use std::cell::Cell;
    use std::rc::Rc;
    let mut c = console();
    print(c.line(".spawn spin --eval Handlers.add('spin', 'Spin', function() Spun = true while true do end end)"));
    print(c.line(".use main"));
    print(c.line("Counter = 7"));
    let stop = Rc::new(Cell::new(false));
    let flag = stop.clone();
    c.set_interrupt(Some(Rc::new(move || flag.get())));
    stop.set(true);
    let out = print(c.line("Counter = 8 while true do end"));
    assert!(out.starts_with("interrupted:"), "{out}");
    stop.set(false);
    assert_eq!(print(c.line("return Counter")), "7");
    // A delivery the input caused, stopped: the run stops there.
    let spin = c.network().unwrap().processes()[1].clone();
    let counter = Rc::new(Cell::new(0u32));
    let seen = counter.clone();
    c.set_interrupt(Some(Rc::new(move || {
        seen.set(seen.get() + 1);
        seen.get() > 50
    })));
    let out = print(c.line(&format!(
        "Send({{ Target = '{spin}', Action = 'Spin' }}) Send({{ Target = '{spin}', Action = 'Spin' }})"
    )));
    assert!(out.contains("-> spin: Spin from main"), "{out}");
    assert!(out.contains("delivering was stopped"), "{out}");
    assert_eq!(out.matches("-> spin: Spin").count(), 1, "{out}");
    c.set_interrupt(None);
    assert!(
        c.prompt().contains("Queue:1"),
        "the second Spin still waits: {}",
        c.prompt()
    );
}
