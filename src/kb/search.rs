//! `kb search`: ranks articles against pasted error text or a question.
//!
//! BM25 over one weighted bag of terms per article (symptoms and title count more than fix
//! steps), plus a bonus when a whole symptom appears in the query (or the query inside a
//! symptom), so a pasted error message finds its article first even inside log noise.
use super::terms::{HashMap, Term, Tokenizer, article_terms, signatures};
use super::{Article, KnowledgeBase};
use serde::Serialize;

const K1: f64 = 1.2;
const B: f64 = 0.75;
/// Added per term of the longest symptom found whole in the query: exact error text wins.
const EXACT_BONUS_PER_TERM: f64 = 2.0;
/// Queries are cut here: a pasted log can be long, but ranking needs only its words.
pub const MAX_QUERY_BYTES: usize = 64 * 1024;

/// Below this confidence a hit is `weak`: listed, but not an answer.
pub const CONFIDENCE_FLOOR: f64 = 0.5;

pub const WEIGHTS: usize = 5;

/// The logistic model that turns a hit's features into a confidence (0-1): the intercept and
/// the weights of coverage, an exact symptom, ln(1 + score) and a foreign service. Fitted on
/// the labelled phrasings of `tests/kb_search_quality.rs` (run it with KB_CALIBRATE=1 to refit).
pub const MODEL: [f64; WEIGHTS] = [-6.51, 5.86, 1.67, 2.01, -4.77];

#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub id: String,
    pub title: String,
    pub score: f64,
    /// How likely this article is the answer (0-1), from how much of the query it explains.
    pub confidence: f64,
    /// Below the confidence floor: shown, but not an answer.
    pub weak: bool,
    pub check: String,
    /// The symptom found whole in the query, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched_symptom: Option<String>,
    #[serde(skip)]
    pub features: Features,
}

/// What the confidence is computed from.
#[derive(Debug, Clone, Copy, Default)]
pub struct Features {
    /// The share of the query's meaning (its terms weighted by rarity) the article contains.
    pub coverage: f64,
    /// A whole symptom of the article stands in the query.
    pub exact: bool,
    pub score: f64,
    /// The query is about another AWS service (WebSocket APIs, DynamoDB, Step Functions, ...).
    pub foreign: bool,
}

impl Features {
    pub fn vector(&self) -> [f64; WEIGHTS] {
        [
            1.0,
            self.coverage,
            f64::from(u8::from(self.exact)),
            self.score.ln_1p(),
            f64::from(u8::from(self.foreign)),
        ]
    }

    pub fn confidence(&self, model: &[f64; WEIGHTS]) -> f64 {
        let z: f64 = model.iter().zip(self.vector()).map(|(w, x)| w * x).sum();
        1.0 / (1.0 + (-z).exp())
    }
}

/// Services the knowledge base does not cover, named as words users write.
const FOREIGN_WORDS: &[&str] = &[
    "websocket",
    "websockets",
    "dynamodb",
    "kubectl",
    "kubernetes",
    "eks",
    "ecs",
    "fargate",
    "sqs",
    "sns",
    "kinesis",
    "rds",
    "aurora",
    "stepfunctions",
    "appsync",
    "graphql",
    "ecr",
];

/// Services whose ARNs (`arn:aws:SERVICE:`) or IAM actions (`SERVICE:Action`) belong to API
/// Gateway problems; any other service's marks the text as about something else.
const OWN_SERVICES: &[&str] = &[
    "execute-api",
    "apigateway",
    "lambda",
    "iam",
    "sts",
    "acm",
    "cloudfront",
    "route53",
    "elasticloadbalancing",
    "ec2",
    "logs",
    "wafv2",
    "waf",
];

/// The text is about another AWS service: it names one, or carries its ARNs or IAM actions.
fn foreign(text: &str) -> bool {
    let lower = text.to_lowercase();
    if lower.contains("step function") || lower.contains("state machine") {
        return true;
    }
    let words = lower.split(|c: char| !c.is_ascii_alphanumeric());
    if words.clone().any(|w| FOREIGN_WORDS.contains(&w)) {
        return true;
    }
    // `arn:aws:states:...` and `is not authorized to perform: states:SendTaskFailure`.
    ["arn:aws:", "perform:"].iter().any(|marker| {
        lower.match_indices(marker).any(|(at, _)| {
            let rest = lower[at + marker.len()..].trim_start();
            let service = rest.split(':').next().unwrap_or_default();
            let plain = !service.is_empty()
                && service
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-');
            plain && rest.len() > service.len() && !OWN_SERVICES.contains(&service)
        })
    })
}

struct Doc {
    terms: HashMap<Term, f64>,
    length: f64,
    /// Each symptom normalized, its term count, and the case-sensitive signatures it carries.
    symptoms: Vec<(String, usize, Vec<&'static str>)>,
}

pub struct Index<'a> {
    articles: &'a [Article],
    docs: Vec<Doc>,
    doc_freq: HashMap<Term, usize>,
    avg_length: f64,
}

impl<'a> Index<'a> {
    pub fn new(kb: &'a KnowledgeBase) -> Self {
        let articles = kb.articles();
        let mut tokenizer = Tokenizer::default();
        let mut docs = Vec::with_capacity(articles.len());
        let mut doc_freq: HashMap<Term, usize> = HashMap::default();
        for (n, a) in articles.iter().enumerate() {
            let (terms, counts) = match kb.prebuilt(n) {
                Some(prebuilt) => prebuilt,
                None => runtime_terms(&mut tokenizer, a),
            };
            for t in terms.keys() {
                *doc_freq.entry(t.clone()).or_default() += 1;
            }
            let length = terms.values().sum();
            let symptoms = a
                .symptoms
                .iter()
                .zip(counts)
                .map(|(s, count)| (normalize(s), count, signatures(s)))
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
        let mut query_terms = Tokenizer::default().terms(query);
        query_terms.sort();
        query_terms.dedup();
        let normalized_query = normalize(query);
        let query_signatures = signatures(query);
        let foreign = foreign(query);
        let n = self.docs.len() as f64;
        let idf = |df: f64| ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
        // A word no article knows weighs as much as the rarest: it is meaning left unexplained.
        // Numbers and ids no article knows (request ids, timestamps, accounts) are noise.
        let known = |t: &str| self.doc_freq.contains_key(t);
        let noise = |t: &str| !known(t) && t.bytes().any(|b| b.is_ascii_digit());
        let meaning: f64 = query_terms
            .iter()
            .filter(|t| !noise(t))
            .map(|t| idf(self.doc_freq.get(t).copied().unwrap_or(0) as f64))
            .sum();
        let mut hits: Vec<Hit> = Vec::new();
        for (article, doc) in self.articles.iter().zip(&self.docs) {
            let mut score = 0.0;
            let mut explained = 0.0;
            for t in &query_terms {
                let Some(&tf) = doc.terms.get(t) else {
                    continue;
                };
                let idf = idf(self.doc_freq[t] as f64);
                explained += idf;
                score += idf * tf * (K1 + 1.0)
                    / (tf + K1 * (1.0 - B + B * doc.length / self.avg_length));
            }
            let matched = doc
                .symptoms
                .iter()
                .zip(&article.symptoms)
                .filter(|((norm, count, sigs), _)| {
                    // "Internal Server Error" is not "Internal server error": case decides.
                    *count > 0
                        && sigs.iter().all(|s| query_signatures.contains(s))
                        && exact_match(norm, *count, &normalized_query, query_terms.len())
                })
                .max_by_key(|((_, count, _), _)| *count);
            if let Some(((_, count, _), _)) = matched {
                // A short query found inside a long symptom earns only what it shares.
                score += EXACT_BONUS_PER_TERM * (*count).min(query_terms.len()) as f64;
            }
            if score > 0.0 {
                let features = Features {
                    coverage: if meaning > 0.0 {
                        explained / meaning
                    } else {
                        0.0
                    },
                    exact: matched.is_some(),
                    score,
                    foreign,
                };
                let confidence = features.confidence(&MODEL);
                hits.push(Hit {
                    id: article.id.clone(),
                    title: article.title.clone(),
                    score: (score * 100.0).round() / 100.0,
                    confidence: (confidence * 100.0).round() / 100.0,
                    weak: confidence < CONFIDENCE_FLOOR,
                    check: article.check.clone(),
                    matched_symptom: matched.map(|(_, s)| s.clone()),
                    features,
                });
            }
        }
        hits.sort_by(|a, b| b.score.total_cmp(&a.score));
        hits
    }
}

/// An article indexed now (a `--rules` folder; embedded articles are indexed at build time).
fn runtime_terms(tokenizer: &mut Tokenizer, a: &Article) -> (HashMap<Term, f64>, Vec<usize>) {
    article_terms(
        tokenizer,
        &a.title,
        &a.question,
        a.symptoms.iter().map(String::as_str),
        &a.summary,
        a.fix.iter().map(String::as_str),
        a.findings.iter().map(|f| (f.code.as_str(), f.fix.as_str())),
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_services_are_recognised() {
        assert!(foreign("api error ThrottlingException from DynamoDB"));
        assert!(foreign(
            "User: arn:aws:sts::1:assumed-role/r/i is not authorized to perform: states:SendTaskFailure"
        ));
        assert!(foreign("Api Gateway WebSocket PostToConnection Forbidden"));
        assert!(!foreign(
            "User: arn:aws:iam::1:user/bob is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:1:abc/prod/GET/"
        ));
        assert!(!foreign("Malformed Lambda proxy response"));
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
    fn the_build_time_index_is_the_runtime_index() {
        let kb = KnowledgeBase::embedded().unwrap();
        let mut tokenizer = Tokenizer::default();
        for (n, a) in kb.articles().iter().enumerate() {
            let (prebuilt, counts) = kb.prebuilt(n).expect("embedded articles are prebuilt");
            let (runtime, runtime_counts) = runtime_terms(&mut tokenizer, a);
            assert_eq!(prebuilt, runtime, "{}", a.id);
            assert_eq!(counts, runtime_counts, "{}", a.id);
        }
    }

    #[test]
    fn long_queries_are_cut_on_a_char_boundary() {
        let kb = KnowledgeBase::embedded().unwrap();
        let q = "é".repeat(MAX_QUERY_BYTES);
        assert!(Index::new(&kb).search(&q).is_empty());
    }
}
