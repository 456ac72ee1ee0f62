//! Discussions: categories, topics, posts and their revisions, tags, reactions,
//! watches, notifications and flags, with the indexes their lists need.

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
enum Categories {
    Table,
    Id,
    Slug,
    Name,
    Description,
    Position,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Topics {
    Table,
    Id,
    CategoryId,
    GroupId,
    AuthorId,
    Title,
    Kind,
    Pinned,
    Locked,
    HiddenAt,
    DeletedAt,
    AcceptedPostId,
    ReplyCount,
    Excerpt,
    LastActivityAt,
    FirstReplyAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Posts {
    Table,
    Id,
    TopicId,
    Number,
    AuthorId,
    Body,
    BodyHtml,
    QuotePostId,
    CreatedAt,
    UpdatedAt,
    EditedAt,
    DeletedAt,
    HiddenAt,
}

#[derive(DeriveIden)]
enum PostRevisions {
    Table,
    Id,
    PostId,
    Body,
    EditedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TopicTags {
    Table,
    TopicId,
    Tag,
}

#[derive(DeriveIden)]
enum Reactions {
    Table,
    PostId,
    UserId,
    Kind,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Watches {
    Table,
    UserId,
    TargetType,
    TargetId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
    UserId,
    Kind,
    TopicId,
    TopicTitle,
    PostId,
    ActorId,
    CreatedAt,
    ReadAt,
}

#[derive(DeriveIden)]
enum Flags {
    Table,
    Id,
    PostId,
    UserId,
    Reason,
    Status,
    CreatedAt,
    ResolvedBy,
    ResolvedAt,
}

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create().name(name).from(from.0, from.1).to(to.0, to.1).on_delete(on_delete).to_owned()
}

async fn index(manager: &SchemaManager<'_>, name: &str, table: impl IntoIden, cols: Vec<Alias>) -> Result<(), DbErr> {
    let mut statement = Index::create();
    statement.name(name).table(table);
    for col in cols {
        statement.col(col);
    }
    manager.create_index(statement.to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, Restrict, SetNull};
        manager
            .create_table(
                Table::create()
                    .table(Categories::Table)
                    .col(string_len(Categories::Id, 36).primary_key())
                    .col(string_len_uniq(Categories::Slug, 60))
                    .col(string_len(Categories::Name, 60))
                    .col(string_len(Categories::Description, 500))
                    .col(integer(Categories::Position))
                    .col(timestamp_with_time_zone(Categories::CreatedAt))
                    .col(timestamp_with_time_zone(Categories::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Topics::Table)
                    .col(string_len(Topics::Id, 36).primary_key())
                    .col(string_len(Topics::CategoryId, 36))
                    .col(string_len_null(Topics::GroupId, 36))
                    .col(string_len_null(Topics::AuthorId, 36))
                    .col(string_len(Topics::Title, 200))
                    .col(string_len(Topics::Kind, 16))
                    .col(boolean(Topics::Pinned))
                    .col(boolean(Topics::Locked))
                    .col(timestamp_with_time_zone_null(Topics::HiddenAt))
                    .col(timestamp_with_time_zone_null(Topics::DeletedAt))
                    .col(string_len_null(Topics::AcceptedPostId, 36))
                    .col(big_integer(Topics::ReplyCount))
                    .col(string_len(Topics::Excerpt, 300))
                    .col(timestamp_with_time_zone(Topics::LastActivityAt))
                    .col(timestamp_with_time_zone_null(Topics::FirstReplyAt))
                    .col(timestamp_with_time_zone(Topics::CreatedAt))
                    .col(timestamp_with_time_zone(Topics::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_topics_category",
                        (Topics::Table, Topics::CategoryId),
                        (Categories::Table, Categories::Id),
                        Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_topics_group",
                        (Topics::Table, Topics::GroupId),
                        (Groups::Table, Groups::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_topics_author",
                        (Topics::Table, Topics::AuthorId),
                        (Users::Table, Users::Id),
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        // The default list: pinned first, then latest activity, with the id as tie-breaker.
        index(
            manager,
            "idx_topics_activity",
            Topics::Table,
            vec![Alias::new("pinned"), Alias::new("last_activity_at"), Alias::new("id")],
        )
        .await?;
        index(
            manager,
            "idx_topics_category",
            Topics::Table,
            vec![Alias::new("category_id"), Alias::new("last_activity_at")],
        )
        .await?;
        index(manager, "idx_topics_group", Topics::Table, vec![Alias::new("group_id"), Alias::new("last_activity_at")])
            .await?;
        index(
            manager,
            "idx_topics_author",
            Topics::Table,
            vec![Alias::new("author_id"), Alias::new("last_activity_at")],
        )
        .await?;
        index(
            manager,
            "idx_topics_unanswered",
            Topics::Table,
            vec![Alias::new("kind"), Alias::new("accepted_post_id"), Alias::new("last_activity_at")],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Posts::Table)
                    .col(string_len(Posts::Id, 36).primary_key())
                    .col(string_len(Posts::TopicId, 36))
                    .col(integer(Posts::Number))
                    .col(string_len_null(Posts::AuthorId, 36))
                    .col(text(Posts::Body))
                    .col(text(Posts::BodyHtml))
                    .col(string_len_null(Posts::QuotePostId, 36))
                    .col(timestamp_with_time_zone(Posts::CreatedAt))
                    .col(timestamp_with_time_zone(Posts::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Posts::EditedAt))
                    .col(timestamp_with_time_zone_null(Posts::DeletedAt))
                    .col(timestamp_with_time_zone_null(Posts::HiddenAt))
                    .foreign_key(&mut fk(
                        "fk_posts_topic",
                        (Posts::Table, Posts::TopicId),
                        (Topics::Table, Topics::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_posts_author",
                        (Posts::Table, Posts::AuthorId),
                        (Users::Table, Users::Id),
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_posts_topic_number")
                    .table(Posts::Table)
                    .col(Posts::TopicId)
                    .col(Posts::Number)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PostRevisions::Table)
                    .col(string_len(PostRevisions::Id, 36).primary_key())
                    .col(string_len(PostRevisions::PostId, 36))
                    .col(text(PostRevisions::Body))
                    .col(string_len_null(PostRevisions::EditedBy, 36))
                    .col(timestamp_with_time_zone(PostRevisions::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_revisions_post",
                        (PostRevisions::Table, PostRevisions::PostId),
                        (Posts::Table, Posts::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_revisions_editor",
                        (PostRevisions::Table, PostRevisions::EditedBy),
                        (Users::Table, Users::Id),
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_revisions_post",
            PostRevisions::Table,
            vec![Alias::new("post_id"), Alias::new("created_at")],
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(TopicTags::Table)
                    .col(string_len(TopicTags::TopicId, 36))
                    .col(string_len(TopicTags::Tag, 40))
                    .primary_key(Index::create().col(TopicTags::TopicId).col(TopicTags::Tag))
                    .foreign_key(&mut fk(
                        "fk_tags_topic",
                        (TopicTags::Table, TopicTags::TopicId),
                        (Topics::Table, Topics::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        index(manager, "idx_tags_tag", TopicTags::Table, vec![Alias::new("tag"), Alias::new("topic_id")]).await?;
        manager
            .create_table(
                Table::create()
                    .table(Reactions::Table)
                    .col(string_len(Reactions::PostId, 36))
                    .col(string_len(Reactions::UserId, 36))
                    .col(string_len(Reactions::Kind, 16))
                    .col(timestamp_with_time_zone(Reactions::CreatedAt))
                    .primary_key(Index::create().col(Reactions::PostId).col(Reactions::UserId).col(Reactions::Kind))
                    .foreign_key(&mut fk(
                        "fk_reactions_post",
                        (Reactions::Table, Reactions::PostId),
                        (Posts::Table, Posts::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_reactions_user",
                        (Reactions::Table, Reactions::UserId),
                        (Users::Table, Users::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Watches::Table)
                    .col(string_len(Watches::UserId, 36))
                    .col(string_len(Watches::TargetType, 16))
                    .col(string_len(Watches::TargetId, 36))
                    .col(timestamp_with_time_zone(Watches::CreatedAt))
                    .primary_key(Index::create().col(Watches::UserId).col(Watches::TargetType).col(Watches::TargetId))
                    .foreign_key(&mut fk(
                        "fk_watches_user",
                        (Watches::Table, Watches::UserId),
                        (Users::Table, Users::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        index(manager, "idx_watches_target", Watches::Table, vec![Alias::new("target_type"), Alias::new("target_id")])
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Notifications::Table)
                    .col(string_len(Notifications::Id, 36).primary_key())
                    .col(string_len(Notifications::UserId, 36))
                    .col(string_len(Notifications::Kind, 32))
                    .col(string_len(Notifications::TopicId, 36))
                    .col(string_len(Notifications::TopicTitle, 200))
                    .col(string_len_null(Notifications::PostId, 36))
                    .col(string_len_null(Notifications::ActorId, 36))
                    .col(timestamp_with_time_zone(Notifications::CreatedAt))
                    .col(timestamp_with_time_zone_null(Notifications::ReadAt))
                    .foreign_key(&mut fk(
                        "fk_notifications_user",
                        (Notifications::Table, Notifications::UserId),
                        (Users::Table, Users::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_notifications_actor",
                        (Notifications::Table, Notifications::ActorId),
                        (Users::Table, Users::Id),
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_notifications_user",
            Notifications::Table,
            vec![Alias::new("user_id"), Alias::new("created_at"), Alias::new("id")],
        )
        .await?;
        index(
            manager,
            "idx_notifications_unread",
            Notifications::Table,
            vec![Alias::new("user_id"), Alias::new("read_at")],
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(Flags::Table)
                    .col(string_len(Flags::Id, 36).primary_key())
                    .col(string_len(Flags::PostId, 36))
                    .col(string_len_null(Flags::UserId, 36))
                    .col(string_len(Flags::Reason, 500))
                    .col(string_len(Flags::Status, 16))
                    .col(timestamp_with_time_zone(Flags::CreatedAt))
                    .col(string_len_null(Flags::ResolvedBy, 36))
                    .col(timestamp_with_time_zone_null(Flags::ResolvedAt))
                    .foreign_key(&mut fk(
                        "fk_flags_post",
                        (Flags::Table, Flags::PostId),
                        (Posts::Table, Posts::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_flags_user",
                        (Flags::Table, Flags::UserId),
                        (Users::Table, Users::Id),
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_flags_post_user")
                    .table(Flags::Table)
                    .col(Flags::PostId)
                    .col(Flags::UserId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        index(manager, "idx_flags_status", Flags::Table, vec![Alias::new("status"), Alias::new("created_at")]).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "flags",
            "notifications",
            "watches",
            "reactions",
            "topic_tags",
            "post_revisions",
            "posts",
            "topics",
            "categories",
        ] {
            manager.drop_table(Table::drop().table(Alias::new(table)).to_owned()).await?;
        }
        Ok(())
    }
}
