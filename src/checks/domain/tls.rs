//! The TLS side: one handshake that records what the server presents (a verifier that
//! accepts any chain, for inspection only: nothing is ever sent over it), then a separate
//! verification of the recorded chain with rustls-webpki against webpki-roots or --ca-file.
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, TrustAnchor, UnixTime};
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

/// Connects to `addr` and shakes hands with SNI `sni`, each phase bounded by `timeout`.
pub async fn handshake(
    addr: SocketAddr,
    sni: &str,
    timeout: Duration,
    config: Arc<ClientConfig>,
) -> Result<Observation, Problem> {
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
            let bytes = seen.lock().map(|b| b.clone()).unwrap_or_default();
            return Err(Problem::Handshake {
                detail: e.to_string(),
                first_bytes: (!bytes.is_empty()).then(|| printable(&bytes)),
            });
        }
        Ok(Ok(t)) => t,
    };
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
    // A polite close; the answer does not matter.
    let _ = tokio::time::timeout(Duration::from_millis(200), tls.shutdown()).await;
    Ok(observation)
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
