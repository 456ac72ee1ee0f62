//! The refresh-token cookie: HttpOnly so scripts cannot read it, SameSite=Strict so
//! other sites cannot send it, scoped to the auth endpoints.

use actix_web::HttpRequest;
use actix_web::cookie::time::Duration as CookieDuration;
use actix_web::cookie::{Cookie, SameSite};

/// The cookie's name.
pub const REFRESH_COOKIE: &str = "copse_refresh";
/// Lifetime of a refresh token, in days.
pub const REFRESH_DAYS: i64 = 30;
const COOKIE_PATH: &str = "/api/v1/auth";

/// The cookie carrying a new refresh token.
pub fn refresh_cookie(req: &HttpRequest, token: &str) -> Cookie<'static> {
    Cookie::build(REFRESH_COOKIE, token.to_owned())
        .path(COOKIE_PATH)
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(is_https(req))
        .max_age(CookieDuration::days(REFRESH_DAYS))
        .finish()
}

/// A cookie that makes the browser forget the refresh token.
pub fn clear_cookie(req: &HttpRequest) -> Cookie<'static> {
    let mut cookie = refresh_cookie(req, "");
    cookie.make_removal();
    cookie
}

/// The refresh token the request carries, if any.
pub fn read(req: &HttpRequest) -> Option<String> {
    req.cookie(REFRESH_COOKIE).map(|c| c.value().to_owned()).filter(|v| !v.is_empty())
}

fn is_https(req: &HttpRequest) -> bool {
    req.connection_info().scheme() == "https"
}
