//! Member administration: listing accounts and approving pending registrations.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use copse_shared::Page;
use copse_shared::auth::{AccountStatus, Role, User};
use copse_shared::pagination::{DEFAULT_LIMIT, MAX_LIMIT};
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use crate::entities::user;
use crate::error::{ApiError, ApiResult};
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

/// Encodes a keyset position as an opaque cursor.
pub fn encode_cursor(created_at: DateTime<Utc>, id: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}|{id}", created_at.to_rfc3339()))
}

/// Decodes a cursor, refusing anything this server did not produce.
pub fn decode_cursor(cursor: &str) -> ApiResult<(DateTime<Utc>, String)> {
    let invalid = || ApiError::bad_request("The cursor is not valid; start again from the first page.");
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (at, id) = text.split_once('|').ok_or_else(invalid)?;
    let at = DateTime::parse_from_rfc3339(at).map_err(|_| invalid())?.with_timezone(&Utc);
    Ok((at, id.to_owned()))
}

/// Clamps a requested page size.
pub fn page_size(limit: Option<u64>) -> ApiResult<u64> {
    match limit {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(ApiError::field("limit", "out_of_range", format!("Use a limit between 1 and {MAX_LIMIT}."))),
    }
}

fn require_staff(actor: &user::Model) -> ApiResult<()> {
    if actor.role().is_staff() {
        Ok(())
    } else {
        Err(ApiError::forbidden("Only facilitators and admins may administer members."))
    }
}

/// Lists accounts, newest first, with keyset pagination (stable under inserts).
pub async fn list(state: &AppState, actor: &user::Model, filter: MemberFilter) -> ApiResult<Page<User>> {
    require_staff(actor)?;
    let limit = page_size(filter.limit)?;
    let mut query = user::Entity::find();
    if let Some(status) = filter.status {
        query = query.filter(user::Column::Status.eq(status.as_str()));
    }
    if let Some(role) = filter.role {
        query = query.filter(user::Column::Role.eq(role.as_str()));
    }
    if let Some(cursor) = &filter.cursor {
        let (at, id) = decode_cursor(cursor)?;
        query = query.filter(
            Condition::any()
                .add(user::Column::CreatedAt.lt(at))
                .add(Condition::all().add(user::Column::CreatedAt.eq(at)).add(user::Column::Id.lt(id))),
        );
    }
    let mut rows = query
        .order_by_desc(user::Column::CreatedAt)
        .order_by_desc(user::Column::Id)
        .limit(limit + 1)
        .all(&state.db)
        .await?;
    let next_cursor = if rows.len() as u64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|last| encode_cursor(last.created_at, &last.id))
    } else {
        None
    };
    Ok(Page { items: rows.iter().map(user::Model::to_dto).collect(), next_cursor })
}

/// Approves a pending registration.
pub async fn approve(state: &AppState, actor: &user::Model, id: &str) -> ApiResult<user::Model> {
    require_staff(actor)?;
    let account = user::Entity::find_by_id(id.to_owned()).one(&state.db).await?.ok_or_else(ApiError::not_found)?;
    if account.status() != AccountStatus::Pending {
        return Err(ApiError::client(
            actix_web::http::StatusCode::CONFLICT,
            copse_shared::ErrorCode::Conflict,
            "Only pending registrations can be approved.",
        ));
    }
    let mut active: user::ActiveModel = account.into();
    active.status = Set(AccountStatus::Active.as_str().to_owned());
    active.updated_at = Set(Utc::now());
    let approved = active.update(&state.db).await?;
    tracing::info!(actor = %actor.id, user_id = %approved.id, "registration approved");
    Ok(approved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let at = Utc::now();
        let cursor = encode_cursor(at, "abc");
        let (back, id) = decode_cursor(&cursor).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((back, id.as_str()), (at, "abc"));
        assert!(decode_cursor("!!!").is_err());
        assert!(decode_cursor(&URL_SAFE_NO_PAD.encode("no separator")).is_err());
    }

    #[test]
    fn page_sizes_are_bounded() {
        assert_eq!(page_size(None).ok(), Some(DEFAULT_LIMIT));
        assert!(page_size(Some(0)).is_err());
        assert!(page_size(Some(MAX_LIMIT + 1)).is_err());
    }
}
