//! What a token says about the app's permissions, for `o365:check`: the `roles` claim,
//! expiry and endpoints. Reads the JWT payload without verifying it (we are its
//! audience's client, not its audience) and never returns the token itself.

use base64::Engine as _;

use crate::config::Config;
use crate::auth::token_cache::CachedToken;

/// A secret-free report about the configured app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics {
    /// Application permissions granted (`roles` claim).
    pub roles: Vec<String>,
    /// Token expiry as Unix seconds.
    pub expires_at: u64,
    /// Token endpoint used.
    pub token_endpoint: String,
    /// Graph base URL used.
    pub graph_endpoint: String,
    /// The cloud preset.
    pub cloud: String,
    /// Tenant id from the token (`tid`), if present.
    pub tenant: Option<String>,
    /// What the token lacks for sending, as fixes to apply. Not a verdict: Exchange RBAC
    /// for Applications grants sending without a role in the token, so `o365:check` lets
    /// the mailbox check decide and uses this to explain a denial.
    pub missing: Vec<String>,
    /// The app the token was issued to (`appid`/`azp` claim), if present.
    pub app_id: Option<String>,
    /// The object id of the app's service principal in the tenant (`oid` claim), if
    /// present: Exchange's `New-ServicePrincipal -ObjectId` needs it for RBAC for
    /// Applications, and it differs from the App registration's object id.
    pub object_id: Option<String>,
    /// Which kind of credential authenticated (never its value).
    pub credential: String,
    /// Public facts about the credential: certificate thumbprints and expiry, token file,
    /// managed identity endpoint (never a secret).
    pub credential_details: Vec<(String, String)>,
    /// Things to fix soon, e.g. a certificate that expires within 30 days.
    pub warnings: Vec<String>,
    /// How the per-mailbox limits are shared: per process, or through the Redis of
    /// `redis_url` (its host and port, never its password), checked by `Mailer::diagnose`.
    pub limiter: String,
}

impl Diagnostics {
    pub(crate) fn from_token(config: &Config, token: &CachedToken) -> Self {
        let claims = claims(token.access_token.expose());
        let roles: Vec<String> = claims
            .as_ref()
            .and_then(|c| c.get("roles"))
            .and_then(|r| r.as_array())
            .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
            .unwrap_or_default();
        let claim = |name: &str| claims.as_ref().and_then(|c| c.get(name)).and_then(|t| t.as_str()).map(str::to_string);
        let tenant = claim("tid");
        let app_id = claim("appid").or_else(|| claim("azp"));
        let object_id = claim("oid");
        let mut missing = Vec::new();
        // Listed, not a failure: with Exchange RBAC for Applications the grant lives in
        // Exchange and the token legitimately lacks the role. The mailbox check (a
        // sendMail without recipients) decides; `o365:check` quotes this when it fails.
        if !roles.iter().any(|r| r == "Mail.Send") {
            missing.push(
                "the token has no Mail.Send role: add the Microsoft Graph application permission Mail.Send and grant admin consent \
                 (unless Exchange RBAC for Applications grants it)"
                    .to_string(),
            );
        }
        Diagnostics {
            roles,
            expires_at: token.expires_at_unix,
            token_endpoint: config.credential.token_endpoint(&config.app()),
            graph_endpoint: config.graph_endpoint.clone(),
            cloud: config.cloud.name().to_string(),
            tenant,
            missing,
            app_id,
            object_id,
            credential: config.credential.describe().to_string(),
            credential_details: config.credential.details().into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            warnings: config.credential.warnings(),
            limiter: String::new(),
        }
    }
}

fn claims(jwt: &str) -> Option<serde_json::Value> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}
