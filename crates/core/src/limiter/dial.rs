//! Opens a connection to the limiter's Redis: TCP, TLS for `rediss://` (the same rustls
//! and ring as the HTTP client; the system roots plus `ca_file`), the bound on what the
//! peer may send (`bounded_stream.rs`), then redis-rs's setup (AUTH, SELECT, CLIENT
//! SETINFO) and its multiplexed connection over that stream.
//!
//! Why a bounded stream under redis-rs rather than a RESP client of our own: redis-rs
//! keeps doing what it does well here (EVALSHA with its SCRIPT LOAD fallback, pipelines,
//! AUTH with user:password, RESP3, the multiplexing of concurrent sends on one
//! connection, response timeouts), and the public surface other modules use stays a
//! `MultiplexedConnection`. What it lacks, a bound on replies, needs only a framer that
//! counts bytes (no parser, no allocation), between the socket and redis-rs: every byte
//! redis-rs sees has passed it, so the bound holds whatever redis-rs does with it.
//! The price: this module opens the socket itself, since redis-rs takes a ready stream
//! but has no hook on the one it opens.

use std::sync::Arc;
use std::time::Duration;

use redis::aio::MultiplexedConnection;
use redis::{ConnectionAddr, ConnectionInfo, ErrorKind, RedisResult};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

use super::bounded_stream::{BoundedStream, Tripwire};
use crate::config::ca_file::CaFile;
use crate::config::secret::Secret;

/// An open connection, and what tells whether the peer broke the bound on it.
pub(crate) struct Opened {
    pub conn: MultiplexedConnection,
    pub tripwire: Tripwire,
}

/// A new connection to the node at `url` (one node's URL: see `RedisUrl::node_url`) whose
/// commands may take up to `response` to be answered. The caller bounds the whole (TCP,
/// TLS and setup) with its own timeout.
pub(crate) async fn open(url: &Secret, ca_file: Option<&CaFile>, response: Duration) -> RedisResult<Opened> {
    let info = redis::IntoConnectionInfo::into_connection_info(url.expose())?;
    let config = redis::AsyncConnectionConfig::new().set_response_timeout(Some(response));
    match info.addr() {
        ConnectionAddr::Tcp(host, port) => over(tcp(host, *port).await?, &info, config).await,
        ConnectionAddr::TcpTls { insecure: true, .. } => Err(refused(
            "`redis_url` ends in `#insecure` (no certificate check), which is not supported. Fix: add the CA of the Redis as `ca_file` instead",
        )),
        ConnectionAddr::TcpTls { host, port, .. } => {
            let name = rustls::pki_types::ServerName::try_from(host.clone()).map_err(|_| refused("the host of `redis_url` is not a valid TLS name"))?;
            let connector = tokio_rustls::TlsConnector::from(Arc::new(tls_config(ca_file)?));
            let stream = connector.connect(name, tcp(host, *port).await?).await?;
            over(stream, &info, config).await
        }
        _ => Err(refused("`redis_url` names a kind of address the limiter does not support. Fix: use redis:// or rediss://")),
    }
}

async fn tcp(host: &str, port: u16) -> RedisResult<TcpStream> {
    let stream = TcpStream::connect((host, port)).await?;
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// redis-rs's connection over `stream`, bounded; its driver runs on this runtime.
async fn over<S>(stream: S, info: &ConnectionInfo, config: redis::AsyncConnectionConfig) -> RedisResult<Opened>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (stream, tripwire) = BoundedStream::new(stream);
    let (conn, driver) = MultiplexedConnection::new_with_config(info.redis_settings(), stream, config).await?;
    tokio::spawn(driver);
    Ok(Opened { conn, tripwire })
}

/// Verifies the server against the system roots plus `ca_file` (which adds to them, as
/// it does for the HTTP client).
fn tls_config(ca_file: Option<&CaFile>) -> RedisResult<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    if let Some(ca) = ca_file {
        let pems = pem::parse_many(ca.pem()).map_err(|_| refused("`ca_file` holds no readable PEM certificate"))?;
        let ders = pems.into_iter().filter(|p| p.tag() == "CERTIFICATE").map(|p| p.into_contents().into());
        roots.add_parsable_certificates(ders);
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|_| refused("no TLS version in common with the ring provider"))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// A setup the limiter refuses or cannot use (here and in `discover`); the text (static,
/// so never the URL) reaches the warning, its fix after `connection::FIX`.
pub(super) fn refused(why: &'static str) -> redis::RedisError {
    redis::RedisError::from((ErrorKind::InvalidClientConfig, why))
}
