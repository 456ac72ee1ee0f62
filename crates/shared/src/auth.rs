//! Accounts and sessions: registration, login, refresh, the current member.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A member's site-wide role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Runs the instance: settings, roles, everything a facilitator does.
    Admin,
    /// Welcomes and approves members, moderates, invites.
    Facilitator,
    /// A member of the community.
    Member,
}

impl Role {
    /// The role's wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Facilitator => "facilitator",
            Role::Member => "member",
        }
    }

    /// Parses a wire name.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "admin" => Some(Role::Admin),
            "facilitator" => Some(Role::Facilitator),
            "member" => Some(Role::Member),
            _ => None,
        }
    }

    /// Whether this role may welcome members and send invitations.
    pub fn is_staff(self) -> bool {
        matches!(self, Role::Admin | Role::Facilitator)
    }
}

/// Where an account stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    /// May sign in.
    Active,
    /// Registered under the approval policy and waiting for a facilitator.
    Pending,
    /// Suspended by a facilitator or admin; cannot sign in.
    Suspended,
}

impl AccountStatus {
    /// The status's wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Active => "active",
            AccountStatus::Pending => "pending",
            AccountStatus::Suspended => "suspended",
        }
    }

    /// Parses a wire name.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "active" => Some(AccountStatus::Active),
            "pending" => Some(AccountStatus::Pending),
            "suspended" => Some(AccountStatus::Suspended),
            _ => None,
        }
    }
}

/// An account as its owner and staff see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "id": "0b7e4b8e-2a55-4a57-9c1e-6a1d2f1f9f10",
    "email": "amina@example.org",
    "display_name": "Amina Diallo",
    "role": "member",
    "status": "active",
    "created_at": "2026-11-22T10:00:00Z"
})))]
pub struct User {
    /// Opaque identifier.
    pub id: String,
    /// Email address, lower-cased.
    pub email: String,
    /// The name shown to other members.
    pub display_name: String,
    /// Site-wide role.
    pub role: Role,
    /// Account status.
    pub status: AccountStatus,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
}

/// Registration form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "email": "amina@example.org",
    "display_name": "Amina Diallo",
    "password": "a long passphrase"
})))]
pub struct RegisterRequest {
    /// Email address; compared case-insensitively.
    pub email: String,
    /// The name shown to other members (1 to 80 characters).
    pub display_name: String,
    /// At least 12 characters.
    pub password: String,
    /// Required when the community is invite-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invitation_token: Option<String>,
}

/// Answer to a registration: the account, and a session when it may sign in at once
/// (absent while the account awaits approval).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegisterResponse {
    /// The new account.
    pub user: User,
    /// A session, unless the account is pending approval.
    pub session: Option<Session>,
}

/// Login form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "email": "amina@example.org",
    "password": "a long passphrase"
})))]
pub struct LoginRequest {
    /// Email address; compared case-insensitively.
    pub email: String,
    /// Password.
    pub password: String,
}

/// A signed-in session. The refresh token travels only in the HttpOnly
/// `copse_refresh` cookie, never in a body that scripts could read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Session {
    /// The JWT to send as `Authorization: Bearer ...`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// The signed-in account.
    pub user: User,
}

/// Password change form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangePasswordRequest {
    /// The current password.
    pub current_password: String,
    /// The new password, at least 12 characters.
    pub new_password: String,
}
