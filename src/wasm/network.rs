//! `Network` for JS: many processes on one deterministic scheduler.

use wasm_bindgen::prelude::*;

use super::{from_js, js_error, json_js};
use crate::ao::{Message, ProcessOptions};
use crate::error::Error;
use crate::net::{Network as EngineNetwork, NetworkOptions};

#[wasm_bindgen(typescript_custom_section)]
const NETWORK_TYPES: &'static str = r#"
/** How to start a network: the seed of its ids, the virtual clock's start, the block height, the deliveries one `run` may make, the most entries the trace and outbox keep, the limits of processes spawned by processes, and whether it keeps a log for `Network.replay`. */
export interface NetworkOptions { seed?: string; timestamp?: number; blockHeight?: number; budget?: number; traceLimit?: number; limits?: Limits; log?: boolean }

/** What the host asked of a logged network, with the error code it ended with. */
export type NetworkAction = ({ op: "spawn"; options: ProcessOptions } | { op: "adopt"; state: string }
  | { op: "send"; target: string; message: Message } | { op: "assign"; process: string; message: string }
  | { op: "step" } | { op: "run"; budget: number } | { op: "advance"; ms: number }
  | { op: "hold" | "release" | "drop"; seq: number } | { op: "reorder"; seqs: number[] }
  | { op: "budget"; max: number } | { op: "blockHeight"; height: number }
  | { op: "monitor" | "unmonitor"; process: string }) & { error?: string };

/** A network's log: where it starts, what the host did, and each delivery with the receiver's state hash after it. */
export interface NetworkLog {
  format: "aolite-network-log/1";
  start: { options: NetworkOptions } | { state: string };
  actions: NetworkAction[];
  steps: { step: number; process: string; message: string; hash?: string }[];
}

/** How a message reached its target. */
export type DeliveryKind = "message" | "spawn" | "assignment" | "cron";

/** One delivery of the network, in order. */
export interface TraceEntry {
  step: number; seq: number; kind: DeliveryKind; id: string; from: string; target: string;
  action?: string;
  /** The message whose outcome produced this one. */
  cause?: string;
  /** The root of the chain, as the messenger's `Pushed-For` tag names it. */
  pushedFor?: string;
  nonce: number; timestamp: number; ok: boolean; error?: string;
  message: Message; outcome?: Outcome;
}

/** A message waiting for delivery. */
export interface PendingMessage {
  seq: number; kind: DeliveryKind; id: string; from: string; target: string; action?: string;
  cause?: string; root?: string; held: boolean; parent?: string; noticeTags?: Tag[]; message: Message;
}

/** A message, spawn or assignment that left the network. */
export interface ExternalMessage { from: string; cause: string; kind: "message" | "spawn" | "assignment"; message: JsonValue; reason?: string }

/** What `explore` does: how many delivery orders, the seed of the shuffled ones, the deliveries a run may make, and which globals of which processes to compare. */
export interface ExploreOptions { runs?: number; seed?: number; budget?: number; observe: { process: string; globals?: string[] }[] }

/** One distinct outcome of `explore`: what was observed, the runs that ended with it, and the deliveries of its first run. */
export interface Explored { observation: JsonValue; runs: number[]; order: string[] }

/** A network checkpoint. */
export interface NetworkCheckpoint { id: number; name?: string; steps: number }
"#;

#[wasm_bindgen]
pub struct Network {
    inner: EngineNetwork,
}

fn message(v: JsValue) -> Result<Message, JsValue> {
    let json = from_js(v, "message")?;
    if json.is_null() {
        return Ok(Message::default());
    }
    Message::from_json(&json).map_err(|e| js_error(&e))
}

/// A non-negative whole number from JS (`what` names it in the error).
fn whole(v: f64, what: &str) -> Result<u64, JsValue> {
    if v.is_finite() && v >= 0.0 && v.fract() == 0.0 {
        Ok(v as u64)
    } else {
        Err(js_error(&Error::BadOptions(format!(
            "{what} must be a non-negative integer, got {v}"
        ))))
    }
}

fn seq(v: f64) -> Result<u64, JsValue> {
    whole(v, "a sequence number")
}

#[wasm_bindgen]
impl Network {
    /// `new Network({seed, timestamp, blockHeight, budget, limits})`
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_optional_param_type = "NetworkOptions")] options: JsValue,
    ) -> Result<Network, JsValue> {
        let json = from_js(options, "options")?;
        let options = NetworkOptions::from_json(&json).map_err(|e| js_error(&e))?;
        Ok(Network {
            inner: EngineNetwork::new(options),
        })
    }

    /// The messenger's address: the `Owner` of pushed messages, the default `Authority`.
    #[wasm_bindgen(getter)]
    pub fn messenger(&self) -> String {
        self.inner.messenger().to_owned()
    }

    /// The virtual clock (ms since the epoch).
    #[wasm_bindgen(getter)]
    pub fn clock(&self) -> f64 {
        self.inner.clock() as f64
    }

    /// Spawns a process from the host (process options as for `new Process`); its boot
    /// runs at once and what it sends is queued. Returns its id.
    pub fn spawn(
        &mut self,
        #[wasm_bindgen(unchecked_optional_param_type = "ProcessOptions")] options: JsValue,
    ) -> Result<String, JsValue> {
        let json = from_js(options, "options")?;
        let options = ProcessOptions::from_json(&json).map_err(|e| js_error(&e))?;
        self.inner.spawn(options).map_err(|e| js_error(&e))
    }

    /// Queues a message from the host to `target`; returns its id.
    pub fn send(
        &mut self,
        target: &str,
        #[wasm_bindgen(unchecked_param_type = "Message")] msg: JsValue,
    ) -> Result<String, JsValue> {
        let msg = message(msg)?;
        self.inner.send(target, msg).map_err(|e| js_error(&e))
    }

    /// `send`, then `run`: everything the message caused is delivered on return.
    pub fn message(
        &mut self,
        target: &str,
        #[wasm_bindgen(unchecked_param_type = "Message")] msg: JsValue,
    ) -> Result<String, JsValue> {
        let msg = message(msg)?;
        self.inner.message(target, msg).map_err(|e| js_error(&e))
    }

    /// Queues message `id` (delivered earlier) for `process` as an assignment; returns its
    /// sequence number.
    pub fn assign(&mut self, process: &str, id: &str) -> Result<f64, JsValue> {
        let seq = self.inner.assign(process, id).map_err(|e| js_error(&e))?;
        Ok(seq as f64)
    }

    /// Evaluates Lua in `target` through Eval from its owner, then runs the network.
    #[wasm_bindgen(unchecked_return_type = "Outcome")]
    pub fn eval(&mut self, target: &str, source: &str) -> Result<JsValue, JsValue> {
        let out = self.inner.eval(target, source).map_err(|e| js_error(&e))?;
        json_js(&out)
    }

    /// Evaluates a message on `target` and keeps nothing (a `Read-Only` dry-run).
    #[wasm_bindgen(js_name = dryRun, unchecked_return_type = "Outcome")]
    pub fn dry_run(
        &mut self,
        target: &str,
        #[wasm_bindgen(unchecked_param_type = "Message")] msg: JsValue,
    ) -> Result<JsValue, JsValue> {
        let msg = message(msg)?;
        let out = self.inner.dry_run(target, msg).map_err(|e| js_error(&e))?;
        json_js(&out)
    }

    /// Delivers until nothing is pending, at most `budget` deliveries (default: the
    /// network's); `BUDGET_EXCEEDED` when messages are still pending then.
    pub fn run(&mut self, budget: Option<f64>) -> Result<f64, JsValue> {
        let n = match budget {
            Some(b) => self.inner.run_with_budget(whole(b, "the budget")?),
            None => self.inner.run(),
        }
        .map_err(|e| js_error(&e))?;
        Ok(n as f64)
    }

    /// Delivers the first pending message that is not held: its trace entry, or undefined.
    #[wasm_bindgen(unchecked_return_type = "TraceEntry | undefined")]
    pub fn step(&mut self) -> Result<JsValue, JsValue> {
        match self.inner.step().map_err(|e| js_error(&e))? {
            Some(entry) => json_js(entry),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// The pending messages, in delivery order.
    #[wasm_bindgen(unchecked_return_type = "PendingMessage[]")]
    pub fn pending(&self) -> Result<JsValue, JsValue> {
        let list: Vec<serde_json::Value> = self.inner.pending().map(|p| p.to_json()).collect();
        json_js(&list)
    }

    /// Keeps a pending message from delivery until `release`.
    pub fn hold(&mut self, seq_: f64) -> Result<(), JsValue> {
        self.inner.hold(seq(seq_)?).map_err(|e| js_error(&e))
    }

    pub fn release(&mut self, seq_: f64) -> Result<(), JsValue> {
        self.inner.release(seq(seq_)?).map_err(|e| js_error(&e))
    }

    /// Removes a pending message: it is never delivered.
    #[wasm_bindgen(js_name = drop)]
    pub fn drop_pending(&mut self, seq_: f64) -> Result<(), JsValue> {
        self.inner
            .drop_pending(seq(seq_)?)
            .map(|_| ())
            .map_err(|e| js_error(&e))
    }

    /// Moves the listed pending messages to the front, in the order given.
    pub fn reorder(&mut self, seqs: Vec<f64>) -> Result<(), JsValue> {
        let seqs = seqs.into_iter().map(seq).collect::<Result<Vec<_>, _>>()?;
        self.inner.reorder(&seqs).map_err(|e| js_error(&e))
    }

    /// Moves the clock forward by `ms`; queues the cron ticks in between (returns how many).
    pub fn advance(&mut self, ms: f64) -> Result<f64, JsValue> {
        let n = self
            .inner
            .advance(whole(ms, "the time to advance")? as i64)
            .map_err(|e| js_error(&e))?;
        Ok(n as f64)
    }

    /// Sets how many deliveries one `run` may make.
    #[wasm_bindgen(js_name = setBudget)]
    pub fn set_budget(&mut self, max: f64) -> Result<(), JsValue> {
        self.inner.set_budget(whole(max, "the budget")?);
        Ok(())
    }

    /// Starts pushing what the cron ticks of process `id` send (aoconnect's `monitor`);
    /// returns the request's id. Ticks run either way; a process already monitored is
    /// refused.
    pub fn monitor(&mut self, id: &str) -> Result<String, JsValue> {
        self.inner.monitor(id).map_err(|e| js_error(&e))
    }

    /// Stops pushing what the cron ticks of process `id` send; returns the request's id.
    pub fn unmonitor(&mut self, id: &str) -> Result<String, JsValue> {
        self.inner.unmonitor(id).map_err(|e| js_error(&e))
    }

    /// Whether the cron results of process `id` are pushed.
    #[wasm_bindgen(js_name = isMonitored)]
    pub fn is_monitored(&self, id: &str) -> bool {
        self.inner.is_monitored(id)
    }

    /// Starts the log from the present state (a network made with `log: true` logs from
    /// its start).
    #[wasm_bindgen(js_name = startLog)]
    pub fn start_log(&mut self) -> Result<(), JsValue> {
        self.inner.start_log().map_err(|e| js_error(&e))
    }

    /// The log: what the host did and the receiver's state hash after every delivery
    /// (undefined when the network keeps none).
    #[wasm_bindgen(unchecked_return_type = "NetworkLog | undefined")]
    pub fn log(&self) -> Result<JsValue, JsValue> {
        match self.inner.log() {
            Some(log) => json_js(&log.to_json()),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// Rebuilds a network from its log, checking after every delivery that the same
    /// message reached the same process and left the same state hash (`REPLAY_MISMATCH`
    /// names the first step, process and message that differ).
    pub fn replay(
        #[wasm_bindgen(unchecked_param_type = "NetworkLog")] log: JsValue,
    ) -> Result<Network, JsValue> {
        let log = from_js(log, "log")?;
        let inner = EngineNetwork::replay_json(&log).map_err(|e| js_error(&e))?;
        Ok(Network { inner })
    }

    /// The process ids, in spawn order.
    pub fn processes(&self) -> Vec<String> {
        self.inner.processes().to_vec()
    }

    /// The process that spawned `id` (undefined when spawned from the host).
    pub fn parent(&self, id: &str) -> Option<String> {
        self.inner.parent(id).map(str::to_owned)
    }

    /// The delivery of message `id` (for a spawn, of the process message).
    #[wasm_bindgen(unchecked_return_type = "TraceEntry | undefined")]
    pub fn result(&self, id: &str) -> Result<JsValue, JsValue> {
        match self.inner.result(id) {
            Some(entry) => json_js(entry),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// The deliveries from position `from` (default 0) on, as far as the trace still keeps
    /// them (it keeps the latest `traceLimit`; positions count the dropped ones).
    #[wasm_bindgen(unchecked_return_type = "TraceEntry[]")]
    pub fn trace(&self, from: Option<f64>) -> Result<JsValue, JsValue> {
        let from = from.map_or(Ok(0), |f| whole(f, "from"))? as usize;
        json_js(&self.inner.trace_from(from))
    }

    /// What left the network, from position `from` (default 0) on (the latest `traceLimit`
    /// are kept; positions count the dropped ones).
    #[wasm_bindgen(unchecked_return_type = "ExternalMessage[]")]
    pub fn outbox(&self, from: Option<f64>) -> Result<JsValue, JsValue> {
        let from = from.map_or(Ok(0), |f| whole(f, "from"))? as usize;
        json_js(&self.inner.outbox_from(from))
    }

    /// The JSON view of a global of process `id`.
    #[wasm_bindgen(js_name = getGlobal, unchecked_return_type = "JsonValue")]
    pub fn get_global(&mut self, id: &str, name: &str) -> Result<JsValue, JsValue> {
        let p = self.process(id)?;
        let v = p.global_json(name).map_err(|e| js_error(&e))?;
        json_js(&v)
    }

    /// Plain JSON view of the named globals of process `id`, or of all its own.
    #[wasm_bindgen(unchecked_return_type = "Record<string, JsonValue>")]
    pub fn view(&mut self, id: &str, names: Option<Vec<String>>) -> Result<JsValue, JsValue> {
        let p = self.process(id)?;
        json_js(&p.view(names.as_deref()))
    }

    /// The state document of process `id` alone (`format: "aolite-state/1"`).
    #[wasm_bindgen(js_name = exportProcess)]
    pub fn export_process(&mut self, id: &str) -> Result<String, JsValue> {
        self.process(id)?.export_state().map_err(|e| js_error(&e))
    }

    fn process(&mut self, id: &str) -> Result<&mut crate::ao::Process, JsValue> {
        self.inner.process_mut(id).ok_or_else(|| {
            js_error(&Error::BadOptions(format!(
                "no process '{id}' in the network"
            )))
        })
    }

    /// Delivers the pending messages in `runs` orders (run 0 first in, first out, the others
    /// seeded) and groups the runs by the globals observed after each: more than one group
    /// means the outcome depends on the order. `{runs, seed, budget, observe: [{process,
    /// globals}]}`; the network is left as it was.
    #[wasm_bindgen(unchecked_return_type = "Explored[]")]
    pub fn explore(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "ExploreOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let options = from_js(options, "options")?;
        let found = self
            .inner
            .explore_json(&options)
            .map_err(|e| js_error(&e))?;
        json_js(&found)
    }

    /// Marks the state of the whole network; returns the checkpoint's id.
    pub fn checkpoint(&mut self, name: Option<String>) -> f64 {
        self.inner.checkpoint(name.as_deref()) as f64
    }

    #[wasm_bindgen(unchecked_return_type = "NetworkCheckpoint[]")]
    pub fn checkpoints(&self) -> Result<JsValue, JsValue> {
        json_js(&self.inner.checkpoints())
    }

    /// Returns the whole network to checkpoint `id`.
    pub fn rollback(&mut self, id: f64) -> Result<(), JsValue> {
        self.inner
            .rollback(whole(id, "a checkpoint id")?)
            .map_err(|e| js_error(&e))
    }

    #[wasm_bindgen(js_name = dropCheckpoint)]
    pub fn drop_checkpoint(&mut self, id: f64) -> Result<(), JsValue> {
        self.inner
            .drop_checkpoint(whole(id, "a checkpoint id")?)
            .map_err(|e| js_error(&e))
    }

    /// The whole network as one document (`format: "aolite-network/1"`).
    #[wasm_bindgen(js_name = exportState)]
    pub fn export_state(&mut self) -> Result<String, JsValue> {
        self.inner.export_state().map_err(|e| js_error(&e))
    }

    /// Rebuilds a network from a document made by `exportState`.
    #[wasm_bindgen(js_name = importState)]
    pub fn import_state(doc: &str) -> Result<Network, JsValue> {
        let inner = EngineNetwork::import_state(doc).map_err(|e| js_error(&e))?;
        Ok(Network { inner })
    }

    /// SHA-256 (hex) of the network document.
    #[wasm_bindgen(js_name = stateHash)]
    pub fn state_hash(&mut self) -> Result<String, JsValue> {
        self.inner.state_hash().map_err(|e| js_error(&e))
    }

    /// An independent copy of the network.
    pub fn fork(&mut self) -> Result<Network, JsValue> {
        let inner = self.inner.fork().map_err(|e| js_error(&e))?;
        Ok(Network { inner })
    }
}

/// Runs a network scenario (processes with their Lua as `lua`, and steps): the lines the
/// CLI's `aolite net` prints.
#[wasm_bindgen(js_name = runScenario)]
pub fn run_scenario(
    #[wasm_bindgen(unchecked_param_type = "JsonValue")] scenario: JsValue,
) -> Result<String, JsValue> {
    let scenario = from_js(scenario, "scenario")?;
    crate::net::scenario::run(&scenario).map_err(|e| js_error(&e))
}
