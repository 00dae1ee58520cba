//! JWTs as API Gateway checks them: HTTP API JWT authorizers (issuer, aud or client_id, exp,
//! nbf, iat, scope or scp, RSA signatures from the issuer's keys) and REST Cognito user pool
//! authorizers (an ID token, or an access token with the method's OAuth scopes). The token is
//! decoded here; its signature is checked only against keys the user gives (`--jwks`).
use super::{
    Answer, Api, JWT_ALGORITHM, JWT_AUDIENCE, JWT_CLOCK_EDGE, JWT_EXPIRED, JWT_ISSUED_LATER,
    JWT_ISSUER, JWT_MALFORMED, JWT_NOT_YET_VALID, JWT_SCOPE, JWT_SIGNATURE, JWT_TOKEN_USE,
    JWT_UNVERIFIED, Verdict, with_answer,
};
use crate::finding::Finding;
use base64::Engine;
use serde::Serialize;
use serde_json::Value;

/// Within this many seconds of exp or nbf, the answer depends on clocks: API Gateway documents
/// no leeway, so the finding says the outcome is uncertain.
const CLOCK_EDGE_SECONDS: i64 = 300;

/// What the authorizer is configured to accept.
#[derive(Debug, Clone)]
pub struct JwtCheck {
    pub api: Api,
    pub issuer: Option<String>,
    pub audiences: Vec<String>,
    /// The route's (HTTP) or method's (REST) authorization scopes.
    pub scopes: Vec<String>,
    /// The issuer's JSON Web Key Set, when given: the signature is checked against it.
    pub jwks: Option<Value>,
    /// Seconds since the epoch.
    pub now: i64,
}

/// The decoded token, for the report.
#[derive(Debug, Clone, Serialize)]
pub struct Token {
    pub header: Value,
    pub claims: Value,
    /// "verified", "invalid", or "not checked".
    pub signature: &'static str,
}

/// A token the authorizer refuses: which check, and the www-authenticate description API
/// Gateway sends for it, where that wording is documented or recorded.
struct Failure {
    finding: Finding,
    description: Option<&'static str>,
    status: u16,
    certain: bool,
}

fn fail(finding: Finding) -> Failure {
    Failure {
        finding,
        description: None,
        status: 401,
        certain: true,
    }
}

/// Checks a JWT (with or without the `Bearer ` prefix) as the authorizer would.
pub fn judge_jwt(raw: &str, check: &JwtCheck) -> (Verdict, Option<Token>) {
    let raw = raw.trim();
    let token = raw
        .strip_prefix("Bearer ")
        .or_else(|| raw.strip_prefix("bearer "))
        .unwrap_or(raw)
        .trim();
    let (header, claims) = match decode(token) {
        Ok(parts) => parts,
        Err(why) => {
            let answer = Answer::unauthorized(check.api);
            let finding =
                Finding::error(JWT_MALFORMED, format!("the token cannot be decoded: {why}"));
            return (Verdict::refuse(answer, finding), None);
        }
    };
    let mut failures: Vec<Failure> = Vec::new();
    let mut notes: Vec<Finding> = Vec::new();
    let alg = header.get("alg").and_then(Value::as_str).unwrap_or("");
    if check.api == Api::Http && !alg.starts_with("RS") {
        failures.push(fail(
            Finding::error(JWT_ALGORITHM, format!("the token is signed with {alg:?}: HTTP API JWT authorizers accept only RSA-based algorithms (RS256, RS384, RS512)"))
                .with("alg", alg),
        ));
    }
    let signature = match &check.jwks {
        Some(jwks) => match verify(token, &header, jwks) {
            Ok(()) => "verified",
            Err(why) => {
                failures.push(fail(Finding::error(JWT_SIGNATURE, why)));
                "invalid"
            }
        },
        None => {
            notes.push(Finding::info(
                JWT_UNVERIFIED,
                "the signature was not checked (no --jwks): API Gateway checks it against the issuer's keys (jwks_uri of ISSUER/.well-known/openid-configuration); pass them with --jwks to check it too",
            ));
            "not checked"
        }
    };
    let text = |key: &str| claims.get(key).and_then(Value::as_str);
    if let Some(issuer) = &check.issuer {
        match text("iss") {
            Some(iss) if iss == issuer => {}
            Some(iss) => {
                let hint = if iss.trim_end_matches('/') == issuer.trim_end_matches('/') {
                    " (they differ only by a trailing slash, and the comparison is exact)"
                } else {
                    ""
                };
                failures.push(fail(
                    Finding::error(
                        JWT_ISSUER,
                        format!("iss is {iss:?}, the authorizer's issuer is {issuer:?}{hint}"),
                    )
                    .with("iss", iss)
                    .with("issuer", issuer.as_str()),
                ));
            }
            None => failures.push(fail(Finding::error(
                JWT_ISSUER,
                "the token has no iss claim",
            ))),
        }
    }
    let is_access = text("token_use") == Some("access");
    if check.api == Api::Rest {
        // Cognito user pool authorizers: the method's scopes decide the token type.
        let want = if check.scopes.is_empty() {
            "id"
        } else {
            "access"
        };
        match text("token_use") {
            Some(t) if t == want => {}
            Some(t) => failures.push(fail(
                Finding::error(JWT_TOKEN_USE, if want == "id" {
                    format!("token_use is {t:?}: a method without OAuth scopes takes the ID token (send getIdToken(), or set the method's authorization scopes to accept access tokens)")
                } else {
                    format!("token_use is {t:?}: a method with OAuth scopes takes an access token carrying one of them")
                })
                .with("token_use", t),
            )),
            None => notes.push(Finding::info(JWT_TOKEN_USE, "the token has no token_use claim: it is not an Amazon Cognito user pool token")),
        }
    }
    // Cognito access tokens carry no aud: REST user pool authorizers check scopes instead.
    let rest_access = check.api == Api::Rest && is_access;
    if !check.audiences.is_empty() && !rest_access {
        // aud when present, else client_id.
        let (claim, values) = match claims.get("aud") {
            Some(aud) => ("aud", crate::checks::string_list(aud)),
            None => (
                "client_id",
                claims
                    .get("client_id")
                    .map(crate::checks::string_list)
                    .unwrap_or_default(),
            ),
        };
        if !values.iter().any(|v| check.audiences.contains(v)) {
            failures.push(Failure {
                description: Some("the token does not have a valid audience"),
                ..fail(
                    Finding::error(JWT_AUDIENCE, format!("{claim} is {values:?}; the authorizer accepts {:?} (API Gateway reads client_id only when aud is absent)", check.audiences))
                        .with("claim", claim),
                )
            });
        }
    }
    let number = |key: &str| claims.get(key).and_then(Value::as_i64);
    match number("exp") {
        Some(exp) if exp <= check.now => failures.push(Failure {
            description: Some("the token has expired"),
            ..fail(
                Finding::error(
                    JWT_EXPIRED,
                    format!("exp is {} ({} s ago)", time(exp), check.now - exp),
                )
                .with("exp", exp),
            )
        }),
        Some(_) => {}
        None if check.api == Api::Http => failures.push(fail(Finding::error(
            JWT_EXPIRED,
            "the token has no exp claim",
        ))),
        None => {}
    }
    if let Some(nbf) = number("nbf")
        && nbf > check.now
    {
        failures.push(fail(
            Finding::error(
                JWT_NOT_YET_VALID,
                format!("nbf is {} ({} s from now)", time(nbf), nbf - check.now),
            )
            .with("nbf", nbf),
        ));
    }
    if let Some(iat) = number("iat")
        && iat > check.now
    {
        failures.push(fail(
            Finding::error(
                JWT_ISSUED_LATER,
                format!(
                    "iat is {} ({} s from now): the token says it was issued in the future",
                    time(iat),
                    iat - check.now
                ),
            )
            .with("iat", iat),
        ));
    }
    for (key, t) in [("exp", number("exp")), ("nbf", number("nbf"))] {
        if let Some(t) = t
            && (t - check.now).abs() <= CLOCK_EDGE_SECONDS
        {
            notes.push(
                Finding::warning(JWT_CLOCK_EDGE, format!("{key} is {} s from now: API Gateway documents no clock tolerance, so a call near that moment may go either way", t - check.now))
                    .with("certain", false),
            );
        }
    }
    if !check.scopes.is_empty() && (check.api == Api::Http || is_access) {
        let granted: Vec<String> = match (claims.get("scope"), claims.get("scp")) {
            (Some(Value::String(s)), _) => s.split_whitespace().map(str::to_string).collect(),
            (_, Some(v)) => crate::checks::string_list(v),
            _ => Vec::new(),
        };
        if !check.scopes.iter().any(|s| granted.contains(s)) {
            let mut f = fail(
                Finding::error(
                    JWT_SCOPE,
                    format!(
                        "the token grants {granted:?}; the route needs one of {:?}",
                        check.scopes
                    ),
                )
                .with("granted", granted.join(" ")),
            );
            if check.api == Api::Http {
                // Denied, but the status is not documented for this case.
                f.status = 403;
                f.certain = false;
            }
            failures.push(f);
        }
    }
    let token = Token {
        header,
        claims,
        signature,
    };
    if failures.is_empty() {
        let mut findings = vec![Finding::info(
            super::ALLOWED,
            "the token passes every check the authorizer makes: the integration is called",
        )];
        findings.extend(notes);
        return (
            Verdict {
                authorized: true,
                answer: None,
                findings,
            },
            Some(token),
        );
    }
    let first = &failures[0];
    let mut answer = if first.status == 403 {
        Answer {
            status: 403,
            body: r#"{"message":"Forbidden"}"#.into(),
            headers: Vec::new(),
            gateway_response: None,
            certain: false,
        }
    } else {
        Answer::unauthorized(check.api)
    };
    if check.api == Api::Http
        && let Some(d) = first.description
    {
        answer.headers.push((
            "www-authenticate".into(),
            format!(r#"Bearer scope="" error="invalid_token" error_description="{d}""#),
        ));
    }
    let mut findings: Vec<Finding> = failures
        .into_iter()
        .enumerate()
        .map(|(n, f)| {
            let finding = if f.certain {
                f.finding
            } else {
                f.finding.with("certain", false)
            };
            if n == 0 {
                with_answer(finding, &answer)
            } else {
                finding
            }
        })
        .collect();
    findings.extend(notes);
    (
        Verdict {
            authorized: false,
            answer: Some(answer),
            findings,
        },
        Some(token),
    )
}

/// `2026-12-05T10:00:00Z` for seconds since the epoch; None out of range.
pub fn rfc3339(t: i64) -> Option<String> {
    time::OffsetDateTime::from_unix_timestamp(t)
        .ok()?
        .format(&time::format_description::well_known::Rfc3339)
        .ok()
}

fn time(t: i64) -> String {
    rfc3339(t).unwrap_or_else(|| t.to_string())
}

/// The header and the claims of a compact JWS.
fn decode(token: &str) -> Result<(Value, Value), String> {
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return Err(format!(
            "a JWT has three dot-separated parts, this has {}",
            parts.len()
        ));
    }
    let part = |n: usize, name: &str| -> Result<Value, String> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(parts[n].trim_end_matches('='))
            .map_err(|e| format!("the {name} is not base64url: {e}"))?;
        let v: Value =
            serde_json::from_slice(&bytes).map_err(|e| format!("the {name} is not JSON: {e}"))?;
        if v.is_object() {
            Ok(v)
        } else {
            Err(format!("the {name} is not a JSON object"))
        }
    };
    Ok((part(0, "header")?, part(1, "payload")?))
}

/// The signature against the key of the token's `kid` in the JWKS.
fn verify(token: &str, header: &Value, jwks: &Value) -> Result<(), String> {
    let set: jsonwebtoken::jwk::JwkSet = serde_json::from_value(jwks.clone())
        .map_err(|e| format!("the --jwks file is not a JSON Web Key Set: {e}"))?;
    let kid = header
        .get("kid")
        .and_then(Value::as_str)
        .ok_or("the token has no kid: API Gateway picks the issuer's key by kid")?;
    let jwk = set
        .find(kid)
        .ok_or_else(|| format!("no key in the JWKS has kid {kid:?}: the token was signed by a key the issuer does not publish (another user pool or environment?)"))?;
    let key = jsonwebtoken::DecodingKey::from_jwk(jwk)
        .map_err(|e| format!("the key {kid:?} cannot be used: {e}"))?;
    let jh = jsonwebtoken::decode_header(token).map_err(|e| format!("the header: {e}"))?;
    let mut validation = jsonwebtoken::Validation::new(jh.alg);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    jsonwebtoken::decode::<Value>(token, &key, &validation)
        .map(|_| ())
        .map_err(|e| format!("the signature does not verify with key {kid:?}: {e}"))
}
