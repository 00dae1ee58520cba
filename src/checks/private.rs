//! Private REST APIs: how a call reaches one (the three documented ways through an interface
//! VPC endpoint), what the addresses a name resolves to say about private DNS, and — with the
//! API's configuration from AWS — why it answers 403, step by step. Facts and their sources:
//! `specs/private-apis.md`.
use crate::finding::Finding;
use serde::Serialize;
use std::net::IpAddr;

pub const CALL_PATH: &str = "private.call-path";
pub const NO_API_ID: &str = "private.no-api-id";
pub const PUBLIC_API_THROUGH_ENDPOINT: &str = "private.public-api-through-endpoint";
pub const NOT_PRIVATE: &str = "private.not-private";
pub const NO_RESOURCE_POLICY: &str = "private.no-resource-policy";
pub const POLICY_DENIES: &str = "private.policy-denies";
pub const ENDPOINT_NOT_ASSOCIATED: &str = "private.endpoint-not-associated";
pub const NOT_READ: &str = "private.not-read";
pub const STRICT_ACCESS_MODE: &str = "private.strict-access-mode";
pub const DOMAIN_NO_ASSOCIATION: &str = "private.domain-no-association";
pub const DOMAIN_NO_POLICY: &str = "private.domain-no-policy";
pub const DOMAIN_POLICY_DENIES: &str = "private.domain-policy-denies";
pub const DOMAIN_IN_VPC_ONLY: &str = "private.domain-in-vpc-only";

pub const CODES: &[&str] = &[
    CALL_PATH,
    NO_API_ID,
    PUBLIC_API_THROUGH_ENDPOINT,
    NOT_PRIVATE,
    NO_RESOURCE_POLICY,
    POLICY_DENIES,
    ENDPOINT_NOT_ASSOCIATED,
    NOT_READ,
    STRICT_ACCESS_MODE,
    DOMAIN_NO_ASSOCIATION,
    DOMAIN_NO_POLICY,
    DOMAIN_POLICY_DENIES,
    DOMAIN_IN_VPC_ONLY,
];

/// How a call names the API and the VPC endpoint.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum CallPath {
    /// `API_ID.execute-api.REGION.amazonaws.com`: a public API, or a private one reached
    /// through an endpoint with private DNS (the name then resolves to the endpoint in the VPC).
    DefaultName { api_id: String, region: String },
    /// `API_ID-VPCE_ID.execute-api.REGION.amazonaws.com`: the Route 53 alias of an endpoint
    /// associated with the API.
    EndpointAlias {
        api_id: String,
        vpce: String,
        region: String,
    },
    /// `VPCE_ID-SUFFIX.execute-api.REGION.vpce.amazonaws.com`: the endpoint's own DNS name;
    /// the API is named by a `Host` or `x-apigw-api-id` header.
    EndpointName {
        vpce: String,
        region: String,
        api_id: Option<String>,
        /// The header that names the API.
        named_by: Option<String>,
    },
}

impl CallPath {
    pub fn api_id(&self) -> Option<&str> {
        match self {
            CallPath::DefaultName { api_id, .. } | CallPath::EndpointAlias { api_id, .. } => {
                Some(api_id)
            }
            CallPath::EndpointName { api_id, .. } => api_id.as_deref(),
        }
    }

    pub fn vpce(&self) -> Option<&str> {
        match self {
            CallPath::DefaultName { .. } => None,
            CallPath::EndpointAlias { vpce, .. } | CallPath::EndpointName { vpce, .. } => {
                Some(vpce)
            }
        }
    }

    pub fn region(&self) -> &str {
        match self {
            CallPath::DefaultName { region, .. }
            | CallPath::EndpointAlias { region, .. }
            | CallPath::EndpointName { region, .. } => region,
        }
    }
}

/// `API_ID.execute-api.REGION.amazonaws.com` (any partition suffix): (API id, region).
fn execute_api_name(host: &str) -> Option<(String, String)> {
    let (first, rest) = host.split_once('.')?;
    let rest = rest.strip_prefix("execute-api.")?;
    let (region, suffix) = rest.split_once('.')?;
    suffix
        .starts_with("amazonaws.")
        .then(|| (first.to_string(), region.to_string()))
}

/// The call path of `host` with these request headers (lower-case names), if it is one of the
/// documented private-API forms or an execute-api name.
pub fn call_path(host: &str, headers: &[(String, String)]) -> Option<CallPath> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_string())
    };
    if let Some((label, rest)) = host.split_once('.')
        && let Some(rest) = rest.strip_prefix("execute-api.")
        && let Some((region, suffix)) = rest.split_once('.')
        && suffix.starts_with("vpce.amazonaws.")
        && label.starts_with("vpce-")
    {
        // vpce-0123456789abcdef0-abcdefgh: the endpoint id is the first two dash parts.
        let vpce = label.splitn(3, '-').take(2).collect::<Vec<_>>().join("-");
        let by_header = header("x-apigw-api-id").map(|id| (id, "x-apigw-api-id".to_string()));
        let by_host = header("host")
            .and_then(|h| execute_api_name(&h.to_ascii_lowercase()))
            .map(|(id, _)| (id, "Host".to_string()));
        let (api_id, named_by) = match by_header.or(by_host) {
            Some((id, by)) => (Some(id), Some(by)),
            None => (None, None),
        };
        return Some(CallPath::EndpointName {
            vpce,
            region: region.to_string(),
            api_id,
            named_by,
        });
    }
    let (first, region) = execute_api_name(&host)?;
    match first.split_once("-vpce-") {
        Some((api_id, vpce)) => Some(CallPath::EndpointAlias {
            api_id: api_id.to_string(),
            vpce: format!("vpce-{vpce}"),
            region,
        }),
        None => Some(CallPath::DefaultName {
            api_id: first,
            region,
        }),
    }
}

/// Private (RFC 1918, unique-local) addresses: what a VPC endpoint's interfaces have.
pub fn is_private(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_private(),
        IpAddr::V6(v6) => (v6.segments()[0] & 0xfe00) == 0xfc00,
    }
}

/// What the call path and the resolved addresses say, before anything is read from AWS.
pub fn path_findings(path: &CallPath, addresses: &[IpAddr], status: Option<u16>) -> Vec<Finding> {
    let mut out = Vec::new();
    // Loopback (a test server, a local proxy, --resolve to this machine) says nothing of DNS.
    let seen: Vec<&IpAddr> = addresses.iter().filter(|a| !a.is_loopback()).collect();
    let private_dns = !seen.is_empty() && seen.iter().all(|a| is_private(a));
    let public = !seen.is_empty() && !seen.iter().any(|a| is_private(a));
    let shown: Vec<String> = addresses.iter().map(IpAddr::to_string).collect();
    let description = match path {
        CallPath::DefaultName { api_id, .. } if !private_dns && !public => format!(
            "{api_id}'s default name was reached at {}: nothing is said about private DNS",
            if shown.is_empty() {
                "no known address".to_string()
            } else {
                shown.join(", ")
            }
        ),
        CallPath::DefaultName { api_id, .. } if private_dns => format!(
            "{api_id}'s default name resolves to private addresses ({}): the call goes through an execute-api VPC endpoint with private DNS; a private API answers only if its resource policy allows that endpoint, and public APIs cannot be reached this way",
            shown.join(", ")
        ),
        CallPath::DefaultName { api_id, .. } => format!(
            "{api_id}'s default name resolves to public addresses: a public (Regional or edge-optimized) API, or a private API's name looked up outside a VPC with private DNS (a private API is not reachable so)"
        ),
        CallPath::EndpointAlias { api_id, vpce, .. } => format!(
            "the endpoint-specific name of API {api_id} through VPC endpoint {vpce} (a Route 53 alias that exists only while the endpoint is associated with the API)"
        ),
        CallPath::EndpointName {
            vpce,
            api_id: Some(id),
            named_by: Some(by),
            ..
        } => format!("the DNS name of VPC endpoint {vpce}, the API named {id} by the {by} header"),
        CallPath::EndpointName { vpce, .. } => format!("the DNS name of VPC endpoint {vpce}"),
    };
    out.push(
        Finding::info(CALL_PATH, description)
            .with("call_path", serde_json::to_value(path).unwrap_or_default())
            .with("addresses", serde_json::json!(shown))
            .with("private_dns", private_dns),
    );
    if let CallPath::EndpointName {
        vpce, api_id: None, ..
    } = path
    {
        out.push(Finding::error(
            NO_API_ID,
            format!(
                "the call goes to VPC endpoint {vpce}'s own name without naming the API: add -H 'x-apigw-api-id: API_ID' (or -H 'Host: API_ID.execute-api.{}.amazonaws.com'); without it API Gateway answers 403 Forbidden",
                path.region()
            ),
        ));
    }
    if status == Some(403)
        && let CallPath::DefaultName { .. } = path
        && private_dns
    {
        out.push(
            Finding::warning(
                PUBLIC_API_THROUGH_ENDPOINT,
                "403 through a VPC endpoint with private DNS: if this API is public (Regional or edge-optimized), no call from this VPC reaches it, since its name resolves to the endpoint; call it through a custom domain name. If it is private, its resource policy decides (probe --aws reads it)",
            )
            .with("uncertain", true),
        );
    }
    out
}

/// The API's configuration as `get-rest-api` gives it, for [`configured_findings`].
pub struct Configured<'a> {
    pub api_id: &'a str,
    /// REGIONAL, EDGE or PRIVATE.
    pub endpoint_types: &'a [String],
    /// The endpoints associated with the API (the ones with an `API_ID-VPCE_ID` alias).
    pub vpc_endpoint_ids: &'a [String],
    /// The resource policy's verdict for this call, when it has one.
    pub policy: PolicyVerdict,
    pub security_policy: Option<&'a str>,
    pub endpoint_access_mode: Option<&'a str>,
}

pub enum PolicyVerdict {
    None,
    Allowed,
    Denied {
        why: String,
        statement: Option<usize>,
    },
    /// The policy depends on what is not known (the endpoint of a private-DNS call).
    Undecided(String),
}

/// A resource policy's verdict on an anonymous call (Principal `*`, as through a VPC endpoint)
/// to `resource`, from `vpce` when known; `undecided` says why when a condition the call does
/// not show decides.
pub fn judge_policy(
    policy: &serde_json::Value,
    resource: &str,
    vpce: Option<&str>,
    undecided: &str,
) -> PolicyVerdict {
    use crate::checks::policy::{self, Decision};
    let e = policy::evaluate(
        policy,
        &policy::Request {
            principal: Some("*".to_string()),
            resource: Some(resource.to_string()),
            source_vpce: vpce.map(str::to_string),
            source_vpc: None,
            source_ip: None,
            principal_org_id: None,
            identity_policy: false,
        },
    );
    let from = vpce.map(|v| format!(" from {v}")).unwrap_or_default();
    let statement = e.deciding.as_ref().map(|s| s.index);
    match e.decision {
        Some(Decision::Allow) => PolicyVerdict::Allowed,
        Some(Decision::ExplicitDeny) => PolicyVerdict::Denied {
            why: format!("a Deny statement covers {resource}{from}"),
            statement,
        },
        Some(Decision::ImplicitDeny) => PolicyVerdict::Denied {
            why: format!("no Allow statement covers {resource}{from}"),
            statement,
        },
        Some(Decision::Uncertain) | None => PolicyVerdict::Undecided(undecided.to_string()),
    }
}

/// Why this call through this path would be refused, from the API's configuration.
pub fn configured_findings(path: &CallPath, c: &Configured<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    let id = c.api_id;
    let private = c.endpoint_types.iter().any(|t| t == "PRIVATE");
    let through_endpoint = path.vpce().is_some();
    if !private && through_endpoint {
        out.push(Finding::error(
            NOT_PRIVATE,
            format!(
                "API {id} is {} (not PRIVATE), but the call goes through a VPC endpoint's name: only private APIs answer there (403 Forbidden); call the public name https://{id}.execute-api.{}.amazonaws.com, or make the API private",
                c.endpoint_types.join(", "),
                path.region()
            ),
        ));
        return out;
    }
    if !private {
        return out;
    }
    if let CallPath::EndpointAlias { vpce, .. } = path
        && !c.vpc_endpoint_ids.iter().any(|v| v == vpce)
    {
        out.push(
            Finding::error(
                ENDPOINT_NOT_ASSOCIATED,
                format!(
                    "VPC endpoint {vpce} is not associated with API {id} (associated: {}): the name {id}-{vpce}.execute-api… does not resolve or is refused; associate it (aws apigateway update-rest-api --rest-api-id {id} --patch-operations op=add,path=/endpointConfiguration/vpcEndpointIds,value={vpce}) or call through the endpoint's own name with x-apigw-api-id",
                    if c.vpc_endpoint_ids.is_empty() { "none".to_string() } else { c.vpc_endpoint_ids.join(", ") }
                ),
            )
            .with("vpce", vpce.as_str()),
        );
    }
    if let (Some(policy), Some("STRICT"), Some(vpce)) =
        (c.security_policy, c.endpoint_access_mode, path.vpce())
        && policy.starts_with("SecurityPolicy_")
    {
        out.push(
            Finding::error(
                STRICT_ACCESS_MODE,
                format!("API {id} uses the enhanced security policy {policy} with endpoint access mode STRICT, which matches the SNI against the API's own name: a call through VPC endpoint {vpce}'s names is refused; set the endpoint access mode to BASIC (aws apigateway update-rest-api --rest-api-id {id} --patch-operations op=replace,path=/endpointAccessMode,value=BASIC) or call with private DNS or a custom domain name"),
            )
            .with("security_policy", policy),
        );
    }
    match &c.policy {
        PolicyVerdict::None => out.push(Finding::error(
            NO_RESOURCE_POLICY,
            format!("private API {id} has no resource policy: every call is refused (403 Forbidden); allow execute-api:Invoke from your VPC endpoint (aws:SourceVpce) or VPC (aws:SourceVpc), then redeploy"),
        )),
        PolicyVerdict::Denied { why, statement } => {
            let mut f = Finding::error(
                POLICY_DENIES,
                format!("the resource policy of private API {id} refuses this call: {why}; API Gateway answers 403 (\"User: anonymous is not authorized to perform: execute-api:Invoke\")"),
            );
            if let Some(s) = statement {
                f = f.with("statement", *s);
            }
            out.push(f);
        }
        PolicyVerdict::Undecided(why) => out.push(
            Finding::error(POLICY_DENIES, format!("whether the resource policy of private API {id} allows this call is not known: {why}"))
                .with("uncertain", true),
        ),
        PolicyVerdict::Allowed => {}
    }
    out
}

/// A custom domain name for private APIs, as `domain --aws` reads it.
pub struct PrivateDomain<'a> {
    pub host: &'a str,
    pub arn: &'a str,
    /// The VPC endpoints with a domain name access association.
    pub associations: &'a [String],
    /// The execute-api policy's verdict for each associated endpoint; `None`: no policy.
    pub verdicts: Option<Vec<(String, PolicyVerdict)>>,
}

/// Why a private custom domain name cannot be reached from a VPC, step by step.
pub fn domain_findings(d: &PrivateDomain<'_>) -> Vec<Finding> {
    let host = d.host;
    let mut out = vec![Finding::info(
        DOMAIN_IN_VPC_ONLY,
        format!("{host} is a custom domain name for private APIs: it resolves and answers only inside a VPC whose execute-api endpoint has an access association with it (a private hosted zone alias to the endpoint); DNS and TLS checked from here say nothing of that path"),
    )
    .with("domain_name_arn", d.arn)];
    if d.associations.is_empty() {
        out.push(
            Finding::error(
                DOMAIN_NO_ASSOCIATION,
                format!("{host} has no domain name access association: no VPC endpoint can invoke it (403 Forbidden); aws apigateway create-domain-name-access-association --domain-name-arn {} --access-association-source VPCE_ID --access-association-source-type VPCE", d.arn),
            )
            .with("domain_name_arn", d.arn),
        );
    }
    match &d.verdicts {
        None => out.push(
            Finding::error(
                DOMAIN_NO_POLICY,
                format!("{host} has no execute-api policy: the private custom domain name refuses every call; give it a policy that allows execute-api:Invoke from your VPC endpoints (aws:SourceVpce)"),
            )
            .with("domain_name_arn", d.arn),
        ),
        Some(verdicts) => {
            for (vpce, v) in verdicts {
                match v {
                    PolicyVerdict::Denied { why, .. } => out.push(
                        Finding::error(
                            DOMAIN_POLICY_DENIES,
                            format!("{host}'s policy refuses calls through the associated endpoint {vpce}: {why}"),
                        )
                        .with("vpce", vpce.as_str()),
                    ),
                    PolicyVerdict::Undecided(why) => out.push(
                        Finding::error(
                            DOMAIN_POLICY_DENIES,
                            format!("whether {host}'s policy allows calls through {vpce} is not known: {why}"),
                        )
                        .with("vpce", vpce.as_str())
                        .with("uncertain", true),
                    ),
                    PolicyVerdict::Allowed | PolicyVerdict::None => {}
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn the_three_documented_call_paths() {
        assert_eq!(
            call_path("01234567ab.execute-api.us-west-2.amazonaws.com", &[]),
            Some(CallPath::DefaultName {
                api_id: "01234567ab".into(),
                region: "us-west-2".into()
            })
        );
        assert_eq!(
            call_path(
                "01234567ab-vpce-01234567abcdef012.execute-api.us-west-2.amazonaws.com",
                &[]
            ),
            Some(CallPath::EndpointAlias {
                api_id: "01234567ab".into(),
                vpce: "vpce-01234567abcdef012".into(),
                region: "us-west-2".into()
            })
        );
        let by_host = call_path(
            "vpce-01234567abcdef012-01234567.execute-api.us-west-2.vpce.amazonaws.com",
            &h(&[("Host", "01234567ab.execute-api.us-west-2.amazonaws.com")]),
        )
        .unwrap();
        assert_eq!(by_host.api_id(), Some("01234567ab"));
        assert_eq!(by_host.vpce(), Some("vpce-01234567abcdef012"));
        let by_header = call_path(
            "vpce-01234567abcdef012-01234567.execute-api.us-west-2.vpce.amazonaws.com",
            &h(&[("x-apigw-api-id", "01234567ab")]),
        )
        .unwrap();
        assert!(
            matches!(by_header, CallPath::EndpointName { named_by: Some(ref b), .. } if b == "x-apigw-api-id")
        );
        assert_eq!(call_path("api.example.com", &[]), None);
    }

    #[test]
    fn private_dns_and_the_public_api_trap() {
        let p = call_path("abc123defg.execute-api.us-east-1.amazonaws.com", &[]).unwrap();
        let f = path_findings(&p, &["10.0.3.17".parse().unwrap()], Some(403));
        assert_eq!(f[0].evidence["private_dns"], true);
        assert_eq!(f[1].code, PUBLIC_API_THROUGH_ENDPOINT);
        let f = path_findings(&p, &["54.239.1.2".parse().unwrap()], Some(403));
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("public addresses"));
    }

    #[test]
    fn configuration_explains_the_403() {
        let alias = call_path(
            "abc123defg-vpce-0bbb.execute-api.us-east-1.amazonaws.com",
            &[],
        )
        .unwrap();
        let private = ["PRIVATE".to_string()];
        let codes = |c: &Configured<'_>| -> Vec<&'static str> {
            configured_findings(&alias, c)
                .iter()
                .map(|f| f.code)
                .collect()
        };
        let associated = ["vpce-0aaa".to_string()];
        assert_eq!(
            codes(&Configured {
                api_id: "abc123defg",
                endpoint_types: &private,
                vpc_endpoint_ids: &associated,
                policy: PolicyVerdict::None,
                security_policy: Some("SecurityPolicy_TLS13_1_3_2025_09"),
                endpoint_access_mode: Some("STRICT"),
            }),
            vec![
                ENDPOINT_NOT_ASSOCIATED,
                STRICT_ACCESS_MODE,
                NO_RESOURCE_POLICY
            ]
        );
        let regional = ["REGIONAL".to_string()];
        assert_eq!(
            codes(&Configured {
                api_id: "abc123defg",
                endpoint_types: &regional,
                vpc_endpoint_ids: &[],
                policy: PolicyVerdict::Allowed,
                security_policy: None,
                endpoint_access_mode: None,
            }),
            vec![NOT_PRIVATE]
        );
    }

    #[test]
    fn a_private_domain_without_associations_or_policy() {
        let codes: Vec<&str> = domain_findings(&PrivateDomain {
            host: "private.example.com",
            arn: "arn:aws:apigateway:us-east-1:111122223333:/domainnames/private.example.com+abcd1234",
            associations: &[],
            verdicts: None,
        })
        .iter()
        .map(|f| f.code)
        .collect();
        assert_eq!(
            codes,
            vec![DOMAIN_IN_VPC_ONLY, DOMAIN_NO_ASSOCIATION, DOMAIN_NO_POLICY]
        );
    }

    #[test]
    fn an_endpoint_name_without_the_api_is_an_error() {
        let p = call_path(
            "vpce-0abc-xyz.execute-api.eu-west-1.vpce.amazonaws.com",
            &[],
        )
        .unwrap();
        let codes: Vec<&str> = path_findings(&p, &["10.0.1.5".parse().unwrap()], Some(403))
            .iter()
            .map(|f| f.code)
            .collect();
        assert_eq!(codes, vec![CALL_PATH, NO_API_ID]);
    }
}
