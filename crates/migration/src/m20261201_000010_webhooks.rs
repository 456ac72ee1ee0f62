//! Outgoing webhooks: endpoints registered by admins, a durable outbox of deliveries
//! with every attempt logged, and the dispatcher's position in the change log.
//!
//! Deliveries are made from the change log (`changes`), not from request handlers: a
//! write commits its change row with it, the dispatcher turns committed changes into
//! delivery rows and moves its position in one transaction, and the sender works
//! through due deliveries. So nothing acknowledged is lost across restarts, and a slow
//! partner never slows the request that caused the event.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Webhooks {
    Table,
    Id,
    Url,
    Description,
    Events,
    Secret,
    PreviousSecret,
    PreviousValidUntil,
    Active,
    FromPos,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum WebhookDeliveries {
    Table,
    Id,
    WebhookId,
    EventId,
    EventType,
    Payload,
    Status,
    Attempts,
    NextAttemptAt,
    CreatedAt,
    DeliveredAt,
}

#[derive(DeriveIden)]
enum WebhookAttempts {
    Table,
    DeliveryId,
    Number,
    At,
    StatusCode,
    ErrorKind,
    Error,
    DurationMs,
    ResponseExcerpt,
}

#[derive(DeriveIden)]
enum WebhookDispatch {
    Table,
    Id,
    Pos,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Webhooks::Table)
                    .col(ColumnDef::new(Webhooks::Id).string_len(36).not_null().primary_key())
                    .col(ColumnDef::new(Webhooks::Url).string_len(2000).not_null())
                    .col(ColumnDef::new(Webhooks::Description).string_len(200).not_null())
                    .col(ColumnDef::new(Webhooks::Events).string_len(1000).not_null())
                    // The secret must be kept readable to sign with (an HMAC key).
                    .col(ColumnDef::new(Webhooks::Secret).string_len(100).not_null())
                    .col(ColumnDef::new(Webhooks::PreviousSecret).string_len(100).null())
                    .col(ColumnDef::new(Webhooks::PreviousValidUntil).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(Webhooks::Active).boolean().not_null())
                    // Changes at or below this position predate the endpoint.
                    .col(ColumnDef::new(Webhooks::FromPos).big_integer().not_null())
                    .col(ColumnDef::new(Webhooks::CreatedBy).string_len(36).null())
                    .col(ColumnDef::new(Webhooks::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Webhooks::UpdatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhooks_user")
                            .from(Webhooks::Table, Webhooks::CreatedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookDeliveries::Table)
                    .col(ColumnDef::new(WebhookDeliveries::Id).string_len(36).not_null().primary_key())
                    .col(ColumnDef::new(WebhookDeliveries::WebhookId).string_len(36).not_null())
                    .col(ColumnDef::new(WebhookDeliveries::EventId).string_len(64).not_null())
                    .col(ColumnDef::new(WebhookDeliveries::EventType).string_len(40).not_null())
                    .col(ColumnDef::new(WebhookDeliveries::Payload).text().not_null())
                    .col(ColumnDef::new(WebhookDeliveries::Status).string_len(16).not_null())
                    .col(ColumnDef::new(WebhookDeliveries::Attempts).integer().not_null())
                    .col(ColumnDef::new(WebhookDeliveries::NextAttemptAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(WebhookDeliveries::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(WebhookDeliveries::DeliveredAt).timestamp_with_time_zone().null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhook_deliveries_webhook")
                            .from(WebhookDeliveries::Table, WebhookDeliveries::WebhookId)
                            .to(Webhooks::Table, Webhooks::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_webhook_deliveries_due")
                    .table(WebhookDeliveries::Table)
                    .col(WebhookDeliveries::Status)
                    .col(WebhookDeliveries::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_webhook_deliveries_log")
                    .table(WebhookDeliveries::Table)
                    .col(WebhookDeliveries::WebhookId)
                    .col(WebhookDeliveries::CreatedAt)
                    .col(WebhookDeliveries::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookAttempts::Table)
                    .col(ColumnDef::new(WebhookAttempts::DeliveryId).string_len(36).not_null())
                    .col(ColumnDef::new(WebhookAttempts::Number).integer().not_null())
                    .col(ColumnDef::new(WebhookAttempts::At).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(WebhookAttempts::StatusCode).integer().null())
                    .col(ColumnDef::new(WebhookAttempts::ErrorKind).string_len(32).null())
                    .col(ColumnDef::new(WebhookAttempts::Error).string_len(600).null())
                    .col(ColumnDef::new(WebhookAttempts::DurationMs).big_integer().not_null())
                    .col(ColumnDef::new(WebhookAttempts::ResponseExcerpt).text().not_null())
                    .primary_key(Index::create().col(WebhookAttempts::DeliveryId).col(WebhookAttempts::Number))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhook_attempts_delivery")
                            .from(WebhookAttempts::Table, WebhookAttempts::DeliveryId)
                            .to(WebhookDeliveries::Table, WebhookDeliveries::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookDispatch::Table)
                    .col(ColumnDef::new(WebhookDispatch::Id).integer().not_null().primary_key())
                    .col(ColumnDef::new(WebhookDispatch::Pos).big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        // One row: the last change turned into deliveries (none yet).
        let mut insert = Query::insert();
        insert
            .into_table(WebhookDispatch::Table)
            .columns([WebhookDispatch::Id, WebhookDispatch::Pos])
            .values([1.into(), 0.into()])
            .map_err(|e| DbErr::Custom(e.to_string()))?;
        manager.exec_stmt(insert.to_owned()).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(WebhookDispatch::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(WebhookAttempts::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(WebhookDeliveries::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Webhooks::Table).to_owned()).await?;
        Ok(())
    }
}
