//! `apigw-doctor lambda` end to end: every case through the binary, plus the CLI contract.
mod support;
use std::collections::BTreeSet;
use std::io::Write;
use support::lambda_cases::{CASES, api_args};
use support::*;

#[test]
fn every_case_through_the_binary() {
    let mut failures = Vec::new();
    for c in CASES {
        let mut args = vec!["-o", "json", "lambda"];
        args.extend(api_args(c.api));
        args.extend(c.args);
        args.push("-");
        let r = run_with_stdin(&args, c.input);
        // Rejected outputs carry an error finding; accepted ones only warnings and notes.
        let expected_exit = i32::from(!c.valid);
        let j = r.one_json();
        let codes: BTreeSet<String> = r.codes().into_iter().collect();
        let expected: BTreeSet<String> = c.codes.iter().map(|s| s.to_string()).collect();
        let client = &j["result"]["client"];
        let ok = client["status"] == c.status
            && j["result"]["valid"] == c.valid
            && codes == expected
            && c.body.is_none_or(|b| client["body"] == b)
            && r.code == expected_exit
            && j["command"] == "lambda"
            && j["target"] == "<stdin>";
        if !ok {
            failures.push(format!("{}: exit {} {}", c.name, r.code, r.stdout));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn findings_carry_article_fix_and_json_path() {
    let r = run_with_stdin(
        &["-o", "json", "lambda", "-"],
        r#"{"statusCode":200,"headers":{"X-Count":3}}"#,
    );
    let j = r.one_json();
    let f = &j["findings"][0];
    assert_eq!(f["code"], "lambda.header-value-invalid");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["article"], "rest-api-status-codes");
    assert!(f["fix"].as_str().unwrap().contains("as a string"));
    assert_eq!(f["evidence"]["path"], "$.headers.X-Count");
    assert_eq!(f["evidence"]["expected"], "string");
    assert_eq!(f["evidence"]["found"], "number");
    assert_eq!(j["result"]["confidence"], "uncertain");
    assert_eq!(j["result"]["api"], "rest");
    for key in [
        "status",
        "headers",
        "multi_value_headers",
        "cookies",
        "body",
        "is_base64_encoded",
    ] {
        assert!(
            j["result"]["client"].get(key).is_some(),
            "client lacks {key}"
        );
    }
}

#[test]
fn human_view_of_a_malformed_rest_response() {
    let r = run_with_stdin(&["lambda", "-"], r#"{"statusCode":200,"body":{"ok":true}}"#);
    assert_eq!(r.code, 1);
    insta::assert_snapshot!("human_malformed_rest", r.stdout);
}

#[test]
fn human_view_of_the_http_2_0_trap() {
    let r = run_with_stdin(
        &["lambda", "--api", "http", "-"],
        r#"{"error":"not found"}"#,
    );
    assert_eq!(r.code, 0, "warnings do not fail by default");
    insta::assert_snapshot!("human_http2_error_as_200", r.stdout);
    let strict = run_with_stdin(
        &["--fail-on", "warning", "lambda", "--api", "http", "-"],
        r#"{"error":"not found"}"#,
    );
    assert_eq!(strict.code, 1);
}

#[test]
fn human_view_shows_cookies_and_binary_bodies() {
    let r = run_with_stdin(
        &["lambda", "--api", "http", "-"],
        r#"{"statusCode":404,"body":"nf","cookies":["a=1","b=2"],"headers":{"x-a":"1"}}"#,
    );
    assert!(
        r.stdout
            .contains("HTTP/1.1 404 Not Found\nx-a: 1\nset-cookie: a=1\nset-cookie: b=2\n\nnf\n"),
        "{}",
        r.stdout
    );
    let r = run_with_stdin(
        &["lambda", "-"],
        r#"{"statusCode":200,"isBase64Encoded":true,"body":"/wA="}"#,
    );
    assert!(
        r.stdout.contains("[2 bytes of binary data]"),
        "{}",
        r.stdout
    );
    let j = run_with_stdin(
        &["-o", "json", "lambda", "-"],
        r#"{"statusCode":200,"isBase64Encoded":true,"body":"/wA="}"#,
    )
    .one_json();
    assert_eq!(j["result"]["client"]["body"], "/wA=");
    assert_eq!(j["result"]["client"]["is_base64_encoded"], true);
}

#[test]
fn terminal_escapes_in_bodies_are_neutralised() {
    let r = run_with_stdin(
        &["lambda", "-"],
        "{\"statusCode\":200,\"body\":\"a\\u001b[31mred\\nline2\"}",
    );
    assert!(!r.stdout.contains('\x1b'), "{:?}", r.stdout);
    assert!(r.stdout.contains("a\\u{1b}[31mred\nline2"), "{}", r.stdout);
}

#[test]
fn reads_a_file_argument() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.json");
    std::fs::write(&path, r#"{"statusCode":200,"body":"x"}"#).unwrap();
    let r = run(&["-o", "json", "lambda", path.to_str().unwrap()]);
    assert_eq!(r.code, 0);
    assert_eq!(r.one_json()["target"], path.to_str().unwrap());
}

#[test]
fn bad_usage_is_exit_2_with_one_line() {
    assert_usage_error(
        &run(&["lambda", "/nonexistent/out.json"]),
        "/nonexistent/out.json: cannot open",
    );
    let dir = tempfile::tempdir().unwrap();
    assert_usage_error(
        &run(&["lambda", dir.path().to_str().unwrap()]),
        "is a directory",
    );
    assert_usage_error(
        &run(&["lambda", "--payload-version", "1.0", "-"]),
        "--payload-version applies only to --api http",
    );
    assert_usage_error(&run(&["lambda", "--method", "G ET", "-"]), "--method");
    let r = run(&["lambda", "--api", "soap", "-"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--api"), "{}", r.stderr);
    let r = run(&["lambda", "--function-error", "Sometimes", "-"]);
    assert_eq!(r.code, 2);
    for e in [
        &run(&["lambda", "/nonexistent/out.json"]),
        &run(&["lambda", "--payload-version", "1.0", "-"]),
    ] {
        assert_eq!(e.stderr.lines().count(), 1, "{}", e.stderr);
    }
}

#[test]
fn function_error_flag_is_case_insensitive() {
    let r = run_with_stdin(
        &["-o", "json", "lambda", "--function-error", "unhandled", "-"],
        r#"{"errorMessage":"x"}"#,
    );
    assert_eq!(r.one_json()["result"]["client"]["status"], 502);
}

#[test]
fn output_over_six_mib_is_too_large() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.json");
    let body = "x".repeat(6 * 1024 * 1024);
    std::fs::write(&path, format!(r#"{{"statusCode":200,"body":"{body}"}}"#)).unwrap();
    let r = run(&["-o", "json", "lambda", path.to_str().unwrap()]);
    assert_eq!(r.code, 1);
    let j = r.one_json();
    assert_eq!(j["findings"][0]["code"], "lambda.output-too-large");
    assert_eq!(j["findings"][0]["evidence"]["size"], 6 * 1024 * 1024 + 28);
    assert_eq!(j["result"]["client"]["status"], 502);

    let just_under = "x".repeat(6 * 1024 * 1024 - 40);
    std::fs::write(
        &path,
        format!(r#"{{"statusCode":200,"body":"{just_under}"}}"#),
    )
    .unwrap();
    let j = run(&["-o", "json", "lambda", path.to_str().unwrap()]).one_json();
    assert_eq!(j["result"]["valid"], true);
}

#[test]
fn lines_mode_reports_each_line_and_a_summary() {
    let input = concat!(
        "{\"statusCode\":200,\"body\":\"ok\"}\n",
        "\n",
        "{\"statusCode\":200,\"body\":{\"a\":1}}\n",
        "not json\n",
        "{\"statusCode\":404,\"body\":\"nf\"}",
    );
    let r = run_with_stdin(&["-o", "json", "lambda", "--lines", "-"], input);
    assert_eq!(r.code, 1);
    let reports = r.json();
    assert_eq!(reports.len(), 5, "4 outputs and a summary");
    let targets: Vec<&str> = reports
        .iter()
        .map(|j| j["target"].as_str().unwrap())
        .collect();
    assert_eq!(
        targets,
        [
            "<stdin>:1",
            "<stdin>:3",
            "<stdin>:4",
            "<stdin>:5",
            "<stdin>"
        ]
    );
    let summary = &reports[4]["result"]["summary"];
    assert_eq!(summary["outputs"], 4);
    assert_eq!(summary["valid"], 2);
    assert_eq!(summary["rejected"], 2);
    assert_eq!(
        summary["by_status"],
        serde_json::json!({"200": 1, "404": 1, "502": 2})
    );
    assert_eq!(summary["by_code"]["lambda.body-not-string"], 1);
    assert_eq!(summary["by_code"]["lambda.invalid-json"], 1);

    let human = run_with_stdin(&["lambda", "--lines", "-"], input);
    assert!(
        human
            .stdout
            .contains("summary: 4 outputs, 2 accepted, 2 rejected"),
        "{}",
        human.stdout
    );
    assert!(
        human
            .stdout
            .contains("client status: 200 ×1, 404 ×1, 502 ×2"),
        "{}",
        human.stdout
    );
}

#[test]
fn lines_mode_skips_an_over_long_line_without_holding_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lines.jsonl");
    let mut f = std::fs::File::create(&path).unwrap();
    writeln!(f, "{{\"statusCode\":201}}").unwrap();
    writeln!(f, "{}", "y".repeat(7 * 1024 * 1024)).unwrap();
    writeln!(f, "{{\"statusCode\":202}}").unwrap();
    drop(f);
    let r = run(&["-o", "json", "lambda", "--lines", path.to_str().unwrap()]);
    let reports = r.json();
    assert_eq!(reports.len(), 4);
    assert_eq!(reports[0]["result"]["client"]["status"], 201);
    assert_eq!(reports[1]["findings"][0]["code"], "lambda.output-too-large");
    assert_eq!(
        reports[1]["findings"][0]["evidence"]["size"],
        7 * 1024 * 1024
    );
    assert_eq!(reports[2]["result"]["client"]["status"], 202);
}
