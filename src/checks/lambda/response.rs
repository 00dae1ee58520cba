//! The response the API's caller receives, as the check predicts it.
use hashbrown::HashTable;
use serde::Serialize;
use serde_json::value::RawValue;
use std::borrow::Cow;

/// Where one header name or value is kept: 4 bytes, since one header may hold 242,000
/// values and one output may send 101,000 names.
/// - Below [`OWN`]: an offset into the text the response borrows from (the output's
///   `multiValueHeaders`), where the text runs up to the next `"`: it is the content of a
///   JSON string without escapes, whole up to its closing quote.
/// - From [`OWN`]: [`OWN`] plus a position in the response's own list of texts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Span(u32);

/// Spans from here on are the response's own texts.
const OWN: u32 = 1 << 31;

impl Span {
    /// No value yet.
    const NONE: Span = Span(u32::MAX);
}

/// The texts a response keeps itself (names and values it could not borrow).
#[derive(Clone, Debug, Default)]
struct Own {
    text: String,
    /// Where each text starts in `text`, and its length.
    spans: Vec<(u32, u32)>,
}

/// The texts spans point into.
#[derive(Clone, Copy)]
struct Texts<'r> {
    source: &'r str,
    own: &'r Own,
}

impl<'r> Texts<'r> {
    fn get(self, span: Span) -> &'r str {
        if span.0 < OWN {
            // A char boundary: `span_of` took it from a &str lying there.
            let rest = &self.source[span.0 as usize..];
            let end = memchr::memchr(b'"', rest.as_bytes()).unwrap_or(rest.len());
            &rest[..end]
        } else {
            let (start, len) = self.own.spans[(span.0 - OWN) as usize];
            &self.own.text[start as usize..(start + len) as usize]
        }
    }
}

/// One header: its name as first spelled, and its values, each once, first sent first. 16
/// bytes: the first value is kept inline (most headers have one); past it, a list, and past
/// [`UNINDEXED`] values a hash table of positions to keep each value once in constant time
/// (about 9 bytes per value).
#[derive(Clone, Debug)]
struct Header {
    name: Span,
    first: Span,
    more: Option<Box<More>>,
}

#[derive(Clone, Debug, Default)]
struct More {
    spans: Vec<Span>,
    /// Positions of values, hashed by their text.
    index: Option<HashTable<u32>>,
}

/// Up to this many values of a header, or header names, are searched in order.
const UNINDEXED: usize = 8;

type Hasher = foldhash::fast::RandomState;

fn hash_of(hasher: &Hasher, value: &str) -> u64 {
    use std::hash::BuildHasher;
    hasher.hash_one(value)
}

/// A name's hash, as its lower-cased spelling would hash (names match case-insensitively),
/// without lower-casing a copy.
fn name_hash(hasher: &Hasher, name: &str) -> u64 {
    use std::hash::{BuildHasher, Hasher as _};
    let mut h = hasher.build_hasher();
    let mut buf = [0u8; 64];
    for chunk in name.as_bytes().chunks(buf.len()) {
        let lowered = &mut buf[..chunk.len()];
        lowered.copy_from_slice(chunk);
        lowered.make_ascii_lowercase();
        h.write(lowered);
    }
    h.finish()
}

impl Header {
    fn new(name: Span) -> Self {
        Header {
            name,
            first: Span::NONE,
            more: None,
        }
    }

    fn len(&self) -> usize {
        match (&self.more, self.first) {
            (_, Span::NONE) => 0,
            (None, _) => 1,
            (Some(more), _) => 1 + more.spans.len(),
        }
    }

    fn span(&self, n: usize) -> Span {
        let spans = self.more.as_ref().map_or(&[][..], |m| &m.spans);
        nth(self.first, spans, n as u32)
    }

    fn position(&self, texts: Texts, hasher: &Hasher, value: &str) -> Option<usize> {
        let text = |n: usize| texts.get(self.span(n));
        match self.more.as_ref().and_then(|m| m.index.as_ref()) {
            Some(index) => index
                .find(hash_of(hasher, value), |&n| text(n as usize) == value)
                .map(|&n| n as usize),
            None => (0..self.len()).find(|&n| text(n) == value),
        }
    }

    /// Adds `span` (whose text is not there yet) as the last value.
    fn push(&mut self, texts: Texts, hasher: &Hasher, span: Span) {
        if self.first == Span::NONE {
            self.first = span;
            return;
        }
        let n = self.len();
        let more = self.more.get_or_insert_with(Default::default);
        more.spans.push(span);
        let first = self.first;
        let text = |spans: &[Span], m: u32| texts.get(nth(first, spans, m));
        match &mut more.index {
            Some(index) => {
                let spans = &more.spans;
                index.insert_unique(hash_of(hasher, texts.get(span)), n as u32, |&m| {
                    hash_of(hasher, text(spans, m))
                });
            }
            None if n + 1 > UNINDEXED => {
                let wanted = (n + 1).max(more.spans.capacity() + 1);
                more.index = Some(index_of(n + 1, wanted, |m| {
                    hash_of(hasher, text(&more.spans, m))
                }));
            }
            None => {}
        }
    }

    /// Room for `values` more values: the list and the index each grow once, not by
    /// doubling.
    fn reserve(&mut self, texts: Texts, hasher: &Hasher, values: usize) {
        let wanted = self.len() + values;
        if wanted <= 1 {
            return;
        }
        let first = self.first;
        let more = self.more.get_or_insert_with(Default::default);
        more.spans.reserve_exact(values);
        let text = |spans: &[Span], m: u32| texts.get(nth(first, spans, m));
        let spans = &more.spans;
        match &mut more.index {
            Some(index) => index.reserve(values, |&m| hash_of(hasher, text(spans, m))),
            None if wanted > UNINDEXED && first != Span::NONE => {
                more.index = Some(index_of(spans.len() + 1, wanted, |m| {
                    hash_of(hasher, text(spans, m))
                }));
            }
            None => {}
        }
    }
}

/// The `m`th value of a header whose first value is `first` and whose others are `spans`
/// (for the index's rehashing, which cannot borrow the whole header).
fn nth(first: Span, spans: &[Span], m: u32) -> Span {
    match m {
        0 => first,
        m => spans[m as usize - 1],
    }
}

/// An index of positions `0..count`, hashed by `hash`, with room for `capacity` in all.
fn index_of(count: usize, capacity: usize, hash: impl Fn(u32) -> u64) -> HashTable<u32> {
    let mut index = HashTable::with_capacity(capacity);
    for m in 0..count as u32 {
        index.insert_unique(hash(m), m, |&k| hash(k));
    }
    index
}

/// The values sent under one header name, first sent first.
#[derive(Clone, Copy)]
pub struct Values<'r> {
    texts: Texts<'r>,
    hasher: &'r Hasher,
    stored: &'r Header,
}

impl<'r> Values<'r> {
    pub fn len(&self) -> usize {
        self.stored.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value at position `n` (first sent first).
    pub fn get_index(&self, n: usize) -> Option<&'r str> {
        (n < self.len()).then(|| self.texts.get(self.stored.span(n)))
    }

    pub fn first(&self) -> Option<&'r str> {
        self.get_index(0)
    }

    pub fn iter(&self) -> Iter<'r> {
        Iter {
            values: *self,
            next: 0,
        }
    }

    pub fn contains(&self, value: &str) -> bool {
        self.stored
            .position(self.texts, self.hasher, value)
            .is_some()
    }
}

/// A header's values, first sent first.
pub struct Iter<'r> {
    values: Values<'r>,
    next: usize,
}

impl<'r> Iterator for Iter<'r> {
    type Item = &'r str;
    fn next(&mut self) -> Option<&'r str> {
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

impl<'r> IntoIterator for Values<'r> {
    type Item = &'r str;
    type IntoIter = Iter<'r>;
    fn into_iter(self) -> Iter<'r> {
        self.iter()
    }
}

impl std::fmt::Debug for Values<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for Values<'_> {
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

/// The response's headers: names in first-seen order, matched case-insensitively, each with
/// its values (one wire line per value, each kept once). Names and values are borrowed from
/// `source` where they lie in it, and copied into the response's own text otherwise.
#[derive(Debug, Clone, Default)]
struct Headers<'a> {
    source: &'a str,
    own: Own,
    list: Vec<Header>,
    /// Positions in `list`, hashed by name (case-insensitively); only past [`UNINDEXED`]
    /// names (most responses send two or three), which are searched in order.
    by_name: Option<HashTable<u32>>,
    hasher: Hasher,
}

impl<'a> Headers<'a> {
    fn texts(&self) -> Texts<'_> {
        Texts {
            source: self.source,
            own: &self.own,
        }
    }

    /// Where `text` is kept: borrowed when it is the content of a string without escapes in
    /// `source` (it lies there and a quote follows it), copied otherwise.
    fn span_of(&mut self, text: &str) -> Span {
        let offset = (text.as_ptr() as usize).wrapping_sub(self.source.as_ptr() as usize);
        let borrowed = offset < OWN as usize
            && self
                .source
                .get(offset..)
                .is_some_and(|rest| memchr::memchr(b'"', rest.as_bytes()) == Some(text.len()));
        if borrowed {
            return Span(offset as u32);
        }
        // Offsets and counts fit in 31 bits: every text comes from one output of at most
        // MAX_RESPONSE_BYTES (6 MB), or is one of the few the check adds itself.
        let n = self.own.spans.len() as u32;
        self.own
            .spans
            .push((self.own.text.len() as u32, text.len() as u32));
        self.own.text.push_str(text);
        Span(OWN + n)
    }

    fn find(&self, name: &str) -> Option<usize> {
        let texts = self.texts();
        let is = |h: &Header| texts.get(h.name).eq_ignore_ascii_case(name);
        match &self.by_name {
            Some(index) => index
                .find(name_hash(&self.hasher, name), |&n| {
                    is(&self.list[n as usize])
                })
                .map(|&n| n as usize),
            None => self.list.iter().position(is),
        }
    }

    /// The position of `name`'s header, a new one spelled `name` when there is none yet;
    /// and whether there was one.
    fn entry(&mut self, name: &str) -> (bool, usize) {
        match self.find(name) {
            Some(n) => (true, n),
            None => (false, self.insert(name)),
        }
    }

    /// Adds a header spelled `name`, with no values yet (there is none of that name): its
    /// position.
    fn insert(&mut self, name: &str) -> usize {
        let span = self.span_of(name);
        let n = self.list.len();
        self.list.push(Header::new(span));
        let texts = Texts {
            source: self.source,
            own: &self.own,
        };
        let (list, hasher) = (&self.list, &self.hasher);
        let hash = |m: u32| name_hash(hasher, texts.get(list[m as usize].name));
        match &mut self.by_name {
            Some(index) => {
                index.insert_unique(hash(n as u32), n as u32, |&m| hash(m));
            }
            None if list.len() > UNINDEXED => {
                self.by_name = Some(index_of(list.len(), list.len() * 2, hash));
            }
            None => {}
        }
        n
    }

    fn values(&self, n: usize) -> Values<'_> {
        Values {
            texts: self.texts(),
            hasher: &self.hasher,
            stored: &self.list[n],
        }
    }

    /// Adds `value` under header `n` unless it is there already.
    fn add(&mut self, n: usize, value: &str) {
        if self.values(n).contains(value) {
            return;
        }
        let span = self.span_of(value);
        let (texts, header, hasher) = self.header_mut(n);
        header.push(texts, hasher, span);
    }

    fn reserve(&mut self, n: usize, values: usize) {
        let (texts, header, hasher) = self.header_mut(n);
        header.reserve(texts, hasher, values);
    }

    /// Header `n` to change, beside what its values are read with.
    fn header_mut(&mut self, n: usize) -> (Texts<'_>, &mut Header, &Hasher) {
        let texts = Texts {
            source: self.source,
            own: &self.own,
        };
        (texts, &mut self.list[n], &self.hasher)
    }
}

#[derive(Clone, Default)]
pub struct ClientResponse<'a> {
    pub status: u16,
    headers: Headers<'a>,
    /// Payload 2.0 `cookies`: each becomes one `set-cookie` header.
    pub cookies: Vec<String>,
    body: Body<'a>,
}

/// The body's bytes, or the JSON string literal they arrived in (borrowed from the output),
/// decoded only when read: `-o json` writes the literal as it is, so a 6 MB body is neither
/// decoded nor escaped again.
#[derive(Clone)]
enum Body<'a> {
    Bytes(Vec<u8>),
    /// A literal [`decoded_len`] accepts (no lone surrogate), and that length.
    Literal(&'a RawValue, usize),
}

impl Default for Body<'_> {
    fn default() -> Self {
        Body::Bytes(Vec::new())
    }
}

impl<'a> ClientResponse<'a> {
    pub fn new(status: u16) -> Self {
        ClientResponse {
            status,
            ..Default::default()
        }
    }

    /// A response whose headers borrow the names and values that lie in `source` (as
    /// contents of JSON strings without escapes) instead of copying them.
    pub fn borrowing(source: &'a str) -> Self {
        let mut r = ClientResponse::new(0);
        r.headers.source = source;
        r
    }

    /// API Gateway's own error answer: REST says "Internal server error", HTTP APIs
    /// "Internal Server Error".
    pub fn gateway_error(status: u16, message: &str) -> Self {
        let mut r = ClientResponse::new(status);
        r.add_header("content-type", "application/json");
        r.set_body(format!("{{\"message\":\"{message}\"}}").into_bytes());
        r
    }

    /// Adds a value under `name`, matching existing names case-insensitively and keeping a
    /// value only once per name (the documented headers/multiValueHeaders merge rule).
    /// Returns whether the name was already present. Constant time per value, so a header
    /// with 242,000 values or 101,000 names merges in linear time.
    pub fn add_header(&mut self, name: &str, value: &str) -> bool {
        let (present, n) = self.headers.entry(name);
        self.headers.add(n, value);
        present
    }

    /// The position of `name`'s header (matched case-insensitively) and how it was first
    /// spelled, when there is one: a reader of many values looks each name up once, then adds
    /// with [`add_value_at`](Self::add_value_at).
    pub(super) fn header_position(&self, name: &str) -> Option<(usize, &str)> {
        let n = self.headers.find(name)?;
        Some((n, self.headers.texts().get(self.headers.list[n].name)))
    }

    /// Adds a header spelled `name` with no values yet, when
    /// [`header_position`](Self::header_position) found none: its position.
    pub(super) fn new_header_at(&mut self, name: &str) -> usize {
        self.headers.insert(name)
    }

    /// Adds a value (unless it is there already) to the header at position `n`.
    pub(super) fn add_value_at(&mut self, n: usize, value: &str) {
        self.headers.add(n, value);
    }

    /// Makes room in the header at position `n` for `values` more values (at most: some may
    /// be there already), so that a header of many values grows once rather than by doubling.
    pub(super) fn reserve_at(&mut self, n: usize, values: usize) {
        self.headers.reserve(n, values);
    }

    /// The values sent under `name` (matched case-insensitively).
    pub fn header(&self, name: &str) -> Option<Values<'_>> {
        self.headers.find(name).map(|n| self.headers.values(n))
    }

    /// Every header in first-seen order: the name as first spelled, and its values.
    pub fn headers(&self) -> impl Iterator<Item = (&str, Values<'_>)> {
        let texts = self.headers.texts();
        (0..self.headers.list.len())
            .map(move |n| (texts.get(self.headers.list[n].name), self.headers.values(n)))
    }

    /// Every header as a (name, value) pair, in order.
    pub fn header_pairs(&self) -> Vec<(String, String)> {
        self.headers()
            .flat_map(|(name, values)| {
                values
                    .iter()
                    .map(move |v| (name.to_string(), v.to_string()))
            })
            .collect()
    }

    /// The body as text (invalid UTF-8 replaced). A body kept as its JSON literal is decoded
    /// once and its bytes become the text without another copy.
    pub fn body_string(&self) -> String {
        match self.body() {
            Cow::Borrowed(bytes) => String::from_utf8_lossy(bytes).into_owned(),
            Cow::Owned(bytes) => String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        }
    }

    pub fn set_body(&mut self, bytes: Vec<u8>) {
        self.body = Body::Bytes(bytes);
    }

    /// The body is the text of `literal`, a JSON string literal without lone surrogates,
    /// `len` bytes once decoded (what [`decoded_len`] says of it).
    pub fn set_body_literal(&mut self, literal: &'a RawValue, len: usize) {
        self.body = Body::Literal(literal, len);
    }

    /// The body's bytes (a body kept as its JSON literal is decoded now).
    pub fn body(&self) -> Cow<'_, [u8]> {
        match &self.body {
            Body::Bytes(b) => Cow::Borrowed(b),
            Body::Literal(l, _) => Cow::Owned(unescape(l.get()).unwrap_or_default()),
        }
    }

    /// The body as text, at least its first `limit` bytes (all of it when shorter; a body
    /// kept as its JSON literal is decoded that far), or its bytes when they are not UTF-8.
    pub fn body_text_head(&self, limit: usize) -> Result<Cow<'_, str>, &[u8]> {
        match &self.body {
            Body::Bytes(b) => std::str::from_utf8(b)
                .map(Cow::Borrowed)
                .map_err(|_| &b[..]),
            Body::Literal(l, _) => Ok(Cow::Owned(
                unescape_head(l.get(), limit).unwrap_or_default(),
            )),
        }
    }

    /// The body's length in bytes, without decoding it.
    pub fn body_len(&self) -> usize {
        match &self.body {
            Body::Bytes(b) => b.len(),
            Body::Literal(_, len) => *len,
        }
    }

    /// The body as text when it is UTF-8; otherwise base64, flagged by the `bool`.
    pub fn body_for_json(&self) -> (Cow<'_, str>, bool) {
        fn base64(bytes: &[u8]) -> String {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.encode(bytes)
        }
        match self.body() {
            Cow::Borrowed(b) => match std::str::from_utf8(b) {
                Ok(s) => (Cow::Borrowed(s), false),
                Err(_) => (Cow::Owned(base64(b)), true),
            },
            Cow::Owned(b) => match String::from_utf8(b) {
                Ok(s) => (Cow::Owned(s), false),
                Err(e) => (Cow::Owned(base64(e.as_bytes())), true),
            },
        }
    }
}

/// What the response says (its headers by name and values), not how it keeps them.
impl std::fmt::Debug for ClientResponse<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        struct Headers<'r>(&'r ClientResponse<'r>);
        impl std::fmt::Debug for Headers<'_> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_map().entries(self.0.headers()).finish()
            }
        }
        f.debug_struct("ClientResponse")
            .field("status", &self.status)
            .field("headers", &Headers(self))
            .field("cookies", &self.cookies)
            .field("body", &String::from_utf8_lossy(&self.body()))
            .finish()
    }
}

/// The JSON contract: `{"status", "headers" (values joined with ", "), "multi_value_headers",
/// "cookies", "body", "is_base64_encoded"}`, written straight from the response so a 6 MB
/// body is not copied on its way out.
impl Serialize for ClientResponse<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        struct Single<'a>(&'a ClientResponse<'a>);
        impl Serialize for Single<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_map(self.0.headers().map(|(n, v)| (n, Joined(v))))
            }
        }
        /// Values joined with ", ", written without building the joined string.
        struct Joined<'a>(Values<'a>);
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
        struct Multi<'a>(&'a ClientResponse<'a>);
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
        let is_base64_encoded = match &self.body {
            Body::Literal(literal, _) => {
                map.serialize_entry("body", literal)?;
                false
            }
            Body::Bytes(_) => {
                let (body, is_base64_encoded) = self.body_for_json();
                map.serialize_entry("body", &body)?;
                is_base64_encoded
            }
        };
        map.serialize_entry("is_base64_encoded", &is_base64_encoded)?;
        map.end()
    }
}

/// The text of a JSON string literal that serde_json has already checked, as UTF-8 bytes;
/// None for what serde_json rejects when it decodes (a lone surrogate).
pub(super) fn unescape(literal: &str) -> Option<Vec<u8>> {
    unescape_head(literal, usize::MAX).map(String::into_bytes)
}

/// The decoded text of a checked JSON string literal, at least its first `limit` bytes (all
/// of it when shorter), whole characters; None for a lone surrogate (in the part read).
fn unescape_head(literal: &str, limit: usize) -> Option<String> {
    let mut out = String::with_capacity(literal.len().min(limit.saturating_add(8)));
    decode(literal, |part| {
        let room = limit.saturating_sub(out.len());
        if part.len() > room {
            // A long run without escapes is taken only as far as wanted.
            out.push_str(&part[..part.ceil_char_boundary(room)]);
            return false;
        }
        out.push_str(part);
        out.len() < limit
    })?;
    Some(out)
}

/// How many bytes [`unescape`] makes of `literal`, without making them; None where it makes
/// none.
pub(super) fn decoded_len(literal: &str) -> Option<usize> {
    let mut len = 0;
    decode(literal, |part| {
        len += part.len();
        true
    })?;
    Some(len)
}

/// Hands the decoded text of a checked JSON string literal to `put`, part by part (whole
/// characters), while `put` says to go on.
fn decode(literal: &str, mut put: impl FnMut(&str) -> bool) -> Option<()> {
    let mut rest = &literal[1..literal.len() - 1];
    // memchr: an escaped JSON body has an escape every few characters. A backslash is
    // ASCII, so the text before it ends on a character boundary.
    while let Some(i) = memchr::memchr(b'\\', rest.as_bytes()) {
        if !put(&rest[..i]) {
            return Some(());
        }
        let escape = rest.as_bytes()[i + 1];
        rest = &rest[i + 2..];
        let c = match escape {
            b'"' | b'\\' | b'/' => char::from(escape),
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            _ => {
                // \uXXXX, with surrogate pairs.
                let unit = |s: &str| u16::from_str_radix(s.get(..4)?, 16).ok();
                let high = unit(rest)?;
                rest = &rest[4..];
                if (0xD800..0xDC00).contains(&high) {
                    let low = rest.strip_prefix("\\u").and_then(unit);
                    match low {
                        Some(low) if (0xDC00..0xE000).contains(&low) => {
                            rest = &rest[6..];
                            char::from_u32(
                                0x10000
                                    + ((u32::from(high) - 0xD800) << 10)
                                    + (u32::from(low) - 0xDC00),
                            )?
                        }
                        _ => return None,
                    }
                } else {
                    char::from_u32(u32::from(high))?
                }
            }
        };
        if !put(c.encode_utf8(&mut [0; 4])) {
            return Some(());
        }
    }
    put(rest);
    Some(())
}

/// The reason phrase for the status line of the human view: the registry's current one
/// ("" for a code it does not know).
pub fn reason_phrase(status: u16) -> &'static str {
    crate::kb::terms::REASON_PHRASES
        .iter()
        .find(|&&(code, _)| code == status)
        .map_or("", |&(_, phrase)| phrase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_each_value_once_in_first_sent_order_below_and_above_the_indexed_size() {
        for n in [1, UNINDEXED, UNINDEXED + 1, 3000] {
            let mut r = ClientResponse::new(200);
            if n == 3000 {
                let x = r.new_header_at("x");
                r.reserve_at(x, 10);
            }
            for round in 0..2 {
                for i in 0..n {
                    // The second round adds nothing new; "" is a value like any other.
                    let value = if i == 0 {
                        String::new()
                    } else {
                        format!("v{i}")
                    };
                    let before = r.header("X").map_or(0, |v| v.len());
                    r.add_header("x", &value);
                    let added = r.header("x").unwrap().len() - before;
                    assert_eq!(added, usize::from(round == 0), "{n} values, {value:?}");
                }
            }
            let v = r.header("x").unwrap();
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
            assert_eq!(serde_json::to_value(v).unwrap(), serde_json::json!(all));
            let indexed = v.stored.more.as_ref().is_some_and(|m| m.index.is_some());
            assert_eq!(indexed, n > UNINDEXED);
        }
    }

    #[test]
    fn names_and_values_are_borrowed_where_they_lie_whole_in_the_source_and_copied_otherwise() {
        let source = r#"{"X-A":["one","t\"wo"],"b":["three"]}"#;
        let mut r = ClientResponse::borrowing(source);
        let at = |text: &str| {
            let i = source.find(text).unwrap();
            &source[i..i + text.len()]
        };
        // Whole string contents: borrowed. A prefix of one ("on") or a text with its quote
        // is not a string's content: copied.
        r.add_header(at("X-A"), at("one"));
        r.add_header("x-a", "t\"wo");
        r.add_header(at("b"), at("on"));
        r.add_header("B", at("three\""));
        r.add_header("c", "elsewhere");
        let headers: Vec<(&str, Vec<&str>)> =
            r.headers().map(|(n, v)| (n, v.iter().collect())).collect();
        assert_eq!(
            headers,
            vec![
                ("X-A", vec!["one", "t\"wo"]),
                ("b", vec!["on", "three\""]),
                ("c", vec!["elsewhere"]),
            ]
        );
        let own: Vec<&str> = (0..r.headers.own.spans.len() as u32)
            .map(|n| r.headers.texts().get(Span(OWN + n)))
            .collect();
        assert_eq!(own, vec!["t\"wo", "on", "three\"", "c", "elsewhere"]);
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
    fn names_are_found_case_insensitively_below_and_above_the_indexed_count() {
        let mut r = ClientResponse::new(200);
        for i in 0..3 * UNINDEXED {
            assert!(!r.add_header(&format!("X-Name-{i}"), "a"));
            assert_eq!(r.headers.by_name.is_some(), i + 1 > UNINDEXED);
            for j in 0..=i {
                assert!(r.add_header(&format!("x-NAME-{j}"), "b"), "{i} {j}");
                assert_eq!(
                    r.header_position(&format!("X-NAME-{j}")),
                    Some((j, &*format!("X-Name-{j}")))
                );
            }
            assert_eq!(
                r.header(&format!("x-name-{}", i + 1)).map(|v| v.len()),
                None
            );
        }
        assert_eq!(r.headers().count(), 3 * UNINDEXED);
        assert!(r.headers().all(|(_, v)| v.iter().eq(["a", "b"])));
    }

    #[test]
    fn a_literal_body_is_decoded_only_as_far_as_its_head_is_wanted() {
        let long = format!("{}é{}", "a".repeat(5000), "\\n€\\u00e9".repeat(3000));
        for body in [long.as_str(), "short \\\"q\\\"", "", "€€€€"] {
            let literal = format!("\"{body}\"");
            let raw = RawValue::from_string(literal.clone()).unwrap();
            let whole: String = serde_json::from_str(&literal).unwrap();
            let mut r = ClientResponse::new(200);
            r.set_body_literal(&raw, decoded_len(&literal).unwrap());
            assert_eq!(r.body_len(), whole.len());
            for limit in [0, 1, 4096, 5001, 5002, 1 << 20] {
                let head = r.body_text_head(limit).unwrap();
                assert!(whole.starts_with(&*head), "{limit}");
                assert!(head.len() >= limit.min(whole.len()), "{limit}");
                // Not much past what was asked: at most the character that crosses it.
                assert!(
                    head.len() <= limit + 3 || head.len() == whole.len(),
                    "{limit}"
                );
            }
        }
    }

    #[test]
    fn binary_bodies_are_base64_in_json() {
        let mut r = ClientResponse::new(200);
        r.set_body(vec![0xff, 0x00]);
        let (body, base64) = r.body_for_json();
        assert_eq!((body.as_ref(), base64), ("/wA=", true));
    }
}
