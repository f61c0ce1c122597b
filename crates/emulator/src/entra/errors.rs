//! Entra's token-endpoint errors, in Entra's exact shape:
//! `{error, error_description, error_codes[], timestamp, trace_id, correlation_id, error_uri}`
//! with the `AADSTSnnnn:` prefix and the trace/correlation/timestamp trailer in the
//! description. Clients must branch on `error`/`error_codes`; the texts imitate
//! Microsoft's so that humans reading logs recognise them. Never echo a secret.

use crate::http::{self, Resp};
use hyper::StatusCode;

/// One AADSTS error.
#[derive(Debug, Clone)]
pub struct EntraError {
    pub status: StatusCode,
    /// OAuth error: `invalid_client`, `invalid_request`, `unauthorized_client`, ...
    pub error: &'static str,
    /// The AADSTS number.
    pub code: u32,
    pub description: String,
}

impl EntraError {
    fn new(status: StatusCode, error: &'static str, code: u32, description: String) -> Self {
        EntraError { status, error, code, description }
    }

    /// AADSTS7000215: wrong secret (also the answer to a secret of another app).
    pub fn invalid_secret(client_id: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_client", 7_000_215, format!(
            "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client_id}'."))
    }

    /// AADSTS7000222: the secret exists but expired.
    pub fn expired_secret(client_id: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_client", 7_000_222, format!(
            "The provided client secret keys for app '{client_id}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds."))
    }

    /// AADSTS700016: no such app in this tenant.
    pub fn unknown_app(client_id: &str, tenant: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "unauthorized_client", 700_016, format!(
            "Application with identifier '{client_id}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."))
    }

    /// AADSTS90002: no such tenant (often: the wrong cloud).
    pub fn unknown_tenant(tenant: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", 90_002, format!(
            "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."))
    }

    /// AADSTS7000218: neither a secret nor an assertion.
    pub fn missing_credential() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_client", 7_000_218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.".to_string())
    }

    /// AADSTS900144: a required form parameter is missing.
    pub fn missing_parameter(name: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", 900_144, format!(
            "The request body must contain the following parameter: '{name}'."))
    }

    /// AADSTS70003: a grant other than client_credentials.
    pub fn unsupported_grant(grant: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "unsupported_grant_type", 70_003, format!(
            "The app requested an unsupported grant type '{grant}'."))
    }

    /// AADSTS1002012: client credentials need `{resource}/.default`.
    pub fn scope_not_default(scope: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_scope", 1_002_012, format!(
            "The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."))
    }

    /// AADSTS500011: the scope names a resource that does not exist.
    pub fn unknown_resource(resource: &str, tenant: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_resource", 500_011, format!(
            "The resource principal named {resource} was not found in the tenant named {tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant."))
    }

    /// AADSTS7000112: the app is disabled.
    pub fn app_disabled(client_id: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "unauthorized_client", 7_000_112, format!(
            "Application '{client_id}' is disabled."))
    }

    /// AADSTS700027: the assertion's key is not registered, or the signature is wrong.
    pub fn bad_assertion_signature(reason: &str, client_id: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_client", 700_027, format!(
            "Client assertion failed signature validation. [Reason - {reason}, Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '{client_id}'. Review the documentation at https://docs.microsoft.com/en-us/graph/deployments if you are not using the global cloud.]"))
    }

    /// AADSTS50027: the assertion is not a well-formed JWT.
    pub fn malformed_assertion(reason: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", 50_027, format!(
            "JWT token is invalid or is malformed. {reason}"))
    }

    /// AADSTS700024: the assertion is expired or not yet valid.
    pub fn assertion_time(now: u64, nbf: u64, exp: u64) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_client", 700_024, format!(
            "Client assertion is not within its valid time range. Current time: {}, assertion valid from {}, expiry time of assertion {}. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .",
            crate::clock::iso(now), crate::clock::iso(nbf), crate::clock::iso(exp)))
    }

    /// AADSTS700023: the assertion's audience is not this token endpoint.
    pub fn assertion_audience() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_client", 700_023,
            "Client assertion audience claim does not match Realm issuer. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .".to_string())
    }

    /// AADSTS700211/700212/700213: no federated credential matches the token's issuer,
    /// audience or subject.
    pub fn no_federated_match(code: u32, what: &str, value: &str) -> Self {
        let value: String = value.chars().take(200).collect();
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", code, format!(
            "No matching federated identity record found for presented assertion {what} '{value}'. Please note that the matching is done using a case-sensitive comparison. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation"))
    }

    /// AADSTS700021: `iss`/`sub` do not name the client.
    pub fn assertion_wrong_client() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_client", 700_021,
            "Client assertion application identifier doesn't match 'client_id' parameter. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .".to_string())
    }

    /// AADSTS7000219-like: unsupported `client_assertion_type`.
    pub fn bad_assertion_type() -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", 7_000_219,
            "'client_assertion' or 'client_secret' required: 'client_assertion_type' must be 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'.".to_string())
    }

    /// AADSTS900561: the token endpoint only takes POST.
    pub fn wrong_method(method: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", 900_561, format!(
            "The endpoint only accepts POST, OPTIONS requests. Received a {method} request."))
    }

    /// Turns the error into Entra's JSON response. `trace_id` is our request id.
    pub fn response(&self, trace_id: &str, correlation_id: &str) -> Resp {
        let ts = crate::clock::entra_time(crate::clock::now_secs());
        let body = serde_json::json!({
            "error": self.error,
            "error_description": format!(
                "AADSTS{}: {}\r\nTrace ID: {trace_id}\r\nCorrelation ID: {correlation_id}\r\nTimestamp: {ts}",
                self.code, self.description),
            "error_codes": [self.code],
            "timestamp": ts,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": format!("https://login.microsoftonline.com/error?code={}", self.code),
        });
        http::json(self.status, &body)
    }
}
