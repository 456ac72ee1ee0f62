//! Invitations to the community: facilitators and admins invite people; only admins
//! invite staff. Creation and revocation are audited.

use chrono::{Duration, Utc};
use copse_shared::Page;
use copse_shared::auth::Role;
use copse_shared::members::{CreateInvitationRequest, Invitation};
use sea_orm::{ActiveModelTrait, EntityTrait, ModelTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde_json::json;
use uuid::Uuid;

use crate::auth::secret;
use crate::entities::invitation;
use crate::error::{ApiError, ApiResult};
use crate::policy::{self, Action, Actor, Resource};
use crate::services::audit::{self, Event};
use crate::services::pagination::{self, Cursor};
use crate::services::validate;
use crate::state::AppState;

/// Creates an invitation and returns it with its one-time-visible token.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    request: CreateInvitationRequest,
) -> ApiResult<(invitation::Model, String)> {
    policy::require(actor, Action::Invite, &Resource::Community)?;
    let role = request.role.unwrap_or(Role::Member);
    if role != Role::Member {
        policy::require(actor, Action::InviteStaff, &Resource::Community)?;
    }
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    let mut errors = validate::Errors::default();
    let email = request.email.as_deref().map(|raw| validate::email(&mut errors, "email", raw));
    let days = request.expires_in_days.unwrap_or(14);
    if !(1..=90).contains(&days) {
        errors.add("expires_in_days", "out_of_range", "Choose between 1 and 90 days.");
    }
    errors.finish()?;
    let token = secret::random_token();
    let now = Utc::now();
    let txn = crate::db::begin(&state.db).await?;
    let created = invitation::ActiveModel {
        id: Set(Uuid::new_v4().to_string()),
        token_hash: Set(secret::token_hash(&token)),
        email: Set(email),
        role: Set(role.as_str().to_owned()),
        created_by: Set(me.id.clone()),
        created_at: Set(now),
        expires_at: Set(now + Duration::days(i64::from(days))),
        used_at: Set(None),
        used_by: Set(None),
    }
    .insert(&txn)
    .await?;
    let label = created.email.clone().unwrap_or_else(|| "(any email)".to_owned());
    let event = Event {
        action: "invitation.create",
        target_type: "invitation",
        target_id: &created.id,
        target_label: &label,
        details: json!({"role": role.as_str(), "expires_at": created.expires_at}),
    };
    audit::record(&txn, me, event).await?;
    txn.commit().await?;
    Ok((created, token))
}

/// Lists invitations, newest first.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    limit: Option<u64>,
    cursor: Option<String>,
) -> ApiResult<Page<Invitation>> {
    policy::require(actor, Action::Invite, &Resource::Community)?;
    let limit = pagination::page_size(limit)?;
    let mut query = invitation::Entity::find();
    if let Some(cursor) = cursor {
        let cursor = Cursor::decode(&cursor)?;
        query = query.filter(pagination::older_than(&cursor, invitation::Column::CreatedAt, invitation::Column::Id));
    }
    let rows = query
        .order_by_desc(invitation::Column::CreatedAt)
        .order_by_desc(invitation::Column::Id)
        .limit(limit + 1)
        .all(&state.db)
        .await?;
    let (rows, next_cursor) = pagination::split(rows, limit, |last| Cursor::new(last.created_at, &last.id).encode());
    Ok(Page { items: rows.iter().map(invitation::Model::to_dto).collect(), next_cursor })
}

/// Revokes an unused invitation.
pub async fn revoke(state: &AppState, actor: &Actor, id: &str) -> ApiResult<()> {
    policy::require(actor, Action::Invite, &Resource::Community)?;
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    let found = invitation::Entity::find_by_id(id.to_owned()).one(&state.db).await?.ok_or_else(ApiError::not_found)?;
    if found.used_at.is_some() {
        return Err(ApiError::client(
            actix_web::http::StatusCode::CONFLICT,
            copse_shared::ErrorCode::Conflict,
            "This invitation was already used.",
        ));
    }
    let txn = crate::db::begin(&state.db).await?;
    let label = found.email.clone().unwrap_or_else(|| "(any email)".to_owned());
    let event = Event {
        action: "invitation.revoke",
        target_type: "invitation",
        target_id: &found.id,
        target_label: &label,
        details: json!({}),
    };
    audit::record(&txn, me, event).await?;
    found.delete(&txn).await?;
    txn.commit().await?;
    Ok(())
}
