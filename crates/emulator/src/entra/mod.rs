//! The Entra (login.microsoftonline.com) side: the v2.0 token endpoint for the
//! client-credentials grant, client assertions, and the OpenID discovery document.

pub mod assertion;
pub mod directory;
pub mod discovery;
pub mod errors;
pub mod federated;
pub mod managed_identity;
pub mod token;
