//! The one error type at the HTTP boundary, rendered as RFC 9457 problem+json with a
//! stable code. Database errors map here, centrally; 5xx causes are logged, never sent.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use copse_shared::{ErrorCode, FieldError, Problem};
use sea_orm::{DbErr, SqlErr};

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Every error a request can end with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A client error with its status, code and explanation.
    #[error("{code:?}: {detail}")]
    Client {
        /// HTTP status (4xx).
        status: StatusCode,
        /// Stable code.
        code: ErrorCode,
        /// Human-readable explanation.
        detail: String,
    },
    /// 422 with per-field errors.
    #[error("validation failed: {0:?}")]
    Validation(Vec<FieldError>),
    /// 429 with the number of seconds to wait.
    #[error("rate limited for {retry_after} s")]
    RateLimited {
        /// Seconds until a retry may succeed.
        retry_after: u64,
        /// The limit that was hit.
        limit: u32,
    },
    /// 416: a `Range` outside a file of `size` bytes (answered with `Content-Range: bytes */size`).
    #[error("range outside {size} bytes")]
    RangeNotSatisfiable {
        /// The file's size.
        size: u64,
    },
    /// 503: a dependency is down.
    #[error("unavailable: {0:#}")]
    Unavailable(anyhow::Error),
    /// 500: a bug or an unexpected failure.
    #[error("internal: {0:#}")]
    Internal(anyhow::Error),
}

/// Short-hand for service and handler results.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// A client error.
    pub fn client(status: StatusCode, code: ErrorCode, detail: impl Into<String>) -> Self {
        ApiError::Client { status, code, detail: detail.into() }
    }

    /// 404: absent, or invisible to the caller (never reveal which).
    pub fn not_found() -> Self {
        Self::client(StatusCode::NOT_FOUND, ErrorCode::NotFound, "No such resource.")
    }

    /// 401 with a code.
    pub fn unauthorized(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::client(StatusCode::UNAUTHORIZED, code, detail)
    }

    /// 403.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::client(StatusCode::FORBIDDEN, ErrorCode::Forbidden, detail)
    }

    /// 400 for malformed input outside the JSON body.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::client(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, detail)
    }

    /// 422 for a single field.
    pub fn field(field: &str, code: &str, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError {
            field: field.to_owned(),
            code: code.to_owned(),
            message: message.into(),
        }])
    }

    /// 500 from anything displayable.
    pub fn internal(error: impl Into<anyhow::Error>) -> Self {
        ApiError::Internal(error.into())
    }

    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            ApiError::Client { code, .. } => *code,
            ApiError::Validation(_) => ErrorCode::ValidationFailed,
            ApiError::RateLimited { .. } => ErrorCode::RateLimited,
            ApiError::RangeNotSatisfiable { .. } => ErrorCode::RangeNotSatisfiable,
            ApiError::Unavailable(_) => ErrorCode::ServiceUnavailable,
            ApiError::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The problem body for this error.
    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        let (detail, errors) = match self {
            ApiError::Client { detail, .. } => (Some(detail.clone()), Vec::new()),
            ApiError::Validation(errors) => (Some("Some fields are invalid.".to_owned()), errors.clone()),
            ApiError::RateLimited { retry_after, .. } => {
                (Some(format!("Too many requests; retry in {retry_after} seconds.")), Vec::new())
            }
            ApiError::RangeNotSatisfiable { .. } => {
                (Some("The requested range lies outside the file.".to_owned()), Vec::new())
            }
            ApiError::Unavailable(_) => (Some("The service is temporarily unavailable.".to_owned()), Vec::new()),
            ApiError::Internal(_) => (Some("An unexpected error occurred; it has been logged.".to_owned()), Vec::new()),
        };
        problem(status, self.code(), detail, errors)
    }
}

/// Builds a problem body.
pub fn problem(status: StatusCode, code: ErrorCode, detail: Option<String>, errors: Vec<FieldError>) -> Problem {
    let code_name = serde_json::to_value(code)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "unknown".to_owned());
    Problem {
        type_url: format!("https://copse.community/problems/{code_name}"),
        title: title(code).to_owned(),
        status: status.as_u16(),
        detail,
        code,
        errors,
    }
}

/// A problem+json response for a status and code.
pub fn problem_response(status: StatusCode, code: ErrorCode, detail: impl Into<String>) -> HttpResponse {
    render(status, &problem(status, code, Some(detail.into()), Vec::new()))
}

fn render(status: StatusCode, body: &Problem) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    response.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
    if status == StatusCode::UNAUTHORIZED {
        response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
    }
    let json = serde_json::to_string(body).unwrap_or_else(|_| "{}".to_owned());
    response.body(json)
}

/// The short, stable title of each code.
pub fn title(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::BadRequest => "Bad request",
        ErrorCode::MalformedJson => "Malformed JSON",
        ErrorCode::ValidationFailed => "Validation failed",
        ErrorCode::AuthenticationRequired => "Authentication required",
        ErrorCode::InvalidCredentials => "Invalid email or password",
        ErrorCode::InvalidToken => "Invalid token",
        ErrorCode::TokenExpired => "Token expired",
        ErrorCode::InvalidRefreshToken => "Invalid refresh token",
        ErrorCode::RefreshTokenReused => "Refresh token reused",
        ErrorCode::AccountPending => "Account pending approval",
        ErrorCode::AccountSuspended => "Account suspended",
        ErrorCode::InvitationRequired => "Invitation required",
        ErrorCode::Forbidden => "Forbidden",
        ErrorCode::NotFound => "Not found",
        ErrorCode::MethodNotAllowed => "Method not allowed",
        ErrorCode::EmailTaken => "Email already registered",
        ErrorCode::Conflict => "Conflict",
        ErrorCode::LastFacilitator => "Last facilitator",
        ErrorCode::ContactNotAllowed => "Contact not allowed",
        ErrorCode::EventCancelled => "Event cancelled",
        ErrorCode::RsvpClosed => "Answers closed",
        ErrorCode::LastAdmin => "Last admin",
        ErrorCode::TopicLocked => "Topic locked",
        ErrorCode::IdempotencyKeyReused => "Idempotency key reused",
        ErrorCode::PreconditionFailed => "Precondition failed",
        ErrorCode::PayloadTooLarge => "Payload too large",
        ErrorCode::UnsupportedMediaType => "Unsupported media type",
        ErrorCode::RangeNotSatisfiable => "Range not satisfiable",
        ErrorCode::RateLimited => "Too many requests",
        ErrorCode::ServiceUnavailable => "Service unavailable",
        ErrorCode::Internal => "Internal server error",
        ErrorCode::Unknown => "Error",
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Client { status, .. } => *status,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::RangeNotSatisfiable { .. } => StatusCode::RANGE_NOT_SATISFIABLE,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            // The cause is logged once, here; the body says nothing internal.
            ApiError::Internal(cause) => tracing::error!(error = %format!("{cause:#}"), "internal error"),
            ApiError::Unavailable(cause) => tracing::warn!(error = %format!("{cause:#}"), "dependency unavailable"),
            _ => {}
        }
        let status = self.status_code();
        let mut response = render(status, &self.problem());
        if let ApiError::RateLimited { retry_after, limit } = self {
            let headers = response.headers_mut();
            for (name, value) in [
                ("retry-after", retry_after.to_string()),
                ("ratelimit-limit", limit.to_string()),
                ("ratelimit-remaining", "0".to_owned()),
                ("ratelimit-reset", retry_after.to_string()),
            ] {
                if let Ok(value) = header::HeaderValue::from_str(&value) {
                    headers.insert(header::HeaderName::from_static(name), value);
                }
            }
        }
        if let ApiError::RangeNotSatisfiable { size } = self
            && let Ok(value) = header::HeaderValue::from_str(&format!("bytes */{size}"))
        {
            // RFC 9110 §15.5.17: the client learns the file's current length.
            response.headers_mut().insert(header::CONTENT_RANGE, value);
        }
        response
    }
}

impl From<DbErr> for ApiError {
    fn from(error: DbErr) -> Self {
        if let Some(SqlErr::UniqueConstraintViolation(_)) = error.sql_err() {
            return ApiError::client(
                StatusCode::CONFLICT,
                ErrorCode::Conflict,
                "This conflicts with an existing record.",
            );
        }
        match error {
            DbErr::RecordNotFound(_) => ApiError::not_found(),
            DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => ApiError::Unavailable(anyhow::Error::new(error)),
            other => ApiError::Internal(anyhow::Error::new(other)),
        }
    }
}

impl From<tokio::task::JoinError> for ApiError {
    fn from(error: tokio::task::JoinError) -> Self {
        ApiError::Internal(anyhow::Error::new(error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_reveal_nothing_of_their_cause() {
        let error = ApiError::internal(anyhow::anyhow!("password column missing in table users"));
        let body = serde_json::to_string(&error.problem()).unwrap_or_default();
        assert!(!body.contains("users"), "{body}");
        assert_eq!(error.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn every_problem_carries_its_code_in_the_type_url() {
        let problem = ApiError::not_found().problem();
        assert_eq!(problem.type_url, "https://copse.community/problems/not_found");
        assert_eq!(problem.status, 404);
    }
}
