//! Schedule exploration: the pending messages delivered in many orders, to find outcomes
//! that depend on the order (which AO does not fix between processes).
//!
//! Run 0 delivers first in, first out (what `run` does); every other run picks the next
//! message among the deliverable ones with a generator seeded by the exploration's seed and
//! the run's number, so each run, and the whole exploration, is reproducible. Between runs
//! the network rolls back to where it started (a network checkpoint), and it ends there.
//! The same limit as rollback applies: a coroutine a run resumes (a `receive()` that
//! completes) is not restored for the next run.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value as Json;

use super::Network;
use crate::error::Error;

/// How to explore.
#[derive(Debug, Clone)]
pub struct ExploreOptions {
    /// Delivery orders to try (run 0 is the default order).
    pub runs: u32,
    pub seed: u64,
    /// Deliveries one run may make (the network's budget when not given); a run that
    /// exceeds it observes the error.
    pub budget: Option<u64>,
}

impl Default for ExploreOptions {
    fn default() -> Self {
        ExploreOptions {
            runs: 20,
            seed: 0,
            budget: None,
        }
    }
}

/// One distinct observation and the runs that ended with it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explored {
    /// What `observe` returned after the run (or `{"error": ...}` when the run failed).
    pub observation: Json,
    /// The runs that ended with it, in order.
    pub runs: Vec<u32>,
    /// The deliveries of its first run: `from -> target (Action)`, in order.
    pub order: Vec<String>,
}

/// splitmix64: a small, well-mixed generator; deterministic everywhere.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        // 0 for an empty choice instead of a division by zero (callers never ask for one).
        self.next().checked_rem(n as u64).map_or(0, |r| r as usize)
    }
}

impl Network {
    /// Delivers the pending messages (and all they cause) in `options.runs` orders, calls
    /// `observe` after each run, and groups the runs by what it returned: more than one
    /// group means the outcome depends on the delivery order. The network is left as it
    /// was.
    pub fn explore<F>(
        &mut self,
        options: &ExploreOptions,
        mut observe: F,
    ) -> Result<Vec<Explored>, Error>
    where
        F: FnMut(&mut Network) -> Result<Json, Error>,
    {
        let budget = options.budget.unwrap_or(self.budget);
        let start = self.checkpoint(Some("explore"));
        let result =
            (|| {
                let mut groups: BTreeMap<String, Explored> = BTreeMap::new();
                let mut first_seen: Vec<String> = Vec::new();
                for run in 0..options.runs {
                    if run > 0 {
                        self.rollback(start)?;
                    }
                    let first = self.trace_total();
                    let mut rng = SplitMix(options.seed ^ (u64::from(run) << 32) ^ u64::from(run));
                    let outcome = self.run_in_order(budget, |deliverable| {
                        if run == 0 {
                            0
                        } else {
                            rng.below(deliverable)
                        }
                    });
                    let observation = match outcome {
                        Ok(()) => observe(self)?,
                        Err(e) => serde_json::json!({ "error": e.to_string() }),
                    };
                    let key = serde_json::to_string(&observation).unwrap_or_default();
                    let order = || {
                        self.trace_from(first)
                            .iter()
                            .map(|e| {
                                format!(
                                    "{} -> {} ({})",
                                    e.from,
                                    e.target,
                                    e.action.as_deref().unwrap_or("-")
                                )
                            })
                            .collect()
                    };
                    match groups.get_mut(&key) {
                        Some(g) => g.runs.push(run),
                        None => {
                            first_seen.push(key.clone());
                            groups.insert(
                                key,
                                Explored {
                                    observation,
                                    runs: vec![run],
                                    order: order(),
                                },
                            );
                        }
                    }
                }
                Ok(first_seen
                    .into_iter()
                    .filter_map(|k| groups.remove(&k))
                    .collect())
            })();
        let back = self.rollback(start);
        let dropped = self.drop_checkpoint(start);
        let found = result?;
        back?;
        dropped?;
        Ok(found)
    }

    /// [`Network::explore`] with options given as JSON: `{runs, seed, budget, observe:
    /// [{process, globals: [names]}]}`; the observation is `{<process>: {<global>: view}}`
    /// (all the process's own globals when `globals` is absent).
    pub fn explore_json(&mut self, options: &Json) -> Result<Vec<Explored>, Error> {
        let bad = |m: &str| Error::BadOptions(format!("explore: {m}"));
        let uint = |key: &str| match options.get(key) {
            None | Some(Json::Null) => Ok(None),
            Some(v) => v
                .as_u64()
                .map(Some)
                .ok_or_else(|| bad(&format!("'{key}' must be a non-negative integer"))),
        };
        let runs = uint("runs")?.unwrap_or(u64::from(ExploreOptions::default().runs));
        let runs = u32::try_from(runs).map_err(|_| bad("'runs' is too large"))?;
        let mut views: Vec<(String, Option<Vec<String>>)> = Vec::new();
        for (i, o) in options
            .get("observe")
            .and_then(Json::as_array)
            .ok_or_else(|| bad("'observe' must be an array of {process, globals}"))?
            .iter()
            .enumerate()
        {
            let process = o
                .get("process")
                .and_then(Json::as_str)
                .filter(|p| self.nodes.contains_key(*p))
                .ok_or_else(|| {
                    bad(&format!(
                        "observe[{i}].process must be a process of the network"
                    ))
                })?;
            let globals = match o.get("globals") {
                None | Some(Json::Null) => None,
                Some(Json::Array(names)) => Some(
                    names
                        .iter()
                        .map(|n| n.as_str().map(str::to_owned))
                        .collect::<Option<Vec<_>>>()
                        .ok_or_else(|| bad(&format!("observe[{i}].globals must be names")))?,
                ),
                Some(_) => return Err(bad(&format!("observe[{i}].globals must be an array"))),
            };
            views.push((process.to_owned(), globals));
        }
        let options = ExploreOptions {
            runs,
            seed: uint("seed")?.unwrap_or(0),
            budget: uint("budget")?,
        };
        self.explore(&options, |net| {
            let mut seen = serde_json::Map::new();
            for (id, globals) in &views {
                if let Some(p) = net.process_mut(id) {
                    seen.insert(id.clone(), p.view(globals.as_deref()));
                }
            }
            Ok(Json::Object(seen))
        })
    }

    /// Delivers until nothing is deliverable, choosing each time the `pick(n)`-th of the `n`
    /// deliverable messages (in queue order), at most `budget` deliveries.
    fn run_in_order(
        &mut self,
        budget: u64,
        mut pick: impl FnMut(usize) -> usize,
    ) -> Result<(), Error> {
        let first = self.trace_total();
        let mut delivered = 0;
        loop {
            let deliverable: Vec<u64> = self
                .queue
                .iter()
                .filter(|p| !p.held)
                .map(|p| p.seq)
                .collect();
            if deliverable.is_empty() {
                return Ok(());
            }
            if delivered >= budget {
                return Err(Error::BudgetExceeded(self.runaway_report(first, budget)));
            }
            let seq = deliverable[pick(deliverable.len()).min(deliverable.len() - 1)];
            self.reorder(&[seq])?;
            self.step()?;
            delivered += 1;
        }
    }
}
