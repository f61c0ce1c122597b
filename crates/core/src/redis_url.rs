//! Config key `redis_url`: `redis://[user:password@]host:port/db`, or `rediss://` for
//! TLS. Checked when the config is built, with errors that name the key and never echo
//! the URL: it may hold a password, so it is kept as a [`Secret`] and its `Debug` shows
//! nothing of it.

use std::fmt;

use crate::error::{Error, Result};
use crate::secret::Secret;

/// A checked Redis URL.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RedisUrl {
    url: Secret,
    /// `host:port`, for warnings (never the user, password or database).
    address: String,
}

impl fmt::Debug for RedisUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RedisUrl([redacted])")
    }
}

const FORM: &str = "redis://[user:password@]host:port/db, or rediss://... for TLS";

impl RedisUrl {
    /// Checks `value` (the scheme, a host, a numeric database) without printing it.
    pub fn parse(value: &str) -> Result<RedisUrl> {
        let bad = |why: &str| {
            Error::config("redis_url", format!("config key `redis_url` {why}; expected {FORM}"))
                .with_hint("set `redis_url` (env O365_REDIS_URL) to the URL of the Redis that every worker sending from these mailboxes uses, or remove it to keep the limits per process")
        };
        let url = redis::parse_redis_url(value).ok_or_else(|| bad("is not a Redis URL"))?;
        let tls = match url.scheme() {
            "redis" => false,
            "rediss" => true,
            other => return Err(bad(&format!("has the scheme `{}`", other.escape_debug()))),
        };
        let host = url.host_str().filter(|h| !h.is_empty()).ok_or_else(|| bad("names no host"))?;
        let db = url.path().trim_start_matches('/');
        if !db.is_empty() && db.parse::<u16>().is_err() {
            return Err(bad("has a database that is not a number (the path must be empty or `/0`, `/1`, ...)"));
        }
        if redis::IntoConnectionInfo::into_connection_info(url.clone()).is_err() {
            return Err(bad("is not a usable Redis URL"));
        }
        let port = url.port().unwrap_or(6379);
        let address = format!("{}{host}:{port}", if tls { "rediss://" } else { "redis://" });
        Ok(RedisUrl { url: Secret::new(value), address })
    }

    /// The URL, for the one place that connects.
    pub(crate) fn expose(&self) -> &str {
        self.url.expose()
    }

    /// Whether the connection uses TLS.
    pub(crate) fn tls(&self) -> bool {
        self.address.starts_with("rediss://")
    }

    /// `redis[s]://host:port`, without user, password or database.
    pub fn address(&self) -> &str {
        &self.address
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_documented_forms() {
        for ok in ["redis://127.0.0.1:6379", "redis://:pw@cache:6380/2", "rediss://user:pw@cache.example.com:6380/0", "redis://localhost"] {
            RedisUrl::parse(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
        assert_eq!(RedisUrl::parse("rediss://u:pw@cache:6380/1").unwrap().address(), "rediss://cache:6380");
    }

    #[test]
    fn refusals_name_the_key_and_never_the_password() {
        for bad in ["http://u:hunter2-pw@cache:6379", "redis://u:hunter2-pw@cache:6379/db", "hunter2-pw", "redis://:hunter2-pw@/0"] {
            let e = RedisUrl::parse(bad).unwrap_err();
            assert_eq!(e.config_key.as_deref(), Some("redis_url"), "{bad}");
            let shown = format!("{e} {e:?}");
            assert!(!shown.contains("hunter2"), "{shown}");
            assert!(shown.contains("rediss://"), "{shown}");
        }
        let u = RedisUrl::parse("redis://u:hunter2-pw@cache:6379").unwrap();
        assert!(!format!("{u:?}").contains("hunter2"));
    }
}
