//! The hostile-input suite: inputs built to crash, hang or exhaust the tool, each run through
//! the real binary. Every case must end with exit 0, 1 or 2, no panic text, within a hang
//! guard (several times the command's own bound, not a performance target) and under a
//! generous memory budget, measured for that one child with `wait4` (through a small
//! trampoline process: `peak_rss_trampoline`).
//!
//! Network peers that misbehave (silent DNS, stalling TLS, endless HTTP bodies) are in
//! cli_domain.rs and cli_probe.rs beside the servers they need.
mod support;
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
/// this child alone, from `wait4` (see [`peak_rss_trampoline`]).
fn run(args: &[&str], stdin: Option<&Path>, guard: Duration) -> Outcome {
    run_with(args, stdin, &[], guard)
}

/// `run` with extra environment variables and no standard input.
#[cfg(feature = "aws")]
fn run_env(args: &[&str], env: &[(String, String)], guard: Duration) -> Outcome {
    run_with(args, None, env, guard)
}

/// Set to a case's spec file, this test binary becomes the trampoline that runs the case.
const TRAMPOLINE: &str = "HOSTILE_PEAK_RSS_TRAMPOLINE";

/// What the trampoline runs and where it writes what it measured.
#[derive(serde::Serialize, serde::Deserialize)]
struct Case {
    args: Vec<String>,
    env: Vec<(String, String)>,
    stdin: Option<PathBuf>,
    stdout: PathBuf,
    stderr: PathBuf,
    /// "EXIT-CODE SIGNAL PEAK-RSS-KIB", -1 for an exit code or signal there is not.
    result: PathBuf,
}

/// The child's peak RSS must be its own. A process spawned by this test process records, when it
/// execs, the memory high-water mark of the address space it leaves: with posix_spawn that is
/// this process's, which a test holding a large input raises for every later case (a child of a
/// parent that once held 300 MB reports 321 MB for `--version`). So each case runs through this
/// test binary started afresh (a few MB) with `TRAMPOLINE` set: it spawns the case and reports
/// the case's own `wait4` usage. Without `TRAMPOLINE` this test does nothing.
#[test]
fn peak_rss_trampoline() {
    let Some(spec) = std::env::var_os(TRAMPOLINE) else {
        return;
    };
    let case: Case = serde_json::from_slice(&std::fs::read(spec).unwrap()).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_apigw-doctor"))
        .args(&case.args)
        .envs(case.env.iter().map(|(k, v)| (k, v)))
        .env_remove("NO_COLOR")
        .env_remove("RUST_BACKTRACE")
        .env_remove(TRAMPOLINE)
        .stdout(std::fs::File::create(&case.stdout).unwrap())
        .stderr(std::fs::File::create(&case.stderr).unwrap())
        .stdin(match &case.stdin {
            Some(p) => Stdio::from(std::fs::File::open(p).unwrap()),
            None => Stdio::null(),
        })
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: rusage is plain data filled by the kernel.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child; status and usage are valid for writes.
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(reaped, pid, "wait4 failed");
    std::mem::forget(child); // already reaped
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    let signal = if libc::WIFSIGNALED(status) {
        libc::WTERMSIG(status)
    } else {
        -1
    };
    std::fs::write(&case.result, format!("{code} {signal} {}", usage.ru_maxrss)).unwrap();
}

/// The measure is the child's own: this test process holds 300 MB (every page touched) while
/// `--version`, a few MB, runs; a child spawned by it directly would report over 300 MB.
#[test]
fn the_peak_rss_measure_is_the_childs_own() {
    let mut held = vec![0u8; 300 << 20];
    for page in held.chunks_mut(4096) {
        page[0] = 1;
    }
    let o = run(&["--version"], None, GUARD);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(
        o.max_rss_kib > 0 && o.max_rss_kib < 100 * MIB,
        "--version peaked at {} KiB while the test process held 300 MB",
        o.max_rss_kib
    );
    std::hint::black_box(&held);
}

fn run_with(
    args: &[&str],
    stdin: Option<&Path>,
    env: &[(String, String)],
    guard: Duration,
) -> Outcome {
    use std::os::unix::process::CommandExt;
    let dir = tempfile::tempdir().unwrap();
    let case = Case {
        args: args.iter().map(|a| a.to_string()).collect(),
        env: env.to_vec(),
        stdin: stdin.map(Path::to_path_buf),
        stdout: dir.path().join("out"),
        stderr: dir.path().join("err"),
        result: dir.path().join("result"),
    };
    let spec = dir.path().join("case.json");
    std::fs::write(&spec, serde_json::to_vec(&case).unwrap()).unwrap();
    let trampoline_err = dir.path().join("trampoline-err");
    let start = Instant::now();
    // Its own process group: the watchdog kills the trampoline and the case together.
    let trampoline = Command::new(std::env::current_exe().unwrap())
        .args([
            "peak_rss_trampoline",
            "--exact",
            "--quiet",
            "--test-threads=1",
        ])
        .env(TRAMPOLINE, &spec)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&trampoline_err).unwrap())
        .process_group(0)
        .spawn()
        .unwrap();
    let pid = trampoline.id() as libc::pid_t;
    let done = Arc::new(AtomicBool::new(false));
    let killed = Arc::new(AtomicBool::new(false));
    let watchdog = {
        let (done, killed) = (Arc::clone(&done), Arc::clone(&killed));
        std::thread::spawn(move || {
            while start.elapsed() < guard {
                if done.load(Ordering::SeqCst) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            if !done.load(Ordering::SeqCst) {
                killed.store(true, Ordering::SeqCst);
                // SAFETY: kill(2) on our own child's process group, not reaped yet.
                unsafe { libc::kill(-pid, libc::SIGKILL) };
            }
        })
    };
    let mut status = 0;
    // SAFETY: waits for our own child; status is valid for writes.
    let reaped = unsafe { libc::waitpid(pid, &mut status, 0) };
    done.store(true, Ordering::SeqCst);
    watchdog.join().unwrap();
    assert_eq!(reaped, pid, "waitpid failed");
    let wall = start.elapsed();
    std::mem::forget(trampoline); // already reaped
    let (code, signal, max_rss_kib) = match std::fs::read_to_string(&case.result) {
        Ok(result) => {
            let f: Vec<i64> = result
                .split_whitespace()
                .map(|n| n.parse().unwrap())
                .collect();
            (
                (f[0] >= 0).then(|| f[0] as i32),
                (f[1] >= 0).then(|| f[1] as i32),
                f[2],
            )
        }
        // Killed by the watchdog before the case ended: what the old direct wait reported.
        Err(_) if killed.load(Ordering::SeqCst) => (None, Some(libc::SIGKILL), 0),
        Err(e) => panic!(
            "the trampoline wrote no result ({e}): {}",
            std::fs::read_to_string(&trampoline_err).unwrap_or_default()
        ),
    };
    Outcome {
        code,
        signal,
        stdout: std::fs::read(&case.stdout).unwrap_or_default(),
        stderr: std::fs::read_to_string(&case.stderr).unwrap_or_default(),
        wall,
        max_rss_kib,
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

/// The finding codes of one JSON report.
fn finding_codes(report: &serde_json::Value) -> Vec<&str> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect()
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

#[test]
fn lambda_header_names_in_every_case_merge_in_bounded_time() {
    // 65,536 spellings of one 16-letter name, in multiValueHeaders and in headers: one
    // header, looked up case-insensitively each time (no per-spelling work that grows with
    // the header), every value kept once.
    let dir = tempfile::tempdir().unwrap();
    let spelling = |i: u32| -> String {
        "abcdefghijklmnop"
            .chars()
            .enumerate()
            .map(|(k, c)| {
                if i >> k & 1 == 1 {
                    c.to_ascii_uppercase()
                } else {
                    c
                }
            })
            .collect()
    };
    let mut out = String::from(r#"{"statusCode":200,"multiValueHeaders":{"#);
    for i in 0..1u32 << 16 {
        out.push_str(&format!(
            r#"{}"{}":["v{i}","w"]"#,
            if i == 0 { "" } else { "," },
            spelling(i)
        ));
    }
    out.push_str(r#"},"headers":{"#);
    for i in 0..1u32 << 16 {
        out.push_str(&format!(
            r#"{}"{}":"h{}""#,
            if i == 0 { "" } else { "," },
            spelling(i),
            i % 7
        ));
    }
    out.push_str("}}");
    let file = write(dir.path(), "cases.json", &out);
    let o = run(&["-o", "json", "lambda", s(&file)], None, GUARD);
    assert_survives(&o, GUARD, 256 * MIB);
    let report: serde_json::Value = serde_json::from_str(&o.stdout()).unwrap();
    let headers = report["result"]["client"]["multi_value_headers"]
        .as_object()
        .unwrap();
    let values = headers["abcdefghijklmnop"].as_array().unwrap();
    // 65,536 "v" values, one "w", seven "h" values; and the response's content type.
    assert_eq!((headers.len(), values.len()), (2, (1 << 16) + 1 + 7));
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
    // Clear screen, an OSC 8 hyperlink, a colour (SGR) the report never uses, a bidi override.
    let esc = "\u{1b}[2J\u{1b}]8;;http://evil.example\u{7}\u{1b}[38;5;196m\u{202e}";
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
                esc.replace('\u{1b}', "\\u001b")
                    .replace('\u{7}', "\\u0007")
                    .replace('\u{202e}', "\\u202e")
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
        assert!(!screen.contains("\u{1b}[38;5;196m"), "{args:?}: {screen:?}");
        assert!(!screen.contains('\u{202e}'), "{args:?}: {screen:?}");
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
    // For the template engine's own JSON reader, which hands serde_json every escaped string
    // and every long number, and the whole text on an error: 7 MB of escaped strings and
    // 17-digit numbers, one 2 MB number, and 7 MB of good JSON with its error at the end.
    let escaped = write(
        dir.path(),
        "escaped.json",
        format!(
            "[{}0]",
            "\"\\u00e9\\n\\\"x\",12345678901234567,".repeat(230_000)
        ),
    );
    let long_number = write(dir.path(), "number.json", "9".repeat(2 << 20));
    let late_error = write(
        dir.path(),
        "late.json",
        format!("[{}1,]", "{\"k\": [1.5, \"v\"]},".repeat(400_000)),
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
        for b in [&body, &deep, &binary, &escaped, &long_number, &late_error] {
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

/// Dummy credentials and a region for live mode against `endpoint`, with empty config files
/// written into `dir`.
#[cfg(feature = "aws")]
fn aws_env(dir: &Path, endpoint: String) -> Vec<(String, String)> {
    write(dir, "config", "");
    write(dir, "credentials", "");
    vec![
        ("AWS_ENDPOINT_URL".into(), endpoint),
        ("AWS_ACCESS_KEY_ID".into(), "testing".into()),
        ("AWS_SECRET_ACCESS_KEY".into(), "testing".into()),
        ("AWS_REGION".into(), "us-east-1".into()),
        ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
        ("AWS_CONFIG_FILE".into(), s(&dir.join("config")).into()),
        (
            "AWS_SHARED_CREDENTIALS_FILE".into(),
            s(&dir.join("credentials")).into(),
        ),
    ]
}

/// Live mode against endpoints that never stop: pages that repeat their token or go on for
/// ever, and a body that never ends. Each ends in one line and exit 2, bounded in time and
/// memory.
#[cfg(feature = "aws")]
#[test]
fn endless_aws_listings_and_bodies_end_in_one_line() {
    use support::net;
    let dir = tempfile::tempdir().unwrap();
    let env = |endpoint: String| aws_env(dir.path(), endpoint);
    let cases = [
        (
            net::endless_pages_server(true),
            "same pagination token twice",
        ),
        (net::endless_pages_server(false), "more than 1000 pages"),
        (net::endless_json_server(), "64 MiB"),
    ];
    for (server, needle) in cases {
        let o = run_env(
            &["lint", "--aws", "--aws-timeout", "5s"],
            &env(format!("http://{server}")),
            GUARD * 4,
        );
        println!(
            "{needle}: {:?}, {} MiB: {}",
            o.wall,
            o.max_rss_kib / MIB,
            o.stderr
        );
        assert_survives(&o, GUARD * 4, 512 * MIB);
        assert_eq!(o.code, Some(2), "{}", o.stderr);
        assert!(o.stderr.contains(needle), "{needle}: {}", o.stderr);
    }
    // Pages that each come in time but never end: the command's deadline (30 x 200 ms).
    let slow = net::endless_slow_pages_server(false, Duration::from_millis(100));
    let o = run_env(
        &["lint", "--aws", "--aws-timeout", "200ms"],
        &env(format!("http://{slow}")),
        GUARD,
    );
    assert_survives(&o, GUARD, 512 * MIB);
    assert!(o.stderr.contains("deadline passed"), "{}", o.stderr);
}

/// Templates an attacker writes against the engine's walks and bounds: values that hold
/// themselves, operator chains, copies and scans of a 10 MB body, huge ranges and regexes,
/// and strings that grow past the payload quota in one call. Each ends in a finding (or a
/// rendering), never a crash, within seconds and a small multiple of the input + 10 MB.
#[test]
fn templates_that_hold_themselves_chain_copy_or_grow_end_in_findings() {
    let dir = tempfile::tempdir().unwrap();
    let body = write(
        dir.path(),
        "body.json",
        format!("{{\"s\": \"{}\"}}", "x".repeat(9 * 1024 * 1024)),
    );
    let mut nested = String::new();
    for _ in 0..120 {
        nested.push_str("{\"a\": {\"a\": 1, \"b\": [{\"a\": 2}]}, \"c\": ");
    }
    nested.push('1');
    nested.push_str(&"}".repeat(120));
    let nested = write(dir.path(), "nested.json", nested);
    let chain = |n: usize| format!("#set($x = {})$x", vec!["1"; n].join("+"));
    let cases: Vec<(&str, String, &str)> = vec![
        // (name, template, a code it must report, or "" when a rendering is the answer)
        ("self-list", "#set($l=[])#set($x=$l.add($l))$l $l.toString() #if($l == $l)eq#end $l.contains(1) $l.size()".into(), ""),
        ("self-map", "#set($m={})#set($x=$m.put('me',$m))$m $m.containsValue(1) #if($m == 'x')#end".into(), ""),
        ("cycle", "#set($l=[])#set($m={})#set($x=$l.add($m))#set($x=$m.put('l',$l))$l".into(), "template.runtime-error"),
        ("cycle-json", "#set($b=$input.path('$'))#set($x=$b.put('me',$b))$input.json('$')".into(), "template.runtime-error"),
        ("deep", "#set($l=[])#foreach($i in [1..1000])#foreach($j in [1..1000])#set($l=[$l])#end#end$l".into(), "template.runaway"),
        ("chain-20k", chain(20_000), "template.syntax-error"),
        ("chain-500k", chain(500_000), "template.syntax-error"),
        ("copy-loop", "#foreach($i in [1..1000])#foreach($j in [1..1000])#set($c=\"$input.body\")#end#end".into(), "template.runaway"),
        ("scan-loop", "#foreach($i in [1..1000])#foreach($j in [1..1000])#set($c=$input.body.indexOf('y'))#end#end".into(), "template.runaway"),
        ("range", "#set($r=[1..10000000])$r.size()".into(), "template.runaway"),
        ("regex-size", "#foreach($i in [1..1000])#set($p=\"(.{1000}){$i}\")#set($m=$input.body.matches($p))#end".into(), ""),
        ("regex-invalid", "$input.body.replaceAll('(', 'x')".into(), "template.runtime-error"),
        ("plus", "#set($s=$input.body)#foreach($i in [1..30])#set($s=$s+$s)#end".into(), "template.runaway"),
        ("concat", "#set($s=$input.body)#foreach($i in [1..30])#set($s=$s.concat($s))#end".into(), "template.runaway"),
        ("replace", "#set($s=$input.body)$s.replace('x', $s).length()".into(), "template.runaway"),
        ("replaceAll", "#set($s=$input.body)$s.replaceAll('x', 'yyyyyyyyyyyyyyyy').length()".into(), "template.runaway"),
        ("escape", "#set($s=$input.body.replace('x', '\u{e9}'))$util.escapeJavaScript($s).length()".into(), "template.runaway"),
        ("split", "$input.body.split('').size()".into(), "template.runaway"),
        ("print-list", "#set($l=[])#foreach($i in [1..1000])#set($x=$l.add($input.body))#end$l.toString().length()".into(), "template.runaway"),
        ("deep-scan", "$input.json('$..a..a..a..a..a..a')".into(), ""),
    ];
    for (name, text, code) in cases {
        let t = write(dir.path(), &format!("{name}.vtl"), &text);
        for b in [&body, &nested] {
            let o = run(
                &["-o", "json", "template", s(&t), "--body", s(b)],
                None,
                GUARD,
            );
            println!(
                "{name} on {}: {:?}, {} MiB, exit {:?}",
                b.file_name().unwrap().to_string_lossy(),
                o.wall,
                o.max_rss_kib / MIB,
                o.code
            );
            assert_survives(&o, GUARD, 400 * MIB);
            assert!(matches!(o.code, Some(0) | Some(1)), "{name}: {}", o.stderr);
            let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
            let codes = finding_codes(&report);
            let body_dependent = [
                "copy-loop",
                "scan-loop",
                "replace",
                "replaceAll",
                "escape",
                "split",
                "print-list",
                "plus",
                "concat",
                "regex-invalid",
            ];
            if !code.is_empty() && (b == &body || !body_dependent.contains(&name)) {
                assert!(codes.contains(&code), "{name}: {codes:?}");
            }
        }
    }
    // lint reads every template in an export: a 500,000-term chain is a finding there too.
    let export = serde_json::json!({
        "swagger": "2.0",
        "info": {"title": "hostile", "version": "1"},
        "paths": {"/x": {"get": {
            "responses": {"200": {"description": "ok"}},
            "x-amazon-apigateway-integration": {
                "type": "aws", "httpMethod": "POST",
                "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:f/invocations",
                "responses": {"default": {"statusCode": "200",
                    "responseTemplates": {"application/json": chain(500_000)}}}
            }
        }}}
    });
    let export = write(dir.path(), "export.json", export.to_string());
    let o = run(&["-o", "json", "lint", s(&export)], None, GUARD);
    assert_survives(&o, GUARD, 400 * MIB);
    assert!(
        o.stdout().contains("template.syntax-error"),
        "{}",
        o.stdout()
    );
}

/// `lint --aws -o sarif` over two REST APIs, the second one denied: the SARIF log holds the
/// first API's report, the denied one's and the scan's, and stays one valid log.
#[cfg(feature = "aws")]
#[test]
fn a_sarif_log_stays_valid_when_an_api_of_a_scan_is_denied() {
    use support::net;
    use tokio::io::AsyncWriteExt;
    let server = net::serve(|mut stream| async move {
        let head = net::read_head(&mut stream).await;
        let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
        let (status, extra, body) = if path.contains("/restapis/bbb") {
            (
                "403 Forbidden",
                "x-amzn-errortype: AccessDeniedException\r\n",
                r#"{"message": "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: apigateway:GET"}"#,
            )
        } else if path.starts_with("/restapis?") || path == "/restapis" {
            (
                "200 OK",
                "",
                r#"{"item": [{"id": "aaa", "name": "one"}, {"id": "bbb", "name": "two"}]}"#,
            )
        } else if path.starts_with("/restapis/aaa/resources") {
            (
                "200 OK",
                "",
                r#"{"item": [{"id": "r1", "path": "/", "resourceMethods": {"GET": {"httpMethod": "GET", "authorizationType": "NONE"}}}]}"#,
            )
        } else if path.starts_with("/restapis/aaa/stages") {
            ("200 OK", "", r#"{"item": []}"#)
        } else {
            ("200 OK", "", r#"{"id": "aaa", "name": "one"}"#)
        };
        let response = format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\n{extra}content-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = stream.write_all(response.as_bytes()).await;
        let _ = stream.shutdown().await;
    });
    let dir = tempfile::tempdir().unwrap();
    let env = aws_env(dir.path(), format!("http://{server}"));
    let o = run_env(
        &["-o", "sarif", "lint", "--aws", "--aws-timeout", "5s"],
        &env,
        GUARD,
    );
    assert_survives(&o, GUARD, 512 * MIB);
    // The denied API is one report of its own and the scan goes on: incomplete, exit 1.
    assert_eq!(o.code, Some(1), "{}", o.stderr);
    let log: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", o.stdout()));
    let run = &log["runs"][0];
    // aaa, bbb (not read), and the scan's own report.
    assert_eq!(run["properties"]["reports"], 3, "{run}");
    let not_read = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "live.api-not-read")
        .unwrap_or_else(|| panic!("{run}"));
    assert!(
        not_read["message"]["text"]
            .as_str()
            .unwrap()
            .contains("access denied"),
        "{not_read}"
    );
    assert!(
        run["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["ruleId"] == "live.incomplete"),
        "{run}"
    );
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
}

/// Error output never panics and never lets an input drive the terminal: a file name that
/// is not UTF-8, a stderr that cannot be written (`/dev/full`), a multi-megabyte message;
/// and files the tool writes or reads are never a trap: `man --out-dir` refuses a symbolic
/// link put there, `--rules` refuses a named pipe and bounds what it reads.
#[test]
fn error_output_and_the_files_around_it_are_never_a_trap() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_apigw-doctor");
    let not_utf8 = std::ffi::OsStr::from_bytes(b"\xff\xfe.json");
    for args in [
        vec![
            std::ffi::OsStr::new("lambda"),
            std::ffi::OsStr::new("--bogus"),
            not_utf8,
        ],
        vec![std::ffi::OsStr::new("lambda"), not_utf8],
        vec![not_utf8],
    ] {
        let out = Command::new(bin).args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_eq!(stderr.lines().count(), 2, "{stderr}");
    }
    // stderr on /dev/full: the error cannot be shown, and that is no reason to abort.
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    for args in [
        vec!["lambda", "missing.json"],
        vec!["lambda", "--bogus"],
        vec!["kb", "show", "nope"],
    ] {
        let out = Command::new(bin)
            .args(&args)
            .stderr(full.try_clone().unwrap())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {:?}", out.status);
    }
    // An AWS error message of megabytes, with a bidi override in it, is cut and escaped.
    #[cfg(feature = "aws")]
    {
        let body =
            serde_json::json!({"message": format!("\u{202e}{}", "m".repeat(3 * 1024 * 1024))})
                .to_string();
        let response = format!(
            "HTTP/1.1 403 Forbidden\r\ncontent-type: application/json\r\nx-amzn-errortype: AccessDeniedException\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        let server = support::net::http_server(Box::leak(response.into_boxed_str()));
        let o = run_env(
            &["lint", "--aws", "--aws-timeout", "5s"],
            &aws_env(dir.path(), format!("http://{server}")),
            GUARD,
        );
        assert_survives(&o, GUARD, 512 * MIB);
        assert_eq!(o.code, Some(2), "{}", &o.stderr[..200.min(o.stderr.len())]);
        assert!(o.stderr.len() < 5_000, "{} bytes of stderr", o.stderr.len());
        assert!(o.stderr.contains("more bytes)"), "{}", o.stderr);
        assert!(!o.stderr.contains('\u{202e}'), "{}", o.stderr);
    }
    // man --out-dir never writes through a link placed in the folder.
    let victim = write(dir.path(), "victim", "precious");
    let pages = dir.path().join("man");
    std::fs::create_dir(&pages).unwrap();
    std::os::unix::fs::symlink(&victim, pages.join("apigw-doctor-lambda.1")).unwrap();
    let o = run(&["man", "--out-dir", s(&pages)], None, GUARD);
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(o.stderr.contains("symbolic link"), "{}", o.stderr);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    std::fs::remove_file(pages.join("apigw-doctor-lambda.1")).unwrap();
    let o = run(&["man", "--out-dir", s(&pages)], None, GUARD);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(pages.join("apigw-doctor-lambda.1").is_file());
    // --rules: a named pipe called *.toml is refused at once, not read for ever.
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    std::fs::copy("rules/cors.toml", rules.join("cors.toml")).unwrap();
    let fifo = std::ffi::CString::new(rules.join("zz.toml").as_os_str().as_bytes()).unwrap();
    // SAFETY: mkfifo(3) with a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
    let o = run(&["--rules", s(&rules), "kb", "list"], None, GUARD);
    assert_survives(&o, GUARD, 256 * MIB);
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(o.stderr.contains("not a regular file"), "{}", o.stderr);
    // 1,000 articles of 240 KB: refused past the folder's total, within memory.
    let many = dir.path().join("many");
    std::fs::create_dir(&many).unwrap();
    let padding = format!("\n# {}\n", "x".repeat(240 * 1024));
    let article = std::fs::read_to_string("rules/cors.toml").unwrap() + &padding;
    for i in 0..1000 {
        write(&many, &format!("a{i:04}.toml"), &article);
    }
    let o = run(&["--rules", s(&many), "kb", "list"], None, GUARD);
    assert_survives(&o, GUARD, 256 * MIB);
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(o.stderr.contains("MB together"), "{}", o.stderr);
}

/// HTTP API response parameter mappings that copy a large body into many headers, or
/// reference it thousands of times in one value: the mapped values are bounded together.
#[test]
fn response_mappings_that_multiply_a_body_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let big = "y".repeat(90 * 1024);
    let body = serde_json::json!({"a": big}).to_string();
    let out = write(
        dir.path(),
        "out.json",
        serde_json::json!({"statusCode": 500, "headers": {"x-big": big}, "body": body}).to_string(),
    );
    let mut mappings = serde_json::Map::new();
    for i in 0..2000 {
        mappings.insert(
            format!("overwrite:header.x-{i}"),
            serde_json::json!("$response.header.x-big"),
        );
    }
    mappings.insert(
        "append:header.x-many".into(),
        serde_json::json!("$response.body.a,".repeat(50_000)),
    );
    let integration = write(
        dir.path(),
        "integration.json",
        serde_json::json!({"IntegrationType": "AWS_PROXY", "PayloadFormatVersion": "2.0",
            "IntegrationUri": "arn:aws:lambda:us-east-1:111122223333:function:f",
            "ResponseParameters": {"500": mappings}})
        .to_string(),
    );
    let o = run(
        &[
            "-o",
            "json",
            "selection",
            "--integration",
            s(&integration),
            "--lambda-output",
            s(&out),
        ],
        None,
        GUARD,
    );
    println!("{:?}, {} MiB", o.wall, o.max_rss_kib / MIB);
    assert_survives(&o, GUARD, 400 * MIB);
    assert!(o.stdout().contains("template.runaway"), "{}", o.stderr);
    assert!(
        o.stdout.len() < 40 * 1024 * 1024,
        "{} bytes",
        o.stdout.len()
    );
}

/// Request models and tokens made to attack the checker: a backtracking pattern over a long
/// string, a model that refers to itself, a body nested as deep as JSON allows, a body of
/// 9 MB violating its model at every item, a 4 MB JWT, a lookahead pattern the engine does
/// not have. Each ends within its guard, with a finding or a one-line error.
#[test]
fn request_models_and_tokens_that_attack_the_checker_end_in_findings() {
    let dir = tempfile::tempdir().unwrap();
    let api = |schema: serde_json::Value| {
        serde_json::json!({
            "swagger": "2.0",
            "info": {"title": "hostile", "version": "1"},
            "x-amazon-apigateway-request-validators": {"all": {"validateRequestBody": true, "validateRequestParameters": true}},
            "x-amazon-apigateway-request-validator": "all",
            "paths": {"/x": {"post": {
                "parameters": [{"in": "body", "name": "M", "required": true, "schema": {"$ref": "#/definitions/M"}}],
                "responses": {"200": {}},
                "x-amazon-apigateway-integration": {"type": "mock"}
            }}},
            "definitions": {"M": schema}
        })
        .to_string()
    };
    let guard = Duration::from_secs(30);
    let cases: Vec<(&str, String, Vec<u8>, &str)> = vec![
        (
            "backtracking pattern",
            api(
                serde_json::json!({"type": "object", "properties": {"s": {"type": "string", "pattern": "^(a+)+$"}}}),
            ),
            format!("{{\"s\": \"{}b\"}}", "a".repeat(100_000)).into_bytes(),
            "validation.invalid-body",
        ),
        (
            "a model that holds itself",
            api(
                serde_json::json!({"type": "object", "properties": {"next": {"$ref": "#/definitions/M"}}, "required": ["v"]}),
            ),
            {
                let mut b = String::new();
                for _ in 0..100 {
                    b.push_str("{\"v\": 1, \"next\": ");
                }
                b.push_str("{}");
                b.push_str(&"}".repeat(100));
                b.into_bytes()
            },
            "validation.invalid-body",
        ),
        (
            "deeper than JSON parsing allows",
            api(serde_json::json!({"type": "array"})),
            format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes(),
            "validation.schema-unsupported",
        ),
        (
            "nine megabytes, every item wrong",
            api(serde_json::json!({"type": "array", "items": {"type": "string"}})),
            format!("[{}1]", "1,".repeat(4_500_000)).into_bytes(),
            "validation.schema-unsupported",
        ),
        (
            "just under the bound, every item wrong",
            api(serde_json::json!({"type": "array", "items": {"type": "string"}})),
            format!("[{}1]", "1,".repeat(249_998)).into_bytes(),
            "validation.invalid-body",
        ),
        (
            "a lookahead the engine does not have",
            api(serde_json::json!({"type": "string", "pattern": "^(?=.*[0-9]).{8,}$"})),
            b"\"password1\"".to_vec(),
            "validation.schema-unsupported",
        ),
    ];
    for (name, definition, body, code) in cases {
        let d = write(dir.path(), "api.json", definition);
        let b = write(dir.path(), "body.json", body);
        let o = run(
            &[
                "-o",
                "json",
                "validate",
                "--export",
                s(&d),
                "--method",
                "POST",
                "--path",
                "/x",
                "--body",
                s(&b),
            ],
            None,
            guard,
        );
        assert_survives(&o, guard, 600 * 1024);
        let report: serde_json::Value = serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("{name}: {e}: {}", o.stderr));
        let codes = finding_codes(&report);
        assert!(codes.contains(&code), "{name}: {codes:?}");
        assert!(codes.len() <= 22, "{name}: {} findings", codes.len());
        eprintln!("{name}: {:?}, {} KiB", o.wall, o.max_rss_kib);
    }
    // A 4 MB token: decoded or refused, within bounds.
    let big = format!("eyJhbGciOiJSUzI1NiJ9.{}.c2ln", "A".repeat(4 * 1024 * 1024));
    let t = write(dir.path(), "token.txt", &big);
    let at = format!("@{}", s(&t));
    let o = run(&["authorizer", "--api", "http", "--jwt", &at], None, guard);
    assert_survives(&o, guard, 200 * 1024);
}

/// `trace` on definitions and requests made to make it work hard: 20,000 resources and a
/// request path of 5,000 segments (routing every method for the no-route answer), a request
/// template that loops a hundred million times, a 9 MB body passed through. Each ends within
/// its guard with a report.
#[test]
fn traces_of_huge_definitions_and_requests_end_within_bounds() {
    let dir = tempfile::tempdir().unwrap();
    let guard = Duration::from_secs(30);
    let mut paths = serde_json::Map::new();
    for i in 0..20_000 {
        paths.insert(
            format!("/r{i}/{{id}}/{{proxy+}}"),
            serde_json::json!({"get": {"responses": {"200": {}},
                "x-amazon-apigateway-integration": {"type": "mock",
                    "requestTemplates": {"application/json": "{\"statusCode\": 200}"},
                    "responses": {"default": {"statusCode": "200"}}}}}),
        );
    }
    paths.insert(
        "/loop".into(),
        serde_json::json!({"post": {"responses": {"200": {}},
            "x-amazon-apigateway-integration": {"type": "http", "httpMethod": "POST", "uri": "https://b.example.com/",
                "requestTemplates": {"application/json": "#foreach($i in [1..100000000])$i#end"},
                "responses": {"default": {"statusCode": "200"}}}}}),
    );
    paths.insert(
        "/pass".into(),
        serde_json::json!({"post": {"responses": {"200": {}},
            "x-amazon-apigateway-integration": {"type": "http_proxy", "httpMethod": "POST", "uri": "https://b.example.com/"}}}),
    );
    let api = write(
        dir.path(),
        "api.json",
        serde_json::json!({"swagger": "2.0", "info": {"title": "big", "version": "1"}, "paths": paths})
            .to_string(),
    );
    let long_path = format!("/x{}", "/s".repeat(5_000));
    let body = write(
        dir.path(),
        "body.json",
        format!("[{}1]", "1,".repeat(4_500_000)),
    );
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["DELETE", &long_path], "trace.no-route"),
        (
            vec!["POST", "/loop", "--body", s(&body)],
            "template.runaway",
        ),
        (
            vec!["POST", "/pass", "--body", s(&body), "--status", "200"],
            "",
        ),
    ];
    for (request, code) in cases {
        let mut args = vec!["-o", "json", "trace", "--export", s(&api)];
        args.extend(request.iter().copied());
        let o = run(&args, None, guard);
        assert_survives(&o, guard, 600 * 1024);
        let report: serde_json::Value = serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("{}: {e}: {}", request[0], o.stderr));
        if !code.is_empty() {
            assert!(
                finding_codes(&report).contains(&code),
                "{}: {:?}",
                request[0],
                finding_codes(&report)
            );
        }
        eprintln!("{}: {:?}, {} KiB", request[0], o.wall, o.max_rss_kib);
    }
}

/// Templates made to trap the infrastructure-as-code reader: resources whose parents form a
/// cycle, a parent chain of 5,000 resources, an intrinsic nested 10,000 deep, a `Fn::Sub`
/// of a million placeholders, and a Terraform plan whose configuration refers to itself.
/// Each ends within its guard with a report or a one-line error.
#[test]
fn templates_that_trap_the_iac_reader_end_within_bounds() {
    let dir = tempfile::tempdir().unwrap();
    let guard = Duration::from_secs(30);
    let method = |resource: serde_json::Value, uri: serde_json::Value| {
        serde_json::json!({"Type": "AWS::ApiGateway::Method", "Properties": {
            "RestApiId": {"Ref": "Api"}, "ResourceId": resource, "HttpMethod": "GET",
            "AuthorizationType": "NONE", "Integration": {"Type": "HTTP_PROXY", "IntegrationHttpMethod": "GET", "Uri": uri}}})
    };
    let api =
        serde_json::json!({"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "trap"}});
    let resource = |parent: serde_json::Value, part: &str| {
        serde_json::json!({"Type": "AWS::ApiGateway::Resource", "Properties": {
            "RestApiId": {"Ref": "Api"}, "ParentId": parent, "PathPart": part}})
    };
    // A cycle: A's parent is B, B's parent is A.
    let cycle = serde_json::json!({"Resources": {
        "Api": api,
        "A": resource(serde_json::json!({"Ref": "B"}), "a"),
        "B": resource(serde_json::json!({"Ref": "A"}), "b"),
        "M": method(serde_json::json!({"Ref": "A"}), serde_json::json!("https://x.example.com"))}});
    // A chain of 5,000.
    let mut chain = serde_json::Map::new();
    chain.insert("Api".into(), api.clone());
    chain.insert(
        "R0".into(),
        resource(
            serde_json::json!({"Fn::GetAtt": ["Api", "RootResourceId"]}),
            "r0",
        ),
    );
    for i in 1..5_000 {
        chain.insert(
            format!("R{i}"),
            resource(
                serde_json::json!({"Ref": format!("R{}", i - 1)}),
                &format!("r{i}"),
            ),
        );
    }
    chain.insert(
        "M".into(),
        method(
            serde_json::json!({"Ref": "R4999"}),
            serde_json::json!("https://x.example.com"),
        ),
    );
    let chain = serde_json::json!({"Resources": chain});
    // An intrinsic nested deep, a Sub of a million placeholders.
    // Written as text: a Value this deep would overflow the test's own stack.
    let deep_text = format!(
        "{}\"https://x.example.com\"{}",
        "{\"Fn::Join\": [\"\", [".repeat(10_000),
        "]]}".repeat(10_000)
    );
    let subs = serde_json::json!({"Fn::Sub": "${A}".repeat(1_000_000)});
    let wide = serde_json::json!({"Resources": {
        "Api": api,
        "M": method(serde_json::json!({"Fn::GetAtt": ["Api", "RootResourceId"]}), subs)}});
    let plan = serde_json::json!({"format_version": "1.2",
        "planned_values": {"root_module": {"resources": [
            {"address": "aws_api_gateway_rest_api.a", "mode": "managed", "type": "aws_api_gateway_rest_api", "name": "a", "values": {"name": "a"}},
            {"address": "aws_api_gateway_resource.r", "mode": "managed", "type": "aws_api_gateway_resource", "name": "r", "values": {"path_part": "r"}}]}},
        "configuration": {"root_module": {"resources": [
            {"address": "aws_api_gateway_resource.r", "expressions": {"parent_id": {"references": ["aws_api_gateway_resource.r.id", "aws_api_gateway_resource.r"]},
                "rest_api_id": {"references": ["aws_api_gateway_rest_api.a.id"]}}}]}}});
    let cases: Vec<(&str, String)> = vec![
        ("cycle", cycle.to_string()),
        ("chain", chain.to_string()),
        (
            "deep",
            format!(
                "{{\"Resources\": {{\"Api\": {api}, \"M\": {}}}}}",
                method(
                    serde_json::json!({"Fn::GetAtt": ["Api", "RootResourceId"]}),
                    serde_json::json!(null)
                )
                .to_string()
                .replace("null", &deep_text)
            ),
        ),
        ("wide", wide.to_string()),
        ("self-referring plan", plan.to_string()),
    ];
    for (name, text) in cases {
        let f = write(dir.path(), "template.json", text);
        let o = run(&["-o", "json", "lint", s(&f)], None, guard);
        assert_survives(&o, guard, 600 * 1024);
        eprintln!(
            "{name}: exit {:?}, {:?}, {} KiB",
            o.code, o.wall, o.max_rss_kib
        );
    }
}

#[test]
fn hostile_truststores_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    // Endless input: read up to the limit, then a one-line error.
    for flag in ["--truststore", "--client-cert"] {
        let mut args = vec!["domain", flag, "/dev/zero"];
        if flag == "--client-cert" {
            args.extend(["--client-key", "/dev/zero", "x.example.com"]);
        }
        let o = run(&args, None, GUARD);
        assert_survives(&o, GUARD, 256 * MIB);
        assert_eq!(o.code, Some(2), "{}", o.stderr);
    }
    // Thousands of unparsable blocks, and an unterminated one of 8 MiB.
    let mut junk = String::new();
    for _ in 0..20_000 {
        junk.push_str("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    }
    junk.push_str("-----BEGIN CERTIFICATE-----\n");
    junk.push_str(&"QUFB".repeat(2 * 1024 * 1024));
    let p = write(dir.path(), "junk.pem", junk);
    let o = run(
        &["domain", "--truststore", s(&p), "-o", "json"],
        None,
        GUARD,
    );
    assert_survives(&o, GUARD, 512 * MIB);
    assert_eq!(o.code, Some(1), "{}", o.stderr);
}

#[test]
fn hostile_websocket_peers_are_bounded() {
    // A refused upgrade whose body never ends, and an upgrade answer whose headers never end.
    for server in [
        support::net::endless_body_server(),
        support::net::endless_headers_server(),
    ] {
        let url = format!("ws://127.0.0.1:{}/dev", server.port());
        let o = run(
            &["probe", &url, "--timeout", "3s", "-o", "json"],
            None,
            GUARD,
        );
        assert_survives(&o, GUARD, 256 * MIB);
        assert_eq!(o.code, Some(1), "{}", o.stderr);
    }
}

/// Exports read a part at a time (`lint`, `selection --export`, `validate`) stay bounded on
/// hostile shapes: a million tiny path items, a path item nested past the parser's depth,
/// `paths` written twice.
#[test]
fn exports_read_in_parts_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let n = 1_300_000;
    let mut many = String::with_capacity(n * 16);
    many.push_str("{\"openapi\": \"3.0.1\", \"paths\": {");
    for i in 0..n {
        if i > 0 {
            many.push(',');
        }
        many.push_str(&format!("\"/p{i}\":{{}}"));
    }
    many.push_str("}}");
    let many = write(dir.path(), "many.json", &many);
    let deep = format!(
        "{{\"paths\": {{\"/a\": {}1{}}}, \"info\": {{}}}}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let deep = write(dir.path(), "deep.json", &deep);
    let twice = write(
        dir.path(),
        "twice.json",
        r#"{"paths": {"/a": {"get": {}}}, "paths": {"/b": {"get": {"x-amazon-apigateway-integration": {"type": "mock"}}}}}"#,
    );
    for file in [&many, &deep, &twice] {
        for args in [
            vec!["-o", "json", "lint", s(file)],
            vec![
                "-o",
                "json",
                "selection",
                "--export",
                s(file),
                "--method",
                "GET",
                "--path",
                "/b",
                "--status",
                "200",
            ],
            vec![
                "-o",
                "json",
                "validate",
                "--export",
                s(file),
                "--method",
                "GET",
                "--path",
                "/b",
            ],
            vec!["-o", "json", "trace", "--export", s(file), "GET", "/b"],
        ] {
            let o = run(&args, None, GUARD);
            assert_survives(&o, GUARD, 512 * MIB);
            if file == &deep {
                assert_eq!(o.code, Some(2), "{args:?}");
                assert!(o.stderr.contains("deep.json:1:"), "{}", o.stderr);
            }
        }
    }
    // `paths` twice: the last one is the definition, as when the file is read whole.
    let o = run(&["-o", "json", "lint", s(&twice)], None, GUARD);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["result"]["methods"], 1, "{}", o.stdout());
    let o = run(&["-o", "json", "lint", s(&many)], None, GUARD);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["result"]["methods"], 0, "{}", o.stdout());
    let o = run(
        &["-o", "json", "trace", "--export", s(&twice), "GET", "/b"],
        None,
        GUARD,
    );
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["result"]["resource"], "/b", "{}", o.stdout());
}

/// Pastes built against `kb search`'s own text handling: a query of nothing but contractions
/// (each rewritten to "... not"), one long word before an apostrophe, a run of platform-like
/// words that keeps the name window full, and API-type marks glued inside words (every
/// occurrence is checked for a word start), and texts built against the command hints (a curl
/// transcript, a JWT, a dig answer, an execution log's response body, the documents other
/// checks read). Each is answered, within the query's
/// 64 KiB cut (the hints read the whole text standard input gave, at most 1 MiB).
#[test]
fn hostile_kb_queries_end_within_bounds() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        "doesn't ".repeat(20_000),
        format!("{}n't", "a".repeat(200_000)),
        "microsoft ajax content delivery ".repeat(10_000),
        "’t'".repeat(50_000),
        // API-type and API Gateway marks inside words, each occurrence checked at its start.
        "interest apirest api$connectwebsocketxhttp api".repeat(5_000),
        // What the command hints scan, at the size standard input is read (1 MiB): a curl
        // transcript of endless request lines, one "word" of JWT-like parts, a dig question
        // for an 800 KB name, an execution log
        // line before JSON nested past the parser's depth limit, and one before a huge object.
        "> GET /prod/x HTTP/1.1\n> Host: a.example.com\n".repeat(22_000),
        "eyJhbGciOiJub25lIn0.".repeat(50_000),
        format!(";; QUESTION SECTION:\n;{}\tIN\tA", "a.".repeat(400_000)),
        format!(
            "Endpoint response body before transformations: {}",
            "{\"a\":".repeat(150_000)
        ),
        format!(
            "Endpoint response body before transformations: {{{}\"statusCode\":200}}",
            (0..30_000)
                .map(|i| format!("\"k{i}\":{i},"))
                .collect::<String>()
        ),
        // The document hints: extension names glued into one run (each occurrence would scan
        // to the run's end), template variables written as values, resource types after
        // quotes, a policy of 28,000 statements none of which is execute-api's, an openssl
        // command line of endless options, and a browser's WebSocket error that never ends.
        "x-amazon-apigateway-".repeat(50_000),
        "WebSocket connection to '".repeat(40_000),
        format!(
            "CONNECTED(00000003)\ndepth=0\n$ openssl s_client {}",
            "-servername -connect ".repeat(48_000)
        ),
        "\": $input.json(".repeat(65_000),
        "Type: ' \"AWS::ApiGateway".repeat(40_000),
        format!(
            "{{\"Version\":\"2012-10-17\",\"Statement\":[{}{{}}]}}",
            "{\"Action\":\"lambda:InvokeFunction\"},".repeat(28_000)
        ),
    ];
    for (n, text) in cases.iter().enumerate() {
        let path = dir.path().join(format!("q{n}.txt"));
        std::fs::write(&path, text).unwrap();
        let o = run(&["-o", "json", "kb", "search", "-"], Some(&path), GUARD);
        assert!(
            o.signal.is_none() && o.wall < GUARD,
            "case {n}: {:?}",
            o.wall
        );
        assert!(matches!(o.code, Some(0 | 1)), "case {n}: {}", o.stderr);
        let json: serde_json::Value = serde_json::from_str(&o.stdout()).unwrap();
        assert!(json["result"]["hits"].is_array(), "case {n}");
        assert!(
            o.max_rss_kib < 200 * 1024,
            "case {n}: {} KiB",
            o.max_rss_kib
        );
    }
}

/// A template whose 20,000 stages each turn logging on (and no account role): one account-level
/// finding that names a few stages and counts the rest, not 20,000 copies of the same advice.
#[test]
fn many_stages_that_turn_logging_on_end_in_one_finding() {
    let dir = tempfile::tempdir().unwrap();
    let guard = Duration::from_secs(30);
    let mut resources = serde_json::Map::new();
    resources.insert(
        "Api".into(),
        serde_json::json!({"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "many"}}),
    );
    for n in 0..20_000 {
        resources.insert(
            format!("Stage{n}"),
            serde_json::json!({"Type": "AWS::ApiGateway::Stage", "Properties": {
                "RestApiId": {"Ref": "Api"}, "StageName": format!("s{n}"),
                "MethodSettings": [{"ResourcePath": "/*", "HttpMethod": "*", "LoggingLevel": "INFO"}]}}),
        );
    }
    let f = write(
        dir.path(),
        "template.json",
        serde_json::json!({"Resources": resources}).to_string(),
    );
    let o = run(&["-o", "json", "lint", s(&f)], None, guard);
    assert_survives(&o, guard, 600 * 1024);
    let report: serde_json::Value = serde_json::from_str(&o.stdout()).unwrap();
    let logging = support::findings_with(&report, "lint.logging-without-account-role");
    assert_eq!(logging.len(), 1, "{}", o.stdout().len());
    assert_eq!(logging[0]["evidence"]["count"], 20_000);
    assert!(logging[0]["evidence"]["stages"].as_array().unwrap().len() <= 20);
}

/// A template of 20,000 methods whose Lambda integrations call one function no permission names,
/// each guarded by an authorizer of its own whose function no permission names either (the
/// methods are read twice: once for the per-method checks, once beside the template's
/// permissions): one finding for each function, naming 20 methods (and 20 authorizers) and
/// counting them all.
#[test]
fn many_methods_of_one_unpermitted_function_end_in_one_finding() {
    let dir = tempfile::tempdir().unwrap();
    let guard = Duration::from_secs(60);
    let mut resources = serde_json::Map::new();
    resources.insert(
        "Api".into(),
        serde_json::json!({"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "many"}}),
    );
    for function in ["Fn", "AuthFn"] {
        resources.insert(
            function.into(),
            serde_json::json!({"Type": "AWS::Lambda::Function", "Properties": {"Runtime": "python3.12", "Handler": "app.handler"}}),
        );
    }
    for n in 0..20_000 {
        resources.insert(
            format!("A{n}"),
            serde_json::json!({"Type": "AWS::ApiGateway::Authorizer", "Properties": {
                "RestApiId": {"Ref": "Api"}, "Name": format!("auth{n}"), "Type": "TOKEN",
                "IdentitySource": "method.request.header.Authorization",
                "AuthorizerUri": {"Fn::Sub": "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${AuthFn.Arn}/invocations"}}}),
        );
        resources.insert(
            format!("R{n}"),
            serde_json::json!({"Type": "AWS::ApiGateway::Resource", "Properties": {
                "RestApiId": {"Ref": "Api"}, "ParentId": {"Fn::GetAtt": ["Api", "RootResourceId"]},
                "PathPart": format!("p{n}")}}),
        );
        resources.insert(
            format!("M{n}"),
            serde_json::json!({"Type": "AWS::ApiGateway::Method", "Properties": {
                "RestApiId": {"Ref": "Api"}, "ResourceId": {"Ref": format!("R{n}")},
                "HttpMethod": "GET", "AuthorizationType": "CUSTOM",
                "AuthorizerId": {"Ref": format!("A{n}")},
                "Integration": {"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST",
                    "Uri": {"Fn::Sub": "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations"}}}}),
        );
    }
    let f = write(
        dir.path(),
        "template.json",
        serde_json::json!({"Resources": resources}).to_string(),
    );
    let o = run(&["-o", "json", "lint", s(&f)], None, guard);
    assert_survives(&o, guard, 1024 * 1024);
    let report: serde_json::Value = serde_json::from_str(&o.stdout()).unwrap();
    let missing = support::findings_with(&report, "lint.lambda-permission-missing");
    assert_eq!(missing.len(), 1, "{}", o.stdout().len());
    assert_eq!(missing[0]["evidence"]["count"], 20_000);
    assert_eq!(
        missing[0]["evidence"]["methods"].as_array().unwrap().len(),
        20
    );
    assert!(missing[0]["message"].as_str().unwrap().len() < 4096);
    let authorizers = support::findings_with(&report, "lint.authorizer-permission-missing");
    assert_eq!(authorizers.len(), 1, "{}", o.stdout().len());
    let evidence = &authorizers[0]["evidence"];
    assert_eq!(evidence["function"], "AuthFn");
    assert_eq!(evidence["count"], 20_000);
    assert_eq!(evidence["authorizer_count"], 20_000);
    assert_eq!(evidence["authorizers"].as_array().unwrap().len(), 20);
    assert!(authorizers[0]["message"].as_str().unwrap().len() < 4096);
}

/// A SAM template whose 5,000 function events merge into an explicit API's 4 MB DefinitionBody,
/// with Globals and a default authorizer: each event reads its API's settings (Globals merged)
/// without a copy of the body (a copy an event made it quadratic: 32 s for 2,000 events and a
/// 1.8 MB body in a debug build).
#[test]
fn many_sam_events_into_a_large_definition_body_end_within_bounds() {
    let dir = tempfile::tempdir().unwrap();
    let guard = Duration::from_secs(60);
    let mut paths = serde_json::Map::new();
    for i in 0..8_000 {
        paths.insert(
            format!("/p{i}"),
            serde_json::json!({"get": {"responses": {}, "x-amazon-apigateway-integration": {
                "type": "http_proxy", "httpMethod": "GET",
                "uri": format!("https://example.com/{i}/{}", "x".repeat(400))}}}),
        );
    }
    let mut resources = serde_json::Map::new();
    resources.insert(
        "Api".into(),
        serde_json::json!({"Type": "AWS::Serverless::Api", "Properties": {"StageName": "prod",
            "DefinitionBody": {"swagger": "2.0", "info": {"title": "big", "version": "1"}, "paths": paths},
            "Auth": {"DefaultAuthorizer": "Pool", "Authorizers": {"Pool": {
                "UserPoolArn": "arn:aws:cognito-idp:us-east-1:111122223333:userpool/us-east-1_x"}}}}}),
    );
    for i in 0..5_000 {
        resources.insert(
            format!("F{i}"),
            serde_json::json!({"Type": "AWS::Serverless::Function", "Properties": {
                "Handler": "app.handler", "Runtime": "python3.12",
                "Events": {"E": {"Type": "Api", "Properties": {
                    "RestApiId": {"Ref": "Api"}, "Path": format!("/p{i}"), "Method": "get"}}}}}),
        );
    }
    let f = write(
        dir.path(),
        "template.json",
        serde_json::json!({"Transform": "AWS::Serverless-2016-10-31",
            "Globals": {"Api": {"BinaryMediaTypes": ["image/png"]}},
            "Resources": resources})
        .to_string(),
    );
    let o = run(&["-o", "json", "lint", s(&f)], None, guard);
    println!("{:?}, {} MiB", o.wall, o.max_rss_kib / MIB);
    assert_survives(&o, guard, 2048 * MIB);
    assert!(matches!(o.code, Some(0) | Some(1)), "{}", o.stderr);
}

/// An export (read in parts) whose 20,000 methods all upload to S3 with no binary media types:
/// one finding for the API (the fix is the API's list), naming 20 methods and counting them all.
#[test]
fn many_binary_uploads_end_in_one_finding() {
    let dir = tempfile::tempdir().unwrap();
    let guard = Duration::from_secs(30);
    // Written as text, a method at a time: no map of 20,000 JSON values in this process.
    let mut text = String::from(
        r#"{"swagger": "2.0", "info": {"title": "uploads", "version": "1"}, "paths": {"#,
    );
    for n in 0..20_000 {
        if n > 0 {
            text.push(',');
        }
        text.push_str(&format!(
            r#""/f{n}/{{key}}": {{"put": {{"responses": {{"200": {{"description": "ok"}}, "400": {{"description": "bad"}}, "500": {{"description": "error"}}}}, "x-amazon-apigateway-integration": {{"type": "aws", "httpMethod": "PUT", "passthroughBehavior": "when_no_match", "credentials": "arn:aws:iam::123456789012:role/uploads", "uri": "arn:aws:apigateway:us-east-1:s3:path/bucket{n}/{{key}}", "responses": {{"default": {{"statusCode": "200"}}, "4\\d{{2}}": {{"statusCode": "400"}}, "5\\d{{2}}": {{"statusCode": "500"}}}}}}}}}}"#
        ));
    }
    text.push_str("}}");
    let f = write(dir.path(), "uploads.json", text);
    let o = run(&["-o", "json", "lint", s(&f)], None, guard);
    assert_survives(&o, guard, 600 * 1024);
    // The methods are otherwise clean: the report stays small.
    assert!(o.stdout.len() < 64 * 1024, "{} bytes", o.stdout.len());
    let report: serde_json::Value = serde_json::from_str(&o.stdout()).unwrap();
    let binary = support::findings_with(&report, "lint.binary-body-as-text");
    assert_eq!(binary.len(), 1, "{}", o.stdout().len());
    assert_eq!(binary[0]["evidence"]["count"], 20_000);
    assert_eq!(
        binary[0]["evidence"]["methods"].as_array().unwrap().len(),
        20
    );
    assert!(binary[0]["message"].as_str().unwrap().len() < 4096);
}

/// Definition files a template names (`DefinitionUri`, `AWS::Include`) are the template's
/// choice, not the user's: a FIFO (which would wait for a writer forever), a device, the
/// template itself, a hundred APIs naming one large file, and paths outside the folder all end
/// in findings or one error line, within the guard and the memory budget.
#[test]
fn definition_files_a_template_names_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let guard = Duration::from_secs(60);
    let fifo = dir.path().join("fifo.yaml");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    // 8 MiB of paths: a hundred APIs naming it would be 800 MiB read.
    let mut paths = serde_json::Map::new();
    for i in 0..20_000 {
        paths.insert(
            format!("/p{i}"),
            serde_json::json!({"get": {"x-amazon-apigateway-integration": {
                "type": "http_proxy", "httpMethod": "GET",
                "uri": format!("https://example.com/{i}/{}", "x".repeat(300))}}}),
        );
    }
    write(
        dir.path(),
        "big.json",
        serde_json::json!({"openapi": "3.0.1", "paths": paths}).to_string(),
    );
    let mut resources = serde_json::Map::new();
    for (n, location) in [
        "fifo.yaml",
        "/dev/zero",
        "template.json",
        "../../../../etc/passwd",
    ]
    .iter()
    .enumerate()
    {
        resources.insert(
            format!("Odd{n}"),
            serde_json::json!({"Type": "AWS::Serverless::Api", "Properties": {
                "StageName": "prod", "DefinitionUri": location}}),
        );
    }
    for i in 0..100 {
        resources.insert(
            format!("Big{i}"),
            serde_json::json!({"Type": "AWS::Serverless::Api", "Properties": {
                "StageName": "prod", "DefinitionBody": {"Fn::Transform": {
                    "Name": "AWS::Include", "Parameters": {"Location": "big.json"}}}}}),
        );
    }
    let f = write(
        dir.path(),
        "template.json",
        serde_json::json!({"Transform": "AWS::Serverless-2016-10-31", "Resources": resources})
            .to_string(),
    );
    let o = run(&["-o", "json", "lint", s(&f)], None, guard);
    println!("{:?}, {} MiB", o.wall, o.max_rss_kib / MIB);
    assert_survives(&o, guard, 2048 * MIB);
    assert!(matches!(o.code, Some(0) | Some(1)), "{}", o.stderr);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let unread: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "source.not-readable")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    let said = |needle: &str| unread.iter().any(|m| m.contains(needle));
    assert!(
        said("Odd0: its definition file") && said("not a regular file"),
        "{unread:?}"
    );
    assert!(said("Odd1: its definition file"), "{unread:?}");
    assert!(
        said("Odd2: ") && said("not an OpenAPI definition"),
        "{unread:?}"
    );
    assert!(said("larger than"), "{unread:?}");
}

/// A SAM template with 20,000 events on one route, each naming an authorizer its API lacks:
/// every event is a fault SAM refuses, each found in constant time; fifty are listed and the
/// rest counted, within the guard and the memory budget.
#[test]
fn a_template_full_of_sam_faults_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let guard = Duration::from_secs(60);
    let mut text = String::from(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: i.h\n      Runtime: python3.12\n      InlineCode: x\n      Events:\n",
    );
    for i in 0..20_000 {
        text += &format!(
            "        E{i}:\n          Type: Api\n          Properties: {{Path: /same, Method: get, Auth: {{Authorizer: Missing}}}}\n"
        );
    }
    let f = write(dir.path(), "template.yaml", text);
    let o = run(&["-o", "json", "lint", s(&f)], None, guard);
    println!("{:?}, {} MiB", o.wall, o.max_rss_kib / MIB);
    assert_survives(&o, guard, 512 * MIB);
    assert_eq!(o.code, Some(1), "{}", o.stderr);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let refused = findings
        .iter()
        .filter(|f| f["code"] == "lint.sam-transform-error")
        .count();
    assert_eq!(refused, 50);
    let read = findings
        .iter()
        .find(|f| f["code"] == "source.read")
        .unwrap();
    // 20,000 unknown authorizers and 19,999 second events on the route, 50 of them listed.
    assert_eq!(read["evidence"]["not_listed"], 39_949, "{read}");
    assert!(
        read["message"]
            .as_str()
            .unwrap()
            .contains("39949 more findings about the template not listed"),
        "{read}"
    );
}

/// A SAM WebSocket API with 20,000 routes and 3,000 route responses naming them, beside one
/// with 20,000 route keys SAM refuses: each route's responses are found by lookup, not by a
/// scan of the template (9.9 s before, quadratic); fifty refusals are listed and the rest
/// counted, within the guard and the memory budget.
#[test]
fn a_sam_websocket_api_with_many_routes_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let guard = Duration::from_secs(60);
    let routes = |key: &dyn Fn(usize) -> String| {
        (0..20_000)
            .map(|i| {
                (
                    key(i),
                    serde_json::json!({"FunctionArn": {"Fn::GetAtt": ["F", "Arn"]}}),
                )
            })
            .collect::<serde_json::Map<_, _>>()
    };
    let mut resources = serde_json::json!({
        "F": {"Type": "AWS::Serverless::Function",
              "Properties": {"Handler": "a", "Runtime": "nodejs20.x", "InlineCode": "x"}},
        "W": {"Type": "AWS::Serverless::WebSocketApi",
              "Properties": {"RouteSelectionExpression": "$request.body.action",
                             "Routes": routes(&|i| format!("r{i}"))}},
        "Bad": {"Type": "AWS::Serverless::WebSocketApi",
                "Properties": {"RouteSelectionExpression": "$request.body.action",
                               "Routes": routes(&|i| format!("bad-{i}"))}},
    });
    for i in 0..3_000 {
        resources[format!("RR{i}")] = serde_json::json!({
            "Type": "AWS::ApiGatewayV2::RouteResponse",
            "Properties": {"ApiId": {"Ref": "W"}, "RouteId": {"Ref": format!("WR{i}Route")},
                           "RouteResponseKey": "$default"}});
    }
    let template =
        serde_json::json!({"Transform": "AWS::Serverless-2016-10-31", "Resources": resources});
    let f = write(dir.path(), "template.json", template.to_string());
    let o = run(&["-o", "json", "lint", s(&f)], None, guard);
    println!("{:?}, {} MiB", o.wall, o.max_rss_kib / MIB);
    assert_survives(&o, guard, 512 * MIB);
    assert_eq!(o.code, Some(1), "{}", o.stderr);
    let text = String::from_utf8_lossy(&o.stdout);
    let reports: Vec<serde_json::Value> = serde_json::Deserializer::from_str(&text)
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let of = |id: &str| reports.iter().find(|r| r["result"]["id"] == id).unwrap();
    let w = of("W");
    assert_eq!(w["result"]["routes"].as_array().unwrap().len(), 20_000);
    let with_response = w["result"]["routes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["route_responses"] == serde_json::json!(["$default"]))
        .count();
    assert_eq!(with_response, 3_000);
    let refused: Vec<&serde_json::Value> = of("Bad")["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "lint.sam-transform-error")
        .collect();
    assert_eq!(refused.len(), 50);
    assert_eq!(refused[49]["evidence"]["not_listed"], 19_950);
}

/// A YAML template that repeats keys 200,000 times (1,000 names, each 200 times, in one
/// mapping) beside an API: the strict parse stops at the first repeat, the last-wins parse and
/// one walk of the events find them all; twenty are listed and the rest counted, within the
/// guard and the memory budget.
#[test]
fn a_template_repeating_keys_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: i.h\n      Runtime: python3.12\n      InlineCode: x\n      Events:\n        Get:\n          Type: Api\n          Properties: {Path: /, Method: get}\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n",
    );
    for i in 0..200_000 {
        text += &format!("      K{}: v{i}\n", i % 1_000);
    }
    lints_repeats_within_bounds(dir.path(), "template.yaml", text, 199_000);
}

/// The same in JSON: an export whose one object repeats 1,000 keys 200 times each, and
/// 40,000 objects of 20 distinct keys (past the list a small object's keys are kept in):
/// one pass over the text finds every repeat; twenty listed, the rest counted.
#[test]
fn a_json_document_repeating_keys_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from(
        r#"{"openapi": "3.0.1", "info": {"title": "t", "version": "1"}, "paths": {"/": {"get": {"responses": {"200": {"description": "ok"}}, "x-amazon-apigateway-integration": {"type": "mock", "requestTemplates": {"application/json": "{\"statusCode\": 200}"}, "responses": {"default": {"statusCode": "200"}}}}}}, "x-many": {"#,
    );
    for i in 0..200_000 {
        text += &format!("\"K{}\": {i},", i % 1_000);
    }
    text += "\"end\": 0}, \"x-objects\": [";
    for i in 0..40_000 {
        let keys: Vec<String> = (0..20).map(|k| format!("\"k{k}\": {i}")).collect();
        text += &format!("{{{}}},", keys.join(","));
    }
    text += "{}]}";
    lints_repeats_within_bounds(dir.path(), "export.json", text, 199_000);
}

/// Lints `text` (written to `name` in `dir`) within the guard and the memory budget, and
/// checks that of its `repeats` repeated keys twenty are listed and the rest counted.
fn lints_repeats_within_bounds(dir: &std::path::Path, name: &str, text: String, repeats: u64) {
    let guard = Duration::from_secs(60);
    let f = write(dir, name, text);
    let o = run(&["-o", "json", "lint", s(&f)], None, guard);
    println!("{:?}, {} MiB", o.wall, o.max_rss_kib / MIB);
    assert_survives(&o, guard, 512 * MIB);
    assert!(matches!(o.code, Some(0 | 1)), "{}", o.stderr);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let repeated: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "source.duplicate-key")
        .collect();
    assert_eq!(repeated.len(), 20);
    assert_eq!(repeated[19]["evidence"]["not_listed"], repeats - 20);
}
