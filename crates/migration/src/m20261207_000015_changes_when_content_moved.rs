//! PostgreSQL: the change log's update triggers fire only when a content column moved,
//! the same rule SQLite's triggers have had from the start (migration 9).
//!
//! Why: every reply updates its topic's counters (`reply_count`, `last_activity_at`,
//! `excerpt`), and the first version ran the trigger function on each of those updates
//! to compare the whole old and new rows as `jsonb` minus the ignored columns. Measured
//! with `pgbench -c 8` on the benchmark data, a reply's raw SQL (update the topic,
//! insert the numbered post, commit) reached 540 transactions/s with that trigger and
//! 627 without it. A `WHEN` clause on the content columns is evaluated by PostgreSQL
//! itself, before any function call, so a counter update costs a few comparisons.
//!
//! What a partner sees does not change: an update of ignored columns recorded nothing
//! before and records nothing now. One difference in principle, now shared by both
//! databases: a column added to a watched table later is part of the feed only once it
//! is listed in `WATCHED` (a test in `tests/tests/partners.rs` lists every column of the
//! watched tables as content, ignored, or fixed at creation, so it cannot be forgotten).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::m20261201_000009_partner_sync::{WATCHED, live, moved, postgres_function, postgres_triggers};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn up_statements() -> Vec<String> {
    WATCHED
        .iter()
        .flat_map(|w| {
            let (old_live, new_live) = (live("OLD", w.hideable), live("NEW", w.hideable));
            [
                format!("DROP TRIGGER changes_{t} ON {t}", t = w.table),
                postgres_function(w, false),
                format!(
                    "CREATE TRIGGER changes_{t} AFTER INSERT OR DELETE ON {t} \
                     FOR EACH ROW EXECUTE FUNCTION changes_{t}()",
                    t = w.table
                ),
                format!(
                    "CREATE TRIGGER changes_{t}_update AFTER UPDATE ON {t} FOR EACH ROW \
                     WHEN (({old_live} OR {new_live}) AND ({moved})) EXECUTE FUNCTION changes_{t}()",
                    t = w.table,
                    moved = moved(w, "IS DISTINCT FROM"),
                ),
            ]
        })
        .collect()
}

fn down_statements() -> Vec<String> {
    WATCHED
        .iter()
        .flat_map(|w| {
            let drops = [
                format!("DROP TRIGGER changes_{t}_update ON {t}", t = w.table),
                format!("DROP TRIGGER changes_{t} ON {t}", t = w.table),
            ];
            drops.into_iter().chain(postgres_triggers(w))
        })
        .collect()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, up_statements()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, down_statements()).await
    }
}

/// PostgreSQL only, in one transaction (`crate::raw`); SQLite already has this rule.
async fn run(manager: &SchemaManager<'_>, statements: Vec<String>) -> Result<(), DbErr> {
    if manager.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let statements: Vec<&str> = statements.iter().map(String::as_str).collect();
    crate::raw(manager, &[], &statements).await
}
