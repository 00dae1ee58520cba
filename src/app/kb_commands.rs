//! `kb search`, `kb show`, `kb list`.
use super::Session;
use crate::cli::KbSearchArgs;
use crate::kb::{
    Article,
    search::{Hit, Index, MAX_QUERY_BYTES},
};
use crate::report::{Outcome, Report, human::Palette};
use anyhow::{Result, bail};
use serde::Serialize;
use std::io::{self, Write};

#[derive(Serialize)]
struct SearchOutcome {
    /// At least one hit is above the confidence floor.
    confident: bool,
    hits: Vec<Hit>,
}

impl Outcome for SearchOutcome {
    fn render_human(&self, out: &mut dyn Write, p: &Palette) -> io::Result<()> {
        if self.hits.is_empty() {
            return writeln!(
                out,
                "no article matches; try other words, or `apigw-doctor kb list`"
            );
        }
        if !self.confident {
            writeln!(
                out,
                "{}no article matches this confidently{:#}: the closest, marked weak, explain little of the text; it may be outside API Gateway (`apigw-doctor kb list` shows what is covered)",
                p.strong, p.strong
            )?;
            writeln!(out)?;
        }
        for (rank, hit) in self.hits.iter().enumerate() {
            writeln!(
                out,
                "{}{}. {}{:#}  {}confidence {:.2}{}  score {:.2}{:#}",
                p.strong,
                rank + 1,
                hit.title,
                p.strong,
                p.dim,
                hit.confidence,
                if hit.weak { " (weak)" } else { "" },
                hit.score,
                p.dim
            )?;
            writeln!(out, "   {}id:{:#}    {}", p.dim, p.dim, hit.id)?;
            writeln!(
                out,
                "   {}check:{:#} {}{}{:#}",
                p.dim, p.dim, p.code, hit.check, p.code
            )?;
            if let Some(s) = &hit.matched_symptom {
                writeln!(out, "   {}matched symptom:{:#} {s}", p.dim, p.dim)?;
            }
        }
        Ok(())
    }
}

pub fn search(session: &mut Session, args: &KbSearchArgs) -> Result<()> {
    let query = if args.text == ["-"] {
        crate::input::read_text("-", MAX_QUERY_BYTES as u64 * 16)?
    } else {
        args.text.join(" ")
    };
    let mut hits = Index::new(&session.kb).search(&query);
    hits.truncate(usize::from(args.limit));
    // Like grep: 1 when nothing answers the question, weak hits included.
    let confident = hits.iter().any(|h| !h.weak);
    if !confident {
        session.printer.fail();
    }
    let target = query.trim().chars().take(200).collect::<String>();
    session.emit(&Report::new(
        "kb search",
        target,
        SearchOutcome { confident, hits },
    ))
}

#[derive(Serialize)]
struct ShowOutcome<'a> {
    #[serde(flatten)]
    article: &'a Article,
    /// The finding code asked for, when `kb show` was given a code rather than an id.
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'a str>,
}

impl Outcome for ShowOutcome<'_> {
    fn render_human(&self, out: &mut dyn Write, p: &Palette) -> io::Result<()> {
        let a = self.article;
        writeln!(
            out,
            "{}{}{:#}  {}[{}]{:#}",
            p.strong, a.title, p.strong, p.dim, a.id, p.dim
        )?;
        writeln!(out, "{}", a.question)?;
        if let Some(code) = self.code
            && let Some(f) = a.finding(code)
        {
            writeln!(out)?;
            writeln!(out, "{}{code}{:#}", p.code, p.code)?;
            writeln!(out, "  {}fix:{:#} {}", p.good, p.good, f.fix)?;
        }
        writeln!(out)?;
        writeln!(out, "{}", a.summary)?;
        section(out, p, "Symptoms")?;
        for s in &a.symptoms {
            writeln!(out, "  - {s}")?;
        }
        section(out, p, "Fix")?;
        for (i, step) in a.fix.iter().enumerate() {
            writeln!(out, "  {}. {step}", i + 1)?;
        }
        section(out, p, "Check")?;
        writeln!(out, "  {}{}{:#}", p.code, a.check, p.code)?;
        if !a.findings.is_empty() {
            section(out, p, "Finding codes")?;
            let width = crate::report::human::column_width(a.findings.iter().map(|f| f.code.len()));
            for f in &a.findings {
                writeln!(out, "  {}{:width$}{:#}  {}", p.code, f.code, p.code, f.fix)?;
            }
        }
        if !a.references.is_empty() {
            section(out, p, "References")?;
            for r in &a.references {
                writeln!(out, "  - {}  {}<{}>{:#}", r.title, p.dim, r.url, p.dim)?;
            }
        }
        if let Some(updated) = &a.source_updated {
            writeln!(out)?;
            writeln!(
                out,
                "{}source article last updated {updated}; facts checked since{:#}",
                p.dim, p.dim
            )?;
        }
        Ok(())
    }
}

fn section(out: &mut dyn Write, p: &Palette, name: &str) -> io::Result<()> {
    writeln!(out)?;
    writeln!(out, "{}{name}{:#}", p.strong, p.strong)
}

pub fn show(session: &mut Session, key: &str) -> Result<()> {
    let (article, code) = if let Some(a) = session.kb.article(key) {
        (a, None)
    } else if let Some((a, f)) = session.kb.explain(key) {
        (a, Some(f.code.as_str()))
    } else {
        bail!("no article or finding code {key:?}; `apigw-doctor kb list` lists them");
    };
    let report = Report::new("kb show", key, ShowOutcome { article, code });
    session.printer.emit(&report, &session.kb)
}

#[derive(Serialize)]
struct ListedArticle {
    id: String,
    /// One of the six source articles (they carry the date of the version they follow).
    seed: bool,
    title: String,
    question: String,
    check: String,
    finding_codes: Vec<String>,
}

#[derive(Serialize)]
struct ListOutcome {
    articles: Vec<ListedArticle>,
}

impl Outcome for ListOutcome {
    fn render_human(&self, out: &mut dyn Write, p: &Palette) -> io::Result<()> {
        let width = crate::report::human::column_width(self.articles.iter().map(|a| a.id.len()));
        for a in &self.articles {
            writeln!(
                out,
                "{}{:width$}{:#}  {}  {}({} finding codes{}){:#}",
                p.strong,
                a.id,
                p.strong,
                a.title,
                p.dim,
                a.finding_codes.len(),
                if a.seed { ", seed article" } else { "" },
                p.dim
            )?;
        }
        Ok(())
    }
}

pub fn list(session: &mut Session) -> Result<()> {
    let articles = session
        .kb
        .articles()
        .iter()
        .map(|a| ListedArticle {
            id: a.id.clone(),
            seed: a.source_updated.is_some(),
            title: a.title.clone(),
            question: a.question.clone(),
            check: a.check.clone(),
            finding_codes: a.findings.iter().map(|f| f.code.clone()).collect(),
        })
        .collect();
    session.emit(&Report::new(
        "kb list",
        "knowledge base",
        ListOutcome { articles },
    ))
}
