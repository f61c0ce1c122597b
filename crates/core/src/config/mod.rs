//! Sender configuration: one struct with every default in one place, built from the
//! key/value pairs that PHP passes (the `$config` array, the Laravel mailer entry).
//! Validation happens here, up front, with messages that name the key to fix, so a
//! typo fails at construction and never halfway through a send.
//!
//! The group holds what the settings are made of, each checked with a message naming
//! its key: raw values (`value`) and the nearest key for a typo (`key_suggestion`),
//! URLs and path segments (`url`), national clouds (`cloud`), the shapes of Entra's ids
//! (`app_ids`), secrets (`secret`), the files the settings name (`bounded_file`,
//! `ca_file`), the Redis URL (`redis_url`) and the credential (`credential/`: the key
//! material and how it is shown to Entra, sans-IO). The credential is here, not in
//! `auth/`, because `Config` holds it while `auth/` reads `Config`.
//!
//! May import `error` only: every other group reads its settings from here.

pub mod app_ids;
pub(crate) mod bounded_file;
pub(crate) mod ca_file;
pub(crate) mod cloud;
pub(crate) mod credential;
pub(crate) mod key_suggestion;
pub(crate) mod redis_url;
pub(crate) mod secret;
pub(crate) mod url;
pub(crate) mod value;

use std::path::PathBuf;
use std::time::Duration;

use crate::config::ca_file::CaFile;
use crate::config::cloud::Cloud;
use crate::config::credential::{App, Credential};
use crate::config::credential::keys::{Env, Ids, ProcessEnv, RawCredential};
use crate::config::value::{expect_bool, expect_number, expect_str};
use crate::error::{Error, Result};

pub use crate::config::value::ConfigValue;

/// The keys `Config` accepts (the public contract, docs/contracts.md), the credential's included:
/// the one list of them (unknown-key suggestions; exported as `CONFIG_KEYS` for the bindings,
/// whose DSN options are exactly these; a unit test checks each is taken).
pub const KEYS: &[&str] = &[
    "tenant_id",
    "client_id",
    "client_secret",
    "client_certificate",
    "client_certificate_key",
    "client_certificate_password",
    "client_certificate_algorithm",
    "client_certificate_send_chain",
    "federated_token_file",
    "managed_identity",
    "managed_identity_endpoint",
    "cloud",
    "login_endpoint",
    "graph_endpoint",
    "mailbox",
    "save_to_sent_items",
    "timeout",
    "max_retries",
    "deadline",
    "ca_file",
    "spool_dir",
    "redis_url",
    "exactly_once",
    "ledger_ttl",
];

/// Default request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default number of retries after throttling or a transient failure.
pub const DEFAULT_MAX_RETRIES: u32 = 3;
/// Default time budget of one whole send, retries and waits included.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(60);
/// Longest `timeout` accepted, in seconds.
const MAX_TIMEOUT_SECS: f64 = 3600.0;
/// Longest `deadline` accepted, in seconds (a 150 MB upload over a slow link).
const MAX_DEADLINE_SECS: f64 = 86400.0;
/// How long the send ledger remembers a message (24 h: longer than any queue's retries
/// of one job usually last).
pub const DEFAULT_LEDGER_TTL: Duration = Duration::from_secs(86400);
/// `ledger_ttl` bounds, in seconds: never under 24 h (a retry a day later must still be
/// recognised), at most 30 days.
const MIN_LEDGER_TTL_SECS: f64 = 86400.0;
const MAX_LEDGER_TTL_SECS: f64 = 30.0 * 86400.0;

/// A validated sender configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Directory (tenant) id or a verified domain.
    pub tenant_id: String,
    /// Application (client) id of the Entra app.
    pub client_id: String,
    /// How the app authenticates.
    pub credential: Credential,
    /// The national cloud.
    pub cloud: Cloud,
    /// Login base URL (no path); the cloud's unless overridden.
    pub login_endpoint: String,
    /// Graph base URL (no path); the cloud's unless overridden.
    pub graph_endpoint: String,
    /// Fixed sending mailbox; `None` uses the envelope sender.
    pub mailbox: Option<String>,
    /// Keep a copy in Sent Items.
    pub save_to_sent_items: bool,
    /// Timeout of one HTTP request.
    pub timeout: Duration,
    /// Retries after throttling or transient failures.
    pub max_retries: u32,
    /// Time budget of one whole send: every request, retry and Retry-After wait.
    pub deadline: Duration,
    /// An extra trusted CA (PEM file), read and checked once.
    pub ca_file: Option<CaFile>,
    /// Where streamed large messages spool their attachments (an unlinked file);
    /// `None`: the system temp directory (PHP's `sys_get_temp_dir()`).
    pub spool_dir: Option<PathBuf>,
    /// The Redis that shares the per-mailbox limits between processes (a secret: it may
    /// hold a password); `None`: limits per process.
    pub redis_url: Option<crate::config::redis_url::RedisUrl>,
    /// Every message goes as a draft, and an ambiguous `/send` is settled by deleting the
    /// draft (see `ledger`); needs Mail.ReadWrite.
    pub exactly_once: bool,
    /// How long the send ledger keeps a message's state (in Redis and in process memory).
    pub ledger_ttl: Duration,
}

impl Config {
    /// Builds a config from key/value pairs, rejecting unknown keys and wrong types.
    /// Credential defaults come from the process's environment (see `credential::keys`).
    pub fn from_pairs<I, K>(pairs: I) -> Result<Config>
    where
        I: IntoIterator<Item = (K, ConfigValue)>,
        K: AsRef<str>,
    {
        Self::from_pairs_with_env(pairs, &ProcessEnv)
    }

    /// `from_pairs` with another environment (tests; embedders with their own settings).
    pub fn from_pairs_with_env<I, K>(pairs: I, env: &dyn Env) -> Result<Config>
    where
        I: IntoIterator<Item = (K, ConfigValue)>,
        K: AsRef<str>,
    {
        let mut raw = Raw::default();
        for (key, value) in pairs {
            raw.set(key.as_ref(), value)?;
        }
        raw.finish(env)
    }

    /// The OAuth scope for Graph in this config's cloud.
    pub fn scope(&self) -> String {
        self.app().scope()
    }

    /// The token endpoint URL.
    pub fn token_url(&self) -> String {
        self.app().token_url()
    }

    /// The app as the credential sees it.
    pub(crate) fn app(&self) -> App<'_> {
        App {
            tenant_id: &self.tenant_id,
            client_id: &self.client_id,
            cloud: self.cloud,
            login_endpoint: &self.login_endpoint,
            max_retries: self.max_retries,
        }
    }
}

#[derive(Default)]
struct Raw {
    tenant_id: Option<String>,
    client_id: Option<String>,
    credential: RawCredential,
    cloud: Option<String>,
    login_endpoint: Option<String>,
    graph_endpoint: Option<String>,
    mailbox: Option<String>,
    save_to_sent_items: Option<bool>,
    timeout: Option<f64>,
    max_retries: Option<f64>,
    deadline: Option<f64>,
    ca_file: Option<String>,
    spool_dir: Option<String>,
    redis_url: Option<String>,
    exactly_once: Option<bool>,
    ledger_ttl: Option<f64>,
}

/// Seconds in (0, max] as a Duration.
fn seconds(key: &str, value: Option<f64>, default: Duration, max: f64) -> Result<Duration> {
    match value {
        None => Ok(default),
        Some(t) if t > 0.0 && t <= max => Ok(Duration::from_secs_f64(t)),
        Some(t) => Err(Error::config(key, format!("config key `{key}` must be more than 0 and at most {max} seconds, got {t}"))),
    }
}

/// An unknown key, whatever its value (a misspelled key is often null: an unset env
/// variable), with the key most likely meant.
fn unknown_key(key: &str) -> Error {
    let known = KEYS.join(", ");
    match crate::config::key_suggestion::nearest(key, KEYS) {
        Some(near) => Error::config(key, format!("unknown config key `{key}` (did you mean `{near}`?); known keys: {known}"))
            .with_hint(format!("rename `{key}` to `{near}`")),
        None => Error::config(key, format!("unknown config key `{key}`; known keys: {known}"))
            .with_hint(format!("remove `{key}` or rename it to one of the known keys")),
    }
}

fn missing_tenant() -> Error {
    Error::config("tenant_id", "config key `tenant_id` is missing")
        .with_hint("set `tenant_id` (env O365_TENANT_ID) to the Directory (tenant) ID shown on the app registration's Overview page in Entra")
}

fn missing_client() -> Error {
    Error::config("client_id", "config key `client_id` is missing")
        .with_hint("set `client_id` (env O365_CLIENT_ID) to the Application (client) ID of the app registration in Entra")
}

impl Raw {
    fn set(&mut self, key: &str, v: ConfigValue) -> Result<()> {
        match key {
            "tenant_id" => self.tenant_id = expect_str(key, v)?,
            "client_id" => self.client_id = expect_str(key, v)?,
            "cloud" => self.cloud = expect_str(key, v)?,
            "login_endpoint" => self.login_endpoint = expect_str(key, v)?,
            "graph_endpoint" => self.graph_endpoint = expect_str(key, v)?,
            "mailbox" => self.mailbox = expect_str(key, v)?,
            "save_to_sent_items" => self.save_to_sent_items = expect_bool(key, v)?,
            "timeout" => self.timeout = expect_number(key, v)?,
            "max_retries" => self.max_retries = expect_number(key, v)?,
            "deadline" => self.deadline = expect_number(key, v)?,
            "ca_file" => self.ca_file = expect_str(key, v)?,
            "spool_dir" => self.spool_dir = expect_str(key, v)?,
            // A secret (may hold a password): never echoed, checked in finish.
            "redis_url" => self.redis_url = expect_str(key, v)?,
            "exactly_once" => self.exactly_once = expect_bool(key, v)?,
            "ledger_ttl" => self.ledger_ttl = expect_number(key, v)?,
            // "transport" belongs to Laravel's mailer entry, not to us; accept and ignore it.
            "transport" => {}
            // The credential's keys; secrets are not trimmed and never echoed.
            other => {
                if !self.credential.set(other, v)? {
                    return Err(unknown_key(other));
                }
            }
        }
        Ok(())
    }

    /// The tenant and client ids and the credential, which may default one another: a
    /// managed identity needs neither id (the host knows them); a federated credential
    /// may take them from AZURE_TENANT_ID / AZURE_CLIENT_ID. Otherwise a missing id is
    /// reported before the credential.
    fn identity(&mut self, env: &dyn Env) -> Result<(String, String, Credential)> {
        let managed = self.credential.is_managed_identity();
        if !self.credential.may_default_ids(env) {
            if self.tenant_id.is_none() {
                return Err(missing_tenant());
            }
            if self.client_id.is_none() {
                return Err(missing_client());
            }
        }
        let credential = std::mem::take(&mut self.credential).finish(
            Ids { tenant_id: &mut self.tenant_id, client_id: &mut self.client_id, login_endpoint: &mut self.login_endpoint },
            env,
        )?;
        let tenant_id = match self.tenant_id.take() {
            Some(t) => t,
            None if managed => String::new(),
            None => return Err(missing_tenant()),
        };
        let client_id = match (&credential, self.client_id.take()) {
            (Credential::ManagedIdentity(m), given) => m.client_id.clone().or(given).unwrap_or_default(),
            (_, Some(c)) => c,
            (_, None) => return Err(missing_client()),
        };
        if !tenant_id.is_empty() {
            crate::config::url::check_path_free("tenant_id", &tenant_id)?;
        }
        let secret = match &credential {
            Credential::ClientSecret(s) => Some(s.expose()),
            _ => None,
        };
        crate::config::app_ids::refuse_unusable(&tenant_id, secret)?;
        Ok((tenant_id, client_id, credential))
    }

    fn finish(mut self, env: &dyn Env) -> Result<Config> {
        let (tenant_id, client_id, credential) = self.identity(env)?;
        let cloud = match self.cloud {
            Some(c) => Cloud::parse(&c)?,
            None => Cloud::Global,
        };
        let login_endpoint = match self.login_endpoint {
            Some(u) => crate::config::url::base_url("login_endpoint", &u)?,
            None => cloud.login_endpoint().to_string(),
        };
        let graph_endpoint = match self.graph_endpoint {
            Some(u) => crate::config::url::base_url("graph_endpoint", &u)?,
            None => cloud.graph_endpoint().to_string(),
        };
        if let Some(m) = &self.mailbox {
            crate::config::url::check_mailbox("mailbox", m)?;
        }
        let timeout = seconds("timeout", self.timeout, DEFAULT_TIMEOUT, MAX_TIMEOUT_SECS)?;
        let deadline = seconds("deadline", self.deadline, DEFAULT_DEADLINE, MAX_DEADLINE_SECS)?;
        let max_retries = match self.max_retries {
            None => DEFAULT_MAX_RETRIES,
            Some(n) if n.fract() == 0.0 && n <= 10.0 => n as u32,
            Some(n) => return Err(Error::config("max_retries", format!("config key `max_retries` must be a whole number from 0 to 10, got {n}"))),
        };
        let ca_file = self.ca_file.as_deref().map(CaFile::load).transpose()?;
        let redis_url = self.redis_url.as_deref().map(crate::config::redis_url::RedisUrl::parse).transpose()?;
        let ledger_ttl = ledger_ttl(self.ledger_ttl)?;
        Ok(Config {
            tenant_id,
            client_id,
            credential,
            cloud,
            login_endpoint,
            graph_endpoint,
            mailbox: self.mailbox,
            save_to_sent_items: self.save_to_sent_items.unwrap_or(true),
            timeout,
            max_retries,
            deadline,
            ca_file,
            // Checked when a streamed message first needs it (with the error naming the key).
            spool_dir: self.spool_dir.map(PathBuf::from),
            redis_url,
            exactly_once: self.exactly_once.unwrap_or(false),
            ledger_ttl,
        })
    }
}

/// `ledger_ttl` in [24 h, 30 days].
fn ledger_ttl(value: Option<f64>) -> Result<Duration> {
    match value {
        None => Ok(DEFAULT_LEDGER_TTL),
        Some(t) if (MIN_LEDGER_TTL_SECS..=MAX_LEDGER_TTL_SECS).contains(&t) => Ok(Duration::from_secs_f64(t)),
        Some(t) => Err(Error::config(
            "ledger_ttl",
            format!("config key `ledger_ttl` must be from {MIN_LEDGER_TTL_SECS} (24 h) to {MAX_LEDGER_TTL_SECS} (30 days) seconds, got {t}"),
        )
        .with_hint("set `ledger_ttl` (env O365_LEDGER_TTL) to at least 86400: a queue's retry a day later must still be recognised")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> ConfigValue {
        ConfigValue::Str(v.to_string())
    }

    fn base() -> Vec<(&'static str, ConfigValue)> {
        vec![("tenant_id", s("contoso.onmicrosoft.com")), ("client_id", s("app")), ("client_secret", s("shh-secret"))]
    }

    #[test]
    fn defaults_are_global_cloud() {
        let c = Config::from_pairs(base()).unwrap();
        assert_eq!(c.graph_endpoint, "https://graph.microsoft.com");
        assert_eq!(c.scope(), "https://graph.microsoft.com/.default");
        assert_eq!(c.token_url(), "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token");
        assert!(c.save_to_sent_items);
        assert!(!c.exactly_once);
        assert_eq!(c.ledger_ttl, DEFAULT_LEDGER_TTL);
        assert!(!format!("{c:?}").contains("shh-secret"));
    }

    #[test]
    fn exactly_once_and_ledger_ttl() {
        let mut p = base();
        p.push(("exactly_once", s("on")));
        p.push(("ledger_ttl", ConfigValue::Int(172800)));
        let c = Config::from_pairs(p).unwrap();
        assert!(c.exactly_once);
        assert_eq!(c.ledger_ttl, Duration::from_secs(172800));
        let mut p = base();
        p.push(("ledger_ttl", ConfigValue::Int(600)));
        let e = Config::from_pairs(p).unwrap_err();
        assert_eq!(e.config_key.as_deref(), Some("ledger_ttl"));
        assert!(e.to_string().contains("O365_LEDGER_TTL"), "{e}");
    }

    #[test]
    fn unknown_key_and_wrong_type_name_the_key() {
        let mut p = base();
        p.push(("mailboxx", s("a@b.c")));
        let e = Config::from_pairs(p).unwrap_err();
        assert_eq!(e.config_key.as_deref(), Some("mailboxx"));
        let mut p = base();
        p.push(("timeout", ConfigValue::Other("array".into())));
        let e = Config::from_pairs(p).unwrap_err();
        assert!(e.to_string().contains("`timeout`"), "{e}");
    }

    #[test]
    fn every_listed_key_is_taken_and_no_other() {
        for key in KEYS {
            let mut raw = Raw::default();
            if let Err(e) = raw.set(key, ConfigValue::Null) {
                panic!("`{key}` is in KEYS but refused: {e}");
            }
        }
        let e = Raw::default().set("client_secrets", ConfigValue::Null).unwrap_err();
        assert!(e.to_string().contains("did you mean `client_secret`"), "{e}");
    }

    #[test]
    fn missing_credential_is_named() {
        let e = Config::from_pairs(vec![("tenant_id", s("t")), ("client_id", s("c"))]).unwrap_err();
        assert_eq!(e.config_key.as_deref(), Some("client_secret"));
        assert!(e.to_string().contains("O365_CLIENT_SECRET"), "{e}");
    }
}
