//! Rebuilding a process from a checked document: a fresh state with the same built-ins,
//! the chunks recompiled through the pipeline, then the object graph in two passes
//! (allocate every object, then fill tables and upvalue cells) so cycles need no order.

use allocator_api2::vec::Vec as AVec;
use gc_arena::allocator_api::MetricsAlloc;
use piccolo::{
    closure::{UpValue, UpValueState},
    Closure, Context, Function, Table, Thread, Value,
};

use super::builtins;
use super::doc::{self, Obj, V};
use crate::ao::process::Process;
use crate::error::Error;
use crate::stdlib::random::Rng;
use crate::vm::{chunks, compile, undo, Vm};

fn bad(m: impl Into<String>) -> Error {
    Error::BadState(m.into())
}

pub fn import(text: &str) -> Result<Process, Error> {
    import_mode(text, false)
}

/// [`import`], in diagnostic mode when `diagnostic` (see [`crate::vm::diagnostics`]): every
/// chunk is recompiled with its calls instrumented, under roomier limits.
pub fn import_mode(text: &str, diagnostic: bool) -> Result<Process, Error> {
    let d = doc::parse(text)?;
    let limits = if diagnostic {
        crate::vm::diagnostics::diagnostic_limits(d.limits)
    } else {
        d.limits
    };
    let mut vm = Vm::new(limits)?;
    vm.enter(|ctx| crate::vm::diagnostics::set_enabled(ctx, diagnostic));
    crate::stdlib::install(&mut vm);
    crate::ao::runtime::install_natives(&mut vm)?;
    let mut compiled = Vec::with_capacity(d.chunks.len());
    // In diagnostic mode closures capture more helpers: their upvalues are matched to the
    // document's (made for the plain compilation) by what each refers to.
    let mut instrumented = Vec::new();
    for (i, c) in d.chunks.iter().enumerate() {
        let reads = crate::ao::runtime::reads_for(&c.name, &c.source);
        let compile = |diagnostic| {
            compile::compile_mode(&c.name, &c.source, &d.limits.source, reads, diagnostic)
                .map_err(|e| bad(format!("chunks[{i}] ({}) does not compile: {e}", c.name)))
        };
        compiled.push(compile(false)?);
        if diagnostic {
            instrumented.push(compile(true)?);
        }
    }
    let helpers = vm.stashed_helpers();
    {
        let host = vm.host();
        let mut host = host.borrow_mut();
        host.time_ms = d.time_ms;
        host.fuel_before_slice = d.fuel_used;
        host.rng = Rng::from_state(d.rng);
    }
    let handle = vm.enter(|ctx| {
        let helpers = compile::helper_slots(&helpers.fetch(ctx));
        let diagnostic = diagnostic.then_some((instrumented.as_slice(), helpers));
        build(ctx, &d, &compiled, diagnostic)
    })?;
    if vm.memory() > limits.memory {
        return Err(bad(format!(
            "the state needs {} bytes, more than its memory limit of {}",
            vm.memory(),
            d.limits.memory
        )));
    }
    let mut history = crate::state::history::History::new(!diagnostic, false);
    if !diagnostic {
        // A replay of the log (see `Process::restore_coroutines_if_undone`) starts here.
        history.origin = Some(crate::state::history::Origin::Import(std::sync::Arc::from(
            text,
        )));
    }
    Ok(Process {
        vm,
        id: d.id,
        owner: d.owner,
        module: d.module,
        process_tags: d.tags,
        module_tags: d.module_tags,
        clock: d.clock,
        clock_step: d.clock_step,
        block_height: d.block_height,
        nonce: d.nonce,
        handle,
        history,
        diagnose: if diagnostic {
            crate::ao::process::Diagnostics::Off
        } else {
            crate::ao::process::Diagnostics::Auto
        },
    })
}

#[derive(Clone, Copy)]
enum Made<'gc> {
    Val(Value<'gc>),
    Cell(UpValue<'gc>),
}

type Compiled = compile::Compiled;

fn build<'gc>(
    ctx: Context<'gc>,
    d: &doc::Doc,
    compiled: &[Compiled],
    diagnostic: Option<(&[Compiled], Vec<Value<'gc>>)>,
) -> Result<piccolo::StashedFunction, Error> {
    // Check what needs the fresh state before allocating anything: built-in names exist
    // with the right kind, prototype paths resolve, upvalue counts match.
    let protos: Vec<_> = d
        .chunks
        .iter()
        .zip(compiled)
        .map(|(c, p)| compile::prototype(ctx, &c.name, p))
        .collect();
    let instrumented: Option<Vec<_>> = diagnostic.as_ref().map(|(protos, _)| {
        d.chunks
            .iter()
            .zip(protos.iter())
            .map(|(c, p)| compile::prototype(ctx, &c.name, p))
            .collect()
    });
    for (i, o) in d.objects.iter().enumerate() {
        match o {
            Obj::Table {
                builtin: Some(b), ..
            } if !matches!(builtins::by_name(ctx, b), Some(Value::Table(_))) => {
                return Err(bad(format!(
                    "objects[{i}]: there is no built-in table '{b}'"
                )));
            }
            Obj::Builtin { name, .. }
                if !matches!(
                    builtins::by_name(ctx, name),
                    Some(Value::Function(Function::Callback(_)) | Value::UserData(_))
                ) =>
            {
                return Err(bad(format!(
                    "objects[{i}]: there is no built-in function '{name}'"
                )));
            }
            Obj::Closure {
                chunk,
                path,
                upvalues,
                ..
            } => {
                let Some(p) = protos.get(*chunk).and_then(|&c| chunks::resolve(c, path)) else {
                    return Err(bad(format!(
                        "objects[{i}]: chunk {chunk} has no function at path {path:?}"
                    )));
                };
                if p.upvalues.len() != upvalues.len() {
                    return Err(bad(format!(
                        "objects[{i}]: the function takes {} upvalues, the document gives {}",
                        p.upvalues.len(),
                        upvalues.len()
                    )));
                }
            }
            _ => {}
        }
    }
    // Pass 1: allocate (cells before closures, which hold them).
    let mut made: Vec<Option<Made<'gc>>> = vec![None; d.objects.len()];
    for (slot, o) in made.iter_mut().zip(&d.objects) {
        *slot = match o {
            Obj::Table { builtin, .. } => Some(Made::Val(match builtin {
                Some(b) => builtins::by_name(ctx, b).unwrap_or(Value::Nil),
                None => Value::Table(Table::new(&ctx)),
            })),
            Obj::Cell(_) => Some(Made::Cell(UpValue::new(
                &ctx,
                UpValueState::Closed(Value::Nil),
            ))),
            Obj::Builtin { name, .. } => Some(Made::Val(
                builtins::by_name(ctx, name).unwrap_or(Value::Nil),
            )),
            Obj::Thread { .. } => Some(Made::Val(Value::Thread(Thread::new(ctx)))),
            Obj::Closure { .. } => None,
        };
    }
    for (i, o) in d.objects.iter().enumerate() {
        if let Obj::Closure {
            chunk,
            path,
            upvalues,
            ..
        } = o
        {
            let base = protos.get(*chunk).copied();
            let plain = base
                .and_then(|c| chunks::resolve(c, path))
                .ok_or_else(|| bad("unreachable"))?;
            let mut cells = AVec::new_in(MetricsAlloc::new(&ctx));
            for u in upvalues {
                match made.get(*u as usize).copied().flatten() {
                    Some(Made::Cell(c)) => cells.push(c),
                    _ => return Err(bad(format!("objects[{i}]: bad upvalue reference"))),
                }
            }
            let proto = match (&instrumented, &diagnostic) {
                (Some(instrumented), Some((_, helpers))) => {
                    let (Some(base), Some(&inst)) = (base, instrumented.get(*chunk)) else {
                        return Err(bad("the instrumented chunk differs"));
                    };
                    let proto = chunks::resolve(inst, path)
                        .ok_or_else(|| bad("the instrumented chunk differs"))?;
                    let have = upvalue_keys(base, path);
                    let want = upvalue_keys(inst, path);
                    let mut matched = AVec::new_in(MetricsAlloc::new(&ctx));
                    for key in &want {
                        let cell = match (have.iter().position(|k| k == key), key) {
                            (Some(j), _) => match cells.get(j) {
                                Some(&c) => c,
                                None => return Err(bad("an instrumented upvalue has no match")),
                            },
                            (None, UpKey::Helper(r)) => UpValue::new(
                                &ctx,
                                UpValueState::Closed(
                                    helpers.get(usize::from(*r)).copied().unwrap_or_default(),
                                ),
                            ),
                            (None, _) => return Err(bad("an instrumented upvalue has no match")),
                        };
                        matched.push(cell);
                    }
                    cells = matched;
                    proto
                }
                _ => plain,
            };
            if let Some(slot) = made.get_mut(i) {
                *slot = Some(Made::Val(Value::Function(Function::Closure(
                    Closure::from_parts(&ctx, proto, cells),
                ))));
            }
        }
    }
    let value = |v: &V| -> Value<'gc> {
        match v {
            V::Nil => Value::Nil,
            V::Bool(b) => Value::Boolean(*b),
            V::Int(i) => Value::Integer(*i),
            V::Float(f) => Value::Number(*f),
            V::Str(s) => Value::String(ctx.intern(s)),
            V::Ref(r) => match made.get(*r as usize).copied().flatten() {
                Some(Made::Val(v)) => v,
                // Validation keeps values from pointing at cells; stay total anyway.
                _ => Value::Nil,
            },
        }
    };
    // Pass 2: fill.
    let mut known_ids = Vec::new();
    for (i, (o, m)) in d.objects.iter().zip(made.iter().copied()).enumerate() {
        match (o, m) {
            (
                Obj::Table {
                    entries, meta, id, ..
                },
                Some(Made::Val(Value::Table(t))),
            ) => {
                // A built-in table installed with keys of its own. The document's entries
                // are stored over them first and only the keys it lacks are removed after:
                // removing a key first would leave a dead key that piccolo 0.3.3 compares by
                // address, so a lookup with the installed key object (`"__index"` from
                // Rust) would stop at it and miss the equal key stored next to it.
                let stale: Vec<Value> = t.iter().map(|(k, _)| k).collect();
                let kept = piccolo::Table::new(&ctx);
                for (e, (k, v)) in entries.iter().enumerate() {
                    let (k, v) = (value(k), value(v));
                    if matches!(k, Value::Nil) || matches!(v, Value::Nil) {
                        return Err(bad(format!(
                            "objects[{i}].entries[{e}] refers to an upvalue cell"
                        )));
                    }
                    undo::raw_set(ctx, t, k, v)
                        .map_err(|err| bad(format!("objects[{i}].entries[{e}]: {err}")))?;
                    let _ = kept.set(ctx, k, true);
                }
                // Through `raw_set`, which keeps piccolo off its dead-key panic.
                for k in stale {
                    if kept.get(ctx, k).is_nil() {
                        let _ = undo::raw_set(ctx, t, k, Value::Nil);
                    }
                }
                let meta = match meta {
                    Some(m) => match value(&V::Ref(*m)) {
                        Value::Table(m) => Some(m),
                        _ => None,
                    },
                    None => None,
                };
                t.set_metatable(&ctx, meta);
                if let Some(id) = id {
                    known_ids.push((Value::Table(t), *id));
                }
            }
            (Obj::Cell(v), Some(Made::Cell(c))) => {
                if let V::Ref(r) = v {
                    if !matches!(made.get(*r as usize), Some(Some(Made::Val(_)))) {
                        return Err(bad(format!("objects[{i}].value refers to an upvalue cell")));
                    }
                }
                c.set(&ctx, UpValueState::Closed(value(v)));
            }
            (
                Obj::Closure { id: Some(id), .. }
                | Obj::Builtin { id: Some(id), .. }
                | Obj::Thread { id: Some(id) },
                Some(Made::Val(v)),
            ) => known_ids.push((v, *id)),
            _ => {}
        }
    }
    // Weak tables, once their metatables (which may come later in the document) are filled.
    for m in made.iter().flatten() {
        if let Made::Val(Value::Table(t)) = *m {
            crate::vm::weak::note_metatable(ctx, t, t.metatable());
        }
    }
    // In diagnostic mode the closures run the instrumented prototypes: those are recorded.
    let recorded = instrumented.as_ref().unwrap_or(&protos);
    for (c, &proto) in d.chunks.iter().zip(recorded) {
        let env = match &c.env {
            Some(v) => value(v),
            None => Value::Table(ctx.globals()),
        };
        chunks::record(ctx, &c.name, c.source.as_slice().into(), env, proto);
    }
    crate::stdlib::tostring::restore_identities(ctx, d.identities, &known_ids);
    match value(&V::Ref(d.handle)) {
        Value::Function(f) => Ok(ctx.stash(f)),
        _ => Err(bad("roots.handle is not a function")),
    }
}

/// What an upvalue of a function refers to, from the chunk's main function down `path`:
/// one of the wrapper's helpers, `_ENV`, or a local (register) of the function `level`
/// steps down the path. The same variable has the same key in both compilations.
#[derive(Debug, Clone, PartialEq, Eq)]
enum UpKey {
    Env,
    Helper(u8),
    Local(usize, u8),
}

fn upvalue_keys<'gc>(
    root: gc_arena::Gc<'gc, piccolo::FunctionPrototype<'gc>>,
    path: &[u32],
) -> Vec<UpKey> {
    use piccolo::types::UpValueDescriptor as D;
    let mut keys: Vec<UpKey> = root
        .upvalues
        .iter()
        .map(|d| match d {
            D::ParentLocal(r) => UpKey::Helper(r.0),
            _ => UpKey::Env,
        })
        .collect();
    let mut proto = root;
    for (level, &i) in path.iter().enumerate() {
        let Some(child) = proto.prototypes.get(i as usize) else {
            return Vec::new();
        };
        keys = child
            .upvalues
            .iter()
            .map(|d| match d {
                D::ParentLocal(r) => UpKey::Local(level, r.0),
                D::Outer(o) => keys.get(usize::from(o.0)).cloned().unwrap_or(UpKey::Env),
                D::Environment => UpKey::Env,
            })
            .collect();
        proto = *child;
    }
    keys
}
