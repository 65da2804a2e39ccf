//! The Lua 5.3 standard library that piccolo lacks, written on piccolo's callback API, plus
//! the host-facing replacements (`print` captured into the process output).

pub mod argcheck;
pub mod args;
pub mod base;
pub mod bit32;
pub mod coroutine;
pub mod debug;
pub mod io;
pub mod iter;
pub mod load;
pub mod locale;
pub mod lua_format;
pub mod lua_number;
pub mod lua_pattern;
pub mod math;
pub mod os;
pub mod os_files;
pub mod package;
pub mod pcall;
pub mod print;
pub mod random;
pub mod string;
pub mod table;
pub mod tostring;
pub mod upvalues;
pub mod utf8;

#[cfg(test)]
mod limits_tests;

use crate::vm::Vm;

/// Installs everything aolite adds to or replaces in piccolo's core library.
pub fn install(vm: &mut Vm) {
    let host = vm.host();
    let limits = vm.limits().source;
    let helpers = vm.stashed_helpers();
    vm.enter(|ctx| {
        let helpers = helpers.fetch(ctx);
        print::install(ctx, host.clone());
        math::install(ctx, host.clone());
        os::install(ctx, host.clone());
        string::install(ctx);
        table::install(ctx);
        let string_meta = base::install(ctx);
        iter::install(ctx);
        pcall::install(ctx);
        load::install(ctx, helpers, limits);
        utf8::install(ctx);
        bit32::install(ctx);
        io::install(ctx, host.clone());
        coroutine::install(ctx);
        debug::install(ctx, string_meta, limits);
        // Objects only Rust holds, named so exported documents can refer to them.
        let h = helpers;
        for (name, f) in [
            ("(method)", h.method),
            ("(concat)", h.concat),
            ("(pass)", h.pass),
            ("(first)", h.first),
            ("(set)", h.set),
            ("(setup)", h.setup),
            ("(arith)", h.arith),
            ("(key)", h.key),
            ("(drop)", h.drop),
            ("(index)", h.index),
            ("(list)", h.list),
        ] {
            crate::state::builtins::add_root(ctx, name, piccolo::Value::Function(f));
        }
        crate::state::builtins::add_root(ctx, "(string metatable)", string_meta.into());
        package::install(ctx);
        package::register_loaded(ctx);
    });
}
