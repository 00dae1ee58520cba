//! `apigw-doctor probe` end to end, against loopback servers that answer with the headers and
//! bodies API Gateway and CloudFront send.
mod support;
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use support::net::{self, Pki};
use support::*;

const MISSING_TOKEN: &str = "HTTP/1.1 403 Forbidden\r\ncontent-type: application/json\r\ncontent-length: 42\r\nx-amzn-requestid: 6f1a2b3c-0000-4000-8000-000000000001\r\nx-amzn-errortype: MissingAuthenticationTokenException\r\nx-amz-apigw-id: AbCdEfGhIjKlMnO=\r\n\r\n{\"message\":\"Missing Authentication Token\"}";
const MISSING_TOKEN_VIA_CF: &str = "HTTP/1.1 403 Forbidden\r\ncontent-type: application/json\r\ncontent-length: 42\r\nx-amzn-requestid: 6f1a2b3c-0000-4000-8000-000000000002\r\nx-amzn-errortype: MissingAuthenticationTokenException\r\nx-cache: Error from cloudfront\r\nvia: 1.1 2a3b.cloudfront.net (CloudFront)\r\nx-amz-cf-pop: FRA56-P1\r\nx-amz-cf-id: abc==\r\n\r\n{\"message\":\"Missing Authentication Token\"}";
const FORBIDDEN: &str = "HTTP/1.1 403 Forbidden\r\ncontent-type: application/json\r\ncontent-length: 23\r\nx-amzn-requestid: 1\r\nx-amzn-errortype: ForbiddenException\r\n\r\n{\"message\":\"Forbidden\"}";
const ACCESS_DENIED: &str = "HTTP/1.1 403 Forbidden\r\ncontent-type: application/json\r\ncontent-length: 160\r\nx-amzn-requestid: 1\r\nx-amzn-errortype: AccessDeniedException\r\n\r\n{\"Message\":\"User: arn:aws:iam::999999999999:user/bob is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:111:abc/prod/GET/x\"}";
const UNAUTHORIZED: &str = "HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: 26\r\nx-amzn-requestid: 1\r\nx-amzn-errortype: UnauthorizedException\r\n\r\n{\"message\":\"Unauthorized\"}";
const THROTTLED: &str = "HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json\r\ncontent-length: 33\r\napigw-requestid: Ab1=\r\n\r\n{\"message\":\"Too Many Requests\"}";
const LAMBDA_502: &str = "HTTP/1.1 502 Bad Gateway\r\ncontent-type: application/json\r\ncontent-length: 36\r\nx-amzn-requestid: 1\r\nx-amz-apigw-id: x=\r\n\r\n{\"message\": \"Internal server error\"}";
const TIMEOUT_504: &str = "HTTP/1.1 504 Gateway Timeout\r\ncontent-type: application/json\r\ncontent-length: 41\r\nx-amzn-requestid: 1\r\nx-amzn-errortype: InternalServerErrorException\r\n\r\n{\"message\": \"Endpoint request timed out\"}";
const CF_403: &str = "HTTP/1.1 403 Forbidden\r\ncontent-type: text/html\r\ncontent-length: 120\r\nx-cache: Error from cloudfront\r\nvia: 1.1 abc.cloudfront.net (CloudFront)\r\nx-amz-cf-pop: IAD89-C1\r\n\r\n<HTML><HEAD><TITLE>ERROR: The request could not be satisfied</TITLE></HEAD><BODY><H1>403 ERROR</H1>Bad request.</BODY></HTML>";
const CF_502: &str = "HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/html\r\ncontent-length: 130\r\nx-cache: Error from cloudfront\r\nvia: 1.1 abc.cloudfront.net (CloudFront)\r\n\r\n<HTML><TITLE>502 ERROR</TITLE><BODY>The request could not be satisfied. CloudFront wasn't able to connect to the origin.</BODY></HTML>";
/// What API Gateway answers through CloudFront to a body over 10 MB (recorded, see the note).
const TOO_LARGE: &str = "HTTP/1.1 413 Request Entity Too Large\r\ncontent-type: text; charset=utf-8\r\ncontent-length: 44\r\nx-cache: Error from cloudfront\r\nvia: 1.1 60c0.cloudfront.net (CloudFront)\r\nx-amz-cf-pop: NRT20-C4\r\n\r\nHTTP content length exceeded 10485760 bytes.";
/// What API Gateway answers to a Lambda integration's request over 6 MB.
const REQUEST_TOO_LONG: &str = "HTTP/1.1 413 Request Entity Too Large\r\ncontent-type: application/json\r\ncontent-length: 31\r\nx-amzn-requestid: 9c8d\r\nx-amzn-errortype: BadRequestException\r\nx-amz-apigw-id: FiV9=\r\n\r\n{\"message\": \"Request Too Long\"}";
const OK_WITH_CORS: &str = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\nx-amzn-requestid: 1\r\naccess-control-allow-origin: https://app.example.com\r\n\r\n{\"ok\":true}";
const OK: &str = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\nx-amzn-requestid: 1\r\n\r\n{\"ok\":true}";

fn probe_at(server: SocketAddr, host: &str, path: &str, extra: &[&str]) -> (Value, i32) {
    let url = format!("http://{host}:{}{path}", server.port());
    let resolve = format!("{host}:{}:127.0.0.1", server.port());
    let mut args = vec![
        "-o",
        "json",
        "probe",
        url.as_str(),
        "--resolve",
        resolve.as_str(),
        "--timeout",
        "3s",
    ];
    args.extend(extra);
    let r = run(&args);
    assert!(r.code < 2, "{}", r.stderr);
    (r.one_json(), r.code)
}

fn only(j: &Value, code: &str) {
    let got = codes_of(j);
    assert_eq!(got, [code.to_string()].into(), "{j}");
}

#[test]
fn missing_authentication_token_direct_and_behind_cloudfront() {
    let (j, code) = probe_at(
        net::http_server(MISSING_TOKEN),
        "api.example.com",
        "/prod/petz",
        &[],
    );
    assert_eq!(code, 1);
    only(&j, "probe.missing-authentication-token");
    assert_eq!(j["result"]["answered_by"], "api-gateway");
    assert_eq!(
        j["result"]["error_type"],
        "MissingAuthenticationTokenException"
    );
    assert_eq!(j["result"]["response"]["status"], 403);
    assert_eq!(j["result"]["request"]["method"], "GET");
    let f = &j["findings"][0];
    assert_eq!(f["evidence"]["path"], "/prod/petz");
    assert_eq!(f["article"], "missing-authentication-token");
    let (j, _) = probe_at(
        net::http_server(MISSING_TOKEN_VIA_CF),
        "d111111abcdef8.cloudfront.net",
        "/prod/prod/pets",
        &[],
    );
    only(&j, "probe.missing-authentication-token-cloudfront");
    assert_eq!(j["findings"][0]["article"], "cloudfront-custom-domain");
    assert_eq!(j["result"]["answered_by"], "cloudfront+api-gateway");
    assert!(
        j["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("origin path")
    );
    // An edge-optimized API's own name answers through API Gateway's CloudFront: no origin path.
    let (j, _) = probe_at(
        net::http_server(MISSING_TOKEN_VIA_CF),
        "abc123.execute-api.us-east-1.amazonaws.com",
        "/prod/pets",
        &[],
    );
    // (Plain http to an execute-api name is a finding of its own.)
    assert_eq!(
        codes_of(&j),
        [
            "probe.missing-authentication-token".to_string(),
            "probe.plain-http-origin".to_string()
        ]
        .into(),
        "{j}"
    );
}

#[test]
fn probe_findings_link_the_article_for_their_problem() {
    for (response, article) in [
        (THROTTLED, "throttling"),
        (UNAUTHORIZED, "authorizer-unauthorized"),
        (FORBIDDEN, "private-api-forbidden"),
        (TIMEOUT_504, "integration-timeout"),
        (TOO_LARGE, "payload-too-large"),
    ] {
        let (j, _) = probe_at(net::http_server(response), "api.example.com", "/p/x", &[]);
        assert_eq!(j["findings"][0]["article"], article, "{j}");
    }
}

#[test]
fn a_cross_origin_call_without_cors_headers_is_a_finding() {
    let origin = ["-H", "Origin: https://app.example.com"];
    // A 4XX gateway response without CORS headers: the browser hides the 403 behind a CORS error.
    let (j, code) = probe_at(
        net::http_server(MISSING_TOKEN),
        "api.example.com",
        "/p",
        &origin,
    );
    assert_eq!(code, 1);
    let got = codes_of(&j);
    assert!(got.contains("probe.cors-missing"), "{j}");
    assert!(got.contains("probe.missing-authentication-token"), "{j}");
    let cors = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "probe.cors-missing")
        .unwrap();
    assert_eq!(cors["article"], "cors");
    assert_eq!(cors["evidence"]["origin"], "https://app.example.com");
    assert!(cors["message"].as_str().unwrap().contains("status 403"));
    // A success without the header is still unreadable to the page.
    let (j, code) = probe_at(net::http_server(OK), "api.example.com", "/p", &origin);
    only(&j, "probe.cors-missing");
    assert_eq!(code, 1, "a 200 the page cannot read is no all-clear");
    // The right origin (or none sent) is fine.
    let (j, code) = probe_at(
        net::http_server(OK_WITH_CORS),
        "api.example.com",
        "/p",
        &origin,
    );
    assert_eq!((codes_of(&j).len(), code), (0, 0), "{j}");
    let other = ["-H", "Origin: https://evil.example.net"];
    let (j, _) = probe_at(
        net::http_server(OK_WITH_CORS),
        "api.example.com",
        "/p",
        &other,
    );
    only(&j, "probe.cors-missing");
    let (j, code) = probe_at(net::http_server(OK), "api.example.com", "/p", &[]);
    assert_eq!((codes_of(&j).len(), code), (0, 0), "{j}");
}

#[test]
fn each_api_gateway_signature() {
    for (response, code, by) in [
        (FORBIDDEN, "probe.forbidden", "api-gateway"),
        (ACCESS_DENIED, "probe.access-denied", "api-gateway"),
        (UNAUTHORIZED, "probe.unauthorized", "api-gateway"),
        (THROTTLED, "probe.throttled", "api-gateway"),
        (LAMBDA_502, "probe.lambda-internal-error", "api-gateway"),
        (TIMEOUT_504, "probe.integration-timeout", "api-gateway"),
        (TOO_LARGE, "probe.payload-too-large", "cloudfront"),
        (REQUEST_TOO_LONG, "probe.payload-too-large", "api-gateway"),
        (CF_403, "probe.cloudfront-error", "cloudfront"),
        (CF_502, "probe.cloudfront-error", "cloudfront"),
    ] {
        let (j, _) = probe_at(
            net::http_server(response),
            "api.example.com",
            "/prod/x",
            &[],
        );
        only(&j, code);
        assert_eq!(j["result"]["answered_by"], by, "{code}");
    }
    let (j, code) = probe_at(net::http_server(OK), "api.example.com", "/prod/x", &[]);
    assert_eq!((codes_of(&j).len(), code), (0, 0));
    assert_eq!(j["result"]["response"]["body_preview"], "{\"ok\":true}");
}

#[test]
fn method_headers_and_body_are_sent() {
    let (j, _) = probe_at(
        net::http_server(OK),
        "api.example.com",
        "/prod/x",
        &["-X", "post", "-H", "x-api-key: k1", "-d", "{\"a\":1}"],
    );
    assert_eq!(j["result"]["request"]["method"], "POST");
    let r = run(&["probe", "http://127.0.0.1:9/x", "-H", "no colon"]);
    assert_usage_error(&r, "expected 'Name: value'");
}

#[test]
fn redirects_are_bounded_and_never_leave_the_host() {
    let hits = Arc::new(AtomicUsize::new(0));
    let server = net::redirect_server(hits.clone());
    let (j, _) = probe_at(server, "api.example.com", "/start", &[]);
    let redirects = j["result"]["redirects"].as_array().unwrap();
    assert_eq!(redirects.len(), 2);
    assert_eq!(redirects[0]["followed"], true);
    assert_eq!(redirects[1]["followed"], false);
    assert_eq!(redirects[1]["location"], "https://elsewhere.example.org/x");
    assert!(codes_of(&j).contains("probe.redirect-elsewhere"));
    assert_eq!(
        hits.load(Ordering::SeqCst),
        2,
        "the other host is never contacted"
    );
    let (j, _) = probe_at(
        server,
        "api.example.com",
        "/start",
        &["--max-redirects", "0"],
    );
    assert_eq!(j["result"]["redirects"][0]["followed"], false);
    assert_eq!(
        j["result"]["redirects"][0]["not_followed_because"],
        "--max-redirects reached"
    );
    assert_eq!(j["result"]["response"]["status"], 302);
}

/// One deadline for the whole command: redirect hops do not each get a fresh --timeout.
#[test]
fn redirect_chains_share_one_deadline() {
    let server = net::slow_redirect_loop(Duration::from_millis(400));
    let start = Instant::now();
    let (j, code) = probe_at(
        server,
        "api.example.com",
        "/hop0",
        &["--timeout", "1s", "--max-redirects", "20"],
    );
    let took = start.elapsed();
    assert!(took < Duration::from_secs(3), "{took:?}");
    assert_eq!(code, 1);
    only(&j, "probe.request-failed");
    assert!(
        j["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("timed out"),
        "{j}"
    );
    assert!(
        j["result"]["redirects"].as_array().unwrap().len() <= 3,
        "{j}"
    );
}

#[test]
fn endless_bodies_and_silent_servers_are_bounded() {
    let start = Instant::now();
    let (j, _) = probe_at(net::endless_body_server(), "api.example.com", "/", &[]);
    assert_eq!(j["result"]["response"]["body_truncated"], true);
    assert_eq!(j["result"]["response"]["body_bytes_read"], 16 * 1024);
    assert_eq!(
        j["result"]["response"]["body_preview"]
            .as_str()
            .unwrap()
            .len(),
        1024
    );
    assert!(start.elapsed() < Duration::from_secs(3));
    let start = Instant::now();
    let (j, code) = probe_at(
        net::silent_http_server(),
        "api.example.com",
        "/",
        &["--timeout", "1s"],
    );
    assert_eq!(code, 1);
    only(&j, "probe.request-failed");
    assert!(
        j["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("timed out")
    );
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
    let (j, _) = probe_at(net::closed_port(), "api.example.com", "/", &[]);
    only(&j, "probe.request-failed");
}

#[test]
fn https_reports_the_tls_version_and_certificate_problems() {
    let pki = Pki::new();
    let good = net::https_server(Pki::self_signed(&["api.example.com"]), OK);
    let url = format!("https://api.example.com:{}/prod/x", good.port());
    let resolve = format!("api.example.com:{}:127.0.0.1", good.port());
    // Self-signed: the verifying request fails, and the domain checks say why.
    let r = run(&["-o", "json", "probe", &url, "--resolve", &resolve]);
    let j = r.one_json();
    let got = codes_of(&j);
    assert!(
        got.contains("probe.request-failed") && got.contains("domain.certificate-untrusted"),
        "{got:?}"
    );
    // --insecure: the response is read, and what a verifying client would object to is said.
    let r = run(&[
        "-o",
        "json",
        "probe",
        &url,
        "--resolve",
        &resolve,
        "--insecure",
    ]);
    let j = r.one_json();
    assert_eq!(j["result"]["response"]["status"], 200);
    assert!(
        j["result"]["response"]["tls_protocol"]
            .as_str()
            .unwrap()
            .starts_with("TLSv1.")
    );
    assert!(codes_of(&j).contains("domain.certificate-untrusted"));
    let expired = net::https_server(pki.leaf(&["api.example.com"], -2, true), OK);
    let url = format!("https://api.example.com:{}/", expired.port());
    let resolve = format!("api.example.com:{}:127.0.0.1", expired.port());
    let j = run(&["-o", "json", "probe", &url, "--resolve", &resolve]).one_json();
    assert!(codes_of(&j).contains("domain.certificate-expired"), "{j}");
}

#[test]
fn plain_http_to_api_gateway() {
    let (j, _) = probe_at(
        net::http_server(OK),
        "abc123defg.execute-api.us-east-1.amazonaws.com",
        "/prod",
        &[],
    );
    assert!(codes_of(&j).contains("probe.plain-http-origin"), "{j}");
}

#[test]
fn human_view_reads_like_curl() {
    let server = net::http_server(MISSING_TOKEN);
    let url = format!("http://api.example.com:{}/prod/petz", server.port());
    let resolve = format!("api.example.com:{}:127.0.0.1", server.port());
    let r = run(&["probe", &url, "--resolve", &resolve]);
    assert!(r.stdout.contains("< HTTP 403 Forbidden"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("< x-amzn-errortype: MissingAuthenticationTokenException"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("error[probe.missing-authentication-token]"),
        "{}",
        r.stdout
    );
}

#[test]
fn bad_usage() {
    assert_usage_error(&run(&["probe", "not a url"]), "is not a URL");
    assert_usage_error(
        &run(&["probe", "ftp://example.com/"]),
        "only http://, https://, ws:// and wss://",
    );
    assert_usage_error(
        &run(&[
            "probe",
            "http://a.example.com/",
            "--resolve",
            "a.example.com:80",
        ]),
        "expected HOST:PORT:ADDR",
    );
    assert_usage_error(
        &run(&["probe", "http://a.example.com/", "-X", "GE T"]),
        "not an HTTP method",
    );
}

/// The body preview keeps its lines, and shows control characters escaped.
#[test]
fn body_preview_keeps_lines_and_escapes_controls() {
    let server = net::http_server(
        "HTTP/1.1 500 Internal Server Error\r\ncontent-type: text/plain\r\ncontent-length: 22\r\nconnection: close\r\n\r\nfirst\nsecond\x1b[2J\tthird",
    );
    let url = format!("http://api.example.com:{}/", server.port());
    let resolve = format!("api.example.com:{}:127.0.0.1", server.port());
    let r = run(&["--color", "never", "probe", &url, "--resolve", &resolve]);
    assert!(
        r.stdout.contains("first\nsecond\\u{1b}[2J\tthird"),
        "{}",
        r.stdout
    );
}

const HTTP_API_404: &str = "HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: 23\r\napigw-requestid: Zx1=\r\nconnection: close\r\n\r\n{\"message\":\"Not Found\"}";
const HTTP_API_503: &str = "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: 33\r\napigw-requestid: Zx2=\r\nconnection: close\r\n\r\n{\"message\":\"Service Unavailable\"}";
const HTTP_API_500: &str = "HTTP/1.1 500 Internal Server Error\r\ncontent-type: application/json\r\ncontent-length: 35\r\napigw-requestid: Zx3=\r\nconnection: close\r\n\r\n{\"message\":\"Internal Server Error\"}";

/// HTTP APIs' own signatures, each with its fix.
#[test]
fn http_api_signatures() {
    for (response, code, needle) in [
        (HTTP_API_404, "probe.no-route", "no route"),
        (HTTP_API_503, "probe.service-unavailable", "30 s"),
        (
            HTTP_API_500,
            "probe.lambda-internal-error",
            "payload format version",
        ),
    ] {
        let (j, exit) = probe_at(
            net::http_server(response),
            "orders.example.com",
            "/orders",
            &[],
        );
        assert_eq!(exit, 1);
        only(&j, code);
        assert!(
            j["findings"][0]["message"]
                .as_str()
                .unwrap()
                .contains(needle),
            "{j}"
        );
        assert!(j["findings"][0]["fix"].is_string(), "{code} has an article");
    }
    let (j, _) = probe_at(net::http_server(FORBIDDEN), "api.example.com", "/", &[]);
    let message = j["findings"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("base path")
            && message.contains("WAF")
            && message.contains("VPC endpoint"),
        "{message}"
    );
}

/// A private CA given with --ca-file is trusted; a URL without a scheme is https://.
#[test]
fn private_cas_and_urls_without_a_scheme() {
    let pki = Pki::new();
    let server = net::https_server(pki.leaf(&["api.internal.example"], 90, true), OK);
    let dir = tempfile::tempdir().unwrap();
    let ca = pki.ca_file(dir.path());
    let resolve = format!("api.internal.example:{}:127.0.0.1", server.port());
    let bare = format!("api.internal.example:{}/prod/x", server.port());
    let r = run(&[
        "-o",
        "json",
        "probe",
        &bare,
        "--resolve",
        &resolve,
        "--ca-file",
        &ca,
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let j = r.one_json();
    assert_eq!(j["result"]["response"]["status"], 200, "{j}");
    assert!(
        j["result"]["request"]["url"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    assert!(
        r.stderr.contains("no scheme: probing https://"),
        "{}",
        r.stderr
    );
    // Without the CA, the same server is untrusted.
    let r = run(&["-o", "json", "probe", &bare, "--resolve", &resolve]);
    assert!(codes_of(&r.one_json()).contains("probe.request-failed"));
}

/// With --resolve nothing was asked of DNS: findings about the name say what the server
/// presented, never what DNS records it has.
#[test]
fn resolve_draws_no_dns_conclusions() {
    let pki = Pki::new();
    let server = net::https_server(
        pki.leaf(&["*.execute-api.us-east-1.amazonaws.com"], 90, true),
        OK,
    );
    let url = format!("https://api.example.com:{}/prod/x", server.port());
    let resolve = format!("api.example.com:{}:127.0.0.1", server.port());
    let r = run(&[
        "-o",
        "json",
        "probe",
        &url,
        "--resolve",
        &resolve,
        "--insecure",
    ]);
    let j = r.one_json();
    let messages: Vec<&str> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("reaches an API's default endpoint")),
        "{messages:?}"
    );
    assert!(
        !messages
            .iter()
            .any(|m| m.contains("CNAME") || m.contains("DNS")),
        "{messages:?}"
    );
}

/// `probe https://HOST:PORT/dev/pets` against a loopback HTTPS server answering `response`,
/// HOST mapped to it with --resolve, the test CA trusted.
fn probe_private(host: &str, response: &'static str, extra: &[&str]) -> (Value, i32) {
    let (server, ca, _dir) = net::execute_api_https_server(response);
    let url = format!("https://{host}:{}/dev/pets", server.port());
    let resolve = format!("{host}:{}:127.0.0.1", server.port());
    let mut args = vec![
        "-o",
        "json",
        "probe",
        url.as_str(),
        "--resolve",
        resolve.as_str(),
        "--ca-file",
        ca.as_str(),
        "--timeout",
        "3s",
    ];
    args.extend(extra);
    let r = run(&args);
    assert!(r.code < 2, "{}", r.stderr);
    (r.one_json(), r.code)
}

#[test]
fn private_api_call_paths_are_recognised() {
    // The VPC endpoint's own name without the API: API Gateway cannot tell which API.
    let host = "vpce-0a1b2c3d4e5f60718-x1y2z3w4.execute-api.us-east-1.vpce.amazonaws.com";
    let (j, code) = probe_private(host, FORBIDDEN, &[]);
    assert_eq!(code, 1);
    let codes = codes_of(&j);
    assert!(codes.contains("private.no-api-id"), "{j}");
    let path = &findings_with(&j, "private.call-path")[0]["evidence"]["call_path"];
    assert_eq!(path["kind"], "endpoint-name");
    assert_eq!(path["vpce"], "vpce-0a1b2c3d4e5f60718");
    // Named by x-apigw-api-id: no such error; the path says which API.
    let (j, _) = probe_private(host, FORBIDDEN, &["-H", "x-apigw-api-id: a1b2c3d4e5"]);
    assert!(!codes_of(&j).contains("private.no-api-id"), "{j}");
    let path = &findings_with(&j, "private.call-path")[0]["evidence"]["call_path"];
    assert_eq!(path["api_id"], "a1b2c3d4e5");
    assert_eq!(path["named_by"], "x-apigw-api-id");
    // The endpoint-specific alias.
    let alias = "a1b2c3d4e5-vpce-0a1b2c3d4e5f60718.execute-api.us-east-1.amazonaws.com";
    let (j, _) = probe_private(alias, OK, &[]);
    let path = &findings_with(&j, "private.call-path")[0]["evidence"]["call_path"];
    assert_eq!(path["kind"], "endpoint-alias");
    // A public API's 200 on its own name: nothing about private APIs.
    let (j, code) = probe_private("a1b2c3d4e5.execute-api.us-east-1.amazonaws.com", OK, &[]);
    assert_eq!(code, 0);
    assert!(findings_with(&j, "private.call-path").is_empty(), "{j}");
    // --aws needs an execute-api URL.
    let r = run(&["probe", "https://api.example.com/", "--aws"]);
    assert_eq!(r.code, 2);
}

/// A raw HTTP/1.1 response with its content-length, kept for the test run.
fn answer(status: &str, headers: &[&str], body: &str) -> &'static str {
    let mut head = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
        body.len()
    );
    for h in headers {
        head.push_str(h);
        head.push_str("\r\n");
    }
    Box::leak(format!("{head}\r\n{body}").into_boxed_str())
}

/// An HTTP API's JWT authorizer says why it refused in its WWW-Authenticate challenge: shown.
#[test]
fn a_jwt_authorizers_challenge_is_shown() {
    let (j, exit) = probe_at(
        net::http_server(answer(
            "401 Unauthorized",
            &[
                "apigw-requestid: Kx1=",
                "www-authenticate: Bearer scope=\"\" error=\"invalid_token\" error_description=\"the token has expired\"",
            ],
            "{\"message\":\"Unauthorized\"}",
        )),
        "orders.example.com",
        "/orders",
        &[],
    );
    assert_eq!(exit, 1);
    only(&j, "probe.unauthorized");
    let f = &j["findings"][0];
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("the token has expired"),
        "{f}"
    );
    assert!(
        f["evidence"]["www_authenticate"]
            .as_str()
            .unwrap()
            .starts_with("Bearer")
    );
}

/// IAM authorization's and the authorizers' refusals, as API Gateway words them (the
/// knowledge-center table of 403 errors; specs/request-pipeline.md), each with its own finding.
#[test]
fn signature_and_authorizer_refusals_are_told_apart() {
    const REST: &[&str] = &["x-amzn-requestid: 5e1c", "x-amz-apigw-id: Qx1="];
    let typed = |kind: &str| -> Vec<&'static str> {
        let mut h = REST.to_vec();
        h.push(Box::leak(
            format!("x-amzn-errortype: {kind}:http://internal.amazon.com/coral/com.amazon.coral.service/")
                .into_boxed_str(),
        ));
        h
    };
    let incomplete = "{\"message\":\"Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=Bearer eyJraWQiOiJzZWNyZXQ\"}";
    for (response, code, needle) in [
        (
            answer(
                "403 Forbidden",
                &typed("IncompleteSignatureException"),
                incomplete,
            ),
            "probe.incomplete-signature",
            "scheme Bearer",
        ),
        (
            answer(
                "403 Forbidden",
                &typed("InvalidSignatureException"),
                "{\"message\":\"Signature expired: 20261207T080000Z is now earlier than 20261207T080500Z (20261207T081000Z - 5 min.)\"}",
            ),
            "probe.invalid-signature",
            "expired",
        ),
        (
            answer(
                "403 Forbidden",
                &typed("InvalidSignatureException"),
                "{\"message\":\"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.\"}",
            ),
            "probe.invalid-signature",
            "execute-api",
        ),
        (
            answer(
                "403 Forbidden",
                &typed("UnrecognizedClientException"),
                "{\"message\":\"The security token included in the request is invalid.\"}",
            ),
            "probe.invalid-signature",
            "access key",
        ),
        (
            answer(
                "403 Forbidden",
                &typed("AccessDeniedException"),
                "{\"Message\":\"User is not authorized to access this resource with an explicit deny\"}",
            ),
            "probe.authorizer-denied",
            "authorizer's policy",
        ),
        (
            answer(
                "500 Internal Server Error",
                &typed("AuthorizerConfigurationException"),
                "{\"message\":null}",
            ),
            "probe.authorizer-error",
            "principalId",
        ),
        (
            answer(
                "403 Forbidden",
                &typed("AccessDeniedException"),
                "{\"Message\":\"User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:111122223333:a1b2c3/prod/GET/items\"}",
            ),
            "probe.access-denied",
            "IAM policy",
        ),
        (
            answer(
                "400 Bad Request",
                &typed("BadRequestException"),
                "{\"message\": \"Invalid request body\"}",
            ),
            "probe.request-invalid",
            "validator",
        ),
        (
            answer(
                "400 Bad Request",
                &typed("BadRequestException"),
                "{\"message\": \"Missing required request parameters: [x-tenant]\"}",
            ),
            "probe.request-invalid",
            "validator",
        ),
        (
            answer(
                "415 Unsupported Media Type",
                &typed("UnsupportedMediaTypeException"),
                "{\"message\": \"Unsupported Media Type\"}",
            ),
            "probe.unsupported-media-type",
            "passthroughBehavior",
        ),
    ] {
        let (j, exit) = probe_at(
            net::http_server(response),
            "api.example.com",
            "/prod/items",
            &["-H", "Authorization: Bearer eyJraWQiOiJzZWNyZXQ"],
        );
        assert_eq!(exit, 1, "{j}");
        only(&j, code);
        let finding = &j["findings"][0];
        let message = finding["message"].as_str().unwrap();
        assert!(message.contains(needle), "{code}: {message}");
        assert!(finding["fix"].is_string(), "{code} has an article");
        // The scheme is evidence; the credential never is (the server's body may echo it).
        let evidence = finding
            .to_string()
            .replace(&finding["message"].to_string(), "");
        let echoed = finding["evidence"]["message"].as_str().unwrap_or_default();
        assert!(
            !evidence.replace(echoed, "").contains("eyJraWQ"),
            "{code} shows the token: {finding}"
        );
    }
    // Signed with SigV4 but incomplete: said so, not "not a SigV4 signature".
    let (j, _) = probe_at(
        net::http_server(answer(
            "403 Forbidden",
            &typed("IncompleteSignatureException"),
            "{\"message\":\"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.\"}",
        )),
        "api.example.com",
        "/prod/items",
        &[
            "-H",
            "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261207/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=abc",
        ],
    );
    only(&j, "probe.incomplete-signature");
    assert!(
        j["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("lacks parts"),
        "{j}"
    );
}

/// An error status no signature explains is still a finding (exit 1), naming who answered:
/// never an all-clear for a 4xx or 5xx.
#[test]
fn unexplained_error_statuses_are_never_an_all_clear() {
    for (response, needle) in [
        (
            answer(
                "404 Not Found",
                &["x-amzn-requestid: 77aa", "x-amz-apigw-id: Pq2="],
                "{\"error\":\"order 42 not found\"}",
            ),
            "the integration answered 404",
        ),
        (
            answer(
                "429 Too Many Requests",
                &[
                    "x-amzn-requestid: 77ab",
                    "x-amzn-errortype: LimitExceededException",
                ],
                "{\"message\":\"Limit Exceeded\"}",
            ),
            "",
        ),
        (
            answer(
                "409 Conflict",
                &[
                    "x-amzn-requestid: 77ac",
                    "x-amzn-errortype: ConflictException",
                ],
                "{\"message\":\"Conflict\"}",
            ),
            "API Gateway answered 409 itself (ConflictException",
        ),
        (
            answer("500 Internal Server Error", &["server: nginx"], "oops"),
            "without API Gateway's or CloudFront's headers",
        ),
        (
            answer(
                "404 Not Found",
                &[
                    "x-cache: Miss from cloudfront",
                    "via: 1.1 a.cloudfront.net (CloudFront)",
                ],
                "<Error><Code>NoSuchKey</Code></Error>",
            ),
            "the distribution's origin answered it",
        ),
    ] {
        let (j, exit) = probe_at(
            net::http_server(response),
            "api.example.com",
            "/prod/o",
            &[],
        );
        assert_eq!(exit, 1, "{j}");
        let codes = codes_of(&j);
        assert_eq!(codes.len(), 1, "{j}");
        if needle.is_empty() {
            // Throttling has its own finding.
            only(&j, "probe.throttled");
            continue;
        }
        only(&j, "probe.error-status");
        let message = j["findings"][0]["message"].as_str().unwrap();
        assert!(message.contains(needle), "{message}");
        assert!(j["findings"][0]["fix"].is_string());
    }
    // A long message is quoted in part in the sentence, in full in the evidence.
    let long = format!("{{\"message\":\"{}\"}}", "é".repeat(3000));
    let (j, _) = probe_at(
        net::http_server(answer("400 Bad Request", &["x-amzn-requestid: 1"], &long)),
        "api.example.com",
        "/prod/o",
        &[],
    );
    only(&j, "probe.error-status");
    let message = j["findings"][0]["message"].as_str().unwrap();
    assert!(message.len() < 600 && message.contains("..."), "{message}");
    assert_eq!(
        j["findings"][0]["evidence"]["message"]
            .as_str()
            .unwrap()
            .chars()
            .count(),
        3000
    );
    // Redirects and successes stay quiet.
    let (j, exit) = probe_at(net::http_server(OK), "api.example.com", "/prod/o", &[]);
    assert_eq!((codes_of(&j).len(), exit), (0, 0), "{j}");
}
