//! `debug.getupvalue`, `setupvalue`, `upvalueid`, `upvaluejoin` and `getlocal`.
//!
//! A closure's upvalue cells are piccolo's public `Closure::upvalues()`; Lua's names and
//! order for them come from a second compilation of the closure's chunk (`vm::upvalues`),
//! found through the chunk registry (`vm::chunks`), so only closures the pipeline compiled
//! have any. Rust functions have none (Lua's C functions may have unnamed ones).
//!
//! A cell still open lives on a thread's stack. The thread running this callback is
//! borrowed by piccolo's executor while the callback runs, so such a cell is read or
//! written by a tiny Lua function holding the same cell (`Closure::from_parts`), which the
//! callback calls: the VM reaches open cells of the running thread through its own frames.

use std::collections::HashMap;
use std::rc::Rc;

use gc_arena::{lock::RefLock, Collect, Gc, GcWeak, Rootable};
use piccolo::userdata::UserDataInner;
use piccolo::{
    closure::{UpValue, UpValueState},
    Callback, CallbackReturn, Closure, Context, Execution, Function, FunctionPrototype, Stack,
    Table, UserData, Value,
};

use super::argcheck::{bad_arg, check_any, check_integer, error, type_error};
use crate::vm::chunks;
use crate::vm::compile::{self, SourceLimits};
use crate::vm::upvalues::{self, LuaView};

/// Reads the cell given as its only upvalue: `(name) -> name, value`.
const GETTER: &str = "local u return function(...) return ..., u end";
/// Writes it: `(name, value) -> name`.
const SETTER: &str = "local u return function(...) local n, v = ... u = v return n end";

/// The inner function of a compiled `local u return function ... end`.
fn accessor<'gc>(ctx: Context<'gc>, source: &str) -> Option<Gc<'gc, FunctionPrototype<'gc>>> {
    let compiled = compile::compile_raw("debug", source.as_bytes()).ok()?;
    let chunk = compile::prototype(ctx, "debug", &compiled);
    let inner = *chunk.prototypes.first()?;
    (inner.upvalues.len() == 1).then_some(inner)
}

/// The accessor prototypes, compiled on first use (a state that never reads an open
/// upvalue through the debug library pays nothing for them).
#[derive(Collect, Clone, Copy)]
#[collect(no_drop)]
struct Accessors<'gc> {
    get: Option<Gc<'gc, FunctionPrototype<'gc>>>,
    set: Option<Gc<'gc, FunctionPrototype<'gc>>>,
}

impl<'gc> piccolo::Singleton<'gc> for Accessors<'gc> {
    fn create(ctx: Context<'gc>) -> Self {
        Accessors {
            get: accessor(ctx, GETTER),
            set: accessor(ctx, SETTER),
        }
    }
}

fn accessors(ctx: Context<'_>) -> Accessors<'_> {
    *ctx.singleton::<Rootable![Accessors<'_>]>()
}

/// A closure over `cell` alone, made from an accessor prototype.
fn over<'gc>(
    ctx: Context<'gc>,
    proto: Gc<'gc, FunctionPrototype<'gc>>,
    cell: UpValue<'gc>,
) -> Function<'gc> {
    let mut cells =
        allocator_api2::vec::Vec::new_in(gc_arena::allocator_api::MetricsAlloc::new(&ctx));
    cells.push(cell);
    Function::Closure(Closure::from_parts(&ctx, proto, cells))
}

/// Lua's view of a function value (none for Rust functions and for closures the pipeline
/// did not make), with the chunk's `_ENV` value for a main chunk whose `_ENV` piccolo
/// did not capture. The chunk is compiled again, both ways (cached, see `compile`).
fn view_of<'gc>(
    ctx: Context<'gc>,
    limits: &SourceLimits,
    f: Function<'gc>,
) -> Option<(Rc<LuaView>, Value<'gc>)> {
    let Function::Closure(c) = f else {
        return None;
    };
    let proto = c.prototype();
    let at = chunks::locate(ctx, proto)?;
    let chunk = chunks::chunk(ctx, at.chunk)?;
    let env = chunk.env.unwrap_or(Value::Table(ctx.globals()));
    let views = ctx.singleton::<Rootable![Views<'_>]>().0;
    let key = Gc::as_ptr(proto) as *const () as usize;
    let known = views.borrow().by_proto.get(&key).map(|e| e.view.clone());
    let view = match known {
        Some(view) => view,
        None => {
            let reads = crate::ao::runtime::reads_for(&chunk.name, &chunk.source);
            let diagnostic = crate::vm::diagnostics::enabled(ctx);
            let compiled = |names| {
                let compile = if names {
                    compile::compile_names
                } else {
                    compile::compile_mode
                };
                compile(&chunk.name, &chunk.source, limits, reads, diagnostic).ok()
            };
            let view = match (compiled(false), compiled(true)) {
                (Some(plain), Some(named)) => upvalues::view(&plain, &named, &at.path)
                    // Every cell the view names is one of this closure's.
                    .filter(|v| {
                        v.upvalues
                            .iter()
                            .all(|(_, i)| i.is_none_or(|i| i < c.upvalues().len()))
                    })
                    .map(Rc::new),
                _ => None,
            };
            let mut map = views.borrow_mut(&ctx);
            if map.by_proto.len() >= map.prune_at {
                map.by_proto.retain(|_, e| e.proto.upgrade(&ctx).is_some());
                map.prune_at = (map.by_proto.len() * 2).max(256);
            }
            map.by_proto.insert(
                key,
                ViewEntry {
                    proto: Gc::downgrade(proto),
                    view: view.clone(),
                },
            );
            view
        }
    };
    Some((view?, env))
}

/// Lua's views of prototypes already asked about, by prototype address (the weak
/// reference keeps the box, so the address is not reused while the entry exists).
#[derive(Collect, Clone, Copy)]
#[collect(no_drop)]
struct Views<'gc>(Gc<'gc, RefLock<ViewMap<'gc>>>);

#[derive(Collect, Default)]
#[collect(no_drop)]
struct ViewMap<'gc> {
    by_proto: HashMap<usize, ViewEntry<'gc>>,
    #[collect(require_static)]
    prune_at: usize,
}

#[derive(Collect)]
#[collect(no_drop)]
struct ViewEntry<'gc> {
    proto: GcWeak<'gc, FunctionPrototype<'gc>>,
    #[collect(require_static)]
    view: Option<Rc<LuaView>>,
}

impl<'gc> piccolo::Singleton<'gc> for Views<'gc> {
    fn create(ctx: Context<'gc>) -> Self {
        Views(Gc::new(&ctx, RefLock::new(ViewMap::default())))
    }
}

/// Lua's `nups` of a function: its upvalues as Lua counts them.
pub fn count<'gc>(ctx: Context<'gc>, limits: &SourceLimits, f: Function<'gc>) -> usize {
    view_of(ctx, limits, f).map_or(0, |(v, _)| v.upvalues.len())
}

/// Where an upvalue's value is.
#[derive(Clone, Copy)]
enum Slot<'gc> {
    Cell(UpValue<'gc>),
    /// The `_ENV` of a main chunk that uses no global: piccolo made no cell for it, so it
    /// can be read (the chunk's environment) but not replaced.
    Env(Value<'gc>, Closure<'gc>),
}

/// Upvalue `n` (1-based) of function `f`: its name and where its value is.
fn upvalue<'gc>(
    ctx: Context<'gc>,
    limits: &SourceLimits,
    f: Function<'gc>,
    n: i64,
) -> Option<(Value<'gc>, Slot<'gc>)> {
    let Function::Closure(c) = f else {
        return None;
    };
    let i = usize::try_from(n.checked_sub(1)?).ok()?;
    let (view, env) = view_of(ctx, limits, f)?;
    let (name, cell) = view.upvalues.get(i)?;
    let slot = match cell {
        Some(cell) => Slot::Cell(*c.upvalues().get(*cell)?),
        None => Slot::Env(env, c),
    };
    Some((Value::String(ctx.intern(name)), slot))
}

/// `luaL_checktype(L, i, LUA_TFUNCTION)`.
fn check_function<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    stack: &Stack<'gc, '_>,
    i: usize,
    fname: &str,
) -> Result<Function<'gc>, piccolo::Error<'gc>> {
    match stack.get(i) {
        Value::Function(f) => Ok(f),
        _ => Err(type_error(ctx, exec, stack, i, fname, "function")),
    }
}

/// Lua 5.3's `checkupval`: the upvalue index argument `argnup` of the function argument
/// `argf` (0-based), which must name an upvalue.
fn check_upvalue<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    stack: &Stack<'gc, '_>,
    (argf, argnup): (usize, usize),
    fname: &str,
    limits: &SourceLimits,
) -> Result<(Function<'gc>, Slot<'gc>), piccolo::Error<'gc>> {
    let n = check_integer(ctx, exec, stack, argnup, fname)?;
    let f = check_function(ctx, exec, stack, argf, fname)?;
    match upvalue(ctx, limits, f, n) {
        Some((_, cell)) => Ok((f, cell)),
        None => Err(bad_arg(ctx, exec, argnup, fname, "invalid upvalue index")),
    }
}

/// The userdata `upvalueid` gives for a cell: one per cell while either lives (Lua gives
/// the cell's address as a light userdata; piccolo has none, and a full userdata compares
/// by identity the same way).
#[derive(Collect, Clone, Copy)]
#[collect(no_drop)]
struct UpValueIds<'gc>(Gc<'gc, RefLock<IdMap<'gc>>>);

/// Ids by the address of what they identify (a cell, or a closure for the `_ENV` of
/// [`Slot::Env`]). The weak reference to it keeps its box, so its address is not reused
/// while the entry exists; entries whose id is dead are pruned as the map grows.
#[derive(Collect, Default)]
#[collect(no_drop)]
struct IdMap<'gc> {
    by_address: HashMap<usize, (GcWeak<'gc, ()>, GcWeak<'gc, UserDataInner<'gc>>)>,
    #[collect(require_static)]
    prune_at: usize,
}

impl<'gc> piccolo::Singleton<'gc> for UpValueIds<'gc> {
    fn create(ctx: Context<'gc>) -> Self {
        UpValueIds(Gc::new(&ctx, RefLock::new(IdMap::default())))
    }
}

fn erase<'gc, T: 'gc>(gc: Gc<'gc, T>) -> GcWeak<'gc, ()> {
    // SAFETY: the erased pointer is only traced, never upgraded or dereferenced as `()`;
    // tracing only touches the box header, which does not depend on `T`.
    unsafe { GcWeak::cast::<()>(Gc::downgrade(gc)) }
}

fn id_of<'gc>(ctx: Context<'gc>, slot: Slot<'gc>) -> UserData<'gc> {
    let (key, weak) = match slot {
        Slot::Cell(cell) => {
            let inner = cell.into_inner();
            (Gc::as_ptr(inner) as *const () as usize, erase(inner))
        }
        Slot::Env(_, closure) => {
            let inner = closure.into_inner();
            (Gc::as_ptr(inner) as *const () as usize, erase(inner))
        }
    };
    let ids = ctx.singleton::<Rootable![UpValueIds<'_>]>().0;
    if let Some((_, id)) = ids.borrow().by_address.get(&key) {
        if let Some(id) = id.upgrade(&ctx) {
            return UserData::from_inner(id);
        }
    }
    let id = UserData::new_static(&ctx, ());
    let mut map = ids.borrow_mut(&ctx);
    if map.by_address.len() >= map.prune_at {
        map.by_address
            .retain(|_, (_, id)| id.upgrade(&ctx).is_some());
        map.prune_at = (map.by_address.len() * 2).max(64);
    }
    map.by_address
        .insert(key, (weak, Gc::downgrade(id.into_inner())));
    id
}

pub fn install<'gc>(ctx: Context<'gc>, debug: Table<'gc>, limits: SourceLimits) {
    let _ = debug.set(
        ctx,
        "getupvalue",
        Callback::from_fn(&ctx, move |ctx, exec, mut stack| {
            let fname = "debug.getupvalue";
            let n = check_integer(ctx, &exec, &stack, 1, fname)?;
            let f = check_function(ctx, &exec, &stack, 0, fname)?;
            let Some((name, slot)) = upvalue(ctx, &limits, f, n) else {
                stack.clear();
                return Ok(CallbackReturn::Return);
            };
            let cell = match slot {
                Slot::Cell(cell) => cell,
                Slot::Env(env, _) => {
                    stack.replace(ctx, (name, env));
                    return Ok(CallbackReturn::Return);
                }
            };
            match cell.get() {
                UpValueState::Closed(v) => {
                    stack.replace(ctx, (name, v));
                    Ok(CallbackReturn::Return)
                }
                UpValueState::Open(_) => {
                    let Some(get) = accessors(ctx).get else {
                        return Err(error(ctx, &exec, "debug.getupvalue: internal error"));
                    };
                    stack.replace(ctx, name);
                    Ok(CallbackReturn::Call {
                        function: over(ctx, get, cell),
                        then: None,
                    })
                }
            }
        }),
    );

    let _ = debug.set(
        ctx,
        "setupvalue",
        Callback::from_fn(&ctx, move |ctx, exec, mut stack| {
            let fname = "debug.setupvalue";
            let v = check_any(ctx, &exec, &stack, 2, fname)?;
            let n = check_integer(ctx, &exec, &stack, 1, fname)?;
            let f = check_function(ctx, &exec, &stack, 0, fname)?;
            let Some((name, slot)) = upvalue(ctx, &limits, f, n) else {
                stack.clear();
                return Ok(CallbackReturn::Return);
            };
            let Slot::Cell(cell) = slot else {
                return Err(error(
                    ctx,
                    &exec,
                    "debug.setupvalue: this chunk uses no global, so aolite keeps no _ENV \
                     variable for it to replace",
                ));
            };
            // A failed message rolls the assignment back, as it does Lua's own.
            crate::vm::undo::record_upvalue(ctx, cell);
            match cell.get() {
                UpValueState::Closed(_) => {
                    cell.set(&ctx, UpValueState::Closed(v));
                    stack.replace(ctx, name);
                    Ok(CallbackReturn::Return)
                }
                UpValueState::Open(_) => {
                    let Some(set) = accessors(ctx).set else {
                        return Err(error(ctx, &exec, "debug.setupvalue: internal error"));
                    };
                    stack.replace(ctx, (name, v));
                    Ok(CallbackReturn::Call {
                        function: over(ctx, set, cell),
                        then: None,
                    })
                }
            }
        }),
    );

    super::base::set(ctx, debug, "upvalueid", move |ctx, exec, mut stack| {
        let (_, slot) = check_upvalue(ctx, &exec, &stack, (0, 1), "debug.upvalueid", &limits)?;
        stack.replace(ctx, id_of(ctx, slot));
        Ok(CallbackReturn::Return)
    });

    super::base::set(ctx, debug, "upvaluejoin", move |ctx, exec, stack| {
        let fname = "debug.upvaluejoin";
        let (f1, _) = check_upvalue(ctx, &exec, &stack, (0, 1), fname, &limits)?;
        let (f2, _) = check_upvalue(ctx, &exec, &stack, (2, 3), fname, &limits)?;
        for (i, f) in [(0, f1), (2, f2)] {
            if matches!(f, Function::Callback(_)) {
                return Err(bad_arg(ctx, &exec, i, fname, "Lua function expected"));
            }
        }
        // piccolo's closures hold their cells in an immutable array: a cell cannot be
        // replaced by another one (see COMPATIBILITY.md).
        Err(error(
            ctx,
            &exec,
            "debug.upvaluejoin is not supported by aolite (a closure's upvalues cannot be \
             replaced)",
        ))
    });

    super::base::set(ctx, debug, "getlocal", move |ctx, exec, mut stack| {
        let fname = "debug.getlocal";
        let arg = usize::from(matches!(stack.get(0), Value::Thread(_)));
        let n = check_integer(ctx, &exec, &stack, arg + 1, fname)?;
        if let Value::Function(f) = stack.get(arg) {
            // A function's parameter names (Lua gives only the name).
            let name = view_of(ctx, &limits, f)
                .and_then(|(view, _)| {
                    let i = usize::try_from(n.checked_sub(1)?).ok()?;
                    view.params.get(i).cloned()
                })
                .map_or(Value::Nil, |name| Value::String(ctx.intern(&name)));
            stack.replace(ctx, name);
            return Ok(CallbackReturn::Return);
        }
        check_integer(ctx, &exec, &stack, arg, fname)?;
        // piccolo shows no frame's registers to a library function.
        Err(error(
            ctx,
            &exec,
            "debug.getlocal of a running function (a stack level) is not supported by aolite",
        ))
    });
}
