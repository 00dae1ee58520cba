//! Live mode (`--aws`): reads an API's configuration from AWS itself, read-only, with the
//! standard credential chain, every call bounded by `--aws-timeout` with a bounded retry.
//! What it fetches is turned into the JSON the AWS CLI prints, so the checks that read
//! `aws apigateway ...` output read it unchanged.
use anyhow::{Result, anyhow, bail};
use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_apigateway::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use serde_json::{Map, Value, json};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

mod pace;
pub mod regions;
pub use pace::{DOCUMENTED_RATE, Stats};
pub use regions::RegionList;

/// Attempts per call: the first and retries with backoff on throttling and 5XX, in the SDK's
/// adaptive mode (after a throttle the client also slows its own sending rate down).
const MAX_ATTEMPTS: u32 = 3;
/// How often a call that AWS kept throttling through all its attempts is started again,
/// after a pause that doubles from [`COOL_DOWN`], while the command's deadline allows: a
/// throttled scan slows down, it does not fail.
const THROTTLED_ROUNDS: u32 = 4;
/// The longest pause between two attempts of one call (the SDK's default is 20 s).
const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// How long one call may take with its attempts and the pauses between them: after a
/// throttle the adaptive mode waits on its own rate limiter too, so the pauses are counted.
fn operation_bound(timeout: Duration) -> Duration {
    timeout * MAX_ATTEMPTS + MAX_BACKOFF * (MAX_ATTEMPTS - 1)
}
const COOL_DOWN: Duration = Duration::from_secs(2);
/// The most pages one listing may take (500 items a page: 500,000 REST APIs or resources,
/// far past API Gateway's quotas); a listing that goes on is an endpoint that misbehaves.
pub const MAX_PAGES: usize = 1000;
/// The largest response body read from AWS (API Gateway's largest answers, an export or a
/// 500-resource page with methods, are a few MB).
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;
/// The whole command's deadline, as a multiple of `--aws-timeout` (default 10 s: 5 minutes).
pub const DEADLINE_TIMEOUTS: u32 = 30;

/// Wraps every AWS response body so that reading past [`MAX_RESPONSE_BYTES`] fails the call
/// instead of buffering an endless body.
#[derive(Debug)]
struct BoundedBody;

impl aws_sdk_apigateway::config::Intercept for BoundedBody {
    fn name(&self) -> &'static str {
        "BoundedBody"
    }

    fn modify_before_deserialization(
        &self,
        context: &mut aws_sdk_apigateway::config::interceptors::BeforeDeserializationInterceptorContextMut<'_>,
        _: &aws_sdk_apigateway::config::RuntimeComponents,
        _: &mut aws_sdk_apigateway::config::ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let body = context.response_mut().take_body();
        *context.response_mut().body_mut() = aws_smithy_types::body::SdkBody::from_body_1_x(
            http_body_util::Limited::new(body, MAX_RESPONSE_BYTES),
        );
        Ok(())
    }
}

/// Counts every attempt sent and every throttling answer, for the progress bar and the
/// notes of a scan.
#[derive(Debug)]
struct Counter(Arc<Stats>);

impl aws_sdk_apigateway::config::Intercept for Counter {
    fn name(&self) -> &'static str {
        "Counter"
    }

    fn read_after_attempt(
        &self,
        context: &aws_sdk_apigateway::config::interceptors::FinalizerInterceptorContextRef<'_>,
        _: &aws_sdk_apigateway::config::RuntimeComponents,
        _: &mut aws_sdk_apigateway::config::ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        use std::sync::atomic::Ordering::Relaxed;
        self.0.calls.fetch_add(1, Relaxed);
        if let Some(response) = context.response() {
            let kind = response
                .headers()
                .get("x-amzn-errortype")
                .or_else(|| response.headers().get("x-amzn-query-error"));
            if pace::is_throttling(response.status().as_u16(), kind) {
                self.0.throttled.fetch_add(1, Relaxed);
            }
        }
        Ok(())
    }
}

/// What kind of failure a call met, for a scan to decide what it means for its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// AWS throttled the call through all its attempts (and every later round).
    Throttled,
    /// The command's deadline passed before the call could be made or finished.
    Deadline,
    /// What was asked for does not exist (e.g. deleted since it was listed).
    NotFound,
    /// The credentials may not make the call.
    Denied,
    /// AWS did not accept the credentials (in an opt-in region the account has not
    /// enabled, this is how AWS answers).
    Credentials,
}

/// A call's one-line error with its [`Failure`].
#[derive(Debug)]
pub struct CallError {
    pub kind: Failure,
    message: String,
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CallError {}

fn failure(kind: Failure, message: String) -> anyhow::Error {
    anyhow::Error::new(CallError { kind, message })
}

/// The [`Failure`] behind an error, if a call's.
pub fn failure_of(e: &anyhow::Error) -> Option<Failure> {
    e.chain()
        .find_map(|c| c.downcast_ref::<CallError>())
        .map(|c| c.kind)
}

/// `--profile`, `--region`, `--aws-timeout`, and the pace of a scan.
#[derive(Debug, Clone)]
pub struct Options {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub timeout: Duration,
    /// APIs read at once by a scan (`--aws-concurrency`).
    pub concurrency: usize,
    /// Requests a second for all API Gateway calls (`--aws-rate`; 0: not paced).
    pub rate: f64,
    /// The whole command's deadline (`--aws-deadline`; default [`DEADLINE_TIMEOUTS`] x timeout).
    pub deadline: Option<Duration>,
}

impl Options {
    /// The command's deadline: `--aws-deadline`, or [`DEADLINE_TIMEOUTS`] x `--aws-timeout`.
    pub fn deadline(&self) -> Duration {
        self.deadline.unwrap_or(self.timeout * DEADLINE_TIMEOUTS)
    }
}

/// A stage: its name and stage variables.
#[derive(Debug, Clone)]
pub struct Stage {
    pub name: String,
    pub variables: Vec<(String, String)>,
}

/// The authorizers `aws apigatewayv2 get-authorizer` printed, as the live permission check
/// takes them.
fn live_authorizers(printed: &[Value]) -> Vec<crate::checks::lint::LiveAuthorizer> {
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    printed
        .iter()
        .map(|a| crate::checks::lint::LiveAuthorizer {
            id: text(a, "AuthorizerId").unwrap_or_default(),
            name: text(a, "Name").unwrap_or_default(),
            kind: text(a, "AuthorizerType").unwrap_or_default(),
            uri: text(a, "AuthorizerUri"),
            credentials: text(a, "AuthorizerCredentialsArn"),
        })
        .collect()
}

/// An HTTP API read from AWS: its definition as its export holds it, its stages' names and the
/// authorizers its routes use.
#[derive(Debug, Clone)]
pub struct HttpApi {
    pub id: String,
    pub name: String,
    pub definition: Value,
    pub stages: Vec<Stage>,
    pub authorizers: Vec<crate::checks::lint::LiveAuthorizer>,
}

/// An HTTP API integration, with the routes that target it.
#[derive(Debug, Clone)]
pub struct HttpIntegration {
    pub id: String,
    pub connection_type: Option<String>,
    pub connection_id: Option<String>,
    pub routes: Vec<String>,
}

/// A custom domain name as API Gateway holds it, with its mappings and ACM certificate.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Domain {
    /// "rest" (apigateway) or "http" (apigatewayv2).
    pub api: &'static str,
    pub endpoint_type: Option<String>,
    /// Where DNS must point: the regional domain name or the CloudFront distribution.
    pub target: Option<String>,
    pub status: Option<String>,
    /// (base path or API mapping key, API id, stage).
    pub mappings: Vec<(String, String, String)>,
    pub certificate: Option<Certificate>,
    /// The truststore, its warnings, endpoint type and security policy (mutual TLS on).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mutual_tls: Option<crate::checks::domain::mtls::Configured>,
    /// With mutual TLS: mapped APIs whose default execute-api endpoint is still enabled.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub default_endpoint_enabled: Vec<String>,
    /// TLS_1_0, TLS_1_2 or an enhanced SecurityPolicy_*.
    pub security_policy: Option<String>,
    /// A private custom domain name: its ARN, id, policy and access associations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private: Option<PrivateDomain>,
}

/// A custom domain name for private APIs (`domainNameId` set): reached only through VPC
/// endpoints that have a domain name access association with it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PrivateDomain {
    pub arn: String,
    pub id: String,
    /// The execute-api resource policy: which VPC endpoints may invoke the name.
    pub policy: Option<String>,
    /// The VPC endpoints associated with the name.
    pub access_associations: Vec<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Certificate {
    pub arn: String,
    /// The region ACM was asked in (the ARN's own: us-east-1 for edge-optimized names).
    pub region: String,
    pub status: Option<String>,
    pub names: Vec<String>,
    /// RFC 3339.
    pub not_after: Option<String>,
    /// Domains whose validation is still pending.
    pub pending_validation: Vec<String>,
}

impl Certificate {
    /// Known by its ARN only, before ACM is asked.
    fn unread(arn: &str) -> Certificate {
        Certificate {
            arn: arn.to_string(),
            region: String::new(),
            status: None,
            names: Vec::new(),
            not_after: None,
            pending_validation: Vec::new(),
        }
    }
}

/// A domain name's mutual TLS settings as either API gives them; `None` without a truststore.
fn mutual_tls(
    uri: Option<&str>,
    version: Option<&str>,
    warnings: &[String],
    endpoint_type: Option<&str>,
    security_policy: Option<&str>,
) -> Option<crate::checks::domain::mtls::Configured> {
    Some(crate::checks::domain::mtls::Configured {
        truststore_uri: Some(uri.filter(|u| !u.is_empty())?.to_string()),
        truststore_version: version.map(str::to_string),
        truststore_warnings: warnings.to_vec(),
        endpoint_type: endpoint_type.map(str::to_string),
        security_policy: security_policy.map(str::to_string),
    })
}

/// What `probe --aws` reads of a REST API to explain a private call.
pub struct PrivateApi {
    pub endpoint_types: Vec<String>,
    pub vpc_endpoint_ids: Vec<String>,
    pub policy: Option<String>,
    /// TLS_1_0, TLS_1_2 or an enhanced SecurityPolicy_*.
    pub security_policy: Option<String>,
    /// STRICT or BASIC (enhanced security policies only).
    pub endpoint_access_mode: Option<String>,
}

pub struct Aws {
    config: aws_config::SdkConfig,
    runtime: tokio::runtime::Runtime,
    apigateway: aws_sdk_apigateway::Client,
    apigatewayv2: aws_sdk_apigatewayv2::Client,
    pub region: String,
    timeout: Duration,
    /// When the command must be done by (see [`Options::deadline`]).
    deadline: std::time::Instant,
    /// How long the command may take, for the messages.
    budget: Duration,
    /// APIs a scan reads at once.
    pub concurrency: usize,
    pacer: pace::Pacer,
    pub stats: Arc<Stats>,
}

impl Aws {
    pub fn connect(opts: &Options) -> Result<Aws> {
        Aws::connect_until(opts, std::time::Instant::now() + opts.deadline())
    }

    /// Connects with a deadline shared with other connections (one per region of a scan).
    pub fn connect_until(opts: &Options, deadline: std::time::Instant) -> Result<Aws> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
            .build_https();
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .http_client(http)
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(opts.timeout)
                    .operation_attempt_timeout(opts.timeout)
                    .operation_timeout(operation_bound(opts.timeout))
                    .build(),
            )
            .retry_config(
                RetryConfig::adaptive()
                    .with_max_attempts(MAX_ATTEMPTS)
                    .with_max_backoff(MAX_BACKOFF),
            );
        if let Some(p) = &opts.profile {
            loader = loader.profile_name(p);
        }
        if let Some(r) = &opts.region {
            loader = loader.region(aws_config::Region::new(r.clone()));
        }
        // Loading reads profiles and environment only; credentials are resolved on the
        // first call, within its timeout.
        let config = runtime.block_on(async {
            tokio::time::timeout(opts.timeout, loader.load())
                .await
                .map_err(|_| {
                    anyhow!(
                        "loading the AWS configuration took longer than --aws-timeout {:?}",
                        opts.timeout
                    )
                })
        })?;
        let Some(region) = config.region().map(|r| r.to_string()) else {
            return Err(anyhow!(
                "no AWS region: pass --region, or set AWS_REGION or a region in the profile"
            ));
        };
        let stats = Arc::new(Stats::default());
        Ok(Aws {
            config: config.clone(),
            apigateway: aws_sdk_apigateway::Client::from_conf(
                aws_sdk_apigateway::config::Builder::from(&config)
                    .interceptor(BoundedBody)
                    .interceptor(Counter(stats.clone()))
                    .build(),
            ),
            apigatewayv2: aws_sdk_apigatewayv2::Client::from_conf(
                aws_sdk_apigatewayv2::config::Builder::from(&config)
                    .interceptor(BoundedBody)
                    .interceptor(Counter(stats.clone()))
                    .build(),
            ),
            runtime,
            region,
            timeout: opts.timeout,
            deadline,
            budget: opts.deadline(),
            concurrency: opts.concurrency.max(1),
            pacer: pace::Pacer::new(opts.rate),
            stats,
        })
    }

    /// Runs a future (a few of this connection's calls at once) to completion.
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// The error of a call the deadline leaves no time for.
    fn deadline_passed(&self, operation: &str) -> anyhow::Error {
        failure(
            Failure::Deadline,
            format!(
                "{operation}: the command's deadline passed ({:?}; --aws-deadline sets it)",
                self.budget
            ),
        )
    }

    /// Runs one SDK call (with its retries) to completion, paced, bounded by the command's
    /// timeout and deadline.
    async fn attempt_async<T, E>(
        &self,
        operation: &str,
        future: impl Future<
            Output = Result<T, SdkError<E, aws_sdk_apigateway::config::http::HttpResponse>>,
        >,
    ) -> Result<Result<T, SdkError<E, aws_sdk_apigateway::config::http::HttpResponse>>> {
        let left = |aws: &Aws| {
            aws.deadline
                .saturating_duration_since(std::time::Instant::now())
        };
        if left(self).is_zero() {
            return Err(self.deadline_passed(operation));
        }
        match tokio::time::timeout(left(self), self.pacer.wait(operation)).await {
            Ok(waited) => self.stats.add_paced(waited),
            Err(_) => return Err(self.deadline_passed(operation)),
        }
        let per_call = operation_bound(self.timeout) + self.timeout;
        let limit = per_call.min(left(self));
        let throttled = self.stats.throttled();
        tokio::time::timeout(limit, future).await.map_err(|_| {
            if limit < per_call && self.stats.throttled() > throttled {
                failure(
                    Failure::Throttled,
                    format!(
                        "{operation}: AWS kept throttling the call until the command's deadline passed ({:?}; --aws-deadline sets it): try again later, or lower --aws-rate",
                        self.budget
                    ),
                )
            } else if limit < per_call {
                self.deadline_passed(operation)
            } else {
                anyhow!(
                    "{operation}: AWS did not answer within {limit:?} (--aws-timeout {:?}, {MAX_ATTEMPTS} attempts)",
                    self.timeout
                )
            }
        })
    }

    /// One call whose failure is the command's: a one-line error naming what was asked.
    async fn call_async<T, E>(
        &self,
        operation: &str,
        action: &str,
        what: &str,
        future: impl Future<
            Output = Result<T, SdkError<E, aws_sdk_apigateway::config::http::HttpResponse>>,
        >,
    ) -> Result<T>
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let throttled = self.stats.throttled();
        match self.attempt_async(operation, future).await? {
            Ok(v) => Ok(v),
            // The attempts ran out of time waiting out throttles: throttling, to be run again
            // later, not an endpoint that does not answer.
            Err(SdkError::TimeoutError(_)) if self.stats.throttled() > throttled => Err(failure(
                Failure::Throttled,
                format!(
                    "{operation}: AWS kept throttling the call for {:?}: try again later, or lower --aws-rate",
                    operation_bound(self.timeout)
                ),
            )),
            Err(e) => Err(explain(
                operation,
                action,
                what,
                &self.region,
                self.timeout,
                e,
            )),
        }
    }

    /// [`Aws::call_async`], run to completion.
    fn call<T, E>(
        &self,
        operation: &str,
        action: &str,
        what: &str,
        future: impl Future<
            Output = Result<T, SdkError<E, aws_sdk_apigateway::config::http::HttpResponse>>,
        >,
    ) -> Result<T>
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        self.runtime
            .block_on(self.call_async(operation, action, what, future))
    }

    /// Like `call`, for a lookup whose "not found" is an answer (`None`), not a failure.
    fn find<T, E>(
        &self,
        operation: &str,
        action: &str,
        what: &str,
        future: impl Future<
            Output = Result<T, SdkError<E, aws_sdk_apigateway::config::http::HttpResponse>>,
        >,
    ) -> Result<Option<T>>
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        match self
            .runtime
            .block_on(self.attempt_async(operation, future))?
        {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.code() == Some("NotFoundException") => Ok(None),
            Err(e) => Err(explain(
                operation,
                action,
                what,
                &self.region,
                self.timeout,
                e,
            )),
        }
    }

    /// Every page of a listing: `send` asks for the page after a token (`None`: the first),
    /// `take` keeps what the page holds and returns the next token (`None`: the last page).
    async fn paginate_async<P, T, E, Fut>(
        &self,
        operation: &str,
        action: &str,
        what: &str,
        mut send: impl FnMut(Option<String>) -> Fut,
        mut take: impl FnMut(P, &mut Vec<T>) -> Option<String>,
    ) -> Result<Vec<T>>
    where
        Fut:
            Future<Output = Result<P, SdkError<E, aws_sdk_apigateway::config::http::HttpResponse>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let mut out = Vec::new();
        let mut token = None;
        let mut seen = std::collections::HashSet::new();
        for _ in 0..MAX_PAGES {
            let page = self
                .call_async(operation, action, what, send(token.take()))
                .await?;
            token = take(page, &mut out);
            match &token {
                None => return Ok(out),
                // An endpoint that hands back a token it gave before would loop forever.
                Some(t) if !seen.insert(t.clone()) => {
                    return Err(anyhow!(
                        "{operation}: AWS returned the same pagination token twice while listing {what}: the listing would not end (is AWS_ENDPOINT_URL a real API Gateway endpoint?)"
                    ));
                }
                Some(_) => {}
            }
        }
        Err(anyhow!(
            "{operation}: listing {what} took more than {MAX_PAGES} pages: stopped (is AWS_ENDPOINT_URL a real API Gateway endpoint?)"
        ))
    }

    /// [`Aws::paginate_async`], run to completion.
    fn paginate<P, T, E, Fut>(
        &self,
        operation: &str,
        action: &str,
        what: &str,
        send: impl FnMut(Option<String>) -> Fut,
        take: impl FnMut(P, &mut Vec<T>) -> Option<String>,
    ) -> Result<Vec<T>>
    where
        Fut:
            Future<Output = Result<P, SdkError<E, aws_sdk_apigateway::config::http::HttpResponse>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        self.runtime
            .block_on(self.paginate_async(operation, action, what, send, take))
    }

    /// Runs `read` again after AWS kept throttling it, pausing longer each round, while the
    /// deadline allows ([`THROTTLED_ROUNDS`]); any other error ends it at once.
    pub async fn persist<T, Fut>(&self, mut read: impl FnMut() -> Fut) -> Result<T>
    where
        Fut: Future<Output = Result<T>>,
    {
        let mut pause = COOL_DOWN;
        let mut round = 0;
        loop {
            match read().await {
                Err(e)
                    if failure_of(&e) == Some(Failure::Throttled) && round < THROTTLED_ROUNDS =>
                {
                    let left = self
                        .deadline
                        .saturating_duration_since(std::time::Instant::now());
                    if left <= pause {
                        return Err(e);
                    }
                    tokio::time::sleep(pause).await;
                    pause *= 2;
                    round += 1;
                }
                other => return other,
            }
        }
    }

    /// Reads every item with `read`, at most [`Aws::concurrency`] at once, each through
    /// [`Aws::persist`]; the results in the items' order. `done` is told of each result as
    /// it comes (for a progress bar).
    pub fn read_all<I, T, Fut>(
        &self,
        items: Vec<I>,
        read: impl Fn(I) -> Fut,
        mut done: impl FnMut(&Result<T>),
    ) -> Vec<Result<T>>
    where
        I: Clone,
        Fut: Future<Output = Result<T>>,
    {
        use futures_util::StreamExt;
        let read = &read;
        self.runtime.block_on(async {
            let mut results = Vec::with_capacity(items.len());
            let mut stream = futures_util::stream::iter(items)
                .map(|item| self.persist(move || read(item.clone())))
                .buffered(self.concurrency);
            while let Some(r) = stream.next().await {
                done(&r);
                results.push(r);
            }
            results
        })
    }

    /// Every REST API in the region: (id, name, binaryMediaTypes).
    pub fn rest_apis(&self) -> Result<Vec<(String, String, Vec<String>)>> {
        self.runtime.block_on(self.rest_apis_async())
    }

    /// [`Aws::rest_apis`].
    pub async fn rest_apis_async(&self) -> Result<Vec<(String, String, Vec<String>)>> {
        self.paginate_async(
            "GetRestApis",
            "apigateway:GET",
            "the region's REST APIs",
            |position| {
                self.apigateway
                    .get_rest_apis()
                    .set_position(position)
                    .limit(500)
                    .send()
            },
            |page, out| {
                out.extend(page.items().iter().map(|api| {
                    (
                        api.id().unwrap_or_default().to_string(),
                        api.name().unwrap_or_default().to_string(),
                        api.binary_media_types().to_vec(),
                    )
                }));
                page.position().map(str::to_string)
            },
        )
        .await
    }

    /// `aws apigateway get-resources --embed methods`, every page, as the CLI prints it.
    pub fn resources(&self, api_id: &str) -> Result<Value> {
        self.runtime.block_on(self.resources_async(api_id))
    }

    /// [`Aws::resources`].
    pub async fn resources_async(&self, api_id: &str) -> Result<Value> {
        let items = self
            .paginate_async(
                "GetResources",
                "apigateway:GET",
                &format!("REST API {api_id}"),
                |position| {
                    self.apigateway
                        .get_resources()
                        .rest_api_id(api_id)
                        .embed("methods")
                        .limit(500)
                        .set_position(position)
                        .send()
                },
                |page, out| {
                    out.extend(page.items().iter().map(resource_json));
                    page.position().map(str::to_string)
                },
            )
            .await?;
        Ok(json!({ "items": items }))
    }

    /// A REST API's authorizers (`aws apigateway get-authorizers`, every page).
    pub fn authorizers(&self, api_id: &str) -> Result<Vec<crate::checks::lint::LiveAuthorizer>> {
        self.runtime.block_on(self.paginate_async(
            "GetAuthorizers",
            "apigateway:GET",
            &format!("REST API {api_id}"),
            |position| {
                self.apigateway
                    .get_authorizers()
                    .rest_api_id(api_id)
                    .limit(500)
                    .set_position(position)
                    .send()
            },
            |page, out| {
                out.extend(page.items().iter().map(|a| {
                    crate::checks::lint::LiveAuthorizer {
                        id: a.id().unwrap_or_default().to_string(),
                        name: a.name().unwrap_or_default().to_string(),
                        kind: a
                            .r#type()
                            .map(|t| t.as_str().to_string())
                            .unwrap_or_default(),
                        uri: a.authorizer_uri().map(str::to_string),
                        credentials: a.authorizer_credentials().map(str::to_string),
                    }
                }));
                page.position().map(str::to_string)
            },
        ))
    }

    /// `aws apigateway get-rest-api`: what the API itself holds (its policy, binary media
    /// types), which get-resources leaves out.
    fn rest_api(
        &self,
        api_id: &str,
    ) -> Result<aws_sdk_apigateway::operation::get_rest_api::GetRestApiOutput> {
        self.call(
            "GetRestApi",
            "apigateway:GET",
            &format!("REST API {api_id}"),
            self.apigateway.get_rest_api().rest_api_id(api_id).send(),
        )
    }

    /// The binary media types of a REST API (`get-rest-api --query binaryMediaTypes`).
    pub fn rest_api_binary_media_types(&self, api_id: &str) -> Result<Vec<String>> {
        Ok(self.rest_api(api_id)?.binary_media_types().to_vec())
    }

    /// The resource policy of a REST API (`get-rest-api --query policy`), if it has one.
    pub fn rest_api_policy(&self, api_id: &str) -> Result<Option<String>> {
        Ok(self.rest_api(api_id)?.policy().map(str::to_string))
    }

    /// The stages of a REST API with their variables.
    pub fn stages(&self, api_id: &str) -> Result<Vec<Stage>> {
        let out = self.call(
            "GetStages",
            "apigateway:GET",
            &format!("REST API {api_id}"),
            self.apigateway.get_stages().rest_api_id(api_id).send(),
        )?;
        Ok(out
            .item()
            .iter()
            .map(|s| Stage {
                name: s.stage_name().unwrap_or_default().to_string(),
                variables: sorted(s.variables()),
            })
            .collect())
    }

    /// What a stage serves (`get-export --parameters extensions=apigateway`: integrations,
    /// authorizers, validators and gateway responses), when the export holds integrations;
    /// `None` when it holds none (then only the current definition is known).
    pub fn deployed_definition(&self, api_id: &str, stage: &str) -> Result<Option<Value>> {
        let out = self.call(
            "GetExport",
            "apigateway:GET",
            &format!("stage {stage} of REST API {api_id}"),
            self.apigateway
                .get_export()
                .rest_api_id(api_id)
                .stage_name(stage)
                .export_type("oas30")
                .parameters("extensions", "apigateway")
                .accepts("application/json")
                .send(),
        )?;
        let Some(body) = out.body() else {
            return Ok(None);
        };
        let value: Value = serde_json::from_slice(body.as_ref()).map_err(|e| {
            anyhow!("GetExport: the export of stage {stage} of REST API {api_id} is not JSON: {e}")
        })?;
        let text = value.to_string();
        Ok(text
            .contains("x-amazon-apigateway-integration")
            .then_some(value))
    }

    /// Every HTTP and WebSocket API in the region (apigatewayv2): (id, name).
    pub fn http_apis(&self) -> Result<Vec<(String, String)>> {
        self.v2_apis(None)
    }

    /// [`Aws::http_apis`].
    pub async fn http_apis_async(&self) -> Result<Vec<(String, String)>> {
        self.v2_apis_async(None).await
    }

    /// Every WebSocket API in the region: (id, name).
    pub fn websocket_apis(&self) -> Result<Vec<(String, String)>> {
        self.v2_apis(Some("WEBSOCKET"))
    }

    /// [`Aws::websocket_apis`].
    pub async fn websocket_apis_async(&self) -> Result<Vec<(String, String)>> {
        self.v2_apis_async(Some("WEBSOCKET")).await
    }

    /// The region's apigatewayv2 APIs of one protocol (all with `None`): (id, name).
    fn v2_apis(&self, protocol: Option<&str>) -> Result<Vec<(String, String)>> {
        self.runtime.block_on(self.v2_apis_async(protocol))
    }

    async fn v2_apis_async(&self, protocol: Option<&str>) -> Result<Vec<(String, String)>> {
        Ok(self
            .v2_apis_listed_async()
            .await?
            .into_iter()
            .filter(|(_, _, p)| protocol.is_none_or(|want| want == p))
            .map(|(id, name, _)| (id, name))
            .collect())
    }

    /// The region's apigatewayv2 APIs: (id, name, protocol: HTTP or WEBSOCKET).
    pub async fn v2_apis_listed_async(&self) -> Result<Vec<(String, String, String)>> {
        self.paginate_async(
            "GetApis",
            "apigateway:GET",
            "the region's HTTP and WebSocket APIs",
            |token| self.apigatewayv2.get_apis().set_next_token(token).send(),
            |page, out| {
                out.extend(page.items().iter().map(|api| {
                    (
                        api.api_id().unwrap_or_default().to_string(),
                        api.name().unwrap_or_default().to_string(),
                        api.protocol_type()
                            .map(|p| p.as_str().to_string())
                            .unwrap_or_default(),
                    )
                }));
                page.next_token().map(str::to_string)
            },
        )
        .await
    }

    /// A WebSocket API as API Gateway holds it now: its route selection expression, routes
    /// with their route responses, and integrations with their integration responses.
    pub fn websocket_api(&self, api_id: &str) -> Result<crate::checks::websocket::WsApi> {
        self.runtime.block_on(self.websocket_api_async(api_id))
    }

    /// [`Aws::websocket_api`].
    pub async fn websocket_api_async(
        &self,
        api_id: &str,
    ) -> Result<crate::checks::websocket::WsApi> {
        use crate::checks::websocket::{WsApi, WsIntegration, WsRoute};
        let what = format!("WebSocket API {api_id}");
        let (api, routes, integrations) = self.v2_api_async(api_id, "WEBSOCKET", &what).await?;
        let mut ws = WsApi {
            id: api_id.to_string(),
            name: api.name().unwrap_or(api_id).to_string(),
            route_selection_expression: api.route_selection_expression().map(str::to_string),
            origin: format!("WebSocket API {api_id}"),
            ..WsApi::default()
        };
        for i in &integrations {
            let id = i.integration_id().unwrap_or_default();
            let responses = self
                .call_async(
                    "GetIntegrationResponses",
                    "apigateway:GET",
                    &what,
                    self.apigatewayv2
                        .get_integration_responses()
                        .api_id(api_id)
                        .integration_id(id)
                        .send(),
                )
                .await?;
            ws.integrations.push(WsIntegration {
                id: id.to_string(),
                kind: i
                    .integration_type()
                    .map(|t| t.as_str().to_string())
                    .unwrap_or_default(),
                uri: i.integration_uri().map(str::to_string),
                credentials: i.credentials_arn().map(str::to_string),
                integration_responses: responses
                    .items()
                    .iter()
                    .filter_map(|r| r.integration_response_key().map(str::to_string))
                    .collect(),
                origin: format!("integration {id}"),
            });
        }
        for r in &routes {
            let id = r.route_id().unwrap_or_default();
            let key = r.route_key().unwrap_or_default().to_string();
            // A route's responses that cannot be read leave its two-way-ness unknown: said,
            // not guessed.
            let responses = match self
                .call_async(
                    "GetRouteResponses",
                    "apigateway:GET",
                    &what,
                    self.apigatewayv2
                        .get_route_responses()
                        .api_id(api_id)
                        .route_id(id)
                        .send(),
                )
                .await
            {
                Ok(out) => Some(
                    out.items()
                        .iter()
                        .filter_map(|rr| rr.route_response_key().map(str::to_string))
                        .collect(),
                ),
                Err(e) => {
                    ws.unread
                        .push(format!("the route responses of route {key} ({e:#})"));
                    None
                }
            };
            ws.routes.push(WsRoute {
                key,
                integration: r
                    .target()
                    .map(|t| t.trim_start_matches("integrations/").to_string()),
                authorization_type: r
                    .authorization_type()
                    .map_or("NONE".to_string(), |a| a.as_str().to_string()),
                authorizer_id: r.authorizer_id().map(str::to_string),
                route_response_selection_expression: r
                    .route_response_selection_expression()
                    .map(str::to_string),
                route_responses_known: responses.is_some(),
                route_responses: responses.unwrap_or_default(),
                origin: format!("route {id}"),
            });
        }
        // For the permission check: a Lambda authorizer on $connect needs its own.
        match self.route_authorizers_async(api_id, &routes, &what).await {
            Ok(printed) => ws.authorizers = live_authorizers(&printed),
            Err(e) => ws.unread.push(format!("the routes' authorizers ({e:#})")),
        }
        Ok(ws)
    }

    /// The authorizers an apigatewayv2 API's routes use, each read once (get-authorizer; an
    /// API has at most 10), as `aws apigatewayv2 get-authorizer` prints them.
    async fn route_authorizers_async(
        &self,
        api_id: &str,
        routes: &[aws_sdk_apigatewayv2::types::Route],
        what: &str,
    ) -> Result<Vec<Value>> {
        let mut authorizers = Vec::new();
        let mut ids: Vec<&str> = routes.iter().filter_map(|r| r.authorizer_id()).collect();
        ids.sort_unstable();
        ids.dedup();
        for id in ids {
            let a = self
                .call_async(
                    "GetAuthorizer",
                    "apigateway:GET",
                    what,
                    self.apigatewayv2
                        .get_authorizer()
                        .api_id(api_id)
                        .authorizer_id(id)
                        .send(),
                )
                .await?;
            let mut o = Map::new();
            insert_str(&mut o, "AuthorizerId", a.authorizer_id());
            insert_str(&mut o, "Name", a.name());
            insert_str(
                &mut o,
                "AuthorizerType",
                a.authorizer_type().map(|t| t.as_str()),
            );
            insert_str(&mut o, "AuthorizerUri", a.authorizer_uri());
            insert_str(
                &mut o,
                "AuthorizerCredentialsArn",
                a.authorizer_credentials_arn(),
            );
            insert_str(
                &mut o,
                "AuthorizerPayloadFormatVersion",
                a.authorizer_payload_format_version(),
            );
            if !a.identity_source().is_empty() {
                o.insert(
                    "IdentitySource".into(),
                    serde_json::json!(a.identity_source()),
                );
            }
            if let Some(j) = a.jwt_configuration() {
                o.insert(
                    "JwtConfiguration".into(),
                    serde_json::json!({"Issuer": j.issuer(), "Audience": j.audience()}),
                );
            }
            if let Some(b) = a.enable_simple_responses() {
                o.insert("EnableSimpleResponses".into(), Value::Bool(b));
            }
            if let Some(t) = a.authorizer_result_ttl_in_seconds() {
                o.insert("AuthorizerResultTtlInSeconds".into(), t.into());
            }
            authorizers.push(Value::Object(o));
        }
        Ok(authorizers)
    }

    /// An HTTP API as API Gateway holds it now, read into the OpenAPI definition its export
    /// holds (get-api, get-routes, get-integrations, the authorizers its routes use, get-stages).
    pub fn http_api(&self, api_id: &str) -> Result<HttpApi> {
        self.runtime.block_on(self.http_api_async(api_id))
    }

    pub async fn http_api_async(&self, api_id: &str) -> Result<HttpApi> {
        let what = format!("HTTP API {api_id}");
        let (api, routes, integrations) = self.v2_api_async(api_id, "HTTP", &what).await?;
        let authorizers = self.route_authorizers_async(api_id, &routes, &what).await?;
        let stages = self.v2_stages_async(api_id, &what).await?;
        let mut a = Map::new();
        insert_str(&mut a, "Name", api.name());
        insert_str(&mut a, "Version", api.version());
        if let Some(c) = api.cors_configuration() {
            let mut cors = serde_json::json!({
                "AllowOrigins": c.allow_origins(), "AllowMethods": c.allow_methods(),
                "AllowHeaders": c.allow_headers(), "ExposeHeaders": c.expose_headers()});
            if let Some(m) = c.max_age() {
                cors["MaxAge"] = m.into();
            }
            if let Some(b) = c.allow_credentials() {
                cors["AllowCredentials"] = b.into();
            }
            a.insert("CorsConfiguration".into(), cors);
        }
        if let Some(d) = api.disable_execute_api_endpoint() {
            a.insert("DisableExecuteApiEndpoint".into(), Value::Bool(d));
        }
        let routes: Vec<Value> = routes
            .iter()
            .map(|r| {
                let mut o = Map::new();
                insert_str(&mut o, "RouteId", r.route_id());
                insert_str(&mut o, "RouteKey", r.route_key());
                insert_str(&mut o, "Target", r.target());
                insert_str(
                    &mut o,
                    "AuthorizationType",
                    r.authorization_type().map(|t| t.as_str()),
                );
                insert_str(&mut o, "AuthorizerId", r.authorizer_id());
                if !r.authorization_scopes().is_empty() {
                    o.insert(
                        "AuthorizationScopes".into(),
                        serde_json::json!(r.authorization_scopes()),
                    );
                }
                Value::Object(o)
            })
            .collect();
        let integrations: Vec<Value> = integrations
            .iter()
            .map(|i| {
                let mut o = Map::new();
                insert_str(&mut o, "IntegrationId", i.integration_id());
                insert_str(
                    &mut o,
                    "IntegrationType",
                    i.integration_type().map(|t| t.as_str()),
                );
                insert_str(&mut o, "IntegrationUri", i.integration_uri());
                insert_str(&mut o, "IntegrationMethod", i.integration_method());
                insert_str(&mut o, "IntegrationSubtype", i.integration_subtype());
                insert_str(&mut o, "PayloadFormatVersion", i.payload_format_version());
                insert_str(
                    &mut o,
                    "ConnectionType",
                    i.connection_type().map(|t| t.as_str()),
                );
                insert_str(&mut o, "ConnectionId", i.connection_id());
                insert_str(&mut o, "CredentialsArn", i.credentials_arn());
                if let Some(t) = i.timeout_in_millis() {
                    o.insert("TimeoutInMillis".into(), t.into());
                }
                if i.request_parameters().is_some_and(|m| !m.is_empty()) {
                    o.insert(
                        "RequestParameters".into(),
                        string_map(i.request_parameters()),
                    );
                }
                if let Some(m) = i.response_parameters().filter(|m| !m.is_empty()) {
                    let mut sorted: Vec<_> = m.iter().collect();
                    sorted.sort_by(|a, b| a.0.cmp(b.0));
                    o.insert(
                        "ResponseParameters".into(),
                        Value::Object(
                            sorted
                                .into_iter()
                                .map(|(status, ops)| (status.clone(), string_map(Some(ops))))
                                .collect(),
                        ),
                    );
                }
                Value::Object(o)
            })
            .collect();
        let definition = crate::sources::apigatewayv2::from_parts(
            &Value::Object(a),
            &routes,
            &integrations,
            &authorizers,
            &stages
                .iter()
                .map(|s| {
                    let variables: serde_json::Map<String, Value> = s
                        .variables
                        .iter()
                        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                        .collect();
                    serde_json::json!({"StageName": s.name, "StageVariables": variables})
                })
                .collect::<Vec<_>>(),
        );
        Ok(HttpApi {
            id: api_id.to_string(),
            name: api.name().unwrap_or_default().to_string(),
            definition,
            stages,
            authorizers: live_authorizers(&authorizers),
        })
    }

    /// An apigatewayv2 API of this protocol (HTTP or WEBSOCKET; another is refused, saying
    /// which it is), with its routes and integrations.
    async fn v2_api_async(
        &self,
        api_id: &str,
        protocol: &str,
        what: &str,
    ) -> Result<(
        aws_sdk_apigatewayv2::operation::get_api::GetApiOutput,
        Vec<aws_sdk_apigatewayv2::types::Route>,
        Vec<aws_sdk_apigatewayv2::types::Integration>,
    )> {
        let api = self
            .call_async(
                "GetApi",
                "apigateway:GET",
                what,
                self.apigatewayv2.get_api().api_id(api_id).send(),
            )
            .await?;
        let actual = api.protocol_type().map_or("unknown", |p| p.as_str());
        if actual != protocol {
            let name = |p: &str| {
                if p == "WEBSOCKET" {
                    "a WebSocket"
                } else if p == "HTTP" {
                    "an HTTP"
                } else {
                    "an unknown"
                }
            };
            bail!(
                "API {api_id} is {} API, not {} API",
                name(actual),
                name(protocol)
            );
        }
        let routes = self.routes_async(api_id, what).await?;
        let integrations = self.integrations_async(api_id, what).await?;
        Ok((api, routes, integrations))
    }

    /// The stages of an apigatewayv2 API (HTTP or WebSocket) with their variables.
    pub fn v2_stages(&self, api_id: &str, what: &str) -> Result<Vec<Stage>> {
        self.runtime.block_on(self.v2_stages_async(api_id, what))
    }

    async fn v2_stages_async(&self, api_id: &str, what: &str) -> Result<Vec<Stage>> {
        let out = self
            .call_async(
                "GetStages",
                "apigateway:GET",
                what,
                self.apigatewayv2.get_stages().api_id(api_id).send(),
            )
            .await?;
        Ok(out
            .items()
            .iter()
            .map(|s| Stage {
                name: s.stage_name().unwrap_or_default().to_string(),
                variables: sorted(s.stage_variables()),
            })
            .collect())
    }

    /// Every route of an apigatewayv2 API (HTTP or WebSocket).
    async fn routes_async(
        &self,
        api_id: &str,
        what: &str,
    ) -> Result<Vec<aws_sdk_apigatewayv2::types::Route>> {
        self.paginate_async(
            "GetRoutes",
            "apigateway:GET",
            what,
            |token| {
                self.apigatewayv2
                    .get_routes()
                    .api_id(api_id)
                    .set_next_token(token)
                    .send()
            },
            |page, out| {
                out.extend(page.items().iter().cloned());
                page.next_token().map(str::to_string)
            },
        )
        .await
    }

    /// Every integration of an apigatewayv2 API (HTTP or WebSocket).
    async fn integrations_async(
        &self,
        api_id: &str,
        what: &str,
    ) -> Result<Vec<aws_sdk_apigatewayv2::types::Integration>> {
        self.paginate_async(
            "GetIntegrations",
            "apigateway:GET",
            what,
            |token| {
                self.apigatewayv2
                    .get_integrations()
                    .api_id(api_id)
                    .set_next_token(token)
                    .send()
            },
            |page, out| {
                out.extend(page.items().iter().cloned());
                page.next_token().map(str::to_string)
            },
        )
        .await
    }

    /// An HTTP API's integrations with the route keys that target each, and its stages.
    pub fn http_integrations(&self, api_id: &str) -> Result<(Vec<HttpIntegration>, Vec<Stage>)> {
        let what = format!("HTTP API {api_id}");
        let mut integrations: Vec<HttpIntegration> = self
            .runtime
            .block_on(self.integrations_async(api_id, &what))?
            .iter()
            .map(|i| HttpIntegration {
                id: i.integration_id().unwrap_or_default().to_string(),
                connection_type: i.connection_type().map(|c| c.as_str().to_string()),
                connection_id: i.connection_id().map(str::to_string),
                routes: Vec::new(),
            })
            .collect();
        let routes: Vec<(String, String)> = self
            .runtime
            .block_on(self.routes_async(api_id, &what))?
            .iter()
            .map(|r| {
                (
                    r.target().unwrap_or_default().to_string(),
                    r.route_key().unwrap_or_default().to_string(),
                )
            })
            .collect();
        for (target, key) in routes {
            if let Some(i) = integrations
                .iter_mut()
                .find(|i| target == format!("integrations/{}", i.id))
            {
                i.routes.push(key);
            }
        }
        let stages = self.runtime.block_on(self.v2_stages_async(api_id, &what))?;
        Ok((integrations, stages))
    }

    /// The custom domain name `host` (REST first, then HTTP API), or `None` when API Gateway
    /// has none by that name in the region.
    pub fn domain(&self, host: &str) -> Result<Option<Domain>> {
        let what = format!("custom domain name {host}");
        let rest = self.find(
            "GetDomainName",
            "apigateway:GET",
            &what,
            self.apigateway.get_domain_name().domain_name(host).send(),
        )?;
        let mut domain = if let Some(d) = rest {
            let regional = d.regional_domain_name().is_some();
            let mappings = self.base_path_mappings(host, None, &what)?;
            Domain {
                api: "rest",
                endpoint_type: d
                    .endpoint_configuration()
                    .and_then(|e| e.types().first())
                    .map(|t| t.as_str().to_string()),
                target: d
                    .regional_domain_name()
                    .or(d.distribution_domain_name())
                    .map(str::to_string),
                status: d.domain_name_status().map(|s| s.as_str().to_string()),
                mappings,
                certificate: if regional {
                    d.regional_certificate_arn()
                } else {
                    d.certificate_arn()
                }
                .map(Certificate::unread),
                mutual_tls: d.mutual_tls_authentication().and_then(|m| {
                    mutual_tls(
                        m.truststore_uri(),
                        m.truststore_version(),
                        m.truststore_warnings(),
                        d.endpoint_configuration()
                            .and_then(|e| e.types().first())
                            .map(|t| t.as_str()),
                        d.security_policy().map(|p| p.as_str()),
                    )
                }),
                default_endpoint_enabled: Vec::new(),
                security_policy: d.security_policy().map(|p| p.as_str().to_string()),
                private: None,
            }
        } else {
            let Some(d) = self.find(
                "GetDomainName",
                "apigateway:GET",
                &what,
                self.apigatewayv2.get_domain_name().domain_name(host).send(),
            )?
            else {
                return self.private_domain(host);
            };
            let config = d.domain_name_configurations().first();
            let mappings = self.call(
                "GetApiMappings",
                "apigateway:GET",
                &what,
                self.apigatewayv2
                    .get_api_mappings()
                    .domain_name(host)
                    .send(),
            )?;
            Domain {
                api: "http",
                endpoint_type: config
                    .and_then(|c| c.endpoint_type())
                    .map(|t| t.as_str().to_string()),
                target: config
                    .and_then(|c| c.api_gateway_domain_name())
                    .map(str::to_string),
                status: config
                    .and_then(|c| c.domain_name_status())
                    .map(|s| s.as_str().to_string()),
                mappings: mappings
                    .items()
                    .iter()
                    .map(|m| {
                        (
                            m.api_mapping_key()
                                .filter(|k| !k.is_empty())
                                .unwrap_or("(none)")
                                .to_string(),
                            m.api_id().unwrap_or_default().to_string(),
                            m.stage().unwrap_or_default().to_string(),
                        )
                    })
                    .collect(),
                certificate: config
                    .and_then(|c| c.certificate_arn())
                    .map(Certificate::unread),
                mutual_tls: d.mutual_tls_authentication().and_then(|m| {
                    mutual_tls(
                        m.truststore_uri(),
                        m.truststore_version(),
                        m.truststore_warnings(),
                        config.and_then(|c| c.endpoint_type()).map(|t| t.as_str()),
                        config.and_then(|c| c.security_policy()).map(|p| p.as_str()),
                    )
                }),
                default_endpoint_enabled: Vec::new(),
                security_policy: config
                    .and_then(|c| c.security_policy())
                    .map(|p| p.as_str().to_string()),
                private: None,
            }
        };
        if domain.mutual_tls.is_some() {
            domain.default_endpoint_enabled = self.open_default_endpoints(&domain)?;
        }
        if let Some(cert) = &mut domain.certificate {
            self.describe_certificate(cert)?;
        }
        Ok(Some(domain))
    }

    /// A custom domain name for private APIs by that name in this account (GetDomainName
    /// needs its id, so the account's names are listed), with its mappings and access
    /// associations; `None` when there is none either.
    fn private_domain(&self, host: &str) -> Result<Option<Domain>> {
        use aws_sdk_apigateway::types::ResourceOwner;
        let what = format!("custom domain name {host}");
        let found = self.paginate(
            "GetDomainNames",
            "apigateway:GET",
            &what,
            |position| {
                self.apigateway
                    .get_domain_names()
                    .resource_owner(ResourceOwner::SelfValue)
                    .set_position(position)
                    .send()
            },
            |page, out| {
                out.extend(
                    page.items()
                        .iter()
                        .filter(|d| d.domain_name() == Some(host) && d.domain_name_id().is_some())
                        .cloned(),
                );
                page.position().map(str::to_string)
            },
        )?;
        let Some(d) = found.into_iter().next() else {
            return Ok(None);
        };
        let id = d.domain_name_id().unwrap_or_default().to_string();
        let arn = d.domain_name_arn().unwrap_or_default().to_string();
        let mappings = self.base_path_mappings(host, Some(&id), &what)?;
        let access_associations = self.paginate(
            "GetDomainNameAccessAssociations",
            "apigateway:GET",
            &what,
            |position| {
                self.apigateway
                    .get_domain_name_access_associations()
                    .resource_owner(ResourceOwner::SelfValue)
                    .set_position(position)
                    .send()
            },
            |page, out| {
                out.extend(
                    page.items()
                        .iter()
                        .filter(|a| a.domain_name_arn() == Some(arn.as_str()))
                        .filter_map(|a| a.access_association_source().map(str::to_string)),
                );
                page.position().map(str::to_string)
            },
        )?;
        let mut domain = Domain {
            api: "rest",
            endpoint_type: Some("PRIVATE".to_string()),
            target: None,
            status: d.domain_name_status().map(|s| s.as_str().to_string()),
            mappings,
            certificate: d.certificate_arn().map(Certificate::unread),
            mutual_tls: None,
            default_endpoint_enabled: Vec::new(),
            security_policy: d.security_policy().map(|p| p.as_str().to_string()),
            private: Some(PrivateDomain {
                arn,
                id,
                policy: d.policy().map(str::to_string),
                access_associations,
            }),
        };
        if let Some(cert) = &mut domain.certificate {
            self.describe_certificate(cert)?;
        }
        Ok(Some(domain))
    }

    /// A REST custom domain name's base path mappings: (base path, API id, stage); a private
    /// custom domain name is named by its id too.
    fn base_path_mappings(
        &self,
        host: &str,
        id: Option<&str>,
        what: &str,
    ) -> Result<Vec<(String, String, String)>> {
        self.paginate(
            "GetBasePathMappings",
            "apigateway:GET",
            what,
            |position| {
                self.apigateway
                    .get_base_path_mappings()
                    .domain_name(host)
                    .set_domain_name_id(id.map(str::to_string))
                    .set_position(position)
                    .send()
            },
            |page, out| {
                out.extend(page.items().iter().map(|m| {
                    (
                        m.base_path().unwrap_or("(none)").to_string(),
                        m.rest_api_id().unwrap_or_default().to_string(),
                        m.stage().unwrap_or_default().to_string(),
                    )
                }));
                page.position().map(str::to_string)
            },
        )
    }

    /// The mapped APIs (each once) whose default execute-api endpoint is enabled.
    fn open_default_endpoints(&self, domain: &Domain) -> Result<Vec<String>> {
        let mut ids: Vec<&str> = domain.mappings.iter().map(|m| m.1.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut open = Vec::new();
        for id in ids.into_iter().filter(|i| !i.is_empty()) {
            let what = format!("API {id}");
            let disabled = if domain.api == "rest" {
                self.find(
                    "GetRestApi",
                    "apigateway:GET",
                    &what,
                    self.apigateway.get_rest_api().rest_api_id(id).send(),
                )?
                .map(|a| a.disable_execute_api_endpoint())
            } else {
                self.find(
                    "GetApi",
                    "apigateway:GET",
                    &what,
                    self.apigatewayv2.get_api().api_id(id).send(),
                )?
                .map(|a| a.disable_execute_api_endpoint().unwrap_or(false))
            };
            if disabled == Some(false) {
                open.push(id.to_string());
            }
        }
        Ok(open)
    }

    /// A REST API's endpoint types (REGIONAL, EDGE, PRIVATE), the VPC endpoints associated
    /// with it, and its resource policy (the JSON text), for `probe --aws`.
    pub fn endpoint_configuration(&self, api_id: &str) -> Result<PrivateApi> {
        let api = self.call(
            "GetRestApi",
            "apigateway:GET",
            &format!("REST API {api_id}"),
            self.apigateway.get_rest_api().rest_api_id(api_id).send(),
        )?;
        let config = api.endpoint_configuration();
        Ok(PrivateApi {
            endpoint_types: config
                .map(|c| c.types().iter().map(|t| t.as_str().to_string()).collect())
                .unwrap_or_default(),
            vpc_endpoint_ids: config
                .map(|c| c.vpc_endpoint_ids().to_vec())
                .unwrap_or_default(),
            policy: api.policy().map(str::to_string),
            security_policy: api.security_policy().map(|p| p.as_str().to_string()),
            endpoint_access_mode: api.endpoint_access_mode().map(|m| m.as_str().to_string()),
        })
    }

    /// An S3 object (a mutual TLS truststore: `s3://bucket/key`, at `version`), read with one
    /// SigV4-signed GET, at most `max` bytes. AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL, when set,
    /// is addressed path-style; otherwise the bucket's virtual-hosted name in the region (once
    /// more in the bucket's own region when S3 names another).
    pub fn s3_object(&self, uri: &str, version: Option<&str>, max: u64) -> Result<Vec<u8>> {
        let Some((bucket, key)) = uri
            .strip_prefix("s3://")
            .and_then(|r| r.split_once('/'))
            .filter(|(b, k)| !b.is_empty() && !k.is_empty())
        else {
            bail!("{uri}: not an s3://BUCKET/KEY address");
        };
        let endpoint = std::env::var("AWS_ENDPOINT_URL_S3")
            .ok()
            .or_else(|| self.config.endpoint_url().map(str::to_string));
        let mut region = self.region.clone();
        for _ in 0..2 {
            let mut url = match &endpoint {
                Some(e) => {
                    let mut u = url::Url::parse(e)
                        .map_err(|err| anyhow!("the S3 endpoint {e:?} is not a URL: {err}"))?;
                    u.path_segments_mut()
                        .map_err(|_| anyhow!("the S3 endpoint {e:?} cannot take a path"))?
                        .pop_if_empty()
                        .push(bucket)
                        .extend(key.split('/'));
                    u
                }
                None => {
                    let mut u =
                        url::Url::parse(&format!("https://{bucket}.s3.{region}.amazonaws.com/"))
                            .map_err(|err| anyhow!("{uri}: {err}"))?;
                    u.path_segments_mut()
                        .map_err(|_| anyhow!("{uri}: bad bucket name"))?
                        .pop_if_empty()
                        .extend(key.split('/'));
                    u
                }
            };
            if let Some(v) = version {
                url.query_pairs_mut().append_pair("versionId", v);
            }
            let (status, moved_to, body) =
                self.signed_get_blocking("GetObject", "s3", &url, &region, max, uri)?;
            match (status, moved_to) {
                (200, _) => return Ok(body),
                (301 | 400, Some(other)) if other != region => region = other,
                (status, _) => {
                    let text = String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned();
                    let code = text
                        .split("<Code>")
                        .nth(1)
                        .and_then(|c| c.split("</Code>").next())
                        .unwrap_or("");
                    bail!(
                        "GetObject {uri}: S3 answered {status} {code}{}",
                        if status == 403 {
                            " (the credentials need s3:GetObject, and s3:GetObjectVersion for a version, on the truststore)"
                        } else {
                            ""
                        }
                    );
                }
            }
        }
        bail!("GetObject {uri}: S3 kept naming another region")
    }

    /// [`Self::signed_get`], waited for at most twice the call's timeout; `what` names the
    /// object asked for in the error.
    fn signed_get_blocking(
        &self,
        operation: &str,
        service: &str,
        url: &url::Url,
        region: &str,
        max: u64,
        what: &str,
    ) -> Result<(u16, Option<String>, Vec<u8>)> {
        let fetched = self.runtime.block_on(async {
            tokio::time::timeout(
                self.timeout * 2,
                self.signed_get(operation, service, url, region, max),
            )
            .await
        });
        match fetched {
            Err(_) => bail!(
                "{operation} {what}: AWS did not answer within {:?}",
                self.timeout * 2
            ),
            Ok(r) => r,
        }
    }

    /// One SigV4-signed GET: (status, the bucket's region if S3 names it, body up to `max`).
    async fn signed_get(
        &self,
        operation: &str,
        service: &str,
        url: &url::Url,
        region: &str,
        max: u64,
    ) -> Result<(u16, Option<String>, Vec<u8>)> {
        use aws_credential_types::provider::ProvideCredentials;
        use aws_sigv4::http_request::{
            PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest,
            SigningSettings, UriPathNormalizationMode, sign,
        };
        let provider = self
            .config
            .credentials_provider()
            .ok_or_else(|| anyhow!("{operation}: no AWS credentials are configured"))?;
        let credentials = provider
            .provide_credentials()
            .await
            .map_err(|e| anyhow!("{operation}: cannot load AWS credentials: {e}"))?;
        let identity = aws_smithy_runtime_api::client::identity::Identity::from(credentials);
        let mut settings = SigningSettings::default();
        if service == "s3" {
            settings.percent_encoding_mode = PercentEncodingMode::Single;
            settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
            settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        }
        let params = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&identity)
            .region(region)
            .name(service)
            .time(std::time::SystemTime::now())
            .settings(settings)
            .build()
            .map_err(|e| anyhow!("{operation}: cannot sign: {e}"))?
            .into();
        let signable = SignableRequest::new(
            "GET",
            url.as_str(),
            std::iter::empty(),
            SignableBody::Bytes(&[]),
        )
        .map_err(|e| anyhow!("{operation}: cannot sign {url}: {e}"))?;
        let (instructions, _) = sign(signable, &params)
            .map_err(|e| anyhow!("{operation}: cannot sign {url}: {e}"))?
            .into_parts();
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| anyhow!("TLS: {e}"))?
            .with_root_certificates(rustls::RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            })
            .with_no_client_auth();
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .timeout(self.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| anyhow!("{operation}: cannot build the HTTP client: {e}"))?;
        let mut request = client.get(url.as_str());
        for (name, value) in instructions.headers() {
            request = request.header(name, value);
        }
        // A timeout (of the request or of its body) says so in words.
        let failed = |e: reqwest::Error| {
            if e.is_timeout() {
                anyhow!(
                    "{operation} {url}: AWS did not answer within {:?}",
                    self.timeout
                )
            } else {
                anyhow!("{operation} {url}: {e}")
            }
        };
        let mut response = request.send().await.map_err(failed)?;
        let status = response.status().as_u16();
        let moved_to = response
            .headers()
            .get("x-amz-bucket-region")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(failed)? {
            body.extend_from_slice(&chunk);
            if body.len() as u64 > max {
                bail!("{operation} {url}: the answer is larger than {max} bytes");
            }
        }
        Ok((status, moved_to, body))
    }

    /// A Lambda function's resource-based policy (lambda:GetPolicy, one SigV4-signed GET of
    /// `/2015-03-31/functions/NAME/policy`, in the function's region; AWS_ENDPOINT_URL_LAMBDA or
    /// AWS_ENDPOINT_URL when set). One more attempt after a throttled or failed answer; an
    /// answer is at most 1 MiB (a function's policy is at most 20 KB).
    pub fn lambda_policy(&self, function_arn: &str) -> Result<crate::checks::lint::PolicyRead> {
        // arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]
        let parts: Vec<&str> = function_arn.splitn(8, ':').collect();
        let [_, partition, "lambda", region, _, "function", _, ..] = parts.as_slice() else {
            bail!("{function_arn}: not a Lambda function's ARN");
        };
        let (name, qualifier) = match parts.get(7) {
            Some(q) => (&function_arn[..function_arn.len() - q.len() - 1], Some(*q)),
            None => (function_arn, None),
        };
        let region = if region.is_empty() {
            &self.region
        } else {
            *region
        };
        let endpoint = std::env::var("AWS_ENDPOINT_URL_LAMBDA")
            .ok()
            .or_else(|| self.config.endpoint_url().map(str::to_string))
            .unwrap_or_else(|| {
                let suffix = if *partition == "aws-cn" {
                    "amazonaws.com.cn"
                } else {
                    "amazonaws.com"
                };
                format!("https://lambda.{region}.{suffix}")
            });
        let mut url = url::Url::parse(&endpoint)
            .map_err(|e| anyhow!("the Lambda endpoint {endpoint:?} is not a URL: {e}"))?;
        url.path_segments_mut()
            .map_err(|_| anyhow!("the Lambda endpoint {endpoint:?} cannot take a path"))?
            .pop_if_empty()
            .extend(["2015-03-31", "functions", name, "policy"]);
        if let Some(q) = qualifier {
            url.query_pairs_mut().append_pair("Qualifier", q);
        }
        let mut answer = None;
        for attempt in 0..2 {
            let (status, _, body) = self.signed_get_blocking(
                "GetPolicy",
                "lambda",
                &url,
                region,
                1024 * 1024,
                function_arn,
            )?;
            self.stats
                .calls
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let retry = status == 429 || status >= 500;
            answer = Some((status, body));
            if !retry || attempt == 1 {
                break;
            }
            if status == 429 {
                self.stats
                    .throttled
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            std::thread::sleep(Duration::from_millis(500));
        }
        let Some((status, body)) = answer else {
            bail!("GetPolicy {function_arn}: no answer");
        };
        let json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let message = json
            .get("Message")
            .or_else(|| json.get("message"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        match status {
            200 => {
                let policy = json
                    .get("Policy")
                    .and_then(Value::as_str)
                    .and_then(|p| serde_json::from_str(p).ok())
                    .ok_or_else(|| {
                        anyhow!("GetPolicy {function_arn}: the answer holds no policy")
                    })?;
                Ok(crate::checks::lint::PolicyRead::Policy(policy))
            }
            404 if message.starts_with("Function not found") => {
                Ok(crate::checks::lint::PolicyRead::NoFunction(message))
            }
            404 => Ok(crate::checks::lint::PolicyRead::NoPolicy),
            _ => {
                let kind = json
                    .get("__type")
                    .or_else(|| json.get("Type"))
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let message: String = message.chars().take(300).collect();
                bail!(
                    "GetPolicy {function_arn}: Lambda answered {status} {kind}{}{}",
                    if message.is_empty() {
                        String::new()
                    } else {
                        format!(": {message}")
                    },
                    if status == 403 {
                        " (the credentials need lambda:GetPolicy on the function)"
                    } else {
                        ""
                    }
                )
            }
        }
    }

    /// The account of the credentials in use (sts:GetCallerIdentity).
    pub fn account_id(&self) -> Result<String> {
        let sts = aws_sdk_sts::Client::from_conf(
            aws_sdk_sts::config::Builder::from(&self.config)
                .interceptor(BoundedBody)
                .build(),
        );
        let out = self.call(
            "GetCallerIdentity",
            "sts:GetCallerIdentity",
            "the caller's account",
            sts.get_caller_identity().send(),
        )?;
        out.account()
            .map(str::to_string)
            .ok_or_else(|| anyhow!("GetCallerIdentity: no account in the answer"))
    }

    /// ACM's view of a certificate, asked in the region of its ARN.
    fn describe_certificate(&self, cert: &mut Certificate) -> Result<()> {
        let region = cert
            .arn
            .split(':')
            .nth(3)
            .filter(|r| !r.is_empty())
            .unwrap_or(&self.region)
            .to_string();
        let acm = aws_sdk_acm::Client::from_conf(
            aws_sdk_acm::config::Builder::from(&self.config)
                .region(aws_config::Region::new(region.clone()))
                .interceptor(BoundedBody)
                .build(),
        );
        let out = self.call(
            "DescribeCertificate",
            "acm:DescribeCertificate",
            &format!("certificate {}", cert.arn),
            acm.describe_certificate().certificate_arn(&cert.arn).send(),
        )?;
        cert.region = region;
        if let Some(d) = out.certificate() {
            cert.status = d.status().map(|s| s.as_str().to_string());
            cert.names = d.subject_alternative_names().to_vec();
            if let Some(name) = d.domain_name()
                && !cert.names.iter().any(|n| n == name)
            {
                cert.names.insert(0, name.to_string());
            }
            cert.not_after = d.not_after().and_then(|t| {
                t.fmt(aws_sdk_acm::primitives::DateTimeFormat::DateTime)
                    .ok()
            });
            cert.pending_validation = d
                .domain_validation_options()
                .iter()
                .filter(|v| {
                    v.validation_status()
                        .is_some_and(|s| s.as_str() == "PENDING_VALIDATION")
                })
                .map(|v| v.domain_name().to_string())
                .collect();
        }
        Ok(())
    }

    /// One method with its integration (`aws apigateway get-method`), found by path.
    pub fn method(&self, api_id: &str, method: &str, path: &str) -> Result<Value> {
        let resources = self.resources(api_id)?;
        let items = resources["items"].as_array().cloned().unwrap_or_default();
        let Some(resource) = items.iter().find(|r| r["path"] == path) else {
            let paths: Vec<&str> = items.iter().filter_map(|r| r["path"].as_str()).collect();
            return Err(anyhow!(
                "REST API {api_id} has no resource {path:?}; it has {}",
                paths.join(", ")
            ));
        };
        let methods = resource["resourceMethods"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        let wanted = method.to_ascii_uppercase();
        match methods.get(&wanted).or_else(|| methods.get("ANY")) {
            Some(m) => Ok(m.clone()),
            None => Err(anyhow!(
                "REST API {api_id} has no {wanted} method on {path}; it has {}",
                methods.keys().cloned().collect::<Vec<_>>().join(", ")
            )),
        }
    }
}

/// One line that says what failed and what to do, never a backtrace.
fn explain<E>(
    operation: &str,
    action: &str,
    what: &str,
    region: &str,
    timeout: Duration,
    e: SdkError<E, aws_sdk_apigateway::config::http::HttpResponse>,
) -> anyhow::Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let chain = DisplayErrorContext(&e).to_string();
    let lower = chain.to_ascii_lowercase();
    if lower.contains("no credentials")
        || lower.contains("credentials provider")
        || lower.contains("failed to load credentials")
        || lower.contains("while loading credentials")
        || lower.contains("imds")
        || lower.contains("credentialsnotloaded")
        || lower.contains("credentials not loaded")
    {
        return anyhow!(
            "{operation}: no AWS credentials found (looked in: the environment's AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, the profile {} in {} and {}, SSO, web identity, and container and instance metadata): run aws configure or aws sso login, or pass --profile",
            std::env::var("AWS_PROFILE").unwrap_or_else(|_| "default".into()),
            std::env::var("AWS_SHARED_CREDENTIALS_FILE")
                .unwrap_or_else(|_| "~/.aws/credentials".into()),
            std::env::var("AWS_CONFIG_FILE").unwrap_or_else(|_| "~/.aws/config".into()),
        );
    }
    if lower.contains("length limit exceeded") {
        return anyhow!(
            "{operation}: AWS's answer passed {} MiB: stopped reading it (is AWS_ENDPOINT_URL a real API Gateway endpoint?)",
            MAX_RESPONSE_BYTES / (1024 * 1024)
        );
    }
    match &e {
        SdkError::TimeoutError(_) => {
            anyhow!("{operation}: AWS did not answer within --aws-timeout {timeout:?}")
        }
        SdkError::DispatchFailure(d) if d.is_timeout() => {
            anyhow!("{operation}: AWS did not answer within --aws-timeout {timeout:?}")
        }
        SdkError::DispatchFailure(_) => anyhow!(
            "{operation}: cannot reach AWS ({}): check the network, AWS_ENDPOINT_URL and --region {region}",
            innermost(&e)
        ),
        SdkError::ServiceError(_) | SdkError::ResponseError(_) => {
            let code = e.code().unwrap_or("error");
            let message = e.message().unwrap_or_default();
            match code {
                "AccessDeniedException" | "AccessDenied" | "UnauthorizedOperation" => failure(
                    Failure::Denied,
                    format!(
                        "{operation}: access denied: the caller needs {action} on {what} ({message})"
                    ),
                ),
                "NotFoundException" | "ResourceNotFoundException" => failure(
                    Failure::NotFound,
                    format!("{operation}: {what} does not exist in {region} ({message})"),
                ),
                "ExpiredTokenException" | "ExpiredToken" | "RequestExpired" => anyhow!(
                    "{operation}: the AWS session has expired: refresh the credentials (aws sso login, or new temporary keys) ({message})"
                ),
                "UnrecognizedClientException"
                | "InvalidSignatureException"
                | "InvalidClientTokenId"
                | "SignatureDoesNotMatch" => failure(
                    Failure::Credentials,
                    format!(
                        "{operation}: AWS does not accept these credentials ({code}: {message}): check the profile and keys"
                    ),
                ),
                "TooManyRequestsException" | "ThrottlingException" | "Throttling" => failure(
                    Failure::Throttled,
                    format!(
                        "{operation}: AWS kept throttling the call after {MAX_ATTEMPTS} attempts ({message}): try again later, or lower --aws-rate"
                    ),
                ),
                _ if e.code().is_none() => anyhow!(
                    "{operation}: AWS's answer could not be read ({})",
                    innermost(&e)
                ),
                _ => anyhow!("{operation}: {code}: {message}"),
            }
        }
        _ => anyhow!("{operation}: {}", first_line(&chain)),
    }
}

/// The root cause's own words (`Connection refused (os error 111)`), not the whole chain.
fn innermost(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause: &dyn std::error::Error = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    first_line(&cause.to_string()).to_string()
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or_default()
}

fn sorted(m: Option<&std::collections::HashMap<String, String>>) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = m
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    v.sort();
    v
}

fn string_map(m: Option<&std::collections::HashMap<String, String>>) -> Value {
    let mut sorted: Vec<_> = m.into_iter().flatten().collect();
    sorted.sort();
    Value::Object(
        sorted
            .into_iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

fn insert_str(o: &mut Map<String, Value>, key: &str, v: Option<&str>) {
    if let Some(v) = v {
        o.insert(key.to_string(), Value::String(v.to_string()));
    }
}

/// A Resource as `get-resources --embed methods` prints it.
fn resource_json(r: &aws_sdk_apigateway::types::Resource) -> Value {
    let mut o = Map::new();
    insert_str(&mut o, "id", r.id());
    insert_str(&mut o, "parentId", r.parent_id());
    insert_str(&mut o, "pathPart", r.path_part());
    insert_str(&mut o, "path", r.path());
    if let Some(methods) = r.resource_methods() {
        let mut sorted: Vec<_> = methods.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(b.0));
        o.insert(
            "resourceMethods".into(),
            Value::Object(
                sorted
                    .into_iter()
                    .map(|(k, m)| (k.clone(), method_json(m)))
                    .collect(),
            ),
        );
    }
    Value::Object(o)
}

fn method_json(m: &aws_sdk_apigateway::types::Method) -> Value {
    let mut o = Map::new();
    insert_str(&mut o, "httpMethod", m.http_method());
    insert_str(&mut o, "authorizationType", m.authorization_type());
    insert_str(&mut o, "authorizerId", m.authorizer_id());
    if let Some(k) = m.api_key_required() {
        o.insert("apiKeyRequired".into(), Value::Bool(k));
    }
    if let Some(responses) = m.method_responses() {
        let mut sorted: Vec<_> = responses.keys().collect();
        sorted.sort();
        o.insert(
            "methodResponses".into(),
            Value::Object(
                sorted
                    .into_iter()
                    .map(|k| (k.clone(), json!({ "statusCode": k })))
                    .collect(),
            ),
        );
    }
    if let Some(i) = m.method_integration() {
        let mut io = Map::new();
        insert_str(&mut io, "type", i.r#type().map(|t| t.as_str()));
        insert_str(&mut io, "httpMethod", i.http_method());
        insert_str(&mut io, "uri", i.uri());
        insert_str(
            &mut io,
            "connectionType",
            i.connection_type().map(|t| t.as_str()),
        );
        insert_str(&mut io, "connectionId", i.connection_id());
        insert_str(&mut io, "credentials", i.credentials());
        insert_str(&mut io, "passthroughBehavior", i.passthrough_behavior());
        if i.request_templates().is_some() {
            io.insert("requestTemplates".into(), string_map(i.request_templates()));
        }
        if let Some(responses) = i.integration_responses() {
            let mut sorted: Vec<_> = responses.iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(b.0));
            let mut ro = Map::new();
            for (status, r) in sorted {
                let mut x = Map::new();
                insert_str(&mut x, "statusCode", r.status_code().or(Some(status)));
                insert_str(&mut x, "selectionPattern", r.selection_pattern());
                if r.response_parameters().is_some() {
                    x.insert(
                        "responseParameters".into(),
                        string_map(r.response_parameters()),
                    );
                }
                if r.response_templates().is_some() {
                    x.insert(
                        "responseTemplates".into(),
                        string_map(r.response_templates()),
                    );
                }
                ro.insert(status.clone(), Value::Object(x));
            }
            io.insert("integrationResponses".into(), Value::Object(ro));
        }
        o.insert("methodIntegration".into(), Value::Object(io));
    }
    Value::Object(o)
}
