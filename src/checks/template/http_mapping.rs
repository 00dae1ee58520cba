//! HTTP API response parameter mapping (`ResponseParameters` of an apigatewayv2 integration):
//! keyed by the integration's exact status code, it overwrites the status and appends,
//! overwrites or removes headers; the body never changes.
use super::jsonpath;
use super::value::Value;
use crate::finding::Finding;
use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value as Json;

pub const RESERVED_HEADER: &str = "lint.http-response-mapping-invalid";

/// The integration as `aws apigatewayv2 get-integration` prints it (PascalCase) or the SDKs
/// and exports spell it (camelCase).
#[derive(Debug, Clone)]
pub struct HttpIntegration {
    pub integration_type: String,
    pub payload_format_version: Option<String>,
    /// Status code → (action:target → value), in document order.
    pub response_parameters: IndexMap<String, IndexMap<String, String>>,
}

/// Whether a JSON document is an HTTP API (apigatewayv2) integration.
pub fn is_http_integration(v: &Json) -> bool {
    v.get("IntegrationType").is_some()
        || v.get("integrationType").is_some() && v.get("integrationResponses").is_none()
}

pub fn parse(v: &Json) -> Result<HttpIntegration, String> {
    let field = |pascal: &str, camel: &str| v.get(pascal).or_else(|| v.get(camel));
    let integration_type = field("IntegrationType", "integrationType")
        .and_then(Json::as_str)
        .ok_or("no IntegrationType")?
        .to_string();
    let mut response_parameters = IndexMap::new();
    if let Some(map) = field("ResponseParameters", "responseParameters") {
        let Some(map) = map.as_object() else {
            return Err("ResponseParameters must be an object keyed by status code".into());
        };
        for (status, ops) in map {
            let Some(ops) = ops.as_object() else {
                return Err(format!(
                    "ResponseParameters['{status}'] must be an object of action:target → value"
                ));
            };
            response_parameters.insert(
                status.clone(),
                ops.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                    .collect(),
            );
        }
    }
    Ok(HttpIntegration {
        integration_type,
        payload_format_version: field("PayloadFormatVersion", "payloadFormatVersion")
            .and_then(crate::checks::lint::version_text),
        response_parameters,
    })
}

/// What the integration answered, before mapping.
pub struct Answer<'a> {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: &'a str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Mapped {
    /// The ResponseParameters key that applied (the exact status), if any.
    pub mapping: Option<String>,
    pub client_status: u16,
    pub client_headers: Vec<(String, String)>,
    #[serde(skip)]
    pub findings: Vec<Finding>,
}

pub fn apply(
    integration: &HttpIntegration,
    answer: &Answer<'_>,
    context: &Value,
    stage_variables: &IndexMap<String, String>,
) -> Mapped {
    let mut findings = Vec::new();
    let mut status = answer.status;
    let mut headers = answer.headers.clone();
    let key = answer.status.to_string();
    let Some(ops) = integration.response_parameters.get(&key) else {
        return Mapped {
            mapping: None,
            client_status: status,
            client_headers: headers,
            findings,
        };
    };
    let mut mapped = 0;
    for (target, source) in ops {
        let location = format!("$.ResponseParameters['{key}']['{target}']");
        let (action, what) = target.split_once(':').unwrap_or(("", target));
        let value = substitute(source, answer, context, stage_variables);
        mapped += value.len();
        if mapped > super::value::MAX_VALUE {
            findings.push(super::mappings_past_bound(&location));
            break;
        }
        if what.eq_ignore_ascii_case("statuscode") {
            if !action.eq_ignore_ascii_case("overwrite") {
                findings.push(
                    Finding::error(RESERVED_HEADER, format!("{target}: the status code can only be overwritten (overwrite:statuscode)"))
                        .with("location", location),
                );
                continue;
            }
            match value.trim().parse::<u16>() {
                Ok(code @ 100..=599) => status = code,
                _ => findings.push(
                    Finding::error(RESERVED_HEADER, format!("{target} maps to {value:?}, not a status code 100-599: API Gateway refuses the mapping"))
                        .with("location", location),
                ),
            }
            continue;
        }
        let Some(name) = what
            .strip_prefix("header.")
            .or_else(|| what.strip_prefix("Header."))
        else {
            findings.push(
                Finding::error(
                    RESERVED_HEADER,
                    format!("{target}: response mappings change header.NAME or statuscode"),
                )
                .with("location", location),
            );
            continue;
        };
        if crate::checks::lint::reserved_response_header(name) {
            findings.push(
                Finding::error(RESERVED_HEADER, format!("{target}: {name} is a reserved header, which response parameter mapping cannot change (API Gateway refuses the integration)"))
                    .with("header", name)
                    .with("location", location),
            );
            continue;
        }
        let same = |(k, _): &(String, String)| k.eq_ignore_ascii_case(name);
        match action.to_ascii_lowercase().as_str() {
            "overwrite" => {
                headers.retain(|h| !same(h));
                headers.push((name.to_string(), value));
            }
            "append" => match headers.iter_mut().find(|h| same(h)) {
                // Appending to a header the backend sent: joined with a comma [inferred].
                Some((_, existing)) => {
                    existing.push(',');
                    existing.push_str(&value);
                }
                None => headers.push((name.to_string(), value)),
            },
            "remove" => headers.retain(|h| !same(h)),
            other => findings.push(
                Finding::error(
                    RESERVED_HEADER,
                    format!("{target}: unknown action {other:?} (append, overwrite, remove)"),
                )
                .with("location", location),
            ),
        }
    }
    Mapped {
        mapping: Some(key),
        client_status: status,
        client_headers: headers,
        findings,
    }
}

/// A mapping value: static text with `$response.header.NAME`, `$response.body.PATH`,
/// `$context.X` and `$stageVariables.X`, bare or as `${...}`.
fn substitute(
    source: &str,
    answer: &Answer<'_>,
    context: &Value,
    stage_variables: &IndexMap<String, String>,
) -> String {
    let mut out = String::new();
    let mut rest = source;
    while let Some(at) = rest.find('$') {
        // Past the bound the caller stops applying mappings: no need to build more.
        if out.len() > super::value::MAX_VALUE {
            return out;
        }
        out.push_str(&rest[..at]);
        let tail = &rest[at + 1..];
        let (name, used) = if let Some(inner) = tail.strip_prefix('{') {
            match inner.find('}') {
                Some(end) => (&inner[..end], end + 2),
                None => (inner, inner.len() + 1),
            }
        } else {
            let end = tail
                .find(|c: char| !(c.is_ascii_alphanumeric() || "._-".contains(c)))
                .unwrap_or(tail.len());
            (&tail[..end], end)
        };
        match lookup(name, answer, context, stage_variables) {
            Some(v) => out.push_str(&v),
            None => {
                out.push('$');
                out.push_str(&tail[..used]);
            }
        }
        rest = &tail[used..];
    }
    out.push_str(rest);
    out
}

fn lookup(
    name: &str,
    answer: &Answer<'_>,
    context: &Value,
    stage_variables: &IndexMap<String, String>,
) -> Option<String> {
    if let Some(h) = name.strip_prefix("response.header.") {
        let values: Vec<&str> = answer
            .headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(h))
            .map(|(_, v)| v.as_str())
            .collect();
        return Some(values.join(","));
    }
    if let Some(path) = name.strip_prefix("response.body.") {
        // API Gateway reads the first 100 KB of the body.
        let body = &answer.body[..answer.body.floor_char_boundary(100 * 1024)];
        // Each reference parses the body again: charged, so thousands of them end.
        if !crate::checks::budget::charge(10 * body.len() as u64) {
            return None;
        }
        let json: Json = serde_json::from_str(body).ok()?;
        return Some(
            jsonpath::select(&Value::from_json(&json), &format!("$.{path}"))
                .ok()
                .flatten()
                .and_then(|v| v.render().ok())
                .unwrap_or_default(),
        );
    }
    if let Some(n) = name.strip_prefix("stageVariables.") {
        return Some(stage_variables.get(n).cloned().unwrap_or_default());
    }
    if let Some(path) = name.strip_prefix("context.") {
        return Some(
            super::lookup(context, path.split('.'))
                .and_then(|v| v.render().ok())
                .unwrap_or_default(),
        );
    }
    None
}
