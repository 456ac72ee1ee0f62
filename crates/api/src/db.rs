//! Database connection: SQLite by default (created on demand, WAL, foreign keys on),
//! PostgreSQL when the URL says so; migrations are applied at start. On SQLite,
//! transactions run on a one-connection writer pool per database file, so writers
//! wait in a fair queue instead of polling SQLite's lock.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{LazyLock, Mutex};
use std::time::Duration;

use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::SqliteJournalMode;
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, SqliteTransactionMode,
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
    let cache = format!("-{}", settings.sqlite_cache_kib.max(64));
    let open = |pool_size: u32| {
        let mut options = ConnectOptions::new(url.clone());
        options
            .max_connections(pool_size)
            .min_connections(1)
            .connect_timeout(Duration::from_secs(5))
            .acquire_timeout(Duration::from_secs(5))
            // A connection is pinged before use only after a second unused: a hot one
            // goes straight to its statement. Pinging on every acquire (the default)
            // doubled the round trips of every statement outside a transaction; a
            // connection that sat idle is the one a restart or a firewall may have cut.
            .test_before_acquire_if_idle_for(Duration::from_secs(1))
            .sqlx_logging(false);
        if is_sqlite {
            let cache = cache.clone();
            options.map_sqlx_sqlite_opts(move |opts| {
                opts.create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(5))
                    .pragma("cache_size", cache.clone())
            });
        }
        Database::connect(options)
    };
    let cores = std::thread::available_parallelism().map_or(2, |n| u32::try_from(n.get()).unwrap_or(2));
    let pool = settings.db_pool.unwrap_or(if is_sqlite { (2 * cores).clamp(2, 16) } else { 10 }).max(1);
    let db = open(pool).await.with_context(|| format!("cannot open the database {}", redact(&url)))?;
    if let Some(file) = sqlite_file(&db) {
        let mut writer = open(1).await.with_context(|| format!("cannot open the database {}", redact(&url)))?;
        // Statements in transactions count towards the request's total like any other
        // (only when counting is on: the callback times every statement).
        if settings.expose_sql_count {
            crate::sqlcount::instrument(&mut writer);
        }
        writers().insert(file, writer);
    }
    Ok(db)
}

/// SQLite's writer pools (one connection each), by database file. SQLite lets one
/// connection write at a time; when several try, the losers sleep in SQLite's busy
/// handler (1, 2, 5, 10 ... 100 ms steps) and wake late or starve, which gave replies
/// a p99 of 560 ms with 8 writers. Waiting for the single writer connection instead
/// queues them fairly (the pool's acquire is first come, first served) and wakes
/// each one as soon as the previous commits. Keyed by file because the lock is the
/// file's; a process can hold several databases (tests, `seed-bench`).
fn writers() -> std::sync::MutexGuard<'static, HashMap<PathBuf, DatabaseConnection>> {
    static WRITERS: LazyLock<Mutex<HashMap<PathBuf, DatabaseConnection>>> = LazyLock::new(Default::default);
    WRITERS.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The file behind a SQLite connection, `None` for PostgreSQL and in-memory databases
/// (a second pool on `:memory:` would be a second, empty database).
fn sqlite_file(db: &DatabaseConnection) -> Option<PathBuf> {
    if db.get_database_backend() != DbBackend::Sqlite {
        return None;
    }
    let options = db.get_sqlite_connection_pool().connect_options();
    let file = options.get_filename();
    let in_memory = file.as_os_str().is_empty()
        || file == std::path::Path::new(":memory:")
        || file.to_string_lossy().starts_with("file:sqlx-in-memory");
    (!in_memory).then(|| file.to_path_buf())
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
    let writer = sqlite_file(db).and_then(|file| writers().get(&file).cloned());
    match writer {
        Some(writer) => writer.begin_with_options(options).await,
        None => db.begin_with_options(options).await,
    }
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
