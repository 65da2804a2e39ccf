//! The chunks a Lua state compiled, kept so a process can be exported: a closure is stored
//! as (chunk, path to its prototype) and rebuilt by recompiling the chunk's source.
//!
//! The registry lives in the arena (a singleton) because it holds the prototypes: keeping
//! them alive is what makes their addresses safe keys of the prototype index.

use std::collections::HashMap;
use std::rc::Rc;

use gc_arena::{lock::RefLock, Collect, Gc, Rootable};
use piccolo::{Context, FunctionPrototype, Value};

/// One compiled chunk, in load order.
#[derive(Collect, Clone)]
#[collect(no_drop)]
pub struct ChunkRecord<'gc> {
    #[collect(require_static)]
    pub name: String,
    #[collect(require_static)]
    pub source: Rc<[u8]>,
    /// The `_ENV` it was loaded with, when that was not the globals.
    pub env: Option<Value<'gc>>,
    pub main: Gc<'gc, FunctionPrototype<'gc>>,
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
    chunks: Vec<ChunkRecord<'gc>>,
    #[collect(require_static)]
    index: HashMap<usize, ProtoRef>,
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
    let chunk = reg.chunks.len();
    // Iterative walk: nesting depth is bounded by the compiler, but stay off the stack anyway.
    let mut pending = vec![(main, Vec::new())];
    while let Some((proto, path)) = pending.pop() {
        for (i, child) in proto.prototypes.iter().enumerate() {
            let mut p = path.clone();
            p.push(i as u32);
            pending.push((*child, p));
        }
        reg.index.insert(proto_key(proto), ProtoRef { chunk, path });
    }
    reg.chunks.push(ChunkRecord {
        name: name.to_owned(),
        source,
        env,
        main,
    });
    chunk
}

/// Where `proto` was compiled from, if it came through the pipeline.
pub fn locate(ctx: Context<'_>, proto: Gc<'_, FunctionPrototype<'_>>) -> Option<ProtoRef> {
    registry(ctx).borrow().index.get(&proto_key(proto)).cloned()
}

/// The recorded chunk `index`.
pub fn chunk<'gc>(ctx: Context<'gc>, index: usize) -> Option<ChunkRecord<'gc>> {
    registry(ctx).borrow().chunks.get(index).cloned()
}

/// How many chunks were recorded.
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
