//! Checks: each looks at something real and emits findings with stable codes.
pub mod authorizer;
pub mod binary;
pub mod budget;
pub mod cloudfront;
pub mod domain;
pub mod gateway_responses;
pub mod lambda;
pub mod lambda_permission;
pub mod lint;
pub mod live;
pub mod pipeline;
pub mod policy;
pub mod private;
pub mod probe;
pub mod selection;
pub mod template;
pub mod validation;
pub mod websocket;
pub mod wildcard;

/// Finding codes that articles already name for checks not built yet. It only shrinks:
/// a code moves out of here when the check that emits it lands.
pub const PENDING_CODES: &[&str] = &[];

/// Every finding code that some check emits.
pub fn emitted_codes() -> Vec<&'static str> {
    [
        authorizer::CODES,
        binary::CODES,
        gateway_responses::CODES,
        lambda::CODES,
        selection::CODES,
        lint::CODES,
        policy::CODES,
        domain::CODES,
        domain::mtls::CODES,
        probe::CODES,
        private::CODES,
        cloudfront::CODES,
        template::CODES,
        validation::CODES,
        pipeline::CODES,
        crate::sources::CODES,
        websocket::CODES,
        live::CODES,
    ]
    .concat()
}

/// The JSON type of a value, in the words of the findings.
pub(crate) fn json_kind(v: &serde_json::Value) -> &'static str {
    use serde_json::Value;
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A JSON string or list of strings, as IAM policies and JWT claims write them; other values
/// (and list members that are not strings) give nothing.
pub(crate) fn string_list(v: &serde_json::Value) -> Vec<String> {
    use serde_json::Value;
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(list) => list
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}
