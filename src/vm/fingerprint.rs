//! A canonical text of everything reachable from the globals: tables (keys sorted, shared
//! and cyclic references numbered), metatables, closures with their captured variables, and
//! scalars. Two states with the same fingerprint hold the same data, whatever the hash
//! order or allocation history; tests use it to check that failed messages change nothing.

use std::collections::HashMap;
use std::fmt::Write as _;

use gc_arena::Gc;
use piccolo::{closure::UpValueState, Context, Function, Table, Value};

use crate::stdlib::tostring::write_float;

struct Walk<'gc> {
    seen: HashMap<usize, usize>,
    out: String,
    ctx: Context<'gc>,
    /// Closures by their data only (see [`data_fingerprint`]).
    data_only: bool,
}

fn id_of<T>(gc: Gc<'_, T>) -> usize {
    Gc::as_ptr(gc) as *const () as usize
}

/// The fingerprint of the state reachable from `root` (normally the globals).
pub fn fingerprint<'gc>(ctx: Context<'gc>, root: Table<'gc>) -> String {
    walk(ctx, root, false)
}

/// As [`fingerprint`], comparable between a state and its diagnostic copy, whose functions
/// are compiled again instrumented: a closure shows its chunk and the values it captured,
/// but not its first line nor the library functions it captured (the compilations call
/// different helpers, which closures capture).
pub fn data_fingerprint<'gc>(ctx: Context<'gc>, root: Table<'gc>) -> String {
    walk(ctx, root, true)
}

fn walk<'gc>(ctx: Context<'gc>, root: Table<'gc>, data_only: bool) -> String {
    let mut w = Walk {
        seen: HashMap::new(),
        out: String::new(),
        ctx,
        data_only,
    };
    w.value(Value::Table(root));
    w.out
}

impl<'gc> Walk<'gc> {
    /// Returns true the first time an object is met; later meetings print a back-reference.
    fn first_visit(&mut self, ptr: usize) -> bool {
        if let Some(n) = self.seen.get(&ptr) {
            let _ = write!(self.out, "@{n}");
            return false;
        }
        let n = self.seen.len();
        self.seen.insert(ptr, n);
        let _ = write!(self.out, "#{n}");
        true
    }

    fn value(&mut self, v: Value<'gc>) {
        match v {
            Value::Nil => self.out.push_str("nil"),
            Value::Boolean(b) => self.out.push_str(if b { "true" } else { "false" }),
            Value::Integer(i) => {
                let _ = write!(self.out, "{i}");
            }
            Value::Number(f) => {
                let mut buf = Vec::new();
                write_float(f, &mut buf);
                let _ = write!(self.out, "{}f", String::from_utf8_lossy(&buf));
            }
            Value::String(s) => {
                let _ = write!(self.out, "{:?}", s.as_bytes());
            }
            Value::Table(t) => self.table(t),
            Value::Function(Function::Closure(c)) => {
                if self.first_visit(id_of(c.into_inner())) {
                    let proto = c.prototype();
                    if self.data_only {
                        let _ = write!(self.out, "fn({})[", proto.chunk_name.to_str_lossy());
                    } else {
                        let _ = write!(
                            self.out,
                            "fn({}:{})[",
                            proto.chunk_name.to_str_lossy(),
                            proto
                                .opcode_line_numbers
                                .first()
                                .map_or(0, |(_, l)| l.0 + 1)
                        );
                    }
                    for uv in c.upvalues() {
                        match uv.get() {
                            UpValueState::Closed(Value::Function(Function::Callback(_)))
                                if self.data_only =>
                            {
                                continue
                            }
                            UpValueState::Closed(v) => self.value(v),
                            UpValueState::Open(_) => self.out.push_str("<open>"),
                        }
                        self.out.push(',');
                    }
                    self.out.push(']');
                }
            }
            Value::Function(Function::Callback(c)) => {
                // Built-ins are the same in every state; name them by first meeting.
                if self.first_visit(id_of(c.into_inner())) {
                    self.out.push_str("builtin");
                }
            }
            Value::Thread(t) => {
                if self.first_visit(id_of(t.into_inner())) {
                    let _ = write!(self.out, "thread({:?})", t.mode());
                }
            }
            Value::UserData(u) => {
                if self.first_visit(id_of(u.into_inner())) {
                    self.out.push_str("userdata");
                }
            }
        }
    }

    fn table(&mut self, t: Table<'gc>) {
        if !self.first_visit(id_of(t.into_inner())) {
            return;
        }
        let mut entries: Vec<(String, Value<'gc>, Value<'gc>)> = t
            .iter()
            .map(|(k, v)| {
                let mut probe = Walk {
                    seen: HashMap::new(),
                    out: String::new(),
                    ctx: self.ctx,
                    data_only: self.data_only,
                };
                // Reference keys sort by their content's text, which is canonical too.
                probe.value(k);
                (probe.out, k, v)
            })
            .collect();
        crate::vm::sort::sort_by(&mut entries, |a, b| a.0.cmp(&b.0));
        self.out.push('{');
        for (_, k, v) in entries {
            self.value(k);
            self.out.push('=');
            self.value(v);
            self.out.push(';');
        }
        self.out.push('}');
        if let Some(mt) = t.metatable() {
            self.out.push_str("<mt>");
            self.table(mt);
        }
    }
}
