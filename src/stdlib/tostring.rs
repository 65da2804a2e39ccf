//! Lua 5.3's conversion of values to text, deterministic on every platform.
//!
//! Numbers follow Lua 5.3 (`%.14g`, and integral floats keep `.0`). Tables, functions and
//! other reference values print an identity that comes from the order in which they were
//! first shown (`table: 0x00000001`), never from a memory address, which differs between
//! native and wasm builds and from run to run.

use std::collections::HashMap;
use std::io::Write;

use gc_arena::{lock::RefLock, Collect, Gc, GcWeak, Rootable};
use piccolo::{Context, Function, Value};

use crate::vm::convert::address;

/// Display identities of one Lua state, numbered in order of first display. Rolling a
/// message back forgets the identities it handed out (see [`forget_after`]).
#[derive(Collect, Clone, Copy)]
#[collect(no_drop)]
struct Identities<'gc>(Gc<'gc, RefLock<IdentityMap<'gc>>>);

/// Identities by object address. Each entry holds a weak reference to its object: while
/// the entry exists the collector keeps the object's box, so its address cannot be reused
/// by a newcomer that would inherit the identity (which would make identities, and so the
/// order of reference-typed keys, depend on how the allocator reuses memory). Entries of
/// dead objects are pruned as the map grows.
#[derive(Collect, Default)]
#[collect(no_drop)]
struct IdentityMap<'gc> {
    by_address: HashMap<usize, (u64, GcWeak<'gc, ()>)>,
    /// Identities handed out so far; the next one is `count + 1`.
    #[collect(require_static)]
    count: u64,
    /// Map size at which dead entries are next pruned.
    #[collect(require_static)]
    prune_at: usize,
    /// Identities set aside by [`park_after`].
    parked: Option<TakenIdentities<'gc>>,
}

impl<'gc> piccolo::Singleton<'gc> for Identities<'gc> {
    fn create(ctx: Context<'gc>) -> Self {
        Identities(Gc::new(&ctx, RefLock::new(IdentityMap::default())))
    }
}

fn identities<'gc>(ctx: Context<'gc>) -> Gc<'gc, RefLock<IdentityMap<'gc>>> {
    ctx.singleton::<Rootable![Identities<'_>]>().0
}

/// A reference value's address and a type-erased weak pointer to it.
pub(crate) fn weak_of<'gc>(v: Value<'gc>) -> Option<(usize, GcWeak<'gc, ()>)> {
    fn erase<'gc, T: 'gc>(gc: Gc<'gc, T>) -> GcWeak<'gc, ()> {
        // SAFETY: the erased pointer is only traced and upgraded, never dereferenced as
        // `()`; both only touch the box header, which does not depend on `T`.
        unsafe { GcWeak::cast::<()>(Gc::downgrade(gc)) }
    }
    let weak = match v {
        Value::Table(t) => erase(t.into_inner()),
        Value::Function(Function::Closure(c)) => erase(c.into_inner()),
        Value::Function(Function::Callback(c)) => erase(c.into_inner()),
        Value::Thread(t) => erase(t.into_inner()),
        Value::UserData(u) => erase(u.into_inner()),
        _ => return None,
    };
    Some((address(v)?, weak))
}

fn identity<'gc>(ctx: Context<'gc>, v: Value<'gc>) -> Option<u64> {
    let (ptr, weak) = weak_of(v)?;
    let ids = identities(ctx);
    if let Some(&(id, _)) = ids.borrow().by_address.get(&ptr) {
        return Some(id);
    }
    let mut ids = ids.borrow_mut(&ctx);
    if ids.by_address.len() >= ids.prune_at {
        ids.by_address.retain(|_, (_, w)| w.upgrade(&ctx).is_some());
        ids.prune_at = (ids.by_address.len() * 2).max(1024);
    }
    ids.count += 1;
    let id = ids.count;
    ids.by_address.insert(ptr, (id, weak));
    Some(id)
}

/// The identity of a reference value (tables, functions, threads, userdata), handed out on
/// first request; `None` for other values. `pairs` orders reference-typed keys by it, so
/// their order follows the program (and survives export and import), not addresses.
pub fn identity_of<'gc>(ctx: Context<'gc>, v: Value<'gc>) -> Option<u64> {
    identity(ctx, v)
}

/// How many identities have been handed out (a mark for [`forget_after`]).
pub fn identity_mark(ctx: Context<'_>) -> u64 {
    identities(ctx).borrow().count
}

/// The identities of live objects, by object address (for exporting a process).
pub fn identity_table(ctx: Context<'_>) -> HashMap<usize, u64> {
    identities(ctx)
        .borrow()
        .by_address
        .iter()
        .filter(|(_, (_, w))| w.upgrade(&ctx).is_some())
        .map(|(&ptr, &(id, _))| (ptr, id))
        .collect()
}

/// Replaces the identities by `known` (object, identity) pairs, `count` having been
/// handed out in all (so the next one is `count + 1`).
pub fn restore_identities<'gc>(ctx: Context<'gc>, count: u64, known: &[(Value<'gc>, u64)]) {
    let mut ids = identities(ctx).borrow_mut(&ctx);
    ids.by_address.clear();
    for &(v, id) in known {
        if let Some((ptr, weak)) = weak_of(v) {
            ids.by_address.insert(ptr, (id, weak));
        }
    }
    ids.count = count;
    ids.prune_at = (ids.by_address.len() * 2).max(1024);
}

/// Forgets identities numbered after `mark`.
pub fn forget_after(ctx: Context<'_>, mark: u64) {
    let mut ids = identities(ctx).borrow_mut(&ctx);
    ids.by_address.retain(|_, (id, _)| *id <= mark);
    ids.count = ids.count.min(mark);
}

/// Identities taken away by [`take_after`], to give back with [`give_back`].
#[derive(Collect)]
#[collect(no_drop)]
pub struct TakenIdentities<'gc> {
    entries: Vec<(usize, (u64, GcWeak<'gc, ()>))>,
    count: u64,
}

/// Forgets identities numbered after `mark`, returning them.
pub fn take_after<'gc>(ctx: Context<'gc>, mark: u64) -> TakenIdentities<'gc> {
    let mut ids = identities(ctx).borrow_mut(&ctx);
    let entries: Vec<_> = ids
        .by_address
        .iter()
        .filter(|(_, (id, _))| *id > mark)
        .map(|(k, v)| (*k, *v))
        .collect();
    for (k, _) in &entries {
        ids.by_address.remove(k);
    }
    let count = ids.count;
    ids.count = ids.count.min(mark);
    TakenIdentities { entries, count }
}

/// [`take_after`], keeping the identities in the state until [`unpark`].
pub fn park_after(ctx: Context<'_>, mark: u64) {
    let taken = take_after(ctx, mark);
    identities(ctx).borrow_mut(&ctx).parked = Some(taken);
}

/// Gives back what [`park_after`] set aside.
pub fn unpark(ctx: Context<'_>) {
    let parked = identities(ctx).borrow_mut(&ctx).parked.take();
    if let Some(taken) = parked {
        give_back(ctx, taken);
    }
}

/// Undoes a [`take_after`].
pub fn give_back<'gc>(ctx: Context<'gc>, taken: TakenIdentities<'gc>) {
    let mut ids = identities(ctx).borrow_mut(&ctx);
    ids.by_address.extend(taken.entries);
    ids.count = taken.count;
}

/// The identity a reference value already has, without handing one out (for read-only
/// views, which must not change the state).
pub fn peek_identity<'gc>(ctx: Context<'gc>, v: Value<'gc>) -> Option<u64> {
    let ptr = address(v)?;
    identities(ctx)
        .borrow()
        .by_address
        .get(&ptr)
        .map(|(id, _)| *id)
}

/// `type: 0x...` for a reference value without handing out an identity (`type: ?` when it
/// has none yet).
pub fn peek_text<'gc>(ctx: Context<'gc>, v: Value<'gc>) -> String {
    let kind = match v {
        Value::Function(Function::Callback(_)) => "function: builtin",
        v => v.type_name(),
    };
    match peek_identity(ctx, v) {
        Some(id) => format!("{kind}: 0x{id:08x}"),
        None => format!("{kind}: ?"),
    }
}

/// Writes a float as Lua 5.3's `tostring` does (`%.14g`, integral values keep `.0`).
pub fn write_float(f: f64, out: &mut Vec<u8>) {
    super::lua_number::fmt_float(f, out);
}

/// `luaL_tolstring` without `__tostring`: [`write_plain`], with a string `__name` metafield
/// in place of the type (`My Type: 0x00000001`).
pub fn write_display<'gc>(ctx: Context<'gc>, v: Value<'gc>, out: &mut Vec<u8>) {
    let start = out.len();
    write_plain(ctx, v, out);
    let name = super::args::type_name(ctx, v);
    if name != v.type_name() {
        if let Some(colon) = out[start..].iter().position(|&c| c == b':') {
            out.splice(start..start + colon, name.as_bytes().iter().copied());
        }
    }
}

/// Writes `v` as `tostring` would without consulting metamethods.
pub fn write_plain<'gc>(ctx: Context<'gc>, v: Value<'gc>, out: &mut Vec<u8>) {
    match v {
        Value::Nil => out.extend_from_slice(b"nil"),
        Value::Boolean(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
        Value::Integer(i) => super::lua_number::fmt_integer(i, out),
        Value::Number(f) => write_float(f, out),
        Value::String(s) => out.extend_from_slice(s.as_bytes()),
        other => {
            let id = identity(ctx, other).unwrap_or(0);
            let kind = match other {
                // `type()` says function; "builtin" tells Rust callbacks from Lua closures.
                Value::Function(Function::Callback(_)) => "function: builtin",
                v => v.type_name(),
            };
            let _ = write!(out, "{kind}: 0x{id:08x}");
        }
    }
}
