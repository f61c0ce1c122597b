//! The process model. PHP-FPM loads the extension in its master process and then forks
//! workers; each worker serves thousands of requests. A tokio runtime or a connection
//! pool created before a fork is unusable in the child (its threads do not exist there:
//! measured, a child that touches an inherited runtime hangs). So the runtime and the
//! HTTP clients live in a per-process state, created lazily on first use and keyed by
//! the process id: when the pid changes we build a fresh state and leak the inherited
//! one (dropping it would try to join threads that do not exist in this process).
//! Nothing is created at module load.
//!
//! The HTTP client is one connection pool per process (per `ca_file` setting, which in
//! practice means one): HTTP/2 where the server offers it (ALPN), keep-alive for
//! HTTP/1.1, TCP_NODELAY, proxies from HTTPS_PROXY/HTTP_PROXY/ALL_PROXY/NO_PROXY, and
//! redirects never followed: a 3xx would carry a client secret, an assertion or a
//! bearer token (or the message) to whatever host it names, so it comes back to the
//! caller as an answer and becomes an error naming the refused Location. TLS is
//! always verified, against the system trust store (rustls-platform-verifier, loaded
//! once per client and so once per process, not once per connection as PHP's curl
//! does) plus `ca_file`; there is deliberately no way to turn verification off.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::config::ca_file::CaFile;
use crate::error::{Error, ErrorKind, Result};

/// The per-process state: one runtime, one HTTP client per extra-CA setting, and when
/// each Graph endpoint last answered (whether the pool likely holds a connection to it).
pub struct Process {
    pid: u32,
    runtime: tokio::runtime::Runtime,
    clients: Mutex<HashMap<Option<CaFile>, reqwest::Client>>,
    graph_answers: Mutex<HashMap<String, Instant>>,
}

static CURRENT: Mutex<Option<&'static Process>> = Mutex::new(None);

/// The state of the calling process, created on first use or after a fork.
pub fn process() -> Result<&'static Process> {
    let pid = std::process::id();
    let mut slot = CURRENT.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(p) = *slot {
        if p.pid == pid {
            return Ok(p);
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("o365-worker")
        .enable_all()
        .build()
        .map_err(|e| Error::new(ErrorKind::Transport, format!("could not start the I/O runtime: {e}")))?;
    // Leaked on purpose: see the module doc. One small allocation per process lifetime.
    let p: &'static Process = Box::leak(Box::new(Process { pid, runtime, clients: Mutex::new(HashMap::new()), graph_answers: Mutex::new(HashMap::new()) }));
    *slot = Some(p);
    Ok(p)
}

impl Process {
    /// Runs a future to completion on this process's runtime, blocking the caller
    /// (PHP is synchronous). Many threads may call it at once (ZTS builds, tests).
    /// Called from inside an async runtime it returns an error instead of panicking:
    /// a panic must never cross into PHP.
    pub fn run<T>(&self, f: impl std::future::Future<Output = Result<T>>) -> Result<T> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(Error::new(
                ErrorKind::Configuration,
                "the blocking o365 API was called from inside an async runtime; call it from a plain thread (e.g. tokio's spawn_blocking)",
            ));
        }
        self.runtime.block_on(f)
    }

    /// The shared HTTP client for this CA setting; built once, then reused so that
    /// connections stay warm and the trust store is read once per process.
    pub fn client(&self, ca_file: Option<&CaFile>) -> Result<reqwest::Client> {
        let mut clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(c) = clients.get(&ca_file.cloned()) {
            return Ok(c.clone());
        }
        let client = build_client(ca_file)?;
        clients.insert(ca_file.cloned(), client.clone());
        Ok(client)
    }

    /// Notes that `graph_endpoint` answered just now (a pooled connection to it is open).
    pub(crate) fn graph_answered(&self, graph_endpoint: &str) {
        let mut answers = self.graph_answers.lock().unwrap_or_else(PoisonError::into_inner);
        match answers.get_mut(graph_endpoint) {
            Some(at) => *at = Instant::now(),
            None => {
                answers.insert(graph_endpoint.to_string(), Instant::now());
            }
        }
    }

    /// Whether `graph_endpoint` answered recently enough that its connection is likely
    /// still pooled: within half the pool's idle timeout (the server may close earlier).
    pub(crate) fn graph_is_warm(&self, graph_endpoint: &str) -> bool {
        let answers = self.graph_answers.lock().unwrap_or_else(PoisonError::into_inner);
        answers.get(graph_endpoint).is_some_and(|at| at.elapsed() < POOL_IDLE_TIMEOUT / 2)
    }
}

/// Longest wait for a TCP + TLS connection; the per-request `timeout` bounds it too.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long an idle pooled connection is kept: below Azure load balancers' 4-minute idle
/// cut-off, so that a pooled connection is dropped by us before the server silently drops it.
pub const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(200);

fn build_client(ca_file: Option<&CaFile>) -> Result<reqwest::Client> {
    // reqwest takes the process-wide rustls provider; ours is ring (see Cargo.toml). An
    // error only means a provider is already installed (e.g. by a test harness): use it.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut b = reqwest::Client::builder()
        .tcp_nodelay(true)
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(CONNECT_TIMEOUT)
        .pool_idle_timeout(POOL_IDLE_TIMEOUT)
        .pool_max_idle_per_host(16)
        .tcp_keepalive(Duration::from_secs(60))
        // Pings detect a dead HTTP/2 connection before a send is written into it.
        .http2_keep_alive_interval(Duration::from_secs(30))
        .http2_keep_alive_timeout(Duration::from_secs(10))
        .http2_keep_alive_while_idle(true)
        // Uploads send 4 MB chunks; the default 64 KB window would make them crawl.
        .http2_adaptive_window(true)
        .tls_version_min(reqwest::tls::Version::TLS_1_2)
        .user_agent(concat!("o365-sendmail/", env!("CARGO_PKG_VERSION")));
    // Read and checked when the config was built (ca_file.rs).
    for c in ca_file.map(CaFile::certificates).unwrap_or_default() {
        b = b.add_root_certificate(c.clone());
    }
    b.build().map_err(|e| client_error(&e))
}

/// reqwest says only "builder error"; the cause worth telling is usually a machine
/// without CA certificates (the system trust store is loaded even for plain-HTTP
/// endpoints), which rustls-platform-verifier reports in the innermost error.
fn client_error(e: &reqwest::Error) -> Error {
    let mut cause = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        cause = s.to_string();
        src = s.source();
    }
    if cause.contains("No CA certificates were loaded from the system") {
        return Error::new(
            ErrorKind::Transport,
            "could not build the HTTP client: this machine has no CA certificates (none in the system trust store /etc/ssl/certs, or in the SSL_CERT_FILE / SSL_CERT_DIR it names)",
        )
        .with_hint("install the CA certificates package (Debian/Ubuntu: apt-get install ca-certificates; Alpine: apk add ca-certificates; Fedora/RHEL: dnf install ca-certificates), or set `ca_file` to a PEM bundle of the CAs to trust");
    }
    Error::new(ErrorKind::Transport, format!("could not build the HTTP client: {cause}"))
}
