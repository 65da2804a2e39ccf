//! Lua 5.3's syntax errors, word for word. piccolo's parser words its errors its own way
//! (`found "Mul", expected ...`) and without the token text Lua shows after `near`, so when
//! compiling fails, this checker reads the source again as PUC Lua 5.3's parser does and
//! reports the first error Lua would: the same message, the same `near` token, the same line.
//!
//! It runs only on the failure path (and for the rare source whose numerals piccolo's lexer
//! splits where Lua's rejects them, see [`may_hide_error`]), so successful compiles cost
//! nothing. It builds no tree: it follows Lua's grammar and keeps only what Lua's errors
//! depend on (active locals and upvalues by name, labels and pending gotos, vararg functions,
//! nesting depth).

#[path = "syntax_lexer.rs"]
mod lexer;

pub use lexer::Fail;
use lexer::{Lexer, Token, R, T};

use crate::error::Error;

/// Lua's limits that its parser reports (`MAXVARS`, `MAXUPVAL`, `LUAI_MAXCCALLS`).
const MAX_VARS: usize = 200;
const MAX_UPVALUES: usize = 255;
const MAX_C_LEVELS: usize = 200;
/// The nesting levels already used when `lua5.3 file.lua` parses its file.
const BASE_C_LEVELS: usize = 1;

/// The result of compiling `source`, with a syntax error worded as Lua 5.3 words it.
///
/// On a syntax error, the checker's error replaces the pipeline's when it finds one (when it
/// does not, piccolo rejected something Lua accepts, and its message is kept). A successful
/// compile is checked only when piccolo may have accepted what Lua rejects.
pub fn lua_wording<T>(
    compiled: Result<T, Error>,
    chunk_name: &str,
    source: &[u8],
) -> Result<T, Error> {
    let reworded =
        |fail: Fail| Error::Syntax(format!("{chunk_name}:{}: {}", fail.line, fail.message));
    match compiled {
        Err(Error::Syntax(text)) => Err(check(source).map_or(Error::Syntax(text), reworded)),
        Ok(value) if may_hide_error(source) => match check(source) {
            Some(fail) => Err(reworded(fail)),
            None => Ok(value),
        },
        other => other,
    }
}

/// The first syntax error Lua 5.3 finds in `source`, if any.
pub fn check(source: &[u8]) -> Option<Fail> {
    let mut p = Parser {
        lx: Lexer::new(source),
        t: Token {
            t: T::Eos,
            text: Vec::new(),
        },
        ahead: None,
        levels: BASE_C_LEVELS,
        funcs: Vec::new(),
        actvar: Vec::new(),
        actvar_n: 0,
        gotos: Vec::new(),
        labels: Vec::new(),
    };
    p.main().err()
}

/// Whether piccolo may have accepted `source` where Lua rejects it: a numeral Lua's scanner
/// reads further than piccolo's and then rejects (`1do`, `0x`, `3and`), or a `\u{}` escape with
/// no digits or with enough digits to overflow piccolo's reading. A quick pass that skips
/// names, strings and comments; it runs on every successful compile, and the checker runs
/// only when it answers yes.
pub fn may_hide_error(s: &[u8]) -> bool {
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        if c.is_ascii_alphabetic() || c == b'_' {
            i += s[i..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                .count();
        } else if c.is_ascii_digit() || (c == b'.' && s.get(i + 1).is_some_and(u8::is_ascii_digit))
        {
            let end = lexer::numeral_end(s, i);
            if !lexer::valid_numeral(&s[i..end]) {
                return true;
            }
            i = end;
        } else if c == b'.' {
            i += s[i..].iter().take_while(|&&c| c == b'.').count();
        } else if c == b'-' && s.get(i + 1) == Some(&b'-') {
            i += 2;
            match long_bracket(&s[i..]) {
                Some((open, level)) => i = long_close(s, i + open, level),
                None => {
                    i += s[i..]
                        .iter()
                        .take_while(|&&c| c != b'\n' && c != b'\r')
                        .count()
                }
            }
        } else if let Some((open, level)) = long_bracket(&s[i..]) {
            i = long_close(s, i + open, level);
        } else if c == b'"' || c == b'\'' {
            i += 1;
            while i < s.len() && s[i] != c && s[i] != b'\n' && s[i] != b'\r' {
                if s[i] == b'\\' {
                    if s[i + 1..].starts_with(b"u{") {
                        let digits = s[i + 3..]
                            .iter()
                            .take_while(|c| c.is_ascii_hexdigit())
                            .count();
                        if digits == 0 || digits > 8 {
                            return true;
                        }
                    }
                    i += 1;
                }
                i += 1;
            }
            i += 1;
        } else {
            i += 1;
        }
    }
    false
}

/// The length of a long bracket `[==[` opening `s`, and its level.
fn long_bracket(s: &[u8]) -> Option<(usize, usize)> {
    if s.first() != Some(&b'[') {
        return None;
    }
    let level = s[1..].iter().take_while(|&&c| c == b'=').count();
    (s.get(1 + level) == Some(&b'[')).then_some((level + 2, level))
}

/// The index just past the `]==]` of `level` closing a long bracket, searching from `from`.
fn long_close(s: &[u8], from: usize, level: usize) -> usize {
    let mut i = from;
    while let Some(at) = s[i..].iter().position(|&c| c == b']') {
        i += at + 1;
        let equals = s[i..].iter().take_while(|&&c| c == b'=').count();
        if equals == level && s.get(i + level) == Some(&b']') {
            return i + level + 1;
        }
    }
    s.len()
}

/// What an expression is, as far as Lua's statement rules care.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Exp {
    /// A variable: a name or an indexed expression (may be assigned to).
    Var,
    /// A function call (may stand as a statement).
    Call,
    Other,
}

/// A name resolved as Lua's parser does.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    Global,
    Local,
    Upvalue,
}

#[derive(Clone, Copy)]
enum BinOp {
    Add,
    Sub,
    Mul,
    Mod,
    Pow,
    Div,
    Idiv,
    Band,
    Bor,
    Bxor,
    Shl,
    Shr,
    Concat,
    Compare,
    And,
    Or,
}

impl BinOp {
    fn of(t: T) -> Option<BinOp> {
        Some(match t {
            T::Char(b'+') => BinOp::Add,
            T::Char(b'-') => BinOp::Sub,
            T::Char(b'*') => BinOp::Mul,
            T::Char(b'%') => BinOp::Mod,
            T::Char(b'^') => BinOp::Pow,
            T::Char(b'/') => BinOp::Div,
            T::Idiv => BinOp::Idiv,
            T::Char(b'&') => BinOp::Band,
            T::Char(b'|') => BinOp::Bor,
            T::Char(b'~') => BinOp::Bxor,
            T::Shl => BinOp::Shl,
            T::Shr => BinOp::Shr,
            T::Concat => BinOp::Concat,
            T::Ne | T::Eq | T::Char(b'<') | T::Le | T::Char(b'>') | T::Ge => BinOp::Compare,
            T::And => BinOp::And,
            T::Or => BinOp::Or,
            _ => return None,
        })
    }

    /// Left and right priorities, as in Lua's table.
    fn priority(self) -> (u8, u8) {
        match self {
            BinOp::Add | BinOp::Sub => (10, 10),
            BinOp::Mul | BinOp::Mod | BinOp::Div | BinOp::Idiv => (11, 11),
            BinOp::Pow => (14, 13),
            BinOp::Band => (6, 6),
            BinOp::Bor => (4, 4),
            BinOp::Bxor => (5, 5),
            BinOp::Shl | BinOp::Shr => (7, 7),
            BinOp::Concat => (9, 8),
            BinOp::Compare => (3, 3),
            BinOp::And => (2, 2),
            BinOp::Or => (1, 1),
        }
    }
}

const UNARY_PRIORITY: u8 = 12;

fn is_unary(t: T) -> bool {
    matches!(t, T::Not | T::Char(b'-') | T::Char(b'~') | T::Char(b'#'))
}

struct Block {
    is_loop: bool,
    /// Active locals of the function when the block began.
    nactvar: usize,
    first_label: usize,
    first_goto: usize,
}

static NO_FUNC: Func = Func {
    line: 0,
    vararg: true,
    first_local: 0,
    nactvar: 0,
    blocks: Vec::new(),
    upvalues: Vec::new(),
};

static NO_BLOCK: Block = Block {
    is_loop: false,
    nactvar: 0,
    first_label: 0,
    first_goto: 0,
};

struct Func {
    /// The line of the definition; 0 for the main chunk.
    line: u64,
    vararg: bool,
    /// Where this function's locals begin in the parser's list.
    first_local: usize,
    nactvar: usize,
    blocks: Vec<Block>,
    upvalues: Vec<Vec<u8>>,
}

struct Label {
    name: Vec<u8>,
    line: u64,
    nactvar: usize,
}

/// The name Lua gives the label a `break` jumps to; no `goto` can name it.
const BREAK: &[u8] = b"break";

struct Parser<'a> {
    lx: Lexer<'a>,
    t: Token,
    ahead: Option<Token>,
    levels: usize,
    funcs: Vec<Func>,
    /// Declared locals of all open functions; entries past `actvar_n` are stale but kept, as
    /// in Lua, whose "jumps into the scope" message can name one.
    actvar: Vec<Vec<u8>>,
    actvar_n: usize,
    gotos: Vec<Label>,
    labels: Vec<Label>,
}

impl Parser<'_> {
    // ---- tokens and errors ----

    fn next(&mut self) -> R<()> {
        self.t = match self.ahead.take() {
            Some(t) => t,
            None => self.lx.token()?,
        };
        Ok(())
    }

    fn lookahead(&mut self) -> R<T> {
        let t = self.lx.token()?;
        let kind = t.t;
        self.ahead = Some(t);
        Ok(kind)
    }

    fn syntax_error<X>(&self, message: &str) -> R<X> {
        Err(Fail {
            line: self.lx.line,
            message: match self.t.near() {
                Some(near) => format!("{message} near {near}"),
                None => message.to_owned(),
            },
        })
    }

    /// An error without a `near` part.
    fn semantic_error<X>(&self, message: String) -> R<X> {
        Err(Fail {
            line: self.lx.line,
            message,
        })
    }

    fn error_expected<X>(&self, t: T) -> R<X> {
        self.syntax_error(&format!("{} expected", t.describe()))
    }

    fn test_next(&mut self, t: T) -> R<bool> {
        if self.t.t == t {
            self.next()?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    fn check(&self, t: T) -> R<()> {
        if self.t.t != t {
            return self.error_expected(t);
        }
        Ok(())
    }

    fn check_next(&mut self, t: T) -> R<()> {
        self.check(t)?;
        self.next()
    }

    fn check_match(&mut self, what: T, who: T, line: u64) -> R<()> {
        if self.test_next(what)? {
            return Ok(());
        }
        if line == self.lx.line {
            self.error_expected(what)
        } else {
            self.syntax_error(&format!(
                "{} expected (to close {} at line {line})",
                what.describe(),
                who.describe()
            ))
        }
    }

    fn check_name(&mut self) -> R<Vec<u8>> {
        self.check(T::Name)?;
        let name = std::mem::take(&mut self.t.text);
        self.next()?;
        Ok(name)
    }

    fn func(&self) -> &Func {
        // A function is always open while parsing; the empty one only stands in.
        self.funcs.last().unwrap_or(&NO_FUNC)
    }

    fn func_mut(&mut self) -> &mut Func {
        if self.funcs.is_empty() {
            self.funcs.push(Func {
                line: 0,
                vararg: true,
                first_local: 0,
                nactvar: 0,
                blocks: Vec::new(),
                upvalues: Vec::new(),
            });
        }
        let last = self.funcs.len() - 1;
        &mut self.funcs[last]
    }

    fn check_limit(&self, value: usize, limit: usize, what: &str) -> R<()> {
        if value <= limit {
            return Ok(());
        }
        let line = self.func().line;
        let place = if line == 0 {
            "main function".to_owned()
        } else {
            format!("function at line {line}")
        };
        self.syntax_error(&format!("too many {what} (limit is {limit}) in {place}"))
    }

    fn enter_level(&mut self) -> R<()> {
        self.levels += 1;
        self.check_limit(self.levels, MAX_C_LEVELS, "C levels")
    }

    fn leave_level(&mut self) {
        self.levels = self.levels.saturating_sub(1);
    }

    // ---- variables ----

    fn new_local(&mut self, name: Vec<u8>) -> R<()> {
        let count = self.actvar_n + 1 - self.func().first_local;
        self.check_limit(count, MAX_VARS, "local variables")?;
        if self.actvar.len() > self.actvar_n {
            self.actvar[self.actvar_n] = name;
        } else {
            self.actvar.push(name);
        }
        self.actvar_n += 1;
        Ok(())
    }

    fn activate_locals(&mut self, n: usize) {
        self.func_mut().nactvar += n;
    }

    fn local_name(&self, func: usize, i: usize) -> &[u8] {
        self.actvar
            .get(self.funcs[func].first_local + i)
            .map_or(&b"?"[..], Vec::as_slice)
    }

    fn resolve(&mut self, func: Option<usize>, name: &[u8]) -> R<Scope> {
        let Some(f) = func else {
            return Ok(Scope::Global);
        };
        if (0..self.funcs[f].nactvar)
            .rev()
            .any(|i| self.local_name(f, i) == name)
        {
            return Ok(Scope::Local);
        }
        if self.funcs[f].upvalues.iter().any(|u| u == name) {
            return Ok(Scope::Upvalue);
        }
        if self.resolve(f.checked_sub(1), name)? == Scope::Global {
            return Ok(Scope::Global);
        }
        let count = self.funcs[f].upvalues.len() + 1;
        if count > MAX_UPVALUES {
            let line = self.funcs[f].line;
            let place = if line == 0 {
                "main function".to_owned()
            } else {
                format!("function at line {line}")
            };
            return self.syntax_error(&format!(
                "too many upvalues (limit is {MAX_UPVALUES}) in {place}"
            ));
        }
        self.funcs[f].upvalues.push(name.to_vec());
        Ok(Scope::Upvalue)
    }

    fn single_var(&mut self) -> R<()> {
        let name = self.check_name()?;
        let top = Some(self.funcs.len() - 1);
        if self.resolve(top, &name)? == Scope::Global {
            self.resolve(top, b"_ENV")?;
        }
        Ok(())
    }

    // ---- blocks, labels and gotos ----

    fn open_func(&mut self, line: u64, vararg: bool) {
        self.funcs.push(Func {
            line,
            vararg,
            first_local: self.actvar_n,
            nactvar: 0,
            blocks: Vec::new(),
            upvalues: Vec::new(),
        });
        self.enter_block(false);
    }

    fn close_func(&mut self) -> R<()> {
        self.leave_block()?;
        self.funcs.pop();
        Ok(())
    }

    fn enter_block(&mut self, is_loop: bool) {
        let block = Block {
            is_loop,
            nactvar: self.func().nactvar,
            first_label: self.labels.len(),
            first_goto: self.gotos.len(),
        };
        self.func_mut().blocks.push(block);
    }

    fn block(&self) -> &Block {
        // A block is always open while parsing; the empty one only stands in.
        self.func().blocks.last().unwrap_or(&NO_BLOCK)
    }

    fn leave_block(&mut self) -> R<()> {
        if self.block().is_loop {
            let nactvar = self.func().nactvar;
            self.labels.push(Label {
                name: BREAK.to_vec(),
                line: 0,
                nactvar,
            });
            self.find_gotos(self.labels.len() - 1)?;
        }
        let Some(block) = self.func_mut().blocks.pop() else {
            return Ok(());
        };
        let nactvar = self.func().nactvar;
        self.actvar_n = self
            .actvar_n
            .saturating_sub(nactvar.saturating_sub(block.nactvar));
        self.func_mut().nactvar = block.nactvar;
        self.labels.truncate(block.first_label);
        if !self.func().blocks.is_empty() {
            let mut i = block.first_goto;
            while i < self.gotos.len() {
                if self.gotos[i].nactvar > block.nactvar {
                    self.gotos[i].nactvar = block.nactvar;
                }
                if !self.find_label(i)? {
                    i += 1;
                }
            }
        } else if let Some(goto) = self.gotos.get(block.first_goto) {
            let name = String::from_utf8_lossy(&goto.name);
            let message = if goto.name == BREAK {
                format!("<{name}> at line {} not inside a loop", goto.line)
            } else {
                format!("no visible label '{name}' for <goto> at line {}", goto.line)
            };
            return self.semantic_error(message);
        }
        Ok(())
    }

    /// Resolves pending goto `g` against a label of the current block (a backward jump).
    fn find_label(&mut self, g: usize) -> R<bool> {
        let first = self.block().first_label;
        match (first..self.labels.len()).find(|&l| self.labels[l].name == self.gotos[g].name) {
            Some(l) => {
                self.close_goto(g, l)?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Resolves the pending gotos of the current block that jump to label `l`.
    fn find_gotos(&mut self, l: usize) -> R<()> {
        let mut i = self.block().first_goto;
        while i < self.gotos.len() {
            if self.gotos[i].name == self.labels[l].name {
                self.close_goto(i, l)?;
            } else {
                i += 1;
            }
        }
        Ok(())
    }

    fn close_goto(&mut self, g: usize, l: usize) -> R<()> {
        let goto = &self.gotos[g];
        if goto.nactvar < self.labels[l].nactvar {
            let local = self.local_name(self.funcs.len() - 1, goto.nactvar);
            let message = format!(
                "<goto {}> at line {} jumps into the scope of local '{}'",
                String::from_utf8_lossy(&goto.name),
                goto.line,
                String::from_utf8_lossy(local)
            );
            return self.semantic_error(message);
        }
        self.gotos.remove(g);
        Ok(())
    }

    // ---- grammar ----

    fn main(&mut self) -> R<()> {
        self.open_func(0, true);
        self.func_mut().upvalues.push(b"_ENV".to_vec());
        self.next()?;
        self.statlist()?;
        self.check(T::Eos)?;
        self.close_func()
    }

    fn block_follow(&self, with_until: bool) -> bool {
        match self.t.t {
            T::Else | T::Elseif | T::End | T::Eos => true,
            T::Until => with_until,
            _ => false,
        }
    }

    fn statlist(&mut self) -> R<()> {
        while !self.block_follow(true) {
            if self.t.t == T::Return {
                return self.statement();
            }
            self.statement()?;
        }
        Ok(())
    }

    fn field_sel(&mut self) -> R<()> {
        self.next()?;
        self.check_name().map(drop)
    }

    fn index(&mut self) -> R<()> {
        self.next()?;
        self.expr()?;
        self.check_next(T::Char(b']'))
    }

    fn constructor(&mut self) -> R<()> {
        let line = self.lx.line;
        self.check_next(T::Char(b'{'))?;
        loop {
            if self.t.t == T::Char(b'}') {
                break;
            }
            self.field()?;
            if !(self.test_next(T::Char(b','))? || self.test_next(T::Char(b';'))?) {
                break;
            }
        }
        self.check_match(T::Char(b'}'), T::Char(b'{'), line)
    }

    fn field(&mut self) -> R<()> {
        match self.t.t {
            T::Name => {
                if self.lookahead()? != T::Char(b'=') {
                    self.expr().map(drop)
                } else {
                    self.check_name()?;
                    self.check_next(T::Char(b'='))?;
                    self.expr().map(drop)
                }
            }
            T::Char(b'[') => {
                self.index()?;
                self.check_next(T::Char(b'='))?;
                self.expr().map(drop)
            }
            _ => self.expr().map(drop),
        }
    }

    fn parlist(&mut self) -> R<()> {
        let mut params = 0;
        self.func_mut().vararg = false;
        if self.t.t != T::Char(b')') {
            loop {
                match self.t.t {
                    T::Name => {
                        let name = self.check_name()?;
                        self.new_local(name)?;
                        params += 1;
                    }
                    T::Dots => {
                        self.next()?;
                        self.func_mut().vararg = true;
                    }
                    _ => return self.syntax_error("<name> or '...' expected"),
                }
                if self.func().vararg || !self.test_next(T::Char(b','))? {
                    break;
                }
            }
        }
        self.activate_locals(params);
        Ok(())
    }

    fn body(&mut self, method: bool, line: u64) -> R<()> {
        self.open_func(line, false);
        self.check_next(T::Char(b'('))?;
        if method {
            self.new_local(b"self".to_vec())?;
            self.activate_locals(1);
        }
        self.parlist()?;
        self.check_next(T::Char(b')'))?;
        self.statlist()?;
        self.check_match(T::End, T::Function, line)?;
        self.close_func()
    }

    fn explist(&mut self) -> R<()> {
        self.expr()?;
        while self.test_next(T::Char(b','))? {
            self.expr()?;
        }
        Ok(())
    }

    fn funcargs(&mut self, line: u64) -> R<()> {
        match self.t.t {
            T::Char(b'(') => {
                self.next()?;
                if self.t.t != T::Char(b')') {
                    self.explist()?;
                }
                self.check_match(T::Char(b')'), T::Char(b'('), line)
            }
            T::Char(b'{') => self.constructor(),
            T::Str => self.next(),
            _ => self.syntax_error("function arguments expected"),
        }
    }

    fn primary_exp(&mut self) -> R<Exp> {
        match self.t.t {
            T::Char(b'(') => {
                let line = self.lx.line;
                self.next()?;
                self.expr()?;
                self.check_match(T::Char(b')'), T::Char(b'('), line)?;
                Ok(Exp::Other)
            }
            T::Name => {
                self.single_var()?;
                Ok(Exp::Var)
            }
            _ => self.syntax_error("unexpected symbol"),
        }
    }

    fn suffixed_exp(&mut self) -> R<Exp> {
        let line = self.lx.line;
        let mut e = self.primary_exp()?;
        loop {
            match self.t.t {
                T::Char(b'.') => {
                    self.field_sel()?;
                    e = Exp::Var;
                }
                T::Char(b'[') => {
                    self.index()?;
                    e = Exp::Var;
                }
                T::Char(b':') => {
                    self.next()?;
                    self.check_name()?;
                    self.funcargs(line)?;
                    e = Exp::Call;
                }
                T::Char(b'(') | T::Str | T::Char(b'{') => {
                    self.funcargs(line)?;
                    e = Exp::Call;
                }
                _ => return Ok(e),
            }
        }
    }

    fn simple_exp(&mut self) -> R<()> {
        match self.t.t {
            T::Flt | T::Int | T::Str | T::Nil | T::True | T::False => self.next(),
            T::Dots => {
                if !self.func().vararg {
                    return self.syntax_error("cannot use '...' outside a vararg function");
                }
                self.next()
            }
            T::Char(b'{') => self.constructor(),
            T::Function => {
                self.next()?;
                self.body(false, self.lx.line)
            }
            _ => self.suffixed_exp().map(drop),
        }
    }

    /// An expression whose binary operators bind tighter than `limit`; gives the first
    /// operator it left.
    fn subexpr(&mut self, limit: u8) -> R<Option<BinOp>> {
        self.enter_level()?;
        if is_unary(self.t.t) {
            self.next()?;
            self.subexpr(UNARY_PRIORITY)?;
        } else {
            self.simple_exp()?;
        }
        let mut op = BinOp::of(self.t.t);
        while let Some(o) = op {
            let (left, right) = o.priority();
            if left <= limit {
                break;
            }
            self.next()?;
            op = self.subexpr(right)?;
        }
        self.leave_level();
        Ok(op)
    }

    fn expr(&mut self) -> R<()> {
        self.subexpr(0).map(drop)
    }

    fn block_stat(&mut self) -> R<()> {
        self.enter_block(false);
        self.statlist()?;
        self.leave_block()
    }

    fn assignment(&mut self, target: Exp, nvars: usize) -> R<()> {
        if target != Exp::Var {
            return self.syntax_error("syntax error");
        }
        if self.test_next(T::Char(b','))? {
            let next = self.suffixed_exp()?;
            self.check_limit(nvars + self.levels, MAX_C_LEVELS, "C levels")?;
            self.assignment(next, nvars + 1)
        } else {
            self.check_next(T::Char(b'='))?;
            self.explist()
        }
    }

    fn goto_stat(&mut self) -> R<()> {
        let line = self.lx.line;
        let name = if self.test_next(T::Goto)? {
            self.check_name()?
        } else {
            self.next()?;
            BREAK.to_vec()
        };
        let nactvar = self.func().nactvar;
        self.gotos.push(Label {
            name,
            line,
            nactvar,
        });
        self.find_label(self.gotos.len() - 1).map(drop)
    }

    fn label_stat(&mut self, name: Vec<u8>, line: u64) -> R<()> {
        let first = self.block().first_label;
        if let Some(l) = self.labels[first..].iter().find(|l| l.name == name) {
            let message = format!(
                "label '{}' already defined on line {}",
                String::from_utf8_lossy(&name),
                l.line
            );
            return self.semantic_error(message);
        }
        self.check_next(T::DbColon)?;
        let nactvar = self.func().nactvar;
        self.labels.push(Label {
            name,
            line,
            nactvar,
        });
        let l = self.labels.len() - 1;
        while matches!(self.t.t, T::Char(b';') | T::DbColon) {
            self.statement()?;
        }
        if self.block_follow(false) {
            self.labels[l].nactvar = self.block().nactvar;
        }
        self.find_gotos(l)
    }

    fn while_stat(&mut self, line: u64) -> R<()> {
        self.next()?;
        self.expr()?;
        self.enter_block(true);
        self.check_next(T::Do)?;
        self.block_stat()?;
        self.check_match(T::End, T::While, line)?;
        self.leave_block()
    }

    fn repeat_stat(&mut self, line: u64) -> R<()> {
        self.enter_block(true);
        self.enter_block(false);
        self.next()?;
        self.statlist()?;
        self.check_match(T::Until, T::Repeat, line)?;
        self.expr()?;
        self.leave_block()?;
        self.leave_block()
    }

    fn for_body(&mut self, nvars: usize) -> R<()> {
        self.activate_locals(3);
        self.check_next(T::Do)?;
        self.enter_block(false);
        self.activate_locals(nvars);
        self.block_stat()?;
        self.leave_block()
    }

    fn for_num(&mut self, name: Vec<u8>) -> R<()> {
        for hidden in [&b"(for index)"[..], b"(for limit)", b"(for step)"] {
            self.new_local(hidden.to_vec())?;
        }
        self.new_local(name)?;
        self.check_next(T::Char(b'='))?;
        self.expr()?;
        self.check_next(T::Char(b','))?;
        self.expr()?;
        if self.test_next(T::Char(b','))? {
            self.expr()?;
        }
        self.for_body(1)
    }

    fn for_list(&mut self, name: Vec<u8>) -> R<()> {
        for hidden in [&b"(for generator)"[..], b"(for state)", b"(for control)"] {
            self.new_local(hidden.to_vec())?;
        }
        self.new_local(name)?;
        let mut nvars = 1;
        while self.test_next(T::Char(b','))? {
            let name = self.check_name()?;
            self.new_local(name)?;
            nvars += 1;
        }
        self.check_next(T::In)?;
        self.explist()?;
        self.for_body(nvars)
    }

    fn for_stat(&mut self, line: u64) -> R<()> {
        self.enter_block(true);
        self.next()?;
        let name = self.check_name()?;
        match self.t.t {
            T::Char(b'=') => self.for_num(name)?,
            T::Char(b',') | T::In => self.for_list(name)?,
            _ => return self.syntax_error("'=' or 'in' expected"),
        }
        self.check_match(T::End, T::For, line)?;
        self.leave_block()
    }

    fn test_then_block(&mut self) -> R<()> {
        self.next()?;
        self.expr()?;
        self.check_next(T::Then)?;
        if matches!(self.t.t, T::Goto | T::Break) {
            self.enter_block(false);
            self.goto_stat()?;
            while self.test_next(T::Char(b';'))? {}
            if self.block_follow(false) {
                return self.leave_block();
            }
        } else {
            self.enter_block(false);
        }
        self.statlist()?;
        self.leave_block()
    }

    fn if_stat(&mut self, line: u64) -> R<()> {
        self.test_then_block()?;
        while self.t.t == T::Elseif {
            self.test_then_block()?;
        }
        if self.test_next(T::Else)? {
            self.block_stat()?;
        }
        self.check_match(T::End, T::If, line)
    }

    fn local_func(&mut self) -> R<()> {
        let name = self.check_name()?;
        self.new_local(name)?;
        self.activate_locals(1);
        self.body(false, self.lx.line)
    }

    fn local_stat(&mut self) -> R<()> {
        let mut nvars = 0;
        loop {
            let name = self.check_name()?;
            self.new_local(name)?;
            nvars += 1;
            if !self.test_next(T::Char(b','))? {
                break;
            }
        }
        if self.test_next(T::Char(b'='))? {
            self.explist()?;
        }
        self.activate_locals(nvars);
        Ok(())
    }

    fn func_stat(&mut self, line: u64) -> R<()> {
        self.next()?;
        self.single_var()?;
        while self.t.t == T::Char(b'.') {
            self.field_sel()?;
        }
        let method = self.t.t == T::Char(b':');
        if method {
            self.field_sel()?;
        }
        self.body(method, line)
    }

    fn expr_stat(&mut self) -> R<()> {
        let e = self.suffixed_exp()?;
        if matches!(self.t.t, T::Char(b'=') | T::Char(b',')) {
            self.assignment(e, 1)
        } else if e != Exp::Call {
            self.syntax_error("syntax error")
        } else {
            Ok(())
        }
    }

    fn return_stat(&mut self) -> R<()> {
        if !(self.block_follow(true) || self.t.t == T::Char(b';')) {
            self.explist()?;
        }
        self.test_next(T::Char(b';')).map(drop)
    }

    fn statement(&mut self) -> R<()> {
        let line = self.lx.line;
        self.enter_level()?;
        match self.t.t {
            T::Char(b';') => self.next()?,
            T::If => self.if_stat(line)?,
            T::While => self.while_stat(line)?,
            T::Do => {
                self.next()?;
                self.block_stat()?;
                self.check_match(T::End, T::Do, line)?;
            }
            T::For => self.for_stat(line)?,
            T::Repeat => self.repeat_stat(line)?,
            T::Function => self.func_stat(line)?,
            T::Local => {
                self.next()?;
                if self.test_next(T::Function)? {
                    self.local_func()?;
                } else {
                    self.local_stat()?;
                }
            }
            T::DbColon => {
                self.next()?;
                let name = self.check_name()?;
                self.label_stat(name, line)?;
            }
            T::Return => {
                self.next()?;
                self.return_stat()?;
            }
            T::Break | T::Goto => self.goto_stat()?,
            _ => self.expr_stat()?,
        }
        self.leave_level();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(source: &str) -> Option<String> {
        check(source.as_bytes()).map(|f| format!("{}: {}", f.line, f.message))
    }

    #[test]
    fn valid_source_has_no_error() {
        for ok in [
            "x = 1",
            "local t = {1, 2; x = 3, [4] = 5,}",
            "for i = 1, 2 do break end",
            "goto l; ::l::",
            "local function f(...) return ... end",
            "a.b.c:d(1)'s'{}",
            "x = 0x1p4 + 1e5 + .5 + 3. + 0xA.8",
            "x = \"\\u{10FFFF}\\z  \n  \\65\\x41\"",
            "--[==[ comment ]==] x = [[\nlong]]",
            "repeat local x until x",
        ] {
            assert_eq!(message(ok), None, "{ok}");
        }
    }

    #[test]
    fn errors_have_lua_wording() {
        assert_eq!(
            message("x = = 1").as_deref(),
            Some("1: unexpected symbol near '='")
        );
        assert_eq!(
            message("t = {\n1\n").as_deref(),
            Some("3: '}' expected (to close '{' at line 1) near <eof>")
        );
        assert_eq!(
            message("x = 1do end").as_deref(),
            Some("1: malformed number near '1d'")
        );
        assert_eq!(
            message("break").as_deref(),
            Some("1: <break> at line 1 not inside a loop")
        );
    }

    #[test]
    fn suspicious_numerals_are_found_cheaply() {
        assert!(may_hide_error(b"if x == 1and y then end"));
        assert!(may_hide_error(b"x = 0x"));
        assert!(may_hide_error(b"x = '\\u{}'"));
        assert!(!may_hide_error(b"x = 0x10 + 1e5 + a1 + t.x1 + 1 .. 2 + .5"));
        assert!(!may_hide_error(
            b"v = '0.0.6' .. \"1..2\\\"3x\" -- 0.1.0\n--[==[ 2.0.4 ]] ]==] x = [[9a]]"
        ));
        assert!(may_hide_error(b"v = '' .. 0x"));
    }
}
