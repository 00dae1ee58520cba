//! Terraform's JSON (`terraform show -json` of a saved plan, or of the state): the REST API
//! resources (`aws_api_gateway_rest_api`, `_resource`, `_method`, `_integration`,
//! `_method_response`, `_integration_response`, `_authorizer`, `_request_validator`, `_model`,
//! `_gateway_response`, `_rest_api_policy`) are read as the CloudFormation resources they
//! stand for, then as CloudFormation's resource form is. Links between resources come from
//! the values where they are known (the state's ids) and from the configuration's references
//! where they are not (a plan's "known after apply"); a value known only after apply stays a
//! placeholder. Format: Terraform's documented "JSON Output Format".
use super::Read;
use super::cloudformation::{self, Origin, Origins};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// Whether a document is Terraform's JSON output.
pub fn is_terraform(v: &Value) -> bool {
    v.get("format_version").is_some()
        && (v.get("planned_values").is_some()
            || v.get("values").is_some()
            || v.get("resource_changes").is_some())
}

/// A managed resource as `terraform show -json` lists it.
struct Resource<'a> {
    address: String,
    /// The resource's address without its index, in its module (`module.m.aws_x.y`).
    config_address: String,
    kind: &'a str,
    values: &'a Map<String, Value>,
    /// Attributes known only after apply.
    unknown: Vec<String>,
    /// JSON path in the document.
    path: String,
}

/// Reads the REST APIs of a plan or state into inline definitions, placed under
/// `Resources` as a template would hold them.
pub fn read(doc: &mut Value) -> Option<Read> {
    let (template, origins, settings) = {
        let resources = collect(doc);
        if !resources.iter().any(|r| {
            r.kind.starts_with("aws_api_gateway_") || r.kind.starts_with("aws_apigatewayv2_")
        }) {
            return None;
        }
        let references = references(doc);
        let linker = Linker::new(&resources, &references);
        // Each aws_api_gateway_method_settings: where it is, its method_path, and its API.
        let settings: Vec<MethodSettings> = resources
            .iter()
            .filter(|r| r.kind == "aws_api_gateway_method_settings")
            .filter_map(|r| {
                let api = match linker.link(r, "rest_api_id") {
                    Some(Link::Resource(a)) => Some(a),
                    _ => None,
                };
                Some(MethodSettings {
                    address: r.address.clone(),
                    path: r.path.clone(),
                    method_path: r.values.get("method_path")?.as_str()?.to_string(),
                    api,
                })
            })
            .collect();
        let (template, origins) = translate(&resources, &linker);
        (template, origins, settings)
    };
    let mut template = template;
    let mut read = cloudformation::read_as(&mut template, &[], "Terraform JSON", &origins)
        .unwrap_or_else(|| Read::new("Terraform JSON"));
    let placed = origins
        .iter()
        .map(|(k, o)| (k.clone(), o.method.clone()))
        .collect();
    super::apigatewayv2::read(&mut template, &[], &mut read, &placed);
    read.faults
        .extend(super::apigatewayv2::route_settings(&template, &[]));
    read.faults
        .extend(method_settings_faults(&template, &settings));
    let read = Some(read);
    if let (Some(obj), Some(r)) = (doc.as_object_mut(), template.get("Resources")) {
        obj.insert("Resources".into(), r.clone());
    }
    read
}

/// An `aws_api_gateway_method_settings` resource, as `method_settings_faults` reads it.
struct MethodSettings {
    address: String,
    path: String,
    method_path: String,
    /// The REST API's address, when the document holds it.
    api: Option<String>,
}

/// `aws_api_gateway_method_settings` whose `method_path` applies to no method. The provider
/// documents `trimprefix(path, "/")/METHOD` and `*/*`: a method path that keeps the resource's
/// first slash is taken and kept under a key that is not the method's, so it applies to no
/// method [obs: hashicorp/terraform-provider-aws#9738, "/tenant/{tenant-name}/enrollment_codes/GET";
/// chanzuckerberg/napari-hub#432, "/GET" for the root, which is "~1/GET"]. Otherwise the path
/// and method are judged as a stage's MethodSettings are (`cloudformation::method_settings`).
fn method_settings_faults(template: &Value, settings: &[MethodSettings]) -> Vec<super::Fault> {
    let mut out = Vec::new();
    for s in settings {
        let location = format!("{}.values.method_path", s.path);
        let fault = |error: bool, why: String| super::Fault {
            code: super::METHOD_SETTINGS_PATH,
            error,
            api: s.api.clone().unwrap_or_default(),
            location: location.clone(),
            message: format!("{} (method_path {}): {why}", s.address, s.method_path),
        };
        let mp = s.method_path.as_str();
        if mp.starts_with('/') {
            out.push(fault(
                false,
                format!(
                    "the method path keeps the resource's first slash: API Gateway keeps such settings under a key that is not the method's and applies them to no method, without an error (hashicorp/terraform-provider-aws#9738); write it {}",
                    if mp.trim_start_matches('/').contains('/') {
                        "without the first slash, trimprefix(path, \"/\")/METHOD"
                    } else {
                        "~1/METHOD for the root"
                    }
                ),
            ));
            continue;
        }
        let Some((path, verb)) = mp.rsplit_once('/') else {
            continue;
        };
        // As a stage's MethodSetting writes it: `/~1a~1b` for `a/b`, `/*` for `*`.
        let resource_path = if path == "*" {
            "/*".to_string()
        } else {
            format!("/~1{}", path.trim_start_matches("~1").replace('/', "~1"))
        };
        let methods = s.api.as_deref().and_then(|api| {
            template
                .pointer(&format!(
                    "/Resources/{}/Properties/Body/paths",
                    api.replace('~', "~0").replace('/', "~1")
                ))?
                .as_object()
        });
        if let Some((error, why)) =
            super::cloudformation::method_setting_fault(&resource_path, verb, methods)
        {
            out.push(fault(error, why));
        }
    }
    out
}

/// Every managed resource of the plan's planned values, or of the state.
fn collect(doc: &Value) -> Vec<Resource<'_>> {
    let mut out = Vec::new();
    let (root, base) = match (doc.get("planned_values"), doc.get("values")) {
        (Some(p), _) => (p.get("root_module"), "$.planned_values.root_module"),
        (None, Some(v)) => (v.get("root_module"), "$.values.root_module"),
        _ => (None, ""),
    };
    let unknown = after_unknown(doc);
    if let Some(root) = root {
        module(root, base.to_string(), &unknown, &mut out, 0);
    }
    out
}

fn module<'a>(
    m: &'a Value,
    base: String,
    unknown: &HashMap<String, Vec<String>>,
    out: &mut Vec<Resource<'a>>,
    depth: usize,
) {
    if depth > 32 {
        return;
    }
    for (i, r) in m
        .get("resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        if r.get("mode").and_then(Value::as_str) == Some("data") {
            continue;
        }
        let (Some(address), Some(kind), Some(values)) = (
            r.get("address").and_then(Value::as_str),
            r.get("type").and_then(Value::as_str),
            r.get("values").and_then(Value::as_object),
        ) else {
            continue;
        };
        out.push(Resource {
            address: address.to_string(),
            config_address: strip_index(address),
            kind,
            values,
            unknown: unknown.get(address).cloned().unwrap_or_default(),
            path: format!("{base}.resources[{i}]"),
        });
    }
    for (i, child) in m
        .get("child_modules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        module(
            child,
            format!("{base}.child_modules[{i}]"),
            unknown,
            out,
            depth + 1,
        );
    }
}

/// `aws_x.y[0]` and `module.m["k"].aws_x.y["a"]` without their instance keys.
fn strip_index(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut depth = 0;
    for c in address.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// The attributes each resource change leaves unknown until apply (`after_unknown`).
fn after_unknown(doc: &Value) -> HashMap<String, Vec<String>> {
    let mut out = HashMap::new();
    for c in doc
        .get("resource_changes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let (Some(address), Some(unknown)) = (
            c.get("address").and_then(Value::as_str),
            c.pointer("/change/after_unknown")
                .and_then(Value::as_object),
        ) else {
            continue;
        };
        let keys = unknown
            .iter()
            .filter(|(_, v)| v.as_bool() == Some(true))
            .map(|(k, _)| k.clone())
            .collect();
        out.insert(address.to_string(), keys);
    }
    out
}

/// The configuration's references: (resource config address, attribute) → the addresses its
/// expression refers to, for links a plan does not know yet.
fn references(doc: &Value) -> HashMap<(String, String), Vec<String>> {
    let mut out = HashMap::new();
    if let Some(root) = doc.pointer("/configuration/root_module") {
        config_module(root, "", &mut out, 0);
    }
    out
}

fn config_module(
    m: &Value,
    prefix: &str,
    out: &mut HashMap<(String, String), Vec<String>>,
    depth: usize,
) {
    if depth > 32 {
        return;
    }
    for r in m
        .get("resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(address) = r.get("address").and_then(Value::as_str) else {
            continue;
        };
        for (attr, e) in r
            .get("expressions")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let refs: Vec<String> = e
                .get("references")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(|r| format!("{prefix}{r}"))
                .collect();
            if !refs.is_empty() {
                out.insert((format!("{prefix}{address}"), attr.clone()), refs);
            }
        }
    }
    for (name, call) in m
        .get("module_calls")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if let Some(child) = call.get("module") {
            config_module(child, &format!("{prefix}module.{name}."), out, depth + 1);
        }
    }
}

/// What a resource's attribute points at: another resource (its address), the root resource
/// of an API, or nothing known.
#[derive(Debug, Clone, PartialEq)]
enum Link {
    Resource(String),
    RootOf(String),
}

struct Linker<'r> {
    by_id: HashMap<&'r str, Link>,
    by_config: HashMap<&'r str, &'r str>,
    references: &'r HashMap<(String, String), Vec<String>>,
}

impl<'r> Linker<'r> {
    fn new(
        resources: &'r [Resource<'r>],
        references: &'r HashMap<(String, String), Vec<String>>,
    ) -> Self {
        let mut by_id = HashMap::new();
        let mut by_config = HashMap::new();
        for r in resources {
            if let Some(id) = r.values.get("id").and_then(Value::as_str) {
                by_id.insert(id, Link::Resource(r.address.clone()));
            }
            if r.kind == "aws_api_gateway_rest_api"
                && let Some(root) = r.values.get("root_resource_id").and_then(Value::as_str)
            {
                by_id.insert(root, Link::RootOf(r.address.clone()));
            }
            by_config.insert(r.config_address.as_str(), r.address.as_str());
        }
        Linker {
            by_id,
            by_config,
            references,
        }
    }

    fn link(&self, r: &Resource<'_>, attr: &str) -> Option<Link> {
        if let Some(id) = r.values.get(attr).and_then(Value::as_str)
            && let Some(l) = self.by_id.get(id)
        {
            return Some(l.clone());
        }
        let refs = self
            .references
            .get(&(r.config_address.clone(), attr.to_string()))?;
        for reference in refs {
            if let Some(api) = reference.strip_suffix(".root_resource_id")
                && let Some(a) = self.by_config.get(api)
            {
                return Some(Link::RootOf(a.to_string()));
            }
            // `aws_x.y.id` or `aws_x.y`: the resource itself.
            let target = reference.strip_suffix(".id").unwrap_or(reference);
            if let Some(a) = self.by_config.get(target) {
                return Some(Link::Resource(a.to_string()));
            }
        }
        None
    }
}

/// The CloudFormation resource a Terraform resource stands for, and where each method and its
/// integration are written.
fn translate(resources: &[Resource<'_>], linker: &Linker<'_>) -> (Value, Origins) {
    let mut out = Map::new();
    let mut origins = Origins::new();
    let value = |r: &Resource<'_>, attr: &str| -> Option<Value> {
        if r.unknown.iter().any(|u| u == attr) {
            // A Lambda function's invoke_arn is always
            // arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations
            // (the provider's documented attribute): its shape is known before apply.
            let function = linker
                .references
                .get(&(r.config_address.clone(), attr.to_string()))
                .into_iter()
                .flatten()
                .find_map(|reference| reference.strip_suffix(".invoke_arn"))
                .filter(|f| f.contains("aws_lambda_function."));
            if let Some(f) = function {
                return Some(json!({"Fn::Join": ["", [
                    "arn:", {"Ref": "AWS::Partition"}, ":apigateway:", {"Ref": "AWS::Region"},
                    ":lambda:path/2015-03-31/functions/",
                    {"Ref": format!("{f}.arn (known after apply)")}, "/invocations"]]}));
            }
            // A function's own ARN: an HTTP API's integration URI may be one (and one written
            // inside an invocation URI names the same function).
            let function = linker
                .references
                .get(&(r.config_address.clone(), attr.to_string()))
                .into_iter()
                .flatten()
                .filter(|_| r.kind == "aws_apigatewayv2_integration" && attr == "integration_uri")
                .find(|reference| {
                    reference.contains("aws_lambda_function.") && reference.ends_with(".arn")
                });
            if let Some(f) = function {
                return Some(json!({"Ref": format!("{f} (known after apply)")}));
            }
            // Known after apply: a reference the tool cannot decide.
            return Some(json!({"Ref": format!("{}.{attr} (known after apply)", r.address)}));
        }
        r.values.get(attr).filter(|v| !v.is_null()).cloned()
    };
    let reference = |r: &Resource<'_>, attr: &str| -> Option<Value> {
        match linker.link(r, attr) {
            Some(Link::Resource(a)) => Some(json!({"Ref": a})),
            Some(Link::RootOf(a)) => Some(json!({"Fn::GetAtt": [a, "RootResourceId"]})),
            None => value(r, attr).map(|v| match v {
                Value::String(s) => json!({"Ref": format!("{}.{attr} = {s}", r.address)}),
                other => other,
            }),
        }
    };
    let json_text = |v: Option<Value>| match v {
        Some(Value::String(s)) => serde_json::from_str(&s).ok(),
        other => other,
    };
    // Methods, integrations and responses meet on (API, resource, HTTP method).
    type Key = (String, String, String);
    let key = |r: &Resource<'_>| -> Option<Key> {
        let api = format!("{:?}", reference(r, "rest_api_id")?);
        let res = format!("{:?}", reference(r, "resource_id")?);
        let method = r
            .values
            .get("http_method")
            .and_then(Value::as_str)?
            .to_ascii_uppercase();
        Some((api, res, method))
    };
    let mut integrations: HashMap<Key, &Resource<'_>> = HashMap::new();
    let mut method_responses: HashMap<Key, Vec<&Resource<'_>>> = HashMap::new();
    let mut integration_responses: HashMap<Key, Vec<&Resource<'_>>> = HashMap::new();
    let mut model_names: HashMap<String, String> = HashMap::new();
    for r in resources {
        match r.kind {
            "aws_api_gateway_integration" => {
                if let Some(k) = key(r) {
                    integrations.insert(k, r);
                }
            }
            "aws_api_gateway_method_response" => {
                if let Some(k) = key(r) {
                    method_responses.entry(k).or_default().push(r);
                }
            }
            "aws_api_gateway_integration_response" => {
                if let Some(k) = key(r) {
                    integration_responses.entry(k).or_default().push(r);
                }
            }
            "aws_api_gateway_model" => {
                if let Some(n) = r.values.get("name").and_then(Value::as_str) {
                    model_names.insert(n.to_string(), r.address.clone());
                }
            }
            _ => {}
        }
    }
    let mut policies: HashMap<String, Value> = HashMap::new();
    for r in resources {
        if r.kind == "aws_api_gateway_rest_api_policy"
            && let Some(Value::Object(o)) = reference(r, "rest_api_id")
            && let Some(api) = o.get("Ref").and_then(Value::as_str)
            && let Some(p) = json_text(value(r, "policy"))
        {
            policies.insert(api.to_string(), p);
        }
    }
    let pick = |r: &Resource<'_>, pairs: &[(&str, &str)]| -> Map<String, Value> {
        let mut props = Map::new();
        for (tf, cfn) in pairs {
            if let Some(v) = value(r, tf) {
                props.insert(cfn.to_string(), v);
            }
        }
        props
    };
    for r in resources {
        let (kind, props) = match r.kind {
            "aws_api_gateway_rest_api" => {
                let mut p = pick(
                    r,
                    &[
                        ("name", "Name"),
                        ("binary_media_types", "BinaryMediaTypes"),
                        ("api_key_source", "ApiKeySourceType"),
                        ("disable_execute_api_endpoint", "DisableExecuteApiEndpoint"),
                    ],
                );
                // An OpenAPI body (a JSON string; YAML bodies are not read) is the definition
                // itself; one known only after apply is not.
                if let Some(body) = r
                    .values
                    .get("body")
                    .and_then(Value::as_str)
                    .and_then(|b| serde_json::from_str::<Value>(b).ok())
                {
                    p.insert("Body".into(), body);
                } else if r.unknown.iter().any(|u| u == "body") {
                    p.insert(
                        "Body".into(),
                        json!({"x-apigw-doctor-unknown": "body known after apply"}),
                    );
                }
                // `policy` is optional and computed: a plan leaves it unknown even when no
                // policy is configured, so only a known one counts.
                let known = r
                    .values
                    .get("policy")
                    .and_then(Value::as_str)
                    .and_then(|p| serde_json::from_str(p).ok());
                if let Some(policy) = known.or_else(|| policies.get(&r.address).cloned()) {
                    p.insert("Policy".into(), policy);
                }
                ("AWS::ApiGateway::RestApi", p)
            }
            "aws_api_gateway_resource" => {
                let mut p = pick(r, &[("path_part", "PathPart")]);
                for (tf, cfn) in [("rest_api_id", "RestApiId"), ("parent_id", "ParentId")] {
                    if let Some(v) = reference(r, tf) {
                        p.insert(cfn.into(), v);
                    }
                }
                ("AWS::ApiGateway::Resource", p)
            }
            "aws_api_gateway_method" => {
                let mut p = pick(
                    r,
                    &[
                        ("http_method", "HttpMethod"),
                        ("authorization", "AuthorizationType"),
                        ("api_key_required", "ApiKeyRequired"),
                        ("request_parameters", "RequestParameters"),
                        ("authorization_scopes", "AuthorizationScopes"),
                    ],
                );
                for (tf, cfn) in [
                    ("rest_api_id", "RestApiId"),
                    ("resource_id", "ResourceId"),
                    ("authorizer_id", "AuthorizerId"),
                    ("request_validator_id", "RequestValidatorId"),
                ] {
                    if let Some(v) = reference(r, tf) {
                        p.insert(cfn.into(), v);
                    }
                }
                if let Some(Value::Object(models)) = value(r, "request_models") {
                    let models: Map<String, Value> = models
                        .into_iter()
                        .map(|(ct, name)| {
                            let m = name
                                .as_str()
                                .and_then(|n| model_names.get(n))
                                .map_or(name.clone(), |a| json!({"Ref": a}));
                            (ct, m)
                        })
                        .collect();
                    p.insert("RequestModels".into(), Value::Object(models));
                }
                let k = key(r);
                let integration = k.as_ref().and_then(|k| integrations.get(k));
                if let Some(i) = integration {
                    let mut ip = pick(
                        i,
                        &[
                            ("type", "Type"),
                            ("integration_http_method", "IntegrationHttpMethod"),
                            ("uri", "Uri"),
                            ("connection_type", "ConnectionType"),
                            ("connection_id", "ConnectionId"),
                            ("credentials", "Credentials"),
                            ("request_parameters", "RequestParameters"),
                            ("request_templates", "RequestTemplates"),
                            ("passthrough_behavior", "PassthroughBehavior"),
                            ("content_handling", "ContentHandling"),
                            ("timeout_milliseconds", "TimeoutInMillis"),
                            ("cache_key_parameters", "CacheKeyParameters"),
                        ],
                    );
                    let responses: Vec<Value> = k
                        .as_ref()
                        .and_then(|k| integration_responses.get(k))
                        .into_iter()
                        .flatten()
                        .map(|ir| {
                            Value::Object(pick(
                                ir,
                                &[
                                    ("status_code", "StatusCode"),
                                    ("selection_pattern", "SelectionPattern"),
                                    ("response_parameters", "ResponseParameters"),
                                    ("response_templates", "ResponseTemplates"),
                                    ("content_handling", "ContentHandling"),
                                ],
                            ))
                        })
                        .collect();
                    if !responses.is_empty() {
                        ip.insert("IntegrationResponses".into(), Value::Array(responses));
                    }
                    p.insert("Integration".into(), Value::Object(ip));
                }
                let responses: Vec<Value> = k
                    .as_ref()
                    .and_then(|k| method_responses.get(k))
                    .into_iter()
                    .flatten()
                    .map(|mr| {
                        Value::Object(pick(
                            mr,
                            &[
                                ("status_code", "StatusCode"),
                                ("response_parameters", "ResponseParameters"),
                            ],
                        ))
                    })
                    .collect();
                if !responses.is_empty() {
                    p.insert("MethodResponses".into(), Value::Array(responses));
                }
                origins.insert(
                    r.address.clone(),
                    Origin {
                        method: r.path.clone(),
                        integration: integration.map_or_else(|| r.path.clone(), |i| i.path.clone()),
                        responses: k
                            .as_ref()
                            .and_then(|k| integration_responses.get(k))
                            .into_iter()
                            .flatten()
                            .map(|ir| ir.path.clone())
                            .collect(),
                    },
                );
                ("AWS::ApiGateway::Method", p)
            }
            "aws_api_gateway_authorizer" => (
                "AWS::ApiGateway::Authorizer",
                pick(
                    r,
                    &[
                        ("name", "Name"),
                        ("type", "Type"),
                        ("identity_source", "IdentitySource"),
                        (
                            "identity_validation_expression",
                            "IdentityValidationExpression",
                        ),
                        (
                            "authorizer_result_ttl_in_seconds",
                            "AuthorizerResultTtlInSeconds",
                        ),
                        ("provider_arns", "ProviderARNs"),
                        ("authorizer_uri", "AuthorizerUri"),
                        ("authorizer_credentials", "AuthorizerCredentials"),
                    ],
                ),
            ),
            "aws_api_gateway_request_validator" => (
                "AWS::ApiGateway::RequestValidator",
                pick(
                    r,
                    &[
                        ("name", "Name"),
                        ("validate_request_body", "ValidateRequestBody"),
                        ("validate_request_parameters", "ValidateRequestParameters"),
                    ],
                ),
            ),
            "aws_api_gateway_model" => (
                "AWS::ApiGateway::Model",
                pick(
                    r,
                    &[
                        ("name", "Name"),
                        ("content_type", "ContentType"),
                        ("schema", "Schema"),
                    ],
                ),
            ),
            "aws_api_gateway_gateway_response" => (
                "AWS::ApiGateway::GatewayResponse",
                pick(
                    r,
                    &[
                        ("response_type", "ResponseType"),
                        ("status_code", "StatusCode"),
                        ("response_parameters", "ResponseParameters"),
                        ("response_templates", "ResponseTemplates"),
                    ],
                ),
            ),
            "aws_api_gateway_stage" => {
                let mut p = pick(
                    r,
                    &[("stage_name", "StageName"), ("variables", "Variables")],
                );
                if let Some(v) = reference(r, "rest_api_id") {
                    p.insert("RestApiId".into(), v);
                }
                origins.insert(r.address.clone(), Origin::whole(&r.path));
                ("AWS::ApiGateway::Stage", p)
            }
            "aws_cloudfront_distribution" => (
                "AWS::CloudFront::Distribution",
                json!({"DistributionConfig": distribution_config(r.values)})
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
            ),
            "aws_api_gateway_domain_name" | "aws_apigatewayv2_domain_name" => (
                if r.kind == "aws_api_gateway_domain_name" {
                    "AWS::ApiGateway::DomainName"
                } else {
                    "AWS::ApiGatewayV2::DomainName"
                },
                {
                    let mut p = pick(r, &[("domain_name", "DomainName")]);
                    // Blocks are lists of one object in Terraform's JSON.
                    let block = |name: &str| {
                        r.values
                            .get(name)
                            .and_then(|b| b.get(0))
                            .and_then(Value::as_object)
                    };
                    if let Some(m) = block("mutual_tls_authentication") {
                        p.insert(
                            "MutualTlsAuthentication".into(),
                            json!({"TruststoreUri": m.get("truststore_uri"),
                                   "TruststoreVersion": m.get("truststore_version")}),
                        );
                    }
                    if let Some(types) =
                        block("endpoint_configuration").and_then(|e| e.get("types"))
                    {
                        p.insert("EndpointConfiguration".into(), json!({"Types": types}));
                    }
                    if let Some(t) =
                        block("domain_name_configuration").and_then(|c| c.get("endpoint_type"))
                    {
                        p.insert(
                            "DomainNameConfigurations".into(),
                            json!([{"EndpointType": t}]),
                        );
                    }
                    origins.insert(r.address.clone(), Origin::whole(&r.path));
                    p
                },
            ),
            "aws_api_gateway_base_path_mapping" | "aws_apigatewayv2_api_mapping" => {
                let v2 = r.kind == "aws_apigatewayv2_api_mapping";
                let mut p = if v2 {
                    pick(
                        r,
                        &[("api_mapping_key", "ApiMappingKey"), ("stage", "Stage")],
                    )
                } else {
                    pick(r, &[("base_path", "BasePath"), ("stage_name", "Stage")])
                };
                if let Some(d) = reference(r, "domain_name") {
                    // A domain name resource's Ref is its name; a literal stays a literal.
                    let d = match (&d, r.values.get("domain_name")) {
                        (_, Some(Value::String(name))) => json!(name),
                        _ => d,
                    };
                    p.insert("DomainName".into(), d);
                }
                // The API of this file (a Ref), or an API id the file only names.
                let api = match linker.link(r, "api_id") {
                    Some(_) => reference(r, "api_id"),
                    None => value(r, "api_id"),
                };
                if let Some(a) = api {
                    p.insert((if v2 { "ApiId" } else { "RestApiId" }).into(), a);
                }
                (
                    if v2 {
                        "AWS::ApiGatewayV2::ApiMapping"
                    } else {
                        "AWS::ApiGateway::BasePathMapping"
                    },
                    p,
                )
            }
            "aws_apigatewayv2_stage" => {
                let mut p = pick(
                    r,
                    &[("name", "StageName"), ("stage_variables", "StageVariables")],
                );
                if let Some(v) = reference(r, "api_id") {
                    p.insert("ApiId".into(), v);
                }
                // `route_settings` blocks, keyed by their route_key as CloudFormation's
                // RouteSettings are (what `apigatewayv2::route_settings` checks).
                let keyed: Map<String, Value> = blocks(r.values.get("route_settings"))
                    .into_iter()
                    .filter_map(|b| Some((b.get("route_key")?.as_str()?.to_string(), b.clone())))
                    .collect();
                if !keyed.is_empty() {
                    p.insert("RouteSettings".into(), Value::Object(keyed));
                }
                ("AWS::ApiGatewayV2::Stage", p)
            }
            "aws_apigatewayv2_api" => {
                let mut p = pick(
                    r,
                    &[
                        ("name", "Name"),
                        ("protocol_type", "ProtocolType"),
                        ("route_selection_expression", "RouteSelectionExpression"),
                        ("disable_execute_api_endpoint", "DisableExecuteApiEndpoint"),
                    ],
                );
                if let Some(body) = r
                    .values
                    .get("body")
                    .and_then(Value::as_str)
                    .and_then(|b| serde_json::from_str::<Value>(b).ok())
                {
                    p.insert("Body".into(), body);
                }
                ("AWS::ApiGatewayV2::Api", p)
            }
            "aws_apigatewayv2_route" => {
                let mut p = pick(
                    r,
                    &[
                        ("route_key", "RouteKey"),
                        ("authorization_type", "AuthorizationType"),
                        ("authorization_scopes", "AuthorizationScopes"),
                        (
                            "route_response_selection_expression",
                            "RouteResponseSelectionExpression",
                        ),
                    ],
                );
                for (tf, cfn) in [("api_id", "ApiId"), ("authorizer_id", "AuthorizerId")] {
                    if let Some(v) = reference(r, tf) {
                        p.insert(cfn.into(), v);
                    }
                }
                // "integrations/ID" (state), or the configuration's reference (plan).
                let by_value = r
                    .values
                    .get("target")
                    .and_then(Value::as_str)
                    .and_then(|t| t.strip_prefix("integrations/"))
                    .and_then(|id| linker.by_id.get(id).cloned());
                if let Some(Link::Resource(i)) = by_value.or_else(|| linker.link(r, "target")) {
                    p.insert("Target".into(), json!({"Ref": i}));
                }
                origins.insert(r.address.clone(), Origin::whole(&r.path));
                ("AWS::ApiGatewayV2::Route", p)
            }
            "aws_apigatewayv2_integration" => {
                let mut p = pick(
                    r,
                    &[
                        ("integration_type", "IntegrationType"),
                        ("integration_uri", "IntegrationUri"),
                        ("integration_method", "IntegrationMethod"),
                        ("payload_format_version", "PayloadFormatVersion"),
                        ("connection_type", "ConnectionType"),
                        ("connection_id", "ConnectionId"),
                        ("credentials_arn", "CredentialsArn"),
                        ("integration_subtype", "IntegrationSubtype"),
                        ("timeout_milliseconds", "TimeoutInMillis"),
                        ("request_parameters", "RequestParameters"),
                    ],
                );
                // response_parameters: [{status_code, mappings: {...}}] → by status.
                let mut by_status = Map::new();
                for rp in r
                    .values
                    .get("response_parameters")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let (Some(code), Some(m)) = (
                        rp.get("status_code").and_then(Value::as_str),
                        rp.get("mappings").and_then(Value::as_object),
                    ) {
                        let list: Vec<Value> = m
                            .iter()
                            .map(|(d, s)| json!({"Destination": d, "Source": s}))
                            .collect();
                        by_status.insert(code.into(), json!({"ResponseParameters": list}));
                    }
                }
                if !by_status.is_empty() {
                    p.insert("ResponseParameters".into(), Value::Object(by_status));
                }
                if let Some(v) = reference(r, "api_id") {
                    p.insert("ApiId".into(), v);
                }
                origins.insert(r.address.clone(), Origin::whole(&r.path));
                ("AWS::ApiGatewayV2::Integration", p)
            }
            // WebSocket APIs' route and integration responses.
            "aws_apigatewayv2_route_response" | "aws_apigatewayv2_integration_response" => {
                let (key, parent, parent_cfn, kind) = if r.kind == "aws_apigatewayv2_route_response"
                {
                    (
                        ("route_response_key", "RouteResponseKey"),
                        "route_id",
                        "RouteId",
                        "AWS::ApiGatewayV2::RouteResponse",
                    )
                } else {
                    (
                        ("integration_response_key", "IntegrationResponseKey"),
                        "integration_id",
                        "IntegrationId",
                        "AWS::ApiGatewayV2::IntegrationResponse",
                    )
                };
                let mut p = pick(r, &[key]);
                for (tf, cfn) in [("api_id", "ApiId"), (parent, parent_cfn)] {
                    if let Some(v) = reference(r, tf) {
                        p.insert(cfn.into(), v);
                    }
                }
                origins.insert(r.address.clone(), Origin::whole(&r.path));
                (kind, p)
            }
            "aws_apigatewayv2_authorizer" => {
                let mut p = pick(
                    r,
                    &[
                        ("name", "Name"),
                        ("authorizer_type", "AuthorizerType"),
                        ("identity_sources", "IdentitySource"),
                        ("authorizer_uri", "AuthorizerUri"),
                        ("authorizer_credentials_arn", "AuthorizerCredentialsArn"),
                        ("enable_simple_responses", "EnableSimpleResponses"),
                        (
                            "authorizer_payload_format_version",
                            "AuthorizerPayloadFormatVersion",
                        ),
                        (
                            "authorizer_result_ttl_in_seconds",
                            "AuthorizerResultTtlInSeconds",
                        ),
                    ],
                );
                if let Some(c) = r
                    .values
                    .get("jwt_configuration")
                    .and_then(Value::as_array)
                    .and_then(|c| c.first())
                {
                    p.insert(
                        "JwtConfiguration".into(),
                        json!({"Issuer": c.get("issuer"), "Audience": c.get("audience")}),
                    );
                }
                ("AWS::ApiGatewayV2::Authorizer", p)
            }
            _ => continue,
        };
        out.insert(
            r.address.clone(),
            json!({"Type": kind, "Properties": props, super::ORIGIN: r.path}),
        );
    }
    (json!({"Resources": out}), origins)
}

/// `aws_cloudfront_distribution`'s attributes as CloudFormation's `DistributionConfig`
/// (blocks are lists of one; names in snake case).
fn distribution_config(v: &Map<String, Value>) -> Value {
    let first = |v: Option<&Value>| v.and_then(Value::as_array).and_then(|a| a.first()).cloned();
    let list = |v: Option<&Value>| v.and_then(Value::as_array).cloned().unwrap_or_default();
    let behavior = |b: &Value| {
        let mut out = Map::new();
        for (tf, cfn) in [
            ("target_origin_id", "TargetOriginId"),
            ("viewer_protocol_policy", "ViewerProtocolPolicy"),
            ("allowed_methods", "AllowedMethods"),
            ("cached_methods", "CachedMethods"),
            ("cache_policy_id", "CachePolicyId"),
            ("origin_request_policy_id", "OriginRequestPolicyId"),
            ("path_pattern", "PathPattern"),
        ] {
            if let Some(x) = b.get(tf).filter(|x| !x.is_null() && x.as_str() != Some("")) {
                out.insert(cfn.into(), x.clone());
            }
        }
        if let Some(f) = first(b.get("forwarded_values")) {
            out.insert(
                "ForwardedValues".into(),
                json!({"QueryString": f.get("query_string"),
                       "Headers": list(f.get("headers")),
                       "Cookies": {"Forward": first(f.get("cookies")).and_then(|c| c.get("forward").cloned())}}),
            );
        }
        Value::Object(out)
    };
    let origins: Vec<Value> = list(v.get("origin"))
        .iter()
        .map(|o| {
            let mut out = json!({"Id": o.get("origin_id"), "DomainName": o.get("domain_name"),
                                 "OriginPath": o.get("origin_path").cloned().unwrap_or(json!(""))});
            if let Some(c) = first(o.get("custom_origin_config")) {
                out["CustomOriginConfig"] = json!({"HTTPPort": c.get("http_port"),
                    "HTTPSPort": c.get("https_port"),
                    "OriginProtocolPolicy": c.get("origin_protocol_policy"),
                    "OriginSSLProtocols": list(c.get("origin_ssl_protocols"))});
            }
            let headers: Vec<Value> = list(o.get("custom_header"))
                .iter()
                .map(|h| json!({"HeaderName": h.get("name"), "HeaderValue": h.get("value")}))
                .collect();
            if !headers.is_empty() {
                out["OriginCustomHeaders"] = json!(headers);
            }
            out
        })
        .collect();
    let errors: Vec<Value> = list(v.get("custom_error_response"))
        .iter()
        .map(|e| {
            json!({"ErrorCode": e.get("error_code"), "ResponseCode": e.get("response_code"),
                        "ResponsePagePath": e.get("response_page_path")})
        })
        .collect();
    let mut config = json!({"Enabled": v.get("enabled"), "Aliases": list(v.get("aliases")),
                            "Origins": origins,
                            "CacheBehaviors": list(v.get("ordered_cache_behavior")).iter().map(behavior).collect::<Vec<_>>(),
                            "CustomErrorResponses": errors});
    if let Some(d) = first(v.get("default_cache_behavior")) {
        config["DefaultCacheBehavior"] = behavior(&d);
    }
    config
}

/// What a plan or state says about API Gateway's right to invoke its Lambda functions
/// (`aws_lambda_function`, `aws_lambda_permission`), as a template's: functions by their
/// configuration address, a permission's function by its value (a name or ARN) or, when that
/// is known only after apply, by the configuration's reference.
pub fn lambda_permissions(doc: &Value) -> super::cloudformation::LambdaPermissions {
    let mut out = super::cloudformation::LambdaPermissions::default();
    let resources = collect(doc);
    for r in resources.iter().filter(|r| r.kind == "aws_lambda_function") {
        out.functions.insert(r.config_address.clone());
        for attr in ["function_name", "arn"] {
            if let Some(v) = r.values.get(attr).and_then(Value::as_str) {
                out.names.insert(v.to_string(), r.config_address.clone());
            }
        }
    }
    let references = references(doc);
    for r in resources
        .iter()
        .filter(|r| r.kind == "aws_lambda_permission")
    {
        let principal = r.values.get("principal").and_then(Value::as_str);
        if principal.is_some_and(|p| !p.starts_with("apigateway.")) {
            continue;
        }
        let function = match r.values.get("function_name").and_then(Value::as_str) {
            Some(v) => out.function_named(v),
            None => references
                .get(&(r.config_address.clone(), "function_name".to_string()))
                .into_iter()
                .flatten()
                .find(|a| out.functions.contains(a.as_str()))
                .cloned(),
        };
        // A source ARN that writes a path parameter literally matches no call to that path.
        if let Some(arn) = r.values.get("source_arn").and_then(Value::as_str)
            && let Some(segment) = super::cloudformation::literal_parameter(arn)
        {
            out.faulty_source_arns
                .push(super::cloudformation::FaultySourceArn {
                    permission: r.address.clone(),
                    arn: arn.to_string(),
                    fault: super::cloudformation::SourceArnFault::LiteralParameter(
                        segment.to_string(),
                    ),
                    location: r.path.clone(),
                    function: function.clone(),
                });
        }
        // A principal known only after apply, or a function the document does not name: which
        // functions API Gateway may invoke is unknown.
        match function.filter(|_| principal.is_some()) {
            Some(f) => {
                out.permitted.insert(f);
            }
            None => out.unattributed = true,
        }
    }
    out
}

/// The resources of a plan or state that turn API Gateway's logging on
/// (`aws_api_gateway_method_settings` with a logging level or data tracing, a stage's
/// `access_log_settings`, a WebSocket stage's route logging level), and whether it sets the
/// account's CloudWatch Logs role (`aws_api_gateway_account`).
pub fn logging_stages(doc: &Value) -> (Vec<crate::checks::lint::LoggingStage>, bool) {
    use crate::checks::lint::{LoggingStage, logging_level_on};
    let mut stages = Vec::new();
    let mut account = false;
    let resources = collect(doc);
    // WebSocket APIs by id (a state's; a plan leaves ids unknown): their stages' access logs
    // need the account's role too.
    let websocket_ids: Vec<&str> = resources
        .iter()
        .filter(|r| {
            r.kind == "aws_apigatewayv2_api"
                && r.values
                    .get("protocol_type")
                    .and_then(Value::as_str)
                    .is_some_and(|t| t.eq_ignore_ascii_case("WEBSOCKET"))
        })
        .filter_map(|r| r.values.get("id").and_then(Value::as_str))
        .collect();
    for r in &resources {
        let setting = match r.kind {
            "aws_api_gateway_account" => {
                account = true;
                None
            }
            "aws_api_gateway_method_settings" => {
                blocks(r.values.get("settings")).into_iter().find_map(|s| {
                    logging_level_on(s.get("logging_level"))
                        .map(|l| format!("settings.logging_level = {l}"))
                        .or_else(|| {
                            (s.get("data_trace_enabled") == Some(&Value::Bool(true)))
                                .then(|| "settings.data_trace_enabled = true".to_string())
                        })
                })
            }
            "aws_api_gateway_stage" => (!blocks(r.values.get("access_log_settings")).is_empty())
                .then(|| "access_log_settings".to_string()),
            "aws_apigatewayv2_stage" => blocks(r.values.get("default_route_settings"))
                .into_iter()
                .chain(blocks(r.values.get("route_settings")))
                .find_map(|s| {
                    logging_level_on(s.get("logging_level")).map(|l| format!("logging_level = {l}"))
                })
                .or_else(|| {
                    let websocket = r
                        .values
                        .get("api_id")
                        .and_then(Value::as_str)
                        .is_some_and(|id| websocket_ids.contains(&id));
                    (websocket && !blocks(r.values.get("access_log_settings")).is_empty())
                        .then(|| "access_log_settings".to_string())
                }),
            _ => None,
        };
        if let Some(setting) = setting {
            stages.push(LoggingStage {
                resource: r.address.clone(),
                setting,
                location: r.path.clone(),
            });
        }
    }
    (stages, account)
}

/// A Terraform block's values (blocks are lists in the JSON), none when it is absent or null.
fn blocks(v: Option<&Value>) -> Vec<&Value> {
    v.and_then(Value::as_array).into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_lose_their_instance_keys() {
        assert_eq!(
            strip_index("aws_api_gateway_method.m[0]"),
            "aws_api_gateway_method.m"
        );
        assert_eq!(
            strip_index("module.api[\"a\"].aws_api_gateway_method.m[\"GET\"]"),
            "module.api.aws_api_gateway_method.m"
        );
    }
}
