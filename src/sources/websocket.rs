//! WebSocket APIs written as CloudFormation resources (`AWS::ApiGatewayV2::Api` with
//! ProtocolType WEBSOCKET, and its `Route`, `RouteResponse`, `Integration` and
//! `IntegrationResponse` resources; SAM templates and the CDK write them so), read into the
//! model `lint` checks. Facts: the CloudFormation reference pages of those resource types.
use super::intrinsics::Resolver;
use crate::checks::websocket::{WsApi, WsIntegration, WsRoute};
use serde_json::Value;

/// What a refusal to follow a request through a template with no REST or HTTP definition adds
/// when the template's APIs are WebSocket APIs: their names, and that `lint` checks them.
pub fn refusal_note(template: &Value) -> String {
    let ids: Vec<&String> = template
        .get("Resources")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(_, r)| match r.get("Type").and_then(Value::as_str) {
            Some("AWS::Serverless::WebSocketApi") => true,
            Some("AWS::ApiGatewayV2::Api") => r
                .pointer("/Properties/ProtocolType")
                .and_then(Value::as_str)
                .is_some_and(|p| p.eq_ignore_ascii_case("WEBSOCKET")),
            _ => false,
        })
        .map(|(id, _)| id)
        .collect();
    match ids.as_slice() {
        [] => String::new(),
        ids => format!(
            " (its WebSocket API{} {}: `apigw-doctor lint` checks {} routes; this command follows REST and HTTP requests)",
            if ids.len() == 1 { "" } else { "s" },
            ids.iter()
                .take(5)
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            if ids.len() == 1 { "its" } else { "their" }
        ),
    }
}

/// Every WebSocket API of a template.
pub fn read(template: &Value, overrides: &[(String, String)]) -> Vec<WsApi> {
    let Some(resources) = template.get("Resources").and_then(Value::as_object) else {
        return Vec::new();
    };
    let resolver = Resolver::new(template, overrides);
    let of_type = |t: &'static str| {
        resources
            .iter()
            .filter(move |(_, r)| r.get("Type").and_then(Value::as_str) == Some(t))
            .filter_map(|(id, r)| Some((id, r.get("Properties")?)))
    };
    let refers = |p: &Value, key: &str, id: &str| {
        p.get(key)
            .and_then(|a| a.get("Ref"))
            .and_then(Value::as_str)
            == Some(id)
    };
    let text = |p: &Value, key: &str| p.get(key).and_then(|v| resolver.text(v));
    // Route and integration responses by the logical id of the route or integration they
    // name (`RouteId: !Ref R`), gathered once.
    let mut responses = Responses::default();
    for (kind, by, key, into) in [
        (
            "AWS::ApiGatewayV2::RouteResponse",
            "RouteId",
            "RouteResponseKey",
            &mut responses.route,
        ),
        (
            "AWS::ApiGatewayV2::IntegrationResponse",
            "IntegrationId",
            "IntegrationResponseKey",
            &mut responses.integration,
        ),
    ] {
        for (_, p) in of_type(kind) {
            if let (Some(owner), Some(k)) = (
                p.get(by).and_then(|a| a.get("Ref")).and_then(Value::as_str),
                text(p, key),
            ) {
                into.entry(owner.to_string()).or_default().push(k);
            }
        }
    }
    let mut apis = Vec::new();
    for (id, api) in resources {
        if api.get("Type").and_then(Value::as_str) == Some("AWS::Serverless::WebSocketApi") {
            apis.push(sam_api(id, api, template, &resolver, &responses));
            continue;
        }
        if api.get("Type").and_then(Value::as_str) != Some("AWS::ApiGatewayV2::Api") {
            continue;
        }
        let props = api.get("Properties").cloned().unwrap_or_default();
        let protocol = text(&props, "ProtocolType").unwrap_or_default();
        if !protocol.eq_ignore_ascii_case("WEBSOCKET") {
            continue;
        }
        let mut ws = WsApi {
            id: id.clone(),
            name: text(&props, "Name").unwrap_or_else(|| id.clone()),
            route_selection_expression: text(&props, "RouteSelectionExpression"),
            origin: crate::locate::resource_path(id),
            ..WsApi::default()
        };
        for (iid, p) in of_type("AWS::ApiGatewayV2::Integration") {
            if !refers(p, "ApiId", id) {
                continue;
            }
            ws.integrations.push(WsIntegration {
                id: iid.clone(),
                kind: text(p, "IntegrationType").unwrap_or_default(),
                uri: text(p, "IntegrationUri"),
                credentials: text(p, "CredentialsArn"),
                integration_responses: responses.of_integration(iid),
                origin: crate::locate::resource_path(iid),
            });
        }
        for (rid, p) in of_type("AWS::ApiGatewayV2::Route") {
            if !refers(p, "ApiId", id) {
                continue;
            }
            let Some(key) = text(p, "RouteKey") else {
                continue;
            };
            let integration = p.get("Target").and_then(|t| {
                super::apigatewayv2::target(Some(t), resources)
                    .map(|(iid, _)| iid)
                    .or_else(|| {
                        resolver
                            .text(t)
                            .map(|s| s.trim_start_matches("integrations/").to_string())
                    })
            });
            ws.routes.push(WsRoute {
                key,
                integration,
                authorization_type: text(p, "AuthorizationType").unwrap_or_else(|| "NONE".into()),
                authorizer_id: None,
                route_response_selection_expression: text(p, "RouteResponseSelectionExpression"),
                route_responses: responses.of_route(rid),
                route_responses_known: true,
                origin: crate::locate::resource_path(rid),
            });
        }
        apis.push(ws);
    }
    apis
}

/// A template's route responses and integration responses, by the logical id of the route or
/// integration each names.
#[derive(Default)]
struct Responses {
    route: std::collections::HashMap<String, Vec<String>>,
    integration: std::collections::HashMap<String, Vec<String>>,
}

impl Responses {
    fn of_route(&self, id: &str) -> Vec<String> {
        self.route.get(id).cloned().unwrap_or_default()
    }

    fn of_integration(&self, id: &str) -> Vec<String> {
        self.integration.get(id).cloned().unwrap_or_default()
    }
}

/// The route and integration logical ids SAM gives route `key` of WebSocket API
/// `id` (`MyApiConnectRoute`: `$connect`, `$disconnect` and `$default` lose their `$`, an
/// alphanumeric key is capitalized as Python's `str.capitalize`); none for a key SAM refuses
/// [samtranslator websocket_api_generator.py `_generate_route_resource_ids`].
fn sam_route_ids(id: &str, key: &str) -> Option<(String, String)> {
    let clean = match key {
        "$connect" | "$disconnect" | "$default" => key[1..].to_string(),
        _ if !key.is_empty() && key.chars().all(char::is_alphanumeric) => key.to_string(),
        _ => return None,
    };
    let mut chars = clean.chars();
    let first = chars.next()?;
    let clean: String = first
        .to_uppercase()
        .chain(chars.flat_map(char::to_lowercase))
        .collect();
    Some((
        format!("{id}{clean}Route"),
        format!("{id}{clean}Integration"),
    ))
}

/// `base.key`, or `base['key']` for a key that is not a plain name (`$connect`).
fn key_path(base: &str, key: &str) -> String {
    if key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        format!("{base}.{key}")
    } else {
        format!("{base}['{key}']")
    }
}

/// SAM's `AWS::Serverless::WebSocketApi` as SAM translates it, with `Globals.WebSocketApi`
/// merged in: one route, one AWS_PROXY integration calling the route's `FunctionArn` and one
/// permission per key of `Routes`; `Auth` goes on `$connect` alone (AWS_IAM, NONE, or CUSTOM
/// with a REQUEST authorizer calling `AuthArn`). What the SAM transform refuses is kept in
/// SAM's words (`refused`), in the order SAM checks it [samtranslator sam_resources.py
/// SamWebSocketApi and websocket_api_generator.py; its translator tests websocket_api_* and
/// error_websocket_api_*].
fn sam_api(
    id: &str,
    resource: &Value,
    template: &Value,
    resolver: &Resolver<'_>,
    responses: &Responses,
) -> WsApi {
    let origin = crate::locate::resource_path(id);
    let props = super::sam::with_globals_of(template, Some(resource), "WebSocketApi")
        .and_then(|a| a.get("Properties").cloned())
        .unwrap_or_default();
    let text = |key: &str| props.get(key).and_then(|v| resolver.text(v));
    let mut ws = WsApi {
        id: id.to_string(),
        name: text("Name").unwrap_or_else(|| id.to_string()),
        route_selection_expression: text("RouteSelectionExpression"),
        origin: origin.clone(),
        ..WsApi::default()
    };
    // Where a setting (one the API has, on its resource or from Globals) is written.
    let at = |key: &str| super::sam::setting_location_in(id, "WebSocketApi", Some(resource), key).0;
    // SAM reports an API's first refusal; a run lists the first fifty and counts the rest.
    let mut not_listed = 0;
    let mut refuse = |location: String, said: &str| {
        if ws.refused.len() < MAX_REFUSED {
            ws.refused.push((location, said.to_string()));
        } else {
            not_listed += 1;
        }
    };
    // SAM's property validation.
    for key in ["Routes", "RouteSelectionExpression"] {
        if props.get(key).is_none_or(Value::is_null) {
            refuse(
                origin.clone(),
                &format!("Missing required property '{key}'."),
            );
        }
    }
    for key in [
        "Routes",
        "AccessLogSettings",
        "Auth",
        "DefaultRouteSettings",
        "Domain",
        "RouteSettings",
        "StageVariables",
        "Tags",
    ] {
        if props
            .get(key)
            .is_some_and(|v| !v.is_object() && !v.is_null())
        {
            refuse(at(key), &format!("Property '{key}' should be a map."));
        }
    }
    let routes = props.get("Routes").and_then(Value::as_object);
    let routes_refused = routes.is_none_or(|r| r.is_empty());
    if routes.is_some_and(|r| r.is_empty()) {
        refuse(at("Routes"), "WebSocket API must have at least one route.");
    }
    if let Some(t) = props.get("IpAddressType").and_then(Value::as_str)
        && t != "ipv4"
        && t != "dualstack"
    {
        refuse(
            at("IpAddressType"),
            "IpAddressType must be 'ipv4' or 'dualstack'.",
        );
    }
    if let Some((key, said)) = props
        .get("Domain")
        .filter(|d| d.is_object())
        .and_then(super::sam::v2_domain_refusal)
    {
        refuse(at(key), said);
    }
    if props
        .pointer("/Domain/MutualTlsAuthentication")
        .is_some_and(|m| !m.is_null())
    {
        refuse(
            at("Domain"),
            "Mutual TLS domain name association is not supported for Websocket APIs.",
        );
    }
    let auth = props
        .get("Auth")
        .and_then(Value::as_object)
        .filter(|a| !a.is_empty());
    let connect = routes.is_some_and(|r| r.contains_key("$connect"));
    if auth.is_some() && routes.is_some() && !connect {
        refuse(
            at("Auth"),
            "Authorization is only available if there is a $connect route.",
        );
    }
    if text("StageName").as_deref() == Some("$default") {
        refuse(
            at("StageName"),
            "Stages cannot be named $default for WebSocket APIs.",
        );
    }
    // The $connect route's authorization: SAM compares AuthType as written (after checking it
    // in upper case), so only CUSTOM and AWS_IAM, so spelled, protect the route.
    let mut connect_auth = "NONE".to_string();
    let mut auth_ignored = None;
    if let Some(auth) = auth.filter(|_| connect) {
        let kind = auth.get("AuthType").and_then(|t| resolver.text(t));
        let said = match kind.as_deref().map(str::to_ascii_uppercase).as_deref() {
            None => Some("AuthType must be specified for additional auth configurations."),
            Some(k) if !["NONE", "AWS_IAM", "CUSTOM"].contains(&k) => {
                Some("AuthType is not one of AWS_IAM, CUSTOM or NONE.")
            }
            Some("CUSTOM") if auth.get("AuthArn").is_none() => {
                Some("AuthArn must be specified if AuthType is CUSTOM.")
            }
            Some("AWS_IAM") if auth.len() > 1 => {
                Some("No additional configurations supported for AuthType AWS_IAM.")
            }
            Some("NONE") if auth.len() > 1 => {
                Some("No additional configurations supported for AuthType NONE.")
            }
            _ => None,
        };
        match (said, kind.as_deref()) {
            (Some(said), _) => refuse(at("Auth"), said),
            (None, Some(k @ ("CUSTOM" | "AWS_IAM"))) => connect_auth = k.to_string(),
            (None, Some(k)) if !k.eq_ignore_ascii_case("NONE") => {
                auth_ignored = Some((
                    format!("{}.AuthType", at("Auth")),
                    format!(
                        "{id}: Auth.AuthType '{k}' is taken by SAM but not applied: SAM checks AuthType in capitals and then compares it as written, so it deploys $connect with AuthorizationType NONE{}, and anyone can connect; write '{}'",
                        if k.eq_ignore_ascii_case("CUSTOM") {
                            " and no authorizer"
                        } else {
                            ""
                        },
                        k.to_ascii_uppercase()
                    ),
                ));
            }
            (None, _) => {}
        }
    }
    let routes_at = at("Routes");
    for (key, spec) in routes.into_iter().flatten() {
        let route_origin = key_path(&routes_at, key);
        let Some((route_id, integration_id)) = sam_route_ids(id, key) else {
            refuse(
                route_origin,
                &format!(
                    "Route key '{key}' must be alphanumeric. Only $connect, $disconnect, and $default special routes are supported."
                ),
            );
            continue;
        };
        if key != "$connect"
            && spec
                .get("RequestParameters")
                .is_some_and(|p| p.as_object().is_none_or(|o| !o.is_empty()) && !p.is_null())
        {
            refuse(
                key_path(&route_origin, "RequestParameters"),
                "Request parameters are only supported for the $connect route in WebSocket APIs.",
            );
        }
        let function = spec.get("FunctionArn");
        if function.is_none() {
            refuse(route_origin.clone(), "Route must have associated function.");
        }
        if let Some(f) = function {
            let arn = resolver.text(f).unwrap_or_else(|| "${FunctionArn}".into());
            ws.integrations.push(WsIntegration {
                id: integration_id.clone(),
                kind: "AWS_PROXY".into(),
                uri: Some(format!(
                    "arn:${{AWS::Partition}}:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/{arn}/invocations"
                )),
                credentials: None,
                integration_responses: responses.of_integration(&integration_id),
                origin: route_origin.clone(),
            });
        }
        ws.routes.push(WsRoute {
            key: key.clone(),
            integration: function.map(|_| integration_id),
            authorization_type: if key == "$connect" {
                connect_auth.clone()
            } else {
                "NONE".into()
            },
            authorizer_id: None,
            route_response_selection_expression: spec
                .get("RouteResponseSelectionExpression")
                .and_then(|e| resolver.text(e)),
            route_responses: responses.of_route(&route_id),
            route_responses_known: true,
            origin: route_origin,
        });
    }
    ws.refused_not_listed = not_listed;
    ws.routes_refused = routes_refused;
    ws.auth_ignored = auth_ignored;
    ws
}

/// How many refusals of one SAM WebSocket API a run lists.
const MAX_REFUSED: usize = 50;
