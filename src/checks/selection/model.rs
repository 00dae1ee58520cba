//! Integration responses as users have them: `--response` flags, the JSON that
//! `aws apigateway get-integration` / `get-method` prints, or an OpenAPI/Swagger export with
//! API Gateway extensions.
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IntegrationKind {
    /// HTTP, AWS service and mock integrations: patterns match the status code.
    Http,
    /// Lambda non-proxy (`AWS` with a Lambda URI): patterns match the error's errorMessage.
    Lambda,
    /// AWS_PROXY / HTTP_PROXY: integration responses never run.
    Proxy,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseRule {
    /// None: the default response (console `-`, OpenAPI `default`, no selectionPattern).
    pub pattern: Option<String>,
    pub status: String,
    /// Where it was written: `--response #2`, `$.integrationResponses['400']`, ...
    pub origin: String,
    /// Its response templates: (content type, template, location).
    pub templates: Vec<(String, String, String)>,
    /// Its responseParameters: (`method.response.header.NAME`, source expression).
    pub parameters: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default)]
pub struct Integration {
    /// None when only `--response` flags were given: the input kind decides.
    pub kind: Option<IntegrationKind>,
    /// The integration type as written (`AWS_PROXY`, `http`, ...), for messages.
    pub type_name: Option<String>,
    pub responses: Vec<ResponseRule>,
    /// Method response status codes, when the source has them (get-method, exports).
    pub method_responses: Option<Vec<String>>,
    pub uri: Option<String>,
    /// The method API Gateway calls the backend with (`httpMethod` of the integration, not of
    /// the method clients call), as written.
    pub http_method: Option<String>,
    /// `INTERNET` or `VPC_LINK`, as written.
    pub connection_type: Option<String>,
    /// The VPC link id, or `${stageVariables.NAME}`.
    pub connection_id: Option<String>,
    /// Integration response mapping templates: (location, template).
    pub response_templates: Vec<(String, String)>,
    /// Request templates: (content type, template, location).
    pub request_templates: Vec<(String, String, String)>,
    /// `passthroughBehavior` as written (`WHEN_NO_MATCH`, ...).
    pub passthrough: Option<String>,
    /// `credentials`: the IAM role API Gateway assumes to call the backend, as written.
    pub credentials: Option<String>,
    /// The logical id of the `AWS::IAM::Role` a template's credentials are a `Ref` of (set by
    /// `lint::methods`, which sees the template): a `Ref` of a role is its name, not its ARN.
    pub credentials_role_ref: Option<String>,
    /// JSON path of the integration object.
    pub location: String,
}

impl Integration {
    /// The credentials as written, when there are any (Terraform's state writes "" for none).
    pub fn credentials(&self) -> Option<&str> {
        self.credentials
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
    }

    /// Whether API Gateway calls the backend as a role of the integration's credentials.
    pub fn has_credentials(&self) -> bool {
        self.credentials().is_some() || self.credentials_role_ref.is_some()
    }
}

/// The two spellings of an integration object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// AWS CLI output: `integrationResponses` keyed by status, `selectionPattern` inside.
    Cli,
    /// `x-amazon-apigateway-integration`: `responses` keyed by pattern, `default`.
    Export,
}

/// One integration object, in either dialect, found at `base`.
pub fn parse_integration(
    obj: &Map<String, Value>,
    base: &str,
    dialect: Dialect,
) -> Result<Integration, String> {
    let type_name = obj.get("type").and_then(Value::as_str);
    let key = match dialect {
        Dialect::Cli => "integrationResponses",
        Dialect::Export => "responses",
    };
    let mut responses = Vec::new();
    let mut response_templates = Vec::new();
    if let Some(map) = obj.get(key) {
        let Some(map) = map.as_object() else {
            return Err(format!("{base}.{key} must be an object"));
        };
        for (k, r) in map {
            let origin = format!("{base}.{key}['{k}']");
            let status = match (dialect, r.get("statusCode")) {
                (_, Some(Value::String(s))) => s.clone(),
                (_, Some(Value::Number(n))) => n.to_string(),
                (Dialect::Cli, None) => k.clone(),
                (_, _) => return Err(format!("{origin} has no statusCode")),
            };
            let pattern = match dialect {
                Dialect::Export => (k != "default").then(|| k.clone()),
                Dialect::Cli => match r.get("selectionPattern") {
                    None | Some(Value::Null) => None,
                    Some(Value::String(p)) if is_default_pattern(p) => None,
                    Some(Value::String(p)) => Some(p.clone()),
                    Some(other) => {
                        return Err(format!(
                            "{origin}.selectionPattern must be a string, found {}",
                            json_kind(other)
                        ));
                    }
                },
            };
            let mut templates = Vec::new();
            if let Some(map) = r.get("responseTemplates").and_then(Value::as_object) {
                for (content_type, t) in map {
                    if let Some(t) = t.as_str() {
                        let location = format!("{origin}.responseTemplates['{content_type}']");
                        response_templates.push((location.clone(), t.to_string()));
                        templates.push((content_type.clone(), t.to_string(), location));
                    }
                }
            }
            let parameters = r
                .get("responseParameters")
                .and_then(Value::as_object)
                .map(|m| {
                    m.iter()
                        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                        .collect()
                })
                .unwrap_or_default();
            responses.push(ResponseRule {
                pattern,
                status,
                origin,
                templates,
                parameters,
            });
        }
    }
    let text = |k: &str| obj.get(k).and_then(Value::as_str).map(str::to_string);
    // SAM/CloudFormation bodies hold intrinsics ({"Fn::Sub": ...}, {"Ref": ...}) where the
    // deployed API has strings: keep them as their JSON text, never drop them.
    let uri = obj.get("uri").and_then(value_text);
    Ok(Integration {
        kind: type_name.and_then(|t| kind_of(t, uri.as_deref())),
        type_name: type_name.map(str::to_string),
        responses,
        method_responses: None,
        uri,
        http_method: obj.get("httpMethod").and_then(value_text),
        connection_type: text("connectionType"),
        connection_id: obj.get("connectionId").and_then(value_text),
        response_templates,
        request_templates: obj
            .get("requestTemplates")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| {
                        Some((
                            k.clone(),
                            v.as_str()?.to_string(),
                            format!("{base}.requestTemplates['{k}']"),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default(),
        passthrough: text("passthroughBehavior"),
        credentials: obj.get("credentials").and_then(value_text),
        credentials_role_ref: None,
        location: base.to_string(),
    })
}

/// A string as it is; an object or array (an intrinsic function) as compact JSON.
fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(_) | Value::Array(_) => Some(v.to_string()),
        _ => None,
    }
}

/// Whether a value written in a definition is not a literal yet: an intrinsic function
/// (`{"Ref": ...}`, `{"Fn::GetAtt": ...}`), a variable (`${stageVariables.x}`, `${Var}`),
/// or a template placeholder (`{{resolve:...}}`, `<vpc-link-id>`).
pub fn is_unresolved(text: &str) -> bool {
    text.starts_with('{') || text.contains("${") || text.contains("{{") || text.contains('<')
}

/// A selection pattern that stands for "the default response".
pub fn is_default_pattern(p: &str) -> bool {
    p.is_empty() || p == "-"
}

/// The integration of an export operation (`x-amazon-apigateway-integration`) with the
/// operation's responses as method responses; None when the operation has none.
pub fn export_operation(
    op: &Map<String, Value>,
    base: &str,
) -> Result<Option<Integration>, String> {
    let Some(integration) = op
        .get("x-amazon-apigateway-integration")
        .and_then(Value::as_object)
    else {
        return Ok(None);
    };
    let mut parsed = parse_integration(
        integration,
        &format!("{base}.x-amazon-apigateway-integration"),
        Dialect::Export,
    )?;
    // An operation without `responses` is imported with no method responses at all, so
    // every integration response refers to a method response that does not exist.
    parsed.method_responses = Some(response_keys(op.get("responses")).unwrap_or_default());
    Ok(Some(parsed))
}

/// The integration of a Method as the AWS CLI prints it (`methodIntegration`, with
/// `methodResponses`); None when the method has none.
pub fn cli_method(method: &Map<String, Value>, base: &str) -> Result<Option<Integration>, String> {
    let Some(integration) = method.get("methodIntegration").and_then(Value::as_object) else {
        return Ok(None);
    };
    let mut parsed = parse_integration(
        integration,
        &format!("{base}.methodIntegration"),
        Dialect::Cli,
    )?;
    parsed.method_responses =
        Some(response_keys(method.get("methodResponses")).unwrap_or_default());
    Ok(Some(parsed))
}

fn response_keys(v: Option<&Value>) -> Option<Vec<String>> {
    v.and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
}

/// The kind of an integration from its `type` and `uri`.
pub fn kind_of(type_name: &str, uri: Option<&str>) -> Option<IntegrationKind> {
    match type_name.to_ascii_uppercase().as_str() {
        "AWS_PROXY" | "HTTP_PROXY" => Some(IntegrationKind::Proxy),
        "AWS" if uri.is_some_and(|u| u.contains(":lambda:path/")) => Some(IntegrationKind::Lambda),
        "AWS" | "HTTP" | "MOCK" => Some(IntegrationKind::Http),
        _ => None,
    }
}

/// From the JSON `aws apigateway get-integration` (an Integration) or `get-method` (a
/// Method with `methodIntegration`) prints.
pub fn from_cli_json(value: &Value) -> Result<Integration, String> {
    let Some(obj) = value.as_object() else {
        return Err(format!(
            "expected a JSON object, found {}",
            json_kind(value)
        ));
    };
    if let Some(parsed) = cli_method(obj, "$")? {
        return Ok(parsed);
    }
    if is_integration_response(obj) {
        return from_integration_response(obj);
    }
    if obj.get("type").and_then(Value::as_str).is_none()
        && !obj.contains_key("integrationResponses")
    {
        return Err(
            if obj.contains_key("paths")
                || obj.contains_key("swagger")
                || obj.contains_key("openapi")
            {
                "this is an API export: use --export FILE --method M --path P".to_string()
            } else {
                format!(
                    "not the JSON of `aws apigateway get-integration` or `get-method`: it looks like {}",
                    crate::document::describe_for(value, "selection")
                )
            },
        );
    }
    parse_integration(obj, "$", Dialect::Cli)
}

/// `aws apigateway get-integration-response` output: one integration response
/// (`statusCode` with `selectionPattern`, `responseTemplates`, `responseParameters` or
/// `contentHandling`, and none of a Lambda proxy response's `body`/`headers`).
pub fn is_integration_response(obj: &Map<String, Value>) -> bool {
    obj.get("statusCode").is_some_and(Value::is_string)
        && [
            "selectionPattern",
            "responseTemplates",
            "responseParameters",
            "contentHandling",
        ]
        .iter()
        .any(|k| obj.contains_key(*k))
        && !obj.contains_key("body")
        && !obj.contains_key("headers")
}

/// One integration response (get-integration-response) as an integration of unknown type
/// holding just that response.
pub fn from_integration_response(obj: &Map<String, Value>) -> Result<Integration, String> {
    let status = obj
        .get("statusCode")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut wrapped = Map::new();
    wrapped.insert(
        "integrationResponses".to_string(),
        Value::Object(Map::from_iter([(
            status.to_string(),
            Value::Object(obj.clone()),
        )])),
    );
    let mut parsed = parse_integration(&wrapped, "$", Dialect::Cli)?;
    // The response is the whole document: its locations start at its root.
    let prefix = format!("$.integrationResponses['{status}']");
    let rebase = |l: &mut String| {
        if let Some(rest) = l.strip_prefix(&prefix) {
            *l = format!("${rest}");
        }
    };
    for r in &mut parsed.responses {
        r.origin = "$".to_string();
        for (_, _, location) in &mut r.templates {
            rebase(location);
        }
    }
    for (location, _) in &mut parsed.response_templates {
        rebase(location);
    }
    Ok(parsed)
}

/// From an OpenAPI 3 / Swagger 2 export with `x-amazon-apigateway-integration`, or a
/// CloudFormation/SAM template's inline definition that has `path`.
pub fn from_export(value: &Value, method: &str, path: &str) -> Result<Integration, String> {
    if value.get("paths").is_none() && value.get("Resources").is_some() {
        let bodies = crate::checks::lint::definition_bodies(value);
        if bodies.is_empty() {
            return Err(format!(
                "a CloudFormation/SAM template with no inline OpenAPI definition (DefinitionBody or Body): give the API's export (aws apigateway get-export) or use --aws{}",
                crate::sources::websocket::refusal_note(value)
            ));
        }
        let with_path = bodies.iter().find(|b| {
            b.value
                .get("paths")
                .and_then(Value::as_object)
                .is_some_and(|p| p.contains_key(path))
        });
        return match with_path {
            Some(b) => definition_method(b.value, method, path, &b.base),
            None => Err(format!(
                "no path {path:?} in the template's definitions ({})",
                bodies
                    .iter()
                    .map(|b| b.logical_id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        };
    }
    definition_method(value, method, path, "$")
}

/// The integration of `method` `path` in an OpenAPI definition found at JSON path `root`.
fn definition_method(
    value: &Value,
    method: &str,
    path: &str,
    root: &str,
) -> Result<Integration, String> {
    let Some(paths) = value.get("paths").and_then(Value::as_object) else {
        return Err("not an OpenAPI/Swagger export (no paths object)".to_string());
    };
    let Some(item) = paths.get(path).and_then(Value::as_object) else {
        let mut named = Operations::default();
        named.add(paths);
        return Err(named.missing_path(path));
    };
    let key = method.to_ascii_lowercase();
    let (op, op_key) = match item.get(&key).and_then(Value::as_object) {
        Some(op) => (op, key),
        None => match item
            .get("x-amazon-apigateway-any-method")
            .and_then(Value::as_object)
        {
            Some(op) => (op, "x-amazon-apigateway-any-method".to_string()),
            None => {
                // What the path itself has: the rest of the export does not answer it.
                let methods: Vec<String> = methods_of(item).collect();
                return Err(format!(
                    "no {} {path} in the export; {path} has {}",
                    method.to_ascii_uppercase(),
                    if methods.is_empty() {
                        "no operations".to_string()
                    } else {
                        methods.join(", ")
                    }
                ));
            }
        },
    };
    let base = format!("{root}.paths['{path}'].{op_key}");
    export_operation(op, &base)?.ok_or_else(|| {
        format!("{base} has no x-amazon-apigateway-integration (export with --parameters extensions='apigateway')")
    })
}

/// The methods a path item defines, as a user writes them (`GET`, `ANY`), in order.
fn methods_of(item: &Map<String, Value>) -> impl Iterator<Item = String> + '_ {
    item.keys().filter_map(|m| {
        let m = if m == "x-amazon-apigateway-any-method" {
            "ANY".to_string()
        } else {
            m.to_ascii_uppercase()
        };
        matches!(
            m.as_str(),
            "GET" | "PUT" | "POST" | "DELETE" | "OPTIONS" | "HEAD" | "PATCH" | "ANY"
        )
        .then_some(m)
    })
}

/// At most this many of an export's operations are named when the path asked for is not
/// there (a 50,000-method export would otherwise fill the terminal).
pub const NAMED_OPERATIONS: usize = 20;

/// The operations an export defines, gathered path item by path item (an export read a part
/// at a time adds each part): the first [`NAMED_OPERATIONS`] and how many there are.
#[derive(Default)]
pub struct Operations {
    first: Vec<String>,
    total: usize,
}

impl Operations {
    pub fn add(&mut self, paths: &Map<String, Value>) {
        for (p, item) in paths {
            let Some(item) = item.as_object() else {
                continue;
            };
            for m in methods_of(item) {
                if self.first.len() < NAMED_OPERATIONS {
                    self.first.push(format!("{m} {p}"));
                }
                self.total += 1;
            }
        }
    }

    /// The error for a path the export does not have.
    pub fn missing_path(&self, path: &str) -> String {
        let has = if self.total == 0 {
            "no operations".to_string()
        } else if self.total > self.first.len() {
            format!(
                "{} and {} more",
                self.first.join(", "),
                self.total - self.first.len()
            )
        } else {
            self.first.join(", ")
        };
        format!("no path {path:?} in the export; it has {has}")
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn get_integration_json_as_the_cli_prints_it() {
        let v = json!({
            "type": "AWS",
            "httpMethod": "POST",
            "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:f/invocations",
            "integrationResponses": {
                "200": {"statusCode": "200", "responseTemplates": {"application/json": null}},
                "400": {"statusCode": "400", "selectionPattern": ".*\\[BadRequest\\].*"}
            }
        });
        let i = from_cli_json(&v).unwrap();
        assert_eq!(i.kind, Some(IntegrationKind::Lambda));
        assert_eq!(i.responses[0].pattern, None);
        assert_eq!(
            i.responses[1].pattern.as_deref(),
            Some(".*\\[BadRequest\\].*")
        );
        assert_eq!(i.responses[1].origin, "$.integrationResponses['400']");
        assert!(i.method_responses.is_none());
    }

    #[test]
    fn get_method_json_brings_method_responses() {
        let v = json!({
            "httpMethod": "GET",
            "methodResponses": {"200": {"statusCode": "200"}},
            "methodIntegration": {"type": "HTTP", "integrationResponses": {"200": {"statusCode": "200", "selectionPattern": "2\\d{2}"}}}
        });
        let i = from_cli_json(&v).unwrap();
        assert_eq!(i.kind, Some(IntegrationKind::Http));
        assert_eq!(i.method_responses, Some(vec!["200".to_string()]));
    }

    #[test]
    fn exports_name_what_they_have_when_the_operation_is_missing() {
        let v = json!({"openapi": "3.0.1", "paths": {"/pets": {"get": {}}, "/pets/{id}": {"post": {}}}});
        let err = from_export(&v, "PUT", "/pets").unwrap_err();
        assert_eq!(err, "no PUT /pets in the export; /pets has GET");
        let err = from_export(&v, "GET", "/cats").unwrap_err();
        assert_eq!(
            err,
            "no path \"/cats\" in the export; it has GET /pets, POST /pets/{id}"
        );
        let many: Map<String, Value> = (0..25)
            .map(|i| {
                (
                    format!("/r{i}"),
                    json!({"get": {}, "x-amazon-apigateway-any-method": {}}),
                )
            })
            .collect();
        let err = from_export(&json!({"paths": many}), "GET", "/cats").unwrap_err();
        assert!(
            err.starts_with("no path \"/cats\" in the export; it has GET /r0, ANY /r0, GET /r1"),
            "{err}"
        );
        assert!(err.ends_with(", ANY /r9 and 30 more"), "{err}");
        let err =
            from_export(&json!({"paths": {"/p": {"parameters": []}}}), "GET", "/p").unwrap_err();
        assert_eq!(err, "no GET /p in the export; /p has no operations");
        let err = from_export(&v, "GET", "/pets").unwrap_err();
        assert!(
            err.contains("has no x-amazon-apigateway-integration"),
            "{err}"
        );
        assert!(from_cli_json(&v).unwrap_err().contains("--export"));
    }

    #[test]
    fn kinds_follow_type_and_uri() {
        assert_eq!(kind_of("aws_proxy", None), Some(IntegrationKind::Proxy));
        assert_eq!(
            kind_of("AWS", Some("arn:aws:apigateway:us-east-1:sqs:path/1/q")),
            Some(IntegrationKind::Http)
        );
        assert_eq!(kind_of("mock", None), Some(IntegrationKind::Http));
        assert_eq!(kind_of("VTL", None), None);
    }
}
