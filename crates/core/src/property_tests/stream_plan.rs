//! The streaming router against the string router: for the same generated MIME (large
//! and small parts, base64 / quoted-printable / 8bit bodies, CRLF or LF, nested
//! multiparts, lines that look like boundaries, any chunking), the plan made from the
//! streamed skeleton + spool equals the plan `draft_plan::plan_draft` makes from the
//! whole message: same draft MIME byte for byte, same attachments (name, type, inline,
//! Content-ID, route, decoded bytes), or the same error.

use base64::Engine as _;
use proptest::prelude::*;

use crate::mime::draft_plan::{self, DraftPlan};
use crate::mime::stream::{BUFFER_BYTES, Ingest, Streamed};

// The large-message tests' generator, one copy for both.
#[path = "../../tests/large_support/data.rs"]
mod test_data;
use test_data::data;

#[derive(Debug, Clone, Copy)]
enum Kind {
    TextBody,
    HtmlBody,
    Base64File,
    Base64Inline,
    Base64NoName,
    IdentityFile,
    QpFile,
}

#[derive(Debug, Clone)]
struct Part {
    kind: Kind,
    len: usize,
    seed: u64,
    line: usize,
}

fn part() -> impl Strategy<Value = Part> {
    let kind = prop_oneof![
        Just(Kind::TextBody),
        Just(Kind::HtmlBody),
        Just(Kind::Base64File),
        Just(Kind::Base64Inline),
        Just(Kind::Base64NoName),
        Just(Kind::IdentityFile),
        Just(Kind::QpFile),
    ];
    let len = prop_oneof![
        4 => 0usize..3000,
        2 => 1_000_000usize..2_600_000,
        1 => 2_900_000usize..3_300_000,
        3 => 4_000_000usize..7_000_000,
    ];
    (kind, len, any::<u64>(), prop_oneof![Just(76usize), Just(64), Just(998), 10usize..200]).prop_map(|(kind, len, seed, line)| Part { kind, len, seed, line })
}

fn wrap(text: &[u8], line: usize, eol: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + text.len() / line * 2 + 2);
    for (i, c) in text.chunks(line).enumerate() {
        if i > 0 {
            out.extend_from_slice(eol.as_bytes());
        }
        out.extend_from_slice(c);
    }
    out
}

/// Text with lines that look like (but are not) boundaries, signature dashes and bytes
/// that quoted-printable must escape.
fn texty(len: usize, seed: u64, eol: &str) -> Vec<u8> {
    let raw = data(len, seed);
    let mut out = Vec::with_capacity(len + len / 40);
    for (i, b) in raw.iter().enumerate() {
        match b % 61 {
            0 => out.extend_from_slice(eol.as_bytes()),
            1 if i % 7 == 0 => {
                out.extend_from_slice(eol.as_bytes());
                out.extend_from_slice(b"--B1x not a delimiter");
                out.extend_from_slice(eol.as_bytes());
            }
            2 => {
                out.extend_from_slice(eol.as_bytes());
                out.extend_from_slice(b"-- ");
                out.extend_from_slice(eol.as_bytes());
            }
            _ => out.push(b'a' + b % 26),
        }
    }
    out
}

fn qp(text: &[u8], eol: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() * 2);
    let mut col = 0;
    for &b in text {
        if col > 70 {
            out.extend_from_slice(b"=");
            out.extend_from_slice(eol.as_bytes());
            col = 0;
        }
        if b == b'=' || b > 126 || b == b'\r' || b == b'\n' {
            out.extend_from_slice(format!("={b:02X}").as_bytes());
            col += 3;
        } else {
            out.push(b);
            col += 1;
        }
    }
    out
}

fn render(parts: &[Part], crlf: bool, nested: bool) -> Vec<u8> {
    let eol = if crlf { "\r\n" } else { "\n" };
    let mut body = Vec::new();
    for (i, p) in parts.iter().enumerate() {
        let (headers, content): (String, Vec<u8>) = match p.kind {
            Kind::TextBody => ("Content-Type: text/plain; charset=utf-8".into(), texty(p.len, p.seed, eol)),
            Kind::HtmlBody => (
                format!("Content-Type: text/html; charset=utf-8{eol}Content-Transfer-Encoding: quoted-printable"),
                qp(&texty(p.len, p.seed, eol), eol),
            ),
            Kind::Base64File => (
                format!("Content-Type: application/pdf; name=\"f{i}.pdf\"{eol}Content-Transfer-Encoding: base64{eol}Content-Disposition: attachment; filename=\"f{i}.pdf\""),
                wrap(base64::engine::general_purpose::STANDARD.encode(data(p.len, p.seed)).as_bytes(), p.line, eol),
            ),
            Kind::Base64Inline => (
                format!("Content-Type: image/png; name=\"i{i}.png\"{eol}Content-Transfer-Encoding: base64{eol}Content-ID: <img{i}@x>{eol}Content-Disposition: inline; filename=\"i{i}.png\""),
                wrap(base64::engine::general_purpose::STANDARD.encode(data(p.len, p.seed)).as_bytes(), p.line, eol),
            ),
            Kind::Base64NoName => (
                format!("Content-Type: application/octet-stream{eol}Content-Transfer-Encoding: base64"),
                wrap(base64::engine::general_purpose::STANDARD.encode(data(p.len, p.seed)).as_bytes(), p.line, eol),
            ),
            Kind::IdentityFile => (
                format!("Content-Type: text/csv; name=\"t{i}.csv\"{eol}Content-Disposition: attachment; filename=\"t{i}.csv\""),
                texty(p.len, p.seed, eol),
            ),
            Kind::QpFile => (
                format!("Content-Type: text/plain; name=\"q{i}.txt\"{eol}Content-Transfer-Encoding: quoted-printable{eol}Content-Disposition: attachment; filename=\"q{i}.txt\""),
                qp(&data(p.len, p.seed), eol),
            ),
        };
        body.extend_from_slice(format!("--B1{eol}{headers}{eol}{eol}").as_bytes());
        body.extend_from_slice(&content);
        body.extend_from_slice(eol.as_bytes());
    }
    body.extend_from_slice(format!("--B1--{eol}").as_bytes());
    let mut msg = format!("From: a@x.com{eol}To: b@x.com{eol}Subject: stream{eol}MIME-Version: 1.0{eol}").into_bytes();
    if nested {
        msg.extend_from_slice(format!("Content-Type: multipart/mixed; boundary=B0{eol}{eol}preamble{eol}--B0{eol}Content-Type: multipart/related; boundary=B1{eol}{eol}").as_bytes());
        msg.extend_from_slice(&body);
        msg.extend_from_slice(format!("{eol}--B0--{eol}epilogue{eol}").as_bytes());
    } else {
        msg.extend_from_slice(format!("Content-Type: multipart/mixed; boundary=B1{eol}{eol}").as_bytes());
        msg.extend_from_slice(&body);
    }
    msg
}

fn stream(msg: &[u8], chunks: &[usize]) -> Streamed {
    let dir = std::env::temp_dir();
    let mut ingest = Ingest::new(Some(dir));
    let mut pos = 0;
    let mut k = 0;
    while pos < msg.len() {
        let n = chunks[k % chunks.len()].max(1).min(msg.len() - pos);
        ingest.push(&msg[pos..pos + n]).expect("push");
        pos += n;
        k += 1;
    }
    ingest.finish().expect("finish")
}

fn same_plans(a: &crate::Result<DraftPlan<'_>>, b: &crate::Result<DraftPlan<'_>>) -> Result<(), TestCaseError> {
    match (a, b) {
        (Ok(a), Ok(b)) => {
            prop_assert!(a.draft_mime == b.draft_mime, "draft MIME differs ({} vs {} bytes)", a.draft_mime.len(), b.draft_mime.len());
            prop_assert_eq!(a.cuts.len(), b.cuts.len());
            for (x, y) in a.cuts.iter().zip(&b.cuts) {
                prop_assert_eq!(&x.name, &y.name);
                prop_assert_eq!(x.via, y.via);
                prop_assert_eq!(&x.leaf.content_type, &y.leaf.content_type);
                prop_assert_eq!(&x.leaf.content_id, &y.leaf.content_id);
                prop_assert_eq!(x.leaf.is_inline(), y.leaf.is_inline());
                prop_assert_eq!(&x.leaf.cut, &y.leaf.cut);
                prop_assert_eq!(&x.leaf.body, &y.leaf.body);
                prop_assert_eq!(x.bytes.len(), y.bytes.len());
                let (ra, rb) = (x.bytes.read(0..x.bytes.len()), y.bytes.read(0..y.bytes.len()));
                prop_assert!(ra.is_ok() == rb.is_ok(), "reading `{}`: string router {:?}, streaming router {:?}", x.name, ra.as_ref().err(), rb.as_ref().err());
                if let (Ok(ra), Ok(rb)) = (ra, rb) {
                    prop_assert!(ra == rb, "attachment `{}` bytes differ", x.name);
                }
                // A mid-file range, as an upload chunk reads it.
                let mid = x.bytes.len() / 3;
                prop_assert_eq!(x.bytes.read(mid..mid + 1000).ok(), y.bytes.read(mid..mid + 1000).ok());
            }
        }
        (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string()),
        (a, b) => prop_assert!(false, "string router: {:?}, streaming router: {:?}", a.as_ref().err(), b.as_ref().err()),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, max_shrink_iters: 20, .. ProptestConfig::default() })]

    #[test]
    fn streamed_plan_equals_string_plan(
        parts in proptest::collection::vec(part(), 1..5),
        crlf in any::<bool>(),
        nested in any::<bool>(),
        bcc in any::<bool>(),
        chunks in proptest::collection::vec(prop_oneof![1usize..9, 4000usize..9000, Just(8192), Just(1 << 20), 100_000usize..3_000_000, Just(usize::MAX)], 1..4),
    ) {
        let msg = render(&parts, crlf, nested);
        let prefix: &[u8] = if bcc { b"Bcc: hidden@y.com\r\n" } else { b"" };
        // Tiny chunks only over a bounded stretch: they cost a call per byte.
        let chunks: Vec<usize> = if msg.len() > 2_000_000 { chunks.iter().map(|c| if *c < 9 { c * 7919 } else { *c }).collect() } else { chunks };
        match stream(&msg, &chunks) {
            Streamed::Whole(w) => {
                prop_assert!(msg.len() <= BUFFER_BYTES);
                prop_assert!(w == msg);
            }
            Streamed::Split(split) => {
                prop_assert!(msg.len() > BUFFER_BYTES);
                prop_assert_eq!(split.len(), msg.len());
                same_plans(&draft_plan::plan_draft(&msg, prefix), &split.plan(prefix))?;
            }
        }
    }
}

/// Chunk boundaries everywhere near the delimiter after a spooled body: between CR and
/// LF, inside the `--`, inside the boundary.
#[test]
fn every_chunk_boundary_around_the_delimiter() {
    for crlf in [true, false] {
        let parts = [
            Part { kind: Kind::TextBody, len: 100, seed: 1, line: 76 },
            Part { kind: Kind::Base64File, len: 5_000_000, seed: 2, line: 76 },
            Part { kind: Kind::IdentityFile, len: 5_000_000, seed: 3, line: 76 },
            Part { kind: Kind::Base64Inline, len: 1000, seed: 4, line: 76 },
        ];
        let msg = render(&parts, crlf, true);
        let s = crate::mime::parts::parse(&msg).unwrap();
        let want = draft_plan::plan_draft(&msg, b"");
        for leaf in &s.leaves[1..3] {
            for d in 0..12 {
                let at = leaf.body.end + d - 2;
                let chunks = [at, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1_000_000];
                let Streamed::Split(split) = stream(&msg, &chunks) else { panic!("not split") };
                same_plans(&want, &split.plan(b"")).unwrap();
            }
        }
    }
}

