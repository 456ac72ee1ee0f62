//! The one authorization policy. Every service asks `can(actor, action, resource)`,
//! and list queries use the SQL form of the same rules (`visible_groups`), so a list
//! never shows an item that a single read would refuse. Nothing else decides access.

use copse_shared::ErrorCode;
use copse_shared::auth::Role;
use copse_shared::groups::{GroupRole, GroupVisibility, MembershipStatus};
use copse_shared::partners::Scope;
use copse_shared::profiles::Visibility;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, Condition};

use crate::entities::{group, group_membership, user};
use crate::error::{ApiError, ApiResult};

/// Who is asking.
#[derive(Clone, Debug)]
pub enum Actor {
    /// Nobody signed in.
    Anonymous,
    /// A signed-in, active member (the extractor guarantees the status).
    Member(user::Model),
    /// A partner's API key: it acts for the member who made it, within its scopes and
    /// groups (only endpoints taking the `ApiClient` extractor accept keys).
    Key(Box<KeyActor>),
}

/// What a key may do, and for whom.
#[derive(Clone, Debug)]
pub struct KeyActor {
    /// The key's id.
    pub key_id: String,
    /// The key's maker, whose rights bound the key's.
    pub owner: user::Model,
    /// What it may do.
    pub scopes: Vec<Scope>,
    /// The group ids it is limited to; `None`: the whole community.
    pub groups: Option<Vec<String>>,
}

impl KeyActor {
    /// Whether the key holds a scope (directly or through a write scope).
    pub fn has(&self, scope: Scope) -> bool {
        self.scopes.iter().any(|held| held.grants(scope))
    }

    fn allows_group(&self, group: Option<&GroupFacts>) -> bool {
        match (&self.groups, group) {
            (None, _) => true,
            (Some(ids), Some(group)) => ids.contains(&group.id),
            // A key limited to groups never reaches community-wide content.
            (Some(_), None) => false,
        }
    }
}

/// The scope an action needs from a key; `None`: keys may never do it.
fn scope_of(action: Action) -> Option<Option<Scope>> {
    use Action::*;
    Some(match action {
        // Resolving a group is part of reading or writing in it; the group limit applies.
        ReadGroup => None,
        ReadTopic => Some(Scope::DiscussionsRead),
        ReadLibraryItem => Some(Scope::LibraryRead),
        CreateLibraryItem | EditLibraryItem => Some(Scope::LibraryWrite),
        ReadEvent => Some(Scope::EventsRead),
        CreateEvent | EditEvent => Some(Scope::EventsWrite),
        ReadProfiles => Some(Scope::MembersRead),
        _ => return None,
    })
}

/// The group a resource belongs to, for a key's group limit: `None` when the resource
/// is not group-scoped content (the limit then refuses it).
fn group_of<'a>(resource: &'a Resource<'a>) -> Option<Option<&'a GroupFacts>> {
    match resource {
        Resource::Group(group) => Some(Some(group)),
        Resource::Scope(group, _) => Some(*group),
        Resource::Topic(facts) | Resource::Post(facts, _) | Resource::LibraryItem(facts) | Resource::Event(facts) => {
            Some(facts.group.as_ref())
        }
        Resource::Community => Some(None),
        _ => None,
    }
}

impl Actor {
    /// The account, if signed in (for a key, its maker).
    pub fn user(&self) -> Option<&user::Model> {
        match self {
            Actor::Anonymous => None,
            Actor::Member(user) => Some(user),
            Actor::Key(key) => Some(&key.owner),
        }
    }

    /// The key, when a partner's key is acting.
    pub fn key(&self) -> Option<&KeyActor> {
        match self {
            Actor::Key(key) => Some(key),
            _ => None,
        }
    }

    /// Whether this actor may use a scope: members always, keys when given it.
    pub fn has_scope(&self, scope: Scope) -> bool {
        self.key().is_none_or(|key| key.has(scope))
    }

    fn role(&self) -> Option<Role> {
        self.user().map(user::Model::role)
    }

    fn is_staff(&self) -> bool {
        self.role().is_some_and(Role::is_staff)
    }

    fn is_admin(&self) -> bool {
        self.role() == Some(Role::Admin)
    }
}

/// What the actor wants to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Change the community's settings.
    UpdateCommunity,
    /// List accounts, approve or reject registrations.
    AdministerMembers,
    /// Create or revoke invitations to the community.
    Invite,
    /// Invite someone as facilitator or admin.
    InviteStaff,
    /// Change an account's site role.
    ChangeSiteRole,
    /// Suspend or reinstate an account.
    SuspendMember,
    /// Read the audit log.
    ReadAudit,
    /// Register, change and remove outgoing webhooks; read their delivery logs.
    ManageWebhooks,
    /// Create a group.
    CreateGroup,
    /// See a group and its content.
    ReadGroup,
    /// Edit a group's name and description.
    UpdateGroup,
    /// Make a group public or private.
    ChangeGroupVisibility,
    /// Archive or unarchive a group.
    ArchiveGroup,
    /// Join, ask to join, or accept an invitation.
    JoinGroup,
    /// See who belongs to a group.
    ReadGroupMembers,
    /// Approve requests, invite, remove members, change roles in a group.
    ManageGroupMembers,
    /// Create, rename or reorder discussion categories.
    ManageCategories,
    /// Start a topic in a scope (the community, or a group).
    CreateTopic,
    /// See a topic and its posts.
    ReadTopic,
    /// Reply to a topic.
    ReplyTopic,
    /// Edit a topic's title and tags.
    EditTopic,
    /// Mark or withdraw a question's accepted answer.
    AcceptAnswer,
    /// Pin, lock, hide, move and split topics; hide posts; handle flags.
    ModerateTopic,
    /// React to or flag a post.
    ReactToPost,
    /// Edit or delete a post.
    EditPost,
    /// See the moderation queue.
    ReadFlags,
    /// Share a library item in a scope (the community, or a group).
    CreateLibraryItem,
    /// See a library item and download its files.
    ReadLibraryItem,
    /// Edit a library item, upload versions, delete it.
    EditLibraryItem,
    /// Create an event in a scope (the community, or a group).
    CreateEvent,
    /// See an event, its occurrences and its iCalendar file.
    ReadEvent,
    /// Edit, cancel or delete an event, change its occurrences, see its attendees.
    EditEvent,
    /// Answer an event (going, maybe, not going).
    RsvpEvent,
    /// See the directory, members' profiles and activity, and the expert finder.
    ReadProfiles,
    /// See a contact detail (email, links) of a member's profile.
    SeeContactDetail,
    /// Send a member a message through "Contact member".
    ContactMember,
    /// Look after one's own account: profile, avatar, bookmarks, export, deletion.
    ManageOwnAccount,
    /// Fetch a member's avatar picture.
    ReadAvatar,
}

/// What a group-scoped decision needs to know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupFacts {
    /// The group's id (for keys limited to groups).
    pub id: String,
    /// The group's visibility.
    pub visibility: GroupVisibility,
    /// The actor's membership in it.
    pub membership: Option<(GroupRole, MembershipStatus)>,
    /// The community setting: may anonymous visitors read public content?
    pub public_read: bool,
}

impl GroupFacts {
    fn is_active_member(&self) -> bool {
        matches!(self.membership, Some((_, MembershipStatus::Active)))
    }

    fn is_group_facilitator(&self) -> bool {
        self.membership == Some((GroupRole::Facilitator, MembershipStatus::Active))
    }
}

/// What a topic-scoped decision needs to know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicFacts {
    /// The topic's group, if it belongs to one (with the actor's standing in it).
    pub group: Option<GroupFacts>,
    /// The community setting: may anonymous visitors read public content?
    pub public_read: bool,
    /// Whether the actor started the topic.
    pub is_author: bool,
    /// Whether a moderator hid it.
    pub hidden: bool,
}

/// What the action is about.
#[derive(Clone, Debug)]
pub enum Resource<'a> {
    /// The community as a whole.
    Community,
    /// An account: its role, and whether it is the actor's own.
    Account {
        /// The account's role.
        role: Role,
        /// Whether the actor acts on themselves.
        is_self: bool,
    },
    /// A group.
    Group(&'a GroupFacts),
    /// Where a topic would be started: the community (`None`) or a group.
    Scope(Option<&'a GroupFacts>, bool),
    /// A topic.
    Topic(&'a TopicFacts),
    /// A post in a topic, and whether the actor wrote it.
    Post(&'a TopicFacts, bool),
    /// A library item: the same facts as a topic (`is_author` is ownership, never hidden).
    LibraryItem(&'a TopicFacts),
    /// An event: the same facts as a topic (`is_author`: the actor organises it).
    Event(&'a TopicFacts),
    /// A contact detail on a profile: who its owner lets see it, and whether the
    /// actor is that owner.
    ContactDetail {
        /// The owner's choice.
        visibility: Visibility,
        /// Whether the actor owns the profile.
        is_self: bool,
    },
    /// A member as the recipient of a message.
    Recipient {
        /// Whether they accept messages.
        allow_contact: bool,
        /// Whether the actor would write to themselves.
        is_self: bool,
    },
    /// The moderation queue: whether the actor facilitates any group.
    Moderation {
        /// The actor is an active facilitator of at least one group.
        facilitates_a_group: bool,
    },
}

/// The policy.
pub fn can(actor: &Actor, action: Action, resource: &Resource<'_>) -> bool {
    if let Actor::Key(key) = actor {
        // A key first passes its own limits, then has its maker's rights, no more.
        let scoped = match scope_of(action) {
            Some(Some(scope)) => key.has(scope),
            Some(None) => true,
            None => false,
        };
        let grouped = group_of(resource).is_some_and(|group| key.allows_group(group));
        return scoped && grouped && member_can(&Actor::Member(key.owner.clone()), action, resource);
    }
    member_can(actor, action, resource)
}

fn member_can(actor: &Actor, action: Action, resource: &Resource<'_>) -> bool {
    use Action::*;
    match (action, resource) {
        (UpdateCommunity | ChangeSiteRole | ReadAudit | InviteStaff | ManageWebhooks, _) => actor.is_admin(),
        (AdministerMembers | Invite | CreateGroup, _) => actor.is_staff(),
        (SuspendMember, Resource::Account { role, is_self }) => {
            // Nobody suspends themselves; facilitators may suspend members only.
            !is_self && (actor.is_admin() || (actor.is_staff() && *role == Role::Member))
        }
        (ReadGroup, Resource::Group(group)) => can_read_group(actor, group),
        (ReadGroupMembers | JoinGroup, Resource::Group(group)) => {
            actor.user().is_some() && (can_read_group(actor, group) || action == JoinGroup)
        }
        (UpdateGroup | ManageGroupMembers, Resource::Group(group)) => {
            actor.is_staff() || (actor.user().is_some() && group.is_group_facilitator())
        }
        (ChangeGroupVisibility | ArchiveGroup, Resource::Group(_)) => actor.is_staff(),
        (ManageCategories, _) => actor.is_staff(),
        (ReadFlags, Resource::Moderation { facilitates_a_group }) => {
            actor.is_staff() || (actor.user().is_some() && *facilitates_a_group)
        }
        (CreateTopic | CreateLibraryItem | CreateEvent, Resource::Scope(group, public_read)) => match group {
            None => actor.user().is_some(),
            Some(group) => {
                can_take_part(actor, group)
                    && can_read_group(actor, &GroupFacts { public_read: *public_read, ..(*group).clone() })
            }
        },
        (ReadTopic, Resource::Topic(topic)) => can_read_topic(actor, topic),
        (ReplyTopic, Resource::Topic(topic)) => {
            can_read_topic(actor, topic)
                && match &topic.group {
                    None => actor.user().is_some(),
                    Some(group) => can_take_part(actor, group),
                }
        }
        (EditTopic | AcceptAnswer, Resource::Topic(topic)) => {
            can_read_topic(actor, topic) && actor.user().is_some() && (topic.is_author || is_moderator(actor, topic))
        }
        (ModerateTopic, Resource::Topic(topic) | Resource::Post(topic, _)) => is_moderator(actor, topic),
        (ReactToPost, Resource::Post(topic, _)) => actor.user().is_some() && can_read_topic(actor, topic),
        (EditPost, Resource::Post(topic, is_post_author)) => {
            actor.user().is_some() && can_read_topic(actor, topic) && (*is_post_author || is_moderator(actor, topic))
        }
        // Library items follow the topic rules: readers of the scope read them; the
        // owner or a moderator (site staff, the group's facilitators) edits them.
        (ReadLibraryItem, Resource::LibraryItem(item)) => can_read_topic(actor, item),
        (EditLibraryItem, Resource::LibraryItem(item)) | (EditEvent, Resource::Event(item)) => {
            can_read_topic(actor, item) && actor.user().is_some() && (item.is_author || is_moderator(actor, item))
        }
        // Events too: readers of the scope read them and may answer (like reacting, a
        // member may go to a public group's event without joining the group); their
        // organisers or a moderator edit them.
        (ReadEvent, Resource::Event(event)) => can_read_topic(actor, event),
        (RsvpEvent, Resource::Event(event)) => actor.user().is_some() && can_read_topic(actor, event),
        // Profiles are for the community's members; contact details follow their
        // owner's choice, and staff see no more than that choice allows.
        (ReadProfiles | ManageOwnAccount, _) => actor.user().is_some(),
        (SeeContactDetail, Resource::ContactDetail { visibility, is_self }) => {
            actor.user().is_some()
                && (*is_self
                    || match visibility {
                        Visibility::Nobody => false,
                        Visibility::Members => true,
                        Visibility::Facilitators => actor.is_staff(),
                    })
        }
        (ContactMember, Resource::Recipient { allow_contact, is_self }) => {
            actor.user().is_some() && *allow_contact && !is_self
        }
        // Avatars are pictures shown in <img> elements, which send no bearer token; the
        // address holds the member's opaque id and a random version.
        (ReadAvatar, _) => true,
        // Any other pairing is a programming error; refusing is the safe answer.
        _ => false,
    }
}

fn can_read_group(actor: &Actor, group: &GroupFacts) -> bool {
    match actor {
        Actor::Anonymous => group.public_read && group.visibility == GroupVisibility::Public,
        Actor::Member(_) | Actor::Key(_) => {
            actor.is_staff()
                || group.visibility == GroupVisibility::Public
                || group.is_active_member()
                || matches!(group.membership, Some((_, MembershipStatus::Invited)))
        }
    }
}

/// Members of a group take part in it; site staff may take part anywhere.
fn can_take_part(actor: &Actor, group: &GroupFacts) -> bool {
    actor.user().is_some() && (actor.is_staff() || group.is_active_member())
}

/// Site staff moderate everything; a group's facilitators moderate its topics.
fn is_moderator(actor: &Actor, topic: &TopicFacts) -> bool {
    actor.is_staff() || (actor.user().is_some() && topic.group.as_ref().is_some_and(GroupFacts::is_group_facilitator))
}

fn can_read_topic(actor: &Actor, topic: &TopicFacts) -> bool {
    let scope = match &topic.group {
        None => actor.user().is_some() || topic.public_read,
        Some(group) => can_read_group(actor, group),
    };
    scope && (!topic.hidden || is_moderator(actor, topic))
}

/// The SQL form of `ReadTopic` for list queries: what a list may show, which is
/// never more than a single read allows (hidden topics are listed for site staff only).
pub fn visible_topics(actor: &Actor, public_read: bool) -> Option<Condition> {
    use crate::entities::topic;
    let not_deleted = topic::Column::DeletedAt.is_null();
    let scopes = readable_scopes(actor, public_read, topic::Column::GroupId)?;
    if actor.is_staff() {
        return Some(Condition::all().add(not_deleted).add(scopes));
    }
    Some(Condition::all().add(not_deleted).add(topic::Column::HiddenAt.is_null()).add(scopes))
}

/// Who an actor reads lists of group-scoped content as (topics, library items,
/// events): actors with the same reader see the same lists (`visible_topics` and
/// `visible_in_scope` depend on nothing else), so a page read for one may be shown to
/// another. Staff see every topic and item; a member sees what their groups allow
/// (`memberships`: the ids of the groups they belong to as `visible_groups` counts
/// them, active or invited, sorted). `None` for API keys, whose lists are not kept.
pub fn list_reader(actor: &Actor, public_read: bool, memberships: Option<&[String]>) -> Option<String> {
    match actor {
        Actor::Anonymous => Some(format!("anonymous|{public_read}")),
        Actor::Member(_) if actor.is_staff() => Some("staff".to_owned()),
        Actor::Member(_) => Some(format!("member|{}", memberships?.join(","))),
        Actor::Key(_) => None,
    }
}

/// Whether `list_reader` needs the actor's memberships.
pub fn reader_needs_memberships(actor: &Actor) -> bool {
    matches!(actor, Actor::Member(_)) && !actor.is_staff()
}

/// The SQL form of reading group-scoped content (library items, events) for list
/// queries: community content for whoever may read community content, content of the
/// groups the actor may read, never deleted rows.
fn visible_in_scope(
    actor: &Actor,
    public_read: bool,
    group_id: impl ColumnTrait,
    deleted_at: impl ColumnTrait,
) -> Option<Condition> {
    let not_deleted = deleted_at.is_null();
    Some(Condition::all().add(not_deleted).add(readable_scopes(actor, public_read, group_id)?))
}

/// Community content (when the actor may read it) or content of the groups the actor
/// may read; a key limited to groups never reaches community-wide content.
fn readable_scopes(actor: &Actor, public_read: bool, group_id: impl ColumnTrait) -> Option<Condition> {
    let limited = actor.key().is_some_and(|k| k.groups.is_some());
    if actor.is_staff() && !limited {
        return Some(Condition::all());
    }
    let groups = visible_groups(actor, public_read)?;
    let readable_groups = Query::select().column(group::Column::Id).from(group::Entity).cond_where(groups).to_owned();
    let mut scopes = Condition::any().add(group_id.in_subquery(readable_groups));
    match actor {
        Actor::Anonymous if !public_read => return None,
        _ if limited => {}
        _ => scopes = scopes.add(group_id.is_null()),
    }
    Some(scopes)
}

/// The SQL form of `ReadLibraryItem` for list queries.
pub fn visible_library_items(actor: &Actor, public_read: bool) -> Option<Condition> {
    use crate::entities::library_item::Column;
    visible_in_scope(actor, public_read, Column::GroupId, Column::DeletedAt)
}

/// The SQL form of `ReadEvent` for list queries.
pub fn visible_events(actor: &Actor, public_read: bool) -> Option<Condition> {
    use crate::entities::event::Column;
    visible_in_scope(actor, public_read, Column::GroupId, Column::DeletedAt)
}

/// The SQL form of reading the change feed: entries of community content (when the
/// actor may read it) and of the groups the actor may read, by the group the resource
/// had when it changed. Types are limited by scope separately.
pub fn visible_changes(actor: &Actor, public_read: bool) -> Option<Condition> {
    readable_scopes(actor, public_read, crate::entities::change::Column::GroupId)
}

/// The SQL form of `ReadGroup` for list queries; `None` means the actor may see none.
pub fn visible_groups(actor: &Actor, public_read: bool) -> Option<Condition> {
    let public = group::Column::Visibility.eq(GroupVisibility::Public.as_str());
    match actor {
        Actor::Anonymous => public_read.then(|| Condition::all().add(public)),
        Actor::Key(key) => {
            let owner = visible_groups(&Actor::Member(key.owner.clone()), public_read)?;
            // Both must hold: the maker may read the group AND the key is limited to it
            // (`owner` may be an `any` condition, so the limit is never added inside it).
            Some(match &key.groups {
                Some(ids) => Condition::all().add(owner).add(group::Column::Id.is_in(ids.clone())),
                None => owner,
            })
        }
        Actor::Member(_) if actor.is_staff() => Some(Condition::all()),
        Actor::Member(user) => {
            let mine = Query::select()
                .column(group_membership::Column::GroupId)
                .from(group_membership::Entity)
                .and_where(Expr::col(group_membership::Column::UserId).eq(user.id.clone()))
                .and_where(
                    Expr::col(group_membership::Column::Status)
                        .is_in([MembershipStatus::Active.as_str(), MembershipStatus::Invited.as_str()]),
                )
                .to_owned();
            Some(Condition::any().add(public).add(group::Column::Id.in_subquery(mine)))
        }
    }
}

/// Fails unless the actor may act: 401 for anonymous visitors, 403 otherwise.
pub fn require(actor: &Actor, action: Action, resource: &Resource<'_>) -> ApiResult<()> {
    if can(actor, action, resource) {
        Ok(())
    } else if matches!(actor, Actor::Anonymous) {
        Err(sign_in_required())
    } else {
        Err(ApiError::forbidden("You are not allowed to do this."))
    }
}

/// Like `require` for a group, but answers 404 when the actor may not even see the
/// group, so that a private group's existence is never revealed.
pub fn require_group(actor: &Actor, action: Action, group: &GroupFacts) -> ApiResult<()> {
    if !can(actor, Action::ReadGroup, &Resource::Group(group)) && action != Action::JoinGroup {
        return Err(match actor {
            Actor::Anonymous if !group.public_read => sign_in_required(),
            _ => ApiError::not_found(),
        });
    }
    require(actor, action, &Resource::Group(group))
}

/// 401 for content that needs a signed-in member.
pub fn sign_in_required() -> ApiError {
    ApiError::unauthorized(ErrorCode::AuthenticationRequired, "Sign in to see this.")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn member(role: Role) -> Actor {
        Actor::Member(user::Model {
            id: "u".into(),
            email: "u@example.org".into(),
            display_name: "U".into(),
            password_hash: String::new(),
            role: role.as_str().into(),
            status: "active".into(),
            created_at: Utc::now(),
            updated_at: Utc::now(),
        })
    }

    fn facts(
        visibility: GroupVisibility,
        membership: Option<(GroupRole, MembershipStatus)>,
        public_read: bool,
    ) -> GroupFacts {
        GroupFacts { id: "g".into(), visibility, membership, public_read }
    }

    use GroupRole::{Facilitator as GF, Member as GM};
    use GroupVisibility::{Private, Public};
    use MembershipStatus::{Active, Invited, Requested};

    /// The authorization matrix: actor, group, action, expected decision.
    #[test]
    fn the_group_authorization_matrix_holds() {
        let anonymous = Actor::Anonymous;
        let plain = member(Role::Member);
        let site_facilitator = member(Role::Facilitator);
        let admin = member(Role::Admin);
        let cases: Vec<(&str, &Actor, GroupFacts, Action, bool)> = vec![
            ("anonymous, public, reading off", &anonymous, facts(Public, None, false), Action::ReadGroup, false),
            ("anonymous, public, reading on", &anonymous, facts(Public, None, true), Action::ReadGroup, true),
            ("anonymous, private, reading on", &anonymous, facts(Private, None, true), Action::ReadGroup, false),
            ("anonymous never sees members", &anonymous, facts(Public, None, true), Action::ReadGroupMembers, false),
            ("anonymous cannot join", &anonymous, facts(Public, None, true), Action::JoinGroup, false),
            ("member, public", &plain, facts(Public, None, false), Action::ReadGroup, true),
            ("member, private, outsider", &plain, facts(Private, None, false), Action::ReadGroup, false),
            (
                "member, private, requested",
                &plain,
                facts(Private, Some((GM, Requested)), false),
                Action::ReadGroup,
                false,
            ),
            ("member, private, invited", &plain, facts(Private, Some((GM, Invited)), false), Action::ReadGroup, true),
            ("member, private, member", &plain, facts(Private, Some((GM, Active)), false), Action::ReadGroup, true),
            (
                "member may join a private group (by request)",
                &plain,
                facts(Private, None, false),
                Action::JoinGroup,
                true,
            ),
            (
                "group member sees members",
                &plain,
                facts(Private, Some((GM, Active)), false),
                Action::ReadGroupMembers,
                true,
            ),
            ("outsider sees public members", &plain, facts(Public, None, false), Action::ReadGroupMembers, true),
            ("outsider, private members", &plain, facts(Private, None, false), Action::ReadGroupMembers, false),
            (
                "group member cannot manage",
                &plain,
                facts(Public, Some((GM, Active)), false),
                Action::ManageGroupMembers,
                false,
            ),
            (
                "group facilitator manages",
                &plain,
                facts(Private, Some((GF, Active)), false),
                Action::ManageGroupMembers,
                true,
            ),
            (
                "invited facilitator does not",
                &plain,
                facts(Private, Some((GF, Invited)), false),
                Action::ManageGroupMembers,
                false,
            ),
            ("group facilitator edits", &plain, facts(Public, Some((GF, Active)), false), Action::UpdateGroup, true),
            (
                "group facilitator cannot archive",
                &plain,
                facts(Public, Some((GF, Active)), false),
                Action::ArchiveGroup,
                false,
            ),
            (
                "group facilitator cannot change visibility",
                &plain,
                facts(Public, Some((GF, Active)), false),
                Action::ChangeGroupVisibility,
                false,
            ),
            ("site facilitator sees private", &site_facilitator, facts(Private, None, false), Action::ReadGroup, true),
            ("site facilitator archives", &site_facilitator, facts(Private, None, false), Action::ArchiveGroup, true),
            (
                "site facilitator manages",
                &site_facilitator,
                facts(Private, None, false),
                Action::ManageGroupMembers,
                true,
            ),
            ("admin changes visibility", &admin, facts(Private, None, false), Action::ChangeGroupVisibility, true),
        ];
        for (name, actor, group, action, expected) in cases {
            assert_eq!(can(actor, action, &Resource::Group(&group)), expected, "{name}");
        }
    }

    #[test]
    fn the_site_authorization_matrix_holds() {
        let (plain, facilitator, admin) = (member(Role::Member), member(Role::Facilitator), member(Role::Admin));
        let community = Resource::Community;
        for (actor, expected) in [(&Actor::Anonymous, [false; 6]), (&plain, [false; 6])] {
            for (i, action) in [
                Action::UpdateCommunity,
                Action::AdministerMembers,
                Action::Invite,
                Action::ChangeSiteRole,
                Action::ReadAudit,
                Action::CreateGroup,
            ]
            .into_iter()
            .enumerate()
            {
                assert_eq!(can(actor, action, &community), expected[i], "{action:?}");
            }
        }
        assert!(can(&facilitator, Action::AdministerMembers, &community));
        assert!(can(&facilitator, Action::Invite, &community));
        assert!(can(&facilitator, Action::CreateGroup, &community));
        assert!(!can(&facilitator, Action::InviteStaff, &community));
        assert!(!can(&facilitator, Action::ChangeSiteRole, &community));
        assert!(!can(&facilitator, Action::ReadAudit, &community));
        assert!(!can(&facilitator, Action::UpdateCommunity, &community));
        assert!(can(&admin, Action::ChangeSiteRole, &community));
        assert!(can(&admin, Action::ReadAudit, &community));
    }

    #[test]
    fn suspension_rules_protect_staff_and_oneself() {
        let (plain, facilitator, admin) = (member(Role::Member), member(Role::Facilitator), member(Role::Admin));
        let target = |role, is_self| Resource::Account { role, is_self };
        assert!(!can(&plain, Action::SuspendMember, &target(Role::Member, false)));
        assert!(can(&facilitator, Action::SuspendMember, &target(Role::Member, false)));
        assert!(!can(&facilitator, Action::SuspendMember, &target(Role::Facilitator, false)));
        assert!(!can(&facilitator, Action::SuspendMember, &target(Role::Admin, false)));
        assert!(can(&admin, Action::SuspendMember, &target(Role::Facilitator, false)));
        assert!(!can(&admin, Action::SuspendMember, &target(Role::Admin, true)));
    }

    #[test]
    fn contact_details_follow_their_owners_choice() {
        let (plain, facilitator) = (member(Role::Member), member(Role::Facilitator));
        let detail = |visibility, is_self| Resource::ContactDetail { visibility, is_self };
        for visibility in Visibility::ALL {
            assert!(!can(&Actor::Anonymous, Action::SeeContactDetail, &detail(visibility, false)));
            assert!(can(&plain, Action::SeeContactDetail, &detail(visibility, true)), "the owner sees everything");
        }
        assert!(!can(&plain, Action::SeeContactDetail, &detail(Visibility::Nobody, false)));
        assert!(!can(&facilitator, Action::SeeContactDetail, &detail(Visibility::Nobody, false)));
        assert!(can(&plain, Action::SeeContactDetail, &detail(Visibility::Members, false)));
        assert!(!can(&plain, Action::SeeContactDetail, &detail(Visibility::Facilitators, false)));
        assert!(can(&facilitator, Action::SeeContactDetail, &detail(Visibility::Facilitators, false)));
        let recipient = |allow_contact, is_self| Resource::Recipient { allow_contact, is_self };
        assert!(can(&plain, Action::ContactMember, &recipient(true, false)));
        assert!(!can(&plain, Action::ContactMember, &recipient(false, false)));
        assert!(!can(&plain, Action::ContactMember, &recipient(true, true)));
        assert!(!can(&Actor::Anonymous, Action::ContactMember, &recipient(true, false)));
    }

    #[test]
    fn a_hidden_group_is_not_found_rather_than_forbidden() {
        let plain = member(Role::Member);
        let hidden = facts(Private, None, false);
        let error = require_group(&plain, Action::UpdateGroup, &hidden).err().map(|e| e.code());
        assert_eq!(error, Some(ErrorCode::NotFound));
        let visible = facts(Public, None, false);
        let error = require_group(&plain, Action::UpdateGroup, &visible).err().map(|e| e.code());
        assert_eq!(error, Some(ErrorCode::Forbidden));
        let error = require_group(&Actor::Anonymous, Action::ReadGroup, &visible).err().map(|e| e.code());
        assert_eq!(error, Some(ErrorCode::AuthenticationRequired));
    }
}
