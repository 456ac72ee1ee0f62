//! Sessions: a session family starts at login; every refresh rotates its token; a
//! reused old token means theft, so the whole family is revoked.

use chrono::{Duration, Utc};
use copse_shared::ErrorCode;
use copse_shared::auth::AccountStatus;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::auth::cookie::REFRESH_DAYS;
use crate::auth::secret;
use crate::entities::{refresh_token, user};
use crate::error::{ApiError, ApiResult};
use crate::services::accounts;
use crate::state::AppState;

/// A freshly issued pair of tokens.
#[derive(Debug)]
pub struct Issued {
    /// The JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// The refresh token for the HttpOnly cookie.
    pub refresh_token: String,
    /// The account.
    pub user: user::Model,
}

async fn issue(state: &AppState, account: user::Model, family_id: String) -> ApiResult<Issued> {
    let refresh = secret::random_token();
    let now = Utc::now();
    refresh_token::ActiveModel {
        id: Set(Uuid::new_v4().to_string()),
        user_id: Set(account.id.clone()),
        family_id: Set(family_id.clone()),
        token_hash: Set(secret::token_hash(&refresh)),
        created_at: Set(now),
        expires_at: Set(now + Duration::days(REFRESH_DAYS)),
        used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(&state.db)
    .await?;
    let access_token = state.jwt.issue(&account.id, &family_id, account.role())?;
    Ok(Issued { access_token, refresh_token: refresh, user: account })
}

/// Starts a new session family for an authenticated account.
pub async fn start(state: &AppState, account: user::Model) -> ApiResult<Issued> {
    issue(state, account, Uuid::new_v4().to_string()).await
}

fn invalid() -> ApiError {
    ApiError::unauthorized(ErrorCode::InvalidRefreshToken, "The session has ended; sign in again.")
}

/// Trades a refresh token for a new pair.
pub async fn refresh(state: &AppState, presented: Option<String>) -> ApiResult<Issued> {
    let presented = presented.ok_or_else(invalid)?;
    let Some(token) = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(secret::token_hash(&presented)))
        .one(&state.db)
        .await?
    else {
        return Err(invalid());
    };
    if token.revoked_at.is_some() || token.expires_at <= Utc::now() {
        return Err(invalid());
    }
    // Claim the token atomically: of two concurrent uses, exactly one wins, and the
    // loser is indistinguishable from a replay by a thief.
    let claimed = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(Utc::now()))
        .filter(refresh_token::Column::Id.eq(token.id.clone()))
        .filter(refresh_token::Column::UsedAt.is_null())
        .exec(&state.db)
        .await?;
    if claimed.rows_affected != 1 {
        revoke_family(&state.db, &token.family_id).await?;
        tracing::warn!(user_id = %token.user_id, family = %token.family_id, "refresh token reused; session family revoked");
        return Err(ApiError::unauthorized(
            ErrorCode::RefreshTokenReused,
            "This session was used from somewhere else and has been ended for safety; sign in again.",
        ));
    }
    let account = accounts::find_by_id(&state.db, &token.user_id).await?.ok_or_else(invalid)?;
    if account.status() != AccountStatus::Active {
        revoke_family(&state.db, &token.family_id).await?;
        return Err(invalid());
    }
    issue(state, account, token.family_id).await
}

/// Ends the session the refresh token belongs to. Unknown tokens are ignored: logout
/// is idempotent.
pub async fn logout(state: &AppState, presented: Option<String>) -> ApiResult<()> {
    let Some(presented) = presented else { return Ok(()) };
    if let Some(token) = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(secret::token_hash(&presented)))
        .one(&state.db)
        .await?
    {
        revoke_family(&state.db, &token.family_id).await?;
    }
    Ok(())
}

/// Revokes every token of a family.
pub async fn revoke_family(db: &impl ConnectionTrait, family_id: &str) -> ApiResult<()> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(refresh_token::Column::FamilyId.eq(family_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Revokes every session of an account, except optionally one family (the caller's).
pub async fn revoke_user_sessions(
    db: &impl ConnectionTrait,
    user_id: &str,
    except_family: Option<&str>,
) -> ApiResult<()> {
    let mut update = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(refresh_token::Column::UserId.eq(user_id))
        .filter(refresh_token::Column::RevokedAt.is_null());
    if let Some(family) = except_family {
        update = update.filter(refresh_token::Column::FamilyId.ne(family));
    }
    update.exec(db).await?;
    Ok(())
}
