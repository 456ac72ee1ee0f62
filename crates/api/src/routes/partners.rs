//! Partner access: API key management (keys themselves are accepted by the content
//! endpoints that take the `ApiClient` extractor), Atom feeds, the change feed and
//! upserts by a partner's own ids.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use copse_shared::Problem;
use copse_shared::events::Event;
use copse_shared::library::LibraryItem;
use copse_shared::partners::{
    ApiKey, ChangePage, CreateApiKeyRequest, CreatedApiKey, RotateApiKeyRequest, Scope, UpsertEventRequest,
    UpsertLibraryItemRequest,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::{ApiClient, AuthUser, MaybeApiClient};
use crate::error::ApiResult;
use crate::routes::events::base_url;
use crate::services::events::ical;
use crate::services::partners::atom::{self, AtomKind};
use crate::services::partners::upsert::{self, Outcome};
use crate::services::partners::{changes, keys};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_api_keys)
        .service(create_api_key)
        .service(revoke_api_key)
        .service(rotate_api_key)
        .service(topics_atom)
        .service(library_atom)
        .service(events_atom)
        .service(list_changes)
        .service(upsert_library_item)
        .service(upsert_event);
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

/// Where to resume and what to include.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangesQuery {
    /// The `next_cursor` of the previous page; absent: from the beginning.
    pub cursor: Option<String>,
    /// Page size, 1 to 500 (default 100).
    pub limit: Option<u64>,
    /// Comma-separated types (`topic,post,library_item,event`); absent: every type the
    /// caller may read (a key: those its scopes allow).
    pub types: Option<String>,
}

/// Every create, update and delete of topics, replies, library items and events that
/// the caller may read, oldest first, from a cursor. A partner stores `next_cursor`
/// and polls: it never misses or repeats a change, even when writes commit out of
/// order. Hidden content reads as deleted (a tombstone) and reappears as created.
#[utoipa::path(
    tag = "partners",
    operation_id = "list_changes",
    security((), ("bearer_jwt" = []), ("api_key" = ["discussions:read", "library:read", "events:read"])),
    params(ChangesQuery),
    responses(
        (status = 200, description = "A page of changes and the cursor to store", body = ChangePage),
        (status = 401, description = "Anonymous while public reading is off, or an invalid key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A type the key has no scope for", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad cursor, limit or type", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/changes")]
pub async fn list_changes(
    auth: MaybeApiClient,
    state: web::Data<AppState>,
    query: web::Query<ChangesQuery>,
) -> ApiResult<HttpResponse> {
    let q = query.into_inner();
    let page = changes::list(&state, &auth.actor(), q.cursor.as_deref(), q.limit, q.types.as_deref()).await?;
    Ok(HttpResponse::Ok().content_type(header::ContentType::json()).body(page.0.clone()))
}

fn upserted<T: serde::Serialize>(outcome: Outcome, location: String, body: T, etag: String) -> HttpResponse {
    let status = if outcome == Outcome::Created { StatusCode::CREATED } else { StatusCode::OK };
    HttpResponse::build(status)
        .insert_header((header::LOCATION, location))
        .insert_header((header::ETAG, etag))
        .json(body)
}

/// Creates or replaces a library item by its id at the partner's source, recording its
/// provenance. 201 when made, 200 when replaced; the same body again changes nothing.
/// Its group is fixed by the first upsert. Files are uploaded as versions afterwards.
#[utoipa::path(
    tag = "partners",
    operation_id = "upsert_library_item",
    security(("bearer_jwt" = []), ("api_key" = ["library:write"])),
    params(
        ("source" = String, Path, description = "The partner's source: 2 to 64 lower-case letters, digits, dots, hyphens"),
        ("external_id" = String, Path, description = "The item's id at the source (1 to 200 characters)"),
    ),
    request_body = UpsertLibraryItemRequest,
    responses(
        (status = 200, description = "Replaced or unchanged", body = LibraryItem, headers(("ETag" = String, description = "Its version"))),
        (status = 201, description = "Made", body = LibraryItem, headers(("Location" = String, description = "The item's address"), ("ETag" = String, description = "Its version"))),
        (status = 403, description = "No `library:write` scope, or the key's maker may not share or edit there", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "It exists but the key may not read it", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The same item is being made by a concurrent request (retry), or its group is archived", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, source or id; or a different group than the first upsert", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/library/external/{source}/{external_id}")]
pub async fn upsert_library_item(
    auth: ApiClient,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Json<UpsertLibraryItemRequest>,
) -> ApiResult<HttpResponse> {
    let actor = auth.actor_for(Scope::LibraryWrite)?;
    let (source, external_id) = path.into_inner();
    let (item, etag, outcome) = upsert::library_item(&state, &actor, &source, &external_id, body.into_inner()).await?;
    Ok(upserted(outcome, format!("/api/v1/library/{}", item.summary.id), item, etag))
}

/// Creates or replaces an event by its id at the partner's source, recording its
/// provenance. 201 when made, 200 when replaced; the same body again changes nothing.
#[utoipa::path(
    tag = "partners",
    operation_id = "upsert_event",
    security(("bearer_jwt" = []), ("api_key" = ["events:write"])),
    params(
        ("source" = String, Path, description = "The partner's source: 2 to 64 lower-case letters, digits, dots, hyphens"),
        ("external_id" = String, Path, description = "The event's id at the source (1 to 200 characters)"),
    ),
    request_body = UpsertEventRequest,
    responses(
        (status = 200, description = "Replaced or unchanged", body = Event, headers(("ETag" = String, description = "Its version"))),
        (status = 201, description = "Made", body = Event, headers(("Location" = String, description = "The event's address"), ("ETag" = String, description = "Its version"))),
        (status = 403, description = "No `events:write` scope, or the key's maker may not create or edit there", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "It exists but the key may not read it", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The same event is being made by a concurrent request (retry), or its group is archived", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, source or id; or a different group than the first upsert", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/events/external/{source}/{external_id}")]
pub async fn upsert_event(
    auth: ApiClient,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Json<UpsertEventRequest>,
) -> ApiResult<HttpResponse> {
    let actor = auth.actor_for(Scope::EventsWrite)?;
    let (source, external_id) = path.into_inner();
    let (event, etag, outcome) = upsert::event(&state, &actor, &source, &external_id, body.into_inner()).await?;
    Ok(upserted(outcome, format!("/api/v1/events/{}", event.id), event, etag))
}
