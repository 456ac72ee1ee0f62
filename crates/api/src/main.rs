//! The `copse` binary: parses the command line and hands over to the library.

use std::process::ExitCode;

use clap::Parser;

/// mimalloc instead of glibc's allocator: glibc keeps freed memory in per-thread arenas
/// (the server held 900 MiB after a burst of logins, each hash needing 19 MiB on some
/// blocking thread), while mimalloc gives unused pages back to the system.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = copse::config::Cli::parse();
    match copse::cli::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // A clear, single message for the operator; never a panic or a backtrace.
            eprintln!("copse: error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
