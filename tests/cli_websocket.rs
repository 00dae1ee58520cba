//! WebSocket APIs end to end: `lambda --api websocket` on function answers of the real shape,
//! `lint` on real templates (the AWS CDK's own snapshot, the AWS sample chat app) and on
//! hand-made broken ones, and `kb` on real pastes.
mod support;
use serde_json::Value;
use support::*;

/// `lambda --api websocket --route ROUTE [EXTRA...] -o json -` with `stdin`.
fn ws(route: &str, extra: &[&str], stdin: &str) -> Run {
    let mut args = vec!["lambda", "--api", "websocket", "--route", route];
    args.extend_from_slice(extra);
    args.extend(["-o", "json", "-"]);
    run_with_stdin(&args, stdin)
}

fn iac(name: &str) -> String {
    format!("{}/tests/iac/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn connect_answers_decide_the_handshake() {
    // The subprotocol example of the AWS documentation: 400 refuses, 200 with the header
    // accepts.
    let refused = run_with_stdin(
        &[
            "lambda",
            "--api",
            "websocket",
            "--route",
            "$connect",
            "-o",
            "json",
            "-",
        ],
        r#"{"statusCode": 400}"#,
    );
    assert_eq!(refused.code, 1, "{}", refused.stdout);
    let r = refused.one_json();
    assert_eq!(r["result"]["client"]["sees"], "refused");
    assert_eq!(r["result"]["client"]["status"], 400);
    assert_eq!(r["findings"][0]["code"], "websocket.connect-rejected");
    assert_eq!(r["findings"][0]["article"], "websocket-routes");

    let accepted = run_with_stdin(
        &[
            "lambda",
            "--api",
            "websocket",
            "--route",
            "$connect",
            "-o",
            "json",
            "-",
        ],
        r#"{"statusCode": 200, "headers": {"Sec-WebSocket-Protocol": "myprotocol"}}"#,
    );
    assert_eq!(accepted.code, 0, "{}", accepted.stdout);
    let a = accepted.one_json();
    assert_eq!(a["result"]["client"]["sees"], "connected");
    assert_eq!(
        a["result"]["client"]["headers"]["Sec-WebSocket-Protocol"],
        "myprotocol"
    );

    // A Node.js runtime's error object, as `aws lambda invoke` writes it, with the metadata
    // it prints.
    let dir = tempfile::tempdir().unwrap();
    let meta = dir.path().join("meta.json");
    std::fs::write(
        &meta,
        r#"{"StatusCode": 200, "FunctionError": "Unhandled", "ExecutedVersion": "$LATEST"}"#,
    )
    .unwrap();
    let failed = ws(
        "$connect",
        &["--invoke-meta", meta.to_str().unwrap()],
        r#"{"errorType":"TypeError","errorMessage":"Cannot read properties of undefined (reading 'connectionId')","trace":["TypeError: Cannot read properties of undefined (reading 'connectionId')","    at Runtime.handler (file:///var/task/index.mjs:4:45)"]}"#,
    );
    assert_eq!(failed.code, 1);
    let f = failed.one_json();
    assert_eq!(f["result"]["client"]["sees"], "refused");
    assert_eq!(f["result"]["client"]["status"], 502);
    assert_eq!(f["result"]["client"]["certain"], false);
}

#[test]
fn other_routes_answer_only_when_two_way() {
    let out = r#"{"statusCode": 200, "body": "{\"echo\":\"hi\"}"}"#;
    let one_way = run_with_stdin(
        &[
            "lambda",
            "--api",
            "websocket",
            "--route",
            "sendmessage",
            "-o",
            "json",
            "-",
        ],
        out,
    );
    assert_eq!(one_way.code, 0);
    let j = one_way.one_json();
    assert_eq!(j["result"]["client"]["sees"], "nothing");
    assert_eq!(j["findings"][0]["code"], "websocket.one-way-route");
    let two_way = run_with_stdin(
        &[
            "lambda",
            "--api",
            "websocket",
            "--route",
            "sendmessage",
            "--two-way",
            "-o",
            "json",
            "-",
        ],
        out,
    );
    let j = two_way.one_json();
    assert_eq!(j["result"]["client"]["data"], r#"{"echo":"hi"}"#);
    // A function error reaches the client even on a one-way route.
    let failed = ws(
        "sendmessage",
        &["--function-error", "Unhandled"],
        r#"{"errorType":"Error","errorMessage":"boom"}"#,
    );
    assert_eq!(failed.code, 1);
    let j = failed.one_json();
    assert!(
        j["result"]["client"]["data"]
            .as_str()
            .unwrap()
            .contains("Internal server error")
    );
    // Flags of one API kind on another are usage errors.
    let bad = run_with_stdin(&["lambda", "--two-way", "-"], "{}");
    assert_usage_error(&bad, "--api websocket");
    let bad = run_with_stdin(&["lambda", "--api", "websocket", "-"], "{not json");
    assert_usage_error(&bad, "<stdin>:1:2");
}

#[test]
fn the_cdk_mock_snapshot_lacks_the_integration_response_its_two_way_route_needs() {
    let run = run(&[
        "lint",
        &iac("cdk-websocket-mock.template.json"),
        "-o",
        "json",
    ]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let r = run.one_json();
    assert_eq!(r["result"]["api"], "websocket");
    assert_eq!(r["result"]["routes"].as_array().unwrap().len(), 2);
    let codes = codes_of(&r);
    assert_eq!(
        codes.into_iter().collect::<Vec<_>>(),
        vec!["websocket.no-default-integration-response"]
    );
    let f = &findings_with(&r, "websocket.no-default-integration-response")[0];
    assert_eq!(
        f["evidence"]["location"],
        "$.Resources.mywsapisendmessageRouteDefaultIntegration702159AD"
    );
    // The line of the integration's resource in the file.
    let text = std::fs::read_to_string(iac("cdk-websocket-mock.template.json")).unwrap();
    let line = text
        .lines()
        .position(|l| l.contains("\"mywsapisendmessageRouteDefaultIntegration702159AD\": {"))
        .unwrap()
        + 1;
    assert_eq!(f["evidence"]["line"], line as u64);
}

#[test]
fn the_sample_chat_app_routes_unknown_messages_nowhere() {
    let run = run(&[
        "lint",
        &iac("simple-websockets-chat-app.yaml"),
        "-o",
        "json",
    ]);
    // A warning only: exit 0 unless --fail-on warning.
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let r = run.one_json();
    let keys: Vec<&str> = r["result"]["routes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, vec!["$connect", "$disconnect", "sendmessage"]);
    assert_eq!(
        codes_of(&r).into_iter().collect::<Vec<_>>(),
        vec!["websocket.no-default-route"]
    );
    let strict = support::run(&[
        "lint",
        &iac("simple-websockets-chat-app.yaml"),
        "--fail-on",
        "warning",
    ]);
    assert_eq!(strict.code, 1);
}

#[test]
fn broken_websocket_definitions_get_each_finding() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ws.yaml");
    std::fs::write(
        &path,
        r#"AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Chat:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: chat
      ProtocolType: WEBSOCKET
      RouteSelectionExpression: request.body.action
  Connect:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Chat
      RouteKey: $connect
  Join:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Chat
      RouteKey: join
      AuthorizationType: CUSTOM
      RouteResponseSelectionExpression: $default
      Target: !Sub integrations/${JoinIntegration}
  Ping:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Chat
      RouteKey: $ping
      Target: !Join ['/', ['integrations', !Ref JoinIntegration]]
  JoinIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Chat
      IntegrationType: HTTP
      IntegrationUri: https://backend.example.com/join
"#,
    )
    .unwrap();
    let run = run(&["lint", path.to_str().unwrap(), "-o", "json"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let r = run.one_json();
    let codes = codes_of(&r);
    for c in [
        "websocket.route-selection-static",
        "websocket.no-default-route",
        "websocket.route-without-integration",
        "websocket.authorization-not-on-connect",
        "websocket.route-response-incomplete",
        "websocket.reserved-route-key",
    ] {
        assert!(codes.contains(c), "{c} missing: {r:#}");
    }
    let stat = &findings_with(&r, "websocket.route-selection-static")[0];
    assert!(
        stat["message"]
            .as_str()
            .unwrap()
            .contains("a missing $: $request.body.action"),
        "{stat}"
    );
    let unconnected = &findings_with(&r, "websocket.route-without-integration")[0];
    assert_eq!(unconnected["evidence"]["location"], "$.Resources.Connect");
    assert_eq!(unconnected["evidence"]["line"], 9);
}

#[test]
fn websocket_pastes_find_their_articles() {
    for (paste, article) in [
        (
            "An error occurred (GoneException) when calling the PostToConnection operation: ",
            "websocket-connections",
        ),
        (
            "wscat -c wss://abc123.execute-api.us-east-1.amazonaws.com/dev\nerror: Unexpected server response: 502",
            "websocket-routes",
        ),
    ] {
        let run = run(&["kb", "search", "-o", "json", paste]);
        let j: Value = serde_json::from_str(run.stdout.lines().next().unwrap()).unwrap();
        assert_eq!(j["result"]["hits"][0]["id"], article, "{paste}: {j}");
        assert_eq!(j["result"]["confident"], true, "{paste}: {j}");
    }
}

/// `probe` against a loopback WebSocket API: `--resolve` maps the API's name to it.
fn probe_ws(scheme: &str, addr: std::net::SocketAddr, path: &str, extra: &[&str]) -> Run {
    let url = format!("{scheme}://ws.example.com:{}{path}", addr.port());
    let resolve = format!("ws.example.com:{}:127.0.0.1", addr.port());
    let mut args = vec![
        "probe",
        url.as_str(),
        "--resolve",
        resolve.as_str(),
        "--timeout",
        "2s",
    ];
    args.extend_from_slice(extra);
    args.extend(["-o", "json"]);
    support::run(&args)
}

#[test]
fn probe_opens_a_websocket_and_reads_the_answer() {
    let api = support::net::websocket_api(None);
    // Upgraded, then a two-way route echoes.
    let r = probe_ws(
        "ws",
        api,
        "/dev",
        &[
            "-H",
            "Authorization: allow",
            "-d",
            r#"{"action":"echo","text":"hi"}"#,
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let j = r.one_json();
    assert_eq!(j["result"]["status"], 101);
    assert_eq!(j["result"]["answer"], r#"{"action":"echo","text":"hi"}"#);
    // A key no route has: API Gateway's Forbidden message.
    let r = probe_ws(
        "ws",
        api,
        "/dev",
        &["-H", "Authorization: allow", "-d", r#"{"action":"nope"}"#],
    );
    assert_eq!(r.code, 1);
    assert!(codes_of(&r.one_json()).contains("websocket.no-route"));
    let r = probe_ws(
        "ws",
        api,
        "/dev",
        &["-H", "Authorization: allow", "-d", r#"{"action":"fail"}"#],
    );
    assert!(codes_of(&r.one_json()).contains("websocket.route-failed"));
    // A one-way route: nothing back within the timeout; said, uncertain.
    let r = probe_ws(
        "ws",
        api,
        "/dev",
        &[
            "-H",
            "Authorization: allow",
            "-d",
            r#"{"action":"silent"}"#,
            "--timeout",
            "1s",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    let j = r.one_json();
    assert_eq!(j["findings"][0]["code"], "websocket.no-answer");
    assert!(j["result"]["answer"].is_null());
}

#[test]
fn probe_reports_refused_upgrades_with_their_status_and_body() {
    let api = support::net::websocket_api(None);
    let r = probe_ws("ws", api, "/dev", &[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let j = r.one_json();
    assert_eq!(j["result"]["status"], 401);
    assert_eq!(j["result"]["body"], r#"{"message":"Unauthorized"}"#);
    let f = &findings_with(&j, "websocket.upgrade-refused")[0];
    assert!(f["message"].as_str().unwrap().contains("authorizer"), "{f}");
    // No stage in the URL.
    let r = probe_ws("ws", api, "/", &["-H", "Authorization: allow"]);
    let j = r.one_json();
    assert_eq!(j["result"]["status"], 403);
    assert!(
        findings_with(&j, "websocket.upgrade-refused")[0]["message"]
            .as_str()
            .unwrap()
            .contains("names no stage")
    );
    // Human output, like wscat and curl -v together.
    let url = format!("ws://ws.example.com:{}/dev", api.port());
    let resolve = format!("ws.example.com:{}:127.0.0.1", api.port());
    let human = support::run(&["probe", &url, "--resolve", &resolve]);
    assert!(
        human.stdout.contains("< HTTP 401 Unauthorized"),
        "{}",
        human.stdout
    );
}

#[test]
fn probe_speaks_wss_with_the_certificate_checked() {
    let pki = support::net::Pki::new();
    let dir = tempfile::tempdir().unwrap();
    let ca = pki.ca_file(dir.path());
    let api = support::net::websocket_api(Some(pki.leaf(&["ws.example.com"], 365, true)));
    let r = probe_ws(
        "wss",
        api,
        "/dev",
        &[
            "--ca-file",
            &ca,
            "-H",
            "Authorization: allow",
            "-d",
            r#"{"action":"echo"}"#,
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.one_json()["result"]["answer"], r#"{"action":"echo"}"#);
    // Without the test CA the certificate is not trusted: the failure is explained.
    let r = probe_ws("wss", api, "/dev", &["-H", "Authorization: allow"]);
    assert_eq!(r.code, 1);
    let codes = codes_of(&r.one_json());
    assert!(codes.contains("probe.request-failed"), "{codes:?}");
    assert!(codes.contains("domain.certificate-untrusted"), "{codes:?}");
    // A server that never answers the upgrade: bounded by --timeout.
    let silent = support::net::stalling_server();
    let r = probe_ws("ws", silent, "/dev", &["--timeout", "1s"]);
    assert_eq!(r.code, 1);
    assert!(
        r.one_json()["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("no answer to the upgrade")
    );
}

#[test]
fn terraform_websocket_apis_are_linted_at_their_resources() {
    let path = iac("terraform/websocket-state.json");
    let r = support::run(&["lint", &path, "-o", "json"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let j = r.one_json();
    assert_eq!(j["result"]["name"], "chat");
    let f = &findings_with(&j, "websocket.no-default-integration-response")[0];
    assert_eq!(
        f["evidence"]["location"],
        "$.values.root_module.resources[2]"
    );
    assert_eq!(
        f["evidence"]["integration"],
        "aws_apigatewayv2_integration.echo"
    );
    // With the integration response Terraform would add, that finding is gone.
    let mut state: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    state["values"]["root_module"]["resources"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "address": "aws_apigatewayv2_integration_response.echo",
            "mode": "managed",
            "type": "aws_apigatewayv2_integration_response",
            "name": "echo",
            "values": {"id": "ir0001", "api_id": "w5ck3t9z1a", "integration_id": "ech0mck",
                       "integration_response_key": "$default"}
        }));
    let dir = tempfile::tempdir().unwrap();
    let fixed = dir.path().join("state.json");
    std::fs::write(&fixed, state.to_string()).unwrap();
    let r = support::run(&["lint", fixed.to_str().unwrap(), "-o", "json"]);
    let j = r.one_json();
    assert!(
        !codes_of(&j).contains("websocket.no-default-integration-response"),
        "{j}"
    );
}

/// aws-samples/serverless-patterns apigw-websocket-api-sns (verbatim): $connect's MOCK
/// integration answers 200 and its one integration response has the key /200/, which selects
/// it, so no $default is needed (before: an error, "needs one as the catch-all"). A key that
/// selects no 200 is still an error.
#[test]
fn a_regex_integration_response_that_selects_the_answer_is_enough() {
    let path = iac("websocket-mock-connect-200.yaml");
    let r = run(&["lint", &path, "-o", "json"]);
    let j = r.one_json();
    assert!(
        findings_with(&j, "websocket.no-default-integration-response").is_empty(),
        "{j}"
    );
    let dir = tempfile::tempdir().unwrap();
    let wrong = dir.path().join("template.yaml");
    std::fs::write(
        &wrong,
        std::fs::read_to_string(&path).unwrap().replacen(
            "IntegrationResponseKey: /200/",
            "IntegrationResponseKey: /4\\d\\d/",
            1,
        ),
    )
    .unwrap();
    let j = run(&["lint", wrong.to_str().unwrap(), "-o", "json"]).one_json();
    let f = findings_with(&j, "websocket.no-default-integration-response");
    assert_eq!(f.len(), 1, "{j}");
    assert_eq!(f[0]["severity"], "error");
    assert_eq!(f[0]["evidence"]["integration"], "ConnectRouteIntegration");
}
