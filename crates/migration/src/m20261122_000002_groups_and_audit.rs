//! Groups, their memberships, and the audit log of administrative actions.

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
    Slug,
    Name,
    Description,
    Visibility,
    ArchivedAt,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum GroupMemberships {
    Table,
    GroupId,
    UserId,
    Role,
    Status,
    InvitedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    ActorId,
    Action,
    TargetType,
    TargetId,
    TargetLabel,
    Details,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Groups::Table)
                    .col(string_len(Groups::Id, 36).primary_key())
                    .col(string_len_uniq(Groups::Slug, 60))
                    .col(string_len(Groups::Name, 80))
                    .col(text(Groups::Description))
                    .col(string_len(Groups::Visibility, 16))
                    .col(timestamp_with_time_zone_null(Groups::ArchivedAt))
                    .col(string_len_null(Groups::CreatedBy, 36))
                    .col(timestamp_with_time_zone(Groups::CreatedAt))
                    .col(timestamp_with_time_zone(Groups::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_groups_creator")
                            .from(Groups::Table, Groups::CreatedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        // Group lists are ordered by name with the id as a tie-breaker (keyset pagination).
        manager
            .create_index(
                Index::create()
                    .name("idx_groups_name")
                    .table(Groups::Table)
                    .col(Groups::Name)
                    .col(Groups::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(GroupMemberships::Table)
                    .col(string_len(GroupMemberships::GroupId, 36))
                    .col(string_len(GroupMemberships::UserId, 36))
                    .col(string_len(GroupMemberships::Role, 16))
                    .col(string_len(GroupMemberships::Status, 16))
                    .col(string_len_null(GroupMemberships::InvitedBy, 36))
                    .col(timestamp_with_time_zone(GroupMemberships::CreatedAt))
                    .col(timestamp_with_time_zone(GroupMemberships::UpdatedAt))
                    .primary_key(Index::create().col(GroupMemberships::GroupId).col(GroupMemberships::UserId))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_memberships_group")
                            .from(GroupMemberships::Table, GroupMemberships::GroupId)
                            .to(Groups::Table, Groups::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_memberships_user")
                            .from(GroupMemberships::Table, GroupMemberships::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_memberships_inviter")
                            .from(GroupMemberships::Table, GroupMemberships::InvitedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        // "My groups" and the visibility filter look memberships up by member.
        manager
            .create_index(
                Index::create()
                    .name("idx_memberships_user")
                    .table(GroupMemberships::Table)
                    .col(GroupMemberships::UserId)
                    .col(GroupMemberships::Status)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_memberships_group_status")
                    .table(GroupMemberships::Table)
                    .col(GroupMemberships::GroupId)
                    .col(GroupMemberships::Status)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(string_len(AuditLog::Id, 36).primary_key())
                    .col(string_len_null(AuditLog::ActorId, 36))
                    .col(string_len(AuditLog::Action, 64))
                    .col(string_len(AuditLog::TargetType, 32))
                    .col(string_len(AuditLog::TargetId, 64))
                    .col(string_len(AuditLog::TargetLabel, 300))
                    .col(text(AuditLog::Details))
                    .col(timestamp_with_time_zone(AuditLog::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_audit_actor")
                            .from(AuditLog::Table, AuditLog::ActorId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_created")
                    .table(AuditLog::Table)
                    .col(AuditLog::CreatedAt)
                    .col(AuditLog::Id)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(AuditLog::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(GroupMemberships::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Groups::Table).to_owned()).await?;
        Ok(())
    }
}
