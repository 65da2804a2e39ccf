//! The runtime's native stand-ins (`src/ao/runtime.rs`: `newMessage` for `ao.send`,
//! `tagMap` for `Tab`, `normalizeKeys` for the message's normalisation, `knownAuthorities`
//! for `ao.init`'s reading of the Authority tags, and `begin` (`src/ao/prologue.rs`) for
//! all of `process.handle`'s steps up to `ao.clearOutbox()`) compute exactly what
//! the Lua they stand in for computes. Each scenario runs twice: as is (the stand-ins run),
//! and with the global functions they depend on replaced by wrappers that call the
//! originals, which makes every stand-in step aside so the Lua runs. Outcomes (but for
//! `GasUsed`, the fuel, which the stand-ins save) and the resulting state must be equal.

use aolite::{Process, ProcessOptions};
use serde_json::{json, Value as Json};

const PROGRAM: &str = r#"
Handlers.add("send", "Send", function(msg)
  ao.send({ Target = msg.From, Action = "Plain", Quantity = msg.Quantity, Data = "d" })
  ao.send({ Target = "t", Data = { a = 1, b = { 1, 2 } } })
  ao.send({ Target = "t", ["Weird Key"] = "w", x_y = "lower", Anchor = "mine", From = "me" })
  ao.send({ Target = "t", Tags = { { name = "A", value = "1" }, { name = "B", value = "2" } } })
  ao.send({ Target = "t", Tags = { Map = "yes" }, Action = "WithTags" })
  ao.send({ Target = "t", Number = 5, Flag = true, Nested = { k = "v" } })
  ao.send(setmetatable({ Target = "t" }, { __index = function(_, k) if k ~= "Tags" then return "meta " .. k end end }))
  ao.send({ [1] = "array part", Target = "t" })
  local m = ao.send({ Target = "t", Action = "Keep" })
  Sent = { m.Anchor, #m.Tags, m.Tags[5].name, type(m.onReply), type(m.receive) }
  msg.reply({ Action = "Reply", Data = "r" })
end)
Handlers.add("neg", "Neg", function(msg)
  ao.reference = -12
  NegAnchor = ao.send({ Target = "t" }).Anchor
end)
Handlers.add("tabs", "Tabs", function(msg)
  local t = Tab({ Tags = { { name = "A", value = "1" }, { name = "A", value = "2" },
    { name = "B", value = false }, { name = "B", value = "later" }, { name = "C" } } })
  local u = Tab({ Tags = setmetatable({}, { __index = function(_, i)
    if i <= 2 then return { name = "I" .. i, value = i } end end }) })
  local ok, err = pcall(Tab, { Tags = { { value = "no name" } } })
  Tabs = { A = t.A, B = t.B, C = t.C, I1 = u.I1, I2 = u.I2, ok = ok, err = err,
    mine = msg.Tags["X-Custom"], process = ao.env.Process.Tags.Name,
    authorities = table.concat(ao.authorities, ",") }
  print(Tabs)
end)
Handlers.add("seen", "Seen", function(msg)
  local keys = {}
  for k in pairs(msg) do
    if type(k) == "string" then keys[#keys + 1] = k end
  end
  table.sort(keys)
  Seen = { keys = table.concat(keys, ","), tags = #msg.TagArray, first = msg.TagArray[1].name }
  print(Seen)
end)
"#;

/// Replaces the global functions the stand-ins check with wrappers around the originals.
const WRAP: &str = r#"
local p, ip, ty, ins, fmt, gm = pairs, ipairs, type, table.insert, string.format, string.gmatch
pairs = function(...) return p(...) end
ipairs = function(...) return ip(...) end
type = function(...) return ty(...) end
table.insert = function(...) return ins(...) end
string.format = function(...) return fmt(...) end
string.gmatch = function(...) return gm(...) end
"#;

fn messages() -> Vec<Json> {
    vec![
        json!({"From": "alice", "Tags": {"Action": "Send", "Quantity": "5"}}),
        json!({"From": "bob", "Tags": [{"name": "Action", "value": "Tabs"},
            {"name": "x_custom", "value": "lower"}, {"name": "X-Custom", "value": "second"}]}),
        json!({"From": "carol", "Tags": [{"name": "Action", "value": "Seen"},
            {"name": "content_type", "value": "text/plain"}, {"name": "Content_Type", "value": "dup"}],
            "Data": "plain", "hash_chain": "h", "Epoch": "e"}),
        json!({"From": "dave", "Tags": {"Action": "Unhandled"}, "Data": "to the Inbox"}),
        json!({"From": "erin", "Tags": {"Action": "Neg"}}),
    ]
}

/// Outcomes without `GasUsed`, and the globals the program wrote (as JSON text).
fn run(wrap: bool) -> (Vec<Json>, Json) {
    let mut p = Process::new(ProcessOptions {
        no_log: true,
        authorities: vec!["mu-address,second".into(), "third".into()],
        ..Default::default()
    })
    .expect("spawn");
    p.eval(PROGRAM).expect("program");
    if wrap {
        p.eval(WRAP).expect("wrap");
    }
    let mut outcomes = Vec::new();
    for m in messages() {
        let outcome = p.send_json(&m).expect("send");
        let mut o = serde_json::to_value(&outcome).expect("outcome");
        if let Json::Object(map) = &mut o {
            assert!(map.remove("GasUsed").is_some(), "an outcome has GasUsed");
        }
        outcomes.push(o);
    }
    let state = p
        .eval("return require('json').encode({ Sent = Sent, Tabs = Tabs, Seen = Seen, NegAnchor = NegAnchor, Inbox = #Inbox, Last = Inbox[#Inbox].Data, Reference = ao.reference })")
        .expect("state");
    (outcomes, Json::String(state.output))
}

#[test]
fn native_stand_ins_compute_what_the_lua_computes() {
    let (fast, fast_state) = run(false);
    let (lua, lua_state) = run(true);
    for (i, (f, l)) in fast.iter().zip(&lua).enumerate() {
        assert_eq!(f, l, "outcome of message {i}");
    }
    assert_eq!(fast_state, lua_state);
    // The scenario reaches what it means to: nine sends and a reply, the tag maps, the
    // renamed keys.
    let sent = &fast[0]["Messages"];
    assert_eq!(sent.as_array().map(Vec::len), Some(10), "{sent}");
    let text = fast_state.to_string();
    for expected in [
        "Content-Type",
        "\\\"A\\\":\\\"1\\\"",
        "\\\"B\\\":\\\"later\\\"",
        "table index is nil",
        "\\\"mine\\\":\\\"lower\\\"",
        "Hash-Chain",
        "-0000000000000000000000000000011",
        "authorities\\\":\\\"mu-address,second,third",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
}
