//! Compact JWTs: splitting and decoding any token (client assertions arrive signed with
//! RSA), and issuing/verifying our own access tokens. Access tokens are RS256 under a
//! `kid` the tenant's JWKS (`/{tenant}/discovery/v2.0/keys`) publishes, as Entra signs
//! them, so code that validates or inspects tokens behaves as with Entra. One RSA key
//! serves the whole process (generating a 2048-bit key took 0.5-1 s on this project's busy
//! 2-core machine, and test suites start hundreds of emulators); each emulator's `kid` comes from its own
//! random secret and Graph accepts only its own `kid`, so a token of another emulator
//! (or a hand-made one) still fails as forged.

use aws_lc_rs::signature::{KeyPair, RsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;
use std::sync::OnceLock;

/// A decoded (not yet verified) JWT.
pub struct Jwt {
    pub header: Value,
    pub claims: Value,
    /// `header.payload` as sent: the signed bytes.
    pub signing_input: String,
    pub signature: Vec<u8>,
}

/// Decodes base64url, tolerating padding some encoders add.
pub fn b64url_decode(s: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(s.trim_end_matches('=')).ok()
}

/// Encodes base64url without padding.
pub fn b64url(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(data)
}

/// Splits and decodes a compact JWT; `None` when it is not one.
pub fn decode(token: &str) -> Option<Jwt> {
    let mut parts = token.split('.');
    let (h, c, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let header: Value = serde_json::from_slice(&b64url_decode(h)?).ok()?;
    let claims: Value = serde_json::from_slice(&b64url_decode(c)?).ok()?;
    if !header.is_object() || !claims.is_object() {
        return None;
    }
    Some(Jwt {
        header,
        claims,
        signing_input: format!("{h}.{c}"),
        signature: b64url_decode(s)?,
    })
}

/// The process-wide signing key.
fn key() -> &'static RsaKeyPair {
    static KEY: OnceLock<RsaKeyPair> = OnceLock::new();
    // Fails only when the process is out of memory.
    KEY.get_or_init(|| RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).expect("generate the RSA token signing key"))
}

/// The `kid` of one emulator: a digest of its random per-run secret, shaped like Entra's
/// key ids (27 base64url characters, the length of an `x5t`).
pub fn kid(secret: &[u8]) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, secret);
    b64url(digest.as_ref())
}

/// Signs claims as an RS256 JWT under this emulator's `kid`.
pub fn sign_rs256(secret: &[u8], claims: &Value) -> String {
    let kid = kid(secret);
    let header = serde_json::json!({"typ": "JWT", "alg": "RS256", "x5t": kid, "kid": kid});
    let input = format!(
        "{}.{}",
        b64url(header.to_string().as_bytes()),
        b64url(claims.to_string().as_bytes())
    );
    let key = key();
    let mut sig = vec![0u8; key.public_modulus_len()];
    let rng = aws_lc_rs::rand::SystemRandom::new();
    // Signing with a valid key into a buffer of the modulus' size cannot fail.
    let _ = key.sign(&aws_lc_rs::signature::RSA_PKCS1_SHA256, &rng, input.as_bytes(), &mut sig);
    format!("{input}.{}", b64url(&sig))
}

/// The JWKS that publishes this emulator's signing key, in Entra's shape.
pub fn jwks(secret: &[u8]) -> Value {
    let public = key().public_key();
    let kid = kid(secret);
    serde_json::json!({"keys": [{
        "kty": "RSA", "use": "sig", "kid": kid, "x5t": kid,
        "n": b64url(public.modulus().big_endian_without_leading_zero()),
        "e": b64url(public.exponent().big_endian_without_leading_zero()),
        "issuer": "https://login.microsoftonline.com/{tenantid}/v2.0",
    }]})
}

/// Why an access token was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum TokenError {
    /// Not a JWT at all.
    Malformed,
    /// Not signed by this emulator.
    BadSignature,
    /// Outside `nbf`..`exp`.
    Expired,
}

/// Verifies one of our RS256 access tokens and returns its claims.
pub fn verify_rs256(secret: &[u8], token: &str, now: u64) -> Result<Value, TokenError> {
    let jwt = decode(token).ok_or(TokenError::Malformed)?;
    let header = |k: &str| jwt.header.get(k).and_then(Value::as_str);
    if header("alg") != Some("RS256") || header("kid") != Some(kid(secret).as_str()) {
        return Err(TokenError::BadSignature);
    }
    let public = aws_lc_rs::signature::UnparsedPublicKey::new(
        &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
        key().public_key().as_ref(),
    );
    public.verify(jwt.signing_input.as_bytes(), &jwt.signature).map_err(|_| TokenError::BadSignature)?;
    let exp = jwt.claims.get("exp").and_then(Value::as_u64).unwrap_or(0);
    let nbf = jwt.claims.get("nbf").and_then(Value::as_u64).unwrap_or(0);
    if now >= exp || now + 300 < nbf {
        return Err(TokenError::Expired);
    }
    Ok(jwt.claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_forgery() {
        let claims = serde_json::json!({"exp": 200, "nbf": 100, "roles": ["Mail.Send"]});
        let t = sign_rs256(b"k1", &claims);
        assert_eq!(decode(&t).unwrap().header["alg"], "RS256");
        assert_eq!(verify_rs256(b"k1", &t, 150).ok(), Some(claims));
        assert_eq!(verify_rs256(b"k2", &t, 150), Err(TokenError::BadSignature));
        assert_eq!(verify_rs256(b"k1", &t, 200), Err(TokenError::Expired));
        assert_eq!(verify_rs256(b"k1", "x.y", 150), Err(TokenError::Malformed));
        // A changed payload under the right kid: the signature no longer matches.
        let parts: Vec<&str> = t.split('.').collect();
        let forged = format!("{}.{}.{}", parts[0], b64url(br#"{"exp":200,"nbf":100,"roles":["Mail.ReadWrite"]}"#), parts[2]);
        assert_eq!(verify_rs256(b"k1", &forged, 150), Err(TokenError::BadSignature));
    }
}
