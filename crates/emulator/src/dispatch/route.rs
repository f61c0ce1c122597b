//! The routing table: which part of the emulator a request's method and path belong
//! to, and the handler each route is answered by (after latency, throttling and the
//! fault rules decided in `dispatch`).

use crate::context::Ctx;
use crate::entra::managed_identity::{APP_SERVICE_PATH, IMDS_PATH, Style};
use crate::graph::errors::GraphError;
use crate::http::{self, Resp};
use crate::state::Shared;
use hyper::{Method, StatusCode};
use std::sync::Arc;
use std::time::Duration;

/// Which part of the emulator a path belongs to.
pub enum Route {
    Inspect,
    Token(String),
    Discovery(String),
    Jwks,
    /// A managed identity token endpoint (IMDS or App Service style).
    ManagedIdentity(Style),
    /// The token endpoint with a method other than POST.
    TokenWrongMethod,
    Graph,
    Upload,
    Unknown,
}

pub fn route(method: &Method, path: &str) -> Route {
    if path == "/" || path.starts_with("/_emulator") || path.starts_with("/ui/") {
        return Route::Inspect;
    }
    if path.starts_with("/v1.0/") || path.starts_with("/beta/") {
        return Route::Graph;
    }
    if path.starts_with(crate::graph::upload::PATH_PREFIX) {
        return Route::Upload;
    }
    match path.trim_end_matches('/') {
        IMDS_PATH => return Route::ManagedIdentity(Style::Imds),
        APP_SERVICE_PATH => return Route::ManagedIdentity(Style::AppService),
        _ => {}
    }
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segs.as_slice() {
        [tenant, "oauth2", "v2.0", "token"] if *method == Method::POST => Route::Token(http::pct_decode(tenant)),
        [_, "oauth2", "v2.0", "token"] => Route::TokenWrongMethod,
        [tenant, "v2.0", ".well-known", "openid-configuration"] | [tenant, ".well-known", "openid-configuration"] => {
            Route::Discovery(http::pct_decode(tenant))
        }
        [_, "discovery", "v2.0", "keys"] | [_, "discovery", "keys"] => Route::Jwks,
        _ => Route::Unknown,
    }
}

/// Answers a request on its route, `extra` (a fault rule's delay) on top of the
/// configured latency.
pub async fn handle(shared: &Arc<Shared>, ctx: &Ctx, which: &Route, extra: Duration) -> Resp {
    let latency = Duration::from_millis(shared.config.latency_ms) + extra;
    match which {
        Route::Graph => crate::graph::routes::handle(shared, ctx, latency).await,
        Route::Token(tenant) => {
            tokio::time::sleep(latency).await;
            crate::entra::token::handle(shared, ctx, tenant)
        }
        Route::Discovery(tenant) => {
            tokio::time::sleep(latency).await;
            crate::entra::discovery::openid_configuration(shared, ctx, tenant)
        }
        Route::Jwks => crate::entra::discovery::jwks(shared),
        Route::ManagedIdentity(style) => {
            tokio::time::sleep(latency).await;
            crate::entra::managed_identity::handle(shared, ctx, *style)
        }
        Route::TokenWrongMethod => {
            let cid = ctx.correlation_id();
            crate::entra::errors::EntraError::wrong_method(ctx.method.as_str()).response(&ctx.request_id, &cid)
        }
        Route::Upload => upload(shared, ctx, latency).await,
        Route::Inspect | Route::Unknown => GraphError::new(
            StatusCode::NOT_FOUND,
            "UnknownError",
            format!("No route for {} {}.", ctx.method, ctx.path),
        )
        .response(ctx),
    }
}

/// An upload PUT (or GET/DELETE) on an upload session's URL. It counts against the
/// creating app's budgets on the mailbox, like any request, and its bytes against the
/// upload budget.
async fn upload(shared: &Arc<Shared>, ctx: &Ctx, latency: Duration) -> Resp {
    let _slot = match crate::graph::upload::owner(shared, ctx) {
        Some((app, mailbox)) => {
            let bytes = if ctx.method == Method::PUT { ctx.body.len() as u64 } else { 0 };
            match crate::graph::throttle::admit(shared, &app, &mailbox, bytes, latency).await {
                Ok(slot) => Some(slot),
                Err(e) => return e.response(ctx),
            }
        }
        None => None,
    };
    tokio::time::sleep(latency).await;
    crate::graph::upload::put(shared, ctx)
}
