//! Live mode (`--aws`) end to end: the tool reads REST APIs from a moto server on loopback
//! (resources, methods, integrations, policies), and fails in one line on what AWS answers
//! when things go wrong (recorded error responses served by a loopback stub: moto cannot
//! deny access, expire a session or throttle).
#![cfg(feature = "aws")]
mod support;
use serde_json::Value;
use support::moto::{Moto, with_dummy_aws};
use support::*;

const SEED_TEMPLATE: &str = include_str!("../examples/template/seed-response.vtl");

/// Two REST APIs: "orders" (a Lambda non-proxy integration through the seed template, an
/// HTTP integration answering every status as 200, a resource policy) and "public" (an
/// HTTP proxy). Returns their ids.
fn two_apis(moto: &Moto) -> (String, String) {
    let script = format!(
        r#"
template = {SEED_TEMPLATE:?}
orders = apigw.create_rest_api(name='orders')['id']
root = apigw.get_resources(restApiId=orders)['items'][0]['id']
r = apigw.create_resource(restApiId=orders, parentId=root, pathPart='orders')['id']
apigw.put_method(restApiId=orders, resourceId=r, httpMethod='POST', authorizationType='NONE')
apigw.put_method_response(restApiId=orders, resourceId=r, httpMethod='POST', statusCode='200')
apigw.put_integration(restApiId=orders, resourceId=r, httpMethod='POST', type='AWS', integrationHttpMethod='POST',
    uri='arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:111122223333:function:customerror/invocations')
apigw.put_integration_response(restApiId=orders, resourceId=r, httpMethod='POST', statusCode='200', selectionPattern='',
    responseTemplates={{'application/json': template}})
p = apigw.create_resource(restApiId=orders, parentId=root, pathPart='pets')['id']
apigw.put_method(restApiId=orders, resourceId=p, httpMethod='GET', authorizationType='NONE')
apigw.put_method_response(restApiId=orders, resourceId=p, httpMethod='GET', statusCode='200')
apigw.put_integration(restApiId=orders, resourceId=p, httpMethod='GET', type='HTTP', integrationHttpMethod='GET', uri='https://pets.example.com/pets')
apigw.put_integration_response(restApiId=orders, resourceId=p, httpMethod='GET', statusCode='200', selectionPattern='')
policy = {{'Version': '2012-10-17', 'Statement': [{{'Effect': 'Allow', 'Principal': {{'AWS': 'arn:aws:iam::111122223333:root'}}, 'Action': 'execute-api:Invoke', 'Resource': 'execute-api:/*'}}]}}
apigw.update_rest_api(restApiId=orders, patchOperations=[{{'op': 'replace', 'path': '/policy', 'value': json.dumps(policy)}}])
public = apigw.create_rest_api(name='public')['id']
proot = apigw.get_resources(restApiId=public)['items'][0]['id']
h = apigw.create_resource(restApiId=public, parentId=proot, pathPart='health')['id']
apigw.put_method(restApiId=public, resourceId=h, httpMethod='GET', authorizationType='NONE')
apigw.put_integration(restApiId=public, resourceId=h, httpMethod='GET', type='HTTP_PROXY', integrationHttpMethod='GET', uri='https://health.example.com/')
print(json.dumps([orders, public]))
"#
    );
    let ids = moto.setup(&script);
    (
        ids[0].as_str().unwrap().to_string(),
        ids[1].as_str().unwrap().to_string(),
    )
}

#[test]
fn lint_reads_every_rest_api_in_the_region() {
    let moto = Moto::start();
    let (orders, public) = two_apis(&moto);
    let r = moto.run(&["-o", "json", "lint", "--aws"]);
    // Warnings and notes only: exit 0 unless --fail-on warning.
    assert_eq!(r.code, 0, "{}", r.stderr);
    let reports = r.json();
    // One report an API, then the scan's own.
    assert_eq!(reports.len(), 3, "{}", r.stdout);
    assert_eq!(reports[2]["target"], "live scan of us-east-1");
    assert_eq!(reports[2]["result"]["apis_read"], 2);
    let of = |id: &str| -> &Value {
        reports
            .iter()
            .find(|j| j["target"].as_str().unwrap().contains(id))
            .unwrap_or_else(|| panic!("no report for {id}: {}", r.stdout))
    };
    let o = of(&orders);
    assert!(o["target"].as_str().unwrap().contains("\"orders\""));
    assert_eq!(o["result"]["methods"], 2);
    // GET /pets answers every backend status as 200.
    assert!(codes_of(o).contains("lint.errors-as-2xx"), "{o}");
    // Never deployed: its function's policy is not checked, and the report says so.
    let undeployed = findings_with(o, "lint.lambda-policy-unreadable");
    assert_eq!(undeployed.len(), 1, "{o}");
    assert_eq!(undeployed[0]["severity"], "info");
    assert!(
        undeployed[0]["message"]
            .as_str()
            .unwrap()
            .contains("no stage"),
        "{o}"
    );
    let p = of(&public);
    assert_eq!(p["result"]["methods"], 1);
    // One API by id.
    let r = moto.run(&["-o", "json", "lint", "--aws", "--rest-api-id", &public]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json().len(), 1);
    // Read with --embed methods, an empty API is no "fetched without --embed" error, and a
    // method without an integration is named.
    let ids = moto.setup(
        r#"
empty = apigw.create_rest_api(name='empty')['id']
half = apigw.create_rest_api(name='half')['id']
root = apigw.get_resources(restApiId=half)['items'][0]['id']
apigw.put_method(restApiId=half, resourceId=root, httpMethod='GET', authorizationType='NONE')
print(json.dumps([empty, half]))
"#,
    );
    let r = moto.run(&[
        "-o",
        "json",
        "lint",
        "--aws",
        "--rest-api-id",
        ids[0].as_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(r.one_json()["findings"], serde_json::json!([]));
    let r = moto.run(&[
        "-o",
        "json",
        "lint",
        "--aws",
        "--rest-api-id",
        ids[1].as_str().unwrap(),
    ]);
    let j = r.one_json();
    assert_eq!(
        codes_of(&j),
        ["lint.method-without-integration".to_string()].into(),
        "{j}"
    );
}

#[test]
fn policy_and_selection_read_the_live_api() {
    let moto = Moto::start();
    let (orders, public) = two_apis(&moto);
    let arn = format!("arn:aws:execute-api:us-east-1:111122223333:{orders}/prod/POST/orders");
    let r = moto.run(&[
        "-o",
        "json",
        "policy",
        "--aws",
        "--rest-api-id",
        &orders,
        "--principal",
        "arn:aws:iam::111122223333:role/caller",
        "--resource",
        &arn,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.one_json()["result"]["decision"], "allow");
    let r = moto.run(&[
        "-o",
        "json",
        "policy",
        "--aws",
        "--rest-api-id",
        &orders,
        "--principal",
        "999999999999",
        "--resource",
        &arn,
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.one_json()["result"]["decision"], "implicit-deny");
    // An API without a policy: said in one line.
    let r = moto.run(&["policy", "--aws", "--rest-api-id", &public]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("has no resource policy"), "{}", r.stderr);
    // The seed's pipeline on the live integration: the client gets 400.
    let r = moto.run(&[
        "-o",
        "json",
        "selection",
        "--aws",
        "--rest-api-id",
        &orders,
        "--method",
        "POST",
        "--path",
        "/orders",
        "--lambda-output",
        "examples/template/seed-lambda-output.json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.one_json();
    assert_eq!(j["result"]["integration"], "lambda");
    assert_eq!(j["result"]["client_status"], 400);
    // A method the API does not have.
    let r = moto.run(&[
        "selection",
        "--aws",
        "--rest-api-id",
        &orders,
        "--method",
        "DELETE",
        "--path",
        "/orders",
        "--status",
        "200",
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("no DELETE method on /orders"),
        "{}",
        r.stderr
    );
}

#[test]
fn unknown_ids_unreachable_endpoints_and_missing_credentials_are_one_line() {
    let moto = Moto::start();
    let r = moto.run(&["lint", "--aws", "--rest-api-id", "nope123"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("REST API nope123 does not exist in us-east-1"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config"), "").unwrap();
    std::fs::write(dir.path().join("credentials"), "").unwrap();
    // Nothing listens there.
    let closed = net::closed_port();
    let mut cmd = doctor();
    with_dummy_aws(&mut cmd, &format!("http://{closed}"), dir.path());
    let out = cmd
        .args(["lint", "--aws", "--aws-timeout", "2s"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("cannot reach AWS"), "{stderr}");
    // A server that never answers: bounded by --aws-timeout (3 attempts).
    let silent = net::silent_http_server();
    let mut cmd = doctor();
    with_dummy_aws(&mut cmd, &format!("http://{silent}"), dir.path());
    let start = std::time::Instant::now();
    let out = cmd
        .args(["lint", "--aws", "--aws-timeout", "1s"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("did not answer"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // No credentials anywhere.
    let mut cmd = doctor();
    with_dummy_aws(&mut cmd, &moto.endpoint, dir.path());
    cmd.env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY");
    let out = cmd.args(["lint", "--aws"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no AWS credentials found (looked in:"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // No region.
    let mut cmd = doctor();
    with_dummy_aws(&mut cmd, &moto.endpoint, dir.path());
    cmd.env_remove("AWS_REGION");
    let out = cmd.args(["lint", "--aws"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no AWS region"));
}

/// What API Gateway answers (recorded shapes: REST-JSON errors with x-amzn-ErrorType).
fn aws_error(status: &str, error_type: &str, message: &str) -> &'static str {
    let body = serde_json::json!({ "message": message }).to_string();
    Box::leak(
        format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\nx-amzn-errortype: {error_type}\r\nx-amzn-requestid: 8f1d2c3b-0000-4000-8000-000000000001\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_boxed_str(),
    )
}

#[test]
fn denied_expired_and_throttled_calls_are_one_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config"), "").unwrap();
    std::fs::write(dir.path().join("credentials"), "").unwrap();
    for (response, needle) in [
        (
            aws_error(
                "403 Forbidden",
                "AccessDeniedException",
                "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: apigateway:GET on resource: arn:aws:apigateway:us-east-1::/restapis",
            ),
            "access denied: the caller needs apigateway:GET",
        ),
        (
            aws_error(
                "403 Forbidden",
                "ExpiredTokenException",
                "The security token included in the request is expired",
            ),
            "session has expired",
        ),
        (
            aws_error(
                "429 Too Many Requests",
                "TooManyRequestsException",
                "Too Many Requests",
            ),
            "kept throttling the call",
        ),
    ] {
        let server = net::http_server(response);
        let mut cmd = doctor();
        with_dummy_aws(&mut cmd, &format!("http://{server}"), dir.path());
        let out = cmd
            // The deadline ends the later rounds a throttled call gets.
            .args([
                "lint",
                "--aws",
                "--aws-timeout",
                "3s",
                "--aws-deadline",
                "6s",
            ])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(needle), "{needle}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
}

#[test]
fn vpc_link_holders_across_http_apis_and_their_stages() {
    let moto = Moto::start();
    let ids = moto.setup(
        r#"
link = 'vl-abc123'
def api(name, connection, stages):
    a = apigwv2.create_api(Name=name, ProtocolType='HTTP')['ApiId']
    i = apigwv2.create_integration(ApiId=a, IntegrationType='HTTP_PROXY', IntegrationMethod='ANY',
        IntegrationUri='arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/orders/1/2',
        ConnectionType='VPC_LINK', ConnectionId=connection, PayloadFormatVersion='1.0')['IntegrationId']
    apigwv2.create_route(ApiId=a, RouteKey='GET /orders', Target='integrations/' + i)
    for s, v in stages.items():
        apigwv2.create_stage(ApiId=a, StageName=s, StageVariables=v)
    return a, i
by_id = api('by-id', link, {})
by_var = api('by-variable', '${stageVariables.vpcLinkId}', {'prod': {'vpcLinkId': link}, 'dev': {'vpcLinkId': 'vl-other'}})
other = api('unused', 'vl-other', {})
print(json.dumps({'by_id': by_id, 'by_var': by_var, 'other': other}))
"#,
    );
    let by_id = ids["by_id"][0].as_str().unwrap();
    let by_var = ids["by_var"][0].as_str().unwrap();
    let r = moto.run(&["-o", "json", "lint", "--aws", "--vpc-link", "vl-abc123"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let j = r.one_json();
    let labels: Vec<&str> = j["result"]["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            format!("{by_id}:GET:/orders:(current definition)"),
            format!("{by_var}:GET:/orders:prod")
        ]
    );
    let first = &j["result"]["users"][0];
    assert_eq!(first["api"], "http");
    assert_eq!(first["certainty"], "definite");
    assert_eq!(first["api_id"], by_id);
    let fix = j["result"]["fix"].as_array().unwrap();
    assert!(fix[0].as_str().unwrap().starts_with(&format!(
        "aws apigatewayv2 update-integration --api-id {by_id}"
    )));
    assert_eq!(
        fix.last().unwrap(),
        "aws apigateway delete-vpc-link --vpc-link-id vl-abc123"
    );
    // A link nothing holds: exit 0.
    let r = moto.run(&["-o", "json", "lint", "--aws", "--vpc-link", "vl-nobody"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.one_json()["result"]["users"], serde_json::json!([]));
}

/// moto keeps no connectionId on REST integrations and its get-export holds no
/// integrations: REST APIs are read from recorded API Gateway responses instead (the
/// service's wire format: lists under "item").
#[test]
fn vpc_link_holders_in_rest_apis_per_stage_from_recorded_responses() {
    let resources = r#"{"item":[{"id":"r00t","path":"/"},{"id":"ord3rs","parentId":"r00t","pathPart":"orders","path":"/orders","resourceMethods":{"GET":{"httpMethod":"GET","authorizationType":"NONE","methodIntegration":{"type":"HTTP_PROXY","httpMethod":"GET","uri":"http://nlb.internal/orders","connectionType":"VPC_LINK","connectionId":"${stageVariables.vpcLinkId}","integrationResponses":{}}},"DELETE":{"httpMethod":"DELETE","authorizationType":"NONE","methodIntegration":{"type":"HTTP_PROXY","httpMethod":"DELETE","uri":"http://nlb.internal/orders","connectionType":"VPC_LINK","connectionId":"vl-abc123"}}}}]}"#;
    let export_prod = r#"{"openapi":"3.0.1","paths":{"/orders":{"get":{"x-amazon-apigateway-integration":{"type":"http_proxy","httpMethod":"GET","uri":"http://nlb.internal/orders","connectionType":"VPC_LINK","connectionId":"${stageVariables.vpcLinkId}"}}}}}"#;
    let routes = vec![
        ("/restapis".to_string(), 200, r#"{"item":[{"id":"a1b2c3d4e5","name":"orders"}]}"#.to_string()),
        ("/restapis/a1b2c3d4e5/resources".to_string(), 200, resources.to_string()),
        ("/restapis/a1b2c3d4e5/stages".to_string(), 200, r#"{"item":[{"stageName":"prod","deploymentId":"d1","variables":{"vpcLinkId":"vl-abc123"}},{"stageName":"dev","deploymentId":"d2","variables":{"vpcLinkId":"vl-other"}},{"stageName":"qa","deploymentId":"d3"}]}"#.to_string()),
        ("/restapis/a1b2c3d4e5/stages/prod/exports/oas30".to_string(), 200, export_prod.to_string()),
        ("/restapis/a1b2c3d4e5/stages/dev/exports/oas30".to_string(), 200, export_prod.to_string()),
        ("/restapis/a1b2c3d4e5/stages/qa/exports/oas30".to_string(), 200, r#"{"openapi":"3.0.1","paths":{}}"#.to_string()),
        ("/v2/apis".to_string(), 200, r#"{"items":[]}"#.to_string()),
    ];
    let server = net::routing_json_server(routes);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config"), "").unwrap();
    std::fs::write(dir.path().join("credentials"), "").unwrap();
    let mut cmd = doctor();
    with_dummy_aws(&mut cmd, &format!("http://{server}"), dir.path());
    let out = cmd
        .args(["-o", "json", "lint", "--aws", "--vpc-link", "vl-abc123"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    let labels: Vec<&str> = j["result"]["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["label"].as_str().unwrap())
        .collect();
    // DELETE by id in the current definition; GET through the variable on prod only; qa's
    // export has no integrations, so its current definition stands in: DELETE by id, and GET
    // with a variable qa does not define (may).
    assert_eq!(
        labels,
        [
            "a1b2c3d4e5:DELETE:/orders:(current definition)",
            "a1b2c3d4e5:GET:/orders:prod",
            "a1b2c3d4e5:DELETE:/orders:qa",
            "a1b2c3d4e5:GET:/orders:qa",
        ],
        "{j}"
    );
    assert_eq!(j["result"]["users"][3]["certainty"], "may");
    assert_eq!(j["result"]["users"][1]["resource_id"], "ord3rs");
    let fix: Vec<&str> = j["result"]["fix"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(fix.iter().any(|f| f.starts_with("aws apigateway put-integration --rest-api-id a1b2c3d4e5 --resource-id ord3rs --http-method GET --type MOCK")), "{fix:?}");
    assert!(
        fix.contains(
            &"aws apigateway create-deployment --rest-api-id a1b2c3d4e5 --stage-name prod"
        )
    );
    assert!(
        fix.contains(&"aws apigateway create-deployment --rest-api-id a1b2c3d4e5 --stage-name qa")
    );
    assert!(!fix.iter().any(|f| f.contains("--stage-name dev")));
    assert!(
        j["result"]["notes"][0]
            .as_str()
            .unwrap()
            .contains("stage qa")
    );
}

fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

#[test]
fn domain_compares_api_gateway_and_acm_with_dns_and_tls() {
    use net::{Pki, Rec};
    let moto = Moto::start();
    let pki = Pki::new();
    let leaf = pki.leaf(&["api.example.com"], 365, true);
    let cert = pem("CERTIFICATE", leaf.chain[0].as_ref());
    let chain = pem("CERTIFICATE", leaf.chain[1].as_ref()) + &pki.ca_pem;
    let key = pem("PRIVATE KEY", leaf.key.secret_der());
    let ids = moto.setup(&format!(
        r#"
good = acm.import_certificate(Certificate={cert:?}.encode(), PrivateKey={key:?}.encode(), CertificateChain={chain:?}.encode())['CertificateArn']
wrong = acm.request_certificate(DomainName='www.example.com', ValidationMethod='DNS')['CertificateArn']
api = apigw.create_rest_api(name='orders')['id']
root = apigw.get_resources(restApiId=api)['items'][0]['id']
apigw.put_method(restApiId=api, resourceId=root, httpMethod='GET', authorizationType='NONE')
apigw.put_integration(restApiId=api, resourceId=root, httpMethod='GET', type='MOCK')
apigw.create_deployment(restApiId=api, stageName='prod')
d = apigw.create_domain_name(domainName='api.example.com', regionalCertificateArn=good, endpointConfiguration={{'types': ['REGIONAL']}})
apigw.create_base_path_mapping(domainName='api.example.com', restApiId=api, stage='prod', basePath='v1')
bad = apigw.create_domain_name(domainName='shop.example.com', regionalCertificateArn=wrong, endpointConfiguration={{'types': ['REGIONAL']}})
# moto 5 fails get-base-path-mappings on a name that never had a mapping (AWS answers an
# empty list): map and unmap, so it answers as AWS does.
apigw.create_base_path_mapping(domainName='shop.example.com', restApiId=api, stage='prod', basePath='tmp')
apigw.delete_base_path_mapping(domainName='shop.example.com', basePath='tmp')
h = apigwv2.create_api(Name='h', ProtocolType='HTTP')['ApiId']
apigwv2.create_stage(ApiId=h, StageName='$default')
v2 = apigwv2.create_domain_name(DomainName='http.example.com', DomainNameConfigurations=[{{'CertificateArn': good, 'EndpointType': 'REGIONAL'}}])
apigwv2.create_api_mapping(DomainName='http.example.com', ApiId=h, Stage='$default', ApiMappingKey='')
print(json.dumps({{'target': d['regionalDomainName'], 'bad_target': bad['regionalDomainName'], 'http_target': v2['DomainNameConfigurations'][0].get('ApiGatewayDomainName'), 'http_api': h}}))
"#
    ));
    let target = ids["target"].as_str().unwrap().to_string();
    let target: &'static str = Box::leak(target.into_boxed_str());
    // moto 5 leaves ApiGatewayDomainName out of HTTP API domain names (AWS includes it).
    let reported = ids["http_target"].as_str();
    let http_target: &'static str = Box::leak(
        reported
            .unwrap_or("d-http1234.execute-api.us-east-1.amazonaws.com")
            .to_string()
            .into_boxed_str(),
    );
    let dns = net::dns_server(
        &["example.com", "amazonaws.com"],
        &[
            ("api.example.com", Rec::Cname(target)),
            (target, Rec::A(std::net::Ipv4Addr::LOCALHOST)),
            // shop points at the API's default endpoint instead of its regional name.
            (
                "shop.example.com",
                Rec::Cname("abc123.execute-api.us-east-1.amazonaws.com"),
            ),
            (
                "abc123.execute-api.us-east-1.amazonaws.com",
                Rec::A(std::net::Ipv4Addr::LOCALHOST),
            ),
            ("nowhere.example.com", Rec::A(std::net::Ipv4Addr::LOCALHOST)),
            ("http.example.com", Rec::Cname(http_target)),
            (http_target, Rec::A(std::net::Ipv4Addr::LOCALHOST)),
        ],
    );
    let tls = net::tls_server(
        &[
            ("api.example.com", leaf.clone()),
            (
                "http.example.com",
                pki.leaf(&["http.example.com"], 365, true),
            ),
        ],
        pki.leaf(&["*.execute-api.us-east-1.amazonaws.com"], 365, true),
    );
    let dir = tempfile::tempdir().unwrap();
    let ca = pki.ca_file(dir.path());
    let check = |host: &str| {
        let r = moto.run(&[
            "-o",
            "json",
            "domain",
            host,
            "--aws",
            "--nameserver",
            &dns.to_string(),
            "--port",
            &tls.port().to_string(),
            "--ca-file",
            &ca,
            "--timeout",
            "2s",
        ]);
        assert!(r.code < 2, "{}", r.stderr);
        (r.one_json(), r.code)
    };
    let (j, code) = check("api.example.com");
    assert_eq!(code, 0, "{j}");
    assert_eq!(j["result"]["aws"]["target"], target);
    assert_eq!(j["result"]["aws"]["api"], "rest");
    assert_eq!(j["result"]["aws"]["certificate"]["status"], "ISSUED");
    assert_eq!(j["result"]["aws"]["certificate"]["region"], "us-east-1");
    assert_eq!(
        j["result"]["aws"]["mappings"],
        serde_json::json!([["v1", j["result"]["aws"]["mappings"][0][1], "prod"]])
    );
    let (j, code) = check("shop.example.com");
    assert_eq!(code, 1);
    let codes = codes_of(&j);
    for c in [
        "domain.no-mappings",
        "domain.acm-certificate-not-covering",
        "domain.acm-certificate-not-issued",
        "domain.cname-to-default-endpoint",
    ] {
        assert!(codes.contains(c), "{c} missing: {j}");
    }
    // An HTTP API's custom domain name (apigatewayv2), mapped at the root. Its certificate
    // names api.example.com only.
    let (j, _) = check("http.example.com");
    assert_eq!(j["result"]["aws"]["api"], "http");
    assert_eq!(j["result"]["aws"]["target"].as_str(), reported);
    assert_eq!(j["result"]["aws"]["mappings"][0][0], "(none)");
    assert_eq!(j["result"]["aws"]["mappings"][0][1], ids["http_api"]);
    assert!(
        codes_of(&j).contains("domain.acm-certificate-not-covering"),
        "{j}"
    );
    let (j, code) = check("nowhere.example.com");
    assert_eq!(code, 1);
    assert!(codes_of(&j).contains("domain.not-in-api-gateway"), "{j}");
    let r = moto.run(&["domain", "a.example.com", "b.example.com", "--aws"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("one host at a time"));
}

#[test]
fn profile_and_region_flags_choose_the_credentials_and_region() {
    let moto = Moto::start();
    let (_, public) = two_apis(&moto);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config"),
        "[profile dev]\nregion = eu-west-1\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("credentials"),
        "[dev]\naws_access_key_id = testing\naws_secret_access_key = testing\n",
    )
    .unwrap();
    let mut cmd = doctor();
    with_dummy_aws(&mut cmd, &moto.endpoint, dir.path());
    cmd.env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_REGION");
    // The profile's region is eu-west-1, where moto has no APIs; --region picks us-east-1.
    let out = cmd
        .args([
            "-o",
            "json",
            "lint",
            "--aws",
            "--profile",
            "dev",
            "--region",
            "us-east-1",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&public), "{text}");
    let mut cmd = doctor();
    with_dummy_aws(&mut cmd, &moto.endpoint, dir.path());
    cmd.env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_REGION");
    let out = cmd
        .args(["lint", "--aws", "--profile", "dev"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("no REST, HTTP or WebSocket APIs in eu-west-1"),
        "{stderr}"
    );
}

/// `trace --aws --rest-api-id q7m2k9x4ab --stage prod` with `call` (verb, path, options),
/// against a loopback stub serving the stage's export (examples/trace/shop-swagger.json) and
/// `more` recorded routes: the exit code and the report.
fn trace_on_stub(call: &[&str], more: Vec<(String, u16, String)>) -> (Option<i32>, Value) {
    let export = std::fs::read_to_string("examples/trace/shop-swagger.json").unwrap();
    let mut routes = vec![(
        "/restapis/q7m2k9x4ab/stages/prod/exports/oas30".to_string(),
        200,
        export,
    )];
    routes.extend(more);
    let server = net::routing_json_server(routes);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config"), "").unwrap();
    std::fs::write(dir.path().join("credentials"), "").unwrap();
    let mut cmd = doctor();
    with_dummy_aws(&mut cmd, &format!("http://{server}"), dir.path());
    let out = cmd
        .args([
            "-o",
            "json",
            "trace",
            "--aws",
            "--rest-api-id",
            "q7m2k9x4ab",
            "--stage",
            "prod",
        ])
        .args(call)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code(), report)
}

/// `trace --aws`: what the stage serves comes from its export (get-export, recorded on a
/// loopback stub: moto's export holds no integrations), then the same pipeline runs.
#[test]
fn trace_reads_what_the_stage_serves() {
    let (code, j) = trace_on_stub(&["GET", "/health"], Vec::new());
    assert_eq!(code, Some(0), "{j}");
    assert_eq!(j["target"], "stage prod of REST API q7m2k9x4ab (us-east-1)");
    assert_eq!(j["result"]["response"]["status"], 200);
    assert!(
        j["result"]["response"]["body"]
            .as_str()
            .unwrap()
            .contains("\"stage\": \"prod\"")
    );
}

/// `trace --aws` checks the traced call against the resource-based policy of the function the
/// method invokes (lambda:GetPolicy, on the same loopback stub): a permission written for the
/// API's former id refuses this call (the integration then answers 500 without a call), one for
/// the API allows it.
#[test]
fn trace_says_whether_the_stage_may_invoke_the_function() {
    let trace_with = |source_arn: &str| {
        let policy = serde_json::json!({"Version": "2012-10-17", "Id": "default", "Statement": [
            {"Sid": "apigw", "Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"},
             "Action": "lambda:InvokeFunction",
             "Resource": "arn:aws:lambda:us-east-1:123456789012:function:get-order",
             "Condition": {"ArnLike": {"AWS:SourceArn": source_arn}}}]});
        let answer = serde_json::json!({"Policy": policy.to_string(), "RevisionId": "r1"});
        let (_, j) = trace_on_stub(
            &["GET", "/orders/o-1", "-H", "Authorization: Bearer t"],
            vec![("/2015-03-31/functions".to_string(), 200, answer.to_string())],
        );
        let found = findings_with(&j, "lint.lambda-permission-missing")
            .into_iter()
            .cloned()
            .collect::<Vec<Value>>();
        (found, j["result"]["response"].clone())
    };
    let (refused, response) =
        trace_with("arn:aws:execute-api:us-east-1:123456789012:oldapi1234/*/GET/orders/*");
    assert_eq!(response["status"], 500, "{response}");
    assert_eq!(response["from"], "integration", "{response}");
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(refused[0]["severity"], "error");
    assert_eq!(
        refused[0]["evidence"]["source_arn"],
        "arn:aws:execute-api:us-east-1:123456789012:q7m2k9x4ab/prod/GET/orders/o-1"
    );
    assert_eq!(
        refused[0]["evidence"]["refused"],
        serde_json::json!(["prod GET /orders/o-1"])
    );
    let (allowed, response) =
        trace_with("arn:aws:execute-api:us-east-1:123456789012:q7m2k9x4ab/*/GET/orders/*");
    assert!(allowed.is_empty(), "{allowed:?}");
    // Allowed: the function's answer decides, and it was not given.
    assert!(response.is_null(), "{response}");
}

#[test]
fn domain_reads_mutual_tls_and_flags_default_endpoints_left_open() {
    use net::{Pki, Rec};
    let moto = Moto::start();
    let pki = Pki::new();
    let leaf = pki.leaf(&["mtls.example.com"], 365, true);
    let cert = pem("CERTIFICATE", leaf.chain[0].as_ref());
    let chain = pem("CERTIFICATE", leaf.chain[1].as_ref()) + &pki.ca_pem;
    let key = pem("PRIVATE KEY", leaf.key.secret_der());
    let ids = moto.setup(&format!(
        r#"
good = acm.import_certificate(Certificate={cert:?}.encode(), PrivateKey={key:?}.encode(), CertificateChain={chain:?}.encode())['CertificateArn']
open_api = apigwv2.create_api(Name='open', ProtocolType='HTTP')['ApiId']
closed_api = apigwv2.create_api(Name='closed', ProtocolType='HTTP', DisableExecuteApiEndpoint=True)['ApiId']
for a in (open_api, closed_api):
    apigwv2.create_stage(ApiId=a, StageName='$default')
s3 = boto3.client('s3', **kw)
s3.create_bucket(Bucket='truststores')
s3.put_bucket_versioning(Bucket='truststores', VersioningConfiguration={{'Status': 'Enabled'}})
old = s3.put_object(Bucket='truststores', Key='api/mtls.pem', Body={weak:?}.encode())['VersionId']
s3.put_object(Bucket='truststores', Key='api/mtls.pem', Body={root:?}.encode())
apigwv2.create_domain_name(DomainName='mtls.example.com', DomainNameConfigurations=[{{'CertificateArn': good, 'EndpointType': 'REGIONAL', 'SecurityPolicy': 'TLS_1_2'}}], MutualTlsAuthentication={{'TruststoreUri': 's3://truststores/api/mtls.pem', 'TruststoreVersion': old}})
apigwv2.create_api_mapping(DomainName='mtls.example.com', ApiId=open_api, Stage='$default', ApiMappingKey='open')
apigwv2.create_api_mapping(DomainName='mtls.example.com', ApiId=closed_api, Stage='$default', ApiMappingKey='closed')
apigwv2.create_domain_name(DomainName='gone.example.com', DomainNameConfigurations=[{{'CertificateArn': good, 'EndpointType': 'REGIONAL'}}], MutualTlsAuthentication={{'TruststoreUri': 's3://truststores/removed.pem'}})
print(json.dumps({{'open': open_api, 'closed': closed_api, 'version': old}}))
"#,
        weak = include_str!("mtls/weak-sha1-rsa1024-ca.pem"),
        root = pki.ca_pem,
    ));
    let dns = net::dns_server(
        &["example.com"],
        &[("mtls.example.com", Rec::A(std::net::Ipv4Addr::LOCALHOST))],
    );
    // The name reaches a server that never asks for a client certificate.
    let tls = net::tls_server(&[], leaf);
    let dir = tempfile::tempdir().unwrap();
    let ca = pki.ca_file(dir.path());
    let r = moto.run(&[
        "-o",
        "json",
        "domain",
        "mtls.example.com",
        "--aws",
        "--nameserver",
        &dns.to_string(),
        "--port",
        &tls.port().to_string(),
        "--ca-file",
        &ca,
        "--timeout",
        "2s",
    ]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    // The truststore the domain name uses, read from S3 at its version (the older object:
    // a SHA-1, RSA-1024 CA), is checked as its own report first.
    let reports = r.json();
    assert_eq!(reports.len(), 2, "{}", r.stdout);
    let store = &reports[0];
    assert_eq!(
        store["result"]["truststore"]["certificates"][0]["subject"], "CN=Weak SHA-1 RSA-1024 CA",
        "{store}"
    );
    let codes = codes_of(store);
    assert!(
        codes.contains("mtls.truststore-weak-signature"),
        "{codes:?}"
    );
    let j = reports[1].clone();
    let m = &j["result"]["aws"]["mutual_tls"];
    assert_eq!(m["truststore_uri"], "s3://truststores/api/mtls.pem", "{j}");
    assert_eq!(m["truststore_version"], ids["version"]);
    // A truststore that cannot be read is a finding naming it, not a silent pass.
    let gone = moto.run(&[
        "-o",
        "json",
        "domain",
        "gone.example.com",
        "--aws",
        "--nameserver",
        &dns.to_string(),
        "--timeout",
        "2s",
    ]);
    let g = gone.one_json();
    let unread = findings_with(&g, "mtls.truststore-not-read");
    assert_eq!(unread.len(), 1, "{g}");
    assert!(
        unread[0]["message"].as_str().unwrap().contains("404"),
        "{g}"
    );
    let open = findings_with(&j, "mtls.default-endpoint-enabled");
    assert_eq!(open.len(), 1, "{j}");
    assert_eq!(open[0]["evidence"]["api_id"], ids["open"]);
    assert!(!findings_with(&j, "mtls.not-required").is_empty(), "{j}");
}

#[test]
fn lint_reads_websocket_apis_live() {
    let moto = Moto::start();
    let ids = moto.setup(
        r#"
ws = apigwv2.create_api(Name='chat', ProtocolType='WEBSOCKET', RouteSelectionExpression='$request.body.action')['ApiId']
fn = 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:chat/invocations'
proxy = apigwv2.create_integration(ApiId=ws, IntegrationType='AWS_PROXY', IntegrationUri=fn)['IntegrationId']
mock = apigwv2.create_integration(ApiId=ws, IntegrationType='MOCK')['IntegrationId']
apigwv2.create_route(ApiId=ws, RouteKey='$connect', Target='integrations/' + mock)
apigwv2.create_route(ApiId=ws, RouteKey='talk', Target='integrations/' + proxy)
echo = apigwv2.create_route(ApiId=ws, RouteKey='echo', Target='integrations/' + mock, RouteResponseSelectionExpression='$default')['RouteId']
apigwv2.create_route_response(ApiId=ws, RouteId=echo, RouteResponseKey='$default')
http = apigwv2.create_api(Name='web', ProtocolType='HTTP')['ApiId']
print(json.dumps({'ws': ws, 'http': http}))
"#,
    );
    let ws = ids["ws"].as_str().unwrap();
    let r = moto.run(&["-o", "json", "lint", "--aws", "--websocket-api-id", ws]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let j = r.one_json();
    assert_eq!(j["result"]["api"], "websocket");
    let codes = codes_of(&j);
    assert!(codes.contains("websocket.no-default-route"), "{j}");
    // $connect's MOCK integration has no integration response.
    assert!(
        codes.contains("websocket.no-default-integration-response"),
        "{j}"
    );
    // moto 5 does not answer GetRouteResponses (AWS does): the routes' two-way-ness is
    // then unknown, and said so as an error, not guessed.
    let unread = findings_with(&j, "websocket.not-read");
    assert_eq!(unread.len(), 3, "{j}");
    assert!(
        unread[0]["message"]
            .as_str()
            .unwrap()
            .contains("GetRouteResponses")
    );
    // Every WebSocket and HTTP API of the region when no id is given (WebSocket first).
    let all = moto.run(&["-o", "json", "lint", "--aws"]);
    let reports = all.json();
    assert_eq!(reports.len(), 3, "{}", all.stdout);
    assert_eq!(reports[2]["result"]["apis_listed"], 2);
    assert!(reports[0]["target"].as_str().unwrap().contains(ws));
    assert!(reports[1]["target"].as_str().unwrap().contains("HTTP API"));
    // An HTTP API's id is refused with the reason.
    let http = ids["http"].as_str().unwrap();
    let wrong = moto.run(&["lint", "--aws", "--websocket-api-id", http]);
    assert_eq!(wrong.code, 2);
    assert!(
        wrong.stderr.contains("not a WebSocket API"),
        "{}",
        wrong.stderr
    );
}

/// Live mode reads the API's binary media types (get-resources leaves them out): an S3 object
/// upload is flagged on the API that lists none, not on the one that lists `*/*`, both when
/// the region is scanned (from GetRestApis) and when the API is named (GetRestApi). Recorded
/// responses: moto 5 drops `binaryMediaTypes` on create and stores "" on update.
#[test]
fn lint_reads_binary_media_types_live() {
    let resources = r#"{"item":[{"id":"r00t","path":"/"},{"id":"f1le","parentId":"r00t","pathPart":"{key}","path":"/{key}","resourceMethods":{"PUT":{"httpMethod":"PUT","authorizationType":"AWS_IAM","apiKeyRequired":false,"methodResponses":{"200":{"statusCode":"200"},"400":{"statusCode":"400"},"500":{"statusCode":"500"}},"methodIntegration":{"type":"AWS","httpMethod":"PUT","uri":"arn:aws:apigateway:us-east-1:s3:path/uploads/{key}","credentials":"arn:aws:iam::123456789012:role/uploads","requestParameters":{"integration.request.path.key":"method.request.path.key"},"passthroughBehavior":"WHEN_NO_MATCH","timeoutInMillis":29000,"cacheNamespace":"f1le","cacheKeyParameters":[],"integrationResponses":{"200":{"statusCode":"200","selectionPattern":""},"400":{"statusCode":"400","selectionPattern":"4\\d{2}"},"500":{"statusCode":"500","selectionPattern":"5\\d{2}"}}}}}}]}"#;
    let bare = r#"{"id":"b4re000001","name":"bare","apiKeySource":"HEADER","endpointConfiguration":{"types":["REGIONAL"]}}"#;
    let listed = r#"{"id":"l1sted0002","name":"listed","binaryMediaTypes":["*/*"],"apiKeySource":"HEADER","endpointConfiguration":{"types":["REGIONAL"]}}"#;
    let routes = vec![
        (
            "/restapis".to_string(),
            200,
            format!(r#"{{"item":[{bare},{listed}]}}"#),
        ),
        ("/restapis/b4re000001".to_string(), 200, bare.to_string()),
        ("/restapis/l1sted0002".to_string(), 200, listed.to_string()),
        (
            "/restapis/b4re000001/resources".to_string(),
            200,
            resources.to_string(),
        ),
        (
            "/restapis/l1sted0002/resources".to_string(),
            200,
            resources.to_string(),
        ),
        ("/v2/apis".to_string(), 200, r#"{"items":[]}"#.to_string()),
    ];
    let server = net::routing_json_server(routes);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config"), "").unwrap();
    std::fs::write(dir.path().join("credentials"), "").unwrap();
    let live = |args: &[&str]| {
        let mut cmd = doctor();
        with_dummy_aws(&mut cmd, &format!("http://{server}"), dir.path());
        let out = cmd.args(args).output().unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
        stdout
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .collect::<Vec<Value>>()
    };
    let code = "lint.binary-body-as-text";
    let reports = live(&["-o", "json", "lint", "--aws"]);
    let of = |id: &str| -> &Value {
        reports
            .iter()
            .find(|j| j["target"].as_str().unwrap().contains(id))
            .unwrap_or_else(|| panic!("no report for {id}: {reports:?}"))
    };
    let found = findings_with(of("b4re000001"), code);
    assert_eq!(found.len(), 1, "{reports:?}");
    assert_eq!(
        found[0]["evidence"]["binary_media_types"],
        serde_json::json!([])
    );
    assert!(
        !found[0]["message"]
            .as_str()
            .unwrap()
            .contains("does not carry")
    );
    assert!(
        findings_with(of("l1sted0002"), code).is_empty(),
        "{reports:?}"
    );
    for (id, expected) in [("b4re000001", 1), ("l1sted0002", 0)] {
        let reports = live(&["-o", "json", "lint", "--aws", "--rest-api-id", id]);
        assert_eq!(reports.len(), 1);
        assert_eq!(
            findings_with(&reports[0], code).len(),
            expected,
            "{reports:?}"
        );
    }
}

#[test]
fn probe_explains_a_private_apis_403_from_its_configuration() {
    let moto = Moto::start();
    let ids = moto.setup(
        r#"
policy = json.dumps({"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"},
  {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
   "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-0aaa1111bbbb22223"}}}]})
private = apigw.create_rest_api(name='internal', endpointConfiguration={'types': ['PRIVATE'], 'vpcEndpointIds': ['vpce-0aaa1111bbbb22223']}, policy=policy)['id']
bare = apigw.create_rest_api(name='nopolicy', endpointConfiguration={'types': ['PRIVATE']})['id']
public = apigw.create_rest_api(name='public', endpointConfiguration={'types': ['REGIONAL']})['id']
print(json.dumps({'private': private, 'bare': bare, 'public': public}))
"#,
    );
    let (server, ca, _dir) = net::execute_api_https_server(
        "HTTP/1.1 403 Forbidden\r\ncontent-type: application/json\r\ncontent-length: 23\r\nx-amzn-errortype: ForbiddenException\r\n\r\n{\"message\":\"Forbidden\"}",
    );
    let probe = |host: &str, extra: &[&str]| {
        let url = format!("https://{host}:{}/dev/pets", server.port());
        let resolve = format!("{host}:{}:127.0.0.1", server.port());
        let mut args = vec![
            "-o",
            "json",
            "probe",
            &url,
            "--resolve",
            &resolve,
            "--ca-file",
            &ca,
            "--aws",
        ];
        args.extend_from_slice(extra);
        let r = moto.run(&args);
        assert!(r.code < 2, "{}", r.stderr);
        codes_of(&r.one_json())
    };
    let private = ids["private"].as_str().unwrap();
    let endpoint = "vpce-0ccc3333dddd44445-abcd1234.execute-api.us-east-1.vpce.amazonaws.com";
    // Another endpoint than the policy allows, not associated either.
    let alias = format!("{private}-vpce-0ccc3333dddd44445.execute-api.us-east-1.amazonaws.com");
    let codes = probe(&alias, &[]);
    assert!(
        codes.contains("private.endpoint-not-associated"),
        "{codes:?}"
    );
    assert!(codes.contains("private.policy-denies"), "{codes:?}");
    // The allowed endpoint, the API named by header: the policy allows; nothing configured
    // explains a 403 (so none of those findings).
    let allowed = "vpce-0aaa1111bbbb22223-abcd1234.execute-api.us-east-1.vpce.amazonaws.com";
    let codes = probe(allowed, &["-H", &format!("x-apigw-api-id: {private}")]);
    assert!(!codes.contains("private.policy-denies"), "{codes:?}");
    assert!(
        !codes.contains("private.endpoint-not-associated"),
        "{codes:?}"
    );
    // A private API without a resource policy.
    let bare = ids["bare"].as_str().unwrap();
    let codes = probe(endpoint, &["-H", &format!("x-apigw-api-id: {bare}")]);
    assert!(codes.contains("private.no-resource-policy"), "{codes:?}");
    // The endpoint's own name without the API: nothing to read, and said so.
    let codes = probe(endpoint, &[]);
    assert!(codes.contains("private.no-api-id"), "{codes:?}");
    assert!(codes.contains("private.not-read"), "{codes:?}");
    // A Regional API called through an endpoint's name.
    let public = ids["public"].as_str().unwrap();
    let codes = probe(endpoint, &["-H", &format!("x-apigw-api-id: {public}")]);
    assert!(codes.contains("private.not-private"), "{codes:?}");
    // Private DNS (the default name) with an endpoint-conditioned policy: undecided, said.
    let r = moto.run(&[
        "-o",
        "json",
        "probe",
        &format!(
            "https://{private}.execute-api.us-east-1.amazonaws.com:{}/dev/pets",
            server.port()
        ),
        "--resolve",
        &format!(
            "{private}.execute-api.us-east-1.amazonaws.com:{}:127.0.0.1",
            server.port()
        ),
        "--ca-file",
        &ca,
        "--aws",
    ]);
    let j = r.one_json();
    let undecided = findings_with(&j, "private.policy-denies");
    // Undecided is no all-clear: an error, marked uncertain.
    assert_eq!(undecided[0]["severity"], "error", "{j}");
    assert_eq!(undecided[0]["evidence"]["uncertain"], true);
}

/// moto has no custom domain names for private APIs: recorded API Gateway responses (the
/// service's wire format, lists under "item") stand in for them.
#[test]
fn domain_explains_a_private_custom_domain_name() {
    let arn = "arn:aws:apigateway:us-east-1:111122223333:/domainnames/private.example.com+abcd1234";
    let policy = serde_json::json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": [arn.replace("apigateway", "execute-api")],
         "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-0aaa1111bbbb22223"}}}]})
    .to_string();
    let domain = serde_json::json!({"item": [{
        "domainName": "private.example.com", "domainNameId": "abcd1234", "domainNameArn": arn,
        "certificateArn": "arn:aws:acm:us-east-1:111122223333:certificate/0b1a5bd8-2b4c-4b8e-9b51-7d1a2f0e6c11",
        "endpointConfiguration": {"types": ["PRIVATE"]}, "domainNameStatus": "AVAILABLE",
        "securityPolicy": "TLS_1_2", "policy": policy}]})
    .to_string();
    let not_found =
        r#"{"__type":"NotFoundException","message":"Invalid domain name identifier specified"}"#;
    let routes = vec![
        ("/domainnames/private.example.com".to_string(), 404, not_found.to_string()),
        ("/v2/domainnames/private.example.com".to_string(), 404, not_found.to_string()),
        ("/domainnames".to_string(), 200, domain),
        (
            "/domainnames/private.example.com/basepathmappings".to_string(),
            200,
            r#"{"item":[{"basePath":"(none)","restApiId":"a1b2c3d4e5","stage":"prod"}]}"#.to_string(),
        ),
        (
            "/domainnameaccessassociations".to_string(),
            200,
            serde_json::json!({"item": [{
                "domainNameAccessAssociationArn": "arn:aws:apigateway:us-east-1:111122223333:/domainnameaccessassociations/domainname/private.example.com+abcd1234/vpcesource/vpce-0ccc3333dddd44445",
                "domainNameArn": arn, "accessAssociationSource": "vpce-0ccc3333dddd44445",
                "accessAssociationSourceType": "VPCE"}]})
            .to_string(),
        ),
        (
            "/".to_string(),
            200,
            r#"{"Certificate":{"CertificateArn":"arn:aws:acm:us-east-1:111122223333:certificate/0b1a5bd8-2b4c-4b8e-9b51-7d1a2f0e6c11","DomainName":"private.example.com","SubjectAlternativeNames":["private.example.com"],"Status":"ISSUED","NotAfter":1.8E9}}"#.to_string(),
        ),
    ];
    let server = net::routing_json_server(routes);
    let dns = net::dns_server(&["example.com"], &[]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config"), "").unwrap();
    std::fs::write(dir.path().join("credentials"), "").unwrap();
    let mut cmd = doctor();
    with_dummy_aws(&mut cmd, &format!("http://{server}"), dir.path());
    let out = cmd
        .args([
            "-o",
            "json",
            "domain",
            "private.example.com",
            "--aws",
            "--nameserver",
            &dns.to_string(),
            "--timeout",
            "2s",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["result"]["aws"]["private"]["id"], "abcd1234");
    assert_eq!(
        j["result"]["aws"]["private"]["access_associations"],
        serde_json::json!(["vpce-0ccc3333dddd44445"])
    );
    let codes = codes_of(&j);
    assert!(codes.contains("private.domain-in-vpc-only"), "{j}");
    let denied = findings_with(&j, "private.domain-policy-denies");
    assert_eq!(denied.len(), 1, "{j}");
    assert_eq!(denied[0]["severity"], "error");
    assert_eq!(denied[0]["evidence"]["vpce"], "vpce-0ccc3333dddd44445");
    // From outside the VPC the name does not resolve: said, as DNS sees it.
    assert!(codes.contains("domain.nxdomain"), "{j}");
}

/// A moto setup prelude: `lam`, the Lambda client, and `function(name)`, which makes a Python
/// function of that name (with an IAM role made once) and returns its ARN.
const FUNCTIONS: &str = r#"
import io, zipfile
iam = boto3.client('iam', **kw)
lam = boto3.client('lambda', **kw)
role = iam.create_role(RoleName='fn', AssumeRolePolicyDocument=json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Principal': {'Service': 'lambda.amazonaws.com'}, 'Action': 'sts:AssumeRole'}]}))['Role']['Arn']
buf = io.BytesIO()
with zipfile.ZipFile(buf, 'w') as z:
    z.writestr('app.py', 'def handler(event, context):\n    return {"statusCode": 200}\n')
def function(name):
    return lam.create_function(FunctionName=name, Runtime='python3.12', Role=role, Handler='app.handler', Code={'ZipFile': buf.getvalue()})['FunctionArn']
"#;

/// The finding about the function named `name` (its ARN's last part) among `findings`.
fn for_function<'a>(findings: &[&'a Value], name: &str) -> Option<&'a Value> {
    findings.iter().copied().find(|f| {
        f["evidence"]["function"]
            .as_str()
            .is_some_and(|arn| arn.ends_with(&format!(":function:{name}")))
    })
}

/// Runs `setup` after the [`FUNCTIONS`] prelude (it prints `[API_ID]`), then `lint --aws
/// --rest-api-id API_ID -o json`, which must find problems: the API's id and the report.
fn live_lint_of(moto: &Moto, setup: &str) -> (String, Value) {
    let ids = moto.setup(&(FUNCTIONS.to_string() + setup));
    let api = ids[0].as_str().unwrap().to_string();
    let r = moto.run(&["-o", "json", "lint", "--aws", "--rest-api-id", &api]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    (api, r.one_json())
}

/// A REST API "pets" deployed to stage prod whose methods invoke Lambda functions of moto:
/// GET /pets list-pets (a permission for this API's GET /pets), POST /pets create-pet (a
/// permission for the API's former id), GET /audit audit (no policy), GET /ghost a function
/// that does not exist, GET /report report through an integration role. Returns the API's id.
fn pets_api_with_functions(moto: &Moto) -> String {
    let ids = moto.setup(&(FUNCTIONS.to_string()
        + r#"
arns = {}
for name in ['list-pets', 'create-pet', 'audit', 'report']:
    arns[name] = function(name)
api = apigw.create_rest_api(name='pets')['id']
root = apigw.get_resources(restApiId=api)['items'][0]['id']
pets = apigw.create_resource(restApiId=api, parentId=root, pathPart='pets')['id']
audit = apigw.create_resource(restApiId=api, parentId=root, pathPart='audit')['id']
ghost = apigw.create_resource(restApiId=api, parentId=root, pathPart='ghost')['id']
report = apigw.create_resource(restApiId=api, parentId=root, pathPart='report')['id']
account = arns['list-pets'].split(':')[4]
def method(resource, verb, function, credentials=None):
    apigw.put_method(restApiId=api, resourceId=resource, httpMethod=verb, authorizationType='NONE')
    extra = {'credentials': credentials} if credentials else {}
    apigw.put_integration(restApiId=api, resourceId=resource, httpMethod=verb, type='AWS_PROXY', integrationHttpMethod='POST',
        uri='arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/' + function + '/invocations', **extra)
method(pets, 'GET', arns['list-pets'])
method(pets, 'POST', arns['create-pet'])
method(audit, 'GET', arns['audit'])
method(ghost, 'GET', 'arn:aws:lambda:us-east-1:' + account + ':function:ghost')
method(report, 'GET', arns['report'], credentials='arn:aws:iam::' + account + ':role/apigw-invoke')
apigw.create_deployment(restApiId=api, stageName='prod')
lam.add_permission(FunctionName='list-pets', StatementId='apigw', Action='lambda:InvokeFunction', Principal='apigateway.amazonaws.com',
    SourceArn='arn:aws:execute-api:us-east-1:' + account + ':' + api + '/*/GET/pets')
lam.add_permission(FunctionName='create-pet', StatementId='apigw', Action='lambda:InvokeFunction', Principal='apigateway.amazonaws.com',
    SourceArn='arn:aws:execute-api:us-east-1:' + account + ':oldapi1234/*/POST/pets')
print(json.dumps([api, account]))
"#));
    ids[0].as_str().unwrap().to_string()
}

/// Live mode reads the resource-based policy of each function a REST API's Lambda
/// integrations invoke (lambda:GetPolicy) and checks every stage's calls against it, on moto:
/// a permission for this API's GET /pets (allowed), one for the API's former id (the API was
/// recreated: every call refused), a function with no policy at all, a function that does not
/// exist, and an integration with credentials (not judged).
#[test]
fn live_lint_checks_the_functions_policies() {
    let moto = Moto::start();
    let api = pets_api_with_functions(&moto);
    let api = api.as_str();
    let r = moto.run(&["-o", "json", "lint", "--aws", "--rest-api-id", api]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let j = r.one_json();
    let missing = findings_with(&j, "lint.lambda-permission-missing");
    let functions: Vec<&str> = missing
        .iter()
        .map(|f| f["evidence"]["function"].as_str().unwrap())
        .collect();
    assert_eq!(functions.len(), 2, "{j}");
    assert!(functions[0].ends_with(":function:audit"), "{functions:?}");
    assert!(
        functions[1].ends_with(":function:create-pet"),
        "{functions:?}"
    );
    for f in &missing {
        assert_eq!(f["severity"], "error", "{f}");
        assert_eq!(f["evidence"]["certain"], true, "{f}");
        assert_eq!(f["article"], "configuration-error", "{f}");
    }
    let create = missing[1]["message"].as_str().unwrap();
    assert!(create.contains("oldapi1234/*/POST/pets"), "{create}");
    assert!(
        missing[1]["evidence"]["source_arn"]
            .as_str()
            .unwrap()
            .ends_with(&format!("{api}/prod/POST/pets")),
        "{}",
        missing[1]
    );
    assert!(
        missing[0]["message"]
            .as_str()
            .unwrap()
            .contains("no statement of it names apigateway.amazonaws.com"),
        "{}",
        missing[0]
    );
    let ghost = findings_with(&j, "lint.lambda-function-not-found");
    assert_eq!(ghost.len(), 1, "{j}");
    assert!(
        ghost[0]["evidence"]["function"]
            .as_str()
            .unwrap()
            .ends_with(":function:ghost")
    );
    assert!(
        findings_with(&j, "lint.lambda-policy-unreadable").is_empty(),
        "{j}"
    );
}

/// Lambda's answers the policy check cannot use, from a loopback stub standing in for Lambda
/// (API Gateway is moto): access denied (each function's policy said unread, with the action
/// the credentials need), and an endpoint that never answers (one call waits out the timeout,
/// the other functions are not asked; the run ends).
#[test]
fn live_lint_says_which_policies_it_could_not_read() {
    let moto = Moto::start();
    let api = pets_api_with_functions(&moto);
    let run = |lambda: std::net::SocketAddr| {
        let out = moto
            .doctor()
            .env("AWS_ENDPOINT_URL_LAMBDA", format!("http://{lambda}"))
            .args([
                "-o",
                "json",
                "--aws-timeout",
                "1s",
                "lint",
                "--aws",
                "--rest-api-id",
                &api,
            ])
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .expect("lint --aws ends within 60 s");
        let report: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        findings_with(&report, "lint.lambda-policy-unreadable")
            .into_iter()
            .cloned()
            .collect::<Vec<Value>>()
    };
    let denied = net::http_server(
        "HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nx-amzn-ErrorType: AccessDeniedException\r\nContent-Length: 152\r\nConnection: close\r\n\r\n{\"Type\":\"User\",\"Message\":\"User: arn:aws:iam::123456789012:user/dev is not authorized to perform: lambda:GetPolicy because no identity policy allows it\"}",
    );
    let unread = run(denied);
    // list-pets, create-pet, audit and ghost: none could be read.
    assert_eq!(unread.len(), 4, "{unread:?}");
    for f in &unread {
        let m = f["message"].as_str().unwrap();
        assert!(m.contains("403") && m.contains("lambda:GetPolicy"), "{m}");
        assert_eq!(f["evidence"]["certain"], false);
    }
    let unread = run(net::stalling_server());
    assert_eq!(unread.len(), 4, "{unread:?}");
    let waited = unread
        .iter()
        .filter(|f| {
            f["message"]
                .as_str()
                .unwrap()
                .contains("did not answer within")
        })
        .count();
    let not_asked = unread
        .iter()
        .filter(|f| f["message"].as_str().unwrap().contains("not asked"))
        .count();
    assert_eq!((waited, not_asked), (1, 3), "{unread:?}");
}

/// Live mode reads the API's Lambda authorizers (get-authorizers) and checks each one's
/// function policy for the authorizer's source ARN (API_ID/authorizers/ID), on moto: a
/// permission for the API's authorizers (nothing to say), one for the API's method calls only
/// (uncertain: the authorizer form is documented for HTTP APIs), and none at all (an error).
#[test]
fn live_lint_checks_the_authorizers_functions() {
    let moto = Moto::start();
    let (api, j) = live_lint_of(
        &moto,
        r#"
api = apigw.create_rest_api(name='guarded')['id']
root = apigw.get_resources(restApiId=api)['items'][0]['id']
account = None
for name in ['auth-ok', 'auth-calls', 'auth-none']:
    arn = function(name)
    account = arn.split(':')[4]
    authorizer = apigw.create_authorizer(restApiId=api, name=name, type='TOKEN', identitySource='method.request.header.Authorization',
        authorizerUri='arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/' + arn + '/invocations')['id']
    r = apigw.create_resource(restApiId=api, parentId=root, pathPart=name)['id']
    apigw.put_method(restApiId=api, resourceId=r, httpMethod='GET', authorizationType='CUSTOM', authorizerId=authorizer)
    apigw.put_integration(restApiId=api, resourceId=r, httpMethod='GET', type='MOCK', requestTemplates={'application/json': '{"statusCode": 200}'})
base = 'arn:aws:execute-api:us-east-1:' + account + ':' + api
lam.add_permission(FunctionName='auth-ok', StatementId='apigw', Action='lambda:InvokeFunction', Principal='apigateway.amazonaws.com', SourceArn=base + '/authorizers/*')
lam.add_permission(FunctionName='auth-calls', StatementId='apigw', Action='lambda:InvokeFunction', Principal='apigateway.amazonaws.com', SourceArn=base + '/*/GET/auth-calls')
print(json.dumps([api]))
"#,
    );
    let found = findings_with(&j, "lint.authorizer-permission-missing");
    let by = |name: &str| {
        found
            .iter()
            .find(|f| f["evidence"]["authorizer"] == name)
            .unwrap_or_else(|| panic!("{name}: {j}"))
    };
    assert_eq!(found.len(), 2, "{j}");
    let none = by("auth-none");
    assert_eq!(none["severity"], "error");
    assert_eq!(none["evidence"]["certain"], true);
    assert!(
        none["evidence"]["source_arn"]
            .as_str()
            .unwrap()
            .contains(&format!("{api}/authorizers/")),
        "{none}"
    );
    assert!(
        none["message"]
            .as_str()
            .unwrap()
            .contains("AuthorizerConfigurationException"),
        "{none}"
    );
    let calls = by("auth-calls");
    assert_eq!(calls["severity"], "warning");
    assert_eq!(calls["evidence"]["certain"], false);
}

/// Live mode reads an HTTP API (get-api, get-routes, get-integrations, the routes'
/// authorizers, get-stages) into the definition its export holds, lints it, and checks its
/// functions' policies with an HTTP API's source ARNs, on moto: GET /orders (a permission for
/// it: nothing to say), POST /orders (no policy: refused), the `$default` route (SAM's former
/// `API/*/*/$default` permission, which no call matches [obs: SAM#1860]) and GET /admin behind
/// a Lambda authorizer without a permission (refused, certain: the authorizer's source ARN is
/// documented for HTTP APIs), and GET /todo without an integration. The region's scan reads it
/// too; `trace --aws` follows its calls; a WebSocket API's id is refused.
#[test]
fn live_lint_reads_http_apis() {
    let moto = Moto::start();
    let ids = moto.setup(&(FUNCTIONS.to_string()
        + r#"
arns = {}
for name in ['list-orders', 'create-order', 'catch-all', 'admin-auth']:
    arns[name] = function(name)
account = arns['list-orders'].split(':')[4]
api = apigwv2.create_api(Name='shop', ProtocolType='HTTP',
    CorsConfiguration={'AllowOrigins': ['https://shop.example.com'], 'AllowMethods': ['GET', 'POST']})['ApiId']
def lambda_integration(name):
    return apigwv2.create_integration(ApiId=api, IntegrationType='AWS_PROXY', IntegrationUri=arns[name], PayloadFormatVersion='2.0')['IntegrationId']
apigwv2.create_route(ApiId=api, RouteKey='GET /orders', Target='integrations/' + lambda_integration('list-orders'))
apigwv2.create_route(ApiId=api, RouteKey='POST /orders', Target='integrations/' + lambda_integration('create-order'))
apigwv2.create_route(ApiId=api, RouteKey='$default', Target='integrations/' + lambda_integration('catch-all'))
auth = apigwv2.create_authorizer(ApiId=api, Name='admin-auth', AuthorizerType='REQUEST', IdentitySource=['$request.header.Authorization'],
    AuthorizerPayloadFormatVersion='2.0', EnableSimpleResponses=True,
    AuthorizerUri='arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/' + arns['admin-auth'] + '/invocations')['AuthorizerId']
admin = apigwv2.create_integration(ApiId=api, IntegrationType='HTTP_PROXY', IntegrationMethod='ANY', IntegrationUri='https://admin.example.com/', PayloadFormatVersion='1.0')['IntegrationId']
apigwv2.create_route(ApiId=api, RouteKey='GET /admin', AuthorizationType='CUSTOM', AuthorizerId=auth, Target='integrations/' + admin)
apigwv2.create_route(ApiId=api, RouteKey='GET /todo')
apigwv2.create_stage(ApiId=api, StageName='$default', AutoDeploy=True)
base = 'arn:aws:execute-api:us-east-1:' + account + ':' + api
lam.add_permission(FunctionName='list-orders', StatementId='apigw', Action='lambda:InvokeFunction', Principal='apigateway.amazonaws.com', SourceArn=base + '/*/GET/orders')
lam.add_permission(FunctionName='catch-all', StatementId='apigw', Action='lambda:InvokeFunction', Principal='apigateway.amazonaws.com', SourceArn=base + '/*/*/$default')
ws = apigwv2.create_api(Name='chat', ProtocolType='WEBSOCKET', RouteSelectionExpression='$request.body.action')['ApiId']
print(json.dumps({'api': api, 'ws': ws}))
"#));
    let api = ids["api"].as_str().unwrap();
    let r = moto.run(&["-o", "json", "lint", "--aws", "--http-api-id", api]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let j = r.one_json();
    assert_eq!(j["result"]["api"], "http", "{j}");
    assert!(j["target"].as_str().unwrap().contains("HTTP API"), "{j}");
    let missing = findings_with(&j, "lint.lambda-permission-missing");
    let by = |function: &str| {
        for_function(&missing, function).unwrap_or_else(|| panic!("{function}: {j}"))
    };
    assert_eq!(missing.len(), 2, "{j}");
    let create = by("create-order");
    assert_eq!(create["severity"], "error");
    assert_eq!(create["evidence"]["certain"], true);
    assert!(
        create["message"]
            .as_str()
            .unwrap()
            .contains("integrationErrorMessage"),
        "{create}"
    );
    assert!(
        create["evidence"]["source_arn"]
            .as_str()
            .unwrap()
            .ends_with(&format!("{api}/$default/POST/orders")),
        "{create}"
    );
    let default = by("catch-all");
    assert!(
        default["evidence"]["source_arn"]
            .as_str()
            .unwrap()
            .ends_with(&format!("{api}/$default/$default")),
        "{default}"
    );
    assert!(
        default["message"]
            .as_str()
            .unwrap()
            .contains("with no verb: write API_ID/*/$default"),
        "{default}"
    );
    // A route without an integration: HTTP APIs keep one (a REST API would not deploy).
    let bare = findings_with(&j, "lint.method-without-integration");
    assert_eq!(bare.len(), 1, "{j}");
    assert!(
        bare[0]["message"]
            .as_str()
            .unwrap()
            .contains("an HTTP API keeps such a route"),
        "{}",
        bare[0]
    );
    let auth = findings_with(&j, "lint.authorizer-permission-missing");
    assert_eq!(auth.len(), 1, "{j}");
    assert_eq!(auth[0]["severity"], "error");
    assert_eq!(auth[0]["evidence"]["certain"], true);
    assert_eq!(auth[0]["evidence"]["authorizer"], "admin-auth");
    assert!(
        auth[0]["message"]
            .as_str()
            .unwrap()
            .contains("authorizerError"),
        "{}",
        auth[0]
    );
    // The scan reads it with the region's other APIs.
    let all = moto.run(&["-o", "json", "lint", "--aws"]);
    let reports = all.json();
    let scan = reports.last().unwrap();
    assert_eq!(scan["result"]["apis_listed"], 2, "{}", all.stdout);
    assert_eq!(scan["result"]["regions"][0]["http_apis"], 1, "{scan}");
    assert!(
        reports.iter().any(|r| r["target"]
            .as_str()
            .unwrap()
            .contains(&format!("HTTP API {api}"))),
        "{}",
        all.stdout
    );
    // `trace --aws` follows a call through the same definition: the refused function's call
    // answers 500 without one, the permitted one's what the function returned.
    let trace = |call: &[&str]| {
        let mut args = vec![
            "-o",
            "json",
            "trace",
            "--aws",
            "--http-api-id",
            api,
            "--stage",
            "$default",
        ];
        args.extend(call);
        let r = moto.run(&args);
        (r.code, r.one_json())
    };
    let orders = |verb| {
        trace(&[
            verb,
            "/orders",
            "--lambda-output",
            "examples/trace/list-orders-output.json",
        ])
    };
    let (code, refused) = orders("POST");
    assert_eq!(code, 1, "{refused}");
    assert_eq!(refused["result"]["response"]["status"], 500, "{refused}");
    assert_eq!(
        refused["result"]["response"]["body"],
        r#"{"message":"Internal Server Error"}"#
    );
    assert_eq!(
        findings_with(&refused, "lint.lambda-permission-missing").len(),
        1,
        "{refused}"
    );
    assert!(
        refused["target"]
            .as_str()
            .unwrap()
            .starts_with(&format!("stage $default of HTTP API {api}")),
        "{refused}"
    );
    let (code, allowed) = orders("GET");
    assert_eq!(code, 0, "{allowed}");
    assert_eq!(allowed["result"]["response"]["status"], 200, "{allowed}");
    // GET /admin's Lambda authorizer may not be invoked: 500 once the header is there.
    let (_, admin) = trace(&["GET", "/admin", "-H", "Authorization: t"]);
    assert_eq!(admin["result"]["response"]["status"], 500, "{admin}");
    assert_eq!(admin["result"]["response"]["from"], "authorizer", "{admin}");
    assert_eq!(
        findings_with(&admin, "lint.authorizer-permission-missing").len(),
        1,
        "{admin}"
    );
    let no_stage = moto.run(&[
        "trace",
        "--aws",
        "--http-api-id",
        api,
        "--stage",
        "prod",
        "GET",
        "/orders",
    ]);
    assert_eq!(no_stage.code, 2);
    assert!(
        no_stage
            .stderr
            .contains("has no stage \"prod\" (its stages: $default)"),
        "{}",
        no_stage.stderr
    );
    let no_api = moto.run(&["trace", "--aws", "--stage", "prod", "GET", "/orders"]);
    assert_eq!(no_api.code, 2);
    assert!(no_api.stderr.contains("--http-api-id"), "{}", no_api.stderr);
    // A WebSocket API's id is refused with the reason.
    let wrong = moto.run(&[
        "lint",
        "--aws",
        "--http-api-id",
        ids["ws"].as_str().unwrap(),
    ]);
    assert_eq!(wrong.code, 2, "{}", wrong.stderr);
    assert!(wrong.stderr.contains("not an HTTP API"), "{}", wrong.stderr);
}

/// A Lambda integration that names its function through a stage variable
/// (`function:${stageVariables.fn}`, the console's advice being to add a permission for each
/// function by hand): live mode reads each stage's variables (get-stages) and judges each
/// stage's calls against the policy of the function that stage names, on moto: dev names
/// orders-dev (permitted), prod orders-prod (no permission: refused on prod only), and test
/// defines no `fn` (said, not checked).
#[test]
fn live_lint_resolves_functions_named_by_stage_variables() {
    let moto = Moto::start();
    let (_, j) = live_lint_of(
        &moto,
        r#"
dev = function('orders-dev')
function('orders-prod')
account = dev.split(':')[4]
api = apigw.create_rest_api(name='staged')['id']
root = apigw.get_resources(restApiId=api)['items'][0]['id']
r = apigw.create_resource(restApiId=api, parentId=root, pathPart='orders')['id']
apigw.put_method(restApiId=api, resourceId=r, httpMethod='GET', authorizationType='NONE')
apigw.put_integration(restApiId=api, resourceId=r, httpMethod='GET', type='AWS_PROXY', integrationHttpMethod='POST',
    uri='arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:' + account + ':function:${stageVariables.fn}/invocations')
apigw.create_deployment(restApiId=api, stageName='dev', variables={'fn': 'orders-dev'})
apigw.create_deployment(restApiId=api, stageName='prod', variables={'fn': 'orders-prod'})
apigw.create_deployment(restApiId=api, stageName='test')
lam.add_permission(FunctionName='orders-dev', StatementId='apigw', Action='lambda:InvokeFunction', Principal='apigateway.amazonaws.com',
    SourceArn='arn:aws:execute-api:us-east-1:' + account + ':' + api + '/*/GET/orders')
print(json.dumps([api]))
"#,
    );
    let missing = findings_with(&j, "lint.lambda-permission-missing");
    assert_eq!(missing.len(), 1, "{j}");
    assert!(
        missing[0]["evidence"]["function"]
            .as_str()
            .unwrap()
            .ends_with(":function:orders-prod"),
        "{}",
        missing[0]
    );
    assert_eq!(
        missing[0]["evidence"]["refused"],
        serde_json::json!(["prod GET /orders"])
    );
    let undefined = findings_with(&j, "lint.stage-variable-undefined");
    assert_eq!(undefined.len(), 1, "{j}");
    assert_eq!(undefined[0]["evidence"]["stage"], "test");
}

/// Live mode checks a WebSocket API's Lambda integrations against their functions' policies,
/// each route's call being `API_ID/STAGE/ROUTE_KEY`, on moto: `$connect`'s function has no
/// policy (refused, certain), `sendmessage`'s permits `API/*/sendmessage` (allowed, as the
/// console writes it), `$disconnect`'s names the API only in a REST form (refused, but not
/// certain: the WebSocket form is inferred); `$connect`'s Lambda authorizer has no policy
/// (refused, certain).
#[test]
fn live_lint_checks_websocket_routes_functions() {
    let moto = Moto::start();
    let ids = moto.setup(&(FUNCTIONS.to_string()
        + r#"
arns = {name: function(name) for name in ['on-connect', 'send', 'on-disconnect', 'ws-auth']}
account = arns['send'].split(':')[4]
ws = apigwv2.create_api(Name='chat', ProtocolType='WEBSOCKET', RouteSelectionExpression='$request.body.action')['ApiId']
def uri(name):
    return 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/' + arns[name] + '/invocations'
auth = apigwv2.create_authorizer(ApiId=ws, Name='ws-auth', AuthorizerType='REQUEST', AuthorizerUri=uri('ws-auth'),
    IdentitySource=['route.request.header.Auth'])['AuthorizerId']
def route(key, name, **extra):
    i = apigwv2.create_integration(ApiId=ws, IntegrationType='AWS_PROXY', IntegrationUri=uri(name))['IntegrationId']
    apigwv2.create_route(ApiId=ws, RouteKey=key, Target='integrations/' + i, **extra)
route('$connect', 'on-connect', AuthorizationType='CUSTOM', AuthorizerId=auth)
route('sendmessage', 'send')
route('$disconnect', 'on-disconnect')
apigwv2.create_stage(ApiId=ws, StageName='prod')
base = 'arn:aws:execute-api:us-east-1:' + account + ':' + ws
lam.add_permission(FunctionName='send', StatementId='apigw', Action='lambda:InvokeFunction', Principal='apigateway.amazonaws.com', SourceArn=base + '/*/sendmessage')
lam.add_permission(FunctionName='on-disconnect', StatementId='apigw', Action='lambda:InvokeFunction', Principal='apigateway.amazonaws.com', SourceArn=base + '/*/POST/disconnect')
print(json.dumps([ws]))
"#));
    let ws = ids[0].as_str().unwrap();
    let r = moto.run(&["-o", "json", "lint", "--aws", "--websocket-api-id", ws]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let j = r.one_json();
    let missing = findings_with(&j, "lint.lambda-permission-missing");
    let by = |function: &str| for_function(&missing, function);
    assert_eq!(missing.len(), 2, "{j}");
    let connect = by("on-connect").unwrap();
    assert_eq!(connect["severity"], "error");
    assert_eq!(connect["evidence"]["certain"], true);
    assert_eq!(
        connect["evidence"]["refused"],
        serde_json::json!(["prod $connect"])
    );
    assert!(
        connect["evidence"]["source_arn"]
            .as_str()
            .unwrap()
            .ends_with(&format!("{ws}/prod/$connect")),
        "{connect}"
    );
    assert!(connect["message"].as_str().unwrap().contains("[$connect]"));
    let disconnect = by("on-disconnect").unwrap();
    assert_eq!(disconnect["severity"], "warning");
    assert_eq!(disconnect["evidence"]["certain"], false);
    assert!(by("send").is_none(), "{j}");
    // $connect's Lambda authorizer, whose function has no policy: refused, certain.
    let auth = findings_with(&j, "lint.authorizer-permission-missing");
    assert_eq!(auth.len(), 1, "{j}");
    assert_eq!(auth[0]["evidence"]["authorizer"], "ws-auth");
    assert_eq!(auth[0]["evidence"]["certain"], true);
    assert!(
        auth[0]["evidence"]["source_arn"]
            .as_str()
            .unwrap()
            .contains(&format!("{ws}/authorizers/")),
        "{}",
        auth[0]
    );
}
