//! Members: profiles (one row per account, created on first edit), their tags
//! (expertise with a level, interests, languages, "open to contact about"), bookmarks,
//! tombstones of deleted accounts, the text of contact messages on notifications, and
//! the indexes the directory, the expert finder and member activity need.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Profiles {
    Table,
    UserId,
    Headline,
    Organisation,
    JobTitle,
    Country,
    City,
    TimeZone,
    Bio,
    BioHtml,
    Links,
    EmailVisibility,
    LinksVisibility,
    AllowContact,
    AvatarVersion,
    SearchText,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ProfileTags {
    Table,
    UserId,
    Kind,
    Tag,
    Level,
    Position,
}

#[derive(DeriveIden)]
enum Bookmarks {
    Table,
    Id,
    UserId,
    Kind,
    TargetId,
    Url,
    Title,
    Note,
    CreatedAt,
}

#[derive(DeriveIden)]
enum DeletedAccounts {
    Table,
    Id,
    DeletedAt,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    Message,
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
                    .table(Profiles::Table)
                    .col(string_len(Profiles::UserId, 36).primary_key())
                    .col(string_len_null(Profiles::Headline, 120))
                    .col(string_len_null(Profiles::Organisation, 120))
                    .col(string_len_null(Profiles::JobTitle, 120))
                    .col(string_len_null(Profiles::Country, 2))
                    .col(string_len_null(Profiles::City, 120))
                    .col(string_len_null(Profiles::TimeZone, 64))
                    .col(text(Profiles::Bio))
                    .col(text(Profiles::BioHtml))
                    .col(text(Profiles::Links))
                    .col(string_len(Profiles::EmailVisibility, 16))
                    .col(string_len(Profiles::LinksVisibility, 16))
                    .col(boolean(Profiles::AllowContact))
                    .col(string_len_null(Profiles::AvatarVersion, 36))
                    .col(text(Profiles::SearchText))
                    .col(timestamp_with_time_zone(Profiles::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_profiles_user")
                            .from(Profiles::Table, Profiles::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        index(manager, "idx_profiles_country", Profiles::Table, &["country"]).await?;

        manager
            .create_table(
                Table::create()
                    .table(ProfileTags::Table)
                    .col(string_len(ProfileTags::UserId, 36))
                    .col(string_len(ProfileTags::Kind, 16))
                    .col(string_len(ProfileTags::Tag, 40))
                    .col(integer_null(ProfileTags::Level))
                    .col(integer(ProfileTags::Position))
                    .primary_key(Index::create().col(ProfileTags::UserId).col(ProfileTags::Kind).col(ProfileTags::Tag))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_profile_tags_user")
                            .from(ProfileTags::Table, ProfileTags::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Filters and the expert finder look members up by tag.
        index(manager, "idx_profile_tags_tag", ProfileTags::Table, &["kind", "tag", "user_id"]).await?;

        manager
            .create_table(
                Table::create()
                    .table(Bookmarks::Table)
                    .col(string_len(Bookmarks::Id, 36).primary_key())
                    .col(string_len(Bookmarks::UserId, 36))
                    .col(string_len(Bookmarks::Kind, 16))
                    .col(string_len_null(Bookmarks::TargetId, 36))
                    .col(string_len_null(Bookmarks::Url, 500))
                    .col(string_len(Bookmarks::Title, 200))
                    .col(text(Bookmarks::Note))
                    .col(timestamp_with_time_zone(Bookmarks::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_bookmarks_user")
                            .from(Bookmarks::Table, Bookmarks::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        index(manager, "idx_bookmarks_user", Bookmarks::Table, &["user_id", "created_at", "id"]).await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_bookmarks_target")
                    .table(Bookmarks::Table)
                    .col(Bookmarks::UserId)
                    .col(Bookmarks::Kind)
                    .col(Bookmarks::TargetId)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(DeletedAccounts::Table)
                    .col(string_len(DeletedAccounts::Id, 36).primary_key())
                    .col(timestamp_with_time_zone(DeletedAccounts::DeletedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .alter_table(
                Table::alter().table(Notifications::Table).add_column(text_null(Notifications::Message)).to_owned(),
            )
            .await?;

        // Member activity, "most active" and the data export find content by its author.
        index(manager, "idx_posts_author", Alias::new("posts"), &["author_id", "created_at"]).await?;
        index(manager, "idx_library_items_owner", Alias::new("library_items"), &["owner_id", "created_at"]).await?;
        index(manager, "idx_notifications_actor", Alias::new("notifications"), &["actor_id", "kind"]).await?;
        // The directory's default order.
        index(manager, "idx_users_display_name", Users::Table, &["display_name", "id"]).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in ["idx_users_display_name", "idx_notifications_actor", "idx_library_items_owner", "idx_posts_author"]
        {
            manager.drop_index(Index::drop().name(name).to_owned()).await?;
        }
        manager
            .alter_table(Table::alter().table(Notifications::Table).drop_column(Notifications::Message).to_owned())
            .await?;
        manager.drop_table(Table::drop().table(DeletedAccounts::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Bookmarks::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(ProfileTags::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Profiles::Table).to_owned()).await?;
        Ok(())
    }
}
