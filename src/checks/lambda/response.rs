//! The response the API's caller receives, as the check predicts it.
use indexmap::{IndexMap, IndexSet};
use serde::Serialize;

/// The values of one header, each once, in first-sent order (hashed with foldhash: a
/// header may hold 242,000 values).
pub type Values = IndexSet<String, foldhash::fast::RandomState>;

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

#[derive(Debug, Clone, Default)]
pub struct ClientResponse {
    pub status: u16,
    /// Header names in first-seen order, keyed by the lower-cased name, each with the
    /// spelling first seen and its values (one wire line per value, each kept once).
    headers: IndexMap<String, (String, Values), foldhash::fast::RandomState>,
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
        let key = lower(name);
        let (present, values) = match self.headers.get_mut(key.as_ref()) {
            Some((_, values)) => (true, values),
            None => {
                let entry = self.headers.entry(key.into_owned());
                (
                    false,
                    &mut entry.or_insert((name.to_string(), Values::default())).1,
                )
            }
        };
        if !values.contains(value) {
            values.insert(value.to_string());
        }
        present
    }

    /// The values sent under `name` (matched case-insensitively).
    pub fn header(&self, name: &str) -> Option<&Values> {
        self.headers
            .get(lower(name).as_ref())
            .map(|(_, values)| values)
    }

    /// Every header in first-seen order: the name as first spelled, and its values.
    pub fn headers(&self) -> impl Iterator<Item = (&str, &Values)> {
        self.headers.values().map(|(n, v)| (n.as_str(), v))
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
    fn headers_merge_case_insensitively_without_duplicates() {
        let mut r = ClientResponse::new(200);
        assert!(!r.add_header("A", "1"));
        assert!(r.add_header("a", "1"));
        assert!(r.add_header("a", "2"));
        let headers: Vec<(&str, Vec<&str>)> = r
            .headers()
            .map(|(n, v)| (n, v.iter().map(String::as_str).collect()))
            .collect();
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
