//! Error positions of statements laid out over several lines: each statement below is
//! written in many layouts (a line break or a space between each pair of its tokens), each
//! layout run in `pcall` by `aolite lua` and by `lua5.3`, and the printed results compared
//! (the `chunk:line:` of the error is what differs when a position is wrong).
//!
//!     cargo build --release
//!     cargo run --release --example line_layouts -- --per 64 --seed 1 --out layouts-out
//!
//! Options: `--per N` layouts per statement (default 64; every layout when the statement has
//! few enough gaps), `--seed S`, `--out DIR` (each statement's differing layouts, with both
//! outputs), `--aolite PATH` (default `target/release/aolite`), `--lua PATH` (default
//! `lua5.3`, or `$AOLITE_LUA53`). Exits with status 1 when a layout differs.

use std::path::PathBuf;
use std::process::Command;

/// What every statement can use: nil values, tables, a failing iterator.
const PRELUDE: &str = r#"local none
local t = { a = {}, s = "x", n = 1 }
local k = "k"
local function it() error("in iterator") end
local function id(...) return ... end
"#;

/// The statements, their tokens separated by spaces (a token never contains one).
const STATEMENTS: &[&str] = &[
    // Calls: on the line of the called expression's first token.
    "print ( none ( ) )",
    "print ( 1 , none ( ) )",
    "id ( id ( none ( ) ) )",
    "none ( 1 , 2 )",
    "t . a . b ( )",
    "t . a : m ( )",
    "t : nomethod ( )",
    "local x = t . a . b ( 1 )",
    "local x = ( none ) ( )",
    "local x = id ( 1 ) ( )",
    "local x = { x = none ( ) }",
    "local x = { none ( ) }",
    "local x = { 1 , none ( ) , 3 }",
    "return none ( )",
    "return 1 , none ( )",
    "local x = 1 + none ( )",
    "if none ( ) then end",
    // Reads: when Lua emits them (after the read, or after the token that follows it).
    "local x = { none . x }",
    "local x = { none . x , 2 }",
    "local x = { none [ k ] }",
    "local x = { none [ 'k' ] ; }",
    "local x = { y = none . x }",
    "print ( none . x )",
    "print ( none . x , 1 )",
    "print ( none [ k ] )",
    "id ( t . a . b . c )",
    "local x = ( none . x )",
    "local x , y = none . x , 1",
    "local x , y = 1 , none . x",
    "local x = none . x",
    "return none . x , 1",
    "return 1 , none . x",
    "local x = none . x + 1",
    "local x = 1 + none . x",
    "local x = none . x .. 'a'",
    "local x = 'a' .. none . x .. 'b'",
    "local x = none . x and 1",
    "local x = none . x == 1",
    "local x = - none . x",
    "local x = t . a . b . c",
    "local x = t [ k ] [ k ]",
    "local x = none . x : m ( )",
    "if none . x then end",
    "while none . x do end",
    "x = none . x",
    "t . a . b . c = 1",
    // Operators on nil operands.
    "local x = t . a . b + 1",
    "local x = 1 + t . a . b",
    "local x = t . s .. t . a . b",
    "local x = t . n < t . s",
    // Numeric `for`: its values are checked at the `do`.
    "for i = none , 10 do end",
    "for i = 1 , none do end",
    "for i = 1 , 10 , none do end",
    "for i = t . s , 10 do end",
    "for i = 1 , t . a do end",
    // Generic `for`: the iterator is called on the line of the token after `in`.
    "for k , v in none do end",
    "for k , v in 5 do end",
    "for k , v in it do end",
    "for k , v in it , nil , nil do end",
    "for k in none , 1 do local y = 1 end",
    // More shapes.
    "if false then elseif none . x then end",
    "repeat local y = 1 until none . x",
    "while none ( ) do end",
    "local x = { none : m ( ) }",
    "local x = { t : nomethod ( ) , 1 }",
    "t : nomethod ( 1 , 2 )",
    "local x = none ( ) . y",
    "local x = id ( ) . y",
    "local x = none . x ( )",
    "none 'x'",
    "none { }",
    "error ( 'x' )",
    "print ( 1 , error ( 'x' ) )",
    "local x = string . rep ( )",
    "print ( string . rep ( ) )",
    "local x = { a = string . rep ( ) }",
    "local x = { string . rep ( ) }",
    "local x = tostring ( 1 ) .. string . format ( '%d' , 'x' )",
    "return string . rep ( )",
    "local x = ( string . rep ) ( )",
    "local x = setmetatable ( 1 , 2 )",
    "local x = # none",
    "local x = # t . a . b",
    "local x = ( t . a ) . b . c",
    "return t . a . b . c",
    "local x = 1 + t . s",
    "local x = - t . s",
    "local x = t . s .. { }",
    "local x = t . n .. none . x",
    "t . a . b . c = none . x",
    "t [ none ] = 1",
    "t . a . b , t . c = 1 , 2",
    "local x = none < 1",
    "local x = t . a < 1",
    "local x = t . a . b [ 1 ]",
    "local x = t [ 1 ] [ 2 ]",
    "local x = { f = function ( ) end , none . x }",
    "local x = { 'a' , 'b' , none . x ; }",
    "local x = { none . x , none . y }",
    "local x = { id ( 1 ) , none ( ) }",
    "print ( 'a' , t . a . b . c , 'b' )",
    "local x = t . n + t . s * 2",
    "local x = t . a . b == 1 and 2",
    "local x = not t . a . b . c",
    // Method calls: the receiver indexed at the method's name, the method called where the
    // expression starts.
    "local x = t : nomethod ( )",
    "local x = none : m ( )",
    "print ( t : nomethod ( ) )",
    "local x = t . a : m ( 1 )",
    "local x = ( 'x' ) : rep ( { } )",
    "local x = { t . s : rep ( { } ) }",
    "local x = id ( t ) : nomethod ( )",
    // Stores: after the value (a constructor's `}`, a function's `end`); a function
    // statement at its `function`.
    "t . a . b = { 1 , 2 }",
    "t . a . b = { x = { } }",
    "t . a . b = function ( ) return 1 end",
    "t . a . b [ k ] = function ( x ) if x then return 1 end end",
    "function none . f ( a ) local b = a return b end",
    "function t . a . b . f ( ) end",
    "function none : m ( a ) return a end",
    // Stores whose values end in tokens of no identity: at the value list's last token.
    "none . x = t . n + 1",
    "none . x , none . y = t . n , 2 * 3",
    "none [ t . n ] = - 1",
    "none . x = ( t . n + 1 ) * 2",
    "none . x = id ( t . n , 1 )",
    // A constructor's nil or NaN key: at the field's last token, found by counting the
    // source's constructors and their items when no name or string tells.
    "local x = { { } , [ 0 / 0 ] = 1 + 2 }",
    "local x = { 1 , { 2 } ; [ nil ] = 3 }",
    "local x = { a = { [ 0 / 0 ] = ( 1 ) } }",
    "local x = { [ none ] = - 1 , 2 }",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// The layouts of `tokens`: `per` of them, each a choice of a line break or a space for
/// each gap (all of them when there are at most `per`), the one-line layout first.
fn layouts(tokens: &[&str], per: usize, rng: &mut Rng) -> Vec<String> {
    let gaps = tokens.len().saturating_sub(1);
    let all = if gaps < 20 {
        1usize << gaps
    } else {
        usize::MAX
    };
    let masks: Vec<u64> = if all <= per {
        (0..all as u64).collect()
    } else {
        let mut m = vec![0, (1u64 << gaps) - 1];
        while m.len() < per {
            let v = rng.next() & ((1u64 << gaps) - 1);
            if !m.contains(&v) {
                m.push(v);
            }
        }
        m
    };
    masks
        .iter()
        .map(|mask| {
            let mut s = String::from(tokens[0]);
            for (i, t) in tokens[1..].iter().enumerate() {
                s.push(if mask >> i & 1 == 1 { '\n' } else { ' ' });
                s.push_str(t);
            }
            s
        })
        .collect()
}

fn run(cmd: &str, args: &[&str], file: &PathBuf) -> Result<String, String> {
    let out = Command::new(cmd)
        .args(args)
        .arg(file)
        .output()
        .map_err(|e| format!("{cmd}: {e}"))?;
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn main() {
    if let Err(e) = real_main() {
        eprintln!("line_layouts: {e}");
        std::process::exit(2);
    }
}

fn real_main() -> Result<(), String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut per = 64usize;
    let mut seed = 1u64;
    let mut out_dir = root.join("layouts-out");
    let mut aolite = root.join("target/release/aolite");
    let mut lua = std::env::var("AOLITE_LUA53").unwrap_or_else(|_| "lua5.3".into());
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--per" => per = val()?.parse().map_err(|e| format!("--per: {e}"))?,
            "--seed" => seed = val()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--out" => out_dir = PathBuf::from(val()?),
            "--aolite" => aolite = PathBuf::from(val()?),
            "--lua" => lua = val()?,
            other => return Err(format!("unknown option {other}")),
        }
    }
    std::fs::create_dir_all(&out_dir).map_err(|e| e.to_string())?;
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let aolite = aolite.to_string_lossy().into_owned();
    let (mut agree, mut total) = (0usize, 0usize);
    for (n, statement) in STATEMENTS.iter().enumerate() {
        let tokens: Vec<&str> = statement.split(' ').collect();
        let layouts = layouts(&tokens, per, &mut rng);
        let mut program = String::from(PRELUDE);
        for l in &layouts {
            program.push_str("print(pcall(function()\n");
            program.push_str(l);
            program.push_str("\nend))\n");
        }
        let file = out_dir.join(format!("s{n}.lua"));
        std::fs::write(&file, &program).map_err(|e| e.to_string())?;
        let ours = run(&aolite, &["lua"], &file)?;
        let theirs = run(&lua, &[], &file)?;
        let (ours, theirs): (Vec<&str>, Vec<&str>) =
            (ours.lines().collect(), theirs.lines().collect());
        let mut differ = Vec::new();
        for (i, l) in layouts.iter().enumerate() {
            let (a, b) = (ours.get(i).copied(), theirs.get(i).copied());
            if a == b {
                agree += 1;
            } else {
                differ.push(format!(
                    "-- layout {i}:\n{l}\n-- lua5.3: {}\n-- aolite: {}\n",
                    b.unwrap_or("<none>"),
                    a.unwrap_or("<none>")
                ));
            }
            total += 1;
        }
        println!(
            "{:>4}/{:<4} {statement}",
            layouts.len() - differ.len(),
            layouts.len()
        );
        if differ.is_empty() {
            let _ = std::fs::remove_file(&file);
        } else {
            let report = out_dir.join(format!("s{n}.txt"));
            std::fs::write(&report, differ.concat()).map_err(|e| e.to_string())?;
        }
    }
    println!("{agree} of {total} layouts agree");
    if agree != total {
        std::process::exit(1);
    }
    Ok(())
}
