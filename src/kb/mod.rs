//! The knowledge base: articles loaded from `rules/` (embedded) or from `--rules DIR`.
mod article;
mod error_text;
pub mod search;
pub(crate) mod terms;
pub mod vocabulary;

pub use article::{Article, ExplainedFinding, Reference};

use anyhow::{Context, Result, bail};
use article::ArticleFile;
use std::collections::HashMap;
use std::path::Path;

/// An embedded article as build.rs writes it (see `EMBEDDED_ARTICLES`).
pub(crate) struct StaticArticle {
    source: &'static str,
    id: &'static str,
    title: &'static str,
    question: &'static str,
    source_updated: Option<&'static str>,
    check: &'static str,
    summary: &'static str,
    symptoms: &'static [&'static str],
    fix: &'static [&'static str],
    apis: &'static [&'static str],
    references: &'static [(&'static str, &'static str)],
    /// (code, fix, api)
    findings: &'static [(&'static str, &'static str, Option<&'static str>)],
}

include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));

/// Article files larger than this are refused: an article is a page of text, not a data dump.
const MAX_ARTICLE_BYTES: u64 = 256 * 1024;
/// A `--rules` folder with more files than this is refused rather than read.
const MAX_ARTICLES: usize = 1000;
/// The most the article files of a `--rules` folder may hold together (the embedded
/// knowledge base is about 100 KB).
const MAX_RULES_BYTES: usize = 16 * 1024 * 1024;

pub struct KnowledgeBase {
    articles: Vec<Article>,
    by_code: HashMap<String, usize>,
    /// Codes an article explains for HTTP APIs in particular (`api = "http"`).
    by_code_http: HashMap<String, usize>,
    /// The articles are the embedded ones, indexed at build time (EMBEDDED_INDEX).
    embedded: bool,
}

impl KnowledgeBase {
    /// The articles compiled into the binary.
    pub fn embedded() -> Result<Self> {
        let mut kb = match EMBEDDED_ARTICLES {
            Some(list) => Self::from_static(list),
            // A file build.rs could not read: parse them all now, to report it.
            None => Self::embedded_parsed()?,
        };
        kb.embedded = true;
        Ok(kb)
    }

    /// The embedded articles parsed and validated from their TOML at run time (what
    /// `EMBEDDED_ARTICLES` must equal: a test compares them).
    fn embedded_parsed() -> Result<Self> {
        Self::from_sources(
            EMBEDDED_RULES
                .iter()
                .map(|(name, text)| (name.to_string(), text.to_string())),
        )
    }

    /// The articles build.rs wrote as static data: copied, not parsed.
    fn from_static(list: &[StaticArticle]) -> Self {
        let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let mut by_code = HashMap::new();
        let mut by_code_http = HashMap::new();
        let articles: Vec<Article> = list
            .iter()
            .enumerate()
            .map(|(index, a)| {
                for (code, _, api) in a.findings {
                    let map = if api.is_some() {
                        &mut by_code_http
                    } else {
                        &mut by_code
                    };
                    map.insert(code.to_string(), index);
                }
                Article {
                    id: a.id.to_string(),
                    title: a.title.to_string(),
                    question: a.question.to_string(),
                    source_updated: a.source_updated.map(str::to_string),
                    check: a.check.to_string(),
                    summary: a.summary.to_string(),
                    symptoms: owned(a.symptoms),
                    fix: owned(a.fix),
                    apis: owned(a.apis),
                    references: a
                        .references
                        .iter()
                        .map(|(title, url)| Reference {
                            title: title.to_string(),
                            url: url.to_string(),
                        })
                        .collect(),
                    findings: a
                        .findings
                        .iter()
                        .map(|(code, fix, api)| ExplainedFinding {
                            code: code.to_string(),
                            fix: fix.to_string(),
                            api: api.map(str::to_string),
                        })
                        .collect(),
                    source: a.source.to_string(),
                }
            })
            .collect();
        KnowledgeBase {
            articles,
            by_code,
            by_code_http,
            embedded: false,
        }
    }

    /// The build-time index of article `n` (weighted terms, sorted; symptoms prepared for
    /// exact matching), for the embedded articles; `None` for a `--rules` folder, which is
    /// indexed when searched.
    pub(crate) fn prebuilt(
        &self,
        n: usize,
    ) -> Option<(&'static [PrebuiltTerm], &'static [PrebuiltSymptom])> {
        if !self.embedded {
            return None;
        }
        let (id, weighted, symptoms) = EMBEDDED_INDEX.get(n)?;
        (*id == self.articles.get(n)?.id).then_some((*weighted, *symptoms))
    }

    /// In how many articles each term stands, built with the embedded articles (sorted by
    /// term); `None` unless every article is an embedded, prebuilt one.
    pub(crate) fn prebuilt_doc_freq(&self) -> Option<&'static [(&'static str, usize)]> {
        (self.embedded && EMBEDDED_INDEX.len() == self.articles.len()).then_some(EMBEDDED_DOC_FREQ)
    }

    /// Every `*.toml` file directly inside `dir`, in name order.
    pub fn from_dir(dir: &Path) -> Result<Self> {
        let entries = std::fs::read_dir(dir)
            .with_context(|| format!("{}: cannot read rules folder", dir.display()))?;
        let mut paths = Vec::new();
        for entry in entries {
            let path = entry
                .with_context(|| format!("{}: cannot list rules folder", dir.display()))?
                .path();
            if path.extension().is_some_and(|e| e == "toml") {
                // Regular files only (a link to one is followed): a named pipe would block
                // the read for ever, a device would never end.
                let meta = std::fs::metadata(&path)
                    .with_context(|| format!("{}: cannot read", path.display()))?;
                if !meta.is_file() {
                    bail!(
                        "{}: not a regular file (a pipe, device or folder named *.toml)",
                        path.display()
                    );
                }
                paths.push(path);
            }
            if paths.len() > MAX_ARTICLES {
                bail!("{}: more than {MAX_ARTICLES} article files", dir.display());
            }
        }
        if paths.is_empty() {
            bail!("{}: no *.toml article files in rules folder", dir.display());
        }
        paths.sort();
        let mut sources = Vec::with_capacity(paths.len());
        let mut total = 0;
        for path in paths {
            let name = path.display().to_string();
            // Bounded by the bytes read, not the metadata: a link to `/dev/zero` has size 0.
            let bytes = crate::input::read_bounded(&name, MAX_ARTICLE_BYTES)?;
            total += bytes.len();
            if total > MAX_RULES_BYTES {
                bail!(
                    "{}: the article files hold more than {} MB together",
                    dir.display(),
                    MAX_RULES_BYTES / (1024 * 1024)
                );
            }
            let text = String::from_utf8(bytes).map_err(|e| {
                anyhow::anyhow!(
                    "{name}: not UTF-8 text (byte {})",
                    e.utf8_error().valid_up_to()
                )
            })?;
            sources.push((name, text));
        }
        Self::from_sources(sources)
    }

    /// Parses and validates articles given as (file name, text) pairs.
    pub fn from_sources(sources: impl IntoIterator<Item = (String, String)>) -> Result<Self> {
        let mut articles: Vec<Article> = Vec::new();
        let mut by_code: HashMap<String, usize> = HashMap::new();
        let mut by_code_http: HashMap<String, usize> = HashMap::new();
        let mut ids: HashMap<String, String> = HashMap::new();
        for (name, text) in sources {
            let file: ArticleFile = toml::from_str(&text).map_err(|e| {
                let at = e.span().map(|s| position(&text, s.start)).unwrap_or((1, 1));
                anyhow::anyhow!("{name}:{}:{}: {}", at.0, at.1, first_line(e.message()))
            })?;
            let at = |offset: usize| {
                let (line, col) = position(&text, offset);
                format!("{name}:{line}:{col}")
            };
            let id = file.id.get_ref().clone();
            if !is_slug(&id) {
                bail!(
                    "{}: article id {id:?} must be lowercase letters, digits and '-'",
                    at(file.id.span().start)
                );
            }
            if let Some(other) = ids.insert(id.clone(), name.clone()) {
                bail!(
                    "{}: article id {id:?} is already used by {other}",
                    at(file.id.span().start)
                );
            }
            for (field, empty) in [
                ("title", file.title.trim().is_empty()),
                ("symptoms", file.symptoms.is_empty()),
                ("fix", file.fix.is_empty()),
            ] {
                if empty {
                    bail!("{name}: article {id:?} has an empty {field}");
                }
            }
            let mut apis: Vec<String> = Vec::with_capacity(file.apis.len());
            for api in &file.apis {
                let name = api.get_ref();
                if !search::API_TYPES.contains(&name.as_str()) {
                    bail!(
                        "{}: api type {name:?} is not known (rest, http or websocket)",
                        at(api.span().start)
                    );
                }
                if apis.contains(name) {
                    bail!("{}: api type {name:?} appears twice", at(api.span().start));
                }
                apis.push(name.clone());
            }
            let index = articles.len();
            let mut findings = Vec::with_capacity(file.findings.len());
            for f in &file.findings {
                let code = f.code.get_ref().clone();
                if !is_finding_code(&code) {
                    bail!(
                        "{}: finding code {code:?} must look like check.name (lowercase, '-' between words)",
                        at(f.code.span().start)
                    );
                }
                let http = match f.api.as_deref() {
                    None => false,
                    Some("http") => true,
                    Some(other) => bail!(
                        "{}: finding {code:?}: api {other:?} is not known (only \"http\")",
                        at(f.code.span().start)
                    ),
                };
                let taken = if http { &by_code_http } else { &by_code };
                if let Some(&other) = taken.get(&code) {
                    // Codes are indexed only after their article is pushed: `other` is in range.
                    let other = &articles[other];
                    bail!(
                        "{}: finding code {code:?} is already explained by article {:?} ({})",
                        at(f.code.span().start),
                        other.id,
                        other.source
                    );
                }
                if findings.iter().any(|e: &ExplainedFinding| e.code == code) {
                    bail!(
                        "{}: finding code {code:?} appears twice",
                        at(f.code.span().start)
                    );
                }
                findings.push(ExplainedFinding {
                    code,
                    fix: f.fix.clone(),
                    api: f.api.clone(),
                });
            }
            articles.push(Article {
                id,
                title: file.title,
                question: file.question,
                source_updated: file.source_updated,
                check: file.check,
                summary: file.summary.trim().to_string(),
                symptoms: file.symptoms,
                fix: file.fix,
                apis,
                references: file.references,
                findings,
                source: name,
            });
            for f in &articles[index].findings {
                if f.api.is_some() {
                    by_code_http.insert(f.code.clone(), index);
                } else {
                    by_code.insert(f.code.clone(), index);
                }
            }
        }
        Ok(KnowledgeBase {
            articles,
            by_code,
            by_code_http,
            embedded: false,
        })
    }

    pub fn articles(&self) -> &[Article] {
        &self.articles
    }

    pub fn article(&self, id: &str) -> Option<&Article> {
        self.articles.iter().find(|a| a.id == id)
    }

    /// The article that explains `code`, with the fix it gives for that code.
    pub fn explain(&self, code: &str) -> Option<(&Article, &ExplainedFinding)> {
        self.explain_for(code, None)
    }

    /// The article that explains `code` for this kind of API (`http`), or else in general.
    pub fn explain_for(
        &self,
        code: &str,
        api: Option<&str>,
    ) -> Option<(&Article, &ExplainedFinding)> {
        let scoped = (api == Some("http"))
            .then(|| self.by_code_http.get(code))
            .flatten();
        let index = scoped
            .or_else(|| self.by_code.get(code))
            .or_else(|| self.by_code_http.get(code))?;
        let article = &self.articles[*index];
        let finding = article
            .findings
            .iter()
            .find(|f| f.code == code && (scoped.is_none() || f.api.is_some()))?;
        Some((article, finding))
    }

    /// The article that explains the same finding codes for the other kind of API
    /// (`api = "http"` in one of them): REST's status codes and HTTP APIs'.
    pub fn twin(&self, n: usize) -> Option<usize> {
        self.by_code_http.iter().find_map(|(code, &http)| {
            let general = *self.by_code.get(code)?;
            if general == http {
                None
            } else if n == general {
                Some(http)
            } else {
                (n == http).then_some(general)
            }
        })
    }

    /// Every finding code some article explains.
    pub fn codes(&self) -> impl Iterator<Item = &str> {
        self.by_code
            .keys()
            .chain(self.by_code_http.keys())
            .map(String::as_str)
    }
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn is_finding_code(code: &str) -> bool {
    match code.split_once('.') {
        Some((check, name)) => is_slug(check) && is_slug(name),
        None => false,
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s).trim()
}

/// 1-based line and column (in characters) of a byte offset.
fn position(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kb(files: &[(&str, &str)]) -> Result<KnowledgeBase> {
        KnowledgeBase::from_sources(files.iter().map(|(n, t)| (n.to_string(), t.to_string())))
    }

    const MINIMAL: &str = r#"id = "a-b"
title = "T"
question = "Q?"
check = "apigw-doctor x"
summary = "S"
symptoms = ["boom"]
fix = ["do it"]
[[finding]]
code = "x.y"
fix = "f"
"#;

    /// The static articles build.rs writes are exactly the validated parse of the files:
    /// every article, field and code map, in order.
    #[test]
    fn static_articles_are_the_validated_parse() {
        assert!(
            EMBEDDED_ARTICLES.is_some(),
            "build.rs could not read an article"
        );
        let fast = KnowledgeBase::embedded().unwrap();
        let parsed = KnowledgeBase::embedded_parsed().unwrap();
        let json = |kb: &KnowledgeBase| serde_json::to_value(&kb.articles).unwrap();
        assert_eq!(json(&fast), json(&parsed));
        let sources = |kb: &KnowledgeBase| -> Vec<String> {
            kb.articles.iter().map(|a| a.source.clone()).collect()
        };
        assert_eq!(sources(&fast), sources(&parsed));
        assert_eq!(fast.by_code, parsed.by_code);
        assert_eq!(fast.by_code_http, parsed.by_code_http);
    }

    #[test]
    fn embedded_articles_load_and_explain_their_codes() {
        let kb = KnowledgeBase::embedded().unwrap();
        let seeds = kb
            .articles()
            .iter()
            .filter(|a| a.source_updated.is_some())
            .count();
        assert_eq!(seeds, 6, "the six seed articles, and those beyond them");
        let (article, finding) = kb.explain("lambda.body-not-string").unwrap();
        assert_eq!(article.id, "rest-api-status-codes");
        assert!(finding.fix.contains("JSON.stringify"));
    }

    #[test]
    fn syntax_error_names_file_line_and_column() {
        let err = kb(&[("r.toml", "id = \"a\"\ntitle = = 3\n")])
            .err()
            .unwrap()
            .to_string();
        assert!(err.starts_with("r.toml:2:"), "{err}");
    }

    #[test]
    fn missing_field_and_unknown_field_are_errors() {
        let err = kb(&[("r.toml", "id = \"a\"\n")]).err().unwrap().to_string();
        assert!(err.starts_with("r.toml:1:1: missing field"), "{err}");
        let text = format!("{MINIMAL}\n[extra]\nx = 1\n");
        let err = kb(&[("r.toml", &text)]).err().unwrap().to_string();
        assert!(err.contains("unknown field"), "{err}");
    }

    #[test]
    fn duplicate_ids_and_codes_name_both_places() {
        let err = kb(&[("a.toml", MINIMAL), ("b.toml", MINIMAL)])
            .err()
            .unwrap()
            .to_string();
        assert_eq!(
            err,
            "b.toml:1:6: article id \"a-b\" is already used by a.toml"
        );
        let other = MINIMAL.replace("\"a-b\"", "\"c\"");
        let err = kb(&[("a.toml", MINIMAL), ("b.toml", &other)])
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.starts_with(
                "b.toml:9:8: finding code \"x.y\" is already explained by article \"a-b\""
            ),
            "{err}"
        );
    }

    #[test]
    fn bad_code_and_id_shapes_are_rejected() {
        let bad = MINIMAL.replace("\"x.y\"", "\"Lambda_Body\"");
        let err = kb(&[("a.toml", &bad)]).err().unwrap().to_string();
        assert!(err.starts_with("a.toml:9:8: finding code"), "{err}");
        let bad = MINIMAL.replace("\"a-b\"", "\"A B\"");
        let err = kb(&[("a.toml", &bad)]).err().unwrap().to_string();
        assert!(err.contains("must be lowercase"), "{err}");
    }

    #[test]
    fn twins_explain_the_same_codes_for_the_other_kind_of_api() {
        let kb = KnowledgeBase::embedded().unwrap();
        let n = |id: &str| kb.articles().iter().position(|a| a.id == id).unwrap();
        let (rest, http) = (n("rest-api-status-codes"), n("http-api-status-codes"));
        assert_eq!(kb.twin(rest), Some(http));
        assert_eq!(kb.twin(http), Some(rest));
        assert_eq!(kb.twin(n("cors")), None);
    }

    #[test]
    fn api_types_are_checked_where_they_stand() {
        let typed = MINIMAL.replace(
            "fix = [\"do it\"]",
            "fix = [\"do it\"]\napis = [\"rest\", \"websocket\"]",
        );
        let kb = kb(&[("a.toml", &typed)]).unwrap();
        assert_eq!(kb.articles()[0].apis, ["rest", "websocket"]);
        let bad = typed.replace("\"websocket\"]", "\"graphql\"]");
        let err = kb_err(&bad);
        assert_eq!(
            err,
            "a.toml:8:17: api type \"graphql\" is not known (rest, http or websocket)"
        );
        let twice = typed.replace("\"websocket\"]", "\"rest\"]");
        assert_eq!(
            kb_err(&twice),
            "a.toml:8:17: api type \"rest\" appears twice"
        );
    }

    fn kb_err(text: &str) -> String {
        kb(&[("a.toml", text)]).err().unwrap().to_string()
    }

    #[test]
    fn position_counts_characters_not_bytes() {
        assert_eq!(position("é=\nab", 4), (2, 1));
        assert_eq!(position("é=\nab", 1), (1, 1));
        assert_eq!(position("éx", 2), (1, 2));
        assert_eq!(position("abc", 99), (1, 4));
    }
}
