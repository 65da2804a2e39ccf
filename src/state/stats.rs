//! How big the state is and where: an estimate of bytes per top-level global and counts of
//! tables, closures and strings (the guide's "analytics", without writing any Lua).
//!
//! Bytes are estimated from a model of the heap layout, the same on every platform: a
//! table is 64 bytes plus 32 per entry, a string 32 plus its length (counted where it is
//! stored), a closure 48 plus 16 per captured variable, a coroutine or userdata 64. Each
//! object is counted once, under the first global (in `pairs` order) that reaches it.
//! `heapBytes` is the allocator's exact total for the whole Lua state, runtime included.

use std::collections::{BTreeSet, HashSet};
use std::sync::OnceLock;

use piccolo::{closure::UpValueState, Context, Function, Table, Value};
use serde::Serialize;

use super::view;
use crate::ao::process::Process;
use crate::error::Error;
use crate::vm::convert::address;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Counts {
    pub bytes: u64,
    pub tables: u64,
    pub closures: u64,
    pub strings: u64,
    /// Table entries.
    pub entries: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GlobalStats {
    pub name: String,
    /// Whether the process's own code made it (not the aos runtime).
    pub user: bool,
    #[serde(flatten)]
    pub counts: Counts,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    #[serde(flatten)]
    pub total: Counts,
    #[serde(rename = "heapBytes")]
    pub heap_bytes: u64,
    pub globals: Vec<GlobalStats>,
}

const TABLE: u64 = 64;
const ENTRY: u64 = 32;
const STRING: u64 = 32;
const CLOSURE: u64 = 48;
const UPVALUE: u64 = 16;
const OTHER: u64 = 64;

fn walk<'gc>(v: Value<'gc>, seen: &mut HashSet<usize>, c: &mut Counts) {
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Value::String(s) => {
                c.strings += 1;
                c.bytes += STRING + s.as_bytes().len() as u64;
            }
            Value::Table(t) => {
                if !seen.insert(address(v).unwrap_or(0)) {
                    continue;
                }
                c.tables += 1;
                c.bytes += TABLE;
                for (k, x) in t.iter() {
                    c.entries += 1;
                    c.bytes += ENTRY;
                    stack.push(k);
                    stack.push(x);
                }
                if let Some(m) = t.metatable() {
                    stack.push(Value::Table(m));
                }
            }
            Value::Function(Function::Closure(cl)) => {
                if !seen.insert(address(v).unwrap_or(0)) {
                    continue;
                }
                c.closures += 1;
                c.bytes += CLOSURE;
                for cell in cl.upvalues().iter() {
                    c.bytes += UPVALUE;
                    if let UpValueState::Closed(x) = cell.get() {
                        stack.push(x);
                    }
                }
            }
            Value::Thread(_) | Value::UserData(_) if seen.insert(address(v).unwrap_or(0)) => {
                c.bytes += OTHER;
            }
            _ => {}
        }
    }
}

/// The global names the aos runtime itself defines.
pub fn runtime_globals() -> &'static BTreeSet<String> {
    static NAMES: OnceLock<BTreeSet<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        // A spawned process: handling a message defines a few more (`HANDLER_PRINT_LOGS`).
        match Process::new(Default::default()) {
            Ok(mut p) => p.vm.enter(|ctx| {
                ctx.globals()
                    .iter()
                    .filter_map(|(k, _)| match k {
                        Value::String(s) => Some(s.to_str_lossy().into_owned()),
                        _ => None,
                    })
                    .collect()
            }),
            Err(_) => BTreeSet::new(),
        }
    })
}

pub fn stats<'gc>(
    ctx: Context<'gc>,
    globals: Table<'gc>,
    heap: usize,
    runtime: &BTreeSet<String>,
) -> Stats {
    let mut seen = HashSet::from([address(Value::Table(globals)).unwrap_or(0)]);
    let mut total = Counts {
        tables: 1,
        bytes: TABLE,
        ..Counts::default()
    };
    let mut out = Vec::new();
    for (k, v) in view::sorted_entries(ctx, globals) {
        let mut c = Counts {
            entries: 1,
            bytes: ENTRY,
            ..Counts::default()
        };
        walk(k, &mut seen, &mut c);
        walk(v, &mut seen, &mut c);
        total.bytes += c.bytes;
        total.tables += c.tables;
        total.closures += c.closures;
        total.strings += c.strings;
        total.entries += c.entries;
        let name = view::plain_text(ctx, k);
        out.push(GlobalStats {
            user: !matches!(k, Value::String(_)) || !runtime.contains(&name),
            name,
            counts: c,
        });
    }
    Stats {
        total,
        heap_bytes: heap as u64,
        globals: out,
    }
}

impl Process {
    /// Size and counts of the state, per top-level global (see the module docs).
    pub fn stats(&mut self) -> Stats {
        let heap = self.vm.memory();
        let runtime = runtime_globals();
        self.vm
            .enter(|ctx| stats(ctx, ctx.globals(), heap, runtime))
    }

    /// The plain JSON data view of the named globals, or of every global the process's
    /// own code defined (see [`super::view`] for the mapping).
    pub fn view(&mut self, names: Option<&[String]>) -> serde_json::Value {
        let runtime = runtime_globals();
        self.vm.enter(|ctx| {
            let g = ctx.globals();
            let mut out = serde_json::Map::new();
            match names {
                Some(names) => {
                    for n in names {
                        let v = g.get_value(Value::String(ctx.intern(n.as_bytes())));
                        out.insert(n.clone(), view::to_view(ctx, v, view::VIEW_DEPTH));
                    }
                }
                None => {
                    for (k, v) in view::sorted_entries(ctx, g) {
                        let name = view::plain_text(ctx, k);
                        if matches!(k, Value::String(_)) && runtime.contains(&name) {
                            continue;
                        }
                        out.insert(name, view::to_view(ctx, v, view::VIEW_DEPTH));
                    }
                }
            }
            serde_json::Value::Object(out)
        })
    }

    /// One page of the table at `path` (see [`view::inspect`]); with `at`, as it was at
    /// that checkpoint.
    pub fn inspect(
        &mut self,
        path: &[serde_json::Value],
        options: &view::InspectOptions,
        at: Option<u64>,
    ) -> Result<view::Inspection, Error> {
        match at {
            Some(id) => self.peek(id, |ctx| view::inspect(ctx, ctx.globals(), path, options))?,
            None => self
                .vm
                .enter(|ctx| view::inspect(ctx, ctx.globals(), path, options)),
        }
    }
}
