//! `domain`: a custom domain name's DNS and TLS certificate, diagnosed like the seed article
//! "Troubleshoot wrong certificate returned for API Gateway custom domain names".
pub mod certificate;
pub mod dns;
pub mod mtls;
pub mod target;
pub mod tls;

use crate::finding::Finding;
use certificate::CertFacts;
use dns::{Problem as DnsProblem, Resolution};
use hickory_resolver::TokioResolver;
use rustls::pki_types::{TrustAnchor, UnixTime};
use rustls::sign::CertifiedKey;
use serde::Serialize;
use serde_json::json;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use target::TargetKind;
use tls::{Problem as TlsProblem, Trust};

pub const CNAME_TO_DEFAULT_ENDPOINT: &str = "domain.cname-to-default-endpoint";
pub const ALIAS_TO_DEFAULT_ENDPOINT: &str = "domain.alias-to-default-endpoint";
pub const WRONG_TARGET: &str = "domain.wrong-target";
pub const CLOUDFRONT_MISSING_ALTERNATE_NAME: &str = "domain.cloudfront-missing-alternate-name";
pub const CERTIFICATE_NAME_MISMATCH: &str = "domain.certificate-name-mismatch";
pub const CERTIFICATE_EXPIRED: &str = "domain.certificate-expired";
pub const CERTIFICATE_EXPIRING: &str = "domain.certificate-expiring";
pub const CERTIFICATE_UNTRUSTED: &str = "domain.certificate-untrusted";
pub const MISSING_INTERMEDIATE: &str = "domain.missing-intermediate";
pub const CNAME_LOOP: &str = "domain.cname-loop";
pub const CNAME_CHAIN_TOO_LONG: &str = "domain.cname-chain-too-long";
pub const NXDOMAIN: &str = "domain.nxdomain";
pub const SERVFAIL: &str = "domain.servfail";
pub const DNS_TIMEOUT: &str = "domain.dns-timeout";
pub const DNS_BAD_REPLY: &str = "domain.dns-bad-reply";
pub const DNS_REFUSED: &str = "domain.dns-refused";
pub const HOSTS_FILE_OVERRIDE: &str = "domain.hosts-file-override";
pub const NO_ADDRESS: &str = "domain.no-address";
pub const TLS_HANDSHAKE_FAILED: &str = "domain.tls-handshake-failed";
pub const CONNECT_FAILED: &str = "domain.connect-failed";
pub const TLS_TIMEOUT: &str = "domain.tls-timeout";
pub const NOT_IN_API_GATEWAY: &str = "domain.not-in-api-gateway";
pub const NO_MAPPINGS: &str = "domain.no-mappings";
pub const ACM_NOT_COVERING: &str = "domain.acm-certificate-not-covering";
pub const ACM_NOT_ISSUED: &str = "domain.acm-certificate-not-issued";
pub const SECURITY_POLICY_LEGACY: &str = "domain.security-policy-legacy";
pub const SECURITY_POLICY_NOT_SERVED: &str = "domain.security-policy-not-served";
pub const TLS12_REFUSED: &str = "domain.tls12-refused";

pub const CODES: &[&str] = &[
    SECURITY_POLICY_LEGACY,
    SECURITY_POLICY_NOT_SERVED,
    TLS12_REFUSED,
    NOT_IN_API_GATEWAY,
    NO_MAPPINGS,
    ACM_NOT_COVERING,
    ACM_NOT_ISSUED,
    CNAME_TO_DEFAULT_ENDPOINT,
    ALIAS_TO_DEFAULT_ENDPOINT,
    WRONG_TARGET,
    CLOUDFRONT_MISSING_ALTERNATE_NAME,
    CERTIFICATE_NAME_MISMATCH,
    CERTIFICATE_EXPIRED,
    CERTIFICATE_EXPIRING,
    CERTIFICATE_UNTRUSTED,
    MISSING_INTERMEDIATE,
    CNAME_LOOP,
    CNAME_CHAIN_TOO_LONG,
    NXDOMAIN,
    SERVFAIL,
    DNS_TIMEOUT,
    DNS_BAD_REPLY,
    DNS_REFUSED,
    HOSTS_FILE_OVERRIDE,
    NO_ADDRESS,
    TLS_HANDSHAKE_FAILED,
    CONNECT_FAILED,
    TLS_TIMEOUT,
];

/// Certificates expiring within this many days are reported.
pub const EXPIRING_DAYS: i64 = 30;

pub struct Config {
    pub port: u16,
    /// Dial this address instead of the resolved ones (curl's --connect-to).
    pub connect_to: Option<SocketAddr>,
    pub sni: Option<String>,
    pub timeout: Duration,
    /// Where the name must point (an API Gateway domain name).
    pub expect_target: Option<String>,
    pub anchors: Arc<Vec<TrustAnchor<'static>>>,
    /// The client certificate to present when a server asks for one (mutual TLS).
    pub client_key: Option<Arc<CertifiedKey>>,
    /// Also try a TLS 1.2-only handshake (a security policy is known to compare with).
    pub try_tls12: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct CertView {
    #[serde(flatten)]
    pub facts: CertFacts,
    pub matches_host: bool,
    pub trusted: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct TlsView {
    pub protocol: String,
    pub cipher: String,
    pub connected_to: String,
    pub sni: String,
    pub certificate: Option<CertView>,
    pub chain: Vec<CertFacts>,
    /// Mutual TLS as the handshake showed it (absent: the server asked for no client
    /// certificate and none was given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_auth: Option<tls::ClientAuthSeen>,
}

/// Everything seen for one host; the findings are derived from it by [`diagnose`].
#[derive(Debug, Clone)]
pub struct Observed {
    pub host: String,
    pub dns: Resolution,
    pub connected_to: Option<SocketAddr>,
    pub tls: Result<tls::Observation, TlsProblem>,
    pub trust: Option<Trust>,
    pub client_auth: tls::ClientAuthSeen,
    /// Whether a TLS 1.2-only handshake succeeded (asked only when a policy is known).
    pub accepts_tls12: Option<bool>,
    pub now: i64,
}

pub async fn check(
    host: &str,
    resolver: &TokioResolver,
    cfg: &Config,
) -> (Observed, Option<TlsView>, Vec<Finding>) {
    let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
    let dns = match tokio::time::timeout(cfg.timeout, dns::resolve(resolver, &host)).await {
        Ok(r) => r,
        Err(_) => Resolution {
            rcode: "TIMEOUT".into(),
            problem: Some(DnsProblem::Timeout {
                name: host.clone(),
                detail: format!("no answer within {:?}", cfg.timeout),
            }),
            ..Resolution::default()
        },
    };
    let sni = cfg.sni.clone().unwrap_or_else(|| host.clone());
    let candidates: Vec<SocketAddr> = match cfg.connect_to {
        Some(a) => vec![a],
        None => {
            // IPv4 first, then IPv6; at most two attempts.
            let mut v: Vec<IpAddr> = dns
                .addresses
                .iter()
                .copied()
                .filter(IpAddr::is_ipv4)
                .collect();
            v.extend(dns.addresses.iter().copied().filter(IpAddr::is_ipv6));
            v.into_iter()
                .take(2)
                .map(|ip| SocketAddr::new(ip, cfg.port))
                .collect()
        }
    };
    let tls = Inspection {
        sni: &sni,
        timeout: cfg.timeout,
        client_key: cfg.client_key.clone(),
        anchors: &cfg.anchors,
        expect_target: cfg.expect_target.as_deref(),
    };
    let (mut observed, view, findings) = inspect(host, dns, &candidates, &tls).await;
    if cfg.try_tls12
        && observed.tls.is_ok()
        && let Some(addr) = observed.connected_to
    {
        observed.accepts_tls12 = tls::accepts_tls12(addr, &sni, cfg.timeout).await;
    }
    (observed, view, findings)
}

/// The custom domain name's security policy against what the server reached accepts:
/// TLS_1_0 is legacy; a policy that accepts TLS 1.2 must be served by a server that does, and
/// a TLS 1.3-only one by a server that does not. `accepts_tls12`: None when not tried.
pub fn security_policy_findings(
    host: &str,
    policy: &str,
    accepts_tls12: Option<bool>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    if policy == "TLS_1_0" {
        out.push(
            Finding::warning(
                SECURITY_POLICY_LEGACY,
                format!("{host}'s security policy TLS_1_0 accepts TLS 1.0 and 1.1, which clients and auditors reject as insecure: choose TLS_1_2 (or an enhanced SecurityPolicy_* for REST APIs)"),
            )
            .with("security_policy", policy),
        );
    }
    // What the policy says of TLS 1.2: TLS_1_0, TLS_1_2 and SecurityPolicy_TLS13_1_2_* accept
    // it; SecurityPolicy_TLS13_1_3_* does not; other names: no claim.
    let policy_accepts = if matches!(policy, "TLS_1_0" | "TLS_1_2") || policy.contains("TLS13_1_2")
    {
        Some(true)
    } else if policy.contains("TLS13_1_3") {
        Some(false)
    } else {
        None
    };
    match (policy_accepts, accepts_tls12) {
        (Some(p), Some(s)) if p != s => out.push(
            Finding::error(
                SECURITY_POLICY_NOT_SERVED,
                format!(
                    "{host}'s security policy {policy} {} TLS 1.2, but the server reached {} it: the name does not lead to that custom domain name (DNS points elsewhere, or the policy change has not reached this endpoint)",
                    if p { "accepts" } else { "refuses" },
                    if s { "accepts" } else { "refuses" }
                ),
            )
            .with("security_policy", policy)
            .with("accepts_tls12", s),
        ),
        (Some(false), Some(false)) => out.push(
            Finding::info(
                TLS12_REFUSED,
                format!("{host} accepts TLS 1.3 only ({policy}): clients limited to TLS 1.2 (Java 8 without updates, .NET Framework before 4.8 on older Windows, OpenSSL 1.0.x) cannot connect"),
            )
            .with("security_policy", policy),
        ),
        _ => {}
    }
    out
}

/// How to shake hands and what to trust, for [`inspect`].
pub struct Inspection<'a> {
    pub sni: &'a str,
    pub timeout: Duration,
    pub client_key: Option<Arc<CertifiedKey>>,
    pub anchors: &'a [TrustAnchor<'static>],
    pub expect_target: Option<&'a str>,
}

/// Shakes hands with the first candidate that accepts a connection, verifies what it
/// presented, and diagnoses the whole: the TLS half of `domain`, shared with `probe`.
pub async fn inspect(
    host: String,
    dns: Resolution,
    candidates: &[SocketAddr],
    how: &Inspection<'_>,
) -> (Observed, Option<TlsView>, Vec<Finding>) {
    let mut connected_to = None;
    let mut result = Err(TlsProblem::ConnectFailed {
        detail: "no address to connect to".into(),
    });
    let mut refused = Vec::new();
    let mut client_auth = tls::ClientAuthSeen::default();
    for &addr in candidates {
        connected_to = Some(addr);
        (result, client_auth) =
            tls::handshake(addr, how.sni, how.timeout, how.client_key.clone()).await;
        match &result {
            Err(TlsProblem::ConnectFailed { detail }) => refused.push(format!("{addr}: {detail}")),
            _ => break,
        }
    }
    // Every address tried failed: say so for each (IPv4 was tried first).
    if refused.len() > 1 {
        connected_to = candidates.first().copied();
        result = Err(TlsProblem::ConnectFailed {
            detail: refused.join("; "),
        });
    }
    let now = UnixTime::now();
    let trust = result
        .as_ref()
        .ok()
        .map(|o| tls::verify(&o.chain, how.anchors, now));
    let observed = Observed {
        host,
        dns,
        // None exactly when there was no address to try (DNS already said why).
        connected_to,
        tls: result,
        trust,
        client_auth,
        accepts_tls12: None,
        now: now.as_secs() as i64,
    };
    let view = tls_view(&observed, how.sni);
    let findings = diagnose(&observed, view.as_ref(), how.expect_target);
    (observed, view, findings)
}

fn tls_view(o: &Observed, sni: &str) -> Option<TlsView> {
    let obs = o.tls.as_ref().ok()?;
    let chain: Vec<CertFacts> = obs
        .chain
        .iter()
        .filter_map(|c| certificate::facts(c).ok())
        .collect();
    let certificate = chain.first().map(|leaf| CertView {
        facts: leaf.clone(),
        matches_host: certificate::matches_host(leaf, sni),
        trusted: o.trust == Some(Trust::Trusted),
    });
    Some(TlsView {
        protocol: obs.protocol.clone(),
        cipher: obs.cipher.clone(),
        connected_to: o.connected_to.map(|a| a.to_string()).unwrap_or_default(),
        sni: sni.to_string(),
        certificate,
        chain,
        client_auth: (o.client_auth.requested || o.client_auth.presented)
            .then(|| o.client_auth.clone()),
    })
}

/// The kind of the name the host ends at: the first API Gateway or CloudFront name in its
/// chain, else `other`; `unresolved` when DNS failed.
pub fn target_kind(o: &Observed) -> TargetKind {
    if o.dns.problem.is_some() && o.dns.addresses.is_empty() && o.dns.chain.is_empty() {
        return TargetKind::Unresolved;
    }
    o.dns
        .chain
        .iter()
        .filter(|h| h.record_type == "CNAME")
        .map(|h| target::classify(&h.target))
        .find(|k| *k != TargetKind::Other)
        .unwrap_or(TargetKind::Other)
}

/// The host is in the hosts file with other addresses than DNS gives: the operating
/// system's resolver (browsers, curl) uses the file, so they may reach another server.
pub fn hosts_file_finding(
    host: &str,
    dns: &Resolution,
    file: &str,
    listed: &[IpAddr],
) -> Option<Finding> {
    // localhost is the hosts file's own business (RFC 6761), and a file that lists only
    // addresses DNS gives too sends programs where DNS does.
    let local = host == "localhost" || host.ends_with(".localhost");
    if local || listed.iter().all(|a| dns.addresses.contains(a)) {
        return None;
    }
    let mut from_dns = dns.addresses.clone();
    from_dns.sort();
    let shown: Vec<String> = listed.iter().map(IpAddr::to_string).collect();
    Some(
        Finding::warning(
            HOSTS_FILE_OVERRIDE,
            format!(
                "{host} is in {file} as {}, but DNS answers {}: browsers, curl and other programs using the system resolver go to the hosts-file address",
                shown.join(", "),
                if from_dns.is_empty() {
                    "no address".to_string()
                } else {
                    dns.addresses.iter().map(IpAddr::to_string).collect::<Vec<_>>().join(", ")
                }
            ),
        )
        .with("hosts_file", file)
        .with("hosts_file_addresses", json!(shown)),
    )
}

/// Findings from what was observed: the seed's cause first, then the rest.
/// What API Gateway and ACM hold for a custom domain name (live mode), as findings.
pub struct Configured<'a> {
    pub host: &'a str,
    pub region: &'a str,
    /// `None`: API Gateway has no custom domain name by that name in the region.
    pub found: Option<ConfiguredDomain<'a>>,
}

pub struct ConfiguredDomain<'a> {
    pub mappings: usize,
    pub certificate_arn: Option<&'a str>,
    pub certificate_status: Option<&'a str>,
    pub certificate_names: &'a [String],
    pub pending_validation: &'a [String],
}

pub fn configured_findings(c: &Configured<'_>) -> Vec<Finding> {
    let host = c.host;
    let Some(d) = &c.found else {
        return vec![Finding::error(
            NOT_IN_API_GATEWAY,
            format!(
                "API Gateway has no custom domain name {host} in {} (REST or HTTP API): create it (aws apigateway create-domain-name), or check --region",
                c.region
            ),
        )];
    };
    let mut out = Vec::new();
    if d.mappings == 0 {
        out.push(Finding::error(
            NO_MAPPINGS,
            format!("{host} has no base path (API) mapping: every request to it gets 403 Forbidden; add one (aws apigateway create-base-path-mapping --domain-name {host} --rest-api-id ID --stage STAGE)"),
        ));
    }
    if let Some(arn) = d.certificate_arn {
        if !d.certificate_names.is_empty()
            && !d
                .certificate_names
                .iter()
                .any(|n| certificate::name_matches(n, host))
        {
            out.push(
                Finding::error(
                    ACM_NOT_COVERING,
                    format!("the ACM certificate of {host} covers {}, not {host}: request one that names it", d.certificate_names.join(", ")),
                )
                .with("certificate_arn", arn)
                .with("names", serde_json::json!(d.certificate_names)),
            );
        }
        if let Some(status) = d.certificate_status.filter(|s| *s != "ISSUED") {
            let pending = if d.pending_validation.is_empty() {
                String::new()
            } else {
                format!(
                    ": validation still pending for {} (create the DNS validation records ACM lists)",
                    d.pending_validation.join(", ")
                )
            };
            out.push(
                Finding::error(
                    ACM_NOT_ISSUED,
                    format!("the ACM certificate of {host} is {status}, not ISSUED{pending}"),
                )
                .with("certificate_arn", arn)
                .with("status", status),
            );
        }
    }
    out
}

pub fn diagnose(o: &Observed, view: Option<&TlsView>, expect: Option<&str>) -> Vec<Finding> {
    let mut f = Vec::new();
    let host = o.host.as_str();
    let chain_json = json!(o.dns.chain);
    match &o.dns.problem {
        Some(DnsProblem::NxDomain { name }) => f.push(
            Finding::error(
                NXDOMAIN,
                if name == host {
                    format!("{host} does not exist in DNS (NXDOMAIN)")
                } else {
                    format!("{host} points at {name}, which does not exist (NXDOMAIN)")
                },
            )
            .with("name", name.as_str())
            .with("chain", chain_json.clone()),
        ),
        Some(DnsProblem::ServFail { name, rcode }) => f.push(
            Finding::error(
                if rcode == "REFUSED" {
                    DNS_REFUSED
                } else {
                    SERVFAIL
                },
                format!("the DNS server answered {rcode} for {name}"),
            )
            .with("name", name.as_str())
            .with("rcode", rcode.as_str()),
        ),
        Some(DnsProblem::Timeout { name, detail }) => f.push(
            Finding::error(DNS_TIMEOUT, format!("no DNS answer for {name}: {detail}"))
                .with("name", name.as_str()),
        ),
        Some(DnsProblem::BadReply { name, detail }) => f.push(
            Finding::error(
                DNS_BAD_REPLY,
                format!("the DNS server's reply for {name} could not be used: {detail}"),
            )
            .with("name", name.as_str()),
        ),
        Some(DnsProblem::Loop { name }) => f.push(
            Finding::error(
                CNAME_LOOP,
                format!("the CNAME chain of {host} loops back to {name}"),
            )
            .with("chain", chain_json.clone()),
        ),
        Some(DnsProblem::TooLong) => f.push(
            Finding::error(
                CNAME_CHAIN_TOO_LONG,
                format!(
                    "the CNAME chain of {host} is longer than {} names",
                    dns::MAX_CHAIN
                ),
            )
            .with("chain", chain_json.clone()),
        ),
        Some(DnsProblem::NoAddress { name }) => f.push(
            Finding::error(NO_ADDRESS, format!("{name} has no A or AAAA record"))
                .with("name", name.as_str())
                .with("chain", chain_json.clone()),
        ),
        None => {}
    }
    let cnames: Vec<&dns::Hop> = o
        .dns
        .chain
        .iter()
        .filter(|h| h.record_type == "CNAME")
        .collect();
    let leaf = view.and_then(|v| v.certificate.as_ref());
    let leaf_names = leaf
        .map(|c| certificate::names(&c.facts))
        .unwrap_or_default();
    let serves_execute_api = leaf_names
        .iter()
        .any(|n| target::is_execute_api_wildcard(n));
    let serves_cloudfront = leaf_names.iter().any(|n| target::is_cloudfront_wildcard(n));
    let mut cause = false;

    if let Some(hop) = cnames
        .iter()
        .find(|h| target::classify(&h.target) == TargetKind::DefaultEndpoint)
    {
        cause = true;
        let region = target::region(&hop.target).unwrap_or_else(|| "REGION".into());
        let mut msg = format!(
            "{host} points at {} — an API's default endpoint (the stage URL host), not the custom domain's API Gateway domain name",
            hop.target
        );
        if serves_execute_api {
            msg.push_str(&format!("; so API Gateway answers with its own certificate *.execute-api.{region}.amazonaws.com"));
        }
        f.push(
            Finding::error(CNAME_TO_DEFAULT_ENDPOINT, msg)
                .with("record", format!("{} CNAME {}", hop.name, hop.target))
                .with("certificate_names", json!(leaf_names))
                .with("chain", chain_json.clone()),
        );
    } else if cnames.is_empty() && serves_execute_api && leaf.is_some_and(|c| !c.matches_host) {
        cause = true;
        // Not looked up (an IP address, probe --resolve): no claim about DNS records.
        let message = if o.dns.rcode == "NONE" {
            format!(
                "the server for {host} presents {}, API Gateway's own certificate: the name reaches an API's default endpoint, not a custom domain name",
                leaf_names.join(", ")
            )
        } else {
            format!(
                "{host} has no CNAME and serves {}: it is likely an alias (A/AAAA) to an API's default endpoint",
                leaf_names.join(", ")
            )
        };
        f.push(
            Finding::error(ALIAS_TO_DEFAULT_ENDPOINT, message)
                .with("addresses", json!(o.dns.addresses))
                .with("certificate_names", json!(leaf_names)),
        );
    }
    if let Some(expect) = expect {
        let expect = expect.trim_end_matches('.').to_ascii_lowercase();
        let reaches = cnames.iter().any(|h| h.target == expect) || host == expect;
        if !reaches && o.dns.problem.is_none() {
            cause = true;
            let actual = cnames
                .first()
                .map_or("its A/AAAA records".to_string(), |h| h.target.clone());
            f.push(
                Finding::error(
                    WRONG_TARGET,
                    format!(
                        "{host} points at {actual}, but its API Gateway domain name is {expect}"
                    ),
                )
                .with("expected", expect.as_str())
                .with("chain", chain_json.clone()),
            );
        }
    }
    if target_kind(o) == TargetKind::Cloudfront
        && serves_cloudfront
        && leaf.is_some_and(|c| !c.matches_host)
    {
        cause = true;
        f.push(
            Finding::error(
                CLOUDFRONT_MISSING_ALTERNATE_NAME,
                format!("{host} points at a CloudFront distribution that answers with *.cloudfront.net: the distribution does not list {host} as an alternate domain name, or it is the wrong distribution"),
            )
            .with("chain", chain_json.clone())
            .with("certificate_names", json!(leaf_names)),
        );
    }
    let addr = o.connected_to.map(|a| a.to_string());
    match &o.tls {
        Err(TlsProblem::ConnectFailed { detail }) if o.connected_to.is_some() => f.push(
            Finding::error(
                CONNECT_FAILED,
                if detail.contains("; ") {
                    format!(
                        "cannot connect to any address ({detail}): the certificate was not read"
                    )
                } else {
                    format!(
                        "cannot connect to {}: {detail}: the certificate was not read",
                        addr.clone().unwrap_or_default()
                    )
                },
            )
            .with("address", addr.clone()),
        ),
        Err(TlsProblem::ConnectFailed { .. }) => {}
        Err(TlsProblem::Timeout { phase }) => f.push(
            Finding::error(
                TLS_TIMEOUT,
                format!(
                    "{} did not finish the {phase} in time",
                    addr.clone().unwrap_or_default()
                ),
            )
            .with("address", addr.clone())
            .with("phase", *phase),
        ),
        Err(TlsProblem::Handshake {
            detail,
            first_bytes,
        }) => {
            let mut msg = format!(
                "TLS handshake with {} failed: {detail}",
                addr.clone().unwrap_or_default()
            );
            if first_bytes
                .as_deref()
                .is_some_and(|b| b.starts_with("HTTP/"))
            {
                msg.push_str(" (the server speaks plain HTTP on this port)");
            }
            f.push(
                Finding::error(TLS_HANDSHAKE_FAILED, msg)
                    .with("address", addr.clone())
                    .with("first_bytes", first_bytes.clone()),
            );
        }
        Ok(_) => {}
    }
    let Some(cert) = leaf else { return f };
    if !cert.matches_host && !cause {
        f.push(
            Finding::error(
                CERTIFICATE_NAME_MISMATCH,
                format!(
                    "the certificate is for {}, not {}",
                    leaf_names.join(", "),
                    view.map_or(host, |v| v.sni.as_str())
                ),
            )
            .with("certificate_names", json!(leaf_names))
            .with("subject", cert.facts.subject.as_str()),
        );
    }
    let days_left = (cert.facts.not_after_unix - o.now).div_euclid(86_400);
    // API Gateway's and CloudFront's own certificates are AWS's to renew, not the user's:
    // an "expiring" warning would be advice nobody can follow.
    if serves_execute_api || serves_cloudfront {
        // Nothing to say about its dates.
    } else if cert.facts.not_after_unix < o.now {
        f.push(
            Finding::error(
                CERTIFICATE_EXPIRED,
                format!("the certificate expired on {}", cert.facts.not_after),
            )
            .with("not_after", cert.facts.not_after.as_str()),
        );
    } else if days_left < EXPIRING_DAYS {
        f.push(
            Finding::warning(
                CERTIFICATE_EXPIRING,
                format!(
                    "the certificate expires in {days_left} days ({})",
                    cert.facts.not_after
                ),
            )
            .with("not_after", cert.facts.not_after.as_str())
            .with("days_left", days_left),
        );
    }
    match &o.trust {
        Some(Trust::UnknownIssuer) => {
            let sent = view.map_or(0, |v| v.chain.len());
            if sent == 1 && !cert.facts.self_signed {
                f.push(
                    Finding::error(MISSING_INTERMEDIATE, format!("the server sends only the leaf certificate; its issuer {} is not a trusted root, so clients need the intermediate", cert.facts.issuer))
                        .with("issuer", cert.facts.issuer.as_str())
                        .with("certificates_sent", sent),
                );
            } else {
                f.push(
                    Finding::error(
                        CERTIFICATE_UNTRUSTED,
                        if cert.facts.self_signed {
                            format!(
                                "the certificate is self-signed ({}): no client trusts it unless told to (a test or default server certificate, not one from ACM)",
                                cert.facts.issuer
                            )
                        } else {
                            format!(
                                "no trusted root issued this chain (issuer {})",
                                cert.facts.issuer
                            )
                        },
                    )
                    .with("issuer", cert.facts.issuer.as_str())
                    .with("self_signed", cert.facts.self_signed),
                );
            }
        }
        Some(Trust::Other(why)) => f.push(
            Finding::error(
                CERTIFICATE_UNTRUSTED,
                format!("the chain does not verify: {why}"),
            )
            .with("issuer", cert.facts.issuer.as_str()),
        ),
        // Expired and not-yet-valid are reported from the dates above.
        _ => {}
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use dns::Hop;

    fn facts(names: &[&str], not_after: i64) -> CertFacts {
        CertFacts {
            subject: format!("CN={}", names[0]),
            issuer: "CN=Test CA".into(),
            sans: names.iter().map(|s| s.to_string()).collect(),
            not_before: String::new(),
            not_after: certificate::rfc3339(not_after),
            not_after_unix: not_after,
            not_before_unix: 0,
            serial: "01".into(),
            key: "EC 256".into(),
            self_signed: false,
        }
    }

    fn observed(host: &str, chain: Vec<Hop>) -> Observed {
        Observed {
            host: host.into(),
            dns: Resolution {
                chain,
                addresses: vec!["192.0.2.1".parse().unwrap()],
                rcode: "NOERROR".into(),
                problem: None,
            },
            connected_to: Some("192.0.2.1:443".parse().unwrap()),
            client_auth: Default::default(),
            accepts_tls12: None,
            tls: Err(TlsProblem::ConnectFailed {
                detail: "unused".into(),
            }),
            trust: Some(Trust::Trusted),
            now: 1_800_000_000,
        }
    }

    fn view(host: &str, cert: CertFacts) -> TlsView {
        TlsView {
            protocol: "TLSv1.3".into(),
            cipher: String::new(),
            connected_to: "192.0.2.1:443".into(),
            sni: host.into(),
            certificate: Some(CertView {
                matches_host: certificate::matches_host(&cert, host),
                trusted: true,
                facts: cert.clone(),
            }),
            chain: vec![cert],
            client_auth: None,
        }
    }

    fn codes(f: &[Finding]) -> Vec<&str> {
        f.iter()
            .map(|f| f.code)
            .filter(|c| *c != CONNECT_FAILED)
            .collect()
    }

    #[test]
    fn the_cause_is_reported_instead_of_the_name_mismatch() {
        let hop = Hop {
            name: "api.example.com".into(),
            record_type: "CNAME".into(),
            target: "abc123defg.execute-api.eu-west-1.amazonaws.com".into(),
            ttl: 60,
        };
        let o = observed("api.example.com", vec![hop]);
        let v = view(
            "api.example.com",
            facts(&["*.execute-api.eu-west-1.amazonaws.com"], 1_900_000_000),
        );
        let f = diagnose(&o, Some(&v), None);
        assert_eq!(codes(&f), [CNAME_TO_DEFAULT_ENDPOINT]);
        assert!(
            f[0].message
                .contains("*.execute-api.eu-west-1.amazonaws.com"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn expiry_boundaries() {
        let day = 86_400;
        let host = "a.example.com";
        for (left, expected) in [
            (-1, vec![CERTIFICATE_EXPIRED]),
            (29 * day, vec![CERTIFICATE_EXPIRING]),
            (31 * day, vec![]),
        ] {
            let v = view(host, facts(&[host], 1_800_000_000 + left));
            assert_eq!(
                codes(&diagnose(&observed(host, vec![]), Some(&v), None)),
                expected,
                "{left}"
            );
        }
    }

    #[test]
    fn aws_certificates_get_no_expiry_warnings() {
        let day = 86_400;
        for name in ["*.execute-api.us-east-1.amazonaws.com", "*.cloudfront.net"] {
            let host = "abc123defg.execute-api.us-east-1.amazonaws.com";
            let v = view(host, facts(&[name], 1_800_000_000 + 3 * day));
            let findings = diagnose(&observed(host, vec![]), Some(&v), None);
            let found = codes(&findings);
            assert!(
                !found.contains(&CERTIFICATE_EXPIRING) && !found.contains(&CERTIFICATE_EXPIRED),
                "{name}: {found:?}"
            );
        }
    }

    #[test]
    fn expected_target_is_compared_to_the_chain() {
        let hop = Hop {
            name: "a.example.com".into(),
            record_type: "CNAME".into(),
            target: "d-abc123defg.execute-api.us-east-1.amazonaws.com".into(),
            ttl: 60,
        };
        let o = observed("a.example.com", vec![hop]);
        let v = view("a.example.com", facts(&["a.example.com"], 1_900_000_000));
        assert!(
            codes(&diagnose(
                &o,
                Some(&v),
                Some("D-ABC123DEFG.execute-api.us-east-1.amazonaws.com.")
            ))
            .is_empty()
        );
        assert_eq!(
            codes(&diagnose(
                &o,
                Some(&v),
                Some("d-other00000.execute-api.us-east-1.amazonaws.com")
            )),
            [WRONG_TARGET]
        );
    }
}
