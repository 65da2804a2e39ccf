//! What one message changed, as paths from the globals with old and new values
//! (`Balances.alice: 300 -> 200`): the audit trail, taken from the undo log's record of
//! the message's writes.
//!
//! A written table is named by its shortest path from the globals; among paths of equal
//! length the smallest text wins, so the name never depends on hash order. Writes into a
//! table that the same message also stored somewhere (a table built during the message)
//! are covered by that store and not listed again. Writes to tables no global reaches
//! (locals captured by closures, temporaries) are not listed.

use std::collections::{BTreeSet, HashMap, HashSet};

use piccolo::{Context, Table, Value};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use super::view;
use crate::vm::convert::address;
use crate::vm::undo;

/// One changed slot. `old`/`new` are absent when the slot was (or became) nil.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<Json>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<Json>,
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let side = |v: &Option<Json>| match v {
            None => "nil".to_owned(),
            Some(v) => v.to_string(),
        };
        write!(
            f,
            "{}: {} -> {}",
            self.path,
            side(&self.old),
            side(&self.new)
        )
    }
}

/// Flat tables at least this big are remembered as such, so later walks skip them.
const LEAF_MIN_ENTRIES: usize = 64;

/// Deepest path searched for a written table.
const MAX_DEPTH: usize = 32;

/// The changes of `writes` (`(table, key, value before)` from the undo log) under the
/// globals not named in `skip` (the runtime's own, which change with every message).
pub fn changes<'gc>(
    ctx: Context<'gc>,
    globals: Table<'gc>,
    writes: &[(Table<'gc>, Value<'gc>, Value<'gc>)],
    skip: &BTreeSet<String>,
) -> Vec<Change> {
    // Keep the first logged old value per slot, and only slots whose value changed.
    let mut seen = HashSet::new();
    let mut slots = Vec::new();
    for &(t, k, old) in writes {
        let slot = (
            address(Value::Table(t)),
            view::plain_text(ctx, k),
            k.type_name(),
        );
        if seen.insert(slot) {
            slots.push((t, k, old));
        }
    }
    slots.retain(|(t, k, old)| !same_value(*old, t.get_value(*k)));
    if slots.is_empty() {
        return Vec::new();
    }
    let wanted: HashSet<usize> = slots
        .iter()
        .filter_map(|(t, _, _)| address(Value::Table(*t)))
        .collect();
    let paths = find_paths(ctx, globals, &wanted, skip);
    // Tables stored by this message: writes inside them are part of that store.
    let stored: HashSet<usize> = slots
        .iter()
        .filter_map(|(t, k, _)| address(t.get_value(*k)))
        .collect();
    let mut out: Vec<(String, Change)> = Vec::new();
    let root = address(Value::Table(globals));
    for (t, k, old) in slots {
        if address(Value::Table(t)) == root
            && matches!(k, Value::String(s) if skip.contains(&*s.to_str_lossy()))
        {
            continue;
        }
        let Some(base) = paths.get(&address(Value::Table(t)).unwrap_or(0)) else {
            continue;
        };
        // Written into a table this message stored (itself or one above it): the store
        // already shows the whole table.
        let own = address(Value::Table(t)).unwrap_or(0);
        if stored.contains(&own) || base.1.iter().any(|p| stored.contains(p)) {
            continue;
        }
        let mut path = base.0.clone();
        view::push_path(ctx, &mut path, k);
        let new = t.get_value(k);
        let side = |v: Value<'gc>| (!v.is_nil()).then(|| view::compact(ctx, v));
        out.push((
            path.clone(),
            Change {
                path,
                old: side(old),
                new: side(new),
            },
        ));
    }
    crate::vm::sort::sort_by(&mut out, |a, b| a.0.cmp(&b.0));
    out.into_iter().map(|(_, c)| c).collect()
}

/// Whether a slot still holds the very same value. Stricter than Lua's `rawequal`
/// (`stdlib::base::raw_equal`): `1` becoming `1.0` is a change, and NaN staying NaN is not.
fn same_value(a: Value<'_>, b: Value<'_>) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.to_bits() == y.to_bits(),
        (Value::String(x), Value::String(y)) => x.as_bytes() == y.as_bytes(),
        (Value::Nil, Value::Nil) => true,
        (Value::Boolean(x), Value::Boolean(y)) => x == y,
        (Value::Integer(x), Value::Integer(y)) => x == y,
        _ => address(a).is_some() && address(a) == address(b),
    }
}

/// Path text and the tables along it (by address), for each wanted table reachable from
/// `globals`, breadth-first with the smallest text per level.
fn find_paths<'gc>(
    ctx: Context<'gc>,
    globals: Table<'gc>,
    wanted: &HashSet<usize>,
    skip: &BTreeSet<String>,
) -> HashMap<usize, (String, Vec<usize>)> {
    let mut found = HashMap::new();
    let root = address(Value::Table(globals)).unwrap_or(0);
    let mut visited: HashSet<usize> = HashSet::from([root]);
    let mut level: Vec<(Table<'gc>, String, Vec<usize>)> = vec![(globals, String::new(), vec![])];
    if wanted.contains(&root) {
        found.insert(root, (String::new(), vec![]));
    }
    let mut depth = 0;
    while !level.is_empty() && found.len() < wanted.len() && depth < MAX_DEPTH {
        let mut next: HashMap<usize, (Table<'gc>, String, Vec<usize>)> = HashMap::new();
        for (t, path, chain) in &level {
            if undo::is_leaf(ctx, *t) {
                continue;
            }
            let mut has_tables = false;
            let mut entries = 0usize;
            for (k, v) in t.iter() {
                entries += 1;
                if matches!(v, Value::Table(_)) {
                    has_tables = true;
                }
                if depth == 0 && matches!(k, Value::String(s) if skip.contains(&*s.to_str_lossy()))
                {
                    continue;
                }
                let Value::Table(child) = v else { continue };
                let addr = address(v).unwrap_or(0);
                if visited.contains(&addr) {
                    continue;
                }
                let mut p = path.clone();
                view::push_path(ctx, &mut p, k);
                match next.get(&addr) {
                    Some((_, q, _)) if *q <= p => {}
                    _ => {
                        let mut c = chain.clone();
                        c.push(addr);
                        next.insert(addr, (child, p, c));
                    }
                }
            }
            if !has_tables && entries >= LEAF_MIN_ENTRIES {
                undo::mark_leaf(ctx, *t);
            }
        }
        for (addr, (_, p, c)) in &next {
            visited.insert(*addr);
            if wanted.contains(addr) {
                // The chain's last element is the table itself; only tables above it count
                // when deciding whether a store covers this write.
                let above = c[..c.len() - 1].to_vec();
                found.insert(*addr, (p.clone(), above));
            }
        }
        level = next.into_values().collect();
        depth += 1;
    }
    found
}
