mod support;
use support::*;

#[test]
fn search_puts_the_vpc_link_article_first_human_and_json() {
    let q = "Cannot delete VPC link referenced in format of [Method:Resource]";
    let r = run(&["kb", "search", q]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let first = r.stdout.lines().next().unwrap();
    assert!(first.starts_with("1. Delete an Amazon VPC link"), "{first}");
    assert!(
        r.stdout.contains("check: apigw-doctor lint"),
        "{}",
        r.stdout
    );

    let j = run(&["-o", "json", "kb", "search", q]).one_json();
    assert_eq!(j["command"], "kb search");
    assert_eq!(j["target"], q);
    assert_eq!(j["findings"], serde_json::json!([]));
    let hits = j["result"]["hits"].as_array().unwrap();
    assert_eq!(hits[0]["id"], "vpc-link-delete");
    for key in ["id", "title", "score", "check"] {
        assert!(hits[0].get(key).is_some(), "hit lacks {key}");
    }
    let confidences: Vec<f64> = hits
        .iter()
        .map(|h| h["confidence"].as_f64().unwrap())
        .collect();
    assert!(
        confidences.windows(2).all(|w| w[0] >= w[1]),
        "{confidences:?}"
    );
}

/// Real pastes about other services (sources in tests/kb/pastes.toml): no confident article,
/// exit 1, the weak hits listed below the verdict.
#[test]
fn other_services_problems_get_an_honest_no_match() {
    for q in [
        // Cognito (ellaisys/aws-cognito#94)
        r#"Error executing "AdminInitiateAuth" on "https://cognito-idp.us-east-1.amazonaws.com"; AWS HTTP error: Client error: `POST https://cognito-idp.us-east-1.amazonaws.com` resulted in a `400 Bad Request` response: {"__type":"NotAuthorizedException","message":"Incorrect username or password."}"#,
        // KMS permission (slashdevops/idp-scim-sync#540)
        "User: arn:aws:sts::1:assumed-role/r/idp-scim-sync is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:1:key/k because no identity-based policy allows the kms:Decrypt action",
        // DynamoDB without the word (pmuens/serverless-dynamodb-streams#1)
        r#"serverless invoke --function updateProfile --path event.json
{ "errorMessage": "Requested resource not found", "errorType": "ResourceNotFoundException", "stackTrace": [ "Request.extractError (/var/task/node_modules/aws-sdk/lib/protocol/json.js:43:27)" ] }"#,
    ] {
        let r = run(&["kb", "search", q]);
        assert_eq!(r.code, 1, "{q}\n{}", r.stdout);
        assert!(
            r.stdout.starts_with("no article matches this confidently")
                || r.stdout.contains("\nno article matches this confidently"),
            "{}",
            r.stdout
        );
        let j = run(&["-o", "json", "kb", "search", q]).one_json();
        assert_eq!(j["result"]["confident"], false);
    }
}

/// `x-cache: Error from cloudfront` and `x-amz-cf-*` are on every edge-optimized API's answer:
/// they do not make a 413 or a missing route the CloudFront article's problem.
#[test]
fn cloudfront_edge_headers_do_not_pull_to_the_cloudfront_article() {
    let cases = [
        (
            "HTTP/2 413\ncontent-type: text; charset=utf-8\nx-cache: Error from cloudfront\nvia: 1.1 60c021dff092d29bb692026a19f1de3b.cloudfront.net (CloudFront)\nx-amz-cf-pop: NRT20-C4\nx-amz-cf-id: ZrgjTOYyITsN5QqhgEW4bYNXl9eDGRmWvTgBNK68v3Pu76NJi_6HhA==\n\nHTTP content length exceeded 10485760 bytes.",
            "payload-too-large",
        ),
        (
            "HTTP/2 403\nx-amzn-errortype: MissingAuthenticationTokenException\nx-cache: Error from cloudfront\nx-amz-cf-pop: FRA56-P1\n{\"message\":\"Missing Authentication Token\"}",
            "missing-authentication-token",
        ),
    ];
    for (q, want) in cases {
        let j = run(&["-o", "json", "kb", "search", q]).one_json();
        let hits = j["result"]["hits"].as_array().unwrap();
        assert_eq!(hits[0]["id"], want, "{q}");
        assert_eq!(hits[0]["weak"], false);
    }
}

/// An error name any service answers with is ordinary evidence, not an exact symptom: the
/// authorizer's own message decides (aws/chalice#971).
#[test]
fn a_generic_error_name_does_not_decide_the_article() {
    let q = "HTTP/1.1 403 Forbidden\nx-amzn-ErrorType: AccessDeniedException\n\n{\"Message\": \"User is not authorized to access this resource\"}";
    let j = run(&["-o", "json", "kb", "search", q]).one_json();
    let first = &j["result"]["hits"][0];
    assert_eq!(first["id"], "authorizer-unauthorized");
    assert_eq!(
        first["matched_symptom"],
        "User is not authorized to access this resource"
    );
}

/// `29s` reads as 29 seconds, `12mb` as 12 MB: the glued and the spelled-out forms score the same.
/// (A 413 on an upload that names no platform is not answered confidently: the memory holds the
/// same words from other gateways, so the texts name API Gateway.)
#[test]
fn units_glued_to_numbers_are_understood() {
    let score = |q: &str| {
        run(&["-o", "json", "kb", "search", q]).one_json()["result"]["hits"][0]["score"].clone()
    };
    for (glued, spelled, want) in [
        (
            "my lambda takes 45s and the api answers 504 after 29s",
            "my lambda takes 45 seconds and the api answers 504 after 29 seconds",
            "integration-timeout",
        ),
        (
            "uploading a 12mb file to my API Gateway endpoint fails with 413",
            "uploading a 12 mb file to my API Gateway endpoint fails with 413",
            "payload-too-large",
        ),
    ] {
        answers_first(glued, want);
        assert_eq!(score(glued), score(spelled), "{glued}");
    }
}

/// `kb search -o json` answers `q` with the article `want`, first and confidently.
fn answers_first(q: &str, want: &str) {
    let j = run(&["-o", "json", "kb", "search", q]).one_json();
    let first = &j["result"]["hits"][0];
    assert_eq!(first["id"], want, "{q}: {j}");
    assert_eq!(first["weak"], false, "{q}: {j}");
}

/// HTTP APIs have no mapping templates: the question is the HTTP API article's, not the REST one's.
#[test]
fn a_mapping_template_on_an_http_api_is_the_http_api_article() {
    answers_first(
        "Can I use a mapping template on my HTTP API to transform the request body?",
        "http-api-status-codes",
    );
    let r = run(&["kb", "show", "http-api-status-codes"]);
    assert!(
        r.stdout.contains("HTTP APIs have no mapping templates"),
        "{}",
        r.stdout
    );
}

/// A WebSocket route whose function API Gateway may not invoke answers Internal server error and
/// the function never runs: the WebSocket routes article names the missing permission.
#[test]
fn a_websocket_route_lambda_without_permission_is_the_websocket_routes_article() {
    let q = "wscat: sending {\"action\":\"sendmessage\"} returns {\"message\": \"Internal server error\", \"connectionId\":\"abc=\", \"requestId\":\"def=\"} and my Lambda function is never invoked, nothing in its CloudWatch logs";
    answers_first(q, "websocket-routes");
    let r = run(&["kb", "show", "websocket-routes"]);
    assert!(r.stdout.contains("lambda add-permission"), "{}", r.stdout);
    assert!(
        r.stdout.contains("Invalid permissions on Lambda function"),
        "{}",
        r.stdout
    );
}

/// An HTTP API's access log messages for a Lambda integration or authorizer API Gateway may not
/// invoke (AWS Knowledge Center, "api-gateway-http-lambda-integrations"), as logged, find the
/// article on Lambda permissions, which names the lint finding for authorizers.
#[test]
fn http_api_permission_errors_are_the_configuration_error_article() {
    for q in [
        r#"{"requestId":"Kx1=","status":"500","integrationError":"The IAM role configured on the integration or API Gateway doesn't have permissions to call the integration. Check the permissions and try again."}"#,
        r#""authorizerError": "The IAM role configured on the authorizer or API Gateway doesn't have permissions to call the authorizer. Check the permissions and try again.""#,
    ] {
        answers_first(q, "configuration-error");
    }
    let r = run(&["kb", "show", "configuration-error"]);
    assert!(
        r.stdout.contains("EnableFunctionDefaultPermissions"),
        "{}",
        r.stdout
    );
}

/// Two error messages, two problems: both answers, the second marked as also applying.
#[test]
fn a_paste_with_two_problems_gets_two_answers() {
    let q = "Access to fetch at 'https://abc.execute-api.us-east-1.amazonaws.com/prod/x' from origin 'https://app.example.com' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource. GET net::ERR_FAILED 504 {\"message\": \"Endpoint request timed out\"}";
    let r = run(&["kb", "search", q]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.starts_with("the text holds 2 problems"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("(also applies)"));
    let j = run(&["-o", "json", "kb", "search", q]).one_json();
    let hits = j["result"]["hits"].as_array().unwrap();
    assert_eq!(hits[0]["id"], "cors");
    assert_eq!(hits[1]["id"], "integration-timeout");
    assert_eq!(hits[1]["also"], true);
    assert!(
        hits[2..]
            .iter()
            .all(|h| h["weak"] == true && h.get("also").is_none())
    );
}

/// Where a check reads the pasted text itself, the answer says which command.
#[test]
fn texts_a_command_reads_name_the_command() {
    let vpc = "An error occurred (BadRequestException) when calling the DeleteVpcLink operation: Cannot delete vpc link. Vpc link 'k3x9q1', is referenced in [ab12cd34ef:GET:xy7z8w:prod] in format of [RESTApiId:Method:Resource:Stage].";
    let r = run(&["kb", "search", vpc]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout
            .starts_with("run: apigw-doctor lint EXPORT --vpc-link-error"),
        "{}",
        r.stdout
    );
    let command_for = |text: &str| {
        run(&["-o", "json", "kb", "search", text]).one_json()["result"]["takes_text"]["command"]
            .as_str()
            .map(str::to_string)
    };
    // A Lambda authorizer's output (the shape of AWS's blueprint), an HTTP API simple response,
    // and a JWT pasted with its header.
    let policy = r#"{"principalId":"user|a1b2c3d4","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Deny","Resource":"arn:aws:execute-api:us-east-1:123456789012:ab12cd34ef/prod/GET/pets"}]},"context":{"tier":"free"}}"#;
    assert!(
        command_for(policy)
            .unwrap()
            .starts_with("apigw-doctor authorizer OUTPUT.json --method-arn")
    );
    assert!(
        command_for(r#"{"isAuthorized": false, "context": {}}"#)
            .unwrap()
            .contains("--api http")
    );
    let jwt = "401 Unauthorized with Authorization: Bearer eyJraWQiOiJhYmMiLCJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjMiLCJ0b2tlbl91c2UiOiJhY2Nlc3MifQ.c2lnbmF0dXJl from my Cognito authorizer";
    assert!(
        command_for(jwt)
            .unwrap()
            .starts_with("apigw-doctor authorizer --jwt")
    );
    assert_eq!(
        command_for("my.dotted.name and eyJ alone are no token"),
        None
    );
    // curl's verbose transcript of a request API Gateway refused (curl 8 prints HTTP/2 this way).
    let curl = "*   Trying 3.5.6.7:443...\n* Connected to ab12cd34ef.execute-api.us-east-1.amazonaws.com (3.5.6.7) port 443\n> POST /prod/pets HTTP/2\n> Host: ab12cd34ef.execute-api.us-east-1.amazonaws.com\n> user-agent: curl/8.5.0\n> accept: */*\n>\n< HTTP/2 403\n< content-type: application/json\n< x-amzn-errortype: MissingAuthenticationTokenException\n<\n{\"message\":\"Missing Authentication Token\"}";
    assert_eq!(
        command_for(curl).unwrap(),
        "apigw-doctor probe -X POST 'https://ab12cd34ef.execute-api.us-east-1.amazonaws.com/prod/pets'"
    );
    // A WebSocket client's failure: wscat's command line and output, Chrome's console line.
    assert_eq!(
        command_for("$ wscat -c wss://abc123defg.execute-api.eu-west-1.amazonaws.com/dev\nerror: Unexpected server response: 403").unwrap(),
        "apigw-doctor probe 'wss://abc123defg.execute-api.eu-west-1.amazonaws.com/dev'"
    );
    assert_eq!(
        command_for("WebSocket connection to 'wss://ws.example.com/prod?token=abc' failed: Error during WebSocket handshake: Unexpected response code: 401").unwrap(),
        "apigw-doctor probe 'wss://ws.example.com/prod?token=abc'"
    );
    // dig's answer for a custom domain (dig 9.18's layout); the host goes to `domain`.
    let dig = "; <<>> DiG 9.18.28 <<>> api.example.com\n;; global options: +cmd\n;; Got answer:\n;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 4242\n\n;; QUESTION SECTION:\n;api.example.com.\t\tIN\tA\n\n;; ANSWER SECTION:\napi.example.com.\t300\tIN\tCNAME\td-abc123.execute-api.us-east-1.amazonaws.com.\n";
    assert_eq!(
        command_for(dig).unwrap(),
        "apigw-doctor domain api.example.com"
    );
    assert_eq!(
        command_for(";; QUESTION SECTION:\n;$(reboot).\tIN\tA"),
        None,
        "a question that is no host name names no command"
    );
    // A quote in the path stays inside the shell quoting.
    assert_eq!(
        command_for("> GET /prod/it's HTTP/1.1\n> Host: api.example.com\n< HTTP/1.1 404").unwrap(),
        r"apigw-doctor probe 'https://api.example.com/prod/it'\''s'"
    );
    // A quoted reply ("> I tried ...") is no transcript.
    assert_eq!(command_for("> I tried GET on the root\n> still 403"), None);
    // An execution log that shows the function's output (vincentsarago/lambda-proxy#59).
    let log = r#"Wed Nov 02 10:19:35 UTC 2022 : Endpoint response body before transformations: {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": {"hey": "dude"}}
Wed Nov 02 10:19:35 UTC 2022 : Execution failed due to configuration error: Malformed Lambda proxy response
Wed Nov 02 10:19:35 UTC 2022 : Method completed with status: 502"#;
    assert!(
        command_for(log)
            .unwrap()
            .starts_with("apigw-doctor lambda OUTPUT.json")
    );
    // The same log line with a body that is not a function's output names no command.
    assert_eq!(
        command_for("Endpoint response body before transformations: <html>Bad Gateway</html>"),
        None
    );
    let lambda = r#"{"errorMessage":"Cannot read properties of undefined (reading 'id')","errorType":"TypeError","stackTrace":["TypeError: Cannot read properties of undefined","    at Runtime.handler (file:///var/task/index.mjs:3:30)"]}"#;
    let j = run(&["-o", "json", "kb", "search", lambda]).one_json();
    let command = j["result"]["takes_text"]["command"].as_str().unwrap();
    assert!(command.starts_with("apigw-doctor lambda"), "{command}");
    let plain = run(&["-o", "json", "kb", "search", "Endpoint request timed out"]).one_json();
    assert!(plain["result"].get("takes_text").is_none());
}

/// A bare status is not enough to tell its causes apart: the answer says what is missing (the
/// message and x-amzn-ErrorType), which articles answer that status, and the command that reads
/// them, and still exits 1.
#[test]
fn a_bare_status_names_what_is_missing() {
    let r = run(&["-o", "json", "kb", "search", "my api returns 403"]);
    assert_eq!(r.code, 1);
    let j = r.one_json();
    let missing = &j["result"]["missing"];
    assert_eq!(missing["status"], 403, "{j}");
    assert_eq!(missing["command"], "apigw-doctor probe URL");
    let articles: Vec<&str> = missing["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    for id in [
        "missing-authentication-token",
        "iam-signature",
        "private-api-forbidden",
    ] {
        assert!(articles.contains(&id), "{id}: {articles:?}");
    }
    assert!(!articles.contains(&"integration-timeout"), "{articles:?}");
    let human = run(&["kb", "search", "getting 502 from api gateway"]);
    assert!(
        human
            .stdout
            .contains("names status 502 but not the error message")
            && human.stdout.contains("apigw-doctor probe URL"),
        "{}",
        human.stdout
    );
    // A message, a confident answer, or two statuses: nothing is said to be missing.
    for text in [
        r#"403 {"message":"Forbidden"} from my API"#,
        "API Gateway 504 after 29 seconds",
        "500 and 502 errors",
    ] {
        let j = run(&["-o", "json", "kb", "search", text]).one_json();
        assert!(j["result"].get("missing").is_none(), "{text}: {j}");
    }
}

#[test]
fn search_reads_standard_input_and_respects_limit() {
    let r = run_with_stdin(
        &["-o", "json", "kb", "search", "-n", "1", "-"],
        "[ERROR] 2026-11-02 curl: (60) SSL: no alternative certificate subject name matches target hostname 'x.example.com'\n",
    );
    let j = r.one_json();
    let hits = j["result"]["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["id"], "custom-domain-wrong-certificate");
}

#[test]
fn search_without_a_hit_exits_1_like_grep() {
    let r = run(&["kb", "search", "xylophone", "quartz"]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("no article matches"));
}

/// An empty text is nothing to rank: a usage error, not "no article matches".
#[test]
fn an_empty_text_is_a_usage_error() {
    assert_usage_error(&run(&["kb", "search", ""]), "the text is empty");
    assert_usage_error(&run(&["kb", "search", " ", "\t"]), "the text is empty");
    assert_usage_error(
        &run_with_stdin(&["kb", "search", "-"], "\n  \n"),
        "standard input is empty",
    );
}

#[test]
fn show_prints_fix_steps_references_and_codes() {
    let r = run(&["kb", "show", "vpc-link-delete"]);
    assert_eq!(r.code, 0);
    for needle in [
        "Delete an Amazon VPC link for an Amazon API Gateway REST API",
        "Deployed REST API: switch each",
        "Undeployed REST API",
        "lint.vpc-link-in-use",
        "References",
        "https://docs.aws.amazon.com/",
    ] {
        assert!(
            r.stdout.contains(needle),
            "missing {needle:?} in\n{}",
            r.stdout
        );
    }
}

#[test]
fn show_accepts_a_finding_code_like_ruff_rule() {
    let r = run(&["-o", "json", "kb", "show", "lambda.body-not-string"]);
    let j = r.one_json();
    assert_eq!(j["result"]["id"], "rest-api-status-codes");
    assert_eq!(j["result"]["code"], "lambda.body-not-string");
    let human = run(&["kb", "show", "lambda.body-not-string"]).stdout;
    assert!(human.contains("fix: Serialize the body"), "{human}");
}

#[test]
fn show_unknown_id_is_a_usage_error() {
    assert_usage_error(
        &run(&["kb", "show", "nope"]),
        "no article or finding code \"nope\"",
    );
}

#[test]
fn list_names_the_six_articles_with_seed_titles() {
    let j = run(&["-o", "json", "kb", "list"]).one_json();
    let titles: Vec<&str> = j["result"]["articles"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["seed"] == true)
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles.len(), 6, "the six seed articles are marked");
    for t in [
        "Delete an Amazon VPC link for an Amazon API Gateway REST API",
        "Access an Amazon API Gateway API from another AWS account",
        "Map status codes in API Gateway for HTTP APIs",
        "Map status codes in API Gateway for REST APIs",
        "Troubleshoot wrong certificate returned for API Gateway custom domain names",
        "Configure a custom domain for API Gateway APIs behind a CloudFront web distribution",
    ] {
        assert!(titles.contains(&t), "{t} missing from {titles:?}");
    }
}

#[test]
fn colour_follows_flag_and_no_color() {
    let plain = run(&["kb", "list"]).stdout;
    assert!(!plain.contains('\x1b'), "piped output must be plain");
    let always = run(&["--color", "always", "kb", "list"]).stdout;
    assert!(always.contains("\x1b["), "--color always must colour");
    let never = doctor()
        .args(["--color", "never", "kb", "list"])
        .output()
        .unwrap();
    assert!(!String::from_utf8(never.stdout).unwrap().contains('\x1b'));
    let no_color = doctor()
        .env("NO_COLOR", "1")
        .args(["kb", "list"])
        .output()
        .unwrap();
    assert!(!String::from_utf8(no_color.stdout).unwrap().contains('\x1b'));
}

#[test]
fn rules_folder_replaces_the_embedded_articles() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("mine.toml"),
        "id = \"mine\"\ntitle = \"Teapot errors\"\nquestion = \"Why 418?\"\ncheck = \"none\"\nsummary = \"s\"\nsymptoms = [\"I'm a teapot\"]\nfix = [\"brew\"]\n",
    )
    .unwrap();
    let d = dir.path().to_str().unwrap();
    let j = run(&["-o", "json", "--rules", d, "kb", "list"]).one_json();
    assert_eq!(j["result"]["articles"].as_array().unwrap().len(), 1);
    let j = run(&["-o", "json", "--rules", d, "kb", "search", "teapot"]).one_json();
    assert_eq!(j["result"]["hits"][0]["id"], "mine");
}

/// An article declares the API types it is about; a paste that names its API's type ranks the
/// article on that type first, even when the other one shares its words.
#[test]
fn a_paste_naming_its_api_type_ranks_that_types_article_first() {
    let dir = tempfile::tempdir().unwrap();
    for (id, api) in [("kettle-rest", "rest"), ("kettle-http", "http")] {
        std::fs::write(
            dir.path().join(format!("{id}.toml")),
            format!("id = \"{id}\"\ntitle = \"Kettle boils dry\"\nquestion = \"Why?\"\ncheck = \"none\"\nsummary = \"s\"\nsymptoms = [\"kettle boils dry\"]\nfix = [\"fill it\"]\napis = [\"{api}\"]\n"),
        )
        .unwrap();
    }
    let d = dir.path().to_str().unwrap();
    let first = |q: &str| {
        run(&["-o", "json", "--rules", d, "kb", "search", "-n", "5", q]).one_json()["result"]
            ["hits"][0]["id"]
            .clone()
    };
    assert_eq!(first("kettle boils dry behind my HTTP API"), "kettle-http");
    assert_eq!(first("kettle boils dry behind my REST API"), "kettle-rest");
    // No type named: the file order decides the tie.
    assert_eq!(first("kettle boils dry"), "kettle-http");
    let j = run(&["-o", "json", "--rules", d, "kb", "show", "kettle-http"]).one_json();
    assert_eq!(j["result"]["apis"], serde_json::json!(["http"]), "{j}");
    let human = run(&["--rules", d, "kb", "show", "kettle-rest"]).stdout;
    assert!(human.contains("for REST APIs"), "{human}");

    std::fs::write(dir.path().join("kettle-http.toml"), "id = \"k\"\ntitle = \"t\"\nquestion = \"q\"\ncheck = \"c\"\nsummary = \"s\"\nsymptoms = [\"a\"]\nfix = [\"b\"]\napis = [\"soap\"]\n").unwrap();
    let r = run(&["--rules", d, "kb", "list"]);
    assert_usage_error(&r, "kettle-http.toml:8:9: api type \"soap\" is not known");
}

#[test]
fn malformed_rules_name_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, "id = \"x\"\ntitle = \"t\"\nsymptoms = [\"a\",\n").unwrap();
    let r = run(&["--rules", dir.path().to_str().unwrap(), "kb", "list"]);
    assert_usage_error(&r, &format!("{}:3:", path.display()));
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);

    let empty = tempfile::tempdir().unwrap();
    assert_usage_error(
        &run(&["--rules", empty.path().to_str().unwrap(), "kb", "list"]),
        "no *.toml article files",
    );
    assert_usage_error(
        &run(&["--rules", "/nonexistent", "kb", "list"]),
        "/nonexistent: cannot read rules folder",
    );
}

#[test]
fn bad_flags_exit_2() {
    let r = run(&["--output", "yaml", "kb", "list"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--output"), "{}", r.stderr);
    assert_eq!(run(&["kb", "search"]).code, 2);
    assert_eq!(run(&["kb", "search", "-n", "0", "x"]).code, 2);
}

#[test]
fn completions_and_man_page_are_generated() {
    let bash = run(&["completions", "bash"]);
    assert_eq!(bash.code, 0);
    assert!(bash.stdout.contains("apigw-doctor") && bash.stdout.contains("complete"));
    let zsh = run(&["completions", "zsh"]);
    assert!(zsh.stdout.starts_with("#compdef apigw-doctor"));
    let man = run(&["man"]);
    assert_eq!(man.code, 0);
    assert!(
        man.stdout.contains(".TH apigw-doctor"),
        "{}",
        &man.stdout[..200]
    );
    assert!(man.stdout.contains("\\-\\-output") || man.stdout.contains("--output"));
}

#[test]
fn weak_hits_are_listed_but_are_no_answer() {
    // Canary deployments (no article covers them): hits exist, none confident.
    let q = "API Gateway canary release deployment stage traffic percentage not applied";
    let r = run(&["kb", "search", q]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.starts_with("no article matches this confidently"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("(weak)"), "{}", r.stdout);
    let j = run(&["-o", "json", "kb", "search", q]).one_json();
    assert_eq!(j["result"]["confident"], false);
    let hits = j["result"]["hits"].as_array().unwrap();
    assert!(!hits.is_empty());
    for h in hits {
        assert_eq!(h["weak"], true, "{h}");
        assert!(h["confidence"].as_f64().unwrap() < 0.5, "{h}");
    }
    // A pasted browser error: one confident answer first, the rest weak.
    let q = "has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource";
    let r = run(&["-o", "json", "kb", "search", q]);
    assert_eq!(r.code, 0);
    let j = r.one_json();
    assert_eq!(j["result"]["confident"], true);
    let first = &j["result"]["hits"][0];
    assert_eq!(first["id"], "cors");
    assert_eq!(first["weak"], false);
    // The model is refitted as the labelled pastes grow: well above the floor, not an exact value.
    assert!(first["confidence"].as_f64().unwrap() >= 0.75, "{first}");
    for h in j["result"]["hits"].as_array().unwrap().iter().skip(1) {
        assert_eq!(h["weak"], true, "{h}");
    }
}

/// An answer about one type of API names the same problem's article for the other type when
/// the text does not say which it is; never when it does.
#[test]
fn an_answer_names_its_twin_for_the_other_api_type() {
    // The execution log's "Execution failed due to" would say REST (or WebSocket): not pasted.
    let q = "API Gateway answers 502: Malformed Lambda proxy response";
    let r = run(&["kb", "search", "-n", "1", q]);
    assert!(
        r.stdout.contains(
            "the text does not say which type of API; for HTTP APIs: http-api-status-codes"
        ),
        "{}",
        r.stdout
    );
    let j = run(&["-o", "json", "kb", "search", "-n", "1", q]).one_json();
    let hit = &j["result"]["hits"][0];
    assert_eq!(hit["id"], "rest-api-status-codes");
    assert_eq!(hit["if_other_api"]["id"], "http-api-status-codes");
    assert_eq!(hit["if_other_api"]["apis"], serde_json::json!(["http"]));
    let named = run(&[
        "-o",
        "json",
        "kb",
        "search",
        "-n",
        "1",
        &format!("{q} on my REST API"),
    ])
    .one_json();
    assert!(
        named["result"]["hits"][0].get("if_other_api").is_none(),
        "{named}"
    );
}

#[test]
fn the_capitals_of_internal_server_error_pick_the_api_type() {
    let top = |q: &str| {
        run(&["-o", "json", "kb", "search", "-n", "1", q]).one_json()["result"]["hits"][0]["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        top(r#"HTTP/2 500 {"message":"Internal Server Error"}"#),
        "http-api-status-codes"
    );
    assert_eq!(
        top(r#"HTTP/1.1 502 Bad Gateway {"message": "Internal server error"}"#),
        "rest-api-status-codes"
    );
}

#[test]
fn list_marks_seed_articles_and_holds_the_new_ones() {
    let j = run(&["-o", "json", "kb", "list"]).one_json();
    let articles = j["result"]["articles"].as_array().unwrap();
    let seed = |id: &str| {
        articles
            .iter()
            .find(|a| a["id"] == id)
            .unwrap_or_else(|| panic!("no article {id}"))["seed"]
            .as_bool()
            .unwrap()
    };
    assert!(seed("vpc-link-delete"));
    for id in [
        "cors",
        "throttling",
        "payload-too-large",
        "integration-timeout",
        "missing-authentication-token",
        "private-api-forbidden",
        "authorizer-unauthorized",
        "configuration-error",
    ] {
        assert!(!seed(id), "{id}");
    }
    assert_eq!(articles.iter().filter(|a| a["seed"] == true).count(), 6);
}

/// "CloudWatch Logs role ARN must be set in account settings" (a CloudFormation event of a
/// stage that turns logging on) is the logging article's, which shows how to set the role.
#[test]
fn the_missing_logging_role_is_the_execution_logging_article() {
    answers_first(
        "12:59:11 PM | CREATE_FAILED | AWS::ApiGateway::Stage | ApiStageprod37612A79 Resource handler returned message: \"CloudWatch Logs role ARN must be set in account settings to enable logging (Service: ApiGateway, Status Code: 400)\"",
        "execution-logging",
    );
    let r = run(&["kb", "show", "execution-logging"]);
    assert!(
        r.stdout.contains("aws apigateway update-account"),
        "{}",
        r.stdout
    );
}

/// The documents the other checks read name their command too: an export or a template
/// (`lint`), Terraform configuration (`lint` on its plan's JSON), a distribution's
/// configuration (`cloudfront`), a mapping template (`template`) and an API's resource policy
/// (`policy`), each as the bundled examples and fixtures hold them. The same names in prose, in
/// a deployment's event log or in a Lambda function's policy name no command.
#[test]
fn documents_other_checks_read_name_their_command() {
    let root = env!("CARGO_MANIFEST_DIR");
    let file = |path: &str| std::fs::read_to_string(format!("{root}/{path}")).unwrap();
    let command_for = |text: &str| {
        run(&["-o", "json", "kb", "search", text]).one_json()["result"]["takes_text"]["command"]
            .as_str()
            .map(str::to_string)
    };
    let starts = |text: &str, command: &str| {
        let got = command_for(text);
        assert!(
            got.as_deref().is_some_and(|c| c.starts_with(command)),
            "{command}: {got:?} for {}",
            &text[..text.len().min(120)]
        );
    };
    for path in [
        "examples/lint/http-api-export.json",
        "examples/lint/orders-export.yaml",
        "examples/lint/sam-template.yaml",
        "tests/iac/cdk-token-authorizer.template.json",
        "tests/iac/simple-websockets-chat-app.yaml",
    ] {
        starts(&file(path), "apigw-doctor lint FILE");
    }
    starts(
        &file("tests/iac/terraform/main.tf"),
        "apigw-doctor lint plan.json",
    );
    for path in [
        "examples/cloudfront/get-distribution.json",
        "examples/cloudfront/get-distribution-config-mistakes.json",
    ] {
        starts(&file(path), "apigw-doctor cloudfront CONFIG.json");
    }
    starts(
        &file("examples/template/seed-response.vtl"),
        "apigw-doctor template",
    );
    starts(
        r#"{"name": "$input.path('$.name')", "id": $input.json('$.id')}"#,
        "apigw-doctor template",
    );
    for path in [
        "examples/policy/private-api.json",
        "examples/policy/cross-account.json",
    ] {
        starts(&file(path), "apigw-doctor policy POLICY.json");
    }
    // get-rest-api's output, whose policy the AWS CLI prints escaped.
    let get_rest_api = r#"{"id": "ab12cd34ef", "name": "orders", "policy": "{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":\\\"*\\\",\\\"Action\\\":\\\"execute-api:Invoke\\\",\\\"Resource\\\":\\\"arn:aws:execute-api:us-east-1:111122223333:ab12cd34ef\\/*\\\"}]}"}"#;
    starts(get_rest_api, "apigw-doctor policy POLICY.json");
    // What the AWS CLI prints for a method: the integration responses go to `selection`.
    starts(
        &file("examples/template/seed-get-integration.json"),
        "apigw-doctor selection --integration INTEGRATION.json --error-message TEXT",
    );
    // An AWS service integration (S3) selects by the service's status, not an error message.
    let s3 = r#"{"type": "AWS", "httpMethod": "GET", "uri": "arn:aws:apigateway:us-east-1:s3:path/{bucket}/{key}", "credentials": "arn:aws:iam::111122223333:role/ApiS3Read", "passthroughBehavior": "WHEN_NO_MATCH", "integrationResponses": {"200": {"statusCode": "200"}, "404": {"statusCode": "404", "selectionPattern": "404"}}}"#;
    starts(
        s3,
        "apigw-doctor selection --integration INTEGRATION.json --status CODE",
    );
    starts(
        &file("examples/lint/get-resources.json"),
        "apigw-doctor lint FILE",
    );
    let get_method = r#"{"httpMethod": "GET", "authorizationType": "NONE", "apiKeyRequired": false, "methodResponses": {}, "methodIntegration": {"type": "AWS_PROXY", "httpMethod": "POST", "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:111122223333:function:pets/invocations", "passthroughBehavior": "WHEN_NO_MATCH", "timeoutInMillis": 29000, "cacheNamespace": "a9b8c7", "cacheKeyParameters": []}}"#;
    starts(get_method, "apigw-doctor lint FILE");
    // openssl s_client (OpenSSL 3.0's layout), with its command line and without.
    let s_client = "CONNECTED(00000003)\ndepth=0 CN = *.execute-api.us-east-1.amazonaws.com\nverify error:num=20:unable to get local issuer certificate\nverify return:1\n---\nCertificate chain\n 0 s:CN = *.execute-api.us-east-1.amazonaws.com\n   i:C = US, O = Amazon, CN = Amazon RSA 2048 M02\n---\nServer certificate\n-----BEGIN CERTIFICATE-----\nMIIFzTCCBLWgAwIBAgIQ\n-----END CERTIFICATE-----\nsubject=CN = *.execute-api.us-east-1.amazonaws.com\n";
    assert_eq!(
        command_for(&format!(
            "$ openssl s_client -connect api.example.com:443 -servername api.example.com\n{s_client}"
        ))
        .unwrap(),
        "apigw-doctor domain api.example.com"
    );
    assert_eq!(
        command_for(&format!(
            "$ openssl s_client -connect shop.example.org:443 </dev/null\n{s_client}"
        ))
        .unwrap(),
        "apigw-doctor domain shop.example.org"
    );
    assert_eq!(command_for(s_client).unwrap(), "apigw-doctor domain NAME");
    for text in [
        // get-rest-apis lists APIs, not methods.
        r#"{"items": [{"id": "ab12cd34ef", "name": "orders", "createdDate": "2026-11-02T10:19:35+00:00", "apiKeySource": "HEADER", "endpointConfiguration": {"types": ["REGIONAL"]}}]}"#,
        // A CloudFormation event log names resource types it does not declare.
        "12:59:11 PM | CREATE_FAILED | AWS::ApiGateway::Stage | ApiStageprod | Resource handler returned message: \"CloudWatch Logs role ARN must be set in account settings to enable logging\"",
        // describe-stack-events names them as each event's ResourceType.
        r#"{"StackEvents": [{"StackName": "shop", "LogicalResourceId": "ApiStage", "ResourceType": "AWS::ApiGateway::Stage", "ResourceStatus": "CREATE_FAILED", "ResourceStatusReason": "CloudWatch Logs role ARN must be set in account settings to enable logging"}]}"#,
        "my x-amazon-apigateway-integration is ignored after import",
        "$input.path('$.name') returns null in my template",
        // A Lambda function's policy allows API Gateway: its action is Lambda's.
        r#"{"Version":"2012-10-17","Id":"default","Statement":[{"Sid":"apigw","Effect":"Allow","Principal":{"Service":"apigateway.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:111122223333:function:orders","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:execute-api:us-east-1:111122223333:ab12cd34ef/*/GET/orders"}}}]}"#,
    ] {
        assert_eq!(command_for(text), None, "{text}");
    }
}
