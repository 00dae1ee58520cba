//! `kb search`: ranks articles against pasted error text or a question.
//!
//! BM25 over one weighted bag of terms per article (symptoms and title count more than fix
//! steps), plus a bonus when a whole symptom appears in the query (or the query inside a
//! symptom), so a pasted error message finds its article first even inside log noise.
use super::{Article, KnowledgeBase};
use serde::Serialize;
use std::collections::HashMap;

const K1: f64 = 1.2;
const B: f64 = 0.75;
/// Added per term of the longest symptom found whole in the query: exact error text wins.
const EXACT_BONUS_PER_TERM: f64 = 2.0;
/// Queries are cut here: a pasted log can be long, but ranking needs only its words.
pub const MAX_QUERY_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub id: String,
    pub title: String,
    pub score: f64,
    pub check: String,
    /// The symptom found whole in the query, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched_symptom: Option<String>,
}

struct Doc {
    terms: HashMap<String, f64>,
    length: f64,
    symptoms: Vec<(String, usize)>,
}

pub struct Index<'a> {
    articles: &'a [Article],
    docs: Vec<Doc>,
    doc_freq: HashMap<String, usize>,
    avg_length: f64,
}

impl<'a> Index<'a> {
    pub fn new(kb: &'a KnowledgeBase) -> Self {
        let articles = kb.articles();
        let mut docs = Vec::with_capacity(articles.len());
        let mut doc_freq: HashMap<String, usize> = HashMap::new();
        for a in articles {
            let mut terms: HashMap<String, f64> = HashMap::new();
            let mut add = |text: &str, weight: f64| {
                for t in terms_of(text) {
                    *terms.entry(t).or_default() += weight;
                }
            };
            add(&a.title, 3.0);
            add(&a.question, 2.0);
            for s in &a.symptoms {
                add(s, 3.0);
            }
            add(&a.summary, 1.0);
            for f in &a.fix {
                add(f, 0.5);
            }
            for f in &a.findings {
                add(&f.code, 1.0);
                add(&f.fix, 0.5);
            }
            for t in terms.keys() {
                *doc_freq.entry(t.clone()).or_default() += 1;
            }
            let length = terms.values().sum();
            let symptoms = a
                .symptoms
                .iter()
                .map(|s| (normalize(s), terms_of(s).len()))
                .collect();
            docs.push(Doc {
                terms,
                length,
                symptoms,
            });
        }
        let avg_length = docs.iter().map(|d| d.length).sum::<f64>() / docs.len().max(1) as f64;
        Index {
            articles,
            docs,
            doc_freq,
            avg_length,
        }
    }

    /// Articles with a positive score, best first; ties keep the knowledge base's order.
    pub fn search(&self, query: &str) -> Vec<Hit> {
        let query = &query[..query.floor_char_boundary(MAX_QUERY_BYTES)];
        let mut query_terms = terms_of(query);
        query_terms.sort();
        query_terms.dedup();
        let normalized_query = normalize(query);
        let n = self.docs.len() as f64;
        let mut hits: Vec<Hit> = Vec::new();
        for (article, doc) in self.articles.iter().zip(&self.docs) {
            let mut score = 0.0;
            for t in &query_terms {
                let Some(&tf) = doc.terms.get(t) else {
                    continue;
                };
                let df = self.doc_freq[t] as f64;
                let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
                score += idf * tf * (K1 + 1.0)
                    / (tf + K1 * (1.0 - B + B * doc.length / self.avg_length));
            }
            let matched = doc
                .symptoms
                .iter()
                .zip(&article.symptoms)
                .filter(|((norm, count), _)| {
                    *count > 0 && exact_match(norm, *count, &normalized_query, query_terms.len())
                })
                .max_by_key(|((_, count), _)| *count);
            if let Some(((_, count), _)) = matched {
                // A short query found inside a long symptom earns only what it shares.
                score += EXACT_BONUS_PER_TERM * (*count).min(query_terms.len()) as f64;
            }
            if score > 0.0 {
                hits.push(Hit {
                    id: article.id.clone(),
                    title: article.title.clone(),
                    score: (score * 100.0).round() / 100.0,
                    check: article.check.clone(),
                    matched_symptom: matched.map(|(_, s)| s.clone()),
                });
            }
        }
        hits.sort_by(|a, b| b.score.total_cmp(&a.score));
        hits
    }
}

/// A symptom matches when it stands whole in the query (the query may carry log noise), or
/// when a query of three or more terms stands whole in the symptom (a partial paste).
fn exact_match(symptom: &str, symptom_terms: usize, query: &str, query_terms: usize) -> bool {
    let padded = |s: &str| format!(" {s} ");
    (symptom_terms >= 2 || symptom.len() >= 12) && padded(query).contains(&padded(symptom))
        || query_terms >= 3 && padded(symptom).contains(&padded(query))
}

/// Lowercase words separated by single spaces: quotes, punctuation and case do not matter.
fn normalize(text: &str) -> String {
    words(text).collect::<Vec<_>>().join(" ")
}

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// Ranking terms: words without stop words, stemmed, with camelCase names split
/// (`MissingAuthenticationTokenException` also yields missing, authentication, token).
fn terms_of(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for raw in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let parts = split_camel(raw);
        if parts.len() > 1 {
            out.extend(parts.iter().filter_map(|p| term(p)));
        }
        out.extend(term(raw));
    }
    out
}

fn term(word: &str) -> Option<String> {
    let w = word.to_lowercase();
    if w.chars().count() < 2 || STOP_WORDS.contains(&w.as_str()) {
        return None;
    }
    Some(stem(&w))
}

fn split_camel(word: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    for i in 1..chars.len() {
        let (at, c) = chars[i];
        let prev = chars[i - 1].1;
        let next_lower = chars.get(i + 1).is_some_and(|(_, n)| n.is_lowercase());
        if c.is_uppercase() && (prev.is_lowercase() || prev.is_uppercase() && next_lower) {
            parts.push(&word[start..at]);
            start = at;
        }
    }
    parts.push(&word[start..]);
    parts
}

/// A light suffix stemmer: enough to meet "deleting"/"deleted"/"deletes" at "delet".
fn stem(word: &str) -> String {
    if word.chars().any(|c| c.is_ascii_digit()) {
        return word.to_string();
    }
    for suffix in ["ing", "ed", "es", "s", "e"] {
        if let Some(base) = word.strip_suffix(suffix)
            && base.chars().count() >= 3
            && !(suffix == "s" && base.ends_with('s'))
        {
            return base.to_string();
        }
    }
    word.to_string()
}

const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "can", "do", "does", "for", "from",
    "get", "got", "has", "have", "how", "i", "if", "in", "into", "is", "it", "its", "me", "my",
    "of", "on", "or", "so", "that", "the", "their", "then", "there", "this", "to", "was", "we",
    "what", "when", "where", "which", "why", "will", "with", "you", "your", "am", "im", "our",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_case_is_split() {
        assert_eq!(
            split_camel("MissingAuthenticationTokenException"),
            ["Missing", "Authentication", "Token", "Exception"]
        );
        assert_eq!(split_camel("HTTPApi"), ["HTTP", "Api"]);
        assert_eq!(split_camel("plain"), ["plain"]);
    }

    #[test]
    fn stemming_meets_word_forms() {
        assert_eq!(stem("deleting"), stem("deleted"));
        assert_eq!(stem("deletes"), stem("delete"));
        assert_eq!(stem("codes"), stem("code"));
        assert_eq!(stem("502"), "502");
    }

    #[test]
    fn normalize_ignores_quotes_case_and_punctuation() {
        assert_eq!(
            normalize("  \"Cannot delete VPC link [Method:Resource].\" "),
            "cannot delete vpc link method resource"
        );
    }

    #[test]
    fn exact_symptom_needs_word_boundaries() {
        assert!(exact_match(
            "missing authentication token",
            3,
            "x missing authentication token y",
            5
        ));
        assert!(!exact_match("token", 1, "tokens", 1));
    }

    #[test]
    fn long_queries_are_cut_on_a_char_boundary() {
        let kb = KnowledgeBase::embedded().unwrap();
        let q = "é".repeat(MAX_QUERY_BYTES);
        assert!(Index::new(&kb).search(&q).is_empty());
    }
}
