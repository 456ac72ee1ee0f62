//! Members' profiles, the member directory, the expert finder, member activity,
//! bookmarks, contacting a member, avatars, the data export and account deletion.
//!
//! Privacy: a field the viewer may not see is absent from the JSON (`None`), never
//! blanked or masked; the server decides, the client only displays.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::auth::User;
use crate::discussions::{GroupRef, TopicSummary};
use crate::library::LibraryItemSummary;

/// Longest headline, in characters.
pub const MAX_HEADLINE_LEN: usize = 120;
/// Longest organisation, role/title and city, in characters.
pub const MAX_SHORT_FIELD_LEN: usize = 120;
/// Longest bio (Markdown), in characters.
pub const MAX_BIO_LEN: usize = 5_000;
/// Most areas of expertise, interests or "open to contact about" topics.
pub const MAX_TAGS: usize = 10;
/// Most languages.
pub const MAX_LANGUAGES: usize = 8;
/// Most links.
pub const MAX_LINKS: usize = 8;
/// Longest link address.
pub const MAX_URL_LEN: usize = 500;
/// Longest bookmark note, in characters.
pub const MAX_NOTE_LEN: usize = 1_000;
/// Longest contact message, in characters.
pub const MAX_CONTACT_MESSAGE_LEN: usize = 2_000;
/// Longest contact subject, in characters.
pub const MAX_CONTACT_SUBJECT_LEN: usize = 150;
/// Largest avatar upload, in bytes.
pub const MAX_AVATAR_BYTES: u64 = 5 * 1024 * 1024;

/// Who may see a contact detail.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Only the member themselves (the default).
    #[default]
    Nobody,
    /// Every signed-in member.
    Members,
    /// Site facilitators and admins only.
    Facilitators,
}

impl Visibility {
    /// Every value, in display order.
    pub const ALL: [Visibility; 3] = [Visibility::Nobody, Visibility::Members, Visibility::Facilitators];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Nobody => "nobody",
            Visibility::Members => "members",
            Visibility::Facilitators => "facilitators",
        }
    }

    /// Parses a wire name.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == value)
    }
}

/// A member's privacy choices.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PrivacySettings {
    /// Who sees the email address.
    #[serde(default)]
    pub email_visibility: Visibility,
    /// Who sees the links (website and social).
    #[serde(default)]
    pub links_visibility: Visibility,
    /// Whether other members may send a message through "Contact member" (and whether
    /// the member appears in the expert finder).
    #[serde(default)]
    pub allow_contact: bool,
}

/// A self-rated level of expertise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ExpertiseLevel {
    /// Some experience (1).
    Familiar,
    /// Works with it regularly (2).
    Practitioner,
    /// Could teach it (3).
    Expert,
}

impl ExpertiseLevel {
    /// Every level, lowest first.
    pub const ALL: [ExpertiseLevel; 3] =
        [ExpertiseLevel::Familiar, ExpertiseLevel::Practitioner, ExpertiseLevel::Expert];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ExpertiseLevel::Familiar => "familiar",
            ExpertiseLevel::Practitioner => "practitioner",
            ExpertiseLevel::Expert => "expert",
        }
    }

    /// 1, 2 or 3.
    pub fn rank(self) -> i32 {
        match self {
            ExpertiseLevel::Familiar => 1,
            ExpertiseLevel::Practitioner => 2,
            ExpertiseLevel::Expert => 3,
        }
    }

    /// The level of a rank (1 to 3).
    pub fn from_rank(rank: i32) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.rank() == rank)
    }
}

/// One area of expertise: a tag from the shared vocabulary (the same lower-case tags
/// as topics and library items) and a self-rated level.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Expertise {
    /// A tag of lower-case letters, digits and hyphens, such as `soil-health`.
    pub tag: String,
    /// The self-rated level.
    pub level: ExpertiseLevel,
}

/// What a link points to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// A personal or organisation website.
    Website,
    /// LinkedIn.
    Linkedin,
    /// A Mastodon or other fediverse account.
    Mastodon,
    /// GitHub, GitLab, Codeberg.
    Code,
    /// ORCID or another researcher profile.
    Orcid,
    /// Anything else.
    Other,
}

/// A link on a profile (covered by `links_visibility`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProfileLink {
    /// What it points to.
    pub kind: LinkKind,
    /// An `http` or `https` address.
    pub url: String,
}

/// The fixed sizes an avatar is served at, in pixels (square PNG).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AvatarSize {
    /// 64 × 64, for lists.
    #[serde(rename = "64")]
    Small,
    /// 256 × 256, for the profile page.
    #[serde(rename = "256")]
    Large,
}

impl AvatarSize {
    /// Both sizes.
    pub const ALL: [AvatarSize; 2] = [AvatarSize::Small, AvatarSize::Large];

    /// The edge in pixels.
    pub fn pixels(self) -> u32 {
        match self {
            AvatarSize::Small => 64,
            AvatarSize::Large => 256,
        }
    }

    /// The path segment: `64` or `256`.
    pub fn as_str(self) -> &'static str {
        match self {
            AvatarSize::Small => "64",
            AvatarSize::Large => "256",
        }
    }

    /// Parses a path segment.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }
}

/// Where a member's avatar is, at each size. The addresses change whenever the avatar
/// does (they carry a version), so clients may cache them for ever.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AvatarUrls {
    /// 64 × 64 PNG.
    pub small: String,
    /// 256 × 256 PNG.
    pub large: String,
}

/// `GET` a member's avatar PNG: `/api/v1/members/{id}/avatar/{size}` (add the `?v=`
/// of `AvatarUrls` to bust caches). `POST` a `multipart/form-data` body with a `file`
/// part (PNG, JPEG, GIF or WebP, at most 5 MB) to `/api/v1/me/avatar` to replace your own.
pub fn avatar_path(member_id: &str, size: AvatarSize) -> String {
    format!("/api/v1/members/{}/avatar/{}", crate::endpoint::encode_component(member_id), size.as_str())
}

/// The upload address for the caller's avatar: `/api/v1/me/avatar`.
pub const AVATAR_UPLOAD_PATH: &str = "/api/v1/me/avatar";

/// A member as the directory and the expert finder list them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProfileSummary {
    /// The account's id.
    pub id: String,
    /// The name shown to other members.
    pub display_name: String,
    /// The avatar, if one was uploaded.
    pub avatar: Option<AvatarUrls>,
    /// A one-line description.
    pub headline: Option<String>,
    /// Where they work.
    pub organisation: Option<String>,
    /// Their role or job title.
    pub job_title: Option<String>,
    /// ISO 3166-1 alpha-2 country code, upper case (`KE`, `BR`).
    pub country: Option<String>,
    /// City or region.
    pub city: Option<String>,
    /// Areas of expertise, highest level first.
    pub expertise: Vec<Expertise>,
    /// Whether they accept messages through "Contact member".
    pub allow_contact: bool,
    /// When they joined.
    pub member_since: DateTime<Utc>,
}

/// A member's profile as the viewer may see it. Hidden contact details are absent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Profile {
    /// The fields lists show.
    pub summary: ProfileSummary,
    /// Languages they work in: short BCP 47 codes (`en`, `fr`, `pt-BR`).
    pub languages: Vec<String>,
    /// IANA time zone, such as `Africa/Nairobi`.
    pub time_zone: Option<String>,
    /// Bio as written (Markdown).
    pub bio: String,
    /// Bio rendered to sanitized HTML.
    pub bio_html: String,
    /// Interests (tags).
    pub interests: Vec<String>,
    /// Topics they are happy to be contacted about (tags).
    pub open_to_contact_about: Vec<String>,
    /// The email address: present only if the viewer may see it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Links: present only if the viewer may see them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub links: Option<Vec<ProfileLink>>,
    /// Whether the viewer may send them a message now (not themselves, contact allowed).
    pub can_contact: bool,
    /// Whether this is the viewer's own profile (shown as others see it under `view_as`).
    pub is_self: bool,
}

/// The caller's own profile with everything in it and the privacy choices.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyProfile {
    /// The profile as its owner sees it (email and links included).
    pub profile: Profile,
    /// Who sees what.
    pub privacy: PrivacySettings,
}

/// Replace the caller's profile (send `If-Match` with the ETag of `GET /me/profile`).
/// Every field is replaced; absent lists and options become empty.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateProfileRequest {
    /// 1 to 80 characters.
    pub display_name: String,
    /// Up to 120 characters.
    #[serde(default)]
    pub headline: Option<String>,
    /// Up to 120 characters.
    #[serde(default)]
    pub organisation: Option<String>,
    /// Role or job title, up to 120 characters.
    #[serde(default)]
    pub job_title: Option<String>,
    /// ISO 3166-1 alpha-2 code (case-insensitive on input, stored upper case).
    #[serde(default)]
    pub country: Option<String>,
    /// Up to 120 characters.
    #[serde(default)]
    pub city: Option<String>,
    /// Up to 8 short BCP 47 codes.
    #[serde(default)]
    pub languages: Vec<String>,
    /// An IANA time zone name such as `Europe/Paris` or `UTC`.
    #[serde(default)]
    pub time_zone: Option<String>,
    /// Markdown, up to 5000 characters.
    #[serde(default)]
    pub bio: String,
    /// Up to 10 areas, each tag once.
    #[serde(default)]
    pub expertise: Vec<Expertise>,
    /// Up to 10 tags.
    #[serde(default)]
    pub interests: Vec<String>,
    /// Up to 8 `http(s)` links.
    #[serde(default)]
    pub links: Vec<ProfileLink>,
    /// Up to 10 tags.
    #[serde(default)]
    pub open_to_contact_about: Vec<String>,
    /// Who sees what.
    #[serde(default)]
    pub privacy: PrivacySettings,
}

/// How to show a profile: as the viewer sees it (default) or, to check one's own
/// privacy choices, as another kind of viewer would. It can only ever hide more.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ViewAs {
    /// As a plain member sees it.
    Member,
    /// As a site facilitator sees it.
    Facilitator,
}

impl ViewAs {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ViewAs::Member => "member",
            ViewAs::Facilitator => "facilitator",
        }
    }
}

/// The directory's order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DirectorySort {
    /// By display name, A to Z (the default).
    #[default]
    Name,
    /// Newest members first.
    Newest,
    /// Most topics, replies and library items first.
    MostActive,
}

impl DirectorySort {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            DirectorySort::Name => "name",
            DirectorySort::Newest => "newest",
            DirectorySort::MostActive => "most_active",
        }
    }
}

/// One member the expert finder suggests, with why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExpertMatch {
    /// The member.
    pub member: ProfileSummary,
    /// The ranking score (higher is better); only the order is meaningful.
    pub score: i64,
    /// Their declared expertise among the asked tags.
    pub matched_expertise: Vec<Expertise>,
    /// Accepted answers in questions with the asked tags (that the viewer may read).
    pub accepted_answers: i64,
    /// Topics, replies and library items with the asked tags (that the viewer may read).
    pub contributions: i64,
}

/// A tag of the shared vocabulary with how many members declare it as expertise.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExpertiseTag {
    /// The tag.
    pub tag: String,
    /// Members declaring it.
    pub members: i64,
}

/// A reply as a profile's activity shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReplyRef {
    /// The post's id.
    pub post_id: String,
    /// Its topic.
    pub topic_id: String,
    /// The topic's title.
    pub topic_title: String,
    /// The start of the reply, as plain text.
    pub excerpt: String,
    /// When it was written.
    pub created_at: DateTime<Utc>,
}

/// A member's recent activity, limited to what the viewer may see.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberActivity {
    /// Topics they started, newest first (at most 10).
    pub topics: Vec<TopicSummary>,
    /// Their replies, newest first (at most 10).
    pub replies: Vec<ReplyRef>,
    /// Library items they shared, newest first (at most 10).
    pub library_items: Vec<LibraryItemSummary>,
    /// Groups they belong to that the viewer may see, by name.
    pub groups: Vec<GroupRef>,
}

/// What a bookmark points to. More kinds (events) will be added: clients should
/// show an unknown kind by its `title` and `url`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BookmarkKind {
    /// A discussion topic (`target_id`).
    Topic,
    /// A library item (`target_id`).
    LibraryItem,
    /// An event (`target_id`).
    Event,
    /// A page elsewhere on the web (`url`).
    Link,
}

impl BookmarkKind {
    /// Every kind.
    pub const ALL: [BookmarkKind; 4] =
        [BookmarkKind::Topic, BookmarkKind::LibraryItem, BookmarkKind::Event, BookmarkKind::Link];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            BookmarkKind::Topic => "topic",
            BookmarkKind::LibraryItem => "library_item",
            BookmarkKind::Event => "event",
            BookmarkKind::Link => "link",
        }
    }

    /// Parses a wire name.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == value)
    }
}

/// A bookmark.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Bookmark {
    /// Opaque identifier.
    pub id: String,
    /// What it points to.
    pub kind: BookmarkKind,
    /// The topic's, item's or event's id (absent for links).
    pub target_id: Option<String>,
    /// The link's address (absent for topics, items and events).
    pub url: Option<String>,
    /// The topic's, item's or event's current title, or the link's title.
    pub title: String,
    /// The member's note (plain text).
    pub note: String,
    /// False when the topic or item was deleted or is no longer visible to the member.
    pub available: bool,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

/// Bookmark something.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateBookmarkRequest {
    /// What it points to.
    pub kind: BookmarkKind,
    /// The topic's, item's or event's id (required for those kinds).
    #[serde(default)]
    pub target_id: Option<String>,
    /// The address (required for links): `http` or `https`, up to 500 characters.
    #[serde(default)]
    pub url: Option<String>,
    /// The link's title, up to 200 characters (required for links; ignored otherwise).
    #[serde(default)]
    pub title: Option<String>,
    /// Up to 1000 characters.
    #[serde(default)]
    pub note: String,
}

/// Change a bookmark's note (and a link's title).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateBookmarkRequest {
    /// Up to 1000 characters.
    #[serde(default)]
    pub note: String,
    /// A link's new title (ignored for other kinds).
    #[serde(default)]
    pub title: Option<String>,
}

/// A message to a member, delivered as an in-app notification. The sender never
/// learns the recipient's email address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactMemberRequest {
    /// 1 to 150 characters.
    pub subject: String,
    /// 1 to 2000 characters, plain text.
    pub message: String,
}

/// A group membership in the data export.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportMembership {
    /// The group.
    pub group: GroupRef,
    /// `member` or `facilitator`.
    pub role: String,
    /// `active`, `invited` or `requested`.
    pub status: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// A post the member wrote, in the data export.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportPost {
    /// The post's id.
    pub id: String,
    /// Its topic.
    pub topic_id: String,
    /// Whether it opens the topic.
    pub is_opening: bool,
    /// The Markdown as written.
    pub body: String,
    /// When it was written.
    pub created_at: DateTime<Utc>,
    /// When it was deleted, if it was.
    pub deleted_at: Option<DateTime<Utc>>,
}

/// A topic the member started, in the data export.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportTopic {
    /// The topic's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// When it was started.
    pub created_at: DateTime<Utc>,
}

/// A library item the member shared, in the data export.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportLibraryItem {
    /// The item's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its description (Markdown).
    pub description: String,
    /// Its external address, for links.
    pub url: Option<String>,
    /// When it was shared.
    pub created_at: DateTime<Utc>,
}

/// A notification the member received, in the data export.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportNotification {
    /// Its kind's wire name.
    pub kind: String,
    /// The topic title, or a contact message's subject.
    pub title: String,
    /// A contact message's text.
    pub message: Option<String>,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// Everything Copse holds about the caller (GDPR access and portability).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberExport {
    /// When the export was made.
    pub exported_at: DateTime<Utc>,
    /// The account (no password hash, no tokens).
    pub account: User,
    /// The profile and privacy choices.
    pub profile: MyProfile,
    /// Group memberships, requests and invitations.
    pub memberships: Vec<ExportMembership>,
    /// Topics started.
    pub topics: Vec<ExportTopic>,
    /// Posts written (opening posts and replies).
    pub posts: Vec<ExportPost>,
    /// Library items shared.
    pub library_items: Vec<ExportLibraryItem>,
    /// Bookmarks.
    pub bookmarks: Vec<Bookmark>,
    /// Notifications received, including contact messages.
    pub notifications: Vec<ExportNotification>,
    /// Contact messages sent: subject, message and recipient id.
    pub contact_messages_sent: Vec<SentContactMessage>,
}

/// A contact message the member sent, in the data export.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SentContactMessage {
    /// The recipient's id (absent if they deleted their account).
    pub recipient_id: Option<String>,
    /// The subject.
    pub subject: String,
    /// The text.
    pub message: String,
    /// When it was sent.
    pub created_at: DateTime<Utc>,
}
