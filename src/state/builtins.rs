//! Names for the objects the host creates at install time (library tables, Rust callbacks,
//! hidden helpers), so an exported document can refer to them and an import can find the
//! same objects in a freshly installed state.
//!
//! Names come from a breadth-first walk over string keys in byte order, from the globals
//! (`_G`) and then the extra roots the installers registered (objects only Rust holds, such
//! as the `(method)` helper or the `json` module). Two states installed the same way give
//! the same names. The set keeps its objects alive, so their addresses stay unique keys.

use std::collections::{HashMap, VecDeque};

pub use crate::vm::convert::address;

use gc_arena::{lock::RefLock, Collect, Gc, Rootable};
use piccolo::{Context, Function, Value};

#[derive(Collect, Default)]
#[collect(no_drop)]
struct BuiltinSet<'gc> {
    roots: Vec<(String, Value<'gc>)>,
    named: Vec<(String, Value<'gc>)>,
    #[collect(require_static)]
    by_ptr: HashMap<usize, usize>,
    #[collect(require_static)]
    by_name: HashMap<String, usize>,
}

#[derive(Collect, Clone, Copy)]
#[collect(no_drop)]
struct Builtins<'gc>(Gc<'gc, RefLock<BuiltinSet<'gc>>>);

impl<'gc> piccolo::Singleton<'gc> for Builtins<'gc> {
    fn create(ctx: Context<'gc>) -> Self {
        Builtins(Gc::new(&ctx, RefLock::new(BuiltinSet::default())))
    }
}

fn set<'gc>(ctx: Context<'gc>) -> Gc<'gc, RefLock<BuiltinSet<'gc>>> {
    ctx.singleton::<Rootable![Builtins<'_>]>().0
}

/// Registers an object only Rust code holds, under `name` (e.g. `(method)`).
pub fn add_root<'gc>(ctx: Context<'gc>, name: &str, value: Value<'gc>) {
    set(ctx)
        .borrow_mut(&ctx)
        .roots
        .push((name.to_owned(), value));
}

/// Names every table, callback and userdata reachable from the globals and the extra roots.
/// Call once, after everything native is installed and before any Lua code runs.
pub fn scan(ctx: Context<'_>) {
    let s = set(ctx);
    let mut s = s.borrow_mut(&ctx);
    let mut queue: VecDeque<(String, Value)> = VecDeque::new();
    queue.push_back(("_G".to_owned(), Value::Table(ctx.globals())));
    queue.extend(s.roots.iter().cloned());
    while let Some((name, value)) = queue.pop_front() {
        let (Some(ptr), true) = (
            address(value),
            matches!(
                value,
                Value::Table(_) | Value::Function(Function::Callback(_)) | Value::UserData(_)
            ),
        ) else {
            continue;
        };
        if s.by_ptr.contains_key(&ptr) {
            continue;
        }
        let index = s.named.len();
        s.by_ptr.insert(ptr, index);
        s.by_name.insert(name.clone(), index);
        s.named.push((name.clone(), value));
        // A built-in userdata (the standard files): only its metatable leads further.
        if let Value::UserData(u) = value {
            if let Some(m) = u.metatable() {
                queue.push_back((format!("{name}<metatable>"), Value::Table(m)));
            }
        }
        if let Value::Table(t) = value {
            // Integer keys (in order), then string keys (by bytes): e.g. `package.searchers[1]`.
            let mut ints: Vec<(i64, Value)> = Vec::new();
            let mut strs: Vec<(Vec<u8>, Value)> = Vec::new();
            for (k, v) in t.iter() {
                match k {
                    Value::Integer(i) => ints.push((i, v)),
                    Value::String(k) => strs.push((k.as_bytes().to_vec(), v)),
                    _ => {}
                }
            }
            crate::vm::sort::sort_by_key(&mut ints, |a| a.0);
            crate::vm::sort::sort_by(&mut strs, |a, b| a.0.cmp(&b.0));
            for (i, v) in ints {
                queue.push_back((format!("{name}[{i}]"), v));
            }
            let prefix = if name == "_G" {
                String::new()
            } else {
                format!("{name}.")
            };
            for (k, v) in strs {
                queue.push_back((format!("{prefix}{}", String::from_utf8_lossy(&k)), v));
            }
            if let Some(m) = t.metatable() {
                queue.push_back((format!("{name}<metatable>"), Value::Table(m)));
            }
        }
    }
}

/// The name of a built-in object.
pub fn name_of(ctx: Context<'_>, v: Value<'_>) -> Option<String> {
    let ptr = address(v)?;
    let s = set(ctx);
    let s = s.borrow();
    s.by_ptr.get(&ptr).map(|&i| s.named[i].0.clone())
}

/// The built-in object called `name`.
pub fn by_name<'gc>(ctx: Context<'gc>, name: &str) -> Option<Value<'gc>> {
    let s = set(ctx);
    let s = s.borrow();
    s.by_name.get(name).map(|&i| s.named[i].1)
}

/// All built-in tables, by name (sorted), for exporting what only Rust still holds.
pub fn tables<'gc>(ctx: Context<'gc>) -> Vec<(String, Value<'gc>)> {
    let s = set(ctx);
    let mut v: Vec<_> = s
        .borrow()
        .named
        .iter()
        .filter(|(_, v)| matches!(v, Value::Table(_)))
        .cloned()
        .collect();
    crate::vm::sort::sort_by(&mut v, |a, b| a.0.cmp(&b.0));
    v
}
