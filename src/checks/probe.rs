//! Reading API Gateway and CloudFront error signatures in an HTTP response: who answered,
//! with which error type, and what it means (the CloudFront article's symptoms and the
//! spec's signature table).
use crate::finding::Finding;
use serde::Serialize;
use serde_json::Value;

pub const MISSING_AUTHENTICATION_TOKEN: &str = "probe.missing-authentication-token";
pub const MISSING_AUTHENTICATION_TOKEN_CLOUDFRONT: &str =
    "probe.missing-authentication-token-cloudfront";
pub const PAYLOAD_TOO_LARGE: &str = "probe.payload-too-large";
pub const CORS_MISSING: &str = "probe.cors-missing";
pub const FORBIDDEN: &str = "probe.forbidden";
pub const ACCESS_DENIED: &str = "probe.access-denied";
pub const UNAUTHORIZED: &str = "probe.unauthorized";
pub const THROTTLED: &str = "probe.throttled";
pub const LAMBDA_INTERNAL_ERROR: &str = "probe.lambda-internal-error";
pub const INTEGRATION_TIMEOUT: &str = "probe.integration-timeout";
pub const CLOUDFRONT_ERROR: &str = "probe.cloudfront-error";
pub const PLAIN_HTTP_ORIGIN: &str = "probe.plain-http-origin";
pub const REQUEST_FAILED: &str = "probe.request-failed";
pub const REDIRECT_ELSEWHERE: &str = "probe.redirect-elsewhere";
pub const NO_ROUTE: &str = "probe.no-route";
pub const SERVICE_UNAVAILABLE: &str = "probe.service-unavailable";
pub const INCOMPLETE_SIGNATURE: &str = "probe.incomplete-signature";
pub const INVALID_SIGNATURE: &str = "probe.invalid-signature";
pub const AUTHORIZER_DENIED: &str = "probe.authorizer-denied";
pub const AUTHORIZER_ERROR: &str = "probe.authorizer-error";
pub const ERROR_STATUS: &str = "probe.error-status";
pub const REQUEST_INVALID: &str = "probe.request-invalid";
pub const UNSUPPORTED_MEDIA_TYPE: &str = "probe.unsupported-media-type";

pub const CODES: &[&str] = &[
    MISSING_AUTHENTICATION_TOKEN,
    MISSING_AUTHENTICATION_TOKEN_CLOUDFRONT,
    PAYLOAD_TOO_LARGE,
    CORS_MISSING,
    FORBIDDEN,
    ACCESS_DENIED,
    UNAUTHORIZED,
    THROTTLED,
    LAMBDA_INTERNAL_ERROR,
    INTEGRATION_TIMEOUT,
    CLOUDFRONT_ERROR,
    PLAIN_HTTP_ORIGIN,
    REQUEST_FAILED,
    REDIRECT_ELSEWHERE,
    NO_ROUTE,
    SERVICE_UNAVAILABLE,
    INCOMPLETE_SIGNATURE,
    INVALID_SIGNATURE,
    AUTHORIZER_DENIED,
    AUTHORIZER_ERROR,
    ERROR_STATUS,
    REQUEST_INVALID,
    UNSUPPORTED_MEDIA_TYPE,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AnsweredBy {
    #[serde(rename = "api-gateway")]
    ApiGateway,
    #[serde(rename = "cloudfront")]
    Cloudfront,
    #[serde(rename = "cloudfront+api-gateway")]
    Both,
    #[serde(rename = "other")]
    Other,
}

/// One received response, as the signatures need it.
pub struct Response<'a> {
    pub status: u16,
    /// Lower-case names.
    pub headers: &'a [(String, String)],
    pub body: &'a str,
    /// The request path as API Gateway saw it.
    pub path: &'a str,
    pub elapsed_ms: u64,
    /// The request's `Origin` header, when the caller sent one (a browser's cross-origin call).
    pub origin: Option<&'a str>,
    /// The host called: an edge-optimized API's own name answers through CloudFront too.
    pub host: &'a str,
    /// The request's `Authorization` header, when the caller sent one: only its scheme
    /// (`Bearer`, `AWS4-HMAC-SHA256`) is ever shown.
    pub authorization: Option<&'a str>,
}

impl Response<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

pub fn answered_by(headers: &[(String, String)]) -> AnsweredBy {
    let has = |n: &str| headers.iter().any(|(k, _)| k == n);
    let apigw = has("x-amzn-requestid")
        || has("x-amz-apigw-id")
        || has("x-amzn-errortype")
        || has("apigw-requestid");
    let cloudfront = has("x-amz-cf-id")
        || has("x-amz-cf-pop")
        || headers.iter().any(|(k, v)| {
            (k == "via" && v.contains("CloudFront"))
                || (k == "x-cache" && v.to_ascii_lowercase().contains("cloudfront"))
        });
    match (cloudfront, apigw) {
        (true, true) => AnsweredBy::Both,
        (true, false) => AnsweredBy::Cloudfront,
        (false, true) => AnsweredBy::ApiGateway,
        (false, false) => AnsweredBy::Other,
    }
}

/// `x-amzn-ErrorType` without its trailing documentation URL.
pub fn error_type(headers: &[(String, String)]) -> Option<String> {
    headers
        .iter()
        .find(|(k, _)| k == "x-amzn-errortype")
        .map(|(_, v)| v.split(':').next().unwrap_or(v).trim().to_string())
}

/// `{"message": "..."}` (or `Message`) from a JSON error body.
fn body_message(body: &str) -> Option<String> {
    let v: Value = serde_json::from_str(body.trim()).ok()?;
    v.get("message")
        .or_else(|| v.get("Message"))
        .and_then(Value::as_str)
        .map(str::to_string)
}

pub fn diagnose(r: &Response<'_>) -> Vec<Finding> {
    let mut f = Vec::new();
    let by = answered_by(r.headers);
    let kind = error_type(r.headers);
    let message = body_message(r.body);
    let is = |t: &str| kind.as_deref() == Some(t);
    let starts = |m: &str| message.as_deref().is_some_and(|x| x.starts_with(m));
    let says = |m: &str| {
        message
            .as_deref()
            .is_some_and(|x| x.eq_ignore_ascii_case(m))
    };
    // Through the user's own distribution: an edge-optimized API's execute-api name answers
    // through API Gateway's CloudFront, where no origin path is involved.
    let behind_cloudfront = matches!(by, AnsweredBy::Both | AnsweredBy::Cloudfront)
        && !r.host.to_ascii_lowercase().contains(".execute-api.");
    let with = |finding: Finding| {
        finding
            .with("status", r.status)
            .with("error_type", kind.clone())
            .with("message", message.clone())
    };

    if r.status == 413 {
        // Edge-optimized APIs refuse bodies over 10 MB at their own CloudFront front
        // ("HTTP content length exceeded 10485760 bytes."); Lambda's 6 MB answers "Request Too Long".
        f.push(with(Finding::error(
            PAYLOAD_TOO_LARGE,
            "the request body is too large: API Gateway takes at most 10 MB (10485760 bytes), a Lambda integration at most 6 MB",
        )));
        f.extend(cors(r).map(with));
        return f;
    }
    let cloudfront_itself = r
        .header("x-cache")
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("error from cloudfront"))
        && !matches!(by, AnsweredBy::ApiGateway | AnsweredBy::Both);
    if cloudfront_itself {
        let what = match r.status {
            403 => {
                "CloudFront refused the request itself: the host is not an alternate domain name of the distribution, or the method is not allowed"
            }
            502 if r.body.contains("connect to the origin") => {
                "CloudFront could not connect to the origin: check the origin domain, HTTPS only, and minimum origin SSL protocol TLSv1.2"
            }
            500..=599 => {
                "CloudFront answered with an error itself: the distribution may still be deploying, or the origin is unreachable"
            }
            _ => "CloudFront answered the request itself, not the origin",
        };
        f.push(
            with(Finding::error(CLOUDFRONT_ERROR, what))
                .with("x_cache", r.header("x-cache"))
                .with("pop", r.header("x-amz-cf-pop")),
        );
        return f;
    }
    if is("MissingAuthenticationTokenException") || says("Missing Authentication Token") {
        let stage = r
            .path
            .trim_start_matches('/')
            .split('/')
            .next()
            .unwrap_or_default();
        let mut msg = format!(
            "API Gateway has no method for {} {} (a wrong stage or resource path; an IAM-authorized method called without a signature answers the same)",
            if stage.is_empty() {
                "the root"
            } else {
                "this path:"
            },
            r.path
        );
        let code = if behind_cloudfront {
            msg.push_str("; behind CloudFront, the origin path is prepended to this path: keep it empty and let base path mappings route");
            MISSING_AUTHENTICATION_TOKEN_CLOUDFRONT
        } else {
            MISSING_AUTHENTICATION_TOKEN
        };
        f.push(
            with(Finding::error(code, msg))
                .with("path", r.path)
                .with("first_segment", stage)
                .with("behind_cloudfront", behind_cloudfront),
        );
    } else if is("IncompleteSignatureException") || starts("Authorization header requires") {
        f.push(with(incomplete_signature(r.authorization)));
    } else if is("InvalidSignatureException")
        || starts("The security token included in the request is")
        || starts("Signature expired")
        || starts("The request signature we calculated does not match")
    {
        f.push(with(invalid_signature(
            message.as_deref().unwrap_or_default(),
        )));
    } else if starts("User is not authorized to access this resource") {
        // The Lambda authorizer's policy (specs/authorizers.md): no principal ARN in it.
        f.push(with(Finding::error(
            AUTHORIZER_DENIED,
            "the Lambda authorizer's policy does not allow this method (403, gateway response ACCESS_DENIED): its policyDocument has no Allow for this method's ARN, or a Deny covers it; with authorizer caching on, a policy returned for another method of the same token answers too",
        )));
    } else if is("AccessDeniedException")
        || message
            .as_deref()
            .is_some_and(|m| m.contains("is not authorized to perform"))
    {
        f.push(with(Finding::error(
            ACCESS_DENIED,
            "the caller may not invoke this method: the API's resource policy denies it or does not allow it, or, for a method with IAM authorization, the caller's IAM policy does not allow execute-api:Invoke",
        )));
    } else if r.status == 400
        && (says("Invalid request body") || starts("Missing required request parameters"))
    {
        f.push(with(Finding::error(
            REQUEST_INVALID,
            "the method's request validator refused the request before the integration ran (BAD_REQUEST_BODY or BAD_REQUEST_PARAMETERS): the body does not match the method's model, or a required header, query string or path parameter is missing",
        )));
    } else if r.status == 415 && says("Unsupported Media Type") {
        f.push(with(Finding::error(
            UNSUPPORTED_MEDIA_TYPE,
            "no request template matches this Content-Type and the integration's passthroughBehavior refuses to pass the body through (NEVER, or WHEN_NO_TEMPLATES with templates for other types)",
        )));
    } else if is("AuthorizerConfigurationException") {
        f.push(with(Finding::error(
            AUTHORIZER_ERROR,
            "the authorizer failed or answered with an output API Gateway cannot use (500 AuthorizerConfigurationException): the function threw (anything but \"Unauthorized\"), timed out, may not be invoked by API Gateway, or returned no principalId or a malformed policy",
        )));
    } else if is("ForbiddenException") || (r.status == 403 && says("Forbidden")) {
        f.push(with(Finding::error(
            FORBIDDEN,
            "API Gateway answered Forbidden: a custom domain path no base path (API) mapping covers, a private API called from outside its allowed VPC endpoint, a WAF rule that blocked the request, a disabled default endpoint, or a missing API key",
        )));
    } else if r.status == 401 || is("UnauthorizedException") {
        // An HTTP API's JWT authorizer says why in its challenge (RFC 6750's error_description).
        let challenge = r.header("www-authenticate");
        let mut what = "an authorizer rejected the call (missing or invalid token)".to_string();
        if let Some(c) = challenge {
            what.push_str(&format!("; its WWW-Authenticate challenge says: {c}"));
        }
        f.push(with(Finding::error(UNAUTHORIZED, what)).with("www_authenticate", challenge));
    } else if r.status == 429 || is("TooManyRequestsException") || is("LimitExceededException") {
        // The call was refused: an error, however transient.
        f.push(with(Finding::error(
            THROTTLED,
            "API Gateway throttled the call (stage, method or usage plan limits)",
        )));
    } else if r.status == 504 && message.as_deref().is_some_and(|m| m.contains("timed out")) {
        f.push(with(Finding::error(
            INTEGRATION_TIMEOUT,
            format!("the integration did not answer in time ({} ms here; REST APIs time out after 29 s by default)", r.elapsed_ms),
        )).with("elapsed_ms", r.elapsed_ms));
    } else if r.status == 404 && by != AnsweredBy::Other && says("Not Found") {
        f.push(with(Finding::error(
            NO_ROUTE,
            format!("an HTTP API has no route for this method and path ({}): check the routes (or add ANY /{{proxy+}} or $default), and that the stage is in the URL unless it is $default", r.path),
        )).with("path", r.path));
    } else if r.status == 503 && by != AnsweredBy::Other && says("Service Unavailable") {
        f.push(with(Finding::error(
            SERVICE_UNAVAILABLE,
            "an HTTP API answered 503 Service Unavailable: its integration did not answer in time (at most 30 s) or could not be reached (a private integration's VPC link or load balancer)",
        )));
    } else if r.status == 500
        && by != AnsweredBy::Other
        && message.as_deref() == Some("Internal Server Error")
    {
        // HTTP APIs write it with capitals; REST APIs write "Internal server error".
        f.push(with(Finding::error(
            LAMBDA_INTERNAL_ERROR,
            "an HTTP API answered 500 Internal Server Error: the Lambda output did not fit the payload format version (check it with apigw-doctor lambda --api http), the function failed, or API Gateway may not invoke it (lambda:InvokeFunction permission)",
        )));
    } else if matches!(r.status, 500 | 502)
        && by != AnsweredBy::Other
        && message
            .as_deref()
            .is_some_and(|m| m.eq_ignore_ascii_case("internal server error"))
    {
        let what = if r.status == 502 {
            "API Gateway answered 502 Internal server error: with a Lambda proxy integration the function's output was malformed or the function failed"
        } else {
            "API Gateway answered 500 Internal server error: the integration could not be invoked (permissions, throttling) or, for HTTP APIs, the Lambda output was rejected"
        };
        f.push(with(Finding::error(LAMBDA_INTERNAL_ERROR, what)));
    }
    if f.is_empty() && r.status >= 400 {
        // An error no signature above reads is still an error: never an all-clear.
        f.push(with(error_status(
            r,
            by,
            kind.as_deref(),
            message.as_deref(),
        )));
    }
    f.extend(cors(r).map(with));
    f
}

/// Whether an `Authorization` header is a SigV4 (`AWS4-HMAC-SHA256`) or SigV4a signature.
pub fn is_sigv4(authorization: &str) -> bool {
    authorization.trim_start().starts_with("AWS4-")
}

/// The scheme of an `Authorization` header (`Bearer`, `AWS4-HMAC-SHA256`), never its secret.
pub fn authorization_scheme(authorization: &str) -> &str {
    let first = authorization.split_whitespace().next().unwrap_or_default();
    // A bare token has no scheme: say so rather than echo it.
    if first.len() <= 24
        && first
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        first
    } else {
        "none: a bare token"
    }
}

/// 403 IncompleteSignatureException: an `Authorization` header that is not SigV4, read as one.
fn incomplete_signature(authorization: Option<&str>) -> Finding {
    let sent = match authorization {
        Some(a) if !is_sigv4(a) => {
            format!("the request's Authorization header (scheme {}) is not a SigV4 signature, and API Gateway read it as one", authorization_scheme(a))
        }
        Some(_) => "the request's SigV4 Authorization header lacks parts API Gateway needs (Credential, SignedHeaders, Signature, and an X-Amz-Date or Date header)".to_string(),
        None => "API Gateway read an Authorization header as an incomplete SigV4 signature".to_string(),
    };
    Finding::error(
        INCOMPLETE_SIGNATURE,
        format!("{sent}: it does so when no method matches this method and path (a request without the header gets 403 Missing Authentication Token there), and when the method uses IAM authorization"),
    )
    .with("authorization_scheme", authorization.map(authorization_scheme))
}

/// 403 InvalidSignatureException, or an access key API Gateway does not know: a SigV4
/// signature that a method with IAM authorization refused.
fn invalid_signature(message: &str) -> Finding {
    let what = if message.starts_with("Signature expired") {
        "the SigV4 signature expired before API Gateway received it: the request was signed about 5 minutes or more earlier (a client clock out of step, or a signed request sent later); the message gives both times"
    } else if message.starts_with("The security token included in the request is") {
        "the access key or session token that signed the request is not valid (a mistyped, deleted or expired key, or temporary credentials without their session token)"
    } else if message.contains("does not match") {
        "API Gateway computed a different SigV4 signature: the request was signed for another method, path, query string, host, header set or body, another region or service than execute-api, or with a secret key that is not the access key's"
    } else {
        "a method with IAM authorization refused the request's SigV4 signature"
    };
    Finding::error(INVALID_SIGNATURE, what)
}

/// An error status no signature explains: who answered it, and with what.
fn error_status(
    r: &Response<'_>,
    by: AnsweredBy,
    kind: Option<&str>,
    message: Option<&str>,
) -> Finding {
    // The message is evidence in full; the sentence quotes its start.
    const QUOTED: usize = 200;
    let said = message.map_or(String::new(), |m| {
        let cut = m.floor_char_boundary(QUOTED.min(m.len()));
        let more = if cut < m.len() { "..." } else { "" };
        format!(" {:?}{more}", &m[..cut])
    });
    let what = match (kind, by) {
        (Some(kind), _) => format!(
            "API Gateway answered {} itself ({kind}{said}), an answer no check here explains further: the x-amzn-ErrorType names the gateway response",
            r.status
        ),
        (None, AnsweredBy::ApiGateway | AnsweredBy::Both) => format!(
            "the integration answered {}{said}: API Gateway passed the backend's status on (no x-amzn-ErrorType, so not an answer of its own)",
            r.status
        ),
        (None, AnsweredBy::Cloudfront) => format!(
            "{} came through CloudFront without API Gateway's headers: the distribution's origin answered it",
            r.status
        ),
        (None, AnsweredBy::Other) => format!(
            "the server answered {}{said}, without API Gateway's or CloudFront's headers (x-amzn-RequestId, apigw-requestid, x-amz-cf-id): check the URL names the API",
            r.status
        ),
    };
    Finding::error(ERROR_STATUS, what)
}

/// A cross-origin caller (the request had `Origin`) gets a response a browser may not read.
fn cors(r: &Response<'_>) -> Option<Finding> {
    let origin = r.origin?.trim();
    let allowed = r.header("access-control-allow-origin").map(str::trim);
    let readable = allowed.is_some_and(|a| a == "*" || a.eq_ignore_ascii_case(origin));
    if readable {
        return None;
    }
    let what = match allowed {
        None => format!(
            "the response has no Access-Control-Allow-Origin header: a browser page at {origin} cannot read it and reports a CORS error instead of status {}",
            r.status
        ),
        Some(other) => format!(
            "Access-Control-Allow-Origin is {other:?}, not {origin:?} or \"*\": a browser page at {origin} cannot read this response"
        ),
    };
    Some(
        // The caller named this origin: a page there cannot read the answer, whatever its status.
        Finding::error(CORS_MISSING, what)
            .with("origin", origin)
            .with("access_control_allow_origin", allowed),
    )
}

/// A plain-http URL to an API Gateway or CloudFront-fronted API: API Gateway serves HTTPS only.
pub fn plain_http(url: &url::Url) -> Option<Finding> {
    if url.scheme() != "http" {
        return None;
    }
    let host = url.host_str().unwrap_or_default();
    // CloudFront may serve plain http; API Gateway's own names never do.
    let kind = super::domain::target::classify(host);
    matches!(
        kind,
        super::domain::target::TargetKind::RegionalDomain
            | super::domain::target::TargetKind::DefaultEndpoint
    )
    .then(|| {
        Finding::error(
            PLAIN_HTTP_ORIGIN,
            format!("{host} is an API Gateway endpoint, which serves HTTPS only: use https://"),
        )
        .with("url", url.as_str())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn who_answered() {
        assert_eq!(
            answered_by(&h(&[("x-amzn-requestid", "1")])),
            AnsweredBy::ApiGateway
        );
        assert_eq!(
            answered_by(&h(&[("apigw-requestid", "1")])),
            AnsweredBy::ApiGateway
        );
        assert_eq!(
            answered_by(&h(&[("via", "1.1 abc.cloudfront.net (CloudFront)")])),
            AnsweredBy::Cloudfront
        );
        assert_eq!(
            answered_by(&h(&[("x-amz-cf-id", "x"), ("x-amz-apigw-id", "y")])),
            AnsweredBy::Both
        );
        assert_eq!(answered_by(&h(&[("server", "nginx")])), AnsweredBy::Other);
    }

    #[test]
    fn error_type_drops_the_documentation_url() {
        let headers = h(&[(
            "x-amzn-errortype",
            "MissingAuthenticationTokenException:http://internal.amazon.com/coral/com.amazon.coral.service/",
        )]);
        assert_eq!(
            error_type(&headers).as_deref(),
            Some("MissingAuthenticationTokenException")
        );
    }
}
