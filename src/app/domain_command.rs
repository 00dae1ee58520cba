//! `apigw-doctor domain`.
use super::Session;
use crate::checks::domain::{self, Config, Observed, TlsView, mtls, target::TargetKind};
use crate::cli::{DomainArgs, parse_socket};
use crate::finding::{Finding, Severity};
use crate::{document, input};
use anyhow::{Context, Result, bail};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{self, IsTerminal, Write};
use std::sync::Arc;

/// A host list longer than this is refused: split it.
const MAX_HOSTS: usize = 100_000;

#[derive(Serialize)]
struct DomainOutcome {
    host: String,
    dns: domain::dns::Resolution,
    target_kind: TargetKind,
    tls: Option<TlsView>,
    /// Live mode: what API Gateway and ACM hold for the name (null: no such custom domain).
    #[serde(skip_serializing_if = "Option::is_none")]
    aws: Option<serde_json::Value>,
}

impl Outcome for DomainOutcome {
    fn render_human(&self, out: &mut dyn Write, p: &Palette) -> io::Result<()> {
        writeln!(
            out,
            "{}{}{:#}  {}({}){:#}",
            p.strong,
            self.host,
            p.strong,
            p.dim,
            json_word(&self.target_kind),
            p.dim
        )?;
        if let Some(aws) = &self.aws {
            if aws.is_null() {
                writeln!(
                    out,
                    "  {}AWS{:#}   no such custom domain name in API Gateway",
                    p.dim, p.dim
                )?;
            } else {
                let word = |k: &str| aws[k].as_str().unwrap_or("?").to_string();
                writeln!(
                    out,
                    "  {}AWS{:#}   {} API, {} endpoint → {}",
                    p.dim,
                    p.dim,
                    word("api").to_uppercase(),
                    word("endpoint_type"),
                    word("target")
                )?;
                for m in aws["mappings"].as_array().into_iter().flatten() {
                    writeln!(
                        out,
                        "        mapping {} → {} stage {}",
                        m[0].as_str().unwrap_or("?"),
                        m[1].as_str().unwrap_or("?"),
                        m[2].as_str().unwrap_or("?")
                    )?;
                }
                if let Some(policy) = aws["security_policy"].as_str() {
                    writeln!(out, "        security policy {policy}")?;
                }
                let m = &aws["mutual_tls"];
                if m.is_object() {
                    writeln!(
                        out,
                        "        mutual TLS: truststore {}{}",
                        m["truststore_uri"].as_str().unwrap_or("?"),
                        m["truststore_version"]
                            .as_str()
                            .map(|v| format!(" (version {v})"))
                            .unwrap_or_default()
                    )?;
                }
                let private = &aws["private"];
                if private.is_object() {
                    let associated: Vec<&str> = private["access_associations"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|v| v.as_str())
                        .collect();
                    writeln!(
                        out,
                        "        private custom domain name {}; access associations: {}; policy: {}",
                        private["id"].as_str().unwrap_or("?"),
                        if associated.is_empty() {
                            "none".to_string()
                        } else {
                            associated.join(", ")
                        },
                        if private["policy"].is_string() {
                            "yes"
                        } else {
                            "none"
                        }
                    )?;
                }
                let c = &aws["certificate"];
                if c.is_object() {
                    let names: Vec<&str> = c["names"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|n| n.as_str())
                        .collect();
                    writeln!(
                        out,
                        "        ACM certificate {} in {}: {} ({}), until {}",
                        c["arn"].as_str().unwrap_or("?"),
                        c["region"].as_str().unwrap_or("?"),
                        c["status"].as_str().unwrap_or("?"),
                        names.join(", "),
                        c["not_after"].as_str().unwrap_or("?")
                    )?;
                }
            }
        }
        if self.dns.rcode == "NONE" {
            writeln!(
                out,
                "  {}DNS{:#}   none: an IP address is not looked up",
                p.dim, p.dim
            )?;
        } else if self.dns.chain.is_empty() {
            writeln!(out, "  {}DNS{:#}   {}", p.dim, p.dim, self.dns.rcode)?;
        }
        for (i, hop) in self.dns.chain.iter().enumerate() {
            let label = if i == 0 { "DNS" } else { "" };
            let kind = if hop.record_type == "CNAME" {
                format!("[{}]", json_word(&domain::target::classify(&hop.target)))
            } else {
                String::new()
            };
            let kind = format_args!(
                "{}{}",
                if kind.is_empty() { "" } else { "  " },
                p.dim.paint(&kind)
            );
            writeln!(
                out,
                "  {}{label:5}{:#} {} {} {}  {}ttl {}{:#}{kind}",
                p.dim, p.dim, hop.name, hop.record_type, hop.target, p.dim, hop.ttl, p.dim
            )?;
        }
        match &self.tls {
            None => {}
            Some(t) => {
                let family = if t.connected_to.starts_with('[') {
                    " (IPv6)"
                } else {
                    ""
                };
                writeln!(
                    out,
                    "  {}TLS{:#}   {} {} via {}{family} (SNI {})",
                    p.dim, p.dim, t.protocol, t.cipher, t.connected_to, t.sni
                )?;
                if let Some(c) = &t.certificate {
                    let names = domain::certificate::names(&c.facts).join(", ");
                    let ok = |b: bool, yes: &'static str, no: &'static str| {
                        if b {
                            p.good.paint(yes)
                        } else {
                            p.error.paint(no)
                        }
                    };
                    writeln!(out, "  {}cert{:#}  {names}", p.dim, p.dim)?;
                    writeln!(
                        out,
                        "        issuer {}; valid {} to {}; {}; {}; {} in chain",
                        c.facts.issuer,
                        c.facts.not_before,
                        c.facts.not_after,
                        ok(c.matches_host, "matches host", "does not match host"),
                        ok(c.trusted, "trusted", "not trusted"),
                        t.chain.len()
                    )?;
                }
                if let Some(a) = &t.client_auth {
                    render_client_auth(out, p, a)?;
                }
            }
        }
        writeln!(out)
    }
}

/// The mutual TLS line of a host: asked or not, the issuers named, what the server said.
fn render_client_auth(
    out: &mut dyn Write,
    p: &Palette,
    a: &domain::tls::ClientAuthSeen,
) -> io::Result<()> {
    let asked = if a.requested {
        "the server asks for a client certificate"
    } else {
        "the server did not ask for a client certificate"
    };
    let sent = if a.presented {
        "; one was presented"
    } else if a.requested {
        "; none was presented"
    } else {
        ""
    };
    writeln!(out, "  {}mTLS{:#}  {asked}{sent}", p.dim, p.dim)?;
    for issuer in &a.acceptable_issuers {
        writeln!(out, "        accepts issuer {issuer}")?;
    }
    if let Some(answer) = &a.answer {
        let how = if a.refused { "refused" } else { "answered" };
        writeln!(out, "        GET / {how}: {answer}")?;
    }
    Ok(())
}

/// The truststore and client certificate given with --truststore / --client-cert.
#[derive(Serialize)]
struct TruststoreOutcome {
    #[serde(skip_serializing_if = "Option::is_none")]
    truststore: Option<mtls::Truststore>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_certificate: Option<Vec<mtls::StoreCert>>,
}

impl Outcome for TruststoreOutcome {
    fn render_human(&self, out: &mut dyn Write, p: &Palette) -> io::Result<()> {
        if let Some(t) = &self.truststore {
            writeln!(
                out,
                "{}truststore {}{:#}  {}({} certificates){:#}",
                p.strong,
                t.source,
                p.strong,
                p.dim,
                t.certificates.len(),
                p.dim
            )?;
            for c in &t.certificates {
                let level = match c.depth {
                    Some(1) => "root".to_string(),
                    Some(d) => format!("CA level {d}"),
                    None => "broken chain".to_string(),
                };
                let level = if c.ca {
                    level
                } else {
                    format!("{level}, not a CA")
                };
                writeln!(
                    out,
                    "  {}{:>3}{:#} line {:<5} {}  {}[{level}]{:#}",
                    p.dim, c.index, p.dim, c.line, c.facts.subject, p.dim, p.dim
                )?;
                writeln!(
                    out,
                    "                 {}, {}, until {}",
                    c.facts.key, c.signature_algorithm, c.facts.not_after
                )?;
            }
        }
        if let Some(chain) = &self.client_certificate {
            for (i, c) in chain.iter().enumerate() {
                let label = if i == 0 { "client" } else { "  sent" };
                writeln!(
                    out,
                    "{}{label}{:#} {}  issued by {}; {}, {}, until {}",
                    p.strong,
                    p.strong,
                    c.facts.subject,
                    c.facts.issuer,
                    c.facts.key,
                    c.signature_algorithm,
                    c.facts.not_after
                )?;
            }
        }
        writeln!(out)
    }
}

/// What --truststore, --client-cert and --client-key gave: the truststore's report (with
/// the client's verdict) and the key to present.
struct MutualTlsInput {
    report: Option<(String, TruststoreOutcome, Vec<Finding>)>,
    key: Option<Arc<rustls::sign::CertifiedKey>>,
}

/// The truststore's bytes: --truststore FILE, --truststore s3://… (with --aws), or with
/// --aws the truststore the domain name is configured with; (where it came from, bytes).
/// A configured truststore that cannot be read is a finding, not a failure of the command.
fn truststore_bytes(
    session: &Session,
    args: &DomainArgs,
    configured: Option<(&str, Option<&str>)>,
    findings: &mut Vec<Finding>,
) -> Result<Option<(String, Vec<u8>)>> {
    match args.truststore.as_deref() {
        Some(uri) if uri.starts_with("s3://") => {
            if !args.aws {
                bail!(
                    "--truststore {uri}: pass --aws to read it from S3 (s3:GetObject), or copy it first (aws s3 cp {uri} truststore.pem) and pass --truststore truststore.pem"
                );
            }
            Ok(Some((uri.to_string(), fetch_s3(session, uri, None)?)))
        }
        Some(file) => Ok(Some((
            input::display_name(file).to_string(),
            input::read_bounded(file, mtls::MAX_TRUSTSTORE_BYTES)?,
        ))),
        None => match configured {
            Some((uri, version)) => match fetch_s3(session, uri, version) {
                Ok(bytes) => {
                    let source = match version {
                        Some(v) => format!("{uri} (version {v})"),
                        None => uri.to_string(),
                    };
                    Ok(Some((source, bytes)))
                }
                Err(e) => {
                    findings.push(
                        Finding::error(
                            mtls::TRUSTSTORE_NOT_READ,
                            format!(
                                "the truststore {uri} was not read, so it is not checked: {e:#}"
                            ),
                        )
                        .with("truststore_uri", uri),
                    );
                    Ok(None)
                }
            },
            None => Ok(None),
        },
    }
}

#[cfg(feature = "aws")]
fn fetch_s3(session: &Session, uri: &str, version: Option<&str>) -> Result<Vec<u8>> {
    session
        .connect_aws()?
        .s3_object(uri, version, mtls::MAX_TRUSTSTORE_BYTES)
}

#[cfg(not(feature = "aws"))]
fn fetch_s3(session: &Session, _uri: &str, _version: Option<&str>) -> Result<Vec<u8>> {
    session.connect_aws().map(|never| match never {})
}

fn mutual_tls_input(args: &DomainArgs, bytes: Option<(String, Vec<u8>)>) -> Result<MutualTlsInput> {
    let now = rustls::pki_types::UnixTime::now().as_secs() as i64;
    let truststore = bytes.map(|(source, b)| mtls::read_truststore(&source, &b, now));
    let client = match (&args.client_cert, &args.client_key) {
        (Some(cert), Some(key)) => {
            let chain = mtls::read_chain(
                input::display_name(cert),
                &input::read_bounded(cert, mtls::MAX_TRUSTSTORE_BYTES)?,
            )
            .map_err(anyhow::Error::msg)?;
            let key_pem = input::read_bounded(key, 1024 * 1024)?;
            let certified =
                domain::tls::client_key(mtls::ders(&chain), &key_pem, input::display_name(key))
                    .map_err(anyhow::Error::msg)?;
            Some((chain, certified))
        }
        _ => None,
    };
    if truststore.is_none() && client.is_none() {
        return Ok(MutualTlsInput {
            report: None,
            key: None,
        });
    }
    let mut findings = Vec::new();
    if let Some(t) = &truststore {
        findings.extend(t.findings.iter().cloned());
        if let Some((chain, _)) = &client {
            findings.push(mtls::judge_client(chain, t, now));
        }
    }
    let target = truststore
        .as_ref()
        .map(|t| t.source.clone())
        .or_else(|| args.client_cert.clone())
        .unwrap_or_default();
    let (chain, key) = match client {
        Some((c, k)) => (Some(c), Some(k)),
        None => (None, None),
    };
    Ok(MutualTlsInput {
        report: Some((
            target,
            TruststoreOutcome {
                truststore,
                client_certificate: chain,
            },
            findings,
        )),
        key,
    })
}

use crate::report::{Outcome, Report, human::Palette};

fn json_word<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

#[derive(Serialize, Default)]
struct Summary {
    hosts: usize,
    ok: usize,
    with_errors: usize,
    by_code: BTreeMap<&'static str, usize>,
}

#[derive(Serialize)]
struct SummaryOutcome {
    summary: Summary,
}

impl Outcome for SummaryOutcome {
    fn render_human(&self, out: &mut dyn Write, p: &Palette) -> io::Result<()> {
        let s = &self.summary;
        writeln!(
            out,
            "{}summary:{:#} {} hosts, {} without errors, {} with errors",
            p.strong, p.strong, s.hosts, s.ok, s.with_errors
        )?;
        for (code, n) in &s.by_code {
            writeln!(out, "  {}{code}{:#} ×{n}", p.code, p.code)?;
        }
        Ok(())
    }
}

/// `--aws`: the custom domain name's configuration, its findings, and the target DNS must
/// point at.
type Live = (serde_json::Value, Vec<Finding>, Option<String>);

#[cfg(feature = "aws")]
fn live(session: &Session, host: &str) -> Result<Live> {
    let aws = session.connect_aws()?;
    let found = aws.domain(host)?;
    let findings = domain::configured_findings(&domain::Configured {
        host,
        region: &aws.region,
        found: found.as_ref().map(|d| domain::ConfiguredDomain {
            mappings: d.mappings.len(),
            certificate_arn: d.certificate.as_ref().map(|c| c.arn.as_str()),
            certificate_status: d.certificate.as_ref().and_then(|c| c.status.as_deref()),
            certificate_names: d.certificate.as_ref().map_or(&[][..], |c| &c.names[..]),
            pending_validation: d
                .certificate
                .as_ref()
                .map_or(&[][..], |c| &c.pending_validation[..]),
        }),
    });
    let mut findings = findings;
    if let Some(d) = &found
        && let Some(p) = &d.private
    {
        findings.extend(private_domain_findings(host, p));
    }
    if let Some(d) = &found
        && let Some(m) = &d.mutual_tls
    {
        findings.extend(mtls::configured_findings(
            host,
            m,
            &d.default_endpoint_enabled,
        ));
    }
    let target = found.as_ref().and_then(|d| d.target.clone());
    Ok((serde_json::to_value(&found)?, findings, target))
}

/// A private custom domain name's access associations and policy, the policy evaluated for
/// each associated endpoint.
#[cfg(feature = "aws")]
fn private_domain_findings(host: &str, p: &crate::aws::PrivateDomain) -> Vec<Finding> {
    use crate::checks::{policy, private};
    let verdicts = p.policy.as_ref().map(|text| {
        // arn:aws:apigateway:REGION:ACCOUNT:/domainnames/NAME+ID
        let parts: Vec<&str> = p.arn.splitn(6, ':').collect();
        let (region, account) = (
            parts.get(3).copied().unwrap_or("*"),
            parts.get(4).copied().unwrap_or("*"),
        );
        let resource = format!(
            "arn:aws:execute-api:{region}:{account}:/domainnames/{host}+{}",
            p.id
        );
        let value = policy::unwrap_policy(&serde_json::Value::String(text.clone()));
        p.access_associations
            .iter()
            .map(|vpce| {
                let verdict = match &value {
                    Err(e) => private::PolicyVerdict::Undecided(format!(
                        "the policy could not be read: {e}"
                    )),
                    Ok(v) => private::judge_policy(
                        v,
                        &resource,
                        Some(vpce),
                        "it depends on a condition the endpoint alone does not decide",
                    ),
                };
                (vpce.clone(), verdict)
            })
            .collect()
    });
    private::domain_findings(&private::PrivateDomain {
        host,
        arn: &p.arn,
        associations: &p.access_associations,
        verdicts,
    })
}

#[cfg(not(feature = "aws"))]
fn live(session: &Session, _host: &str) -> Result<Live> {
    session.connect_aws().map(|never| match never {})
}

pub fn run(session: &mut Session, args: &DomainArgs) -> Result<()> {
    let hosts = hosts(args)?;
    let mut live = if args.aws {
        let [host] = hosts.as_slice() else {
            bail!("--aws checks one host at a time ({} given)", hosts.len());
        };
        Some(live(session, host)?)
    } else {
        None
    };
    let configured_truststore = live.as_ref().and_then(|(view, _, _)| {
        let m = &view["mutual_tls"];
        let uri = m["truststore_uri"].as_str()?.to_string();
        Some((uri, m["truststore_version"].as_str().map(str::to_string)))
    });
    let mut unread = Vec::new();
    let bytes = truststore_bytes(
        session,
        args,
        configured_truststore
            .as_ref()
            .map(|(u, v)| (u.as_str(), v.as_deref())),
        &mut unread,
    )?;
    if let Some((_, findings, _)) = &mut live {
        findings.append(&mut unread);
    }
    let mutual = mutual_tls_input(args, bytes)?;
    let domain_json = args
        .domain_name_json
        .as_deref()
        .map(document::load)
        .transpose()?;
    let expect_target = match (&args.expect_target, &domain_json, &live) {
        (Some(t), _, _) => Some(t.clone()),
        (None, Some(doc), _) => Some(target_from_json(doc)?),
        (_, _, Some((_, _, target))) => target.clone(),
        _ => None,
    };
    // Mutual TLS is expected on the name: a truststore or client certificate was given, or
    // the domain name's configuration has a truststore.
    let configured = domain_json
        .as_ref()
        .and_then(|d| mtls::from_domain_json(&d.value));
    let live_mtls = live
        .as_ref()
        .is_some_and(|(view, _, _)| !view["mutual_tls"].is_null());
    let expecting_mtls = mutual.report.is_some() || configured.is_some() || live_mtls;
    // The domain name's security policy, to compare with what the server reached accepts.
    let security_policy: Option<String> = live
        .as_ref()
        .and_then(|(view, _, _)| view["security_policy"].as_str().map(str::to_string))
        .or_else(|| {
            domain_json.as_ref().and_then(|d| {
                d.value
                    .get("securityPolicy")
                    .or_else(|| {
                        d.value
                            .pointer("/DomainNameConfigurations/0/SecurityPolicy")
                    })
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
        });
    let presenting = mutual.key.is_some();
    let (mut aws_view, mut aws_findings) = match live {
        Some((view, findings, _)) => (Some(view), findings),
        None => (None, Vec::new()),
    };
    if let (Some(c), [host, ..]) = (&configured, hosts.as_slice()) {
        aws_findings.extend(mtls::configured_findings(host, c, &[]));
    }
    if let Some((target, outcome, findings)) = mutual.report {
        session.emit(&Report::new("domain", target, outcome).with_findings(findings))?;
    }
    if hosts.is_empty() {
        return Ok(());
    }
    let anchors = domain::tls::anchors(args.ca_file.as_deref()).map_err(anyhow::Error::msg)?;
    let connect_to = args
        .connect_to
        .as_deref()
        .map(|c| parse_socket(c, args.port).map_err(|e| anyhow::anyhow!("--connect-to: {e}")))
        .transpose()?;
    let config = Arc::new(Config {
        port: args.port,
        connect_to,
        sni: args.sni.clone(),
        timeout: args.timeout,
        expect_target,
        anchors: Arc::new(anchors),
        client_key: mutual.key,
        try_tls12: security_policy.is_some(),
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    // Each DNS query gets half the phase bound, twice: the whole phase stays within it.
    let resolver =
        domain::dns::resolver(args.nameserver, args.timeout / 2).map_err(anyhow::Error::msg)?;
    let concurrency = within_open_file_limit(usize::from(args.concurrency));
    let mut summary = Summary::default();
    // A missing or unreadable hosts file is no finding: there is nothing to compare.
    let hosts_file = input::read_text(&args.hosts_file, 16 * 1024 * 1024)
        .map(|t| domain::dns::parse_hosts(&t))
        .unwrap_or_default();
    // Each report is written as soon as it and every one before it are ready.
    let mut report = |(observed, view, mut findings): Checked| -> Result<()> {
        findings.append(&mut aws_findings);
        if let Some(policy) = &security_policy {
            findings.extend(domain::security_policy_findings(
                &observed.host,
                policy,
                observed.accepts_tls12,
            ));
        }
        if observed.tls.is_ok() || observed.client_auth.requested {
            findings.extend(mtls::handshake_findings(
                &observed.host,
                &observed.client_auth,
                presenting,
                expecting_mtls,
            ));
        }
        if let Some(listed) = hosts_file.get(&observed.host) {
            findings.extend(domain::hosts_file_finding(
                &observed.host,
                &observed.dns,
                &args.hosts_file,
                listed,
            ));
        }
        summary.hosts += 1;
        if findings.iter().any(|f| f.severity == Severity::Error) {
            summary.with_errors += 1;
        } else {
            summary.ok += 1;
        }
        for f in findings.iter().filter(|f| f.severity > Severity::Info) {
            *summary.by_code.entry(f.code).or_default() += 1;
        }
        let outcome = DomainOutcome {
            target_kind: domain::target_kind(&observed),
            host: observed.host.clone(),
            dns: observed.dns,
            tls: view,
            aws: aws_view.take(),
        };
        session.emit(&Report::new("domain", outcome.host.clone(), outcome).with_findings(findings))
    };
    let streamed = runtime.block_on(check_all(hosts, resolver, config, concurrency, &mut report));
    runtime.shutdown_background();
    streamed?;
    if summary.hosts > 1 {
        session.emit(&Report::new(
            "domain",
            "summary",
            SummaryOutcome { summary },
        ))?;
    }
    Ok(())
}

/// Descriptors one host check may hold at once: DNS sockets (A, AAAA, a TCP retry) and
/// the TLS connection.
const FDS_PER_CHECK: u64 = 4;

/// `--concurrency`, lowered when the open-file limit (`ulimit -n`) cannot hold that many
/// checks: running out of descriptors would show up as DNS and TLS failures on every host.
fn within_open_file_limit(concurrency: usize) -> usize {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct we pass and reads nothing else.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return concurrency;
    }
    let usable = limit.rlim_cur.saturating_sub(32) / FDS_PER_CHECK;
    let allowed = usize::try_from(usable.max(1)).unwrap_or(usize::MAX);
    if concurrency > allowed {
        crate::report::human::say(format_args!(
            "apigw-doctor: warning: --concurrency {concurrency} lowered to {allowed}: the open-file limit (ulimit -n) is {}",
            limit.rlim_cur
        ));
        return allowed;
    }
    concurrency
}

type Checked = (Observed, Option<TlsView>, Vec<Finding>);

/// Checks every host, at most `concurrency` at once, handing each result to `report` in
/// input order as soon as it and all before it are done (memory holds only the results
/// that finished early). A progress bar on a terminal: count, rate, time left.
async fn check_all(
    hosts: Vec<String>,
    resolver: hickory_resolver::TokioResolver,
    config: Arc<Config>,
    concurrency: usize,
    report: &mut dyn FnMut(Checked) -> Result<()>,
) -> Result<()> {
    let total = hosts.len();
    let resolver = Arc::new(resolver);
    let mut set = tokio::task::JoinSet::new();
    // At most `concurrency` checks exist at a time: the next starts when one ends, so memory
    // does not grow with the number of hosts.
    let mut pending = hosts.into_iter().enumerate();
    let mut spawn_next = |set: &mut tokio::task::JoinSet<(usize, Checked)>| {
        if let Some((i, host)) = pending.next() {
            let (resolver, config) = (resolver.clone(), config.clone());
            set.spawn(async move { (i, domain::check(&host, &resolver, &config).await) });
        }
    };
    for _ in 0..concurrency {
        spawn_next(&mut set);
    }
    let bar = if io::stderr().is_terminal() && total > 1 {
        let bar = indicatif::ProgressBar::new(total as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{pos}/{len} hosts checked  {per_sec}  about {eta} left",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let mut early: std::collections::BTreeMap<usize, Checked> = Default::default();
    let mut next = 0;
    while let Some(joined) = set.join_next().await {
        spawn_next(&mut set);
        bar.inc(1);
        let Ok((i, r)) = joined else { continue };
        early.insert(i, r);
        while let Some(r) = early.remove(&next) {
            bar.suspend(|| report(r))?;
            next += 1;
        }
    }
    bar.finish_and_clear();
    // A task that panicked leaves a gap: report what follows it all the same.
    for (_, r) in early {
        report(r)?;
    }
    Ok(())
}

fn hosts(args: &DomainArgs) -> Result<Vec<String>> {
    let mut hosts: Vec<String> = Vec::new();
    for h in &args.hosts {
        let host = host_of(h);
        if !valid_host(&host) {
            bail!("{} is not a host name", quoted_prefix(h));
        }
        hosts.push(host);
    }
    if let Some(file) = &args.file {
        let name = input::display_name(file);
        let text = input::read_text(file, 64 * 1024 * 1024)?;
        if text.trim_start().starts_with(['{', '[']) {
            bail!(
                "{name}:1: this is JSON; give one host name per line (for example: jq -r '.items[].domainName' {name})"
            );
        }
        let before = hosts.len();
        for (n, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or_default().trim();
            if line.is_empty() {
                continue;
            }
            let host = host_of(line);
            if !valid_host(&host) {
                bail!(
                    "{name}:{}: {} is not a host name",
                    n + 1,
                    quoted_prefix(line)
                );
            }
            hosts.push(host);
            if hosts.len() > MAX_HOSTS {
                bail!(
                    "{name}:{}: more than {MAX_HOSTS} hosts; split the list",
                    n + 1
                );
            }
        }
        if hosts.len() == before {
            bail!("{name}: no host names in the file (one name per line; # starts a comment)");
        }
    }
    if hosts.is_empty() && args.truststore.is_none() {
        bail!("give at least one HOST (or --file with one name per line, or --truststore)");
    }
    Ok(hosts)
}

/// The host of a URL (`https://api.example.com/v1`) or `host:port`, said on standard error
/// when it is not the text given; anything else as it is.
fn host_of(given: &str) -> String {
    let host = if given.contains("://") {
        url::Url::parse(given)
            .ok()
            .and_then(|u| u.host_str().map(|h| h.trim_matches(['[', ']']).to_string()))
    } else {
        given
            .rsplit_once(':')
            .filter(|(h, p)| {
                !h.contains(':') && !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())
            })
            .map(|(h, _)| h.to_string())
    };
    match host {
        Some(h) if h != given => {
            crate::report::human::say(format_args!(
                "apigw-doctor: note: {}: checking the host {}",
                crate::report::human::visible(given),
                crate::report::human::visible(&h)
            ));
            h
        }
        _ => given.to_string(),
    }
}

/// A value quoted for an error line, cut to its first 80 characters.
fn quoted_prefix(s: &str) -> String {
    let cut: String = s.chars().take(80).collect();
    if cut.len() < s.len() {
        format!("{cut:?}… ({} bytes)", s.len())
    } else {
        format!("{cut:?}")
    }
}

fn valid_host(h: &str) -> bool {
    let h = h.trim_end_matches('.');
    !h.is_empty()
        && h.len() <= 253
        && (h.parse::<std::net::IpAddr>().is_ok()
            || h.split('.').all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && l.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            }))
}

/// The API Gateway domain name from `get-domain-name` (v1: regionalDomainName or
/// distributionDomainName; v2: DomainNameConfigurations[].ApiGatewayDomainName).
fn target_from_json(doc: &document::Document) -> Result<String> {
    let v = &doc.value;
    let found = v
        .get("regionalDomainName")
        .or_else(|| v.get("distributionDomainName"))
        .and_then(Value::as_str)
        .or_else(|| {
            v.get("DomainNameConfigurations")
                .and_then(Value::as_array)
                .and_then(|a| {
                    a.iter()
                        .find_map(|c| c.get("ApiGatewayDomainName").and_then(Value::as_str))
                })
        });
    match found {
        Some(t) => Ok(t.to_string()),
        None => bail!(
            "{}: no regionalDomainName, distributionDomainName or DomainNameConfigurations[].ApiGatewayDomainName: it looks like {}",
            doc.name,
            document::describe_for(v, "domain")
        ),
    }
}
