//! Self-service for one's account: the data export (GDPR access and portability) and
//! account deletion. Deleting removes the account row; content keeps its row with the
//! author set to NULL by the foreign keys, which every DTO shows as a former member.
//! With `erase_content`, topics, replies and library items become tombstones with
//! their text removed, and library files leave the store.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use chrono::Utc;
use copse_shared::ErrorCode;
use copse_shared::auth::{AccountStatus, Role};
use copse_shared::discussions::GroupRef;
use copse_shared::profiles::{
    ExportLibraryItem, ExportMembership, ExportNotification, ExportPost, ExportTopic, MemberExport, SentContactMessage,
};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};

use super::{bookmarks, load_many, my_profile};
use crate::entities::{
    bookmark, deleted_account, event, group, group_membership, library_item, library_version, notification, post,
    post_revision, topic, user,
};
use crate::error::{ApiError, ApiResult};
use crate::policy::{self, Action, Actor, Resource};
use crate::services::audit;
use crate::services::library::preview::preview_key;
use crate::state::AppState;

/// Everything Copse holds about the actor. Only ever the actor's own data: there is
/// no way to ask for another member's.
pub async fn export(state: &AppState, actor: &Actor) -> ApiResult<MemberExport> {
    policy::require(actor, Action::ManageOwnAccount, &Resource::Community)?;
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    let db = &state.db;
    let loaded = load_many(db, vec![me.clone()]).await?.pop().ok_or_else(ApiError::not_found)?;
    let (profile, _) = my_profile(actor, &loaded);
    let memberships =
        group_membership::Entity::find().filter(group_membership::Column::UserId.eq(me.id.clone())).all(db).await?;
    let groups: HashMap<String, group::Model> = group::Entity::find()
        .filter(group::Column::Id.is_in(memberships.iter().map(|m| m.group_id.clone()).collect::<Vec<_>>()))
        .all(db)
        .await?
        .into_iter()
        .map(|g| (g.id.clone(), g))
        .collect();
    let memberships = memberships
        .into_iter()
        .filter_map(|m| {
            let g = groups.get(&m.group_id)?;
            Some(ExportMembership {
                group: GroupRef { id: g.id.clone(), slug: g.slug.clone(), name: g.name.clone() },
                role: m.role().as_str().to_owned(),
                status: m.status().as_str().to_owned(),
                created_at: m.created_at,
            })
        })
        .collect();
    let topics = topic::Entity::find()
        .filter(topic::Column::AuthorId.eq(me.id.clone()))
        .order_by_asc(topic::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(|t| ExportTopic { id: t.id, title: t.title, created_at: t.created_at })
        .collect();
    let posts = post::Entity::find()
        .filter(post::Column::AuthorId.eq(me.id.clone()))
        .order_by_asc(post::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(|p| ExportPost {
            id: p.id,
            topic_id: p.topic_id,
            is_opening: p.number == 1,
            body: p.body,
            created_at: p.created_at,
            deleted_at: p.deleted_at,
        })
        .collect();
    let library_items = library_item::Entity::find()
        .filter(library_item::Column::OwnerId.eq(me.id.clone()))
        .filter(library_item::Column::DeletedAt.is_null())
        .order_by_asc(library_item::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(|i| ExportLibraryItem {
            id: i.id,
            title: i.title,
            description: i.description,
            url: i.url,
            created_at: i.created_at,
        })
        .collect();
    let own_bookmarks = bookmark::Entity::find()
        .filter(bookmark::Column::UserId.eq(me.id.clone()))
        .order_by_desc(bookmark::Column::CreatedAt)
        .all(db)
        .await?;
    let bookmarks = bookmarks::dtos(db, actor, own_bookmarks).await?;
    let notifications = notification::Entity::find()
        .filter(notification::Column::UserId.eq(me.id.clone()))
        .order_by_desc(notification::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(|n| ExportNotification {
            kind: n.kind,
            title: n.topic_title,
            message: n.message,
            created_at: n.created_at,
        })
        .collect();
    let contact_messages_sent = notification::Entity::find()
        .filter(notification::Column::ActorId.eq(me.id.clone()))
        .filter(notification::Column::Kind.eq("contact"))
        .order_by_desc(notification::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(|n| SentContactMessage {
            recipient_id: Some(n.user_id),
            subject: n.topic_title,
            message: n.message.unwrap_or_default(),
            created_at: n.created_at,
        })
        .collect();
    Ok(MemberExport {
        exported_at: Utc::now(),
        account: me.to_dto(),
        profile,
        memberships,
        topics,
        posts,
        library_items,
        bookmarks,
        notifications,
        contact_messages_sent,
    })
}

/// Deletes the account the access token names. A token whose account is already
/// deleted succeeds again (idempotent); a suspended or pending account cannot.
pub async fn delete(state: &AppState, account_id: &str, erase_content: bool) -> ApiResult<()> {
    let Some(me) = user::Entity::find_by_id(account_id.to_owned()).one(&state.db).await? else {
        let tombstone = deleted_account::Entity::find_by_id(account_id.to_owned()).one(&state.db).await?;
        return match tombstone {
            Some(_) => Ok(()),
            None => Err(ApiError::unauthorized(ErrorCode::InvalidToken, "The account no longer exists.")),
        };
    };
    if me.status() != AccountStatus::Active {
        return Err(ApiError::unauthorized(ErrorCode::InvalidToken, "The account is not active."));
    }
    let actor = Actor::Member(me.clone());
    policy::require(&actor, Action::ManageOwnAccount, &Resource::Community)?;
    if me.role() == Role::Admin {
        let admins = user::Entity::find()
            .filter(user::Column::Role.eq(Role::Admin.as_str()))
            .filter(user::Column::Status.eq(AccountStatus::Active.as_str()))
            .count(&state.db)
            .await?;
        if admins <= 1 {
            return Err(ApiError::client(
                StatusCode::CONFLICT,
                ErrorCode::LastAdmin,
                "You are the only admin: make another member admin before deleting your account.",
            ));
        }
    }
    let avatar = super::load_many(&state.db, vec![me.clone()])
        .await?
        .pop()
        .and_then(|l| l.profile)
        .and_then(|p| p.avatar_version);
    let mut file_keys = Vec::new();
    if erase_content {
        let owned = Query::select()
            .column(library_item::Column::Id)
            .from(library_item::Entity)
            .and_where(Expr::col(library_item::Column::OwnerId).eq(me.id.clone()))
            .to_owned();
        for version in library_version::Entity::find()
            .filter(library_version::Column::ItemId.in_subquery(owned))
            .all(&state.db)
            .await?
        {
            file_keys.push(preview_key(&version.id));
            file_keys.push(version.storage_key);
        }
        for key in &file_keys {
            state.files.check(key).await?;
        }
    }
    let now = Utc::now();
    let txn = crate::db::begin(&state.db).await?;
    if erase_content {
        erase(&txn, &me.id, now).await?;
    }
    let event = audit::Event {
        action: "member.delete",
        target_type: "user",
        target_id: &me.id,
        target_label: &me.display_name,
        details: serde_json::json!({"erase_content": erase_content}),
    };
    audit::record(&txn, &me, event).await?;
    deleted_account::Entity::insert(deleted_account::ActiveModel { id: Set(me.id.clone()), deleted_at: Set(now) })
        .on_conflict(OnConflict::column(deleted_account::Column::Id).do_nothing().to_owned())
        .exec_without_returning(&txn)
        .await?;
    user::Entity::delete_by_id(me.id.clone()).exec(&txn).await?;
    for key in &file_keys {
        state.files.delete(key).await?;
    }
    txn.commit().await?;
    crate::services::accounts::changed(state, &me.id);
    if let Some(version) = avatar {
        super::avatar::remove_files(state, &me.id, &version).await;
    }
    Ok(())
}

/// Turns the member's topics, replies, library items and events into tombstones with their
/// text removed, keeping reply counts and accepted answers consistent.
async fn erase(txn: &sea_orm::DatabaseTransaction, user_id: &str, now: chrono::DateTime<Utc>) -> ApiResult<()> {
    let theirs = Query::select()
        .column(post::Column::Id)
        .from(post::Entity)
        .and_where(Expr::col(post::Column::AuthorId).eq(user_id))
        .to_owned();
    post_revision::Entity::delete_many()
        .filter(post_revision::Column::PostId.in_subquery(theirs.clone()))
        .exec(txn)
        .await?;
    let touched: Vec<String> = post::Entity::find()
        .filter(post::Column::AuthorId.eq(user_id))
        .all(txn)
        .await?
        .into_iter()
        .map(|p| p.topic_id)
        .collect();
    post::Entity::update_many()
        .col_expr(post::Column::Body, Expr::value(""))
        .col_expr(post::Column::BodyHtml, Expr::value(""))
        .col_expr(post::Column::DeletedAt, Expr::value(now))
        .col_expr(post::Column::UpdatedAt, Expr::value(now))
        .filter(post::Column::AuthorId.eq(user_id))
        .filter(post::Column::DeletedAt.is_null())
        .exec(txn)
        .await?;
    post::Entity::update_many()
        .col_expr(post::Column::Body, Expr::value(""))
        .col_expr(post::Column::BodyHtml, Expr::value(""))
        .filter(post::Column::AuthorId.eq(user_id))
        .exec(txn)
        .await?;
    topic::Entity::update_many()
        .col_expr(topic::Column::DeletedAt, Expr::value(now))
        .col_expr(topic::Column::Excerpt, Expr::value(""))
        .filter(topic::Column::AuthorId.eq(user_id))
        .filter(topic::Column::DeletedAt.is_null())
        .exec(txn)
        .await?;
    if !touched.is_empty() {
        topic::Entity::update_many()
            .col_expr(topic::Column::AcceptedPostId, Expr::value(Option::<String>::None))
            .filter(topic::Column::AcceptedPostId.in_subquery(theirs))
            .exec(txn)
            .await?;
        topic::Entity::update_many()
            .col_expr(
                topic::Column::ReplyCount,
                Expr::cust(
                    "(SELECT COUNT(*) FROM posts rp WHERE rp.topic_id = topics.id AND rp.number > 1 AND rp.deleted_at IS NULL)",
                ),
            )
            .filter(topic::Column::Id.is_in(touched))
            .exec(txn)
            .await?;
    }
    library_item::Entity::update_many()
        .col_expr(library_item::Column::DeletedAt, Expr::value(now))
        .col_expr(library_item::Column::UpdatedAt, Expr::value(now))
        .col_expr(library_item::Column::Description, Expr::value(""))
        .col_expr(library_item::Column::DescriptionHtml, Expr::value(""))
        .filter(library_item::Column::OwnerId.eq(user_id))
        .filter(library_item::Column::DeletedAt.is_null())
        .exec(txn)
        .await?;
    event::Entity::update_many()
        .col_expr(event::Column::DeletedAt, Expr::value(now))
        .col_expr(event::Column::UpdatedAt, Expr::value(now))
        .col_expr(event::Column::Description, Expr::value(""))
        .col_expr(event::Column::DescriptionHtml, Expr::value(""))
        .filter(event::Column::CreatorId.eq(user_id))
        .filter(event::Column::DeletedAt.is_null())
        .exec(txn)
        .await?;
    Ok(())
}
