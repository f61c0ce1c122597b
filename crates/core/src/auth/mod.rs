//! App-only tokens: the exchange with Entra's token endpoint (or the managed identity
//! endpoint) with retries (`entra`), and the process-wide cache that serves them
//! (`token_cache`: single flight, early refresh). What a credential is and how it is
//! presented (sans-IO) is `config::credential`.
//!
//! May import `error`, `config/` and `http/`; `graph/` takes its tokens from here.

pub(crate) mod entra;
pub(crate) mod token_cache;
