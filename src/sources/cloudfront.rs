//! A CloudFront distribution written in a CloudFormation template
//! (`AWS::CloudFront::Distribution`), read into the shape `aws cloudfront
//! get-distribution-config` prints (CloudFormation writes plain lists where the API writes
//! `{"Quantity": n, "Items": [...]}`, and spells two keys differently), with the base path and
//! API mappings of the same template's custom domain names (`AWS::ApiGateway::BasePathMapping`,
//! `AWS::ApiGatewayV2::ApiMapping`) for `cloudfront`. Facts: the CloudFormation reference of
//! `AWS::CloudFront::Distribution` `DistributionConfig`, and the CloudFront API's
//! `DistributionConfig`.
use super::intrinsics::Resolver;
use crate::checks::cloudfront::{Mapping, Mappings};
use serde_json::{Map, Value, json};

/// Lists CloudFormation writes as arrays that the API wraps as `{Quantity, Items}`.
const LISTS: &[&str] = &[
    "Origins",
    "CacheBehaviors",
    "Aliases",
    "AllowedMethods",
    "CachedMethods",
    "Headers",
    "CustomErrorResponses",
    "OriginSslProtocols",
    "CustomHeaders",
    "WhitelistedNames",
    "QueryStringCacheKeys",
    "LambdaFunctionAssociations",
    "FunctionAssociations",
    "TrustedSigners",
    "TrustedKeyGroups",
];

/// A distribution read from a template: its logical id, its configuration as
/// `get-distribution-config` prints it, the template's mappings, and where its configuration
/// is written (a JSON path in the user's file).
pub type FromTemplate = (String, Value, Vec<Mappings>, String);

/// A template's distribution, in the API's shape, with the template's mappings; None when
/// the template holds no distribution; Err when it holds several (name one with `id`).
pub fn read(
    template: &Value,
    overrides: &[(String, String)],
    id: Option<&str>,
) -> Option<Result<FromTemplate, String>> {
    let resources = template.get("Resources")?.as_object()?;
    let distributions: Vec<(&String, &Value)> = resources
        .iter()
        .filter(|(_, r)| {
            r.get("Type").and_then(Value::as_str) == Some("AWS::CloudFront::Distribution")
        })
        .filter(|(k, _)| id.is_none_or(|want| want == k.as_str()))
        .collect();
    let (name, d) = match distributions.as_slice() {
        [] => return None,
        [one] => *one,
        many => {
            return Some(Err(format!(
                "the template holds {} distributions ({}): name one with --distribution LOGICAL_ID",
                many.len(),
                many.iter()
                    .map(|(k, _)| k.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    };
    let resolver = Resolver::new(template, overrides);
    let config = d
        .pointer("/Properties/DistributionConfig")
        .map(|c| api_shape(&resolver.value(c), 0))
        .unwrap_or(json!({}));
    let written_at = match d.get(super::ORIGIN).and_then(Value::as_str) {
        Some(origin) => origin.to_string(),
        None => format!(
            "{}.Properties.DistributionConfig",
            crate::locate::resource_path(name)
        ),
    };
    Some(Ok((
        name.clone(),
        json!({"DistributionConfig": config}),
        mappings(resources, &resolver),
        written_at,
    )))
}

/// CloudFormation's DistributionConfig in the API's spelling.
fn api_shape(v: &Value, depth: usize) -> Value {
    if depth > 32 {
        return v.clone();
    }
    match v {
        Value::Object(o) => {
            let mut out = Map::new();
            for (k, v) in o {
                let key = match k.as_str() {
                    "OriginSSLProtocols" => "OriginSslProtocols",
                    "OriginCustomHeaders" => "CustomHeaders",
                    other => other,
                };
                let v = api_shape(v, depth + 1);
                let v = match v {
                    Value::Array(items) if LISTS.contains(&key) => {
                        json!({"Quantity": items.len(), "Items": items})
                    }
                    other => other,
                };
                out.insert(key.to_string(), v);
            }
            // The API nests CachedMethods inside AllowedMethods.
            if let Some(cached) = out.remove("CachedMethods")
                && let Some(Value::Object(allowed)) = out.get_mut("AllowedMethods")
            {
                allowed.insert("CachedMethods".into(), cached);
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(|v| api_shape(v, depth + 1)).collect()),
        other => other.clone(),
    }
}

/// The template's base path mappings (REST) and API mappings (HTTP), by custom domain name.
fn mappings(resources: &Map<String, Value>, resolver: &Resolver<'_>) -> Vec<Mappings> {
    let mut by_domain: Vec<Mappings> = Vec::new();
    for r in resources.values() {
        let (domain, base, api, stage) = match r.get("Type").and_then(Value::as_str) {
            Some("AWS::ApiGateway::BasePathMapping") => {
                ("DomainName", "BasePath", "RestApiId", "Stage")
            }
            Some("AWS::ApiGatewayV2::ApiMapping") => {
                ("DomainName", "ApiMappingKey", "ApiId", "Stage")
            }
            _ => continue,
        };
        let Some(p) = r.get("Properties") else {
            continue;
        };
        let text = |k: &str| p.get(k).and_then(|v| resolver.text(v));
        let Some(domain) = text(domain).map(|d| d.to_ascii_lowercase()) else {
            continue;
        };
        let mapping = Mapping {
            base_path: text(base).unwrap_or_default().trim_matches('/').to_string(),
            api_id: text(api).unwrap_or_default(),
            stage: text(stage),
        };
        match by_domain
            .iter_mut()
            .find(|m| m.domain.as_deref() == Some(&domain))
        {
            Some(m) => m.items.push(mapping),
            None => by_domain.push(Mappings {
                domain: Some(domain),
                items: vec![mapping],
            }),
        }
    }
    by_domain
}
