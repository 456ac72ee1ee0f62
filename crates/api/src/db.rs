//! Database connection: SQLite by default (created on demand, WAL, foreign keys on),
//! PostgreSQL when the URL says so; migrations are applied at start.

use std::time::Duration;

use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::SqliteJournalMode;
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbErr, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};

use crate::config::Settings;

/// Connects to the configured database and applies pending migrations.
pub async fn connect_and_migrate(settings: &Settings) -> anyhow::Result<DatabaseConnection> {
    let db = connect(settings).await?;
    Migrator::up(&db, None).await.context("applying database migrations failed")?;
    Ok(db)
}

/// Connects without migrating.
pub async fn connect(settings: &Settings) -> anyhow::Result<DatabaseConnection> {
    let url = settings.effective_database_url();
    let is_sqlite = url.starts_with("sqlite:");
    if !is_sqlite && !url.starts_with("postgres://") && !url.starts_with("postgresql://") {
        anyhow::bail!("unsupported database URL scheme in {}: use sqlite:// or postgres://", redact(&url));
    }
    if is_sqlite && settings.database_url.is_none() {
        std::fs::create_dir_all(&settings.data_dir)
            .with_context(|| format!("cannot create the data directory {}", settings.data_dir.display()))?;
    }
    let mut options = ConnectOptions::new(url.clone());
    options
        .max_connections(settings.db_pool)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5))
        .sqlx_logging(false);
    if is_sqlite {
        options.map_sqlx_sqlite_opts(|opts| {
            opts.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5))
        });
    }
    Database::connect(options).await.with_context(|| format!("cannot open the database {}", redact(&url)))
}

/// Starts a transaction, the only way services do. On SQLite it takes the write lock
/// at once (`BEGIN IMMEDIATE`): a deferred transaction that reads before it writes
/// fails at once with "database is locked" when another connection committed in
/// between (a stale snapshot cannot be upgraded, so the busy timeout does not help),
/// which background writers such as the webhook outbox make likely. PostgreSQL ignores
/// the mode. Clippy refuses `TransactionTrait::begin` elsewhere (`clippy.toml`).
pub async fn begin(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    #[allow(clippy::disallowed_methods)]
    let options = TransactionOptions {
        isolation_level: None,
        access_mode: None,
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
    };
    db.begin_with_options(options).await
}

/// Hides a password in a database URL before it reaches a log or an error message.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.find(':') {
                Some(colon) => format!("{}{}:***{}", &url[..scheme_end + 3], &credentials[..colon], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_in_database_urls_are_redacted() {
        assert_eq!(redact("postgres://copse:hunter2@db:5432/copse"), "postgres://copse:***@db:5432/copse");
        assert_eq!(redact("sqlite://./data/copse.db"), "sqlite://./data/copse.db");
        assert_eq!(redact("postgres://postgres@localhost/x"), "postgres://postgres@localhost/x");
    }
}
