//! The process's table of certificate credentials: the files named by
//! `client_certificate` (and `client_certificate_key`), with the password, parsed once
//! per process and version of the files. PHP-FPM builds a config per request; parsing
//! a key (and decrypting it) every time would cost more than the send.
//!
//! Rotation: every lookup (each config built, each token fetched) compares the files'
//! identities (inode, size, mtime, ctime: a same-size rewrite changes the ctime) with the
//! version parsed, and reads them again when they differ. PKI tools rewrite files in
//! place, so a half-written or broken replacement is normal for a moment: it keeps the
//! previous version in use and leaves a warning (in `diagnose()`, and once on a receipt),
//! instead of failing sends that the previous key can still sign.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use super::certificate_file::{self as certificate, Ids, Loaded, Source};
use crate::error::{Error, Result};

/// Which files, with which password.
#[derive(PartialEq, Eq, Hash)]
struct Files {
    cert: PathBuf,
    key: Option<PathBuf>,
    password: Option<[u8; 32]>,
}

impl Files {
    fn of(source: &Source) -> Files {
        Files {
            cert: PathBuf::from(&source.cert),
            key: source.key.as_ref().map(PathBuf::from),
            password: source.password.as_ref().map(|p| {
                let d = ring::digest::digest(&ring::digest::SHA256, p.expose().as_bytes());
                let mut out = [0u8; 32];
                out.copy_from_slice(d.as_ref());
                out
            }),
        }
    }
}

struct Entry {
    /// The files' identities when last looked at.
    ids: Ids,
    /// The newest version that could be used.
    loaded: Arc<Loaded>,
    /// Why the files as they are now are not used, if they are not.
    broken: Option<String>,
    /// Whether a receipt carried `broken` already.
    told: bool,
}

impl Entry {
    fn keep(&mut self, source: &Source, why: &Error) -> Arc<Loaded> {
        let message = format!(
            "`client_certificate` ({}) changed, but the new version cannot be used ({}): still signing with the previous key \
             (thumbprint {}); fix the file, or put the previous one back",
            source.cert,
            why.message,
            self.loaded.thumbprint()
        );
        if self.broken.as_ref() != Some(&message) {
            self.broken = Some(message);
            self.told = false;
        }
        Arc::clone(&self.loaded)
    }
}

static TABLE: Mutex<Option<HashMap<Files, Entry>>> = Mutex::new(None);

fn with_table<T>(f: impl FnOnce(&mut HashMap<Files, Entry>) -> T) -> T {
    f(TABLE.lock().unwrap_or_else(PoisonError::into_inner).get_or_insert_default())
}

fn identities(source: &Source) -> Result<Ids> {
    let cert = certificate::cert_file(source).identity()?;
    let key = certificate::key_file(source).map(|f| f.identity()).transpose()?;
    Ok((cert, key))
}

/// The certificate of `source` as its files are now, parsed once per version; the
/// previous version when a changed file cannot be used; an error only when there is no
/// previous version.
pub(super) fn lookup(source: &Source) -> Result<Arc<Loaded>> {
    let files = Files::of(source);
    let now = identities(source);
    let seen = with_table(|t| match (t.get_mut(&files), &now) {
        (Some(e), Ok(ids)) if e.ids == *ids => Some(Ok(Arc::clone(&e.loaded))),
        (Some(e), Err(why)) => Some(Ok(e.keep(source, why))),
        (None, Err(why)) => Some(Err(why.clone())),
        _ => None,
    });
    if let Some(found) = seen {
        return found;
    }
    // Parsed without the lock: decrypting a key takes a while.
    let read = certificate::read(source);
    with_table(|t| match (read, t.get_mut(&files)) {
        (Ok((ids, loaded)), _) => {
            let loaded = Arc::new(loaded);
            t.insert(files, Entry { ids, loaded: Arc::clone(&loaded), broken: None, told: false });
            Ok(loaded)
        }
        (Err(why), Some(e)) => {
            // Not parsed again until the files change again.
            if let Ok(ids) = now {
                e.ids = ids;
            }
            Ok(e.keep(source, &why))
        }
        (Err(why), None) => Err(why),
    })
}

/// Why the files of `source` as they are now are not in use, for `diagnose()`.
pub(super) fn broken(source: &Source) -> Option<String> {
    with_table(|t| t.get(&Files::of(source)).and_then(|e| e.broken.clone()))
}

/// A warning not yet carried by a receipt: a broken replacement, said once.
pub(crate) fn take_warning() -> Option<String> {
    with_table(|t| {
        let e = t.values_mut().find(|e| e.broken.is_some() && !e.told)?;
        e.told = true;
        e.broken.clone()
    })
}
