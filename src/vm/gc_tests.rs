//! Garbage collection around abandoned calls: a message that runs out of fuel must not force
//! a full collection (its cost grows with the whole heap, so a process with a big state
//! slowed down with every such message: the soak benchmark's finding), while the
//! incremental collector still reclaims what such calls leave behind, and running out of
//! memory still frees the stopped call's memory at once.

use crate::ao::{Message, Process, ProcessOptions};
use crate::error::Error;
use crate::vm::Limits;

fn process(fuel: u64, memory: usize) -> Process {
    let mut p = Process::new(ProcessOptions {
        limits: Limits {
            fuel,
            memory,
            ..Limits::default()
        },
        no_log: true,
        ..ProcessOptions::default()
    })
    .expect("spawn");
    p.eval(
        r#"
        Big = {}
        for i = 1, 2000 do Big[i] = { i, tostring(i) } end
        Handlers.add("spin", "Spin", function()
          local t = {}
          while true do t = { t = t, s = "garbage" } ; t = {} end
        end)
        Handlers.add("hog", "Hog", function()
          local t = {}
          while true do t[#t + 1] = string.rep("x", 1000) .. #t end
        end)
        "#,
    )
    .expect("handlers");
    p
}

#[test]
fn out_of_fuel_forces_no_full_collection() {
    let mut p = process(300_000, 256 << 20);
    let before = p.vm.full_collections();
    let mut peak = 0;
    for _ in 0..100 {
        let r = p.send(Message::default().with_tag("Action", "Spin"));
        assert!(matches!(r, Err(Error::OutOfFuel { .. })), "{r:?}");
        peak = peak.max(p.vm.memory());
    }
    assert_eq!(
        p.vm.full_collections(),
        before,
        "an out-of-fuel message forced a full GC"
    );
    // The garbage of 100 stopped calls (each allocates for its whole fuel) is still
    // reclaimed by the incremental collector: the heap stays within a small multiple of
    // its live size (a few MB), far below what 100 calls allocated in all.
    let mut q = process(300_000, 256 << 20);
    q.vm.enter(|_| ());
    let live = q.vm.memory();
    assert!(
        peak < live * 4 + (16 << 20),
        "heap grew to {peak} bytes (live state about {live})"
    );
}

#[test]
fn out_of_memory_still_frees_the_stopped_call() {
    let mut p = process(u64::MAX / 4, 24 << 20);
    let before = p.vm.full_collections();
    let r = p.send(Message::default().with_tag("Action", "Hog"));
    assert!(matches!(r, Err(Error::OutOfMemory { .. })), "{r:?}");
    assert!(p.vm.full_collections() > before);
    // The process goes on: the next message runs, and the state is whole.
    let ok = p.eval("return #Big");
    assert_eq!(ok.expect("eval").output.trim(), "2000");
}
