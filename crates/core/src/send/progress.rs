//! Progress of a send, for a caller that shows a progress bar. The sending work runs
//! inside the runtime; it only puts events into a channel. The blocking caller drains
//! the channel on its own thread (for PHP: the PHP thread, the only one that may call a
//! PHP callable) between polls of the work, and may ask the work to stop; a stop is
//! honoured between requests, so the draft is still cleaned up.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Which step a send is at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Checking and cutting the message (no request yet).
    Prepare,
    /// Creating the draft (large messages).
    Draft,
    /// Uploading attachment bytes (large messages).
    Upload,
    /// Sending (sendMail, or /send of the draft).
    Send,
    /// Graph accepted the message.
    Done,
}

impl Phase {
    /// Lowercase name, as PHP sees it.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Prepare => "prepare",
            Phase::Draft => "draft",
            Phase::Upload => "upload",
            Phase::Send => "send",
            Phase::Done => "done",
        }
    }
}

/// One progress report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// The step.
    pub phase: Phase,
    /// Attachment bytes uploaded so far (all attachments of this send).
    pub bytes_sent: u64,
    /// Attachment bytes to upload in total (0 when nothing goes through upload sessions).
    pub bytes_total: u64,
    /// The attachment the last chunk belonged to.
    pub attachment: Option<String>,
}

/// The sending side: cheap to clone, never blocks.
#[derive(Clone)]
pub(crate) struct Reporter {
    tx: Option<tokio::sync::mpsc::UnboundedSender<Progress>>,
    cancel: Arc<AtomicBool>,
    sent: Arc<std::sync::atomic::AtomicU64>,
    total: Arc<std::sync::atomic::AtomicU64>,
}

impl Reporter {
    /// A reporter with nobody listening.
    pub fn silent() -> Reporter {
        Reporter::new(None)
    }

    pub fn new(tx: Option<tokio::sync::mpsc::UnboundedSender<Progress>>) -> Reporter {
        Reporter { tx, cancel: Arc::new(AtomicBool::new(false)), sent: Default::default(), total: Default::default() }
    }

    pub fn cancel_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.cancel)
    }

    /// Whether the caller asked to stop.
    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::SeqCst)
    }

    pub fn set_total(&self, total: u64) {
        self.total.store(total, Ordering::SeqCst);
    }

    pub fn phase(&self, phase: Phase) {
        self.emit(phase, None);
    }

    /// Counts `n` uploaded bytes of `attachment`.
    pub fn uploaded(&self, n: u64, attachment: &str) {
        self.sent.fetch_add(n, Ordering::SeqCst);
        self.emit(Phase::Upload, Some(attachment.to_string()));
    }

    fn emit(&self, phase: Phase, attachment: Option<String>) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(Progress {
                phase,
                bytes_sent: self.sent.load(Ordering::SeqCst),
                bytes_total: self.total.load(Ordering::SeqCst),
                attachment,
            });
        }
    }
}
