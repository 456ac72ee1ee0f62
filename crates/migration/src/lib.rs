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
        ]
    }
}
