//! Partner access: API key management (keys themselves are accepted by the content
//! endpoints that take the `ApiClient` extractor).

use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, post, web};
use copse_shared::Problem;
use copse_shared::partners::{ApiKey, CreateApiKeyRequest, CreatedApiKey, RotateApiKeyRequest};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::services::partners::keys;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_api_keys).service(create_api_key).service(revoke_api_key).service(rotate_api_key);
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
