//! The process-wide token cache. Every `Mailer` with the same authority, tenant, client,
//! credential and scope shares one entry, so a PHP-FPM worker asks Entra for a token once
//! per token lifetime, not once per request. A token counts as expired 5 minutes before
//! its real expiry (MSAL's rule). Refresh is single flight: the entry's async mutex is
//! held while one caller fetches, and concurrent callers wait for its result.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::config::Config;
use crate::config::credential::Credential;
use crate::config::credential::TokenResponse;
use crate::error::Result;
use crate::config::secret::Secret;

/// Tokens with less than this left are refreshed.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(300);
/// Longest lifetime believed: Entra's tokens live 60-90 minutes, managed identity's up
/// to a day. A larger `expires_in` (even 2^64-1) is cut to this, so no time arithmetic
/// can overflow and a token is never cached forever.
pub const MAX_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// A cached access token.
#[derive(Debug, Clone)]
pub struct CachedToken {
    /// The bearer token.
    pub access_token: Secret,
    /// When Entra says it expires.
    pub expires_at: Instant,
    /// The same, as Unix seconds, for diagnostics.
    pub expires_at_unix: u64,
    /// When to refresh (5 minutes before expiry, or Entra's `refresh_in`).
    pub refresh_at: Instant,
    /// The lifetime Entra gave it (`expires_in`).
    pub lifetime: Duration,
}

/// What makes two configs share a token: a token is valid for exactly one authority
/// (login endpoint + tenant), app, credential and scope (cloud).
#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    token_url: String,
    client_id: String,
    credential: Credential,
    scope: String,
}

type Slot = Arc<tokio::sync::Mutex<Option<CachedToken>>>;

static CACHE: LazyLock<Mutex<HashMap<Key, Slot>>> = LazyLock::new(|| Mutex::new(HashMap::new()));

fn slot(config: &Config) -> Slot {
    let key = Key {
        token_url: config.token_url(),
        client_id: config.client_id.clone(),
        credential: config.credential.clone(),
        scope: config.scope(),
    };
    let mut map = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
    map.entry(key).or_default().clone()
}

/// A valid token for `config`, from the cache or fetched with `fetch` by exactly one
/// caller (the fetcher is a parameter, as in azure_identity's cache, so that single
/// flight, early refresh and stale serving are tested without a server).
pub(crate) async fn get<F, Fut>(config: &Config, fetch: F) -> Result<CachedToken>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<TokenResponse>>,
{
    get_at(config, Instant::now(), fetch).await
}

/// `get` as if the time were `now`.
async fn get_at<F, Fut>(config: &Config, now: Instant, fetch: F) -> Result<CachedToken>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<TokenResponse>>,
{
    let slot = slot(config);
    let mut guard = slot.lock().await;
    if let Some(t) = guard.as_ref() {
        if now < t.refresh_at {
            return Ok(t.clone());
        }
    }
    match fetch().await {
        Ok(resp) => {
            let token = CachedToken::new(resp.access_token, resp.expires_in, resp.refresh_in, now);
            *guard = Some(token.clone());
            Ok(token)
        }
        // MSAL's rule for refresh_in, applied to the margin too: an early refresh that
        // fails (Entra unreachable) keeps serving the still-valid token; a failure is
        // only reported when the token is about to expire.
        Err(e) => match guard.as_ref() {
            Some(t) if crate::http::retry::saturating_after(now, min_remaining(t.lifetime)) < t.expires_at => Ok(t.clone()),
            _ => Err(e),
        },
    }
}

impl CachedToken {
    /// A token fetched at `now` that Entra says expires in `expires_in` seconds (and
    /// should be refreshed after `refresh_in`). Any value is accepted: lifetimes are cut
    /// to [`MAX_LIFETIME`], and every sum saturates.
    pub(crate) fn new(access_token: String, expires_in: u64, refresh_in: Option<u64>, now: Instant) -> CachedToken {
        let lifetime = Duration::from_secs(expires_in).min(MAX_LIFETIME);
        let expires_at = crate::http::retry::saturating_after(now, lifetime);
        let margin_refresh = crate::http::retry::saturating_after(now, refresh_after(lifetime));
        let refresh_at = match refresh_in {
            Some(r) => margin_refresh.min(crate::http::retry::saturating_after(now, Duration::from_secs(r))),
            None => margin_refresh,
        };
        let unix_now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        CachedToken {
            access_token: Secret::new(access_token),
            expires_at,
            expires_at_unix: unix_now.saturating_add(lifetime.as_secs()),
            refresh_at,
            lifetime,
        }
    }
}

/// How long a fresh token of `lifetime` is used before it is refreshed: until
/// [`REFRESH_MARGIN`] before expiry. Entra's tokens live 60-90 minutes; a token shorter
/// than twice the margin (test tenants, emulators) is used for half its lifetime rather
/// than never, which would ask Entra for a token on every send (AADSTS50196 territory).
pub fn refresh_after(lifetime: Duration) -> Duration {
    if lifetime >= REFRESH_MARGIN * 2 { lifetime - REFRESH_MARGIN } else { lifetime / 2 }
}

/// How much life a cached token must have left to be served when its refresh failed:
/// a minute (enough for one send and its retries), less for very short test tokens.
fn min_remaining(lifetime: Duration) -> Duration {
    (lifetime / 4).min(Duration::from_secs(60))
}

/// Drops the cached token for `config` if it is still `stale` (Graph said it is invalid).
pub(crate) async fn invalidate(config: &Config, stale: &CachedToken) {
    let slot = slot(config);
    let mut guard = slot.lock().await;
    if guard.as_ref().is_some_and(|t| t.access_token == stale.access_token) {
        *guard = None;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::config::ConfigValue;
    use crate::error::{Error, ErrorKind};

    /// A config of its own (its own cache entry) per test.
    fn config(client_id: &str) -> Config {
        let s = |v: &str| ConfigValue::Str(v.to_string());
        Config::from_pairs(vec![("tenant_id", s("t.example")), ("client_id", s(client_id)), ("client_secret", s("x"))]).unwrap()
    }

    fn token(name: &str, expires_in: u64) -> Result<TokenResponse> {
        Ok(TokenResponse { access_token: name.to_string(), expires_in, refresh_in: None })
    }

    fn unavailable() -> Result<TokenResponse> {
        Err(Error::new(ErrorKind::Authentication, "Entra unavailable"))
    }

    #[test]
    fn refresh_five_minutes_early_or_at_half_life() {
        assert_eq!(refresh_after(Duration::from_secs(3599)), Duration::from_secs(3299));
        assert_eq!(refresh_after(Duration::from_secs(600)), Duration::from_secs(300));
        assert_eq!(refresh_after(Duration::from_secs(4)), Duration::from_secs(2));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn single_flight_one_fetch_for_eight_callers() {
        let c = Arc::new(config("single-flight"));
        let fetches = Arc::new(AtomicUsize::new(0));
        let callers = (0..8).map(|_| {
            let (c, fetches) = (Arc::clone(&c), Arc::clone(&fetches));
            tokio::spawn(async move {
                get(&c, || async {
                    fetches.fetch_add(1, Ordering::SeqCst);
                    tokio::task::yield_now().await;
                    token("one", 3599)
                })
                .await
            })
        });
        for r in futures_util::future::join_all(callers).await {
            assert_eq!(r.unwrap().unwrap().access_token.expose(), "one");
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn refreshed_five_minutes_before_expiry_and_stale_served_when_the_refresh_fails() {
        let c = config("early-refresh");
        let t0 = Instant::now();
        assert_eq!(get_at(&c, t0, || async { token("first", 3600) }).await.unwrap().access_token.expose(), "first");
        // Before the refresh point: cached, the fetcher is not called.
        let cached = get_at(&c, t0 + Duration::from_secs(3200), || async { panic!("fetched too early") }).await.unwrap();
        assert_eq!(cached.access_token.expose(), "first");
        // Past it (5 minutes before expiry), Entra down: the still-valid token is served.
        let stale = get_at(&c, t0 + Duration::from_secs(3400), || async { unavailable() }).await.unwrap();
        assert_eq!(stale.access_token.expose(), "first");
        // Under a minute left: the failure is reported.
        let e = get_at(&c, t0 + Duration::from_secs(3570), || async { unavailable() }).await.unwrap_err();
        assert_eq!(e.message, "Entra unavailable");
        // Past the refresh point with Entra up: a new token.
        let fresh = get_at(&c, t0 + Duration::from_secs(3400), || async { token("second", 3600) }).await.unwrap();
        assert_eq!(fresh.access_token.expose(), "second");
    }
}
