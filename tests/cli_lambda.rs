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
    // REST with a matching binary media type: the decoded size and type, never raw bytes.
    let png = r#"{"statusCode":200,"headers":{"Content-Type":"image/png"},"isBase64Encoded":true,"body":"/wA="}"#;
    let binary = ["--binary-media-types", "image/png", "--accept", "image/png"];
    let r = run_with_stdin(&[&["lambda"][..], &binary, &["-"]].concat(), png);
    assert!(r.stdout.contains("[2 bytes of image/png]"), "{}", r.stdout);
    let j = run_with_stdin(
        &[&["-o", "json", "lambda"][..], &binary, &["-"]].concat(),
        png,
    )
    .one_json();
    assert_eq!(j["result"]["client"]["body"], "/wA=");
    assert_eq!(j["result"]["client"]["is_base64_encoded"], true);
    // By default (no binary media types) the client gets the base64 text, and the
    // setting that would change that is named.
    let r = run_with_stdin(&["lambda", "-"], png);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("\n\n/wA=\n"), "{}", r.stdout);
    assert!(
        r.stdout.contains("lambda.binary-not-decoded"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("binaryMediaTypes"), "{}", r.stdout);
    let r = run_with_stdin(&["lambda", "--api", "http", "--accept", "x/y", "-"], png);
    assert_usage_error(
        &r,
        "--accept and --binary-media-types apply to REST APIs only",
    );
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
    // Lambda's limit is 6,291,556 bytes: one more is too large.
    let body = "x".repeat(6_291_556 - 28 + 1);
    std::fs::write(&path, format!(r#"{{"statusCode":200,"body":"{body}"}}"#)).unwrap();
    let r = run(&["-o", "json", "lambda", path.to_str().unwrap()]);
    assert_eq!(r.code, 1);
    let j = r.one_json();
    assert_eq!(j["findings"][0]["code"], "lambda.output-too-large");
    assert_eq!(j["findings"][0]["evidence"]["size"], 6_291_557);
    assert_eq!(j["result"]["client"]["status"], 502);

    let just_under = "x".repeat(6_291_556 - 28);
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

/// Lambda's error objects as Python, Node.js and a timeout write them, in the outfile of
/// `aws lambda invoke`, with and without the word on whether the function threw them.
#[test]
fn lambda_error_objects_with_and_without_the_invocation_outcome() {
    let python = r#"{"errorMessage": "'id'", "errorType": "KeyError", "requestId": "c0ffee00-1111-4222-8333-444455556666", "stackTrace": ["  File \"/var/task/app.py\", line 5, in lambda_handler\n    return {\"statusCode\": 200, \"body\": event[\"id\"]}\n"]}"#;
    let node = r#"{"errorType":"TypeError","errorMessage":"Cannot read properties of undefined (reading 'id')","trace":["TypeError: Cannot read properties of undefined (reading 'id')","    at Runtime.handler (file:///var/task/index.mjs:2:31)","    at Runtime.handleOnceNonStreaming (file:///var/runtime/index.mjs:1173:29)"]}"#;
    let timeout = r#"{"errorMessage":"2024-05-01T10:00:03.012Z 1c2d3e4f-aaaa-bbbb-cccc-111122223333 Task timed out after 3.00 seconds"}"#;
    let dir = tempfile::tempdir().unwrap();
    let unhandled = dir.path().join("unhandled.json");
    std::fs::write(
        &unhandled,
        "{\n    \"StatusCode\": 200,\n    \"FunctionError\": \"Unhandled\",\n    \"ExecutedVersion\": \"$LATEST\"\n}\n",
    )
    .unwrap();
    let returned = dir.path().join("returned.json");
    std::fs::write(
        &returned,
        "{\n    \"StatusCode\": 200,\n    \"ExecutedVersion\": \"$LATEST\"\n}\n",
    )
    .unwrap();
    let (unhandled, returned) = (unhandled.to_str().unwrap(), returned.to_str().unwrap());
    for (name, output) in [("python", python), ("node", node), ("timeout", timeout)] {
        // (API flags, status when thrown, status and validity had it been returned)
        for (api, thrown, (alt_status, alt_valid)) in [
            (&["--api", "rest"][..], 502, (502, false)),
            (
                &["--api", "http", "--payload-version", "1.0"],
                500,
                (500, false),
            ),
            (
                &["--api", "http", "--payload-version", "2.0"],
                500,
                (200, true),
            ),
        ] {
            let label = format!("{name} {api:?}");
            let go = |extra: &[&str]| {
                let args = [&["-o", "json", "lambda"][..], api, extra, &["-"]].concat();
                run_with_stdin(&args, output)
            };
            // No word on the outcome: most likely thrown, with the alternative beside it.
            let r = go(&[]);
            assert_eq!(r.code, 1, "{label}: {}", r.stdout);
            let j = r.one_json();
            assert_eq!(j["result"]["client"]["status"], thrown, "{label}");
            // A timeout has its own code: its fix is about the timeout.
            let code = if name == "timeout" {
                "lambda.function-timeout"
            } else {
                "lambda.function-error"
            };
            assert_eq!(codes_of(&j), [code.to_string()].into(), "{label}");
            assert_eq!(j["findings"][0]["evidence"]["assumed"], true, "{label}");
            let alt = &j["result"]["alternative"];
            assert_eq!(alt["assuming"], "returned", "{label}");
            assert_eq!(alt["client"]["status"], alt_status, "{label}: {alt}");
            assert_eq!(alt["valid"], alt_valid, "{label}");
            if alt_valid {
                let body: serde_json::Value =
                    serde_json::from_str(alt["client"]["body"].as_str().unwrap()).unwrap();
                assert_eq!(
                    body,
                    serde_json::from_str::<serde_json::Value>(output).unwrap(),
                    "{label}"
                );
            }
            // Said by the flag, or by what `aws lambda invoke` printed: thrown, no guess.
            for extra in [
                &["--function-error", "Unhandled"][..],
                &["--invoke-meta", unhandled],
            ] {
                let j = go(extra).one_json();
                assert_eq!(j["result"]["client"]["status"], thrown, "{label} {extra:?}");
                assert!(j["result"].get("alternative").is_none(), "{label}");
                assert!(
                    j["findings"][0]["evidence"]
                        .get("assumed")
                        .is_none_or(|a| a == false)
                );
            }
            // The CLI printed no FunctionError: the function returned the object.
            let r = go(&["--invoke-meta", returned]);
            let j = r.one_json();
            assert_eq!(j["result"]["client"]["status"], alt_status, "{label}: {j}");
            assert!(!codes_of(&j).contains("lambda.function-error"), "{label}");
            if alt_valid {
                assert!(codes_of(&j).contains("lambda.error-as-200"), "{label}: {j}");
            }
            // The two disagree: a usage error.
            let r = go(&["--invoke-meta", unhandled, "--function-error", "Handled"]);
            assert_usage_error(&r, "disagrees with");
        }
    }
    // The runtime's hints lead the advice.
    let j = run_with_stdin(&["-o", "json", "lambda", "-"], timeout).one_json();
    let message = j["findings"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("timed out") && message.contains("29 s"),
        "{message}"
    );
    assert!(!message.contains("remove"), "{message}");
    let r = run_with_stdin(
        &[
            "lambda",
            "--invoke-meta",
            "examples/lambda/rest-object-body.json",
            "-",
        ],
        node,
    );
    assert_usage_error(&r, "not the output `aws lambda invoke` prints");
}
