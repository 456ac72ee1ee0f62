//! Partner access: API key management (keys themselves are accepted by the content
//! endpoints that take the `ApiClient` extractor) and Atom feeds.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use copse_shared::Problem;
use copse_shared::partners::{ApiKey, CreateApiKeyRequest, CreatedApiKey, RotateApiKeyRequest};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::routes::events::base_url;
use crate::services::events::ical;
use crate::services::partners::atom::{self, AtomKind};
use crate::services::partners::keys;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_api_keys)
        .service(create_api_key)
        .service(revoke_api_key)
        .service(rotate_api_key)
        .service(topics_atom)
        .service(library_atom)
        .service(events_atom);
}

/// Which feed: a group, and the reader's personal feed token.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AtomQuery {
    /// Only this group (id or slug), or `community` for community-wide content.
    pub group: Option<String>,
    /// A personal feed token (`POST /api/v1/me/feed-token`) for members-only content;
    /// without it, only what anonymous visitors may read. Unknown or revoked: 404.
    pub token: Option<String>,
}

async fn serve_atom(req: &HttpRequest, state: &AppState, query: &AtomQuery, kind: AtomKind) -> ApiResult<HttpResponse> {
    let actor = ical::feed_actor(&state.db, query.token.as_deref()).await?;
    let body = atom::feed(state, &actor, kind, query.group.as_deref(), &base_url(req)).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/atom+xml; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .body(body))
}

/// The 50 newest topics and questions the reader may see, as an Atom feed.
#[utoipa::path(
    tag = "partners",
    operation_id = "topics_atom",
    params(AtomQuery),
    responses(
        (status = 200, description = "An Atom (RFC 4287) feed", content_type = "application/atom+xml", body = String),
        (status = 401, description = "No token and public reading is off", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown or revoked token", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/feeds/topics.atom")]
pub async fn topics_atom(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<AtomQuery>,
) -> ApiResult<HttpResponse> {
    serve_atom(&req, &state, &query, AtomKind::Topics).await
}

/// The 50 newest library items the reader may see, as an Atom feed.
#[utoipa::path(
    tag = "partners",
    operation_id = "library_atom",
    params(AtomQuery),
    responses(
        (status = 200, description = "An Atom (RFC 4287) feed", content_type = "application/atom+xml", body = String),
        (status = 401, description = "No token and public reading is off", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown or revoked token", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/feeds/library.atom")]
pub async fn library_atom(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<AtomQuery>,
) -> ApiResult<HttpResponse> {
    serve_atom(&req, &state, &query, AtomKind::Library).await
}

/// The 50 newest events the reader may see (cancelled ones marked), as an Atom feed.
#[utoipa::path(
    tag = "partners",
    operation_id = "events_atom",
    params(AtomQuery),
    responses(
        (status = 200, description = "An Atom (RFC 4287) feed", content_type = "application/atom+xml", body = String),
        (status = 401, description = "No token and public reading is off", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown or revoked token", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/feeds/events.atom")]
pub async fn events_atom(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<AtomQuery>,
) -> ApiResult<HttpResponse> {
    serve_atom(&req, &state, &query, AtomKind::Events).await
}

/// Keys the caller manages: every key for admins, their own for others.
#[utoipa::path(
    tag = "partners",
    operation_id = "list_api_keys",
    security(("bearer_jwt" = [])),
    responses(
        (status = 200, description = "The keys, newest first (never their secrets)", body = Vec<ApiKey>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/api-keys")]
pub async fn list_api_keys(auth: AuthUser, state: web::Data<AppState>) -> ApiResult<web::Json<Vec<ApiKey>>> {
    Ok(web::Json(keys::list(&state, &auth.actor()).await?))
}

/// Makes a key, returning its secret this once. Admins make community-wide keys (or
/// keys limited to groups); group facilitators make keys limited to their groups.
#[utoipa::path(
    tag = "partners",
    operation_id = "create_api_key",
    security(("bearer_jwt" = [])),
    request_body = CreateApiKeyRequest,
    responses(
        (status = 201, description = "The key and its secret (shown once)", body = CreatedApiKey),
        (status = 403, description = "Not an admin, or a group the caller does not facilitate", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Missing name or scopes, an unknown group, an expiry in the past", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/api-keys")]
pub async fn create_api_key(
    auth: AuthUser,
    state: web::Data<AppState>,
    body: web::Json<CreateApiKeyRequest>,
) -> ApiResult<HttpResponse> {
    let created = keys::create(&state, &auth.actor(), body.into_inner()).await?;
    Ok(HttpResponse::Created().insert_header((header::CACHE_CONTROL, "no-store")).json(created))
}

/// Revokes a key at once (its secrets answer 401 from then on).
#[utoipa::path(
    tag = "partners",
    operation_id = "revoke_api_key",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The key's id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, description = "No such key among the caller's", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/api-keys/{id}")]
pub async fn revoke_api_key(
    auth: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    keys::revoke(&state, &auth.actor(), &id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Gives a key a new secret (shown once); the old secret keeps working for the grace
/// period, so a partner can switch without downtime.
#[utoipa::path(
    tag = "partners",
    operation_id = "rotate_api_key",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The key's id")),
    request_body = RotateApiKeyRequest,
    responses(
        (status = 200, description = "The key and its new secret", body = CreatedApiKey),
        (status = 404, description = "No such key among the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The key was revoked", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A grace period over 720 hours", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/api-keys/{id}/rotate")]
pub async fn rotate_api_key(
    auth: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<RotateApiKeyRequest>,
) -> ApiResult<HttpResponse> {
    let rotated = keys::rotate(&state, &auth.actor(), &id, body.into_inner()).await?;
    Ok(HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).json(rotated))
}
