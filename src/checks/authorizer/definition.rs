//! What guards a method in a definition: the security requirement of the operation (or of
//! the API), and the security schemes it names (`securityDefinitions` in Swagger 2,
//! `components.securitySchemes` in OpenAPI 3) with API Gateway's extensions
//! (`x-amazon-apigateway-authtype`, `x-amazon-apigateway-authorizer`). Facts and marks:
//! specs/authorizers.md and specs/request-pipeline.md.
use serde::Serialize;
use serde_json::{Map, Value};

/// Where an identity source value is read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "in", content = "name", rename_all = "lowercase")]
pub enum Source {
    Header(String),
    Querystring(String),
    /// `context.*`, `stageVariables.*`, `$context.*`, `$stageVariables.*`: always present
    /// as far as the request goes.
    Other(String),
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Guard {
    /// AWS_IAM: a SigV4 signature.
    Iam { name: String },
    /// A Lambda authorizer (TOKEN or REQUEST).
    Lambda {
        name: String,
        token: bool,
        identity: Vec<Source>,
        /// Seconds; the documented default is 300 (REST) and 0 (HTTP APIs).
        ttl: Option<u64>,
        /// TOKEN: the regular expression the token must match before the call.
        validation_expression: Option<String>,
        /// HTTP APIs: `enableSimpleResponses`.
        simple_responses: bool,
    },
    /// A Cognito user pool authorizer (REST).
    Cognito {
        name: String,
        header: String,
        /// Issuers made of the user pools' ARNs.
        issuers: Vec<String>,
        scopes: Vec<String>,
    },
    /// A JWT authorizer (HTTP APIs).
    Jwt {
        name: String,
        identity: Vec<Source>,
        issuer: Option<String>,
        audiences: Vec<String>,
        scopes: Vec<String>,
    },
    /// A scheme the definition names but does not define, or defines in a way the tool does
    /// not know.
    Unknown { name: String, why: String },
}

/// The guards of an operation, and whether it requires an API key.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Guards {
    pub guards: Vec<Guard>,
    pub api_key: bool,
}

/// Reads the operation's security requirement (its own `security`, else the API's) against
/// the definition's schemes. API Gateway's exports list each scheme of a method as its own
/// entry (`[{"api_key": []}, {"my-authorizer": []}]`) and mean all of them, not OpenAPI's
/// "any one of": every entry counts.
pub fn guards(root: &Value, op: &Map<String, Value>) -> Guards {
    let mut out = Guards::default();
    let entries: Vec<&Map<String, Value>> = op
        .get("security")
        .or_else(|| root.get("security"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .collect();
    let schemes = root
        .get("securityDefinitions")
        .or_else(|| root.pointer("/components/securitySchemes"))
        .and_then(Value::as_object);
    for (name, scopes) in entries.into_iter().flatten() {
        let scopes: Vec<String> = scopes
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
        let Some(scheme) = schemes.and_then(|s| s.get(name)).and_then(Value::as_object) else {
            // SAM writes an event's `Authorizer: NONE` as `security: [{"NONE": []}]` with no
            // such scheme (samtranslator SwaggerEditor; its translator test
            // api_with_swagger_authorizer_none), and the method it deploys has no
            // authorization, as SAM documents NONE [inferred: what API Gateway's import does
            // with an undefined scheme is not documented; SAM relies on it].
            if name == "NONE" {
                continue;
            }
            out.guards.push(Guard::Unknown {
                name: name.clone(),
                why: "the security requirement names a scheme the definition does not define"
                    .into(),
            });
            continue;
        };
        match guard(name, scheme, scopes) {
            Some(g) => out.guards.push(g),
            None => out.api_key = true,
        }
    }
    out
}

/// One scheme; None for the API key scheme (`x-api-key` in a header, no authorizer).
fn guard(name: &str, scheme: &Map<String, Value>, scopes: Vec<String>) -> Option<Guard> {
    let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or_default().to_string();
    let authtype = text(scheme.get("x-amazon-apigateway-authtype")).to_ascii_lowercase();
    let authorizer = scheme
        .get("x-amazon-apigateway-authorizer")
        .and_then(Value::as_object);
    let Some(a) = authorizer else {
        if authtype == "awssigv4" {
            return Some(Guard::Iam { name: name.into() });
        }
        if text(scheme.get("type")).eq_ignore_ascii_case("apikey")
            && text(scheme.get("name")).eq_ignore_ascii_case("x-api-key")
        {
            return None;
        }
        return Some(Guard::Unknown {
            name: name.into(),
            why: "a security scheme without x-amazon-apigateway-authorizer that is neither the x-api-key API key nor awsSigv4".into(),
        });
    };
    let kind = text(a.get("type")).to_ascii_lowercase();
    let header = text(scheme.get("name"));
    let identity_text = text(a.get("identitySource"));
    let identity: Vec<Source> = identity_text
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(source)
        .collect();
    let ttl = a
        .get("authorizerResultTtlInSeconds")
        .and_then(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok()));
    match kind.as_str() {
        "token" => Some(Guard::Lambda {
            name: name.into(),
            token: true,
            identity: if identity.is_empty() {
                vec![Source::Header(header)]
            } else {
                identity
            },
            ttl,
            validation_expression: a
                .get("identityValidationExpression")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            simple_responses: false,
        }),
        "request" => Some(Guard::Lambda {
            name: name.into(),
            token: false,
            identity,
            ttl,
            validation_expression: None,
            simple_responses: a
                .get("enableSimpleResponses")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        }),
        "cognito_user_pools" => Some(Guard::Cognito {
            name: name.into(),
            header: if header.is_empty() {
                "Authorization".into()
            } else {
                header
            },
            issuers: a
                .get("providerARNs")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .filter_map(user_pool_issuer)
                .collect(),
            scopes,
        }),
        "jwt" => {
            let config = a.get("jwtConfiguration");
            Some(Guard::Jwt {
                name: name.into(),
                identity: if identity.is_empty() {
                    vec![Source::Header("Authorization".into())]
                } else {
                    identity
                },
                issuer: config
                    .and_then(|c| c.get("issuer"))
                    .and_then(Value::as_str)
                    .map(str::to_string),
                audiences: config
                    .and_then(|c| c.get("audience"))
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect(),
                scopes,
            })
        }
        other => Some(Guard::Unknown {
            name: name.into(),
            why: format!("x-amazon-apigateway-authorizer of type {other:?}"),
        }),
    }
}

/// `method.request.header.Auth` (REST) or `$request.header.Auth` (HTTP APIs).
fn source(s: &str) -> Source {
    let rest = s
        .strip_prefix("method.request.")
        .or_else(|| s.strip_prefix("$request."));
    match rest {
        Some(r) => {
            if let Some(h) = r.strip_prefix("header.") {
                Source::Header(h.to_string())
            } else if let Some(q) = r.strip_prefix("querystring.") {
                Source::Querystring(q.to_string())
            } else {
                Source::Other(s.to_string())
            }
        }
        None => Source::Other(s.to_string()),
    }
}

/// `arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID` → the tokens' issuer,
/// `https://cognito-idp.REGION.amazonaws.com/POOL_ID`.
pub fn user_pool_issuer(arn: &str) -> Option<String> {
    let mut parts = arn.splitn(6, ':');
    let (_, _, service, region, _, resource) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    let pool = resource.strip_prefix("userpool/")?;
    (service == "cognito-idp").then(|| format!("https://cognito-idp.{region}.amazonaws.com/{pool}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn swagger_token_authorizer_and_api_key() {
        let root = json!({
            "securityDefinitions": {
                "api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"},
                "auth": {"type": "apiKey", "name": "Authorization", "in": "header",
                    "x-amazon-apigateway-authtype": "custom",
                    "x-amazon-apigateway-authorizer": {"type": "token",
                        "authorizerResultTtlInSeconds": 60,
                        "identityValidationExpression": "^Bearer .+$"}}
            }
        });
        let op = json!({"security": [{"auth": [], "api_key": []}]});
        let g = guards(&root, op.as_object().unwrap());
        assert!(g.api_key);
        match &g.guards[..] {
            [
                Guard::Lambda {
                    token: true,
                    identity,
                    ttl: Some(60),
                    validation_expression: Some(_),
                    ..
                },
            ] => assert_eq!(identity, &vec![Source::Header("Authorization".into())]),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn api_level_security_and_openapi3_jwt() {
        let root = json!({
            "security": [{"jwt": ["orders/read"]}],
            "components": {"securitySchemes": {"jwt": {"type": "oauth2",
                "x-amazon-apigateway-authorizer": {"type": "jwt",
                    "identitySource": "$request.header.Authorization",
                    "jwtConfiguration": {"issuer": "https://issuer.example", "audience": ["a", "b"]}}}}}
        });
        let g = guards(&root, json!({}).as_object().unwrap());
        match &g.guards[..] {
            [
                Guard::Jwt {
                    issuer: Some(i),
                    audiences,
                    scopes,
                    ..
                },
            ] => {
                assert_eq!(i, "https://issuer.example");
                assert_eq!(audiences.len(), 2);
                assert_eq!(scopes, &vec!["orders/read".to_string()]);
            }
            other => panic!("{other:?}"),
        }
        // An operation's empty security list turns the API's off.
        let none = guards(&root, json!({"security": []}).as_object().unwrap());
        assert!(none.guards.is_empty());
    }

    #[test]
    fn request_identity_sources_and_cognito_issuers() {
        assert_eq!(
            source("method.request.querystring.token"),
            Source::Querystring("token".into())
        );
        assert_eq!(
            source("$request.header.X-Id"),
            Source::Header("X-Id".into())
        );
        assert_eq!(
            source("context.sourceIp"),
            Source::Other("context.sourceIp".into())
        );
        assert_eq!(
            user_pool_issuer("arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbC"),
            Some("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC".into())
        );
        assert_eq!(user_pool_issuer("arn:aws:iam::1:role/x"), None);
    }
}
