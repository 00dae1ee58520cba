//! What API Gateway does with a Lambda proxy integration's output: REST APIs, and HTTP APIs
//! with payload format versions 1.0 and 2.0.
//!
//! Sources, and how sure each rule is (named in every report as `confidence`):
//! - documented: AWS Developer Guide, "Set up Lambda proxy integrations" (REST output
//!   format, headers/multiValueHeaders merge), "Create AWS Lambda proxy integrations for
//!   HTTP APIs" (1.0/2.0 formats, 2.0 inference, cookies), Lambda guide "Handling Lambda
//!   errors with an API Gateway API" (function error -> 502 for REST).
//! - observed: recorded against AWS by emulator authors (LocalStack's AWS-validated test
//!   `test_aws_proxy_response_payload_format_validation`: REST needs no key, rejects unknown
//!   keys, non-numeric statusCode and non-array multiValueHeaders values with 502, accepts
//!   `"201"`, `headers: null` and boolean header values), AWS execution logs in public issues
//!   (an object body is a "Malformed Lambda proxy response"; HTTP APIs answer 500
//!   `{"message":"Internal Server Error"}`).
//! - uncertain: everything else; the report says so instead of guessing silently.
mod response;
mod verdict;

pub use response::{ClientResponse, Confidence, reason_phrase};
pub use verdict::{Evaluation, evaluate, is_lambda_error, too_large};

use serde::Serialize;

/// Lambda's limit for a synchronous invocation's response: "Response payload size
/// (6291557 bytes) exceeded maximum allowed payload size (6291556 bytes)".
pub const MAX_RESPONSE_BYTES: usize = 6_291_556;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Api {
    #[serde(rename = "rest")]
    Rest,
    #[serde(rename = "http-1.0")]
    Http10,
    #[serde(rename = "http-2.0")]
    Http20,
}

impl Api {
    pub fn label(self) -> &'static str {
        match self {
            Api::Rest => "REST API proxy integration",
            Api::Http10 => "HTTP API, payload format 1.0",
            Api::Http20 => "HTTP API, payload format 2.0",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
pub enum FunctionError {
    Unhandled,
    Handled,
}

impl FunctionError {
    pub fn name(self) -> &'static str {
        match self {
            FunctionError::Unhandled => "Unhandled",
            FunctionError::Handled => "Handled",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Options {
    pub api: Api,
    pub function_error: Option<FunctionError>,
    /// Whether the invocation's outcome is known (`--invoke-meta`): then an output without
    /// `function_error` was returned, even when it looks like Lambda's error object.
    pub invocation_known: bool,
    /// The request method: HEAD responses carry no body.
    pub method: String,
    /// REST: the API's `binaryMediaTypes`.
    pub binary_media_types: Vec<String>,
    /// REST: the request's Accept header.
    pub accept: Option<String>,
}

impl Options {
    /// A GET request, nothing known about the invocation, no binary media types.
    pub fn new(api: Api) -> Self {
        Options {
            api,
            function_error: None,
            invocation_known: false,
            method: "GET".into(),
            binary_media_types: Vec::new(),
            accept: None,
        }
    }

    /// REST decodes a base64 body only when the first Accept value matches one of the
    /// API's binary media types (`*/*` and `type/*` included); HTTP APIs always do.
    pub fn decodes_base64(&self) -> bool {
        if self.api != Api::Rest {
            return true;
        }
        self.accept
            .as_deref()
            .and_then(|a| a.split(',').next())
            .is_some_and(|first| binary_media_type_matches(&self.binary_media_types, first))
    }
}

/// Whether a REST API whose `binaryMediaTypes` are `types` treats `value` (a Content-Type, or
/// the first Accept value) as binary: the same type, `*/*`, or `type/*`; parameters and case
/// are ignored.
pub fn binary_media_type_matches(types: &[String], value: &str) -> bool {
    let value = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if value.is_empty() {
        return false;
    }
    let (kind, _) = value.split_once('/').unwrap_or((value.as_str(), ""));
    types.iter().any(|t| {
        // `~1` is how a patch path writes `/`; templates copied from one keep it.
        let t = t.trim().to_ascii_lowercase().replace("~1", "/");
        t == value || t == "*/*" || t.strip_suffix("/*").is_some_and(|k| k == kind)
    })
}

/// What the client would get had the function returned its error object instead of
/// throwing it (`result.alternative`).
#[derive(Debug, Clone, Serialize)]
pub struct Alternative<'a> {
    pub assuming: &'static str,
    pub valid: bool,
    pub client: ClientResponse<'a>,
}

pub const EMPTY_OUTPUT: &str = "lambda.empty-output";
/// Past Lambda's limit an output is only counted, up to this many bytes.
pub const MAX_COUNTED_BYTES: u64 = 1024 * 1024 * 1024;

pub const OUTPUT_TOO_LARGE: &str = "lambda.output-too-large";
pub const OUTPUT_TOO_COMPLEX: &str = "lambda.output-too-complex";
/// At most this many JSON values in one output are evaluated: a parsed value costs up to
/// ~450 bytes, so this bounds memory (6 MB of `[],` would be 2 million values).
pub const MAX_OUTPUT_VALUES: usize = 1_000_000;
pub const INVALID_JSON: &str = "lambda.invalid-json";
pub const NOT_AN_OBJECT: &str = "lambda.not-an-object";
pub const STATUS_CODE_MISSING: &str = "lambda.status-code-missing";
pub const STATUS_CODE_INVALID: &str = "lambda.status-code-invalid";
pub const BODY_NOT_STRING: &str = "lambda.body-not-string";
pub const HEADERS_INVALID: &str = "lambda.headers-invalid";
pub const HEADER_VALUE_INVALID: &str = "lambda.header-value-invalid";
pub const MULTI_VALUE_HEADERS_INVALID: &str = "lambda.multi-value-headers-invalid";
pub const UNKNOWN_FIELD: &str = "lambda.unknown-field";
pub const IS_BASE64_ENCODED_INVALID: &str = "lambda.is-base64-encoded-invalid";
pub const BODY_NOT_BASE64: &str = "lambda.body-not-base64";
pub const FUNCTION_ERROR: &str = "lambda.function-error";
/// The function failed by running past its own timeout (a fix of its own: the timeout).
pub const FUNCTION_TIMEOUT: &str = "lambda.function-timeout";
pub const HEADERS_MERGED: &str = "lambda.headers-merged";
pub const BODY_IGNORED: &str = "lambda.body-ignored";
pub const BEHAVIOR_UNCERTAIN: &str = "lambda.behavior-uncertain";
pub const INFERRED_RESPONSE: &str = "lambda.inferred-response";
pub const ERROR_AS_200: &str = "lambda.error-as-200";
pub const COOKIES_INVALID: &str = "lambda.cookies-invalid";
pub const FIELD_IGNORED: &str = "lambda.field-ignored";
pub const BINARY_NOT_DECODED: &str = "lambda.binary-not-decoded";

/// Every finding code this check emits.
pub const CODES: &[&str] = &[
    EMPTY_OUTPUT,
    OUTPUT_TOO_LARGE,
    OUTPUT_TOO_COMPLEX,
    INVALID_JSON,
    NOT_AN_OBJECT,
    STATUS_CODE_MISSING,
    STATUS_CODE_INVALID,
    BODY_NOT_STRING,
    HEADERS_INVALID,
    HEADER_VALUE_INVALID,
    MULTI_VALUE_HEADERS_INVALID,
    UNKNOWN_FIELD,
    IS_BASE64_ENCODED_INVALID,
    BODY_NOT_BASE64,
    FUNCTION_ERROR,
    FUNCTION_TIMEOUT,
    HEADERS_MERGED,
    BODY_IGNORED,
    BEHAVIOR_UNCERTAIN,
    INFERRED_RESPONSE,
    ERROR_AS_200,
    COOKIES_INVALID,
    FIELD_IGNORED,
    BINARY_NOT_DECODED,
];

#[cfg(test)]
mod tests;
