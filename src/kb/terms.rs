// Terms of a text for `kb search`: shared by the library and by build.rs, which indexes the
// embedded articles at build time (so `kb search` starts within its 5 ms budget). Plain
// comments only: build.rs `include!`s this file.
use rust_stemmers::{Algorithm, Stemmer};
use std::hash::{BuildHasherDefault, Hasher};
use std::rc::Rc;

/// A term: shared between the stem cache and every article that holds it.
pub(crate) type Term = Rc<str>;

/// The index is rebuilt on every run (it must stay within the start-up budget): a
/// multiply-rotate hash (FxHash's) is several times faster than SipHash on short words, and
/// the keys are our own article texts and the query, nothing an attacker can choose at scale.
#[derive(Default)]
pub(crate) struct Fx(u64);

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word))
                .wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

pub(crate) type HashMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<Fx>>;

/// The case-sensitive signatures a text carries.
pub(crate) fn signatures(text: &str) -> Vec<&'static str> {
    SIGNATURES
        .iter()
        .filter(|(needle, _)| text.contains(needle))
        .map(|(_, term)| *term)
        .collect()
}

/// Case-sensitive signatures: texts whose capitals tell two problems apart, each added as a
/// term of its own. REST APIs answer `{"message": "Internal server error"}` (502 from a Lambda
/// proxy integration), HTTP APIs `{"message":"Internal Server Error"}` (500).
const SIGNATURES: &[(&str, &str)] = &[
    ("Internal server error", "~rest-internal-server-error"),
    ("Internal Server Error", "~http-internal-server-error"),
];

/// Word sequences that mean more together than apart, added as one term (`http~api`).
const PHRASES: &[&[&str]] = &[
    &["http", "api"],
    &["http", "apis"],
    &["rest", "api"],
    &["rest", "apis"],
    &["payload", "format", "version"],
    &["payload", "version"],
    &["lambda", "proxy"],
    &["custom", "domain"],
    &["vpc", "link"],
    &["vpc", "endpoint"],
    &["private", "api"],
    &["private", "dns"],
    &["usage", "plan"],
    &["gateway", "response"],
    &["gateway", "responses"],
    &["base", "path"],
    &["origin", "path"],
    &["resource", "policy"],
    &["api", "key"],
    &["integration", "response"],
    &["method", "response"],
    &["mapping", "template"],
    &["status", "code"],
    &["another", "account"],
    &["different", "account"],
    &["cross", "account"],
];

/// Turns texts into terms; remembers the stems it has computed (the articles repeat words).
pub(crate) struct Tokenizer {
    stemmer: Stemmer,
    stems: HashMap<String, Option<Term>>,
    lower: String,
    /// The words that may start or continue a phrase (others as `""`, which breaks one).
    sequence: Vec<&'static str>,
}

impl Default for Tokenizer {
    fn default() -> Self {
        Tokenizer {
            stemmer: Stemmer::create(Algorithm::English),
            stems: HashMap::default(),
            sequence: Vec::new(),
            lower: String::new(),
        }
    }
}

impl Tokenizer {
    /// The term of a word (lowercased), from the cache when it was seen before.
    fn term(&mut self, word: &str) -> Option<Term> {
        if let Some(t) = self.stems.get(word) {
            return t.clone();
        }
        let t: Option<Term> = term(&self.stemmer, word).map(Into::into);
        self.stems.insert(word.to_string(), t.clone());
        t
    }

    /// Lowercases into a reused buffer (ASCII without allocating), then finds the term.
    fn lower_term(&mut self, word: &str) -> Option<Term> {
        let mut buffer = std::mem::take(&mut self.lower);
        buffer.clear();
        if word.is_ascii() {
            buffer.extend(word.chars().map(|c| c.to_ascii_lowercase()));
        } else {
            buffer.push_str(&word.to_lowercase());
        }
        let t = self.term(&buffer);
        self.lower = buffer;
        t
    }

    /// Ranking terms of a text: stemmed words without stop words, camelCase names also split
    /// (`MissingAuthenticationTokenException` yields missing, authent, token, ...), version
    /// numbers whole (`2.0`, `v2.0`), the phrases above, CORS header names as `cors` (so that
    /// `Access-Control-Allow-Origin` and `Cross-Origin` are not taken for access or cross-account
    /// evidence), and the case-sensitive signatures.
    pub(crate) fn terms(&mut self, text: &str) -> Vec<Term> {
        let mut out: Vec<Term> = signatures(text).into_iter().map(Into::into).collect();
        let text = contractions_expanded(text);
        let text = text.as_ref();
        self.sequence.clear();
        let separators = |c: char| {
            c.is_whitespace()
                || matches!(
                    c,
                    '"' | '\''
                        | '`'
                        | ','
                        | ';'
                        | '('
                        | ')'
                        | '['
                        | ']'
                        | '{'
                        | '}'
                        | '<'
                        | '>'
                        | '='
                        | '|'
                )
        };
        for chunk in text.split(separators) {
            let bare = chunk.trim_matches(|c: char| !c.is_alphanumeric());
            let cors = bare
                .get(..15)
                .is_some_and(|p| p.eq_ignore_ascii_case("access-control-"))
                || bare.contains('-') && contains_ignore_case(bare, "cross-origin");
            if cors {
                out.push("cors".into());
                continue;
            }
            if let Some(version) = version(bare) {
                out.push(version.into());
                self.sequence.push("");
                continue;
            }
            for raw in chunk
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
            {
                // `29s`, `5mb`, `500ms`: the number and its unit, as "29 seconds" would give.
                if let Some((number, unit)) = with_unit(raw) {
                    out.extend(self.lower_term(number));
                    out.extend(self.lower_term(unit));
                    self.sequence.push("");
                    continue;
                }
                let parts = split_camel(raw);
                if parts.len() > 1 {
                    for p in &parts {
                        out.extend(self.lower_term(p));
                        self.sequence.push(phrase_word(p));
                    }
                }
                out.extend(self.lower_term(raw));
                if parts.len() == 1 {
                    self.sequence.push(phrase_word(raw));
                }
            }
        }
        for phrase in PHRASES {
            let n = phrase.len();
            let found = self
                .sequence
                .windows(n)
                .any(|w| w.iter().zip(phrase.iter()).all(|(a, b)| a == b));
            if found {
                out.push(phrase.join("~").into());
            }
        }
        out
    }
}

/// `doesn't` as `does not`, `can't` as `can not`, `won't` as `will not`: a negation stays, as
/// the common word it is. Split at the apostrophe, `doesn't` would leave `doesn`, a word so rare
/// that any text holding it ("Doesn't support WebSockets") looked like the one article whose
/// symptom has it ("doesn't pass access control check").
fn contractions_expanded(text: &str) -> std::borrow::Cow<'_, str> {
    let negation = |at: usize| {
        let rest = &text[at..];
        let after = rest.strip_prefix(['\'', '\u{2019}'])?;
        let after_t = after.strip_prefix(['t', 'T'])?;
        if after_t.starts_with(|c: char| c.is_alphanumeric()) {
            return None;
        }
        Some(rest.len() - after_t.len())
    };
    let mut out = String::new();
    let mut copied = 0;
    for (at, c) in text.char_indices() {
        if !matches!(c, '\'' | '\u{2019}') || at == 0 {
            continue;
        }
        let Some(len) = negation(at) else { continue };
        let start = text[..at]
            .rfind(|c: char| !c.is_alphanumeric())
            .map_or(0, |i| {
                i + text[i..].chars().next().map_or(1, char::len_utf8)
            });
        let word = &text[start..at];
        if !word.ends_with(['n', 'N']) || word.len() < 2 || start < copied {
            continue;
        }
        out.push_str(&text[copied..start]);
        match word.to_ascii_lowercase().as_str() {
            "can" => out.push_str("can"),
            "won" => out.push_str("will"),
            _ => out.push_str(&word[..word.len() - 1]),
        }
        out.push_str(" not");
        copied = at + len;
    }
    if copied == 0 {
        return text.into();
    }
    out.push_str(&text[copied..]);
    out.into()
}

/// The word as the phrase list spells it, or `""` when no phrase uses it.
fn phrase_word(word: &str) -> &'static str {
    if word.len() > 16 || !word.is_ascii() {
        return "";
    }
    let mut buffer = [0u8; 16];
    let lower = &mut buffer[..word.len()];
    lower.copy_from_slice(word.as_bytes());
    lower.make_ascii_lowercase();
    PHRASE_WORDS
        .binary_search_by(|w| w.as_bytes().cmp(lower))
        .map_or("", |i| PHRASE_WORDS[i])
}

/// Every word of PHRASES, sorted.
const PHRASE_WORDS: &[&str] = &[
    "account",
    "another",
    "api",
    "apis",
    "base",
    "code",
    "cross",
    "custom",
    "different",
    "dns",
    "domain",
    "endpoint",
    "format",
    "gateway",
    "http",
    "integration",
    "key",
    "lambda",
    "link",
    "mapping",
    "method",
    "origin",
    "path",
    "payload",
    "plan",
    "policy",
    "private",
    "proxy",
    "resource",
    "response",
    "responses",
    "rest",
    "status",
    "template",
    "usage",
    "version",
    "vpc",
];

/// A number glued to its unit (`29s`, `30sec`, `5mb`, `10MB`, `500ms`): the number and the unit's
/// word.
pub(crate) fn with_unit(word: &str) -> Option<(&str, &'static str)> {
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits == word.len() {
        return None;
    }
    let unit = &word[digits..];
    const UNITS: &[(&str, &str)] = &[
        ("s", "seconds"),
        ("sec", "seconds"),
        ("secs", "seconds"),
        ("ms", "milliseconds"),
        ("min", "minutes"),
        ("mins", "minutes"),
        ("b", "bytes"),
        ("kb", "kb"),
        ("mb", "mb"),
        ("gb", "gb"),
        ("kib", "kb"),
        ("mib", "mb"),
        ("gib", "gb"),
    ];
    UNITS
        .iter()
        .find(|(u, _)| unit.eq_ignore_ascii_case(u))
        .map(|(_, unit_word)| (&word[..digits], *unit_word))
}

/// `2.0`, `v2.0`, `1.0.3`: digits joined by dots, kept whole without the `v`.
pub(crate) fn version(word: &str) -> Option<&str> {
    let w = word
        .strip_prefix('v')
        .or_else(|| word.strip_prefix('V'))
        .unwrap_or(word);
    let ok = w.contains('.')
        && w.split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    ok.then_some(w)
}

fn term(stemmer: &Stemmer, word: &str) -> Option<String> {
    if word.chars().count() < 2 || STOP_WORDS.binary_search(&word).is_ok() {
        return None;
    }
    if word.bytes().any(|b| b.is_ascii_digit()) {
        return Some(word.to_string());
    }
    Some(stemmer.stem(word).into_owned())
}

fn split_camel(word: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut chars = word.char_indices().peekable();
    let mut prev: Option<char> = None;
    while let Some((at, c)) = chars.next() {
        if let Some(p) = prev {
            let next_lower = chars.peek().is_some_and(|(_, n)| n.is_lowercase());
            if c.is_uppercase() && (p.is_lowercase() || p.is_uppercase() && next_lower) {
                parts.push(&word[start..at]);
                start = at;
            }
        }
        prev = Some(c);
    }
    parts.push(&word[start..]);
    parts
}

/// ASCII case-insensitive substring search (the needles are ASCII).
fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    haystack
        .as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// English function words (sorted: looked up by binary search). Negations and words such as
/// "invalid" or "missing" stay: they carry the meaning of error messages.
const STOP_WORDS: &[&str] = &[
    "a", "about", "above", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as",
    "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by",
    "can", "could", "did", "do", "does", "doing", "done", "during", "each", "even", "ever", "few",
    "for", "from", "further", "get", "gets", "getting", "got", "had", "has", "have", "having",
    "he", "her", "here", "hers", "him", "his", "how", "i", "if", "im", "in", "into", "is", "it",
    "its", "itself", "ive", "just", "me", "might", "more", "most", "much", "must", "my", "myself",
    "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "out", "over", "own",
    "please", "same", "she", "should", "so", "some", "still", "such", "than", "that", "the",
    "their", "theirs", "them", "then", "there", "these", "they", "this", "those", "through", "to",
    "too", "under", "until", "up", "us", "very", "was", "way", "we", "were", "what", "when",
    "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your",
    "yours",
];

/// An article's terms with their weights (symptoms and title count more than fix steps), and
/// each symptom's terms.
#[allow(clippy::too_many_arguments)]
pub(crate) fn article_terms<'t>(
    tokenizer: &mut Tokenizer,
    title: &str,
    question: &str,
    symptoms: impl Iterator<Item = &'t str>,
    summary: &str,
    fix: impl Iterator<Item = &'t str>,
    findings: impl Iterator<Item = (&'t str, &'t str)>,
) -> (HashMap<Term, f64>, Vec<SymptomTerms>) {
    let mut terms: HashMap<Term, f64> = HashMap::default();
    let mut add = |text: &str, weight: f64| -> Vec<Term> {
        let found = tokenizer.terms(text);
        for t in &found {
            *terms.entry(t.clone()).or_default() += weight;
        }
        found
    };
    add(title, 3.0);
    add(question, 2.0);
    let symptoms = symptoms
        .map(|s| {
            let mut found = add(s, 3.0);
            let count = found.len();
            found.sort();
            found.dedup();
            (count, found)
        })
        .collect();
    add(summary, 1.0);
    for f in fix {
        add(f, 0.5);
    }
    for (code, fix) in findings {
        add(code, 1.0);
        add(fix, 0.5);
    }
    (terms, symptoms)
}

/// A symptom's term count (repeats included) and its distinct terms, sorted.
pub(crate) type SymptomTerms = (usize, Vec<Term>);

/// Lowercase words separated by single spaces: quotes, punctuation and case do not matter.
pub(crate) fn normalize(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// [`normalize`]d with a space either side, so that one contains another only word by word.
pub(crate) fn padded(text: &str) -> String {
    format!(" {} ", normalize(text))
}

/// What exact matching needs of a symptom: its padded normalized text, its term count (0 for
/// an error name other services use too, `shared`, or a bare HTTP status line, which are
/// ordinary evidence, never an exact match) and the case-sensitive signatures it carries.
/// The same at build time (the embedded articles) and at run time (`--rules`).
pub(crate) fn prepared_symptom(
    symptom: &str,
    count: usize,
    shared: impl Fn(&str) -> bool,
) -> (String, usize, Vec<&'static str>) {
    let count = if shared(symptom.trim()) || status_line(symptom) {
        0
    } else {
        count
    };
    (padded(symptom), count, signatures(symptom))
}

/// Whether a symptom is only an HTTP status line (`413 Request Entity Too Large`,
/// `HTTP/1.1 429 Too Many Requests`): a status code and its standard reason phrase, which
/// every HTTP server sends (nginx answers 413 the same way), so it says nothing of API
/// Gateway in particular. `403 Missing Authentication Token` is not one.
pub(crate) fn status_line(symptom: &str) -> bool {
    let mut words = symptom.split_whitespace().peekable();
    if words.peek().is_some_and(|w| w.starts_with("HTTP/")) {
        words.next();
    }
    let Some(code) = words.next().and_then(|c| c.parse::<u16>().ok()) else {
        return false;
    };
    let phrase = words.collect::<Vec<_>>().join(" ");
    REASON_PHRASES
        .iter()
        .any(|&(c, p)| c == code && p.eq_ignore_ascii_case(&phrase))
}

/// The IANA HTTP status code registry's reason phrases (RFC 9110 and the later
/// registrations), each code's current phrase first, then the names RFC 2616 and RFC 7231
/// gave some of them.
pub(crate) const REASON_PHRASES: &[(u16, &str)] = &[
    (100, "Continue"),
    (101, "Switching Protocols"),
    (102, "Processing"),
    (103, "Early Hints"),
    (200, "OK"),
    (201, "Created"),
    (202, "Accepted"),
    (203, "Non-Authoritative Information"),
    (204, "No Content"),
    (205, "Reset Content"),
    (206, "Partial Content"),
    (207, "Multi-Status"),
    (208, "Already Reported"),
    (226, "IM Used"),
    (300, "Multiple Choices"),
    (301, "Moved Permanently"),
    (302, "Found"),
    (303, "See Other"),
    (304, "Not Modified"),
    (305, "Use Proxy"),
    (307, "Temporary Redirect"),
    (308, "Permanent Redirect"),
    (400, "Bad Request"),
    (401, "Unauthorized"),
    (402, "Payment Required"),
    (403, "Forbidden"),
    (404, "Not Found"),
    (405, "Method Not Allowed"),
    (406, "Not Acceptable"),
    (407, "Proxy Authentication Required"),
    (408, "Request Timeout"),
    (409, "Conflict"),
    (410, "Gone"),
    (411, "Length Required"),
    (412, "Precondition Failed"),
    (413, "Content Too Large"),
    (413, "Payload Too Large"),
    (413, "Request Entity Too Large"),
    (414, "URI Too Long"),
    (414, "Request-URI Too Long"),
    (415, "Unsupported Media Type"),
    (416, "Range Not Satisfiable"),
    (416, "Requested Range Not Satisfiable"),
    (417, "Expectation Failed"),
    (421, "Misdirected Request"),
    (422, "Unprocessable Content"),
    (422, "Unprocessable Entity"),
    (423, "Locked"),
    (424, "Failed Dependency"),
    (425, "Too Early"),
    (426, "Upgrade Required"),
    (428, "Precondition Required"),
    (429, "Too Many Requests"),
    (431, "Request Header Fields Too Large"),
    (451, "Unavailable For Legal Reasons"),
    (500, "Internal Server Error"),
    (501, "Not Implemented"),
    (502, "Bad Gateway"),
    (503, "Service Unavailable"),
    (504, "Gateway Timeout"),
    (505, "HTTP Version Not Supported"),
    (506, "Variant Also Negotiates"),
    (507, "Insufficient Storage"),
    (508, "Loop Detected"),
    (510, "Not Extended"),
    (511, "Network Authentication Required"),
];

/// FNV-1a, 64 bits: how `build.rs` and `kb search` know a remembered text (`rules/memory/`).
pub(crate) fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms_of(text: &str) -> Vec<String> {
        Tokenizer::default()
            .terms(text)
            .iter()
            .map(|t| t.to_string())
            .collect()
    }

    #[test]
    fn a_status_line_is_told_from_an_error_text() {
        for line in [
            "413 Request Entity Too Large",
            "429 Too Many Requests",
            "HTTP/1.1 504 Gateway Timeout",
            "HTTP/2 403 Forbidden",
            "414 Request-URI Too Long",
        ] {
            assert!(status_line(line), "{line}");
        }
        for text in [
            "504 Gateway Timeout Endpoint request timed out",
            "413 Payload Too Large when uploading a file to API Gateway",
            "403 Missing Authentication Token",
            "{\"message\": \"Request Too Long\"}",
            "Endpoint request timed out",
            "600 Not A Status",
            "413",
            "404 Forbidden",
        ] {
            assert!(!status_line(text), "{text}");
        }
    }

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
    fn contractions_keep_their_negation_as_not() {
        let t = |s: &str| terms_of(s);
        assert_eq!(t("doesn't pass"), t("does not pass"));
        assert_eq!(
            t("Doesn’t support WebSockets"),
            t("does not support WebSockets")
        );
        assert_eq!(t("can't connect"), t("can not connect"));
        assert_eq!(t("won't start"), t("will not start"));
        assert_eq!(t("'t' is a letter"), t("t is a letter"));
        assert_eq!(t("the user's key"), t("the user s key"));
    }

    #[test]
    fn stemming_meets_word_forms_without_accidents() {
        let t = |s: &str| terms_of(s);
        assert_eq!(t("deleting"), t("deleted"));
        assert_eq!(t("deletes"), t("delete"));
        assert_eq!(t("codes"), t("code"));
        assert_eq!(t("502"), ["502"]);
        // Not the accidents of a suffix stripper: None is not "non", bare is not "bar".
        assert_ne!(t("None"), t("non"));
        assert_ne!(t("bare"), t("bar"));
    }

    #[test]
    fn versions_phrases_and_signatures_are_terms() {
        let t = terms_of("payload format version v2.0 on an HTTP API, not 1.0");
        for want in [
            "2.0",
            "1.0",
            "http~api",
            "payload~format~version",
            "payload",
        ] {
            assert!(t.iter().any(|x| x == want), "{want} in {t:?}");
        }
        let rest = terms_of(r#"{"message": "Internal server error"}"#);
        let http = terms_of(r#"{"message":"Internal Server Error"}"#);
        assert!(rest.contains(&"~rest-internal-server-error".to_string()));
        assert!(http.contains(&"~http-internal-server-error".to_string()));
        assert!(!http.contains(&"~rest-internal-server-error".to_string()));
    }

    #[test]
    fn cors_headers_are_not_cross_account_evidence() {
        let t = terms_of("No 'Access-Control-Allow-Origin' header; Cross-Origin Request Blocked");
        assert!(t.contains(&"cors".to_string()), "{t:?}");
        for not in ["access", "control", "cross", "origin"] {
            assert!(!t.iter().any(|x| x == not), "{not} in {t:?}");
        }
    }

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(PHRASE_WORDS.windows(2).all(|w| w[0] < w[1]));
        for w in PHRASES.iter().flat_map(|p| p.iter()) {
            assert_eq!(phrase_word(w), *w, "{w} missing from PHRASE_WORDS");
        }
    }
}
