//! Walks the object graph of a Lua state into the `objects` of a state document.
//!
//! Objects are numbered breadth-first from the roots, visiting each table's entries in a
//! canonical key order (booleans, integers, floats, strings by bytes, then reference keys
//! by object number), so the numbering depends only on the state, never on hash order or
//! addresses. The walk is iterative: deep structures cannot overflow the stack.
//!
//! Each object is written as JSON text the moment it is visited (a reference to an object
//! not written yet is its number, known as soon as the object is met), so no JSON tree of
//! the state is ever built: the text is the only copy. One thing is known only at the end:
//! closures name their chunk by its rank among the chunks closures use, so each closure's
//! `chunk` is written with the registry's number and patched when the document is put
//! together ([`Document`]).

use std::cmp::Ordering;
use std::collections::{BTreeSet, HashMap};

use piccolo::{
    closure::{UpValue, UpValueState},
    Context, Function, ThreadMode, Value,
};

use super::{builtins, value};
use crate::error::Error;
use crate::vm::chunks;
use crate::vm::undo::AddressHash;

#[derive(Clone, Copy)]
enum Node<'gc> {
    Val(Value<'gc>),
    Cell(UpValue<'gc>),
}

/// How an object was first reached from its parent, turned into text only for an error
/// message (`Handlers.list[3] upvalue 1`).
#[derive(Clone, Copy)]
enum Edge<'gc> {
    /// Nothing (`_G` itself, an upvalue cell's value, the object an error is about).
    Empty,
    /// A root other than `_G`, by its index in `Walker::root_names`.
    Root(usize),
    /// The environment of chunk `c`.
    ChunkEnv(usize),
    /// A table key that is itself an object.
    Key(Value<'gc>),
    /// The value stored under this key.
    Field(Value<'gc>),
    /// A closure's upvalue (0-based).
    Upvalue(usize),
    Metatable,
}

const ROOT: u32 = u32::MAX;

/// A closure's `chunk` number written at `at` (its `digits` bytes) in the objects' text,
/// to be replaced by the chunk's dense number.
struct Patch {
    at: usize,
    digits: usize,
    chunk: usize,
}

/// A process document put together: its text up to and including `"objects":[`, the
/// objects' text (comma-separated) with the closures' chunk numbers to patch, and the
/// closing `]}`. Written out either as one `String` (built in place in the objects' buffer,
/// so the document is never held twice) or streamed to a hash.
pub struct Document {
    head: Vec<u8>,
    objects: Vec<u8>,
    patches: Vec<Patch>,
    /// Registry chunk number -> its number in the document.
    order: HashMap<usize, usize>,
}

const TAIL: &[u8] = b"]}";

impl Document {
    fn renumbered(&self, p: &Patch) -> Vec<u8> {
        // A chunk missing from the order cannot happen (every patched chunk was recorded as
        // used); 0 is what the tree-building export wrote for it.
        let n = self.order.get(&p.chunk).copied().unwrap_or(0);
        n.to_string().into_bytes()
    }

    /// Feeds the document's bytes, in order, to `sink`.
    pub fn write_to(&self, sink: &mut dyn FnMut(&[u8])) {
        sink(&self.head);
        let mut from = 0;
        for p in &self.patches {
            sink(&self.objects[from..p.at]);
            sink(&self.renumbered(p));
            from = p.at + p.digits;
        }
        sink(&self.objects[from..]);
        sink(TAIL);
    }

    /// The document as text. The objects' buffer becomes the document: the head is moved
    /// in front of it and the patched numbers (never longer than the registry's numbers
    /// they replace, a chunk's rank among the used chunks being at most its number) are
    /// written over it from the front.
    pub fn into_string(self) -> Result<String, Error> {
        let Document {
            head,
            mut objects,
            patches,
            ref order,
        } = self;
        let h = head.len();
        let n = objects.len();
        objects.reserve_exact(h + TAIL.len());
        objects.resize(n + h, 0);
        objects.copy_within(0..n, h);
        objects[..h].copy_from_slice(&head);
        drop(head);
        let mut write = h;
        let mut read = h;
        for p in &patches {
            let at = p.at + h;
            if write != read {
                objects.copy_within(read..at, write);
            }
            write += at - read;
            let n = order.get(&p.chunk).copied().unwrap_or(0).to_string();
            let digits = n.as_bytes();
            if digits.len() > p.digits {
                return Err(Error::BadState(
                    "internal: a renumbered chunk is longer than its number".into(),
                ));
            }
            objects[write..write + digits.len()].copy_from_slice(digits);
            write += digits.len();
            read = at + p.digits;
        }
        let end = objects.len();
        if write != read {
            objects.copy_within(read..end, write);
        }
        write += end - read;
        objects.truncate(write);
        objects.extend_from_slice(TAIL);
        String::from_utf8(objects)
            .map_err(|_| Error::BadState("internal: the document is not UTF-8".into()))
    }
}

/// What the walk found, for the caller to put around the objects.
pub struct Graph {
    /// The `roots` object's members, as `(name, value text)`, in first-appearance order.
    pub roots: Vec<(String, Vec<u8>)>,
    /// The `chunks` array's text (`[{name, source, env?}, ...]`), in load order.
    pub chunks: Vec<u8>,
    objects: Vec<u8>,
    patches: Vec<Patch>,
    order: HashMap<usize, usize>,
}

impl Graph {
    /// The document whose text before the objects is `head` (ending with `"objects":[`).
    pub fn into_document(self, head: Vec<u8>) -> Document {
        Document {
            head,
            objects: self.objects,
            patches: self.patches,
            order: self.order,
        }
    }
}

struct Walker<'gc> {
    ctx: Context<'gc>,
    nodes: Vec<Node<'gc>>,
    index: HashMap<usize, u32, AddressHash>,
    parent: Vec<(u32, Edge<'gc>)>,
    root_names: Vec<String>,
    ids: HashMap<usize, u64>,
    chunks_used: BTreeSet<usize>,
    patches: Vec<Patch>,
    /// Reused by every table for its sorted entries.
    items: Vec<Item<'gc>>,
}

fn cell_addr(c: UpValue<'_>) -> usize {
    gc_arena::Gc::as_ptr(c.into_inner()) as *const () as usize
}

/// Exports everything reachable from `roots` (named; `_G`'s children are named bare).
/// Gives up (with an error) once the objects written pass `max_bytes`.
pub fn walk_within<'gc>(
    ctx: Context<'gc>,
    roots: Vec<(String, Value<'gc>)>,
    max_bytes: usize,
) -> Result<Graph, Error> {
    let mut w = Walker {
        ctx,
        nodes: Vec::new(),
        index: HashMap::default(),
        parent: Vec::new(),
        root_names: Vec::new(),
        ids: crate::stdlib::tostring::identity_table(ctx),
        chunks_used: BTreeSet::new(),
        patches: Vec::new(),
        items: Vec::new(),
    };
    // Kept as a JSON object keeps members: a repeated name keeps its first place and its
    // last value.
    let mut root_text: Vec<(String, Vec<u8>)> = Vec::new();
    for (name, v) in roots {
        // `_G`'s own name is left out of paths: `Handlers.list`, not `_G.Handlers.list`.
        let edge = if name == "_G" {
            Edge::Empty
        } else {
            w.root_names.push(name.clone());
            Edge::Root(w.root_names.len() - 1)
        };
        let mut text = Vec::new();
        w.value(&mut text, v, ROOT, edge)?;
        match root_text.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = text,
            None => root_text.push((name, text)),
        }
    }
    let mut objects: Vec<u8> = Vec::new();
    let mut written = 0usize;
    let mut envs: HashMap<usize, Vec<u8>> = HashMap::new();
    loop {
        while written < w.nodes.len() {
            if written > 0 {
                objects.push(b',');
            }
            w.object(&mut objects, written as u32)?;
            written += 1;
            if objects.len() > max_bytes {
                return Err(Error::BadState(format!(
                    "the state document is larger than {max_bytes} bytes"
                )));
            }
        }
        // Chunk environments are roots too, found only once their chunk is used.
        let missing: Vec<usize> = w
            .chunks_used
            .iter()
            .copied()
            .filter(|c| !envs.contains_key(c))
            .collect();
        if missing.is_empty() {
            break;
        }
        for c in missing {
            let env = chunks::chunk(ctx, c).and_then(|r| r.env);
            let mut text = Vec::new();
            if let Some(v) = env {
                w.value(&mut text, v, ROOT, Edge::ChunkEnv(c))?;
            }
            envs.insert(c, text);
        }
    }
    // Renumber chunks densely in load order, keeping only those closures use.
    let order: HashMap<usize, usize> = w
        .chunks_used
        .iter()
        .enumerate()
        .map(|(i, &c)| (c, i))
        .collect();
    let mut chunk_text = vec![b'['];
    for &c in &w.chunks_used {
        let Some(rec) = chunks::chunk(ctx, c) else {
            continue;
        };
        if chunk_text.len() > 1 {
            chunk_text.push(b',');
        }
        chunk_text.extend_from_slice(b"{\"name\":");
        value::write_str(&mut chunk_text, &rec.name)?;
        chunk_text.extend_from_slice(b",\"source\":");
        value::write_bytes(&mut chunk_text, &rec.source)?;
        // No environment (or a nil one) is left out.
        match envs.remove(&c) {
            Some(env) if !env.is_empty() && env != b"null" => {
                chunk_text.extend_from_slice(b",\"env\":");
                chunk_text.extend_from_slice(&env);
            }
            _ => {}
        }
        chunk_text.push(b'}');
    }
    chunk_text.push(b']');
    Ok(Graph {
        roots: root_text,
        chunks: chunk_text,
        objects,
        patches: w.patches,
        order,
    })
}

impl<'gc> Walker<'gc> {
    fn edge_text(&self, e: Edge<'gc>) -> String {
        match e {
            Edge::Empty => String::new(),
            Edge::Root(i) => self.root_names.get(i).cloned().unwrap_or_default(),
            Edge::ChunkEnv(c) => format!("(chunk {c} environment)"),
            Edge::Key(k) => format!("[key {}]", describe(k)),
            Edge::Field(k) => edge_for(k),
            Edge::Upvalue(n) => format!(" upvalue {}", n + 1),
            Edge::Metatable => "<metatable>".into(),
        }
    }

    fn path(&self, mut at: u32, edge: Edge<'gc>) -> String {
        let mut parts = vec![self.edge_text(edge)];
        while at != ROOT {
            let (p, e) = self.parent[at as usize];
            parts.push(self.edge_text(e));
            at = p;
        }
        parts.reverse();
        let mut out = String::new();
        for p in parts {
            if out.is_empty() {
                out.push_str(p.trim_start_matches('.'));
            } else {
                out.push_str(&p);
            }
        }
        if out.is_empty() {
            "_G".into()
        } else {
            out
        }
    }

    /// The number of the object at `addr`, numbering it (last) when first met.
    fn node(&mut self, addr: usize, node: Node<'gc>, parent: u32, edge: Edge<'gc>) -> u32 {
        if let Some(&k) = self.index.get(&addr) {
            return k;
        }
        let k = self.nodes.len() as u32;
        self.nodes.push(node);
        self.index.insert(addr, k);
        self.parent.push((parent, edge));
        k
    }

    fn value(
        &mut self,
        out: &mut Vec<u8>,
        v: Value<'gc>,
        parent: u32,
        edge: Edge<'gc>,
    ) -> Result<(), Error> {
        match v {
            Value::Nil => out.extend_from_slice(b"null"),
            Value::Boolean(true) => out.extend_from_slice(b"true"),
            Value::Boolean(false) => out.extend_from_slice(b"false"),
            Value::Integer(i) => value::write_int(out, i),
            Value::Number(f) => value::write_float(out, f)?,
            Value::String(s) => value::write_bytes(out, s.as_bytes())?,
            Value::UserData(_) if builtins::name_of(self.ctx, v).is_none() => {
                return Err(Error::BadState(format!(
                    "cannot export {}: userdata has no portable form",
                    self.path(parent, edge)
                )))
            }
            other => {
                let addr = builtins::address(other).unwrap_or(0);
                let k = self.node(addr, Node::Val(other), parent, edge);
                value::write_reference(out, k);
            }
        }
        Ok(())
    }

    fn id(&self, out: &mut Vec<u8>, addr: usize) {
        if let Some(&id) = self.ids.get(&addr) {
            out.extend_from_slice(b",\"id\":");
            value::write_uint(out, id);
        }
    }

    fn object(&mut self, out: &mut Vec<u8>, i: u32) -> Result<(), Error> {
        let ctx = self.ctx;
        match self.nodes[i as usize] {
            Node::Cell(c) => {
                let v = match c.get() {
                    UpValueState::Closed(v) => v,
                    UpValueState::Open(..) => {
                        return Err(Error::BadState(format!(
                            "cannot export {}: a variable of a running function",
                            self.path(i, Edge::Empty)
                        )))
                    }
                };
                out.extend_from_slice(b"{\"type\":\"upvalue\",\"value\":");
                self.value(out, v, i, Edge::Empty)?;
                out.push(b'}');
            }
            Node::Val(v) => {
                let addr = builtins::address(v).unwrap_or(0);
                match v {
                    Value::Table(t) => {
                        out.extend_from_slice(b"{\"type\":\"table\"");
                        if let Some(name) = builtins::name_of(ctx, v) {
                            out.extend_from_slice(b",\"builtin\":");
                            value::write_str(out, &name)?;
                        }
                        out.extend_from_slice(b",\"entries\":[");
                        self.entries(out, t, i)?;
                        out.push(b']');
                        if let Some(meta) = t.metatable() {
                            out.extend_from_slice(b",\"meta\":");
                            self.value(out, Value::Table(meta), i, Edge::Metatable)?;
                        }
                        self.id(out, addr);
                        out.push(b'}');
                    }
                    Value::Function(Function::Callback(_)) | Value::UserData(_) => {
                        let Some(name) = builtins::name_of(ctx, v) else {
                            return Err(Error::BadState(format!(
                                "cannot export {}: a built-in function made at run time \
                                 (such as a pairs or gmatch iterator) holds Rust state",
                                self.path(i, Edge::Empty)
                            )));
                        };
                        out.extend_from_slice(b"{\"type\":\"builtin\",\"name\":");
                        value::write_str(out, &name)?;
                        self.id(out, addr);
                        out.push(b'}');
                    }
                    Value::Function(Function::Closure(c)) => {
                        let Some(r) = chunks::locate(ctx, c.prototype()) else {
                            return Err(Error::BadState(format!(
                                "cannot export {}: a function not compiled by aolite",
                                self.path(i, Edge::Empty)
                            )));
                        };
                        self.chunks_used.insert(r.chunk);
                        out.extend_from_slice(b"{\"type\":\"closure\",\"chunk\":");
                        let at = out.len();
                        value::write_uint(out, r.chunk as u64);
                        self.patches.push(Patch {
                            at,
                            digits: out.len() - at,
                            chunk: r.chunk,
                        });
                        out.extend_from_slice(b",\"path\":[");
                        for (n, p) in r.path.iter().enumerate() {
                            if n > 0 {
                                out.push(b',');
                            }
                            value::write_uint(out, u64::from(*p));
                        }
                        out.extend_from_slice(b"],\"upvalues\":[");
                        for (n, cell) in c.upvalues().iter().enumerate() {
                            if n > 0 {
                                out.push(b',');
                            }
                            let k =
                                self.node(cell_addr(*cell), Node::Cell(*cell), i, Edge::Upvalue(n));
                            value::write_reference(out, k);
                        }
                        out.push(b']');
                        self.id(out, addr);
                        out.push(b'}');
                    }
                    Value::Thread(t) => {
                        if t.mode() != ThreadMode::Stopped {
                            return Err(Error::BadState(format!(
                                "cannot export {}: a coroutine that has not finished",
                                self.path(i, Edge::Empty)
                            )));
                        }
                        out.extend_from_slice(b"{\"type\":\"thread\",\"status\":\"dead\"");
                        self.id(out, addr);
                        out.push(b'}');
                    }
                    _ => return Err(Error::BadState("internal: unexpected object".into())),
                }
            }
        }
        Ok(())
    }

    /// Writes a table's `[key, value]` pairs in canonical key order.
    fn entries(&mut self, out: &mut Vec<u8>, t: piccolo::Table<'gc>, i: u32) -> Result<(), Error> {
        let mut items = std::mem::take(&mut self.items);
        items.clear();
        for (k, v) in t.iter() {
            let key = self.key(k, items.len());
            items.push(Item { key, v });
        }
        // Keys are all different (reference keys that tie in their order carry their place
        // in the iteration to break the tie), so the unstable sort gives what a stable sort
        // gives.
        items.sort_unstable_by(|a, b| a.key.cmp(&b.key));
        let mut result = Ok(());
        for (n, item) in items.iter().enumerate() {
            if n > 0 {
                out.push(b',');
            }
            out.push(b'[');
            let k = item.key.value();
            result = self.value(out, k, i, Edge::Key(k));
            if result.is_err() {
                break;
            }
            out.push(b',');
            result = self.value(out, item.v, i, Edge::Field(k));
            if result.is_err() {
                break;
            }
            out.push(b']');
        }
        items.clear();
        self.items = items;
        result
    }

    /// `k`'s place in the canonical order; `seen` is its place in the table's iteration.
    fn key(&self, k: Value<'gc>, seen: usize) -> Key<'gc> {
        match k {
            Value::Boolean(b) => Key::Bool(b),
            Value::Integer(i) => Key::Int(i),
            Value::Number(f) => Key::Float(f),
            Value::String(s) => Key::Str(prefix(s.as_bytes()), s),
            other => {
                let addr = builtins::address(other).unwrap_or(0);
                // Identities are handed out in program order (when a key is first stored, or
                // shown) and survive export and import, so they order keys stably.
                let order = if let Some(&id) = self.ids.get(&addr) {
                    RefOrder::Identified(id)
                } else {
                    match self.index.get(&addr) {
                        Some(&n) => RefOrder::Known(n),
                        // Not met yet: ordered by what can be told without numbering (ties
                        // keep iteration order, which is the one place order may leak).
                        None => RefOrder::Unknown(shallow(self.ctx, other)),
                    }
                };
                Key::Ref(Box::new(RefKey {
                    order,
                    seen,
                    k: other,
                }))
            }
        }
    }
}

/// A table entry being sorted (kept small: a big table has one per entry).
struct Item<'gc> {
    key: Key<'gc>,
    v: Value<'gc>,
}

/// A key, ordered canonically: booleans, integers, floats (IEEE total order), strings by
/// bytes, then reference keys.
enum Key<'gc> {
    Bool(bool),
    Int(i64),
    Float(f64),
    /// The string's first bytes as a number (see [`prefix`]), and the string.
    Str(u64, piccolo::String<'gc>),
    Ref(Box<RefKey<'gc>>),
}

struct RefKey<'gc> {
    order: RefOrder,
    /// The place in the table's iteration, which orders keys the rest leaves tied.
    seen: usize,
    k: Value<'gc>,
}

#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum RefOrder {
    Identified(u64),
    Known(u32),
    Unknown(String),
}

impl<'gc> Key<'gc> {
    fn value(&self) -> Value<'gc> {
        match self {
            Key::Bool(b) => Value::Boolean(*b),
            Key::Int(i) => Value::Integer(*i),
            Key::Float(f) => Value::Number(*f),
            Key::Str(_, s) => Value::String(*s),
            Key::Ref(r) => r.k,
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Key::Bool(_) => 0,
            Key::Int(_) => 1,
            Key::Float(_) => 2,
            Key::Str(..) => 3,
            Key::Ref(_) => 4,
        }
    }

    fn cmp(&self, other: &Key<'gc>) -> Ordering {
        match (self, other) {
            (Key::Bool(a), Key::Bool(b)) => a.cmp(b),
            (Key::Int(a), Key::Int(b)) => a.cmp(b),
            (Key::Float(a), Key::Float(b)) => float_order(*a).cmp(&float_order(*b)),
            (Key::Str(pa, a), Key::Str(pb, b)) => {
                pa.cmp(pb).then_with(|| a.as_bytes().cmp(b.as_bytes()))
            }
            (Key::Ref(a), Key::Ref(b)) => a.order.cmp(&b.order).then(a.seen.cmp(&b.seen)),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

/// An integer ordered as the floats are (IEEE total order).
fn float_order(f: f64) -> i64 {
    let b = f.to_bits() as i64;
    b ^ (((b >> 63) as u64) >> 1) as i64
}

/// The first 8 bytes of `b` as a big-endian number, zero-padded: when two strings'
/// prefixes differ they order the strings as their bytes do (padding sorts a string before
/// its extensions), so most comparisons of long keys end without comparing the bytes.
fn prefix(b: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    let n = b.len().min(8);
    word[..n].copy_from_slice(&b[..n]);
    u64::from_be_bytes(word)
}

fn shallow<'gc>(ctx: Context<'gc>, v: Value<'gc>) -> String {
    match v {
        Value::Table(t) => format!("table {}", t.length()),
        Value::Function(Function::Closure(c)) => match chunks::locate(ctx, c.prototype()) {
            Some(r) => format!("closure {} {:?}", r.chunk, r.path),
            None => "closure".into(),
        },
        Value::Function(Function::Callback(_)) => {
            format!("builtin {}", builtins::name_of(ctx, v).unwrap_or_default())
        }
        other => other.type_name().to_owned(),
    }
}

fn describe(k: Value<'_>) -> String {
    match k {
        Value::String(s) => format!("{:?}", s.to_str_lossy()),
        Value::Integer(i) => i.to_string(),
        Value::Number(f) => f.to_string(),
        Value::Boolean(b) => b.to_string(),
        other => format!("<{}>", other.type_name()),
    }
}

fn edge_for(k: Value<'_>) -> String {
    match k {
        Value::String(s) => {
            let b = s.as_bytes();
            let ident = !b.is_empty()
                && !b[0].is_ascii_digit()
                && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_');
            if ident {
                format!(".{}", s.to_str_lossy())
            } else {
                format!("[{}]", describe(k))
            }
        }
        other => format!("[{}]", describe(other)),
    }
}
