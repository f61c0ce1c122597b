//! Entra's answers to a bad client assertion, explained for the credential that made it:
//! a certificate's errors show the thumbprints we sent (to compare with the portal's),
//! a federated token's errors show the token's issuer and subject (to compare with the
//! app's federated credentials). Codes, not description texts, decide.

use super::Credential;
use super::App;

/// Message and fix for an assertion error `code` (AADSTS number).
pub(crate) fn explain_assertion(code: u64, credential: &Credential, app: &App<'_>) -> (String, String) {
    match credential {
        Credential::Certificate(c) => {
            let thumbs = format!("SHA-1 {}, SHA-256 {}", c.sha1_thumbprint(), c.sha256_thumbprint());
            let upload = format!(
                "upload the certificate alone, never the file holding its private key (extract it with: {}) \
                 under Certificates & secrets > Certificates of the app `{}` in Entra, then compare the thumbprint the portal shows \
                 with the one sent ({thumbs})",
                extract_certificate(c.path()),
                app.client_id
            );
            match code {
                700027 => (format!("Entra rejected the client assertion's signature: the certificate is not registered on the app, or it is another certificate (thumbprints sent: {thumbs})"), upload),
                7000274 => (format!("Entra found the certificate's key on the app but refused to use it (thumbprints sent: {thumbs})"), upload),
                700024 => (
                    "the client assertion is not within its valid time range".to_string(),
                    "the machine's clock is off by more than a few minutes: synchronise it (NTP, chrony, systemd-timesyncd); the assertion is valid from now for 10 minutes".to_string(),
                ),
                700023 => (
                    format!("Entra says the client assertion's audience does not match (sent: {})", app.token_url()),
                    "check `tenant_id`, `cloud` and `login_endpoint`: the assertion names the token endpoint it is sent to".to_string(),
                ),
                _ => (
                    "Entra rejected the client assertion: its issuer/subject does not name the app".to_string(),
                    format!("check `client_id` ({}): it must be the Application (client) ID of the app the certificate is uploaded to", app.client_id),
                ),
            }
        }
        Credential::Federated(f) => {
            let claims = f.describe_claims();
            match code {
                70021 | 700211 | 700212 | 700213 => (
                    format!("Entra found no federated credential on the app `{}` matching the federated token ({claims})", app.client_id),
                    "add a federated credential under Certificates & secrets > Federated credentials of the app with exactly this issuer and \
                     subject and the audience api://AzureADTokenExchange (Kubernetes: issuer = the cluster's OIDC issuer URL, subject = \
                     system:serviceaccount:NAMESPACE:SERVICE_ACCOUNT)".to_string(),
                ),
                700024 => (
                    format!("the federated token in `{}` has expired or is not yet valid ({claims})", f.path.display()),
                    "the token file is not being refreshed: check that its issuer (the kubelet's projected service account token, the CI's OIDC step) \
                     rewrites it before it expires, and that the machine's clock is right".to_string(),
                ),
                700027 => (
                    format!("Entra could not verify the federated token's signature ({claims})"),
                    "the token must be signed by a key the issuer publishes at its OIDC discovery document's jwks_uri; check the issuer URL of the federated credential".to_string(),
                ),
                _ => (
                    format!("Entra rejected the federated token ({claims})"),
                    format!("check `client_id` ({}) and `tenant_id`, and the federated credential's issuer, subject and audience in Entra", app.client_id),
                ),
            }
        }
        _ => (
            "Entra rejected the client assertion".to_string(),
            "check the credential configured for this app".to_string(),
        ),
    }
}

/// The openssl command writing the certificate alone (DER, app.cer) from `path`: a PEM
/// may hold the private key too, a PKCS#12 file always does.
fn extract_certificate(path: &std::path::Path) -> String {
    let shown = path.display().to_string();
    let quoted = if shown.chars().all(|c| c.is_ascii_alphanumeric() || "/._-+:@".contains(c)) {
        shown
    } else {
        format!("'{}'", shown.replace('\'', "'\\''"))
    };
    let pkcs12 = path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("pfx") || e.eq_ignore_ascii_case("p12"));
    if pkcs12 {
        format!("openssl pkcs12 -in {quoted} -nokeys -clcerts | openssl x509 -outform der -out app.cer")
    } else {
        format!("openssl x509 -in {quoted} -outform der -out app.cer")
    }
}
