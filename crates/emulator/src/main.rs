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
    let emulator = o365_emulator::Emulator::start(config)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", emulator.base_url())?;
    out.flush()?;
    drop(out);
    wait_for_exit(cli.exit_on_stdin_eof)?;
    emulator.stop();
    Ok(())
}

/// Blocks until a signal arrives or, if asked, stdin closes.
fn wait_for_exit(stdin_eof: bool) -> std::io::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let (eof_tx, eof_rx) = tokio::sync::oneshot::channel::<()>();
    if stdin_eof {
        std::thread::spawn(move || {
            let mut sink = [0u8; 4096];
            let mut stdin = std::io::stdin().lock();
            while matches!(std::io::Read::read(&mut stdin, &mut sink), Ok(n) if n > 0) {}
            let _ = eof_tx.send(());
        });
    }
    rt.block_on(async move {
        let eof = async move {
            if stdin_eof { let _ = eof_rx.await; } else { std::future::pending::<()>().await; }
        };
        #[cfg(unix)]
        {
            let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
                _ = eof => {}
            }
        }
        #[cfg(not(unix))]
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = eof => {}
        }
        Ok(())
    })
}
