//! Narrowing what a failover of the Redis primary can lose. Redis replicates
//! asynchronously: a write the primary acknowledged can be lost when that primary dies
//! before a replica got it and a replica is promoted. For a write that must outlive a
//! failover (the send ledger's "accepted" entry), `WAIT 1 <ms>` on the connection that
//! wrote it returns once one replica has everything that connection wrote, or after
//! `<ms>`. It is only asked of a node that has replicas (`INFO replication`, once per
//! connection): WAIT on a node without any would always wait the whole timeout.
//! WAIT blocks the (multiplexed) connection it runs on, so its timeout is kept well under
//! the connection's command timeout ([`super::REDIS_TIMEOUT`]): a command of another send
//! queued behind it still gets its answer in time.

use std::time::Duration;

use redis::aio::MultiplexedConnection;

use super::Redis;

/// What became of a write that was to reach a replica.
pub(crate) enum Replicated {
    /// One replica has it.
    Confirmed,
    /// The node has no replica (nothing to wait for), or no time was left.
    NotAsked,
    /// Not confirmed, and why (in words without the URL).
    NotConfirmed(String),
}

impl Redis {
    /// After a write on `conn` (the connection of the node serving `key`): waits up to
    /// `max` for one replica to have it. Never marks Redis as failing for a WAIT that
    /// times out: the write itself was answered.
    pub async fn replicate(&self, key: &str, conn: &mut MultiplexedConnection, max: Duration) -> Replicated {
        let Some(node) = self.node_for(key) else { return Replicated::NotAsked };
        // WAIT's timeout 0 means for ever: no time left, no WAIT.
        let ms = max.as_millis().min(u128::from(u32::MAX)) as u64;
        if ms == 0 || !self.has_replicas(&node, conn).await {
            return Replicated::NotAsked;
        }
        match redis::cmd("WAIT").arg(1).arg(ms).query_async::<i64>(conn).await {
            Ok(n) if n >= 1 => Replicated::Confirmed,
            Ok(_) => Replicated::NotConfirmed(format!("no replica confirmed it within {ms} ms")),
            Err(e) => {
                if e.code().is_some() {
                    // Refused (a proxy or service that does not offer WAIT): not asked again
                    // on this connection.
                    self.learned_replicas(&node, false);
                } else {
                    self.failed(&e);
                }
                Replicated::NotConfirmed(format!("WAIT failed ({})", e.code().unwrap_or("no answer")))
            }
        }
    }

    /// Whether `node` has a connected replica: `INFO replication` on its first use, then
    /// remembered until the connection is dropped (a replica added later is used after
    /// the next reconnect).
    async fn has_replicas(&self, node: &str, conn: &mut MultiplexedConnection) -> bool {
        if let Some(known) = self.known_replicas(node) {
            return known;
        }
        let info = redis::cmd("INFO").arg("replication").query_async::<String>(conn).await.unwrap_or_default();
        let has = connected_replicas(&info) > 0;
        self.learned_replicas(node, has);
        has
    }
}

/// `connected_slaves:N` of `INFO replication` (0 when absent: a replica, or no answer).
fn connected_replicas(info: &str) -> u32 {
    info.lines().find_map(|l| l.trim().strip_prefix("connected_slaves:")).and_then(|n| n.parse().ok()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::connected_replicas;

    #[test]
    fn replicas_are_read_from_info_replication() {
        assert_eq!(connected_replicas("# Replication\r\nrole:master\r\nconnected_slaves:2\r\nslave0:ip=127.0.0.1\r\n"), 2);
        assert_eq!(connected_replicas("# Replication\r\nrole:master\r\nconnected_slaves:0\r\n"), 0);
        assert_eq!(connected_replicas("role:slave\r\nmaster_host:127.0.0.1\r\n"), 0);
        assert_eq!(connected_replicas(""), 0);
    }
}
