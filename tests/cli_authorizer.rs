//! `apigw-doctor authorizer` end to end: Lambda authorizer outputs of the shapes AWS's
//! blueprints and users' functions return, and JWTs signed in the test with an RSA key
//! openssl makes (no network: the JWKS is written next to the key).
mod support;
use serde_json::{Value, json};
use std::path::Path;
use support::jwt::*;
use support::*;

const ARN: &str = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets";

/// The output of AWS's Node.js authorizer blueprint (`generatePolicy(principalId, effect,
/// resource)`), for the method ARN it was called with.
fn blueprint(effect: &str, resource: &str) -> Value {
    json!({
        "principalId": "user|a1b2c3d4",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}]
        },
        "context": {"stringKey": "stringval", "numberKey": 123, "booleanKey": true}
    })
}

fn file(dir: &Path, name: &str, v: &Value) -> String {
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_string_pretty(v).unwrap()).unwrap();
    p.to_str().unwrap().to_string()
}

/// `authorizer ARGS` with `-o json`: its one report.
fn json_of(args: &[&str]) -> Value {
    let mut all = vec!["-o", "json", "authorizer"];
    all.extend_from_slice(args);
    run(&all).one_json()
}

fn finding<'a>(report: &'a Value, code: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {report:#}"))
}

#[test]
fn an_allow_for_the_method_lets_the_call_through() {
    let dir = tempfile::tempdir().unwrap();
    let out = file(dir.path(), "out.json", &blueprint("Allow", ARN));
    let r = run(&["authorizer", &out, "--method-arn", ARN]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .starts_with("authorized: the integration is called"),
        "{}",
        r.stdout
    );
    let j = json_of(&[&out, "--method-arn", ARN]);
    assert_eq!(j["result"]["authorized"], true);
    assert!(j["result"].get("answer").is_none());
    assert_eq!(
        finding(&j, "authorizer.allowed")["evidence"]["context_keys"],
        "stringKey,numberKey,booleanKey"
    );
}

/// The classic: the policy names the first method ARN, the result is cached for 300 s per
/// token, and the next method gets 403 without the authorizer being called.
#[test]
fn a_cached_policy_for_one_method_denies_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let out = file(dir.path(), "out.json", &blueprint("Allow", ARN));
    let r = run(&[
        "authorizer",
        &out,
        "--method",
        "GET",
        "--path",
        "/pets",
        "--then",
        "POST /orders",
    ]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.contains("then arn:aws:execute-api:us-east-1:123456789012:abc123/prod/POST/orders: 403 from the cached policy"), "{}", r.stdout);
    let j = json_of(&[
        &out,
        "--method",
        "GET",
        "--path",
        "/pets",
        "--then",
        "POST /orders",
    ]);
    let f = finding(&j, "authorizer.cached-policy-denies");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["evidence"]["status"], 403);
    assert_eq!(
        f["evidence"]["body"],
        r#"{"Message":"User is not authorized to access this resource"}"#
    );
    assert_eq!(
        j["result"]["then_denied"][0],
        "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/POST/orders"
    );
    // TTL 0: nothing is cached, the authorizer runs again for the next method.
    let none = json_of(&[
        &out,
        "--method",
        "GET",
        "--path",
        "/pets",
        "--then",
        "POST /orders",
        "--ttl",
        "0",
    ]);
    assert!(!codes_of(&none).contains("authorizer.cached-policy-denies"));
    // A policy for the whole stage serves every method.
    let stage = file(
        dir.path(),
        "stage.json",
        &blueprint(
            "Allow",
            "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/*/*",
        ),
    );
    let ok = run(&[
        "authorizer",
        &stage,
        "--method-arn",
        ARN,
        "--then",
        "POST /orders",
    ]);
    assert_eq!(ok.code, 0, "{}", ok.stdout);
}

#[test]
fn without_a_later_request_the_cache_pitfall_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let out = file(dir.path(), "out.json", &blueprint("Allow", ARN));
    let j = json_of(&[&out, "--method-arn", ARN]);
    assert_eq!(
        finding(&j, "authorizer.cached-policy-denies")["severity"],
        "warning"
    );
}

#[test]
fn denies_answer_403_with_the_bodies_api_gateway_sends() {
    let dir = tempfile::tempdir().unwrap();
    let other = file(
        dir.path(),
        "other.json",
        &blueprint(
            "Allow",
            "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/orders",
        ),
    );
    let j = json_of(&[&other, "--method-arn", ARN]);
    let a = &j["result"]["answer"];
    assert_eq!(a["status"], 403);
    assert_eq!(
        a["body"],
        r#"{"Message":"User is not authorized to access this resource"}"#
    );
    assert_eq!(
        a["headers"][0],
        json!(["x-amzn-ErrorType", "AccessDeniedException"])
    );
    assert_eq!(a["gateway_response"], "ACCESS_DENIED");
    assert!(codes_of(&j).contains("authorizer.implicit-deny"));

    let deny = file(
        dir.path(),
        "deny.json",
        &blueprint(
            "Deny",
            "arn:aws:execute-api:us-east-1:123456789012:abc123/*",
        ),
    );
    let j = json_of(&[&deny, "--method-arn", ARN]);
    assert_eq!(
        j["result"]["answer"]["body"],
        r#"{"Message":"User is not authorized to access this resource with an explicit deny"}"#
    );
    assert!(codes_of(&j).contains("authorizer.explicit-deny"));

    // Chalice's AuthResponse(routes=[]) returns no statements at all (aws/chalice#971).
    let empty = file(
        dir.path(),
        "empty.json",
        &json!({"principalId": "user", "policyDocument": {"Version": "2012-10-17", "Statement": []}}),
    );
    let r = run(&["authorizer", &empty, "--method-arn", ARN]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.starts_with(
            r#"client gets 403 {"Message":"User is not authorized to access this resource"}"#
        ),
        "{}",
        r.stdout
    );
}

#[test]
fn broken_outputs_are_500_authorizer_configuration_errors() {
    let dir = tempfile::tempdir().unwrap();
    let mut no_principal = blueprint("Allow", ARN);
    no_principal.as_object_mut().unwrap().remove("principalId");
    let mut object_context = blueprint("Allow", ARN);
    object_context["context"]["user"] = json!({"id": 7});
    let mut string_policy = blueprint("Allow", ARN);
    string_policy["policyDocument"] = Value::String(string_policy["policyDocument"].to_string());
    // serverless/examples#305: the function returned an HTTP response instead of a policy.
    let http_response =
        json!({"statusCode": 401, "headers": {}, "body": "{\"message\":\"Unauthorized\"}"});
    for (name, v, code) in [
        (
            "no-principal.json",
            no_principal,
            "authorizer.missing-principal-id",
        ),
        (
            "object-context.json",
            object_context,
            "authorizer.context-not-scalar",
        ),
        (
            "string-policy.json",
            string_policy,
            "authorizer.malformed-output",
        ),
        (
            "http-response.json",
            http_response,
            "authorizer.missing-principal-id",
        ),
    ] {
        let path = file(dir.path(), name, &v);
        let j = json_of(&[&path, "--method-arn", ARN]);
        assert!(codes_of(&j).contains(code), "{name}: {j:#}");
        let a = &j["result"]["answer"];
        assert_eq!(a["status"], 500, "{name}");
        assert_eq!(a["body"], r#"{"message":null}"#, "{name}");
        assert_eq!(
            a["headers"][0],
            json!(["x-amzn-ErrorType", "AuthorizerConfigurationException"]),
            "{name}"
        );
    }
}

/// What the documentation does not settle is a warning marked uncertain, not a 500.
#[test]
fn undocumented_shapes_are_uncertain() {
    let dir = tempfile::tempdir().unwrap();
    let mut numeric = blueprint("Allow", ARN);
    numeric["principalId"] = json!(42);
    numeric["context"]["nothing"] = Value::Null;
    let path = file(dir.path(), "numeric.json", &numeric);
    let j = json_of(&[&path, "--method-arn", ARN]);
    assert_eq!(j["result"]["authorized"], true);
    for code in [
        "authorizer.missing-principal-id",
        "authorizer.context-not-scalar",
    ] {
        let f = finding(&j, code);
        assert_eq!(f["severity"], "warning", "{code}");
        assert_eq!(f["evidence"]["certain"], false, "{code}");
    }
}

#[test]
fn what_the_function_threw_decides_401_or_500() {
    let j = json_of(&["--threw", "Unauthorized", "--method-arn", ARN]);
    assert_eq!(j["result"]["answer"]["status"], 401);
    assert_eq!(
        j["result"]["answer"]["body"],
        r#"{"message":"Unauthorized"}"#
    );
    assert!(codes_of(&j).contains("authorizer.unauthorized"));
    let j = json_of(&[
        "--threw",
        "Unauthorized: token expired",
        "--method-arn",
        ARN,
    ]);
    assert_eq!(j["result"]["answer"]["status"], 500);
    assert!(codes_of(&j).contains("authorizer.function-error"));
    let r = run(&["authorizer", "--identity-missing"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout
            .starts_with(r#"client gets 401 {"message":"Unauthorized"}"#),
        "{}",
        r.stdout
    );
}

#[test]
fn http_api_simple_responses() {
    let dir = tempfile::tempdir().unwrap();
    let yes = file(
        dir.path(),
        "yes.json",
        &json!({"isAuthorized": true, "context": {"exampleKey": "exampleValue"}}),
    );
    let no = file(dir.path(), "no.json", &json!({"isAuthorized": false}));
    let arn = "arn:aws:execute-api:us-east-1:123456789012:abc123/$default/GET/pets";
    assert_eq!(
        run(&["authorizer", "--api", "http", &yes, "--method-arn", arn]).code,
        0
    );
    let j = json_of(&["--api", "http", &no, "--method-arn", arn]);
    assert_eq!(j["result"]["answer"]["status"], 403);
    assert_eq!(j["result"]["answer"]["body"], r#"{"message":"Forbidden"}"#);
    // The simple form is an HTTP API's: a REST authorizer returning it is broken.
    let j = json_of(&[&yes, "--method-arn", ARN]);
    assert!(codes_of(&j).contains("authorizer.malformed-output"));
    assert_eq!(j["result"]["answer"]["status"], 500);
}

#[test]
fn bad_input_is_a_one_line_error() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "{\"principalId\": \"x\",\n  \"policyDocument\": }").unwrap();
    let r = run(&["authorizer", broken.to_str().unwrap(), "--method-arn", ARN]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("broken.json:2:"), "{}", r.stderr);
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
    let out = file(dir.path(), "out.json", &blueprint("Allow", ARN));
    for args in [
        vec![
            "authorizer",
            out.as_str(),
            "--method-arn",
            "arn:aws:lambda:us-east-1:1:function:f",
        ],
        vec![
            "authorizer",
            out.as_str(),
            "--method-arn",
            ARN,
            "--then",
            "POST",
        ],
        vec!["authorizer"],
        vec!["authorizer", "--jwt", "a.b.c", "--now", "yesterday"],
    ] {
        let r = run(&args);
        assert_eq!(r.code, 2, "{args:?}: {}{}", r.stdout, r.stderr);
        assert_eq!(r.stderr.trim().lines().count(), 1, "{args:?}: {}", r.stderr);
        assert!(!r.stderr.contains("panicked"));
    }
}

/// A Cognito access token's claims (client_id, no aud, token_use access, scope).
fn access_claims() -> Value {
    json!({"sub": "aaaa-bbbb", "iss": ISS, "client_id": "4pq8client", "token_use": "access",
           "scope": "orders/read openid", "auth_time": NOW - 600, "iat": NOW - 600, "exp": NOW + 3000,
           "jti": "j-1", "username": "alice"})
}

fn rs256() -> Value {
    json!({"kid": "key-1", "alg": "RS256"})
}

#[test]
fn jwt_authorizer_checks_signature_and_claims_like_api_gateway() {
    let issuer = Issuer::new();
    let token = issuer.sign(&rs256(), &access_claims());
    let now = NOW.to_string();
    let base = |token: &str| -> Vec<String> {
        [
            "authorizer",
            "--api",
            "http",
            "--jwt",
            token,
            "--issuer",
            ISS,
            "--audience",
            "4pq8client",
            "--scopes",
            "orders/read",
            "--jwks",
            &issuer.jwks,
            "--now",
            &now,
        ]
        .map(str::to_string)
        .to_vec()
    };
    fn args(v: &[String]) -> Vec<&str> {
        v.iter().map(String::as_str).collect()
    }
    let bearer = format!("Bearer {token}");
    let r = run(&args(&base(&bearer)));
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("signature: verified"), "{}", r.stdout);

    // A claim changed after signing: the signature no longer verifies.
    let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
    let mut claims = access_claims();
    claims["scope"] = json!("orders/read orders/write admin");
    parts[1] = b64(claims.to_string().as_bytes());
    let forged = parts.join(".");
    let j = run(&[&["-o", "json"][..], &args(&base(&forged))].concat()).one_json();
    assert!(codes_of(&j).contains("authorizer.jwt-signature"), "{j:#}");
    assert_eq!(j["result"]["answer"]["status"], 401);
    assert_eq!(j["result"]["token"]["signature"], "invalid");

    // Signed by a key the issuer does not publish.
    let other = issuer.sign(&json!({"kid": "key-9", "alg": "RS256"}), &access_claims());
    let j = run(&[&["-o", "json"][..], &args(&base(&other))].concat()).one_json();
    assert!(
        finding(&j, "authorizer.jwt-signature")["message"]
            .as_str()
            .unwrap()
            .contains("key-9")
    );

    // Expired: 401 and the documented www-authenticate wording.
    let mut expired = access_claims();
    expired["exp"] = json!(NOW - 3600);
    let t = issuer.sign(&rs256(), &expired);
    let j = run(&[&["-o", "json"][..], &args(&base(&t))].concat()).one_json();
    assert_eq!(j["result"]["answer"]["status"], 401);
    assert_eq!(
        j["result"]["answer"]["headers"][0],
        json!([
            "www-authenticate",
            r#"Bearer scope="" error="invalid_token" error_description="the token has expired""#
        ])
    );

    // Another app client: aud is absent, so client_id decides.
    let mut foreign = access_claims();
    foreign["client_id"] = json!("7zz9other");
    let t = issuer.sign(&rs256(), &foreign);
    let j = run(&[&["-o", "json"][..], &args(&base(&t))].concat()).one_json();
    assert_eq!(
        finding(&j, "authorizer.jwt-audience")["evidence"]["claim"],
        "client_id"
    );
    assert_eq!(
        j["result"]["answer"]["headers"][0][1],
        r#"Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience""#
    );

    // An ID token has aud; aud decides even when client_id would match.
    let mut id = access_claims();
    id["token_use"] = json!("id");
    id["aud"] = json!("7zz9other");
    let t = issuer.sign(&rs256(), &id);
    let j = run(&[&["-o", "json"][..], &args(&base(&t))].concat()).one_json();
    assert_eq!(
        finding(&j, "authorizer.jwt-audience")["evidence"]["claim"],
        "aud"
    );

    // Without the route's scope: denied, the status marked uncertain.
    let mut narrow = access_claims();
    narrow["scope"] = json!("openid");
    let t = issuer.sign(&rs256(), &narrow);
    let j = run(&[&["-o", "json"][..], &args(&base(&t))].concat()).one_json();
    let a = &j["result"]["answer"];
    assert_eq!(a["status"], 403);
    assert_eq!(a["certain"], false);
    assert_eq!(
        finding(&j, "authorizer.jwt-scope")["evidence"]["certain"],
        false
    );

    // The issuer with a trailing slash is another issuer.
    let j = json_of(&[
        "--api",
        "http",
        "--jwt",
        &token,
        "--issuer",
        &format!("{ISS}/"),
        "--now",
        &now,
    ]);
    assert!(
        finding(&j, "authorizer.jwt-issuer")["message"]
            .as_str()
            .unwrap()
            .contains("trailing slash")
    );
    // No --jwks: decoded and judged, and the report says the signature was not checked.
    assert!(codes_of(&j).contains("authorizer.jwt-signature-not-checked"));
    assert_eq!(j["result"]["token"]["signature"], "not checked");
}

#[test]
fn jwt_edge_cases() {
    let issuer = Issuer::new();
    let now = NOW.to_string();
    // HS256 is refused by HTTP API JWT authorizers.
    let hs = format!(
        "{}.{}.c2ln",
        b64(br#"{"alg":"HS256","typ":"JWT"}"#),
        b64(access_claims().to_string().as_bytes())
    );
    let j = json_of(&["--api", "http", "--jwt", &hs, "--now", &now]);
    assert!(codes_of(&j).contains("authorizer.jwt-algorithm"));
    // Not a JWT at all.
    let j = json_of(&["--api", "http", "--jwt", "Bearer abc.def", "--now", &now]);
    assert!(codes_of(&j).contains("authorizer.jwt-malformed"));
    assert_eq!(j["result"]["answer"]["status"], 401);
    // Thirty seconds before expiry: allowed, with the clock warning.
    let mut soon = access_claims();
    soon["exp"] = json!(NOW + 30);
    let t = issuer.sign(&rs256(), &soon);
    let j = json_of(&[
        "--api",
        "http",
        "--jwt",
        &t,
        "--jwks",
        &issuer.jwks,
        "--now",
        "2025-12-05T10:00:00Z",
    ]);
    assert_eq!(j["result"]["authorized"], true);
    assert_eq!(
        finding(&j, "authorizer.jwt-clock-edge")["evidence"]["certain"],
        false
    );
    // Not valid yet, and issued in the future (the issuer's clock runs ahead).
    let mut early = access_claims();
    early["nbf"] = json!(NOW + 3600);
    early["iat"] = json!(NOW + 3600);
    let early = issuer.sign(&rs256(), &early);
    let j = json_of(&["--api", "http", "--jwt", &early, "--now", &now]);
    assert!(
        codes_of(&j).contains("authorizer.jwt-not-yet-valid"),
        "{j:#}"
    );
    assert!(
        codes_of(&j).contains("authorizer.jwt-issued-in-the-future"),
        "{j:#}"
    );
    assert_eq!(j["result"]["answer"]["status"], 401);
    // @FILE reads the token.
    let path = issuer.dir.path().join("token.txt");
    std::fs::write(&path, format!("{t}\n")).unwrap();
    let at = format!("@{}", path.display());
    assert_eq!(
        run(&["authorizer", "--api", "http", "--jwt", &at, "--now", &now]).code,
        0
    );
}

/// REST Cognito user pool authorizers: the ID token without scopes, an access token with them.
#[test]
fn cognito_authorizer_wants_the_token_the_method_expects() {
    let issuer = Issuer::new();
    let now = NOW.to_string();
    let access = issuer.sign(&rs256(), &access_claims());
    // amazon-cognito-identity-js#274: the access token sent to a method without scopes.
    let j = json_of(&[
        "--jwt",
        &access,
        "--issuer",
        ISS,
        "--jwks",
        &issuer.jwks,
        "--now",
        &now,
    ]);
    assert!(
        finding(&j, "authorizer.jwt-token-use")["message"]
            .as_str()
            .unwrap()
            .contains("ID token")
    );
    assert_eq!(j["result"]["answer"]["status"], 401);
    // With the method's scope, the access token passes.
    let r = run(&[
        "authorizer",
        "--jwt",
        &access,
        "--issuer",
        ISS,
        "--scopes",
        "orders/read",
        "--jwks",
        &issuer.jwks,
        "--now",
        &now,
    ]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("Cognito user pool authorizer"));
    let mut id = access_claims();
    id["token_use"] = json!("id");
    id["aud"] = json!("4pq8client");
    let t = issuer.sign(&rs256(), &id);
    assert_eq!(
        run(&[
            "authorizer",
            "--jwt",
            &t,
            "--issuer",
            ISS,
            "--audience",
            "4pq8client",
            "--now",
            &now
        ])
        .code,
        0
    );
}
