//! The command line. Flags override the config file (`--config`, JSON or TOML, same
//! shape as [`EmulatorConfig`]); app flags (`--client-id`, `--role`, ...) apply to the
//! first app.

use crate::config::{AppConfig, EmulatorConfig};
use clap::Parser;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Where the command-line emulator listens without `--listen` (and without `listen` in
/// its config file): loopback only, on a port no common development tool uses (Mailpit
/// and MailHog take 8025/1025, Vite 5173, Laravel 8000, MinIO 9000, Meilisearch 7700).
/// "365" as in Microsoft 365. The Rust API keeps port 0 (tests want a free port).
pub const DEFAULT_LISTEN: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 8365);

/// A local Microsoft Graph + Entra emulator for testing mail senders.
///
/// Prints its base URL (the login and the Graph endpoint) as the first line on stdout,
/// then serves until SIGINT/SIGTERM (or stdin closes, with --exit-on-stdin-eof).
/// Inspection API: GET /_emulator/messages, /_emulator/requests, /_emulator/stats;
/// fault rules: POST/DELETE /_emulator/faults; the web inbox (live, with a Requests view)
/// at the base URL.
#[derive(Parser, Debug, Default)]
#[command(name = "o365-emulator", version, about, long_about)]
pub struct Cli {
    /// Address to listen on; port 0 picks a free port [default: 127.0.0.1:8365, or the
    /// config file's `listen`].
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// Config file (JSON, or TOML if it ends in .toml) with apps, mailboxes, policies,
    /// limits; flags given on the command line override it.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Tenant id of the app: a GUID, or a domain that gets a derived GUID (tokens carry
    /// the GUID as `tid`) [default: the app answers in any tenant].
    #[arg(long, value_name = "ID")]
    pub tenant_id: Option<String>,
    /// Client id of the app [default: 00000000-0000-0000-0000-000000000001].
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// Client secret of the app [default: emulator-secret].
    #[arg(long, value_name = "SECRET")]
    pub client_secret: Option<String>,
    /// A secret that exists but expired (AADSTS7000222). Repeatable.
    #[arg(long, value_name = "SECRET")]
    pub expired_secret: Vec<String>,
    /// PEM certificate file whose key may sign client assertions. Repeatable.
    #[arg(long, value_name = "FILE")]
    pub certificate: Vec<String>,
    /// Federated credential of the app: the issuer its tokens must have (with
    /// --federated-subject and --federated-jwks or --federated-key).
    #[arg(long, value_name = "URL")]
    pub federated_issuer: Option<String>,
    /// Federated credential: the subject (e.g. system:serviceaccount:NS:NAME).
    #[arg(long, value_name = "SUBJECT")]
    pub federated_subject: Option<String>,
    /// Federated credential: a JWKS file with the issuer's signing keys.
    #[arg(long, value_name = "FILE")]
    pub federated_jwks: Option<String>,
    /// Federated credential: a PEM public key or certificate of the issuer.
    #[arg(long, value_name = "FILE")]
    pub federated_key: Option<String>,
    /// A user-assigned managed identity (its client id) the host has, besides the
    /// system-assigned one. Repeatable.
    #[arg(long, value_name = "CLIENT_ID")]
    pub user_assigned_identity: Vec<String>,
    /// The host has no system-assigned managed identity.
    #[arg(long)]
    pub no_system_identity: bool,
    /// The X-IDENTITY-HEADER the App Service style endpoint (/msi/token) wants
    /// [default: emulator-identity-header].
    #[arg(long, value_name = "VALUE")]
    pub identity_header: Option<String>,
    /// Application permission granted to the app (token `roles`). Repeatable
    /// [default: Mail.Send, Mail.ReadWrite].
    #[arg(long, value_name = "ROLE")]
    pub role: Vec<String>,
    /// Issue tokens without any roles (admin consent missing).
    #[arg(long)]
    pub no_roles: bool,
    /// A mailbox that exists. Repeatable [default: every mailbox exists].
    #[arg(long, value_name = "ADDRESS")]
    pub mailbox: Vec<String>,
    /// A mailbox that exists but cannot use REST (404 MailboxNotEnabledForRESTAPI). Repeatable.
    #[arg(long, value_name = "ADDRESS")]
    pub disabled_mailbox: Vec<String>,
    /// Application access policy: a mailbox the app may use. Repeatable
    /// [default: all mailboxes]; others get 403 "Access to OData is disabled.".
    #[arg(long, value_name = "ADDRESS")]
    pub allowed_mailbox: Vec<String>,
    /// Exchange RBAC for Applications: a permission granted to the app in Exchange, not in its
    /// token (e.g. Mail.Send). Repeatable [default with --rbac-mailbox: Mail.Send].
    #[arg(long, value_name = "ROLE")]
    pub rbac_role: Vec<String>,
    /// Exchange RBAC for Applications: a mailbox in the management scope of those
    /// permissions. Repeatable [default: every mailbox]; others get 403 "Access to OData is
    /// disabled." unless the token's own roles allow them.
    #[arg(long, value_name = "ADDRESS")]
    pub rbac_mailbox: Vec<String>,
    /// Send As permission: MAILBOX may send with From set to FROM. Repeatable.
    #[arg(long, value_name = "MAILBOX=FROM")]
    pub send_as: Vec<String>,
    /// Lifetime of access tokens in seconds [default: 3599].
    #[arg(long, value_name = "SECONDS")]
    pub token_lifetime: Option<u64>,
    /// Serve HTTPS with a freshly generated self-signed CA.
    #[arg(long)]
    pub tls: bool,
    /// Write the CA certificate (PEM) to this file (needs --tls).
    #[arg(long, value_name = "FILE")]
    pub ca_out: Option<PathBuf>,
    /// Delay added before answering each request, in milliseconds.
    #[arg(long, value_name = "MS")]
    pub latency_ms: Option<u64>,
    /// Delay added once per accepted connection (TCP + TLS handshake cost), in ms.
    #[arg(long, value_name = "MS")]
    pub connect_latency_ms: Option<u64>,
    /// Largest request body in bytes [default: 4194304]; larger gets 413.
    #[arg(long, value_name = "BYTES")]
    pub max_request_bytes: Option<usize>,
    /// Largest message in bytes the mailbox accepts [default: 157286400].
    #[arg(long, value_name = "BYTES")]
    pub max_message_bytes: Option<u64>,
    /// Concurrent requests per app and mailbox before 429 [default: 4].
    #[arg(long, value_name = "N")]
    pub concurrency: Option<usize>,
    /// Requests per app and mailbox per window before 429 [default: 10000].
    #[arg(long, value_name = "N")]
    pub window_requests: Option<u64>,
    /// The throttling window in seconds [default: 600].
    #[arg(long, value_name = "SECONDS")]
    pub window_secs: Option<u64>,
    /// The request window as REQUESTS/DURATION, e.g. 600/60s or 10000/10m (test-scale
    /// throttling; same as --window-requests with --window-secs) [default: 10000/10m].
    #[arg(long, value_name = "N/DURATION", value_parser = parse_mailbox_window)]
    pub mailbox_window: Option<(u64, u64)>,
    /// The upload budget per app and mailbox as SIZE/DURATION, e.g. 150MB/5m or 8MB/30s
    /// (bytes of upload-session PUTs; KB, MB, GB are powers of 1024) [default: 150MB/5m].
    #[arg(long, value_name = "SIZE/DURATION", value_parser = parse_upload_budget)]
    pub upload_budget: Option<(u64, u64)>,
    /// Host name for upload URLs, so that clients see them on another host than Graph, as
    /// with outlook.office.com [default: localhost when serving on 127.0.0.1, 127.0.0.1
    /// when serving on localhost, else the base URL's host].
    #[arg(long, value_name = "HOST")]
    pub upload_host: Option<String>,
    /// A host name to serve besides localhost, *.localhost, 127.0.0.0/8, [::1], the
    /// listen address and host.docker.internal (requests naming any other host get 421,
    /// against DNS rebinding). Repeatable.
    #[arg(long, value_name = "NAME")]
    pub allow_host: Vec<String>,
    /// Exit when stdin reaches end of file (lets a test harness stop the emulator by
    /// closing the pipe, so no orphan survives a crashed test).
    #[arg(long)]
    pub exit_on_stdin_eof: bool,
}

impl Cli {
    /// Builds the configuration: the file (if any), then the flags.
    pub fn to_config(&self) -> std::io::Result<EmulatorConfig> {
        let mut c = match &self.config {
            Some(path) => EmulatorConfig::from_file(path)?,
            None => EmulatorConfig::default(),
        };
        c.listen = match (self.listen, &self.config) {
            (Some(v), _) => v,
            // A fixed port when nothing says otherwise, so a .env can name it for good.
            (None, None) => DEFAULT_LISTEN,
            (None, Some(path)) if !crate::config::file_sets(path, "listen") => DEFAULT_LISTEN,
            (None, Some(_)) => c.listen,
        };
        if c.apps.is_empty() {
            c.apps.push(AppConfig::default());
        }
        self.apply_app(&mut c.apps[0]);
        self.apply_mailboxes(&mut c)?;
        self.apply_server(&mut c);
        self.apply_limits(&mut c);
        self.apply_identities(&mut c);
        if c.ca_out.is_some() && !c.tls {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "--ca-out needs --tls (there is no CA without TLS)"));
        }
        Ok(c)
    }

    /// The app flags: credentials, permissions and Exchange's access restrictions.
    fn apply_app(&self, app: &mut AppConfig) {
        if let Some(v) = &self.tenant_id { app.tenant_id = Some(v.clone()); }
        if let Some(v) = &self.client_id { app.client_id = v.clone(); }
        if let Some(v) = &self.client_secret { app.client_secrets = vec![v.clone()]; }
        app.expired_secrets.extend(self.expired_secret.iter().cloned());
        app.certificates.extend(self.certificate.iter().cloned());
        if let Some(issuer) = &self.federated_issuer {
            app.federated_credentials.push(crate::config::FederatedCredentialConfig {
                issuer: issuer.clone(),
                subject: self.federated_subject.clone().unwrap_or_default(),
                jwks: self.federated_jwks.clone(),
                key: self.federated_key.clone(),
                ..Default::default()
            });
        }
        if !self.role.is_empty() { app.roles = self.role.clone(); }
        if self.no_roles { app.roles.clear(); }
        if !self.allowed_mailbox.is_empty() { app.allowed_mailboxes = Some(self.allowed_mailbox.clone()); }
        if !self.rbac_role.is_empty() { app.rbac_roles = self.rbac_role.clone(); }
        if !self.rbac_mailbox.is_empty() {
            app.rbac_scope = Some(self.rbac_mailbox.clone());
            if app.rbac_roles.is_empty() { app.rbac_roles = vec!["Mail.Send".to_string()]; }
        }
    }

    /// The tenant's mailboxes: which exist, which are disabled, who may send as whom.
    fn apply_mailboxes(&self, c: &mut EmulatorConfig) -> std::io::Result<()> {
        if !self.mailbox.is_empty() {
            c.mailboxes.get_or_insert_with(Vec::new).extend(self.mailbox.iter().cloned());
        }
        c.disabled_mailboxes.extend(self.disabled_mailbox.iter().cloned());
        for grant in &self.send_as {
            let (mailbox, from) = grant.split_once('=').ok_or_else(|| {
                std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("--send-as {grant}: expected MAILBOX=FROM"))
            })?;
            c.send_as.entry(mailbox.trim().to_string()).or_default().push(from.trim().to_string());
        }
        Ok(())
    }

    /// How the server answers: tokens' lifetime, TLS, latency, hosts.
    fn apply_server(&self, c: &mut EmulatorConfig) {
        if let Some(v) = self.token_lifetime { c.token_lifetime_secs = v; }
        if self.tls { c.tls = true; }
        if let Some(v) = &self.ca_out { c.ca_out = Some(v.clone()); }
        if let Some(v) = self.latency_ms { c.latency_ms = v; }
        if let Some(v) = self.connect_latency_ms { c.connect_latency_ms = v; }
        if let Some(v) = &self.upload_host { c.upload_host = Some(v.clone()); }
        c.allowed_hosts.extend(self.allow_host.iter().cloned());
    }

    /// Graph's size limits and Exchange's throttling budgets.
    fn apply_limits(&self, c: &mut EmulatorConfig) {
        if let Some(v) = self.max_request_bytes { c.limits.max_request_bytes = v; }
        if let Some(v) = self.max_message_bytes { c.limits.max_message_bytes = v; }
        if let Some(v) = self.concurrency { c.throttle.concurrency = v; }
        if let Some(v) = self.window_requests { c.throttle.window_requests = v; }
        if let Some(v) = self.window_secs { c.throttle.window_secs = v; }
        if let Some((n, secs)) = self.mailbox_window {
            c.throttle.window_requests = n;
            c.throttle.window_secs = secs;
        }
        if let Some((bytes, secs)) = self.upload_budget {
            c.throttle.upload_bytes = bytes;
            c.throttle.upload_window_secs = secs;
        }
    }

    /// The managed identities the IMDS / App Service endpoints serve.
    fn apply_identities(&self, c: &mut EmulatorConfig) {
        if self.no_system_identity { c.managed_identities.retain(|m| m.user_assigned); }
        for id in &self.user_assigned_identity {
            c.managed_identities.push(crate::config::ManagedIdentityConfig {
                client_id: id.clone(),
                user_assigned: true,
                ..Default::default()
            });
        }
        if let Some(v) = &self.identity_header { c.identity_header = v.clone(); }
    }
}

/// `600/60s` → (600, 60). Durations: a number of seconds, or with `s`, `m` or `h`.
fn parse_mailbox_window(v: &str) -> Result<(u64, u64), String> {
    let (n, d) = v.split_once('/').ok_or("expected REQUESTS/DURATION, e.g. 600/60s")?;
    let n = n.trim().parse().map_err(|_| format!("{n:?} is not a number of requests"))?;
    Ok((n, duration_secs(d)?))
}

/// `150MB/5m` → (157286400, 300).
fn parse_upload_budget(v: &str) -> Result<(u64, u64), String> {
    let (size, d) = v.split_once('/').ok_or("expected SIZE/DURATION, e.g. 150MB/5m")?;
    let size = size.trim();
    let split = size.find(|c: char| !c.is_ascii_digit()).unwrap_or(size.len());
    let (num, unit) = size.split_at(split);
    let num: u64 = num.parse().map_err(|_| format!("{size:?} is not a size (e.g. 150MB)"))?;
    let mult = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" | "KIB" => 1024,
        "M" | "MB" | "MIB" => 1024 * 1024,
        "G" | "GB" | "GIB" => 1024 * 1024 * 1024,
        u => return Err(format!("unknown size unit {u:?} (B, KB, MB, GB)")),
    };
    Ok((num * mult, duration_secs(d)?))
}

fn duration_secs(d: &str) -> Result<u64, String> {
    let d = d.trim();
    let (num, mult) = match d.char_indices().last() {
        Some((i, 's')) => (&d[..i], 1),
        Some((i, 'm')) => (&d[..i], 60),
        Some((i, 'h')) => (&d[..i], 3600),
        _ => (d, 1),
    };
    match num.trim().parse::<u64>() {
        Ok(n) if n > 0 => Ok(n * mult),
        _ => Err(format!("{d:?} is not a duration (e.g. 60s, 10m)")),
    }
}
