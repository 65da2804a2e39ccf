//! The chunks a Lua state compiled, kept so a process can be exported: a closure is stored
//! as (chunk, path to its prototype) and rebuilt by recompiling the chunk's source.
//!
//! The registry lives in the arena (a singleton) and holds its prototypes weakly: while an
//! index entry exists its prototype's box is kept (so the address cannot be reused), and a
//! chunk whose prototypes are all dead (an Eval's code nothing refers to any more) is
//! forgotten as the index grows, so a long session does not keep every chunk it ran.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;

use gc_arena::{lock::RefLock, Collect, Gc, GcWeak, Rootable};
use piccolo::{string::StringInner, Context, FunctionPrototype, Value};

/// One compiled chunk; chunk numbers grow in load order.
#[derive(Collect, Clone)]
#[collect(no_drop)]
pub struct ChunkRecord<'gc> {
    #[collect(require_static)]
    pub name: String,
    #[collect(require_static)]
    pub source: Rc<[u8]>,
    /// The `_ENV` it was loaded with, when that was not the globals.
    pub env: Option<Value<'gc>>,
}

/// Where a prototype comes from: its chunk and the indices through nested `prototypes`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtoRef {
    pub chunk: usize,
    pub path: Vec<u32>,
}

#[derive(Collect, Default)]
#[collect(no_drop)]
struct Registry<'gc> {
    chunks: BTreeMap<usize, ChunkRecord<'gc>>,
    #[collect(require_static)]
    next: usize,
    index: HashMap<usize, Indexed<'gc>>,
    #[collect(require_static)]
    prune_at: usize,
    /// The names `load` was given, by the address of the chunk-name string its prototypes
    /// share (see `record_given_name`).
    given: HashMap<usize, Given<'gc>>,
}

#[derive(Collect)]
#[collect(no_drop)]
struct Given<'gc> {
    name: GcWeak<'gc, StringInner>,
    #[collect(require_static)]
    given: Rc<[u8]>,
}

#[derive(Collect)]
#[collect(no_drop)]
struct Indexed<'gc> {
    #[collect(require_static)]
    at: ProtoRef,
    proto: GcWeak<'gc, FunctionPrototype<'gc>>,
}

#[derive(Collect, Clone, Copy)]
#[collect(no_drop)]
struct Chunks<'gc>(Gc<'gc, RefLock<Registry<'gc>>>);

impl<'gc> piccolo::Singleton<'gc> for Chunks<'gc> {
    fn create(ctx: Context<'gc>) -> Self {
        Chunks(Gc::new(&ctx, RefLock::new(Registry::default())))
    }
}

fn registry<'gc>(ctx: Context<'gc>) -> Gc<'gc, RefLock<Registry<'gc>>> {
    ctx.singleton::<Rootable![Chunks<'_>]>().0
}

/// The address that identifies a prototype.
pub fn proto_key(p: Gc<'_, FunctionPrototype<'_>>) -> usize {
    Gc::as_ptr(p) as *const () as usize
}

/// Records a freshly compiled chunk and indexes all its prototypes; returns its index.
pub fn record<'gc>(
    ctx: Context<'gc>,
    name: &str,
    source: Rc<[u8]>,
    env: Value<'gc>,
    main: Gc<'gc, FunctionPrototype<'gc>>,
) -> usize {
    let env = match env {
        Value::Table(t) if Gc::ptr_eq(t.into_inner(), ctx.globals().into_inner()) => None,
        v => Some(v),
    };
    let reg = registry(ctx);
    let mut reg = reg.borrow_mut(&ctx);
    if reg.index.len() >= reg.prune_at {
        reg.index.retain(|_, e| e.proto.upgrade(&ctx).is_some());
        reg.given.retain(|_, g| g.name.upgrade(&ctx).is_some());
        let live: HashSet<usize> = reg.index.values().map(|e| e.at.chunk).collect();
        reg.chunks.retain(|c, _| live.contains(c));
        // Dead entries keep their prototypes' boxes allocated until pruned: at most about
        // as many as are live, and at least 1 024 between prunes (with 4 096, a session of
        // a few thousand one-line Evals held half again the heap it needs).
        reg.prune_at = (reg.index.len() * 2).max(1024);
    }
    let chunk = reg.next;
    reg.next += 1;
    // Iterative walk: nesting depth is bounded by the compiler, but stay off the stack anyway.
    let mut pending = vec![(main, Vec::new())];
    while let Some((proto, path)) = pending.pop() {
        for (i, child) in proto.prototypes.iter().enumerate() {
            let mut p = path.clone();
            p.push(i as u32);
            pending.push((*child, p));
        }
        reg.index.insert(
            proto_key(proto),
            Indexed {
                at: ProtoRef { chunk, path },
                proto: Gc::downgrade(proto),
            },
        );
    }
    reg.chunks.insert(
        chunk,
        ChunkRecord {
            name: name.to_owned(),
            source,
            env,
        },
    );
    chunk
}

/// Records the chunk name `load` was given (Lua's `source`: `=name`, `@file`, or the text
/// itself when none was given) for the chunk whose prototypes carry `display` (`short_src`,
/// the name shown in messages). `display` must be a string of its own, not an interned
/// one, so that its address tells this chunk from others shown under the same name.
/// Kept while the chunk lives; forgotten with its index entries (see `record`).
pub fn record_given_name<'gc>(ctx: Context<'gc>, display: piccolo::String<'gc>, given: Rc<[u8]>) {
    let inner = display.into_inner();
    registry(ctx).borrow_mut(&ctx).given.insert(
        Gc::as_ptr(inner) as *const () as usize,
        Given {
            name: Gc::downgrade(inner),
            given,
        },
    );
}

/// The chunk name `load` was given for the chunk whose prototypes carry `display`, if it
/// was loaded by `load` (and not restored from an exported state, which keeps only the
/// display name).
pub fn given_name<'gc>(ctx: Context<'gc>, display: piccolo::String<'gc>) -> Option<Rc<[u8]>> {
    let inner = display.into_inner();
    let reg = registry(ctx).borrow();
    let g = reg.given.get(&(Gc::as_ptr(inner) as *const () as usize))?;
    let live = g.name.upgrade(&ctx)?;
    Gc::ptr_eq(live, inner).then(|| g.given.clone())
}

/// Where `proto` was compiled from, if it came through the pipeline.
pub fn locate(ctx: Context<'_>, proto: Gc<'_, FunctionPrototype<'_>>) -> Option<ProtoRef> {
    registry(ctx)
        .borrow()
        .index
        .get(&proto_key(proto))
        .map(|e| e.at.clone())
}

/// The recorded chunk `index`.
pub fn chunk<'gc>(ctx: Context<'gc>, index: usize) -> Option<ChunkRecord<'gc>> {
    registry(ctx).borrow().chunks.get(&index).cloned()
}

/// How many chunks the registry holds (recorded and not yet forgotten).
pub fn count(ctx: Context<'_>) -> usize {
    registry(ctx).borrow().chunks.len()
}

/// The prototype at `path` under `main`, if the path exists.
pub fn resolve<'gc>(
    main: Gc<'gc, FunctionPrototype<'gc>>,
    path: &[u32],
) -> Option<Gc<'gc, FunctionPrototype<'gc>>> {
    let mut p = main;
    for &i in path {
        p = *p.prototypes.get(i as usize)?;
    }
    Some(p)
}
