//! A hostile HTTP/1.1 server for the hardening tests: it answers whatever the test's
//! handler says, including what Entra and Graph never send (redirects to other hosts,
//! endless or gigabyte bodies, absurd token lifetimes, upload sessions that never end).
//! Raw sockets, no HTTP library: the point is to send what a library would refuse to.
//! Every request it receives is logged (method, path, headers, body), so a test can
//! assert that a secret never reached it. Plain HTTP or TLS (a CA made per server).
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;

/// One request as the server received it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The whole request as text (head and body), to search for secrets.
    pub fn text(&self) -> String {
        let head: Vec<String> = self.headers.iter().map(|(n, v)| format!("{n}: {v}")).collect();
        format!("{} {}\n{}\n\n{}", self.method, self.path, head.join("\n"), String::from_utf8_lossy(&self.body))
    }
}

/// What the server answers.
pub enum Reply {
    /// A complete answer.
    Full { status: u16, headers: Vec<(String, String)>, body: Vec<u8> },
    /// `Transfer-Encoding: chunked`, chunks of 64 KiB until the client goes away.
    Endless { status: u16 },
    /// `Content-Length: len`, streamed in 64 KiB pieces (nothing is held in memory).
    Sized { status: u16, len: u64 },
    /// The reply, after a delay.
    After(std::time::Duration, Box<Reply>),
}

impl Reply {
    pub fn status(status: u16) -> Reply {
        Reply::Full { status, headers: Vec::new(), body: Vec::new() }
    }

    pub fn json(status: u16, body: serde_json::Value) -> Reply {
        Reply::Full {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
        }
    }

    pub fn redirect(status: u16, location: &str) -> Reply {
        Reply::Full { status, headers: vec![("location".into(), location.into())], body: Vec::new() }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        if let Reply::Full { headers, .. } = &mut self {
            headers.push((name.into(), value.into()));
        }
        self
    }

    /// A token answer with the given `expires_in` (any JSON value).
    pub fn token(expires_in: serde_json::Value) -> Reply {
        Reply::json(200, serde_json::json!({"token_type": "Bearer", "access_token": "hostile-token", "expires_in": expires_in}))
    }
}

/// Decides the answer to the `n`th request (0-based, over the server's lifetime).
pub type Handler = Arc<dyn Fn(&Seen, usize) -> Reply + Send + Sync>;

pub struct Hostile {
    /// `http://127.0.0.1:port` or `https://127.0.0.1:port`.
    pub base: String,
    /// The CA of a TLS server, PEM.
    pub ca_pem: Option<String>,
    log: Arc<Mutex<Vec<Seen>>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for Hostile {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

impl Hostile {
    /// A plain-HTTP server answering with `handler`.
    pub fn start(handler: impl Fn(&Seen, usize) -> Reply + Send + Sync + 'static) -> Hostile {
        Self::start_with(Arc::new(handler), None)
    }

    /// The same over TLS, with a CA of its own (see `ca_pem`).
    pub fn start_tls(handler: impl Fn(&Seen, usize) -> Reply + Send + Sync + 'static) -> Hostile {
        let (acceptor, ca) = tls_acceptor(&[b"http/1.1"]);
        Self::start_with(Arc::new(handler), Some((acceptor, ca)))
    }

    fn start_with(handler: Handler, tls: Option<(tokio_rustls::TlsAcceptor, String)>) -> Hostile {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
        let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0")).expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let log: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let scheme = if tls.is_some() { "https" } else { "http" };
        let ca_pem = tls.as_ref().map(|(_, ca)| ca.clone());
        let acceptor = tls.map(|(a, _)| a);
        let count = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let server_log = Arc::clone(&log);
        runtime.spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let _ = sock.set_nodelay(true);
                let (handler, log, count, acceptor) = (Arc::clone(&handler), Arc::clone(&server_log), Arc::clone(&count), acceptor.clone());
                tokio::spawn(async move {
                    match acceptor {
                        Some(a) => {
                            if let Ok(tls) = a.accept(sock).await {
                                serve(tls, handler, log, count).await;
                            }
                        }
                        None => serve(sock, handler, log, count).await,
                    }
                });
            }
        });
        Hostile { base: format!("{scheme}://127.0.0.1:{port}"), ca_pem, log, runtime: Some(runtime) }
    }

    /// Every request received so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.log.lock().unwrap().clone()
    }

    /// The requests whose path contains `part`.
    pub fn seen_to(&self, part: &str) -> Vec<Seen> {
        self.seen().into_iter().filter(|s| s.path.contains(part)).collect()
    }

    /// Writes the CA to a temporary file (for `ca_file`) and returns its path.
    pub fn ca_file(&self) -> std::path::PathBuf {
        let path = std::env::temp_dir().join(format!("o365-hostile-ca-{}.pem", uuid::Uuid::new_v4()));
        std::fs::write(&path, self.ca_pem.as_deref().expect("a TLS server")).expect("write CA");
        path
    }
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    mut sock: S,
    handler: Handler,
    log: Arc<Mutex<Vec<Seen>>>,
    count: Arc<std::sync::atomic::AtomicUsize>,
) {
    let mut buf: Vec<u8> = Vec::new();
    loop {
        let Some(seen) = read_request(&mut sock, &mut buf).await else { return };
        log.lock().unwrap().push(seen.clone());
        let n = count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let reply = handler(&seen, n);
        if !write_reply(&mut sock, reply).await {
            return;
        }
    }
}

async fn read_request<S: AsyncRead + Unpin>(sock: &mut S, buf: &mut Vec<u8>) -> Option<Seen> {
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        if buf.len() > 1 << 20 {
            return None;
        }
        let mut chunk = [0u8; 16 * 1024];
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    buf.drain(..head_end + 4);
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (method, path) = (first.next()?.to_string(), first.next()?.to_string());
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let len: usize = headers.iter().find(|(n, _)| n == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
    while buf.len() < len {
        let mut chunk = vec![0u8; (len - buf.len()).min(256 * 1024)];
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body: Vec<u8> = buf.drain(..len).collect();
    Some(Seen { method, path, headers, body })
}

/// Writes the answer; false when the connection must close.
async fn write_reply<S: AsyncWrite + Unpin>(sock: &mut S, mut reply: Reply) -> bool {
    static ZEROS: [u8; 64 * 1024] = [b'x'; 64 * 1024];
    while let Reply::After(delay, next) = reply {
        tokio::time::sleep(delay).await;
        reply = *next;
    }
    match reply {
        Reply::After(..) => unreachable!(),
        Reply::Full { status, headers, body } => {
            let mut head = format!("HTTP/1.1 {status} Hostile\r\ncontent-length: {}\r\n", body.len());
            for (n, v) in headers {
                head.push_str(&format!("{n}: {v}\r\n"));
            }
            head.push_str("\r\n");
            sock.write_all(head.as_bytes()).await.is_ok() && sock.write_all(&body).await.is_ok() && sock.flush().await.is_ok()
        }
        Reply::Endless { status } => {
            let head = format!("HTTP/1.1 {status} Hostile\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n");
            if sock.write_all(head.as_bytes()).await.is_err() {
                return false;
            }
            let chunk_head = format!("{:x}\r\n", ZEROS.len());
            loop {
                let ok = sock.write_all(chunk_head.as_bytes()).await.is_ok()
                    && sock.write_all(&ZEROS).await.is_ok()
                    && sock.write_all(b"\r\n").await.is_ok();
                if !ok {
                    return false;
                }
            }
        }
        Reply::Sized { status, len } => {
            let head = format!("HTTP/1.1 {status} Hostile\r\ncontent-type: application/json\r\ncontent-length: {len}\r\n\r\n");
            if sock.write_all(head.as_bytes()).await.is_err() {
                return false;
            }
            let mut left = len;
            while left > 0 {
                let n = left.min(ZEROS.len() as u64) as usize;
                if sock.write_all(&ZEROS[..n]).await.is_err() {
                    return false;
                }
                left -= n as u64;
            }
            sock.flush().await.is_ok()
        }
    }
}

/// A TLS acceptor for 127.0.0.1 with a fresh CA, offering `alpn`; returns the CA's PEM.
pub fn tls_acceptor(alpn: &[&[u8]]) -> (tokio_rustls::TlsAcceptor, String) {
    let pki = super::test_ca::loopback();
    let chain = vec![pki.cert_der.clone(), pki.ca_der.clone()];
    let private = rustls::pki_types::PrivateKeyDer::Pkcs8(pki.key_der.clone().into());
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(chain, private)
        .expect("server config");
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    (tokio_rustls::TlsAcceptor::from(Arc::new(config)), pki.ca_pem)
}

/// Config pairs for a sender whose login and Graph endpoints are `login` and `graph`.
pub fn pairs(login: &str, graph: &str, secret: &str) -> Vec<(String, o365_core::ConfigValue)> {
    let s = |v: &str| o365_core::ConfigValue::Str(v.to_string());
    vec![
        ("tenant_id".into(), s("contoso.onmicrosoft.com")),
        ("client_id".into(), s("11111111-2222-3333-4444-555555555555")),
        ("client_secret".into(), s(secret)),
        ("login_endpoint".into(), s(login)),
        ("graph_endpoint".into(), s(graph)),
        ("timeout".into(), o365_core::ConfigValue::Int(10)),
        ("max_retries".into(), o365_core::ConfigValue::Int(2)),
    ]
}
