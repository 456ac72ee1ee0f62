//! Registration, login, refresh, logout and the current member.

use std::time::Duration;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use copse_shared::Problem;
use copse_shared::auth::{ChangePasswordRequest, LoginRequest, RegisterRequest, RegisterResponse, Session, User};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::jwt::ACCESS_TOKEN_SECONDS;
use crate::auth::{AuthUser, cookie};
use crate::error::ApiResult;
use crate::routes::client_ip;
use crate::services::{accounts, sessions};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(register).service(login).service(refresh).service(logout).service(get_me).service(change_password);
}

fn session_dto(issued: &sessions::Issued) -> Session {
    Session {
        access_token: issued.access_token.clone(),
        token_type: "Bearer".to_owned(),
        expires_in: ACCESS_TOKEN_SECONDS as u64,
        user: issued.user.to_dto(),
    }
}

/// Creates an account under the community's join policy. The first account of a new
/// instance becomes its admin. Under `approval` the account waits (no session is
/// returned); under `invite` an `invitation_token` is required. When a session is
/// returned, the refresh token is set as the HttpOnly `copse_refresh` cookie.
#[utoipa::path(
    tag = "auth",
    operation_id = "create_account",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Account created", body = RegisterResponse,
            headers(("Location" = String, description = "Where the account can be read"))),
        (status = 403, description = "The community is invite-only and no invitation was given", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The email is already registered (`email_taken`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (weak password, bad email, bad invitation)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many registrations from this address", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/auth/register")]
pub async fn register(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<RegisterRequest>,
) -> ApiResult<HttpResponse> {
    let limit = state.settings.register_per_ip_per_hour;
    state.limiter.hit(&format!("register:ip:{}", client_ip(&req)), limit, Duration::from_secs(3600))?;
    let account = accounts::register(&state, body.into_inner()).await?;
    let mut response = HttpResponse::Created();
    response.insert_header((header::LOCATION, "/api/v1/me"));
    let session = if account.status() == copse_shared::auth::AccountStatus::Active {
        let issued = sessions::start(&state, account.clone()).await?;
        response.cookie(cookie::refresh_cookie(&req, &issued.refresh_token));
        Some(session_dto(&issued))
    } else {
        None
    };
    Ok(response.json(RegisterResponse { user: account.to_dto(), session }))
}

/// Signs in with email and password. Sets the `copse_refresh` cookie. Wrong
/// passwords and unknown emails get the same answer in about the same time.
#[utoipa::path(
    tag = "auth",
    operation_id = "create_session",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = Session),
        (status = 401, description = "Wrong email or password (`invalid_credentials`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The account is pending approval or suspended", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts for this address or account", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/auth/login")]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<LoginRequest>,
) -> ApiResult<HttpResponse> {
    let LoginRequest { email, password } = body.into_inner();
    let settings = &state.settings;
    state.limiter.hit(
        &format!("login:ip:{}", client_ip(&req)),
        settings.login_per_ip_per_minute,
        Duration::from_secs(60),
    )?;
    let account_key = format!("login:account:{}", email.trim().to_lowercase());
    state.limiter.hit(&account_key, settings.login_per_account, Duration::from_secs(15 * 60))?;
    let account = accounts::authenticate(&state, &email, password).await?;
    let issued = sessions::start(&state, account).await?;
    Ok(HttpResponse::Ok().cookie(cookie::refresh_cookie(&req, &issued.refresh_token)).json(session_dto(&issued)))
}

/// Trades the `copse_refresh` cookie for a new access token and a rotated cookie.
/// Presenting an already used refresh token ends the whole session family.
#[utoipa::path(
    tag = "auth",
    operation_id = "refresh_session",
    params(("copse_refresh" = String, Cookie, description = "The refresh token set at login")),
    responses(
        (status = 200, description = "A new session", body = Session),
        (status = 401, description = "Missing, expired, revoked or reused refresh token", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/auth/refresh")]
pub async fn refresh(req: HttpRequest, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    match sessions::refresh(&state, cookie::read(&req)).await {
        Ok(issued) => Ok(HttpResponse::Ok()
            .cookie(cookie::refresh_cookie(&req, &issued.refresh_token))
            .json(session_dto(&issued))),
        Err(error) => {
            // Tell the browser to forget a dead token, so it stops sending it.
            let mut response = actix_web::ResponseError::error_response(&error);
            let _ = response.add_cookie(&cookie::clear_cookie(&req));
            Ok(response)
        }
    }
}

/// Signs out: revokes the session family of the `copse_refresh` cookie and clears it.
#[utoipa::path(
    tag = "auth",
    operation_id = "delete_session",
    params(("copse_refresh" = Option<String>, Cookie, description = "The refresh token set at login")),
    responses((status = 204, description = "Signed out (also when no session was found)")),
)]
#[post("/auth/logout")]
pub async fn logout(req: HttpRequest, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    sessions::logout(&state, cookie::read(&req)).await?;
    Ok(HttpResponse::NoContent().cookie(cookie::clear_cookie(&req)).finish())
}

/// The signed-in account.
#[utoipa::path(
    tag = "auth",
    operation_id = "get_me",
    security(("bearer_jwt" = [])),
    responses((status = 200, description = "The account", body = User)),
)]
#[get("/me")]
pub async fn get_me(auth: AuthUser) -> web::Json<User> {
    web::Json(auth.user.to_dto())
}

/// Changes the password. Every other session of the account is signed out.
#[utoipa::path(
    tag = "auth",
    operation_id = "update_password",
    security(("bearer_jwt" = [])),
    request_body = ChangePasswordRequest,
    responses(
        (status = 204, description = "Password changed"),
        (status = 422, description = "Wrong current password or weak new password", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/me/password")]
pub async fn change_password(
    auth: AuthUser,
    state: web::Data<AppState>,
    body: web::Json<ChangePasswordRequest>,
) -> ApiResult<HttpResponse> {
    accounts::change_password(&state, &auth.user, &auth.claims, body.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
