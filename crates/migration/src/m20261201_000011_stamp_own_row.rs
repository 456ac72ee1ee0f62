//! PostgreSQL: each deferred firing of the change-log stamp numbers only its own row.
//!
//! The first version looked for every unstamped row of the transaction at each firing,
//! scanning the partial index of unstamped rows, dead entries included: with autovacuum
//! behind, a bulk write cost milliseconds per row (the benchmark seed found it). The
//! firings run at commit, in insertion order, all under the advisory lock taken by the
//! first, so numbering one row per firing keeps positions in commit order. SQLite has
//! no stamp (its trigger numbers rows at insert): nothing to do there.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const OWN_ROW: &str = "CREATE OR REPLACE FUNCTION changes_stamp() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM pg_advisory_xact_lock(7366517);
  UPDATE changes SET pos = nextval('changes_pos') WHERE seq = NEW.seq AND pos IS NULL;
  RETURN NULL;
END $fn$";

const EVERY_ROW: &str = "CREATE OR REPLACE FUNCTION changes_stamp() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE r record;
BEGIN
  PERFORM pg_advisory_xact_lock(7366517);
  FOR r IN SELECT seq FROM changes WHERE pos IS NULL ORDER BY seq LOOP
    UPDATE changes SET pos = nextval('changes_pos') WHERE seq = r.seq;
  END LOOP;
  RETURN NULL;
END $fn$";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            manager.get_connection().execute_unprepared(OWN_ROW).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            manager.get_connection().execute_unprepared(EVERY_ROW).await?;
        }
        Ok(())
    }
}
