//! Java `java.util.regex` patterns, as API Gateway evaluates selection patterns, emulated on
//! fancy-regex by translation.
//!
//! The translator parses Java syntax and writes an equivalent pattern in fancy-regex syntax,
//! spelling out every place where the two engines differ: `\d \w \s` are ASCII in Java,
//! `.` excludes five line terminators, `$` also matches before a final line terminator,
//! `(?i)` folds only ASCII unless `(?u)`, `(?x)` ignores white space inside classes,
//! possessive quantifiers are atomic groups, `\Q..\E` quotes. What it cannot reproduce
//! exactly is recorded in [`JavaRegex::inexact`] and the result is then a best guess.
use crate::checks::budget::charge;
use fancy_regex::{Regex, RegexBuilder};
use std::fmt::Write as _;

/// Steps fancy-regex may backtrack before giving up; Java has no such bound, so a pattern
/// that hits it is reported instead of hanging the tool.
const BACKTRACK_LIMIT: usize = 1_000_000;
/// Repetition counts above this are not emulated (the compiled automaton would be huge).
const MAX_REPEAT: u32 = 1000;

/// The worst-case steps of one evaluation: the linear engine (patterns without lookaround,
/// back references or atomic groups) costs input length times pattern length; the
/// backtracking engine is charged the square of the input (an atomic group retried at each
/// position of a `.*` is quadratic, and the backtracking limit does not count it); an
/// unanchored search tries every start position. A run that hits the backtracking limit is
/// charged that limit on top.
fn cost(input: usize, pattern: usize, fancy: bool, anchored: bool) -> u64 {
    let (n, m) = (input as u64 + 1, pattern as u64 + 1);
    if !fancy {
        return n.saturating_mul(m);
    }
    let one = n.saturating_mul(n).saturating_mul(m);
    if anchored { one } else { one.saturating_mul(n) }
}

/// A translated pattern that expands past this many items is not compiled.
const MAX_EXPANDED: u64 = 20_000;
/// Steps charged per item of the expanded pattern: compiling a 20,000-item expansion costs
/// about 40 ms (release build), a tenth of the command's budget.
const STEPS_PER_EXPANDED_ATOM: u64 = 50_000;
/// What one class, `.` or class escape (`\w`, `\d`, `\p{L}`) counts as: in Unicode mode the
/// engine builds it as a UTF-8 automaton of dozens of states, not one.
const CLASS_ITEMS: u64 = 20;

/// About how many items a pattern in the regex crate's syntax expands to once counted
/// repetitions (`{n}`, `{n,m}`) are unrolled: a literal counts one, a class [`CLASS_ITEMS`],
/// a group what it holds, and a counted repetition multiplies its atom by its largest count.
fn expanded_size(pattern: &str) -> u64 {
    let chars: Vec<char> = pattern.chars().collect();
    let mut groups: Vec<u64> = vec![0];
    let mut last: u64 = 0;
    let mut i = 0;
    let add = |groups: &mut Vec<u64>, n: u64| {
        if let Some(top) = groups.last_mut() {
            *top = top.saturating_add(n);
        }
    };
    while i < chars.len() {
        match chars[i] {
            '\\' => {
                i += 1;
                let class = matches!(
                    chars.get(i),
                    Some('p' | 'P' | 'w' | 'W' | 'd' | 'D' | 's' | 'S' | 'b' | 'B')
                );
                if matches!(chars.get(i), Some('p' | 'P' | 'x')) && chars.get(i + 1) == Some(&'{') {
                    while i < chars.len() && chars[i] != '}' {
                        i += 1;
                    }
                }
                last = if class { CLASS_ITEMS } else { 1 };
                add(&mut groups, last);
            }
            '[' => {
                let mut depth = 0;
                while i < chars.len() {
                    match chars[i] {
                        '\\' => i += 1,
                        '[' => depth += 1,
                        ']' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                last = CLASS_ITEMS;
                add(&mut groups, last);
            }
            '(' => groups.push(0),
            ')' => {
                last = groups.pop().unwrap_or(0);
                if groups.is_empty() {
                    groups.push(0);
                }
                add(&mut groups, last);
            }
            '{' => {
                let close = (i..chars.len()).find(|&j| chars[j] == '}');
                let counts: Option<Vec<u64>> = close.and_then(|close| {
                    chars[i + 1..close]
                        .iter()
                        .collect::<String>()
                        .split(',')
                        .map(|n| {
                            if n.is_empty() {
                                Some(0)
                            } else {
                                n.parse().ok()
                            }
                        })
                        .collect()
                });
                match (close, counts) {
                    (Some(close), Some(counts)) => {
                        let times = counts.iter().copied().max().unwrap_or(1).max(1);
                        add(&mut groups, last.saturating_mul(times - 1));
                        last = last.saturating_mul(times);
                        i = close;
                    }
                    _ => {
                        last = 1;
                        add(&mut groups, 1);
                    }
                }
            }
            '*' | '+' | '?' | '|' | '^' | '$' => {}
            '.' => {
                last = CLASS_ITEMS;
                add(&mut groups, last);
            }
            _ => {
                last = 1;
                add(&mut groups, 1);
            }
        }
        i += 1;
    }
    groups.iter().fold(0u64, |a, b| a.saturating_add(*b))
}

/// Steps charged per pattern character for compiling it (see `JavaRegex::compile`).
const COMPILE_STEPS_PER_CHAR: u64 = 2_000;

/// Java's line terminators, for `.`, `$`, `\Z`.
const LINE_TERMINATORS: &str = r"\n\r\x{85}\x{2028}\x{2029}";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
    /// Character index in the pattern, as Java's PatternSyntaxException reports it.
    pub index: usize,
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} near index {}", self.message, self.index)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Match,
    NoMatch,
    /// The emulation could not decide (backtracking limit, or a construct it cannot run).
    Unknown,
}

#[derive(Debug)]
pub struct JavaRegex {
    pub source: String,
    /// The translation needs fancy-regex's backtracking engine (lookaround, back
    /// references, atomic groups); the others run on the linear-time regex crate.
    fancy: bool,
    /// Length of the translated pattern, for the evaluation cost.
    translated_len: usize,
    full: Option<Regex>,
    search: Option<Regex>,
    /// Why the emulation may differ from Java for this pattern (empty: exact).
    pub inexact: Vec<String>,
    /// The pattern uses `.` without DOTALL somewhere.
    pub uses_dot: bool,
    /// A quantified group contains an unbounded quantifier: `(a+)+`.
    pub nested_quantifier: bool,
    dotall: Option<Box<JavaRegex>>,
}

impl JavaRegex {
    pub fn compile(source: &str) -> Result<JavaRegex, SyntaxError> {
        // Building the automata is charged 2,000 steps per pattern character (measured:
        // 2,000 distinct 1.1 KB patterns compile and run in 1.3 s): past the command's
        // budget, a pattern is not compiled, and says so.
        if !charge(COMPILE_STEPS_PER_CHAR.saturating_mul(source.len() as u64 + 1)) {
            return Ok(Self::not_evaluated(
                source,
                "not compiled: the command's evaluation budget is spent (thousands of long distinct patterns)".to_string(),
            ));
        }
        Self::compile_with(source, false)
    }

    /// A pattern the emulation will not run: every verdict is Unknown, and `why` says so.
    fn not_evaluated(source: &str, why: String) -> JavaRegex {
        JavaRegex {
            source: source.to_string(),
            fancy: true,
            translated_len: 0,
            full: None,
            search: None,
            inexact: vec![why],
            uses_dot: false,
            nested_quantifier: false,
            dotall: None,
        }
    }

    fn compile_with(source: &str, force_dotall: bool) -> Result<JavaRegex, SyntaxError> {
        let mut t = Translator::new(source, force_dotall);
        if let Err(e) = t.translate() {
            if !t.too_deep {
                return Err(e);
            }
            // Not a Java syntax error: a pattern the emulation will not evaluate.
            return Ok(Self::not_evaluated(
                source,
                format!(
                    "groups or classes {} (near index {}): the emulation does not evaluate it",
                    e.message, e.index
                ),
            ));
        }
        // Counted repetitions multiply what they repeat: `(.{1000}){1000}` is a million
        // states, which the engine builds for a long time before refusing. Such patterns are
        // not evaluated, and compiling is charged by the expanded size.
        let expanded = expanded_size(&t.out);
        if expanded > MAX_EXPANDED || !charge(STEPS_PER_EXPANDED_ATOM.saturating_mul(expanded)) {
            return Ok(Self::not_evaluated(
                source,
                format!(
                    "its counted repetitions expand to about {expanded} pattern items (the emulation evaluates at most {MAX_EXPANDED}, within the command's evaluation budget)"
                ),
            ));
        }
        let mut inexact = t.inexact;
        let build = |p: String, inexact: &mut Vec<String>| match RegexBuilder::new(&p)
            .backtrack_limit(BACKTRACK_LIMIT)
            .build()
        {
            Ok(r) => Some(r),
            Err(e) => {
                let why = format!("the emulating engine cannot run it ({e})");
                if !inexact.contains(&why) {
                    inexact.push(why);
                }
                None
            }
        };
        let full = build(format!(r"\A(?:{})\z", t.out), &mut inexact);
        let search = build(t.out.clone(), &mut inexact);
        let dotall = if t.uses_dot && !force_dotall {
            Self::compile_with(source, true).ok().map(Box::new)
        } else {
            None
        };
        let fancy = ["(?=", "(?!", "(?<=", "(?<!", "(?>", "\\k<"]
            .iter()
            .any(|c| t.out.contains(c))
            || t.out
                .as_bytes()
                .windows(2)
                .any(|w| w[0] == b'\\' && w[1].is_ascii_digit());
        Ok(JavaRegex {
            source: source.to_string(),
            fancy,
            translated_len: t.out.len(),
            full,
            search,
            inexact,
            uses_dot: t.uses_dot,
            nested_quantifier: t.nested_quantifier,
            dotall,
        })
    }

    /// `Pattern.matches(pattern, input)`: the whole input must match.
    pub fn matches(&self, input: &str) -> Verdict {
        self.run(self.full.as_ref(), input, true)
    }

    /// `Matcher.find()`: the pattern matches somewhere in the input.
    pub fn find(&self, input: &str) -> Verdict {
        self.run(self.search.as_ref(), input, false)
    }

    fn run(&self, regex: Option<&Regex>, input: &str, anchored: bool) -> Verdict {
        let Some(regex) = regex else {
            return Verdict::Unknown;
        };
        if !charge(cost(input.len(), self.translated_len, self.fancy, anchored)) {
            return Verdict::Unknown;
        }
        match regex.is_match(input) {
            Ok(true) => Verdict::Match,
            Ok(false) => Verdict::NoMatch,
            Err(_) => {
                charge(BACKTRACK_LIMIT as u64);
                Verdict::Unknown
            }
        }
    }

    /// Whether the pattern would match the whole input if `.` matched line terminators too.
    pub fn matches_with_dotall(&self, input: &str) -> Verdict {
        match &self.dotall {
            Some(d) => d.matches(input),
            None => self.matches(input),
        }
    }

    pub fn is_exact(&self) -> bool {
        self.inexact.is_empty()
    }

    /// `String.replaceAll` / `replaceFirst`: Java's replacement syntax (`$1`, `\$`); stops
    /// once the result passes `limit` bytes.
    pub fn replace(&self, input: &str, replacement: &str, all: bool, limit: usize) -> Edit<String> {
        let Some(regex) = self.search.as_ref() else {
            return Edit::Undecided;
        };
        if !charge(cost(input.len(), self.translated_len, self.fancy, false)) {
            return Edit::Undecided;
        }
        let mut out = String::with_capacity(input.len().min(limit));
        let mut last = 0;
        for caps in regex.captures_iter(input) {
            let Ok(caps) = caps else {
                return Edit::Undecided;
            };
            let Some(m) = caps.get(0) else {
                return Edit::Undecided;
            };
            out.push_str(&input[last..m.start()]);
            java_replacement(replacement, &caps, &mut out);
            if out.len() > limit {
                return Edit::TooLarge;
            }
            last = m.end();
            if !all {
                break;
            }
        }
        out.push_str(&input[last..]);
        if out.len() > limit {
            return Edit::TooLarge;
        }
        Edit::Done(out)
    }

    /// `String.split(regex)`: trailing empty strings removed, as Java does; at most `limit`
    /// parts.
    pub fn split(&self, input: &str, limit: usize) -> Edit<Vec<String>> {
        let Some(regex) = self.search.as_ref() else {
            return Edit::Undecided;
        };
        if !charge(cost(input.len(), self.translated_len, self.fancy, false)) {
            return Edit::Undecided;
        }
        let mut parts = Vec::new();
        let mut last = 0;
        for m in regex.find_iter(input) {
            let Ok(m) = m else {
                return Edit::Undecided;
            };
            // Java drops a leading empty string produced by a zero-width match at 0.
            if m.end() == 0 {
                continue;
            }
            parts.push(input[last..m.start()].to_string());
            if parts.len() > limit {
                return Edit::TooLarge;
            }
            last = m.end();
        }
        parts.push(input[last..].to_string());
        while parts.len() > 1 && parts.last().is_some_and(String::is_empty) {
            parts.pop();
        }
        if parts.len() == 1 && parts[0].is_empty() && !input.is_empty() {
            parts.clear();
        }
        Edit::Done(parts)
    }
}

/// What a string edit by regex gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit<T> {
    Done(T),
    /// Its result passed the caller's size limit.
    TooLarge,
    /// The emulation could not decide (backtracking limit, budget, a construct it cannot run).
    Undecided,
}

/// Java's `Matcher.appendReplacement` syntax: `$n` inserts a group, `\x` a literal x.
fn java_replacement(replacement: &str, caps: &fancy_regex::Captures<'_, str>, out: &mut String) {
    let mut chars = replacement.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
            '$' => {
                let mut n = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    let candidate = format!("{n}{d}");
                    // Java takes more digits only while the group exists.
                    if !n.is_empty()
                        && candidate.parse::<usize>().unwrap_or(usize::MAX) >= caps.len()
                    {
                        break;
                    }
                    n = candidate;
                    chars.next();
                }
                if let Some(g) = n.parse::<usize>().ok().and_then(|i| caps.get(i)) {
                    out.push_str(g.as_str());
                }
            }
            c => out.push(c),
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Flags {
    case_insensitive: bool,
    multiline: bool,
    dotall: bool,
    unix_lines: bool,
    unicode_case: bool,
    comments: bool,
    unicode_class: bool,
}

struct Translator<'a> {
    source: &'a str,
    chars: Vec<char>,
    pos: usize,
    flags: Flags,
    out: String,
    groups: usize,
    names: Vec<String>,
    inexact: Vec<String>,
    uses_dot: bool,
    nested_quantifier: bool,
    /// Per open group: whether an unbounded quantifier was seen inside.
    unbounded_inside: Vec<bool>,
    /// Open groups and classes: the translation recurses, so the depth is bounded.
    depth: usize,
    too_deep: bool,
}

/// How deeply groups and character classes may nest before the emulation gives up (Java's
/// own compiler recurses too; real selection patterns nest a few levels, and the emulating
/// engine, fancy-regex, refuses patterns nested about 60 deep).
pub const MAX_NESTING: usize = 50;

/// What the last atom was, for quantifier handling.
struct Atom {
    start: usize,
    /// The atom is a group that contains an unbounded quantifier.
    has_unbounded: bool,
    /// The atom is already quantified: a second quantifier is a Java quirk or an error.
    quantified: bool,
}

impl<'a> Translator<'a> {
    fn new(source: &'a str, force_dotall: bool) -> Self {
        Translator {
            source,
            chars: source.chars().collect(),
            pos: 0,
            flags: Flags {
                dotall: force_dotall,
                ..Flags::default()
            },
            out: String::with_capacity(source.len() * 2),
            groups: 0,
            names: Vec::new(),
            inexact: Vec::new(),
            uses_dot: false,
            nested_quantifier: false,
            unbounded_inside: Vec::new(),
            depth: 0,
            too_deep: false,
        }
    }

    /// Enters a group or class; past MAX_NESTING the translation stops (see `compile_with`).
    fn enter(&mut self) -> Result<(), SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            self.too_deep = true;
            return self.error(format!("nested more than {MAX_NESTING} levels deep"));
        }
        Ok(())
    }

    fn error<T>(&self, message: impl Into<String>) -> Result<T, SyntaxError> {
        Err(SyntaxError {
            message: message.into(),
            index: self.pos,
        })
    }

    fn inexact(&mut self, why: impl Into<String>) {
        let why = why.into();
        if !self.inexact.contains(&why) {
            self.inexact.push(why);
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.pos + offset).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn translate(&mut self) -> Result<(), SyntaxError> {
        let _ = self.source;
        self.alternation()?;
        if self.pos < self.chars.len() {
            // Only an unmatched ')' stops the top-level alternation early.
            return self.error("Unmatched closing ')'");
        }
        Ok(())
    }

    /// Skips white space and `#` comments in COMMENTS mode.
    fn skip_comments(&mut self) {
        if !self.flags.comments {
            return;
        }
        while let Some(c) = self.peek() {
            if is_java_whitespace(c) {
                self.pos += 1;
            } else if c == '#' {
                while let Some(c) = self.peek() {
                    self.pos += 1;
                    if is_line_terminator(c) {
                        break;
                    }
                }
            } else {
                break;
            }
        }
    }

    fn alternation(&mut self) -> Result<(), SyntaxError> {
        self.sequence()?;
        while self.eat('|') {
            self.out.push('|');
            self.sequence()?;
        }
        Ok(())
    }

    fn sequence(&mut self) -> Result<(), SyntaxError> {
        let mut last: Option<Atom> = None;
        loop {
            self.skip_comments();
            let Some(c) = self.peek() else { return Ok(()) };
            match c {
                '|' | ')' => return Ok(()),
                '*' | '+' | '?' | '{' => {
                    let Some(atom) = last.as_mut() else {
                        return self.error(format!("Dangling meta character '{c}'"));
                    };
                    if atom.quantified {
                        if c == '{' {
                            self.inexact("a quantifier directly after another quantifier ({n} on a quantified item) is a Java quirk");
                        } else {
                            return self.error(format!("Dangling meta character '{c}'"));
                        }
                    }
                    self.quantifier(atom)?;
                }
                _ => {
                    let start = self.out.len();
                    let has_unbounded = self.atom()?;
                    // A flags-only group like (?i) writes nothing and is no atom.
                    last = (self.out.len() > start).then_some(Atom {
                        start,
                        has_unbounded,
                        quantified: false,
                    });
                }
            }
        }
    }

    fn quantifier(&mut self, atom: &mut Atom) -> Result<(), SyntaxError> {
        let c = self.peek().unwrap_or_default();
        self.pos += 1;
        let (text, unbounded) = match c {
            '*' => ("*".to_string(), true),
            '+' => ("+".to_string(), true),
            '?' => ("?".to_string(), false),
            _ => {
                let min = self.number();
                let Some(min) = min else {
                    return self.error("Illegal repetition");
                };
                let max = if self.eat(',') {
                    self.number()
                } else {
                    Some(min)
                };
                if !self.eat('}') {
                    return self.error("Unclosed counted closure");
                }
                if let Some(max) = max
                    && max < min
                {
                    return self.error("Illegal repetition range");
                }
                if min > MAX_REPEAT || max.is_some_and(|m| m > MAX_REPEAT) {
                    self.inexact(format!(
                        "repetition counts above {MAX_REPEAT} are not emulated"
                    ));
                }
                let text = match max {
                    Some(max) if max == min => format!("{{{min}}}"),
                    Some(max) => format!("{{{min},{max}}}"),
                    None => format!("{{{min},}}"),
                };
                (text, max.is_none() || max.is_some_and(|m| m > 1))
            }
        };
        if unbounded && atom.has_unbounded {
            self.nested_quantifier = true;
        }
        if unbounded && let Some(inside) = self.unbounded_inside.last_mut() {
            *inside = true;
        }
        if self.eat('+') {
            // Possessive: exactly an atomic group around the quantified atom.
            self.out.insert_str(atom.start, "(?>");
            let _ = write!(self.out, "{text})");
        } else if self.eat('?') {
            let _ = write!(self.out, "{text}?");
        } else {
            self.out.push_str(&text);
        }
        atom.quantified = true;
        Ok(())
    }

    fn number(&mut self) -> Option<u32> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        if self.pos == start {
            return None;
        }
        let digits: String = self.chars[start..self.pos].iter().collect();
        Some(digits.parse().unwrap_or(u32::MAX))
    }

    /// One atom; returns whether it is a group containing an unbounded quantifier.
    fn atom(&mut self) -> Result<bool, SyntaxError> {
        let c = self.peek().unwrap_or_default();
        self.pos += 1;
        match c {
            '(' => return self.group(),
            '[' => {
                let class = self.class()?;
                self.out.push_str(&class);
            }
            '.' => {
                self.uses_dot |= !self.flags.dotall;
                let dot = if self.flags.dotall {
                    r"(?s:.)".to_string()
                } else if self.flags.unix_lines {
                    r"[^\n]".to_string()
                } else {
                    format!("[^{LINE_TERMINATORS}]")
                };
                self.out.push_str(&dot);
            }
            '^' => {
                let caret = match (self.flags.multiline, self.flags.unix_lines) {
                    (false, _) => r"\A".to_string(),
                    (true, true) => r"(?:\A|(?<=\n)(?!\z))".to_string(),
                    (true, false) => {
                        r"(?:\A|(?<=[\n\x{85}\x{2028}\x{2029}])(?!\z)|(?<=\r)(?!\n|\z))".to_string()
                    }
                };
                self.out.push_str(&caret);
            }
            '$' => {
                let dollar = self.dollar(self.flags.multiline);
                self.out.push_str(&dollar);
            }
            '\\' => self.escape()?,
            _ => self.literal(c),
        }
        Ok(false)
    }

    fn dollar(&self, multiline: bool) -> String {
        match (multiline, self.flags.unix_lines) {
            (false, true) => r"(?=\n?\z)".to_string(),
            (false, false) => r"(?=(?:\r\n|(?<!\r)\n|[\r\x{85}\x{2028}\x{2029}])?\z)".to_string(),
            (true, true) => r"(?:\z|(?=\n))".to_string(),
            (true, false) => r"(?:\z|(?=[\r\x{85}\x{2028}\x{2029}])|(?<!\r)(?=\n))".to_string(),
        }
    }

    fn group(&mut self) -> Result<bool, SyntaxError> {
        let saved = self.flags;
        let open = if self.eat('?') {
            match self.peek() {
                Some(':') => {
                    self.pos += 1;
                    "(?:".to_string()
                }
                Some('=') => {
                    self.pos += 1;
                    "(?=".to_string()
                }
                Some('!') => {
                    self.pos += 1;
                    "(?!".to_string()
                }
                Some('>') => {
                    self.pos += 1;
                    "(?>".to_string()
                }
                Some('<') if matches!(self.peek_at(1), Some('=' | '!')) => {
                    let kind = self.peek_at(1).unwrap_or('=');
                    self.pos += 2;
                    format!("(?<{kind}")
                }
                Some('<') => {
                    self.pos += 1;
                    let name = self.group_name()?;
                    if self.names.contains(&name) {
                        return self
                            .error(format!("Named capturing group <{name}> is already defined"));
                    }
                    self.names.push(name.clone());
                    self.groups += 1;
                    format!("(?<{name}>")
                }
                _ => {
                    // Inline flags: (?idmsuxU-idmsuxU) or (?flags:X).
                    let mut on = true;
                    loop {
                        let Some(c) = self.peek() else {
                            return self.error("Unknown inline modifier");
                        };
                        self.pos += 1;
                        match c {
                            '-' => on = false,
                            ')' => return Ok(false), // flags apply to the rest of the group
                            ':' => break,
                            _ => self.set_flag(c, on)?,
                        }
                    }
                    "(?:".to_string()
                }
            }
        } else {
            self.groups += 1;
            "(".to_string()
        };
        self.out.push_str(&open);
        self.unbounded_inside.push(false);
        self.enter()?;
        self.alternation()?;
        self.depth -= 1;
        let inside = self.unbounded_inside.pop().unwrap_or(false);
        if !self.eat(')') {
            return self.error("Unclosed group");
        }
        self.out.push(')');
        self.flags = saved;
        if inside && let Some(outer) = self.unbounded_inside.last_mut() {
            *outer = true;
        }
        Ok(inside)
    }

    fn set_flag(&mut self, c: char, on: bool) -> Result<(), SyntaxError> {
        let f = &mut self.flags;
        match c {
            'i' => f.case_insensitive = on,
            'm' => f.multiline = on,
            's' => f.dotall = on,
            'd' => f.unix_lines = on,
            'u' => f.unicode_case = on,
            'x' => f.comments = on,
            'U' => {
                f.unicode_class = on;
                if on {
                    f.unicode_case = true;
                }
            }
            'c' => self.inexact("CANON_EQ is not emulated"),
            _ => return self.error("Unknown inline modifier"),
        }
        Ok(())
    }

    fn group_name(&mut self) -> Result<String, SyntaxError> {
        let start = self.pos;
        if !self.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
            return self.error("capturing group name does not start with a Latin letter");
        }
        while self.peek().is_some_and(|c| c.is_ascii_alphanumeric()) {
            self.pos += 1;
        }
        let name: String = self.chars[start..self.pos].iter().collect();
        if !self.eat('>') {
            return self.error("named capturing group is missing trailing '>'");
        }
        Ok(name)
    }

    /// A literal character outside a class, with Java's case-insensitivity rules.
    fn literal(&mut self, c: char) {
        let lit = if self.flags.case_insensitive && c.is_ascii_alphabetic() {
            format!("[{}{}]", c.to_ascii_lowercase(), c.to_ascii_uppercase())
        } else if self.flags.case_insensitive && self.flags.unicode_case && c.is_alphabetic() {
            format!("(?i:{})", escape_char(c))
        } else {
            escape_char(c)
        };
        self.out.push_str(&lit);
    }

    fn escape(&mut self) -> Result<(), SyntaxError> {
        let Some(c) = self.peek() else {
            return self.error("Unexpected internal error");
        };
        self.pos += 1;
        match c {
            'Q' => {
                while self.pos < self.chars.len() {
                    if self.peek() == Some('\\') && self.peek_at(1) == Some('E') {
                        self.pos += 2;
                        return Ok(());
                    }
                    let c = self.chars[self.pos];
                    self.pos += 1;
                    self.literal(c);
                }
            }
            'E' => {} // a stray \E is ignored by Java
            'b' | 'B' => {
                let w = if self.flags.unicode_class {
                    r"[\p{Alphabetic}\p{Mn}\p{Me}\p{Mc}\p{Nd}\p{Pc}\p{Join_Control}]"
                } else {
                    // Java 17's \b: Character.isLetterOrDigit or '_', even without (?U).
                    r"[\p{L}\p{Nd}_]"
                };
                let text = if c == 'b' {
                    format!("(?:(?<={w})(?!{w})|(?<!{w})(?={w}))")
                } else {
                    format!("(?:(?<={w})(?={w})|(?<!{w})(?!{w}))")
                };
                self.out.push_str(&text);
            }
            'A' | 'G' => self.out.push_str(r"\A"),
            'z' => self.out.push_str(r"\z"),
            'Z' => {
                let d = self.dollar(false);
                self.out.push_str(&d);
            }
            'R' => self
                .out
                .push_str(r"(?>\r\n|[\n\x{0B}\x{0C}\r\x{85}\x{2028}\x{2029}])"),
            'X' => {
                self.inexact(r"\X (grapheme cluster) is not emulated exactly");
                self.out.push_str(r"(?s:.)");
            }
            'k' => {
                if !self.eat('<') {
                    return self.error(r"\k is not followed by '<' for named capturing group");
                }
                let name = self.group_name()?;
                if !self.names.contains(&name) {
                    return self.error(format!("named capturing group <{name}> does not exist"));
                }
                self.backref_note();
                let _ = write!(self.out, r"\k<{name}>");
            }
            '1'..='9' => {
                // Java takes more digits while the number names an existing group.
                let mut n = c.to_digit(10).unwrap_or(0) as usize;
                while let Some(d) = self.peek().and_then(|d| d.to_digit(10)) {
                    let next = n * 10 + d as usize;
                    if next > self.groups {
                        break;
                    }
                    n = next;
                    self.pos += 1;
                }
                if n > self.groups {
                    // A group that does not exist (yet) never has a value: never matches.
                    self.out.push_str(r"[^\s\S]");
                } else {
                    self.backref_note();
                    let _ = write!(self.out, r"\{n}");
                }
            }
            _ => {
                if let Some(class) = self.class_escape(c)? {
                    self.out.push_str(&format!("[{class}]"));
                } else {
                    let ch = self.char_escape(c)?;
                    self.literal(ch);
                }
            }
        }
        Ok(())
    }

    fn backref_note(&mut self) {
        if self.flags.case_insensitive {
            self.inexact("case-insensitive back references are not emulated exactly");
        }
    }

    /// Class shorthands (`\d`, `\p{..}`, ...) as the inside of a class, or None.
    fn class_escape(&mut self, c: char) -> Result<Option<String>, SyntaxError> {
        let u = self.flags.unicode_class;
        let set = |positive: &str, negate: bool| {
            if negate {
                format!("[^{positive}]")
            } else {
                positive.to_string()
            }
        };
        Ok(Some(match c {
            'd' | 'D' => set(if u { r"\p{Nd}" } else { "0-9" }, c == 'D'),
            'w' | 'W' => set(
                if u {
                    r"\p{Alphabetic}\p{Mn}\p{Me}\p{Mc}\p{Nd}\p{Pc}\p{Join_Control}"
                } else {
                    "a-zA-Z_0-9"
                },
                c == 'W',
            ),
            's' | 'S' => set(
                if u {
                    r"\p{White_Space}"
                } else {
                    r" \t\n\x{0B}\x{0C}\r"
                },
                c == 'S',
            ),
            'h' | 'H' => set(
                r" \t\x{A0}\x{1680}\x{180E}\x{2000}-\x{200A}\x{202F}\x{205F}\x{3000}",
                c == 'H',
            ),
            'v' | 'V' => set(r"\n\x{0B}\x{0C}\r\x{85}\x{2028}\x{2029}", c == 'V'),
            'p' | 'P' => {
                let name = if self.eat('{') {
                    let start = self.pos;
                    while self.peek().is_some_and(|c| c != '}') {
                        self.pos += 1;
                    }
                    if !self.eat('}') {
                        return self.error("Unclosed character family");
                    }
                    self.chars[start..self.pos - 1].iter().collect::<String>()
                } else if let Some(one) = self.peek() {
                    self.pos += 1;
                    one.to_string()
                } else {
                    return self.error("Illegal character family");
                };
                let Some(positive) = self.property(&name)? else {
                    return self.error(format!("Unknown character property name {{{name}}}"));
                };
                if self.flags.case_insensitive {
                    self.inexact(r"case-insensitive \p{..} classes are not emulated exactly");
                }
                set(&positive, c == 'P')
            }
            _ => return Ok(None),
        }))
    }

    /// The inside of a class for a Java property name, None when Java rejects the name.
    fn property(&mut self, name: &str) -> Result<Option<String>, SyntaxError> {
        let posix = |n: &str| -> Option<&'static str> {
            Some(match n {
                "Lower" => "a-z",
                "Upper" => "A-Z",
                "ASCII" => r"\x{00}-\x{7F}",
                "Alpha" => "a-zA-Z",
                "Digit" => "0-9",
                "Alnum" => "a-zA-Z0-9",
                "Punct" => r"\x{21}-\x{2F}\x{3A}-\x{40}\x{5B}-\x{60}\x{7B}-\x{7E}",
                "Graph" => r"\x{21}-\x{7E}",
                "Print" => r"\x{20}-\x{7E}",
                "Blank" => r" \t",
                "Cntrl" => r"\x{00}-\x{1F}\x{7F}",
                "XDigit" => "0-9a-fA-F",
                "Space" => r" \t\n\x{0B}\x{0C}\r",
                _ => return None,
            })
        };
        if let Some(set) = posix(name) {
            if self.flags.unicode_class {
                self.inexact(format!(r"\p{{{name}}} under (?U) is not emulated exactly"));
            }
            return Ok(Some(set.to_string()));
        }
        let java = match name {
            "javaLowerCase" => Some(r"\p{Lowercase}"),
            "javaUpperCase" => Some(r"\p{Uppercase}"),
            "javaAlphabetic" => Some(r"\p{Alphabetic}"),
            "javaLetter" => Some(r"\p{L}"),
            "javaDigit" => Some(r"\p{Nd}"),
            "javaLetterOrDigit" => Some(r"\p{L}\p{Nd}"),
            "javaMirrored" => Some(r"\p{Bidi_Mirrored}"),
            "javaWhitespace" => Some(
                r"\t\n\x{0B}\x{0C}\r\x{1C}-\x{1F}[\p{Zs}\p{Zl}\p{Zp}&&[^\x{A0}\x{2007}\x{202F}]]",
            ),
            _ => None,
        };
        if let Some(set) = java {
            return Ok(Some(set.to_string()));
        }
        if name.starts_with("java") {
            self.inexact(format!(r"\p{{{name}}} is not emulated"));
            return Ok(Some(r"\s\S".to_string()));
        }
        if let Some(cat) = general_category(name) {
            return Ok(Some(cat));
        }
        let (kind, value) = match name.split_once('=') {
            Some((k, v)) => (k.to_ascii_lowercase(), v.to_string()),
            None => match name.strip_prefix("Is").or_else(|| name.strip_prefix("is")) {
                Some(rest) => ("is".to_string(), rest.to_string()),
                None => match name.strip_prefix("In") {
                    Some(rest) => ("block".to_string(), rest.to_string()),
                    None => return Ok(None),
                },
            },
        };
        let found = match kind.as_str() {
            "gc" | "general_category" => general_category(&value),
            "sc" | "script" => script(&value),
            "blk" | "block" => block(&value).or_else(|| {
                self.inexact(format!(r"the Unicode block {value} is not emulated"));
                Some(r"\s\S".to_string())
            }),
            "is" => general_category(&value)
                .or_else(|| binary_property(&value))
                .or_else(|| script(&value)),
            _ => None,
        };
        Ok(found)
    }

    /// A single-character escape (`\t`, `\x41`, `\u00e9`, `\0101`, `\cA`, `\.`).
    fn char_escape(&mut self, c: char) -> Result<char, SyntaxError> {
        let hex = |t: &mut Self, digits: usize| -> Result<u32, SyntaxError> {
            let s: String = t
                .chars
                .get(t.pos..t.pos + digits)
                .map(|s| s.iter().collect())
                .unwrap_or_default();
            if s.len() != digits || !s.chars().all(|c| c.is_ascii_hexdigit()) {
                return t.error("Illegal hexadecimal escape sequence");
            }
            t.pos += digits;
            Ok(u32::from_str_radix(&s, 16).unwrap_or(0))
        };
        let code = match c {
            't' => 0x09,
            'n' => 0x0A,
            'r' => 0x0D,
            'f' => 0x0C,
            'a' => 0x07,
            'e' => 0x1B,
            '0' => {
                let mut value = 0u32;
                let mut digits = 0;
                while digits < 3
                    && let Some(d) = self.peek().and_then(|d| d.to_digit(8))
                {
                    if digits == 2 && value > 0o37 {
                        break; // \0mnn needs m <= 3
                    }
                    value = value * 8 + d;
                    digits += 1;
                    self.pos += 1;
                }
                if digits == 0 {
                    return self.error("Illegal octal escape sequence");
                }
                value
            }
            'x' => {
                if self.eat('{') {
                    let start = self.pos;
                    while self.peek().is_some_and(|c| c.is_ascii_hexdigit()) {
                        self.pos += 1;
                    }
                    let s: String = self.chars[start..self.pos].iter().collect();
                    if s.is_empty() || !self.eat('}') {
                        return self.error("Unclosed hexadecimal escape sequence");
                    }
                    match u32::from_str_radix(&s, 16) {
                        Ok(v) if v <= 0x10FFFF => v,
                        _ => return self.error("Hexadecimal codepoint is too big"),
                    }
                } else {
                    hex(self, 2)?
                }
            }
            'u' => {
                let v = hex(self, 4)?;
                if (0xD800..0xE000).contains(&v) {
                    // A surrogate pair written as two \u escapes: combine them as Java does.
                    if (0xD800..0xDC00).contains(&v)
                        && self.peek() == Some('\\')
                        && self.peek_at(1) == Some('u')
                    {
                        let save = self.pos;
                        self.pos += 2;
                        if let Ok(low) = hex(self, 4)
                            && (0xDC00..0xE000).contains(&low)
                        {
                            return Ok(char::from_u32(
                                0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00),
                            )
                            .unwrap_or('\u{FFFD}'));
                        }
                        self.pos = save;
                    }
                    self.inexact("a lone surrogate escape cannot be emulated");
                    0xFFFD
                } else {
                    v
                }
            }
            'c' => {
                let Some(x) = self.peek() else {
                    return self.error("Illegal control escape sequence");
                };
                self.pos += 1;
                (x as u32) ^ 64
            }
            'N' => {
                self.inexact(r"\N{name} escapes are not emulated");
                if self.eat('{') {
                    while self.peek().is_some_and(|c| c != '}') {
                        self.pos += 1;
                    }
                    if !self.eat('}') {
                        return self.error("Unclosed character name escape sequence");
                    }
                }
                0xFFFD
            }
            c if c.is_ascii_alphabetic() => {
                return self.error("Illegal/unsupported escape sequence");
            }
            c if c.is_ascii_digit() => return self.error("Illegal/unsupported escape sequence"),
            c => c as u32,
        };
        Ok(char::from_u32(code).unwrap_or('\u{FFFD}'))
    }

    /// A character class starting after `[`, translated to a Rust class.
    fn class(&mut self) -> Result<String, SyntaxError> {
        let negated = self.eat('^');
        let mut operands: Vec<String> = vec![String::new()];
        let mut first = true;
        loop {
            if self.flags.comments {
                self.skip_comments();
            }
            let Some(c) = self.peek() else {
                return self.error("Unclosed character class");
            };
            match c {
                ']' if !first => {
                    self.pos += 1;
                    break;
                }
                '[' => {
                    self.pos += 1;
                    self.enter()?;
                    let nested = self.class()?;
                    self.depth -= 1;
                    operands
                        .last_mut()
                        .unwrap_or(&mut String::new())
                        .push_str(&nested);
                }
                '&' if self.peek_at(1) == Some('&') => {
                    self.pos += 2;
                    operands.push(String::new());
                }
                _ => {
                    let item = self.class_item()?;
                    if let Some(last) = operands.last_mut() {
                        last.push_str(&item);
                    }
                }
            }
            first = false;
        }
        // Java ignores empty operands of && ([&&a] is [a]).
        let operands: Vec<String> = operands.into_iter().filter(|o| !o.is_empty()).collect();
        let body = match operands.len() {
            0 => return self.error("Unclosed character class"),
            1 => operands[0].clone(),
            _ => operands
                .iter()
                .map(|o| format!("[{o}]"))
                .collect::<Vec<_>>()
                .join("&&"),
        };
        let class = format!("[{}{body}]", if negated { "^" } else { "" });
        if self.flags.case_insensitive && self.flags.unicode_case {
            Ok(format!("(?i:{class})"))
        } else {
            Ok(class)
        }
    }

    /// One class member: a char, a range, a shorthand, or a quoted run.
    fn class_item(&mut self) -> Result<String, SyntaxError> {
        let start_char = match self.class_char()? {
            ClassChar::Set(s) => {
                return Ok(s);
            }
            ClassChar::Char(c) => c,
        };
        // A range needs '-' followed by something other than ']'.
        if self.peek() == Some('-')
            && !matches!(self.peek_at(1), Some(']') | None)
            && self.peek_at(1) != Some('[')
        {
            self.pos += 1;
            let end = match self.class_char()? {
                ClassChar::Char(c) => c,
                ClassChar::Set(_) => return self.error("Illegal character range"),
            };
            if end < start_char {
                return self.error("Illegal character range");
            }
            return Ok(self.range_text(start_char, end));
        }
        Ok(self.range_text(start_char, start_char))
    }

    fn range_text(&self, lo: char, hi: char) -> String {
        let mut text = if lo == hi {
            escape_char(lo)
        } else {
            format!("{}-{}", escape_char(lo), escape_char(hi))
        };
        if self.flags.case_insensitive && !self.flags.unicode_case {
            // ASCII-only case folding: add the other case of the ASCII letters in the range.
            for (from, to, shift) in [('a', 'z', -32i32), ('A', 'Z', 32)] {
                let a = lo.max(from);
                let b = hi.min(to);
                if a <= b {
                    let a2 = char::from_u32((a as i32 + shift) as u32).unwrap_or(a);
                    let b2 = char::from_u32((b as i32 + shift) as u32).unwrap_or(b);
                    let _ = write!(text, "{}-{}", escape_char(a2), escape_char(b2));
                }
            }
        }
        text
    }

    fn class_char(&mut self) -> Result<ClassChar, SyntaxError> {
        let c = self.peek().unwrap_or_default();
        self.pos += 1;
        if c != '\\' {
            return Ok(ClassChar::Char(c));
        }
        let Some(e) = self.peek() else {
            return self.error("Unclosed character class");
        };
        self.pos += 1;
        if e == 'Q' {
            let mut set = String::new();
            while self.pos < self.chars.len() {
                if self.peek() == Some('\\') && self.peek_at(1) == Some('E') {
                    self.pos += 2;
                    break;
                }
                let q = self.chars[self.pos];
                self.pos += 1;
                set.push_str(&self.range_text(q, q));
            }
            return Ok(ClassChar::Set(set));
        }
        if let Some(set) = self.class_escape(e)? {
            return Ok(ClassChar::Set(if set.starts_with("[^") {
                set
            } else {
                format!("[{set}]")
            }));
        }
        if matches!(e, 'b' | 'B' | 'A' | 'G' | 'z' | 'Z' | 'R' | 'X' | 'k')
            || e.is_ascii_digit() && e != '0'
        {
            return self.error("Illegal/unsupported escape sequence");
        }
        Ok(ClassChar::Char(self.char_escape(e)?))
    }
}

enum ClassChar {
    Char(char),
    Set(String),
}

/// A char as fancy-regex syntax: ASCII letters and digits as they are, the rest as `\x{..}`.
fn escape_char(c: char) -> String {
    if c.is_ascii_alphanumeric() {
        c.to_string()
    } else {
        format!("\\x{{{:X}}}", c as u32)
    }
}

fn is_line_terminator(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_java_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0B' | '\x0C' | '\r')
}

fn general_category(name: &str) -> Option<String> {
    const CATEGORIES: &[&str] = &[
        "L", "Lu", "Ll", "Lt", "Lm", "Lo", "LC", "M", "Mn", "Mc", "Me", "N", "Nd", "Nl", "No", "P",
        "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "S", "Sm", "Sc", "Sk", "So", "Z", "Zs", "Zl",
        "Zp", "C", "Cc", "Cf", "Co", "Cs", "Cn",
    ];
    if name == "LD" {
        return Some(r"\p{L}\p{Nd}".to_string());
    }
    CATEGORIES.contains(&name).then(|| format!(r"\p{{{name}}}"))
}

fn binary_property(name: &str) -> Option<String> {
    let key: String = name
        .chars()
        .filter(|c| *c != '_' && *c != ' ')
        .collect::<String>()
        .to_ascii_lowercase();
    Some(
        match key.as_str() {
            "alphabetic" => r"\p{Alphabetic}",
            "ideographic" => r"\p{Ideographic}",
            "letter" => r"\p{L}",
            "lowercase" => r"\p{Lowercase}",
            "uppercase" => r"\p{Uppercase}",
            "titlecase" => r"\p{Lt}",
            "punctuation" => r"\p{P}",
            "control" => r"\p{Cc}",
            "whitespace" => r"\p{White_Space}",
            "digit" => r"\p{Nd}",
            "hexdigit" => r"\p{Hex_Digit}",
            "joincontrol" => r"\p{Join_Control}",
            "noncharactercodepoint" => r"\p{Noncharacter_Code_Point}",
            "assigned" => r"\P{Cn}",
            "emoji" => r"\p{Emoji}",
            _ => return None,
        }
        .to_string(),
    )
}

fn script(name: &str) -> Option<String> {
    // Java's script names are the Unicode ones (case-insensitive); the regex crate knows
    // the same set under the same names.
    let clean: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    if clean.is_empty() || clean.len() != name.len() || general_category(name).is_some() {
        return None;
    }
    let text = format!(r"\p{{sc={clean}}}");
    regex::Regex::new(&text).ok().map(|_| text)
}

fn block(name: &str) -> Option<String> {
    let key: String = name
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-'))
        .collect::<String>()
        .to_ascii_lowercase();
    Some(
        match key.as_str() {
            "basiclatin" => r"\x{0}-\x{7F}",
            "latin1supplement" => r"\x{80}-\x{FF}",
            "latinextendeda" => r"\x{100}-\x{17F}",
            "latinextendedb" => r"\x{180}-\x{24F}",
            "greek" | "greekandcoptic" => r"\x{370}-\x{3FF}",
            "cyrillic" => r"\x{400}-\x{4FF}",
            "hebrew" => r"\x{590}-\x{5FF}",
            "arabic" => r"\x{600}-\x{6FF}",
            "hiragana" => r"\x{3040}-\x{309F}",
            "katakana" => r"\x{30A0}-\x{30FF}",
            "cjkunifiedideographs" => r"\x{4E00}-\x{9FFF}",
            "hangulsyllables" => r"\x{AC00}-\x{D7AF}",
            "generalpunctuation" => r"\x{2000}-\x{206F}",
            _ => return None,
        }
        .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, s: &str) -> Verdict {
        JavaRegex::compile(p).unwrap().matches(s)
    }

    #[test]
    fn syntax_errors_carry_java_like_messages_and_index() {
        let e = JavaRegex::compile("a**").unwrap_err();
        assert_eq!(e.message, "Dangling meta character '*'");
        assert_eq!(e.index, 2, "Java: near index 2");
        assert!(
            JavaRegex::compile("[a")
                .unwrap_err()
                .message
                .contains("Unclosed character class")
        );
        assert!(
            JavaRegex::compile("x{2,1}")
                .unwrap_err()
                .message
                .contains("Illegal repetition range")
        );
        assert!(
            JavaRegex::compile(r"\p{Greek}")
                .unwrap_err()
                .message
                .contains("Unknown character property")
        );
    }

    #[test]
    fn whole_match_versus_find() {
        let r = JavaRegex::compile(r"4\d{2}").unwrap();
        assert_eq!(r.matches("Error 404"), Verdict::NoMatch);
        assert_eq!(r.find("Error 404"), Verdict::Match);
    }

    #[test]
    fn dot_and_dotall_variant() {
        let r = JavaRegex::compile(".+").unwrap();
        assert!(r.uses_dot);
        assert_eq!(r.matches("a\nb"), Verdict::NoMatch);
        assert_eq!(r.matches_with_dotall("a\nb"), Verdict::Match);
        assert_eq!(m("(?s).+", "a\u{2028}b"), Verdict::Match);
    }

    #[test]
    fn possessive_quantifiers_become_atomic_groups() {
        assert_eq!(m("a*+a", "aaa"), Verdict::NoMatch);
        assert_eq!(m("a*a", "aaa"), Verdict::Match);
    }

    #[test]
    fn deep_nesting_is_not_evaluated_and_does_not_overflow_the_stack() {
        let balanced = format!("{}a{}", "(".repeat(27_000), ")".repeat(27_000));
        for p in [
            "(".repeat(30_000),
            balanced,
            format!("{}a", "[".repeat(50_000)),
            format!(
                "{}a{}",
                "(?:".repeat(MAX_NESTING + 1),
                ")".repeat(MAX_NESTING + 1)
            ),
        ] {
            let r = JavaRegex::compile(&p).expect("not a syntax error");
            assert_eq!(r.matches("a"), Verdict::Unknown);
            assert!(r.inexact[0].contains("nested more than"), "{:?}", r.inexact);
        }
        let ok = format!("{}a{}", "(".repeat(MAX_NESTING), ")".repeat(MAX_NESTING));
        let r = JavaRegex::compile(&ok).unwrap();
        assert_eq!(r.matches("a"), Verdict::Match, "{:?}", r.inexact);
    }

    #[test]
    fn counted_repetitions_are_measured_unrolled() {
        assert_eq!(expanded_size("abc"), 3);
        assert_eq!(expanded_size("a{3}"), 3);
        assert_eq!(expanded_size("(ab){2,5}c"), 11);
        assert_eq!(expanded_size("[a-z{]{10}"), 10 * CLASS_ITEMS);
        assert_eq!(expanded_size(r"\d{3}-\p{L}{2}\.x{2}"), 5 * CLASS_ITEMS + 4);
        assert_eq!(expanded_size("(.{1000}){1000}"), 1_000_000 * CLASS_ITEMS);
        let huge = JavaRegex::compile("(.{1000}){1000}").unwrap();
        assert!(!huge.is_exact());
        assert_eq!(huge.matches("x"), Verdict::Unknown);
    }

    #[test]
    fn compiling_is_charged_to_the_budget() {
        // This test's thread has its own budget: spend it, then compile.
        assert!(charge(crate::checks::budget::EVALUATION_BUDGET - 1_000));
        let r = JavaRegex::compile("4\\d{2}").unwrap();
        assert_eq!(r.matches("404"), Verdict::Unknown);
        assert!(r.inexact[0].contains("not compiled"), "{:?}", r.inexact);
    }

    #[test]
    fn runaway_backtracking_is_bounded_and_unknown() {
        // A back reference forces the backtracking engine; the bound turns a Java hang
        // into an answer of "unknown" instead of a hang here.
        let r = JavaRegex::compile(r"((a*)*)\1c").unwrap();
        let input = "a".repeat(5000);
        assert_eq!(r.matches(&input), Verdict::Unknown);
    }

    #[test]
    fn nested_quantifiers_are_flagged() {
        assert!(JavaRegex::compile("(a+)+").unwrap().nested_quantifier);
        assert!(JavaRegex::compile("(?:x(ab)*)+").unwrap().nested_quantifier);
        assert!(!JavaRegex::compile("(ab)+").unwrap().nested_quantifier);
        assert!(!JavaRegex::compile("(a+)?").unwrap().nested_quantifier);
    }

    #[test]
    fn inexact_constructs_say_why() {
        let r = JavaRegex::compile(r"\X").unwrap();
        assert!(!r.is_exact());
        assert!(r.inexact[0].contains("grapheme"));
        assert!(JavaRegex::compile(r"a{2000}").unwrap().inexact[0].contains("repetition counts"));
        assert!(JavaRegex::compile(r"2\d{2}").unwrap().is_exact());
    }
}
