//! The Graph requests of one send, whatever its route: each goes through the shared
//! executor (`GraphClient::execute_limited`: token, ids, 401 re-fetch, retries, the
//! deadline, the outcome-unknown rule), which takes a slot of the mailbox's limiter
//! (`limiter/`) for each HTTP attempt: at most 4 requests in flight per app and mailbox
//! (Exchange's limit; a fifth gets 429 "over its MailboxConcurrency limit"), in this
//! process, or with `redis_url` across every process that shares the Redis.

use crate::error::Result;
use crate::graph::client::GraphClient;
use crate::graph::request::{GraphRequest, GraphResponse};
use crate::limiter::MailboxLimiter;

/// What Graph said when it accepted a message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Receipt {
    /// The mailbox the message was sent from.
    pub mailbox: String,
    /// Graph's `request-id` of the accepting request.
    pub request_id: String,
    /// The `client-request-id` this client sent.
    pub client_request_id: String,
    /// This call sent nothing: the send ledger knows the message (its Message-ID) as
    /// accepted by an earlier send, whose receipt this is.
    #[serde(skip)]
    pub already_sent: bool,
}

impl Receipt {
    /// A receipt without request ids (a message known to be sent, by an unknown request).
    pub(crate) fn unnamed(mailbox: &str) -> Receipt {
        Receipt { mailbox: mailbox.to_string(), request_id: String::new(), client_request_id: String::new(), already_sent: false }
    }
}

/// A Graph client bound to one mailbox and its limiter.
pub(crate) struct MailboxClient<'a> {
    pub client: &'a GraphClient,
    pub mailbox: &'a str,
    limiter: MailboxLimiter,
}

impl<'a> MailboxClient<'a> {
    pub fn new(client: &'a GraphClient, mailbox: &'a str) -> MailboxClient<'a> {
        MailboxClient { client, mailbox, limiter: MailboxLimiter::new(client.config(), mailbox) }
    }

    /// `{graph}/v1.0/users/{mailbox}/{segments...}`, each segment percent-encoded.
    pub fn url(&self, segments: &[&str]) -> String {
        let mut all = vec!["users", self.mailbox];
        all.extend_from_slice(segments);
        self.client.url(&all)
    }

    /// Runs `req` (with retries), each attempt holding one of the mailbox's slots.
    pub async fn call(&self, req: GraphRequest) -> Result<GraphResponse> {
        let req = req.with_mailbox(self.mailbox);
        self.client.execute_limited(&req, Some(&self.limiter)).await
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
            already_sent: false,
        }
    }
}
