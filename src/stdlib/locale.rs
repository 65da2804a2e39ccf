//! `os.setlocale` as aos has it: aos's C library (emscripten's musl) keeps a locale name per
//! category and accepts any name, loading nothing (there are no locale files), so a locale
//! changes no formatting or comparison; only the names are state, which programs can read
//! back. That state belongs to the process: a hidden table (exported, rolled back with a
//! failed message) holds each category's name, absent for musl's built-in C locale.
//!
//! musl's rules, reproduced: a name longer than 23 bytes, starting with `.` or holding a `/`
//! becomes `C.UTF-8`; the empty name takes the environment's (`LANG=C.UTF-8` in aos);
//! `C`, `POSIX` and `C.UTF-8` are the built-in C locale, except `C.UTF-8` for `LC_CTYPE`,
//! which keeps its name. Setting `LC_ALL` sets every category, from a name or from the
//! `;`-separated list that querying `LC_ALL` gives when categories differ.

use piccolo::{Callback, CallbackReturn, Context, Table, Value};

use super::argcheck::{check_bytes, check_option};
use crate::vm::undo;

/// musl's categories: `LC_CTYPE` 0, `LC_NUMERIC` 1, `LC_TIME` 2, `LC_COLLATE` 3,
/// `LC_MONETARY` 4, `LC_MESSAGES` 5 (which Lua cannot name).
const CATEGORY_COUNT: usize = 6;
const CTYPE: usize = 0;

/// Lua's option names and the musl category of each (`None`: `LC_ALL`).
const OPTIONS: [&str; 6] = ["all", "collate", "ctype", "monetary", "numeric", "time"];
const CATEGORY_OF: [Option<usize>; 6] = [None, Some(3), Some(0), Some(4), Some(1), Some(2)];

/// musl's `LOCALE_NAME_MAX`.
const NAME_MAX: usize = 23;

/// The locale a category takes for `name` (musl's `__get_locale`): `None` for the built-in
/// C locale, else the name it keeps.
fn locale_for(category: usize, name: &[u8]) -> Option<Vec<u8>> {
    let mut name = if name.is_empty() { b"C.UTF-8" } else { name };
    if name.len() > NAME_MAX || name[0] == b'.' || name.contains(&b'/') {
        name = b"C.UTF-8";
    }
    match name {
        b"C.UTF-8" if category == CTYPE => Some(name.to_vec()),
        b"C" | b"POSIX" | b"C.UTF-8" => None,
        _ => Some(name.to_vec()),
    }
}

/// What `setlocale(LC_ALL, NULL)` reports: the common name when every category has the same
/// locale, else every category's name joined by `;`.
fn all_name(locales: &[Option<Vec<u8>>; CATEGORY_COUNT]) -> Vec<u8> {
    let shown = |l: &Option<Vec<u8>>| l.clone().unwrap_or_else(|| b"C".to_vec());
    if locales.iter().all(|l| *l == locales[0]) {
        return shown(&locales[0]);
    }
    locales.iter().map(shown).collect::<Vec<_>>().join(&b';')
}

/// `setlocale(LC_ALL, name)`'s parse: the `i`th `;`-separated part for category `i`; a part
/// too long to be a name keeps the previous one (at first `C.UTF-8`) and is not skipped;
/// past the last part, the last one.
fn split_all(name: &[u8]) -> [Option<Vec<u8>>; CATEGORY_COUNT] {
    let mut part: Vec<u8> = b"C.UTF-8".to_vec();
    let mut rest = name;
    std::array::from_fn(|category| {
        let end = rest.iter().position(|&c| c == b';').unwrap_or(rest.len());
        if end <= NAME_MAX {
            part = rest[..end].to_vec();
            if end < rest.len() {
                rest = &rest[end + 1..];
            }
        }
        locale_for(category, &part)
    })
}

fn read<'gc>(ctx: Context<'gc>, state: Table<'gc>) -> [Option<Vec<u8>>; CATEGORY_COUNT] {
    std::array::from_fn(|c| match state.get(ctx, c as i64 + 1) {
        Value::String(s) => Some(s.as_bytes().to_vec()),
        _ => None,
    })
}

fn write<'gc>(ctx: Context<'gc>, state: Table<'gc>, category: usize, locale: &Option<Vec<u8>>) {
    let value = match locale {
        Some(name) => Value::String(ctx.intern(name)),
        None => Value::Nil,
    };
    let _ = undo::raw_set(ctx, state, Value::Integer(category as i64 + 1), value);
}

/// Adds `setlocale` to the `os` table.
pub fn install<'gc>(ctx: Context<'gc>, os: Table<'gc>) {
    let state = Table::new(&ctx);
    crate::state::builtins::add_root(ctx, "(os locale)", Value::Table(state));
    let setlocale = Callback::from_fn_with(&ctx, state, |state, ctx, exec, mut stack| {
        // The name is a C string: it ends at its first zero byte.
        let name = match stack.get(0) {
            Value::Nil => None,
            _ => {
                let mut name = check_bytes(ctx, &exec, &stack, 0, "os.setlocale")?;
                if let Some(zero) = name.iter().position(|&c| c == 0) {
                    name.truncate(zero);
                }
                Some(name)
            }
        };
        let option = check_option(ctx, &exec, &stack, 1, "os.setlocale", &OPTIONS, Some("all"))?;
        let shown = match CATEGORY_OF[option] {
            None => {
                if let Some(name) = name {
                    for (category, locale) in split_all(&name).iter().enumerate() {
                        write(ctx, *state, category, locale);
                    }
                }
                all_name(&read(ctx, *state))
            }
            Some(category) => {
                if let Some(name) = name {
                    write(ctx, *state, category, &locale_for(category, &name));
                }
                read(ctx, *state)[category]
                    .clone()
                    .unwrap_or_else(|| b"C".to_vec())
            }
        };
        stack.replace(ctx, ctx.intern(&shown));
        Ok(CallbackReturn::Return)
    });
    let _ = os.set(ctx, "setlocale", setlocale);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_musl() {
        assert_eq!(locale_for(1, b"pt_BR"), Some(b"pt_BR".to_vec()));
        assert_eq!(locale_for(1, b"POSIX"), None);
        assert_eq!(locale_for(1, b"C.UTF-8"), None);
        assert_eq!(locale_for(CTYPE, b"C.UTF-8"), Some(b"C.UTF-8".to_vec()));
        assert_eq!(locale_for(CTYPE, b""), Some(b"C.UTF-8".to_vec()));
        assert_eq!(locale_for(2, b""), None);
        assert_eq!(locale_for(2, b"a/b"), None);
        assert_eq!(locale_for(2, b".x"), None);
        assert_eq!(locale_for(2, &[b'x'; 23]), Some(vec![b'x'; 23]));
        assert_eq!(locale_for(2, &[b'x'; 24]), None);
    }

    #[test]
    fn all_reads_back_what_it_writes() {
        let mixed = split_all(b"C.UTF-8;pt_BR;C;C;C;C");
        assert_eq!(all_name(&mixed), b"C.UTF-8;pt_BR;C;C;C;C");
        assert_eq!(
            all_name(&split_all(all_name(&mixed).as_slice())),
            all_name(&mixed)
        );
        // Fewer parts: the last one for the rest.
        assert_eq!(all_name(&split_all(b"a;b")), b"a;b;b;b;b;b");
        assert_eq!(all_name(&split_all(b"x")), b"x");
        // A part too long keeps the previous one and is read again: all `de`.
        let long = [b"de;".to_vec(), vec![b'y'; 30]].concat();
        assert_eq!(all_name(&split_all(&long)), b"de");
        assert_eq!(all_name(&split_all(&[b'y'; 30])), b"C.UTF-8;C;C;C;C;C");
    }
}
