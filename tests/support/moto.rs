//! A moto server (the `moto[server]` Python package, an AWS emulator) on loopback for the
//! live-mode tests, and boto3 from the same venv to create what a test needs. The venv is
//! target/moto-venv (scripts/test.sh creates it) or $APIGW_DOCTOR_MOTO_VENV. The tool runs
//! with dummy credentials in temporary config files, AWS_ENDPOINT_URL at the server and
//! instance metadata disabled: nothing leaves loopback.
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Moto {
    child: Child,
    pub endpoint: String,
    dir: tempfile::TempDir,
}

fn venv() -> PathBuf {
    let dir = std::env::var_os("APIGW_DOCTOR_MOTO_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/moto-venv"));
    assert!(
        dir.join("bin/moto_server").exists(),
        "no moto venv at {}: run scripts/test.sh (it creates one with pip install 'moto[server]' boto3)",
        dir.display()
    );
    dir
}

impl Moto {
    pub fn start() -> Moto {
        // A free port is only free until someone binds it: a test running beside this one may
        // take it first, and then moto_server fails to bind while the port still answers.
        // Ready means moto itself answers (its own /moto-api/data.json) while running; a
        // server that exits is started again on another port.
        let deadline = Instant::now() + Duration::from_secs(60);
        let (child, port) = loop {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let mut child = Command::new(venv().join("bin/moto_server"))
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("moto_server starts");
            let ready = loop {
                assert!(Instant::now() < deadline, "moto_server did not start");
                if child.try_wait().ok().flatten().is_some() {
                    break false;
                }
                if answers_as_moto(port) {
                    break true;
                }
                std::thread::sleep(Duration::from_millis(100));
            };
            if ready {
                break (child, port);
            }
        };
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config"), "").unwrap();
        std::fs::write(dir.path().join("credentials"), "").unwrap();
        Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            dir,
        }
    }

    /// Runs a Python script with `apigw`, `apigwv2`, `acm` (boto3 clients on this server) and
    /// `json` in scope; what it prints (JSON) is returned.
    pub fn setup(&self, script: &str) -> serde_json::Value {
        let program = format!(
            "import boto3, json\nkw = dict(endpoint_url={:?}, region_name='us-east-1', aws_access_key_id='testing', aws_secret_access_key='testing')\napigw = boto3.client('apigateway', **kw)\napigwv2 = boto3.client('apigatewayv2', **kw)\nacm = boto3.client('acm', **kw)\n{script}",
            self.endpoint
        );
        let out = Command::new(venv().join("bin/python"))
            .arg("-c")
            .arg(program)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "setup failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null)
    }

    /// The tool, pointed at this server with dummy credentials.
    pub fn doctor(&self) -> assert_cmd::Command {
        let mut cmd = super::doctor();
        with_dummy_aws(&mut cmd, &self.endpoint, self.dir.path());
        cmd
    }

    pub fn run(&self, args: &[&str]) -> super::Run {
        let out = self.doctor().args(args).output().unwrap();
        super::Run {
            code: out.status.code().expect("exited, not killed"),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
        }
    }
}

/// Variables that would take the tool (or the aws CLI) elsewhere than `endpoint`.
const UNSET: &[&str] = &[
    "AWS_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_DEFAULT_REGION",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
];

/// Dummy credentials, a region, temporary config files (in `dir`) and `endpoint`.
fn dummy_aws_vars(
    endpoint: &str,
    dir: &std::path::Path,
) -> Vec<(&'static str, std::ffi::OsString)> {
    vec![
        ("AWS_ENDPOINT_URL", endpoint.into()),
        ("AWS_ACCESS_KEY_ID", "testing".into()),
        ("AWS_SECRET_ACCESS_KEY", "testing".into()),
        ("AWS_REGION", "us-east-1".into()),
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ("AWS_CONFIG_FILE", dir.join("config").into()),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            dir.join("credentials").into(),
        ),
    ]
}

/// The tool run by assert_cmd, pointed at `endpoint` with dummy credentials.
pub fn with_dummy_aws(cmd: &mut assert_cmd::Command, endpoint: &str, dir: &std::path::Path) {
    for var in UNSET {
        cmd.env_remove(var);
    }
    cmd.envs(dummy_aws_vars(endpoint, dir));
}

/// Any process (a script, the tool under script(1)), pointed at `endpoint` likewise.
pub fn with_dummy_aws_process(
    cmd: &mut std::process::Command,
    endpoint: &str,
    dir: &std::path::Path,
) {
    for var in UNSET {
        cmd.env_remove(var);
    }
    cmd.envs(dummy_aws_vars(endpoint, dir));
}

/// Whether moto answers on `port`: its own data endpoint gives 200 and JSON.
fn answers_as_moto(port: u16) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    if stream
        .write_all(b"GET /moto-api/data.json HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer.starts_with("HTTP/1.") && answer.contains(" 200 ") && answer.contains("\r\n\r\n{")
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
