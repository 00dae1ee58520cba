//! Mutual TLS with `apigw-doctor domain`: truststores checked offline, client certificates
//! judged against them, and real handshakes with a loopback server that requires a client
//! certificate. Every certificate but one fixture is made here with rcgen.
mod support;
use serde_json::Value;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use support::net::{self, Pki, Rec};
use support::*;

const HOST: &str = "mtls.example.com";

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

/// `domain --truststore STORE --client-cert CERT --client-key KEY -o json`, no host.
fn judge(store: &str, cert: &str, key: &str) -> Run {
    support::run(&[
        "domain",
        "--truststore",
        store,
        "--client-cert",
        cert,
        "--client-key",
        key,
        "-o",
        "json",
    ])
}

fn finding<'a>(report: &'a Value, code: &str) -> &'a Value {
    findings_with(report, code)
        .first()
        .copied()
        .unwrap_or_else(|| panic!("no {code} in {report:#}"))
}

/// The client PKI (root, intermediate) and a truststore holding both.
struct ClientPki {
    pki: Pki,
    truststore: String,
    dir: tempfile::TempDir,
}

fn client_pki() -> ClientPki {
    let pki = Pki::new();
    let dir = tempfile::tempdir().unwrap();
    let truststore = write(
        dir.path(),
        "truststore.pem",
        &format!("{}{}", pki.ca_pem, pki.inter_pem()),
    );
    ClientPki {
        pki,
        truststore,
        dir,
    }
}

fn client_files(c: &ClientPki, cn: &str, days: i64) -> (String, String) {
    let (cert, key) = c.pki.client(cn, days);
    (
        write(c.dir.path(), &format!("{cn}.pem"), &cert),
        write(c.dir.path(), &format!("{cn}.key"), &key),
    )
}

#[test]
fn a_sound_truststore_accepts_a_client_of_its_intermediate() {
    let c = client_pki();
    let (cert, key) = client_files(&c, "client-1", 90);
    let run = judge(&c.truststore, &cert, &key);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let report = run.one_json();
    let certs = report["result"]["truststore"]["certificates"]
        .as_array()
        .unwrap();
    assert_eq!(certs.len(), 2);
    assert_eq!(certs[0]["depth"], 1);
    assert_eq!(certs[1]["depth"], 2);
    let verdict = finding(&report, "mtls.client-accepted");
    assert_eq!(
        verdict["evidence"]["issuer"],
        "CN=apigw-doctor Test Intermediate"
    );
}

#[test]
fn a_root_only_truststore_refuses_leaves_of_an_intermediate_the_client_sends() {
    let c = client_pki();
    let root_only = write(c.dir.path(), "root.pem", &c.pki.ca_pem);
    let (cert, key) = c.pki.client("client-2", 90);
    // The client sends its intermediate too: API Gateway still looks in the truststore.
    let chain = write(
        c.dir.path(),
        "chain.pem",
        &format!("{cert}{}", c.pki.inter_pem()),
    );
    let key = write(c.dir.path(), "client-2.key", &key);
    let run = judge(&root_only, &chain, &key);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let report = run.one_json();
    let f = finding(&report, "mtls.client-not-trusted");
    assert_eq!(
        f["evidence"]["execution_log"],
        "Access denied. Reason: Could not find issuer for certificate"
    );
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("add that intermediate"),
        "{f}"
    );
}

#[test]
fn expired_and_self_signed_clients_are_refused_with_the_reason() {
    let c = client_pki();
    let (cert, key) = client_files(&c, "old-client", -3);
    let run1 = judge(&c.truststore, &cert, &key);
    assert_eq!(run1.code, 1);
    let report = run1.one_json();
    assert!(
        finding(&report, "mtls.client-not-trusted")["message"]
            .as_str()
            .unwrap()
            .contains("expired on")
    );

    // A client issued straight by a root that is in the truststore: accepted.
    let lone = net::ca_ladder(1);
    let ladder_client = write(c.dir.path(), "ladder-client.pem", &lone.1);
    let ladder_key = write(c.dir.path(), "ladder-client.key", &lone.2);
    let with_root = write(
        c.dir.path(),
        "with-root.pem",
        &format!(
            "{}{}",
            std::fs::read_to_string(&c.truststore).unwrap(),
            lone.0[0]
        ),
    );
    let run2 = judge(&with_root, &ladder_client, &ladder_key);
    assert_eq!(run2.code, 0, "{}", run2.stdout);

    let selfsigned = net::Pki::self_signed(&["device-7"]);
    let (cert_pem, key_pem) = {
        use base64::Engine;
        let key = match &selfsigned.key {
            rustls::pki_types::PrivateKeyDer::Pkcs8(k) => k.secret_pkcs8_der().to_vec(),
            _ => unreachable!(),
        };
        let b64 = base64::engine::general_purpose::STANDARD.encode(key);
        (
            net::pem(&selfsigned.chain[0]),
            format!("-----BEGIN PRIVATE KEY-----\n{b64}\n-----END PRIVATE KEY-----\n"),
        )
    };
    let cert = write(c.dir.path(), "self.pem", &cert_pem);
    let key = write(c.dir.path(), "self.key", &key_pem);
    let run3 = judge(&c.truststore, &cert, &key);
    assert_eq!(run3.code, 1);
    let report = run3.one_json();
    assert_eq!(
        finding(&report, "mtls.client-not-trusted")["evidence"]["execution_log"],
        "Access denied. Reason: self signed certificate"
    );
}

#[test]
fn five_ca_levels_are_one_too_many() {
    let dir = tempfile::tempdir().unwrap();
    let (cas, client, key) = net::ca_ladder(5);
    let store = write(dir.path(), "ladder.pem", &cas.concat());
    let cert = write(dir.path(), "client.pem", &client);
    let key = write(dir.path(), "client.key", &key);
    let run = judge(&store, &cert, &key);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let report = run.one_json();
    let deep = findings_with(&report, "mtls.truststore-chain-too-long");
    assert_eq!(deep.len(), 1, "{report:#}");
    assert_eq!(deep[0]["evidence"]["depth"], 5);
    assert_eq!(deep[0]["evidence"]["subject"], "CN=Ladder CA 5");
    assert!(
        findings_with(&report, "mtls.client-not-trusted")[0]["message"]
            .as_str()
            .unwrap()
            .contains("CA level 5")
    );

    // Four levels: nothing to say.
    let (cas, client, key) = net::ca_ladder(4);
    let store = write(dir.path(), "ladder4.pem", &cas.concat());
    let cert = write(dir.path(), "client4.pem", &client);
    let key = write(dir.path(), "client4.key", &key);
    let run = judge(&store, &cert, &key);
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn a_bad_truststore_names_each_problem_with_its_line() {
    let c = client_pki();
    let weak = include_str!("mtls/weak-sha1-rsa1024-ca.pem");
    let (ladder, _, _) = net::ca_ladder(2);
    // The ladder's level-2 CA without its root: a broken chain.
    let text = format!(
        "{}{weak}{}{}-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEA\n-----END PRIVATE KEY-----\n",
        c.pki.ca_pem, c.pki.ca_pem, ladder[1]
    );
    let store = write(c.dir.path(), "bad.pem", &text);
    let run = support::run(&["domain", "--truststore", &store, "-o", "json"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let report = run.one_json();
    let line_of = |code: &str| finding(&report, code)["evidence"]["line"].as_u64().unwrap();
    let weak_line = c.pki.ca_pem.lines().count() as u64 + 1;
    assert_eq!(line_of("mtls.truststore-weak-key"), weak_line);
    assert_eq!(line_of("mtls.truststore-weak-signature"), weak_line);
    let dup_line = weak_line + weak.lines().count() as u64;
    assert_eq!(line_of("mtls.truststore-duplicate"), dup_line);
    assert_eq!(
        finding(&report, "mtls.truststore-broken-chain")["evidence"]["issuer"],
        "CN=Ladder CA 1"
    );
    let key_line = text
        .lines()
        .position(|l| l.contains("BEGIN PRIVATE KEY"))
        .unwrap() as u64
        + 1;
    assert_eq!(line_of("mtls.truststore-unusable"), key_line);
    // SARIF carries the lines as regions.
    let sarif = support::run(&["domain", "--truststore", &store, "-o", "sarif"]);
    let log: Value = serde_json::from_str(&sarif.stdout).unwrap();
    let lines: Vec<u64> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64())
        .collect();
    assert!(lines.contains(&weak_line), "{lines:?}");
}

#[test]
fn truststores_that_are_not_pem_and_bad_client_keys_are_one_line_errors() {
    let c = client_pki();
    // DER: a finding about the truststore, not a crash.
    let der = c.dir.path().join("root.der");
    std::fs::write(&der, &c.pki.ca_der).unwrap();
    let run1 = support::run(&[
        "domain",
        "--truststore",
        der.to_str().unwrap(),
        "-o",
        "json",
    ]);
    assert_eq!(run1.code, 1);
    assert!(
        finding(&run1.one_json(), "mtls.truststore-unusable")["message"]
            .as_str()
            .unwrap()
            .contains("DER, not PEM")
    );
    // The key of another certificate.
    let (cert, _) = client_files(&c, "a", 30);
    let (_, other_key) = client_files(&c, "b", 30);
    let run2 = support::run(&[
        "domain",
        "--truststore",
        &c.truststore,
        "--client-cert",
        &cert,
        "--client-key",
        &other_key,
    ]);
    assert_usage_error(&run2, "does not belong to the client certificate");
    // An S3 URI: say how to fetch it.
    let run3 = support::run(&["domain", "--truststore", "s3://bucket/truststore.pem"]);
    assert_usage_error(&run3, "aws s3 cp s3://bucket/truststore.pem");
    // A certificate without its key.
    let run4 = support::run(&["domain", "x.example.com", "--client-cert", &cert]);
    assert_usage_error(&run4, "--client-key");
}

/// A DNS server naming the host 127.0.0.1, the server PKI's CA file, and the server leaf.
fn server_side(dir: &Path) -> (SocketAddr, String, Pki) {
    let pki = Pki::new();
    let ca = pki.ca_file(dir);
    let dns = net::dns_server(&["example.com"], &[(HOST, Rec::A(Ipv4Addr::LOCALHOST))]);
    (dns, ca, pki)
}

fn domain_run(dns: SocketAddr, port: u16, ca: &str, extra: &[&str]) -> Run {
    let dns = dns.to_string();
    let port = port.to_string();
    let mut args = vec![
        "domain",
        HOST,
        "--nameserver",
        &dns,
        "--port",
        &port,
        "--ca-file",
        ca,
        "--hosts-file",
        "/nonexistent",
        "-o",
        "json",
    ];
    args.extend_from_slice(extra);
    support::run(&args)
}

#[test]
fn a_server_requiring_client_certificates_is_seen_and_judged() {
    let c = client_pki();
    let (dns, ca, server_pki) = server_side(c.dir.path());
    // Like API Gateway, the server finds a client's issuer among the truststore's CAs.
    let server = net::mtls_server(
        server_pki.leaf(&[HOST], 365, true),
        &[c.pki.ca_der.clone(), c.pki.inter_der()],
        "HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok",
    );

    // No client certificate: the request is seen, with the issuers the server names.
    let bare = domain_run(dns, server.port(), &ca, &[]);
    assert_eq!(bare.code, 0, "{}{}", bare.stdout, bare.stderr);
    let reports = bare.json();
    let host_report = reports.last().unwrap();
    let seen = &host_report["result"]["tls"]["client_auth"];
    assert_eq!(seen["requested"], true, "{host_report:#}");
    assert_eq!(seen["presented"], false);
    assert_eq!(
        seen["acceptable_issuers"][0],
        "CN=apigw-doctor Test Root CA"
    );
    let required = finding(host_report, "mtls.client-certificate-required");
    assert!(
        required["evidence"]["answer"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("certificate"),
        "{required}"
    );

    // A client the server trusts: the request goes through.
    // The server, presenting a client certificate, the truststore checked offline too.
    let present = |(cert, key): (String, String)| {
        domain_run(
            dns,
            server.port(),
            &ca,
            &[
                "--truststore",
                &c.truststore,
                "--client-cert",
                &cert,
                "--client-key",
                &key,
            ],
        )
    };
    let good = present(client_files(&c, "good-client", 90));
    assert_eq!(good.code, 0, "{}{}", good.stdout, good.stderr);
    let reports = good.json();
    assert_eq!(reports.len(), 2, "the truststore's report, then the host's");
    assert!(!findings_with(&reports[0], "mtls.client-accepted").is_empty());
    let seen = &reports[1]["result"]["tls"]["client_auth"];
    assert_eq!(seen["presented"], true);
    assert_eq!(seen["answer"], "HTTP/1.1 200 OK");

    // A client of another CA: refused by the server, and the offline check says why.
    let stranger = client_pki();
    let bad = present(client_files(&stranger, "stranger", 90));
    assert_eq!(bad.code, 1, "{}{}", bad.stdout, bad.stderr);
    let reports = bad.json();
    assert!(!findings_with(&reports[0], "mtls.client-not-trusted").is_empty());
    let rejected = finding(&reports[1], "mtls.client-rejected");
    assert_eq!(rejected["severity"], "error");

    // Human output shows the mTLS line.
    let human = support::run(&[
        "domain",
        HOST,
        "--nameserver",
        &dns.to_string(),
        "--port",
        &server.port().to_string(),
        "--ca-file",
        &ca,
        "--hosts-file",
        "/nonexistent",
    ]);
    assert!(
        human
            .stdout
            .contains("the server asks for a client certificate"),
        "{}",
        human.stdout
    );
    assert!(
        human
            .stdout
            .contains("accepts issuer CN=apigw-doctor Test Root CA")
    );
}

#[test]
fn a_client_certificate_for_a_server_that_never_asks_is_an_error() {
    let c = client_pki();
    let (dns, ca, server_pki) = server_side(c.dir.path());
    let plain = net::https_server(
        server_pki.leaf(&[HOST], 365, true),
        "HTTP/1.1 403 Forbidden\r\ncontent-length: 23\r\n\r\n{\"message\":\"Forbidden\"}",
    );
    let (cert, key) = client_files(&c, "client-3", 90);
    let run = domain_run(
        dns,
        plain.port(),
        &ca,
        &["--client-cert", &cert, "--client-key", &key],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let reports = run.json();
    let f = finding(reports.last().unwrap(), "mtls.not-required");
    assert!(f["message"].as_str().unwrap().contains("did not ask"));
}

#[test]
fn get_domain_name_output_with_truststore_warnings_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let (dns, ca, server_pki) = server_side(dir.path());
    let client_ca = Pki::new();
    let server = net::mtls_server(
        server_pki.leaf(&[HOST], 365, true),
        std::slice::from_ref(&client_ca.ca_der),
        "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n",
    );
    let json = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/mtls/get-domain-name-mtls.json"
    );
    let run = domain_run(dns, server.port(), &ca, &["--domain-name-json", json]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let report = run.one_json();
    let f = finding(&report, "mtls.truststore-warnings");
    assert_eq!(
        f["evidence"]["truststore_uri"],
        "s3://example-truststores/api.example.com/truststore.pem"
    );
    assert!(f["message"].as_str().unwrap().contains("CN=Weak SHA-1"));
}

#[test]
fn the_security_policy_is_compared_with_what_the_server_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let (dns, ca, server_pki) = server_side(dir.path());
    let tls13 = net::tls13_only_server(server_pki.leaf(&[HOST], 365, true));
    let both = net::tls_server(&[], server_pki.leaf(&[HOST], 365, true));
    let policy_json = |policy: &str| {
        let path = dir.path().join(format!("{policy}.json"));
        std::fs::write(
            &path,
            serde_json::json!({
                "domainName": HOST,
                "regionalDomainName": "d-abc123defg.execute-api.us-east-1.amazonaws.com",
                "endpointConfiguration": {"types": ["REGIONAL"]},
                "domainNameStatus": "AVAILABLE",
                "securityPolicy": policy,
                "endpointAccessMode": "STRICT"
            })
            .to_string(),
        )
        .unwrap();
        path.to_str().unwrap().to_string()
    };
    let codes = |server: SocketAddr, policy: &str| {
        let json = policy_json(policy);
        let r = domain_run(dns, server.port(), &ca, &["--domain-name-json", &json]);
        assert!(r.code < 2, "{}", r.stderr);
        codes_of(&r.one_json())
    };
    // TLS 1.3 only, as configured: said, for clients limited to TLS 1.2.
    let c = codes(tls13, "SecurityPolicy_TLS13_1_3_2025_09");
    assert!(c.contains("domain.tls12-refused"), "{c:?}");
    assert!(!c.contains("domain.security-policy-not-served"), "{c:?}");
    // Configured TLS_1_2, but the server reached refuses TLS 1.2: not that domain name.
    let c = codes(tls13, "TLS_1_2");
    assert!(c.contains("domain.security-policy-not-served"), "{c:?}");
    // Configured TLS 1.3 only, but the server reached accepts TLS 1.2.
    let c = codes(both, "SecurityPolicy_TLS13_1_3_2025_09");
    assert!(c.contains("domain.security-policy-not-served"), "{c:?}");
    // The legacy policy.
    let c = codes(both, "TLS_1_0");
    assert!(c.contains("domain.security-policy-legacy"), "{c:?}");
    assert!(!c.contains("domain.security-policy-not-served"), "{c:?}");
}

/// A self-signed CA named `cn`, valid from `from` to `to` days from now, as PEM.
fn ca_valid(cn: &str, from: i64, to: i64) -> String {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, cn);
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now + time::Duration::days(from);
    params.not_after = now + time::Duration::days(to);
    params.self_signed(&key).unwrap().pem()
}

#[test]
fn truststore_validity_and_leaves_are_findings() {
    let c = client_pki();
    let (leaf, _) = c.pki.client("a-client-not-a-ca", 90);
    let text = format!(
        "{}{}{}{}",
        ca_valid("Old CA", -800, -5),
        ca_valid("Future CA", 10, 400),
        ca_valid("Soon CA", -300, 12),
        leaf
    );
    let store = write(c.dir.path(), "dated.pem", &text);
    let run = support::run(&["domain", "--truststore", &store, "-o", "json"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let report = run.one_json();
    let subject = |code: &str| finding(&report, code)["evidence"]["subject"].clone();
    assert_eq!(subject("mtls.truststore-expired"), "CN=Old CA");
    assert_eq!(subject("mtls.truststore-not-yet-valid"), "CN=Future CA");
    assert_eq!(subject("mtls.truststore-expiring"), "CN=Soon CA");
    assert_eq!(subject("mtls.truststore-not-ca"), "CN=a-client-not-a-ca");
}

#[test]
fn a_template_maps_an_open_default_endpoint_to_a_mutual_tls_domain() {
    let dir = tempfile::tempdir().unwrap();
    let template = |disabled: bool| {
        format!(
            r#"AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Orders:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: orders
      DisableExecuteApiEndpoint: {disabled}
      Body:
        swagger: '2.0'
        info: {{title: orders, version: '1'}}
        paths:
          /orders:
            get:
              responses: {{'200': {{description: ok}}}}
              x-amazon-apigateway-integration: {{type: mock, requestTemplates: {{application/json: '{{"statusCode": 200}}'}}, responses: {{default: {{statusCode: '200'}}}}}}
  ApiDomain:
    Type: AWS::ApiGateway::DomainName
    Properties:
      DomainName: api.example.com
      RegionalCertificateArn: arn:aws:acm:us-east-1:111122223333:certificate/abc
      EndpointConfiguration: {{Types: [REGIONAL]}}
      SecurityPolicy: TLS_1_2
      MutualTlsAuthentication:
        TruststoreUri: s3://truststores/api.pem
  Mapping:
    Type: AWS::ApiGateway::BasePathMapping
    Properties:
      DomainName: !Ref ApiDomain
      RestApiId: !Ref Orders
      Stage: prod
"#
        )
    };
    let open = write(dir.path(), "open.yaml", &template(false));
    let r = support::run(&["lint", &open, "-o", "json"]);
    assert!(r.code < 2, "{}", r.stderr);
    let j = r.one_json();
    let f = finding(&j, "mtls.default-endpoint-enabled");
    assert_eq!(f["evidence"]["location"], "$.Resources.Orders");
    assert_eq!(f["evidence"]["line"], 3);
    let closed = write(dir.path(), "closed.yaml", &template(true));
    let r = support::run(&["lint", &closed, "-o", "json"]);
    assert!(
        findings_with(&r.one_json(), "mtls.default-endpoint-enabled").is_empty(),
        "{}",
        r.stdout
    );
}

#[test]
fn terraform_state_with_a_mutual_tls_domain_is_checked_too() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/iac/terraform/state.json"
    );
    let mut state: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let resources = state["values"]["root_module"]["resources"]
        .as_array_mut()
        .unwrap();
    // The shapes `terraform show -json` prints for these two resources.
    resources.push(serde_json::json!({
        "address": "aws_api_gateway_domain_name.api", "mode": "managed",
        "type": "aws_api_gateway_domain_name", "name": "api",
        "values": {"id": "api.example.com", "domain_name": "api.example.com",
                   "regional_certificate_arn": "arn:aws:acm:us-east-1:111122223333:certificate/abc",
                   "security_policy": "TLS_1_2",
                   "endpoint_configuration": [{"types": ["REGIONAL"]}],
                   "mutual_tls_authentication": [{"truststore_uri": "s3://truststores/api.pem", "truststore_version": ""}]}
    }));
    resources.push(serde_json::json!({
        "address": "aws_api_gateway_base_path_mapping.api", "mode": "managed",
        "type": "aws_api_gateway_base_path_mapping", "name": "api",
        "values": {"id": "api.example.com/", "domain_name": "api.example.com",
                   "api_id": "k8w2q4x7zd", "stage_name": "prod", "base_path": ""}
    }));
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "state.json", &state.to_string());
    let r = support::run(&["lint", &file, "-o", "json"]);
    assert!(r.code < 2, "{}", r.stderr);
    let j = r.one_json();
    let f = finding(&j, "mtls.default-endpoint-enabled");
    // Placed at the Terraform resource of the REST API.
    assert_eq!(
        f["evidence"]["location"], "$.values.root_module.resources[0]",
        "{f}"
    );
}
