//! `os.execute`, `os.remove`, `os.rename` and `os.tmpname` as aos has them: its Lua is built
//! with emscripten, whose C library answers these from an in-memory file system and has no
//! shell (oracle scenario `os_library`).
//!
//! - `os.execute()` is `false` (no shell); `os.execute(cmd)` is `nil, "Function not
//!   implemented", 52`.
//! - `os.remove` and `os.rename` see emscripten's default tree (below): removing an empty
//!   directory or a file of it succeeds, a directory with entries gives `Directory not empty`
//!   (55), `/` gives `Resource busy` (10), any other name `No such file or directory` (44).
//!   Relative names start at `/`, the working directory. The tree does not change here
//!   (aos's does): a second removal of the same name succeeds again, where aos answers 44.
//! - `os.tmpname()` is `/tmp/tmpnam_` and six letters or digits, as aos's; aos's come from
//!   its random generator, these from the clock and the fuel used so far (the state's own
//!   clocks), so a run and its replay get the same names. No file is made, as in aos.

use std::cell::RefCell;
use std::rc::Rc;

use piccolo::{Callback, CallbackReturn, Context, Table, Value};

use super::argcheck::{check_string, type_error};
use crate::vm::Host;

/// emscripten's default file system at start-up: directories with their entries' count.
const DIRECTORIES: &[(&str, usize)] = &[
    ("/", 5),
    ("/tmp", 0),
    ("/home", 1),
    ("/home/web_user", 0),
    ("/dev", 10),
    ("/dev/shm", 1),
    ("/dev/shm/tmp", 0),
    ("/proc", 1),
    ("/proc/self", 1),
    ("/proc/self/fd", 0),
    ("/data", 0),
];

/// The default tree's files (devices).
const FILES: &[&str] = &[
    "/dev/null",
    "/dev/tty",
    "/dev/tty1",
    "/dev/random",
    "/dev/urandom",
    "/dev/stdin",
    "/dev/stdout",
    "/dev/stderr",
];

const ENOENT: (i64, &str) = (44, "No such file or directory");
const EBUSY: (i64, &str) = (10, "Resource busy");
const ENOTEMPTY: (i64, &str) = (55, "Directory not empty");
const ENOSYS: (i64, &str) = (52, "Function not implemented");

/// `name` as an absolute path: relative names start at `/`.
fn absolute(name: &[u8]) -> Vec<u8> {
    if name.first() == Some(&b'/') {
        name.to_vec()
    } else {
        [b"/".as_slice(), name].concat()
    }
}

fn directory(path: &[u8]) -> Option<usize> {
    DIRECTORIES
        .iter()
        .find(|(d, _)| d.as_bytes() == path)
        .map(|(_, n)| *n)
}

fn exists(path: &[u8]) -> bool {
    directory(path).is_some() || FILES.iter().any(|f| f.as_bytes() == path)
}

/// The errno `remove(name)` gives in aos's start-up tree, or `None` for success.
fn remove_error(name: &[u8]) -> Option<(i64, &'static str)> {
    if name.is_empty() {
        return Some(ENOENT);
    }
    let path = absolute(name);
    match directory(&path) {
        _ if path == b"/" => Some(EBUSY),
        Some(0) => None,
        Some(_) => Some(ENOTEMPTY),
        None if exists(&path) => None,
        None => Some(ENOENT),
    }
}

/// The errno `rename(from, to)` gives, or `None`: `from` must exist and `to`'s parent be a
/// directory.
fn rename_error(from: &[u8], to: &[u8]) -> Option<(i64, &'static str)> {
    if from.is_empty() || to.is_empty() {
        return Some(ENOENT);
    }
    let (from, to) = (absolute(from), absolute(to));
    if from == b"/" {
        return Some(EBUSY);
    }
    let parent = match to.iter().rposition(|&b| b == b'/') {
        Some(0) => b"/".to_vec(),
        Some(i) => to[..i].to_vec(),
        None => return Some(ENOENT),
    };
    if !exists(&from) || directory(&parent).is_none() {
        return Some(ENOENT);
    }
    None
}

/// Lua's `luaL_fileresult` for a failure: `nil, [name: ]message, errno`.
fn failure<'gc>(
    ctx: Context<'gc>,
    stack: piccolo::Stack<'gc, '_>,
    name: Option<&[u8]>,
    (errno, text): (i64, &str),
) {
    let message = match name {
        Some(name) => [name, b": ", text.as_bytes()].concat(),
        None => text.as_bytes().to_vec(),
    };
    super::io::failure(ctx, stack, message, Some(errno));
}

/// Six characters of `[A-Za-z0-9]` from `seed`.
fn tmp_suffix(mut seed: u64) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..6)
        .map(|_| {
            let z = super::random::splitmix64(&mut seed);
            ALPHABET[(z % ALPHABET.len() as u64) as usize] as char
        })
        .collect()
}

pub fn install<'gc>(ctx: Context<'gc>, os: Table<'gc>, host: Rc<RefCell<Host>>) {
    let execute = Callback::from_fn(&ctx, |ctx, exec, mut stack| {
        match stack.get(0) {
            Value::Nil => stack.replace(ctx, false),
            Value::String(_) | Value::Integer(_) | Value::Number(_) => {
                failure(ctx, stack, None, ENOSYS)
            }
            _ => return Err(type_error(ctx, &exec, &stack, 0, "os.execute", "string")),
        }
        Ok(CallbackReturn::Return)
    });
    let _ = os.set(ctx, "execute", execute);

    let remove = Callback::from_fn(&ctx, |ctx, exec, mut stack| {
        let name = check_string(ctx, &exec, &stack, 0, "os.remove")?;
        match remove_error(name.as_bytes()) {
            None => stack.replace(ctx, true),
            Some(e) => failure(ctx, stack, Some(name.as_bytes()), e),
        }
        Ok(CallbackReturn::Return)
    });
    let _ = os.set(ctx, "remove", remove);

    let rename = Callback::from_fn(&ctx, |ctx, exec, mut stack| {
        let from = check_string(ctx, &exec, &stack, 0, "os.rename")?;
        let to = check_string(ctx, &exec, &stack, 1, "os.rename")?;
        match rename_error(from.as_bytes(), to.as_bytes()) {
            None => stack.replace(ctx, true),
            Some(e) => failure(ctx, stack, None, e),
        }
        Ok(CallbackReturn::Return)
    });
    let _ = os.set(ctx, "rename", rename);

    let tmpname = Callback::from_fn(&ctx, move |ctx, mut exec, mut stack| {
        let host = host.borrow();
        let fuel = host.fuel_total(exec.fuel().remaining());
        let seed = (host.time_ms as u64).rotate_left(32) ^ fuel;
        let name = format!("/tmp/tmpnam_{}", tmp_suffix(seed));
        stack.replace(ctx, ctx.intern(name.as_bytes()));
        Ok(CallbackReturn::Return)
    });
    let _ = os.set(ctx, "tmpname", tmpname);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removals_as_aos_answers_them_in_a_fresh_process() {
        assert_eq!(remove_error(b"/tmp"), None);
        assert_eq!(remove_error(b"tmp"), None);
        assert_eq!(remove_error(b"/dev/null"), None);
        assert_eq!(remove_error(b"/"), Some(EBUSY));
        assert_eq!(remove_error(b"/home"), Some(ENOTEMPTY));
        assert_eq!(remove_error(b"/proc/self"), Some(ENOTEMPTY));
        assert_eq!(remove_error(b"/none"), Some(ENOENT));
        assert_eq!(remove_error(b""), Some(ENOENT));
    }

    #[test]
    fn renames_need_a_source_and_a_parent_directory() {
        assert_eq!(rename_error(b"/dev/null", b"/dev/null2"), None);
        assert_eq!(rename_error(b"/dev/null", b"/tmp/x"), None);
        assert_eq!(rename_error(b"/a-none", b"/tmp/x"), Some(ENOENT));
        assert_eq!(rename_error(b"/dev/null", b"/none/x"), Some(ENOENT));
        assert_eq!(rename_error(b"/", b"/x"), Some(EBUSY));
    }

    #[test]
    fn tmp_names_have_aos_shape() {
        let a = tmp_suffix(1);
        assert_eq!(a.len(), 6);
        assert!(a.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(a, tmp_suffix(2));
    }
}
