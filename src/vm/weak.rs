//! Weak tables (`__mode`). piccolo 0.3.3's tables hold their keys and values strongly, so
//! no collection ever drops an entry by itself. Weakness is made around the collector:
//! a table given a metatable with `__mode` is noted here (by a weak handle). A weak
//! collection ([`park`], a full collection, [`restore`]) takes out of every noted table the
//! entries with a weakly held part that is a collectable object (a table, a function, a
//! coroutine, a userdata; not strings, numbers and booleans, which Lua treats as values),
//! keeps those parts as weak handles
//! while the collector runs, and puts back the entries whose weak parts survived.
//!
//! The entries go out and come back without the undo log: a logged old value would be a
//! strong reference and keep every object alive. So an entry the collector dropped stays
//! dropped if the message then fails, which Lua allows (its collector may run at any time);
//! and an object still held by the log (one the running message overwrote) or by a kept
//! checkpoint survives, as it must for a rollback to bring it back.
//!
//! Weak keys are not ephemerons: while a key is out, its value is held strongly, so a value
//! that refers back to its own key keeps the entry (Lua 5.3 would drop it). Telling these
//! apart needs the collector's finalization step, which piccolo's `Lua` keeps to itself.

use std::cell::Cell;

use gc_arena::{lock::RefLock, Collect, Gc, GcWeak, Rootable};
use piccolo::{
    callback::CallbackInner, closure::ClosureInner, table::TableInner, thread::ThreadInner,
    userdata::UserDataInner, Callback, Closure, Context, Function, Table, Thread, UserData, Value,
};

/// A part of a parked entry: strong when Lua holds it strongly (or it is no object).
#[derive(Collect, Clone, Copy)]
#[collect(no_drop)]
enum Held<'gc> {
    Strong(Value<'gc>),
    Table(GcWeak<'gc, TableInner<'gc>>),
    Closure(GcWeak<'gc, ClosureInner<'gc>>),
    Callback(GcWeak<'gc, CallbackInner<'gc>>),
    Thread(GcWeak<'gc, ThreadInner<'gc>>),
    UserData(GcWeak<'gc, UserDataInner<'gc>>),
}

impl<'gc> Held<'gc> {
    /// `value` held weakly if `weak` and it is a collectable object.
    fn new(value: Value<'gc>, weak: bool) -> Self {
        if !weak {
            return Held::Strong(value);
        }
        match value {
            Value::Table(t) => Held::Table(Gc::downgrade(t.into_inner())),
            Value::Function(Function::Closure(c)) => Held::Closure(Gc::downgrade(c.into_inner())),
            Value::Function(Function::Callback(c)) => Held::Callback(Gc::downgrade(c.into_inner())),
            Value::Thread(t) => Held::Thread(Gc::downgrade(t.into_inner())),
            Value::UserData(u) => Held::UserData(Gc::downgrade(u.into_inner())),
            other => Held::Strong(other),
        }
    }

    fn is_weak(self) -> bool {
        !matches!(self, Held::Strong(_))
    }

    /// The value again, or `None` if the collector dropped it.
    fn get(self, ctx: Context<'gc>) -> Option<Value<'gc>> {
        Some(match self {
            Held::Strong(v) => v,
            Held::Table(w) => Value::Table(Table::from_inner(w.upgrade(&ctx)?)),
            Held::Closure(w) => {
                Value::Function(Function::Closure(Closure::from_inner(w.upgrade(&ctx)?)))
            }
            Held::Callback(w) => {
                Value::Function(Function::Callback(Callback::from_inner(w.upgrade(&ctx)?)))
            }
            Held::Thread(w) => Value::Thread(Thread::from_inner(w.upgrade(&ctx)?)),
            Held::UserData(w) => Value::UserData(UserData::from_inner(w.upgrade(&ctx)?)),
        })
    }
}

#[derive(Collect)]
#[collect(no_drop)]
struct Parked<'gc> {
    table: GcWeak<'gc, TableInner<'gc>>,
    key: Held<'gc>,
    value: Held<'gc>,
}

#[derive(Collect, Default)]
#[collect(no_drop)]
struct Registry<'gc> {
    /// Tables that were given a metatable with `__mode`; dead ones are pruned at each weak
    /// collection. Their metatable's `__mode` is read again then (Lua reads it at
    /// collection time too; changing it afterwards is undefined behaviour in Lua).
    tables: Vec<GcWeak<'gc, TableInner<'gc>>>,
    /// The addresses of `tables`, so a table is noted once. A weak handle keeps its
    /// allocation's address from being reused while it is held.
    #[collect(require_static)]
    addresses: std::collections::HashSet<usize>,
    /// Entries taken out for the collection under way.
    parked: Vec<Parked<'gc>>,
}

#[derive(Collect, Clone, Copy)]
#[collect(no_drop)]
struct WeakRoot<'gc>(Gc<'gc, RefLock<Registry<'gc>>>);

impl<'gc> piccolo::Singleton<'gc> for WeakRoot<'gc> {
    fn create(ctx: Context<'gc>) -> Self {
        WeakRoot(Gc::new(&ctx, RefLock::new(Registry::default())))
    }
}

fn registry<'gc>(ctx: Context<'gc>) -> Gc<'gc, RefLock<Registry<'gc>>> {
    ctx.singleton::<Rootable![WeakRoot<'_>]>().0
}

/// Which parts of `table`'s entries its metatable makes weak: (keys, values).
fn mode<'gc>(ctx: Context<'gc>, table: Table<'gc>) -> (bool, bool) {
    let Some(mt) = table.metatable() else {
        return (false, false);
    };
    match crate::vm::undo::field(ctx, mt, "__mode") {
        Value::String(s) => {
            let s = s.as_bytes();
            (s.contains(&b'k'), s.contains(&b'v'))
        }
        _ => (false, false),
    }
}

/// Notes `table`, just given metatable `mt`, if `mt` makes it weak.
pub fn note_metatable<'gc>(ctx: Context<'gc>, table: Table<'gc>, mt: Option<Table<'gc>>) {
    if mt.is_some_and(|mt| !crate::vm::undo::field(ctx, mt, "__mode").is_nil()) {
        let weak = Gc::downgrade(table.into_inner());
        let mut r = registry(ctx).borrow_mut(&ctx);
        if r.addresses.insert(weak.as_ptr() as *const () as usize) {
            r.tables.push(weak);
        }
    }
}

/// Whether some live table may be weak (a weak collection has work to do).
pub fn any_noted(ctx: Context<'_>) -> bool {
    !registry(ctx).borrow().tables.is_empty()
}

/// First step of a weak collection: takes out of the noted tables every entry with a
/// weakly held object. Returns how many entries were taken.
pub fn park(ctx: Context<'_>) -> usize {
    let r = registry(ctx);
    let tables: Vec<_> = r.borrow().tables.clone();
    let mut parked = Vec::new();
    for weak in tables {
        let Some(inner) = weak.upgrade(&ctx) else {
            continue;
        };
        let table = Table::from_inner(inner);
        let (weak_keys, weak_values) = mode(ctx, table);
        if !weak_keys && !weak_values {
            continue;
        }
        let taken: Vec<_> = table
            .iter()
            .map(|(k, v)| (k, v, Held::new(k, weak_keys), Held::new(v, weak_values)))
            .filter(|(_, _, k, v)| k.is_weak() || v.is_weak())
            .collect();
        for (k, v, key, value) in taken {
            crate::vm::undo::set_unlogged(ctx, table, k, v, Value::Nil);
            parked.push(Parked {
                table: weak,
                key,
                value,
            });
        }
    }
    let count = parked.len();
    r.borrow_mut(&ctx).parked = parked;
    count
}

/// Last step of a weak collection: puts back the parked entries whose parts all survived,
/// and forgets noted tables that did not.
pub fn restore(ctx: Context<'_>) {
    let r = registry(ctx);
    let parked = std::mem::take(&mut r.borrow_mut(&ctx).parked);
    for p in parked {
        let Some(inner) = p.table.upgrade(&ctx) else {
            continue;
        };
        if let (Some(k), Some(v)) = (p.key.get(ctx), p.value.get(ctx)) {
            crate::vm::undo::set_unlogged(ctx, Table::from_inner(inner), k, Value::Nil, v);
        }
    }
    let mut r = r.borrow_mut(&ctx);
    let Registry {
        tables, addresses, ..
    } = &mut *r;
    tables.retain(|t| {
        let live = t.upgrade(&ctx).is_some();
        if !live {
            addresses.remove(&(t.as_ptr() as *const () as usize));
        }
        live
    });
}

thread_local! {
    /// Set by `collectgarbage("collect")`, which interrupts the running slice so the engine
    /// can collect (the collector runs only between slices).
    static REQUESTED: Cell<bool> = const { Cell::new(false) };
}

/// Asks the engine for a full collection when the running slice ends.
pub fn request_collection() {
    REQUESTED.with(|r| r.set(true));
}

/// Whether a full collection was asked for since the last call.
pub fn take_request() -> bool {
    REQUESTED.with(|r| r.replace(false))
}
