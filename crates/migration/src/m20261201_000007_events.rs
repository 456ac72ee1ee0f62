//! Events: the series (a one-off event is a series of one), its organisers and tags,
//! its occurrences (materialised, since every series ends: lists, calendars, RSVPs and
//! reminders are then plain indexed queries), the answers per occurrence, the reminders
//! already sent (so delivery survives restarts without repeating), and personal feed
//! tokens (hashes only).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Groups {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Events {
    Table,
    Id,
    GroupId,
    CreatorId,
    Title,
    Description,
    DescriptionHtml,
    Format,
    TimeZone,
    AllDay,
    LocalStart,
    LocalEnd,
    StartsAt,
    EndsAt,
    Recurrence,
    Venue,
    OnlineUrl,
    LinkForGoingOnly,
    Capacity,
    RsvpDeadline,
    AttendeesPublic,
    Reminders,
    SeriesEnd,
    Sequence,
    CancelledAt,
    CreatedAt,
    UpdatedAt,
    DeletedAt,
}

#[derive(DeriveIden)]
enum EventOrganisers {
    Table,
    EventId,
    UserId,
    Position,
}

#[derive(DeriveIden)]
enum EventTags {
    Table,
    EventId,
    Tag,
}

#[derive(DeriveIden)]
enum EventOccurrences {
    Table,
    EventId,
    Key,
    StartsAt,
    EndsAt,
    Cancelled,
    Moved,
}

#[derive(DeriveIden)]
enum EventRsvps {
    Table,
    EventId,
    OccurrenceKey,
    UserId,
    Status,
    AnsweredAt,
}

#[derive(DeriveIden)]
enum EventRemindersSent {
    Table,
    EventId,
    OccurrenceKey,
    Minutes,
    SentAt,
}

#[derive(DeriveIden)]
enum FeedTokens {
    Table,
    UserId,
    TokenHash,
    CreatedAt,
}

fn cascade(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create().name(name).from(from.0, from.1).to(to.0, to.1).on_delete(ForeignKeyAction::Cascade).to_owned()
}

async fn index(manager: &SchemaManager<'_>, name: &str, table: impl IntoIden, cols: &[&str]) -> Result<(), DbErr> {
    let mut statement = Index::create();
    statement.name(name).table(table);
    for col in cols {
        statement.col(Alias::new(*col));
    }
    manager.create_index(statement.to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Events::Table)
                    .col(string_len(Events::Id, 36).primary_key())
                    .col(string_len_null(Events::GroupId, 36))
                    .col(string_len_null(Events::CreatorId, 36))
                    .col(string_len(Events::Title, 200))
                    .col(text(Events::Description))
                    .col(text(Events::DescriptionHtml))
                    .col(string_len(Events::Format, 16))
                    .col(string_len(Events::TimeZone, 64))
                    .col(boolean(Events::AllDay))
                    .col(string_len(Events::LocalStart, 19))
                    .col(string_len(Events::LocalEnd, 19))
                    .col(timestamp_with_time_zone(Events::StartsAt))
                    .col(timestamp_with_time_zone(Events::EndsAt))
                    .col(string_len_null(Events::Recurrence, 300))
                    .col(string_len_null(Events::Venue, 300))
                    .col(string_len_null(Events::OnlineUrl, 2000))
                    .col(boolean(Events::LinkForGoingOnly))
                    .col(integer_null(Events::Capacity))
                    .col(timestamp_with_time_zone_null(Events::RsvpDeadline))
                    .col(boolean(Events::AttendeesPublic))
                    .col(string_len(Events::Reminders, 64))
                    .col(timestamp_with_time_zone(Events::SeriesEnd))
                    .col(integer(Events::Sequence))
                    .col(timestamp_with_time_zone_null(Events::CancelledAt))
                    .col(timestamp_with_time_zone(Events::CreatedAt))
                    .col(timestamp_with_time_zone(Events::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Events::DeletedAt))
                    .foreign_key(&mut cascade(
                        "fk_events_group",
                        (Events::Table, Events::GroupId),
                        (Groups::Table, Groups::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        index(manager, "idx_events_group", Events::Table, &["group_id"]).await?;
        // Reminders look for series still running.
        index(manager, "idx_events_series_end", Events::Table, &["series_end"]).await?;

        manager
            .create_table(
                Table::create()
                    .table(EventOrganisers::Table)
                    .col(string_len(EventOrganisers::EventId, 36))
                    .col(string_len(EventOrganisers::UserId, 36))
                    .col(integer(EventOrganisers::Position))
                    .primary_key(Index::create().col(EventOrganisers::EventId).col(EventOrganisers::UserId))
                    .foreign_key(&mut cascade(
                        "fk_event_organisers_event",
                        (EventOrganisers::Table, EventOrganisers::EventId),
                        (Events::Table, Events::Id),
                    ))
                    .foreign_key(&mut cascade(
                        "fk_event_organisers_user",
                        (EventOrganisers::Table, EventOrganisers::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        index(manager, "idx_event_organisers_user", EventOrganisers::Table, &["user_id"]).await?;

        manager
            .create_table(
                Table::create()
                    .table(EventTags::Table)
                    .col(string_len(EventTags::EventId, 36))
                    .col(string_len(EventTags::Tag, 40))
                    .primary_key(Index::create().col(EventTags::EventId).col(EventTags::Tag))
                    .foreign_key(&mut cascade(
                        "fk_event_tags_event",
                        (EventTags::Table, EventTags::EventId),
                        (Events::Table, Events::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        index(manager, "idx_event_tags_tag", EventTags::Table, &["tag", "event_id"]).await?;

        manager
            .create_table(
                Table::create()
                    .table(EventOccurrences::Table)
                    .col(string_len(EventOccurrences::EventId, 36))
                    .col(string_len(EventOccurrences::Key, 16))
                    .col(timestamp_with_time_zone(EventOccurrences::StartsAt))
                    .col(timestamp_with_time_zone(EventOccurrences::EndsAt))
                    .col(boolean(EventOccurrences::Cancelled))
                    .col(boolean(EventOccurrences::Moved))
                    .primary_key(Index::create().col(EventOccurrences::EventId).col(EventOccurrences::Key))
                    .foreign_key(&mut cascade(
                        "fk_event_occurrences_event",
                        (EventOccurrences::Table, EventOccurrences::EventId),
                        (Events::Table, Events::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        // Upcoming lists and calendars walk occurrences by start (and end, for "not ended").
        index(manager, "idx_event_occurrences_start", EventOccurrences::Table, &["starts_at", "event_id", "key"])
            .await?;
        index(manager, "idx_event_occurrences_end", EventOccurrences::Table, &["ends_at", "event_id", "key"]).await?;

        manager
            .create_table(
                Table::create()
                    .table(EventRsvps::Table)
                    .col(string_len(EventRsvps::EventId, 36))
                    .col(string_len(EventRsvps::OccurrenceKey, 16))
                    .col(string_len(EventRsvps::UserId, 36))
                    .col(string_len(EventRsvps::Status, 16))
                    .col(timestamp_with_time_zone(EventRsvps::AnsweredAt))
                    .primary_key(
                        Index::create().col(EventRsvps::EventId).col(EventRsvps::OccurrenceKey).col(EventRsvps::UserId),
                    )
                    .foreign_key(&mut cascade(
                        "fk_event_rsvps_event",
                        (EventRsvps::Table, EventRsvps::EventId),
                        (Events::Table, Events::Id),
                    ))
                    .foreign_key(&mut cascade(
                        "fk_event_rsvps_user",
                        (EventRsvps::Table, EventRsvps::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        index(manager, "idx_event_rsvps_user", EventRsvps::Table, &["user_id", "status"]).await?;

        manager
            .create_table(
                Table::create()
                    .table(EventRemindersSent::Table)
                    .col(string_len(EventRemindersSent::EventId, 36))
                    .col(string_len(EventRemindersSent::OccurrenceKey, 16))
                    .col(integer(EventRemindersSent::Minutes))
                    .col(timestamp_with_time_zone(EventRemindersSent::SentAt))
                    .primary_key(
                        Index::create()
                            .col(EventRemindersSent::EventId)
                            .col(EventRemindersSent::OccurrenceKey)
                            .col(EventRemindersSent::Minutes),
                    )
                    .foreign_key(&mut cascade(
                        "fk_event_reminders_event",
                        (EventRemindersSent::Table, EventRemindersSent::EventId),
                        (Events::Table, Events::Id),
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(FeedTokens::Table)
                    .col(string_len(FeedTokens::UserId, 36).primary_key())
                    .col(string_len(FeedTokens::TokenHash, 64).unique_key())
                    .col(timestamp_with_time_zone(FeedTokens::CreatedAt))
                    .foreign_key(&mut cascade(
                        "fk_feed_tokens_user",
                        (FeedTokens::Table, FeedTokens::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(FeedTokens::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(EventRemindersSent::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(EventRsvps::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(EventOccurrences::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(EventTags::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(EventOrganisers::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Events::Table).to_owned()).await?;
        Ok(())
    }
}
