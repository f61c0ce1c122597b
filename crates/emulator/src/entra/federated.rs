//! Federated identity credentials (workload identity federation): an app trusts tokens
//! that an external issuer (a Kubernetes cluster's OIDC issuer, GitHub Actions, ...)
//! signs about a subject, for the audience `api://AzureADTokenExchange`. Matching is
//! exact and case-sensitive, as in Entra: issuer (AADSTS700211), subject (700213),
//! audience (700212); then the signature against the configured JWKS or key (700027)
//! and the time range (700024).

use super::errors::EntraError;
use crate::config::FederatedCredentialConfig;
use crate::jwt::{self, Jwt};
use serde_json::Value;

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

fn invalid(msg: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, msg)
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
pub fn load(creds: &[FederatedCredentialConfig]) -> std::io::Result<Vec<RegisteredFederated>> {
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

/// Verifies a federated assertion (already decoded) against the app's credentials.
pub fn verify(token: &Jwt, creds: &[RegisteredFederated], now: u64) -> Result<(), EntraError> {
    let s = |k: &str| token.claims.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let (iss, sub) = (s("iss"), s("sub"));
    let auds: Vec<String> = match token.claims.get("aud") {
        Some(Value::String(a)) => vec![a.clone()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        _ => Vec::new(),
    };
    let by_issuer: Vec<&RegisteredFederated> = creds.iter().filter(|c| c.issuer == iss).collect();
    if by_issuer.is_empty() {
        return Err(EntraError::no_federated_match(700_211, "issuer", &iss));
    }
    let by_subject: Vec<&&RegisteredFederated> = by_issuer.iter().filter(|c| c.subject == sub).collect();
    if by_subject.is_empty() {
        return Err(EntraError::no_federated_match(700_213, "subject", &sub));
    }
    let Some(cred) = by_subject.iter().find(|c| auds.contains(&c.audience)) else {
        return Err(EntraError::no_federated_match(700_212, "audience", &auds.join(", ")));
    };
    let alg = token.header.get("alg").and_then(Value::as_str).unwrap_or("");
    let params: &aws_lc_rs::signature::RsaParameters = match alg {
        "RS256" => &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
        "RS384" => &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA384,
        "RS512" => &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA512,
        "PS256" => &aws_lc_rs::signature::RSA_PSS_2048_8192_SHA256,
        "PS384" => &aws_lc_rs::signature::RSA_PSS_2048_8192_SHA384,
        "PS512" => &aws_lc_rs::signature::RSA_PSS_2048_8192_SHA512,
        other => {
            return Err(EntraError::bad_assertion_signature(
                &format!("The federated token's signature algorithm '{}' is not supported.", other.chars().take(20).collect::<String>()),
                &iss,
            ));
        }
    };
    let kid = token.header.get("kid").and_then(Value::as_str);
    let verified = cred
        .keys
        .iter()
        .filter(|k| kid.is_none() || k.kid.is_none() || k.kid.as_deref() == kid)
        .any(|k| {
            aws_lc_rs::signature::RsaPublicKeyComponents { n: &k.n, e: &k.e }
                .verify(params, token.signing_input.as_bytes(), &token.signature)
                .is_ok()
        });
    if !verified {
        return Err(EntraError::bad_assertion_signature(
            "The federated token's signature could not be verified with the issuer's keys.",
            &iss,
        ));
    }
    let num = |k: &str| token.claims.get(k).and_then(Value::as_u64).unwrap_or(0);
    let (nbf, exp) = (num("nbf"), num("exp"));
    if now > exp + 300 || now + 300 < nbf {
        return Err(EntraError::assertion_time(now, nbf, exp));
    }
    Ok(())
}
