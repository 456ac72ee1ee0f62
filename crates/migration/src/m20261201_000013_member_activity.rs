//! The directory's "most active" order: one row per member with a visible
//! contribution, holding how many topics, replies and library items they have in the
//! community or in public groups. Counting them per request took 26 s with 20 000
//! members and a million replies; a background job now counts once every few
//! minutes (`services::profiles::ranking`), as Discourse's directory does.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE TABLE member_activity (
                   user_id varchar(36) PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
                   score bigint NOT NULL)",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared("DROP TABLE member_activity").await?;
        Ok(())
    }
}
