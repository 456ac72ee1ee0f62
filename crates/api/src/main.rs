//! The `copse` binary: parses the command line and hands over to the library.

use std::process::ExitCode;

use clap::Parser;

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
