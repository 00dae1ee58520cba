//! Offline checks of an API definition: which methods use a VPC link (the "Cannot delete
//! VPC link referenced in format of [Method:Resource]" article), and a lint of every
//! method's integration responses, templates and endpoints.
//!
//! Input: an OpenAPI 3 / Swagger 2 export with API Gateway extensions, or the JSON of
//! `aws apigateway get-resources --embed methods`.
use super::selection::model::{Integration, IntegrationKind, cli_method, export_operation};
use super::selection::{self, METHOD_RESPONSE_MISSING};
use crate::finding::Finding;
use serde::Serialize;
use serde_json::{Value, json};

pub const VPC_LINK_IN_USE: &str = "lint.vpc-link-in-use";
pub const VPC_LINK_MAY_BE_IN_USE: &str = "lint.vpc-link-may-be-in-use";
pub const TEMPLATE_ON_PROXY: &str = "lint.template-on-proxy";
pub const OVERRIDE_STATUS_UNDECLARED: &str = "lint.override-status-undeclared";
pub const PLAIN_HTTP_INTEGRATION: &str = "lint.plain-http-integration";

/// Codes only lint emits; it also emits the selection codes and METHOD_RESPONSE_MISSING.
pub const CODES: &[&str] = &[
    VPC_LINK_IN_USE,
    VPC_LINK_MAY_BE_IN_USE,
    TEMPLATE_ON_PROXY,
    OVERRIDE_STATUS_UNDECLARED,
    PLAIN_HTTP_INTEGRATION,
];

const METHODS: &[&str] = &[
    "get",
    "put",
    "post",
    "delete",
    "options",
    "head",
    "patch",
    "x-amazon-apigateway-any-method",
];

#[derive(Debug, Clone)]
pub struct Method {
    /// `GET`, `ANY`, ...
    pub method: String,
    pub path: String,
    /// JSON path of the method object.
    pub location: String,
    pub integration: Option<Integration>,
}

impl Method {
    /// The `[Method:Resource]` form API Gateway's VPC link error uses.
    pub fn label(&self) -> String {
        format!("[{}:{}]", self.method, self.path)
    }
}

/// Every method of an export or a get-resources listing, or why the document is neither.
pub fn methods(doc: &Value) -> Result<Vec<Method>, String> {
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        let mut out = Vec::new();
        for (path, item) in paths {
            let Some(item) = item.as_object() else {
                continue;
            };
            for (key, op) in item {
                if !METHODS.contains(&key.as_str()) {
                    continue;
                }
                let location = format!("$.paths['{path}'].{key}");
                let Some(op) = op.as_object() else { continue };
                let integration = export_operation(op, &location)?;
                out.push(Method {
                    method: method_name(key),
                    path: path.clone(),
                    location,
                    integration,
                });
            }
        }
        return Ok(out);
    }
    if let Some(items) = doc.get("items").and_then(Value::as_array)
        && items
            .iter()
            .all(|i| i.get("path").is_some() || i.get("id").is_some())
    {
        let mut out = Vec::new();
        for (n, item) in items.iter().enumerate() {
            let path = item
                .get("path")
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_string();
            let Some(methods) = item.get("resourceMethods").and_then(Value::as_object) else {
                continue;
            };
            for (verb, m) in methods {
                let location = format!("$.items[{n}].resourceMethods.{verb}");
                let Some(m) = m.as_object() else { continue };
                let integration = cli_method(m, &location)?;
                out.push(Method {
                    method: verb.to_ascii_uppercase(),
                    path: path.clone(),
                    location,
                    integration,
                });
            }
        }
        return Ok(out);
    }
    Err(format!(
        "not an API export (paths) or `aws apigateway get-resources --embed methods` output (items): it looks like {}",
        crate::document::describe(doc)
    ))
}

fn method_name(key: &str) -> String {
    if key == "x-amazon-apigateway-any-method" {
        "ANY".to_string()
    } else {
        key.to_ascii_uppercase()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct VpcLinkUser {
    pub method: String,
    pub path: String,
    pub connection_id: String,
    /// False when the id comes from a stage variable.
    pub certain: bool,
    pub location: String,
}

/// Whether a VPC link id is the link, may be (stage variable), or is not.
fn link_use(connection_id: &str, id: &str) -> Option<bool> {
    if connection_id == id {
        Some(true)
    } else if connection_id.contains("${stageVariables.") {
        Some(false)
    } else {
        None
    }
}

fn uses_vpc_link(i: &Integration) -> bool {
    i.connection_type
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("VPC_LINK"))
}

/// The methods using VPC link `id`, with a finding for each.
pub fn vpc_link_users(
    methods: &[Method],
    id: &str,
    deployed: Option<bool>,
) -> (Vec<VpcLinkUser>, Vec<Finding>) {
    let mut users = Vec::new();
    let mut findings = Vec::new();
    let redeploy = match deployed {
        Some(true) => "; the API is deployed: redeploy it to the same stage after switching",
        Some(false) => "; the API is not deployed: no redeployment needed",
        None => "; if the API is deployed, redeploy it to the same stage after switching",
    };
    for m in methods {
        let Some(i) = &m.integration else { continue };
        let Some(conn) = i.connection_id.as_deref().filter(|_| uses_vpc_link(i)) else {
            continue;
        };
        let Some(certain) = link_use(conn, id) else {
            continue;
        };
        let finding = if certain {
            Finding::error(
                VPC_LINK_IN_USE,
                format!(
                    "{} uses VPC link {id}: switch its integration to another type{redeploy}",
                    m.label()
                ),
            )
        } else {
            Finding::warning(
                VPC_LINK_MAY_BE_IN_USE,
                format!(
                    "{} takes its VPC link from {conn}: it uses {id} on every stage where that variable is {id}",
                    m.label()
                ),
            )
        };
        findings.push(
            finding
                .with("method", m.label())
                .with("connection_id", conn)
                .with("location", i.location.as_str()),
        );
        users.push(VpcLinkUser {
            method: m.method.clone(),
            path: m.path.clone(),
            connection_id: conn.to_string(),
            certain,
            location: i.location.clone(),
        });
    }
    (users, findings)
}

/// Every VPC link the definition uses, with the methods that use it.
pub fn vpc_links(methods: &[Method]) -> Vec<(String, Vec<String>)> {
    let mut links: indexmap::IndexMap<&str, Vec<String>> = indexmap::IndexMap::new();
    for m in methods {
        let Some(i) = &m.integration else { continue };
        let Some(conn) = i.connection_id.as_deref().filter(|_| uses_vpc_link(i)) else {
            continue;
        };
        links.entry(conn).or_default().push(m.label());
    }
    links
        .into_iter()
        .map(|(id, users)| (id.to_string(), users))
        .collect()
}

/// The lint of every method.
pub fn lint(methods: &[Method]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut patterns = selection::Patterns::default();
    for m in methods {
        let Some(i) = &m.integration else { continue };
        let label = m.label();
        let mut push = |f: Finding| findings.push(f.with("method", label.as_str()));
        if i.kind == Some(IntegrationKind::Proxy) {
            if !i.responses.is_empty() || !i.response_templates.is_empty() {
                push(
                    Finding::warning(
                        TEMPLATE_ON_PROXY,
                        format!("{label} is a {} proxy integration: its integration responses and templates are ignored", i.type_name.as_deref().unwrap_or("")),
                    )
                    .with("location", i.location.as_str()),
                );
            }
        } else {
            for f in selection::analyze(i, &mut patterns) {
                push(f);
            }
            if let Some(methods) = &i.method_responses {
                for r in &i.responses {
                    if !methods.contains(&r.status) {
                        push(
                            Finding::error(METHOD_RESPONSE_MISSING, format!("{label}: an integration response maps to {}, which has no method response", r.status))
                                .with("status", r.status.as_str())
                                .with("location", r.origin.as_str())
                                .with("method_responses", json!(methods)),
                        );
                    }
                }
                for (location, template) in &i.response_templates {
                    for status in override_statuses(template) {
                        if !methods.contains(&status) {
                            push(
                                Finding::warning(
                                    OVERRIDE_STATUS_UNDECLARED,
                                    format!("{label}: a template sets $context.responseOverride.status to {status}, which has no method response"),
                                )
                                .with("status", status)
                                .with("location", location.as_str()),
                            );
                        }
                    }
                }
            }
        }
        let http = i
            .type_name
            .as_deref()
            .is_some_and(|t| t.to_ascii_uppercase().starts_with("HTTP"));
        if http
            && !uses_vpc_link(i)
            && i.uri
                .as_deref()
                .is_some_and(|u| u.to_ascii_lowercase().starts_with("http://"))
        {
            push(
                Finding::warning(PLAIN_HTTP_INTEGRATION, format!("{label} calls its backend over plain http: requests and responses cross the internet unencrypted"))
                    .with("uri", i.uri.clone())
                    .with("location", i.location.as_str()),
            );
        }
    }
    findings
}

/// The literal status codes a mapping template assigns to `$context.responseOverride.status`.
fn override_statuses(template: &str) -> Vec<String> {
    static OVERRIDE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"\$context\.responseOverride\.status\s*=\s*['\x22]?(\d{3})")
            .expect("valid regex")
    });
    OVERRIDE
        .captures_iter(template)
        .map(|c| c[1].to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn override_statuses_are_found_in_templates() {
        let t = "#set($inputRoot = $input.path('$'))\n#if($inputRoot.toString().contains(\"customerror\"))\n#set($context.responseOverride.status = 400)\n#end";
        assert_eq!(override_statuses(t), ["400"]);
        assert!(override_statuses("$input.json('$')").is_empty());
    }

    #[test]
    fn stage_variable_links_may_be_in_use() {
        assert_eq!(link_use("abc123", "abc123"), Some(true));
        assert_eq!(
            link_use("${stageVariables.vpcLinkId}", "abc123"),
            Some(false)
        );
        assert_eq!(link_use("zzz999", "abc123"), None);
    }
}
