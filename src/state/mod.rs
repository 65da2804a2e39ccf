//! Lossless, canonical export and import of a whole process as a JSON document.
//!
//! Document (`"format": "aolite-state/1"`), keys in this order:
//! - `process`: `id`, `owner`, `module`, `tags` (`[[name, value], ...]`), `clock`,
//!   `blockHeight`, `nonce`;
//! - `limits`: `fuel`, `memory`, `sourceBytes`, `operatorChain`, `nesting`;
//! - `host`: `timeMs`, `fuelUsed` (drives `os.clock`), `rng` (4 hex words);
//! - `identities`: how many display identities (`table: 0x...`) were handed out;
//! - `chunks`: `[{name, source, env?}]`, the sources closures were compiled from;
//! - `roots`: `{"_G": ref, "handle": ref, "<builtin table>": ref, ...}`;
//! - `objects`: tables `{type: "table", builtin?, entries: [[k, v]...], meta?, id?}`,
//!   closures `{type: "closure", chunk, path, upvalues: [ref...], id?}`, upvalue cells
//!   `{type: "upvalue", value}`, built-in functions `{type: "builtin", name, id?}` and
//!   finished coroutines `{type: "thread", status: "dead", id?}`.
//!
//! Values are encoded as described in [`value`].

pub mod builtins;
pub(crate) mod diagnose;
pub mod diff;
mod doc;
mod export;
pub mod history;
mod import;
pub mod stats;
pub mod value;
pub mod view;

use piccolo::Value;
use serde_json::{Map, Value as Json};
use sha2::{Digest, Sha256};

use crate::ao::process::Process;
use crate::error::Error;

/// The `format` of documents this version writes and reads.
pub const FORMAT: &str = "aolite-state/1";

impl Process {
    /// The whole process as a canonical JSON document (see the module docs).
    pub fn export_state(&mut self) -> Result<String, Error> {
        self.export_document()?.into_string()
    }

    /// [`Process::export_state`] as a JSON value (the text parsed back: the document is
    /// written as text, never built as a value).
    pub fn export_state_value(&mut self) -> Result<Json, Error> {
        let doc = self.export_state()?;
        serde_json::from_str(&doc).map_err(|e| Error::BadState(format!("cannot read back: {e}")))
    }

    /// The canonical document, written out: [`export::Document::into_string`] gives the
    /// text, [`export::Document::write_to`] streams it (to a hash).
    pub(crate) fn export_document(&mut self) -> Result<export::Document, Error> {
        self.export_document_within(usize::MAX)
    }

    /// [`Process::export_state`], or an error once the document's objects pass `max_bytes`
    /// (what is written before is the same for any limit: the walk stops part way).
    pub(crate) fn export_state_within(&mut self, max_bytes: usize) -> Result<String, Error> {
        self.export_document_within(max_bytes)?.into_string()
    }

    fn export_document_within(&mut self, max_bytes: usize) -> Result<export::Document, Error> {
        let handle = self.handle.clone();
        let graph = self.vm.enter(|ctx| {
            let mut roots: Vec<(String, Value)> = vec![("_G".into(), Value::Table(ctx.globals()))];
            roots.push(("handle".into(), Value::Function(ctx.fetch(&handle))));
            for (name, v) in builtins::tables(ctx) {
                if name != "_G" {
                    roots.push((name, v));
                }
            }
            let identities = crate::stdlib::tostring::identity_mark(ctx);
            export::walk_within(ctx, roots, max_bytes).map(|g| (g, identities))
        });
        let (graph, identities) = graph?;
        let host = self.vm.host();
        let host = host.borrow();
        let limits = *self.vm.limits();
        let mut p = Map::new();
        p.insert("id".into(), self.id.clone().into());
        p.insert("owner".into(), self.owner.clone().into());
        p.insert("module".into(), self.module.clone().into());
        let tags: Vec<Json> = self
            .process_tags
            .iter()
            .map(|t| Json::Array(vec![t.name.clone().into(), t.value.clone().into()]))
            .collect();
        p.insert("tags".into(), Json::Array(tags));
        let module_tags: Vec<Json> = self
            .module_tags
            .iter()
            .map(|t| Json::Array(vec![t.name.clone().into(), t.value.clone().into()]))
            .collect();
        p.insert("moduleTags".into(), Json::Array(module_tags));
        p.insert("clock".into(), self.clock.into());
        p.insert("clockStep".into(), self.clock_step.into());
        p.insert("blockHeight".into(), self.block_height.into());
        p.insert("nonce".into(), self.nonce.into());
        let mut l = Map::new();
        l.insert("fuel".into(), limits.fuel.into());
        l.insert("memory".into(), (limits.memory as u64).into());
        l.insert(
            "sourceBytes".into(),
            (limits.source.max_bytes as u64).into(),
        );
        l.insert(
            "operatorChain".into(),
            (limits.source.max_operator_chain as u64).into(),
        );
        l.insert("nesting".into(), (limits.source.max_nesting as u64).into());
        let mut h = Map::new();
        h.insert("timeMs".into(), host.time_ms.into());
        h.insert("fuelUsed".into(), host.fuel_before_slice.into());
        let rng: Vec<Json> = host
            .rng
            .state()
            .iter()
            .map(|w| Json::from(format!("{w:016x}")))
            .collect();
        h.insert("rng".into(), Json::Array(rng));
        // The members in the order the module docs give, written as serde_json writes an
        // object (compact); the objects follow, already written by the walk.
        let json = |out: &mut Vec<u8>, j: &Json| {
            serde_json::to_writer(out, j)
                .map_err(|e| Error::BadState(format!("cannot serialise: {e}")))
        };
        let mut head = Vec::with_capacity(graph.chunks.len() + 4096);
        head.extend_from_slice(b"{\"format\":");
        value::write_str(&mut head, FORMAT)?;
        head.extend_from_slice(b",\"process\":");
        json(&mut head, &Json::Object(p))?;
        head.extend_from_slice(b",\"limits\":");
        json(&mut head, &Json::Object(l))?;
        head.extend_from_slice(b",\"host\":");
        json(&mut head, &Json::Object(h))?;
        head.extend_from_slice(b",\"identities\":");
        json(&mut head, &Json::from(identities))?;
        head.extend_from_slice(b",\"chunks\":");
        head.extend_from_slice(&graph.chunks);
        head.extend_from_slice(b",\"roots\":{");
        for (n, (name, v)) in graph.roots.iter().enumerate() {
            if n > 0 {
                head.push(b',');
            }
            value::write_str(&mut head, name)?;
            head.push(b':');
            head.extend_from_slice(v);
        }
        head.extend_from_slice(b"},\"objects\":[");
        Ok(graph.into_document(head))
    }

    /// SHA-256 (lowercase hex) of the canonical export (streamed: the document's text is
    /// hashed as it is put together, never held whole).
    pub fn state_hash(&mut self) -> Result<String, Error> {
        let doc = self.export_document()?;
        let mut hasher = Sha256::new();
        doc.write_to(&mut |b| hasher.update(b));
        Ok(history::hex(&hasher.finalize()))
    }

    /// Rebuilds a process from a document made by [`Process::export_state`]. Everything is
    /// checked before anything is built; a bad document is an [`Error::BadState`].
    pub fn import_state(doc: &str) -> Result<Process, Error> {
        import::import(doc)
    }
}
