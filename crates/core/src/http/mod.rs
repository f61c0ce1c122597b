//! One HTTP exchange with Microsoft, the same for Entra (tokens) and Graph (mail): the
//! retry loop that classifies each answer and waits within the send's deadline
//! (`retry`), what a transport failure means for a retry (`failure`), bodies read with
//! a cap (`capped_body`) and the connection warm-up of a cold start (`preconnect`).
//!
//! Below `auth/` and `graph/`, which both use it (so the Graph client can take its
//! tokens from `auth/` without a cycle). May import `error`, `config/` and `runtime`.

pub(crate) mod capped_body;
pub(crate) mod failure;
pub(crate) mod preconnect;
pub(crate) mod retry;
