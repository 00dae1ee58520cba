//! `apigw-doctor template` end to end: each fact of the mapping-template spec marked [AWS] or
//! [rec] (../shared/specs/mapping-templates.md), through the binary.
mod support;
use serde_json::{Value, json};
use std::io::Write;
use support::*;

const SEED_TEMPLATE: &str = "examples/template/seed-response.vtl";
const SEED_OUTPUT: &str = "examples/template/seed-lambda-output.json";
const SEED_INTEGRATION: &str = "examples/template/seed-get-integration.json";

/// Renders `template` with `body` (and extra flags); the JSON report.
fn render(template: &str, body: Option<&str>, extra: &[&str]) -> (Value, i32) {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t.vtl");
    std::fs::write(&t, template).unwrap();
    let mut args = vec!["-o", "json", "template", t.to_str().unwrap()];
    let b = dir.path().join("body");
    if let Some(body) = body {
        std::fs::File::create(&b)
            .unwrap()
            .write_all(body.as_bytes())
            .unwrap();
        args.extend(["--body", b.to_str().unwrap()]);
    }
    args.extend(extra);
    let r = run(&args);
    assert!(r.code < 2, "{}", r.stderr);
    (r.one_json(), r.code)
}

fn output(j: &Value) -> &str {
    j["result"]["output"]
        .as_str()
        .unwrap_or_else(|| panic!("{j}"))
}

fn has(j: &Value, code: &str) -> Value {
    j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == code)
        .cloned()
        .unwrap_or_else(|| panic!("no {code} in {j}"))
}

#[test]
fn the_seed_template_turns_customerror_into_400() {
    let r = run(&[
        "-o",
        "json",
        "template",
        SEED_TEMPLATE,
        "--body",
        SEED_OUTPUT,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.one_json();
    // $input.json("$") followed by one newline; the #if lines leave nothing.
    assert_eq!(
        output(&j),
        "{\"statusCode\":200,\"body\":\"customerror\"}\n"
    );
    assert_eq!(j["result"]["overrides"]["status"], 400);
    assert_eq!(j["result"]["error"], Value::Null);
    // Human view: body, then the override.
    let h = run(&["template", SEED_TEMPLATE, "--body", SEED_OUTPUT]);
    assert!(h.stdout.contains("override: status 400"), "{}", h.stdout);
}

#[test]
fn input_path_values_print_as_api_gateway_prints_them() {
    let body = r#"{"statusCode": 200, "body": "customerror", "foo": [{"nested": "bar"}], "price": 1.99, "n": 3, "none": null}"#;
    let (j, _) = render(
        "$input.path('$')|$input.path('$.foo')|$input.path('$.price')|$input.path('$.n')|$input.path('$.foo[0].nested')|$input.path('$.missing')|$input.path('$.none')|$input.path('$.foo').size()",
        Some(body),
        &[],
    );
    assert_eq!(
        output(&j),
        r#"{statusCode=200, body=customerror, foo=[{"nested":"bar"}], price=1.99, n=3, none=null}|[{"nested":"bar"}]|1.99|3|bar|||1"#
    );
    let (j, _) = render(
        r#"{"x": $input.json('$.foo'), "m": $input.json('$.missing'), "s": $input.json('$.body')}"#,
        Some(body),
        &[],
    );
    assert_eq!(
        output(&j),
        r#"{"x": [{"nested":"bar"}], "m": "", "s": "customerror"}"#
    );
    // An empty body reads as {}; ${i} interpolates in a path.
    let (j, _) = render(
        "[$input.json('$')]#set($i = 1)[$input.path(\"$.a[${i}]\")]",
        Some(""),
        &[],
    );
    assert_eq!(output(&j), "[{}][]");
    let (j, _) = render(
        "#set($i = 1)$input.path(\"$.a[${i}]\")",
        Some(r#"{"a": [5, 6]}"#),
        &[],
    );
    assert_eq!(output(&j), "6");
    // $input.body keeps the text as sent.
    let (j, _) = render("$input.body", Some("{ \"a\" :  1 }"), &[]);
    assert_eq!(output(&j), "{ \"a\" :  1 }");
}

#[test]
fn undefined_is_empty_when_rendered_and_when_compared() {
    let (j, code) = render(
        "[$missing][$stageVariables.missing][$input.path('$').missing][\"$missing\"]#if($missing == \"\")A#end#if($missing != '')B#end#if($missing == $null)C#end[$util.urlEncode($missing)][$context.identity]",
        Some("{}"),
        &[],
    );
    assert_eq!(code, 0);
    assert_eq!(output(&j), "[][][][\"\"]AC[][]");
    let f = has(&j, "template.undefined-reference");
    assert_eq!(f["severity"], "info");
    assert_eq!(f["evidence"]["line"], 1);
}

#[test]
fn params_util_context_and_stage_variables() {
    let (j, _) = render(
        "$input.params('id')|$input.params('q')|$input.params('X-Trace')|$input.params('nope')|$input.params().header.get('X-Trace')|$stageVariables.env|$stageVariables['env']|$context.stage|$context.requestId.length()|$context.authorizer.claims",
        Some("{}"),
        &[
            "--path",
            "id=42",
            "--querystring",
            "q=a b",
            "--header",
            "X-Trace=t-1",
            "--stage-variable",
            "env=prod",
        ],
    );
    assert_eq!(output(&j), "42|a b|t-1||t-1|prod|prod|prod|36|");
    let (j, _) = render(
        "$util.escapeJavaScript($input.body)|$util.urlEncode('a b&c/é')|$util.urlDecode('a+b%26c')|$util.base64Encode('hello')|$util.base64Decode('aGVsbG8=')|$util.noSuchFunction('x')|$util.parseJson('{\"a\":[1,2]}').a",
        Some("it's \"q\"\n"),
        &["--content-type", "text/plain"],
    );
    assert_eq!(
        output(&j),
        r#"it\'s \"q\"\n|a+b%26c%2F%C3%A9|a b&c|aGVsbG8=|hello||[1,2]"#
    );
}

#[test]
fn context_file_and_request_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = dir.path().join("ctx.json");
    std::fs::write(
        &ctx,
        r#"{"stage": "beta", "authorizer": {"principalId": "u-1"}, "responseOverride": {"status": 202}}"#,
    )
    .unwrap();
    let (j, _) = render(
        "$context.stage $context.authorizer.principalId $context.responseOverride.status\n#set($context.requestOverride.header.X-Multi = [\"a\", \"b\"])\n#set($context.requestOverride.querystring.page = \"2\")\n#set($context.responseOverride.header.Cache-Control = \"no-store\")\n",
        None,
        &[
            "--phase",
            "request",
            "--context",
            ctx.to_str().unwrap(),
            "--content-type",
            "text/plain",
        ],
    );
    assert_eq!(output(&j), "beta u-1 202\n");
    let o = &j["result"]["overrides"];
    assert_eq!(
        o["status"], 202,
        "an earlier request template's override is kept: {o}"
    );
    assert_eq!(o["request"]["header"]["X-Multi"], json!(["a", "b"]));
    assert_eq!(o["request"]["querystring"]["page"], "2");
    assert_eq!(o["header"]["Cache-Control"], "no-store");
}

#[test]
fn assignment_forms_that_work_on_aws() {
    let (j, _) = render(
        "#set($m = {})#set($k = \"a\")#set($m[$k] = 1)#set($ignore = $m.put(\"b\", 2))$m #set($context.responseOverride.header[\"X-Id\"] = \"7\")",
        None,
        &["--content-type", "text/plain"],
    );
    // (The space between a reference and #set belongs to the #set: Velocity 1.7.)
    assert_eq!(output(&j), "{a=1, b=2}");
    assert_eq!(j["result"]["overrides"]["header"]["X-Id"], "7");
}

#[test]
fn binary_bodies_reaching_a_template_are_500() {
    let dir = tempfile::tempdir().unwrap();
    let body = dir.path().join("image.png");
    std::fs::write(&body, b"\x89PNG\r\n\x1a\n\xff\xfe").unwrap();
    let r = run(&[
        "-o",
        "json",
        "template",
        "examples/template/seed-response.vtl",
        "--body",
        body.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let j = r.one_json();
    assert_eq!(j["result"]["error"]["client_status"], 500);
    has(&j, "template.runtime-error");
}

#[test]
fn errors_are_what_the_client_gets() {
    // A body that is not JSON under $input.json: 400.
    let (j, code) = render("$input.json('$')", Some("not json"), &[]);
    assert_eq!(code, 1);
    assert_eq!(j["result"]["output"], Value::Null);
    assert_eq!(j["result"]["error"]["client_status"], 400);
    assert!(
        j["result"]["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Could not parse request body into json")
    );
    has(&j, "template.body-not-json");
    // $input.body alone renders any text.
    let (j, _) = render(
        "$input.body",
        Some("not json"),
        &["--content-type", "text/plain"],
    );
    assert_eq!(output(&j), "not json");
    // A syntax error: 500, with line and column.
    let (j, code) = render("ok\n#if($a == 1)\nno end\n", None, &[]);
    assert_eq!(code, 1);
    assert_eq!(j["result"]["error"]["client_status"], 500);
    assert_eq!(j["result"]["error"]["message"], "Internal server error");
    let f = has(&j, "template.syntax-error");
    assert_eq!(f["evidence"]["line"], 2);
    // A Java exception while rendering: 500.
    let (j, _) = render("$util.parseJson('{oops')", None, &[]);
    assert_eq!(j["result"]["error"]["client_status"], 500);
    has(&j, "template.runtime-error");
}

#[test]
fn pitfalls_are_findings() {
    // escapeJavaScript inside a JSON string: \' is not JSON.
    let (j, _) = render(
        "{\"name\": \"$util.escapeJavaScript($input.path('$.name'))\"}",
        Some(r#"{"name": "O'Brien"}"#),
        &[],
    );
    assert_eq!(output(&j), r#"{"name": "O\'Brien"}"#);
    has(&j, "template.escape-javascript-in-json");
    // contains() on a Map's text matches keys.
    let (j, _) = render(
        "#if($input.path('$').contains('customerror'))yes#end",
        Some(r#"{"customerror": false}"#),
        &["--content-type", "text/plain"],
    );
    assert_eq!(output(&j), "yes");
    has(&j, "template.contains-on-map");
    // A hyphen after a reference belongs to the name.
    let (j, _) = render(
        "#set($e = {\"key\": \"v\"})$e.key->x ${e.key}->x",
        None,
        &["--content-type", "text/plain"],
    );
    assert_eq!(output(&j), ">x v->x");
    has(&j, "template.hyphen-in-reference");
    assert_eq!(
        j["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["code"] == "template.hyphen-in-reference")
            .unwrap()["severity"],
        "warning"
    );
    // A hyphen joining two words of a property reads a key that has one, which is what a
    // body's "partition-key" needs (aws-samples/serverless-patterns apigw-kinesis): a note,
    // not a warning.
    let (j, _) = render(
        "#foreach($elem in $input.path('$.records'))$elem.partition-key#end",
        Some(r#"{"records": [{"partition-key": "p1"}]}"#),
        &["--content-type", "text/plain"],
    );
    assert_eq!(output(&j), "p1");
    let note = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "template.hyphen-in-reference")
        .unwrap();
    assert_eq!(note["severity"], "info", "{note}");
    // The same override set twice.
    let (j, code) = render(
        "#set($context.responseOverride.status = 400)\n#set($context.responseOverride.status = 404)\n",
        None,
        &[],
    );
    assert_eq!(code, 1);
    let f = has(&j, "template.override-twice");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["evidence"]["certain"], false);
    assert_eq!(j["result"]["overrides"]["status"], 404);
    // Output that is not JSON for a JSON content type.
    let (j, _) = render("{\"a\": $input.path('$.missing')}", Some("{}"), &[]);
    has(&j, "template.output-not-json");
    // #foreach stops at 1000.
    let (j, _) = render(
        "#foreach($i in [1..1500])x#end",
        None,
        &["--content-type", "text/plain"],
    );
    assert_eq!(output(&j).len(), 1000);
    has(&j, "template.foreach-limit");
}

#[test]
fn directives_not_emulated_say_so_instead_of_claiming_500() {
    let (j, code) = render("#macro(greet $n)hi $n#end#greet('x')", None, &[]);
    assert_eq!(code, 0);
    let f = has(&j, "template.not-emulated");
    assert_eq!(f["evidence"]["certain"], false);
    assert_eq!(j["result"]["output"], Value::Null);
    assert_eq!(j["result"]["error"], Value::Null);
}

#[test]
fn runaway_templates_end_in_a_finding() {
    let (j, code) = render(
        "#foreach($a in [1..1000])#foreach($b in [1..1000])#foreach($c in [1..1000])xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx#end#end#end",
        None,
        &["--content-type", "text/plain"],
    );
    assert_eq!(code, 1);
    has(&j, "template.runaway");
    assert_eq!(j["result"]["error"]["client_status"], 500);
}

#[test]
fn bad_usage_is_one_line_and_exit_2() {
    let r = run_with_stdin(&["template", "-", "--body", "-"], "x");
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("cannot both be -"), "{}", r.stderr);
    let r = run(&["template", "/no/such/file.vtl"]);
    assert_eq!(r.code, 2);
    let r = run(&["template", "x.vtl", "--path", "noequals"]);
    assert_eq!(r.code, 2);
    let r = run_with_stdin(
        &[
            "template",
            "-",
            "--context",
            "examples/lambda/outputs.jsonl",
        ],
        "x",
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
}

#[test]
fn selection_renders_the_whole_non_proxy_response() {
    // The seed: a Lambda returning statusCode 200 with body "customerror" through the seed
    // template reaches the client as 400.
    let r = run(&[
        "-o",
        "json",
        "selection",
        "--integration",
        SEED_INTEGRATION,
        "--lambda-output",
        SEED_OUTPUT,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.one_json();
    assert_eq!(j["result"]["selected"]["status"], "200");
    assert_eq!(j["result"]["client_status"], 400);
    assert_eq!(
        j["result"]["client_body"],
        "{\"statusCode\":200,\"body\":\"customerror\"}\n"
    );
    assert_eq!(
        j["result"]["template"],
        "$.integrationResponses['200'].responseTemplates['application/json']"
    );
    let h = run(&[
        "selection",
        "--integration",
        SEED_INTEGRATION,
        "--lambda-output",
        SEED_OUTPUT,
    ]);
    assert!(h.stdout.contains("client gets 400"), "{}", h.stdout);
}

#[test]
fn selection_chooses_the_template_by_accept_and_maps_headers() {
    let dir = tempfile::tempdir().unwrap();
    let integration = dir.path().join("get-method.json");
    std::fs::write(
        &integration,
        r##"{
  "httpMethod": "GET",
  "authorizationType": "NONE",
  "methodResponses": {"200": {"statusCode": "200"}, "404": {"statusCode": "404"}},
  "methodIntegration": {
    "type": "HTTP",
    "httpMethod": "GET",
    "uri": "https://backend.example.com/items",
    "integrationResponses": {
      "200": {
        "statusCode": "200",
        "responseParameters": {
          "method.response.header.X-Request-Id": "integration.response.header.x-request-id",
          "method.response.header.Cache-Control": "'max-age=60'",
          "method.response.header.X-Count": "integration.response.body.count"
        },
        "responseTemplates": {
          "application/json": "{\"items\": $input.json('$.items')}",
          "application/xml": "<items>#foreach($i in $input.path('$.items'))<item>$i</item>#end</items>"
        }
      },
      "404": {
        "statusCode": "404",
        "selectionPattern": "404",
        "responseTemplates": {"application/json": "#set($context.responseOverride.status = 410)\n{\"gone\": true}"}
      },
      "500": {"statusCode": "500", "selectionPattern": "5\\d{2}"}
    }
  }
}"##,
    )
    .unwrap();
    let body = dir.path().join("body.json");
    std::fs::write(&body, r#"{"items": ["a", "b"], "count": 2}"#).unwrap();
    let run_with = |status: &str, accept: &str| {
        let r = run(&[
            "-o",
            "json",
            "selection",
            "--integration",
            integration.to_str().unwrap(),
            "--status",
            status,
            "--backend-body",
            body.to_str().unwrap(),
            "--backend-header",
            "X-Request-Id: r-123",
            "--accept",
            accept,
        ]);
        assert!(r.code < 2, "{}", r.stderr);
        r.one_json()
    };
    let j = run_with("200", "application/json");
    assert_eq!(j["result"]["client_status"], 200);
    assert_eq!(j["result"]["client_body"], r#"{"items": ["a","b"]}"#);
    assert_eq!(j["result"]["client_headers"]["X-Request-Id"], "r-123");
    assert_eq!(j["result"]["client_headers"]["Cache-Control"], "max-age=60");
    assert_eq!(j["result"]["client_headers"]["X-Count"], "2");
    let j = run_with("200", "application/xml, */*;q=0.8");
    assert_eq!(
        j["result"]["client_body"],
        "<items><item>a</item><item>b</item></items>"
    );
    // No template for the Accept type: the application/json one.
    let j = run_with("200", "text/html");
    assert_eq!(j["result"]["client_body"], r#"{"items": ["a","b"]}"#);
    // The override wins over the selected response, without a method response for 410.
    let j = run_with("404", "application/json");
    assert_eq!(j["result"]["selected"]["status"], "404");
    assert_eq!(j["result"]["client_status"], 410);
    // A selected response with no method response: 500.
    let j = run_with("503", "application/json");
    assert_eq!(j["result"]["client_status"], 500);
    assert!(
        codes_of(&j).contains("lint.response-without-method-response"),
        "{j}"
    );
    // A template that cannot parse the body: 400 with API Gateway's message.
    std::fs::write(&body, "not json").unwrap();
    let j = run_with("200", "application/json");
    assert_eq!(j["result"]["client_status"], 400);
    assert!(codes_of(&j).contains("template.body-not-json"));
}

#[test]
fn http_api_response_parameter_mapping() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.json");
    std::fs::write(
        &out,
        r#"{"statusCode": 500, "headers": {"content-type": "application/json", "x-debug": "1"}, "body": "{\"error\": {\"code\": \"E42\"}}"}"#,
    )
    .unwrap();
    let r = run(&[
        "-o",
        "json",
        "selection",
        "--integration",
        "examples/selection/http-api-get-integration.json",
        "--lambda-output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.one_json();
    let res = &j["result"];
    assert_eq!(res["integration"], "http-api");
    assert_eq!(res["backend_status"], 500);
    assert_eq!(res["mapping"], "500");
    assert_eq!(res["client_status"], 403);
    let headers: Vec<(String, String)> =
        serde_json::from_value(res["client_headers"].clone()).unwrap();
    let header = |n: &str| headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    assert_eq!(
        header("h1").as_deref(),
        Some("c6af9ac6-7b61-11e6-9a41-93e8deadbeef")
    );
    assert_eq!(header("x-backend-error").as_deref(), Some("E42"));
    assert_eq!(header("x-debug").as_deref(), Some("1"));
    // camelCase (SDKs), --status with backend headers; a reserved header is refused.
    let camel = dir.path().join("camel.json");
    std::fs::write(
        &camel,
        r#"{"integrationType": "HTTP_PROXY", "integrationUri": "https://backend.example.com", "payloadFormatVersion": "1.0",
           "responseParameters": {"404": {"remove:header.x-debug": "''", "append:header.x-trace": "$response.header.x-req,${stageVariables.env}", "overwrite:header.Content-Length": "0"}}}"#,
    )
    .unwrap();
    let r = run(&[
        "-o",
        "json",
        "selection",
        "--integration",
        camel.to_str().unwrap(),
        "--status",
        "404",
        "--backend-header",
        "x-debug: 1",
        "--backend-header",
        "x-req: abc",
        "--stage-variable",
        "env=prod",
    ]);
    assert_eq!(r.code, 1);
    let j = r.one_json();
    assert_eq!(j["result"]["client_status"], 404);
    assert_eq!(
        j["result"]["client_headers"],
        json!([["x-req", "abc"], ["x-trace", "abc,prod"]])
    );
    let f = has(&j, "lint.http-response-mapping-invalid");
    assert_eq!(f["evidence"]["header"], "Content-Length");
    // A status without a mapping changes nothing.
    let r = run(&[
        "-o",
        "json",
        "selection",
        "--integration",
        camel.to_str().unwrap(),
        "--status",
        "200",
    ]);
    let j = r.one_json();
    assert_eq!(j["result"]["mapping"], Value::Null);
    assert_eq!(j["result"]["client_status"], 200);
    // Without --status or --lambda-output: one line, exit 2.
    let r = run(&["selection", "--integration", camel.to_str().unwrap()]);
    assert_eq!(r.code, 2);
}

#[test]
fn lint_parses_every_template_and_finds_415s() {
    let export = r##"{"openapi": "3.0.1", "paths": {"/orders": {"post": {
        "responses": {"200": {"description": "ok"}},
        "x-amazon-apigateway-integration": {
          "type": "aws", "httpMethod": "POST",
          "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:111122223333:function:orders/invocations",
          "passthroughBehavior": "when_no_templates",
          "requestTemplates": {"application/json": "{\"id\": \"$input.params('id')\", \"tag\": \"$input.path('$.tag')-x\"}"},
          "responses": {"default": {"statusCode": "200",
            "responseTemplates": {"application/json": "#if($input.path('$.ok')\n{}\n#end"}}}
        }}}}}"##;
    let r = run_with_stdin(&["-o", "json", "lint", "-"], export);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let j = r.one_json();
    let syntax = has(&j, "template.syntax-error");
    assert_eq!(
        syntax["evidence"]["location"],
        "$.paths['/orders'].post.x-amazon-apigateway-integration.responses['default'].responseTemplates['application/json']"
    );
    assert_eq!(syntax["evidence"]["template_line"], 2);
    let f415 = has(&j, "template.no-template-415");
    assert!(
        f415["message"]
            .as_str()
            .unwrap()
            .contains("only application/json")
    );
}

#[test]
fn hostile_nesting_is_a_syntax_error_not_a_crash() {
    for template in [
        format!("#set($a = {}1{})", "(".repeat(100_000), ")".repeat(100_000)),
        "#if(true)".repeat(20_000),
        format!("#set($a = {}1{})", "[".repeat(50_000), "]".repeat(50_000)),
        format!("$a.b({})", "$a.b(".repeat(30_000)),
    ] {
        let start = std::time::Instant::now();
        let r = run_with_stdin(&["-o", "json", "template", "-"], template);
        assert_eq!(r.code, 1, "{}", r.stderr);
        assert!(start.elapsed().as_secs() < 30);
        let j = r.one_json();
        assert!(codes_of(&j).contains("template.syntax-error"), "{j}");
    }
}

/// A string built in a loop, 160,000 appends (a loop of 1,000, API Gateway's #foreach quota,
/// in a loop of 160): each append copies only what it adds, so the command's evaluation
/// budget (which counts bytes copied) is far from spent, where copying the whole string each
/// time (12.8 GB in all) ran it out.
#[test]
fn a_string_built_in_a_loop_grows_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("grow.vtl");
    std::fs::write(
        &template,
        "#set($s = \"\")\n#foreach($j in [1..160])\n#foreach($i in [1..1000])\n#set($s = \"${s}x\")\n#end\n#end\n#set($t = $s)\n#set($s = \"${s}y\")\n[$t.length(), $s.length()]\n",
    )
    .unwrap();
    let r = run(&["-o", "json", "template", template.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let j = r.one_json();
    assert!(j["findings"].as_array().unwrap().is_empty(), "{j}");
    // A copy taken before an append keeps its value.
    assert_eq!(j["result"]["output"], "[160000, 160001]\n");
}

#[test]
fn string_methods_in_a_loop_use_each_pattern_as_written() {
    // Two patterns alternating in one loop (each compiled once per rendering, kept apart),
    // then more distinct patterns than a rendering keeps compiled: every call is still
    // answered by its own pattern.
    let (j, code) = render(
        "#foreach($s in $input.path('$.items'))$s.replaceAll('a+', '1').replaceAll('[0-9]', '#')|#end\n\
         #foreach($n in [1..300])#set($p = \"x{$n}\")#if($n > 297)$p:${p.length()}:#end#set($xx = \"xx\")#set($r = $xx.replaceAll(\"x{$n}\", \"y\"))#if($n < 3 || $n > 298)$r,#end#end",
        Some(r#"{"items": ["baab", "aaa", "b", "a1a"]}"#),
        &[],
    );
    assert_eq!(code, 0, "{j}");
    assert_eq!(
        output(&j),
        // The newline after the first loop's `#end` is Velocity's to eat.
        "b#b|#|b|###|yy,y,x{298}:6:x{299}:6:xx,x{300}:6:xx,"
    );
}
