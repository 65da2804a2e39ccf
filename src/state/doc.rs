//! Reading a state document into checked Rust values. Everything a build could trip on is
//! rejected here, each problem with its own message, before any Lua object exists.

use std::collections::HashSet;

use serde_json::{Map, Value as Json};

use super::{value, FORMAT};
use crate::ao::message::Tag;
use crate::error::Error;
use crate::vm::{Limits, SourceLimits};

/// Objects a document may hold (a bound far above real processes, below what would
/// exhaust the host before the memory limit is checked).
pub const MAX_OBJECTS: usize = 50_000_000;

#[derive(Debug, Clone, PartialEq)]
pub enum V {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Vec<u8>),
    Ref(u32),
}

pub enum Obj {
    Table {
        builtin: Option<String>,
        entries: Vec<(V, V)>,
        meta: Option<u32>,
        id: Option<u64>,
    },
    Closure {
        chunk: usize,
        path: Vec<u32>,
        upvalues: Vec<u32>,
        id: Option<u64>,
    },
    Cell(V),
    Builtin {
        name: String,
        id: Option<u64>,
    },
    Thread {
        id: Option<u64>,
    },
}

pub struct ChunkDoc {
    pub name: String,
    pub source: Vec<u8>,
    pub env: Option<V>,
}

pub struct Doc {
    pub id: String,
    pub owner: String,
    pub module: String,
    pub tags: Vec<Tag>,
    pub module_tags: Vec<Tag>,
    pub clock: i64,
    pub clock_step: i64,
    pub block_height: i64,
    pub nonce: i64,
    pub limits: Limits,
    pub time_ms: i64,
    pub fuel_used: u64,
    pub rng: [u64; 4],
    pub identities: u64,
    pub chunks: Vec<ChunkDoc>,
    pub globals: u32,
    pub handle: u32,
    pub objects: Vec<Obj>,
}

fn bad(m: impl Into<String>) -> Error {
    Error::BadState(m.into())
}

fn kind(j: &Json) -> &'static str {
    crate::ao::message::json_type(j)
}

fn object<'a>(j: &'a Json, what: &str, allowed: &[&str]) -> Result<&'a Map<String, Json>, Error> {
    let m = j
        .as_object()
        .ok_or_else(|| bad(format!("{what} must be an object, got {}", kind(j))))?;
    if let Some(k) = m.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(bad(format!("{what} has an unknown field '{k}'")));
    }
    Ok(m)
}

fn field<'a>(m: &'a Map<String, Json>, key: &str, what: &str) -> Result<&'a Json, Error> {
    m.get(key)
        .ok_or_else(|| bad(format!("{what} lacks the field '{key}'")))
}

fn string(j: &Json, what: &str) -> Result<String, Error> {
    j.as_str()
        .map(str::to_owned)
        .ok_or_else(|| bad(format!("{what} must be a string, got {}", kind(j))))
}

fn int(j: &Json, what: &str) -> Result<i64, Error> {
    match j {
        Json::Number(n) => n
            .as_i64()
            .ok_or_else(|| bad(format!("{what} must be an integer within 64 bits, got {n}"))),
        other => Err(bad(format!(
            "{what} must be an integer, got {}",
            kind(other)
        ))),
    }
}

fn count(j: &Json, what: &str) -> Result<u64, Error> {
    let i = int(j, what)?;
    u64::try_from(i).map_err(|_| bad(format!("{what} must not be negative, got {i}")))
}

fn array<'a>(j: &'a Json, what: &str) -> Result<&'a Vec<Json>, Error> {
    j.as_array()
        .ok_or_else(|| bad(format!("{what} must be an array, got {}", kind(j))))
}

/// A value; references are checked against `n_objects`.
pub fn value(j: &Json, what: &str, n_objects: usize) -> Result<V, Error> {
    Ok(match j {
        Json::Null => V::Nil,
        Json::Bool(b) => V::Bool(*b),
        Json::Number(_) => V::Int(int(j, what)?),
        Json::String(s) => V::Str(s.as_bytes().to_vec()),
        Json::Array(_) => return Err(bad(format!("{what}: an array is not a value"))),
        Json::Object(m) => {
            if m.len() != 1 {
                return Err(bad(format!(
                    "{what}: a tagged value has exactly one of 'ref', 'float', 'bytes'"
                )));
            }
            let (tag, inner) = m.iter().next().ok_or_else(|| bad("unreachable"))?;
            match tag.as_str() {
                "ref" => {
                    let k = count(inner, &format!("{what} ref"))?;
                    // Checked without `as`, which would wrap a large reference into range
                    // on a 32-bit target (wasm).
                    let in_range = usize::try_from(k).is_ok_and(|i| i < n_objects);
                    let Some(k) = u32::try_from(k).ok().filter(|_| in_range) else {
                        return Err(bad(format!(
                            "{what}: reference {k} is out of range (the document has {n_objects} objects)"
                        )));
                    };
                    V::Ref(k)
                }
                "float" => V::Float(match inner {
                    Json::Number(n) => n
                        .as_f64()
                        .ok_or_else(|| bad(format!("{what}: float {n} is not a number")))?,
                    Json::String(s) if s == "nan" => f64::NAN,
                    Json::String(s) if s == "inf" => f64::INFINITY,
                    Json::String(s) if s == "-inf" => f64::NEG_INFINITY,
                    other => {
                        return Err(bad(format!(
                            "{what}: a float is a number, \"nan\", \"inf\" or \"-inf\", got {other}"
                        )))
                    }
                }),
                "bytes" => {
                    let s = inner
                        .as_str()
                        .ok_or_else(|| bad(format!("{what}: 'bytes' must be a base64 string")))?;
                    V::Str(
                        value::base64_decode(s)
                            .ok_or_else(|| bad(format!("{what}: 'bytes' is not valid base64")))?,
                    )
                }
                other => return Err(bad(format!("{what}: unknown value tag '{other}'"))),
            }
        }
    })
}

fn opt_id(m: &Map<String, Json>, what: &str) -> Result<Option<u64>, Error> {
    m.get("id")
        .map(|j| count(j, &format!("{what} id")))
        .transpose()
}

fn limits(j: &Json) -> Result<Limits, Error> {
    let m = object(
        j,
        "'limits'",
        &["fuel", "memory", "sourceBytes", "operatorChain", "nesting"],
    )?;
    let n =
        |k: &str| -> Result<u64, Error> { count(field(m, k, "'limits'")?, &format!("limits.{k}")) };
    let size = |k: &str| -> Result<usize, Error> {
        usize::try_from(n(k)?).map_err(|_| bad(format!("limits.{k} is too large for this host")))
    };
    Ok(Limits {
        fuel: n("fuel")?,
        memory: size("memory")?,
        source: SourceLimits {
            max_bytes: size("sourceBytes")?,
            max_operator_chain: size("operatorChain")?,
            max_nesting: size("nesting")?,
        },
    })
}

/// Parses and checks a whole document.
pub fn parse(text: &str) -> Result<Doc, Error> {
    let j: Json = serde_json::from_str::<Strict>(text)
        .map_err(|e| bad(format!("not valid JSON: {e}")))?
        .0;
    let top = object(
        &j,
        "the document",
        &[
            "format",
            "process",
            "limits",
            "host",
            "identities",
            "chunks",
            "roots",
            "objects",
        ],
    )?;
    match top.get("format") {
        Some(Json::String(f)) if f == FORMAT => {}
        Some(Json::String(f)) => {
            return Err(bad(format!(
                "unsupported format '{f}' (this version reads '{FORMAT}')"
            )))
        }
        _ => return Err(bad(format!("missing 'format' (expected '{FORMAT}')"))),
    }
    let what = "the document";
    let p = object(
        field(top, "process", what)?,
        "'process'",
        &[
            "id",
            "owner",
            "module",
            "tags",
            "moduleTags",
            "clock",
            "clockStep",
            "blockHeight",
            "nonce",
        ],
    )?;
    let tag_list = |key: &str| -> Result<Vec<Tag>, Error> {
        let mut tags = Vec::new();
        for (i, t) in array(field(p, key, "'process'")?, &format!("process.{key}"))?
            .iter()
            .enumerate()
        {
            match t.as_array().map(Vec::as_slice) {
                Some([Json::String(n), Json::String(v)]) => tags.push(Tag::new(n, v)),
                _ => {
                    return Err(bad(format!(
                        "process.{key}[{i}] must be a [name, value] pair of strings"
                    )))
                }
            }
        }
        Ok(tags)
    };
    let tags = tag_list("tags")?;
    let module_tags = tag_list("moduleTags")?;
    let h = object(
        field(top, "host", what)?,
        "'host'",
        &["timeMs", "fuelUsed", "rng"],
    )?;
    let rng_words = array(field(h, "rng", "'host'")?, "host.rng")?;
    let mut rng = [0u64; 4];
    if rng_words.len() != 4 {
        return Err(bad("host.rng must hold 4 words"));
    }
    for (slot, w) in rng.iter_mut().zip(rng_words) {
        *slot = w
            .as_str()
            .filter(|s| s.len() == 16)
            .and_then(|s| u64::from_str_radix(s, 16).ok())
            .ok_or_else(|| bad("host.rng words must be 16 hex digits"))?;
    }
    let objects_json = array(field(top, "objects", what)?, "'objects'")?;
    let n = objects_json.len();
    if n > MAX_OBJECTS {
        return Err(bad(format!(
            "{n} objects, more than the limit of {MAX_OBJECTS}"
        )));
    }
    let mut chunks = Vec::new();
    for (i, c) in array(field(top, "chunks", what)?, "'chunks'")?
        .iter()
        .enumerate()
    {
        let w = format!("chunks[{i}]");
        let m = object(c, &w, &["name", "source", "env"])?;
        let source = match value(field(m, "source", &w)?, &format!("{w}.source"), n)? {
            V::Str(s) => s,
            _ => return Err(bad(format!("{w}.source must be a string"))),
        };
        chunks.push(ChunkDoc {
            name: string(field(m, "name", &w)?, &format!("{w}.name"))?,
            source,
            env: m
                .get("env")
                .map(|e| value(e, &format!("{w}.env"), n))
                .transpose()?,
        });
    }
    let roots_json = field(top, "roots", what)?;
    let roots = roots_json.as_object().ok_or_else(|| {
        bad(format!(
            "'roots' must be an object, got {}",
            kind(roots_json)
        ))
    })?;
    let root = |k: &str| -> Result<u32, Error> {
        match value(field(roots, k, "'roots'")?, &format!("roots.{k}"), n)? {
            V::Ref(r) => Ok(r),
            _ => Err(bad(format!("roots.{k} must be a reference"))),
        }
    };
    let globals = root("_G")?;
    let handle = root("handle")?;
    for k in roots.keys() {
        root(k)?;
    }
    let mut objects = Vec::with_capacity(n);
    for (i, o) in objects_json.iter().enumerate() {
        objects.push(obj(o, i, n, chunks.len())?);
    }
    let d = Doc {
        id: string(field(p, "id", "'process'")?, "process.id")?,
        owner: string(field(p, "owner", "'process'")?, "process.owner")?,
        module: string(field(p, "module", "'process'")?, "process.module")?,
        tags,
        module_tags,
        clock: int(field(p, "clock", "'process'")?, "process.clock")?,
        // Documents from before the clock stepped keep a still clock.
        clock_step: match p.get("clockStep") {
            None => 0,
            Some(j) => count(j, "process.clockStep")?
                .try_into()
                .map_err(|_| bad("process.clockStep is too large".to_string()))?,
        },
        block_height: int(field(p, "blockHeight", "'process'")?, "process.blockHeight")?,
        nonce: int(field(p, "nonce", "'process'")?, "process.nonce")?,
        limits: limits(field(top, "limits", what)?)?,
        time_ms: int(field(h, "timeMs", "'host'")?, "host.timeMs")?,
        fuel_used: count(field(h, "fuelUsed", "'host'")?, "host.fuelUsed")?,
        rng,
        identities: count(field(top, "identities", what)?, "'identities'")?,
        chunks,
        globals,
        handle,
        objects,
    };
    check_graph(&d)?;
    Ok(d)
}

fn obj(o: &Json, i: usize, n: usize, n_chunks: usize) -> Result<Obj, Error> {
    let w = format!("objects[{i}]");
    let ty = o
        .get("type")
        .and_then(Json::as_str)
        .ok_or_else(|| bad(format!("{w} lacks a string 'type'")))?;
    Ok(match ty {
        "table" => {
            let m = object(o, &w, &["type", "builtin", "entries", "meta", "id"])?;
            let mut entries = Vec::new();
            for (e, pair) in array(field(m, "entries", &w)?, &format!("{w}.entries"))?
                .iter()
                .enumerate()
            {
                let we = format!("{w}.entries[{e}]");
                let Some([k, v]) = pair.as_array().map(Vec::as_slice) else {
                    return Err(bad(format!("{we} must be a [key, value] pair")));
                };
                let k = value(k, &format!("{we} key"), n)?;
                let v = value(v, &format!("{we} value"), n)?;
                match &k {
                    V::Nil => return Err(bad(format!("{we}: a key cannot be nil"))),
                    V::Float(f) if f.is_nan() => {
                        return Err(bad(format!("{we}: a key cannot be NaN")))
                    }
                    V::Float(f) if f.fract() == 0.0 && f.abs() < 9.3e18 => {
                        return Err(bad(format!(
                            "{we}: the float key {f} must be written as an integer"
                        )))
                    }
                    _ => {}
                }
                if v == V::Nil {
                    return Err(bad(format!("{we}: a value cannot be nil")));
                }
                entries.push((k, v));
            }
            let meta = match m.get("meta") {
                None => None,
                Some(j) => match value(j, &format!("{w}.meta"), n)? {
                    V::Ref(r) => Some(r),
                    _ => return Err(bad(format!("{w}.meta must be a reference"))),
                },
            };
            Obj::Table {
                builtin: m
                    .get("builtin")
                    .map(|b| string(b, &format!("{w}.builtin")))
                    .transpose()?,
                entries,
                meta,
                id: opt_id(m, &w)?,
            }
        }
        "closure" => {
            let m = object(o, &w, &["type", "chunk", "path", "upvalues", "id"])?;
            let chunk = count(field(m, "chunk", &w)?, &format!("{w}.chunk"))?;
            let Some(chunk) = usize::try_from(chunk).ok().filter(|&c| c < n_chunks) else {
                return Err(bad(format!(
                    "{w}: chunk {chunk} is out of range (the document has {n_chunks} chunks)"
                )));
            };
            let path = array(field(m, "path", &w)?, &format!("{w}.path"))?
                .iter()
                .map(|p| {
                    let v = count(p, &format!("{w}.path"))?;
                    u32::try_from(v).map_err(|_| bad(format!("{w}.path index {v} is too large")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let upvalues = array(field(m, "upvalues", &w)?, &format!("{w}.upvalues"))?
                .iter()
                .map(|u| match value(u, &format!("{w}.upvalues"), n)? {
                    V::Ref(r) => Ok(r),
                    _ => Err(bad(format!("{w}.upvalues must hold references"))),
                })
                .collect::<Result<Vec<_>, _>>()?;
            Obj::Closure {
                chunk,
                path,
                upvalues,
                id: opt_id(m, &w)?,
            }
        }
        "upvalue" => {
            let m = object(o, &w, &["type", "value"])?;
            Obj::Cell(value(field(m, "value", &w)?, &format!("{w}.value"), n)?)
        }
        "builtin" => {
            let m = object(o, &w, &["type", "name", "id"])?;
            Obj::Builtin {
                name: string(field(m, "name", &w)?, &format!("{w}.name"))?,
                id: opt_id(m, &w)?,
            }
        }
        "thread" => {
            let m = object(o, &w, &["type", "status", "id"])?;
            match m.get("status").and_then(Json::as_str) {
                Some("dead") => {}
                _ => {
                    return Err(bad(format!(
                        "{w}: only finished coroutines (status \"dead\") can be imported"
                    )))
                }
            }
            Obj::Thread { id: opt_id(m, &w)? }
        }
        other => return Err(bad(format!("{w} has an unknown type '{other}'"))),
    })
}

/// Cross-object checks: what references must point at, unique keys and identities.
fn check_graph(d: &Doc) -> Result<(), Error> {
    // References were range-checked when parsed; `get` keeps a stray one an error value.
    let object = |r: u32| usize::try_from(r).ok().and_then(|r| d.objects.get(r));
    let is_table = |r: u32| matches!(object(r), Some(Obj::Table { .. }));
    let is_fn = |r: u32| matches!(object(r), Some(Obj::Closure { .. } | Obj::Builtin { .. }));
    match object(d.globals) {
        Some(Obj::Table {
            builtin: Some(b), ..
        }) if b == "_G" => {}
        _ => return Err(bad("roots._G must refer to the built-in table \"_G\"")),
    }
    if !is_fn(d.handle) {
        return Err(bad("roots.handle must refer to a function"));
    }
    let mut ids = HashSet::new();
    let mut builtin_tables = HashSet::new();
    for (i, o) in d.objects.iter().enumerate() {
        let id = match o {
            Obj::Table {
                builtin,
                entries,
                meta,
                id,
            } => {
                if let Some(m) = meta {
                    if !is_table(*m) {
                        return Err(bad(format!("objects[{i}].meta must refer to a table")));
                    }
                }
                if let Some(b) = builtin {
                    if !builtin_tables.insert(b.clone()) {
                        return Err(bad(format!(
                            "objects[{i}]: the built-in table '{b}' appears twice"
                        )));
                    }
                }
                let mut keys = HashSet::new();
                for (e, (k, _)) in entries.iter().enumerate() {
                    let key = match k {
                        V::Float(f) => format!("f{}", f.to_bits()),
                        other => format!("{other:?}"),
                    };
                    if !keys.insert(key) {
                        return Err(bad(format!("objects[{i}].entries[{e}]: duplicate key")));
                    }
                }
                *id
            }
            Obj::Closure { upvalues, id, .. } => {
                for u in upvalues {
                    if !matches!(object(*u), Some(Obj::Cell(_))) {
                        return Err(bad(format!(
                            "objects[{i}].upvalues must refer to upvalue objects"
                        )));
                    }
                }
                *id
            }
            Obj::Builtin { id, .. } | Obj::Thread { id } => *id,
            Obj::Cell(_) => None,
        };
        if let Some(id) = id {
            if id == 0 || id > d.identities {
                return Err(bad(format!(
                    "objects[{i}]: identity {id} is outside 1..={}",
                    d.identities
                )));
            }
            if !ids.insert(id) {
                return Err(bad(format!("objects[{i}]: identity {id} is used twice")));
            }
        }
    }
    Ok(())
}

/// JSON read as `serde_json` reads it, except that an object naming a field twice is an
/// error: serde_json keeps the last one, and a document that imports must export to the
/// same bytes, which a repeated field could not.
struct Strict(Json);

impl<'de> serde::Deserialize<'de> for Strict {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(Json::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Json::Null, Json::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }
    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(Strict(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let Strict(value) = map.next_value()?;
            if out.contains_key(&key) {
                return Err(serde::de::Error::custom(format!(
                    "the field '{key}' appears twice in one object"
                )));
            }
            out.insert(key, value);
        }
        Ok(Json::Object(out))
    }
}
