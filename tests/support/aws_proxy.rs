//! A proxy on loopback in front of moto that behaves as API Gateway's control plane does
//! under load and under policies: token buckets per account (429 TooManyRequestsException
//! past them, as API Gateway answers), an explicit deny on some APIs' GetResources, and an
//! API deleted between the listing and its reading. It counts what it saw.
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How the proxy treats calls.
#[derive(Clone, Default)]
pub struct Rules {
    /// All calls: (requests a second, burst); `None`: never throttled.
    pub all: Option<(f64, f64)>,
    /// GetResources calls, on top of `all`.
    pub get_resources: Option<(f64, f64)>,
    /// REST APIs whose GetResources is denied (403 AccessDeniedException).
    pub deny: Vec<String>,
    /// A REST API deleted (at moto) when the first GetResources of any API arrives.
    pub delete_on_first_read: Option<String>,
    /// ec2:DescribeRegions is denied (UnauthorizedOperation, as EC2 answers).
    pub deny_describe_regions: bool,
    /// The first this many calls are throttled whatever the buckets say (a burst of other
    /// clients of the account: the scan's own listing meets it).
    pub throttle_first: usize,
    /// Regions not enabled for the account: every call signed for them is refused as AWS
    /// refuses them (UnrecognizedClientException, "The security token included in the
    /// request is invalid").
    pub disabled_regions: Vec<String>,
}

#[derive(Default)]
pub struct Counts {
    pub requests: AtomicUsize,
    pub throttled: AtomicUsize,
    pub get_resources: AtomicUsize,
}

pub struct Proxy {
    pub endpoint: String,
    pub counts: Arc<Counts>,
}

struct Bucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl Bucket {
    fn new((rate, burst): (f64, f64)) -> Bucket {
        Bucket {
            rate,
            burst,
            tokens: burst,
            last: Instant::now(),
        }
    }

    fn take(&mut self) -> bool {
        let now = Instant::now();
        self.tokens =
            (self.tokens + now.duration_since(self.last).as_secs_f64() * self.rate).min(self.burst);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

struct State {
    rules: Rules,
    moto: SocketAddr,
    all: Option<Mutex<Bucket>>,
    get_resources: Option<Mutex<Bucket>>,
    deleted: Mutex<bool>,
    counts: Arc<Counts>,
}

/// Starts the proxy in front of `moto_endpoint` (http://127.0.0.1:PORT).
pub fn start(moto_endpoint: &str, rules: Rules) -> Proxy {
    let moto: SocketAddr = moto_endpoint
        .trim_start_matches("http://")
        .parse()
        .expect("moto's address");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let counts = Arc::new(Counts::default());
    let state = Arc::new(State {
        all: rules.all.map(|r| Mutex::new(Bucket::new(r))),
        get_resources: rules.get_resources.map(|r| Mutex::new(Bucket::new(r))),
        rules,
        moto,
        deleted: Mutex::new(false),
        counts: counts.clone(),
    });
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let state = state.clone();
            std::thread::spawn(move || {
                let _ = handle(stream, &state);
            });
        }
    });
    Proxy {
        endpoint: format!("http://{addr}"),
        counts,
    }
}

/// Reads one request: (head, body).
fn read_request(stream: &mut TcpStream) -> std::io::Result<Option<(String, Vec<u8>)>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let length = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())
                .flatten()
        })
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Ok(Some((head, body)))
}

fn answer(stream: &mut TcpStream, status: &str, error_type: &str, message: &str) {
    let body = serde_json::json!({ "message": message }).to_string();
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\nx-amzn-errortype: {error_type}\r\nx-amzn-requestid: 4c1e9a3e-0000-4000-8000-00000000beef\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
}

/// Sends `head` + `body` to moto with `Connection: close` and returns its whole answer.
fn forward(moto: SocketAddr, head: &str, body: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut upstream = TcpStream::connect(moto)?;
    upstream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let mut request = String::new();
    for line in head.trim_end().lines() {
        if line.to_ascii_lowercase().starts_with("connection:") {
            continue;
        }
        request.push_str(line);
        request.push_str("\r\n");
    }
    request.push_str("connection: close\r\n\r\n");
    upstream.write_all(request.as_bytes())?;
    upstream.write_all(body)?;
    let mut response = Vec::new();
    upstream.read_to_end(&mut response)?;
    Ok(response)
}

fn handle(mut stream: TcpStream, state: &State) -> std::io::Result<()> {
    let Some((head, body)) = read_request(&mut stream)? else {
        return Ok(());
    };
    state.counts.requests.fetch_add(1, Ordering::SeqCst);
    let target = head.split_whitespace().nth(1).unwrap_or("/").to_string();
    let path = target.split('?').next().unwrap_or("/");
    // GET /restapis/{id}/resources
    let resources_of = path
        .strip_prefix("/restapis/")
        .and_then(|r| r.strip_suffix("/resources"))
        .filter(|id| !id.contains('/') && head.starts_with("GET "));
    // Credential=AKID/20261205/REGION/SERVICE/aws4_request
    let signed_region = head
        .split("Credential=")
        .nth(1)
        .and_then(|c| c.split('/').nth(2))
        .unwrap_or_default()
        .to_string();
    if state.rules.disabled_regions.contains(&signed_region) {
        answer(
            &mut stream,
            "403 Forbidden",
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        );
        return Ok(());
    }
    if state.rules.deny_describe_regions && target.contains("Action=DescribeRegions") {
        let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation. User: arn:aws:iam::123456789012:user/auditor is not authorized to perform: ec2:DescribeRegions because no identity-based policy allows the ec2:DescribeRegions action</Message></Error></Errors><RequestID>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestID></Response>";
        let _ = write!(
            stream,
            "HTTP/1.1 403 Forbidden\r\ncontent-type: text/xml;charset=UTF-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        return Ok(());
    }
    let seen = state.counts.requests.load(Ordering::SeqCst);
    let mut allowed = seen > state.rules.throttle_first
        && state.all.as_ref().is_none_or(|b| b.lock().unwrap().take());
    if allowed && resources_of.is_some() {
        allowed = state
            .get_resources
            .as_ref()
            .is_none_or(|b| b.lock().unwrap().take());
    }
    if !allowed {
        state.counts.throttled.fetch_add(1, Ordering::SeqCst);
        answer(
            &mut stream,
            "429 Too Many Requests",
            "TooManyRequestsException",
            "Too Many Requests",
        );
        return Ok(());
    }
    if let Some(id) = resources_of {
        state.counts.get_resources.fetch_add(1, Ordering::SeqCst);
        if state.rules.deny.iter().any(|d| d == id) {
            answer(
                &mut stream,
                "403 Forbidden",
                "AccessDeniedException",
                &format!(
                    "User: arn:aws:iam::123456789012:user/auditor is not authorized to perform: apigateway:GET on resource: arn:aws:apigateway:us-east-1::/restapis/{id}/resources with an explicit deny"
                ),
            );
            return Ok(());
        }
        if let Some(victim) = &state.rules.delete_on_first_read {
            let mut deleted = state.deleted.lock().unwrap();
            if !*deleted {
                *deleted = true;
                // The same request the console's "Delete API" sends, signed or not (moto
                // does not check signatures).
                let delete = head.replacen(
                    &format!("GET {target}"),
                    &format!("DELETE /restapis/{victim}"),
                    1,
                );
                forward(state.moto, &delete, b"")?;
            }
        }
    }
    let response = forward(state.moto, &head, &body)?;
    stream.write_all(&response)?;
    Ok(())
}
