//! `debug.getupvalue`, `setupvalue`, `upvalueid`, `upvaluejoin` and `getlocal`.
//!
//! A closure's upvalue cells are piccolo's public `Closure::upvalues()`; their names and
//! Lua's order come from the compile pipeline (`vm::upvalues`): upvalue `i` of a Lua
//! function is piccolo's cell `i - 1`, for `i` up to the number of names recorded (the
//! cells after them are the pipeline's hidden helpers). Rust functions have none (Lua's C
//! functions may have unnamed ones).
//!
//! A cell still open lives on a thread's stack. The thread running this callback is
//! borrowed by piccolo's executor while the callback runs, so such a cell is read or
//! written by a tiny Lua function holding the same cell (`Closure::from_parts`), which the
//! callback calls: the VM reaches open cells of the running thread through its own frames.

use std::collections::HashMap;

use gc_arena::{lock::RefLock, Collect, Gc, GcWeak, Rootable};
use piccolo::{
    closure::{UpValue, UpValueState},
    Callback, CallbackReturn, Closure, Context, Execution, Function, FunctionPrototype, Stack,
    Table, UserData, Value,
};

use super::argcheck::{bad_arg, check_any, check_integer, error, type_error};
use crate::vm::upvalues::{names, DebugNames};

/// Reads the cell given as its only upvalue: `(name) -> name, value`.
const GETTER: &str = "local u return function(...) return ..., u end";
/// Writes it: `(name, value) -> name`.
const SETTER: &str = "local u return function(...) local n, v = ... u = v return n end";

/// The inner function of a compiled `local u return function ... end`.
fn accessor<'gc>(ctx: Context<'gc>, source: &str) -> Option<Gc<'gc, FunctionPrototype<'gc>>> {
    let chunk = FunctionPrototype::compile(ctx, "debug", source.as_bytes()).ok()?;
    let inner = *chunk.prototypes.first()?;
    (inner.upvalues.len() == 1).then_some(inner)
}

#[derive(Collect, Clone, Copy)]
#[collect(no_drop)]
struct Accessors<'gc> {
    get: Gc<'gc, FunctionPrototype<'gc>>,
    set: Gc<'gc, FunctionPrototype<'gc>>,
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

/// The recorded names of a function value (none for Rust functions).
fn names_of(f: Function<'_>) -> Option<DebugNames> {
    match f {
        Function::Closure(c) => names(&c.prototype()),
        Function::Callback(_) => None,
    }
}

/// Lua's `nups` of a function: its named upvalues.
pub fn count(f: Function<'_>) -> usize {
    names_of(f).map_or(0, |n| n.upvalues.len())
}

/// Upvalue `n` (1-based) of function `f`: its name and cell.
fn upvalue<'gc>(ctx: Context<'gc>, f: Function<'gc>, n: i64) -> Option<(Value<'gc>, UpValue<'gc>)> {
    let Function::Closure(c) = f else {
        return None;
    };
    let names = names(&c.prototype())?;
    let i = usize::try_from(n.checked_sub(1)?).ok()?;
    let name = names.upvalues.get(i)?;
    let cell = *c.upvalues().get(i)?;
    Some((Value::String(ctx.intern(name)), cell))
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
) -> Result<(Function<'gc>, UpValue<'gc>), piccolo::Error<'gc>> {
    let n = check_integer(ctx, exec, stack, argnup, fname)?;
    let f = check_function(ctx, exec, stack, argf, fname)?;
    match upvalue(ctx, f, n) {
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

/// Ids by cell address. The weak reference to the cell keeps its box, so its address is
/// not reused while the entry exists; entries whose id is dead are pruned as the map grows.
#[derive(Collect, Default)]
#[collect(no_drop)]
struct IdMap<'gc> {
    by_cell: HashMap<
        usize,
        (
            GcWeak<'gc, piccolo::closure::UpValueInner<'gc>>,
            GcWeak<'gc, piccolo::userdata::UserDataInner<'gc>>,
        ),
    >,
    #[collect(require_static)]
    prune_at: usize,
}

impl<'gc> piccolo::Singleton<'gc> for UpValueIds<'gc> {
    fn create(ctx: Context<'gc>) -> Self {
        UpValueIds(Gc::new(&ctx, RefLock::new(IdMap::default())))
    }
}

fn id_of<'gc>(ctx: Context<'gc>, cell: UpValue<'gc>) -> UserData<'gc> {
    let ids = ctx.singleton::<Rootable![UpValueIds<'_>]>().0;
    let inner = cell.into_inner();
    let key = Gc::as_ptr(inner) as *const () as usize;
    if let Some((_, id)) = ids.borrow().by_cell.get(&key) {
        if let Some(id) = id.upgrade(&ctx) {
            return UserData::from_inner(id);
        }
    }
    let id = UserData::new_static(&ctx, ());
    let mut map = ids.borrow_mut(&ctx);
    if map.by_cell.len() >= map.prune_at {
        map.by_cell.retain(|_, (_, id)| id.upgrade(&ctx).is_some());
        map.prune_at = (map.by_cell.len() * 2).max(64);
    }
    map.by_cell
        .insert(key, (Gc::downgrade(inner), Gc::downgrade(id.into_inner())));
    id
}

pub fn install<'gc>(ctx: Context<'gc>, debug: Table<'gc>) {
    let (Some(get), Some(set)) = (accessor(ctx, GETTER), accessor(ctx, SETTER)) else {
        return;
    };
    let access = Accessors { get, set };

    let _ = debug.set(
        ctx,
        "getupvalue",
        Callback::from_fn_with(&ctx, access, |access, ctx, exec, mut stack| {
            let fname = "debug.getupvalue";
            let n = check_integer(ctx, &exec, &stack, 1, fname)?;
            let f = check_function(ctx, &exec, &stack, 0, fname)?;
            let Some((name, cell)) = upvalue(ctx, f, n) else {
                stack.clear();
                return Ok(CallbackReturn::Return);
            };
            match cell.get() {
                UpValueState::Closed(v) => {
                    stack.replace(ctx, (name, v));
                    Ok(CallbackReturn::Return)
                }
                UpValueState::Open(_) => {
                    stack.replace(ctx, name);
                    Ok(CallbackReturn::Call {
                        function: over(ctx, access.get, cell),
                        then: None,
                    })
                }
            }
        }),
    );

    let _ = debug.set(
        ctx,
        "setupvalue",
        Callback::from_fn_with(&ctx, access, |access, ctx, exec, mut stack| {
            let fname = "debug.setupvalue";
            let v = check_any(ctx, &exec, &stack, 2, fname)?;
            let n = check_integer(ctx, &exec, &stack, 1, fname)?;
            let f = check_function(ctx, &exec, &stack, 0, fname)?;
            let Some((name, cell)) = upvalue(ctx, f, n) else {
                stack.clear();
                return Ok(CallbackReturn::Return);
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
                    stack.replace(ctx, (name, v));
                    Ok(CallbackReturn::Call {
                        function: over(ctx, access.set, cell),
                        then: None,
                    })
                }
            }
        }),
    );

    super::base::set(ctx, debug, "upvalueid", |ctx, exec, mut stack| {
        let (_, cell) = check_upvalue(ctx, &exec, &stack, (0, 1), "debug.upvalueid")?;
        stack.replace(ctx, id_of(ctx, cell));
        Ok(CallbackReturn::Return)
    });

    super::base::set(ctx, debug, "upvaluejoin", |ctx, exec, stack| {
        let fname = "debug.upvaluejoin";
        let (f1, _) = check_upvalue(ctx, &exec, &stack, (0, 1), fname)?;
        let (f2, _) = check_upvalue(ctx, &exec, &stack, (2, 3), fname)?;
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

    super::base::set(ctx, debug, "getlocal", |ctx, exec, mut stack| {
        let fname = "debug.getlocal";
        let arg = usize::from(matches!(stack.get(0), Value::Thread(_)));
        let n = check_integer(ctx, &exec, &stack, arg + 1, fname)?;
        if let Value::Function(f) = stack.get(arg) {
            // A function's parameter names (Lua gives only the name).
            let name = names_of(f)
                .and_then(|names| {
                    let i = usize::try_from(n.checked_sub(1)?).ok()?;
                    names.params.get(i).cloned()
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
