//! What each subcommand does.

use std::io::{BufRead, Write};

use anyhow::Context;

use crate::config::{Cli, Command, Settings};
use crate::services::accounts;
use crate::{Application, db, openapi, seed};

/// Logs to standard error with a `tracing` filter (tests call it when `COPSE_TEST_LOG`
/// is set; a second call does nothing).
pub fn init_tracing(filter: &str) {
    let filter =
        tracing_subscriber::EnvFilter::try_new(filter).unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .try_init();
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = cli.settings;
    init_tracing(&settings.log);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings).await,
        Command::Migrate => {
            db::connect_and_migrate(&settings).await?;
            eprintln!("copse: migrations applied to {}", db::redact(&settings.effective_database_url()));
            Ok(())
        }
        Command::CreateAdmin { email, name } => create_admin(settings, &email, &name).await,
        Command::Openapi => {
            let mut out = std::io::stdout().lock();
            out.write_all(openapi::spec_json().as_bytes())?;
            Ok(())
        }
        Command::SeedDemo => {
            let db = db::connect_and_migrate(&settings).await?;
            let report = seed::demo(&db).await?;
            eprintln!("{report}");
            eprintln!("copse: {}", seed::library(&db, &settings).await?);
            eprintln!("copse: {}", seed::events::events(&db).await?);
            Ok(())
        }
        Command::SeedBench { members, topics, replies, groups, items, events, seed } => {
            let db = db::connect_and_migrate(&settings).await?;
            let options = seed::bench::BenchOptions { members, topics, replies, groups, items, events, seed };
            let report = seed::bench::generate(&db, &options).await?;
            eprintln!("{}", report.summary());
            Ok(())
        }
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let web_dir = settings.web_dir.clone();
    let app = Application::build(settings).await?;
    if !web_dir.join("index.html").is_file() {
        tracing::warn!(web_dir = %web_dir.display(), "the SPA is not built; serving the API only");
    }
    // Scripts (xtask, tests, benchmarks) read this line to learn the port.
    let mut out = std::io::stdout().lock();
    writeln!(out, "copse listening on {}", app.base_url())?;
    out.flush()?;
    drop(out);
    app.run_until_stopped().await.context("the server stopped with an error")
}

async fn create_admin(settings: Settings, email: &str, name: &str) -> anyhow::Result<()> {
    // The password comes from standard input, never from argv, where other users of
    // the machine could read it in the process list.
    eprintln!("Password for {email} (at least {} characters), then Enter:", copse_shared::MIN_PASSWORD_LEN);
    let mut password = String::new();
    std::io::stdin().lock().read_line(&mut password).context("cannot read the password from standard input")?;
    let password = password.trim_end_matches(['\r', '\n']).to_owned();
    let db = db::connect_and_migrate(&settings).await?;
    match accounts::create_admin(&db, email, name, password).await {
        Ok(user) => {
            eprintln!("copse: admin {} created ({})", user.email, user.id);
            Ok(())
        }
        Err(error) => {
            let problem = error.problem();
            let details: Vec<String> = problem.errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
            anyhow::bail!("{} {}", problem.detail.unwrap_or(problem.title), details.join("; "))
        }
    }
}
