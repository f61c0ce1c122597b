//! Certificate credentials: client assertions signed with a registered certificate's
//! key. Accepts what Entra accepts: PS256 with `x5t#S256` (SHA-256 thumbprint) and the
//! older RS256 with `x5t` (SHA-1). Checks signature, `aud`, `iss`/`sub` and `exp`/`nbf`.
//! A signed assertion may be sent again until its `exp`, as Entra allows: MSAL, Azure
//! Identity and @azure/identity reuse theirs for about ten minutes by design.

use super::errors::EntraError;
use crate::credentials::{RegisteredCert, short};
use crate::jwt;
use serde_json::Value;

/// What the assertion is checked against.
pub struct Expect<'a> {
    pub client_id: &'a str,
    pub tenant: &'a str,
    pub now: u64,
}

/// Verifies a client assertion.
pub fn verify(assertion: &str, certs: &[RegisteredCert], expect: &Expect<'_>) -> Result<(), EntraError> {
    let token = jwt::decode(assertion)
        .ok_or_else(|| EntraError::malformed_assertion("The client_assertion is not a compact JWS."))?;
    let alg = token.header.get("alg").and_then(Value::as_str).unwrap_or("");
    let (thumb, by_sha256) = if let Some(t) = token.header.get("x5t#S256").and_then(Value::as_str) {
        (t, true)
    } else if let Some(t) = token.header.get("x5t").and_then(Value::as_str) {
        (t, false)
    } else {
        return Err(EntraError::bad_assertion_signature(
            "The key used to sign the client assertion was not identified: the header has neither 'x5t#S256' nor 'x5t'.",
            expect.client_id,
        ));
    };
    let thumb_bytes = jwt::b64url_decode(thumb).unwrap_or_default();
    let cert = certs
        .iter()
        .find(|c| if by_sha256 { c.sha256 == thumb_bytes } else { c.sha1 == thumb_bytes })
        .ok_or_else(|| {
            let hex: String = thumb_bytes.iter().map(|b| format!("{b:02X}")).collect();
            EntraError::bad_assertion_signature(
                &format!("The key was not found., Thumbprint of key used by client: '{hex}'"),
                expect.client_id,
            )
        })?;
    let algorithm: &dyn aws_lc_rs::signature::VerificationAlgorithm = match alg {
        "PS256" => &aws_lc_rs::signature::RSA_PSS_2048_8192_SHA256,
        "RS256" => &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
        _ => {
            return Err(EntraError::bad_assertion_signature(
                &format!("The signature algorithm '{}' is not supported; use PS256 or RS256.", short(alg)),
                expect.client_id,
            ));
        }
    };
    aws_lc_rs::signature::UnparsedPublicKey::new(algorithm, &cert.rsa_public_key)
        .verify(token.signing_input.as_bytes(), &token.signature)
        .map_err(|_| {
            EntraError::bad_assertion_signature(
                "The provided signature value did not match the expected signature value.",
                expect.client_id,
            )
        })?;
    check_claims(&token.claims, expect)
}

fn check_claims(claims: &Value, expect: &Expect<'_>) -> Result<(), EntraError> {
    let s = |k: &str| claims.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    if !s("iss").eq_ignore_ascii_case(expect.client_id) || !s("sub").eq_ignore_ascii_case(expect.client_id) {
        return Err(EntraError::assertion_wrong_client());
    }
    let aud_ok = audiences(claims).iter().any(|a| audience_matches(a, expect.tenant));
    if !aud_ok {
        return Err(EntraError::assertion_audience());
    }
    // Entra allows five minutes of clock skew.
    let exp = numeric_date(claims.get("exp"));
    let nbf = numeric_date(claims.get("nbf"));
    if expect.now > exp + 300 || expect.now + 300 < nbf {
        return Err(EntraError::assertion_time(expect.now, nbf, exp));
    }
    Ok(())
}

/// A NumericDate claim. MSAL for Python writes them as floats (`1700000000.123`).
fn numeric_date(v: Option<&Value>) -> u64 {
    match v {
        Some(Value::Number(n)) => n.as_u64().or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)).unwrap_or(0),
        _ => 0,
    }
}

fn audiences(claims: &Value) -> Vec<String> {
    match claims.get("aud") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        _ => Vec::new(),
    }
}

/// Entra accepts the token endpoint URL (v2 or v1) and the v2 issuer of the tenant. The
/// host is not compared: a client may reach the emulator as localhost or 127.0.0.1.
fn audience_matches(aud: &str, tenant: &str) -> bool {
    let aud = aud.trim_end_matches('/').to_ascii_lowercase();
    let t = tenant.to_ascii_lowercase();
    [format!("/{t}/oauth2/v2.0/token"), format!("/{t}/oauth2/token"), format!("/{t}/v2.0")]
        .iter()
        .any(|suffix| aud.ends_with(suffix.as_str()))
}
