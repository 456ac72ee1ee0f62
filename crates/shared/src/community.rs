//! Community-wide settings that admins edit.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How people become members.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum JoinPolicy {
    /// Anyone may register and sign in at once.
    Open,
    /// Registrations wait for a facilitator's approval.
    Approval,
    /// Registration needs an invitation token.
    Invite,
}

impl JoinPolicy {
    /// The policy's wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            JoinPolicy::Open => "open",
            JoinPolicy::Approval => "approval",
            JoinPolicy::Invite => "invite",
        }
    }

    /// Parses a wire name.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "open" => Some(JoinPolicy::Open),
            "approval" => Some(JoinPolicy::Approval),
            "invite" => Some(JoinPolicy::Invite),
            _ => None,
        }
    }
}

/// The community's settings, readable by everyone (the SPA shows the name before login).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "name": "KM4Dev",
    "tagline": "Knowledge management for development",
    "join_policy": "open",
    "public_read": false,
    "updated_at": "2026-11-22T10:00:00Z"
})))]
pub struct Community {
    /// The community's name, shown in the header.
    pub name: String,
    /// One line under the name.
    pub tagline: String,
    /// How people become members.
    pub join_policy: JoinPolicy,
    /// Whether anonymous visitors may read public content.
    pub public_read: bool,
    /// When the settings last changed.
    pub updated_at: DateTime<Utc>,
}

/// New settings (all fields replace the current ones). Send the `ETag` of the
/// settings you edited as `If-Match`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateCommunityRequest {
    /// 1 to 80 characters.
    pub name: String,
    /// Up to 200 characters.
    pub tagline: String,
    /// How people become members.
    pub join_policy: JoinPolicy,
    /// Whether anonymous visitors may read public content.
    pub public_read: bool,
}
