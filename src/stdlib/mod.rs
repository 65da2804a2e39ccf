//! The Lua 5.3 standard library that piccolo lacks, written on piccolo's callback API, plus
//! the host-facing replacements (`print` captured into the process output).

pub mod args;
pub mod base;
pub mod lua_format;
pub mod lua_number;
pub mod lua_pattern;
pub mod string;
pub mod table;
pub mod tostring;

#[cfg(test)]
mod limits_tests;

use crate::vm::Vm;

/// Installs everything aolite adds to or replaces in piccolo's core library.
pub fn install(vm: &mut Vm) {
    let host = vm.host();
    vm.enter(|ctx| {
        base::install(ctx, host);
        string::install(ctx);
        table::install(ctx);
    });
}
