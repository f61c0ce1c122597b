//! Config key `redis_url`: where the shared limiter (and the send ledger) keep their
//! state. Three shapes:
//! - `redis://[user:password@]host:port/db` (`rediss://` for TLS): one node;
//! - `redis+cluster://[user:password@]h1:p1,h2:p2,.../` (`rediss+cluster://`): the seed
//!   nodes of a Redis Cluster (any reachable one tells where the others are);
//! - `redis+sentinel://[user:password@]s1:p1,s2:p2,.../SERVICE[/db][?sentinel_password=P]`
//!   (`rediss+sentinel://`): the Sentinels that know the primary of SERVICE; the user
//!   and password are those of the primary. Sentinels that require a password of their
//!   own (Sentinel's `requirepass`, or an ACL user with `sentinel_username`) get it from
//!   the query, as go-redis (`SentinelUsername`/`SentinelPassword`), Spring
//!   (`spring.data.redis.sentinel.password`) and predis (each Sentinel's `password`
//!   parameter) keep it apart from the data nodes' password; without it they are asked
//!   without AUTH.
//!
//! Checked when the config is built, with errors that name the key and never echo the
//! URL: it may hold a password, so it is kept as a [`Secret`] and its `Debug` shows
//! nothing of it.

use std::fmt;

use crate::error::{Error, Result};
use crate::config::secret::Secret;

/// How the Redis of a URL is laid out.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Topology {
    /// One node (standalone, or a primary behind a proxy).
    Single,
    /// A Redis Cluster, found from the seed nodes.
    Cluster,
    /// The primary of `service`, as the Sentinels name it.
    Sentinel { service: String },
}

/// A checked Redis URL.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RedisUrl {
    /// `scheme://host:port[,...]`, for warnings (never the user, password or database).
    address: String,
    topology: Topology,
    tls: bool,
    /// The seed nodes (cluster), the Sentinels, or the one node: `host:port`.
    nodes: Vec<String>,
    /// `user:password@` as written (percent-encoded), or empty.
    userinfo: Secret,
    /// The Sentinels' own `user:password@` (from `sentinel_username`/`sentinel_password`,
    /// percent-encoded as written), or empty.
    sentinel_userinfo: Secret,
    db: u16,
}

impl fmt::Debug for RedisUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RedisUrl([redacted])")
    }
}

const FORM: &str = "redis://[user:password@]host:port/db (rediss:// for TLS), \
redis+cluster://[user:password@]host1:port1,host2:port2/ (rediss+cluster://), or \
redis+sentinel://[user:password@]sentinel1:port1,sentinel2:port2/SERVICE_NAME[/db][?sentinel_password=SENTINEL_PASSWORD] (rediss+sentinel://)";

fn bad(why: &str) -> Error {
    Error::config("redis_url", format!("config key `redis_url` {why}; expected {FORM}"))
        .with_hint("set `redis_url` (env O365_REDIS_URL) to the URL of the Redis that every worker sending from these mailboxes uses, or remove it to keep the limits per process")
}

impl RedisUrl {
    /// Checks `value` (the scheme, the hosts, a numeric database) without printing it.
    pub fn parse(value: &str) -> Result<RedisUrl> {
        if value.ends_with("#insecure") {
            return Err(bad("ends in `#insecure` (no certificate check), which is not supported: add the CA of the Redis as `ca_file` instead"));
        }
        let (scheme, rest) = value.split_once("://").ok_or_else(|| bad("is not a Redis URL"))?;
        let (tls, topology_word) = match scheme {
            "redis" => (false, ""),
            "rediss" => (true, ""),
            "redis+cluster" => (false, "cluster"),
            "rediss+cluster" => (true, "cluster"),
            "redis+sentinel" => (false, "sentinel"),
            "rediss+sentinel" => (true, "sentinel"),
            other => return Err(bad(&format!("has the scheme `{}`", other.escape_debug()))),
        };
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        if topology_word != "sentinel" && !query.is_empty() {
            return Err(bad("has a query (`?...`); only redis+sentinel:// takes one (`sentinel_username`, `sentinel_password`)"));
        }
        let sentinel_userinfo = sentinel_auth(query)?;
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let (userinfo, hosts) = match authority.rsplit_once('@') {
            Some((u, h)) => (format!("{u}@"), h),
            None => (String::new(), authority),
        };
        let (topology, db) = match topology_word {
            "cluster" => (Topology::Cluster, cluster_path(path)?),
            "sentinel" => sentinel_path(path)?,
            _ => (Topology::Single, database(path)?),
        };
        let default_port = if topology_word == "sentinel" { 26379 } else { 6379 };
        let nodes = hosts.split(',').map(|h| node(h, default_port)).collect::<Result<Vec<_>>>()?;
        if topology == Topology::Single && nodes.len() > 1 {
            return Err(bad("names several hosts (use redis+cluster:// for the seed nodes of a Redis Cluster, redis+sentinel:// for Sentinels)"));
        }
        let mut address = format!("{scheme}://{}", nodes.join(","));
        if let Topology::Sentinel { service } = &topology {
            address = format!("{address}/{service}");
        }
        let url = RedisUrl { address, topology, tls, nodes, userinfo: Secret::new(&userinfo), sentinel_userinfo: Secret::new(&sentinel_userinfo), db };
        // Every node URL must be one redis-rs can use (user and password included).
        let usable = |probe: Secret| redis::parse_redis_url(probe.expose()).is_some_and(|u| redis::IntoConnectionInfo::into_connection_info(u).is_ok());
        if !usable(url.node_url(&url.nodes[0])) || !usable(url.sentinel_url(&url.nodes[0])) {
            return Err(bad("is not a usable Redis URL"));
        }
        Ok(url)
    }

    /// The URL of the data node at `host:port` (the one node, a cluster node, or the
    /// primary a Sentinel named): scheme, user, password and database of this URL.
    pub(crate) fn node_url(&self, node: &str) -> Secret {
        let scheme = if self.tls { "rediss" } else { "redis" };
        Secret::new(&format!("{scheme}://{}{node}/{}", self.userinfo.expose(), self.db))
    }

    /// The URL of a Sentinel: its own user and password when given (`sentinel_username`,
    /// `sentinel_password`), never the primary's, and no database.
    pub(crate) fn sentinel_url(&self, node: &str) -> Secret {
        Secret::new(&format!("{}://{}{node}", if self.tls { "rediss" } else { "redis" }, self.sentinel_userinfo.expose()))
    }

    /// Whether the Sentinels are given a password of their own.
    pub(crate) fn sentinel_auth(&self) -> bool {
        !self.sentinel_userinfo.expose().is_empty()
    }

    /// The seed nodes, the Sentinels, or the one node, as `host:port`.
    pub(crate) fn nodes(&self) -> &[String] {
        &self.nodes
    }

    pub(crate) fn topology(&self) -> &Topology {
        &self.topology
    }

    /// Whether the connections use TLS.
    pub(crate) fn tls(&self) -> bool {
        self.tls
    }

    /// `scheme://host:port[,...]`, without user, password or database.
    pub fn address(&self) -> &str {
        &self.address
    }
}

/// One `host:port` (or `host`, or `[v6]:port`), checked: a host, a numeric port.
fn node(text: &str, default_port: u16) -> Result<String> {
    let (host, port) = match text.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(':') && (!h.starts_with('[') || h.ends_with(']')) => (h, Some(p)),
        _ => (text, None),
    };
    if host.is_empty() || host.contains(['/', '?', '#', '@', ' ']) {
        return Err(bad("names no host (or an empty one between commas)"));
    }
    let port = match port {
        Some(p) => p.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(|| bad("has a port that is not a number from 1 to 65535"))?,
        None => default_port,
    };
    Ok(format!("{host}:{port}"))
}

fn database(path: &str) -> Result<u16> {
    if path.is_empty() {
        return Ok(0);
    }
    path.parse::<u16>().map_err(|_| bad("has a database that is not a number (the path must be empty or `/0`, `/1`, ...)"))
}

fn cluster_path(path: &str) -> Result<u16> {
    match path {
        "" | "0" => Ok(0),
        _ => Err(bad("has a path after the cluster's nodes (a Redis Cluster has only database 0: end the URL with the last `host:port` or `/`)")),
    }
}

/// `user:password@` for the Sentinels from the query (`sentinel_username`,
/// `sentinel_password`, percent-encoded), or empty; any other parameter is refused.
fn sentinel_auth(query: &str) -> Result<String> {
    let (mut user, mut password) = (String::new(), String::new());
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("sentinel_username", v)) => user = v.to_string(),
            Some(("sentinel_password", v)) => password = v.to_string(),
            _ => {
                // The name only when it is a word: a stray value must not be echoed.
                let name = pair.split('=').next().unwrap_or_default();
                let shown = if !name.is_empty() && name.len() <= 32 && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') { format!(" `{name}`") } else { String::new() };
                return Err(bad(&format!("has an unknown query parameter{shown} (known: `sentinel_username`, `sentinel_password`)")));
            }
        }
    }
    if user.contains([':', '@', '/']) || password.contains(['@', '/']) {
        return Err(bad("has a `sentinel_username` or `sentinel_password` with `:`, `@` or `/` not percent-encoded (write %3A, %40, %2F)"));
    }
    Ok(match (user.is_empty(), password.is_empty()) {
        (true, true) => String::new(),
        (_, true) => format!("{user}@"),
        _ => format!("{user}:{password}@"),
    })
}

fn sentinel_path(path: &str) -> Result<(Topology, u16)> {
    let (service, db) = path.split_once('/').unwrap_or((path, ""));
    if service.is_empty() || service.contains(['?', '#', '%']) {
        return Err(bad("names no Sentinel service (the primary's name in the Sentinels' configuration, e.g. `/mymaster`)"));
    }
    Ok((Topology::Sentinel { service: service.to_string() }, database(db.trim_end_matches('/'))?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_documented_forms() {
        for ok in [
            "redis://127.0.0.1:6379",
            "redis://:pw@cache:6380/2",
            "rediss://user:pw@cache.example.com:6380/0",
            "redis://localhost",
            "redis+cluster://10.0.0.1:7000,10.0.0.2:7001/",
            "rediss+cluster://u:pw@a:7000,b:7001,c",
            "redis+sentinel://s1:26379,s2:26380/mymaster",
            "rediss+sentinel://u:pw@s1,s2/mymaster/3",
        ] {
            RedisUrl::parse(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
        assert_eq!(RedisUrl::parse("rediss://u:pw@cache:6380/1").unwrap().address(), "rediss://cache:6380");
        let c = RedisUrl::parse("rediss+cluster://u:pw@a:7000,b:7001,c").unwrap();
        assert_eq!(c.topology(), &Topology::Cluster);
        assert_eq!(c.nodes(), ["a:7000", "b:7001", "c:6379"]);
        assert_eq!(c.address(), "rediss+cluster://a:7000,b:7001,c:6379");
        assert_eq!(c.node_url("10.1.1.1:7005").expose(), "rediss://u:pw@10.1.1.1:7005/0");
        let s = RedisUrl::parse("redis+sentinel://u:pw@s1,s2:26380/mymaster/3").unwrap();
        assert_eq!(s.topology(), &Topology::Sentinel { service: "mymaster".into() });
        assert_eq!(s.nodes(), ["s1:26379", "s2:26380"]);
        assert_eq!(s.node_url("p:6379").expose(), "redis://u:pw@p:6379/3");
        assert_eq!(s.sentinel_url("s1:26379").expose(), "redis://s1:26379");
        assert_eq!(s.address(), "redis+sentinel://s1:26379,s2:26380/mymaster");
        assert!(!s.sentinel_auth());
    }

    #[test]
    fn sentinels_take_their_own_password_apart_from_the_primarys() {
        let s = RedisUrl::parse("rediss+sentinel://:data-pw@s1,s2:26380/mymaster/3?sentinel_password=s%40pw").unwrap();
        assert_eq!(s.sentinel_url("s1:26379").expose(), "rediss://:s%40pw@s1:26379");
        assert_eq!(s.node_url("p:6379").expose(), "rediss://:data-pw@p:6379/3", "the primary keeps its own password");
        assert_eq!(s.address(), "rediss+sentinel://s1:26379,s2:26380/mymaster");
        assert!(s.sentinel_auth());
        let acl = RedisUrl::parse("redis+sentinel://s1/mymaster?sentinel_username=watcher&sentinel_password=pw").unwrap();
        assert_eq!(acl.sentinel_url("s1:26379").expose(), "redis://watcher:pw@s1:26379");
        assert_eq!(acl.node_url("p:6379").expose(), "redis://p:6379/0", "no password for the primary unless given");
        for (bad, says) in [
            ("redis+sentinel://s1/mymaster?password=hunter2-pw", "`password`"),
            ("redis+sentinel://s1/mymaster?hunter2-pw", "unknown query parameter ("),
            ("redis+sentinel://s1/mymaster?sentinel_password=hunter2@pw", "%40"),
            ("redis://:x@cache/0?sentinel_password=hunter2-pw", "only redis+sentinel://"),
            ("redis+cluster://a:7000/?sentinel_password=hunter2-pw", "only redis+sentinel://"),
        ] {
            let e = RedisUrl::parse(bad).unwrap_err();
            let shown = format!("{e} {e:?}");
            assert!(!shown.contains("hunter2") && e.to_string().contains(says), "{bad}: {shown}");
            assert!(shown.contains("sentinel_password"), "{shown}");
        }
        assert!(!format!("{s:?}").contains("pw"));
    }

    #[test]
    fn refusals_name_the_key_and_never_the_password() {
        for (bad, says) in [
            ("http://u:hunter2-pw@cache:6379", "scheme"),
            ("redis://u:hunter2-pw@cache:6379/db", "database"),
            ("hunter2-pw", "not a Redis URL"),
            ("redis://:hunter2-pw@/0", "no host"),
            ("redis://:hunter2-pw@a:1,b:2/0", "redis+cluster://"),
            ("redis+cluster://:hunter2-pw@a:7000,,b:7001", "no host"),
            ("redis+cluster://:hunter2-pw@a:7000,b:port", "port"),
            ("redis+cluster://:hunter2-pw@a:7000/2", "database 0"),
            ("redis+sentinel://:hunter2-pw@s1:26379", "service"),
            ("redis+sentinel://:hunter2-pw@s1:26379/mymaster/x", "database"),
        ] {
            let e = RedisUrl::parse(bad).unwrap_err();
            assert_eq!(e.config_key.as_deref(), Some("redis_url"), "{bad}");
            let shown = format!("{e} {e:?}");
            assert!(!shown.contains("hunter2"), "{shown}");
            assert!(shown.contains("rediss://") && shown.contains("redis+sentinel://"), "{shown}");
            assert!(e.to_string().contains(says), "{bad}: {e}");
        }
        let u = RedisUrl::parse("redis+cluster://u:hunter2-pw@cache:6379").unwrap();
        assert!(!format!("{u:?}").contains("hunter2") && !u.address().contains("hunter2"));
    }
}
