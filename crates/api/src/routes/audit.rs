//! The audit log of administrative actions.

use actix_web::{get, web};
use copse_shared::members::AuditEntry;
use copse_shared::{Page, Problem};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::services::audit;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_audit);
}

/// Filters and paging of the audit log.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only actions starting with this, e.g. `member.` or `group.archive`.
    pub action: Option<String>,
    /// Page size, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Who did what to whom, and when: approvals, rejections, invitations, role changes,
/// suspensions, settings and group administration, newest first (admins only).
#[utoipa::path(
    tag = "admin",
    operation_id = "list_audit",
    security(("bearer_jwt" = [])),
    params(AuditQuery),
    responses(
        (status = 200, description = "One page of the audit log", body = Page<AuditEntry>),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/audit")]
pub async fn list_audit(
    auth: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<AuditQuery>,
) -> ApiResult<web::Json<Page<AuditEntry>>> {
    let query = query.into_inner();
    Ok(web::Json(audit::list(&state, &auth.actor(), query.action, query.limit, query.cursor).await?))
}
