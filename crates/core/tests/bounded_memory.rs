//! Bounded memory against a hostile server: a gigabyte or endless body (error answers,
//! token answers, 2xx answers such as an upload session's) costs a few MiB, not the
//! process, and ends in a typed error. Measured as the growth of this process's peak
//! RSS (VmHWM) around each case; one test function, so no other test of this binary
//! runs at the same time and moves the peak.

mod common;

use common::hostile::{Hostile, Reply, pairs};
use common::mime;
use o365_core::{Config, ErrorKind, GraphRequest, Mailer, Replay};

const MAILBOX: &str = "sender@contoso.com";
const GIB: u64 = 1024 * 1024 * 1024;
const LIMIT_KIB: u64 = 64 * 1024;

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).expect("VmHWM");
    line.split_whitespace().nth(1).and_then(|v| v.parse().ok()).expect("a number")
}

/// Runs `case`, returns the growth of the peak RSS in KiB.
fn growth(name: &str, case: impl FnOnce()) -> u64 {
    let before = peak_rss_kib();
    case();
    let after = peak_rss_kib();
    eprintln!("{name}: peak RSS {before} KiB -> {after} KiB (+{} KiB)", after - before);
    after - before
}

fn mailer(login: &Hostile, graph: &Hostile) -> Mailer {
    Mailer::new(Config::from_pairs(pairs(&login.base, &graph.base, "secret-123")).unwrap())
}

fn send(m: &Mailer) -> o365_core::Error {
    m.send_mime(&mime(MAILBOX, "ann@example.com", "big answer"), Some(MAILBOX), &[]).expect_err("a typed error")
}

fn graph_answering(reply: fn() -> Reply) -> Hostile {
    Hostile::start(move |req, _| if req.path.contains("/token") { Reply::token(serde_json::json!(3599)) } else { reply() })
}

#[test]
fn huge_and_endless_bodies_cost_a_few_mib() {
    let mut worst = 0;

    let graph = graph_answering(|| Reply::Sized { status: 500, len: GIB });
    worst = worst.max(growth("sendMail: 500 with a 1 GiB body", || {
        let e = send(&mailer(&graph, &graph));
        assert_eq!((e.kind, e.status), (ErrorKind::GraphServer, Some(500)), "{e}");
    }));

    let graph = graph_answering(|| Reply::Endless { status: 400 });
    worst = worst.max(growth("sendMail: 400 with an endless chunked body", || {
        let e = send(&mailer(&graph, &graph));
        assert_eq!((e.kind, e.status), (ErrorKind::GraphClient, Some(400)), "{e}");
    }));

    let graph = graph_answering(|| Reply::Endless { status: 202 });
    worst = worst.max(growth("sendMail: 202 with an endless chunked body", || {
        let e = send(&mailer(&graph, &graph));
        // Graph said 2xx, so it may have taken the message: never resent.
        assert_eq!(e.kind, ErrorKind::OutcomeUnknown, "{e}");
        assert!(e.to_string().contains("larger than"), "{e}");
        assert_eq!(graph.seen_to("sendMail").len(), 1);
    }));

    let graph = graph_answering(|| Reply::Sized { status: 200, len: GIB });
    worst = worst.max(growth("an idempotent request (e.g. an upload session's answer): 200 with 1 GiB", || {
        let client = mailer(&graph, &graph).graph().unwrap();
        let req = GraphRequest::new(reqwest::Method::GET, client.url(&["users", MAILBOX, "messages"]), "reading a big answer")
            .with_replay(Replay::Idempotent);
        let e = o365_core::runtime::process().unwrap().run(client.execute(&req)).expect_err("too large");
        assert_eq!(e.kind, ErrorKind::GraphServer, "{e}");
        assert!(e.to_string().contains("larger than"), "{e}");
    }));

    let login = Hostile::start(|_, _| Reply::Endless { status: 200 });
    worst = worst.max(growth("token endpoint: 200 with an endless chunked body", || {
        let e = send(&mailer(&login, &login));
        assert_eq!(e.kind, ErrorKind::Authentication, "{e}");
        assert!(e.to_string().contains("larger than"), "{e}");
    }));

    let login = Hostile::start(|_, _| Reply::Sized { status: 503, len: GIB });
    worst = worst.max(growth("token endpoint: 503 with a 1 GiB body, retried", || {
        let e = send(&mailer(&login, &login));
        assert_eq!((e.kind, e.status), (ErrorKind::Authentication, Some(503)), "{e}");
        assert_eq!(login.seen().len(), 3, "max_retries 2: three attempts");
    }));

    assert!(worst < LIMIT_KIB, "peak RSS grew by {worst} KiB; the limit is {LIMIT_KIB} KiB");
}
