//! The community's settings.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, put, web};
use copse_shared::Problem;
use copse_shared::community::{Community, UpdateCommunityRequest};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::services::community;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_community).service(update_community);
}

fn with_etag(model: &crate::entities::community_settings::Model) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, community::etag(model)))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .json(model.to_dto())
}

/// The community's name, tagline, join policy and whether visitors may read public
/// content. Readable without signing in: the sign-in page shows them.
#[utoipa::path(
    tag = "community",
    operation_id = "get_community",
    responses((status = 200, description = "The settings", body = Community,
        headers(("ETag" = String, description = "Send it back as If-Match when updating")))),
)]
#[get("/community")]
pub async fn get_community(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let settings = community::current(&state).await?;
    Ok(with_etag(&settings))
}

/// Replaces the settings (admins only). Send the `ETag` you read as `If-Match`: if
/// someone changed the settings in between, the answer is 412 and nothing changes.
#[utoipa::path(
    tag = "community",
    operation_id = "update_community",
    security(("bearer_jwt" = [])),
    request_body = UpdateCommunityRequest,
    params(("If-Match" = Option<String>, Header, description = "The ETag of the version being edited")),
    responses(
        (status = 200, description = "The new settings", body = Community,
            headers(("ETag" = String, description = "The new version's tag"))),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The settings changed since the given ETag", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/community")]
pub async fn update_community(
    req: HttpRequest,
    auth: AuthUser,
    state: web::Data<AppState>,
    body: web::Json<UpdateCommunityRequest>,
) -> ApiResult<HttpResponse> {
    let if_match = req.headers().get(header::IF_MATCH).and_then(|v| v.to_str().ok());
    let updated = community::update(&state, &auth.actor(), if_match, body.into_inner()).await?;
    Ok(with_etag(&updated))
}
