//! Accounts: registration under the community's join policy, credential checks,
//! password changes and admin creation from the command line.

use actix_web::http::StatusCode;
use chrono::Utc;
use copse_shared::ErrorCode;
use copse_shared::auth::{AccountStatus, ChangePasswordRequest, RegisterRequest, Role};
use copse_shared::community::JoinPolicy;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::auth::jwt::Claims;
use crate::auth::{password, secret};
use crate::entities::{invitation, user};
use crate::error::{ApiError, ApiResult};
use crate::services::{community, sessions, validate};
use crate::state::AppState;

/// Reads an account by id.
pub async fn find_by_id(db: &impl ConnectionTrait, id: &str) -> ApiResult<Option<user::Model>> {
    Ok(user::Entity::find_by_id(id.to_owned()).one(db).await?)
}

/// The account behind a signed-in request, from memory when read less than
/// `COPSE_COMMUNITY_CACHE_MS` ago (one statement fewer on every signed-in request). A
/// change through this server shows at once ([`changed`]); one made through another
/// server (a suspension, a role change) takes effect within that time.
pub async fn signed_in(state: &AppState, id: &str) -> ApiResult<Option<user::Model>> {
    let trusted_for = std::time::Duration::from_millis(state.settings.community_cache_ms);
    let account = state.memo.accounts.get_or_read(id, trusted_for, find_by_id(&state.db, id)).await?;
    Ok(account.map(|account| (*account).clone()))
}

/// Drops the account and the member's name from memory after a change to the account
/// committed (status, role, password, name, deletion), so the next request reads them
/// again.
pub fn changed(state: &AppState, id: &str) {
    state.memo.accounts.forget(id);
    state.memo.names.forget(id);
}

/// Reads an account by (already normalised) email.
pub async fn find_by_email(db: &impl ConnectionTrait, email: &str) -> ApiResult<Option<user::Model>> {
    Ok(user::Entity::find().filter(user::Column::Email.eq(email)).one(db).await?)
}

fn email_taken() -> ApiError {
    ApiError::client(StatusCode::CONFLICT, ErrorCode::EmailTaken, "An account with this email address already exists.")
}

/// Registers an account. The first account of an empty instance becomes an active
/// admin whatever the policy, so a new community can always be set up.
pub async fn register(state: &AppState, request: RegisterRequest) -> ApiResult<user::Model> {
    let mut errors = validate::Errors::default();
    let email = validate::email(&mut errors, "email", &request.email);
    let display_name = validate::display_name(&mut errors, "display_name", &request.display_name);
    validate::password(&mut errors, "password", &request.password, &email);
    errors.finish()?;

    let settings = community::current(state).await?;
    if find_by_email(&state.db, &email).await?.is_some() {
        return Err(email_taken());
    }
    let is_first = user::Entity::find().count(&state.db).await? == 0;
    let policy = settings.join_policy();
    let invitation = match (&request.invitation_token, is_first, policy) {
        (_, true, _) => None,
        (None, false, JoinPolicy::Invite) => {
            return Err(ApiError::client(
                StatusCode::FORBIDDEN,
                ErrorCode::InvitationRequired,
                "This community is invite-only: register with the link from your invitation.",
            ));
        }
        (Some(token), false, _) => Some(usable_invitation(state, token, &email).await?),
        (None, false, _) => None,
    };
    let (role, status) = match (&invitation, is_first, policy) {
        (_, true, _) => (Role::Admin, AccountStatus::Active),
        (Some(invitation), _, _) => (invitation.to_dto().role, AccountStatus::Active),
        (None, _, JoinPolicy::Approval) => (Role::Member, AccountStatus::Pending),
        (None, _, _) => (Role::Member, AccountStatus::Active),
    };

    let password_hash = password::hash(request.password).await?;
    let now = Utc::now();
    let account = user::ActiveModel {
        id: Set(Uuid::new_v4().to_string()),
        email: Set(email),
        display_name: Set(display_name),
        password_hash: Set(password_hash),
        role: Set(role.as_str().to_owned()),
        status: Set(status.as_str().to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let txn = crate::db::begin(&state.db).await?;
    let created = account.insert(&txn).await.map_err(|e| match ApiError::from(e) {
        ApiError::Client { status: StatusCode::CONFLICT, .. } => email_taken(),
        other => other,
    })?;
    if let Some(invitation) = invitation {
        // The conditional update makes an invitation single-use even under a race.
        let claimed = invitation::Entity::update_many()
            .col_expr(invitation::Column::UsedAt, sea_orm::sea_query::Expr::value(now))
            .col_expr(invitation::Column::UsedBy, sea_orm::sea_query::Expr::value(created.id.clone()))
            .filter(invitation::Column::Id.eq(invitation.id))
            .filter(invitation::Column::UsedAt.is_null())
            .exec(&txn)
            .await?;
        if claimed.rows_affected != 1 {
            return Err(invalid_invitation());
        }
    }
    txn.commit().await?;
    tracing::info!(user_id = %created.id, role = %created.role, status = %created.status, "account registered");
    Ok(created)
}

fn invalid_invitation() -> ApiError {
    ApiError::field("invitation_token", "invalid", "This invitation is unknown, expired or already used.")
}

async fn usable_invitation(state: &AppState, token: &str, email: &str) -> ApiResult<invitation::Model> {
    let found = invitation::Entity::find()
        .filter(invitation::Column::TokenHash.eq(secret::token_hash(token.trim())))
        .one(&state.db)
        .await?
        .ok_or_else(invalid_invitation)?;
    if found.used_at.is_some() || found.expires_at <= Utc::now() {
        return Err(invalid_invitation());
    }
    if found.email.as_deref().is_some_and(|allowed| allowed != email) {
        return Err(ApiError::field(
            "invitation_token",
            "email_mismatch",
            "This invitation was sent to another email address.",
        ));
    }
    Ok(found)
}

/// Checks an email and password. Unknown emails cost the same hashing work as wrong
/// passwords and get the same answer.
pub async fn authenticate(state: &AppState, raw_email: &str, password_given: String) -> ApiResult<user::Model> {
    let wrong = || ApiError::unauthorized(ErrorCode::InvalidCredentials, "The email or password is incorrect.");
    let email = raw_email.trim().to_lowercase();
    let Some(account) = find_by_email(&state.db, &email).await? else {
        password::verify_dummy(password_given).await?;
        return Err(wrong());
    };
    if !password::verify(password_given, account.password_hash.clone()).await? {
        return Err(wrong());
    }
    match account.status() {
        AccountStatus::Active => Ok(account),
        AccountStatus::Pending => Err(ApiError::client(
            StatusCode::FORBIDDEN,
            ErrorCode::AccountPending,
            "Your registration is waiting for a facilitator's approval.",
        )),
        AccountStatus::Suspended => Err(ApiError::client(
            StatusCode::FORBIDDEN,
            ErrorCode::AccountSuspended,
            "This account is suspended. Contact the community's facilitators.",
        )),
    }
}

/// Changes the password and revokes every other session of the account.
pub async fn change_password(
    state: &AppState,
    account: &user::Model,
    claims: &Claims,
    request: ChangePasswordRequest,
) -> ApiResult<()> {
    let mut errors = validate::Errors::default();
    validate::password(&mut errors, "new_password", &request.new_password, &account.email);
    errors.finish()?;
    if !password::verify(request.current_password, account.password_hash.clone()).await? {
        return Err(ApiError::field("current_password", "incorrect", "The current password is incorrect."));
    }
    let hash = password::hash(request.new_password).await?;
    let mut active: user::ActiveModel = account.clone().into();
    active.password_hash = Set(hash);
    active.updated_at = Set(Utc::now());
    active.update(&state.db).await?;
    changed(state, &account.id);
    sessions::revoke_user_sessions(&state.db, &account.id, Some(&claims.sid)).await?;
    Ok(())
}

/// Creates an active admin (the `copse create-admin` command).
pub async fn create_admin(
    db: &sea_orm::DatabaseConnection,
    email: &str,
    display_name: &str,
    password_given: String,
) -> ApiResult<user::Model> {
    let mut errors = validate::Errors::default();
    let email = validate::email(&mut errors, "email", email);
    let display_name = validate::display_name(&mut errors, "name", display_name);
    validate::password(&mut errors, "password", &password_given, &email);
    errors.finish()?;
    if find_by_email(db, &email).await?.is_some() {
        return Err(email_taken());
    }
    let now = Utc::now();
    let account = user::ActiveModel {
        id: Set(Uuid::new_v4().to_string()),
        email: Set(email),
        display_name: Set(display_name),
        password_hash: Set(password::hash(password_given).await?),
        role: Set(Role::Admin.as_str().to_owned()),
        status: Set(AccountStatus::Active.as_str().to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
    };
    Ok(account.insert(db).await?)
}
