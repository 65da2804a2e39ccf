//! The lexer of the syntax checker (`syntax.rs`): reads tokens as PUC Lua 5.3's scanner does,
//! with the same line counting and the same error texts, and keeps for each token the text
//! Lua shows after `near` (a name or numeral as written, a string with its delimiters and its
//! escapes already decoded).

/// A token kind. The reserved words are in the order of Lua's token table.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum T {
    /// A single-byte token (`+`, `(`, `@`, ...).
    Char(u8),
    And,
    Break,
    Do,
    Else,
    Elseif,
    End,
    False,
    For,
    Function,
    Goto,
    If,
    In,
    Local,
    Nil,
    Not,
    Or,
    Repeat,
    Return,
    Then,
    True,
    Until,
    While,
    Idiv,
    Concat,
    Dots,
    Eq,
    Ge,
    Le,
    Ne,
    Shl,
    Shr,
    DbColon,
    Eos,
    Flt,
    Int,
    Name,
    Str,
}

const RESERVED: [(&[u8], T); 22] = [
    (b"and", T::And),
    (b"break", T::Break),
    (b"do", T::Do),
    (b"else", T::Else),
    (b"elseif", T::Elseif),
    (b"end", T::End),
    (b"false", T::False),
    (b"for", T::For),
    (b"function", T::Function),
    (b"goto", T::Goto),
    (b"if", T::If),
    (b"in", T::In),
    (b"local", T::Local),
    (b"nil", T::Nil),
    (b"not", T::Not),
    (b"or", T::Or),
    (b"repeat", T::Repeat),
    (b"return", T::Return),
    (b"then", T::Then),
    (b"true", T::True),
    (b"until", T::Until),
    (b"while", T::While),
];

impl T {
    /// How Lua names a token kind in messages (`'end'`, `'='`, `<name>`, `<eof>`).
    pub(super) fn describe(self) -> String {
        let fixed = |s: &str| format!("'{s}'");
        match self {
            // Lua shows a byte that is not printable ASCII by its code.
            T::Char(c @ 0x20..=0x7e) => format!("'{}'", char::from(c)),
            T::Char(c) => format!("'<\\{c}>'"),
            T::Idiv => fixed("//"),
            T::Concat => fixed(".."),
            T::Dots => fixed("..."),
            T::Eq => fixed("=="),
            T::Ge => fixed(">="),
            T::Le => fixed("<="),
            T::Ne => fixed("~="),
            T::Shl => fixed("<<"),
            T::Shr => fixed(">>"),
            T::DbColon => fixed("::"),
            T::Eos => "<eof>".into(),
            T::Flt => "<number>".into(),
            T::Int => "<integer>".into(),
            T::Name => "<name>".into(),
            T::Str => "<string>".into(),
            word => RESERVED
                .iter()
                .find(|(_, t)| *t == word)
                .map(|(text, _)| fixed(&String::from_utf8_lossy(text)))
                .unwrap_or_default(),
        }
    }
}

/// A token: its kind and, for names, strings and numerals, the text shown after `near`.
#[derive(Clone, Debug)]
pub(super) struct Token {
    pub t: T,
    pub text: Vec<u8>,
}

impl Token {
    fn new(t: T) -> Self {
        Token {
            t,
            text: Vec::new(),
        }
    }

    /// The token as Lua shows it after `near`; `None` for the byte 0, which Lua's message
    /// leaves without a `near` part.
    pub(super) fn near(&self) -> Option<String> {
        match self.t {
            T::Char(0) => None,
            T::Name | T::Str | T::Flt | T::Int => Some(quoted(&self.text)),
            t => Some(t.describe()),
        }
    }
}

/// Lua formats the text with `%s`, which ends at a zero byte.
fn quoted(text: &[u8]) -> String {
    let end = text.iter().position(|&b| b == 0).unwrap_or(text.len());
    format!("'{}'", String::from_utf8_lossy(&text[..end]))
}

/// A syntax error: Lua's line for it and its message (without the `chunk:line:` prefix).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fail {
    pub line: u64,
    pub message: String,
}

pub(super) type R<T> = Result<T, Fail>;

fn is_alpha(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn is_alnum(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

fn hex_value(c: u8) -> u32 {
    (c as char).to_digit(16).unwrap_or(0)
}

/// Whether `s` is a numeral Lua's `luaO_str2num` accepts (the lexer only hands it digits,
/// hex digits, `.`, `x`, exponent letters and signs).
pub(super) fn valid_numeral(s: &[u8]) -> bool {
    let (hex, body) = match s {
        [b'0', b'x' | b'X', rest @ ..] => (true, rest),
        _ => (false, s),
    };
    let digit = |c: &u8| {
        if hex {
            c.is_ascii_hexdigit()
        } else {
            c.is_ascii_digit()
        }
    };
    let int_part = body.iter().take_while(|c| digit(c)).count();
    let mut i = int_part;
    let mut digits = int_part;
    if body.get(i) == Some(&b'.') {
        i += 1;
        let frac = body[i..].iter().take_while(|c| digit(c)).count();
        i += frac;
        digits += frac;
    }
    if digits == 0 {
        return false;
    }
    let exponent: &[u8] = if hex { b"pP" } else { b"eE" };
    if body.get(i).is_some_and(|c| exponent.contains(c)) {
        i += 1;
        if matches!(body.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp_digits = body[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if exp_digits == 0 {
            return false;
        }
        i += exp_digits;
    }
    i == body.len()
}

/// Where a numeral Lua's scanner starts reading at `start` ends: it takes digits, hex digits
/// and dots greedily, and a sign after an exponent letter.
pub(super) fn numeral_end(s: &[u8], start: usize) -> usize {
    let mut i = start;
    let mut exponent: &[u8] = b"eE";
    if s.get(i) == Some(&b'0') && matches!(s.get(i + 1), Some(b'x' | b'X')) {
        i += 2;
        exponent = b"pP";
    } else if s.get(i) == Some(&b'.') {
        i += 1;
    }
    loop {
        if s.get(i).is_some_and(|c| exponent.contains(c)) {
            i += 1;
            if matches!(s.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
        }
        match s.get(i) {
            Some(c) if c.is_ascii_hexdigit() || *c == b'.' => i += 1,
            _ => return i,
        }
    }
}

pub(super) struct Lexer<'a> {
    src: &'a [u8],
    pos: usize,
    /// The line the scanner is on (Lua's `linenumber`), from 1.
    pub line: u64,
    buf: Vec<u8>,
}

impl<'a> Lexer<'a> {
    pub(super) fn new(src: &'a [u8]) -> Self {
        Lexer {
            src,
            pos: 0,
            line: 1,
            buf: Vec::new(),
        }
    }

    fn cur(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    fn advance(&mut self) {
        if self.pos < self.src.len() {
            self.pos += 1;
        }
    }

    fn save_and_next(&mut self) {
        if let Some(c) = self.cur() {
            self.buf.push(c);
        }
        self.advance();
    }

    fn at_newline(&self) -> bool {
        matches!(self.cur(), Some(b'\n' | b'\r'))
    }

    /// Skips `\n`, `\r`, `\n\r` or `\r\n` and counts a line.
    fn newline(&mut self) {
        let old = self.cur();
        self.advance();
        if self.at_newline() && self.cur() != old {
            self.advance();
        }
        self.line += 1;
    }

    /// An error at the current line; `near` is Lua's rendering of the offending token.
    fn error(&self, message: &str, near: Option<String>) -> Fail {
        Fail {
            line: self.line,
            message: match near {
                Some(near) => format!("{message} near {near}"),
                None => message.to_owned(),
            },
        }
    }

    /// An error shown near the text read so far (the token being read).
    fn error_near_text(&self, message: &str) -> Fail {
        self.error(message, Some(quoted(&self.buf)))
    }

    fn error_near_eof(&self, message: &str) -> Fail {
        self.error(message, Some(T::Eos.describe()))
    }

    /// The next token.
    pub(super) fn token(&mut self) -> R<Token> {
        self.buf.clear();
        loop {
            let Some(c) = self.cur() else {
                return Ok(Token::new(T::Eos));
            };
            match c {
                b'\n' | b'\r' => self.newline(),
                b' ' | b'\t' | 0x0b | 0x0c => self.advance(),
                b'-' => {
                    self.advance();
                    if self.cur() != Some(b'-') {
                        return Ok(Token::new(T::Char(b'-')));
                    }
                    self.advance();
                    if self.cur() == Some(b'[') {
                        let sep = self.skip_sep();
                        self.buf.clear();
                        if sep >= 2 {
                            self.long_string(sep, false)?;
                            self.buf.clear();
                            continue;
                        }
                    }
                    while !self.at_newline() && self.cur().is_some() {
                        self.advance();
                    }
                }
                b'[' => {
                    let sep = self.skip_sep();
                    if sep >= 2 {
                        self.long_string(sep, true)?;
                        return Ok(self.take(T::Str));
                    } else if sep == 0 {
                        return Err(self.error_near_text("invalid long string delimiter"));
                    }
                    return Ok(Token::new(T::Char(b'[')));
                }
                b'=' => return Ok(self.one_or_two(b'=', T::Eq, T::Char(b'='))),
                b'<' => {
                    self.advance();
                    return Ok(Token::new(match self.cur() {
                        Some(b'=') => self.then(T::Le),
                        Some(b'<') => self.then(T::Shl),
                        _ => T::Char(b'<'),
                    }));
                }
                b'>' => {
                    self.advance();
                    return Ok(Token::new(match self.cur() {
                        Some(b'=') => self.then(T::Ge),
                        Some(b'>') => self.then(T::Shr),
                        _ => T::Char(b'>'),
                    }));
                }
                b'/' => return Ok(self.one_or_two(b'/', T::Idiv, T::Char(b'/'))),
                b'~' => return Ok(self.one_or_two(b'=', T::Ne, T::Char(b'~'))),
                b':' => return Ok(self.one_or_two(b':', T::DbColon, T::Char(b':'))),
                b'"' | b'\'' => {
                    self.short_string(c)?;
                    return Ok(self.take(T::Str));
                }
                b'.' => {
                    self.save_and_next();
                    if self.cur() == Some(b'.') {
                        self.advance();
                        if self.cur() == Some(b'.') {
                            self.advance();
                            return Ok(Token::new(T::Dots));
                        }
                        return Ok(Token::new(T::Concat));
                    }
                    if !self.cur().is_some_and(|c| c.is_ascii_digit()) {
                        return Ok(Token::new(T::Char(b'.')));
                    }
                    return self.numeral();
                }
                b'0'..=b'9' => return self.numeral(),
                c if is_alpha(c) => {
                    while self.cur().is_some_and(is_alnum) {
                        self.save_and_next();
                    }
                    if let Some((_, t)) = RESERVED.iter().find(|(w, _)| *w == self.buf.as_slice()) {
                        return Ok(Token::new(*t));
                    }
                    return Ok(self.take(T::Name));
                }
                c => {
                    self.advance();
                    return Ok(Token::new(T::Char(c)));
                }
            }
        }
    }

    fn take(&mut self, t: T) -> Token {
        Token {
            t,
            text: std::mem::take(&mut self.buf),
        }
    }

    /// Consumes the current character and gives `t`.
    fn then(&mut self, t: T) -> T {
        self.advance();
        t
    }

    /// After the first character: `two` if the next is `second`, else `one`.
    fn one_or_two(&mut self, second: u8, two: T, one: T) -> Token {
        self.advance();
        Token::new(if self.cur() == Some(second) {
            self.then(two)
        } else {
            one
        })
    }

    fn numeral(&mut self) -> R<Token> {
        let start = self.pos;
        let end = numeral_end(self.src, start);
        self.buf.extend_from_slice(&self.src[start..end]);
        self.pos = end;
        if !valid_numeral(&self.buf) {
            return Err(self.error_near_text("malformed number"));
        }
        // Integer or float only changes the kind's name, which no message shows for a numeral.
        let integer = self.buf.iter().all(u8::is_ascii_digit);
        Ok(self.take(if integer { T::Int } else { T::Flt }))
    }

    /// Reads `[=*[` or `]=*]` (all but the last bracket): the level plus 2 when well formed,
    /// 1 for a lone bracket, 0 for brackets with `=` but no second bracket.
    fn skip_sep(&mut self) -> usize {
        let s = self.cur();
        self.save_and_next();
        let mut count = 0;
        while self.cur() == Some(b'=') {
            self.save_and_next();
            count += 1;
        }
        if self.cur() == s {
            count + 2
        } else if count == 0 {
            1
        } else {
            0
        }
    }

    fn long_string(&mut self, sep: usize, string: bool) -> R<()> {
        let line = self.line;
        self.save_and_next();
        if self.at_newline() {
            self.newline();
        }
        loop {
            match self.cur() {
                None => {
                    let what = if string { "string" } else { "comment" };
                    return Err(self.error_near_eof(&format!(
                        "unfinished long {what} (starting at line {line})"
                    )));
                }
                Some(b']') => {
                    if self.skip_sep() == sep {
                        self.save_and_next();
                        return Ok(());
                    }
                }
                Some(b'\n' | b'\r') => {
                    self.buf.push(b'\n');
                    self.newline();
                    if !string {
                        self.buf.clear();
                    }
                }
                Some(_) => {
                    if string {
                        self.save_and_next();
                    } else {
                        self.advance();
                    }
                }
            }
        }
    }

    /// Fails with `message` near the string read so far, including the current character.
    fn escape_error(&mut self, message: &str) -> Fail {
        if self.cur().is_some() {
            self.save_and_next();
        }
        self.error_near_text(message)
    }

    fn hex_digit(&mut self) -> R<u32> {
        self.save_and_next();
        match self.cur() {
            Some(c) if c.is_ascii_hexdigit() => Ok(hex_value(c)),
            _ => Err(self.escape_error("hexadecimal digit expected")),
        }
    }

    fn short_string(&mut self, delimiter: u8) -> R<()> {
        self.save_and_next();
        while self.cur() != Some(delimiter) {
            match self.cur() {
                None => return Err(self.error_near_eof("unfinished string")),
                Some(b'\n' | b'\r') => return Err(self.error_near_text("unfinished string")),
                Some(b'\\') => {
                    self.save_and_next();
                    let simple = |c: u8| match c {
                        b'a' => Some(0x07),
                        b'b' => Some(0x08),
                        b'f' => Some(0x0c),
                        b'n' => Some(b'\n'),
                        b'r' => Some(b'\r'),
                        b't' => Some(b'\t'),
                        b'v' => Some(0x0b),
                        b'\\' | b'"' | b'\'' => Some(c),
                        _ => None,
                    };
                    match self.cur() {
                        None => {}
                        Some(c) if simple(c).is_some() => {
                            self.advance();
                            self.buf.pop();
                            self.buf.extend(simple(c));
                        }
                        Some(b'x') => {
                            let r = (self.hex_digit()? << 4) + self.hex_digit()?;
                            self.advance();
                            // Drop the `\`, `x` and first digit kept for messages.
                            self.buf.truncate(self.buf.len() - 3);
                            self.buf.push(r as u8);
                        }
                        Some(b'u') => self.utf8_escape()?,
                        Some(b'\n' | b'\r') => {
                            self.newline();
                            self.buf.pop();
                            self.buf.push(b'\n');
                        }
                        Some(b'z') => {
                            self.buf.pop();
                            self.advance();
                            while self.cur().is_some_and(is_space) {
                                if self.at_newline() {
                                    self.newline();
                                } else {
                                    self.advance();
                                }
                            }
                        }
                        Some(c) if c.is_ascii_digit() => {
                            let mut r: u32 = 0;
                            let mut n = 0;
                            while n < 3 && self.cur().is_some_and(|c| c.is_ascii_digit()) {
                                r = 10 * r + u32::from(self.cur().unwrap_or(b'0') - b'0');
                                self.save_and_next();
                                n += 1;
                            }
                            if r > 255 {
                                return Err(self.escape_error("decimal escape too large"));
                            }
                            self.buf.truncate(self.buf.len() - n - 1);
                            self.buf.push(r as u8);
                        }
                        Some(_) => return Err(self.escape_error("invalid escape sequence")),
                    }
                }
                Some(_) => self.save_and_next(),
            }
        }
        self.save_and_next();
        Ok(())
    }

    /// `\u{XXX}`, with the `\` already read.
    fn utf8_escape(&mut self) -> R<()> {
        let kept = self.buf.len() - 1;
        self.save_and_next();
        if self.cur() != Some(b'{') {
            return Err(self.escape_error("missing '{'"));
        }
        let mut r = self.hex_digit()?;
        loop {
            self.save_and_next();
            match self.cur() {
                Some(c) if c.is_ascii_hexdigit() => {
                    r = (r << 4) + hex_value(c);
                    if r > 0x10FFFF {
                        return Err(self.escape_error("UTF-8 value too large"));
                    }
                }
                _ => break,
            }
        }
        if self.cur() != Some(b'}') {
            return Err(self.escape_error("missing '}'"));
        }
        self.advance();
        self.buf.truncate(kept);
        push_utf8(&mut self.buf, r);
        Ok(())
    }
}

/// Lua's UTF-8 encoding of a code point up to 0x10FFFF (surrogates included).
fn push_utf8(buf: &mut Vec<u8>, x: u32) {
    if x < 0x80 {
        buf.push(x as u8);
        return;
    }
    let mut bytes = Vec::with_capacity(4);
    let mut x = x;
    let mut first_max = 0x3f;
    while x > first_max {
        bytes.push(0x80 | (x & 0x3f) as u8);
        x >>= 6;
        first_max >>= 1;
    }
    bytes.push(((!first_max << 1) | x) as u8);
    buf.extend(bytes.iter().rev());
}
