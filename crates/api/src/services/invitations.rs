//! Invitations: facilitators and admins invite people; only admins invite staff.

use chrono::{Duration, Utc};
use copse_shared::auth::Role;
use copse_shared::members::CreateInvitationRequest;
use sea_orm::{ActiveModelTrait, Set};
use uuid::Uuid;

use crate::auth::secret;
use crate::entities::{invitation, user};
use crate::error::{ApiError, ApiResult};
use crate::services::validate;
use crate::state::AppState;

/// Creates an invitation and returns it with its one-time-visible token.
pub async fn create(
    state: &AppState,
    actor: &user::Model,
    request: CreateInvitationRequest,
) -> ApiResult<(invitation::Model, String)> {
    if !actor.role().is_staff() {
        return Err(ApiError::forbidden("Only facilitators and admins may invite people."));
    }
    let role = request.role.unwrap_or(Role::Member);
    if role != Role::Member && actor.role() != Role::Admin {
        return Err(ApiError::forbidden("Only admins may invite facilitators or admins."));
    }
    let mut errors = validate::Errors::default();
    let email = request.email.as_deref().map(|raw| validate::email(&mut errors, "email", raw));
    let days = request.expires_in_days.unwrap_or(14);
    if !(1..=90).contains(&days) {
        errors.add("expires_in_days", "out_of_range", "Choose between 1 and 90 days.");
    }
    errors.finish()?;
    let token = secret::random_token();
    let now = Utc::now();
    let created = invitation::ActiveModel {
        id: Set(Uuid::new_v4().to_string()),
        token_hash: Set(secret::token_hash(&token)),
        email: Set(email),
        role: Set(role.as_str().to_owned()),
        created_by: Set(actor.id.clone()),
        created_at: Set(now),
        expires_at: Set(now + Duration::days(i64::from(days))),
        used_at: Set(None),
        used_by: Set(None),
    }
    .insert(&state.db)
    .await?;
    tracing::info!(actor = %actor.id, invitation = %created.id, "invitation created");
    Ok((created, token))
}
