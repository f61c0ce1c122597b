//! The send ledger: every message with a Message-ID is recorded, keyed by the app, the
//! sending mailbox and the Message-ID (with its recipients: see [`Identity`]), as in flight (with its draft, on the draft
//! route), accepted (with Graph's receipt) or unknown (the request that could have sent
//! it got no clear answer). A message the ledger knows as accepted is not sent again: the
//! caller gets the original receipt, marked `already_sent`. One whose outcome is unknown
//! is never sent blindly: with `exactly_once` it is settled (its draft deleted: 204 means
//! not sent, 404 sent; see `route_draft`), otherwise the caller gets OutcomeUnknown again
//! without any request to Graph. A message without a Message-ID is sent as before.
//!
//! Where: the Redis of `redis_url` (one key per message, under the mailbox's hash tag of
//! the limiter, so one Redis Cluster slot; atomic compare-and-set by a Lua script), and
//! always this process's memory too, so that when Redis fails mid-way the process falls
//! back to what it knows itself and never sends a message twice (said in the process's
//! one Redis warning, `limiter/connection.rs`). Entries live `ledger_ttl` (24 h by default).

mod durable;
mod entry;
mod memory;
mod shared;

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::config::Config;
use crate::error::{Error, ErrorKind};
use crate::limiter::{MailboxKey, Redis};
use crate::graph::mailbox::Receipt;
pub(crate) use durable::take_warning;
pub(crate) use entry::{Entry, State};

/// The prefix of the ledger's Redis keys.
pub const KEY_PREFIX: &str = "o365:sent:";
/// How long past its deadline an in-flight send is still waited for (clock skew between
/// hosts, a request finishing at the deadline).
const IN_FLIGHT_MARGIN: Duration = Duration::from_secs(10);

/// What makes one message to the ledger: its Message-ID and its recipients (lowercased,
/// sorted, without repeats: the To, Cc and Bcc headers and the envelope's). An
/// application that sends one Message-ID to several recipient lists sends several
/// messages; a retry has the same recipients.
pub(crate) struct Identity {
    pub message_id: String,
    pub recipients: Vec<String>,
}

/// The identity of a message with a Message-ID header (`None` without one).
pub(crate) fn identify(head: &[u8], envelope: &[String]) -> Option<Identity> {
    let headers = crate::mime::envelope::parse_headers(head).ok()?;
    let message_id = headers.get_all("message-id").next()?.trim().to_string();
    if message_id.is_empty() {
        return None;
    }
    let listed = headers.addresses(&["to", "cc", "bcc"]).into_iter();
    let mut recipients: Vec<String> = listed.chain(envelope.iter().map(|r| r.trim().to_string())).map(|a| a.to_ascii_lowercase()).collect();
    recipients.sort();
    recipients.dedup();
    Some(Identity { message_id, recipients })
}

/// The ledger key of a message sent from `mailbox` to `config`'s Graph: the limiter's
/// hash tag of the mailbox, then a SHA-256 of the Graph endpoint, the Message-ID and the
/// recipients (as [`Identity`] holds them): bounded length, and neither the id nor an
/// address is readable from a key listing.
pub fn key(config: &Config, mailbox: &str, message_id: &str, recipients: &[String]) -> String {
    let tag = MailboxKey::new(config, mailbox);
    let material = format!("{}\n{message_id}\n{}", config.graph_endpoint, recipients.join(","));
    let digest = ring::digest::digest(&ring::digest::SHA256, material.as_bytes());
    let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("{KEY_PREFIX}{{{}}}:{hex}", tag.local())
}

/// One message's entry, as this send sees and writes it.
pub(crate) struct Record {
    key: String,
    redis: Option<Arc<Redis>>,
    ttl: Duration,
    hold: Duration,
    route: String,
    draft_id: Option<String>,
}

/// What the ledger says before a send.
pub(crate) enum Verdict {
    /// Send it (the entry is in flight, for this send).
    Send(Record),
    /// Graph accepted it before: its receipt, marked `already_sent`.
    AlreadySent(Receipt),
    /// exactly_once: an earlier `/send` of this draft got no clear answer; settle it first
    /// (the entry is in flight again, for this send).
    Settle(Record, String),
    /// Not sent, and why (outcome unknown, or another send of it still running).
    Refuse(Error),
}

impl Record {
    fn new(config: &Config, mailbox: &str, id: &Identity, route: &str) -> Record {
        let redis = config.redis_url.as_ref().map(|u| crate::limiter::redis(u, config.ca_file.as_ref()));
        Record {
            key: key(config, mailbox, &id.message_id, &id.recipients),
            redis,
            ttl: config.ledger_ttl,
            hold: config.deadline + IN_FLIGHT_MARGIN,
            route: route.to_string(),
            draft_id: None,
        }
    }

    /// Compare and set: `expect` → `value`, in Redis (when configured and up) and here.
    async fn swap(&self, expect: Option<&str>, value: &str) -> Result<(), Option<String>> {
        // What this process knows wins (Redis may have lost it: a restart, a failover),
        // unless Redis knows more: that another process got it accepted.
        if let Some(mine) = memory::get(&self.key).filter(|m| Some(m.as_str()) != expect) {
            if let Some(redis) = &self.redis {
                if let Ok(Some(theirs)) = shared::get(redis, &self.key).await {
                    if Entry::decode(&theirs).is_some_and(|e| e.state == State::Accepted) {
                        memory::set(&self.key, Some(&theirs), self.ttl);
                        return Err(Some(theirs));
                    }
                }
            }
            return Err(Some(mine));
        }
        if let Some(redis) = &self.redis {
            match shared::swap(redis, &self.key, expect, Some(value), self.ttl).await {
                Ok(Ok(())) => {
                    memory::set(&self.key, Some(value), self.ttl);
                    return Ok(());
                }
                Ok(Err(current)) => {
                    memory::set(&self.key, current.as_deref(), self.ttl);
                    return Err(current);
                }
                // Said by the Redis warning (`Redis::failed`), with its cause.
                Err(shared::Down) => {}
            }
        }
        memory::swap(&self.key, expect, Some(value), self.ttl)
    }

    /// Writes the entry whatever it holds (this send owns it); with `replicated_by` (the
    /// send's deadline), also waits for a replica to have it (`durable.rs`).
    async fn write(&self, entry: Option<&Entry>, replicated_by: Option<Instant>) {
        let value = entry.map(Entry::encode);
        memory::set(&self.key, value.as_deref(), self.ttl);
        if let Some(redis) = &self.redis {
            // Down: said by the Redis warning (`Redis::failed`), with its cause.
            let _ = shared::set(redis, &self.key, value.as_deref(), self.ttl, replicated_by.map(durable::wait_for)).await;
        }
    }

    /// In flight, carried by `draft_id` (before its `/send`).
    pub async fn in_flight(&mut self, draft_id: Option<&str>) {
        self.draft_id = draft_id.map(str::to_string);
        self.write(Some(&Entry::in_flight(&self.route, draft_id, self.hold)), None).await;
    }

    /// Graph accepted it: the one entry that has to outlive a failover of the Redis
    /// primary (a lost one lets a retry send the message twice), so it waits for a replica
    /// within `deadline` (the send's).
    pub async fn accepted(&self, receipt: &Receipt, deadline: Instant) {
        self.write(Some(&Entry::accepted(&self.route, receipt)), Some(deadline)).await;
    }

    /// The request that could have sent it got no clear answer.
    pub async fn unknown(&self) {
        self.write(Some(&Entry::unknown(&self.route, self.draft_id.as_deref())), None).await;
    }

    /// Nothing was sent (a definite refusal): a later send may try again.
    pub async fn forget(&self) {
        self.write(None, None).await;
    }
}

/// Looks the message up for a send from `mailbox` by `route`, and claims it when it may
/// be sent.
pub(crate) async fn check(config: &Config, mailbox: &str, id: &Identity, route: &str) -> Verdict {
    let record = Record::new(config, mailbox, id, route);
    let message_id = id.message_id.as_str();
    // Three rounds: a lost race re-reads what the winner wrote.
    for _ in 0..3 {
        let fresh = Entry::in_flight(route, None, record.hold).encode();
        let found = match record.swap(None, &fresh).await {
            Ok(()) => return Verdict::Send(record),
            Err(None) => continue,
            Err(Some(raw)) => raw,
        };
        let entry = Entry::decode(&found).unwrap_or_else(|| Entry::unknown("unknown", None));
        match entry.state {
            State::Accepted => {
                let mut receipt = entry.receipt.unwrap_or_else(|| Receipt::unnamed(mailbox));
                receipt.already_sent = true;
                return Verdict::AlreadySent(receipt);
            }
            State::InFlight if !entry.is_abandoned() => return Verdict::Refuse(in_flight(config, message_id, &entry)),
            _ if !config.exactly_once || entry.route != "draft" => return Verdict::Refuse(unknown(config, message_id, &entry)),
            _ => {}
        }
        // exactly_once, a draft: take it over (one process at a time) and settle it.
        let draft = entry.draft_id.clone();
        let mine = Entry::in_flight(route, draft.as_deref(), record.hold).encode();
        if record.swap(Some(&found), &mine).await.is_ok() {
            let mut record = record;
            record.draft_id = draft.clone();
            return match draft {
                Some(d) => Verdict::Settle(record, d),
                // Killed before its draft existed: nothing can have been sent.
                None => Verdict::Send(record),
            };
        }
    }
    Verdict::Refuse(in_flight(config, message_id, &Entry::in_flight(route, None, Duration::ZERO)))
}

fn age(entry: &Entry) -> String {
    let secs = entry::now_ms().saturating_sub(entry.at_ms) / 1000;
    format!("{secs} s ago")
}

/// An earlier send of the message got no clear answer.
fn unknown(config: &Config, message_id: &str, entry: &Entry) -> Error {
    let settle = if config.exactly_once {
        "it went by sendMail, which cannot be settled afterwards"
    } else {
        "set `exactly_once` (env O365_EXACTLY_ONCE) to have the sender settle such sends itself"
    };
    Error::new(
        ErrorKind::OutcomeUnknown,
        format!(
            "not sent again: an earlier send of the message {message_id} ({}) got no clear answer from Graph, so it may have been \
             delivered (the send ledger keeps this for `ledger_ttl`)",
            age(entry)
        ),
    )
    .with_hint(format!(
        "look for Message-ID {message_id} in the mailbox's Sent Items or the recipients' inboxes; if it did not arrive, send it \
         again with a new Message-ID; {settle}"
    ))
}

/// Another send of the message is still running (or was killed less than its deadline ago).
fn in_flight(config: &Config, message_id: &str, entry: &Entry) -> Error {
    Error::new(
        ErrorKind::OutcomeUnknown,
        format!(
            "not sent: another send of the message {message_id} started {} and has not finished (a worker still running it, or \
             killed within its `deadline` of {:.0} s)",
            age(entry),
            config.deadline.as_secs_f64()
        ),
    )
    .with_hint(format!(
        "retry after {:.0} s: the ledger then knows whether it was accepted (with `exactly_once`, a killed send is settled)",
        (config.deadline + IN_FLIGHT_MARGIN).as_secs_f64()
    ))
}
