//! Resource behaviour of the string and table libraries that the differential suite cannot
//! show (PUC Lua has no fuel or size caps): fuel is charged for work done inside callbacks,
//! huge results are refused before allocating, and long-running jobs stay bounded.

use crate::error::Error;
use crate::lua::run_script;
use crate::vm::Limits;

fn run(src: &str, fuel: u64) -> (String, Option<Error>) {
    let limits = Limits {
        fuel,
        ..Limits::default()
    };
    let out = run_script("test", src.as_bytes(), limits).expect("vm starts");
    (out.stdout_text(), out.error)
}

#[test]
fn big_string_work_costs_fuel() {
    // 100 reps of 10 MB: a handful of VM instructions, but 15M+ units of byte work.
    let src = "for i = 1, 100 do local s = string.rep('x', 10000000) end";
    let (_, err) = run(src, 2_000_000);
    assert!(matches!(err, Some(Error::OutOfFuel { .. })), "{err:?}");
    let (_, err) = run("local s = string.rep('x', 1000)", 2_000_000);
    assert!(err.is_none(), "{err:?}");
}

#[test]
fn oversized_results_are_refused_up_front() {
    let src = r#"
        print(pcall(string.rep, "x", 2^31))
        print(pcall(string.rep, "abc", 100000000, ","))
        print(pcall(string.pack, "c2000000000", ""))
    "#;
    let (out, err) = run(src, 1_000_000);
    assert!(err.is_none(), "{err:?}");
    assert_eq!(
        out,
        "false\tresulting string too large\n".repeat(3),
        "every oversized result fails the same way"
    );
}

#[test]
fn pattern_matching_is_charged_by_steps() {
    // Backtracking-heavy matches over a long subject: few instructions, many steps.
    let src = r#"
        local s = string.rep("a", 5000)
        for i = 1, 50 do local _ = string.find(s, ".-b") end
    "#;
    let (_, err) = run(src, 1_000_000);
    assert!(matches!(err, Some(Error::OutOfFuel { .. })), "{err:?}");
}

#[test]
fn gsub_with_function_handles_many_matches() {
    let src = r#"
        local s = string.rep("ab", 20000)
        local n = 0
        local out, count = string.gsub(s, "a", function(c) n = n + 1; return n % 2 == 0 and "A" or nil end)
        print(count, n, #out, select(2, out:gsub("A", "")))
    "#;
    let (out, err) = run(src, 50_000_000);
    assert!(err.is_none(), "{err:?}");
    assert_eq!(out, "20000\t20000\t40000\t10000\n");
}

#[test]
fn sort_of_large_tables_and_comparator_errors() {
    let src = r#"
        local t = {}
        for i = 1, 20000 do t[i] = (i * 7919) % 20011 end
        table.sort(t)
        local ok = true
        for i = 2, #t do ok = ok and t[i - 1] <= t[i] end
        print(ok, #t)
        local calls = 0
        print(pcall(table.sort, t, function(a, b)
            calls = calls + 1
            if calls == 1000 then error("stop", 0) end
            return a > b
        end))
        -- after the error the table still holds the same multiset of values
        local sum = 0
        for i = 1, #t do sum = sum + t[i] end
        print(#t, sum)
    "#;
    let (out, err) = run(src, 100_000_000);
    assert!(err.is_none(), "{err:?}");
    let expected_sum: i64 = (1..=20000i64).map(|i| (i * 7919) % 20011).sum();
    assert_eq!(
        out,
        format!("true\t20000\nfalse\tstop\n20000\t{expected_sum}\n")
    );
}

#[test]
fn runaway_sort_comparator_hits_the_fuel_limit() {
    let src = r#"
        local t = {}
        for i = 1, 5000 do t[i] = i end
        table.sort(t, function(a, b) local x = 0 for i = 1, 100 do x = x + i end return a > b end)
    "#;
    let (_, err) = run(src, 1_000_000);
    assert!(matches!(err, Some(Error::OutOfFuel { .. })), "{err:?}");
}

#[test]
fn unpack_and_byte_refuse_absurd_result_counts() {
    let src = r#"
        print(pcall(table.unpack, {}, 1, 1e8))
        print(pcall(string.byte, string.rep("x", 2000000), 1, -1))
    "#;
    let (out, err) = run(src, 10_000_000);
    assert!(err.is_none(), "{err:?}");
    assert_eq!(
        out,
        "false\ttoo many results to unpack\nfalse\tstring slice too long\n"
    );
}

/// A VM with the standard library and these limits, having run `src`: the error it ended
/// with, and the fuel it used.
fn run_vm(src: &str, fuel: u64, memory: usize) -> (String, Option<Error>, u64) {
    let limits = Limits {
        fuel,
        memory,
        ..Limits::default()
    };
    let mut vm = crate::vm::Vm::new(limits).expect("vm starts");
    crate::stdlib::install(&mut vm);
    let f = vm.load("test", src.as_bytes()).expect("compiles");
    let err = vm.call(&f, |_| Vec::new(), |_, _| ()).err();
    let out = String::from_utf8_lossy(&vm.host().borrow_mut().take_output()).into_owned();
    (out, err, vm.fuel_used())
}

/// The pattern of tests/fuzz/FINDINGS.md F1: about 100 million matcher steps over a
/// 2 000-byte subject before "pattern too complex".
const F1: &str = r#"string.find(("ab"):rep(1000), "%g-[]+%b()%f[%a]+[^]]%f[^%w]?")"#;

#[test]
fn a_pattern_call_stops_at_the_process_fuel() {
    // Caught or not, a match that needs more fuel than the call has left ends the call as
    // a loop would, having spent about the limit (not the 25 million a full run costs).
    for src in [
        format!("local x = 1\nlocal r = {F1}\nprint(r)"),
        format!("print(pcall(function() return {F1} end))"),
        "for m in (('ab'):rep(1000)):gmatch('%g-[]+%b()%f[%a]+[^]]%f[^%w]?') do end".to_string(),
        "local s = ('ab'):rep(1000)\nprint(s:gsub('%g-[]+%b()%f[%a]+[^]]%f[^%w]?', function() end))"
            .to_string(),
    ] {
        let (out, err, used) = run_vm(&src, 2_000_000, 256 << 20);
        assert!(matches!(err, Some(Error::OutOfFuel { .. })), "{src}: {err:?}");
        assert_eq!(out, "", "{src}: nothing after the match ran");
        assert!(
            (2_000_000..2_100_000).contains(&used),
            "{src}: used {used} fuel"
        );
    }
    // The line of the match is named.
    let (_, err, _) = run_vm(
        &format!("local x = 1\nlocal r = {F1}\nprint(r)"),
        2_000_000,
        256 << 20,
    );
    match err {
        Some(Error::OutOfFuel { at: Some(at), .. }) => assert_eq!(at.line, 2),
        other => panic!("{other:?}"),
    }
    // With fuel for the whole match, the library's own limit still applies.
    let (out, err, _) = run_vm(
        &format!("print(pcall(function() return {F1} end))"),
        200_000_000,
        256 << 20,
    );
    assert!(err.is_none(), "{err:?}");
    assert!(out.ends_with("pattern too complex\n"), "{out}");
}

#[test]
fn a_result_too_big_for_the_memory_fails_before_it_is_built() {
    // F1's second case: a 100 MB `rep` in a process limited to 64 MB. The call stops with
    // the memory limit (pcall does not catch it, as for any allocation past the limit)
    // before anything is allocated: `rep` charges its byte work (1.5 million fuel for
    // 100 MB) only once it has room, and none was charged.
    let limit = 64 << 20;
    for src in [
        "print(pcall(string.pack, 's', ('x'):rep(1e8)))",
        "local s = ('x'):rep(1e8)",
    ] {
        let (out, err, used) = run_vm(src, 200_000_000, limit);
        match err {
            Some(Error::OutOfMemory {
                used: asked,
                limit: l,
            }) => {
                assert_eq!(l, limit);
                assert!(asked > 100_000_000, "{src}: {asked}");
            }
            other => panic!("{src}: {other:?}"),
        }
        assert_eq!(out, "");
        assert!(used < 100_000, "{src}: used {used} fuel");
    }
    // Results that only exceed what is left once the rest of the heap is counted.
    for src in [
        // 40 MB held, 40 MB more for the packed string.
        "local s = ('x'):rep(4e7)\nlocal p = string.pack('s', s)",
        "local t = {}\nfor i = 1, 40 do t[i] = ('x'):rep(1e6) .. i end\nlocal c = table.concat(t)",
        "local s = ('x'):rep(3e7)\nlocal c = s .. s",
        "local s = ('x'):rep(4e7)\nlocal u = s:upper()",
        "local s = ('x'):rep(4e7)\nlocal f = string.format('%s.', s)",
        "local s = ('x'):rep(3e7)\nlocal r = s:gsub('x+', '%0%0')",
        "local s, y = ('x'):rep(2e7), ('y'):rep(3e7)\nlocal r = s:gsub('x+', function() return y end)",
    ] {
        let (_, err, _) = run_vm(src, 2_000_000_000, limit);
        assert!(matches!(err, Some(Error::OutOfMemory { .. })), "{src}: {err:?}");
    }
}

#[test]
fn garbage_is_collected_to_make_room_for_a_result() {
    // Each iteration holds 80 MB and leaves it as garbage for the next, in 128 MB: the
    // results of the next fit only once the last ones are collected.
    let src = r#"
        for i = 1, 4 do
          local s = ("x"):rep(2e7)
          local p = string.pack("s4", s)
          local c = table.concat({ s, "!" })
          local d = s .. i
          assert(#p == 2e7 + 4 and #c == 2e7 + 1 and #d == 2e7 + 1)
        end
        print("ok")
    "#;
    let (out, err, _) = run_vm(src, 2_000_000_000, 128 << 20);
    assert!(err.is_none(), "{err:?}");
    assert_eq!(out, "ok\n");
}
