//! `Idempotency-Key` for creates: a member's POST with a key is handled once; a retry
//! with the same key and the same request gets the first answer back (marked
//! `Idempotent-Replayed: true`) and creates nothing twice. The same key with a
//! different request is refused (422), and a retry while the first request is still
//! running gets 409. Keys are scoped to the member and forgotten after 24 hours.
//!
//! Sign-in endpoints are left out on purpose: storing their answers would store live
//! tokens, and they are safe to retry anyway (a second registration answers 409).

use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::{self, Bytes};
use actix_web::{HttpResponse, ResponseError};
use chrono::Utc;
use copse_shared::ErrorCode;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};

use crate::entities::idempotency_key;
use crate::error::ApiError;
use crate::state::AppState;

/// The request header.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// How long answers are remembered.
pub const RETENTION: Duration = Duration::from_secs(24 * 3600);

fn applies(req: &ServiceRequest) -> bool {
    // Multipart uploads stream to the file store; buffering them to replay would hold
    // whole files in memory.
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/"));
    req.method() == Method::POST
        && req.path().starts_with("/api/v1/")
        && !req.path().starts_with("/api/v1/auth/")
        && !multipart
}

fn valid_key(key: &str) -> bool {
    !key.is_empty() && key.len() <= 255 && key.bytes().all(|b| b.is_ascii_graphic())
}

/// The member a bearer token names, if it is valid; anything else is left to the
/// handler, which answers 401.
fn scope_of(req: &ServiceRequest, state: &AppState) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer "))?;
    state.jwt.verify(token.trim()).ok().map(|claims| claims.sub)
}

fn request_hash(req: &ServiceRequest, body: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(req.method().as_str().as_bytes());
    hasher.update(b" ");
    hasher.update(req.uri().to_string().as_bytes());
    hasher.update(b"\n");
    hasher.update(body);
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The middleware.
pub async fn idempotency(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let key = req.headers().get(IDEMPOTENCY_KEY).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let (Some(key), Some(state)) = (key, state) else {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    };
    if !applies(&req) {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    }
    if !valid_key(&key) {
        let error = ApiError::bad_request("The Idempotency-Key must be 1 to 255 visible ASCII characters.");
        return Ok(req.into_response(error.error_response()));
    }
    let Some(scope) = scope_of(&req, &state) else {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    };
    let body: Bytes = req.extract::<Bytes>().await?;
    let hash = request_hash(&req, &body);
    req.set_payload(Payload::from(body));

    match claim(&state.db, &scope, &key, &hash).await {
        Ok(Claim::New) => {}
        Ok(Claim::Replay(stored)) => return Ok(req.into_response(replay(stored))),
        Ok(Claim::DifferentRequest) => {
            let error = ApiError::client(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::IdempotencyKeyReused,
                "This Idempotency-Key was used for a different request; use a new key.",
            );
            return Ok(req.into_response(error.error_response()));
        }
        Ok(Claim::InProgress) => {
            let error = ApiError::client(
                StatusCode::CONFLICT,
                ErrorCode::Conflict,
                "A request with this Idempotency-Key is still being handled; retry shortly.",
            );
            return Ok(req.into_response(error.error_response()));
        }
        Err(error) => return Ok(req.into_response(error.error_response())),
    }

    let response = next.call(req).await?;
    let (request, response) = response.into_parts();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = actix_web::body::to_bytes(response.into_body()).await.unwrap_or_default();
    if status.is_server_error() {
        // A failure may be transient: let a retry run the request again.
        forget(&state.db, &scope, &key).await;
    } else {
        remember(&state.db, &scope, &key, status, &headers, &bytes).await;
    }
    let mut rebuilt = HttpResponse::build(status);
    for (name, value) in &headers {
        rebuilt.append_header((name.clone(), value.clone()));
    }
    Ok(ServiceResponse::new(request, rebuilt.body(bytes)))
}

enum Claim {
    New,
    Replay(idempotency_key::Model),
    DifferentRequest,
    InProgress,
}

async fn claim(db: &DatabaseConnection, scope: &str, key: &str, hash: &str) -> Result<Claim, ApiError> {
    // Insert-if-absent is atomic on both databases: of two concurrent first requests,
    // exactly one inserts the row and runs.
    let inserted = idempotency_key::Entity::insert(idempotency_key::ActiveModel {
        scope: Set(scope.to_owned()),
        key: Set(key.to_owned()),
        request_hash: Set(hash.to_owned()),
        status: Set(None),
        content_type: Set(None),
        location: Set(None),
        body: Set(None),
        created_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::columns([idempotency_key::Column::Scope, idempotency_key::Column::Key]).do_nothing().to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    if inserted == 1 {
        return Ok(Claim::New);
    }
    let existing = idempotency_key::Entity::find_by_id((scope.to_owned(), key.to_owned()))
        .one(db)
        .await?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("idempotency row vanished")))?;
    Ok(if existing.request_hash != hash {
        Claim::DifferentRequest
    } else if existing.status.is_none() {
        Claim::InProgress
    } else {
        Claim::Replay(existing)
    })
}

async fn remember(
    db: &DatabaseConnection,
    scope: &str,
    key: &str,
    status: StatusCode,
    headers: &header::HeaderMap,
    body: &Bytes,
) {
    let text = |name: HeaderName| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let row = idempotency_key::ActiveModel {
        scope: Set(scope.to_owned()),
        key: Set(key.to_owned()),
        status: Set(Some(i32::from(status.as_u16()))),
        content_type: Set(text(header::CONTENT_TYPE)),
        location: Set(text(header::LOCATION)),
        body: Set(Some(String::from_utf8_lossy(body).into_owned())),
        ..Default::default()
    };
    if let Err(error) = row.update(db).await {
        tracing::error!(error = %error, "could not store an idempotent answer");
    }
}

async fn forget(db: &DatabaseConnection, scope: &str, key: &str) {
    if let Err(error) = idempotency_key::Entity::delete_by_id((scope.to_owned(), key.to_owned())).exec(db).await {
        tracing::error!(error = %error, "could not release an idempotency key");
    }
}

fn replay(stored: idempotency_key::Model) -> HttpResponse {
    let status = stored.status.and_then(|s| u16::try_from(s).ok()).and_then(|s| StatusCode::from_u16(s).ok());
    let mut response = HttpResponse::build(status.unwrap_or(StatusCode::OK));
    response.insert_header((HeaderName::from_static("idempotent-replayed"), HeaderValue::from_static("true")));
    if let Some(content_type) = stored.content_type {
        response.insert_header((header::CONTENT_TYPE, content_type));
    }
    if let Some(location) = stored.location {
        response.insert_header((header::LOCATION, location));
    }
    response.body(stored.body.unwrap_or_default())
}

/// Deletes answers older than the retention period; returns how many.
pub async fn purge(db: &DatabaseConnection) -> Result<u64, sea_orm::DbErr> {
    let cutoff = Utc::now() - chrono::Duration::from_std(RETENTION).unwrap_or_else(|_| chrono::Duration::hours(24));
    let result =
        idempotency_key::Entity::delete_many().filter(idempotency_key::Column::CreatedAt.lt(cutoff)).exec(db).await?;
    Ok(result.rows_affected)
}

/// Runs `purge` every hour for as long as the server lives.
pub fn spawn_purger(db: DatabaseConnection) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            match purge(&db).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(purged = n, "expired idempotency keys removed"),
                Err(error) => tracing::warn!(error = %error, "purging idempotency keys failed"),
            }
        }
    });
}
