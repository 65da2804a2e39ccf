//! The write log that makes a message atomic: while a transaction is open, every write to a
//! table field, a captured variable (upvalue) or a metatable first records the old value,
//! and rolling back restores them in reverse order. Rolling back therefore costs what the
//! failed message changed, not the size of the state.
//!
//! All writes reach us because the compile pipeline turns assignment statements into calls
//! of the `(set)` and `(setup)` helpers (see `assign.rs`), and the standard library writes
//! through [`raw_set`]. That same funnel works around a piccolo 0.3.3 bug: a table whose
//! string keys were deleted panics when its hash part grows ("all keys must be live when
//! table is grown"); [`raw_set`] makes room, dropping dead keys, before a new key goes in.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use gc_arena::{lock::RefLock, Collect, Gc, Rootable};
use piccolo::{
    closure::{UpValue, UpValueState},
    Context, Function, InvalidTableKey, Table, Value,
};

#[derive(Collect)]
#[collect(no_drop)]
enum Entry<'gc> {
    Field {
        table: Table<'gc>,
        key: Value<'gc>,
        old: Value<'gc>,
    },
    UpValue {
        cell: UpValue<'gc>,
        old: Value<'gc>,
    },
    Metatable {
        table: Table<'gc>,
        old: Option<Table<'gc>>,
    },
    /// A whole sequence `1..=len` moved by one slot (see [`remove_first`]): with `removed`,
    /// `first` was taken from slot 1 and the rest moved down; without, the rest moved up
    /// and `first` went into slot 1. One record instead of one per slot.
    Shift {
        table: Table<'gc>,
        first: Value<'gc>,
        #[collect(require_static)]
        len: i64,
        #[collect(require_static)]
        removed: bool,
    },
}

/// Identity of a logged slot, so a slot written many times is logged once.
#[derive(Hash, PartialEq, Eq)]
enum Slot {
    Field(usize, u8, u64),
    UpValue(usize),
    Metatable(usize),
}

/// Hashing for the log's sets, whose keys are addresses and small numbers: a multiply and
/// rotate per word (as rustc's FxHash) instead of SipHash, which cost about 3% of a message's
/// instructions. Nothing iterates these sets in an order that matters (lookups, inserts,
/// and pruning by `retain`), so the hash only affects speed.
pub(crate) type AddressHash = BuildHasherDefault<AddressHasher>;

#[derive(Default)]
pub(crate) struct AddressHasher(u64);

impl AddressHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        // The multiply leaves an address's always-zero low bits zero: move the mixed high
        // bits down, where the table takes its bucket index.
        self.0.rotate_left(26)
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
}

/// The writes of one committed transaction, kept while checkpoints need them.
#[derive(Collect, Default)]
#[collect(no_drop)]
pub struct Segment<'gc> {
    entries: Vec<Entry<'gc>>,
}

impl Segment<'_> {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[derive(Collect, Default)]
#[collect(no_drop)]
struct Log<'gc> {
    active: bool,
    entries: Vec<Entry<'gc>>,
    /// Committed transactions, oldest first, numbered from `history_base`: what rolling
    /// back to a checkpoint undoes.
    history: std::collections::VecDeque<Segment<'gc>>,
    #[collect(require_static)]
    history_base: u64,
    /// Entries held in `history`.
    #[collect(require_static)]
    history_entries: usize,
    #[collect(require_static)]
    seen: HashSet<Slot, AddressHash>,
    /// Tables that may hold dead keys (a string or reference key set to nil): only those
    /// need room made before a store (see [`store`]). Marks are never cleared; a stale
    /// mark only costs a capacity check.
    #[collect(require_static)]
    dead_keys: HashSet<usize, AddressHash>,
    /// Tables known to hold no table values (see [`is_leaf`]), by address, each with a weak
    /// reference so its address cannot be reused while the entry exists.
    leaves: HashMap<usize, gc_arena::GcWeak<'gc, ()>, AddressHash>,
    #[collect(require_static)]
    leaves_prune_at: usize,
    /// What [`park_to`] undid, waiting for [`unpark`].
    parked: Option<Vec<Segment<'gc>>>,
}

#[derive(Collect, Clone, Copy)]
#[collect(no_drop)]
struct UndoRoot<'gc>(Gc<'gc, RefLock<Log<'gc>>>);

impl<'gc> piccolo::Singleton<'gc> for UndoRoot<'gc> {
    fn create(ctx: Context<'gc>) -> Self {
        UndoRoot(Gc::new(&ctx, RefLock::new(Log::default())))
    }
}

fn log<'gc>(ctx: Context<'gc>) -> Gc<'gc, RefLock<Log<'gc>>> {
    ctx.singleton::<Rootable![UndoRoot<'_>]>().0
}

fn ptr<T>(gc: Gc<'_, T>) -> usize {
    Gc::as_ptr(gc) as *const () as usize
}

fn key_identity(v: Value<'_>) -> (u8, u64) {
    match v {
        Value::Nil => (0, 0),
        Value::Boolean(b) => (1, u64::from(b)),
        Value::Integer(i) => (2, i as u64),
        Value::Number(f) => match crate::stdlib::lua_number::float_to_int_exact(f) {
            Some(i) => (2, i as u64),
            None => (3, f.to_bits()),
        },
        Value::String(s) => (4, ptr(s.into_inner()) as u64),
        Value::Table(t) => (5, ptr(t.into_inner()) as u64),
        Value::Function(Function::Closure(c)) => (6, ptr(c.into_inner()) as u64),
        Value::Function(Function::Callback(c)) => (7, ptr(c.into_inner()) as u64),
        Value::Thread(t) => (8, ptr(t.into_inner()) as u64),
        Value::UserData(u) => (9, ptr(u.into_inner()) as u64),
    }
}

/// Slots a set of logged slots keeps room for across transactions. Clearing a hash set
/// costs its capacity (its control bytes are reset), so a set one big transaction grew (an
/// Eval filling a million-entry table) is dropped instead of cleared: kept, it cost every
/// later message two resets of megabytes (1.8x a token transfer's time at 1M balances).
const SEEN_KEPT: usize = 4096;

/// Empties the set for the next transaction. `begin` finds it empty after the previous
/// commit or rollback: nothing to reset then (clearing resets every control byte anyway).
fn forget_seen(seen: &mut HashSet<Slot, AddressHash>) {
    if seen.is_empty() {
        return;
    }
    if seen.capacity() > SEEN_KEPT {
        *seen = HashSet::default();
    } else {
        seen.clear();
    }
}

/// Opens a transaction: from now on writes are logged.
pub fn begin(ctx: Context<'_>) {
    let mut l = log(ctx).borrow_mut(&ctx);
    l.active = true;
    l.entries.clear();
    forget_seen(&mut l.seen);
}

/// Closes the transaction, keeping its effects; with `keep`, its writes join the history
/// (so a checkpoint taken before it can undo it). Returns how many slots it changed.
pub fn commit(ctx: Context<'_>, keep: bool) -> usize {
    let mut l = log(ctx).borrow_mut(&ctx);
    l.active = false;
    forget_seen(&mut l.seen);
    let entries = std::mem::take(&mut l.entries);
    let n = entries.len();
    if keep {
        l.history_entries += n;
        l.history.push_back(Segment { entries });
    }
    n
}

/// Closes the transaction, undoing every logged write in reverse order.
pub fn rollback(ctx: Context<'_>) {
    let entries = {
        let mut l = log(ctx).borrow_mut(&ctx);
        l.active = false;
        forget_seen(&mut l.seen);
        std::mem::take(&mut l.entries)
    };
    apply(ctx, entries);
}

/// Writes back every entry's value, last entry first, and returns the inverse entries
/// (each holding the value it replaced), which `apply` turns back again.
fn apply<'gc>(ctx: Context<'gc>, entries: Vec<Entry<'gc>>) -> Vec<Entry<'gc>> {
    let mut inverse = Vec::with_capacity(entries.len());
    for entry in entries.into_iter().rev() {
        inverse.push(match entry {
            Entry::Field { table, key, old } => {
                let now = table.get_value(key);
                let _ = store(ctx, table, key, now, old);
                Entry::Field {
                    table,
                    key,
                    old: now,
                }
            }
            Entry::UpValue { cell, old } => {
                let now = match cell.get() {
                    UpValueState::Closed(v) => v,
                    UpValueState::Open(..) => old,
                };
                cell.set(&ctx, UpValueState::Closed(old));
                Entry::UpValue { cell, old: now }
            }
            Entry::Metatable { table, old } => {
                let now = table.metatable();
                table.set_metatable(&ctx, old);
                Entry::Metatable { table, old: now }
            }
            Entry::Shift {
                table,
                first,
                len,
                removed,
            } => {
                let int = Value::Integer;
                if removed {
                    // Put `first` back in front.
                    for k in (1..len).rev() {
                        let (now, value) = (table.get_value(int(k + 1)), table.get_value(int(k)));
                        let _ = store(ctx, table, int(k + 1), now, value);
                    }
                    let _ = store(ctx, table, int(1), table.get_value(int(1)), first);
                } else {
                    shift_down(ctx, table, len);
                }
                Entry::Shift {
                    table,
                    first,
                    len,
                    removed: !removed,
                }
            }
        });
    }
    inverse
}

/// Number of the next committed transaction (a checkpoint's position in the history).
pub fn history_position(ctx: Context<'_>) -> u64 {
    let l = log(ctx).borrow();
    l.history_base + l.history.len() as u64
}

/// Entries the history holds (its memory cost).
pub fn history_entries(ctx: Context<'_>) -> usize {
    log(ctx).borrow().history_entries
}

/// Forgets the history before `position` (no checkpoint needs it any more).
pub fn forget_history_before(ctx: Context<'_>, position: u64) {
    let mut l = log(ctx).borrow_mut(&ctx);
    while l.history_base < position {
        let Some(seg) = l.history.pop_front() else {
            l.history_base = position;
            break;
        };
        l.history_entries -= seg.entries.len();
        l.history_base += 1;
    }
}

/// Undoes the committed transactions from `position` on, newest first. Returns their
/// inverses, newest first, for [`redo`]; `None` if the history no longer reaches back to
/// `position`.
pub fn undo_to<'gc>(ctx: Context<'gc>, position: u64) -> Option<Vec<Segment<'gc>>> {
    if position < log(ctx).borrow().history_base {
        return None;
    }
    let mut redo = Vec::new();
    loop {
        let seg = {
            let mut l = log(ctx).borrow_mut(&ctx);
            if l.history_base + l.history.len() as u64 <= position {
                break;
            }
            // Non-empty above `position` (checked just above).
            let Some(seg) = l.history.pop_back() else {
                break;
            };
            l.history_entries -= seg.entries.len();
            seg
        };
        redo.push(Segment {
            entries: apply(ctx, seg.entries),
        });
    }
    Some(redo)
}

/// Re-applies what [`undo_to`] undid, restoring the history as it was.
pub fn redo<'gc>(ctx: Context<'gc>, undone: Vec<Segment<'gc>>) {
    for seg in undone.into_iter().rev() {
        let entries = apply(ctx, seg.entries);
        let mut l = log(ctx).borrow_mut(&ctx);
        l.history_entries += entries.len();
        l.history.push_back(Segment { entries });
    }
}

/// The field writes of the open transaction: `(table, key, value before)`, in order.
pub fn pending_fields<'gc>(ctx: Context<'gc>) -> Vec<(Table<'gc>, Value<'gc>, Value<'gc>)> {
    log(ctx)
        .borrow()
        .entries
        .iter()
        .filter_map(|e| match e {
            Entry::Field { table, key, old } => Some((*table, *key, *old)),
            _ => None,
        })
        .collect()
}

fn record_field<'gc>(
    ctx: Context<'gc>,
    l: Gc<'gc, RefLock<Log<'gc>>>,
    table: Table<'gc>,
    key: Value<'gc>,
    old: Value<'gc>,
) {
    if !l.borrow().active {
        return;
    }
    let (tag, bits) = key_identity(key);
    let mut l = l.borrow_mut(&ctx);
    if l.seen
        .insert(Slot::Field(ptr(table.into_inner()), tag, bits))
    {
        l.entries.push(Entry::Field { table, key, old });
    }
}

/// `table.remove(t, 1)` for a table without a metatable: returns `t[1]` and moves
/// `t[2..=n]` down one slot (`n` its border), logged as one record, so removing from the
/// front of a long sequence costs a native move of its slots instead of a logged write
/// each (the Inbox past its cap). `None` for an empty sequence (left to `table.remove`).
///
/// Diffs ([`pending_fields`]) do not see the move: only for tables outside the process's
/// own globals (the runtime's Inbox).
pub fn remove_first<'gc>(ctx: Context<'gc>, table: Table<'gc>) -> Option<Value<'gc>> {
    let len = table.length();
    if len < 1 {
        return None;
    }
    let first = table.get_value(Value::Integer(1));
    shift_down(ctx, table, len);
    let l = log(ctx);
    if l.borrow().active {
        let mut l = l.borrow_mut(&ctx);
        l.entries.push(Entry::Shift {
            table,
            first,
            len,
            removed: true,
        });
        // Slots logged before the move hold other values now: later writes to them must be
        // logged again, so undoing in reverse order sees each slot as it was at the move.
        l.seen.clear();
    }
    Some(first)
}

/// Moves `t[2..=len]` to `t[1..len]` and clears `t[len]`, without logging. Walks from the
/// end carrying each slot's old value (which `set` returns) down to the next: one table
/// access per slot instead of a read and a write (half the cost of the Inbox past its cap).
/// Every key it stores to holds a value already, so piccolo never grows the table here.
fn shift_down<'gc>(ctx: Context<'gc>, table: Table<'gc>, len: i64) {
    let mut state = table.into_inner().borrow_mut(&ctx);
    let raw = &mut state.raw_table;
    let mut carried = Value::Nil;
    for k in (1..=len).rev() {
        carried = raw.set(Value::Integer(k), carried).unwrap_or(Value::Nil);
    }
}

/// Logs the current value of a captured variable before it is assigned.
pub fn record_upvalue<'gc>(ctx: Context<'gc>, cell: UpValue<'gc>) {
    let l = log(ctx);
    if !l.borrow().active {
        return;
    }
    // A cell still open belongs to a running frame (a suspended coroutine); its value lives
    // on that thread's stack and cannot be restored from here.
    let UpValueState::Closed(old) = cell.get() else {
        return;
    };
    let mut l = l.borrow_mut(&ctx);
    if l.seen.insert(Slot::UpValue(ptr(cell.into_inner()))) {
        l.entries.push(Entry::UpValue { cell, old });
    }
}

/// `setmetatable`, logged.
pub fn set_metatable<'gc>(ctx: Context<'gc>, table: Table<'gc>, mt: Option<Table<'gc>>) {
    let l = log(ctx);
    if l.borrow().active {
        let mut l = l.borrow_mut(&ctx);
        if l.seen.insert(Slot::Metatable(ptr(table.into_inner()))) {
            l.entries.push(Entry::Metatable {
                table,
                old: table.metatable(),
            });
        }
    }
    table.set_metatable(&ctx, mt);
    crate::vm::weak::note_metatable(ctx, table, mt);
}

/// Stores `value` at `key` (holding `old`) without logging, for the collector's own moves
/// of weak entries (`weak.rs`): panic-free as every store.
pub(crate) fn set_unlogged<'gc>(
    ctx: Context<'gc>,
    table: Table<'gc>,
    key: Value<'gc>,
    old: Value<'gc>,
    value: Value<'gc>,
) {
    let _ = store(ctx, table, key, old, value);
}

/// Stores `value` at `key`, whose current value is `old` (every caller has read it already),
/// without logging, making room first when piccolo could otherwise grow a table that still
/// holds dead keys.
fn store<'gc>(
    ctx: Context<'gc>,
    table: Table<'gc>,
    key: Value<'gc>,
    old: Value<'gc>,
    value: Value<'gc>,
) -> Result<Value<'gc>, InvalidTableKey> {
    store_in(ctx, log(ctx), table, key, old, value, false)
}

/// [`store`] with the log at hand (one singleton lookup per store: `ctx.singleton` is a
/// locked hash-map lookup); `appending` when `key` is known to be the table's border plus
/// one (`old` is then nil), which [`appends_at_the_array_end`] would otherwise find again.
fn store_in<'gc>(
    ctx: Context<'gc>,
    l: Gc<'gc, RefLock<Log<'gc>>>,
    table: Table<'gc>,
    key: Value<'gc>,
    old: Value<'gc>,
    value: Value<'gc>,
    appending: bool,
) -> Result<Value<'gc>, InvalidTableKey> {
    let id = ptr(table.into_inner());
    if matches!(value, Value::Table(_)) && !l.borrow().leaves.is_empty() {
        l.borrow_mut(&ctx).leaves.remove(&id);
    }
    if value.is_nil() {
        // Deleting a string or reference-typed key leaves a dead key behind.
        if !matches!(
            key,
            Value::Nil | Value::Boolean(_) | Value::Integer(_) | Value::Number(_)
        ) && !old.is_nil()
        {
            l.borrow_mut(&ctx).dead_keys.insert(id);
        }
    } else if l.borrow().dead_keys.contains(&id)
        || (old.is_nil() && !appending && !appends_at_the_array_end(table, key))
    {
        // piccolo takes its growth path whenever the hash part is full, even to replace an
        // existing key. That path panics on dead keys, and it can also panic when it grows
        // the array part and the new key still goes to the hash part: moving integer keys
        // out of a full hash map leaves tombstones, no room is freed, and inserting the key
        // then needs a rehash, which piccolo forbids ("map slot must be pre-reserved").
        // Making room first (which also drops dead keys) keeps such stores off that path.
        table.into_inner().borrow_mut(&ctx).raw_table.reserve_map(1);
    }
    table.set_value(&ctx, key, value)
}

/// Whether storing the new `key` may take piccolo's growth path: only a positive integer one
/// past the table's border (`t[#t + 1]`, sequential fills). Such a key lands in the array
/// part (where it already fits, or in the array piccolo grows for it), so piccolo keeps sizing
/// array parts as PUC Lua does (which `#` of tables with holes shows); every other new key
/// gets room in the hash part first. Checked against randomized integer-key workloads
/// (sparse ids, queues, deletions, mixed keys: `tests/table_growth.rs`); not a proof: an array
/// part emptied by deletions followed by a run of appends in the hash part could still reach
/// piccolo's faulty step.
fn appends_at_the_array_end(table: Table<'_>, key: Value<'_>) -> bool {
    let k = match key {
        Value::Integer(k) => k,
        Value::Number(f) if f.fract() == 0.0 && (1.0..9.0e18).contains(&f) => f as i64,
        _ => return false,
    };
    k >= 1
        && (k == 1 || !table.get_value(Value::Integer(k - 1)).is_nil())
        && table.length() == k - 1
}

/// `table[name]` for a field name written in Rust. piccolo keeps a deleted string key as a
/// dead key that matches only the same string object, and a Rust `&'static str` key is a
/// different object from Lua's string with the same text: after Lua code deleted a field the
/// runtime had installed and set it again (`tostring = nil; tostring = f`), a lookup with the
/// static key finds the dead entry first and reads nil. Lua's own strings come from the
/// interner, as the key made here does, so this sees what Lua code sees.
pub fn field<'gc>(ctx: Context<'gc>, table: Table<'gc>, name: &str) -> Value<'gc> {
    table.get(ctx, ctx.intern(name.as_bytes()))
}

/// The value a dotted name (`"pairs"`, `"table.insert"`) reaches from the globals, each
/// step a [`field`] read raw; nil when a step is not a table.
pub fn global_path<'gc>(ctx: Context<'gc>, path: &str) -> Value<'gc> {
    let mut v = Value::Table(ctx.globals());
    for name in path.split('.') {
        v = match v {
            Value::Table(t) => field(ctx, t, name),
            _ => Value::Nil,
        };
    }
    v
}

/// `rawset`: the one way our code writes a table field (logged, panic-free).
pub fn raw_set<'gc>(
    ctx: Context<'gc>,
    table: Table<'gc>,
    key: Value<'gc>,
    value: Value<'gc>,
) -> Result<Value<'gc>, InvalidTableKey> {
    let old = table.get_value(key);
    if old.is_nil() && value.is_nil() {
        return Ok(old);
    }
    if old.is_nil() {
        // A new reference-typed key gets its identity now, in program order.
        crate::stdlib::tostring::identity_of(ctx, key);
    }
    let l = log(ctx);
    let r = store_in(ctx, l, table, key, old, value, false)?;
    record_field(ctx, l, table, key, old);
    Ok(r)
}

/// `t[#t + 1] = value` for a table whose `#` is its border (no `__len`), logged: the key
/// one past the border holds nil, and storing there is the one new integer key piccolo's
/// growth path takes safely (see [`appends_at_the_array_end`]).
pub fn raw_append<'gc>(ctx: Context<'gc>, table: Table<'gc>, value: Value<'gc>) {
    if value.is_nil() {
        return;
    }
    let key = Value::Integer(table.length().wrapping_add(1));
    let l = log(ctx);
    // An integer key cannot be invalid.
    let _ = store_in(ctx, l, table, key, Value::Nil, value, true);
    record_field(ctx, l, table, key, Value::Nil);
}

/// Whether `table` is known to hold no table values: nothing stored one in it since it was
/// marked with [`mark_leaf`]. Every store of a table value goes through [`store`], which
/// forgets the mark. Lets walks looking for tables (diff paths) skip big flat tables.
pub fn is_leaf<'gc>(ctx: Context<'gc>, table: Table<'gc>) -> bool {
    log(ctx)
        .borrow()
        .leaves
        .contains_key(&ptr(table.into_inner()))
}

/// Marks `table` as holding no table values (the caller has just checked).
pub fn mark_leaf<'gc>(ctx: Context<'gc>, table: Table<'gc>) {
    let Some((addr, weak)) = crate::stdlib::tostring::weak_of(Value::Table(table)) else {
        return;
    };
    let mut l = log(ctx).borrow_mut(&ctx);
    if l.leaves.len() >= l.leaves_prune_at {
        l.leaves.retain(|_, w| w.upgrade(&ctx).is_some());
        l.leaves_prune_at = (l.leaves.len() * 2).max(256);
    }
    l.leaves.insert(addr, weak);
}

/// [`undo_to`], keeping what it undid in the log until [`unpark`] re-applies it: for
/// reading an earlier state across several arena entries. `false` if the history does not
/// reach back to `position` or something is parked already.
pub fn park_to(ctx: Context<'_>, position: u64) -> bool {
    if log(ctx).borrow().parked.is_some() {
        return false;
    }
    match undo_to(ctx, position) {
        Some(undone) => {
            log(ctx).borrow_mut(&ctx).parked = Some(undone);
            true
        }
        None => false,
    }
}

/// Re-applies what [`park_to`] undid.
pub fn unpark(ctx: Context<'_>) {
    let parked = log(ctx).borrow_mut(&ctx).parked.take();
    if let Some(undone) = parked {
        redo(ctx, undone);
    }
}

#[cfg(test)]
mod tests {
    use super::{forget_seen, Slot, SEEN_KEPT};

    /// A set of logged slots that one big transaction grew is dropped when the next one
    /// starts (clearing it would cost every later message its whole capacity); a small one
    /// keeps its room.
    #[test]
    fn a_big_transactions_slot_set_is_not_kept() {
        let mut seen = std::collections::HashSet::<Slot, super::AddressHash>::default();
        for i in 0..100_000 {
            seen.insert(Slot::UpValue(i));
        }
        forget_seen(&mut seen);
        assert!(seen.is_empty());
        assert!(seen.capacity() <= SEEN_KEPT, "{}", seen.capacity());
        for i in 0..100 {
            seen.insert(Slot::UpValue(i));
        }
        let room = seen.capacity();
        forget_seen(&mut seen);
        assert!(seen.is_empty());
        assert_eq!(seen.capacity(), room);
    }
}
