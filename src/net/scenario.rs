//! Scenarios: a network described as data (processes and what the host does), run to a
//! trace that reads as a story. The CLIs (`aolite net SCENARIO.json`, native and Node) read
//! the Lua files a scenario names and hand the scenario here, so both print the same bytes.
//!
//! ```json
//! { "seed": "demo",
//!   "processes": [ { "name": "token", "lua": "<source>", "tags": { "Name": "token" } }, ... ],
//!   "steps": [ { "eval": "escrow", "lua": "Token = '{{token}}'" },
//!              { "send": "token", "message": { "Tags": { "Action": "Transfer", "Recipient": "{{escrow}}" } } },
//!              { "advance": 60000 }, { "run": true } ] }
//! ```
//!
//! A process entry holds spawn options (as `new Process` takes them) plus `name` and `lua`
//! (evaluated after the spawn). `{{name}}` in `lua`, in a message's tag values and Data, or
//! in an eval stands for that process's id. `send` and `eval` run the network afterwards
//! (as `message` does), unless a send says `"run": false` (it is only queued, so sends queued
//! together are concurrent); `advance` only queues ticks (a `run` step delivers them);
//! `{"monitor": name}` / `{"unmonitor": name}` start and stop pushing what that process's
//! cron ticks send.
//!
//! Output, one JSON object a line: every delivery (`step`, `kind`, `from`, `to`, `action`,
//! `cause` = the step whose outcome sent it, `ok`, `error`, `output` = what it printed),
//! each message that left the network (`out`: `from`, `to`, `action`, `cause`, `data`,
//! `reason`), then `{"processes": {name: id}, "hash"}`
//! (the network's state hash). Process ids are shown by name. Only what the steps did is
//! listed, not the spawns and loads before them.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value as Json};

use super::{Network, NetworkOptions};
use crate::ao::{Message, ProcessOptions};
use crate::error::Error;

fn bad(m: String) -> Error {
    Error::BadOptions(format!("scenario: {m}"))
}

/// `{{name}}` replaced by the ids of the processes spawned so far.
fn fill(text: &str, names: &BTreeMap<String, String>) -> String {
    let mut out = text.to_owned();
    for (name, id) in names {
        out = out.replace(&format!("{{{{{name}}}}}"), id);
    }
    out
}

fn fill_json(v: &Json, names: &BTreeMap<String, String>) -> Json {
    match v {
        Json::String(s) => Json::String(fill(s, names)),
        Json::Array(items) => Json::Array(items.iter().map(|i| fill_json(i, names)).collect()),
        Json::Object(o) => Json::Object(
            o.iter()
                .map(|(k, v)| (k.clone(), fill_json(v, names)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Runs a scenario (see the module docs) and returns its output lines.
pub fn run(scenario: &Json) -> Result<String, Error> {
    let obj = scenario
        .as_object()
        .ok_or_else(|| bad("must be a JSON object".into()))?;
    let mut options = Map::new();
    for key in ["seed", "timestamp", "blockHeight", "budget", "limits"] {
        if let Some(v) = obj.get(key) {
            options.insert(key.into(), v.clone());
        }
    }
    let mut net = Network::new(NetworkOptions::from_json(&Json::Object(options))?);
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    let processes = obj
        .get("processes")
        .and_then(Json::as_array)
        .ok_or_else(|| bad("'processes' must be an array".into()))?;
    for (i, p) in processes.iter().enumerate() {
        let name = p
            .get("name")
            .and_then(Json::as_str)
            .filter(|n| !n.is_empty())
            .ok_or_else(|| bad(format!("processes[{i}].name must be a non-empty string")))?
            .to_owned();
        if names.contains_key(&name) {
            return Err(bad(format!("two processes are named '{name}'")));
        }
        let mut spawn = p.as_object().cloned().unwrap_or_default();
        spawn.remove("name");
        let lua = spawn.remove("lua");
        let spawn = fill_json(&Json::Object(spawn), &names);
        let id = net.spawn(ProcessOptions::from_json(&spawn)?)?;
        names.insert(name.clone(), id.clone());
        order.push(name.clone());
        if let Some(lua) = lua {
            let lua = lua
                .as_str()
                .ok_or_else(|| bad(format!("processes[{i}].lua must be a string")))?;
            eval(&mut net, &id, &fill(lua, &names), &name)?;
        }
    }
    let start = Start {
        trace: net.trace_total(),
        outbox: net.outbox_total(),
    };
    let steps = match obj.get("steps") {
        None | Some(Json::Null) => &Vec::new(),
        Some(Json::Array(steps)) => steps,
        Some(_) => return Err(bad("'steps' must be an array".into())),
    };
    let target = |step: &Json, key: &str, i: usize| -> Result<String, Error> {
        let name = step.get(key).and_then(Json::as_str).unwrap_or_default();
        names
            .get(name)
            .cloned()
            .ok_or_else(|| bad(format!("steps[{i}].{key}: no process named '{name}'")))
    };
    for (i, step) in steps.iter().enumerate() {
        if step.get("send").is_some() {
            let to = target(step, "send", i)?;
            let message = fill_json(step.get("message").unwrap_or(&Json::Null), &names);
            let message = if message.is_null() {
                Message::default()
            } else {
                Message::from_json(&message)?
            };
            net.send(&to, message)?;
            // `"run": false` only queues it: sends queued together are concurrent.
            if step.get("run") != Some(&Json::Bool(false)) {
                net.run()?;
            }
        } else if step.get("eval").is_some() {
            let to = target(step, "eval", i)?;
            let lua = step
                .get("lua")
                .and_then(Json::as_str)
                .ok_or_else(|| bad(format!("steps[{i}].lua must be a string")))?;
            let name = step.get("eval").and_then(Json::as_str).unwrap_or_default();
            eval(&mut net, &to, &fill(lua, &names), name)?;
        } else if let Some(ms) = step.get("advance") {
            let ms = ms
                .as_i64()
                .ok_or_else(|| bad(format!("steps[{i}].advance must be a whole number of ms")))?;
            net.advance(ms)?;
        } else if step.get("monitor").is_some() {
            net.monitor(&target(step, "monitor", i)?)?;
        } else if step.get("unmonitor").is_some() {
            net.unmonitor(&target(step, "unmonitor", i)?)?;
        } else if step.get("run").is_some() {
            net.run()?;
        } else {
            return Err(bad(format!(
                "steps[{i}] must be one of send, eval, advance, monitor, unmonitor, run"
            )));
        }
    }
    let hash = net.state_hash()?;
    Ok(report(&net, &start, &names, &order, hash))
}

/// Evaluates `lua` in process `id` and runs the network; a Lua error stops the scenario.
fn eval(net: &mut Network, id: &str, lua: &str, name: &str) -> Result<(), Error> {
    let out = net.eval(id, lua)?;
    match out.error {
        None => Ok(()),
        Some(e) => Err(Error::Lua(format!(
            "in process '{name}': {}",
            crate::ao::process::eval_error_text(&e)
        ))),
    }
}

/// Where the steps began: the first delivery and the first outbox entry they made.
struct Start {
    trace: usize,
    outbox: usize,
}

fn report(
    net: &Network,
    start: &Start,
    names: &BTreeMap<String, String>,
    order: &[String],
    hash: String,
) -> String {
    let by_id: BTreeMap<&str, &str> = names
        .iter()
        .map(|(n, id)| (id.as_str(), n.as_str()))
        .collect();
    let name = |id: &str| by_id.get(id).copied().unwrap_or(id).to_owned();
    let step_of: BTreeMap<&str, u64> = net
        .trace()
        .iter()
        .map(|e| (e.id.as_str(), e.step))
        .collect();
    let mut lines = Vec::new();
    for e in net.trace_from(start.trace) {
        let mut o = Map::new();
        o.insert("step".into(), e.step.into());
        o.insert(
            "kind".into(),
            serde_json::to_value(e.kind).unwrap_or(Json::Null),
        );
        o.insert("from".into(), name(&e.from).into());
        o.insert("to".into(), name(&e.target).into());
        if let Some(a) = &e.action {
            o.insert("action".into(), a.clone().into());
        }
        if let Some(c) = e.cause.as_deref().and_then(|c| step_of.get(c)) {
            o.insert("cause".into(), (*c).into());
        }
        o.insert("ok".into(), e.ok.into());
        if let Some(err) = &e.error {
            o.insert("error".into(), err.clone().into());
        }
        let printed = e.outcome.as_ref().map(|o| o.output_text()).unwrap_or("");
        if !printed.is_empty() {
            o.insert("output".into(), printed.into());
        }
        lines.push(Json::Object(o).to_string());
    }
    for m in net.outbox_from(start.outbox) {
        let mut o = Map::new();
        o.insert("from".into(), name(&m.from).into());
        if let Some(t) = m.target() {
            o.insert("to".into(), name(t).into());
        }
        if let Some(a) = m.tag("Action") {
            o.insert("action".into(), a.into());
        }
        if let Some(c) = step_of.get(m.cause.as_str()) {
            o.insert("cause".into(), (*c).into());
        }
        if let Some(d) = m.message.get("Data") {
            o.insert("data".into(), d.clone());
        }
        if let Some(r) = &m.reason {
            o.insert("reason".into(), r.clone().into());
        }
        lines.push(json!({ "out": Json::Object(o) }).to_string());
    }
    let processes: Map<String, Json> = order
        .iter()
        .filter_map(|n| names.get(n).map(|id| (n.clone(), Json::from(id.clone()))))
        .collect();
    let mut end = Map::new();
    end.insert("processes".into(), Json::Object(processes));
    end.insert("hash".into(), hash.into());
    lines.push(Json::Object(end).to_string());
    lines.join("\n") + "\n"
}
