//! Liveness and readiness probes.

use actix_web::{get, web};
use copse_shared::system::Health;
use sea_orm::ConnectionTrait;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_health).service(get_ready);
}

fn health(status: &str) -> Health {
    Health { status: status.to_owned(), version: env!("CARGO_PKG_VERSION").to_owned() }
}

/// Liveness: the process answers. Never touches the database.
#[utoipa::path(
    tag = "system",
    operation_id = "get_health",
    responses((status = 200, description = "The process is alive", body = Health)),
)]
#[get("/health")]
pub async fn get_health() -> web::Json<Health> {
    web::Json(health("ok"))
}

/// Readiness: the process and its database answer. 503 when the database does not.
#[utoipa::path(
    tag = "system",
    operation_id = "get_ready",
    responses(
        (status = 200, description = "Ready to serve", body = Health),
        (status = 503, description = "The database is unreachable", body = copse_shared::Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/ready")]
pub async fn get_ready(state: web::Data<AppState>) -> ApiResult<web::Json<Health>> {
    let ping = tokio::time::timeout(std::time::Duration::from_secs(3), state.db.execute_unprepared("SELECT 1")).await;
    match ping {
        Ok(Ok(_)) => Ok(web::Json(health("ready"))),
        Ok(Err(error)) => Err(ApiError::Unavailable(error.into())),
        Err(_) => Err(ApiError::Unavailable(anyhow::anyhow!("database ping timed out"))),
    }
}
