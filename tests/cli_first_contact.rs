//! What a new user meets in the first minutes: man pages, a command run without its input
//! on a terminal, the inputs `domain` gets by mistake, and one error format everywhere.
mod support;
use std::process::{Command, Stdio};
use support::*;

#[test]
fn man_pages_for_the_tool_and_every_command() {
    let r = run(&["man"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.contains(".TH apigw-doctor 1"),
        "{}",
        &r.stdout[..200]
    );
    let r = run(&["man", "lambda"]);
    assert!(
        r.stdout.contains(".TH apigw-doctor-lambda 1"),
        "{}",
        &r.stdout[..200]
    );
    assert!(
        r.stdout.contains("invoke\\-meta"),
        "lambda's flags are on its page"
    );
    let r = run(&["man", "kb", "search"]);
    assert!(r.stdout.contains(".TH apigw-doctor-kb-search 1"));
    let r = run(&["man", "nope"]);
    assert_usage_error(&r, "man nope: no such command");

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("man1");
    let r = run(&["man", "--out-dir", out.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut pages: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    for page in [
        "apigw-doctor.1",
        "apigw-doctor-lambda.1",
        "apigw-doctor-selection.1",
        "apigw-doctor-domain.1",
        "apigw-doctor-probe.1",
        "apigw-doctor-lint.1",
        "apigw-doctor-policy.1",
        "apigw-doctor-cloudfront.1",
        "apigw-doctor-kb-search.1",
        "apigw-doctor-kb-show.1",
        "apigw-doctor-kb-list.1",
        "apigw-doctor-completions.1",
    ] {
        assert!(
            pages.contains(&page.to_string()),
            "{page} missing from {pages:?}"
        );
    }
}

/// `apigw-doctor lambda` typed at a terminal, with nothing piped in: the usage and a hint,
/// at once, instead of waiting for input nobody will type.
#[test]
fn a_command_without_its_input_on_a_terminal_says_what_it_needs() {
    for (args, usage) in [
        ("lambda", "usage: apigw-doctor lambda [OPTIONS] [FILE]"),
        ("lint -", "usage: apigw-doctor lint"),
        ("policy -", "usage: apigw-doctor policy"),
    ] {
        let line = format!("{} {args}", env!("CARGO_BIN_EXE_apigw-doctor"));
        let start = std::time::Instant::now();
        let out = Command::new("script")
            .args(["-qec", &line, "/dev/null"])
            .stdin(Stdio::null())
            .output()
            .expect("script(1) gives the command a terminal");
        let screen = String::from_utf8_lossy(&out.stdout);
        assert!(
            start.elapsed() < std::time::Duration::from_secs(10),
            "it waited"
        );
        assert!(
            screen.contains("apigw-doctor: error: no input: give a FILE"),
            "{args}: {screen}"
        );
        assert!(screen.contains(usage), "{args}: {screen}");
        assert!(out.status.code() == Some(2), "{args}: {:?}", out.status);
    }
}

#[test]
fn domain_says_what_is_wrong_with_its_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "# nothing here\n\n").unwrap();
    let r = run(&["domain", "--file", empty.to_str().unwrap()]);
    assert_usage_error(&r, "no host names in the file");
    let json = dir.path().join("hosts.json");
    std::fs::write(
        &json,
        "{\"items\": [{\"domainName\": \"api.example.com\"}]}",
    )
    .unwrap();
    let r = run(&["domain", "--file", json.to_str().unwrap()]);
    assert_usage_error(&r, "hosts.json:1: this is JSON");
    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, "api.example.com\nnot a host!\n").unwrap();
    let r = run(&["domain", "--file", bad.to_str().unwrap()]);
    assert_usage_error(&r, "bad.txt:2:");
    // A URL or host:port: the host is checked, and the tool says so.
    for given in ["https://127.0.0.1/v1/orders", "127.0.0.1:8443"] {
        let r = run(&[
            "-o",
            "json",
            "domain",
            given,
            "--port",
            "9",
            "--timeout",
            "1s",
        ]);
        assert!(r.code < 2, "{}", r.stderr);
        assert_eq!(r.one_json()["target"], "127.0.0.1");
        assert!(
            r.stderr.contains("note:") && r.stderr.contains("checking the host 127.0.0.1"),
            "{}",
            r.stderr
        );
    }
}

/// Bad usage of any kind: one `apigw-doctor: error:` line and at most one `hint:` line.
#[test]
fn one_error_format_for_every_command() {
    for args in [
        &["lambda", "--api", "soap"][..],
        &["lamda"],
        &["selection"],
        &["lint", "/nonexistent/export.json"],
        &["policy", "examples/lambda/rest-object-body.json"],
        &["cloudfront", "examples/policy/seed-cross-account.json"],
        &["domain"],
        &["probe", "not a url"],
        &["kb", "show", "no-such-article"],
    ] {
        let r = run(args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        let lines: Vec<&str> = r.stderr.lines().collect();
        assert!(
            lines[0].starts_with("apigw-doctor: error: "),
            "{args:?}: {}",
            r.stderr
        );
        assert!(
            lines.len() == 1 || (lines.len() == 2 && lines[1].starts_with("hint: ")),
            "{args:?}: {}",
            r.stderr
        );
    }
}
