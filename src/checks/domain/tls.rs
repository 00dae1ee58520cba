//! The TLS side: one handshake that records what the server presents (a verifier that
//! accepts any chain, for inspection only: nothing is ever sent over it), then a separate
//! verification of the recorded chain with rustls-webpki against webpki-roots or --ca-file.
use rustls::client::ResolvesClientCert;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, TrustAnchor, UnixTime};
use rustls::sign::CertifiedKey;
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;

/// How many of the server's first bytes are kept to show what a non-TLS peer said.
const FIRST_BYTES: usize = 48;

#[derive(Debug, Clone)]
pub struct Observation {
    pub protocol: String,
    pub cipher: String,
    pub chain: Vec<CertificateDer<'static>>,
}

/// What the handshake showed of mutual TLS: whether the server asked for a client
/// certificate (a CertificateRequest), the issuers it said it accepts, whether one was
/// sent, and the server's first answer to a request made over the connection.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct ClientAuthSeen {
    pub requested: bool,
    /// The CertificateRequest's certificate authorities (empty: the server named none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub acceptable_issuers: Vec<String>,
    pub presented: bool,
    /// `HTTP/1.1 403 Forbidden`, or the TLS alert that ended the connection, after the
    /// handshake (asked only when a client certificate was requested or given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    /// The answer was a TLS alert (the server refused the connection), not HTTP.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub refused: bool,
}

/// Records the server's CertificateRequest and answers it with the client certificate,
/// when one was given (an empty Certificate message otherwise).
#[derive(Debug)]
struct ClientAuthRecorder {
    key: Option<Arc<CertifiedKey>>,
    seen: Mutex<Option<Vec<String>>>,
}

impl ResolvesClientCert for ClientAuthRecorder {
    fn resolve(
        &self,
        root_hint_subjects: &[&[u8]],
        _sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        let names = root_hint_subjects.iter().map(|n| name_text(n)).collect();
        if let Ok(mut seen) = self.seen.lock() {
            *seen = Some(names);
        }
        self.key.clone()
    }

    fn has_certs(&self) -> bool {
        // Always asked, so that a request is recorded even with no certificate to send.
        true
    }
}

/// A distinguished name from a CertificateRequest, as text (`CN=..., O=...`).
fn name_text(der: &[u8]) -> String {
    use x509_parser::prelude::FromDer;
    let parse = |bytes: &[u8]| {
        x509_parser::x509::X509Name::from_der(bytes)
            .ok()
            .map(|(_, n)| n.to_string())
    };
    // Some peers send the Name's contents without its SEQUENCE header.
    parse(der)
        .or_else(|| {
            let mut wrapped = vec![0x30];
            let len = der.len();
            if len < 0x80 {
                wrapped.push(len as u8);
            } else if len < 0x100 {
                wrapped.extend([0x81, len as u8]);
            } else {
                wrapped.extend([0x82, (len >> 8) as u8, len as u8]);
            }
            wrapped.extend_from_slice(der);
            parse(&wrapped)
        })
        .unwrap_or_else(|| format!("(unparsable name, {} bytes)", der.len()))
}

#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    ConnectFailed {
        detail: String,
    },
    Timeout {
        phase: &'static str,
    },
    Handshake {
        detail: String,
        first_bytes: Option<String>,
    },
}

#[derive(Debug)]
struct RecordOnly(Arc<CryptoProvider>);

impl ServerCertVerifier for RecordOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        // Inspection only: trust is judged separately on the recorded chain.
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// The inspection client: TLS 1.2 and 1.3, any chain recorded.
pub fn inspection_config() -> Arc<ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .expect("ring supports the default protocol versions")
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(RecordOnly(provider)))
        .with_no_client_auth();
    Arc::new(config)
}

/// The inspection client for one handshake, recording a CertificateRequest and answering
/// it with `client_key`.
fn recording_config(
    client_key: Option<Arc<CertifiedKey>>,
) -> (Arc<ClientConfig>, Arc<ClientAuthRecorder>) {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let recorder = Arc::new(ClientAuthRecorder {
        key: client_key,
        seen: Mutex::new(None),
    });
    let config = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .expect("ring supports the default protocol versions")
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(RecordOnly(provider)))
        .with_client_cert_resolver(recorder.clone());
    (Arc::new(config), recorder)
}

/// Does the server at `addr` complete a handshake offering TLS 1.2 only? `None` when that
/// cannot be told (no connection, a timeout).
pub async fn accepts_tls12(addr: SocketAddr, sni: &str, timeout: Duration) -> Option<bool> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS12])
        .ok()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(RecordOnly(provider)))
        .with_no_client_auth();
    let stream = tokio::time::timeout(timeout, TcpStream::connect(addr))
        .await
        .ok()?
        .ok()?;
    let name = ServerName::try_from(sni.to_string()).ok()?;
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    match tokio::time::timeout(timeout, connector.connect(name, stream)).await {
        Err(_) => None,
        Ok(Ok(mut tls)) => {
            let _ = tokio::time::timeout(Duration::from_millis(200), tls.shutdown()).await;
            Some(true)
        }
        Ok(Err(_)) => Some(false),
    }
}

/// A client certificate chain and its private key (PEM files), as rustls signs with them.
pub fn client_key(
    chain: Vec<CertificateDer<'static>>,
    key_pem: &[u8],
    key_name: &str,
) -> Result<Arc<CertifiedKey>, String> {
    use rustls::pki_types::PrivateKeyDer;
    use rustls::pki_types::pem::PemObject;
    let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| {
        format!("{key_name}: no usable PRIVATE KEY (PKCS#8, PKCS#1 or SEC1 PEM): {e}")
    })?;
    let provider = rustls::crypto::ring::default_provider();
    let signing = provider.key_provider.load_private_key(key).map_err(|e| {
        format!("{key_name}: this key cannot sign a TLS handshake ({e}; RSA keys under 2048 bits are refused)")
    })?;
    // The key must be the certificate's: compare public keys where the key tells its own.
    if let (Some(spki), Some(leaf)) = (signing.public_key(), chain.first()) {
        use x509_parser::prelude::FromDer;
        let cert_spki = x509_parser::certificate::X509Certificate::from_der(leaf)
            .map(|(_, c)| c.public_key().raw.to_vec())
            .map_err(|e| format!("{key_name}: the client certificate cannot be read: {e}"))?;
        if spki.as_ref() != cert_spki.as_slice() {
            return Err(format!(
                "{key_name}: this private key does not belong to the client certificate"
            ));
        }
    }
    let certified = CertifiedKey::new(chain, signing);
    Ok(Arc::new(certified))
}

/// A TCP stream that remembers the first bytes it reads.
struct Recording {
    inner: TcpStream,
    seen: Arc<Mutex<Vec<u8>>>,
}

impl AsyncRead for Recording {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let poll = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = &poll {
            let new = &buf.filled()[before..];
            if let Ok(mut seen) = self.seen.lock()
                && seen.len() < FIRST_BYTES
            {
                let take = new.len().min(FIRST_BYTES - seen.len());
                seen.extend_from_slice(&new[..take]);
            }
        }
        poll
    }
}

impl AsyncWrite for Recording {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Connects to `addr` and shakes hands with SNI `sni`, each phase bounded by `timeout`,
/// presenting `client_key` if the server asks for a client certificate. When it asks (or a
/// certificate was given), one `GET /` over the connection shows whether the server
/// accepted the connection: an HTTP status, or the alert that closed it.
pub async fn handshake(
    addr: SocketAddr,
    sni: &str,
    timeout: Duration,
    client_key: Option<Arc<CertifiedKey>>,
) -> (Result<Observation, Problem>, ClientAuthSeen) {
    let (config, recorder) = recording_config(client_key);
    let mut seen = ClientAuthSeen::default();
    let result = shake(addr, sni, timeout, config, &recorder, &mut seen).await;
    (result, seen)
}

async fn shake(
    addr: SocketAddr,
    sni: &str,
    timeout: Duration,
    config: Arc<ClientConfig>,
    recorder: &ClientAuthRecorder,
    auth: &mut ClientAuthSeen,
) -> Result<Observation, Problem> {
    let note_request = |auth: &mut ClientAuthSeen| {
        if let Some(issuers) = recorder.seen.lock().ok().and_then(|mut s| s.take()) {
            auth.requested = true;
            auth.acceptable_issuers = issuers;
            auth.presented = recorder.key.is_some();
        }
    };
    let stream = match tokio::time::timeout(timeout, TcpStream::connect(addr)).await {
        Err(_) => return Err(Problem::Timeout { phase: "connect" }),
        Ok(Err(e)) => {
            return Err(Problem::ConnectFailed {
                detail: e.to_string(),
            });
        }
        Ok(Ok(s)) => s,
    };
    let name = ServerName::try_from(sni.to_string()).map_err(|e| Problem::Handshake {
        detail: format!("{sni:?} cannot be sent as SNI: {e}"),
        first_bytes: None,
    })?;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let recording = Recording {
        inner: stream,
        seen: seen.clone(),
    };
    let connector = tokio_rustls::TlsConnector::from(config);
    let mut tls = match tokio::time::timeout(timeout, connector.connect(name, recording)).await {
        Err(_) => {
            return Err(Problem::Timeout {
                phase: "TLS handshake",
            });
        }
        Ok(Err(e)) => {
            note_request(auth);
            if auth.requested {
                auth.answer = Some(e.to_string());
                auth.refused = true;
            }
            let bytes = seen.lock().map(|b| b.clone()).unwrap_or_default();
            return Err(Problem::Handshake {
                detail: e.to_string(),
                first_bytes: (!bytes.is_empty()).then(|| printable(&bytes)),
            });
        }
        Ok(Ok(t)) => t,
    };
    note_request(auth);
    let (_, conn) = tls.get_ref();
    let observation = Observation {
        protocol: conn
            .protocol_version()
            .map(|v| format!("{v:?}").replace("TLSv1_", "TLSv1."))
            .unwrap_or_default(),
        cipher: conn
            .negotiated_cipher_suite()
            .map(|s| format!("{:?}", s.suite()))
            .unwrap_or_default(),
        chain: conn
            .peer_certificates()
            .unwrap_or_default()
            .iter()
            .map(|c| c.clone().into_owned())
            .collect(),
    };
    if auth.requested || recorder.key.is_some() {
        // TLS 1.3 servers judge the client certificate after the client's handshake is
        // done: their verdict is the first thing read.
        let (answer, refused) = first_answer(&mut tls, sni, timeout).await;
        auth.answer = Some(answer);
        auth.refused = refused;
    }
    // A polite close; the answer does not matter.
    let _ = tokio::time::timeout(Duration::from_millis(200), tls.shutdown()).await;
    Ok(observation)
}

/// The most of an answer read after the handshake: enough for a status line.
const ANSWER_BYTES: usize = 4096;

/// Sends `GET /` and reads the status line, bounded in time and size: (the status line or
/// what ended the connection, whether TLS refused it).
async fn first_answer<S: AsyncRead + AsyncWrite + Unpin>(
    tls: &mut S,
    host: &str,
    timeout: Duration,
) -> (String, bool) {
    use tokio::io::AsyncReadExt;
    let request = format!(
        "GET / HTTP/1.1\r\nHost: {host}\r\nUser-Agent: apigw-doctor\r\nAccept: */*\r\nConnection: close\r\n\r\n"
    );
    let exchange = async {
        tls.write_all(request.as_bytes()).await?;
        let mut got = Vec::new();
        let mut buf = [0u8; 1024];
        while got.len() < ANSWER_BYTES && !got.contains(&b'\n') {
            let n = tls.read(&mut buf).await?;
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        Ok::<_, std::io::Error>(got)
    };
    match tokio::time::timeout(timeout, exchange).await {
        Err(_) => (format!("no answer within {timeout:?}"), false),
        Ok(Err(e)) => (e.to_string(), true),
        Ok(Ok(got)) if got.is_empty() => ("the server closed the connection".into(), true),
        Ok(Ok(got)) => {
            let line = got.split(|&b| b == b'\n').next().unwrap_or_default();
            (printable(line).trim_end_matches("\\r").to_string(), false)
        }
    }
}

/// Bytes as text a person can read: printable ASCII kept, the rest escaped.
fn printable(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            b' '..=b'~' => (b as char).to_string(),
            b'\r' => "\\r".into(),
            b'\n' => "\\n".into(),
            _ => format!("\\x{b:02x}"),
        })
        .collect()
}

/// A CA bundle larger than this is not one (the system bundle is about 200 KiB).
const MAX_CA_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Trust anchors: webpki-roots, or the certificates of a PEM file.
pub fn anchors(ca_file: Option<&std::path::Path>) -> Result<Vec<TrustAnchor<'static>>, String> {
    let Some(path) = ca_file else {
        return Ok(webpki_roots::TLS_SERVER_ROOTS.to_vec());
    };
    use rustls::pki_types::pem::PemObject;
    let name = path.display();
    // Bounded by the bytes actually read: `/dev/zero` has size 0 in its metadata.
    let pem = crate::input::read_bounded(&path.to_string_lossy(), MAX_CA_FILE_BYTES)
        .map_err(|e| format!("{e:#}"))?;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{name}: invalid PEM: {e}"))?;
    if certs.is_empty() {
        return Err(format!("{name}: no CERTIFICATE in the file"));
    }
    certs
        .iter()
        .map(|c| {
            webpki::anchor_from_trusted_cert(c)
                .map(|a| a.to_owned())
                .map_err(|e| format!("{name}: not a usable CA certificate: {e:?}"))
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq)]
pub enum Trust {
    Trusted,
    /// The issuer is not a trust anchor and no presented certificate leads to one.
    UnknownIssuer,
    Expired,
    NotYetValid,
    Other(String),
}

/// Would a client trust this chain at `now` (names aside)?
pub fn verify(
    chain: &[CertificateDer<'static>],
    anchors: &[TrustAnchor<'static>],
    now: UnixTime,
) -> Trust {
    let Some(leaf) = chain.first() else {
        return Trust::Other("no certificate presented".into());
    };
    let ee = match webpki::EndEntityCert::try_from(leaf) {
        Ok(ee) => ee,
        Err(e) => return Trust::Other(format!("{e:?}")),
    };
    match ee.verify_for_usage(
        webpki::ALL_VERIFICATION_ALGS,
        anchors,
        &chain[1..],
        now,
        webpki::KeyUsage::server_auth(),
        None,
        None,
    ) {
        Ok(_) => Trust::Trusted,
        Err(webpki::Error::UnknownIssuer) => Trust::UnknownIssuer,
        Err(webpki::Error::CertExpired { .. }) => Trust::Expired,
        Err(webpki::Error::CertNotValidYet { .. }) => Trust::NotYetValid,
        Err(e) => Trust::Other(format!("{e:?}")),
    }
}
