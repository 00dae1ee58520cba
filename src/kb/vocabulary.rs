//! What marks a pasted text as another service's problem, learned from the AWS SDK's service
//! models by `scripts/kb-vocabulary.py` (rules/vocabulary/*.txt, sorted, one lowercase word a
//! line): other services' error and operation names, their identifiers where an identifier
//! stands (ARNs, IAM actions, hosts, CLI commands), and error names too common to tell services
//! apart.

const FOREIGN: &str = include_str!("../../rules/vocabulary/foreign.txt");
const SERVICES: &str = include_str!("../../rules/vocabulary/services.txt");
const SHARED: &str = include_str!("../../rules/vocabulary/shared.txt");
const CLIENT: &str = include_str!("../../rules/vocabulary/client.txt");
const PLATFORMS: &str = include_str!("../../rules/vocabulary/platforms.txt");
/// The most words a name in `platforms.txt` has ("microsoft ajax content delivery network"):
/// the width of the window names are looked up in (a test keeps the list within it).
const MAX_PLATFORM_WORDS: usize = 5;

/// A sorted word list searched in place: no table is built, so a search that needs three
/// lookups pays for three (start-up stays within `kb search`'s budget).
struct Sorted(&'static str);

impl Sorted {
    fn contains(&self, word: &str) -> bool {
        // The body after the comment lines: one word a line, sorted bytewise.
        let text = self.0;
        let body_start = text
            .match_indices('\n')
            .map(|(at, _)| at + 1)
            .find(|&at| !text[at..].starts_with('#'))
            .unwrap_or(text.len());
        let bytes = text.as_bytes();
        let (mut lo, mut hi) = (body_start, text.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            // The line holding `mid`.
            let start = bytes[lo..mid]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(lo, |p| lo + p + 1);
            let end = bytes[mid..hi]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(hi, |p| mid + p);
            match text[start..end].cmp(word) {
                std::cmp::Ordering::Equal => return true,
                std::cmp::Ordering::Less => lo = end + 1,
                std::cmp::Ordering::Greater => hi = start,
            }
        }
        false
    }
}

struct Lists {
    foreign: Sorted,
    services: Sorted,
    shared: Sorted,
    platforms: Sorted,
}

fn lists() -> &'static Lists {
    static LISTS: Lists = Lists {
        foreign: Sorted(FOREIGN),
        services: Sorted(SERVICES),
        shared: Sorted(SHARED),
        platforms: Sorted(PLATFORMS),
    };
    &LISTS
}

fn has(list: &Sorted, word: &str) -> bool {
    !word.is_empty() && list.contains(word)
}

/// An error name (`AccessDeniedException`) that services other than API Gateway define too.
pub fn shared_error(word: &str) -> bool {
    has(&lists().shared, &word.to_ascii_lowercase())
}

/// Whether a symptom is a client's message about any server (a browser's CORS or certificate
/// error, curl's, a TLS library's, wscat's): `rules/vocabulary/client.txt`.
pub fn client_message(symptom: &str) -> bool {
    let lower = symptom.to_ascii_lowercase();
    CLIENT
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .any(|text| lower.contains(text))
}

/// The distinct marks of other services (and of API Gateway features no article covers) in a
/// text, at most `limit`: `NotAuthorizedException`, `PostToConnection`, `dynamodb`,
/// `arn:aws:states:`, `kms:Decrypt`, `cognito-idp.us-east-1.amazonaws.com`, `aws s3 ...`.
pub fn foreign_marks(text: &str, limit: usize) -> Vec<String> {
    let lists = lists();
    let text = without_function_errors(text);
    let text = text.as_ref();
    let lower = text.to_ascii_lowercase();
    let mut marks: Vec<String> = Vec::new();
    let mut add = |mark: &str| {
        if marks.len() < limit && !marks.iter().any(|m| m == mark) {
            marks.push(mark.to_string());
        }
    };
    let mut previous = "";
    for word in lower
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| !w.is_empty())
    {
        let word = word.trim_matches('-');
        // SDKs name requests after the operation: `PostToConnectionRequest` (.NET, Java),
        // `PutItemCommand` (JavaScript v3), `GetObjectAsync`.
        let operation = ["request", "command", "async", "input", "output"]
            .iter()
            .find_map(|suffix| word.strip_suffix(suffix))
            .filter(|op| op.len() >= 6 && has(&lists.foreign, op));
        if has(&lists.foreign, word) {
            add(word);
        } else if let Some(op) = operation {
            add(op);
        }
        // `aws dynamodb scan ...`, `aws s3 cp ...`
        if previous == "aws" && has(&lists.services, word) {
            add(word);
        }
        previous = word;
    }
    // `arn:aws:states:...`, `kms:Decrypt`, `states:SendTaskFailure`
    for (at, _) in lower.match_indices(':') {
        let before = lower[..at]
            .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .next()
            .unwrap_or_default();
        let after = &text[at + 1..];
        let action = after.starts_with(|c: char| c.is_ascii_uppercase());
        let arn = lower[..at].ends_with("arn:aws") || lower[..at].ends_with("arn:aws-us-gov");
        if (action || arn) && has(&lists.services, before) {
            add(before);
        }
        if arn {
            let service = lower[at + 1..].split(':').next().unwrap_or_default();
            if has(&lists.services, service) {
                add(service);
            }
        }
    }
    // `is not authorized to perform: kms:Decrypt`, `lambda:InvokeFunction`, `apigateway:GET`: a
    // caller denied an action of any service but the API's own (execute-api) is calling that
    // service, not the API; a mark of its own beside the service's name.
    for (at, _) in lower.match_indices("authorized to perform:") {
        let action = lower[at + "authorized to perform:".len()..].trim_start();
        let service = action.split(':').next().unwrap_or_default();
        let plain = !service.is_empty()
            && service.len() < action.len()
            && service
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if plain && service != "execute-api" {
            add(&format!("perform:{service}"));
        }
    }
    // The AWS SDK for Java names the service a failed call went to: `(Service: AWSLambda;
    // Status Code: 429; Error Code: TooManyRequestsException)`; API Gateway's own management
    // calls (`Service: AmazonApiGateway`, from CloudFormation) are ours.
    for (at, _) in lower.match_indices("(service: ") {
        let service: String = lower[at + "(service: ".len()..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let own = service.is_empty()
            || service.contains("apigateway")
            || service == "null"
            || service == "amazoncloudformation";
        if !own {
            add(&format!("service:{service}"));
        }
    }
    // The AWS SDK for JavaScript's error object (`retryable: false, retryDelay: 34.01`): the
    // text is an SDK call failing in a client or a function, not an API's answer.
    if lower.contains("retrydelay") {
        add("sdk-error-object");
    }
    // Another platform's name: a web server, proxy, CDN, PaaS or host other than AWS (`nginx`,
    // `openresty`, `heroku`, `netlify`, `apache apisix`), learned by scripts/kb-platforms.py, or
    // an emulator of API Gateway (`EMULATORS`).
    let words: Vec<&str> = lower
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '.'))
        .map(|w| w.trim_matches('.'))
        .filter(|w| !w.is_empty())
        .collect();
    let mut name = String::new();
    for start in 0..words.len() {
        name.clear();
        for word in words[start..].iter().take(MAX_PLATFORM_WORDS) {
            if !name.is_empty() {
                name.push(' ');
            }
            name.push_str(word);
            if has(&lists.platforms, &name) {
                add(&name);
            }
            if let Some((mark, _)) = EMULATORS.iter().find(|(_, names)| names.contains(&&*name)) {
                add(mark);
            }
        }
    }
    // `cognito-idp.us-east-1.amazonaws.com`, `sqs.amazonaws.com`
    for (at, _) in lower.match_indices(".amazonaws.com") {
        let host = lower[..at]
            .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '.'))
            .next()
            .unwrap_or_default();
        if let Some(service) = host.split('.').find(|s| !s.is_empty())
            && has(&lists.services, service)
        {
            add(service);
        }
    }
    marks
}

/// Emulators of API Gateway (LocalStack, serverless-offline, the SAM CLI's local commands), each
/// with the names a text gives it, as lowercase words: a text about how one behaves is that
/// emulator's problem, not API Gateway's, whose behaviour it imitates with its own gaps.
const EMULATORS: &[(&str, &[&str])] = &[
    ("localstack", &["localstack"]),
    ("serverless-offline", &["serverless offline", "sls offline"]),
    ("sam local", &["sam local", "samdev local"]),
];

/// What a Lambda function threw, as API Gateway's execution log quotes it ("Lambda execution
/// failed with status 200 due to customer function error: An error occurred
/// (UsernameExistsException) when calling the SignUp operation"), is the function's business:
/// the problem pasted is API Gateway's answer to a function error, so the rest of that line
/// marks nothing.
fn without_function_errors(text: &str) -> std::borrow::Cow<'_, str> {
    const QUOTE: &str = "due to customer function error:";
    let lower = text.to_ascii_lowercase();
    if !lower.contains(QUOTE) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    for (at, _) in lower.match_indices(QUOTE) {
        if at < rest {
            continue;
        }
        out.push_str(&text[rest..at]);
        rest = lower[at..].find('\n').map_or(text.len(), |n| at + n);
    }
    out.push_str(&text[rest..]);
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lists_are_sorted_for_binary_search() {
        for list in [FOREIGN, SERVICES, SHARED] {
            let w: Vec<&str> = list
                .lines()
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .collect();
            assert!(w.len() > 100);
            assert!(w.windows(2).all(|p| p[0] < p[1]), "not sorted");
            // Every word is found in place, and words between them are not.
            let sorted = Sorted(list);
            for word in &w {
                assert!(sorted.contains(word), "{word}");
                assert!(!sorted.contains(&format!("{word}~")), "{word}~");
            }
            assert!(!sorted.contains("!"));
            assert!(!sorted.contains("~~~~"));
        }
    }

    #[test]
    fn other_services_are_marked_by_their_names_arns_actions_hosts_and_commands() {
        let cases = [
            (
                "NotAuthorizedException: Incorrect username or password.",
                "notauthorizedexception",
            ),
            (
                "User: x is not authorized to perform: states:SendTaskFailure",
                "states",
            ),
            ("on resource: arn:aws:kms:us-east-1:1:key/k", "kms"),
            (
                "POST https://cognito-idp.us-east-1.amazonaws.com resulted in 400",
                "cognito-idp",
            ),
            ("aws s3 presign s3://bucket/panda.jpg", "s3"),
            (
                "ConditionalCheckFailedException: The conditional request failed",
                "conditionalcheckfailedexception",
            ),
            ("GetObjectRequest AccessDenied", "getobject"),
            (
                "An error occurred (TooManyRequestsException) when calling the ListVersionsByFunction operation: Rate exceeded",
                "listversionsbyfunction",
            ),
            (
                "is not authorized to perform: lambda:InvokeFunction on resource",
                "perform:lambda",
            ),
        ];
        for (text, mark) in cases {
            assert!(
                foreign_marks(text, 5).contains(&mark.to_string()),
                "{text}: {:?}",
                foreign_marks(text, 5)
            );
        }
    }

    #[test]
    fn api_gateway_texts_carry_no_marks() {
        for text in [
            "User: arn:aws:iam::1:user/bob is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:1:abc/prod/GET/",
            "Execution failed due to configuration error: Malformed Lambda proxy response",
            "Cannot delete vpc link. Vpc link 'k3x9q1', is referenced in [GET:r2d2xx]",
            "curl https://abc.execute-api.us-east-1.amazonaws.com/prod/pets",
            "Invalid permissions on Lambda function arn:aws:lambda:us-east-1:1:function:f",
            "Invalid HTTP endpoint specified for URI (Service: AmazonApiGateway; Status Code: 400; Error Code: BadRequestException)",
            "the states of the config and the batch",
            "Error during WebSocket handshake: Unexpected response code: 403",
            "An error occurred (GoneException) when calling the PostToConnection operation",
            "PostToConnectionRequest Forbidden",
            "Lambda execution failed with status 200 due to customer function error: An error occurred (UsernameExistsException) when calling the SignUp operation",
        ] {
            assert_eq!(foreign_marks(text, 5), Vec::<String>::new(), "{text}");
        }
    }

    #[test]
    fn no_word_of_an_article_marks_another_service() {
        let kb = crate::kb::KnowledgeBase::embedded().unwrap();
        for a in kb.articles() {
            let text = format!(
                "{} {} {} {} {}",
                a.title,
                a.question,
                a.summary,
                a.symptoms.join(" "),
                a.fix.join(" ")
            );
            for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-')) {
                let word = word.trim_matches('-').to_ascii_lowercase();
                assert!(
                    !has(&lists().foreign, &word),
                    "{}: {word:?} is in rules/vocabulary/foreign.txt; rerun scripts/kb-vocabulary.py",
                    a.id
                );
            }
        }
    }

    #[test]
    fn shared_error_names_are_known() {
        assert!(shared_error("AccessDeniedException"));
        assert!(shared_error("TooManyRequestsException"));
        assert!(!shared_error("MissingAuthenticationTokenException"));
        assert!(!shared_error("AuthorizerConfigurationException"));
    }

    #[test]
    fn other_platforms_are_marks() {
        let marks = |t: &str| foreign_marks(t, 3);
        assert_eq!(marks("<hr><center>openresty</center>"), ["openresty"]);
        assert_eq!(
            marks("Server: APISIX/3.9.0 by Apache APISIX"),
            ["apisix", "apache apisix"]
        );
        assert_eq!(
            marks("Perhaps something in Heroku needs a change?"),
            ["heroku"]
        );
        assert!(marks("API Gateway answers 502 to my Flask app behind Lambda").is_empty());
        assert!(marks("an express server behind the cloud edge").is_empty());
        assert_eq!(
            marks("served by the Microsoft Ajax Content Delivery Network"),
            ["microsoft ajax content delivery network"]
        );
        let longest = PLATFORMS
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| l.split(' ').count())
            .max();
        assert_eq!(longest, Some(MAX_PLATFORM_WORDS));
    }

    #[test]
    fn emulators_are_marks_of_another_platform() {
        let marks = |t: &str| foreign_marks(t, 3);
        assert_eq!(
            marks("LocalStack returns 404 for my API Gateway route"),
            ["localstack"]
        );
        assert_eq!(
            marks("works on AWS but not with `sls offline` (serverless-offline 8.1)"),
            ["serverless-offline"]
        );
        assert_eq!(
            marks("sam local start-api answers Missing Authentication Token"),
            ["sam local"]
        );
        // Whole words, as a docker-compose log prefixes them; not a sample, a localstacker, a
        // function named sam_locale.
        assert_eq!(
            marks("localstack_1 | ERROR: API Gateway route not found"),
            ["localstack"]
        );
        assert!(marks("the SAM sample app, deployed").is_empty());
        assert!(marks("a localstacker's blog; sam_locale = 'en'").is_empty());
    }

    #[test]
    fn client_messages_are_told_from_api_gateway_messages() {
        for text in [
            "has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header",
            "curl: (60) SSL: no alternative certificate subject name matches target hostname",
            "NET::ERR_CERT_COMMON_NAME_INVALID",
            "SSL routines:ssl3_read_bytes:tlsv1 alert protocol version",
            "error: Unexpected server response: 403",
        ] {
            assert!(client_message(text), "{text}");
        }
        for text in [
            "{\"message\":\"Missing Authentication Token\"}",
            "Execution failed due to configuration error: Malformed Lambda proxy response",
            "Access denied. Reason: Could not find issuer for certificate",
            "Endpoint request timed out",
        ] {
            assert!(!client_message(text), "{text}");
        }
    }
}
