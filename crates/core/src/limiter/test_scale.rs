//! Test and benchmark seams of the limiter, compiled only with the `test-support`
//! feature of o365-core (the crate's own tests enable it, and so do the benchmarks'
//! builds; a build for users has none of this, see docs/sender.md, "Test seams"):
//! - [`set_limits`]: a test process scales the limits down (or shortens the lease);
//! - the environment, for whole PHP worker fleets against an emulator run with the same
//!   numbers (`--mailbox-window 600/60s`, `--upload-budget 8MB/30s`):
//!   `O365_MAILBOX_WINDOW=N/DURATION` and `O365_UPLOAD_BUDGET=SIZE/DURATION`, in the
//!   emulator's syntax (durations `60s`, `10m`, `1h`; sizes `B`, `KB`, `MB`, `GB` in
//!   powers of 1024), read once per process. A malformed value is a configuration
//!   error of the first send, naming the variable, never silently ignored.
// Built for the crate's unit tests too, where only the parsing is used.
#![cfg_attr(not(feature = "test-support"), allow(dead_code))]

use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Duration;

use super::limits::Limits;
use crate::error::{Error, Result};

pub const WINDOW_VAR: &str = "O365_MAILBOX_WINDOW";
pub const UPLOAD_VAR: &str = "O365_UPLOAD_BUDGET";

static LIMITS: Mutex<Option<Limits>> = Mutex::new(None);

/// Replaces the limits of this process. Every process sharing a Redis must use the same
/// numbers, or the strictest one wins per request.
pub fn set_limits(limits: Limits) {
    *LIMITS.lock().unwrap_or_else(PoisonError::into_inner) = Some(limits);
}

static FROM_ENV: OnceLock<Result<Limits>> = OnceLock::new();

/// The limits in force: [`set_limits`]'s, else Exchange's with the environment's
/// overrides (read once per process).
pub(crate) fn current() -> Result<Limits> {
    if let Some(l) = LIMITS.lock().unwrap_or_else(PoisonError::into_inner).clone() {
        return Ok(l);
    }
    FROM_ENV.get_or_init(|| from_env(|k| std::env::var(k).ok())).clone()
}

/// Exchange's limits with the environment's overrides applied.
fn from_env(get: impl Fn(&str) -> Option<String>) -> Result<Limits> {
    let mut l = Limits::default();
    if let Some(v) = get(WINDOW_VAR).filter(|v| !v.trim().is_empty()) {
        let (n, d) = v.split_once('/').ok_or_else(|| bad(WINDOW_VAR, &v, "N/DURATION, e.g. 600/60s"))?;
        l.window_requests = n.trim().parse().ok().filter(|n| *n > 0).ok_or_else(|| bad(WINDOW_VAR, &v, "N/DURATION, e.g. 600/60s"))?;
        l.window = duration(d).ok_or_else(|| bad(WINDOW_VAR, &v, "N/DURATION, e.g. 600/60s"))?;
    }
    if let Some(v) = get(UPLOAD_VAR).filter(|v| !v.trim().is_empty()) {
        let (size, d) = v.split_once('/').ok_or_else(|| bad(UPLOAD_VAR, &v, "SIZE/DURATION, e.g. 150MB/5m"))?;
        l.upload_bytes = bytes(size).ok_or_else(|| bad(UPLOAD_VAR, &v, "SIZE/DURATION, e.g. 150MB/5m"))?;
        l.upload_window = duration(d).ok_or_else(|| bad(UPLOAD_VAR, &v, "SIZE/DURATION, e.g. 150MB/5m"))?;
    }
    Ok(l)
}

fn bad(var: &str, value: &str, form: &str) -> Error {
    Error::config(var, format!("environment variable {var}=`{}` is not {form}", value.escape_debug()))
        .with_hint(format!("fix or unset {var} (it scales the shared limiter down for tests and benchmarks; production needs none)"))
}

fn duration(d: &str) -> Option<Duration> {
    let d = d.trim();
    let (num, mult) = match d.char_indices().last()? {
        (i, 's') => (&d[..i], 1),
        (i, 'm') => (&d[..i], 60),
        (i, 'h') => (&d[..i], 3600),
        _ => (d, 1),
    };
    let n: u64 = num.trim().parse().ok().filter(|n| *n > 0)?;
    Some(Duration::from_secs(n.checked_mul(mult)?))
}

fn bytes(size: &str) -> Option<u64> {
    let size = size.trim();
    let split = size.find(|c: char| !c.is_ascii_digit()).unwrap_or(size.len());
    let (num, unit) = size.split_at(split);
    let mult: u64 = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" | "KIB" => 1 << 10,
        "M" | "MB" | "MIB" => 1 << 20,
        "G" | "GB" | "GIB" => 1 << 30,
        _ => return None,
    };
    num.parse::<u64>().ok().filter(|n| *n > 0)?.checked_mul(mult)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
    }

    #[test]
    fn the_emulators_syntax_scales_the_limits() {
        let l = from_env(env(&[(WINDOW_VAR, "600/60s"), (UPLOAD_VAR, "8MB/30s")])).unwrap();
        assert_eq!((l.window_requests, l.window), (600, Duration::from_secs(60)));
        assert_eq!((l.upload_bytes, l.upload_window), (8 << 20, Duration::from_secs(30)));
        assert_eq!(l.concurrency, 4);
        assert_eq!(from_env(env(&[])).unwrap(), Limits::default());
    }

    #[test]
    fn a_malformed_value_names_the_variable() {
        for (var, v) in [(WINDOW_VAR, "600"), (WINDOW_VAR, "x/60s"), (UPLOAD_VAR, "8XB/30s"), (UPLOAD_VAR, "8MB/0s")] {
            let e = from_env(env(&[(var, v)])).unwrap_err();
            assert_eq!(e.config_key.as_deref(), Some(var));
            assert!(e.to_string().contains(var), "{e}");
        }
    }
}
