//! `apigw-doctor template` end to end: each fact of the mapping-template spec marked [AWS] or
//! [rec] (../shared/specs/mapping-templates.md), through the binary.
mod support;
use serde_json::{Value, json};
use std::io::Write;
use support::*;

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
        "examples/template/seed-response.vtl",
        "--body",
        "examples/template/seed-lambda-output.json",
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
    let h = run(&[
        "template",
        "examples/template/seed-response.vtl",
        "--body",
        "examples/template/seed-lambda-output.json",
    ]);
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
