//! `apigw-doctor domain` end to end, against a DNS server and TLS servers on loopback.
mod support;
use serde_json::Value;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use support::net::{self, Leaf, Pki, Rec};
use support::*;

const LOCAL: Ipv4Addr = Ipv4Addr::LOCALHOST;
const DEFAULT_ENDPOINT: &str = "abc123defg.execute-api.us-east-1.amazonaws.com";
const REGIONAL: &str = "d-abc123defg.execute-api.us-east-1.amazonaws.com";
const DISTRIBUTION: &str = "d111111abcdef8.cloudfront.net";

struct World {
    dns: SocketAddr,
    tls: SocketAddr,
    ca_file: String,
    _dir: tempfile::TempDir,
}

/// One DNS zone set and one SNI-routing TLS server shared by the scenario tests.
fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let pki = Pki::new();
        let dir = tempfile::tempdir().unwrap();
        let ca_file = pki.ca_file(dir.path());
        let records = [
            ("api.example.com", Rec::Cname(DEFAULT_ENDPOINT)),
            (DEFAULT_ENDPOINT, Rec::A(LOCAL)),
            ("good.example.com", Rec::Cname(REGIONAL)),
            (REGIONAL, Rec::A(LOCAL)),
            ("cf.example.com", Rec::Cname(DISTRIBUTION)),
            (DISTRIBUTION, Rec::A(LOCAL)),
            ("alias.example.com", Rec::A(LOCAL)),
            ("expired.example.com", Rec::A(LOCAL)),
            ("expiring.example.com", Rec::A(LOCAL)),
            ("chainless.example.com", Rec::A(LOCAL)),
            ("deep.a.example.com", Rec::A(LOCAL)),
            ("selfsigned.example.com", Rec::A(LOCAL)),
            ("dangling.example.com", Rec::Cname("missing.example.com")),
            ("loop1.example.com", Rec::Cname("loop2.example.com")),
            ("loop2.example.com", Rec::Cname("loop1.example.com")),
            ("c0.example.com", Rec::Cname("c1.example.com")),
            ("c1.example.com", Rec::Cname("c2.example.com")),
            ("c2.example.com", Rec::Cname("c3.example.com")),
            ("c3.example.com", Rec::Cname("c4.example.com")),
            ("c4.example.com", Rec::Cname("c5.example.com")),
            ("c5.example.com", Rec::Cname("c6.example.com")),
            ("c6.example.com", Rec::Cname("c7.example.com")),
            ("c7.example.com", Rec::Cname("c8.example.com")),
            ("c8.example.com", Rec::Cname("c9.example.com")),
            ("c9.example.com", Rec::Cname("c10.example.com")),
            ("c10.example.com", Rec::A(LOCAL)),
            // The seed article's own example targets, label lengths and all.
            (
                "seed-regional.example.com",
                Rec::Cname("d-example.execute-api.us-east-1.amazonaws.com"),
            ),
            (
                "d-example.execute-api.us-east-1.amazonaws.com",
                Rec::A(LOCAL),
            ),
            (
                "seed-edge.example.com",
                Rec::Cname("distribution-id.cloudfront.net"),
            ),
            ("distribution-id.cloudfront.net", Rec::A(LOCAL)),
        ];
        let dns = net::dns_server(
            &["example.com", "amazonaws.com", "cloudfront.net"],
            &records,
        );
        let by_name: Vec<(&str, Leaf)> = vec![
            (
                "good.example.com",
                pki.leaf(&["good.example.com"], 365, true),
            ),
            ("cf.example.com", pki.leaf(&["*.cloudfront.net"], 365, true)),
            (
                "expired.example.com",
                pki.leaf(&["expired.example.com"], -1, true),
            ),
            (
                "expiring.example.com",
                pki.leaf(&["expiring.example.com"], 10, true),
            ),
            (
                "chainless.example.com",
                pki.leaf(&["chainless.example.com"], 365, false),
            ),
            (
                "deep.a.example.com",
                pki.leaf(&["*.example.com"], 365, true),
            ),
            (
                "selfsigned.example.com",
                Pki::self_signed(&["selfsigned.example.com"]),
            ),
        ];
        // Any other SNI gets API Gateway's own certificate, as the default endpoint serves.
        let default = pki.leaf(&["*.execute-api.us-east-1.amazonaws.com"], 365, true);
        let tls = net::tls_server(&by_name, default);
        World {
            dns,
            tls,
            ca_file,
            _dir: dir,
        }
    })
}

fn domain(extra: &[&str]) -> Run {
    let w = world();
    let ns = w.dns.to_string();
    let port = w.tls.port().to_string();
    let mut args = vec![
        "-o",
        "json",
        "domain",
        "--nameserver",
        &ns,
        "--port",
        &port,
        "--ca-file",
        &w.ca_file,
        "--timeout",
        "2s",
    ];
    args.extend(extra);
    run(&args)
}

fn one(host: &str, extra: &[&str]) -> (Value, i32) {
    let r = domain(&[&[host][..], extra].concat());
    assert!(r.code < 2, "{}", r.stderr);
    (r.one_json(), r.code)
}

fn assert_codes(j: &Value, expected: &[&str]) {
    let got = codes_of(j);
    let want: std::collections::BTreeSet<String> = expected.iter().map(|s| s.to_string()).collect();
    assert_eq!(got, want, "{j}");
}

#[test]
fn seed_case_cname_to_the_default_endpoint() {
    let (j, code) = one("api.example.com", &[]);
    assert_eq!(code, 1);
    assert_codes(&j, &["domain.cname-to-default-endpoint"]);
    assert_eq!(j["result"]["target_kind"], "default-endpoint");
    assert_eq!(j["result"]["dns"]["chain"][0]["type"], "CNAME");
    assert_eq!(j["result"]["dns"]["chain"][0]["target"], DEFAULT_ENDPOINT);
    assert_eq!(j["result"]["dns"]["chain"][0]["ttl"], 60);
    assert_eq!(j["result"]["dns"]["addresses"][0], "127.0.0.1");
    assert_eq!(j["result"]["dns"]["rcode"], "NOERROR");
    let cert = &j["result"]["tls"]["certificate"];
    assert_eq!(cert["sans"][0], "*.execute-api.us-east-1.amazonaws.com");
    assert_eq!(cert["matches_host"], false);
    assert_eq!(cert["trusted"], true);
    let f = &j["findings"][0];
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("*.execute-api.us-east-1.amazonaws.com")
    );
    assert_eq!(f["article"], "custom-domain-wrong-certificate");

    let w = world();
    let human = run(&[
        "domain",
        "api.example.com",
        "--nameserver",
        &w.dns.to_string(),
        "--port",
        &w.tls.port().to_string(),
        "--ca-file",
        &w.ca_file,
    ]);
    assert!(
        human.stdout.contains("[default-endpoint]"),
        "{}",
        human.stdout
    );
    assert!(
        human
            .stdout
            .contains("fix: The name points at the API's default endpoint"),
        "{}",
        human.stdout
    );
}

#[test]
fn healthy_regional_domain() {
    let (j, code) = one("good.example.com", &[]);
    assert_eq!(code, 0, "{j}");
    assert_codes(&j, &[]);
    assert_eq!(j["result"]["target_kind"], "regional-domain");
    let tls = &j["result"]["tls"];
    assert!(tls["protocol"].as_str().unwrap().starts_with("TLSv1."));
    assert_eq!(tls["certificate"]["matches_host"], true);
    assert_eq!(tls["certificate"]["trusted"], true);
    assert_eq!(tls["chain"].as_array().unwrap().len(), 2);
    for key in [
        "subject",
        "sans",
        "issuer",
        "not_before",
        "not_after",
        "serial",
        "key",
    ] {
        assert!(
            tls["certificate"].get(key).is_some(),
            "certificate lacks {key}"
        );
    }
}

#[test]
fn wrong_api_gateway_domain_name() {
    let (j, _) = one(
        "good.example.com",
        &[
            "--expect-target",
            "d-zzzzzzzzzz.execute-api.us-east-1.amazonaws.com",
        ],
    );
    assert_codes(&j, &["domain.wrong-target"]);
    let dir = tempfile::tempdir().unwrap();
    let v1 = dir.path().join("v1.json");
    std::fs::write(&v1, format!(r#"{{"domainName": "good.example.com", "regionalDomainName": "{REGIONAL}", "endpointConfiguration": {{"types": ["REGIONAL"]}}}}"#)).unwrap();
    let (j, code) = one(
        "good.example.com",
        &["--domain-name-json", v1.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{j}");
    let v2 = dir.path().join("v2.json");
    std::fs::write(&v2, r#"{"DomainName": "good.example.com", "DomainNameConfigurations": [{"ApiGatewayDomainName": "d-other00000.execute-api.us-east-1.amazonaws.com"}]}"#).unwrap();
    let (j, _) = one(
        "good.example.com",
        &["--domain-name-json", v2.to_str().unwrap()],
    );
    assert_codes(&j, &["domain.wrong-target"]);
}

#[test]
fn cloudfront_without_the_alternate_name() {
    let (j, _) = one("cf.example.com", &[]);
    assert_codes(&j, &["domain.cloudfront-missing-alternate-name"]);
    assert_eq!(j["result"]["target_kind"], "cloudfront");
}

#[test]
fn a_record_alias_to_the_default_endpoint() {
    let (j, _) = one("alias.example.com", &[]);
    assert_codes(&j, &["domain.alias-to-default-endpoint"]);
    assert_eq!(j["result"]["target_kind"], "other");
}

#[test]
fn certificate_dates() {
    let (j, code) = one("expired.example.com", &[]);
    assert_eq!(code, 1);
    assert_codes(&j, &["domain.certificate-expired"]);
    let (j, code) = one("expiring.example.com", &[]);
    assert_eq!(code, 0, "expiring is a warning");
    assert_codes(&j, &["domain.certificate-expiring"]);
    let days = j["findings"][0]["evidence"]["days_left"].as_i64().unwrap();
    assert!((9..=10).contains(&days), "{days}");
}

#[test]
fn chains_and_trust() {
    let (j, _) = one("chainless.example.com", &[]);
    assert_codes(&j, &["domain.missing-intermediate"]);
    assert_eq!(j["result"]["tls"]["chain"].as_array().unwrap().len(), 1);
    let (j, _) = one("selfsigned.example.com", &[]);
    assert_codes(&j, &["domain.certificate-untrusted"]);
    // Without --ca-file the test CA is not a web root: untrusted.
    let w = world();
    let r = run(&[
        "-o",
        "json",
        "domain",
        "good.example.com",
        "--nameserver",
        &w.dns.to_string(),
        "--port",
        &w.tls.port().to_string(),
    ]);
    assert_codes(&r.one_json(), &["domain.certificate-untrusted"]);
}

#[test]
fn wildcards_cover_one_label_only() {
    let (j, _) = one("deep.a.example.com", &[]);
    assert_codes(&j, &["domain.certificate-name-mismatch"]);
}

#[test]
fn dns_failures() {
    let (j, _) = one("nope.example.com", &[]);
    assert_codes(&j, &["domain.nxdomain"]);
    assert_eq!(j["result"]["dns"]["rcode"], "NXDOMAIN");
    assert_eq!(j["result"]["target_kind"], "unresolved");
    assert_eq!(j["result"]["tls"], Value::Null);
    let (j, _) = one("dangling.example.com", &[]);
    assert_codes(&j, &["domain.nxdomain"]);
    assert!(
        j["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("missing.example.com")
    );
    let (j, _) = one("loop1.example.com", &[]);
    assert_codes(&j, &["domain.cname-loop"]);
    let (j, _) = one("c0.example.com", &[]);
    assert_codes(&j, &["domain.cname-chain-too-long"]);
    let (j, _) = one("example.com", &[]);
    assert_codes(&j, &["domain.no-address"]);
}

#[test]
fn hostile_dns_servers_end_in_findings_within_the_timeout() {
    for (server, code) in [
        (net::servfail_dns(), "domain.servfail"),
        (net::silent_dns(), "domain.dns-timeout"),
        (net::malformed_dns(), "domain.dns-bad-reply"),
    ] {
        let start = Instant::now();
        let r = run(&[
            "-o",
            "json",
            "domain",
            "x.example.com",
            "--nameserver",
            &server.to_string(),
            "--timeout",
            "1s",
        ]);
        let took = start.elapsed();
        assert_codes(&r.one_json(), &[code]);
        assert!(took < Duration::from_secs(4), "{code} took {took:?}");
    }
}

#[test]
fn hostile_tls_servers_end_in_findings_within_the_timeout() {
    let cases = [
        (net::stalling_server(), "domain.tls-timeout"),
        (net::closing_server(), "domain.tls-handshake-failed"),
        (net::plain_http_server(), "domain.tls-handshake-failed"),
        (net::closed_port(), "domain.connect-failed"),
    ];
    for (server, code) in cases {
        let start = Instant::now();
        let (j, exit) = one(
            "alias.example.com",
            &["--connect-to", &server.to_string(), "--timeout", "1s"],
        );
        assert_eq!(exit, 1);
        assert!(codes_of(&j).contains(code), "{code}: {j}");
        assert!(
            start.elapsed() < Duration::from_secs(4),
            "{code} took {:?}",
            start.elapsed()
        );
        if server == cases[2].0 {
            let f = j["findings"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["code"] == code)
                .unwrap();
            assert!(
                f["evidence"]["first_bytes"]
                    .as_str()
                    .unwrap()
                    .starts_with("HTTP/1.1 400"),
                "{f}"
            );
            assert!(f["message"].as_str().unwrap().contains("plain HTTP"));
        }
    }
}

#[test]
fn connect_to_and_sni_override() {
    let w = world();
    let (j, _) = one(
        "nope.example.com",
        &[
            "--connect-to",
            &w.tls.to_string(),
            "--sni",
            "good.example.com",
        ],
    );
    assert_codes(&j, &["domain.nxdomain"]);
    assert_eq!(j["result"]["tls"]["sni"], "good.example.com");
    assert_eq!(j["result"]["tls"]["certificate"]["matches_host"], true);
    assert_eq!(j["result"]["tls"]["connected_to"], w.tls.to_string());
}

#[test]
fn many_hosts_from_arguments_and_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("hosts.txt");
    std::fs::write(&list, "# custom domains\ngood.example.com\n\napi.example.com  # the seed case\nnope.example.com\n").unwrap();
    let r = domain(&[
        "expiring.example.com",
        "--file",
        list.to_str().unwrap(),
        "--concurrency",
        "2",
    ]);
    let reports = r.json();
    assert_eq!(reports.len(), 5, "4 hosts and a summary");
    let hosts: Vec<&str> = reports[..4]
        .iter()
        .map(|j| j["target"].as_str().unwrap())
        .collect();
    assert_eq!(
        hosts,
        [
            "expiring.example.com",
            "good.example.com",
            "api.example.com",
            "nope.example.com"
        ]
    );
    let summary = &reports[4]["result"]["summary"];
    assert_eq!(summary["hosts"], 4);
    assert_eq!(summary["with_errors"], 2);
    assert_eq!(summary["ok"], 2);
    assert_eq!(r.code, 1);
}

#[test]
fn bad_input_is_a_usage_error() {
    assert_usage_error(&run(&["domain", "bad host!"]), "is not a host name");
    assert_usage_error(&run(&["domain"]), "give at least one HOST");
    assert_eq!(
        run(&["domain", "x.example.com", "--nameserver", "dns.google"]).code,
        2
    );
    assert_eq!(
        run(&["domain", "x.example.com", "--timeout", "forever"]).code,
        2
    );
    assert_usage_error(
        &run(&["domain", "x.example.com", "--ca-file", "/nonexistent.pem"]),
        "/nonexistent.pem",
    );
    assert_usage_error(
        &run(&[
            "domain",
            "x.example.com",
            "--domain-name-json",
            "examples/policy/cross-account.json",
        ]),
        "it looks like an IAM or resource policy",
    );
    assert_usage_error(
        &run(&["domain", "x.example.com", "--connect-to", "host:443"]),
        "--connect-to",
    );
}

#[test]
fn ipv6_only_names_connect_over_ipv6() {
    if std::net::TcpListener::bind("[::1]:0").is_err() {
        eprintln!("no IPv6 loopback on this machine: scenario not run");
        return;
    }
    let pki = Pki::new();
    let dir = tempfile::tempdir().unwrap();
    let ca = pki.ca_file(dir.path());
    let dns = net::dns_server(
        &["example.net"],
        &[("v6.example.net", Rec::Aaaa(std::net::Ipv6Addr::LOCALHOST))],
    );
    let tls = net::tls_server_on("[::1]:0", &[], pki.leaf(&["v6.example.net"], 365, true));
    let args = [
        "-o",
        "json",
        "domain",
        "v6.example.net",
        "--nameserver",
        &dns.to_string(),
        "--port",
        &tls.port().to_string(),
        "--ca-file",
        &ca,
    ];
    let j = run(&args).one_json();
    assert_codes(&j, &[]);
    assert_eq!(j["result"]["dns"]["addresses"][0], "::1");
    assert_eq!(
        j["result"]["tls"]["connected_to"],
        format!("[::1]:{}", tls.port())
    );
    let human = run(&args[2..]).stdout;
    assert!(human.contains("(IPv6)"), "{human}");
}

/// An IP address is not a name: it is never sent to DNS (a silent server would time out).
#[test]
fn ip_literals_are_not_looked_up() {
    let pki = net::Pki::new();
    let tls = net::tls_server(&[], pki.leaf(&["api.example.com"], 90, true));
    let silent = net::silent_dns();
    let start = Instant::now();
    let r = run(&[
        "-o",
        "json",
        "domain",
        "127.0.0.1",
        "--port",
        &tls.port().to_string(),
        "--nameserver",
        &silent.to_string(),
        "--timeout",
        "2s",
    ]);
    let j = r.one_json();
    assert!(start.elapsed() < Duration::from_secs(2), "{j}");
    assert_eq!(j["result"]["dns"]["rcode"], "NONE", "{j}");
    assert_eq!(j["result"]["dns"]["addresses"][0], "127.0.0.1");
    assert!(!codes_of(&j).contains("domain.dns-timeout"), "{j}");
    assert!(j["result"]["tls"]["certificate"].is_object(), "{j}");
}

/// `domain HOST -o json` against the test DNS server `dns`, with TLS aimed at a closed port
/// (these tests are about DNS only).
fn dns_only(host: &str, dns: std::net::SocketAddr, extra: &[&str]) -> Value {
    let (ns, port) = (dns.to_string(), net::closed_port().port().to_string());
    let args = [
        &[
            "-o",
            "json",
            "domain",
            host,
            "--nameserver",
            &ns,
            "--port",
            &port,
            "--timeout",
            "2s",
        ][..],
        extra,
    ]
    .concat();
    let r = run(&args);
    assert!(r.code < 2, "{}", r.stderr);
    r.one_json()
}

/// A resolver that refuses CNAME-type queries (dnsmasq with --cname=) still shows the chain,
/// read from the A answer as dig does; the refusal is no failure of the name.
#[test]
fn chains_are_read_from_address_answers() {
    let dns = net::refusing_cname_dns();
    let j = dns_only("api.example.test", dns, &[]);
    assert_eq!(j["result"]["dns"]["rcode"], "NOERROR", "{j}");
    let chain = j["result"]["dns"]["chain"].as_array().unwrap();
    assert_eq!(chain[0]["type"], "CNAME", "{j}");
    assert_eq!(
        chain[0]["target"],
        "d-abc123.execute-api.us-east-1.amazonaws.com"
    );
    assert_eq!(j["result"]["dns"]["addresses"][0], "127.0.0.1");
    let codes = codes_of(&j);
    assert!(
        !codes.contains("domain.servfail") && !codes.contains("domain.dns-refused"),
        "{j}"
    );
    assert_eq!(j["result"]["target_kind"], "regional-domain", "{j}");
    // A name the server refuses outright is REFUSED, not SERVFAIL.
    let j = dns_only("other.example.test", dns, &[]);
    assert_eq!(
        codes_of(&j),
        ["domain.dns-refused".to_string()].into(),
        "{j}"
    );
    assert_eq!(j["result"]["dns"]["rcode"], "REFUSED");
}

/// The hosts file the system resolver reads first: a host listed there with another address
/// than DNS gives is said, because browsers and curl go there.
#[test]
fn hosts_file_shadowing_is_reported() {
    let dns = net::refusing_cname_dns();
    let dir = tempfile::tempdir().unwrap();
    let hosts = dir.path().join("hosts");
    std::fs::write(
        &hosts,
        "127.0.0.1 localhost\n# staging\n192.0.2.44  api.example.test other.example\n",
    )
    .unwrap();
    let file = hosts.to_str().unwrap();
    let j = dns_only("api.example.test", dns, &["--hosts-file", file]);
    let f = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "domain.hosts-file-override")
        .expect("reported");
    assert!(f["message"].as_str().unwrap().contains("192.0.2.44"), "{f}");
    // DNS itself was asked (the resolver's own hosts-file lookup is off).
    assert_eq!(j["result"]["dns"]["addresses"][0], "127.0.0.1");
    // The same address, or a name not listed: nothing to say.
    std::fs::write(&hosts, "127.0.0.1 api.example.test\n").unwrap();
    let j = dns_only("api.example.test", dns, &["--hosts-file", file]);
    assert!(!codes_of(&j).contains("domain.hosts-file-override"), "{j}");
}

/// Bulk audits report in input order, whatever order the checks finish in.
#[test]
fn bulk_reports_come_in_input_order() {
    let names = [
        "api.example.com",
        "missing.example.com",
        "loop1.example.com",
        "example.com",
        "c0.example.com",
    ];
    let mut list: Vec<String> = Vec::new();
    for i in 0..8 {
        for n in names {
            list.push(if i % 2 == 0 {
                n.to_string()
            } else {
                n.to_ascii_uppercase()
            });
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hosts.txt");
    std::fs::write(&file, list.join("\n")).unwrap();
    let r = domain(&["--file", file.to_str().unwrap(), "--concurrency", "7"]);
    let reports = r.json();
    assert_eq!(reports.len(), list.len() + 1, "one per host and a summary");
    for (report, host) in reports.iter().zip(&list) {
        assert_eq!(report["target"], host.to_ascii_lowercase().as_str());
    }
    assert_eq!(reports.last().unwrap()["target"], "summary");
    assert_eq!(
        reports.last().unwrap()["result"]["summary"]["hosts"],
        list.len()
    );
}

/// A truncated UDP answer (TC) is asked again over TCP.
#[test]
fn truncated_answers_fall_back_to_tcp() {
    let dns = net::truncating_dns();
    let j = dns_only("api.example.test", dns, &[]);
    assert_eq!(j["result"]["dns"]["addresses"][0], "127.0.0.1", "{j}");
    assert_eq!(j["result"]["dns"]["rcode"], "NOERROR");
}

/// The seed's example names (`d-example.execute-api.<region>.amazonaws.com`,
/// `distribution-id.cloudfront.net`) classify as what they stand for.
#[test]
fn the_seeds_example_targets_classify() {
    let (j, _) = one("seed-regional.example.com", &[]);
    assert_eq!(j["result"]["target_kind"], "regional-domain", "{j}");
    let (j, _) = one("seed-edge.example.com", &[]);
    assert_eq!(j["result"]["target_kind"], "cloudfront", "{j}");
}

/// `domain localhost`-like names a new user tries: A and AAAA answers, nothing listening.
/// IPv4 is tried first, then IPv6, and the report says each failure and that the
/// certificate was not read; the hosts file is no finding when it lists an address DNS
/// gives too, nor for localhost; a self-signed certificate is named as such.
#[test]
fn names_where_a_step_cannot_run_say_what_was_not_checked() {
    let dns = net::dns_server(
        &["example.test"],
        &[
            (
                "both.example.test",
                net::Rec::A("127.0.0.1".parse().unwrap()),
            ),
            ("both.example.test", net::Rec::Aaaa("::1".parse().unwrap())),
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    let hosts = dir.path().join("hosts");
    std::fs::write(
        &hosts,
        "127.0.0.1 localhost both.example.test\n::1 localhost\n",
    )
    .unwrap();
    let j = dns_only(
        "both.example.test",
        dns,
        &["--hosts-file", hosts.to_str().unwrap()],
    );
    let failed = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "domain.connect-failed")
        .expect("connect-failed");
    let message = failed["message"].as_str().unwrap();
    let (v4, v6) = (message.find("127.0.0.1:"), message.find("[::1]:"));
    assert!(
        v4.is_some() && v6.is_some() && v4 < v6,
        "IPv4 first: {message}"
    );
    assert!(
        message.contains("the certificate was not read"),
        "{message}"
    );
    assert!(!codes_of(&j).contains("domain.hosts-file-override"), "{j}");
    let (j, _) = one("selfsigned.example.com", &[]);
    let untrusted = &j["findings"][0];
    assert_eq!(untrusted["code"], "domain.certificate-untrusted");
    assert!(
        untrusted["message"]
            .as_str()
            .unwrap()
            .contains("self-signed"),
        "{untrusted}"
    );
}
