//! Everything the emulator can be told: the apps (tenant, credentials, granted roles,
//! mailbox access policy), the mailboxes, limits, throttling and network behaviour.
//! One struct serves the Rust API, the CLI and the config file (JSON or TOML), so the
//! three cannot drift apart. Every field has a default that imitates a healthy tenant.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The client id of the app the emulator accepts when none is configured.
pub const DEFAULT_CLIENT_ID: &str = "00000000-0000-0000-0000-000000000001";
/// The client secret of that default app.
pub const DEFAULT_CLIENT_SECRET: &str = "emulator-secret";

/// How the emulator behaves. Build it with struct update syntax from `Default`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmulatorConfig {
    /// Address to listen on; port 0 picks a free port.
    pub listen: SocketAddr,
    /// The Entra apps that may get tokens. Default: one app, [`DEFAULT_CLIENT_ID`] with
    /// [`DEFAULT_CLIENT_SECRET`], any tenant, roles Mail.Send and Mail.ReadWrite.
    pub apps: Vec<AppConfig>,
    /// Mailboxes that exist (UPNs or ids, case-insensitive). `None`: every mailbox exists.
    pub mailboxes: Option<Vec<String>>,
    /// Mailboxes that exist but cannot use REST (unlicensed, on-premises, soft-deleted):
    /// 404 `MailboxNotEnabledForRESTAPI`.
    pub disabled_mailboxes: Vec<String>,
    /// Send As permissions: mailbox → addresses it may put in `From`. A mailbox may always
    /// send as itself.
    pub send_as: BTreeMap<String, Vec<String>>,
    /// Lifetime of issued access tokens, seconds (`expires_in`).
    pub token_lifetime_secs: u64,
    /// Serve HTTPS with a freshly generated CA.
    pub tls: bool,
    /// Write that CA (PEM) to this file.
    pub ca_out: Option<PathBuf>,
    /// Delay added before answering each request, milliseconds.
    pub latency_ms: u64,
    /// Delay added once per accepted TCP connection, milliseconds (handshake cost).
    pub connect_latency_ms: u64,
    /// Graph's size and count limits.
    pub limits: Limits,
    /// Exchange's per app and mailbox throttling.
    pub throttle: ThrottleConfig,
    /// Host name to put in upload URLs instead of the base URL's host (e.g. `localhost`).
    /// Graph's upload URLs point at another host (outlook.office.com), which is why
    /// clients that attach tokens per host (the Graph SDKs) send none there; a second
    /// name for the emulator reproduces that. `None`: `localhost` when the base URL is on
    /// 127.0.0.1 (and 127.0.0.1 when on localhost); other addresses keep their own host.
    pub upload_host: Option<String>,
    /// Host names served besides loopback names, the bind address and the upload host
    /// (`--allow-host`): any other `Host` is refused, against DNS rebinding.
    pub allowed_hosts: Vec<String>,
    /// Managed identities served at the IMDS path (`/metadata/identity/oauth2/token`,
    /// header `Metadata: true`) and the App Service path (`/msi/token`, header
    /// `X-IDENTITY-HEADER`). Default: one system-assigned identity.
    pub managed_identities: Vec<ManagedIdentityConfig>,
    /// The `X-IDENTITY-HEADER` value the App Service path wants (the platform's
    /// IDENTITY_HEADER).
    pub identity_header: String,
}

/// The client id of the default system-assigned managed identity.
pub const DEFAULT_MANAGED_IDENTITY_ID: &str = "00000000-0000-0000-0000-0000000000a1";
/// The default `X-IDENTITY-HEADER`.
pub const DEFAULT_IDENTITY_HEADER: &str = "emulator-identity-header";

/// A managed identity of the emulated Azure resource.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ManagedIdentityConfig {
    /// The identity's client id (its service principal's app id).
    pub client_id: String,
    /// User-assigned (requested by client id) or the resource's system-assigned identity.
    pub user_assigned: bool,
    /// Tenant of the tokens (`tid`): a GUID, or a name from which one is derived.
    pub tenant_id: String,
    /// Application permissions granted to the identity's service principal.
    pub roles: Vec<String>,
}

impl Default for ManagedIdentityConfig {
    fn default() -> Self {
        ManagedIdentityConfig {
            client_id: DEFAULT_MANAGED_IDENTITY_ID.to_string(),
            user_assigned: false,
            tenant_id: "11111111-1111-1111-1111-111111111111".to_string(),
            roles: vec!["Mail.Send".to_string(), "Mail.ReadWrite".to_string()],
        }
    }
}

/// A federated identity credential on an app: tokens of `issuer` about `subject` for
/// `audience`, signed by a key of `jwks` (a JWKS document, inline or a file) or `key`
/// (a PEM public key or certificate, inline or a file).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FederatedCredentialConfig {
    pub issuer: String,
    pub subject: String,
    /// Entra's default audience for federated credentials.
    pub audience: String,
    pub jwks: Option<String>,
    pub key: Option<String>,
}

impl Default for FederatedCredentialConfig {
    fn default() -> Self {
        FederatedCredentialConfig {
            issuer: String::new(),
            subject: String::new(),
            audience: "api://AzureADTokenExchange".to_string(),
            jwks: None,
            key: None,
        }
    }
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            apps: vec![AppConfig::default()],
            mailboxes: None,
            disabled_mailboxes: Vec::new(),
            send_as: BTreeMap::new(),
            token_lifetime_secs: 3599,
            tls: false,
            ca_out: None,
            latency_ms: 0,
            connect_latency_ms: 0,
            limits: Limits::default(),
            throttle: ThrottleConfig::default(),
            upload_host: None,
            allowed_hosts: Vec::new(),
            managed_identities: vec![ManagedIdentityConfig::default()],
            identity_header: DEFAULT_IDENTITY_HEADER.to_string(),
        }
    }
}

/// One app registration in one tenant.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AppConfig {
    /// Directory (tenant) id: a GUID, or a name from which the emulator derives one
    /// (tokens always carry a GUID as `tid`). `None`: the app answers in any tenant (then
    /// `tid` is the tenant the client asked for: its GUID, or one derived from its domain).
    pub tenant_id: Option<String>,
    /// Other names of the tenant, e.g. `contoso.onmicrosoft.com`; they map to its GUID.
    pub tenant_domains: Vec<String>,
    /// Application (client) id.
    pub client_id: String,
    /// Valid client secrets.
    pub client_secrets: Vec<String>,
    /// Secrets that exist but expired: AADSTS7000222.
    pub expired_secrets: Vec<String>,
    /// Certificates (PEM text, or a path to a PEM file) whose keys may sign client
    /// assertions.
    pub certificates: Vec<String>,
    /// Federated identity credentials (workload identity federation).
    pub federated_credentials: Vec<FederatedCredentialConfig>,
    /// Application permissions granted by admin consent (the token's `roles`).
    pub roles: Vec<String>,
    /// Application access policy: the mailboxes this app may use with its Entra `roles`.
    /// `None`: all.
    pub allowed_mailboxes: Option<Vec<String>>,
    /// Exchange RBAC for Applications: permissions granted in Exchange (`Mail.Send` for the
    /// "Application Mail.Send" role) on the mailboxes of `rbac_scope`. They are not in the
    /// token (Exchange checks them per request) and add to the Entra `roles`; the access
    /// policy does not narrow them.
    pub rbac_roles: Vec<String>,
    /// The management scope of `rbac_roles`: the mailboxes. `None`: every mailbox.
    pub rbac_scope: Option<Vec<String>>,
    /// A disabled app gets AADSTS7000112.
    pub disabled: bool,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            tenant_id: None,
            tenant_domains: Vec::new(),
            client_id: DEFAULT_CLIENT_ID.to_string(),
            client_secrets: vec![DEFAULT_CLIENT_SECRET.to_string()],
            expired_secrets: Vec::new(),
            certificates: Vec::new(),
            federated_credentials: Vec::new(),
            roles: vec!["Mail.Send".to_string(), "Mail.ReadWrite".to_string()],
            allowed_mailboxes: None,
            rbac_roles: Vec::new(),
            rbac_scope: None,
            disabled: false,
        }
    }
}

/// Graph's limits. Defaults are Microsoft's documented values.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest REST request body ("about 4 MB"): 413 above it.
    pub max_request_bytes: usize,
    /// Largest upload-session chunk.
    pub max_chunk_bytes: usize,
    /// Smallest attachment createUploadSession accepts (3 MB).
    pub min_upload_session_bytes: u64,
    /// Largest attachment (150 MB).
    pub max_attachment_bytes: u64,
    /// Largest message the mailbox accepts (admin-raised maximum, 150 MB).
    pub max_message_bytes: u64,
    /// Recipients across To, Cc and Bcc.
    pub max_recipients: usize,
    /// `internetMessageHeaders` per JSON message.
    pub max_internet_message_headers: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_request_bytes: 4 * 1024 * 1024,
            max_chunk_bytes: 4 * 1024 * 1024,
            min_upload_session_bytes: 3 * 1024 * 1024,
            max_attachment_bytes: 150 * 1024 * 1024,
            max_message_bytes: 150 * 1024 * 1024,
            max_recipients: 500,
            max_internet_message_headers: 5,
        }
    }
}

/// Exchange's throttling per app and mailbox.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ThrottleConfig {
    /// Concurrent requests; the next one gets 429.
    pub concurrency: usize,
    /// Requests per window.
    pub window_requests: u64,
    /// The window, seconds.
    pub window_secs: u64,
    /// `Retry-After` seconds sent with a concurrency 429.
    pub concurrency_retry_after_secs: u64,
    /// Bytes of upload-session PUTs per upload window (150 MB).
    pub upload_bytes: u64,
    /// The upload window, seconds (5 minutes).
    pub upload_window_secs: u64,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        ThrottleConfig {
            concurrency: 4,
            window_requests: 10_000,
            window_secs: 600,
            concurrency_retry_after_secs: 1,
            upload_bytes: 150 * 1024 * 1024,
            upload_window_secs: 300,
        }
    }
}

impl EmulatorConfig {
    /// Reads a config file: TOML when the name ends in `.toml`, else JSON.
    pub fn from_file(path: &Path) -> std::io::Result<EmulatorConfig> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| std::io::Error::new(e.kind(), format!("config file {}: {e}", path.display())))?;
        let invalid = |e: String| {
            std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{}: {e}", path.display()))
        };
        if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("toml")) {
            toml::from_str(&text).map_err(|e| invalid(e.to_string()))
        } else {
            serde_json::from_str(&text).map_err(|e| invalid(e.to_string()))
        }
    }
}

/// Whether a config file sets a top-level key (false when it cannot be read: then
/// `from_file` reports the problem).
pub fn file_sets(path: &Path, key: &str) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else { return false };
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("toml")) {
        toml::from_str::<toml::Table>(&text).is_ok_and(|t| t.contains_key(key))
    } else {
        serde_json::from_str::<serde_json::Value>(&text).is_ok_and(|v| v.get(key).is_some())
    }
}

/// Case-insensitive membership, the way Exchange compares addresses.
pub fn contains_ci(list: &[String], item: &str) -> bool {
    list.iter().any(|m| m.eq_ignore_ascii_case(item))
}
