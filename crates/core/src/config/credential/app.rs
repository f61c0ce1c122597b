//! The app a credential authenticates, as the credential sees it: its ids, cloud and
//! token endpoint. A view of the [`Config`](crate::Config) (which holds the credential),
//! so that the credential depends on these few facts and not on the whole config.

use crate::config::cloud::Cloud;

/// The app registration a token is asked for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct App<'a> {
    /// Directory (tenant) id or a verified domain; empty for a managed identity without one.
    pub tenant_id: &'a str,
    /// Application (client) id.
    pub client_id: &'a str,
    /// The national cloud (decides the Graph scope).
    pub cloud: Cloud,
    /// Login base URL (no path).
    pub login_endpoint: &'a str,
    /// Retries the sender allows per request (`max_retries`).
    pub max_retries: u32,
}

impl App<'_> {
    /// The OAuth scope for Graph in the app's cloud.
    pub fn scope(&self) -> String {
        format!("{}/.default", self.cloud.graph_endpoint())
    }

    /// The Entra token endpoint URL.
    pub fn token_url(&self) -> String {
        format!("{}/{}/oauth2/v2.0/token", self.login_endpoint, crate::config::url::segment(self.tenant_id))
    }
}
