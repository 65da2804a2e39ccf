//! The process API as a Rust user drives it.

use aolite::{Message, Process, ProcessOptions};
use serde_json::json;

fn process() -> Process {
    Process::new(ProcessOptions::default()).expect("spawn")
}

#[test]
fn eval_returns_printed_text_and_values() {
    let mut p = process();
    let out = p.eval("print('hi') return 1 + 1").expect("eval");
    assert_eq!(out.output, "hi\n2");
    // As in aos, a second returned value is taken as an error.
    let err = p
        .eval("return 1, 'two'")
        .expect_err("second value is an error");
    assert_eq!(err.to_string(), "two");
    // An expression alone is evaluated as `return <expr>`, as aos's Eval does.
    assert_eq!(p.eval("1.5 * 2").expect("eval").output, "3.0");
}

#[test]
fn globals_persist_across_evals_and_messages() {
    let mut p = process();
    p.eval("Counter = 10").expect("eval");
    p.eval(r#"Handlers.add("inc", "Inc", function(msg) Counter = Counter + tonumber(msg.By) end)"#)
        .expect("eval");
    p.send(
        Message::default()
            .with_tag("Action", "Inc")
            .with_tag("By", "5"),
    )
    .expect("send");
    assert_eq!(p.global_json("Counter").expect("global"), json!(15));
}

#[test]
fn send_returns_outcome_with_reply_and_output() {
    let mut p = process();
    p.eval(
        r#"Handlers.add("ping", "Ping", function(msg)
             print("got " .. msg.Action .. " from " .. msg.From)
             msg.reply({ Data = "pong" })
           end)"#,
    )
    .expect("eval");
    let out = p
        .send(
            Message::default()
                .with_tag("Action", "Ping")
                .with_from("alice"),
        )
        .expect("send");
    assert_eq!(out.error, None);
    assert_eq!(out.output_text(), "got Ping from alice");
    assert_eq!(out.messages.len(), 1);
    let reply = &out.messages[0];
    assert_eq!(reply.target.as_deref(), Some("alice"));
    assert_eq!(reply.data_text(), Some("pong"));
    assert_eq!(reply.tag("Type"), Some("Message"));
    assert!(out.gas_used > 0);
}

#[test]
fn handler_errors_are_reported_in_the_outcome() {
    let mut p = process();
    p.eval(r#"Handlers.add("bad", "Bad", function(msg) error("nope") end)"#)
        .expect("eval");
    let out = p
        .send(Message::default().with_tag("Action", "Bad"))
        .expect("send");
    assert!(out.error.as_deref().unwrap_or("").contains("nope"));
    assert!(out.messages.is_empty());
}

#[test]
fn syntax_errors_name_the_chunk_and_line() {
    let mut p = process();
    let err = p.eval("x = = 1").expect_err("syntax");
    assert_eq!(err.code(), "SYNTAX_ERROR");
    assert!(err.to_string().starts_with("[string \"aos\"]:1:"), "{err}");
    // Lua 5.3's wording, as real aos gives it (tests/syntax_errors.rs has the full corpus).
    assert!(
        err.to_string()
            .ends_with("[string \"aos\"]:1: unexpected symbol near '='"),
        "{err}"
    );
    let err = p
        .eval("Handlers.add('x', function() end\n")
        .expect_err("syntax");
    assert!(
        err.to_string()
            .ends_with("[string \"aos\"]:2: ')' expected (to close '(' at line 1) near <eof>"),
        "{err}"
    );
}

#[test]
fn method_calls_on_strings_use_the_string_library() {
    let mut p = process();
    assert_eq!(
        p.eval("local s = 'abc' return s:upper() .. ('x'):upper()")
            .expect("eval")
            .output,
        "ABCX"
    );
    let err = p
        .eval("local n = nil return n:upper()")
        .expect_err("nil receiver");
    assert!(
        err.to_string().contains("attempt to index a nil value"),
        "{err}"
    );
}

#[test]
fn spawn_options_reach_the_runtime() {
    let options = ProcessOptions::from_json(&json!({
        "id": "PROCESS_options_000000000000000000000000000",
        "owner": "OWNER_options_00000000000000000000000000000",
        "module": "MODULE_options_0000000000000000000000000000",
        "tags": { "Name": "opt-test" },
        "moduleTags": [{ "name": "Memory-Limit", "value": "1-gb" }],
        "authorities": ["AUTH_options_000000000000000000000000000000"],
    }))
    .expect("options");
    let mut p = Process::new(options).expect("spawn");
    let out = p
        .eval("return Name .. ' ' .. ao.id .. ' ' .. ao._module .. ' ' .. ao.authorities[1]")
        .expect("eval");
    assert_eq!(
        out.output,
        "opt-test PROCESS_options_000000000000000000000000000 MODULE_options_0000000000000000000000000000 AUTH_options_000000000000000000000000000000"
    );
    let module_tag = p
        .send(
            aolite::Message::default()
                .with_tag("Action", "Eval")
                .with_data(
                    "return ao.env.Module.Tags[1].name .. '=' .. ao.env.Module.Tags[1].value",
                ),
        )
        .expect("send");
    assert_eq!(module_tag.output_text(), "Memory-Limit=1-gb");
}

#[test]
fn eval_refuses_when_no_handler_takes_it_and_evaluate_runs_as_the_host() {
    let mut p = process();
    p.eval("Counter = 1").expect("eval");
    p.eval(r#"Owner = """#).expect("renounce");
    let before = p.state_hash().expect("hash");
    let log = p.message_log().len();
    let err = p.eval("Counter = 2").expect_err("not handled");
    assert_eq!(err.code(), "NOT_HANDLED");
    assert!(err.to_string().contains("Owner"), "{err}");
    // Nothing was kept: not the message in the Inbox, not the log entry.
    assert_eq!(p.state_hash().expect("hash"), before);
    assert_eq!(p.message_log().len(), log);
    assert_eq!(p.checkpoint(None), 1, "user checkpoint ids are not used up");
    // evaluate runs whatever the handlers do; output as Eval's (prints, then the value).
    let out = p
        .evaluate("print('hi') Counter = Counter + 1 return Counter")
        .expect("evaluate");
    assert_eq!(out.output, "hi\n2");
    assert_eq!(p.evaluate("Counter * 10").expect("expr").output, "20");
    // Errors: nothing kept, the right codes.
    let e = p.evaluate("Counter = 99 error('boom')").expect_err("error");
    assert_eq!(e.code(), "LUA_ERROR");
    assert!(e.to_string().contains("boom"), "{e}");
    assert_eq!(p.evaluate("return Counter").expect("read").output, "2");
    assert_eq!(
        p.evaluate("return (").expect_err("syntax").code(),
        "SYNTAX_ERROR"
    );
    // Logged, so a replay repeats it.
    let entries = p.message_log().to_vec();
    assert!(entries
        .iter()
        .any(|e| e.kind == aolite::state::history::Delivery::Evaluate));
    let mut replayed = Process::replay(
        aolite::state::history::ReplayStart::Spawn(Box::default()),
        &entries,
    )
    .expect("replay");
    assert_eq!(
        replayed.state_hash().expect("hash"),
        p.state_hash().expect("hash")
    );
}

#[test]
fn aoconnect_shaped_messages_are_accepted() {
    let mut p = process();
    p.eval(
        r#"Handlers.add("t", "T", function(m) Got = m.From .. "|" .. m.Note .. "|" .. m.Data end)"#,
    )
    .expect("eval");
    p.send_json(&json!({
        "From": "alice",
        "tags": [{ "Name": "Action", "Value": "T" }, { "name": "Note", "VALUE": "n" }],
        "data": "body"
    }))
    .expect("aoconnect shape");
    assert_eq!(p.global_json("Got").expect("Got"), json!("alice|n|body"));
    // The near misses (`Tag`, `Form`, `nmae`, both `Tags` and `tags`, `signer`) are refused:
    // tests/data/hostile/messages.json.
    // Fields far from the known ones still pass through.
    p.send_json(&json!({ "Epoch": 1, "Other": "x", "Tags": { "Action": "None" } }))
        .expect("pass through");
}

#[test]
fn the_data_view_and_global_json_agree_on_empty_tables() {
    let mut p = process();
    p.eval("Empty = {} Nested = { inner = {} }").expect("eval");
    let view = p.view(Some(&["Empty".to_owned(), "Nested".to_owned()]));
    assert_eq!(view["Empty"], p.global_json("Empty").expect("json"));
    assert_eq!(view["Nested"], p.global_json("Nested").expect("json"));
    assert_eq!(view["Empty"], json!([]));
}

/// Past its 10 000-entry cap the Inbox drops its oldest message for each new one, as aos's
/// `table.remove(Inbox, 1)` does (natively here, with one undo record): the same contents as
/// through a replaced `table.remove`, and a rollback or a dry-run restores it exactly.
#[test]
fn the_inbox_past_its_cap_keeps_the_newest_and_rolls_back() {
    // Inbox[1] is the spawn message (`_boot` puts it there).
    let fill = "for i = #Inbox + 1, 10000 do Inbox[i] = { Seq = tostring(i) } end";
    let unhandled = |i: usize| json!({"Tags": {"Action": "Other", "Seq": format!("new{i}")}});
    let inbox = "local t = {} for i, m in ipairs(Inbox) do t[i] = tostring(m.Seq) end \
                 return #Inbox .. ' ' .. table.concat(t, ',', 1, 3) .. ' ' .. Inbox[#Inbox].Seq";
    let mut p = process();
    p.eval(fill).expect("fill");
    // The same messages through a `table.remove` the runtime cannot recognise (aos's path).
    let mut q = process();
    q.eval(fill).expect("fill");
    q.eval("local remove = table.remove; table.remove = function(...) return remove(...) end")
        .expect("wrap");
    let before = p.state_hash().expect("hash");
    let cp = p.checkpoint(None);
    for i in 0..3 {
        p.send_json(&unhandled(i)).expect("send");
        q.send_json(&unhandled(i)).expect("send");
    }
    let seen = p.eval(inbox).expect("inbox").output;
    assert_eq!(seen, "10000 4,5,6 new2");
    assert_eq!(seen, q.eval(inbox).expect("inbox").output);
    // A dry-run past the cap leaves no trace.
    let after = p.state_hash().expect("hash");
    p.dry_run(Message::default().with_tag("Action", "Other"))
        .expect("dry-run");
    assert_eq!(p.state_hash().expect("hash"), after);
    // So does a failing message that went to the Inbox before failing.
    p.eval(
        "Handlers.add('fail', function() return 'continue' end, function() FailNext = true end)",
    )
    .expect("eval");
    p.eval("Handlers.append('boom', function() return FailNext == true end, function() error('boom') end)")
        .expect("eval");
    let hash = p.state_hash().expect("hash");
    let o = p.send_json(&unhandled(9)).expect("send");
    assert!(o.error.is_some(), "{o:?}");
    assert_eq!(p.state_hash().expect("hash"), hash);
    p.rollback(cp).expect("rollback");
    assert_eq!(p.state_hash().expect("hash"), before);
    assert_eq!(p.eval(inbox).expect("inbox").output, "10000 nil,2,3 10000");
}

/// The native removal moves slots wherever piccolo keeps them: an Inbox filled from the end
/// holds much of its sequence in the table's hash part.
#[test]
fn the_inbox_filled_backwards_loses_its_oldest_as_aos_does() {
    let fill = "local n = #Inbox for i = 10000, n + 1, -1 do Inbox[i] = { Seq = tostring(i) } end";
    let inbox = "local t = {} for i, m in ipairs(Inbox) do t[#t + 1] = tostring(m.Seq) end \
                 return #t .. ' ' .. table.concat(t, ',', 1, 3) .. ' ' .. t[#t]";
    let outputs: Vec<String> = [
        "",
        "local r = table.remove; table.remove = function(...) return r(...) end",
    ]
    .iter()
    .map(|wrap| {
        let mut p = process();
        p.eval(fill).expect("fill");
        p.eval(wrap).expect("wrap");
        for i in 0..2 {
            p.send_json(&json!({"Tags": {"Action": "Other", "Seq": format!("new{i}")}}))
                .expect("send");
        }
        p.eval(inbox).expect("inbox").output
    })
    .collect();
    assert_eq!(outputs[0], "10000 3,4,5 new1");
    assert_eq!(outputs[0], outputs[1]);
}

/// The runtime's per-message fast paths (native key normalisation, tag sets, handler
/// re-registration, the Inbox removal) give what aos's Lua gives: the same messages through
/// a process where each is switched off (the functions they stand in for wrapped, the tag
/// lists given a metatable) have the same outcomes, GasUsed aside, and the same state.
#[test]
fn fast_paths_match_the_lua_they_stand_in_for() {
    let slow_down = r#"
local normalize = Utils.normalize
Utils.normalize = function(s) return normalize(s) end
for _, name in ipairs({ "add", "append" }) do
  local f = Handlers[name]
  Handlers[name] = function(...) return f(...) end
end
setmetatable(ao.nonExtractableTags, {})
setmetatable(ao.nonForwardableTags, {})
local status = coroutine.status
coroutine.status = function(c) return status(c) end
local text = tostring
tostring = function(v) return text(v) end
local sub = string.sub
string.sub = function(...) return sub(...) end
local spec = Utils.matchesSpec
Utils.matchesSpec = function(...) return spec(...) end
"#;
    let setup = r#"
Seen = {}
Handlers.add("echo", "Echo", function(msg)
  local keys = {}
  for k, v in pairs(msg) do if type(v) ~= "function" and type(v) ~= "table" then keys[#keys + 1] = k .. "=" .. tostring(v) end end
  table.sort(keys)
  Seen[#Seen + 1] = table.concat(keys, " ")
  -- The tag maps and arrays of the message and of the process, and the outbox.
  for _, t in ipairs({ msg.Tags, ao.env.Process.Tags }) do
    local pairsText = {}
    for k, v in pairs(t) do pairsText[#pairsText + 1] = k .. "=" .. tostring(v) end
    table.sort(pairsText)
    Seen[#Seen + 1] = table.concat(pairsText, " ")
  end
  Seen[#Seen + 1] = #msg.TagArray .. " " .. #ao.env.Process.TagArray .. " " .. tostring(ao.id) .. " " .. #ao.outbox.Messages .. #ao.outbox.Spawns .. #ao.outbox.Assignments .. #ao.outbox.Output
  msg.forward("SOMEONE_ELSE_000000000000000000000000000000", { Extra = "x" })
  msg.reply({ Data = "ok", Tags = { { name = "Array-Tag", value = "1" } } })
end)
-- ao.normalize on tables no message has (the native extraction declines them all but the
-- last: a number name, a nil name, a tag that is the message, a list or tag with an
-- __index, a nil value).
Handlers.add("crafted", "Crafted", function(msg)
  local out = {}
  local function try(m)
    local ok, err = pcall(ao.normalize, m)
    local keys = {}
    for k, v in pairs(m) do
      if k ~= "Tags" and k ~= 2 then keys[#keys + 1] = tostring(k) .. "=" .. tostring(v) end
    end
    table.sort(keys)
    out[#out + 1] = tostring(ok) .. ":" .. tostring(ok or err) .. ":" .. table.concat(keys, ",")
  end
  try({ Tags = { { name = "A", value = "1" }, { name = 5, value = "five" } } })
  try({ Tags = { { name = "A", value = "1" }, { value = "no name" }, { name = "B", value = "2" } } })
  local m = { Tags = {} }
  m.Tags[1] = { name = "name", value = "B" }
  m.Tags[2] = m
  try(m)
  try({ Tags = setmetatable({}, { __index = function(t, i) if i <= 2 then return { name = "K" .. i, value = i } end end }) })
  try({ Tags = { setmetatable({}, { __index = { name = "Meta", value = "m" } }) } })
  try({ Tags = { { name = "Data-Protocol", value = "x" }, { name = "Gone" }, { name = "Z", value = "z" } }, Gone = "was" })
  Seen[#Seen + 1] = table.concat(out, " ; ")
end)
-- Handlers waiting in Receive, woken out of order: Handlers.coroutines keeps the waiting
-- ones and drops dead ones as aos's loop does (skipping the item after each removal).
Handlers.add("wait", "Wait", function(msg)
  local got = Receive({ Action = "Wake", Key = msg.Key })
  Seen[#Seen + 1] = "woke " .. msg.Key .. " by " .. got.Key
end)
Handlers.add("count", "Count", function(msg)
  local modes = {}
  for i, c in ipairs(Handlers.coroutines) do modes[i] = coroutine.status(c) end
  Seen[#Seen + 1] = #Handlers.coroutines .. ":" .. table.concat(modes, ",")
end)
-- The prompt with a Name that is a number, and with a colour changed.
Handlers.add("rename", "Rename", function(msg)
  Name = tonumber(msg.To) or msg.To
  Colors.red = msg.Red or Colors.red
end)
-- The Inbox's line with a colour that is a number (the Lua concatenates it).
Handlers.add("gray", "Gray", function(msg)
  Colors.gray = tonumber(msg.To) or msg.To
end)
-- The process's own Id on a message without an Owner: initializeState makes one. Tab and
-- ao.init replaced: the program's functions run.
Handlers.add("unown", "Unown", function(msg) Owner = nil end)
Handlers.add("owner", "Owner", function(msg)
  Seen[#Seen + 1] = "owner " .. tostring(Owner) .. " id " .. tostring(msg.Id) .. " " .. tostring(msg.Tags.Retabbed)
end)
Handlers.add("retab", "Retab", function(msg)
  local tab, init = Tab, ao.init
  Tab = function(m) local t = tab(m) t.Retabbed = "yes" return t end
  ao.init = function(env) Inits = (Inits or 0) + 1 return init(env) end
end)
-- _default and _eval changed by a program: registering them again undoes it; _default
-- removed: it is appended again.
Handlers.add("mangle", "Mangle", function(msg)
  for _, h in ipairs(Handlers.list) do
    if h.name == "_default" then h.maxRuns = 5 end
    if h.name == "_eval" then h.pattern = "Never" end
  end
end)
Handlers.add("entries", "Entries", function(msg)
  local text = {}
  for i, h in ipairs(Handlers.list) do
    text[i] = h.name .. ":" .. type(h.pattern) .. ":" .. tostring(h.maxRuns)
  end
  Seen[#Seen + 1] = table.concat(text, ",")
end)
Handlers.add("undefault", "Undefault", function(msg) Handlers.remove("_default") end)
-- Table patterns: "_", alternatives, case, a Lua pattern, a missing field, a number.
Handlers.add("fields", { Action = "Fields", Kind = "_" }, function(msg) Seen[#Seen + 1] = "fields " .. msg.Kind end)
Handlers.add("alts", { Action = { "Alt-One", "alt-two" } }, function(msg) Seen[#Seen + 1] = "alts " .. msg.Action end)
Handlers.add("lua-pattern", { Action = "Pat%d" }, function(msg) Seen[#Seen + 1] = "pattern " .. msg.Action end)
Handlers.add("numbered", { Action = "Numbered", Count = 5 }, function(msg) Seen[#Seen + 1] = "numbered" end)
-- Printed lines of each kind, and an outbox Error (the result is the Error).
Handlers.add("say", "Say", function(msg) print("one") print(42) print({ a = 1 }) print(nil) end)
Handlers.add("fail", "Fail", function(msg) ao.outbox.Error = "set by the handler" end)
-- The reply handlers of a sent message wait for its reference.
Handlers.add("ask", "Ask", function(msg)
  local m = ao.send({ Target = "peer", Action = "Question" })
  m.onReply(function() end)
  for _, h in ipairs(Handlers.list) do
    if type(h.pattern) == "table" and h.pattern.From == "peer" then
      Seen[#Seen + 1] = "asked " .. tostring(h.pattern["X-Reference"]) .. " " .. m.Tags[4].value
    end
  end
end)
-- What print returns and leaves in the outbox, with and without the printed lines.
Handlers.add("say-two", "Say-Two", function(msg)
  local first = print("first")
  print("second")
  local saved = HANDLER_PRINT_LOGS
  HANDLER_PRINT_LOGS = nil
  local third = print("third")
  HANDLER_PRINT_LOGS = saved
  Seen[#Seen + 1] = tostring(first) .. "|" .. tostring(third) .. "|" .. ao.outbox.Output.data .. "|" .. tostring(ao.outbox.Output.print)
end)
Handlers.add("lists", "Lists", function(msg)
  table.remove(ao.nonExtractableTags, 5) -- "Type" becomes extractable
  ao.nonForwardableTags[#ao.nonForwardableTags + 1] = "Extra"
end)
"#;
    let names = [
        "reply_to",
        "x-ABC_def",
        "-a",
        "__x",
        "A--b",
        "data-protocol",
        "Content_type",
        "ÜnÏ-é",
        "Type",
        "Variant",
        "Ref_",
        "a1-b2",
        "",
    ];
    let process_id = process().id().to_owned();
    let mut msgs = Vec::new();
    for round in 0..2 {
        let mut tags = serde_json::Map::new();
        tags.insert("Action".into(), json!("Echo"));
        for (i, n) in names.iter().enumerate() {
            if !n.is_empty() {
                tags.insert((*n).into(), json!(format!("v{round}{i}")));
            }
        }
        msgs.push(json!({"Tags": tags, "Data": "d"}));
        msgs.push(json!({"Tags": {"Action": "Crafted"}}));
        msgs.push(json!({"Tags": {"Action": "Rename", "To": "42", "Red": "<r>"}}));
        msgs.push(json!({"Tags": {"Action": "Unhandled"}}));
        msgs.push(json!({"Tags": {"Action": "Rename", "To": "aos"}}));
        for (action, key) in [
            ("Wait", "1"),
            ("Wait", "2"),
            ("Wait", "3"),
            ("Wait", "4"),
            ("Wake", "2"),
            ("Wake", "3"),
            ("Wake", "1"),
            ("Wake", "4"),
        ] {
            msgs.push(json!({"Tags": {"Action": action, "Key": key}}));
            msgs.push(json!({"Tags": {"Action": "Count"}}));
        }
        msgs.push(json!({"Tags": {"Action": "Lists"}}));
        msgs.push(json!({"Tags": {"Action": "Unhandled", "some_key": "1"}}));
        // The Inbox's line: short and non-ASCII senders, an Action cut at 20 bytes inside a
        // character, no Action (the Data branch), a colour that is a number.
        msgs.push(
            json!({"From": "ab", "Tags": {"Action": "Unhandled-Action-Name-Longer-Than-Twenty"}}),
        );
        msgs.push(json!({"From": "éé-sender-ü", "Tags": {"Action": "ÜÜÜÜÜÜÜÜÜÜÜÜÜÜÜ"}}));
        msgs.push(json!({"Tags": {"Other": "x"}, "Data": "no action, some data to cut"}));
        msgs.push(json!({"Tags": {"Action": "Gray", "To": "7"}}));
        msgs.push(json!({"Tags": {"Action": "Unhandled"}}));
        msgs.push(json!({"Tags": {"Action": "Gray", "To": "\u{1b}[90m"}}));
        // JSON Data, a tag renamed to `Tags`, a tag `Id` (the process's own: no Owner yet).
        msgs.push(json!({"Tags": {"Action": "Echo", "Content-Type": "application/json"}, "Data": "{\"a\": 1}"}));
        msgs.push(json!({"Tags": {"Action": "Echo", "tags": "x", "From-Process": "P"}}));
        msgs.push(json!({"Tags": {"Action": "Unown"}}));
        msgs.push(json!({"Tags": {"Action": "Owner"}}));
        msgs.push(json!({"Tags": {"Action": "Owner", "id": process_id, "From-Process": "Parent"}}));
        msgs.push(json!({"Tags": {"Action": "Owner"}}));
        // Untrusted (From is not Owner, neither an authority), an assignment (another
        // Target), changed and removed _eval/_default entries.
        msgs.push(
            json!({"From": "stranger", "Owner": "stranger-owner", "Tags": {"Action": "Echo"}}),
        );
        msgs.push(json!({"Target": "someone-else", "Tags": {"Action": "Echo"}}));
        msgs.push(json!({"Tags": {"Action": "Mangle"}}));
        msgs.push(json!({"Tags": {"Action": "Entries"}}));
        msgs.push(json!({"Tags": {"Action": "Undefault"}}));
        msgs.push(json!({"Tags": {"Action": "Entries"}}));
        msgs.push(json!({"Tags": {"Action": "Unhandled"}}));
        msgs.push(json!({"Tags": {"Action": "Say"}, "Nonce": 77}));
        msgs.push(json!({"Tags": {"Action": "Fields", "Kind": "k"}}));
        msgs.push(json!({"Tags": {"Action": "Fields"}}));
        msgs.push(json!({"Tags": {"Action": "ALT-TWO"}}));
        msgs.push(json!({"Tags": {"Action": "Pat7"}}));
        msgs.push(json!({"Tags": {"Action": "Numbered", "Count": "5"}}));
        msgs.push(json!({"Tags": {"Action": "Fail"}}));
        msgs.push(json!({"Tags": {"Action": "Say-Two"}}));
        msgs.push(json!({"Tags": {"Action": "Ask"}}));
        // An Eval from someone who is not the Owner: not evaluated (it goes to the Inbox).
        msgs.push(json!({"From": "stranger", "Owner": "stranger", "Tags": {"Action": "Eval"}, "Data": "Seen[#Seen + 1] = 'evaluated for a stranger'"}));
        if round == 1 {
            msgs.push(json!({"Tags": {"Action": "Retab"}}));
            msgs.push(json!({"Tags": {"Action": "Owner"}}));
        }
    }
    let run = |slow: bool| {
        let mut p = process();
        // The same number of messages on both sides (ids and nonces stay equal).
        p.eval(if slow { slow_down } else { "local _ = 1" })
            .expect("slow down");
        p.eval(setup).expect("setup");
        let mut outcomes = Vec::new();
        for m in &msgs {
            let mut o = serde_json::to_value(p.send_json(m).expect("send")).unwrap();
            o.as_object_mut().unwrap().remove("GasUsed");
            outcomes.push(o);
        }
        let state = p
            .eval("local names = {} for i, h in ipairs(Handlers.list) do names[i] = h.name end \
                   return table.concat(names, ',') .. ' | ' .. table.concat(Seen, ' / ') .. ' | ' .. tostring(ao.Nonce) .. ' ' .. #HANDLER_PRINT_LOGS .. ' ' .. #Inbox .. ' ' .. tostring(Inits)")
            .expect("state")
            .output;
        (outcomes, state)
    };
    let (fast, fast_state) = run(false);
    let (slow, slow_state) = run(true);
    assert_eq!(fast_state, slow_state);
    assert!(fast_state.contains("Reply-To=v00"), "{fast_state}");
    assert!(fast_state.contains("woke 2 by 2"), "{fast_state}");
    assert!(fast_state.contains("owner nil id"), "{fast_state}");
    // Owner made from the message's From (the From-Process looked up is the process's).
    let made = format!("owner {} id {process_id} nil", process().owner());
    assert!(fast_state.contains(&made), "{fast_state}");
    assert!(fast_state.contains(" yes"), "{fast_state}");
    for ran in ["fields k", "alts ALT-TWO", "pattern Pat7"] {
        assert!(fast_state.contains(ran), "{ran} in {fast_state}");
    }
    assert!(!fast_state.contains("/ numbered /"), "{fast_state}");
    assert!(
        fast_state.contains("nil|third|first\nsecond\nthird|true"),
        "{fast_state}"
    );
    assert!(!fast_state.contains("asked nil"), "{fast_state}");
    assert!(
        !fast_state.contains("evaluated for a stranger"),
        "{fast_state}"
    );
    assert!(
        fast_state.contains("_eval:function:nil,_default:function:nil,"),
        "{fast_state}"
    );
    assert!(
        fast_state.contains("undefault:string:nil,fields:table:nil,alts:table:nil,lua-pattern:table:nil,numbered:table:nil,say:string:nil,fail:string:nil,ask:string:nil,say-two:string:nil,lists:string:nil,_default:function:nil"),
        "{fast_state}"
    );
    // Ran for the last Owner message and for the Eval reading this state.
    assert!(fast_state.ends_with(" 2"), "{fast_state}");
    let prompts: Vec<String> = fast
        .iter()
        .filter_map(|o| o.pointer("/Output/prompt").and_then(|p| p.as_str()))
        .map(str::to_owned)
        .collect();
    assert!(
        prompts
            .iter()
            .any(|p| p.contains("42") && p.contains("<r>")),
        "{prompts:?}"
    );
    for crafted in [
        "true:true:5=five,A=1 ; false:",
        "table index is nil:A=1 ; true:true:name=B ; true:true:K1=1,K2=2 ; true:true:Meta=m ; true:true:Z=z",
    ] {
        assert!(fast_state.contains(crafted), "{fast_state}");
    }
    for (i, (a, b)) in fast.iter().zip(&slow).enumerate() {
        assert_eq!(a, b, "message {i}");
    }
}

/// Each outcome lists the handlers that matched and ran, in order, with whether each
/// failed: a "continue" pattern lets later handlers run, `_default` takes what no handler
/// broke on, `_eval` runs Eval; user code sees Handlers.list as aos builds it.
#[test]
fn outcomes_list_the_handlers_that_ran() {
    let mut p = process();
    let ran = |o: &aolite::ao::Outcome| -> Vec<(String, bool)> {
        o.handlers
            .as_ref()
            .expect("a handled message lists its handlers")
            .iter()
            .map(|h| (h.name.clone(), h.ok))
            .collect()
    };
    let setup = p
        .eval_outcome(
            r#"
Handlers.add("log", function(msg) return "continue" end, function(msg) Seen = (Seen or 0) + 1 end)
Handlers.add("transfer", "Transfer", function(msg) msg.reply({ Data = "done" }) end)
Handlers.add("boom", "Boom", function(msg) error("no way") end)
Handlers.add("never", "Never", function(msg) end)
local mt = { __index = function(t, k) if k == "handle" then return function() Indexed = true end end end }
Handlers.add("meta", "Meta", function() end)
Handlers.list[#Handlers.list].handle = nil
setmetatable(Handlers.list[#Handlers.list], mt)
"#,
        )
        .expect("setup");
    assert_eq!(ran(&setup), [("_eval".to_owned(), true)]);
    let o = p
        .send(Message::default().with_tag("Action", "Transfer"))
        .expect("send");
    assert_eq!(
        ran(&o),
        [("log".to_owned(), true), ("transfer".to_owned(), true)]
    );
    let o = p
        .send(Message::default().with_tag("Action", "Unknown"))
        .expect("send");
    assert_eq!(
        ran(&o),
        [("log".to_owned(), true), ("_default".to_owned(), true)]
    );
    let o = p
        .send(Message::default().with_tag("Action", "Boom"))
        .expect("send");
    assert!(o.error.as_deref().unwrap_or_default().contains("no way"));
    assert_eq!(
        ran(&o),
        [("log".to_owned(), true), ("boom".to_owned(), false)]
    );
    // A handle found through the entry's metatable runs as `h.handle` would.
    let o = p
        .send(Message::default().with_tag("Action", "Meta"))
        .expect("send");
    assert_eq!(o.error, None);
    assert_eq!(
        ran(&o),
        [("log".to_owned(), true), ("meta".to_owned(), true)]
    );
    assert_eq!(p.global_json("Indexed").expect("global"), json!(true));
    // A failing `_default` is reported as such (aos registers its own `_default` again
    // for every message; this one fails for want of `Colors`).
    p.eval(
        r#"Handlers.add("sabotage", function(m) return m.Action == "Nobody" and "continue" or 0 end, function() Colors = nil end)"#,
    )
    .expect("eval");
    let o = p
        .send(Message::default().with_tag("Action", "Nobody"))
        .expect("send");
    assert!(o.error.is_some());
    assert_eq!(
        ran(&o),
        [
            ("log".to_owned(), true),
            ("sabotage".to_owned(), true),
            ("_default".to_owned(), false)
        ]
    );
    // The entries are aos's own: name, pattern, handle, maxRuns; no globals are added.
    let keys = p
        .eval("local k = {} for key in pairs(Handlers.list[1]) do k[#k + 1] = key end table.sort(k) return table.concat(k, ',')")
        .expect("eval");
    assert_eq!(keys.output, "handle,name,pattern");
    let hidden = p
        .eval("return tostring(rawget(_G, '_AOLITE_NATIVES'))")
        .expect("eval");
    assert_eq!(hidden.output, "nil");
    // The JSON form carries the field.
    let o = p
        .send(Message::default().with_tag("Action", "Transfer"))
        .expect("send");
    assert_eq!(
        serde_json::to_value(&o).expect("json")["Handlers"],
        json!([{"name": "log", "ok": true}, {"name": "transfer", "ok": true}])
    );
}

/// The clock moves by `clock_step` for each message without a `Timestamp`, starts at the
/// spawn's timestamp, follows a given `Timestamp`, and stays put for failed, read-only and
/// host-evaluated work; export/import keeps the step.
#[test]
fn the_clock_steps_per_message_without_a_timestamp() {
    let mut p = Process::new(ProcessOptions {
        timestamp: Some(1_000_000),
        ..ProcessOptions::default()
    })
    .expect("spawn");
    assert_eq!(p.clock(), 1_000_000);
    assert_eq!(p.clock_step(), 1);
    p.evaluate(
        r#"Seen = {}
           Handlers.add("t", "T", function(msg) table.insert(Seen, msg.Timestamp) end)
           Handlers.add("boom", "Boom", function(msg) error("no") end)"#,
    )
    .expect("evaluate");
    assert_eq!(p.clock(), 1_000_000, "evaluate is not a message");
    let t = || Message::default().with_tag("Action", "T");
    p.send(t()).expect("send");
    p.send(t()).expect("send");
    p.send(t().with_timestamp(5_000_000)).expect("send");
    p.send(t()).expect("send");
    let failed = p
        .send(Message::default().with_tag("Action", "Boom"))
        .expect("send");
    assert!(failed.error.is_some());
    p.dry_run(t()).expect("dry-run");
    p.send(t()).expect("send");
    assert_eq!(
        p.global_json("Seen").expect("global"),
        json!([1_000_001, 1_000_002, 5_000_000, 5_000_001, 5_000_002])
    );
    assert_eq!(p.clock(), 5_000_002);

    // The step travels with the state.
    let doc = p.export_state().expect("export");
    let mut copy = Process::import_state(&doc).expect("import");
    assert_eq!(copy.clock_step(), 1);
    copy.send(t()).expect("send");
    assert_eq!(copy.clock(), 5_000_003);

    // A still clock when asked for.
    let mut still = Process::new(ProcessOptions {
        clock_step: Some(0),
        ..ProcessOptions::default()
    })
    .expect("spawn");
    let start = still.clock();
    still.send(t()).expect("send");
    still.eval("x = 1").expect("eval");
    assert_eq!(still.clock(), start);
    assert_eq!(
        Process::import_state(&still.export_state().expect("export"))
            .expect("import")
            .clock_step(),
        0
    );
}

/// `.bint` is compiled on its first `require`: an idle process holds none of its code, and a
/// process that loaded it exports and imports it like any other module.
#[test]
fn bint_loads_on_first_require_and_travels_with_the_state() {
    let mut p = process();
    let idle = p.export_state().expect("export");
    assert!(
        !idle.contains("bigint"),
        "an idle process has no .bint code"
    );
    p.eval("bint = require('.bint')(256); X = bint('123456789012345678901234567890')")
        .expect("require .bint");
    let doc = p.export_state().expect("export");
    let mut q = Process::import_state(&doc).expect("import");
    assert_eq!(q.export_state().expect("export"), doc);
    assert_eq!(
        q.eval("return tostring(X * 2)").expect("eval").output,
        "246913578024691357802469135780"
    );
    assert_eq!(
        q.eval("return tostring(require('.bint')(256)(7) + 1)")
            .expect("eval")
            .output,
        "8"
    );
}

/// `os.exit` ends the whole evaluation as aos's emscripten `exit` does (oracle scenario
/// `os_exit`): no `pcall`, `xpcall`, coroutine or the handlers' own protection sees it, the
/// message fails with `Program terminated with exit(N)` and keeps nothing, and the process
/// carries on with the next message.
#[test]
fn os_exit_ends_the_message_past_every_protection() {
    let mut p = process();
    p.eval(
        r#"Count = 0
        Handlers.add("exit", "Exit", function(msg)
          Count = Count + 1
          ao.send({ Target = msg.From, Data = "before" })
          local how = msg.How
          if how == "pcall" then pcall(os.exit, 3)
          elseif how == "xpcall" then xpcall(os.exit, function() Count = 100 end, 4)
          elseif how == "coroutine" then
            coroutine.resume(coroutine.create(function() pcall(os.exit, false) end))
          elseif how == "caught" then
            -- an error caught first sends the message through the diagnostic re-run
            pcall(function() local f; f() end)
            os.exit(6)
          elseif how == "wait" then
            Waiting = coroutine.create(function() coroutine.yield() os.exit(7) end)
            coroutine.resume(Waiting)
          elseif how == "resume" then coroutine.resume(Waiting)
          elseif how == "bad" then os.exit("x")
          else os.exit() end
          Count = Count + 1
        end)"#,
    )
    .expect("eval");
    let send = |p: &mut Process, how: &str| {
        p.send(
            Message::default()
                .with_tag("Action", "Exit")
                .with_tag("How", how),
        )
        .expect("send")
    };
    for (how, status) in [
        ("plain", 0),
        ("pcall", 3),
        ("xpcall", 4),
        ("coroutine", 1),
        ("caught", 6),
    ] {
        let out = send(&mut p, how);
        assert_eq!(
            out.error.as_deref(),
            Some(format!("Program terminated with exit({status})").as_str()),
            "{how}"
        );
        assert!(out.messages.is_empty(), "{how}: nothing sent is kept");
        assert_eq!(p.global_json("Count").expect("global"), json!(0), "{how}");
    }
    // A coroutine that waits across messages exits when resumed.
    assert_eq!(send(&mut p, "wait").error, None);
    let out = send(&mut p, "resume");
    assert_eq!(
        out.error.as_deref(),
        Some("Program terminated with exit(7)")
    );
    assert_eq!(p.global_json("Count").expect("global"), json!(2));
    // Its argument is checked as Lua does: an ordinary error, which the handlers report.
    let out = send(&mut p, "bad");
    let error = out.error.expect("an argument error");
    assert!(
        error.ends_with("bad argument #1 to 'exit' (number expected, got string)"),
        "{error}"
    );
    // Outside a message: the host's evaluate fails with the EXIT code, nothing kept.
    let err = p.evaluate("Count = 50 os.exit(2)").expect_err("exit");
    assert_eq!(
        (err.code(), err.to_string().as_str()),
        ("EXIT", "Program terminated with exit(2)")
    );
    assert_eq!(p.global_json("Count").expect("global"), json!(2));
}

/// A loop that runs out of fuel is run on a little to find its line; an `os.exit` it
/// meets then ends nothing, and the next message is not ended by it.
#[test]
fn os_exit_met_while_locating_a_runaway_loop_is_not_kept() {
    let mut p = Process::new(ProcessOptions {
        limits: aolite::Limits {
            fuel: 2_000_000,
            ..aolite::Limits::default()
        },
        ..ProcessOptions::default()
    })
    .expect("spawn");
    p.eval(
        r#"Handlers.add("spin", "Spin", function(msg)
          -- About 6.4 fuel an iteration: the limit (2 million) stops the loop before
          -- 400 000, and looking for its line (up to a million more, until a helper of
          -- the pipeline is called: none here) gets there.
          local exit = os.exit
          local i = 0
          while true do
            i = i + 1
            if i == 400000 then exit(3) end
          end
        end)
        Handlers.add("ping", "Ping", function(msg) msg.reply({ Data = "pong" }) end)"#,
    )
    .expect("eval");
    let out = p.send(Message::default().with_tag("Action", "Spin"));
    match out {
        Err(e) => assert_eq!(e.code(), "OUT_OF_FUEL", "{e}"),
        Ok(o) => {
            let error = o.error.expect("out of fuel");
            assert!(error.contains("out of fuel"), "{error}");
        }
    }
    let out = p
        .send(Message::default().with_tag("Action", "Ping"))
        .expect("send");
    assert_eq!(out.error, None);
    assert_eq!(out.messages.len(), 1);
}
