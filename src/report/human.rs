//! Human text: the command's result first, then each finding with its fix, ruff-style.
use super::{Outcome, Report};
use crate::finding::{Finding, Severity};
use crate::kb::KnowledgeBase;
use anstyle::{AnsiColor, Style};
use serde_json::Value;
use std::io::{self, Write};

/// Styles used by every human renderer; escapes are stripped later when colour is off.
pub struct Palette {
    pub error: Style,
    pub warning: Style,
    pub info: Style,
    pub good: Style,
    pub strong: Style,
    pub dim: Style,
    pub code: Style,
}

impl Default for Palette {
    fn default() -> Self {
        let fg = |c: AnsiColor| Style::new().fg_color(Some(c.into()));
        Palette {
            error: fg(AnsiColor::Red).bold(),
            warning: fg(AnsiColor::Yellow).bold(),
            info: fg(AnsiColor::Cyan).bold(),
            good: fg(AnsiColor::Green).bold(),
            strong: Style::new().bold(),
            dim: Style::new().dimmed(),
            code: fg(AnsiColor::Magenta),
        }
    }
}

impl Palette {
    pub fn severity(&self, s: Severity) -> Style {
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
        if let Some((article, explained)) = kb.explain(f.code) {
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

/// Evidence values on one line: strings as they are, everything else as compact JSON.
pub fn inline(value: &Value) -> String {
    match value {
        Value::String(s) => visible(s),
        other => other.to_string(),
    }
}

/// The text with control characters escaped (`\n`, `\u{7}`), so one value stays on one line
/// and a hostile value cannot drive the terminal; everything else is shown as it is.
pub fn visible(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_escapes_only_control_characters() {
        assert_eq!(visible("4\\d{2} é"), "4\\d{2} é");
        assert_eq!(visible("a\nb\x1b[31m"), "a\\nb\\u{1b}[31m");
    }
}
