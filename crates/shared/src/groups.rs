//! Working groups and special-interest rooms, and their membership.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::members::MemberSummary;

/// Who can see a group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum GroupVisibility {
    /// Every member sees it and may join freely.
    Public,
    /// Only its members see it; others join by invitation or by an approved request.
    Private,
}

impl GroupVisibility {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            GroupVisibility::Public => "public",
            GroupVisibility::Private => "private",
        }
    }
    /// Parses a wire name.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "public" => Some(GroupVisibility::Public),
            "private" => Some(GroupVisibility::Private),
            _ => None,
        }
    }
}

/// A member's role inside a group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum GroupRole {
    /// Runs the group: approves requests, invites, removes, changes roles.
    Facilitator,
    /// Takes part.
    Member,
}

impl GroupRole {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            GroupRole::Facilitator => "facilitator",
            GroupRole::Member => "member",
        }
    }
    /// Parses a wire name.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "facilitator" => Some(GroupRole::Facilitator),
            "member" => Some(GroupRole::Member),
            _ => None,
        }
    }
}

/// Where a membership stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MembershipStatus {
    /// A member of the group.
    Active,
    /// Asked to join; waits for a group facilitator.
    Requested,
    /// Invited by a group facilitator; joins by accepting.
    Invited,
}

impl MembershipStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            MembershipStatus::Active => "active",
            MembershipStatus::Requested => "requested",
            MembershipStatus::Invited => "invited",
        }
    }
    /// Parses a wire name.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "active" => Some(MembershipStatus::Active),
            "requested" => Some(MembershipStatus::Requested),
            "invited" => Some(MembershipStatus::Invited),
            _ => None,
        }
    }
}

/// The caller's own standing in a group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyMembership {
    /// The caller's role.
    pub role: GroupRole,
    /// The membership's status.
    pub status: MembershipStatus,
}

/// A group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "id": "5f0c8f3e-3f0e-4d5c-9a43-0c5a1f3c2b10",
    "slug": "soil-health",
    "name": "Soil health working group",
    "description": "We compare **soil testing** methods.",
    "description_html": "<p>We compare <strong>soil testing</strong> methods.</p>\n",
    "visibility": "public",
    "archived": false,
    "member_count": 12,
    "created_at": "2026-11-22T10:00:00Z",
    "updated_at": "2026-11-22T10:00:00Z",
    "my_membership": {"role": "member", "status": "active"}
})))]
pub struct Group {
    /// Opaque identifier.
    pub id: String,
    /// Short unique name used in addresses; never changes.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Description as Markdown, as written.
    pub description: String,
    /// Description rendered to sanitized HTML.
    pub description_html: String,
    /// Who can see it.
    pub visibility: GroupVisibility,
    /// Archived groups are read-only and hidden from default lists.
    pub archived: bool,
    /// Active members.
    pub member_count: u64,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// The caller's membership, if any.
    pub my_membership: Option<MyMembership>,
}

/// Create a group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateGroupRequest {
    /// 2 to 80 characters.
    pub name: String,
    /// Lower-case letters, digits and hyphens, 2 to 60; derived from the name if absent.
    #[serde(default)]
    pub slug: Option<String>,
    /// Markdown, up to 20 000 characters.
    #[serde(default)]
    pub description: String,
    /// Who can see it.
    pub visibility: GroupVisibility,
}

/// Replace a group's editable fields. Send the ETag you read as `If-Match`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateGroupRequest {
    /// 2 to 80 characters.
    pub name: String,
    /// Markdown.
    pub description: String,
    /// Who can see it (only site facilitators and admins may change it).
    pub visibility: GroupVisibility,
}

/// A membership as group facilitators and members see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupMember {
    /// The member.
    pub member: MemberSummary,
    /// Their role in the group.
    pub role: GroupRole,
    /// The membership's status.
    pub status: MembershipStatus,
    /// When the membership (or request, or invitation) was created.
    pub since: DateTime<Utc>,
}

/// The answer to a join: the membership as it now stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JoinResult {
    /// `active` when the caller is now a member, `requested` when a facilitator must approve.
    pub status: MembershipStatus,
}

/// Invite a member into a group, by their account's email.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InviteToGroupRequest {
    /// The member's email address.
    pub email: String,
}

/// Change a member's role in a group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeGroupRoleRequest {
    /// The new role.
    pub role: GroupRole,
}
