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

/// Every command's `--help` fits one screen: its own flags, one line for the global ones,
/// examples; the live-mode flags only where `--aws` works.
#[test]
fn help_fits_a_screen_with_examples_for_every_command() {
    let commands: &[&[&str]] = &[
        &[],
        &["kb"],
        &["kb", "search"],
        &["kb", "show"],
        &["kb", "list"],
        &["lambda"],
        &["selection"],
        &["domain"],
        &["probe"],
        &["lint"],
        &["policy"],
        &["cloudfront"],
        &["template"],
        &["trace"],
    ];
    for command in commands {
        for flag in ["--help", "-h"] {
            let r = run(&[command, &[flag][..]].concat());
            assert_eq!(r.code, 0, "{command:?} {flag}");
            let lines = r.stdout.lines().count();
            assert!(
                lines <= 55,
                "{command:?} {flag}: {lines} lines\n{}",
                r.stdout
            );
            assert!(r.stdout.contains("Examples:"), "{command:?}: no examples");
        }
        let r = run(&[command, &["--help"][..]].concat());
        if command.is_empty() {
            continue;
        }
        assert!(
            r.stdout.contains("Global options: -o, --output"),
            "{command:?}: {}",
            r.stdout
        );
        let live = ["lint", "policy", "selection", "domain", "trace"].contains(&command[0]);
        assert_eq!(
            r.stdout.contains("--profile NAME"),
            live,
            "{command:?}: live-mode flags where --aws works only"
        );
        // The global flags are summarised, not listed among the command's own.
        assert!(
            !r.stdout.contains("      --fail-on <SEVERITY>"),
            "{command:?}"
        );
    }
    // Hidden from help, still accepted.
    let r = run_with_stdin(
        &[
            "lambda",
            "-",
            "--fail-on",
            "warning",
            "-o",
            "json",
            "--color",
            "never",
        ],
        r#"{"statusCode": 200, "body": "ok"}"#,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// Bash, zsh and fish complete flags after a subcommand, in a real shell (clap_complete's
/// bash script names its states two ways for a hyphenated binary; the tool fixes it).
#[test]
fn completions_work_after_a_subcommand_in_real_shells() {
    let dir = tempfile::tempdir().unwrap();
    let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_apigw-doctor"))
        .parent()
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let path = format!("{bin_dir}:{}", std::env::var("PATH").unwrap_or_default());
    let script = |shell: &str| {
        let r = run(&["completions", shell]);
        assert_eq!(r.code, 0);
        let file = dir.path().join(format!("apigw-doctor.{shell}"));
        std::fs::write(&file, r.stdout).unwrap();
        file.to_str().unwrap().to_string()
    };
    // bash -i: the function is registered and completes `lambda --ap` and `lint --vpc`.
    let bash = script("bash");
    let probe = format!(
        "source '{bash}'; complete -p apigw-doctor; \
         COMP_WORDS=(apigw-doctor lambda --ap); COMP_CWORD=2; COMP_LINE='apigw-doctor lambda --ap'; COMP_POINT=${{#COMP_LINE}}; \
         _apigw__doctor apigw-doctor --ap lambda; echo \"lambda:${{COMPREPLY[*]}}\"; \
         COMP_WORDS=(apigw-doctor lint --vpc); COMP_CWORD=2; COMP_LINE='apigw-doctor lint --vpc'; COMP_POINT=${{#COMP_LINE}}; \
         _apigw__doctor apigw-doctor --vpc lint; echo \"lint:${{COMPREPLY[*]}}\"; \
         COMP_WORDS=(apigw-doctor kb se); COMP_CWORD=2; COMP_LINE='apigw-doctor kb se'; COMP_POINT=${{#COMP_LINE}}; \
         _apigw__doctor apigw-doctor se kb; echo \"kb:${{COMPREPLY[*]}}\""
    );
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-i", "-c", &probe])
        .env("PATH", &path)
        .stdin(Stdio::null())
        .output()
        .expect("bash");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "complete -o bashdefault -o default -o nosort -F _apigw__doctor apigw-doctor"
        ),
        "{text}"
    );
    assert!(text.contains("lambda:--api"), "{text}");
    assert!(text.contains("lint:--vpc-link --vpc-link-error"), "{text}");
    assert!(text.contains("kb:search"), "{text}");
    // zsh: the completion function loads and knows lambda's flags.
    let zsh = script("zsh");
    let out = Command::new("zsh")
        .args([
            "-f",
            "-c",
            &format!(
                "autoload -Uz compinit && compinit -u -D; source '{zsh}'; whence -w _apigw-doctor; functions _apigw-doctor | grep -c -- '--payload-version'"
            ),
        ])
        .env("PATH", &path)
        .stdin(Stdio::null())
        .output()
        .expect("zsh");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("_apigw-doctor: function"),
        "{text} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mentions: usize = text
        .lines()
        .last()
        .unwrap_or("0")
        .trim()
        .parse()
        .unwrap_or(0);
    assert!(
        mentions > 0,
        "lambda's --payload-version in the zsh function: {text}"
    );
    // fish: `complete -C` asks fish itself what it would offer.
    let fish = script("fish");
    let out = Command::new("fish")
        .args([
            "--no-config",
            "-c",
            &format!("source '{fish}'; complete -C 'apigw-doctor lambda --pay'; complete -C 'apigw-doctor kb s'"),
        ])
        .env("PATH", &path)
        .stdin(Stdio::null())
        .output()
        .expect("fish");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("--payload-version"),
        "{text} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("search"), "{text}");
}

/// `man COMMAND` at a terminal is rendered (through man(1) and the pager), not raw roff.
#[test]
fn man_at_a_terminal_is_rendered() {
    let line = format!("{} man lambda", env!("CARGO_BIN_EXE_apigw-doctor"));
    let out = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .env("TERM", "xterm")
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .stdin(Stdio::null())
        .output()
        .expect("script(1)");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !text.contains(".TH apigw"),
        "raw roff: {}",
        &text[..text.len().min(300)]
    );
    assert!(
        text.contains("apigw-doctor-lambda(1)"),
        "{}",
        &text[..text.len().min(300)]
    );
}

/// The right article and the right fix for the case: an HTTP API's findings link the HTTP
/// API article, a timeout's fix is about the timeout, a proxy integration says first that
/// patterns never run, a bare account id is no principal, --lines numbers its reports.
#[test]
fn right_link_and_right_fix() {
    let r = run_with_stdin(
        &[
            "-o",
            "json",
            "lambda",
            "--api",
            "http",
            "--payload-version",
            "1.0",
            "-",
        ],
        r#"{"statusCode": 200, "body": {"ok": true}}"#,
    );
    let j = r.one_json();
    assert_eq!(j["findings"][0]["code"], "lambda.body-not-string");
    assert_eq!(j["findings"][0]["article"], "http-api-status-codes", "{j}");
    let r = run_with_stdin(
        &["-o", "json", "lambda", "-"],
        r#"{"statusCode": 200, "body": {"ok": true}}"#,
    );
    assert_eq!(
        r.one_json()["findings"][0]["article"],
        "rest-api-status-codes"
    );
    let r = run(&[
        "-o",
        "json",
        "lambda",
        "--function-error",
        "Unhandled",
        "examples/lambda/function-timeout.json",
    ]);
    let j = r.one_json();
    assert_eq!(j["findings"][0]["code"], "lambda.function-timeout", "{j}");
    assert!(
        j["findings"][0]["fix"]
            .as_str()
            .unwrap()
            .contains("--timeout")
    );
    assert!(
        !j["findings"][0]["fix"]
            .as_str()
            .unwrap()
            .contains("Catch the exception")
    );
    let dir = tempfile::tempdir().unwrap();
    let proxy = dir.path().join("proxy.json");
    std::fs::write(&proxy, r#"{"type": "AWS_PROXY", "httpMethod": "POST", "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:f/invocations", "integrationResponses": {"200": {"statusCode": "200", "selectionPattern": ".*"}}}"#).unwrap();
    let r = run(&[
        "selection",
        "--integration",
        proxy.to_str().unwrap(),
        "--status",
        "404",
    ]);
    assert!(
        r.stdout
            .lines()
            .next()
            .unwrap()
            .contains("selection patterns never run"),
        "{}",
        r.stdout
    );
    let policy = dir.path().join("policy.json");
    std::fs::write(&policy, r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "222222222222", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"}]}"#).unwrap();
    let r = run(&["-o", "json", "policy", policy.to_str().unwrap()]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.one_json()["findings"][0]["code"],
        "policy.invalid-principal"
    );
    let r = run(&["lambda", "--lines", "examples/lambda/outputs.jsonl"]);
    assert!(r.stdout.starts_with("line 1: "), "{}", r.stdout);
    assert!(r.stdout.contains("\nline 2: "), "{}", r.stdout);
}
