//! The whole non-proxy response of a REST API: after the integration response is selected,
//! its response parameters map headers, its template (chosen by the client's Accept) renders
//! the body, and the template's `responseOverride` values apply last.
use super::eval::Input;
use super::value::Value;
use super::{ClientError, Phase, Request, evaluate, jsonpath};
use crate::checks::selection::model::{Integration, ResponseRule};
use crate::finding::Finding;
use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value as Json;

/// What the backend (or Lambda) answered.
pub struct Backend<'a> {
    pub body: &'a str,
    /// Lower-case or any-case names; looked up case-insensitively.
    pub headers: &'a [(String, String)],
}

#[derive(Debug, Clone, Serialize)]
pub struct ClientResponse {
    pub client_status: u16,
    pub client_headers: IndexMap<String, String>,
    pub client_body: String,
    /// The response template that rendered the body (its location), if one did.
    pub template: Option<String>,
    #[serde(skip)]
    pub findings: Vec<Finding>,
}

/// The response template for the client's `Accept`: its MIME type, else `application/json`,
/// else the first one.
pub fn choose_template<'r>(
    rule: &'r ResponseRule,
    accept: &str,
) -> Option<&'r (String, String, String)> {
    let wanted = accept
        .split(',')
        .next()
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim();
    let by = |t: &str| {
        rule.templates
            .iter()
            .find(|(ct, _, _)| ct.eq_ignore_ascii_case(t))
    };
    by(wanted)
        .or_else(|| by("application/json"))
        .or_else(|| rule.templates.first())
}

pub fn respond(
    integration: &Integration,
    rule: &ResponseRule,
    backend: &Backend<'_>,
    accept: &str,
    context: Option<&Json>,
    stage_variables: &IndexMap<String, String>,
) -> ClientResponse {
    let mut findings = Vec::new();
    let mut status: u16 = rule.status.parse().unwrap_or(500);
    let mut headers = IndexMap::new();
    let ctx = super::context(context);
    let mut mapped = 0;
    for (target, source) in &rule.parameters {
        let Some(name) = target.strip_prefix("method.response.header.") else {
            continue;
        };
        if let Some(v) = parameter_value(source, backend, &ctx, stage_variables) {
            mapped += v.len();
            if mapped > super::value::MAX_VALUE {
                findings.push(super::mappings_past_bound(target));
                break;
            }
            headers.insert(name.to_string(), v);
        }
    }
    let mut body = backend.body.to_string();
    let mut template_location = None;
    let mut error: Option<ClientError> = None;
    let mut override_status = None;
    if let Some((content_type, text, location)) = choose_template(rule, accept) {
        template_location = Some(location.clone());
        let outcome = evaluate(
            text,
            Request {
                phase: Phase::Response,
                input: Input {
                    body: backend.body.to_string(),
                    ..Input::default()
                },
                context,
                stage_variables: stage_variables.clone(),
                content_type: Some(content_type),
            },
        );
        findings.extend(
            outcome
                .findings
                .into_iter()
                .map(|f| f.with("template", location.as_str())),
        );
        match outcome.output {
            Some(o) => body = o,
            None => error = outcome.error,
        }
        override_status = outcome.overrides.status.clone();
        for (k, v) in &outcome.overrides.header {
            let v = v.as_str().map_or_else(|| v.to_string(), str::to_string);
            headers.insert(k.clone(), v);
        }
    }
    if let Some(e) = error {
        return ClientResponse {
            client_status: e.client_status,
            client_headers: IndexMap::from([(
                "Content-Type".to_string(),
                "application/json".to_string(),
            )]),
            client_body: serde_json::json!({"message": e.message}).to_string(),
            template: template_location,
            findings,
        };
    }
    // The override applies last and needs no method response (recorded on AWS).
    let overridden = override_status.as_ref().and_then(|v| match v {
        Json::Number(n) => n.as_u64(),
        Json::String(s) => s.trim().parse().ok(),
        _ => None,
    });
    match overridden {
        Some(code @ 100..=599) => status = code as u16,
        Some(_) | None if override_status.is_some() => findings.push(
            Finding::warning(
                super::RUNTIME_ERROR,
                format!(
                    "$context.responseOverride.status is {}, not an integer 100-599: what API Gateway does with it is not documented",
                    override_status.as_ref().map(Json::to_string).unwrap_or_default()
                ),
            )
            .with("certain", false),
        ),
        _ => {
            // The selection already reported the missing method response
            // (`selection::METHOD_RESPONSE_MISSING`); the client gets API Gateway's 500.
            if let Some(methods) = &integration.method_responses
                && !methods.contains(&rule.status)
            {
                return ClientResponse {
                    client_status: 500,
                    client_headers: IndexMap::from([(
                        "Content-Type".to_string(),
                        "application/json".to_string(),
                    )]),
                    client_body: r#"{"message": "Internal server error"}"#.to_string(),
                    template: template_location,
                    findings,
                };
            }
        }
    }
    ClientResponse {
        client_status: status,
        client_headers: headers,
        client_body: body,
        template: template_location,
        findings,
    }
}

/// A responseParameters source: `'static'`, `integration.response.header.X`,
/// `integration.response.body[.path]`, `context.X`, `stageVariables.X`.
fn parameter_value(
    source: &str,
    backend: &Backend<'_>,
    context: &Value,
    stage_variables: &IndexMap<String, String>,
) -> Option<String> {
    let source = source.trim();
    if let Some(s) = source.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
        return Some(s.to_string());
    }
    if let Some(h) = source.strip_prefix("integration.response.header.") {
        return backend
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(h))
            .map(|(_, v)| v.clone());
    }
    if source == "integration.response.body" {
        return Some(backend.body.to_string());
    }
    if let Some(path) = source.strip_prefix("integration.response.body.") {
        let json: Json = serde_json::from_str(backend.body).ok()?;
        return jsonpath::select(&Value::from_json(&json), &format!("$.{path}"))
            .ok()
            .flatten()
            .and_then(|v| v.render().ok());
    }
    if let Some(name) = source.strip_prefix("stageVariables.") {
        return stage_variables.get(name).cloned();
    }
    if let Some(path) = source.strip_prefix("context.") {
        return super::lookup(context, path.split('.')).and_then(|v| v.render().ok());
    }
    None
}

/// What API Gateway does with a method request's body before the integration (request
/// side): the template for its Content-Type, the body unchanged, or 415.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestMapping<'i> {
    /// (content type, template, location)
    Template(&'i (String, String, String)),
    PassThrough,
    UnsupportedMediaType,
}

/// The request template for a Content-Type (its MIME type; parameters such as charset are
/// ignored; no header means application/json), under the integration's passthrough
/// behaviour (WHEN_NO_MATCH by default).
pub fn request_mapping<'i>(
    integration: &'i Integration,
    content_type: Option<&str>,
) -> RequestMapping<'i> {
    let mime = content_type
        .unwrap_or("application/json")
        .split(';')
        .next()
        .unwrap_or_default()
        .trim();
    if let Some(t) = integration
        .request_templates
        .iter()
        .find(|(ct, _, _)| ct.eq_ignore_ascii_case(mime))
    {
        return RequestMapping::Template(t);
    }
    let behaviour = integration
        .passthrough
        .as_deref()
        .unwrap_or("WHEN_NO_MATCH")
        .to_ascii_uppercase();
    match behaviour.as_str() {
        "NEVER" => RequestMapping::UnsupportedMediaType,
        "WHEN_NO_TEMPLATES" if !integration.request_templates.is_empty() => {
            RequestMapping::UnsupportedMediaType
        }
        _ => RequestMapping::PassThrough,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn integration(templates: &[&str], passthrough: Option<&str>) -> Integration {
        Integration {
            request_templates: templates
                .iter()
                .map(|t| {
                    (
                        t.to_string(),
                        "{}".to_string(),
                        format!("$.requestTemplates['{t}']"),
                    )
                })
                .collect(),
            passthrough: passthrough.map(str::to_string),
            ..Integration::default()
        }
    }

    /// The passthrough table of the spec (section 4), every cell.
    #[test]
    fn passthrough_behaviours() {
        use RequestMapping::*;
        let kind = |m: RequestMapping<'_>| match m {
            Template(_) => "template",
            PassThrough => "passes",
            UnsupportedMediaType => "415",
        };
        for (behaviour, with_match, other_type, none_at_all) in [
            (None, "template", "passes", "passes"),
            (Some("WHEN_NO_MATCH"), "template", "passes", "passes"),
            (Some("WHEN_NO_TEMPLATES"), "template", "415", "passes"),
            (Some("NEVER"), "template", "415", "415"),
        ] {
            let some = integration(&["application/json"], behaviour);
            let none = integration(&[], behaviour);
            assert_eq!(
                kind(request_mapping(&some, Some("application/json"))),
                with_match
            );
            assert_eq!(kind(request_mapping(&some, Some("text/plain"))), other_type);
            assert_eq!(
                kind(request_mapping(&none, Some("text/plain"))),
                none_at_all
            );
        }
    }

    #[test]
    fn content_type_parameters_are_ignored_and_no_header_is_json() {
        let i = integration(&["application/json", "application/xml"], Some("NEVER"));
        let chosen = |ct| match request_mapping(&i, ct) {
            RequestMapping::Template(t) => t.0.clone(),
            other => format!("{other:?}"),
        };
        assert_eq!(
            chosen(Some("application/xml; charset=UTF-8")),
            "application/xml"
        );
        assert_eq!(chosen(Some("Application/JSON")), "application/json");
        assert_eq!(chosen(None), "application/json");
    }

    #[test]
    fn response_templates_follow_accept() {
        let rule = ResponseRule {
            pattern: None,
            status: "200".into(),
            origin: String::new(),
            templates: vec![
                ("application/xml".into(), "x".into(), "xml".into()),
                ("application/json".into(), "j".into(), "json".into()),
            ],
            parameters: Vec::new(),
        };
        let pick = |accept| choose_template(&rule, accept).map(|t| t.2.as_str());
        assert_eq!(pick("application/xml;q=0.9, */*"), Some("xml"));
        assert_eq!(pick("text/html"), Some("json"));
        let only_xml = ResponseRule {
            templates: vec![("application/xml".into(), "x".into(), "xml".into())],
            ..rule.clone()
        };
        assert_eq!(
            choose_template(&only_xml, "text/html").map(|t| t.2.as_str()),
            Some("xml")
        );
    }
}
