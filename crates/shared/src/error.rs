//! RFC 9457 problem details as they travel on the wire, with the stable error codes
//! that the SPA and partners match on.

use serde::{Deserialize, Serialize};

/// A stable, machine-readable error code. New codes may be added; clients must treat
/// an unknown code by its HTTP status (it deserializes as `Unknown`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request is malformed (bad query string, path parameter or header).
    BadRequest,
    /// The body is not valid JSON.
    MalformedJson,
    /// The body is well-formed but some fields are invalid; see `errors`.
    ValidationFailed,
    /// No credential was sent where one is required.
    AuthenticationRequired,
    /// The email and password do not match an account.
    InvalidCredentials,
    /// The access token is malformed, tampered with, or signed with another key.
    InvalidToken,
    /// The access token has expired; refresh it.
    TokenExpired,
    /// The refresh token is missing, unknown, expired or revoked.
    InvalidRefreshToken,
    /// An already used refresh token was presented: its whole session family is revoked.
    RefreshTokenReused,
    /// The account awaits approval by a facilitator.
    AccountPending,
    /// The account is suspended.
    AccountSuspended,
    /// The community only accepts registrations with an invitation.
    InvitationRequired,
    /// The caller is authenticated but not allowed to do this.
    Forbidden,
    /// The resource does not exist or is not visible to the caller.
    NotFound,
    /// The method is not supported on this path.
    MethodNotAllowed,
    /// An account with this email already exists.
    EmailTaken,
    /// The request conflicts with the current state.
    Conflict,
    /// The `Idempotency-Key` was already used for a different request.
    IdempotencyKeyReused,
    /// The topic is locked and accepts no new replies.
    TopicLocked,
    /// The change would leave a group without a facilitator.
    LastFacilitator,
    /// The member does not accept messages through "Contact member".
    ContactNotAllowed,
    /// The change would leave the community without an admin.
    LastAdmin,
    /// The event, or this occurrence of it, is cancelled.
    EventCancelled,
    /// Answers to this occurrence are closed (its deadline passed or it has started).
    RsvpClosed,
    /// `If-Match` did not match the current version.
    PreconditionFailed,
    /// The body is larger than the server accepts.
    PayloadTooLarge,
    /// The body's media type is not supported (send `application/json`).
    UnsupportedMediaType,
    /// The requested byte range lies outside the file.
    RangeNotSatisfiable,
    /// Too many requests; retry after the `Retry-After` delay.
    RateLimited,
    /// A dependency (the database) is unreachable.
    ServiceUnavailable,
    /// An unexpected server error; its cause is logged, never returned.
    Internal,
    /// A code this version of the contract does not know.
    #[serde(other)]
    Unknown,
}

/// One invalid field in a 422 answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// The field's name in the request body, for example `password`.
    pub field: String,
    /// A stable code such as `too_short`, `invalid_format` or `required`.
    pub code: String,
    /// A human-readable explanation in English.
    pub message: String,
}

/// An RFC 9457 `application/problem+json` body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "type": "https://copse.example/problems/validation_failed",
    "title": "Validation failed",
    "status": 422,
    "detail": "Some fields are invalid.",
    "code": "validation_failed",
    "errors": [{"field": "password", "code": "too_short", "message": "Use at least 12 characters."}]
})))]
pub struct Problem {
    /// A URI identifying the problem type.
    #[serde(rename = "type")]
    pub type_url: String,
    /// A short summary of the problem type.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// An explanation of this occurrence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The stable error code.
    pub code: ErrorCode,
    /// Per-field errors of a validation failure.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl Problem {
    /// The error for a given field, if the server reported one.
    pub fn field(&self, name: &str) -> Option<&FieldError> {
        self.errors.iter().find(|error| error.field == name)
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.detail {
            Some(detail) => write!(f, "{} ({}): {}", self.title, self.status, detail),
            None => write!(f, "{} ({})", self.title, self.status),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_codes_from_a_newer_server_still_deserialize() {
        let json = r#"{"type":"about:blank","title":"x","status":418,"code":"brand_new"}"#;
        let problem: Problem = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(problem.code, ErrorCode::Unknown);
    }
}
