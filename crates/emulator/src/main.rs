//! The `o365-emulator` binary: parse flags, start, print the base URL as the first
//! stdout line, serve until SIGINT/SIGTERM or (with --exit-on-stdin-eof) stdin EOF.

use clap::Parser;
use std::io::Write;

fn main() -> std::process::ExitCode {
    let cli = o365_emulator::cli::Cli::parse();
    match run(&cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("o365-emulator: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(cli: &o365_emulator::cli::Cli) -> std::io::Result<()> {
    let config = cli.to_config()?;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    // Signal handlers go in before the URL is printed: a harness may send SIGTERM as
    // soon as it has read the URL, and that must be a clean exit, not a kill.
    let signals = {
        let _guard = rt.enter();
        Signals::install()?
    };
    let emulator = o365_emulator::Emulator::start(config)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", emulator.base_url())?;
    out.flush()?;
    drop(out);
    rt.block_on(wait_for_exit(signals, cli.exit_on_stdin_eof));
    emulator.stop();
    Ok(())
}

#[cfg(unix)]
struct Signals {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    fn install() -> std::io::Result<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals { term: signal(SignalKind::terminate())?, int: signal(SignalKind::interrupt())? })
    }

    async fn recv(&mut self) {
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.int.recv() => {}
        }
    }
}

#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn install() -> std::io::Result<Signals> {
        Ok(Signals)
    }

    async fn recv(&mut self) {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Waits for a signal or, if asked, for stdin to close.
async fn wait_for_exit(mut signals: Signals, stdin_eof: bool) {
    let (eof_tx, eof_rx) = tokio::sync::oneshot::channel::<()>();
    if stdin_eof {
        std::thread::spawn(move || {
            let mut sink = [0u8; 4096];
            let mut stdin = std::io::stdin().lock();
            while matches!(std::io::Read::read(&mut stdin, &mut sink), Ok(n) if n > 0) {}
            let _ = eof_tx.send(());
        });
    }
    let eof = async move {
        if stdin_eof {
            let _ = eof_rx.await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        _ = signals.recv() => {}
        _ = eof => {}
    }
}
