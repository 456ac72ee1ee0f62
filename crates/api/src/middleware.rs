//! Cross-cutting request handling: a request id on every request and response, one
//! structured log line per request, problem+json for every API error (including the
//! ones actix produces itself), and cache headers for the SPA's assets.

use std::sync::Arc;
use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use copse_shared::{ErrorCode, FieldError};
use uuid::Uuid;

use crate::error::{ApiError, PROBLEM_JSON, problem_response};

/// The request id header, accepted from the client or generated.
pub const REQUEST_ID: &str = "x-request-id";

fn acceptable_request_id(value: &str) -> bool {
    !value.is_empty() && value.len() <= 128 && value.bytes().all(|b| b.is_ascii_graphic())
}

/// The request id, logging and problem+json middleware.
pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let request_id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| acceptable_request_id(v))
        .map(str::to_owned)
        .unwrap_or_else(|| Uuid::new_v4().to_string());
    let method = req.method().clone();
    // The query string is left out of logs: later features put tokens in feed URLs.
    let path = req.path().to_owned();
    let started = Instant::now();

    // Handlers' and extractors' errors arrive here as responses already; an `Err` can
    // only come from a middleware, and actix renders it with its own `error_response`.
    let mut response = match next.call(req).await {
        Ok(response) => response.map_into_boxed_body(),
        Err(error) => {
            tracing::warn!(request_id, %method, path, error = %error, "request failed in middleware");
            return Err(error);
        }
    };
    let status = response.status();
    if path.starts_with("/api/") && (status.is_client_error() || status.is_server_error()) && !is_problem(&response) {
        response = into_problem(response);
    }
    if !path.starts_with("/api/") && status == StatusCode::OK {
        set_asset_cache_headers(&path, &mut response);
    }
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(HeaderName::from_static(REQUEST_ID), value);
    }
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    if status.is_server_error() {
        tracing::error!(request_id, %method, path, status = status.as_u16(), elapsed_ms, "request");
    } else {
        tracing::info!(request_id, %method, path, status = status.as_u16(), elapsed_ms, "request");
    }
    Ok(response)
}

fn is_problem(response: &ServiceResponse<BoxBody>) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(PROBLEM_JSON))
}

/// Replaces a bare error response (from actix or a library) with problem+json,
/// keeping the headers that matter to clients.
fn into_problem(response: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let status = response.status();
    let (request, old) = response.into_parts();
    let (code, detail) = match status {
        StatusCode::NOT_FOUND => (ErrorCode::NotFound, "No such resource."),
        StatusCode::METHOD_NOT_ALLOWED => (ErrorCode::MethodNotAllowed, "This method is not supported on this path."),
        StatusCode::PAYLOAD_TOO_LARGE => (ErrorCode::PayloadTooLarge, "The body is too large."),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (ErrorCode::UnsupportedMediaType, "Send the body as application/json."),
        StatusCode::UNAUTHORIZED => (ErrorCode::AuthenticationRequired, "Sign in first."),
        StatusCode::FORBIDDEN => (ErrorCode::Forbidden, "Not allowed."),
        StatusCode::TOO_MANY_REQUESTS => (ErrorCode::RateLimited, "Too many requests."),
        StatusCode::SERVICE_UNAVAILABLE => (ErrorCode::ServiceUnavailable, "The service is temporarily unavailable."),
        s if s.is_server_error() => (ErrorCode::Internal, "An unexpected error occurred; it has been logged."),
        _ => (ErrorCode::BadRequest, "The request could not be understood."),
    };
    let mut replacement = problem_response(status, code, detail);
    for name in [header::ALLOW, header::RETRY_AFTER, header::SET_COOKIE] {
        for value in old.headers().get_all(&name) {
            replacement.headers_mut().append(name.clone(), value.clone());
        }
    }
    ServiceResponse::new(request, replacement)
}

/// `cargo xtask build-web` names built assets with the build's hash
/// (`web-1f2e3d4c5b6a7980.js`): those may be cached for a year. Everything else (index.html above all) is revalidated,
/// so a new release is picked up at the next load.
fn set_asset_cache_headers(path: &str, response: &mut ServiceResponse<BoxBody>) {
    let name = path.rsplit('/').next().unwrap_or_default();
    let value = if is_hashed_asset(name) { "public, max-age=31536000, immutable" } else { "no-cache" };
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
}

/// Whether a file name carries a content hash of at least 16 hex digits.
pub fn is_hashed_asset(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or_default();
    stem.split(['-', '_']).skip(1).any(|part| part.len() >= 16 && part.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Limits writes (POST, PUT, PATCH, DELETE under `/api/v1`) per member, or per IP for
/// anonymous callers, and every request of a partner's API key per key; reports the
/// allowance in `RateLimit-*` headers. Sign-in endpoints have their own, stricter limits.
pub async fn write_limits(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let is_write = matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH | Method::DELETE);
    let state = req.app_data::<web::Data<crate::state::AppState>>().cloned();
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|v| v.trim().to_owned());
    let api = req.path().starts_with("/api/v1/");
    let key = bearer.as_deref().filter(|b| b.starts_with(crate::services::partners::keys::PREFIX));
    let (who, limit) = match (state.as_ref(), key) {
        // Every request of a partner's key counts against that key, reads included, so
        // one busy partner cannot starve others sharing its address (and guesses at
        // keys are limited too). The secret's hash names it: no database read here.
        (Some(state), Some(key)) if api => {
            (format!("key:{}", crate::auth::secret::token_hash(key)), state.settings.key_requests_per_minute)
        }
        (Some(state), None) if is_write && api && !req.path().starts_with("/api/v1/auth/") => {
            let who = bearer
                .as_deref()
                .and_then(|token| state.jwt.verify(token).ok())
                .map(|claims| format!("writes:user:{}", claims.sub))
                .unwrap_or_else(|| format!("writes:ip:{}", crate::routes::client_ip(req.request())));
            (who, state.settings.writes_per_minute)
        }
        _ => return next.call(req).await.map(ServiceResponse::map_into_boxed_body),
    };
    let Some(state) = state else {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    };
    match state.limiter.hit(&who, limit, std::time::Duration::from_secs(60)) {
        Ok(allowance) => {
            let mut response = next.call(req).await?.map_into_boxed_body();
            let headers = response.headers_mut();
            for (name, value) in [
                ("ratelimit-limit", allowance.limit.to_string()),
                ("ratelimit-remaining", allowance.remaining.to_string()),
                ("ratelimit-reset", allowance.reset.to_string()),
            ] {
                if let Ok(value) = HeaderValue::from_str(&value) {
                    headers.insert(HeaderName::from_static(name), value);
                }
            }
            Ok(response)
        }
        Err(error) => Ok(req.into_response(error.error_response())),
    }
}

/// Writes that change only sessions (and the account's sign-in time, which no kept
/// page shows), and the most frequent ones (every open tab refreshes its session
/// every 15 minutes): they leave the kept pages alone.
const SESSION_ONLY_WRITES: [&str; 3] = ["/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/logout"];

/// After every write request (any method but GET, HEAD and OPTIONS, whatever its
/// outcome: a handler may have committed before failing), except `SESSION_ONLY_WRITES`,
/// empties what the server keeps of pages and memberships (`Memos::content_changed`).
/// It runs after the handler returned, hence after its commit, and before the
/// response leaves, so the writer's next read never shows the page as it was.
pub async fn forget_content(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    /// Empties the memories when dropped: also when the client went away and the
    /// handler was dropped mid-way, perhaps after its commit.
    struct Forget(Option<web::Data<crate::state::AppState>>);
    impl Drop for Forget {
        fn drop(&mut self) {
            if let Some(state) = &self.0 {
                state.memo.content_changed();
            }
        }
    }
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        || SESSION_ONLY_WRITES.contains(&req.path());
    let _forget = Forget((!safe).then(|| req.app_data::<web::Data<crate::state::AppState>>().cloned()).flatten());
    next.call(req).await.map(ServiceResponse::map_into_boxed_body)
}

/// The path templates the API serves with their methods, to tell 405 (known path)
/// from 404.
#[derive(Clone)]
pub struct KnownPaths(pub Arc<Vec<(String, Vec<&'static str>)>>);

/// Answers every `/api/...` request that no route matched: 405 with `Allow` when the
/// path exists with other methods, otherwise 404. Never the SPA's index.html.
pub async fn api_fallback(req: HttpRequest, known: web::Data<KnownPaths>) -> HttpResponse {
    match crate::openapi::allowed_methods(&known.0, req.path()) {
        Some(methods) if !methods.is_empty() && req.method() != Method::OPTIONS => {
            let mut response = problem_response(
                StatusCode::METHOD_NOT_ALLOWED,
                ErrorCode::MethodNotAllowed,
                format!("{} is not supported on this path; use {}.", req.method(), methods.join(", ")),
            );
            if let Ok(value) = HeaderValue::from_str(&methods.join(", ")) {
                response.headers_mut().insert(header::ALLOW, value);
            }
            response
        }
        _ => problem_response(StatusCode::NOT_FOUND, ErrorCode::NotFound, "No such resource."),
    }
}

/// Maps JSON body errors to problem+json: 413, 415, 400 for malformed JSON, and 422
/// for well-formed JSON of the wrong shape.
pub fn json_error(error: JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let api = match &error {
        JsonPayloadError::OverflowKnownLength { limit, .. } | JsonPayloadError::Overflow { limit } => ApiError::client(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::PayloadTooLarge,
            format!("The body exceeds {limit} bytes."),
        ),
        JsonPayloadError::ContentType => ApiError::client(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "Send the body as application/json.",
        ),
        JsonPayloadError::Deserialize(inner) if inner.is_data() => ApiError::Validation(vec![FieldError {
            field: field_of(&inner.to_string()),
            code: "invalid".to_owned(),
            message: inner.to_string(),
        }]),
        JsonPayloadError::Deserialize(inner) => ApiError::client(
            StatusCode::BAD_REQUEST,
            ErrorCode::MalformedJson,
            format!("The body is not valid JSON: {inner}."),
        ),
        _ => ApiError::client(StatusCode::BAD_REQUEST, ErrorCode::MalformedJson, "The body could not be read."),
    };
    actix_web::error::InternalError::from_response(error, api.error_response()).into()
}

/// Maps query string errors to 400.
pub fn query_error(error: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let api = ApiError::bad_request(format!("Invalid query string: {error}."));
    actix_web::error::InternalError::from_response(error, api.error_response()).into()
}

/// Maps path parameter errors to 400.
pub fn path_error(error: PathError, _req: &HttpRequest) -> actix_web::Error {
    let api = ApiError::bad_request(format!("Invalid path: {error}."));
    actix_web::error::InternalError::from_response(error, api.error_response()).into()
}

/// The field a serde data error is about, when its message names it.
fn field_of(message: &str) -> String {
    for marker in ["missing field `", "unknown field `"] {
        if let Some(start) = message.find(marker) {
            let rest = &message[start + marker.len()..];
            if let Some(end) = rest.find('`') {
                return rest[..end].to_owned();
            }
        }
    }
    "body".to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_assets_are_recognised() {
        assert!(is_hashed_asset("web-1f2e3d4c5b6a7980.js"));
        assert!(is_hashed_asset("web-1f2e3d4c5b6a7980_bg.wasm"));
        assert!(is_hashed_asset("style-0123456789abcdef.css"));
        assert!(!is_hashed_asset("index.html"));
        assert!(!is_hashed_asset("favicon.svg"));
        assert!(!is_hashed_asset("my-logo.png"));
    }

    #[test]
    fn serde_messages_name_their_field() {
        assert_eq!(field_of("missing field `password` at line 1 column 2"), "password");
        assert_eq!(field_of("invalid type: integer `1`, expected a string"), "body");
    }

    #[test]
    fn request_ids_are_bounded_visible_ascii() {
        assert!(acceptable_request_id("abc-123"));
        assert!(!acceptable_request_id(""));
        assert!(!acceptable_request_id("has space"));
        assert!(!acceptable_request_id(&"x".repeat(129)));
    }
}
