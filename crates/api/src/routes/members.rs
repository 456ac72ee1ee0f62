//! Member administration and invitations.

use actix_web::{HttpResponse, get, post, web};
use copse_shared::auth::{AccountStatus, Role, User};
use copse_shared::members::{CreateInvitationRequest, CreatedInvitation};
use copse_shared::{Page, Problem};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::services::{invitations, members};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_members).service(approve_member).service(create_invitation);
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
    Ok(web::Json(members::list(&state, &auth.user, filter).await?))
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
    Ok(web::Json(members::approve(&state, &auth.user, &id).await?.to_dto()))
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
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/invitations")]
pub async fn create_invitation(
    auth: AuthUser,
    state: web::Data<AppState>,
    body: web::Json<CreateInvitationRequest>,
) -> ApiResult<HttpResponse> {
    let (invitation, token) = invitations::create(&state, &auth.user, body.into_inner()).await?;
    let register_path = format!("/register?invite={token}");
    Ok(HttpResponse::Created().json(CreatedInvitation { invitation: invitation.to_dto(), token, register_path }))
}
