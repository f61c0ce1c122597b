//! The cold start. A fresh PHP-FPM worker has neither a token nor a connection to Graph.
//! Fetched one after the other, its first send pays two connection set-ups (TCP + TLS:
//! several round trips each to Microsoft, whose token endpoint and Graph are different
//! hosts) and two requests. So when a send has to fetch its token, the connection to
//! Graph is opened meanwhile (HTTP/2 where Graph offers it, negotiated as for any
//! request) and waits in the process's pool for the send: the first send then waits for
//! one connection and two requests.
//!
//! reqwest has no "connect only" call, so the connection is opened by a `HEAD` of the
//! Graph endpoint's root: no token, no mailbox, nothing Exchange counts, answered by
//! Graph's front door (the emulator's inbox page). Nothing is opened when it would be
//! wasted: the token comes from the cache (the fetcher is not called), the token endpoint
//! is Graph's own origin (the token request's connection serves the send: the emulator's
//! default), or this process's pool talked to Graph lately (a refresh, a 401's re-fetch).

use std::time::Duration;

use crate::config::Config;
use crate::runtime::{CONNECT_TIMEOUT, Process};

/// Opens a connection to `config`'s Graph endpoint in the background, unless that would
/// be wasted (see the module doc). Called when a send is about to fetch its token.
pub(crate) fn start(process: &Process, http: &reqwest::Client, config: &Config) {
    if process.graph_is_warm(&config.graph_endpoint) || same_origin(&config.credential.token_endpoint(&config.app()), &config.graph_endpoint) {
        return;
    }
    // Outside a tokio runtime reqwest could not send anyway; the send will say so.
    let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
    let timeout = CONNECT_TIMEOUT.min(config.timeout).max(Duration::from_secs(1));
    let head = http.head(format!("{}/", config.graph_endpoint)).timeout(timeout);
    // Whatever the answer (or its failure), the send that follows decides and reports.
    runtime.spawn(async move {
        let _ = head.send().await;
    });
}

/// Whether two URLs share scheme, host and port (one connection pool entry). An
/// unparsable one counts as the same: then nothing extra is opened (and the Graph client
/// names `graph_endpoint` in its errors).
pub(crate) fn same_origin(a: &str, b: &str) -> bool {
    match (reqwest::Url::parse(a), reqwest::Url::parse(b)) {
        (Ok(a), Ok(b)) => a.origin() == b.origin(),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::same_origin;

    #[test]
    fn origins_differ_by_scheme_host_or_port_only() {
        assert!(same_origin("https://emu.test:8443/contoso/oauth2/v2.0/token", "https://emu.test:8443"));
        assert!(same_origin("https://graph.microsoft.com:443/x", "https://graph.microsoft.com"));
        assert!(!same_origin("https://login.microsoftonline.com/t/oauth2/v2.0/token", "https://graph.microsoft.com"));
        assert!(!same_origin("https://localhost:8443/t", "https://127.0.0.1:8443"));
        assert!(!same_origin("http://127.0.0.1:8443/t", "https://127.0.0.1:8443"));
        assert!(!same_origin("http://169.254.169.254/metadata/identity/oauth2/token", "https://graph.microsoft.com"));
    }
}
