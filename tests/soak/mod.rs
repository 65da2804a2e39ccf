//! The soak run (issue 16, "Long runs"): many messages through one process or through a
//! network of processes, with a mix of handled, unhandled (to the Inbox, past its 10 000
//! cap), failing (a Lua error in a handler) and out-of-fuel messages (a handler that spins
//! in a process given a small explicit fuel limit). At regular intervals it samples the
//! resident memory of this OS process and the rate of the interval; at the end it checks
//! that the final state hash equals a replay's (one process: `Process::replay` of the
//! message log, from its base document when the bounded log has restarted) or a re-run's
//! (the network: the same scenario run again from scratch, or from a network document
//! exported half-way).
//!
//! Shared by `examples/soak.rs` (the long runs, release) and `tests/soak.rs` (a short run
//! in debug). A benchmark, not a timed test: only memory and hashes are verdicts.

#![allow(dead_code)]

use std::time::Instant;

use aolite::state::history::ReplayStart;
use aolite::{Limits, Message, Network, NetworkOptions, Process, ProcessOptions};

/// The fuel a soak process may use per message: an explicit small limit, so a spinning
/// handler stops cheaply (a handled message uses far less: see `fuel_margin`).
pub const SOAK_FUEL: u64 = 200_000;

/// Out of 1000 messages: handled, unhandled, failing, out of fuel.
#[derive(Debug, Clone, Copy)]
pub struct Mix {
    pub handled: u32,
    pub unhandled: u32,
    pub failing: u32,
    pub spin: u32,
}

impl Mix {
    /// The default for one process: mostly handled work, a steady stream to the Inbox.
    pub const SINGLE: Mix = Mix {
        handled: 700,
        unhandled: 200,
        failing: 85,
        spin: 15,
    };

    fn pick(&self, r: u64) -> Action {
        let r = (r % 1000) as u32;
        if r < self.handled {
            Action::Work
        } else if r < self.handled + self.unhandled {
            Action::Other
        } else if r < self.handled + self.unhandled + self.failing {
            Action::Fail
        } else {
            Action::Spin
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Action {
    Work,
    Other,
    Fail,
    Spin,
}

impl Action {
    fn name(self) -> &'static str {
        match self {
            Action::Work => "Work",
            Action::Other => "Other",
            Action::Fail => "Fail",
            Action::Spin => "Spin",
        }
    }
}

/// How a run is set up.
#[derive(Debug, Clone)]
pub struct Config {
    pub messages: u64,
    pub seed: u64,
    /// Processes in the network (0: one process, no network).
    pub processes: usize,
    /// Samples over the run (rows of the table).
    pub samples: u64,
    pub mix: Mix,
    /// Bytes of messages a process's log holds before restarting from a base document
    /// (`None`: the default, 4 MiB, or the base document's size if larger).
    pub log_limit: Option<usize>,
    /// The network check re-runs the scenario's second half from the network document
    /// exported at the middle of the run (else: the whole scenario from scratch).
    pub rerun_from_middle: bool,
    /// Print rows as they come.
    pub verbose: bool,
    /// Where the state has stopped growing (the Inboxes at their cap): memory may not grow
    /// past the bound from here on (default: the middle of the run).
    pub steady_from: Option<u64>,
    /// The network's trace limit (`None`: its default).
    pub trace_limit: Option<usize>,
}

impl Config {
    pub fn single(messages: u64, seed: u64) -> Config {
        Config {
            messages,
            seed,
            processes: 0,
            samples: 40,
            mix: Mix::SINGLE,
            log_limit: None,
            rerun_from_middle: false,
            verbose: false,
            steady_from: None,
            trace_limit: None,
        }
    }

    pub fn network(messages: u64, seed: u64, processes: usize) -> Config {
        Config {
            processes,
            ..Config::single(messages, seed)
        }
    }
}

/// One row of the table.
#[derive(Debug, Clone)]
pub struct Sample {
    /// Messages (deliveries, for a network) so far.
    pub messages: u64,
    pub rss_bytes: u64,
    /// Bytes the Lua heaps hold (all processes; the allocator's exact count), to tell the
    /// engine's live data from what the system allocator keeps.
    pub heap_bytes: u64,
    /// Messages per second of CPU time of this thread, in the interval.
    pub cpu_rate: f64,
    /// Messages per second of wall time, in the interval.
    pub wall_rate: f64,
}

/// What a run found.
#[derive(Debug, Clone)]
pub struct Report {
    pub config: Config,
    pub samples: Vec<Sample>,
    pub rss_start: u64,
    /// Counted outcomes: handled, unhandled (went to the Inbox), failed, out of fuel.
    pub handled: u64,
    pub unhandled: u64,
    pub failed: u64,
    pub out_of_fuel: u64,
    /// Other engine errors (none expected).
    pub other_errors: Vec<String>,
    pub final_hash: String,
    /// The replay's (or re-run's) hash, or why there is none.
    pub check_hash: Result<String, String>,
    /// How the check was made.
    pub check_kind: String,
    /// Messages the replay re-ran (one process) or deliveries the re-run made.
    pub check_messages: u64,
    /// Inbox entries at the end (one process; the sum over the network).
    pub inbox: u64,
    /// Log restarts observed (one process), and the base document's size at the end.
    pub log_restarts: u64,
    pub base_bytes: usize,
    /// The largest state document seen (bytes), for the memory bound.
    pub doc_bytes: usize,
    /// The memory bound the second half must respect, and why.
    pub bound_bytes: u64,
    pub bound_why: String,
    /// Largest fuel a handled message used (to show the fuel limit is not in the way).
    pub max_handled_fuel: u64,
    pub trace_len: usize,
    pub outbox_len: usize,
    /// The network document's trace and outbox (bytes of JSON).
    pub trace_bytes: usize,
}

/// Resident memory of this OS process (VmRSS), in bytes; 0 where /proc is missing.
pub fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

/// CPU time of this thread in seconds (Linux's schedstat; wall time elsewhere).
fn cpu_seconds(origin: Instant) -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map(|ns| ns / 1e9)
        .unwrap_or_else(|| origin.elapsed().as_secs_f64())
}

/// splitmix64: the scenario's own deterministic generator.
#[derive(Debug, Clone)]
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Handlers of a soak process. `Store` is bounded (1 000 keys), so handled messages change
/// the state without growing it; the Inbox grows to its cap of 10 000; failing messages
/// write before they fail (the write must be undone); `Spin` never ends.
const PROCESS_LUA: &str = r#"
Count = 0
Store = {}
Peers = Peers or {}
Handlers.add("work", "Work", function(msg)
  Count = Count + 1
  local key = tonumber(msg.Key)
  Store[key] = { from = msg.From, seq = msg.Seq, size = #(msg.Data or "") }
  local hops = tonumber(msg.Hops or "0")
  if hops > 0 and #Peers > 0 then
    ao.send({ Target = Peers[(key + hops) % #Peers + 1],
      Action = hops == 1 and msg.Then or "Work",
      Key = msg.Key, Seq = msg.Seq, Hops = tostring(hops - 1), Then = msg.Then,
      Data = msg.Data })
  elseif Count % 10 == 0 then
    msg.reply({ Action = "Work-Done", Count = tostring(Count) })
  end
end)
Handlers.add("inbox-size", "Inbox-Size", function(msg)
  msg.reply({ Data = tostring(#Inbox) })
end)
Handlers.add("fail", "Fail", function(msg)
  Count = Count + 1
  Store.partial = msg.Seq
  error("soak: failing on purpose at " .. msg.Seq)
end)
Handlers.add("spin", "Spin", function(msg)
  Store.spinning = msg.Seq
  local n = 0
  while true do n = n + 1 end
end)
"#;

/// The Inbox's length, read with a dry-run (nothing kept, nothing logged).
fn inbox_size(p: &mut Process) -> Result<u64, aolite::Error> {
    let o = p.dry_run(Message::default().with_tag("Action", "Inbox-Size"))?;
    Ok(o.messages
        .first()
        .and_then(|m| m.data.as_ref())
        .and_then(|d| d.as_str())
        .and_then(|d| d.parse().ok())
        .unwrap_or(0))
}

fn limits() -> Limits {
    Limits {
        fuel: SOAK_FUEL,
        ..Limits::default()
    }
}

fn process_options() -> ProcessOptions {
    ProcessOptions {
        limits: limits(),
        ..ProcessOptions::default()
    }
}

/// A message of the mix: `Seq` and `Key` tags, and a Data of varying length.
fn message(gen: &mut Gen, seq: u64, action: Action) -> Message {
    let r = gen.next();
    let data = "x".repeat((r % 96) as usize);
    Message::default()
        .with_from(format!("wallet{}", (r >> 8) % 50))
        .with_tag("Action", action.name())
        .with_tag("Seq", seq.to_string())
        .with_tag("Key", ((r >> 16) % 1000).to_string())
        .with_data(data)
}

/// Samples the run: every `every` messages, a row.
struct Sampler {
    every: u64,
    next: u64,
    origin: Instant,
    last_cpu: f64,
    last_wall: f64,
    last_messages: u64,
    samples: Vec<Sample>,
    verbose: bool,
}

impl Sampler {
    fn new(total: u64, samples: u64, verbose: bool) -> Sampler {
        let origin = Instant::now();
        let every = (total / samples.max(1)).max(1);
        Sampler {
            every,
            next: every,
            origin,
            last_cpu: cpu_seconds(origin),
            last_wall: 0.0,
            last_messages: 0,
            samples: Vec::new(),
            verbose,
        }
    }

    fn tick(&mut self, messages: u64, heap: impl FnOnce() -> u64) {
        if messages < self.next {
            return;
        }
        let heap_bytes = heap();
        self.next = (messages / self.every + 1) * self.every;
        let cpu = cpu_seconds(self.origin);
        let wall = self.origin.elapsed().as_secs_f64();
        let n = (messages - self.last_messages) as f64;
        let s = Sample {
            messages,
            rss_bytes: rss_bytes(),
            heap_bytes,
            cpu_rate: n / (cpu - self.last_cpu).max(1e-9),
            wall_rate: n / (wall - self.last_wall).max(1e-9),
        };
        if self.verbose {
            println!("{}", row(&s));
        }
        self.samples.push(s);
        self.last_cpu = cpu;
        self.last_wall = wall;
        self.last_messages = messages;
    }
}

pub fn header() -> String {
    format!(
        "{:>10} {:>9} {:>9} {:>12} {:>12}",
        "messages", "RSS MB", "heap MB", "msg/s (cpu)", "msg/s (wall)"
    )
}

pub fn row(s: &Sample) -> String {
    format!(
        "{:>10} {:>9.1} {:>9.1} {:>12.0} {:>12.0}",
        s.messages,
        s.rss_bytes as f64 / 1048576.0,
        s.heap_bytes as f64 / 1048576.0,
        s.cpu_rate,
        s.wall_rate
    )
}

fn tally(report: &mut Report, result: &Result<aolite::Outcome, aolite::Error>) {
    match result {
        Ok(o) if o.error.is_some() => report.failed += 1,
        Ok(o) => {
            let unhandled = o
                .handlers
                .as_ref()
                .is_some_and(|h| h.iter().any(|r| r.name == "_default"));
            if unhandled {
                report.unhandled += 1;
            } else {
                report.handled += 1;
                report.max_handled_fuel = report.max_handled_fuel.max(o.gas_used);
            }
        }
        Err(aolite::Error::OutOfFuel { .. }) => report.out_of_fuel += 1,
        Err(e) => {
            if report.other_errors.len() < 10 {
                report.other_errors.push(format!("{}: {e}", e.code()));
            }
        }
    }
}

fn empty_report(config: &Config) -> Report {
    Report {
        config: config.clone(),
        samples: Vec::new(),
        rss_start: rss_bytes(),
        handled: 0,
        unhandled: 0,
        failed: 0,
        out_of_fuel: 0,
        other_errors: Vec::new(),
        final_hash: String::new(),
        check_hash: Err("not checked".into()),
        check_kind: String::new(),
        check_messages: 0,
        inbox: 0,
        log_restarts: 0,
        base_bytes: 0,
        doc_bytes: 0,
        bound_bytes: 0,
        bound_why: String::new(),
        max_handled_fuel: 0,
        trace_len: 0,
        outbox_len: 0,
        trace_bytes: 0,
    }
}

/// Runs the soak described by `config`.
pub fn run(config: &Config) -> Result<Report, aolite::Error> {
    if config.processes == 0 {
        run_single(config)
    } else {
        run_network(config)
    }
}

fn run_single(config: &Config) -> Result<Report, aolite::Error> {
    let mut report = empty_report(config);
    let mut p = Process::new(process_options())?;
    if let Some(limit) = config.log_limit {
        p.set_log_limit(limit);
    }
    p.eval(PROCESS_LUA)?;
    let mut gen = Gen(config.seed);
    let mut sampler = Sampler::new(config.messages, config.samples, config.verbose);
    let mut last_base: Option<usize> = None;
    for seq in 1..=config.messages {
        let action = config.mix.pick(gen.next());
        let msg = message(&mut gen, seq, action);
        let result = p.send(msg);
        tally(&mut report, &result);
        // A restart of the log shows as a new base document (compared by address: a
        // restart always stores a new one).
        let base = p.log_base().map(|b| b.as_ptr() as usize);
        if base.is_some() && base != last_base {
            report.log_restarts += 1;
            report.base_bytes = p.log_base().map_or(0, str::len);
            report.doc_bytes = report.doc_bytes.max(report.base_bytes);
            last_base = base;
        }
        sampler.tick(seq, || p.stats().heap_bytes);
    }
    report.samples = sampler.samples;
    report.final_hash = p.state_hash()?;
    let doc = p.export_state()?;
    report.doc_bytes = report.doc_bytes.max(doc.len());
    drop(doc);
    report.inbox = inbox_size(&mut p)?;

    // The replay: from the log's base when the log restarted, else from the spawn options.
    let log = p.message_log();
    report.check_messages = log.len() as u64;
    let (start, kind) = match p.log_base() {
        Some(base) => (
            ReplayStart::State(base),
            format!(
                "replay of the last {} logged messages from the log's base document ({} restarts)",
                log.len(),
                report.log_restarts
            ),
        ),
        None => (
            ReplayStart::Spawn(Box::new(process_options())),
            format!("replay of all {} logged messages from the spawn", log.len()),
        ),
    };
    report.check_kind = kind;
    report.check_hash = Process::replay(start, &log)
        .and_then(|mut r| r.state_hash())
        .map_err(|e| format!("{}: {e}", e.code()));
    let log_cap = config
        .log_limit
        .unwrap_or(aolite::state::history::MAX_LOG_BYTES) as u64;
    finish_bound(&mut report, log_cap, 1);
    Ok(report)
}

/// The network scenario: `processes` peers that know each other. Each host message goes
/// to a peer as `Work` with 0-2 hops still to go and the action the last hop delivers
/// (`Then`), drawn from the mix; so processes push handled, unhandled, failing and
/// out-of-fuel messages to each other, and the host's own messages carry the same mix.
struct Scenario {
    net: Network,
    peers: Vec<String>,
    gen: Gen,
    sent: u64,
    delivered: u64,
}

/// Host messages queued before each `run` (their chains interleave).
const BATCH: u64 = 50;

fn network_options(config: &Config) -> NetworkOptions {
    NetworkOptions {
        seed: Some(format!("soak-{}", config.seed)),
        limits: limits(),
        budget: Some(100_000),
        trace_limit: config.trace_limit,
        ..NetworkOptions::default()
    }
}

impl Scenario {
    fn new(config: &Config) -> Result<Scenario, aolite::Error> {
        let mut net = Network::new(network_options(config));
        let mut peers = Vec::new();
        for _ in 0..config.processes {
            let id = net.spawn(process_options())?;
            if let Some(limit) = config.log_limit {
                if let Some(p) = net.process_mut(&id) {
                    p.set_log_limit(limit);
                }
            }
            peers.push(id);
        }
        let list: Vec<String> = peers.iter().map(|p| format!("{p:?}")).collect();
        let setup = format!("Peers = {{ {} }}\n{PROCESS_LUA}", list.join(", "));
        for id in &peers {
            let o = net.eval(id, &setup)?;
            if let Some(e) = o.error {
                return Err(aolite::Error::Lua(e));
            }
        }
        Ok(Scenario {
            net,
            peers,
            gen: Gen(config.seed),
            sent: 0,
            delivered: 0,
        })
    }

    /// Queues one batch of host messages and delivers everything they cause; returns the
    /// deliveries.
    fn batch(&mut self, mix: &Mix) -> Result<u64, aolite::Error> {
        for _ in 0..BATCH {
            self.sent += 1;
            let r = self.gen.next();
            let target = self.peers[(r % self.peers.len() as u64) as usize].clone();
            let first = mix.pick(self.gen.next());
            let last = mix.pick(self.gen.next());
            let hops = (r >> 32) % 3;
            let mut msg = message(&mut self.gen, self.sent, first);
            if first == Action::Work {
                msg = msg
                    .with_tag("Hops", hops.to_string())
                    .with_tag("Then", last.name());
            }
            self.net.send(&target, msg)?;
        }
        let n = self.net.run()?;
        self.delivered += n;
        Ok(n)
    }
}

fn run_network(config: &Config) -> Result<Report, aolite::Error> {
    let mut report = empty_report(config);
    let mut s = Scenario::new(config)?;
    let mut sampler = Sampler::new(config.messages, config.samples, config.verbose);
    let mut middle: Option<(String, Gen, u64, u64)> = None;
    let mut seen = s.net.trace().len();
    while s.delivered < config.messages {
        if middle.is_none() && config.rerun_from_middle && s.delivered >= config.messages / 2 {
            let doc = s.net.export_state()?;
            middle = Some((doc, s.gen.clone(), s.sent, s.delivered));
        }
        s.batch(&config.mix)?;
        // Tally the deliveries of this batch from the trace.
        let trace = s.net.trace();
        let first = seen.min(trace.len());
        for e in &trace[first..] {
            tally_entry(&mut report, e);
        }
        seen = trace.len();
        let peers = &s.peers;
        let net = &mut s.net;
        sampler.tick(s.delivered, || {
            peers
                .iter()
                .filter_map(|id| net.process_mut(id).map(|p| p.stats().heap_bytes))
                .sum()
        });
    }
    report.samples = sampler.samples;
    report.final_hash = s.net.state_hash()?;
    // The processes' documents (the state) and the trace and outbox (bounded by the
    // network's trace limit) are sized apart for the memory bound.
    // (Sized one part at a time: a JSON tree of the whole network document would be several
    // times its text, and would raise the run's peak at the end.)
    report.doc_bytes = 0;
    for id in s.net.processes().to_vec() {
        if let Some(p) = s.net.process_mut(&id) {
            report.doc_bytes += p.export_state()?.len();
        }
    }
    let text = |r: serde_json::Result<String>| {
        r.map(|t| t.len())
            .map_err(|e| aolite::Error::BadState(format!("cannot serialise: {e}")))
    };
    report.trace_bytes =
        text(serde_json::to_string(s.net.trace()))? + text(serde_json::to_string(s.net.outbox()))?;
    report.trace_len = s.net.trace().len();
    report.outbox_len = s.net.outbox().len();
    for id in s.peers.clone() {
        if let Some(p) = s.net.process_mut(&id) {
            report.inbox += inbox_size(p)?;
        }
    }

    // The re-run: the same scenario from scratch, or from the document of its middle. The
    // first network goes first, so that the two are not in memory together.
    let (peers, target) = (s.peers.clone(), s.delivered);
    drop(s);
    let mut rerun = |report: &mut Report| -> Result<String, aolite::Error> {
        let (mut r, target) = match middle.take() {
            Some((doc, gen, sent, delivered)) => {
                report.check_kind = format!(
                    "re-run of the second half ({} deliveries on) from the network document exported then ({:.1} MB)",
                    delivered,
                    doc.len() as f64 / 1048576.0
                );
                let net = Network::import_state(&doc)?;
                (
                    Scenario {
                        net,
                        peers: peers.clone(),
                        gen,
                        sent,
                        delivered,
                    },
                    target,
                )
            }
            None => {
                report.check_kind = "re-run of the whole scenario from scratch".into();
                (Scenario::new(config)?, target)
            }
        };
        let from = r.delivered;
        while r.delivered < target {
            r.batch(&config.mix)?;
        }
        report.check_messages = r.delivered - from;
        r.net.state_hash()
    };
    report.check_hash = rerun(&mut report).map_err(|e| format!("{}: {e}", e.code()));
    let log_cap = config
        .log_limit
        .unwrap_or(aolite::state::history::MAX_LOG_BYTES) as u64;
    finish_bound(&mut report, log_cap, config.processes as u64);
    Ok(report)
}

fn tally_entry(report: &mut Report, e: &aolite::net::TraceEntry) {
    match (&e.outcome, &e.error) {
        (Some(o), _) if o.error.is_some() => report.failed += 1,
        (Some(o), _) => {
            let unhandled = o
                .handlers
                .as_ref()
                .is_some_and(|h| h.iter().any(|r| r.name == "_default"));
            if unhandled {
                report.unhandled += 1;
            } else {
                report.handled += 1;
                report.max_handled_fuel = report.max_handled_fuel.max(o.gas_used);
            }
        }
        (None, Some(err)) if err.starts_with("OUT_OF_FUEL") => report.out_of_fuel += 1,
        (None, err) => {
            if report.other_errors.len() < 10 {
                report.other_errors.push(err.clone().unwrap_or_default());
            }
        }
    }
}

/// The memory bound for the second half of the run. By the middle the Inboxes are at
/// their cap, `Store` holds its 1 000 keys and the network's trace and outbox are at their
/// limit, so the state no longer grows; what may still grow is each process's message log
/// (up to its cap before it restarts), the base document a restart keeps, the trace
/// between its limit and the batch it drops at once, and the allocator's slack. Anything
/// past that is a leak.
fn finish_bound(report: &mut Report, log_cap: u64, processes: u64) {
    let doc = report.doc_bytes as u64;
    // A log entry's allocation overhead (two heap blocks rounded up) is not in its count:
    // allow half as much again. A restart exports a document (the text, and the tree the
    // exporter builds, about twice the text) while the old base is still held.
    // A log holds its cap's bytes, or its base document's when that is larger.
    let logs = processes * log_cap.max(doc) * 3 / 2;
    let docs = 4 * doc;
    // In memory a trace entry takes a few times its JSON text; a quarter more entries
    // gather before a batch goes.
    let trace = report.trace_bytes as u64;
    let slack = 32 << 20;
    report.bound_bytes = logs + docs + trace + slack;
    report.bound_why = format!(
        "{processes} x log cap {:.0} MB x 1.5 + 4 x state documents {:.1} MB + trace and outbox {:.1} MB + 32 MB slack",
        log_cap as f64 / 1048576.0,
        doc as f64 / 1048576.0,
        trace as f64 / 1048576.0
    );
}

impl Report {
    /// Where the memory check starts (the middle of the run unless configured).
    pub fn steady_from(&self) -> u64 {
        self.config.steady_from.unwrap_or(self.config.messages / 2)
    }

    /// RSS where the state has stopped growing (the first sample at or past
    /// [`Report::steady_from`]; the middle of the run by default).
    pub fn rss_middle(&self) -> u64 {
        let half = self.steady_from();
        self.samples
            .iter()
            .find(|s| s.messages >= half)
            .map_or(self.rss_start, |s| s.rss_bytes)
    }

    pub fn rss_max(&self) -> u64 {
        self.samples
            .iter()
            .map(|s| s.rss_bytes)
            .max()
            .unwrap_or(0)
            .max(self.rss_start)
    }

    pub fn rss_end(&self) -> u64 {
        self.samples.last().map_or(self.rss_start, |s| s.rss_bytes)
    }

    /// Largest growth over the second half: the highest RSS after the middle, minus the
    /// RSS at the middle.
    pub fn second_half_growth(&self) -> u64 {
        let mid = self.rss_middle();
        let half = self.steady_from();
        self.samples
            .iter()
            .filter(|s| s.messages > half)
            .map(|s| s.rss_bytes.saturating_sub(mid))
            .max()
            .unwrap_or(0)
    }

    /// Least-squares slope of RSS over the second half, in bytes per message.
    pub fn second_half_slope(&self) -> f64 {
        let half = self.steady_from();
        let pts: Vec<(f64, f64)> = self
            .samples
            .iter()
            .filter(|s| s.messages >= half)
            .map(|s| (s.messages as f64, s.rss_bytes as f64))
            .collect();
        if pts.len() < 2 {
            return 0.0;
        }
        let n = pts.len() as f64;
        let mx = pts.iter().map(|p| p.0).sum::<f64>() / n;
        let my = pts.iter().map(|p| p.1).sum::<f64>() / n;
        let num: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
        let den: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
        if den == 0.0 {
            0.0
        } else {
            num / den
        }
    }

    /// Message rate (by CPU time) over the first and the last tenth of the samples.
    pub fn deciles(&self) -> (f64, f64) {
        let n = self.samples.len();
        let k = (n / 10).max(1).min(n);
        let rate = |ss: &[Sample]| {
            // Total messages over total time, from the per-interval rates.
            let msgs: f64 = ss.len() as f64;
            let time: f64 = ss.iter().map(|s| 1.0 / s.cpu_rate.max(1e-9)).sum();
            if time == 0.0 {
                0.0
            } else {
                msgs / time
            }
        };
        if n == 0 {
            return (0.0, 0.0);
        }
        (rate(&self.samples[..k]), rate(&self.samples[n - k..]))
    }

    pub fn memory_ok(&self) -> bool {
        self.second_half_growth() <= self.bound_bytes
    }

    pub fn hash_ok(&self) -> bool {
        self.check_hash.as_deref() == Ok(self.final_hash.as_str())
    }

    pub fn ok(&self) -> bool {
        self.memory_ok() && self.hash_ok() && self.other_errors.is_empty()
    }

    /// The summary and the verdict line.
    pub fn summary(&self) -> String {
        let mb = |b: u64| b as f64 / 1048576.0;
        let (first, last) = self.deciles();
        let mut out = String::new();
        out.push_str(&format!(
            "outcomes: {} handled, {} unhandled (Inbox at the end: {}), {} failed, {} out of fuel (fuel limit {}, a handled message used at most {}), {} other errors\n",
            self.handled, self.unhandled, self.inbox, self.failed, self.out_of_fuel,
            SOAK_FUEL, self.max_handled_fuel, self.other_errors.len()
        ));
        for e in &self.other_errors {
            out.push_str(&format!("  error: {e}\n"));
        }
        if self.config.processes > 0 {
            out.push_str(&format!(
                "network: {} processes, trace {} entries, outbox {} entries at the end\n",
                self.config.processes, self.trace_len, self.outbox_len
            ));
        } else {
            out.push_str(&format!(
                "message log: {} restarts, base document {:.1} MB\n",
                self.log_restarts,
                self.base_bytes as f64 / 1048576.0
            ));
        }
        out.push_str(&format!(
            "memory: start {:.1} MB, middle {:.1} MB, end {:.1} MB, max {:.1} MB; second half grew at most {:.1} MB (bound {:.1} MB: {}); slope {:.1} bytes/message\n",
            mb(self.rss_start), mb(self.rss_middle()), mb(self.rss_end()), mb(self.rss_max()),
            mb(self.second_half_growth()), mb(self.bound_bytes), self.bound_why,
            self.second_half_slope()
        ));
        out.push_str(&format!(
            "throughput (cpu): first decile {:.0} msg/s, last decile {:.0} msg/s (last/first {:.2})\n",
            first,
            last,
            if first > 0.0 { last / first } else { 0.0 }
        ));
        out.push_str(&format!(
            "check: {} ({} messages): final {} vs {}\n",
            self.check_kind,
            self.check_messages,
            self.final_hash,
            match &self.check_hash {
                Ok(h) => h.clone(),
                Err(e) => format!("failed: {e}"),
            }
        ));
        out.push_str(&format!(
            "verdict: {} (memory {}, hash {}, errors {})",
            if self.ok() { "PASS" } else { "FAIL" },
            if self.memory_ok() { "bounded" } else { "GREW" },
            if self.hash_ok() { "equal" } else { "DIFFERS" },
            if self.other_errors.is_empty() {
                "none"
            } else {
                "UNEXPECTED"
            }
        ));
        out
    }
}
