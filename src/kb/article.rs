//! One knowledge-base article: a TOML file in `rules/`.
use serde::{Deserialize, Serialize};
use toml::Spanned;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticleFile {
    pub id: Spanned<String>,
    pub title: String,
    pub question: String,
    #[serde(default)]
    pub source_updated: Option<String>,
    /// The command that checks this article's findings, shown by `kb search`.
    pub check: String,
    pub summary: String,
    pub symptoms: Vec<String>,
    pub fix: Vec<String>,
    /// The API types the article is about (`rest`, `http`, `websocket`); empty: all of them.
    #[serde(default)]
    pub apis: Vec<Spanned<String>>,
    #[serde(default)]
    pub references: Vec<Reference>,
    #[serde(default, rename = "finding")]
    pub findings: Vec<ExplainedFindingFile>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExplainedFindingFile {
    pub code: Spanned<String>,
    pub fix: String,
    /// `http`: this article explains the code for HTTP APIs; another article explains it
    /// for the rest.
    #[serde(default)]
    pub api: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    pub title: String,
    pub url: String,
}

/// A validated article, as the rest of the program uses it.
#[derive(Debug, Clone, Serialize)]
pub struct Article {
    pub id: String,
    pub title: String,
    pub question: String,
    pub source_updated: Option<String>,
    pub check: String,
    pub summary: String,
    pub symptoms: Vec<String>,
    pub fix: Vec<String>,
    /// The API types the article is about (`rest`, `http`, `websocket`); empty: all of them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub apis: Vec<String>,
    pub references: Vec<Reference>,
    pub findings: Vec<ExplainedFinding>,
    /// Where the article came from (`rules/x.toml` or a path under `--rules`).
    #[serde(skip)]
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExplainedFinding {
    pub code: String,
    pub fix: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api: Option<String>,
}

impl Article {
    pub fn finding(&self, code: &str) -> Option<&ExplainedFinding> {
        self.findings.iter().find(|f| f.code == code)
    }
}
