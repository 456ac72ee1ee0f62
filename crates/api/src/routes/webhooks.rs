//! Outgoing webhooks: endpoints registered by admins, their secrets, test events and
//! delivery logs. How partners verify deliveries is in the module doc of
//! `copse_shared::webhooks` and the Partner guide.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, get, post, put, web};
use copse_shared::webhooks::{CreatedWebhook, RotateWebhookSecretRequest, Webhook, WebhookDelivery, WebhookRequest};
use copse_shared::{Page, Problem};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::services::webhooks::manage;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_webhooks)
        .service(create_webhook)
        .service(get_webhook)
        .service(update_webhook)
        .service(delete_webhook)
        .service(rotate_webhook_secret)
        .service(ping_webhook)
        .service(list_webhook_deliveries)
        .service(redeliver_webhook);
}

/// Every registered endpoint with its pending and failed deliveries (admins).
#[utoipa::path(
    tag = "webhooks",
    operation_id = "list_webhooks",
    security(("bearer_jwt" = [])),
    responses(
        (status = 200, description = "The endpoints, newest first (never their secrets)", body = Vec<Webhook>),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/webhooks")]
pub async fn list_webhooks(auth: AuthUser, state: web::Data<AppState>) -> ApiResult<web::Json<Vec<Webhook>>> {
    Ok(web::Json(manage::list(&state, &auth.actor()).await?))
}

/// Registers an endpoint for the chosen events; the signing secret is shown this once.
/// Events are posted as JSON with `Copse-Event-Id`, `Copse-Event-Type` and
/// `Copse-Signature: t=<unix seconds>,v1=<hex>` (HMAC-SHA256 of `"<t>.<body>"` with the
/// secret); retried with exponential back-off (30 s doubling to 6 h, 16 attempts).
#[utoipa::path(
    tag = "webhooks",
    operation_id = "create_webhook",
    security(("bearer_jwt" = [])),
    request_body = WebhookRequest,
    responses(
        (status = 201, description = "The endpoint and its secret (shown once)", body = CreatedWebhook),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad or private address, unknown events", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/webhooks")]
pub async fn create_webhook(
    auth: AuthUser,
    state: web::Data<AppState>,
    body: web::Json<WebhookRequest>,
) -> ApiResult<HttpResponse> {
    let created = manage::create(&state, &auth.actor(), body.into_inner()).await?;
    Ok(HttpResponse::build(StatusCode::CREATED).json(created))
}

/// One endpoint.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "get_webhook",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The endpoint's id")),
    responses(
        (status = 200, description = "The endpoint", body = Webhook),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/webhooks/{id}")]
pub async fn get_webhook(
    auth: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<web::Json<Webhook>> {
    Ok(web::Json(manage::get(&state, &auth.actor(), &id).await?))
}

/// Changes an endpoint's address, description, events, or pauses and resumes it.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "update_webhook",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The endpoint's id")),
    request_body = WebhookRequest,
    responses(
        (status = 200, description = "The endpoint", body = Webhook),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad or private address, unknown events", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/webhooks/{id}")]
pub async fn update_webhook(
    auth: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<WebhookRequest>,
) -> ApiResult<web::Json<Webhook>> {
    Ok(web::Json(manage::update(&state, &auth.actor(), &id, body.into_inner()).await?))
}

/// Removes an endpoint and its delivery log; nothing more is sent to it.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "delete_webhook",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The endpoint's id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/webhooks/{id}")]
pub async fn delete_webhook(
    auth: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    manage::delete(&state, &auth.actor(), &id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A new signing secret (shown once); the old one also signs (a second `v1=`) for the
/// grace period, so the partner can switch without missing a delivery.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "rotate_webhook_secret",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The endpoint's id")),
    request_body = RotateWebhookSecretRequest,
    responses(
        (status = 200, description = "The endpoint and its new secret (shown once)", body = CreatedWebhook),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A grace period outside 0 to 720 hours", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/webhooks/{id}/rotate")]
pub async fn rotate_webhook_secret(
    auth: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<RotateWebhookSecretRequest>,
) -> ApiResult<web::Json<CreatedWebhook>> {
    Ok(web::Json(manage::rotate(&state, &auth.actor(), &id, body.into_inner()).await?))
}

/// Queues a `ping` event for the endpoint, sent at once: a test delivery.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "ping_webhook",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The endpoint's id")),
    responses(
        (status = 202, description = "Queued; follow it in the delivery log", body = WebhookDelivery),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/webhooks/{id}/ping")]
pub async fn ping_webhook(
    auth: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let queued = manage::ping(&state, &auth.actor(), &id).await?;
    Ok(HttpResponse::build(StatusCode::ACCEPTED).json(queued))
}

/// Which page of the delivery log.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveriesQuery {
    /// Page size, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The delivery log, newest first, each delivery with its attempts and body.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "list_webhook_deliveries",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The endpoint's id"), DeliveriesQuery),
    responses(
        (status = 200, description = "A page of deliveries", body = Page<WebhookDelivery>),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad cursor or limit", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_webhook_deliveries(
    auth: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: web::Query<DeliveriesQuery>,
) -> ApiResult<web::Json<Page<WebhookDelivery>>> {
    let q = query.into_inner();
    Ok(web::Json(manage::deliveries(&state, &auth.actor(), &id, q.limit, q.cursor.as_deref()).await?))
}

/// Sends an event again, as a new delivery with the same event id and body.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "redeliver_webhook",
    security(("bearer_jwt" = [])),
    params(
        ("id" = String, Path, description = "The endpoint's id"),
        ("delivery" = String, Path, description = "The delivery to send again"),
    ),
    responses(
        (status = 202, description = "Queued", body = WebhookDelivery),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint or delivery", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/webhooks/{id}/deliveries/{delivery}/redeliver")]
pub async fn redeliver_webhook(
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (id, delivery) = path.into_inner();
    let queued = manage::redeliver(&state, &auth.actor(), &id, &delivery).await?;
    Ok(HttpResponse::build(StatusCode::ACCEPTED).json(queued))
}
