//! The hostile-input suite: inputs built to crash, hang or exhaust the tool, each run through
//! the real binary. Every case must end with exit 0, 1 or 2, no panic text, within a hang
//! guard (several times the command's own bound, not a performance target) and under a
//! generous memory budget, measured for that one child with `wait4`.
//!
//! Network peers that misbehave (silent DNS, stalling TLS, endless HTTP bodies) are in
//! cli_domain.rs and cli_probe.rs beside the servers they need.
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const MIB: i64 = 1024;

struct Outcome {
    code: Option<i32>,
    signal: Option<i32>,
    stdout: Vec<u8>,
    stderr: String,
    wall: Duration,
    max_rss_kib: i64,
}

impl Outcome {
    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
}

/// Runs the binary with `args` (stdin from `stdin`), killed after `guard`; peak memory of
/// this child alone, from `wait4`.
fn run(args: &[&str], stdin: Option<&Path>, guard: Duration) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    let (out_path, err_path) = (dir.path().join("out"), dir.path().join("err"));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_apigw-doctor"));
    cmd.args(args)
        .env_remove("NO_COLOR")
        .env_remove("RUST_BACKTRACE")
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .stdin(match stdin {
            Some(p) => Stdio::from(std::fs::File::open(p).unwrap()),
            None => Stdio::null(),
        });
    let start = Instant::now();
    let child = cmd.spawn().unwrap();
    let pid = child.id() as libc::pid_t;
    let done = Arc::new(AtomicBool::new(false));
    let watchdog = {
        let done = Arc::clone(&done);
        std::thread::spawn(move || {
            while start.elapsed() < guard {
                if done.load(Ordering::SeqCst) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            if !done.load(Ordering::SeqCst) {
                // SAFETY: kill(2) on our own child's pid, which has not been reaped yet.
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
        })
    };
    let mut status = 0;
    // SAFETY: rusage is plain data filled by the kernel.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child; status and usage are valid for writes.
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    done.store(true, Ordering::SeqCst);
    watchdog.join().unwrap();
    assert_eq!(reaped, pid, "wait4 failed");
    let wall = start.elapsed();
    std::mem::forget(child); // already reaped
    Outcome {
        code: libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status)),
        signal: libc::WIFSIGNALED(status).then(|| libc::WTERMSIG(status)),
        stdout: std::fs::read(&out_path).unwrap(),
        stderr: std::fs::read_to_string(&err_path).unwrap(),
        wall,
        max_rss_kib: usage.ru_maxrss,
    }
}

/// The contract every hostile case keeps.
#[track_caller]
fn assert_survives(o: &Outcome, guard: Duration, rss_budget_kib: i64) {
    assert_eq!(o.signal, None, "killed by signal; stderr: {}", o.stderr);
    assert!(
        matches!(o.code, Some(0..=2)),
        "exit {:?}; stderr: {}",
        o.code,
        o.stderr
    );
    assert!(
        !o.stderr.contains("panicked") && !o.stderr.contains("backtrace"),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr.lines().count() <= 2,
        "one error line: {}",
        o.stderr
    );
    assert!(o.wall < guard, "took {:?}", o.wall);
    assert!(
        o.max_rss_kib < rss_budget_kib,
        "peak RSS {} KiB over {rss_budget_kib} KiB",
        o.max_rss_kib
    );
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

const GUARD: Duration = Duration::from_secs(30);

// ---- 1. recursion: the Java regex translator

#[test]
fn deeply_nested_patterns_do_not_overflow_the_stack() {
    let dir = tempfile::tempdir().unwrap();
    let deep = [
        "(".repeat(30_000),
        format!("{}a{}", "(".repeat(27_000), ")".repeat(27_000)),
        format!("{}a", "[".repeat(50_000)),
    ];
    for p in &deep {
        let o = run(
            &[
                "selection",
                "--response",
                &format!("{p}=400"),
                "--default",
                "200",
                "--error-message",
                "a",
            ],
            None,
            GUARD,
        );
        assert_survives(&o, GUARD, 512 * MIB);
        let integration = serde_json::json!({
            "type": "AWS", "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:1:function:f/invocations",
            "integrationResponses": {"200": {"statusCode": "200"}, "400": {"statusCode": "400", "selectionPattern": p}}
        });
        let file = write(dir.path(), "i.json", integration.to_string());
        let o = run(
            &[
                "selection",
                "--integration",
                s(&file),
                "--error-message",
                "a",
            ],
            None,
            GUARD,
        );
        assert_survives(&o, GUARD, 512 * MIB);
        let export = serde_json::json!({"openapi": "3.0.1", "paths": {"/a": {"get": {
            "x-amazon-apigateway-integration": {"type": "http", "uri": "https://b.example.com",
                "responses": {"default": {"statusCode": "200"}, p.as_str(): {"statusCode": "400"}}}}}}});
        let file = write(dir.path(), "e.json", export.to_string());
        let o = run(&["-o", "sarif", "lint", s(&file)], None, GUARD);
        assert_survives(&o, GUARD, 512 * MIB);
        assert!(
            o.stdout().contains("selection.inexact-emulation"),
            "{}",
            o.stdout()
        );
    }
}

// ---- 2. formatting and output

#[test]
fn very_wide_columns_do_not_panic() {
    let pattern = "a".repeat(70_000);
    let o = run(
        &[
            "--color",
            "never",
            "selection",
            "--response",
            &format!("{pattern}=400"),
            "--default",
            "200",
            "--status",
            "400",
        ],
        None,
        GUARD,
    );
    assert_survives(&o, GUARD, 512 * MIB);
    let o = run(
        &[
            "selection",
            "--response",
            &format!("{pattern}=400"),
            "--default",
            "200",
            "--table",
        ],
        None,
        GUARD,
    );
    assert_survives(&o, GUARD, 512 * MIB);
}

#[test]
fn a_failing_or_closed_stdout_ends_without_a_panic() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    for args in [
        &["completions", "bash"][..],
        &["man"],
        &["-o", "json", "kb", "list"],
        &["lambda", "examples/lambda/rest-object-body.json"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_apigw-doctor"))
            .args(args)
            .stdout(full.try_clone().unwrap())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.starts_with("apigw-doctor: error: cannot write"),
            "{stderr}"
        );
    }
    // A reader that goes away (`| head -1`): quiet, with the usual status.
    for (args, status) in [
        (&["completions", "zsh"][..], 0),
        (&["kb", "list"], 0),
        (&["lambda", "--lines", "examples/lambda/outputs.jsonl"], 1),
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_apigw-doctor"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take()); // closed before the first write
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(status), "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{args:?}: {stderr}");
    }
}

// ---- 3. memory amplification

#[test]
fn documents_of_tiny_values_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    // 60 MiB of `[],`: 21 million values, within the byte limit.
    let n = 60 * 1024 * 1024 / 3;
    let mut arrays = String::with_capacity(n * 3 + 64);
    arrays.push_str("{\"paths\": {\"/a\": [");
    for i in 0..n {
        arrays.push_str(if i == 0 { "[]" } else { ",[]" });
    }
    arrays.push_str("]}, \"Statement\": [], \"domainName\": \"x\"}");
    let file = write(dir.path(), "arrays.json", &arrays);
    for args in [
        vec!["lint", s(&file)],
        vec!["policy", s(&file)],
        vec!["selection", "--integration", s(&file), "--status", "500"],
        vec![
            "domain",
            "api.example.com",
            "--domain-name-json",
            s(&file),
            "--nameserver",
            "127.0.0.1:9",
            "--timeout",
            "1s",
        ],
    ] {
        let o = run(&args, None, GUARD);
        assert_survives(&o, GUARD, 1024 * MIB);
        assert_eq!(o.code, Some(2), "{args:?}");
        assert!(
            o.stderr.contains("more than 4000000 JSON values"),
            "{}",
            o.stderr
        );
    }
    // Just under the value limit: accepted, with memory still bounded.
    let n = 1_950_000;
    let mut near = String::from("{\"paths\": {\"/a\": [");
    for i in 0..n {
        near.push_str(if i == 0 { "[]" } else { ",[]" });
    }
    near.push_str("]}}");
    let file = write(dir.path(), "near.json", &near);
    let o = run(&["lint", s(&file)], None, GUARD);
    assert_survives(&o, GUARD, 1024 * MIB);
}

#[test]
fn lambda_outputs_of_tiny_values_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let limit = 6 * 1024 * 1024 - 64;
    let mut values = String::from(r#"{"statusCode":200,"multiValueHeaders":{"a":["#);
    while values.len() < limit {
        values.push_str("[],");
    }
    values.push_str("[]]}}");
    let file = write(dir.path(), "mvh.json", &values);
    let o = run(&["-o", "json", "lambda", s(&file)], None, GUARD);
    assert_survives(&o, GUARD, 256 * MIB);
    assert!(
        o.stdout().contains("lambda.output-too-complex"),
        "{}",
        o.stdout()
    );
    // Many bad header values, under the value limit: findings are capped, not one each.
    let mut bad = String::from(r#"{"statusCode":200,"multiValueHeaders":{"a":["#);
    for i in 0..900_000 {
        bad.push_str(if i == 0 { "1" } else { ",1" });
    }
    bad.push_str("]}}");
    let file = write(dir.path(), "bad.json", &bad);
    let o = run(&["-o", "json", "lambda", s(&file)], None, GUARD);
    assert_survives(&o, GUARD, 256 * MIB);
    assert!(
        o.stdout.len() < 100_000,
        "{} bytes of report",
        o.stdout.len()
    );
}

// ---- 4. unbounded reads

#[test]
fn endless_files_are_read_up_to_their_limit() {
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.toml")).unwrap();
    let o = run(&["--rules", s(dir.path()), "kb", "list"], None, GUARD);
    assert_survives(&o, GUARD, 256 * MIB);
    assert_eq!(o.code, Some(2));
    let o = run(
        &[
            "domain",
            "api.example.com",
            "--ca-file",
            "/dev/zero",
            "--nameserver",
            "127.0.0.1:9",
        ],
        None,
        GUARD,
    );
    assert_survives(&o, GUARD, 256 * MIB);
    assert_eq!(o.code, Some(2));
    for args in [
        &["lambda", "/dev/zero"][..],
        &["lint", "/dev/zero"],
        &["policy", "/dev/zero"],
    ] {
        let o = run(args, None, GUARD);
        assert_survives(&o, GUARD, 256 * MIB);
    }
    // An endless line: counted up to 1 GiB, then a one-line error; memory stays at one
    // Lambda output's worth.
    let o = run(
        &["lambda", "--lines", "-"],
        Some(Path::new("/dev/zero")),
        GUARD,
    );
    assert_survives(&o, GUARD, 128 * MIB);
    assert_eq!(o.code, Some(2));
    assert!(o.stderr.contains("stopped reading"), "{}", o.stderr);
}

// ---- 6. evaluation budget

#[test]
fn quadratic_patterns_and_long_messages_end_within_the_budget() {
    let message = "a".repeat(100_000);
    // Patterns that need the backtracking engine are refused past the budget and said so;
    // the others run on the linear-time engine and are decided.
    for (pattern, decided) in [
        ("a++b", false),
        (".*(?>x|a+)c", false),
        ("(a|aa)*+b", false),
        ("(?:a*)*b", true),
        ("(a*)*\\1b", false),
    ] {
        let o = run(
            &[
                "-o",
                "json",
                "selection",
                "--response",
                &format!("{pattern}=400"),
                "--default",
                "200",
                "--error-message",
                &message,
            ],
            None,
            GUARD,
        );
        assert_survives(&o, GUARD, 512 * MIB);
        assert_eq!(
            !o.stdout().contains("selection.inexact-emulation"),
            decided,
            "{pattern}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let pattern = format!("arn:aws:execute-api:*:*:{}/x", "*a".repeat(3_000_000));
    let policy = serde_json::json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": pattern}]});
    let file = write(dir.path(), "p.json", policy.to_string());
    let resource = format!(
        "arn:aws:execute-api:us-east-1:111122223333:{}/prod/GET/",
        "a".repeat(5000)
    );
    let o = run(
        &[
            "-o",
            "json",
            "policy",
            s(&file),
            "--principal",
            "arn:aws:iam::111122223333:root",
            "--resource",
            &resource,
        ],
        None,
        GUARD,
    );
    assert_survives(&o, GUARD, 512 * MIB);
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["result"]["decision"], "uncertain", "{j}");
}

// ---- 7. escape sequences under a pseudo-terminal

/// Runs `args` under `script`, which gives the tool a pseudo-terminal for stdout.
fn on_terminal(args: &[&str]) -> String {
    let quoted: Vec<String> = args
        .iter()
        .map(|a| format!("'{}'", a.replace('\'', r"'\''")))
        .collect();
    let line = format!(
        "{} {}",
        env!("CARGO_BIN_EXE_apigw-doctor"),
        quoted.join(" ")
    );
    let out = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .env("TERM", "xterm")
        .stdin(Stdio::null())
        .output()
        .expect("script(1) from util-linux gives the test a terminal");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn escape_sequences_from_inputs_never_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let esc = "\u{1b}[2J\u{1b}]8;;http://evil.example\u{7}";
    let lambda = write(
        dir.path(),
        "l.json",
        serde_json::json!({"errorType": format!("Boom{esc}"), "errorMessage": format!("m{esc}"),
            "statusCode": 200, "headers": {format!("X-{esc}"): "v"}})
        .to_string(),
    );
    let export = write(
        dir.path(),
        "e.json",
        serde_json::json!({"openapi": "3.0.1", "paths": {format!("/p{esc}"): {"get": {
            "x-amazon-apigateway-integration": {"type": "http_proxy", "uri": "http://b.example.com",
                "connectionType": "VPC_LINK", "connectionId": format!("vl{esc}"),
                "responses": {"default": {"statusCode": format!("2{esc}")}}}}}}})
        .to_string(),
    );
    let policy = write(
        dir.path(),
        "p.json",
        serde_json::json!({"Version": "2012-10-17", "Statement": [{"Sid": format!("S{esc}"),
            "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
            "Resource": "execute-api:/*", "Condition": {"StringEquals": {format!("aws:k{esc}"): "x"}}}]})
        .to_string(),
    );
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    let article = std::fs::read_to_string("rules/vpc-link-delete.toml")
        .unwrap()
        .replacen(
            "title = \"",
            &format!(
                "title = \"{}",
                esc.replace('\u{1b}', "\\u001b").replace('\u{7}', "\\u0007")
            ),
            1,
        );
    write(&rules, "a.toml", article);
    let bad_name = dir.path().join(format!("missing{esc}.json"));
    let cases: Vec<Vec<String>> = vec![
        vec!["lambda".into(), s(&lambda).into()],
        vec![
            "lambda".into(),
            "--function-error".into(),
            "Unhandled".into(),
            s(&lambda).into(),
        ],
        vec!["lint".into(), s(&export).into()],
        vec![
            "lint".into(),
            s(&export).into(),
            "--vpc-link".into(),
            format!("vl{esc}"),
        ],
        vec![
            "policy".into(),
            s(&policy).into(),
            "--principal".into(),
            "arn:aws:iam::1:root".into(),
            "--resource".into(),
            "arn:aws:execute-api:us-east-1:1:a/p/GET/".into(),
        ],
        vec![
            "--rules".into(),
            s(&rules).into(),
            "kb".into(),
            "list".into(),
        ],
        vec!["lint".into(), s(&bad_name).into()],
        vec![
            "selection".into(),
            "--response".into(),
            format!("x{esc}=4{esc}"),
            "--status".into(),
            "400".into(),
        ],
    ];
    for args in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let screen = on_terminal(&args);
        assert!(!screen.is_empty(), "{args:?} printed nothing");
        assert!(!screen.contains("\u{1b}[2J"), "{args:?}: {screen:?}");
        assert!(!screen.contains("\u{1b}]8;"), "{args:?}: {screen:?}");
        assert!(!screen.contains('\u{7}'), "{args:?}: {screen:?}");
    }
}

#[test]
fn the_terminal_helper_sees_colour_so_it_is_a_terminal() {
    let screen = on_terminal(&["lambda", "examples/lambda/rest-object-body.json"]);
    assert!(
        screen.contains("\u{1b}["),
        "no styling: not a terminal? {screen:?}"
    );
    let _ = std::io::stdout().flush();
}

/// Mapping templates built to exhaust the engine: output that doubles with each loop, deep
/// nesting, huge bodies of tiny JSON values, binary bytes, and templates that never stop.
#[test]
fn hostile_templates_end_in_findings_within_bounds() {
    let dir = tempfile::tempdir().unwrap();
    // 10 MB of `[],`: 3.5 million tiny values read by $input.path, rendered as a Map.
    let mut values = String::from("{\"a\": [");
    for i in 0..3_500_000 {
        values.push_str(if i == 0 { "[]" } else { ",[]" });
    }
    values.push_str("]}");
    values.truncate(10 * 1024 * 1024 - 2);
    values.push_str("]}");
    let body = write(dir.path(), "values.json", &values);
    let deep = write(dir.path(), "deep.json", "[".repeat(200_000));
    let binary = write(
        dir.path(),
        "binary.bin",
        [0xffu8, 0xfe, 0x00, 0x89].repeat(4096),
    );
    let templates = [
        // Output growing toward the 10 MB bound.
        ("grow.vtl", "#set($s = \"xxxxxxxxxxxxxxxx\")#foreach($i in [1..1000])#foreach($j in [1..1000])$s$s$s$s#end#end".to_string()),
        // A loop nest far past the step budget.
        ("spin.vtl", "#foreach($a in [1..1000])#foreach($b in [1..1000])#foreach($c in [1..1000])#set($x = $a + $b)#end#end#end".to_string()),
        // Nesting past the parser's depth bound.
        ("nest.vtl", "#if(true)".repeat(100_000)),
        ("parens.vtl", format!("$x.y({})", "(".repeat(200_000))),
        // The body read whole.
        ("whole.vtl", "$input.path('$')$input.json('$')".to_string()),
    ];
    for (name, text) in templates {
        let t = write(dir.path(), name, text);
        for b in [&body, &deep, &binary] {
            let o = run(
                &["-o", "json", "template", s(&t), "--body", s(b)],
                None,
                GUARD,
            );
            println!(
                "{name} on {}: {:?}, {} MiB",
                s(b),
                o.wall,
                o.max_rss_kib / MIB
            );
            assert_survives(&o, GUARD, 2048 * MIB);
            assert!(matches!(o.code, Some(0) | Some(1)), "{name}: {}", o.stderr);
        }
    }
}
