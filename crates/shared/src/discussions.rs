//! Discussions: categories, topics (discussions and questions), posts, reactions,
//! watching, notifications and moderation.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::members::MemberSummary;

/// A category of topics, ordered by facilitators.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Category {
    /// Opaque identifier.
    pub id: String,
    /// Short unique name used in addresses.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// What belongs here (plain text).
    pub description: String,
    /// Sort order, ascending.
    pub position: i32,
}

/// Create or replace a category (site facilitators and admins).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryRequest {
    /// 2 to 60 characters.
    pub name: String,
    /// Up to 500 characters.
    #[serde(default)]
    pub description: String,
    /// Sort order, ascending (default: after the last).
    #[serde(default)]
    pub position: Option<i32>,
}

/// Whether a topic is a conversation or a question that wants an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TopicKind {
    /// A conversation.
    Discussion,
    /// A question; one reply can be accepted as its answer.
    Question,
}

impl TopicKind {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            TopicKind::Discussion => "discussion",
            TopicKind::Question => "question",
        }
    }
    /// Parses a wire name.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "discussion" => Some(TopicKind::Discussion),
            "question" => Some(TopicKind::Question),
            _ => None,
        }
    }
}

/// A short reference to a category.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryRef {
    /// Its id.
    pub id: String,
    /// Its slug.
    pub slug: String,
    /// Its name.
    pub name: String,
}

/// A short reference to a group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupRef {
    /// Its id.
    pub id: String,
    /// Its slug.
    pub slug: String,
    /// Its name.
    pub name: String,
}

/// A topic as lists show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TopicSummary {
    /// Opaque identifier.
    pub id: String,
    /// The title.
    pub title: String,
    /// Discussion or question.
    pub kind: TopicKind,
    /// Its category.
    pub category: CategoryRef,
    /// The group it belongs to; absent for community-wide topics.
    pub group: Option<GroupRef>,
    /// Who started it (absent for a former member).
    pub author: Option<MemberSummary>,
    /// Lower-case tags.
    pub tags: Vec<String>,
    /// Replies (the opening post not counted).
    pub reply_count: i64,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last had a new post.
    pub last_activity_at: DateTime<Utc>,
    /// Pinned topics come first in lists.
    pub pinned: bool,
    /// Locked topics accept no new replies.
    pub locked: bool,
    /// Hidden by a moderator (only moderators see it).
    pub hidden: bool,
    /// A question whose answer has been accepted.
    pub solved: bool,
    /// The start of the opening post, as plain text.
    pub excerpt: String,
}

/// What the caller may do with a topic (the server checks again on every call).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TopicPermissions {
    /// Reply (false when locked, unless moderating).
    pub reply: bool,
    /// Edit the title and tags.
    pub edit: bool,
    /// Mark the accepted answer.
    pub accept: bool,
    /// Pin, lock, hide, move, split.
    pub moderate: bool,
}

/// A topic with its opening post.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Topic {
    /// The summary fields.
    #[serde(flatten)]
    pub summary: TopicSummary,
    /// The opening post.
    pub opening_post: Post,
    /// The accepted answer, for solved questions.
    pub accepted_post_id: Option<String>,
    /// Seconds from the question to its first reply, once there is one.
    pub seconds_to_first_reply: Option<i64>,
    /// Whether the caller watches this topic.
    pub watching: bool,
    /// What the caller may do.
    pub permissions: TopicPermissions,
}

/// Start a topic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateTopicRequest {
    /// The category's id or slug.
    pub category: String,
    /// The group's id or slug, for a topic inside a group.
    #[serde(default)]
    pub group: Option<String>,
    /// 3 to 200 characters.
    pub title: String,
    /// Markdown, 1 to 50 000 characters.
    pub body: String,
    /// Discussion (default) or question.
    #[serde(default = "default_kind")]
    pub kind: TopicKind,
    /// Up to 5 tags of letters, digits and hyphens.
    #[serde(default)]
    pub tags: Vec<String>,
}

fn default_kind() -> TopicKind {
    TopicKind::Discussion
}

/// Edit a topic's title and tags (the opening post is edited as a post).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateTopicRequest {
    /// 3 to 200 characters.
    pub title: String,
    /// Up to 5 tags.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// The reactions members can give: a small fixed set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReactionKind {
    /// 👍
    Like,
    /// 🙏
    Thanks,
    /// 💡
    Insightful,
    /// 🎉
    Celebrate,
}

impl ReactionKind {
    /// Every kind, in display order.
    pub const ALL: [ReactionKind; 4] =
        [ReactionKind::Like, ReactionKind::Thanks, ReactionKind::Insightful, ReactionKind::Celebrate];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ReactionKind::Like => "like",
            ReactionKind::Thanks => "thanks",
            ReactionKind::Insightful => "insightful",
            ReactionKind::Celebrate => "celebrate",
        }
    }
    /// Parses a wire name.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == value)
    }
    /// The emoji shown for it.
    pub fn emoji(self) -> &'static str {
        match self {
            ReactionKind::Like => "👍",
            ReactionKind::Thanks => "🙏",
            ReactionKind::Insightful => "💡",
            ReactionKind::Celebrate => "🎉",
        }
    }
}

/// How many members gave one reaction, and whether the caller did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReactionCount {
    /// The reaction.
    pub kind: ReactionKind,
    /// How many members gave it.
    pub count: i64,
    /// Whether the caller gave it.
    pub mine: bool,
}

/// A short view of a quoted post.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuotedPost {
    /// Its id.
    pub id: String,
    /// Its number in the topic.
    pub number: i32,
    /// Its author.
    pub author: Option<MemberSummary>,
    /// Its start, as plain text (empty if deleted or hidden).
    pub excerpt: String,
}

/// A post: the opening post (number 1) or a reply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Post {
    /// Opaque identifier.
    pub id: String,
    /// The topic.
    pub topic_id: String,
    /// 1 for the opening post, then 2, 3, ...
    pub number: i32,
    /// Its author (absent for a former member).
    pub author: Option<MemberSummary>,
    /// Markdown as written (empty when deleted, or hidden from the caller).
    pub body: String,
    /// Sanitized HTML, with @mentions as links.
    pub body_html: String,
    /// The reply this one answers, if it quotes one.
    pub quote: Option<QuotedPost>,
    /// When it was posted.
    pub created_at: DateTime<Utc>,
    /// When it was last edited ("edited"); see its revisions.
    pub edited_at: Option<DateTime<Utc>>,
    /// Deleted: a tombstone that keeps the thread readable.
    pub deleted: bool,
    /// Hidden by a moderator.
    pub hidden: bool,
    /// The accepted answer of its question.
    pub accepted: bool,
    /// Reactions given.
    pub reactions: Vec<ReactionCount>,
    /// Whether the caller may edit or delete it.
    pub can_edit: bool,
}

/// Reply to a topic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatePostRequest {
    /// Markdown, 1 to 50 000 characters. `@name` mentions a member.
    pub body: String,
    /// The post this reply answers.
    #[serde(default)]
    pub quote_post_id: Option<String>,
}

/// Edit a post; the previous text is kept as a revision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdatePostRequest {
    /// Markdown, 1 to 50 000 characters.
    pub body: String,
}

/// An earlier text of an edited post.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostRevision {
    /// The Markdown before the edit.
    pub body: String,
    /// Who edited.
    pub edited_by: Option<MemberSummary>,
    /// When it was replaced.
    pub replaced_at: DateTime<Utc>,
}

/// Mark an accepted answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AcceptAnswerRequest {
    /// The reply that answers the question.
    pub post_id: String,
}

/// Moderate a topic: any field given is applied.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TopicStateRequest {
    /// Pin or unpin.
    #[serde(default)]
    pub pinned: Option<bool>,
    /// Lock (no new replies) or unlock.
    #[serde(default)]
    pub locked: Option<bool>,
    /// Hide from members, or restore.
    #[serde(default)]
    pub hidden: Option<bool>,
}

/// Move a topic to another category.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MoveTopicRequest {
    /// The category's id or slug.
    pub category: String,
}

/// Split replies off into a new topic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SplitTopicRequest {
    /// The replies to move (not the opening post), in any order.
    pub post_ids: Vec<String>,
    /// The new topic's title.
    pub title: String,
    /// Its category (default: the same).
    #[serde(default)]
    pub category: Option<String>,
}

/// Flag a post for moderators.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FlagRequest {
    /// Why: 3 to 500 characters.
    pub reason: String,
}

/// Where a flag stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FlagStatus {
    /// Waiting for a moderator.
    Open,
    /// A moderator acted on the post.
    Actioned,
    /// A moderator found nothing wrong.
    Dismissed,
}

impl FlagStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            FlagStatus::Open => "open",
            FlagStatus::Actioned => "actioned",
            FlagStatus::Dismissed => "dismissed",
        }
    }
    /// Parses a wire name.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "open" => Some(FlagStatus::Open),
            "actioned" => Some(FlagStatus::Actioned),
            "dismissed" => Some(FlagStatus::Dismissed),
            _ => None,
        }
    }
}

/// A flag in the moderation queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Flag {
    /// Opaque identifier.
    pub id: String,
    /// The flagged post.
    pub post: Post,
    /// Its topic's id and title.
    pub topic_id: String,
    /// The topic's title.
    pub topic_title: String,
    /// Who flagged it.
    pub flagged_by: Option<MemberSummary>,
    /// Why.
    pub reason: String,
    /// Where it stands.
    pub status: FlagStatus,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// Resolve a flag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResolveFlagRequest {
    /// `dismissed` (nothing wrong) or `actioned` (hides the post).
    pub outcome: FlagStatus,
}

/// What a member can watch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum WatchTarget {
    /// New replies in a topic.
    Topic,
    /// New topics in a category.
    Category,
    /// New topics in a group.
    Group,
}

impl WatchTarget {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            WatchTarget::Topic => "topic",
            WatchTarget::Category => "category",
            WatchTarget::Group => "group",
        }
    }
    /// Parses a wire name.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "topic" => Some(WatchTarget::Topic),
            "category" => Some(WatchTarget::Category),
            "group" => Some(WatchTarget::Group),
            _ => None,
        }
    }
}

/// Something a member watches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Watch {
    /// The kind of thing.
    pub target: WatchTarget,
    /// Its id.
    pub id: String,
    /// Its title or name.
    pub label: String,
    /// Since when.
    pub since: DateTime<Utc>,
}

/// Why a notification was sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// A reply in a watched topic.
    Reply,
    /// A new topic in a watched category or group.
    NewTopic,
    /// Someone mentioned the member.
    Mention,
    /// The member's reply was accepted as the answer.
    AnswerAccepted,
    /// A member sent a message through "Contact member": `topic_id` is empty,
    /// `topic_title` holds the subject and `message` the text; `actor` is the sender.
    Contact,
    /// An event the member goes to starts soon. For every `event_*` kind, `topic_id`
    /// holds the event's id, `topic_title` its title, `post_id` the occurrence's id and
    /// `message` the start time (UTC, RFC 3339).
    EventReminder,
    /// A seat freed up: the member moved from the waiting list to going.
    EventPromoted,
    /// An event the member answered was moved or changed.
    EventChanged,
    /// An event (or one occurrence) the member answered was cancelled.
    EventCancelled,
}

impl NotificationKind {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::Reply => "reply",
            NotificationKind::NewTopic => "new_topic",
            NotificationKind::Mention => "mention",
            NotificationKind::AnswerAccepted => "answer_accepted",
            NotificationKind::Contact => "contact",
            NotificationKind::EventReminder => "event_reminder",
            NotificationKind::EventPromoted => "event_promoted",
            NotificationKind::EventChanged => "event_changed",
            NotificationKind::EventCancelled => "event_cancelled",
        }
    }
    /// Parses a wire name.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "reply" => Some(NotificationKind::Reply),
            "new_topic" => Some(NotificationKind::NewTopic),
            "mention" => Some(NotificationKind::Mention),
            "answer_accepted" => Some(NotificationKind::AnswerAccepted),
            "contact" => Some(NotificationKind::Contact),
            "event_reminder" => Some(NotificationKind::EventReminder),
            "event_promoted" => Some(NotificationKind::EventPromoted),
            "event_changed" => Some(NotificationKind::EventChanged),
            "event_cancelled" => Some(NotificationKind::EventCancelled),
            _ => None,
        }
    }
}

/// An in-app notification, stored durably until read (and after).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Notification {
    /// Opaque identifier.
    pub id: String,
    /// Why it was sent.
    pub kind: NotificationKind,
    /// The topic concerned.
    pub topic_id: String,
    /// Its title when the notification was made.
    pub topic_title: String,
    /// The post concerned, if any.
    pub post_id: Option<String>,
    /// Who caused it.
    pub actor: Option<MemberSummary>,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Whether the member has read it.
    pub read: bool,
    /// The text of a contact message (kind `contact` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// The unread count, for the bell.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnreadCount {
    /// Unread notifications.
    pub unread: i64,
}

/// Mark notifications read: the listed ones, or all.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MarkReadRequest {
    /// Notifications to mark read.
    #[serde(default)]
    pub ids: Vec<String>,
    /// Mark every notification read.
    #[serde(default)]
    pub all: bool,
}
