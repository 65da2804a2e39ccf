//! Coverage-guided fuzzing of three input doors with AFL++ (Debian's `afl++`): the input
//! (stdin) is a `json.decode` text (`json`), a Lua source run as Eval or through `load`
//! (`lua`), or a message as JSON (`message`), checked with the same properties as the
//! seeded doors (`tests/fuzz/`). A violated property or a panic aborts, which AFL++ records
//! as a crash. Built by `scripts/afl.sh` only (instrumented, linked with AFL++'s runtime,
//! `--features afl`); run alone, it handles one input: `afl_doors json < file`.
#[path = "../tests/fuzz/doors.rs"]
mod doors;
#[path = "../tests/fuzz/lua_door.rs"]
mod lua_door;
#[path = "../tests/fuzz/luagen.rs"]
mod luagen;

use std::io::Read;

use aolite::ao::process::{Diagnostics, Process, ProcessOptions};

extern "C" {
    fn __afl_persistent_loop(max: u32) -> i32;
    fn __afl_manual_init();
}

// afl-fuzz looks for these in the binary: persistent mode, deferred fork server.
#[used]
static PERSISTENT: &[u8] = b"##SIG_AFL_PERSISTENT##\0";
#[used]
static DEFERRED: &[u8] = b"##SIG_AFL_DEFER_FORKSRV##\0";

fn fail(what: String) -> ! {
    eprintln!("FINDING {what}");
    std::process::abort();
}

fn main() {
    std::panic::set_hook(Box::new(|info| {
        eprintln!("panic: {info}");
        std::process::abort();
    }));
    // keep the signatures in the binary
    let _ = (
        std::hint::black_box(&PERSISTENT),
        std::hint::black_box(&DEFERRED),
    );
    let door = std::env::args().nth(1).unwrap_or_else(|| "json".into());
    let mut json_p = None;
    let mut lua_s = None;
    let mut msg_p = None;
    match door.as_str() {
        "json" => {
            let mut p = Process::new(ProcessOptions::default()).expect("new process");
            p.eval(doors::JSON_CHECK).expect("json check loads");
            json_p = Some(p);
        }
        "lua" => lua_s = Some(lua_door::Subject::new(Diagnostics::Off)),
        "message" => msg_p = Some(doors::token_process()),
        other => {
            eprintln!("afl_doors: unknown door {other} (json, lua or message)");
            std::process::exit(2);
        }
    }
    // SAFETY: AFL++'s runtime (linked by scripts/afl.sh) starts its fork server here and
    // then hands the inputs one by one; without afl-fuzz the loop runs once.
    unsafe { __afl_manual_init() };
    let mut input = Vec::new();
    while unsafe { __afl_persistent_loop(1000) } != 0 {
        input.clear();
        if std::io::stdin().read_to_end(&mut input).is_err() {
            continue;
        }
        let text = String::from_utf8_lossy(&input);
        if let Some(p) = json_p.as_mut() {
            let src = format!("return FuzzJson({})", doors::lua_string(&text));
            match p.eval(&src) {
                Ok(out) => {
                    let o = out.output.trim();
                    if !(o == "ok" || o == "decode-error" || o.starts_with("encode-error")) {
                        fail(format!("json: {o} (input {text:?})"));
                    }
                }
                Err(e) => fail(format!("json: eval failed: {e} (input {text:?})")),
            }
        } else if let Some(s) = lua_s.as_mut() {
            // the first byte chooses the door: Eval, load, load under pcall
            let how = input.first().map_or(0, |b| usize::from(*b) % 3);
            let src = text.get(1..).unwrap_or_default();
            if let Err(f) = lua_door::check_lua(s, src, how) {
                fail(format!("lua: {f} (door {how}, source {src:?})"));
            }
            if s.unexportable {
                *s = lua_door::Subject::new(Diagnostics::Off);
            }
        } else if let Some(p) = msg_p.as_mut() {
            let Ok(m) = serde_json::from_slice(&input) else {
                continue;
            };
            if let Err(f) = doors::check_message(p, &m) {
                fail(format!("message: {f} (message {m})"));
            }
        }
    }
}
