//! The credentials registered on the emulator's apps, loaded once at start from the
//! configuration: certificates (for client assertions, checked by `entra::assertion`)
//! and the keys of federated credentials (checked by `entra::federated`). Kept in the
//! shared state, so they sit below it and below Entra.

use crate::config::FederatedCredentialConfig;
use crate::jwt;
use serde_json::Value;

/// A certificate registered on an app.
#[derive(Clone, Debug)]
pub struct RegisteredCert {
    pub sha1: Vec<u8>,
    pub sha256: Vec<u8>,
    /// PKCS#1 RSAPublicKey DER (what aws-lc-rs verifies with).
    pub rsa_public_key: Vec<u8>,
}

/// Parses certificates given as PEM text or as a path to a PEM file.
pub fn load_certs(entries: &[String]) -> std::io::Result<Vec<RegisteredCert>> {
    let mut out = Vec::new();
    for entry in entries {
        let pem_text = if entry.contains("-----BEGIN") {
            entry.clone()
        } else {
            std::fs::read_to_string(entry)
                .map_err(|e| std::io::Error::new(e.kind(), format!("certificate {entry}: {e}")))?
        };
        let mut found = false;
        for pem in x509_parser::pem::Pem::iter_from_buffer(pem_text.as_bytes()) {
            let pem = pem.map_err(|e| invalid(format!("certificate PEM: {e}")))?;
            if pem.label != "CERTIFICATE" {
                continue;
            }
            out.push(parse_der(&pem.contents)?);
            found = true;
        }
        if !found {
            return Err(invalid(format!("no CERTIFICATE in {}", short(entry))));
        }
    }
    Ok(out)
}

/// The start of a configured value (PEM text or a path), for messages.
pub fn short(entry: &str) -> String {
    entry.chars().take(60).collect()
}

fn invalid(msg: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, msg)
}

fn parse_der(der: &[u8]) -> std::io::Result<RegisteredCert> {
    let (_, cert) = x509_parser::parse_x509_certificate(der)
        .map_err(|e| invalid(format!("certificate: {e}")))?;
    let key = cert.public_key().subject_public_key.data.to_vec();
    Ok(RegisteredCert {
        sha1: aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, der).as_ref().to_vec(),
        sha256: aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, der).as_ref().to_vec(),
        rsa_public_key: key,
    })
}

/// An RSA public key of the issuer.
#[derive(Clone, Debug)]
pub struct IssuerKey {
    pub kid: Option<String>,
    pub n: Vec<u8>,
    pub e: Vec<u8>,
}

/// A federated credential, keys loaded.
#[derive(Clone, Debug)]
pub struct RegisteredFederated {
    pub issuer: String,
    pub subject: String,
    pub audience: String,
    pub keys: Vec<IssuerKey>,
}

/// Inline text, or the contents of the file it names.
fn text_or_file(value: &str, inline_marker: &str) -> std::io::Result<String> {
    if value.contains(inline_marker) {
        Ok(value.to_string())
    } else {
        std::fs::read_to_string(value).map_err(|e| std::io::Error::new(e.kind(), format!("federated credential key {value}: {e}")))
    }
}

/// Loads the keys of every federated credential of an app.
pub fn load_federated(creds: &[FederatedCredentialConfig]) -> std::io::Result<Vec<RegisteredFederated>> {
    creds
        .iter()
        .map(|c| {
            let mut keys = Vec::new();
            if let Some(jwks) = &c.jwks {
                let doc: Value = serde_json::from_str(&text_or_file(jwks, "{")?).map_err(|e| invalid(format!("JWKS: {e}")))?;
                for k in doc.get("keys").and_then(Value::as_array).into_iter().flatten() {
                    if k.get("kty").and_then(Value::as_str) != Some("RSA") {
                        continue;
                    }
                    let part = |name: &str| k.get(name).and_then(Value::as_str).and_then(jwt::b64url_decode);
                    if let (Some(n), Some(e)) = (part("n"), part("e")) {
                        keys.push(IssuerKey { kid: k.get("kid").and_then(Value::as_str).map(str::to_string), n, e });
                    }
                }
            }
            if let Some(key) = &c.key {
                keys.push(pem_key(&text_or_file(key, "-----BEGIN")?)?);
            }
            if keys.is_empty() {
                return Err(invalid(format!("federated credential for issuer {}: no RSA key in `jwks` or `key`", c.issuer)));
            }
            Ok(RegisteredFederated { issuer: c.issuer.clone(), subject: c.subject.clone(), audience: c.audience.clone(), keys })
        })
        .collect()
}

/// An RSA key from a PEM `PUBLIC KEY` or `CERTIFICATE`.
fn pem_key(text: &str) -> std::io::Result<IssuerKey> {
    for pem in x509_parser::pem::Pem::iter_from_buffer(text.as_bytes()) {
        let pem = pem.map_err(|e| invalid(format!("key PEM: {e}")))?;
        let parsed = match pem.label.as_str() {
            "PUBLIC KEY" => x509_parser::prelude::FromDer::from_der(&pem.contents)
                .ok()
                .and_then(|(_, spki): (_, x509_parser::x509::SubjectPublicKeyInfo)| spki.parsed().ok().map(owned)),
            "CERTIFICATE" => x509_parser::parse_x509_certificate(&pem.contents)
                .ok()
                .and_then(|(_, c)| c.public_key().parsed().ok().map(owned)),
            _ => None,
        };
        if let Some(Some(key)) = parsed {
            return Ok(key);
        }
    }
    Err(invalid("no RSA PUBLIC KEY or CERTIFICATE in the federated credential's key".into()))
}

fn owned(key: x509_parser::public_key::PublicKey<'_>) -> Option<IssuerKey> {
    match key {
        x509_parser::public_key::PublicKey::RSA(rsa) => {
            // DER integers carry a leading zero byte when the top bit is set.
            let strip = |b: &[u8]| b.iter().position(|x| *x != 0).map_or_else(Vec::new, |i| b[i..].to_vec());
            Some(IssuerKey { kid: None, n: strip(rsa.modulus), e: strip(rsa.exponent) })
        }
        _ => None,
    }
}
