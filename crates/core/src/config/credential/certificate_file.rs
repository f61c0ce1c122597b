//! The files of a certificate credential, read and parsed: the certificate and its RSA
//! private key, checked (parses, key matches certificate, not expired) so that a wrong
//! file fails when the config is built.
//!
//! Accepted files: PEM holding the certificate (+ chain) and, unless a separate key file
//! is named, the key (PKCS#8 `PRIVATE KEY`, PKCS#1 `RSA PRIVATE KEY`, or an encrypted
//! PKCS#8 `ENCRYPTED PRIVATE KEY` with the password); or PKCS#12 (.pfx/.p12) with the
//! password. The files are read by [`crate::config::bounded_file`] (regular files only, opened
//! without blocking, at most [`MAX_CERTIFICATE_FILE_BYTES`] / [`MAX_KEY_FILE_BYTES`]);
//! `certificate_table` keeps what this parses, per process and version of the files.
//!
//! The private key is kept as DER in zeroize-on-drop memory and parsed into ring's key
//! type only for the moment of signing (ring's own key type does not wipe itself).
//! Errors name the file.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use zeroize::Zeroizing;

use crate::config::bounded_file::{Identity, Named};
use crate::error::{Error, Result};
use crate::config::secret::Secret;

/// Largest certificate file (PEM or PKCS#12) read: a certificate with a chain of a few
/// dozen certificates, even with openssl's text dumps beside each, fits well under it.
pub const MAX_CERTIFICATE_FILE_BYTES: u64 = 256 * 1024;
/// Largest key file read (an RSA 4096 key in PEM is about 3.3 KiB).
pub const MAX_KEY_FILE_BYTES: u64 = 64 * 1024;
/// Most certificates accepted in one file: the certificate and its chain, which
/// `client_certificate_send_chain` sends with every token request (`x5c`).
pub const MAX_CHAIN_CERTIFICATES: usize = 32;

pub(super) const KEY_CONFIG: &str = "client_certificate";
const KEY_FILE_CONFIG: &str = "client_certificate_key";
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

/// The identities of the certificate file and the key file read (which version).
pub(super) type Ids = (Identity, Option<Identity>);

/// What to load, from the config keys.
#[derive(Clone)]
pub(crate) struct Source {
    pub cert: String,
    pub key: Option<String>,
    pub password: Option<Secret>,
    pub algorithm: Algorithm,
    pub send_chain: bool,
}

/// The parsed files, shared by every config that names them.
pub(super) struct Loaded {
    pub(super) cert_path: PathBuf,
    pub(super) key_path: Option<PathBuf>,
    /// The certificate (DER), then the rest of the chain found in the file.
    pub(super) chain: Vec<Vec<u8>>,
    key: Zeroizing<Vec<u8>>,
    key_format: KeyFormat,
    sha1: [u8; 20],
    pub(super) sha256: [u8; 32],
    pub(super) subject: String,
    not_before: i64,
    pub(super) not_after: i64,
    pub(super) bits: usize,
}

impl Loaded {
    pub(super) fn sha1(&self) -> &[u8] {
        &self.sha1
    }

    pub(super) fn sha256(&self) -> &[u8] {
        &self.sha256
    }

    pub(super) fn chain(&self) -> &[Vec<u8>] {
        &self.chain
    }

    /// Signs `message` with the private key. The ring key lives only for this call.
    pub(super) fn sign(&self, algorithm: Algorithm, message: &[u8]) -> Result<Vec<u8>> {
        let pair = parse_key(&self.key, self.key_format)
            .map_err(|_| Error::config(KEY_CONFIG, "the certificate's private key could not be used for signing"))?;
        let alg: &dyn ring::signature::RsaEncoding = match algorithm {
            Algorithm::Ps256 => &ring::signature::RSA_PSS_SHA256,
            Algorithm::Rs256 => &ring::signature::RSA_PKCS1_SHA256,
        };
        let mut sig = vec![0u8; pair.public().modulus_len()];
        pair.sign(alg, &ring::rand::SystemRandom::new(), message, &mut sig)
            .map_err(|_| Error::config(KEY_CONFIG, "signing the client assertion failed (no system randomness?)"))?;
        Ok(sig)
    }

    /// SHA-1 thumbprint, upper-case hex.
    pub(super) fn thumbprint(&self) -> String {
        hex(&self.sha1)
    }
}

#[derive(Clone, Copy)]
enum KeyFormat {
    Pkcs8,
    Pkcs1,
}

/// The certificate file of `source`, as the bounded reader sees it.
pub(super) fn cert_file(source: &Source) -> Named<'_> {
    Named { key: KEY_CONFIG, path: Path::new(&source.cert), max: MAX_CERTIFICATE_FILE_BYTES }
}

/// The key file of `source`, if one is named.
pub(super) fn key_file(source: &Source) -> Option<Named<'_>> {
    source.key.as_deref().map(|k| Named { key: KEY_FILE_CONFIG, path: Path::new(k), max: MAX_KEY_FILE_BYTES })
}

/// Reads and checks the files; returns them with the identities of the versions read.
pub(super) fn read(source: &Source) -> Result<(Ids, Loaded)> {
    let (cert_id, data) = cert_file(source).read()?;
    let key_read = key_file(source).map(|f| f.read()).transpose()?;
    let key_id = key_read.as_ref().map(|(id, _)| *id);
    let is_pem = data.windows(11).any(|w| w == b"-----BEGIN ");
    let (certs, key) = if is_pem {
        let (certs, mut keys) = pem_blocks(&data, &source.cert, source.password.as_ref(), "client_certificate")?;
        let key = match (&source.key, key_read) {
            (Some(kp), Some((_, kdata))) => {
                let (_, mut ks) = pem_blocks(&kdata, kp, source.password.as_ref(), "client_certificate_key")?;
                if ks.is_empty() {
                    return Err(Error::config("client_certificate_key", format!("config key `client_certificate_key`: `{kp}` holds no PEM private key"))
                        .with_hint("point `client_certificate_key` at the PEM file with -----BEGIN PRIVATE KEY----- (or RSA PRIVATE KEY / ENCRYPTED PRIVATE KEY)"));
                }
                ks.remove(0)
            }
            _ if keys.is_empty() => {
                return Err(Error::config(KEY_CONFIG, format!("config key `client_certificate`: `{}` holds no private key", source.cert))
                    .with_hint("put the private key into the same PEM file, or name the key file in `client_certificate_key` (env O365_CLIENT_CERTIFICATE_KEY)"));
            }
            _ => keys.remove(0),
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
    if certs.len() > MAX_CHAIN_CERTIFICATES {
        return Err(cert_file(source)
            .error(format_args!("holds {} certificates; at most {MAX_CHAIN_CERTIFICATES} are accepted (the certificate and its chain)", certs.len()))
            .with_hint("keep only the app's certificate and the CAs that issued it in the file"));
    }
    Ok(((cert_id, key_id), assemble(source, certs, key)?))
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

pub(super) fn check_validity(l: &Loaded, now: i64) -> Result<()> {
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
