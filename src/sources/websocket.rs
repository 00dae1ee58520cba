//! WebSocket APIs written as CloudFormation resources (`AWS::ApiGatewayV2::Api` with
//! ProtocolType WEBSOCKET, and its `Route`, `RouteResponse`, `Integration` and
//! `IntegrationResponse` resources; SAM templates and the CDK write them so), read into the
//! model `lint` checks. Facts: the CloudFormation reference pages of those resource types.
use super::intrinsics::Resolver;
use crate::checks::websocket::{WsApi, WsIntegration, WsRoute};
use serde_json::Value;

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
    let mut apis = Vec::new();
    for (id, api) in resources {
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
                integration_responses: of_type("AWS::ApiGatewayV2::IntegrationResponse")
                    .filter(|(_, r)| refers(r, "IntegrationId", iid))
                    .filter_map(|(_, r)| text(r, "IntegrationResponseKey"))
                    .collect(),
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
                route_responses: of_type("AWS::ApiGatewayV2::RouteResponse")
                    .filter(|(_, r)| refers(r, "RouteId", rid))
                    .filter_map(|(_, r)| text(r, "RouteResponseKey"))
                    .collect(),
                route_responses_known: true,
                origin: crate::locate::resource_path(rid),
            });
        }
        apis.push(ws);
    }
    apis
}
