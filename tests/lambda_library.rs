//! The Lambda proxy cases through the library.
mod support;
use apigw_doctor::checks::lambda::{self, Api, FunctionError, Options};
use std::collections::BTreeSet;
use support::lambda_cases::CASES;

fn options(api: &str, args: &[&str]) -> Options {
    let mut opts = Options::new(match api {
        "rest" => Api::Rest,
        "1.0" => Api::Http10,
        "2.0" => Api::Http20,
        _ => unreachable!(),
    });
    for pair in args.chunks(2) {
        match pair {
            ["--function-error", "Unhandled"] => {
                opts.function_error = Some(FunctionError::Unhandled)
            }
            ["--function-error", "Handled"] => opts.function_error = Some(FunctionError::Handled),
            ["--method", m] => opts.method = m.to_string(),
            ["--accept", a] => opts.accept = Some(a.to_string()),
            ["--binary-media-types", t] => {
                opts.binary_media_types = t.split(',').map(String::from).collect()
            }
            ["--invoke-meta", "returned"] => opts.invocation_known = true,
            other => panic!("unknown args {other:?}"),
        }
    }
    opts
}

#[test]
fn every_case_through_the_library() {
    let mut failures = Vec::new();
    for c in CASES {
        let e = lambda::evaluate(c.input.as_bytes(), &options(c.api, c.args));
        let codes: BTreeSet<&str> = e.findings.iter().map(|f| f.code).collect();
        let expected: BTreeSet<&str> = c.codes.iter().copied().collect();
        let body = String::from_utf8_lossy(&e.client.body()).into_owned();
        if e.client.status != c.status
            || e.valid != c.valid
            || codes != expected
            || c.body.is_some_and(|b| b != body)
        {
            failures.push(format!(
                "{}: got {} valid={} {:?} body={body:?}; expected {} valid={} {:?} body={:?}",
                c.name, e.client.status, e.valid, codes, c.status, c.valid, expected, c.body
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
    assert!(CASES.len() > 60);
}

#[test]
fn every_lambda_code_fires_in_some_case() {
    let mut seen: BTreeSet<&str> = CASES.iter().flat_map(|c| c.codes.iter().copied()).collect();
    seen.insert(lambda::OUTPUT_TOO_LARGE); // tested on generated input in cli_lambda.rs
    seen.insert(lambda::OUTPUT_TOO_COMPLEX); // tested on generated input in hostile.rs
    let all: BTreeSet<&str> = lambda::CODES.iter().copied().collect();
    assert_eq!(seen, all);
}

#[test]
fn rejected_responses_carry_the_gateway_error_body() {
    let rest = lambda::evaluate(br#"{"statusCode":200,"body":{}}"#, &options("rest", &[]));
    assert_eq!(
        rest.client.body().as_ref(),
        br#"{"message":"Internal server error"}"#
    );
    let http = lambda::evaluate(br#"{"body":"x"}"#, &options("1.0", &[]));
    assert_eq!(
        http.client.body().as_ref(),
        br#"{"message":"Internal Server Error"}"#
    );
}

#[test]
fn merged_and_cookie_headers_are_exact() {
    let e = lambda::evaluate(
        br#"{"statusCode":201,"headers":{"A":"1"},"multiValueHeaders":{"A":["1","2"]},"body":""}"#,
        &options("rest", &[]),
    );
    let values: Vec<&str> = e.client.header("A").unwrap().iter().collect();
    assert_eq!(values, ["1", "2"]);
    let e = lambda::evaluate(
        br#"{"statusCode":404,"body":"nf","cookies":["a=1","b=2"]}"#,
        &options("2.0", &[]),
    );
    assert_eq!(e.client.cookies, ["a=1", "b=2"]);
    let e = lambda::evaluate(br#""hello""#, &options("2.0", &[]));
    assert_eq!(
        e.client.header("content-type").unwrap().first(),
        Some("application/json")
    );
    assert_eq!(e.client.header("content-type").unwrap().len(), 1);
}

#[test]
fn invalid_json_names_line_and_column_in_the_file() {
    let e = lambda::evaluate(
        b"\n\n  {\"statusCode\": 200,\n   \"body\": x}",
        &options("rest", &[]),
    );
    let f = &e.findings[0];
    assert_eq!(f.code, lambda::INVALID_JSON);
    assert_eq!(f.evidence["line"], 4);
    assert_eq!(f.evidence["column"], 12);
}

#[test]
fn timeouts_mention_the_integration_timeout() {
    let e = lambda::evaluate(
        br#"{"errorMessage":"Task timed out after 3.00 seconds","errorType":"Sandbox.Timedout"}"#,
        &options("rest", &["--function-error", "Unhandled"]),
    );
    assert!(
        e.findings[0].message.contains("504"),
        "{}",
        e.findings[0].message
    );
    assert_eq!(e.findings[0].evidence["error_type"], "Sandbox.Timedout");
}

#[test]
fn confidence_is_the_least_certain_decision() {
    use lambda::Confidence;
    let documented = lambda::evaluate(br#"{"statusCode":200,"body":"x"}"#, &options("rest", &[]));
    assert_eq!(documented.confidence, Confidence::Documented);
    let observed = lambda::evaluate(br#"{"statusCode":"201"}"#, &options("rest", &[]));
    assert_eq!(observed.confidence, Confidence::Observed);
    let uncertain = lambda::evaluate(
        br#"{"statusCode":200,"headers":{"X":1}}"#,
        &options("rest", &[]),
    );
    assert_eq!(uncertain.confidence, Confidence::Uncertain);
}
