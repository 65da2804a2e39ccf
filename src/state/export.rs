//! Walks the object graph of a Lua state into the `objects` of a state document.
//!
//! Objects are numbered breadth-first from the roots, visiting each table's entries in a
//! canonical key order (booleans, integers, floats, strings by bytes, then reference keys
//! by object number), so the numbering depends only on the state, never on hash order or
//! addresses. The walk is iterative: deep structures cannot overflow the stack.

use std::collections::{BTreeSet, HashMap};

use piccolo::{
    closure::{UpValue, UpValueState},
    Context, Function, ThreadMode, Value,
};
use serde_json::{Map, Value as Json};

use super::{builtins, value};
use crate::error::Error;
use crate::vm::chunks;

#[derive(Clone, Copy)]
enum Node<'gc> {
    Val(Value<'gc>),
    Cell(UpValue<'gc>),
}

const ROOT: u32 = u32::MAX;

pub struct Graph {
    pub roots: Vec<(String, Json)>,
    pub objects: Vec<Json>,
    /// `(name, source, env)` of the chunks closures use, in load order.
    pub chunks: Vec<Json>,
}

struct Walker<'gc> {
    ctx: Context<'gc>,
    nodes: Vec<Node<'gc>>,
    index: HashMap<usize, u32>,
    parent: Vec<(u32, String)>,
    ids: HashMap<usize, u64>,
    chunks_used: BTreeSet<usize>,
}

fn cell_addr(c: UpValue<'_>) -> usize {
    gc_arena::Gc::as_ptr(c.into_inner()) as *const () as usize
}

/// Exports everything reachable from `roots` (named; `_G`'s children are named bare).
pub fn walk<'gc>(ctx: Context<'gc>, roots: Vec<(String, Value<'gc>)>) -> Result<Graph, Error> {
    let mut w = Walker {
        ctx,
        nodes: Vec::new(),
        index: HashMap::new(),
        parent: Vec::new(),
        ids: crate::stdlib::tostring::identity_table(ctx),
        chunks_used: BTreeSet::new(),
    };
    let mut root_json = Vec::new();
    for (name, v) in roots {
        // `_G`'s own name is left out of paths: `Handlers.list`, not `_G.Handlers.list`.
        let edge = if name == "_G" {
            String::new()
        } else {
            name.clone()
        };
        let j = w.value(v, ROOT, || edge)?;
        root_json.push((name, j));
    }
    let mut objects = Vec::new();
    let mut envs: HashMap<usize, Json> = HashMap::new();
    loop {
        while objects.len() < w.nodes.len() {
            let i = objects.len() as u32;
            objects.push(w.object(i)?);
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
            let j = match env {
                Some(v) => w.value(v, ROOT, || format!("(chunk {c} environment)"))?,
                None => Json::Null,
            };
            envs.insert(c, j);
        }
    }
    // Renumber chunks densely in load order, keeping only those closures use.
    let order: HashMap<usize, usize> = w
        .chunks_used
        .iter()
        .enumerate()
        .map(|(i, &c)| (c, i))
        .collect();
    for o in &mut objects {
        if let Some(Json::Number(n)) = o.get_mut("chunk") {
            let old = n.as_u64().unwrap_or(0) as usize;
            *n = serde_json::Number::from(order.get(&old).copied().unwrap_or(0) as u64);
        }
    }
    let mut chunk_list = Vec::new();
    for &c in &w.chunks_used {
        let Some(rec) = chunks::chunk(ctx, c) else {
            continue;
        };
        let mut m = Map::new();
        m.insert("name".into(), Json::from(rec.name.as_str()));
        m.insert("source".into(), value::bytes(&rec.source));
        match envs.remove(&c) {
            Some(Json::Null) | None => {}
            Some(env) => {
                m.insert("env".into(), env);
            }
        }
        chunk_list.push(Json::Object(m));
    }
    Ok(Graph {
        roots: root_json,
        objects,
        chunks: chunk_list,
    })
}

impl<'gc> Walker<'gc> {
    fn path(&self, mut at: u32, edge: String) -> String {
        let mut parts = vec![edge];
        while at != ROOT {
            let (p, e) = &self.parent[at as usize];
            parts.push(e.clone());
            at = *p;
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

    fn node(&mut self, addr: usize, node: Node<'gc>, parent: u32, edge: String) -> Json {
        if let Some(&k) = self.index.get(&addr) {
            return value::reference(k);
        }
        let k = self.nodes.len() as u32;
        self.nodes.push(node);
        self.index.insert(addr, k);
        self.parent.push((parent, edge));
        value::reference(k)
    }

    fn value(
        &mut self,
        v: Value<'gc>,
        parent: u32,
        edge: impl FnOnce() -> String,
    ) -> Result<Json, Error> {
        Ok(match v {
            Value::Nil => Json::Null,
            Value::Boolean(b) => Json::Bool(b),
            Value::Integer(i) => Json::from(i),
            Value::Number(f) => value::float(f),
            Value::String(s) => value::bytes(s.as_bytes()),
            Value::UserData(_) => {
                return Err(Error::BadState(format!(
                    "cannot export {}: userdata has no portable form",
                    self.path(parent, edge())
                )))
            }
            other => {
                let addr = builtins::address(other).unwrap_or(0);
                self.node(addr, Node::Val(other), parent, edge())
            }
        })
    }

    fn with_id(&self, addr: usize, mut m: Map<String, Json>) -> Json {
        if let Some(id) = self.ids.get(&addr) {
            m.insert("id".into(), Json::from(*id));
        }
        Json::Object(m)
    }

    fn object(&mut self, i: u32) -> Result<Json, Error> {
        let ctx = self.ctx;
        let mut m = Map::new();
        match self.nodes[i as usize] {
            Node::Cell(c) => {
                m.insert("type".into(), "upvalue".into());
                let v = match c.get() {
                    UpValueState::Closed(v) => v,
                    UpValueState::Open(..) => {
                        return Err(Error::BadState(format!(
                            "cannot export {}: a variable of a running function",
                            self.path(i, String::new())
                        )))
                    }
                };
                let j = self.value(v, i, String::new)?;
                m.insert("value".into(), j);
                Ok(Json::Object(m))
            }
            Node::Val(v) => {
                let addr = builtins::address(v).unwrap_or(0);
                match v {
                    Value::Table(t) => {
                        m.insert("type".into(), "table".into());
                        if let Some(name) = builtins::name_of(ctx, v) {
                            m.insert("builtin".into(), Json::from(name));
                        }
                        let entries = self.entries(t, i)?;
                        m.insert("entries".into(), Json::Array(entries));
                        if let Some(meta) = t.metatable() {
                            let j = self.value(Value::Table(meta), i, || "<metatable>".into())?;
                            m.insert("meta".into(), j);
                        }
                        Ok(self.with_id(addr, m))
                    }
                    Value::Function(Function::Callback(_)) => {
                        let Some(name) = builtins::name_of(ctx, v) else {
                            return Err(Error::BadState(format!(
                                "cannot export {}: a built-in function made at run time \
                                 (such as a pairs or gmatch iterator) holds Rust state",
                                self.path(i, String::new())
                            )));
                        };
                        m.insert("type".into(), "builtin".into());
                        m.insert("name".into(), Json::from(name));
                        Ok(self.with_id(addr, m))
                    }
                    Value::Function(Function::Closure(c)) => {
                        let Some(r) = chunks::locate(ctx, c.prototype()) else {
                            return Err(Error::BadState(format!(
                                "cannot export {}: a function not compiled by aolite",
                                self.path(i, String::new())
                            )));
                        };
                        self.chunks_used.insert(r.chunk);
                        m.insert("type".into(), "closure".into());
                        m.insert("chunk".into(), Json::from(r.chunk as u64));
                        m.insert("path".into(), Json::from(r.path));
                        let mut ups = Vec::new();
                        for (n, cell) in c.upvalues().iter().enumerate() {
                            let edge = format!(" upvalue {}", n + 1);
                            ups.push(self.node(cell_addr(*cell), Node::Cell(*cell), i, edge));
                        }
                        m.insert("upvalues".into(), Json::Array(ups));
                        Ok(self.with_id(addr, m))
                    }
                    Value::Thread(t) => {
                        if t.mode() != ThreadMode::Stopped {
                            return Err(Error::BadState(format!(
                                "cannot export {}: a coroutine that has not finished",
                                self.path(i, String::new())
                            )));
                        }
                        m.insert("type".into(), "thread".into());
                        m.insert("status".into(), "dead".into());
                        Ok(self.with_id(addr, m))
                    }
                    _ => Err(Error::BadState("internal: unexpected object".into())),
                }
            }
        }
    }

    fn entries(&mut self, t: piccolo::Table<'gc>, i: u32) -> Result<Vec<Json>, Error> {
        let mut items: Vec<(SortKey, Value<'gc>, Value<'gc>)> =
            t.iter().map(|(k, v)| (self.sort_key(k), k, v)).collect();
        crate::vm::sort::sort_by(&mut items, |a, b| a.0.cmp(&b.0));
        let mut out = Vec::with_capacity(items.len());
        for (_, k, v) in items {
            let kj = self.value(k, i, || format!("[key {}]", describe(k)))?;
            let vj = self.value(v, i, || edge_for(k))?;
            out.push(Json::Array(vec![kj, vj]));
        }
        Ok(out)
    }

    fn sort_key(&self, k: Value<'gc>) -> SortKey {
        match k {
            Value::Boolean(b) => SortKey::Bool(b),
            Value::Integer(i) => SortKey::Int(i),
            Value::Number(f) => SortKey::Float(float_order(f)),
            Value::String(s) => SortKey::Str(s.as_bytes().to_vec()),
            other => {
                let addr = builtins::address(other).unwrap_or(0);
                // Identities are handed out in program order (when a key is first stored, or
                // shown) and survive export and import, so they order keys stably.
                if let Some(&id) = self.ids.get(&addr) {
                    return SortKey::Identified(id);
                }
                match self.index.get(&addr) {
                    Some(&n) => SortKey::Known(n),
                    // Not met yet: ordered by what can be told without numbering (ties keep
                    // iteration order, which is the one place order may leak).
                    None => SortKey::Unknown(shallow(self.ctx, other)),
                }
            }
        }
    }
}

/// An integer ordered as the floats are (IEEE total order).
fn float_order(f: f64) -> i64 {
    let b = f.to_bits() as i64;
    b ^ (((b >> 63) as u64) >> 1) as i64
}

#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum SortKey {
    Bool(bool),
    Int(i64),
    Float(i64),
    Str(Vec<u8>),
    Identified(u64),
    Known(u32),
    Unknown(String),
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
