//! The sync-server binary: parse the command line, run it, report failure in words.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match sync_server::cli::run(sync_server::cli::Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sync-server: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
