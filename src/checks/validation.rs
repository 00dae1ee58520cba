//! REST API request validation: the validator a method uses (`x-amazon-apigateway-request-
//! validators`), its required parameters, and its request model (JSON Schema draft 4) for the
//! request's content type. Facts and their marks: specs/request-validation.md.
use crate::finding::Finding;
use serde::Serialize;
use serde_json::{Map, Value, json};

pub const PASSED: &str = "validation.passed";
pub const NO_VALIDATOR: &str = "validation.no-validator";
pub const MISSING_PARAMETERS: &str = "validation.missing-parameters";
pub const INVALID_BODY: &str = "validation.invalid-body";
pub const BODY_NOT_JSON: &str = "validation.body-not-json";
pub const NO_MODEL: &str = "validation.no-model-for-content-type";
pub const MODEL_NOT_FOUND: &str = "validation.model-not-found";
pub const SCHEMA_UNSUPPORTED: &str = "validation.schema-unsupported";

pub const CODES: &[&str] = &[
    PASSED,
    NO_VALIDATOR,
    MISSING_PARAMETERS,
    INVALID_BODY,
    BODY_NOT_JSON,
    NO_MODEL,
    MODEL_NOT_FOUND,
    SCHEMA_UNSUPPORTED,
];

/// At most this many schema violations are reported one by one.
const MAX_VIOLATIONS: usize = 20;

/// Bodies of more JSON values than this are not validated: the validator keeps every
/// violation it finds (about 550 bytes each), so a 10 MB body wrong at every one of its
/// millions of items would take gigabytes. The finding says the body was not checked.
pub const MAX_VALIDATED_VALUES: usize = 250_000;

/// The request to validate.
#[derive(Debug, Clone, Default)]
pub struct Incoming {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub querystring: Vec<(String, String)>,
    pub content_type: Option<String>,
    pub body: Option<String>,
}

/// The validator a method uses.
#[derive(Debug, Clone, Serialize)]
pub struct Validator {
    pub name: String,
    pub body: bool,
    pub parameters: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// The path template the request matched (`/pets/{petId}`).
    pub resource: String,
    pub validator: Option<Validator>,
    /// The model the body was validated against.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// 400 and API Gateway's body when validation fails.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The gateway response type that shapes the 400 (a customised one changes it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gateway_response: Option<&'static str>,
    #[serde(skip)]
    pub findings: Vec<Finding>,
}

/// An operation of an OpenAPI definition and the definition it belongs to.
pub struct Located<'a> {
    pub root: &'a Value,
    pub op: &'a Map<String, Value>,
    pub item: &'a Map<String, Value>,
    pub template: String,
    /// The operation's key in its path item (`get`, `x-amazon-apigateway-any-method`).
    pub op_key: String,
    pub base: String,
}

/// The operation of a definition (an export, or a SAM/CloudFormation template's inline
/// definition) that serves `method` on the request path `path` (templates such as
/// `/pets/{petId}` and `/{proxy+}` match as API Gateway routes them; an exact path first).
pub fn locate<'a>(doc: &'a Value, method: &str, path: &str) -> Result<Located<'a>, String> {
    route(doc, method, path)?.ok_or_else(|| {
        format!(
            "no operation serves {} {path} in the definition: API Gateway answers 403 {{\"message\":\"Missing Authentication Token\"}} before any validation",
            method.to_ascii_uppercase()
        )
    })
}

/// As `locate`, with no route (Ok(None)) told apart from a document that holds no
/// definition at all (Err). An HTTP API's `$default` route serves what no other route does.
pub fn route<'a>(doc: &'a Value, method: &str, path: &str) -> Result<Option<Located<'a>>, String> {
    let key = method.to_ascii_lowercase();
    for (root, base, template, item) in resources(doc, path)? {
        let found = item
            .get_key_value(key.as_str())
            .or_else(|| item.get_key_value("x-amazon-apigateway-any-method"))
            .and_then(|(k, op)| Some((k, op.as_object()?)));
        if let Some((op_key, op)) = found {
            return Ok(Some(Located {
                root,
                op,
                item,
                template: template.to_string(),
                op_key: op_key.clone(),
                base: format!("{base}.paths['{template}']"),
            }));
        }
    }
    Ok(None)
}

/// The path items that could serve `path`, most specific first (more literal segments
/// first, greedy paths last, `$default` after them), with their definition and its location.
#[allow(clippy::type_complexity)]
pub fn resources<'a>(
    doc: &'a Value,
    path: &str,
) -> Result<Vec<(&'a Value, String, &'a str, &'a Map<String, Value>)>, String> {
    let roots: Vec<(&Value, String)> =
        if doc.get("paths").is_none() && doc.get("Resources").is_some() {
            crate::checks::lint::definition_bodies(doc)
                .into_iter()
                .map(|b| (b.value, b.base))
                .collect()
        } else {
            vec![(doc, "$".to_string())]
        };
    if roots.is_empty() {
        return Err(format!(
            "a CloudFormation/SAM template with no inline OpenAPI definition (DefinitionBody or Body): give the API's export (aws apigateway get-export){}",
            crate::sources::websocket::refusal_note(doc)
        ));
    }
    if !roots
        .iter()
        .any(|(r, _)| r.get("paths").is_some_and(Value::is_object))
    {
        return Err("not an OpenAPI/Swagger definition (no paths object)".into());
    }
    let segments = path_segments(path);
    let mut out = Vec::new();
    for (root, base) in roots {
        let Some(paths) = root.get("paths").and_then(Value::as_object) else {
            continue;
        };
        let mut candidates: Vec<(&String, usize)> = paths
            .keys()
            .filter_map(|t| route_score(t, &segments).map(|s| (t, s)))
            .collect();
        candidates.sort_by_key(|c| std::cmp::Reverse(c.1));
        if let Some((k, _)) = paths.get_key_value("$default") {
            candidates.push((k, 0));
        }
        for (template, _) in candidates {
            if let Some(item) = paths.get(template).and_then(Value::as_object) {
                out.push((root, base.clone(), template.as_str(), item));
            }
        }
    }
    Ok(out)
}

/// The keys of `paths` that could serve a request to `path` (a matching template, or
/// `$default`), in document order: what routing among these decides is what it decides
/// among all of them.
pub fn serving<'a>(paths: &'a Map<String, Value>, path: &str) -> Vec<&'a String> {
    let segments = path_segments(path);
    paths
        .keys()
        .filter(|t| *t == "$default" || route_score(t, &segments).is_some())
        .collect()
}

/// A request path's segments, without its query string.
fn path_segments(path: &str) -> Vec<&str> {
    path.split('?')
        .next()
        .unwrap_or("")
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect()
}

/// The path parameters a request path gives a route's template (`/pets/{petId}` and
/// `/pets/7`: petId = 7; a greedy `{proxy+}` takes the rest of the path).
pub fn path_parameters(template: &str, path: &str) -> Vec<(String, String)> {
    let segments = |s: &str| -> Vec<String> {
        s.split('?')
            .next()
            .unwrap_or("")
            .trim_matches('/')
            .split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    };
    let (t, p) = (segments(template), segments(path));
    let mut out = Vec::new();
    for (i, seg) in t.iter().enumerate() {
        let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) else {
            continue;
        };
        if let Some(greedy) = name.strip_suffix('+') {
            out.push((greedy.to_string(), p.get(i..).unwrap_or_default().join("/")));
            break;
        }
        if let Some(v) = p.get(i) {
            out.push((name.to_string(), v.clone()));
        }
    }
    out
}

/// How well a path template matches a request path (its segments): None when it does not;
/// more literal segments score higher, a greedy `{name+}` lowest.
pub(crate) fn route_score(template: &str, p: &[&str]) -> Option<usize> {
    let mut score = 1000;
    let mut count = 0;
    for (i, seg) in template
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .enumerate()
    {
        if seg.starts_with('{') && seg.ends_with("+}") {
            return (p.len() > i).then_some(score / 2 + i);
        }
        let part = p.get(i)?;
        if seg.starts_with('{') && seg.ends_with('}') {
            score += 1;
        } else if seg == *part {
            score += 10;
        } else {
            return None;
        }
        count = i + 1;
    }
    (count == p.len()).then_some(score)
}

/// Validates `req` against the located operation.
pub fn validate(at: &Located<'_>, req: &Incoming) -> Outcome {
    let mut out = Outcome {
        resource: at.template.clone(),
        validator: None,
        model: None,
        status: None,
        body: None,
        gateway_response: None,
        findings: Vec::new(),
    };
    let name = at
        .op
        .get("x-amazon-apigateway-request-validator")
        .or_else(|| at.root.get("x-amazon-apigateway-request-validator"))
        .and_then(Value::as_str);
    let Some(name) = name else {
        out.findings.push(Finding::info(
            NO_VALIDATOR,
            format!("{} {} has no request validator: API Gateway checks neither its parameters nor its body, and passes the request on as it is", req.method.to_ascii_uppercase(), at.template),
        ));
        return out;
    };
    let settings = at
        .root
        .get("x-amazon-apigateway-request-validators")
        .and_then(|v| v.get(name));
    let flag = |key: &str| {
        settings
            .and_then(|s| s.get(key))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    };
    let validator = Validator {
        name: name.to_string(),
        body: flag("validateRequestBody"),
        parameters: flag("validateRequestParameters"),
    };
    if settings.is_none() {
        out.findings.push(
            Finding::error(
                MODEL_NOT_FOUND,
                format!("the method uses request validator {name:?}, which x-amazon-apigateway-request-validators does not define: the import fails (or, deployed, nothing is validated)"),
            )
            .with("path", format!("{}.x-amazon-apigateway-request-validator", at.base)),
        );
    }
    if validator.parameters {
        let missing = missing_parameters(at, req);
        if !missing.is_empty() {
            let body = json!({"message": format!("Missing required request parameters: [{}]", missing.join(", "))}).to_string();
            out.findings.push(
                Finding::error(
                    MISSING_PARAMETERS,
                    format!(
                        "required request parameters missing or blank: {}",
                        missing.join(", ")
                    ),
                )
                .with("status", 400)
                .with("body", body.as_str())
                .with("missing", missing.join(", ")),
            );
            out.status = Some(400);
            out.body = Some(body);
            out.gateway_response = Some("BAD_REQUEST_PARAMETERS");
            out.validator = Some(validator);
            // Parameters are checked first: the body is not looked at.
            return out;
        }
    }
    if validator.body {
        validate_body(at, req, &mut out);
    }
    if out.status.is_none() && settings.is_some() {
        out.findings.push(Finding::info(
            PASSED,
            format!(
                "the request passes validator {name:?} (parameters: {}, body: {})",
                validator.parameters, validator.body
            ),
        ));
    }
    out.validator = Some(validator);
    out
}

/// Required parameters (the operation's and its path's) that the request lacks or leaves
/// blank, as `in.name` would not say it: API Gateway lists their names.
fn missing_parameters(at: &Located<'_>, req: &Incoming) -> Vec<String> {
    let params = at
        .item
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .chain(
            at.op
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten(),
        );
    let mut missing = Vec::new();
    for p in params {
        let p = resolve(at.root, p);
        if p.get("required").and_then(Value::as_bool) != Some(true) {
            continue;
        }
        let (Some(place), Some(name)) = (
            p.get("in").and_then(Value::as_str),
            p.get("name").and_then(Value::as_str),
        ) else {
            continue;
        };
        let present = match place {
            "header" => req
                .headers
                .iter()
                .any(|(k, v)| k.eq_ignore_ascii_case(name) && !v.trim().is_empty()),
            "query" => req
                .querystring
                .iter()
                .any(|(k, v)| k == name && !v.trim().is_empty()),
            // A path parameter is there when the route matched.
            _ => true,
        };
        if !present && !missing.iter().any(|m| m == name) {
            missing.push(name.to_string());
        }
    }
    missing
}

fn validate_body(at: &Located<'_>, req: &Incoming, out: &mut Outcome) {
    let content_type = req
        .content_type
        .clone()
        .unwrap_or_else(|| "application/json".to_string());
    let media = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let Some((model_name, schema)) = model_for(at, &media) else {
        out.findings.push(
            Finding::warning(
                NO_MODEL,
                format!("the validator checks bodies, but the method declares no request model for {media}: API Gateway has nothing to validate this body against (whether it falls back to another content type's model is not documented)"),
            )
            .with("content_type", media.as_str())
            .with("certain", false),
        );
        return;
    };
    out.model = Some(model_name.clone());
    let invalid = |out: &mut Outcome| {
        let body = r#"{"message":"Invalid request body"}"#.to_string();
        out.status = Some(400);
        out.body = Some(body);
        out.gateway_response = Some("BAD_REQUEST_BODY");
    };
    let text = req.body.as_deref().unwrap_or("");
    let values = crate::document::count_values(text.as_bytes(), MAX_VALIDATED_VALUES);
    if values > MAX_VALIDATED_VALUES {
        out.findings.push(
            Finding::warning(
                SCHEMA_UNSUPPORTED,
                format!("the body holds more than the {MAX_VALIDATED_VALUES} JSON values (keys included) this tool validates (its memory bound): it was not checked against model {model_name}, and whether API Gateway accepts it is not known here"),
            )
            .with("certain", false),
        );
        return;
    }
    let instance: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        // Deeper than serde_json parses: the body may well be valid JSON.
        Err(e) if e.to_string().contains("recursion limit") => {
            out.findings.push(
                Finding::warning(SCHEMA_UNSUPPORTED, format!("the body nests deeper than this tool parses ({e}): it was not checked against model {model_name}"))
                    .with("certain", false),
            );
            return;
        }
        Err(e) if media.ends_with("json") || media.is_empty() => {
            invalid(out);
            out.findings.push(
                Finding::error(
                    BODY_NOT_JSON,
                    format!("the body is not JSON ({e}), so it cannot match model {model_name}"),
                )
                .with("status", 400)
                .with("body", r#"{"message":"Invalid request body"}"#),
            );
            return;
        }
        // A non-JSON media type with a model: the body is validated as a JSON text.
        Err(_) => Value::String(text.to_string()),
    };
    let violations = match check(&schema, &instance) {
        Ok(v) => v,
        Err(e) => {
            out.findings.push(
                Finding::warning(SCHEMA_UNSUPPORTED, format!("model {model_name} could not be read as a JSON Schema draft 4 document: {e}; the body was not validated"))
                    .with("certain", false),
            );
            return;
        }
    };
    if violations.is_empty() {
        return;
    }
    invalid(out);
    for (n, v) in violations.iter().take(MAX_VIOLATIONS).enumerate() {
        let at = if v.pointer.is_empty() {
            "the top level"
        } else {
            v.pointer.as_str()
        };
        let mut f = Finding::error(
            INVALID_BODY,
            format!(
                "the body does not match model {model_name}: at {at}, {}",
                v.message
            ),
        )
        .with("keyword", v.keyword.as_str())
        .with("pointer", v.pointer.as_str())
        .with("schema_path", v.schema_path.as_str());
        if n == 0 {
            f = f
                .with("status", 400)
                .with("body", r#"{"message":"Invalid request body"}"#);
        }
        out.findings.push(f);
    }
    if violations.len() > MAX_VIOLATIONS {
        out.findings.push(Finding::info(
            INVALID_BODY,
            format!(
                "{} violations: the first {MAX_VIOLATIONS} are listed",
                violations.len()
            ),
        ));
    }
}

/// One violated constraint.
struct Violation {
    keyword: String,
    /// JSON pointer into the body.
    pointer: String,
    /// JSON pointer into the model (after `$ref`s), ending with the keyword.
    schema_path: String,
    message: String,
}

/// The model's violations by the body, as JSON Schema draft 4 (boon: regexes in linear time,
/// no format assertions, no remote references).
fn check(schema: &Value, instance: &Value) -> Result<Vec<Violation>, String> {
    const URL: &str = "http://apigw-doctor.invalid/model.json";
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.set_default_draft(boon::Draft::V4);
    compiler
        .add_resource(URL, schema.clone())
        .map_err(|e| e.to_string())?;
    let index = compiler
        .compile(URL, &mut schemas)
        .map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    if let Err(e) = schemas.validate(instance, index) {
        leaves(&e, &mut out);
    }
    Ok(out)
}

/// The innermost errors: what was violated, not the groups around it.
fn leaves(e: &boon::ValidationError<'_, '_>, out: &mut Vec<Violation>) {
    if !e.causes.is_empty() {
        for c in &e.causes {
            leaves(c, out);
        }
        return;
    }
    let keyword = e.kind.keyword_path();
    let name = match keyword.as_ref().map(|k| k.keyword) {
        // boon's name for the keyword that reports one extra property.
        Some("additionalProperty") => "additionalProperties".to_string(),
        Some(k) => k.to_string(),
        None => "schema".to_string(),
    };
    let fragment = e.schema_url.split_once('#').map_or("", |(_, f)| f);
    let schema_path = match &keyword {
        Some(k) => format!("{fragment}/{k}"),
        None => fragment.to_string(),
    };
    out.push(Violation {
        keyword: name,
        pointer: e.instance_location.to_string(),
        schema_path,
        message: e.kind.to_string(),
    });
}

/// The request model for a media type: Swagger 2's `in: body` parameter (its schema applies
/// to the operation's `consumes`, any type when absent), OpenAPI 3's `requestBody.content`.
/// The schema comes back whole, its `$ref`s resolvable (the definition's models beside it).
fn model_for(at: &Located<'_>, media: &str) -> Option<(String, Value)> {
    let schema = if let Some(content) = at
        .op
        .get("requestBody")
        .map(|b| resolve(at.root, b))
        .and_then(|b| b.get("content"))
        .and_then(Value::as_object)
    {
        content
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(media))
            .and_then(|(_, v)| v.get("schema"))?
            .clone()
    } else {
        let consumes = at
            .op
            .get("consumes")
            .or_else(|| at.root.get("consumes"))
            .and_then(Value::as_array);
        if let Some(c) = consumes
            && !c
                .iter()
                .filter_map(Value::as_str)
                .any(|t| t.eq_ignore_ascii_case(media))
        {
            return None;
        }
        at.op
            .get("parameters")
            .and_then(Value::as_array)?
            .iter()
            .map(|p| resolve(at.root, p))
            .find(|p| p.get("in").and_then(Value::as_str) == Some("body"))?
            .get("schema")?
            .clone()
    };
    let name = schema
        .get("$ref")
        .and_then(Value::as_str)
        .map(|r| r.rsplit('/').next().unwrap_or(r).to_string())
        .unwrap_or_else(|| "(inline schema)".to_string());
    // The models travel with the schema so that `#/definitions/...` and
    // `#/components/schemas/...` resolve.
    let mut whole = match schema {
        Value::Object(m) => m,
        other => return Some((name, other)),
    };
    if let Some(defs) = at.root.get("definitions") {
        whole.entry("definitions").or_insert_with(|| defs.clone());
    }
    if let Some(schemas) = at.root.pointer("/components/schemas") {
        whole
            .entry("components")
            .or_insert_with(|| json!({"schemas": schemas.clone()}));
    }
    Some((name, Value::Object(whole)))
}

/// A `$ref` to a shared parameter or request body, resolved within the definition.
fn resolve<'a>(root: &'a Value, v: &'a Value) -> &'a Value {
    match v
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
    {
        Some(pointer) => root.pointer(pointer).unwrap_or(v),
        None => v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(template: &str, path: &str) -> Option<usize> {
        route_score(template, &path_segments(path))
    }

    #[test]
    fn routes_match_as_api_gateway_picks_them() {
        assert!(score("/pets/{petId}", "/pets/7").is_some());
        assert!(score("/pets/{petId}", "/pets").is_none());
        assert!(score("/pets", "/pets/").is_some());
        assert!(score("/{proxy+}", "/a/b/c").is_some());
        assert!(score("/{proxy+}", "/").is_none());
        let literal = score("/pets/mine", "/pets/mine").unwrap();
        let param = score("/pets/{id}", "/pets/mine").unwrap();
        let greedy = score("/{proxy+}", "/pets/mine").unwrap();
        assert!(literal > param && param > greedy);
        assert_eq!(
            path_parameters("/pets/{petId}/{proxy+}", "/pets/7/a/b?x=1"),
            [
                ("petId".to_string(), "7".to_string()),
                ("proxy".to_string(), "a/b".to_string())
            ]
        );
    }
}
