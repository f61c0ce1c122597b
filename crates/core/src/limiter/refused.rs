//! The error of a slot not granted within the send's deadline: `ErrorKind::Throttled`
//! (ThrottledException in PHP), saying which limit refused, and carrying the wait as
//! `retry_after` so that a queue can put the mail back for that long.

use super::ask::Ask;
use super::decision::GiveUp;
use super::limits::Limits;
use super::store::Refusal;
use crate::error::{Error, ErrorKind};

/// The throttling error of `ask`, refused for `why`, given up as `late` says.
pub(crate) fn throttled(ask: &Ask<'_>, why: Refusal, late: &GiveUp, limits: &Limits) -> Error {
    let (what, hint) = explain(why, limits);
    let message = if late.wait.is_zero() {
        format!("{}: throttled before sending: {what}; the send's deadline of {:.1} s (config `deadline`) passed while waiting", ask.what, ask.budget.as_secs_f64())
    } else {
        format!(
            "{}: throttled before sending: {what}; the wait of {:.1} s is not shorter than the {:.1} s left of the send's deadline ({:.0} s, config `deadline`)",
            ask.what,
            late.wait.as_secs_f64(),
            late.left.as_secs_f64(),
            ask.budget.as_secs_f64()
        )
    };
    let mut e = Error::new(ErrorKind::Throttled, message).with_hint(hint);
    if !late.wait.is_zero() {
        e.retry_after = Some(late.wait);
    }
    e
}

/// Which limit refused, and what the user can do about it.
fn explain(why: Refusal, limits: &Limits) -> (String, &'static str) {
    match why {
        Refusal::Hold => (
            "Graph asked this app to wait before its next request to this mailbox (429 with Retry-After, shared by every worker through `redis_url`)".to_string(),
            "queue the mail and send it after the wait (the Laravel queue middleware releases the job for that long), or raise `deadline`",
        ),
        Refusal::Window => (
            format!("the app sent {} requests to this mailbox within {} s (Exchange's limit per app and mailbox)", limits.window_requests, limits.window.as_secs()),
            "spread the mail over more sending mailboxes or over time (queue it), or raise `deadline`",
        ),
        Refusal::Upload => (
            format!("the app uploaded {} MiB to this mailbox within {} s (Exchange's limit per app and mailbox)", limits.upload_bytes >> 20, limits.upload_window.as_secs()),
            "send large attachments from more mailboxes or spread them over time (queue the mail), or raise `deadline`",
        ),
        Refusal::Concurrency => (
            format!("{} requests of this app to this mailbox were in flight until the deadline", limits.concurrency),
            "send from fewer workers at once per mailbox, queue the mail, or raise `deadline` (seconds for the whole send)",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn ask() -> Ask<'static> {
        Ask { upload_bytes: 0, deadline: Instant::now(), budget: Duration::from_secs(10), what: "sendMail for mailbox `a@contoso.com`" }
    }

    #[test]
    fn a_known_wait_is_carried_for_a_queue_and_named_against_the_deadline() {
        let late = GiveUp { wait: Duration::from_secs(30), left: Duration::from_secs(4), queued: false };
        let e = throttled(&ask(), Refusal::Hold, &late, &Limits::default());
        assert_eq!(e.kind, ErrorKind::Throttled);
        assert_eq!(e.retry_after, Some(Duration::from_secs(30)));
        assert!(e.message.starts_with("sendMail for mailbox `a@contoso.com`: throttled before sending"), "{e}");
        assert!(e.message.contains("wait of 30.0 s is not shorter than the 4.0 s left") && e.message.contains("config `deadline`"), "{e}");
        assert!(e.hint.as_deref().is_some_and(|h| h.contains("queue the mail")), "{e:?}");
    }

    #[test]
    fn slots_taken_until_the_deadline_carry_no_wait() {
        let late = GiveUp { wait: Duration::ZERO, left: Duration::ZERO, queued: true };
        let e = throttled(&ask(), Refusal::Concurrency, &late, &Limits::default());
        assert_eq!(e.retry_after, None);
        assert!(e.message.contains("4 requests of this app to this mailbox were in flight") && e.message.contains("deadline of 10.0 s"), "{e}");
        assert!(e.hint.as_deref().is_some_and(|h| h.contains("fewer workers")), "{e:?}");
    }
}
