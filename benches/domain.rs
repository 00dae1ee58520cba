//! Benchmark for `apigw-doctor domain` (not a test; `cargo bench --bench domain`):
//! 1. 1,000 and 10,000 names against a local DNS server and one SNI TLS server,
//!    `--concurrency 256`, wall time and peak RSS (targets: 10,000 under 10 s, peak memory
//!    flat between 1k and 10k: reports stream in input order);
//! 2. one name, the tool against `dig` + `openssl s_client` doing the same on loopback.
#[path = "../tests/support/net.rs"]
mod net;

use net::{Pki, Rec};
use std::net::Ipv4Addr;
use std::process::Command;
use std::time::Instant;

const NAMES: usize = 10_000;

fn main() {
    let bin = env!("CARGO_BIN_EXE_apigw-doctor");
    let pki = Pki::new();
    let dir = tempfile::tempdir().unwrap();
    let ca = pki.ca_file(dir.path());
    let names: Vec<String> = (0..NAMES)
        .map(|i| format!("h{i}.bench.example.com"))
        .collect();
    let target = "d-abc123defg.execute-api.us-east-1.amazonaws.com";
    let mut records: Vec<(&str, Rec)> = names
        .iter()
        .map(|n| (n.as_str(), Rec::Cname(target)))
        .collect();
    records.push((target, Rec::A(Ipv4Addr::LOCALHOST)));
    let dns = net::dns_server(&["example.com", "amazonaws.com"], &records);
    let tls = net::tls_server(&[], pki.leaf(&["*.bench.example.com"], 365, true));
    let (ns, port) = (dns.to_string(), tls.port().to_string());

    // 1. Bulk, with GNU time for peak RSS when available.
    for count in [1_000, NAMES, NAMES] {
        let list = dir.path().join(format!("hosts-{count}.txt"));
        std::fs::write(&list, names[..count].join("\n")).unwrap();
        let args = [
            "-o",
            "json",
            "domain",
            "--file",
            list.to_str().unwrap(),
            "--nameserver",
            &ns,
            "--port",
            &port,
            "--ca-file",
            &ca,
            "--concurrency",
            "256",
        ];
        let start = Instant::now();
        let out = if std::path::Path::new("/usr/bin/time").exists() {
            Command::new("/usr/bin/time")
                .arg("-f")
                .arg("peak RSS %M KiB")
                .arg(bin)
                .args(args)
                .output()
                .unwrap()
        } else {
            Command::new(bin).args(args).output().unwrap()
        };
        let elapsed = start.elapsed();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let healthy = stdout
            .lines()
            .filter(|l| l.contains("\"findings\":[]"))
            .count();
        let rss = String::from_utf8_lossy(&out.stderr)
            .lines()
            .last()
            .unwrap_or_default()
            .to_string();
        println!(
            "{count} names: {:.3} s, {rss}, {healthy} reports without findings (exit {})",
            elapsed.as_secs_f64(),
            out.status.code().unwrap_or(-1)
        );
    }

    // 2. One name: the tool against dig + openssl doing the same work.
    let host = &names[0];
    let runs = 20;
    let start = Instant::now();
    for _ in 0..runs {
        Command::new(bin)
            .args([
                "domain",
                host,
                "--nameserver",
                &ns,
                "--port",
                &port,
                "--ca-file",
                &ca,
            ])
            .output()
            .unwrap();
    }
    let tool = start.elapsed().as_secs_f64() / runs as f64;
    let have = |c: &str| {
        Command::new("sh")
            .arg("-c")
            .arg(format!("command -v {c}"))
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let server = format!("@{}", dns.ip());
    let dns_port = dns.port().to_string();
    let dig = |name: &str, rtype: &str| {
        Command::new("dig")
            .args([
                server.as_str(),
                "-p",
                &dns_port,
                name,
                rtype,
                "+noall",
                "+answer",
            ])
            .output()
            .unwrap();
    };
    if have("dig") && have("openssl") {
        let start = Instant::now();
        for _ in 0..runs {
            // What a person runs: the name (dig follows the CNAME), then the target's AAAA.
            dig(host, "A");
            dig(target, "AAAA");
            Command::new("openssl")
                .args([
                    "s_client",
                    "-connect",
                    &tls.to_string(),
                    "-servername",
                    host,
                    "-CAfile",
                    &ca,
                    "-verify_return_error",
                ])
                .stdin(std::process::Stdio::null())
                .output()
                .unwrap();
        }
        let manual = start.elapsed().as_secs_f64() / runs as f64;
        println!(
            "one name: apigw-doctor {:.1} ms vs dig + dig + openssl s_client {:.1} ms (ratio {:.2})",
            tool * 1e3,
            manual * 1e3,
            tool / manual
        );
    } else {
        println!(
            "one name: apigw-doctor {:.1} ms (dig or openssl not installed: no comparison)",
            tool * 1e3
        );
    }
}
