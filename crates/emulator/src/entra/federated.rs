//! Federated identity credentials (workload identity federation): an app trusts tokens
//! that an external issuer (a Kubernetes cluster's OIDC issuer, GitHub Actions, ...)
//! signs about a subject, for the audience `api://AzureADTokenExchange`. Matching is
//! exact and case-sensitive, as in Entra: issuer (AADSTS700211), subject (700213),
//! audience (700212); then the signature against the configured JWKS or key (700027)
//! and the time range (700024).

use super::errors::EntraError;
use crate::credentials::RegisteredFederated;
use crate::jwt::Jwt;
use serde_json::Value;

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
