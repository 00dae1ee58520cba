//! A CloudFront distribution in front of API Gateway, checked offline from the configuration
//! the AWS CLI prints (`get-distribution-config`, `get-distribution`), and a URL traced
//! through its cache behaviors, origin and the custom domain's API mappings to the API,
//! stage and resource that answers it.
//!
//! Sources: the seed article "custom domain endpoint for multiple APIs behind a CloudFront
//! web distribution" (empty origin path, HTTPS only, TLSv1.2, not yet deployed); CloudFront
//! Developer Guide (cache behavior path patterns `*` and `?` in order, then the default;
//! origin path prepended; managed origin request policies: AllViewer and
//! AllViewerAndCloudFrontHeaders-2022-06 forward the viewer's Host, AllViewerExceptHostHeader
//! does not); API Gateway Developer Guide (API mappings: the longest matching base path,
//! multi-level base paths, the empty base path; an unmapped path answers 403 Forbidden; the
//! default endpoint's first path segment is the stage; API Gateway needs its own Host).
use crate::finding::Finding;
use serde::Serialize;
use serde_json::{Value, json};

pub const ORIGIN_NOT_HTTPS: &str = "cloudfront.origin-not-https-only";
pub const ORIGIN_TLS: &str = "cloudfront.origin-tls-protocols";
pub const ORIGIN_PATH_REPEATS: &str = "cloudfront.origin-path-repeats-base-path";
pub const HOST_FORWARDED: &str = "cloudfront.host-header-forwarded";
pub const POLICY_UNKNOWN: &str = "cloudfront.origin-request-policy-unknown";
pub const AUTHORIZATION_NOT_FORWARDED: &str = "cloudfront.authorization-not-forwarded";
pub const DISABLED: &str = "cloudfront.distribution-disabled";
pub const IN_PROGRESS: &str = "cloudfront.distribution-in-progress";
pub const UNMAPPED_PATH: &str = "cloudfront.unmapped-path";
pub const ALIAS_MISSING: &str = "cloudfront.alias-missing";
pub const ORIGIN_NOT_CHECKED: &str = "cloudfront.origin-not-checked";
pub const ERROR_PAGES: &str = "cloudfront.error-pages-hide-api-errors";
pub const METHODS_NOT_ALLOWED: &str = "cloudfront.methods-not-allowed";

pub const CODES: &[&str] = &[
    ORIGIN_NOT_HTTPS,
    ORIGIN_TLS,
    ORIGIN_PATH_REPEATS,
    HOST_FORWARDED,
    POLICY_UNKNOWN,
    AUTHORIZATION_NOT_FORWARDED,
    DISABLED,
    IN_PROGRESS,
    UNMAPPED_PATH,
    ALIAS_MISSING,
    ORIGIN_NOT_CHECKED,
    ERROR_PAGES,
    METHODS_NOT_ALLOWED,
];

/// Managed origin request policies that forward the viewer's Host header to the origin.
const FORWARDS_HOST: &[(&str, &str)] = &[
    ("216adef6-5c7f-47e4-b989-5492eafa07d3", "AllViewer"),
    (
        "33f36d7e-f396-46d9-90e0-52428a34d9dc",
        "AllViewerAndCloudFrontHeaders-2022-06",
    ),
];
/// The managed policy made for API Gateway origins: every viewer header but Host.
const ALL_VIEWER_EXCEPT_HOST: &str = "b689b0a8-53d0-40ab-baf2-68738e2966ac";

/// One API mapping of a custom domain: `get-base-path-mappings` (REST) or
/// `get-api-mappings` (HTTP), normalised. `base_path` is "" for the empty base path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mapping {
    pub base_path: String,
    pub api_id: String,
    pub stage: Option<String>,
}

/// The mappings of one file, and the custom domain they belong to when the user said so.
#[derive(Debug, Clone)]
pub struct Mappings {
    pub domain: Option<String>,
    pub items: Vec<Mapping>,
}

/// Reads `get-base-path-mappings` (`items[].basePath/restApiId/stage`) or
/// `get-api-mappings` (`Items[].ApiMappingKey/ApiId/Stage`).
pub fn parse_mappings(doc: &Value) -> Result<Vec<Mapping>, String> {
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    if let Some(items) = doc.get("items").and_then(Value::as_array) {
        return items
            .iter()
            .map(|m| {
                let base = text(m, "basePath").unwrap_or_default();
                Ok(Mapping {
                    base_path: normalise_base(&base),
                    api_id: text(m, "restApiId").ok_or("a base path mapping without restApiId")?,
                    stage: text(m, "stage"),
                })
            })
            .collect();
    }
    if let Some(items) = doc.get("Items").and_then(Value::as_array) {
        return items
            .iter()
            .map(|m| {
                Ok(Mapping {
                    base_path: normalise_base(&text(m, "ApiMappingKey").unwrap_or_default()),
                    api_id: text(m, "ApiId").ok_or("an API mapping without ApiId")?,
                    stage: text(m, "Stage"),
                })
            })
            .collect();
    }
    Err(format!(
        "not the output of `aws apigateway get-base-path-mappings` (items) or `aws apigatewayv2 get-api-mappings` (Items): it looks like {}",
        crate::document::describe_for(doc, "cloudfront")
    ))
}

/// `(none)` (the REST API's spelling of the empty base path), "", "/v1/", "v1/orders".
fn normalise_base(base: &str) -> String {
    if base == "(none)" {
        return String::new();
    }
    base.trim_matches('/').to_string()
}

/// The distribution's configuration, from either command's output; with the status and
/// domain name when the document carries them (only `get-distribution` does).
pub struct Distribution<'a> {
    pub id: Option<&'a str>,
    pub domain_name: Option<&'a str>,
    pub status: Option<&'a str>,
    pub config: &'a Value,
}

pub fn distribution(doc: &Value) -> Result<Distribution<'_>, String> {
    if let Some(d) = doc.get("Distribution")
        && let Some(config) = d.get("DistributionConfig")
    {
        return Ok(Distribution {
            id: d.get("Id").and_then(Value::as_str),
            domain_name: d.get("DomainName").and_then(Value::as_str),
            status: d.get("Status").and_then(Value::as_str),
            config,
        });
    }
    if let Some(config) = doc.get("DistributionConfig") {
        return Ok(Distribution {
            id: None,
            domain_name: None,
            status: None,
            config,
        });
    }
    if doc.get("Origins").is_some() && doc.get("DefaultCacheBehavior").is_some() {
        return Ok(Distribution {
            id: None,
            domain_name: None,
            status: None,
            config: doc,
        });
    }
    Err(format!(
        "not the output of `aws cloudfront get-distribution-config` or `get-distribution`: it looks like {}",
        crate::document::describe_for(doc, "cloudfront")
    ))
}

/// `{"Quantity": n, "Items": [...]}` as CloudFront writes every list.
fn items(v: Option<&Value>) -> &[Value] {
    v.and_then(|v| v.get("Items"))
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or_default()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OriginKind {
    /// `API_ID.execute-api.REGION.amazonaws.com`: the first path segment is the stage.
    DefaultEndpoint,
    /// A custom domain name with API mappings.
    CustomDomain,
    /// Anything else (S3, another HTTP server, a custom domain without mappings given).
    Other,
}

#[derive(Debug, Clone, Serialize)]
pub struct Origin {
    pub id: String,
    pub domain_name: String,
    pub origin_path: String,
    pub kind: OriginKind,
    pub protocol_policy: Option<String>,
    pub ssl_protocols: Vec<String>,
    /// The API mappings used for this origin (custom domains).
    pub mappings: Vec<Mapping>,
}

fn is_execute_api(host: &str) -> bool {
    let labels: Vec<&str> = host.trim_end_matches('.').split('.').collect();
    labels.len() >= 5
        && matches!(labels[1], "execute-api" | "execute-api-fips")
        && labels[3] == "amazonaws"
        && !labels[0].starts_with("d-")
}

/// The origins, with the mapping files tied to them. A file without `DOMAIN=` belongs to
/// the only origin that could be a custom domain (an error when there are several).
pub fn origins(config: &Value, mappings: &[Mappings]) -> Result<Vec<Origin>, String> {
    let mut out: Vec<Origin> = items(config.get("Origins"))
        .iter()
        .map(|o| {
            let custom = o.get("CustomOriginConfig");
            let domain = text(o, "DomainName").to_ascii_lowercase();
            Origin {
                id: text(o, "Id").to_string(),
                kind: if is_execute_api(&domain) {
                    OriginKind::DefaultEndpoint
                } else {
                    OriginKind::Other
                },
                domain_name: domain,
                origin_path: text(o, "OriginPath").to_string(),
                protocol_policy: custom
                    .and_then(|c| c.get("OriginProtocolPolicy"))
                    .and_then(Value::as_str)
                    .map(str::to_string),
                ssl_protocols: items(custom.and_then(|c| c.get("OriginSslProtocols")))
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect(),
                mappings: Vec::new(),
            }
        })
        .collect();
    for m in mappings {
        let target = match &m.domain {
            Some(d) => {
                let d = d.to_ascii_lowercase();
                out.iter_mut().find(|o| o.domain_name == d).ok_or_else(|| {
                    format!(
                        "--mappings {d}=...: the distribution has no origin with that domain name"
                    )
                })?
            }
            None => {
                let mut candidates = out.iter_mut().filter(|o| {
                    o.kind != OriginKind::DefaultEndpoint && !o.domain_name.contains(".s3")
                });
                let first = candidates.next().ok_or(
                    "--mappings: the distribution has no origin that could be a custom domain name",
                )?;
                if candidates.next().is_some() {
                    return Err("--mappings: several origins could be the custom domain name; say which with --mappings DOMAIN=FILE".into());
                }
                first
            }
        };
        target.kind = OriginKind::CustomDomain;
        target.mappings.extend(m.items.iter().cloned());
    }
    Ok(out)
}

/// A cache behavior: its path pattern (None for the default) and settings.
struct Behavior<'a> {
    pattern: Option<&'a str>,
    settings: &'a Value,
}

fn behaviors(config: &Value) -> Vec<Behavior<'_>> {
    let mut out: Vec<Behavior> = items(config.get("CacheBehaviors"))
        .iter()
        .map(|b| Behavior {
            pattern: b.get("PathPattern").and_then(Value::as_str),
            settings: b,
        })
        .collect();
    if let Some(d) = config.get("DefaultCacheBehavior") {
        out.push(Behavior {
            pattern: None,
            settings: d,
        });
    }
    out
}

impl Behavior<'_> {
    fn label(&self) -> String {
        self.pattern.map_or("default".to_string(), str::to_string)
    }
}

/// CloudFront path patterns: `*` any run, `?` one character, case-sensitive; a leading `/`
/// is optional on both sides.
pub fn path_matches(pattern: &str, path: &str) -> bool {
    super::wildcard::matches(
        pattern.trim_start_matches('/'),
        path.trim_start_matches('/'),
    )
}

/// A custom origin that is not S3 and was not given as API Gateway: it may be an API
/// Gateway custom domain name, so the checks the configuration alone decides run on it,
/// said as uncertain.
pub fn may_be_api(o: &Origin) -> bool {
    o.kind == OriginKind::Other && o.protocol_policy.is_some() && !o.domain_name.contains(".s3")
}

/// The configuration checks.
pub fn check(d: &Distribution<'_>, origins: &[Origin]) -> Vec<Finding> {
    let mut f = Vec::new();
    if d.config.get("Enabled") == Some(&Value::Bool(false)) {
        f.push(
            Finding::error(
                DISABLED,
                "the distribution is disabled: CloudFront serves nothing for it",
            )
            .with("location", "$.DistributionConfig.Enabled"),
        );
    }
    if d.status == Some("InProgress") {
        f.push(Finding::warning(IN_PROGRESS, "the distribution's status is InProgress: the latest changes are not live everywhere yet, and it may answer 5xx meanwhile").with("status", "InProgress"));
    }
    for o in origins.iter().filter(|o| o.kind == OriginKind::Other) {
        // A custom origin that may well be an API Gateway custom domain: say it was not
        // checked as one, rather than stay silent.
        if o.protocol_policy.is_some() && !o.domain_name.contains(".s3") {
            f.push(
                Finding::info(ORIGIN_NOT_CHECKED, format!("origin {} ({}) was not checked as API Gateway: if it is a custom domain name, give its API mappings with --mappings {}=FILE (aws apigateway get-base-path-mappings --domain-name {} > FILE)", o.id, o.domain_name, o.domain_name, o.domain_name))
                    .with("origin", o.id.as_str()),
            );
        }
    }
    for o in origins.iter().filter(|o| o.kind != OriginKind::Other) {
        let at = format!("origin {} ({})", o.id, o.domain_name);
        match o.protocol_policy.as_deref() {
            Some("https-only") => {}
            Some("http-only") => f.push(
                Finding::error(ORIGIN_NOT_HTTPS, format!("{at}: OriginProtocolPolicy is http-only, but API Gateway serves HTTPS only: every request fails at the origin"))
                    .with("origin", o.id.as_str())
                    .with("found", "http-only"),
            ),
            Some(other) => f.push(
                Finding::warning(ORIGIN_NOT_HTTPS, format!("{at}: OriginProtocolPolicy is {other}: viewers arriving over HTTP reach API Gateway over HTTP, which it does not serve"))
                    .with("origin", o.id.as_str())
                    .with("found", other),
            ),
            None => f.push(
                Finding::error(ORIGIN_NOT_HTTPS, format!("{at}: the origin has no CustomOriginConfig, so it is not reached over HTTPS as a custom origin"))
                    .with("origin", o.id.as_str()),
            ),
        }
        let has = |p: &str| o.ssl_protocols.iter().any(|s| s.eq_ignore_ascii_case(p));
        if !o.ssl_protocols.is_empty() && !has("TLSv1.2") {
            f.push(
                Finding::error(
                    ORIGIN_TLS,
                    format!("{at}: OriginSslProtocols lacks TLSv1.2, which API Gateway requires"),
                )
                .with("origin", o.id.as_str())
                .with("found", json!(o.ssl_protocols)),
            );
        } else if has("SSLv3") {
            f.push(
                Finding::warning(ORIGIN_TLS, format!("{at}: OriginSslProtocols includes SSLv3, which API Gateway never accepts: keep TLSv1.2 only"))
                    .with("origin", o.id.as_str())
                    .with("found", json!(o.ssl_protocols)),
            );
        }
    }
    let mut api_behaviors = Vec::new();
    for b in behaviors(d.config) {
        let target = text(b.settings, "TargetOriginId");
        let Some(o) = origins.iter().find(|o| o.id == target) else {
            continue;
        };
        let maybe = may_be_api(o);
        if o.kind == OriginKind::Other && !maybe {
            continue;
        }
        let label = b.label();
        api_behaviors.push((label.clone(), o, maybe));
        // What a person reads first about a guess: that it is one.
        let hedge = |text: String| {
            if maybe {
                format!(
                    "if origin {} ({}) is an API Gateway custom domain name (say so with --mappings {}=FILE): {text}",
                    o.id, o.domain_name, o.domain_name
                )
            } else {
                text
            }
        };
        let allowed: Vec<String> = items(b.settings.get("AllowedMethods"))
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_ascii_uppercase)
            .collect();
        let writes = ["POST", "PUT", "PATCH", "DELETE"];
        if !writes.iter().any(|m| allowed.iter().any(|a| a == m)) {
            let (written, found) = if allowed.is_empty() {
                (
                    "has no AllowedMethods, so only GET and HEAD are allowed".to_string(),
                    json!(["GET", "HEAD"]),
                )
            } else {
                (
                    format!("allows only {}", allowed.join(", ")),
                    json!(allowed),
                )
            };
            f.push(
                Finding::warning(METHODS_NOT_ALLOWED, hedge(format!("cache behavior {label} {written}: CloudFront itself answers 403 to POST, PUT, PATCH and DELETE before they reach {}; allow GET, HEAD, OPTIONS, PUT, POST, PATCH, DELETE for an API", o.id)))
                    .with("behavior", label.as_str())
                    .with("allowed_methods", found)
                    .with("certain", !maybe),
            );
        }
        let legacy: Vec<&str> = items(
            b.settings
                .get("ForwardedValues")
                .and_then(|v| v.get("Headers")),
        )
        .iter()
        .filter_map(Value::as_str)
        .collect();
        let policy = b
            .settings
            .get("OriginRequestPolicyId")
            .and_then(Value::as_str);
        if legacy
            .iter()
            .any(|h| h.eq_ignore_ascii_case("host") || *h == "*")
        {
            f.push(
                Finding::error(HOST_FORWARDED, hedge(format!("cache behavior {label}: ForwardedValues forwards the viewer's Host header to {}: API Gateway answers 403 for a Host that is not its own", o.id)))
                    .with("behavior", label.as_str())
                    .with("headers", json!(legacy))
                    .with("certain", !maybe),
            );
        }
        if let Some(id) = policy {
            if let Some((_, name)) = FORWARDS_HOST.iter().find(|(p, _)| *p == id) {
                f.push(
                    Finding::error(HOST_FORWARDED, hedge(format!("cache behavior {label}: origin request policy {name} forwards the viewer's Host header to {}: API Gateway answers 403 for it; use AllViewerExceptHostHeader ({ALL_VIEWER_EXCEPT_HOST})", o.id)))
                        .with("behavior", label.as_str())
                        .with("origin_request_policy", id)
                        .with("certain", !maybe),
                );
            } else if maybe {
                // Unknown policies are only worth a word for a known API origin.
            } else if id != ALL_VIEWER_EXCEPT_HOST {
                f.push(
                    Finding::warning(POLICY_UNKNOWN, format!("cache behavior {label}: origin request policy {id} is not one whose headers this check knows; if it forwards Host, API Gateway answers 403 (see: aws cloudfront get-origin-request-policy --id {id})"))
                        .with("behavior", label.as_str())
                        .with("origin_request_policy", id),
                );
            }
        }
        if maybe {
            // The rest needs to know the origin is API Gateway (or its base paths).
            continue;
        }
        let authorization = legacy
            .iter()
            .any(|h| h.eq_ignore_ascii_case("authorization") || *h == "*");
        if policy.is_none() && !authorization {
            f.push(
                Finding::info(AUTHORIZATION_NOT_FORWARDED, format!("cache behavior {label}: the Authorization header is not forwarded to {}: IAM, Cognito and Lambda authorizers need it", o.id))
                    .with("behavior", label.as_str()),
            );
        } else if policy.is_some() {
            f.push(
                Finding::info(AUTHORIZATION_NOT_FORWARDED, format!("cache behavior {label}: with policies, Authorization reaches {} only when the cache policy includes it in the cache key (see: aws cloudfront get-cache-policy --id {}); IAM, Cognito and Lambda authorizers need it", o.id, text(b.settings, "CachePolicyId")))
                    .with("behavior", label.as_str()),
            );
        }
        // A path pattern that starts with what the origin path already adds.
        let first = |s: &str| {
            s.trim_start_matches('/')
                .split('/')
                .next()
                .unwrap_or_default()
                .to_string()
        };
        let origin_first = first(&o.origin_path);
        if !origin_first.is_empty()
            && let Some(pattern) = b.pattern
            && first(pattern) == origin_first
        {
            f.push(
                Finding::error(ORIGIN_PATH_REPEATS, format!("cache behavior {pattern} sends paths that start with /{origin_first} to origin {}, whose origin path {} adds /{origin_first} again: API Gateway answers 403 Missing Authentication Token; make the origin path empty", o.id, o.origin_path))
                    .with("behavior", pattern)
                    .with("origin_path", o.origin_path.as_str()),
            );
        }
    }
    // Custom error responses apply to every behavior: an SPA's "errors become /index.html
    // with 200" turns the API's 403s, 404s and 5xx into 200 HTML too.
    let rewrites: Vec<(String, String, String)> = items(d.config.get("CustomErrorResponses"))
        .iter()
        .filter_map(|r| {
            let code = r
                .get("ErrorCode")
                .map(|c| c.to_string().trim_matches('"').to_string())?;
            let page = text(r, "ResponsePagePath").to_string();
            let response = r
                .get("ResponseCode")
                .map(|c| c.to_string().trim_matches('"').to_string())
                .unwrap_or_default();
            (!page.is_empty()).then_some((code, page, response))
        })
        .collect();
    if !rewrites.is_empty()
        && let Some((label, o, maybe)) = api_behaviors.first()
    {
        let listed: Vec<String> = rewrites
            .iter()
            .map(|(code, page, response)| {
                format!(
                    "{code} -> {page}{}",
                    if response.is_empty() {
                        String::new()
                    } else {
                        format!(" ({response})")
                    }
                )
            })
            .collect();
        let as_200 = rewrites.iter().any(|(_, _, r)| r.starts_with('2'));
        let text = format!(
            "CustomErrorResponses ({}) apply to every cache behavior, the API's ({label}, origin {}) too: its error responses reach clients as {}; serve the API from a distribution (or origin) without them, or have the single-page app handle its own routes",
            listed.join(", "),
            o.id,
            if as_200 {
                "200 with the error page's HTML"
            } else {
                "the error page's HTML"
            }
        );
        let text = if *maybe {
            format!(
                "if origin {} is an API Gateway custom domain name: {text}",
                o.id
            )
        } else {
            text
        };
        f.push(
            Finding::error(ERROR_PAGES, text)
                .with("custom_error_responses", json!(listed))
                .with("behavior", label.as_str())
                .with("certain", !maybe)
                .with("location", "$.DistributionConfig.CustomErrorResponses"),
        );
    }
    f
}

/// A URL's way through the distribution.
#[derive(Debug, Clone, Serialize)]
pub struct Trace {
    pub behavior: String,
    pub origin: String,
    pub origin_path: String,
    pub forwarded_path: String,
    pub mapping: Option<Mapping>,
    pub api_id: Option<String>,
    pub stage: Option<String>,
    pub resource_path: Option<String>,
    /// What API Gateway answers when the configuration alone decides it (403s); null when
    /// it depends on the API's own resources and methods.
    pub expected_status: Option<u16>,
}

pub fn trace(
    d: &Distribution<'_>,
    origins: &[Origin],
    host: &str,
    path: &str,
) -> (Option<Trace>, Vec<Finding>) {
    let mut f = Vec::new();
    let aliases: Vec<String> = items(d.config.get("Aliases"))
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_ascii_lowercase)
        .collect();
    let host = host.to_ascii_lowercase();
    let own = d.domain_name.is_some_and(|n| n.eq_ignore_ascii_case(&host))
        || host.ends_with(".cloudfront.net");
    if !own && !aliases.contains(&host) {
        f.push(
            Finding::error(ALIAS_MISSING, format!("{host} is not one of the distribution's alternate domain names (aliases): CloudFront answers 403 (The request could not be satisfied) for it"))
                .with("host", host.as_str())
                .with("aliases", json!(aliases)),
        );
    }
    let all = behaviors(d.config);
    let Some(b) = all
        .iter()
        .find(|b| b.pattern.is_none_or(|p| path_matches(p, path)))
    else {
        return (None, f);
    };
    let target = text(b.settings, "TargetOriginId");
    let Some(o) = origins.iter().find(|o| o.id == target) else {
        return (None, f);
    };
    let forwarded = format!("{}{}", o.origin_path.trim_end_matches('/'), path);
    let mut t = Trace {
        behavior: b.label(),
        origin: o.id.clone(),
        origin_path: o.origin_path.clone(),
        forwarded_path: forwarded.clone(),
        mapping: None,
        api_id: None,
        stage: None,
        resource_path: None,
        expected_status: None,
    };
    let segments: Vec<&str> = forwarded.trim_start_matches('/').split('/').collect();
    let doubled = |head: &[&str], rest: &[&str]| !head.is_empty() && rest.starts_with(head);
    match o.kind {
        OriginKind::DefaultEndpoint => {
            t.api_id = o.domain_name.split('.').next().map(str::to_string);
            t.stage = segments.first().map(|s| s.to_string());
            t.resource_path = Some(format!(
                "/{}",
                segments.get(1..).unwrap_or_default().join("/")
            ));
            if segments.len() >= 2 && segments[0] == segments[1] {
                t.expected_status = Some(403);
                f.push(doubled_finding(o, &forwarded, segments[0]));
            }
        }
        OriginKind::CustomDomain => {
            // The longest base path that is a whole-segment prefix, else the empty one.
            let chosen = o
                .mappings
                .iter()
                .filter(|m| {
                    let base: Vec<&str> = if m.base_path.is_empty() {
                        Vec::new()
                    } else {
                        m.base_path.split('/').collect()
                    };
                    segments.starts_with(&base)
                })
                .max_by_key(|m| m.base_path.split('/').filter(|s| !s.is_empty()).count());
            match chosen {
                None => {
                    t.expected_status = Some(403);
                    f.push(
                        Finding::error(UNMAPPED_PATH, format!("no API mapping of {} covers {forwarded}: API Gateway answers 403 {{\"message\":\"Forbidden\"}}", o.domain_name))
                            .with("forwarded_path", forwarded.as_str())
                            .with("base_paths", json!(o.mappings.iter().map(|m| if m.base_path.is_empty() { "(none)" } else { m.base_path.as_str() }).collect::<Vec<_>>())),
                    );
                }
                Some(m) => {
                    let base: Vec<&str> =
                        m.base_path.split('/').filter(|s| !s.is_empty()).collect();
                    let rest = &segments[base.len()..];
                    t.mapping = Some(m.clone());
                    t.api_id = Some(m.api_id.clone());
                    let (stage, resource) = match &m.stage {
                        Some(s) => (Some(s.clone()), rest),
                        // A REST mapping without a stage takes it from the path.
                        None => (
                            rest.first().map(|s| s.to_string()),
                            rest.get(1..).unwrap_or_default(),
                        ),
                    };
                    t.stage = stage;
                    t.resource_path = Some(format!("/{}", resource.join("/")));
                    if doubled(&base, rest) {
                        t.expected_status = Some(403);
                        f.push(doubled_finding(o, &forwarded, &m.base_path));
                    }
                }
            }
        }
        OriginKind::Other => {}
    }
    (Some(t), f)
}

fn doubled_finding(o: &Origin, forwarded: &str, repeated: &str) -> Finding {
    let why = if o.origin_path.is_empty() {
        "the viewer path itself repeats it".to_string()
    } else {
        format!(
            "the origin path {} adds it before the viewer path",
            o.origin_path
        )
    };
    Finding::error(
        ORIGIN_PATH_REPEATS,
        format!("API Gateway receives {forwarded}: /{repeated} twice ({why}), so it answers 403 Missing Authentication Token; make the origin path empty and let the API mappings route"),
    )
    .with("forwarded_path", forwarded)
    .with("origin_path", o.origin_path.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_patterns_follow_cloudfront() {
        assert!(path_matches("/images/*.jpg", "/images/a/b.jpg"));
        assert!(path_matches("images/*", "/images/x"));
        assert!(path_matches("/v?/*", "/v1/orders"));
        assert!(!path_matches("/v1/*", "/V1/orders"));
        assert!(!path_matches("/api/*", "/apix"));
        assert!(path_matches("*", "/anything"));
    }

    #[test]
    fn execute_api_hosts_are_default_endpoints() {
        assert!(is_execute_api("abc123.execute-api.us-east-1.amazonaws.com"));
        assert!(is_execute_api(
            "a.execute-api-fips.us-gov-west-1.amazonaws.com"
        ));
        assert!(!is_execute_api("d-abc.execute-api.us-east-1.amazonaws.com"));
        assert!(!is_execute_api("api.example.com"));
    }

    #[test]
    fn base_paths_are_normalised() {
        assert_eq!(normalise_base("(none)"), "");
        assert_eq!(normalise_base("/v1/orders/"), "v1/orders");
    }
}
