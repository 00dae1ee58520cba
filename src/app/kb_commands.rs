//! `kb search`, `kb show`, `kb list`.
use super::Session;
use crate::cli::KbSearchArgs;
use crate::kb::{
    Article,
    search::{Hit, Index, MAX_QUERY_BYTES},
};
use crate::report::{Outcome, Report, human::Palette};
use anyhow::{Result, bail};
use serde::Serialize;
use std::io::{self, Write};

#[derive(Serialize)]
struct SearchOutcome {
    /// At least one hit is above the confidence floor.
    confident: bool,
    hits: Vec<Hit>,
    /// A command that takes the pasted text itself as its input.
    #[serde(skip_serializing_if = "Option::is_none")]
    takes_text: Option<TakesText>,
    /// What the text lacks for a confident answer, when that can be named.
    #[serde(skip_serializing_if = "Option::is_none")]
    missing: Option<Missing>,
}

/// A text that names an error status but not the message that tells its causes apart.
#[derive(Serialize)]
struct Missing {
    status: u16,
    /// The articles whose problem answers with this status.
    articles: Vec<String>,
    command: &'static str,
}

/// An HTTP error status the text names as the answer to a call (`returns 403`, `HTTP/1.1 502`,
/// `403 Forbidden`) while carrying no error message (a JSON body, an exception name, an AWS
/// SDK's `Error Code:`) in a short text: what it lacks is the message, and `probe` reads it from
/// the response. A number in other company (`map 4xx to 400 with a regex`) is not a status.
fn bare_status(text: &str) -> Option<u16> {
    const MAX_WORDS: usize = 40;
    /// Words beside a status that make it a call's answer: verbs of answering, the reason
    /// phrases' first words, "error", "status", "HTTP".
    const CALL: &[&str] = &[
        "error",
        "errors",
        "status",
        "code",
        "http",
        "returns",
        "returned",
        "returning",
        "return",
        "got",
        "get",
        "gets",
        "getting",
        "gives",
        "giving",
        "response",
        "responds",
        "answers",
        "throws",
        "throwing",
        "forbidden",
        "unauthorized",
        "bad",
        "gateway",
        "internal",
        "not",
        "too",
        "service",
        "request",
        "payload",
        "unsupported",
    ];
    if text.split_whitespace().nth(MAX_WORDS).is_some() {
        return None;
    }
    let lower = text.to_ascii_lowercase();
    if ["{", "message", "exception", "error code"]
        .iter()
        .any(|m| lower.contains(m))
    {
        return None;
    }
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let status_at = |w: &str| {
        w.parse::<u16>()
            .ok()
            .filter(|s| w.len() == 3 && (400..600).contains(s))
    };
    let beside = |n: Option<usize>| {
        n.and_then(|n| words.get(n))
            .is_some_and(|w| CALL.contains(w))
    };
    let status = words.iter().enumerate().find_map(|(at, w)| {
        status_at(w).filter(|_| beside(at.checked_sub(1)) || beside(Some(at + 1)))
    })?;
    // Two different statuses: the text is about something else than one refused call.
    words
        .iter()
        .filter_map(|w| status_at(w))
        .all(|s| s == status)
        .then_some(status)
}

/// The articles whose title, question, summary or symptoms name this status as a word.
fn articles_naming(kb: &crate::kb::KnowledgeBase, status: u16) -> Vec<String> {
    let code = status.to_string();
    kb.articles()
        .iter()
        .filter(|a| {
            [&a.title, &a.question, &a.summary]
                .into_iter()
                .chain(&a.symptoms)
                .any(|t| {
                    t.split(|c: char| !c.is_ascii_alphanumeric())
                        .any(|w| w == code)
                })
        })
        .map(|a| a.id.clone())
        .collect()
}

/// The pasted text is the input of a check: run it on the text rather than reading the article.
#[derive(Serialize)]
struct TakesText {
    command: String,
    why: &'static str,
}

/// `lint` on a document the AWS CLI or Terraform printed.
const LINT_OUTPUT: &str = "apigw-doctor lint FILE   (FILE: this output; - reads standard input)";

/// A VPC link deletion error is what `lint --vpc-link-error` reads; a `dig` answer names the
/// host `domain` checks; a `curl -v` transcript is a request `probe` can send again; a Lambda
/// function's output (an error object or a proxy response) is what `lambda` judges; a Lambda
/// authorizer's output and a JWT are what `authorizer` judges; a mapping template is what
/// `template` renders; an API definition is what `lint` reads, a distribution's configuration
/// what `cloudfront` reads, an API's resource policy what `policy` evaluates, a method's
/// integration responses what `selection` chooses among; `openssl s_client`'s output names the
/// host `domain` checks, and a WebSocket client's failed connection the URL `probe` upgrades.
fn takes_text(query: &str) -> Option<TakesText> {
    let lower = query.to_ascii_lowercase();
    if lower.contains("cannot delete vpc link") && lower.contains("is referenced in") {
        return Some(TakesText {
            command: "apigw-doctor lint EXPORT --vpc-link-error @ERROR.txt".into(),
            why: "this error is its input: with the API's export it names every method, resource and stage that holds the link",
        });
    }
    if let Some(host) = dig_question(query) {
        return Some(TakesText {
            command: format!("apigw-doctor domain {host}"),
            why: "this is dig's answer for a name: `domain` follows its DNS chain to API Gateway and checks the certificate the name serves",
        });
    }
    if let Some(command) = curl_request(query) {
        return Some(TakesText {
            command,
            why: "this is curl's verbose transcript: `probe` sends the same request and reads API Gateway's and CloudFront's answer (stage, route, authorizer, CORS, certificate); add the headers that matter with -H (the transcript's are not copied: they may hold credentials)",
        });
    }
    if let Some(command) = websocket_connection(query) {
        return Some(TakesText {
            command,
            why: "this is a WebSocket client's failed connection: `probe` makes the same upgrade and shows API Gateway's answer ($connect's authorizer or function, a URL without a stage, throttling); add the headers the client sends with -H",
        });
    }
    if let Some(output) = logged_endpoint_response(query)
        && lambda_output(&output).is_some()
    {
        return Some(TakesText {
            command:
                "apigw-doctor lambda OUTPUT.json   (OUTPUT.json: the log's endpoint response body)"
                    .into(),
            why: "this execution log holds the function's output (\"Endpoint response body before transformations\"): `lambda` says whether API Gateway accepts it and what the client gets",
        });
    }
    if let Some(definition) = definition(query) {
        return Some(definition);
    }
    let document = serde_json::from_str::<serde_json::Value>(query.trim()).ok();
    if document.as_ref().is_some_and(api_resource_policy) {
        return Some(TakesText {
            command: "apigw-doctor policy POLICY.json --principal ARN --resource ARN   (or: ... | apigw-doctor policy - ...)".into(),
            why: "this is an API's resource policy: `policy` validates it and evaluates a call against it (the caller, the method's ARN, its VPC endpoint or source IP)",
        });
    }
    let Some(serde_json::Value::Object(object)) = document else {
        // Not a JSON document: a template's JSON is written around its variables.
        if mapping_template(query) {
            return Some(TakesText {
                command: "apigw-doctor template TEMPLATE.vtl --body BODY.json   (TEMPLATE.vtl: the template; --phase request for a request template)".into(),
                why: "this text holds a mapping template: `template` renders it as API Gateway's Velocity does ($input, $util, $context, the status and header overrides) and says where it fails",
            });
        }
        if let Some(command) = openssl_s_client(query) {
            return Some(TakesText {
                command,
                why: "this is openssl s_client's output: `domain` follows the name's DNS to API Gateway and checks the certificate it serves against the name and its custom domain's settings",
            });
        }
        return jwt_in(query).then(|| TakesText {
            command: "apigw-doctor authorizer --jwt TOKEN --issuer URL --audience CLIENT_ID".into(),
            why: "this text holds a JWT: `authorizer --jwt` checks it as a Cognito or HTTP API JWT authorizer would (issuer, audience, expiry, token use, scopes)",
        });
    };
    if object.contains_key("principalId") || object.contains_key("policyDocument") {
        return Some(TakesText {
            command: "apigw-doctor authorizer OUTPUT.json --method-arn ARN".into(),
            why: "this is a Lambda authorizer's output: `authorizer` says whether its policy allows the request and what the client gets",
        });
    }
    if object.contains_key("isAuthorized") {
        return Some(TakesText {
            command: "apigw-doctor authorizer OUTPUT.json --api http".into(),
            why: "this is an HTTP API Lambda authorizer's simple response: `authorizer` says what the client gets",
        });
    }
    if let Some(read) = integration_output(&object) {
        return Some(read);
    }
    let error = lambda_output(&object)?;
    Some(TakesText {
        command: "apigw-doctor lambda OUTPUT.json   (or: ... | apigw-doctor lambda -)".into(),
        why: if error {
            "this is a Lambda function's error object: `lambda` says what API Gateway answers for it, thrown or returned"
        } else {
            "this is a Lambda function's output: `lambda` says whether API Gateway accepts it and what the client gets"
        },
    })
}

/// An API definition `lint` reads (an OpenAPI document with API Gateway's extensions, or a
/// SAM/CloudFormation template that declares API Gateway resources; Terraform configuration,
/// whose plan's JSON it reads), or a CloudFront distribution's configuration `cloudfront`
/// reads. Only a declaration counts: a key (`x-amazon-apigateway-integration:`) or a resource
/// type (`Type: AWS::ApiGateway::Method`), not a name in prose or in a deployment's event log
/// (`CREATE_FAILED AWS::ApiGateway::Stage`).
fn definition(text: &str) -> Option<TakesText> {
    if [
        "resource \"aws_api_gateway_",
        "resource \"aws_apigatewayv2_",
    ]
    .iter()
    .any(|block| text.contains(block))
    {
        return Some(TakesText {
            command: "apigw-doctor lint plan.json   (plan.json: terraform plan -out plan.out && terraform show -json plan.out > plan.json)".into(),
            why: "this is Terraform configuration for API Gateway: `lint` reads the JSON Terraform makes of its plan or state (not .tf files) and checks the API it declares offline",
        });
    }
    let terraform_types = ["\"aws_api_gateway_", "\"aws_apigatewayv2_"];
    if text.contains("\"terraform_version\"") && terraform_types.iter().any(|t| text.contains(t)) {
        return Some(TakesText {
            command: LINT_OUTPUT.into(),
            why: "this is `terraform show -json` output (a saved plan or the state): `lint` reads the API Gateway resources it holds and checks them offline",
        });
    }
    // The key is `Type` itself, not CloudFormation events' `ResourceType`.
    let declares = |prefix: &str| {
        text.match_indices(prefix).any(|(at, _)| {
            text[..at]
                .trim_end_matches([' ', '"', '\''])
                .strip_suffix(':')
                .map(|key| key.trim_end_matches(['"', '\'']))
                .and_then(|key| key.strip_suffix("Type"))
                .is_some_and(|before| {
                    !before.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                })
        })
    };
    if extension_key(text)
        || declares("AWS::ApiGateway")
        || declares("AWS::Serverless::Api")
        || declares("AWS::Serverless::HttpApi")
    {
        return Some(TakesText {
            command:
                "apigw-doctor lint FILE   (FILE: the export or template; - reads standard input)"
                    .into(),
            why: "this is an API definition (an export with API Gateway's extensions, or a SAM/CloudFormation template): `lint` checks it offline (integrations, method and integration responses, templates, CORS, authorizers, logging, VPC links)",
        });
    }
    (text.contains("\"DistributionConfig\"") || declares("AWS::CloudFront::Distribution")).then(|| TakesText {
        command: "apigw-doctor cloudfront CONFIG.json --url https://DISTRIBUTION.cloudfront.net/PATH".into(),
        why: "this is a CloudFront distribution's configuration: `cloudfront` checks its API Gateway origins and behaviors and traces a URL through it to the stage and resource that answers",
    })
}

/// One of API Gateway's OpenAPI extensions written as a key (`x-amazon-apigateway-integration:`).
/// A key ends at the first character no extension's name holds; the scan resumes there, so a
/// run of names glued together is read once.
fn extension_key(text: &str) -> bool {
    let mut from = 0;
    while let Some(found) = text[from..].find("x-amazon-apigateway-") {
        let key = &text[from + found..];
        let end = key
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .unwrap_or(key.len());
        if key[end..]
            .trim_start_matches(['"', '\''])
            .trim_start()
            .starts_with(':')
        {
            return true;
        }
        from += found + end;
    }
    false
}

/// The `domain` command for the name an `openssl s_client` transcript connected to: its
/// `-servername`, or the host of its `-connect`, when the command line is pasted with it.
fn openssl_s_client(transcript: &str) -> Option<String> {
    let output = transcript.contains("CONNECTED(")
        && [
            "Certificate chain",
            "depth=",
            "verify error",
            "Server certificate",
        ]
        .iter()
        .any(|m| transcript.contains(m));
    if !output {
        return None;
    }
    let mut words = transcript
        .lines()
        .find(|l| l.contains("s_client"))
        .into_iter()
        .flat_map(str::split_whitespace);
    let mut name = None;
    while let Some(word) = words.next() {
        match word {
            "-servername" => name = words.next(),
            "-connect" if name.is_none() => {
                name = words
                    .next()
                    .map(|h| h.rsplit_once(':').map_or(h, |(host, _)| host));
            }
            _ => {}
        }
    }
    Some(format!(
        "apigw-doctor domain {}",
        name.and_then(host_name).unwrap_or("NAME")
    ))
}

/// A REST API mapping template: a Velocity directive beside one of API Gateway's variables
/// (`#set($body = $input.path('$'))`), or a variable written as a JSON value
/// (`"name": "$input.path('$.name')"`). A variable named in prose is not a template.
fn mapping_template(text: &str) -> bool {
    const DIRECTIVES: [&str; 4] = ["#set(", "#set (", "#foreach(", "#if("];
    const VARIABLES: [&str; 5] = [
        "$input.",
        "$util.",
        "$context.",
        "$stageVariables.",
        "$inputRoot",
    ];
    const AS_VALUES: [&str; 3] = ["$input.json(", "$input.path(", "$input.params("];
    let directive = DIRECTIVES.iter().any(|d| text.contains(d));
    let variable = VARIABLES.iter().any(|v| text.contains(v));
    let as_value = AS_VALUES.iter().any(|v| {
        text.match_indices(v)
            .any(|(at, _)| text[..at].trim_end_matches([' ', '"']).ends_with(':'))
    });
    (directive && variable) || as_value
}

/// What the AWS CLI prints for a REST API's method or integration (`get-integration`,
/// `get-method`, `get-resources --embed methods`): its integration responses are what
/// `selection` chooses among; the rest is what `lint` reads. An HTTP API's integration with
/// response parameter mappings is `selection`'s too.
fn integration_output(object: &serde_json::Map<String, serde_json::Value>) -> Option<TakesText> {
    use serde_json::Value;
    let integration = object
        .get("methodIntegration")
        .and_then(Value::as_object)
        .unwrap_or(object);
    let kind = integration
        .get("type")
        .and_then(Value::as_str)
        .filter(|t| ["AWS", "AWS_PROXY", "HTTP", "HTTP_PROXY", "MOCK"].contains(t));
    let responses = integration
        .get("integrationResponses")
        .and_then(Value::as_object)
        .is_some_and(|r| !r.is_empty());
    if let Some(kind) = kind
        && responses
    {
        let lambda = integration
            .get("uri")
            .and_then(Value::as_str)
            .is_some_and(|uri| uri.contains(":lambda:path/"));
        let input = if kind == "AWS" && lambda {
            "--error-message TEXT   (a Lambda error's errorMessage; --success for a result)"
        } else {
            "--status CODE   (the backend's status)"
        };
        return Some(TakesText {
            command: format!("apigw-doctor selection --integration INTEGRATION.json {input}"),
            why: "this is get-integration or get-method output: `selection` says which integration response API Gateway selects (Java regex semantics) and what the client gets; `lint` checks the rest of it",
        });
    }
    // An HTTP API's integration (`aws apigatewayv2 get-integration`): its response parameter
    // mappings are chosen by the backend's status.
    let mappings = object
        .get("ResponseParameters")
        .and_then(Value::as_object)
        .is_some_and(|m| !m.is_empty());
    if object.get("IntegrationType").is_some_and(Value::is_string) && mappings {
        return Some(TakesText {
            command: "apigw-doctor selection --integration INTEGRATION.json --status CODE   (the backend's status)".into(),
            why: "this is an HTTP API's get-integration output: `selection` says which response parameter mapping API Gateway applies for a backend status and what the client gets",
        });
    }
    let resources = object
        .get("items")
        .and_then(Value::as_array)
        .and_then(|items| items.first())
        .is_some_and(|item| item.get("path").is_some() && item.get("id").is_some());
    (kind.is_some() || object.contains_key("methodIntegration") || resources).then(|| TakesText {
        command: LINT_OUTPUT.into(),
        why: "this is the AWS CLI's view of a REST API's methods (get-resources, get-method or get-integration): `lint` checks its integrations, responses and templates offline",
    })
}

/// An API's resource policy (not a Lambda function's, whose condition may name an execute-api
/// ARN): a policy document with a statement whose action is execute-api's, in any form
/// `policy` reads (`unwrap_policy`: the document, the string `get-rest-api --query policy`
/// prints, the whole `get-rest-api` output).
fn api_resource_policy(document: &serde_json::Value) -> bool {
    use serde_json::Value;
    let about_execute_api = |statement: &Value| {
        ["Action", "NotAction"]
            .iter()
            .any(|key| match statement.get(key) {
                Some(Value::String(action)) => action.starts_with("execute-api:"),
                Some(Value::Array(actions)) => actions
                    .iter()
                    .any(|a| a.as_str().is_some_and(|a| a.starts_with("execute-api:"))),
                _ => false,
            })
    };
    crate::checks::policy::unwrap_policy(document).is_ok_and(|policy| {
        match policy.get("Statement") {
            Some(Value::Array(statements)) => statements.iter().any(about_execute_api),
            Some(statement) => about_execute_api(statement),
            None => false,
        }
    })
}

/// A Lambda function's error object (`Some(true)`) or proxy output (`Some(false)`).
fn lambda_output(object: &serde_json::Map<String, serde_json::Value>) -> Option<bool> {
    if object.contains_key("errorMessage") || object.contains_key("errorType") {
        Some(true)
    } else {
        (object.contains_key("statusCode") || object.contains_key("body")).then_some(false)
    }
}

/// The name a `dig` answer is about: the first line of its QUESTION SECTION
/// (`;api.example.com.  IN  A`), when it is a host name.
fn dig_question(answer: &str) -> Option<&str> {
    let mut lines = answer.lines().map(str::trim);
    lines.find(|l| l.starts_with(";; QUESTION SECTION:"))?;
    let name = lines.next()?.strip_prefix(';')?.split_whitespace().next()?;
    host_name(name.strip_suffix('.').unwrap_or(name))
}

/// A name fit to stand in a suggested command: a dotted host name of letters, digits, `-`,
/// `_` and dots, nothing a shell reads.
fn host_name(name: &str) -> Option<&str> {
    let host = name.contains('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
    host.then_some(name)
}

/// The `probe` command for the request a `curl -v` transcript shows: its request line
/// (`> GET /prod/pets HTTP/2`) and `Host` header; https unless the transcript shows a plain
/// connection (`curl_spoke_tls`).
fn curl_request(transcript: &str) -> Option<String> {
    let sent: Vec<&str> = transcript
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("> "))
        .collect();
    let mut request = sent.first()?.split_whitespace();
    let (method, target, version) = (request.next()?, request.next()?, request.next()?);
    if !version.starts_with("HTTP/") || !target.starts_with('/') {
        return None;
    }
    let host = sent.iter().find_map(|h| {
        let (name, value) = h.split_once(':')?;
        name.eq_ignore_ascii_case("host").then(|| value.trim())
    })?;
    let scheme = if curl_spoke_tls(transcript, version) {
        "https"
    } else {
        "http"
    };
    let method = if method == "GET" {
        String::new()
    } else {
        format!(" -X {method}")
    };
    // Quoted for a POSIX shell: a ' inside ends the quote, is escaped, and reopens it.
    let url = format!("{scheme}://{host}{target}").replace('\'', r"'\''");
    Some(format!("apigw-doctor probe{method} '{url}'"))
}

/// The `probe` command for the connection a WebSocket client reports: wscat's command line
/// (`wscat -c wss://...`, `--connect`) or a browser's "WebSocket connection to 'wss://...'
/// failed". The URL is kept only when its host is a host name.
fn websocket_connection(text: &str) -> Option<String> {
    let url = text.lines().find_map(|line| {
        let after = ["wscat -c ", "wscat --connect ", "WebSocket connection to '"]
            .iter()
            .find_map(|lead| line.split_once(lead).map(|(_, rest)| rest))?;
        let url = after
            .trim_start_matches(['\'', '"'])
            .split(|c: char| c.is_whitespace() || c == '\'' || c == '"')
            .next()?;
        let rest = url
            .strip_prefix("wss://")
            .or_else(|| url.strip_prefix("ws://"))?;
        let authority = rest.split(['/', '?']).next()?;
        let host = authority
            .rsplit_once(':')
            .map_or(authority, |(host, _)| host);
        host_name(host).map(|_| url)
    })?;
    // The URL ends at a quote, so single quotes hold it whole.
    Some(format!("apigw-doctor probe '{url}'"))
}

/// Whether curl's transcript shows a TLS connection: its handshake and certificate lines
/// (OpenSSL, Schannel and Secure Transport builds alike), or HTTP/2 or HTTP/3, which curl
/// speaks only over TLS unless told otherwise. A transcript that shows curl connecting
/// with none of that was plain HTTP on whatever port; one cut to its request lines is taken
/// for HTTPS, the only scheme API Gateway serves.
fn curl_spoke_tls(transcript: &str, version: &str) -> bool {
    const TLS: [&str; 6] = [
        "TLS handshake",
        "SSL connection using",
        "Server certificate:",
        "ALPN",
        "schannel",
        "SSL certificate verify",
    ];
    let info: Vec<&str> = transcript
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("* "))
        .collect();
    // "Connected to HOST (IP) port 443 (#0)" in curl 7, without the "(#0)" in curl 8.
    let mut ports = info
        .iter()
        .filter(|l| l.starts_with("Connected to"))
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            words.find(|w| *w == "port")?;
            words.next()
        })
        .peekable();
    version.starts_with("HTTP/2")
        || version.starts_with("HTTP/3")
        || info.iter().any(|l| TLS.iter().any(|m| l.contains(m)))
        || ports.peek().is_none()
        || ports.any(|port| port == "443")
}

/// The JSON object a REST API's execution log shows as the integration's answer: for a Lambda
/// proxy integration, the function's output as API Gateway received it.
fn logged_endpoint_response(log: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    const LINE: &str = "Endpoint response body before transformations:";
    let at = log.find(LINE)? + LINE.len();
    serde_json::Deserializer::from_str(log[at..].trim_start())
        .into_iter::<serde_json::Map<String, serde_json::Value>>()
        .next()?
        .ok()
}

/// A JSON Web Token stands in the text: three base64url parts, the first two JSON objects
/// (`eyJ` is how `{"` encodes).
fn jwt_in(text: &str) -> bool {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .any(|word| {
            let parts: Vec<&str> = word.split('.').collect();
            parts.len() == 3
                && parts[..2]
                    .iter()
                    .all(|p| p.starts_with("eyJ") && p.len() >= 10)
        })
}

/// Why a text holds more than one problem: every answer matched an error message of its own,
/// or only the later ones did (the first answers the rest of the text).
fn two_problems(first_matched: bool, also: usize) -> &'static str {
    match (first_matched, also) {
        (true, _) => "each matched an error message of its own",
        (false, 1) => "the second matched an error message of its own; the first answers the rest",
        (false, _) => {
            "the later ones matched an error message of their own; the first answers the rest"
        }
    }
}

impl Outcome for SearchOutcome {
    fn render_human(&self, out: &mut dyn Write, p: &Palette) -> io::Result<()> {
        if let Some(t) = &self.takes_text {
            writeln!(
                out,
                "{}run:{:#} {}{}{:#}",
                p.good, p.good, p.code, t.command, p.code
            )?;
            writeln!(out, "     {}", t.why)?;
            writeln!(out)?;
        }
        if self.hits.is_empty() {
            return writeln!(
                out,
                "no article matches; try other words, or `apigw-doctor kb list`"
            );
        }
        if self.confident {
            let also = self.hits.iter().filter(|h| h.also).count();
            if also > 0 {
                writeln!(
                    out,
                    "{}the text holds {} problems{:#}: {}",
                    p.strong,
                    also + 1,
                    p.strong,
                    two_problems(self.hits[0].matched_symptom.is_some(), also)
                )?;
                writeln!(out)?;
            }
        } else {
            writeln!(
                out,
                "{}no article matches this confidently{:#}: the closest, marked weak, explain little of the text; it may be outside API Gateway (`apigw-doctor kb list` shows what is covered)",
                p.strong, p.strong
            )?;
            if let Some(m) = &self.missing {
                writeln!(
                    out,
                    "the text names status {} but not the error message and x-amzn-ErrorType that tell its causes apart ({} articles explain a {}: {}): run {}{}{:#} to read them from the response, or paste its body and headers",
                    m.status,
                    m.articles.len(),
                    m.status,
                    m.articles.join(", "),
                    p.code,
                    m.command,
                    p.code
                )?;
            }
            writeln!(out)?;
        }
        let answers = self.hits.iter().take_while(|h| !h.weak).count();
        for (rank, hit) in self.hits.iter().enumerate() {
            if rank == answers && answers > 0 {
                writeln!(out, "{}weaker matches:{:#}", p.dim, p.dim)?;
            }
            let label = if hit.also {
                " (also applies)"
            } else if hit.weak {
                " (weak)"
            } else {
                ""
            };
            writeln!(
                out,
                "{}{}. {}{:#}  {}confidence {:.2}{}  score {:.2}{:#}",
                p.strong,
                rank + 1,
                hit.title,
                p.strong,
                p.dim,
                hit.confidence,
                label,
                hit.score,
                p.dim
            )?;
            writeln!(out, "   {}id:{:#}    {}", p.dim, p.dim, hit.id)?;
            writeln!(
                out,
                "   {}check:{:#} {}{}{:#}",
                p.dim, p.dim, p.code, hit.check, p.code
            )?;
            if let Some(s) = &hit.matched_symptom {
                writeln!(out, "   {}matched symptom:{:#} {s}", p.dim, p.dim)?;
            }
            if let Some(other) = hit.if_other_api.as_ref().filter(|_| !hit.weak) {
                writeln!(
                    out,
                    "   {}the text does not say which type of API; for {} APIs:{:#} {}",
                    p.dim,
                    api_names(&other.apis, " or "),
                    p.dim,
                    other.id
                )?;
            }
        }
        Ok(())
    }
}

/// API types as people write them ("REST and WebSocket").
fn api_names(apis: &[String], separator: &str) -> String {
    let names: Vec<&str> = apis
        .iter()
        .map(|api| crate::kb::search::api_type_name(api))
        .collect();
    names.join(separator)
}

pub fn search(session: &mut Session, args: &KbSearchArgs) -> Result<()> {
    let query = if args.text == ["-"] {
        crate::input::read_text("-", MAX_QUERY_BYTES as u64 * 16)?
    } else {
        args.text.join(" ")
    };
    // Nothing to rank is a usage error, not "no article matches" (which reads as an answer).
    if query.trim().is_empty() {
        if args.text == ["-"] {
            bail!("kb search: standard input is empty: pipe the error message or question into it");
        }
        bail!(
            "kb search: the text is empty: give the error message or question (or - to read it from standard input)"
        );
    }
    let mut hits = Index::new(&session.kb).search(&query);
    hits.truncate(usize::from(args.limit));
    // Like grep: 1 when nothing answers the question, weak hits included.
    let confident = hits.iter().any(|h| !h.weak);
    if !confident {
        session.printer.fail();
    }
    let target = query.trim().chars().take(200).collect::<String>();
    let takes_text = takes_text(&query);
    let missing = (!confident && takes_text.is_none())
        .then(|| bare_status(&query))
        .flatten()
        .map(|status| Missing {
            status,
            articles: articles_naming(&session.kb, status),
            command: "apigw-doctor probe URL",
        })
        .filter(|m| m.articles.len() > 1);
    session.emit(&Report::new(
        "kb search",
        target,
        SearchOutcome {
            confident,
            hits,
            takes_text,
            missing,
        },
    ))
}

#[derive(Serialize)]
struct ShowOutcome<'a> {
    #[serde(flatten)]
    article: &'a Article,
    /// The finding code asked for, when `kb show` was given a code rather than an id.
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'a str>,
}

impl Outcome for ShowOutcome<'_> {
    fn render_human(&self, out: &mut dyn Write, p: &Palette) -> io::Result<()> {
        let a = self.article;
        writeln!(
            out,
            "{}{}{:#}  {}[{}]{:#}",
            p.strong, a.title, p.strong, p.dim, a.id, p.dim
        )?;
        writeln!(out, "{}", a.question)?;
        if !a.apis.is_empty() {
            writeln!(
                out,
                "{}for {} APIs{:#}",
                p.dim,
                api_names(&a.apis, " and "),
                p.dim
            )?;
        }
        if let Some(code) = self.code
            && let Some(f) = a.finding(code)
        {
            writeln!(out)?;
            writeln!(out, "{}{code}{:#}", p.code, p.code)?;
            writeln!(out, "  {}fix:{:#} {}", p.good, p.good, f.fix)?;
        }
        writeln!(out)?;
        writeln!(out, "{}", a.summary)?;
        section(out, p, "Symptoms")?;
        for s in &a.symptoms {
            writeln!(out, "  - {s}")?;
        }
        section(out, p, "Fix")?;
        for (i, step) in a.fix.iter().enumerate() {
            writeln!(out, "  {}. {step}", i + 1)?;
        }
        section(out, p, "Check")?;
        writeln!(out, "  {}{}{:#}", p.code, a.check, p.code)?;
        if !a.findings.is_empty() {
            section(out, p, "Finding codes")?;
            let width = crate::report::human::column_width(a.findings.iter().map(|f| f.code.len()));
            for f in &a.findings {
                writeln!(out, "  {}{:width$}{:#}  {}", p.code, f.code, p.code, f.fix)?;
            }
        }
        if !a.references.is_empty() {
            section(out, p, "References")?;
            for r in &a.references {
                writeln!(out, "  - {}  {}<{}>{:#}", r.title, p.dim, r.url, p.dim)?;
            }
        }
        if let Some(updated) = &a.source_updated {
            writeln!(out)?;
            writeln!(
                out,
                "{}source article last updated {updated}; facts checked since{:#}",
                p.dim, p.dim
            )?;
        }
        Ok(())
    }
}

fn section(out: &mut dyn Write, p: &Palette, name: &str) -> io::Result<()> {
    writeln!(out)?;
    writeln!(out, "{}{name}{:#}", p.strong, p.strong)
}

pub fn show(session: &mut Session, key: &str) -> Result<()> {
    let (article, code) = if let Some(a) = session.kb.article(key) {
        (a, None)
    } else if let Some((a, f)) = session.kb.explain(key) {
        (a, Some(f.code.as_str()))
    } else {
        bail!("no article or finding code {key:?}; `apigw-doctor kb list` lists them");
    };
    let report = Report::new("kb show", key, ShowOutcome { article, code });
    session.printer.emit(&report, &session.kb)
}

#[derive(Serialize)]
struct ListedArticle {
    id: String,
    /// One of the six source articles (they carry the date of the version they follow).
    seed: bool,
    title: String,
    question: String,
    check: String,
    finding_codes: Vec<String>,
}

#[derive(Serialize)]
struct ListOutcome {
    articles: Vec<ListedArticle>,
}

impl Outcome for ListOutcome {
    fn render_human(&self, out: &mut dyn Write, p: &Palette) -> io::Result<()> {
        let width = crate::report::human::column_width(self.articles.iter().map(|a| a.id.len()));
        for a in &self.articles {
            writeln!(
                out,
                "{}{:width$}{:#}  {}  {}({} finding codes{}){:#}",
                p.strong,
                a.id,
                p.strong,
                a.title,
                p.dim,
                a.finding_codes.len(),
                if a.seed { ", seed article" } else { "" },
                p.dim
            )?;
        }
        Ok(())
    }
}

pub fn list(session: &mut Session) -> Result<()> {
    let articles = session
        .kb
        .articles()
        .iter()
        .map(|a| ListedArticle {
            id: a.id.clone(),
            seed: a.source_updated.is_some(),
            title: a.title.clone(),
            question: a.question.clone(),
            check: a.check.clone(),
            finding_codes: a.findings.iter().map(|f| f.code.clone()).collect(),
        })
        .collect();
    session.emit(&Report::new(
        "kb list",
        "knowledge base",
        ListOutcome { articles },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kb::search::Features;

    /// The scheme comes from what curl did: TLS lines on any port mean https, a bare
    /// connection means http, a transcript cut to its request lines means https.
    #[test]
    fn curl_transcripts_keep_their_scheme() {
        let request = "> GET /prod/pets HTTP/1.1\n> Host: api.example.com:8080\n> Accept: */*\n>\n< HTTP/1.1 403 Forbidden";
        let url = |before: &str| curl_request(&format!("{before}{request}")).unwrap();
        // curl 7.81 with OpenSSL on a non-standard port.
        let tls_8080 = "*   Trying 10.0.0.5:8080...\n* Connected to api.example.com (10.0.0.5) port 8080 (#0)\n* ALPN, offering h2\n* ALPN, offering http/1.1\n*  CAfile: /etc/ssl/certs/ca-certificates.crt\n* TLSv1.3 (OUT), TLS handshake, Client hello (1):\n* SSL connection using TLSv1.3 / TLS_AES_128_GCM_SHA256\n* Server certificate:\n*  subject: CN=api.example.com\n";
        assert_eq!(
            url(tls_8080),
            "apigw-doctor probe 'https://api.example.com:8080/prod/pets'"
        );
        // Plain HTTP on a port that is not 80 (curl 8 drops the "(#0)").
        let plain_8080 =
            "*   Trying 127.0.0.1:8080...\n* Connected to api.example.com (127.0.0.1) port 8080\n";
        assert!(url(plain_8080).contains("'http://api.example.com:8080/"));
        let plain_80 = "* Connected to api.example.com (10.0.0.5) port 80 (#0)\n";
        assert!(url(plain_80).contains("'http://"));
        // Port 443 without the handshake lines (a transcript trimmed by hand) stays https.
        let trimmed_443 = "* Connected to api.example.com (10.0.0.5) port 443 (#0)\n";
        assert!(url(trimmed_443).contains("'https://"));
        // Only the request lines: https, the one scheme API Gateway serves.
        assert!(url("").contains("'https://"));
        // HTTP/2 over a bare connection is what curl does only over TLS.
        let h2 = "* Connected to api.example.com (10.0.0.5) port 9000\n> GET /x HTTP/2\n> Host: h.example.com\n";
        assert_eq!(
            curl_request(h2).unwrap(),
            "apigw-doctor probe 'https://h.example.com/x'"
        );
    }

    /// wscat's command line and a browser's console name the URL `probe` upgrades; a host that
    /// is no host name names nothing.
    #[test]
    fn websocket_clients_name_their_url() {
        assert_eq!(
            websocket_connection("$ wscat -c wss://abc123defg.execute-api.eu-west-1.amazonaws.com/dev\nerror: Unexpected server response: 403").unwrap(),
            "apigw-doctor probe 'wss://abc123defg.execute-api.eu-west-1.amazonaws.com/dev'"
        );
        assert_eq!(
            websocket_connection("WebSocket connection to 'wss://ws.example.com:8443/prod?token=a'b' failed: Error during WebSocket handshake: Unexpected response code: 403").unwrap(),
            "apigw-doctor probe 'wss://ws.example.com:8443/prod?token=a'",
            "the quote that ends the browser's URL ends it here too"
        );
        assert_eq!(
            websocket_connection("wscat --connect \"wss://h.example.org/dev?x=it's\"").unwrap(),
            r"apigw-doctor probe 'wss://h.example.org/dev?x=it'",
        );
        assert_eq!(websocket_connection("wscat -c wss://$(reboot)/dev"), None);
        assert_eq!(
            websocket_connection("wscat -c https://h.example.org/dev"),
            None
        );
        assert_eq!(websocket_connection("my websocket fails with 403"), None);
    }

    /// A declaration, in any quoting JSON and YAML allow, names `lint`; a mention does not.
    #[test]
    fn definitions_are_declarations_not_mentions() {
        let lint = |text: &str| definition(text).is_some_and(|t| t.command.contains(" lint "));
        assert!(lint(
            r#"{"Resources":{"M":{"Type":"AWS::ApiGateway::Method"}}}"#
        ));
        assert!(lint("  Api:\n    Type: 'AWS::Serverless::Api'\n"));
        assert!(lint("Api:\n  Type: \"AWS::ApiGatewayV2::Api\""));
        assert!(lint(
            "paths:\n  /pets:\n    get:\n      x-amazon-apigateway-integration :\n"
        ));
        assert!(lint(
            r#"{"x-amazon-apigateway-binary-media-types": ["image/png"]}"#
        ));
        assert!(!lint(
            "CREATE_FAILED AWS::ApiGateway::Deployment: No integration defined"
        ));
        assert!(!lint("ResourceType: AWS::ApiGateway::Stage failed"));
        assert!(!lint(
            "the x-amazon-apigateway-integration extension, and x-amazon-apigateway-any-method."
        ));
        assert!(mapping_template(
            "#set($id = $input.params('id'))\n{\"id\": \"$id\"}"
        ));
        assert!(mapping_template(r#"{"body" : $input.json('$')}"#));
        assert!(!mapping_template("#set( is a Velocity directive"));
        assert!(!mapping_template("why does $input.path('$.a') give null?"));
    }

    fn hit(id: &str, matched: Option<&str>, also: bool) -> Hit {
        Hit {
            id: id.into(),
            title: id.into(),
            score: 1.0,
            confidence: 0.6,
            weak: false,
            also,
            check: String::new(),
            matched_symptom: matched.map(String::from),
            if_other_api: None,
            features: Features::default(),
        }
    }

    fn rendered(hits: Vec<Hit>) -> String {
        let outcome = SearchOutcome {
            confident: true,
            hits,
            takes_text: None,
            missing: None,
        };
        let mut out = Vec::new();
        outcome.render_human(&mut out, &Palette::plain()).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_bare_status_is_one_status_in_a_short_text_without_a_message() {
        assert_eq!(bare_status("my api returns 403"), Some(403));
        assert_eq!(bare_status("HTTP/1.1 502 Bad Gateway"), Some(502));
        assert_eq!(
            bare_status("getting 403 again, still a 403 error"),
            Some(403)
        );
        assert_eq!(bare_status("403 Forbidden"), Some(403));
        for text in [
            "200 OK",
            "map 4xx backend status codes to 400 with an HTTP status regex",
            "(Service: AmazonEC2; Status Code: 400; Error Code: DependencyViolation)",
            "errors 5xx",
            "port 4430 refused",
            "500 and 502 errors",
            r#"403 {"message":"Forbidden"}"#,
            "403 MissingAuthenticationTokenException",
            "a 403 with the message Missing Authentication Token",
            &format!("403 {}", "word ".repeat(60)),
        ] {
            assert_eq!(bare_status(text), None, "{text}");
        }
    }

    /// "Each matched an error message of its own" only when the first did too: a first answer
    /// found by its words alone is said to answer the rest of the text.
    #[test]
    fn two_problems_say_which_answers_matched_an_error_message() {
        let both = rendered(vec![
            hit("cors", Some("blocked by CORS policy"), false),
            hit(
                "integration-timeout",
                Some("Endpoint request timed out"),
                true,
            ),
        ]);
        assert!(
            both.starts_with("the text holds 2 problems: each matched an error message of its own")
        );
        let second = rendered(vec![
            hit("cors", None, false),
            hit(
                "missing-authentication-token",
                Some("Missing Authentication Token"),
                true,
            ),
        ]);
        assert!(second.starts_with("the text holds 2 problems: the second matched an error message of its own; the first answers the rest"), "{second}");
        let later = rendered(vec![
            hit("cors", None, false),
            hit(
                "missing-authentication-token",
                Some("Missing Authentication Token"),
                true,
            ),
            hit(
                "integration-timeout",
                Some("Endpoint request timed out"),
                true,
            ),
        ]);
        assert!(
            later.contains("3 problems: the later ones matched"),
            "{later}"
        );
    }
}
