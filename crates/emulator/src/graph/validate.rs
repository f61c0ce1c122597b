//! Checks shared by every way a message reaches the emulator (sendMail JSON or MIME,
//! drafts sent with /send): recipients present, well-formed, at most 500; size within
//! the mailbox limit; From allowed (Send As).

use super::errors::GraphError;
use crate::config::Limits;
use crate::record::MessageRecord;
use crate::state::Shared;

/// Whether an address looks like one Exchange could resolve (`local@domain`).
pub fn address_ok(addr: &str) -> bool {
    let Some((local, domain)) = addr.rsplit_once('@') else { return false };
    !local.is_empty() && !domain.is_empty() && !addr.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Recipients: at least one, all well-formed, at most `max_recipients`.
pub fn recipients(msg: &MessageRecord, limits: &Limits) -> Result<(), GraphError> {
    let all: Vec<&String> = msg.to.iter().chain(&msg.cc).chain(&msg.bcc).collect();
    if all.is_empty() {
        return Err(GraphError::bad_request(
            "ErrorInvalidRecipients",
            "At least one recipient is not valid., A message can't be sent because it contains no recipients.",
        ));
    }
    if let Some(bad) = all.iter().find(|a| !address_ok(a)) {
        return Err(GraphError::bad_request(
            "ErrorInvalidRecipients",
            format!("At least one recipient is not valid., Recipient '{bad}' is not resolved. All recipients must be resolved before a message can be submitted."),
        ));
    }
    if all.len() > limits.max_recipients {
        return Err(GraphError::bad_request(
            "ErrorTooManyRecipients",
            format!("The message has {} recipients; a message can have at most {} recipients across To, Cc and Bcc.", all.len(), limits.max_recipients),
        ));
    }
    Ok(())
}

/// The mailbox's message size limit.
pub fn size(msg: &MessageRecord, limits: &Limits) -> Result<(), GraphError> {
    if msg.size > limits.max_message_bytes {
        return Err(GraphError::bad_request(
            "ErrorMessageSizeExceeded",
            "The message exceeds the maximum supported size.",
        ));
    }
    Ok(())
}

/// From must be the mailbox itself or one it has Send As on.
pub fn send_as(shared: &Shared, mailbox: &str, msg: &MessageRecord) -> Result<(), GraphError> {
    match &msg.from {
        Some(from) if !super::auth::may_send_as(shared, mailbox, from) => Err(GraphError::send_as_denied()),
        _ => Ok(()),
    }
}

/// Every check a message must pass before it counts as sent.
pub fn before_send(shared: &Shared, mailbox: &str, msg: &MessageRecord) -> Result<(), GraphError> {
    recipients(msg, &shared.config.limits)?;
    size(msg, &shared.config.limits)?;
    send_as(shared, mailbox, msg)
}
