//! Community settings: read by everyone, replaced by admins with optimistic locking.
//! Nearly every request needs them (`public_read` decides what an anonymous visitor
//! sees), so they are kept in memory for a second (`COPSE_COMMUNITY_CACHE_MS`): a
//! change made here is seen at once, one made by another instance within a second.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use copse_shared::ErrorCode;
use copse_shared::community::UpdateCommunityRequest;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
use sha2::{Digest, Sha256};

use crate::entities::community_settings;
use crate::error::{ApiError, ApiResult};
use crate::policy::{self, Action, Actor, Resource};
use crate::services::audit::{self, Event};
use crate::services::validate;
use crate::state::AppState;

/// The settings as last read or written by this process.
pub type Cache = crate::services::memo::Memo<community_settings::Model>;

/// The settings for a request: from memory when read less than a second ago.
pub async fn current(state: &AppState) -> ApiResult<Arc<community_settings::Model>> {
    state.memo.community.get_or_read(Duration::from_millis(state.settings.community_cache_ms), load(&state.db)).await
}

/// Reads the settings row (created by the first migration).
pub async fn load(db: &impl ConnectionTrait) -> ApiResult<community_settings::Model> {
    community_settings::Entity::find_by_id(1)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("community settings row missing")))
}

/// The strong ETag of a settings version: a hash of what a reader sees.
pub fn etag(model: &community_settings::Model) -> String {
    let json = serde_json::to_vec(&model.to_dto()).unwrap_or_default();
    let digest = Sha256::digest(&json);
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// Whether an `If-Match` header value matches the current ETag.
pub fn if_match_accepts(header: &str, current: &str) -> bool {
    header.split(',').map(str::trim).any(|candidate| candidate == "*" || candidate == current)
}

/// Replaces the settings. Only admins may; a stale `If-Match` fails with 412.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    if_match: Option<&str>,
    request: UpdateCommunityRequest,
) -> ApiResult<community_settings::Model> {
    policy::require(actor, Action::UpdateCommunity, &Resource::Community)?;
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    let mut errors = validate::Errors::default();
    let name = validate::text(&mut errors, "name", &request.name, 1, 80);
    let tagline = validate::text(&mut errors, "tagline", &request.tagline, 0, 200);
    errors.finish()?;
    let current = load(&state.db).await?;
    if let Some(header) = if_match
        && !if_match_accepts(header, &etag(&current))
    {
        return Err(ApiError::client(
            actix_web::http::StatusCode::PRECONDITION_FAILED,
            ErrorCode::PreconditionFailed,
            "The settings changed since you loaded them; reload and apply your change again.",
        ));
    }
    let mut active: community_settings::ActiveModel = current.into();
    active.name = Set(name);
    active.tagline = Set(tagline);
    active.join_policy = Set(request.join_policy.as_str().to_owned());
    active.public_read = Set(request.public_read);
    active.updated_at = Set(Utc::now());
    let txn = crate::db::begin(&state.db).await?;
    let updated = active.update(&txn).await?;
    let details = serde_json::to_value(updated.to_dto()).unwrap_or_default();
    let event = Event {
        action: "community.update",
        target_type: "community",
        target_id: "1",
        target_label: &updated.name,
        details,
    };
    audit::record(&txn, me, event).await?;
    txn.commit().await?;
    state.memo.community.store(updated.clone());
    Ok(updated)
}

#[cfg(test)]
mod tests {
    use super::if_match_accepts;

    #[test]
    fn if_match_accepts_the_current_tag_a_list_or_a_star() {
        assert!(if_match_accepts("\"abc\"", "\"abc\""));
        assert!(if_match_accepts("\"x\", \"abc\"", "\"abc\""));
        assert!(if_match_accepts("*", "\"abc\""));
        assert!(!if_match_accepts("\"old\"", "\"abc\""));
    }
}
