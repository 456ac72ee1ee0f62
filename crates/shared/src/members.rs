//! Invitations and the approval of pending registrations.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::auth::Role;

/// Ask for an invitation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateInvitationRequest {
    /// If set, only this email address may use the invitation.
    #[serde(default)]
    pub email: Option<String>,
    /// The role the invitee gets (only admins may invite staff); defaults to `member`.
    #[serde(default)]
    pub role: Option<Role>,
    /// Days until the invitation expires (1 to 90, default 14).
    #[serde(default)]
    pub expires_in_days: Option<u32>,
}

/// An invitation, without its secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Invitation {
    /// Opaque identifier.
    pub id: String,
    /// The only address allowed to use it, if restricted.
    pub email: Option<String>,
    /// The role the invitee gets.
    pub role: Role,
    /// Who created it.
    pub created_by: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// When it was used, if it was.
    pub used_at: Option<DateTime<Utc>>,
}

/// A newly created invitation with its token, shown only once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedInvitation {
    /// The invitation.
    pub invitation: Invitation,
    /// The secret token to send to the invitee; it is stored only as a hash.
    pub token: String,
    /// The registration page path with the token, e.g. `/register?invite=...`.
    pub register_path: String,
}

/// A member as other members see them in lists.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberSummary {
    /// The account's id.
    pub id: String,
    /// Their display name.
    pub display_name: String,
}

/// Change a member's site-wide role (admins only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeRoleRequest {
    /// The new role.
    pub role: Role,
}

/// One entry of the audit log: who did what to whom, and when.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "id": "a1b2c3d4-0000-4000-8000-000000000001",
    "actor": {"id": "0b7e4b8e-2a55-4a57-9c1e-6a1d2f1f9f10", "display_name": "Amina Diallo"},
    "action": "member.suspend",
    "target_type": "user",
    "target_id": "9d2c1f4a-6b1e-4f7a-8d0c-2e3f4a5b6c7d",
    "target_label": "carlos@example.org",
    "details": {},
    "created_at": "2026-11-22T10:00:00Z"
})))]
pub struct AuditEntry {
    /// Opaque identifier.
    pub id: String,
    /// Who acted (absent for the system or a deleted account).
    pub actor: Option<MemberSummary>,
    /// What was done, such as `member.approve`, `member.role_change`, `group.archive`.
    pub action: String,
    /// The kind of thing acted on: `user`, `group`, `invitation`, `community`.
    pub target_type: String,
    /// Its id.
    pub target_id: String,
    /// A human-readable name of the target at the time (email, group name).
    pub target_label: String,
    /// Action-specific details, such as `{"from": "member", "to": "facilitator"}`.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub details: serde_json::Value,
    /// When.
    pub created_at: DateTime<Utc>,
}
