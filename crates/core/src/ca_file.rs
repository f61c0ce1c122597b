//! `ca_file`: an extra trusted CA (PEM), read and validated once, when the config is
//! built, so that a wrong path fails at construction and the HTTP client is built from
//! the bytes checked then. Only a regular file of at most [`MAX_CA_FILE_BYTES`] is read:
//! `/dev/zero`, a FIFO or a huge file would otherwise exhaust memory or block.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{Error, Result};

/// Largest CA file read. A CA bundle is well under 1 MiB (Mozilla's whole root store
/// is about 220 KiB).
pub const MAX_CA_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// A validated PEM file of CA certificates.
#[derive(Clone)]
pub struct CaFile {
    path: PathBuf,
    /// The bytes read, which identify the file's content (the per-process HTTP clients
    /// are keyed by it).
    pem: Arc<[u8]>,
    certs: Arc<[reqwest::Certificate]>,
}

impl PartialEq for CaFile {
    fn eq(&self, other: &Self) -> bool {
        self.pem == other.pem
    }
}

impl Eq for CaFile {}

impl std::hash::Hash for CaFile {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.pem.hash(state);
    }
}

impl std::fmt::Debug for CaFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CaFile({})", self.path.display())
    }
}

impl CaFile {
    /// Reads and checks `path`: a regular file, at most 4 MiB, holding at least one PEM
    /// certificate that parses.
    pub fn load(path: &str) -> Result<CaFile> {
        let p = Path::new(path);
        let fail = |why: String| Error::config("ca_file", format!("config key `ca_file`: `{path}` {why}"));
        let meta = std::fs::metadata(p).map_err(|e| fail(format!("cannot be read: {e}")))?;
        if !meta.is_file() {
            return Err(fail("is not a regular file".into())
                .with_hint("point `ca_file` at a PEM file (-----BEGIN CERTIFICATE-----), not a device, directory or pipe"));
        }
        if meta.len() > MAX_CA_FILE_BYTES {
            return Err(fail(format!("is {} bytes; a CA file may hold at most {MAX_CA_FILE_BYTES} bytes", meta.len()))
                .with_hint("point `ca_file` at the PEM file of the one CA to trust, not at a whole data file"));
        }
        let mut pem = Vec::new();
        // `take` as well: the file may grow between the metadata check and the read.
        std::fs::File::open(p)
            .and_then(|f| f.take(MAX_CA_FILE_BYTES + 1).read_to_end(&mut pem))
            .map_err(|e| fail(format!("cannot be read: {e}")))?;
        if pem.len() as u64 > MAX_CA_FILE_BYTES {
            return Err(fail(format!("is larger than {MAX_CA_FILE_BYTES} bytes")));
        }
        let certs = reqwest::Certificate::from_pem_bundle(&pem).unwrap_or_default();
        if certs.is_empty() || !pem.windows(27).any(|w| w == b"-----BEGIN CERTIFICATE-----") {
            return Err(fail("holds no PEM certificate".into())
                .with_hint("point `ca_file` at a PEM file (-----BEGIN CERTIFICATE-----) of the CA that signed the server's certificate"));
        }
        Ok(CaFile { path: p.to_path_buf(), pem: pem.into(), certs: certs.into() })
    }

    /// The file's path, as configured.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The PEM bytes read (the Redis connection's trust store adds them).
    pub(crate) fn pem(&self) -> &[u8] {
        &self.pem
    }

    /// The certificates, parsed once at load time.
    pub(crate) fn certificates(&self) -> &[reqwest::Certificate] {
        &self.certs
    }
}
