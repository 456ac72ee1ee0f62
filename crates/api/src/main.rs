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
    // No transparent huge pages for this process. mimalloc reserves its memory in
    // large regions, and with huge pages every touched 2 MiB stayed resident whole:
    // measured on the benchmark data under read load (SQLite, 32 connections), RSS
    // 86-91 MiB with them and 58-61 MiB without, throughput unchanged. The `no_thp`
    // feature stops mimalloc asking for them; this also covers kernels set to give
    // them unasked (`always`) and the C library's heap that SQLite uses. A kernel
    // without the call only loses the saving.
    #[cfg(target_os = "linux")]
    let _ = nix::sys::prctl::set_thp_disable(true);
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
