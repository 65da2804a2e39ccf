//! Lua 5.3 pattern matching over byte strings.
//!
//! This is a direct backtracking matcher with the semantics of PUC Lua 5.3.6's
//! `lstrlib.c` (same evaluation order, same limits, same error messages), but
//! independent of any VM so it can back `string.find`, `string.match`,
//! `string.gmatch` and `string.gsub` in any engine.
//!
//! Conventions:
//! * All offsets are 0-based byte offsets into the subject; spans are
//!   half-open (`start..end`). Only [`Capture::Position`] is 1-based, because
//!   that is the value Lua hands to scripts.
//! * Errors are only raised when the matcher actually reaches the offending
//!   part of the pattern, exactly like Lua (e.g. `find("b", "a[")` is `nil`,
//!   not an error).
//! * Recursion depth is bounded by [`MAX_DEPTH`] like `MAXCCALLS` in
//!   `lstrlib.c`, and an optional step limit turns runaway backtracking into
//!   the same "pattern too complex" error.
//!
//! Calling conventions for the `string` library wrappers:
//! * `string.find` / `string.match`: convert Lua's `init` to a 0-based offset
//!   (return `nil` if it is past `len + 1`), then call [`Matcher::find`]. For
//!   `string.find` with `plain` or a pattern without [`has_specials`], use
//!   [`find_plain`] instead. `find` returns `start + 1, end` followed by
//!   `Match::capture(i)` for `i in 0..m.captures.len()`; `match` returns
//!   `Match::capture(i)` for `i in 0..m.value_count()`.
//! * `string.gmatch`: keep a [`GlobalState::gmatch`] plus the subject and
//!   pattern in the iterator closure; each call does
//!   `Matcher::new(s, p).next_match(&mut state)` and returns the values like
//!   `string.match`.
//! * `string.gsub`: [`Matcher::gsub_with`] (or [`gsub`] for string
//!   replacements) does the whole loop. Callers that must yield to the VM
//!   between matches (function replacements) can drive
//!   [`Matcher::next_match`] with [`GlobalState::gsub`] themselves: the result
//!   is `src[prev_end..m.start]` + replacement for every match, then
//!   `src[prev_end..]`, where `prev_end` starts at 0 and becomes `m.end`.

use std::fmt;
use std::io::Write as _;

/// Maximum number of captures in one pattern (`LUA_MAXCAPTURES`).
pub const MAX_CAPTURES: usize = 32;
/// Maximum nesting of recursive matcher calls (`MAXCCALLS` in `lstrlib.c`).
pub const MAX_DEPTH: usize = 200;

const ESC: u8 = b'%';
/// Bytes that make a pattern "special" for `string.find` (`SPECIALS`).
const SPECIALS: &[u8] = b"^$*+?.([%-";

/// One capture of a successful match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capture {
    /// A substring capture `(...)`: byte offsets, `end` exclusive.
    Span { start: usize, end: usize },
    /// A position capture `()`: 1-based, as Lua returns it.
    Position(usize),
    /// A capture whose `(` was never closed (e.g. pattern `"(a"`). Lua only
    /// complains ("unfinished capture") when such a capture is actually
    /// pushed, so it is kept here and reported by [`Match::capture`].
    Unfinished,
}

/// A successful match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    /// Byte offset where the match starts.
    pub start: usize,
    /// Byte offset just past the match.
    pub end: usize,
    /// Captures in pattern order; empty when the pattern has none.
    pub captures: Vec<Capture>,
}

impl Match {
    /// Number of values `string.match`/`gmatch` produce: the captures, or the
    /// whole match when the pattern has no captures.
    pub fn value_count(&self) -> usize {
        self.captures.len().max(1)
    }

    /// Capture `i` (0-based) with `push_onecapture` semantics: index 0 of a
    /// capture-less pattern is the whole match, unfinished captures and
    /// indices out of range are errors. Never returns [`Capture::Unfinished`].
    pub fn capture(&self, i: usize) -> Result<Capture, PatternError> {
        match self.captures.get(i) {
            Some(Capture::Unfinished) => Err(error("unfinished capture")),
            Some(&c) => Ok(c),
            None if i == 0 => Ok(Capture::Span {
                start: self.start,
                end: self.end,
            }),
            None => Err(invalid_capture_index(i as i64 + 1)),
        }
    }
}

/// A pattern error, worded exactly like Lua 5.3 (without position prefix).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError(pub String);

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PatternError {}

fn error(msg: &str) -> PatternError {
    PatternError(msg.to_owned())
}

fn invalid_capture_index(n: i64) -> PatternError {
    PatternError(format!("invalid capture index %{n}"))
}

/// Whether `pattern` contains any byte that is magic to `string.find`
/// (`nospecials` in `lstrlib.c`). If not, a plain substring search gives the
/// same result.
pub fn has_specials(pattern: &[u8]) -> bool {
    pattern.iter().any(|b| SPECIALS.contains(b))
}

/// Plain substring search starting at byte offset `init` (`lmemfind`): an
/// empty needle matches at `init`. Returns the start offset of the match.
pub fn find_plain(src: &[u8], needle: &[u8], init: usize) -> Option<usize> {
    let hay = src.get(init..)?;
    if needle.is_empty() {
        return Some(init);
    }
    hay.windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + init)
}

/// `string.find`-style search without a step limit; see [`Matcher::find`].
pub fn find(src: &[u8], pattern: &[u8], init: usize) -> Result<Option<Match>, PatternError> {
    Matcher::new(src, pattern).find(init)
}

/// `string.gsub` with a string replacement and no step limit. `max_n` is the
/// maximum number of replacements (Lua's default is `src.len() + 1`; map a
/// negative limit to 0). Returns the new string and the replacement count.
pub fn gsub(
    src: &[u8],
    pattern: &[u8],
    repl: &[u8],
    max_n: usize,
) -> Result<(Vec<u8>, usize), PatternError> {
    Matcher::new(src, pattern).gsub_with(max_n, |m, out| expand_replacement(repl, src, m, out))
}

/// Appends the gsub replacement string `repl` for match `m` of `src` to
/// `out`: `%0` is the whole match, `%1`-`%9` captures (positions in decimal),
/// `%%` a percent sign; any other `%` use is an error.
pub fn expand_replacement(
    repl: &[u8],
    src: &[u8],
    m: &Match,
    out: &mut Vec<u8>,
) -> Result<(), PatternError> {
    let mut rest = repl;
    while let Some(i) = rest.iter().position(|&b| b == ESC) {
        out.extend_from_slice(&rest[..i]);
        // A trailing '%' reads Lua's terminating NUL, which is not valid.
        let d = rest.get(i + 1).copied().unwrap_or(0);
        match d {
            b'0' => out.extend_from_slice(&src[m.start..m.end]),
            b'1'..=b'9' => match m.capture(usize::from(d - b'1'))? {
                Capture::Span { start, end } => out.extend_from_slice(&src[start..end]),
                Capture::Position(p) => {
                    // Writing to a Vec cannot fail.
                    let _ = write!(out, "{p}");
                }
                // Match::capture already rejects it; kept as the same error, not a trap.
                Capture::Unfinished => return Err(error("unfinished capture")),
            },
            ESC => out.push(ESC),
            _ => return Err(error("invalid use of '%' in replacement string")),
        }
        rest = rest.get(i + 2..).unwrap_or_default();
    }
    out.extend_from_slice(rest);
    Ok(())
}

/// Length state of a capture slot (`CAP_UNFINISHED`, `CAP_POSITION` or a
/// length in `lstrlib.c`).
#[derive(Debug, Clone, Copy)]
enum CapLen {
    Unfinished,
    Position,
    Len(usize),
}

#[derive(Debug, Clone, Copy)]
struct CapSlot {
    start: usize,
    len: CapLen,
}

/// Progress of a `gmatch`/`gsub` loop. It only holds offsets, so a VM can
/// store it between calls and pair it with a fresh [`Matcher`] each time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlobalState {
    /// Where the next match attempt starts.
    pos: usize,
    /// End of the last accepted match; an empty match ending there again is
    /// skipped (the Lua 5.3.6 rule that keeps `gsub("abc", "%w*", "-")` at
    /// `"-"`).
    last_match: Option<usize>,
    /// Pattern index to start at (1 after an anchoring `^`).
    pat_start: usize,
    /// gsub with `^`: only one attempt is made.
    anchored: bool,
    done: bool,
}

impl GlobalState {
    /// State for `string.gmatch`: in Lua 5.3 a leading `^` is a literal
    /// character there, not an anchor.
    pub fn gmatch() -> Self {
        GlobalState {
            pos: 0,
            last_match: None,
            pat_start: 0,
            anchored: false,
            done: false,
        }
    }

    /// State for `string.gsub` with `pattern`: a leading `^` anchors it, so at
    /// most one match (at offset 0) is produced.
    pub fn gsub(pattern: &[u8]) -> Self {
        let anchored = pattern.first() == Some(&b'^');
        GlobalState {
            pat_start: usize::from(anchored),
            anchored,
            ..Self::gmatch()
        }
    }

    /// Whether the iteration has finished (no further matches).
    pub fn is_done(&self) -> bool {
        self.done
    }
}

/// Matching state for one subject/pattern pair (`MatchState`).
///
/// Reusable: every attempt resets captures and depth, while the step counter
/// accumulates over the matcher's life so one limit can cover a whole gsub.
#[derive(Debug, Clone)]
pub struct Matcher<'a> {
    src: &'a [u8],
    pat: &'a [u8],
    level: usize,
    caps: [CapSlot; MAX_CAPTURES],
    depth: usize,
    steps: u64,
    step_limit: u64,
}

impl<'a> Matcher<'a> {
    /// A matcher for `pattern` (taken verbatim) over `src`, without step limit.
    pub fn new(src: &'a [u8], pattern: &'a [u8]) -> Self {
        Matcher {
            src,
            pat: pattern,
            level: 0,
            caps: [CapSlot {
                start: 0,
                len: CapLen::Unfinished,
            }; MAX_CAPTURES],
            depth: MAX_DEPTH,
            steps: 0,
            step_limit: u64::MAX,
        }
    }

    /// Fail with "pattern too complex" once more than `limit` steps are spent.
    pub fn with_step_limit(mut self, limit: u64) -> Self {
        self.step_limit = limit;
        self
    }

    /// Work done so far (roughly one unit per pattern item tried or subject
    /// byte scanned); suitable for charging VM fuel.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Matches the whole pattern (a leading `^` is literal here) exactly at
    /// byte offset `init`, returning the end offset. On success the captures
    /// are available from [`Matcher::captures`].
    pub fn match_at(&mut self, init: usize) -> Result<Option<usize>, PatternError> {
        if init > self.src.len() {
            return Ok(None);
        }
        self.attempt(init, 0)
    }

    /// The captures of the last successful match.
    pub fn captures(&self) -> Vec<Capture> {
        self.caps[..self.level]
            .iter()
            .map(|c| match c.len {
                CapLen::Position => Capture::Position(c.start + 1),
                CapLen::Unfinished => Capture::Unfinished,
                CapLen::Len(n) => Capture::Span {
                    start: c.start,
                    end: c.start + n,
                },
            })
            .collect()
    }

    /// First match at or after byte offset `init`, like `str_find_aux`: a
    /// leading `^` anchors the pattern at `init`. `init > src.len()` gives
    /// `None` (Lua returns `nil` then too).
    pub fn find(&mut self, init: usize) -> Result<Option<Match>, PatternError> {
        if init > self.src.len() {
            return Ok(None);
        }
        let anchored = self.pat.first() == Some(&b'^');
        let pat_start = usize::from(anchored);
        // The end of the subject is a valid start for (empty) matches too.
        for s in init..=self.src.len() {
            if let Some(end) = self.attempt(s, pat_start)? {
                return Ok(Some(self.make_match(s, end)));
            }
            if anchored {
                break;
            }
        }
        Ok(None)
    }

    /// Next match of a gmatch/gsub loop, or `None` when it is over. Mirrors
    /// `gmatch_aux` and the `str_gsub` loop: failed or rejected attempts move
    /// one byte forward, accepted matches continue at their end.
    pub fn next_match(&mut self, state: &mut GlobalState) -> Result<Option<Match>, PatternError> {
        while !state.done {
            let s = state.pos;
            let found = self.attempt(s, state.pat_start)?;
            state.done = state.anchored;
            match found {
                Some(e) if Some(e) != state.last_match => {
                    state.pos = e;
                    state.last_match = Some(e);
                    return Ok(Some(self.make_match(s, e)));
                }
                _ if s < self.src.len() => state.pos += 1,
                _ => state.done = true,
            }
        }
        Ok(None)
    }

    /// Iterator over the matches of `string.gmatch`.
    pub fn gmatch(&mut self) -> GlobalMatches<'_, 'a> {
        GlobalMatches {
            matcher: self,
            state: GlobalState::gmatch(),
        }
    }

    /// Runs `string.gsub`: for at most `max_n` matches, `replace` appends the
    /// replacement to the output (for a `false`/`nil` replacement value it
    /// should append `src[m.start..m.end]`). Unmatched bytes are copied.
    /// Returns the new string and the number of matches.
    pub fn gsub_with<E: From<PatternError>>(
        &mut self,
        max_n: usize,
        mut replace: impl FnMut(&Match, &mut Vec<u8>) -> Result<(), E>,
    ) -> Result<(Vec<u8>, usize), E> {
        let src = self.src;
        let mut out = Vec::with_capacity(src.len());
        let mut state = GlobalState::gsub(self.pat);
        let (mut prev_end, mut n) = (0, 0);
        while n < max_n {
            let Some(m) = self.next_match(&mut state)? else {
                break;
            };
            out.extend_from_slice(&src[prev_end..m.start]);
            replace(&m, &mut out)?;
            prev_end = m.end;
            n += 1;
        }
        out.extend_from_slice(&src[prev_end..]);
        Ok((out, n))
    }

    fn make_match(&self, start: usize, end: usize) -> Match {
        Match {
            start,
            end,
            captures: self.captures(),
        }
    }

    /// One match attempt from a clean state (`reprepstate` + `match`).
    fn attempt(&mut self, s: usize, p: usize) -> Result<Option<usize>, PatternError> {
        self.level = 0;
        self.depth = MAX_DEPTH;
        self.do_match(s, p)
    }

    fn tick(&mut self, n: u64) -> Result<(), PatternError> {
        self.steps = self.steps.saturating_add(n);
        if self.steps > self.step_limit {
            Err(error("pattern too complex"))
        } else {
            Ok(())
        }
    }

    /// Pattern byte at `i`; past the end this is 0, mirroring the NUL that
    /// terminates every Lua string (lstrlib relies on reading it).
    fn pat_at(&self, i: usize) -> u8 {
        self.pat.get(i).copied().unwrap_or(0)
    }

    /// Matches pattern from index `p` against subject from offset `s`.
    /// Every call counts against [`MAX_DEPTH`], exactly where `lstrlib.c`
    /// recurses; its `goto init` tail calls are a loop here instead.
    fn do_match(&mut self, s: usize, p: usize) -> Result<Option<usize>, PatternError> {
        if self.depth == 0 {
            return Err(error("pattern too complex"));
        }
        self.depth -= 1;
        let result = self.match_loop(s, p);
        self.depth += 1;
        result
    }

    fn match_loop(&mut self, mut s: usize, mut p: usize) -> Result<Option<usize>, PatternError> {
        loop {
            self.tick(1)?;
            let Some(&pc) = self.pat.get(p) else {
                return Ok(Some(s));
            };
            match pc {
                b'(' => {
                    return if self.pat_at(p + 1) == b')' {
                        self.start_capture(s, p + 2, CapLen::Position)
                    } else {
                        self.start_capture(s, p + 1, CapLen::Unfinished)
                    };
                }
                b')' => return self.end_capture(s, p + 1),
                // '$' anchors only as the last pattern byte; elsewhere it is
                // an ordinary character handled below.
                b'$' if p + 1 == self.pat.len() => {
                    return Ok((s == self.src.len()).then_some(s));
                }
                ESC => match self.pat_at(p + 1) {
                    b'b' => match self.match_balance(s, p + 2)? {
                        Some(e) => {
                            s = e;
                            p += 4;
                            continue;
                        }
                        None => return Ok(None),
                    },
                    b'f' => {
                        p += 2;
                        if self.pat_at(p) != b'[' {
                            return Err(error("missing '[' after '%f' in pattern"));
                        }
                        let ep = self.class_end(p)?;
                        // Outside the subject counts as '\0'.
                        let prev = if s == 0 { 0 } else { self.src[s - 1] };
                        let cur = self.src.get(s).copied().unwrap_or(0);
                        if !self.in_set(prev, p, ep - 1) && self.in_set(cur, p, ep - 1) {
                            p = ep;
                            continue;
                        }
                        return Ok(None);
                    }
                    d @ b'0'..=b'9' => match self.match_back_ref(s, d)? {
                        Some(e) => {
                            s = e;
                            p += 2;
                            continue;
                        }
                        None => return Ok(None),
                    },
                    _ => {}
                },
                _ => {}
            }
            // A single-character class, possibly followed by a quantifier.
            let ep = self.class_end(p)?;
            let quantifier = self.pat_at(ep);
            if !self.single_match(s, p, ep) {
                if matches!(quantifier, b'*' | b'?' | b'-') {
                    // Zero repetitions are fine: skip the item.
                    p = ep + 1;
                    continue;
                }
                return Ok(None);
            }
            match quantifier {
                b'?' => {
                    if let Some(e) = self.do_match(s + 1, ep + 1)? {
                        return Ok(Some(e));
                    }
                    p = ep + 1;
                }
                b'+' => return self.max_expand(s + 1, p, ep),
                b'*' => return self.max_expand(s, p, ep),
                b'-' => return self.min_expand(s, p, ep),
                _ => {
                    s += 1;
                    p = ep;
                }
            }
        }
    }

    /// Index just past the single-character class starting at `p`.
    fn class_end(&self, p: usize) -> Result<usize, PatternError> {
        let first = self.pat[p];
        let mut p = p + 1;
        match first {
            ESC if p >= self.pat.len() => Err(error("malformed pattern (ends with '%')")),
            ESC => Ok(p + 1),
            b'[' => {
                if self.pat_at(p) == b'^' {
                    p += 1;
                }
                // The first set byte is never the closing ']' ("[]]" is a
                // set containing ']'), hence check-after-consume.
                loop {
                    if p >= self.pat.len() {
                        return Err(error("malformed pattern (missing ']')"));
                    }
                    let c = self.pat[p];
                    p += 1;
                    if c == ESC && p < self.pat.len() {
                        p += 1;
                    }
                    if self.pat_at(p) == b']' {
                        return Ok(p + 1);
                    }
                }
            }
            _ => Ok(p),
        }
    }

    /// Whether subject byte at `s` matches the class `pat[p..ep]`.
    fn single_match(&self, s: usize, p: usize, ep: usize) -> bool {
        let Some(&c) = self.src.get(s) else {
            return false;
        };
        match self.pat[p] {
            b'.' => true,
            ESC => class_matches(c, self.pat[p + 1]),
            b'[' => self.in_set(c, p, ep - 1),
            pc => pc == c,
        }
    }

    /// Whether `c` is in the set `pat[p..=ec]` (`p` at '[', `ec` at ']').
    fn in_set(&self, c: u8, p: usize, ec: usize) -> bool {
        let pat = self.pat;
        let mut p = p + 1;
        let negated = pat[p] == b'^';
        if negated {
            p += 1;
        }
        while p < ec {
            if pat[p] == ESC {
                p += 1;
                if class_matches(c, pat[p]) {
                    return !negated;
                }
                p += 1;
            } else if pat[p + 1] == b'-' && p + 2 < ec {
                // A '-' right before the closing ']' is literal.
                if (pat[p]..=pat[p + 2]).contains(&c) {
                    return !negated;
                }
                p += 3;
            } else {
                if pat[p] == c {
                    return !negated;
                }
                p += 1;
            }
        }
        negated
    }

    /// Greedy repetition: take as many as possible, then back off.
    fn max_expand(&mut self, s: usize, p: usize, ep: usize) -> Result<Option<usize>, PatternError> {
        let mut n = 0;
        while self.single_match(s + n, p, ep) {
            self.tick(1)?;
            n += 1;
        }
        loop {
            if let Some(e) = self.do_match(s + n, ep + 1)? {
                return Ok(Some(e));
            }
            if n == 0 {
                return Ok(None);
            }
            n -= 1;
        }
    }

    /// Lazy repetition: try the rest first, extend by one on failure.
    fn min_expand(
        &mut self,
        mut s: usize,
        p: usize,
        ep: usize,
    ) -> Result<Option<usize>, PatternError> {
        loop {
            if let Some(e) = self.do_match(s, ep + 1)? {
                return Ok(Some(e));
            }
            if !self.single_match(s, p, ep) {
                return Ok(None);
            }
            s += 1;
        }
    }

    fn start_capture(
        &mut self,
        s: usize,
        p: usize,
        len: CapLen,
    ) -> Result<Option<usize>, PatternError> {
        if self.level >= MAX_CAPTURES {
            return Err(error("too many captures"));
        }
        self.caps[self.level] = CapSlot { start: s, len };
        self.level += 1;
        let result = self.do_match(s, p)?;
        if result.is_none() {
            self.level -= 1;
        }
        Ok(result)
    }

    fn end_capture(&mut self, s: usize, p: usize) -> Result<Option<usize>, PatternError> {
        // Close the innermost capture that is still open.
        let Some(l) = (0..self.level)
            .rev()
            .find(|&l| matches!(self.caps[l].len, CapLen::Unfinished))
        else {
            return Err(error("invalid pattern capture"));
        };
        self.caps[l].len = CapLen::Len(s - self.caps[l].start);
        let result = self.do_match(s, p)?;
        if result.is_none() {
            self.caps[l].len = CapLen::Unfinished;
        }
        Ok(result)
    }

    /// `%bxy` at pattern index `p` (pointing at `x`).
    fn match_balance(&mut self, s: usize, p: usize) -> Result<Option<usize>, PatternError> {
        if p + 1 >= self.pat.len() {
            return Err(error("malformed pattern (missing arguments to '%b')"));
        }
        let (open, close) = (self.pat[p], self.pat[p + 1]);
        if self.src.get(s) != Some(&open) {
            return Ok(None);
        }
        let mut depth = 1usize;
        for i in s + 1..self.src.len() {
            self.tick(1)?;
            // The closer is checked first, so "%baa" pairs adjacent 'a's.
            let c = self.src[i];
            if c == close {
                depth -= 1;
                if depth == 0 {
                    return Ok(Some(i + 1));
                }
            } else if c == open {
                depth += 1;
            }
        }
        Ok(None)
    }

    /// Back-reference `%d` (`d` is the ASCII digit).
    fn match_back_ref(&mut self, s: usize, d: u8) -> Result<Option<usize>, PatternError> {
        let l = i64::from(d) - i64::from(b'1');
        let slot = usize::try_from(l)
            .ok()
            .filter(|&l| l < self.level)
            .map(|l| self.caps[l])
            .filter(|c| !matches!(c.len, CapLen::Unfinished))
            .ok_or_else(|| invalid_capture_index(l + 1))?;
        // A position capture never matches as a back-reference (its length
        // is a huge unsigned value in lstrlib).
        let CapLen::Len(n) = slot.len else {
            return Ok(None);
        };
        self.tick(n as u64)?;
        let captured = &self.src[slot.start..slot.start + n];
        Ok(self.src[s..].starts_with(captured).then_some(s + n))
    }
}

/// Whether `c` is in class `%cl` (C locale `<ctype.h>` definitions). An
/// upper-case class letter is the complement; a non-class byte is literal.
fn class_matches(c: u8, cl: u8) -> bool {
    let res = match cl.to_ascii_lowercase() {
        b'a' => c.is_ascii_alphabetic(),
        b'c' => c.is_ascii_control(),
        b'd' => c.is_ascii_digit(),
        b'g' => c.is_ascii_graphic(),
        b'l' => c.is_ascii_lowercase(),
        b'p' => c.is_ascii_punctuation(),
        // C isspace includes '\v', unlike u8::is_ascii_whitespace.
        b's' => matches!(c, b' ' | b'\t'..=b'\r'),
        b'u' => c.is_ascii_uppercase(),
        b'w' => c.is_ascii_alphanumeric(),
        b'x' => c.is_ascii_hexdigit(),
        // Deprecated but still supported in 5.3: the NUL byte.
        b'z' => c == 0,
        _ => return cl == c,
    };
    res != cl.is_ascii_uppercase()
}

/// Iterator over `string.gmatch` matches, from [`Matcher::gmatch`]. Ends
/// after the first error.
#[derive(Debug)]
pub struct GlobalMatches<'m, 'a> {
    matcher: &'m mut Matcher<'a>,
    state: GlobalState,
}

impl Iterator for GlobalMatches<'_, '_> {
    type Item = Result<Match, PatternError>;

    fn next(&mut self) -> Option<Self::Item> {
        let result = self.matcher.next_match(&mut self.state);
        if result.is_err() {
            self.state.done = true;
        }
        result.transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lua-style view of a capture: substring or "=pos".
    fn show(src: &[u8], c: Capture) -> String {
        match c {
            Capture::Span { start, end } => String::from_utf8_lossy(&src[start..end]).into_owned(),
            Capture::Position(p) => format!("={p}"),
            Capture::Unfinished => "<unfinished>".into(),
        }
    }

    /// `string.find(s, p)` as (1-based start, end, captures).
    fn lfind(s: &str, p: &str) -> Option<(usize, usize, Vec<String>)> {
        let m = find(s.as_bytes(), p.as_bytes(), 0).unwrap()?;
        let caps = m.captures.iter().map(|&c| show(s.as_bytes(), c)).collect();
        Some((m.start + 1, m.end, caps))
    }

    /// `string.match(s, p)` values.
    fn lmatch(s: &str, p: &str) -> Option<Vec<String>> {
        let m = find(s.as_bytes(), p.as_bytes(), 0).unwrap()?;
        Some(
            (0..m.value_count())
                .map(|i| show(s.as_bytes(), m.capture(i).unwrap()))
                .collect(),
        )
    }

    fn err(s: &str, p: &str) -> String {
        find(s.as_bytes(), p.as_bytes(), 0).unwrap_err().0
    }

    fn lgsub(s: &str, p: &str, r: &str) -> (String, usize) {
        let (out, n) = gsub(s.as_bytes(), p.as_bytes(), r.as_bytes(), usize::MAX).unwrap();
        (String::from_utf8(out).unwrap(), n)
    }

    fn lgmatch(s: &str, p: &str) -> Vec<Vec<String>> {
        let mut m = Matcher::new(s.as_bytes(), p.as_bytes());
        m.gmatch()
            .map(|r| {
                let r = r.unwrap();
                (0..r.value_count())
                    .map(|i| show(s.as_bytes(), r.capture(i).unwrap()))
                    .collect()
            })
            .collect()
    }

    fn v(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn literals_and_dot() {
        assert_eq!(lfind("hello", "ll"), Some((3, 4, vec![])));
        assert_eq!(lfind("hello", "l.o"), Some((3, 5, vec![])));
        assert_eq!(lfind("hello", "x"), None);
        assert_eq!(lfind("", ""), Some((1, 0, vec![])));
        assert_eq!(lfind("abc", ""), Some((1, 0, vec![])));
        let m = find(b"abc", b"", 3).unwrap().unwrap();
        assert_eq!((m.start, m.end), (3, 3));
        assert_eq!(find(b"abc", b"", 4).unwrap(), None);
    }

    #[test]
    fn classes() {
        assert_eq!(lmatch("  x1_Y!", "%a+"), Some(v(&["x"])));
        assert_eq!(lmatch("ab12cd", "%d+"), Some(v(&["12"])));
        assert_eq!(lmatch("ab12cd", "%D+$"), Some(v(&["cd"])));
        assert_eq!(lmatch("a \t\x0b\x0cb", "%s+"), Some(v(&[" \t\x0b\x0c"])));
        assert_eq!(lmatch("AbC", "%l"), Some(v(&["b"])));
        assert_eq!(lmatch("abC", "%u"), Some(v(&["C"])));
        assert_eq!(lmatch("ab,c", "%p"), Some(v(&[","])));
        assert_eq!(lmatch("xyz0fF9g", "%x+"), Some(v(&["0fF9"])));
        assert_eq!(lmatch("a\x01b", "%c"), Some(v(&["\x01"])));
        assert_eq!(lmatch(" \x7f~", "%g"), Some(v(&["~"])));
        assert_eq!(lmatch("__ab9!", "%w+"), Some(v(&["ab9"])));
        assert_eq!(lmatch("a.b", "%."), Some(v(&["."])));
        assert_eq!(lmatch("a%b", "%%"), Some(v(&["%"])));
        // Bytes >= 0x80 are in no class (C locale) but match their complements.
        assert_eq!(lfind("\u{e9}", "%a"), None);
        assert_eq!(
            find("é".as_bytes(), b"%A%A", 0).unwrap().map(|m| m.end),
            Some(2)
        );
        assert!(find(b"a\0b", b"%z", 0)
            .unwrap()
            .is_some_and(|m| m.start == 1));
        assert!(find(b"a\0b", b"\0b", 0)
            .unwrap()
            .is_some_and(|m| m.start == 1));
        assert!(find(b"a\0b", b"[\0]", 0)
            .unwrap()
            .is_some_and(|m| m.start == 1));
    }

    #[test]
    fn sets() {
        assert_eq!(lmatch("xyz-abc", "[a-c]+"), Some(v(&["abc"])));
        assert_eq!(lmatch("abc-]x", "[]-]+"), Some(v(&["-]"])));
        assert_eq!(lmatch("abc]", "[^]]+"), Some(v(&["abc"])));
        assert_eq!(lmatch("a-z", "[z-]+"), Some(v(&["-z"])));
        assert_eq!(lmatch("a-z", "[-a]+"), Some(v(&["a-"])));
        assert_eq!(lmatch("x^y", "[%^]"), Some(v(&["^"])));
        assert_eq!(lmatch("x^y", "[x^]+"), Some(v(&["x^"])));
        assert_eq!(lmatch("ab12", "[%d]+"), Some(v(&["12"])));
        assert_eq!(lmatch("ab 12", "[^%s%a]+"), Some(v(&["12"])));
        assert_eq!(lmatch("a]", "[%]]"), Some(v(&["]"])));
        assert_eq!(lmatch("cba", "[c-a]"), None);
        assert!(find("é".as_bytes(), b"[\x80-\xff]+", 0)
            .unwrap()
            .is_some_and(|m| m.end == 2));
    }

    #[test]
    fn quantifiers() {
        assert_eq!(lmatch("aaab", "a*"), Some(v(&["aaa"])));
        assert_eq!(lmatch("aaab", "a-b"), Some(v(&["aaab"])));
        assert_eq!(lmatch("aaab", "a-"), Some(v(&[""])));
        assert_eq!(lmatch("baaa", "a+"), Some(v(&["aaa"])));
        assert_eq!(lmatch("b", "a+"), None);
        assert_eq!(lmatch("ab", "a?b"), Some(v(&["ab"])));
        assert_eq!(lmatch("b", "a?b"), Some(v(&["b"])));
        assert_eq!(lmatch("<a><b>", "<.*>"), Some(v(&["<a><b>"])));
        assert_eq!(lmatch("<a><b>", "<.->"), Some(v(&["<a>"])));
        assert_eq!(lmatch("aaa", "a?a?a?a?aaa"), Some(v(&["aaa"])));
        // A quantifier with nothing before it is a literal character.
        assert_eq!(lmatch("a*b", "*"), Some(v(&["*"])));
        assert_eq!(lmatch("a+b", "a+"), Some(v(&["a"])));
    }

    #[test]
    fn anchors() {
        assert_eq!(lfind("abc", "^b"), None);
        assert_eq!(lfind("abc", "^a"), Some((1, 1, vec![])));
        assert_eq!(find(b"abc", b"^b", 1).unwrap().map(|m| m.start), Some(1));
        assert_eq!(lfind("abc", "c$"), Some((3, 3, vec![])));
        assert_eq!(lfind("abc", "b$"), None);
        assert_eq!(lfind("a$b", "a$b"), Some((1, 3, vec![])));
        assert_eq!(lfind("a^b", "a^b"), Some((1, 3, vec![])));
        assert_eq!(lfind("", "^$"), Some((1, 0, vec![])));
        assert_eq!(lfind("abc", "$"), Some((4, 3, vec![])));
        // gmatch treats '^' literally in Lua 5.3.
        assert_eq!(lgmatch("^a^a", "^a"), vec![v(&["^a"]), v(&["^a"])]);
    }

    #[test]
    fn captures() {
        assert_eq!(lfind("hello world", "(o)(r)"), Some((8, 9, v(&["o", "r"]))));
        assert_eq!(
            lmatch("key = value", "(%w+)%s*=%s*(%w+)"),
            Some(v(&["key", "value"]))
        );
        assert_eq!(lmatch("abc", "()b()"), Some(v(&["=2", "=3"])));
        assert_eq!(lmatch("abc", "((a)(b))"), Some(v(&["ab", "a", "b"])));
        assert_eq!(lmatch("abc", "a(.-)c"), Some(v(&["b"])));
        assert_eq!(lmatch("abc", "(x*)"), Some(v(&[""])));
        assert_eq!(lmatch("", "()"), Some(v(&["=1"])));
        assert_eq!(lmatch("xyz", "()$"), Some(v(&["=4"])));
    }

    #[test]
    fn back_references() {
        assert_eq!(
            lmatch("say 'hi' now", "(['\"])(.-)%1"),
            Some(v(&["'", "hi"]))
        );
        assert_eq!(lmatch("abab", "(ab)%1"), Some(v(&["ab"])));
        assert_eq!(lmatch("aXbX", "(%u).%1"), Some(v(&["X"])));
        assert_eq!(lmatch("aXbY", "(%u).%1"), None);
        assert_eq!(lmatch("xx", "(x*)%1"), Some(v(&["x"])));
        // A position capture never matches as a back-reference.
        assert_eq!(lmatch("aa", "()a%1"), None);
        assert_eq!(err("a", "%1"), "invalid capture index %1");
        assert_eq!(err("a", "(a%1)"), "invalid capture index %1");
        assert_eq!(err("a", "(a)%0"), "invalid capture index %0");
        assert_eq!(err("aa", "(a)%2"), "invalid capture index %2");
    }

    #[test]
    fn balance_and_frontier() {
        assert_eq!(lmatch("f(a(b)c) d", "%b()"), Some(v(&["(a(b)c)"])));
        assert_eq!(lmatch("f(a(b c", "%b()"), None);
        assert_eq!(lmatch("xaay", "%baa"), Some(v(&["aa"])));
        assert_eq!(lmatch("[[x]]y", "%b[]y"), Some(v(&["[[x]]y"])));
        assert_eq!(lmatch("THE (quick) fox", "%f[%a]%a+"), Some(v(&["THE"])));
        assert_eq!(lgmatch("THE (quick) fox", "%f[%a]%a+").len(), 3);
        assert_eq!(lmatch("foo bar", "%f[%a]%a+$"), Some(v(&["bar"])));
        // Positions outside the subject count as '\0'.
        assert_eq!(lfind("abc", "%f[%z]"), Some((4, 3, vec![])));
        assert_eq!(lfind("abc", "%f[^%z]"), Some((1, 0, vec![])));
        assert_eq!(lfind("abc", "%f[%Z]"), Some((1, 0, vec![])));
        assert_eq!(lfind("ab", "%f[%W]"), Some((3, 2, vec![])));
        assert_eq!(
            err("a", "%b"),
            "malformed pattern (missing arguments to '%b')"
        );
        assert_eq!(
            err("a", "%bx"),
            "malformed pattern (missing arguments to '%b')"
        );
        assert_eq!(err("a", "%f"), "missing '[' after '%f' in pattern");
        assert_eq!(err("a", "%fa"), "missing '[' after '%f' in pattern");
        assert_eq!(err("a", "%f[a"), "malformed pattern (missing ']')");
    }

    #[test]
    fn malformed() {
        assert_eq!(err("a", "%"), "malformed pattern (ends with '%')");
        assert_eq!(err("a", "a%"), "malformed pattern (ends with '%')");
        assert_eq!(err("a", "["), "malformed pattern (missing ']')");
        assert_eq!(err("a", "[]"), "malformed pattern (missing ']')");
        assert_eq!(err("a", "[^]"), "malformed pattern (missing ']')");
        assert_eq!(err("a", "[a%]"), "malformed pattern (missing ']')");
        assert_eq!(err("a", "[a%"), "malformed pattern (missing ']')");
        assert_eq!(err("a", ")"), "invalid pattern capture");
        assert_eq!(err("a", "a)"), "invalid pattern capture");
        assert_eq!(err("a", &"()".repeat(33)), "too many captures");
        assert!(lfind("a", &"()".repeat(32)).is_some());
        // Errors only surface when the matcher reaches them.
        assert_eq!(lfind("b", "a["), None);
        // An unclosed capture is only an error when its value is needed.
        let m = find(b"ab", b"(a", 0).unwrap().unwrap();
        assert_eq!(m.captures, vec![Capture::Unfinished]);
        assert_eq!(m.capture(0).unwrap_err().0, "unfinished capture");
        assert_eq!(lgsub("abc", "(b", "x"), ("axc".into(), 1));
        let e = gsub(b"abc", b"(b", b"%1", usize::MAX).unwrap_err();
        assert_eq!(e.0, "unfinished capture");
    }

    #[test]
    fn depth_and_step_limits() {
        let s = "a".repeat(250);
        assert_eq!(err(&s, &"a?".repeat(250)), "pattern too complex");
        assert!(lfind(&s, &"a?".repeat(190)).is_some());
        // Exponential backtracking is stopped by the step limit.
        let s = "a".repeat(40);
        let p = format!("{}b", "a*".repeat(20));
        let mut m = Matcher::new(s.as_bytes(), p.as_bytes()).with_step_limit(100_000);
        assert_eq!(m.find(0).unwrap_err().0, "pattern too complex");
        assert!(m.steps() > 100_000);
        let mut m = Matcher::new(b"hello world", b"o w").with_step_limit(1000);
        assert!(m.find(0).unwrap().is_some());
        assert!(m.steps() > 0 && m.steps() < 100);
    }

    #[test]
    fn deep_recursion_fits_small_stack() {
        // 200 nested matcher calls must fit comfortably in a 1 MiB (wasm)
        // stack even unoptimised (measured: ~1.5 KiB per level in debug builds,
        // ~0.2 KiB in release).
        let handle = std::thread::Builder::new()
            .stack_size(512 * 1024)
            .spawn(|| {
                let s = "a".repeat(300);
                [
                    find(s.as_bytes(), "a?".repeat(199).as_bytes(), 0),
                    find(s.as_bytes(), "(a)".repeat(31).as_bytes(), 0),
                    find(s.as_bytes(), "a*".repeat(199).as_bytes(), 0),
                    find(s.as_bytes(), "a-".repeat(250).as_bytes(), 0),
                ]
                .map(|r| r.map(|m| m.map(|m| m.end)))
            })
            .unwrap();
        let too_complex = Err(PatternError("pattern too complex".into()));
        let expected = [Ok(Some(199)), Ok(Some(31)), Ok(Some(300)), too_complex];
        assert_eq!(handle.join().unwrap(), expected);
    }

    #[test]
    fn gsub_and_gmatch() {
        assert_eq!(lgsub("abc", "%w*", "-"), ("-".into(), 1));
        assert_eq!(lgsub("hello world", "%w*", "-"), ("- -".into(), 2));
        assert_eq!(lgsub("abc", "", "-"), ("-a-b-c-".into(), 4));
        assert_eq!(lgsub("abc", "b*", "-"), ("-a-c-".into(), 3));
        assert_eq!(lgsub("hello world", "o", "0"), ("hell0 w0rld".into(), 2));
        assert_eq!(lgsub("hello", "^h", "H"), ("Hello".into(), 1));
        assert_eq!(lgsub("hello", "^l", "L"), ("hello".into(), 0));
        assert_eq!(lgsub("abc", "^", ">"), (">abc".into(), 1));
        assert_eq!(lgsub("abc", "$", "<"), ("abc<".into(), 1));
        assert_eq!(
            lgsub("hello world", "(%w+)", "<%1>"),
            ("<hello> <world>".into(), 2)
        );
        assert_eq!(lgsub("abc", "%w", "%0%0"), ("aabbcc".into(), 3));
        assert_eq!(lgsub("abc", "b", "%%"), ("a%c".into(), 1));
        assert_eq!(lgsub("abc", "()b", "%1"), ("a2c".into(), 1));
        let (out, n) = gsub(b"aaa", b"a", b"b", 2).unwrap();
        assert_eq!((out.as_slice(), n), (&b"bba"[..], 2));
        assert_eq!(gsub(b"aaa", b"a", b"b", 0).unwrap(), (b"aaa".to_vec(), 0));
        assert_eq!(lgmatch("one two", "%a+"), vec![v(&["one"]), v(&["two"])]);
        assert_eq!(
            lgmatch("k=v, a=b", "(%w+)=(%w+)"),
            vec![v(&["k", "v"]), v(&["a", "b"])]
        );
        assert_eq!(lgmatch("abc", "%w*"), vec![v(&["abc"])]);
        assert_eq!(lgmatch("ab", ""), vec![v(&[""]), v(&[""]), v(&[""])]);
    }

    #[test]
    fn replacement_errors() {
        let m = find(b"abc", b"b", 0).unwrap().unwrap();
        let mut out = Vec::new();
        let e = |r: &[u8]| {
            expand_replacement(r, b"abc", &m, &mut Vec::new())
                .unwrap_err()
                .0
        };
        assert_eq!(e(b"%"), "invalid use of '%' in replacement string");
        assert_eq!(e(b"x%y"), "invalid use of '%' in replacement string");
        assert_eq!(e(b"%2"), "invalid capture index %2");
        expand_replacement(b"[%1|%0]", b"abc", &m, &mut out).unwrap();
        assert_eq!(out, b"[b|b]");
    }

    #[test]
    fn resumable_state() {
        // The state can be paired with a fresh matcher on every call.
        let (src, pat) = (&b"a1b22c"[..], &b"%d+"[..]);
        let mut state = GlobalState::gmatch();
        let mut found = Vec::new();
        while let Some(m) = Matcher::new(src, pat).next_match(&mut state).unwrap() {
            found.push(&src[m.start..m.end]);
        }
        assert_eq!(found, [&b"1"[..], b"22"]);
        assert!(state.is_done());
        assert_eq!(Matcher::new(src, pat).next_match(&mut state).unwrap(), None);
    }

    #[test]
    fn specials_and_plain() {
        assert!(!has_specials(b"abc)]"));
        for p in [
            &b"a^"[..],
            b"$",
            b"*",
            b"+",
            b"?",
            b".",
            b"(",
            b"[",
            b"%",
            b"-",
        ] {
            assert!(has_specials(p));
        }
        assert_eq!(find_plain(b"a.b.c", b".", 2), Some(3));
        assert_eq!(find_plain(b"abc", b"", 3), Some(3));
        assert_eq!(find_plain(b"abc", b"", 4), None);
        assert_eq!(find_plain(b"abc", b"abcd", 0), None);
    }
}

/// Differential check against PUC Lua 5.3 (`lua5.3` on PATH; skipped when
/// absent): every case goes through string.find, string.match, string.gmatch
/// and string.gsub in both implementations and the printed results must agree.
#[cfg(test)]
mod lua_differential {
    use super::*;
    use std::fmt::Write as _;
    use std::process::{Command, Stdio};

    struct Case {
        s: Vec<u8>,
        p: Vec<u8>,
        init: i64,
        repl: Vec<u8>,
        max: Option<i64>,
    }

    const HAND_PICKED: &[(&[u8], &[u8])] = &[
        (b"hello world", b"o w"),
        (b"hello world", b"(o)(r)"),
        (b"hello", b"l+"),
        (b"hello", b"l*"),
        (b"hello", b"l-"),
        (b"hello", b"l-o"),
        (b"hello", b"h?e"),
        (b"hello", b"x?h"),
        (b"", b""),
        (b"", b"^$"),
        (b"", b".*"),
        (b"", b"()"),
        (b"abc", b""),
        (b"abc", b"$"),
        (b"abc", b"^"),
        (b"abc", b"%w*"),
        (b"hello world from Lua", b"%w*"),
        (b"hello world", b"%w+"),
        (b"abc", b"b*"),
        (b"abc", b"x*"),
        (b"a,b,,c", b"[^,]*"),
        (b"a,b,,c", b",?"),
        (b"abc", b".-"),
        (b"abc", b"()"),
        (b"abc", b"()a()"),
        (b"abc", b"^(a)"),
        (b"xabc", b"^(a)"),
        (b"a$b", b"a$b"),
        (b"a$", b"a$"),
        (b"a^b", b"a^b"),
        (b"^ab", b"^^a"),
        (b"f(a(b)c) d", b"%b()"),
        (b"f(a(b c", b"%b()"),
        (b"xaay", b"%baa"),
        (b"[[x]]y", b"%b[]y"),
        (b"((", b"%b()"),
        (b"THE (quick) fox", b"%f[%a]%a+"),
        (b"THE (quick) fox", b"%f[%A]"),
        (b"abc", b"%f[%z]"),
        (b"abc", b"%f[^%z]"),
        (b"a\0b", b"%f[%z]"),
        (b"a\0b", b"%f[^%z]."),
        (b"say 'hi' and \"bye\"", b"([\"'])(.-)%1"),
        (b"abab", b"(ab)%1"),
        (b"xx", b"(x*)%1"),
        (b"aa", b"()a%1"),
        (b"aXbX", b"(%u).%1"),
        (b"abc", b"((a)(b))"),
        (b"abc", b"(a(b(c)))"),
        (b"abc", b"(a)(b)(c)%3%2%1"),
        (b"abccba", b"(a)(b)(c)%3%2%1"),
        (b"key = value", b"(%w+)%s*=%s*(%w+)"),
        (b"a \t\x0b\x0c\r\nb", b"%s+"),
        (b"\x00\x01\x1f\x7f\x80", b"%c+"),
        (b"!\"#/:@[`{~", b"%p+"),
        (b"\xe9t\xe9", b"%a+"),
        (b"\xe9t\xe9", b"%A+"),
        (b"\xe9t\xe9", b"[\x80-\xff]+"),
        (b"\xe9t\xe9", b"[^\x80-\xff]+"),
        (b"a\0b\0c", b"\0"),
        (b"a\0b\0c", b"%z"),
        (b"a\0b\0c", b"%Z+"),
        (b"a\0b\0c", b"[\0b]+"),
        (b"a\0b\0c", b"[^\0]+"),
        (b"abc-]x", b"[]-]+"),
        (b"abc]", b"[^]]+"),
        (b"a-z", b"[z-]+"),
        (b"a-z", b"[-a]+"),
        (b"x^y", b"[%^]"),
        (b"x^y", b"[x^]+"),
        (b"a]", b"[%]]"),
        (b"cba", b"[c-a]"),
        (b"a-b", b"[a%-c]+"),
        (b"a%b", b"[%%]"),
        (b"a", b"%"),
        (b"a", b"a%"),
        (b"a", b"["),
        (b"a", b"[]"),
        (b"a", b"[^]"),
        (b"a", b"[a%]"),
        (b"a", b"[a%"),
        (b"a", b"[^"),
        (b"a", b")"),
        (b"a", b"a)"),
        (b"a", b"%b"),
        (b"a", b"%bx"),
        (b"a", b"%f"),
        (b"a", b"%fa"),
        (b"a", b"%f[a"),
        (b"a", b"%1"),
        (b"a", b"(a%1)"),
        (b"a", b"(a)%0"),
        (b"aa", b"(a)%2"),
        (b"b", b"a["),
        (b"b", b"b["),
        (b"ab", b"(a"),
        (b"abc", b"(b"),
        (b"abc", b"b(()"),
        (b"a*b", b"*"),
        (b"a+b", b"+a"),
        (b"a-b", b"-"),
        (b"a?b", b"?"),
        (b"aaa", b"a?a?a?a?aaa"),
        (b"<a><b>", b"<.*>"),
        (b"<a><b>", b"<.->"),
        (b"  trim me  ", b"^%s*(.-)%s*$"),
        (b"2024-01-15", b"(%d+)-(%d+)-(%d+)"),
        (b"one two  three", b"%S+"),
        (b"x = 1, y = 2", b"(%w+) = (%w+)"),
        (b"abc", b"%a-$"),
        (b"abc", b".-$"),
        (b"abc", b"a*$"),
        (b"", b"^"),
        (b"", b"x*"),
        (b"", b"%f[%z]"),
        (b"abc", b"^%w*"),
        (b"aaa", b"^a-"),
        (b"aab", b"((a)%2)"),
        (b"aab", b"((a)%1)"),
        (b"aab", b"(()a)%2"),
        (b"'a' 'b'", b"%b''"),
        (b"x\xe9\xe9y", b"%f[\x80-\xff]."),
        (b"x\xe9\xe9y", b"%f[^\x80-\xff]."),
        (b"\xff\xfe", b"[\xfe-\xff]+$"),
        (b"a\0\0b", b"%z*"),
        (b"a\0\0b", b"\0-b"),
        (b"one;two;;three", b"([^;]*)"),
        (b"1, 22, 333", b"%d+"),
        (b"path/to/file.txt", b"^(.-)([^/]-)%.?([^%./]*)$"),
    ];

    const SUBJECT_BYTES: &[u8] = b"aaabbc()[]%-.^$ \t\0\x80\xe9\xff09AZ_x";
    const TOKENS: &[&[u8]] = &[
        b"a",
        b"b",
        b"c",
        b"x",
        b".",
        b"%a",
        b"%d",
        b"%s",
        b"%w",
        b"%W",
        b"%p",
        b"%u",
        b"%l",
        b"%x",
        b"%c",
        b"%z",
        b"%g",
        b"%%",
        b"%.",
        b"%-",
        b"%]",
        b"[ab]",
        b"[^a]",
        b"[a-c]",
        b"[%a_]",
        b"[]a]",
        b"[^]a]",
        b"[a-]",
        b"[-a]",
        b"[%d-z]",
        b"[\0]",
        b"[\x80-\xff]",
        b"\xe9",
        b"\0",
        b"*",
        b"+",
        b"-",
        b"?",
        b"*",
        b"+",
        b"-",
        b"?",
        b"(",
        b")",
        b"()",
        b"(",
        b")",
        b"%1",
        b"%2",
        b"%0",
        b"%b()",
        b"%bab",
        b"%b",
        b"%f[%w]",
        b"%f[%W]",
        b"%f[a]",
        b"%f[^%z]",
        b"%f",
        b"$",
        b"^",
        b"[",
        b"]",
        b"%",
        b" ",
        b"%s*",
        b"a*",
        b"a-",
        b"b+",
        b".-",
        b".*",
    ];
    const ATOMS: &[&[u8]] = &[
        b"a", b"b", b".", b"%a", b"%d", b"%s", b"%w", b"%W", b"[ab]", b"[^a]", b"[a-c]", b"%b()",
        b"%f[%w]", b"%f[%W]", b"x", b"%1", b"%z",
    ];
    const QUANTIFIERS: &[&[u8]] = &[b"", b"", b"*", b"+", b"-", b"?"];
    const INITS: &[i64] = &[1, 1, 1, 1, 1, 2, 3, -1, -2, 0, -100, 5, 11, 12];
    const REPLS: &[&[u8]] = &[
        b"<%0>", b"%1", b"[%2|%1]", b"%%", b"x", b"", b"%", b"%a", b"%9", b"%0%0", b"%1%1",
    ];
    const MAXES: &[Option<i64>] = &[None, None, None, None, Some(0), Some(1), Some(2), Some(-1)];

    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }

        fn pick<T: Copy>(&mut self, items: &[T]) -> T {
            items[self.below(items.len())]
        }
    }

    fn cases() -> Vec<Case> {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut cases: Vec<Case> = HAND_PICKED
            .iter()
            .enumerate()
            .map(|(i, (s, p))| Case {
                s: s.to_vec(),
                p: p.to_vec(),
                init: if i % 4 == 3 { rng.pick(INITS) } else { 1 },
                repl: REPLS[i % REPLS.len()].to_vec(),
                max: None,
            })
            .collect();
        // Limits: recursion depth and capture count.
        let long = b"a".repeat(250);
        for p in [
            "a?".repeat(250),
            "a?".repeat(199),
            "a-".repeat(201),
            "()".repeat(33),
        ] {
            cases.push(Case {
                s: long.clone(),
                p: p.into_bytes(),
                init: 1,
                repl: b"%0".to_vec(),
                max: Some(1),
            });
        }
        for _ in 0..800 {
            let s = (0..rng.below(11))
                .map(|_| rng.pick(SUBJECT_BYTES))
                .collect();
            let mut p = Vec::new();
            for _ in 0..1 + rng.below(4) {
                p.extend_from_slice(rng.pick(TOKENS));
            }
            cases.push(Case {
                s,
                p,
                init: rng.pick(INITS),
                repl: rng.pick(REPLS).to_vec(),
                max: rng.pick(MAXES),
            });
        }
        // Mostly well-formed patterns over a matching alphabet, so that
        // most calls produce matches and captures rather than errors.
        for _ in 0..500 {
            let s = (0..3 + rng.below(14))
                .map(|_| rng.pick(b"aaab b()(x)1 2\0"))
                .collect();
            let mut p = Vec::new();
            if rng.below(6) == 0 {
                p.push(b'^');
            }
            for _ in 0..1 + rng.below(3) {
                let item = [rng.pick(ATOMS), rng.pick(QUANTIFIERS)].concat();
                match rng.below(10) {
                    0..=2 => p.extend([&b"("[..], &item, b")"].concat()),
                    3 => p.extend([&b"()"[..], &item].concat()),
                    _ => p.extend(item),
                }
            }
            if rng.below(6) == 0 {
                p.push(b'$');
            }
            cases.push(Case {
                s,
                p,
                init: if rng.below(3) == 0 {
                    rng.pick(INITS)
                } else {
                    1
                },
                repl: rng.pick(REPLS).to_vec(),
                max: rng.pick(MAXES),
            });
        }
        cases
    }

    fn lua_str(b: &[u8]) -> String {
        let mut out = String::from("\"");
        for &c in b {
            let _ = write!(out, "\\{c:03}");
        }
        out.push('"');
        out
    }

    fn hex(b: &[u8]) -> String {
        b.iter().map(|c| format!("{c:02x}")).collect()
    }

    const DRIVER: &str = r#"
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
local function val(v)
  if type(v) == "string" then return "s" .. hex(v) elseif v == nil then return "nil" end
  return "n" .. tostring(v)
end
local function vals(r, i, j) local o = {} for k = i, j do o[#o + 1] = val(r[k]) end return table.concat(o, ",") end
local function call(f, ...)
  local r = table.pack(pcall(f, ...))
  if not r[1] then return "E:" .. tostring(r[2]) end
  return vals(r, 2, r.n)
end
for _, c in ipairs(cases) do
  local s, p, init, repl, max = c[1], c[2], c[3], c[4], c[5]
  print("F " .. call(string.find, s, p, init))
  print("M " .. call(string.match, s, p, init))
  -- Call the iterator through pcall so errors carry no "file:line:" prefix.
  local parts, it = {}, string.gmatch(s, p)
  for _ = 1, 100 do
    local r = table.pack(pcall(it))
    if not r[1] then parts[#parts + 1] = "E:" .. tostring(r[2]) break end
    if r[2] == nil then break end
    parts[#parts + 1] = vals(r, 2, r.n)
  end
  print("G " .. table.concat(parts, ";"))
  print("S " .. call(string.gsub, s, p, repl, max))
end
"#;

    /// Lua's `init` argument to a 0-based offset (`posrelat` + clamping in
    /// `str_find_aux`); `None` means the call returns nil.
    fn lua_init(init: i64, len: usize) -> Option<usize> {
        let len = len as i64;
        let pos = if init >= 0 {
            init
        } else {
            (len + init + 1).max(0)
        };
        usize::try_from(pos.clamp(1, len + 2) - 1)
            .ok()
            .filter(|&p| p <= len as usize)
    }

    fn value(src: &[u8], m: &Match, i: usize) -> Result<String, PatternError> {
        Ok(match m.capture(i)? {
            Capture::Span { start, end } => format!("s{}", hex(&src[start..end])),
            Capture::Position(p) => format!("n{p}"),
            Capture::Unfinished => unreachable!(),
        })
    }

    fn find_or_match(c: &Case, is_find: bool) -> Result<String, PatternError> {
        let Some(init) = lua_init(c.init, c.s.len()) else {
            return Ok("nil".into());
        };
        if is_find && !has_specials(&c.p) {
            return Ok(match find_plain(&c.s, &c.p, init) {
                Some(st) => format!("n{},n{}", st + 1, st + c.p.len()),
                None => "nil".into(),
            });
        }
        let Some(m) = find(&c.s, &c.p, init)? else {
            return Ok("nil".into());
        };
        let mut vals = Vec::new();
        if is_find {
            vals.push(format!("n{},n{}", m.start + 1, m.end));
            for i in 0..m.captures.len() {
                vals.push(value(&c.s, &m, i)?);
            }
        } else {
            for i in 0..m.value_count() {
                vals.push(value(&c.s, &m, i)?);
            }
        }
        Ok(vals.join(","))
    }

    fn gmatch_line(c: &Case) -> String {
        let mut parts = Vec::new();
        let mut matcher = Matcher::new(&c.s, &c.p);
        let result = matcher.gmatch().take(100).try_for_each(|m| {
            let m = m?;
            let vals: Result<Vec<_>, _> =
                (0..m.value_count()).map(|i| value(&c.s, &m, i)).collect();
            parts.push(vals?.join(","));
            Ok::<_, PatternError>(())
        });
        if let Err(e) = result {
            parts.push(format!("E:{e}"));
        }
        parts.join(";")
    }

    fn gsub_line(c: &Case) -> String {
        let max_n = match c.max {
            None => c.s.len() + 1,
            Some(n) => usize::try_from(n).unwrap_or(0),
        };
        match gsub(&c.s, &c.p, &c.repl, max_n) {
            Ok((out, n)) => format!("s{},n{n}", hex(&out)),
            Err(e) => format!("E:{e}"),
        }
    }

    fn ours(c: &Case) -> [String; 4] {
        let flat = |r: Result<String, PatternError>| r.unwrap_or_else(|e| format!("E:{e}"));
        [
            format!("F {}", flat(find_or_match(c, true))),
            format!("M {}", flat(find_or_match(c, false))),
            format!("G {}", gmatch_line(c)),
            format!("S {}", gsub_line(c)),
        ]
    }

    #[test]
    fn matches_puc_lua() {
        let cases = cases();
        let mut script = String::from("local cases = {\n");
        for c in &cases {
            let max = c.max.map_or("nil".to_string(), |m| m.to_string());
            let (s, p, r) = (lua_str(&c.s), lua_str(&c.p), lua_str(&c.repl));
            let _ = writeln!(script, "{{{s}, {p}, {}, {r}, {max}}},", c.init);
        }
        script.push_str("}\n");
        script.push_str(DRIVER);

        let child = Command::new("lua5.3")
            .arg("-")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        let Ok(mut child) = child else {
            eprintln!("lua5.3 not found; skipping differential test");
            return;
        };
        {
            use std::io::Write as _;
            let mut stdin = child.stdin.take().unwrap();
            stdin.write_all(script.as_bytes()).unwrap();
        }
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let lua = String::from_utf8(output.stdout).unwrap();
        let lua: Vec<&str> = lua.lines().collect();
        assert_eq!(lua.len(), cases.len() * 4);

        let mut failures = Vec::new();
        for (c, expected) in cases.iter().zip(lua.chunks(4)) {
            for (got, want) in ours(c).iter().zip(expected) {
                if got != want {
                    failures.push(format!(
                        "s={} p={} init={} repl={} max={:?}\n  lua:  {want}\n  ours: {got}",
                        lua_str(&c.s),
                        lua_str(&c.p),
                        c.init,
                        lua_str(&c.repl),
                        c.max
                    ));
                }
            }
        }
        // Show that the cases exercise all outcomes, not just errors or nils.
        for kind in ["F ", "M ", "G ", "S "] {
            let lines: Vec<&str> = lua.iter().filter_map(|l| l.strip_prefix(kind)).collect();
            let errors = lines.iter().filter(|l| l.contains("E:")).count();
            let empty = lines
                .iter()
                .filter(|l| **l == "nil" || l.is_empty())
                .count();
            eprintln!(
                "differential {kind}: {} calls, {errors} errors, {empty} nil/no match, {} with results",
                lines.len(),
                lines.len() - errors - empty
            );
        }

        let mut failures = Vec::new();
        for (c, expected) in cases.iter().zip(lua.chunks(4)) {
            for (got, want) in ours(c).iter().zip(expected) {
                if got != want {
                    failures.push(format!(
                        "s={} p={} init={} repl={} max={:?}\n  lua:  {want}\n  ours: {got}",
                        lua_str(&c.s),
                        lua_str(&c.p),
                        c.init,
                        lua_str(&c.repl),
                        c.max
                    ));
                }
            }
        }
        for k in ["F ", "M ", "G ", "S "] {
            for (lbl, lo, hi) in [
                ("hand", 0, 113 * 4),
                ("rand", 117 * 4, 917 * 4),
                ("wf", 917 * 4, lua.len()),
            ] {
                let sl = &lua[lo..hi];
                let tot = sl.iter().filter(|l| l.starts_with(k)).count();
                let nil = sl
                    .iter()
                    .filter(|l| l.starts_with(k) && (l[2..] == *"nil" || l.len() == 2))
                    .count();
                let e = sl
                    .iter()
                    .filter(|l| l.starts_with(k) && l.contains("E:"))
                    .count();
                eprintln!("DBG {k}{lbl}: {tot} total {nil} nil {e} err");
            }
        }
        assert!(
            failures.is_empty(),
            "{} mismatches:\n{}",
            failures.len(),
            failures[..failures.len().min(15)].join("\n")
        );
    }
}
