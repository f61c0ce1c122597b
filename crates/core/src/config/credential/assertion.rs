//! The client assertion Entra verifies for a certificate credential: a JWT whose header
//! names the certificate by thumbprint (`x5t#S256` for PS256, `x5t` for RS256, plus the
//! chain in `x5c` when asked) and whose claims bind it to this app and this token
//! endpoint for at most ten minutes. A new one (new `jti`) for every token request.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::json;

use super::certificate::Certificate;
use super::certificate_file::{Algorithm, Loaded, now};
use crate::error::Result;
use crate::config::secret::Secret;

/// Lifetime of an assertion (MSAL's choice; Entra's limit is higher).
pub(crate) const LIFETIME_SECS: i64 = 600;

/// Signs a fresh assertion for `client_id` at the token endpoint `aud` with `key`, the
/// version of the certificate's files in use now.
pub(crate) fn sign(cert: &Certificate, key: &Loaded, client_id: &str, aud: &str) -> Result<Secret> {
    let mut header = match cert.algorithm {
        Algorithm::Ps256 => json!({"alg": "PS256", "typ": "JWT", "x5t#S256": URL_SAFE_NO_PAD.encode(key.sha256())}),
        Algorithm::Rs256 => json!({"alg": "RS256", "typ": "JWT", "x5t": URL_SAFE_NO_PAD.encode(key.sha1())}),
    };
    if cert.send_chain {
        header["x5c"] = json!(key.chain().iter().map(|der| STANDARD.encode(der)).collect::<Vec<_>>());
    }
    let now = now();
    let claims = json!({
        "aud": aud,
        "iss": client_id,
        "sub": client_id,
        "jti": uuid::Uuid::new_v4().to_string(),
        "nbf": now,
        "iat": now,
        "exp": now + LIFETIME_SECS,
    });
    let input = format!("{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()));
    let signature = key.sign(cert.algorithm, input.as_bytes())?;
    Ok(Secret::new(format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))))
}
