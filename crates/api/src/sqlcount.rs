//! Counts the SQL statements each request issues, so tests can prove a list is free
//! of N+1 queries and benchmarks can report statements per request. The count is
//! exposed as `X-Sql-Statements` only when `COPSE_EXPOSE_SQL_COUNT` is on.

use std::cell::Cell;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;
use sea_orm::DatabaseConnection;

use crate::state::AppState;

tokio::task_local! {
    static STATEMENTS: Cell<u32>;
}

/// The response header.
pub const HEADER: &str = "x-sql-statements";

/// Makes the connection count statements for the request being handled (if any).
pub fn instrument(db: &mut DatabaseConnection) {
    db.set_metric_callback(|info| {
        // Statements outside a request (migrations, background jobs) are not counted.
        if STATEMENTS.try_with(|count| count.set(count.get() + 1)).is_ok() {
            // `COPSE_LOG=copse::sqlcount=trace` lists what a request ran, and how long each took.
            tracing::trace!(elapsed_us = info.elapsed.as_micros(), sql = %info.statement.sql, "statement");
        }
    });
}

/// The middleware: counts within the request's task and reports the total.
pub async fn count_statements(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let expose = req.app_data::<web::Data<AppState>>().is_some_and(|s| s.settings.expose_sql_count);
    if !expose {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    }
    let (result, count) = STATEMENTS
        .scope(Cell::new(0), async move {
            let result = next.call(req).await;
            (result, STATEMENTS.with(Cell::get))
        })
        .await;
    let mut response = result?.map_into_boxed_body();
    if let Ok(value) = HeaderValue::from_str(&count.to_string()) {
        response.headers_mut().insert(HeaderName::from_static(HEADER), value);
    }
    Ok(response)
}
