//! Running an emulator: bind, accept, serve, stop. The accept loop is our own (not a
//! framework's) because the emulator must set TCP_NODELAY on every socket, count
//! connections, add per-connection latency and be able to drop connections mid-request.
//! It runs on its own tokio runtime in a background thread, so plain `#[test]`s and
//! code that has its own runtime can start one.

use crate::config::EmulatorConfig;
use crate::state::Shared;
use crate::tls::Tls;
use http_body_util::Either;
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// A running emulator. Dropping it stops it.
pub struct Emulator {
    base_url: String,
    local_addr: SocketAddr,
    ca_pem: Option<String>,
    shared: Arc<Shared>,
    stop: Option<watch::Sender<bool>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Emulator {
    /// Binds `config.listen` and serves on a background thread until dropped.
    pub fn start(config: EmulatorConfig) -> std::io::Result<Emulator> {
        let certs = config
            .apps
            .iter()
            .map(|a| crate::credentials::load_certs(&a.certificates))
            .collect::<std::io::Result<Vec<_>>>()?;
        let federated = config
            .apps
            .iter()
            .map(|a| crate::credentials::load_federated(&a.federated_credentials))
            .collect::<std::io::Result<Vec<_>>>()?;
        let std_listener = std::net::TcpListener::bind(config.listen).map_err(|e| bind_error(config.listen, e))?;
        std_listener.set_nonblocking(true)?;
        let local_addr = std_listener.local_addr()?;
        let tls = if config.tls { Some(crate::tls::generate(local_addr.ip())?) } else { None };
        let ca_pem = tls.as_ref().map(|t| t.ca_pem.clone());
        if let (Some(path), Some(pem)) = (&config.ca_out, &ca_pem) {
            std::fs::write(path, pem)?;
        }
        let host = match local_addr.ip() {
            ip if ip.is_unspecified() && ip.is_ipv4() => "127.0.0.1".to_string(),
            ip if ip.is_unspecified() => "[::1]".to_string(),
            std::net::IpAddr::V6(ip) => format!("[{ip}]"),
            ip => ip.to_string(),
        };
        let scheme = if tls.is_some() { "https" } else { "http" };
        let base_url = format!("{scheme}://{host}:{}", local_addr.port());
        let shared = Arc::new(Shared::new(config, base_url.clone(), certs, federated));

        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("o365-emulator")
            .enable_all()
            .build()?;
        let listener = {
            let _guard = runtime.enter();
            TcpListener::from_std(std_listener)?
        };
        let (stop_tx, stop_rx) = watch::channel(false);
        let serve_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new().name("o365-emulator".into()).spawn(move || {
            runtime.block_on(accept_loop(listener, serve_shared, tls.map(Arc::new), stop_rx));
            runtime.shutdown_timeout(Duration::from_millis(500));
        })?;
        Ok(Emulator { base_url, local_addr, ca_pem, shared, stop: Some(stop_tx), thread: Some(thread) })
    }

    /// `http://127.0.0.1:PORT` (or `https://...` with TLS): both the login and the Graph
    /// endpoint.
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The CA certificate (PEM) clients must trust, when TLS is on.
    pub fn ca_pem(&self) -> Option<String> {
        self.ca_pem.clone()
    }

    /// Accepted TCP connections so far.
    pub fn connections(&self) -> u64 {
        self.shared.connections.load(Ordering::Relaxed)
    }

    /// Token requests so far.
    pub fn token_requests(&self) -> u64 {
        self.shared.token_requests.load(Ordering::Relaxed)
    }

    /// The received messages, as `GET /_emulator/messages` returns them.
    pub fn messages(&self) -> serde_json::Value {
        serde_json::to_value(&self.shared.lock().messages).unwrap_or_default()
    }

    /// Stops serving and waits for the server thread.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// A bind failure that names the address and what to do about it.
fn bind_error(addr: SocketAddr, e: std::io::Error) -> std::io::Error {
    let hint = match e.kind() {
        std::io::ErrorKind::AddrInUse => format!(
            "{addr} is already in use (another o365-emulator, or another program on port {}); \
             stop it, or start this one elsewhere with --listen 127.0.0.1:PORT (port 0: any free port)",
            addr.port()
        ),
        std::io::ErrorKind::PermissionDenied => {
            format!("not allowed to listen on {addr}; use a port above 1023 with --listen 127.0.0.1:PORT")
        }
        _ => format!("cannot listen on {addr}: {e}; choose another address with --listen"),
    };
    std::io::Error::new(e.kind(), hint)
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, tls: Option<Arc<Tls>>, mut stop: watch::Receiver<bool>) {
    loop {
        let accepted = tokio::select! {
            _ = stop.changed() => return,
            r = listener.accept() => r,
        };
        let Ok((stream, _peer)) = accepted else {
            // Out of file descriptors and the like: back off instead of spinning.
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        // Without it small TLS records wait for delayed ACKs (~40 ms per exchange).
        let _ = stream.set_nodelay(true);
        shared.connections.fetch_add(1, Ordering::Relaxed);
        let shared = Arc::clone(&shared);
        let tls = tls.clone();
        let stop = stop.clone();
        tokio::spawn(async move {
            tokio::select! {
                _ = serve_connection(stream, shared, tls) => {}
                _ = wait_stop(stop) => {}
            }
        });
    }
}

async fn wait_stop(mut stop: watch::Receiver<bool>) {
    while !*stop.borrow() {
        if stop.changed().await.is_err() {
            return;
        }
    }
}

async fn serve_connection(stream: tokio::net::TcpStream, shared: Arc<Shared>, tls: Option<Arc<Tls>>) {
    let delay = shared.config.connect_latency_ms;
    if delay > 0 {
        // The cost of TCP + TLS handshakes to a far server, paid once per connection.
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    match tls {
        Some(tls) => {
            let Ok(stream) = tls.acceptor.accept(stream).await else { return };
            serve_io(TokioIo::new(stream), shared).await;
        }
        None => serve_io(TokioIo::new(stream), shared).await,
    }
}

async fn serve_io<I>(io: I, shared: Arc<Shared>)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
        let shared = Arc::clone(&shared);
        async move {
            // The inbox's live-update stream never ends; every other answer is a buffer. A
            // foreign Host goes on to the dispatcher, which refuses it (host_guard).
            if crate::inspect::events::wants(&req) && crate::host_guard::serves(&shared, req.uri(), req.headers()) {
                return Ok(crate::inspect::events::open(&shared).map(Either::Right));
            }
            crate::dispatch::serve(shared, req).await.map(|resp| resp.map(Either::Left))
        }
    });
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    // Large windows: uploads send 4 MB chunks, and 64 KB windows would make them crawl.
    builder
        .http2()
        .initial_stream_window_size(8 * 1024 * 1024)
        .initial_connection_window_size(16 * 1024 * 1024)
        .max_frame_size(1024 * 1024);
    let _ = builder.serve_connection(io, service).await;
}
