//! Copse's database migrations. One file per change; each runs unchanged on SQLite and
//! PostgreSQL because it is written with sea-query's portable schema builder.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_accounts;
mod m20261122_000002_groups_and_audit;
mod m20261122_000003_idempotency_keys;
mod m20261122_000004_discussions;
mod m20261122_000005_library;
mod m20261130_000006_profiles;
mod m20261201_000007_events;
mod m20261201_000008_api_keys;
mod m20261201_000009_partner_sync;
mod m20261201_000010_webhooks;
mod m20261201_000011_stamp_own_row;
mod m20261201_000012_member_search;
mod m20261201_000013_member_activity;
mod m20261201_000014_member_search_sort;
mod m20261207_000015_changes_when_content_moved;

/// Applies every migration in order.
#[derive(Debug)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_accounts::Migration),
            Box::new(m20261122_000002_groups_and_audit::Migration),
            Box::new(m20261122_000003_idempotency_keys::Migration),
            Box::new(m20261122_000004_discussions::Migration),
            Box::new(m20261122_000005_library::Migration),
            Box::new(m20261130_000006_profiles::Migration),
            Box::new(m20261201_000007_events::Migration),
            Box::new(m20261201_000008_api_keys::Migration),
            Box::new(m20261201_000009_partner_sync::Migration),
            Box::new(m20261201_000010_webhooks::Migration),
            Box::new(m20261201_000011_stamp_own_row::Migration),
            Box::new(m20261201_000012_member_search::Migration),
            Box::new(m20261201_000013_member_activity::Migration),
            Box::new(m20261201_000014_member_search_sort::Migration),
            Box::new(m20261207_000015_changes_when_content_moved::Migration),
        ]
    }
}

/// The tables whose changes partners read (`GET /api/v1/changes`), each with its columns
/// in three lists: content (a change is recorded), ignored (counters and caches), and
/// the rest (set at creation or moving only with a content column). A test compares
/// them with the schema, so a new column is placed in one of them on purpose.
pub fn change_feed_columns() -> Vec<(&'static str, [&'static [&'static str]; 3])> {
    m20261201_000009_partner_sync::WATCHED.iter().map(|w| (w.table, [w.content, w.ignored, w.follows])).collect()
}

/// Runs raw statements in order, the SQLite list or the PostgreSQL one by the
/// connection's backend: for triggers, full-text tables and extensions, which the
/// portable schema builder cannot express.
///
/// They run in one transaction, so on one connection: SQLite checks a new trigger's
/// name against the schema its connection last read, and a pool could prepare
/// `CREATE TRIGGER t` on a connection that has not seen `DROP TRIGGER t` yet ("trigger
/// already exists"). It also makes the change all or nothing.
async fn raw(manager: &SchemaManager<'_>, sqlite: &[&str], postgres: &[&str]) -> Result<(), DbErr> {
    use sea_orm_migration::sea_orm::{
        ConnectionTrait, DbBackend, SqliteTransactionMode, TransactionOptions, TransactionTrait,
    };
    let statements = match manager.get_database_backend() {
        DbBackend::Postgres => postgres,
        _ => sqlite,
    };
    // BEGIN IMMEDIATE on SQLite, as every transaction of the server (`db::begin`).
    let options = TransactionOptions {
        isolation_level: None,
        access_mode: None,
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
    };
    let txn = manager.get_connection().begin_with_options(options).await?;
    for statement in statements {
        txn.execute_unprepared(statement).await?;
    }
    txn.commit().await
}
