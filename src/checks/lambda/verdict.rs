//! Judges one Lambda output the way API Gateway does and predicts the client's response.
use super::response::{ClientResponse, Confidence, decoded_len, unescape};
use super::*;
use crate::finding::Finding;
use base64::Engine;
use serde_json::value::RawValue;
use serde_json::{Map, Value, json};

#[derive(Debug, Clone)]
pub struct Evaluation<'a> {
    pub api: Api,
    /// Whether API Gateway accepts the output as a proxy response.
    pub valid: bool,
    pub client: ClientResponse<'a>,
    pub confidence: Confidence,
    pub findings: Vec<Finding>,
    /// For an output that looks like Lambda's error object when nobody said whether the
    /// function threw it: the client's response had it been returned instead.
    pub alternative: Option<Alternative<'a>>,
}

/// How many header values a finding's evidence lists.
const EVIDENCE_VALUES: usize = 20;
/// How many findings of one code one output reports; the rest are counted in one more.
const FINDINGS_PER_CODE: usize = 20;

const REST_KEYS: &[&str] = &[
    "statusCode",
    "headers",
    "multiValueHeaders",
    "body",
    "isBase64Encoded",
];
const HTTP10_KEYS: &[&str] = REST_KEYS;
const HTTP20_KEYS: &[&str] = &[
    "statusCode",
    "headers",
    "cookies",
    "body",
    "isBase64Encoded",
];

/// Java's basic Base64 decoder, which API Gateway runs on: standard alphabet, padding
/// optional, no line breaks.
const BASE64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
);

struct Judge {
    api: Api,
    /// Whether a base64 body reaches the client decoded (REST: binary media types).
    decode_base64: bool,
    findings: Vec<Finding>,
    confidence: Confidence,
    rejected: bool,
    /// Findings per code so far, and those left out past `FINDINGS_PER_CODE`: a 6 MB output
    /// can hold millions of bad header values, and memory must stay near the input's size.
    counts: std::collections::HashMap<&'static str, usize>,
    left_out: indexmap::IndexMap<&'static str, (crate::finding::Severity, usize)>,
}

impl Judge {
    fn new(api: Api) -> Self {
        Judge {
            api,
            decode_base64: true,
            findings: Vec::new(),
            confidence: Confidence::Documented,
            rejected: false,
            counts: Default::default(),
            left_out: Default::default(),
        }
    }

    fn lower(&mut self, c: Confidence) {
        self.confidence = self.confidence.min(c);
    }

    /// API Gateway refuses the output: the client gets the gateway's error response.
    fn reject(&mut self, finding: Finding, c: Confidence) {
        self.rejected = true;
        self.push(finding, c);
    }

    fn push(&mut self, finding: Finding, c: Confidence) {
        self.lower(c);
        let path = finding.evidence.get("path").cloned();
        let code = finding.code;
        self.record(finding.with("confidence", json!(c)));
        if c == Confidence::Uncertain {
            self.record(
                Finding::warning(
                    BEHAVIOR_UNCERTAIN,
                    "AWS does not document what API Gateway does here: the predicted response is a best guess",
                )
                .with("path", path.unwrap_or(Value::Null))
                .with("about", code),
            );
        }
    }

    /// Keeps the first `FINDINGS_PER_CODE` findings of each code and counts the rest.
    fn record(&mut self, finding: Finding) {
        let seen = self.counts.entry(finding.code).or_default();
        *seen += 1;
        if *seen <= FINDINGS_PER_CODE {
            self.findings.push(finding);
        } else {
            let entry = self
                .left_out
                .entry(finding.code)
                .or_insert((finding.severity, 0));
            entry.0 = entry.0.max(finding.severity);
            entry.1 += 1;
        }
    }

    fn gateway_error(&self) -> ClientResponse<'static> {
        match self.api {
            Api::Rest => ClientResponse::gateway_error(502, "Internal server error"),
            Api::Http10 | Api::Http20 => {
                ClientResponse::gateway_error(500, "Internal Server Error")
            }
        }
    }

    /// The confidence of the error response itself: documented for REST, observed for HTTP APIs.
    fn rejection_confidence(&self) -> Confidence {
        match self.api {
            Api::Rest => Confidence::Documented,
            Api::Http10 | Api::Http20 => Confidence::Observed,
        }
    }

    fn finish<'a>(mut self, client: Option<ClientResponse<'a>>) -> Evaluation<'a> {
        for (code, (severity, n)) in std::mem::take(&mut self.left_out) {
            self.findings.push(
                Finding::new(
                    code,
                    severity,
                    format!("{n} more findings like the ones above were left out"),
                )
                .with("left_out", n),
            );
        }
        let client = match client {
            Some(c) if !self.rejected => c,
            _ => {
                self.lower(self.rejection_confidence());
                self.gateway_error()
            }
        };
        Evaluation {
            api: self.api,
            valid: !self.rejected,
            client,
            confidence: self.confidence,
            findings: self.findings,
            alternative: None,
        }
    }
}

/// Evaluates `output`, the bytes the function returned (`aws lambda invoke`'s outfile).
pub fn evaluate<'a>(output: &'a [u8], opts: &Options) -> Evaluation<'a> {
    let mut judge = Judge::new(opts.api);
    judge.decode_base64 = opts.decodes_base64();
    if let Some(kind) = opts.function_error {
        function_error(&mut judge, output, kind, false);
        return judge.finish(None);
    }
    if output.len() > MAX_RESPONSE_BYTES {
        return too_large(output.len() as u64, opts);
    }
    let trimmed = output.trim_ascii();
    if trimmed.is_empty() {
        judge.reject(
            Finding::error(EMPTY_OUTPUT, "the function returned no output at all")
                .with("path", "$")
                .with("found", "0 bytes"),
            Confidence::Uncertain,
        );
        return judge.finish(None);
    }
    let values = crate::document::count_values(trimmed, MAX_OUTPUT_VALUES);
    if values > MAX_OUTPUT_VALUES {
        judge.reject(
            Finding::error(
                OUTPUT_TOO_COMPLEX,
                format!("the output holds more than {MAX_OUTPUT_VALUES} JSON values: apigw-doctor does not evaluate it, and the response shown is only a guess"),
            )
            .with("path", "$")
            .with("limit", MAX_OUTPUT_VALUES),
            Confidence::Uncertain,
        );
        return judge.finish(None);
    }
    // Payload 2.0 has no multiValueHeaders (and may be a body as a whole): read as it is.
    let (value, body_text, multi) = match parse(trimmed, opts.api != Api::Http20) {
        Ok(v) => v,
        Err(e) => {
            let c = match opts.api {
                Api::Rest | Api::Http10 => Confidence::Observed,
                Api::Http20 => Confidence::Uncertain,
            };
            let leading = output.len() - output.trim_ascii_start().len();
            let (line, column) = shift_position(&output[..leading], e.line(), e.column());
            judge.reject(
                Finding::error(INVALID_JSON, format!("the output is not JSON: {e}"))
                    .with("path", "$")
                    .with("line", line)
                    .with("column", column)
                    .with("found", preview(trimmed)),
                c,
            );
            return judge.finish(None);
        }
    };
    if !opts.invocation_known && is_lambda_error(&value) {
        // Most likely thrown: that is what the client sees. Had the function returned the
        // object instead, the ordinary rules apply: that goes in `alternative`.
        function_error(&mut judge, output, FunctionError::Unhandled, true);
        let mut thrown = judge.finish(None);
        let returned = evaluate(
            output,
            &Options {
                invocation_known: true,
                ..opts.clone()
            },
        );
        thrown.alternative = Some(Alternative {
            assuming: "returned",
            valid: returned.valid,
            client: returned.client,
        });
        return thrown;
    }
    let client = match (opts.api, &value) {
        (Api::Http20, Value::Object(o)) if o.contains_key("statusCode") => {
            shaped(&mut judge, o, body_text, None, HTTP20_KEYS)
        }
        (Api::Http20, _) => Some(inferred(&mut judge, &value, trimmed)),
        (_, Value::Object(o)) => {
            let keys = if opts.api == Api::Rest {
                REST_KEYS
            } else {
                HTTP10_KEYS
            };
            shaped(&mut judge, o, body_text, multi, keys)
        }
        (_, Value::Null) => {
            judge.reject(
                Finding::error(
                    EMPTY_OUTPUT,
                    "the function returned null (nothing): a proxy response must be a JSON object",
                )
                .with("path", "$")
                .with("found", "null"),
                Confidence::Observed,
            );
            None
        }
        (_, other) => {
            judge.reject(
                wrong_type(
                    NOT_AN_OBJECT,
                    format!(
                        "the output is a JSON {}, not an object with statusCode and body",
                        kind(other)
                    ),
                    "$",
                    "object",
                    other,
                ),
                Confidence::Observed,
            );
            None
        }
    };
    let client = client.map(|c| finish_client(&mut judge, c, opts));
    judge.finish(client)
}

/// An output of `size` bytes, over Lambda's limit: the invocation itself fails, so API
/// Gateway sees a function error.
pub fn too_large(size: u64, opts: &Options) -> Evaluation<'static> {
    let mut judge = Judge::new(opts.api);
    let status = if opts.api == Api::Rest { 502 } else { 500 };
    let shown = if size > MAX_COUNTED_BYTES {
        format!("more than {MAX_COUNTED_BYTES}")
    } else {
        size.to_string()
    };
    judge.reject(
        Finding::error(
            OUTPUT_TOO_LARGE,
            format!(
                "the output is {shown} bytes; Lambda fails synchronous invocations whose response exceeds {MAX_RESPONSE_BYTES} bytes (Function.ResponseSizeTooLarge), so the client gets {status}"
            ),
        )
        .with("size", size)
        .with("limit", MAX_RESPONSE_BYTES),
        Confidence::Observed,
    );
    judge.finish(None)
}

/// Lambda's error object, as a runtime writes it when the handler throws: `errorMessage`
/// with `errorType`, `stackTrace` (Python, Java), `trace` (Node.js) or `requestId`; or a
/// timeout's `Task timed out after N seconds`.
pub fn is_lambda_error(output: &Value) -> bool {
    let Some(o) = output.as_object() else {
        return false;
    };
    let Some(message) = o.get("errorMessage").and_then(Value::as_str) else {
        return false;
    };
    ["errorType", "stackTrace", "trace", "requestId"]
        .iter()
        .any(|k| o.contains_key(*k))
        || message.contains("Task timed out after")
}

fn function_error(judge: &mut Judge, output: &[u8], kind: FunctionError, guessed: bool) {
    let payload: Option<Map<String, Value>> = serde_json::from_slice(output.trim_ascii()).ok();
    let field = |k: &str| {
        payload
            .as_ref()
            .and_then(|p| p.get(k))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let message = field("errorMessage");
    let error_type = field("errorType");
    let status = if judge.api == Api::Rest { 502 } else { 500 };
    let what = format!(
        "{}{}",
        error_type.as_deref().unwrap_or("error"),
        message
            .as_deref()
            .map(|m| format!(": {m}"))
            .unwrap_or_default(),
    );
    let mut text = if guessed {
        format!(
            "this is Lambda's error object, so the function most likely failed ({what}); a proxy integration does not map function errors: the client gets {status} (pass `aws lambda invoke`'s printed output with --invoke-meta to be sure)"
        )
    } else {
        format!(
            "the function failed ({what}); a proxy integration does not map function errors: the client gets {status}"
        )
    };
    if let Some(hint) = runtime_hint(
        error_type.as_deref(),
        message.as_deref().unwrap_or_default(),
    ) {
        text.push_str("; ");
        text.push_str(hint);
    }
    let c = judge.rejection_confidence();
    judge.reject(
        Finding::error(
            if timed_out(
                error_type.as_deref(),
                message.as_deref().unwrap_or_default(),
            ) {
                FUNCTION_TIMEOUT
            } else {
                FUNCTION_ERROR
            },
            text,
        )
        .with("function_error", json!(kind))
        .with("assumed", guessed)
        .with("error_type", error_type)
        .with("error_message", message),
        c,
    );
}

/// Lambda's own timeout error (`Task timed out after N seconds`, `Sandbox.Timedout`).
fn timed_out(error_type: Option<&str>, message: &str) -> bool {
    message.contains("Task timed out after") || error_type == Some("Sandbox.Timedout")
}

/// What the runtime's error says about where to look, for the errors Lambda users meet most.
fn runtime_hint(error_type: Option<&str>, message: &str) -> Option<&'static str> {
    let t = error_type.unwrap_or_default();
    if message.contains("Task timed out after") || t == "Sandbox.Timedout" {
        return Some(
            "the function timed out: raise its timeout or find the slow call in its logs; if its timeout exceeds the integration timeout (29 s by default), the client gets 504 first",
        );
    }
    Some(match t {
        "Runtime.ImportModuleError" => {
            "the runtime could not load the handler's module: check the handler setting (file.function), the package layout and bundled dependencies"
        }
        "Runtime.HandlerNotFound" => {
            "the handler function named in the configuration does not exist in the module: check the handler setting and the exported name"
        }
        "Runtime.UserCodeSyntaxError" => {
            "the function's code does not parse: fix the syntax error named in the message and redeploy"
        }
        "Runtime.ExitError" if message.contains("signal: killed") => {
            "the runtime was killed, usually for running out of memory: raise the function's memory"
        }
        "Runtime.ExitError" => "the runtime process exited: see the function's logs for why",
        "Runtime.OutOfMemory" => "the function ran out of memory: raise its memory setting",
        "Runtime.MarshalError" | "Runtime.UnmarshalError" => {
            "the handler returned (or received) a value the runtime cannot serialise as JSON"
        }
        t if t.starts_with("java.") || t.contains("Exception") => {
            "a Java exception escaped the handler: catch it and return a response with the right statusCode, or see stackTrace"
        }
        "" => return None,
        _ => {
            "an exception escaped the handler: catch it and return a proxy response with a 4xx/5xx statusCode, or see the function's logs (aws logs tail /aws/lambda/FUNCTION --since 15m)"
        }
    })
}

/// An output that carries the proxy response fields (every REST and 1.0 object; 2.0 objects
/// with statusCode).
fn shaped<'a>(
    judge: &mut Judge,
    o: &Map<String, Value>,
    body_text: Option<(&'a RawValue, usize)>,
    multi: Option<ClientResponse<'a>>,
    allowed: &[&str],
) -> Option<ClientResponse<'a>> {
    let api = judge.api;
    let looks_like_lambda_error = o.contains_key("errorMessage") && o.contains_key("errorType");
    for key in o.keys().filter(|k| !allowed.contains(&k.as_str())) {
        let path = member("$", key);
        if api == Api::Rest && key == "base64Encoded" {
            // SAM CLI's authors report AWS accepted this legacy spelling in their trials
            // (aws-sam-cli#2941); nothing recorded confirms it.
            judge.push(
                Finding::warning(
                    UNKNOWN_FIELD,
                    "base64Encoded is a legacy spelling of isBase64Encoded: SAM CLI treats it as isBase64Encoded, but whether API Gateway accepts it (or answers 502) is not recorded; use isBase64Encoded",
                )
                .with("path", path),
                Confidence::Uncertain,
            );
            continue;
        }
        if api == Api::Rest {
            let mut msg = format!(
                "unknown top-level key {key:?}: REST APIs reject the whole response (Malformed Lambda proxy response)"
            );
            if looks_like_lambda_error {
                msg.push_str("; this is Lambda's error object, so the function failed: pass --function-error if `aws lambda invoke` printed FunctionError");
            }
            judge.reject(
                Finding::error(UNKNOWN_FIELD, msg)
                    .with("path", path)
                    .with("allowed", json!(allowed)),
                Confidence::Observed,
            );
        } else {
            let hint = match (api, key.as_str()) {
                (Api::Http10, "cookies") => {
                    "payload 1.0 has no cookies: send Set-Cookie in multiValueHeaders"
                }
                (Api::Http20, "multiValueHeaders") => {
                    "payload 2.0 has no multiValueHeaders: join values with commas in headers, and use cookies for Set-Cookie"
                }
                _ => "HTTP APIs ignore it",
            };
            judge.push(
                Finding::warning(
                    FIELD_IGNORED,
                    format!("{key:?} is not part of {}: {hint}", api.label()),
                )
                .with("path", path),
                Confidence::Observed,
            );
        }
    }

    let status = match o.get("statusCode") {
        None if api == Api::Rest => {
            judge.push(
                Finding::warning(
                    STATUS_CODE_MISSING,
                    "statusCode is missing: REST APIs use 200",
                )
                .with("path", "$.statusCode"),
                Confidence::Observed,
            );
            200
        }
        None => {
            judge.reject(
                Finding::error(
                    STATUS_CODE_MISSING,
                    "statusCode is missing: payload format 1.0 requires it",
                )
                .with("path", "$.statusCode")
                .with("expected", "integer 100-599"),
                Confidence::Documented,
            );
            0
        }
        Some(v) => status_code(judge, v),
    };

    let mut client = ClientResponse::new(status);
    if api != Api::Http20 {
        match multi {
            // The usual shape: every value is a string, so nothing to report on it.
            Some(headers) => {
                client = headers;
                client.status = status;
            }
            None => multi_value_headers(judge, o.get("multiValueHeaders"), &mut client),
        }
    }
    headers(judge, o.get("headers"), &mut client);
    if api == Api::Http20 {
        cookies(judge, o.get("cookies"), &mut client);
    }
    let legacy = (api == Api::Rest && !o.contains_key("isBase64Encoded"))
        .then(|| o.get("base64Encoded"))
        .flatten();
    let flagged = is_base64_encoded(judge, o.get("isBase64Encoded").or(legacy));
    if flagged && !judge.decode_base64 {
        judge.push(
            Finding::info(
                BINARY_NOT_DECODED,
                "isBase64Encoded is true, but the request's Accept header matches none of the API's binary media types: API Gateway sends the base64 text itself; add the media type to the API's binaryMediaTypes (and redeploy), and have clients send it as the first Accept value",
            )
            .with("path", "$.isBase64Encoded"),
            Confidence::Documented,
        );
    }
    let base64 = flagged && judge.decode_base64;
    match body_text {
        Some((literal, len)) if !base64 => client.set_body_literal(literal, len),
        Some((literal, _)) => {
            let text = unescape(literal.get()).unwrap_or_default();
            client.set_body(string_body(judge, text, base64));
        }
        None => client.set_body(body(judge, o.get("body"), base64)),
    }
    Some(client)
}

fn status_code(judge: &mut Judge, v: &Value) -> u16 {
    let path = "$.statusCode";
    let in_range = |n: i128| (100..=599).contains(&n);
    let invalid = |judge: &mut Judge, found: String, c: Confidence| {
        judge.reject(
            Finding::error(
                STATUS_CODE_INVALID,
                format!("statusCode must be an integer from 100 to 599, found {found}"),
            )
            .with("path", path)
            .with("expected", "integer 100-599")
            .with("found", found),
            c,
        );
        0
    };
    match v {
        Value::Number(n) => {
            if let Some(i) = n.as_i128() {
                if in_range(i) {
                    return i as u16;
                }
                return invalid(judge, n.to_string(), Confidence::Uncertain);
            }
            let f = n.as_f64().unwrap_or(f64::NAN);
            if f.fract() == 0.0 && in_range(f as i128) {
                judge.push(
                    Finding::warning(STATUS_CODE_INVALID, format!("statusCode is the number {n}; it is likely read as {}, but return an integer", f as i128))
                        .with("path", path)
                        .with("found", n.to_string()),
                    Confidence::Uncertain,
                );
                return f as u16;
            }
            invalid(judge, n.to_string(), Confidence::Uncertain)
        }
        Value::String(s) => {
            let parsed = (!s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<i128>().ok())
                .flatten()
                .filter(|&i| in_range(i));
            let c = if judge.api == Api::Rest {
                Confidence::Observed
            } else {
                Confidence::Uncertain
            };
            match parsed {
                Some(i) => {
                    judge.push(
                        Finding::info(STATUS_CODE_INVALID, format!("statusCode is the string {s:?}; API Gateway accepts it as {i}, but return an integer"))
                            .with("path", path)
                            .with("found", format!("{s:?}")),
                        c,
                    );
                    i as u16
                }
                None => invalid(judge, format!("the string {s:?}"), c),
            }
        }
        other => invalid(judge, kind(other).to_string(), Confidence::Uncertain),
    }
}

/// A header value as API Gateway sends it, or None when it rejects the response.
/// `path` makes the value's JSON path, for a finding (most values have none).
fn header_value<'v>(
    judge: &mut Judge,
    path: impl Fn() -> String,
    v: &'v Value,
    code: &'static str,
) -> Option<std::borrow::Cow<'v, str>> {
    match v {
        Value::String(s) => Some(std::borrow::Cow::Borrowed(s)),
        Value::Bool(b) => {
            let c = if judge.api == Api::Rest {
                Confidence::Observed
            } else {
                Confidence::Uncertain
            };
            judge.push(
                Finding::warning(code, format!("header value is the boolean {b}; API Gateway sends it as \"{b}\", but give strings"))
                    .with("path", path())
                    .with("found", *b),
                c,
            );
            Some(b.to_string().into())
        }
        other => {
            let mut msg = format!("header value must be a string, found {}", kind(other));
            if other.is_array() && code == HEADER_VALUE_INVALID && judge.api != Api::Http20 {
                msg.push_str(": put several values in multiValueHeaders");
            }
            judge.reject(
                Finding::error(code, msg)
                    .with("path", path())
                    .with("expected", "string")
                    .with("found", kind(other)),
                Confidence::Uncertain,
            );
            None
        }
    }
}

fn headers(judge: &mut Judge, v: Option<&Value>, client: &mut ClientResponse) {
    let map = match v {
        None | Some(Value::Null) => return,
        Some(Value::Object(m)) => m,
        Some(other) => {
            judge.reject(
                wrong_type(
                    HEADERS_INVALID,
                    format!(
                        "headers must be an object of header names to strings, found {}",
                        kind(other)
                    ),
                    "$.headers",
                    "object",
                    other,
                ),
                Confidence::Uncertain,
            );
            return;
        }
    };
    for (name, value) in map {
        let path = || member("$.headers", name);
        let Some(value) = header_value(judge, path, value, HEADER_VALUE_INVALID) else {
            continue;
        };
        // The evidence lists at most a few values: one header may hold 242,000.
        let sample = |values: Option<super::response::Values>| {
            values.map(|v| json!(v.iter().take(EVIDENCE_VALUES).collect::<Vec<_>>()))
        };
        let before = sample(client.header(name));
        if client.add_header(name, &value) {
            let merged = client.header(name);
            let count = merged.map_or(0, |v| v.len());
            let mut shown: Vec<&str> = merged.into_iter().flatten().take(EVIDENCE_VALUES).collect();
            if count > EVIDENCE_VALUES {
                shown.push("…");
            }
            judge.push(
                Finding::info(
                    HEADERS_MERGED,
                    format!("{name} is in both headers and multiValueHeaders: API Gateway merges them into {}", shown.join(", ")),
                )
                .with("path", path())
                .with("multi_value_headers", before)
                .with("headers", value)
                .with("merged", sample(client.header(name)))
                .with("merged_count", count),
                Confidence::Documented,
            );
        }
    }
}

fn multi_value_headers(judge: &mut Judge, v: Option<&Value>, client: &mut ClientResponse) {
    let map = match v {
        None | Some(Value::Null) => return,
        Some(Value::Object(m)) => m,
        Some(other) => {
            judge.reject(
                wrong_type(MULTI_VALUE_HEADERS_INVALID, format!("multiValueHeaders must be an object of header names to arrays of strings, found {}", kind(other)), "$.multiValueHeaders", "object", other),
                Confidence::Uncertain,
            );
            return;
        }
    };
    for (name, values) in map {
        let path = || member("$.multiValueHeaders", name);
        let Value::Array(values) = values else {
            judge.reject(
                wrong_type(
                    MULTI_VALUE_HEADERS_INVALID,
                    format!(
                        "multiValueHeaders.{name} must be an array of strings, found {}",
                        kind(values)
                    ),
                    path(),
                    "array of strings",
                    values,
                ),
                if judge.api == Api::Rest {
                    Confidence::Observed
                } else {
                    Confidence::Uncertain
                },
            );
            continue;
        };
        for (i, value) in values.iter().enumerate() {
            if let Some(value) = header_value(
                judge,
                || format!("{}[{i}]", path()),
                value,
                MULTI_VALUE_HEADERS_INVALID,
            ) {
                client.add_header(name, &value);
            }
        }
    }
}

fn cookies(judge: &mut Judge, v: Option<&Value>, client: &mut ClientResponse) {
    let list = match v {
        None | Some(Value::Null) => return,
        Some(Value::Array(list)) => list,
        Some(other) => {
            judge.reject(
                wrong_type(
                    COOKIES_INVALID,
                    format!("cookies must be an array of strings, found {}", kind(other)),
                    "$.cookies",
                    "array of strings",
                    other,
                ),
                Confidence::Uncertain,
            );
            return;
        }
    };
    for (i, cookie) in list.iter().enumerate() {
        match cookie {
            Value::String(s) => client.cookies.push(s.clone()),
            other => judge.reject(
                wrong_type(
                    COOKIES_INVALID,
                    format!(
                        "each cookie must be a string such as \"id=1; Path=/\", found {}",
                        kind(other)
                    ),
                    format!("$.cookies[{i}]"),
                    "string",
                    other,
                ),
                Confidence::Uncertain,
            ),
        }
    }
}

fn is_base64_encoded(judge: &mut Judge, v: Option<&Value>) -> bool {
    let path = "$.isBase64Encoded";
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) if s == "true" || s == "false" => {
            judge.push(
                Finding::warning(IS_BASE64_ENCODED_INVALID, format!("isBase64Encoded is the string {s:?}; it is likely read as {s}, but return a boolean"))
                    .with("path", path)
                    .with("expected", "boolean")
                    .with("found", format!("{s:?}")),
                Confidence::Uncertain,
            );
            s == "true"
        }
        Some(other) => {
            judge.reject(
                wrong_type(
                    IS_BASE64_ENCODED_INVALID,
                    format!(
                        "isBase64Encoded must be true or false, found {}",
                        kind(other)
                    ),
                    path,
                    "boolean",
                    other,
                ),
                Confidence::Uncertain,
            );
            false
        }
    }
}

fn body(judge: &mut Judge, v: Option<&Value>, base64: bool) -> Vec<u8> {
    let text = match v {
        None | Some(Value::Null) => return Vec::new(),
        Some(Value::String(s)) => s,
        Some(other) => {
            let c = match (judge.api, other) {
                (Api::Rest, Value::Object(_) | Value::Array(_)) => Confidence::Observed,
                _ => Confidence::Uncertain,
            };
            judge.reject(
                wrong_type(BODY_NOT_STRING, format!("body must be a string, found {}: serialize it (JSON.stringify / json.dumps)", kind(other)), "$.body", "string", other),
                c,
            );
            return Vec::new();
        }
    };
    string_body(judge, text.clone().into_bytes(), base64)
}

/// A string body: its bytes, or the decoded bytes when `isBase64Encoded` is true.
fn string_body(judge: &mut Judge, text: Vec<u8>, base64: bool) -> Vec<u8> {
    if !base64 {
        return text;
    }
    match BASE64.decode(&text) {
        Ok(bytes) => bytes,
        Err(e) => {
            judge.reject(
                Finding::error(
                    BODY_NOT_BASE64,
                    format!("isBase64Encoded is true but the body is not base64: {e}"),
                )
                .with("path", "$.body")
                .with("found", preview(&text)),
                Confidence::Uncertain,
            );
            Vec::new()
        }
    }
}

/// Parses an output. An object's string `body` (up to 6 MB of text, usually escaped JSON)
/// is kept as raw JSON, borrowed from the output, and decoded only when something reads
/// it (`-o json` writes the literal as it is): it is never copied through serde_json's
/// growing scratch buffer. The parsed object holds an empty string in its place.
/// With `typed`, `multiValueHeaders` of the usual shape is read straight into a response's
/// headers (see [`add_multi_value_headers`]), and the parsed object holds an empty object in
/// its place. Anything else in it is parsed as before, for its findings (or its error).
type Parsed<'a> = (
    Value,
    Option<(&'a RawValue, usize)>,
    Option<ClientResponse<'a>>,
);

/// Adds `multiValueHeaders` of the usual shape (an object of arrays of strings, names and
/// values without escapes, no name twice) to `client` as it reads it, with no tree of values
/// (a header may hold 242,000 values): false, with some headers added, for any other shape
/// (the caller then drops `client`).
fn add_multi_value_headers<'a>(text: &'a str, client: &mut ClientResponse<'a>) -> bool {
    use serde::de::Deserializer as _;
    // Names that matched an earlier one case-insensitively: a name written twice is one of
    // these, or the header's first spelling.
    let mut merged: std::collections::HashSet<&'a str, foldhash::fast::RandomState> =
        Default::default();
    let usual = |name: &'a str, values: &'a RawValue| {
        // The name is looked up once: its header's position, when there is one (a header with
        // no values is not made: an empty list adds nothing).
        let mut at = match client.header_position(name) {
            Some((_, spelled)) if spelled == name => return false,
            _ if merged.contains(name) => return false,
            Some((n, _)) => {
                merged.insert(name);
                Some(n)
            }
            None => None,
        };
        let values = values.get();
        // A long list is counted first, so that its header grows once.
        if values.len() > RESERVE_PAST {
            let mut count = 0;
            if each_string(values, |_| count += 1).is_err() {
                return false;
            }
            if count > 0 {
                let n = *at.get_or_insert_with(|| client.new_header_at(name));
                client.reserve_at(n, count);
            }
        }
        each_string(values, |v| {
            let n = *at.get_or_insert_with(|| client.new_header_at(name));
            client.add_value_at(n, v);
        })
        .is_ok()
    };
    serde_json::Deserializer::from_str(text)
        .deserialize_map(EachEntry(usual))
        .unwrap_or(false)
}

/// Lists of values longer than this (in bytes of JSON) are counted before they are added.
const RESERVE_PAST: usize = 4096;

/// Calls `f` with each string of a JSON array, borrowed from `array`: an error for any other
/// element, or a string with escapes.
fn each_string<'de>(array: &'de str, f: impl FnMut(&'de str)) -> serde_json::Result<()> {
    use serde::de::Deserializer as _;
    struct Each<F>(F);
    impl<'de, F: FnMut(&'de str)> serde::de::Visitor<'de> for Each<F> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an array of strings")
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
            while let Some(v) = seq.next_element::<&'de str>()? {
                (self.0)(v);
            }
            Ok(())
        }
    }
    serde_json::Deserializer::from_str(array).deserialize_seq(Each(f))
}

/// Calls `f` with each name of a JSON object and its value as raw JSON: whether `f` took
/// every entry (it stops at the first it refuses).
struct EachEntry<F>(F);

impl<'de, F: FnMut(&'de str, &'de RawValue) -> bool> serde::de::Visitor<'de> for EachEntry<F> {
    type Value = bool;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(mut self, mut map: A) -> Result<bool, A::Error> {
        while let Some(name) = map.next_key::<&'de str>()? {
            if !(self.0)(name, map.next_value()?) {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

fn parse(bytes: &[u8], typed: bool) -> Result<Parsed<'_>, serde_json::Error> {
    if bytes.first() == Some(&b'{')
        && let Ok(fields) = serde_json::from_slice::<
            indexmap::IndexMap<String, &RawValue, foldhash::fast::RandomState>,
        >(bytes)
    {
        let mut map = Map::with_capacity(fields.len());
        let mut body = None;
        let mut multi = None;
        for (key, raw) in fields {
            let value = if key == "body" && raw.get().starts_with('"') {
                // A lone surrogate: serde_json reports it, with its position, below.
                let Some(len) = decoded_len(raw.get()) else {
                    return serde_json::from_slice(bytes).map(|v| (v, None, None));
                };
                body = Some((raw, len));
                Value::String(String::new())
            } else if let Some(headers) = (typed && key == "multiValueHeaders")
                .then(|| {
                    let mut headers = ClientResponse::borrowing(raw.get());
                    add_multi_value_headers(raw.get(), &mut headers).then_some(headers)
                })
                .flatten()
            {
                multi = Some(headers);
                Value::Object(Map::new())
            } else {
                serde_json::from_str(raw.get())?
            };
            map.insert(key, value);
        }
        return Ok((Value::Object(map), body, multi));
    }
    serde_json::from_slice(bytes).map(|v| (v, None, None))
}

/// Payload 2.0 without statusCode: 200, application/json, the whole output as the body.
fn inferred(judge: &mut Judge, value: &Value, raw: &[u8]) -> ClientResponse<'static> {
    if value.is_string() {
        // AWS's interpretation table writes `"body": "Hello from Lambda!"`, a sketch rather
        // than bytes; the Lambda function URL page, in the same notation, then shows the
        // real response with the quotes. No recording of an HTTP API settles it.
        judge.push(
            Finding::info(
                INFERRED_RESPONSE,
                "the output is a bare JSON string: payload 2.0 answers 200 with content-type application/json and, most likely, the JSON text itself as the body, quotes included (return an object with statusCode and body to be sure what the client gets)",
            )
            .with("path", "$"),
            Confidence::Uncertain,
        );
    } else {
        judge.push(
            Finding::info(
                INFERRED_RESPONSE,
                format!("the output is a JSON {} without statusCode: payload 2.0 answers 200 with content-type application/json and the whole output as the body", kind(value)),
            )
            .with("path", "$"),
            Confidence::Documented,
        );
    }
    if let Value::Object(o) = value {
        let unused: Vec<&str> = [
            "body",
            "headers",
            "cookies",
            "isBase64Encoded",
            "multiValueHeaders",
        ]
        .into_iter()
        .filter(|k| o.contains_key(*k))
        .collect();
        if !unused.is_empty() {
            judge.push(
                Finding::warning(
                    STATUS_CODE_MISSING,
                    format!("the output has {} but no statusCode, so they are not used: the client gets the whole object as the body", unused.join(", ")),
                )
                .with("path", "$.statusCode")
                .with("unused", json!(unused)),
                Confidence::Documented,
            );
        }
    }
    if let Some((path, why)) = looks_like_error(value, "$") {
        judge.push(
            Finding::warning(
                ERROR_AS_200,
                format!("the output looks like an error ({why}) but has no statusCode, so the client gets 200 OK; if `aws lambda invoke` printed FunctionError, pass --function-error"),
            )
            .with("path", path),
            Confidence::Documented,
        );
    }
    let mut client = ClientResponse::new(200);
    client.add_header("content-type", "application/json");
    client.set_body(raw.to_vec());
    client
}

/// Adjustments every accepted response goes through on its way to the client.
fn finish_client<'a>(
    judge: &mut Judge,
    mut client: ClientResponse<'a>,
    opts: &Options,
) -> ClientResponse<'a> {
    if judge.rejected {
        return client;
    }
    if opts.api == Api::Rest && client.header("content-type").is_none() {
        // REST proxy responses without a content type go out as JSON.
        client.add_header("Content-Type", "application/json");
    }
    let no_body_status = (100..200).contains(&client.status) || matches!(client.status, 204 | 304);
    let head = opts.method.eq_ignore_ascii_case("HEAD");
    let body_len = client.body_len();
    if body_len > 0 && (no_body_status || head) {
        let why = if head {
            "the request method is HEAD".to_string()
        } else {
            format!("status {} has no body", client.status)
        };
        judge.push(
            Finding::warning(
                BODY_IGNORED,
                format!("the body ({body_len} bytes) never reaches the client: {why}"),
            )
            .with("path", "$.body")
            .with("status", client.status),
            Confidence::Documented,
        );
        client.set_body(Vec::new());
    }
    client
}

/// Why an inferred body looks like an error, if it does.
fn looks_like_error(v: &Value, path: &str) -> Option<(String, String)> {
    match v {
        Value::String(s) if has_failure_words(s) => {
            Some((path.to_string(), format!("text {}", preview(s.as_bytes()))))
        }
        Value::Object(o) => {
            for (key, value) in o {
                let k = key.to_ascii_lowercase();
                let p = member(path, key);
                let error_key = matches!(
                    k.as_str(),
                    "error"
                        | "errors"
                        | "errormessage"
                        | "errortype"
                        | "exception"
                        | "fault"
                        | "err"
                );
                if error_key && !value.is_null() && value != &Value::Bool(false) {
                    return Some((p, format!("key {key:?}")));
                }
                if matches!(
                    k.as_str(),
                    "status" | "code" | "statuscode" | "status_code" | "httpstatus" | "http_status"
                ) && error_status(value)
                {
                    return Some((p, format!("{key} = {value}")));
                }
                if matches!(k.as_str(), "success" | "ok") && value == &Value::Bool(false) {
                    return Some((p, format!("{key} = false")));
                }
                if matches!(k.as_str(), "message" | "detail" | "title" | "reason")
                    && value.as_str().is_some_and(has_failure_words)
                {
                    return Some((p, format!("{key} = {value}")));
                }
            }
            None
        }
        _ => None,
    }
}

fn error_status(v: &Value) -> bool {
    let n = match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    };
    n.is_some_and(|n| (400..=599).contains(&n))
}

fn has_failure_words(s: &str) -> bool {
    let lower = s.to_lowercase();
    [
        "error",
        "exception",
        "fail",
        "not found",
        "invalid",
        "denied",
        "unauthorized",
        "forbidden",
        "traceback",
    ]
    .iter()
    .any(|w| lower.contains(w))
}

/// A value of the wrong JSON type: the evidence names the path, what was expected and found.
fn wrong_type(
    code: &'static str,
    message: String,
    path: impl Into<Value>,
    expected: &str,
    found: &Value,
) -> Finding {
    Finding::error(code, message)
        .with("path", path)
        .with("expected", expected)
        .with("found", kind(found))
}

use crate::checks::json_kind as kind;

/// `$.headers.X-Count`, or `$.headers['odd key']` when the name is not a plain word.
pub(crate) fn member(parent: &str, key: &str) -> String {
    let plain = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if plain {
        format!("{parent}.{key}")
    } else {
        format!(
            "{parent}['{}']",
            key.replace('\\', "\\\\").replace('\'', "\\'")
        )
    }
}

/// The first 80 characters of some text, for evidence.
fn preview(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(320)]);
    let mut out: String = text.chars().take(80).collect();
    if text.chars().count() > 80 || bytes.len() > 320 {
        out.push('…');
    }
    out
}

/// serde_json counts lines from the trimmed text; report them in the file's own terms.
fn shift_position(leading: &[u8], line: usize, column: usize) -> (usize, usize) {
    let newlines = leading.iter().filter(|&&b| b == b'\n').count();
    if newlines == 0 {
        let col_shift = leading.len();
        (
            line,
            if line == 1 {
                column + col_shift
            } else {
                column
            },
        )
    } else {
        let after_last = leading.len() - 1 - leading.iter().rposition(|&b| b == b'\n').unwrap_or(0);
        (
            line + newlines,
            if line == 1 {
                column + after_last
            } else {
                column
            },
        )
    }
}
