//! `ca_file`: an extra trusted CA (PEM), read and validated when the config is built, so
//! that a wrong path fails at construction and the HTTP client is built from the
//! certificates checked then. Read by [`crate::config::bounded_file`] (a regular file of at most
//! [`MAX_CA_FILE_BYTES`]: `/dev/zero`, a FIFO or a huge file would exhaust memory or
//! block) and parsed once per process: PHP-FPM builds a config on every request, and the
//! system bundle (~200 KiB) would otherwise be parsed each time. The parse is kept by
//! path and file identity, so a replaced file is read again. Two `CaFile`s are equal when
//! their contents are (a SHA-256 digest): the per-process HTTP clients are keyed by it,
//! 32 bytes to hash instead of the whole file.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::bounded_file::{Cache, Named};
use crate::error::Result;

/// Largest CA file read. A CA bundle is well under 1 MiB (Mozilla's whole root store
/// is about 220 KiB).
pub const MAX_CA_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// A validated PEM file of CA certificates.
#[derive(Clone)]
pub struct CaFile {
    path: PathBuf,
    parsed: Arc<Parsed>,
}

/// One version of a CA file, parsed.
struct Parsed {
    /// SHA-256 of the bytes read: what identifies the trust it adds.
    digest: [u8; 32],
    pem: Box<[u8]>,
    certs: Box<[reqwest::Certificate]>,
}

static PARSED: Cache<Parsed> = Cache::new();

impl PartialEq for CaFile {
    fn eq(&self, other: &Self) -> bool {
        self.parsed.digest == other.parsed.digest
    }
}

impl Eq for CaFile {}

impl std::hash::Hash for CaFile {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.parsed.digest.hash(state);
    }
}

impl std::fmt::Debug for CaFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CaFile({})", self.path.display())
    }
}

impl CaFile {
    /// The CA file at `path`: a regular file of at most 4 MiB holding at least one PEM
    /// certificate that parses; parsed once per process and version of the file.
    pub fn load(path: &str) -> Result<CaFile> {
        let file = Named { key: "ca_file", path: Path::new(path), max: MAX_CA_FILE_BYTES };
        let parsed = PARSED.get(file, |pem| parse(file, pem))?;
        Ok(CaFile { path: file.path.to_path_buf(), parsed })
    }

    /// The file's path, as configured.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The PEM bytes read (the Redis connection's trust store adds them).
    pub(crate) fn pem(&self) -> &[u8] {
        &self.parsed.pem
    }

    /// The certificates, parsed once per process.
    pub(crate) fn certificates(&self) -> &[reqwest::Certificate] {
        &self.parsed.certs
    }
}

fn parse(file: Named<'_>, pem: &[u8]) -> Result<Parsed> {
    let certs = reqwest::Certificate::from_pem_bundle(pem).unwrap_or_default();
    if certs.is_empty() || !pem.windows(27).any(|w| w == b"-----BEGIN CERTIFICATE-----") {
        return Err(file
            .error("holds no PEM certificate")
            .with_hint("point `ca_file` at a PEM file (-----BEGIN CERTIFICATE-----) of the CA that signed the server's certificate"));
    }
    let mut digest = [0u8; 32];
    digest.copy_from_slice(ring::digest::digest(&ring::digest::SHA256, pem).as_ref());
    Ok(Parsed { digest, pem: pem.into(), certs: certs.into() })
}
