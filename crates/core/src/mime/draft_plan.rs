//! Which way a message goes, decided before any request. Graph takes at most ~4 MB per
//! request; base64 makes MIME a third larger, so `sendMail` carries messages up to about
//! 3 MB. Larger ones (up to Exchange's 150 MB) go as a draft: the MIME with the big
//! attachments cut out (every header, both bodies, the small and inline parts stay byte
//! for byte), then each cut attachment through an upload session (3 MB and up) or one
//! attachment request (smaller ones that did not fit in the draft), then `/send`.
//! Sizes over the limits are refused here, before anything is sent.

use std::ops::Range;

use crate::error::{Error, Result};
use crate::mime::parts::{self, Leaf};
use crate::mime::part_bytes::{InvalidBody, PartBytes};
use crate::mime::attachment_bytes::AttachmentBytes;

/// Largest request body we send: Graph's 4 MiB (`maxRequestLength`) less headroom for
/// JSON framing.
pub const MAX_REQUEST_BYTES: usize = 4 * 1024 * 1024 - 64 * 1024;
/// Graph refuses upload sessions for attachments under 3 MB.
pub const UPLOAD_SESSION_MIN: u64 = 3 * 1024 * 1024;
/// Largest attachment and largest message Exchange accepts (when the admin raised the
/// mailbox limit to the maximum; the default is 35 MB).
pub const MAX_MESSAGE_BYTES: u64 = 150 * 1024 * 1024;
/// Upload chunk: at most 4 MB per PUT; 3.75 MiB is a multiple of 320 KiB and of 3.
pub const CHUNK_BYTES: u64 = 12 * 320 * 1024;

/// JSON candidates: above this the JSON request cannot fit anyway.
pub(crate) const JSON_CANDIDATE_BYTES: usize = 6 * 1024 * 1024;

/// Length of the base64 form of `n` bytes.
pub fn base64_len(n: usize) -> usize {
    n.div_ceil(3) * 4
}

/// Whether MIME of `len` bytes fits one `sendMail` request.
pub fn fits_send_mail(len: usize) -> bool {
    base64_len(len) <= MAX_REQUEST_BYTES
}

/// How a cut attachment reaches the draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// `createUploadSession` + PUTs of byte ranges.
    UploadSession,
    /// One `POST .../attachments` with the bytes in JSON.
    AttachmentRequest,
}

/// An attachment cut out of the MIME.
#[derive(Debug)]
pub struct Cut<'a> {
    /// The MIME part.
    pub leaf: Leaf,
    /// Its decoded bytes: read from the MIME on demand, or from a streamed message's spool.
    pub bytes: AttachmentBytes<'a>,
    /// The name Graph gets.
    pub name: String,
    /// How it is added.
    pub via: Via,
}

/// The large-message plan.
#[derive(Debug)]
pub struct DraftPlan<'a> {
    /// The draft's MIME (small: under the request limit).
    pub draft_mime: Vec<u8>,
    /// The attachments to add to the draft.
    pub cuts: Vec<Cut<'a>>,
}

pub(crate) fn too_big(msg: String) -> Error {
    Error::config("mime", msg).with_hint(
        "Exchange accepts at most 150 MB per message and per attachment (the mailbox default is 35 MB; raise it with `Set-Mailbox -MaxSendSize 150MB -MaxReceiveSize 150MB`); send large files as links",
    )
}

/// Cuts `mime` for the draft path. `prefix` goes in front of the draft (a `Bcc:` line).
pub fn plan_draft<'a>(mime: &'a [u8], prefix: &[u8]) -> Result<DraftPlan<'a>> {
    let structure = parts::parse(mime).ok_or_else(crate::mime::envelope::not_mime)?;
    plan_leaves(
        mime.len(),
        prefix,
        &structure.leaves,
        |_, leaf| PartBytes::new(mime.get(leaf.body.clone()).unwrap_or_default(), leaf.encoding).map(AttachmentBytes::Mime),
        |cuts| Ok(parts::without(mime, prefix, cuts)),
    )
}

/// The plan for a message of `mime_len` bytes with these `leaves` (ranges in the
/// message): `read` gives leaf `i`'s decoded bytes, `draft` the message without the
/// given cuts (sorted) and with `prefix`. Shared by `plan_draft` and streamed messages
/// (`stream::Split`), which hold the message differently.
pub(crate) fn plan_leaves<'a>(
    mime_len: usize,
    prefix: &[u8],
    leaves: &[Leaf],
    read: impl Fn(usize, &Leaf) -> std::result::Result<AttachmentBytes<'a>, InvalidBody>,
    draft: impl FnOnce(&[Range<usize>]) -> Result<Vec<u8>>,
) -> Result<DraftPlan<'a>> {
    let (chosen, cuts) = choose_cuts(mime_len, prefix, leaves, read)?;
    let cuts_sorted = sorted(&cuts);
    let draft_len = parts::without_len(mime_len, prefix.len(), &cuts_sorted);
    if !fits_send_mail(draft_len) {
        return Err(Error::config(
            "mime",
            format!("the message without its attachments is still {draft_len} bytes: its headers and bodies must stay under about 3 MB to create the draft"),
        )
        .with_hint("move large content out of the message body into attachments"));
    }
    let mut out = Vec::with_capacity(chosen.len());
    let mut total = draft_len as u64;
    for (n, (leaf, bytes)) in chosen.into_iter().enumerate() {
        let name = display_name(leaf, n + 1);
        let size = bytes.len();
        if size > MAX_MESSAGE_BYTES {
            return Err(too_big(format!("attachment `{name}` is {} MB; Graph accepts attachments up to 150 MB", mb(size))));
        }
        total += size;
        let via = if size >= UPLOAD_SESSION_MIN { Via::UploadSession } else { Via::AttachmentRequest };
        if via == Via::AttachmentRequest && base64_len(size as usize) + 512 + name.len() * 2 > MAX_REQUEST_BYTES + 64 * 1024 {
            return Err(Error::config(
                "mime",
                format!("attachment `{name}` ({size} bytes) is just under Graph's 3 MB upload-session minimum but too large for one request once base64-encoded"),
            )
            .with_hint("make the file slightly larger or smaller (e.g. compress it)"));
        }
        out.push(Cut { leaf: leaf.clone(), bytes, name, via });
    }
    if total > MAX_MESSAGE_BYTES {
        return Err(too_big(format!("the message is {} MB; Graph accepts messages up to 150 MB", mb(total))));
    }
    out.sort_by_key(|c| c.leaf.cut.start);
    let draft_mime = draft(&cuts_sorted)?;
    Ok(DraftPlan { draft_mime, cuts: out })
}

/// The attachments to cut out: every one of 3 MB and more (an upload session or
/// nothing), then others, largest first, while the draft is still too big.
#[allow(clippy::type_complexity)]
fn choose_cuts<'a, 'l>(
    mime_len: usize,
    prefix: &[u8],
    leaves: &'l [Leaf],
    read: impl Fn(usize, &Leaf) -> std::result::Result<AttachmentBytes<'a>, InvalidBody>,
) -> Result<(Vec<(&'l Leaf, AttachmentBytes<'a>)>, Vec<Range<usize>>)> {
    // Cheap sizes first (encoded length): base64 text is 4/3 of the content.
    let mut order: Vec<(usize, &Leaf)> = leaves.iter().enumerate().filter(|(_, l)| !l.is_body && !l.cut.is_empty()).collect();
    order.sort_by_key(|(_, l)| std::cmp::Reverse(l.cut.len()));
    let mut chosen: Vec<(&Leaf, AttachmentBytes<'a>)> = Vec::new();
    let mut cuts: Vec<Range<usize>> = Vec::new();
    for (i, leaf) in order {
        let fits = fits_send_mail(parts::without_len(mime_len, prefix.len(), &sorted(&cuts)));
        // Parts of 3 MB and more must go anyway (an upload session or nothing); others
        // only while the draft is still too big, largest first.
        let encoded_big = (leaf.body.len() as u64) * 3 / 4 >= UPLOAD_SESSION_MIN;
        if fits && !encoded_big {
            continue;
        }
        let bytes = read(i, leaf).map_err(|e| {
            Error::config("mime", format!("attachment `{}`: {}", display_name(leaf, 0), e.0))
        })?;
        if fits && bytes.len() < UPLOAD_SESSION_MIN {
            continue;
        }
        cuts.push(leaf.cut.clone());
        chosen.push((leaf, bytes));
    }
    Ok((chosen, cuts))
}

fn sorted(cuts: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut v = cuts.to_vec();
    v.sort_by_key(|r| r.start);
    v
}

fn mb(n: u64) -> String {
    format!("{:.1}", n as f64 / (1024.0 * 1024.0))
}

/// The attachment's name for Graph (`parts::attachment_name`).
fn display_name(leaf: &Leaf, n: usize) -> String {
    parts::attachment_name(leaf.file_name.as_deref(), leaf.content_id.as_deref(), &leaf.content_type, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(att: usize, small: usize) -> Vec<u8> {
        use base64::Engine as _;
        let b64 = |n: usize, seed: u8| {
            let data: Vec<u8> = (0..n).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)).collect();
            let e = base64::engine::general_purpose::STANDARD.encode(data);
            e.as_bytes().chunks(76).map(|c| format!("{}\r\n", std::str::from_utf8(c).unwrap())).collect::<String>()
        };
        format!(
            "From: a@x.com\r\nTo: b@x.com\r\nSubject: big\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\n\
Content-Type: text/plain\r\n\r\nhello\r\n--B\r\nContent-Type: application/octet-stream; name=big.bin\r\n\
Content-Transfer-Encoding: base64\r\n\r\n{}--B\r\nContent-Type: image/png\r\nContent-ID: <logo>\r\n\
Content-Transfer-Encoding: base64\r\n\r\n{}--B--\r\n",
            b64(att, 1),
            b64(small, 2)
        )
        .into_bytes()
    }

    #[test]
    fn big_parts_go_to_upload_sessions_small_ones_stay() {
        let m = message(5 * 1024 * 1024, 1000);
        assert!(!fits_send_mail(m.len()));
        let plan = plan_draft(&m, b"").unwrap();
        assert_eq!(plan.cuts.len(), 1);
        assert_eq!(plan.cuts[0].name, "big.bin");
        assert_eq!(plan.cuts[0].via, Via::UploadSession);
        assert_eq!(plan.cuts[0].bytes.len(), 5 * 1024 * 1024);
        assert!(plan.draft_mime.len() < 3000 && String::from_utf8_lossy(&plan.draft_mime).contains("<logo>"));
    }

    #[test]
    fn medium_parts_are_cut_when_the_draft_is_too_big() {
        let m = message(2_600_000, 1000);
        let plan = plan_draft(&m, b"").unwrap();
        assert_eq!(plan.cuts.len(), 1);
        assert_eq!(plan.cuts[0].via, Via::AttachmentRequest);
    }
}
