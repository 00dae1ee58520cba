//! Loopback peers for the `domain` tests: an authoritative DNS server (hickory-server) with
//! in-memory zones, hostile DNS responders, a TLS server that picks its certificate by SNI,
//! hostile TLS servers, and certificate chains made with rcgen. Everything binds 127.0.0.1
//! on a random port and runs on one shared runtime for the life of the test binary.
#![allow(dead_code)]
use hickory_server::proto::rr::rdata::{A, AAAA, CNAME, SOA};
use hickory_server::proto::rr::{LowerName, Name, RData, Record};
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{AxfrPolicy, Catalog, ZoneType};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    })
}

pub enum Rec {
    Cname(&'static str),
    A(Ipv4Addr),
    Aaaa(Ipv6Addr),
}

/// Starts an authoritative server for `zones`, holding `records` (each in the zone it ends with).
pub fn dns_server(zones: &[&str], records: &[(&str, Rec)]) -> SocketAddr {
    let mut catalog = Catalog::new();
    for zone in zones {
        let origin = Name::from_str(&format!("{zone}.")).unwrap();
        let mut handler: InMemoryZoneHandler =
            InMemoryZoneHandler::empty(origin.clone(), ZoneType::Primary, AxfrPolicy::Deny);
        let soa = SOA::new(
            Name::from_str(&format!("ns.{zone}.")).unwrap(),
            Name::from_str(&format!("admin.{zone}.")).unwrap(),
            1,
            3600,
            600,
            86400,
            60,
        );
        handler.upsert_mut(Record::from_rdata(origin.clone(), 300, RData::SOA(soa)), 1);
        for (name, rec) in records {
            let owner = Name::from_str(&format!("{name}.")).unwrap();
            if !origin.zone_of(&owner) {
                continue;
            }
            let data = match rec {
                Rec::Cname(t) => RData::CNAME(CNAME(Name::from_str(&format!("{t}.")).unwrap())),
                Rec::A(ip) => RData::A(A(*ip)),
                Rec::Aaaa(ip) => RData::AAAA(AAAA(*ip)),
            };
            handler.upsert_mut(Record::from_rdata(owner, 60, data), 1);
        }
        catalog.upsert(LowerName::from(origin), vec![Arc::new(handler)]);
    }
    runtime().block_on(async {
        let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let addr = socket.local_addr().unwrap();
        let mut server = hickory_server::Server::new(catalog);
        server.register_socket(socket);
        tokio::spawn(async move {
            let _ = server.block_until_done().await;
        });
        addr
    })
}

/// A UDP "DNS server" on 127.0.0.1: `reply` gets each query and returns the answer, if any.
fn udp_responder(reply: fn(&[u8]) -> Option<Vec<u8>>) -> SocketAddr {
    runtime().block_on(async {
        let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let addr = socket.local_addr().unwrap();
        tokio::spawn(async move {
            let mut buf = [0u8; 1500];
            loop {
                let Ok((n, peer)) = socket.recv_from(&mut buf).await else {
                    continue;
                };
                if let Some(answer) = reply(&buf[..n]) {
                    let _ = socket.send_to(&answer, peer).await;
                }
            }
        });
        addr
    })
}

/// A query's question section (name, type, class) and its type.
fn question(query: &[u8]) -> Option<(&[u8], u16)> {
    if query.len() < 12 {
        return None;
    }
    let mut end = 12;
    while end < query.len() && query[end] != 0 {
        end += 1 + query[end] as usize;
    }
    if end + 5 > query.len() {
        return None;
    }
    Some((
        &query[12..end + 5],
        u16::from_be_bytes([query[end + 1], query[end + 2]]),
    ))
}

/// A DNS server that reads queries and never answers.
pub fn silent_dns() -> SocketAddr {
    udp_responder(|_| None)
}

/// A DNS server that answers every query with SERVFAIL.
pub fn servfail_dns() -> SocketAddr {
    udp_responder(|query| {
        if query.len() < 12 {
            return None;
        }
        // The question: labels up to the root, then type and class.
        let mut end = 12;
        while end < query.len() && query[end] != 0 {
            end += 1 + query[end] as usize;
        }
        let end = (end + 5).min(query.len());
        let mut reply = vec![query[0], query[1], 0x81, 0x82, 0, 1, 0, 0, 0, 0, 0, 0];
        reply.extend_from_slice(&query[12..end]);
        Some(reply)
    })
}

/// A DNS server that answers every query with a reply that claims one answer record and
/// then ends: a malformed message.
pub fn malformed_dns() -> SocketAddr {
    udp_responder(|query| {
        if query.len() < 12 {
            return None;
        }
        Some(vec![
            query[0], query[1], 0x81, 0x80, 0, 0, 0, 1, 0, 0, 0, 0, 0xc0,
        ])
    })
}

/// A resolver like a stock dnsmasq with `--cname=`: it answers A queries for
/// api.example.test with the chain (CNAME to d-abc123.execute-api.us-east-1.amazonaws.com,
/// then 127.0.0.1), AAAA with the CNAME alone, and refuses CNAME-type queries and every
/// other name.
pub fn refusing_cname_dns() -> SocketAddr {
    udp_responder(|query| {
        let (question, qtype) = question(query)?;
        let name: String = {
            let mut labels = Vec::new();
            let end = 12 + question.len() - 5;
            let mut i = 12;
            while i < end {
                let n = query[i] as usize;
                labels.push(String::from_utf8_lossy(&query[i + 1..i + 1 + n]).to_ascii_lowercase());
                i += 1 + n;
            }
            labels.join(".")
        };
        let header = |rcode: u8, answers: u8| {
            vec![
                query[0],
                query[1],
                0x85,
                0x80 | rcode,
                0,
                1,
                0,
                answers,
                0,
                0,
                0,
                0,
            ]
        };
        if name != "api.example.test" {
            let mut r = header(5, 0); // REFUSED: not a zone it serves
            r.extend_from_slice(question);
            return Some(r);
        }
        if qtype == 5 {
            let mut r = header(5, 0); // REFUSED
            r.extend_from_slice(question);
            return Some(r);
        }
        let target: &[u8] = b"\x08d-abc123\x0bexecute-api\x09us-east-1\x09amazonaws\x03com\x00";
        let mut cname = vec![0xc0, 0x0c, 0, 5, 0, 1, 0, 0, 0, 60];
        cname.extend_from_slice(&(target.len() as u16).to_be_bytes());
        let target_at = (12 + question.len() + cname.len()) as u16;
        cname.extend_from_slice(target);
        let answers = if qtype == 1 { 2 } else { 1 };
        let mut r = header(0, answers);
        r.extend_from_slice(question);
        r.extend_from_slice(&cname);
        if qtype == 1 {
            let ptr = 0xc000 | target_at;
            r.extend_from_slice(&ptr.to_be_bytes());
            r.extend_from_slice(&[0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1]);
        }
        Some(r)
    })
}

/// A DNS server whose UDP answers are all truncated (TC set, no records) and whose TCP
/// answers, on the same port, give api.example.test the address 127.0.0.1.
pub fn truncating_dns() -> SocketAddr {
    fn answer(query: &[u8], truncated: bool) -> Option<Vec<u8>> {
        let (question, qtype) = question(query)?;
        let a = !truncated && qtype == 1;
        let flags = if truncated { 0x87 } else { 0x85 };
        let mut r = vec![
            query[0],
            query[1],
            flags,
            0x80,
            0,
            1,
            0,
            u8::from(a),
            0,
            0,
            0,
            0,
        ];
        r.extend_from_slice(question);
        if a {
            r.extend_from_slice(&[0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1]);
        }
        Some(r)
    }
    runtime().block_on(async {
        loop {
            let udp = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let addr = udp.local_addr().unwrap();
            let Ok(tcp) = tokio::net::TcpListener::bind(addr).await else {
                continue;
            };
            tokio::spawn(async move {
                let mut buf = [0u8; 1500];
                loop {
                    let Ok((n, peer)) = udp.recv_from(&mut buf).await else {
                        continue;
                    };
                    if let Some(r) = answer(&buf[..n], true) {
                        let _ = udp.send_to(&r, peer).await;
                    }
                }
            });
            tokio::spawn(async move {
                loop {
                    let Ok((mut stream, _)) = tcp.accept().await else {
                        continue;
                    };
                    tokio::spawn(async move {
                        loop {
                            let mut len = [0u8; 2];
                            if stream.read_exact(&mut len).await.is_err() {
                                return;
                            }
                            let mut q = vec![0u8; u16::from_be_bytes(len) as usize];
                            if stream.read_exact(&mut q).await.is_err() {
                                return;
                            }
                            let Some(r) = answer(&q, false) else { return };
                            let mut out = (r.len() as u16).to_be_bytes().to_vec();
                            out.extend_from_slice(&r);
                            if stream.write_all(&out).await.is_err() {
                                return;
                            }
                        }
                    });
                }
            });
            return addr;
        }
    })
}

/// A certificate and its key, and the chain a server sends with it.
pub struct Leaf {
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
}

impl Clone for Leaf {
    fn clone(&self) -> Self {
        Leaf {
            chain: self.chain.clone(),
            key: self.key.clone_key(),
        }
    }
}

pub struct Pki {
    pub ca_pem: String,
    pub ca_der: CertificateDer<'static>,
    ca_params: CertificateParams,
    ca_key: KeyPair,
    inter_params: CertificateParams,
    inter_key: KeyPair,
    inter_der: CertificateDer<'static>,
}

impl Pki {
    /// A root CA and an intermediate, made for this test run.
    pub fn new() -> Pki {
        let ca_key = KeyPair::generate().unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "apigw-doctor Test Root CA");
        let ca = ca_params.self_signed(&ca_key).unwrap();
        let inter_key = KeyPair::generate().unwrap();
        let mut inter_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        inter_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        inter_params
            .distinguished_name
            .push(DnType::CommonName, "apigw-doctor Test Intermediate");
        let inter = inter_params
            .signed_by(&inter_key, &Issuer::from_params(&ca_params, &ca_key))
            .unwrap();
        Pki {
            ca_pem: ca.pem(),
            ca_der: ca.der().clone(),
            ca_params,
            ca_key,
            inter_der: inter.der().clone(),
            inter_params,
            inter_key,
        }
    }

    /// A leaf for `names`, signed by the intermediate, valid until `days` from now
    /// (negative: already expired). `with_intermediate`: the chain includes it.
    pub fn leaf(&self, names: &[&str], days: i64, with_intermediate: bool) -> Leaf {
        let key = KeyPair::generate().unwrap();
        let mut params =
            CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
                .unwrap();
        params.distinguished_name.push(DnType::CommonName, names[0]);
        let now = time::OffsetDateTime::now_utc();
        params.not_before = now - time::Duration::days(400);
        params.not_after = now + time::Duration::days(days);
        let cert = params
            .signed_by(
                &key,
                &Issuer::from_params(&self.inter_params, &self.inter_key),
            )
            .unwrap();
        let mut chain = vec![cert.der().clone()];
        if with_intermediate {
            chain.push(self.inter_der.clone());
        }
        Leaf {
            chain,
            key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        }
    }

    /// A self-signed leaf (no CA at all).
    pub fn self_signed(names: &[&str]) -> Leaf {
        let key = KeyPair::generate().unwrap();
        let params =
            CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
                .unwrap();
        let cert = params.self_signed(&key).unwrap();
        Leaf {
            chain: vec![cert.der().clone()],
            key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        }
    }

    /// The intermediate CA as DER.
    pub fn inter_der(&self) -> CertificateDer<'static> {
        self.inter_der.clone()
    }

    /// The intermediate CA as PEM.
    pub fn inter_pem(&self) -> String {
        pem(&self.inter_der)
    }

    /// A client certificate for `cn` signed by the intermediate, valid until `days` from
    /// now: (certificate PEM, private key PEM).
    pub fn client(&self, cn: &str, days: i64) -> (String, String) {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, cn);
        params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
        let now = time::OffsetDateTime::now_utc();
        params.not_before = now - time::Duration::days(400);
        params.not_after = now + time::Duration::days(days);
        let cert = params
            .signed_by(
                &key,
                &Issuer::from_params(&self.inter_params, &self.inter_key),
            )
            .unwrap();
        (cert.pem(), key.serialize_pem())
    }

    /// Writes the root CA as PEM, for --ca-file.
    pub fn ca_file(&self, dir: &std::path::Path) -> String {
        let _ = (&self.ca_key, &self.ca_params);
        let path = dir.join("ca.pem");
        std::fs::write(&path, &self.ca_pem).unwrap();
        path.to_str().unwrap().to_string()
    }
}

/// A certificate as PEM.
pub fn pem(der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap());
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

/// A chain of `levels` CAs (a root, then each signing the next) and a client certificate
/// issued by the last: (the CAs' PEM, root first; client certificate PEM; client key PEM).
pub fn ca_ladder(levels: usize) -> (Vec<String>, String, String) {
    let mut pems = Vec::new();
    let mut issuer: Option<(CertificateParams, KeyPair)> = None;
    for level in 1..=levels {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, format!("Ladder CA {level}"));
        let cert = match &issuer {
            None => params.self_signed(&key).unwrap(),
            Some((p, k)) => params.signed_by(&key, &Issuer::from_params(p, k)).unwrap(),
        };
        pems.push(cert.pem());
        issuer = Some((params, key));
    }
    let (p, k) = issuer.unwrap();
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, format!("client of level {levels}"));
    let cert = params
        .signed_by(&key, &Issuer::from_params(&p, &k))
        .unwrap();
    (pems, cert.pem(), key.serialize_pem())
}

/// A TLS server serving `leaf` that requires a client certificate chaining to
/// `client_roots` (rustls refuses others with an alert) and answers each request with
/// `response`.
pub fn mtls_server(
    leaf: Leaf,
    client_roots: &[CertificateDer<'static>],
    response: &'static str,
) -> SocketAddr {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    for r in client_roots {
        roots.add(r.clone()).unwrap();
    }
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .build()
    .unwrap();
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(leaf.chain.clone(), leaf.key.clone_key())
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    serve(move |stream| {
        let acceptor = acceptor.clone();
        async move {
            let Ok(mut tls) = acceptor.accept(stream).await else {
                return;
            };
            let mut buf = [0u8; 4096];
            if tls.read(&mut buf).await.unwrap_or(0) > 0 {
                let _ = tls.write_all(response.as_bytes()).await;
            }
            let _ = tls.shutdown().await;
        }
    })
}

#[derive(Debug)]
struct BySni {
    certs: Vec<(String, Arc<CertifiedKey>)>,
    default: Arc<CertifiedKey>,
}

impl ResolvesServerCert for BySni {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let sni = hello.server_name().unwrap_or_default().to_ascii_lowercase();
        Some(
            self.certs
                .iter()
                .find(|(n, _)| *n == sni)
                .map_or(self.default.clone(), |(_, c)| c.clone()),
        )
    }
}

/// A TLS server choosing a certificate by SNI (`by_name`), `default` for any other name.
pub fn tls_server(by_name: &[(&str, Leaf)], default: Leaf) -> SocketAddr {
    tls_server_on("127.0.0.1:0", by_name, default)
}

/// The same, bound to `bind` (e.g. `[::1]:0`).
pub fn tls_server_on(bind: &str, by_name: &[(&str, Leaf)], default: Leaf) -> SocketAddr {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let certified = |l: &Leaf| {
        Arc::new(CertifiedKey::from_der(l.chain.clone(), l.key.clone_key(), &provider).unwrap())
    };
    let resolver = BySni {
        certs: by_name
            .iter()
            .map(|(n, l)| (n.to_string(), certified(l)))
            .collect(),
        default: certified(&default),
    };
    let config = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(resolver));
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    serve_on(bind, move |stream| {
        let acceptor = acceptor.clone();
        async move {
            if let Ok(mut tls) = acceptor.accept(stream).await {
                let mut buf = [0u8; 64];
                let _ = tokio::time::timeout(Duration::from_secs(2), tls.read(&mut buf)).await;
            }
        }
    })
}

/// Accepts connections on 127.0.0.1 and hands each to `handle`.
pub fn serve<F, Fut>(handle: F) -> SocketAddr
where
    F: Fn(tokio::net::TcpStream) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    serve_on("127.0.0.1:0", handle)
}

fn serve_on<F, Fut>(bind: &str, handle: F) -> SocketAddr
where
    F: Fn(tokio::net::TcpStream) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    runtime().block_on(async {
        let listener = tokio::net::TcpListener::bind(bind).await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            loop {
                if let Ok((stream, _)) = listener.accept().await {
                    tokio::spawn(handle(stream));
                }
            }
        });
        addr
    })
}

/// Accepts and never answers.
pub fn stalling_server() -> SocketAddr {
    serve(|stream| async move {
        tokio::time::sleep(Duration::from_secs(60)).await;
        drop(stream);
    })
}

/// Reads the ClientHello, then closes.
pub fn closing_server() -> SocketAddr {
    serve(|mut stream| async move {
        let mut buf = [0u8; 512];
        let _ = stream.read(&mut buf).await;
    })
}

/// Answers the ClientHello with plain HTTP.
pub fn plain_http_server() -> SocketAddr {
    serve(|mut stream| async move {
        let mut buf = [0u8; 512];
        let _ = stream.read(&mut buf).await;
        let _ = stream
            .write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            .await;
    })
}

/// A port nothing listens on.
pub fn closed_port() -> SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap()
}

/// Reads one request head (up to the blank line), bounded.
pub async fn read_head(stream: &mut tokio::net::TcpStream) -> String {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&head).into_owned()
}

/// An HTTP server answering every request with `response` (raw bytes), then closing.
/// `{path}` in the response is replaced with the request's path.
pub fn http_server(response: &'static str) -> SocketAddr {
    serve(move |mut stream| async move {
        let head = read_head(&mut stream).await;
        let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
        let _ = stream
            .write_all(response.replace("{path}", &path).as_bytes())
            .await;
        let _ = stream.shutdown().await;
    })
}

/// A TLS acceptor serving `leaf` with these protocol versions, no client authentication.
fn acceptor_for(
    leaf: &Leaf,
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> tokio_rustls::TlsAcceptor {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(leaf.chain.clone(), leaf.key.clone_key())
        .unwrap();
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}

/// The same over TLS with `leaf`.
pub fn https_server(leaf: Leaf, response: &'static str) -> SocketAddr {
    let acceptor = acceptor_for(&leaf, rustls::DEFAULT_VERSIONS);
    serve(move |stream| {
        let acceptor = acceptor.clone();
        async move {
            let Ok(mut tls) = acceptor.accept(stream).await else {
                return;
            };
            let mut buf = [0u8; 4096];
            let _ = tls.read(&mut buf).await;
            let _ = tls.write_all(response.as_bytes()).await;
            let _ = tls.shutdown().await;
        }
    })
}

/// Headers, then a body that never ends.
pub fn endless_body_server() -> SocketAddr {
    endless_server(
        b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\n",
        vec![b'x'; 8192],
        100_000,
    )
}

/// An upgrade answer whose header lines never end.
pub fn endless_headers_server() -> SocketAddr {
    endless_server(
        b"HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\n",
        b"x-junk: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n".repeat(128),
        100_000,
    )
}

/// `head`, then `chunk` written `times` times, as fast as loopback carries it.
fn endless_server(head: &'static [u8], chunk: Vec<u8>, times: usize) -> SocketAddr {
    let chunk = Arc::new(chunk);
    serve(move |mut stream| {
        let chunk = Arc::clone(&chunk);
        async move {
            read_head(&mut stream).await;
            let _ = stream.write_all(head).await;
            for _ in 0..times {
                if stream.write_all(&chunk).await.is_err() {
                    return;
                }
            }
        }
    })
}

/// Like API Gateway's JSON listings, but the pages never end: each answer carries the next
/// `position`, the same one each time (`repeat`) or a new one.
pub fn endless_pages_server(repeat: bool) -> SocketAddr {
    endless_slow_pages_server(repeat, Duration::ZERO)
}

/// `endless_pages_server`, each page answered after `delay`.
pub fn endless_slow_pages_server(repeat: bool, delay: Duration) -> SocketAddr {
    let served = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    serve(move |mut stream| {
        let served = Arc::clone(&served);
        async move {
            read_head(&mut stream).await;
            tokio::time::sleep(delay).await;
            let n = served.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let position = if repeat {
                "same".to_string()
            } else {
                format!("p{n}")
            };
            let body = format!(r#"{{"item": [], "position": "{position}"}}"#);
            let _ = stream
                .write_all(
                    format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    )
                    .as_bytes(),
                )
                .await;
            let _ = stream.shutdown().await;
        }
    })
}

/// A JSON answer whose body never ends (`{"item": [{"id": "a"}, ...`).
pub fn endless_json_server() -> SocketAddr {
    endless_server(
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n{\"item\": [",
        r#"{"id": "a"},"#.repeat(1024).into_bytes(),
        1_000_000,
    )
}

/// Reads the request and never answers.
pub fn silent_http_server() -> SocketAddr {
    serve(|mut stream| async move {
        read_head(&mut stream).await;
        tokio::time::sleep(Duration::from_secs(60)).await;
    })
}

/// Redirects `/start` to `/next` on the same host, `/next` to another host, counting requests.
pub fn redirect_server(hits: Arc<std::sync::atomic::AtomicUsize>) -> SocketAddr {
    serve(move |mut stream| {
        let hits = hits.clone();
        async move {
            let head = read_head(&mut stream).await;
            hits.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let response = if head.starts_with("GET /start ") {
                "HTTP/1.1 302 Found\r\nlocation: /next\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            } else if head.starts_with("GET /next ") {
                "HTTP/1.1 301 Moved Permanently\r\nlocation: https://elsewhere.example.org/x\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            } else {
                "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            };
            let _ = stream.write_all(response.as_bytes()).await;
        }
    })
}

/// Redirects every request to another path on the same host, after `delay`: an endless
/// same-host redirect chain that uses up any per-request timeout a hop at a time.
pub fn slow_redirect_loop(delay: Duration) -> SocketAddr {
    serve(move |mut stream| async move {
        let head = read_head(&mut stream).await;
        tokio::time::sleep(delay).await;
        let n: u32 = head
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.strip_prefix("/hop"))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        let response = format!(
            "HTTP/1.1 302 Found\r\nlocation: /hop{}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            n + 1
        );
        let _ = stream.write_all(response.as_bytes()).await;
    })
}

/// An HTTP server answering by path: the longest `(prefix, status, JSON body)` whose prefix
/// starts the request path (query string ignored) answers; anything else is 404. For
/// recorded AWS responses where an emulator falls short.
pub fn routing_json_server(routes: Vec<(String, u16, String)>) -> SocketAddr {
    let routes = Arc::new(routes);
    serve(move |mut stream| {
        let routes = routes.clone();
        async move {
            let head = read_head(&mut stream).await;
            let target = head.split_whitespace().nth(1).unwrap_or("/");
            let path = target.split('?').next().unwrap_or("/");
            let (status, body) = routes
                .iter()
                .filter(|(prefix, _, _)| {
                    path == prefix || path.starts_with(&format!("{prefix}/")) && prefix.len() > 1
                })
                .max_by_key(|(prefix, _, _)| prefix.len())
                .map(|(_, s, b)| (*s, b.clone()))
                .unwrap_or((404, "{\"message\":\"not recorded\"}".to_string()));
            let reply = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(reply.as_bytes()).await;
            let _ = stream.shutdown().await;
        }
    })
}

/// A WebSocket API on loopback that answers as API Gateway does: the upgrade to a path other
/// than `/dev` is refused 403 `{"message":"Forbidden"}`, one without `Authorization: allow`
/// 401 `{"message":"Unauthorized"}`; then messages `{"action":"echo"}` are echoed (a two-way
/// route), `{"action":"silent"}` get nothing (one-way), `{"action":"fail"}` get
/// `{"message":"Internal server error",...}`, and any other key `{"message":"Forbidden",...}`
/// (no `$default` route). With `tls`, `wss://`.
pub fn websocket_api(tls: Option<Leaf>) -> SocketAddr {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::{Message, handshake::server};
    let acceptor = tls.map(|leaf| acceptor_for(&leaf, rustls::DEFAULT_VERSIONS));
    // The callback's Result type is tungstenite's own.
    #[allow(clippy::result_large_err)]
    async fn session<S>(stream: S)
    where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    {
        let check = |req: &server::Request, resp: server::Response| {
            let refuse = |status: u16, body: &str| {
                let mut r = server::ErrorResponse::new(Some(body.to_string()));
                *r.status_mut() =
                    tokio_tungstenite::tungstenite::http::StatusCode::from_u16(status).unwrap();
                r.headers_mut()
                    .insert("x-amzn-errortype", "ForbiddenException".parse().unwrap());
                r
            };
            if req.uri().path() != "/dev" {
                return Err(refuse(403, r#"{"message":"Forbidden"}"#));
            }
            let auth = req.headers().get("authorization").map(|v| v.as_bytes());
            if auth != Some(b"allow".as_slice()) {
                return Err(refuse(401, r#"{"message":"Unauthorized"}"#));
            }
            Ok(resp)
        };
        let Ok(mut ws) = tokio_tungstenite::accept_hdr_async(stream, check).await else {
            return;
        };
        let ids = r#""connectionId":"Z1abcDEFgHIjklM=","requestId":"Z1abcHxyzIAFxyA=""#;
        while let Some(Ok(msg)) = ws.next().await {
            let Message::Text(text) = msg else { continue };
            let action = serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|v| v["action"].as_str().map(str::to_string));
            let reply = match action.as_deref() {
                Some("echo") => Some(text.to_string()),
                Some("silent") => None,
                Some("fail") => Some(format!(r#"{{"message": "Internal server error", {ids}}}"#)),
                _ => Some(format!(r#"{{"message": "Forbidden", {ids}}}"#)),
            };
            if let Some(r) = reply
                && ws.send(Message::text(r)).await.is_err()
            {
                return;
            }
        }
    }
    serve(move |stream| {
        let acceptor = acceptor.clone();
        async move {
            match acceptor {
                Some(a) => {
                    if let Ok(tls) = a.accept(stream).await {
                        session(tls).await;
                    }
                }
                None => session(stream).await,
            }
        }
    })
}

/// A TLS server serving `leaf` that speaks TLS 1.3 only (like SecurityPolicy_TLS13_1_3_*).
pub fn tls13_only_server(leaf: Leaf) -> SocketAddr {
    let acceptor = acceptor_for(&leaf, &[&rustls::version::TLS13]);
    serve(move |stream| {
        let acceptor = acceptor.clone();
        async move {
            if let Ok(mut tls) = acceptor.accept(stream).await {
                let mut buf = [0u8; 64];
                let _ = tokio::time::timeout(Duration::from_secs(2), tls.read(&mut buf)).await;
            }
        }
    })
}

/// An HTTPS server answering `response`, its certificate naming every execute-api host of
/// us-east-1 (default names, endpoint aliases and VPC endpoint names): (address, the test CA
/// file, the folder holding it).
pub fn execute_api_https_server(response: &'static str) -> (SocketAddr, String, tempfile::TempDir) {
    let pki = Pki::new();
    let dir = tempfile::tempdir().unwrap();
    let ca = pki.ca_file(dir.path());
    let server = https_server(
        pki.leaf(
            &[
                "*.execute-api.us-east-1.vpce.amazonaws.com",
                "*.execute-api.us-east-1.amazonaws.com",
            ],
            365,
            true,
        ),
        response,
    );
    (server, ca, dir)
}
