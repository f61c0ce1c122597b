//! o365-emulator: a local Microsoft Graph + Entra emulator for testing code that sends
//! mail through Graph. It serves the client-credentials token endpoint and the Graph
//! mail endpoints with Microsoft's status codes, headers and error bodies, keeps what it
//! received for inspection, and misbehaves on demand (fault rules, throttling, latency).
//!
//! ```no_run
//! let emu = o365_emulator::Emulator::start(o365_emulator::EmulatorConfig::default())?;
//! println!("login and Graph endpoint: {}", emu.base_url());
//! # Ok::<(), std::io::Error>(())
//! ```

pub mod cli;
mod clock;
pub mod config;
mod context;
mod credentials;
mod dispatch;
mod entra;
mod faults;
mod graph;
mod host_guard;
mod http;
mod inspect;
mod jwt;
mod record;
mod request_log;
mod server;
mod state;
mod tls;
#[cfg(test)]
mod robustness;

pub use config::{
    AppConfig, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_IDENTITY_HEADER, DEFAULT_MANAGED_IDENTITY_ID, EmulatorConfig,
    FederatedCredentialConfig, Limits, ManagedIdentityConfig, ThrottleConfig,
};
pub use server::Emulator;
