//! `probe wss://…`: a WebSocket API's upgrade, as wscat or a browser makes it (tokio-tungstenite
//! over our own TCP and rustls connection), and with `-d` one message sent and the first
//! answer read. Every phase is bounded by one deadline.
use crate::checks::probe;
use crate::checks::websocket;
use crate::finding::Finding;
use crate::report::{Outcome, human::Palette};
use anyhow::Result;
use futures_util::{SinkExt, StreamExt};
use serde::Serialize;
use serde_json::Map;
use std::io::{self, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_tungstenite::tungstenite::{self, Message, client::IntoClientRequest};

/// The most of one message (or a refused upgrade's body) that is read.
const MAX_MESSAGE: usize = 1024 * 1024;
/// The most of a message that is shown and reported.
const PREVIEW: usize = 4096;

#[derive(Serialize)]
pub struct WsOutcome {
    url: String,
    /// The upgrade's answer: 101, or the status that refused it.
    status: Option<u16>,
    headers: Map<String, serde_json::Value>,
    /// A refused upgrade's body.
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sent: Option<String>,
    /// The first message back, if one came within the deadline.
    #[serde(skip_serializing_if = "Option::is_none")]
    answer: Option<String>,
    timing_ms: Map<String, serde_json::Value>,
}

impl Outcome for WsOutcome {
    fn render_human(&self, out: &mut dyn Write, p: &Palette) -> io::Result<()> {
        writeln!(
            out,
            "{}> GET {} (Upgrade: websocket){:#}",
            p.dim, self.url, p.dim
        )?;
        let Some(status) = self.status else {
            return writeln!(out);
        };
        writeln!(
            out,
            "{}< HTTP {status} {}{:#}  {}({} ms){:#}",
            p.strong,
            if status == 101 {
                "Switching Protocols"
            } else {
                crate::checks::lambda::reason_phrase(status)
            },
            p.strong,
            p.dim,
            self.timing_ms
                .get("upgrade")
                .and_then(|v| v.as_u64())
                .unwrap_or(0),
            p.dim
        )?;
        for (k, v) in &self.headers {
            writeln!(
                out,
                "{}< {k}:{:#} {}",
                p.code,
                p.code,
                crate::report::human::inline(v)
            )?;
        }
        if let Some(body) = &self.body {
            writeln!(out)?;
            writeln!(out, "{}", crate::report::human::multiline(body))?;
        }
        if let Some(sent) = &self.sent {
            writeln!(out)?;
            writeln!(
                out,
                "{}> {}{:#}",
                p.dim,
                crate::report::human::inline(&sent.as_str().into()),
                p.dim
            )?;
            match &self.answer {
                Some(a) => writeln!(out, "< {}", crate::report::human::multiline(a))?,
                None => writeln!(out, "{}(no message back){:#}", p.dim, p.dim)?,
            }
        }
        writeln!(out)
    }
}

/// What to do: where, with which headers and message, within what.
pub struct WsProbe<'a> {
    pub url: &'a url::Url,
    pub headers: &'a [(String, String)],
    pub message: Option<String>,
    pub timeout: Duration,
    pub tls: Arc<rustls::ClientConfig>,
    pub overrides: &'a [(String, SocketAddr)],
}

fn failed(url: &url::Url, what: String) -> Finding {
    Finding::error(probe::REQUEST_FAILED, what).with("url", url.as_str())
}

/// Runs the probe: (the outcome, findings, whether a TLS failure needs explaining).
pub async fn run(p: &WsProbe<'_>) -> Result<(WsOutcome, Vec<Finding>, bool)> {
    let start = Instant::now();
    let deadline = start + p.timeout;
    let left = || deadline.saturating_duration_since(Instant::now());
    let mut outcome = WsOutcome {
        url: p.url.to_string(),
        status: None,
        headers: Map::new(),
        body: None,
        sent: p.message.clone(),
        answer: None,
        timing_ms: Map::new(),
    };
    let host = p.url.host_str().unwrap_or_default().to_string();
    let port = p.url.port_or_known_default().unwrap_or(443);
    let addr = match p
        .overrides
        .iter()
        .find(|(h, a)| *h == host.to_ascii_lowercase() && a.port() == port)
    {
        Some((_, a)) => Some(*a),
        None => match tokio::time::timeout(left(), tokio::net::lookup_host((host.as_str(), port)))
            .await
        {
            Ok(Ok(mut addrs)) => addrs.next(),
            Ok(Err(e)) => {
                let f = failed(p.url, format!("{host} could not be resolved: {e}"));
                return Ok((outcome, vec![f], false));
            }
            Err(_) => {
                let f = failed(p.url, format!("resolving {host} timed out"));
                return Ok((outcome, vec![f], false));
            }
        },
    };
    let Some(addr) = addr else {
        let f = failed(p.url, format!("{host} has no address"));
        return Ok((outcome, vec![f], false));
    };
    let tcp = match tokio::time::timeout(left(), tokio::net::TcpStream::connect(addr)).await {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => {
            let f = failed(p.url, format!("could not connect to {addr}: {e}"));
            return Ok((outcome, vec![f], false));
        }
        Err(_) => {
            let f = failed(p.url, format!("connecting to {addr} timed out"));
            return Ok((outcome, vec![f], false));
        }
    };
    if p.url.scheme() == "wss" {
        let name = match rustls::pki_types::ServerName::try_from(host.clone()) {
            Ok(n) => n,
            Err(e) => {
                let f = failed(p.url, format!("{host:?} cannot be sent as SNI: {e}"));
                return Ok((outcome, vec![f], false));
            }
        };
        let connector = tokio_rustls::TlsConnector::from(p.tls.clone());
        let tls = match tokio::time::timeout(left(), connector.connect(name, tcp)).await {
            Ok(Ok(t)) => t,
            Ok(Err(e)) => {
                let f = failed(p.url, format!("the TLS handshake failed: {e}"));
                return Ok((outcome, vec![f], true));
            }
            Err(_) => {
                let f = failed(p.url, "the TLS handshake timed out".to_string());
                return Ok((outcome, vec![f], false));
            }
        };
        talk(p, tls, &mut outcome, start, deadline).await
    } else {
        talk(p, tcp, &mut outcome, start, deadline).await
    }
    .map(|findings| (outcome, findings, false))
}

async fn talk<S: AsyncRead + AsyncWrite + Unpin>(
    p: &WsProbe<'_>,
    stream: S,
    outcome: &mut WsOutcome,
    start: Instant,
    deadline: Instant,
) -> Result<Vec<Finding>> {
    let left = || deadline.saturating_duration_since(Instant::now());
    let mut request = p
        .url
        .as_str()
        .into_client_request()
        .map_err(|e| anyhow::anyhow!("{}: {e}", p.url))?;
    for (name, value) in p.headers {
        let name = tungstenite::http::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| anyhow::anyhow!("-H {name:?}: invalid header name"))?;
        let value = tungstenite::http::HeaderValue::from_str(value)
            .map_err(|_| anyhow::anyhow!("-H {value:?}: invalid header value"))?;
        request.headers_mut().append(name, value);
    }
    let config = tungstenite::protocol::WebSocketConfig::default()
        .max_message_size(Some(MAX_MESSAGE))
        .max_frame_size(Some(MAX_MESSAGE));
    let handshake = tokio_tungstenite::client_async_with_config(request, stream, Some(config));
    let upgraded = tokio::time::timeout(left(), handshake).await;
    outcome.timing_ms.insert(
        "upgrade".into(),
        (start.elapsed().as_millis() as u64).into(),
    );
    let headers_of = |h: &tungstenite::http::HeaderMap| {
        let mut map = Map::new();
        for (k, v) in h {
            map.insert(
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned().into(),
            );
        }
        map
    };
    let mut ws = match upgraded {
        Err(_) => {
            return Ok(vec![failed(
                p.url,
                format!("no answer to the upgrade within {:?}", p.timeout),
            )]);
        }
        Ok(Err(tungstenite::Error::Http(response))) => {
            let status = response.status().as_u16();
            outcome.status = Some(status);
            outcome.headers = headers_of(response.headers());
            let body = response
                .body()
                .as_deref()
                .map(|b| String::from_utf8_lossy(&b[..b.len().min(PREVIEW)]).into_owned());
            outcome.body = body.clone();
            return Ok(vec![websocket::upgrade_refused(
                status,
                body.as_deref().unwrap_or_default(),
            )]);
        }
        Ok(Err(e)) => {
            return Ok(vec![failed(
                p.url,
                format!("the WebSocket upgrade failed: {e}"),
            )]);
        }
        Ok(Ok((ws, response))) => {
            outcome.status = Some(response.status().as_u16());
            outcome.headers = headers_of(response.headers());
            ws
        }
    };
    let mut findings = Vec::new();
    if let Some(message) = &p.message {
        let sent = tokio::time::timeout(left(), ws.send(Message::text(message.clone()))).await;
        if !matches!(sent, Ok(Ok(()))) {
            findings.push(failed(
                p.url,
                "the connection closed before the message could be sent".to_string(),
            ));
            return Ok(findings);
        }
        let answer = tokio::time::timeout(left(), async {
            while let Some(frame) = ws.next().await {
                match frame {
                    Ok(Message::Text(t)) => return Some(Ok(t.to_string())),
                    Ok(Message::Binary(b)) => {
                        return Some(Ok(format!("[{} bytes of binary data]", b.len())));
                    }
                    Ok(Message::Close(c)) => {
                        return Some(Err(match c {
                            Some(c) => format!("closed by the server: {} {}", c.code, c.reason),
                            None => "closed by the server".to_string(),
                        }));
                    }
                    Ok(_) => continue,
                    Err(e) => return Some(Err(e.to_string())),
                }
            }
            None
        })
        .await;
        outcome
            .timing_ms
            .insert("total".into(), (start.elapsed().as_millis() as u64).into());
        match answer {
            Ok(Some(Ok(text))) => {
                let cut = text.floor_char_boundary(PREVIEW.min(text.len()));
                findings.extend(websocket::answer_findings(&text));
                outcome.answer = Some(text[..cut].to_string());
            }
            Ok(Some(Err(why))) => findings.push(failed(p.url, why)),
            Ok(None) => findings.push(failed(
                p.url,
                "the connection ended without a message back".to_string(),
            )),
            Err(_) => findings.push(websocket::no_answer(p.timeout)),
        }
    }
    let _ = tokio::time::timeout(Duration::from_millis(200), ws.close(None)).await;
    Ok(findings)
}
