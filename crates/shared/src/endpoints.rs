//! Every API operation as a typed definition. The server's routes, the SPA's calls and
//! the tests all refer to these, so a path or a type has exactly one source of truth.

use crate::auth::{AccountStatus, Role};
use crate::auth::{ChangePasswordRequest, LoginRequest, RegisterRequest, RegisterResponse, Session, User};
use crate::community::{Community, UpdateCommunityRequest};
use crate::discussions::{
    AcceptAnswerRequest, Category, CategoryRequest, CreatePostRequest, CreateTopicRequest, Flag, FlagRequest,
    FlagStatus, MarkReadRequest, MoveTopicRequest, Notification, Post, PostRevision, ReactionKind, ResolveFlagRequest,
    SplitTopicRequest, Topic, TopicKind, TopicStateRequest, TopicSummary, UnreadCount, UpdatePostRequest,
    UpdateTopicRequest, Watch, WatchTarget,
};
use crate::endpoint::{Endpoint, Method, NoContent, encode_component, query_string};
use crate::events::{
    Attendee, CreateEventRequest, Event, EventFields, EventFormat, EventWhen, FeedToken, FeedTokenStatus, Occurrence,
    RsvpRequest, UpdateOccurrenceRequest,
};
use crate::groups::{
    ChangeGroupRoleRequest, CreateGroupRequest, Group, GroupMember, InviteToGroupRequest, JoinResult, MembershipStatus,
    UpdateGroupRequest,
};
use crate::library::{
    CreateLibraryItemRequest, ItemKind, LibraryItem, LibraryItemSummary, LibrarySort, UpdateLibraryItemRequest,
};
use crate::members::{AuditEntry, ChangeRoleRequest, CreateInvitationRequest, CreatedInvitation, Invitation};
use crate::pagination::Page;
use crate::partners::{
    ApiKey, ChangePage, ChangeType, CreateApiKeyRequest, CreatedApiKey, RotateApiKeyRequest, UpsertEventRequest,
    UpsertLibraryItemRequest,
};
use crate::profiles::{
    Bookmark, BookmarkKind, ContactMemberRequest, CreateBookmarkRequest, DirectorySort, ExpertMatch, ExpertiseTag,
    MemberActivity, MemberExport, MyProfile, Profile, ProfileSummary, UpdateBookmarkRequest, UpdateProfileRequest,
    ViewAs,
};
use crate::system::Health;
use crate::webhooks::{CreatedWebhook, RotateWebhookSecretRequest, Webhook, WebhookDelivery, WebhookRequest};

/// Declares an endpoint without path parameters. With `body`, the struct wraps the body.
/// Declares an endpoint whose path has parameters (each a `String` field, substituted
/// percent-encoded into the template), with an optional `body` field.
macro_rules! path_endpoint {
    ($(#[$doc:meta])* $name:ident [$($param:ident),+] $(body $body:ty)?, $method:ident, $template:literal => $response:ty) => {
        $(#[$doc])*
        #[derive(Clone, Debug)]
        pub struct $name {
            $(
                #[doc = concat!("The `", stringify!($param), "` path parameter.")]
                pub $param: String,
            )+
            $(
                /// The request body.
                pub body: $body,
            )?
        }
        impl Endpoint for $name {
            const METHOD: Method = Method::$method;
            const PATH: &'static str = $template;
            type Body = path_endpoint!(@body $($body)?);
            type Response = $response;
            fn path(&self) -> String {
                let mut path = Self::PATH.to_owned();
                $(path = path.replace(concat!("{", stringify!($param), "}"), &encode_component(&self.$param));)+
                path
            }
            $(
                fn body(&self) -> Option<&$body> {
                    Some(&self.body)
                }
            )?
        }
    };
    (@body) => { () };
    (@body $body:ty) => { $body };
}

macro_rules! endpoint {
    ($(#[$doc:meta])* $name:ident, $method:ident, $path:literal => $response:ty) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default)]
        pub struct $name;
        impl Endpoint for $name {
            const METHOD: Method = Method::$method;
            const PATH: &'static str = $path;
            type Body = ();
            type Response = $response;
        }
    };
    ($(#[$doc:meta])* $name:ident, $method:ident, $path:literal, body $body:ty => $response:ty) => {
        $(#[$doc])*
        #[derive(Clone, Debug)]
        pub struct $name(pub $body);
        impl Endpoint for $name {
            const METHOD: Method = Method::$method;
            const PATH: &'static str = $path;
            type Body = $body;
            type Response = $response;
            fn body(&self) -> Option<&Self::Body> {
                Some(&self.0)
            }
        }
    };
}

endpoint!(
    /// `GET /api/v1/health`: the process answers.
    GetHealth, Get, "/api/v1/health" => Health);
endpoint!(
    /// `GET /api/v1/ready`: the process and its database answer.
    GetReady, Get, "/api/v1/ready" => Health);
endpoint!(
    /// `POST /api/v1/auth/register`: create an account.
    Register, Post, "/api/v1/auth/register", body RegisterRequest => RegisterResponse);
endpoint!(
    /// `POST /api/v1/auth/login`: sign in; sets the refresh cookie.
    Login, Post, "/api/v1/auth/login", body LoginRequest => Session);
endpoint!(
    /// `POST /api/v1/auth/refresh`: trade the refresh cookie for a new session.
    Refresh, Post, "/api/v1/auth/refresh" => Session);
endpoint!(
    /// `POST /api/v1/auth/logout`: revoke the session and clear the cookie.
    Logout, Post, "/api/v1/auth/logout" => NoContent);
endpoint!(
    /// `GET /api/v1/me`: the signed-in account.
    GetMe, Get, "/api/v1/me" => User);
endpoint!(
    /// `PUT /api/v1/me/password`: change the password; other sessions are revoked.
    ChangePassword, Put, "/api/v1/me/password", body ChangePasswordRequest => NoContent);
endpoint!(
    /// `GET /api/v1/community`: the community's settings.
    GetCommunity, Get, "/api/v1/community" => Community);
endpoint!(
    /// `PUT /api/v1/community`: replace the settings (admins).
    UpdateCommunity, Put, "/api/v1/community", body UpdateCommunityRequest => Community);
endpoint!(
    /// `POST /api/v1/invitations`: invite someone (facilitators and admins).
    CreateInvitation, Post, "/api/v1/invitations", body CreateInvitationRequest => CreatedInvitation);

/// `GET /api/v1/members`: accounts, newest first (facilitators and admins).
#[derive(Clone, Debug, Default)]
pub struct ListMembers {
    /// Only accounts with this status.
    pub status: Option<AccountStatus>,
    /// Only accounts with this role.
    pub role: Option<Role>,
    /// Page size (1 to 100).
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl Endpoint for ListMembers {
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/api/v1/members";
    type Body = ();
    type Response = Page<User>;
    fn path(&self) -> String {
        let query = query_string(&[
            ("status", self.status.map(|s| s.as_str().to_owned())),
            ("role", self.role.map(|r| r.as_str().to_owned())),
            ("limit", self.limit.map(|l| l.to_string())),
            ("cursor", self.cursor.clone()),
        ]);
        format!("{}{query}", Self::PATH)
    }
}

path_endpoint!(
    /// `POST /api/v1/members/{id}/approve`: approve a pending registration.
    ApproveMember [id], Post, "/api/v1/members/{id}/approve" => User);
path_endpoint!(
    /// `POST /api/v1/members/{id}/reject`: reject (and delete) a pending registration.
    RejectMember [id], Post, "/api/v1/members/{id}/reject" => NoContent);
path_endpoint!(
    /// `PUT /api/v1/members/{id}/role`: change a member's site role (admins).
    ChangeMemberRole [id] body ChangeRoleRequest, Put, "/api/v1/members/{id}/role" => User);
path_endpoint!(
    /// `POST /api/v1/members/{id}/suspend`: suspend an account; its sessions end at once.
    SuspendMember [id], Post, "/api/v1/members/{id}/suspend" => User);
path_endpoint!(
    /// `POST /api/v1/members/{id}/reinstate`: lift a suspension.
    ReinstateMember [id], Post, "/api/v1/members/{id}/reinstate" => User);
path_endpoint!(
    /// `DELETE /api/v1/invitations/{id}`: revoke an unused invitation.
    RevokeInvitation [id], Delete, "/api/v1/invitations/{id}" => NoContent);

/// `GET /api/v1/invitations`: invitations, newest first (facilitators and admins).
#[derive(Clone, Debug, Default)]
pub struct ListInvitations {
    /// Page size (1 to 100).
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl Endpoint for ListInvitations {
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/api/v1/invitations";
    type Body = ();
    type Response = Page<Invitation>;
    fn path(&self) -> String {
        let query = query_string(&[("limit", self.limit.map(|l| l.to_string())), ("cursor", self.cursor.clone())]);
        format!("{}{query}", Self::PATH)
    }
}

/// `GET /api/v1/audit`: the audit log, newest first (admins).
#[derive(Clone, Debug, Default)]
pub struct ListAudit {
    /// Only entries whose action starts with this, e.g. `member.` or `group.archive`.
    pub action: Option<String>,
    /// Page size (1 to 100).
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl Endpoint for ListAudit {
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/api/v1/audit";
    type Body = ();
    type Response = Page<AuditEntry>;
    fn path(&self) -> String {
        let query = query_string(&[
            ("action", self.action.clone()),
            ("limit", self.limit.map(|l| l.to_string())),
            ("cursor", self.cursor.clone()),
        ]);
        format!("{}{query}", Self::PATH)
    }
}

/// `GET /api/v1/groups`: the groups the caller can see, by name.
#[derive(Clone, Debug, Default)]
pub struct ListGroups {
    /// Only groups the caller belongs to (or was invited to, or asked to join).
    pub mine: Option<bool>,
    /// Include archived groups.
    pub include_archived: Option<bool>,
    /// Page size (1 to 100).
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl Endpoint for ListGroups {
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/api/v1/groups";
    type Body = ();
    type Response = Page<Group>;
    fn path(&self) -> String {
        let query = query_string(&[
            ("mine", self.mine.map(|m| m.to_string())),
            ("include_archived", self.include_archived.map(|m| m.to_string())),
            ("limit", self.limit.map(|l| l.to_string())),
            ("cursor", self.cursor.clone()),
        ]);
        format!("{}{query}", Self::PATH)
    }
}

endpoint!(
    /// `POST /api/v1/groups`: create a group (site facilitators and admins).
    CreateGroup, Post, "/api/v1/groups", body CreateGroupRequest => Group);
path_endpoint!(
    /// `GET /api/v1/groups/{group}`: one group, by id or slug.
    GetGroup [group], Get, "/api/v1/groups/{group}" => Group);
path_endpoint!(
    /// `PUT /api/v1/groups/{group}`: replace a group's editable fields.
    UpdateGroup [group] body UpdateGroupRequest, Put, "/api/v1/groups/{group}" => Group);
path_endpoint!(
    /// `POST /api/v1/groups/{group}/archive`: make a group read-only and hide it from lists.
    ArchiveGroup [group], Post, "/api/v1/groups/{group}/archive" => Group);
path_endpoint!(
    /// `POST /api/v1/groups/{group}/unarchive`: bring an archived group back.
    UnarchiveGroup [group], Post, "/api/v1/groups/{group}/unarchive" => Group);
path_endpoint!(
    /// `POST /api/v1/groups/{group}/join`: join, accept an invitation, or ask to join.
    JoinGroup [group], Post, "/api/v1/groups/{group}/join" => JoinResult);
path_endpoint!(
    /// `POST /api/v1/groups/{group}/leave`: leave, withdraw a request or decline an invitation.
    LeaveGroup [group], Post, "/api/v1/groups/{group}/leave" => NoContent);
path_endpoint!(
    /// `POST /api/v1/groups/{group}/invitations`: invite a member (group facilitators).
    InviteToGroup [group] body InviteToGroupRequest, Post, "/api/v1/groups/{group}/invitations" => GroupMember);
path_endpoint!(
    /// `POST /api/v1/groups/{group}/members/{user}/approve`: approve a request to join.
    ApproveGroupRequest [group, user], Post, "/api/v1/groups/{group}/members/{user}/approve" => GroupMember);
path_endpoint!(
    /// `POST /api/v1/groups/{group}/members/{user}/deny`: deny a request to join.
    DenyGroupRequest [group, user], Post, "/api/v1/groups/{group}/members/{user}/deny" => NoContent);
path_endpoint!(
    /// `DELETE /api/v1/groups/{group}/members/{user}`: remove a member or cancel an invitation.
    RemoveGroupMember [group, user], Delete, "/api/v1/groups/{group}/members/{user}" => NoContent);
path_endpoint!(
    /// `PUT /api/v1/groups/{group}/members/{user}/role`: change a member's role in the group.
    ChangeGroupRole [group, user] body ChangeGroupRoleRequest, Put, "/api/v1/groups/{group}/members/{user}/role" => GroupMember);

/// `GET /api/v1/groups/{group}/members`: a group's members (and, for its
/// facilitators, pending requests and invitations), by name.
#[derive(Clone, Debug, Default)]
pub struct ListGroupMembers {
    /// The group's id or slug.
    pub group: String,
    /// Only memberships with this status (default `active`).
    pub status: Option<MembershipStatus>,
    /// Page size (1 to 100).
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl Endpoint for ListGroupMembers {
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/api/v1/groups/{group}/members";
    type Body = ();
    type Response = Page<GroupMember>;
    fn path(&self) -> String {
        let query = query_string(&[
            ("status", self.status.map(|s| s.as_str().to_owned())),
            ("limit", self.limit.map(|l| l.to_string())),
            ("cursor", self.cursor.clone()),
        ]);
        format!("/api/v1/groups/{}/members{query}", encode_component(&self.group))
    }
}

endpoint!(
    /// `GET /api/v1/categories`: every category, in order.
    ListCategories, Get, "/api/v1/categories" => Vec<Category>);
endpoint!(
    /// `POST /api/v1/categories`: create a category (site facilitators and admins).
    CreateCategory, Post, "/api/v1/categories", body CategoryRequest => Category);
path_endpoint!(
    /// `PUT /api/v1/categories/{id}`: rename, describe or reorder a category.
    UpdateCategory [id] body CategoryRequest, Put, "/api/v1/categories/{id}" => Category);

/// `GET /api/v1/topics`: topics the caller may read, pinned first, then by latest activity.
#[derive(Clone, Debug, Default)]
pub struct ListTopics {
    /// Only this category (id or slug).
    pub category: Option<String>,
    /// Only this group (id or slug); `community` for community-wide topics only.
    pub group: Option<String>,
    /// Only topics with this tag.
    pub tag: Option<String>,
    /// Only topics started by this member (id).
    pub author: Option<String>,
    /// Only discussions or only questions.
    pub kind: Option<TopicKind>,
    /// Only questions without an accepted answer.
    pub unanswered: Option<bool>,
    /// Page size (1 to 100).
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl Endpoint for ListTopics {
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/api/v1/topics";
    type Body = ();
    type Response = Page<TopicSummary>;
    fn path(&self) -> String {
        let query = query_string(&[
            ("category", self.category.clone()),
            ("group", self.group.clone()),
            ("tag", self.tag.clone()),
            ("author", self.author.clone()),
            ("kind", self.kind.map(|k| k.as_str().to_owned())),
            ("unanswered", self.unanswered.map(|u| u.to_string())),
            ("limit", self.limit.map(|l| l.to_string())),
            ("cursor", self.cursor.clone()),
        ]);
        format!("{}{query}", Self::PATH)
    }
}

endpoint!(
    /// `POST /api/v1/topics`: start a topic in the community or a group.
    CreateTopic, Post, "/api/v1/topics", body CreateTopicRequest => Topic);
path_endpoint!(
    /// `GET /api/v1/topics/{id}`: a topic with its opening post.
    GetTopic [id], Get, "/api/v1/topics/{id}" => Topic);
path_endpoint!(
    /// `PUT /api/v1/topics/{id}`: edit a topic's title and tags.
    UpdateTopic [id] body UpdateTopicRequest, Put, "/api/v1/topics/{id}" => Topic);
path_endpoint!(
    /// `POST /api/v1/topics/{id}/posts`: reply.
    CreatePost [id] body CreatePostRequest, Post, "/api/v1/topics/{id}/posts" => Post);
path_endpoint!(
    /// `POST /api/v1/topics/{id}/accept`: mark a reply as the accepted answer.
    AcceptAnswer [id] body AcceptAnswerRequest, Post, "/api/v1/topics/{id}/accept" => Topic);
path_endpoint!(
    /// `DELETE /api/v1/topics/{id}/accept`: withdraw the accepted answer.
    UnacceptAnswer [id], Delete, "/api/v1/topics/{id}/accept" => Topic);
path_endpoint!(
    /// `PATCH /api/v1/topics/{id}/state`: pin, lock or hide (moderators).
    SetTopicState [id] body TopicStateRequest, Patch, "/api/v1/topics/{id}/state" => Topic);
path_endpoint!(
    /// `POST /api/v1/topics/{id}/move`: move to another category (moderators).
    MoveTopic [id] body MoveTopicRequest, Post, "/api/v1/topics/{id}/move" => Topic);
path_endpoint!(
    /// `POST /api/v1/topics/{id}/split`: move replies into a new topic (moderators).
    SplitTopic [id] body SplitTopicRequest, Post, "/api/v1/topics/{id}/split" => Topic);

/// `GET /api/v1/topics/{id}/posts`: a topic's posts in order, opening post first.
#[derive(Clone, Debug, Default)]
pub struct ListPosts {
    /// The topic's id.
    pub id: String,
    /// Page size (1 to 100).
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl Endpoint for ListPosts {
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/api/v1/topics/{id}/posts";
    type Body = ();
    type Response = Page<Post>;
    fn path(&self) -> String {
        let query = query_string(&[("limit", self.limit.map(|l| l.to_string())), ("cursor", self.cursor.clone())]);
        format!("/api/v1/topics/{}/posts{query}", encode_component(&self.id))
    }
}

path_endpoint!(
    /// `GET /api/v1/posts/{id}`: one post, with its ETag for editing.
    GetPost [id], Get, "/api/v1/posts/{id}" => Post);
path_endpoint!(
    /// `PUT /api/v1/posts/{id}`: edit a post, keeping the old text as a revision.
    UpdatePost [id] body UpdatePostRequest, Put, "/api/v1/posts/{id}" => Post);
path_endpoint!(
    /// `DELETE /api/v1/posts/{id}`: delete a post, leaving a tombstone.
    DeletePost [id], Delete, "/api/v1/posts/{id}" => NoContent);
path_endpoint!(
    /// `GET /api/v1/posts/{id}/revisions`: a post's earlier texts, newest first.
    ListRevisions [id], Get, "/api/v1/posts/{id}/revisions" => Vec<PostRevision>);
path_endpoint!(
    /// `POST /api/v1/posts/{id}/flags`: flag a post for moderators.
    FlagPost [id] body FlagRequest, Post, "/api/v1/posts/{id}/flags" => NoContent);
path_endpoint!(
    /// `POST /api/v1/posts/{id}/hide`: hide a post (moderators).
    HidePost [id], Post, "/api/v1/posts/{id}/hide" => Post);
path_endpoint!(
    /// `POST /api/v1/posts/{id}/restore`: restore a hidden post (moderators).
    RestorePost [id], Post, "/api/v1/posts/{id}/restore" => Post);

/// `PUT /api/v1/posts/{id}/reactions/{kind}`: react (once per kind).
#[derive(Clone, Debug)]
pub struct AddReaction {
    /// The post's id.
    pub id: String,
    /// The reaction.
    pub kind: ReactionKind,
}

impl Endpoint for AddReaction {
    const METHOD: Method = Method::Put;
    const PATH: &'static str = "/api/v1/posts/{id}/reactions/{kind}";
    type Body = ();
    type Response = Post;
    fn path(&self) -> String {
        format!("/api/v1/posts/{}/reactions/{}", encode_component(&self.id), self.kind.as_str())
    }
}

/// `DELETE /api/v1/posts/{id}/reactions/{kind}`: take a reaction back.
#[derive(Clone, Debug)]
pub struct RemoveReaction {
    /// The post's id.
    pub id: String,
    /// The reaction.
    pub kind: ReactionKind,
}

impl Endpoint for RemoveReaction {
    const METHOD: Method = Method::Delete;
    const PATH: &'static str = "/api/v1/posts/{id}/reactions/{kind}";
    type Body = ();
    type Response = Post;
    fn path(&self) -> String {
        format!("/api/v1/posts/{}/reactions/{}", encode_component(&self.id), self.kind.as_str())
    }
}

/// `GET /api/v1/flags`: the moderation queue (moderators).
#[derive(Clone, Debug, Default)]
pub struct ListFlags {
    /// Only flags with this status (default `open`).
    pub status: Option<FlagStatus>,
    /// Page size (1 to 100).
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl Endpoint for ListFlags {
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/api/v1/flags";
    type Body = ();
    type Response = Page<Flag>;
    fn path(&self) -> String {
        let query = query_string(&[
            ("status", self.status.map(|s| s.as_str().to_owned())),
            ("limit", self.limit.map(|l| l.to_string())),
            ("cursor", self.cursor.clone()),
        ]);
        format!("{}{query}", Self::PATH)
    }
}

path_endpoint!(
    /// `POST /api/v1/flags/{id}/resolve`: dismiss a flag, or act on it (hides the post).
    ResolveFlag [id] body ResolveFlagRequest, Post, "/api/v1/flags/{id}/resolve" => Flag);
endpoint!(
    /// `GET /api/v1/me/watches`: what the caller watches.
    ListWatches, Get, "/api/v1/me/watches" => Vec<Watch>);

/// `PUT /api/v1/me/watches/{target}/{id}`: watch a topic, category or group.
#[derive(Clone, Debug)]
pub struct AddWatch {
    /// What kind of thing.
    pub target: WatchTarget,
    /// Its id (or slug, for categories and groups).
    pub id: String,
}

impl Endpoint for AddWatch {
    const METHOD: Method = Method::Put;
    const PATH: &'static str = "/api/v1/me/watches/{target}/{id}";
    type Body = ();
    type Response = Watch;
    fn path(&self) -> String {
        format!("/api/v1/me/watches/{}/{}", self.target.as_str(), encode_component(&self.id))
    }
}

/// `DELETE /api/v1/me/watches/{target}/{id}`: stop watching.
#[derive(Clone, Debug)]
pub struct RemoveWatch {
    /// What kind of thing.
    pub target: WatchTarget,
    /// Its id (or slug).
    pub id: String,
}

impl Endpoint for RemoveWatch {
    const METHOD: Method = Method::Delete;
    const PATH: &'static str = "/api/v1/me/watches/{target}/{id}";
    type Body = ();
    type Response = NoContent;
    fn path(&self) -> String {
        format!("/api/v1/me/watches/{}/{}", self.target.as_str(), encode_component(&self.id))
    }
}

/// `GET /api/v1/me/notifications`: the caller's notifications, newest first.
#[derive(Clone, Debug, Default)]
pub struct ListNotifications {
    /// Only unread ones.
    pub unread: Option<bool>,
    /// Page size (1 to 100).
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl Endpoint for ListNotifications {
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/api/v1/me/notifications";
    type Body = ();
    type Response = Page<Notification>;
    fn path(&self) -> String {
        let query = query_string(&[
            ("unread", self.unread.map(|u| u.to_string())),
            ("limit", self.limit.map(|l| l.to_string())),
            ("cursor", self.cursor.clone()),
        ]);
        format!("{}{query}", Self::PATH)
    }
}

endpoint!(
    /// `GET /api/v1/me/notifications/unread`: the unread count, for the bell.
    GetUnreadCount, Get, "/api/v1/me/notifications/unread" => UnreadCount);
endpoint!(
    /// `POST /api/v1/me/notifications/read`: mark some or all read.
    MarkNotificationsRead, Post, "/api/v1/me/notifications/read", body MarkReadRequest => UnreadCount);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parameters_are_substituted_and_encoded() {
        let endpoint = ApproveGroupRequest { group: "soil health".into(), user: "u/1".into() };
        assert_eq!(endpoint.path(), "/api/v1/groups/soil%20health/members/u%2F1/approve");
        let list =
            ListGroupMembers { group: "g".into(), status: Some(MembershipStatus::Requested), ..Default::default() };
        assert_eq!(list.path(), "/api/v1/groups/g/members?status=requested");
    }
}

/// `GET /api/v1/library`: library items the caller may read, filtered and sorted.
#[derive(Clone, Debug, Default)]
pub struct ListLibraryItems {
    /// Only this kind.
    pub kind: Option<ItemKind>,
    /// Only items with this tag.
    pub tag: Option<String>,
    /// Only this group (id or slug); `community` for community-wide items only.
    pub group: Option<String>,
    /// Only this language code.
    pub language: Option<String>,
    /// Only this licence.
    pub licence: Option<String>,
    /// The order (default newest first).
    pub sort: Option<LibrarySort>,
    /// Page size (1 to 100).
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page (of the same sort).
    pub cursor: Option<String>,
}

impl Endpoint for ListLibraryItems {
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/api/v1/library";
    type Body = ();
    type Response = Page<LibraryItemSummary>;
    fn path(&self) -> String {
        let query = query_string(&[
            ("kind", self.kind.map(|k| k.as_str().to_owned())),
            ("tag", self.tag.clone()),
            ("group", self.group.clone()),
            ("language", self.language.clone()),
            ("licence", self.licence.clone()),
            ("sort", self.sort.map(|s| s.as_str().to_owned())),
            ("limit", self.limit.map(|l| l.to_string())),
            ("cursor", self.cursor.clone()),
        ]);
        format!("{}{query}", Self::PATH)
    }
}

endpoint!(
    /// `POST /api/v1/library`: share an item (files are uploaded as versions afterwards).
    CreateLibraryItem, Post, "/api/v1/library", body CreateLibraryItemRequest => LibraryItem);
path_endpoint!(
    /// `GET /api/v1/library/{id}`: an item with its versions and discussion topic.
    GetLibraryItem [id], Get, "/api/v1/library/{id}" => LibraryItem);
path_endpoint!(
    /// `PUT /api/v1/library/{id}`: replace an item's details (send `If-Match`).
    UpdateLibraryItem [id] body UpdateLibraryItemRequest, Put, "/api/v1/library/{id}" => LibraryItem);
path_endpoint!(
    /// `DELETE /api/v1/library/{id}`: delete an item and its files, leaving a tombstone.
    DeleteLibraryItem [id], Delete, "/api/v1/library/{id}" => NoContent);

endpoint!(
    /// `GET /api/v1/me/profile`: the caller's own profile with its privacy choices (with an ETag).
    GetMyProfile, Get, "/api/v1/me/profile" => MyProfile);
endpoint!(
    /// `PUT /api/v1/me/profile`: replace the caller's profile and privacy choices (send `If-Match`).
    UpdateMyProfile, Put, "/api/v1/me/profile", body UpdateProfileRequest => MyProfile);
endpoint!(
    /// `DELETE /api/v1/me/avatar`: remove the caller's avatar (harmless if there is none).
    DeleteMyAvatar, Delete, "/api/v1/me/avatar" => NoContent);
endpoint!(
    /// `GET /api/v1/me/export`: everything Copse holds about the caller, as JSON.
    ExportMyData, Get, "/api/v1/me/export" => MemberExport);

/// `DELETE /api/v1/me`: delete the caller's account. Their content stays, attributed to
/// a former member, unless `erase_content` is set (then it is deleted, leaving
/// tombstones). Repeating the call with the same access token answers 204 again.
#[derive(Clone, Debug, Default)]
pub struct DeleteMyAccount {
    /// Also delete their topics, replies and library items.
    pub erase_content: Option<bool>,
}

impl Endpoint for DeleteMyAccount {
    const METHOD: Method = Method::Delete;
    const PATH: &'static str = "/api/v1/me";
    type Body = ();
    type Response = NoContent;
    fn path(&self) -> String {
        format!("{}{}", Self::PATH, query_string(&[("erase_content", self.erase_content.map(|e| e.to_string()))]))
    }
}

/// `GET /api/v1/members/{id}/profile`: a member's profile as the caller may see it.
#[derive(Clone, Debug, Default)]
pub struct GetMemberProfile {
    /// The member's id.
    pub id: String,
    /// Show it as another kind of viewer would (it can only hide more).
    pub view_as: Option<ViewAs>,
}

impl Endpoint for GetMemberProfile {
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/api/v1/members/{id}/profile";
    type Body = ();
    type Response = Profile;
    fn path(&self) -> String {
        let query = query_string(&[("view_as", self.view_as.map(|v| v.as_str().to_owned()))]);
        format!("/api/v1/members/{}/profile{query}", encode_component(&self.id))
    }
}

path_endpoint!(
    /// `GET /api/v1/members/{id}/activity`: a member's recent topics, replies, library
    /// items and groups, limited to what the caller may see.
    GetMemberActivity [id], Get, "/api/v1/members/{id}/activity" => MemberActivity);
path_endpoint!(
    /// `POST /api/v1/members/{id}/contact`: send a member a message, delivered as a
    /// notification (403 `contact_not_allowed` if they do not accept messages).
    ContactMember [id] body ContactMemberRequest, Post, "/api/v1/members/{id}/contact" => NoContent);

/// `GET /api/v1/directory`: active members, filtered (all filters combine) and sorted.
#[derive(Clone, Debug, Default)]
pub struct ListDirectory {
    /// Words in the display name, headline, organisation or job title (plain text).
    pub q: Option<String>,
    /// Organisation contains this text.
    pub organisation: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    pub country: Option<String>,
    /// Works in this language code.
    pub language: Option<String>,
    /// Declares this expertise tag.
    pub expertise: Option<String>,
    /// Declares this interest tag.
    pub interest: Option<String>,
    /// The order (default by name).
    pub sort: Option<DirectorySort>,
    /// Page size (1 to 100).
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page (of the same sort and filters).
    pub cursor: Option<String>,
}

impl Endpoint for ListDirectory {
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/api/v1/directory";
    type Body = ();
    type Response = Page<ProfileSummary>;
    fn path(&self) -> String {
        let query = query_string(&[
            ("q", self.q.clone()),
            ("organisation", self.organisation.clone()),
            ("country", self.country.clone()),
            ("language", self.language.clone()),
            ("expertise", self.expertise.clone()),
            ("interest", self.interest.clone()),
            ("sort", self.sort.map(|s| s.as_str().to_owned())),
            ("limit", self.limit.map(|l| l.to_string())),
            ("cursor", self.cursor.clone()),
        ]);
        format!("{}{query}", Self::PATH)
    }
}

/// `GET /api/v1/experts`: the members best matching a question's tags ("Ask an
/// expert"), best first; only members who accept contact.
#[derive(Clone, Debug, Default)]
pub struct FindExperts {
    /// One to five tags (sent comma-separated).
    pub tags: Vec<String>,
    /// How many (1 to 50, default 10).
    pub limit: Option<u64>,
}

impl Endpoint for FindExperts {
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/api/v1/experts";
    type Body = ();
    type Response = Vec<ExpertMatch>;
    fn path(&self) -> String {
        let tags = (!self.tags.is_empty()).then(|| self.tags.join(","));
        let query = query_string(&[("tags", tags), ("limit", self.limit.map(|l| l.to_string()))]);
        format!("{}{query}", Self::PATH)
    }
}

/// `GET /api/v1/expertise-tags`: the expertise vocabulary in use, most declared first.
#[derive(Clone, Debug, Default)]
pub struct ListExpertiseTags {
    /// Only tags starting with this (for autocompletion).
    pub prefix: Option<String>,
    /// How many (1 to 100, default 20).
    pub limit: Option<u64>,
}

impl Endpoint for ListExpertiseTags {
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/api/v1/expertise-tags";
    type Body = ();
    type Response = Vec<ExpertiseTag>;
    fn path(&self) -> String {
        let query = query_string(&[("prefix", self.prefix.clone()), ("limit", self.limit.map(|l| l.to_string()))]);
        format!("{}{query}", Self::PATH)
    }
}

/// `GET /api/v1/me/bookmarks`: the caller's bookmarks, newest first.
#[derive(Clone, Debug, Default)]
pub struct ListBookmarks {
    /// Only this kind.
    pub kind: Option<BookmarkKind>,
    /// Page size (1 to 100).
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl Endpoint for ListBookmarks {
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/api/v1/me/bookmarks";
    type Body = ();
    type Response = Page<Bookmark>;
    fn path(&self) -> String {
        let query = query_string(&[
            ("kind", self.kind.map(|k| k.as_str().to_owned())),
            ("limit", self.limit.map(|l| l.to_string())),
            ("cursor", self.cursor.clone()),
        ]);
        format!("{}{query}", Self::PATH)
    }
}

endpoint!(
    /// `POST /api/v1/me/bookmarks`: bookmark a topic, a library item or a link (409 if
    /// that topic or item is already bookmarked).
    CreateBookmark, Post, "/api/v1/me/bookmarks", body CreateBookmarkRequest => Bookmark);
path_endpoint!(
    /// `GET /api/v1/me/bookmarks/{id}`: one bookmark.
    GetBookmark [id], Get, "/api/v1/me/bookmarks/{id}" => Bookmark);
path_endpoint!(
    /// `PUT /api/v1/me/bookmarks/{id}`: change a bookmark's note (and a link's title).
    UpdateBookmark [id] body UpdateBookmarkRequest, Put, "/api/v1/me/bookmarks/{id}" => Bookmark);
path_endpoint!(
    /// `DELETE /api/v1/me/bookmarks/{id}`: remove a bookmark.
    DeleteBookmark [id], Delete, "/api/v1/me/bookmarks/{id}" => NoContent);

/// `GET /api/v1/events`: occurrences the caller may read, upcoming (soonest first) or
/// past (latest first), filtered, with cursor pagination.
#[derive(Clone, Debug, Default)]
pub struct ListEvents {
    /// Upcoming (default) or past.
    pub when: Option<EventWhen>,
    /// Only this group (id or slug); `community` for community-wide events only.
    pub group: Option<String>,
    /// Only events with this tag.
    pub tag: Option<String>,
    /// Only this format.
    pub format: Option<EventFormat>,
    /// Page size (1 to 100).
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page (same `when`).
    pub cursor: Option<String>,
}

impl Endpoint for ListEvents {
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/api/v1/events";
    type Body = ();
    type Response = Page<Occurrence>;
    fn path(&self) -> String {
        let query = query_string(&[
            ("when", self.when.map(|w| w.as_str().to_owned())),
            ("group", self.group.clone()),
            ("tag", self.tag.clone()),
            ("format", self.format.map(|f| f.as_str().to_owned())),
            ("limit", self.limit.map(|l| l.to_string())),
            ("cursor", self.cursor.clone()),
        ]);
        format!("{}{query}", Self::PATH)
    }
}

/// `GET /api/v1/events/calendar`: every occurrence overlapping `[from, to)` (at most
/// 100 days), for month and week views.
#[derive(Clone, Debug)]
pub struct EventCalendar {
    /// Range start.
    pub from: chrono::DateTime<chrono::Utc>,
    /// Range end (exclusive).
    pub to: chrono::DateTime<chrono::Utc>,
    /// Only this group (id or slug); `community` for community-wide events only.
    pub group: Option<String>,
    /// Only events with this tag.
    pub tag: Option<String>,
    /// Only this format.
    pub format: Option<EventFormat>,
}

impl Endpoint for EventCalendar {
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/api/v1/events/calendar";
    type Body = ();
    type Response = Vec<Occurrence>;
    fn path(&self) -> String {
        let instant = |t: &chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let query = query_string(&[
            ("from", Some(instant(&self.from))),
            ("to", Some(instant(&self.to))),
            ("group", self.group.clone()),
            ("tag", self.tag.clone()),
            ("format", self.format.map(|f| f.as_str().to_owned())),
        ]);
        format!("{}{query}", Self::PATH)
    }
}

endpoint!(
    /// `POST /api/v1/events`: create an event (one-off or recurring).
    CreateEvent, Post, "/api/v1/events", body CreateEventRequest => Event);
path_endpoint!(
    /// `GET /api/v1/events/{id}`: an event with its occurrences (with an ETag).
    GetEvent [id], Get, "/api/v1/events/{id}" => Event);
path_endpoint!(
    /// `PUT /api/v1/events/{id}`: replace an event's details (send `If-Match`); answers
    /// and moved or cancelled occurrences are kept where the occurrence still exists.
    UpdateEvent [id] body EventFields, Put, "/api/v1/events/{id}" => Event);
path_endpoint!(
    /// `DELETE /api/v1/events/{id}`: delete an event (cancelling keeps it visible instead).
    DeleteEvent [id], Delete, "/api/v1/events/{id}" => NoContent);
path_endpoint!(
    /// `POST /api/v1/events/{id}/cancel`: cancel the whole event; it stays visible, marked.
    CancelEvent [id], Post, "/api/v1/events/{id}/cancel" => Event);
path_endpoint!(
    /// `PUT /api/v1/events/{id}/occurrences/{occurrence}`: move, cancel or restore one occurrence.
    UpdateOccurrence [id, occurrence] body UpdateOccurrenceRequest, Put,
    "/api/v1/events/{id}/occurrences/{occurrence}" => Event);
path_endpoint!(
    /// `PUT /api/v1/events/{id}/occurrences/{occurrence}/rsvp`: answer an occurrence.
    Rsvp [id, occurrence] body RsvpRequest, Put, "/api/v1/events/{id}/occurrences/{occurrence}/rsvp" => Occurrence);
path_endpoint!(
    /// `GET /api/v1/events/{id}/occurrences/{occurrence}/attendees`: answers, for
    /// organisers (and for readers when the organiser allows).
    ListAttendees [id, occurrence], Get, "/api/v1/events/{id}/occurrences/{occurrence}/attendees" => Vec<Attendee>);
endpoint!(
    /// `GET /api/v1/me/feed-token`: whether the caller has a calendar feed address.
    GetFeedToken, Get, "/api/v1/me/feed-token" => FeedTokenStatus);
endpoint!(
    /// `POST /api/v1/me/feed-token`: make a new feed token (the old one stops working).
    CreateFeedToken, Post, "/api/v1/me/feed-token" => FeedToken);
endpoint!(
    /// `DELETE /api/v1/me/feed-token`: revoke the feed token (its addresses answer 404).
    RevokeFeedToken, Delete, "/api/v1/me/feed-token" => NoContent);

endpoint!(
    /// `GET /api/v1/api-keys`: keys the caller may manage (admins: all; others: their own).
    ListApiKeys, Get, "/api/v1/api-keys" => Vec<ApiKey>);
endpoint!(
    /// `POST /api/v1/api-keys`: make a key (admins; group facilitators for their groups).
    CreateApiKey, Post, "/api/v1/api-keys", body CreateApiKeyRequest => CreatedApiKey);
path_endpoint!(
    /// `DELETE /api/v1/api-keys/{id}`: revoke a key at once.
    RevokeApiKey [id], Delete, "/api/v1/api-keys/{id}" => NoContent);
path_endpoint!(
    /// `POST /api/v1/api-keys/{id}/rotate`: a new secret; the old one works for a grace period.
    RotateApiKey [id] body RotateApiKeyRequest, Post, "/api/v1/api-keys/{id}/rotate" => CreatedApiKey);

/// `GET /api/v1/changes`: every create, update and delete the caller may read, oldest
/// first, from a cursor (see the Partner guide).
#[derive(Clone, Debug, Default)]
pub struct ListChanges {
    /// The `next_cursor` of the previous page; absent: from the beginning.
    pub cursor: Option<String>,
    /// Page size (1 to 500, default 100).
    pub limit: Option<u64>,
    /// Only these types (absent: every type the caller may read).
    pub types: Vec<ChangeType>,
}

impl Endpoint for ListChanges {
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/api/v1/changes";
    type Body = ();
    type Response = ChangePage;
    fn path(&self) -> String {
        let types =
            (!self.types.is_empty()).then(|| self.types.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(","));
        let query = query_string(&[
            ("cursor", self.cursor.clone()),
            ("limit", self.limit.map(|l| l.to_string())),
            ("types", types),
        ]);
        format!("{}{query}", Self::PATH)
    }
}

path_endpoint!(
    /// `PUT /api/v1/library/external/{source}/{external_id}`: create or replace a library
    /// item by its id at a partner's source (201 when made, 200 otherwise; repeating the
    /// same body changes nothing).
    UpsertLibraryItem [source, external_id] body UpsertLibraryItemRequest, Put,
    "/api/v1/library/external/{source}/{external_id}" => LibraryItem);
path_endpoint!(
    /// `PUT /api/v1/events/external/{source}/{external_id}`: create or replace an event
    /// by its id at a partner's source.
    UpsertEvent [source, external_id] body UpsertEventRequest, Put,
    "/api/v1/events/external/{source}/{external_id}" => Event);

endpoint!(
    /// `GET /api/v1/webhooks`: every registered endpoint (admins).
    ListWebhooks, Get, "/api/v1/webhooks" => Vec<Webhook>);
endpoint!(
    /// `POST /api/v1/webhooks`: register an endpoint; its secret is shown this once.
    CreateWebhook, Post, "/api/v1/webhooks", body WebhookRequest => CreatedWebhook);
path_endpoint!(
    /// `GET /api/v1/webhooks/{id}`: one endpoint.
    GetWebhook [id], Get, "/api/v1/webhooks/{id}" => Webhook);
path_endpoint!(
    /// `PUT /api/v1/webhooks/{id}`: change its address, events or whether it is active.
    UpdateWebhook [id] body WebhookRequest, Put, "/api/v1/webhooks/{id}" => Webhook);
path_endpoint!(
    /// `DELETE /api/v1/webhooks/{id}`: remove it and its delivery log.
    DeleteWebhook [id], Delete, "/api/v1/webhooks/{id}" => NoContent);
path_endpoint!(
    /// `POST /api/v1/webhooks/{id}/rotate`: a new secret; the old one also signs for a grace period.
    RotateWebhookSecret [id] body RotateWebhookSecretRequest, Post, "/api/v1/webhooks/{id}/rotate" => CreatedWebhook);
path_endpoint!(
    /// `POST /api/v1/webhooks/{id}/ping`: queue a `ping` event at once (a test delivery).
    PingWebhook [id], Post, "/api/v1/webhooks/{id}/ping" => WebhookDelivery);
path_endpoint!(
    /// `POST /api/v1/webhooks/{id}/deliveries/{delivery}/redeliver`: send an event again
    /// (same event id), as a new delivery.
    RedeliverWebhook [id, delivery], Post, "/api/v1/webhooks/{id}/deliveries/{delivery}/redeliver" => WebhookDelivery);

/// `GET /api/v1/webhooks/{id}/deliveries`: the delivery log, newest first.
#[derive(Clone, Debug, Default)]
pub struct ListWebhookDeliveries {
    /// The endpoint.
    pub id: String,
    /// Page size (1 to 100, default 20).
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl Endpoint for ListWebhookDeliveries {
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/api/v1/webhooks/{id}/deliveries";
    type Body = ();
    type Response = Page<WebhookDelivery>;
    fn path(&self) -> String {
        let query = query_string(&[("limit", self.limit.map(|l| l.to_string())), ("cursor", self.cursor.clone())]);
        format!("/api/v1/webhooks/{}/deliveries{query}", encode_component(&self.id))
    }
}
