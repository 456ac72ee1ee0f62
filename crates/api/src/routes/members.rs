//! Member administration and invitations to the community.

use actix_web::{HttpResponse, delete, get, post, put, web};
use copse_shared::auth::{AccountStatus, Role, User};
use copse_shared::members::{ChangeRoleRequest, CreateInvitationRequest, CreatedInvitation, Invitation};
use copse_shared::{Page, Problem};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::services::{invitations, members};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_members)
        .service(approve_member)
        .service(reject_member)
        .service(change_member_role)
        .service(suspend_member)
        .service(reinstate_member)
        .service(create_invitation)
        .service(list_invitations)
        .service(revoke_invitation);
}

/// Filters and paging of the member list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MembersQuery {
    /// Only accounts with this status (`pending` lists registrations awaiting approval).
    pub status: Option<AccountStatus>,
    /// Only accounts with this role.
    pub role: Option<Role>,
    /// Page size, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Paging only.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page size, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Accounts, newest first (facilitators and admins).
#[utoipa::path(
    tag = "members",
    operation_id = "list_members",
    security(("bearer_jwt" = [])),
    params(MembersQuery),
    responses(
        (status = 200, description = "One page of accounts", body = Page<User>),
        (status = 403, description = "Not a facilitator or admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Limit out of range", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/members")]
pub async fn list_members(
    auth: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<MembersQuery>,
) -> ApiResult<web::Json<Page<User>>> {
    let query = query.into_inner();
    let filter =
        members::MemberFilter { status: query.status, role: query.role, limit: query.limit, cursor: query.cursor };
    Ok(web::Json(members::list(&state, &auth.actor(), filter).await?))
}

/// Approves a registration that waits under the `approval` join policy.
#[utoipa::path(
    tag = "members",
    operation_id = "approve_member",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The account's id")),
    responses(
        (status = 200, description = "The approved account", body = User),
        (status = 403, description = "Not a facilitator or admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The account is not pending", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/members/{id}/approve")]
pub async fn approve_member(
    auth: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<web::Json<User>> {
    Ok(web::Json(members::approve(&state, &auth.actor(), &id).await?.to_dto()))
}

/// Rejects a pending registration. The account is deleted (the person may register
/// again later); the audit log keeps the email.
#[utoipa::path(
    tag = "members",
    operation_id = "reject_member",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The account's id")),
    responses(
        (status = 204, description = "Rejected"),
        (status = 403, description = "Not a facilitator or admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The account is not pending", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/members/{id}/reject")]
pub async fn reject_member(
    auth: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    members::reject(&state, &auth.actor(), &id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Changes a member's site role (admins only). The last admin cannot step down.
#[utoipa::path(
    tag = "members",
    operation_id = "change_member_role",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The account's id")),
    request_body = ChangeRoleRequest,
    responses(
        (status = 200, description = "The account with its new role", body = User),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "It would leave the community without an admin", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/members/{id}/role")]
pub async fn change_member_role(
    auth: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<ChangeRoleRequest>,
) -> ApiResult<web::Json<User>> {
    Ok(web::Json(members::change_role(&state, &auth.actor(), &id, body.role).await?.to_dto()))
}

/// Suspends an account: it can no longer sign in, and its access and refresh tokens
/// stop working at once. Facilitators may suspend members; admins anyone but themselves.
#[utoipa::path(
    tag = "members",
    operation_id = "suspend_member",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The account's id")),
    responses(
        (status = 200, description = "The suspended account", body = User),
        (status = 403, description = "Not allowed to suspend this account", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/members/{id}/suspend")]
pub async fn suspend_member(
    auth: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<web::Json<User>> {
    Ok(web::Json(members::suspend(&state, &auth.actor(), &id).await?.to_dto()))
}

/// Lifts a suspension.
#[utoipa::path(
    tag = "members",
    operation_id = "reinstate_member",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The account's id")),
    responses(
        (status = 200, description = "The reinstated account", body = User),
        (status = 403, description = "Not allowed to reinstate this account", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The account is not suspended", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/members/{id}/reinstate")]
pub async fn reinstate_member(
    auth: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<web::Json<User>> {
    Ok(web::Json(members::reinstate(&state, &auth.actor(), &id).await?.to_dto()))
}

/// Creates an invitation; its token is returned once and stored only as a hash.
#[utoipa::path(
    tag = "members",
    operation_id = "create_invitation",
    security(("bearer_jwt" = [])),
    request_body = CreateInvitationRequest,
    responses(
        (status = 201, description = "The invitation and its token", body = CreatedInvitation),
        (status = 403, description = "Not allowed to invite (or to invite staff)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/invitations")]
pub async fn create_invitation(
    auth: AuthUser,
    state: web::Data<AppState>,
    body: web::Json<CreateInvitationRequest>,
) -> ApiResult<HttpResponse> {
    let (invitation, token) = invitations::create(&state, &auth.actor(), body.into_inner()).await?;
    let register_path = format!("/register?invite={token}");
    Ok(HttpResponse::Created().json(CreatedInvitation { invitation: invitation.to_dto(), token, register_path }))
}

/// Invitations, newest first (facilitators and admins). Tokens are never listed.
#[utoipa::path(
    tag = "members",
    operation_id = "list_invitations",
    security(("bearer_jwt" = [])),
    params(PageQuery),
    responses(
        (status = 200, description = "One page of invitations", body = Page<Invitation>),
        (status = 403, description = "Not a facilitator or admin", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/invitations")]
pub async fn list_invitations(
    auth: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> ApiResult<web::Json<Page<Invitation>>> {
    let query = query.into_inner();
    Ok(web::Json(invitations::list(&state, &auth.actor(), query.limit, query.cursor).await?))
}

/// Revokes an unused invitation.
#[utoipa::path(
    tag = "members",
    operation_id = "revoke_invitation",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The invitation's id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 403, description = "Not a facilitator or admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such invitation", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already used", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/invitations/{id}")]
pub async fn revoke_invitation(
    auth: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    invitations::revoke(&state, &auth.actor(), &id).await?;
    Ok(HttpResponse::NoContent().finish())
}
