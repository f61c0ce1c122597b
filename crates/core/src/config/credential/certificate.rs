//! A certificate credential: the certificate and its RSA private key, loaded and checked
//! when the config is built (readable, parses, key matches certificate, not expired), so
//! a wrong file fails at construction and not at the first send. The files are read and
//! parsed by `certificate_file`, once per process and version of the files
//! (`certificate_table`): every later config gets the parsed certificate, and a rotated
//! file is read again when the next token is fetched, also by a `Certificate` that lives
//! on (a queue worker's). `Debug` shows paths and thumbprints, never key material.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use super::certificate_file::{Algorithm, KEY_CONFIG, Loaded, Source, check_validity, hex, iso, now};
use super::certificate_table;
use crate::error::Result;

/// A certificate expiring within this many days is reported as a warning.
pub const EXPIRY_WARNING_DAYS: u64 = 30;

/// A loaded, validated certificate credential.
pub struct Certificate {
    source: Source,
    /// The version of the files in use: the one loaded at construction, then the newest
    /// good one seen when a token was fetched.
    current: Mutex<Arc<Loaded>>,
    /// The thumbprint at construction: what the token cache keys on (it must not change
    /// while the credential is a key in a map).
    first_sha256: [u8; 32],
    /// The assertion's algorithm.
    pub algorithm: Algorithm,
    /// Whether the assertion carries the chain (`x5c`), for subject name + issuer auth.
    pub send_chain: bool,
}

impl Certificate {
    /// Loads (or takes from the process's table) and validates the certificate.
    pub(crate) fn load(source: Source) -> Result<Certificate> {
        let loaded = certificate_table::lookup(&source)?;
        check_validity(&loaded, now())?;
        Ok(Certificate {
            first_sha256: loaded.sha256,
            current: Mutex::new(loaded),
            algorithm: source.algorithm,
            send_chain: source.send_chain,
            source,
        })
    }

    /// The version of the files in use (no file-system access).
    fn loaded(&self) -> Arc<Loaded> {
        Arc::clone(&self.current.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// The files as they are now: read again if they changed (rotation); the version in
    /// use if the new one cannot be used (the table keeps it and warns).
    pub(super) fn refresh(&self) -> Arc<Loaded> {
        match certificate_table::lookup(&self.source) {
            Ok(now) => {
                *self.current.lock().unwrap_or_else(PoisonError::into_inner) = Arc::clone(&now);
                now
            }
            Err(_) => self.loaded(),
        }
    }

    /// [`Certificate::refresh`] during a send: off the async runtime, within `deadline`.
    pub(super) async fn refresh_before(self: Arc<Self>, deadline: Instant) -> Result<Arc<Loaded>> {
        let path = PathBuf::from(&self.source.cert);
        crate::config::bounded_file::off_runtime(KEY_CONFIG, &path, deadline, move || Ok(self.refresh())).await
    }

    /// SHA-1 thumbprint, upper-case hex (as the Entra portal shows it).
    pub fn sha1_thumbprint(&self) -> String {
        self.loaded().thumbprint()
    }

    /// SHA-256 thumbprint, upper-case hex.
    pub fn sha256_thumbprint(&self) -> String {
        hex(&self.loaded().sha256)
    }

    /// The certificate file.
    pub fn path(&self) -> &Path {
        Path::new(&self.source.cert)
    }

    /// Expiry as Unix seconds.
    pub fn not_after(&self) -> i64 {
        self.loaded().not_after
    }

    pub(crate) fn details(&self) -> Vec<(&'static str, String)> {
        let l = &self.loaded();
        let mut d = vec![
            ("certificate", l.cert_path.display().to_string()),
            ("subject", l.subject.clone()),
            ("thumbprint_sha1", self.sha1_thumbprint()),
            ("thumbprint_sha256", self.sha256_thumbprint()),
            ("not_after", iso(l.not_after)),
            ("key", format!("RSA {} bits", l.bits)),
            ("algorithm", self.algorithm.name().to_string()),
        ];
        if let Some(k) = &l.key_path {
            d.insert(1, ("certificate_key", k.display().to_string()));
        }
        if self.send_chain {
            d.push(("send_chain", format!("yes ({} certificate(s) in x5c)", l.chain.len())));
        }
        d
    }

    pub(crate) fn warnings(&self) -> Vec<String> {
        let l = self.loaded();
        let left = l.not_after.saturating_sub(now());
        let mut warnings: Vec<String> = certificate_table::broken(&self.source).into_iter().collect();
        if left < (EXPIRY_WARNING_DAYS * 86400) as i64 {
            warnings.push(format!(
                "the certificate {} (thumbprint {}) expires on {} ({} days left): create a new certificate, upload it under \
                 Certificates & secrets of the app registration, then point `client_certificate` at it",
                l.cert_path.display(),
                l.thumbprint(),
                iso(l.not_after),
                left.max(0) / 86400
            ));
        }
        warnings
    }
}

impl std::fmt::Debug for Certificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Certificate")
            .field("path", &self.source.cert)
            .field("key_path", &self.source.key)
            .field("thumbprint_sha256", &self.sha256_thumbprint())
            .field("algorithm", &self.algorithm)
            .field("send_chain", &self.send_chain)
            .field("key", &"[redacted]")
            .finish()
    }
}

// Two configs share tokens when they sign with the same certificate the same way (as
// loaded at construction: a key in the token cache must not change).
impl PartialEq for Certificate {
    fn eq(&self, other: &Self) -> bool {
        self.first_sha256 == other.first_sha256 && self.algorithm == other.algorithm && self.send_chain == other.send_chain
    }
}

impl Eq for Certificate {}

impl std::hash::Hash for Certificate {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.first_sha256.hash(state);
        self.algorithm.hash(state);
        self.send_chain.hash(state);
    }
}
