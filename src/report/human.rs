//! Human text: the command's result first, then each finding with its fix, ruff-style.
use super::{Outcome, Report};
use crate::finding::{Finding, Severity};
use crate::kb::KnowledgeBase;
use anstyle::{AnsiColor, Style};
use serde_json::Value;
use std::io::{self, Write};

/// Styles used by every human renderer; escapes are stripped later when colour is off.
pub struct Palette {
    pub error: Paint,
    pub warning: Paint,
    pub info: Paint,
    pub good: Paint,
    pub strong: Paint,
    pub dim: Paint,
    pub code: Paint,
}

thread_local! {
    /// Set while a [`Paint`] writes its own escape sequence, so that [`Sanitize`] passes it;
    /// every other escape sequence, colours included, comes from an input and is escaped.
    static TRUSTED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// One of the report's own styles: `{}` starts it and `{:#}` ends it, written as escape
/// sequences that [`Sanitize`] lets through (it escapes the same bytes from any input).
#[derive(Debug, Clone, Copy)]
pub struct Paint(pub Style);

impl Paint {
    /// `text` in this style (its start, the text, its end), for a value built before it is
    /// written: a `format!` of the style into a String would lose its trust.
    pub fn paint<T: std::fmt::Display>(self, text: T) -> Painted<T> {
        Painted(self, text)
    }

    /// The sequence that ends the style (as `{:#}`).
    pub fn render_reset(self) -> PaintReset {
        PaintReset(self.0)
    }
}

impl std::fmt::Display for Paint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0 == Style::new() {
            // No colour: nothing to write (and nothing to allocate).
            return Ok(());
        }
        let sequence = if f.alternate() {
            self.0.render_reset().to_string()
        } else {
            self.0.render().to_string()
        };
        trusted(|| f.write_str(&sequence))
    }
}

pub struct Painted<T>(Paint, T);

impl<T: std::fmt::Display> std::fmt::Display for Painted<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}{:#}", self.0, self.1, self.0)
    }
}

pub struct PaintReset(Style);

impl std::fmt::Display for PaintReset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sequence = self.0.render_reset().to_string();
        trusted(|| f.write_str(&sequence))
    }
}

fn trusted<T>(write: impl FnOnce() -> T) -> T {
    TRUSTED.with(|t| t.set(true));
    let out = write();
    TRUSTED.with(|t| t.set(false));
    out
}

impl Palette {
    /// No colour: every style writes nothing.
    pub fn plain() -> Self {
        let none = Paint(Style::new());
        Palette {
            error: none,
            warning: none,
            info: none,
            good: none,
            strong: none,
            dim: none,
            code: none,
        }
    }
}

impl Default for Palette {
    fn default() -> Self {
        let fg = |c: AnsiColor| Style::new().fg_color(Some(c.into()));
        Palette {
            error: Paint(fg(AnsiColor::Red).bold()),
            warning: Paint(fg(AnsiColor::Yellow).bold()),
            info: Paint(fg(AnsiColor::Cyan).bold()),
            good: Paint(fg(AnsiColor::Green).bold()),
            strong: Paint(Style::new().bold()),
            dim: Paint(Style::new().dimmed()),
            code: Paint(fg(AnsiColor::Magenta)),
        }
    }
}

impl Palette {
    pub fn severity(&self, s: Severity) -> Paint {
        match s {
            Severity::Error => self.error,
            Severity::Warning => self.warning,
            Severity::Info => self.info,
        }
    }
}

pub fn write<R: Outcome>(
    out: &mut dyn Write,
    report: &Report<R>,
    kb: &KnowledgeBase,
    p: &Palette,
) -> io::Result<()> {
    report.result.render_human(out, p)?;
    write_findings(out, &report.findings, kb, p)
}

pub fn write_findings(
    out: &mut dyn Write,
    findings: &[Finding],
    kb: &KnowledgeBase,
    p: &Palette,
) -> io::Result<()> {
    // Most severe first: the first thing a person reads is what breaks the API.
    let mut ordered: Vec<&Finding> = findings.iter().collect();
    ordered.sort_by_key(|f| std::cmp::Reverse(f.severity));
    for f in ordered {
        let s = p.severity(f.severity);
        writeln!(
            out,
            "{s}{}{s:#}{}[{}]{}: {}",
            f.severity.as_str(),
            p.dim,
            f.code,
            p.dim.render_reset(),
            f.message
        )?;
        for (key, value) in &f.evidence {
            writeln!(
                out,
                "  {}{key}:{} {}",
                p.dim,
                p.dim.render_reset(),
                inline(value)
            )?;
        }
        if let Some((article, explained)) = kb.explain_for(f.code, f.api) {
            writeln!(
                out,
                "  {}fix:{} {}",
                p.good,
                p.good.render_reset(),
                explained.fix
            )?;
            writeln!(
                out,
                "  {}see:{} apigw-doctor kb show {}  ({})",
                p.dim,
                p.dim.render_reset(),
                article.id,
                article.title
            )?;
        }
    }
    if !findings.is_empty() {
        let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
        let parts: Vec<String> = [
            (Severity::Error, "error"),
            (Severity::Warning, "warning"),
            (Severity::Info, "note"),
        ]
        .into_iter()
        .filter_map(|(s, word)| match count(s) {
            0 => None,
            1 => Some(format!("1 {word}")),
            n => Some(format!("{n} {word}s")),
        })
        .collect();
        writeln!(out, "{}{}{:#}", p.strong, parts.join(", "), p.strong)?;
    }
    Ok(())
}

/// The width of an aligned column: the widest cell, but at most 60 characters. Wider cells
/// are written whole and unaligned (a 100,000-character pattern must not make `{:width$}`
/// panic, which it does past 65,535, nor pad every other row to it).
pub fn column_width(cells: impl IntoIterator<Item = usize>) -> usize {
    cells.into_iter().max().unwrap_or(0).min(60)
}

/// Evidence values on one line: strings as they are, everything else as compact JSON.
pub fn inline(value: &Value) -> String {
    match value {
        Value::String(s) => visible(s).into_owned(),
        other => other.to_string(),
    }
}

/// The text with control characters and bidirectional overrides escaped (`\n`, `\u{7}`,
/// `\u{202e}`), so one value stays on one line and a hostile value can neither drive the
/// terminal nor reorder what a person reads; everything else is shown as it is.
pub fn visible(s: &str) -> std::borrow::Cow<'_, str> {
    // The usual text has nothing to escape: shown as it is, without a copy.
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if is_unsafe(c) || c == '\n' || c == '\t' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// One line on standard error. A failing stderr (a closed pipe, `/dev/full`) cannot be
/// reported anywhere, so it is ignored rather than turned into a panic.
pub fn say(line: std::fmt::Arguments<'_>) {
    let mut err = anstream::stderr();
    let _ = err.write_fmt(line);
    let _ = err.write_all(b"\n");
    let _ = err.flush();
}

/// `visible`, cut to about `max` bytes (a multi-megabyte error message from a server is one
/// line, not a screenful), saying how much was left out.
pub fn visible_cut(s: &str, max: usize) -> String {
    if s.len() <= max {
        return visible(s).into_owned();
    }
    let cut = s.floor_char_boundary(max);
    format!("{}... ({} more bytes)", visible(&s[..cut]), s.len() - cut)
}

/// Text shown over several lines (a response body): newlines and tabs kept, every other
/// control character escaped as `visible` does.
pub fn multiline(s: &str) -> std::borrow::Cow<'_, str> {
    // Printable ASCII, newlines and tabs (the usual body) are shown as they are.
    if clean_run(s.as_bytes()) == s.len() {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(
        s.split('\n')
            .map(|line| line.split('\t').map(visible).collect::<Vec<_>>().join("\t"))
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

/// Whether a character must never reach a terminal as it is: control characters (C0 other
/// than newline and tab, DEL, C1), line and paragraph separators, and the bidirectional
/// controls (embeddings, overrides, isolates and marks, which reorder what a person reads).
fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(
            c,
            '\u{2028}'
                | '\u{2029}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{061c}'
        )
}

/// The one place where text from inputs meets the terminal: every byte of human output goes
/// through it. Control characters and every escape sequence are written escaped (`\u{1b}`),
/// colours included; only the report's own styles ([`Paint`]) pass. So a certificate CN,
/// header name, Sid or file name holding `ESC[2J`, `ESC[31m` or an OSC 8 hyperlink is shown
/// as text, never run.
pub struct Sanitize<W: Write> {
    inner: W,
    /// Text not escaped yet: gathered up to `CHUNK` bytes (or a style of the report's own,
    /// or `flush`); a multi-byte character cut at its end waits for the rest.
    pending: Vec<u8>,
    /// The escaped text on its way out: handed to `inner` in pieces of `CHUNK` bytes or
    /// more (a report is written in many small pieces), and at `flush`.
    out: Vec<u8>,
}

/// What `Sanitize` gathers before it writes to its inner writer.
const CHUNK: usize = 32 * 1024;

impl<W: Write> Sanitize<W> {
    pub fn new(inner: W) -> Self {
        Sanitize {
            inner,
            pending: Vec::new(),
            out: Vec::new(),
        }
    }

    /// The inner writer: what has been written through it (all of it after `flush`).
    pub fn get_ref(&self) -> &W {
        &self.inner
    }

    /// One character (`bytes` is its UTF-8 encoding), escaped when it is unsafe.
    fn escaped(out: &mut Vec<u8>, bytes: &[u8], c: char) {
        if is_unsafe(c) {
            let _ = write!(out, "{}", c.escape_unicode());
        } else {
            out.extend_from_slice(bytes);
        }
    }

    /// Processes `pending` as far as it can be decided; the rest waits for more bytes.
    fn drain(&mut self, out: &mut Vec<u8>, at_end: bool) {
        let done = Self::scan(&self.pending, out, at_end);
        self.pending.drain(..done);
    }

    /// Escapes what `p` holds into `out`, as far as it can be decided (a multi-byte
    /// character cut at the end waits, unless `at_end`); returns how many bytes it took.
    fn scan(p: &[u8], out: &mut Vec<u8>, at_end: bool) -> usize {
        let mut i = 0;
        while i < p.len() {
            // Plain printable ASCII, newlines and tabs pass in whole runs: only the bytes
            // that may need escaping are looked at one by one.
            let clean = clean_run(&p[i..]);
            out.extend_from_slice(&p[i..i + clean]);
            i += clean;
            if i == p.len() {
                break;
            }
            let b = p[i];
            if b < 0x80 {
                Self::escaped(out, &[b], char::from(b));
                i += 1;
            } else {
                let len = match b {
                    0xc0..=0xdf => 2,
                    0xe0..=0xef => 3,
                    0xf0..=0xf7 => 4,
                    _ => 1,
                };
                if i + len > p.len() && !at_end {
                    break;
                }
                let end = (i + len).min(p.len());
                match std::str::from_utf8(&p[i..end])
                    .ok()
                    .and_then(|s| s.chars().next())
                {
                    Some(c) => {
                        Self::escaped(out, &p[i..end], c);
                        i = end;
                    }
                    // Not UTF-8: passed on as it is (the renderers write text).
                    None => {
                        out.push(b);
                        i += 1;
                    }
                }
            }
        }
        i
    }
}

/// A byte that is not printable ASCII, a newline or a tab: it may need escaping.
fn may_need_escaping(b: u8) -> bool {
    b >= 0x7f || (b < 0x20 && b != b'\n' && b != b'\t')
}

/// How many bytes at the start of `p` pass as they are: looked at 32 at a time without a
/// branch per byte (a loop the compiler turns into vector instructions), then one by one
/// in the 32 that hold one.
fn clean_run(p: &[u8]) -> usize {
    let mut clean = 0;
    for chunk in p.chunks_exact(32) {
        let mut unsafe_bytes = 0u8;
        for &b in chunk {
            // Outside printable ASCII (0x20..=0x7e), and neither a newline nor a tab.
            unsafe_bytes |= u8::from(b.wrapping_sub(0x20) >= 0x5f)
                & u8::from(b != b'\n')
                & u8::from(b != b'\t');
        }
        if unsafe_bytes != 0 {
            break;
        }
        clean += 32;
    }
    clean
        + p[clean..]
            .iter()
            .position(|&b| may_need_escaping(b))
            .unwrap_or(p.len() - clean)
}

impl<W: Write> Write for Sanitize<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let trusted = TRUSTED.with(|t| t.get());
        if !trusted {
            // Gathered, then escaped in long runs: a report comes in many small pieces.
            self.pending.extend_from_slice(buf);
            if self.pending.len() < CHUNK {
                return Ok(buf.len());
            }
        }
        let mut out = std::mem::take(&mut self.out);
        if trusted {
            // The report's own style: what came before it is complete text.
            self.drain(&mut out, true);
            out.extend_from_slice(buf);
        } else {
            self.drain(&mut out, false);
        }
        let written = if out.len() >= CHUNK {
            let w = self.inner.write_all(&out);
            out.clear();
            w
        } else {
            Ok(())
        };
        self.out = out;
        written.map(|()| buf.len())
    }

    /// `write!` pieces go straight into `pending` (what `write` would do with each, without
    /// a call through the writer per piece); a style of the report's own goes through
    /// `write`, which lets it pass.
    fn write_fmt(&mut self, args: std::fmt::Arguments<'_>) -> io::Result<()> {
        struct Pieces<'s, W: Write> {
            to: &'s mut Sanitize<W>,
            failed: io::Result<()>,
        }
        impl<W: Write> std::fmt::Write for Pieces<'_, W> {
            fn write_str(&mut self, piece: &str) -> std::fmt::Result {
                if TRUSTED.with(|t| t.get()) || self.to.pending.len() >= CHUNK {
                    self.failed = self.to.write_all(piece.as_bytes());
                    return self.failed.as_ref().map_err(|_| std::fmt::Error).copied();
                }
                self.to.pending.extend_from_slice(piece.as_bytes());
                Ok(())
            }
        }
        let mut pieces = Pieces {
            to: self,
            failed: Ok(()),
        };
        match std::fmt::write(&mut pieces, args) {
            Ok(()) => Ok(()),
            Err(_) => match pieces.failed {
                Err(e) => Err(e),
                Ok(()) => Err(io::Error::other("formatting failed")),
            },
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        let mut out = std::mem::take(&mut self.out);
        self.drain(&mut out, true);
        let written = self.inner.write_all(&out);
        out.clear();
        self.out = out;
        written?;
        self.inner.flush()
    }
}

impl<W: Write> Drop for Sanitize<W> {
    /// What is still gathered goes out (as a BufWriter does); an error cannot be told here.
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sanitized(pieces: &[&[u8]]) -> String {
        let mut s = Sanitize::new(Vec::new());
        for p in pieces {
            s.write_all(p).unwrap();
        }
        s.flush().unwrap();
        String::from_utf8(s.get_ref().clone()).unwrap()
    }

    #[test]
    fn terminal_controls_from_inputs_are_shown_escaped() {
        // Clear screen, an OSC 8 hyperlink, a bell, a C1 CSI, a bidi override.
        assert_eq!(sanitized(&[b"a\x1b[2Jb"]), "a\\u{1b}[2Jb");
        assert_eq!(
            sanitized(&["\x1b]8;;http://x\x07link\x1b]8;;\x07".as_bytes()]),
            "\\u{1b}]8;;http://x\\u{7}link\\u{1b}]8;;\\u{7}"
        );
        assert_eq!(
            sanitized(&["x\u{9b}2J\u{202e}y\r".as_bytes()]),
            "x\\u{9b}2J\\u{202e}y\\u{d}"
        );
        // Colours from an input are escaped too; newlines, tabs and text pass.
        assert_eq!(
            sanitized(&[b"\x1b[1m\x1b[31mred\x1b[0m\n\tok"]),
            "\\u{1b}[1m\\u{1b}[31mred\\u{1b}[0m\n\tok"
        );
        // The report's own styles pass.
        let mut s = Sanitize::new(Vec::new());
        let p = Palette::default();
        write!(s, "{}red{:#} \x1b[31m", p.error, p.error).unwrap();
        s.flush().unwrap();
        assert_eq!(
            String::from_utf8(s.get_ref().clone()).unwrap(),
            "\x1b[1m\x1b[31mred\x1b[0m \\u{1b}[31m"
        );
        assert_eq!(sanitized(&["é €".as_bytes()]), "é €");
    }

    #[test]
    fn unsafe_bytes_are_found_wherever_they_stand_in_a_run() {
        for at in [0, 1, 15, 16, 17, 31, 32, 40, 63] {
            let mut text = vec![b'a'; 64];
            text[at] = 0x1b;
            let expected = format!("{}\\u{{1b}}{}", "a".repeat(at), "a".repeat(63 - at));
            assert_eq!(sanitized(&[&text]), expected, "ESC at {at}");
            assert_eq!(clean_run(&text), at);
        }
        assert_eq!(clean_run(&[b'a'; 40]), 40);
        assert_eq!(clean_run(b"tab\tand\nnewline pass"), 20);
    }

    #[test]
    fn formatted_pieces_are_escaped_as_written_ones() {
        let mut s = Sanitize::new(Vec::new());
        let p = Palette::default();
        let long = "a".repeat(CHUNK + 7);
        let bidi = '\u{202e}';
        for _ in 0..3 {
            write!(s, "{long}\x1b[2J{}ok{:#}{bidi}", p.good, p.good).unwrap();
        }
        s.flush().unwrap();
        let once = format!("{long}\\u{{1b}}[2J\x1b[1m\x1b[32mok\x1b[0m\\u{{202e}}");
        assert_eq!(
            String::from_utf8(s.get_ref().clone()).unwrap(),
            once.repeat(3)
        );
    }

    #[test]
    fn what_is_gathered_goes_out_on_drop_and_in_pieces() {
        let mut sink = Vec::new();
        {
            let mut s = Sanitize::new(&mut sink);
            s.write_all(b"short").unwrap();
        }
        assert_eq!(sink, b"short");
        let mut s = Sanitize::new(Vec::new());
        s.write_all(&vec![b'x'; CHUNK + 1]).unwrap();
        assert_eq!(
            s.get_ref().len(),
            CHUNK + 1,
            "a full piece is written at once"
        );
    }

    #[test]
    fn sequences_split_across_writes_are_judged_whole() {
        assert_eq!(sanitized(&[b"\x1b", b"[3", b"1m", b"x"]), "\\u{1b}[31mx");
        assert_eq!(sanitized(&[b"\x1b", b"[2", b"J"]), "\\u{1b}[2J");
        assert_eq!(sanitized(&[b"\xc3", b"\xa9", b"\xc2", b"\x9b"]), "é\\u{9b}");
        assert_eq!(sanitized(&[b"end\x1b"]), "end\\u{1b}");
    }

    #[test]
    fn visible_escapes_only_control_characters() {
        assert_eq!(visible("4\\d{2} é"), "4\\d{2} é");
        assert_eq!(visible("a\nb\x1b[31m"), "a\\nb\\u{1b}[31m");
        assert_eq!(visible("a\u{202e}b\u{2067}"), "a\\u{202e}b\\u{2067}");
        assert_eq!(visible_cut(&"é".repeat(10), 5), "éé... (16 more bytes)");
    }
}
