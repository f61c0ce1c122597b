//! The "accepted" entry should outlive a failover of the Redis primary: a lost one lets a
//! retry of the message in another process send it twice. After writing it, the ledger
//! waits for one replica to have it (`WAIT 1`, `limiter/replicas.rs`) when the node has
//! replicas, for at most [`REPLICA_WAIT_MAX`] and never past the send's deadline. The mail
//! was accepted whatever the outcome: a replica that does not confirm never fails the
//! send; it is said once per process as a warning ([`take_warning`]).

use std::time::{Duration, Instant};

use crate::limiter::Replicated;
use crate::process_warning::ProcessWarning;

/// The longest wait for a replica. A replica on the same network confirms within a
/// millisecond or two (WAIT makes the primary ask it at once); 200 ms is a hundred times
/// that, small beside a Graph send, and well under the Redis command timeout (500 ms) that
/// commands of other sends queued behind the WAIT on the shared connection still need.
pub(crate) const REPLICA_WAIT_MAX: Duration = Duration::from_millis(200);

static WARNING: ProcessWarning = ProcessWarning::new();

/// How long this send may wait for a replica: the cap, or what is left of its deadline.
pub(super) fn wait_for(deadline: Instant) -> Duration {
    crate::http::retry::left(deadline).min(REPLICA_WAIT_MAX)
}

/// Says once per process that an "accepted" entry was not confirmed by a replica.
pub(super) fn note(outcome: Replicated, address: &str) {
    let Replicated::NotConfirmed(why) = outcome else { return };
    WARNING.set(|| {
        format!(
            "redis_url: the send ledger's \"accepted\" entry was written to the Redis primary ({address}) but {why} (WAIT 1, at most \
             {} ms); the mail was sent, but a failover of that primary before its replica catches up could lose the entry, and a \
             retry of the same message in another process would then send it again. Fix: check the replica's link and lag \
             (`redis-cli INFO replication` on the primary: connected_slaves, lag)",
            REPLICA_WAIT_MAX.as_millis()
        )
    });
}

/// The warning, once per process: the first receipt after it carries it.
pub(crate) fn take_warning() -> Option<String> {
    WARNING.take()
}
