//! The response the API's caller receives, as the check predicts it.
use serde::Serialize;

/// How sure the prediction is; a report's confidence is its least certain decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Uncertain,
    Observed,
    Documented,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClientResponse {
    pub status: u16,
    /// Header names in first-seen order, each with its values (one wire line per value).
    pub headers: Vec<(String, Vec<String>)>,
    /// Payload 2.0 `cookies`: each becomes one `set-cookie` header.
    pub cookies: Vec<String>,
    pub body: Vec<u8>,
}

impl ClientResponse {
    pub fn new(status: u16) -> Self {
        ClientResponse {
            status,
            headers: Vec::new(),
            cookies: Vec::new(),
            body: Vec::new(),
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
    /// Returns whether the name was already present.
    pub fn add_header(&mut self, name: &str, value: &str) -> bool {
        if let Some((_, values)) = self
            .headers
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            if !values.iter().any(|v| v == value) {
                values.push(value.to_string());
            }
            true
        } else {
            self.headers
                .push((name.to_string(), vec![value.to_string()]));
            false
        }
    }

    pub fn header(&self, name: &str) -> Option<&[String]> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
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

/// The JSON contract: `{"status", "headers" (values joined with ", "), "multi_value_headers",
/// "cookies", "body", "is_base64_encoded"}`, written straight from the response so a 6 MB
/// body is not copied on its way out.
impl Serialize for ClientResponse {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        struct Joined<'a>(&'a [(String, Vec<String>)]);
        impl Serialize for Joined<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_map(self.0.iter().map(|(n, v)| (n, v.join(", "))))
            }
        }
        struct Multi<'a>(&'a [(String, Vec<String>)]);
        impl Serialize for Multi<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_map(self.0.iter().map(|(n, v)| (n, v)))
            }
        }
        let (body, is_base64_encoded) = self.body_for_json();
        let mut map = serializer.serialize_map(Some(6))?;
        map.serialize_entry("status", &self.status)?;
        map.serialize_entry("headers", &Joined(&self.headers))?;
        map.serialize_entry("multi_value_headers", &Multi(&self.headers))?;
        map.serialize_entry("cookies", &self.cookies)?;
        map.serialize_entry("body", &body)?;
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
        assert_eq!(
            r.headers,
            vec![("A".to_string(), vec!["1".into(), "2".into()])]
        );
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
