//! Command-line definitions only: flags are documented here once and reused by `--help`,
//! the man page and shell completions.
use crate::finding::Severity;
use crate::report::Format;
use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "apigw-doctor",
    version,
    about = "Diagnose Amazon API Gateway problems from the evidence: Lambda outputs, \
             selection patterns, custom domains, and the error text you already have.",
    after_help = "Examples:\n  \
        apigw-doctor kb search 'Execution failed due to configuration error: Malformed Lambda proxy response'\n  \
        apigw-doctor lambda out.json                  # what the client gets for this Lambda output\n  \
        apigw-doctor domain api.example.com           # DNS, certificate and mapping of a custom domain\n  \
        apigw-doctor lint api.json                    # an export, SAM template or get-resources output\n  \
        apigw-doctor selection --integration i.json --status 404\n\n\
        Exit status: 0 no problem found, 1 problems found, 2 the tool could not run."
)]
pub struct Cli {
    /// Output format
    ///
    /// Text for people, one JSON object per target per line, or SARIF.
    #[arg(short, long, value_enum, default_value_t = Format::Human, global = true)]
    pub output: Format,

    /// When to colour human output
    ///
    /// auto honours NO_COLOR and a non-terminal stdout.
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto, global = true, value_name = "WHEN")]
    pub color: ColorWhen,

    /// Load knowledge-base articles from this folder instead of the embedded ones.
    #[arg(long, global = true, value_name = "DIR")]
    pub rules: Option<PathBuf>,

    /// Lowest finding severity that makes the exit status 1.
    #[arg(long, value_enum, default_value_t = FailOn::Error, global = true, value_name = "SEVERITY")]
    pub fail_on: FailOn,

    /// Template parameter or pseudo parameter (AWS::Region=...); repeatable
    #[arg(long = "parameter", global = true, value_name = "NAME=VALUE", value_parser = parse_name_value)]
    pub parameters: Vec<(String, String)>,

    /// Live mode: the AWS profile to use
    ///
    /// Default: AWS_PROFILE, then the default chain.
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,

    /// Live mode: the AWS region (`lint --aws`: a list)
    ///
    /// Default: AWS_REGION, then the profile's. `lint --aws` takes a comma-separated list
    /// (us-east-1,eu-west-1).
    #[arg(long, global = true, value_name = "NAME[,NAME...]")]
    pub region: Option<String>,

    /// Live mode: the limit for each AWS call
    ///
    /// Throttled calls are retried with backoff (the SDK's adaptive mode, 3 attempts), then
    /// again after a pause while the deadline allows.
    #[arg(long, global = true, default_value = "10s", value_parser = parse_duration, value_name = "DURATION")]
    pub aws_timeout: std::time::Duration,

    /// Live mode: the limit for the whole command
    ///
    /// Default: 30 x --aws-timeout. What is not read by then is reported as not read.
    #[arg(long, global = true, value_parser = parse_deadline, value_name = "DURATION")]
    pub aws_deadline: Option<std::time::Duration>,

    /// Live mode: APIs read at once by `lint --aws`
    #[arg(long, global = true, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64), value_name = "N")]
    pub aws_concurrency: u16,

    /// Live mode: API Gateway calls a second (0: not paced)
    ///
    /// Default: the documented management-API quota, 10 a second with a burst of 40,
    /// GetResources 5 every 2 seconds; other values keep those proportions.
    #[arg(long, global = true, default_value_t = 10.0, value_parser = parse_rate, value_name = "RPS")]
    pub aws_rate: f64,

    #[command(subcommand)]
    pub command: Command,
}

/// Commands where live mode (`--aws`) works: the others do not show its flags.
const LIVE_COMMANDS: &[&str] = &["lint", "policy", "selection", "domain", "trace"];
/// The live-mode flags.
const LIVE_FLAGS: &[&str] = &[
    "profile",
    "region",
    "aws_timeout",
    "aws_deadline",
    "aws_concurrency",
    "aws_rate",
];
/// Commands that read API definitions, where templates' `--parameter` applies.
const DEFINITION_COMMANDS: &[&str] = &[
    "lint",
    "selection",
    "template",
    "validate",
    "trace",
    "cloudfront",
    "policy",
];
/// The flags every command takes, summarised under each command's help.
const GLOBAL_FLAGS: &[&str] = &["output", "color", "rules", "fail_on"];

/// The command line as people meet it, for parsing, help, man pages and completions alike:
/// `-h`/`--help` print one screen (the flags' one-line help; `man` has the long form), a
/// command lists its own flags and summarises the global ones in a line, and the live-mode
/// flags appear only where `--aws` works.
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    let mut cmd = with_short_help(Cli::command());
    // Global flags reach the subcommands when the command is built: summarise them after.
    cmd.build();
    cmd.mut_subcommands(summarise_globals)
}

/// Parses the process's arguments with [`command`].
pub fn parse() -> Result<Cli, clap::Error> {
    use clap::FromArgMatches;
    let matches = command().try_get_matches()?;
    Cli::from_arg_matches(&matches)
}

/// The man pages' command line: every flag with its long help.
pub fn man_command() -> clap::Command {
    use clap::CommandFactory;
    Cli::command()
}

fn with_short_help(cmd: clap::Command) -> clap::Command {
    cmd.disable_help_flag(true)
        .arg(
            clap::Arg::new("help")
                .short('h')
                .long("help")
                .action(clap::ArgAction::HelpShort)
                .help("Print help (`apigw-doctor man COMMAND` has more)")
                .display_order(10_000)
                .global(true),
        )
        .mut_subcommands(|s| s.disable_help_flag(true))
}

/// A subcommand's help: its own flags, then one line for the global ones.
fn summarise_globals(cmd: clap::Command) -> clap::Command {
    let name = cmd.get_name().to_string();
    let live = LIVE_COMMANDS.contains(&name.as_str());
    let mut hidden: Vec<&str> = GLOBAL_FLAGS.to_vec();
    hidden.extend(LIVE_FLAGS);
    hidden.push("parameters");
    let mut note = String::from(
        "Global options: -o, --output human|json|sarif; --color auto|always|never; --rules DIR; --fail-on error|warning|info",
    );
    if DEFINITION_COMMANDS.contains(&name.as_str()) {
        note.push_str("; --parameter NAME=VALUE (CloudFormation templates)");
    }
    if live {
        note.push_str(
            "; --profile NAME, --region NAME, --aws-timeout DURATION, --aws-deadline DURATION, --aws-concurrency N, --aws-rate RPS (live mode)",
        );
    }
    let after = match cmd.get_after_help() {
        Some(a) => format!("{a}\n\n{note}"),
        None => note,
    };
    cmd.mut_subcommands(summarise_globals)
        .after_help(after)
        .mut_args(move |a| {
            if hidden.contains(&a.get_id().as_str()) {
                a.hide(true)
            } else {
                a
            }
        })
}

/// The live-mode flags every command shares.
#[derive(Debug, Clone)]
pub struct AwsFlags {
    pub profile: Option<String>,
    /// As given: one region, or a comma-separated list for `lint --aws`.
    pub region: Option<String>,
    pub timeout: std::time::Duration,
    pub deadline: Option<std::time::Duration>,
    pub concurrency: usize,
    pub rate: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
}

impl FailOn {
    pub fn severity(self) -> Severity {
        match self {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Search and read the knowledge base (the troubleshooting articles and their fixes).
    #[command(
        subcommand,
        after_help = "Examples:\n  \
            apigw-doctor kb search 'Cannot delete vpc link. Vpc link abc123, is referenced in [ANY:kx106x:dev]'\n  \
            pbpaste | apigw-doctor kb search -\n  \
            apigw-doctor kb show lambda.body-not-string\n  \
            apigw-doctor kb list"
    )]
    Kb(KbCommand),

    /// What does the client get when API Gateway receives this Lambda proxy output?
    Lambda(LambdaArgs),

    /// Which integration response does API Gateway select? Java regex semantics, exactly.
    Selection(SelectionArgs),

    /// Diagnose a custom domain name: its DNS chain, the certificate it serves, and why.
    Domain(DomainArgs),

    /// Request a URL and read API Gateway and CloudFront error signatures.
    Probe(ProbeArgs),

    /// Lint an API definition offline: VPC link users, integration responses, templates.
    Lint(LintArgs),

    /// Validate a resource policy, and evaluate a call against it.
    Policy(PolicyArgs),

    /// Judge an authorizer's answer: a Lambda authorizer's output, or a JWT.
    Authorizer(AuthorizerArgs),

    /// Validate a request as the method's request validator does: parameters and body model.
    Validate(ValidateArgs),

    /// Follow a request through a definition's whole pipeline to what the client gets
    ///
    /// Route, resource policy, authorizer, API key, validation, request mapping, the
    /// integration's answer, integration response or response mapping, and gateway responses;
    /// each stage with what decided it, then the client's response as curl -i shows it.
    Trace(TraceArgs),

    /// Check a CloudFront distribution in front of API Gateway offline, and trace a URL
    /// through it to the API, stage and resource that answers.
    Cloudfront(CloudfrontArgs),

    /// Render a REST API mapping template as API Gateway does (Velocity 1.7 with API
    /// Gateway's $input, $util, $context and null rules): the body, the overrides, the errors.
    Template(TemplateArgs),

    /// Print a shell completion script.
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },

    /// Print a man page (roff): the tool's, or one command's (`man lambda`, `man kb search`);
    /// with --out-dir, write one file per command for packagers.
    Man {
        /// The command whose page to print (default: the tool's own page).
        #[arg(value_name = "COMMAND")]
        command: Vec<String>,
        /// Write apigw-doctor.1, apigw-doctor-lambda.1, ... into DIR instead.
        #[arg(long, value_name = "DIR", conflicts_with = "command")]
        out_dir: Option<std::path::PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum KbCommand {
    /// Rank articles against pasted error text or a question.
    ///
    /// The answer is one article with its confidence, or "no article matches this confidently"
    /// (exit 1) with the weaker hits below; a second article is an answer too only when it
    /// matched an error message of its own ("also applies"). Texts about other AWS services
    /// (their error and operation names, ARNs, IAM actions, hosts) get no confident answer.
    /// When the text is itself a check's input (a VPC link deletion error, a Lambda function's
    /// output), the answer starts with that command.
    #[command(after_help = "Examples:\n  \
        apigw-doctor kb search '{\"message\": \"Missing Authentication Token\"}'\n  \
        apigw-doctor kb search -n 5 -o json 'Endpoint request timed out'")]
    Search(KbSearchArgs),
    /// Print one article, by id or by a finding code it explains.
    #[command(after_help = "Examples:\n  \
        apigw-doctor kb show vpc-link-delete\n  \
        apigw-doctor kb show lambda.body-not-string")]
    Show {
        /// Article id (`vpc-link-delete`) or finding code (`lambda.body-not-string`).
        id: String,
    },
    /// List every article.
    #[command(after_help = "Examples:\n  apigw-doctor kb list\n  apigw-doctor kb list -o json")]
    List,
}

#[derive(Debug, Args)]
pub struct KbSearchArgs {
    /// The error message or question; several words are joined. `-` reads standard input.
    #[arg(required = true, num_args = 1.., value_name = "TEXT")]
    pub text: Vec<String>,

    /// How many hits to show at most.
    #[arg(short = 'n', long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..))]
    pub limit: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ApiKind {
    Rest,
    Http,
}

/// The API in front of a Lambda function (`lambda --api`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LambdaApi {
    Rest,
    Http,
    Websocket,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PayloadVersion {
    #[value(name = "1.0")]
    V1,
    #[value(name = "2.0")]
    V2,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  aws lambda invoke --function-name f out.json && apigw-doctor lambda out.json\n  \
    apigw-doctor lambda --api http --payload-version 2.0 out.json\n  \
    apigw-doctor lambda --function-error Unhandled out.json\n  \
    apigw-doctor lambda --lines outputs.jsonl -o json"
)]
pub struct LambdaArgs {
    /// The function's output: the outfile of `aws lambda invoke`, or - for standard input.
    #[arg(default_value = "-", value_name = "FILE")]
    pub file: String,

    /// The API type in front of the function.
    #[arg(long, value_enum, default_value_t = LambdaApi::Rest)]
    pub api: LambdaApi,

    /// WebSocket: the route the function answers ($connect, $disconnect, $default or a
    /// custom route key).
    #[arg(long, value_name = "KEY", default_value = "$default")]
    pub route: String,

    /// WebSocket: the route has a $default route response (two-way): the answer's body is
    /// sent to the client.
    #[arg(long)]
    pub two_way: bool,

    /// HTTP API payload format version (only with --api http; default 2.0).
    #[arg(long, value_enum, value_name = "VERSION")]
    pub payload_version: Option<PayloadVersion>,

    /// The FunctionError that `aws lambda invoke` printed: the output is Lambda's error object.
    #[arg(long, value_enum, value_name = "KIND", ignore_case = true)]
    pub function_error: Option<crate::checks::lambda::FunctionError>,

    /// What `aws lambda invoke` printed on standard output ({"StatusCode": 200,
    /// "FunctionError": "Unhandled", ...}): sets the function-error state from it.
    #[arg(long, value_name = "FILE")]
    pub invoke_meta: Option<String>,

    /// REST: the API's binaryMediaTypes, comma-separated (image/png,application/pdf,*/*).
    #[arg(long, value_name = "LIST")]
    pub binary_media_types: Vec<String>,

    /// REST: the request's Accept header; a base64 body is decoded only when its first
    /// value matches a binary media type.
    #[arg(long, value_name = "VALUE")]
    pub accept: Option<String>,

    /// The request method; HEAD responses carry no body.
    #[arg(long, default_value = "GET", value_name = "METHOD")]
    pub method: String,

    /// The input is JSON Lines: one function output per line; prints one report per line
    /// and a summary. Streams: memory does not grow with the file.
    #[arg(long)]
    pub lines: bool,
}

#[derive(Debug, Args)]
#[command(
    group(ArgGroup::new("responses").required(true).multiple(true).args(["response", "default", "integration", "export", "aws"])),
    group(ArgGroup::new("input").args(["status", "error_message", "lambda_output", "success"])),
    after_help = "Examples:\n  apigw-doctor selection --response '2\\d{2}=200' --response '4\\d{2}=400' --default 500 --status 404\n  \
        aws apigateway get-integration --rest-api-id A --resource-id R --http-method GET > i.json\n  \
        apigw-doctor selection --integration i.json --error-message 'Error 404: not found'\n  \
        apigw-doctor selection --export api.json --method GET --path /pets --table\n  \
        apigw-doctor selection --aws --rest-api-id a1b2c3 --method GET --path /pets --status 404"
)]
pub struct SelectionArgs {
    /// An integration response as PATTERN=STATUS, in order (repeatable); PATTERN '-' is the default.
    #[arg(long = "response", value_name = "PATTERN=STATUS", value_parser = parse_response_flag, allow_hyphen_values = true)]
    pub response: Vec<(String, String)>,

    /// The status of the default response (the one without a pattern).
    #[arg(long, value_name = "STATUS", value_parser = parse_status_code)]
    pub default: Option<String>,

    /// The JSON printed by `aws apigateway get-integration` or `get-method` (- for stdin).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["response", "default", "export"])]
    pub integration: Option<String>,

    /// An OpenAPI/Swagger export with API Gateway extensions (JSON); needs --method and --path.
    #[arg(long, value_name = "FILE", requires_all = ["method", "path"], conflicts_with_all = ["response", "default"])]
    pub export: Option<String>,

    /// The method in the export or the live API (GET, POST, ..., ANY).
    #[arg(long, value_name = "METHOD")]
    pub method: Option<String>,

    /// The resource path in the export or the live API (/pets/{id}).
    #[arg(long, value_name = "PATH")]
    pub path: Option<String>,

    /// Read the method and its integration from AWS; needs --rest-api-id, --method, --path.
    #[arg(long, requires_all = ["rest_api_id", "method", "path"], conflicts_with_all = ["integration", "export", "response", "default"])]
    pub aws: bool,

    /// With --aws: the REST API.
    #[arg(long, value_name = "ID", requires = "aws")]
    pub rest_api_id: Option<String>,

    /// The backend's status code (HTTP, AWS service and mock integrations).
    #[arg(long, value_name = "CODE", value_parser = clap::value_parser!(u16).range(100..=599))]
    pub status: Option<u16>,

    /// A Lambda function error's errorMessage (Lambda non-proxy integrations).
    #[arg(long, value_name = "TEXT")]
    pub error_message: Option<String>,

    /// The function's output (`aws lambda invoke` outfile); with --function-error its
    /// errorMessage is matched, otherwise it is a success.
    #[arg(long, value_name = "FILE")]
    pub lambda_output: Option<String>,

    /// The FunctionError that `aws lambda invoke` printed, with --lambda-output.
    #[arg(
        long,
        value_enum,
        value_name = "KIND",
        ignore_case = true,
        requires = "lambda_output"
    )]
    pub function_error: Option<crate::checks::lambda::FunctionError>,

    /// A successful Lambda invocation: patterns are tested against the empty string.
    #[arg(long)]
    pub success: bool,

    /// Every status code 100-599 and the response it selects, as ranges (HTTP integrations).
    #[arg(long, conflicts_with = "input")]
    pub table: bool,

    /// The backend's response body (HTTP/AWS integrations; a Lambda's is --lambda-output):
    /// the response template renders it into what the client gets.
    #[arg(long, value_name = "FILE")]
    pub backend_body: Option<String>,

    /// A backend response header, NAME:VALUE like an HTTP header line (repeatable).
    #[arg(long = "backend-header", value_name = "NAME:VALUE", value_parser = parse_header_line)]
    pub backend_headers: Vec<(String, String)>,

    /// The client's Accept header: it chooses the response template (default application/json).
    #[arg(long, value_name = "TYPE", default_value = "application/json")]
    pub accept: String,

    /// A JSON object of $context values over sensible defaults (templates and mappings read it).
    #[arg(long, value_name = "FILE")]
    pub context: Option<String>,

    /// A stage variable (repeatable).
    #[arg(long = "stage-variable", value_name = "NAME=VALUE", value_parser = parse_name_value)]
    pub stage_variables: Vec<(String, String)>,
}

/// `NAME:VALUE`, as HTTP header lines are written.
pub fn parse_header_line(s: &str) -> Result<(String, String), String> {
    match s.split_once(':') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_string(), value.trim().to_string()))
        }
        _ => Err("expected NAME:VALUE, e.g. 'Content-Type: application/json'".to_string()),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TemplatePhase {
    Request,
    Response,
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    apigw-doctor template response.vtl --body lambda-output.json\n  \
    apigw-doctor template request.vtl --phase request --body req.json --header Accept=application/json\n  \
    apigw-doctor template --export api.yaml --method GET --resource /orders --status 200 --body out.json")]
pub struct TemplateArgs {
    /// The mapping template (a file, or - for standard input); or take it from a
    /// definition with --export.
    #[arg(value_name = "TEMPLATE", required_unless_present = "export")]
    pub template: Option<String>,

    /// Take the template from an export or a SAM/CloudFormation template: the method's
    /// response template (of the integration response --status selects, the default one
    /// otherwise) or, with --phase request, its request template, for --content-type.
    #[arg(long, value_name = "FILE", conflicts_with = "template", requires_all = ["method", "resource"])]
    pub export: Option<String>,

    /// With --export: the HTTP method (GET, POST, ... ANY).
    #[arg(long, value_name = "METHOD", requires = "export")]
    pub method: Option<String>,

    /// With --export: the API resource path (/orders/{id}).
    #[arg(long, value_name = "PATH", requires = "export")]
    pub resource: Option<String>,

    /// With --export: the integration response whose template to take, by its status code
    /// (default: the default response).
    #[arg(long, value_name = "CODE", requires = "export")]
    pub status: Option<String>,

    /// Which template this is: a request template ($input is the method request) or a
    /// response template ($input is the integration response).
    #[arg(long, value_enum, default_value_t = TemplatePhase::Response)]
    pub phase: TemplatePhase,

    /// The body $input reads: the method request body (request phase) or the integration
    /// response body (response phase); - for standard input.
    #[arg(long, value_name = "FILE|-")]
    pub body: Option<String>,

    /// A method request path parameter $input.params() sees (repeatable).
    #[arg(long = "path", value_name = "NAME=VALUE", value_parser = parse_name_value)]
    pub path_params: Vec<(String, String)>,

    /// A method request query string parameter (repeatable).
    #[arg(long, value_name = "NAME=VALUE", value_parser = parse_name_value)]
    pub querystring: Vec<(String, String)>,

    /// A method request header, written NAME=VALUE like the other parameters (repeatable).
    #[arg(long, value_name = "NAME=VALUE", value_parser = parse_name_value)]
    pub header: Vec<(String, String)>,

    /// A stage variable (repeatable).
    #[arg(long = "stage-variable", value_name = "NAME=VALUE", value_parser = parse_name_value)]
    pub stage_variables: Vec<(String, String)>,

    /// A JSON object of $context values over sensible defaults; it may hold the
    /// requestOverride/responseOverride state an earlier request template set.
    #[arg(long, value_name = "FILE")]
    pub context: Option<String>,

    /// The content type the template is for (its key in the integration): the output is
    /// checked to be JSON when it is a JSON type.
    #[arg(long, value_name = "TYPE", default_value = "application/json")]
    pub content_type: String,
}

/// `NAME=VALUE`: split at the first '='.
pub fn parse_name_value(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_string(), value.to_string())),
        _ => Err("expected NAME=VALUE".to_string()),
    }
}

/// `--response 'PATTERN=STATUS'`: split at the last '=' (patterns may contain '=').
fn parse_response_flag(s: &str) -> Result<(String, String), String> {
    let Some((pattern, status)) = s.rsplit_once('=') else {
        return Err("expected PATTERN=STATUS, e.g. '4\\d{2}=400'".to_string());
    };
    let status = parse_status_code(status)?;
    Ok((pattern.to_string(), status))
}

fn parse_status_code(s: &str) -> Result<String, String> {
    match s.parse::<u16>() {
        Ok(n) if (100..=599).contains(&n) && s.len() == 3 => Ok(s.to_string()),
        _ => Err(format!("status {s:?} must be a code from 100 to 599")),
    }
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  aws apigateway get-export --rest-api-id A --stage-name prod --export-type oas30 \\\n      --parameters extensions='apigateway' api.json\n  \
    apigw-doctor lint api.json --vpc-link abc123 --deployed\n  \
    aws apigateway get-resources --rest-api-id A --embed methods | apigw-doctor lint -o sarif -"
)]
pub struct LintArgs {
    /// An export with API Gateway extensions (JSON or YAML), a SAM/CloudFormation template
    /// with a DefinitionBody, `aws apigateway get-resources --embed methods`, get-method or
    /// get-integration output; - for standard input (the default). Optional with
    /// --vpc-link-error, where get-resources output maps resource ids to paths.
    #[arg(value_name = "EXPORT")]
    pub file: Option<String>,

    /// List every method that uses this VPC link (the link you cannot delete).
    #[arg(long, value_name = "ID", conflicts_with = "vpc_link_error")]
    pub vpc_link: Option<String>,

    /// The "Cannot delete vpc link ... is referenced in [...] in format of [...]" error text
    /// (@FILE reads it from a file): every reference, with its stage and the fix.
    #[arg(long, value_name = "TEXT|@FILE")]
    pub vpc_link_error: Option<String>,

    /// The API is deployed: the fix includes redeploying to the same stage.
    #[arg(long, requires = "vpc_link", conflicts_with = "undeployed")]
    pub deployed: bool,

    /// The API was never deployed: switching the integrations is enough.
    #[arg(long, requires = "vpc_link")]
    pub undeployed: bool,

    /// Read the definitions from AWS (get-resources --embed methods; an HTTP or WebSocket
    /// API's routes, integrations and authorizers) instead of a file: the API given by
    /// --rest-api-id, --http-api-id or --websocket-api-id, or every REST, HTTP and WebSocket
    /// API in the region.
    #[arg(long, conflicts_with_all = ["file", "vpc_link_error"])]
    pub aws: bool,

    /// With --aws: the REST API to read.
    #[arg(long, value_name = "ID", requires = "aws")]
    pub rest_api_id: Option<String>,

    /// With --aws: the WebSocket API to read.
    #[arg(long, value_name = "ID", requires = "aws", conflicts_with_all = ["rest_api_id", "vpc_link"])]
    pub websocket_api_id: Option<String>,

    /// With --aws: the HTTP API to read.
    #[arg(long, value_name = "ID", requires = "aws", conflicts_with_all = ["rest_api_id", "websocket_api_id", "vpc_link"])]
    pub http_api_id: Option<String>,

    /// With --aws: every region enabled for the account (ec2:DescribeRegions), or, when
    /// that call is not permitted, every region in the AWS SDK's endpoint data; the report
    /// says which.
    #[arg(long, requires = "aws", conflicts_with_all = ["rest_api_id", "websocket_api_id", "http_api_id", "vpc_link"])]
    pub all_regions: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  aws apigateway get-rest-api --rest-api-id A --query policy --output json > policy.json\n  \
    apigw-doctor policy policy.json --principal arn:aws:iam::999999999999:role/Caller \\\n      \
    --resource arn:aws:execute-api:us-east-1:111122223333:abc123/prod/GET/pets\n  \
    apigw-doctor policy --api http"
)]
pub struct PolicyArgs {
    /// The resource policy (JSON), the string `get-rest-api --query policy` prints, or the
    /// whole `get-rest-api` output; - for standard input. Optional with --api http.
    #[arg(value_name = "POLICY", required_unless_present_any = ["api", "aws"])]
    pub file: Option<String>,

    /// The API type: HTTP APIs have no resource policies.
    #[arg(long, value_enum)]
    pub api: Option<ApiKind>,

    /// The caller: an account id, or a user, role or assumed-role ARN.
    #[arg(long, value_name = "ARN", requires = "resource")]
    pub principal: Option<String>,

    /// The method called: arn:aws:execute-api:REGION:ACCOUNT:API-ID/STAGE/METHOD/PATH.
    #[arg(long, value_name = "ARN", requires = "principal")]
    pub resource: Option<String>,

    /// The VPC endpoint the call comes through (aws:SourceVpce).
    #[arg(long, value_name = "ID")]
    pub source_vpce: Option<String>,

    /// The VPC the call comes from (aws:SourceVpc).
    #[arg(long, value_name = "ID")]
    pub source_vpc: Option<String>,

    /// The caller's IP address (aws:SourceIp).
    #[arg(long, value_name = "IP")]
    pub source_ip: Option<std::net::IpAddr>,

    /// The caller's AWS Organizations id (aws:PrincipalOrgID).
    #[arg(long, value_name = "ID")]
    pub principal_org_id: Option<String>,

    /// Read the resource policy from AWS (get-rest-api) instead of a file; needs --rest-api-id.
    #[arg(long, requires = "rest_api_id", conflicts_with = "file")]
    pub aws: bool,

    /// With --aws: the REST API whose policy to read.
    #[arg(long, value_name = "ID", requires = "aws")]
    pub rest_api_id: Option<String>,
}

#[derive(Debug, Args)]
#[command(
    group(ArgGroup::new("target").args(["expect_target", "domain_name_json", "aws"])),
    after_help = "Examples:\n  apigw-doctor domain api.example.com\n  \
        apigw-doctor domain api.example.com --domain-name-json <(aws apigateway get-domain-name --domain-name api.example.com)\n  \
        apigw-doctor domain --file hosts.txt --concurrency 128 -o json"
)]
pub struct DomainArgs {
    /// Host names to check.
    #[arg(value_name = "HOST")]
    pub hosts: Vec<String>,

    /// Read more host names from a file, one per line (# comments); - for standard input.
    #[arg(long, value_name = "FILE")]
    pub file: Option<String>,

    /// The TLS port.
    #[arg(long, default_value_t = 443)]
    pub port: u16,

    /// Ask this DNS server (IP or IP:PORT) instead of the system's resolvers.
    #[arg(long, value_name = "IP[:PORT]", value_parser = parse_nameserver)]
    pub nameserver: Option<std::net::SocketAddr>,

    /// Dial this address (IP or IP:PORT) instead of the resolved ones, keeping the host as SNI.
    #[arg(long, value_name = "ADDR[:PORT]")]
    pub connect_to: Option<String>,

    /// The SNI to send (default: the host).
    #[arg(long, value_name = "NAME")]
    pub sni: Option<String>,

    /// Trust these PEM certificates instead of the bundled web roots.
    #[arg(long, value_name = "PEM")]
    pub ca_file: Option<std::path::PathBuf>,

    /// The API Gateway domain name the host must point at.
    #[arg(long, value_name = "NAME")]
    pub expect_target: Option<String>,

    /// The JSON of `aws apigateway get-domain-name` or `aws apigatewayv2 get-domain-name`.
    #[arg(long, value_name = "FILE")]
    pub domain_name_json: Option<String>,

    /// Mutual TLS: check this truststore (the PEM bundle uploaded to S3) as API Gateway
    /// validates it; with no HOST, only the truststore (and --client-cert) is checked.
    #[arg(long, value_name = "PEM")]
    pub truststore: Option<String>,

    /// Mutual TLS: present this client certificate (PEM, leaf first) when the server asks
    /// for one, and judge it against --truststore. Needs --client-key.
    #[arg(long, value_name = "PEM", requires = "client_key")]
    pub client_cert: Option<String>,

    /// The private key of --client-cert (PEM: PKCS#8, PKCS#1 or SEC1).
    #[arg(long, value_name = "PEM", requires = "client_cert")]
    pub client_key: Option<String>,

    /// Read the custom domain name from AWS (REST, then HTTP API): its target, mappings and
    /// ACM certificate (asked in the certificate's own region), and check DNS and TLS against
    /// them. One host.
    #[arg(long)]
    pub aws: bool,

    /// Bound for each phase (DNS; connect; TLS handshake): 5s, 500ms, 2.
    #[arg(long, default_value = "5s", value_parser = parse_duration, overrides_with = "timeout")]
    pub timeout: std::time::Duration,

    /// How many hosts to check at once.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub concurrency: u16,

    /// Compare with this hosts file: a host listed there with other addresses than DNS
    /// gives is reached elsewhere by browsers and curl.
    #[arg(long, value_name = "PATH", default_value = "/etc/hosts")]
    pub hosts_file: String,
}

fn parse_nameserver(s: &str) -> Result<std::net::SocketAddr, String> {
    parse_socket(s, 53)
}

/// IP, IP:PORT, [IPv6]:PORT or a bare IPv6 address.
pub fn parse_socket(s: &str, default_port: u16) -> Result<std::net::SocketAddr, String> {
    if let Ok(a) = s.parse::<std::net::SocketAddr>() {
        return Ok(a);
    }
    if let Ok(ip) = s
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<std::net::IpAddr>()
    {
        return Ok(std::net::SocketAddr::new(ip, default_port));
    }
    Err(format!("{s:?} is not an IP address or IP:PORT"))
}

fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let (number, unit) = match s.strip_suffix("ms") {
        Some(n) => (n, 0.001),
        None => match s.strip_suffix('s') {
            Some(n) => (n, 1.0),
            None => (s, 1.0),
        },
    };
    match number.parse::<f64>() {
        Ok(v) if v > 0.0 && v * unit <= 600.0 => Ok(std::time::Duration::from_secs_f64(v * unit)),
        _ => Err(format!(
            "{s:?} is not a duration from 1ms to 600s (e.g. 5s, 500ms)"
        )),
    }
}

/// `--aws-deadline`: 90s, 20m, 2h (up to 24 hours).
fn parse_deadline(s: &str) -> Result<std::time::Duration, String> {
    let (number, unit) = if let Some(n) = s.strip_suffix('h') {
        (n, 3600.0)
    } else if let Some(n) = s.strip_suffix('m') {
        (n, 60.0)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1.0)
    } else {
        (s, 1.0)
    };
    match number.parse::<f64>() {
        Ok(v) if v > 0.0 && v * unit <= 86_400.0 => {
            Ok(std::time::Duration::from_secs_f64(v * unit))
        }
        _ => Err(format!(
            "{s:?} is not a duration from 1s to 24h (e.g. 90s, 20m, 2h)"
        )),
    }
}

/// `--aws-rate`: requests a second, 0 (not paced) to 10,000.
fn parse_rate(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.0..=10_000.0).contains(&v) => Ok(v),
        _ => Err(format!(
            "{s:?} is not a rate from 0 to 10000 requests a second (e.g. 10, 2.5; 0: not paced)"
        )),
    }
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  apigw-doctor probe https://d111111abcdef8.cloudfront.net/example1/home\n  \
    apigw-doctor probe https://api.example.com/prod/pets -H 'Authorization: Bearer TOKEN'\n  \
    apigw-doctor probe https://api.example.com/prod/pets --resolve api.example.com:443:192.0.2.10"
)]
pub struct ProbeArgs {
    /// The URL to request (http or https).
    #[arg(value_name = "URL")]
    pub url: String,

    /// The request method.
    #[arg(
        short = 'X',
        long = "request",
        default_value = "GET",
        value_name = "METHOD"
    )]
    pub method: String,

    /// A request header, 'Name: value' (repeatable).
    #[arg(short = 'H', long = "header", value_name = "HEADER")]
    pub headers: Vec<String>,

    /// The request body; @FILE reads a file, @- standard input.
    #[arg(short = 'd', long = "data", value_name = "BODY")]
    pub data: Option<String>,

    /// Send requests for HOST:PORT to ADDR instead of resolving HOST (curl's --resolve).
    #[arg(long, value_name = "HOST:PORT:ADDR")]
    pub resolve: Vec<String>,

    /// Bound for the whole request, redirects included: 10s, 500ms.
    #[arg(long, default_value = "10s", value_parser = parse_duration, overrides_with = "timeout")]
    pub timeout: std::time::Duration,

    /// Do not verify the server's certificate (the probe still reports what it presented).
    #[arg(short = 'k', long)]
    pub insecure: bool,

    /// Trust these PEM certificates (a private CA) instead of the bundled web roots.
    #[arg(long, value_name = "PEM", conflicts_with = "insecure")]
    pub ca_file: Option<std::path::PathBuf>,

    /// Redirects followed on the same host at most.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u8).range(0..=20))]
    pub max_redirects: u8,

    /// Private APIs: read the API the URL names from AWS (endpoint type, associated VPC
    /// endpoints, resource policy) and say why it would refuse this call.
    #[arg(long)]
    pub aws: bool,
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    aws cloudfront get-distribution --id E123 > dist.json\n  \
    aws apigateway get-base-path-mappings --domain-name apigw.example.com > mappings.json\n  \
    apigw-doctor cloudfront dist.json --mappings apigw.example.com=mappings.json --url https://d111.cloudfront.net/example1/home")]
pub struct CloudfrontArgs {
    /// `aws cloudfront get-distribution-config` or `get-distribution` output, or a
    /// CloudFormation template with an AWS::CloudFront::Distribution (- for stdin).
    #[arg(value_name = "CONFIG")]
    pub config: String,

    /// The template's distribution (its logical id), when it holds several.
    #[arg(long, value_name = "LOGICAL_ID")]
    pub distribution: Option<String>,

    /// The custom domain's API mappings, `aws apigateway get-base-path-mappings` or
    /// `aws apigatewayv2 get-api-mappings` output; DOMAIN= ties the file to the origin with
    /// that domain name (needed when several origins could be it). Repeatable.
    #[arg(long, value_name = "[DOMAIN=]FILE")]
    pub mappings: Vec<String>,

    /// A URL to trace: cache behavior, origin, forwarded path, API mapping, API, stage,
    /// resource.
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    apigw-doctor authorizer out.json --method-arn arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets\n  \
    apigw-doctor authorizer out.json --method GET --path /pets --stage prod --then 'POST /orders'\n  \
    apigw-doctor authorizer --threw Unauthorized\n  \
    apigw-doctor authorizer --api http --jwt \"$TOKEN\" --issuer https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Ab12 \\\n      \
    --audience 4pq8client --scopes orders/read --jwks jwks.json")]
pub struct AuthorizerArgs {
    /// The Lambda authorizer's output: principalId and policyDocument, or an HTTP API's
    /// {"isAuthorized": ...}; - for standard input.
    #[arg(value_name = "OUTPUT", conflicts_with_all = ["jwt", "threw", "identity_missing"])]
    pub file: Option<String>,

    /// The function failed with this error message instead of returning ("Unauthorized": 401).
    #[arg(long, value_name = "MESSAGE", conflicts_with_all = ["jwt", "identity_missing"])]
    pub threw: Option<String>,

    /// The request had no identity source, or an empty one: 401 without calling the function.
    #[arg(long, conflicts_with = "jwt")]
    pub identity_missing: bool,

    /// A JWT to check as an HTTP API JWT authorizer (--api http) or a REST Cognito user pool
    /// authorizer does; `Bearer ` is stripped; @FILE reads it from a file.
    #[arg(long, value_name = "TOKEN|@FILE")]
    pub jwt: Option<String>,

    /// The authorizer's issuer (HTTP: its JWT configuration; REST Cognito: the user pool URL).
    #[arg(long, value_name = "URL", requires = "jwt")]
    pub issuer: Option<String>,

    /// Audiences the authorizer accepts (app client ids), comma-separated.
    #[arg(long, value_name = "LIST", value_delimiter = ',', requires = "jwt")]
    pub audience: Vec<String>,

    /// The route's (HTTP) or method's (REST) authorization scopes, comma-separated.
    #[arg(long, value_name = "LIST", value_delimiter = ',', requires = "jwt")]
    pub scopes: Vec<String>,

    /// The issuer's JSON Web Key Set (its jwks_uri document): the signature is checked too.
    #[arg(long, value_name = "FILE", requires = "jwt")]
    pub jwks: Option<String>,

    /// The moment to judge expiry at: RFC 3339 or seconds since the epoch (default: now).
    #[arg(long, value_name = "TIME", requires = "jwt")]
    pub now: Option<String>,

    /// The API type.
    #[arg(long, value_enum, default_value = "rest")]
    pub api: ApiKind,

    /// The method ARN API Gateway passes the authorizer:
    /// arn:aws:execute-api:REGION:ACCOUNT:API_ID/STAGE/METHOD/PATH.
    #[arg(long, value_name = "ARN", conflicts_with_all = ["method", "path", "jwt"])]
    pub method_arn: Option<String>,

    /// The request's method (with --path); region, account and API id come from the policy's
    /// first Resource.
    #[arg(long, value_name = "METHOD", requires = "path", conflicts_with = "jwt")]
    pub method: Option<String>,

    /// The request's resource path, e.g. /pets/7.
    #[arg(long, value_name = "PATH", requires = "method")]
    pub path: Option<String>,

    /// The stage (with --method and --path; default: the policy's first Resource's).
    #[arg(long, value_name = "STAGE", requires = "method")]
    pub stage: Option<String>,

    /// A later request with the same identity source, served from the cached result while the
    /// TTL lasts: 'METHOD /PATH' or a method ARN; repeatable.
    #[arg(long, value_name = "REQUEST", conflicts_with = "jwt")]
    pub then: Vec<String>,

    /// The authorizer's result TTL in seconds (default: REST 300, HTTP 0).
    #[arg(long, value_name = "SECONDS", conflicts_with = "jwt")]
    pub ttl: Option<u64>,

    /// The API's export or template: its customised gateway responses shape the answer.
    #[arg(long, value_name = "FILE")]
    pub export: Option<String>,
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    aws apigateway get-export --rest-api-id abc123 --stage-name prod --export-type oas30 \\\n      \
    --parameters extensions=apigateway api.json\n  \
    apigw-doctor validate --export api.json --method POST --path /pets --body pet.json\n  \
    apigw-doctor validate --export template.yaml --method GET --path /pets --header 'x-tenant: acme' --querystring limit=10")]
pub struct ValidateArgs {
    /// The API's definition: an export with API Gateway extensions (Swagger 2 or OpenAPI 3),
    /// or a SAM/CloudFormation template with an inline DefinitionBody.
    #[arg(long, value_name = "FILE")]
    pub export: String,

    /// The request's method.
    #[arg(long, value_name = "METHOD")]
    pub method: String,

    /// The request path (/pets/7); it is routed to its resource (/pets/{petId}, /{proxy+}).
    #[arg(long, value_name = "PATH")]
    pub path: String,

    /// The request body; - for standard input.
    #[arg(long, value_name = "FILE")]
    pub body: Option<String>,

    /// The request's Content-Type (default: application/json, as API Gateway assumes).
    #[arg(long, value_name = "TYPE")]
    pub content_type: Option<String>,

    /// A request header, 'Name: value'; repeatable.
    #[arg(short = 'H', long = "header", value_name = "HEADER")]
    pub headers: Vec<String>,

    /// A query string parameter, name=value; repeatable.
    #[arg(long = "querystring", value_name = "NAME=VALUE")]
    pub querystring: Vec<String>,
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    apigw-doctor trace --export api.json GET /pets/7 --lambda-output out.json\n  \
    apigw-doctor trace --export api.json POST 'https://abc123.execute-api.us-east-1.amazonaws.com/prod/orders?dry=1' \\\n      \
    -H 'Authorization: Bearer abc' --authorizer-output auth.json --body order.json --status 200 --backend-body backend.json\n  \
    apigw-doctor trace --aws --rest-api-id abc123 --stage prod GET /pets/7 --lambda-output out.json")]
pub struct TraceArgs {
    /// The request's method (GET, POST, ...).
    #[arg(value_name = "METHOD")]
    pub method: String,

    /// The request: a path within the stage (/pets/7?x=1), or a whole URL (on the default
    /// endpoint its first segment is the stage; custom domains: see --base-path).
    #[arg(value_name = "PATH|URL")]
    pub target: String,

    /// The API's definition: an export, a CloudFormation/SAM/CDK template, Terraform JSON.
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "aws",
        conflicts_with = "aws"
    )]
    pub export: Option<String>,

    /// Read what the stage serves from AWS (needs --stage and the API)
    #[arg(long, requires = "stage")]
    pub aws: bool,

    /// With --aws: the REST API (its stage's export).
    #[arg(long, value_name = "ID", requires = "aws")]
    pub rest_api_id: Option<String>,

    /// With --aws: the HTTP API (as configured now)
    #[arg(
        long,
        value_name = "ID",
        requires = "aws",
        conflicts_with = "rest_api_id"
    )]
    pub http_api_id: Option<String>,

    /// The API to trace in a template that holds several (its logical id or address).
    #[arg(long = "api", value_name = "LOGICAL_ID", conflicts_with = "aws")]
    pub api_id: Option<String>,

    /// The stage (the URL's first segment on the default endpoint gives it too).
    #[arg(long, value_name = "NAME")]
    pub stage: Option<String>,

    /// A custom domain's base path mapping the URL goes through (stripped from its path).
    #[arg(long, value_name = "PATH")]
    pub base_path: Option<String>,

    /// A request header, 'Name: value'; repeatable.
    #[arg(short = 'H', long = "header", value_name = "HEADER", value_parser = parse_header_line)]
    pub headers: Vec<(String, String)>,

    /// A query string parameter, name=value; repeatable (a URL's query counts too).
    #[arg(long = "querystring", value_name = "NAME=VALUE", value_parser = parse_name_value)]
    pub querystring: Vec<(String, String)>,

    /// The request body; - for standard input.
    #[arg(long, value_name = "FILE")]
    pub body: Option<String>,

    /// What the Lambda authorizer returned (its JSON output).
    #[arg(long, value_name = "FILE", conflicts_with = "authorizer_threw")]
    pub authorizer_output: Option<String>,

    /// The Lambda authorizer failed with this error message ("Unauthorized": 401).
    #[arg(long, value_name = "MESSAGE")]
    pub authorizer_threw: Option<String>,

    /// The JWT issuer's key set (JWKS), to check token signatures (JWT and Cognito authorizers).
    #[arg(long, value_name = "FILE")]
    pub jwks: Option<String>,

    /// The time tokens are judged at: RFC 3339 or epoch seconds (default: now).
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,

    /// What the integration's Lambda function returned (`aws lambda invoke` outfile).
    #[arg(long, value_name = "FILE", conflicts_with = "status")]
    pub lambda_output: Option<String>,

    /// The FunctionError `aws lambda invoke` printed, with --lambda-output.
    #[arg(
        long,
        value_enum,
        value_name = "KIND",
        ignore_case = true,
        requires = "lambda_output"
    )]
    pub function_error: Option<crate::checks::lambda::FunctionError>,

    /// The backend's status code (HTTP, AWS service integrations).
    #[arg(long, value_name = "CODE", value_parser = clap::value_parser!(u16).range(100..=599))]
    pub status: Option<u16>,

    /// The backend's response body, with --status.
    #[arg(long, value_name = "FILE", requires = "status")]
    pub backend_body: Option<String>,

    /// A backend response header, NAME:VALUE (repeatable), with --status.
    #[arg(long = "backend-header", value_name = "NAME:VALUE", value_parser = parse_header_line, requires = "status")]
    pub backend_headers: Vec<(String, String)>,

    /// A stage variable (repeatable).
    #[arg(long = "stage-variable", value_name = "NAME=VALUE", value_parser = parse_name_value)]
    pub stage_variables: Vec<(String, String)>,
}
