//! How a REST API picks an integration response: selection patterns (Java regular
//! expressions that must match the whole input) against a status code or a Lambda
//! function error's errorMessage.
//!
//! Sources: AWS API reference `IntegrationResponse.selectionPattern`; Developer Guide
//! "x-amazon-apigateway-integration.responses object" and "Handle Lambda errors in API
//! Gateway" (unmapped Lambda errors answer 200; `.+` vs the empty success string); the
//! seed article "Map status codes in API Gateway for REST APIs". Which pattern wins when
//! several match is not documented: the check says so.
pub mod java_regex;
pub mod model;
mod select;

pub use model::{Integration, IntegrationKind, ResponseRule};
pub use select::{Input, Patterns, Selection, TableRow, analyze, select, table};

pub const INVALID_PATTERN: &str = "selection.invalid-pattern";
pub const WHOLE_MATCH_ONLY: &str = "selection.whole-match-only";
pub const NO_STATUS_MATCH: &str = "selection.no-status-match";
pub const LINE_TERMINATOR: &str = "selection.line-terminator";
pub const AMBIGUOUS: &str = "selection.ambiguous";
pub const UNREACHABLE: &str = "selection.unreachable";
pub const NO_DEFAULT: &str = "selection.no-default";
pub const NO_MATCH: &str = "selection.no-match";
pub const MATCHES_SUCCESS: &str = "selection.matches-success";
pub const ERROR_AS_200: &str = "selection.error-as-200";
pub const SURPRISING_STATUS: &str = "selection.success-not-2xx";
pub const STATUS_PATTERN_FOR_LAMBDA: &str = "selection.status-pattern-for-lambda";
pub const INEXACT_EMULATION: &str = "selection.inexact-emulation";
pub const BACKTRACKING_RISK: &str = "selection.backtracking-risk";
pub const PROXY_INTEGRATION: &str = "selection.proxy-integration";
pub const FUNCTION_ERROR_ASSUMED: &str = "selection.function-error-assumed";
/// The selected response's status has no method response (shared with `lint`).
pub const METHOD_RESPONSE_MISSING: &str = "lint.response-without-method-response";

pub const CODES: &[&str] = &[
    INVALID_PATTERN,
    WHOLE_MATCH_ONLY,
    NO_STATUS_MATCH,
    LINE_TERMINATOR,
    AMBIGUOUS,
    UNREACHABLE,
    NO_DEFAULT,
    NO_MATCH,
    MATCHES_SUCCESS,
    ERROR_AS_200,
    SURPRISING_STATUS,
    STATUS_PATTERN_FOR_LAMBDA,
    INEXACT_EMULATION,
    BACKTRACKING_RISK,
    PROXY_INTEGRATION,
    FUNCTION_ERROR_ASSUMED,
    METHOD_RESPONSE_MISSING,
];

/// What a Lambda non-proxy integration's patterns are matched against, from the function's
/// output: with `function_error` known, its errorMessage (an error payload without one is
/// an error, Err); without it, an output shaped like Lambda's error object was most likely
/// thrown (the bool says this was assumed), anything else is a success.
pub fn lambda_input(
    text: &str,
    function_error: Option<crate::checks::lambda::FunctionError>,
) -> Result<(Input, bool), String> {
    let parsed = serde_json::from_str::<serde_json::Value>(text.trim());
    if function_error.is_none() {
        return Ok(match parsed {
            Ok(value) if crate::checks::lambda::is_lambda_error(&value) => {
                let message = value["errorMessage"].as_str().unwrap_or_default();
                (Input::ErrorMessage(message.to_string()), true)
            }
            _ => (Input::Success, false),
        });
    }
    let value = parsed.map_err(|e| {
        format!(
            "{}:{}: the function error payload is not JSON: {e}",
            e.line(),
            e.column()
        )
    })?;
    match value.get("errorMessage") {
        Some(serde_json::Value::String(m)) => Ok((Input::ErrorMessage(m.clone()), false)),
        _ => Err("the function error payload has no errorMessage string".to_string()),
    }
}
