//! Member administration: listing accounts, approving or rejecting registrations,
//! changing site roles, suspending and reinstating. Every change is audited.

use actix_web::http::StatusCode;
use chrono::Utc;
use copse_shared::auth::{AccountStatus, Role, User};
use copse_shared::{ErrorCode, Page};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, ModelTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::json;

use crate::entities::user;
use crate::error::{ApiError, ApiResult};
use crate::policy::{self, Action, Actor, Resource};
use crate::services::audit::{self, Event};
use crate::services::pagination::{self, Cursor};
use crate::services::{accounts, sessions};
use crate::state::AppState;

/// Filters of the member list.
#[derive(Debug, Default)]
pub struct MemberFilter {
    /// Only this status.
    pub status: Option<AccountStatus>,
    /// Only this role.
    pub role: Option<Role>,
    /// Page size.
    pub limit: Option<u64>,
    /// Opaque cursor from a previous page.
    pub cursor: Option<String>,
}

fn conflict(detail: &str) -> ApiError {
    ApiError::client(StatusCode::CONFLICT, ErrorCode::Conflict, detail)
}

/// Lists accounts, newest first, with keyset pagination (stable under inserts).
pub async fn list(state: &AppState, actor: &Actor, filter: MemberFilter) -> ApiResult<Page<User>> {
    policy::require(actor, Action::AdministerMembers, &Resource::Community)?;
    let limit = pagination::page_size(filter.limit)?;
    let mut query = user::Entity::find();
    if let Some(status) = filter.status {
        query = query.filter(user::Column::Status.eq(status.as_str()));
    }
    if let Some(role) = filter.role {
        query = query.filter(user::Column::Role.eq(role.as_str()));
    }
    if let Some(cursor) = &filter.cursor {
        let cursor = Cursor::decode(cursor)?;
        query = query.filter(pagination::older_than(&cursor, user::Column::CreatedAt, user::Column::Id));
    }
    let rows = query
        .order_by_desc(user::Column::CreatedAt)
        .order_by_desc(user::Column::Id)
        .limit(limit + 1)
        .all(&state.db)
        .await?;
    let (rows, next_cursor) = pagination::split(rows, limit, |last| Cursor::new(last.created_at, &last.id).encode());
    Ok(Page { items: rows.iter().map(user::Model::to_dto).collect(), next_cursor })
}

async fn target(state: &AppState, id: &str) -> ApiResult<user::Model> {
    user::Entity::find_by_id(id.to_owned()).one(&state.db).await?.ok_or_else(ApiError::not_found)
}

/// The acting member (these operations need a signed-in member).
fn acting(actor: &Actor) -> ApiResult<&user::Model> {
    actor.user().ok_or_else(policy::sign_in_required)
}

async fn set_status(
    state: &AppState,
    actor: &user::Model,
    account: user::Model,
    status: AccountStatus,
    action: &str,
) -> ApiResult<user::Model> {
    let from = account.status.clone();
    let mut active: user::ActiveModel = account.into();
    active.status = Set(status.as_str().to_owned());
    active.updated_at = Set(Utc::now());
    let txn = crate::db::begin(&state.db).await?;
    let updated = active.update(&txn).await?;
    if status == AccountStatus::Suspended {
        // Refresh tokens die here; access tokens die because every request re-reads
        // the account's status.
        sessions::revoke_user_sessions(&txn, &updated.id, None).await?;
    }
    let details = json!({"from": from, "to": status.as_str()});
    audit::record(
        &txn,
        actor,
        Event { action, target_type: "user", target_id: &updated.id, target_label: &updated.email, details },
    )
    .await?;
    txn.commit().await?;
    accounts::changed(state, &updated.id);
    Ok(updated)
}

/// Approves a pending registration.
pub async fn approve(state: &AppState, actor: &Actor, id: &str) -> ApiResult<user::Model> {
    policy::require(actor, Action::AdministerMembers, &Resource::Community)?;
    let account = target(state, id).await?;
    if account.status() != AccountStatus::Pending {
        return Err(conflict("Only pending registrations can be approved."));
    }
    set_status(state, acting(actor)?, account, AccountStatus::Active, "member.approve").await
}

/// Rejects a pending registration: the account is deleted, so the person may
/// register again later; the audit log keeps the email.
pub async fn reject(state: &AppState, actor: &Actor, id: &str) -> ApiResult<()> {
    policy::require(actor, Action::AdministerMembers, &Resource::Community)?;
    let account = target(state, id).await?;
    if account.status() != AccountStatus::Pending {
        return Err(conflict("Only pending registrations can be rejected."));
    }
    let txn = crate::db::begin(&state.db).await?;
    let event = Event {
        action: "member.reject",
        target_type: "user",
        target_id: &account.id,
        target_label: &account.email,
        details: json!({"display_name": account.display_name}),
    };
    audit::record(&txn, acting(actor)?, event).await?;
    account.clone().delete(&txn).await?;
    txn.commit().await?;
    Ok(())
}

/// Changes a site role (admins only). The last admin cannot step down.
pub async fn change_role(state: &AppState, actor: &Actor, id: &str, role: Role) -> ApiResult<user::Model> {
    policy::require(actor, Action::ChangeSiteRole, &Resource::Community)?;
    let account = target(state, id).await?;
    let from = account.role();
    if from == role {
        return Ok(account);
    }
    if from == Role::Admin {
        let admins = user::Entity::find()
            .filter(user::Column::Role.eq(Role::Admin.as_str()))
            .filter(user::Column::Status.eq(AccountStatus::Active.as_str()))
            .count(&state.db)
            .await?;
        if admins <= 1 {
            return Err(conflict("The community needs at least one admin; appoint another admin first."));
        }
    }
    let mut active: user::ActiveModel = account.into();
    active.role = Set(role.as_str().to_owned());
    active.updated_at = Set(Utc::now());
    let txn = crate::db::begin(&state.db).await?;
    let updated = active.update(&txn).await?;
    let details = json!({"from": from.as_str(), "to": role.as_str()});
    let event = Event {
        action: "member.role_change",
        target_type: "user",
        target_id: &updated.id,
        target_label: &updated.email,
        details,
    };
    audit::record(&txn, acting(actor)?, event).await?;
    txn.commit().await?;
    accounts::changed(state, &updated.id);
    Ok(updated)
}

/// Suspends an account; its sessions stop working at once.
pub async fn suspend(state: &AppState, actor: &Actor, id: &str) -> ApiResult<user::Model> {
    let account = target(state, id).await?;
    let is_self = actor.user().is_some_and(|me| me.id == account.id);
    policy::require(actor, Action::SuspendMember, &Resource::Account { role: account.role(), is_self })?;
    if account.status() == AccountStatus::Suspended {
        return Ok(account);
    }
    set_status(state, acting(actor)?, account, AccountStatus::Suspended, "member.suspend").await
}

/// Lifts a suspension.
pub async fn reinstate(state: &AppState, actor: &Actor, id: &str) -> ApiResult<user::Model> {
    let account = target(state, id).await?;
    let is_self = actor.user().is_some_and(|me| me.id == account.id);
    policy::require(actor, Action::SuspendMember, &Resource::Account { role: account.role(), is_self })?;
    if account.status() != AccountStatus::Suspended {
        return Err(conflict("Only suspended accounts can be reinstated."));
    }
    set_status(state, acting(actor)?, account, AccountStatus::Active, "member.reinstate").await
}
