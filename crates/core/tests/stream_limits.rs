//! A streamed message is refused while it is read, at the chunk that passes a limit:
//! an endless header line, a 400 MB attachment, 288 MiB of small parts, 96 MiB of header
//! blocks over many parts, too many parts;
//! and a message within the limits made of many small parts costs constant memory.
//! Each case feeds `Ingest` chunk by chunk (as the extension does with a PHP generator)
//! and counts what was read; the memory cases measure this process's peak RSS (VmHWM,
//! reset through /proc/self/clear_refs before each) and the spool file's size on disk.
//! The memory cases run in one test function, so no other case moves the peak.

use base64::Engine as _;
use o365_core::ErrorKind;
use o365_core::stream::{Ingest, MAX_HEADER_BYTES, MAX_PARTS, MAX_STREAM_BYTES, Streamed};

const MIB: u64 = 1024 * 1024;

fn rss_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status.lines().find(|l| l.starts_with(field)).expect("field");
    line.split_whitespace().nth(1).and_then(|v| v.parse().ok()).expect("a number")
}

/// Peak RSS growth (MiB) while `case` runs.
fn peak_growth_mib(name: &str, case: impl FnOnce()) -> u64 {
    // "5" resets the peak (VmHWM) to the current RSS (Linux >= 4.0).
    std::fs::write("/proc/self/clear_refs", "5").expect("reset the peak RSS");
    let before = rss_kib("VmRSS:");
    case();
    let grew = rss_kib("VmHWM:").saturating_sub(before) / 1024;
    eprintln!("{name}: peak RSS +{grew} MiB");
    grew
}

/// Pushes `chunks` until `Ingest` refuses one (or they end); the bytes read then.
fn feed(ingest: &mut Ingest, chunks: impl Iterator<Item = Vec<u8>>) -> (Option<o365_core::Error>, u64) {
    let mut read = 0u64;
    for c in chunks {
        read += c.len() as u64;
        if let Err(e) = ingest.push(&c) {
            return (Some(e), read);
        }
    }
    (None, read)
}

/// Bytes of the spool files open in this process (unlinked files in `dir`).
fn spooled_bytes(dir: &std::path::Path) -> u64 {
    let mut total = 0;
    for fd in std::fs::read_dir("/proc/self/fd").expect("/proc/self/fd").flatten() {
        let target = std::fs::read_link(fd.path()).unwrap_or_default();
        if target.starts_with(dir) {
            total += std::fs::metadata(fd.path()).map(|m| m.len()).unwrap_or(0);
        }
    }
    total
}

fn base64_lines(data: &[u8]) -> Vec<u8> {
    let enc = base64::engine::general_purpose::STANDARD.encode(data);
    enc.as_bytes().chunks(76).flat_map(|l| [l, b"\r\n"].concat()).collect()
}

const MULTIPART: &[u8] = b"From: a@contoso.com\r\nTo: b@example.com\r\nSubject: big\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n";

fn attachment_header(n: usize) -> Vec<u8> {
    format!("--b\r\nContent-Type: application/octet-stream; name=f{n}.bin\r\nContent-Disposition: attachment; filename=f{n}.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n")
        .into_bytes()
}

fn assert_refused(e: Option<o365_core::Error>, wants: &[&str]) -> String {
    let e = e.expect("refused while reading");
    assert_eq!(e.kind, ErrorKind::Configuration, "{e}");
    let text = e.to_string();
    for w in wants {
        assert!(text.contains(w), "`{w}` in: {text}");
    }
    text
}

fn endless_header_line() {
    let mut ingest = Ingest::new(None);
    let line = vec![b'a'; MIB as usize];
    let chunks = std::iter::once(b"Subject: ".to_vec()).chain(std::iter::repeat_n(line, 64));
    let (e, read) = feed(&mut ingest, chunks);
    let text = assert_refused(e, &["header-block limit", "4 MB", "not a mail", "Fix:"]);
    eprintln!("endless header line: refused after {} MiB read: {text}", read / MIB);
    assert!(read <= 16 * MIB, "refused after {read} bytes");
}

fn attachment_of_400_mb(dir: &std::path::Path) {
    let mut ingest = Ingest::new(Some(dir.to_path_buf()));
    let block: Vec<u8> = (0..57 * 13_800u32).map(|i| (i * 7 % 251) as u8).collect();
    let lines = base64_lines(&block);
    let blocks = 400_000_000 / block.len();
    let head = [MULTIPART, &attachment_header(1)].concat();
    let chunks = std::iter::once(head).chain(std::iter::repeat_n(lines, blocks));
    let (e, read) = feed(&mut ingest, chunks);
    let spooled = spooled_bytes(dir);
    let text = assert_refused(e, &["Graph's 150 MB message limit", "Set-Mailbox -MaxSendSize"]);
    let content = (read * 57 / 78) as f64 / 1e6;
    eprintln!("400 MB attachment: refused after {content:.1} MB of content ({} MiB of MIME), spool {} MiB: {text}", read / MIB, spooled / MIB);
    assert!(content <= 160.0, "refused after {content} MB of the attachment");
    assert!(spooled <= 150 * MIB, "the spool holds {spooled} bytes");
}

fn small_parts_of_288_mib() {
    let mut ingest = Ingest::new(None);
    let part = base64_lines(&vec![7u8; MIB as usize]);
    let parts = (288 * MIB / MIB) as usize;
    let chunks = std::iter::once(MULTIPART.to_vec()).chain((0..parts).map(|n| [attachment_header(n), part.clone()].concat()));
    let (e, read) = feed(&mut ingest, chunks);
    let text = assert_refused(e, &["209 MB of MIME", "Graph's 150 MB message limit", "Fix:"]);
    eprintln!("288 MiB of small parts: refused after {} MiB read: {text}", read / MIB);
    assert!(read <= MAX_STREAM_BYTES + 2 * MIB, "refused after {read} bytes");
}

/// A message of `parts` parts, each with a 2 MiB header block (lines of 998 bytes) and a
/// one-line body, in one chunk per part.
fn parts_with_2_mib_headers(parts: usize) -> impl Iterator<Item = Vec<u8>> {
    let pad = format!("X-Pad: {}\r\n", "p".repeat(990)).into_bytes();
    let block: Vec<u8> = pad.iter().copied().cycle().take(pad.len() * (2 * MIB as usize / pad.len())).collect();
    let part = move |n: usize| [format!("--b\r\nContent-Type: text/plain\r\nX-Part: {n}\r\n").into_bytes(), block.clone(), b"\r\nbody\r\n".to_vec()].concat();
    std::iter::once(MULTIPART.to_vec()).chain((0..parts).map(part)).chain(std::iter::once(b"--b--\r\n".to_vec()))
}

/// 48 parts with 2 MiB header blocks each (every block under the 4 MiB header-block
/// limit, every line under 998 bytes) and a one-line body: 96 MiB of headers. Header
/// blocks are never spilled, so the message is refused at the total-header limit, before
/// the headers fill memory.
fn large_header_blocks() {
    let mut ingest = Ingest::new(None);
    let (e, read) = feed(&mut ingest, parts_with_2_mib_headers(48));
    let e = e.or_else(|| ingest.finish().err());
    let text = assert_refused(e, &["16 MB header limit", "header blocks", "nothing was sent", "Fix:"]);
    eprintln!("96 MiB of header blocks: refused after {} MiB read: {text}", read / MIB);
    assert!(read <= (MAX_HEADER_BYTES + 8 * 1024 * 1024) as u64, "refused after {read} bytes");
}

/// 960 attachments of 150 KiB (144 MiB, ~197 MB of MIME: within every limit), streamed
/// and planned: the small bodies past `HELD_BODIES_BYTES` wait in the spool, not in
/// memory, and the plan is the one a whole message gets (the draft keeps the parts that
/// fit, byte for byte; the rest are attachment requests read back from the spool).
fn small_parts_of_144_mib_sent(dir: &std::path::Path) {
    let mut ingest = Ingest::new(Some(dir.to_path_buf()));
    let part = |n: usize| base64_lines(&vec![(n % 251) as u8; 150 * 1024]);
    let parts = 960;
    let chunks = std::iter::once(MULTIPART.to_vec()).chain((0..parts).map(|n| [attachment_header(n), part(n)].concat())).chain(std::iter::once(b"--b--\r\n".to_vec()));
    let (e, read) = feed(&mut ingest, chunks);
    assert!(e.is_none(), "refused after {read} bytes: {e:?}");
    let Streamed::Split(split) = ingest.finish().expect("finished") else { panic!("a large message is split") };
    assert!(spooled_bytes(dir) > 100 * MIB, "the small parts wait in the spool ({} bytes)", spooled_bytes(dir));
    let plan = split.plan(b"").expect("a plan");
    let draft = String::from_utf8_lossy(&plan.draft_mime).into_owned();
    let in_draft = draft.matches("filename=f").count();
    assert_eq!(plan.cuts.len() + in_draft, parts, "every part is cut or in the draft");
    assert!(in_draft > 0 && draft.contains("\r\n\r\nhello\r\n") && plan.draft_mime.len() < 3 * MIB as usize);
    // A part kept in the draft is there as it came; a cut one reads back from the spool.
    let kept = draft.split("filename=").nth(1).and_then(|t| t.split(".bin").next()).and_then(|n| n.trim_start_matches('f').parse::<usize>().ok()).expect("a kept part");
    let kept_text = String::from_utf8(part(kept)).expect("ascii");
    assert!(draft.contains(&kept_text), "part f{kept} kept byte for byte");
    let cut = plan.cuts.last().expect("a cut part");
    let n: usize = cut.name.trim_start_matches('f').trim_end_matches(".bin").parse().expect("fN.bin");
    let expected = base64::engine::general_purpose::STANDARD.encode(vec![(n % 251) as u8; 150 * 1024]);
    assert_eq!(cut.bytes.to_base64().expect("read back"), expected);
    assert_eq!(cut.bytes.len(), 150 * 1024);
}

#[test]
fn streamed_input_is_refused_at_its_limits_with_bounded_memory_and_disk() {
    let dir = std::env::temp_dir().join(format!("o365-stream-limits-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("spool dir");
    // First: the others leave freed heap behind that would hide its growth.
    let sent = peak_growth_mib("144 MiB of 150 KiB parts, streamed and planned", || small_parts_of_144_mib_sent(&dir));
    let header = peak_growth_mib("endless header line", endless_header_line);
    let headers = peak_growth_mib("96 MiB of header blocks", large_header_blocks);
    let attachment = peak_growth_mib("400 MB attachment", || attachment_of_400_mb(&dir));
    let small = peak_growth_mib("288 MiB of small parts", small_parts_of_288_mib);
    let _ = std::fs::remove_dir_all(&dir);
    headers_under_the_total_header_limit_are_read_whole();
    assert!(header <= 64, "an endless header line grew the peak RSS by {header} MiB");
    assert!(headers <= 48, "96 MiB of header blocks grew the peak RSS by {headers} MiB");
    assert!(attachment <= 64, "a 400 MB attachment grew the peak RSS by {attachment} MiB");
    // Small parts past HELD_BODIES_BYTES go to the spool (as they came: each may end up
    // in the draft): memory stays bounded however the size is split.
    assert!(small <= 48, "288 MiB of small parts grew the peak RSS by {small} MiB");
    assert!(sent <= 48, "144 MiB of small parts grew the peak RSS by {sent} MiB");
}

#[test]
fn more_parts_than_the_limit_are_refused_in_small_and_large_messages() {
    for pad in [0usize, 7 * MIB as usize] {
        let mut ingest = Ingest::new(None);
        let mut chunks = vec![MULTIPART.to_vec()];
        if pad > 0 {
            // A large first attachment: the rest arrives after the message was split.
            chunks.push([attachment_header(0), base64_lines(&vec![1u8; pad])].concat());
        }
        chunks.extend((0..=MAX_PARTS).map(|n| format!("--b\r\nContent-Type: text/plain\r\n\r\npart {n}\r\n").into_bytes()));
        chunks.push(b"--b--\r\n".to_vec());
        let (e, _) = feed(&mut ingest, chunks.into_iter());
        let e = e.or_else(|| ingest.finish().err());
        assert_refused(e, &["more than 1000 MIME parts", "part-count limit", "Fix: send fewer attachments"]);
    }
}

/// 7 parts of 2 MiB header blocks (~14 MiB of headers, under MAX_HEADER_BYTES) are read
/// whole. Not a test function of its own: run in parallel, it would move the peaks.
fn headers_under_the_total_header_limit_are_read_whole() {
    let mut ingest = Ingest::new(None);
    let (e, read) = feed(&mut ingest, parts_with_2_mib_headers(7));
    assert!(e.is_none(), "refused after {read} bytes: {e:?}");
    let Ok(Streamed::Split(split)) = ingest.finish() else { panic!("a large message is split") };
    assert_eq!(split.len() as u64, read);
    assert!(read > 13 * MIB && read < MAX_HEADER_BYTES as u64, "{read} bytes");
}
