//! Live mode at account scale, end to end: `lint --aws` over many APIs and regions against
//! moto on loopback, behind a proxy that throttles as API Gateway's control plane does
//! (429 TooManyRequestsException past a token bucket), denies one API, or deletes one while
//! the scan runs. The scan slows down instead of failing, reports what it could not read,
//! and says so in its exit status.
#![cfg(feature = "aws")]
mod support;
use serde_json::Value;
use std::sync::atomic::Ordering;
use support::aws_proxy::{self, Rules};
use support::moto::{Moto, with_dummy_aws, with_dummy_aws_process};
use support::*;

/// `n` REST APIs in `region`, each with one GET method on `/` (no integration: a warning,
/// so a clean scan exits 0). Returns their ids in creation order.
fn rest_apis(moto: &Moto, region: &str, n: usize) -> Vec<String> {
    let ids = moto.setup(&format!(
        r#"
a = boto3.client('apigateway', **dict(kw, region_name={region:?}))
ids = []
for i in range({n}):
    api = a.create_rest_api(name='svc-%03d' % i)['id']
    root = a.get_resources(restApiId=api)['items'][0]['id']
    a.put_method(restApiId=api, resourceId=root, httpMethod='GET', authorizationType='NONE')
    ids.append(api)
print(json.dumps(ids))
"#
    ));
    ids.as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

/// The tool through the proxy at `endpoint`.
fn run_at(endpoint: &str, args: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config"), "").unwrap();
    std::fs::write(dir.path().join("credentials"), "").unwrap();
    let mut cmd = doctor();
    with_dummy_aws(&mut cmd, endpoint, dir.path());
    let start = std::time::Instant::now();
    let out = cmd.args(args).output().unwrap();
    // A hang guard, not a performance target: several times the longest run expected.
    assert!(
        start.elapsed().as_secs() < 240,
        "took {:?}",
        start.elapsed()
    );
    Run {
        code: out.status.code().expect("exited"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// `lint --aws -o json` through the proxy at `endpoint`, at `rate` calls a second and
/// `concurrency` APIs at once.
fn scan_at(endpoint: &str, rate: &str, concurrency: &str) -> Run {
    run_at(
        endpoint,
        &[
            "-o",
            "json",
            "lint",
            "--aws",
            "--aws-rate",
            rate,
            "--aws-concurrency",
            concurrency,
        ],
    )
}

/// The scan's own report (the last line) and the API reports before it.
fn split(r: &Run) -> (Value, Vec<Value>) {
    let mut reports = r.json();
    let scan = reports.pop().expect("a scan report");
    assert!(
        scan["target"].as_str().unwrap().starts_with("live scan of"),
        "{scan}"
    );
    (scan, reports)
}

#[test]
fn a_throttled_scan_slows_down_and_reads_everything() {
    let moto = Moto::start();
    let ids = rest_apis(&moto, "us-east-1", 30);
    // API Gateway's documented pace, four times faster: 40 calls a second with a burst of
    // 160, GetResources 10 a second with a burst of 20.
    let rules = Rules {
        all: Some((40.0, 160.0)),
        get_resources: Some((10.0, 20.0)),
        ..Rules::default()
    };
    // Unpaced and 8 at once: the proxy throttles, the SDK's adaptive retries and the later
    // rounds wait it out, every API is read.
    let proxy = aws_proxy::start(&moto.endpoint, rules.clone());
    let r = scan_at(&proxy.endpoint, "0", "8");
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, r.stdout);
    assert!(
        r.stderr.is_empty(),
        "no progress bar on a pipe: {}",
        r.stderr
    );
    let (scan, apis) = split(&r);
    assert_eq!(apis.len(), 30);
    assert_eq!(scan["result"]["apis_read"], 30, "{scan}");
    assert!(scan["findings"].as_array().unwrap().is_empty(), "{scan}");
    let throttled = proxy.counts.throttled.load(Ordering::SeqCst);
    assert!(throttled > 0, "the proxy throttled nothing");
    // The tool counted the throttles it met (every 429 the proxy sent reached it).
    assert_eq!(scan["result"]["throttled"], throttled as u64, "{scan}");
    assert_eq!(
        scan["result"]["calls"],
        proxy.counts.requests.load(Ordering::SeqCst) as u64
    );
    // Reports in the listing's order, whatever order the reads finished in.
    let order: Vec<String> = apis
        .iter()
        .map(|a| {
            a["target"]
                .as_str()
                .unwrap()
                .split(' ')
                .nth(2)
                .unwrap()
                .to_string()
        })
        .collect();
    let mut listed = ids.clone();
    listed.sort_by_key(|id| order.iter().position(|o| o == id));
    assert_eq!(order, listed);
    // Paced a little under the proxy's rate (32 a second: GetResources 8 a second, burst
    // 16), the same scan meets no throttling at all.
    let proxy = aws_proxy::start(&moto.endpoint, rules);
    let r = scan_at(&proxy.endpoint, "32", "8");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (scan, _) = split(&r);
    assert_eq!(scan["result"]["apis_read"], 30);
    assert_eq!(proxy.counts.throttled.load(Ordering::SeqCst), 0, "{scan}");
    assert!(
        scan["result"]["paced_seconds"].as_f64().unwrap() > 0.0,
        "{scan}"
    );
}

#[test]
fn a_throttled_listing_succeeds_later() {
    let moto = Moto::start();
    rest_apis(&moto, "us-east-1", 5);
    // GetRestApis meets four 429s: the SDK's three attempts, then, after a pause, a later
    // round that gets through.
    let proxy = aws_proxy::start(
        &moto.endpoint,
        Rules {
            throttle_first: 4,
            ..Rules::default()
        },
    );
    let r = run_at(&proxy.endpoint, &["-o", "json", "lint", "--aws"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, r.stdout);
    let (scan, apis) = split(&r);
    assert_eq!(apis.len(), 5);
    assert_eq!(scan["result"]["throttled"], 4, "{scan}");
    assert_eq!(proxy.counts.throttled.load(Ordering::SeqCst), 4);
}

#[test]
fn an_unreadable_api_is_reported_and_the_scan_goes_on() {
    let moto = Moto::start();
    let ids = rest_apis(&moto, "us-east-1", 6);
    let proxy = aws_proxy::start(
        &moto.endpoint,
        Rules {
            deny: vec![ids[2].clone()],
            delete_on_first_read: Some(ids[4].clone()),
            ..Rules::default()
        },
    );
    let r = run_at(&proxy.endpoint, &["-o", "json", "lint", "--aws"]);
    // Incomplete: 1, not 2 (most was read) and not 0.
    assert_eq!(r.code, 1, "{}\n{}", r.stderr, r.stdout);
    let (scan, apis) = split(&r);
    assert_eq!(apis.len(), 6, "{}", r.stdout);
    let of = |id: &str| {
        apis.iter()
            .find(|a| a["target"].as_str().unwrap().contains(id))
            .unwrap_or_else(|| panic!("no report for {id}"))
    };
    let denied = of(&ids[2]);
    assert_eq!(codes_of(denied), ["live.api-not-read".to_string()].into());
    let message = denied["findings"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("access denied") && message.contains("apigateway:GET"),
        "{message}"
    );
    // Deleted after the listing: said, and not missing from the audit.
    let gone = of(&ids[4]);
    assert_eq!(codes_of(gone), ["live.api-gone".to_string()].into());
    assert_eq!(gone["findings"][0]["severity"], "info");
    assert_eq!(scan["result"]["apis_read"], 4);
    let incomplete = findings_with(&scan, "live.incomplete");
    assert_eq!(incomplete.len(), 1, "{scan}");
    assert_eq!(incomplete[0]["severity"], "error");
    assert_eq!(
        incomplete[0]["evidence"]["not_read"],
        serde_json::json!([format!("REST API {} in us-east-1", ids[2])])
    );
    // The same run as SARIF stays one valid log, the missing API among its results.
    let proxy = aws_proxy::start(
        &moto.endpoint,
        Rules {
            deny: vec![ids[2].clone()],
            ..Rules::default()
        },
    );
    let r = run_at(&proxy.endpoint, &["-o", "sarif", "lint", "--aws"]);
    assert_eq!(r.code, 1);
    let log: Value = serde_json::from_str(&r.stdout).expect("one SARIF log");
    let rules: Vec<&str> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|res| res["ruleId"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"live.incomplete"), "{rules:?}");
    assert!(rules.contains(&"live.api-not-read"), "{rules:?}");
    // Human output names it too, and still lints the others (the deleted API is gone).
    let r = run_at(&proxy.endpoint, &["lint", "--aws"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("4 of 5 APIs read in 1 region(s)"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("the scan is incomplete: 1 API(s) not read"),
        "{}",
        r.stdout
    );
}

#[test]
fn past_the_deadline_what_was_not_read_is_named_not_dropped() {
    let moto = Moto::start();
    rest_apis(&moto, "us-east-1", 24);
    // A control plane that lets one GetResources through a second.
    let proxy = aws_proxy::start(
        &moto.endpoint,
        Rules {
            get_resources: Some((1.0, 4.0)),
            ..Rules::default()
        },
    );
    let r = run_at(
        &proxy.endpoint,
        &[
            "-o",
            "json",
            "lint",
            "--aws",
            "--aws-rate",
            "0",
            "--aws-deadline",
            "6s",
            "--aws-timeout",
            "2s",
        ],
    );
    assert_eq!(r.code, 1, "{}\n{}", r.stderr, r.stdout);
    let (scan, _) = split(&r);
    let read = scan["result"]["apis_read"].as_u64().unwrap();
    assert!((1..24).contains(&read), "{scan}");
    let incomplete = findings_with(&scan, "live.incomplete");
    assert_eq!(
        incomplete[0]["evidence"]["not_read"]
            .as_array()
            .unwrap()
            .len() as u64,
        24 - read,
        "{scan}"
    );
    // Nothing readable at all is the tool failing: exit 2, one line.
    let proxy = aws_proxy::start(
        &moto.endpoint,
        Rules {
            all: Some((0.001, 0.0)),
            ..Rules::default()
        },
    );
    let r = run_at(
        &proxy.endpoint,
        &[
            "lint",
            "--aws",
            "--aws-deadline",
            "5s",
            "--aws-timeout",
            "1s",
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains("GetRestApis"), "{}", r.stderr);
}

#[test]
fn regions_are_scanned_from_a_list_or_all_enabled_ones() {
    let moto = Moto::start();
    let east = rest_apis(&moto, "us-east-1", 2);
    let west = rest_apis(&moto, "eu-west-1", 3);
    let r = moto.run(&[
        "-o",
        "json",
        "lint",
        "--aws",
        "--region",
        "eu-west-1,us-east-1",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (scan, apis) = split(&r);
    assert_eq!(apis.len(), 5);
    // Regions in the order given.
    assert!(apis[0]["target"].as_str().unwrap().contains(&west[0]));
    assert!(apis[0]["target"].as_str().unwrap().ends_with("(eu-west-1)"));
    assert!(apis[4]["target"].as_str().unwrap().contains(&east[1]));
    assert_eq!(scan["target"], "live scan of 2 regions");
    let regions = scan["result"]["regions"].as_array().unwrap();
    assert_eq!(regions[0]["region"], "eu-west-1");
    assert_eq!(regions[0]["rest_apis"], 3);
    // --all-regions asks EC2 which regions the account has enabled.
    let r = moto.run(&["-o", "json", "lint", "--aws", "--all-regions"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (scan, apis) = split(&r);
    assert_eq!(apis.len(), 5);
    let source = scan["result"]["region_source"].as_str().unwrap();
    assert!(source.contains("ec2:DescribeRegions"), "{source}");
    assert!(scan["result"]["regions"].as_array().unwrap().len() > 10);
    // When EC2 may not be asked, the SDK's endpoint data is used, and said; the opt-in
    // regions the account has not enabled refuse the credentials: skipped, not missing.
    let proxy = aws_proxy::start(
        &moto.endpoint,
        Rules {
            deny_describe_regions: true,
            disabled_regions: vec!["af-south-1".into(), "me-south-1".into()],
            ..Rules::default()
        },
    );
    let r = run_at(
        &proxy.endpoint,
        &["-o", "json", "lint", "--aws", "--all-regions"],
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, r.stdout);
    let (scan, apis) = split(&r);
    assert_eq!(apis.len(), 5);
    let source = scan["result"]["region_source"].as_str().unwrap();
    assert!(
        source.contains("SDK's endpoint data") && source.contains("UnauthorizedOperation"),
        "{source}"
    );
    let skipped = findings_with(&scan, "live.region-skipped");
    assert_eq!(skipped.len(), 1, "{scan}");
    assert_eq!(
        skipped[0]["evidence"]["regions"],
        serde_json::json!(["af-south-1", "me-south-1"])
    );
    // A region that holds nothing is an answer; one that cannot be listed is missing: the
    // scan is incomplete (exit 1), not failed, since the other region was read.
    let proxy = aws_proxy::start(
        &moto.endpoint,
        Rules {
            disabled_regions: vec!["eu-west-1".into()],
            ..Rules::default()
        },
    );
    let r = run_at(
        &proxy.endpoint,
        &[
            "-o",
            "json",
            "lint",
            "--aws",
            "--region",
            "us-west-2,eu-west-1",
        ],
    );
    assert_eq!(r.code, 1, "{}\n{}", r.stderr, r.stdout);
    let (scan, apis) = split(&r);
    assert!(apis.is_empty());
    assert_eq!(
        codes_of(&scan),
        ["live.incomplete".to_string(), "live.no-apis".to_string()].into()
    );
    // A region list elsewhere is refused in one line.
    let r = moto.run(&[
        "domain",
        "api.example.com",
        "--aws",
        "--region",
        "us-east-1,eu-west-1",
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("only lint --aws takes a list"),
        "{}",
        r.stderr
    );
    let r = moto.run(&["lint", "--aws", "--region", "us-east-1,,x"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--region"), "{}", r.stderr);
}

#[test]
fn five_hundred_apis_are_read_with_one_call_each() {
    let moto = Moto::start();
    rest_apis(&moto, "us-east-1", 500);
    let proxy = aws_proxy::start(&moto.endpoint, Rules::default());
    let r = scan_at(&proxy.endpoint, "0", "8");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (scan, apis) = split(&r);
    assert_eq!(apis.len(), 500);
    assert_eq!(scan["result"]["apis_read"], 500);
    // One GetResources an API (500 resources a page) and the two listings.
    assert_eq!(proxy.counts.get_resources.load(Ordering::SeqCst), 500);
    assert!(scan["result"]["calls"].as_u64().unwrap() <= 503, "{scan}");
}

#[test]
fn a_vpc_link_answer_with_unread_apis_is_not_held_by_nothing() {
    let moto = Moto::start();
    let ids = rest_apis(&moto, "us-east-1", 3);
    let proxy = aws_proxy::start(
        &moto.endpoint,
        Rules {
            deny: vec![ids[1].clone()],
            ..Rules::default()
        },
    );
    let r = run_at(
        &proxy.endpoint,
        &["-o", "json", "lint", "--aws", "--vpc-link", "vl-0abc"],
    );
    assert_eq!(r.code, 1, "{}\n{}", r.stderr, r.stdout);
    let report = r.one_json();
    let incomplete = findings_with(&report, "live.incomplete");
    assert_eq!(incomplete.len(), 1, "{report}");
    let unread = report["result"]["unread"].as_array().unwrap();
    assert_eq!(unread.len(), 1);
    assert!(unread[0].as_str().unwrap().contains(&ids[1]));
    let r = run_at(&proxy.endpoint, &["lint", "--aws", "--vpc-link", "vl-0abc"]);
    assert_eq!(r.code, 1);
    assert!(!r.stdout.contains("held by nothing"), "{}", r.stdout);
    assert!(
        r.stdout.contains("1 of 3 APIs could not be read"),
        "{}",
        r.stdout
    );
}

/// On a terminal a scan of more than a few APIs shows its progress (APIs read, calls,
/// throttles) on standard error, and clears it before the scan's report.
#[test]
fn a_terminal_sees_the_progress_of_a_scan() {
    let moto = Moto::start();
    rest_apis(&moto, "us-east-1", 12);
    let dir = tempfile::tempdir().unwrap();
    for file in ["config", "credentials"] {
        std::fs::write(dir.path().join(file), "").unwrap();
    }
    // Paced to 5 GetResources a second: long enough for the bar to be drawn.
    let line = format!(
        "{} lint --aws --aws-rate 20 --aws-concurrency 2 -o json > {}",
        env!("CARGO_BIN_EXE_apigw-doctor"),
        dir.path().join("out.jsonl").display()
    );
    let mut script = std::process::Command::new("script");
    with_dummy_aws_process(&mut script, &moto.endpoint, dir.path());
    let out = script
        .args(["-qec", &line, "/dev/null"])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("script(1) gives the command a terminal");
    let screen = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{screen}");
    assert!(screen.contains("APIs read in us-east-1"), "{screen}");
    assert!(screen.contains("calls,"), "{screen}");
    // The reports themselves went to the file, whole.
    let reports = std::fs::read_to_string(dir.path().join("out.jsonl")).unwrap();
    assert_eq!(reports.lines().count(), 13);
}
