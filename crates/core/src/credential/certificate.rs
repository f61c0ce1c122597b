//! A certificate credential: the certificate and its RSA private key, loaded and checked
//! when the config is built (readable, parses, key matches certificate, not expired), so
//! a wrong file fails at construction and not at the first send.
//!
//! Accepted files: PEM holding the certificate (+ chain) and, unless a separate key file
//! is named, the key (PKCS#8 `PRIVATE KEY`, PKCS#1 `RSA PRIVATE KEY`, or an encrypted
//! PKCS#8 `ENCRYPTED PRIVATE KEY` with the password); or PKCS#12 (.pfx/.p12) with the
//! password. Keys are read once per process: a process-wide table keyed by the files'
//! paths, sizes and modification times (and the password's hash) hands every later
//! config the already-parsed certificate, and notices a replaced file.
//!
//! The private key is kept as DER in zeroize-on-drop memory and parsed into ring's key
//! type only for the moment of signing (ring's own key type does not wipe itself).
//! `Debug` shows paths and thumbprints, never key material; errors name the file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::secret::Secret;

/// A certificate expiring within this many days is reported as a warning.
pub const EXPIRY_WARNING_DAYS: u64 = 30;

const KEY_CONFIG: &str = "client_certificate";
const OID_RSA: &str = "1.2.840.113549.1.1.1";
const OID_EC: &str = "1.2.840.10045.2.1";
const OID_ED25519: &str = "1.3.101.112";

/// The assertion's signature algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// RSASSA-PSS with SHA-256, header `x5t#S256` (Entra's current recommendation).
    Ps256,
    /// RSASSA-PKCS1-v1_5 with SHA-256, header `x5t` (SHA-1 thumbprint), for older setups.
    Rs256,
}

impl Algorithm {
    /// Parses `client_certificate_algorithm`.
    pub fn parse(value: &str) -> Result<Algorithm> {
        match value.trim().to_ascii_uppercase().as_str() {
            "PS256" => Ok(Algorithm::Ps256),
            "RS256" => Ok(Algorithm::Rs256),
            _ => Err(Error::config(
                "client_certificate_algorithm",
                format!("config key `client_certificate_algorithm` must be `PS256` or `RS256`, got `{}`", value.escape_debug()),
            )),
        }
    }

    /// The JWS `alg` name.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Ps256 => "PS256",
            Algorithm::Rs256 => "RS256",
        }
    }
}

/// What to load, from the config keys.
pub(crate) struct Source {
    pub cert: String,
    pub key: Option<String>,
    pub password: Option<Secret>,
    pub algorithm: Algorithm,
    pub send_chain: bool,
}

/// A loaded, validated certificate credential.
pub struct Certificate {
    loaded: Arc<Loaded>,
    /// The assertion's algorithm.
    pub algorithm: Algorithm,
    /// Whether the assertion carries the chain (`x5c`), for subject name + issuer auth.
    pub send_chain: bool,
}

/// The parsed files, shared by every config that names them.
struct Loaded {
    cert_path: PathBuf,
    key_path: Option<PathBuf>,
    /// The certificate (DER), then the rest of the chain found in the file.
    chain: Vec<Vec<u8>>,
    key: Zeroizing<Vec<u8>>,
    key_format: KeyFormat,
    sha1: [u8; 20],
    sha256: [u8; 32],
    subject: String,
    not_before: i64,
    not_after: i64,
    bits: usize,
}

#[derive(Clone, Copy)]
enum KeyFormat {
    Pkcs8,
    Pkcs1,
}

impl Certificate {
    /// Loads (or takes from the process's table) and validates the certificate.
    pub(crate) fn load(source: Source) -> Result<Certificate> {
        let loaded = cached_or_load(&source)?;
        check_validity(&loaded, now())?;
        Ok(Certificate { loaded, algorithm: source.algorithm, send_chain: source.send_chain })
    }

    /// SHA-1 thumbprint, upper-case hex (as the Entra portal shows it).
    pub fn sha1_thumbprint(&self) -> String {
        hex(&self.loaded.sha1)
    }

    /// SHA-256 thumbprint, upper-case hex.
    pub fn sha256_thumbprint(&self) -> String {
        hex(&self.loaded.sha256)
    }

    /// The certificate file.
    pub fn path(&self) -> &Path {
        &self.loaded.cert_path
    }

    /// Expiry as Unix seconds.
    pub fn not_after(&self) -> i64 {
        self.loaded.not_after
    }

    pub(crate) fn sha1(&self) -> &[u8] {
        &self.loaded.sha1
    }

    pub(crate) fn sha256(&self) -> &[u8] {
        &self.loaded.sha256
    }

    pub(crate) fn chain(&self) -> &[Vec<u8>] {
        &self.loaded.chain
    }

    /// Signs `message` with the private key. The ring key lives only for this call.
    pub(crate) fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        let pair = parse_key(&self.loaded.key, self.loaded.key_format)
            .map_err(|_| Error::config(KEY_CONFIG, "the certificate's private key could not be used for signing"))?;
        let alg: &dyn ring::signature::RsaEncoding = match self.algorithm {
            Algorithm::Ps256 => &ring::signature::RSA_PSS_SHA256,
            Algorithm::Rs256 => &ring::signature::RSA_PKCS1_SHA256,
        };
        let mut sig = vec![0u8; pair.public().modulus_len()];
        pair.sign(alg, &ring::rand::SystemRandom::new(), message, &mut sig)
            .map_err(|_| Error::config(KEY_CONFIG, "signing the client assertion failed (no system randomness?)"))?;
        Ok(sig)
    }

    pub(crate) fn details(&self) -> Vec<(&'static str, String)> {
        let l = &self.loaded;
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
        let left = self.loaded.not_after - now();
        if left < (EXPIRY_WARNING_DAYS * 86400) as i64 {
            vec![format!(
                "the certificate {} (thumbprint {}) expires on {} ({} days left): create a new certificate, upload it under \
                 Certificates & secrets of the app registration, then point `client_certificate` at it",
                self.loaded.cert_path.display(),
                self.sha1_thumbprint(),
                iso(self.loaded.not_after),
                left.max(0) / 86400
            )]
        } else {
            Vec::new()
        }
    }
}

impl std::fmt::Debug for Certificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Certificate")
            .field("path", &self.loaded.cert_path)
            .field("key_path", &self.loaded.key_path)
            .field("thumbprint_sha256", &self.sha256_thumbprint())
            .field("algorithm", &self.algorithm)
            .field("send_chain", &self.send_chain)
            .field("key", &"[redacted]")
            .finish()
    }
}

// Two configs share tokens when they sign with the same certificate the same way.
impl PartialEq for Certificate {
    fn eq(&self, other: &Self) -> bool {
        self.loaded.sha256 == other.loaded.sha256 && self.algorithm == other.algorithm && self.send_chain == other.send_chain
    }
}

impl Eq for Certificate {}

impl std::hash::Hash for Certificate {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.loaded.sha256.hash(state);
        self.algorithm.hash(state);
        self.send_chain.hash(state);
    }
}

/// Table key: which files, as they are now, with which password.
#[derive(PartialEq, Eq, Hash, Clone)]
struct TableKey {
    cert: (PathBuf, u64, Option<SystemTime>),
    key: Option<(PathBuf, u64, Option<SystemTime>)>,
    password: Option<[u8; 32]>,
}

static TABLE: LazyLock<Mutex<HashMap<TableKey, Arc<Loaded>>>> = LazyLock::new(|| Mutex::new(HashMap::new()));

fn stat(key: &'static str, path: &str) -> Result<(PathBuf, u64, Option<SystemTime>)> {
    let meta = std::fs::metadata(path).map_err(|e| unreadable(key, path, &e))?;
    Ok((PathBuf::from(path), meta.len(), meta.modified().ok()))
}

fn cached_or_load(source: &Source) -> Result<Arc<Loaded>> {
    let key = TableKey {
        cert: stat(KEY_CONFIG, &source.cert)?,
        key: source.key.as_deref().map(|k| stat("client_certificate_key", k)).transpose()?,
        password: source.password.as_ref().map(|p| {
            let d = ring::digest::digest(&ring::digest::SHA256, p.expose().as_bytes());
            let mut out = [0u8; 32];
            out.copy_from_slice(d.as_ref());
            out
        }),
    };
    if let Some(found) = TABLE.lock().unwrap_or_else(PoisonError::into_inner).get(&key) {
        return Ok(Arc::clone(found));
    }
    let loaded = Arc::new(read(source)?);
    let mut table = TABLE.lock().unwrap_or_else(PoisonError::into_inner);
    // A replaced file (new size or mtime) supersedes the old entry of the same path.
    table.retain(|k, _| k.cert.0 != key.cert.0);
    table.insert(key, Arc::clone(&loaded));
    Ok(loaded)
}

fn unreadable(key: &str, path: &str, e: &std::io::Error) -> Error {
    Error::config(key, format!("config key `{key}`: cannot read `{path}`: {e}"))
        .with_hint(format!("point `{key}` at the file and make it readable by the PHP process's user (and nobody else)"))
}

/// Reads and checks the files.
fn read(source: &Source) -> Result<Loaded> {
    let data = Zeroizing::new(std::fs::read(&source.cert).map_err(|e| unreadable(KEY_CONFIG, &source.cert, &e))?);
    let is_pem = data.windows(11).any(|w| w == b"-----BEGIN ");
    let (certs, key) = if is_pem {
        let (certs, mut keys) = pem_blocks(&data, &source.cert, source.password.as_ref(), "client_certificate")?;
        let key = match &source.key {
            Some(kp) => {
                let kdata = Zeroizing::new(std::fs::read(kp).map_err(|e| unreadable("client_certificate_key", kp, &e))?);
                let (_, mut ks) = pem_blocks(&kdata, kp, source.password.as_ref(), "client_certificate_key")?;
                if ks.is_empty() {
                    return Err(Error::config("client_certificate_key", format!("config key `client_certificate_key`: `{kp}` holds no PEM private key"))
                        .with_hint("point `client_certificate_key` at the PEM file with -----BEGIN PRIVATE KEY----- (or RSA PRIVATE KEY / ENCRYPTED PRIVATE KEY)"));
                }
                ks.remove(0)
            }
            None if keys.is_empty() => {
                return Err(Error::config(KEY_CONFIG, format!("config key `client_certificate`: `{}` holds no private key", source.cert))
                    .with_hint("put the private key into the same PEM file, or name the key file in `client_certificate_key` (env O365_CLIENT_CERTIFICATE_KEY)"));
            }
            None => keys.remove(0),
        };
        if certs.is_empty() {
            return Err(Error::config(KEY_CONFIG, format!("config key `client_certificate`: `{}` holds no certificate", source.cert))
                .with_hint("the file must contain -----BEGIN CERTIFICATE-----, or be a PKCS#12 (.pfx/.p12) file"));
        }
        (certs, key)
    } else {
        if source.key.is_some() {
            return Err(Error::config("client_certificate_key", "config key `client_certificate_key` goes with a PEM certificate; a PKCS#12 file holds its own key")
                .with_hint("remove `client_certificate_key`, or convert the certificate to PEM"));
        }
        pkcs12(&data, &source.cert, source.password.as_ref())?
    };
    assemble(source, certs, key)
}

/// A private key as found in a file.
struct FoundKey {
    der: Zeroizing<Vec<u8>>,
    format: KeyFormat,
}

/// Certificates and keys of a PEM file.
fn pem_blocks(data: &[u8], path: &str, password: Option<&Secret>, key: &'static str) -> Result<(Vec<Vec<u8>>, Vec<FoundKey>)> {
    let blocks = pem::parse_many(data).map_err(|e| {
        Error::config(key, format!("config key `{key}`: `{path}` is not valid PEM ({e})"))
            .with_hint("export the certificate as PEM (Base-64) or as PKCS#12 (.pfx)")
    })?;
    let mut certs = Vec::new();
    let mut keys = Vec::new();
    for block in blocks {
        match block.tag() {
            "CERTIFICATE" => certs.push(block.contents().to_vec()),
            "PRIVATE KEY" => keys.push(FoundKey { der: Zeroizing::new(block.into_contents()), format: KeyFormat::Pkcs8 }),
            "RSA PRIVATE KEY" => {
                if block.headers().get("Proc-Type").is_some_and(|v| v.contains("ENCRYPTED")) {
                    return Err(Error::config(key, format!("config key `{key}`: `{path}` holds a key in OpenSSL's legacy encrypted format, which is not supported"))
                        .with_hint(format!("convert it to encrypted PKCS#8: openssl pkcs8 -topk8 -v2 aes-256-cbc -in {path} -out key.pem (keep `client_certificate_password`)")));
                }
                keys.push(FoundKey { der: Zeroizing::new(block.into_contents()), format: KeyFormat::Pkcs1 })
            }
            "ENCRYPTED PRIVATE KEY" => keys.push(decrypt_pkcs8(block.contents(), path, password, key)?),
            "EC PRIVATE KEY" => return Err(unsupported_key("EC", key, path)),
            _ => {}
        }
    }
    Ok((certs, keys))
}

fn decrypt_pkcs8(der: &[u8], path: &str, password: Option<&Secret>, key: &'static str) -> Result<FoundKey> {
    let Some(password) = password else {
        return Err(Error::config("client_certificate_password", format!("config key `{key}`: the private key in `{path}` is encrypted and no password is set"))
            .with_hint("set `client_certificate_password` (env O365_CLIENT_CERTIFICATE_PASSWORD)"));
    };
    let info = pkcs8::EncryptedPrivateKeyInfoRef::try_from(der).map_err(|_| {
        Error::config(key, format!("config key `{key}`: the encrypted private key in `{path}` is damaged"))
    })?;
    let doc = info.decrypt(password.expose().as_bytes()).map_err(|e| {
        Error::config("client_certificate_password", format!(
            "config key `client_certificate_password`: cannot decrypt the private key in `{path}`: wrong password, or an unsupported cipher ({e})"
        ))
        .with_hint("check `client_certificate_password` (env O365_CLIENT_CERTIFICATE_PASSWORD); keys encrypted with AES-CBC + PBKDF2 or scrypt (openssl pkcs8 -topk8 -v2 aes-256-cbc) are supported")
    })?;
    Ok(FoundKey { der: Zeroizing::new(doc.as_bytes().to_vec()), format: KeyFormat::Pkcs8 })
}

fn pkcs12(data: &[u8], path: &str, password: Option<&Secret>) -> Result<(Vec<Vec<u8>>, FoundKey)> {
    let pw = password.map(Secret::expose).unwrap_or("");
    let archive = p12_keystore::Pkcs12Archive::from_pkcs12(data, pw).map_err(|e| {
        use p12_keystore::error::Error as P;
        match e {
            P::MacError(_) | P::UnpadError | P::InvalidPrivateKey => Error::config(
                "client_certificate_password",
                format!("config key `client_certificate_password`: cannot open the PKCS#12 file `{path}`: wrong password (or a damaged file)"),
            )
            .with_hint("set `client_certificate_password` (env O365_CLIENT_CERTIFICATE_PASSWORD) to the password the .pfx was exported with"),
            P::UnsupportedEncryptionScheme | P::UnsupportedMacAlgorithm => Error::config(
                KEY_CONFIG,
                format!("config key `client_certificate`: the PKCS#12 file `{path}` uses an unsupported encryption"),
            )
            .with_hint(format!("re-export it with AES: openssl pkcs12 -in {path} -nodes | openssl pkcs12 -export -keypbe AES-256-CBC -certpbe AES-256-CBC -macalg sha256 -out new.pfx")),
            _ => Error::config(KEY_CONFIG, format!("config key `client_certificate`: `{path}` is neither PEM nor a readable PKCS#12 (.pfx/.p12) file"))
                .with_hint("point `client_certificate` at a PEM file (certificate + private key) or a .pfx/.p12 file with its password"),
        }
    })?;
    let certs: Vec<Vec<u8>> = archive.certs.iter().map(|c| c.cert.as_der().to_vec()).collect();
    let Some(first) = archive.keys.first() else {
        return Err(Error::config(KEY_CONFIG, format!("config key `client_certificate`: the PKCS#12 file `{path}` holds no private key"))
            .with_hint("export the certificate together with its private key (Windows: \"Yes, export the private key\")"));
    };
    let key = FoundKey { der: Zeroizing::new(first.key.as_der().to_vec()), format: KeyFormat::Pkcs8 };
    if certs.is_empty() {
        return Err(Error::config(KEY_CONFIG, format!("config key `client_certificate`: the PKCS#12 file `{path}` holds no certificate")));
    }
    Ok((certs, key))
}

fn unsupported_key(kind: &str, key: &str, path: &str) -> Error {
    Error::config(key, format!("config key `{key}`: `{path}` holds an {kind} key; only RSA keys (2048 bits or more) are supported"))
        .with_hint("create an RSA certificate: openssl req -x509 -newkey rsa:2048 -sha256 -days 365 -nodes -keyout key.pem -out cert.pem -subj /CN=o365-mailer")
}

fn parse_key(der: &[u8], format: KeyFormat) -> std::result::Result<ring::signature::RsaKeyPair, ring::error::KeyRejected> {
    match format {
        KeyFormat::Pkcs8 => ring::signature::RsaKeyPair::from_pkcs8(der),
        KeyFormat::Pkcs1 => ring::signature::RsaKeyPair::from_der(der),
    }
}

/// The file the key came from and the config key that names it.
fn key_origin(source: &Source) -> (&str, &'static str) {
    match &source.key {
        Some(k) => (k, "client_certificate_key"),
        None => (&source.cert, KEY_CONFIG),
    }
}

/// The RSA public key of `key`, after checking that it is a usable RSA key.
fn public_key(source: &Source, key: &FoundKey) -> Result<Vec<u8>> {
    let (key_file, key_name) = key_origin(source);
    if let KeyFormat::Pkcs8 = key.format {
        let info = pkcs8::PrivateKeyInfoRef::try_from(key.der.as_slice()).map_err(|_| {
            Error::config(key_name, format!("config key `{key_name}`: the private key in `{key_file}` is damaged"))
        })?;
        let oid = info.algorithm.oid.to_string();
        match oid.as_str() {
            OID_RSA => {}
            OID_EC => return Err(unsupported_key("EC", key_name, key_file)),
            OID_ED25519 => return Err(unsupported_key("Ed25519", key_name, key_file)),
            other => return Err(unsupported_key(&format!("unknown ({other})"), key_name, key_file)),
        }
    }
    let pair = parse_key(&key.der, key.format).map_err(|e| {
        let why = match e.to_string().as_str() {
            "TooSmall" => "the RSA key is shorter than 2048 bits",
            "TooLarge" => "the RSA key is longer than 4096 bits",
            _ => "the RSA private key is not valid",
        };
        Error::config(key_name, format!("config key `{key_name}`: {why} (`{key_file}`)"))
            .with_hint("use an RSA key of 2048, 3072 or 4096 bits: openssl req -x509 -newkey rsa:2048 ...")
    })?;
    Ok(ring::signature::KeyPair::public_key(&pair).as_ref().to_vec())
}

/// The certificate of the key, as DER with what diagnostics show of it.
struct Leaf {
    der: Vec<u8>,
    subject: String,
    not_before: i64,
    not_after: i64,
    bits: usize,
}

/// Splits the file's certificates into the one whose public key is `public` and the
/// rest (its chain, in file order).
fn pick_leaf(source: &Source, certs: Vec<Vec<u8>>, public: &[u8]) -> Result<(Leaf, Vec<Vec<u8>>)> {
    let mut leaf = None;
    let mut rest = Vec::new();
    for der in certs {
        let (_, cert) = x509_parser::parse_x509_certificate(&der).map_err(|_| {
            Error::config(KEY_CONFIG, format!("config key `client_certificate`: a certificate in `{}` cannot be parsed", source.cert))
        })?;
        let matches = cert.public_key().subject_public_key.data.as_ref() == public;
        if matches && leaf.is_none() {
            let bits = match cert.public_key().parsed() {
                Ok(x509_parser::public_key::PublicKey::RSA(rsa)) => rsa.key_size(),
                _ => 0,
            };
            let validity = cert.validity();
            let (subject, not_before, not_after) = (cert.subject().to_string(), validity.not_before.timestamp(), validity.not_after.timestamp());
            leaf = Some(Leaf { der, subject, not_before, not_after, bits });
        } else {
            rest.push(der);
        }
    }
    let Some(leaf) = leaf else {
        let (key_file, key_name) = key_origin(source);
        let hint = if source.key.is_some() {
            format!("`client_certificate_key` ({key_file}) must be the key the certificate `{}` was created with", source.cert)
        } else {
            format!("`{}` must hold the certificate together with the key it was created with", source.cert)
        };
        return Err(Error::config(key_name, format!("the private key in `{key_file}` does not belong to the certificate in `{}`", source.cert))
            .with_hint(hint));
    };
    Ok((leaf, rest))
}

/// Picks the certificate that belongs to the key and checks the pair.
fn assemble(source: &Source, certs: Vec<Vec<u8>>, key: FoundKey) -> Result<Loaded> {
    let public = public_key(source, &key)?;
    // The certificate of this key comes first; the rest is its chain, in file order.
    let (leaf, rest) = pick_leaf(source, certs, &public)?;
    let mut sha1 = [0u8; 20];
    sha1.copy_from_slice(ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &leaf.der).as_ref());
    let mut sha256 = [0u8; 32];
    sha256.copy_from_slice(ring::digest::digest(&ring::digest::SHA256, &leaf.der).as_ref());
    let mut chain = vec![leaf.der];
    chain.extend(rest);
    Ok(Loaded {
        cert_path: PathBuf::from(&source.cert),
        key_path: source.key.as_ref().map(PathBuf::from),
        chain,
        key: key.der,
        key_format: key.format,
        sha1,
        sha256,
        subject: leaf.subject,
        not_before: leaf.not_before,
        not_after: leaf.not_after,
        bits: leaf.bits,
    })
}

fn check_validity(l: &Loaded, now: i64) -> Result<()> {
    let thumb = hex(&l.sha1);
    if now > l.not_after {
        return Err(Error::config(KEY_CONFIG, format!(
            "the certificate in `{}` (thumbprint {thumb}) expired on {}",
            l.cert_path.display(),
            iso(l.not_after)
        ))
        .with_hint("create a new certificate, upload its public part (.cer/.pem) under Certificates & secrets of the app registration in Entra, and point `client_certificate` (env O365_CLIENT_CERTIFICATE) at it"));
    }
    if now < l.not_before {
        return Err(Error::config(KEY_CONFIG, format!(
            "the certificate in `{}` (thumbprint {thumb}) is not valid before {}",
            l.cert_path.display(),
            iso(l.not_before)
        ))
        .with_hint("check the machine's clock, or use a certificate that is valid now"));
    }
    Ok(())
}

pub(crate) fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// Upper-case hex, the way the Entra portal and Windows show thumbprints.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// `2026-12-03 10:00:00 UTC`.
pub(crate) fn iso(unix: i64) -> String {
    let days = unix.div_euclid(86400);
    let secs = unix.rem_euclid(86400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC", secs / 3600, secs % 3600 / 60, secs % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates() {
        assert_eq!(iso(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(iso(1_580_515_200), "2020-02-01 00:00:00 UTC");
        assert_eq!(iso(1_798_761_599), "2026-12-31 23:59:59 UTC");
    }

    #[test]
    fn algorithm_names() {
        assert_eq!(Algorithm::parse("ps256").unwrap(), Algorithm::Ps256);
        assert_eq!(Algorithm::parse("RS256").unwrap().name(), "RS256");
        assert_eq!(Algorithm::parse("ES256").unwrap_err().config_key.as_deref(), Some("client_certificate_algorithm"));
    }
}
