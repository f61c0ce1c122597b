//! The Microsoft Graph side: the mail endpoints a sender uses, with Graph's checks,
//! limits, throttling and error bodies.

pub mod attachments;
pub mod auth;
pub mod drafts;
pub mod errors;
pub mod message_json;
pub mod mime;
pub mod routes;
pub mod send_mail;
pub mod throttle;
pub mod upload;
pub mod validate;
