//! A real `redis-server` per test: started on a free port in a temp dir, killed on drop.
//! Where redis-server is missing the tests say so loudly and skip, except under CI
//! (`O365_CI=1`, set by scripts/test.sh), where scripts/setup.sh installs it and its
//! absence is a failure. Also: children of the test binary (the same binary re-run with
//! `O365_LIMITER_CHILD` set), for the tests that need several processes.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub mod topology;

pub struct RedisServer {
    child: Option<Child>,
    dir: tempfile::TempDir,
    /// The plain port (the tests' own commands use it).
    pub port: u16,
    password: Option<String>,
    /// TLS: the port clients use, and the CA that signed the server's certificate.
    tls_port: Option<u16>,
    pub ca_file: Option<PathBuf>,
    /// More `redis-server` arguments (cluster mode, replication).
    args: Vec<String>,
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("free port").local_addr().expect("addr").port()
}

pub fn binary() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path).chain([PathBuf::from("/usr/bin"), PathBuf::from("/usr/sbin")]).map(|d| d.join("redis-server")).find(|p| p.is_file())
}

impl RedisServer {
    /// A fresh Redis, or `None` (after a loud message) where none can run outside CI.
    pub fn start() -> Option<RedisServer> {
        Self::start_with(None)
    }

    /// Whether redis-server can run here; panics under CI when it cannot, else says
    /// loudly that the test is skipped.
    pub fn available() -> bool {
        // The test's own HTTP clients (the emulator's API) need the process's rustls
        // provider, which the sender installs only on its first send.
        let _ = rustls::crypto::ring::default_provider().install_default();
        if binary().is_some() {
            return true;
        }
        let msg = "redis-server is not installed: the shared-limiter tests need it (scripts/setup.sh installs it; apt-get install redis-server)";
        if std::env::var("O365_CI").as_deref() == Ok("1") {
            panic!("{msg}");
        }
        eprintln!("\n\n*** SKIPPED: {msg} ***\n");
        false
    }

    /// A Redis that requires `password` (AUTH).
    pub fn start_with(password: Option<&str>) -> Option<RedisServer> {
        if !Self::available() {
            return None;
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let mut r = RedisServer { child: None, dir, port: free_port(), password: password.map(str::to_string), tls_port: None, ca_file: None, args: Vec::new() };
        r.launch();
        Some(r)
    }

    /// A Redis that also listens with TLS, its certificate (for 127.0.0.1) signed by a
    /// CA made for it (`ca_file`).
    pub fn start_tls() -> Option<RedisServer> {
        if !Self::available() {
            return None;
        }
        let dir = tempfile::tempdir().expect("temp dir");
        write_certificates(dir.path());
        let ca_file = Some(dir.path().join("ca.pem"));
        let mut r = RedisServer { child: None, dir, port: free_port(), password: None, tls_port: Some(free_port()), ca_file, args: Vec::new() };
        r.launch();
        Some(r)
    }

    /// A Redis started with `args` added (e.g. `--cluster-enabled yes`).
    pub fn start_args(args: &[String]) -> Option<RedisServer> {
        if !Self::available() {
            return None;
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let mut r = RedisServer { child: None, dir, port: free_port(), password: None, tls_port: None, ca_file: None, args: args.to_vec() };
        r.launch();
        Some(r)
    }

    /// The server's own directory (its config files).
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    fn launch(&mut self) {
        let mut cmd = Command::new(binary().expect("redis-server"));
        cmd.args(["--port", &self.port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"])
            .args(["--loglevel", "warning", "--protected-mode", "no"])
            .arg("--dir")
            .arg(self.dir.path());
        if let Some(p) = &self.password {
            cmd.args(["--requirepass", p]);
        }
        cmd.args(&self.args);
        if let Some(tls) = self.tls_port {
            let file = |name: &str| self.dir.path().join(name);
            cmd.args(["--tls-port", &tls.to_string(), "--tls-auth-clients", "no"])
                .arg("--tls-cert-file")
                .arg(file("server.pem"))
                .arg("--tls-key-file")
                .arg(file("server.key"))
                .arg("--tls-ca-cert-file")
                .arg(file("ca.pem"));
        }
        let child = cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("redis-server starts");
        self.child = Some(child);
        let until = Instant::now() + Duration::from_secs(10);
        while Instant::now() < until {
            if self.command(&["PING"]).is_some_and(|r| r.contains("PONG")) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("redis-server did not answer on port {}", self.port);
    }

    /// `redis://[:password@]127.0.0.1:port/0` (`rediss://` and the TLS port with TLS).
    pub fn url(&self) -> String {
        if let Some(tls) = self.tls_port {
            return format!("rediss://127.0.0.1:{tls}/0");
        }
        match &self.password {
            Some(p) => format!("redis://:{p}@127.0.0.1:{}/0", self.port),
            None => format!("redis://127.0.0.1:{}/0", self.port),
        }
    }

    /// Starts it again on the same port, empty.
    pub fn restart(&mut self) {
        self.stop();
        self.launch();
    }

    /// Kills the server (Redis down mid-run).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Freezes (SIGSTOP) or resumes (SIGCONT) the server: alive but silent, like a
    /// replica stuck behind a network partition.
    pub fn freeze(&self, frozen: bool) {
        let pid = self.child.as_ref().expect("running").id().to_string();
        let signal = if frozen { "-STOP" } else { "-CONT" };
        assert!(Command::new("kill").args([signal, &pid]).status().is_ok_and(|s| s.success()), "kill {signal}");
    }

    /// One command over a fresh connection, its raw RESP answer (None: no server).
    pub fn command(&self, args: &[&str]) -> Option<String> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        let mut out = String::new();
        let mut all: Vec<&str> = Vec::new();
        if let Some(p) = &self.password {
            all.extend(["AUTH", p.as_str()]);
            out.push_str(&resp(&all));
            all.clear();
        }
        all.extend_from_slice(args);
        out.push_str(&resp(&all));
        s.write_all(out.as_bytes()).ok()?;
        let mut r = BufReader::new(s);
        if self.password.is_some() {
            read_reply(&mut r)?;
        }
        read_reply(&mut r)
    }

    /// A MONITOR connection: sees every command as the server runs it.
    pub fn monitor(&self) -> Monitor {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        let mut all = String::new();
        if let Some(p) = &self.password {
            all.push_str(&resp(&["AUTH", p]));
        }
        all.push_str(&resp(&["MONITOR"]));
        s.write_all(all.as_bytes()).expect("MONITOR");
        let mut r = BufReader::new(s);
        for _ in 0..(1 + usize::from(self.password.is_some())) {
            assert_eq!(read_reply(&mut r).as_deref(), Some("OK"));
        }
        Monitor { r }
    }
}

pub struct Monitor {
    r: BufReader<TcpStream>,
}

impl Monitor {
    /// The commands clients sent (not those scripts ran: MONITOR marks them `[0 lua]`),
    /// as lowercase names, until the connection is quiet for 300 ms.
    pub fn client_commands(&mut self) -> Vec<String> {
        self.r.get_ref().set_read_timeout(Some(Duration::from_millis(300))).expect("timeout");
        let mut out = Vec::new();
        let mut line = String::new();
        while self.r.read_line(&mut line).is_ok_and(|n| n > 0) {
            // +1796305088.257000 [0 127.0.0.1:4242] "evalsha" "..." ...
            if !line.contains(" lua]") {
                if let Some(cmd) = line.split('"').nth(1) {
                    out.push(cmd.to_lowercase());
                }
            }
            line.clear();
        }
        out
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// ca.pem, and server.pem / server.key for 127.0.0.1 signed by it.
fn write_certificates(dir: &std::path::Path) {
    let pki = crate::common::test_ca::loopback();
    std::fs::write(dir.join("ca.pem"), &pki.ca_pem).expect("write");
    std::fs::write(dir.join("server.pem"), &pki.cert_pem).expect("write");
    std::fs::write(dir.join("server.key"), &pki.key_pem).expect("write");
}

fn resp(args: &[&str]) -> String {
    let mut s = format!("*{}\r\n", args.len());
    for a in args {
        s.push_str(&format!("${}\r\n{a}\r\n", a.len()));
    }
    s
}

/// Reads one RESP reply, flattened to text.
fn read_reply(r: &mut impl BufRead) -> Option<String> {
    let mut line = String::new();
    r.read_line(&mut line).ok()?;
    let body = line.get(1..)?.trim_end().to_string();
    match line.as_bytes().first()? {
        b'+' | b'-' | b':' => Some(body),
        b'$' => {
            let n: i64 = body.parse().ok()?;
            if n < 0 {
                return Some(String::new());
            }
            let mut buf = vec![0u8; n as usize + 2];
            std::io::Read::read_exact(r, &mut buf).ok()?;
            Some(String::from_utf8_lossy(&buf[..n as usize]).into_owned())
        }
        b'*' => {
            let n: i64 = body.parse().ok()?;
            let mut parts = Vec::new();
            for _ in 0..n.max(0) {
                parts.push(read_reply(r)?);
            }
            Some(parts.join("\n"))
        }
        _ => None,
    }
}

/// The environment variable that makes the test binary run a child scenario.
pub const CHILD: &str = "O365_LIMITER_CHILD";

/// Starts this test binary as a child running `scenario` (see the test file's
/// `child_process` entry), with `env` set.
pub fn spawn_child(scenario: &str, env: &[(&str, String)]) -> Child {
    let exe = std::env::current_exe().expect("test binary");
    let mut cmd = Command::new(exe);
    cmd.args(["child_process", "--exact", "--nocapture", "--test-threads=1"]).env(CHILD, scenario);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().expect("child starts")
}

/// Runs the child `scenario` in a process of its own (with `env`) and checks that it
/// passed; nothing where redis-server cannot run (see [`RedisServer::available`]).
pub fn run_scenario(scenario: &str, env: &[(&str, String)]) {
    if RedisServer::available() {
        finish(spawn_child(scenario, env), &format!("{scenario} scenario"));
    }
}

/// Waits for a child and returns its stdout; panics when it failed.
pub fn finish(child: Child, what: &str) -> String {
    let out = child.wait_with_output().expect("child ends");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{what} failed ({}):\n{stdout}", out.status);
    stdout
}
