//! Groups and their membership.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use copse_shared::groups::{
    ChangeGroupRoleRequest, CreateGroupRequest, Group, GroupMember, InviteToGroupRequest, JoinResult, MembershipStatus,
    UpdateGroupRequest,
};
use copse_shared::{Page, Problem};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::{AuthUser, MaybeAuthUser};
use crate::error::ApiResult;
use crate::services::groups;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_groups)
        .service(create_group)
        .service(get_group)
        .service(update_group)
        .service(archive_group)
        .service(unarchive_group)
        .service(join_group)
        .service(leave_group)
        .service(list_group_members)
        .service(invite_to_group)
        .service(approve_group_request)
        .service(deny_group_request)
        .service(remove_group_member)
        .service(change_group_role);
}

fn with_etag(group: Group) -> HttpResponse {
    HttpResponse::Ok().insert_header((header::ETAG, groups::etag(&group))).json(group)
}

/// Filters and paging of the group list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GroupsQuery {
    /// Only the caller's groups (member, invited or requested).
    pub mine: Option<bool>,
    /// Include archived groups.
    pub include_archived: Option<bool>,
    /// Page size, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The groups the caller may see, by name. Members see public groups and the private
/// groups they belong to or are invited to; site facilitators and admins see all;
/// anonymous visitors see public groups only if the community allows public reading.
#[utoipa::path(
    tag = "groups",
    operation_id = "list_groups",
    security((), ("bearer_jwt" = [])),
    params(GroupsQuery),
    responses(
        (status = 200, description = "One page of groups", body = Page<Group>),
        (status = 401, description = "Sign in required (public reading is off)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/groups")]
pub async fn list_groups(
    auth: MaybeAuthUser,
    state: web::Data<AppState>,
    query: web::Query<GroupsQuery>,
) -> ApiResult<web::Json<Page<Group>>> {
    let q = query.into_inner();
    let filter = groups::GroupFilter {
        mine: q.mine.unwrap_or(false),
        include_archived: q.include_archived.unwrap_or(false),
        limit: q.limit,
        cursor: q.cursor,
    };
    Ok(web::Json(groups::list(&state, &auth.actor(), filter).await?))
}

/// Creates a group (site facilitators and admins); its creator becomes its facilitator.
#[utoipa::path(
    tag = "groups",
    operation_id = "create_group",
    security(("bearer_jwt" = [])),
    request_body = CreateGroupRequest,
    responses(
        (status = 201, description = "The new group", body = Group,
            headers(("Location" = String, description = "The group's address"), ("ETag" = String, description = "Its version"))),
        (status = 403, description = "Not a site facilitator or admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or the slug is taken", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/groups")]
pub async fn create_group(
    auth: AuthUser,
    state: web::Data<AppState>,
    body: web::Json<CreateGroupRequest>,
) -> ApiResult<HttpResponse> {
    let group = groups::create(&state, &auth.actor(), body.into_inner()).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/groups/{}", group.id)))
        .insert_header((header::ETAG, groups::etag(&group)))
        .json(group))
}

/// One group, by id or slug. A private group answers 404 to non-members.
#[utoipa::path(
    tag = "groups",
    operation_id = "get_group",
    security((), ("bearer_jwt" = [])),
    params(("group" = String, Path, description = "The group's id or slug")),
    responses(
        (status = 200, description = "The group", body = Group, headers(("ETag" = String, description = "Its version"))),
        (status = 401, description = "Sign in required (public reading is off)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such group, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/groups/{group}")]
pub async fn get_group(
    auth: MaybeAuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    Ok(with_etag(groups::get(&state, &auth.actor(), &path).await?))
}

/// Replaces a group's name, description and visibility (site staff and the group's
/// facilitators; only site staff may change visibility). Send `If-Match`.
#[utoipa::path(
    tag = "groups",
    operation_id = "update_group",
    security(("bearer_jwt" = [])),
    params(
        ("group" = String, Path, description = "The group's id or slug"),
        ("If-Match" = Option<String>, Header, description = "The ETag of the version being edited"),
    ),
    request_body = UpdateGroupRequest,
    responses(
        (status = 200, description = "The updated group", body = Group, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "Not allowed to edit this group", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such group, or not visible", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The group is archived", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The group changed since the given ETag", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/groups/{group}")]
pub async fn update_group(
    req: HttpRequest,
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<UpdateGroupRequest>,
) -> ApiResult<HttpResponse> {
    let if_match = req.headers().get(header::IF_MATCH).and_then(|v| v.to_str().ok());
    Ok(with_etag(groups::update(&state, &auth.actor(), &path, if_match, body.into_inner()).await?))
}

/// Archives a group: it becomes read-only and leaves default lists (site staff).
#[utoipa::path(
    tag = "groups",
    operation_id = "archive_group",
    security(("bearer_jwt" = [])),
    params(("group" = String, Path, description = "The group's id or slug")),
    responses(
        (status = 200, description = "The archived group", body = Group),
        (status = 403, description = "Not a site facilitator or admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such group, or not visible", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/groups/{group}/archive")]
pub async fn archive_group(
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    Ok(with_etag(groups::set_archived(&state, &auth.actor(), &path, true).await?))
}

/// Brings an archived group back (site staff).
#[utoipa::path(
    tag = "groups",
    operation_id = "unarchive_group",
    security(("bearer_jwt" = [])),
    params(("group" = String, Path, description = "The group's id or slug")),
    responses(
        (status = 200, description = "The group", body = Group),
        (status = 403, description = "Not a site facilitator or admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such group, or not visible", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/groups/{group}/unarchive")]
pub async fn unarchive_group(
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    Ok(with_etag(groups::set_archived(&state, &auth.actor(), &path, false).await?))
}

/// Joins a public group, accepts an invitation, or asks to join a private group. For
/// a private group you are not invited to, the answer is `requested` whether or not
/// the group exists, so asking reveals nothing.
#[utoipa::path(
    tag = "groups",
    operation_id = "join_group",
    security(("bearer_jwt" = [])),
    params(("group" = String, Path, description = "The group's id or slug")),
    responses(
        (status = 200, description = "The membership's status now", body = JoinResult),
        (status = 409, description = "The group is archived", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/groups/{group}/join")]
pub async fn join_group(
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> ApiResult<web::Json<JoinResult>> {
    Ok(web::Json(groups::join(&state, &auth.actor(), &path).await?))
}

/// Leaves a group, withdraws a request or declines an invitation. A group's only
/// facilitator must hand over first.
#[utoipa::path(
    tag = "groups",
    operation_id = "leave_group",
    security(("bearer_jwt" = [])),
    params(("group" = String, Path, description = "The group's id or slug")),
    responses(
        (status = 204, description = "Left"),
        (status = 404, description = "Not a member of such a group", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The only facilitator cannot leave (`last_facilitator`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/groups/{group}/leave")]
pub async fn leave_group(
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    groups::leave(&state, &auth.actor(), &path).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Filters and paging of a group's members.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GroupMembersQuery {
    /// `active` (default) for members; `requested` and `invited` for the group's managers.
    pub status: Option<MembershipStatus>,
    /// Page size, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A group's members by name; its facilitators also see requests and invitations.
#[utoipa::path(
    tag = "groups",
    operation_id = "list_group_members",
    security(("bearer_jwt" = [])),
    params(("group" = String, Path, description = "The group's id or slug"), GroupMembersQuery),
    responses(
        (status = 200, description = "One page of memberships", body = Page<GroupMember>),
        (status = 403, description = "Requests and invitations are for the group's facilitators", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such group, or not visible", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/groups/{group}/members")]
pub async fn list_group_members(
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<GroupMembersQuery>,
) -> ApiResult<web::Json<Page<GroupMember>>> {
    let q = query.into_inner();
    Ok(web::Json(groups::members(&state, &auth.actor(), &path, q.status, q.limit, q.cursor).await?))
}

/// Invites a member into the group (its facilitators and site staff). Inviting
/// someone who asked to join approves them.
#[utoipa::path(
    tag = "groups",
    operation_id = "invite_to_group",
    security(("bearer_jwt" = [])),
    params(("group" = String, Path, description = "The group's id or slug")),
    request_body = InviteToGroupRequest,
    responses(
        (status = 201, description = "The invitation (or the approved membership)", body = GroupMember),
        (status = 403, description = "Not a facilitator of this group", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such group, or not visible", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already a member, or the group is archived", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/groups/{group}/invitations")]
pub async fn invite_to_group(
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<InviteToGroupRequest>,
) -> ApiResult<HttpResponse> {
    let member = groups::invite(&state, &auth.actor(), &path, &body.email).await?;
    Ok(HttpResponse::Created().json(member))
}

/// Approves a request to join. Approving an already approved member answers the
/// same membership again.
#[utoipa::path(
    tag = "groups",
    operation_id = "approve_group_request",
    security(("bearer_jwt" = [])),
    params(("group" = String, Path, description = "The group's id or slug"), ("user" = String, Path, description = "The member's id")),
    responses(
        (status = 200, description = "The new membership", body = GroupMember),
        (status = 403, description = "Not a facilitator of this group", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such group or request", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The person is invited, not asking", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/groups/{group}/members/{user}/approve")]
pub async fn approve_group_request(
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> ApiResult<web::Json<GroupMember>> {
    let (group, user) = path.into_inner();
    Ok(web::Json(groups::approve(&state, &auth.actor(), &group, &user).await?))
}

/// Denies a request to join.
#[utoipa::path(
    tag = "groups",
    operation_id = "deny_group_request",
    security(("bearer_jwt" = [])),
    params(("group" = String, Path, description = "The group's id or slug"), ("user" = String, Path, description = "The member's id")),
    responses(
        (status = 204, description = "Denied"),
        (status = 403, description = "Not a facilitator of this group", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such group or request", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a pending request", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/groups/{group}/members/{user}/deny")]
pub async fn deny_group_request(
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (group, user) = path.into_inner();
    groups::deny(&state, &auth.actor(), &group, &user).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Removes a member or cancels an invitation. A group's only facilitator stays.
#[utoipa::path(
    tag = "groups",
    operation_id = "remove_group_member",
    security(("bearer_jwt" = [])),
    params(("group" = String, Path, description = "The group's id or slug"), ("user" = String, Path, description = "The member's id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, description = "Not a facilitator of this group", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such group or membership", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The only facilitator cannot be removed (`last_facilitator`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/groups/{group}/members/{user}")]
pub async fn remove_group_member(
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (group, user) = path.into_inner();
    groups::remove(&state, &auth.actor(), &group, &user).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Changes a member's role in the group.
#[utoipa::path(
    tag = "groups",
    operation_id = "change_group_role",
    security(("bearer_jwt" = [])),
    params(("group" = String, Path, description = "The group's id or slug"), ("user" = String, Path, description = "The member's id")),
    request_body = ChangeGroupRoleRequest,
    responses(
        (status = 200, description = "The membership with its new role", body = GroupMember),
        (status = 403, description = "Not a facilitator of this group", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such group or membership", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not an active member", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The last facilitator cannot step down (`last_facilitator`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/groups/{group}/members/{user}/role")]
pub async fn change_group_role(
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Json<ChangeGroupRoleRequest>,
) -> ApiResult<web::Json<GroupMember>> {
    let (group, user) = path.into_inner();
    Ok(web::Json(groups::change_role(&state, &auth.actor(), &group, &user, body.role).await?))
}
