//! The library: items (community- or group-scoped, with files or an external URL),
//! their tags and their file versions, with the indexes the three list orders need.

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
enum LibraryItems {
    Table,
    Id,
    GroupId,
    OwnerId,
    Title,
    Description,
    DescriptionHtml,
    Kind,
    Language,
    Licence,
    Url,
    TopicId,
    CurrentVersionId,
    VersionCount,
    DownloadCount,
    CreatedAt,
    UpdatedAt,
    DeletedAt,
}

#[derive(DeriveIden)]
enum LibraryItemTags {
    Table,
    ItemId,
    Tag,
}

#[derive(DeriveIden)]
enum LibraryVersions {
    Table,
    Id,
    ItemId,
    Number,
    FileName,
    ContentType,
    Size,
    Sha256,
    StorageKey,
    ChangeNote,
    UploadedBy,
    Preview,
    TextExcerpt,
    CreatedAt,
}

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create().name(name).from(from.0, from.1).to(to.0, to.1).on_delete(on_delete).to_owned()
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
        use ForeignKeyAction::{Cascade, SetNull};
        manager
            .create_table(
                Table::create()
                    .table(LibraryItems::Table)
                    .col(string_len(LibraryItems::Id, 36).primary_key())
                    .col(string_len_null(LibraryItems::GroupId, 36))
                    .col(string_len_null(LibraryItems::OwnerId, 36))
                    .col(string_len(LibraryItems::Title, 200))
                    .col(text(LibraryItems::Description))
                    .col(text(LibraryItems::DescriptionHtml))
                    .col(string_len(LibraryItems::Kind, 16))
                    .col(string_len_null(LibraryItems::Language, 35))
                    .col(string_len_null(LibraryItems::Licence, 100))
                    .col(string_len_null(LibraryItems::Url, 2000))
                    .col(string_len_null(LibraryItems::TopicId, 36))
                    .col(string_len_null(LibraryItems::CurrentVersionId, 36))
                    .col(integer(LibraryItems::VersionCount))
                    .col(big_integer(LibraryItems::DownloadCount))
                    .col(timestamp_with_time_zone(LibraryItems::CreatedAt))
                    .col(timestamp_with_time_zone(LibraryItems::UpdatedAt))
                    .col(timestamp_with_time_zone_null(LibraryItems::DeletedAt))
                    .foreign_key(&mut fk(
                        "fk_library_items_group",
                        (LibraryItems::Table, LibraryItems::GroupId),
                        (Groups::Table, Groups::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_library_items_owner",
                        (LibraryItems::Table, LibraryItems::OwnerId),
                        (Users::Table, Users::Id),
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        // One index per list order, each ending with the id that breaks ties.
        index(manager, "idx_library_items_created", LibraryItems::Table, &["created_at", "id"]).await?;
        index(manager, "idx_library_items_updated", LibraryItems::Table, &["updated_at", "id"]).await?;
        index(manager, "idx_library_items_downloads", LibraryItems::Table, &["download_count", "id"]).await?;
        index(manager, "idx_library_items_group", LibraryItems::Table, &["group_id", "created_at"]).await?;

        manager
            .create_table(
                Table::create()
                    .table(LibraryItemTags::Table)
                    .col(string_len(LibraryItemTags::ItemId, 36))
                    .col(string_len(LibraryItemTags::Tag, 40))
                    .primary_key(Index::create().col(LibraryItemTags::ItemId).col(LibraryItemTags::Tag))
                    .foreign_key(&mut fk(
                        "fk_library_item_tags_item",
                        (LibraryItemTags::Table, LibraryItemTags::ItemId),
                        (LibraryItems::Table, LibraryItems::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        index(manager, "idx_library_item_tags_tag", LibraryItemTags::Table, &["tag", "item_id"]).await?;

        manager
            .create_table(
                Table::create()
                    .table(LibraryVersions::Table)
                    .col(string_len(LibraryVersions::Id, 36).primary_key())
                    .col(string_len(LibraryVersions::ItemId, 36))
                    .col(integer(LibraryVersions::Number))
                    .col(string_len(LibraryVersions::FileName, 255))
                    .col(string_len(LibraryVersions::ContentType, 100))
                    .col(big_integer(LibraryVersions::Size))
                    .col(string_len(LibraryVersions::Sha256, 64))
                    .col(string_len(LibraryVersions::StorageKey, 200))
                    .col(string_len(LibraryVersions::ChangeNote, 500))
                    .col(string_len_null(LibraryVersions::UploadedBy, 36))
                    .col(string_len(LibraryVersions::Preview, 16))
                    .col(text_null(LibraryVersions::TextExcerpt))
                    .col(timestamp_with_time_zone(LibraryVersions::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_library_versions_item",
                        (LibraryVersions::Table, LibraryVersions::ItemId),
                        (LibraryItems::Table, LibraryItems::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_library_versions_uploader",
                        (LibraryVersions::Table, LibraryVersions::UploadedBy),
                        (Users::Table, Users::Id),
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_library_versions_number")
                    .table(LibraryVersions::Table)
                    .col(LibraryVersions::ItemId)
                    .col(LibraryVersions::Number)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["library_versions", "library_item_tags", "library_items"] {
            manager.drop_table(Table::drop().table(Alias::new(table)).to_owned()).await?;
        }
        Ok(())
    }
}
