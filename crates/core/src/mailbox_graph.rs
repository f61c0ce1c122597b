//! The Graph requests of one send, whatever its route: each goes through the shared
//! executor (`GraphClient::execute`: token, ids, 401 re-fetch, retries, the deadline,
//! the outcome-unknown rule) while holding a slot of the mailbox's limiter, so
//! that this process never has more than [`MAILBOX_CONCURRENCY`] requests in flight for
//! one mailbox (Exchange's limit per app and mailbox; a fifth gets 429 "over its
//! MailboxConcurrency limit"). PHP-FPM workers are separate processes and cannot share
//! the limiter; Graph's 429 and the executor's retries cover that case.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use crate::error::Result;
use crate::graph_client::GraphClient;
use crate::graph_request::{GraphRequest, GraphResponse};

/// What Graph said when it accepted a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The mailbox the message was sent from.
    pub mailbox: String,
    /// Graph's `request-id` of the accepting request.
    pub request_id: String,
    /// The `client-request-id` this client sent.
    pub client_request_id: String,
}

/// Exchange allows 4 concurrent requests per app and mailbox.
pub const MAILBOX_CONCURRENCY: usize = 4;

/// A Graph client bound to one mailbox and its limiter.
pub(crate) struct Graph<'a> {
    pub client: &'a GraphClient,
    pub mailbox: &'a str,
    limiter: Arc<Limiter>,
}

impl<'a> Graph<'a> {
    pub fn new(client: &'a GraphClient, mailbox: &'a str) -> Graph<'a> {
        Graph { client, mailbox, limiter: limiter(mailbox) }
    }

    /// `{graph}/v1.0/users/{mailbox}/{segments...}`, each segment percent-encoded.
    pub fn url(&self, segments: &[&str]) -> String {
        let mut all = vec!["users", self.mailbox];
        all.extend_from_slice(segments);
        self.client.url(&all)
    }

    /// Runs `req` (with retries) while holding one of the mailbox's slots.
    pub async fn call(&self, req: GraphRequest) -> Result<GraphResponse> {
        let req = req.with_mailbox(self.mailbox);
        let _slot = self.limiter.slots.acquire().await;
        self.client.execute(&req).await
    }

    /// Runs the request that sends the message; its 2xx answer is the receipt.
    pub async fn send(&self, req: GraphRequest) -> Result<Receipt> {
        self.call(req).await.map(|a| self.receipt(&a))
    }

    /// The receipt of the answer that accepted the message (the one place it is built).
    pub fn receipt(&self, accepted: &GraphResponse) -> Receipt {
        Receipt {
            mailbox: self.mailbox.to_string(),
            request_id: accepted.request_id.clone(),
            client_request_id: accepted.client_request_id.clone(),
        }
    }
}

/// In-flight requests per mailbox, process-wide. (The semaphore is never closed, so
/// acquiring a slot does not fail.)
pub(crate) struct Limiter {
    slots: tokio::sync::Semaphore,
}

static LIMITERS: LazyLock<Mutex<HashMap<String, Arc<Limiter>>>> = LazyLock::new(|| Mutex::new(HashMap::new()));

/// Above this many mailboxes, idle limiters are dropped from the map. A worker that
/// sends from many mailboxes (one per tenant user) would otherwise keep one per address
/// it ever used, for the life of the process.
const TRIM_ABOVE: usize = 64;

fn limiter(mailbox: &str) -> Arc<Limiter> {
    let mut map = LIMITERS.lock().unwrap_or_else(PoisonError::into_inner);
    if map.len() >= TRIM_ABOVE {
        // Idle: nobody but the map holds it, so no request is in flight or waiting.
        map.retain(|_, l| Arc::strong_count(l) > 1);
    }
    map.entry(mailbox.to_ascii_lowercase())
        .or_insert_with(|| {
            Arc::new(Limiter { slots: tokio::sync::Semaphore::new(MAILBOX_CONCURRENCY) })
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_limiters_are_trimmed_and_busy_ones_kept() {
        let busy = limiter("busy@contoso.com");
        for i in 0..10_000 {
            drop(limiter(&format!("user{i}@contoso.com")));
        }
        let map = LIMITERS.lock().unwrap();
        assert!(map.len() <= TRIM_ABOVE + 1, "{} limiters kept", map.len());
        assert!(map.get("busy@contoso.com").is_some_and(|l| Arc::ptr_eq(l, &busy)), "a limiter in use is never dropped");
    }
}
