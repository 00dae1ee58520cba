//! The response the API's caller receives, as the check predicts it.
use hashbrown::HashTable;
use indexmap::IndexMap;
use serde::Serialize;

/// The values of one header, each once, in first-sent order.
///
/// A header may hold 242,000 values, so they are kept compactly: their texts one after
/// another in one string, where each ends, and (past a few values) a hash table of positions
/// to keep each value once in constant time. About 14 bytes per value besides its text,
/// where a set of strings takes about 60.
#[derive(Clone, Default)]
pub struct Values {
    text: String,
    /// Where each value but the last ends in `text` (the last ends where `text` does); each
    /// starts where the one before ends. A header of one value, the usual case, needs none.
    /// Offsets fit in u32: every value comes from one output of at most MAX_RESPONSE_BYTES
    /// (10 MB).
    ends: Vec<u32>,
    /// How many values.
    count: u32,
    /// Positions of values, hashed by their text; only past [`UNINDEXED`] values.
    /// Boxed: most headers have one value, and a header is kept small.
    index: Option<Box<HashTable<u32>>>,
}

/// Up to this many values are searched in order.
const UNINDEXED: usize = 8;

fn hash_of(value: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::default().hash_one(value)
}

impl Values {
    pub fn len(&self) -> usize {
        self.count as usize
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The value at position `n` (first sent first).
    pub fn get_index(&self, n: usize) -> Option<&str> {
        (n < self.len()).then(|| nth(&self.text, &self.ends, n))
    }

    pub fn first(&self) -> Option<&str> {
        self.get_index(0)
    }

    pub fn iter(&self) -> Iter<'_> {
        Iter {
            values: self,
            next: 0,
        }
    }

    pub fn contains(&self, value: &str) -> bool {
        self.position(value).is_some()
    }

    fn position(&self, value: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index
                .find(hash_of(value), |&n| {
                    self.get_index(n as usize) == Some(value)
                })
                .map(|&n| n as usize),
            None => self.iter().position(|v| v == value),
        }
    }

    /// Adds `value` unless it is there already; whether it was added.
    pub fn insert(&mut self, value: &str) -> bool {
        if self.contains(value) {
            return false;
        }
        // Positions fit in u32: an output is at most MAX_RESPONSE_BYTES (10 MB), and each
        // value takes at least the two bytes of its quotes.
        let n = self.count;
        if n > 0 {
            self.ends.push(self.text.len() as u32);
        }
        self.text.push_str(value);
        self.count += 1;
        if let Some(index) = &mut self.index {
            let (text, ends) = (&self.text, &self.ends);
            index.insert_unique(hash_of(value), n, |&m| hash_of(nth(text, ends, m as usize)));
        } else if self.len() > UNINDEXED {
            self.index_with_room(self.len() * 2);
        }
        true
    }

    /// Indexes the values, with room for `capacity` in all.
    fn index_with_room(&mut self, capacity: usize) {
        let mut index = HashTable::with_capacity(capacity);
        for (m, v) in self.iter().enumerate() {
            let (text, ends) = (&self.text, &self.ends);
            index.insert_unique(hash_of(v), m as u32, |&k| {
                hash_of(nth(text, ends, k as usize))
            });
        }
        self.index = Some(Box::new(index));
    }

    /// Room for `values` more values of `bytes` bytes in all: the text, the ends and the
    /// index each grow once, not by doubling.
    pub fn reserve(&mut self, values: usize, bytes: usize) {
        self.text.reserve_exact(bytes);
        self.ends.reserve_exact(values);
        let wanted = self.len() + values;
        match &mut self.index {
            Some(index) => {
                let (text, ends) = (&self.text, &self.ends);
                index.reserve(values, |&m| hash_of(nth(text, ends, m as usize)));
            }
            None if wanted > UNINDEXED => self.index_with_room(wanted),
            None => {}
        }
    }
}

/// The `n`th value of a `Values`' text and ends (for the index's rehashing, which cannot
/// borrow the whole `Values`).
fn nth<'a>(text: &'a str, ends: &[u32], n: usize) -> &'a str {
    let start = if n == 0 { 0 } else { ends[n - 1] as usize };
    let end = ends.get(n).map_or(text.len(), |&e| e as usize);
    &text[start..end]
}

/// A header's values, first sent first.
pub struct Iter<'a> {
    values: &'a Values,
    next: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = &'a str;
    fn next(&mut self) -> Option<&'a str> {
        let v = self.values.get_index(self.next)?;
        self.next += 1;
        Some(v)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.values.len() - self.next;
        (left, Some(left))
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'a> IntoIterator for &'a Values {
    type Item = &'a str;
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl std::fmt::Debug for Values {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for Values {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

/// How sure the prediction is; a report's confidence is its least certain decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Uncertain,
    Observed,
    Documented,
}

impl Confidence {
    /// The word reports use (as serialized).
    pub fn word(self) -> &'static str {
        match self {
            Confidence::Uncertain => "uncertain",
            Confidence::Observed => "observed",
            Confidence::Documented => "documented",
        }
    }
}

/// One header: its spelling when first seen (when that is not its lower-cased key) and its
/// values. An output may send 101,000 names, so a header is kept small.
#[derive(Debug, Clone)]
struct Header {
    spelled: Option<Box<str>>,
    values: Values,
}

impl Header {
    fn spelling<'a>(&'a self, key: &'a str) -> &'a str {
        self.spelled.as_deref().unwrap_or(key)
    }
}

#[derive(Debug, Clone, Default)]
pub struct ClientResponse {
    pub status: u16,
    /// Header names in first-seen order, keyed by the lower-cased name, each with the
    /// spelling first seen and its values (one wire line per value, each kept once).
    headers: IndexMap<Box<str>, Header, foldhash::fast::RandomState>,
    /// Payload 2.0 `cookies`: each becomes one `set-cookie` header.
    pub cookies: Vec<String>,
    pub body: Vec<u8>,
    /// The body as the JSON string literal it arrived in, when `body` is exactly its text:
    /// `-o json` writes it as it is instead of escaping 6 MB again. Whoever changes `body`
    /// after setting this clears it.
    pub body_json: Option<Box<serde_json::value::RawValue>>,
}

impl ClientResponse {
    pub fn new(status: u16) -> Self {
        ClientResponse {
            status,
            ..Default::default()
        }
    }

    /// API Gateway's own error answer: REST says "Internal server error", HTTP APIs
    /// "Internal Server Error".
    pub fn gateway_error(status: u16, message: &str) -> Self {
        let mut r = ClientResponse::new(status);
        r.add_header("content-type", "application/json");
        r.body = format!("{{\"message\":\"{message}\"}}").into_bytes();
        r
    }

    /// Adds a value under `name`, matching existing names case-insensitively and keeping a
    /// value only once per name (the documented headers/multiValueHeaders merge rule).
    /// Returns whether the name was already present. Constant time per value, so a header
    /// with 242,000 values or 101,000 names merges in linear time.
    pub fn add_header(&mut self, name: &str, value: &str) -> bool {
        let (present, values) = self.values_of(name);
        values.insert(value);
        present
    }

    /// Makes room under `name` for `values` more values (at most: some may be there
    /// already) of `bytes` bytes in all, so that a header of many values grows once rather
    /// than by doubling.
    pub fn reserve_header(&mut self, name: &str, values: usize, bytes: usize) {
        if values > 0 {
            self.values_of(name).1.reserve(values, bytes);
        }
    }

    /// How `name`'s header was first spelled, when there is one (matched
    /// case-insensitively).
    pub fn spelling(&self, name: &str) -> Option<&str> {
        let (_, key, header) = self.headers.get_full(lower(name).as_ref())?;
        Some(header.spelling(key))
    }

    /// The values under `name` (matched case-insensitively), a new header spelled `name`
    /// when there is none yet; and whether there was one.
    fn values_of(&mut self, name: &str) -> (bool, &mut Values) {
        let key = lower(name);
        let (present, n) = match self.headers.get_index_of(key.as_ref()) {
            Some(n) => (true, n),
            None => {
                let header = Header {
                    spelled: (key != name).then(|| name.into()),
                    values: Values::default(),
                };
                (false, self.headers.insert_full(key.into(), header).0)
            }
        };
        (present, &mut self.headers[n].values)
    }

    /// The values sent under `name` (matched case-insensitively).
    pub fn header(&self, name: &str) -> Option<&Values> {
        self.headers.get(lower(name).as_ref()).map(|h| &h.values)
    }

    /// Every header in first-seen order: the name as first spelled, and its values.
    pub fn headers(&self) -> impl Iterator<Item = (&str, &Values)> {
        self.headers
            .iter()
            .map(|(key, h)| (h.spelling(key), &h.values))
    }

    /// The body as text when it is UTF-8; otherwise base64, flagged by the `bool`.
    pub fn body_for_json(&self) -> (std::borrow::Cow<'_, str>, bool) {
        match std::str::from_utf8(&self.body) {
            Ok(s) => (std::borrow::Cow::Borrowed(s), false),
            Err(_) => {
                use base64::Engine;
                let encoded = base64::engine::general_purpose::STANDARD.encode(&self.body);
                (std::borrow::Cow::Owned(encoded), true)
            }
        }
    }
}

/// The lower-cased name, without copying names that are lower case already (most are).
fn lower(name: &str) -> std::borrow::Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(name.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(name)
    }
}

/// The JSON contract: `{"status", "headers" (values joined with ", "), "multi_value_headers",
/// "cookies", "body", "is_base64_encoded"}`, written straight from the response so a 6 MB
/// body is not copied on its way out.
impl Serialize for ClientResponse {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        struct Single<'a>(&'a ClientResponse);
        impl Serialize for Single<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_map(self.0.headers().map(|(n, v)| (n, Joined(v))))
            }
        }
        /// Values joined with ", ", written without building the joined string.
        struct Joined<'a>(&'a Values);
        impl std::fmt::Display for Joined<'_> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                for (i, v) in self.0.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(v)?;
                }
                Ok(())
            }
        }
        impl Serialize for Joined<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
        struct Multi<'a>(&'a ClientResponse);
        impl Serialize for Multi<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_map(self.0.headers())
            }
        }
        let mut map = serializer.serialize_map(Some(6))?;
        map.serialize_entry("status", &self.status)?;
        map.serialize_entry("headers", &Single(self))?;
        map.serialize_entry("multi_value_headers", &Multi(self))?;
        map.serialize_entry("cookies", &self.cookies)?;
        let is_base64_encoded = match &self.body_json {
            Some(literal) => {
                map.serialize_entry("body", literal)?;
                false
            }
            None => {
                let (body, is_base64_encoded) = self.body_for_json();
                map.serialize_entry("body", &body)?;
                is_base64_encoded
            }
        };
        map.serialize_entry("is_base64_encoded", &is_base64_encoded)?;
        map.end()
    }
}

/// The reason phrase for the status line of the human view.
pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        101 => "Switching Protocols",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        410 => "Gone",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_each_value_once_in_first_sent_order_below_and_above_the_indexed_size() {
        for n in [1, UNINDEXED, UNINDEXED + 1, 3000] {
            let mut v = Values::default();
            if n == 3000 {
                v.reserve(10, 100);
            }
            for round in 0..2 {
                for i in 0..n {
                    // The second round adds nothing new; "" is a value like any other.
                    let value = if i == 0 {
                        String::new()
                    } else {
                        format!("v{i}")
                    };
                    assert_eq!(v.insert(&value), round == 0, "{n} values, {value:?}");
                }
            }
            assert_eq!(v.len(), n);
            assert_eq!(v.first(), Some(""));
            let last = if n == 1 {
                String::new()
            } else {
                format!("v{}", n - 1)
            };
            assert_eq!(v.get_index(n - 1), Some(last.as_str()));
            assert_eq!(v.get_index(n), None);
            assert!(v.contains("") && !v.contains("v0") && !v.contains(&format!("v{n}")));
            let all: Vec<&str> = v.iter().collect();
            assert_eq!(all.len(), n);
            assert_eq!(serde_json::to_value(&v).unwrap(), serde_json::json!(all));
            assert_eq!(v.index.is_some(), n > UNINDEXED);
        }
    }

    #[test]
    fn headers_merge_case_insensitively_without_duplicates() {
        let mut r = ClientResponse::new(200);
        assert!(!r.add_header("A", "1"));
        assert!(r.add_header("a", "1"));
        assert!(r.add_header("a", "2"));
        let headers: Vec<(&str, Vec<&str>)> =
            r.headers().map(|(n, v)| (n, v.iter().collect())).collect();
        assert_eq!(headers, vec![("A", vec!["1", "2"])]);
        assert_eq!(r.header("a").map(|v| v.len()), Some(2));
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["headers"]["A"], "1, 2");
        assert_eq!(
            json["multi_value_headers"]["A"],
            serde_json::json!(["1", "2"])
        );
    }

    #[test]
    fn binary_bodies_are_base64_in_json() {
        let mut r = ClientResponse::new(200);
        r.body = vec![0xff, 0x00];
        let (body, base64) = r.body_for_json();
        assert_eq!((body.as_ref(), base64), ("/wA=", true));
    }
}
