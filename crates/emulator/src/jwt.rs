//! Compact JWTs: splitting and decoding any token (client assertions arrive signed with
//! RSA), and issuing/verifying our own access tokens. Access tokens are HS256 with a
//! per-run key: clients never verify Graph tokens, only decode them, and the emulator
//! needs to tell its own tokens from forged ones.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

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

/// Signs claims as an HS256 JWT.
pub fn sign_hs256(key: &[u8], claims: &Value) -> String {
    let header = serde_json::json!({"typ": "JWT", "alg": "HS256"});
    let input = format!(
        "{}.{}",
        b64url(header.to_string().as_bytes()),
        b64url(claims.to_string().as_bytes())
    );
    let k = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, key);
    let tag = aws_lc_rs::hmac::sign(&k, input.as_bytes());
    format!("{input}.{}", b64url(tag.as_ref()))
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

/// Verifies one of our HS256 access tokens and returns its claims.
pub fn verify_hs256(key: &[u8], token: &str, now: u64) -> Result<Value, TokenError> {
    let jwt = decode(token).ok_or(TokenError::Malformed)?;
    if jwt.header.get("alg").and_then(Value::as_str) != Some("HS256") {
        return Err(TokenError::BadSignature);
    }
    let k = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, key);
    aws_lc_rs::hmac::verify(&k, jwt.signing_input.as_bytes(), &jwt.signature)
        .map_err(|_| TokenError::BadSignature)?;
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
        let t = sign_hs256(b"k1", &claims);
        assert_eq!(verify_hs256(b"k1", &t, 150).ok(), Some(claims));
        assert_eq!(verify_hs256(b"k2", &t, 150), Err(TokenError::BadSignature));
        assert_eq!(verify_hs256(b"k1", &t, 200), Err(TokenError::Expired));
        assert_eq!(verify_hs256(b"k1", "x.y", 150), Err(TokenError::Malformed));
    }
}
