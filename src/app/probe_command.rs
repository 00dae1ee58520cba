//! `apigw-doctor probe`: one request (and same-host redirects), its signatures explained.
use super::Session;
use crate::checks::domain::{self, dns::Resolution, tls};
use crate::checks::private;
use crate::checks::probe::{self, AnsweredBy};
use crate::cli::ProbeArgs;
use crate::finding::Finding;
use crate::input;
use crate::report::{Outcome, Report, human::Palette};
use anyhow::{Context, Result, bail};
use serde::Serialize;
use serde_json::Map;
use std::io::{self, Write};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// The preview shown and reported; signatures are read from at most `READ_LIMIT`.
const PREVIEW_BYTES: usize = 1024;
const READ_LIMIT: usize = 16 * 1024;

#[derive(Serialize)]
struct RequestView {
    method: String,
    url: String,
}

#[derive(Serialize)]
struct ResponseView {
    status: u16,
    headers: Map<String, serde_json::Value>,
    body_preview: String,
    body_bytes_read: usize,
    body_truncated: bool,
    tls_protocol: Option<String>,
}

#[derive(Serialize)]
struct Redirect {
    status: u16,
    location: String,
    followed: bool,
    /// Why it was not followed: "another host" or "--max-redirects reached"; null when it was.
    not_followed_because: Option<&'static str>,
}

#[derive(Serialize)]
struct ProbeOutcome {
    request: RequestView,
    response: Option<ResponseView>,
    answered_by: Option<AnsweredBy>,
    error_type: Option<String>,
    redirects: Vec<Redirect>,
    timing_ms: Map<String, serde_json::Value>,
}

impl Outcome for ProbeOutcome {
    fn render_human(&self, out: &mut dyn Write, p: &Palette) -> io::Result<()> {
        for r in &self.redirects {
            let how = match r.not_followed_because {
                None => "followed".to_string(),
                Some(why) => format!("not followed ({why})"),
            };
            writeln!(
                out,
                "{}< {} → {} ({how}){:#}",
                p.dim, r.status, r.location, p.dim
            )?;
        }
        writeln!(
            out,
            "{}> {} {}{:#}",
            p.dim, self.request.method, self.request.url, p.dim
        )?;
        let Some(resp) = &self.response else {
            return writeln!(out);
        };
        let who = self.answered_by.map(|a| {
            serde_json::to_value(a)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        });
        writeln!(
            out,
            "{}< HTTP {} {}{:#}  {}(answered by {}{}, {} ms){:#}",
            p.strong,
            resp.status,
            domain_reason(resp.status),
            p.strong,
            p.dim,
            who.unwrap_or_default(),
            resp.tls_protocol
                .as_deref()
                .map(|t| format!(", {t}"))
                .unwrap_or_default(),
            self.timing_ms
                .get("total")
                .and_then(|v| v.as_u64())
                .unwrap_or(0),
            p.dim
        )?;
        for (name, value) in &resp.headers {
            writeln!(
                out,
                "{}< {name}:{:#} {}",
                p.code,
                p.code,
                crate::report::human::inline(value)
            )?;
        }
        writeln!(out)?;
        if !resp.body_preview.is_empty() {
            writeln!(
                out,
                "{}",
                crate::report::human::multiline(&resp.body_preview)
            )?;
            if resp.body_truncated {
                writeln!(
                    out,
                    "{}… (body cut after {} bytes){:#}",
                    p.dim, resp.body_bytes_read, p.dim
                )?;
            }
            writeln!(out)?;
        }
        Ok(())
    }
}

fn domain_reason(status: u16) -> &'static str {
    crate::checks::lambda::reason_phrase(status)
}

pub fn run(session: &mut Session, args: &ProbeArgs) -> Result<()> {
    // API Gateway has no plain HTTP: a URL without a scheme means https://.
    let schemeless = !args.url.contains("://");
    let given = if schemeless {
        format!("https://{}", args.url)
    } else {
        args.url.clone()
    };
    let url =
        url::Url::parse(&given).map_err(|e| anyhow::anyhow!("{:?} is not a URL: {e}", args.url))?;
    if !matches!(url.scheme(), "http" | "https" | "ws" | "wss") || url.host_str().is_none() {
        bail!(
            "{:?}: only http://, https://, ws:// and wss:// URLs with a host can be probed",
            args.url
        );
    }
    if schemeless {
        crate::report::human::say(format_args!(
            "apigw-doctor: note: {} has no scheme: probing {url}",
            crate::report::human::visible(&args.url)
        ));
    }
    let method = reqwest::Method::from_bytes(args.method.to_ascii_uppercase().as_bytes())
        .map_err(|_| anyhow::anyhow!("-X {:?}: not an HTTP method", args.method))?;
    let mut headers = reqwest::header::HeaderMap::new();
    for h in &args.headers {
        let (name, value) = h
            .split_once(':')
            .ok_or_else(|| anyhow::anyhow!("-H {h:?}: expected 'Name: value'"))?;
        let name = reqwest::header::HeaderName::from_bytes(name.trim().as_bytes())
            .map_err(|_| anyhow::anyhow!("-H {h:?}: invalid header name"))?;
        let value = reqwest::header::HeaderValue::from_str(value.trim())
            .map_err(|_| anyhow::anyhow!("-H {h:?}: invalid header value"))?;
        headers.append(name, value);
    }
    let body = match &args.data {
        None => None,
        Some(d) => Some(match d.strip_prefix('@') {
            Some(file) => {
                input::read_bounded(file, crate::checks::lambda::MAX_RESPONSE_BYTES as u64)?
            }
            None => d.clone().into_bytes(),
        }),
    };
    let mut overrides: Vec<(String, SocketAddr)> = Vec::new();
    for r in &args.resolve {
        let mut parts = r.splitn(3, ':');
        let (Some(host), Some(port), Some(addr)) = (parts.next(), parts.next(), parts.next())
        else {
            bail!("--resolve {r:?}: expected HOST:PORT:ADDR");
        };
        let port: u16 = port
            .parse()
            .map_err(|_| anyhow::anyhow!("--resolve {r:?}: bad port"))?;
        let ip: std::net::IpAddr = addr
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse()
            .map_err(|_| anyhow::anyhow!("--resolve {r:?}: ADDR must be an IP address"))?;
        overrides.push((host.to_ascii_lowercase(), SocketAddr::new(ip, port)));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let anchors = tls::anchors(args.ca_file.as_deref()).map_err(anyhow::Error::msg)?;
    if matches!(url.scheme(), "ws" | "wss") {
        return websocket(
            session, args, &runtime, url, headers, body, &overrides, &anchors,
        );
    }
    let header_pairs: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let called = url.clone();
    let verb = method.to_string();
    let probed = runtime.block_on(probe(
        args, &anchors, url, method, headers, body, &overrides,
    ));
    let (outcome, mut findings) = match probed {
        Ok(p) => p,
        Err(e) => {
            runtime.shutdown_background();
            return Err(e);
        }
    };
    let status = outcome.response.as_ref().map(|r| r.status);
    let path = private::call_path(called.host_str().unwrap_or_default(), &header_pairs);
    if let Some(path) = &path {
        let addresses = runtime.block_on(addresses_of(&called, &overrides, args.timeout));
        let reached_privately = addresses.iter().any(private::is_private);
        let explicit = !matches!(path, private::CallPath::DefaultName { .. });
        // A 403 that a private API's configuration can explain (not a missing method).
        let forbidden = status == Some(403)
            && matches!(
                outcome.error_type.as_deref(),
                Some("ForbiddenException" | "AccessDeniedException")
            );
        if explicit || reached_privately || forbidden || args.aws {
            findings.extend(private::path_findings(path, &addresses, status));
        }
    }
    // A system resolver still stuck in its blocking thread must not hold the exit.
    runtime.shutdown_background();
    if args.aws {
        let Some(path) = &path else {
            bail!(
                "--aws reads the API an execute-api URL names ({}: no API id in it)",
                args.url
            );
        };
        findings.extend(live_private(session, path, &called, &verb)?);
    }
    let target = args.url.clone();
    session.emit(&Report::new("probe", target, outcome).with_findings(findings))
}

/// The addresses a host resolves to (--resolve first), bounded by `timeout`.
async fn addresses_of(
    url: &url::Url,
    overrides: &[(String, SocketAddr)],
    timeout: Duration,
) -> Vec<std::net::IpAddr> {
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let port = url.port_or_known_default().unwrap_or(443);
    if let Some((_, a)) = overrides
        .iter()
        .find(|(h, a)| *h == host && a.port() == port)
    {
        return vec![a.ip()];
    }
    match tokio::time::timeout(timeout, tokio::net::lookup_host((host.as_str(), port))).await {
        Ok(Ok(addrs)) => addrs.map(|a| a.ip()).collect(),
        _ => Vec::new(),
    }
}

/// `probe --aws`: the API's endpoint type, associated endpoints and resource policy, and
/// what they make of this call.
#[cfg(feature = "aws")]
fn live_private(
    session: &Session,
    path: &private::CallPath,
    url: &url::Url,
    method: &str,
) -> Result<Vec<Finding>> {
    use crate::checks::policy;
    let Some(api_id) = path.api_id() else {
        return Ok(vec![Finding::error(
            private::NOT_READ,
            "the API's configuration was not read: the call does not name the API (add x-apigw-api-id)",
        )]);
    };
    let aws = session.connect_aws()?;
    if aws.region != path.region() {
        bail!(
            "the URL's API is in {}, and AWS is asked in {}: pass --region {}",
            path.region(),
            aws.region,
            path.region()
        );
    }
    let api = aws.endpoint_configuration(api_id)?;
    let verdict = match &api.policy {
        None => private::PolicyVerdict::None,
        Some(text) => {
            let value = policy::unwrap_policy(&serde_json::Value::String(text.clone()))
                .map_err(|e| anyhow::anyhow!("REST API {api_id}'s resource policy: {e}"))?;
            let account = aws.account_id()?;
            let mut segments = url.path().trim_start_matches('/').splitn(2, '/');
            let stage = segments.next().filter(|s| !s.is_empty()).unwrap_or("*");
            let rest = segments.next().unwrap_or_default();
            let resource = format!(
                "arn:aws:execute-api:{}:{account}:{api_id}/{stage}/{}/{rest}",
                path.region(),
                method.to_ascii_uppercase()
            );
            let undecided = if path.vpce().is_none() {
                "it depends on the VPC endpoint (aws:SourceVpce) or VPC the call comes from, which a private-DNS name does not show; call through the endpoint's name to see, or run `apigw-doctor policy` with --source-vpce"
            } else {
                "it depends on a condition this call does not show (aws:SourceVpc, aws:SourceIp, ...); run `apigw-doctor policy` with it"
            };
            private::judge_policy(&value, &resource, path.vpce(), undecided)
        }
    };
    Ok(private::configured_findings(
        path,
        &private::Configured {
            api_id,
            endpoint_types: &api.endpoint_types,
            vpc_endpoint_ids: &api.vpc_endpoint_ids,
            policy: verdict,
            security_policy: api.security_policy.as_deref(),
            endpoint_access_mode: api.endpoint_access_mode.as_deref(),
        },
    ))
}

#[cfg(not(feature = "aws"))]
fn live_private(
    session: &Session,
    _path: &private::CallPath,
    _url: &url::Url,
    _method: &str,
) -> Result<Vec<Finding>> {
    session.connect_aws().map(|never| match never {})
}

/// `probe ws://…` / `wss://…`: the upgrade, and with `-d` one message and its answer.
#[allow(clippy::too_many_arguments)]
fn websocket(
    session: &mut Session,
    args: &ProbeArgs,
    runtime: &tokio::runtime::Runtime,
    url: url::Url,
    headers: reqwest::header::HeaderMap,
    body: Option<Vec<u8>>,
    overrides: &[(String, SocketAddr)],
    anchors: &[rustls::pki_types::TrustAnchor<'static>],
) -> Result<()> {
    if !args.method.eq_ignore_ascii_case("GET") {
        bail!("-X {}: a WebSocket upgrade is a GET", args.method);
    }
    let message = body
        .map(|b| {
            String::from_utf8(b)
                .map_err(|_| anyhow::anyhow!("-d: a WebSocket message here is text (UTF-8)"))
        })
        .transpose()?;
    let pairs: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    // HTTP/1.1 only: the upgrade is an HTTP/1.1 request.
    let mut tls = tls_config(args.insecure, anchors);
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    let how = crate::app::probe_websocket::WsProbe {
        url: &url,
        headers: &pairs,
        message,
        timeout: args.timeout,
        tls: std::sync::Arc::new(tls),
        overrides,
    };
    let result = runtime.block_on(async {
        let (outcome, mut findings, explain) = crate::app::probe_websocket::run(&how).await?;
        if explain {
            let deadline = Instant::now() + args.timeout;
            findings.extend(explain_tls(&url, overrides, deadline, anchors).await.1);
        }
        Ok::<_, anyhow::Error>((outcome, findings))
    });
    let (outcome, findings) = result?;
    session.emit(&Report::new("probe", args.url.clone(), outcome).with_findings(findings))
}

fn tls_config(
    insecure: bool,
    anchors: &[rustls::pki_types::TrustAnchor<'static>],
) -> rustls::ClientConfig {
    if insecure {
        return (*tls::inspection_config()).clone();
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let roots = rustls::RootCertStore {
        roots: anchors.to_vec(),
    };
    rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports the default protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth()
}

#[allow(clippy::too_many_arguments)]
async fn probe(
    args: &ProbeArgs,
    anchors: &[rustls::pki_types::TrustAnchor<'static>],
    mut url: url::Url,
    mut method: reqwest::Method,
    headers: reqwest::header::HeaderMap,
    mut body: Option<Vec<u8>>,
    overrides: &[(String, SocketAddr)],
) -> Result<(ProbeOutcome, Vec<Finding>)> {
    let mut builder = reqwest::Client::builder()
        .tls_backend_preconfigured(tls_config(args.insecure, anchors))
        .redirect(reqwest::redirect::Policy::none())
        .timeout(args.timeout)
        .connect_timeout(args.timeout)
        .user_agent(concat!("apigw-doctor/", env!("CARGO_PKG_VERSION")));
    for (host, addr) in overrides {
        builder = builder.resolve(host, *addr);
    }
    let client = builder.build().context("cannot build the HTTP client")?;
    let mut findings: Vec<Finding> = probe::plain_http(&url).into_iter().collect();
    let mut redirects = Vec::new();
    let start = Instant::now();
    let deadline = start + args.timeout;
    let origin = (
        url.scheme().to_string(),
        url.host_str().map(str::to_string),
        url.port_or_known_default(),
    );
    let mut hops = 0;
    let response = loop {
        let mut request = client
            .request(method.clone(), url.clone())
            .headers(headers.clone());
        if let Some(b) = &body {
            request = request.body(b.clone());
        }
        // One deadline for the whole command: each hop gets what is left of it.
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break Err(Failed::Deadline);
        }
        let sent = match request.timeout(left).send().await {
            Ok(r) => r,
            Err(e) => break Err(Failed::Http(e)),
        };
        let status = sent.status().as_u16();
        let location = sent
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .and_then(|l| url.join(l).ok());
        match location {
            Some(next) if (300..400).contains(&status) && status != 304 => {
                let same = (
                    next.scheme().to_string(),
                    next.host_str().map(str::to_string),
                    next.port_or_known_default(),
                ) == origin;
                let follow = same && hops < args.max_redirects;
                redirects.push(Redirect {
                    status,
                    location: next.to_string(),
                    followed: follow,
                    not_followed_because: match (follow, same) {
                        (true, _) => None,
                        (false, false) => Some("another host"),
                        (false, true) => Some("--max-redirects reached"),
                    },
                });
                if !follow {
                    if !same {
                        findings.push(
                            Finding::info(
                                probe::REDIRECT_ELSEWHERE,
                                format!("{status} redirect to another host, not followed: {next}"),
                            )
                            .with("location", next.as_str()),
                        );
                    }
                    break Ok(sent);
                }
                hops += 1;
                if status == 303 || (matches!(status, 301 | 302) && method == reqwest::Method::POST)
                {
                    method = reqwest::Method::GET;
                    body = None;
                }
                url = next;
            }
            _ => break Ok(sent),
        }
    };
    let first_byte = start.elapsed();
    let is_https = url.scheme() == "https";
    let mut timing = Map::new();
    timing.insert("first_byte".into(), (first_byte.as_millis() as u64).into());
    let request_view = RequestView {
        method: method.to_string(),
        url: url.to_string(),
    };
    let response = match response {
        Ok(r) => r,
        Err(failed) => {
            let (what, detail, timed_out) = match &failed {
                Failed::Deadline => (
                    "timed out",
                    format!(
                        "--timeout {:?} ran out after {hops} redirect(s)",
                        args.timeout
                    ),
                    true,
                ),
                Failed::Http(e) if e.is_timeout() => ("timed out", error_chain(e), true),
                Failed::Http(e) if e.is_connect() => ("could not connect", error_chain(e), false),
                Failed::Http(e) => ("failed", error_chain(e), false),
            };
            findings.push(
                Finding::error(
                    probe::REQUEST_FAILED,
                    format!("the request {what}: {detail}"),
                )
                .with("url", url.as_str()),
            );
            if is_https && !timed_out {
                findings.extend(explain_tls(&url, overrides, deadline, anchors).await.1);
            }
            timing.insert("total".into(), (start.elapsed().as_millis() as u64).into());
            let outcome = ProbeOutcome {
                request: request_view,
                response: None,
                answered_by: None,
                error_type: None,
                redirects,
                timing_ms: timing,
            };
            return Ok((outcome, findings));
        }
    };
    let status = response.status().as_u16();
    let header_pairs: Vec<(String, String)> = response
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let (bytes, truncated) = read_some(response, deadline).await;
    timing.insert("total".into(), (start.elapsed().as_millis() as u64).into());
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let by = probe::answered_by(&header_pairs);
    let error_type = probe::error_type(&header_pairs);
    findings.extend(probe::diagnose(&probe::Response {
        status,
        headers: &header_pairs,
        body: &text,
        path: url.path(),
        elapsed_ms: start.elapsed().as_millis() as u64,
        origin: headers
            .get(reqwest::header::ORIGIN)
            .and_then(|v| v.to_str().ok()),
        host: url.host_str().unwrap_or_default(),
        authorization: headers
            .get(reqwest::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok()),
    }));
    let (tls_protocol, tls_findings) = if is_https {
        explain_tls(&url, overrides, deadline, anchors).await
    } else {
        (None, Vec::new())
    };
    if args.insecure {
        // The client did not verify: say what a verifying client would object to.
        findings.extend(tls_findings);
    }
    let mut header_map = Map::new();
    for (k, v) in &header_pairs {
        match header_map.get_mut(k) {
            Some(serde_json::Value::String(existing)) => {
                existing.push_str(", ");
                existing.push_str(v);
            }
            _ => {
                header_map.insert(k.clone(), v.clone().into());
            }
        }
    }
    let preview_end = text.floor_char_boundary(PREVIEW_BYTES.min(text.len()));
    let outcome = ProbeOutcome {
        request: request_view,
        response: Some(ResponseView {
            status,
            headers: header_map,
            body_preview: text[..preview_end].to_string(),
            body_bytes_read: bytes.len(),
            body_truncated: truncated,
            tls_protocol,
        }),
        answered_by: Some(by),
        error_type,
        redirects,
        timing_ms: timing,
    };
    Ok((outcome, findings))
}

/// Why no response came.
enum Failed {
    Http(reqwest::Error),
    /// The command's deadline passed between redirects.
    Deadline,
}

fn remaining(deadline: Instant) -> Duration {
    deadline.saturating_duration_since(Instant::now())
}

/// Reads the body up to READ_LIMIT bytes, and not past the deadline.
async fn read_some(mut response: reqwest::Response, deadline: Instant) -> (Vec<u8>, bool) {
    let mut bytes = Vec::new();
    loop {
        let chunk = match tokio::time::timeout(remaining(deadline), response.chunk()).await {
            Ok(Ok(Some(c))) => c,
            Ok(Ok(None)) => return (bytes, false),
            Ok(Err(_)) | Err(_) => return (bytes, true),
        };
        let room = READ_LIMIT - bytes.len();
        bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if bytes.len() >= READ_LIMIT {
            return (bytes, true);
        }
    }
}

/// The TLS version and, through the `domain` checks, what is wrong with the certificate.
async fn explain_tls(
    url: &url::Url,
    overrides: &[(String, SocketAddr)],
    deadline: Instant,
    anchors: &[rustls::pki_types::TrustAnchor<'static>],
) -> (Option<String>, Vec<Finding>) {
    let Some(host) = url.host_str() else {
        return (None, Vec::new());
    };
    // What is left of the command's deadline, for the lookup and for each phase of the
    // inspection handshake; with nothing left, no inspection.
    let timeout = remaining(deadline);
    if timeout < Duration::from_millis(50) {
        return (None, Vec::new());
    }
    let port = url.port_or_known_default().unwrap_or(443);
    let addr = match overrides
        .iter()
        .find(|(h, a)| h == host && a.port() == port)
    {
        Some((_, a)) => Some(*a),
        None => tokio::time::timeout(timeout, tokio::net::lookup_host((host, port)))
            .await
            .ok()
            .and_then(Result::ok)
            .and_then(|mut a| a.next()),
    };
    let Some(addr) = addr else {
        return (None, Vec::new());
    };
    let dns = Resolution {
        // Found through --resolve or the system resolver, not by a DNS query of ours: no
        // DNS finding may be drawn from it.
        rcode: "NONE".into(),
        addresses: vec![addr.ip()],
        ..Resolution::default()
    };
    let how = domain::Inspection {
        sni: host,
        timeout,
        client_key: None,
        anchors,
        expect_target: None,
    };
    match tokio::time::timeout(
        timeout,
        domain::inspect(host.to_string(), dns, &[addr], &how),
    )
    .await
    {
        Ok((_, view, findings)) => (view.map(|v| v.protocol), findings),
        Err(_) => (None, Vec::new()),
    }
}

/// An error with its causes, on one line (reqwest's own message alone says little).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}
