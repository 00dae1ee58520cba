//! `apigw-doctor selection` end to end.
mod support;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use support::*;

fn select(args: &[&str]) -> (Value, Run) {
    let mut full = vec!["-o", "json", "selection"];
    full.extend(args);
    let r = run(&full);
    assert!(r.code == 0 || r.code == 1, "exit {}: {}", r.code, r.stderr);
    (r.one_json(), r)
}

const HTTP: &[&str] = &[
    "--response",
    r"2\d{2}=200",
    "--response",
    r"4\d{2}=400",
    "--default",
    "500",
];

#[test]
fn spec_examples() {
    // 1. status 404 -> 400; 2. status 302 -> 500 (default).
    let (j, _) = select(&[HTTP, &["--status", "404"]].concat());
    assert_eq!(
        j["result"]["selected"],
        json!({"pattern": r"4\d{2}", "status": "400"})
    );
    assert_eq!(j["result"]["client_status"], 400);
    assert_eq!(j["result"]["matched_against"], "404");
    assert_eq!(j["result"]["integration"], "http");
    let (j, _) = select(&[HTTP, &["--status", "302"]].concat());
    assert_eq!(
        j["result"]["selected"],
        json!({"pattern": null, "status": "500"})
    );
    assert_eq!(j["result"]["client_status"], 500);
    // 3. Lambda .*5\d\d.* -> 500, default 200; error "sample 500" -> 500.
    let (j, _) = select(&[
        "--response",
        r".*5\d\d.*=500",
        "--default",
        "200",
        "--error-message",
        "sample 500",
    ]);
    assert_eq!(j["result"]["client_status"], 500);
    assert_eq!(j["result"]["integration"], "lambda");
    // 4. whole-match pitfall.
    let (j, _) = select(&[
        "--response",
        r"4\d{2}=400",
        "--default",
        "200",
        "--error-message",
        "Error 404: not found",
    ]);
    assert_eq!(j["result"]["client_status"], 200);
    assert!(codes_of(&j).contains("selection.whole-match-only"));
    assert!(codes_of(&j).contains("selection.error-as-200"));
    // 5. .+ on a two-line message, no default -> 500.
    let (j, r) = select(&["--response", ".+=400", "--error-message", "line1\nline2"]);
    assert_eq!(j["result"]["client_status"], 500);
    assert_eq!(j["result"]["selected"], Value::Null);
    assert_eq!(r.code, 1);
    assert_eq!(
        codes_of(&j),
        [
            "selection.line-terminator",
            "selection.no-default",
            "selection.no-match"
        ]
        .map(String::from)
        .into()
    );
    // 6. (\n|.)+ matches it.
    let (j, _) = select(&[
        "--response",
        r"(\n|.)+=400",
        "--error-message",
        "line1\nline2",
    ]);
    assert_eq!(j["result"]["client_status"], 400);
    // 7. the seed's range pattern matches any text holding such digits.
    let seed = r".*([01][0-9][0-9]|2[0-4][0-9]|25[0-5]).*=200";
    for (message, status) in [
        ("150", 200),
        ("Error 249 here", 200),
        ("255", 200),
        ("256", 500),
        ("99", 500),
    ] {
        let (j, _) = select(&[
            "--response",
            seed,
            "--default",
            "500",
            "--error-message",
            message,
        ]);
        assert_eq!(j["result"]["client_status"], status, "{message}");
    }
    // 8. Lambda success: 4\d{2} does not match "", .* does (with a warning).
    let (j, _) = select(&["--response", r"4\d{2}=400", "--default", "200", "--success"]);
    assert_eq!(j["result"]["client_status"], 200);
    assert_eq!(j["result"]["matched_against"], "");
    let (j, _) = select(&["--response", ".*=400", "--default", "200", "--success"]);
    assert_eq!(j["result"]["client_status"], 400);
    assert!(codes_of(&j).contains("selection.matches-success"));
    // 9. case-insensitive flag.
    let (j, _) = select(&[
        "--response",
        "(?i).*not found.*=404",
        "--default",
        "200",
        "--error-message",
        "Resource NOT FOUND",
    ]);
    assert_eq!(j["result"]["client_status"], 404);
    // 10. Java's \d is ASCII only.
    let (j, _) = select(&[
        "--response",
        r"\d{3}=400",
        "--default",
        "200",
        "--error-message",
        "٣٠٤",
    ]);
    assert_eq!(j["result"]["client_status"], 200);
}

#[test]
fn integration_json_as_the_aws_cli_prints_it_from_file_and_stdin() {
    let (j, _) = select(&[
        "--integration",
        "examples/selection/get-integration-lambda.json",
        "--lambda-output",
        "examples/selection/function-error.json",
        "--function-error",
        "Unhandled",
    ]);
    assert_eq!(
        j["target"],
        "examples/selection/get-integration-lambda.json"
    );
    assert_eq!(
        j["result"]["matched_against"],
        "Error: Raising 400 from within the Lambda function"
    );
    assert_eq!(j["result"]["client_status"], 200);
    let text = std::fs::read_to_string("examples/selection/get-integration-lambda.json").unwrap();
    let r = run_with_stdin(
        &[
            "-o",
            "json",
            "selection",
            "--integration",
            "-",
            "--error-message",
            "Internal failure",
        ],
        text,
    );
    assert_eq!(r.one_json()["result"]["client_status"], 500);
    assert_eq!(r.one_json()["target"], "<stdin>");
    // Without --function-error an error object is judged as `lambda` judges it: most likely
    // thrown (its errorMessage matched), and what returning it would give beside.
    let (j, _) = select(&[
        "--integration",
        "examples/selection/get-integration-lambda.json",
        "--lambda-output",
        "examples/selection/function-error.json",
    ]);
    assert_eq!(
        j["result"]["matched_against"],
        "Error: Raising 400 from within the Lambda function"
    );
    assert_eq!(j["result"]["alternative"]["assuming"], "returned");
    assert!(codes_of(&j).contains("selection.function-error-assumed"));
}

#[test]
fn get_method_checks_the_method_response_exists() {
    let (j, r) = select(&[
        "--integration",
        "examples/selection/get-method-http.json",
        "--status",
        "503",
    ]);
    assert_eq!(j["result"]["client_status"], 500);
    assert!(
        codes_of(&j).contains("lint.response-without-method-response"),
        "{}",
        r.stdout
    );
    assert_eq!(r.code, 1);
    let (j, r) = select(&[
        "--integration",
        "examples/selection/get-method-http.json",
        "--status",
        "201",
    ]);
    assert_eq!(j["result"]["client_status"], 200);
    assert_eq!(r.code, 0);
}

#[test]
fn openapi_export_by_method_and_path() {
    let ex = "examples/selection/petstore-export.json";
    let (j, _) = select(&[
        "--export", ex, "--method", "get", "--path", "/pets", "--status", "404",
    ]);
    assert_eq!(j["result"]["client_status"], 400);
    assert_eq!(j["target"], format!("{ex} GET /pets"));
    let (j, _) = select(&[
        "--export",
        ex,
        "--method",
        "POST",
        "--path",
        "/pets",
        "--error-message",
        "[BadRequest] name missing",
    ]);
    assert_eq!(j["result"]["client_status"], 400);
    let (j, _) = select(&[
        "--export",
        ex,
        "--method",
        "DELETE",
        "--path",
        "/pets/{id}",
        "--status",
        "204",
    ]);
    assert_eq!(j["result"]["integration"], "proxy");
    assert_eq!(j["result"]["client_status"], 204);
    assert!(codes_of(&j).contains("selection.proxy-integration"));
}

#[test]
fn table_compresses_codes_into_ranges() {
    let (j, _) = select(&[HTTP, &["--table"]].concat());
    let table = j["result"]["table"].as_array().unwrap();
    let rows: Vec<(u64, u64, Value)> = table
        .iter()
        .map(|r| {
            (
                r["from"].as_u64().unwrap(),
                r["to"].as_u64().unwrap(),
                r["status"].clone(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            (100, 199, json!("500")),
            (200, 299, json!("200")),
            (300, 399, json!("500")),
            (400, 499, json!("400")),
            (500, 599, json!("500")),
        ]
    );
    let (j, r) = select(&["--response", r"2\d{2}=200", "--table"]);
    assert_eq!(j["result"]["table"][0]["status"], Value::Null);
    assert_eq!(j["result"]["table"][0]["client_status"], 500);
    assert_eq!(r.code, 1);
    let human = run(&[
        "selection",
        "--response",
        r"2\d{2}=200",
        "--default",
        "500",
        "--table",
    ])
    .stdout;
    assert!(human.contains("  200-299  2\\d{2}     → 200"), "{human}");
}

#[test]
fn every_selection_finding_fires() {
    let mut seen = BTreeSet::new();
    let runs: Vec<Vec<&str>> = vec![
        vec![
            "--response",
            "a{=400",
            "--default",
            "200",
            "--error-message",
            "x",
        ],
        vec![
            "--response",
            r"4\d{2}=400",
            "--default",
            "200",
            "--error-message",
            "Error 404",
        ],
        vec![
            "--response",
            "abc=400",
            "--default",
            "200",
            "--status",
            "404",
        ],
        vec![
            "--response",
            ".+=400",
            "--default",
            "200",
            "--error-message",
            "a\nb",
        ],
        vec![
            "--response",
            r"4\d\d=400",
            "--response",
            "40[0-4]=404",
            "--default",
            "200",
            "--status",
            "404",
        ],
        vec![
            "--response",
            "x=400",
            "--response",
            "x=401",
            "--default",
            "200",
            "--error-message",
            "x",
        ],
        vec!["--response", "x=400", "--error-message", "y"],
        vec!["--response", ".*=400", "--default", "200", "--success"],
        vec![
            "--response",
            r"4\d{2}=400",
            "--default",
            "200",
            "--error-message",
            "Not found",
        ],
        vec![
            "--response",
            r"\X=400",
            "--default",
            "200",
            "--error-message",
            "x",
        ],
        vec![
            "--response",
            "(a+)+=400",
            "--default",
            "200",
            "--error-message",
            "aaa",
        ],
        vec![
            "--integration",
            "examples/selection/get-method-http.json",
            "--status",
            "503",
        ],
        vec![
            "--export",
            "examples/selection/petstore-export.json",
            "--method",
            "GET",
            "--path",
            "/pets/{id}",
            "--status",
            "200",
        ],
        vec![
            "--response",
            ".*=400",
            "--default",
            "200",
            "--status",
            "200",
        ],
        vec![
            "--integration",
            "examples/selection/get-integration-lambda.json",
            "--lambda-output",
            "examples/selection/function-error.json",
        ],
    ];
    for args in &runs {
        let (j, _) = select(args);
        seen.extend(codes_of(&j));
    }
    let all: BTreeSet<String> = apigw_doctor::checks::selection::CODES
        .iter()
        .map(|c| c.to_string())
        .collect();
    let missing: Vec<_> = all.difference(&seen).collect();
    assert!(missing.is_empty(), "never fired: {missing:?}");
}

#[test]
fn human_view_of_the_seed_case() {
    let r = run(&[
        "selection",
        "--integration",
        "examples/selection/get-integration-lambda.json",
        "--error-message",
        "Error: Raising 400 from within the Lambda function",
    ]);
    insta::assert_snapshot!("selection_seed_case", r.stdout);
}

#[test]
fn bad_input_is_exit_2_with_a_clear_message() {
    let r = run(&["selection", "--response", "4xx", "--status", "404"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("expected PATTERN=STATUS"), "{}", r.stderr);
    let r = run(&["selection", "--response", "4xx=600", "--status", "404"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("must be a code from 100 to 599"),
        "{}",
        r.stderr
    );
    let r = run(&["selection", "--default", "99", "--status", "404"]);
    assert_eq!(r.code, 2);
    let r = run(&["selection", "--default", "200", "--status", "700"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--status"), "{}", r.stderr);
    assert_eq!(
        run(&["selection", "--status", "404"]).code,
        2,
        "responses are required"
    );
    assert_usage_error(
        &run(&["selection", "--default", "200"]),
        "give what the patterns are matched against",
    );
    assert_usage_error(
        &run(&[
            "selection",
            "--integration",
            "examples/selection/get-integration-lambda.json",
            "--status",
            "404",
        ]),
        "this is a Lambda integration",
    );
    assert_usage_error(
        &run(&[
            "selection",
            "--integration",
            "examples/selection/get-method-http.json",
            "--error-message",
            "x",
        ]),
        "this is a HTTP integration",
    );
    assert_usage_error(
        &run(&[
            "selection",
            "--integration",
            "examples/selection/get-integration-lambda.json",
            "--table",
        ]),
        "--table lists status codes",
    );
    assert_usage_error(
        &run(&[
            "selection",
            "--export",
            "examples/selection/petstore-export.json",
            "--method",
            "PUT",
            "--path",
            "/pets",
            "--status",
            "200",
        ]),
        "no PUT /pets in the export; /pets has GET, POST",
    );
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        "{\n  \"type\": \"HTTP\",\n  \"integrationResponses\": {,\n}",
    )
    .unwrap();
    let b = bad.to_str().unwrap();
    assert_usage_error(
        &run(&["selection", "--integration", b, "--status", "200"]),
        &format!("{b}:3:"),
    );
    std::fs::write(&bad, "openapi: 3.0.1\npaths: [1, 2\n").unwrap();
    assert_usage_error(
        &run(&["selection", "--integration", b, "--status", "200"]),
        &format!("{b}:2:8: invalid YAML: unclosed bracket"),
    );
    std::fs::write(&bad, "{\"Version\": \"2012-10-17\", \"Statement\": []}").unwrap();
    assert_usage_error(
        &run(&["selection", "--integration", b, "--status", "200"]),
        "it looks like an IAM or resource policy",
    );
    assert_usage_error(
        &run(&[
            "selection",
            "--integration",
            "examples/selection/petstore-export.json",
            "--status",
            "200",
        ]),
        "use --export FILE --method M --path P",
    );
    assert_usage_error(
        &run(&[
            "selection",
            "--default",
            "200",
            "--lambda-output",
            "examples/lambda/rest-object-body.json",
            "--function-error",
            "Unhandled",
        ]),
        "no errorMessage string",
    );
    let r = run(&[
        "selection",
        "--response",
        "-=200",
        "--default",
        "500",
        "--success",
    ]);
    assert_usage_error(&r, "already the default");
}

/// Every surprising outcome is explained, naming the response that causes it.
#[test]
fn surprising_outcomes_are_always_explained() {
    // A success (the empty string) caught by a pattern written for status codes.
    let r = run(&[
        "-o",
        "json",
        "selection",
        "--response",
        ".*=500",
        "--response",
        "4\\d{2}=400",
        "--default",
        "200",
        "--success",
    ]);
    let j = r.one_json();
    assert_eq!(j["result"]["client_status"], 500, "{j}");
    let f = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "selection.success-not-2xx")
        .expect("explained");
    assert_eq!(f["evidence"]["pattern"], ".*");
    assert_eq!(f["evidence"]["origin"], "--response #1");
    // A default mapped to 500 makes every success a 500.
    let r = run(&[
        "-o",
        "json",
        "selection",
        "--response",
        "4\\d{2}=400",
        "--default",
        "500",
        "--success",
    ]);
    assert!(codes_of(&r.one_json()).contains("selection.success-not-2xx"));
    // An HTTP backend's 500 landing in 200.
    let r = run(&[
        "-o",
        "json",
        "selection",
        "--response",
        "2\\d{2}=200",
        "--default",
        "200",
        "--status",
        "500",
    ]);
    let j = r.one_json();
    assert_eq!(j["result"]["client_status"], 200);
    assert!(codes_of(&j).contains("selection.error-as-200"), "{j}");
    // A Lambda error matched by a pattern mapped to 2xx.
    let r = run(&[
        "-o",
        "json",
        "selection",
        "--response",
        ".*timed out.*=202",
        "--default",
        "500",
        "--error-message",
        "Task timed out after 3.00 seconds",
    ]);
    assert!(codes_of(&r.one_json()).contains("selection.error-as-200"));
    // The ordinary cases stay quiet.
    let r = run(&[
        "-o",
        "json",
        "selection",
        "--response",
        ".+=500",
        "--default",
        "200",
        "--success",
    ]);
    assert!(!codes_of(&r.one_json()).contains("selection.success-not-2xx"));
}

/// A large export is read a part at a time up to the path asked for: a path in a late part
/// is found with its own responses (and the line of its file), a missing one is named with
/// the paths the export has.
#[test]
fn a_path_deep_in_a_large_export() {
    let dir = tempfile::tempdir().unwrap();
    let mut paths = serde_json::Map::new();
    for n in 0..700 {
        let not_found = if n == 650 { "404" } else { "400" };
        paths.insert(
            format!("/r{n}"),
            serde_json::json!({"get": {
                "responses": {"200": {"description": "ok"}, "400": {"description": "bad"}, "404": {"description": "missing"}},
                "x-amazon-apigateway-integration": {"type": "http", "httpMethod": "GET",
                    "uri": format!("https://backend.example.com/r{n}"),
                    "responses": {"default": {"statusCode": "200"}, "4\\d{2}": {"statusCode": not_found}}}}}),
        );
    }
    let doc = serde_json::json!({"swagger": "2.0", "info": {"title": "big", "version": "1"}, "paths": paths});
    let file = dir.path().join("big.json");
    std::fs::write(&file, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    let file = file.to_str().unwrap();
    let (j, _) = select(&[
        "--export", file, "--method", "GET", "--path", "/r650", "--status", "418",
    ]);
    assert_eq!(j["result"]["client_status"], 404, "{j}");
    let (j, _) = select(&[
        "--export", file, "--method", "GET", "--path", "/r5", "--status", "418",
    ]);
    assert_eq!(j["result"]["client_status"], 400, "{j}");
    let r = run(&[
        "selection",
        "--export",
        file,
        "--method",
        "GET",
        "--path",
        "/r9999",
        "--status",
        "418",
    ]);
    // The first operations of the whole export and how many more, not only the last part's.
    assert_usage_error(
        &r,
        "no path \"/r9999\" in the export; it has GET /r0, GET /r1",
    );
    assert!(
        r.stderr.contains(", GET /r19 and 680 more\n"),
        "{}",
        r.stderr
    );
    // A path there without the method: what the path has.
    let r = run(&[
        "selection",
        "--export",
        file,
        "--method",
        "PUT",
        "--path",
        "/r650",
        "--status",
        "418",
    ]);
    assert_usage_error(&r, "no PUT /r650 in the export; /r650 has GET\n");
}
