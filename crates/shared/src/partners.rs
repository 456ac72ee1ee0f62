//! Partner access: scoped API keys for knowledge hubs and tools.
//!
//! A key acts for the member who made it, never beyond that member's own rights, and
//! only within its scopes and (optionally) its groups. The secret is shown once,
//! starts with `copse_`, and is sent as `Authorization: Bearer copse_...`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::discussions::GroupRef;
use crate::members::MemberSummary;

/// What a key may do: one resource and one action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Scope {
    /// Read topics and replies.
    #[serde(rename = "discussions:read")]
    DiscussionsRead,
    /// Read library items and download their files (`library:write` includes it).
    #[serde(rename = "library:read")]
    LibraryRead,
    /// Share, edit and delete library items and upload versions.
    #[serde(rename = "library:write")]
    LibraryWrite,
    /// Read events and their calendar files (`events:write` includes it).
    #[serde(rename = "events:read")]
    EventsRead,
    /// Create, edit and cancel events.
    #[serde(rename = "events:write")]
    EventsWrite,
    /// Read member profiles and the directory.
    #[serde(rename = "members:read")]
    MembersRead,
}

impl Scope {
    /// Every scope, in display order.
    pub const ALL: [Scope; 6] = [
        Scope::DiscussionsRead,
        Scope::LibraryRead,
        Scope::LibraryWrite,
        Scope::EventsRead,
        Scope::EventsWrite,
        Scope::MembersRead,
    ];

    /// The wire name (`library:read`).
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::DiscussionsRead => "discussions:read",
            Scope::LibraryRead => "library:read",
            Scope::LibraryWrite => "library:write",
            Scope::EventsRead => "events:read",
            Scope::EventsWrite => "events:write",
            Scope::MembersRead => "members:read",
        }
    }

    /// Parses a wire name.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }

    /// Whether holding this scope grants `other`: a write scope includes reading the
    /// same resource (a partner sees what it wrote).
    pub fn grants(self, other: Scope) -> bool {
        self == other
            || matches!(
                (self, other),
                (Scope::LibraryWrite, Scope::LibraryRead) | (Scope::EventsWrite, Scope::EventsRead)
            )
    }
}

/// A key as its makers see it (never the secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiKey {
    /// Opaque identifier.
    pub id: String,
    /// What it is for ("FAO e-Agriculture sync").
    pub name: String,
    /// The secret's first characters, to recognise it (`copse_3fA9x`).
    pub prefix: String,
    /// What it may do.
    pub scopes: Vec<Scope>,
    /// The groups it is limited to; empty: the whole community (as its maker sees it).
    pub groups: Vec<GroupRef>,
    /// Who made it; the key never has more rights than they do.
    pub created_by: Option<MemberSummary>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it stops working, if ever.
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Until when the secret replaced by the last rotation still works.
    pub previous_valid_until: Option<DateTime<Utc>>,
    /// When it was last used.
    pub last_used_at: Option<DateTime<Utc>>,
    /// From which address it was last used.
    pub last_used_ip: Option<String>,
}

/// Make a key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateApiKeyRequest {
    /// 3 to 80 characters.
    pub name: String,
    /// At least one scope.
    pub scopes: Vec<Scope>,
    /// Group ids or slugs to limit it to; required for group facilitators (their
    /// groups only), optional for admins.
    #[serde(default)]
    pub groups: Vec<String>,
    /// When it stops working (in the future); absent: never.
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
}

/// A key with its secret: the only time the secret is shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedApiKey {
    /// The key.
    pub key: ApiKey,
    /// The secret to send as `Authorization: Bearer <secret>`.
    pub secret: String,
}

/// Rotate a key's secret.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RotateApiKeyRequest {
    /// How long the old secret keeps working, in hours (0 to 720; default 24), so a
    /// partner can switch without downtime.
    #[serde(default)]
    pub grace_hours: Option<u32>,
}

/// An Atom feed of the newest topics, library items or events (`kind`: `topics`,
/// `library`, `events`), for a group (id or slug) or the community, read with a
/// personal feed token for members-only content: `/api/v1/feeds/{kind}.atom`.
pub fn atom_feed_path(kind: &str, group: Option<&str>, token: Option<&str>) -> String {
    let query =
        crate::endpoint::query_string(&[("group", group.map(str::to_owned)), ("token", token.map(str::to_owned))]);
    format!("/api/v1/feeds/{kind}.atom{query}")
}

/// The kind of resource a change is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChangeType {
    /// A discussion topic (`discussions:read`).
    Topic,
    /// A reply in a topic (`discussions:read`).
    Post,
    /// A library item (`library:read`).
    LibraryItem,
    /// An event series (`events:read`).
    Event,
}

impl ChangeType {
    /// Every type.
    pub const ALL: [ChangeType; 4] = [ChangeType::Topic, ChangeType::Post, ChangeType::LibraryItem, ChangeType::Event];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeType::Topic => "topic",
            ChangeType::Post => "post",
            ChangeType::LibraryItem => "library_item",
            ChangeType::Event => "event",
        }
    }

    /// Parses a wire name.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == value)
    }

    /// The scope a key needs to see changes of this type.
    pub fn scope(self) -> Scope {
        match self {
            ChangeType::Topic | ChangeType::Post => Scope::DiscussionsRead,
            ChangeType::LibraryItem => Scope::LibraryRead,
            ChangeType::Event => Scope::EventsRead,
        }
    }

    /// The API path that reads the resource.
    pub fn path(self, id: &str) -> String {
        match self {
            ChangeType::Topic => format!("/api/v1/topics/{id}"),
            ChangeType::Post => format!("/api/v1/posts/{id}"),
            ChangeType::LibraryItem => format!("/api/v1/library/{id}"),
            ChangeType::Event => format!("/api/v1/events/{id}"),
        }
    }
}

/// What happened to the resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChangeOp {
    /// It appeared (made, or shown again after being hidden).
    Created,
    /// Its content or state changed: read it again at `path`.
    Updated,
    /// It is gone (deleted, or hidden by a moderator): drop your copy. A tombstone.
    Deleted,
}

/// One entry of the change feed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    /// The resource's kind.
    #[serde(rename = "type")]
    pub kind: ChangeType,
    /// The resource's id.
    pub id: String,
    /// What happened.
    pub op: ChangeOp,
    /// The group the resource belongs to (absent: community-wide).
    pub group_id: Option<String>,
    /// When the change was written.
    pub at: DateTime<Utc>,
    /// Where to read the resource now (absent for deletions).
    pub path: Option<String>,
    /// A cursor just after this entry (resume from here if you stop mid-page).
    pub cursor: String,
}

/// A page of the change feed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangePage {
    /// Changes in the order they became final, oldest first.
    pub changes: Vec<Change>,
    /// Store it and send it as `cursor` next time; always present, even when nothing
    /// changed (it may move past changes you cannot see).
    pub next_cursor: String,
    /// Whether more changes are ready now (ask again at once).
    pub has_more: bool,
}

/// Where a synced resource came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Provenance {
    /// The partner's source slug (`fao-e-agriculture`).
    pub source: String,
    /// The name members see: "from FAO e-Agriculture".
    pub source_name: String,
    /// The resource's id at the source.
    pub external_id: String,
    /// The resource's page at the source.
    pub source_url: Option<String>,
    /// When the partner last changed it.
    pub synced_at: DateTime<Utc>,
}

/// Where a partner says a resource comes from, sent with an upsert.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SourceInfo {
    /// The name members see (2 to 120 characters): "FAO e-Agriculture".
    pub source_name: String,
    /// The resource's page at the source (`http` or `https`).
    #[serde(default)]
    pub source_url: Option<String>,
}

/// Create or replace a library item by its id at a partner's source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpsertLibraryItemRequest {
    /// The item (its group cannot change after the first upsert).
    #[serde(flatten)]
    pub item: crate::library::CreateLibraryItemRequest,
    /// Where it comes from.
    #[serde(flatten)]
    pub source: SourceInfo,
}

/// Create or replace an event by its id at a partner's source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpsertEventRequest {
    /// The event (its group cannot change after the first upsert).
    #[serde(flatten)]
    pub event: crate::events::CreateEventRequest,
    /// Where it comes from.
    #[serde(flatten)]
    pub source: SourceInfo,
}
