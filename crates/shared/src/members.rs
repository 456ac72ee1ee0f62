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
