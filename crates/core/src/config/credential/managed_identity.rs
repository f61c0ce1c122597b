//! Managed identity: the Azure host hands out tokens for its own identity, so the app
//! holds no secret and needs no tenant id. Two protocols:
//! - App Service, Functions, Container Apps: `GET $IDENTITY_ENDPOINT?api-version=2019-08-01&resource=...`
//!   with `X-IDENTITY-HEADER: $IDENTITY_HEADER` (both env variables set by the platform);
//! - VMs and scale sets (IMDS): `GET http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=...`
//!   with `Metadata: true`.
//!
//! A user-assigned identity is chosen by its client id. The resource is the Graph host of
//! the configured cloud. IMDS answers 404/410/429/5xx while it starts or updates; those
//! are retried with exponential backoff as MSAL does for managed identity (at least three
//! retries, within the retry time cap). Tokens come with `expires_on` (Unix seconds, as
//! a string).

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;

use super::App;
use super::request::{Endpoint, TokenRequest};
use crate::config::credential::TokenResponse;
use crate::error::{Error, ErrorKind, Result};
use crate::config::secret::Secret;

/// Query values: everything but RFC 3986's unreserved characters is encoded.
const QUERY: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// IMDS's token URL.
pub const IMDS_ENDPOINT: &str = "http://169.254.169.254/metadata/identity/oauth2/token";
/// Retries for IMDS's transient answers (it restarts and upgrades under running VMs).
pub const IMDS_RETRIES: u32 = 3;

/// Which token protocol the endpoint speaks.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// App Service / Functions / Container Apps, with the platform's `IDENTITY_HEADER`.
    AppService {
        /// The value for `X-IDENTITY-HEADER` (a per-app secret).
        header: Secret,
    },
    /// The Instance Metadata Service of VMs (and Azure Arc-like endpoints).
    Imds,
}

/// A managed identity.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ManagedIdentity {
    /// Client id of a user-assigned identity; `None`: the system-assigned one.
    pub client_id: Option<String>,
    /// The token URL (without query).
    pub endpoint: String,
    /// The protocol.
    pub protocol: Protocol,
    /// Where the endpoint came from, for messages.
    pub origin: &'static str,
}

impl ManagedIdentity {
    fn resource(app: &App<'_>) -> String {
        app.scope().trim_end_matches("/.default").to_string()
    }

    pub(crate) fn token_request(&self, app: &App<'_>) -> TokenRequest {
        let (version, headers) = match &self.protocol {
            Protocol::AppService { header } => ("2019-08-01", vec![("x-identity-header", header.clone())]),
            Protocol::Imds => ("2018-02-01", vec![("metadata", Secret::new("true"))]),
        };
        let mut url = format!(
            "{}{}api-version={version}&resource={}",
            self.endpoint,
            if self.endpoint.contains('?') { '&' } else { '?' },
            utf8_percent_encode(&Self::resource(app), QUERY)
        );
        if let Some(id) = &self.client_id {
            url.push_str(&format!("&client_id={}", utf8_percent_encode(id, QUERY)));
        }
        TokenRequest {
            method: reqwest::Method::GET,
            url,
            headers,
            form: Vec::new(),
            endpoint: Endpoint { what: "managed identity endpoint", base: self.endpoint.clone(), key: "managed_identity_endpoint" },
        }
    }

    pub(crate) fn is_transient(&self, status: u16) -> bool {
        match self.protocol {
            Protocol::Imds => matches!(status, 404 | 410 | 429) || status >= 500,
            Protocol::AppService { .. } => status == 429 || status >= 500,
        }
    }

    pub(crate) fn max_retries(&self, configured: u32) -> u32 {
        match self.protocol {
            Protocol::Imds => configured.max(IMDS_RETRIES),
            Protocol::AppService { .. } => configured,
        }
    }

    fn which(&self) -> String {
        match &self.client_id {
            Some(id) => format!("the user-assigned managed identity `{id}`"),
            None => "the system-assigned managed identity".to_string(),
        }
    }

    pub(crate) fn answer(&self, status: u16, body: &[u8]) -> Result<TokenResponse> {
        let json: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        if status == 200 {
            return parse_token(&json, super::certificate_file::now()).map_err(|why| {
                Error::new(ErrorKind::Authentication, format!("the managed identity endpoint answered 200 {why}; the token was not used"))
                    .with_status(status)
                    .with_hint("check `managed_identity_endpoint` (or IDENTITY_ENDPOINT): it must be the host's managed identity token endpoint; check this machine's clock")
            });
        }
        let detail = describe_error(&json);
        let (message, hint) = match status {
            400 => (
                format!("{} was not found on this Azure resource ({detail})", self.which()),
                match &self.client_id {
                    None => "enable the system-assigned identity of the resource (Azure portal: the resource's Identity page, System assigned: On), or set `managed_identity` to the client id of a user-assigned identity attached to it".to_string(),
                    Some(_) => "attach the user-assigned identity to the resource (its Identity page, User assigned: Add) and check that `managed_identity` holds the identity's Client ID".to_string(),
                },
            ),
            401 | 403 => (
                format!("the managed identity endpoint refused the request ({detail})"),
                "the IDENTITY_HEADER in this process's environment does not match the platform's: restart the app so it gets the current IDENTITY_ENDPOINT and IDENTITY_HEADER".to_string(),
            ),
            s if self.is_transient(s) => (
                format!("the managed identity endpoint failed with HTTP {s} ({detail})"),
                "the host's identity service is starting or overloaded; retried with backoff, try again later".to_string(),
            ),
            s => (
                format!("the managed identity endpoint refused the token request with HTTP {s} ({detail})"),
                "check `managed_identity` and `managed_identity_endpoint` (or IDENTITY_ENDPOINT / IDENTITY_HEADER)".to_string(),
            ),
        };
        Err(Error::new(ErrorKind::Authentication, message).with_status(status).with_hint(hint))
    }

    pub(crate) fn details(&self) -> Vec<(&'static str, String)> {
        vec![
            ("managed_identity", self.client_id.clone().unwrap_or_else(|| "system-assigned".to_string())),
            ("managed_identity_endpoint", format!("{} (from {})", self.endpoint, self.origin)),
            (
                "managed_identity_protocol",
                match self.protocol {
                    Protocol::AppService { .. } => "App Service (X-IDENTITY-HEADER)".to_string(),
                    Protocol::Imds => "IMDS (Metadata: true)".to_string(),
                },
            ),
        ]
    }
}

/// A number or a numeric string (managed identity endpoints send strings).
fn number(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    }
}

/// Longest lifetime a managed identity token is believed to have (they live about a
/// day); an expiry further away is not a real token's and is refused.
pub const MAX_EXPIRY_SECS: i64 = 7 * 86400;

/// Parses a 200 answer: `access_token` and `expires_on` (Unix seconds; preferred, it is
/// absolute) or `expires_in`. Long-lived tokens (managed identity tokens live ~24 h) are
/// refreshed at half their life, as Azure's SDKs do. The arithmetic saturates (a hostile
/// `expires_on` of -2^63 must not wrap into a long life); an expiry in the past or more
/// than [`MAX_EXPIRY_SECS`] away is refused with what was wrong.
fn parse_token(json: &Value, now: i64) -> std::result::Result<TokenResponse, String> {
    let access_token = json.get("access_token").and_then(Value::as_str).unwrap_or_default().to_string();
    if access_token.is_empty() {
        return Err("without an access_token".into());
    }
    let (field, expires_in) = match (number(json.get("expires_on")), number(json.get("expires_in"))) {
        (Some(on), _) => ("expires_on", on.saturating_sub(now)),
        (None, Some(secs)) => ("expires_in", secs),
        (None, None) => return Err("without expires_on or expires_in".into()),
    };
    if expires_in <= 0 {
        return Err(format!("with a token whose {field} is in the past ({expires_in} s from now)"));
    }
    if expires_in > MAX_EXPIRY_SECS {
        return Err(format!("with a token whose {field} is too far in the future ({expires_in} s from now; at most {MAX_EXPIRY_SECS} s is believed)"));
    }
    let expires_in = expires_in.unsigned_abs();
    Ok(TokenResponse { access_token, expires_in, refresh_in: (expires_in >= 7200).then_some(expires_in / 2) })
}

/// The error text of either protocol's error shape, shortened; never a token.
fn describe_error(json: &Value) -> String {
    let s = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
    let text = s(json.get("error_description"))
        .or_else(|| s(json.get("message")))
        .or_else(|| s(json.pointer("/error/message")))
        .or_else(|| s(json.get("error")))
        .unwrap_or_else(|| "no error description".to_string());
    text.chars().take(300).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expires_on_as_string_or_number() {
        let t = parse_token(&serde_json::json!({"access_token": "a", "expires_on": "1000", "expires_in": "1"}), 400).unwrap();
        assert_eq!(t.expires_in, 600);
        let t = parse_token(&serde_json::json!({"access_token": "a", "expires_on": 86800}), 400).unwrap();
        assert_eq!((t.expires_in, t.refresh_in), (86400, Some(43200)));
        let t = parse_token(&serde_json::json!({"access_token": "a", "expires_in": "3599"}), 400).unwrap();
        assert_eq!(t.expires_in, 3599);
        assert!(parse_token(&serde_json::json!({"access_token": "a", "expires_on": "300"}), 400).err().unwrap_or_default().contains("in the past"));
        assert!(parse_token(&serde_json::json!({"expires_on": "3000"}), 400).is_err());
        let min = parse_token(&serde_json::json!({"access_token": "a", "expires_on": i64::MIN.to_string()}), i64::MAX).err().unwrap_or_default();
        assert!(min.contains("expires_on is in the past"), "{min}");
        let max = parse_token(&serde_json::json!({"access_token": "a", "expires_on": i64::MAX}), i64::MIN).err().unwrap_or_default();
        assert!(max.contains("too far in the future"), "{max}");
    }
}
