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
