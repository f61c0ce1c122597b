//! What a send asks the limiter for: a slot for one HTTP attempt, with the bytes the
//! attempt uploads, until when it may wait, and the names its errors use.

use std::time::{Duration, Instant};

/// What one acquire is for, and how long it may wait.
pub(crate) struct Ask<'a> {
    /// Bytes uploaded by the request (upload-session PUTs), counted in the upload budget.
    pub upload_bytes: u64,
    /// The send's deadline and the configured `deadline` (named in errors).
    pub deadline: Instant,
    pub budget: Duration,
    /// The request, for errors ("sendMail for mailbox `a@b`").
    pub what: &'a str,
}

impl Ask<'_> {
    /// The time left before the deadline (zero once it passed).
    pub fn left(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }
}
