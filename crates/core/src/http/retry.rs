//! When to try again. Graph's Retry-After wins when given (fractional seconds allowed);
//! otherwise exponential backoff with jitter. Bounded by `max_retries` and by the send's
//! deadline (config `deadline`): a wait that would end after the deadline is not started,
//! so a send never blocks a PHP request longer than the caller allowed.

use std::future::Future;
use std::time::{Duration, Instant};

use crate::error::{Error, ErrorKind, Result};

/// First backoff delay without Retry-After. Shorter than the SDKs' 3 s: a PHP request
/// (often a web request) is waiting, and Graph sends Retry-After when it cares.
pub const BASE_DELAY: Duration = Duration::from_millis(500);
/// Largest single backoff delay.
pub const MAX_DELAY: Duration = Duration::from_secs(30);

/// Why no further attempt is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// `max_retries` retries were made.
    Exhausted,
    /// The next wait (`wait`, Graph's Retry-After or the backoff) would end after the
    /// deadline, which leaves `left`.
    Deadline { wait: Duration, left: Duration },
}

/// Retry state of one operation.
#[derive(Debug)]
pub struct Backoff {
    max_retries: u32,
    attempt: u32,
    deadline: Instant,
}

impl Backoff {
    /// A fresh budget of `max_retries` retries, all before `deadline`.
    pub fn new(max_retries: u32, deadline: Instant) -> Self {
        Backoff { max_retries, attempt: 0, deadline }
    }

    /// The delay before the next attempt, or why there is none.
    pub fn next_delay(&mut self, retry_after: Option<Duration>) -> std::result::Result<Duration, Stop> {
        if self.attempt >= self.max_retries {
            return Err(Stop::Exhausted);
        }
        let delay = match retry_after {
            Some(d) => d,
            None => {
                let exp = BASE_DELAY.saturating_mul(1u32 << self.attempt.min(16)).min(MAX_DELAY);
                // Jitter over [exp/2, exp]: spreads apart the retries of many PHP workers
                // that were throttled at the same moment.
                crate::jitter::jittered(exp)
            }
        };
        let left = self.deadline.saturating_duration_since(Instant::now());
        if delay >= left {
            return Err(Stop::Deadline { wait: delay, left });
        }
        self.attempt += 1;
        Ok(delay)
    }
}

/// The time left before `deadline` (zero once it passed).
pub fn left(deadline: Instant) -> Duration {
    deadline.saturating_duration_since(Instant::now())
}

/// `now + d`, or a far but representable instant when that overflows (a hostile
/// `expires_in` or `Retry-After` must not panic).
pub fn saturating_after(now: Instant, d: Duration) -> Instant {
    now.checked_add(d).or_else(|| now.checked_add(Duration::from_secs(100 * 365 * 86400))).unwrap_or(now)
}

/// Parses Retry-After as seconds, fractional allowed (Graph sends e.g. `2.128`).
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let v = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim();
    let secs: f64 = v.parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(3600.0)))
}

/// What one attempt's answer means. Every request of the crate (Entra's token
/// endpoint, Graph) is classified into one of these and [`run`] acts on it.
#[derive(Debug)]
pub(crate) enum Verdict<T> {
    /// Success.
    Done(T),
    /// Nothing was done (throttled, unavailable, never reached the server): send again
    /// after the server's Retry-After or a backoff.
    Retry(Error, Option<Duration>),
    /// The bearer token was refused (and already dropped from the cache): fetch a new one
    /// and send again, once.
    RefetchToken(Error),
    /// Final; sending again cannot help.
    Fail(Error),
    /// The request may have been acted on (sent, then no usable answer); sending it
    /// again could do it twice.
    OutcomeUnknown(Error),
}

/// What one attempt gets from [`run`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Attempt {
    /// 1 for the first attempt.
    pub number: u32,
    /// The attempt's timeout: the config's `timeout`, cut to what the deadline leaves.
    pub timeout: Duration,
}

/// The retry rules of one request, from the config and the send's deadline.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Policy {
    pub max_retries: u32,
    pub timeout: Duration,
    pub deadline: Instant,
    /// The configured `deadline`, named in errors.
    pub budget: Duration,
}

/// The one retry loop: calls `attempt` until it is done, fails, or the retries or the
/// deadline run out, waiting between attempts as the verdicts ask.
pub(crate) async fn run<T, F, Fut>(policy: Policy, action: &str, mut attempt: F) -> Result<T>
where
    F: FnMut(Attempt) -> Fut,
    Fut: Future<Output = Verdict<T>>,
{
    let started = Instant::now();
    let mut backoff = Backoff::new(policy.max_retries, policy.deadline);
    let mut refetched = false;
    let mut number = 0u32;
    loop {
        number += 1;
        let left = left(policy.deadline);
        if left.is_zero() {
            return Err(deadline_passed(action, policy.budget));
        }
        match attempt(Attempt { number, timeout: policy.timeout.min(left) }).await {
            Verdict::Done(t) => return Ok(t),
            Verdict::Fail(e) => return Err(e),
            Verdict::OutcomeUnknown(e) => return Err(outcome_unknown(e, started, number)),
            Verdict::RefetchToken(_) if !refetched => refetched = true,
            Verdict::RefetchToken(e) => return Err(e),
            Verdict::Retry(e, retry_after) => match backoff.next_delay(retry_after) {
                Ok(d) => tokio::time::sleep(d).await,
                Err(stop) => return Err(gave_up(e, number, stop, policy.budget)),
            },
        }
    }
}

/// The deadline passed before an attempt could start (a long wait for a mailbox slot).
pub(crate) fn deadline_passed(action: &str, budget: Duration) -> Error {
    Error::new(ErrorKind::Throttled, format!("{action}: the send's deadline of {:.1} s passed before the request could be sent", budget.as_secs_f64()))
        .with_hint("raise `deadline` (seconds for the whole send), or send fewer messages at once from this mailbox")
}

/// The error for a request that may have been acted on.
fn outcome_unknown(mut err: Error, started: Instant, attempts: u32) -> Error {
    err.kind = ErrorKind::OutcomeUnknown;
    err.message = format!(
        "{} after {:.1}s (attempt {attempts}); the request had been sent, so Graph may have acted on it \
         (for sendMail: accepted the message). Not retried, to avoid sending it twice",
        err.message,
        started.elapsed().as_secs_f64(),
    );
    err.hint = Some(
        "check the recipients' inboxes or the mailbox's Sent Items before sending again; quote the client-request-id \
         to Microsoft support to learn whether Graph received it"
            .into(),
    );
    err
}

/// Says why retrying stopped: the attempts made, and the wait the deadline did not allow.
fn gave_up(mut err: Error, attempts: u32, stop: Stop, budget: Duration) -> Error {
    if attempts > 1 {
        err.message = format!("{} (gave up after {attempts} attempts)", err.message);
    }
    match stop {
        Stop::Deadline { wait, left } => {
            let asked = if err.retry_after.is_some() { "Graph asked to wait" } else { "the next retry was due in" };
            err.message = format!(
                "{}; {asked} {:.1} s, not shorter than the {:.1} s left of the send's deadline ({:.0} s, config `deadline`)",
                err.message,
                wait.as_secs_f64(),
                left.as_secs_f64(),
                budget.as_secs_f64()
            );
        }
        Stop::Exhausted => {
            if let Some(wait) = err.retry_after {
                err.message = format!("{}; Graph asked to wait {:.1} s", err.message, wait.as_secs_f64());
            }
        }
    }
    if err.kind == ErrorKind::Throttled && err.hint.is_none() {
        err.hint = Some(
            "Graph throttles per app and mailbox (4 concurrent requests, 10,000 per 10 minutes): send less at once, \
             queue the mail and retry later, or raise `max_retries` and `deadline`"
                .into(),
        );
    }
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn honours_retry_after_and_the_budget() {
        let far = Instant::now() + Duration::from_secs(600);
        let mut b = Backoff::new(2, far);
        assert_eq!(b.next_delay(Some(Duration::from_millis(2128))), Ok(Duration::from_millis(2128)));
        let d = b.next_delay(None).unwrap();
        assert!(d >= BASE_DELAY / 2 && d <= BASE_DELAY * 2, "{d:?}");
        assert_eq!(b.next_delay(None), Err(Stop::Exhausted));
    }

    #[test]
    fn a_wait_past_the_deadline_is_not_started() {
        let mut b = Backoff::new(5, Instant::now() + Duration::from_secs(10));
        match b.next_delay(Some(Duration::from_secs(500))) {
            Err(Stop::Deadline { wait, left }) => {
                assert_eq!(wait, Duration::from_secs(500));
                assert!(left <= Duration::from_secs(10));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_wait_equal_to_the_time_left_is_not_called_longer() {
        // `next_delay` stops when the wait is >= the time left: equal is "not shorter".
        let mut err = Error::new(ErrorKind::Throttled, "Graph throttled the send");
        err.retry_after = Some(Duration::from_secs(30));
        let stop = Stop::Deadline { wait: Duration::from_secs(30), left: Duration::from_secs(30) };
        let e = gave_up(err, 1, stop, Duration::from_secs(60));
        assert!(e.message.contains("Graph asked to wait 30.0 s, not shorter than the 30.0 s left of the send's deadline"), "{}", e.message);
    }

    #[test]
    fn retry_after_accepts_fractions() {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert("retry-after", "2.128".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_millis(2128)));
        h.insert("retry-after", "soon".parse().unwrap());
        assert_eq!(retry_after(&h), None);
    }
}
