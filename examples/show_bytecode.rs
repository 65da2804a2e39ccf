//! Prints the piccolo bytecode aolite's compile pipeline makes of a Lua file, function by
//! function (a tool for reading what the rewrites cost).
//!
//! `cargo run --release --example show_bytecode -- FILE.lua [vm]` (`vm`: compile as the
//! runtime's own modules are, reads through the VM)

use aolite::vm::compile::{compile_with, Reads, SourceLimits};
use piccolo::compiler::CompiledPrototype;

fn show<S: std::fmt::Debug>(p: &CompiledPrototype<S>, path: &str) {
    println!(
        "== function {path} (params {}, vararg {}, stack {})",
        p.fixed_params, p.has_varargs, p.stack_size
    );
    for (i, op) in p.opcodes.iter().enumerate() {
        println!("  {i:4} {op:?}");
    }
    for (i, c) in p.constants.iter().enumerate() {
        println!("  K{i} {c:?}");
    }
    for (i, child) in p.prototypes.iter().enumerate() {
        show(child, &format!("{path}.{i}"));
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).expect("usage: show_bytecode FILE.lua [vm]");
    let source = std::fs::read(path).expect("read");
    let reads = if args.get(2).map(String::as_str) == Some("vm") {
        Reads::Vm
    } else {
        Reads::Lua
    };
    let compiled = compile_with(path, &source, &SourceLimits::default(), reads).expect("compile");
    show(&compiled, "main");
}
