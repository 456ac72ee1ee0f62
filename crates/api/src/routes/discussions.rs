//! Discussions: categories, topics, posts, reactions, moderation, watches and
//! notifications.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use copse_shared::discussions::{
    AcceptAnswerRequest, Category, CategoryRequest, CreatePostRequest, CreateTopicRequest, Flag, FlagRequest,
    FlagStatus, MarkReadRequest, MoveTopicRequest, Notification, Post, PostRevision, ReactionKind, ResolveFlagRequest,
    SplitTopicRequest, Topic, TopicKind, TopicStateRequest, TopicSummary, UnreadCount, UpdatePostRequest,
    UpdateTopicRequest, Watch, WatchTarget,
};
use copse_shared::partners::Scope;
use copse_shared::{Page, Problem};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::{AuthUser, MaybeApiClient, MaybeAuthUser};
use crate::error::{ApiError, ApiResult};
use crate::services::discussions::{categories, moderation, notify, posts, topics};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_categories)
        .service(create_category)
        .service(update_category)
        .service(list_topics)
        .service(create_topic)
        .service(get_topic)
        .service(update_topic)
        .service(list_posts)
        .service(create_post)
        .service(accept_answer)
        .service(unaccept_answer)
        .service(set_topic_state)
        .service(move_topic)
        .service(split_topic)
        .service(get_post)
        .service(update_post)
        .service(delete_post)
        .service(list_revisions)
        .service(add_reaction)
        .service(remove_reaction)
        .service(flag_post)
        .service(hide_post)
        .service(restore_post)
        .service(list_flags)
        .service(resolve_flag)
        .service(list_watches)
        .service(add_watch)
        .service(remove_watch)
        .service(list_notifications)
        .service(get_unread_count)
        .service(mark_notifications_read);
}

fn if_match(req: &HttpRequest) -> Option<&str> {
    req.headers().get(header::IF_MATCH).and_then(|v| v.to_str().ok())
}

fn topic_response(topic: Topic) -> HttpResponse {
    HttpResponse::Ok().insert_header((header::ETAG, topics::etag(&topic))).json(topic)
}

/// Every category, in order.
#[utoipa::path(
    tag = "discussions",
    operation_id = "list_categories",
    security((), ("bearer_jwt" = [])),
    responses(
        (status = 200, description = "The categories", body = [Category]),
        (status = 401, description = "Sign in required (public reading is off)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/categories")]
pub async fn list_categories(auth: MaybeAuthUser, state: web::Data<AppState>) -> ApiResult<web::Json<Vec<Category>>> {
    Ok(web::Json(categories::list(&state, &auth.actor()).await?))
}

/// Creates a category (site facilitators and admins).
#[utoipa::path(
    tag = "discussions",
    operation_id = "create_category",
    security(("bearer_jwt" = [])),
    request_body = CategoryRequest,
    responses(
        (status = 201, description = "The new category", body = Category),
        (status = 403, description = "Not a site facilitator or admin", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/categories")]
pub async fn create_category(
    auth: AuthUser,
    state: web::Data<AppState>,
    body: web::Json<CategoryRequest>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Created().json(categories::create(&state, &auth.actor(), body.into_inner()).await?))
}

/// Renames, describes or reorders a category.
#[utoipa::path(
    tag = "discussions",
    operation_id = "update_category",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The category's id or slug")),
    request_body = CategoryRequest,
    responses(
        (status = 200, description = "The category", body = Category),
        (status = 403, description = "Not a site facilitator or admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such category", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/categories/{id}")]
pub async fn update_category(
    auth: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<CategoryRequest>,
) -> ApiResult<web::Json<Category>> {
    Ok(web::Json(categories::update(&state, &auth.actor(), &id, body.into_inner()).await?))
}

/// Filters and paging of the topic list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TopicsQuery {
    /// Only this category (id or slug).
    pub category: Option<String>,
    /// Only this group (id or slug), or `community` for community-wide topics.
    pub group: Option<String>,
    /// Only topics with this tag.
    pub tag: Option<String>,
    /// Only topics started by this member (id).
    pub author: Option<String>,
    /// Only discussions or only questions.
    pub kind: Option<TopicKind>,
    /// Only questions without an accepted answer.
    pub unanswered: Option<bool>,
    /// Page size, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Topics the caller may read: pinned first, then by latest activity.
#[utoipa::path(
    tag = "discussions",
    operation_id = "list_topics",
    security((), ("bearer_jwt" = []), ("api_key" = ["discussions:read"])),
    params(TopicsQuery),
    responses(
        (status = 200, description = "One page of topics", body = Page<TopicSummary>),
        (status = 401, description = "Sign in required (public reading is off)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/topics")]
pub async fn list_topics(
    auth: MaybeApiClient,
    state: web::Data<AppState>,
    query: web::Query<TopicsQuery>,
) -> ApiResult<web::Json<std::sync::Arc<Page<TopicSummary>>>> {
    let q = query.into_inner();
    let filter = topics::TopicFilter {
        category: q.category,
        group: q.group,
        tag: q.tag,
        author: q.author,
        kind: q.kind,
        unanswered: q.unanswered.unwrap_or(false),
        limit: q.limit,
        cursor: q.cursor,
    };
    Ok(web::Json(topics::list(&state, &auth.actor_for(Scope::DiscussionsRead)?, filter).await?))
}

/// Starts a topic in the community or in a group the caller belongs to. `@name`
/// mentions notify members; watchers of the category and group are notified.
#[utoipa::path(
    tag = "discussions",
    operation_id = "create_topic",
    security(("bearer_jwt" = [])),
    request_body = CreateTopicRequest,
    responses(
        (status = 201, description = "The new topic", body = Topic, headers(("Location" = String, description = "The topic's address"))),
        (status = 403, description = "Not a member of the group", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (empty or long title or body, unknown category or group, bad tags)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/topics")]
pub async fn create_topic(
    auth: AuthUser,
    state: web::Data<AppState>,
    body: web::Json<CreateTopicRequest>,
) -> ApiResult<HttpResponse> {
    let topic = topics::create(&state, &auth.actor(), body.into_inner()).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/topics/{}", topic.summary.id)))
        .insert_header((header::ETAG, topics::etag(&topic)))
        .json(topic))
}

/// A topic with its opening post, what the caller may do, and whether they watch it.
#[utoipa::path(
    tag = "discussions",
    operation_id = "get_topic",
    security((), ("bearer_jwt" = []), ("api_key" = ["discussions:read"])),
    params(("id" = String, Path, description = "The topic's id")),
    responses(
        (status = 200, description = "The topic", body = Topic, headers(("ETag" = String, description = "Its version"))),
        (status = 401, description = "Sign in required (public reading is off)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such topic, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/topics/{id}")]
pub async fn get_topic(
    auth: MaybeApiClient,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    Ok(topic_response(topics::get(&state, &auth.actor_for(Scope::DiscussionsRead)?, &id).await?))
}

/// Edits the title and tags (the author or a moderator). Send `If-Match`.
#[utoipa::path(
    tag = "discussions",
    operation_id = "update_topic",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The topic's id"), ("If-Match" = Option<String>, Header, description = "The ETag being edited")),
    request_body = UpdateTopicRequest,
    responses(
        (status = 200, description = "The topic", body = Topic),
        (status = 403, description = "Not the author or a moderator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such topic, or not visible", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The topic changed since the given ETag", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/topics/{id}")]
pub async fn update_topic(
    req: HttpRequest,
    auth: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<UpdateTopicRequest>,
) -> ApiResult<HttpResponse> {
    Ok(topic_response(topics::update(&state, &auth.actor(), &id, if_match(&req), body.into_inner()).await?))
}

/// Paging of posts.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PostsQuery {
    /// Page size, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A topic's posts in order, the opening post first. Deleted posts stay as
/// tombstones; hidden ones are empty for non-moderators.
#[utoipa::path(
    tag = "discussions",
    operation_id = "list_posts",
    security((), ("bearer_jwt" = []), ("api_key" = ["discussions:read"])),
    params(("id" = String, Path, description = "The topic's id"), PostsQuery),
    responses(
        (status = 200, description = "One page of posts", body = Page<Post>),
        (status = 401, description = "Sign in required (public reading is off)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such topic, or not visible", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/topics/{id}/posts")]
pub async fn list_posts(
    auth: MaybeApiClient,
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: web::Query<PostsQuery>,
) -> ApiResult<web::Json<Page<Post>>> {
    let q = query.into_inner();
    Ok(web::Json(posts::list(&state, &auth.actor_for(Scope::DiscussionsRead)?, &id, q.limit, q.cursor).await?))
}

/// Replies to a topic, optionally quoting a post of it.
#[utoipa::path(
    tag = "discussions",
    operation_id = "create_post",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The topic's id")),
    request_body = CreatePostRequest,
    responses(
        (status = 201, description = "The reply", body = Post),
        (status = 403, description = "Not a member of the topic's group", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such topic, or not visible", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The topic is locked (`topic_locked`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/topics/{id}/posts")]
pub async fn create_post(
    auth: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<CreatePostRequest>,
) -> ApiResult<HttpResponse> {
    let post = posts::create(&state, &auth.actor(), &id, body.into_inner()).await?;
    Ok(HttpResponse::Created().insert_header((header::LOCATION, format!("/api/v1/posts/{}", post.id))).json(post))
}

/// Marks a reply as the accepted answer of a question (its asker or a moderator).
#[utoipa::path(
    tag = "discussions",
    operation_id = "accept_answer",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The topic's id")),
    request_body = AcceptAnswerRequest,
    responses(
        (status = 200, description = "The solved question", body = Topic),
        (status = 403, description = "Not the asker or a moderator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such topic, or not visible", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a question, not a reply of it, or already accepted", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/topics/{id}/accept")]
pub async fn accept_answer(
    auth: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<AcceptAnswerRequest>,
) -> ApiResult<HttpResponse> {
    Ok(topic_response(topics::accept(&state, &auth.actor(), &id, &body.post_id).await?))
}

/// Withdraws the accepted answer.
#[utoipa::path(
    tag = "discussions",
    operation_id = "unaccept_answer",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The topic's id")),
    responses(
        (status = 200, description = "The question", body = Topic),
        (status = 403, description = "Not the asker or a moderator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such topic, or not visible", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/topics/{id}/accept")]
pub async fn unaccept_answer(
    auth: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    Ok(topic_response(topics::unaccept(&state, &auth.actor(), &id).await?))
}

/// Pins, locks or hides a topic (moderators: site staff, or the group's facilitators).
#[utoipa::path(
    tag = "moderation",
    operation_id = "set_topic_state",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The topic's id")),
    request_body = TopicStateRequest,
    responses(
        (status = 200, description = "The topic", body = Topic),
        (status = 403, description = "Not a moderator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such topic, or not visible", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/topics/{id}/state")]
pub async fn set_topic_state(
    auth: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<TopicStateRequest>,
) -> ApiResult<HttpResponse> {
    Ok(topic_response(moderation::set_state(&state, &auth.actor(), &id, body.into_inner()).await?))
}

/// Moves a topic to another category (moderators).
#[utoipa::path(
    tag = "moderation",
    operation_id = "move_topic",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The topic's id")),
    request_body = MoveTopicRequest,
    responses(
        (status = 200, description = "The topic", body = Topic),
        (status = 403, description = "Not a moderator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such topic, or not visible", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/topics/{id}/move")]
pub async fn move_topic(
    auth: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<MoveTopicRequest>,
) -> ApiResult<HttpResponse> {
    Ok(topic_response(moderation::move_topic(&state, &auth.actor(), &id, body.into_inner()).await?))
}

/// Moves replies into a new topic (moderators); answers the new topic.
#[utoipa::path(
    tag = "moderation",
    operation_id = "split_topic",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The topic's id")),
    request_body = SplitTopicRequest,
    responses(
        (status = 201, description = "The new topic", body = Topic),
        (status = 403, description = "Not a moderator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such topic, or not visible", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/topics/{id}/split")]
pub async fn split_topic(
    auth: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<SplitTopicRequest>,
) -> ApiResult<HttpResponse> {
    let topic = moderation::split_topic(&state, &auth.actor(), &id, body.into_inner()).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/topics/{}", topic.summary.id)))
        .json(topic))
}

fn post_response(post: Post, etag: String) -> HttpResponse {
    HttpResponse::Ok().insert_header((header::ETAG, etag)).json(post)
}

/// One post, with the ETag to send when editing it.
#[utoipa::path(
    tag = "discussions",
    operation_id = "get_post",
    security((), ("bearer_jwt" = []), ("api_key" = ["discussions:read"])),
    params(("id" = String, Path, description = "The post's id")),
    responses(
        (status = 200, description = "The post", body = Post, headers(("ETag" = String, description = "Its version"))),
        (status = 401, description = "Sign in required (public reading is off)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such post, or not visible", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/posts/{id}")]
pub async fn get_post(
    auth: MaybeApiClient,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let (post, etag) = posts::get(&state, &auth.actor_for(Scope::DiscussionsRead)?, &id).await?;
    Ok(post_response(post, etag))
}

/// Edits a post (its author or a moderator); the previous text is kept as a revision
/// and the post shows as edited. Send `If-Match`.
#[utoipa::path(
    tag = "discussions",
    operation_id = "update_post",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The post's id"), ("If-Match" = Option<String>, Header, description = "The ETag being edited")),
    request_body = UpdatePostRequest,
    responses(
        (status = 200, description = "The post", body = Post, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "Not the author or a moderator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such post, or not visible", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The post is deleted", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The post changed since the given ETag", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/posts/{id}")]
pub async fn update_post(
    req: HttpRequest,
    auth: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<UpdatePostRequest>,
) -> ApiResult<HttpResponse> {
    let (post, etag) = posts::update(&state, &auth.actor(), &id, if_match(&req), body.into_inner()).await?;
    Ok(post_response(post, etag))
}

/// Deletes a post (its author or a moderator), leaving a tombstone. Deleting the
/// opening post deletes the topic.
#[utoipa::path(
    tag = "discussions",
    operation_id = "delete_post",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The post's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not the author or a moderator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such post, or not visible", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/posts/{id}")]
pub async fn delete_post(auth: AuthUser, state: web::Data<AppState>, id: web::Path<String>) -> ApiResult<HttpResponse> {
    posts::delete(&state, &auth.actor(), &id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A post's earlier texts, newest first.
#[utoipa::path(
    tag = "discussions",
    operation_id = "list_revisions",
    security((), ("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The post's id")),
    responses(
        (status = 200, description = "The revisions", body = [PostRevision]),
        (status = 401, description = "Sign in required (public reading is off)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such post, or not visible", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/posts/{id}/revisions")]
pub async fn list_revisions(
    auth: MaybeAuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<web::Json<Vec<PostRevision>>> {
    Ok(web::Json(posts::revisions(&state, &auth.actor(), &id).await?))
}

fn reaction_kind(raw: &str) -> ApiResult<ReactionKind> {
    ReactionKind::parse(raw)
        .ok_or_else(|| ApiError::bad_request("Unknown reaction: use like, thanks, insightful or celebrate."))
}

/// Reacts to a post; giving the same reaction twice changes nothing.
#[utoipa::path(
    tag = "discussions",
    operation_id = "add_reaction",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The post's id"), ("kind" = ReactionKind, Path, description = "The reaction")),
    responses(
        (status = 200, description = "The post with its reactions", body = Post),
        (status = 404, description = "No such post, or not visible", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The post is deleted or hidden", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/posts/{id}/reactions/{kind}")]
pub async fn add_reaction(
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> ApiResult<web::Json<Post>> {
    let (id, kind) = path.into_inner();
    Ok(web::Json(posts::react(&state, &auth.actor(), &id, reaction_kind(&kind)?).await?))
}

/// Takes a reaction back.
#[utoipa::path(
    tag = "discussions",
    operation_id = "remove_reaction",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The post's id"), ("kind" = ReactionKind, Path, description = "The reaction")),
    responses(
        (status = 200, description = "The post with its reactions", body = Post),
        (status = 404, description = "No such post, or not visible", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The post is deleted or hidden", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/posts/{id}/reactions/{kind}")]
pub async fn remove_reaction(
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> ApiResult<web::Json<Post>> {
    let (id, kind) = path.into_inner();
    Ok(web::Json(posts::unreact(&state, &auth.actor(), &id, reaction_kind(&kind)?).await?))
}

/// Flags a post for moderators, with a reason.
#[utoipa::path(
    tag = "moderation",
    operation_id = "flag_post",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The post's id")),
    request_body = FlagRequest,
    responses(
        (status = 204, description = "Flagged"),
        (status = 404, description = "No such post, or not visible", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/posts/{id}/flags")]
pub async fn flag_post(
    auth: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<FlagRequest>,
) -> ApiResult<HttpResponse> {
    posts::flag(&state, &auth.actor(), &id, &body.reason).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Hides a post from members (moderators); its open flags are resolved.
#[utoipa::path(
    tag = "moderation",
    operation_id = "hide_post",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The post's id")),
    responses(
        (status = 200, description = "The hidden post", body = Post),
        (status = 403, description = "Not a moderator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such post, or not visible", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/posts/{id}/hide")]
pub async fn hide_post(
    auth: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<web::Json<Post>> {
    Ok(web::Json(moderation::set_post_hidden(&state, &auth.actor(), &id, true).await?))
}

/// Restores a hidden post (moderators).
#[utoipa::path(
    tag = "moderation",
    operation_id = "restore_post",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The post's id")),
    responses(
        (status = 200, description = "The restored post", body = Post),
        (status = 403, description = "Not a moderator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such post, or not visible", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/posts/{id}/restore")]
pub async fn restore_post(
    auth: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<web::Json<Post>> {
    Ok(web::Json(moderation::set_post_hidden(&state, &auth.actor(), &id, false).await?))
}

/// Filters and paging of the flag queue.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FlagsQuery {
    /// Only flags with this status (default `open`).
    pub status: Option<FlagStatus>,
    /// Page size, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The moderation queue, newest first: site staff see every flag, group
/// facilitators those in their groups.
#[utoipa::path(
    tag = "moderation",
    operation_id = "list_flags",
    security(("bearer_jwt" = [])),
    params(FlagsQuery),
    responses(
        (status = 200, description = "One page of flags", body = Page<Flag>),
        (status = 403, description = "Not a moderator", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/flags")]
pub async fn list_flags(
    auth: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<FlagsQuery>,
) -> ApiResult<web::Json<Page<Flag>>> {
    let q = query.into_inner();
    Ok(web::Json(moderation::list_flags(&state, &auth.actor(), q.status, q.limit, q.cursor).await?))
}

/// Resolves a flag: `dismissed`, or `actioned` (hides the post).
#[utoipa::path(
    tag = "moderation",
    operation_id = "resolve_flag",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The flag's id")),
    request_body = ResolveFlagRequest,
    responses(
        (status = 200, description = "The resolved flag", body = Flag),
        (status = 403, description = "Not a moderator of that post", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such flag", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/flags/{id}/resolve")]
pub async fn resolve_flag(
    auth: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<ResolveFlagRequest>,
) -> ApiResult<web::Json<Flag>> {
    Ok(web::Json(moderation::resolve_flag(&state, &auth.actor(), &id, body.outcome).await?))
}

/// What the caller watches.
#[utoipa::path(
    tag = "notifications",
    operation_id = "list_watches",
    security(("bearer_jwt" = [])),
    responses((status = 200, description = "The watches", body = [Watch])),
)]
#[get("/me/watches")]
pub async fn list_watches(auth: AuthUser, state: web::Data<AppState>) -> ApiResult<web::Json<Vec<Watch>>> {
    Ok(web::Json(notify::list_watches(&state, &auth.actor()).await?))
}

fn watch_target(raw: &str) -> ApiResult<WatchTarget> {
    WatchTarget::parse(raw).ok_or_else(|| ApiError::bad_request("Watch a `topic`, a `category` or a `group`."))
}

/// Watches a topic (new replies), a category or a group (new topics).
#[utoipa::path(
    tag = "notifications",
    operation_id = "add_watch",
    security(("bearer_jwt" = [])),
    params(("target" = WatchTarget, Path, description = "What kind of thing"), ("id" = String, Path, description = "Its id (or slug)")),
    responses(
        (status = 200, description = "Watching", body = Watch),
        (status = 404, description = "No such thing, or not visible", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/me/watches/{target}/{id}")]
pub async fn add_watch(
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> ApiResult<web::Json<Watch>> {
    let (target, id) = path.into_inner();
    Ok(web::Json(notify::watch(&state, &auth.actor(), watch_target(&target)?, &id).await?))
}

/// Stops watching (harmless when not watching).
#[utoipa::path(
    tag = "notifications",
    operation_id = "remove_watch",
    security(("bearer_jwt" = [])),
    params(("target" = WatchTarget, Path, description = "What kind of thing"), ("id" = String, Path, description = "Its id (or slug)")),
    responses((status = 204, description = "No longer watching")),
)]
#[delete("/me/watches/{target}/{id}")]
pub async fn remove_watch(
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (target, id) = path.into_inner();
    notify::unwatch(&state, &auth.actor(), watch_target(&target)?, &id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Filters and paging of notifications.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationsQuery {
    /// Only unread ones.
    pub unread: Option<bool>,
    /// Page size, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The caller's notifications, newest first.
#[utoipa::path(
    tag = "notifications",
    operation_id = "list_notifications",
    security(("bearer_jwt" = [])),
    params(NotificationsQuery),
    responses((status = 200, description = "One page of notifications", body = Page<Notification>)),
)]
#[get("/me/notifications")]
pub async fn list_notifications(
    auth: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<NotificationsQuery>,
) -> ApiResult<web::Json<Page<Notification>>> {
    let q = query.into_inner();
    Ok(web::Json(notify::list(&state, &auth.actor(), q.unread.unwrap_or(false), q.limit, q.cursor).await?))
}

/// The unread count, for the bell.
#[utoipa::path(
    tag = "notifications",
    operation_id = "get_unread_count",
    security(("bearer_jwt" = [])),
    responses((status = 200, description = "The count", body = UnreadCount)),
)]
#[get("/me/notifications/unread")]
pub async fn get_unread_count(auth: AuthUser, state: web::Data<AppState>) -> ApiResult<web::Json<UnreadCount>> {
    Ok(web::Json(notify::unread(&state, &auth.actor()).await?))
}

/// Marks notifications read (the listed ones, or all); answers the new unread count.
#[utoipa::path(
    tag = "notifications",
    operation_id = "mark_notifications_read",
    security(("bearer_jwt" = [])),
    request_body = MarkReadRequest,
    responses((status = 200, description = "The new unread count", body = UnreadCount)),
)]
#[post("/me/notifications/read")]
pub async fn mark_notifications_read(
    auth: AuthUser,
    state: web::Data<AppState>,
    body: web::Json<MarkReadRequest>,
) -> ApiResult<web::Json<UnreadCount>> {
    let body = body.into_inner();
    Ok(web::Json(notify::mark_read(&state, &auth.actor(), body.ids, body.all).await?))
}
