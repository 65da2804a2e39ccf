//! The local network as a user drives it: processes talking to each other through the
//! messenger, spawning children, cron, scheduling control and the network as one state.

use aolite::net::{Kind, MESSENGER};
use aolite::{Error, Message, Network, NetworkOptions, ProcessOptions, Tag};
use serde_json::{json, Value as Json};

const TOKEN: &str = include_str!("../examples/token.lua");
const WALLET: &str = "aoLiteOwner00000000000000000000000000000000";
const BOB: &str = "bob-wallet-000000000000000000000000000000000";

/// Pays on what it is credited by the token, keeping a fee of 10.
const ESCROW: &str = r#"
Token = Token or nil
Deposits = Deposits or {}
Handlers.add("credit", "Credit-Notice", function(msg)
  assert(msg.From == Token, "credit from an unknown token")
  Deposits[msg.Sender] = (Deposits[msg.Sender] or 0) + tonumber(msg.Quantity)
  ao.send({ Target = Token, Action = "Transfer", Recipient = msg["X-Pay-To"] or Beneficiary,
    Quantity = tostring(tonumber(msg.Quantity) - 10) })
end)
"#;

fn spawn(net: &mut Network, name: &str, source: &str) -> String {
    let id = net
        .spawn(ProcessOptions {
            tags: vec![Tag::new("Name", name)],
            ..ProcessOptions::default()
        })
        .expect("spawn");
    let out = net.eval(&id, source).expect("eval");
    assert_eq!(out.error, None, "loading {name}");
    id
}

fn global(net: &mut Network, id: &str, name: &str) -> Json {
    net.process_mut(id)
        .expect("process")
        .global_json(name)
        .expect("global")
}

fn action(name: &str) -> Message {
    Message::default().with_tag("Action", name)
}

/// The token's Transfer of `quantity` to `recipient`.
fn transfer(recipient: impl Into<String>, quantity: &str) -> Message {
    action("Transfer")
        .with_tag("Recipient", recipient)
        .with_tag("Quantity", quantity)
}

/// A token and an escrow, the escrow paying on to bob; returns (network, token, escrow,
/// the transfer's id).
fn token_escrow(seed: &str) -> (Network, String, String, String) {
    let mut net = Network::new(NetworkOptions {
        seed: Some(seed.into()),
        ..NetworkOptions::default()
    });
    let token = spawn(&mut net, "token", TOKEN);
    let escrow = spawn(&mut net, "escrow", ESCROW);
    net.eval(
        &escrow,
        &format!("Token = '{token}'; Beneficiary = '{BOB}'"),
    )
    .expect("configure");
    let transfer = net
        .message(&token, transfer(escrow.clone(), "100"))
        .expect("transfer");
    (net, token, escrow, transfer)
}

#[test]
fn token_pays_escrow_which_pays_on() {
    let (mut net, token, escrow, transfer) = token_escrow("escrow");
    let balances = global(&mut net, &token, "Balances");
    assert_eq!(balances[WALLET], "999900");
    assert_eq!(balances[&escrow], "10");
    assert_eq!(balances[BOB], "90");
    assert_eq!(global(&mut net, &escrow, "Deposits")[WALLET], 100);

    // The Credit-Notice reached the escrow as the messenger pushes it.
    let credit = net
        .trace()
        .iter()
        .find(|e| e.action.as_deref() == Some("Credit-Notice") && e.target == escrow)
        .expect("credit notice delivered")
        .clone();
    assert!(credit.ok);
    assert_eq!(credit.from, token);
    assert_eq!(credit.cause.as_deref(), Some(transfer.as_str()));
    assert_eq!(credit.pushed_for.as_deref(), Some(transfer.as_str()));
    let delivered = credit.message.to_json();
    assert_eq!(delivered["Owner"], MESSENGER);
    assert_eq!(delivered["Forwarded-By"], MESSENGER);
    let tags = &delivered["Tags"];
    let tag = |name: &str| {
        tags.as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == name)
            .map(|t| t["value"].clone())
    };
    assert_eq!(tag("From-Process"), Some(json!(token)));
    assert_eq!(tag("Type"), Some(json!("Message")));
    assert_eq!(credit.id.len(), 43);

    // The escrow's transfer is caused by the notice, and keeps the chain's root.
    let pay = net
        .trace()
        .iter()
        .find(|e| e.action.as_deref() == Some("Transfer") && e.from == escrow)
        .expect("escrow pays on");
    assert_eq!(pay.cause.as_deref(), Some(credit.id.as_str()));
    assert_eq!(pay.pushed_for.as_deref(), Some(transfer.as_str()));
    assert_eq!(net.caused_by(&credit.id).len(), 1);

    // Messages to wallets left the network: the debit notices and bob's credit.
    let bob_credit = net
        .outbox()
        .iter()
        .find(|m| m.target() == Some(BOB))
        .expect("bob's credit notice");
    assert_eq!(bob_credit.tag("Action"), Some("Credit-Notice"));
    assert_eq!(bob_credit.tag("Quantity"), Some("90"));
    assert_eq!(bob_credit.from, token);
    assert!(net
        .outbox()
        .iter()
        .any(|m| m.target() == Some(WALLET) && m.tag("Action") == Some("Debit-Notice")));
    assert_eq!(net.pending().count(), 0);

    // A dry-run reads through handlers and changes nothing.
    let before = net.state_hash().expect("hash");
    let out = net
        .dry_run(&token, action("Balance").with_tag("Target", BOB))
        .expect("dry-run");
    assert_eq!(out.messages[0].data_text(), Some("90"));
    assert_eq!(net.state_hash().expect("hash"), before);
}

#[test]
fn pushed_messages_need_the_messenger_as_authority() {
    let mut net = Network::default();
    let token = spawn(&mut net, "token", TOKEN);
    // Spawned with an authority of its own: the messenger is not added.
    let strict = net
        .spawn(ProcessOptions {
            authorities: vec!["some-other-mu-000000000000000000000000000000".into()],
            ..ProcessOptions::default()
        })
        .expect("spawn");
    net.eval(&strict, ESCROW).expect("load");
    net.eval(&strict, &format!("Token = '{token}'"))
        .expect("configure");
    net.message(&token, transfer(strict.clone(), "5"))
        .expect("transfer");
    let credit = net
        .trace()
        .iter()
        .find(|e| e.target == strict && e.action.as_deref() == Some("Credit-Notice"))
        .expect("delivered")
        .clone();
    let printed = credit.outcome.expect("outcome").output["data"].clone();
    assert!(
        printed.as_str().unwrap().contains("Message is not trusted"),
        "{printed}"
    );
    assert_eq!(global(&mut net, &strict, "Deposits"), json!([]));
}

/// Spawns a counter child (booted from its Data) and waits for it with `.receive()`.
const FACTORY: &str = r#"
Children = Children or {}
Handlers.add("make", "Make", function(msg)
  local spawned = Spawn(ao._module, {
    Data = "Count = 0 Handlers.add('inc', 'Inc', function(m) Count = Count + 1 m.reply({ Data = tostring(Count) }) end)",
    ["On-Boot"] = "Data",
    Authority = ao.authorities[1],
    Name = "counter",
  }).receive()
  table.insert(Children, spawned.Process)
  ao.send({ Target = spawned.Process, Action = "Inc" })
  msg.reply({ Data = spawned.Process })
end)
"#;

#[test]
fn factory_spawns_a_child_and_waits_for_it() {
    let mut net = Network::default();
    let factory = spawn(&mut net, "factory", FACTORY);
    let make = net.message(&factory, action("Make")).expect("make");
    let children = global(&mut net, &factory, "Children");
    let child = children[0].as_str().expect("child id").to_owned();
    assert_eq!(child.len(), 43);
    assert_eq!(net.processes().len(), 2);
    assert_eq!(net.parent(&child), Some(factory.as_str()));
    // On-Boot ran, the Inc pushed after the spawn arrived, and the child's Owner is the parent.
    assert_eq!(global(&mut net, &child, "Count"), 1);
    assert_eq!(global(&mut net, &child, "Owner"), json!(factory));
    assert_eq!(global(&mut net, &child, "Name"), "counter");
    // The host evaluates in a child as its parent would (pushed, From = the parent).
    let out = net.eval(&child, "Count * 10").expect("eval in the child");
    assert_eq!(out.output_text(), "10");
    // The Spawned notice came from the factory's own id, with the spawn's Reference.
    let spawned = net
        .trace()
        .iter()
        .find(|e| e.action.as_deref() == Some("Spawned"))
        .expect("spawned notice")
        .clone();
    assert_eq!(spawned.from, factory);
    assert_eq!(spawned.target, factory);
    assert_eq!(spawned.cause.as_deref(), Some(child.as_str()));
    assert!(spawned.ok);
    let spawn = net.result(&child).expect("the child's boot").clone();
    assert_eq!(spawn.kind, Kind::Spawn);
    assert_eq!(spawn.cause.as_deref(), Some(make.as_str()));
    assert_eq!(spawn.pushed_for, Some(make.clone()));
    // The reply, sent once the handler resumed, left the network for the wallet.
    let reply = net
        .outbox()
        .iter()
        .find(|m| m.target() == Some(WALLET))
        .expect("reply");
    assert_eq!(reply.message["Data"], json!(child));
    // The counter's reply reached the factory's Inbox.
    let inbox = global(&mut net, &factory, "Inbox");
    assert!(inbox
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["From"] == json!(child) && m["Data"] == "1"));
}

#[test]
fn a_child_without_authority_trusts_no_pushed_message() {
    // As on AO: neither ao.spawn nor the messenger adds an Authority, and the child's own
    // process message is pushed by the messenger (From = parent, Owner = messenger), so
    // aos's trust check stops it too: its On-Boot does not run.
    let mut net = Network::default();
    let parent = spawn(
        &mut net,
        "parent",
        r#"Handlers.add("make", "Make", function(msg)
             ao.spawn(ao._module, { Data = "Booted = true", ["On-Boot"] = "Data" })
           end)"#,
    );
    net.message(&parent, action("Make")).expect("make");
    let child = net.processes()[1].clone();
    assert_eq!(global(&mut net, &child, "Booted"), Json::Null);
    assert_eq!(global(&mut net, &child, "Owner"), json!(parent));
    assert!(net.result(&child).expect("boot").ok);
}

#[test]
fn assignments_are_delivered() {
    let mut net = Network::default();
    let reader = spawn(
        &mut net,
        "reader",
        r#"Seen = {}
           ao.addAssignable("notes", { Action = "Note" })
           Handlers.add("note", "Note", function(msg) table.insert(Seen, msg.Target .. ":" .. msg.Data) end)"#,
    );
    let writer = spawn(
        &mut net,
        "writer",
        r#"Handlers.add("note", "Note", function(msg) ao.assign({ Processes = { Reader }, Message = msg.Id }) end)"#,
    );
    net.eval(&writer, &format!("Reader = '{reader}'"))
        .expect("configure");
    let note = net
        .message(&writer, action("Note").with_data("hello"))
        .expect("note");
    assert_eq!(
        global(&mut net, &reader, "Seen"),
        json!([format!("{writer}:hello")])
    );
    let assigned = net
        .trace()
        .iter()
        .find(|e| e.kind == Kind::Assignment)
        .expect("assignment")
        .clone();
    assert_eq!(assigned.id, note);
    assert_eq!(assigned.target, reader);
    // The message keeps its id: reading its result gives the delivery to its own target.
    assert_eq!(net.result(&note).expect("result").target, writer);
    // The host assigns too (aoconnect's assign); an unknown message is refused.
    net.assign(&reader, &note).expect("assign");
    net.run().expect("run");
    assert_eq!(
        global(&mut net, &reader, "Seen").as_array().unwrap().len(),
        2
    );
    assert!(net.assign(&reader, "no-such-message").is_err());
}

/// A peer of the guide's multi-process state sharing (`examples/peers.lua`): last write
/// wins by version, ties broken by the writer's id; every StateSync is acknowledged.
const PEER: &str = include_str!("../examples/peers.lua");

fn peers(net: &mut Network) -> Vec<String> {
    let ids: Vec<String> = (0..3)
        .map(|i| spawn(net, &format!("peer{i}"), PEER))
        .collect();
    for id in &ids {
        let others: Vec<String> = ids
            .iter()
            .filter(|o| *o != id)
            .map(|o| format!("'{o}'"))
            .collect();
        net.eval(id, &format!("Peers = {{ {} }}", others.join(", ")))
            .expect("peers");
    }
    ids
}

#[test]
fn three_peers_converge_with_state_sync() {
    let mut net = Network::default();
    let ids = peers(&mut net);
    // Two concurrent writes: both are version 1, a conflict every peer resolves alike.
    net.send(&ids[0], action("Set").with_data("alpha"))
        .expect("set");
    net.send(&ids[2], action("Set").with_data("gamma"))
        .expect("set");
    let delivered = net.run().expect("run");
    assert_eq!(delivered, 2 + 4 + 4);
    let states: Vec<Json> = ids
        .iter()
        .map(|id| global(&mut net, id, "Shared"))
        .collect();
    assert_eq!(states[0], states[1]);
    assert_eq!(states[1], states[2]);
    let winner = if ids[0] > ids[2] { &ids[0] } else { &ids[2] };
    assert_eq!(states[0]["writer"], json!(winner));
    for (i, id) in [(0, &ids[0]), (2, &ids[2])] {
        let acks = global(&mut net, id, "Acks");
        assert_eq!(acks[format!("{id}:1")], 2, "peer {i} got both acks");
    }
    let conflicts: i64 = ids
        .iter()
        .map(|id| global(&mut net, id, "Conflicts").as_i64().unwrap())
        .sum();
    assert_eq!(conflicts, 3);
}

#[test]
fn a_number_tag_value_does_not_pass_the_messenger() {
    // The guide's `Timestamp = os.time()` is a number: the MU refuses such a message.
    let mut net = Network::default();
    let ids = peers(&mut net);
    net.eval(
        &ids[0],
        &format!(
            "ao.send({{ Target = '{}', Action = 'StateSync', Timestamp = os.time() }})",
            ids[1]
        ),
    )
    .expect("eval");
    let refused = net.outbox().last().expect("refused").clone();
    assert_eq!(refused.target(), Some(ids[1].as_str()));
    let reason = refused.reason.expect("reason");
    assert!(reason.contains("'Timestamp'"), "{reason}");
    assert!(!net
        .trace()
        .iter()
        .any(|e| e.action.as_deref() == Some("StateSync")));
}

const PING_PONG: &str = r#"
Handlers.add("ping", "Ping", function(msg) ao.send({ Target = msg.From, Action = "Pong" }) end)
Handlers.add("pong", "Pong", function(msg) ao.send({ Target = msg.From, Action = "Ping" }) end)
"#;

#[test]
fn runaway_ping_pong_stops_with_a_clear_error() {
    let mut net = Network::new(NetworkOptions {
        budget: Some(50),
        ..NetworkOptions::default()
    });
    let a = spawn(&mut net, "a", PING_PONG);
    let b = spawn(&mut net, "b", PING_PONG);
    let mut ping = action("Ping");
    ping.from = Some(b.clone());
    // Sent to a as if from b (a host message signed by b's id, trusted as From == Owner).
    let err = net.message(&a, ping).expect_err("runaway");
    assert_eq!(err.code(), "BUDGET_EXCEEDED");
    let text = err.to_string();
    assert!(text.contains("delivered 50 messages"), "{text}");
    assert!(
        text.contains(&format!("{a} -> {b} (Action Pong)")),
        "{text}"
    );
    assert!(
        text.contains(&format!("{b} -> {a} (Action Ping)")),
        "{text}"
    );
    assert_eq!(
        net.trace().len(),
        2 + 2 + 50,
        "two spawns, two loads, the budget"
    );
    // The loop is still pending; dropping it ends it.
    let pending: Vec<u64> = net.pending().map(|p| p.seq).collect();
    assert_eq!(pending.len(), 1);
    net.drop_pending(pending[0]).expect("drop");
    assert_eq!(net.run().expect("quiet"), 0);
}

const LOG: &str = r#"
Log = Log or ""
Handlers.add("add", "Add", function(msg) Log = Log .. msg.Data end)
"#;

#[test]
fn step_hold_and_reorder() {
    let mut net = Network::default();
    let p = spawn(&mut net, "log", LOG);
    let seqs: Vec<u64> = ["a", "b", "c"]
        .iter()
        .map(|d| {
            net.send(&p, action("Add").with_data(*d)).expect("send");
            net.pending().last().unwrap().seq
        })
        .collect();
    net.reorder(&[seqs[2], seqs[1]]).expect("reorder");
    net.hold(seqs[0]).expect("hold");
    let first = net.step().expect("step").expect("delivered").clone();
    assert_eq!(first.seq, seqs[2]);
    assert_eq!(net.run().expect("run"), 1);
    assert_eq!(global(&mut net, &p, "Log"), "cb");
    assert_eq!(net.deliverable(), 0);
    net.release(seqs[0]).expect("release");
    net.run().expect("run");
    assert_eq!(global(&mut net, &p, "Log"), "cba");
    // Nonces are the target's slots in delivery order.
    let nonces: Vec<i64> = net.trace().iter().rev().take(3).map(|e| e.nonce).collect();
    assert_eq!(nonces[0], nonces[1] + 1);
    assert_eq!(nonces[1], nonces[2] + 1);
    assert!(net.hold(999).is_err());
}

#[test]
fn cron_ticks_when_the_clock_advances() {
    let mut net = Network::default();
    let p = net
        .spawn(ProcessOptions {
            tags: vec![
                Tag::new("Cron-Interval", "10-seconds"),
                Tag::new("Cron-Tag-Action", "Tick"),
            ],
            ..ProcessOptions::default()
        })
        .expect("spawn");
    net.eval(
        &p,
        r#"Ticks = {}
           Handlers.add("tick", "Tick", function(msg)
             table.insert(Ticks, { cron = msg.Cron, at = msg.Timestamp, from = msg.From == Owner })
           end)"#,
    )
    .expect("eval");
    let start = net.clock();
    assert_eq!(net.advance(35_000).expect("advance"), 3);
    assert_eq!(net.clock(), start + 35_000);
    net.run().expect("run");
    assert_eq!(net.advance(5_000).expect("advance"), 1);
    net.run().expect("run");
    let ticks = global(&mut net, &p, "Ticks");
    let at: Vec<i64> = ticks
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["at"].as_i64().unwrap() - start)
        .collect();
    assert_eq!(at, vec![10_000, 20_000, 30_000, 40_000]);
    assert!(ticks
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["cron"] == true && t["from"] == true));
    assert_eq!(
        net.trace().iter().filter(|e| e.kind == Kind::Cron).count(),
        4
    );
    assert!(net.advance(-1).is_err());
    // A Cron-Interval the compute unit cannot read is refused at spawn.
    let bad = net.spawn(ProcessOptions {
        tags: vec![Tag::new("Cron-Interval", "1-fortnight")],
        ..ProcessOptions::default()
    });
    assert!(matches!(bad, Err(Error::BadOptions(_))));
}

#[test]
fn the_same_scenario_gives_the_same_network() {
    let (mut one, token1, escrow1, t1) = token_escrow("same");
    let (mut two, token2, escrow2, t2) = token_escrow("same");
    assert_eq!((&token1, &escrow1, &t1), (&token2, &escrow2, &t2));
    assert_eq!(
        serde_json::to_string(one.trace()).unwrap(),
        serde_json::to_string(two.trace()).unwrap()
    );
    assert_eq!(one.state_hash().unwrap(), two.state_hash().unwrap());
    // Another seed, other ids.
    let (_, token3, _, _) = token_escrow("other");
    assert_ne!(token1, token3);
}

#[test]
fn checkpoint_and_rollback_of_the_whole_network() {
    let mut net = Network::default();
    let factory = spawn(&mut net, "factory", FACTORY);
    let log = spawn(&mut net, "log", LOG);
    net.send(&log, action("Add").with_data("x")).expect("send");
    let before = net.state_hash().expect("hash");
    let trace_len = net.trace().len();
    let cp = net.checkpoint(Some("before"));
    net.message(&factory, action("Make")).expect("make");
    assert_eq!(net.processes().len(), 3);
    let child = net.processes()[2].clone();
    let hash_after = net.state_hash().expect("hash");
    assert_eq!(global(&mut net, &log, "Log"), "x");
    assert_ne!(net.state_hash().expect("hash"), before);

    net.rollback(cp).expect("rollback");
    assert_eq!(net.processes().len(), 2);
    assert_eq!(net.trace().len(), trace_len);
    assert_eq!(net.deliverable(), 1, "the pending message is back");
    assert_eq!(global(&mut net, &log, "Log"), "");
    assert_eq!(net.state_hash().expect("hash"), before);
    // Running again gives the same ids and results as the first time.
    net.message(&factory, action("Make")).expect("make again");
    assert_eq!(net.processes()[2], child);
    assert_eq!(net.state_hash().expect("hash"), hash_after);
    assert_eq!(net.checkpoints().len(), 1);
    net.drop_checkpoint(cp).expect("drop");
    assert!(net.rollback(cp).is_err());
}

#[test]
fn export_and_import_round_trip() {
    let (mut net, token, escrow, _) = token_escrow("export");
    // Something pending, held and external travel too.
    net.send(&escrow, action("Ping")).expect("send");
    let held = net.pending().last().unwrap().seq;
    net.hold(held).expect("hold");
    let doc = net.export_state().expect("export");
    let mut copy = Network::import_state(&doc).expect("import");
    assert_eq!(copy.export_state().expect("export"), doc);
    assert_eq!(copy.state_hash().unwrap(), net.state_hash().unwrap());
    assert_eq!(copy.outbox(), net.outbox());
    assert_eq!(copy.processes(), net.processes());

    // Both continue alike.
    for n in [&mut net, &mut copy] {
        n.message(&token, transfer(escrow.clone(), "50"))
            .expect("transfer");
    }
    assert_eq!(copy.state_hash().unwrap(), net.state_hash().unwrap());
    assert_eq!(global(&mut copy, &token, "Balances")[BOB], "130");

    // A fork is independent.
    let mut fork = net.fork().expect("fork");
    fork.release(held).expect("release");
    fork.run().expect("run");
    assert_ne!(fork.state_hash().unwrap(), net.state_hash().unwrap());

    // Broken documents are refused, naming the problem.
    let mut bad: Json = serde_json::from_str(&doc).unwrap();
    bad["processes"][1]["id"] = json!(token);
    let err = Network::import_state(&bad.to_string())
        .err()
        .expect("refused");
    assert_eq!(err.code(), "BAD_STATE");
    assert!(err.to_string().contains("listed twice"), "{err}");
    let err = Network::import_state(r#"{"format":"aolite-state/1"}"#)
        .err()
        .expect("refused");
    assert!(err.to_string().contains("aolite-network/1"), "{err}");
}

#[test]
fn messages_to_unknown_targets_and_waiting_processes() {
    let mut net = Network::default();
    let factory = spawn(&mut net, "factory", FACTORY);
    // Hold the spawn: the factory waits in receive() and cannot be exported meanwhile.
    net.send(&factory, action("Make")).expect("send");
    net.step().expect("step");
    let spawn = net.pending().next().expect("spawn pending").clone();
    assert_eq!(spawn.kind, Kind::Spawn);
    let err = net.export_state().expect_err("waiting coroutine");
    assert_eq!(err.code(), "BAD_STATE");
    // Dropping the spawn: the factory waits forever, nothing else is pending.
    net.drop_pending(spawn.seq).expect("drop");
    assert_eq!(net.run().expect("run"), 0);
    assert_eq!(net.processes().len(), 1);
    assert!(net.send("nobody", action("Ping")).is_err());
}

#[test]
fn the_bundled_escrow_example_pays_on_and_ignores_forged_notices() {
    let mut net = Network::default();
    let token = spawn(&mut net, "token", TOKEN);
    let escrow = spawn(&mut net, "escrow", include_str!("../examples/escrow.lua"));
    net.eval(
        &escrow,
        &format!("Token = '{token}'; Beneficiary = '{BOB}'"),
    )
    .expect("configure");
    // A wallet forging the token's notice is ignored.
    net.message(
        &escrow,
        action("Credit-Notice")
            .with_tag("Sender", WALLET)
            .with_tag("Quantity", "500"),
    )
    .expect("forged");
    assert_eq!(global(&mut net, &escrow, "Fees"), "0");
    net.message(&token, transfer(escrow.clone(), "1000"))
        .expect("transfer");
    let balances = global(&mut net, &token, "Balances");
    assert_eq!(balances[BOB], "990");
    assert_eq!(balances[&escrow], "10");
    assert_eq!(global(&mut net, &escrow, "Fees"), "10");
    let debit = net.trace().last().expect("debit notice");
    assert_eq!(debit.action.as_deref(), Some("Debit-Notice"));
    assert_eq!(debit.target, escrow);
    assert!(debit
        .outcome
        .as_ref()
        .unwrap()
        .output_text()
        .contains("paid 990 on to"));
}

/// The token + escrow example: the network's hash is recorded in `tests/data/` and checked
/// natively here and in wasm (`tests/wasm_common`), so every platform gives the same bytes.
#[test]
fn network_hash_matches_the_golden_file() {
    let mut net = Network::default();
    let token = net.spawn(ProcessOptions::default()).expect("token");
    net.eval(&token, TOKEN).expect("load");
    let escrow = net.spawn(ProcessOptions::default()).expect("escrow");
    net.eval(&escrow, include_str!("../examples/escrow.lua"))
        .expect("load");
    net.eval(
        &escrow,
        &format!("Token = '{token}'; Beneficiary = '{BOB}'"),
    )
    .expect("configure");
    net.message(&token, transfer(escrow.clone(), "1000"))
        .expect("transfer");
    let golden = include_str!("data/network_escrow.hash").trim();
    assert_eq!(net.state_hash().expect("hash"), golden);
}

/// A bank that refuses to overdraw: a deposit and a withdrawal pushed by two processes at
/// once succeed or not depending on which arrives first.
const BANK: &str = r#"
Balance = Balance or 0
Refused = Refused or 0
Handlers.add("deposit", "Deposit", function(msg) Balance = Balance + tonumber(msg.Amount) end)
Handlers.add("withdraw", "Withdraw", function(msg)
  if Balance < tonumber(msg.Amount) then Refused = Refused + 1 return end
  Balance = Balance - tonumber(msg.Amount)
end)
"#;

#[test]
fn exploration_finds_an_order_dependent_bug() {
    let mut net = Network::default();
    let bank = spawn(&mut net, "bank", BANK);
    let payer = spawn(
        &mut net,
        "payer",
        r#"Handlers.add("go", "Go", function() ao.send({ Target = Bank, Action = "Deposit", Amount = "10" }) end)"#,
    );
    let spender = spawn(
        &mut net,
        "spender",
        r#"Handlers.add("go", "Go", function() ao.send({ Target = Bank, Action = "Withdraw", Amount = "10" }) end)"#,
    );
    for p in [&payer, &spender] {
        net.eval(p, &format!("Bank = '{bank}'")).expect("configure");
    }
    net.send(&payer, action("Go")).expect("go");
    net.send(&spender, action("Go")).expect("go");
    let hash = net.state_hash().expect("hash");
    let options = aolite::net::ExploreOptions {
        runs: 12,
        seed: 7,
        budget: None,
    };
    let observe = |n: &mut Network| -> Result<Json, Error> {
        let p = n.process_mut(&bank).expect("bank");
        Ok(json!({ "Balance": p.global_json("Balance")?, "Refused": p.global_json("Refused")? }))
    };
    let found = net.explore(&options, observe).expect("explore");
    assert_eq!(found.len(), 2, "{found:#?}");
    // Run 0 is the default order: the deposit first.
    assert_eq!(found[0].runs[0], 0);
    assert_eq!(found[0].observation, json!({ "Balance": 0, "Refused": 0 }));
    assert_eq!(found[1].observation, json!({ "Balance": 10, "Refused": 1 }));
    let withdraw_first = &found[1].order;
    let w = withdraw_first
        .iter()
        .position(|o| o.ends_with("(Withdraw)"));
    let d = withdraw_first.iter().position(|o| o.ends_with("(Deposit)"));
    assert!(w < d, "{withdraw_first:?}");
    assert_eq!(found.iter().map(|f| f.runs.len()).sum::<usize>(), 12);
    // The same exploration again gives the same groups; the network is as it was.
    assert_eq!(net.explore(&options, observe).expect("again"), found);
    assert_eq!(net.state_hash().expect("hash"), hash);
    assert_eq!(net.deliverable(), 2);
    assert!(net.checkpoints().is_empty());
    // As the JS binding asks for it: observe named globals of named processes.
    let found = net
        .explore_json(&json!({ "runs": 12, "seed": 7, "observe": [{ "process": bank, "globals": ["Balance"] }] }))
        .expect("explore");
    assert_eq!(found.len(), 2);
    assert_eq!(
        found[1].observation,
        json!({ bank.clone(): { "Balance": 10 } })
    );
    let err = net.explore_json(&json!({ "observe": [{ "process": "nobody" }] }));
    assert_eq!(err.err().map(|e| e.code()), Some("BAD_OPTIONS"));
}

/// Every `examples/NAME.scenario.json` prints its recorded output
/// (`tests/data/examples/NAME.scenario.jsonl`); the JS tests check the Node CLI against it.
#[test]
fn the_cli_runs_the_network_scenarios() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(root.join("examples"))
        .expect("examples/")
        .filter_map(|e| {
            let name = e.ok()?.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".scenario.json").map(str::to_owned)
        })
        .collect();
    names.sort();
    assert_eq!(names, ["escrow", "peers"]);
    for name in names {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_aolite"))
            .args(["net", &format!("examples/{name}.scenario.json")])
            .current_dir(root)
            .output()
            .expect("aolite runs");
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let expected = std::fs::read_to_string(
            root.join(format!("tests/data/examples/{name}.scenario.jsonl")),
        )
        .expect("recorded output");
        assert_eq!(String::from_utf8_lossy(&out.stdout), expected, "{name}");
    }
}

#[test]
fn bad_scenarios_are_refused_with_their_reason() {
    use aolite::net::scenario::run;
    let cases = [
        (json!([]), "must be a JSON object"),
        (
            json!({ "processes": [{ "lua": "x = 1" }] }),
            "processes[0].name",
        ),
        (
            json!({ "processes": [{ "name": "a" }, { "name": "a" }] }),
            "two processes are named 'a'",
        ),
        (
            json!({ "processes": [{ "name": "a" }], "steps": [{ "send": "b" }] }),
            "no process named 'b'",
        ),
        (
            json!({ "processes": [{ "name": "a" }], "steps": [{ "jump": 1 }] }),
            "must be one of send, eval, advance, monitor, unmonitor, run",
        ),
        (
            json!({ "processes": [{ "name": "a", "lua": "error('boom')" }] }),
            "in process 'a': ",
        ),
    ];
    for (scenario, expected) in cases {
        let err = run(&scenario).expect_err("refused").to_string();
        assert!(err.contains(expected), "{err} (expected {expected})");
    }
    // A runaway loop in a scenario stops with the budget's error.
    let err = run(&json!({
        "budget": 20,
        "processes": [
            { "name": "a", "lua": "Handlers.add('p', 'Ping', function(m) ao.send({ Target = m.From, Action = 'Ping' }) end)" },
            { "name": "b", "lua": "Handlers.add('p', 'Ping', function(m) ao.send({ Target = m.From, Action = 'Ping' }) end)" }
        ],
        "steps": [{ "send": "a", "message": { "From": "{{b}}", "Tags": { "Action": "Ping" } } }]
    }))
    .expect_err("runaway");
    assert_eq!(err.code(), "BUDGET_EXCEEDED");
}

/// A process whose cron tick sends a Beat to `Peer`, and the peer that counts them.
fn cron_pair(net: &mut Network) -> (String, String) {
    let clock = net
        .spawn(ProcessOptions {
            tags: vec![
                Tag::new("Cron-Interval", "10-seconds"),
                Tag::new("Cron-Tag-Action", "Tick"),
            ],
            ..ProcessOptions::default()
        })
        .expect("spawn");
    let peer = spawn(
        net,
        "peer",
        r#"Beats = 0 Handlers.add("beat", "Beat", function() Beats = Beats + 1 end)"#,
    );
    net.eval(
        &clock,
        &format!(
            r#"Ticks = 0
               Handlers.add("tick", "Tick", function()
                 Ticks = Ticks + 1
                 ao.send({{ Target = "{peer}", Action = "Beat" }})
               end)"#
        ),
    )
    .expect("eval");
    (clock, peer)
}

#[test]
fn monitor_pushes_what_cron_ticks_send() {
    let mut net = Network::default();
    let (clock, peer) = cron_pair(&mut net);
    // Not monitored: the ticks run (the CU evaluates them), what they send is not pushed.
    assert!(!net.is_monitored(&clock));
    net.advance(20_000).expect("advance");
    net.run().expect("run");
    assert_eq!(global(&mut net, &clock, "Ticks"), 2);
    assert_eq!(global(&mut net, &peer, "Beats"), 0);
    let unpushed: Vec<_> = net
        .outbox()
        .iter()
        .filter(|o| o.target() == Some(peer.as_str()))
        .collect();
    assert_eq!(unpushed.len(), 2);
    assert!(unpushed[0]
        .reason
        .as_deref()
        .unwrap()
        .contains("is not monitored"));

    // Monitored: the Beats reach the peer, From the clock process, without Pushed-For.
    let cp = net.checkpoint(None);
    let request = net.monitor(&clock).expect("monitor");
    assert_eq!(request.len(), 43);
    assert!(net.is_monitored(&clock));
    let again = net.monitor(&clock).expect_err("monitored twice");
    assert!(again.to_string().contains("already monitored"), "{again}");
    net.advance(30_000).expect("advance");
    net.run().expect("run");
    assert_eq!(global(&mut net, &clock, "Ticks"), 5);
    assert_eq!(global(&mut net, &peer, "Beats"), 3);
    let beat = net.trace().last().unwrap();
    assert_eq!(
        (beat.from.as_str(), beat.action.as_deref()),
        (clock.as_str(), Some("Beat"))
    );
    assert_eq!(beat.pushed_for, None);

    // The network document keeps it; a rollback returns to before the monitor.
    let copy = Network::import_state(&net.export_state().unwrap()).expect("import");
    assert!(copy.is_monitored(&clock));
    net.rollback(cp).expect("rollback");
    assert!(!net.is_monitored(&clock));
    net.monitor(&clock).expect("monitor");

    // Unmonitored: ticks go on, Beats stop.
    net.unmonitor(&clock).expect("unmonitor");
    assert!(net.unmonitor(&clock).is_err());
    assert!(net.monitor("nobody").is_err());
    net.advance(10_000).expect("advance");
    net.run().expect("run");
    assert_eq!(global(&mut net, &clock, "Ticks"), 3);
    assert_eq!(global(&mut net, &peer, "Beats"), 0);
}

#[test]
fn scenarios_monitor_processes() {
    let scenario = json!({
        "processes": [
            { "name": "peer", "lua": "Beats = 0 Handlers.add('beat', 'Beat', function() Beats = Beats + 1 end)" },
            { "name": "clock", "tags": { "Cron-Interval": "1-minute", "Cron-Tag-Action": "Tick" },
              "lua": "Handlers.add('tick', 'Tick', function() ao.send({ Target = '{{peer}}', Action = 'Beat' }) end)" }
        ],
        "steps": [
            { "advance": 60000 }, { "run": true },
            { "monitor": "clock" }, { "advance": 60000 }, { "run": true },
            { "unmonitor": "clock" }, { "advance": 60000 }, { "run": true }
        ]
    });
    let out = aolite::net::scenario::run(&scenario).expect("scenario");
    let beats = out
        .lines()
        .filter(|l| l.contains("\"action\":\"Beat\""))
        .count();
    let delivered = out
        .lines()
        .filter(|l| l.contains("\"action\":\"Beat\"") && l.contains("\"step\""))
        .count();
    // Three ticks; only the monitored one's Beat was delivered, the others left unpushed.
    assert_eq!(delivered, 1, "{out}");
    assert_eq!(beats, 3, "{out}");
    assert_eq!(out.matches("is not monitored").count(), 2, "{out}");
}

/// A logged network: token and escrow, a transfer, a cron tick, a held message.
fn logged_network() -> (Network, String, String) {
    let mut net = Network::new(NetworkOptions {
        seed: Some("logged".into()),
        log: true,
        ..NetworkOptions::default()
    });
    let token = spawn(&mut net, "token", TOKEN);
    let escrow = spawn(&mut net, "escrow", ESCROW);
    net.eval(
        &escrow,
        &format!("Token = '{token}'; Beneficiary = '{BOB}'"),
    )
    .expect("configure");
    net.message(&token, transfer(escrow.clone(), "100"))
        .expect("transfer");
    net.send(&token, transfer(escrow.clone(), "50"))
        .expect("send");
    let held = net.pending().next().unwrap().seq;
    net.hold(held).expect("hold");
    net.message(&token, transfer(BOB, "7")).expect("transfer");
    net.release(held).expect("release");
    net.run().expect("run");
    (net, token, escrow)
}

#[test]
fn a_logged_network_replays_to_the_same_state() {
    let (mut net, token, _) = logged_network();
    let log = net.log().expect("a log").clone();
    assert_eq!(log.steps.len(), net.trace().len());
    assert!(log
        .steps
        .iter()
        .all(|s| s.hash.as_deref().map(str::len) == Some(64)));
    let mut again = Network::replay(&log).expect("replay");
    assert_eq!(again.state_hash().unwrap(), net.state_hash().unwrap());
    // Through JSON, as a file would carry it.
    let json: Json = serde_json::from_str(&log.to_json().to_string()).unwrap();
    let mut third = Network::replay_json(&json).expect("replay from JSON");
    assert_eq!(third.state_hash().unwrap(), net.state_hash().unwrap());
    // The replayed network keeps logging, and its log is the same.
    assert_eq!(again.log().unwrap(), &log);
    assert_eq!(global(&mut again, &token, "Balances")[BOB], "137");
}

#[test]
fn a_tampered_log_is_reported_at_the_step_that_diverges() {
    let (net, token, escrow) = logged_network();
    let log = net.log().unwrap().to_json();

    // A recorded hash changed: reported at that very step, naming process and message.
    let mut bad = log.clone();
    let k = 7;
    let step = bad["steps"][k].clone();
    bad["steps"][k]["hash"] = json!("0".repeat(64));
    let err = Network::replay_json(&bad).err().expect("mismatch");
    assert_eq!(err.code(), "REPLAY_MISMATCH");
    let text = err.to_string();
    assert!(text.contains(&format!("step {}:", step["step"])), "{text}");
    assert!(text.contains(step["process"].as_str().unwrap()), "{text}");
    assert!(text.contains(step["message"].as_str().unwrap()), "{text}");

    // A host message changed (the second transfer pays 60, not 50): the replay diverges at
    // its delivery to the token, the first step it changes.
    let mut bad = log.clone();
    let actions = bad["actions"].as_array_mut().unwrap();
    let send = actions
        .iter_mut()
        .filter(|a| a["op"] == "send" && a["target"] == json!(token))
        .find(|a| a["message"].to_string().contains("\"50\""))
        .expect("the second transfer");
    let text = send["message"].to_string().replace("\"50\"", "\"60\"");
    send["message"] = serde_json::from_str(&text).unwrap();
    let delivered = net
        .trace()
        .iter()
        .find(|e| e.message.to_json().to_string().contains("\"50\"") && e.target == token)
        .expect("its delivery");
    let err = Network::replay_json(&bad)
        .err()
        .expect("mismatch")
        .to_string();
    assert!(
        err.contains(&format!("step {}: process {token}", delivered.step)),
        "{err} (expected step {})",
        delivered.step
    );
    assert!(err.contains(&delivered.id), "{err}");

    // A step removed from the log: the replay makes a delivery the log does not have.
    let mut bad = log.clone();
    bad["steps"].as_array_mut().unwrap().pop();
    let err = Network::replay_json(&bad)
        .err()
        .expect("mismatch")
        .to_string();
    assert!(err.contains("which the log does not have"), "{err}");
    let _ = escrow;
}

#[test]
fn a_log_started_later_replays_from_its_base_and_rollback_shortens_it() {
    let mut net = Network::new(NetworkOptions {
        seed: Some("based".into()),
        ..NetworkOptions::default()
    });
    assert!(net.log().is_none());
    let token = spawn(&mut net, "token", TOKEN);
    net.start_log().expect("start the log");
    let base_hash = net.state_hash().unwrap();
    let (clock, peer) = cron_pair(&mut net);
    net.monitor(&clock).expect("monitor");
    net.advance(20_000).expect("advance");
    net.run().expect("run");
    net.message(&token, transfer(peer.clone(), "5"))
        .expect("transfer");
    let log = net.log().unwrap().clone();
    assert!(matches!(log.start, aolite::net::log::Start::State(_)));
    let mut again = Network::replay(&log).expect("replay");
    assert_eq!(again.state_hash().unwrap(), net.state_hash().unwrap());
    assert_eq!(global(&mut again, &peer, "Beats"), 2);

    // A rollback takes the log back with the network.
    let cp = net.checkpoint(None);
    let before = net.log().unwrap().clone();
    net.advance(10_000).expect("advance");
    net.run().expect("run");
    assert_ne!(net.log().unwrap(), &before);
    net.rollback(cp).expect("rollback");
    assert_eq!(net.log().unwrap(), &before);

    // An empty log replays to its base.
    let mut fresh = Network::new(NetworkOptions::default());
    fresh.spawn(ProcessOptions::default()).expect("spawn");
    let mut base = Network::import_state(&net.export_state().unwrap()).unwrap();
    base.start_log().unwrap();
    let mut same = Network::replay(base.log().unwrap()).expect("replay");
    assert_eq!(same.state_hash().unwrap(), net.state_hash().unwrap());
    assert_ne!(base_hash, net.state_hash().unwrap());
}

#[test]
fn a_factory_waiting_in_receive_replays_from_its_log() {
    let mut net = Network::new(NetworkOptions {
        log: true,
        ..NetworkOptions::default()
    });
    let factory = spawn(&mut net, "factory", FACTORY);
    net.message(&factory, action("Make")).expect("make");
    let log = net.log().unwrap().clone();
    // While the factory waited for the Spawned notice, it had no state hash to record.
    assert!(log
        .steps
        .iter()
        .any(|s| s.process == factory && s.hash.as_deref() == Some("error: BAD_STATE")));
    let mut again = Network::replay(&log).expect("replay");
    assert_eq!(again.state_hash().unwrap(), net.state_hash().unwrap());
}

/// A long-running network does not grow with every delivery: the trace and the outbox keep
/// the latest `trace_limit` entries (steps still count every delivery), results of recent
/// messages stay readable, positions given to `trace_from`/`outbox_from` count the dropped
/// entries, an imported copy drops the same entries as the original (same hash as they
/// go on), and rolling back across dropped entries works. Found by the soak benchmark:
/// 1 000 000 deliveries kept 1 000 000 trace entries (about 12 KB each).
#[test]
fn the_trace_and_outbox_keep_the_latest_entries() {
    const PING: &str = r#"
    Handlers.add("ping", "Ping", function(msg)
      Pings = (Pings or 0) + 1
      if Peer then ao.send({ Target = Peer, Action = "Pong" }) end
      msg.reply({ Action = "Pinged" })
    end)
    "#;
    let mut net = Network::new(NetworkOptions {
        trace_limit: Some(40),
        ..NetworkOptions::default()
    });
    let a = spawn(&mut net, "a", PING);
    let b = spawn(&mut net, "b", PING);
    net.eval(&a, &format!("Peer = {b:?}")).expect("peer");
    let early = net.trace_total();
    let cp = net.checkpoint(Some("early"));
    let mut last = String::new();
    for i in 0..100 {
        let before = net.trace_total();
        last = net.message(&a, action("Ping")).expect("ping");
        // Each Ping is delivered, then its Pong; the reply leaves the network.
        assert_eq!(net.trace_total(), before + 2, "ping {i}");
        assert!(net.trace().len() <= 50, "trace holds {}", net.trace().len());
        assert!(
            net.outbox().len() <= 50,
            "outbox holds {}",
            net.outbox().len()
        );
    }
    let total = net.trace_total();
    assert_eq!(net.trace().last().map(|e| e.step), Some(total as u64));
    assert!(net.trace().len() >= 40 && net.trace().len() < total);
    assert_eq!(net.trace_from(total - 2).len(), 2);
    assert!(net.trace_from(0).len() == net.trace().len());
    assert_eq!(net.outbox_total(), 100);
    assert_eq!(net.outbox_from(99).len(), 1);
    assert_eq!(net.result(&last).map(|e| e.ok), Some(true));
    // The first ping's delivery has gone with its entry.
    let first_ping = net.trace()[0].step;
    assert!(first_ping > 1);
    assert_eq!(global(&mut net, &a, "Pings"), json!(100));
    // An imported copy holds the same entries and drops the same ones as both go on.
    let mut copy = Network::import_state(&net.export_state().expect("export")).expect("import");
    assert_eq!(copy.trace_limit(), 40);
    assert_eq!(copy.trace_total(), total);
    assert_eq!(
        copy.result(&last).map(|e| e.step),
        net.result(&last).map(|e| e.step)
    );
    for _ in 0..30 {
        net.message(&a, action("Ping")).expect("ping");
        copy.message(&a, action("Ping")).expect("ping");
        assert_eq!(
            copy.state_hash().expect("hash"),
            net.state_hash().expect("hash")
        );
    }
    // Rolling back to a checkpoint older than every kept entry: the trace starts there.
    net.rollback(cp).expect("rollback");
    assert_eq!(net.trace_total(), early);
    assert!(net.trace().is_empty());
    assert_eq!(global(&mut net, &a, "Pings"), Json::Null);
    net.message(&a, action("Ping"))
        .expect("ping after rollback");
    assert_eq!(global(&mut net, &a, "Pings"), json!(1));
    assert_eq!(
        net.trace().last().map(|e| e.step),
        Some(net.trace_total() as u64)
    );
    // A run that drops entries while it runs still reports a runaway loop.
    let mut tight = Network::new(NetworkOptions {
        trace_limit: Some(8),
        budget: Some(100),
        ..NetworkOptions::default()
    });
    let x = spawn(&mut tight, "x", "");
    let loop_src = format!(
        r#"Handlers.add("bounce", "Bounce", function(msg) ao.send({{ Target = {x:?}, Action = "Bounce" }}) end)"#
    );
    tight.eval(&x, &loop_src).expect("loop");
    let err = tight.message(&x, action("Bounce")).expect_err("runaway");
    assert!(matches!(err, Error::BudgetExceeded(_)), "{err}");
    assert!(tight.trace().len() <= 10);
}
