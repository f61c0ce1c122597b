//! Large messages against the emulator: size routing (sendMail up to ~3 MB, draft +
//! upload sessions above), byte-identical attachments and intact bodies and headers on
//! the emulator's side, resuming after failed chunks, the draft deleted when a step
//! fails, an unreachable upload host named in the error, many small parts streamed as a
//! string sends them, the 150 MB limit checked before any request, Mail.ReadWrite diagnosis, and
//! uploads in parallel but at most 4 requests in flight per mailbox (both measured at
//! the emulator). Messages are generated here, never committed.

mod large_support;

use large_support::*;
use o365_core::{ConfigValue, ErrorKind, Phase, Route};
use o365_emulator::{AppConfig, EmulatorConfig};

fn header<'a>(msg: &'a serde_json::Value, name: &str) -> Option<&'a str> {
    msg["headers"].as_array()?.iter().find(|h| h["name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(name)))?["value"].as_str()
}

fn assert_mime_intact(msg: &serde_json::Value) {
    assert!(msg["body_text"].as_str().unwrap_or("").contains("the report is attached."), "text body: {}", msg["body_text"]);
    assert!(msg["body_html"].as_str().unwrap_or("").contains("cid:logo@test"), "html body: {}", msg["body_html"]);
    assert_eq!(header(msg, "Message-ID"), Some(message_id(msg["subject"].as_str().unwrap_or_default()).as_str()));
    assert_eq!(header(msg, "In-Reply-To"), Some("<orig@test>"));
    assert_eq!(header(msg, "X-Campaign"), Some("spring"));
    assert_eq!(header(msg, "List-Unsubscribe"), Some("<mailto:unsub@example.com>"));
    assert_eq!(msg["bcc"], serde_json::json!(["hidden@example.com"]), "envelope-only recipient as Bcc");
}

/// Sends a message of about `total` bytes of MIME and checks it end to end.
fn send_and_check(mailbox: &str, atts: Vec<Attachment>, expect: Route) {
    let emu = start();
    let mailer = mailer(&emu, &[]);
    let subject = format!("{} attachments", atts.len());
    let mime = message(mailbox, &subject, &atts);
    let mut events = Vec::new();
    let mut cb = |p: &o365_core::Progress| {
        events.push(p.clone());
        true
    };
    let sent = mailer
        .send_mime_with(&mime, Some(mailbox), &["ann@example.com".into(), "hidden@example.com".into()], Some(&mut cb))
        .unwrap_or_else(|e| panic!("send of {} bytes: {e}", mime.len()));
    assert_eq!(sent.route, expect, "{} bytes of MIME", mime.len());
    assert!(sent.warnings.is_empty(), "{:?}", sent.warnings);
    assert!(!sent.receipt.request_id.is_empty());
    let msgs = emu.messages();
    let msg = &msgs[0];
    assert_eq!(msgs.as_array().map(Vec::len), Some(1));
    assert_eq!(msg["via"], if expect == Route::Mime { "sendMail" } else { "draft" });
    assert_delivered(msg, &subject, &atts);
    assert_mime_intact(msg);
    assert_eq!(events.last().map(|e| e.phase), Some(Phase::Done));
    if expect == Route::Draft {
        let last = events.last().cloned().unwrap_or_else(|| panic!("no progress"));
        assert!(last.bytes_total > 0 && last.bytes_sent == last.bytes_total, "{last:?}");
        let drafts = json(&emu, "/_emulator/drafts");
        assert_eq!(drafts.as_array().map(Vec::len), Some(0), "the draft became the sent message");
        // Upload URLs never get the token.
        for r in graph_requests(&emu) {
            if r["path"].as_str().unwrap_or("").contains("AttachmentSessions") {
                assert_eq!(r["authorization"], false, "{r}");
            }
        }
    }
}

#[test]
fn message_of_2_9_mb_goes_through_send_mail() {
    // 2.1 MB of attachment is 2.9 MB of MIME: base64 of that is just under 4 MB.
    let atts = vec![Attachment::inline("logo.png", "logo@test", 20_000, 1), Attachment::file("a.bin", 2_150_000, 2)];
    let mime = message("s29@contoso.com", "x", &atts);
    assert!(mime.len() > 2_900_000 && mime.len() < 3 * MIB, "{}", mime.len());
    send_and_check("s29@contoso.com", atts, Route::Mime);
}

#[test]
fn message_of_3_5_mb_goes_as_a_draft() {
    // 2.6 MB attachment (under the 3 MB upload-session minimum): one attachment request.
    let atts = vec![Attachment::inline("logo.png", "logo@test", 20_000, 3), Attachment::file("b.bin", 2_600_000, 4)];
    let mime = message("s35@contoso.com", "x", &atts);
    assert!(mime.len() > 3_500_000 && mime.len() < 3_700_000, "{}", mime.len());
    send_and_check("s35@contoso.com", atts, Route::Draft);
}

#[test]
fn message_of_30_mb_uses_upload_sessions() {
    let atts = vec![
        Attachment::inline("logo.png", "logo@test", 40_000, 5),
        Attachment::inline("photo.png", "photo@test", 4 * MIB + 17, 6),
        Attachment::file("report.pdf", 17 * MIB + 1, 7),
        Attachment::file("small.txt", 1000, 8),
    ];
    send_and_check("s30@contoso.com", atts, Route::Draft);
}

#[test]
fn message_of_149_mb_is_sent_whole() {
    let atts = vec![
        Attachment::inline("logo.png", "logo@test", 10_000, 9),
        Attachment::file("video.mp4", 100 * MIB, 10),
        Attachment::file("archive.zip", 48 * MIB + 512 * 1024, 11),
    ];
    let started = std::time::Instant::now();
    send_and_check("s149@contoso.com", atts, Route::Draft);
    eprintln!("149 MB message: {:.1}s", started.elapsed().as_secs_f64());
}

#[test]
fn over_150_mb_is_refused_before_any_request() {
    let emu = start();
    let mailer = mailer(&emu, &[]);
    let atts = vec![Attachment::file("huge.bin", 151 * MIB, 12)];
    let mime = message("s151@contoso.com", "too big", &atts);
    let err = mailer.send_mime(&mime, Some("s151@contoso.com"), &[]).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Configuration);
    assert!(err.to_string().contains("150 MB") && err.to_string().contains("huge.bin"), "{err}");
    assert_eq!(json(&emu, "/_emulator/requests").as_array().map(Vec::len), Some(0), "no request at all, not even a token");
}

#[test]
fn a_failed_chunk_resumes_where_graph_expects() {
    let emu = start();
    let mailer = mailer(&emu, &[]);
    let atts = vec![Attachment::inline("logo.png", "logo@test", 1000, 13), Attachment::file("big.bin", 20 * MIB + 5, 14)];
    let mime = message("resume@contoso.com", "resume", &atts);
    let mut chunks = 0;
    let mut cb = |p: &o365_core::Progress| {
        if p.phase == Phase::Upload {
            chunks += 1;
            if chunks == 2 {
                // Mid-upload: the next chunk fails twice (503 with Retry-After), the one after
                // is received but its answer is lost (the client resends it and gets 416).
                faults(&emu, r#"[{"match":{"path":"AttachmentSessions","method":"PUT"},"status":503,"retry_after":0.1,"times":2},
                    {"match":{"path":"AttachmentSessions","method":"PUT"},"drop":"after_body","deliver":true,"times":1}]"#);
            }
        }
        true
    };
    let sent = mailer.send_mime_with(&mime, Some("resume@contoso.com"), &[], Some(&mut cb)).expect("send resumes");
    assert_eq!(sent.route, Route::Draft);
    let msgs = emu.messages();
    let got: Vec<&serde_json::Value> = msgs[0]["attachments"].as_array().unwrap().iter().collect();
    let big = got.iter().find(|a| a["name"] == "big.bin").expect("big.bin");
    assert_eq!(big["sha256"], sha256(&atts[1].bytes));
    let puts: Vec<u64> = graph_requests(&emu)
        .iter()
        .filter(|r| r["method"] == "PUT")
        .map(|r| r["status"].as_u64().unwrap_or(0))
        .collect();
    assert!(puts.contains(&503) && puts.contains(&416) && puts.contains(&0), "PUT statuses: {puts:?}");
    let asked = graph_requests(&emu)
        .iter()
        .any(|r| r["method"] == "GET" && r["path"].as_str().unwrap_or("").contains("AttachmentSessions") && r["authorization"] == false);
    assert!(asked, "after the 416 the client asks the session where to resume");
}

#[test]
fn a_failure_before_send_deletes_the_draft_and_names_the_step() {
    let emu = start();
    let mailer = mailer(&emu, &[]);
    let atts = vec![Attachment::inline("logo.png", "logo@test", 1000, 15), Attachment::file("big.bin", 5 * MIB, 16)];
    let mime = message("fail@contoso.com", "fails", &atts);
    faults(&emu, r#"[{"match":{"path":"/send","method":"POST"},"status":500,"times":1}]"#);
    let err = mailer.send_mime(&mime, Some("fail@contoso.com"), &[]).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("send the draft") && text.contains("the draft was deleted"), "{text}");
    assert_eq!(json(&emu, "/_emulator/drafts").as_array().map(Vec::len), Some(0));
    assert_eq!(emu.messages().as_array().map(Vec::len), Some(0));

    // A failing upload session: the same cleanup, another step named.
    faults(&emu, r#"[{"match":{"path":"createUploadSession"},"status":400,"graph_code":"ErrorInvalidRequest","times":1}]"#);
    let err = mailer.send_mime(&mime, Some("fail@contoso.com"), &[]).unwrap_err();
    assert!(err.to_string().contains("add attachment `big.bin`") && err.to_string().contains("deleted"), "{err}");
    assert_eq!(json(&emu, "/_emulator/drafts").as_array().map(Vec::len), Some(0));
    let deletes = graph_requests(&emu).iter().filter(|r| r["method"] == "DELETE").count();
    assert_eq!(deletes, 2);
}

/// The Graph requests of a send, by method and kind (ids left out), sorted.
fn request_kinds(emu: &o365_emulator::Emulator) -> Vec<String> {
    let mut kinds: Vec<String> = graph_requests(emu)
        .iter()
        .map(|r| {
            let path = r["path"].as_str().unwrap_or("");
            let kind = ["createUploadSession", "AttachmentSessions", "attachments", "send", "messages", "sendMail"]
                .into_iter()
                .find(|k| path.contains(k))
                .unwrap_or(path);
            format!("{} {kind} {}", r["method"], r["status"])
        })
        .collect();
    kinds.sort();
    kinds
}

#[test]
fn many_small_parts_streamed_go_out_as_the_string_does() {
    // 60 attachments of 150 KiB: more than HELD_BODIES_BYTES, so their bodies pass
    // through the small parts' spool; some stay in the draft, the rest are cut.
    let mut atts = vec![Attachment::inline("logo.png", "logo@test", 1000, 18)];
    atts.extend((0..60).map(|n| Attachment::file(&format!("part{n}.bin"), 150 * 1024 + n, 100 + n as u64)));
    let mime = message("parts@contoso.com", "many small parts", &atts);
    let (string_emu, stream_emu) = (start(), start());
    let rcpt: Vec<String> = vec!["ann@example.com".into(), "hidden@example.com".into()];
    mailer(&string_emu, &[]).send_mime(&mime, Some("parts@contoso.com"), &rcpt).expect("sent as a string");
    let mut ingest = o365_core::stream::Ingest::new(None);
    for chunk in mime.chunks(64 * 1024) {
        ingest.push(chunk).expect("read");
    }
    let streamed = ingest.finish().expect("finished");
    let sent = mailer(&stream_emu, &[]).send_streamed(&streamed, Some("parts@contoso.com"), &rcpt, None).expect("sent streamed");
    assert_eq!(sent.route, Route::Draft);
    let msgs = stream_emu.messages();
    assert_delivered(&msgs[0], "many small parts", &atts);
    assert_mime_intact(&msgs[0]);
    assert_eq!(request_kinds(&stream_emu), request_kinds(&string_emu), "the same Graph requests");
}

#[test]
fn an_unreachable_upload_host_is_named_with_what_to_allow() {
    // Graph hands out upload URLs on another host than graph_endpoint (outlook.office.com);
    // the emulator's are on 127.0.0.2 here, where nothing listens: a firewall that lets
    // graph_endpoint through but not the upload host.
    let emu = start_with(EmulatorConfig { upload_host: Some("127.0.0.2".into()), ..EmulatorConfig::default() });
    let mailer = mailer(&emu, &[("max_retries", ConfigValue::Int(0))]);
    let atts = vec![Attachment::file("big.bin", 5 * MIB, 17)];
    let mime = message("blocked@contoso.com", "blocked upload host", &atts);
    let err = mailer.send_mime(&mime, Some("blocked@contoso.com"), &[]).unwrap_err();
    let text = err.to_string();
    assert_eq!(err.kind, ErrorKind::Transport, "{text}");
    let graph_host = emu.base_url().trim_start_matches("http://").to_string();
    assert!(err.message.contains("upload URL Graph handed out at http://127.0.0.2:") && !err.message.contains(&graph_host), "names the host contacted: {text}");
    assert!(text.contains("firewall") && text.contains("must allow `127.0.0.2` too") && text.contains("docs/graph-facts.md"), "says what to check: {text}");
    assert!(text.contains("add attachment `big.bin`") && text.contains("deleted"), "{text}");
    assert_eq!(json(&emu, "/_emulator/drafts").as_array().map(Vec::len), Some(0));
}

/// A redirect from the upload host (Graph's uploadUrl, `localhost` here, not the
/// `127.0.0.1` of graph_endpoint) names that host, not graph_endpoint, and is not followed.
#[test]
fn a_redirect_from_the_upload_host_names_that_host() {
    let emu = start();
    let mailer = mailer(&emu, &[("max_retries", ConfigValue::Int(0))]);
    faults(&emu, r#"[{"match":{"path":"AttachmentSessions","method":"PUT"},"status":307}]"#);
    let atts = vec![Attachment::file("big.bin", 5 * MIB, 18)];
    let mime = message("moved@contoso.com", "redirected upload", &atts);
    let err = mailer.send_mime(&mime, Some("moved@contoso.com"), &[]).unwrap_err();
    let text = err.to_string();
    assert_eq!((err.kind, err.status), (ErrorKind::GraphServer, Some(307)), "{text}");
    let graph = emu.base_url();
    let upload = graph.replace("127.0.0.1", "localhost");
    assert!(err.message.contains(&format!("upload URL Graph handed out ({upload})")), "names the upload host: {text}");
    assert!(!err.message.contains(&graph), "not graph_endpoint: {text}");
    assert!(text.contains("never followed") && text.contains("HTTPS_PROXY"), "says what to check: {text}");
    assert!(!text.contains("set `graph_endpoint`"), "graph_endpoint is not what redirected: {text}");
    assert_eq!(json(&emu, "/_emulator/drafts").as_array().map(Vec::len), Some(0), "the draft deleted");
}

#[test]
fn without_mail_read_write_the_error_says_so() {
    let app = AppConfig { roles: vec!["Mail.Send".into()], ..AppConfig::default() };
    let emu = start_with(EmulatorConfig { apps: vec![app], ..EmulatorConfig::default() });
    let mailer = mailer(&emu, &[]);
    let atts = vec![Attachment::inline("logo.png", "logo@test", 1000, 17), Attachment::file("big.bin", 4 * MIB, 18)];
    let err = mailer.send_mime(&message("rw@contoso.com", "rw", &atts), Some("rw@contoso.com"), &[]).unwrap_err();
    assert_eq!(err.status, Some(403));
    assert!(err.to_string().contains("large messages need Mail.ReadWrite"), "{err}");
    assert!(err.to_string().contains("create the draft"), "{err}");
    // Small messages still go with Mail.Send alone.
    let small = vec![Attachment::inline("logo.png", "logo@test", 1000, 19)];
    mailer.send_mime(&message("rw@contoso.com", "small", &small), Some("rw@contoso.com"), &[]).expect("small send");
}

/// The most upload PUTs the emulator was serving at once, from its request log: each
/// PUT spans [arrival, arrival + duration) in whole milliseconds. Requests one after the
/// other never overlap (the next arrives after the previous answer), so more than one
/// means the uploads ran in parallel.
fn most_puts_at_once(requests: &[serde_json::Value]) -> usize {
    let spans: Vec<(u64, u64)> = requests
        .iter()
        .filter(|r| r["method"] == "PUT" && r["path"].as_str().unwrap_or("").contains("AttachmentSessions"))
        .map(|r| {
            let start = r["time_ms"].as_u64().unwrap_or(0);
            (start, start + r["duration_ms"].as_u64().unwrap_or(0))
        })
        .collect();
    spans.iter().map(|&(start, _)| spans.iter().filter(|&&(s, e)| s <= start && start < e).count()).max().unwrap_or(0)
}

#[test]
fn uploads_run_in_parallel_and_never_more_than_four_per_mailbox() {
    let emu = start_with(EmulatorConfig { latency_ms: 30, ..EmulatorConfig::default() });
    let mailer = mailer(&emu, &[("max_retries", ConfigValue::Int(0))]);
    let mut atts = vec![Attachment::inline("logo.png", "logo@test", 1000, 20)];
    for i in 0..6 {
        atts.push(Attachment::file(&format!("part{i}.bin"), 3 * MIB + 1000 * i, 21 + i as u64));
    }
    let mime = message("conc@contoso.com", "six uploads", &atts);
    // Measured at the server: the emulator answers a fifth concurrent request of a mailbox
    // with 429 (Exchange's MailboxConcurrency limit), and max_retries 0 makes that 429
    // fail the send. Six uploads at once would pass a fifth request without the limiter.
    mailer.send_mime(&mime, Some("conc@contoso.com"), &[]).expect("send");
    let requests = graph_requests(&emu);
    let throttled = requests.iter().filter(|r| r["status"] == 429).count();
    assert_eq!(throttled, 0, "no request was over the emulator's concurrency limit");
    let peak = json(&emu, "/_emulator/stats")["mailboxes"]["conc@contoso.com"]["peak_in_flight"].as_u64();
    assert!(matches!(peak, Some(2..=4)), "requests in flight at the emulator at most: {peak:?}");
    // And the six uploads really overlapped (one at a time would also stay under 4).
    let puts = most_puts_at_once(&requests);
    assert!((2..=4).contains(&puts), "upload PUTs at once at the emulator: {puts}");
    assert_delivered(&emu.messages()[0], "six uploads", &atts);
}
