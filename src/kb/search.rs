//! `kb search`: ranks articles against pasted error text or a question.
//!
//! BM25 over one weighted bag of terms per article (symptoms and title count more than fix
//! steps), plus a bonus when a whole symptom appears in the query (or the query inside a
//! symptom), so a pasted error message finds its article first even inside log noise; the
//! ranking raises that score by how close the text comes to one users wrote about the article.
use super::error_text::error_text;
use super::terms::{
    HashMap, SymptomTerms, Term, Tokenizer, article_terms, fnv1a, padded, prepared_symptom,
    signatures,
};
use super::vocabulary::{client_message, foreign_marks, shared_error};
use super::{Article, KnowledgeBase, MEMORY_HASHES, MEMORY_LABELS, MEMORY_POSTINGS};
use serde::Serialize;
use std::borrow::Cow;
use std::sync::OnceLock;

const K1: f64 = 1.2;
const B: f64 = 0.75;
/// Added per term of the longest symptom found whole in the query: exact error text wins.
const EXACT_BONUS_PER_TERM: f64 = 2.0;
/// Queries are cut here: a pasted log can be long, but ranking needs only its words.
pub const MAX_QUERY_BYTES: usize = 64 * 1024;

/// Below this confidence a hit is `weak`: listed, but not an answer.
pub const CONFIDENCE_FLOOR: f64 = 0.5;

pub const WEIGHTS: usize = 11;

/// The API types an article may be about (`apis` in its file).
pub const API_TYPES: [&str; 3] = ["rest", "http", "websocket"];

/// How people write an API type's name ("REST", "HTTP", "WebSocket").
pub fn api_type_name(api: &str) -> &str {
    match api {
        "rest" => "REST",
        "http" => "HTTP",
        "websocket" => "WebSocket",
        other => other,
    }
}
/// An article about other API types than the ones the text names keeps this share of its score.
const OTHER_API_TYPE: f64 = 0.5;

/// How much the nearest remembered text about an article adds to its score: the score is
/// multiplied by 1 + this x the cosine (0-1). Chosen on the fit part when it held 213 covered
/// texts: the right article ranked first for 191 by the words alone, 195 at 1 to 1.5, 194 at 2.
const MEMORY_IN_SCORE: f64 = 1.5;

/// Marks of other services counted at most (each lowers the confidence).
const MAX_FOREIGN_MARKS: usize = 3;

/// The logistic model that turns a hit's features into a confidence (0-1): the intercept and
/// the weights of ln(coverage), an exact symptom, ln(1 + score), marks of other services, a
/// mark of API Gateway, whether the text carries an error message, the share of the closest
/// symptom the text says, ln(1 + the text's terms), and how close the text comes to a remembered
/// text about this article and to one about no article. Fitted on the fit part of the labelled
/// pastes of `tests/kb_search_quality.rs` (run it with KB_CALIBRATE=1 to refit).
pub const MODEL: [f64; WEIGHTS] = [
    -3.09, 0.94, 0.80, 0.54, -1.44, 1.53, 0.19, 2.82, -0.37, 6.87, -6.82,
];

#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub id: String,
    pub title: String,
    pub score: f64,
    /// How likely this article is the answer (0-1), from how much of the query it explains.
    pub confidence: f64,
    /// Below the confidence floor: shown, but not an answer.
    pub weak: bool,
    /// A second confident answer: it matched an error text of its own, so both apply.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub also: bool,
    pub check: String,
    /// The symptom found whole in the query, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched_symptom: Option<String>,
    /// The article about the same problem for another type of API, when the text does not say
    /// which type it is about (REST's status codes, or HTTP APIs').
    #[serde(skip_serializing_if = "Option::is_none")]
    pub if_other_api: Option<OtherApi>,
    #[serde(skip)]
    pub features: Features,
}

/// The same problem's article for other API types.
#[derive(Debug, Clone, Serialize)]
pub struct OtherApi {
    pub apis: Vec<String>,
    pub id: String,
}

/// What the confidence is computed from.
#[derive(Debug, Clone, Copy, Default)]
pub struct Features {
    /// The share of the query's meaning (its terms weighted by rarity) the article contains.
    pub coverage: f64,
    /// A whole symptom of the article stands in the query.
    pub exact: bool,
    pub score: f64,
    /// Marks of another AWS service (or of an API Gateway feature no article covers) or of
    /// another platform (nginx, Heroku, an emulator of API Gateway such as LocalStack) in the
    /// query, at most 3: its error and operation names, ARNs, IAM actions, hosts, product names.
    pub foreign: f64,
    /// The text names API Gateway or carries one of its marks (an execute-api host, the
    /// x-amzn-ErrorType or apigw-requestid header, an execution log line).
    pub gateway: bool,
    /// The text carries an error message (not only a question in prose): the same coverage
    /// means less when an error's exact words are there to be explained.
    pub error: bool,
    /// The largest share of one of the article's symptoms (its terms weighted by rarity) the
    /// text contains: 1 when a symptom's words all stand in it, in any order.
    pub symptom_share: f64,
    /// How many meaningful terms the text has (ids and numbers no article knows left out): a
    /// long text earns a larger score from the same evidence.
    pub words: f64,
    /// How close (cosine, 0-1) the text comes to the nearest remembered text about this
    /// article (`rules/memory/`: real texts users wrote about each problem).
    pub nearest: f64,
    /// How close the text comes to the nearest remembered text that no article answers.
    pub nearest_none: f64,
    /// The text names its API's type and the article is about other types (not a weight of
    /// the model: the score already paid for it; such a hit never "also applies").
    pub other_api_type: bool,
}

impl Features {
    pub fn vector(&self) -> [f64; WEIGHTS] {
        [
            1.0,
            self.coverage.max(0.01).ln(),
            f64::from(u8::from(self.exact)),
            self.score.ln_1p(),
            self.foreign,
            f64::from(u8::from(self.gateway)),
            f64::from(u8::from(self.error)),
            self.symptom_share,
            self.words.ln_1p(),
            self.nearest,
            self.nearest_none,
        ]
    }

    /// What hits are ranked by: the score, raised by how close the text comes to one users
    /// wrote about the article (evidence the article's words miss).
    pub fn ranking(&self) -> f64 {
        self.score * (1.0 + MEMORY_IN_SCORE * self.nearest)
    }

    pub fn confidence(&self, model: &[f64; WEIGHTS]) -> f64 {
        let z: f64 = model.iter().zip(self.vector()).map(|(w, x)| w * x).sum();
        1.0 / (1.0 + (-z).exp())
    }
}

/// A symptom prepared for matching.
struct Symptom {
    /// Its [`padded`] normalized text, for exact matching.
    norm: Cow<'static, str>,
    /// Its term count; 0 for an error name other services use too: never evidence of its own.
    count: usize,
    /// The case-sensitive signatures it carries.
    signatures: Cow<'static, [&'static str]>,
    /// Its distinct terms, each with the number of articles it stands in.
    terms: Words,
}

/// A symptom's terms and their document frequencies: static (built with the embedded
/// articles) or counted at run time (`--rules`). Sorted lists, not tables: summed in the same
/// order either way, so an index built at run time gives the same shares to the last bit.
enum Words {
    Static(&'static [(&'static str, usize)]),
    Owned(Vec<(Term, usize)>),
}

impl Words {
    /// The share of these terms, each weighted by `weight` of its document frequency, that
    /// are among `said` (the query's terms the article has: a few). Weights are computed only
    /// for a symptom the query touches.
    fn share_in(&self, said: &[&str], weight: impl Fn(usize) -> f64) -> f64 {
        let said = |term: &str| said.contains(&term);
        let share = |terms: &mut dyn Iterator<Item = (&str, usize)>| {
            let (mut part, mut all) = (0.0, 0.0);
            for (t, df) in terms {
                let w = weight(df);
                all += w;
                if said(t) {
                    part += w;
                }
            }
            if all > 0.0 { part / all } else { 0.0 }
        };
        match self {
            Words::Static(words) if words.iter().any(|(t, _)| said(t)) => {
                share(&mut words.iter().map(|(t, df)| (*t, *df)))
            }
            Words::Owned(words) if words.iter().any(|(t, _)| said(t)) => {
                share(&mut words.iter().map(|(t, df)| (&**t, *df)))
            }
            _ => 0.0,
        }
    }
}

struct Doc {
    /// The API types the article is about ([`api_type_bits`]); 0: all of them.
    apis: u8,
    /// The article about the same problem for the other kind of API ([`KnowledgeBase::twin`]).
    twin: Option<usize>,
    terms: Table<f64>,
    length: f64,
    /// Each symptom normalized, its term count, and the case-sensitive signatures it carries.
    /// A symptom that is only an error name other services use too (`AccessDeniedException`)
    /// has a count of 0: ordinary evidence, never an exact match.
    /// Prebuilt (static) for the embedded articles; the normalized text is [`padded`].
    symptoms: Vec<Symptom>,
}

pub struct Index<'a> {
    articles: &'a [Article],
    docs: Vec<Doc>,
    doc_freq: Table<usize>,
    avg_length: f64,
}

/// Terms and their weights or counts: static and sorted (built with the embedded articles,
/// binary-searched: nothing to build at start-up), or a table built at run time (`--rules`).
enum Table<V: 'static> {
    Static(&'static [(&'static str, V)]),
    Owned(HashMap<Term, V>),
}

impl<V: Copy> Table<V> {
    fn get(&self, term: &str) -> Option<V> {
        match self {
            Table::Static(entries) => entries
                .binary_search_by(|(t, _)| (*t).cmp(term))
                .ok()
                .map(|i| entries[i].1),
            Table::Owned(map) => map.get(term).copied(),
        }
    }

    fn contains(&self, term: &str) -> bool {
        self.get(term).is_some()
    }

    fn entries(&self) -> Box<dyn Iterator<Item = (&str, V)> + '_> {
        match self {
            Table::Static(entries) => Box::new(entries.iter().map(|(t, v)| (*t, *v))),
            Table::Owned(map) => Box::new(map.iter().map(|(t, v)| (&**t, *v))),
        }
    }
}

impl<'a> Index<'a> {
    pub fn new(kb: &'a KnowledgeBase) -> Self {
        let articles = kb.articles();
        let mut tokenizer = Tokenizer::default();
        let mut docs = Vec::with_capacity(articles.len());
        for (n, a) in articles.iter().enumerate() {
            let (terms, symptoms) = match kb.prebuilt(n) {
                Some((terms, symptoms)) => (
                    Table::Static(terms),
                    symptoms
                        .iter()
                        .map(|(norm, count, sigs, words)| Symptom {
                            norm: Cow::Borrowed(*norm),
                            count: *count,
                            signatures: Cow::Borrowed(*sigs),
                            terms: Words::Static(words),
                        })
                        .collect(),
                ),
                None => {
                    let (terms, symptom_terms) = runtime_terms(&mut tokenizer, a);
                    let symptoms = a
                        .symptoms
                        .iter()
                        .zip(symptom_terms)
                        .map(|(s, (count, words))| {
                            let (norm, count, sigs) = prepared_symptom(s, count, shared_error);
                            // Document frequencies are filled in once every article is read.
                            let words = words.into_iter().map(|t| (t, 0)).collect();
                            Symptom {
                                norm: Cow::Owned(norm),
                                count,
                                signatures: Cow::Owned(sigs),
                                terms: Words::Owned(words),
                            }
                        })
                        .collect();
                    (Table::Owned(terms), symptoms)
                }
            };
            let length = terms.entries().map(|(_, w)| w).sum();
            docs.push(Doc {
                apis: api_type_bits(a.apis.iter().map(String::as_str)),
                twin: kb.twin(n),
                terms,
                length,
                symptoms,
            });
        }
        let avg_length = docs.iter().map(|d| d.length).sum::<f64>() / docs.len().max(1) as f64;
        let doc_freq = match kb.prebuilt_doc_freq() {
            Some(static_freq) => Table::Static(static_freq),
            None => {
                let mut freq: HashMap<Term, usize> = HashMap::default();
                for d in &docs {
                    for (t, _) in d.terms.entries() {
                        *freq.entry(t.into()).or_default() += 1;
                    }
                }
                for d in &mut docs {
                    for sym in &mut d.symptoms {
                        if let Words::Owned(words) = &mut sym.terms {
                            for (t, df) in words {
                                *df = freq.get(t).copied().unwrap_or(0);
                            }
                        }
                    }
                }
                Table::Owned(freq)
            }
        };
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
        // Every remembered text is shorter than the cut: hashing what is kept finds it.
        let own_hash = fnv1a(query);
        let query = edge_headers_removed(query);
        let query = query.as_ref();
        let mut tokenizer = Tokenizer::default();
        let mut query_terms = tokenizer.terms(query);
        query_terms.sort();
        query_terms.dedup();
        let normalized_query = padded(query);
        let query_signatures = signatures(query);
        let foreign = foreign_marks(query, MAX_FOREIGN_MARKS).len() as f64;
        // The error text's words are the query's: the tokenizer's stems serve both.
        let error_terms = tokenizer.terms(&error_text(query));
        let lower = query.to_ascii_lowercase();
        let gateway = names_api_gateway(&lower);
        let named_apis = api_types_named(&lower);
        let n = self.docs.len() as f64;
        let idf = |df: f64| ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
        // A word no article knows weighs as much as the rarest: it is meaning left unexplained.
        // Numbers and ids no article knows (request ids, timestamps, accounts) are noise.
        let known = |t: &str| self.doc_freq.contains(t);
        let noise = |t: &str| !known(t) && t.bytes().any(|b| b.is_ascii_digit());
        let meaning: f64 = query_terms
            .iter()
            .filter(|t| !noise(t))
            .map(|t| idf(self.doc_freq.get(t).unwrap_or(0) as f64))
            .sum();
        let error = error_terms.iter().any(|t| !noise(t));
        let words = query_terms.iter().filter(|t| !noise(t)).count() as f64;
        let near = remembered(query_terms.iter().filter(|t| !noise(t)), own_hash);
        let near_to = |label: &str| near.get(label).copied().unwrap_or(0.0);
        let nearest_none = near_to("none");
        let mut hits: Vec<Hit> = Vec::new();
        for (article, doc) in self.articles.iter().zip(&self.docs) {
            let mut score = 0.0;
            let mut explained = 0.0;
            let mut said: Vec<&str> = Vec::new();
            for t in &query_terms {
                let Some(tf) = doc.terms.get(t) else {
                    continue;
                };
                said.push(t);
                let idf = idf(self.doc_freq.get(t).unwrap_or(0) as f64);
                explained += idf;
                score += idf * tf * (K1 + 1.0)
                    / (tf + K1 * (1.0 - B + B * doc.length / self.avg_length));
            }
            // A client's message (a browser's CORS error, curl's certificate error) is the same
            // from any server: evidence of its own only beside API Gateway's marks. (Judged
            // last: it reads the symptom's text.)
            let evidence = |sym: &Symptom, symptom: &str| {
                sym.count > 0
                    && (gateway
                        || !client_message(symptom)
                        || names_api_gateway(&symptom.to_ascii_lowercase()))
            };
            let matched = doc
                .symptoms
                .iter()
                .zip(&article.symptoms)
                .filter(|(sym, symptom)| {
                    // "Internal Server Error" is not "Internal server error": case decides.
                    sym.signatures.iter().all(|s| query_signatures.contains(s))
                        && exact_match(&sym.norm, sym.count, &normalized_query, query_terms.len())
                        && evidence(sym, symptom)
                })
                .max_by_key(|(sym, _)| sym.count);
            if let Some((sym, _)) = matched {
                // A short query found inside a long symptom earns only what it shares.
                score += EXACT_BONUS_PER_TERM * sym.count.min(query_terms.len()) as f64;
            }
            // How much of its closest symptom the text says, weighted by rarity: one way the
            // problem looks, said nearly whole, is more than its words scattered.
            // The evidence rule is judged best share first, until a symptom passes it.
            let mut shares: Vec<(f64, usize)> = Vec::new();
            if score > 0.0 {
                for (n, sym) in doc.symptoms.iter().enumerate() {
                    let share = sym.terms.share_in(&said, |df| idf(df as f64));
                    if share > 0.0 {
                        shares.push((share, n));
                    }
                }
            }
            shares.sort_by(|a, b| b.0.total_cmp(&a.0));
            let symptom_share = shares
                .iter()
                .find(|(_, n)| evidence(&doc.symptoms[*n], &article.symptoms[*n]))
                .map_or(0.0, |(share, _)| *share);
            // A text that names its API's type (an HTTP API's payload format version, a REST
            // API's execution log) is less likely about an article on other types: REST and
            // HTTP APIs answer a function's error differently, and their articles share words.
            let other_api_type = named_apis != 0 && doc.apis != 0 && named_apis & doc.apis == 0;
            if other_api_type {
                score *= OTHER_API_TYPE;
            }
            let nearest = near_to(&article.id);
            if score > 0.0 {
                let features = Features {
                    coverage: if meaning > 0.0 {
                        explained / meaning
                    } else {
                        0.0
                    },
                    exact: matched.is_some(),
                    symptom_share,
                    words,
                    nearest,
                    nearest_none,
                    score,
                    foreign,
                    gateway,
                    error,
                    other_api_type,
                };
                hits.push(Hit {
                    id: article.id.clone(),
                    title: article.title.clone(),
                    score: (score * 100.0).round() / 100.0,
                    confidence: 0.0,
                    weak: true,
                    also: false,
                    check: article.check.clone(),
                    matched_symptom: matched.map(|(_, s)| s.clone()),
                    // Said only when the text leaves the type open and the twin is about others.
                    if_other_api: doc
                        .twin
                        .filter(|&t| {
                            named_apis == 0 && doc.apis != 0 && self.docs[t].apis != doc.apis
                        })
                        .map(|t| OtherApi {
                            apis: self.articles[t].apis.clone(),
                            id: self.articles[t].id.clone(),
                        }),
                    features,
                });
            }
        }
        rank(&mut hits);
        hits
    }
}

/// Best first by [`Features::ranking`] (the score raised by the memory; the knowledge base's
/// order on ties), with a confidence each. The model was fitted on the first-ranked hit of each
/// text, so that hit's confidence is the model's; a later hit is an answer too only when it
/// matched an error text of its own (the text holds two problems: both apply, and it comes
/// second); otherwise articles answer one problem each and its chance is at most what the first
/// leaves (1 - its confidence). Confidence never rises down the list.
fn rank(hits: &mut [Hit]) {
    hits.sort_by(|a, b| b.features.ranking().total_cmp(&a.features.ranking()));
    // An error text two articles list (a resource policy's "User: anonymous is not
    // authorized" is both the private API's and the cross-account article's) tells neither
    // apart: when the two best hits matched the same one, it is no exact evidence for either.
    if let [first, second, ..] = hits
        && first.matched_symptom.is_some()
        && first.matched_symptom == second.matched_symptom
    {
        first.features.exact = false;
        second.features.exact = false;
    }
    for h in hits.iter_mut() {
        h.confidence = h.features.confidence(&MODEL);
    }
    let Some(first) = hits.first() else {
        return;
    };
    let (top, top_symptom) = (first.confidence, first.matched_symptom.clone());
    for h in hits.iter_mut().skip(1) {
        // Its own error message is evidence the first hit does not weaken, unless the text is
        // about another type of API than the article.
        h.also = h.matched_symptom.is_some()
            && h.matched_symptom != top_symptom
            && !h.features.other_api_type
            && top >= CONFIDENCE_FLOOR
            && h.confidence >= CONFIDENCE_FLOOR;
    }
    // Answers that also apply come right after the first; the stable sort keeps score order.
    hits[1..].sort_by_key(|h| !h.also);
    let mut previous = top;
    for (n, h) in hits.iter_mut().enumerate() {
        if n > 0 {
            if !h.also {
                // At most what the first leaves, and, without an error text of its own, no
                // answer beside the first even when both round to 0.50 (a first at 0.4951
                // shows 0.50 and leaves 0.5049).
                h.confidence = h.confidence.min(1.0 - top).min(CONFIDENCE_FLOOR - 0.01);
            }
            h.confidence = h.confidence.min(previous);
        }
        previous = h.confidence;
        // The confidence shown (two decimals) is the one that decides: never "0.50 (weak)".
        h.confidence = (h.confidence * 100.0).round() / 100.0;
        h.weak = h.confidence < CONFIDENCE_FLOOR;
    }
}

/// API Gateway's own names and marks, lowercase: the service's names, its invoke host, the
/// headers only it sends, an execution log line of its Lambda integrations, the names of its
/// own concepts in the Developer Guide (Lambda proxy integrations, usage plans, gateway
/// responses, VPC links, Lambda and custom authorizers, base path mappings, stage variables) and
/// two of its own error messages. The marks of [`API_TYPE_MARKS`] that are its own count too.
const GATEWAY_MARKS: &[&str] = &[
    "api gateway",
    "api-gateway",
    "apigateway",
    "api gw",
    "apigw",
    "execute-api",
    "x-amzn-errortype",
    "x-amz-apigw-id",
    "apigw-requestid",
    "lambda execution failed with status",
    "lambda proxy",
    "lambda-proxy",
    "usage plan",
    "gateway response",
    "vpc link",
    "custom authorizer",
    "lambda authorizer",
    "base path mapping",
    "stage variable",
    "endpoint request timed out",
    "missing authentication token",
];

/// Marks that name the type of API a text is about, lowercase, each with the types it names
/// (bits of [`API_TYPES`]: 1 REST, 2 HTTP, 4 WebSocket) and whether it is API Gateway's own (a
/// mark of API Gateway too: its API types' names, execution log lines, route keys, the
/// @connections API, route selection expressions, integration and method responses, payload
/// format versions). From the Developer Guide: execution logs, mapping templates and integration
/// responses are REST's and WebSocket's (HTTP APIs log access only and map parameters); private
/// and edge-optimized endpoints, method requests and responses are REST's; payload format
/// versions and JWT authorizers are HTTP APIs'; `@connections`, `$connect` and `GoneException`
/// are WebSocket APIs'. "websocket", "private api", "mapping template" (AppSync's too) and "jwt
/// authorizer" name a type but not API Gateway.
const API_TYPE_MARKS: &[(&str, u8, bool)] = &[
    ("rest api", 1, true),
    ("restapi", 1, true),
    ("private api", 1, false),
    ("edge-optimized", 1, false),
    ("method request", 1, false),
    ("method response", 1, true),
    ("execution failed due to", 1 | 4, true),
    ("endpoint response body before transformations", 1 | 4, true),
    ("endpoint request body after transformations", 1 | 4, false),
    ("method completed with status", 1 | 4, true),
    ("mapping template", 1 | 4, false),
    ("integration response", 1 | 4, true),
    // The same, as the AWS CLI, exports and templates spell them.
    ("integrationresponses", 1 | 4, true),
    ("selectionpattern", 1 | 4, true),
    ("passthroughbehavior", 1 | 4, true),
    ("requesttemplates", 1 | 4, true),
    ("responsetemplates", 1 | 4, true),
    ("methodresponses", 1, true),
    ("http api", 2, true),
    ("httpapi", 2, true),
    ("payload format version", 2, true),
    ("payloadformatversion", 2, true),
    ("jwt authorizer", 2, false),
    ("websocket", 4, false),
    ("web socket", 4, false),
    ("wss://", 4, false),
    ("@connections", 4, true),
    ("$connect", 4, true),
    ("$disconnect", 4, true),
    ("posttoconnection", 4, true),
    ("post_to_connection", 4, true),
    ("goneexception", 4, true),
    ("route selection expression", 4, true),
    ("routeselectionexpression", 4, true),
];

/// The API types a lowercase text names (bits of [`API_TYPES`]); 0 when it names none.
fn api_types_named(lower: &str) -> u8 {
    API_TYPE_MARKS
        .iter()
        .filter(|(mark, _, _)| has_mark(lower, mark))
        .fold(0, |bits, (_, types, _)| bits | types)
}

/// `mark` stands in the lowercase `text` at the start of a word ("rest api", not "interest
/// api"); a mark that starts with punctuation (`$connect`, `@connections`) anywhere.
fn has_mark(text: &str, mark: &str) -> bool {
    let wordy = mark.starts_with(|c: char| c.is_ascii_alphanumeric());
    text.match_indices(mark).any(|(at, _)| {
        !wordy
            || !text[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric())
    })
}

/// An article's API types as bits of [`API_TYPES`] (names were checked when it was loaded).
fn api_type_bits<'s>(apis: impl Iterator<Item = &'s str>) -> u8 {
    apis.filter_map(|api| API_TYPES.iter().position(|t| *t == api))
        .fold(0, |bits, n| bits | 1 << n)
}

/// A lowercase text names API Gateway or carries one of its marks.
fn names_api_gateway(lower: &str) -> bool {
    GATEWAY_MARKS.iter().any(|m| has_mark(lower, m))
        || API_TYPE_MARKS
            .iter()
            .any(|(m, _, own)| *own && has_mark(lower, m))
}

/// The headers CloudFront adds to every edge-optimized API's answer (`x-cache: Error from
/// cloudfront`, `x-amz-cf-pop`, `x-amz-cf-id`, `via: ... (CloudFront)`) say nothing about the
/// problem: they are removed before ranking, so they cannot pull a paste to the CloudFront
/// article. A page CloudFront generated itself ("The request could not be satisfied") stays.
fn edge_headers_removed(query: &str) -> Cow<'_, str> {
    let lower = query.to_ascii_lowercase();
    if !lower.contains("cloudfront") && !lower.contains("x-amz-cf-") {
        return query.into();
    }
    static EDGE: OnceLock<regex::Regex> = OnceLock::new();
    let edge = EDGE.get_or_init(|| {
        regex::Regex::new(
            r"(?i)\bx-cache:[ \t]*(?:error|hit|miss|refreshhit|redirect)[ \t]+from[ \t]+cloudfront|\bx-amz-cf-(?:pop|id):[ \t]*[^\s,;]*|\bvia:[ \t]*[0-9.]+[ \t]+[^\s]*cloudfront\.net[ \t]*\(cloudfront\)",
        )
        .expect("a valid pattern")
    });
    edge.replace_all(query, " ")
}

/// How close a text (its meaningful terms) comes to the remembered texts of each label: the
/// highest cosine of their TF-IDF vectors (`MEMORY_POSTINGS`, built with the binary) per
/// article id and for "none". A remembered text identical to the text (by its hash) is left
/// out: a text is not evidence of itself.
fn remembered<'t>(
    terms: impl Iterator<Item = &'t Term>,
    own_hash: u64,
) -> HashMap<&'static str, f64> {
    let mut sims = vec![0.0; MEMORY_LABELS.len()];
    // A term no remembered text holds weighs as the rarest would.
    let unknown = (1.0 + MEMORY_LABELS.len() as f64).ln() + 1.0;
    let mut norm = 0.0;
    for t in terms {
        match MEMORY_POSTINGS.binary_search_by(|(u, _, _)| (*u).cmp(t)) {
            Ok(at) => {
                let (_, idf, list) = MEMORY_POSTINGS[at];
                norm += idf * idf;
                for &(e, w) in list {
                    sims[usize::from(e)] += idf * w;
                }
            }
            Err(_) => norm += unknown * unknown,
        }
    }
    let mut best: HashMap<&'static str, f64> = HashMap::default();
    if norm == 0.0 {
        return best;
    }
    let norm = norm.sqrt();
    for ((label, hash), sim) in MEMORY_LABELS.iter().zip(MEMORY_HASHES).zip(sims) {
        if *hash != own_hash {
            let close = best.entry(label).or_default();
            *close = close.max(sim / norm);
        }
    }
    best
}

/// An article indexed now (a `--rules` folder; embedded articles are indexed at build time).
fn runtime_terms(
    tokenizer: &mut Tokenizer,
    a: &Article,
) -> (HashMap<Term, f64>, Vec<SymptomTerms>) {
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
/// when a query of three or more terms stands whole in the symptom (a partial paste). Both
/// are [`padded`]: normalized, a space either side.
fn exact_match(symptom: &str, symptom_terms: usize, query: &str, query_terms: usize) -> bool {
    (symptom_terms >= 2 || symptom.len() >= 14) && query.contains(symptom)
        || query_terms >= 3 && symptom.contains(query)
}

#[cfg(test)]
mod tests {
    use super::super::terms::normalize;
    use super::*;

    #[test]
    fn cloudfront_edge_headers_are_not_evidence() {
        let q = "HTTP/2 403\nx-cache: Error from cloudfront\nvia: 1.1 60c0.cloudfront.net (CloudFront)\nx-amz-cf-pop: NRT20-C4\nx-amz-cf-id: Zr==\n{\"message\":\"Forbidden\"}";
        let cleaned = edge_headers_removed(q);
        assert!(!cleaned.to_lowercase().contains("cloudfront"), "{cleaned}");
        assert!(cleaned.contains("Forbidden"));
        let page =
            "<H2>The request could not be satisfied.</H2> Generated by cloudfront (CloudFront)";
        assert_eq!(edge_headers_removed(page), page);
    }

    #[test]
    fn a_generic_error_name_is_not_an_exact_symptom() {
        let kb = KnowledgeBase::embedded().unwrap();
        let index = Index::new(&kb);
        for hit in index.search("x-amzn-ErrorType: AccessDeniedException") {
            assert!(!hit.features.exact, "{}", hit.id);
        }
        let hits = index.search("x-amzn-ErrorType: MissingAuthenticationTokenException");
        assert_eq!(hits[0].id, "missing-authentication-token");
        assert!(hits[0].features.exact);
    }

    #[test]
    fn an_error_text_two_articles_list_is_exact_evidence_for_neither() {
        let kb = KnowledgeBase::embedded().unwrap();
        let index = Index::new(&kb);
        let q = "{\"Message\":\"User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/\"}";
        let hits = index.search(q);
        let sharing: Vec<&Hit> = hits
            .iter()
            .filter(|h| h.matched_symptom.is_some())
            .collect();
        assert!(sharing.len() >= 2, "{hits:?}");
        assert_eq!(sharing[0].matched_symptom, sharing[1].matched_symptom);
        assert!(
            !hits[0].features.exact && !hits[1].features.exact,
            "{hits:?}"
        );
        // What tells them apart is the rest of the text: a VPC endpoint's private API...
        let private = index.search(&format!(
            "private API called through the interface VPC endpoint with private DNS: {q}"
        ));
        assert_eq!(private[0].id, "private-api-forbidden", "{private:?}");
        // ...or a caller in another account.
        let other = index.search(&format!("calling the API from another AWS account: {q}"));
        assert_eq!(other[0].id, "cross-account-access", "{other:?}");
        // An error text only one of the two best lists stays exact evidence.
        let hits = index
            .search("Execution failed due to configuration error: Malformed Lambda proxy response");
        assert!(hits[0].features.exact, "{hits:?}");
    }

    #[test]
    fn api_type_marks_name_the_types_they_belong_to() {
        assert_eq!(api_types_named("my http api returns 500"), 2);
        assert_eq!(
            api_types_named("endpoint response body before transformations: {}"),
            1 | 4
        );
        assert_eq!(
            api_types_named("wscat -c wss://abc.execute-api.eu-west-1.amazonaws.com/dev"),
            4
        );
        assert_eq!(api_types_named("rest api to http api migration"), 1 | 2);
        assert_eq!(api_types_named("502 bad gateway from api gateway"), 0);
        // Marks start words: a point-of-interest API is no REST API.
        assert_eq!(api_types_named("the point of interest api answers 502"), 0);
        assert!(!names_api_gateway("the point of interest api answers 502"));
        assert!(names_api_gateway("my rest api answers 502"));
        assert_eq!(api_types_named("get x$connect"), 4);
        // As the AWS CLI prints a method (get-method, lowercased): REST's method responses, and
        // integration responses, which REST and WebSocket APIs have.
        assert_eq!(api_types_named(r#"{"methodresponses": {}}"#), 1);
        assert_eq!(
            api_types_named(
                r#"{"methodresponses": {}, "methodintegration": {"integrationresponses": {}}}"#
            ),
            1 | 4
        );
        assert_eq!(api_types_named(r#"{"selectionpattern": "404"}"#), 1 | 4);
        assert_eq!(api_type_bits(["rest", "websocket"].into_iter()), 1 | 4);
        assert_eq!(api_type_bits(std::iter::empty()), 0);
    }

    #[test]
    fn a_text_that_names_its_api_type_prefers_articles_on_that_type() {
        let kb = KnowledgeBase::embedded().unwrap();
        let index = Index::new(&kb);
        let first = |q: &str| index.search(q)[0].id.clone();
        // The same words, and the log line only REST (and WebSocket) APIs write.
        let q = "502 from API Gateway with a body of {\"message\": \"Internal Server Error\"}";
        let rest = first(&format!(
            "{q}. Endpoint response body before transformations: [Binary Data]"
        ));
        assert_eq!(rest, "rest-api-status-codes");
        assert_eq!(
            first(&format!("{q} from my HTTP API, payload format version 1.0")),
            "http-api-status-codes"
        );
        // A text that names no type is ranked on its words alone.
        let plain = index.search(q);
        let rest_hit = plain
            .iter()
            .find(|h| h.id == "rest-api-status-codes")
            .unwrap();
        let marked = index.search(&format!("{q} from my HTTP API"));
        let rest_marked = marked
            .iter()
            .find(|h| h.id == "rest-api-status-codes")
            .unwrap();
        assert!(rest_marked.score < rest_hit.score, "{plain:?}\n{marked:?}");
    }

    #[test]
    fn an_answer_for_one_api_type_names_its_twin_when_the_text_names_no_type() {
        let kb = KnowledgeBase::embedded().unwrap();
        let index = Index::new(&kb);
        let hits = index.search("Malformed Lambda proxy response 502");
        assert_eq!(hits[0].id, "rest-api-status-codes");
        let other = hits[0].if_other_api.as_ref().expect("the HTTP API twin");
        assert_eq!(
            (other.id.as_str(), other.apis.as_slice()),
            ("http-api-status-codes", &["http".to_string()][..])
        );
        // The text says which type: nothing to add.
        let hits = index
            .search("my HTTP API answers 500 Internal Server Error, payload format version 2.0");
        assert_eq!(hits[0].id, "http-api-status-codes");
        assert!(hits.iter().all(|h| h.if_other_api.is_none()), "{hits:?}");
        // An article for every type has no twin.
        let hits = index
            .search("has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header");
        assert!(hits[0].if_other_api.is_none());
    }

    #[test]
    fn later_hits_share_what_the_first_leaves() {
        let kb = KnowledgeBase::embedded().unwrap();
        let index = Index::new(&kb);
        for q in [
            "Endpoint request timed out",
            "Malformed Lambda proxy response 502",
            "429 Too Many Requests",
        ] {
            let hits = index.search(q);
            assert!(!hits[0].weak, "{q}");
            for h in &hits[1..] {
                assert!(
                    h.also || h.confidence <= 1.0 - hits[0].confidence + 0.005,
                    "{q}: {}",
                    h.id
                );
            }
        }
    }

    /// A hit with this score whose model confidence is `p`: coverage 1 (its logarithm is 0) and
    /// no other evidence, the foreign marks' weight making up the rest of the logit.
    fn hit_at(id: &str, p: f64, score: f64) -> Hit {
        let logit = (p / (1.0 - p)).ln();
        let foreign = (logit - MODEL[0] - MODEL[3] * score.ln_1p()) / MODEL[4];
        Hit {
            id: id.into(),
            title: id.into(),
            score,
            confidence: 0.0,
            weak: true,
            also: false,
            check: String::new(),
            matched_symptom: None,
            if_other_api: None,
            features: Features {
                coverage: 1.0,
                score,
                foreign,
                ..Features::default()
            },
        }
    }

    #[test]
    fn a_later_hit_without_an_error_text_is_never_an_answer_beside_the_first() {
        // The first shows 0.50 (0.4951) and leaves 0.5049: the second would show 0.50 too.
        let mut hits = vec![hit_at("second", 0.9, 1.0), hit_at("first", 0.4951, 2.0)];
        assert!((hits[1].features.confidence(&MODEL) - 0.4951).abs() < 1e-9);
        rank(&mut hits);
        assert_eq!(hits[0].id, "first");
        assert_eq!((hits[0].confidence, hits[0].weak), (0.5, false));
        assert!(hits[1].weak && hits[1].confidence < 0.5, "{:?}", hits[1]);
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
            &padded("Missing Authentication Token"),
            3,
            &padded("x: missing authentication token, y"),
            5
        ));
        assert!(!exact_match(
            &padded("invalid vpc link token"),
            4,
            &padded("an invalid vpc link tokens list"),
            6
        ));
        // A query of three terms inside a longer symptom (a partial paste), whole words only.
        assert!(exact_match(
            &padded("Execution failed due to configuration error"),
            6,
            &padded("due to configuration"),
            3
        ));
        assert!(!exact_match(
            &padded("Execution failed due to configuration error"),
            6,
            &padded("ue to configuratio"),
            3
        ));
    }

    #[test]
    fn the_build_time_index_is_the_runtime_index() {
        let kb = KnowledgeBase::embedded().unwrap();
        let mut tokenizer = Tokenizer::default();
        let mut freq = std::collections::BTreeMap::<String, usize>::new();
        let doc_freq = kb
            .prebuilt_doc_freq()
            .expect("every embedded article is prebuilt");
        for (n, a) in kb.articles().iter().enumerate() {
            let (prebuilt, symptoms) = kb.prebuilt(n).expect("embedded articles are prebuilt");
            let (runtime, runtime_symptoms) = runtime_terms(&mut tokenizer, a);
            let prebuilt: HashMap<Term, f64> =
                prebuilt.iter().map(|(t, w)| ((*t).into(), *w)).collect();
            assert_eq!(prebuilt, runtime, "{}", a.id);
            let runtime_symptoms: Vec<_> = a
                .symptoms
                .iter()
                .zip(runtime_symptoms)
                .map(|(s, (count, words))| {
                    let (norm, count, sigs) = prepared_symptom(s, count, shared_error);
                    let words: Vec<String> = words.iter().map(|t| t.to_string()).collect();
                    (norm, count, sigs, words)
                })
                .collect();
            let symptoms: Vec<_> = symptoms
                .iter()
                .map(|(norm, count, sigs, words)| {
                    // Each term's document frequency is the index's.
                    for (t, df) in words.iter() {
                        let at = doc_freq.binary_search_by(|(u, _)| u.cmp(t)).unwrap();
                        assert_eq!(doc_freq[at].1, *df, "{t}");
                    }
                    let words: Vec<String> = words.iter().map(|(t, _)| t.to_string()).collect();
                    (norm.to_string(), *count, sigs.to_vec(), words)
                })
                .collect();
            assert_eq!(symptoms, runtime_symptoms, "{}", a.id);
            for t in runtime.keys() {
                *freq.entry(t.to_string()).or_default() += 1;
            }
        }
        let prebuilt_freq: std::collections::BTreeMap<String, usize> = kb
            .prebuilt_doc_freq()
            .expect("every embedded article is prebuilt")
            .iter()
            .map(|(t, n)| (t.to_string(), *n))
            .collect();
        assert_eq!(prebuilt_freq, freq);
    }

    #[test]
    fn an_index_built_at_run_time_ranks_as_the_build_time_one() {
        let embedded = KnowledgeBase::embedded().unwrap();
        let parsed = KnowledgeBase::embedded_parsed().unwrap();
        assert!(parsed.prebuilt(0).is_none(), "indexed at run time");
        let (built, runtime) = (Index::new(&embedded), Index::new(&parsed));
        for q in [
            "Execution failed due to configuration error: Malformed Lambda proxy response",
            "has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present",
            "$disconnect is not called when connection goes down",
            "GoneException when calling the PostToConnection operation",
            "the certificate for api.example.com is for *.execute-api.us-east-1.amazonaws.com",
        ] {
            let view = |hits: Vec<Hit>| -> Vec<(String, f64, f64, f64)> {
                hits.into_iter()
                    .map(|h| {
                        let f = h.features;
                        (h.id, h.confidence, f.symptom_share, f.coverage)
                    })
                    .collect()
            };
            let expected = view(built.search(q));
            assert!(expected.iter().any(|h| h.2 > 0.0), "{q}");
            assert_eq!(view(runtime.search(q)), expected, "{q}");
        }
    }

    #[test]
    fn a_remembered_text_is_not_its_own_evidence() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/rules/memory/examples.toml");
        let memory: toml::Table = std::fs::read_to_string(path).unwrap().parse().unwrap();
        let examples = memory["example"].as_array().unwrap();
        assert_eq!(examples.len(), MEMORY_LABELS.len());
        let field = |n: usize, k: &str| examples[n][k].as_str().unwrap().to_string();
        let texts: Vec<String> = (0..examples.len()).map(|n| field(n, "text")).collect();
        let mut tokenizer = Tokenizer::default();
        let mut checked = 0;
        for n in 0..examples.len() {
            let (article, text) = (field(n, "article"), &texts[n]);
            if texts.iter().filter(|t| *t == text).count() > 1 {
                continue;
            }
            let mut terms = tokenizer.terms(text);
            terms.sort();
            terms.dedup();
            // Another text with the same words is close (not 1: the remembered one counts its
            // repeated words, the text's terms are distinct).
            let other = remembered(terms.iter(), fnv1a(text) ^ 1)[article.as_str()];
            assert!(other > 0.8, "{other} {text}");
            // The text itself is left out: only other texts about the article count.
            let own = remembered(terms.iter(), fnv1a(text));
            assert!(
                own.get(article.as_str()).is_none_or(|c| *c < other),
                "{text}"
            );
            checked += 1;
        }
        assert!(checked > 300, "{checked}");
        // Through the search: a remembered text's hits carry the evidence of others only.
        let kb = KnowledgeBase::embedded().unwrap();
        let hits = Index::new(&kb).search(&texts[0]);
        assert!(hits.iter().all(|h| h.features.nearest < 1.0 - 1e-9));
    }

    #[test]
    fn the_memory_lifts_an_article_in_the_ranking() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/rules/memory/examples.toml");
        let memory: toml::Table = std::fs::read_to_string(path).unwrap().parse().unwrap();
        let kb = KnowledgeBase::embedded().unwrap();
        let index = Index::new(&kb);
        let mut lifted = 0;
        for example in memory["example"].as_array().unwrap() {
            let article = example["article"].as_str().unwrap();
            // Not the remembered text itself (that is left out), the text pasted twice: the same
            // words, so the remembered text about the article is close.
            let once = example["text"].as_str().unwrap();
            let text = format!("{once}\n{once}");
            let hits = index.search(&text);
            let by_words = hits
                .iter()
                .max_by(|a, b| a.features.score.total_cmp(&b.features.score));
            if article == "none" || by_words.is_none_or(|h| h.id == article) {
                continue;
            }
            // The article its words put behind comes first: the memory ranks.
            if hits[0].id == article && !hits[0].also {
                let own = hits[0].features;
                assert!(own.nearest > 0.0 && own.ranking() > own.score, "{text}");
                lifted += 1;
            }
        }
        assert!(lifted >= 5, "{lifted}");
    }

    #[test]
    fn long_queries_are_cut_on_a_char_boundary() {
        let kb = KnowledgeBase::embedded().unwrap();
        let q = "é".repeat(MAX_QUERY_BYTES);
        assert!(Index::new(&kb).search(&q).is_empty());
    }
}
