//! Gateway responses: how a REST API's customised `x-amazon-apigateway-gateway-responses`
//! (`AWS::ApiGateway::GatewayResponse`) change the status, headers and body of the errors API
//! Gateway answers itself (authorizers, validation, missing routes...), and the lint that
//! browser APIs give those errors CORS headers. Facts and marks: specs/gateway-responses.md.
use crate::finding::Finding;
use serde::Serialize;
use serde_json::{Map, Value};

pub const CUSTOMISED: &str = "gateway-response.customised";
pub const NO_CORS_ON_ERRORS: &str = "lint.gateway-responses-without-cors";

pub const CODES: &[&str] = &[CUSTOMISED, NO_CORS_ON_ERRORS];

/// The default status of each response type [AWS, "Gateway response types"].
pub const TYPES: &[(&str, u16)] = &[
    ("ACCESS_DENIED", 403),
    ("API_CONFIGURATION_ERROR", 500),
    ("AUTHORIZER_CONFIGURATION_ERROR", 500),
    ("AUTHORIZER_FAILURE", 500),
    ("BAD_REQUEST_PARAMETERS", 400),
    ("BAD_REQUEST_BODY", 400),
    ("EXPIRED_TOKEN", 403),
    ("INTEGRATION_FAILURE", 504),
    ("INTEGRATION_TIMEOUT", 504),
    ("INVALID_API_KEY", 403),
    ("INVALID_SIGNATURE", 403),
    ("MISSING_AUTHENTICATION_TOKEN", 403),
    ("QUOTA_EXCEEDED", 429),
    ("REQUEST_TOO_LARGE", 413),
    ("RESOURCE_NOT_FOUND", 404),
    ("THROTTLED", 429),
    ("UNAUTHORIZED", 401),
    ("UNSUPPORTED_MEDIA_TYPE", 415),
    ("WAF_FILTERED", 403),
];

/// An error as a customised gateway response shapes it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Shaped {
    pub status: u16,
    /// None when the template uses what the tool cannot know.
    pub body: Option<String>,
    pub headers: Vec<(String, String)>,
    /// The entry that applied: the type itself, or DEFAULT_4XX / DEFAULT_5XX.
    pub from: String,
    pub certain: bool,
}

/// The gateway responses a definition customises: an export's
/// `x-amazon-apigateway-gateway-responses`, or the `AWS::ApiGateway::GatewayResponse`
/// resources and inline definitions of a SAM/CloudFormation template.
pub fn customised(doc: &Value) -> Map<String, Value> {
    let mut out = Map::new();
    if let Some(m) = doc
        .get("x-amazon-apigateway-gateway-responses")
        .and_then(Value::as_object)
    {
        out.extend(m.clone());
    }
    if let Some(resources) = doc.get("Resources").and_then(Value::as_object) {
        for body in crate::checks::lint::definition_bodies(doc) {
            if let Some(m) = body
                .value
                .get("x-amazon-apigateway-gateway-responses")
                .and_then(Value::as_object)
            {
                out.extend(m.clone());
            }
        }
        for r in resources.values() {
            if r.get("Type").and_then(Value::as_str) != Some("AWS::ApiGateway::GatewayResponse") {
                continue;
            }
            let Some(p) = r.get("Properties") else {
                continue;
            };
            let Some(kind) = p.get("ResponseType").and_then(Value::as_str) else {
                continue;
            };
            let mut entry = Map::new();
            if let Some(s) = p.get("StatusCode") {
                entry.insert("statusCode".into(), s.clone());
            }
            if let Some(h) = p.get("ResponseParameters") {
                entry.insert("responseParameters".into(), h.clone());
            }
            if let Some(t) = p.get("ResponseTemplates") {
                entry.insert("responseTemplates".into(), t.clone());
            }
            out.insert(kind.to_string(), Value::Object(entry));
        }
    }
    out
}

/// What the client gets for an error of `kind` (default status `status`, message `message`,
/// JSON null when API Gateway has none) when the definition customises it or its DEFAULT_4XX
/// / DEFAULT_5XX; None when neither is customised (the built-in answer stands).
pub fn shape(
    responses: &Map<String, Value>,
    kind: &str,
    status: u16,
    message: Option<&str>,
    request_headers: &[(String, String)],
) -> Option<Shaped> {
    let fallback = if status >= 500 {
        "DEFAULT_5XX"
    } else {
        "DEFAULT_4XX"
    };
    let (from, entry) = match responses.get(kind) {
        Some(e) => (kind, e),
        None => (fallback, responses.get(fallback)?),
    };
    let mut certain = true;
    let status = match entry.get("statusCode") {
        Some(Value::String(s)) => s.parse().unwrap_or_else(|_| {
            certain = false;
            status
        }),
        Some(Value::Number(n)) => n
            .as_u64()
            .and_then(|n| u16::try_from(n).ok())
            .unwrap_or(status),
        _ => status,
    };
    let mut headers = Vec::new();
    if let Some(params) = entry.get("responseParameters").and_then(Value::as_object) {
        for (key, source) in params {
            let Some(name) = key.strip_prefix("gatewayresponse.header.") else {
                continue;
            };
            let Some(source) = source.as_str() else {
                certain = false;
                continue;
            };
            match header_value(source, request_headers) {
                Some(v) => headers.push((name.to_string(), v)),
                None => {
                    certain = false;
                    headers.push((name.to_string(), format!("<{source}>")));
                }
            }
        }
    }
    let template = entry
        .get("responseTemplates")
        .and_then(Value::as_object)
        .and_then(|t| {
            t.get("application/json")
                .or_else(|| t.values().next())
                .and_then(Value::as_str)
        });
    let quoted = message.map_or("null".to_string(), |m| {
        Value::String(m.to_string()).to_string()
    });
    let body = match template {
        // The default template [AWS].
        None => Some(format!("{{\"message\":{quoted}}}")),
        Some(t) => {
            let rendered = t
                .replace("$context.error.messageString", &quoted)
                .replace("$context.error.message", message.unwrap_or(""))
                .replace("$context.error.responseType", kind);
            if rendered.contains('$') {
                // $context.requestId, $context.error.validationErrorString, ...: values of a
                // real call, or wording the tool does not have.
                certain = false;
                None
            } else {
                Some(rendered)
            }
        }
    };
    Some(Shaped {
        status,
        body,
        headers,
        from: from.to_string(),
        certain,
    })
}

/// The message of a built-in error body (`{"message":...}` or, for ACCESS_DENIED,
/// `{"Message":...}`): what `$context.error.message` holds.
pub fn message_of(body: &str) -> Option<String> {
    let v: Value = serde_json::from_str(body).ok()?;
    v.get("message")
        .or_else(|| v.get("Message"))
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// `'static value'`, or `method.request.header.NAME` from the request; None otherwise.
fn header_value(source: &str, request_headers: &[(String, String)]) -> Option<String> {
    if let Some(inner) = source.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
        return Some(inner.to_string());
    }
    let name = source.strip_prefix("method.request.header.")?;
    request_headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.clone())
}

/// The finding that reports a customised answer.
pub fn finding(kind: &str, shaped: &Shaped) -> Finding {
    let mut f = Finding::info(
        CUSTOMISED,
        format!(
            "the definition customises {} for {kind}: the client gets {} {}",
            shaped.from,
            shaped.status,
            shaped
                .body
                .as_deref()
                .unwrap_or("(a body from a template that uses values of the real call)")
        ),
    )
    .with("gateway_response", shaped.from.as_str())
    .with("status", shaped.status);
    if !shaped.certain {
        f = f.with("certain", false);
    }
    f
}

/// A browser API (it answers preflights, or maps CORS headers) whose DEFAULT_4XX and
/// DEFAULT_5XX add no Access-Control-Allow-Origin: every error API Gateway answers itself
/// (401, 403, 400, 413, 429, 504) reaches the browser as a CORS error instead.
pub fn lint_cors(
    doc: &Value,
    paths: &Map<String, Value>,
    base: &str,
    responses: &Map<String, Value>,
) -> Option<Finding> {
    cors_on_errors(doc, answers_browsers(paths), base, responses)
}

/// Whether any of these path items answers browsers: a CORS preflight method, or an
/// integration response that maps Access-Control-Allow-Origin.
pub fn answers_browsers(paths: &Map<String, Value>) -> bool {
    paths
        .values()
        .filter_map(|item| {
            crate::checks::lint::condition_branch(item, String::new())
                .0
                .as_object()
        })
        .any(|item| {
            item.contains_key("options")
                || item.values().any(|op| {
                    op.pointer("/x-amazon-apigateway-integration/responses")
                        .and_then(Value::as_object)
                        .is_some_and(|r| r.values().any(maps_cors))
                })
        })
}

/// `lint_cors` given whether the paths answer browsers (`answers_browsers`, gathered over
/// the parts of a definition); `doc` is read for its top-level members only.
pub fn cors_on_errors(
    doc: &Value,
    paths_answer_browsers: bool,
    base: &str,
    responses: &Map<String, Value>,
) -> Option<Finding> {
    let browser = paths_answer_browsers || doc.get("x-amazon-apigateway-cors").is_some();
    if !browser {
        return None;
    }
    let covered = |kind: &str| {
        responses
            .get(kind)
            .and_then(|e| e.get("responseParameters"))
            .and_then(Value::as_object)
            .is_some_and(|p| {
                p.keys().any(|k| {
                    k.eq_ignore_ascii_case("gatewayresponse.header.Access-Control-Allow-Origin")
                })
            })
    };
    let missing: Vec<&str> = ["DEFAULT_4XX", "DEFAULT_5XX"]
        .into_iter()
        .filter(|k| !covered(k))
        .collect();
    if missing.is_empty() {
        return None;
    }
    Some(
        Finding::warning(
            NO_CORS_ON_ERRORS,
            format!("this API answers browsers (CORS preflights or CORS headers on its methods), but {} add no Access-Control-Allow-Origin: a 401 from an authorizer, a 403 Missing Authentication Token, a 400 from validation or a 429 reaches the browser as a CORS error, hiding the real status", missing.join(" and ")),
        )
        .with("path", format!("{base}.x-amazon-apigateway-gateway-responses"))
        .with("missing", missing.join(",")),
    )
}

fn maps_cors(response: &Value) -> bool {
    response
        .get("responseParameters")
        .and_then(Value::as_object)
        .is_some_and(|p| {
            p.keys().any(|k| {
                k.to_ascii_lowercase()
                    .contains("access-control-allow-origin")
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_type_falls_back_to_its_default_class() {
        let responses = json!({
            "DEFAULT_4XX": {
                "responseParameters": {"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"},
                "responseTemplates": {"application/json": "{\"message\":$context.error.messageString}"}
            },
            "UNAUTHORIZED": {"statusCode": "401", "responseTemplates": {"application/json": "{\"error\":\"$context.error.responseType\"}"}}
        });
        let r = responses.as_object().unwrap();
        let s = shape(
            r,
            "BAD_REQUEST_BODY",
            400,
            Some("Invalid request body"),
            &[],
        )
        .unwrap();
        assert_eq!(s.from, "DEFAULT_4XX");
        assert_eq!(
            s.body.as_deref(),
            Some(r#"{"message":"Invalid request body"}"#)
        );
        assert_eq!(
            s.headers,
            vec![("Access-Control-Allow-Origin".into(), "*".into())]
        );
        let s = shape(r, "UNAUTHORIZED", 401, Some("Unauthorized"), &[]).unwrap();
        assert_eq!(s.body.as_deref(), Some(r#"{"error":"UNAUTHORIZED"}"#));
        assert!(
            shape(
                r,
                "INTEGRATION_TIMEOUT",
                504,
                Some("Endpoint request timed out"),
                &[]
            )
            .is_none()
        );
        let uncertain = json!({"DEFAULT_4XX": {"responseTemplates": {"application/json": "{\"id\":\"$context.requestId\"}"}}});
        let s = shape(
            uncertain.as_object().unwrap(),
            "BAD_REQUEST_BODY",
            400,
            None,
            &[],
        )
        .unwrap();
        assert!(!s.certain && s.body.is_none());
    }
}
